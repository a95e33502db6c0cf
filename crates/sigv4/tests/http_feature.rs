//! `Signer::sign_http` (feature `http`; `scripts/test` runs the suite with all features).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::{Credentials, Payload, Signer, Timestamp};

#[test]
fn signs_http_request_in_place_like_the_suite() {
    let mut req = http::Request::builder()
        .method("GET")
        .uri("https://example.amazonaws.com/")
        .body(())
        .unwrap();
    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let t = Timestamp::parse_amz_date("20150830T123600Z").unwrap();
    let out = Signer::new("us-east-1", "service")
        .unwrap()
        .sign_http(&mut req, Payload::Bytes(b""), &creds, t)
        .unwrap();
    // v4/get-vanilla/header-signature.txt
    assert_eq!(
        out.signature(),
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    assert_eq!(req.headers()["x-amz-date"], "20150830T123600Z");
    assert!(
        req.headers()["authorization"]
            .to_str()
            .unwrap()
            .ends_with(out.signature())
    );
}
