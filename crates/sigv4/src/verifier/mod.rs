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
//! for (n, v) in out.headers() {
//!     received.push_header(n, v);
//! }
//! let verifier = Verifier::new("us-east-1", "service")?;
//! let ok = verifier.verify(&received, now, |akid| (akid == "AKIDEXAMPLE").then(|| creds.clone()))?;
//! assert_eq!(ok.access_key_id(), "AKIDEXAMPLE");
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

mod parse;

use std::borrow::Borrow;

use crate::ascii::Hex64;
use crate::aws_chunked::ChunkVerifier;
use crate::canonical_request::payload::{HMAC_STREAMING, PayloadHash, Streaming, UNSIGNED_PAYLOAD};
use crate::canonical_request::query::{query_pairs, write_sorted_query};
use crate::canonical_request::{CanonicalRequest, SignedList};
use crate::error::Error;
use crate::key::{Credentials, SigningKey};
use crate::key_cache::SigningKeyCache;
use crate::request::{HeaderBuf, InlineBuf, Payload, Request, cmp_header_names, validate_method};
use crate::settings::{SessionTokenMode, SigningSettings, validate_scope_part};
use crate::sha::sha256;
use crate::string_to_sign::{ALGORITHM, Scope, StringToSign, sts_head};
use crate::time::{AmzDate, Timestamp};

pub use parse::{MAX_SIGNED_HEADERS, ParsedAuth, parse_authorization, parse_presigned_query};
pub(crate) use parse::{SignedFlags, check_signed_headers, decode_str};
use parse::{list_names, parse_authorization_flags, parse_presigned_query_flags};

/// What a successful verification established. `Debug` leaves the signing key out.
#[derive(Clone)]
pub struct Verified {
    /// The canonical request as verified, then `access_key_id/scope` (the credential as
    /// signed): the canonical request's own buffer, one allocation.
    text: String,
    /// Where the canonical request ends and the access key ID starts.
    canonical_len: usize,
    /// Where the access key ID ends (`/` and the scope follow).
    access_key_id_end: usize,
    /// Where `SignedHeaders` starts: the canonical request's second-last line (it ends one
    /// byte before the payload hash).
    signed_headers_start: usize,
    /// Where the payload hash starts: the canonical request's last line.
    payload_hash_start: usize,
    time: Timestamp,
    /// The verified signature's bytes (its hex is written only for a chunk verifier).
    signature: [u8; 32],
    presigned: bool,
    /// The signing key, for a signed-chunk body's verifier.
    key: SigningKey,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id())
            .field("time", &self.time)
            .field("scope", &self.scope())
            .field("presigned", &self.presigned)
            .field("payload_hash", &self.payload_hash())
            .field("signed_headers", &self.signed_headers_text())
            .finish_non_exhaustive()
    }
}

impl Verified {
    /// The access key ID that signed.
    pub fn access_key_id(&self) -> &str {
        &self.text[self.canonical_len..self.access_key_id_end]
    }
    fn scope(&self) -> &str {
        &self.text[self.access_key_id_end + 1..]
    }
    /// The request time.
    pub fn time(&self) -> Timestamp {
        self.time
    }
    /// Whether the request was presigned (query parameters) rather than header-signed.
    pub fn is_presigned(&self) -> bool {
        self.presigned
    }
    /// The canonical request the signature was verified over: what exactly the signature
    /// covers (method, path, query, the signed headers' values, the payload hash).
    pub fn canonical_request(&self) -> &str {
        &self.text[..self.canonical_len]
    }
    fn signed_headers_text(&self) -> &str {
        &self.text[self.signed_headers_start..self.payload_hash_start - 1]
    }
    /// The names of the headers the signature covers, lower-case and sorted (`SignedHeaders`):
    /// headers outside this list may have been added or changed by anyone.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> + '_ {
        self.signed_headers_text().split(';')
    }
    /// The signed payload hash (or `UNSIGNED-PAYLOAD` / a `STREAMING-*` constant).
    pub fn payload_hash(&self) -> &str {
        &self.text[self.payload_hash_start..self.canonical_len]
    }
    /// A verifier for the aws-chunked body that follows (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD*`).
    ///
    /// # Errors
    ///
    /// `Error::UnsignedPayload` when the request's payload is not aws-chunked (or its signature
    /// was not verified).
    pub fn chunk_verifier(&self) -> Result<ChunkVerifier, Error> {
        if !HMAC_STREAMING.contains(&self.payload_hash()) {
            return Err(Error::UnsignedPayload);
        }
        ChunkVerifier::new(
            self.key.clone(),
            self.time,
            self.scope(),
            Hex64::of(&self.signature).as_str(),
        )
    }
}

