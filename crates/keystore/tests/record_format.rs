//! The stored format did not change when records got typed fields (`Params`, `Expiration`):
//! `fixtures/records-v1.jsonl` holds records exactly as the previous iamkit wrote them (its
//! `MfaDevice`/`AwsCredentials` with `algorithm: String`, `expiration: Option<String>`, run
//! through its serde derive). Each is planted in a real file store, read back into typed
//! values, and written again byte for byte the same, so either version reads the other's store.
//! Keychain stores hold the same envelope bytes (unencrypted by iamkit), so this covers them too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::file_opts;
use iamkit_keystore::{Error, Expiration, FileStore, Overwrite, Store};
use iamkit_otp::{Algorithm, Kind};

const FIXTURE: &str = include_str!("fixtures/records-v1.jsonl");

/// The age identity of the store at `dir`, unlocked with `pass`.
fn identity(dir: &Path, pass: &str) -> age::x25519::Identity {
    use age::secrecy::SecretString;
    use std::str::FromStr;
    let sealed = std::fs::read(dir.join("identity.age")).unwrap();
    let scrypt = age::scrypt::Identity::new(SecretString::from(pass.to_owned()));
    let text = String::from_utf8(age::decrypt(&scrypt, &sealed).unwrap()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    age::x25519::Identity::from_str(line).unwrap()
}

fn record_path(dir: &Path, kind: &str, name: &str) -> std::path::PathBuf {
    dir.join(kind).join(format!("{name}.age"))
}

fn plant(dir: &Path, pass: &str, kind: &str, name: &str, json: &str) {
    let id = identity(dir, pass);
    let rec = age::encrypt(&id.to_public(), json.as_bytes()).unwrap();
    std::fs::create_dir_all(dir.join(kind)).unwrap();
    std::fs::write(record_path(dir, kind, name), rec).unwrap();
}

fn stored(dir: &Path, pass: &str, kind: &str, name: &str) -> String {
    let id = identity(dir, pass);
    let bytes = std::fs::read(record_path(dir, kind, name)).unwrap();
    String::from_utf8(age::decrypt(&id, &bytes).unwrap()).unwrap()
}

/// (kind, name, line) of every fixture record.
fn fixtures() -> Vec<(&'static str, String, &'static str)> {
    FIXTURE
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let kind = if v["kind"] == "mfa" { "mfa" } else { "creds" };
            (kind, v["name"].as_str().unwrap().to_owned(), line)
        })
        .collect()
}

#[test]
fn records_written_by_the_previous_format_read_into_typed_values_and_write_back_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    // Let the store create its directories and index entries, then replace the records.
    let placeholder = iamkit_keystore::MfaDevice::totp("x", vec![1; 20]);
    for (kind, name, _) in fixtures() {
        if kind == "mfa" {
            store
                .put_mfa(&name, &placeholder, Overwrite::Allow)
                .unwrap();
        } else {
            let c = iamkit_keystore::AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "x");
            store.put_creds(&name, &c, Overwrite::Allow).unwrap();
        }
    }
    for (kind, name, line) in fixtures() {
        plant(tmp.path(), "pw", kind, &name, line);
    }

    let totp = store.get_mfa("totp").unwrap();
    assert_eq!(totp.kind(), Kind::Totp);
    assert_eq!(
        (
            totp.params.algorithm(),
            totp.params.digits(),
            totp.params.period(),
            totp.params.t0()
        ),
        (Algorithm::Sha1, 6, 30, 0)
    );
    assert_eq!(totp.issuer.as_deref(), Some("Example Co"));
    assert_eq!(&totp.secret[..], b"12345678901234567890");
    assert_eq!(totp.last_printed_step, Some(56_666_666));

    let hotp = store.get_mfa("hotp").unwrap();
    assert_eq!(hotp.kind(), Kind::Hotp);
    assert_eq!(
        (hotp.params.algorithm(), hotp.params.digits()),
        (Algorithm::Sha256, 8)
    );
    assert_eq!(hotp.counter, Some(7));

    let steam = store.get_mfa("steam").unwrap();
    assert_eq!((steam.kind(), steam.params.digits()), (Kind::Steam, 5));

    let t0 = store.get_mfa("t0").unwrap();
    assert_eq!(
        (
            t0.params.algorithm(),
            t0.params.digits(),
            t0.params.period(),
            t0.params.t0()
        ),
        (Algorithm::Sha512, 10, 60, 1_000)
    );

    let creds = store.get_creds("temp").unwrap();
    assert_eq!(
        creds.expiration,
        Some(Expiration::parse_rfc3339("2026-11-27T23:00:00Z").unwrap())
    );
    assert_eq!(creds.expiration.unwrap().unix_seconds(), 1_795_820_400);

    // Written back by this version: the same bytes the previous one wrote.
    for (kind, name, line) in fixtures() {
        if kind == "mfa" {
            let d = store.get_mfa(&name).unwrap();
            store.put_mfa(&name, &d, Overwrite::Allow).unwrap();
        } else {
            let c = store.get_creds(&name).unwrap();
            store.put_creds(&name, &c, Overwrite::Allow).unwrap();
        }
        assert_eq!(stored(tmp.path(), "pw", kind, &name), line, "{kind} {name}");
    }
}

