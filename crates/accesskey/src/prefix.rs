//! AWS's unique-ID prefixes (IAM User Guide, "Understanding unique ID prefixes").
//!
//! ```
//! use iamkit_accesskey::Prefix;
//! let p: Prefix = "ASIA".parse().unwrap();
//! assert_eq!(p.entity(), "Temporary (AWS STS) access key");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A 4-character unique-ID prefix: the kind of entity an ID names.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// `ABIA`: STS service bearer token.
    Abia,
    /// `ACCA`: context-specific credential.
    Acca,
    /// `AGPA`: user group.
    Agpa,
    /// `AIDA`: IAM user.
    Aida,
    /// `AIPA`: EC2 instance profile.
    Aipa,
    /// `AKIA`: access key (long-term).
    Akia,
    /// `ANPA`: managed policy.
    Anpa,
    /// `ANVA`: version in a managed policy.
    Anva,
    /// `APKA`: public key.
    Apka,
    /// `AROA`: role.
    Aroa,
    /// `ASCA`: certificate.
    Asca,
    /// `ASIA`: temporary (AWS STS) access key.
    Asia,
}

impl Prefix {
    /// Every prefix, in alphabetical order.
    pub const ALL: [Prefix; 12] = [
        Prefix::Abia,
        Prefix::Acca,
        Prefix::Agpa,
        Prefix::Aida,
        Prefix::Aipa,
        Prefix::Akia,
        Prefix::Anpa,
        Prefix::Anva,
        Prefix::Apka,
        Prefix::Aroa,
        Prefix::Asca,
        Prefix::Asia,
    ];

    /// The four characters, e.g. `"AKIA"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Prefix::Abia => "ABIA",
            Prefix::Acca => "ACCA",
            Prefix::Agpa => "AGPA",
            Prefix::Aida => "AIDA",
            Prefix::Aipa => "AIPA",
            Prefix::Akia => "AKIA",
            Prefix::Anpa => "ANPA",
            Prefix::Anva => "ANVA",
            Prefix::Apka => "APKA",
            Prefix::Aroa => "AROA",
            Prefix::Asca => "ASCA",
            Prefix::Asia => "ASIA",
        }
    }

    /// What kind of entity an ID with this prefix names, as the IAM User Guide words it,
    /// e.g. `"Access key (long-term)"` for `AKIA`.
    pub const fn entity(self) -> &'static str {
        match self {
            Prefix::Abia => "STS service bearer token",
            Prefix::Acca => "Context-specific credential",
            Prefix::Agpa => "User group",
            Prefix::Aida => "IAM user",
            Prefix::Aipa => "EC2 instance profile",
            Prefix::Akia => "Access key (long-term)",
            Prefix::Anpa => "Managed policy",
            Prefix::Anva => "Version in a managed policy",
            Prefix::Apka => "Public key",
            Prefix::Aroa => "Role",
            Prefix::Asca => "Certificate",
            Prefix::Asia => "Temporary (AWS STS) access key",
        }
    }

    /// Whether this prefix names an access key (`AKIA` or `ASIA`).
    pub const fn is_access_key(self) -> bool {
        matches!(self, Prefix::Akia | Prefix::Asia)
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Prefix> {
        Prefix::ALL.into_iter().find(|p| p.as_str().as_bytes() == b)
    }
}

impl Default for Prefix {
    /// `AKIA`, a long-term access key.
    fn default() -> Self {
        Prefix::Akia
    }
}

impl FromStr for Prefix {
    type Err = Error;

    /// Parses exactly one of the 4-character prefixes (case-sensitive: AWS's are upper case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Prefix::from_bytes(s.as_bytes()).ok_or_else(|| Error::UnknownPrefix {
            found: s.to_owned(),
        })
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Prefix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Prefix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