/// The first value of each header the verifier looks at, found in one pass.
#[derive(Default)]
pub(crate) struct Special<'a> {
    pub(crate) authorization: Option<&'a str>,
    amz_date: Option<&'a str>,
    date: Option<&'a str>,
    content_sha: Option<&'a str>,
    /// SigV4a: `x-amz-region-set`.
    pub(crate) region_set: Option<&'a str>,
}

impl<'a> Special<'a> {
    pub(crate) fn of(req: &Request<'a>) -> Self {
        let mut s = Special::default();
        for &(n, v) in req.headers() {
            let is = |lower: &str| same_name(lower, n);
            let slot = match n.len() {
                4 if is("date") => &mut s.date,
                10 if is("x-amz-date") => &mut s.amz_date,
                13 if is("authorization") => &mut s.authorization,
                16 if is("x-amz-region-set") => &mut s.region_set,
                20 if is("x-amz-content-sha256") => &mut s.content_sha,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v);
            }
        }
        s
    }
}

/// The request headers named in `signed_list` (lower-case names, sorted, no repeats), in
/// canonical order (repeated headers in request order), into `out`, under the list's own
/// (lower-case) names. `unsigned` is called with each request header the list does not name, in
/// request order, before a signed header found absent is reported. A signed `host` absent from
/// the headers is taken from `host`. Linear in the request whatever the input: a request of at
/// most [`FEW_HEADERS`] headers is matched name by name ([`select_few`]), a longer one through a
/// sort ([`select_sorted`]).
fn select_signed_headers<'a>(
    signed_list: &'a str,
    request: &[(&'a str, &'a str)],
    host: Option<&'a str>,
    out: &mut HeaderBuf<'a>,
    unsigned: impl FnMut(&'a str) -> Result<(), Error>,
) -> Result<(), Error> {
    if request.len() <= FEW_HEADERS {
        select_few(signed_list, request, host, out, unsigned)
    } else {
        select_sorted(signed_list, request, host, out, unsigned)
    }
}

/// The request's own host (from its URL) for a signed `host` the headers lack.
fn host_in_place_of<'a>(name: &str, host: Option<&'a str>) -> Option<(&'a str, &'a str)> {
    host.filter(|_| name == "host").map(|h| ("host", h))
}

/// Requests with at most this many headers (most) are matched without a sort.
const FEW_HEADERS: usize = 16;
// `select_few` marks matched headers in a `u32`.
const _: () = assert!(FEW_HEADERS <= 32);

/// Whether the request header name `n` (any case) is the lower-case name `name`: lengths
/// first, then the bytes (names mostly come lower-case), then case-blind.
#[inline(always)]
fn same_name(name: &str, n: &str) -> bool {
    #[cfg(test)]
    crate::request::ops::count(1);
    n.len() == name.len() && (n.as_bytes() == name.as_bytes() || n.eq_ignore_ascii_case(name))
}

/// [`select_signed_headers`] for at most [`FEW_HEADERS`] request headers: every signed name
/// against every header (at most `FEW_HEADERS` × [`MAX_SIGNED_HEADERS`] comparisons), the
/// matched headers marked in a bit set; no sort, no buffer.
fn select_few<'a>(
    signed_list: &'a str,
    request: &[(&'a str, &'a str)],
    host: Option<&'a str>,
    out: &mut HeaderBuf<'a>,
    mut unsigned: impl FnMut(&'a str) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut signed = 0u32;
    let mut absent = None;
    for name in list_names(signed_list) {
        let mut found = false;
        for (j, &(n, v)) in request.iter().enumerate() {
            if same_name(name, n) {
                out.push((name, v));
                signed |= 1 << j;
                found = true;
            }
        }
        if !found {
            match host_in_place_of(name, host) {
                Some(h) => out.push(h),
                None => {
                    absent.get_or_insert(name);
                }
            }
        }
    }
    for (j, &(n, _)) in request.iter().enumerate() {
        if signed & (1 << j) == 0 {
            unsigned(n)?;
        }
    }
    match absent {
        Some(name) => Err(Error::SignedHeaderAbsent {
            name: name.to_owned(),
        }),
        None => Ok(()),
    }
}

