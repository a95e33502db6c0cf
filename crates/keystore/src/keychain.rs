//! Stores backed by a `keyring-core` credential store: the OS keychain (Secret Service on
//! Linux, macOS Keychain, Windows Credential Manager) and the Linux kernel keyring.
//!
//! Each record is one keychain entry (service `iamkit:mfa` or `iamkit:creds`, user = the
//! record name) holding the versioned JSON record. Because keychains cannot list reliably,
//! a non-secret name index lives in the store directory (`index-<store>.json`); it is
//! written before a secret is added and after one is removed, so a crash leaves at worst
//! an index entry without a secret, which `get`, `remove` and `list` repair.
//!
//! Read-modify-write sequences (HOTP counters, `--fresh`) hold a lock keyed by the keychain
//! service, in the user's runtime directory: every process using the same keychain entries
//! takes the same lock, whatever store directory it was given. Index writes also hold the
//! store directory's own lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use zeroize::Zeroizing;

use crate::fsutil::{DirLock, check_dir_safe, ensure_private_dir};
use crate::index::{Index, index_path};
use crate::{Backend, Error, OpenOptions, RecordKind, StoreInfo, StoreKind, WriteLock};

/// A store backed by a keychain through `keyring-core`.
pub struct KeychainStore {
    backend: Arc<CredentialStore>,
    kind: StoreKind,
    description: String,
    service: String,
    dir: PathBuf,
    index: PathBuf,
    lock_path: PathBuf,
}

impl std::fmt::Debug for KeychainStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeychainStore")
            .field("kind", &self.kind)
            .field("description", &self.description)
            .field("service", &self.service)
            .field("index", &self.index)
            .field("lock_path", &self.lock_path)
            .finish()
    }
}

/// Open the OS keychain. `Error::Unavailable` when there is none reachable.
pub(crate) fn open_os(opts: &OpenOptions) -> Result<KeychainStore, Error> {
    #[cfg(target_os = "linux")]
    {
        let store = "Secret Service";
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
            return Err(Error::Unavailable {
                store: store.to_owned(),
                reason: "no Secret Service on the session bus (DBUS_SESSION_BUS_ADDRESS unset)"
                    .to_owned(),
            });
        }
        let backend =
            zbus_secret_service_keyring_store::Store::new().map_err(|e| Error::Unavailable {
                store: store.to_owned(),
                reason: format!(
                    "no Secret Service on the session bus ({})",
                    describe_err(&e)
                ),
            })?;
        KeychainStore::new(
            backend,
            StoreKind::SecretService,
            "Secret Service on the session bus".to_owned(),
            "secret-service",
            opts,
        )
    }
    #[cfg(target_os = "macos")]
    {
        let backend =
            apple_native_keyring_store::keychain::Store::new().map_err(|e| Error::Unavailable {
                store: "macOS Keychain".to_owned(),
                reason: describe_err(&e),
            })?;
        KeychainStore::new(
            backend,
            StoreKind::MacosKeychain,
            "macOS Keychain".to_owned(),
            "macos-keychain",
            opts,
        )
    }
    #[cfg(target_os = "windows")]
    {
        let backend =
            windows_native_keyring_store::Store::new().map_err(|e| Error::Unavailable {
                store: "Windows Credential Manager".to_owned(),
                reason: describe_err(&e),
            })?;
        KeychainStore::new(
            backend,
            StoreKind::WindowsCredentialManager,
            "Windows Credential Manager".to_owned(),
            "windows-credential-manager",
            opts,
        )
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    {
        let _ = opts;
        Err(Error::Unavailable {
            store: "keychain".to_owned(),
            reason: "no supported keychain on this system".to_owned(),
        })
    }
}

/// Open the Linux kernel keyring (session keyring) as a store.
pub(crate) fn open_kernel(opts: &OpenOptions) -> Result<KeychainStore, Error> {
    #[cfg(target_os = "linux")]
    {
        let store = "kernel keyring";
        crate::cache::available().map_err(|reason| Error::Unavailable {
            store: store.to_owned(),
            reason: format!("no session keyring ({reason}); run under `keyctl session -`"),
        })?;
        let config = std::collections::HashMap::from([("service_no_divider", "true")]);
        let backend = linux_keyutils_keyring_store::Store::new_with_configuration(&config)
            .map_err(|e| Error::Unavailable {
                store: store.to_owned(),
                reason: describe_err(&e),
            })?;
        KeychainStore::new(
            backend,
            StoreKind::KernelKeyring,
            "kernel session keyring (volatile)".to_owned(),
            "kernel-keyring",
            opts,
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = opts;
        Err(Error::Unavailable {
            store: "kernel keyring".to_owned(),
            reason: "the kernel keyring exists only on Linux".to_owned(),
        })
    }
}

/// `$XDG_RUNTIME_DIR/iamkit`, else `<temporary directory>/iamkit-<uid>` (private, checked
/// like the store directory before use).
fn default_runtime_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(d).join("iamkit");
    }
    #[cfg(unix)]
    let leaf = format!("iamkit-{}", rustix::process::geteuid().as_raw());
    #[cfg(not(unix))]
    let leaf = "iamkit".to_owned();
    std::env::temp_dir().join(leaf)
}

