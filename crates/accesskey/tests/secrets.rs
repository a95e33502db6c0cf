//! Secrets stay secret: redacted Debug, no serialisation unless asked for explicitly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_accesskey::{AccountId, KeyPair, Prefix, SecretAccessKey};

#[test]
fn debug_is_redacted() {
    let pair = KeyPair::generate(Prefix::Akia, Some("123456789012".parse().unwrap())).unwrap();
    let secret = pair.secret.expose_secret().to_owned();
    for shown in [
        format!("{:?}", pair.secret),
        format!("{:#?}", pair.secret),
        format!("{pair:?}"),
        format!("{pair:#?}"),
        format!("{:?}", pair.with_secret_exposed()),
    ] {
        assert!(!shown.contains(&secret), "secret leaked in {shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
    assert!(format!("{pair:?}").contains(pair.id.as_str()));
    let parsed = SecretAccessKey::parse("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap();
    assert_eq!(format!("{parsed:?}"), "SecretAccessKey([redacted])");
}

#[test]
fn serde_never_leaks_the_secret() {
    let account: AccountId = "029608264753".parse().unwrap();
    let pair = KeyPair::generate(Prefix::Asia, Some(account)).unwrap();
    let secret = pair.secret.expose_secret();
    let public = serde_json::to_string(&pair).unwrap();
    assert_eq!(public, format!(r#"{{"access_key_id":"{}"}}"#, pair.id));
    assert!(!public.contains(secret));
    let inspected = serde_json::to_string(&pair.id.inspect()).unwrap();
    assert!(!inspected.contains(secret));
    assert_eq!(
        inspected,
        format!(
            r#"{{"access_key_id":"{}","prefix":"ASIA","kind":"Temporary (AWS STS) access key","account_id":"029608264753","generation":"new"}}"#,
            pair.id
        )
    );
}

#[test]
fn exposed_wrapper_writes_both() {
    let pair = KeyPair::generate(Prefix::Akia, None).unwrap();
    let json = serde_json::to_string(&pair.with_secret_exposed()).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"access_key_id":"{}","secret_access_key":"{}"}}"#,
            pair.id,
            pair.secret.expose_secret()
        )
    );
    // "/" is not escaped by serde_json, so the secret appears verbatim.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["secret_access_key"], pair.secret.expose_secret());
}

#[test]
fn ids_and_accounts_round_trip_through_serde() {
    let pair = KeyPair::generate(Prefix::Aroa, Some("999999999999".parse().unwrap())).unwrap();
    let s = serde_json::to_string(&pair.id).unwrap();
    assert_eq!(s, format!("\"{}\"", pair.id));
    let back: iamkit_accesskey::AccessKeyId = serde_json::from_str(&s).unwrap();
    assert_eq!(back, pair.id);
    let a: AccountId = serde_json::from_str("\"000000000042\"").unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), "\"000000000042\"");
    assert!(serde_json::from_str::<AccountId>("\"42\"").is_err());
    assert!(serde_json::from_str::<iamkit_accesskey::AccessKeyId>("\"AKIA\"").is_err());
    let p: Prefix = serde_json::from_str("\"ASIA\"").unwrap();
    assert_eq!(p, Prefix::Asia);
}
