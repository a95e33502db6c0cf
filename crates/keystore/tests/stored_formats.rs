//! Stores written by an earlier iamkit still open, and what this one writes is byte for byte
//! what that one wrote.
//!
//! `fixtures/file-store-v1` is a file store made by iamkit before the stores shared one
//! byte-level backend (commit 63b9a1f, passphrase `fixture passphrase`, scrypt work factor
//! 2^10). Its records, decrypted with the `age` crate, are that iamkit's serialized records; the
//! keychain tests plant those very bytes (and a name index as that iamkit wrote it) in the kernel
//! keyring and the Secret Service and read them back through today's stores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use age::secrecy::SecretString;
use iamkit_keystore::{
    FileStore, OpenOptions, Overwrite, PassphraseSource, RecordKind, Selection, Store, StoreKind,
    open, open_kernel_keyring,
};
use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

const PASS: &str = "fixture passphrase";
const SESSION: &str = "s-0123456789abcdef0123456789abcdef";

/// The serialized records of the fixture, written out: the stored format, kind by kind.
const OLD_JSON: &[&str] = &[
    r#"{"v":1,"kind":"mfa","name":"github","record":{"otp_type":"totp","issuer":"Example","account":"alice@example.com","algorithm":"SHA1","digits":6,"period":30,"t0":0,"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","last_printed_step":55000000}}"#,
    r#"{"v":1,"kind":"mfa","name":"hotp café","record":{"otp_type":"hotp","account":"bob","algorithm":"SHA256","digits":8,"period":30,"t0":0,"counter":7,"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}}"#,
    r#"{"v":1,"kind":"creds","name":"temp","record":{"access_key_id":"ASIAIOSFODNN7EXAMPLE","secret_access_key":"tempsecret","session_token":"FwoGZXIvYXdzEXAMPLETOKEN","expiration":"2030-01-02T03:04:05Z"}}"#,
    r#"{"v":1,"kind":"creds","name":"work","record":{"access_key_id":"AKIAIOSFODNN7EXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","mfa_serial":"arn:aws:iam::123456789012:mfa/alice","mfa_device":"github","region":"eu-west-1","session_duration":3600}}"#,
    r#"{"v":1,"kind":"session","name":"s-0123456789abcdef0123456789abcdef","record":{"access_key_id":"ASIASESSIONEXAMPLE00","secret_access_key":"sessionsecret","session_token":"sessiontoken","expiration":"2030-01-01T00:00:00Z","source_key_id":"AKIAIOSFODNN7EXAMPLE","mfa_serial":"arn:aws:iam::123456789012:mfa/alice"}}"#,
    r#"{"v":1,"kind":"role","name":"admin","record":{"role_arn":"arn:aws:iam::123456789012:role/admin","source_profile":"work","external_id":"ext-1","duration":900}}"#,
];

/// The record `kind`/`name` read through `store`, serialized again (compared as JSON, so the
/// test does not depend on how the record types spell their fields in Rust).
fn read_as_json(store: &dyn Store, kind: RecordKind, name: &str) -> serde_json::Value {
    let v = match kind {
        RecordKind::Mfa => serde_json::to_value(store.get_mfa(name).unwrap()),
        RecordKind::Creds => serde_json::to_value(store.get_creds(name).unwrap()),
        RecordKind::Session => serde_json::to_value(store.get_session(name).unwrap()),
        RecordKind::Role => serde_json::to_value(store.get_role(name).unwrap()),
    };
    v.unwrap()
}

/// Reads the record `kind`/`name` through `store` and writes it back (replacing it).
fn rewrite(store: &dyn Store, kind: RecordKind, name: &str) {
    match kind {
        RecordKind::Mfa => store
            .put_mfa(name, &store.get_mfa(name).unwrap(), Overwrite::Allow)
            .unwrap(),
        RecordKind::Creds => store
            .put_creds(name, &store.get_creds(name).unwrap(), Overwrite::Allow)
            .unwrap(),
        RecordKind::Session => store
            .put_session(name, &store.get_session(name).unwrap())
            .unwrap(),
        RecordKind::Role => store
            .put_role(name, &store.get_role(name).unwrap(), Overwrite::Allow)
            .unwrap(),
    }
}

/// Every record of the fixture: kind, name, file name.
const RECORDS: &[(RecordKind, &str, &str)] = &[
    (RecordKind::Mfa, "github", "mfa/github.age"),
    (RecordKind::Mfa, "hotp café", "mfa/hotp%20caf%C3%A9.age"),
    (RecordKind::Creds, "temp", "creds/temp.age"),
    (RecordKind::Creds, "work", "creds/work.age"),
    (
        RecordKind::Session,
        SESSION,
        "session/s-0123456789abcdef0123456789abcdef.age",
    ),
    (RecordKind::Role, "admin", "role/admin.age"),
];

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/file-store-v1")
}

