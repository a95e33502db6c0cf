//! The one error type of this crate.
//!
//! ```
//! use iamkit_sigv4::Error;
//! let e = Error::InvalidExpires { seconds: 0 };
//! assert!(e.to_string().contains("1..=604800"));
//! ```

use std::fmt;

/// Everything that can go wrong while signing or verifying.
///
/// No variant ever carries a secret, a session token or an expected signature: a signature that
/// does not match is reported as the opaque [`Error::SignatureMismatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL could not be used (what is wrong is in `reason`).
    InvalidUrl {
        /// What is wrong, and what was expected.
        reason: &'static str,
    },
    /// The HTTP method is empty or holds characters a method cannot have.
    InvalidMethod,
    /// A header name or value cannot be signed.
    InvalidHeader {
        /// The header name (lower-cased), never its value.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The request has no `host` header and no host was given from a URL.
    MissingHost,
    /// A region or service name is empty or contains `/`, whitespace or control characters.
    InvalidScopePart {
        /// `"region"` or `"service"`.
        part: &'static str,
    },
    /// A timestamp could not be parsed or is out of range.
    InvalidTimestamp {
        /// What was expected.
        reason: &'static str,
    },
    /// A payload hash is not 64 lower-case hex digits nor one of the known constants.
    InvalidPayloadHash,
    /// `X-Amz-Expires` must be within 1..=604800 seconds (7 days).
    InvalidExpires {
        /// The value given.
        seconds: u64,
    },
    /// The request carries no `Authorization` header and no presigned query parameters.
    MissingAuthorization,
    /// The `Authorization` header or the presigned query parameters cannot be parsed.
    MalformedAuthorization {
        /// What is wrong.
        reason: &'static str,
    },
    /// The algorithm is not `AWS4-HMAC-SHA256`.
    UnsupportedAlgorithm,
    /// The credential scope is not `AKID/yyyymmdd/region/service/aws4_request`,
    /// or its date differs from the request date.
    MalformedCredentialScope {
        /// What is wrong.
        reason: &'static str,
    },
    /// The credential scope names another region or service than this verifier serves.
    ScopeMismatch {
        /// `"region"` or `"service"`.
        part: &'static str,
    },
    /// The lookup function knows no secret for the access key ID.
    UnknownAccessKey,
    /// A header that must be signed is not in `SignedHeaders` (or is absent from the request).
    MissingSignedHeader {
        /// The header name, lower-case.
        name: &'static str,
    },
    /// A header listed in `SignedHeaders` is not present in the request.
    SignedHeaderAbsent {
        /// The header name, lower-case.
        name: String,
    },
    /// The request date differs from the verifier's clock by more than the allowed skew.
    RequestTimeSkewed {
        /// Request time minus now, in seconds.
        skew_seconds: i64,
        /// The allowance, in seconds.
        allowed_seconds: u64,
    },
    /// The presigned URL has expired.
    PresignExpired,
    /// The body does not hash to the signed `x-amz-content-sha256`.
    PayloadHashMismatch,
    /// The signature does not match (deliberately opaque).
    SignatureMismatch,
    /// An aws-chunked body is malformed.
    MalformedChunk {
        /// What is wrong.
        reason: &'static str,
    },
    /// A chunk or trailer signature does not match (deliberately opaque).
    ChunkSignatureMismatch,
    /// The request carries an `x-amz-*` header that `SignedHeaders` does not list (S3: "There
    /// were headers present in the request which were not signed").
    UnsignedHeader {
        /// The header name, lower-case (never its value).
        name: String,
    },
    /// The payload hash is `UNSIGNED-PAYLOAD` or a `STREAMING-*` constant and the verifier
    /// does not accept bodies the signature does not cover (the default outside S3).
    UnsignedPayload,
    /// SigV4a: the region set is not `*` or region names separated by ','.
    InvalidRegionSet {
        /// What is wrong.
        reason: &'static str,
    },
    /// SigV4a: no P-256 key could be derived from the credentials (never seen in practice:
    /// each of 255 candidates fails with probability about 2^-32).
    KeyDerivation,
    /// The request's algorithm is not the one this verifier checks.
    WrongAlgorithm {
        /// The algorithm expected.
        expected: &'static str,
    },
    /// Something this crate does not do (what, and what to use instead).
    Unsupported {
        /// What is not supported.
        what: &'static str,
    },
    /// `SignedHeaders` names more headers than the verifier accepts.
    TooManySignedHeaders {
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl { reason } => write!(f, "invalid URL: {reason}"),
            Error::InvalidMethod => f.write_str("invalid HTTP method: expected a non-empty token such as GET"),
            Error::InvalidHeader { name, reason } => write!(f, "invalid header {name:?}: {reason}"),
            Error::MissingHost => f.write_str("no host: give a URL with a host or a `host` header"),
            Error::InvalidScopePart { part } => write!(
                f,
                "invalid {part}: expected a non-empty name without '/', whitespace or control characters"
            ),
            Error::InvalidTimestamp { reason } => write!(f, "invalid timestamp: {reason}"),
            Error::InvalidPayloadHash => f.write_str(
                "invalid payload hash: expected 64 lower-case hex digits, UNSIGNED-PAYLOAD or a STREAMING-* constant",
            ),
            Error::InvalidExpires { seconds } => {
                write!(f, "invalid expiry {seconds}s: X-Amz-Expires must be within 1..=604800")
            }
            Error::MissingAuthorization => f.write_str(
                "request is not signed: no Authorization header and no X-Amz-Signature query parameter",
            ),
            Error::MalformedAuthorization { reason } => write!(f, "malformed authorization: {reason}"),
            Error::UnsupportedAlgorithm => f.write_str("unsupported algorithm: expected AWS4-HMAC-SHA256"),
            Error::MalformedCredentialScope { reason } => write!(
                f,
                "malformed credential scope ({reason}): expected AKID/yyyymmdd/region/service/aws4_request"
            ),
            Error::ScopeMismatch { part } => write!(f, "credential scope names another {part}"),
            Error::UnknownAccessKey => f.write_str("unknown access key ID"),
            Error::MissingSignedHeader { name } => write!(f, "header {name:?} must be signed but is not"),
            Error::SignedHeaderAbsent { name } => {
                write!(f, "header {name:?} is listed in SignedHeaders but absent from the request")
            }
            Error::RequestTimeSkewed { skew_seconds, allowed_seconds } => write!(
                f,
                "request time is {skew_seconds}s from now; at most {allowed_seconds}s allowed"
            ),
            Error::PresignExpired => f.write_str("presigned URL has expired"),
            Error::PayloadHashMismatch => f.write_str("body does not match the signed payload hash"),
            Error::SignatureMismatch => f.write_str("signature does not match"),
            Error::MalformedChunk { reason } => write!(f, "malformed aws-chunked body: {reason}"),
            Error::ChunkSignatureMismatch => f.write_str("chunk signature does not match"),
            Error::UnsignedHeader { name } => write!(
                f,
                "header {name:?} is present but not signed: every x-amz-* header must be in SignedHeaders"
            ),
            Error::UnsignedPayload => f.write_str(
                "the payload is not signed (UNSIGNED-PAYLOAD or STREAMING-*): expected the body's SHA-256",
            ),
            Error::InvalidRegionSet { reason } => write!(f, "invalid region set: {reason}"),
            Error::KeyDerivation => f.write_str("no SigV4a key could be derived from the credentials"),
            Error::WrongAlgorithm { expected } => {
                write!(f, "unsupported algorithm: expected {expected}")
            }
            Error::Unsupported { what } => write!(f, "not supported: {what}"),
            Error::TooManySignedHeaders { max } => {
                write!(f, "SignedHeaders names more than {max} headers")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        None
    }
}
