//! A cache of signing keys, and the signature of a string to sign computed with a cached key.
//!
//! The mutex guards only the lookup and the stores: keys are derived and strings to sign hashed
//! outside it, so signers and verifiers sharing one cache work in parallel.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::ascii::{Hex64, ct_eq};
use crate::key::SigningKey;
use crate::sha::HmacState;
use crate::string_to_sign::{Scope, sts_head};
use crate::time::AmzDate;

struct CacheEntry {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
    /// The keyed HMAC after absorbing the string to sign's first three lines
    /// (`AWS4-HMAC-SHA256\n{x-amz-date}\n{scope}\n`) for the last `x-amz-date` signed with this
    /// key: requests signed or verified in the same second skip those blocks.
    sts_head: Option<(AmzDate, HmacState)>,
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
///
/// Each entry also remembers the HMAC state after the string to sign's fixed first lines for the
/// last second it signed, so a burst of requests signed (or verified) with the same `x-amz-date`
/// (a page of presigned URLs, a busy client) hashes one block less per request.
pub struct SigningKeyCache {
    entries: Mutex<Vec<CacheEntry>>,
    capacity: usize,
}

/// What a lookup copies out of the cache.
struct Found {
    key: SigningKey,
    /// The state after the string to sign's head, when the entry holds it for the `x-amz-date`
    /// asked for.
    head: Option<HmacState>,
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
        self.find(secret_access_key, date, region, service, None)
            .key
    }

    /// The cached key and, if held for `amz`, the string to sign's head state; derives and
    /// stores the key on a miss (outside the lock).
    fn find(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
        amz: Option<&AmzDate>,
    ) -> Found {
        {
            let entries = self.lock();
            if let Some(e) = entries
                .iter()
                .find(|e| e.is_for(secret.as_bytes(), date, region, service))
            {
                let head = match (&e.sts_head, amz) {
                    (Some((at, state)), Some(amz)) if at == amz => Some(state.clone()),
                    _ => None,
                };
                return Found {
                    key: e.key.clone(),
                    head,
                };
            }
        }
        let key = SigningKey::derive(secret, date, region, service);
        if let Ok(d) = <[u8; 8]>::try_from(date.as_bytes()) {
            // Not a `yyyymmdd` date: used once, not kept.
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
                    sts_head: None,
                });
            }
        }
        Found { key, head: None }
    }

    /// Remembers `state` as the head state of `amz` for the entry, unless the entry is gone.
    fn store_head(&self, secret: &str, scope: Scope<'_>, amz: &AmzDate, state: &HmacState) {
        let mut entries = self.lock();
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.is_for(secret.as_bytes(), scope.date, scope.region, scope.service))
        {
            match &mut e.sts_head {
                Some((at, held)) => {
                    *at = *amz;
                    held.copy_from(state);
                }
                None => e.sts_head = Some((*amz, state.clone())),
            }
        }
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
        let found = self.find(secret, scope.date, scope.region, scope.service, Some(amz));
        let mac = match found.head {
            Some(state) => state.finalize_with(canonical_request_hash.as_bytes()),
            None => {
                let mut state = found.key.keyed_state().clone();
                match head {
                    Some(h) => state.update(h.as_bytes()),
                    None => state.update(sts_head(amz, scope).as_bytes()),
                }
                self.store_head(secret, scope, amz, &state);
                state.finalize_with(canonical_request_hash.as_bytes())
            }
        };
        (Hex64::of(&mac), found.key)
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
