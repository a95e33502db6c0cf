//! The conformance suite every store runs, and helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, unused_imports)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use iamkit_keystore::{
    AwsCredentials, Error, MfaDevice, OpenOptions, Overwrite, PassphraseSource, RecordKind, Store,
};
use iamkit_otp::{Algorithm, Kind, Params};
use zeroize::Zeroizing;

pub use iamkit_testkit::require;

/// Deterministic pseudo-random bytes, so failures reproduce.
pub fn bytes(seed: u64, n: usize) -> Vec<u8> {
    iamkit_testkit::Rng::from_seed(seed).bytes(n)
}

pub fn mfa(seed: u64, secret_len: usize) -> MfaDevice {
    MfaDevice {
        params: Params::builder([Kind::Totp, Kind::Hotp, Kind::Steam][(seed % 3) as usize])
            .algorithm([Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][(seed % 3) as usize])
            .digits(6 + (seed % 3) as u32)
            .period(30 + seed % 31)
            .t0(seed % 5)
            .build()
            .unwrap(),
        issuer: Some(format!("Issuer {seed} — ünïcödé")),
        account: format!("user{seed}@example.com"),
        counter: seed.is_multiple_of(2).then_some(seed * 1000),
        secret: Zeroizing::new(bytes(seed, secret_len)),
        last_printed_step: None,
        serial: None,
    }
}

pub fn creds(seed: u64, with_token: bool) -> AwsCredentials {
    AwsCredentials {
        access_key_id: format!("AKIAEXAMPLE{seed:09}"),
        secret_access_key: Zeroizing::new(format!("wJalrXUtnFEMI/K7MDENG/bPxRfiCY{seed:010}")),
        session_token: with_token.then(|| Zeroizing::new(format!("FwoGZXIvYXdzE-token-{seed}"))),
        expiration: with_token
            .then(|| iamkit_keystore::Expiration::parse_rfc3339("2026-11-27T23:00:00Z").unwrap()),
        mfa_serial: Some("arn:aws:iam::123456789012:mfa/alice".to_owned()),
        mfa_device: Some("aws-root".to_owned()),
        region: Some("eu-west-1".to_owned()),
        session_duration: Some(3600),
        rotation: None,
    }
}

/// Options for a file store in `dir` with a weak KDF (tests only) and no kernel cache.
pub fn file_opts(dir: &std::path::Path, pass: &str) -> OpenOptions {
    OpenOptions::new()
        .dir(dir)
        .passphrase(PassphraseSource::Value(Zeroizing::new(pass.to_owned())))
        .cache_ttl(Duration::ZERO)
        .insecure_fast_kdf_for_tests(10)
}

fn expect_not_found<T: std::fmt::Debug>(r: Result<T, Error>, kind: RecordKind, name: &str) {
    match r {
        Err(Error::NotFound {
            kind: k, name: n, ..
        }) => {
            assert_eq!((k, n.as_str()), (kind, name));
        }
        other => panic!("expected NotFound for {kind} {name:?}, got {other:?}"),
    }
}

/// Names exercising the encodings: unicode, path and shell characters, case, dots, percent.
pub const ODD_NAMES: &[&str] = &[
    "café ☕",
    "日本語のアカウント",
    "a/b\\c:*?\"<>|",
    "UPPER",
    "upper",
    ".hidden",
    "%41",
    "..",
    "name with spaces",
    "emoji 🔐🗝",
];

