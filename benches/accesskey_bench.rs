//! `accesskey` groups of the `peers` bench.
//!
//! `accesskey_new`: a whole key pair (`iamkit`) against the floor of one OS RNG call for 56 bytes
//! (`os_rng_floor`). A key pair draws all its randomness (10 + 30 bytes) in one such call.

use std::hint::black_box;

use criterion::Criterion;
use iamkit_accesskey::{AccountId, KeyPair, Prefix};

pub(crate) fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("accesskey_new");
    let account = AccountId::from_u64(123_456_789_012);
    g.bench_function("iamkit", |b| {
        b.iter(|| KeyPair::generate(black_box(Prefix::Akia), black_box(account)))
    });
    g.bench_function("os_rng_floor", |b| {
        b.iter(|| {
            let mut buf = [0u8; 56];
            let r = getrandom::fill(&mut buf);
            black_box((r, buf))
        })
    });
    g.finish();
}
