//! Signing into the `Authorization` header, the [`Signer`], its settings and [`Timestamp`].
//!
//! Simplest use:
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, Signer, Timestamp};
//! let signer = Signer::new("us-east-1", "service")?;
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://example.amazonaws.com/")?;
//! let out = signer.sign(&req, &creds, Timestamp::parse_amz_date("20150830T123600Z")?)?;
//! assert_eq!(out.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! for (name, value) in &out.headers {
//!     // add `name: value` to the request: x-amz-date and authorization here
//! #   let _ = (name, value);
//! }
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::canonical::{
    PayloadHash, Request, cmp_header_names, hex32, push_hex32, query_pairs, sha256,
    uri_encode_into, validate_header, validate_method, write_canonical_headers,
    write_canonical_path, write_sorted_query,
};
use crate::chunked::ChunkSigner;
use crate::credentials::{Credentials, SigningKey, SigningKeyCache};
use crate::error::Error;
use crate::sha::HmacState;

/// The algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// A UTC instant with one-second precision (years 1970..=9999). The library never reads a
/// clock: pass the time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix: i64,
}

const MAX_UNIX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp as i64 + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of `days` since 1970-01-01; `days` is non-negative (the timestamp range),
/// so the arithmetic is unsigned 32-bit (divisions by constants become multiplications).
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn from_unix_seconds(seconds: i64) -> Result<Timestamp, Error> {
        if !(0..=MAX_UNIX).contains(&seconds) {
            return Err(Error::InvalidTimestamp {
                reason: "expected a time within 1970..=9999",
            });
        }
        Ok(Timestamp { unix: seconds })
    }

    /// Converts a `SystemTime` (sub-second part dropped). This does not read the clock.
    pub fn from_system_time(t: SystemTime) -> Result<Timestamp, Error> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::InvalidTimestamp {
                reason: "time before 1970",
            })?
            .as_secs();
        Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    fn from_parts(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Result<Timestamp, Error> {
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let dim = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if !(1970..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d == 0
            || d > dim[mo as usize - 1]
            || h > 23
            || mi > 59
            || s > 59
        {
            return Err(Error::InvalidTimestamp {
                reason: "date or time field out of range",
            });
        }
        let days = days_from_civil(y as i64, mo, d);
        Timestamp::from_unix_seconds(days * 86_400 + (h * 3600 + mi * 60 + s) as i64)
    }

    /// Parses the SigV4 form `yyyymmddThhmmssZ` (e.g. `20150830T123600Z`).
    pub fn parse_amz_date(s: &str) -> Result<Timestamp, Error> {
        let bad = Error::InvalidTimestamp {
            reason: "expected yyyymmddThhmmssZ",
        };
        let Ok(b) = <&[u8; 16]>::try_from(s.as_bytes()) else {
            return Err(bad);
        };
        // Digit values; a non-digit byte gives a value above 9 (wrapping subtraction).
        let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
        const DIGITS: [usize; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14];
        if b[8] != b'T' || b[15] != b'Z' || DIGITS.iter().fold(0, |m, &i| m.max(d(i))) > 9 {
            return Err(bad);
        }
        let two = |i: usize| d(i) * 10 + d(i + 1);
        Timestamp::from_parts(
            two(0) * 100 + two(2),
            two(4),
            two(6),
            two(9),
            two(11),
            two(13),
        )
    }

    /// Parses RFC 3339 UTC `yyyy-mm-ddThh:mm:ssZ` (fractional seconds are dropped).
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, Error> {
        let b = s.as_bytes();
        let bad = Error::InvalidTimestamp {
            reason: "expected yyyy-mm-ddThh:mm:ssZ",
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad);
        }
        let rest = &b[19..];
        let rest = if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(bad);
            }
            &rest[1 + n..]
        } else {
            rest
        };
        if rest != b"Z" && rest != b"z" {
            return Err(bad);
        }
        let f = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(bad.clone());
        Timestamp::from_parts(
            f(0..4)?,
            f(5..7)?,
            f(8..10)?,
            f(11..13)?,
            f(14..16)?,
            f(17..19)?,
        )
    }

    /// Parses an HTTP `Date` header (IMF-fixdate, e.g. `Sun, 30 Aug 2015 12:36:00 GMT`).
    pub fn parse_http_date(s: &str) -> Result<Timestamp, Error> {
        let b = s.as_bytes();
        let bad = Error::InvalidTimestamp {
            reason: "expected an IMF-fixdate such as Sun, 30 Aug 2015 12:36:00 GMT",
        };
        if b.len() != 29
            || &b[3..5] != b", "
            || &b[25..] != b" GMT"
            || b[7] != b' '
            || b[11] != b' '
            || b[16] != b' '
        {
            return Err(bad);
        }
        const MONTHS: [&[u8]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let mo = MONTHS
            .iter()
            .position(|m| *m == &b[8..11])
            .ok_or(bad.clone())? as u32
            + 1;
        let f = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(bad.clone());
        if b[19] != b':' || b[22] != b':' {
            return Err(bad);
        }
        Timestamp::from_parts(f(12..16)?, mo, f(5..7)?, f(17..19)?, f(20..22)?, f(23..25)?)
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix
    }

    /// `yyyymmddThhmmssZ` as bytes.
    pub(crate) fn amz_date_bytes(&self) -> [u8; 16] {
        // `unix` is within 0..=MAX_UNIX (checked on construction): the day count fits in u32.
        let unix = self.unix.clamp(0, MAX_UNIX) as u64;
        let days = (unix / 86_400) as u32;
        let secs = (unix % 86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        let two = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
        let (y1, y2) = (two(y / 100), two(y % 100));
        let (mo, dd) = (two(m), two(d));
        let (h, mi, s) = (two(secs / 3600), two(secs / 60 % 60), two(secs % 60));
        [
            y1[0], y1[1], y2[0], y2[1], mo[0], mo[1], dd[0], dd[1], b'T', h[0], h[1], mi[0], mi[1],
            s[0], s[1], b'Z',
        ]
    }

    /// `yyyymmddThhmmssZ`, as in `x-amz-date`.
    pub fn amz_date(&self) -> String {
        String::from_utf8_lossy(&self.amz_date_bytes()).into_owned()
    }

    /// `yyyymmdd`, as in the credential scope.
    pub fn date_stamp(&self) -> String {
        String::from_utf8_lossy(&self.amz_date_bytes()[..8]).into_owned()
    }
}

/// When the session token is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// Signed: part of the canonical request (the default).
    #[default]
    Signed,
    /// Added after the signature is computed, unsigned (some services want this; the official
    /// suite's `post-sts-header-after`).
    AddedAfterSigning,
}

