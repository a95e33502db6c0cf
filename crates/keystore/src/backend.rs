//! The byte-level side of a store: what the file store, the keychains and the mock store each
//! implement. Records reach a backend already serialized (the versioned JSON envelope of
//! `record.rs`) and leave it as those bytes again; the typed methods of [`Store`](crate::Store)
//! are written once, over this trait.

use std::fmt;

use zeroize::Zeroizing;

use crate::{Error, RecordKind, SessionLock, StoreInfo};

/// Where a store keeps the serialized records, by kind and name.
///
/// Every name a backend is given has passed [`validate_name`](crate::validate_name). A
/// backend keeps the bytes as it likes (the file store encrypts them, a keychain hands them to
/// the OS) but gives back exactly what it was given. Writes and read-modify-write sequences
/// run under the lock of [`Backend::lock_writes`], which the caller takes once and passes to
/// every call made under it (a backend never takes it again while it is held: the locks are not
/// re-entrant).
///
/// Every type implementing it is a [`Store`](crate::Store).
pub trait Backend: Send + Sync + fmt::Debug {
    /// Which store this is and where it keeps its data.
    fn info(&self) -> StoreInfo;

    /// The store as error messages name it, e.g. `file store at /home/u/.local/share/iamkit`.
    fn label(&self) -> String;

    /// Where the record `kind`/`name` is kept, for error messages (the default names the record
    /// only; the file store gives the file's path).
    fn record_location(&self, kind: RecordKind, name: &str) -> String {
        format!("the {kind} {name:?}")
    }

    /// Gets ready to write the record `kind`/`name`, before the write lock is taken (nothing by
    /// default). With `create`, a store that does not exist yet is created. The file store
    /// unlocks its key here (asking for the passphrase unless cached): a prompt never runs
    /// while other processes wait for the lock. Without `create`, a missing record or store is
    /// no error here: the read under the lock reports it.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn prepare_write(&self, kind: RecordKind, name: &str, create: bool) -> Result<(), Error> {
        let _ = (kind, name, create);
        Ok(())
    }

    /// Takes the lock that serializes writes and read-modify-write sequences between threads and
    /// processes; held until the guard is dropped.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn lock_writes(&self) -> Result<WriteLock<'_>, Error>;

    /// The bytes stored as `kind`/`name`, `None` when there are none. `held` is the write lock
    /// when the caller holds it.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn read_bytes(
        &self,
        held: Option<&WriteLock<'_>>,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error>;

    /// Whether a record `kind`/`name` exists (read under the write lock, without decrypting
    /// where the backend can tell otherwise).
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn contains(&self, held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error>;

    /// Stores `bytes` as `kind`/`name`, replacing what was there, atomically: a failure
    /// half-way leaves the old record or the new one.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn write_bytes(
        &self,
        held: &WriteLock<'_>,
        kind: RecordKind,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), Error>;

    /// Removes the record `kind`/`name`; `Ok(false)` when there was none.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn delete(&self, held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error>;

    /// The names of all records of a kind, sorted.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn names(&self, kind: RecordKind) -> Result<Vec<String>, Error>;

    /// Takes the sessions lock (see [`Store::lock_sessions`](crate::Store::lock_sessions));
    /// by default a guard that locks nothing.
    ///
    /// # Errors
    /// [`Error`] from the backend: the store is unreachable or locked, or the record cannot be
    /// read, written or decrypted (the variant says which).
    fn session_lock(&self) -> Result<SessionLock, Error> {
        Ok(SessionLock::none())
    }
}

/// Anything a [`WriteLock`] may hold (a lock file, a mutex guard).
trait Held {}

impl<T> Held for T {}

/// The guard of [`Backend::lock_writes`]: whatever it holds is released when it is dropped.
pub struct WriteLock<'a> {
    _held: Option<Box<dyn Held + 'a>>,
}

impl<'a> WriteLock<'a> {
    /// A guard holding `guard` (e.g. a `MutexGuard`, or a file lock that unlocks on drop).
    pub fn new<G: 'a>(guard: G) -> WriteLock<'a> {
        WriteLock {
            _held: Some(Box::new(guard)),
        }
    }

    /// A guard that holds nothing: for a backend with nothing to lock at the moment (the file
    /// store before its directory exists).
    pub fn none() -> WriteLock<'a> {
        WriteLock { _held: None }
    }
}

impl fmt::Debug for WriteLock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteLock")
            .field("holds", &self._held.is_some())
            .finish()
    }
}
