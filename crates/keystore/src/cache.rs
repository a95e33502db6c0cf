//! The session cache of the file store's unlocked key: a `user` key in the Linux kernel
//! session keyring (`keyctl`), with a timeout. Volatile by design; never the place of record.
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

    pub(crate) fn put(dir: &Path, value: &[u8], ttl: Duration) -> Result<(), String> {
        let ring = ring().map_err(|e| format!("no kernel session keyring: {e}"))?;
        let key = ring
            .add_key(&description(dir), value)
            .map_err(|e| format!("cannot add a key to the kernel session keyring: {e}"))?;
        let secs = usize::try_from(ttl.as_secs().max(1)).unwrap_or(usize::MAX);
        if let Err(e) = key.set_timeout(secs) {
            let _ = key.invalidate();
            return Err(format!("cannot set the cache timeout: {e}"));
        }
        Ok(())
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
}

pub(crate) use imp::{available, forget, get, put};
