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
use crate::verify::{Candidate, FirstMatch};
use crate::{
    Algorithm, Code, Error, Kind, Matched, Params, ParamsBuilder, Secret, VerifyError, Window,
};

/// A TOTP generator and verifier, holding the HMAC state pre-keyed with the secret.
#[derive(Clone)]
pub struct Totp {
    mac: Keyed,
    params: Params,
}

/// Builds a [`Totp`]. Defaults: those of [`Params`] (SHA1, 6 digits, period 30 seconds,
/// T0 = 0).
#[derive(Debug, Clone)]
pub struct TotpBuilder {
    secret: Secret,
    params: ParamsBuilder,
}

impl TotpBuilder {
    /// The hash under HMAC (default SHA1).
    pub fn algorithm(mut self, algorithm: Algorithm) -> TotpBuilder {
        self.params = self.params.algorithm(algorithm);
        self
    }

    /// Number of digits, 6 to 10 (default 6). Ignored for Steam codes.
    pub fn digits(mut self, digits: u32) -> TotpBuilder {
        self.params = self.params.digits(digits);
        self
    }

    /// Length of a time step in seconds, 1 to [`crate::MAX_PERIOD`] (default 30).
    pub fn period(mut self, period: u64) -> TotpBuilder {
        self.params = self.params.period(period);
        self
    }

    /// The Unix time at which step 0 starts, at most [`crate::MAX_T0`] (default 0).
    pub fn t0(mut self, t0: u64) -> TotpBuilder {
        self.params = self.params.t0(t0);
        self
    }

    /// Steam Guard codes: 5 characters of `23456789BCDFGHJKMNPQRTVWXY` instead of digits
    /// (the number of digits is then ignored).
    pub fn steam(mut self) -> TotpBuilder {
        self.params = self.params.kind(Kind::Steam);
        self
    }

    /// Checks the parameters and keys the HMAC state.
    ///
    /// # Errors
    /// As [`ParamsBuilder::build`].
    pub fn build(self) -> Result<Totp, Error> {
        Ok(Totp::from_params(self.params.build()?, &self.secret))
    }
}

impl Totp {
    /// Starts a builder for this secret.
    pub fn builder(secret: Secret) -> TotpBuilder {
        TotpBuilder {
            secret,
            params: Params::builder(Kind::Totp),
        }
    }

    /// Keys the HMAC state for checked time-based parameters ([`Params::generator`]).
    pub(crate) fn from_params(params: Params, secret: &Secret) -> Totp {
        Totp {
            mac: Keyed::new(params.algorithm(), secret),
            params,
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
        if self.is_steam() {
            Code::steam(v)
        } else {
            Code::decimal(v, self.params.digits())
        }
    }

    /// The time step of `unix_time`: `(unix_time - T0) / period`; 0 before T0.
    #[inline]
    pub fn step_at(&self, unix_time: u64) -> u64 {
        let since = unix_time.saturating_sub(self.params.t0());
        let period = self.params.period();
        // The usual period gets a division by a constant (a multiplication), the rest a `div`.
        if period == Params::DEFAULT_PERIOD {
            since / Params::DEFAULT_PERIOD
        } else {
            since / period
        }
    }

    /// Seconds from `unix_time` until the next step begins (1 to `period`; more before T0).
    pub fn remaining_seconds(&self, unix_time: u64) -> u64 {
        let step = u128::from(self.step_at(unix_time));
        let next = u128::from(self.params.t0()) + (step + 1) * u128::from(self.params.period());
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
        let candidate = Candidate::with_case(code, self.params.digits(), self.is_steam());
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
        self.params.period()
    }

    /// The Unix time at which step 0 starts.
    pub fn t0(&self) -> u64 {
        self.params.t0()
    }

    /// Number of characters in a code (5 for Steam).
    pub fn digits(&self) -> u32 {
        self.params.digits()
    }

    /// The hash under HMAC.
    pub fn algorithm(&self) -> Algorithm {
        self.params.algorithm()
    }

    /// Whether codes are Steam Guard codes.
    pub fn is_steam(&self) -> bool {
        self.params.kind() == Kind::Steam
    }

    /// The parameters (kind TOTP or Steam).
    pub fn params(&self) -> Params {
        self.params
    }

    /// The 31-bit dynamically truncated value of time step `step`.
    pub fn truncated_value_at_step(&self, step: u64) -> u32 {
        self.mac.truncated(step)
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.params.algorithm())
            .field("digits", &self.params.digits())
            .field("period", &self.params.period())
            .field("t0", &self.params.t0())
            .field("steam", &self.is_steam())
            .field("secret", &"[redacted]")
            .finish()
    }
}
