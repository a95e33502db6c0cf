//! What a verifier's state store may answer: the refusals shared by [`crate::replay`] and
//! [`crate::throttle`], and the error of a store that could not answer.
//!
//! A store may be remote (a database, Redis): it can fail. Every failure is reported as
//! [`Refused::Store`] and a verifier treats it as a refusal: it fails closed, never accepting a
//! code it could not record.

use core::fmt;

use crate::throttle::Throttled;

/// Why an attempt was not accepted.
#[derive(Debug)]
#[non_exhaustive]
pub enum Refused {
    /// The code did not verify, or was already used. Deliberately one answer: a verifier does
    /// not tell an attacker which.
    Invalid,
    /// The step was not newer than the last one accepted for this credential (only from a
    /// [`crate::replay::ReplayStore`]; verifiers report it as [`Refused::Invalid`]).
    Replayed,
    /// Too many failures: the attempt was not made.
    Throttled(Throttled),
    /// The store could not be reached or answered wrongly; nothing was accepted.
    Store(StoreError),
}

impl Refused {
    /// Whether the store failed (as opposed to the attempt being refused on its merits).
    pub fn is_store_error(&self) -> bool {
        matches!(self, Refused::Store(_))
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Invalid => f.write_str("invalid code"),
            Refused::Replayed => f.write_str("code already used (same or earlier time step)"),
            Refused::Throttled(t) => t.fmt(f),
            Refused::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Refused {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refused::Throttled(t) => Some(t),
            Refused::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::Store(e)
    }
}

impl From<Throttled> for Refused {
    fn from(t: Throttled) -> Refused {
        Refused::Throttled(t)
    }
}

/// A state store could not answer (unreachable, timed out, answered something unexpected).
///
/// It carries the store's own error as its source. Implementations must not put secrets in it;
/// the credential name may appear (it names a user, it is not a secret).
#[derive(Debug)]
pub struct StoreError {
    what: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// A store error described by `what` (e.g. "replay store unreachable at 10.0.0.5:6379").
    pub fn new(what: impl Into<String>) -> StoreError {
        StoreError {
            what: what.into(),
            source: None,
        }
    }

    /// A store error described by `what`, caused by `source`.
    pub fn with_source(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> StoreError {
        StoreError {
            what: what.into(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(s) = &self.source {
            write!(f, ": {s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
