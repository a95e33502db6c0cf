//! File-store specifics: passphrase handling, the kernel-keyring cache, what is on disk,
//! recovery with the `age` tool, redaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{creds, file_opts, mfa, require};
use iamkit_keystore::{
    AwsCredentials, Error, FileStore, MfaDevice, OpenOptions, Overwrite, PassphraseSource,
    PromptReason, RecordKind, Store, is_cached, lock,
};
use zeroize::Zeroizing;

fn pass(p: &str) -> PassphraseSource {
    PassphraseSource::Value(Zeroizing::new(p.to_owned()))
}

#[test]
fn wrong_passphrase_is_reported_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let a = FileStore::open(file_opts(tmp.path(), "right one")).unwrap();
    a.put_creds("p", &creds(1, false), Overwrite::Refuse)
        .unwrap();
    let b = FileStore::open(file_opts(tmp.path(), "wrong one")).unwrap();
    for r in [
        b.get_creds("p").map(|_| ()),
        b.put_creds("q", &creds(2, false), Overwrite::Refuse),
        b.set_last_printed_step("p", 1).map(|_| ()),
    ] {
        match r {
            Err(Error::WrongPassphrase { store }) => {
                assert!(store.contains(&tmp.path().display().to_string()));
            }
            Err(Error::NotFound { .. }) => {} // set_last_printed_step on a creds name
            other => panic!("expected WrongPassphrase, got {other:?}"),
        }
    }
    let e = b.get_creds("p").unwrap_err().to_string();
    assert!(
        e.contains("wrong passphrase") && !e.contains("wrong one"),
        "{e}"
    );
    assert_eq!(
        a.list(RecordKind::Creds).unwrap(),
        ["p"],
        "a failed put wrote something"
    );
    // Listing needs no passphrase.
    assert_eq!(b.list(RecordKind::Creds).unwrap(), ["p"]);
}

#[test]
fn passphrase_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let no_source = || {
        FileStore::open(
            OpenOptions::new()
                .dir(tmp.path())
                .cache_ttl(Duration::ZERO)
                .insecure_fast_kdf_for_tests(10),
        )
        .unwrap()
    };
    // No source: creating fails clearly, nothing is written.
    let e = no_source()
        .put_mfa("x", &mfa(1, 10), Overwrite::Refuse)
        .unwrap_err();
    assert!(matches!(e, Error::NoPassphrase { .. }), "{e:?}");
    assert!(e.to_string().contains("needs a passphrase"), "{e}");
    assert!(!tmp.path().join("identity.age").exists());

    // A prompt is asked with the reason; creation asks `Create`.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let prompt = PassphraseSource::Prompt(Box::new(move |why: PromptReason, dir: &Path| {
        seen2.lock().unwrap().push((why, dir.to_owned()));
        Ok(Zeroizing::new("from the prompt".to_owned()))
    }));
    let s = FileStore::open(file_opts(tmp.path(), "").passphrase(prompt)).unwrap();
    s.put_mfa("x", &mfa(1, 10), Overwrite::Refuse).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [(PromptReason::Create, tmp.path().to_owned())]
    );

    // A passphrase file: its first line.
    let pf = tmp.path().join("pass.txt");
    std::fs::write(&pf, "from the prompt\nignored second line\n").unwrap();
    let s =
        FileStore::open(file_opts(tmp.path(), "").passphrase(PassphraseSource::File(pf))).unwrap();
    assert_eq!(s.get_mfa("x").unwrap(), mfa(1, 10));

    // No source and an existing store: reading fails with NoPassphrase.
    assert!(matches!(
        no_source().get_mfa("x"),
        Err(Error::NoPassphrase { .. })
    ));
    // A prompt that fails (no terminal) is an error, not a panic.
    let failing =
        PassphraseSource::Prompt(Box::new(|_, _| Err(std::io::Error::other("no terminal"))));
    let s = FileStore::open(file_opts(tmp.path(), "").passphrase(failing)).unwrap();
    assert!(matches!(s.get_mfa("x"), Err(Error::Io { .. })));
}

