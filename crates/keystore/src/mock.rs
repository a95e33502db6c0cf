//! An in-memory store for unit tests of code above the store.

use std::collections::BTreeMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::record::{open, seal};
use crate::{Error, MfaDevice, Overwrite, RecordKind, Store, StoreInfo, StoreKind, validate_name};

type Records = BTreeMap<(RecordKind, String), Zeroizing<Vec<u8>>>;

/// An in-memory [`Store`]: records are kept serialized (as a real store would) in a map.
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

    fn check(&self, name: &str) -> Result<(), Error> {
        validate_name(name)?;
        if self.locked {
            return Err(Error::Locked {
                store: NAME.to_owned(),
                hint: "this mock store is always locked".to_owned(),
            });
        }
        Ok(())
    }

    fn map(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn put<T: serde::Serialize>(
        &self,
        kind: RecordKind,
        name: &str,
        rec: &T,
        overwrite: Overwrite,
    ) -> Result<(), Error> {
        self.check(name)?;
        let bytes = seal(kind, name, rec).map_err(|e| corrupt(e.to_string()))?;
        let mut map = self.map();
        let key = (kind, name.to_owned());
        if overwrite == Overwrite::Refuse && map.contains_key(&key) {
            return Err(Error::AlreadyExists {
                store: NAME.to_owned(),
                kind,
                name: name.to_owned(),
            });
        }
        map.insert(key, bytes);
        Ok(())
    }

    fn get<T: for<'de> serde::Deserialize<'de>>(
        &self,
        kind: RecordKind,
        name: &str,
    ) -> Result<T, Error> {
        self.check(name)?;
        let map = self.map();
        let bytes = map
            .get(&(kind, name.to_owned()))
            .ok_or_else(|| Error::NotFound {
                store: NAME.to_owned(),
                kind,
                name: name.to_owned(),
            })?;
        open(kind, name, bytes).map_err(corrupt)
    }
}

fn corrupt(what: String) -> Error {
    Error::Corrupt {
        store: NAME.to_owned(),
        what,
    }
}

impl Store for MockStore {
    fn describe(&self) -> StoreInfo {
        StoreInfo {
            kind: StoreKind::Mock,
            description: "in-memory mock store".to_owned(),
        }
    }

    typed_record_methods!(put, get);

    fn remove(&self, kind: RecordKind, name: &str) -> Result<(), Error> {
        self.check(name)?;
        match self.map().remove(&(kind, name.to_owned())) {
            Some(_) => Ok(()),
            None => Err(Error::NotFound {
                store: NAME.to_owned(),
                kind,
                name: name.to_owned(),
            }),
        }
    }

    fn list(&self, kind: RecordKind) -> Result<Vec<String>, Error> {
        if self.locked {
            self.check("x")?;
        }
        Ok(self
            .map()
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
            .collect())
    }

    fn update_mfa(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut MfaDevice) -> bool,
    ) -> Result<MfaDevice, Error> {
        // One lock over read-modify-write, as the real stores do.
        self.check(name)?;
        let mut map = self.map();
        let key = (RecordKind::Mfa, name.to_owned());
        let bytes = map.get(&key).ok_or_else(|| Error::NotFound {
            store: NAME.to_owned(),
            kind: RecordKind::Mfa,
            name: name.to_owned(),
        })?;
        let mut dev: MfaDevice = open(RecordKind::Mfa, name, bytes).map_err(corrupt)?;
        let before = dev.clone();
        if change(&mut dev) {
            let bytes = seal(RecordKind::Mfa, name, &dev).map_err(|e| corrupt(e.to_string()))?;
            map.insert(key, bytes);
        }
        Ok(before)
    }
}
