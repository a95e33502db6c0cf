//! The same conformance suite against every store: the mock, the encrypted file store, the
//! Secret Service (a real gnome-keyring on a private session bus under `scripts/test`), and
//! the Linux kernel keyring (under `keyctl session -`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{conformance, creds, mfa, require};
use iamkit_keystore::{
    Error, FileStore, MockStore, OpenOptions, Overwrite, RecordKind, Selection, Store, StoreKind,
    open, open_kernel_keyring,
};

#[test]
fn mock_store_conforms() {
    conformance(&MockStore::new(), 1 << 16);
}

#[test]
fn file_store_conforms() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(common::file_opts(tmp.path(), "correct horse battery")).unwrap();
    conformance(&store, 1 << 16);
}

#[test]
fn file_store_conforms_through_open() {
    let tmp = tempfile::tempdir().unwrap();
    let opened = open(Selection::File, common::file_opts(tmp.path(), "pw")).unwrap();
    assert_eq!(opened.status.info.kind, StoreKind::File);
    assert!(
        opened
            .status
            .info
            .description
            .contains(&tmp.path().display().to_string())
    );
    conformance(opened.store.as_ref(), 1 << 12);
}

fn secret_service(dir: &std::path::Path, service: &str) -> Result<Box<dyn Store>, Error> {
    let opts = OpenOptions::new().dir(dir).keychain_service(service);
    open(Selection::Keychain, opts).map(|o| {
        assert_eq!(o.status.info.kind, StoreKind::SecretService);
        o.store
    })
}

fn kernel(dir: &std::path::Path, service: &str) -> Result<Box<dyn Store>, Error> {
    let opts = OpenOptions::new().dir(dir).keychain_service(service);
    open_kernel_keyring(opts).map(|o| {
        assert_eq!(o.status.info.kind, StoreKind::KernelKeyring);
        o.store
    })
}

/// Two stores over the same keychain entries with different name indexes: what one does
/// behind the other's back must be repaired (not lost, no phantoms).
fn index_repair(a: &dyn Store, b: &dyn Store) {
    let d = mfa(9, 20);
    // A secret the index of `a` does not know: `get` finds it and adds it to the index.
    b.put_mfa("behind-the-back", &d, Overwrite::Refuse).unwrap();
    assert_eq!(a.list(RecordKind::Mfa).unwrap(), Vec::<String>::new());
    assert_eq!(a.get_mfa("behind-the-back").unwrap(), d);
    assert_eq!(a.list(RecordKind::Mfa).unwrap(), ["behind-the-back"]);
    // Overwrite is refused even if the index did not know the entry.
    b.put_creds("p", &creds(3, false), Overwrite::Refuse)
        .unwrap();
    assert!(matches!(
        a.put_creds("p", &creds(4, false), Overwrite::Refuse),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(a.list(RecordKind::Creds).unwrap(), ["p"]);
    // An index entry whose secret is gone is dropped by `list`.
    b.remove(RecordKind::Mfa, "behind-the-back").unwrap();
    assert_eq!(a.list(RecordKind::Mfa).unwrap(), Vec::<String>::new());
    b.remove(RecordKind::Creds, "p").unwrap();
    assert!(matches!(a.get_creds("p"), Err(Error::NotFound { .. })));
    assert_eq!(a.list(RecordKind::Creds).unwrap(), Vec::<String>::new());
}

fn secret_service_available() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    secret_service(tmp.path(), "iamkit-probe")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn secret_service_conforms() {
    if !require("IAMKIT_REQUIRE_SECRET_SERVICE", secret_service_available()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let service = iamkit_testkit::unique("iamkit-test");
    let store = secret_service(tmp.path(), &service).unwrap();
    conformance(store.as_ref(), 1 << 16);
    let other = tempfile::tempdir().unwrap();
    let b = secret_service(other.path(), &service).unwrap();
    index_repair(store.as_ref(), b.as_ref());
}

fn kernel_available() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    kernel(tmp.path(), "iamkit-probe")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn kernel_keyring_conforms() {
    if !require("IAMKIT_REQUIRE_KERNEL_KEYRING", kernel_available()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let service = iamkit_testkit::unique("iamkit-test");
    let store = kernel(tmp.path(), &service).unwrap();
    // A user key holds at most 32 KiB and non-root users have a 20 000-byte quota.
    conformance(store.as_ref(), 4096);
    let other = tempfile::tempdir().unwrap();
    let b = kernel(other.path(), &service).unwrap();
    index_repair(store.as_ref(), b.as_ref());
}

#[test]
fn auto_explains_its_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let opened = open(Selection::Auto, common::file_opts(tmp.path(), "pw")).unwrap();
    let status = &opened.status;
    assert_eq!(status.selection, Selection::Auto);
    assert!(status.reason.starts_with("auto: "), "{status}");
    match status.info.kind {
        StoreKind::File => assert!(status.reason.ends_with("→ file store"), "{status}"),
        StoreKind::SecretService => assert!(status.reason.contains("Secret Service"), "{status}"),
        other => panic!("unexpected store {other:?} on Linux"),
    }
    if std::env::var("IAMKIT_REQUIRE_SECRET_SERVICE").as_deref() == Ok("1") {
        assert_eq!(status.info.kind, StoreKind::SecretService, "{status}");
    }
}
