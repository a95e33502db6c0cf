//! `RedisStore` against real `redis-server` processes on loopback ports (Debian's redis-server;
//! `scripts/test` installs it): one single server and a three-master Redis Cluster, each started
//! and stopped by the test that uses it.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use iamkit_otp::replay::{ReplayProtectedVerifier, ReplayStore, record_ttl};
use iamkit_otp::throttle::{MemoryThrottleStore, ThrottlePolicy, ThrottleStore, Throttled};
use iamkit_otp::{Refused, Secret, Totp, Window};
use iamkit_redis_testkit::{RedisCluster, RedisServer, command};
use iamkit_replay_redis::{Error, RedisStore};
use zeroize::Zeroizing;

const NOW: u64 = 1_700_000_000;

fn totp() -> Totp {
    Totp::builder(Secret::from_bytes(b"12345678901234567890").unwrap())
        .build()
        .unwrap()
}

/// A store whose throttle never steps in (these tests replay codes on purpose, and each replay
/// counts as a failure); the throttle has tests of its own below.
fn store(url: &str) -> RedisStore {
    RedisStore::builder(url)
        .throttle_policy(ThrottlePolicy {
            free_attempts: u32::MAX,
            delay_step: 0,
            max_delay: 0,
            lockout_after: None,
        })
        .connect_timeout(Duration::from_millis(500))
        .response_timeout(Duration::from_millis(1000))
        .build()
        .unwrap()
}