/// The headers never signed by default.
pub const DEFAULT_EXCLUDED_HEADERS: [&str; 5] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "expect",
    "transfer-encoding",
];

/// Rules for canonicalising and signing. `Default` is the general AWS rule set;
/// [`SigningSettings::s3`] the S3 one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningSettings {
    /// Remove dot segments and empty segments from the path (default true; false for S3).
    pub normalize_path: bool,
    /// Percent-encode the (wire) path again (default true; false for S3).
    pub double_encode_path: bool,
    /// Send and sign `x-amz-content-sha256` with the payload hash (default false; true for S3).
    pub content_sha256_header: bool,
    /// Presigned URLs sign `UNSIGNED-PAYLOAD` whatever the payload (default false; true for S3).
    pub presign_unsigned_payload: bool,
    /// When the session token is added.
    pub session_token: SessionTokenMode,
    /// Header names (lower-case) never signed; default [`DEFAULT_EXCLUDED_HEADERS`].
    pub excluded_headers: Vec<Cow<'static, str>>,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            normalize_path: true,
            double_encode_path: true,
            content_sha256_header: false,
            presign_unsigned_payload: false,
            session_token: SessionTokenMode::Signed,
            excluded_headers: DEFAULT_EXCLUDED_HEADERS
                .iter()
                .map(|s| Cow::Borrowed(*s))
                .collect(),
        }
    }
}

