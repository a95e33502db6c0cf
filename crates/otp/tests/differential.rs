#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Differential tests: random (secret, algorithm, digits, period, T0, time or counter) cases
//! against `oathtool` (one process per case, `-w` for several codes at once) and `pyotp` (one
//! Python process for all cases, through `scripts/otp-differential.py`).
//!
//! The RNG seed is printed; rerun a failure with `IAMKIT_TEST_SEED=<seed>`. When a peer is
//! missing the test fails under `IAMKIT_REQUIRE_PEERS=1` and is skipped with a note otherwise.
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::Command;

use iamkit_otp::{Algorithm, Hotp, Secret, Totp, insecure};
use iamkit_testkit::Rng;
use serde_json::{Value, json};

const CASES: usize = 1000;
/// Codes compared per case (the case's own counter or step and the next ones).
const PER_CASE: usize = 4;

const ALGS: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

/// A time: mostly "realistic" (up to year ~2514), sometimes tiny, sometimes on a step edge.
fn random_time(rng: &mut Rng, period: u64) -> u64 {
    match rng.range(0, 9) {
        0 => rng.range(0, 1000),
        1 => rng.range(1, 1 << 26) * period - rng.range(0, 1),
        _ => rng.range(0, 1 << 34),
    }
}

/// Our side parses a mangled copy of the base32 (lower case, spaces, dashes, padding), the peer
/// gets the canonical form: the lenient parser is part of what is compared.
fn mangle(rng: &mut Rng, b32: &str) -> String {
    let mut out = String::new();
    let lower = rng.range(0, 1) == 1;
    for (i, ch) in b32.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            match rng.range(0, 3) {
                0 => out.push(' '),
                1 => out.push('-'),
                _ => {}
            }
        }
        out.push(if lower { ch.to_ascii_lowercase() } else { ch });
    }
    if rng.range(0, 1) == 1 {
        while out.chars().filter(|c| *c != ' ' && *c != '-').count() % 8 != 0 {
            out.push('=');
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn against_oathtool() {
    if !iamkit_testkit::have("oathtool") {
        iamkit_testkit::missing("oathtool");
        return;
    }
    let mut rng = Rng::seeded("against_oathtool");
    let mut compared = 0;
    for case in 0..CASES {
        let len = rng.range(16, 64) as usize;
        let bytes = rng.bytes(len);
        let secret = Secret::from_bytes(&bytes).unwrap();
        let digits = rng.range(6, 8) as u32; // oathtool: 6, 7 or 8
        let w = (PER_CASE - 1).to_string();
        let d = digits.to_string();
        let mut cmd = Command::new("oathtool");
        let ours: Vec<String>;
        let what: String;
        if rng.range(0, 3) == 0 {
            // HOTP (oathtool's HOTP is SHA1 only); counters over the whole 64-bit range.
            let counter = match rng.range(0, 2) {
                0 => rng.range(0, 1000),
                1 => rng.range(0, 1 << 32),
                _ => rng.range(0, u64::MAX - PER_CASE as u64),
            };
            let hotp = Hotp::builder(secret).digits(digits).build().unwrap();
            ours = (0..PER_CASE as u64)
                .map(|i| hotp.generate(counter + i).to_string())
                .collect();
            cmd.args(["--hotp", "-c", &counter.to_string(), "-d", &d, "-w", &w]);
            what = format!("HOTP digits {digits} counter {counter}");
        } else {
            let alg = *rng.pick(&ALGS);
            let period = match rng.range(0, 3) {
                0 => *rng.pick(&[30, 60]),
                1 => rng.range(1, 10),
                _ => rng.range(1, 86_400),
            };
            let t0 = if rng.range(0, 2) == 0 {
                rng.range(0, 1 << 31)
            } else {
                0
            };
            let time = t0 + random_time(&mut rng, period);
            let totp = Totp::builder(secret)
                .algorithm(alg)
                .digits(digits)
                .period(period)
                .t0(t0)
                .build()
                .unwrap();
            let step = totp.step_at(time);
            ours = (0..PER_CASE as u64)
                .map(|i| totp.generate_at_step(step + i).to_string())
                .collect();
            cmd.arg(format!("--totp={}", alg.as_str()));
            cmd.args(["-d", &d, "-w", &w, "-s", &format!("{period}s")]);
            cmd.args(["-S", &format!("@{t0}"), "-N", &format!("@{time}")]);
            what = format!("TOTP {alg:?} digits {digits} period {period} t0 {t0} time {time}");
        }
        let out = cmd.arg(hex(&bytes)).output().unwrap();
        assert!(
            out.status.success(),
            "case {case} ({what}): oathtool failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(ours, theirs, "case {case} ({what}), key {}", hex(&bytes));
        compared += ours.len();
    }
    assert_eq!(compared, CASES * PER_CASE);
}

#[test]
fn against_pyotp() {
    let Some(py) = iamkit_testkit::python_with(&["pyotp"]) else {
        return;
    };
    let mut rng = Rng::seeded("against_pyotp");
    let mut cases = Vec::new();
    let mut ours: Vec<Vec<String>> = Vec::new();
    for _ in 0..CASES {
        // pyotp wants at least 112 bits; some cases take the insecure path with 14..16 bytes.
        let len = if rng.range(0, 9) == 0 {
            rng.range(14, 15)
        } else {
            rng.range(16, 64)
        };
        let bytes = rng.bytes(len as usize);
        let canonical = insecure::secret_from_bytes(&bytes).unwrap().to_base32();
        let lenient = mangle(&mut rng, &canonical);
        let secret = if len >= 16 {
            Secret::from_base32(&lenient).unwrap()
        } else {
            insecure::secret_from_base32(&lenient).unwrap()
        };
        assert_eq!(secret.expose_secret(), &bytes[..], "parsing {lenient:?}");
        let alg = *rng.pick(&ALGS);
        let digits = rng.range(6, 10) as u32; // pyotp: 6 to 10
        let count = PER_CASE as u64;
        match rng.range(0, 9) {
            0..=2 => {
                let counter = rng.range(0, u64::MAX - count);
                let hotp = Hotp::builder(secret)
                    .algorithm(alg)
                    .digits(digits)
                    .build()
                    .unwrap();
                ours.push(
                    (0..count)
                        .map(|i| hotp.generate(counter + i).to_string())
                        .collect(),
                );
                cases.push(
                    json!({"kind": "hotp", "secret": &*canonical, "algorithm": alg.as_str(),
                    "digits": digits, "counter": counter, "count": count}),
                );
            }
            3 => {
                let time = random_time(&mut rng, 30);
                let totp = Totp::builder(secret).steam().build().unwrap();
                let step = totp.step_at(time);
                ours.push(
                    (0..count)
                        .map(|i| totp.generate_at_step(step + i).to_string())
                        .collect(),
                );
                cases.push(
                    json!({"kind": "steam", "secret": &*canonical, "time": time, "count": count}),
                );
            }
            _ => {
                let period = rng.range(1, 120); // pyotp: at most 120 s
                let t0 = if rng.range(0, 2) == 0 {
                    rng.range(0, 1 << 31)
                } else {
                    0
                };
                let time = t0 + random_time(&mut rng, period);
                let totp = Totp::builder(secret)
                    .algorithm(alg)
                    .digits(digits)
                    .period(period)
                    .t0(t0)
                    .build()
                    .unwrap();
                let step = totp.step_at(time);
                ours.push(
                    (0..count)
                        .map(|i| totp.generate_at_step(step + i).to_string())
                        .collect(),
                );
                // pyotp has no T0: give it the time since T0.
                cases.push(
                    json!({"kind": "totp", "secret": &*canonical, "algorithm": alg.as_str(),
                    "digits": digits, "period": period, "time": time - t0, "count": count}),
                );
            }
        }
    }

    let input = serde_json::to_vec(&cases).unwrap();
    let out = iamkit_testkit::run_script(&py, "otp-differential.py", input);
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&out).unwrap();
    assert_eq!(theirs.len(), cases.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let case: &Value = &cases[i];
        assert_eq!(a, b, "case {i}: {case}");
    }
}
