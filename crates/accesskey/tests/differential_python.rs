//! Differential test: an independent Python decoder (scripts/accesskey-decode.py, the published
//! formula) reads back the account embedded in IDs we generate.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iamkit_accesskey::{AccessKeyId, AccountId, Prefix};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python to run, or `None` (after a note) when it is missing and peers are optional.
fn python() -> Option<PathBuf> {
    let py = std::env::var_os("IAMKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let works = Command::new(&py)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(py);
    }
    if std::env::var("IAMKIT_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!(
            "peer missing: no Python at {} (IAMKIT_REQUIRE_PEERS=1)",
            py.display()
        );
    }
    eprintln!(
        "note: skipping the Python differential test: no Python at {}",
        py.display()
    );
    None
}

/// Runs the decoder on these key IDs; one output line per ID.
fn decode(py: &Path, ids: &[String]) -> Vec<String> {
    let script = workspace().join("scripts/accesskey-decode.py");
    let mut child = Command::new(py)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python decoder");
    let input = ids.join("\n") + "\n";
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "decoder failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn python_decoder_reads_back_generated_accounts() {
    let Some(py) = python() else { return };

    // First the decoder itself against the published worked examples.
    let vectors = workspace().join("../shared/vectors/accesskey/account-decode.tsv");
    let text = std::fs::read_to_string(&vectors).unwrap();
    let rows: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("key_id") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[2].to_owned())
        })
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
