//! The encrypted file store, for machines without a keychain.
//!
//! Layout of the directory (0700; files 0600):
//! - `identity.age`: an age X25519 identity (`AGE-SECRET-KEY-1…`), encrypted to the
//!   passphrase with age's scrypt recipient;
//! - `mfa/<name>.age`, `creds/<name>.age`: one record each, encrypted to that identity;
//!   the file names are the (non-secret) index; names are percent-encoded;
//! - `unlock-epoch`: a throwaway age identity that cached unlocks are encrypted to;
//!   `store lock` replaces it, which voids every cached unlock in every session;
//! - `.lock`: the lock file that serializes writers.
//!
//! The directory must belong to the user and not be writable by group or others (else the
//! store is refused, as ssh refuses such a `~/.ssh`). The passphrase's scrypt work factor must
//! be at least 2^[`MIN_SCRYPT_LOG_N`] to unlock, unless
//! [`OpenOptions::insecure_allow_weak_kdf`] says otherwise.
//!
//! Recovery without iamkit: `age -d identity.age > id.txt; age -d -i id.txt mfa/NAME.age`.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::fsutil::{
    DirLock, check_dir_safe, ensure_private_dir, remove_file, remove_stale_temps, write_atomic,
};
use crate::open::PromptReason;
use crate::{
    Backend, Error, OpenOptions, PassphraseSource, RecordKind, StoreInfo, StoreKind, WriteLock,
    validate_name,
};

const IDENTITY_FILE: &str = "identity.age";
const EPOCH_FILE: &str = "unlock-epoch";

/// The smallest scrypt work factor (as log2 N) a file store's passphrase may be sealed with:
/// 2^16, a quarter of age's reference default 2^18 (about a second of work on a current
/// machine). A store below it is refused on unlock ([`Error::WeakKdf`]) unless
/// [`OpenOptions::insecure_allow_weak_kdf`] is set; new stores are always sealed at or above it.
pub const MIN_SCRYPT_LOG_N: u8 = 16;

/// The largest work factor accepted on unlock (2^22: about 16 s where 2^18 takes one), so a
/// tampered `identity.age` cannot make an unlock run for hours.
const MAX_SCRYPT_LOG_N: u8 = 22;

/// The encrypted file store: one directory of [age](https://age-encryption.org) files, see
/// "The encrypted file store" in the crate docs for the format and recovery.
///
/// ```
/// use iamkit_keystore::{FileStore, OpenOptions, PassphraseSource, Store, AwsCredentials, Overwrite};
/// # let tmp = tempfile::tempdir()?;
/// let store = FileStore::open(
///     OpenOptions::new()
///         .dir(tmp.path())
///         .passphrase(PassphraseSource::Value("correct horse".to_owned().into()))
///         .cache_ttl(std::time::Duration::ZERO)
///         .insecure_fast_kdf_for_tests(10), // tests only: keep the default in real use
/// )?;
/// store.put_creds("dev", &AwsCredentials::new("AKIAEXAMPLE", "s3cr3t"), Overwrite::Refuse)?;
/// assert_eq!(*store.get_creds("dev")?.secret_access_key, "s3cr3t");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FileStore {
    dir: PathBuf,
    passphrase: Option<PassphraseSource>,
    cache_ttl: Duration,
    kdf_log_n: Option<u8>,
    allow_weak_kdf: bool,
    unlocked: Mutex<Option<Zeroizing<String>>>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("dir", &self.dir)
            .field("passphrase", &self.passphrase)
            .field("cache_ttl", &self.cache_ttl)
            .field("kdf_log_n", &self.kdf_log_n)
            .field(
                "unlocked",
                &self.unlocked.try_lock().ok().map(|g| g.is_some()),
            )
            .finish()
    }
}

