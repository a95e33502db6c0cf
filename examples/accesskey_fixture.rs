//! Minting a key pair for a test fixture, and inspecting a key ID found in a log.
//!
//! `cargo run -p iamkit-examples --example accesskey_fixture`
//!
//! It checks what it prints (CI runs it): the fixture's account reads back, and the log's key IDs
//! decode to the values published for them.
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use iamkit_accesskey::{AccessKeyId, AccountId, Generation, KeyPair, Prefix};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A test fixture: a long-term key for the fixture's account, handed to the code under test.
    let account: AccountId = "123456789012".parse()?;
    let pair = KeyPair::generate(Prefix::Akia, Some(account))?;
    println!("fixture key ID: {}", pair.id);
    println!(
        "fixture secret: {} characters (not printed)",
        pair.secret.expose_secret().len()
    );
    // Written where the fixture needs it, explicitly:
    let env = [
        ("AWS_ACCESS_KEY_ID", pair.id.to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            pair.secret.expose_secret().to_owned(),
        ),
    ];
    // The debug form of the pair never shows the secret.
    let debug = format!("{pair:?}");
    println!("debug: {debug}");

    let reread: AccessKeyId = env[0].1.parse()?;
    if reread.prefix() != Prefix::Akia
        || reread.generation() != Generation::New
        || reread.account_id() != Some(account)
    {
        return Err(format!("the fixture key {reread} does not carry account {account}").into());
    }
    if env[1].1.len() != 40 || debug.contains(&env[1].1) || !debug.contains(pair.id.as_str()) {
        return Err("the secret is not 40 characters, or the debug form is wrong".into());
    }

    // A log line under review: which key was used, and whose is it?
    let log = "2026-11-27T21:00:00Z GET /bucket/object credential=ASIAY34FZKBOKMUTVV7A/20261127/us-east-1/s3/aws4_request \
               and an old one AKIAIOSFODNN7EXAMPLE, and a typo AKIAIOSFODNN7EXAMPL1";
    let mut found = Vec::new();
    for word in log.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !(word.starts_with("AKIA") || word.starts_with("ASIA")) {
            continue;
        }
        match word.parse::<AccessKeyId>() {
            Ok(id) => {
                let info = id.inspect();
                let account = info
                    .account_id
                    .map_or("unknown (older key)".to_owned(), |a| a.to_string());
                println!(
                    "{id}: {} ({} generation), account {account}",
                    info.kind, info.generation
                );
                found.push((word, Ok((info.generation, account))));
            }
            Err(e) => {
                println!("{word}: not a key ID: {e}");
                found.push((word, Err(e.to_string())));
            }
        }
    }
    // ASIAY34FZKBOKMUTVV7A is the published example of a decodable key (account 609629065308,
    // also what scripts/accesskey-decode.py reads); AWS's documentation key is older.
    let expected = [
        (
            "ASIAY34FZKBOKMUTVV7A",
            Ok((Generation::New, "609629065308".to_owned())),
        ),
        (
            "AKIAIOSFODNN7EXAMPLE",
            Ok((Generation::Old, "unknown (older key)".to_owned())),
        ),
        (
            "AKIAIOSFODNN7EXAMPL1",
            Err(
                "access key ID has '1' at position 20; expected a base32 character [A-Z2-7] \
                 after the prefix"
                    .to_owned(),
            ),
        ),
    ];
    if found[..] != expected[..] {
        return Err(format!("read {found:?}, expected {expected:?}").into());
    }
    Ok(())
}
