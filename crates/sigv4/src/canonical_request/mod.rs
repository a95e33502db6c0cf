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

use headers::{signed_list_max_len, write_header_block, write_signed_list};
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
    pub(crate) signed_headers: SignedList<'r>,
    pub(crate) payload_hash: &'r str,
}

/// Where a canonical request's `SignedHeaders` list comes from.
pub(crate) enum SignedList<'r> {
    /// The request's own (a verifier's, checked against the headers).
    Given(&'r str),
    /// Written from the headers (a signer's).
    OfHeaders,
}

/// Where a canonical request's parts are in the string it was written to.
pub(crate) struct Written {
    /// The whole canonical request.
    pub(crate) all: Range<usize>,
    /// The canonical query.
    pub(crate) query: Range<usize>,
    /// The `SignedHeaders` list.
    pub(crate) signed_headers: Range<usize>,
}

impl CanonicalRequest<'_, '_> {
    /// Appends the canonical request to `out` (which the caller sized, see
    /// [`CanonicalRequest::estimated_len`]), the query with `write_query`. Returns where it and
    /// its parts are in `out`.
    pub(crate) fn write(&self, out: &mut String, write_query: impl FnOnce(&mut String)) -> Written {
        let start = out.len();
        out.push_str(self.method);
        out.push('\n');
        write_canonical_path(out, self.path, self.normalize, self.double_encode);
        out.push('\n');
        let query_start = out.len();
        write_query(out);
        let query = query_start..out.len();
        out.push('\n');
        write_header_block(out, self.headers, self.lower_case_names);
        out.push('\n');
        let signed_start = out.len();
        match self.signed_headers {
            SignedList::Given(list) => out.push_str(list),
            SignedList::OfHeaders => {
                write_signed_list(out, self.headers, self.lower_case_names, false);
            }
        }
        let signed_headers = signed_start..out.len();
        out.push('\n');
        out.push_str(self.payload_hash);
        Written {
            all: start..out.len(),
            query,
            signed_headers,
        }
    }

    /// The length of the canonical request when escaping grows the path and query by at most
    /// half (the common case: one reservation; longer ones grow the string as usual).
    pub(crate) fn estimated_len(&self, query_len: usize) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum();
        let path = self.path.len() + self.path.len() / 2;
        let query = query_len + query_len / 2;
        let signed_headers = match self.signed_headers {
            SignedList::Given(list) => list.len(),
            SignedList::OfHeaders => signed_list_max_len(self.headers, false),
        };
        self.method.len() + path + query + headers + signed_headers + 64 + 6
    }
}
