//! A cache of derived keys (SigV4's per-day signing keys, SigV4a's ECDSA keys), and the SigV4
//! signature of a string to sign computed with a cached key.
//!
//! The mutex guards only the lookup and the store: keys are derived and strings to sign hashed
//! outside it, so signers and verifiers sharing one cache work in parallel. The cache is split
//! in shards, one per thread (threads take shards in turn), each behind its own mutex on its own
//! cache line: threads sharing a cache do not write one lock by turns (which cost two threads
//! verifying through one `Verifier` about a sixth of their speed-up). A key missing from a
//! thread's shard is copied from another shard before it is derived again.
//!
//! It used to keep, per key, the HMAC state after the string to sign's first lines for the last
//! second signed. That saved one SHA-256 block (about 30 ns of 600 ns) only when requests repeat a
//! second, nothing when the clock moves between calls (a client signing one request at a time),
//! and cost a second lock and a state copy per new second: removed (see BENCHMARKS.md).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
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
/// `Mutex` is held only to look an entry up and to store one; no hashing happens under it, and
/// threads use shards of their own (see the module's documentation).
pub struct KeyCache<K> {
    shards: [Shard<K>; SHARDS],
    capacity: usize,
}

/// How many shards a cache has: threads beyond this many share shards.
const SHARDS: usize = 4;

/// One shard's entries, alone on its cache lines.
#[repr(align(128))]
struct Shard<K>(Mutex<Vec<CacheEntry<K>>>);

/// The shard of the calling thread: threads take shards in turn, the first time they use any
/// cache.
fn my_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.with(|s| *s)
}

/// The cache of SigV4 signing keys.
pub type SigningKeyCache = KeyCache<SigningKey>;

impl<K: Clone> KeyCache<K> {
    /// A cache holding at most `capacity` keys (at least 1) per shard.
    pub fn new(capacity: usize) -> Self {
        KeyCache {
            shards: std::array::from_fn(|_| Shard(Mutex::new(Vec::new()))),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Vec<CacheEntry<K>>> {
        match self.shards[shard].0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The cached key for `secret` and `inputs`: from the calling thread's shard, else copied
    /// from another shard, else `derive`d outside any lock and, when `keep`, stored.
    pub(crate) fn find<E>(
        &self,
        secret: &str,
        inputs: &[&str],
        keep: bool,
        derive: impl FnOnce() -> Result<K, E>,
    ) -> Result<K, E> {
        let secret = secret.as_bytes();
        let mine = my_shard();
        if let Some(e) = self.lock(mine).iter().find(|e| e.is_for(secret, inputs)) {
            return Ok(e.key.clone());
        }
        let elsewhere = (1..SHARDS).find_map(|k| {
            let shard = self.lock((mine + k) % SHARDS);
            let found = shard.iter().find(|e| e.is_for(secret, inputs));
            found.map(|e| e.key.clone())
        });
        let key = match elsewhere {
            Some(key) => key,
            None => derive()?,
        };
        if keep {
            let mut entries = self.lock(mine);
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

    /// Number of distinct cached keys (a key copied into several threads' shards counts once).
    pub fn len(&self) -> usize {
        let mut seen: Vec<(Zeroizing<Vec<u8>>, Vec<String>)> = Vec::new();
        for shard in 0..SHARDS {
            for e in self.lock(shard).iter() {
                if !seen
                    .iter()
                    .any(|(s, i)| i.as_slice() == e.inputs.as_slice() && ct_eq(s, &e.secret))
                {
                    seen.push((e.secret.clone(), e.inputs.clone()));
                }
            }
        }
        seen.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        (0..SHARDS).all(|shard| self.lock(shard).is_empty())
    }

    /// Drops (and zeroizes) every cached key.
    pub fn clear(&self) {
        for shard in 0..SHARDS {
            self.lock(shard).clear();
        }
    }
}

impl<K: Clone> Default for KeyCache<K> {
    /// A cache of 8 keys per shard.
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    /// A cache of strings standing for keys, and how many times one was derived.
    fn lookup(cache: &KeyCache<String>, derived: &AtomicU32, date: &str) -> String {
        let r: Result<String, ()> = cache.find("secret", &[date, "us-east-1"], true, || {
            derived.fetch_add(1, Ordering::Relaxed);
            Ok(format!("key for {date}"))
        });
        r.unwrap_or_default()
    }

    /// A key derived on one thread is found by every other thread (in its own shard or copied
    /// from another), never derived again.
    #[test]
    fn threads_share_derived_keys_through_their_shards() {
        let cache = KeyCache::new(2);
        let derived = AtomicU32::new(0);
        assert_eq!(lookup(&cache, &derived, "20150830"), "key for 20150830");
        std::thread::scope(|s| {
            for _ in 0..SHARDS + 1 {
                s.spawn(|| {
                    assert_eq!(lookup(&cache, &derived, "20150830"), "key for 20150830");
                });
            }
        });
        assert_eq!(derived.load(Ordering::Relaxed), 1);
        assert_eq!(cache.len(), 1);
    }

    /// A key only another shard holds is copied into the caller's shard; a shard keeps at most
    /// `capacity` keys, oldest out first; `clear` empties every shard.
    #[test]
    fn a_shard_copies_from_the_others_and_evicts_its_oldest() {
        let cache = KeyCache::new(2);
        let derived = AtomicU32::new(0);
        let (mine, other) = (my_shard(), (my_shard() + 1) % SHARDS);
        cache.lock(other).push(CacheEntry {
            secret: Zeroizing::new(b"secret".to_vec()),
            inputs: vec!["20150829".into(), "us-east-1".into()],
            key: "key for 20150829".into(),
        });
        assert_eq!(lookup(&cache, &derived, "20150829"), "key for 20150829");
        assert_eq!(derived.load(Ordering::Relaxed), 0);
        assert_eq!(cache.lock(mine).len(), 1);
        assert_eq!(cache.len(), 1);
        lookup(&cache, &derived, "20150830");
        lookup(&cache, &derived, "20150831");
        assert_eq!(derived.load(Ordering::Relaxed), 2);
        let kept: Vec<String> = cache.lock(mine).iter().map(|e| e.key.clone()).collect();
        assert_eq!(kept, ["key for 20150830", "key for 20150831"]);
        assert_eq!(cache.len(), 3);
        cache.clear();
        assert!(cache.is_empty());
        lookup(&cache, &derived, "20150829");
        assert_eq!(derived.load(Ordering::Relaxed), 3);
    }

    /// Each shard's lock sits alone on its cache lines.
    #[test]
    fn shards_do_not_share_cache_lines() {
        assert!(align_of::<Shard<String>>() >= 128);
        assert!(size_of::<Shard<String>>() >= 128);
    }
}
