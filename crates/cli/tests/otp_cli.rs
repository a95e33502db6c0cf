//! Black-box tests of `iamkit otp …` and `iamkit demo` through the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// RFC 6238's SHA1 seed, ASCII "12345678901234567890".
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SEED256: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";

fn iamkit(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamkit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[track_caller]
fn ok(args: &[&str], stdin: &str) -> String {
    let o = iamkit(args, stdin);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "{args:?}: stderr {}", stderr(&o));
    stdout(&o)
}

#[track_caller]
fn fails(args: &[&str], stdin: &str, status: i32) -> String {
    let o = iamkit(args, stdin);
    assert_eq!(o.status.code(), Some(status), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?}: stdout {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.starts_with("iamkit: "), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    err
}

#[test]
fn code_rfc6238_rows_for_every_algorithm() {
    // RFC 6238 Appendix B, 8 digits.
    let rows = [
        ("59", "sha1", SEED, "94287082"),
        ("1111111109", "SHA1", SEED, "07081804"),
        ("20000000000", "sha1", SEED, "65353130"),
        ("59", "sha256", SEED256, "46119246"),
        ("1234567890", "Sha256", SEED256, "91819424"),
    ];
    for (time, alg, seed, want) in rows {
        let out = ok(
            &[
                "otp",
                "code",
                "--time",
                time,
                "--digits",
                "8",
                "--algorithm",
                alg,
            ],
            &format!("{seed}\n"),
        );
        assert_eq!(out, format!("{want}\n"), "t={time} {alg}");
    }
}

#[test]
fn code_defaults_six_digits_sha1_period_30() {
    assert_eq!(ok(&["otp", "code", "--time", "59"], SEED), "287082\n");
}

#[test]
fn code_accepts_lenient_secret_and_short_secret() {
    // lower case, spaces, dashes, padding: same secret
    assert_eq!(
        ok(
            &["otp", "code", "--time", "59"],
            "  gezd gnbv-gy3t qojq gezd gnbv gy3t qojq==  \n"
        ),
        "287082\n"
    );
    // 15 unpadded characters (extra.tsv)
    assert_eq!(
        ok(&["otp", "code", "--time", "59"], "JBSWY3DPEHPK3PX\n"),
        "631024\n"
    );
}

#[test]
fn code_json_totp_and_hotp() {
    let out = ok(&["otp", "code", "--time", "59", "--json"], SEED);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], "287082");
    assert_eq!(v["counter"], 1);
    assert_eq!(v["period"], 30);
    assert_eq!(v["remaining_seconds"], 1);
    assert_eq!(out.lines().count(), 1);

    let out = ok(&["otp", "code", "--hotp", "--counter", "7", "--json"], SEED);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], "162583");
    assert_eq!(v["counter"], 7);
    assert!(v.get("period").is_none());
}

#[test]
fn code_hotp_rfc4226_rows() {
    let want = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in want.iter().enumerate() {
        let c = counter.to_string();
        assert_eq!(
            ok(&["otp", "code", "--hotp", "--counter", &c], SEED),
            format!("{code}\n")
        );
    }
}

#[test]
fn code_steam_and_period_and_t0() {
    assert_eq!(
        ok(&["otp", "code", "--steam", "--time", "1234567890"], SEED),
        "VHHQY\n"
    );
    assert_eq!(
        ok(&["otp", "code", "--period", "60", "--time", "120"], SEED),
        "359152\n"
    );
    // t0 shifts the counter: t0=30 at time 89 is step 1 → the t=59 code
    assert_eq!(
        ok(&["otp", "code", "--t0", "30", "--time", "89"], SEED),
        "287082\n"
    );
}

#[test]
fn code_from_uri_on_stdin_and_flags_override() {
    let uri = format!("otpauth://totp/ACME:alice?secret={SEED}&digits=8&issuer=ACME");
    assert_eq!(ok(&["otp", "code", "--time", "59"], &uri), "94287082\n");
    assert_eq!(
        ok(&["otp", "code", "--time", "59", "--digits", "6"], &uri),
        "287082\n"
    );
    let hotp = format!("otpauth://hotp/x?secret={SEED}&counter=3");
    assert_eq!(ok(&["otp", "code"], &hotp), "969429\n");
}

