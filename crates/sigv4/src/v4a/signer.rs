//! Signing and presigning with SigV4a.
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, SigV4aSigner, Timestamp};
//! // A Multi-Region Access Point: every region (`*`), service s3.
//! let signer = SigV4aSigner::s3("*")?;
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key")?;
//! let out = signer.sign(&req, &creds, Timestamp::parse_amz_date("20150830T123600Z")?)?;
//! let authz = &out.headers.iter().find(|(n, _)| *n == "authorization").unwrap().1;
//! assert!(authz.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, "));
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use crate::ascii::uri_encode_into;
use crate::canonical_request::CanonicalRequest;
use crate::canonical_request::headers::write_signed_headers;
use crate::canonical_request::payload::{PayloadHash, UNSIGNED_PAYLOAD};
use crate::canonical_request::query::{query_pairs, write_sorted_query};
use crate::error::Error;
use crate::key::Credentials;
use crate::request::{HeaderBuf, Payload, Request, validate_method};
use crate::settings::{MAX_EXPIRES, SessionTokenMode, SigningSettings, validate_scope_part};
use crate::signer::{SigningOutput, collect_headers};
use crate::time::{AmzDate, Timestamp};

use super::key::{EcdsaKeyCache, EcdsaSigningKey};
use super::{ALGORITHM, scope, string_to_sign, validate_region_set};

/// Signs requests with SigV4a for one region set and service, with an [`EcdsaKeyCache`].
#[derive(Debug)]
pub struct SigV4aSigner {
    region_set: String,
    service: String,
    settings: SigningSettings,
    cache: EcdsaKeyCache,
}

impl SigV4aSigner {
    /// A signer with the general AWS rules for `region_set` (`*`, or regions separated by ',').
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn new(region_set: &str, service: &str) -> Result<SigV4aSigner, Error> {
        SigV4aSigner::with_settings(region_set, service, SigningSettings::default())
    }

    /// A signer with the S3 rules ([`SigningSettings::s3`]) for service `s3`: what a
    /// Multi-Region Access Point takes (region set `*`).
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn s3(region_set: &str) -> Result<SigV4aSigner, Error> {
        SigV4aSigner::with_settings(region_set, "s3", SigningSettings::s3())
    }

    /// A signer with explicit settings.
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn with_settings(
        region_set: &str,
        service: &str,
        settings: SigningSettings,
    ) -> Result<SigV4aSigner, Error> {
        validate_region_set(region_set)?;
        validate_scope_part(service, "service")?;
        Ok(SigV4aSigner {
            region_set: region_set.to_owned(),
            service: service.to_owned(),
            settings,
            cache: EcdsaKeyCache::default(),
        })
    }

    /// The region set.
    pub fn region_set(&self) -> &str {
        &self.region_set
    }

