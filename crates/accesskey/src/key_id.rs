//! Access key IDs: parse, inspect, generate.
//!
//! ```
//! use iamkit_accesskey::{AccessKeyId, Generation};
//! let id: AccessKeyId = "ASIAY34FZKBOKMUTVV7A".parse().unwrap();
//! assert_eq!(id.prefix().as_str(), "ASIA");
//! assert_eq!(id.generation(), Generation::New);
//! assert_eq!(id.account_id().unwrap().to_string(), "609629065308");
//! ```
//!
//! # Layout
//! 20 characters: a 4-character [`Prefix`], then 16 RFC 4648 base32 characters (`[A-Z2-7]`)
//! holding 80 bits. Read the first 48 of them as a big-endian integer `z`: bit 47 is the
//! generation flag (1 for keys that embed the account), bits 46..7 are the 40-bit account ID, the
//! remaining 7 + 32 bits are random. This is the layout published by independent research (Aidan
//! Steele 2020; Tal Be'ery; WithSecure Labs), which AWS's own keys follow.

use std::fmt;
use std::str::FromStr;

use crate::{AccountId, Error, Prefix};

/// The length of an access key ID in characters.
pub const KEY_ID_LEN: usize = 20;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const FLAG_BIT: u128 = 1 << 79;
const ACCOUNT_SHIFT: u32 = 39;
const ACCOUNT_MASK: u128 = (1 << 40) - 1;
const RANDOM_MASK: u128 = (1 << ACCOUNT_SHIFT) - 1;

/// Whether a key ID embeds its account (the layout's generation flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Generation {
    /// Flag 0: an older key (such as `AKIAIOSFODNN7EXAMPLE`): no account can be read.
    Old,
    /// Flag 1: the account ID is embedded in bits 46..7.
    New,
}

impl Generation {
    /// `"old"` or `"new"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Generation::Old => "old",
            Generation::New => "new",
        }
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A well-formed access key ID (or other unique ID with one of AWS's prefixes): 20 characters,
/// a known [`Prefix`] and 16 base32 characters. Not a secret: it prints and serialises as itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKeyId {
    // Invariant: ASCII, a valid prefix followed by 16 characters of ALPHABET.
    bytes: [u8; KEY_ID_LEN],
    prefix: Prefix,
}

impl AccessKeyId {
    /// Parses a key ID, checking in this order: the length (20 characters), the prefix (one of
    /// [`Prefix::ALL`], case-sensitive), then each character after it (`[A-Z2-7]`).
    ///
    /// # Errors
    ///
    /// `Error::KeyIdLength`, `Error::UnknownPrefix` or `Error::KeyIdChar`: the first check that
    /// fails, naming the length or position (never the characters).
    pub fn parse(s: &str) -> Result<AccessKeyId, Error> {
        let got = s.chars().count();
        if got != KEY_ID_LEN {
            return Err(Error::KeyIdLength {
                got,
                expected: KEY_ID_LEN,
            });
        }
        let prefix_end = s.char_indices().nth(4).map_or(s.len(), |(i, _)| i);
        let prefix_str = &s[..prefix_end];
        let prefix =
            Prefix::from_bytes(prefix_str.as_bytes()).ok_or_else(|| Error::UnknownPrefix {
                found: prefix_str.to_owned(),
            })?;
        // The prefix is 4 ASCII bytes, so the rest starts at byte 4.
        for (i, ch) in s[4..].chars().enumerate() {
            if !matches!(ch, 'A'..='Z' | '2'..='7') {
                return Err(Error::KeyIdChar {
                    ch,
                    position: i + 5,
                });
            }
        }
        let mut bytes = [0u8; KEY_ID_LEN];
        bytes.copy_from_slice(s.as_bytes());
        Ok(AccessKeyId { bytes, prefix })
    }

    /// Builds the key ID with this prefix whose 80 bits after the prefix are `payload`
    /// (big-endian). Every payload gives a valid ID; this is the inverse of [`Self::payload`].
    pub fn from_payload(prefix: Prefix, payload: [u8; 10]) -> AccessKeyId {
        let mut wide = [0u8; 16];
        wide[6..].copy_from_slice(&payload);
        Self::from_bits(prefix, u128::from_be_bytes(wide))
    }

    fn from_bits(prefix: Prefix, bits: u128) -> AccessKeyId {
        let mut bytes = [0u8; KEY_ID_LEN];
        bytes[..4].copy_from_slice(prefix.as_str().as_bytes());
        for (i, b) in bytes[4..].iter_mut().enumerate() {
            let shift = 75 - 5 * i;
            *b = ALPHABET[((bits >> shift) & 31) as usize];
        }
        AccessKeyId { bytes, prefix }
    }

