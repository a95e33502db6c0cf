//! Signing into the `Authorization` header: the [`Signer`] and its [`SigningOutput`].
//!
//! Simplest use:
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, Signer, Timestamp};
//! let signer = Signer::new("us-east-1", "service")?;
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://example.amazonaws.com/")?;
//! let out = signer.sign(&req, &creds, Timestamp::parse_amz_date("20150830T123600Z")?)?;
//! assert_eq!(out.signature(), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! for (name, value) in out.headers() {
//!     // add `name: value` to the request: x-amz-date and authorization here
//! #   let _ = (name, value);
//! }
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use crate::ascii::{Hex64, uri_encode_into};
use crate::canonical_request::headers::signed_list_max_len;
use crate::canonical_request::payload::{HMAC_STREAMING, PayloadHash, Streaming};
use crate::canonical_request::query::{query_pairs, write_sorted_query};
use crate::canonical_request::{CanonicalRequest, SignedList};
use crate::error::Error;
use crate::key::{Credentials, SigningKey};
use crate::key_cache::SigningKeyCache;
#[cfg(feature = "http")]
use crate::request::Payload;
use crate::request::{HeaderBuf, Request, validate_header, validate_method};
use crate::settings::{SessionTokenMode, SigningSettings, validate_scope_part};
use crate::sha::sha256;
use crate::string_to_sign::{ALGORITHM, Scope, sts_head_len, write_sts_head};
use crate::time::{AmzDate, Timestamp};
use zeroize::Zeroize;

/// Everything a signing produced, in one string: the canonical request, the string to sign,
/// then what goes on the wire (the `Authorization` header's value and the other headers' values,
/// or the presigned URL). Its `Debug` redacts the session token, the signature (and the
/// `Authorization` value holding it) and the presigned URL, each of which lets anyone holding it
/// act as the signer for a while, and leaves out the canonical request (which may hold the
/// token); its text is zeroized when dropped if it holds a session token.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningOutput {
    text: String,
    /// `text` holds a session token.
    has_token: bool,
    canonical_request: Span,
    string_to_sign: Span,
    signature: Span,
    signed_headers: Span,
    /// The headers to add, lower-case names: `header_count` of them.
    headers: [(&'static str, Span); MAX_OUTPUT_HEADERS],
    header_count: usize,
    /// Presigning: the presigned URL (`has_url`) or only its query.
    presigned: Option<Span>,
    /// Where the query starts in `text`.
    query_at: usize,
    has_url: bool,
}

/// `x-amz-date`, `x-amz-region-set`, `x-amz-security-token`, `x-amz-content-sha256`,
/// `authorization`.
const MAX_OUTPUT_HEADERS: usize = 5;

/// Where a part of a [`SigningOutput`] is in its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// From `start` to the end of `text`.
    pub(crate) fn to_end(start: usize, text: &str) -> Span {
        Span {
            start,
            end: text.len(),
        }
    }

    pub(crate) fn of(range: std::ops::Range<usize>) -> Span {
        Span {
            start: range.start,
            end: range.end,
        }
    }
}

impl SigningOutput {
    /// An output of `text` with its canonical request, string to sign and `SignedHeaders` list
    /// where the spans say; the caller adds the signature, headers or presigned URL.
    pub(crate) fn new(
        canonical_request: Span,
        string_to_sign: Span,
        signed_headers: Span,
    ) -> SigningOutput {
        SigningOutput {
            text: String::new(),
            has_token: false,
            canonical_request,
            string_to_sign,
            signature: Span::default(),
            signed_headers,
            headers: [("", Span::default()); MAX_OUTPUT_HEADERS],
            header_count: 0,
            presigned: None,
            query_at: 0,
            has_url: false,
        }
    }

    /// Adds a header whose value is at `span`.
    fn add_header(&mut self, name: &'static str, span: Span) {
        self.headers[self.header_count] = (name, span);
        self.header_count += 1;
    }

