//! The request description and the canonical forms of SigV4 (path, query, headers).
//!
//! Simplest use: describe the request as it goes on the wire.
//!
//! ```
//! use iamkit_sigv4::canonical::{Payload, Request};
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
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (aws-chunked, each chunk signed; see [`crate::chunked`]).
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` (signed chunks and a signed trailer).
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (unsigned chunks, trailer).
    StreamingUnsignedTrailer,
}

/// `UNSIGNED-PAYLOAD`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// SHA-256 of the empty string, hex.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A hex payload hash or one of the constants, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct PayloadHash {
    buf: [u8; 64],
    konst: Option<&'static str>,
}

impl PayloadHash {
    pub(crate) fn as_str(&self) -> &str {
        match self.konst {
            Some(k) => k,
            // Only ever filled with ASCII hex digits.
            None => std::str::from_utf8(&self.buf).unwrap_or(EMPTY_SHA256),
        }
    }

    pub(crate) fn from_payload(p: &Payload<'_>) -> Result<PayloadHash, Error> {
        let konst = |k| {
            Ok(PayloadHash {
                buf: [0; 64],
                konst: Some(k),
            })
        };
        match *p {
            Payload::Bytes(b"") => konst(EMPTY_SHA256),
            Payload::Bytes(b) => Ok(PayloadHash {
                buf: hex32(&sha256(b)),
                konst: None,
            }),
            Payload::Hash(h) => PayloadHash::parse(h),
            Payload::Unsigned => konst(UNSIGNED_PAYLOAD),
            Payload::StreamingSigned => konst(STREAMING_PAYLOAD),
            Payload::StreamingSignedTrailer => konst(STREAMING_PAYLOAD_TRAILER),
            Payload::StreamingUnsignedTrailer => konst(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
        }
    }

    pub(crate) fn parse(h: &str) -> Result<PayloadHash, Error> {
        let b = h.as_bytes();
        if b.len() == 64 && is_lower_hex(b) {
            let mut buf = [0u8; 64];
            buf.copy_from_slice(b);
            return Ok(PayloadHash { buf, konst: None });
        }
        for k in [
            UNSIGNED_PAYLOAD,
            STREAMING_PAYLOAD,
            STREAMING_PAYLOAD_TRAILER,
            STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        ] {
            if h == k {
                return Ok(PayloadHash {
                    buf: [0; 64],
                    konst: Some(k),
                });
            }
        }
        let b = h.as_bytes();
        if b.len() != 64
            || !b
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        {
            return Err(Error::InvalidPayloadHash);
        }
        let mut buf = [0u8; 64];
        buf.copy_from_slice(b);
        Ok(PayloadHash { buf, konst: None })
    }
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    crate::sha::sha256(data)
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Lower-case hex of 32 bytes.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // Cannot fail: the output is exactly twice the input.
    let _ = const_hex::encode_to_slice(bytes, &mut out);
    out
}

/// Appends the lower-case hex of 32 bytes.
pub(crate) fn push_hex32(out: &mut String, bytes: &[u8; 32]) {
    out.push_str(const_hex::Buffer::<32>::new().format(bytes));
}

/// A request described without the `http` crate: method, wire path, wire query, headers, payload.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    method: &'a str,
    scheme: Option<&'a str>,
    host: Option<Cow<'a, str>>,
    path: Cow<'a, str>,
    query: Cow<'a, str>,
    headers: crate::sign::HeaderBuf<'a, 4>,
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
            headers: crate::sign::HeaderBuf::new(),
            payload: Payload::Bytes(b""),
        }
    }

    /// A request from a wire URL `scheme://host[:port]/path?query` (path and query already
    /// percent-encoded). The `host` signed is the URL's host, lower-cased, with the port unless it
    /// is the scheme's default (80 for http, 443 for https). A `#fragment` is ignored.
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
            headers: crate::sign::HeaderBuf::new(),
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
            headers: crate::sign::HeaderBuf::new(),
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
            headers: crate::sign::HeaderBuf::new(),
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

#[inline]
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `s` with AWS's rules: every byte but `A-Z a-z 0-9 - _ . ~` (and `/` unless
/// `encode_slash`) becomes `%XX` with upper-case hex.
///
/// ```
/// assert_eq!(iamkit_sigv4::canonical::uri_encode("a b/ሴ", false), "a%20b/%E1%88%B4");
/// assert_eq!(iamkit_sigv4::canonical::uri_encode("a/b", true), "a%2Fb");
/// ```
pub fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    uri_encode_into(&mut out, s, encode_slash);
    out
}

