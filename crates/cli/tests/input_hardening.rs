//! Regression tests for the input-handling findings of the security review (issue #11): what
//! an attacker or a careless user feeds the binary on stdin, in URIs, migration payloads and
//! file names. Each test is named after what it caught.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod util;

use util::{Env, Run};

/// RFC 6238's SHA1 seed, ASCII "12345678901234567890"; its 6-digit code at t=59 is 287082.
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// The status the panic hook exits with.
const INTERNAL_ERROR: i32 = 70;

/// Runs the binary with raw bytes on stdin.
fn run_bytes(env: &Env, args: &[&str], stdin: &[u8]) -> Run {
    env.run_bytes(args, stdin)
}

/// Asserts a run ended as the contract allows: a status of the contract, never a panic.
#[track_caller]
fn no_panic(r: &Run, what: &str) {
    assert!(
        (0..=4).contains(&r.code),
        "{what}: exit {} (101 is a panic, {INTERNAL_ERROR} the panic hook); stderr {:?}",
        r.code,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{what}: {:?}", r.stderr);
    assert!(
        !r.stderr.contains("internal error"),
        "{what}: {:?}",
        r.stderr
    );
}

/// Asserts nothing a terminal would act on is in `text`: no C0 control but newline and tab, no
/// DEL, no C1 control, no bidirectional override.
#[track_caller]
fn terminal_safe(text: &str, what: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "{what}: control character {c:?} in {text:?}");
    }
}

