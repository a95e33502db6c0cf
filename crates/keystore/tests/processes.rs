//! Crash and concurrency tests for the file store, with real processes: this test binary
//! re-runs itself (only `child_process_entry`, with `IAMKIT_KEYSTORE_TEST_CHILD` set) as the
//! writer that is killed, or as one of several concurrent writers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{bytes, file_opts};
use iamkit_keystore::{FileStore, MfaDevice, Overwrite, RecordKind, Store};

const CHILD: &str = "IAMKIT_KEYSTORE_TEST_CHILD";
const PASS: &str = "concurrent passphrase";
const BIG: usize = 4096;

/// Version `v` of the record the crash test rewrites: the account names the version and the
/// secret is derived from it, so a torn or mixed record is detected.
fn version(v: u64) -> MfaDevice {
    MfaDevice::totp(format!("v{v}"), bytes(v, BIG))
}

fn check_version(d: &MfaDevice) -> u64 {
    let v: u64 = d.account.strip_prefix('v').unwrap().parse().unwrap();
    assert!(
        d.secret[..] == bytes(v, BIG)[..],
        "record v{v} has a foreign secret"
    );
    v
}

fn spawn(mode: &str, dir: &Path, arg: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(CHILD, mode)
        .env("IAMKIT_TEST_DIR", dir)
        .env("IAMKIT_TEST_ARG", arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The child side, run by the tests below (`--ignored --exact child_process_entry` with
/// `IAMKIT_KEYSTORE_TEST_CHILD` set). Ignored, so a normal run does not count it as a test
/// that passed; run on its own (`--ignored`) it does nothing.
#[test]
#[ignore = "the child process of the tests in this file, run by them"]
fn child_process_entry() {
    let Ok(mode) = std::env::var(CHILD) else {
        eprintln!("note: child_process_entry only runs as a child of the tests in this file");
        return;
    };
    let dir = std::path::PathBuf::from(std::env::var("IAMKIT_TEST_DIR").unwrap());
    let arg = std::env::var("IAMKIT_TEST_ARG").unwrap();
    let store = FileStore::open(file_opts(&dir, PASS)).unwrap();
    match mode.as_str() {
        // Rewrite one record forever, until killed.
        "rewrite" => {
            let start: u64 = arg.parse().unwrap();
            for v in start.. {
                store
                    .put_mfa("victim", &version(v), Overwrite::Allow)
                    .unwrap();
                println!("wrote {v}");
            }
        }
        // Add records "<arg>-0" .. "<arg>-14".
        "add" => {
            for j in 0..15 {
                let name = format!("{arg}-{j}");
                store
                    .put_mfa(
                        &name,
                        &MfaDevice::totp(&name, bytes(j, 20)),
                        Overwrite::Refuse,
                    )
                    .unwrap();
            }
        }
        // Claim TOTP steps 1..=40 for "shared"; print the ones this process won.
        "claim" => {
            for step in 1..=40u64 {
                let prev = store.set_last_printed_step("shared", step).unwrap();
                if prev.is_none_or(|p| p < step) {
                    println!("won {step}");
                }
            }
        }
        // Take ten HOTP counters of "counter"; print each.
        "take" => {
            for _ in 0..10 {
                println!("took {}", store.take_hotp_counter("counter").unwrap());
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

#[test]
fn killing_a_writer_mid_write_leaves_the_old_or_the_new_record() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(file_opts(tmp.path(), PASS)).unwrap();
    store
        .put_mfa("victim", &version(0), Overwrite::Refuse)
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut interrupted = 0u64;
    let rounds = 40u64;
    for round in 0..rounds {
        let mut child = spawn("rewrite", tmp.path(), &(1 + round * 1_000_000).to_string());
        // Wait until the writer is in its loop (it reports its first write), then kill it
        // after a pseudo-random 0..30 ms: somewhere inside a later write.
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.starts_with("wrote ") {
            line.clear();
            assert!(
                std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0,
                "writer died"
            );
        }
        let delay = u64::from(bytes(round, 1)[0]) * 30 / 255;
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let torn_temp = std::fs::read_dir(tmp.path().join("mfa")).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        });
        interrupted += u64::from(torn_temp);
        let d = store.get_mfa("victim").unwrap();
        seen.insert(check_version(&d));
        assert_eq!(store.list(RecordKind::Mfa).unwrap(), ["victim"]);
    }
    // Every round's writer wrote at least once, so each round must have left a new version.
    assert!(
        seen.len() as u64 == rounds,
        "writers wrote too little to test anything: versions seen {seen:?}"
    );
    // Some kills must have hit a write in progress (a temporary file was left behind).
    eprintln!("{interrupted} of {rounds} kills interrupted a write");
    assert!(interrupted > 0, "no kill hit a write in progress");
    // Temporary files left by killed writers are cleaned up by the next write.
    store
        .put_mfa("victim", &version(7), Overwrite::Allow)
        .unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join("mfa"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "victim.age")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(check_version(&store.get_mfa("victim").unwrap()), 7);
}

#[test]
fn concurrent_processes_and_threads_lose_no_record() {
    // Starts from nothing: the writers also race to create the store.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let children: Vec<Child> = (0..4)
        .map(|i| spawn("add", &dir, &format!("proc{i}")))
        .collect();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let dir = &dir;
            s.spawn(move || {
                let store = FileStore::open(file_opts(dir, PASS)).unwrap();
                for j in 0..15u64 {
                    let name = format!("thread{t}-{j}");
                    store
                        .put_mfa(
                            &name,
                            &MfaDevice::totp(&name, bytes(j, 20)),
                            Overwrite::Refuse,
                        )
                        .unwrap();
                }
            });
        }
    });
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
    }
    let store = FileStore::open(file_opts(&dir, PASS)).unwrap();
    let names = store.list(RecordKind::Mfa).unwrap();
    assert_eq!(names.len(), 8 * 15, "{names:?}");
    for name in &names {
        let d = store.get_mfa(name).unwrap();
        assert_eq!(&d.account, name);
        let j: u64 = name.rsplit('-').next().unwrap().parse().unwrap();
        assert!(d.secret[..] == bytes(j, 20)[..]);
    }
}