impl SigningSettings {
    /// The S3 rules: no path normalisation, single encoding, `x-amz-content-sha256` sent,
    /// presigned URLs with `UNSIGNED-PAYLOAD`.
    pub fn s3() -> Self {
        SigningSettings {
            normalize_path: false,
            double_encode_path: false,
            content_sha256_header: true,
            presign_unsigned_payload: true,
            ..SigningSettings::default()
        }
    }

    pub(crate) fn is_excluded(&self, name: &str) -> bool {
        self.excluded_headers
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
    }
}

/// Everything a signing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningOutput {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, 64 lower-case hex digits.
    pub signature: String,
    /// `SignedHeaders` (`host;x-amz-date`).
    pub signed_headers: String,
    /// Headers to add to the request, lower-case names (header signing: `x-amz-date`,
    /// `x-amz-security-token`, `x-amz-content-sha256` as configured, then `authorization`;
    /// presigning: none).
    pub headers: Vec<(&'static str, String)>,
    /// Presigning: the presigned URL (`has_url`) or only its query; see [`SigningOutput::url`]
    /// and [`SigningOutput::query`].
    presigned: Option<String>,
    /// Where the query starts in `presigned`.
    query_at: usize,
    has_url: bool,
}

impl SigningOutput {
    pub(crate) fn new(
        canonical_request: String,
        string_to_sign: String,
        signature: String,
        signed_headers: String,
        headers: Vec<(&'static str, String)>,
    ) -> SigningOutput {
        SigningOutput {
            canonical_request,
            string_to_sign,
            signature,
            signed_headers,
            headers,
            presigned: None,
            query_at: 0,
            has_url: false,
        }
    }

    pub(crate) fn set_presigned(&mut self, presigned: String, query_at: usize, has_url: bool) {
        self.presigned = Some(presigned);
        self.query_at = query_at;
        self.has_url = has_url;
    }

    /// Presigning: the presigned URL, when the request knows its scheme and host.
    pub fn url(&self) -> Option<&str> {
        self.presigned.as_deref().filter(|_| self.has_url)
    }

    /// Presigning: the presigned URL as an owned `String` (see [`SigningOutput::url`]).
    pub fn into_url(self) -> Option<String> {
        if self.has_url { self.presigned } else { None }
    }

    /// Presigning: the full query string to send (without `?`), the request's own parameters and
    /// the `X-Amz-*` ones, ending with `X-Amz-Signature`.
    pub fn query(&self) -> Option<&str> {
        self.presigned
            .as_deref()
            .and_then(|p| p.get(self.query_at..))
    }
}

pub(crate) fn validate_scope_part(s: &str, part: &'static str) -> Result<(), Error> {
    if s.is_empty()
        || s.bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(Error::InvalidScopePart { part });
    }
    Ok(())
}

/// Signs requests for one region and service with a [`SigningKeyCache`].
#[derive(Debug)]
pub struct Signer {
    region: String,
    service: String,
    /// `%2F{region}%2F{service}%2Faws4_request`: the end of a presigned URL's encoded
    /// `X-Amz-Credential`, written once here.
    credential_tail: String,
    settings: SigningSettings,
    cache: SigningKeyCache,
}

/// The common input of a canonical request.
pub(crate) struct CanonicalInput<'r, 'a> {
    pub(crate) method: &'r str,
    pub(crate) path: &'r str,
    pub(crate) normalize: bool,
    pub(crate) double_encode: bool,
    pub(crate) query_pairs: &'r mut [(Cow<'a, str>, Cow<'a, str>)],
    /// Sorted with `cmp_header_names`.
    pub(crate) headers: &'r [(&'a str, &'a str)],
    pub(crate) payload_hash: &'r str,
}

