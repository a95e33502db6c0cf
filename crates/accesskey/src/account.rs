//! 12-digit AWS account IDs.
//!
//! ```
//! use iamkit_accesskey::AccountId;
//! let a: AccountId = "029608264753".parse().unwrap();
//! assert_eq!(a.as_u64(), 29_608_264_753);
//! assert_eq!(a.to_string(), "029608264753");
//! assert!("12345".parse::<AccountId>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An AWS account ID: exactly 12 decimal digits (leading zeros kept when printed).
///
/// Every such number is below 10^12 < 2^40, so it fits the 40 bits that a new-generation access
/// key ID embeds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(u64);

impl AccountId {
    /// One more than the largest account ID: 10^12.
    pub const LIMIT: u64 = 1_000_000_000_000;

    /// The account with this number, if it is below 10^12 (i.e. has at most 12 digits).
    pub const fn from_u64(n: u64) -> Option<AccountId> {
        if n < Self::LIMIT {
            Some(AccountId(n))
        } else {
            None
        }
    }

    /// The account number.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl FromStr for AccountId {
    type Err = Error;

    /// Accepts exactly 12 ASCII digits, nothing else (no sign, no spaces, no separators).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let got = s.chars().count();
        if got != 12 {
            return Err(Error::AccountIdLength { got });
        }
        let mut n = 0u64;
        for (i, ch) in s.chars().enumerate() {
            let Some(d) = ch.to_digit(10) else {
                return Err(Error::AccountIdChar {
                    ch,
                    position: i + 1,
                });
            };
            n = n * 10 + u64::from(d);
        }
        Ok(AccountId(n))
    }
}

impl fmt::Display for AccountId {
    /// Zero-padded to 12 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({:012})", self.0)
    }
}

impl serde::Serialize for AccountId {
    /// As its 12-digit string, e.g. `"029608264753"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
