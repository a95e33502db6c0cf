//! The SigV4a parsers of `Authorization` headers and presigned query strings never panic, and a
//! whole SigV4a verification of arbitrary input (Authorization header, region-set header, query)
//! never panics and never succeeds by accident.
#![no_main]

use iamkit_sigv4::sigv4a::{parse_authorization_v4a, parse_presigned_query_v4a};
use iamkit_sigv4::{Credentials, Request, SigV4aVerifier, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_authorization_v4a(&text);
    let _ = parse_presigned_query_v4a(&text);

    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let now = Timestamp::from_unix_seconds(1_440_938_160).expect("fixed time");
    let v = SigV4aVerifier::new("us-east-1", "service").expect("verifier");
    // A path no seed was signed for, so that nothing verifies.
    let (authz, set) = text.split_once('\n').unwrap_or((&text, "us-east-1"));
    let r = Request::new("GET", "/fuzz", "")
        .header("host", "example.amazonaws.com")
        .header("x-amz-date", "20150830T123600Z")
        .header("x-amz-region-set", set)
        .header("authorization", authz);
    assert!(v.verify(&r, now, |_| Some(&creds)).is_err());
    let r = Request::new("GET", "/fuzz", &text).header("host", "example.amazonaws.com");
    assert!(v.verify(&r, now, |_| Some(&creds)).is_err());
});