/// [`select_signed_headers`] for any number of request headers: each request header's name is
/// looked up in the list by binary search, then the
/// matches are ordered by (place in the list, place in the request). `O(n log n)`.
fn select_sorted<'a>(
    signed_list: &'a str,
    request: &[(&'a str, &'a str)],
    host: Option<&'a str>,
    out: &mut HeaderBuf<'a>,
    mut unsigned: impl FnMut(&'a str) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut names: InlineBuf<&str, 8> = InlineBuf::new();
    for name in list_names(signed_list) {
        names.push(name);
    }
    let names = names.as_slice();
    // (place in the list, place in the request) of each signed request header.
    let mut places: InlineBuf<(usize, usize), 8> = InlineBuf::new();
    for (j, &(name, _)) in request.iter().enumerate() {
        match names.binary_search_by(|probe| cmp_header_names(probe, name)) {
            Ok(i) => places.push((i, j)),
            Err(_) => unsigned(name)?,
        }
    }
    let places = places.as_mut_slice();
    places.sort_unstable();
    let mut k = 0;
    for (i, &name) in names.iter().enumerate() {
        let start = k;
        while let Some(&(_, j)) = places.get(k).filter(|p| p.0 == i) {
            out.push((name, request[j].1));
            k += 1;
        }
        if k == start {
            let h = host_in_place_of(name, host).ok_or_else(|| Error::SignedHeaderAbsent {
                name: name.to_owned(),
            })?;
            out.push(h);
        }
    }
    Ok(())
}

/// Verifies signed requests for one region and service.
#[derive(Debug)]
pub struct Verifier {
    region: String,
    service: String,
    /// `/{region}/{service}/aws4_request\n`: the string to sign's scope after its date.
    scope_tail_line: String,
    /// Whether `Authorization` headers are parsed against this scope at fixed places (not when
    /// the region or service holds a ',', where the header's components split).
    parse_at_fixed_places: bool,
    settings: SigningSettings,
    max_skew: u64,
    /// Accept `UNSIGNED-PAYLOAD` and `STREAMING-*` payload hashes (default: S3 rules only).
    unsigned_payload: bool,
    /// Accept `x-amz-*` headers absent from `SignedHeaders` (default: no).
    unsigned_amz_headers: bool,
    cache: SigningKeyCache,
}

/// The default clock-skew allowance: 15 minutes.
pub const DEFAULT_MAX_SKEW_SECONDS: u64 = 15 * 60;

settings_constructors! {
    /// A verifier with explicit canonicalisation settings. The S3 rules
    /// ([`SigningSettings::s3`], [`Verifier::s3`]) require `x-amz-content-sha256` to be signed.
    ///
    /// # Errors
    ///
    /// `Error::InvalidScopePart` when `region` or `service` cannot be part of a credential
    /// scope.
    fn Verifier::with_settings(region, service, settings) {
        validate_scope_part(region, "region")?;
        validate_scope_part(service, "service")?;
        let scope_tail_line = Scope {
            date: "",
            region: Some(region),
            service,
            tail: None,
        }
        .tail_line();
        Ok(Verifier {
            scope_tail_line,
            parse_at_fixed_places: !region.contains(',') && !service.contains(','),
            region: region.to_owned(),
            service: service.to_owned(),
            // Only S3 sends `x-amz-content-sha256`, and S3 takes unsigned and streaming bodies.
            unsigned_payload: settings.content_sha256_header,
            unsigned_amz_headers: false,
            settings,
            max_skew: DEFAULT_MAX_SKEW_SECONDS,
            cache: SigningKeyCache::default(),
        })
    }
}

impl Verifier {
    /// Whether an unsigned request header `name` is acceptable.
    fn may_be_unsigned(&self, name: &str) -> bool {
        let amz = name.len() >= 6 && name.as_bytes()[..6].eq_ignore_ascii_case(b"x-amz-");
        !amz || self.unsigned_amz_headers
            || self.settings.is_excluded(name)
            || (self.settings.session_token == SessionTokenMode::AddedAfterSigning
                && name.eq_ignore_ascii_case("x-amz-security-token"))
    }

    /// Sets the clock-skew allowance in seconds (default 900).
    pub fn max_clock_skew(mut self, seconds: u64) -> Verifier {
        self.max_skew = seconds;
        self
    }

