//! Google Authenticator migration payloads: a real-world export, hand-built protobuf bytes,
//! batching, warnings and errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_otp::{Algorithm, Secret, insecure};
use iamkit_otpauth::{Error, Kind, OtpAuthUri, Warning, migration};

/// The export example published with dim13/otpauth (and reused by many decoders): one TOTP
/// account, secret "Hello!\xde\xad\xbe\xef" (JBSWY3DPEHPK3PXP), name "Example:alice@google.com".
const DIM13_EXAMPLE: &str = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";

fn hello_secret() -> Secret {
    insecure::secret_from_bytes(b"Hello!\xde\xad\xbe\xef").unwrap()
}

fn alice() -> OtpAuthUri {
    OtpAuthUri::totp(hello_secret(), "alice@google.com")
        .issuer("Example")
        .build()
        .unwrap()
}

#[test]
fn imports_the_published_google_authenticator_example() {
    let batch = migration::import(DIM13_EXAMPLE).unwrap();
    assert_eq!(batch.accounts().len(), 1);
    let a = &batch.accounts()[0];
    assert_eq!(a.kind(), Kind::Totp);
    // Google Authenticator stores the whole label as the name; it is split like a label.
    assert_eq!(a.issuer(), Some("Example"));
    assert_eq!(a.account(), "alice@google.com");
    assert_eq!(&*a.secret().to_base32(), "JBSWY3DPEHPK3PXP");
    assert_eq!(a.algorithm(), Algorithm::Sha1);
    assert_eq!(a.digits(), 6);
    assert_eq!(a.period(), Some(30));
    assert_eq!(a.warnings(), &[Warning::ShortSecret { bits: 80 }]);
    // dim13/otpauth's documented output for this export at 2009-11-10 23:00:00 UTC: 528064.
    assert_eq!(
        a.to_totp().unwrap().generate(1_257_894_000).as_str(),
        "528064"
    );
    assert_eq!(a, &alice());
}

#[test]
fn export_writes_exactly_the_hand_built_protobuf() {
    // OtpParameters: 0a 0a <secret> | 12 10 "alice@google.com" | 1a 07 "Example" |
    // 20 01 (SHA1) | 28 01 (SIX) | 30 02 (TOTP); then version 1, batch_size 1, batch_id 42
    // (batch_index 0 and counter 0 are proto3 defaults, not written).
    let mut want = vec![0x0a, 0x2d, 0x0a, 0x0a];
    want.extend_from_slice(b"Hello!\xde\xad\xbe\xef");
    want.extend_from_slice(&[0x12, 0x10]);
    want.extend_from_slice(b"alice@google.com");
    want.extend_from_slice(&[0x1a, 0x07]);
    want.extend_from_slice(b"Example");
    want.extend_from_slice(&[
        0x20, 0x01, 0x28, 0x01, 0x30, 0x02, 0x10, 0x01, 0x18, 0x01, 0x28, 0x2a,
    ]);
    let (bytes, warnings) = migration::encode_payload(&[alice()], 1, 0, 42).unwrap();
    assert_eq!(&*bytes, &want[..]);
    assert!(warnings.is_empty());

    let export = migration::export_with_batch_id(&[alice()], 42).unwrap();
    assert_eq!(
        export.uris().iter().map(|u| u.as_str()).collect::<Vec<_>>(),
        [
            "otpauth-migration://offline?data=Ci0KCkhlbGxvId6tvu8SEGFsaWNlQGdvb2dsZS5jb20aB0V4YW1wbGUgASgBMAIQARgBKCo%3D"
        ]
    );
}

