//! Throttling repeated failures (RFC 4226 §7.3).
//!
//! ```
//! use iamkit_otp::throttle::{Throttle, ThrottlePolicy, Throttled};
//! let mut t = Throttle::new(ThrottlePolicy::default()); // 3 free attempts, then +10 s each
//! let now = 1_700_000_000;
//! for _ in 0..4 {
//!     assert!(t.check(now).is_ok());
//!     t.record_failure(now);
//! }
//! assert_eq!(t.check(now), Err(Throttled::RetryAfter { seconds: 10 }));
//! assert!(t.check(now + 10).is_ok());
//! ```
//!
//! One [`Throttle`] per credential: call [`Throttle::check`] before verifying, then
//! [`Throttle::record_failure`] or [`Throttle::record_success`]. After `free_attempts`
//! consecutive failures each further failure imposes a delay that grows linearly
//! (`delay_step × extra failures`, capped at `max_delay`), as the RFC suggests; after
//! `lockout_after` failures the credential is locked until [`Throttle::reset`]. The state is two
//! numbers ([`Throttle::failures`], [`Throttle::next_attempt_at`]) that a server can persist and
//! restore with [`Throttle::from_parts`]. Time is passed in (Unix seconds).
//!
//! Verifiers sharing one credential (a fleet behind a load balancer) share its throttle through
//! a [`ThrottleStore`]: [`MemoryThrottleStore`] in one process, or a remote store (Redis) that
//! applies the same rules atomically, so that guesses spread over machines are counted together.

use core::fmt;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Refused, StoreError};

/// How hard to throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThrottlePolicy {
    /// Consecutive failures allowed before any delay.
    pub free_attempts: u32,
    /// Delay added per failure beyond `free_attempts`, in seconds.
    pub delay_step: u64,
    /// Longest delay, in seconds.
    pub max_delay: u64,
    /// Consecutive failures after which the credential is locked until reset (`None`: never).
    pub lockout_after: Option<u32>,
}

impl Default for ThrottlePolicy {
    /// 3 free attempts, then 10 s more per failure up to 5 minutes; locked after 20 failures.
    fn default() -> ThrottlePolicy {
        ThrottlePolicy {
            free_attempts: 3,
            delay_step: 10,
            max_delay: 300,
            lockout_after: Some(20),
        }
    }
}

/// Why an attempt may not be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Throttled {
    /// Try again after this many seconds.
    RetryAfter {
        /// Seconds to wait.
        seconds: u64,
    },
    /// Too many failures: locked until an administrator resets it.
    LockedOut,
}

impl fmt::Display for Throttled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Throttled::RetryAfter { seconds } => {
                write!(f, "too many failed attempts; try again in {seconds} s")
            }
            Throttled::LockedOut => f.write_str("too many failed attempts; locked"),
        }
    }
}

impl std::error::Error for Throttled {}

/// Consecutive-failure counter of one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    policy: ThrottlePolicy,
    failures: u32,
    next_attempt_at: u64,
}

impl Throttle {
    /// No failures yet.
    pub fn new(policy: ThrottlePolicy) -> Throttle {
        Throttle::from_parts(policy, 0, 0)
    }

    /// Restores a persisted state.
    pub fn from_parts(policy: ThrottlePolicy, failures: u32, next_attempt_at: u64) -> Throttle {
        Throttle {
            policy,
            failures,
            next_attempt_at,
        }
    }

    /// Whether an attempt may be made at `now`.
    ///
    /// # Errors
    ///
    /// [`Throttled`] (with how long to wait) while attempts are locked out.
    pub fn check(&self, now: u64) -> Result<(), Throttled> {
        if self.is_locked_out() {
            Err(Throttled::LockedOut)
        } else if now < self.next_attempt_at {
            Err(Throttled::RetryAfter {
                seconds: self.next_attempt_at - now,
            })
        } else {
            Ok(())
        }
    }

    /// Records a failed attempt at `now`.
    pub fn record_failure(&mut self, now: u64) {
        self.failures = self.failures.saturating_add(1);
        let extra = self.failures.saturating_sub(self.policy.free_attempts);
        let delay = self
            .policy
            .delay_step
            .saturating_mul(u64::from(extra))
            .min(self.policy.max_delay);
        // A failure that imposes no delay records no time either: a verifier whose clock is a
        // little behind another's must not be made to wait for it.
        if delay > 0 {
            self.next_attempt_at = now.saturating_add(delay);
        }
    }

    /// Records a successful attempt: the failure count starts again.
    pub fn record_success(&mut self) {
        self.reset();
    }

