//! The SigV4a key: a P-256 private key derived from the secret access key and the access key
//! ID, and a cache of derived keys.
//!
//! The derivation (NIST SP 800-108 counter-mode KDF with HMAC-SHA256, as aws-c-auth and
//! aws-sigv4 do it): for `counter` = 1, 2, … compute
//! `c = HMAC-SHA256("AWS4A" + secret, 00000001 || "AWS4-ECDSA-P256-SHA256" || 00 || access key ID || counter || 00000100)`
//! as a 256-bit big-endian number; the first `c` with `c <= n - 2` (`n` the group order) gives
//! the private key `d = c + 1`, in `1..=n-1`. A candidate is refused with probability about
//! 2^-32, so the counter (one byte) never runs out in practice; if it did, derivation fails
//! with an error rather than a panic.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use p256::Scalar;
use p256::ecdsa::VerifyingKey;
use p256::elliptic_curve::PrimeField;
use sha2::Sha256;
use subtle::{ConstantTimeEq, CtOption};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::key_cache::KeyCache;

use super::ALGORITHM;
use super::ecdsa::KeyPair;

/// A SigV4a signing key: the P-256 private key derived from a secret access key and its access
/// key ID, with its public key. The private scalar is zeroized when dropped; `Debug` shows only
/// the public key.
#[derive(Clone)]
pub struct EcdsaSigningKey {
    /// The private key and the public key in the form `ecdsa` signs and verifies with.
    pair: KeyPair,
    verifying: VerifyingKey,
}

impl EcdsaSigningKey {
    /// Derives the key of `access_key_id` and `secret_access_key` (see the module docs).
    ///
    /// # Errors
    /// [`Error::KeyDerivation`] in the (practically unreachable) case that no candidate of the
    /// KDF's counter range is a valid P-256 scalar.
    pub fn derive(access_key_id: &str, secret_access_key: &str) -> Result<EcdsaSigningKey, Error> {
        let mut input_key = Zeroizing::new(Vec::with_capacity(5 + secret_access_key.len()));
        input_key.extend_from_slice(b"AWS4A");
        input_key.extend_from_slice(secret_access_key.as_bytes());
        let keyed = Hmac::<Sha256>::new_from_slice(&input_key).map_err(|_| Error::KeyDerivation)?;
        // n - 1, the largest scalar: a candidate equal to it would make `d = c + 1` wrap to zero.
        let n_minus_1 = -Scalar::ONE;
        for counter in 1..=u8::MAX {
            let mut mac = keyed.clone();
            mac.update(&1u32.to_be_bytes());
            mac.update(ALGORITHM.as_bytes());
            mac.update(&[0]);
            mac.update(access_key_id.as_bytes());
            mac.update(&[counter]);
            mac.update(&256u32.to_be_bytes());
            let candidate = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
            // `c < n` (a canonical scalar) and `c != n - 1`, i.e. `c <= n - 2`, in constant time.
            let c: CtOption<Scalar> = Scalar::from_repr((*candidate).into());
            let accepted = c.and_then(|s| CtOption::new(s + Scalar::ONE, !s.ct_eq(&n_minus_1)));
            if let Some(d) = Option::<Scalar>::from(accepted) {
                let d = Zeroizing::new(d);
                let mut d_bytes = Zeroizing::new([0u8; 32]);
                d_bytes.copy_from_slice(&Zeroizing::new(d.to_repr()));
                let pair = KeyPair::from_secret(&d_bytes).ok_or(Error::KeyDerivation)?;
                let verifying =
                    VerifyingKey::from_sec1_bytes(&pair.public().to_sec1_uncompressed())
                        .map_err(|_| Error::KeyDerivation)?;
                return Ok(EcdsaSigningKey { pair, verifying });
            }
        }
        Err(Error::KeyDerivation)
    }

    /// The key pair `ecdsa::sign` and `ecdsa::verify` take.
    pub(crate) fn key_pair(&self) -> &KeyPair {
        &self.pair
    }

    /// The public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying
    }

    /// The public key's affine coordinates `(x, y)`, 32 big-endian bytes each (the form of the
    /// test suite's `public-key.json`).
    pub fn public_key_xy(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.verifying.to_sec1_point(false);
        let b = point.as_bytes();
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        // Uncompressed SEC1: 0x04 || x || y.
        if b.len() == 65 {
            x.copy_from_slice(&b[1..33]);
            y.copy_from_slice(&b[33..65]);
        }
        (x, y)
    }

    /// The public key as an uncompressed SEC1 point (`04 || x || y`, 65 bytes).
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.verifying.to_sec1_point(false).as_bytes().to_vec()
    }
}

impl fmt::Debug for EcdsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, _) = self.public_key_xy();
        f.debug_struct("EcdsaSigningKey")
            .field("private", &"<redacted>")
            .field("public_x", &super::hex(&x))
            .finish()
    }
}

/// The cache of SigV4a keys, keyed by access key ID and secret (a SigV4a key does not depend on
/// the date, region or service).
pub type EcdsaKeyCache = KeyCache<Arc<EcdsaSigningKey>>;

impl KeyCache<Arc<EcdsaSigningKey>> {
    /// The cached key of these credentials, derived (outside the lock) and stored on a miss.
    ///
    /// # Errors
    /// [`Error::KeyDerivation`] in the (practically unreachable) case that no candidate of the
    /// KDF's counter range is a valid P-256 scalar.
    pub fn get(
        &self,
        access_key_id: &str,
        secret_access_key: &str,
    ) -> Result<Arc<EcdsaSigningKey>, Error> {
        self.find(secret_access_key, &[access_key_id], true, || {
            EcdsaSigningKey::derive(access_key_id, secret_access_key).map(Arc::new)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key =
            EcdsaSigningKey::derive("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
                .unwrap_or_else(|e| panic!("{e}"));
        let debug = format!("{key:?}");
        let private = super::super::hex(&*key.key_pair().to_bytes());
        assert!(!debug.contains(&private), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
        // The public x coordinate of the suite's public-key.json.
        assert!(debug.contains("b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1"));
        let cache = EcdsaKeyCache::default();
        let _ = cache.get("AKIDEXAMPLE", "secret");
        let debug = format!("{cache:?}");
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn cache_keys_by_access_key_id_and_secret() {
        let cache = EcdsaKeyCache::new(2);
        let a = cache.get("AKID", "s1").unwrap_or_else(|e| panic!("{e}"));
        let a2 = cache.get("AKID", "s1").unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&a, &a2));
        let b = cache.get("AKID2", "s1").unwrap_or_else(|e| panic!("{e}"));
        let c = cache.get("AKID", "s2").unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a.public_key_xy(), b.public_key_xy());
        assert_ne!(a.public_key_xy(), c.public_key_xy());
        assert_eq!(cache.len(), 2);
    }
}
