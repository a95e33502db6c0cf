//! SHA-256 and HMAC-SHA256 straight on `sha2`'s block function.
//!
//! Signing hashes one contiguous canonical request and MACs the string to sign, written in pieces,
//! with the keyed state cached per signing key; the general `Digest`/`Mac` layers (block buffers
//! moved by value, padding through `memset`) cost more than the few lines of padding here. The block function, the part that
//! matters for security and speed, is `sha2`'s (SHA-NI where the CPU has it). Tests check both
//! functions against `sha2::Sha256` and `hmac::Hmac` on random inputs.

use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Pads and absorbs the last `tail` bytes (fewer than 64) of a message of `total_len` bytes.
fn finish(state: &mut [u32; 8], tail: &[u8], total_len: u64) {
    let mut blocks = [[0u8; 64]; 2];
    let n = tail.len().min(63);
    let flat = blocks.as_flattened_mut();
    flat[..n].copy_from_slice(&tail[..n]);
    flat[n] = 0x80;
    let used = if n + 9 <= 64 { 1 } else { 2 };
    flat[used * 64 - 8..used * 64].copy_from_slice(&total_len.wrapping_mul(8).to_be_bytes());
    compress256(state, &blocks[..used]);
}

fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    let (blocks, tail) = data.as_chunks::<64>();
    compress256(&mut state, blocks);
    finish(&mut state, tail, data.len() as u64);
    digest_bytes(&state)
}

/// HMAC-SHA256 (RFC 2104) keyed with a 32-byte key: the inner and outer states after the key
/// blocks, nothing absorbed. Zeroized when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    /// The states keyed with `key` (32 bytes: shorter than a block, so used as is).
    pub(crate) fn new(key: &[u8; 32]) -> HmacKey {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(key) {
            *i ^= k;
            *o ^= k;
        }
        let mut inner = IV;
        compress256(&mut inner, &[ipad]);
        let mut outer = IV;
        compress256(&mut outer, &[opad]);
        ipad.zeroize();
        opad.zeroize();
        HmacKey { inner, outer }
    }

    /// The MAC of the concatenation of `parts` (a message written in pieces needs no buffer of
    /// its own); `self` is left as it was.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut inner = self.inner;
        let mut block = [0u8; 64];
        let mut used = 0;
        // The key block counts towards the inner message's length.
        let mut total: u64 = 64;
        for &part in parts {
            let mut data = part;
            total += data.len() as u64;
            if used > 0 {
                let take = (64 - used).min(data.len());
                block[used..used + take].copy_from_slice(&data[..take]);
                used += take;
                data = &data[take..];
                if used < 64 {
                    continue;
                }
                compress256(&mut inner, &[block]);
            }
            let (blocks, tail) = data.as_chunks::<64>();
            compress256(&mut inner, blocks);
            block[..tail.len()].copy_from_slice(tail);
            used = tail.len();
        }
        finish(&mut inner, &block[..used], total);
        let inner_hash = digest_bytes(&inner);
        inner.zeroize();
        let mut outer = self.outer;
        finish(&mut outer, &inner_hash, 64 + 32);
        let mac = digest_bytes(&outer);
        outer.zeroize();
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};
    use proptest::prelude::*;
    use sha2::Digest;

    fn reference_hmac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap_or_else(|e| panic!("{e}"));
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn sha256_matches_sha2_at_every_length_around_the_blocks() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3).to_le_bytes()[0]).collect();
        for n in 0..data.len() {
            let expected: [u8; 32] = sha2::Sha256::digest(&data[..n]).into();
            assert_eq!(sha256(&data[..n]), expected, "length {n}");
        }
    }

    #[test]
    fn rfc4231_case_2_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; HmacState takes 32-byte keys, so the key is
        // zero-padded, which HMAC defines as the same key (keys shorter than a block are padded).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = HmacKey::new(&key).mac(&[b"what do ya want for nothing?"]);
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(crate::ascii::Hex64::of(&mac).as_str(), expected);
    }

    proptest! {
        #[test]
        fn hmac_matches_the_hmac_crate(
            key in prop::array::uniform32(any::<u8>()),
            parts in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..150), 0..6),
        ) {
            let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            let k = HmacKey::new(&key);
            prop_assert_eq!(k.mac(&parts), reference_hmac(&key, &parts));
            // The same message in one piece.
            prop_assert_eq!(k.mac(&[&parts.concat()]), reference_hmac(&key, &parts));
        }

        #[test]
        fn sha256_matches_sha2(data in prop::collection::vec(any::<u8>(), 0..600)) {
            let expected: [u8; 32] = sha2::Sha256::digest(&data).into();
            prop_assert_eq!(sha256(&data), expected);
        }
    }
}
