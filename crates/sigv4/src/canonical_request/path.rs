//! The canonical URI: normalisation and (double) encoding of the wire path.

use std::borrow::Cow;

use crate::ascii::{HEX_UPPER, is_unreserved, uri_encode_bytes_into};

/// Path normalisation as AWS (and botocore) apply it for every service but S3: `.` and `..`
/// segments removed (RFC 3986 §5.2.4) and empty segments (repeated slashes) dropped; a trailing
/// slash is kept. The empty path becomes `/`.
///
/// ```
/// use iamkit_sigv4::canonical::normalize_path;
/// assert_eq!(normalize_path("/a/./b/../c//d/"), "/a/c/d/");
/// assert_eq!(normalize_path("/.."), "/");
/// ```
pub fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let needs = !path.starts_with('/')
        || path.contains("//")
        || path.split('/').any(|seg| seg == "." || seg == "..");
    if !needs {
        return Cow::Borrowed(path);
    }
    let mut segs: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push('/');
    }
    out.push_str(&segs.join("/"));
    if path.ends_with('/') && !segs.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Writes the canonical URI of a wire path.
pub(crate) fn write_canonical_path(
    out: &mut String,
    path: &str,
    normalize: bool,
    double_encode: bool,
) {
    let path: Cow<'_, str> = if normalize {
        normalize_path(path)
    } else {
        Cow::Borrowed(path)
    };
    let path = if path.is_empty() { "/" } else { &path };
    if double_encode {
        uri_encode_bytes_into(out, path.as_bytes(), false);
    } else {
        // Single encoding: the wire path as it is; bytes that cannot appear on the wire are escaped.
        let b = path.as_bytes();
        // A table lookup per byte: no branch per byte class.
        if b.iter().all(|&c| WIRE_PATH[c as usize]) {
            out.push_str(path);
        } else {
            for &c in b {
                if WIRE_PATH[c as usize] {
                    out.push(c as char);
                } else {
                    out.push('%');
                    out.push(HEX_UPPER[(c >> 4) as usize] as char);
                    out.push(HEX_UPPER[(c & 15) as usize] as char);
                }
            }
        }
    }
}

#[inline]
const fn is_sub_delim_or_pchar(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'@'
    )
}

/// Bytes a single-encoded (S3) canonical path keeps as they are: unreserved, `/`, `%`, and the
/// sub-delimiters and `:` `@` of RFC 3986 path segments.
static WIRE_PATH: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        // `i < 256` (the loop bound): no truncation. (`u8::try_from` is not const.)
        #[allow(clippy::cast_possible_truncation)]
        let c = i as u8;
        t[i] = is_unreserved(c) || c == b'/' || c == b'%' || is_sub_delim_or_pchar(c);
        i += 1;
    }
    t
};

/// The canonical URI of a wire path: normalised and encoded again when `s3` is false,
/// as it is when `s3` is true.
///
/// ```
/// use iamkit_sigv4::canonical::canonical_path;
/// assert_eq!(canonical_path("/a%3Ab/../c", false), "/c");
/// assert_eq!(canonical_path("/a%3Ab", false), "/a%253Ab");
/// assert_eq!(canonical_path("/a%3Ab//x/..", true), "/a%3Ab//x/..");
/// ```
pub fn canonical_path(wire_path: &str, s3: bool) -> String {
    let mut out = String::with_capacity(wire_path.len() + 16);
    write_canonical_path(&mut out, wire_path, !s3, !s3);
    out
}
