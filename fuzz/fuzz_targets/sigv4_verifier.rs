//! A whole verification of an arbitrary request (method, path, query, headers and body from the
//! input) never panics and never succeeds: no request here is signed with the key looked up.
#![no_main]

use iamkit_sigv4::{Credentials, Payload, Request, Timestamp, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Line 1: "METHOD PATH[?QUERY]"; then "name: value" lines; a blank line; the body.
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("");
    let (method, target) = first.split_once(' ').unwrap_or((first, "/"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut req = Request::new(method, path, query).payload(Payload::Bytes(body.as_bytes()));
    for line in lines {
        let (n, v) = line.split_once(':').unwrap_or((line, ""));
        req.push_header(n, v);
    }
    let creds = Credentials::new("AKIDEXAMPLE", "fuzz-secret-nobody-signed-with");
    let now = Timestamp::from_unix_seconds(1_440_938_160).expect("fixed time");
    for v in [
        Verifier::new("us-east-1", "service").expect("verifier"),
        Verifier::s3("us-east-1").expect("verifier"),
        Verifier::new("us-east-1", "service")
            .expect("verifier")
            .insecure_accept_unsigned_payload(true)
            .insecure_accept_unsigned_amz_headers(true),
    ] {
        assert!(v.verify(&req, now, |_| Some(&creds)).is_err());
    }
});