pub(crate) fn uri_encode_into(out: &mut String, s: &str, encode_slash: bool) {
    let class = if encode_slash {
        UNRESERVED
    } else {
        UNRESERVED_SLASH
    };
    // The bytes before `n` are ASCII, so `n` is a character boundary.
    let n = skip_class(s.as_bytes(), class);
    out.push_str(&s[..n]);
    if n < s.len() {
        uri_encode_bytes_into(out, &s.as_bytes()[n..], encode_slash);
    }
}

fn uri_encode_bytes_into(out: &mut String, s: &[u8], encode_slash: bool) {
    let class = if encode_slash {
        UNRESERVED
    } else {
        UNRESERVED_SLASH
    };
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if CLASS[b as usize] & class != 0 {
            continue;
        }
        if start < i {
            // Slices of `s` between escaped bytes are ASCII.
            out.push_str(std::str::from_utf8(&s[start..i]).unwrap_or_default());
        }
        out.push('%');
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 15) as usize] as char);
        start = i + 1;
    }
    if start < s.len() {
        out.push_str(std::str::from_utf8(&s[start..]).unwrap_or_default());
    }
}

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

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

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

/// Decodes `%XX` escapes (a `%` not followed by two hex digits stays a literal `%`); `+` stays `+`.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hexval(b[i + 1]), hexval(b[i + 2]))
        {
            out.push((h << 4) | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
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

pub(crate) fn write_sorted_query(out: &mut String, pairs: &mut [(Cow<'_, str>, Cow<'_, str>)]) {
    pairs.sort_unstable_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
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

/// Case-insensitive ASCII order of header names.
#[inline]
pub(crate) fn cmp_header_names(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    for i in 0..n {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// Byte classes, one bit each, looked up in [`CLASS`].
pub(crate) const TOKEN: u8 = 1;
/// A token byte that is not an upper-case letter, or `;` (a `SignedHeaders` byte).
pub(crate) const SIGNED_LIST: u8 = 2;
/// `0-9 a-f`.
pub(crate) const LOWER_HEX: u8 = 4;
/// Whitespace trimmed from header values: space, tab, LF, VT, FF, CR.
pub(crate) const SPACE: u8 = 8;
/// What the URL fast path takes as a host byte: `a-z 0-9 - . _ ~`.
const URL_HOST: u8 = 16;
/// Where the URL fast path stops in the path and query: `?`, `#`, space, controls, DEL.
const URL_STOP: u8 = 32;
/// AWS's unreserved bytes `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: u8 = 64;
/// Unreserved or `/`.
const UNRESERVED_SLASH: u8 = 128;

pub(crate) static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let token = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        let mut c = 0;
        if token {
            c |= TOKEN;
            if !b.is_ascii_uppercase() {
                c |= SIGNED_LIST;
            }
        }
        if b == b';' {
            c |= SIGNED_LIST;
        }
        if b.is_ascii_digit() || (b >= b'a' && b <= b'f') {
            c |= LOWER_HEX;
        }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c) {
            c |= SPACE;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            c |= URL_HOST;
        }
        if b == b'?' || b == b'#' || b <= b' ' || b == 0x7f {
            c |= URL_STOP;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            c |= UNRESERVED | UNRESERVED_SLASH;
        }
        if b == b'/' {
            c |= UNRESERVED_SLASH;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// The length of the prefix of `s` whose bytes are in `class`.
#[inline]
fn skip_class(s: &[u8], class: u8) -> usize {
    s.iter()
        .position(|&c| CLASS[c as usize] & class == 0)
        .unwrap_or(s.len())
}

/// The length of the prefix of `s` whose bytes are not in `class`.
#[inline]
fn skip_not_class(s: &[u8], class: u8) -> usize {
    s.iter()
        .position(|&c| CLASS[c as usize] & class != 0)
        .unwrap_or(s.len())
}

/// Whether every byte of `s` is `0-9 a-f` (branch-free, so the compiler vectorises it).
#[inline]
pub(crate) fn is_lower_hex(s: &[u8]) -> bool {
    s.iter().fold(true, |ok, &c| {
        ok & ((c.wrapping_sub(b'0') < 10) | (c.wrapping_sub(b'a') < 6))
    })
}

/// Whether every byte of `s` is in `class`.
#[inline]
pub(crate) fn all_in(s: &[u8], class: u8) -> bool {
    s.iter().fold(class, |acc, &b| acc & CLASS[b as usize]) & class == class
}

/// Whether some byte of `s` is in `class`.
#[inline]
pub(crate) fn any_in(s: &[u8], class: u8) -> bool {
    s.iter().fold(0, |acc, &b| acc | CLASS[b as usize]) & class != 0
}

pub(crate) fn is_token(name: &str) -> bool {
    !name.is_empty() && all_in(name.as_bytes(), TOKEN)
}

/// Whether `b` may hold a byte of [`SPACE`]: eight bytes at a time, true if some byte is below
/// `0x21` (every [`SPACE`] byte is).
#[inline]
pub(crate) fn maybe_space(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().unwrap_or_default());
        // Some byte < 0x21 (bit-twiddling "hasless"; exact on existence for n <= 128).
        if x.wrapping_sub(ONES * 0x21) & !x & (ONES * 0x80) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c <= b' ')
}

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

/// Writes the canonical headers block (`name:value\n` per name) into `out` and the
/// `SignedHeaders` list into `signed`. `headers` must be sorted with [`cmp_header_names`]
/// (stable, so repeated headers keep their order).
pub(crate) fn write_canonical_headers(
    out: &mut String,
    signed: &mut String,
    headers: &[(&str, &str)],
) {
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].0;
        if !signed.is_empty() {
            signed.push(';');
        }
        if name.bytes().any(|c| c.is_ascii_uppercase()) {
            let start = out.len();
            out.push_str(name);
            // Only ASCII letters change; the string stays valid UTF-8.
            let lower = out[start..].to_ascii_lowercase();
            out.truncate(start);
            out.push_str(&lower);
            signed.push_str(&lower);
        } else {
            out.push_str(name);
            signed.push_str(name);
        }
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

/// Writes the `SignedHeaders` list of `headers` (sorted with [`cmp_header_names`]) into `signed`.
pub(crate) fn write_signed_headers(signed: &mut String, headers: &[(&str, &str)]) {
    let mut prev: Option<&str> = None;
    for &(name, _) in headers {
        if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            continue;
        }
        if prev.is_some() {
            signed.push(';');
        }
        push_lower(signed, name);
        prev = Some(name);
    }
}

/// Writes the canonical headers block of `headers` (sorted with [`cmp_header_names`]).
pub(crate) fn write_header_block(out: &mut String, headers: &[(&str, &str)]) {
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].0;
        push_lower(out, name);
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

fn push_lower(out: &mut String, name: &str) {
    let start = out.len();
    out.push_str(name);
    if name.bytes().any(|c| c.is_ascii_uppercase()) {
        // Only ASCII letters change; the string stays valid UTF-8.
        out[start..].make_ascii_lowercase();
    }
}

pub(crate) fn validate_header(name: &str, value: &str) -> Result<(), Error> {
    if !is_token(name) {
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
    Ok(())
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

    proptest! {
        #[test]
        fn fast_url_parser_matches_general_random(
            url in "(https?|s3|x\\+y|h:t)://[a-zA-Z0-9.:@\\[\\]%_~ -]{0,12}[/?#]?[/?#a-z0-9% \t.=&]{0,16}"
        ) {
            check(&url);
        }
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;

    /// The table agrees with the rules it was built from, byte by byte.
    #[test]
    fn byte_classes() {
        for i in 0..=255u8 {
            let token = i.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&i);
            assert_eq!(all_in(&[i], TOKEN), token, "{i}");
            assert_eq!(
                all_in(&[i], SIGNED_LIST),
                (token && !i.is_ascii_uppercase()) || i == b';',
                "{i}"
            );
            assert_eq!(all_in(&[i], UNRESERVED), is_unreserved(i), "{i}");
            assert_eq!(
                all_in(&[i], UNRESERVED_SLASH),
                is_unreserved(i) || i == b'/',
                "{i}"
            );
            assert_eq!(
                is_lower_hex(&[b'0', i, b'f']),
                all_in(&[i], LOWER_HEX),
                "{i}"
            );
            assert_eq!(
                all_in(&[i], LOWER_HEX),
                i.is_ascii_digit() || (b'a'..=b'f').contains(&i),
                "{i}"
            );
            assert_eq!(
                any_in(&[b'x', i], SPACE),
                matches!(i, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c),
                "{i}"
            );
        }
        assert!(all_in(b"", TOKEN) && !any_in(b"", SPACE));
        // The eight-at-a-time prefilter never misses a byte below 0x21, at any position.
        for i in 0..=255u8 {
            for at in 0..19 {
                let mut v = [b'a'; 19];
                v[at] = i;
                assert_eq!(maybe_space(&v), i <= b' ', "{i} at {at}");
                assert_eq!(maybe_space(&v[..at + 1]), i <= b' ', "{i} at {at}");
            }
        }
    }
}
