//! Server side: verify a signed request (`Authorization` header or presigned URL).
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, Signer, Timestamp, Verifier};
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::parse_amz_date("20150830T123600Z")?;
//! // client
//! let req = Request::from_url("GET", "https://example.amazonaws.com/?a=1")?;
//! let out = Signer::new("us-east-1", "service")?.sign(&req, &creds, now)?;
//! // server: the request as received, headers included
//! let mut received = Request::new("GET", "/", "a=1").header("host", "example.amazonaws.com");
//! for (n, v) in &out.headers {
//!     received.push_header(n, v);
//! }
//! let verifier = Verifier::new("us-east-1", "service")?;
//! let ok = verifier.verify(&received, now, |akid| (akid == "AKIDEXAMPLE").then(|| creds.clone()))?;
//! assert_eq!(ok.access_key_id(), "AKIDEXAMPLE");
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::{Borrow, Cow};

use crate::canonical::{
    PayloadHash, Request, SIGNED_LIST, UNSIGNED_PAYLOAD, all_in, is_lower_hex, percent_decode,
    push_trimmed, query_pairs, write_canonical_path, write_sorted_query,
};
use crate::chunked::ChunkVerifier;
use crate::credentials::{Credentials, SigningKey, SigningKeyCache};
use crate::error::Error;
use crate::presign::MAX_EXPIRES;
use crate::sign::{
    ALGORITHM, Scope, SigningSettings, Timestamp, signature_hex, validate_scope_part,
};

/// The parts of an `Authorization` header or of presigned query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuth<'a> {
    /// Access key ID.
    pub access_key_id: Cow<'a, str>,
    /// Scope date, `yyyymmdd`.
    pub date: Cow<'a, str>,
    /// Scope region.
    pub region: Cow<'a, str>,
    /// Scope service.
    pub service: Cow<'a, str>,
    /// `SignedHeaders`, `;`-separated.
    pub signed_headers: Cow<'a, str>,
    /// The signature (64 hex digits).
    pub signature: Cow<'a, str>,
    /// Presigned: `X-Amz-Date`.
    pub amz_date: Option<Cow<'a, str>>,
    /// Presigned: `X-Amz-Expires`.
    pub expires: Option<u64>,
}

fn parse_credential<'a>(cred: Cow<'a, str>) -> Result<[Cow<'a, str>; 4], Error> {
    let bad = |reason| Error::MalformedCredentialScope { reason };
    let split = |c: &str| -> Result<[(usize, usize); 4], Error> {
        let mut it = c.splitn(6, '/');
        let mut spans = [(0usize, 0usize); 4];
        let base = c.as_ptr() as usize;
        for span in &mut spans {
            let part = it.next().ok_or(bad("expected 5 '/'-separated parts"))?;
            let start = part.as_ptr() as usize - base;
            *span = (start, start + part.len());
        }
        match (it.next(), it.next()) {
            (Some("aws4_request"), None) => {}
            (Some(_), None) => return Err(bad("last part must be aws4_request")),
            _ => return Err(bad("expected 5 '/'-separated parts")),
        }
        let part = |i: usize| &c[spans[i].0..spans[i].1];
        if part(0).is_empty() {
            return Err(bad("empty access key ID"));
        }
        if part(1).len() != 8 || !part(1).bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("date must be yyyymmdd"));
        }
        if part(2).is_empty() || part(3).is_empty() {
            return Err(bad("empty region or service"));
        }
        Ok(spans)
    };
    let spans = split(&cred)?;
    Ok(match cred {
        Cow::Borrowed(c) => spans.map(|(a, b)| Cow::Borrowed(&c[a..b])),
        Cow::Owned(c) => spans.map(|(a, b)| Cow::Owned(c[a..b].to_owned())),
    })
}

fn check_signature_syntax(sig: &str) -> Result<(), Error> {
    if sig.len() != 64 || !is_lower_hex(sig.as_bytes()) {
        return Err(Error::MalformedAuthorization {
            reason: "Signature must be 64 lower-case hex digits",
        });
    }
    Ok(())
}

