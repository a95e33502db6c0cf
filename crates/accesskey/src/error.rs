//! The one error type of this crate.

use std::fmt;

/// Everything that can go wrong in this crate.
///
/// Messages name what is wrong and what was expected. A secret access key's characters never
/// appear in an error, only lengths and positions.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// An access key ID that is not 20 characters long.
    KeyIdLength {
        /// How many characters the input had.
        got: usize,
        /// How many are expected (always 20).
        expected: usize,
    },
    /// An access key ID whose first four characters are not one of AWS's unique-ID prefixes.
    UnknownPrefix {
        /// The four characters found.
        found: String,
    },
    /// A character outside the RFC 4648 base32 alphabet `[A-Z2-7]` after the prefix.
    KeyIdChar {
        /// The offending character.
        ch: char,
        /// Its 1-based position in the key ID (5 to 20).
        position: usize,
    },
    /// An account ID that is not exactly 12 characters long.
    AccountIdLength {
        /// How many characters the input had.
        got: usize,
    },
    /// An account ID with a character that is not an ASCII digit.
    AccountIdChar {
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
    /// A secret access key that is not 40 characters long.
    SecretLength {
        /// How many characters the input had.
        got: usize,
        /// How many are expected (always 40).
        expected: usize,
    },
    /// A secret access key with a character outside `[A-Za-z0-9+/]` (the character itself is
    /// not kept: it is part of a secret).
    SecretChar {
        /// The 1-based position of the offending character.
        position: usize,
    },
    /// The operating system's random number generator failed.
    Rng(getrandom::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyIdLength { got, expected } => write!(
                f,
                "access key ID must be {expected} characters (a 4-character prefix and 16 base32 characters), got {got}"
            ),
            Self::UnknownPrefix { found } => write!(
                f,
                "access key ID prefix {found:?} is not one of AWS's unique-ID prefixes (expected one of {})",
                crate::Prefix::ALL
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::KeyIdChar { ch, position } => write!(
                f,
                "access key ID has {ch:?} at position {position}; expected a base32 character [A-Z2-7] after the prefix"
            ),
            Self::AccountIdLength { got } => write!(
                f,
                "account ID must be exactly 12 digits, got {got} characters"
            ),
            Self::AccountIdChar { ch, position } => write!(
                f,
                "account ID has {ch:?} at position {position}; expected exactly 12 digits 0-9"
            ),
            Self::SecretLength { got, expected } => write!(
                f,
                "secret access key must be {expected} characters, got {got}"
            ),
            Self::SecretChar { position } => write!(
                f,
                "secret access key has a character outside [A-Za-z0-9+/] at position {position}"
            ),
            Self::Rng(_) => write!(f, "the operating system's random number generator failed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rng(e) => Some(e),
            _ => None,
        }
    }
}

impl From<getrandom::Error> for Error {
    fn from(e: getrandom::Error) -> Self {
        Self::Rng(e)
    }
}
