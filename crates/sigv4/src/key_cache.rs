//! A cache of signing keys, and the signature of a string to sign computed with a cached key.
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
use crate::string_to_sign::{Scope, sts_head};
use crate::time::AmzDate;

struct CacheEntry {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
}

impl CacheEntry {
    fn is_for(&self, secret: &[u8], date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && ct_eq(&self.secret, secret)
    }
}

/// A small cache of signing keys keyed by (secret, date, region, service), so that repeated signing
/// skips the four-HMAC derivation. Entries are zeroized when evicted (oldest first) or dropped.
/// Thread-safe: a `Mutex` is held only to look an entry up and to store one; no hashing happens
/// under it.
pub struct SigningKeyCache {
    entries: Mutex<Vec<CacheEntry>>,
    capacity: usize,
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache {
            entries: Mutex::new(Vec::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<CacheEntry>> {
        match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Returns the cached key, deriving and caching it on a miss.
    pub fn get(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        self.find(secret_access_key, date, region, service)
    }

    /// The cached key; derived and stored on a miss (outside the lock).
    fn find(&self, secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        if let Some(e) = self
            .lock()
            .iter()
            .find(|e| e.is_for(secret.as_bytes(), date, region, service))
        {
            return e.key.clone();
        }
        let key = SigningKey::derive(secret, date, region, service);
        // A date that is not `yyyymmdd` is used once and not kept.
        if let Ok(d) = <[u8; 8]>::try_from(date.as_bytes()) {
            let mut entries = self.lock();
            if !entries
                .iter()
                .any(|e| e.is_for(secret.as_bytes(), date, region, service))
            {
                if entries.len() >= self.capacity {
                    entries.remove(0);
                }
                entries.push(CacheEntry {
                    secret: Zeroizing::new(secret.as_bytes().to_vec()),
                    date: d,
                    region: region.to_owned(),
                    service: service.to_owned(),
                    key: key.clone(),
                });
            }
        }
        key
    }

    /// The signature of the string to sign `head` + `canonical_request_hash` (`head` being
    /// [`sts_head`] of `amz` and `scope`, given when the caller has already written it), with the
    /// key for `secret` and `scope`, and that key.
    pub(crate) fn sign(
        &self,
        secret: &str,
        amz: &AmzDate,
        scope: Scope<'_>,
        head: Option<&str>,
        canonical_request_hash: &Hex64,
    ) -> (Hex64, SigningKey) {
        let key = self.find(secret, scope.date, scope.region, scope.service);
        let mut state = key.keyed_state().clone();
        match head {
            Some(h) => state.update(h.as_bytes()),
            None => state.update(sts_head(amz, scope).as_bytes()),
        }
        let mac = state.finalize_with(canonical_request_hash.as_bytes());
        (Hex64::of(&mac), key)
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

impl Default for SigningKeyCache {
    fn default() -> Self {
        SigningKeyCache::new(8)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}