/// Checks a `SignedHeaders` list (lower-case names, sorted, no repeats) and notes which of the
/// headers the verifier cares about it names, in one pass.
fn check_signed_headers(list: &str) -> Result<SignedFlags, Error> {
    let b = list.as_bytes();
    if b.is_empty() {
        return Err(Error::MalformedAuthorization {
            reason: "SignedHeaders is empty",
        });
    }
    let bad_name = Error::MalformedAuthorization {
        reason: "SignedHeaders must be lower-case header names separated by ';'",
    };
    if !all_in(b, SIGNED_LIST) {
        return Err(bad_name);
    }
    // Each name strictly after the one before it (byte order): an inline comparison, as the
    // names are short.
    let mut flags = SignedFlags::default();
    let mut prev: &[u8] = &[];
    for name in b.split(|&c| c == b';') {
        if name.is_empty() {
            return Err(bad_name);
        }
        if !prev.is_empty() && !bytes_less(prev, name) {
            return Err(Error::MalformedAuthorization {
                reason: "SignedHeaders must be sorted and without repeats",
            });
        }
        match name {
            b"host" => flags.host = true,
            b"date" => flags.date = true,
            b"x-amz-date" => flags.amz_date = true,
            b"x-amz-content-sha256" => flags.content_sha = true,
            _ => {}
        }
        prev = name;
    }
    Ok(flags)
}

/// `a < b` in byte order, without a `memcmp` call.
fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    a.len() < b.len()
}

/// The index of the first `needle` in `b`, eight bytes at a time (no `memchr` set-up: the
/// strings searched here are short).
fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let pattern = ONES * u64::from(needle);
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default()) ^ pattern;
        // The lowest flagged byte is the first zero byte of `x` (higher flags may be false).
        let zero = x.wrapping_sub(ONES) & !x & (ONES * 0x80);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == needle)
        .map(|i| at + i)
}

/// Parses an `Authorization` header value
/// (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`).
pub fn parse_authorization(value: &str) -> Result<ParsedAuth<'_>, Error> {
    parse_authorization_flags(value).map(|(p, _)| p)
}

fn parse_authorization_flags(value: &str) -> Result<(ParsedAuth<'_>, SignedFlags), Error> {
    match parse_authorization_fast(value) {
        Some(p) => Ok(p),
        None => parse_authorization_general(value),
    }
}

/// One pass over the exact form signers write
/// (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, nothing to trim, every check
/// passing); `None` sends everything else to [`parse_authorization_general`], which gives the
/// same result on this form.
fn parse_authorization_fast(value: &str) -> Option<(ParsedAuth<'_>, SignedFlags)> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 Credential=")?;
    let b = rest.as_bytes();
    // The credential: up to the first ',', no byte at or below space, four '/' then
    // `aws4_request` (byte loops: `str::find` costs more on strings this short).
    let i = find_byte(b, b',')?;
    if crate::canonical::maybe_space(&b[..i]) {
        return None;
    }
    let mut slashes = [0usize; 4];
    let mut from = 0;
    for slash in &mut slashes {
        *slash = from + find_byte(&b[from..i], b'/')?;
        from = *slash + 1;
    }
    if &b[from..i] != b"aws4_request" {
        return None;
    }
    let cred = &rest[..i];
    let (akid, date) = (&cred[..slashes[0]], &cred[slashes[0] + 1..slashes[1]]);
    let region = &cred[slashes[1] + 1..slashes[2]];
    let service = &cred[slashes[2] + 1..slashes[3]];
    if akid.is_empty()
        || region.is_empty()
        || service.is_empty()
        || date.len() != 8
        || !date.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let rest = rest[i..].strip_prefix(", SignedHeaders=")?;
    let end = find_byte(rest.as_bytes(), b',')?;
    let signed = &rest[..end];
    let sig = rest[end..].strip_prefix(", Signature=")?;
    check_signature_syntax(sig).ok()?;
    let flags = check_signed_headers(signed).ok()?;
    Some((
        ParsedAuth {
            access_key_id: Cow::Borrowed(akid),
            date: Cow::Borrowed(date),
            region: Cow::Borrowed(region),
            service: Cow::Borrowed(service),
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(sig),
            amz_date: None,
            expires: None,
        },
        flags,
    ))
}

