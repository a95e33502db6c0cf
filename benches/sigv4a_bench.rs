//! `sigv4a` groups of the `peers` bench: iamkit-sigv4's SigV4a beside aws-sigv4 1.6's `sigv4a`
//! feature, on the same S3 request (a Multi-Region Access Point: region set `*`).
//!
//! * `sigv4a_sign`: iamkit with its cached key (`SigV4aSigner` keeps it per credentials) beside
//!   aws-sigv4's `http_request::sign`, which derives the key on every call (it has no cache), and
//!   beside aws-sigv4's `calculate_signature` with a key derived once (ECDSA over a ready string
//!   to sign: what aws-sigv4 costs with a cached key, minus canonicalisation).
//! * `sigv4a_key`: key derivation (iamkit also computes the public key; aws-sigv4 does not).
//! * `sigv4a_verify`: iamkit's verifier (aws-sigv4 has none).

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::Criterion;
use iamkit_sigv4::{
    Credentials, EcdsaSigningKey, Request, SigV4aSigner, SigV4aVerifier, SigningOutput, Timestamp,
};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const URL: &str = "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/test.txt";
const UNIX: u64 = 1_369_353_600; // 20130524T000000Z

fn aws_params() -> aws_sigv4::http_request::SigningParams<'static> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SigningSettings, UriPathNormalizationMode,
    };
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let identity: &'static _ = Box::leak(Box::new(
        aws_credential_types::Credentials::new(AKID, SECRET, None, None, "bench").into(),
    ));
    aws_sigv4::sign::v4a::SigningParams::builder()
        .identity(identity)
        .region_set("*")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(UNIX))
        .settings(settings)
        .build()
        .expect("aws-sigv4 v4a params")
        .into()
}

fn aws_sign(params: &aws_sigv4::http_request::SigningParams<'_>) -> String {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, sign};
    let req = SignableRequest::new(
        "GET",
        URL,
        [("range", "bytes=0-9")].into_iter(),
        SignableBody::Bytes(b""),
    )
    .expect("signable");
    let (_instructions, signature) = sign(req, params).expect("aws-sigv4 sign").into_parts();
    signature
}

/// The signed request as the server receives it, with `authz` as its `Authorization`.
fn received<'a>(out: &'a SigningOutput, authz: &'a str) -> Request<'a> {
    let mut r = Request::new("GET", "/test.txt", "")
        .header(
            "host",
            "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
        )
        .header("range", "bytes=0-9");
    for (n, v) in out.headers() {
        if n != "authorization" {
            r.push_header(n, v);
        }
    }
    r.push_header("authorization", authz);
    r
}

pub(crate) fn benches(c: &mut Criterion) {
    let creds = Credentials::new(AKID, SECRET);
    let time = Timestamp::from_unix_seconds(i64::try_from(UNIX).expect("time")).expect("time");
    let signer = SigV4aSigner::s3("*").expect("signer");
    let request = || {
        Request::from_url("GET", URL)
            .expect("url")
            .header("range", "bytes=0-9")
    };
    let aws = aws_params();

    // Before timing: each side's signature verifies with iamkit's verifier (the same request,
    // the same canonical request).
    let ours = signer.sign(&request(), &creds, time).expect("sign");
    let verifier = SigV4aVerifier::s3("us-east-1").expect("verifier");
    let sent = |authz| received(&ours, authz);
    let authz = ours.header("authorization").expect("authorization");
    verifier
        .verify(&sent(authz), time, |_| Some(&creds))
        .expect("ours verifies");
    let theirs = aws_sign(&aws);
    let their_authz = authz.replace(ours.signature(), &theirs);
    verifier
        .verify(&sent(&their_authz), time, |_| Some(&creds))
        .expect("aws-sigv4's verifies");

    let mut g = c.benchmark_group("sigv4a_sign");
    g.bench_function("iamkit_cached_key", |b| {
        let req = request();
        b.iter(|| black_box(signer.sign(black_box(&req), &creds, time).expect("sign")))
    });
    g.bench_function("aws_sigv4_http_request_sign", |b| {
        b.iter(|| black_box(aws_sign(black_box(&aws))))
    });
    let aws_key = aws_sigv4::sign::v4a::generate_signing_key(AKID, SECRET);
    let sts = ours.string_to_sign().to_owned();
    g.bench_function("aws_sigv4_calculate_signature_cached_key", |b| {
        b.iter(|| {
            black_box(aws_sigv4::sign::v4a::calculate_signature(
                aws_key.as_ref(),
                black_box(sts.as_bytes()),
            ))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sigv4a_key");
    g.bench_function("iamkit_derive_uncached", |b| {
        b.iter(|| black_box(EcdsaSigningKey::derive(black_box(AKID), SECRET).expect("key")))
    });
    g.bench_function("iamkit_cached", |b| {
        b.iter(|| black_box(signer.signing_key(black_box(&creds)).expect("key")))
    });
    g.bench_function("aws_sigv4_generate_signing_key", |b| {
        b.iter(|| {
            black_box(aws_sigv4::sign::v4a::generate_signing_key(
                black_box(AKID),
                SECRET,
            ))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sigv4a_verify");
    let req = sent(authz);
    g.bench_function("iamkit_cached_key", |b| {
        b.iter(|| {
            black_box(
                verifier
                    .verify(black_box(&req), time, |_| Some(&creds))
                    .expect("verify"),
            )
        })
    });
    g.finish();
}
