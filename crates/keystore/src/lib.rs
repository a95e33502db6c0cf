#![doc = include_str!("../README.md")]

mod backend;
mod cache;
mod creds;
mod error;
mod file;
mod fsutil;
mod index;
mod keychain;
mod mock;
mod open;
mod record;
mod session;
mod store;

use std::fmt;

pub use backend::{Backend, WriteLock};
pub use cache::MAX_CACHE_TTL;
pub use creds::{check_access_key_id, check_region, check_secret_word};
pub use error::Error;
pub use file::{FileStore, MIN_SCRYPT_LOG_N};
pub use keychain::KeychainStore;
pub use mock::MockStore;
pub use open::{
    DEFAULT_CACHE_TTL, INSECURE_FAST_KDF_COMPILED_IN, OpenOptions, Opened, PassphraseSource,
    PromptFn, PromptReason, Selection, StoreStatus, default_dir, is_cached,
    isolate_session_keyring, lock, open, open_kernel_keyring,
};
pub use record::{
    AwsCredentials, Expiration, InvalidExpiration, KeyRotation, MfaDevice, to_json_presized,
};
pub use session::{CachedSession, RoleProfile, SessionLock};

/// Which kind of record: an MFA device, a set of AWS credentials, or a cached session.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// An [`MfaDevice`].
    Mfa,
    /// A set of [`AwsCredentials`].
    Creds,
    /// A [`CachedSession`]: temporary credentials from AWS STS, kept until they expire.
    Session,
    /// A [`RoleProfile`]: a role to assume with another profile's credentials.
    Role,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Mfa,
        RecordKind::Creds,
        RecordKind::Session,
        RecordKind::Role,
    ];

    /// Short lower-case tag: `"mfa"`, `"creds"`, `"session"` or `"role"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Mfa => "mfa",
            RecordKind::Creds => "creds",
            RecordKind::Session => "session",
            RecordKind::Role => "role",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Mfa => "MFA device",
            RecordKind::Creds => "credentials profile",
            RecordKind::Session => "cached session",
            RecordKind::Role => "role profile",
        })
    }
}

/// Whether a `put` may replace an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// An existing record is an error ([`Error::AlreadyExists`]); the stored one is untouched.
    Refuse,
    /// Replace an existing record.
    Allow,
}

/// Which store implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreKind {
    /// The encrypted file store.
    File,
    /// The Secret Service on the D-Bus session bus (Linux: gnome-keyring, KWallet, KeePassXC…).
    SecretService,
    /// The macOS Keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
    /// The Linux kernel keyring (volatile: lost at reboot).
    KernelKeyring,
    /// The in-memory [`MockStore`].
    Mock,
}

/// Which store, and where: what `iamkit store status` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    /// The implementation.
    pub kind: StoreKind,
    /// Human description, e.g. `file store at /home/u/.local/share/iamkit`.
    pub description: String,
}

impl fmt::Display for StoreInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

/// One interface over every store: the typed records. Every [`Backend`] is a `Store` (the
/// methods are written once, over the backend's bytes); use it as `dyn Store`.
///
/// Names are non-empty, at most [`MAX_NAME_LEN`] bytes of UTF-8 without control characters.
/// Each kind has its own namespace (an MFA device and a credentials profile may share a name).
pub trait Store: Send + Sync + fmt::Debug {
    /// Which store this is and where it keeps its data.
    fn describe(&self) -> StoreInfo;

    /// Store an MFA device under `name`.
    ///
    /// # Errors
    ///
    /// `Error::AlreadyExists` when `name` is taken and `overwrite` does not allow replacing it,
    /// `Error::InvalidName` for a bad name, else a storage error (locked, unavailable, I/O).
    fn put_mfa(&self, name: &str, rec: &MfaDevice, overwrite: Overwrite) -> Result<(), Error>;

    /// Read the MFA device `name` ([`Error::NotFound`] when there is none).
    ///
    /// # Errors
    ///
    /// `Error::NotFound` when there is none, `Error::Corrupt` for an unreadable record, else a
    /// storage error (locked, unavailable, I/O).
    fn get_mfa(&self, name: &str) -> Result<MfaDevice, Error>;

    /// Store a credentials profile under `name`.
    ///
    /// # Errors
    ///
    /// As [`Store::put_mfa`].
    fn put_creds(
        &self,
        name: &str,
        rec: &AwsCredentials,
        overwrite: Overwrite,
    ) -> Result<(), Error>;

    /// Read the credentials profile `name` ([`Error::NotFound`] when there is none).
    ///
    /// # Errors
    ///
    /// As [`Store::get_mfa`].
    fn get_creds(&self, name: &str) -> Result<AwsCredentials, Error>;