fn parse_authorization_general(value: &str) -> Result<(ParsedAuth<'_>, SignedFlags), Error> {
    let value = value.trim();
    let (alg, rest) = value.split_once(' ').ok_or(Error::MalformedAuthorization {
        reason: "expected 'AWS4-HMAC-SHA256 Credential=…'",
    })?;
    if alg != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm);
    }
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or(Error::MalformedAuthorization {
            reason: "expected Key=Value components separated by ','",
        })?;
        let slot = match k {
            "Credential" => &mut cred,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => {
                return Err(Error::MalformedAuthorization {
                    reason: "unknown component (expected Credential, SignedHeaders, Signature)",
                });
            }
        };
        if slot.replace(v).is_some() {
            return Err(Error::MalformedAuthorization {
                reason: "repeated component",
            });
        }
    }
    let cred = cred.ok_or(Error::MalformedAuthorization {
        reason: "missing Credential",
    })?;
    let signed = signed.ok_or(Error::MalformedAuthorization {
        reason: "missing SignedHeaders",
    })?;
    let sig = sig.ok_or(Error::MalformedAuthorization {
        reason: "missing Signature",
    })?;
    check_signature_syntax(sig)?;
    let flags = check_signed_headers(signed)?;
    let [akid, date, region, service] = parse_credential(Cow::Borrowed(cred))?;
    Ok((
        ParsedAuth {
            access_key_id: akid,
            date,
            region,
            service,
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(sig),
            amz_date: None,
            expires: None,
        },
        flags,
    ))
}

fn decode_str(s: &str) -> Result<Cow<'_, str>, Error> {
    if !s.contains('%') {
        return Ok(Cow::Borrowed(s));
    }
    String::from_utf8(percent_decode(s))
        .map(Cow::Owned)
        .map_err(|_| Error::MalformedAuthorization {
            reason: "query parameter is not UTF-8",
        })
}

/// Parses the `X-Amz-*` parameters of a presigned wire query.
pub fn parse_presigned_query(query: &str) -> Result<ParsedAuth<'_>, Error> {
    parse_presigned_query_flags(query).map(|(p, _)| p)
}

fn parse_presigned_query_flags(query: &str) -> Result<(ParsedAuth<'_>, SignedFlags), Error> {
    let (mut alg, mut cred, mut date, mut exp, mut signed, mut sig) =
        (None, None, None, None, None, None);
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let slot = match k {
            "X-Amz-Algorithm" => &mut alg,
            "X-Amz-Credential" => &mut cred,
            "X-Amz-Date" => &mut date,
            "X-Amz-Expires" => &mut exp,
            "X-Amz-SignedHeaders" => &mut signed,
            "X-Amz-Signature" => &mut sig,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(Error::MalformedAuthorization {
                reason: "repeated X-Amz-* parameter",
            });
        }
    }
    let missing = |what| Error::MalformedAuthorization { reason: what };
    let alg = alg.ok_or(missing("missing X-Amz-Algorithm"))?;
    if decode_str(alg)? != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm);
    }
    let cred = decode_str(cred.ok_or(missing("missing X-Amz-Credential"))?)?;
    let date = decode_str(date.ok_or(missing("missing X-Amz-Date"))?)?;
    let exp = exp.ok_or(missing("missing X-Amz-Expires"))?;
    let signed = decode_str(signed.ok_or(missing("missing X-Amz-SignedHeaders"))?)?;
    let sig = decode_str(sig.ok_or(missing("missing X-Amz-Signature"))?)?;
    if exp.is_empty() || exp.len() > 7 || !exp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(missing("X-Amz-Expires must be a number of seconds"));
    }
    let expires: u64 = exp
        .parse()
        .map_err(|_| missing("X-Amz-Expires must be a number of seconds"))?;
    if !(1..=MAX_EXPIRES).contains(&expires) {
        return Err(Error::InvalidExpires { seconds: expires });
    }
    check_signature_syntax(&sig)?;
    let flags = check_signed_headers(&signed)?;
    let [akid, d, region, service] = parse_credential(cred)?;
    Ok((
        ParsedAuth {
            access_key_id: akid,
            date: d,
            region,
            service,
            signed_headers: signed,
            signature: sig,
            amz_date: Some(date),
            expires: Some(expires),
        },
        flags,
    ))
}

