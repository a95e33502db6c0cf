//! Verifications per second with replay protection: in memory (one process) and through Redis
//! (a fleet), one at a time and pipelined.
//!
//! `cargo bench -p iamkit-benches --bench replay_redis -- --noplot`
//!
//! Starts its own `redis-server` on a loopback port (no persistence: this measures the protocol
//! and the round trip, not the disk; with `appendfsync always` every write also waits for an
//! fsync). Every iteration verifies a fresh code (the time moves one step), so every
//! verification is an acceptance that writes.
//!
//! - `memory/verify`: `ReplayProtectedVerifier` over `MemoryReplayStore`.
//! - `redis/verify`: `ReplayProtectedVerifier` over `RedisStore`: one EVALSHA round trip.
//! - `redis/verify+throttle`: `RedisStore::verify`, throttle and replay in one script, one
//!   round trip.
//! - `redis/pipelined_64`: 64 codes (64 users) checked locally, then their 64 check-and-records
//!   in one pipeline: one round trip for all.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iamkit_otp::replay::{MemoryReplayStore, ReplayProtectedVerifier, record_ttl};
use iamkit_otp::{Secret, Totp, Window};
use iamkit_redis_testkit::RedisServer;
use iamkit_replay_redis::RedisStore;

const START: u64 = 1_700_000_000;

fn totp() -> Totp {
    Totp::builder(Secret::from_bytes(b"12345678901234567890").expect("secret"))
        .build()
        .expect("totp")
}

fn bench(c: &mut Criterion) {
    let totp = totp();
    let server = RedisServer::start_in_memory();
    let redis = RedisStore::open(&server.url()).expect("store");
    redis.ping().expect("redis answers");
    let memory = MemoryReplayStore::new();

    let mut g = c.benchmark_group("replay");
    g.throughput(Throughput::Elements(1));
    let mut now = START;
    let v = ReplayProtectedVerifier::new(&totp, &memory);
    g.bench_function("memory/verify", |b| {
        b.iter(|| {
            now += 30;
            v.verify("alice", totp.generate(now).as_str(), now)
                .expect("fresh code")
        })
    });
    let mut now = START;
    let v = ReplayProtectedVerifier::new(&totp, &redis);
    g.bench_function("redis/verify", |b| {
        b.iter(|| {
            now += 30;
            v.verify("alice", totp.generate(now).as_str(), now)
                .expect("fresh code")
        })
    });
    let mut now = START;
    g.bench_function("redis/verify+throttle", |b| {
        b.iter(|| {
            now += 30;
            redis
                .verify(
                    &totp,
                    Window::default(),
                    "bob",
                    totp.generate(now).as_str(),
                    now,
                )
                .expect("fresh code")
        })
    });
    const BATCH: usize = 64;
    let users: Vec<String> = (0..BATCH).map(|i| format!("user{i}")).collect();
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut now = START;
    g.bench_function("redis/pipelined_64", |b| {
        b.iter(|| {
            now += 30;
            let code = totp.generate(now);
            let items: Vec<(&str, u64, u64)> = users
                .iter()
                .map(|u| {
                    let m = totp
                        .verify(code.as_str(), now, Window::default())
                        .expect("valid");
                    (
                        u.as_str(),
                        m.step,
                        record_ttl(&totp, Window::default(), m.step, now),
                    )
                })
                .collect();
            let r = redis.check_and_record_many(&items).expect("redis answers");
            assert!(r.iter().all(Result::is_ok));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