    /// Presigning: the signature, the presigned URL or query (`has_url`) and where its query
    /// starts, in `text`, which becomes the output's.
    pub(crate) fn set_presigned(
        &mut self,
        text: String,
        has_token: bool,
        signature: Span,
        presigned: Span,
        query_at: usize,
        has_url: bool,
    ) {
        self.text = text;
        self.has_token = has_token;
        self.signature = signature;
        self.presigned = Some(presigned);
        self.query_at = query_at;
        self.has_url = has_url;
    }

    fn part(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// The canonical request.
    pub fn canonical_request(&self) -> &str {
        self.part(self.canonical_request)
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        self.part(self.string_to_sign)
    }

    /// The signature: 64 lower-case hex digits (SigV4), or the hex of the DER-encoded ECDSA
    /// signature (SigV4a).
    pub fn signature(&self) -> &str {
        self.part(self.signature)
    }

    /// `SignedHeaders` (`host;x-amz-date`).
    pub fn signed_headers(&self) -> &str {
        self.part(self.signed_headers)
    }

    /// The headers to add to the request, lower-case names (header signing: `x-amz-date`,
    /// `x-amz-region-set`, `x-amz-security-token` and `x-amz-content-sha256` as configured, then
    /// `authorization`; presigning: none).
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'static str, &str)> + '_ {
        self.headers[..self.header_count]
            .iter()
            .map(|&(name, span)| (name, self.part(span)))
    }

    /// The value of the added header `name` (lower-case), if signing added it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Presigning: the presigned URL, when the request knows its scheme and host.
    pub fn url(&self) -> Option<&str> {
        self.presigned
            .filter(|_| self.has_url)
            .map(|span| self.part(span))
    }

    /// Presigning: the presigned URL as an owned `String` (see [`SigningOutput::url`]).
    pub fn into_url(mut self) -> Option<String> {
        let span = self.presigned.filter(|_| self.has_url)?;
        if self.has_token {
            // The rest of the text is zeroized with `self`.
            return Some(self.part(span).to_owned());
        }
        let mut text = std::mem::take(&mut self.text);
        text.truncate(span.end);
        text.drain(..span.start);
        Some(text)
    }

    /// Presigning: the full query string to send (without `?`), the request's own parameters and
    /// the `X-Amz-*` ones, ending with `X-Amz-Signature`.
    pub fn query(&self) -> Option<&str> {
        self.presigned.map(|span| {
            self.part(Span {
                start: self.query_at,
                end: span.end,
            })
        })
    }
}

impl Drop for SigningOutput {
    fn drop(&mut self) {
        if self.has_token {
            self.text.zeroize();
        }
    }
}

impl std::fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Headers<'a>(&'a SigningOutput);
        impl std::fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list()
                    .entries(self.0.headers().map(|(name, value)| {
                        let value = match name {
                            "x-amz-security-token" | "authorization" => "<redacted>",
                            _ => value,
                        };
                        (name, value)
                    }))
                    .finish()
            }
        }
        f.debug_struct("SigningOutput")
            .field("string_to_sign", &self.string_to_sign())
            .field("signed_headers", &self.signed_headers())
            .field("signature", &"<redacted>")
            .field("headers", &Headers(self))
            .field("presigned", &self.presigned.map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Signs requests for one region and service with a [`SigningKeyCache`].
#[derive(Debug)]
pub struct Signer {
    pub(crate) config: SignerConfig,
    cache: SigningKeyCache,
}

settings_constructors! {
    /// A signer with explicit settings.
    ///
    /// # Errors
    ///
    /// `Error::InvalidScopePart` when `region` or `service` cannot be part of a credential
    /// scope.
    fn Signer::with_settings(region, service, settings) {
        validate_scope_part(region, "region")?;
        Ok(Signer {
            config: SignerConfig::new(
                ALGORITHM,
                region,
                true,
                service,
                settings,
                HMAC_STREAMING,
            )?,
            cache: SigningKeyCache::default(),
        })
    }
}

impl Signer {
    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.config.settings
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.config.region
    }

    /// The service.
    pub fn service(&self) -> &str {
        &self.config.service
    }

    /// The (cached) signing key for `credentials` on the day of `time`.
    pub fn signing_key(&self, credentials: &Credentials, time: Timestamp) -> SigningKey {
        self.cache.get(
            credentials.secret_access_key(),
            time.amz().date(),
            self.region(),
            self.service(),
        )
    }

    /// The credential scope for a request dated `amz`.
    pub(crate) fn scope<'s>(&'s self, amz: &'s AmzDate) -> Scope<'s> {
        self.config.algorithm(amz.date()).scope
    }

    /// The signature of the string to sign `sts` for `scope`.
    pub(crate) fn sign_sts(&self, credentials: &Credentials, scope: Scope<'_>, sts: &str) -> Hex64 {
        let (signature, _) =
            self.cache
                .sign(credentials.secret_access_key(), scope, &[sts.as_bytes()]);
        signature
    }

    /// Signs into the `Authorization` header: returns the canonical request, string to sign,
    /// signature and the headers to add.
    ///
    /// # Errors
    ///
    /// `Error::MissingHost`, `Error::InvalidHeader`, `Error::InvalidPayloadHash` or
    /// `Error::InvalidTimestamp` for a request that cannot be signed as given.
    pub fn sign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
    ) -> Result<SigningOutput, Error> {
        let finish =
            |scope: Scope<'_>, sts: &str| Ok::<_, Error>(self.sign_sts(credentials, scope, sts));
        sign_headers(&self.config, req, credentials, time, finish)
    }

    /// Signs an [`http::Request`] in place: adds `x-amz-date`, `authorization` and, as
    /// configured, `x-amz-security-token` and `x-amz-content-sha256`. The path and query are taken
    /// from the URI as they are (wire form); the host from the `host` header or the URI authority.
    ///
    /// # Errors
    /// [`Error`] when the request cannot be signed (the variant names what is wrong).
    #[cfg(feature = "http")]
    pub fn sign_http<B>(
        &self,
        request: &mut http::Request<B>,
        payload: Payload<'_>,
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
        for (name, value) in out.headers() {
            let v = http::HeaderValue::from_str(value).map_err(|_| Error::InvalidHeader {
                name: name.to_owned(),
                reason: "cannot be a header value",
            })?;
            request.headers_mut().insert(name, v);
        }
        Ok(out)
    }
}

