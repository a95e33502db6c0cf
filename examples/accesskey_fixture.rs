//! Minting a key pair for a test fixture, and inspecting a key ID found in a log.
//!
//! `cargo run -p iamkit-examples --example accesskey_fixture`

use iamkit_accesskey::{AccessKeyId, AccountId, Error, KeyPair, Prefix};

fn main() -> Result<(), Error> {
    // A test fixture: a long-term key for the fixture's account, handed to the code under test.
    let account: AccountId = "123456789012".parse()?;
    let pair = KeyPair::generate(Prefix::Akia, Some(account))?;
    println!("fixture key ID: {}", pair.id);
    println!(
        "fixture secret: {} characters (not printed)",
        pair.secret.expose_secret().len()
    );
    // Written where the fixture needs it, explicitly:
    let _env = [
        ("AWS_ACCESS_KEY_ID", pair.id.to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            pair.secret.expose_secret().to_owned(),
        ),
    ];
    // The debug form of the pair never shows the secret.
    println!("debug: {pair:?}");

    // A log line under review: which key was used, and whose is it?
    let log = "2026-11-27T21:00:00Z GET /bucket/object credential=ASIAY34FZKBOKMUTVV7A/20261127/us-east-1/s3/aws4_request \
               and an old one AKIAIOSFODNN7EXAMPLE, and a typo AKIAIOSFODNN7EXAMPL1";
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
            }
            Err(e) => println!("{word}: not a key ID: {e}"),
        }
    }
    Ok(())
}
