//! ASCII byte classes, scans, hex and percent-encoding, [`Hex64`] and the one constant-time
//! compare ([`ct_eq`]).

use subtle::ConstantTimeEq;

/// Byte classes, one bit each, looked up in [`CLASS`].
pub(crate) const TOKEN: u8 = 1;
/// A token byte that is not an upper-case letter, or `;` (a `SignedHeaders` byte).
pub(crate) const SIGNED_LIST: u8 = 2;
/// `0-9 a-f`.
pub(crate) const LOWER_HEX: u8 = 4;
/// Whitespace trimmed from header values: space, tab, LF, VT, FF, CR.
pub(crate) const SPACE: u8 = 8;
/// What the URL fast path takes as a host byte: `a-z 0-9 - . _ ~`.
pub(crate) const URL_HOST: u8 = 16;
/// Where the URL fast path stops in the path and query: `?`, `#`, space, controls, DEL.
pub(crate) const URL_STOP: u8 = 32;
/// AWS's unreserved bytes `A-Z a-z 0-9 - _ . ~`.
pub(crate) const UNRESERVED: u8 = 64;
/// Unreserved or `/`.
pub(crate) const UNRESERVED_SLASH: u8 = 128;

pub(crate) static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        // `i < 256` (the loop bound): no truncation. (`u8::try_from` is not const.)
        #[allow(clippy::cast_possible_truncation)]
        let b = i as u8;
        let token = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        let mut c = 0;
        if token {
            c |= TOKEN;
            if !b.is_ascii_uppercase() {
                c |= SIGNED_LIST;
            }
        }
        if b == b';' {
            c |= SIGNED_LIST;
        }
        if b.is_ascii_digit() || (b >= b'a' && b <= b'f') {
            c |= LOWER_HEX;
        }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c) {
            c |= SPACE;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            c |= URL_HOST;
        }
        if b == b'?' || b == b'#' || b <= b' ' || b == 0x7f {
            c |= URL_STOP;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            c |= UNRESERVED | UNRESERVED_SLASH;
        }
        if b == b'/' {
            c |= UNRESERVED_SLASH;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// The length of the prefix of `s` whose bytes are in `class`.
#[inline]
pub(crate) fn skip_class(s: &[u8], class: u8) -> usize {
    s.iter()
        .position(|&c| CLASS[c as usize] & class == 0)
        .unwrap_or(s.len())
}

/// The length of the prefix of `s` whose bytes are not in `class`.
#[inline]
pub(crate) fn skip_not_class(s: &[u8], class: u8) -> usize {
    s.iter()
        .position(|&c| CLASS[c as usize] & class != 0)
        .unwrap_or(s.len())
}

/// Whether every byte of `s` is `0-9 a-f` (branch-free, so the compiler vectorises it).
#[inline]
pub(crate) fn is_lower_hex(s: &[u8]) -> bool {
    s.iter().fold(true, |ok, &c| {
        ok & ((c.wrapping_sub(b'0') < 10) | (c.wrapping_sub(b'a') < 6))
    })
}

/// Whether every byte of `s` is in `class`.
#[inline]
pub(crate) fn all_in(s: &[u8], class: u8) -> bool {
    s.iter().fold(class, |acc, &b| acc & CLASS[b as usize]) & class == class
}

/// The classes every byte of `s` is in (all of them for the empty string): one pass for
/// several [`all_in`] questions.
#[inline]
pub(crate) fn common_classes(s: &[u8]) -> u8 {
    s.iter().fold(u8::MAX, |acc, &b| acc & CLASS[b as usize])
}

/// Whether some byte of `s` is in `class`.
#[inline]
pub(crate) fn any_in(s: &[u8], class: u8) -> bool {
    s.iter().fold(0, |acc, &b| acc | CLASS[b as usize]) & class != 0
}

pub(crate) fn is_token(name: &str) -> bool {
    !name.is_empty() && all_in(name.as_bytes(), TOKEN)
}

/// Whether `b` may hold a byte of [`SPACE`]: eight bytes at a time, true if some byte is below
/// `0x21` (every [`SPACE`] byte is).
#[inline]
pub(crate) fn maybe_space(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Some byte < 0x21 (bit-twiddling "hasless"; exact on existence for n <= 128).
    let low = |c: &[u8]| {
        let x = u64::from_le_bytes(c.try_into().unwrap_or_default());
        x.wrapping_sub(ONES * 0x21) & !x & (ONES * 0x80) != 0
    };
    if b.len() < 8 {
        return b.iter().any(|&c| c <= b' ');
    }
    let mut chunks = b.chunks_exact(8);
    if chunks.any(low) {
        return true;
    }
    // The last eight bytes (overlapping the chunks before) instead of a byte loop.
    !chunks.remainder().is_empty() && low(&b[b.len() - 8..])
}

#[inline]
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `s` with AWS's rules: every byte but `A-Z a-z 0-9 - _ . ~` (and `/` unless
/// `encode_slash`) becomes `%XX` with upper-case hex.
///
/// ```
/// assert_eq!(iamkit_sigv4::canonical::uri_encode("a b/ሴ", false), "a%20b/%E1%88%B4");
/// assert_eq!(iamkit_sigv4::canonical::uri_encode("a/b", true), "a%2Fb");
/// ```
pub fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    uri_encode_into(&mut out, s, encode_slash);
    out
}

