//! A generated one-time code.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};

/// Longest code: 10 digits.
pub(crate) const MAX_LEN: usize = 10;

/// The Steam Guard alphabet (26 characters, no vowels or look-alikes).
pub(crate) const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// A one-time code as shown to the user: 6 to 10 decimal digits, or 5 Steam Guard characters.
///
/// It lives on the stack (no allocation). `Display` prints it, since a code is meant to be shown.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    buf: [u8; MAX_LEN],
    len: u8,
}

impl Code {
    /// `digits` decimal digits of `value` (RFC 4226 §5.3: `Snum mod 10^Digit`, zero-padded).
    #[inline]
    pub(crate) fn decimal(value: u32, digits: u32) -> Code {
        let mut buf = [0u8; MAX_LEN];
        let len = digits as usize;
        let mut v = value;
        for i in (0..len).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        Code {
            buf,
            len: len as u8,
        }
    }

    /// Five Steam Guard characters: the truncated value in base 26, least significant first.
    #[inline]
    pub(crate) fn steam(value: u32) -> Code {
        let mut buf = [0u8; MAX_LEN];
        let mut v = value;
        for b in buf.iter_mut().take(5) {
            *b = STEAM_ALPHABET[(v % 26) as usize];
            v /= 26;
        }
        Code { buf, len: 5 }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The code as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false (a code has at least 5 characters); here because `len` is.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Constant-time comparison with a candidate already laid out in a full buffer.
    #[inline]
    pub(crate) fn ct_eq_buf(&self, candidate: &[u8; MAX_LEN]) -> Choice {
        self.buf.ct_eq(candidate)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Code").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
