//! A fleet of verifiers sharing replay protection and throttling through Redis: several
//! processes (as several machines behind a load balancer would) verify the same TOTP codes for
//! the same users, and each code is accepted by exactly one of them.
//!
//! `cargo run -p iamkit-examples --example otp_redis_fleet [-- redis://HOST:PORT]`
//!
//! Without a URL it starts a throwaway `redis-server` on a loopback port (Debian's
//! redis-server package) and stops it at the end. With `redis+cluster://…` it runs against a
//! Redis Cluster.
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::error::Error;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamkit_otp::throttle::ThrottlePolicy;
use iamkit_otp::{Refused, Secret, Totp, Window};
use iamkit_replay_redis::RedisStore;

const USERS: [&str; 3] = ["alice", "bob", "carol"];
const STEPS: u64 = 5;
const START: u64 = 1_700_000_000;

/// The secret every process derives the users' TOTPs from (a real service loads each user's
/// enrolled secret from its database).
fn totp_of(user: &str) -> Result<Totp, Box<dyn Error>> {
    let mut bytes = [0u8; 20];
    for (b, u) in bytes.iter_mut().zip(user.bytes().cycle()) {
        *b = u;
    }
    Ok(Totp::builder(Secret::from_bytes(&bytes)?).build()?)
}

/// One verifier process: tries every user's code of every step (as if each login attempt were
/// sent to every machine at once) and prints what it accepted.
fn worker(url: &str, id: &str) -> Result<(), Box<dyn Error>> {
    // Replays count as failures in the throttle; this demo sends each code many times, so it
    // allows many failures before any delay.
    let store = RedisStore::builder(url)
        .throttle_policy(ThrottlePolicy {
            free_attempts: 1_000,
            ..ThrottlePolicy::default()
        })
        .build()?;
    for i in 0..STEPS {
        let now = START + 30 * i;
        for user in USERS {
            let totp = totp_of(user)?;
            let code = totp.generate(now); // what the user typed
            match store.verify(&totp, Window::default(), user, code.as_str(), now) {
                Ok(m) => println!("{id} accepted {user} step {}", m.step),
                Err(Refused::Invalid) => {} // another process was first
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, url, id, start_ms] = args.as_slice()
        && flag == "--worker"
    {
        // All processes start together, so that they race for the same codes.
        let start = UNIX_EPOCH + Duration::from_millis(start_ms.parse()?);
        if let Ok(wait) = start.duration_since(SystemTime::now()) {
            std::thread::sleep(wait);
        }
        return worker(url, id);
    }
    // Our own throwaway Redis unless a URL was given.
    let local;
    let url = match args.get(1) {
        Some(url) => url.clone(),
        None => {
            local = iamkit_redis_testkit::RedisServer::start();
            local.url()
        }
    };
    RedisStore::open(&url)?.ping()?;
    let exe = std::env::current_exe()?;
    let start = SystemTime::now().duration_since(UNIX_EPOCH)? + Duration::from_millis(500);
    let start_ms = start.as_millis().to_string();
    let children = (0..4)
        .map(|n| {
            Command::new(&exe)
                .args(["--worker", &url, &format!("verifier-{n}"), &start_ms])
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut accepted = Vec::new();
    for child in children {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err("a verifier process failed".into());
        }
        accepted.extend(String::from_utf8(out.stdout)?.lines().map(String::from));
    }
    accepted.sort();
    for line in &accepted {
        println!("{line}");
    }
    println!(
        "{} codes, {} acceptances over 4 processes",
        USERS.len() as u64 * STEPS,
        accepted.len()
    );
    // Each user's code of each step was accepted once, by exactly one process. (The demo's
    // users start fresh: run it against a Redis that has not seen them, or flush it first.)
    assert_eq!(accepted.len() as u64, USERS.len() as u64 * STEPS);
    Ok(())
}
