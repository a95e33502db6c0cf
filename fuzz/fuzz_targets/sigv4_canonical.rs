//! Canonicalising and signing arbitrary requests never panics; the canonical query is a fixed
//! point; what we sign (header or presigned) our verifier accepts, whenever the caller's headers
//! and query leave the signed request unambiguous (see `plain` below); otherwise verifying it
//! must only never panic.
#![no_main]

use iamkit_sigv4::canonical::{canonical_path, canonical_query, normalize_path};
use iamkit_sigv4::{Credentials, Payload, Request, Signer, Timestamp, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or("GET");
    let target = lines.next().unwrap_or("/");
    let headers: Vec<(&str, &str)> = lines
        .by_ref()
        .take(8)
        .filter_map(|l| l.split_once(':'))
        .collect();
    let body = lines.next().unwrap_or("").as_bytes();

    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let cq = canonical_query(query);
    assert_eq!(canonical_query(&cq), cq, "canonical query is a fixed point");
    let _ = canonical_path(path, flags & 1 == 1);
    let _ = normalize_path(path);

    let time = Timestamp::from_unix_seconds(1_440_938_160).expect("fixed time");
    let creds = if flags & 2 == 2 {
        Credentials::new("AKIDEXAMPLE", "secret").with_session_token("token/+=")
    } else {
        Credentials::new("AKIDEXAMPLE", "secret")
    };
    let s3 = flags & 1 == 1;
    let signer = if s3 {
        Signer::s3("us-east-1")
    } else {
        Signer::new("us-east-1", "service")
    }
    .expect("signer");
    let verifier = if s3 {
        Verifier::s3("us-east-1")
    } else {
        Verifier::new("us-east-1", "service")
    }
    .expect("verifier");

    let mut req = if flags & 4 == 4 {
        match Request::from_url(method, target) {
            Ok(r) => r,
            Err(_) => return,
        }
    } else {
        Request::new(method, path, query).with_host("example.com")
    };
    for (n, v) in &headers {
        req.push_header(n, v);
    }
    let req = req.payload(Payload::Bytes(body));
    let _ = Request::from_raw_parts(method, path, &[(query, body_str(body))]);

    // Whether the verifier must accept what was signed: the caller gave no header the signer
    // replaces or leaves unsigned (a caller's own `Date`, `Authorization`, `User-Agent`, … can
    // legitimately change what the verifier reads), and the query holds no `X-Amz-*` parameter
    // (which would make it look presigned, or be replaced by presigning).
    let plain = !headers.iter().any(|(n, _)| {
        let n = n.trim().to_ascii_lowercase();
        n.starts_with("x-amz")
            || matches!(
                n.as_str(),
                "host" | "date" | "authorization" | "user-agent" | "expect" | "transfer-encoding"
            )
    }) && !query.to_ascii_lowercase().contains("x-amz");

    if let Ok(out) = signer.sign(&req, &creds, time) {
        // The request as received: the caller's headers but those the signer replaces, plus its own.
        let mut got = Request::new(method, req.path(), req.query()).payload(Payload::Bytes(body));
        if let Some(h) = req.host() {
            got = got.with_host(h);
        }
        for (n, v) in &headers {
            if !out.headers().any(|(a, _)| a.eq_ignore_ascii_case(n)) {
                got.push_header(n, v);
            }
        }
        for (n, v) in out.headers() {
            got.push_header(n, v);
        }
        let verified = verifier.verify(&got, time, |_| Some(&creds));
        if plain {
            assert!(
                verified.is_ok(),
                "the verifier refused what was signed: {verified:?}\n{}",
                out.canonical_request()
            );
        }
    }
    if let Ok(out) = signer.presign(&req, &creds, time, 60) {
        let q = out.query().unwrap_or_default().to_owned();
        // Outside S3 a presigned URL signs the body's hash too: the client sends that body.
        let mut got = Request::new(method, req.path(), &q)
            .with_host(req.host().unwrap_or("example.com"))
            .payload(Payload::Bytes(body));
        // Presigning signs the caller's headers too: a client sends them with the URL.
        for (n, v) in &headers {
            got.push_header(n, v);
        }
        let verified = verifier.verify(&got, time, |_| Some(&creds));
        if plain {
            assert!(
                verified.is_ok(),
                "the verifier refused the presigned URL: {verified:?}\n{}",
                out.canonical_request()
            );
        }
    }
});

fn body_str(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}
