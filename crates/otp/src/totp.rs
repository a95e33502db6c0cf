//! TOTP: time-based one-time codes (RFC 6238), and Steam Guard codes.
//!
//! ```
//! use iamkit_otp::{Secret, Totp, Window};
//! let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?).build()?;
//! let now = 1_111_111_109; // "now" is always an argument: this crate reads no clock
//! let code = totp.generate(now);
//! assert_eq!(code.as_str(), "081804");
//! assert_eq!(totp.verify("081804", now, Window::default()).map(|m| m.offset), Ok(0));
//! # Ok::<(), iamkit_otp::Error>(())
//! ```

use core::fmt;

use crate::algorithm::Keyed;
use crate::hotp::{MIN_DIGITS, check_digits};
use crate::verify::{Candidate, FirstMatch};
use crate::{Algorithm, Code, Error, Matched, Secret, VerifyError, Window};

/// The longest TOTP period accepted, in seconds: one day. Authenticators use 30 or 60 seconds;
/// a longer step is a mistake (or an attack on arithmetic that multiplies the period).
pub const MAX_PERIOD: u64 = 86_400;

/// The latest TOTP start time T0 accepted: 9999-12-31T23:59:59Z, in Unix seconds.
pub const MAX_T0: u64 = 253_402_300_799;

/// A TOTP generator and verifier, holding the HMAC state pre-keyed with the secret.
#[derive(Clone)]
pub struct Totp {
    mac: Keyed,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    t0: u64,
    steam: bool,
}

/// Builds a [`Totp`]. Defaults: SHA1, 6 digits, period 30 seconds, T0 = 0.
#[derive(Debug, Clone)]
pub struct TotpBuilder {
    secret: Secret,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    t0: u64,
    steam: bool,
}

impl TotpBuilder {
    /// The hash under HMAC (default SHA1).
    pub fn algorithm(mut self, algorithm: Algorithm) -> TotpBuilder {
        self.algorithm = algorithm;
        self
    }

    /// Number of digits, 6 to 10 (default 6). Ignored for Steam codes.
    pub fn digits(mut self, digits: u32) -> TotpBuilder {
        self.digits = digits;
        self
    }

    /// Length of a time step in seconds, 1 to [`MAX_PERIOD`] (default 30).
    pub fn period(mut self, period: u64) -> TotpBuilder {
        self.period = period;
        self
    }

    /// The Unix time at which step 0 starts, at most [`MAX_T0`] (default 0).
    pub fn t0(mut self, t0: u64) -> TotpBuilder {
        self.t0 = t0;
        self
    }

    /// Steam Guard codes: 5 characters of `23456789BCDFGHJKMNPQRTVWXY` instead of digits
    /// (the number of digits is then ignored).
    pub fn steam(mut self) -> TotpBuilder {
        self.steam = true;
        self
    }

    /// Checks the parameters and keys the HMAC state.
    ///
    /// # Errors
    ///
    /// `Error::InvalidDigits` for digits outside [`MIN_DIGITS`](crate::MIN_DIGITS) to
    /// [`MAX_DIGITS`](crate::MAX_DIGITS) (not for Steam), `Error::InvalidPeriod` for a zero
    /// period, `Error::PeriodTooLong` above [`MAX_PERIOD`], `Error::T0TooLate` above [`MAX_T0`].
    pub fn build(self) -> Result<Totp, Error> {
        let digits = if self.steam {
            5
        } else {
            check_digits(self.digits)?
        };
        if self.period == 0 {
            return Err(Error::InvalidPeriod);
        }
        if self.period > MAX_PERIOD {
            return Err(Error::PeriodTooLong {
                got: self.period,
                max: MAX_PERIOD,
            });
        }
        if self.t0 > MAX_T0 {
            return Err(Error::T0TooLate {
                got: self.t0,
                max: MAX_T0,
            });
        }
        Ok(Totp {
            mac: Keyed::new(self.algorithm, &self.secret),
            algorithm: self.algorithm,
            digits,
            period: self.period,
            t0: self.t0,
            steam: self.steam,
        })
    }
}

