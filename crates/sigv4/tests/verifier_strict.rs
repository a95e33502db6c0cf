//! The verifier's strictness for public endpoints: unsigned `x-amz-*` headers, unsigned and
//! streaming payloads outside S3, the cap on `SignedHeaders`, and `Verified::signed_headers`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::verify::MAX_SIGNED_HEADERS;
use iamkit_sigv4::{Credentials, Error, Payload, Request, Signer, Timestamp, Verifier};

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}

fn now() -> Timestamp {
    Timestamp::parse_amz_date("20150830T123600Z").unwrap()
}

/// The GHSA-g8w9-qw9q-fghr class: a presigned PUT signed over `host` only, sent with an added
/// `x-amz-acl: public-read`, must not verify.
#[test]
fn presigned_put_with_an_added_unsigned_acl_header_is_refused() {
    let c = creds();
    let req = Request::from_url("PUT", "https://bucket.s3.amazonaws.com/key").unwrap();
    let out = Signer::s3("us-east-1")
        .unwrap()
        .presign(&req, &c, now(), 300)
        .unwrap();
    let query = out.query().unwrap().to_owned();
    let plain = Request::new("PUT", "/key", &query).header("host", "bucket.s3.amazonaws.com");
    let verifier = Verifier::s3("us-east-1").unwrap();
    let ok = verifier.verify(&plain, now(), |_| Some(&c)).unwrap();
    assert_eq!(ok.signed_headers().collect::<Vec<_>>(), ["host"]);

    let tampered = plain.clone().header("X-Amz-Acl", "public-read");
    assert_eq!(
        verifier.verify(&tampered, now(), |_| Some(&c)).unwrap_err(),
        Error::UnsignedHeader {
            name: "x-amz-acl".to_owned()
        }
    );
    // The relaxing setting lets it through, and the caller can see what was covered.
    let relaxed = Verifier::s3("us-east-1")
        .unwrap()
        .insecure_accept_unsigned_amz_headers(true);
    let ok = relaxed.verify(&tampered, now(), |_| Some(&c)).unwrap();
    assert_eq!(ok.signed_headers().collect::<Vec<_>>(), ["host"]);
    // Headers other than x-amz-* may stay unsigned (proxies add them).
    let other = plain
        .clone()
        .header("user-agent", "curl")
        .header("x-forwarded-for", "1.2.3.4");
    verifier.verify(&other, now(), |_| Some(&c)).unwrap();
}

#[test]
fn header_signed_request_with_an_added_unsigned_amz_header_is_refused() {
    let c = creds();
    let req = Request::from_url("GET", "https://example.amazonaws.com/?a=1")
        .unwrap()
        .header("x-amz-meta-a", "1");
    let out = Signer::new("us-east-1", "service")
        .unwrap()
        .sign(&req, &c, now())
        .unwrap();
    let mut received = Request::new("GET", "/", "a=1")
        .header("host", "example.amazonaws.com")
        .header("x-amz-meta-a", "1");
    for (n, v) in out.headers() {
        received.push_header(n, v);
    }
    let verifier = Verifier::new("us-east-1", "service").unwrap();
    let ok = verifier.verify(&received, now(), |_| Some(&c)).unwrap();
    assert_eq!(
        ok.signed_headers().collect::<Vec<_>>(),
        ["host", "x-amz-date", "x-amz-meta-a"]
    );
    for extra in [
        "x-amz-meta-b",
        "X-AMZ-SERVER-SIDE-ENCRYPTION",
        "x-amz-security-token",
    ] {
        let tampered = received.clone().header(extra, "v");
        assert_eq!(
            verifier.verify(&tampered, now(), |_| Some(&c)).unwrap_err(),
            Error::UnsignedHeader {
                name: extra.to_ascii_lowercase()
            },
            "{extra}"
        );
    }
}