/// Writes the canonical request; returns the `SignedHeaders` list.
pub(crate) fn write_canonical_request(
    out: &mut String,
    signed: &mut String,
    input: CanonicalInput<'_, '_>,
) {
    out.push_str(input.method);
    out.push('\n');
    write_canonical_path(out, input.path, input.normalize, input.double_encode);
    out.push('\n');
    write_sorted_query(out, input.query_pairs);
    out.push('\n');
    write_canonical_headers(out, signed, input.headers);
    out.push('\n');
    out.push_str(signed);
    out.push('\n');
    out.push_str(input.payload_hash);
}

/// The credential scope `date/region/service/aws4_request`, written where it is needed.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s> {
    pub(crate) date: &'s str,
    pub(crate) region: &'s str,
    pub(crate) service: &'s str,
}

impl Scope<'_> {
    pub(crate) fn len(&self) -> usize {
        self.date.len() + 1 + self.region.len() + 1 + self.service.len() + 13
    }

    pub(crate) fn push_to(&self, out: &mut String) {
        out.push_str(self.date);
        out.push('/');
        out.push_str(self.region);
        out.push('/');
        out.push_str(self.service);
        out.push_str("/aws4_request");
    }

    pub(crate) fn owned(self) -> String {
        let mut s = String::with_capacity(self.len());
        self.push_to(&mut s);
        s
    }
}

/// The string to sign's first three lines, with room for the hash.
pub(crate) fn sts_head(amz_date: &str, scope: Scope<'_>) -> String {
    let mut sts = String::with_capacity(16 + 1 + 16 + 1 + scope.len() + 1 + 64);
    sts.push_str(ALGORITHM);
    sts.push('\n');
    sts.push_str(amz_date);
    sts.push('\n');
    scope.push_to(&mut sts);
    sts.push('\n');
    sts
}

/// The hex signature alone, from the keyed HMAC that has absorbed the string to sign's first
/// three lines (see [`sts_head`]).
pub(crate) fn signature_hex(prefix: &HmacState, canonical_request: &str) -> [u8; 64] {
    hex32(&prefix.finalize_with(&hex32(&sha256(canonical_request.as_bytes()))))
}

pub(crate) fn scope_string(date: &str, region: &str, service: &str) -> String {
    Scope {
        date,
        region,
        service,
    }
    .owned()
}

const INLINE_HEADERS: usize = 12;

/// Header pairs: on the stack up to `N`, then in a `Vec`.
#[derive(Clone)]
pub(crate) struct HeaderBuf<'a, const N: usize = INLINE_HEADERS> {
    inline: [(&'a str, &'a str); N],
    len: usize,
    spill: Vec<(&'a str, &'a str)>,
}

impl<'a, const N: usize> HeaderBuf<'a, N> {
    pub(crate) fn new() -> Self {
        HeaderBuf {
            inline: [("", ""); N],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, h: (&'a str, &'a str)) {
        if self.spill.is_empty() {
            if self.len < N {
                self.inline[self.len] = h;
                self.len += 1;
                return;
            }
            self.spill.reserve(N.max(4) * 2);
            self.spill.extend_from_slice(&self.inline);
        }
        self.spill.push(h);
    }

    pub(crate) fn as_slice(&self) -> &[(&'a str, &'a str)] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    /// Stable sort with [`cmp_header_names`] (repeated names keep their order).
    pub(crate) fn sort(&mut self) {
        let s = if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill[..]
        };
        if !s.is_sorted_by(|a, b| cmp_header_names(a.0, b.0) != std::cmp::Ordering::Greater) {
            s.sort_by(|a, b| cmp_header_names(a.0, b.0));
        }
    }
}

