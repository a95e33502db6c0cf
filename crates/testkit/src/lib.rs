//! What the tests of every iamkit crate share (dev only, never published):
//!
//! - [`workspace`], [`script`], [`vectors`]: the workspace, its `scripts/`, and the shared
//!   test vectors in `../shared/vectors`;
//! - [`tsv`] and [`Table`]: the vector files' TSV reader;
//! - [`python_with`], [`tool`], [`run_script`]: the independent implementations the
//!   differential tests run (the peers' Python, tools on `PATH`), and `IAMKIT_REQUIRE_PEERS=1`,
//!   under which a missing peer fails the test instead of skipping it; [`require`] does the
//!   same for a facility (the Secret Service, the kernel keyring) under its own
//!   `IAMKIT_REQUIRE_*` variable;
//! - [`Rng`]: a small seeded generator whose seed is printed when a test using it fails and can
//!   be replayed with `IAMKIT_TEST_SEED`;
//! - [`unique`]: names no other test process uses (tests share one keyring).
//!
//! Test helpers panic on purpose: a panic is how a test fails.
// A test kit: it tells the person running the tests which seed ran and which peer was skipped.
#![allow(clippy::print_stderr)]

mod paths;
mod peers;
mod rng;
mod tsv;

pub use paths::{script, shared, vectors, workspace};
pub use peers::{have, missing, peers_required, python, python_with, require, run_script, tool};
pub use rng::{Rng, SEED_VAR};
pub use tsv::{Table, tsv};

/// A name unique to this process and call (process id, a counter and the time): tests run in
/// parallel processes that share one Secret Service and one kernel keyring.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}-{}-{n}-{nanos}", std::process::id())
}