// --- A minimal, independent encoder of Google Authenticator's migration payload ---------------

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn field_bytes(tag: u64, data: &[u8], out: &mut Vec<u8>) {
    varint(tag << 3 | 2, out);
    varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

fn field_varint(tag: u64, v: u64, out: &mut Vec<u8>) {
    varint(tag << 3, out);
    varint(v, out);
}

/// `otpauth-migration://offline?data=…` holding TOTP/SHA1/6-digit accounts (secret, name,
/// issuer), written from the published protobuf layout.
fn migration_uri(accounts: &[(&[u8], &str, &str)]) -> String {
    let mut payload = Vec::new();
    for (secret, name, issuer) in accounts {
        let mut p = Vec::new();
        field_bytes(1, secret, &mut p);
        field_bytes(2, name.as_bytes(), &mut p);
        field_bytes(3, issuer.as_bytes(), &mut p);
        field_varint(4, 1, &mut p); // SHA1
        field_varint(5, 1, &mut p); // six digits
        field_varint(6, 2, &mut p); // TOTP
        field_bytes(1, &p, &mut payload);
    }
    field_varint(2, 1, &mut payload); // version
    field_varint(3, 1, &mut payload); // batch size
    let b64 = base64_std(&payload);
    let mut data = String::new();
    for c in b64.chars() {
        match c {
            '+' => data.push_str("%2B"),
            '/' => data.push_str("%2F"),
            '=' => data.push_str("%3D"),
            c => data.push(c),
        }
    }
    format!("otpauth-migration://offline?data={data}")
}

fn base64_std(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// --- Item 3: byte slicing of Unicode input -----------------------------------------------------

#[test]
fn cjk_input_to_otp_code_is_a_usage_error_not_a_panic() {
    let env = Env::file();
    let r = env.run(&["otp", "code"], "日日日日\n");
    let err = r.fails(2);
    assert!(err.contains("base32"), "{err}");
    no_panic(&r, "otp code");
    // The same for every other reader of one line.
    for args in [
        &["otp", "verify", "123456"][..],
        &["otp", "uri", "--issuer", "I", "--account", "a"],
    ] {
        no_panic(&env.run(args, "日日日日\n"), &format!("{args:?}"));
    }
}

#[test]
fn base32_secret_grouped_with_narrow_no_break_spaces_is_accepted() {
    let env = Env::file();
    // U+202F, as some sites print secrets in groups of four; and U+00A0, U+3000.
    let grouped = "GEZD\u{202F}GNBV\u{202F}GY3T\u{202F}QOJQ\u{00A0}GEZD\u{3000}GNBV GY3T QOJQ\n";
    let r = env.run(&["otp", "code", "--time", "59"], grouped);
    assert_eq!(r.ok(), "287082\n");
    // Not whitespace (a zero-width space): refused with the character named, exit 2.
    let r = env.run(
        &["otp", "code", "--time", "59"],
        "GEZD\u{200B}GNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
    );
    assert!(
        r.fails(2).contains("invalid base32 character"),
        "{}",
        r.stderr
    );
}

#[test]
fn otp_qr_with_a_non_ascii_label_at_byte_21_draws_the_code() {
    let env = Env::file();
    // "otpauth://totp/Acme:" is 20 bytes: 'ö' straddles byte 21.
    let uri = format!("otpauth://totp/Acme:%C3%B6l?secret={SEED}&issuer=Acme");
    let r = env.run(&["otp", "qr"], &uri);
    assert!(!r.ok().is_empty());
    let raw = format!("otpauth://totp/Acme:öl?secret={SEED}");
    let r = env.run(&["otp", "qr"], &raw);
    no_panic(&r, "otp qr with a raw ö");
    assert!(!r.stderr.contains(SEED) && !r.stdout.contains(SEED));
}

#[test]
fn otp_qr_draws_a_migration_uri_that_the_dead_branch_refused() {
    let env = Env::file();
    let uri = migration_uri(&[(b"12345678901234567890", "alice", "Acme")]);
    let out = env.path("m.png");
    let r = env.run(
        &[
            "otp",
            "qr",
            "--format",
            "png",
            "--output",
            out.to_str().unwrap(),
        ],
        &uri,
    );
    r.ok();
    let png = std::fs::read(&out).unwrap();
    let text = iamkit_otpauth::qr::decode_image(&png).unwrap();
    assert_eq!(text, uri);
    // A broken payload is still refused, exit 2.
    env.run(&["otp", "qr"], "otpauth-migration://offline?data=%%%")
        .fails(2);
}

// --- Item 4: the panic hook --------------------------------------------------------------------

#[test]
fn a_panic_prints_one_internal_error_line_without_its_payload() {
    let mut env = Env::file();
    let marker = "JBSWY3DPEHPK3PXP-payload-with-a-secret";
    env.set("IAMKIT_DEBUG_PANIC_FOR_TESTS", marker);
    let r = env.run(&["otp", "code"], &format!("{SEED}\n"));
    assert_eq!(r.code, INTERNAL_ERROR, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{:?}", r.stderr);
    assert!(
        r.stderr.starts_with("iamkit: internal error"),
        "{:?}",
        r.stderr
    );
    assert!(
        !r.stderr.contains(marker),
        "the payload leaked: {:?}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{:?}", r.stderr);
}

// --- Item 5: the terminal is not an attack surface ---------------------------------------------

/// An OSC 52 clipboard write, an erase-line, a C1 CSI, DEL and a right-to-left override.
const EVIL_ACCOUNT: &str = "%1B%5D52%3Bc%3BcGF3bmVk%07%1B%5B2Kbob%C2%9B2K%7F%E2%80%AE";
const EVIL_ISSUER: &str = "Evil%1B%5D0%3Btitle%07Corp";

#[test]
fn control_characters_from_an_enrollment_uri_never_reach_the_terminal() {
    let env = Env::file();
    let uri = format!("otpauth://totp/{EVIL_ISSUER}:{EVIL_ACCOUNT}?secret={SEED}&issuer=Other");
    let add = env.run(&["mfa", "add", "evil"], &uri);
    let out = add.ok();
    terminal_safe(out, "mfa add stdout");
    terminal_safe(&add.stderr, "mfa add stderr (the issuer mismatch warning)");
    assert!(
        out.contains("\\u{1b}]52;c;cGF3bmVk\\u{7}"),
        "escaped, visible: {out}"
    );
    for args in [&["mfa", "list"][..], &["mfa", "list", "--json"]] {
        let r = env.run(args, "");
        terminal_safe(r.ok(), &format!("{args:?} stdout"));
        terminal_safe(&r.stderr, &format!("{args:?} stderr"));
    }
    // These refuse such a label (the strict URI writer), in an error that quotes it safely.
    for args in [
        &["mfa", "show", "evil", "--uri"][..],
        &["mfa", "export-migration"],
    ] {
        let r = env.run(args, "");
        no_panic(&r, &format!("{args:?}"));
        terminal_safe(&r.stdout, &format!("{args:?} stdout"));
        terminal_safe(&r.stderr, &format!("{args:?} stderr"));
    }
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["mfa", "list", "--json"], "").ok()).unwrap();
    assert_eq!(
        json["devices"][0]["account"],
        "\u{1b}]52;c;cGF3bmVk\u{7}\u{1b}[2Kbob\u{9b}2K\u{7f}\u{202e}",
        "JSON keeps the value, escaped"
    );
    // `otp parse` too (JSON).
    let r = env.run(&["otp", "parse"], &uri);
    terminal_safe(r.ok(), "otp parse");
}

#[test]
fn control_characters_from_a_migration_payload_never_reach_the_terminal() {
    let env = Env::file();
    let uri = migration_uri(&[
        (
            b"12345678901234567890",
            "a\u{1b}]52;c;cGF3bmVk\u{7}b",
            "I\u{9b}2Kx",
        ),
        (b"12345678901234567890", "plain", "Evil\u{1b}[2K"),
    ]);
    let r = env.run(&["mfa", "import-migration"], &uri);
    terminal_safe(r.ok(), "import-migration stdout");
    terminal_safe(&r.stderr, "import-migration stderr");
    let r = env.run(&["mfa", "list"], "");
    terminal_safe(r.ok(), "mfa list");
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
}

// --- Item 9: write_private ---------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn qr_output_over_an_existing_0644_file_is_a_new_0600_file() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::file();
    let out = env.path("qr.svg");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = env.run(
        &[
            "otp",
            "qr",
            "--format",
            "svg",
            "--output",
            out.to_str().unwrap(),
        ],
        &format!("otpauth://totp/A:b?secret={SEED}"),
    );
    r.ok();
    let meta = std::fs::metadata(&out).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&out).unwrap().contains("<svg"));
    // Nothing left behind.
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[cfg(unix)]
#[test]
fn qr_output_to_a_symlink_replaces_the_link_and_never_writes_through_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::file();
    let victim = env.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = env.path("qr.png");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    env.run(
        &[
            "otp",
            "qr",
            "--format",
            "png",
            "--output",
            link.to_str().unwrap(),
        ],
        &format!("otpauth://totp/A:b?secret={SEED}"),
    )
    .ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_file(), "the link is replaced by a file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // `mfa show --qr png --output` goes the same way.
    env.run(&["mfa", "add", "d"], &format!("{SEED}\n")).ok();
    let link2 = env.path("show.png");
    std::os::unix::fs::symlink(&victim, &link2).unwrap();
    env.run(
        &[
            "mfa",
            "show",
            "d",
            "--qr",
            "png",
            "--output",
            link2.to_str().unwrap(),
        ],
        "",
    )
    .ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&link2).unwrap().is_file());
}

