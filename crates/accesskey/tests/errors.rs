//! Malformed input gets a precise error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_accesskey::{AccessKeyId, AccountId, Error, Generation, Prefix, SecretAccessKey};

#[test]
fn wrong_length() {
    for (input, got) in [
        ("", 0),
        ("AKIA", 4),
        ("AKIAIOSFODNN7EXAMPL", 19),
        ("AKIAIOSFODNN7EXAMPLEE", 21),
        ("AKIAIOSFODNN7EXAMPLÉÉ", 21),
    ] {
        match AccessKeyId::parse(input) {
            Err(Error::KeyIdLength { got: g, expected }) => {
                assert_eq!((g, expected), (got, 20), "{input:?}");
            }
            other => panic!("{input:?}: expected a length error, got {other:?}"),
        }
    }
    let msg = AccessKeyId::parse("AKIAIOSFODNN7EXAMPL")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("20 characters") && msg.contains("got 19"),
        "{msg}"
    );
}

#[test]
fn bad_char_position() {
    for (input, ch, position) in [
        ("AKIAiOSFODNN7EXAMPLE", 'i', 5),
        ("AKIAIOSFODNN7EXAMPL1", '1', 20),
        ("AKIAIOSFODNN0EXAMPLE", '0', 13),
        ("AKIAIOSFODNN8EXAMPLE", '8', 13),
        ("AKIAIOSFODNN9EXAMPLE", '9', 13),
        ("AKIAIOSFO=NN7EXAMPLE", '=', 10),
        ("AKIAIOSFOÉNN7EXAMPLE", 'É', 10),
        ("AKIA IOSFODNN7EXAMPL", ' ', 5),
    ] {
        match AccessKeyId::parse(input) {
            Err(Error::KeyIdChar { ch: c, position: p }) => {
                assert_eq!((c, p), (ch, position), "{input:?}");
            }
            other => panic!("{input:?}: expected a character error, got {other:?}"),
        }
    }
    let msg = AccessKeyId::parse("AKIAIOSFODNN7EXAMPL1")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("'1'") && msg.contains("position 20") && msg.contains("[A-Z2-7]"),
        "{msg}"
    );
}

#[test]
fn unknown_prefix() {
    for (input, found) in [
        ("AKIBIOSFODNN7EXAMPLE", "AKIB"),
        ("akiaIOSFODNN7EXAMPLE", "akia"),
        ("ÉKIAIOSFODNN7EXAMPLE", "ÉKIA"),
        ("XXXXIOSFODNN7EXAMPLE", "XXXX"),
    ] {
        match AccessKeyId::parse(input) {
            Err(Error::UnknownPrefix { found: f }) => assert_eq!(f, found, "{input:?}"),
            other => panic!("{input:?}: expected an unknown-prefix error, got {other:?}"),
        }
    }
    let msg = AccessKeyId::parse("AKIBIOSFODNN7EXAMPLE")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("\"AKIB\"") && msg.contains("AKIA") && msg.contains("ASIA"),
        "{msg}"
    );
    assert!(matches!(
        "AKI".parse::<Prefix>(),
        Err(Error::UnknownPrefix { .. })
    ));
}

#[test]
fn old_generation_documentation_key_has_no_account() {
    let id: AccessKeyId = "AKIAIOSFODNN7EXAMPLE".parse().unwrap();
    assert_eq!(id.prefix(), Prefix::Akia);
    assert_eq!(id.generation(), Generation::Old);
    assert_eq!(id.account_id(), None);
    assert_eq!(id.raw_account_bits(), None);
    assert_eq!(
        serde_json::to_string(&id.inspect()).unwrap(),
        r#"{"access_key_id":"AKIAIOSFODNN7EXAMPLE","prefix":"AKIA","kind":"Access key (long-term)","account_id":null,"generation":"old"}"#
    );
}

#[test]
fn new_generation_bits_beyond_twelve_digits_are_no_account() {
    // Flag 1 and all 40 account bits set: 2^40 - 1 = 1099511627775, 13 digits.
    let mut payload = [0xFFu8; 10];
    payload[5] |= 0x7F;
    let id = AccessKeyId::from_payload(Prefix::Akia, payload);
    assert_eq!(id.generation(), Generation::New);
    assert_eq!(id.raw_account_bits(), Some((1 << 40) - 1));
    assert_eq!(id.account_id(), None);
}

#[test]
fn account_id_errors() {
    for (input, got) in [("", 0), ("12345678901", 11), ("1234567890123", 13)] {
        match input.parse::<AccountId>() {
            Err(Error::AccountIdLength { got: g }) => assert_eq!(g, got, "{input:?}"),
            other => panic!("{input:?}: expected a length error, got {other:?}"),
        }
    }
    for (input, ch, position) in [
        ("12345678901a", 'a', 12),
        ("+12345678901", '+', 1),
        ("-12345678901", '-', 1),
        ("123 56789012", ' ', 4),
        ("١٢٣٤٥٦٧٨٩٠١٢", '١', 1),
    ] {
        match input.parse::<AccountId>() {
            Err(Error::AccountIdChar { ch: c, position: p }) => {
                assert_eq!((c, p), (ch, position), "{input:?}");
            }
            other => panic!("{input:?}: expected a digit error, got {other:?}"),
        }
    }
    let msg = "12345".parse::<AccountId>().unwrap_err().to_string();
    assert!(msg.contains("12 digits") && msg.contains("got 5"), "{msg}");
    let a: AccountId = "000000000001".parse().unwrap();
    assert_eq!((a.as_u64(), a.to_string()), (1, "000000000001".to_owned()));
    assert_eq!(
        AccountId::from_u64(999_999_999_999).map(|a| a.as_u64()),
        Some(999_999_999_999)
    );
    assert_eq!(AccountId::from_u64(1_000_000_000_000), None);
}

#[test]
fn secret_errors_never_show_the_secret() {
    let short = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE";
    match SecretAccessKey::parse(short) {
        Err(
            e @ Error::SecretLength {
                got: 39,
                expected: 40,
            },
        ) => {
            assert!(!e.to_string().contains("wJalr"), "{e}");
        }
        other => panic!("expected a length error, got {other:?}"),
    }
    let bad = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEK=Y";
    match SecretAccessKey::parse(bad) {
        Err(e @ Error::SecretChar { position: 39 }) => {
            let msg = e.to_string();
            assert!(!msg.contains("wJalr") && !msg.contains('='), "{msg}");
            assert!(!format!("{e:?}").contains("wJalr"));
        }
        other => panic!("expected a character error, got {other:?}"),
    }
    let ok = SecretAccessKey::parse("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap();
    assert_eq!(
        ok.expose_secret(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
}

#[test]
fn errors_have_display_and_no_source_for_input_errors() {
    use std::error::Error as _;
    let e = AccessKeyId::parse("x").unwrap_err();
    assert!(e.source().is_none());
    assert!(!e.to_string().is_empty());
}
