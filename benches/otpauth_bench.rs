//! `otpauth` groups of the `peers` bench (filled in with the iamkit-otpauth crate).

use criterion::Criterion;

pub(crate) fn benches(_c: &mut Criterion) {}
