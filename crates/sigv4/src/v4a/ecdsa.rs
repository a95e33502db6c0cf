//! ECDSA P-256 with SHA-256 for SigV4a: the one place that signs and verifies.
//!
//! The rest of the crate calls [`KeyPair::from_secret`], [`sign`] and [`verify`] only.
//!
//! Why not `p256::ecdsa::SigningKey::sign_prehash` (p256 0.14, which aws-sigv4 1.6 uses too):
//! it signed no faster than aws-sigv4 (about 70% of the time in 0.14's crypto-bigint field
//! multiplication, 13% in its constant-time scalar inversion). Here the curve arithmetic is
//! p256 0.13's (`p256_13`: fiat-crypto's generated field arithmetic, its scalar type and its
//! complete point formulas; no field arithmetic is written here), and what this module adds
//! is at the group level:
//!
//! * `k·G` (and `d·G`) with a fixed-base comb: the scalar's 43 signed 6-bit digits each pick
//!   one multiple `±j·64^i·G` (`j` in `0..=32`) from a table built once (about 1,400 point
//!   operations, under a millisecond), and the picks are summed: 43 additions and no
//!   doublings, where a variable-base multiplication
//!   costs 256 doublings and 64 additions. The pick reads every entry of the window's row and
//!   keeps one with `subtle`'s `ConditionallySelectable`, then negates it under a `Choice`: no
//!   branch and no memory index depends on the secret scalar.
//! * Verification (public inputs only, so variable time is fine) sums `u1·G` from the same table
//!   and `u2·Q` from a table of the public key `Q`, built on the key's second verification and
//!   kept with the key (the key caches hold it; about 130 KiB a key).
//! * The nonce's inversion is blinded (see `invert_blinded`); the inversion of the projective
//!   `z` of `k·G` stays p256's constant-time one (`to_affine`).
//! * The nonce is RFC 6979's (the `rfc6979` crate, no extra data), exactly as p256's own
//!   `sign_prehash` derives it, so both produce the same signature for the same key and
//!   message (the tests check that, byte for byte). Like p256 (and aws-c-auth, through
//!   libcrypto), `s` is not normalised to the low half.
//! * DER encoding and decoding are p256 0.14's `ecdsa::Signature`.
//!
//! The private scalar is zeroized when the key pair is dropped, and so are the nonce, its
//! inverse and its digits when a signature is done.

use std::fmt;
use std::sync::OnceLock;

use p256::ecdsa::{DerSignature, Signature};
use p256_13::elliptic_curve::group::Group as _;
use p256_13::elliptic_curve::ops::Reduce;
use p256_13::elliptic_curve::point::AffineCoordinates as _;
use p256_13::elliptic_curve::sec1::ToEncodedPoint as _;
use p256_13::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use p256_13::elliptic_curve::{Field as _, PrimeField as _};
use p256_13::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};
use rfc6979::bigint::{Odd, U256 as U256v7};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::sha::sha256;

/// Bits per digit. Measured (CPU time per signature): 4 bits (65 additions, 8-entry picks)
/// about 51 µs, 5 bits (52, 16-entry picks) about 50 µs, 6 bits (43, 32-entry picks) about
/// 48 µs. A table is 43 × 32 projective points, about 130 KiB.
const W: usize = 6;
/// Digits of a scalar: `ceil(256 / 6)` signed 6-bit digits; the top one holds bits 252..=255
/// and a carry, so recoding never carries out of it.
const WINDOWS: usize = 43;
/// Multiples per window: `1·B ..= 16·B` (the sign of a digit is applied after the pick).
const ROW: usize = 1 << (W - 1);
/// `ROW` as a digit.
const HALF: i8 = 1 << (W - 1);

/// The group order `n` (big-endian hex), for RFC 6979.
const ORDER_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// `table[i][j] = (j + 1)·64^i·P`, for one point `P`.
///
/// The entries stay projective: p256 0.13 has no batch inversion, and normalising the 520
/// points one inversion each would cost milliseconds per table (a one-shot `iamkit sign` pays
/// for the base point's table once); built projective, a table costs about 600 point
/// operations, and a full addition is little dearer than a mixed one.
#[derive(Clone)]
struct Comb(Box<[[ProjectivePoint; ROW]; WINDOWS]>);

