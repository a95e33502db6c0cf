//! Server side: verify a SigV4a request (`Authorization` header or presigned URL).
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, SigV4aSigner, SigV4aVerifier, Timestamp};
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::parse_amz_date("20150830T123600Z")?;
//! let req = Request::from_url("GET", "https://example.amazonaws.com/?a=1")?;
//! let out = SigV4aSigner::new("us-east-1,eu-west-1", "service")?.sign(&req, &creds, now)?;
//! let mut received = Request::new("GET", "/", "a=1").header("host", "example.amazonaws.com");
//! for (n, v) in out.headers() {
//!     received.push_header(n, v);
//! }
//! // A server in eu-west-1: the signed region set includes it.
//! let verifier = SigV4aVerifier::new("eu-west-1", "service")?;
//! let ok = verifier.verify(&received, now, |akid| (akid == "AKIDEXAMPLE").then(|| creds.clone()))?;
//! assert_eq!(ok.region_set(), "us-east-1,eu-west-1");
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Borrow;
use std::sync::Arc;

use crate::canonical_request::payload::{ECDSA_STREAMING, Streaming};
use crate::error::Error;
use crate::key::Credentials;
use crate::request::Request;
use crate::string_to_sign::Scope;
use crate::time::Timestamp;
use crate::verifier::{Explanation, SignatureParams, SignedFlags, SignedParts, Special, Verifier};

use super::key::{EcdsaKeyCache, EcdsaSigningKey};
use super::parse::{ParsedAuthV4a, parse_authorization_flags, parse_presigned_query_flags};
use super::{region_set_includes, scope, string_to_sign, validate_region_set};

/// What a successful SigV4a verification established. `Debug` shows the key's public part only.
#[derive(Debug, Clone)]
pub struct VerifiedV4a {
    access_key_id: String,
    region_set: String,
    time: Timestamp,
    presigned: bool,
    payload_hash: String,
    signed_headers: String,
    /// `yyyymmdd/service/aws4_request`.
    pub(super) scope: String,
    /// The request's signature: the seed of an aws-chunked body's chain.
    pub(super) signature: String,
    pub(super) key: Arc<EcdsaSigningKey>,
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

settings_constructors! {
    /// A verifier with explicit canonicalisation settings.
    ///
    /// # Errors
    /// `Error::InvalidScopePart` when `region` or `service` cannot be part of a credential
    /// scope.
    fn SigV4aVerifier::with_settings(region, service, settings) {
        Ok(SigV4aVerifier {
            rules: Verifier::with_settings(region, service, settings)?,
            cache: EcdsaKeyCache::default(),
        })
    }
}

impl SigV4aVerifier {
    /// The SigV4 verifier's checks, changed by `change` (its builder methods).
    fn map_rules(mut self, change: impl FnOnce(Verifier) -> Verifier) -> SigV4aVerifier {
        self.rules = change(self.rules);
        self
    }

    /// Sets the clock-skew allowance in seconds (default 900).
    pub fn max_clock_skew(self, seconds: u64) -> SigV4aVerifier {
        self.map_rules(|r| r.max_clock_skew(seconds))
    }

    /// See [`Verifier::insecure_accept_unsigned_payload`].
    pub fn insecure_accept_unsigned_payload(self, accept: bool) -> SigV4aVerifier {
        self.map_rules(|r| r.insecure_accept_unsigned_payload(accept))
    }

    /// See [`Verifier::insecure_accept_unsigned_amz_headers`].
    pub fn insecure_accept_unsigned_amz_headers(self, accept: bool) -> SigV4aVerifier {
        self.map_rules(|r| r.insecure_accept_unsigned_amz_headers(accept))
    }

    /// Verifies `req` (as received: wire path and query, every header, the body or its hash as
    /// payload): derives the public key of the credentials `lookup` returns for the access key
    /// ID and checks the ECDSA signature. `now` is the server's time.
    ///
    /// # Errors
    /// [`Error`] naming what is refused: a malformed or stale request, a scope or region set
    /// that does not match; a bad signature is the opaque [`Error::SignatureMismatch`].
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
        let checked = self.rules.check::<ParsedAuthV4a<'_>>(req, Some(now))?;
        let (p, c) = (&checked.parsed, &checked.canonical);
        let creds = lookup(&p.access_key_id).ok_or(Error::UnknownAccessKey)?;
        let creds = creds.borrow();
        let key = self
            .cache
            .get(creds.access_key_id(), creds.secret_access_key())?;
        let scope = scope(&p.date, &p.service);
        let sts = string_to_sign(&c.amz, scope, &c.canonical_request);
        verify_sts(&key, &sts, &p.signature)?;
        Ok(VerifiedV4a {
            access_key_id: p.access_key_id.clone().into_owned(),
            region_set: checked.region,
            time: c.time,
            presigned: checked.presigned,
            payload_hash: c.payload_hash().to_owned(),
            signed_headers: p.signed_headers.clone().into_owned(),
            scope: scope.owned(),
            signature: p.signature.clone().into_owned(),
            key,
        })
    }

    /// The canonical request and string to sign this verifier computes for `req` (every check
    /// of [`SigV4aVerifier::verify`] but the clock's and the signature's; no credentials).
    ///
    /// # Errors
    /// As [`SigV4aVerifier::verify`], for every check but the clock's and the signature's.
    pub fn explain(&self, req: &Request<'_>) -> Result<Explanation, Error> {
        let checked = self.rules.check::<ParsedAuthV4a<'_>>(req, None)?;
        let (p, c) = (checked.parsed, checked.canonical);
        let string_to_sign =
            string_to_sign(&c.amz, scope(&p.date, &p.service), &c.canonical_request);
        Ok(Explanation {
            canonical_request: c.canonical_request,
            string_to_sign,
        })
    }
}

/// Whether `signature` (the hex of a DER encoding) is `key`'s SigV4a signature of the string to
/// sign `sts` (of a request, a chunk or a trailer); the error is the opaque
/// [`Error::SignatureMismatch`].
pub(crate) fn verify_sts(key: &EcdsaSigningKey, sts: &str, signature: &str) -> Result<(), Error> {
    let der = super::unhex(signature).ok_or(Error::SignatureMismatch)?;
    if super::ecdsa::verify(key.key_pair().public(), sts.as_bytes(), &der) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}

impl<'r> SignatureParams<'r> for ParsedAuthV4a<'r> {
    /// The signed region set.
    type Region = String;
    const STREAMING: Streaming = ECDSA_STREAMING;
    fn parse_header(value: &'r str, _: Option<&Scope<'_>>) -> Result<(Self, SignedFlags), Error> {
        parse_authorization_flags(value)
    }
    fn parse_query(query: &'r str) -> Result<(Self, SignedFlags), Error> {
        parse_presigned_query_flags(query)
    }
    /// The region set (presigned: a parameter; else the signed `x-amz-region-set` header) must
    /// include `region`.
    fn check_region(
        &self,
        region: &str,
        special: &Special<'r>,
        flags: &SignedFlags,
    ) -> Result<String, Error> {
        let region_set = match &self.region_set {
            Some(r) => r.clone().into_owned(),
            None => {
                let missing = Error::MissingSignedHeader {
                    name: "x-amz-region-set",
                };
                let r = special.region_set.ok_or(missing.clone())?;
                if !flags.region_set {
                    return Err(missing);
                }
                let r = r.trim().to_owned();
                validate_region_set(&r)?;
                r
            }
        };
        if !region_set_includes(&region_set, region) {
            return Err(Error::ScopeMismatch { part: "region" });
        }
        Ok(region_set)
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
