//! Selection parsing, options from the environment, error messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use iamkit_keystore::{
    Error, MfaDevice, MockStore, OpenOptions, Overwrite, RecordKind, Selection, Store,
    validate_name,
};

#[test]
fn selection_parses_the_three_names_only() {
    for (s, sel) in [
        ("auto", Selection::Auto),
        ("keychain", Selection::Keychain),
        ("file", Selection::File),
    ] {
        assert_eq!(s.parse::<Selection>().unwrap(), sel);
        assert_eq!(sel.to_string(), s);
    }
    for bad in ["", "Auto", "files", "kernel", " file"] {
        let e = bad.parse::<Selection>().unwrap_err();
        assert!(e.to_string().contains("auto, keychain, file"), "{e}");
    }
    assert_eq!(Selection::default(), Selection::Auto);
}

#[test]
fn names_are_validated() {
    for ok in ["a", "github", "café ☕", "a/b", &"x".repeat(64), "%00"] {
        validate_name(ok).unwrap();
    }
    for bad in [
        "",
        " a",
        "a ",
        "a\u{7}b",
        "a\u{85}b",
        &"x".repeat(65),
        &"é".repeat(33),
    ] {
        match validate_name(bad) {
            Err(Error::InvalidName { name, reason }) => {
                assert_eq!(name, bad);
                assert!(!reason.is_empty());
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

#[test]
fn error_messages_name_the_store_and_what_to_do() {
    let store = MockStore::new();
    let e = store.get_mfa("x").unwrap_err().to_string();
    assert_eq!(e, "no MFA device named \"x\" in the mock store");
    store
        .put_creds("p", &common::creds(1, false), Overwrite::Refuse)
        .unwrap();
    let e = store
        .put_creds("p", &common::creds(1, false), Overwrite::Refuse)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("credentials profile named \"p\" already exists in the mock store"),
        "{e}"
    );
    assert!(e.contains("--force"), "{e}");
    let e = MockStore::locked().list(RecordKind::Mfa).unwrap_err();
    assert!(matches!(e, Error::Locked { .. }));
    assert!(
        e.to_string().starts_with("the mock store is locked: "),
        "{e}"
    );
    let e = Error::NoPassphrase {
        store: "file store at /x".into(),
    }
    .to_string();
    assert!(
        e.contains("IAMKIT_PASSPHRASE_FILE") && e.contains("/x"),
        "{e}"
    );
    // Io errors keep their source.
    let e = Error::Io {
        action: "read",
        path: PathBuf::from("/nope"),
        source: std::io::Error::other("boom"),
    };
    assert!(std::error::Error::source(&e).is_some());
    assert_eq!(e.to_string(), "cannot read /nope: boom");
}

#[test]
fn mock_step_claims_only_rise() {
    let s = MockStore::new();
    s.put_mfa("m", &MfaDevice::totp("a", vec![1; 10]), Overwrite::Refuse)
        .unwrap();
    assert_eq!(s.set_last_printed_step("m", 10).unwrap(), None);
    assert_eq!(s.set_last_printed_step("m", 10).unwrap(), Some(10));
    assert_eq!(s.set_last_printed_step("m", 3).unwrap(), Some(10));
    assert_eq!(s.get_mfa("m").unwrap().last_printed_step, Some(10));
}

#[test]
fn take_hotp_counter_advances_hotp_and_refuses_totp() {
    let s = MockStore::new();
    let mut h = MfaDevice::totp("a", vec![1; 10]);
    h.otp_type = iamkit_keystore::OtpType::Hotp;
    s.put_mfa("h", &h, Overwrite::Refuse).unwrap();
    assert_eq!(
        s.take_hotp_counter("h").unwrap(),
        0,
        "unset counter starts at 0"
    );
    assert_eq!(s.take_hotp_counter("h").unwrap(), 1);
    assert_eq!(s.get_mfa("h").unwrap().counter, Some(2));
    s.put_mfa("t", &MfaDevice::totp("a", vec![1; 10]), Overwrite::Refuse)
        .unwrap();
    let e = s.take_hotp_counter("t").unwrap_err();
    assert!(matches!(e, Error::WrongDeviceKind { .. }), "{e:?}");
    assert!(e.to_string().contains("\"t\" is not an HOTP"), "{e}");
    assert_eq!(s.get_mfa("t").unwrap().counter, None, "left unchanged");
    assert!(matches!(
        s.take_hotp_counter("missing"),
        Err(Error::NotFound { .. })
    ));
}

const CHILD: &str = "IAMKIT_KEYSTORE_API_CHILD";

/// Runs `from_env_child` in a child process with `env` (the environment is per process).
fn with_env(mode: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "from_env_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for var in [
        "IAMKIT_STORE_DIR",
        "XDG_DATA_HOME",
        "IAMKIT_PASSPHRASE_FILE",
        "IAMKIT_PASSPHRASE",
        "IAMKIT_CACHE_TTL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env(CHILD, mode).envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The child side of `options_come_from_the_environment`, run by it (`--ignored --exact
/// from_env_child` with `IAMKIT_KEYSTORE_API_CHILD` set). Ignored, so a normal run does not count
/// it as a test that passed; run on its own (`--ignored`) it does nothing.
#[test]
#[ignore = "the child process of options_come_from_the_environment, run by it"]
fn from_env_child() {
    let Ok(mode) = std::env::var(CHILD) else {
        eprintln!("note: from_env_child only runs as a child of options_come_from_the_environment");
        return;
    };
    let result = match OpenOptions::from_env() {
        Err(e) => format!("error {e}"),
        Ok(o) => {
            let dir = o.resolved_dir().unwrap();
            let ttl = o.cache_ttl_value();
            let mut line = format!("dir={} ttl={}", dir.display(), ttl.as_secs());
            if mode == "store" {
                let opts = o.insecure_fast_kdf_for_tests(10).cache_ttl(Duration::ZERO);
                let s = iamkit_keystore::FileStore::open(opts).unwrap();
                s.put_mfa("m", &MfaDevice::totp("a", vec![1; 10]), Overwrite::Refuse)
                    .unwrap();
                line.push_str(" stored");
            }
            line
        }
    };
    println!("RESULT {result}");
}

#[test]
fn options_come_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().display().to_string();
    assert_eq!(
        with_env("", &[("IAMKIT_STORE_DIR", "/s"), ("XDG_DATA_HOME", "/x")]),
        "dir=/s ttl=900"
    );
    assert_eq!(
        with_env("", &[("XDG_DATA_HOME", "/x"), ("IAMKIT_CACHE_TTL", "2m")]),
        "dir=/x/iamkit ttl=120"
    );
    assert_eq!(
        with_env("", &[("HOME", "/h"), ("IAMKIT_CACHE_TTL", "0")]),
        "dir=/h/.local/share/iamkit ttl=0"
    );
    assert_eq!(
        with_env("", &[("HOME", "/h"), ("IAMKIT_CACHE_TTL", "1h")]),
        "dir=/h/.local/share/iamkit ttl=3600"
    );
    let e = with_env("", &[("HOME", "/h"), ("IAMKIT_CACHE_TTL", "soon")]);
    assert!(e.starts_with("error invalid IAMKIT_CACHE_TTL"), "{e}");

    // The passphrase file wins over IAMKIT_PASSPHRASE: a store created through the
    // environment opens with the file's first line.
    let pf = tmp.path().join("pass");
    std::fs::write(&pf, "from-file\n").unwrap();
    let store_dir = format!("{t}/store");
    let out = with_env(
        "store",
        &[
            ("IAMKIT_STORE_DIR", &store_dir),
            ("IAMKIT_PASSPHRASE_FILE", pf.to_str().unwrap()),
            ("IAMKIT_PASSPHRASE", "from-env"),
        ],
    );
    assert!(out.ends_with("stored"), "{out}");
    let s = iamkit_keystore::FileStore::open(common::file_opts(
        std::path::Path::new(&store_dir),
        "from-file",
    ))
    .unwrap();
    assert_eq!(s.get_mfa("m").unwrap().account, "a");
    let s = iamkit_keystore::FileStore::open(common::file_opts(
        std::path::Path::new(&store_dir),
        "from-env",
    ))
    .unwrap();
    assert!(matches!(s.get_mfa("m"), Err(Error::WrongPassphrase { .. })));
}

mod roundtrip {
    use iamkit_keystore::{AwsCredentials, MfaDevice, MockStore, OtpType, Overwrite, Store};
    use proptest::prelude::*;
    use zeroize::Zeroizing;

    fn otp_type() -> impl Strategy<Value = OtpType> {
        prop_oneof![
            Just(OtpType::Totp),
            Just(OtpType::Hotp),
            Just(OtpType::Steam)
        ]
    }

    proptest! {
        /// Every record survives the versioned serialization unchanged, whatever its strings.
        #[test]
        fn records_round_trip(
            otp in otp_type(),
            issuer in proptest::option::of("\\PC{0,30}"),
            account in "\\PC{0,40}",
            algorithm in "\\PC{0,8}",
            digits in any::<u32>(),
            period in any::<u64>(),
            t0 in any::<u64>(),
            counter in proptest::option::of(any::<u64>()),
            secret in proptest::collection::vec(any::<u8>(), 0..100),
            step in proptest::option::of(any::<u64>()),
            key_id in "\\PC{0,30}",
            key in "\\PC{0,60}",
            token in proptest::option::of("\\PC{0,200}"),
            region in proptest::option::of("[a-z0-9-]{0,20}"),
        ) {
            let dev = MfaDevice {
                otp_type: otp, issuer, account, algorithm, digits, period, t0, counter,
                secret: Zeroizing::new(secret), last_printed_step: step,
            };
            let creds = AwsCredentials {
                access_key_id: key_id,
                secret_access_key: Zeroizing::new(key),
                session_token: token.map(Zeroizing::new),
                expiration: None,
                mfa_serial: None,
                mfa_device: Some("d".into()),
                region,
                session_duration: None,
            };
            let s = MockStore::new();
            s.put_mfa("n", &dev, Overwrite::Refuse).unwrap();
            s.put_creds("n", &creds, Overwrite::Refuse).unwrap();
            prop_assert_eq!(s.get_mfa("n").unwrap(), dev);
            prop_assert_eq!(s.get_creds("n").unwrap(), creds);
        }
    }
}
