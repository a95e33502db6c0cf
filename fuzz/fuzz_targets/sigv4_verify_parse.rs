//! The verifier's parsers of `Authorization` headers and presigned query strings never panic,
//! and a whole verification of arbitrary input never panics (and never succeeds by accident).
#![no_main]

use iamkit_sigv4::verify::{parse_authorization, parse_presigned_query};
use iamkit_sigv4::{Credentials, Request, Timestamp, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_authorization(&text);
    let _ = parse_presigned_query(&text);

    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let now = Timestamp::from_unix_seconds(1_440_938_160).expect("fixed time");
    let v = Verifier::new("us-east-1", "service").expect("verifier");
    // A path no seed was signed for, so that nothing verifies.
    let r = Request::new("GET", "/fuzz", "")
        .header("host", "example.amazonaws.com")
        .header("x-amz-date", "20150830T123600Z")
        .header("authorization", &text);
    assert!(v.verify(&r, now, |_| Some(&creds)).is_err());
    let r = Request::new("GET", "/fuzz", &text).header("host", "example.amazonaws.com");
    assert!(v.verify(&r, now, |_| Some(&creds)).is_err());
});