fn kernel_keyring_available() -> Result<(), String> {
    // The cache needs the session keyring that the kernel keyring store also uses.
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    iamkit_keystore::open_kernel_keyring(OpenOptions::new().dir(tmp.path()))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn unlock_is_cached_in_the_kernel_keyring_until_locked() {
    if !require("IAMKIT_REQUIRE_KERNEL_KEYRING", kernel_keyring_available()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let opts = || file_opts(tmp.path(), "pw").cache_ttl(Duration::from_secs(60));
    let no_pass = || {
        FileStore::open(
            OpenOptions::new()
                .dir(tmp.path())
                .cache_ttl(Duration::from_secs(60))
                // the test store's work factor is below the minimum
                .insecure_allow_weak_kdf(),
        )
        .unwrap()
    };
    assert!(!is_cached(&opts()).unwrap());
    let a = FileStore::open(opts()).unwrap();
    a.put_mfa("m", &mfa(3, 20), Overwrite::Refuse).unwrap();
    assert!(is_cached(&opts()).unwrap());
    assert!(a.is_cached());
    // Another store instance (as another process would) reads without any passphrase.
    assert_eq!(no_pass().get_mfa("m").unwrap(), mfa(3, 20));
    no_pass()
        .put_mfa("n", &mfa(4, 20), Overwrite::Refuse)
        .unwrap();
    // `iamkit store lock`.
    assert!(lock(&opts()).unwrap());
    assert!(!is_cached(&opts()).unwrap());
    assert!(!lock(&opts()).unwrap(), "second lock found a key");
    assert!(matches!(
        no_pass().get_mfa("m"),
        Err(Error::NoPassphrase { .. })
    ));
    // A cached key with a wrong passphrase configured still works (the cache is the
    // point); after lock the wrong passphrase fails.
    let wrong = || {
        FileStore::open(file_opts(tmp.path(), "nope").cache_ttl(Duration::from_secs(60))).unwrap()
    };
    assert!(matches!(
        wrong().get_mfa("m"),
        Err(Error::WrongPassphrase { .. })
    ));
    assert_eq!(
        FileStore::open(opts()).unwrap().get_mfa("n").unwrap(),
        mfa(4, 20)
    );
    assert_eq!(wrong().get_mfa("m").unwrap(), mfa(3, 20));
    assert!(lock(&opts()).unwrap());
}

#[test]
fn cached_key_expires_and_is_bound_to_its_store() {
    if !require("IAMKIT_REQUIRE_KERNEL_KEYRING", kernel_keyring_available()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let opts = |p: &str, ttl: u64| file_opts(tmp.path(), p).cache_ttl(Duration::from_secs(ttl));
    // The kernel keeps a key with a 1 s timeout until the clock's second after the one it was
    // set in. So "cached" is only certain when the check ran in the second the write started
    // in: a loaded machine that crosses a second boundary makes that round inconclusive (it
    // tries again), never failed. Expiry is certain 2 s after the write, however slow.
    let unix_second = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let mut conclusive = false;
    for _ in 0..5 {
        std::fs::remove_dir_all(tmp.path()).unwrap();
        std::fs::create_dir(tmp.path()).unwrap();
        let a = FileStore::open(opts("one", 1)).unwrap();
        let before = unix_second();
        a.put_mfa("m", &mfa(1, 20), Overwrite::Refuse).unwrap();
        let cached = is_cached(&opts("one", 1)).unwrap();
        if unix_second() == before {
            assert!(cached, "a 1 s cache was gone within the second it was made");
            conclusive = true;
        }
        std::thread::sleep(Duration::from_millis(2100));
        assert!(
            !is_cached(&opts("one", 1)).unwrap(),
            "cache outlived its TTL"
        );
        if conclusive {
            break;
        }
    }
    if !conclusive {
        // Still checked below: a key cached for 60 s is found.
        eprintln!("note: every round crossed a second boundary; the 1 s cache was not seen");
    }

    // Re-create the store in the same directory while a key for the old one is cached:
    // the stale key must not be used (records written with it would be unreadable).
    let b = FileStore::open(opts("one", 60)).unwrap();
    b.unlock().unwrap();
    assert!(is_cached(&opts("one", 60)).unwrap());
    std::fs::remove_dir_all(tmp.path()).unwrap();
    let c = FileStore::open(opts("two", 0)).unwrap(); // does not touch the cache
    c.put_mfa("fresh", &mfa(2, 20), Overwrite::Refuse).unwrap();
    // The stale key is still in the kernel keyring, but it does not count as a cached unlock
    // of this store.
    assert!(
        !is_cached(&opts("two", 60)).unwrap(),
        "a key cached for the old store counts for the new one"
    );
    let no_pass = FileStore::open(
        OpenOptions::new()
            .dir(tmp.path())
            .cache_ttl(Duration::from_secs(60))
            .insecure_allow_weak_kdf(),
    )
    .unwrap();
    assert!(matches!(
        no_pass.get_mfa("fresh"),
        Err(Error::NoPassphrase { .. })
    ));
    let d = FileStore::open(opts("two", 60)).unwrap();
    d.put_mfa("second", &mfa(3, 20), Overwrite::Refuse).unwrap();
    let e = FileStore::open(opts("two", 0)).unwrap();
    assert_eq!(e.get_mfa("second").unwrap(), mfa(3, 20));
    assert_eq!(e.get_mfa("fresh").unwrap(), mfa(2, 20));
    // d re-cached the right key: a store without passphrase now reads.
    assert_eq!(no_pass.get_mfa("second").unwrap(), mfa(3, 20));
    assert!(lock(&opts("two", 60)).unwrap());
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.push(p.clone());
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn files_on_disk_hold_no_secret_in_clear_and_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let passphrase = "passphrase-never-on-disk";
    let s = FileStore::open(file_opts(&dir, passphrase)).unwrap();
    let dev = MfaDevice::totp("me", b"RAW-MFA-SEED-BYTES-0123456789".to_vec());
    let mut c = AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "SECRET-ACCESS-KEY-never-in-clear");
    c.session_token = Some(Zeroizing::new("SESSION-TOKEN-never-in-clear".to_owned()));
    s.put_mfa("dev", &dev, Overwrite::Refuse).unwrap();
    s.put_creds("prof", &c, Overwrite::Refuse).unwrap();
    s.set_last_printed_step("dev", 42).unwrap();
    let b32 = data_encoding::BASE32_NOPAD.encode(&dev.secret);
    let b64 = data_encoding::BASE64.encode(&dev.secret);
    let needles: [&[u8]; 7] = [
        &dev.secret,
        b32.as_bytes(),
        b64.as_bytes(),
        c.secret_access_key.as_bytes(),
        b"SESSION-TOKEN-never-in-clear",
        passphrase.as_bytes(),
        b"AGE-SECRET-KEY-",
    ];
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    assert!(paths.len() >= 5, "{paths:?}");
    for p in &paths {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let want = if p.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode, want, "{} has mode {mode:o}", p.display());
        }
        if p.is_file() {
            let bytes = std::fs::read(p).unwrap();
            for n in needles {
                assert!(
                    !contains(&bytes, n),
                    "{} contains a secret in clear",
                    p.display()
                );
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
    // And the store still reads back what it wrote.
    assert_eq!(s.get_mfa("dev").unwrap().last_printed_step, Some(42));
}

#[test]
fn a_record_file_renamed_to_another_name_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let s = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    s.put_mfa("alice", &mfa(1, 20), Overwrite::Refuse).unwrap();
    std::fs::copy(
        tmp.path().join("mfa/alice.age"),
        tmp.path().join("mfa/bob.age"),
    )
    .unwrap();
    match s.get_mfa("bob") {
        Err(Error::Corrupt { what, .. }) => assert!(what.contains("alice"), "{what}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    std::fs::write(tmp.path().join("mfa/carol.age"), b"not age at all").unwrap();
    assert!(matches!(s.get_mfa("carol"), Err(Error::Corrupt { .. })));
}

/// Decrypt with the `age` command-line tool, as a user whose iamkit is gone would:
/// `age -d identity.age > id.txt; age -d -i id.txt mfa/NAME.age`.
#[test]
fn records_can_be_recovered_with_the_age_tool() {
    if !iamkit_testkit::tool("age", "Debian package age")
        || !iamkit_testkit::tool("script", "Debian package bsdutils")
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let s = FileStore::open(file_opts(&dir, "recover me")).unwrap();
    let dev = mfa(5, 20);
    s.put_mfa("bank ☃", &dev, Overwrite::Refuse).unwrap();

    // age reads a passphrase only from a terminal: give it one with script(1). Typed-ahead
    // input may be flushed when age switches the terminal to no-echo, so retry with longer
    // delays before typing.
    let id_txt = tmp.path().join("id.txt");
    let cmd = format!(
        "age -d -o '{}' '{}'",
        id_txt.display(),
        dir.join("identity.age").display()
    );
    let mut last = String::new();
    for delay in [300, 1000, 3000] {
        let mut child = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            std::thread::sleep(Duration::from_millis(delay));
            let _ = stdin.write_all(b"recover me\n");
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() && id_txt.exists() {
            last.clear();
            break;
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(last.is_empty(), "age -d identity.age failed: {last}");
    let files: Vec<_> = std::fs::read_dir(dir.join("mfa"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let out = std::process::Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_txt)
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["v"], 1);
    assert_eq!(v["kind"], "mfa");
    assert_eq!(v["name"], "bank ☃");
    assert_eq!(
        v["record"]["secret"].as_str().unwrap(),
        data_encoding::BASE32_NOPAD.encode(&dev.secret)
    );
    assert_eq!(v["record"]["account"], dev.account.as_str());
}

#[test]
fn debug_output_is_redacted() {
    let dev = MfaDevice::totp("acct", b"SEEDSEEDSEEDSEED".to_vec());
    let mut c = AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "the-secret-key");
    c.session_token = Some(Zeroizing::new("the-session-token".to_owned()));
    let d = format!("{dev:?} {c:?} {dev:#?} {c:#?}");
    let b32 = data_encoding::BASE32_NOPAD.encode(b"SEEDSEEDSEEDSEED");
    for secret in [
        "SEEDSEEDSEEDSEED",
        b32.as_str(),
        "the-secret-key",
        "the-session-token",
    ] {
        assert!(!d.contains(secret), "{secret} in {d}");
    }
    assert!(
        d.contains("AKIAIOSFODNN7EXAMPLE") && d.contains("acct"),
        "{d}"
    );
    assert!(d.contains("<redacted>"));

    let opts = OpenOptions::new().passphrase(pass("pass-in-options"));
    assert!(!format!("{opts:?}").contains("pass-in-options"));
    // An unlocked file store does not show its key either.
    let tmp = tempfile::tempdir().unwrap();
    let s = FileStore::open(file_opts(tmp.path(), "pass-in-store")).unwrap();
    s.put_mfa("x", &dev, Overwrite::Refuse).unwrap();
    let d = format!("{s:?}");
    assert!(
        !d.contains("pass-in-store") && !d.contains("AGE-SECRET-KEY"),
        "{d}"
    );
}

#[test]
fn a_missing_identity_is_reported_as_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let s = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    s.put_mfa("m", &mfa(1, 20), Overwrite::Refuse).unwrap();
    std::fs::remove_file(tmp.path().join("identity.age")).unwrap();
    let fresh = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    match fresh.get_mfa("m") {
        Err(Error::Corrupt { what, .. }) => {
            assert!(what.contains("identity.age is missing"), "{what}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // Nor does a write quietly create a new key beside the orphaned records.
    match fresh.put_mfa("n", &mfa(2, 20), Overwrite::Refuse) {
        Err(Error::Corrupt { what, .. }) => {
            assert!(what.contains("identity.age is missing"), "{what}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(!tmp.path().join("identity.age").exists());
}

/// Writes `json` as record `mfa/<file>.age`, encrypted as the store would (the test plays a
/// different iamkit version with the `age` crate).
fn plant_record(dir: &Path, pass: &str, file: &str, json: &str) {
    use age::secrecy::SecretString;
    use std::str::FromStr;
    let sealed = std::fs::read(dir.join("identity.age")).unwrap();
    let scrypt = age::scrypt::Identity::new(SecretString::from(pass.to_owned()));
    let text = String::from_utf8(age::decrypt(&scrypt, &sealed).unwrap()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    let id = age::x25519::Identity::from_str(line).unwrap();
    let rec = age::encrypt(&id.to_public(), json.as_bytes()).unwrap();
    std::fs::write(dir.join("mfa").join(format!("{file}.age")), rec).unwrap();
}

#[test]
fn records_of_another_format_version_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let s = FileStore::open(file_opts(tmp.path(), "pw")).unwrap();
    s.put_mfa("now", &mfa(1, 20), Overwrite::Refuse).unwrap();
    let future = r#"{"v":2,"kind":"mfa","name":"future","record":{"whatever":true}}"#;
    plant_record(tmp.path(), "pw", "future", future);
    match s.get_mfa("future") {
        Err(Error::Corrupt { what, .. }) => {
            assert!(
                what.contains("version 2") && what.contains("version 1"),
                "{what}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // A version-1 record from elsewhere with unknown extra fields still reads (forward
    // compatible within a version), and missing optional fields take their defaults.
    let v1 = r#"{"v":1,"kind":"mfa","name":"old","record":{"otp_type":"hotp","account":"a",
        "algorithm":"SHA1","digits":6,"period":30,"t0":0,"counter":5,"secret":"GEZDGNBV",
        "added_by_a_later_minor":"x"}}"#;
    plant_record(tmp.path(), "pw", "old", v1);
    let d = s.get_mfa("old").unwrap();
    assert_eq!(
        (d.counter, &d.secret[..], d.issuer),
        (Some(5), &b"12345"[..], None)
    );
    // Malformed JSON is reported without echoing the content.
    plant_record(
        tmp.path(),
        "pw",
        "bad",
        r#"{"v":1,"kind":"mfa","name":"bad","record":{"secret":"SECRETSECRET"}}"#,
    );
    let e = s.get_mfa("bad").unwrap_err().to_string();
    assert!(
        e.contains("malformed") && !e.contains("SECRETSECRET"),
        "{e}"
    );
}

#[test]
fn change_passphrase_reencrypts_only_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let old = FileStore::open(file_opts(tmp.path(), "old passphrase")).unwrap();
    let dev = mfa(9, 20);
    old.put_mfa("dev", &dev, Overwrite::Refuse).unwrap();
    let record = tmp.path().join("mfa").join("dev.age");
    let record_before = std::fs::read(&record).unwrap();

    // A wrong current passphrase changes nothing.
    let wrong = FileStore::open(file_opts(tmp.path(), "not it")).unwrap();
    assert!(matches!(
        wrong.change_passphrase(&pass("new passphrase")),
        Err(Error::WrongPassphrase { .. })
    ));
    assert!(matches!(
        old.change_passphrase(&pass("")),
        Err(Error::NoPassphrase { .. })
    ));
    old.change_passphrase(&pass("new passphrase")).unwrap();

    assert_eq!(
        std::fs::read(&record).unwrap(),
        record_before,
        "records untouched"
    );
    let new = FileStore::open(file_opts(tmp.path(), "new passphrase")).unwrap();
    assert_eq!(new.get_mfa("dev").unwrap(), dev);
    let stale = FileStore::open(file_opts(tmp.path(), "old passphrase")).unwrap();
    assert!(matches!(
        stale.get_mfa("dev"),
        Err(Error::WrongPassphrase { .. })
    ));
    // A store never created has nothing to re-encrypt.
    let empty = tempfile::tempdir().unwrap();
    let none = FileStore::open(file_opts(empty.path(), "x")).unwrap();
    assert!(matches!(
        none.change_passphrase(&pass("y")),
        Err(Error::Unavailable { .. })
    ));
    assert!(!none.exists());
}

#[test]
fn change_passphrase_asks_the_current_one_first_then_the_new_one_to_create() {
    use std::sync::{Arc, Mutex};
    let tmp = tempfile::tempdir().unwrap();
    FileStore::open(file_opts(tmp.path(), "first"))
        .unwrap()
        .put_mfa("dev", &mfa(3, 20), Overwrite::Refuse)
        .unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let store = FileStore::open(file_opts(tmp.path(), "unused").passphrase(
        PassphraseSource::Prompt(Box::new(move |reason, _| {
            log.lock().unwrap().push(("current", reason));
            Ok(Zeroizing::new("first".to_owned()))
        })),
    ))
    .unwrap();
    let log = Arc::clone(&asked);
    let new = PassphraseSource::Prompt(Box::new(move |reason, _| {
        log.lock().unwrap().push(("new", reason));
        Ok(Zeroizing::new("second".to_owned()))
    }));
    store.change_passphrase(&new).unwrap();
    assert_eq!(
        *asked.lock().unwrap(),
        [
            ("current", PromptReason::Unlock),
            ("new", PromptReason::Create)
        ]
    );
    let reopened = FileStore::open(file_opts(tmp.path(), "second")).unwrap();
    assert_eq!(reopened.get_mfa("dev").unwrap(), mfa(3, 20));
}

/// Regression guard for `store passwd` on an unlocked store: the current passphrase is checked
/// even when the key is cached in the kernel keyring and the handle already unlocked, so whoever
/// can use the cached key cannot also take over the store by setting a passphrase of their own.
#[test]
fn change_passphrase_checks_the_current_one_even_when_unlocked_and_cached() {
    use std::sync::{Arc, Mutex};
    if !require("IAMKIT_REQUIRE_KERNEL_KEYRING", kernel_keyring_available()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ttl = Duration::from_secs(60);
    let cached = |p: &str| FileStore::open(file_opts(tmp.path(), p).cache_ttl(ttl)).unwrap();
    let owner = cached("right");
    owner.put_mfa("m", &mfa(5, 20), Overwrite::Refuse).unwrap();
    assert!(owner.is_cached());
    let id_path = tmp.path().join("identity.age");
    let sealed = std::fs::read(&id_path).unwrap();

    // A handle with a wrong passphrase, unlocked from the cache (it reads without asking).
    let wrong = cached("wrong");
    assert_eq!(wrong.get_mfa("m").unwrap(), mfa(5, 20));
    assert!(matches!(
        wrong.change_passphrase(&pass("taken over")),
        Err(Error::WrongPassphrase { .. })
    ));
    // A handle with no passphrase at all, unlocked from the cache.
    let none = FileStore::open(OpenOptions::new().dir(tmp.path()).cache_ttl(ttl)).unwrap();
    assert_eq!(none.get_mfa("m").unwrap(), mfa(5, 20));
    assert!(matches!(
        none.change_passphrase(&pass("taken over")),
        Err(Error::NoPassphrase { .. })
    ));
    // The owner's own handle, unlocked long ago, is asked too: a prompt that answers wrong fails.
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let prompting = FileStore::open(file_opts(tmp.path(), "unused").cache_ttl(ttl).passphrase(
        PassphraseSource::Prompt(Box::new(move |reason, _| {
            log.lock().unwrap().push(reason);
            Ok(Zeroizing::new("a guess".to_owned()))
        })),
    ))
    .unwrap();
    prompting.unlock().unwrap();
    assert!(asked.lock().unwrap().is_empty(), "unlocked from the cache");
    assert!(matches!(
        prompting.change_passphrase(&pass("taken over")),
        Err(Error::WrongPassphrase { .. })
    ));
    assert_eq!(*asked.lock().unwrap(), [PromptReason::Unlock]);
    // Nothing changed: the same identity.age, still cached, the old passphrase still opens it.
    assert_eq!(std::fs::read(&id_path).unwrap(), sealed);
    assert!(owner.is_cached());
    assert!(lock(&file_opts(tmp.path(), "right")).unwrap());
    assert_eq!(
        FileStore::open(file_opts(tmp.path(), "right"))
            .unwrap()
            .get_mfa("m")
            .unwrap(),
        mfa(5, 20)
    );
    assert!(matches!(
        FileStore::open(file_opts(tmp.path(), "taken over"))
            .unwrap()
            .get_mfa("m"),
        Err(Error::WrongPassphrase { .. })
    ));

    // With the right current passphrase, an unlocked and cached handle changes it; the cache
    // follows the new identity.age.
    let owner = cached("right");
    owner.unlock().unwrap();
    assert!(owner.is_cached());
    owner.change_passphrase(&pass("new one")).unwrap();
    assert_ne!(std::fs::read(&id_path).unwrap(), sealed);
    assert_eq!(none.get_mfa("m").unwrap(), mfa(5, 20));
    assert!(lock(&file_opts(tmp.path(), "right")).unwrap());
    assert_eq!(
        FileStore::open(file_opts(tmp.path(), "new one"))
            .unwrap()
            .get_mfa("m")
            .unwrap(),
        mfa(5, 20)
    );
    assert!(matches!(
        FileStore::open(file_opts(tmp.path(), "right"))
            .unwrap()
            .get_mfa("m"),
        Err(Error::WrongPassphrase { .. })
    ));
}

/// The scrypt work factor (log2 N) in an age file's header: its one stanza must be
/// `-> scrypt SALT LOGN` (age's format spec), with a 16-byte salt.
fn scrypt_log_n(age_file: &[u8]) -> u8 {
    let text = String::from_utf8_lossy(age_file);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("age-encryption.org/v1"),
        "not an age file"
    );
    let stanzas: Vec<&str> = lines
        .take_while(|l| !l.starts_with("---"))
        .filter(|l| l.starts_with("-> "))
        .collect();
    assert_eq!(
        stanzas.len(),
        1,
        "an scrypt file has one stanza: {stanzas:?}"
    );
    let args: Vec<&str> = stanzas[0].split(' ').collect();
    assert_eq!(args[..2], ["->", "scrypt"], "{}", stanzas[0]);
    assert_eq!(args.len(), 4, "{}", stanzas[0]);
    let salt = data_encoding::BASE64_NOPAD
        .decode(args[2].as_bytes())
        .unwrap();
    assert_eq!(salt.len(), 16, "{}", stanzas[0]);
    args[3].parse().unwrap()
}

/// What age picks for a passphrase on this machine at this moment (it times scrypt to aim at
/// about a second): the work factor of a file it encrypts with its default settings.
fn age_default_log_n() -> u8 {
    let recipient = age::scrypt::Recipient::new(age::secrecy::SecretString::from("x".to_owned()));
    scrypt_log_n(&age::encrypt(&recipient, b"x").unwrap())
}

/// Every other test uses the fast test factor; a store created as a user creates it (no
/// `insecure_fast_kdf_for_tests`) must get age's default, measured on this machine (about a
/// second of scrypt; the workspace optimises the KDF crates in test builds, so this is what a
/// release build picks too).
#[test]
fn a_store_created_as_a_user_would_has_a_strong_kdf() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(
        OpenOptions::new()
            .dir(tmp.path())
            .passphrase(pass("a user's passphrase"))
            .cache_ttl(Duration::ZERO),
    )
    .unwrap();
    store.put_mfa("m", &mfa(1, 20), Overwrite::Refuse).unwrap();
    let log_n = scrypt_log_n(&std::fs::read(tmp.path().join("identity.age")).unwrap());
    let age_default = age_default_log_n();
    eprintln!("identity.age: scrypt work factor 2^{log_n} (age's default here: 2^{age_default})");
    // age's timing wobbles by a step or two under load.
    assert!(
        log_n + 3 >= age_default && log_n <= age_default + 3,
        "identity.age has 2^{log_n}, age's default here is 2^{age_default}"
    );
    // And a floor whatever the machine (age aims at a second; 2^18 or more on a current one,
    // 2^17 here on a loaded 2-core machine).
    assert!(log_n >= 15, "work factor 2^{log_n} is weak");
    // The test stores' factor is what the fast option says (so the floor tells them apart).
    let fast = tempfile::tempdir().unwrap();
    FileStore::open(file_opts(fast.path(), "p"))
        .unwrap()
        .unlock()
        .unwrap();
    assert_eq!(
        scrypt_log_n(&std::fs::read(fast.path().join("identity.age")).unwrap()),
        10
    );
}
