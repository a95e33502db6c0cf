//! `sigv4` groups of the `peers` bench (filled in with the iamkit-sigv4 crate).

use criterion::Criterion;

pub(crate) fn benches(_c: &mut Criterion) {}
