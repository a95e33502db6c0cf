//! The one model of an OTP credential's parameters: [`Kind`], [`Params`] (kind, algorithm,
//! digits, period, T0, with the defaults in one place) and the [`Generator`] they make with a
//! [`Secret`].
//!
//! ```
//! use iamkit_otp::{Algorithm, Generator, Kind, Params, Secret};
//! let params = Params::builder(Kind::Totp).algorithm(Algorithm::Sha256).digits(8).build()?;
//! assert_eq!((params.period(), params.t0()), (30, 0)); // the defaults
//! let secret = Secret::from_bytes(b"12345678901234567890123456789012")?;
//! match params.generator(secret) {
//!     Generator::Totp(totp) => assert_eq!(totp.generate(59).as_str(), "46119246"),
//!     Generator::Hotp(_) => unreachable!("a TOTP parameter set"),
//! }
//! # Ok::<(), iamkit_otp::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use crate::{Algorithm, Code, Error, Hotp, Secret, Totp};

/// Smallest number of digits (RFC 4226 R4 asks for at least 6).
pub const MIN_DIGITS: u32 = 6;
/// Largest number of digits (a 31-bit truncated value has at most 10).
pub const MAX_DIGITS: u32 = 10;
/// Number of characters of a Steam Guard code.
pub const STEAM_DIGITS: u32 = 5;

/// The longest TOTP period accepted, in seconds: one day. Authenticators use 30 or 60 seconds;
/// a longer step is a mistake (or an attack on arithmetic that multiplies the period).
pub const MAX_PERIOD: u64 = 86_400;

/// The latest TOTP start time T0 accepted: 9999-12-31T23:59:59Z, in Unix seconds.
pub const MAX_T0: u64 = 253_402_300_799;

/// The kind of one-time password.
///
/// ```
/// use iamkit_otp::Kind;
/// assert_eq!("TOTP".parse::<Kind>()?, Kind::Totp);
/// assert_eq!(Kind::Steam.as_str(), "steam");
/// # Ok::<(), iamkit_otp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Kind {
    /// Time-based (RFC 6238).
    #[default]
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: time-based, 5 characters from Steam's alphabet.
    Steam,
}

impl Kind {
    /// `"totp"`, `"hotp"` or `"steam"` (the host of an `otpauth://` URI).
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Totp => "totp",
            Kind::Hotp => "hotp",
            Kind::Steam => "steam",
        }
    }

    /// Whether codes depend on the time (TOTP and Steam) rather than a counter.
    pub const fn is_time_based(self) -> bool {
        !matches!(self, Kind::Hotp)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;

    /// `totp`, `hotp` or `steam`, in any case.
    fn from_str(s: &str) -> Result<Kind, Error> {
        [Kind::Totp, Kind::Hotp, Kind::Steam]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::InvalidKind {
                got: s.trim().chars().take(32).collect(),
            })
    }
}

/// Checked OTP parameters: what, besides the secret, decides the codes.
///
/// Made by [`Params::builder`] (or [`Params::default`], TOTP with SHA1, 6 digits, 30 seconds,
/// T0 0), so every value is one [`Totp`] / [`Hotp`] accept: [`Params::generator`] cannot fail.
/// Fields a kind does not use hold their default: an HOTP parameter set has period 30 and T0 0,
/// a Steam one has 5 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Params {
    kind: Kind,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    t0: u64,
}

impl Params {
    /// The default algorithm: SHA1, what nearly every authenticator uses.
    pub const DEFAULT_ALGORITHM: Algorithm = Algorithm::Sha1;
    /// The default number of digits.
    pub const DEFAULT_DIGITS: u32 = MIN_DIGITS;
    /// The default TOTP period, in seconds.
    pub const DEFAULT_PERIOD: u64 = 30;
    /// The default TOTP start time T0 (the Unix epoch).
    pub const DEFAULT_T0: u64 = 0;

    /// Starts a builder of `kind` with the defaults.
    pub const fn builder(kind: Kind) -> ParamsBuilder {
        ParamsBuilder {
            kind,
            algorithm: Params::DEFAULT_ALGORITHM,
            digits: Params::DEFAULT_DIGITS,
            period: Params::DEFAULT_PERIOD,
            t0: Params::DEFAULT_T0,
        }
    }

    /// The defaults for `kind` (Steam: SHA1, 5 characters, 30 seconds).
    pub const fn of(kind: Kind) -> Params {
        Params {
            kind,
            algorithm: Params::DEFAULT_ALGORITHM,
            digits: match kind {
                Kind::Steam => STEAM_DIGITS,
                Kind::Totp | Kind::Hotp => Params::DEFAULT_DIGITS,
            },
            period: Params::DEFAULT_PERIOD,
            t0: Params::DEFAULT_T0,
        }
    }

