//! Black-box tests of `iamkit key …` through the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod util;

/// Success, nothing on stderr; stdout.
#[track_caller]
fn ok(args: &[&str]) -> String {
    util::run(args, &[], "").quiet().to_owned()
}

/// Usage error (exit 2) in the contract's form; stderr.
#[track_caller]
fn fails_2(args: &[&str]) -> String {
    util::run(args, &[], "").fails(2).to_owned()
}

fn is_base32(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// The published decoder (`shared/vectors/accesskey/account-decode.tsv`), written again here.
fn decode_account(id: &str) -> Option<String> {
    let mut bits: u128 = 0;
    for b in id[4..].bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'2'..=b'7' => b - b'2' + 26,
            _ => unreachable!(),
        };
        bits = (bits << 5) | u128::from(v);
    }
    let z = (bits >> 32) as u64; // first 48 of 80 bits
    (z >> 47 == 1).then(|| format!("{:012}", (z & 0x7FFF_FFFF_FF80) >> 7))
}

#[test]
fn new_prints_id_then_secret() {
    let out = ok(&["key", "new"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].len(), 20);
    assert!(lines[0].starts_with("AKIA") && is_base32(&lines[0][4..]));
    assert_eq!(lines[1].len(), 40);
    assert!(
        lines[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    );
}

#[test]
fn new_embeds_the_account_for_every_prefix() {
    for prefix in ["AKIA", "ASIA", "AROA", "AIDA"] {
        for account in ["123456789012", "000000000001", "999999999999"] {
            let out = ok(&[
                "key",
                "new",
                "--prefix",
                prefix,
                "--account",
                account,
                "--json",
            ]);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let id = v["access_key_id"].as_str().unwrap();
            assert!(id.starts_with(prefix));
            assert_eq!(decode_account(id).as_deref(), Some(account));
            assert_eq!(v["secret_access_key"].as_str().unwrap().len(), 40);
            let inspected = ok(&["key", "inspect", id, "--json"]);
            let w: serde_json::Value = serde_json::from_str(&inspected).unwrap();
            assert_eq!(w["account_id"], account);
            assert_eq!(w["prefix"], prefix);
        }
    }
}

#[test]
fn new_rejects_bad_accounts_and_prefixes() {
    for a in [
        "12345678901",
        "1234567890123",
        "12345678901a",
        "-12345678901",
        "",
    ] {
        fails_2(&["key", "new", "--account", a]);
    }
    fails_2(&["key", "new", "--prefix", "AKIB"]);
}

#[test]
fn inspect_reads_the_published_examples() {
    let rows = [
        ("ASIAY34FZKBOKMUTVV7A", Some("609629065308")),
        ("ASIAQNZGKIQY56JQ7WML", Some("029608264753")),
        ("AKIA6RVFFB77RE7OLMKI", Some("999999999999")),
        ("AKIAIOSFODNN7EXAMPLE", None),
    ];
    for (id, account) in rows {
        let out = ok(&["key", "inspect", id, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["access_key_id"], id);
        assert_eq!(v["prefix"], &id[..4]);
        assert_eq!(
            v["account_id"],
            account.map_or(serde_json::Value::Null, Into::into)
        );
        assert!(v["kind"].as_str().unwrap().len() > 3);
        let text = ok(&["key", "inspect", id]);
        assert!(text.contains(id));
    }
}

#[test]
fn inspect_malformed_ids_name_the_reason() {
    let e = fails_2(&["key", "inspect", "AKIAIOSFODNN7EXAMPL"]);
    assert!(e.contains("20") && e.contains("19"), "{e}");
    let e = fails_2(&["key", "inspect", "AKIAIOSFODNN7EXAMPL1"]);
    assert!(e.contains("'1'") && e.contains("20"), "{e}");
    let e = fails_2(&["key", "inspect", "AKIAiOSFODNN7EXAMPLE"]);
    assert!(e.contains("'i'") && e.contains("5"), "{e}");
    let e = fails_2(&["key", "inspect", "ZZZZIOSFODNN7EXAMPLE"]);
    assert!(e.contains("ZZZZ"), "{e}");
}