/// A keyring error as text that never includes the raw bytes some variants carry.
fn describe_err(e: &keyring_core::Error) -> String {
    use keyring_core::Error as K;
    match e {
        K::PlatformFailure(p) => format!("platform failure: {p}"),
        K::NoStorageAccess(p) => format!("no access to the storage: {p}"),
        K::NoEntry => "no such entry".to_owned(),
        K::BadEncoding(_) => "stored data is not UTF-8".to_owned(),
        K::BadDataFormat(_, _) => "stored data is malformed".to_owned(),
        K::BadStoreFormat(s) => format!("store data is malformed: {s}"),
        K::TooLong(name, len) => format!("{name} is longer than the limit of {len}"),
        K::Invalid(name, why) => format!("{name} is invalid: {why}"),
        K::Ambiguous(v) => format!("{} entries match", v.len()),
        K::NoDefaultStore => "no default store".to_owned(),
        K::NotSupportedByStore(s) => format!("not supported: {s}"),
        _ => "unknown keyring error".to_owned(),
    }
}

impl KeychainStore {
    fn new(
        backend: Arc<CredentialStore>,
        kind: StoreKind,
        description: String,
        tag: &str,
        opts: &OpenOptions,
    ) -> Result<KeychainStore, Error> {
        let dir = opts.resolved_dir()?;
        let service = opts.keychain_service.clone();
        let index = index_path(&dir, tag);
        check_dir_safe(&dir, &format!("name index directory of the {description}"))?;
        let runtime = match &opts.runtime_dir {
            Some(d) => d.clone(),
            None => default_runtime_dir(),
        };
        let lock_path = runtime.join(format!(
            "keychain-{tag}-{}.lock",
            crate::file::encode_name(&service)
        ));
        Ok(KeychainStore {
            backend,
            kind,
            description: format!("{description} (name index {})", index.display()),
            service,
            dir,
            index,
            lock_path,
        })
    }

    /// The lock file that serializes read-modify-write sequences on this keychain service
    /// (in the runtime directory, see [`OpenOptions::runtime_dir`]).
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    fn name(&self) -> String {
        match self.kind {
            StoreKind::SecretService => "Secret Service".to_owned(),
            StoreKind::MacosKeychain => "macOS Keychain".to_owned(),
            StoreKind::WindowsCredentialManager => "Windows Credential Manager".to_owned(),
            StoreKind::KernelKeyring => "kernel keyring".to_owned(),
            _ => "keychain".to_owned(),
        }
    }

    fn map_err(&self, e: keyring_core::Error, kind: RecordKind, name: &str) -> Error {
        use keyring_core::Error as K;
        match e {
            K::NoEntry => Error::NotFound {
                store: self.name(),
                kind,
                name: name.to_owned(),
            },
            K::NoStorageAccess(p) => Error::Locked {
                store: self.name(),
                hint: format!(
                    "unlock it (log in to the desktop session, or unlock the keyring with your \
                     keyring tool), or use another store ({p})"
                ),
            },
            K::BadEncoding(_) | K::BadDataFormat(_, _) | K::Ambiguous(_) => Error::Corrupt {
                store: self.name(),
                what: format!("the entry for {kind} {name:?}: {}", describe_err(&e)),
            },
            other => Error::Unavailable {
                store: self.name(),
                reason: describe_err(&other),
            },
        }
    }

    fn entry(&self, kind: RecordKind, name: &str) -> Result<Entry, Error> {
        Entry::new_in_store(
            &self.backend,
            &format!("{}:{}", self.service, kind.as_str()),
            name,
        )
        .map_err(|e| self.map_err(e, kind, name))
    }

    /// `Some(bytes)` or `None` when the entry does not exist (the index is not looked at).
    fn read_entry(
        &self,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        match self.entry(kind, name)?.get_secret() {
            Ok(b) => Ok(Some(Zeroizing::new(b))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.map_err(e, kind, name)),
        }
    }