/// Collects the headers to sign, sorted: the host when the request has no `host` header, the
/// request's headers minus the settings' excluded ones and those `added` (lower-case names)
/// replaces, then `added`. Returns whether every name is lower-case already.
pub(crate) fn collect_headers<'a>(
    settings: &SigningSettings,
    req: &'a Request<'_>,
    added: &[(&'a str, &'a str)],
    out: &mut HeaderBuf<'a>,
) -> Result<bool, Error> {
    let skipped =
        |n: &str| settings.is_excluded(n) || added.iter().any(|a| a.0.eq_ignore_ascii_case(n));
    let has_host = req
        .headers()
        .iter()
        .any(|&(n, _)| n.len() == 4 && n.eq_ignore_ascii_case("host") && !skipped(n));
    // The URL's host first: it sorts before most names, often leaving nothing to sort.
    let url_host = req.host().filter(|_| !has_host);
    if let Some(h) = url_host {
        out.push(("host", h));
    }
    let mut lower_case = true;
    for &(n, v) in req.headers() {
        lower_case &= validate_header(n, v)?;
        if !skipped(n) {
            out.push((n, v));
        }
    }
    if !has_host && url_host.is_none() {
        return Err(Error::MissingHost);
    }
    // Last: the `x-amz-*` names sort after most request headers, leaving little to move.
    for &a in added {
        out.push(a);
    }
    out.sort();
    Ok(lower_case)
}