impl Comb {
    /// The table of `p` (any point; the identity gives a table of identities).
    fn new(p: &ProjectivePoint) -> Comb {
        let mut rows = Box::new([[ProjectivePoint::IDENTITY; ROW]; WINDOWS]);
        let mut base = *p;
        for row in rows.iter_mut() {
            let mut acc = base;
            for m in row.iter_mut() {
                *m = acc;
                acc += base;
            }
            // 64·B = 2·(32·B).
            base = row[ROW - 1].double();
        }
        Comb(rows)
    }

    /// `k·P` in constant time with respect to `k`.
    fn mul(&self, k: &Scalar) -> ProjectivePoint {
        let digits = Digits::of(k);
        let mut acc = ProjectivePoint::IDENTITY;
        for (row, &d) in self.0.iter().zip(digits.0.iter()) {
            // |d| and the sign of d, without branches.
            let negative = d.cast_unsigned() >> 7;
            let abs = (d.cast_unsigned() ^ 0u8.wrapping_sub(negative)).wrapping_add(negative);
            let mut pick = ProjectivePoint::IDENTITY;
            for (j, entry) in (1u8..).zip(row.iter()) {
                pick.conditional_assign(entry, abs.ct_eq(&j));
            }
            let negated = -pick;
            pick.conditional_assign(&negated, Choice::from(negative));
            acc += &pick;
        }
        acc
    }

    /// `k·P` for a public `k` (variable time: verification only).
    fn mul_vartime(&self, k: &Scalar) -> ProjectivePoint {
        let digits = Digits::of(k);
        let mut acc = ProjectivePoint::IDENTITY;
        for (row, &d) in self.0.iter().zip(digits.0.iter()) {
            match d {
                0 => {}
                1.. => acc += &row[usize::from(d.unsigned_abs()) - 1],
                _ => acc += &-row[usize::from(d.unsigned_abs()) - 1],
            }
        }
        acc
    }
}

/// The signed digits `d_i` in `-32..=32` with `k = Σ d_i·64^i`, zeroized when dropped.
struct Digits([i8; WINDOWS]);

impl Digits {
    /// Recodes `k` (branch-free: the digits of a secret scalar are secret).
    fn of(k: &Scalar) -> Digits {
        let bytes = Zeroizing::new(k.to_bytes());
        // Little-endian, with a zero byte above the top for the last digit's read.
        let mut le = Zeroizing::new([0u8; 33]);
        for (dst, src) in le.iter_mut().zip(bytes.iter().rev()) {
            *dst = *src;
        }
        let mut d = Digits([0; WINDOWS]);
        // Unsigned W-bit digits, least significant first (positions are public).
        for (i, digit) in d.0.iter_mut().enumerate() {
            let (byte, shift) = ((i * W) / 8, (i * W) % 8);
            let two = u16::from(le[byte]) | (u16::from(le[byte + 1]) << 8);
            *digit = ((two >> shift) & ((1 << W) - 1)) as i8;
        }
        // To -32..=31 with a carry into the next digit (the top digit ends up in 0..=16).
        let mut carry = 0i8;
        for digit in &mut d.0 {
            *digit += carry;
            carry = (*digit + HALF) >> W;
            *digit -= carry << W;
        }
        d
    }
}

impl Drop for Digits {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The base point's table, built on first use (about a millisecond) and kept for the process.
fn generator_table() -> &'static Comb {
    static TABLE: OnceLock<Comb> = OnceLock::new();
    TABLE.get_or_init(|| Comb::new(&ProjectivePoint::GENERATOR))
}

/// A public key, with its verification table once the key has verified a signature.
#[derive(Clone)]
pub(crate) struct PublicKey {
    point: AffinePoint,
    table: OnceLock<Comb>,
    /// Set by the first verification, which multiplies without a table.
    seen: OnceLock<()>,
}

impl PublicKey {
    /// Uncompressed SEC1 encoding, `04 || x || y`.
    pub(crate) fn to_sec1_uncompressed(&self) -> [u8; 65] {
        let encoded = self.point.to_encoded_point(false);
        let mut out = [0u8; 65];
        let bytes = encoded.as_bytes();
        if bytes.len() == out.len() {
            out.copy_from_slice(bytes);
        }
        out
    }