#[test]
fn verify_prints_signed_offsets_and_exit_statuses() {
    // the code of step 1 (t=30..59)
    fn at(t: &'static str) -> Vec<&'static str> {
        vec!["otp", "verify", "287082", "--time", t]
    }
    assert_eq!(ok(&at("45"), SEED), "0\n");
    assert_eq!(ok(&at("75"), SEED), "-1\n");
    assert_eq!(ok(&at("15"), SEED), "1\n");
    let e = fails(&at("105"), SEED, 1);
    assert_eq!(e, "iamkit: invalid code\n");
    // wider past window
    assert_eq!(
        ok(
            &[&at("105")[..], &["--past", "2", "--future", "0"]].concat(),
            SEED
        ),
        "-2\n"
    );
    assert_eq!(
        ok(&[&at("105")[..], &["--window", "2"]].concat(), SEED),
        "-2\n"
    );
    fails(
        &[&at("15")[..], &["--past", "1", "--future", "0"]].concat(),
        SEED,
        1,
    );
}

#[test]
fn verify_hotp_look_ahead_prints_counter() {
    assert_eq!(
        ok(
            &[
                "otp",
                "verify",
                "162583",
                "--hotp",
                "--counter",
                "5",
                "--window",
                "3"
            ],
            SEED
        ),
        "7\n"
    );
    fails(
        &["otp", "verify", "162583", "--hotp", "--counter", "5"],
        SEED,
        1,
    );
    fails(
        &[
            "otp",
            "verify",
            "162583",
            "--hotp",
            "--counter",
            "8",
            "--window",
            "5",
        ],
        SEED,
        1,
    );
}

#[test]
fn verify_wrong_code_shapes_say_invalid_code() {
    for code in ["28708", "2870820", "abcdef", ""] {
        let e = fails(&["otp", "verify", code, "--time", "59"], SEED, 1);
        assert_eq!(e, "iamkit: invalid code\n", "{code:?}");
    }
}

#[test]
fn malformed_secret_is_exit_2_naming_character_and_position() {
    let e = fails(&["otp", "code"], "GEZ1GNBV\n", 2);
    assert!(e.contains("'1'") && e.contains("position 4"), "{e}");
    let e = fails(&["otp", "code"], "\n", 2);
    assert!(e.contains("secret"), "{e}");
}

#[test]
fn bad_flags_are_exit_2() {
    for args in [
        &["otp", "code", "--digits", "5"][..],
        &["otp", "code", "--digits", "11"],
        &["otp", "code", "--algorithm", "md5"],
        &["otp", "code", "--period", "0"],
        &["otp", "code", "--nope"],
        &["otp", "code", "--hotp"],
    ] {
        let e = fails(args, SEED, 2);
        assert!(!e.contains(SEED), "{e}");
    }
}

#[test]
fn secret_never_appears_on_stderr() {
    let uri = format!("otpauth://totp/x?secret={SEED}&algorithm=MD5");
    let e = fails(&["otp", "code"], &uri, 2);
    assert!(!e.contains(SEED), "{e}");
    let e = fails(&["otp", "verify", "000000", "--time", "59"], SEED, 1);
    assert!(!e.contains(SEED), "{e}");
}

#[test]
fn uri_builds_the_contract_form() {
    let out = ok(
        &[
            "otp",
            "uri",
            "--issuer",
            "Big Corp",
            "--account",
            "alice@bigco.com",
        ],
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq\n",
    );
    assert_eq!(
        out,
        format!("otpauth://totp/Big%20Corp:alice@bigco.com?secret={SEED}&issuer=Big%20Corp\n")
    );
    let out = ok(
        &[
            "otp",
            "uri",
            "--issuer",
            "I",
            "--account",
            "a",
            "--algorithm",
            "sha256",
            "--digits",
            "8",
            "--period",
            "60",
        ],
        SEED,
    );
    assert!(
        out.contains("&algorithm=SHA256")
            && out.contains("&digits=8")
            && out.contains("&period=60"),
        "{out}"
    );
    let out = ok(
        &["otp", "uri", "--issuer", "I", "--account", "a", "--hotp"],
        SEED,
    );
    assert!(
        out.starts_with("otpauth://hotp/") && out.contains("counter=0"),
        "{out}"
    );
}

#[test]
fn uri_generate_is_the_only_output_and_round_trips() {
    for (bits, chars) in [("160", 32), ("256", 52), ("512", 103)] {
        let out = ok(
            &[
                "otp",
                "uri",
                "--issuer",
                "I",
                "--account",
                "a",
                "--generate",
                "--bits",
                bits,
            ],
            "",
        );
        assert_eq!(out.lines().count(), 1);
        let secret = out
            .split("secret=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        assert_eq!(secret.len(), chars, "{bits}: {out}");
        let parsed = ok(&["otp", "parse", "--show-secret"], &out);
        let v: serde_json::Value = serde_json::from_str(&parsed).unwrap();
        assert_eq!(v["secret"], secret);
    }
}

#[test]
fn uri_refuses_colon_in_issuer_or_account() {
    fails(
        &["otp", "uri", "--issuer", "A:B", "--account", "a"],
        SEED,
        2,
    );
    fails(
        &["otp", "uri", "--issuer", "A", "--account", "a:b"],
        SEED,
        2,
    );
}

#[test]
fn parse_prints_the_contract_json() {
    let uri = "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq&issuer=Big%20Corporation";
    let out = ok(&["otp", "parse"], uri);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["type"], "totp");
    assert_eq!(v["issuer"], "Big Corporation");
    assert_eq!(v["account"], "alice@bigco.com");
    assert_eq!(v["algorithm"], "SHA1");
    assert_eq!(v["digits"], 6);
    assert_eq!(v["period"], 30);
    assert_eq!(v["counter"], serde_json::Value::Null);
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert!(v.get("secret").is_none(), "secret only with --show-secret");

    let out = ok(&["otp", "parse", "--show-secret"], uri);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["secret"], SEED);

    // issuer mismatch: the parameter wins, with a warning
    let out = ok(
        &["otp", "parse"],
        &format!("otpauth://totp/Old:bob?secret={SEED}&issuer=New"),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["issuer"], "New");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);

    let out = ok(
        &["otp", "parse"],
        &format!("otpauth://hotp/x?secret={SEED}&counter=5"),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["type"], "hotp");
    assert_eq!(v["counter"], 5);
    assert_eq!(v["period"], serde_json::Value::Null);
    assert_eq!(v["issuer"], serde_json::Value::Null);
}

