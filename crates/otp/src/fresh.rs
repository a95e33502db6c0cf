//! Fresh codes: never show a time-based code that was shown before.
//!
//! An authenticator that types codes for a person (or a script sending them to AWS) must not
//! hand out the same code twice: a verifier that follows RFC 6238 §5.2 refuses a code whose step
//! was already accepted. So the caller records the last step it showed for a device, and
//! [`decide`] says, for the current time, whether the step of `now` may be shown or how long to
//! wait for the first step after the recorded one.
//!
//! It is the decision alone: no clock, no store, no sleeping. The caller reads the clock, claims
//! the step it is about to show (atomically, asking again if another process claimed it first)
//! and sleeps when told to wait, bounding the wait as it sees fit (a recorded step far in the
//! future means the clock went backwards or the record is wrong).
//!
//! ```
//! use iamkit_otp::fresh::{Fresh, decide};
//! use iamkit_otp::{Secret, Totp};
//!
//! let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?).build()?;
//! // Nothing shown yet: the current step.
//! assert_eq!(decide(&totp, 59, None), Fresh::Ready(1));
//! // Step 1 was shown: wait the one second until step 2 begins at t = 60.
//! assert_eq!(decide(&totp, 59, Some(1)), Fresh::Wait(1));
//! assert_eq!(decide(&totp, 60, Some(1)), Fresh::Ready(2));
//! # Ok::<(), iamkit_otp::Error>(())
//! ```

use crate::Totp;

/// What to do at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fresh {
    /// Show the code of this step (the step of `now`): it comes after the last one shown.
    Ready(u64),
    /// Wait this many seconds (at least 1): then the first step after the last one shown
    /// begins. Saturates at `u64::MAX` for a recorded step beyond any representable time.
    Wait(u64),
}

/// Whether the code of `now`'s step may be shown, given `last_shown`, the last step shown
/// (`None`: none yet); else how long until the next step after it begins.
///
/// Any `last_shown` is handled without overflow, including steps far beyond `now` (the clock
/// went backwards, or a code was shown for a time given explicitly).
pub fn decide(totp: &Totp, now: u64, last_shown: Option<u64>) -> Fresh {
    let step = totp.step_at(now);
    let Some(last) = last_shown else {
        return Fresh::Ready(step);
    };
    if step > last {
        return Fresh::Ready(step);
    }
    // The step after `last` starts at t0 + (last + 1) * period: at most about 2^64 * 2^32, so
    // computed in u128.
    let next_start = u128::from(totp.t0()) + (u128::from(last) + 1) * u128::from(totp.period());
    let wait = next_start.saturating_sub(u128::from(now)).max(1);
    Fresh::Wait(u64::try_from(wait).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_PERIOD, MAX_T0, Secret};
    use proptest::prelude::*;

    fn totp(period: u64, t0: u64) -> Totp {
        let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
            .unwrap_or_else(|e| panic!("{e}"));
        Totp::builder(secret)
            .period(period)
            .t0(t0)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn nothing_shown_yet_is_ready_at_the_current_step() {
        let t = totp(30, 0);
        assert_eq!(decide(&t, 0, None), Fresh::Ready(0));
        assert_eq!(decide(&t, 1_111_111_109, None), Fresh::Ready(37_037_036));
        assert_eq!(decide(&t, u64::MAX, None), Fresh::Ready(u64::MAX / 30));
    }

    #[test]
    fn step_boundaries() {
        let t = totp(30, 0);
        // Step 2 is [60, 90).
        assert_eq!(decide(&t, 61, Some(2)), Fresh::Wait(29));
        assert_eq!(decide(&t, 89, Some(2)), Fresh::Wait(1));
        assert_eq!(decide(&t, 90, Some(2)), Fresh::Ready(3));
        assert_eq!(decide(&t, 60, Some(1)), Fresh::Ready(2));
        assert_eq!(decide(&t, 60, Some(2)), Fresh::Wait(30));
        // Long after the last one shown.
        assert_eq!(decide(&t, 10_000, Some(2)), Fresh::Ready(333));
    }

    #[test]
    fn t0_shifts_the_boundaries() {
        let t = totp(60, 100);
        // Step 0 is [100, 160), step 1 [160, 220).
        assert_eq!(decide(&t, 159, Some(0)), Fresh::Wait(1));
        assert_eq!(decide(&t, 160, Some(0)), Fresh::Ready(1));
        // Before T0 the step is 0: shown once, then wait for step 1 at 160.
        assert_eq!(decide(&t, 5, None), Fresh::Ready(0));
        assert_eq!(decide(&t, 5, Some(0)), Fresh::Wait(155));
    }

    #[test]
    fn clock_going_backwards_waits_for_the_step_after_the_last_shown() {
        let t = totp(30, 0);
        // Step 100 was shown (t = 3000..3030); the clock now says 1500 (step 50).
        assert_eq!(decide(&t, 1500, Some(100)), Fresh::Wait(3030 - 1500));
        // Going back within the step shown.
        assert_eq!(decide(&t, 3010, Some(100)), Fresh::Wait(20));
    }

    #[test]
    fn huge_values_never_overflow() {
        let t = totp(MAX_PERIOD, MAX_T0);
        assert_eq!(decide(&t, 0, Some(u64::MAX)), Fresh::Wait(u64::MAX));
        assert_eq!(decide(&t, u64::MAX, Some(u64::MAX)), Fresh::Wait(u64::MAX));
        assert_eq!(decide(&t, 0, None), Fresh::Ready(0));
        let t30 = totp(30, 0);
        assert_eq!(
            decide(&t30, u64::MAX, Some(u64::MAX)),
            Fresh::Wait(u64::MAX)
        );
        // The last step of u64 time: the next one starts past u64::MAX.
        let last = u64::MAX / 30;
        // u64::MAX = 30 * last + 15: step last + 1 starts 15 s after it.
        assert_eq!(decide(&t30, u64::MAX, Some(last)), Fresh::Wait(15));
    }

    proptest! {
        /// Ready is the step of `now` and comes after the last shown; Wait is exactly the time to
        /// the first moment that is Ready (one second earlier still waits).
        #[test]
        fn ready_is_after_last_and_wait_is_exact(
            period in 1..=MAX_PERIOD,
            t0 in 0..=1_000_000u64,
            now in 0..=u64::MAX / 2,
            last in proptest::option::of(0..=u64::MAX / 2),
        ) {
            let t = totp(period, t0);
            match decide(&t, now, last) {
                Fresh::Ready(step) => {
                    prop_assert_eq!(step, t.step_at(now));
                    prop_assert!(last.is_none_or(|l| step > l));
                }
                Fresh::Wait(wait) => {
                    prop_assert!(wait >= 1);
                    let last = last.unwrap_or_else(|| panic!("Wait without a last step"));
                    prop_assert!(t.step_at(now) <= last);
                    // (A saturated wait is beyond u64 time: nothing to step to.)
                    if let Some(then) = now.checked_add(wait).filter(|_| wait < u64::MAX) {
                        prop_assert_eq!(decide(&t, then, Some(last)), Fresh::Ready(last + 1));
                        prop_assert!(matches!(decide(&t, then - 1, Some(last)), Fresh::Wait(1..)));
                    }
                }
            }
        }
    }
}
