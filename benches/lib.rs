//! Benchmarks of iamkit beside its peers live in `peers.rs` (`cargo bench -p iamkit-benches --bench peers`).