/// What a signer signs for, besides its keys: written once for the SigV4 and SigV4a signers.
#[derive(Debug)]
pub(crate) struct SignerConfig {
    algorithm: &'static str,
    /// The region (SigV4) or the region set (SigV4a), validated.
    pub(crate) region: String,
    /// Whether the region is part of the scope (SigV4) or signed as the region set (SigV4a).
    region_in_scope: bool,
    pub(crate) service: String,
    /// The scope after its date, encoded as in a presigned URL's `X-Amz-Credential`, written
    /// once here.
    credential_tail: String,
    /// The scope after its date as signed (`/{region}/{service}/aws4_request`), written once.
    scope_tail: String,
    pub(crate) settings: SigningSettings,
    /// The payload hashes announcing signed chunks.
    pub(crate) streaming: Streaming,
}

impl SignerConfig {
    /// Checks `service` (the caller checks `region`).
    pub(crate) fn new(
        algorithm: &'static str,
        region: &str,
        region_in_scope: bool,
        service: &str,
        settings: SigningSettings,
        streaming: Streaming,
    ) -> Result<SignerConfig, Error> {
        validate_scope_part(service, "service")?;
        let tail = if region_in_scope {
            credential_tail(&[region, service])
        } else {
            credential_tail(&[service])
        };
        let scope_tail = Scope {
            date: "",
            region: Some(region).filter(|_| region_in_scope),
            service,
            tail: None,
        }
        .owned();
        Ok(SignerConfig {
            algorithm,
            region: region.to_owned(),
            region_in_scope,
            service: service.to_owned(),
            credential_tail: tail,
            scope_tail,
            settings,
            streaming,
        })
    }

    /// What a request dated `date` (`yyyymmdd`) is signed with.
    pub(crate) fn algorithm<'s>(&'s self, date: &'s str) -> Algorithm<'s> {
        let region = Some(self.region.as_str());
        Algorithm {
            name: self.algorithm,
            scope: Scope {
                date,
                region: region.filter(|_| self.region_in_scope),
                service: &self.service,
                tail: Some(&self.scope_tail),
            },
            credential_tail: &self.credential_tail,
            region_set: region.filter(|_| !self.region_in_scope),
        }
    }
}

/// What distinguishes SigV4 and SigV4a in a signed request, besides the signature itself.
pub(crate) struct Algorithm<'a> {
    /// `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256`.
    pub(crate) name: &'static str,
    pub(crate) scope: Scope<'a>,
    /// The scope after its date, encoded as in a presigned URL's `X-Amz-Credential`
    /// ([`credential_tail`]).
    pub(crate) credential_tail: &'a str,
    /// SigV4a: the region set (signed as `x-amz-region-set` / `X-Amz-Region-Set`).
    pub(crate) region_set: Option<&'a str>,
}

/// `%2F{part}` for each of the scope's `parts` after its date, then `%2Faws4_request`: the end of a
/// presigned URL's encoded `X-Amz-Credential`.
pub(crate) fn credential_tail(parts: &[&str]) -> String {
    let mut tail = String::new();
    for part in parts {
        tail.push_str("%2F");
        uri_encode_into(&mut tail, part, true);
    }
    tail.push_str("%2Faws4_request");
    tail
}