#[test]
fn single_refuses_the_same_and_earlier_steps_and_expires_records() {
    let server = RedisServer::start();
    let store = store(&server.url());
    store.ping().unwrap();
    let totp = totp();
    let v = ReplayProtectedVerifier::new(&totp, &store);
    let step = totp.step_at(NOW);
    let (prev, cur, next) = (
        totp.generate(NOW - 30),
        totp.generate(NOW),
        totp.generate(NOW + 30),
    );
    assert_eq!(v.verify("alice", cur.as_str(), NOW).unwrap().step, step);
    assert!(matches!(
        v.verify("alice", cur.as_str(), NOW),
        Err(Refused::Invalid)
    ));
    assert!(matches!(
        v.verify("alice", prev.as_str(), NOW),
        Err(Refused::Invalid)
    ));
    assert_eq!(v.verify("bob", prev.as_str(), NOW).unwrap().offset, -1);
    assert_eq!(v.verify("alice", next.as_str(), NOW).unwrap().offset, 1);
    assert_eq!(store.last_step("alice").unwrap(), Some(step + 1));
    assert_eq!(store.last_step("carol").unwrap(), None);
    // The record of step+1 lives until step+1 leaves the window (the start of step+3), plus
    // the default 60 s margin; the hash tag puts both of alice's keys in one slot.
    let ttl = command(server.port(), "TTL iamkit:otp:{alice}:last").unwrap();
    let expected = record_ttl(&totp, Window::default(), step + 1, NOW) + 60;
    assert_eq!(ttl.trim(), format!(":{expected}"));
    assert_eq!(expected, (step + 3) * 30 - NOW + 60);
    // Steps compare as numbers for every u64, also beyond 2^53 where Lua's doubles round.
    let big = (1u64 << 53) + 1;
    assert!(store.check_and_record("big", big, 10).is_ok());
    assert!(matches!(
        store.check_and_record("big", big - 1, 10),
        Err(Refused::Replayed)
    ));
    assert!(matches!(
        store.check_and_record("big", big, 10),
        Err(Refused::Replayed)
    ));
    assert!(store.check_and_record("big", u64::MAX, 10).is_ok());
    assert!(store.check_and_record("big", 99, 10).is_err());
    // A record expires: it is gone after its ttl (1 s here, margin 0).
    let short = RedisStore::builder(server.url())
        .expiry_margin(0)
        .build()
        .unwrap();
    short.check_and_record("eve", 5, 1).unwrap();
    assert_eq!(short.last_step("eve").unwrap(), Some(5));
    let deadline = Instant::now() + Duration::from_secs(10);
    while short.last_step("eve").unwrap().is_some() {
        assert!(Instant::now() < deadline, "the record did not expire");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn one_round_trip_per_verification() {
    let server = RedisServer::start();
    let store = store(&server.url());
    let totp = totp();
    let window = Window::default();
    // Warm up: the first call loads the scripts (EVALSHA, SCRIPT LOAD, EVALSHA once).
    store
        .verify(&totp, window, "warm", totp.generate(NOW).as_str(), NOW)
        .unwrap();
    let v = ReplayProtectedVerifier::new(&totp, &store);
    v.verify("warm2", totp.generate(NOW).as_str(), NOW).unwrap();

    let sent = server.client_commands(|| {
        for i in 0..20u64 {
            let now = NOW + 30 * i;
            let code = totp.generate(now);
            store
                .verify(&totp, window, "alice", code.as_str(), now)
                .unwrap();
            v.verify("bob", code.as_str(), now).unwrap();
            let _ = store.verify(&totp, window, "carol", "000000", now);
        }
    });
    // 60 verifications, 60 commands: one EVALSHA each.
    assert_eq!(sent.len(), 60, "{sent:#?}");
    assert!(sent.iter().all(|c| c.contains("\"EVALSHA\"")), "{sent:#?}");

    // Pipelined: 50 check-and-records written at once, one round trip.
    let items: Vec<(String, u64)> = (0..50).map(|i| (format!("user{i}"), 7)).collect();
    let batch: Vec<(&str, u64, u64)> = items.iter().map(|(c, s)| (c.as_str(), *s, 60)).collect();
    let mut r = Vec::new();
    let sent = server.client_commands(|| r = store.check_and_record_many(&batch).unwrap());
    assert_eq!(sent.len(), 50);
    assert!(r.iter().all(Result::is_ok));
    let r = store.check_and_record_many(&batch).unwrap();
    assert!(r.iter().all(|r| matches!(r, Err(Refused::Replayed))));
}

#[test]
fn the_throttle_in_redis_follows_the_rules_of_throttle() {
    let server = RedisServer::start();
    let policy = ThrottlePolicy {
        free_attempts: 2,
        delay_step: 7,
        max_delay: 30,
        lockout_after: Some(9),
    };
    let redis = RedisStore::builder(server.url())
        .throttle_policy(policy)
        .build()
        .unwrap();
    let memory = MemoryThrottleStore::new(policy);
    // A deterministic pseudo-random walk of checks, failures and successes over three users.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut now = NOW;
    for _ in 0..600 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let user = ["u1", "u2", "u3"][(x % 3) as usize];
        now += (x >> 8) % 12;
        match (x >> 4) % 8 {
            0 => {
                redis.record_success(user).unwrap();
                memory.record_success(user).unwrap();
            }
            1 | 2 => {
                let (a, b) = (redis.check(user, now), memory.check(user, now));
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            _ => {
                redis.record_failure(user, now).unwrap();
                memory.record_failure(user, now).unwrap();
            }
        }
        assert_eq!(redis.state(user).unwrap(), memory.state(user).unwrap());
    }
}

#[test]
fn verify_throttles_guessing_and_a_success_clears_it() {
    let server = RedisServer::start();
    let policy = ThrottlePolicy {
        free_attempts: 3,
        delay_step: 10,
        max_delay: 300,
        lockout_after: Some(6),
    };
    let store = RedisStore::builder(server.url())
        .throttle_policy(policy)
        .build()
        .unwrap();
    let totp = totp();
    let w = Window::default();
    let wrong = if totp.generate(NOW).as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        assert!(matches!(
            store.verify(&totp, w, "alice", wrong, NOW),
            Err(Refused::Invalid)
        ));
    }
    // Fourth failure: 10 s to wait; a right code is not even tried meanwhile.
    let good = totp.generate(NOW);
    assert!(matches!(
        store.verify(&totp, w, "alice", good.as_str(), NOW + 3),
        Err(Refused::Throttled(Throttled::RetryAfter { seconds: 7 }))
    ));
    assert_eq!(store.last_step("alice").unwrap(), None);
    assert!(
        store
            .verify(&totp, w, "alice", good.as_str(), NOW + 10)
            .is_ok()
    );
    assert_eq!(store.state("alice").unwrap().failures(), 0);
    // A replay counts as a failure.
    assert!(
        store
            .verify(&totp, w, "alice", good.as_str(), NOW + 10)
            .is_err()
    );
    assert_eq!(store.state("alice").unwrap().failures(), 1);
    // Lockout after 6 failures, until reset.
    let mut now = NOW + 11;
    for _ in 0..5 {
        now += 400;
        let _ = store.verify(&totp, w, "alice", wrong, now);
    }
    assert!(matches!(
        store.verify(
            &totp,
            w,
            "alice",
            totp.generate(now + 900).as_str(),
            now + 900
        ),
        Err(Refused::Throttled(Throttled::LockedOut))
    ));
    store.reset_throttle("alice").unwrap();
    assert!(
        store
            .verify(
                &totp,
                w,
                "alice",
                totp.generate(now + 900).as_str(),
                now + 900
            )
            .is_ok()
    );
}

/// Verifies, in increasing step order, every code of `steps` for every account; returns what
/// was accepted. Counting acceptances over all workers shows each code accepted exactly once:
/// a worker refused step s means some worker recorded a step ≥ s, and the first to record one
/// had tried s just before and accepted it.
fn verify_all(store: &RedisStore, accounts: &[String], steps: u64) -> Vec<(String, u64)> {
    let totp = totp();
    let replay_only = ReplayProtectedVerifier::new(&totp, store).with_window(Window::none());
    let mut accepted = Vec::new();
    for i in 0..steps {
        let now = NOW + 30 * i;
        let code = totp.generate(now);
        for (n, a) in accounts.iter().enumerate() {
            // Half the accounts through the one-round-trip verify (throttle and replay in one
            // script), half through the replay-only check-and-record.
            let r = if n % 2 == 0 {
                store.verify(&totp, Window::none(), a, code.as_str(), now)
            } else {
                replay_only.verify(a, code.as_str(), now)
            };
            match r {
                Ok(m) => accepted.push((a.clone(), m.step)),
                Err(Refused::Invalid) => {}
                Err(e) => panic!("{a}: {e}"),
            }
        }
    }
    accepted
}

/// The body of a worker process (run by the tests below through this test binary).
#[test]
fn worker_process() {
    let Ok(url) = std::env::var("IAMKIT_TEST_WORKER_URL") else {
        return;
    };
    let accounts: Vec<String> = std::env::var("IAMKIT_TEST_WORKER_ACCOUNTS")
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let store = store(&url);
    let accepted = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let a = verify_all(&store, &accounts, STEPS);
                accepted.lock().unwrap().extend(a);
            });
        }
    });
    for (a, step) in accepted.into_inner().unwrap() {
        println!("ACCEPTED {a} {step}");
    }
}