impl FileStore {
    /// Open (not unlock) the file store in `opts`' directory; the directory is created on
    /// first write.
    ///
    /// # Errors
    /// [`Error::Insecure`] when the directory (or its `mfa`/`creds` subdirectory) is writable
    /// by group or others or owned by another user; [`Error::InvalidOption`] for a cache time
    /// over [`MAX_CACHE_TTL`](crate::MAX_CACHE_TTL).
    pub fn open(opts: OpenOptions) -> Result<FileStore, Error> {
        let dir = opts.resolved_dir()?;
        if opts.cache_ttl > crate::MAX_CACHE_TTL {
            return Err(Error::InvalidOption {
                option: "cache time",
                expected: "at most 4294967295 seconds (the kernel's limit)",
            });
        }
        let name = format!("file store at {}", dir.display());
        check_dir_safe(&dir, &name)?;
        for kind in RecordKind::ALL {
            check_dir_safe(&dir.join(kind.as_str()), &name)?;
        }
        Ok(FileStore {
            dir,
            passphrase: opts.passphrase,
            cache_ttl: opts.cache_ttl,
            kdf_log_n: opts.kdf_log_n,
            allow_weak_kdf: opts.allow_weak_kdf || opts.kdf_log_n.is_some(),
            unlocked: Mutex::new(None),
        })
    }