// --- Item 13: migration names ------------------------------------------------------------------

#[test]
fn import_migration_of_a_64_byte_name_ending_in_a_space_and_word_is_not_aborted() {
    let env = Env::file();
    let long = format!("{} B", "A".repeat(63));
    let uri = migration_uri(&[
        (b"12345678901234567890", &long, ""),
        (b"12345678901234567890", "same", ""),
        (b"12345678901234567890", "same", ""),
        (b"12345678901234567890", "same", ""),
    ]);
    let r = env.run(&["mfa", "import-migration"], &uri);
    r.ok();
    let list = env.run(&["mfa", "list"], "");
    let names: Vec<&str> = list
        .ok()
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let a63 = "A".repeat(63);
    let mut want = vec![a63.as_str(), "same", "same (2)", "same (3)"];
    want.sort_unstable();
    let mut got = names.clone();
    got.sort_unstable();
    assert_eq!(got, want);
}

// --- Item 14: period and T0 bounds -------------------------------------------------------------

#[test]
fn periods_over_a_day_and_t0_past_year_9999_are_refused_when_parsing() {
    let env = Env::file();
    let secret = format!("{SEED}\n");
    let err = env.run(&["otp", "code", "--period", "86401"], &secret);
    assert!(err.fails(2).contains("86400"), "{}", err.stderr);
    env.run(
        &["otp", "code", "--period", "86400", "--time", "59"],
        &secret,
    )
    .ok();
    env.run(&["otp", "code", "--t0", "253402300800"], &secret)
        .fails(2);
    env.run(
        &[
            "otp",
            "uri",
            "--issuer",
            "I",
            "--account",
            "a",
            "--period",
            "18446744073709551615",
        ],
        &secret,
    )
    .fails(2);
    for period in ["86401", "18446744073709551615"] {
        let uri = format!("otpauth://totp/A:b?secret={SEED}&period={period}");
        let r = env.run(&["otp", "code"], &uri);
        assert!(r.fails(2).contains("period"), "{}", r.stderr);
        env.run(&["mfa", "add", "p"], &uri).fails(2);
    }
    assert_eq!(env.run(&["mfa", "list"], "").ok(), "");
}