const STEPS: u64 = 12;

/// Several processes of four threads each, plus eight threads here, verify the same codes.
fn each_code_accepted_exactly_once(url: &str, accounts: &[String]) {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "worker_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("IAMKIT_TEST_WORKER_URL", url)
                .env("IAMKIT_TEST_WORKER_ACCOUNTS", accounts.join(","))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let store = store(url);
    let here = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let a = verify_all(&store, accounts, STEPS);
                here.lock().unwrap().extend(a);
            });
        }
    });
    let mut all = here.into_inner().unwrap();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            // The test harness may have printed "test worker_process ... " on the same line.
            if let Some((_, rest)) = line.split_once("ACCEPTED ") {
                let (a, s) = rest.rsplit_once(' ').unwrap();
                all.push((a.to_owned(), s.parse().unwrap()));
            }
        }
    }
    let mut count: HashMap<(String, u64), usize> = HashMap::new();
    for k in all {
        *count.entry(k).or_default() += 1;
    }
    let first = totp().step_at(NOW);
    for a in accounts {
        for i in 0..STEPS {
            assert_eq!(
                count.get(&(a.clone(), first + i)),
                Some(&1),
                "{a}, step {}",
                first + i
            );
        }
    }
    assert_eq!(count.len(), accounts.len() * STEPS as usize);
}

#[test]
fn single_many_threads_and_processes_accept_each_code_exactly_once() {
    let server = RedisServer::start();
    let accounts: Vec<String> = (0..6).map(|i| format!("user-{i}")).collect();
    each_code_accepted_exactly_once(&server.url(), &accounts);
}

