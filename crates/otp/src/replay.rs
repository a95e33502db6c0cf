//! Replay protection: a TOTP code must not be accepted twice (RFC 6238 §5.2).
//!
//! ```
//! use iamkit_otp::replay::{MemoryReplayStore, ReplayProtectedVerifier};
//! use iamkit_otp::{Secret, Totp};
//! let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?).build()?;
//! let store = MemoryReplayStore::new();
//! let verifier = ReplayProtectedVerifier::new(&totp, &store);
//! let now = 1_700_000_000;
//! let code = totp.generate(now);
//! assert!(verifier.verify("alice", code.as_str(), now).is_ok());
//! assert!(verifier.verify("alice", code.as_str(), now).is_err()); // the same code again
//! # Ok::<(), iamkit_otp::Error>(())
//! ```
//!
//! The verifier records the last accepted time step per credential through [`ReplayStore`] and
//! refuses a code of the same or an earlier step. The store's [`ReplayStore::check_and_record`]
//! must do its check and its write atomically (one lock, one database transaction, one
//! compare-and-swap), so that two requests racing with the same code cannot both pass.

use core::fmt;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Matched, Totp, VerifyError, Window};

/// Where the last accepted step of each credential is kept.
pub trait ReplayStore {
    /// Atomically: if a step was recorded for `credential` and `step` is not greater than it,
    /// return [`Replayed`]; otherwise record `step` as the last accepted one.
    fn check_and_record(&self, credential: &str, step: u64) -> Result<(), Replayed>;
}

impl<S: ReplayStore + ?Sized> ReplayStore for &S {
    fn check_and_record(&self, credential: &str, step: u64) -> Result<(), Replayed> {
        (**self).check_and_record(credential, step)
    }
}

/// The step was not newer than the last one accepted for this credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Replayed {
    _private: (),
}

impl Replayed {
    /// A new `Replayed`, for implementations of [`ReplayStore`].
    pub const fn new() -> Replayed {
        Replayed { _private: () }
    }
}

impl fmt::Display for Replayed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("code already used (same or earlier time step)")
    }
}

impl std::error::Error for Replayed {}

/// An in-memory [`ReplayStore`] behind a mutex (forgets everything when dropped).
#[derive(Debug, Default)]
pub struct MemoryReplayStore {
    last: Mutex<HashMap<String, u64>>,
}

impl MemoryReplayStore {
    /// An empty store.
    pub fn new() -> MemoryReplayStore {
        MemoryReplayStore::default()
    }

    /// The last step accepted for `credential`, if any.
    pub fn last_step(&self, credential: &str) -> Option<u64> {
        let map = self.last.lock().unwrap_or_else(|p| p.into_inner());
        map.get(credential).copied()
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_record(&self, credential: &str, step: u64) -> Result<(), Replayed> {
        // A poisoned lock still holds a consistent map: every write below is a single insert.
        let mut map = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(credential) {
            Some(last) if step <= *last => Err(Replayed::new()),
            Some(last) => {
                *last = step;
                Ok(())
            }
            None => {
                map.insert(credential.to_owned(), step);
                Ok(())
            }
        }
    }
}

/// Verifies TOTP codes and refuses any step not newer than the last accepted one.
#[derive(Debug)]
pub struct ReplayProtectedVerifier<'a, S: ?Sized> {
    totp: &'a Totp,
    store: &'a S,
    window: Window,
}

impl<'a, S: ReplayStore + ?Sized> ReplayProtectedVerifier<'a, S> {
    /// A verifier with the default window (one step each side).
    pub fn new(totp: &'a Totp, store: &'a S) -> Self {
        ReplayProtectedVerifier {
            totp,
            store,
            window: Window::default(),
        }
    }

    /// Uses another window.
    pub fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// Checks `code` at `unix_time` and, if it matches a step newer than the last one accepted
    /// for `credential`, records that step and returns it. A replay is the same opaque
    /// [`VerifyError`] as a wrong code.
    pub fn verify(
        &self,
        credential: &str,
        code: &str,
        unix_time: u64,
    ) -> Result<Matched, VerifyError> {
        let matched = self.totp.verify(code, unix_time, self.window)?;
        self.store
            .check_and_record(credential, matched.step)
            .map_err(|_| VerifyError::new())?;
        Ok(matched)
    }
}
