//! The canonical query string: components re-encoded with AWS's encoding, pairs sorted.

use std::borrow::Cow;

use crate::ascii::{hexval, is_unreserved, percent_decode, uri_encode_bytes_into};

/// Whether a wire query component is already in AWS's canonical encoding.
fn is_canonical_component(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_unreserved(c) {
            i += 1;
        } else if c == b'%'
            && i + 2 < b.len()
            && matches!(b[i + 1], b'0'..=b'9' | b'A'..=b'F')
            && matches!(b[i + 2], b'0'..=b'9' | b'A'..=b'F')
        {
            let v = (hexval(b[i + 1]).unwrap_or(0) << 4) | hexval(b[i + 2]).unwrap_or(0);
            if is_unreserved(v) {
                return false;
            }
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// Canonical form of one wire query component.
pub(crate) fn canonical_component(s: &str) -> Cow<'_, str> {
    if is_canonical_component(s) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() + 8);
        uri_encode_bytes_into(&mut out, &percent_decode(s), true);
        Cow::Owned(out)
    }
}

/// Splits a wire query into canonical (key, value) pairs, skipping empty `&&` pieces.
pub(crate) fn query_pairs<'q>(query: &'q str, out: &mut Vec<(Cow<'q, str>, Cow<'q, str>)>) {
    if query.is_empty() {
        return;
    }
    for piece in query.split('&') {
        if piece.is_empty() {
            continue;
        }
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        out.push((canonical_component(k), canonical_component(v)));
    }
}

/// Query pairs as the canonical query orders them: by key, then value (bytes).
pub(crate) fn sort_pairs(pairs: &mut [(Cow<'_, str>, Cow<'_, str>)]) {
    pairs.sort_unstable_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
}

/// Sorts `pairs` and writes them as the canonical query.
pub(crate) fn write_sorted_query(out: &mut String, pairs: &mut [(Cow<'_, str>, Cow<'_, str>)]) {
    sort_pairs(pairs);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// The canonical query string of a wire query: pairs re-encoded with AWS's encoding, sorted by
/// key then value, `key=` for a key without value.
///
/// ```
/// use iamkit_sigv4::canonical::canonical_query;
/// assert_eq!(canonical_query("b=2&a&a=%e1%88%b4&c=x+y"), "a=&a=%E1%88%B4&b=2&c=x%2By");
/// ```
pub fn canonical_query(wire_query: &str) -> String {
    let mut pairs = Vec::new();
    query_pairs(wire_query, &mut pairs);
    let mut out = String::with_capacity(wire_query.len() + 8);
    write_sorted_query(&mut out, &mut pairs);
    out
}
