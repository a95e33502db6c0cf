//! The HMAC hash function, and the pre-keyed HMAC state generators keep.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};

use crate::{Error, Secret};

/// The hash function under HMAC (RFC 6238 allows SHA-1, SHA-256 and SHA-512).
///
/// ```
/// use iamkit_otp::Algorithm;
/// assert_eq!("sha-256".parse::<Algorithm>()?, Algorithm::Sha256);
/// assert_eq!(Algorithm::Sha512.as_str(), "SHA512");
/// # Ok::<(), iamkit_otp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// HMAC-SHA1, the default and what nearly every authenticator uses.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// The upper-case name used in `otpauth://` URIs: `SHA1`, `SHA256` or `SHA512`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Case-insensitive; a dash or underscore after `SHA` is allowed (`sha1`, `SHA-256`, `Sha_512`).
    fn from_str(s: &str) -> Result<Algorithm, Error> {
        let t = s.trim();
        let norm: String = t
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match norm.as_str() {
            "sha1" => Ok(Algorithm::Sha1),
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            _ => Err(Error::InvalidAlgorithm {
                got: t.chars().take(32).collect(),
            }),
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How many codes this thread computed (unit tests check that verification does all of them).
    pub(crate) static HMAC_CALLS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// HMAC state already keyed with the secret: cloning it skips the key schedule.
#[derive(Clone)]
pub(crate) enum Keyed {
    Sha1(Hmac<sha1::Sha1>),
    Sha256(Hmac<sha2::Sha256>),
    Sha512(Hmac<sha2::Sha512>),
}

impl fmt::Debug for Keyed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[keyed HMAC state redacted]")
    }
}

#[inline(always)]
fn truncate(mac: &[u8]) -> u32 {
    // RFC 4226 §5.3 dynamic truncation. Every HMAC output here is at least 20 bytes, so the
    // offset (at most 15) plus 4 stays in bounds.
    let off = usize::from(mac[mac.len() - 1] & 0x0f);
    u32::from_be_bytes([mac[off], mac[off + 1], mac[off + 2], mac[off + 3]]) & 0x7fff_ffff
}

impl Keyed {
    pub(crate) fn new(algorithm: Algorithm, secret: &Secret) -> Keyed {
        let key = secret.expose_secret();
        // HMAC takes keys of any length: `new_from_slice` cannot fail, but the fallback keeps
        // this free of panics all the same (an empty key, which `Secret` never holds).
        match algorithm {
            Algorithm::Sha1 => Keyed::Sha1(
                Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
            Algorithm::Sha256 => Keyed::Sha256(
                Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
            Algorithm::Sha512 => Keyed::Sha512(
                Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
        }
    }

    /// The 31-bit dynamically truncated HMAC of `counter` (RFC 4226 §5.3 `DT`).
    #[inline]
    pub(crate) fn truncated(&self, counter: u64) -> u32 {
        #[cfg(test)]
        HMAC_CALLS.with(|c| c.set(c.get() + 1));
        let c = counter.to_be_bytes();
        match self {
            Keyed::Sha1(m) => {
                let mut m = m.clone();
                m.update(&c);
                truncate(&m.finalize().into_bytes())
            }
            Keyed::Sha256(m) => {
                let mut m = m.clone();
                m.update(&c);
                truncate(&m.finalize().into_bytes())
            }
            Keyed::Sha512(m) => {
                let mut m = m.clone();
                m.update(&c);
                truncate(&m.finalize().into_bytes())
            }
        }
    }

    /// The full HMAC of `counter` (for tests against the RFC's intermediate values).
    pub(crate) fn full(&self, counter: u64) -> Vec<u8> {
        let c = counter.to_be_bytes();
        match self {
            Keyed::Sha1(m) => m.clone().chain_update(c).finalize().into_bytes().to_vec(),
            Keyed::Sha256(m) => m.clone().chain_update(c).finalize().into_bytes().to_vec(),
            Keyed::Sha512(m) => m.clone().chain_update(c).finalize().into_bytes().to_vec(),
        }
    }
}