/// Outside S3, a body the signature does not cover is refused unless the verifier opts in; S3
/// takes it by default.
#[test]
fn unsigned_and_streaming_payloads_are_refused_outside_s3() {
    let c = creds();
    for payload in [
        Payload::Unsigned,
        Payload::StreamingSigned,
        Payload::StreamingSignedTrailer,
        Payload::StreamingUnsignedTrailer,
    ] {
        let req = Request::new("PUT", "/x", "")
            .header("host", "example.amazonaws.com")
            .payload(payload);
        // General rules: the payload constant is signed as the canonical request's last line.
        let out = Signer::new("us-east-1", "service")
            .unwrap()
            .sign(&req, &c, now())
            .unwrap();
        let mut received = req.clone();
        for (n, v) in out.headers() {
            received.push_header(n, v);
        }
        let strict = Verifier::new("us-east-1", "service").unwrap();
        assert_eq!(
            strict.verify(&received, now(), |_| Some(&c)).unwrap_err(),
            Error::UnsignedPayload,
            "{payload:?}"
        );
        let relaxed = Verifier::new("us-east-1", "service")
            .unwrap()
            .insecure_accept_unsigned_payload(true);
        relaxed.verify(&received, now(), |_| Some(&c)).unwrap();

        // S3: x-amz-content-sha256 carries the constant; accepted by default, refusable.
        let out = Signer::s3("us-east-1")
            .unwrap()
            .sign(&req, &c, now())
            .unwrap();
        let mut received = req.clone();
        for (n, v) in out.headers() {
            received.push_header(n, v);
        }
        Verifier::s3("us-east-1")
            .unwrap()
            .verify(&received, now(), |_| Some(&c))
            .unwrap();
        assert_eq!(
            Verifier::s3("us-east-1")
                .unwrap()
                .insecure_accept_unsigned_payload(false)
                .verify(&received, now(), |_| Some(&c))
                .unwrap_err(),
            Error::UnsignedPayload
        );
    }
    // A hashed body, empty or not, is fine.
    for body in [&b""[..], b"hello"] {
        let req = Request::new("PUT", "/x", "")
            .header("host", "example.amazonaws.com")
            .payload(Payload::Bytes(body));
        let out = Signer::new("us-east-1", "service")
            .unwrap()
            .sign(&req, &c, now())
            .unwrap();
        let mut received = req.clone();
        for (n, v) in out.headers() {
            received.push_header(n, v);
        }
        Verifier::new("us-east-1", "service")
            .unwrap()
            .verify(&received, now(), |_| Some(&c))
            .unwrap();
    }
}

fn signed_with_extra_headers(names: &[String]) -> (Request<'_>, Vec<(&'static str, String)>) {
    let mut req = Request::new("GET", "/", "").header("host", "example.amazonaws.com");
    for n in names {
        req.push_header(n, "v");
    }
    let out = Signer::new("us-east-1", "service")
        .unwrap()
        .sign(&req, &creds(), now())
        .unwrap();
    let added = out.headers().map(|(n, v)| (n, v.to_owned())).collect();
    (req, added)
}

#[test]
fn signed_headers_are_capped_with_a_clear_error() {
    let c = creds();
    let verifier = Verifier::new("us-east-1", "service").unwrap();
    // host and x-amz-date plus `extra` others.
    for (extra, ok) in [
        (MAX_SIGNED_HEADERS - 2, true),
        (MAX_SIGNED_HEADERS - 1, false),
    ] {
        let names: Vec<String> = (0..extra).map(|i| format!("x-h{i:04}")).collect();
        let (req, headers) = signed_with_extra_headers(&names);
        let mut received = req.clone();
        for (n, v) in &headers {
            received.push_header(n, v);
        }
        let r = verifier.verify(&received, now(), |_| Some(&c));
        if ok {
            assert_eq!(r.unwrap().signed_headers().count(), MAX_SIGNED_HEADERS);
        } else {
            let e = r.unwrap_err();
            assert_eq!(
                e,
                Error::TooManySignedHeaders {
                    max: MAX_SIGNED_HEADERS
                }
            );
            assert!(
                e.to_string().contains(&MAX_SIGNED_HEADERS.to_string()),
                "{e}"
            );
        }
    }
}

/// `explain` computes what the signer signed, for valid requests and (clock aside) for expired
/// ones; it needs no credentials.
#[test]
fn explain_gives_the_signers_canonical_request_and_string_to_sign() {
    let c = creds().with_session_token("tok");
    let req = Request::from_url("POST", "https://example.amazonaws.com/a/../b%20c?z=1&a=2")
        .unwrap()
        .header("content-type", "text/plain")
        .payload(Payload::Bytes(b"body"));
    let signer = Signer::new("us-east-1", "service").unwrap();
    let out = signer.sign(&req, &c, now()).unwrap();
    let mut received = Request::new("POST", "/a/../b%20c", "z=1&a=2")
        .header("host", "example.amazonaws.com")
        .header("content-type", "text/plain")
        .payload(Payload::Bytes(b"body"));
    for (n, v) in out.headers() {
        received.push_header(n, v);
    }
    let verifier = Verifier::new("us-east-1", "service").unwrap();
    let e = verifier.explain(&received).unwrap();
    assert_eq!(e.canonical_request, out.canonical_request());
    assert_eq!(e.string_to_sign, out.string_to_sign());
    // A day later the request no longer verifies, but the explanation is the same.
    let later = Timestamp::from_unix_seconds(now().unix_seconds() + 86_400).unwrap();
    assert!(matches!(
        verifier.verify(&received, later, |_| Some(&c)),
        Err(Error::RequestTimeSkewed { .. })
    ));
    assert_eq!(verifier.explain(&received).unwrap(), e);

    let out = signer.presign(&req, &c, now(), 60).unwrap();
    let presigned = Request::new("POST", "/a/../b%20c", out.query().unwrap())
        .header("host", "example.amazonaws.com")
        .header("content-type", "text/plain")
        .payload(Payload::Bytes(b"body"));
    let e = verifier.explain(&presigned).unwrap();
    assert_eq!(e.canonical_request, out.canonical_request());
    assert_eq!(e.string_to_sign, out.string_to_sign());
}