impl<const N: usize> std::fmt::Debug for HeaderBuf<'_, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl Signer {
    /// A signer with the general AWS rules ([`SigningSettings::default`]).
    pub fn new(region: &str, service: &str) -> Result<Signer, Error> {
        Signer::with_settings(region, service, SigningSettings::default())
    }

    /// A signer with the S3 rules ([`SigningSettings::s3`]) for service `s3`.
    pub fn s3(region: &str) -> Result<Signer, Error> {
        Signer::with_settings(region, "s3", SigningSettings::s3())
    }

    /// A signer with explicit settings.
    pub fn with_settings(
        region: &str,
        service: &str,
        settings: SigningSettings,
    ) -> Result<Signer, Error> {
        validate_scope_part(region, "region")?;
        validate_scope_part(service, "service")?;
        let mut credential_tail = String::with_capacity(3 * region.len() + 3 * service.len() + 21);
        for part in [region, service] {
            credential_tail.push_str("%2F");
            push_encoded(&mut credential_tail, part);
        }
        credential_tail.push_str("%2Faws4_request");
        Ok(Signer {
            region: region.to_owned(),
            service: service.to_owned(),
            credential_tail,
            settings,
            cache: SigningKeyCache::default(),
        })
    }

    /// `%2F{region}%2F{service}%2Faws4_request`.
    pub(crate) fn credential_tail(&self) -> &str {
        &self.credential_tail
    }

    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.settings
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The (cached) signing key for `credentials` on the day of `time`.
    pub fn signing_key(&self, credentials: &Credentials, time: Timestamp) -> SigningKey {
        let d = time.amz_date_bytes();
        let date = std::str::from_utf8(&d[..8]).unwrap_or_default();
        self.cache.get(
            credentials.secret_access_key(),
            date,
            &self.region,
            &self.service,
        )
    }

    /// Completes the string to sign `sts` (from [`sts_head`] for `amz_date`) with the canonical
    /// request's hash and returns the signature hex, continuing the cached keyed HMAC of `sts`'s
    /// head in place (no copy of the keyed state leaves the cache).
    pub(crate) fn finish_sts(
        &self,
        credentials: &Credentials,
        amz_date: &[u8; 16],
        sts: &mut String,
        canonical_request_hash: &[u8; 32],
    ) -> String {
        let mut hash = const_hex::Buffer::<32>::new();
        let hash = hash.format(canonical_request_hash);
        // `sts` holds exactly the head here: absorbed as it is when this second is new.
        let sig = self.cache.with_key_and_sts_prefix(
            credentials.secret_access_key(),
            amz_date,
            &self.region,
            &self.service,
            Some(sts.as_bytes()),
            |_, prefix| prefix.finalize_with(hash.as_bytes()),
        );
        sts.push_str(hash);
        let mut signature = String::with_capacity(64);
        push_hex32(&mut signature, &sig);
        signature
    }

    /// Collects the headers to sign (request headers minus excluded and `replaced` ones, plus the
    /// host when the request has no `host` header), unsorted.
    fn collect_headers<'a>(
        &self,
        req: &'a Request<'_>,
        replaced: &[&str],
        out: &mut HeaderBuf<'a>,
    ) -> Result<(), Error> {
        let mut has_host = false;
        for &(n, v) in req.headers() {
            validate_header(n, v)?;
            if self.settings.is_excluded(n) || replaced.iter().any(|r| r.eq_ignore_ascii_case(n)) {
                continue;
            }
            has_host |= n.eq_ignore_ascii_case("host");
            out.push((n, v));
        }
        if !has_host {
            out.push(("host", req.host().ok_or(Error::MissingHost)?));
        }
        Ok(())
    }

    /// Signs into the `Authorization` header: returns the canonical request, string to sign,
    /// signature and the headers to add.
    pub fn sign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
    ) -> Result<SigningOutput, Error> {
        validate_method(req.method())?;
        let payload = PayloadHash::from_payload(req.payload_ref())?;
        let payload = payload.as_str();
        let amz_bytes = time.amz_date_bytes();
        let amz = std::str::from_utf8(&amz_bytes).unwrap_or_default();
        let date = &amz[..8];
        let token = credentials.session_token();
        let sign_token = token.filter(|_| self.settings.session_token == SessionTokenMode::Signed);

        let mut headers = HeaderBuf::new();
        let replaced: &[&str] = match (sign_token.is_some(), self.settings.content_sha256_header) {
            (false, false) => &["x-amz-date"],
            (true, false) => &["x-amz-date", "x-amz-security-token"],
            (false, true) => &["x-amz-date", "x-amz-content-sha256"],
            (true, true) => &["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"],
        };
        self.collect_headers(req, replaced, &mut headers)?;
        headers.push(("x-amz-date", amz));
        if let Some(t) = sign_token {
            headers.push(("x-amz-security-token", t));
        }
        if self.settings.content_sha256_header {
            headers.push(("x-amz-content-sha256", payload));
        }
        headers.sort();
        let headers = headers.as_slice();

        let mut pairs = Vec::new();
        query_pairs(req.query(), &mut pairs);

        let mut cr = String::with_capacity(
            256 + req.path().len() * 2
                + req.query().len() * 2
                + headers
                    .iter()
                    .map(|h| h.0.len() + h.1.len() + 2)
                    .sum::<usize>()
                    * 2,
        );
        let mut signed = String::with_capacity(64);
        write_canonical_request(
            &mut cr,
            &mut signed,
            CanonicalInput {
                method: req.method(),
                path: req.path(),
                normalize: self.settings.normalize_path,
                double_encode: self.settings.double_encode_path,
                query_pairs: &mut pairs,
                headers,
                payload_hash: payload,
            },
        );
        let scope = Scope {
            date,
            region: &self.region,
            service: &self.service,
        };
        let hash = sha256(cr.as_bytes());

        // Built while the hash above completes.
        let mut sts = sts_head(amz, scope);
        let mut authz = String::with_capacity(
            28 + credentials.access_key_id().len() + 1 + scope.len() + 16 + signed.len() + 12 + 64,
        );
        authz.push_str("AWS4-HMAC-SHA256 Credential=");
        authz.push_str(credentials.access_key_id());
        authz.push('/');
        scope.push_to(&mut authz);
        authz.push_str(", SignedHeaders=");
        authz.push_str(&signed);
        authz.push_str(", Signature=");
        let mut out_headers = Vec::with_capacity(4);
        out_headers.push(("x-amz-date", amz.to_owned()));
        if let Some(t) = token {
            out_headers.push(("x-amz-security-token", t.to_owned()));
        }
        if self.settings.content_sha256_header {
            out_headers.push(("x-amz-content-sha256", payload.to_owned()));
        }

        let signature = self.finish_sts(credentials, &amz_bytes, &mut sts, &hash);
        authz.push_str(&signature);
        out_headers.push(("authorization", authz));
        Ok(SigningOutput::new(cr, sts, signature, signed, out_headers))
    }

    /// Presigns: the `X-Amz-*` parameters go in the query (`X-Amz-Expires` = `expires_seconds`,
    /// 1..=604800). Returns the signed query and, when the request knows its scheme and host, the URL.
    pub fn presign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
        expires_seconds: u64,
    ) -> Result<SigningOutput, Error> {
        crate::presign::presign(self, req, credentials, time, expires_seconds)
    }

    pub(crate) fn collect_presign_headers<'a>(
        &self,
        req: &'a Request<'_>,
        out: &mut HeaderBuf<'a>,
    ) -> Result<(), Error> {
        self.collect_headers(req, &[], out)
    }

    /// A [`ChunkSigner`] for an aws-chunked body whose request was signed with `seed_signature`
    /// (the `signature` of [`Signer::sign`] with a `Payload::Streaming*` payload).
    pub fn chunk_signer(
        &self,
        credentials: &Credentials,
        time: Timestamp,
        seed_signature: &str,
    ) -> Result<ChunkSigner, Error> {
        let key = self.signing_key(credentials, time);
        let scope = scope_string(&time.date_stamp(), &self.region, &self.service);
        ChunkSigner::new(key, time, &scope, seed_signature)
    }

    /// Signs an [`http::Request`] in place: adds `x-amz-date`, `authorization` and, as
    /// configured, `x-amz-security-token` and `x-amz-content-sha256`. The path and query are taken
    /// from the URI as they are (wire form); the host from the `host` header or the URI authority.
    #[cfg(feature = "http")]
    pub fn sign_http<B>(
        &self,
        request: &mut http::Request<B>,
        payload: crate::canonical::Payload<'_>,
        credentials: &Credentials,
        time: Timestamp,
    ) -> Result<SigningOutput, Error> {
        let out = {
            let uri = request.uri();
            let path = uri.path();
            let query = uri.query().unwrap_or("");
            let mut r = Request::new(request.method().as_str(), path, query).payload(payload);
            let host_owned;
            if let Some(a) = uri.authority() {
                let default = match uri.scheme_str() {
                    Some("http") => Some(80),
                    Some("https") => Some(443),
                    _ => None,
                };
                host_owned = match a.port_u16() {
                    Some(p) if Some(p) != default => {
                        format!("{}:{}", a.host().to_ascii_lowercase(), p)
                    }
                    _ => a.host().to_ascii_lowercase(),
                };
                r = r.with_host(&host_owned);
            }
            for (name, value) in request.headers() {
                let v = value.to_str().map_err(|_| Error::InvalidHeader {
                    name: name.as_str().to_owned(),
                    reason: "value is not visible ASCII",
                })?;
                r.push_header(name.as_str(), v);
            }
            self.sign(&r, credentials, time)?
        };
        for (name, value) in &out.headers {
            let v = http::HeaderValue::from_str(value).map_err(|_| Error::InvalidHeader {
                name: (*name).to_owned(),
                reason: "cannot be a header value",
            })?;
            request.headers_mut().insert(*name, v);
        }
        Ok(out)
    }
}

