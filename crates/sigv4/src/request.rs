//! The request as described by the caller: [`Request`], its [`Payload`], URL parsing and header
//! validation; [`HeaderBuf`] for header lists and [`cmp_header_names`], the order they sign in.
//!
//! Simplest use: describe the request as it goes on the wire.
//!
//! ```
//! use iamkit_sigv4::{Payload, Request};
//! let req = Request::from_url("GET", "https://example.amazonaws.com/a%20b?x=1")?
//!     .header("x-custom", "  some   value ")
//!     .payload(Payload::Bytes(b""));
//! assert_eq!(req.host(), Some("example.amazonaws.com"));
//! assert_eq!(req.path(), "/a%20b");
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```
//!
//! # Wire form and raw form
//!
//! * **Wire** (`Request::new`, `Request::from_url`): path and query exactly as on the request
//!   line, already percent-encoded. For every service but S3 the canonical path is the wire path,
//!   normalised, then percent-encoded *again* (`%20` becomes `%2520`): AWS's "double encoding".
//!   S3 uses the wire path as it is. Query keys and values are decoded and re-encoded with
//!   AWS's encoding (upper-case hex, only `A-Z a-z 0-9 - _ . ~` unescaped), so `%e1` and `%E1`
//!   sign alike; `+` is a literal plus. Bytes that should have been escaped on the wire (a raw
//!   space or non-ASCII character) are escaped once; this is how the official test suite's
//!   `request.txt` lines are read (they hold `/ሴ` and `?ሴ=bar` unescaped).
//! * **Raw** (`Request::from_raw_parts`): path segments and query pairs *unencoded*. The library
//!   encodes them once into the wire form ([`Request::path`], [`Request::query`]) that you must
//!   send, then signs that wire form as above.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::ascii::{
    SIGNED_LIST, TOKEN, URL_HOST, URL_STOP, common_classes, is_token, skip_class, skip_not_class,
    uri_encode_into,
};
use crate::error::Error;

/// Payload of the request: how the last line of the canonical request is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body; its SHA-256 is signed.
    Bytes(&'a [u8]),
    /// A precomputed hex SHA-256 of the body (64 lower-case hex digits).
    Hash(&'a str),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, SigV4a `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD`
    /// (aws-chunked, each chunk signed; see [`ChunkSigner`](crate::ChunkSigner)).
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`, SigV4a
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER` (signed chunks and a signed trailer).
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (unsigned chunks, trailer).
    StreamingUnsignedTrailer,
}
/// A request described without the `http` crate: method, wire path, wire query, headers, payload.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    method: &'a str,
    scheme: Option<&'a str>,
    host: Option<Cow<'a, str>>,
    path: Cow<'a, str>,
    query: Cow<'a, str>,
    headers: HeaderBuf<'a, 4>,
    payload: Payload<'a>,
}

impl<'a> Request<'a> {
    /// A request from its wire path (already percent-encoded, e.g. `/a%20b`) and wire query
    /// (without `?`, e.g. `x=1&y=%2F`). No host: add a `host` header, or use [`Request::from_url`].
    pub fn new(method: &'a str, wire_path: &'a str, wire_query: &'a str) -> Self {
        Request {
            method,
            scheme: None,
            host: None,
            path: Cow::Borrowed(wire_path),
            query: Cow::Borrowed(wire_query),
            headers: HeaderBuf::new(),
            payload: Payload::Bytes(b""),
        }
    }

    /// A request from a wire URL `scheme://host[:port]/path?query` (path and query already
    /// percent-encoded). The `host` signed is the URL's host, lower-cased, with the port unless it
    /// is the scheme's default (80 for http, 443 for https). A `#fragment` is ignored.
    ///
    /// # Errors
    ///
    /// `Error::InvalidUrl` when `url` is not of that form, `Error::InvalidMethod` when `method`
    /// is not an HTTP token.
    pub fn from_url(method: &'a str, url: &'a str) -> Result<Self, Error> {
        match Request::from_url_fast(method, url) {
            Some(r) => Ok(r),
            None => Request::from_url_general(method, url),
        }
    }

    /// One pass over the common shape `scheme://lower-case-host/path?query` (no port, no user
    /// information, no IPv6 literal, nothing to reject); `None` sends every other URL to
    /// [`Request::from_url_general`], which gives the same result on this shape.
    fn from_url_fast(method: &'a str, url: &'a str) -> Option<Self> {
        let b = url.as_bytes();
        let i = b
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))
            .unwrap_or(b.len());
        if i == 0 || !b[i..].starts_with(b"://") {
            return None;
        }
        let a0 = i + 3;
        let j = a0 + skip_class(b.get(a0..)?, URL_HOST);
        if j == a0 || (j < b.len() && !matches!(b[j], b'/' | b'?' | b'#')) {
            return None;
        }
        let (mut k, mut q) = (j, None);
        loop {
            k += skip_not_class(b.get(k..)?, URL_STOP);
            match b.get(k) {
                None | Some(b'#') => break,
                Some(b'?') => {
                    if q.is_none() {
                        q = Some(k);
                    }
                    k += 1;
                }
                Some(_) => return None,
            }
        }
        let (path, query) = match q {
            Some(q) => (url.get(j..q)?, url.get(q + 1..k)?),
            None => (url.get(j..k)?, ""),
        };
        Some(Request {
            method,
            scheme: Some(url.get(..i)?),
            host: Some(Cow::Borrowed(url.get(a0..j)?)),
            path: Cow::Borrowed(if path.is_empty() { "/" } else { path }),
            query: Cow::Borrowed(query),
            headers: HeaderBuf::new(),
            payload: Payload::Bytes(b""),
        })
    }

    fn from_url_general(method: &'a str, url: &'a str) -> Result<Self, Error> {
        let (scheme, rest) = url.split_once("://").ok_or(Error::InvalidUrl {
            reason: "expected scheme://host/path",
        })?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(Error::InvalidUrl {
                reason: "invalid scheme",
            });
        }
        let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let rest = &rest[end..];
        if authority.contains('@') {
            return Err(Error::InvalidUrl {
                reason: "user information in URLs is not supported",
            });
        }
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err(Error::InvalidUrl {
                reason: "empty host",
            });
        }
        if host
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'%')
        {
            return Err(Error::InvalidUrl {
                reason: "invalid character in host",
            });
        }
        let default = if scheme.eq_ignore_ascii_case("http") {
            Some("80")
        } else if scheme.eq_ignore_ascii_case("https") {
            Some("443")
        } else {
            None
        };
        let lower = !host.bytes().any(|b| b.is_ascii_uppercase());
        let host: Cow<'a, str> = match port {
            Some(p) if Some(p) != default => {
                Cow::Owned(format!("{}:{}", host.to_ascii_lowercase(), p))
            }
            Some(_) => Cow::Owned(host.to_ascii_lowercase()),
            None if lower => Cow::Borrowed(host),
            None => Cow::Owned(host.to_ascii_lowercase()),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path
            .bytes()
            .chain(query.bytes())
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(Error::InvalidUrl {
                reason: "whitespace or control character: percent-encode it",
            });
        }
        let path = if path.is_empty() { "/" } else { path };
        Ok(Request {
            method,
            scheme: Some(scheme),
            host: Some(host),
            path: Cow::Borrowed(path),
            query: Cow::Borrowed(query),
            headers: HeaderBuf::new(),
            payload: Payload::Bytes(b""),
        })
    }

    /// A request from a raw (unencoded) path such as `/my file/ሴ` and raw query pairs. Both are
    /// percent-encoded once with AWS's encoding (`/` kept in the path) to make the wire form,
    /// readable back from [`Request::path`] and [`Request::query`]; send that form.
    pub fn from_raw_parts(
        method: &'a str,
        raw_path: &str,
        raw_query: &[(&str, &str)],
    ) -> Request<'a> {
        let mut path = String::with_capacity(raw_path.len() + 8);
        if !raw_path.starts_with('/') {
            path.push('/');
        }
        uri_encode_into(&mut path, raw_path, false);
        let mut query = String::new();
        for (i, (k, v)) in raw_query.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            uri_encode_into(&mut query, k, true);
            query.push('=');
            uri_encode_into(&mut query, v, true);
        }
        Request {
            method,
            scheme: None,
            host: None,
            path: Cow::Owned(path),
            query: Cow::Owned(query),
            headers: HeaderBuf::new(),
            payload: Payload::Bytes(b""),
        }
    }

    /// Adds a header (repeat a name to send it several times; the values are joined with `,`).
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds a header in place.
    pub fn push_header(&mut self, name: &'a str, value: &'a str) {
        self.headers.push((name, value));
    }

    /// Sets the payload (default: the empty body).
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = payload;
        self
    }

    /// Sets the host used when the request has no `host` header (lower-cased; include a
    /// non-default port as `host:port`).
    pub fn with_host(mut self, host: &'a str) -> Self {
        self.host = Some(Cow::Borrowed(host));
        self
    }

    /// Sets the URL scheme (used to build a presigned URL).
    pub fn with_scheme(mut self, scheme: &'a str) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.method
    }
    /// The wire path.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The wire query (without `?`).
    pub fn query(&self) -> &str {
        &self.query
    }
    /// The headers as given.
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        self.headers.as_slice()
    }
    /// The payload.
    pub fn payload_ref(&self) -> &Payload<'a> {
        &self.payload
    }
    /// The host from the URL or [`Request::with_host`].
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }
    /// The scheme from the URL or [`Request::with_scheme`].
    pub fn scheme(&self) -> Option<&str> {
        self.scheme
    }

    /// The first value of a header (case-insensitive name).
    pub fn header_value(&self, name: &str) -> Option<&'a str> {
        self.headers
            .as_slice()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), Error> {
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        let close = stripped.find(']').ok_or(Error::InvalidUrl {
            reason: "unclosed IPv6 bracket",
        })?;
        let host = &authority[..close + 2];
        let after = &authority[close + 2..];
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => {
                return Err(Error::InvalidUrl {
                    reason: "junk after IPv6 address",
                });
            }
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    match port {
        Some("") => Ok((host, None)),
        Some(p)
            if p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65535) =>
        {
            Ok((
                host,
                Some(p.trim_start_matches('0')).map(|p| if p.is_empty() { "0" } else { p }),
            ))
        }
        Some(_) => Err(Error::InvalidUrl {
            reason: "invalid port",
        }),
        None => Ok((host, None)),
    }
}
/// Header pairs kept on the stack before spilling to the heap (a signed request rarely has more).
const INLINE_HEADERS: usize = 8;

