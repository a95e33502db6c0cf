//! The one error type of this crate.
//!
//! ```
//! use iamkit_aws::{Error, TokenCode};
//! let err = TokenCode::new("12345").unwrap_err();
//! assert!(matches!(err, Error::InvalidParameter { name: "TokenCode", .. }));
//! assert!(err.to_string().contains("6 digits"));
//! ```

use std::fmt;

/// Everything that can go wrong while building, signing, sending or reading an STS or IAM call.
///
/// No variant carries a secret: not a secret access key, a session token or an MFA code. AWS's
/// own error message is kept (it names what AWS refused, never a secret), cut to a few hundred
/// characters of printable text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A request parameter breaks one of AWS's rules (checked before anything is sent).
    InvalidParameter {
        /// AWS's name for the parameter (`DurationSeconds`, `RoleSessionName`, …).
        name: &'static str,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// `GetSessionToken` must be called with long-term keys (not with a session's).
    NeedsLongTermCredentials,
    /// An endpoint URL (from the environment or configuration) cannot be used.
    InvalidEndpoint {
        /// The URL as given (endpoint URLs are not secret).
        url: String,
        /// What is wrong and what was expected.
        reason: &'static str,
    },
    /// A setting from the environment (given as data) has a value this crate does not know.
    InvalidSetting {
        /// The setting's name (`AWS_STS_REGIONAL_ENDPOINTS`, …).
        name: &'static str,
        /// The value as given (at most 80 characters; settings are not secret).
        value: String,
        /// The values accepted.
        expected: &'static str,
    },
    /// No endpoint is known for this region.
    InvalidRegion {
        /// The region as given.
        region: String,
    },
    /// The request could not be signed.
    Signing(iamkit_sigv4::Error),
    /// AWS answered with an `<ErrorResponse>`: it refused the request.
    Aws(AwsError),
    /// The endpoint could not be reached, timed out, or kept failing (after retries).
    Endpoint {
        /// The endpoint URL.
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// The endpoint answered with something that is not a valid AWS response.
    MalformedResponse {
        /// What is wrong and what was expected.
        reason: String,
    },
    /// An IAM user already has AWS's two access keys: a rotation needs the other one gone
    /// first (checked before `CreateAccessKey`, so nothing is created).
    AccessKeyLimit {
        /// The user (empty when IAM did not say).
        user: String,
        /// The key that is not the one being rotated.
        other_key_id: String,
        /// Its status.
        other_status: crate::KeyStatus,
    },
}

/// An AWS refusal: the code, message and request ID of an `<ErrorResponse>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// `Sender` or `Receiver` (who is at fault), when given.
    pub kind: Option<String>,
    /// AWS's error code: `AccessDenied`, `InvalidClientTokenId`, `ExpiredToken`, …
    pub code: String,
    /// AWS's message (printable characters only, at most [`MAX_MESSAGE_CHARS`]).
    pub message: String,
    /// The request ID, for AWS support.
    pub request_id: Option<String>,
}

/// Longest AWS error message kept, in characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

impl AwsError {
    /// Whether retrying later may succeed: throttling, or a fault on AWS's side.
    pub fn is_retryable(&self) -> bool {
        const THROTTLING: [&str; 7] = [
            "Throttling",
            "ThrottlingException",
            "ThrottledException",
            "RequestThrottledException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "IDPCommunicationError",
        ];
        self.status >= 500 || self.status == 429 || THROTTLING.contains(&self.code.as_str())
    }

    /// A hint for the person reading the error, for the codes where one helps.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "AccessDenied"
                if self.message.contains("MultiFactorAuthentication")
                    || self.message.contains("MFA") =>
            {
                "the MFA code was refused: check the device's serial (ARN) and this machine's clock"
            }
            "AccessDenied" => {
                "check the policy of the user or role, and its trust policy for AssumeRole"
            }
            "InvalidClientTokenId" => {
                "the access key ID is not known to AWS: check the stored key (rotated or deleted?)"
            }
            "SignatureDoesNotMatch" => {
                "the secret access key does not match the key ID: check the stored secret"
            }
            "ExpiredToken" => "the session expired: run iamkit creds forget, then try again",
            "RegionDisabledException" => "STS is not activated in this region for the account",
            _ => return None,
        })
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AWS refused the request: {}", self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request ID {id})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { name, reason } => write!(f, "invalid {name}: {reason}"),
            Error::NeedsLongTermCredentials => f.write_str(
                "GetSessionToken needs long-term keys (an access key without a session token)",
            ),
            Error::InvalidEndpoint { url, reason } => {
                write!(f, "invalid endpoint URL {url:?}: {reason}")
            }
            Error::InvalidSetting {
                name,
                value,
                expected,
            } => write!(f, "invalid {name} {value:?}: expected {expected}"),
            Error::InvalidRegion { region } => write!(
                f,
                "invalid region {region:?}: expected lower-case letters, digits and '-', e.g. eu-west-1"
            ),
            Error::Signing(e) => write!(f, "cannot sign the request: {e}"),
            Error::Aws(e) => e.fmt(f),
            Error::Endpoint { endpoint, reason } => write!(f, "endpoint {endpoint}: {reason}"),
            Error::MalformedResponse { reason } => {
                write!(f, "not a valid AWS response: {reason}")
            }
            Error::AccessKeyLimit {
                user,
                other_key_id,
                other_status,
            } => {
                let who = if user.is_empty() {
                    "the user".to_owned()
                } else {
                    format!("user {user}")
                };
                let state = match other_status {
                    crate::KeyStatus::Inactive => "inactive",
                    _ => "active",
                };
                write!(
                    f,
                    "{who} already has two access keys (AWS's limit): besides the stored one, {other_key_id} ({state}); delete it first (aws iam delete-access-key --access-key-id {other_key_id}), then rotate"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Signing(e) => Some(e),
            _ => None,
        }
    }
}

impl From<iamkit_sigv4::Error> for Error {
    fn from(e: iamkit_sigv4::Error) -> Self {
        Error::Signing(e)
    }
}

/// Printable characters only, at most `max` of them (for text that came from the network).
pub(crate) fn printable(s: &str, max: usize) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if s.trim().chars().count() > max {
        out.push('…');
    }
    out
}
