//! An in-memory store for unit tests of code above the store.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::{Backend, Error, RecordKind, StoreInfo, StoreKind, WriteLock};

type Records = BTreeMap<(RecordKind, String), Zeroizing<Vec<u8>>>;

/// An in-memory [`Store`](crate::Store): records are kept serialized (as a real store would)
/// in a map.
///
/// ```
/// use iamkit_keystore::{MockStore, Store, AwsCredentials, Overwrite, RecordKind};
/// let store = MockStore::new();
/// store.put_creds("dev", &AwsCredentials::new("AKIAEXAMPLE", "secret"), Overwrite::Refuse)?;
/// assert_eq!(store.list(RecordKind::Creds)?, ["dev"]);
/// # Ok::<(), iamkit_keystore::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct MockStore {
    records: Mutex<Records>,
    /// Held across a write or a read-modify-write, as the real stores' lock files are.
    writes: Mutex<()>,
    locked: bool,
}

const NAME: &str = "mock store";

impl MockStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose every operation fails with [`Error::Locked`] (to test error paths).
    pub fn locked() -> Self {
        MockStore {
            locked: true,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.locked {
            return Err(Error::Locked {
                store: NAME.to_owned(),
                hint: "this mock store is always locked".to_owned(),
            });
        }
        Ok(())
    }

    fn map(&self) -> MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for MockStore {
    fn info(&self) -> StoreInfo {
        StoreInfo {
            kind: StoreKind::Mock,
            description: "in-memory mock store".to_owned(),
        }
    }

    fn label(&self) -> String {
        NAME.to_owned()
    }

    fn lock_writes(&self) -> Result<WriteLock<'_>, Error> {
        self.check()?;
        Ok(WriteLock::new(
            self.writes.lock().unwrap_or_else(|p| p.into_inner()),
        ))
    }

    fn read_bytes(
        &self,
        _held: Option<&WriteLock<'_>>,
        kind: RecordKind,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        self.check()?;
        Ok(self.map().get(&(kind, name.to_owned())).cloned())
    }

    fn contains(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        self.check()?;
        Ok(self.map().contains_key(&(kind, name.to_owned())))
    }

    fn write_bytes(
        &self,
        _held: &WriteLock<'_>,
        kind: RecordKind,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), Error> {
        self.check()?;
        self.map()
            .insert((kind, name.to_owned()), Zeroizing::new(bytes.to_vec()));
        Ok(())
    }

    fn delete(&self, _held: &WriteLock<'_>, kind: RecordKind, name: &str) -> Result<bool, Error> {
        self.check()?;
        Ok(self.map().remove(&(kind, name.to_owned())).is_some())
    }

    fn names(&self, kind: RecordKind) -> Result<Vec<String>, Error> {
        self.check()?;
        Ok(self
            .map()
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
            .collect())
    }
}
