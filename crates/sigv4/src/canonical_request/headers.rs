//! The canonical headers: trimmed values, lower-case names, the `SignedHeaders` list.

use crate::ascii::{HEX_UPPER, SPACE, UNRESERVED, all_in, any_in, is_unreserved, maybe_space};

/// Trimall of a header value: leading/trailing whitespace removed, inner runs of whitespace
/// (spaces, tabs, obs-fold line breaks) collapsed to one space.
pub(crate) fn push_trimmed(out: &mut String, value: &str) {
    let b = value.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c);
    if !maybe_space(b) || !any_in(b, SPACE) {
        out.push_str(value);
        return;
    }
    let mut first = true;
    for word in value.split(|c: char| c.is_ascii() && ws(c as u8)) {
        if word.is_empty() {
            continue;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// Canonical header value (trimall) of one header value.
///
/// ```
/// assert_eq!(iamkit_sigv4::canonical::trim_header_value("  a   b \n  c "), "a b c");
/// ```
pub fn trim_header_value(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    push_trimmed(&mut s, value);
    s
}

/// Writes the `SignedHeaders` list of `headers` (sorted with [`cmp_header_names`]): each name once,
/// lower-case, `;`-separated; or, `encoded` (a presigned URL's `X-Amz-SignedHeaders`), each name
/// URI-encoded and `%3B`-separated. `lower_case` says every name already is (nothing to convert).
pub(crate) fn write_signed_list(
    out: &mut String,
    headers: &[(&str, &str)],
    lower_case: bool,
    encoded: bool,
) {
    let mut prev: Option<&str> = None;
    for &(name, _) in headers {
        if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            continue;
        }
        if prev.is_some() {
            out.push_str(if encoded { "%3B" } else { ";" });
        }
        if encoded && !all_in(name.as_bytes(), UNRESERVED) {
            // Rare: a name with a token character URI encoding escapes (`!#$%&'*+^`|`).
            for c in name.bytes().map(|b| b.to_ascii_lowercase()) {
                if is_unreserved(c) {
                    out.push(char::from(c));
                } else {
                    out.push('%');
                    out.push(char::from(HEX_UPPER[usize::from(c >> 4)]));
                    out.push(char::from(HEX_UPPER[usize::from(c & 15)]));
                }
            }
        } else {
            push_name(out, name, lower_case);
        }
        prev = Some(name);
    }
}

/// The longest `SignedHeaders` list of `headers` (every name and a separator after each), plain or
/// [encoded](write_signed_list) (at most three bytes for each byte).
pub(crate) fn signed_list_max_len(headers: &[(&str, &str)], encoded: bool) -> usize {
    let plain: usize = headers.iter().map(|(name, _)| name.len() + 1).sum();
    if encoded { 3 * plain } else { plain }
}

/// Writes the canonical headers block of `headers` (sorted with [`cmp_header_names`]);
/// `lower_case` says every name already is.
pub(crate) fn write_header_block(out: &mut String, headers: &[(&str, &str)], lower_case: bool) {
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].0;
        push_name(out, name, lower_case);
        out.push(':');
        push_trimmed(out, headers[i].1);
        let mut j = i + 1;
        while j < headers.len() && headers[j].0.eq_ignore_ascii_case(name) {
            out.push(',');
            push_trimmed(out, headers[j].1);
            j += 1;
        }
        out.push('\n');
        i = j;
    }
}

fn push_name(out: &mut String, name: &str, lower_case: bool) {
    let start = out.len();
    out.push_str(name);
    if !lower_case && name.bytes().any(|c| c.is_ascii_uppercase()) {
        // Only ASCII letters change; the string stays valid UTF-8.
        out[start..].make_ascii_lowercase();
    }
}