    /// Whether to accept requests whose payload hash is `UNSIGNED-PAYLOAD` or a `STREAMING-*`
    /// constant, i.e. whose body the request signature does not cover. Default: yes with the
    /// S3 rules (S3 takes such bodies), no otherwise: a server that relies on the body's
    /// integrity must not be handed an unsigned one. A streaming body's chunks are verified by
    /// [`Verified::chunk_verifier`].
    pub fn insecure_accept_unsigned_payload(mut self, accept: bool) -> Verifier {
        self.unsigned_payload = accept;
        self
    }

    /// Whether to accept requests carrying `x-amz-*` headers that `SignedHeaders` does not
    /// list. Default: no, as S3 does ("There were headers present in the request which were not
    /// signed"): an unsigned `x-amz-acl: public-read` added to a presigned PUT would otherwise
    /// pass. The session token under [`SessionTokenMode::AddedAfterSigning`] and the
    /// settings' excluded headers are never refused.
    pub fn insecure_accept_unsigned_amz_headers(mut self, accept: bool) -> Verifier {
        self.unsigned_amz_headers = accept;
        self
    }

    /// Verifies `req` (as received: wire path and query, every header, the body or its hash as
    /// payload). `lookup` returns the credentials of an access key ID (owned, `&Credentials`,
    /// `Arc<Credentials>`…). `now` is the server's time.
    ///
    /// # Errors
    ///
    /// The first check that fails, e.g. `Error::MissingAuthorization`, `Error::ScopeMismatch`,
    /// `Error::UnknownAccessKey`, `Error::RequestTimeSkewed`, `Error::PayloadHashMismatch` or
    /// `Error::SignatureMismatch`.
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
        let mut checked = self.check::<ParsedAuth<'_>>(req, Some(now))?;
        let (p, c) = (&checked.parsed, &mut checked.canonical);
        let creds = lookup(&p.access_key_id).ok_or(Error::UnknownAccessKey)?;
        let scope = self.scope(&p.date);
        let hash = Hex64::of(&sha256(c.canonical_request.as_bytes()));
        let sts = StringToSign::new(&c.amz, &self.scope_tail_line, &hash);
        let secret = creds.borrow().secret_access_key();
        let key = self.cache.get(secret, &p.date, &self.region, &self.service);
        let signature = sts.with_parts(|parts| key.mac(parts));
        // Compared where its hex is written: copying a just-written 66-byte buffer costs more
        // than the comparison.
        if !Hex64::of(&signature).ct_eq(p.signature.as_bytes()) {
            return Err(Error::SignatureMismatch);
        }
        // The canonical request's buffer, sized for the credential too: no second allocation.
        let mut text = std::mem::take(&mut c.canonical_request);
        let canonical_len = text.len();
        // The canonical request's last two lines: `SignedHeaders`, then the payload hash.
        let payload_hash_start = canonical_len - c.payload_hash_len;
        let signed_headers_start = payload_hash_start - 1 - p.signed_headers.len();
        text.push_str(&p.access_key_id);
        let access_key_id_end = text.len();
        text.push('/');
        scope.push_to(&mut text);
        Ok(Verified {
            text,
            canonical_len,
            access_key_id_end,
            signed_headers_start,
            payload_hash_start,
            time: c.time,
            signature,
            presigned: checked.presigned,
            key,
        })
    }

    /// The canonical request and string to sign this verifier computes for `req`, for
    /// comparing with what a server answered in a `SignatureDoesNotMatch` error. Every check of
    /// [`Verifier::verify`] but the clock's and the signature's applies; no credentials are
    /// needed (the string to sign holds no secret and no expected signature).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify`], for every check but the clock's and the signature's.
    pub fn explain(&self, req: &Request<'_>) -> Result<Explanation, Error> {
        let checked = self.check::<ParsedAuth<'_>>(req, None)?;
        let c = checked.canonical;
        let mut string_to_sign =
            sts_head(ALGORITHM, c.amz.as_str(), self.scope(&checked.parsed.date));
        string_to_sign.push_str(Hex64::of(&sha256(c.canonical_request.as_bytes())).as_str());
        Ok(Explanation {
            canonical_request: c.canonical_request,
            string_to_sign,
        })
    }

    /// The scope of a request dated `date` (`yyyymmdd`) to this verifier's region and service.
    fn scope<'s>(&'s self, date: &'s str) -> Scope<'s> {
        Scope {
            date,
            region: Some(&self.region),
            service: &self.service,
            // The scope line's tail without its line end.
            tail: self.scope_tail_line.strip_suffix('\n'),
        }
    }

    /// Every check a verifier makes before the cryptography, shared by the SigV4 and SigV4a
    /// verifiers: parses the signature (`Authorization` header or presigned query) as `P`,
    /// checks its region(s) and service, then every check that needs no credentials (the
    /// clock's only when `now` is given), and writes the canonical request.
    #[inline]
    pub(crate) fn check<'r, P: SignatureParams<'r>>(
        &self,
        req: &'r Request<'_>,
        now: Option<Timestamp>,
    ) -> Result<Checked<P, P::Region>, Error> {
        let special = Special::of(req);
        let ((p, flags), presigned) = if let Some(authz) = special.authorization {
            let scope = self.parse_at_fixed_places.then(|| self.scope(""));
            (P::parse_header(authz, scope.as_ref())?, false)
        } else if req
            .query()
            .split('&')
            .any(|p| p.starts_with("X-Amz-Signature=") || p.starts_with("X-Amz-Algorithm="))
        {
            (P::parse_query(req.query())?, true)
        } else {
            return Err(Error::MissingAuthorization);
        };
        let region = p.check_region(&self.region, &special, &flags)?;
        if p.service() != self.service {
            return Err(Error::ScopeMismatch { part: "service" });
        }
        let canonical = self.canonicalize(
            req,
            &special,
            &p.parts(&flags),
            P::STREAMING,
            presigned,
            now,
        )?;
        Ok(Checked {
            parsed: p,
            region,
            presigned,
            canonical,
        })
    }

    /// Every check that needs no credentials after the signature's parameters are parsed (the
    /// clock's only when `now` is given), then the canonical request.
    #[inline]
    fn canonicalize<'r>(
        &self,
        req: &'r Request<'_>,
        special: &Special<'r>,
        parts: &SignedParts<'_>,
        streaming: Streaming,
        presigned: bool,
        now: Option<Timestamp>,
    ) -> Result<Canonicalized, Error> {
        // Validated by the parser: lower-case names, sorted, no repeats.
        let signed_list = parts.signed_headers;
        if !parts.flags.host {
            return Err(Error::MissingSignedHeader { name: "host" });
        }
        validate_method(req.method())?;

        // The request time and its `yyyymmddThhmmssZ` form.
        let (time, amz) = if presigned {
            Timestamp::parse_amz_date_text(parts.amz_date.unwrap_or_default())?
        } else if let Some(d) = special.amz_date {
            if !parts.flags.amz_date {
                return Err(Error::MissingSignedHeader { name: "x-amz-date" });
            }
            Timestamp::parse_amz_date_text(d.trim_ascii())?
        } else if let Some(d) = special.date {
            if !parts.flags.date {
                return Err(Error::MissingSignedHeader { name: "date" });
            }
            let time = Timestamp::parse_http_date(d.trim_ascii())?;
            (time, time.amz())
        } else {
            return Err(Error::MissingSignedHeader { name: "x-amz-date" });
        };
        if parts.date.as_bytes() != &amz.as_bytes()[..8] {
            return Err(Error::MalformedCredentialScope {
                reason: "scope date differs from the request date",
            });
        }
        if let Some(now) = now {
            self.check_clock(time, now, presigned.then(|| parts.expires.unwrap_or(0)))?;
        }

        // The payload hash.
        let content_sha = special.content_sha;
        if content_sha.is_some() && !parts.flags.content_sha {
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
            PayloadHash::Const(UNSIGNED_PAYLOAD)
        } else if let Some(h) = content_sha {
            let ph = PayloadHash::parse(h.trim_ascii(), streaming)?;
            if let (Payload::Bytes(body), PayloadHash::Hex(_)) = (req.payload_ref(), &ph)
                && PayloadHash::of_body(body).as_bytes() != ph.as_bytes()
            {
                return Err(Error::PayloadHashMismatch);
            }
            ph
        } else {
            PayloadHash::from_payload(req.payload_ref(), streaming)?
        };
        if !self.unsigned_payload && !payload.covers_body() {
            return Err(Error::UnsignedPayload);
        }

        let mut pairs = Vec::new();
        query_pairs(req.query(), &mut pairs);
        if presigned {
            let token_unsigned = self.settings.session_token == SessionTokenMode::AddedAfterSigning;
            pairs.retain(|(k, _)| {
                k != "X-Amz-Signature" && !(token_unsigned && k == "X-Amz-Security-Token")
            });
        }
        let mut headers = HeaderBuf::new();
        select_signed_headers(
            signed_list,
            req.headers(),
            req.host(),
            &mut headers,
            |name| {
                if self.may_be_unsigned(name) {
                    Ok(())
                } else {
                    Err(Error::UnsignedHeader {
                        name: name.to_ascii_lowercase(),
                    })
                }
            },
        )?;
        let cr = CanonicalRequest {
            method: req.method(),
            path: req.path(),
            normalize: self.settings.normalize_path,
            double_encode: self.settings.double_encode_path,
            headers: headers.as_slice(),
            lower_case_names: true,
            signed_headers: SignedList::Given(signed_list),
            payload_hash: payload.as_str(),
        };
        // Room after the canonical request for the credential `Verified` appends.
        let credential_len = parts.access_key_id.len() + 1 + self.scope(parts.date).len();
        let mut canonical_request =
            String::with_capacity(cr.estimated_len(req.query().len()) + credential_len);
        cr.write(&mut canonical_request, |out| {
            write_sorted_query(out, &mut pairs)
        });

        Ok(Canonicalized {
            time,
            amz,
            payload_hash_len: payload.as_str().len(),
            canonical_request,
        })
    }

    /// The clock-skew window and, for a presigned request, its expiry (`expires` seconds).
    fn check_clock(
        &self,
        time: Timestamp,
        now: Timestamp,
        expires: Option<u64>,
    ) -> Result<(), Error> {
        let skew = time.unix_seconds() - now.unix_seconds();
        let skewed = Error::RequestTimeSkewed {
            skew_seconds: skew,
            allowed_seconds: self.max_skew,
        };
        match expires {
            // Presigned: not from too far in the future, and not expired.
            Some(expires) => {
                if skew > i64::try_from(self.max_skew).unwrap_or(i64::MAX) {
                    return Err(skewed);
                }
                let expires = i64::try_from(expires).unwrap_or(i64::MAX);
                if now.unix_seconds() > time.unix_seconds().saturating_add(expires) {
                    return Err(Error::PresignExpired);
                }
            }
            None if skew.unsigned_abs() > self.max_skew => return Err(skewed),
            None => {}
        }
        Ok(())
    }
}

