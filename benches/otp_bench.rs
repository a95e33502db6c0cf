//! `otp` groups of the `peers` bench: iamkit-otp beside totp-rs 6 and the bare HMAC floor.
//!
//! - `totp_generate/{iamkit,totp_rs,hmac_floor}`: one 6-digit SHA1 TOTP code at a fixed time.
//!   `hmac_floor` is the least any implementation must do: clone a pre-keyed HMAC-SHA1 state,
//!   feed the 8-byte counter, finalize, dynamically truncate, reduce mod 10^6.
//! - `totp_verify_window1/{iamkit,totp_rs}`: checking an invalid code with one step of skew on
//!   each side (3 steps), the worst case for both.

use std::hint::black_box;

use criterion::Criterion;
use hmac::{Hmac, KeyInit, Mac};

const KEY: &[u8; 20] = b"12345678901234567890";
const TIME: u64 = 1_111_111_109;

fn iamkit_totp() -> iamkit_otp::Totp {
    let secret = iamkit_otp::Secret::from_bytes(KEY).expect("20-byte secret");
    iamkit_otp::Totp::builder(secret)
        .build()
        .expect("default TOTP")
}

fn totp_rs_totp() -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(KEY.to_vec())
        .build()
        .expect("totp-rs TOTP")
}

fn floor(mac: &Hmac<sha1::Sha1>, counter: u64) -> u32 {
    let mut m = mac.clone();
    m.update(&counter.to_be_bytes());
    let h = m.finalize().into_bytes();
    let off = usize::from(h[19] & 0x0f);
    let v = u32::from_be_bytes([h[off], h[off + 1], h[off + 2], h[off + 3]]) & 0x7fff_ffff;
    v % 1_000_000
}

pub(crate) fn benches(c: &mut Criterion) {
    let ours = iamkit_totp();
    let theirs = totp_rs_totp();
    let mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(KEY).expect("HMAC takes any key");
    // Sanity: all three agree (RFC 6238 row t = 1111111109, last 6 digits of 07081804).
    assert_eq!(ours.generate(TIME).as_str(), "081804");
    assert_eq!(theirs.generate(TIME).to_string(), "081804");
    assert_eq!(floor(&mac, TIME / 30), 81804);

    let mut g = c.benchmark_group("totp_generate");
    g.bench_function("iamkit", |b| b.iter(|| ours.generate(black_box(TIME))));
    g.bench_function("totp_rs", |b| b.iter(|| theirs.generate(black_box(TIME))));
    g.bench_function("hmac_floor", |b| {
        b.iter(|| floor(&mac, black_box(TIME) / 30))
    });
    g.finish();

    // A code that matches none of the three steps around TIME.
    let window = iamkit_otp::Window::symmetric(1).expect("window 1");
    let bad = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|s| ours.verify(s, TIME, window).is_err())
        .expect("an invalid code exists");
    assert!(theirs.check(&bad, TIME).is_none());

    let mut g = c.benchmark_group("totp_verify_window1");
    g.bench_function("iamkit", |b| {
        b.iter(|| ours.verify(black_box(&bad), black_box(TIME), window))
    });
    g.bench_function("totp_rs", |b| {
        b.iter(|| theirs.check(black_box(&bad), black_box(TIME)))
    });
    g.finish();
}