#[test]
fn invalid_stored_values_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    let (_, _, totp) = fixtures()
        .into_iter()
        .find(|(_, n, _)| n == "totp")
        .unwrap();
    let cases = [
        (
            "\"digits\":6",
            "\"digits\":4",
            "invalid number of digits: 4 (expected 6 to 10)",
        ),
        (
            "\"algorithm\":\"SHA1\"",
            "\"algorithm\":\"MD5\"",
            "invalid stored algorithm \"MD5\"",
        ),
        (
            "\"period\":30",
            "\"period\":86401",
            "invalid period: 86401 seconds",
        ),
    ];
    for (i, (from, to, want)) in cases.iter().enumerate() {
        let name = format!("bad{i}");
        store
            .put_mfa(
                &name,
                &iamkit_keystore::MfaDevice::totp("x", vec![1; 20]),
                Overwrite::Refuse,
            )
            .unwrap();
        let json = totp
            .replace(from, to)
            .replace("\"name\":\"totp\"", &format!("\"name\":\"{name}\""));
        plant(tmp.path(), "pw", "mfa", &name, &json);
        match store.get_mfa(&name) {
            Err(Error::Corrupt { what, .. }) => {
                assert!(what.contains(want), "{what}");
                assert!(!what.contains("GEZDGNBV"), "the secret leaked: {what}");
            }
            other => panic!("{to}: expected Corrupt, got {other:?}"),
        }
    }
    // An expiration that is not RFC 3339.
    let (_, _, creds) = fixtures()
        .into_iter()
        .find(|(_, n, _)| n == "temp")
        .unwrap();
    store
        .put_creds(
            "late",
            &iamkit_keystore::AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "x"),
            Overwrite::Refuse,
        )
        .unwrap();
    let json = creds
        .replace("2026-11-27T23:00:00Z", "tomorrow")
        .replace("\"name\":\"temp\"", "\"name\":\"late\"");
    plant(tmp.path(), "pw", "creds", "late", &json);
    match store.get_creds("late") {
        Err(Error::Corrupt { what, .. }) => assert!(
            what.contains("invalid stored expiration: invalid expiration \"tomorrow\""),
            "{what}"
        ),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // A cached session's expiration too (the CLI then counts it as none and makes a new one).
    let expires = Expiration::parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
    let session = iamkit_keystore::CachedSession::new("ASIAIOSFODNN7EXAMPLE", "x", "t", expires);
    store.put_session("s-late", &session).unwrap();
    assert_eq!(store.get_session("s-late").unwrap(), session);
    let json = stored(tmp.path(), "pw", "session", "s-late");
    assert!(
        json.contains("\"expiration\":\"2030-01-01T00:00:00Z\""),
        "{json}"
    );
    plant(
        tmp.path(),
        "pw",
        "session",
        "s-late",
        &json.replace("2030-01-01T00:00:00Z", "soon"),
    );
    match store.get_session("s-late") {
        Err(Error::Corrupt { what, .. }) => {
            assert!(what.contains("invalid expiration \"soon\""), "{what}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}