/// Header signing, shared by the SigV4 and SigV4a signers: the canonical request over the
/// request's headers and the ones signing adds (`x-amz-date`, the region set, the session token
/// and `x-amz-content-sha256` as configured), the signature `finish` computes of the string to sign
/// for its scope, and the headers to add. One allocation: every part is written into one string,
/// sized up front.
pub(crate) fn sign_headers<S: AsRef<str>>(
    config: &SignerConfig,
    req: &Request<'_>,
    credentials: &Credentials,
    time: Timestamp,
    finish: impl FnOnce(Scope<'_>, &str) -> Result<S, Error>,
) -> Result<SigningOutput, Error> {
    validate_method(req.method())?;
    let payload = PayloadHash::from_payload(req.payload_ref(), config.streaming)?;
    let payload = payload.as_str();
    let amz = &time.amz();
    // The date's text, checked once.
    let amz_str = amz.as_str();
    let (settings, alg) = (&config.settings, config.algorithm(&amz_str[..8]));
    let token = credentials.session_token();
    let sign_token = token.filter(|_| settings.session_token == SessionTokenMode::Signed);
    let sha_header = settings.content_sha256_header;

    // The added headers (in their sorted order) replace the request's headers of the same names.
    let mut added = [("", ""); 4];
    let mut n = 0;
    for a in [
        Some(("x-amz-content-sha256", payload)).filter(|_| sha_header),
        Some(("x-amz-date", amz_str)),
        alg.region_set.map(|r| ("x-amz-region-set", r)),
        sign_token.map(|t| ("x-amz-security-token", t)),
    ]
    .into_iter()
    .flatten()
    {
        added[n] = a;
        n += 1;
    }
    let mut headers = HeaderBuf::new();
    let lower_case_names = collect_headers(settings, req, &added[..n], &mut headers)?;
    let headers = headers.as_slice();

    let mut pairs = Vec::new();
    query_pairs(req.query(), &mut pairs);
    let cr = CanonicalRequest {
        method: req.method(),
        path: req.path(),
        normalize: settings.normalize_path,
        double_encode: settings.double_encode_path,
        headers,
        lower_case_names,
        signed_headers: SignedList::OfHeaders,
        payload_hash: payload,
    };
    let signed_max = signed_list_max_len(headers, false);
    let authz_len = alg.name.len()
        + " Credential=".len()
        + credentials.access_key_id().len()
        + 1
        + alg.scope.len()
        + ", SignedHeaders=".len()
        + signed_max
        + ", Signature=".len()
        + MAX_SIGNATURE_LEN;
    let mut text = String::with_capacity(
        cr.estimated_len(req.query().len())
            + sts_head_len(alg.name, alg.scope)
            + 64
            + authz_len
            + alg.region_set.map_or(0, str::len)
            + token.map_or(0, str::len),
    );
    let cr = cr.write(&mut text, |out| write_sorted_query(out, &mut pairs));
    let (sts, signature) = write_sts(&mut text, &alg, amz_str, cr.all.clone(), finish)?;

    let mut out = SigningOutput::new(
        Span::of(cr.all.clone()),
        sts,
        Span::of(cr.signed_headers.clone()),
    );
    let mut add = |name: &'static str, span: Span| out.add_header(name, span);
    // The date is the string to sign's second line.
    let date_at = sts.start + alg.name.len() + 1;
    add(
        "x-amz-date",
        Span {
            start: date_at,
            end: date_at + amz_str.len(),
        },
    );
    if let Some(r) = alg.region_set {
        let start = text.len();
        text.push_str(r);
        add("x-amz-region-set", Span::to_end(start, &text));
    }
    if let Some(t) = token {
        let start = text.len();
        text.push_str(t);
        add("x-amz-security-token", Span::to_end(start, &text));
    }
    if sha_header {
        // The payload hash is the canonical request's last line.
        add(
            "x-amz-content-sha256",
            Span {
                start: cr.all.end - payload.len(),
                end: cr.all.end,
            },
        );
    }
    let authz = text.len();
    text.push_str(alg.name);
    text.push_str(" Credential=");
    text.push_str(credentials.access_key_id());
    text.push('/');
    alg.scope.push_to(&mut text);
    text.push_str(", SignedHeaders=");
    text.extend_from_within(cr.signed_headers);
    text.push_str(", Signature=");
    let signature_at = text.len();
    text.push_str(signature.as_ref());
    add("authorization", Span::to_end(authz, &text));
    out.signature = Span::to_end(signature_at, &text);
    out.text = text;
    out.has_token = token.is_some();
    Ok(out)
}

/// The longest signature: the hex of a DER-encoded ECDSA P-256 signature (SigV4a).
pub(crate) const MAX_SIGNATURE_LEN: usize = 144;

/// Appends the string to sign of the canonical request at `cr` in `text` and signs it with
/// `finish`; returns where the string to sign is and the signature.
pub(crate) fn write_sts<S>(
    text: &mut String,
    alg: &Algorithm<'_>,
    amz_date: &str,
    cr: std::ops::Range<usize>,
    finish: impl FnOnce(Scope<'_>, &str) -> Result<S, Error>,
) -> Result<(Span, S), Error> {
    let hash = Hex64::of(&sha256(text[cr].as_bytes()));
    let start = text.len();
    write_sts_head(text, alg.name, amz_date, alg.scope);
    text.push_str(hash.as_str());
    let signature = finish(alg.scope, &text[start..])?;
    Ok((Span::to_end(start, text), signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN/with+slash=";

    fn signed(token: bool, presign: bool) -> SigningOutput {
        let mut creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        if token {
            creds = creds.with_session_token(TOKEN);
        }
        let time = Timestamp::parse_amz_date("20150830T123600Z").unwrap_or_else(|e| panic!("{e}"));
        let req = Request::from_url("GET", "https://example.amazonaws.com/?a=b")
            .unwrap_or_else(|e| panic!("{e}"));
        let signer = Signer::s3("us-east-1").unwrap_or_else(|e| panic!("{e}"));
        if presign {
            signer.presign(&req, &creds, time, 60)
        } else {
            signer.sign(&req, &creds, time)
        }
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every part of the one string where the spans say: the canonical request ends with the
    /// payload hash header's value, the string to sign's second line is the date header's, the
    /// `Authorization` value names the `SignedHeaders` list and ends with the signature.
    #[test]
    fn output_parts_agree_with_each_other() {
        for token in [false, true] {
            let out = signed(token, false);
            let names: Vec<&str> = out.headers().map(|(n, _)| n).collect();
            let mut want = vec!["x-amz-date"];
            if token {
                want.push("x-amz-security-token");
            }
            want.extend(["x-amz-content-sha256", "authorization"]);
            assert_eq!(names, want);
            assert_eq!(out.header("x-amz-date"), Some("20150830T123600Z"));
            assert_eq!(
                out.header("x-amz-security-token"),
                Some(TOKEN).filter(|_| token)
            );
            let sha = out.header("x-amz-content-sha256").unwrap_or_default();
            assert!(out.canonical_request().ends_with(&format!("\n{sha}")));
            assert_eq!(sha, crate::canonical_request::payload::EMPTY_SHA256);
            assert_eq!(
                out.string_to_sign().lines().nth(1),
                out.header("x-amz-date")
            );
            let authz = out.header("authorization").unwrap_or_default();
            assert!(authz.ends_with(&format!(", Signature={}", out.signature())));
            assert!(authz.contains(&format!(", SignedHeaders={},", out.signed_headers())));
            assert_eq!(
                out.canonical_request().lines().rev().nth(1),
                Some(out.signed_headers())
            );
            assert_eq!(out.signature().len(), 64);
            assert_eq!((out.url(), out.query()), (None, None));
        }
        let out = signed(true, true);
        assert_eq!(out.headers().len(), 0);
        let url = out.url().unwrap_or_default().to_owned();
        assert!(url.starts_with("https://example.amazonaws.com/?"));
        assert!(url.ends_with(&format!("&X-Amz-Signature={}", out.signature())));
        assert!(url.ends_with(out.query().unwrap_or_default()));
        assert_eq!(out.clone().into_url(), Some(url.clone()));
        assert!(url.contains("X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLETOKEN%2Fwith%2Bslash%3D&"));
        let without = signed(false, true).into_url().unwrap_or_default();
        assert!(without.starts_with("https://") && !without.contains("X-Amz-Security-Token"));
    }

    /// `Debug` shows neither the session token nor anything that works as a credential for a
    /// while (the signature, the `Authorization` value, the presigned URL).
    #[test]
    fn output_debug_is_redacted() {
        for presign in [false, true] {
            let out = signed(true, presign);
            let shown = format!("{out:?}");
            assert!(!shown.contains("EXAMPLETOKEN"), "{shown}");
            assert!(!shown.contains(out.signature()), "{shown}");
            assert!(!shown.contains("Credential="), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
            assert!(shown.contains(out.signed_headers()), "{shown}");
        }
    }
}
