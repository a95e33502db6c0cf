//! Server side: verify a SigV4a request (`Authorization` header or presigned URL).
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, SigV4aSigner, SigV4aVerifier, Timestamp};
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::parse_amz_date("20150830T123600Z")?;
//! let req = Request::from_url("GET", "https://example.amazonaws.com/?a=1")?;
//! let out = SigV4aSigner::new("us-east-1,eu-west-1", "service")?.sign(&req, &creds, now)?;
//! let mut received = Request::new("GET", "/", "a=1").header("host", "example.amazonaws.com");
//! for (n, v) in &out.headers {
//!     received.push_header(n, v);
//! }
//! // A server in eu-west-1: the signed region set includes it.
//! let verifier = SigV4aVerifier::new("eu-west-1", "service")?;
//! let ok = verifier.verify(&received, now, |akid| (akid == "AKIDEXAMPLE").then(|| creds.clone()))?;
//! assert_eq!(ok.region_set(), "us-east-1,eu-west-1");
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Borrow;

use crate::error::Error;
use crate::key::Credentials;
use crate::request::Request;
use crate::settings::SigningSettings;
use crate::time::Timestamp;
use crate::verifier::{Canonicalized, Explanation, SignedParts, Special, Verifier};

use super::key::EcdsaKeyCache;
use super::parse::{ParsedAuthV4a, parse_authorization_flags, parse_presigned_query_flags};
use super::{region_set_includes, scope, string_to_sign, validate_region_set};

/// What a successful SigV4a verification established.
#[derive(Debug, Clone)]
pub struct VerifiedV4a {
    access_key_id: String,
    region_set: String,
    time: Timestamp,
    presigned: bool,
    payload_hash: String,
    signed_headers: String,
}

impl VerifiedV4a {
    /// The access key ID that signed.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// The signed region set (it includes the verifier's region).
    pub fn region_set(&self) -> &str {
        &self.region_set
    }
    /// The request time.
    pub fn time(&self) -> Timestamp {
        self.time
    }
    /// Whether the request was presigned (query parameters) rather than header-signed.
    pub fn is_presigned(&self) -> bool {
        self.presigned
    }
    /// The names of the headers the signature covers, lower-case and sorted.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> + '_ {
        self.signed_headers.split(';')
    }
    /// The signed payload hash (or `UNSIGNED-PAYLOAD`).
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }
}

/// Verifies SigV4a requests for one region (which the signed region set must include) and
/// service, with the same checks as the SigV4 [`Verifier`]: scope, clock skew, expiry, signed
/// `host`/`x-amz-date`/`x-amz-content-sha256`/`x-amz-region-set`, no unsigned `x-amz-*` header,
/// payload hash.
#[derive(Debug)]
pub struct SigV4aVerifier {
    rules: Verifier,
    cache: EcdsaKeyCache,
}

impl SigV4aVerifier {
    /// A verifier with the general AWS rules.
    ///
    /// # Errors
    /// [`Error`] naming what is refused: bad settings, a malformed or stale request, a scope
    /// or region set that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
    pub fn new(region: &str, service: &str) -> Result<SigV4aVerifier, Error> {
        SigV4aVerifier::with_settings(region, service, SigningSettings::default())
    }

    /// A verifier with the S3 rules for service `s3`.
    ///
    /// # Errors
    /// [`Error`] naming what is refused: bad settings, a malformed or stale request, a scope
    /// or region set that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
    pub fn s3(region: &str) -> Result<SigV4aVerifier, Error> {
        SigV4aVerifier::with_settings(region, "s3", SigningSettings::s3())
    }

    /// A verifier with explicit canonicalisation settings.
    ///
    /// # Errors
    /// [`Error`] naming what is refused: bad settings, a malformed or stale request, a scope
    /// or region set that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
    pub fn with_settings(
        region: &str,
        service: &str,
        settings: SigningSettings,
    ) -> Result<SigV4aVerifier, Error> {
        Ok(SigV4aVerifier {
            rules: Verifier::with_settings(region, service, settings)?,
            cache: EcdsaKeyCache::default(),
        })
    }

    /// Sets the clock-skew allowance in seconds (default 900).
    pub fn max_clock_skew(mut self, seconds: u64) -> SigV4aVerifier {
        self.rules = self.rules.max_clock_skew(seconds);
        self
    }

