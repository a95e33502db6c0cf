//! `accesskey` groups of the `peers` bench (filled in with the iamkit-accesskey crate).

use criterion::Criterion;

pub(crate) fn benches(_c: &mut Criterion) {}
