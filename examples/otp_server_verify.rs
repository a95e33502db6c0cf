//! A server checking TOTP codes at login: replay protection (a code is accepted once) and
//! throttling of repeated failures (RFC 4226 §7.3), with "now" passed in.
//!
//! `cargo run -p iamkit-examples --example otp_server_verify`
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::error::Error;

use iamkit_otp::replay::{MemoryReplayStore, ReplayProtectedVerifier};
use iamkit_otp::throttle::{Throttle, ThrottlePolicy, Throttled};
use iamkit_otp::{Secret, Totp, Window};

/// What the server keeps per user: the TOTP (pre-keyed from the enrolled secret) and a throttle.
struct Account {
    totp: Totp,
    throttle: Throttle,
}

/// The outcome of one login attempt, as the server would report it.
#[derive(Debug, PartialEq)]
enum Login {
    Accepted {
        offset: i64,
    },
    /// Wrong, expired or already-used code: deliberately one answer.
    Refused,
    Throttled(Throttled),
    UnknownUser,
}

struct Server {
    accounts: HashMap<String, Account>,
    /// Last accepted time step per user; in production a database row updated atomically.
    replay: MemoryReplayStore,
}

impl Server {
    fn new() -> Self {
        Server {
            accounts: HashMap::new(),
            replay: MemoryReplayStore::new(),
        }
    }

    /// Enrolment: a fresh 160-bit secret; the base32 goes to the user's authenticator app.
    fn enrol(&mut self, user: &str) -> Result<Secret, Box<dyn Error>> {
        let secret = Secret::generate()?;
        let totp = Totp::builder(secret.clone()).build()?;
        let throttle = Throttle::new(ThrottlePolicy::default());
        self.accounts
            .insert(user.to_owned(), Account { totp, throttle });
        Ok(secret)
    }

    fn login(&mut self, user: &str, code: &str, now: u64) -> Login {
        let Some(account) = self.accounts.get_mut(user) else {
            return Login::UnknownUser;
        };
        if let Err(t) = account.throttle.check(now) {
            return Login::Throttled(t);
        }
        let verifier = ReplayProtectedVerifier::new(&account.totp, &self.replay)
            .with_window(Window::default());
        match verifier.verify(user, code.trim(), now) {
            Ok(matched) => {
                account.throttle.record_success();
                Login::Accepted {
                    offset: matched.offset,
                }
            }
            Err(_) => {
                account.throttle.record_failure(now);
                Login::Refused
            }
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut server = Server::new();
    let secret = server.enrol("alice")?;
    // The user's phone holds the same secret (here: a second Totp built from the base32).
    let phone = Totp::builder(Secret::from_base32(&secret.to_base32())?).build()?;

    let now = 1_700_000_000;
    let code = phone.generate(now - 30); // typed just before the step changed: one step late
    let first = server.login("alice", code.as_str(), now);
    println!("alice, fresh code:        {first:?}");
    let again = server.login("alice", code.as_str(), now + 1);
    println!("alice, same code again:   {again:?}");

    // A guesser: refused, then slowed down.
    let mut last = Login::Refused;
    for i in 0..5 {
        last = server.login("alice", "000000", now + 2 + i);
    }
    println!("alice, after 5 bad codes: {last:?}");

    let later = now + 60;
    let next = server.login("alice", phone.generate(later).as_str(), later);
    println!("alice, a minute later:    {next:?}");
    println!(
        "mallory:                  {:?}",
        server.login("mallory", "123456", later)
    );

    assert_eq!(first, Login::Accepted { offset: -1 });
    assert_eq!(again, Login::Refused);
    assert!(matches!(
        last,
        Login::Throttled(Throttled::RetryAfter { .. })
    ));
    assert_eq!(next, Login::Accepted { offset: 0 });
    Ok(())
}
