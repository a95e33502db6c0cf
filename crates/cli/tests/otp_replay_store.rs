//! `iamkit otp verify … --replay-store URL --account ID` against real `redis-server` processes
//! on loopback ports (a single server and a three-master Redis Cluster), started and stopped here.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
mod util;

use std::process::{Child, Output};

use iamkit_redis_testkit::{RedisCluster, RedisServer, command};

/// RFC 6238's SHA1 seed, ASCII "12345678901234567890".
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// RFC 6238 Appendix B: at 59 s the SHA1 8-digit code is 94287082, so 6 digits: 287082.
const T: &str = "59";
const CODE: &str = "287082";

/// Starts `iamkit ARGS` with `env` and the seed on stdin.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = util::command(args);
    cmd.envs(env.iter().copied());
    util::spawn(cmd, format!("{SEED}\n").as_bytes())
}

fn verify(code: &str, time: &str, url: &str, account: &str) -> Child {
    spawn(
        &[
            "otp",
            "verify",
            code,
            "--time",
            time,
            "--replay-store",
            url,
            "--account",
            account,
        ],
        &[],
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `n` verifications of the same code at once; returns their outputs.
fn race(n: usize, code: &str, time: &str, url: &str, account: &str) -> Vec<Output> {
    let children: Vec<Child> = (0..n).map(|_| verify(code, time, url, account)).collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// Exactly one process accepted (exit 0, offset printed); every other one said
/// `iamkit: code already used` with exit 1.
fn assert_exactly_one_accepted(outs: &[Output]) {
    let ok: Vec<&Output> = outs.iter().filter(|o| o.status.code() == Some(0)).collect();
    assert_eq!(ok.len(), 1, "{outs:#?}");
    assert_eq!(String::from_utf8_lossy(&ok[0].stdout), "0\n");
    for o in outs.iter().filter(|o| o.status.code() != Some(0)) {
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        assert_eq!(stderr(o), "iamkit: code already used\n");
    }
}

#[test]
fn concurrent_processes_on_a_single_redis_accept_a_code_once() {
    let server = RedisServer::start();
    let url = server.url();
    assert_exactly_one_accepted(&race(16, CODE, T, &url, "alice@example.com"));
    // Another account is tracked apart; the same code is fresh there.
    assert_exactly_one_accepted(&race(4, CODE, T, &url, "bob@example.com"));
    // An earlier step (the code of 0..29 s, one step back at 59 s) is refused once a later
    // one was accepted, even though it is inside the window.
    let earlier = util::run(&["otp", "code", "--time", "29"], &[], format!("{SEED}\n"))
        .ok()
        .to_owned();
    let o = verify(earlier.trim(), T, &url, "alice@example.com")
        .wait_with_output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "iamkit: code already used\n");
    // A wrong code is `invalid code` and records nothing.
    let o = verify("000000", T, &url, "carol")
        .wait_with_output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "iamkit: invalid code\n");
    assert_eq!(
        command(server.port(), "EXISTS iamkit:otp:{carol}:last").unwrap(),
        ":0\r\n"
    );
    // The next step's code (at 60 s) is accepted after the earlier one.
    let o = verify("359152", "60", &url, "alice@example.com")
        .wait_with_output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}

#[test]
fn concurrent_processes_on_a_redis_cluster_accept_a_code_once_per_account() {
    let cluster = RedisCluster::start();
    let url = cluster.url();
    // Two accounts on each of the three masters (names close to each other often share one).
    let mut per_master: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    for i in 0..200 {
        let a = format!("user{i}@example.com");
        let m = per_master
            .entry(cluster.port_of_key(&format!("iamkit:otp:{{{a}}}:last")))
            .or_default();
        if m.len() < 2 {
            m.push(a);
        }
        if per_master.len() == 3 && per_master.values().all(|v| v.len() == 2) {
            break;
        }
    }
    let accounts: Vec<String> = per_master.values().flatten().cloned().collect();
    let masters: BTreeSet<&u16> = per_master.keys().collect();
    assert_eq!((masters.len(), accounts.len()), (3, 6), "{per_master:?}");
    // All accounts at once: 6 × 5 processes.
    let children: Vec<(usize, Child)> = (0..5)
        .flat_map(|_| {
            accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (i, verify(CODE, T, &url, a)))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut per: Vec<Vec<Output>> = vec![Vec::new(); accounts.len()];
    for (i, c) in children {
        per[i].push(c.wait_with_output().unwrap());
    }
    for outs in &per {
        assert_exactly_one_accepted(outs);
    }
}

#[test]
fn a_stopped_server_is_exit_3_and_accepts_nothing_until_it_is_back() {
    let mut server = RedisServer::start();
    let url = server.url();
    assert_exactly_one_accepted(&race(2, CODE, T, &url, "alice"));
    server.kill();
    // The next step's code is valid, but it cannot be recorded: exit 3, never 0.
    for o in race(6, "359152", "60", &url, "alice") {
        assert_eq!(o.status.code(), Some(3), "{o:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with("iamkit: the Redis replay store at redis://127.0.0.1:"),
            "{e}"
        );
        assert!(o.stdout.is_empty());
    }
    server.restart();
    // Back: the code refused while the store was down is accepted now, once; the old one is
    // still remembered (the server's append-only file).
    assert_exactly_one_accepted(&race(4, "359152", "60", &url, "alice"));
    let o = verify(CODE, T, &url, "alice").wait_with_output().unwrap();
    assert_eq!(stderr(&o), "iamkit: code already used\n");
}

#[test]
fn flags_and_urls_are_checked_and_passwords_stay_out_of_errors() {
    let server = RedisServer::start();
    command(server.port(), "CONFIG SET requirepass pw-s3cret").unwrap();
    let port = server.port().to_string();
    let base = format!("redis://127.0.0.1:{port}");
    // The password from the environment, not the command line.
    let run = |args: &[&str], env: &[(&str, &str)]| spawn(args, env).wait_with_output().unwrap();
    let args = |url: &'static str| -> Vec<String> {
        vec![
            "otp".into(),
            "verify".into(),
            CODE.into(),
            "--time".into(),
            T.into(),
            "--replay-store".into(),
            url.into(),
            "--account".into(),
            "alice".into(),
        ]
    };
    let leak = |s: &str| Box::leak(s.to_owned().into_boxed_str()) as &'static str;
    let a = args(leak(&base));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = run(&a, &[("IAMKIT_REPLAY_STORE_PASSWORD", "pw-s3cret")]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // A wrong password: exit 3, and neither password appears.
    let wrong = format!("redis://:pw-wrong@127.0.0.1:{port}");
    let a = args(leak(&wrong));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = run(&a, &[]);
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    assert!(!stderr(&o).contains("pw-"), "{}", stderr(&o));
    // Usage errors: exit 2.
    for (a, want) in [
        (
            vec!["otp", "verify", CODE, "--account", "alice"],
            "required",
        ),
        (
            vec![
                "otp",
                "verify",
                CODE,
                "--replay-store",
                "memcached://:pw-x@h:1",
                "--account",
                "a",
            ],
            "unknown scheme",
        ),
        (
            vec![
                "otp",
                "verify",
                CODE,
                "--replay-store",
                leak(&base),
                "--account",
                "",
            ],
            "--account is empty",
        ),
        (
            vec![
                "otp",
                "verify",
                CODE,
                "--hotp",
                "--counter",
                "0",
                "--replay-store",
                leak(&base),
                "--account",
                "a",
            ],
            "for TOTP",
        ),
    ] {
        let o = run(&a, &[]);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {o:?}");
        assert!(stderr(&o).contains(want), "{a:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("pw-x"));
    }
}

#[test]
fn rediss_with_the_servers_ca() {
    let server = RedisServer::start_tls();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem()).unwrap();
    let url = server.url();
    let args = [
        "otp",
        "verify",
        CODE,
        "--time",
        T,
        "--replay-store",
        &url,
        "--account",
        "alice",
        "--replay-store-ca",
        ca.to_str().unwrap(),
    ];
    let o = spawn(&args, &[]).wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let o = spawn(&args, &[]).wait_with_output().unwrap();
    assert_eq!(stderr(&o), "iamkit: code already used\n");
    // Without the CA the server's certificate is not trusted: exit 3.
    let o = spawn(&args[..9], &[]).wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{o:?}");
}
