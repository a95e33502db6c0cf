//! iamkit beside its peers (totp-rs, aws-sigv4), in one criterion run.
//!
//! `cargo bench -p iamkit-benches --bench peers -- --quick --noplot`
//!
//! Each library has its own module here; its groups are registered below.

use criterion::{criterion_group, criterion_main};

mod accesskey_bench;
mod otp_bench;
mod otpauth_bench;
mod sigv4_bench;
mod sigv4a_bench;

criterion_group!(
    peers,
    otp_bench::benches,
    otpauth_bench::benches,
    accesskey_bench::benches,
    sigv4_bench::benches,
    sigv4a_bench::benches
);
criterion_main!(peers);
