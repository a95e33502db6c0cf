//! A generated one-time code.

use core::fmt;

/// Longest code: 10 digits.
pub(crate) const MAX_LEN: usize = 10;

/// [`MAX_LEN`] as a `u32`.
const MAX_LEN_U32: u32 = 10;

/// The least significant byte of `v`: `v` itself for every `v` below 256 (the remainders and
/// lengths here), without an `as` cast.
#[inline(always)]
fn low_byte(v: u32) -> u8 {
    v.to_le_bytes()[0]
}

/// "00" "01" ... "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The Steam Guard alphabet (26 characters, no vowels or look-alikes).
pub(crate) const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// A one-time code as shown to the user: 6 to 10 decimal digits, or 5 Steam Guard characters.
///
/// It lives on the stack (no allocation). `Display` prints it, since a code is meant to be shown.
///
/// There is deliberately no `==` with a string: comparing a generated code with what a user
/// typed is a verification, and belongs to [`crate::Totp::verify`] / [`crate::Hotp::verify`],
/// which compare in constant time over the whole window and pair with [`crate::replay`].
///
/// ```compile_fail
/// use iamkit_otp::{Secret, Totp};
/// let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap())
///     .build()
///     .unwrap();
/// let typed: &str = "287082";
/// let _accepted = totp.generate(59) == *typed; // no `PartialEq<str>`: use `verify`
/// ```
///
/// ```compile_fail
/// use iamkit_otp::{Secret, Totp};
/// let totp = Totp::builder(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap())
///     .build()
///     .unwrap();
/// let _accepted = totp.generate(59) == "287082"; // no `PartialEq<&str>`: use `verify`
/// ```
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
        // `Params` holds 6 to 10 digits; anything else is clamped to the buffer.
        let len = low_byte(digits.min(MAX_LEN_U32));
        // Two digits at a time from a table, least significant first (as itoa does).
        let mut v = value;
        let mut i = usize::from(len);
        while i >= 2 {
            let d = usize::from(low_byte(v % 100)) * 2;
            v /= 100;
            buf[i - 2] = DIGIT_PAIRS[d];
            buf[i - 1] = DIGIT_PAIRS[d + 1];
            i -= 2;
        }
        if i == 1 {
            buf[0] = b'0' + low_byte(v % 10);
        }
        Code { buf, len }
    }

    /// Five Steam Guard characters: the truncated value in base 26, least significant first.
    #[inline]
    pub(crate) fn steam(value: u32) -> Code {
        let mut buf = [0u8; MAX_LEN];
        let mut v = value;
        for b in buf.iter_mut().take(5) {
            *b = STEAM_ALPHABET[usize::from(low_byte(v % 26))];
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

    /// The code's buffer packed into two integers, for a cheap constant-time comparison.
    #[inline]
    pub(crate) fn packed(&self) -> (u64, u16) {
        pack(&self.buf)
    }
}

/// A 10-byte buffer as (bytes 0..8, bytes 8..10), little-endian.
#[inline]
pub(crate) fn pack(buf: &[u8; MAX_LEN]) -> (u64, u16) {
    let [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1] = *buf;
    (
        u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]),
        u16::from_le_bytes([b0, b1]),
    )
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
