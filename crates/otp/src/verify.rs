//! Verification windows, and the constant-time matching both HOTP and TOTP use.
//!
//! The simplest use: accept the current time step and one on either side.
//!
//! ```
//! use iamkit_otp::{Secret, Totp, Window};
//! let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?).build()?;
//! let code = totp.generate(1_700_000_000 - 30); // the user's clock is one step behind
//! let matched = totp.verify(code.as_str(), 1_700_000_000, Window::default()).expect("valid");
//! assert_eq!(matched.offset, -1);
//! # Ok::<(), iamkit_otp::Error>(())
//! ```
//!
//! Every step in the window is computed and compared in constant time, and the result is
//! accumulated without an early exit, so the time taken does not depend on where (or whether)
//! the code matched. When a code matches more than one step (a rare collision), the step closest
//! to the current one wins, the past before the future.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::Error;
use crate::code::{MAX_LEN, pack};

/// Which time steps [`crate::Totp::verify`] accepts around the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    past: u64,
    future: u64,
}

impl Window {
    /// The most steps [`Window::new`] and [`Window::symmetric`] accept on each side.
    pub const MAX_STEPS: u64 = 10;

    /// `n` steps back and `n` ahead (at most [`Window::MAX_STEPS`]).
    ///
    /// # Errors
    ///
    /// `Error::InvalidWindow` when `n` is above [`Window::MAX_STEPS`].
    pub fn symmetric(n: u64) -> Result<Window, Error> {
        Window::new(n, n)
    }

    /// `past` steps back and `future` ahead (each at most [`Window::MAX_STEPS`]).
    ///
    /// # Errors
    ///
    /// `Error::InvalidWindow` when `past` or `future` is above [`Window::MAX_STEPS`].
    pub fn new(past: u64, future: u64) -> Result<Window, Error> {
        if past > Window::MAX_STEPS || future > Window::MAX_STEPS {
            return Err(Error::InvalidWindow {
                past,
                future,
                max: Window::MAX_STEPS,
            });
        }
        Ok(Window { past, future })
    }

    /// Any width. Wide windows make guessing easier (each extra step is another valid code) and
    /// cost one HMAC per step on every verification, so an attacker controls how much work a
    /// failed attempt costs you.
    pub const fn dangerous_wide(past: u64, future: u64) -> Window {
        Window { past, future }
    }

    /// Only the current step.
    pub const fn none() -> Window {
        Window { past: 0, future: 0 }
    }

    /// Steps accepted before the current one.
    pub const fn past(&self) -> u64 {
        self.past
    }

    /// Steps accepted after the current one.
    pub const fn future(&self) -> u64 {
        self.future
    }
}

impl Default for Window {
    /// One step on each side (RFC 6238 §5.2 recommends at most one step of delay).
    fn default() -> Window {
        Window { past: 1, future: 1 }
    }
}

/// Which step a TOTP code matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Matched {
    /// The time step (counter) the code belongs to.
    pub step: u64,
    /// `step` minus the step of the time given to `verify`: `0`, `-1`, `1`, ...
    pub offset: i64,
}

/// The code a user typed, laid out for constant-time comparison with generated codes.
pub(crate) struct Candidate {
    packed: (u64, u16),
    len_ok: Choice,
}

impl Candidate {
    pub(crate) fn new(code: &str, expected_len: u32) -> Candidate {
        Candidate::with_case(code, expected_len, false)
    }

    /// As [`Candidate::new`], upper-casing ASCII letters first (Steam codes are upper case).
    pub(crate) fn with_case(code: &str, expected_len: u32, upper: bool) -> Candidate {
        let bytes = code.as_bytes();
        let mut buf = [0u8; MAX_LEN];
        let n = bytes.len().min(MAX_LEN);
        buf[..n].copy_from_slice(&bytes[..n]);
        if upper {
            buf.make_ascii_uppercase();
        }
        // The length is the attacker's own input, not a secret; it only gates the result.
        // A length that does not fit a `u32` is no code's.
        let len_ok = match u32::try_from(bytes.len()) {
            Ok(len) => len.ct_eq(&expected_len),
            Err(_) => Choice::from(0),
        };
        Candidate {
            packed: pack(&buf),
            len_ok,
        }
    }

    /// Whether `code` is this candidate, in constant time.
    #[inline]
    pub(crate) fn matches(&self, code: &crate::Code) -> Choice {
        let (a, b) = code.packed();
        a.ct_eq(&self.packed.0) & b.ct_eq(&self.packed.1) & self.len_ok
    }
}

/// Remembers the first value offered with a true choice, without branching on it.
pub(crate) struct FirstMatch {
    found: Choice,
    value: u64,
}

impl FirstMatch {
    pub(crate) fn new() -> FirstMatch {
        FirstMatch {
            found: Choice::from(0),
            value: 0,
        }
    }

    #[inline]
    pub(crate) fn offer(&mut self, hit: Choice, value: u64) {
        let take = hit & !self.found;
        self.value = u64::conditional_select(&self.value, &value, take);
        self.found |= hit;
    }

    pub(crate) fn finish(self) -> Option<u64> {
        if bool::from(self.found) {
            Some(self.value)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::algorithm::HMAC_CALLS;
    use crate::{Hotp, Secret, Totp, Window};

    /// Runs `f` and returns how many codes it computed.
    fn calls(f: impl FnOnce()) -> u64 {
        HMAC_CALLS.with(|c| c.set(0));
        f();
        HMAC_CALLS.with(|c| c.get())
    }

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    /// The work done does not depend on where, or whether, the code matched.
    #[test]
    fn totp_verify_computes_every_step_of_the_window() {
        let totp = Totp::builder(secret()).build().unwrap();
        let now = 1_700_000_000;
        let window = Window::new(2, 3).unwrap();
        let mut inputs: Vec<String> = (-5i64..=5)
            .map(|d| {
                totp.generate_at_step(totp.step_at(now).checked_add_signed(d).unwrap())
                    .to_string()
            })
            .collect();
        inputs.extend(["", "1", "12345678901", "abcdef"].map(String::from));
        for code in &inputs {
            assert_eq!(
                calls(|| {
                    let _ = totp.verify(code, now, window);
                }),
                6,
                "{code}"
            );
        }
        // Near step 0 the steps before it do not exist and are not computed.
        assert_eq!(
            calls(|| {
                let _ = totp.verify("000000", 31, window);
            }),
            5
        );
    }

    #[test]
    fn hotp_verify_and_resync_compute_every_counter() {
        let hotp = Hotp::builder(secret()).build().unwrap();
        for c in 0..12 {
            let code = hotp.generate(c).to_string();
            assert_eq!(
                calls(|| {
                    let _ = hotp.verify(&code, 3, 4);
                }),
                5
            );
            let next = hotp.generate(c + 1).to_string();
            assert_eq!(
                calls(|| {
                    let _ = hotp.resync(&code, &next, 3, 4);
                }),
                6
            );
        }
    }
}
