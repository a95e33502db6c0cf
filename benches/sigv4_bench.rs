//! `sigv4` groups of the `peers` bench: iamkit-sigv4 beside aws-sigv4 1.6.
//!
//! Same request for both: the S3 `GET /test.txt` example of AWS's documentation
//! (examplebucket.s3.amazonaws.com, `range: bytes=0-9`, `x-amz-content-sha256` of the empty
//! body, 20130524T000000Z, us-east-1, s3). `floor` is SHA-256 of the canonical request plus one
//! HMAC over the string to sign with the cached, already keyed signing key: what no signer can
//! go below.
//!
//! Both libraries sign at one fixed time; `iamkit_new_second_each_call` moves the time one second
//! per call, as a client signing one request at a time does (the headline figure). iamkit's
//! signer reuses its signing key (per day) in both; aws-sigv4 derives it on every call.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::Criterion;
use iamkit_sigv4::{
    Credentials, Request, Signer, SigningKey, SigningOutput, Timestamp, Verified, Verifier,
};
use sha2::Digest;

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const URL: &str = "https://examplebucket.s3.amazonaws.com/test.txt";
const UNIX: u64 = 1_369_353_600; // 20130524T000000Z
/// The signature of AWS's example (S3 API reference, "Example: GET Object").
const EXPECTED: &str = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

fn aws_params(presign: bool) -> aws_sigv4::http_request::SigningParams<'static> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SignatureLocation, SigningSettings,
        UriPathNormalizationMode,
    };
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    if presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(86400));
    } else {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    aws_sigv4::sign::v4::SigningParams::builder()
        .identity(leak(
            aws_credential_types::Credentials::new(AKID, SECRET, None, None, "bench").into(),
        ))
        .region("us-east-1")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(UNIX))
        .settings(settings)
        .build()
        .expect("aws-sigv4 params")
        .into()
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// S3 presigned URLs sign `UNSIGNED-PAYLOAD`, which aws-sigv4 must be told.
fn aws_sign(params: &aws_sigv4::http_request::SigningParams<'_>, presign: bool) -> String {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, sign};
    let req = SignableRequest::new(
        "GET",
        URL,
        [("range", "bytes=0-9")].into_iter(),
        if presign {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(b"")
        },
    )
    .expect("signable");
    let (_instructions, signature) = sign(req, params).expect("aws-sigv4 sign").into_parts();
    signature
}

/// Everything the SigV4 cases share, built and checked once: both libraries produce AWS's
/// documented signature (and the same presigned signature) before anything is timed.
pub(crate) struct Setup {
    creds: Credentials,
    time: Timestamp,
    signer: Signer,
    verifier: Verifier,
    aws_header: aws_sigv4::http_request::SigningParams<'static>,
    aws_query: aws_sigv4::http_request::SigningParams<'static>,
    /// The signed request as a server receives it.
    received: Request<'static>,
    /// The fixed time plus `second` seconds: the clock moving one second per call.
    second: i64,
}

fn request() -> Request<'static> {
    Request::from_url("GET", URL)
        .expect("url")
        .header("range", "bytes=0-9")
}

impl Setup {
    pub(crate) fn new() -> Setup {
        let creds = Credentials::new(AKID, SECRET);
        let time = Timestamp::from_unix_seconds(UNIX as i64).expect("time");
        let signer = Signer::s3("us-east-1").expect("signer");
        let out = signer.sign(&request(), &creds, time).expect("sign");
        assert_eq!(out.signature(), EXPECTED);
        let aws_header = aws_params(false);
        assert_eq!(aws_sign(&aws_header, false), EXPECTED);
        let aws_query = aws_params(true);
        let ours_presigned = signer
            .presign(&request(), &creds, time, 86400)
            .expect("presign");
        assert_eq!(aws_sign(&aws_query, true), ours_presigned.signature());
        let verifier = Verifier::s3("us-east-1").expect("verifier");
        let mut received = Request::new("GET", "/test.txt", "")
            .header("host", "examplebucket.s3.amazonaws.com")
            .header("range", "bytes=0-9");
        for (n, v) in out.headers() {
            received.push_header(n, leak(v.to_owned()).as_str());
        }
        verifier
            .verify(&received, time, |_| Some(&creds))
            .expect("verify");
        Setup {
            creds,
            time,
            signer,
            verifier,
            aws_header,
            aws_query,
            received,
            second: 0,
        }
    }