/// What a successful verification established. `Debug` leaves the signing key out.
#[derive(Clone)]
pub struct Verified {
    /// `access_key_id/scope`: the credential as signed.
    credential: String,
    access_key_id_len: usize,
    time: Timestamp,
    signature: [u8; 64],
    presigned: bool,
    payload_hash: PayloadHash,
    key: zeroize::Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id())
            .field("time", &self.time)
            .field("scope", &self.scope())
            .field("presigned", &self.presigned)
            .field("payload_hash", &self.payload_hash())
            .finish_non_exhaustive()
    }
}

impl Verified {
    /// The access key ID that signed.
    pub fn access_key_id(&self) -> &str {
        &self.credential[..self.access_key_id_len]
    }
    fn scope(&self) -> &str {
        &self.credential[self.access_key_id_len + 1..]
    }
    /// The request time.
    pub fn time(&self) -> Timestamp {
        self.time
    }
    /// Whether the request was presigned (query parameters) rather than header-signed.
    pub fn is_presigned(&self) -> bool {
        self.presigned
    }
    /// The signed payload hash (or `UNSIGNED-PAYLOAD` / a `STREAMING-*` constant).
    pub fn payload_hash(&self) -> &str {
        self.payload_hash.as_str()
    }
    /// A verifier for the aws-chunked body that follows (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD*`).
    pub fn chunk_verifier(&self) -> Result<ChunkVerifier, Error> {
        ChunkVerifier::new(
            SigningKey::from_bytes(*self.key),
            self.time,
            self.scope(),
            std::str::from_utf8(&self.signature).unwrap_or_default(),
        )
    }
}

/// The first value of each header the verifier looks at, found in one pass.
#[derive(Default)]
struct Special<'a> {
    authorization: Option<&'a str>,
    amz_date: Option<&'a str>,
    date: Option<&'a str>,
    content_sha: Option<&'a str>,
    has_host: bool,
}

impl<'a> Special<'a> {
    fn of(req: &Request<'a>) -> Self {
        let mut s = Special::default();
        for &(n, v) in req.headers() {
            let slot = match n.len() {
                4 if n.eq_ignore_ascii_case("host") => {
                    s.has_host = true;
                    continue;
                }
                4 if n.eq_ignore_ascii_case("date") => &mut s.date,
                10 if n.eq_ignore_ascii_case("x-amz-date") => &mut s.amz_date,
                13 if n.eq_ignore_ascii_case("authorization") => &mut s.authorization,
                20 if n.eq_ignore_ascii_case("x-amz-content-sha256") => &mut s.content_sha,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v);
            }
        }
        s
    }
}

/// The names of a `SignedHeaders` list (a byte loop: no `memchr` set-up for short lists).
fn list_names(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(list);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == b';') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Which of the headers the verifier cares about are signed.
#[derive(Debug, Default, PartialEq)]
struct SignedFlags {
    host: bool,
    amz_date: bool,
    date: bool,
    content_sha: bool,
}

/// Verifies signed requests for one region and service.
#[derive(Debug)]
pub struct Verifier {
    region: String,
    service: String,
    settings: SigningSettings,
    max_skew: u64,
    cache: SigningKeyCache,
}

/// The default clock-skew allowance: 15 minutes.
pub const DEFAULT_MAX_SKEW_SECONDS: u64 = 15 * 60;

impl Verifier {
    /// A verifier with the general AWS rules.
    pub fn new(region: &str, service: &str) -> Result<Verifier, Error> {
        Verifier::with_settings(region, service, SigningSettings::default())
    }

    /// A verifier with the S3 rules for service `s3` (`x-amz-content-sha256` must be signed).
    pub fn s3(region: &str) -> Result<Verifier, Error> {
        Verifier::with_settings(region, "s3", SigningSettings::s3())
    }

    /// A verifier with explicit canonicalisation settings.
    pub fn with_settings(
        region: &str,
        service: &str,
        settings: SigningSettings,
    ) -> Result<Verifier, Error> {
        validate_scope_part(region, "region")?;
        validate_scope_part(service, "service")?;
        Ok(Verifier {
            region: region.to_owned(),
            service: service.to_owned(),
            settings,
            max_skew: DEFAULT_MAX_SKEW_SECONDS,
            cache: SigningKeyCache::default(),
        })
    }

