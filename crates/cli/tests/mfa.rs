//! Black-box tests of `iamkit mfa …` against the file store and the real Secret Service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{Env, Kind, have, json, peer_missing, tsv};

const SHA1_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SHA256_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
const SHA512_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA";

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn totp_codes_match_rfc6238_vectors_in_both_stores() {
    let rows = tsv("otp/rfc6238.tsv");
    assert!(rows.len() >= 6);
    for env in Env::all() {
        for (col, algo, b32) in [
            (2, "SHA1", SHA1_B32),
            (3, "SHA256", SHA256_B32),
            (4, "SHA512", SHA512_B32),
        ] {
            let name = env.name(&format!("rfc6238-{algo}"));
            let uri = format!(
                "otpauth://totp/RFC:6238?secret={b32}&issuer=RFC&digits=8&algorithm={algo}"
            );
            env.run(&["mfa", "add", &name], &uri).ok();
            for row in &rows {
                let out = env.run(&["mfa", "code", &name, "--time", &row[0]], "");
                assert_eq!(
                    out.ok().trim_end(),
                    row[col],
                    "{:?} {algo} t={}",
                    env.kind,
                    row[0]
                );
                assert_eq!(
                    out.stdout,
                    format!("{}\n", row[col]),
                    "just the code and a newline"
                );
            }
            env.run(&["mfa", "remove", &name], "").ok();
        }
    }
}

#[test]
fn hotp_codes_follow_rfc4226_and_advance_the_counter() {
    let rows = tsv("otp/rfc4226.tsv");
    for env in Env::all() {
        let name = env.name("hotp");
        env.run(
            &["mfa", "add", &name],
            &format!("otpauth://hotp/Example:bob?secret={SHA1_B32}&issuer=Example&counter=0\n"),
        )
        .ok();
        for (i, row) in rows.iter().enumerate() {
            let out = env.run(&["mfa", "code", &name, "--json"], "");
            let v = json(out.ok());
            assert_eq!(v["code"], row[3].as_str(), "counter {i}");
            assert_eq!(v["counter"], i as u64);
        }
        env.run(&["mfa", "remove", &name], "").ok();
    }
}

