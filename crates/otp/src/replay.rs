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
//! compare-and-swap, one server-side script), so that two requests racing with the same code
//! cannot both pass. A store may be remote and fail: the verifier then fails closed
//! ([`Refused::Store`]), never accepting a code it could not record.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Matched, Refused, Totp, Window};

/// Where the last accepted step of each credential is kept.
pub trait ReplayStore {
    /// Atomically: if a step was recorded for `credential` and `step` is not greater than it,
    /// return [`Refused::Replayed`]; otherwise record `step` as the last accepted one.
    ///
    /// `ttl` is the number of seconds after which no code of `step` or of an earlier step can be
    /// accepted any more by the caller (its window has moved past them): the store may forget
    /// the record then, never earlier. A store that cannot answer returns [`Refused::Store`]
    /// and must not have recorded anything it would not record on success.
    ///
    /// # Errors
    ///
    /// `Refused::Replayed` when `step` is not newer than the one recorded, `Refused::Store`
    /// when the store could not answer (the code must then be refused).
    fn check_and_record(&self, credential: &str, step: u64, ttl: u64) -> Result<(), Refused>;
}

impl<S: ReplayStore + ?Sized> ReplayStore for &S {
    fn check_and_record(&self, credential: &str, step: u64, ttl: u64) -> Result<(), Refused> {
        (**self).check_and_record(credential, step, ttl)
    }
}

/// An in-memory [`ReplayStore`] behind a mutex, for one process (forgets everything when
/// dropped; keeps each credential's record, ignoring `ttl`).
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
    fn check_and_record(&self, credential: &str, step: u64, _ttl: u64) -> Result<(), Refused> {
        // A poisoned lock still holds a consistent map: every write below is a single insert.
        let mut map = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(credential) {
            Some(last) if step <= *last => Err(Refused::Replayed),
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

/// How many seconds from `unix_time` a code of `step` stays acceptable to `totp` verifying with
/// `window`: the `ttl` to give [`ReplayStore::check_and_record`] (at least 1).
pub fn record_ttl(totp: &Totp, window: Window, step: u64, unix_time: u64) -> u64 {
    // The last instant step `step` is still inside the window: the start of step
    // `step + past + 1`, when the window's oldest step moves past it.
    let end = u128::from(totp.t0())
        + (u128::from(step) + u128::from(window.past()) + 1) * u128::from(totp.period());
    let ttl = end.saturating_sub(u128::from(unix_time)).max(1);
    u64::try_from(ttl).unwrap_or(u64::MAX)
}

/// Verifies TOTP codes and refuses any step not newer than the last one accepted.
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
    /// for `credential`, records that step and returns it.
    ///
    /// A wrong code and a replay are the same opaque [`Refused::Invalid`]; a store that could
    /// not answer is [`Refused::Store`] (fail closed: the code is not accepted).
    ///
    /// # Errors
    ///
    /// [`Refused`]: `Invalid` for a wrong or replayed code, `Store` when the store could not
    /// answer.
    pub fn verify(&self, credential: &str, code: &str, unix_time: u64) -> Result<Matched, Refused> {
        let matched = self
            .totp
            .verify(code, unix_time, self.window)
            .map_err(|_| Refused::Invalid)?;
        let ttl = record_ttl(self.totp, self.window, matched.step, unix_time);
        match self.store.check_and_record(credential, matched.step, ttl) {
            Ok(()) => Ok(matched),
            Err(Refused::Store(e)) => Err(Refused::Store(e)),
            Err(_) => Err(Refused::Invalid),
        }
    }
}