    /// Sets the clock-skew allowance in seconds (default 900).
    pub fn max_clock_skew(mut self, seconds: u64) -> Verifier {
        self.max_skew = seconds;
        self
    }

    /// Verifies `req` (as received: wire path and query, every header, the body or its hash as
    /// payload). `lookup` returns the credentials of an access key ID (owned, `&Credentials`, `Arc<Credentials>`…). `now` is the server's time.
    pub fn verify<F, C>(
        &self,
        req: &Request<'_>,
        now: Timestamp,
        lookup: F,
    ) -> Result<Verified, Error>
    where
        F: FnOnce(&str) -> Option<C>,
        C: Borrow<Credentials>,
    {
        let special = Special::of(req);
        if let Some(authz) = special.authorization {
            let parsed = parse_authorization_flags(authz)?;
            self.verify_parsed(req, now, lookup, parsed, false, &special)
        } else if req
            .query()
            .split('&')
            .any(|p| p.starts_with("X-Amz-Signature=") || p.starts_with("X-Amz-Algorithm="))
        {
            let parsed = parse_presigned_query_flags(req.query())?;
            self.verify_parsed(req, now, lookup, parsed, true, &special)
        } else {
            Err(Error::MissingAuthorization)
        }
    }

    fn verify_parsed<F, C>(
        &self,
        req: &Request<'_>,
        now: Timestamp,
        lookup: F,
        (p, flags): (ParsedAuth<'_>, SignedFlags),
        presigned: bool,
        special: &Special<'_>,
    ) -> Result<Verified, Error>
    where
        F: FnOnce(&str) -> Option<C>,
        C: Borrow<Credentials>,
    {
        if p.region != self.region {
            return Err(Error::ScopeMismatch { part: "region" });
        }
        if p.service != self.service {
            return Err(Error::ScopeMismatch { part: "service" });
        }
        // Validated by the parser: lower-case names, sorted, no repeats.
        let signed_list = &*p.signed_headers;
        if !flags.host {
            return Err(Error::MissingSignedHeader { name: "host" });
        }
        crate::canonical::validate_method(req.method())?;

        // The request time and its `yyyymmddThhmmssZ` form.
        let (time, amz_given) = if presigned {
            let d = p.amz_date.as_deref().unwrap_or_default();
            (Timestamp::parse_amz_date(d)?, Some(d))
        } else if let Some(d) = special.amz_date {
            if !flags.amz_date {
                return Err(Error::MissingSignedHeader { name: "x-amz-date" });
            }
            let d = d.trim();
            (Timestamp::parse_amz_date(d)?, Some(d))
        } else if let Some(d) = special.date {
            if !flags.date {
                return Err(Error::MissingSignedHeader { name: "date" });
            }
            (Timestamp::parse_http_date(d.trim())?, None)
        } else {
            return Err(Error::MissingSignedHeader { name: "x-amz-date" });
        };
        let amz_buf;
        let amz = match amz_given {
            // Parsed as yyyymmddThhmmssZ with every field in range: already the canonical form.
            Some(d) => d,
            None => {
                amz_buf = time.amz_date_bytes();
                std::str::from_utf8(&amz_buf).unwrap_or_default()
            }
        };
        if p.date != amz[..8] {
            return Err(Error::MalformedCredentialScope {
                reason: "scope date differs from the request date",
            });
        }
        let skew = time.unix_seconds() - now.unix_seconds();
        if presigned {
            let expires = p.expires.unwrap_or(0) as i64;
            if skew > self.max_skew as i64 {
                return Err(Error::RequestTimeSkewed {
                    skew_seconds: skew,
                    allowed_seconds: self.max_skew,
                });
            }
            if now.unix_seconds() > time.unix_seconds() + expires {
                return Err(Error::PresignExpired);
            }
        } else if skew.unsigned_abs() > self.max_skew {
            return Err(Error::RequestTimeSkewed {
                skew_seconds: skew,
                allowed_seconds: self.max_skew,
            });
        }

        // The payload hash.
        let content_sha = special.content_sha;
        if content_sha.is_some() && !flags.content_sha {
            return Err(Error::MissingSignedHeader {
                name: "x-amz-content-sha256",
            });
        }
        if content_sha.is_none() && self.settings.content_sha256_header && !presigned {
            return Err(Error::MissingSignedHeader {
                name: "x-amz-content-sha256",
            });
        }
        let payload = if presigned && self.settings.presign_unsigned_payload {
            PayloadHash::parse(UNSIGNED_PAYLOAD)?
        } else if let Some(h) = content_sha {
            let ph = PayloadHash::parse(h.trim())?;
            if let crate::Payload::Bytes(body) = req.payload_ref()
                && ph.as_str().len() == 64
                && PayloadHash::from_payload(&crate::Payload::Bytes(body))?.as_str() != ph.as_str()
            {
                return Err(Error::PayloadHashMismatch);
            }
            ph
        } else {
            PayloadHash::from_payload(req.payload_ref())?
        };

        if !special.has_host && req.host().is_none() {
            return Err(Error::SignedHeaderAbsent {
                name: "host".to_owned(),
            });
        }

        let mut pairs = Vec::new();
        query_pairs(req.query(), &mut pairs);
        if presigned {
            let token_unsigned =
                self.settings.session_token == crate::SessionTokenMode::AddedAfterSigning;
            pairs.retain(|(k, _)| {
                k != "X-Amz-Signature" && !(token_unsigned && k == "X-Amz-Security-Token")
            });
        }
        let header_len: usize = req
            .headers()
            .iter()
            .map(|h| h.0.len() + h.1.len() + 2)
            .sum();
        let mut cr = String::with_capacity(
            128 + req.path().len() * 2
                + req.query().len() * 2
                + header_len
                + req.host().map_or(0, |h| h.len() + 6)
                + signed_list.len(),
        );
        cr.push_str(req.method());
        cr.push('\n');
        write_canonical_path(
            &mut cr,
            req.path(),
            self.settings.normalize_path,
            self.settings.double_encode_path,
        );
        cr.push('\n');
        write_sorted_query(&mut cr, &mut pairs);
        cr.push('\n');
        // The signed headers in SignedHeaders order (sorted, as the signer sorts them), a repeated
        // header's values in request order, values as received.
        for name in list_names(signed_list) {
            cr.push_str(name);
            cr.push(':');
            let mut found = false;
            for &(n, v) in req.headers() {
                if n.len() == name.len() && n.eq_ignore_ascii_case(name) {
                    if found {
                        cr.push(',');
                    }
                    push_trimmed(&mut cr, v);
                    found = true;
                }
            }
            if !found {
                match req.host() {
                    Some(h) if name == "host" => push_trimmed(&mut cr, h),
                    _ => {
                        return Err(Error::SignedHeaderAbsent {
                            name: name.to_owned(),
                        });
                    }
                }
            }
            cr.push('\n');
        }
        cr.push('\n');
        cr.push_str(signed_list);
        cr.push('\n');
        cr.push_str(payload.as_str());

        let creds = lookup(&p.access_key_id).ok_or(Error::UnknownAccessKey)?;
        let scope = Scope {
            date: &p.date,
            region: &self.region,
            service: &self.service,
        };
        let amz_bytes =
            <[u8; 16]>::try_from(amz.as_bytes()).map_err(|_| Error::InvalidTimestamp {
                reason: "expected yyyymmddThhmmssZ",
            })?;
        let matched = self.cache.with_key_and_sts_prefix(
            creds.borrow().secret_access_key(),
            &amz_bytes,
            &self.region,
            &self.service,
            None,
            |key, prefix| {
                let expected = signature_hex(prefix, &cr);
                let same = crate::credentials::signature_eq(&expected, p.signature.as_bytes());
                same.then(|| (zeroize::Zeroizing::new(*key.as_bytes()), expected))
            },
        );
        let Some((key, signature)) = matched else {
            return Err(Error::SignatureMismatch);
        };
        let mut credential = String::with_capacity(p.access_key_id.len() + 1 + scope.len());
        credential.push_str(&p.access_key_id);
        credential.push('/');
        scope.push_to(&mut credential);
        Ok(Verified {
            credential,
            access_key_id_len: p.access_key_id.len(),
            time,
            signature,
            presigned,
            payload_hash: payload,
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_debug_leaves_the_key_out() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let req = Request::new("GET", "/", "").header("host", "example.amazonaws.com");
        let out = crate::Signer::new("us-east-1", "service")
            .and_then(|s| s.sign(&req, &creds, now))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut received = req.clone();
        for (n, v) in &out.headers {
            received.push_header(n, v);
        }
        let verifier = Verifier::new("us-east-1", "service").unwrap_or_else(|e| panic!("{e}"));
        let ok = verifier
            .verify(&received, now, |_| Some(&creds))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.access_key_id(), "AKIDEXAMPLE");
        let debug = format!("{ok:?}");
        assert!(debug.contains("AKIDEXAMPLE") && debug.contains("20150830/us-east-1/service"));
        let key = verifier.cache.get(
            creds.secret_access_key(),
            "20150830",
            "us-east-1",
            "service",
        );
        let bytes = format!("{:?}", key.as_bytes());
        assert!(!debug.contains(&bytes[1..bytes.len() - 1]), "{debug}");
        assert!(!debug.contains("key:"), "{debug}");
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_byte_finds_the_first_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                let mut b = vec![b'a'; len];
                b[at] = b',';
                if at + 3 < len {
                    b[at + 3] = b',';
                }
                assert_eq!(find_byte(&b, b','), Some(at), "{len} {at}");
            }
            // Bytes one above and one below the needle are not it (the borrow case).
            let b: Vec<u8> = (0..len)
                .map(|i| if i % 2 == 0 { b'+' } else { b'-' })
                .collect();
            assert_eq!(find_byte(&b, b','), None, "{len}");
        }
        assert_eq!(find_byte(&[0x2c, 0x01, 0x00, 0x2c], 0x2c), Some(0));
        assert_eq!(
            find_byte(
                &[0x2d, 0x2b, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c],
                0x2c
            ),
            Some(2)
        );
    }

