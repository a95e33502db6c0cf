//! Differential test against pyotp, in ONE Python process (scripts/otpauth-differential.py):
//! pyotp parses every URI we build to the same fields, and we parse every URI pyotp builds
//! (`provisioning_uri`) to the same fields. A few hundred seeded-random cases, Unicode labels
//! and URI-special characters included.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use iamkit_otp::{Algorithm, Secret};
use iamkit_otpauth::{Kind, OtpAuthUri, Warning};
use iamkit_testkit::Rng;
use serde_json::{Value, json};

const CASES: usize = 300;

/// Sends every request as one JSON line; returns one JSON value per request.
fn run_peer(py: &Path, requests: &[Value]) -> Vec<Value> {
    let input: String = requests.iter().map(|r| r.to_string() + "\n").collect();
    let out = iamkit_testkit::run_script(py, "otpauth-differential.py", input.into_bytes());
    let replies: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(replies.len(), requests.len(), "one reply per request");
    replies
}

const POOL: &[&str] = &[
    "a", "b", "z", "A", "Q", "0", "7", " ", "-", ".", "_", "~", "@", "+", "/", "%", "&", "=", "?",
    "#", ";", ",", "'", "\"", "é", "ü", "ß", "日", "本", "Ж", "😀", "\u{200d}", "(", ")", "!", "*",
];

fn label_text(rng: &mut Rng) -> String {
    let len = 1 + rng.below(16);
    let mut s = String::new();
    while s.chars().count() < len {
        let piece = POOL[rng.below(POOL.len())];
        s.push_str(piece);
    }
    // Readers trim leading spaces: the builder refuses them, so start with a letter.
    format!("x{s}")
}

struct Case {
    otp_type: Kind,
    secret: Secret,
    account: String,
    issuer: Option<String>,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    counter: u64,
}

fn random_case(rng: &mut Rng, allow_steam: bool) -> Case {
    let len = *rng.pick(&[16usize, 20, 32, 64, 17, 21]);
    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    let otp_type = match rng.below(20) {
        0 if allow_steam => Kind::Steam,
        1..=6 => Kind::Hotp,
        _ => Kind::Totp,
    };
    Case {
        otp_type,
        secret: Secret::from_bytes(&bytes).unwrap(),
        account: label_text(rng),
        issuer: (rng.below(4) != 0).then(|| label_text(rng)),
        algorithm: *rng.pick(&[
            Algorithm::Sha1,
            Algorithm::Sha1,
            Algorithm::Sha256,
            Algorithm::Sha512,
        ]),
        // pyotp parses 6, 7 or 8 digits only.
        digits: *rng.pick(&[6u32, 6, 7, 8]),
        // pyotp accepts periods up to 120 seconds.
        period: *rng.pick(&[30u64, 30, 60, 15, 45, 1, 120]),
        counter: match rng.below(3) {
            0 => 0,
            1 => rng.next_u64() % 1000,
            _ => rng.next_u64() >> 11, // up to 2^53
        },
    }
}

fn digest_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sha1 => "sha1",
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

#[test]
fn pyotp_parses_what_we_build_and_we_parse_what_pyotp_builds() {
    let Some(py) = iamkit_testkit::python_with(&["pyotp"]) else {
        return;
    };
    let mut rng = Rng::fixed("pyotp differential", 0x0A7A_u64 << 32 | 2026);

    // Part 1: we build, pyotp parses.
    let mut built = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..CASES {
        let c = random_case(&mut rng, true);
        let b = match c.otp_type {
            Kind::Totp => OtpAuthUri::totp(c.secret.clone(), &c.account)
                .algorithm(c.algorithm)
                .digits(c.digits)
                .period(c.period),
            Kind::Hotp => OtpAuthUri::hotp(c.secret.clone(), &c.account, c.counter)
                .algorithm(c.algorithm)
                .digits(c.digits),
            Kind::Steam => OtpAuthUri::steam(c.secret.clone(), &c.account),
        };
        let b = match &c.issuer {
            Some(i) => b.issuer(i),
            None => b,
        };
        let uri = b.build().unwrap();
        requests.push(json!({"op": "parse", "uri": &*uri.to_uri()}));
        built.push(uri);
    }
    let parse_requests = requests;

    // Part 2's requests: pyotp builds.
    let mut cases = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..CASES {
        let c = random_case(&mut rng, false);
        let hotp = c.otp_type == Kind::Hotp;
        requests.push(json!({
            "op": "build",
            "type": c.otp_type.as_str(),
            "secret": &*c.secret.to_base32(),
            "name": c.account,
            "issuer": c.issuer,
            "digits": c.digits,
            "algorithm": digest_name(c.algorithm),
            "period": (!hotp).then_some(c.period),
            "counter": hotp.then_some(c.counter),
        }));
        cases.push(c);
    }
    // One Python process answers everything.
    let all: Vec<Value> = parse_requests.iter().chain(&requests).cloned().collect();
    let mut replies = run_peer(&py, &all);
    let build_replies = replies.split_off(parse_requests.len());

    // Part 1: pyotp parsed what we built to the same fields.
    for (uri, r) in built.iter().zip(&replies) {
        let text = uri.to_uri();
        assert_eq!(r["ok"], true, "pyotp refused {}: {}", &*text, r["error"]);
        assert_eq!(r["type"], uri.kind().as_str(), "{}", &*text);
        assert_eq!(
            r["secret"].as_str(),
            Some(&**uri.secret().to_base32()),
            "{}",
            &*text
        );
        assert_eq!(r["name"], uri.account(), "{}", &*text);
        assert_eq!(r["issuer"], json!(uri.issuer()), "{}", &*text);
        assert_eq!(r["digest"], digest_name(uri.algorithm()), "{}", &*text);
        if uri.kind() != Kind::Steam {
            // (pyotp's Steam class reports an internal digit count.)
            assert_eq!(r["digits"], uri.digits(), "{}", &*text);
        }
        assert_eq!(r["interval"], json!(uri.period()), "{}", &*text);
        assert_eq!(r["initial_count"], json!(uri.counter()), "{}", &*text);
    }

    // Part 2: we parse what pyotp built to the same fields.
    for (c, r) in cases.iter().zip(&build_replies) {
        assert_eq!(r["ok"], true, "pyotp could not build: {}", r["error"]);
        let text = r["uri"].as_str().unwrap();
        let uri = OtpAuthUri::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(uri.kind(), c.otp_type, "{text}");
        assert_eq!(uri.secret(), &c.secret, "{text}");
        assert_eq!(uri.account(), c.account, "{text}");
        assert_eq!(uri.issuer(), c.issuer.as_deref(), "{text}");
        assert_eq!(uri.algorithm(), c.algorithm, "{text}");
        assert_eq!(uri.digits(), c.digits, "{text}");
        if c.otp_type == Kind::Hotp {
            assert_eq!(uri.counter(), Some(c.counter), "{text}");
            assert_eq!(uri.period(), None, "{text}");
        } else {
            assert_eq!(uri.period(), Some(c.period), "{text}");
            assert_eq!(uri.counter(), None, "{text}");
        }
        assert!(
            !uri.warnings()
                .iter()
                .any(|w| matches!(w, Warning::IssuerMismatch { .. })),
            "{text}"
        );
    }
}