pub(crate) fn push_encoded(out: &mut String, s: &str) {
    uri_encode_into(out, s, true);
}

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn amz_date_round_trips_across_the_range() {
        let mut t: i64 = 0;
        let mut step: i64 = 1;
        while t <= MAX_UNIX {
            let ts = Timestamp::from_unix_seconds(t).unwrap_or_else(|e| panic!("{e}"));
            let s = ts.amz_date();
            assert_eq!(Timestamp::parse_amz_date(&s), Ok(ts), "{s}");
            t += step;
            step = step * 3 + 7;
        }
        let last = Timestamp::from_unix_seconds(MAX_UNIX).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last.amz_date(), "99991231T235959Z");
        let first = Timestamp::from_unix_seconds(0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.amz_date(), "19700101T000000Z");
    }

    /// The digit check of `parse_amz_date` works on wrapped byte values: every byte that is not
    /// `0-9`, at every digit position, must still be refused.
    #[test]
    fn parse_amz_date_refuses_every_non_digit() {
        let good = *b"20150830T123600Z";
        assert!(Timestamp::parse_amz_date("20150830T123600Z").is_ok());
        for at in (0..16).filter(|&i| i != 8 && i != 15) {
            for byte in (0u8..=0x7f).filter(|b| !b.is_ascii_digit()) {
                let mut s = good;
                s[at] = byte;
                let s = String::from_utf8_lossy(&s).into_owned();
                assert!(Timestamp::parse_amz_date(&s).is_err(), "{s:?}");
            }
        }
        for bad in [
            "20150830 123600Z",
            "20150830T123600z",
            "20150830T123600",
            "20150830T1236000Z",
        ] {
            assert!(Timestamp::parse_amz_date(bad).is_err(), "{bad}");
        }
    }
}