/// A private copy of the fixture (tests write to it; the checkout's directory mode is not ours).
fn fixture_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (_, _, file) in RECORDS
        .iter()
        .chain(&[(RecordKind::Mfa, "", "identity.age")])
    {
        let to = tmp.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture().join(file), to).unwrap();
    }
    tmp
}

/// The fixture store's key, decrypted with the `age` crate alone.
fn fixture_identity(dir: &Path) -> age::x25519::Identity {
    let sealed = std::fs::read(dir.join("identity.age")).unwrap();
    let scrypt = age::scrypt::Identity::new(SecretString::from(PASS.to_owned()));
    let text = String::from_utf8(age::decrypt(&scrypt, &sealed).unwrap()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    age::x25519::Identity::from_str(line).unwrap()
}

/// A record file's plaintext: the serialized record as the store keeps it.
fn plaintext(id: &age::x25519::Identity, dir: &Path, file: &str) -> Vec<u8> {
    age::decrypt(id, &std::fs::read(dir.join(file)).unwrap()).unwrap()
}

/// The serialized records the earlier iamkit wrote, by kind and name.
fn old_bytes() -> Vec<(RecordKind, &'static str, Vec<u8>)> {
    let id = fixture_identity(&fixture());
    RECORDS
        .iter()
        .zip(OLD_JSON)
        .map(|((kind, name, file), json)| {
            let bytes = plaintext(&id, &fixture(), file);
            assert_eq!(String::from_utf8_lossy(&bytes), *json, "{kind} {name:?}");
            (*kind, *name, bytes)
        })
        .collect()
}

fn opts(dir: &Path) -> OpenOptions {
    OpenOptions::new()
        .dir(dir)
        .passphrase(PassphraseSource::Value(Zeroizing::new(PASS.to_owned())))
        .cache_ttl(Duration::ZERO)
        .insecure_allow_weak_kdf()
}

/// Reads every record of the fixture through `store` and compares it with what was written.
fn reads_the_fixture_records(store: &dyn Store) {
    for ((kind, name, _), json) in RECORDS.iter().zip(OLD_JSON) {
        let envelope: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            read_as_json(store, *kind, name),
            envelope["record"],
            "{kind} {name:?}"
        );
    }
    let dev = store.get_mfa("github").unwrap();
    assert_eq!(
        (dev.account.as_str(), &dev.secret[..], dev.last_printed_step),
        (
            "alice@example.com",
            &b"12345678901234567890"[..],
            Some(55_000_000)
        )
    );
    assert_eq!(
        *store.get_creds("work").unwrap().secret_access_key,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    assert_eq!(
        store.list(RecordKind::Mfa).unwrap(),
        ["github", "hotp café"]
    );
    assert_eq!(store.list(RecordKind::Creds).unwrap(), ["temp", "work"]);
    assert_eq!(store.list(RecordKind::Session).unwrap(), [SESSION]);
    assert_eq!(store.list(RecordKind::Role).unwrap(), ["admin"]);
}

/// Writes every fixture record again through `store`.
fn rewrites_the_fixture_records(store: &dyn Store) {
    for (kind, name, _) in RECORDS {
        rewrite(store, *kind, name);
    }
}

#[test]
fn a_file_store_written_before_the_backend_trait_still_opens() {
    let tmp = fixture_copy();
    let store = FileStore::open(opts(tmp.path())).unwrap();
    reads_the_fixture_records(&store);
    // Read-modify-write works on it too.
    assert_eq!(
        store.set_last_printed_step("github", 55_000_001).unwrap(),
        Some(55_000_000)
    );
    assert_eq!(store.take_hotp_counter("hotp café").unwrap(), 7);
    assert_eq!(store.get_mfa("hotp café").unwrap().counter, Some(8));
}

#[test]
fn the_file_store_writes_what_the_earlier_iamkit_wrote() {
    let tmp = fixture_copy();
    let store = FileStore::open(opts(tmp.path())).unwrap();
    rewrites_the_fixture_records(&store);
    let id = fixture_identity(tmp.path());
    for ((kind, name, old), (_, _, file)) in old_bytes().iter().zip(RECORDS) {
        let new = plaintext(&id, tmp.path(), file);
        assert_eq!(
            String::from_utf8_lossy(&new),
            String::from_utf8_lossy(old),
            "{kind} {name:?}"
        );
    }
    // And a store created now is still readable by the age tool's format: one identity sealed
    // to the passphrase, records sealed to it (the fixture identity opened above did that).
    reads_the_fixture_records(&store);
}

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// The name index as the earlier iamkit wrote it (`serde_json::to_vec_pretty` of its index).
const OLD_INDEX: &str = r#"{
  "v": 1,
  "mfa": [
    "github",
    "hotp café"
  ],
  "creds": [
    "temp",
    "work"
  ],
  "session": [
    "s-0123456789abcdef0123456789abcdef"
  ],
  "role": [
    "admin"
  ]
}"#;