pub(crate) fn uri_encode_into(out: &mut String, s: &str, encode_slash: bool) {
    let class = if encode_slash {
        UNRESERVED
    } else {
        UNRESERVED_SLASH
    };
    // The bytes before `n` are ASCII, so `n` is a character boundary.
    let n = skip_class(s.as_bytes(), class);
    out.push_str(&s[..n]);
    if n < s.len() {
        uri_encode_bytes_into(out, &s.as_bytes()[n..], encode_slash);
    }
}

pub(crate) fn uri_encode_bytes_into(out: &mut String, s: &[u8], encode_slash: bool) {
    let class = if encode_slash {
        UNRESERVED
    } else {
        UNRESERVED_SLASH
    };
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if CLASS[b as usize] & class != 0 {
            continue;
        }
        if start < i {
            // Slices of `s` between escaped bytes are ASCII.
            out.push_str(std::str::from_utf8(&s[start..i]).unwrap_or_default());
        }
        out.push('%');
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 15) as usize] as char);
        start = i + 1;
    }
    if start < s.len() {
        out.push_str(std::str::from_utf8(&s[start..]).unwrap_or_default());
    }
}

pub(crate) fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (a `%` not followed by two hex digits stays a literal `%`); `+` stays `+`.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hexval(b[i + 1]), hexval(b[i + 2]))
        {
            out.push((h << 4) | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `a < b` in byte order, without a `memcmp` call.
pub(crate) fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    a.len() < b.len()
}

/// The index of the first `needle` in `b`, eight bytes at a time (no `memchr` set-up: the
/// strings searched here are short).
pub(crate) fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let pattern = ONES * u64::from(needle);
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default()) ^ pattern;
        // The lowest flagged byte is the first zero byte of `x` (higher flags may be false).
        let zero = x.wrapping_sub(ONES) & !x & (ONES * 0x80);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == needle)
        .map(|i| at + i)
}
/// Constant-time equality: the time taken depends only on the lengths (eight bytes at a time
/// XOR-folded, then one `subtle` comparison). The only byte comparison of secrets and
/// signatures in this crate.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_ne_bytes(<[u8; 8]>::try_from(c).unwrap_or([0; 8]));
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut acc = 0u64;
    for (x, y) in (&mut wa).zip(&mut wb) {
        acc |= word(x) ^ word(y);
    }
    for (x, y) in wa.remainder().iter().zip(wb.remainder()) {
        acc |= u64::from(x ^ y);
    }
    bool::from(acc.ct_eq(&0))
}

/// 64 lower-case hex digits (a SHA-256 or HMAC-SHA256 in hex: a signature, a payload hash).
/// The invariant is held here: every constructor writes lower-case hex from 32 bytes (in
/// `const_hex`'s buffer, whose text needs no UTF-8 check when read as `&str`).
#[derive(Clone)]
pub(crate) struct Hex64(const_hex::Buffer<32>);

impl Hex64 {
    /// The hex of a 32-byte digest.
    pub(crate) fn of(digest: &[u8; 32]) -> Hex64 {
        let mut hex = const_hex::Buffer::new();
        hex.format(digest);
        Hex64(hex)
    }

    /// `s` if it is exactly 64 lower-case hex digits.
    pub(crate) fn parse(s: &str) -> Option<Hex64> {
        let digits = <&[u8; 64]>::try_from(s.as_bytes()).ok()?;
        if !is_lower_hex(digits) {
            return None;
        }
        // Checked lower-case hex: what `format` would have written.
        let mut hex = const_hex::Buffer::new();
        *hex.as_mut_byte_array::<64>() = *digits;
        Some(Hex64(hex))
    }

    pub(crate) fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Constant-time comparison with a received value (any length).
    pub(crate) fn ct_eq(&self, received: &[u8]) -> bool {
        ct_eq(self.as_bytes(), received)
    }
}

