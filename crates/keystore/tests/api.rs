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
    assert_eq!(
        e,
        "the file store at /x needs a passphrase and none was given (or it was empty)"
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
    h.params = iamkit_otp::Params::of(iamkit_otp::Kind::Hotp);
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

/// The library speaks of what is wrong, never of a program's variables or flags: the CLI adds
/// those (`IAMKIT_PASSPHRASE_FILE`, `--force`, …) in its own messages.
#[test]
fn errors_name_no_variable_or_flag_of_the_cli() {
    let store = || "file store at /x".to_owned();
    let errors = [
        Error::AlreadyExists {
            store: store(),
            kind: RecordKind::Mfa,
            name: "n".into(),
        },
        Error::WrongPassphrase { store: store() },
        Error::NoPassphrase { store: store() },
        Error::WeakKdf {
            store: store(),
            log_n: 10,
        },
        Error::Locked {
            store: "Secret Service".into(),
            hint: "unlock it".into(),
        },
        "files".parse::<Selection>().unwrap_err(),
    ];
    for e in errors {
        let text = e.to_string();
        assert!(!text.contains("IAMKIT_"), "{text}");
        assert!(!text.contains("--"), "{text}");
        assert!(!text.contains("iamkit "), "{text}");
    }
}

const CHILD: &str = "IAMKIT_KEYSTORE_API_CHILD";

/// Runs `env_child` in a child process with `env` (the environment is per process).
fn with_env(env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "env_child",
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
    cmd.env(CHILD, "1").envs(env.iter().copied());
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

/// The child side of `only_the_platform_directory_comes_from_the_environment`, run by it
/// (`--ignored --exact env_child` with `IAMKIT_KEYSTORE_API_CHILD` set). Ignored, so a normal
/// run does not count it as a test that passed; run on its own (`--ignored`) it does nothing.
#[test]
#[ignore = "the child process of only_the_platform_directory_comes_from_the_environment"]
fn env_child() {
    if std::env::var_os(CHILD).is_none() {
        eprintln!(
            "note: env_child only runs as a child of only_the_platform_directory_comes_from_the_environment"
        );
        return;
    }
    let o = OpenOptions::new();
    let mut line = match o.resolved_dir() {
        Ok(dir) => format!(
            "dir={} ttl={}",
            dir.display(),
            o.cache_ttl_value().as_secs()
        ),
        Err(e) => format!("error {e}"),
    };
    // With a directory given, no passphrase comes from anywhere but the caller.
    let tmp = tempfile::tempdir().unwrap();
    let opts = OpenOptions::new()
        .dir(tmp.path())
        .insecure_fast_kdf_for_tests(10)
        .cache_ttl(Duration::ZERO);
    let s = iamkit_keystore::FileStore::open(opts).unwrap();
    match s.put_mfa("m", &MfaDevice::totp("a", vec![1; 10]), Overwrite::Refuse) {
        Err(Error::NoPassphrase { .. }) => line.push_str(" no-passphrase"),
        other => line.push_str(&format!(" {other:?}")),
    }
    println!("RESULT {line}");
}

/// Caught (#12): the library read the CLI's `IAMKIT_STORE_DIR`, `IAMKIT_PASSPHRASE_FILE`,
/// `IAMKIT_PASSPHRASE` and `IAMKIT_CACHE_TTL` itself. It reads only the platform's directory
/// variables now; everything else is the caller's to pass.
#[test]
fn only_the_platform_directory_comes_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let pf = tmp.path().join("pass");
    std::fs::write(&pf, "from-file\n").unwrap();
    let cli_vars = [
        ("IAMKIT_STORE_DIR", "/s"),
        ("IAMKIT_PASSPHRASE_FILE", pf.to_str().unwrap()),
        ("IAMKIT_PASSPHRASE", "from-env"),
        ("IAMKIT_CACHE_TTL", "2m"),
    ];
    let with = |platform: &[(&'static str, &'static str)]| {
        let all: Vec<(&str, &str)> = platform.iter().copied().chain(cli_vars).collect();
        with_env(&all)
    };
    assert_eq!(
        with(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]),
        "dir=/x/iamkit ttl=900 no-passphrase"
    );
    assert_eq!(
        with(&[("HOME", "/h")]),
        "dir=/h/.local/share/iamkit ttl=900 no-passphrase"
    );
    let e = with_env(&[("HOME", ""), ("IAMKIT_STORE_DIR", "/s")]);
    assert!(
        e.starts_with("error invalid store directory: expected a directory given"),
        "{e}"
    );
}

mod roundtrip {
    use iamkit_keystore::{AwsCredentials, MfaDevice, MockStore, Overwrite, Store};
    use iamkit_otp::{Algorithm, Kind, Params};
    use proptest::prelude::*;
    use zeroize::Zeroizing;

    /// Any parameter set `iamkit-otp` accepts.
    fn params() -> impl Strategy<Value = Params> {
        (
            prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam)],
            prop_oneof![
                Just(Algorithm::Sha1),
                Just(Algorithm::Sha256),
                Just(Algorithm::Sha512)
            ],
            iamkit_otp::MIN_DIGITS..=iamkit_otp::MAX_DIGITS,
            1..=iamkit_otp::MAX_PERIOD,
            0..=iamkit_otp::MAX_T0,
        )
            .prop_map(|(kind, algorithm, digits, period, t0)| {
                Params::builder(kind)
                    .algorithm(algorithm)
                    .digits(digits)
                    .period(period)
                    .t0(t0)
                    .build()
                    .unwrap()
            })
    }

    proptest! {
        /// Every record survives the versioned serialization unchanged, whatever its strings.
        #[test]
        fn records_round_trip(
            params in params(),
            issuer in proptest::option::of("\\PC{0,30}"),
            account in "\\PC{0,40}",
            counter in proptest::option::of(any::<u64>()),
            secret in proptest::collection::vec(any::<u8>(), 0..100),
            step in proptest::option::of(any::<u64>()),
            key_id in "\\PC{0,30}",
            key in "\\PC{0,60}",
            token in proptest::option::of("\\PC{0,200}"),
            region in proptest::option::of("[a-z0-9-]{0,20}"),
        ) {
            let dev = MfaDevice {
                params, issuer, account, counter,
                secret: Zeroizing::new(secret), last_printed_step: step,
                serial: step.map(|s| format!("arn:aws:iam::123456789012:mfa/d{s}")),
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
                rotation: None,
            };
            let s = MockStore::new();
            s.put_mfa("n", &dev, Overwrite::Refuse).unwrap();
            s.put_creds("n", &creds, Overwrite::Refuse).unwrap();
            prop_assert_eq!(s.get_mfa("n").unwrap(), dev);
            prop_assert_eq!(s.get_creds("n").unwrap(), creds);
        }
    }
}
