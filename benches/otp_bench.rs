//! `otp` groups of the `peers` bench (filled in with the iamkit-otp crate).

use criterion::Criterion;

pub(crate) fn benches(_c: &mut Criterion) {}