    /// `u·Q` for a public `u`. From the key's second verification on, by its table (built
    /// then: about as many point additions as a dozen verifications); the first one, by p256's
    /// own multiplication, so that a key used once (or a key cache that thrashes) never pays
    /// for a table.
    fn mul_vartime(&self, u: &Scalar) -> ProjectivePoint {
        if let Some(table) = self.table.get() {
            return table.mul_vartime(u);
        }
        if self.seen.set(()).is_ok() {
            return ProjectivePoint::from(self.point) * u;
        }
        self.table
            .get_or_init(|| Comb::new(&ProjectivePoint::from(self.point)))
            .mul_vartime(u)
    }
}

/// A private key `d` (zeroized on drop) and its public key `d·G`.
#[derive(Clone)]
pub(crate) struct KeyPair {
    secret: Zeroizing<Scalar>,
    public: PublicKey,
}

impl KeyPair {
    /// The key pair of the private key `d` (big-endian bytes), or `None` unless `0 < d < n`.
    pub(crate) fn from_secret(d: &[u8; 32]) -> Option<KeyPair> {
        let repr = Zeroizing::new(FieldBytes::from(*d));
        let secret = Zeroizing::new(Option::<Scalar>::from(Scalar::from_repr(*repr))?);
        if bool::from(secret.is_zero()) {
            return None;
        }
        let point = generator_table().mul(&secret).to_affine();
        Some(KeyPair {
            secret,
            public: PublicKey {
                point,
                table: OnceLock::new(),
                seen: OnceLock::new(),
            },
        })
    }

    /// The public key.
    pub(crate) fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The private key's big-endian bytes (tests compare with p256's own key).
    #[cfg(test)]
    pub(crate) fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes().into())
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("sec1", &super::hex(&self.to_sec1_uncompressed()))
            .finish()
    }
}

/// The group order as crypto-bigint 0.7's odd modulus (its safegcd inversion).
const ORDER_ODD: Odd<U256v7> = Odd::<U256v7>::from_be_hex(ORDER_HEX);

/// `x^-1 mod n` in variable time (Bernstein–Yang safegcd, crypto-bigint's), or `None` for 0.
/// Never call it on a secret: [`invert_blinded`] blinds the nonce first.
fn invert_vartime(x: &Scalar) -> Option<Scalar> {
    let bytes = Zeroizing::new(x.to_bytes());
    let inverse =
        Option::<U256v7>::from(U256v7::from_be_slice(&bytes).invert_odd_mod_vartime(&ORDER_ODD))?;
    let inverse = Zeroizing::new(inverse.to_be_bytes());
    let mut repr = Zeroizing::new(FieldBytes::default());
    repr.copy_from_slice(inverse.as_ref());
    Option::<Scalar>::from(Scalar::from_repr(*repr))
}

/// `k^-1` for a secret nonce `k != 0`, with a secret `blind != 0`: `(k·blind)^-1·blind`. The
/// variable-time inversion only ever sees `k·blind`, which is uniformly distributed and
/// independent of `k` as long as the blind is uniform and secret (it is the next output of the RFC 6979
/// generator, keyed by the private key: unknown to anyone without it). So the time taken
/// does not depend on `k`; the multiplications are p256's constant-time ones. Profiled,
/// p256 0.13's constant-time `Scalar::invert` (Fermat, about 420 Barrett multiplications)
/// took about a quarter of a signature, an addition chain (about 310) a fifth; this takes
/// about 7%.
fn invert_blinded(k: &Scalar, blind: &Scalar) -> Option<Scalar> {
    let blinded = Zeroizing::new(*k * blind);
    let inverse = Zeroizing::new(invert_vartime(&blinded)?);
    Some(*inverse * blind)
}

/// The SHA-256 digest of `message` reduced modulo `n` (`bits2int` for a 256-bit hash).
fn digest_scalar(message: &[u8]) -> (Scalar, [u8; 32]) {
    let h = sha256(message);
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(h));
    (z, h)
}

/// The x coordinate of `p` reduced modulo `n`, or `None` for the identity.
fn x_mod_n(p: &ProjectivePoint) -> Option<Scalar> {
    let affine = p.to_affine();
    if bool::from(affine.is_identity()) {
        return None;
    }
    Some(<Scalar as Reduce<U256>>::reduce_bytes(&affine.x()))
}

/// The 32 big-endian bytes of a scalar, in p256 0.14's array type.
fn bytes14(s: &Scalar) -> [u8; 32] {
    s.to_bytes().into()
}