    /// The fixed time plus one more second than last call (wrapping after an hour, same day).
    fn next_second(&mut self) -> Timestamp {
        self.second = (self.second + 1) % 3600;
        Timestamp::from_unix_seconds(UNIX as i64 + self.second).expect("time")
    }

    pub(crate) fn sign(&self) -> SigningOutput {
        let req = request();
        self.signer
            .sign(black_box(&req), &self.creds, self.time)
            .expect("sign")
    }

    /// A different second each call (the signing key, per day, still hits): what a client
    /// signing one request at a time pays.
    pub(crate) fn sign_new_second(&mut self) -> SigningOutput {
        let t = self.next_second();
        let req = request();
        self.signer
            .sign(black_box(&req), &self.creds, t)
            .expect("sign")
    }

    pub(crate) fn aws_sign(&self) -> String {
        aws_sign(black_box(&self.aws_header), false)
    }

    pub(crate) fn presign(&self) -> SigningOutput {
        let req = request();
        self.signer
            .presign(black_box(&req), &self.creds, self.time, 86400)
            .expect("presign")
    }

    pub(crate) fn presign_new_second(&mut self) -> SigningOutput {
        let t = self.next_second();
        let req = request();
        self.signer
            .presign(black_box(&req), &self.creds, t, 86400)
            .expect("presign")
    }

    pub(crate) fn aws_presign(&self) -> String {
        aws_sign(black_box(&self.aws_query), true)
    }

    pub(crate) fn verify(&self) -> Verified {
        self.verifier
            .verify(black_box(&self.received), self.time, |_| Some(&self.creds))
            .expect("verify")
    }
}

pub(crate) fn benches(c: &mut Criterion) {
    let mut setup = Setup::new();
    let out = setup.sign();
    let mut g = c.benchmark_group("sigv4_sign_headers");
    g.bench_function("iamkit", |b| b.iter(|| black_box(setup.sign())));
    g.bench_function("aws_sigv4", |b| b.iter(|| black_box(setup.aws_sign())));
    g.bench_function("iamkit_new_second_each_call", |b| {
        b.iter(|| black_box(setup.sign_new_second()))
    });
    let key = SigningKey::derive(SECRET, "20130524", "us-east-1", "s3");
    let cr = out.canonical_request().to_owned();
    let sts_prefix = out.string_to_sign()[..out.string_to_sign().len() - 64].to_owned();
    g.bench_function("floor", |b| {
        b.iter(|| {
            let h = sha2::Sha256::digest(black_box(cr.as_bytes()));
            let mut sts = Vec::with_capacity(sts_prefix.len() + 64);
            sts.extend_from_slice(sts_prefix.as_bytes());
            for byte in h.iter() {
                sts.push(HEX[(byte >> 4) as usize]);
                sts.push(HEX[(byte & 15) as usize]);
            }
            black_box(key.sign(&sts))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sigv4_presign");
    g.bench_function("iamkit", |b| b.iter(|| black_box(setup.presign())));
    g.bench_function("aws_sigv4", |b| b.iter(|| black_box(setup.aws_presign())));
    g.bench_function("iamkit_new_second_each_call", |b| {
        b.iter(|| black_box(setup.presign_new_second()))
    });
    g.finish();

    let mut g = c.benchmark_group("sigv4_verify");
    g.bench_function("iamkit", |b| b.iter(|| black_box(setup.verify())));
    g.finish();

    // Verifications sharing one `Verifier` (one key cache) on 1 and 2 threads: the time per
    // verification, so the ratio of the two is the parallel speed-up (goal: 2 threads at least
    // 1.7x one).
    let mut g = c.benchmark_group("sigv4_verify_shared_verifier");
    for threads in [1u64, 2] {
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter_custom(|iters| {
                let per_thread = iters.div_ceil(threads);
                let start = std::time::Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for _ in 0..per_thread {
                                black_box(setup.verify());
                            }
                        });
                    }
                });
                start
                    .elapsed()
                    .mul_f64(iters as f64 / (per_thread * threads) as f64)
            })
        });
    }
    g.finish();
}