    /// The service lock: held across every read-modify-write of this service's entries.
    fn service_lock(&self) -> Result<DirLock, Error> {
        let runtime = self.lock_path.parent().unwrap_or(Path::new("."));
        let name = format!("runtime directory of the {}", self.name());
        check_dir_safe(runtime, &name)?;
        ensure_private_dir(runtime)?;
        check_dir_safe(runtime, &name)?;
        DirLock::at(&self.lock_path)
    }

    /// The entry, with the index made to agree with it (the caller holds the service lock): an
    /// entry missing from the index is added, an index name without an entry dropped.
    fn read_repairing(
        &self,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let bytes = self.read_entry(kind, name)?;
        let in_index = Index::load(&self.index)?.names(kind).contains(name);
        match (&bytes, in_index) {
            (Some(_), false) => self.index_add(kind, name)?,
            (None, true) => self.index_remove(kind, &[name])?,
            _ => {}
        }
        Ok(bytes)
    }

    fn index_add(&self, kind: RecordKind, name: &str) -> Result<(), Error> {
        let _dir_lock = DirLock::acquire(&self.dir)?;
        let mut idx = Index::load(&self.index)?;
        if idx.names_mut(kind).insert(name.to_owned()) {
            idx.save(&self.index)?;
        }
        Ok(())
    }

    fn index_remove(&self, kind: RecordKind, names: &[&str]) -> Result<(), Error> {
        let _dir_lock = DirLock::acquire(&self.dir)?;
        let mut idx = Index::load(&self.index)?;
        let mut changed = false;
        for n in names {
            changed |= idx.names_mut(kind).remove(*n);
        }
        if changed {
            idx.save(&self.index)?;
        }
        Ok(())
    }
}

impl Backend for KeychainStore {
    fn info(&self) -> StoreInfo {
        StoreInfo {
            kind: self.kind,
            description: self.description.clone(),
        }
    }

    fn label(&self) -> String {
        self.name()
    }

    fn lock_writes(&self) -> Result<WriteLock<'_>, Error> {
        self.service_lock().map(WriteLock::new)
    }

    fn read_bytes(
        &self,
        held: Option<&WriteLock<'_>>,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        if held.is_some() {
            return self.read_repairing(kind, name);
        }
        let in_index = Index::load(&self.index)?.names(kind).contains(name);
        let bytes = self.read_entry(kind, name)?;
        if bytes.is_some() != in_index {
            // The index disagrees (a crash between the two writes, or another process in the
            // middle of one): look again under the lock and repair.
            let _lock = self.service_lock()?;
            return self.read_repairing(kind, name);
        }
        Ok(bytes)
    }

    fn contains(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        self.read_repairing(kind, name).map(|b| b.is_some())
    }

    fn write_bytes(
        &self,
        _held: &WriteLock<'_>,
        kind: RecordKind,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), Error> {
        // Index first: a crash in between leaves an index entry without a secret (repaired
        // on the next get/list), never a secret nobody can list.
        self.index_add(kind, name)?;
        self.entry(kind, name)?
            .set_secret(bytes)
            .map_err(|e| self.map_err(e, kind, name))
    }

    fn delete(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        let existed = match self.entry(kind, name)?.delete_credential() {
            Ok(()) => true,
            Err(keyring_core::Error::NoEntry) => false,
            Err(e) => return Err(self.map_err(e, kind, name)),
        };
        // Secret first, then the index: a crash in between leaves an index entry without a
        // secret, which get/list repair.
        self.index_remove(kind, &[name])?;
        Ok(existed)
    }

    fn names(&self, kind: RecordKind) -> Result<Vec<String>, Error> {
        let idx = Index::load(&self.index)?;
        let mut present = Vec::new();
        let mut gone = Vec::new();
        for name in idx.names(kind) {
            match self.read_entry(kind, name)? {
                Some(_) => present.push(name.clone()),
                None => gone.push(name.as_str()),
            }
        }
        if !gone.is_empty() {
            let _lock = self.service_lock()?;
            let still_gone: Vec<&str> = gone
                .into_iter()
                .filter(|n| matches!(self.read_entry(kind, n), Ok(None)))
                .collect();
            self.index_remove(kind, &still_gone)?;
        }
        Ok(present)
    }

    fn session_lock(&self) -> Result<crate::SessionLock, Error> {
        DirLock::acquire_file(&self.dir, crate::session::SESSION_LOCK_FILE)
            .map(crate::SessionLock::held)
    }
}
