//! The vector files' format: tab-separated rows, `#` comment lines and blank lines skipped, the
//! first remaining line the header.

use std::path::Path;

/// A TSV file read and checked: a header and at least one row, every row as wide as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header's field names.
    pub header: Vec<String>,
    /// The data rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `path`. Panics (failing the test) when the file cannot be read, has no header or
    /// no rows (a loop over zero rows would pass without testing anything), or a row has not as
    /// many fields as the header.
    #[track_caller]
    pub fn read(path: &Path) -> Table {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Table::parse(&text, &path.display().to_string())
    }

    /// Parses `text` (`what` names it in failures), with [`Table::read`]'s checks.
    #[track_caller]
    pub fn parse(text: &str, what: &str) -> Table {
        let mut lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let header: Vec<String> = match lines.next() {
            Some(h) => h.split('\t').map(str::to_owned).collect(),
            None => panic!("{what}: no header row"),
        };
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect();
        assert!(!rows.is_empty(), "{what}: no rows");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row.len(),
                header.len(),
                "{what} row {}: {row:?} has not the header's {} fields",
                i + 1,
                header.len()
            );
        }
        Table { header, rows }
    }

    /// Panics unless the header is exactly `names` (the columns a test reads by position).
    #[track_caller]
    pub fn expect_header(self, names: &[&str]) -> Table {
        assert_eq!(self.header, names, "unexpected header");
        self
    }

    /// The index of column `name`; panics when there is none.
    #[track_caller]
    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }
}

/// The rows of the shared vector file `rel` (below `../shared/vectors`), checked as by
/// [`Table::read`], the header dropped.
#[track_caller]
pub fn tsv(rel: &str) -> Vec<Vec<String>> {
    Table::read(&crate::vectors(rel)).rows
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_the_header_kept_apart() {
        let t = Table::parse("# note\n\na\tb\n1\t2\n# more\n3\t4\n", "t");
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.rows, [["1", "2"], ["3", "4"]]);
        assert_eq!(t.column("b"), 1);
    }

    #[test]
    #[should_panic(expected = "no rows")]
    fn a_file_without_rows_fails() {
        let _ = Table::parse("a\tb\n", "t");
    }

    #[test]
    #[should_panic(expected = "has not the header's 2 fields")]
    fn a_short_row_fails() {
        let _ = Table::parse("a\tb\n1\n", "t");
    }

    #[test]
    #[should_panic(expected = "unexpected header")]
    fn another_header_fails() {
        let _ = Table::parse("a\tb\n1\t2\n", "t").expect_header(&["a", "c"]);
    }
}
