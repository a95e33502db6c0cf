//! The shared secret of an OTP credential.
//!
//! ```
//! use iamkit_otp::Secret;
//! let secret = Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")?;
//! assert_eq!(secret.expose_secret(), b"12345678901234567890");
//! assert_eq!(&*secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
//! # Ok::<(), iamkit_otp::Error>(())
//! ```

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// The smallest secret the normal constructors accept, in bits (RFC 4226 requirement R6).
pub const MIN_SECRET_BITS: usize = 128;

/// Bytes of an OTP shared secret, wiped from memory when dropped.
///
/// `Debug` prints only the length; there is no `Display`. Equality is compared in constant time.
#[derive(Clone)]
pub struct Secret {
    bytes: Zeroizing<Vec<u8>>,
}

/// Size of a freshly generated secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SecretBits {
    /// 160 bits, the size of an HMAC-SHA1 output (RFC 4226's recommendation). The default.
    #[default]
    B160,
    /// 256 bits.
    B256,
    /// 512 bits.
    B512,
}

impl SecretBits {
    /// The size in bits.
    pub const fn bits(self) -> usize {
        match self {
            SecretBits::B160 => 160,
            SecretBits::B256 => 256,
            SecretBits::B512 => 512,
        }
    }
}

impl Secret {
    /// Takes a copy of raw secret bytes. Refuses an empty secret and one shorter than 128 bits
    /// (RFC 4226 R6); see [`crate::insecure::secret_from_bytes`] for shorter ones.
    ///
    /// # Errors
    ///
    /// `Error::EmptySecret` or `Error::SecretTooShort`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
        check_len(bytes.len(), MIN_SECRET_BITS)?;
        Ok(Secret::copy_of(bytes))
    }

    /// Parses base32 leniently: any case; whitespace (any Unicode whitespace, such as the narrow
    /// no-break space U+202F some sites group secrets with), dashes and `=` are ignored;
    /// padding is optional (any length that can encode whole bytes is accepted, as oathtool does).
    /// Refuses secrets shorter than 128 bits; see [`crate::insecure::secret_from_base32`].
    ///
    /// ```
    /// use iamkit_otp::{Error, Secret};
    /// assert!(Secret::from_base32("JBSW-Y3DP-EHPK-3PXP-JBSW-Y3DP-EHPK-3PXP").is_ok());
    /// let err = Secret::from_base32("JBSWY3DP8HPK3PXP").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid base32 character '8' at position 9 (expected A-Z or 2-7; spaces, dashes and '=' are ignored)"
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming what is wrong when `s` is not base32 (the position of a bad character,
    /// never the secret), `Error::EmptySecret` or `Error::SecretTooShort`.
    pub fn from_base32(s: &str) -> Result<Secret, Error> {
        let secret = decode_base32(s)?;
        check_len(secret.bytes.len(), MIN_SECRET_BITS)?;
        Ok(secret)
    }

    /// A fresh 160-bit secret from the operating system's random number generator.
    ///
    /// # Errors
    ///
    /// `Error::Rng` when the OS random number generator fails.
    pub fn generate() -> Result<Secret, Error> {
        Secret::generate_with(SecretBits::B160)
    }

    /// A fresh secret of the given size from the operating system's random number generator.
    ///
    /// # Errors
    ///
    /// `Error::Rng` when the OS random number generator fails.
    pub fn generate_with(bits: SecretBits) -> Result<Secret, Error> {
        let mut bytes = Zeroizing::new(vec![0u8; bits.bits() / 8]);
        getrandom::fill(&mut bytes).map_err(Error::Rng)?;
        Ok(Secret { bytes })
    }

    /// The raw bytes. Named so that every use is easy to find in a review.
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// Base32, upper case, without padding (the form `otpauth://` URIs use).
    pub fn to_base32(&self) -> Zeroizing<String> {
        let enc = &data_encoding::BASE32_NOPAD;
        // Reserve exactly, so the string never reallocates and leaves an unwiped copy behind.
        let mut out = Zeroizing::new(String::with_capacity(enc.encode_len(self.bytes.len())));
        enc.encode_append(&self.bytes, &mut out);
        out
    }

    /// Length in bits.
    pub fn len_bits(&self) -> usize {
        self.bytes.len() * 8
    }

    fn copy_of(bytes: &[u8]) -> Secret {
        let mut v = Zeroizing::new(Vec::with_capacity(bytes.len()));
        v.extend_from_slice(bytes);
        Secret { bytes: v }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("bits", &self.len_bits())
            .field("bytes", &"[redacted]")
            .finish()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        // Lengths are not secret; contents are compared in constant time.
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for Secret {}

fn check_len(len: usize, min_bits: usize) -> Result<(), Error> {
    if len == 0 {
        Err(Error::EmptySecret)
    } else if len * 8 < min_bits {
        Err(Error::SecretTooShort {
            bits: len * 8,
            min_bits,
        })
    } else {
        Ok(())
    }
}

/// Lenient base32 decoding (RFC 4648 alphabet). Trailing bits that do not fill a byte are
/// dropped, as oathtool and most authenticator apps do.
fn decode_base32(s: &str) -> Result<Secret, Error> {
    let mut out = Zeroizing::new(Vec::with_capacity(s.len() * 5 / 8 + 1));
    let mut acc: u64 = 0;
    let mut nbits: u32 = 0;
    let mut chars = 0usize;
    for (i, ch) in s.chars().enumerate() {
        let v = match ch {
            'A'..='Z' => u32::from(ch) - u32::from('A'),
            'a'..='z' => u32::from(ch) - u32::from('a'),
            '2'..='7' => u32::from(ch) - u32::from('2') + 26,
            '-' | '=' => continue,
            c if c.is_whitespace() => continue,
            _ => {
                acc.zeroize();
                return Err(Error::InvalidBase32Char {
                    ch,
                    position: i + 1,
                });
            }
        };
        chars += 1;
        acc = (acc << 5) | u64::from(v);
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            // `acc` holds `nbits + 8` bits: the shift leaves exactly one byte.
            out.push((acc >> nbits).to_le_bytes()[0]);
            acc &= (1 << nbits) - 1;
        }
    }
    acc.zeroize();
    if matches!(chars % 8, 1 | 3 | 6) {
        return Err(Error::InvalidBase32Length { chars });
    }
    if out.is_empty() {
        return Err(Error::EmptySecret);
    }
    Ok(Secret { bytes: out })
}

/// Shorter secrets, for services that still issue them.
///
/// RFC 4226 asks for at least 128 bits, and [`Secret::from_bytes`] / [`Secret::from_base32`]
/// refuse less. Many real services still hand out 80-bit secrets (16 base32 characters); these
/// functions accept any non-empty secret so such accounts can be used. Prefer the normal
/// constructors when you issue secrets yourself.
///
/// ```
/// use iamkit_otp::insecure;
/// let s = insecure::secret_from_base32("JBSWY3DPEHPK3PXP")?; // 80 bits
/// assert_eq!(s.len_bits(), 80);
/// # Ok::<(), iamkit_otp::Error>(())
/// ```
pub mod insecure {
    use super::{Secret, check_len, decode_base32};
    use crate::Error;

    /// Like [`Secret::from_bytes`], but accepts any non-empty secret.
    ///
    /// # Errors
    ///
    /// `Error::EmptySecret` for an empty secret.
    pub fn secret_from_bytes(b: &[u8]) -> Result<Secret, Error> {
        check_len(b.len(), 8)?;
        Ok(Secret::copy_of(b))
    }

    /// Like [`Secret::from_base32`], but accepts any non-empty secret.
    ///
    /// # Errors
    ///
    /// `Error::EmptySecret` for an empty secret, and the base32 error of
    /// [`Secret::from_base32`].
    pub fn secret_from_base32(s: &str) -> Result<Secret, Error> {
        decode_base32(s)
    }
}