    /// See [`Verifier::insecure_accept_unsigned_payload`].
    pub fn insecure_accept_unsigned_payload(mut self, accept: bool) -> SigV4aVerifier {
        self.rules = self.rules.insecure_accept_unsigned_payload(accept);
        self
    }

    /// See [`Verifier::insecure_accept_unsigned_amz_headers`].
    pub fn insecure_accept_unsigned_amz_headers(mut self, accept: bool) -> SigV4aVerifier {
        self.rules = self.rules.insecure_accept_unsigned_amz_headers(accept);
        self
    }

    /// Verifies `req` (as received: wire path and query, every header, the body or its hash as
    /// payload): derives the public key of the credentials `lookup` returns for the access key
    /// ID and checks the ECDSA signature. `now` is the server's time.
    ///
    /// # Errors
    /// [`Error`] naming what is refused: bad settings, a malformed or stale request, a scope
    /// or region set that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
    pub fn verify<F, C>(
        &self,
        req: &Request<'_>,
        now: Timestamp,
        lookup: F,
    ) -> Result<VerifiedV4a, Error>
    where
        F: FnOnce(&str) -> Option<C>,
        C: Borrow<Credentials>,
    {
        let (p, region_set, presigned, c) = self.prepare(req, Some(now))?;
        let creds = lookup(&p.access_key_id).ok_or(Error::UnknownAccessKey)?;
        let creds = creds.borrow();
        let key = self
            .cache
            .get(creds.access_key_id(), creds.secret_access_key())?;
        let sts = string_to_sign(&c.amz, &scope(&p.date, &p.service), &c.canonical_request);
        let der = super::unhex(&p.signature).ok_or(Error::SignatureMismatch)?;
        if !super::ecdsa::verify(key.key_pair().public(), sts.as_bytes(), &der) {
            return Err(Error::SignatureMismatch);
        }
        Ok(VerifiedV4a {
            access_key_id: p.access_key_id.into_owned(),
            region_set,
            time: c.time,
            presigned,
            payload_hash: c.payload.as_str().to_owned(),
            signed_headers: p.signed_headers.into_owned(),
        })
    }

    /// The canonical request and string to sign this verifier computes for `req` (every check
    /// of [`SigV4aVerifier::verify`] but the clock's and the signature's; no credentials).
    ///
    /// # Errors
    /// [`Error`] naming what is refused: bad settings, a malformed or stale request, a scope
    /// or region set that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
    pub fn explain(&self, req: &Request<'_>) -> Result<Explanation, Error> {
        let (p, _, _, c) = self.prepare(req, None)?;
        let string_to_sign =
            string_to_sign(&c.amz, &scope(&p.date, &p.service), &c.canonical_request);
        Ok(Explanation {
            canonical_request: c.canonical_request,
            string_to_sign,
        })
    }

    #[allow(clippy::type_complexity)]
    fn prepare<'r>(
        &self,
        req: &'r Request<'_>,
        now: Option<Timestamp>,
    ) -> Result<(ParsedAuthV4a<'r>, String, bool, Canonicalized), Error> {
        let special = Special::of(req);
        let ((p, flags), presigned) = if let Some(authz) = special.authorization {
            (parse_authorization_flags(authz)?, false)
        } else if req
            .query()
            .split('&')
            .any(|p| p.starts_with("X-Amz-Signature=") || p.starts_with("X-Amz-Algorithm="))
        {
            (parse_presigned_query_flags(req.query())?, true)
        } else {
            return Err(Error::MissingAuthorization);
        };
        let (region, service) = self.rules.region_and_service();
        if p.service != service {
            return Err(Error::ScopeMismatch { part: "service" });
        }
        let region_set = match &p.region_set {
            Some(r) => r.clone().into_owned(),
            None => {
                let r = special.region_set.ok_or(Error::MissingSignedHeader {
                    name: "x-amz-region-set",
                })?;
                if !flags.region_set {
                    return Err(Error::MissingSignedHeader {
                        name: "x-amz-region-set",
                    });
                }
                let r = r.trim().to_owned();
                validate_region_set(&r)?;
                r
            }
        };
        if !region_set_includes(&region_set, region) {
            return Err(Error::ScopeMismatch { part: "region" });
        }
        let c = self.rules.canonicalize(
            req,
            &special,
            &SignedParts {
                date: &p.date,
                signed_headers: &p.signed_headers,
                flags: &flags,
                amz_date: p.amz_date.as_deref(),
                expires: p.expires,
            },
            presigned,
            now,
        )?;
        Ok((p, region_set, presigned, c))
    }
}
