//! A role profile (what to assume, with which profile's credentials) and a cached session: temporary credentials from AWS STS (`GetSessionToken`, `AssumeRole`),
//! stored like every other record (encrypted in the file store, one entry in a keychain) and
//! reused until shortly before they expire; and the lock that makes concurrent callers share
//! one.
//!
//! ```
//! use iamkit_keystore::{CachedSession, Expiration, MockStore, Store};
//! let expires = Expiration::parse_rfc3339("2030-01-01T00:00:00Z")?;
//! let s = CachedSession::new("ASIAIOSFODNN7EXAMPLE", "s3cr3t-value", "t0ken-value", expires);
//! assert!(!format!("{s:?}").contains("s3cr3t-value") && !format!("{s:?}").contains("t0ken-value"));
//! let store = MockStore::new();
//! let _guard = store.lock_sessions()?;
//! store.put_session("s-1", &s)?;
//! assert_eq!(store.get_session("s-1")?, s);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::Expiration;
use crate::fsutil::DirLock;

/// The lock file of [`crate::Store::lock_sessions`], in the store directory.
pub(crate) const SESSION_LOCK_FILE: &str = ".session-lock";

/// Temporary credentials from STS and what they were made from (never a secret of the source).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedSession {
    /// The temporary access key ID (`ASIA…`).
    pub access_key_id: String,
    /// The temporary secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// The session token.
    pub session_token: Zeroizing<String>,
    /// When the session expires (stored as RFC 3339, UTC). A stored session whose expiration
    /// does not parse reads as [`crate::Error::Corrupt`].
    pub expiration: Expiration,
    /// The ARN the session acts as, when known (an assumed role's session ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The access key ID of the long-term key the session was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key_id: Option<String>,
    /// The MFA device serial used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// The role assumed, for role sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

impl CachedSession {
    /// A session with only its credentials and expiry.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: impl Into<String>,
        expiration: Expiration,
    ) -> CachedSession {
        CachedSession {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: Zeroizing::new(session_token.into()),
            expiration,
            arn: None,
            source_key_id: None,
            mfa_serial: None,
            role_arn: None,
        }
    }
}

impl fmt::Debug for CachedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedSession")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expiration", &self.expiration)
            .field("arn", &self.arn)
            .field("source_key_id", &self.source_key_id)
            .field("mfa_serial", &self.mfa_serial)
            .field("role_arn", &self.role_arn)
            .finish()
    }
}

/// A role profile (`iamkit creds add-role`): the role to assume and the stored profile whose
/// credentials (or MFA session) assume it. Nothing secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleProfile {
    /// The role's ARN.
    pub role_arn: String,
    /// The stored profile whose credentials assume the role.
    pub source_profile: String,
    /// A stored MFA device whose code goes with AssumeRole (when the source has no MFA session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_device: Option<String>,
    /// That device's serial (ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// The external ID the role's trust policy asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The `RoleSessionName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// The session length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// The guard of [`crate::Store::lock_sessions`]: the lock is held until it is dropped.
#[derive(Debug)]
pub struct SessionLock {
    _held: Option<DirLock>,
}

impl SessionLock {
    /// A guard that holds nothing (stores without a directory).
    pub fn none() -> SessionLock {
        SessionLock { _held: None }
    }

    pub(crate) fn held(lock: DirLock) -> SessionLock {
        SessionLock { _held: Some(lock) }
    }
}