    /// A builder holding these parameters, to change some of them.
    pub const fn to_builder(self) -> ParamsBuilder {
        ParamsBuilder {
            kind: self.kind,
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            t0: self.t0,
        }
    }

    /// TOTP, HOTP or Steam.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// The hash under HMAC.
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Number of characters in a code: 6 to 10, or 5 for Steam.
    pub const fn digits(&self) -> u32 {
        self.digits
    }

    /// Length of a time step in seconds (the default, unused, for HOTP).
    pub const fn period(&self) -> u64 {
        self.period
    }

    /// The Unix time at which step 0 starts (the default, unused, for HOTP).
    pub const fn t0(&self) -> u64 {
        self.t0
    }

    /// The generator these parameters and `secret` make: TOTP (Steam included) or HOTP.
    pub fn generator(&self, secret: Secret) -> Generator {
        match self.kind {
            Kind::Hotp => Generator::Hotp(Hotp::from_params(*self, &secret)),
            Kind::Totp | Kind::Steam => Generator::Totp(Totp::from_params(*self, &secret)),
        }
    }
}

impl Default for Params {
    /// TOTP, SHA1, 6 digits, 30 seconds, T0 0.
    fn default() -> Params {
        Params::of(Kind::Totp)
    }
}

/// Builds [`Params`]: start with [`Params::builder`], finish with [`ParamsBuilder::build`],
/// which checks every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamsBuilder {
    kind: Kind,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    t0: u64,
}

impl ParamsBuilder {
    /// TOTP, HOTP or Steam.
    pub const fn kind(mut self, kind: Kind) -> ParamsBuilder {
        self.kind = kind;
        self
    }

    /// The hash under HMAC (default SHA1).
    pub const fn algorithm(mut self, algorithm: Algorithm) -> ParamsBuilder {
        self.algorithm = algorithm;
        self
    }

    /// Number of digits, [`MIN_DIGITS`] to [`MAX_DIGITS`] (default 6). Not checked, and
    /// ignored, for Steam (always 5 characters).
    pub const fn digits(mut self, digits: u32) -> ParamsBuilder {
        self.digits = digits;
        self
    }

    /// Length of a time step in seconds, 1 to [`MAX_PERIOD`] (default 30). Checked for every
    /// kind, kept only for time-based ones.
    pub const fn period(mut self, period: u64) -> ParamsBuilder {
        self.period = period;
        self
    }

    /// The Unix time at which step 0 starts, at most [`MAX_T0`] (default 0). Checked for every
    /// kind, kept only for time-based ones.
    pub const fn t0(mut self, t0: u64) -> ParamsBuilder {
        self.t0 = t0;
        self
    }

    /// Checks the values.
    ///
    /// # Errors
    /// [`Error::InvalidDigits`] outside 6 to 10 (Steam aside), [`Error::InvalidPeriod`] for 0,
    /// [`Error::PeriodTooLong`] over [`MAX_PERIOD`], [`Error::T0TooLate`] after [`MAX_T0`].
    pub fn build(self) -> Result<Params, Error> {
        let digits = match self.kind {
            Kind::Steam => STEAM_DIGITS,
            Kind::Totp | Kind::Hotp => check_digits(self.digits)?,
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
        let time_based = self.kind.is_time_based();
        Ok(Params {
            kind: self.kind,
            algorithm: self.algorithm,
            digits,
            period: if time_based {
                self.period
            } else {
                Params::DEFAULT_PERIOD
            },
            t0: if time_based {
                self.t0
            } else {
                Params::DEFAULT_T0
            },
        })
    }
}

fn check_digits(digits: u32) -> Result<u32, Error> {
    if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        Ok(digits)
    } else {
        Err(Error::InvalidDigits { got: digits })
    }
}

/// A ready generator and verifier: what [`Params::generator`] makes.
#[derive(Debug, Clone)]
pub enum Generator {
    /// Time-based (Steam included: see [`Totp::is_steam`]).
    Totp(Totp),
    /// Counter-based: the caller keeps the counter.
    Hotp(Hotp),
}

impl Generator {
    /// The code at `moving_factor`: the Unix time (seconds) for TOTP and Steam, the counter for
    /// HOTP.
    pub fn generate(&self, moving_factor: u64) -> Code {
        match self {
            Generator::Totp(t) => t.generate(moving_factor),
            Generator::Hotp(h) => h.generate(moving_factor),
        }
    }

    /// The parameters it was made from.
    pub fn params(&self) -> Params {
        match self {
            Generator::Totp(t) => t.params(),
            Generator::Hotp(h) => h.params(),
        }
    }
}