/// Header pairs: on the stack up to `N`, then in a `Vec`.
pub(crate) type HeaderBuf<'a, const N: usize = INLINE_HEADERS> = InlineBuf<(&'a str, &'a str), N>;

/// A list on the stack up to `N` items, then in a `Vec` (no `unsafe`: the inline slots start as
/// `T::default()`).
#[derive(Clone)]
pub(crate) struct InlineBuf<T, const N: usize> {
    inline: [T; N],
    len: usize,
    spill: Vec<T>,
}

impl<T: Copy + Default, const N: usize> InlineBuf<T, N> {
    pub(crate) fn new() -> Self {
        InlineBuf {
            inline: [T::default(); N],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        if self.spill.is_empty() {
            if self.len < N {
                self.inline[self.len] = item;
                self.len += 1;
                return;
            }
            self.spill.reserve(N.max(4) * 2);
            self.spill.extend_from_slice(&self.inline);
        }
        self.spill.push(item);
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill
        }
    }
}

impl<const N: usize> HeaderBuf<'_, N> {
    /// Stable sort with [`cmp_header_names`] (repeated names keep their order).
    pub(crate) fn sort(&mut self) {
        let s = self.as_mut_slice();
        if !s.is_sorted_by(|a, b| cmp_header_names(a.0, b.0) != Ordering::Greater) {
            s.sort_by(|a, b| cmp_header_names(a.0, b.0));
        }
    }
}

