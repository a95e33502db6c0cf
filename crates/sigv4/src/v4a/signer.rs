//! Signing and presigning with SigV4a.
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, SigV4aSigner, Timestamp};
//! // A Multi-Region Access Point: every region (`*`), service s3.
//! let signer = SigV4aSigner::s3("*")?;
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key")?;
//! let out = signer.sign(&req, &creds, Timestamp::parse_amz_date("20150830T123600Z")?)?;
//! let authz = out.header("authorization").unwrap();
//! assert!(authz.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, "));
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::sync::Arc;

use crate::canonical_request::payload::ECDSA_STREAMING;
use crate::error::Error;
use crate::key::Credentials;
use crate::presigner::presign_query;
use crate::request::Request;
use crate::settings::SigningSettings;
use crate::signer::{SignerConfig, SigningOutput, sign_headers};
use crate::string_to_sign::Scope;
use crate::time::Timestamp;

use super::key::{EcdsaKeyCache, EcdsaSigningKey};
use super::{ALGORITHM, validate_region_set};

/// Signs requests with SigV4a for one region set and service, with an [`EcdsaKeyCache`].
#[derive(Debug)]
pub struct SigV4aSigner {
    config: SignerConfig,
    cache: EcdsaKeyCache,
}

settings_constructors! {
    /// A signer with explicit settings for `region_set` (`*`, or regions separated by ','; S3's
    /// Multi-Region Access Points take `*`).
    ///
    /// # Errors
    /// [`Error`] when the region set or service cannot be signed (the variant names what is
    /// wrong).
    fn SigV4aSigner::with_settings(region_set, service, settings) {
        validate_region_set(region_set)?;
        Ok(SigV4aSigner {
            config: SignerConfig::new(
                ALGORITHM,
                region_set,
                false,
                service,
                settings,
                ECDSA_STREAMING,
            )?,
            cache: EcdsaKeyCache::default(),
        })
    }
}

impl SigV4aSigner {
    /// The region set.
    pub fn region_set(&self) -> &str {
        &self.config.region
    }

    /// The service.
    pub fn service(&self) -> &str {
        &self.config.service
    }

    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.config.settings
    }

    /// The (cached) SigV4a key of `credentials`.
    ///
    /// # Errors
    /// [`Error::KeyDerivation`] in the (practically unreachable) case that the key cannot be
    /// derived.
    pub fn signing_key(&self, credentials: &Credentials) -> Result<Arc<EcdsaSigningKey>, Error> {
        self.cache
            .get(credentials.access_key_id(), credentials.secret_access_key())
    }

    /// The signature (hex of the DER encoding) of the string to sign `sts`.
    fn finish(&self, credentials: &Credentials, sts: &str) -> Result<String, Error> {
        let key = self.signing_key(credentials)?;
        Ok(sign_sts(&key, sts))
    }

    /// Signs into the `Authorization` header; the headers to add are `x-amz-date`,
    /// `x-amz-region-set`, `x-amz-security-token` and `x-amz-content-sha256` as configured, then
    /// `authorization`.
    ///
    /// # Errors
    /// [`Error`] when the credentials or request cannot be signed (the variant names what is
    /// wrong).
    pub fn sign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
    ) -> Result<SigningOutput, Error> {
        let finish = |_: Scope<'_>, sts: &str| self.finish(credentials, sts);
        sign_headers(&self.config, req, credentials, time, finish)
    }

    /// Presigns: the `X-Amz-*` parameters, `X-Amz-Region-Set` among them, go in the query
    /// (`X-Amz-Expires` = `expires_seconds`, 1..=604800). Returns the signed query and, when the
    /// request knows its scheme and host, the URL.
    ///
    /// # Errors
    /// `Error::InvalidExpires` for `expires_seconds` out of range, and the errors of
    /// [`SigV4aSigner::sign`].
    pub fn presign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
        expires_seconds: u64,
    ) -> Result<SigningOutput, Error> {
        let finish = |_: Scope<'_>, sts: &str| self.finish(credentials, sts);
        presign_query(
            &self.config,
            req,
            credentials,
            time,
            expires_seconds,
            finish,
        )
    }
}

/// The SigV4a signature of a string to sign (of a request, a chunk or a trailer): the hex of the
/// DER encoding of the ECDSA signature of its SHA-256.
pub(crate) fn sign_sts(key: &EcdsaSigningKey, sts: &str) -> String {
    super::hex(super::ecdsa::sign(key.key_pair(), sts.as_bytes()).as_bytes())
}