/// The parsed signature's parts [`Verifier::canonicalize`] needs.
pub(crate) struct SignedParts<'p> {
    /// The access key ID.
    pub(crate) access_key_id: &'p str,
    /// The scope's `yyyymmdd`.
    pub(crate) date: &'p str,
    /// `SignedHeaders` (validated: lower-case names, sorted, no repeats).
    pub(crate) signed_headers: &'p str,
    pub(crate) flags: &'p SignedFlags,
    /// Presigned: `X-Amz-Date`.
    pub(crate) amz_date: Option<&'p str>,
    /// Presigned: `X-Amz-Expires`.
    pub(crate) expires: Option<u64>,
}

/// What [`Verifier::canonicalize`] established.
pub(crate) struct Canonicalized {
    pub(crate) time: Timestamp,
    pub(crate) amz: AmzDate,
    /// The length of the payload hash, the canonical request's last line.
    pub(crate) payload_hash_len: usize,
    /// The canonical request, in a buffer with room for the credential after it
    /// (`access_key_id/scope`, which [`Verified`] keeps there).
    pub(crate) canonical_request: String,
}

impl Canonicalized {
    /// The payload hash as signed: the canonical request's last line.
    pub(crate) fn payload_hash(&self) -> &str {
        &self.canonical_request[self.canonical_request.len() - self.payload_hash_len..]
    }
}