#[test]
fn cluster_many_threads_and_processes_accept_each_code_exactly_once() {
    let cluster = RedisCluster::start();
    let accounts: Vec<String> = (0..9).map(|i| format!("user-{i}")).collect();
    let s = store(&cluster.url());
    assert!(s.is_cluster());
    // The accounts are spread over all three masters, and each account's two keys share a slot.
    let masters: BTreeSet<u16> = accounts
        .iter()
        .map(|a| cluster.port_of_key(&s.last_step_key(a)))
        .collect();
    assert_eq!(masters.len(), 3, "accounts on {masters:?}");
    for a in &accounts {
        assert_eq!(
            cluster.port_of_key(&s.last_step_key(a)),
            cluster.port_of_key(&s.throttle_key(a))
        );
    }
    each_code_accepted_exactly_once(&cluster.url(), &accounts);
    // A replay on the cluster is refused like on a single server.
    let totp = totp();
    assert!(matches!(
        s.verify(
            &totp,
            Window::none(),
            "user-0",
            totp.generate(NOW).as_str(),
            NOW
        ),
        Err(Refused::Invalid)
    ));
}

/// Threads verify fresh codes while the server is killed and restarted: while it is down every
/// answer is a store error (never an acceptance), nothing is accepted twice, and once it is back
/// verification works again.
fn kill_mid_run(url: &str, kill: &mut dyn FnMut(), restart: &mut dyn FnMut()) {
    let store = store(url);
    let totp = totp();
    let stop = AtomicBool::new(false);
    let accepted = Mutex::new(Vec::<(String, u64)>::new());
    let store_errors = Mutex::new(0usize);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (store, totp, stop, accepted, store_errors) =
                (&store, &totp, &stop, &accepted, &store_errors);
            s.spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    // Each thread walks its own account's steps; another thread replays them.
                    let a = format!("acct-{}", t % 2);
                    let now = NOW + 30 * (i / 2);
                    i += 1;
                    match store.verify(totp, Window::none(), &a, totp.generate(now).as_str(), now) {
                        Ok(m) => accepted.lock().unwrap().push((a, m.step)),
                        Err(Refused::Store(_)) => *store_errors.lock().unwrap() += 1,
                        Err(Refused::Invalid) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        kill();
        // Down: a fresh code is refused with a store error.
        let far = NOW + 30 * 1_000_000;
        let r = store.verify(
            &totp,
            Window::none(),
            "fresh",
            totp.generate(far).as_str(),
            far,
        );
        assert!(matches!(r, Err(Refused::Store(_))), "{r:?}");
        assert!(store.ping().is_err());
        std::thread::sleep(Duration::from_millis(500));
        restart();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let r = store.verify(
                &totp,
                Window::none(),
                "fresh",
                totp.generate(far).as_str(),
                far,
            );
            if r.is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "did not recover: {r:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::SeqCst);
    });
    let accepted = accepted.into_inner().unwrap();
    let unique: BTreeSet<_> = accepted.iter().cloned().collect();
    assert_eq!(unique.len(), accepted.len(), "a code was accepted twice");
    assert!(*store_errors.lock().unwrap() > 0);
    // The restarted server remembers (append-only file, fsync always): no replay of the past.
    let totp = totp;
    for (a, step) in unique.iter().take(20) {
        assert!(matches!(
            store.check_and_record(a, *step, 60),
            Err(Refused::Replayed)
        ));
        let _ = &totp;
    }
}

#[test]
fn single_killed_mid_run_fails_closed_then_recovers() {
    let server = Mutex::new(RedisServer::start());
    let url = server.lock().unwrap().url();
    kill_mid_run(&url, &mut || server.lock().unwrap().kill(), &mut || {
        server.lock().unwrap().restart()
    });
}

#[test]
fn cluster_node_killed_mid_run_fails_closed_then_recovers() {
    let cluster = Mutex::new(RedisCluster::start());
    let url = cluster.lock().unwrap().url();
    // Kill the master that serves acct-0.
    let port = {
        let c = cluster.lock().unwrap();
        c.port_of_key(&store(&url).last_step_key("acct-0"))
    };
    let index = |c: &mut RedisCluster| c.nodes().iter().position(|n| n.port() == port).unwrap();
    kill_mid_run(
        &url,
        &mut || {
            let mut c = cluster.lock().unwrap();
            let i = index(&mut c);
            c.nodes()[i].kill();
        },
        &mut || {
            let mut c = cluster.lock().unwrap();
            let i = index(&mut c);
            c.nodes()[i].restart();
        },
    );
}

