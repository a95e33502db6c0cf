//! The session cache of the file store's unlocked key: a `user` key in the Linux kernel
//! session keyring (`keyctl`), with a timeout. Volatile by design; never the place of record.
//! The cached value is encrypted to the store's unlock epoch (see `FileStore`), so `store lock`
//! voids every copy, in every session, by rotating the epoch.
//!
//! A process without its own session keyring uses the per-user session keyring
//! (`_uid_ses.<uid>`); run under `keyctl session -` (or a PAM session with `pam_keyinit`)
//! to scope the cache to one session. On other systems there is no cache.

use std::path::Path;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::Error;

fn description(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    format!("iamkit:file-key:{}", dir.display())
}

#[cfg(target_os = "linux")]
mod imp {
    use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

    use super::*;

    fn ring() -> Result<KeyRing, KeyError> {
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
    }

    pub(crate) fn get(dir: &Path) -> Option<Zeroizing<Vec<u8>>> {
        let key = ring().ok()?.search(&description(dir)).ok()?;
        key.read_to_vec().ok().map(Zeroizing::new)
    }

    /// Adds the key to this process's own keyring first (nothing else can reach it there),
    /// sets its timeout, and only then links it into the session keyring: there is no moment
    /// at which another process can find a key without a timeout.
    pub(crate) fn put(dir: &Path, value: &[u8], ttl: Duration) -> Result<(), String> {
        let secs = timeout_secs(ttl)?;
        let session = ring().map_err(|e| format!("no kernel session keyring: {e}"))?;
        let staging = KeyRing::from_special_id(KeyRingIdentifier::Process, true)
            .map_err(|e| format!("no process keyring: {e}"))?;
        let key = staging
            .add_key(&description(dir), value)
            .map_err(|e| format!("cannot add a key to the process keyring: {e}"))?;
        let linked = key
            .set_timeout(secs as usize)
            .map_err(|e| format!("cannot set the cache timeout: {e}"))
            .and_then(|()| {
                session
                    .link_key(key)
                    .map_err(|e| format!("cannot link the key into the session keyring: {e}"))
            });
        if let Err(e) = linked {
            let _ = key.invalidate();
            return Err(e);
        }
        let _ = staging.unlink_key(key);
        Ok(())
    }

    /// Replaces this process's session keyring with a new, empty, anonymous one: what it execs
    /// next cannot reach keys of the session it came from (nor the cached unlock in it).
    pub(crate) fn isolate() -> Result<(), Error> {
        match keyutils::Keyring::join_anonymous_session() {
            Ok(_) => Ok(()),
            // No keyring facility at all (kernel without keys, a seccomp filter): there is
            // no cache to hide either.
            Err(_) if available().is_err() => Ok(()),
            Err(e) => Err(Error::Unavailable {
                store: "kernel keyring".to_owned(),
                reason: format!("cannot start a new session keyring: {e}"),
            }),
        }
    }

    pub(crate) fn forget(dir: &Path) -> Result<bool, Error> {
        let Ok(ring) = ring() else { return Ok(false) };
        let mut dropped = false;
        // There can be more than one if several sessions linked one; drop them all.
        while let Ok(key) = ring.search(&description(dir)) {
            if key.invalidate().is_err() && key.revoke().is_err() {
                return Err(Error::Unavailable {
                    store: "kernel keyring".to_owned(),
                    reason: "cannot remove the cached key (invalidate and revoke refused)"
                        .to_owned(),
                });
            }
            dropped = true;
        }
        Ok(dropped)
    }

    pub(crate) fn available() -> Result<(), String> {
        ring().map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;

    pub(crate) fn get(_dir: &Path) -> Option<Zeroizing<Vec<u8>>> {
        let _ = description;
        None
    }

    pub(crate) fn put(_dir: &Path, _value: &[u8], _ttl: Duration) -> Result<(), String> {
        Err("no unlock cache on this system".to_owned())
    }

    pub(crate) fn forget(_dir: &Path) -> Result<bool, Error> {
        Ok(false)
    }

    #[allow(dead_code)]
    pub(crate) fn available() -> Result<(), String> {
        Err("no kernel keyring on this system".to_owned())
    }

    pub(crate) fn isolate() -> Result<(), Error> {
        Ok(())
    }
}

/// Longest cache time the kernel can hold: key timeouts are 32-bit seconds (a larger value
/// would wrap, and 2^32 becomes 0: no timeout at all).
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(u32::MAX as u64);

/// The kernel timeout for `ttl`: whole seconds, at least 1, at most [`MAX_CACHE_TTL`].
pub(crate) fn timeout_secs(ttl: Duration) -> Result<u32, String> {
    u32::try_from(ttl.as_secs().max(1)).map_err(|_| {
        format!(
            "a cache time of {} s is more than the kernel can hold ({} s)",
            ttl.as_secs(),
            MAX_CACHE_TTL.as_secs()
        )
    })
}

pub(crate) use imp::{available, forget, get, isolate, put};
