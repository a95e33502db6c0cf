#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every row of `<workspace>/../shared/vectors/otp/*.tsv`, driven from the data files.

use iamkit_otp::{Algorithm, Hotp, Secret, Totp, insecure};
use iamkit_testkit::Table;

/// Rows of `otp/<file>`, whose header must be `header`.
fn rows(file: &str, header: &[&str]) -> Vec<Vec<String>> {
    Table::read(&iamkit_testkit::vectors(&format!("otp/{file}")))
        .expect_header(header)
        .rows
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

#[test]
fn rfc4226_appendix_d() {
    let hotp = Hotp::builder(Secret::from_bytes(SEED_SHA1).unwrap())
        .build()
        .unwrap();
    let rows = rows(
        "rfc4226.tsv",
        &["counter", "hmac_sha1_hex", "truncated_decimal", "hotp"],
    );
    assert_eq!(rows.len(), 10);
    for r in &rows {
        let counter: u64 = r[0].parse().unwrap();
        assert_eq!(hex(&hotp.hmac(counter)), r[1], "HMAC at counter {counter}");
        assert_eq!(
            hotp.truncated_value(counter).to_string(),
            r[2],
            "Snum at {counter}"
        );
        assert_eq!(hotp.generate(counter).as_str(), r[3], "HOTP at {counter}");
        assert_eq!(hotp.verify(&r[3], counter, 0), Ok(counter));
    }
}

#[test]
fn rfc6238_appendix_b_all_algorithms() {
    let rows = rows(
        "rfc6238.tsv",
        &["unix_time", "counter_hex", "sha1", "sha256", "sha512"],
    );
    assert_eq!(rows.len(), 6);
    let algs = [
        (Algorithm::Sha1, SEED_SHA1, 2),
        (Algorithm::Sha256, SEED_SHA256, 3),
        (Algorithm::Sha512, SEED_SHA512, 4),
    ];
    for (alg, seed, col) in algs {
        let totp = Totp::builder(Secret::from_bytes(seed).unwrap())
            .algorithm(alg)
            .digits(8)
            .build()
            .unwrap();
        for r in &rows {
            let t: u64 = r[0].parse().unwrap();
            let counter = u64::from_str_radix(&r[1], 16).unwrap();
            assert_eq!(totp.step_at(t), counter, "step at {t}");
            assert_eq!(totp.generate(t).as_str(), r[col], "{alg:?} at {t}");
            assert_eq!(totp.generate_at_step(counter).as_str(), r[col]);
            let m = totp.verify(&r[col], t, iamkit_otp::Window::none()).unwrap();
            assert_eq!((m.step, m.offset), (counter, 0));
        }
    }
}

#[test]
fn rfc6238_seeds_in_base32_match_the_comment() {
    // The header comment gives each seed's base32; parsing it must give the same bytes.
    let text = std::fs::read_to_string(iamkit_testkit::vectors("otp/rfc6238.tsv")).unwrap();
    let mut seen = 0;
    for line in text.lines().filter(|l| l.starts_with("#   SHA")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let ascii = fields[2].trim_matches('"');
        let b32 = fields[4];
        let s = Secret::from_base32(b32).unwrap();
        assert_eq!(s.expose_secret(), ascii.as_bytes());
        assert_eq!(&*s.to_base32(), b32);
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn steam_guard() {
    let totp = Totp::builder(Secret::from_bytes(SEED_SHA1).unwrap())
        .steam()
        .build()
        .unwrap();
    assert!(totp.is_steam());
    assert_eq!(totp.digits(), 5);
    for r in rows("steam.tsv", &["unix_time", "code"]) {
        let t: u64 = r[0].parse().unwrap();
        assert_eq!(totp.generate(t).as_str(), r[1], "Steam at {t}");
        assert_eq!(
            totp.verify(&r[1], t, iamkit_otp::Window::none())
                .map(|m| m.offset),
            Ok(0)
        );
        // Steam codes verify without regard to case; a decimal-digit code never matches.
        let lower = r[1].to_lowercase();
        let m = totp.verify(&lower, t, iamkit_otp::Window::none()).unwrap();
        assert_eq!(m.offset, 0);
        assert!(totp.verify("12345", t, iamkit_otp::Window::none()).is_err());
    }
}

#[test]
fn extra_values() {
    let rows = rows("extra.tsv", &["case", "expected"]);
    let mut checked = 0;
    for r in &rows {
        let (case, expected) = (r[0].as_str(), r[1].as_str());
        let sha1 = || Totp::builder(Secret::from_bytes(SEED_SHA1).unwrap());
        let code = match case {
            "totp_sha1_6_digits_t59" => sha1().digits(6).build().unwrap().generate(59),
            "totp_sha1_7_digits_t59" => sha1().digits(7).build().unwrap().generate(59),
            "totp_sha1_10_digits_t59" => sha1().digits(10).build().unwrap().generate(59),
            "totp_sha256_with_20_byte_seed_t59" => sha1()
                .algorithm(Algorithm::Sha256)
                .digits(8)
                .build()
                .unwrap()
                .generate(59),
            "totp_sha512_with_20_byte_seed_t59" => sha1()
                .algorithm(Algorithm::Sha512)
                .digits(8)
                .build()
                .unwrap()
                .generate(59),
            "totp_JBSWY3DPEHPK3PX_t59" => {
                // 15 characters = 72 bits: short, so only through the insecure path.
                let a = insecure::secret_from_base32("JBSWY3DPEHPK3PX").unwrap();
                let b = insecure::secret_from_base32("JBSWY3DPEHPK3PX=").unwrap();
                assert_eq!(a, b);
                assert!(Secret::from_base32("JBSWY3DPEHPK3PX").is_err());
                Totp::builder(a).build().unwrap().generate(59)
            }
            "totp_sha1_period60_t120" => sha1().period(60).build().unwrap().generate(120),
            other => panic!("extra.tsv: unknown case {other:?}; teach this test about it"),
        };
        assert_eq!(code.as_str(), expected, "{case}");
        checked += 1;
    }
    assert_eq!(checked, rows.len());
}