/// A parsed signature (`Authorization` header or presigned query parameters) of one algorithm,
/// as [`Verifier::check`] takes it.
pub(crate) trait SignatureParams<'r>: Sized {
    /// What the region check establishes (SigV4a: the signed region set).
    type Region;
    /// The algorithm's signed-chunk streaming constants (the other algorithm's are refused).
    const STREAMING: Streaming;
    /// Parses an `Authorization` header value sent to a verifier of `scope` (its date unused;
    /// `None`: no assumption about the scope).
    fn parse_header(
        value: &'r str,
        scope: Option<&Scope<'_>>,
    ) -> Result<(Self, SignedFlags), Error>;
    /// Parses a presigned request's query.
    fn parse_query(query: &'r str) -> Result<(Self, SignedFlags), Error>;
    /// Checks the signed region(s) against the verifier's `region`.
    fn check_region(
        &self,
        region: &str,
        special: &Special<'r>,
        flags: &SignedFlags,
    ) -> Result<Self::Region, Error>;
    /// The scope's service.
    fn service(&self) -> &str;
    /// What [`Verifier::canonicalize`] needs.
    fn parts<'p>(&'p self, flags: &'p SignedFlags) -> SignedParts<'p>;
}

impl<'r> SignatureParams<'r> for ParsedAuth<'r> {
    type Region = ();
    const STREAMING: Streaming = HMAC_STREAMING;
    fn parse_header(
        value: &'r str,
        scope: Option<&Scope<'_>>,
    ) -> Result<(Self, SignedFlags), Error> {
        parse_authorization_flags(value, scope)
    }
    fn parse_query(query: &'r str) -> Result<(Self, SignedFlags), Error> {
        parse_presigned_query_flags(query)
    }
    fn check_region(&self, region: &str, _: &Special<'r>, _: &SignedFlags) -> Result<(), Error> {
        if self.region != region {
            return Err(Error::ScopeMismatch { part: "region" });
        }
        Ok(())
    }
    fn service(&self) -> &str {
        &self.service
    }
    fn parts<'p>(&'p self, flags: &'p SignedFlags) -> SignedParts<'p> {
        SignedParts {
            access_key_id: &self.access_key_id,
            date: &self.date,
            signed_headers: &self.signed_headers,
            flags,
            amz_date: self.amz_date.as_deref(),
            expires: self.expires,
        }
    }
}