#[test]
fn unreachable_store_fails_closed_with_a_clear_error() {
    let port = {
        let s = RedisServer::start();
        s.port()
    }; // stopped: nothing listens there now
    let store = store(&format!("redis://user:hunter2@127.0.0.1:{port}"));
    let totp = totp();
    let v = ReplayProtectedVerifier::new(&totp, &store);
    let err = v
        .verify("alice", totp.generate(NOW).as_str(), NOW)
        .unwrap_err();
    let msg = err.to_string();
    assert!(err.is_store_error(), "{msg}");
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
    assert!(store.record_failure("alice", NOW).is_err());
    assert!(store.state("alice").is_err());
    assert!(matches!(store.check("alice", NOW), Err(Refused::Store(_))));
}

#[test]
fn wrong_password_fails_closed() {
    let server = RedisServer::start();
    command(server.port(), "CONFIG SET requirepass s3cret-pw").unwrap();
    let bad = RedisStore::builder(server.url())
        .password(Zeroizing::new("wrong".into()))
        .build()
        .unwrap();
    let err = bad.check_and_record("alice", 1, 60).unwrap_err();
    assert!(err.is_store_error());
    assert!(!err.to_string().contains("wrong\""), "{err}");
    let good = RedisStore::builder(server.url())
        .password(Zeroizing::new("s3cret-pw".into()))
        .build()
        .unwrap();
    good.check_and_record("alice", 1, 60).unwrap();
    let in_url = store(&format!("redis://:s3cret-pw@127.0.0.1:{}", server.port()));
    assert!(matches!(
        in_url.check_and_record("alice", 1, 60),
        Err(Refused::Replayed)
    ));
    assert!(!format!("{in_url:?}").contains("s3cret"));
}

#[test]
fn bad_options_are_named() {
    let e = RedisStore::builder("redis://h:1")
        .key_prefix("a{b")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::InvalidOption { .. }), "{e}");
    let e = RedisStore::builder("redis://h:1")
        .root_certificate_pem(b"x".to_vec())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("rediss://"), "{e}");
    let e = RedisStore::open("memcached://h:1").unwrap_err();
    assert!(e.to_string().contains("unknown scheme"), "{e}");
    let b =
        RedisStore::builder("redis://u:pw-in-url@h:1").password(Zeroizing::new("pw-option".into()));
    let d = format!("{b:?}");
    assert!(!d.contains("pw-in-url") && !d.contains("pw-option"), "{d}");
    // An empty account would spread its keys over slots: refused before any I/O.
    let s = RedisStore::open("redis://127.0.0.1:1").unwrap();
    assert!(
        s.check_and_record("", 1, 1)
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
}

#[test]
fn tls_with_the_servers_ca_works_and_an_unknown_ca_fails_closed() {
    let server = RedisServer::start_tls();
    let url = server.url();
    assert!(url.starts_with("rediss://127.0.0.1:"));
    let trusted = RedisStore::builder(&url)
        .root_certificate_pem(server.ca_pem())
        .build()
        .unwrap();
    trusted.ping().unwrap();
    trusted.check_and_record("alice", 10, 60).unwrap();
    assert!(matches!(
        trusted.check_and_record("alice", 10, 60),
        Err(Refused::Replayed)
    ));
    // The system's roots do not know the throwaway CA: refused, never accepted.
    let untrusted = store(&url);
    let e = untrusted.check_and_record("alice", 11, 60).unwrap_err();
    assert!(e.is_store_error(), "{e}");
    // Plain text to a TLS-only port: no answer it can use.
    let plain = store(&url.replacen("rediss://", "redis://", 1));
    assert!(
        plain
            .check_and_record("alice", 12, 60)
            .unwrap_err()
            .is_store_error()
    );
    assert_eq!(trusted.last_step("alice").unwrap(), Some(10));
}
