//! The one error type of this crate, and the opaque verification failure.
//!
//! ```
//! use iamkit_otp::{Error, Secret};
//! let err = Secret::from_base32("JBSWY3DP!HPK3PXP").unwrap_err();
//! assert!(matches!(err, Error::InvalidBase32Char { ch: '!', position: 9 }));
//! ```

use core::fmt;

/// Everything that can go wrong while building a secret, a generator or a window.
///
/// No variant ever carries secret material: a bad base32 character is named (it cannot be part
/// of a valid secret), but the rest of the input is not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The secret has no bytes at all (or the base32 text had no base32 characters).
    EmptySecret,
    /// The secret is shorter than the minimum (RFC 4226 R6 asks for at least 128 bits).
    SecretTooShort {
        /// Length of the secret given, in bits.
        bits: usize,
        /// The minimum accepted, in bits.
        min_bits: usize,
    },
    /// A character that is not base32 (`A`–`Z`, `2`–`7`, any case) nor ignored (whitespace,
    /// `-`, `=`).
    InvalidBase32Char {
        /// The offending character.
        ch: char,
        /// Its 1-based position in the input, counted in characters (spaces included).
        position: usize,
    },
    /// The number of base32 characters cannot come from any byte string (1, 3 or 6 modulo 8).
    InvalidBase32Length {
        /// How many base32 characters there were (ignored characters not counted).
        chars: usize,
    },
    /// The algorithm name is not one of SHA1, SHA256, SHA512.
    InvalidAlgorithm {
        /// The name given.
        got: String,
    },
    /// The OTP kind is not one of totp, hotp, steam.
    InvalidKind {
        /// The name given, at most 32 characters of it.
        got: String,
    },
    /// The number of digits is outside 6 to 10.
    InvalidDigits {
        /// The number given.
        got: u32,
    },
    /// The TOTP period is zero.
    InvalidPeriod,
    /// The TOTP period is longer than [`crate::MAX_PERIOD`] (a day): no authenticator uses
    /// such a step, and arithmetic on it would overflow.
    PeriodTooLong {
        /// The period given, in seconds.
        got: u64,
        /// The longest period accepted, in seconds.
        max: u64,
    },
    /// The TOTP start time T0 is after [`crate::MAX_T0`] (the end of the year 9999).
    T0TooLate {
        /// The T0 given (Unix seconds).
        got: u64,
        /// The latest T0 accepted (Unix seconds).
        max: u64,
    },
    /// A verification window wider than [`crate::Window::MAX_STEPS`] on one side, without
    /// [`crate::Window::dangerous_wide`].
    InvalidWindow {
        /// Steps into the past asked for.
        past: u64,
        /// Steps into the future asked for.
        future: u64,
        /// The largest number of steps accepted on each side.
        max: u64,
    },
    /// The operating system's random number generator failed.
    Rng(getrandom::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptySecret => f.write_str("the secret is empty (expected at least 128 bits)"),
            Error::SecretTooShort { bits, min_bits } => write!(
                f,
                "the secret is too short: {bits} bits, expected at least {min_bits} bits"
            ),
            Error::InvalidBase32Char { ch, position } => write!(
                f,
                "invalid base32 character {ch:?} at position {position} \
                 (expected A-Z or 2-7; spaces, dashes and '=' are ignored)"
            ),
            Error::InvalidBase32Length { chars } => write!(
                f,
                "invalid base32 length: {chars} characters cannot encode whole bytes \
                 (a length of 1, 3 or 6 modulo 8 is impossible; is a character missing?)"
            ),
            Error::InvalidAlgorithm { got } => write!(
                f,
                "unknown algorithm {got:?} (expected SHA1, SHA256 or SHA512)"
            ),
            Error::InvalidKind { got } => {
                write!(f, "unknown OTP type {got:?} (expected totp, hotp or steam)")
            }
            Error::InvalidDigits { got } => {
                write!(f, "invalid number of digits: {got} (expected 6 to 10)")
            }
            Error::InvalidPeriod => f.write_str("invalid period: 0 (expected at least 1 second)"),
            Error::PeriodTooLong { got, max } => write!(
                f,
                "invalid period: {got} seconds (expected 1 to {max} seconds; a period over a day is not an authenticator's)"
            ),
            Error::T0TooLate { got, max } => write!(
                f,
                "invalid T0: {got} (expected a Unix time from 0 to {max}, the end of the year 9999)"
            ),
            Error::InvalidWindow { past, future, max } => write!(
                f,
                "verification window too wide: {past} steps back, {future} ahead \
                 (expected at most {max} on each side; see Window::dangerous_wide)"
            ),
            Error::Rng(e) => write!(
                f,
                "the operating system's random number generator failed: {e}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Rng(e) => Some(e),
            _ => None,
        }
    }
}

/// A code did not verify. Deliberately opaque: it does not say whether the code was malformed,
/// wrong, outside the window or replayed, so that a caller cannot leak it to an attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VerifyError {
    _private: (),
}

impl VerifyError {
    pub(crate) const fn new() -> Self {
        VerifyError { _private: () }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid code")
    }
}

impl std::error::Error for VerifyError {}
