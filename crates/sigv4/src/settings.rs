//! The rules a signer and a verifier share.

use std::borrow::Cow;

use crate::error::Error;

/// The longest allowed `X-Amz-Expires`: 7 days.
pub const MAX_EXPIRES: u64 = 604_800;

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
pub(crate) fn validate_scope_part(s: &str, part: &'static str) -> Result<(), Error> {
    if s.is_empty()
        || s.bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(Error::InvalidScopePart { part });
    }
    Ok(())
}

/// The constructor triple of a signer or verifier, written once for the SigV4 and SigV4a
/// signers and verifiers: `with_settings(scope, service, settings)` with the given docs and body,
/// `new` (the general rules: [`SigningSettings::default`]) and `s3` (the S3 rules, service `s3`:
/// [`SigningSettings::s3`]). `scope` is the region (SigV4, verifiers) or the region set (SigV4a
/// signer).
macro_rules! settings_constructors {
    (
        $(#[$doc:meta])*
        fn $ty:ident::with_settings($scope:ident, $service:ident, $settings:ident) $body:block
    ) => {
        impl $ty {
            $(#[$doc])*
            pub fn with_settings(
                $scope: &str,
                $service: &str,
                $settings: $crate::SigningSettings,
            ) -> Result<$ty, $crate::Error> $body

            /// With the general AWS rules ([`SigningSettings::default`](crate::SigningSettings::default)).
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($ty), "::with_settings`].")]
            pub fn new($scope: &str, service: &str) -> Result<$ty, $crate::Error> {
                $ty::with_settings($scope, service, $crate::SigningSettings::default())
            }

            /// With the S3 rules ([`SigningSettings::s3`](crate::SigningSettings::s3)) for service `s3`.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($ty), "::with_settings`].")]
            pub fn s3($scope: &str) -> Result<$ty, $crate::Error> {
                $ty::with_settings($scope, "s3", $crate::SigningSettings::s3())
            }
        }
    };
}
