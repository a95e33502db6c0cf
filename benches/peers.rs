//! iamkit beside its peers (totp-rs, aws-sigv4), in one criterion run.
//!
//! `cargo bench -p iamkit-benches --bench peers -- --quick --noplot`
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main};

criterion_group!(peers,);
criterion_main!(peers);
