//! Secret access keys.
//!
//! ```
//! use iamkit_accesskey::SecretAccessKey;
//! let secret = SecretAccessKey::generate().unwrap();
//! assert_eq!(secret.expose_secret().len(), 40);
//! assert_eq!(format!("{secret:?}"), "SecretAccessKey([redacted])");
//! ```

use std::fmt;

use zeroize::Zeroizing;

use crate::Error;

/// The length of a secret access key in characters.
pub const SECRET_LEN: usize = 40;

/// How many random bytes a generated secret holds (base64 of 30 bytes is 40 characters).
pub const SECRET_RANDOM_BYTES: usize = 30;

/// A secret access key: 40 characters of `[A-Za-z0-9+/]`.
///
/// The characters live in zeroize-on-drop storage. `Debug` prints `SecretAccessKey([redacted])`;
/// there is no `Display` and no `Serialize`: the only way to the characters is
/// [`expose_secret`](Self::expose_secret) (or [`KeyPair::with_secret_exposed`](crate::KeyPair::with_secret_exposed)).
#[derive(Clone)]
pub struct SecretAccessKey(Zeroizing<[u8; SECRET_LEN]>);

impl SecretAccessKey {
    /// A new secret: the standard base64 of 30 bytes from the OS random number generator.
    ///
    /// # Errors
    ///
    /// `Error::Rng` when the OS random number generator fails.
    pub fn generate() -> Result<SecretAccessKey, Error> {
        let mut random = Zeroizing::new([0u8; SECRET_RANDOM_BYTES]);
        getrandom::fill(&mut random[..])?;
        Ok(Self::from_random(&random[..]))
    }

    /// Encodes the first 30 bytes of `random` (callers pass exactly 30).
    pub(crate) fn from_random(random: &[u8]) -> SecretAccessKey {
        // Inline storage: no heap copy to leave behind, no allocation.
        let mut s = Zeroizing::new([0u8; SECRET_LEN]);
        let n = random.len().min(SECRET_RANDOM_BYTES);
        data_encoding::BASE64.encode_mut(&random[..n], &mut s[..]);
        SecretAccessKey(s)
    }

    /// Checks and wraps an existing secret: exactly 40 characters of `[A-Za-z0-9+/]`.
    /// Errors give the length or the position of a bad character, never the characters.
    ///
    /// # Errors
    ///
    /// `Error::SecretLength` or `Error::SecretChar` when `s` is not 40 characters of
    /// `[A-Za-z0-9+/]`.
    pub fn parse(s: &str) -> Result<SecretAccessKey, Error> {
        let got = s.chars().count();
        if got != SECRET_LEN {
            return Err(Error::SecretLength {
                got,
                expected: SECRET_LEN,
            });
        }
        if let Some(i) = s
            .chars()
            .position(|c| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
        {
            return Err(Error::SecretChar { position: i + 1 });
        }
        let mut bytes = Zeroizing::new([0u8; SECRET_LEN]);
        // All 40 characters are ASCII (checked above), so `s` is exactly 40 bytes.
        bytes.copy_from_slice(s.as_bytes());
        Ok(SecretAccessKey(bytes))
    }

    /// The 40 characters. Handle with care: don't log them.
    pub fn expose_secret(&self) -> &str {
        // ASCII by construction, so this never falls back.
        std::str::from_utf8(&self.0[..]).unwrap_or_default()
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey([redacted])")
    }
}