/// Case-insensitive ASCII order of header names.
#[inline]
pub(crate) fn cmp_header_names(a: &str, b: &str) -> Ordering {
    #[cfg(test)]
    ops::count(1);
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i < n {
        // Names mostly share their case: skip to the first differing byte eight at a time.
        if let (Some(x), Some(y)) = (word(a, i), word(b, i)) {
            let diff = x ^ y;
            if diff == 0 {
                i += 8;
                continue;
            }
            // Little-endian: the lowest set bit is in the first differing byte (0..8).
            i += (diff.trailing_zeros() / 8) as usize;
        }
        let (x, y) = (a[i], b[i]);
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// The eight bytes of `s` at `i`, little-endian, when there are eight.
#[inline]
fn word(s: &[u8], i: usize) -> Option<u64> {
    let bytes: [u8; 8] = s.get(i..i.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// Counts header-name comparisons in tests (the verifier's linearity test).
#[cfg(test)]
pub(crate) mod ops {
    use std::cell::Cell;

    thread_local!(static OPS: Cell<u64> = const { Cell::new(0) });

    pub(crate) fn count(n: u64) {
        OPS.with(|c| c.set(c.get() + n));
    }

    /// The comparisons made by `f` on this thread.
    pub(crate) fn measure(f: impl FnOnce()) -> u64 {
        let before = OPS.with(Cell::get);
        f();
        OPS.with(Cell::get) - before
    }
}

impl<T: Copy + Default + std::fmt::Debug, const N: usize> std::fmt::Debug for InlineBuf<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}
/// Checks a header to sign; returns whether its name is already lower-case.
pub(crate) fn validate_header(name: &str, value: &str) -> Result<bool, Error> {
    // A token byte that is in `SIGNED_LIST` is not an upper-case letter.
    let classes = common_classes(name.as_bytes());
    if name.is_empty() || classes & TOKEN == 0 {
        return Err(Error::InvalidHeader {
            name: name.to_ascii_lowercase(),
            reason: "not a valid header name",
        });
    }
    if value
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f)
    {
        return Err(Error::InvalidHeader {
            name: name.to_ascii_lowercase(),
            reason: "control character in value",
        });
    }
    Ok(classes & SIGNED_LIST != 0)
}

pub(crate) fn validate_method(m: &str) -> Result<(), Error> {
    if is_token(m) {
        Ok(())
    } else {
        Err(Error::InvalidMethod)
    }
}

#[cfg(test)]
mod tests {
    use super::Request;
    use proptest::prelude::*;

    fn parts(r: &Request<'_>) -> (String, Option<String>, Option<String>, String, String) {
        (
            r.method().to_owned(),
            r.scheme().map(str::to_owned),
            r.host().map(str::to_owned),
            r.path().to_owned(),
            r.query().to_owned(),
        )
    }

    /// The one-pass parser, when it answers, agrees with the general one.
    fn check(url: &str) {
        let general = Request::from_url_general("GET", url);
        match Request::from_url_fast("GET", url) {
            Some(fast) => {
                let general = general.unwrap_or_else(|e| panic!("{url}: general failed: {e}"));
                assert_eq!(parts(&fast), parts(&general), "{url}");
            }
            None => {
                let via_public = Request::from_url("GET", url).map(|r| parts(&r));
                assert_eq!(via_public, general.map(|r| parts(&r)), "{url}");
            }
        }
    }

    #[test]
    fn fast_url_parser_matches_general() {
        for url in [
            "https://example.amazonaws.com/",
            "https://example.amazonaws.com",
            "https://example.amazonaws.com?x=1",
            "https://example.amazonaws.com/a%20b?x=1&y=2#frag",
            "https://example.amazonaws.com/a?b?c#d?e",
            "https://example.amazonaws.com#frag",
            "http://Example.com/x",
            "http://example.com:80/x",
            "http://example.com:8080/x",
            "s3+x://bucket.s3.amazonaws.com/k",
            "https://u@example.com/",
            "https://[::1]:443/",
            "https:///x",
            "://example.com/",
            "https:/example.com/",
            "https://example.com/a b",
            "https://example.com/\u{1234}",
            "https://exa%41mple.com/",
        ] {
            check(url);
        }
    }

    #[test]
    fn header_validation_says_whether_the_name_is_lower_case() {
        use super::validate_header;
        assert_eq!(validate_header("x-amz-date", "v"), Ok(true));
        assert_eq!(validate_header("X-Amz-Date", "v"), Ok(false));
        assert_eq!(validate_header("a!#$%&'*+-.^_`|~0", "v"), Ok(true));
        for bad in ["", "a b", "a;b", "a:b", "\u{e9}"] {
            assert!(validate_header(bad, "v").is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// Any header name: accepted exactly when it is a token, lower-case exactly when no byte
        /// is an upper-case letter.
        #[test]
        fn header_name_checks_are_the_plain_ones(name in "[a-zA-Z0-9!#$%&'*+.^_`|~;: \u{e9}-]{0,12}") {
            let token = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            let lower = !name.bytes().any(|b| b.is_ascii_uppercase());
            match super::validate_header(&name, "v") {
                Ok(l) => prop_assert!(token && l == lower, "{:?}", name),
                Err(_) => prop_assert!(!token, "{:?}", name),
            }
        }

        /// The word-skipping comparison is the plain one: lower-case both, compare bytes.
        #[test]
        fn header_name_order_is_lower_case_byte_order(
            prefix in "[a-zA-Z0-9-]{0,20}",
            a in "[a-zA-Z0-9-]{0,12}",
            b in "[a-zA-Z0-9-]{0,12}",
            upper in any::<bool>(),
        ) {
            let shared = if upper { prefix.to_ascii_uppercase() } else { prefix.clone() };
            let (a, b) = (format!("{prefix}{a}"), format!("{shared}{b}"));
            let plain = a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
            prop_assert_eq!(super::cmp_header_names(&a, &b), plain);
            prop_assert_eq!(super::cmp_header_names(&b, &a), plain.reverse());
            prop_assert_eq!(super::cmp_header_names(&a, &a), std::cmp::Ordering::Equal);
        }

        #[test]
        fn fast_url_parser_matches_general_random(
            url in "(https?|s3|x\\+y|h:t)://[a-zA-Z0-9.:@\\[\\]%_~ -]{0,12}[/?#]?[/?#a-z0-9% \t.=&]{0,16}"
        ) {
            check(&url);
        }
    }
}
