//! Differential test: an independent Python decoder (scripts/accesskey-decode.py, the published
//! formula) reads back the account embedded in IDs we generate.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use iamkit_accesskey::{AccessKeyId, AccountId, Prefix};

/// Runs the decoder on these key IDs; one output line per ID.
fn decode(py: &Path, ids: &[String]) -> Vec<String> {
    let input = ids.join("\n") + "\n";
    let out = iamkit_testkit::run_script(py, "accesskey-decode.py", input.into_bytes());
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn python_decoder_reads_back_generated_accounts() {
    let Some(py) = iamkit_testkit::python_with(&[]) else {
        return;
    };

    // First the decoder itself against the published worked examples.
    let table =
        iamkit_testkit::Table::read(&iamkit_testkit::vectors("accesskey/account-decode.tsv"));
    let (id_col, account_col) = (table.column("key_id"), table.column("account_id"));
    let rows: Vec<(String, String)> = table
        .rows
        .iter()
        .map(|f| (f[id_col].clone(), f[account_col].clone()))
        .collect();
    assert!(rows.len() >= 4);
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let want: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    assert_eq!(
        decode(&py, &ids),
        want,
        "the decoder disagrees with the vectors"
    );

    // Then ~1000 of ours: known accounts over the whole range and every prefix, plus some
    // generated without an account (the decoder must read none).
    let mut ids = Vec::new();
    let mut want = Vec::new();
    let edges = [0, 1, 999_999_999_999, 123_456_789_012, 609_629_065_308];
    for i in 0..1000u64 {
        let prefix = Prefix::ALL[(i % 12) as usize];
        let n = edges
            .get(i as usize)
            .copied()
            .unwrap_or((i * 1_000_000_007 + i * i * 7919) % 1_000_000_000_000);
        let account = AccountId::from_u64(n).unwrap();
        let id = AccessKeyId::generate(prefix, Some(account)).unwrap();
        ids.push(id.to_string());
        want.push(account.to_string());
    }
    for prefix in Prefix::ALL {
        // a random account: Python must read the one our parser reads
        let id = AccessKeyId::generate(prefix, None).unwrap();
        want.push(id.account_id().unwrap().to_string());
        ids.push(id.to_string());
    }
    let got = decode(&py, &ids);
    assert_eq!(got.len(), ids.len());
    for ((id, g), w) in ids.iter().zip(&got).zip(&want) {
        assert_eq!(g, w, "Python read {g} from {id}, expected {w}");
    }
}
