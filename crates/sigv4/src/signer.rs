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
//! assert_eq!(out.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! for (name, value) in &out.headers {
//!     // add `name: value` to the request: x-amz-date and authorization here
//! #   let _ = (name, value);
//! }
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use crate::ascii::{Hex64, uri_encode_into};
use crate::canonical_request::CanonicalRequest;
use crate::canonical_request::headers::signed_headers_list;
use crate::canonical_request::payload::{HMAC_STREAMING, PayloadHash, Streaming};
use crate::canonical_request::query::{query_pairs, write_sorted_query};
use crate::error::Error;
use crate::key::{Credentials, SigningKey};
use crate::key_cache::SigningKeyCache;
#[cfg(feature = "http")]
use crate::request::Payload;
use crate::request::{HeaderBuf, Request, validate_header, validate_method};
use crate::settings::{SessionTokenMode, SigningSettings, validate_scope_part};
use crate::sha::sha256;
use crate::string_to_sign::{ALGORITHM, Scope, sts_head};
use crate::time::{AmzDate, Timestamp};

/// Everything a signing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningOutput {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature: 64 lower-case hex digits (SigV4), or the hex of the DER-encoded ECDSA
    /// signature (SigV4a).
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

    /// Completes the string to sign `sts` (from [`sts_head`] for `scope`) with the hash of
    /// `canonical_request` and returns the signature.
    pub(crate) fn finish_sts(
        &self,
        credentials: &Credentials,
        scope: Scope<'_>,
        sts: &mut String,
        canonical_request: &str,
    ) -> Hex64 {
        let hash = Hex64::of(&sha256(canonical_request.as_bytes()));
        sts.push_str(hash.as_str());
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
        let finish = |scope: Scope<'_>, sts: &mut String, cr: &str| {
            Ok::<_, Error>(self.finish_sts(credentials, scope, sts, cr))
        };
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
/// and `x-amz-content-sha256` as configured), the signature `finish` computes (given the string
/// to sign's head, which it completes, and the canonical request), and the headers to add.
pub(crate) fn sign_headers<S: AsRef<str>>(
    config: &SignerConfig,
    req: &Request<'_>,
    credentials: &Credentials,
    time: Timestamp,
    finish: impl FnOnce(Scope<'_>, &mut String, &str) -> Result<S, Error>,
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
    let signed = signed_headers_list(headers, lower_case_names);

    let mut pairs = Vec::new();
    query_pairs(req.query(), &mut pairs);
    let (cr, _) = CanonicalRequest {
        method: req.method(),
        path: req.path(),
        normalize: settings.normalize_path,
        double_encode: settings.double_encode_path,
        headers,
        lower_case_names,
        signed_headers: &signed,
        payload_hash: payload,
    }
    .write(req.query().len(), |out| write_sorted_query(out, &mut pairs));

    let mut sts = sts_head(alg.name, amz_str, alg.scope);
    let signature = finish(alg.scope, &mut sts, &cr)?;
    let signature = signature.as_ref();

    let mut authz = String::with_capacity(
        alg.name.len()
            + " Credential=".len()
            + credentials.access_key_id().len()
            + 1
            + alg.scope.len()
            + ", SignedHeaders=".len()
            + signed.len()
            + ", Signature=".len()
            + signature.len(),
    );
    authz.push_str(alg.name);
    authz.push_str(" Credential=");
    authz.push_str(credentials.access_key_id());
    authz.push('/');
    alg.scope.push_to(&mut authz);
    authz.push_str(", SignedHeaders=");
    authz.push_str(&signed);
    authz.push_str(", Signature=");
    authz.push_str(signature);
    let mut out_headers = Vec::with_capacity(4 + usize::from(alg.region_set.is_some()));
    out_headers.push(("x-amz-date", amz_str.to_owned()));
    if let Some(r) = alg.region_set {
        out_headers.push(("x-amz-region-set", r.to_owned()));
    }
    if let Some(t) = token {
        out_headers.push(("x-amz-security-token", t.to_owned()));
    }
    if sha_header {
        out_headers.push(("x-amz-content-sha256", payload.to_owned()));
    }
    out_headers.push(("authorization", authz));
    Ok(SigningOutput::new(
        cr,
        sts,
        signature.to_owned(),
        signed,
        out_headers,
    ))
}