#[test]
fn each_step_is_claimed_by_exactly_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(file_opts(tmp.path(), PASS)).unwrap();
    store
        .put_mfa(
            "shared",
            &MfaDevice::totp("s", bytes(1, 20)),
            Overwrite::Refuse,
        )
        .unwrap();
    let children: Vec<Child> = (0..4).map(|_| spawn("claim", tmp.path(), "")).collect();
    let mut won = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            if let Some(step) = line.strip_prefix("won ") {
                won.push(step.parse::<u64>().unwrap());
            }
        }
    }
    won.sort();
    assert_eq!(
        won,
        (1..=40).collect::<Vec<_>>(),
        "a step was claimed twice or never"
    );
    assert_eq!(store.get_mfa("shared").unwrap().last_printed_step, Some(40));
}

/// Regression test for `mfa code` on an HOTP device, which read the counter and then wrote
/// counter + 1 in two steps: two processes at once could both print the same code.
#[test]
fn each_hotp_counter_is_taken_by_exactly_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(file_opts(tmp.path(), PASS)).unwrap();
    let mut dev = MfaDevice::totp("c", bytes(2, 20));
    dev.params = iamkit_otp::Params::of(iamkit_otp::Kind::Hotp);
    dev.counter = Some(5);
    store.put_mfa("counter", &dev, Overwrite::Refuse).unwrap();
    let children: Vec<Child> = (0..4).map(|_| spawn("take", tmp.path(), "")).collect();
    let mut taken = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            if let Some(n) = line.strip_prefix("took ") {
                taken.push(n.parse::<u64>().unwrap());
            }
        }
    }
    taken.sort();
    assert_eq!(
        taken,
        (5..45).collect::<Vec<_>>(),
        "a counter was taken twice or never"
    );
    assert_eq!(store.get_mfa("counter").unwrap().counter, Some(45));
}