/// Regression test: `mfa code` on an HOTP device read the counter, then wrote counter + 1, so
/// two runs at once could print the same code. Eight at once must print eight counters.
#[test]
fn concurrent_hotp_codes_never_repeat_a_counter() {
    for env in Env::all() {
        let name = env.name("hotp-race");
        env.run(
            &["mfa", "add", &name],
            &format!("otpauth://hotp/R:r?secret={SHA1_B32}&issuer=R&counter=0\n"),
        )
        .ok();
        let children: Vec<_> = (0..8)
            .map(|_| {
                env.command(&["mfa", "code", &name, "--json"])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut counters: Vec<u64> = children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                json(&String::from_utf8_lossy(&out.stdout))["counter"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        counters.sort();
        assert_eq!(counters, (0..8).collect::<Vec<u64>>());
        env.run(&["mfa", "remove", &name], "").ok();
    }
}

#[test]
fn steam_codes_match_vectors() {
    let env = Env::file();
    let name = env.name("steam");
    env.run(
        &["mfa", "add", &name],
        &format!("otpauth://totp/Steam:gabe?secret={SHA1_B32}&issuer=Steam&encoder=steam"),
    )
    .ok();
    for row in tsv("otp/steam.tsv") {
        let out = env.run(&["mfa", "code", &name, "--time", &row[0]], "");
        assert_eq!(out.ok().trim_end(), row[1]);
    }
}

#[test]
fn code_json_is_like_otp_code() {
    let env = Env::file();
    env.run(&["mfa", "add", "aws"], SHA1_B32).ok();
    let v = json(
        env.run(&["mfa", "code", "aws", "--time", "59", "--json"], "")
            .ok(),
    );
    assert_eq!(v["code"], "287082");
    assert_eq!(v["counter"], 1);
    assert_eq!(v["period"], 30);
    assert_eq!(v["remaining_seconds"], 1);
    // A bare base32 secret: TOTP, SHA1, 6 digits, 30 s; leniently read.
    env.run(
        &["mfa", "add", "lenient"],
        "  gezd-gnbv gy3t qojq GEZDGNBVGY3TQOJQ====  \n",
    )
    .ok();
    let out = env.run(&["mfa", "code", "lenient", "--time", "1111111109"], "");
    assert_eq!(out.ok(), "081804\n");
}

#[test]
fn add_refuses_to_overwrite_without_force_and_keeps_the_record() {
    for env in Env::all() {
        let name = env.name("dup");
        env.run(&["mfa", "add", &name], SHA1_B32).ok();
        let other = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let out = env.run(&["mfa", "add", &name], other);
        let err = out.fails(2);
        assert!(err.contains("--force"), "{err}");
        out.hides(other);
        assert_eq!(
            env.run(&["mfa", "code", &name, "--time", "59"], "").ok(),
            "287082\n"
        );
        env.run(&["mfa", "add", &name, "--force"], other).ok();
        assert_ne!(
            env.run(&["mfa", "code", &name, "--time", "59"], "").ok(),
            "287082\n"
        );
        env.run(&["mfa", "remove", &name], "").ok();
    }
}

#[test]
fn list_show_remove() {
    for env in Env::all() {
        let a = env.name("list-a");
        let b = env.name("list-b");
        env.run(
            &["mfa", "add", &a],
            &format!("otpauth://totp/Amazon%20Web%20Services:alice@example.com?secret={SHA1_B32}&issuer=Amazon%20Web%20Services"),
        )
        .ok();
        env.run(
            &["mfa", "add", &b, "--issuer", "ACME", "--account", "bob"],
            SHA1_B32,
        )
        .ok();
        let text = env.run(&["mfa", "list"], "");
        assert!(!text.ok().contains(SHA1_B32));
        assert!(text.stdout.contains(&a) && text.stdout.contains("alice@example.com"));
        let v = json(env.run(&["mfa", "list", "--json"], "").ok());
        let devs = v["devices"].as_array().unwrap();
        let da = devs.iter().find(|d| d["name"] == a.as_str()).unwrap();
        assert_eq!(da["issuer"], "Amazon Web Services");
        assert_eq!(da["account"], "alice@example.com");
        let db = devs.iter().find(|d| d["name"] == b.as_str()).unwrap();
        assert_eq!(db["issuer"], "ACME");
        assert_eq!(db["account"], "bob");
        assert!(!v.to_string().contains(SHA1_B32));

        let uri = env.run(&["mfa", "show", &a, "--uri"], "");
        assert_eq!(
            uri.ok(),
            format!(
                "otpauth://totp/Amazon%20Web%20Services:alice@example.com?secret={SHA1_B32}&issuer=Amazon%20Web%20Services\n"
            )
        );
        let uri_b = env.run(&["mfa", "show", &b, "--uri"], "");
        assert_eq!(
            uri_b.ok(),
            format!("otpauth://totp/ACME:bob?secret={SHA1_B32}&issuer=ACME\n")
        );

        env.run(&["mfa", "remove", &a], "").ok();
        env.run(&["mfa", "code", &a], "").fails(3);
        env.run(&["mfa", "remove", &a], "").fails(3);
        env.run(&["mfa", "show", &a, "--uri"], "").fails(3);
        let v = json(env.run(&["mfa", "list", "--json"], "").ok());
        assert!(!v.to_string().contains(&a));
        env.run(&["mfa", "remove", &b], "").ok();
    }
}

#[test]
fn show_qr_png_decodes_and_enrolls_again() {
    let env = Env::file();
    let uri = format!("otpauth://totp/ACME:carol?secret={SHA1_B32}&issuer=ACME&digits=8");
    env.run(&["mfa", "add", "qr-src"], &uri).ok();
    let png = env.path("code.png");
    let png_s = png.to_str().unwrap();
    env.run(
        &["mfa", "show", "qr-src", "--qr", "png", "--output", png_s],
        "",
    )
    .ok();
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&png).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the image holds the secret");
    }
    // Enroll from the image: same codes.
    env.run(&["mfa", "add", "qr-dst", "--qr-image", png_s], "")
        .ok();
    assert_eq!(
        env.run(&["mfa", "code", "qr-dst", "--time", "59"], "").ok(),
        "94287082\n"
    );
    // An ordinary QR reader agrees.
    if have("zbarimg") {
        let out = std::process::Command::new("zbarimg")
            .args(["--raw", "-q", png_s])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), uri);
    } else {
        peer_missing("zbarimg");
    }
    // SVG and terminal.
    let svg = env.run(
        &["mfa", "show", "qr-src", "--qr", "svg", "--output", "-"],
        "",
    );
    assert!(svg.ok().contains("<svg"));
    let term = env.run(&["mfa", "show", "qr-src", "--qr", "terminal"], "");
    assert!(term.ok().contains('█') || term.stdout.contains('▀'));
    let inv = env.run(
        &["mfa", "show", "qr-src", "--qr", "terminal", "--invert"],
        "",
    );
    assert_ne!(inv.ok(), term.stdout, "--invert swaps dark and light");
    // png without --output, unknown format, neither --uri nor --qr: usage errors.
    env.run(&["mfa", "show", "qr-src", "--qr", "png"], "")
        .fails(2);
    env.run(
        &["mfa", "show", "qr-src", "--qr", "gif", "--output", "x"],
        "",
    )
    .fails(2);
    env.run(&["mfa", "show", "qr-src"], "").fails(2);
    // Not an image / no QR code in it.
    std::fs::write(env.path("junk.png"), b"not a png").unwrap();
    env.run(
        &[
            "mfa",
            "add",
            "x",
            "--qr-image",
            env.path("junk.png").to_str().unwrap(),
        ],
        "",
    )
    .fails(2);
    env.run(
        &[
            "mfa",
            "add",
            "x",
            "--qr-image",
            env.path("missing.png").to_str().unwrap(),
        ],
        "",
    )
    .fails(2);
}

