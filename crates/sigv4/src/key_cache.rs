//! A cache of derived keys (SigV4's per-day signing keys, SigV4a's ECDSA keys), and the SigV4
//! signature of a string to sign computed with a cached key.
//!
//! The mutex guards only the lookup and the store: keys are derived and strings to sign hashed
//! outside it, so signers and verifiers sharing one cache work in parallel.
//!
//! It used to keep, per key, the HMAC state after the string to sign's first lines for the last
//! second signed. That saved one SHA-256 block (about 30 ns of 600 ns) only when requests repeat a
//! second, nothing when the clock moves between calls (a client signing one request at a time),
//! and cost a second lock and a state copy per new second: removed (see BENCHMARKS.md).

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::ascii::{Hex64, ct_eq};
use crate::key::SigningKey;
use crate::string_to_sign::Scope;
#[cfg(doc)]
use crate::string_to_sign::StringToSign;

struct CacheEntry<K> {
    secret: Zeroizing<Vec<u8>>,
    /// The public inputs (e.g. `["20150830", "us-east-1", "service"]`), compared piecewise.
    inputs: Vec<String>,
    key: K,
}

impl<K> CacheEntry<K> {
    fn is_for(&self, secret: &[u8], inputs: &[&str]) -> bool {
        self.inputs.len() == inputs.len()
            && self.inputs.iter().zip(inputs).all(|(a, b)| a == b)
            && ct_eq(&self.secret, secret)
    }
}

/// A small cache of keys derived from a secret access key and public inputs, so that repeated
/// signing skips the derivation: [`SigningKeyCache`] (SigV4, keyed by secret, date, region and
/// service) and [`EcdsaKeyCache`](crate::sigv4a::EcdsaKeyCache) (SigV4a, keyed by access key ID
/// and secret). Entries are zeroized when evicted (oldest first) or dropped. Thread-safe: a
/// `Mutex` is held only to look an entry up and to store one; no hashing happens under it.
pub struct KeyCache<K> {
    entries: Mutex<Vec<CacheEntry<K>>>,
    capacity: usize,
}

/// The cache of SigV4 signing keys.
pub type SigningKeyCache = KeyCache<SigningKey>;

impl<K: Clone> KeyCache<K> {
    /// A cache holding at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        KeyCache {
            entries: Mutex::new(Vec::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<CacheEntry<K>>> {
        match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The cached key for `secret` and `inputs`; on a miss, `derive`d outside the lock and, when
    /// `keep`, stored.
    pub(crate) fn find<E>(
        &self,
        secret: &str,
        inputs: &[&str],
        keep: bool,
        derive: impl FnOnce() -> Result<K, E>,
    ) -> Result<K, E> {
        let secret = secret.as_bytes();
        if let Some(e) = self.lock().iter().find(|e| e.is_for(secret, inputs)) {
            return Ok(e.key.clone());
        }
        let key = derive()?;
        if keep {
            let mut entries = self.lock();
            if !entries.iter().any(|e| e.is_for(secret, inputs)) {
                if entries.len() >= self.capacity {
                    entries.remove(0);
                }
                entries.push(CacheEntry {
                    secret: Zeroizing::new(secret.to_vec()),
                    inputs: inputs.iter().map(|s| (*s).to_owned()).collect(),
                    key: key.clone(),
                });
            }
        }
        Ok(key)
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops (and zeroizes) every cached key.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

impl<K: Clone> Default for KeyCache<K> {
    /// A cache of 8 keys.
    fn default() -> Self {
        KeyCache::new(8)
    }
}

impl<K: Clone> fmt::Debug for KeyCache<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl KeyCache<SigningKey> {
    /// Returns the cached key, deriving and caching it on a miss.
    pub fn get(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        // A date that is not `yyyymmdd` is used once and not kept.
        let keep = date.len() == 8;
        let derived: Result<SigningKey, std::convert::Infallible> =
            self.find(secret_access_key, &[date, region, service], keep, || {
                Ok(SigningKey::derive(secret_access_key, date, region, service))
            });
        match derived {
            Ok(key) => key,
            Err(never) => match never {},
        }
    }

    /// The signature of the string to sign given in `parts` (see [`StringToSign`]) with the key
    /// for `secret` and `scope`, and that key.
    pub(crate) fn sign(
        &self,
        secret: &str,
        scope: Scope<'_>,
        parts: &[&[u8]],
    ) -> (Hex64, SigningKey) {
        let region = scope.region.unwrap_or_default();
        let key = self.get(secret, scope.date, region, scope.service);
        let mac = key.mac(parts);
        (Hex64::of(&mac), key)
    }
}