/// Signs `string_to_sign` (ECDSA P-256, SHA-256, RFC 6979 nonce): the DER signature.
pub(crate) fn sign(key: &KeyPair, string_to_sign: &[u8]) -> DerSignature {
    let (z, h) = digest_scalar(string_to_sign);
    let order = rfc6979::bigint::U256::from_be_hex(ORDER_HEX);
    let x = Zeroizing::new(key.secret.to_bytes());
    let mut nonces = rfc6979::KGenerator::<Sha256, _>::new(&x, &h, &[], &order);
    loop {
        let mut k_bytes = Zeroizing::new([0u8; 32]);
        nonces.fill_next_k(&mut *k_bytes);
        // The generator returns 0 < k < n; a candidate is refused only if r or s is zero.
        let Some(k) = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*k_bytes))) else {
            continue;
        };
        let k = Zeroizing::new(k);
        // The blind of the inversion: the generator's next output (as secret as `k`).
        nonces.fill_next_k(&mut *k_bytes);
        let Some(blind) = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*k_bytes)))
        else {
            continue;
        };
        let blind = Zeroizing::new(blind);
        let Some(r) = x_mod_n(&generator_table().mul(&k)) else {
            continue;
        };
        let Some(k_inv) = invert_blinded(&k, &blind) else {
            continue;
        };
        let k_inv = Zeroizing::new(k_inv);
        let s = *k_inv * (z + r * *key.secret);
        if let Ok(signature) = Signature::from_scalars(bytes14(&r), bytes14(&s)) {
            return signature.to_der();
        }
    }
}