impl PartialEq for Hex64 {
    fn eq(&self, other: &Hex64) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Hex64 {}

impl AsRef<str> for Hex64 {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Hex64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;

    /// Parsed text reads back as itself and equals the digest it is the hex of; anything but 64
    /// lower-case hex digits is refused.
    #[test]
    fn hex64_parse_and_format_agree() {
        let digest: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5).to_le_bytes()[0]);
        let made = Hex64::of(&digest);
        let text = made.as_str().to_owned();
        let parsed = Hex64::parse(&text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(parsed.as_str(), text);
        assert!(parsed == made);
        for bad in [
            &text[1..],
            &text.to_ascii_uppercase(),
            &format!("{}g", &text[1..]),
        ] {
            assert!(Hex64::parse(bad).is_none(), "{bad}");
        }
    }

    /// The table agrees with the rules it was built from, byte by byte.
    #[test]
    fn byte_classes() {
        for i in 0..=255u8 {
            let token = i.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&i);
            assert_eq!(all_in(&[i], TOKEN), token, "{i}");
            assert_eq!(
                all_in(&[i], SIGNED_LIST),
                (token && !i.is_ascii_uppercase()) || i == b';',
                "{i}"
            );
            assert_eq!(all_in(&[i], UNRESERVED), is_unreserved(i), "{i}");
            assert_eq!(
                all_in(&[i], UNRESERVED_SLASH),
                is_unreserved(i) || i == b'/',
                "{i}"
            );
            assert_eq!(
                is_lower_hex(&[b'0', i, b'f']),
                all_in(&[i], LOWER_HEX),
                "{i}"
            );
            assert_eq!(
                all_in(&[i], LOWER_HEX),
                i.is_ascii_digit() || (b'a'..=b'f').contains(&i),
                "{i}"
            );
            assert_eq!(
                any_in(&[b'x', i], SPACE),
                matches!(i, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c),
                "{i}"
            );
        }
        assert!(all_in(b"", TOKEN) && !any_in(b"", SPACE));
        // The eight-at-a-time prefilter never misses a byte below 0x21, at any position.
        for i in 0..=255u8 {
            for at in 0..19 {
                let mut v = [b'a'; 19];
                v[at] = i;
                assert_eq!(maybe_space(&v), i <= b' ', "{i} at {at}");
                assert_eq!(maybe_space(&v[..at + 1]), i <= b' ', "{i} at {at}");
            }
        }
    }
}

#[cfg(test)]
mod hex_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex64_parse_takes_only_64_lower_hex_digits() {
        let good = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        assert_eq!(
            Hex64::parse(good).map(|h| h.as_str().to_owned()),
            Some(good.to_owned())
        );
        assert!(Hex64::parse(&good.to_ascii_uppercase()).is_none());
        assert!(Hex64::parse(&good[1..]).is_none());
        assert!(Hex64::parse(&format!("{good}0")).is_none());
        assert!(Hex64::parse(&good.replace('f', "g")).is_none());
    }

    #[test]
    fn ct_eq_is_equality() {
        assert!(ct_eq(b"", b""));
        assert!(!ct_eq(b"a", b""));
        for len in 0..40 {
            let a: Vec<u8> = (0..len).map(|i: usize| i.to_le_bytes()[0]).collect();
            assert!(ct_eq(&a, &a));
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x80;
                assert!(!ct_eq(&a, &b), "{len} {at}");
            }
        }
    }

    proptest! {
        #[test]
        fn find_byte_is_position(b in prop::collection::vec(any::<u8>(), 0..80), needle: u8) {
            prop_assert_eq!(find_byte(&b, needle), b.iter().position(|&c| c == needle));
        }
    }

    #[test]
    fn find_byte_finds_the_first_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                let mut b = vec![b'a'; len];
                b[at] = b',';
                if at + 3 < len {
                    b[at + 3] = b',';
                }
                assert_eq!(find_byte(&b, b','), Some(at), "{len} {at}");
            }
            // Bytes one above and one below the needle are not it (the borrow case).
            let b: Vec<u8> = (0..len)
                .map(|i| if i % 2 == 0 { b'+' } else { b'-' })
                .collect();
            assert_eq!(find_byte(&b, b','), None, "{len}");
        }
        assert_eq!(find_byte(&[0x2c, 0x01, 0x00, 0x2c], 0x2c), Some(0));
        assert_eq!(
            find_byte(
                &[0x2d, 0x2b, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c],
                0x2c
            ),
            Some(2)
        );
    }
}