    /// Store (or replace) the cached session `name`.
    ///
    /// # Errors
    ///
    /// `Error::InvalidName` for a bad name, else a storage error (locked, unavailable, I/O).
    fn put_session(&self, name: &str, rec: &CachedSession) -> Result<(), Error>;

    /// Read the cached session `name` ([`Error::NotFound`] when there is none).
    ///
    /// # Errors
    ///
    /// As [`Store::get_mfa`].
    fn get_session(&self, name: &str) -> Result<CachedSession, Error>;

    /// Store a role profile under `name`.
    ///
    /// # Errors
    ///
    /// As [`Store::put_mfa`].
    fn put_role(&self, name: &str, rec: &RoleProfile, overwrite: Overwrite) -> Result<(), Error>;

    /// Read the role profile `name` ([`Error::NotFound`] when there is none).
    ///
    /// # Errors
    ///
    /// As [`Store::get_mfa`].
    fn get_role(&self, name: &str) -> Result<RoleProfile, Error>;

    /// Take the sessions lock: while the returned guard lives, no other process holding it
    /// runs (the file and keychain stores use a lock file in the store directory, apart from
    /// the lock of single writes, so the holder may read and write records meanwhile). A
    /// caller that finds no usable session takes it, reads again, and only then asks AWS for
    /// one: concurrent callers then cause one STS call. The mock store's guard locks nothing.
    ///
    /// # Errors
    ///
    /// `Error::Io` when the lock file cannot be created or locked.
    fn lock_sessions(&self) -> Result<SessionLock, Error>;

    /// Remove a record ([`Error::NotFound`] when there is none).
    ///
    /// # Errors
    ///
    /// `Error::NotFound` when there is none, else a storage error (locked, unavailable, I/O).
    fn remove(&self, kind: RecordKind, name: &str) -> Result<(), Error>;

    /// The names of all records of a kind, sorted. Reads only the non-secret index (plus, for
    /// keychains, an existence check that drops index entries whose secret is gone).
    ///
    /// # Errors
    ///
    /// A storage error (locked, unavailable, I/O, a corrupt index).
    fn list(&self, kind: RecordKind) -> Result<Vec<String>, Error>;

    /// Read-modify-write of the MFA device `name` under the store's lock (no other process
    /// reads or writes the store in between): `change` edits the device and says whether to
    /// write it back. Returns the device as it was before.
    ///
    /// # Errors
    ///
    /// As [`Store::get_mfa`] and [`Store::put_mfa`]; nothing is written when either fails.
    fn update_mfa(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut MfaDevice) -> bool,
    ) -> Result<MfaDevice, Error>;

    /// Atomically (under the store's lock) raise the device's `last_printed_step` to `step`;
    /// returns the previous value. A caller that gets back `Some(prev)` with `prev >= step`
    /// knows another process already printed a code for this step (used by `mfa code --fresh`).
    ///
    /// # Errors
    ///
    /// As [`Store::update_mfa`].
    fn set_last_printed_step(&self, name: &str, step: u64) -> Result<Option<u64>, Error> {
        let before = self.update_mfa(name, &mut |dev| {
            let raise = dev.last_printed_step.is_none_or(|p| p < step);
            if raise {
                dev.last_printed_step = Some(step);
            }
            raise
        })?;
        Ok(before.last_printed_step)
    }

    /// Atomically (under the store's lock) take the counter of the HOTP device `name`: returns
    /// the value to use now (the stored counter, 0 when unset) and stores the next one, so two
    /// processes asking at once never get the same counter, hence never print the same code.
    /// [`Error::WrongDeviceKind`] for a time-based device (left unchanged).
    ///
    /// # Errors
    ///
    /// `Error::WrongDeviceKind` for a time-based device, else as [`Store::update_mfa`].
    fn take_hotp_counter(&self, name: &str) -> Result<u64, Error> {
        let before = self.update_mfa(name, &mut |dev| {
            let hotp = dev.kind() == iamkit_otp::Kind::Hotp;
            if hotp {
                dev.counter = Some(dev.counter.unwrap_or(0).saturating_add(1));
            }
            hotp
        })?;
        if before.kind() != iamkit_otp::Kind::Hotp {
            return Err(Error::WrongDeviceKind {
                name: name.to_owned(),
                expected: "an HOTP (counter) device",
            });
        }
        Ok(before.counter.unwrap_or(0))
    }
}

/// Longest record name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// Check a record name: non-empty, at most [`MAX_NAME_LEN`] bytes, no control characters.
///
/// # Errors
///
/// `Error::InvalidName` saying which rule `name` breaks.
pub fn validate_name(name: &str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        Some("a non-empty name")
    } else if name.len() > MAX_NAME_LEN {
        Some("a name of at most 64 bytes")
    } else if name.chars().any(char::is_control) {
        Some("a name without control characters")
    } else if name.trim() != name {
        Some("a name without leading or trailing spaces")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}