/// Plants the earlier iamkit's entries (service `<service>:<kind>`, user = the record name,
/// secret = the serialized record) and its index, opens them with `open_store`, reads and
/// rewrites them, and checks the entries' bytes are unchanged.
fn keychain_reads_and_writes_the_old_entries(
    backend: &Arc<CredentialStore>,
    tag: &str,
    open_store: &dyn Fn(&Path, &str) -> Box<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let service = unique("iamkit-format");
    let entry = |kind: RecordKind, name: &str| {
        Entry::new_in_store(backend, &format!("{service}:{}", kind.as_str()), name).unwrap()
    };
    let old = old_bytes();
    let planted = old
        .iter()
        .try_for_each(|(kind, name, bytes)| entry(*kind, name).set_secret(bytes));
    if let Err(e) = planted {
        // Outside a session keyring of its own (`keyctl session -`) the kernel may refuse
        // keys to a process; the store's own probe does not see that.
        for (kind, name, _) in &old {
            let _ = entry(*kind, name).delete_credential();
        }
        let var = if tag == "kernel-keyring" {
            "IAMKIT_REQUIRE_KERNEL_KEYRING"
        } else {
            "IAMKIT_REQUIRE_SECRET_SERVICE"
        };
        common::require(var, Err(format!("cannot add entries to the {tag}: {e}")));
        return;
    }
    std::fs::write(dir.path().join(format!("index-{tag}.json")), OLD_INDEX).unwrap();
    let store = open_store(dir.path(), &service);
    reads_the_fixture_records(store.as_ref());
    rewrites_the_fixture_records(store.as_ref());
    for (kind, name, bytes) in &old {
        let now = entry(*kind, name).get_secret().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&now),
            String::from_utf8_lossy(bytes),
            "{kind} {name:?}"
        );
    }
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join(format!("index-{tag}.json"))).unwrap(),
    )
    .unwrap();
    let old_index: serde_json::Value = serde_json::from_str(OLD_INDEX).unwrap();
    assert_eq!(index, old_index);
    for (kind, name, _) in &old {
        store.remove(*kind, name).unwrap();
        assert!(matches!(
            entry(*kind, name).get_secret(),
            Err(keyring_core::Error::NoEntry)
        ));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn kernel_keyring_entries_written_before_the_backend_trait_still_open() {
    let tmp = tempfile::tempdir().unwrap();
    let probe = open_kernel_keyring(OpenOptions::new().dir(tmp.path())).map(|_| ());
    if !common::require(
        "IAMKIT_REQUIRE_KERNEL_KEYRING",
        probe.map_err(|e| e.to_string()),
    ) {
        return;
    }
    let config = std::collections::HashMap::from([("service_no_divider", "true")]);
    let backend: Arc<CredentialStore> =
        linux_keyutils_keyring_store::Store::new_with_configuration(&config).unwrap();
    keychain_reads_and_writes_the_old_entries(&backend, "kernel-keyring", &|dir, service| {
        let o = open_kernel_keyring(OpenOptions::new().dir(dir).keychain_service(service)).unwrap();
        assert_eq!(o.status.info.kind, StoreKind::KernelKeyring);
        o.store
    });
}

#[cfg(target_os = "linux")]
#[test]
fn secret_service_entries_written_before_the_backend_trait_still_open() {
    let tmp = tempfile::tempdir().unwrap();
    let probe = open(
        Selection::Keychain,
        OpenOptions::new()
            .dir(tmp.path())
            .keychain_service("iamkit-probe"),
    )
    .map(|_| ());
    if !common::require(
        "IAMKIT_REQUIRE_SECRET_SERVICE",
        probe.map_err(|e| e.to_string()),
    ) {
        return;
    }
    let backend: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new().unwrap();
    keychain_reads_and_writes_the_old_entries(&backend, "secret-service", &|dir, service| {
        let o = open(
            Selection::Keychain,
            OpenOptions::new().dir(dir).keychain_service(service),
        )
        .unwrap();
        assert_eq!(o.status.info.kind, StoreKind::SecretService);
        o.store
    });
}