    /// The scrypt work factor (log2 N) the store's key is sealed with, read from the header of
    /// `identity.age`; `None` when the store has not been created.
    ///
    /// # Errors
    ///
    /// `Error::Io` when the header cannot be read, `Error::Corrupt` when it is not an age
    /// scrypt header.
    pub fn scrypt_work_factor(&self) -> Result<Option<u8>, Error> {
        let id_path = self.dir.join(IDENTITY_FILE);
        match std::fs::read(&id_path) {
            Ok(b) => scrypt_log_n(&b)
                .map(Some)
                .ok_or_else(|| self.corrupt(format!("{IDENTITY_FILE} has no scrypt stanza"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read", id_path, e)),
        }
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the store has been created (its `identity.age` exists).
    pub fn exists(&self) -> bool {
        self.dir.join(IDENTITY_FILE).is_file()
    }

    /// Whether the kernel keyring currently holds a cached unlock that still counts: one
    /// made for this very `identity.age` in the current unlock epoch.
    pub fn is_cached(&self) -> bool {
        std::fs::read(self.dir.join(IDENTITY_FILE))
            .ok()
            .and_then(|sealed| self.cached_identity(&sealed))
            .is_some()
    }

    /// The identity text of a cached unlock that still counts for `sealed` (`identity.age`).
    fn cached_identity(&self, sealed: &[u8]) -> Option<Zeroizing<String>> {
        let cached = crate::cache::get(&self.dir)?;
        let epoch = read_epoch(&self.dir)?;
        let plain = Zeroizing::new(age::decrypt(&epoch, &cached).ok()?);
        let text = cache_value_matches(&plain, sealed)?;
        parse_identity(text)?;
        Some(Zeroizing::new(text.to_owned()))
    }

    /// The unlock epoch, created (under the store lock) when missing.
    fn epoch_or_create(&self) -> Result<age::x25519::Identity, Error> {
        if let Some(id) = read_epoch(&self.dir) {
            return Ok(id);
        }
        let _lock = DirLock::acquire(&self.dir)?;
        if let Some(id) = read_epoch(&self.dir) {
            return Ok(id);
        }
        write_epoch(&self.dir)
    }

    /// Unlock now (asking for the passphrase unless cached), creating the store if missing.
    ///
    /// # Errors
    ///
    /// `Error::WrongPassphrase`, `Error::NoPassphrase` or `Error::Insecure` when the passphrase
    /// cannot unlock it, `Error::Io` and `Error::Corrupt` for an unreadable store.
    pub fn unlock(&self) -> Result<(), Error> {
        self.identity(true).map(|_| ())
    }

    fn name(&self) -> String {
        format!("file store at {}", self.dir.display())
    }

    fn record_path(&self, kind: RecordKind, name: &str) -> PathBuf {
        self.dir
            .join(kind.as_str())
            .join(format!("{}.age", encode_name(name)))
    }

    fn corrupt(&self, what: impl Into<String>) -> Error {
        Error::Corrupt {
            store: self.name(),
            what: what.into(),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Zeroizing<String>>> {
        self.unlocked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The unlocked identity: from memory, the kernel cache, or the passphrase. With
    /// `create`, a missing store is created.
    fn identity(&self, create: bool) -> Result<age::x25519::Identity, Error> {
        self.unlock_key(create, true)
    }

    /// [`FileStore::identity`]; without `may_lock` (the caller holds the store lock, which is
    /// not re-entrant) a key unlocked now is kept in memory only, not in the kernel cache
    /// (caching may have to create the unlock epoch under the lock), and nothing is created.
    fn unlock_key(&self, create: bool, may_lock: bool) -> Result<age::x25519::Identity, Error> {
        let create = create && may_lock;
        if let Some(s) = self.slot().as_ref() {
            return parse_identity(s).ok_or_else(|| self.corrupt("unlocked key is malformed"));
        }
        let id_path = self.dir.join(IDENTITY_FILE);
        let sealed = match std::fs::read(&id_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                return self.create();
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Only reached with a record in hand: its key is gone.
                return Err(self.corrupt(format!(
                    "{IDENTITY_FILE} is missing, so the records cannot be decrypted \
                     (restore it from a backup)"
                )));
            }
            Err(e) => return Err(Error::io("read", id_path, e)),
        };
        // The cached key counts only for this very identity.age (a re-created store has
        // another one) and in the current unlock epoch (`store lock` rotates it).
        if let Some(text) = self.cached_identity(&sealed)
            && let Some(id) = parse_identity(&text)
        {
            *self.slot() = Some(text);
            return Ok(id);
        }
        self.check_work_factor(&sealed)?;
        let pass = self.passphrase(PromptReason::Unlock)?;
        let text = self.open_identity(&sealed, &pass)?;
        let id = parse_identity(&text).ok_or_else(|| {
            self.corrupt(format!("{IDENTITY_FILE} does not hold an age identity"))
        })?;
        if may_lock {
            self.remember(&text, &sealed);
        } else {
            *self.slot() = Some(text);
        }
        Ok(id)
    }

    /// Refuses a key sealed below [`MIN_SCRYPT_LOG_N`] unless allowed.
    fn check_work_factor(&self, sealed: &[u8]) -> Result<(), Error> {
        let Some(log_n) = scrypt_log_n(sealed) else {
            return Err(self.corrupt(format!("{IDENTITY_FILE} has no scrypt stanza")));
        };
        if log_n < MIN_SCRYPT_LOG_N && !self.allow_weak_kdf {
            return Err(Error::WeakKdf {
                store: self.name(),
                log_n,
            });
        }
        Ok(())
    }

    /// The identity text (`AGE-SECRET-KEY-1…`) inside `identity.age`, decrypted with `pass`.
    fn open_identity(&self, sealed: &[u8], pass: &str) -> Result<Zeroizing<String>, Error> {
        let mut scrypt = age::scrypt::Identity::new(SecretString::from(pass.to_owned()));
        // age bounds the work it accepts by a calibration run now (its target + 4), so a busy
        // machine would refuse a key sealed at the minimum on an idle one: a fixed bound.
        scrypt.set_max_work_factor(MAX_SCRYPT_LOG_N);
        let text = match age::decrypt(&scrypt, sealed) {
            Ok(t) => Zeroizing::new(t),
            Err(
                age::DecryptError::DecryptionFailed
                | age::DecryptError::KeyDecryptionFailed
                | age::DecryptError::NoMatchingKeys,
            ) => {
                return Err(Error::WrongPassphrase { store: self.name() });
            }
            Err(age::DecryptError::ExcessiveWork { required, .. }) => {
                return Err(self.corrupt(format!(
                    "{IDENTITY_FILE} asks for scrypt work factor 2^{required}, more than allowed"
                )));
            }
            Err(e) => return Err(self.corrupt(format!("{IDENTITY_FILE}: {e}"))),
        };
        let text = std::str::from_utf8(&text)
            .map_err(|_| self.corrupt(format!("{IDENTITY_FILE} does not hold an age identity")))?;
        Ok(Zeroizing::new(text.trim().to_owned()))
    }

    /// `identity.age`'s content: the identity text encrypted to `pass` (scrypt, age's
    /// calibrated work factor of about a second, but never below [`MIN_SCRYPT_LOG_N`]; test
    /// builds may set another with `insecure_fast_kdf_for_tests`).
    fn seal_identity(&self, text: &str, pass: &str) -> Result<Vec<u8>, Error> {
        let header: &[u8] =
            b"# iamkit file store identity; decrypt records with: age -d -i <this file> FILE.age\n";
        let mut plain = Zeroizing::new(Vec::with_capacity(header.len() + text.len() + 1));
        plain.extend_from_slice(header);
        plain.extend_from_slice(text.as_bytes());
        plain.push(b'\n');
        let seal = |log_n: Option<u8>| {
            let mut recipient = age::scrypt::Recipient::new(SecretString::from(pass.to_owned()));
            if let Some(n) = log_n {
                recipient.set_work_factor(n);
            }
            age::encrypt(&recipient, &plain)
                .map_err(|e| self.corrupt(format!("cannot encrypt the identity: {e}")))
        };
        let sealed = seal(self.kdf_log_n)?;
        if self.kdf_log_n.is_none() && scrypt_log_n(&sealed).is_none_or(|n| n < MIN_SCRYPT_LOG_N) {
            // A slow or busy machine calibrated below the minimum: use the minimum.
            return seal(Some(MIN_SCRYPT_LOG_N));
        }
        Ok(sealed)
    }

    /// Re-encrypts the store's key (`identity.age`) to a new passphrase. The current passphrase
    /// comes first, from the configured source (even when an unlock is cached), then the new
    /// one from `new_passphrase` (asked with [`PromptReason::Create`]: a prompt should ask twice).
    /// Records are encrypted to the key, not to the passphrase, so none is rewritten;
    /// `identity.age` is replaced atomically under the store lock (taken only after both
    /// passphrases are in, and refused if the file changed meanwhile), and a cached unlock
    /// follows the new file.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the store was never created, [`Error::WrongPassphrase`] when
    /// the current passphrase is wrong, [`Error::NoPassphrase`] when either is missing or empty.
    pub fn change_passphrase(&self, new_passphrase: &PassphraseSource) -> Result<(), Error> {
        let id_path = self.dir.join(IDENTITY_FILE);
        if !id_path.is_file() {
            return Err(Error::Unavailable {
                store: self.name(),
                reason: "it has not been created yet (nothing to re-encrypt)".to_owned(),
            });
        }
        let current = self.passphrase(PromptReason::Unlock)?;
        let sealed = std::fs::read(&id_path).map_err(|e| Error::io("read", &id_path, e))?;
        let text = self.open_identity(&sealed, &current)?;
        if parse_identity(&text).is_none() {
            return Err(self.corrupt(format!("{IDENTITY_FILE} does not hold an age identity")));
        }
        let new = new_passphrase.get(PromptReason::Create, &self.dir)?;
        let resealed = self.seal_identity(&text, &new)?;
        let _lock = DirLock::acquire(&self.dir)?;
        let now = std::fs::read(&id_path).map_err(|e| Error::io("read", &id_path, e))?;
        if now != sealed {
            return Err(Error::Unavailable {
                store: self.name(),
                reason: format!(
                    "{IDENTITY_FILE} changed while the passphrases were read; try again"
                ),
            });
        }
        write_atomic(&id_path, &resealed)?;
        // The cache's epoch is created under the lock, so not while holding it.
        drop(_lock);
        self.remember(&text, &resealed);
        Ok(())
    }

    /// Keeps the unlocked key in memory and (with a cache time) in the kernel cache. Takes the
    /// store lock to create the epoch: never call it while holding the lock.
    fn remember(&self, text: &str, sealed: &[u8]) {
        if !self.cache_ttl.is_zero() {
            // A failure only costs speed: the next process asks again. The cached value is
            // encrypted to the unlock epoch, so rotating the epoch voids every copy.
            if let Ok(epoch) = self.epoch_or_create() {
                let value = cache_value(text, sealed);
                if let Ok(wrapped) = age::encrypt(&epoch.to_public(), &value) {
                    let _ = crate::cache::put(&self.dir, &wrapped, self.cache_ttl);
                }
            }
        }
        *self.slot() = Some(Zeroizing::new(text.to_owned()));
    }

    fn passphrase(&self, reason: PromptReason) -> Result<Zeroizing<String>, Error> {
        match &self.passphrase {
            Some(src) => src.get(reason, &self.dir),
            None => Err(Error::NoPassphrase { store: self.name() }),
        }
    }

    fn create(&self) -> Result<age::x25519::Identity, Error> {
        let pass = self.passphrase(PromptReason::Create)?;
        ensure_private_dir(&self.dir)?;
        let _lock = DirLock::acquire(&self.dir)?;
        if self.dir.join(IDENTITY_FILE).exists() {
            // Another process created it meanwhile: unlock that one instead.
            drop(_lock);
            return self.identity(false);
        }
        // Records without their key: creating a new key would hide the loss.
        for kind in RecordKind::ALL {
            if !self.names(kind)?.is_empty() {
                return Err(self.corrupt(format!(
                    "{IDENTITY_FILE} is missing but {} records exist (restore it from a backup)",
                    kind.as_str()
                )));
            }
        }
        let id = age::x25519::Identity::generate();
        let text = Zeroizing::new(id.to_string().expose_secret().to_owned());
        let sealed = self.seal_identity(&text, &pass)?;
        write_atomic(&self.dir.join(IDENTITY_FILE), &sealed)?;
        drop(_lock);
        self.remember(&text, &sealed);
        Ok(id)
    }

    /// A record file's content; `may_lock` as in [`FileStore::unlock_key`].
    fn decrypt(
        &self,
        path: &Path,
        sealed: &[u8],
        may_lock: bool,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let id = self.unlock_key(false, may_lock)?;
        match age::decrypt(&id, sealed) {
            Ok(p) => Ok(Zeroizing::new(p)),
            Err(age::DecryptError::NoMatchingKeys) => Err(self.corrupt(format!(
                "{} is not encrypted to this store's key",
                path.display()
            ))),
            Err(e) => Err(self.corrupt(format!("cannot decrypt {}: {e}", path.display()))),
        }
    }

    /// A record file's content for `plain` (the caller holds the store lock).
    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, Error> {
        let id = self.unlock_key(false, false)?;
        age::encrypt(&id.to_public(), plain)
            .map_err(|e| self.corrupt(format!("cannot encrypt: {e}")))
    }
}

/// The cached value: base64 of the `identity.age` it was unlocked from, a newline, the
/// identity.
fn cache_value(text: &str, sealed: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut v = Zeroizing::new(data_encoding::BASE64.encode(sealed).into_bytes());
    v.push(b'\n');
    v.extend_from_slice(text.as_bytes());
    v
}

/// The scrypt work factor (log2 N) in the header of an age file sealed to a passphrase: the
/// stanza line `-> scrypt SALT LOG_N`. `None` when there is no such stanza.
pub(crate) fn scrypt_log_n(sealed: &[u8]) -> Option<u8> {
    let end = sealed
        .windows(4)
        .position(|w| w == b"\n---")
        .unwrap_or(sealed.len());
    let header = std::str::from_utf8(&sealed[..end]).ok()?;
    header.lines().find_map(|line| {
        let mut parts = line.split(' ');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("->"), Some("scrypt"), Some(_salt), Some(n)) => n.parse().ok(),
            _ => None,
        }
    })
}

/// The store's unlock epoch (`unlock-epoch`), if there is a valid one.
fn read_epoch(dir: &Path) -> Option<age::x25519::Identity> {
    let text = Zeroizing::new(std::fs::read_to_string(dir.join(EPOCH_FILE)).ok()?);
    parse_identity(&text)
}

/// Writes a new unlock epoch (the caller holds the store lock).
fn write_epoch(dir: &Path) -> Result<age::x25519::Identity, Error> {
    let id = age::x25519::Identity::generate();
    let mut text = Zeroizing::new(id.to_string().expose_secret().to_owned());
    text.push('\n');
    write_atomic(&dir.join(EPOCH_FILE), text.as_bytes())?;
    Ok(id)
}

/// Replaces the unlock epoch of the file store in `dir`, voiding every cached unlock of it in
/// every session. `Ok(false)` when the store has none (nothing was ever cached).
pub(crate) fn rotate_unlock_epoch(dir: &Path) -> Result<bool, Error> {
    if !dir.join(EPOCH_FILE).exists() {
        return Ok(false);
    }
    check_dir_safe(dir, &format!("file store at {}", dir.display()))?;
    let _lock = DirLock::acquire(dir)?;
    write_epoch(dir)?;
    Ok(true)
}

/// The identity in a cached value, if it was unlocked from this `identity.age`.
fn cache_value_matches<'a>(cached: &'a [u8], sealed: &[u8]) -> Option<&'a str> {
    let text = std::str::from_utf8(cached).ok()?;
    let (head, identity) = text.split_once('\n')?;
    (data_encoding::BASE64.decode(head.as_bytes()).ok()? == sealed).then_some(identity)
}

fn parse_identity(text: &str) -> Option<age::x25519::Identity> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))?;
    age::x25519::Identity::from_str(line).ok()
}