impl Totp {
    /// Starts a builder for this secret.
    pub fn builder(secret: Secret) -> TotpBuilder {
        TotpBuilder {
            secret,
            algorithm: Algorithm::Sha1,
            digits: MIN_DIGITS,
            period: 30,
            t0: 0,
            steam: false,
        }
    }

    /// The code at `unix_time` (seconds since the Unix epoch).
    #[inline]
    pub fn generate(&self, unix_time: u64) -> Code {
        self.generate_at_step(self.step_at(unix_time))
    }

    /// The code of time step `step` (the RFC 6238 counter `T`).
    #[inline]
    pub fn generate_at_step(&self, step: u64) -> Code {
        let v = self.mac.truncated(step);
        if self.steam {
            Code::steam(v)
        } else {
            Code::decimal(v, self.digits)
        }
    }

    /// The time step of `unix_time`: `(unix_time - T0) / period`; 0 before T0.
    #[inline]
    pub fn step_at(&self, unix_time: u64) -> u64 {
        let since = unix_time.saturating_sub(self.t0);
        // The usual period gets a division by a constant (a multiplication), the rest a `div`.
        if self.period == 30 {
            since / 30
        } else {
            since / self.period
        }
    }

    /// Seconds from `unix_time` until the next step begins (1 to `period`; more before T0).
    pub fn remaining_seconds(&self, unix_time: u64) -> u64 {
        let step = u128::from(self.step_at(unix_time));
        let next = u128::from(self.t0) + (step + 1) * u128::from(self.period);
        u64::try_from(next - u128::from(unix_time)).unwrap_or(u64::MAX)
    }

    /// Accepts `code` if it is the code of a step within `window` of the step of `unix_time`,
    /// and says which step matched.
    ///
    /// `code` must be exactly the digits (trim what the user typed around them); Steam codes
    /// are compared without regard to case. Every step in the window is computed and compared
    /// in constant time, with no early exit. Pair it with [`crate::replay`] so that an
    /// accepted code cannot be used again (RFC 6238 §5.2).
    ///
    /// # Errors
    ///
    /// [`VerifyError`] when no step in the window matches (opaque: it does not say why).
    pub fn verify(
        &self,
        code: &str,
        unix_time: u64,
        window: Window,
    ) -> Result<Matched, VerifyError> {
        let current = self.step_at(unix_time);
        let candidate = Candidate::with_case(code, self.digits as usize, self.steam);
        let mut first = FirstMatch::new();
        // Closest steps first, so a collision resolves to the nearest step.
        first.offer(candidate.matches(&self.generate_at_step(current)), current);
        let reach = window.past().max(window.future());
        let mut d = 1;
        while d <= reach {
            if d <= window.past()
                && let Some(step) = current.checked_sub(d)
            {
                first.offer(candidate.matches(&self.generate_at_step(step)), step);
            }
            if d <= window.future()
                && let Some(step) = current.checked_add(d)
            {
                first.offer(candidate.matches(&self.generate_at_step(step)), step);
            }
            d += 1;
        }
        let step = first.finish().ok_or(VerifyError::new())?;
        let offset = i128::from(step) - i128::from(current);
        let offset = i64::try_from(offset).unwrap_or(if offset < 0 { i64::MIN } else { i64::MAX });
        Ok(Matched { step, offset })
    }

    /// Length of a time step in seconds.
    pub fn period(&self) -> u64 {
        self.period
    }

    /// The Unix time at which step 0 starts.
    pub fn t0(&self) -> u64 {
        self.t0
    }

    /// Number of characters in a code (5 for Steam).
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The hash under HMAC.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether codes are Steam Guard codes.
    pub fn is_steam(&self) -> bool {
        self.steam
    }

    /// The 31-bit dynamically truncated value of time step `step`.
    pub fn truncated_value_at_step(&self, step: u64) -> u32 {
        self.mac.truncated(step)
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("t0", &self.t0)
            .field("steam", &self.steam)
            .field("secret", &"[redacted]")
            .finish()
    }
}