#[test]
fn decodes_hand_built_hotp_sha256_eight_digit_account() {
    // 0a 14 <20-byte secret> | 12 03 "bob" | 20 02 (SHA256) | 28 02 (EIGHT) | 30 01 (HOTP) |
    // 38 ac 02 (counter 300); payload: version 1, batch_size 2, batch_index 1, batch_id 7.
    let mut params = vec![0x0a, 0x14];
    params.extend_from_slice(b"12345678901234567890");
    params.extend_from_slice(&[
        0x12, 0x03, b'b', b'o', b'b', 0x20, 0x02, 0x28, 0x02, 0x30, 0x01, 0x38, 0xac, 0x02,
    ]);
    let mut payload = vec![0x0a, params.len() as u8];
    payload.extend_from_slice(&params);
    payload.extend_from_slice(&[0x10, 0x01, 0x18, 0x02, 0x20, 0x01, 0x28, 0x07]);
    let batch = migration::decode_payload(&payload).unwrap();
    assert_eq!(
        (
            batch.version(),
            batch.batch_size(),
            batch.batch_index(),
            batch.batch_id()
        ),
        (1, 2, 1, 7)
    );
    let b = &batch.accounts()[0];
    assert_eq!(b.kind(), Kind::Hotp);
    assert_eq!(b.issuer(), None);
    assert_eq!(b.account(), "bob");
    assert_eq!(b.secret().expose_secret(), b"12345678901234567890");
    assert_eq!(b.algorithm(), Algorithm::Sha256);
    assert_eq!(b.digits(), 8);
    assert_eq!(b.counter(), Some(300));
    assert_eq!(b.period(), None);
    // And our encoder writes the same account bytes back.
    let (bytes, _) = migration::encode_payload(batch.accounts(), 2, 1, 7).unwrap();
    assert_eq!(&*bytes, &payload[..]);
}

#[test]
fn export_splits_into_batches_of_ten_like_google_authenticator() {
    let accounts: Vec<OtpAuthUri> = (0..25)
        .map(|i| {
            let s = Secret::from_bytes(&[i as u8; 20]).unwrap();
            OtpAuthUri::totp(s, format!("user{i}"))
                .issuer("Example")
                .build()
                .unwrap()
        })
        .collect();
    let export = migration::export_with_batch_id(&accounts, 123_456).unwrap();
    assert_eq!(export.uris().len(), 3);
    let mut all = Vec::new();
    for (i, uri) in export.uris().iter().enumerate() {
        let batch = migration::import(uri).unwrap();
        assert_eq!(batch.accounts().len(), [10, 10, 5][i]);
        assert_eq!(batch.batch_size(), 3);
        assert_eq!(batch.batch_index(), i as i32);
        assert_eq!(batch.batch_id(), 123_456);
        assert_eq!(batch.version(), migration::PAYLOAD_VERSION);
        all.extend(batch.into_accounts());
    }
    assert_eq!(all, accounts);
    // Every batch stays a comfortably scannable QR code.
    #[cfg(feature = "qr")]
    for uri in export.uris() {
        let qr = iamkit_otpauth::QrCode::new(uri).unwrap();
        assert!(
            qr.width() <= 101,
            "version too high: {} modules",
            qr.width()
        );
    }
}

#[test]
fn random_batch_ids_are_non_negative_and_shared_by_all_batches() {
    let accounts: Vec<OtpAuthUri> = (0..11).map(|_| alice()).collect();
    let export = migration::export(&accounts).unwrap();
    let ids: Vec<i32> = export
        .uris()
        .iter()
        .map(|u| migration::import(u).unwrap().batch_id())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    assert!(ids[0] >= 0);
}