// --- Item 4: arbitrary input on every `otp` and `mfa add` path ---------------------------------

mod arbitrary_input {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// One file-store environment for the whole property test (stores are cheap to reuse).
    fn env() -> &'static Env {
        static ENV: OnceLock<Env> = OnceLock::new();
        ENV.get_or_init(Env::file)
    }

    const PATHS: &[&[&str]] = &[
        &["otp", "code"],
        &["otp", "code", "--json", "--time", "59"],
        &["otp", "code", "--hotp", "--counter", "1"],
        &["otp", "code", "--steam"],
        &["otp", "verify", "123456"],
        &[
            "otp",
            "verify",
            "123456",
            "--hotp",
            "--counter",
            "0",
            "--window",
            "3",
        ],
        &["otp", "uri", "--issuer", "I", "--account", "a"],
        &["otp", "parse", "--show-secret"],
        &["otp", "qr"],
        &["mfa", "add", "prop", "--force"],
    ];

    /// Input that reaches the parsers' deeper branches: any text, text after a URI scheme or
    /// a migration prefix, or raw bytes (not UTF-8).
    fn input() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<String>().prop_map(String::into_bytes),
            "\\PC{0,40}".prop_map(|s| format!("otpauth://totp/{s}").into_bytes()),
            ("\\PC{0,20}", "\\PC{0,40}")
                .prop_map(
                    |(l, q)| format!("otpauth://{l}?secret=GEZDGNBVGY3TQOJQ&{q}").into_bytes()
                ),
            "\\PC{0,60}".prop_map(|s| format!("otpauth-migration://offline?data={s}").into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..80),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_unicode_and_bytes_on_stdin_never_panic(
            path in 0..PATHS.len(),
            stdin in input(),
        ) {
            let r = run_bytes(env(), PATHS[path], &stdin);
            no_panic(&r, &format!("{:?} with {:?}", PATHS[path], String::from_utf8_lossy(&stdin)));
        }

        #[test]
        fn arbitrary_bytes_as_a_qr_image_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let path = env().path("prop-image.bin");
            std::fs::write(&path, &bytes).unwrap();
            let r = run_bytes(env(), &["mfa", "add", "propimg", "--force", "--qr-image", path.to_str().unwrap()], b"");
            no_panic(&r, "mfa add --qr-image");
        }
    }

    #[test]
    fn every_path_survives_the_inputs_the_review_found() {
        let cases: &[&[u8]] = &[
            "日日日日".as_bytes(),
            "otpauth://totp/Acme:öl?secret=GEZDGNBVGY3TQOJQ".as_bytes(),
            "ötpauth://".as_bytes(),
            "otpauth-migration:/日".as_bytes(),
            b"\xff\xfe\x00otpauth://",
            b"otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ&period=18446744073709551615",
        ];
        for path in PATHS {
            for input in cases {
                let r = run_bytes(env(), path, input);
                no_panic(
                    &r,
                    &format!("{path:?} with {:?}", String::from_utf8_lossy(input)),
                );
            }
        }
    }
}
