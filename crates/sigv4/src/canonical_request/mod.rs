//! The canonical request, written by one writer for signing, presigning and verifying:
//!
//! ```text
//! method \n canonical path \n canonical query \n canonical headers \n \n signed headers \n payload hash
//! ```

pub(crate) mod headers;
pub(crate) mod path;
pub(crate) mod payload;
pub(crate) mod query;

use std::ops::Range;

use headers::write_header_block;
use path::write_canonical_path;

/// Everything of a canonical request but its query (which the caller writes: the presigned
/// query is built differently from a plain one).
pub(crate) struct CanonicalRequest<'r, 'a> {
    pub(crate) method: &'r str,
    /// The wire path.
    pub(crate) path: &'r str,
    /// Remove dot segments and empty segments (not S3).
    pub(crate) normalize: bool,
    /// Percent-encode the wire path again (not S3).
    pub(crate) double_encode: bool,
    /// The signed headers, sorted with [`crate::request::cmp_header_names`] (stable: a repeated
    /// header's values keep their order).
    pub(crate) headers: &'r [(&'a str, &'a str)],
    /// Every name in `headers` is lower-case already.
    pub(crate) lower_case_names: bool,
    /// `SignedHeaders`: the lower-case names of `headers`, `;`-separated.
    pub(crate) signed_headers: &'r str,
    pub(crate) payload_hash: &'r str,
}

impl CanonicalRequest<'_, '_> {
    /// Writes the canonical request, the query with `write_query`, whose estimated length is
    /// `query_len`. Returns it and where the canonical query is in it.
    pub(crate) fn write(
        &self,
        query_len: usize,
        write_query: impl FnOnce(&mut String),
    ) -> (String, Range<usize>) {
        let mut out = String::with_capacity(self.estimated_len(query_len));
        out.push_str(self.method);
        out.push('\n');
        write_canonical_path(&mut out, self.path, self.normalize, self.double_encode);
        out.push('\n');
        let query_start = out.len();
        write_query(&mut out);
        let query = query_start..out.len();
        out.push('\n');
        write_header_block(&mut out, self.headers, self.lower_case_names);
        out.push('\n');
        out.push_str(self.signed_headers);
        out.push('\n');
        out.push_str(self.payload_hash);
        (out, query)
    }

    /// The length of the canonical request when escaping grows the path and query by at most
    /// half (the common case: one reservation; longer ones grow the string as usual).
    fn estimated_len(&self, query_len: usize) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum();
        let path = self.path.len() + self.path.len() / 2;
        let query = query_len + query_len / 2;
        self.method.len() + path + query + headers + self.signed_headers.len() + 64 + 6
    }
}
