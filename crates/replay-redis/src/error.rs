//! The one error type of this crate: a store that cannot be configured as asked.
//!
//! Failures while verifying (Redis unreachable, timed out, answering wrongly) are not here: they
//! are [`iamkit_otp::StoreError`]s inside [`iamkit_otp::Refused::Store`], so that a verifier fails
//! closed whatever store it uses.

use core::fmt;

/// Why a [`crate::RedisStore`] could not be built.
///
/// No variant carries a password: URLs are described without their credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The store URL is malformed or of an unknown scheme.
    InvalidUrl {
        /// What is wrong, and what was expected.
        reason: String,
    },
    /// An option is out of range or contradicts another.
    InvalidOption {
        /// What is wrong, and what was expected.
        reason: String,
    },
    /// TLS was asked for, but this build has no TLS (the `tls` feature is off).
    TlsUnavailable,
    /// The Redis client refused the configuration (for instance a certificate that does not
    /// parse).
    Client {
        /// The client's explanation.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl { reason } => write!(f, "invalid Redis URL: {reason}"),
            Error::InvalidOption { reason } => write!(f, "invalid Redis store option: {reason}"),
            Error::TlsUnavailable => f.write_str(
                "TLS (rediss://) asked for, but iamkit-replay-redis was built without its `tls` feature",
            ),
            Error::Client { reason } => write!(f, "Redis client configuration refused: {reason}"),
        }
    }
}

impl std::error::Error for Error {}
