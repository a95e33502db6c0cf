//! The shared test vectors: every row of prefixes.tsv and account-decode.tsv.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use iamkit_accesskey::{AccessKeyId, Generation, Prefix};

/// Data rows of `accesskey/<name>` (comments and the header skipped, widths checked).
fn rows(name: &str) -> Vec<Vec<String>> {
    iamkit_testkit::tsv(&format!("accesskey/{name}"))
}

#[test]
fn every_prefix_of_prefixes_tsv() {
    let rows = rows("prefixes.tsv");
    assert!(
        rows.len() >= 12,
        "expected at least 12 prefixes, got {}",
        rows.len()
    );
    let mut seen = BTreeSet::new();
    for row in &rows {
        let (text, entity) = (&row[0], &row[1]);
        let p: Prefix = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.as_str(), text);
        assert_eq!(p.entity(), entity, "entity of {text}");
        assert_eq!(p.to_string(), *text);
        // A key ID with this prefix parses and reports it.
        let id: AccessKeyId = format!("{text}IOSFODNN7EXAMPLE").parse().unwrap();
        assert_eq!(id.prefix(), p);
        assert_eq!(id.kind(), entity);
        seen.insert(p);
    }
    // Prefix::ALL is exactly the rows of the file.
    assert_eq!(seen, Prefix::ALL.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(rows.len(), Prefix::ALL.len());
}

#[test]
fn every_row_of_account_decode_tsv() {
    let rows = rows("account-decode.tsv");
    assert!(
        rows.len() >= 4,
        "expected the worked examples, got {}",
        rows.len()
    );
    for row in &rows {
        let (key, flag, account) = (&row[0], &row[1], &row[2]);
        let id: AccessKeyId = key.parse().unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(id.as_str(), key);
        let expected_gen = match flag.as_str() {
            "1" => Generation::New,
            "0" => Generation::Old,
            other => panic!("bad generation column {other:?}"),
        };
        assert_eq!(id.generation(), expected_gen, "generation of {key}");
        let got = id.account_id().map(|a| a.to_string());
        let want = (account != "-").then(|| account.clone());
        assert_eq!(got, want, "account of {key}");
        // The inspection JSON says the same.
        let json = serde_json::to_value(id.inspect()).unwrap();
        assert_eq!(json["access_key_id"], key.as_str());
        assert_eq!(json["prefix"], &key[..4]);
        assert_eq!(json["kind"], id.prefix().entity());
        match &want {
            Some(a) => assert_eq!(json["account_id"], a.as_str()),
            None => assert!(json["account_id"].is_null()),
        }
        // Rebuilding the ID from its 80 bits gives it back.
        assert_eq!(AccessKeyId::from_payload(id.prefix(), id.payload()), id);
    }
}
