//! Credentials, the derived signing key and a cache of signing keys.
//!
//! ```
//! use iamkit_sigv4::Credentials;
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
//!     .with_session_token("token");
//! assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
//! assert!(!format!("{creds:?}").contains("EXAMPLEKEY"));
//! ```

use std::fmt;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::sha::HmacState;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An access key ID, its secret access key and an optional session token.
///
/// The secret and the token live in [`Zeroizing`] buffers; `Debug` shows only the access key ID.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
}

impl Credentials {
    /// Credentials without a session token.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: None,
        }
    }

    /// Adds a session token (signed as `x-amz-security-token` / `X-Amz-Security-Token`).
    /// An empty token means none.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.session_token = if token.is_empty() {
            None
        } else {
            Some(Zeroizing::new(token))
        };
        self
    }

    /// The access key ID (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, if any.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The SigV4 signing key `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")`,
/// with the keyed HMAC state ready for use. Zeroized when dropped; `Debug` is redacted.
#[derive(Clone)]
pub struct SigningKey {
    key: Zeroizing<[u8; 32]>,
    mac: HmacState,
}

impl SigningKey {
    /// Derives the key for `date` (`yyyymmdd`), `region` and `service`.
    pub fn derive(secret_access_key: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret_access_key.len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret_access_key.as_bytes());
        let k_date = hmac(&k_secret, date.as_bytes());
        let k_region = hmac(&k_date[..], region.as_bytes());
        let k_service = hmac(&k_region[..], service.as_bytes());
        let key = hmac(&k_service[..], b"aws4_request");
        SigningKey::from_bytes(*key)
    }

    /// Wraps 32 raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SigningKey {
        let key = Zeroizing::new(bytes);
        let mac = HmacState::new(&key);
        SigningKey { key, mac }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// HMAC-SHA256 of `data` under this key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        self.mac.finalize_with(data)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// Equality whose time depends only on the lengths (XOR-fold eight bytes at a time, then one
/// `subtle` comparison).
pub(crate) fn fixed_time_eq(a: &[u8], b: &[u8]) -> bool {
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

/// Constant-time equality of two 64-digit hex signatures (compared as eight `u64` words with
/// `subtle`); `false` if either is not 64 bytes long.
pub(crate) fn signature_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != 64 || b.len() != 64 {
        return false;
    }
    let words = |s: &[u8]| {
        let mut w = [0u64; 8];
        for (i, c) in s.chunks_exact(8).enumerate() {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(c);
            w[i] = u64::from_le_bytes(buf);
        }
        w
    };
    bool::from(words(a)[..].ct_eq(&words(b)[..]))
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    #[allow(clippy::expect_used)]
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

struct CacheEntry {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
    /// The keyed HMAC after absorbing the string to sign's first three lines
    /// (`AWS4-HMAC-SHA256\n{x-amz-date}\n{scope}\n`) for the last `x-amz-date` signed with this
    /// key: requests signed or verified in the same second skip those blocks.
    sts_prefix: Option<([u8; 16], HmacState)>,
}

/// A small cache of signing keys keyed by (secret, date, region, service), so that repeated signing
/// skips the four-HMAC derivation. Entries are zeroized when evicted (oldest first) or dropped.
/// Thread-safe: a `Mutex` is held for the lookup and, when a [`Signer`](crate::Signer) or
/// [`Verifier`](crate::Verifier) uses the cache, for the signature's last HMAC blocks.
///
/// Each entry also remembers the HMAC state after the string to sign's fixed first lines for the
/// last second it signed, so a burst of requests signed (or verified) with the same `x-amz-date`
/// (a page of presigned URLs, a busy client) hashes one block less per request.
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

    /// Returns the cached key, deriving and caching it on a miss.
    pub fn get(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        self.with_key(secret_access_key, date, region, service, SigningKey::clone)
    }

    /// Calls `f` with the cached key (deriving and caching it on a miss), without copying it.
    pub fn with_key<R>(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> R {
        self.with_entry(secret_access_key, date, region, service, |e| f(&e.key))
    }

    /// Calls `f` with the cached key and the HMAC state after absorbing the string to sign's
    /// first lines `AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n`
    /// (computed on the first use of `amz_date`, then reused while it repeats). `head`, when
    /// the caller already has those lines ([`crate::sign::sts_head`]), saves writing them again.
    pub(crate) fn with_key_and_sts_prefix<R>(
        &self,
        secret_access_key: &str,
        amz_date: &[u8; 16],
        region: &str,
        service: &str,
        head: Option<&[u8]>,
        f: impl FnOnce(&SigningKey, &HmacState) -> R,
    ) -> R {
        let date = std::str::from_utf8(&amz_date[..8]).unwrap_or_default();
        self.with_entry(secret_access_key, date, region, service, |e| {
            if let Some((amz, mac)) = &e.sts_prefix
                && amz == amz_date
            {
                return f(&e.key, mac);
            }
            let mac = match &mut e.sts_prefix {
                Some((amz, mac)) => {
                    *amz = *amz_date;
                    mac.copy_from(&e.key.mac);
                    mac
                }
                None => &mut e.sts_prefix.insert((*amz_date, e.key.mac.clone())).1,
            };
            match head {
                Some(head) => mac.update(head),
                None => {
                    let scope = crate::sign::Scope {
                        date,
                        region,
                        service,
                    };
                    let amz = std::str::from_utf8(amz_date).unwrap_or_default();
                    mac.update(crate::sign::sts_head(amz, scope).as_bytes());
                }
            }
            f(&e.key, mac)
        })
    }

    fn with_entry<R>(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
        f: impl FnOnce(&mut CacheEntry) -> R,
    ) -> R {
        let mut entries = match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let secret = secret_access_key.as_bytes();
        if let Some(e) = entries.iter_mut().find(|e| {
            e.date.as_slice() == date.as_bytes()
                && e.region == region
                && e.service == service
                && fixed_time_eq(&e.secret, secret)
        }) {
            return f(e);
        }
        let mut entry = CacheEntry {
            secret: Zeroizing::new(secret.to_vec()),
            date: [0; 8],
            region: region.to_owned(),
            service: service.to_owned(),
            key: SigningKey::derive(secret_access_key, date, region, service),
            sts_prefix: None,
        };
        let Ok(d) = <[u8; 8]>::try_from(date.as_bytes()) else {
            // Not a `yyyymmdd` date: used once, not kept.
            return f(&mut entry);
        };
        entry.date = d;
        if entries.len() >= self.capacity {
            entries.remove(0);
        }
        let at = entries.len();
        entries.push(entry);
        f(&mut entries[at])
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops (and zeroizes) every cached key.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
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