/// What [`Verifier::check`] established.
pub(crate) struct Checked<P, R> {
    pub(crate) parsed: P,
    /// The region check's result.
    pub(crate) region: R,
    pub(crate) presigned: bool,
    pub(crate) canonical: Canonicalized,
}

/// The canonical request and string to sign a [`Verifier`] computed ([`Verifier::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header-name comparisons of verifying a request signed over `n` headers that also
    /// carries `3 * n` unsigned ones (a wrong signature: the work before the lookup is all
    /// done).
    fn verify_ops(n: usize) -> u64 {
        // Names in a scrambled order (a multiplicative hash), so that no input is pre-sorted.
        let names: Vec<String> = (0..4 * n as u64)
            .map(|i| format!("x-h{:016x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
            .collect();
        let signed: Vec<&str> = {
            let mut v: Vec<&str> = names[..n].iter().map(String::as_str).collect();
            v.push("host");
            v.push("x-amz-date");
            v.sort_unstable();
            v
        };
        let list = signed.join(";");
        let authz = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={list}, Signature={}",
            "0".repeat(64)
        );
        let mut req = Request::new("GET", "/", "")
            .header("host", "example.amazonaws.com")
            .header("x-amz-date", "20150830T123600Z")
            .header("authorization", &authz);
        for name in &names {
            req.push_header(name, "v");
        }
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let verifier = Verifier::new("us-east-1", "service").unwrap_or_else(|e| panic!("{e}"));
        crate::request::ops::measure(|| {
            let r = verifier.verify(&req, now, |_| Some(&creds));
            assert_eq!(r.map(|_| ()), Err(Error::SignatureMismatch));
        })
    }

    /// Matching signed names to request headers was quadratic (8,000 signed headers: 444 ms):
    /// doubling the input must at most about double the work (comparisons counted, not time).
    #[test]
    fn signed_header_matching_is_linear_after_a_sort() {
        let (small, large) = (verify_ops(60), verify_ops(120));
        assert!(small > 0);
        assert!(
            large * 10 <= small * 25,
            "doubling the headers took {large} comparisons after {small}"
        );
    }

    /// What a selection gave: the headers, or the error, and the unsigned names seen.
    type Selection = (Result<Vec<(String, String)>, Error>, Vec<String>);

    fn run_select(
        few: bool,
        list: &str,
        request: &[(&str, &str)],
        refuse: Option<&str>,
    ) -> Selection {
        let mut seen = Vec::new();
        let mut out = HeaderBuf::new();
        let unsigned = |n: &str| {
            seen.push(n.to_owned());
            match refuse {
                Some(r) if r.eq_ignore_ascii_case(n) => Err(Error::UnsignedHeader {
                    name: n.to_ascii_lowercase(),
                }),
                _ => Ok(()),
            }
        };
        let host = Some("example.com");
        let r = if few {
            select_few(list, request, host, &mut out, unsigned)
        } else {
            select_sorted(list, request, host, &mut out, unsigned)
        };
        let headers = out
            .as_slice()
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        (r.map(|()| headers), seen)
    }

    proptest::proptest! {
        /// The name-by-name match of a short request is the sorted one: same headers in the
        /// same order, same unsigned headers in the same order, same error.
        #[test]
        fn few_headers_select_like_the_sort(
            mut list in proptest::collection::vec("(host|a|b|x-amz-date|x-amz-[a-c]{1,2})", 1..6),
            request in proptest::collection::vec(
                ("(host|HOST|a|A|b|c|x-amz-date|X-Amz-Date|x-amz-[a-c]{1,2})", "[a-z0-9]{0,3}"),
                0..FEW_HEADERS,
            ),
            refuse in proptest::option::of("(c|x-amz-[a-c]{1,2})"),
        ) {
            list.sort_unstable();
            list.dedup();
            let list = list.join(";");
            let request: Vec<(&str, &str)> =
                request.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let refuse = refuse.as_deref();
            proptest::prop_assert_eq!(
                run_select(true, &list, &request, refuse),
                run_select(false, &list, &request, refuse)
            );
        }
    }

    /// `req` as a server receives it once signed: with the headers signing added.
    fn received<'a>(req: &Request<'a>, out: &'a crate::SigningOutput) -> Request<'a> {
        let mut received = req.clone();
        for (n, v) in out.headers() {
            received.push_header(n, v);
        }
        received
    }

    /// A region with a ',' splits the `Authorization` header's components: such a verifier
    /// parses headers generally (as before the fixed-place parse), so a header signed for it
    /// is refused as the general parser refuses it, not accepted at fixed places.
    #[test]
    fn a_comma_in_the_scope_parses_generally() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let req = Request::new("GET", "/", "").header("host", "example.amazonaws.com");
        let out = crate::Signer::new("us,east-1", "service")
            .and_then(|s| s.sign(&req, &creds, now))
            .unwrap_or_else(|e| panic!("{e}"));
        let authz = out.header("authorization").unwrap_or_default();
        let general = parse_authorization(authz).map(|_| ());
        assert!(general.is_err(), "{authz}");
        let received = received(&req, &out);
        let verifier = Verifier::new("us,east-1", "service").unwrap_or_else(|e| panic!("{e}"));
        assert!(!verifier.parse_at_fixed_places);
        let r = verifier
            .verify(&received, now, |_| Some(&creds))
            .map(|_| ());
        assert_eq!(r, general);
    }

    /// A signed-chunk body gets a chunk verifier; any other request's `chunk_verifier` is
    /// refused, as its documentation says (it used to hand one out).
    #[test]
    fn only_a_chunked_body_gets_a_chunk_verifier() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let verifier = Verifier::s3("us-east-1").unwrap_or_else(|e| panic!("{e}"));
        for (payload, chunked) in [
            (Payload::Bytes(b"body"), false),
            (Payload::Unsigned, false),
            (Payload::StreamingSigned, true),
            (Payload::StreamingSignedTrailer, true),
            (Payload::StreamingUnsignedTrailer, false),
        ] {
            let req = Request::new("PUT", "/k", "")
                .header("host", "b.s3.amazonaws.com")
                .payload(payload);
            let out = crate::Signer::s3("us-east-1")
                .and_then(|s| s.sign(&req, &creds, now))
                .unwrap_or_else(|e| panic!("{e}"));
            let received = received(&req, &out);
            let ok = verifier
                .verify(&received, now, |_| Some(&creds))
                .unwrap_or_else(|e| panic!("{e}"));
            match ok.chunk_verifier() {
                Ok(_) => assert!(chunked),
                Err(e) => assert!(!chunked && e == Error::UnsignedPayload, "{e}"),
            }
        }
    }

    #[test]
    fn verified_debug_leaves_the_key_out() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let req = Request::new("GET", "/", "").header("host", "example.amazonaws.com");
        let out = crate::Signer::new("us-east-1", "service")
            .and_then(|s| s.sign(&req, &creds, now))
            .unwrap_or_else(|e| panic!("{e}"));
        let received = received(&req, &out);
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