#[test]
fn parse_malformed_uris_are_exit_2_without_the_secret() {
    for bad in [
        "https://example.com".to_owned(),
        "otpauth://totp/x?digits=6".to_owned(),
        format!("otpauth://totp/x?secret={SEED}&period=0"),
        format!("otpauth://hotp/x?secret={SEED}"),
        format!("otpauth://totp/x?secret={SEED}&algorithm=SHA3"),
        format!("otpauth://totp/x?secret={SEED}&secret={SEED}"),
    ] {
        let e = fails(&["otp", "parse"], &bad, 2);
        assert!(!e.contains(SEED), "{e}");
    }
}

#[test]
fn qr_terminal_draws_half_blocks_with_quiet_zone() {
    let uri = format!("otpauth://totp/ACME:alice?secret={SEED}&issuer=ACME");
    let out = ok(&["otp", "qr"], &uri);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 10);
    let w = lines[0].chars().count();
    assert!(lines.iter().all(|l| l.chars().count() == w));
    assert!(out.chars().all(|c| " ▀▄█\n".contains(c)));
    // dark-background default: the quiet zone is drawn light (full blocks)
    assert!(lines[0].chars().all(|c| c == '█'));
    let inv = ok(&["otp", "qr", "--invert"], &uri);
    assert!(inv.lines().next().unwrap().chars().all(|c| c == ' '));
}

#[test]
fn qr_png_decodes_with_zbarimg_to_exactly_the_uri() {
    if Command::new("zbarimg").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("IAMKIT_REQUIRE_PEERS").is_none(),
            "zbarimg is required"
        );
        eprintln!("note: zbarimg not installed; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("q.png");
    let uri = format!(
        "otpauth://totp/Caf%C3%A9%20%E2%98%95:z%C3%BC@example.com?secret={SEED}&issuer=Caf%C3%A9%20%E2%98%95"
    );
    ok(
        &[
            "otp",
            "qr",
            "--format",
            "png",
            "--output",
            png.to_str().unwrap(),
        ],
        &uri,
    );
    let z = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(z.stdout).unwrap().trim_end(), uri);
    // png to stdout with --output -
    let out = iamkit(&["otp", "qr", "--format", "png", "--output", "-"], &uri);
    assert!(out.stdout.starts_with(b"\x89PNG"));
    let svg = ok(&["otp", "qr", "--format", "svg", "--output", "-"], &uri);
    assert!(svg.contains("<svg"));
}

#[test]
fn qr_refuses_what_is_not_an_enrollment_uri() {
    fails(&["otp", "qr"], "hello world", 2);
}

#[test]
fn demo_once_prints_a_code() {
    let unix = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = unix();
    let out = ok(&["demo", "--once"], "");
    let after = unix();
    // "CODE  (Ns left; demo secret SEED, RFC 6238)"
    let (code, rest) = out.split_once("  (").unwrap_or_else(|| panic!("{out:?}"));
    let left: u64 = rest
        .split_once("s left; ")
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        rest.contains(&format!("demo secret {SEED}, RFC 6238")),
        "{out:?}"
    );
    if Command::new("oathtool").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("IAMKIT_REQUIRE_PEERS").is_none(),
            "oathtool is required"
        );
        eprintln!("note: oathtool not installed; only the format was checked");
        assert_eq!(code.len(), 6);
        return;
    }
    // The code of the RFC 6238 seed (SHA1, 6 digits, 30 s) at some second the command ran,
    // from oathtool, with that second's countdown.
    let matches = (before..=after).any(|t| {
        let o = Command::new("oathtool")
            .args(["--totp", "-b", SEED, "-N", &format!("@{t}")])
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap().trim() == code && left == 30 - t % 30
    });
    assert!(
        matches,
        "{out:?} is not oathtool's code and countdown for any second in {before}..={after}"
    );
}

#[test]
fn broken_pipe_is_not_an_error() {
    // A reader that closes at once: `iamkit completions bash | head -c0`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamkit"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn version_and_help() {
    let v = ok(&["--version"], "");
    assert!(v.starts_with("iamkit "), "{v}");
    let h = ok(&["help", "otp"], "");
    for cmd in ["code", "verify", "uri", "parse", "qr"] {
        assert!(h.contains(cmd), "{h}");
    }
}
