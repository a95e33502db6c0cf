//! The one error type of this crate.

use std::fmt;
use std::path::PathBuf;

use crate::RecordKind;

/// What went wrong in a store. `Display` names the store and what to do; no variant ever holds
/// secret bytes (errors from the keychain libraries, which can carry raw secret data, are
/// reduced to a message before they reach this type).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No record of this kind and name.
    NotFound {
        /// Which store.
        store: String,
        /// MFA device or credentials.
        kind: RecordKind,
        /// The name asked for.
        name: String,
    },
    /// A record of this kind and name exists and overwriting was not allowed.
    AlreadyExists {
        /// Which store.
        store: String,
        /// MFA device or credentials.
        kind: RecordKind,
        /// The name.
        name: String,
    },
    /// The name cannot be used as a record name.
    InvalidName {
        /// The offending name.
        name: String,
        /// What was expected.
        reason: &'static str,
    },
    /// The store is reachable but locked or refuses access.
    Locked {
        /// Which store.
        store: String,
        /// What to do about it.
        hint: String,
    },
    /// The passphrase does not unlock the file store.
    WrongPassphrase {
        /// Which store.
        store: String,
    },
    /// The file store needs a passphrase and no source of one was configured (or the one
    /// configured gave an empty passphrase).
    NoPassphrase {
        /// Which store.
        store: String,
    },
    /// The store cannot be reached at all.
    Unavailable {
        /// Which store.
        store: String,
        /// Why.
        reason: String,
    },
    /// Stored data is not what this crate wrote.
    Corrupt {
        /// Which store.
        store: String,
        /// What is wrong (never the data itself).
        what: String,
    },
    /// A file operation failed.
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The MFA device is not of the kind the operation needs (an HOTP counter taken from a
    /// time-based device).
    WrongDeviceKind {
        /// The device name.
        name: String,
        /// What it would have to be.
        expected: &'static str,
    },
    /// The store is refused as unsafe to use: a directory it keeps data in can be changed by
    /// someone else.
    Insecure {
        /// Which store.
        store: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// The file store is refused because its key is sealed with a passphrase work factor below
    /// [`crate::MIN_SCRYPT_LOG_N`] (see [`crate::OpenOptions::insecure_allow_weak_kdf`] and
    /// [`crate::FileStore::change_passphrase`]).
    WeakKdf {
        /// Which store.
        store: String,
        /// The work factor it is sealed with (log2 of scrypt's N).
        log_n: u8,
    },
    /// AWS credentials (or a field of them) are not what AWS accepts. Never holds a secret.
    InvalidCredentials {
        /// What is wrong.
        problem: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A configuration value is invalid.
    InvalidOption {
        /// Which option (e.g. `cache time`).
        option: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { store, kind, name } => {
                write!(f, "no {kind} named {name:?} in the {store}")
            }
            Error::AlreadyExists { store, kind, name } => {
                write!(f, "a {kind} named {name:?} already exists in the {store}")
            }
            Error::InvalidName { name, reason } => {
                write!(f, "invalid record name {name:?}: expected {reason}")
            }
            Error::Locked { store, hint } => write!(f, "the {store} is locked: {hint}"),
            Error::WrongPassphrase { store } => write!(f, "wrong passphrase for the {store}"),
            Error::NoPassphrase { store } => write!(
                f,
                "the {store} needs a passphrase and none was given (or it was empty)"
            ),
            Error::Unavailable { store, reason } => {
                write!(f, "the {store} is not available: {reason}")
            }
            Error::Corrupt { store, what } => write!(f, "corrupt data in the {store}: {what}"),
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::Insecure {
                store,
                problem,
                fix,
            } => write!(f, "refusing to use the {store}: {problem}; {fix}"),
            Error::WeakKdf { store, log_n } => write!(
                f,
                "refusing to use the {store}: its key is sealed with scrypt work factor \
                 2^{log_n}, below the minimum 2^{min}, so its passphrase is cheap to guess",
                min = crate::MIN_SCRYPT_LOG_N
            ),
            Error::InvalidCredentials { problem, expected } => {
                write!(f, "{problem} (expected {expected})")
            }
            Error::InvalidOption { option, expected } => {
                write!(f, "invalid {option}: expected {expected}")
            }
            Error::WrongDeviceKind { name, expected } => {
                write!(f, "MFA device {name:?} is not {expected}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