#[test]
fn migration_export_then_import_keeps_codes() {
    let src = Env::file();
    src.run(
        &["mfa", "add", "m1"],
        &format!("otpauth://totp/Amazon%20Web%20Services:alice?secret={SHA1_B32}&issuer=Amazon%20Web%20Services"),
    )
    .ok();
    src.run(
        &["mfa", "add", "m2"],
        &format!("otpauth://totp/bob?secret={SHA256_B32}&algorithm=SHA256&digits=8"),
    )
    .ok();
    src.run(
        &["mfa", "add", "m3"],
        &format!("otpauth://hotp/H:carol?secret={SHA1_B32}&issuer=H&counter=5"),
    )
    .ok();
    let out = src.run(&["mfa", "export-migration"], "");
    let uris = out.ok();
    assert!(
        uris.starts_with("otpauth-migration://offline?data="),
        "{uris}"
    );
    let one = src.run(&["mfa", "export-migration", "m2"], "");
    assert_eq!(one.ok().lines().count(), 1);
    src.run(&["mfa", "export-migration", "nope"], "").fails(3);

    for dst in Env::all() {
        let out = dst.run(&["mfa", "import-migration"], uris);
        out.ok();
        let v = json(dst.run(&["mfa", "list", "--json"], "").ok());
        let names: Vec<&str> = v["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"Amazon Web Services:alice"), "{names:?}");
        assert!(names.contains(&"bob"), "{names:?}");
        assert!(names.contains(&"H:carol"), "{names:?}");
        assert_eq!(
            dst.run(
                &["mfa", "code", "Amazon Web Services:alice", "--time", "59"],
                ""
            )
            .ok(),
            "287082\n"
        );
        assert_eq!(
            dst.run(&["mfa", "code", "bob", "--time", "59"], "").ok(),
            "46119246\n"
        );
        assert_eq!(dst.run(&["mfa", "code", "H:carol"], "").ok(), "254676\n");
        // Importing again clashes: refused, nothing changed.
        dst.run(&["mfa", "import-migration"], uris).fails(2);
        assert_eq!(dst.run(&["mfa", "code", "H:carol"], "").ok(), "287922\n");
        dst.run(&["mfa", "import-migration", "--force"], uris).ok();
        assert_eq!(dst.run(&["mfa", "code", "H:carol"], "").ok(), "254676\n");
        for n in ["Amazon Web Services:alice", "bob", "H:carol"] {
            dst.run(&["mfa", "remove", n], "").ok();
        }
    }
    // Malformed payloads.
    let dst = Env::file();
    for bad in [
        "otpauth-migration://offline?data=%%%",
        "otpauth-migration://offline?data=AAAA",
        "otpauth-migration://online?data=CjEKCkhlbGxvId6tvu8",
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        "",
    ] {
        dst.run(&["mfa", "import-migration"], bad).fails(2);
    }
    assert_eq!(dst.run(&["mfa", "list"], "").ok(), "");
}

/// Regression test: an MD5 account in a Google Authenticator export failed the whole import.
/// Payloads (protobuf, base64): "good" (TOTP SHA-1) then "Old:md5" (issuer Old, MD5), and the
/// MD5 account alone; the secret of both is "Hello!\xde\xad\xbe\xef" (JBSWY3DPEHPK3PXP).
#[test]
fn import_migration_skips_accounts_it_cannot_use_with_one_warning_each() {
    let mixed = "otpauth-migration://offline?data=ChoKCkhlbGxvId6tvu8SBGdvb2QaACABKAEwAgogCgpIZWxsbyHerb7vEgdPbGQ6bWQ1GgNPbGQgBCgBMAI%3D";
    let md5_only =
        "otpauth-migration://offline?data=CiAKCkhlbGxvId6tvu8SB09sZDptZDUaA09sZCAEKAEwAg%3D%3D";
    let env = Env::file();
    let out = env.run(&["mfa", "import-migration"], mixed);
    assert!(out.ok().starts_with("imported good:"), "{}", out.stdout);
    assert_eq!(
        out.stderr.trim_end(),
        "iamkit: warning: skipped account #2 \"Old:md5\": its algorithm is MD5, which is not supported"
    );
    assert!(!out.stderr.contains("JBSWY3DPEHPK3PXP"));
    assert!(env.run(&["mfa", "list"], "").ok().starts_with("good\t"));
    // Nothing importable: one error line, exit 2, nothing stored.
    let env = Env::file();
    let out = env.run(&["mfa", "import-migration"], md5_only);
    out.fails(2);
    assert!(
        out.stderr.contains("#1 \"Old:md5\": its algorithm is MD5"),
        "{}",
        out.stderr
    );
    assert_eq!(env.run(&["mfa", "list"], "").ok(), "");
}

#[test]
fn malformed_input_is_one_line_exit_2_without_the_secret() {
    let env = Env::file();
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ";
    for bad in [
        format!("otpauth://totp/x?secret={secret}&digits=11"),
        format!("otpauth://totp/x?secret={secret}&algorithm=MD5"),
        format!("otpauth://totp/x?secret={secret}&period=0"),
        format!("otpauth://hotp/x?secret={secret}"),
        format!("otpauth://xotp/x?secret={secret}"),
        format!("otpauth://totp/x?secret={secret}&secret={secret}"),
        "otpauth://totp/x?issuer=ACME".to_owned(),
        format!("otpauth://totp/x?secret={secret}1!"),
        format!("https://example.com/?secret={secret}"),
        format!("{secret}!!"),
        format!("otpauth-migration://offline?data={secret}"),
        String::new(),
    ] {
        let out = env.run(&["mfa", "add", "bad"], &bad);
        out.fails(2);
        out.hides(secret);
    }
    assert_eq!(env.run(&["mfa", "list"], "").ok(), "");
    // Bad names and flags.
    env.run(&["mfa", "add", ""], SHA1_B32).fails(2);
    env.run(&["mfa", "add", &"n".repeat(65)], SHA1_B32).fails(2);
    env.run(&["mfa", "add", "x", "--issuer", "a:b"], SHA1_B32)
        .fails(2);
    env.run(&["mfa", "code"], "").fails(2);
    env.run(&["mfa", "code", "x", "--time", "soon"], "")
        .fails(2);
    env.run(&["mfa", "code", "x", "--fresh", "--time", "5"], "")
        .fails(2);
    env.run(&["mfa", "code", "x", "--watch", "--json"], "")
        .fails(2);
    // Unknown device: storage error.
    env.run(&["mfa", "code", "never-added"], "").fails(3);
}

#[test]
fn store_errors_exit_3_and_never_show_the_passphrase() {
    let mut env = Env::file();
    env.run(&["mfa", "add", "d"], SHA1_B32).ok();
    // Wrong passphrase.
    env.set("IAMKIT_PASSPHRASE", "wrong passphrase 12345");
    let out = env.run(&["mfa", "code", "d"], "");
    out.fails(3);
    out.hides("wrong passphrase 12345").hides(util::PASSPHRASE);
    let out = env.run(&["mfa", "add", "e"], SHA1_B32);
    out.fails(3);
    out.hides(SHA1_B32);
    // The passphrase from a file (first line) works; a missing file is a storage error.
    let pf = env.path("pass.txt");
    std::fs::write(&pf, format!("{}\nignored\n", util::PASSPHRASE)).unwrap();
    env.unset("IAMKIT_PASSPHRASE");
    env.set("IAMKIT_PASSPHRASE_FILE", pf.to_str().unwrap());
    assert_eq!(
        env.run(&["mfa", "code", "d", "--time", "59"], "").ok(),
        "287082\n"
    );
    env.set(
        "IAMKIT_PASSPHRASE_FILE",
        env.path("nope.txt").to_str().unwrap(),
    );
    env.run(&["mfa", "code", "d"], "").fails(3);
    // No passphrase and no terminal: a clear storage error naming the variables.
    env.unset("IAMKIT_PASSPHRASE_FILE");
    let err = env.run(&["mfa", "code", "d"], "").fails(3).to_owned();
    assert!(err.contains("IAMKIT_PASSPHRASE"), "{err}");
    // Unknown --store value: usage.
    env.set("IAMKIT_PASSPHRASE", util::PASSPHRASE);
    env.run(&["--store", "cloud", "mfa", "list"], "").fails(2);
    env.set("IAMKIT_STORE", "cloud");
    env.run(&["mfa", "list"], "").fails(2);
}

#[test]
fn unreachable_keychain_is_exit_3_one_line() {
    let mut env = Env::file();
    env.set("IAMKIT_STORE", "keychain");
    env.set(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/iamkit-test-bus",
    );
    env.run(&["mfa", "code", "x"], "").fails(3);
    let out = env.run(&["mfa", "add", "x"], SHA1_B32);
    assert!(
        out.fails(3).contains("keychain") || out.stderr.contains("Secret Service"),
        "{}",
        out.stderr
    );
    env.run(&["mfa", "list"], "").fails(3);
    env.run(&["store", "status"], "").fails(3);
    // auto falls back to the file store and says why.
    env.set("IAMKIT_STORE", "auto");
    let st = env.run(&["store", "status", "--json"], "");
    let v = json(st.ok());
    assert_eq!(v["store"], "file");
    assert_eq!(v["selection"], "auto");
    assert!(v["reason"].as_str().unwrap().contains("file"), "{v}");
}

#[test]
fn fresh_waits_for_a_code_not_printed_before() {
    for env in Env::all() {
        let name = env.name("fresh");
        // A 2-second period keeps the wait short.
        env.run(
            &["mfa", "add", &name],
            &format!("otpauth://totp/F:f?secret={SHA1_B32}&issuer=F&period=2"),
        )
        .ok();
        let first = json(env.run(&["mfa", "code", &name, "--json"], "").ok());
        let second = json(
            env.run(&["mfa", "code", &name, "--json", "--fresh"], "")
                .ok(),
        );
        let step_after = unix_now() / 2;
        // Later than the printed code, and no later than the clock's step when it returned: it
        // waited for a new code and printed the current one (bounds, not timings, so a loaded
        // machine cannot fail it).
        let counter = second["counter"].as_u64().unwrap();
        assert!(
            counter > first["counter"].as_u64().unwrap(),
            "{first} {second}"
        );
        assert!(
            counter <= step_after,
            "{second} is ahead of step {step_after}"
        );
        let third = json(
            env.run(&["mfa", "code", &name, "--json", "--fresh"], "")
                .ok(),
        );
        assert!(third["counter"].as_u64().unwrap() > second["counter"].as_u64().unwrap());
        env.run(&["mfa", "remove", &name], "").ok();
    }
}

#[test]
fn copy_without_any_clipboard_still_prints_the_code() {
    let mut env = Env::file();
    env.run(&["mfa", "add", "c"], SHA1_B32).ok();
    // Over SSH only OSC 52 is tried; with no terminal it cannot be sent: a warning, exit 0.
    env.set("SSH_TTY", "/dev/pts/999");
    let out = env.run(&["mfa", "code", "c", "--time", "59", "--copy"], "");
    assert_eq!(out.ok(), "287082\n");
    assert!(!out.stderr.contains("287082"), "{}", out.stderr);
}

#[test]
fn watch_when_piped_prints_one_line_per_code() {
    use std::io::{BufRead, BufReader};
    let env = Env::file();
    env.run(
        &["mfa", "add", "w"],
        &format!("otpauth://totp/W:w?secret={SHA1_B32}&period=2"),
    )
    .ok();
    let started = unix_now();
    let mut child = env
        .command(&["mfa", "code", "w", "--watch"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let a = lines.next().unwrap().unwrap();
    let b = lines.next().unwrap().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let now = unix_now();
    // Each printed code is the device's code for a 2-second step while the command ran.
    let recent: Vec<String> = (started / 2..=now / 2)
        .map(|step| {
            let t = (step * 2).to_string();
            env.run(&["mfa", "code", "w", "--time", &t], "")
                .ok()
                .trim_end()
                .to_owned()
        })
        .collect();
    assert_ne!(a, b, "a new line per new code");
    for code in [&a, &b] {
        assert!(recent.contains(code), "{code:?} not in {recent:?}");
    }
}

#[test]
fn help_lists_every_mfa_command() {
    let env = Env::file();
    let out = env.run(&["mfa", "--help"], "");
    for cmd in [
        "add",
        "code",
        "list",
        "remove",
        "show",
        "import-migration",
        "export-migration",
    ] {
        assert!(out.ok().contains(cmd), "{cmd}");
    }
    let _ = Kind::File;
}