    /// Clears failures and any lockout.
    pub fn reset(&mut self) {
        self.failures = 0;
        self.next_attempt_at = 0;
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Unix time before which [`Throttle::check`] refuses.
    pub fn next_attempt_at(&self) -> u64 {
        self.next_attempt_at
    }

    /// Whether the failures reached the lockout threshold.
    pub fn is_locked_out(&self) -> bool {
        self.policy
            .lockout_after
            .is_some_and(|limit| self.failures >= limit)
    }

    /// The policy in force.
    pub fn policy(&self) -> ThrottlePolicy {
        self.policy
    }
}

/// Where the throttle state of each credential is kept, with the rules of [`Throttle`] under
/// one [`ThrottlePolicy`] of the store's.
///
/// Each method is one atomic step on the credential's state. A store that cannot answer returns
/// [`Refused::Store`] / [`StoreError`]; the caller then refuses the attempt (fails closed).
pub trait ThrottleStore {
    /// Whether an attempt may be made at `now` ([`Throttle::check`]): `Ok`, or
    /// [`Refused::Throttled`], or [`Refused::Store`].
    ///
    /// # Errors
    ///
    /// `Refused::Throttled` while attempts are locked out, `Refused::Store` when the store
    /// could not answer.
    fn check(&self, credential: &str, now: u64) -> Result<(), Refused>;
    /// Records a failed attempt at `now` ([`Throttle::record_failure`]).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store could not record it.
    fn record_failure(&self, credential: &str, now: u64) -> Result<(), StoreError>;
    /// Records a successful attempt: the failure count starts again.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store could not record it.
    fn record_success(&self, credential: &str) -> Result<(), StoreError>;
    /// The state of `credential` now (no failures if none were recorded).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store could not answer.
    fn state(&self, credential: &str) -> Result<Throttle, StoreError>;
}

impl<S: ThrottleStore + ?Sized> ThrottleStore for &S {
    fn check(&self, credential: &str, now: u64) -> Result<(), Refused> {
        (**self).check(credential, now)
    }
    fn record_failure(&self, credential: &str, now: u64) -> Result<(), StoreError> {
        (**self).record_failure(credential, now)
    }
    fn record_success(&self, credential: &str) -> Result<(), StoreError> {
        (**self).record_success(credential)
    }
    fn state(&self, credential: &str) -> Result<Throttle, StoreError> {
        (**self).state(credential)
    }
}

/// An in-memory [`ThrottleStore`] for one process: a [`Throttle`] per credential behind a mutex.
#[derive(Debug)]
pub struct MemoryThrottleStore {
    policy: ThrottlePolicy,
    map: Mutex<HashMap<String, Throttle>>,
}

impl MemoryThrottleStore {
    /// An empty store applying `policy`.
    pub fn new(policy: ThrottlePolicy) -> MemoryThrottleStore {
        MemoryThrottleStore {
            policy,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, credential: &str, f: impl FnOnce(&mut Throttle) -> R) -> R {
        // A poisoned lock still holds consistent throttles: each update is a plain assignment.
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let t = map
            .entry(credential.to_owned())
            .or_insert_with(|| Throttle::new(self.policy));
        let r = f(t);
        if t.failures() == 0 {
            map.remove(credential);
        }
        r
    }
}

impl ThrottleStore for MemoryThrottleStore {
    fn check(&self, credential: &str, now: u64) -> Result<(), Refused> {
        self.with(credential, |t| t.check(now))
            .map_err(Refused::from)
    }
    fn record_failure(&self, credential: &str, now: u64) -> Result<(), StoreError> {
        self.with(credential, |t| t.record_failure(now));
        Ok(())
    }
    fn record_success(&self, credential: &str) -> Result<(), StoreError> {
        self.with(credential, Throttle::record_success);
        Ok(())
    }
    fn state(&self, credential: &str) -> Result<Throttle, StoreError> {
        Ok(self.with(credential, |t| t.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Caught by the Redis concurrency test: verifiers whose clocks differ throttled each other
    /// although the policy imposed no delay yet.
    #[test]
    fn a_failure_without_delay_does_not_make_an_earlier_clock_wait() {
        let mut t = Throttle::new(ThrottlePolicy::default());
        t.record_failure(1_000);
        assert_eq!(t.check(990), Ok(()));
        assert_eq!(t.next_attempt_at(), 0);
    }

    #[test]
    fn the_memory_store_follows_throttle() {
        let policy = ThrottlePolicy::default();
        let store = MemoryThrottleStore::new(policy);
        let mut t = Throttle::new(policy);
        for now in [10, 11, 12, 13, 14, 30, 31] {
            assert_eq!(store.check("a", now).is_ok(), t.check(now).is_ok());
            store.record_failure("a", now).ok();
            t.record_failure(now);
            assert_eq!(store.state("a").ok(), Some(t.clone()));
        }
        store.record_success("a").ok();
        assert_eq!(store.state("a").ok(), Some(Throttle::new(policy)));
    }
}
