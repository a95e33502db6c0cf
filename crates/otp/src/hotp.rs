//! HOTP: counter-based one-time codes (RFC 4226).
//!
//! ```
//! use iamkit_otp::{Hotp, Secret};
//! let hotp = Hotp::builder(Secret::from_bytes(b"12345678901234567890")?).build()?;
//! assert_eq!(hotp.generate(0).as_str(), "755224");
//! // The user's token may have been pressed a few times: look ahead up to 5 counters.
//! assert_eq!(hotp.verify("969429", 0, 5), Ok(3));
//! # Ok::<(), iamkit_otp::Error>(())
//! ```
//!
//! After a successful [`Hotp::verify`] the server must store `matched + 1` as the next counter,
//! so that the same code is never accepted twice.

use core::fmt;

use crate::algorithm::Keyed;
use crate::verify::{Candidate, FirstMatch};
use crate::{Algorithm, Code, Error, Kind, Params, ParamsBuilder, Secret, VerifyError};

/// An HOTP generator and verifier, holding the HMAC state pre-keyed with the secret.
#[derive(Clone)]
pub struct Hotp {
    mac: Keyed,
    params: Params,
}

/// Builds a [`Hotp`]. Defaults: those of [`Params`] (SHA1, 6 digits).
#[derive(Debug, Clone)]
pub struct HotpBuilder {
    secret: Secret,
    params: ParamsBuilder,
}

impl HotpBuilder {
    /// The hash under HMAC (default SHA1).
    pub fn algorithm(mut self, algorithm: Algorithm) -> HotpBuilder {
        self.params = self.params.algorithm(algorithm);
        self
    }

    /// Number of digits, 6 to 10 (default 6). Checked by [`HotpBuilder::build`].
    pub fn digits(mut self, digits: u32) -> HotpBuilder {
        self.params = self.params.digits(digits);
        self
    }

    /// Checks the parameters and keys the HMAC state.
    ///
    /// # Errors
    /// As [`ParamsBuilder::build`].
    pub fn build(self) -> Result<Hotp, Error> {
        Ok(Hotp::from_params(self.params.build()?, &self.secret))
    }
}

impl Hotp {
    /// Starts a builder for this secret.
    pub fn builder(secret: Secret) -> HotpBuilder {
        HotpBuilder {
            secret,
            params: Params::builder(Kind::Hotp),
        }
    }

    /// Keys the HMAC state for checked parameters (of kind HOTP: [`Params::generator`]).
    pub(crate) fn from_params(params: Params, secret: &Secret) -> Hotp {
        Hotp {
            mac: Keyed::new(params.algorithm(), secret),
            params,
        }
    }

    /// The code for `counter`.
    #[inline]
    pub fn generate(&self, counter: u64) -> Code {
        Code::decimal(self.mac.truncated(counter), self.params.digits())
    }

    /// The 31-bit dynamically truncated value for `counter` (RFC 4226 §5.3 `Snum`), before
    /// reduction to digits.
    pub fn truncated_value(&self, counter: u64) -> u32 {
        self.mac.truncated(counter)
    }

    /// The full HMAC of `counter` (RFC 4226 §5.2 `HS`), for checking intermediate values.
    pub fn hmac(&self, counter: u64) -> Vec<u8> {
        self.mac.full(counter)
    }

    /// Accepts `code` if it is the code of a counter in `counter ..= counter + look_ahead`, and
    /// returns the first such counter. Store `matched + 1` as the next counter to expect.
    ///
    /// All `look_ahead + 1` codes are computed and compared in constant time; the cost grows
    /// linearly with `look_ahead`, so keep it small (RFC 4226 §7.4 suggests a bounded window).
    ///
    /// # Errors
    ///
    /// [`VerifyError`] when no counter in the range matches (opaque: it does not say why).
    pub fn verify(&self, code: &str, counter: u64, look_ahead: u64) -> Result<u64, VerifyError> {
        let candidate = Candidate::new(code, self.params.digits());
        let mut first = FirstMatch::new();
        let last = counter.saturating_add(look_ahead);
        let mut c = counter;
        loop {
            first.offer(candidate.matches(&self.generate(c)), c);
            if c == last {
                break;
            }
            c += 1;
        }
        first.finish().ok_or(VerifyError::new())
    }

    /// Resynchronisation from two consecutive codes (RFC 4226 §7.4): finds the first counter `c`
    /// in `counter ..= counter + search` whose code is `first` and whose successor's code is
    /// `second`, and returns `c + 2`, the next counter to expect.
    ///
    /// Every counter in the range is checked in constant time.
    ///
    /// # Errors
    ///
    /// [`VerifyError`] when no counter in the range is followed by the second code.
    pub fn resync(
        &self,
        first: &str,
        second: &str,
        counter: u64,
        search: u64,
    ) -> Result<u64, VerifyError> {
        let a = Candidate::new(first, self.params.digits());
        let b = Candidate::new(second, self.params.digits());
        let mut found = FirstMatch::new();
        let last = counter.saturating_add(search);
        let mut c = counter;
        let mut prev_hit = a.matches(&self.generate(c));
        // Pairs (c, c + 1) for every c in the range; the last pair reaches one past it.
        while let Some(next) = c.checked_add(1) {
            let code = self.generate(next);
            found.offer(prev_hit & b.matches(&code), next.saturating_add(1));
            if c == last {
                break;
            }
            prev_hit = a.matches(&code);
            c = next;
        }
        found.finish().ok_or(VerifyError::new())
    }

    /// Number of digits.
    pub fn digits(&self) -> u32 {
        self.params.digits()
    }

    /// The hash under HMAC.
    pub fn algorithm(&self) -> Algorithm {
        self.params.algorithm()
    }

    /// The parameters (kind HOTP).
    pub fn params(&self) -> Params {
        self.params
    }
}

impl fmt::Debug for Hotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hotp")
            .field("algorithm", &self.params.algorithm())
            .field("digits", &self.params.digits())
            .field("secret", &"[redacted]")
            .finish()
    }
}