#[test]
fn exporting_what_the_format_cannot_hold_warns() {
    let s = || Secret::from_bytes(&[7; 20]).unwrap();
    let accounts = [
        OtpAuthUri::totp(s(), "p60").period(60).build().unwrap(),
        OtpAuthUri::totp(s(), "d7").digits(7).build().unwrap(),
        OtpAuthUri::steam(s(), "gaben").build().unwrap(),
    ];
    let export = migration::export_with_batch_id(&accounts, 1).unwrap();
    assert_eq!(
        export.warnings(),
        &[
            Warning::PeriodNotExportable {
                account: "p60".into(),
                period: 60
            },
            Warning::DigitsNotExportable {
                account: "d7".into(),
                digits: 7
            },
            Warning::SteamNotExportable {
                account: "gaben".into()
            },
        ]
    );
    assert_eq!(
        export.warnings()[0].to_string(),
        "account \"p60\": the migration format has no period, so its 60-second period is lost (importers use 30 seconds)"
    );
    let back = migration::import(&export.uris()[0]).unwrap();
    let got: Vec<(Kind, u32, Option<u64>)> = back
        .accounts()
        .iter()
        .map(|a| (a.kind(), a.digits(), a.period()))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Totp, 6, Some(30)),
            (Kind::Totp, 6, Some(30)),
            (Kind::Totp, 6, Some(30))
        ]
    );
    assert!(back.accounts().iter().all(|a| a.secret() == &s()));
}

#[test]
fn import_is_lenient_about_encoding() {
    let data = "CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
    let want = migration::import(DIM13_EXAMPLE).unwrap();
    for uri in [
        format!("OTPAUTH-MIGRATION://OFFLINE?DATA={data}"),
        format!("otpauth-migration://offline/?foo=bar&data={data}"),
        format!("  otpauth-migration://offline?data={data}\n"),
    ] {
        assert_eq!(migration::import(&uri).unwrap(), want, "{uri}");
    }
    // Unpadded, '+' turned into a space by a form decoder, or the URL-safe alphabet.
    let fb = OtpAuthUri::totp(Secret::from_bytes(&[0xfb; 30]).unwrap(), "x")
        .build()
        .unwrap();
    let ours = migration::export_with_batch_id(std::slice::from_ref(&fb), 42).unwrap();
    let raw = percent_decode(&ours.uris()[0]);
    let (head, data) = raw.split_once("data=").unwrap();
    assert!(
        data.contains('+') && data.contains('/') && data.ends_with('='),
        "{data}"
    );
    for variant in [
        data.to_owned(),
        data.trim_end_matches('=').to_owned(),
        data.replace('+', " "),
        data.replace('+', "-").replace('/', "_"),
    ] {
        let uri = format!("{head}data={variant}");
        assert_eq!(
            migration::import(&uri).unwrap().accounts(),
            std::slice::from_ref(&fb),
            "{uri}"
        );
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[test]
fn import_errors_are_clear() {
    assert!(matches!(
        migration::import("otpauth://totp/a?secret=GEZDGNBV").unwrap_err(),
        Error::InvalidScheme { .. }
    ));
    assert!(matches!(
        migration::import("otpauth-migration://online?data=CgA").unwrap_err(),
        Error::InvalidScheme { .. }
    ));
    let e = migration::import("otpauth-migration://offline?foo=1").unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidMigrationData {
                reason: "no data parameter"
            }
        ),
        "{e}"
    );
    let e = migration::import("otpauth-migration://offline?data=!!!").unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidMigrationData {
                reason: "not base64"
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "invalid otpauth-migration data parameter: not base64 (expected base64)"
    );
    // Field 1 declared 50 bytes long, 2 present.
    let e = migration::decode_payload(&[0x0a, 0x32, 0x0a, 0x00]).unwrap_err();
    assert!(matches!(e, Error::InvalidMigrationPayload(_)), "{e}");
    let e = migration::import("otpauth-migration://offline?data=CgA&data=CgA").unwrap_err();
    assert!(
        matches!(e, Error::DuplicateParameter { name: "data" }),
        "{e}"
    );
}

/// One OtpParameters with the given extra fields after a 10-byte secret.
fn one_account(extra: &[u8]) -> Vec<u8> {
    let mut params = vec![0x0a, 0x0a];
    params.extend_from_slice(b"Hello!\xde\xad\xbe\xef");
    params.extend_from_slice(extra);
    let mut payload = vec![0x0a, params.len() as u8];
    payload.extend_from_slice(&params);
    payload
}

