//! The typed record methods of [`Store`], written once over the byte-level [`Backend`]: names
//! are checked, records sealed into their versioned envelope and opened from it here, the
//! backends only keep bytes.

use crate::backend::Backend;
use crate::record::{open, seal};
use crate::{
    AwsCredentials, CachedSession, Error, MfaDevice, Overwrite, RecordKind, RoleProfile,
    SessionLock, Store, StoreInfo, validate_name,
};

/// Every backend is a store.
impl<B: Backend> Store for B {
    fn describe(&self) -> StoreInfo {
        self.info()
    }

    fn put_mfa(&self, name: &str, rec: &MfaDevice, overwrite: Overwrite) -> Result<(), Error> {
        put(self, RecordKind::Mfa, name, rec, overwrite)
    }

    fn get_mfa(&self, name: &str) -> Result<MfaDevice, Error> {
        get(self, RecordKind::Mfa, name)
    }

    fn put_creds(
        &self,
        name: &str,
        rec: &AwsCredentials,
        overwrite: Overwrite,
    ) -> Result<(), Error> {
        put(self, RecordKind::Creds, name, rec, overwrite)
    }

    fn get_creds(&self, name: &str) -> Result<AwsCredentials, Error> {
        get(self, RecordKind::Creds, name)
    }

    fn put_session(&self, name: &str, rec: &CachedSession) -> Result<(), Error> {
        put(self, RecordKind::Session, name, rec, Overwrite::Allow)
    }

    fn get_session(&self, name: &str) -> Result<CachedSession, Error> {
        get(self, RecordKind::Session, name)
    }

    fn put_role(&self, name: &str, rec: &RoleProfile, overwrite: Overwrite) -> Result<(), Error> {
        put(self, RecordKind::Role, name, rec, overwrite)
    }

    fn get_role(&self, name: &str) -> Result<RoleProfile, Error> {
        get(self, RecordKind::Role, name)
    }

    fn lock_sessions(&self) -> Result<SessionLock, Error> {
        self.session_lock()
    }

    fn remove(&self, kind: RecordKind, name: &str) -> Result<(), Error> {
        validate_name(name)?;
        let held = self.lock_writes()?;
        if self.delete(&held, kind, name)? {
            Ok(())
        } else {
            Err(not_found(self, kind, name))
        }
    }

    fn list(&self, kind: RecordKind) -> Result<Vec<String>, Error> {
        self.names(kind)
    }

    fn update_mfa(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut MfaDevice) -> bool,
    ) -> Result<MfaDevice, Error> {
        let kind = RecordKind::Mfa;
        validate_name(name)?;
        self.prepare_write(kind, name, false)?;
        let held = self.lock_writes()?;
        let bytes = self
            .read_bytes(Some(&held), kind, name)?
            .ok_or_else(|| not_found(self, kind, name))?;
        let mut dev: MfaDevice = open_bytes(self, kind, name, &bytes)?;
        let before = dev.clone();
        if change(&mut dev) {
            let bytes = seal_record(self, kind, name, &dev)?;
            self.write_bytes(&held, kind, name, &bytes)?;
        }
        Ok(before)
    }
}

/// Seals `rec` and stores it, refusing to replace an existing one unless `overwrite` allows.
fn put<B: Backend + ?Sized, T: serde::Serialize>(
    b: &B,
    kind: RecordKind,
    name: &str,
    rec: &T,
    overwrite: Overwrite,
) -> Result<(), Error> {
    validate_name(name)?;
    let bytes = seal_record(b, kind, name, rec)?;
    b.prepare_write(kind, name, true)?;
    let held = b.lock_writes()?;
    if overwrite == Overwrite::Refuse && b.contains(&held, kind, name)? {
        return Err(Error::AlreadyExists {
            store: b.label(),
            kind,
            name: name.to_owned(),
        });
    }
    b.write_bytes(&held, kind, name, &bytes)
}

/// Reads and opens the record `kind`/`name`.
fn get<B: Backend + ?Sized, T: for<'de> serde::Deserialize<'de>>(
    b: &B,
    kind: RecordKind,
    name: &str,
) -> Result<T, Error> {
    validate_name(name)?;
    let bytes = b
        .read_bytes(None, kind, name)?
        .ok_or_else(|| not_found(b, kind, name))?;
    open_bytes(b, kind, name, &bytes)
}

fn seal_record<B: Backend + ?Sized, T: serde::Serialize>(
    b: &B,
    kind: RecordKind,
    name: &str,
    rec: &T,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    seal(kind, name, rec).map_err(|e| Error::Corrupt {
        store: b.label(),
        what: e.to_string(),
    })
}

fn open_bytes<B: Backend + ?Sized, T: for<'de> serde::Deserialize<'de>>(
    b: &B,
    kind: RecordKind,
    name: &str,
    bytes: &[u8],
) -> Result<T, Error> {
    open(kind, name, bytes).map_err(|what| Error::Corrupt {
        store: b.label(),
        what: format!("{}: {what}", b.record_location(kind, name)),
    })
}

fn not_found<B: Backend + ?Sized>(b: &B, kind: RecordKind, name: &str) -> Error {
    Error::NotFound {
        store: b.label(),
        kind,
        name: name.to_owned(),
    }
}