    /// The service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.settings
    }

    /// The (cached) SigV4a key of `credentials`.
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn signing_key(&self, credentials: &Credentials) -> Result<Arc<EcdsaSigningKey>, Error> {
        self.cache
            .get(credentials.access_key_id(), credentials.secret_access_key())
    }

    /// The payload hash to sign: streaming bodies with signed chunks are SigV4-only here.
    fn payload_hash(&self, payload: &Payload<'_>) -> Result<PayloadHash, Error> {
        match payload {
            Payload::StreamingSigned | Payload::StreamingSignedTrailer => Err(Error::Unsupported {
                what: "SigV4a signed-chunk streaming (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD); \
                           use a SigV4 signer, or UNSIGNED-PAYLOAD / STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            }),
            p => PayloadHash::from_payload(p),
        }
    }

    /// The string to sign of `canonical_request` and its signature (hex of the DER encoding).
    fn finish(
        &self,
        credentials: &Credentials,
        amz: &AmzDate,
        scope: &str,
        canonical_request: &str,
    ) -> Result<(String, String), Error> {
        let sts = string_to_sign(amz, scope, canonical_request);
        let key = self.signing_key(credentials)?;
        let signature = super::ecdsa::sign(key.key_pair(), sts.as_bytes());
        Ok((sts, super::hex(signature.as_bytes())))
    }

    /// Signs into the `Authorization` header; the headers to add are `x-amz-date`,
    /// `x-amz-region-set`, `x-amz-security-token` and `x-amz-content-sha256` as configured, then
    /// `authorization`.
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn sign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
    ) -> Result<SigningOutput, Error> {
        validate_method(req.method())?;
        let payload = self.payload_hash(req.payload_ref())?;
        let payload = payload.as_str();
        let amz = time.amz();
        let scope = scope(amz.date(), &self.service);
        let token = credentials.session_token();
        let sign_token = token.filter(|_| self.settings.session_token == SessionTokenMode::Signed);
        let sha_header = self.settings.content_sha256_header;

        let mut headers = HeaderBuf::new();
        let added = [
            Some(("x-amz-date", amz.as_str())),
            Some(("x-amz-region-set", self.region_set.as_str())),
            sign_token.map(|t| ("x-amz-security-token", t)),
            Some(("x-amz-content-sha256", payload)).filter(|_| sha_header),
        ];
        let replaced: &[&str] = match (sign_token.is_some(), sha_header) {
            (false, false) => &["x-amz-date", "x-amz-region-set"],
            (true, false) => &["x-amz-date", "x-amz-region-set", "x-amz-security-token"],
            (false, true) => &["x-amz-date", "x-amz-region-set", "x-amz-content-sha256"],
            (true, true) => &[
                "x-amz-date",
                "x-amz-region-set",
                "x-amz-security-token",
                "x-amz-content-sha256",
            ],
        };
        for h in added.into_iter().flatten() {
            headers.push(h);
        }
        collect_headers(&self.settings, req, replaced, &mut headers)?;
        let headers = headers.as_slice();
        let mut signed = String::new();
        write_signed_headers(&mut signed, headers);

        let mut pairs = Vec::new();
        query_pairs(req.query(), &mut pairs);
        let mut cr = String::new();
        CanonicalRequest {
            method: req.method(),
            path: req.path(),
            normalize: self.settings.normalize_path,
            double_encode: self.settings.double_encode_path,
            headers,
            signed_headers: &signed,
            payload_hash: payload,
        }
        .write(&mut cr, req.query().len(), |out| {
            write_sorted_query(out, &mut pairs)
        });

        let (sts, signature) = self.finish(credentials, &amz, &scope, &cr)?;
        let mut authz = String::with_capacity(
            ALGORITHM.len()
                + 60
                + credentials.access_key_id().len()
                + scope.len()
                + signed.len()
                + signature.len(),
        );
        authz.push_str(ALGORITHM);
        authz.push_str(" Credential=");
        authz.push_str(credentials.access_key_id());
        authz.push('/');
        authz.push_str(&scope);
        authz.push_str(", SignedHeaders=");
        authz.push_str(&signed);
        authz.push_str(", Signature=");
        authz.push_str(&signature);
        let mut out_headers = Vec::with_capacity(5);
        out_headers.push(("x-amz-date", amz.as_str().to_owned()));
        out_headers.push(("x-amz-region-set", self.region_set.clone()));
        if let Some(t) = token {
            out_headers.push(("x-amz-security-token", t.to_owned()));
        }
        if sha_header {
            out_headers.push(("x-amz-content-sha256", payload.to_owned()));
        }
        out_headers.push(("authorization", authz));
        Ok(SigningOutput::new(cr, sts, signature, signed, out_headers))
    }

    /// Presigns: the `X-Amz-*` parameters, `X-Amz-Region-Set` among them, go in the query
    /// (`X-Amz-Expires` = `expires_seconds`, 1..=604800). Returns the signed query and, when the
    /// request knows its scheme and host, the URL.
    ///
    /// # Errors
    /// [`Error`] when the region set, service, credentials or request cannot be signed (the
    /// variant names what is wrong).
    pub fn presign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
        expires_seconds: u64,
    ) -> Result<SigningOutput, Error> {
        if !(1..=MAX_EXPIRES).contains(&expires_seconds) {
            return Err(Error::InvalidExpires {
                seconds: expires_seconds,
            });
        }
        validate_method(req.method())?;
        let payload = if self.settings.presign_unsigned_payload {
            PayloadHash::parse(UNSIGNED_PAYLOAD)?
        } else {
            self.payload_hash(req.payload_ref())?
        };
        let amz = time.amz();
        let scope = scope(amz.date(), &self.service);

        let mut headers = HeaderBuf::new();
        collect_headers(&self.settings, req, &[], &mut headers)?;
        let headers = headers.as_slice();
        let mut signed = String::new();
        write_signed_headers(&mut signed, headers);

        let token = credentials.session_token();
        let token_signed = self.settings.session_token == SessionTokenMode::Signed;
        let enc = |s: &str| {
            let mut v = String::with_capacity(s.len() + 8);
            uri_encode_into(&mut v, s, true);
            Cow::Owned(v)
        };
        let mut credential =
            String::with_capacity(credentials.access_key_id().len() + 1 + scope.len());
        credential.push_str(credentials.access_key_id());
        credential.push('/');
        credential.push_str(&scope);

        let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
        query_pairs(req.query(), &mut pairs);
        pairs.retain(|(k, _)| k != "X-Amz-Signature");
        pairs.push((Cow::Borrowed("X-Amz-Algorithm"), Cow::Borrowed(ALGORITHM)));
        pairs.push((Cow::Borrowed("X-Amz-Credential"), enc(&credential)));
        pairs.push((Cow::Borrowed("X-Amz-Date"), Cow::Borrowed(amz.as_str())));
        pairs.push((
            Cow::Borrowed("X-Amz-Expires"),
            Cow::Owned(expires_seconds.to_string()),
        ));
        pairs.push((Cow::Borrowed("X-Amz-Region-Set"), enc(&self.region_set)));
        if let Some(t) = token.filter(|_| token_signed) {
            pairs.push((Cow::Borrowed("X-Amz-Security-Token"), enc(t)));
        }
        pairs.push((Cow::Borrowed("X-Amz-SignedHeaders"), enc(&signed)));

        let mut cr = String::new();
        let query = CanonicalRequest {
            method: req.method(),
            path: req.path(),
            normalize: self.settings.normalize_path,
            double_encode: self.settings.double_encode_path,
            headers,
            signed_headers: &signed,
            payload_hash: payload.as_str(),
        }
        .write(&mut cr, req.query().len() + 256, |out| {
            write_sorted_query(out, &mut pairs)
        });
        let (sts, signature) = self.finish(credentials, &amz, &scope, &cr)?;

        // The URL: origin and path, the canonical query, an unsigned token, the signature.
        let origin = req.scheme().zip(req.host());
        let mut url = String::new();
        if let Some((s, h)) = origin {
            url.push_str(s);
            url.push_str("://");
            url.push_str(h);
            url.push_str(req.path());
            url.push('?');
        }
        let query_at = url.len();
        url.push_str(&cr[query]);
        if let Some(t) = token.filter(|_| !token_signed) {
            url.push_str("&X-Amz-Security-Token=");
            uri_encode_into(&mut url, t, true);
        }
        url.push_str("&X-Amz-Signature=");
        url.push_str(&signature);
        let mut out = SigningOutput::new(cr, sts, signature, signed, Vec::new());
        out.set_presigned(url, query_at, origin.is_some());
        Ok(out)
    }
}