#[test]
fn accounts_the_library_cannot_use_are_refused_by_position() {
    for (extra, reason_part) in [
        (&[0x20, 0x04][..], "MD5"),
        (&[0x20, 0x09][..], "algorithm is unknown"),
        (&[0x28, 0x03][..], "digit count"),
        (&[0x30, 0x05][..], "type is unknown"),
        // HOTP with counter -1 (ten-byte varint).
        (
            &[
                0x30, 0x01, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ][..],
            "negative",
        ),
    ] {
        let e = migration::decode_payload(&one_account(extra)).unwrap_err();
        match &e {
            Error::InvalidMigrationAccount { index: 0, reason } => {
                assert!(reason.contains(reason_part), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            e.to_string()
                .starts_with("cannot import account #1 of the migration payload: ")
        );
    }
    // Empty secret.
    let e = migration::decode_payload(&[0x0a, 0x02, 0x30, 0x02]).unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidMigrationAccount {
            index: 0,
            reason: "its secret is empty"
        }
    ));
}

/// One protobuf `OtpParameters` (TOTP, six digits) with a 10-byte secret.
fn account(name: &str, issuer: &str, algorithm: u8) -> Vec<u8> {
    let mut p = vec![0x0a, 0x0a];
    p.extend_from_slice(b"Hello!\xde\xad\xbe\xef");
    for (tag, field) in [(0x12, name), (0x1a, issuer)] {
        p.extend_from_slice(&[tag, field.len() as u8]);
        p.extend_from_slice(field.as_bytes());
    }
    p.extend_from_slice(&[0x20, algorithm, 0x28, 0x01, 0x30, 0x02]);
    let mut out = vec![0x0a, p.len() as u8];
    out.extend_from_slice(&p);
    out
}

/// Regression test: one MD5 account (Google Authenticator can hold them) made the whole import
/// fail; `import_skipping` imports the rest and says which account was left out and why.
#[test]
fn import_skipping_leaves_out_only_the_accounts_it_cannot_use() {
    let mut payload = account("first", "", 1);
    payload.extend(account("Legacy:old", "Legacy", 4));
    payload.extend(account("third", "Corp", 9));
    payload.extend(account("last", "Corp", 2));
    let uri = format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(&payload)
    );
    let e = migration::import(&uri).unwrap_err();
    assert!(
        matches!(e, Error::InvalidMigrationAccount { index: 1, .. }),
        "{e}"
    );
    let batch = migration::import_skipping(&uri).unwrap();
    let names: Vec<&str> = batch.accounts().iter().map(|a| a.account()).collect();
    assert_eq!(names, ["first", "last"]);
    let skipped: Vec<(usize, &str, &str)> = batch
        .skipped()
        .iter()
        .map(|s| (s.index(), s.label(), s.reason()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                1,
                "Legacy:old",
                "its algorithm is MD5, which is not supported"
            ),
            (
                2,
                "Corp:third",
                "its algorithm is unknown (expected 1 SHA1, 2 SHA256 or 3 SHA512)"
            ),
        ]
    );
    // Nothing skipped: the same as `import`.
    let good = format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(&account("only", "", 1))
    );
    assert_eq!(
        migration::import_skipping(&good).unwrap(),
        migration::import(&good).unwrap()
    );
}

#[test]
fn export_errors() {
    assert!(matches!(
        migration::export(&[]),
        Err(Error::NothingToExport)
    ));
    let big = OtpAuthUri::hotp(hello_secret(), "a", u64::MAX)
        .build()
        .unwrap();
    let e = migration::export_with_batch_id(&[alice(), big], 1).unwrap_err();
    assert!(matches!(e, Error::NotExportable { index: 1, .. }), "{e}");
}

#[test]
fn export_debug_output_shows_no_uri() {
    let export = migration::export_with_batch_id(&[alice()], 42).unwrap();
    let dbg = format!("{export:?}");
    assert!(!dbg.contains("otpauth-migration"), "{dbg}");
    assert!(!dbg.contains("Ci0K"), "{dbg}");
}
