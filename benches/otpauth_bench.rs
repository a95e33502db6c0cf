//! `otpauth` groups of the `peers` bench: iamkit-otpauth beside totp-rs 6.
//!
//! - `otpauth_parse/{iamkit,totp_rs}`: an `otpauth://` enrollment URI (issuer, account with `@`,
//!   160-bit secret) to a ready TOTP generator: `OtpAuthUri::parse` + `to_totp` against
//!   totp-rs's `TOTP::from_url` (feature `otpauth`), which also returns a generator.

use std::hint::black_box;

use criterion::Criterion;

const URI: &str = "otpauth://totp/Example%20Co:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Co";

pub(crate) fn benches(c: &mut Criterion) {
    // Both must accept the URI, or the comparison is meaningless.
    let ours = iamkit_otpauth::OtpAuthUri::parse(URI).expect("iamkit parses the bench URI");
    let theirs = totp_rs::Totp::from_url(URI).expect("totp-rs parses the bench URI");
    assert_eq!(
        ours.to_totp().expect("TOTP").generate(59).as_str(),
        theirs.generate(59).to_string(),
        "both parsers must yield the same generator"
    );

    let mut g = c.benchmark_group("otpauth_parse");
    g.bench_function("iamkit", |b| {
        b.iter(|| {
            let uri = iamkit_otpauth::OtpAuthUri::parse(black_box(URI)).expect("parse");
            black_box(uri.to_totp().expect("TOTP"))
        })
    });
    g.bench_function("totp_rs", |b| {
        b.iter(|| black_box(totp_rs::Totp::from_url(black_box(URI)).expect("from_url")))
    });
    g.finish();
}