impl Backend for FileStore {
    fn info(&self) -> StoreInfo {
        StoreInfo {
            kind: StoreKind::File,
            description: self.name(),
        }
    }

    fn label(&self) -> String {
        self.name()
    }

    fn record_location(&self, kind: RecordKind, name: &str) -> String {
        self.record_path(kind, name).display().to_string()
    }

    /// Unlocks the key (asking for the passphrase unless cached): with `create`, creating the
    /// store when it does not exist; without, only when the record exists (a missing record
    /// is reported without asking for anything).
    fn prepare_write(&self, kind: RecordKind, name: &str, create: bool) -> Result<(), Error> {
        if create || self.record_path(kind, name).exists() {
            self.identity(create)?;
        }
        Ok(())
    }

    /// The store directory's lock; nothing to lock while the directory does not exist (there
    /// is nothing to read or remove then, and a write creates it first in `prepare_write`).
    fn lock_writes(&self) -> Result<WriteLock<'_>, Error> {
        if !self.dir.is_dir() {
            return Ok(WriteLock::none());
        }
        DirLock::acquire(&self.dir).map(WriteLock::new)
    }

    fn read_bytes(
        &self,
        held: Option<&WriteLock<'_>>,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let path = self.record_path(kind, name);
        let sealed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", path, e)),
        };
        self.decrypt(&path, &sealed, held.is_none()).map(Some)
    }

    fn contains(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        Ok(self.record_path(kind, name).exists())
    }

    fn write_bytes(
        &self,
        _held: &WriteLock<'_>,
        kind: RecordKind,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let sealed = self.encrypt(bytes)?;
        let kind_dir = self.dir.join(kind.as_str());
        ensure_private_dir(&kind_dir)?;
        remove_stale_temps(&kind_dir);
        write_atomic(&self.record_path(kind, name), &sealed)
    }

    fn delete(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        remove_file(&self.record_path(kind, name))
    }

    fn names(&self, kind: RecordKind) -> Result<Vec<String>, Error> {
        let dir = self.dir.join(kind.as_str());
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("list", dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("list", &dir, e))?;
            let file = entry.file_name();
            // Temporary files (".tmp-…") and anything not written by us are skipped.
            if let Some(stem) = file.to_str().and_then(|f| f.strip_suffix(".age"))
                && let Some(name) = decode_name(stem)
            {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn session_lock(&self) -> Result<crate::SessionLock, Error> {
        DirLock::acquire_file(&self.dir, crate::session::SESSION_LOCK_FILE)
            .map(crate::SessionLock::held)
    }
}

/// File-name encoding of a record name: `a-z 0-9 _ -` and non-leading `.` kept, every
/// other byte as `%XX` (upper-case letters too, so case-insensitive file systems cannot
/// merge two names).
pub(crate) fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => out.push(b as char),
            b'.' if i > 0 => out.push('.'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Inverse of [`encode_name`]; `None` for anything `encode_name` cannot have produced.
pub(crate) fn decode_name(file: &str) -> Option<String> {
    let bytes = file.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = file.get(i + 1..i + 3)?;
            if hex.bytes().any(|c| c.is_ascii_lowercase()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).ok()?;
    (encode_name(&name) == file && validate_name(&name).is_ok()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn name_encoding_round_trips(name in "\\PC{1,20}") {
            prop_assume!(validate_name(&name).is_ok());
            let enc = encode_name(&name);
            prop_assert!(enc.len() <= 3 * name.len());
            prop_assert!(!enc.starts_with('.'));
            prop_assert!(!enc.contains('/'));
            prop_assert_eq!(decode_name(&enc), Some(name));
        }
    }

    #[test]
    fn foreign_file_names_are_not_records() {
        for f in [".tmp-abc", "A", "%4a", "%", "%G0", ""] {
            assert_eq!(decode_name(f), None, "{f}");
        }
        assert_eq!(decode_name("%41b"), Some("Ab".to_owned()));
    }
}