    fn check(value: &str) {
        let general = parse_authorization_general(value);
        match parse_authorization_fast(value) {
            Some(fast) => assert_eq!(Ok(fast), general, "{value}"),
            None => assert_eq!(parse_authorization_flags(value), general, "{value}"),
        }
    }

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    #[test]
    fn fast_authorization_parser_matches_general() {
        assert!(parse_authorization_fast(GOOD).is_some());
        for v in [
            GOOD,
            &GOOD.replace("AKIDEXAMPLE", ""),
            &GOOD.replace("AKIDEXAMPLE", "AK ID"),
            &GOOD.replace("AKIDEXAMPLE", "AK=ID"),
            &GOOD.replace("/iam/", "/iam/x/"),
            &GOOD.replace("/iam/", "//"),
            &GOOD.replace("20150830", "2015083"),
            &GOOD.replace("20150830", "2015083x"),
            &GOOD.replace("aws4_request", "aws4_requestx"),
            &GOOD.replace("content-type;host", "host;content-type"),
            &GOOD.replace("content-type;host", "Content-type;host"),
            &GOOD.replace(", SignedHeaders", ",SignedHeaders"),
            &GOOD.replace(", Signature=5", ", Signature=x"),
            &format!("{GOOD} "),
            &format!("{GOOD}0"),
            &format!("{GOOD}, Signature=00"),
            &format!(" {GOOD}"),
        ] {
            check(v);
        }
    }

    proptest! {
        #[test]
        fn find_byte_is_position(b in prop::collection::vec(any::<u8>(), 0..80), needle: u8) {
            prop_assert_eq!(find_byte(&b, needle), b.iter().position(|&c| c == needle));
        }

        #[test]
        fn fast_authorization_parser_matches_general_random(
            akid in "[A-Z0-9 =,/]{0,6}",
            date in "[0-9a/]{7,9}",
            region in "[a-z0-9 /-]{0,5}",
            list in "[a-zA-Z; ,-]{0,12}",
            sig in "[0-9a-f]{63,65}",
            sep in "(, |,| , )",
        ) {
            check(&format!(
                "AWS4-HMAC-SHA256 Credential={akid}/{date}/{region}/s3/aws4_request{sep}SignedHeaders={list}{sep}Signature={sig}"
            ));
        }
    }
}