/// The conformance suite. `large` is the size of the large secret to round-trip.
/// The store must hold no records of its own.
pub fn conformance(store: &dyn Store, large: usize) {
    let info = store.describe();
    eprintln!("conformance: {info}");

    // Empty.
    for kind in RecordKind::ALL {
        assert_eq!(
            store.list(kind).unwrap(),
            Vec::<String>::new(),
            "{kind} list not empty"
        );
    }
    // Missing entries.
    expect_not_found(store.get_mfa("nope"), RecordKind::Mfa, "nope");
    expect_not_found(store.get_creds("nope"), RecordKind::Creds, "nope");
    expect_not_found(
        store.remove(RecordKind::Mfa, "nope"),
        RecordKind::Mfa,
        "nope",
    );
    expect_not_found(
        store.remove(RecordKind::Creds, "nope"),
        RecordKind::Creds,
        "nope",
    );
    expect_not_found(
        store.set_last_printed_step("nope", 1),
        RecordKind::Mfa,
        "nope",
    );

    // Store and read back.
    let dev = mfa(1, 20);
    store.put_mfa("github", &dev, Overwrite::Refuse).unwrap();
    assert_eq!(store.get_mfa("github").unwrap(), dev);
    let c = creds(1, true);
    store.put_creds("prod", &c, Overwrite::Refuse).unwrap();
    assert_eq!(store.get_creds("prod").unwrap(), c);
    // Kinds are separate namespaces.
    expect_not_found(store.get_creds("github"), RecordKind::Creds, "github");
    let c2 = creds(2, false);
    store.put_creds("github", &c2, Overwrite::Refuse).unwrap();
    assert_eq!(store.get_creds("github").unwrap(), c2);
    assert_eq!(store.get_mfa("github").unwrap(), dev);

    // Overwrite refused, record untouched.
    let dev2 = mfa(2, 32);
    match store.put_mfa("github", &dev2, Overwrite::Refuse) {
        Err(Error::AlreadyExists { kind, name, .. }) => {
            assert_eq!((kind, name.as_str()), (RecordKind::Mfa, "github"));
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(store.get_mfa("github").unwrap(), dev);
    assert!(matches!(
        store.put_creds("prod", &c2, Overwrite::Refuse),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(store.get_creds("prod").unwrap(), c);
    // Overwrite allowed.
    store.put_mfa("github", &dev2, Overwrite::Allow).unwrap();
    assert_eq!(store.get_mfa("github").unwrap(), dev2);
    store.put_creds("prod", &c2, Overwrite::Allow).unwrap();
    assert_eq!(store.get_creds("prod").unwrap(), c2);

    // last_printed_step: read-modify-write, only ever raised.
    assert_eq!(store.set_last_printed_step("github", 5).unwrap(), None);
    assert_eq!(store.set_last_printed_step("github", 4).unwrap(), Some(5));
    assert_eq!(store.get_mfa("github").unwrap().last_printed_step, Some(5));
    assert_eq!(store.set_last_printed_step("github", 7).unwrap(), Some(5));
    let after = store.get_mfa("github").unwrap();
    assert_eq!(after.last_printed_step, Some(7));
    assert_eq!(
        after.secret, dev2.secret,
        "step update must keep the secret"
    );

    // HOTP counter: taken under the lock, the stored one advanced, the rest kept.
    let mut hotp = mfa(50, 20);
    hotp.params = Params::builder(Kind::Hotp)
        .algorithm(hotp.params.algorithm())
        .build()
        .unwrap();
    hotp.counter = Some(41);
    store.put_mfa("hotp", &hotp, Overwrite::Refuse).unwrap();
    assert_eq!(store.take_hotp_counter("hotp").unwrap(), 41);
    assert_eq!(store.take_hotp_counter("hotp").unwrap(), 42);
    let after = store.get_mfa("hotp").unwrap();
    assert_eq!(after.counter, Some(43));
    assert_eq!(
        after.secret, hotp.secret,
        "counter update must keep the secret"
    );
    assert!(matches!(
        store.take_hotp_counter("github"),
        Err(Error::WrongDeviceKind { .. })
    ));
    store.remove(RecordKind::Mfa, "hotp").unwrap();

    // Odd names.
    for (i, name) in ODD_NAMES.iter().enumerate() {
        let d = mfa(100 + i as u64, 10 + i);
        store.put_mfa(name, &d, Overwrite::Refuse).unwrap();
        assert_eq!(store.get_mfa(name).unwrap(), d, "name {name:?}");
    }
    let mut want: Vec<String> = ODD_NAMES.iter().map(|s| s.to_string()).collect();
    want.push("github".to_owned());
    want.sort();
    assert_eq!(store.list(RecordKind::Mfa).unwrap(), want);
    assert_eq!(store.list(RecordKind::Creds).unwrap(), ["github", "prod"]);
    // "UPPER" and "upper" are distinct records.
    assert_ne!(
        store.get_mfa("UPPER").unwrap(),
        store.get_mfa("upper").unwrap()
    );

    // A large value.
    let big = mfa(7, large);
    store.put_mfa("large", &big, Overwrite::Refuse).unwrap();
    assert_eq!(store.get_mfa("large").unwrap(), big);
    let mut big_creds = creds(7, true);
    big_creds.session_token = Some(Zeroizing::new("T".repeat(large)));
    store
        .put_creds("large", &big_creds, Overwrite::Refuse)
        .unwrap();
    assert_eq!(store.get_creds("large").unwrap(), big_creds);

    // Invalid names are refused up front.
    let too_long = "x".repeat(iamkit_keystore::MAX_NAME_LEN + 1);
    for bad in ["", "a\nb", "tab\there", " lead", too_long.as_str()] {
        assert!(
            matches!(
                store.put_mfa(bad, &dev, Overwrite::Allow),
                Err(Error::InvalidName { .. })
            ),
            "{bad:?} accepted"
        );
        assert!(matches!(store.get_mfa(bad), Err(Error::InvalidName { .. })));
    }
    // The longest valid name works.
    let longest = "é".repeat(iamkit_keystore::MAX_NAME_LEN / 2);
    store.put_creds(&longest, &c, Overwrite::Refuse).unwrap();
    assert_eq!(store.get_creds(&longest).unwrap(), c);
    store.remove(RecordKind::Creds, &longest).unwrap();

    // Errors never carry secrets.
    for e in [
        store
            .put_mfa("github", &dev, Overwrite::Refuse)
            .unwrap_err(),
        store.get_mfa("missing").unwrap_err(),
    ] {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(&c.secret_access_key[..]), "{text}");
        assert!(
            !text.contains(&data_encoding::BASE32_NOPAD.encode(&dev.secret)),
            "{text}"
        );
    }

    // Remove everything; each is gone afterwards.
    store.remove(RecordKind::Mfa, "github").unwrap();
    expect_not_found(store.get_mfa("github"), RecordKind::Mfa, "github");
    assert_eq!(
        store.get_creds("github").unwrap(),
        c2,
        "removing the MFA device removed creds"
    );
    for kind in RecordKind::ALL {
        for name in store.list(kind).unwrap() {
            store.remove(kind, &name).unwrap();
            expect_not_found(store.remove(kind, &name), kind, &name);
        }
        assert_eq!(store.list(kind).unwrap(), Vec::<String>::new());
    }
}