/// Whether `der` is a valid DER ECDSA signature of `string_to_sign` under `public`.
pub(crate) fn verify(public: &PublicKey, string_to_sign: &[u8], der: &[u8]) -> bool {
    let Ok(signature) = Signature::from_der(der) else {
        return false;
    };
    let (r_bytes, s_bytes) = signature.split_bytes();
    let scalar = |b: &[u8]| {
        let mut repr = FieldBytes::default();
        repr.copy_from_slice(b);
        Option::<Scalar>::from(Scalar::from_repr(repr))
    };
    // `Signature` guarantees 0 < r, s < n.
    let (Some(r), Some(s)) = (scalar(&r_bytes), scalar(&s_bytes)) else {
        return false;
    };
    let Some(w) = invert_vartime(&s) else {
        return false;
    };
    let (z, _) = digest_scalar(string_to_sign);
    let u1 = z * w;
    let u2 = r * w;
    let point = generator_table().mul_vartime(&u1) + public.mul_vartime(&u2);
    x_mod_n(&point).is_some_and(|x| bool::from(x.ct_eq(&r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p256::ecdsa::{SigningKey, VerifyingKey};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// The reference: p256 0.14's own ECDSA.
    fn plain_key(pair: &KeyPair) -> SigningKey {
        SigningKey::from_bytes(&(*pair.to_bytes()).into())
            .unwrap_or_else(|e| panic!("plain key: {e}"))
    }

    fn plain_sign(key: &SigningKey, message: &[u8]) -> DerSignature {
        let s: Signature = key
            .sign_prehash(&sha256(message))
            .unwrap_or_else(|e| panic!("plain sign: {e}"));
        s.to_der()
    }

    fn plain_verify(key: &VerifyingKey, message: &[u8], der: &[u8]) -> bool {
        Signature::from_der(der).is_ok_and(|s| key.verify_prehash(&sha256(message), &s).is_ok())
    }

    /// A proptest runner seeded from iamkit-testkit's generator (its seed is printed, and
    /// `IAMKIT_TEST_SEED` replays it).
    fn runner(name: &str, cases: u32) -> (TestRunner, iamkit_testkit::Rng) {
        let mut rng = iamkit_testkit::Rng::seeded(name);
        let seed = rng.bytes(32);
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        (runner, rng)
    }

    fn pair_of(secret: &[u8; 32]) -> Option<KeyPair> {
        KeyPair::from_secret(secret)
    }

    fn flip(bytes: &[u8], at: usize, bit: u8) -> Vec<u8> {
        let mut v = bytes.to_vec();
        let i = at % v.len();
        v[i] ^= 1 << (bit % 8);
        v
    }

    fn check_case(secret: &[u8; 32], message: &[u8], at: usize, bit: u8) {
        let Some(pair) = pair_of(secret) else {
            // Not a scalar in 1..n: p256 refuses it too.
            assert!(SigningKey::from_bytes(&(*secret).into()).is_err());
            return;
        };
        let plain = plain_key(&pair);
        let plain_public = plain.verifying_key();
        // The public key is p256's.
        assert_eq!(
            pair.public().to_sec1_uncompressed().as_slice(),
            plain_public.to_sec1_point(false).as_bytes()
        );
        let fast = sign(&pair, message);
        let reference = plain_sign(&plain, message);
        // The same RFC 6979 nonce: the same signature, byte for byte.
        assert_eq!(fast.as_bytes(), reference.as_bytes());
        // Each verifier accepts the other's signatures.
        assert!(plain_verify(plain_public, message, fast.as_bytes()));
        assert!(verify(pair.public(), message, reference.as_bytes()));
        assert!(verify(pair.public(), message, fast.as_bytes()));
        // ... and both refuse a changed message or signature.
        let changed = [message, b"!"].concat();
        assert!(!verify(pair.public(), &changed, fast.as_bytes()));
        assert!(!plain_verify(plain_public, &changed, fast.as_bytes()));
        let bad = flip(fast.as_bytes(), at, bit);
        assert!(!verify(pair.public(), message, &bad));
        assert!(!plain_verify(plain_public, message, &bad));
    }

    #[test]
    fn fast_ecdsa_agrees_with_p256() {
        let (mut runner, _rng) = runner("fast_ecdsa_agrees_with_p256", 64);
        let strategy = (
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 0..300),
            any::<usize>(),
            any::<u8>(),
        );
        runner
            .run(&strategy, |(secret, message, at, bit)| {
                check_case(&secret, &message, at, bit);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Scalars at the edges: small, `n - 1`, every digit `8` or `-8`-ish patterns, all ones
    /// below `n`.
    #[test]
    fn edge_scalars() {
        let n_minus = |k: u8| {
            let mut b = [0u8; 32];
            let order = hex_bytes(ORDER_HEX);
            b.copy_from_slice(&order);
            b[31] -= k;
            b
        };
        let mut cases = vec![n_minus(1), n_minus(2), [0x88; 32], [0x77; 32], [0x08; 32]];
        for small in [1u8, 2, 7, 8, 9, 15, 16, 17, 255] {
            let mut b = [0u8; 32];
            b[31] = small;
            cases.push(b);
        }
        for secret in &cases {
            check_case(secret, b"edge", 3, 1);
        }
        // 0 and n are not keys.
        assert!(KeyPair::from_secret(&[0; 32]).is_none());
        assert!(KeyPair::from_secret(&n_minus(0)).is_none());
    }

    /// The table multiplication agrees with p256 0.13's own variable-base multiplication, for
    /// the secret (constant-time) and the public (variable-time) picks.
    #[test]
    fn comb_matches_plain_multiplication() {
        let (mut runner, _rng) = runner("comb_matches_plain_multiplication", 64);
        let q = ProjectivePoint::GENERATOR * Scalar::from(0x1234_5678_u64);
        let table = Comb::new(&q);
        runner
            .run(&any::<[u8; 32]>(), |bytes| {
                let k = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(bytes));
                let g = ProjectivePoint::GENERATOR;
                prop_assert_eq!(generator_table().mul(&k), g * k);
                prop_assert_eq!(generator_table().mul_vartime(&k), g * k);
                prop_assert_eq!(table.mul(&k), q * k);
                prop_assert_eq!(table.mul_vartime(&k), q * k);
                let inverse = Option::<Scalar>::from(k.invert());
                prop_assert_eq!(invert_vartime(&k), inverse);
                let blind = k.square() + Scalar::ONE;
                let blinded = invert_blinded(&k, &blind);
                prop_assert_eq!(blinded, inverse.filter(|_| !bool::from(blind.is_zero())));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn garbage_signatures_are_refused() {
        let pair = KeyPair::from_secret(&[7; 32]).unwrap_or_else(|| panic!("key"));
        for der in [
            &b""[..],
            b"\x30\x00",
            &[0x30; 72],
            b"\x30\x06\x02\x01\x00\x02\x01\x01",
        ] {
            assert!(!verify(pair.public(), b"m", der));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let pair = KeyPair::from_secret(&[7; 32]).unwrap_or_else(|| panic!("key"));
        let debug = format!("{pair:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(
            !debug.contains(&super::super::hex(&*pair.to_bytes())),
            "{debug}"
        );
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }
}