    /// Generates a key ID from the OS random number generator.
    ///
    /// The ID is new-generation (flag 1, as AWS issues today) and embeds the account, so that
    /// [`Self::account_id`] and independent decoders read it back; the other 39 bits are random.
    /// Without an account, a random 12-digit one is embedded (a realistic fixture: decoders read
    /// an account from it, as they would from a real key).
    ///
    /// # Errors
    ///
    /// `Error::Rng` when the OS random number generator fails.
    pub fn generate(prefix: Prefix, account: Option<AccountId>) -> Result<AccessKeyId, Error> {
        let mut random = [0u8; 10];
        getrandom::fill(&mut random)?;
        Ok(Self::from_random(prefix, account, &random[..]))
    }

    /// Lays out a key ID from 80 random bits, the first 10 bytes of `random` (callers pass
    /// exactly 10; see [`Self::generate`]).
    pub(crate) fn from_random(
        prefix: Prefix,
        account: Option<AccountId>,
        random: &[u8],
    ) -> AccessKeyId {
        let r = random
            .iter()
            .take(10)
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        let bits = match account {
            Some(a) => FLAG_BIT | (u128::from(a.as_u64()) << ACCOUNT_SHIFT) | (r & RANDOM_MASK),
            None => {
                // 40 random bits reduced below 10^12 (a negligible bias: 2^40 is 1.0995 * 10^12).
                let account = ((r >> 40) & ACCOUNT_MASK) % 1_000_000_000_000;
                FLAG_BIT | (account << ACCOUNT_SHIFT) | (r & RANDOM_MASK)
            }
        };
        Self::from_bits(prefix, bits)
    }

    /// The 80 bits after the prefix, as an integer.
    fn bits(&self) -> u128 {
        self.bytes[4..].iter().fold(0u128, |acc, &c| {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                _ => c - b'2' + 26,
            };
            (acc << 5) | u128::from(v)
        })
    }

    /// The 80 bits after the prefix (10 bytes, big-endian).
    pub fn payload(&self) -> [u8; 10] {
        let wide = self.bits().to_be_bytes();
        let mut out = [0u8; 10];
        out.copy_from_slice(&wide[6..]);
        out
    }

    /// The prefix: what kind of entity this ID names.
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// What kind of entity this ID names, e.g. `"Access key (long-term)"`
    /// (same as `self.prefix().entity()`).
    pub fn kind(&self) -> &'static str {
        self.prefix.entity()
    }

    /// The 20 characters.
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII by construction, so this never falls back.
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// The layout's generation flag.
    pub fn generation(&self) -> Generation {
        if self.bits() & FLAG_BIT != 0 {
            Generation::New
        } else {
            Generation::Old
        }
    }

    /// The 40 account bits of a new-generation ID, whatever their value (`None` for
    /// old-generation IDs). See [`Self::account_id`].
    pub fn raw_account_bits(&self) -> Option<u64> {
        match self.generation() {
            Generation::New => Some(((self.bits() >> ACCOUNT_SHIFT) & ACCOUNT_MASK) as u64),
            Generation::Old => None,
        }
    }

    /// The embedded 12-digit account ID: `None` for old-generation IDs (such as AWS's
    /// documentation example `AKIAIOSFODNN7EXAMPLE`), and `None` too in the odd case that the 40
    /// bits hold a number of 13 digits (10^12 or more), which is no account.
    pub fn account_id(&self) -> Option<AccountId> {
        self.raw_account_bits().and_then(AccountId::from_u64)
    }

    /// Everything that can be read from this ID, ready to print or serialise
    /// (`iamkit key inspect`).
    pub fn inspect(&self) -> Inspection {
        Inspection {
            access_key_id: *self,
            prefix: self.prefix,
            kind: self.kind(),
            account_id: self.account_id(),
            generation: self.generation(),
        }
    }
}

/// What [`AccessKeyId::inspect`] reads from a key ID.
///
/// Serialises (field order as declared) as
/// `{"access_key_id":"…","prefix":"AKIA","kind":"…","account_id":"123456789012"|null,"generation":"new"|"old"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The key ID itself.
    pub access_key_id: AccessKeyId,
    /// Its prefix.
    pub prefix: Prefix,
    /// What kind of entity the prefix names ([`Prefix::entity`]).
    pub kind: &'static str,
    /// The embedded account, if any ([`AccessKeyId::account_id`]).
    pub account_id: Option<AccountId>,
    /// The generation flag.
    pub generation: Generation,
}

impl FromStr for AccessKeyId {
    type Err = Error;

    /// Same as [`AccessKeyId::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccessKeyId::parse(s)
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessKeyId({:?})", self.as_str())
    }
}

impl AsRef<str> for AccessKeyId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for AccessKeyId {
    /// As its 20-character string.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AccessKeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
