//! Black-box tests of `iamkit sign` through the built binary, against the official suite's
//! values and AWS's documented S3 examples.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod util;

const SUITE_ID: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DOC_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn suite(case: &str, file: &str) -> String {
    let p = util::vectors("sigv4/v4").join(case).join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `iamkit sign ARGS` with only `env` of the AWS variables.
fn sign(env: &[(&str, &str)], args: &[&str]) -> util::Run {
    let mut all = vec!["sign"];
    all.extend_from_slice(args);
    util::run(&all, env, "")
}

/// Success, nothing on stderr; stdout.
#[track_caller]
fn ok(env: &[(&str, &str)], args: &[&str]) -> String {
    sign(env, args).quiet().to_owned()
}

const SUITE_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", SUITE_ID),
    ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
    ("AWS_REGION", "us-east-1"),
];

/// `iamkit sign --json` with the suite's credentials and time, for `service`, `extra` flags and `url`.
#[track_caller]
fn suite_json(service: &str, extra: &[&str], url: &str) -> serde_json::Value {
    let mut args = vec!["--service", service, "--time", "20150830T123600Z", "--json"];
    args.extend_from_slice(extra);
    args.push(url);
    serde_json::from_str(&ok(&SUITE_ENV, &args)).unwrap()
}

/// The canonical request of a `suite_json` result.
fn creq(v: &serde_json::Value) -> &str {
    v["canonical_request"].as_str().unwrap()
}

#[test]
fn headers_match_the_suite_get_vanilla() {
    let out = ok(
        &SUITE_ENV,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "https://example.amazonaws.com/",
        ],
    );
    let sig = suite("get-vanilla", "header-signature.txt");
    assert_eq!(
        out,
        format!(
            "x-amz-date: 20150830T123600Z\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={}\n",
            sig.trim()
        )
    );
}

#[test]
fn json_has_canonical_request_string_to_sign_signature_headers() {
    let out = ok(
        &SUITE_ENV,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--json",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["canonical_request"],
        suite(
            "get-vanilla-query-order-key-case",
            "header-canonical-request.txt"
        )
    );
    assert_eq!(
        v["string_to_sign"],
        suite(
            "get-vanilla-query-order-key-case",
            "header-string-to-sign.txt"
        )
    );
    assert_eq!(
        v["signature"],
        suite("get-vanilla-query-order-key-case", "header-signature.txt").trim()
    );
    assert_eq!(v["headers"]["x-amz-date"], "20150830T123600Z");
    assert!(
        v["headers"]["authorization"]
            .as_str()
            .unwrap()
            .ends_with(v["signature"].as_str().unwrap())
    );
    assert!(v.get("url").is_none());
}

#[test]
fn presign_matches_the_suite() {
    let out = ok(
        &SUITE_ENV,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--presign",
            "https://example.amazonaws.com/",
        ],
    );
    let sig = suite("get-vanilla", "query-signature.txt");
    assert!(
        out.starts_with("https://example.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
        "{out}"
    );
    assert!(out.contains("X-Amz-Expires=3600"));
    assert!(
        out.trim_end()
            .ends_with(&format!("X-Amz-Signature={}", sig.trim())),
        "{out}"
    );
    let out = ok(
        &SUITE_ENV,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--presign",
            "--json",
            "https://example.amazonaws.com/",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["canonical_request"],
        suite("get-vanilla", "query-canonical-request.txt")
    );
    assert!(v["url"].as_str().unwrap().contains(sig.trim()));
}

#[test]
fn s3_get_object_example_from_the_aws_documentation() {
    // "Signature Calculations for the Authorization Header": GET /test.txt with Range.
    let env = [
        ("AWS_ACCESS_KEY_ID", DOC_ID),
        ("AWS_SECRET_ACCESS_KEY", DOC_SECRET),
    ];
    let out = ok(
        &env,
        &[
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--time",
            "20130524T000000Z",
            "-H",
            "Range: bytes=0-9",
            "https://examplebucket.s3.amazonaws.com/test.txt",
        ],
    );
    assert!(out.contains("x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"), "{out}");
    assert!(out.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"), "{out}");
    // Presigned GET from the same documentation ("Query String Authentication"), 86400 s.
    let out = ok(
        &env,
        &[
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--time",
            "20130524T000000Z",
            "--presign",
            "--expires",
            "86400",
            "https://examplebucket.s3.amazonaws.com/test.txt",
        ],
    );
    assert!(
        out.trim_end().ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ),
        "{out}"
    );
}

#[test]
fn session_token_is_signed_as_header_or_query() {
    let mut env = SUITE_ENV.to_vec();
    env.push(("AWS_SESSION_TOKEN", "TOKEN/+="));
    let out = ok(
        &env,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--json",
            "https://example.amazonaws.com/",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["headers"]["x-amz-security-token"], "TOKEN/+=");
    assert!(
        v["canonical_request"]
            .as_str()
            .unwrap()
            .contains("x-amz-security-token:TOKEN/+=\n")
    );
    let url = ok(
        &env,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--presign",
            "https://example.amazonaws.com/",
        ],
    );
    assert!(url.contains("X-Amz-Security-Token=TOKEN%2F%2B%3D"), "{url}");
    // an empty token means none
    env.pop();
    env.push(("AWS_SESSION_TOKEN", ""));
    let out = ok(
        &env,
        &[
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "https://example.amazonaws.com/",
        ],
    );
    assert!(!out.contains("security-token"));
}

#[test]
fn body_file_unsigned_payload_and_content_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    std::fs::write(&body, b"Param1=value1").unwrap();
    let v = suite_json(
        "service",
        &[
            "--method",
            "POST",
            "--content-sha256",
            "--body-file",
            body.to_str().unwrap(),
        ],
        "https://example.amazonaws.com/",
    );
    // sha256("Param1=value1")
    let h = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    assert_eq!(v["headers"]["x-amz-content-sha256"], h);
    assert!(creq(&v).ends_with(h));
    let v = suite_json(
        "service",
        &["--unsigned-payload"],
        "https://example.amazonaws.com/",
    );
    assert!(creq(&v).ends_with("\nUNSIGNED-PAYLOAD"));
}

#[test]
fn paths_normalised_except_s3() {
    let url = "https://example.amazonaws.com/a/../b//c/%20d";
    let v = suite_json("service", &[], url);
    assert!(creq(&v).starts_with("GET\n/b/c/%2520d\n"), "{}", creq(&v));
    let v = suite_json("s3", &[], url);
    assert!(
        creq(&v).starts_with("GET\n/a/../b//c/%20d\n"),
        "{}",
        creq(&v)
    );
}

#[test]
fn default_ports_are_dropped_from_host() {
    for (url, host) in [
        (
            "https://example.amazonaws.com:443/",
            "host:example.amazonaws.com\n",
        ),
        (
            "http://example.amazonaws.com:80/",
            "host:example.amazonaws.com\n",
        ),
        ("http://localhost:9000/", "host:localhost:9000\n"),
    ] {
        let v = suite_json("service", &[], url);
        assert!(creq(&v).contains(host), "{url}");
    }
}

#[test]
fn errors_are_exit_2_without_secrets() {
    for (env, args) in [
        (
            &[][..],
            &["--service", "s", "--region", "r", "https://h/"][..],
        ),
        (&SUITE_ENV[..2], &["--service", "s", "https://h/"][..]),
        (
            &SUITE_ENV[..],
            &["--service", "s", "--time", "2015-08-30", "https://h/"][..],
        ),
        (
            &SUITE_ENV[..],
            &["--service", "s", "-H", "no colon", "https://h/"][..],
        ),
        (
            &SUITE_ENV[..],
            &[
                "--service",
                "s",
                "--presign",
                "--expires",
                "604801",
                "https://h/",
            ][..],
        ),
        (&SUITE_ENV[..], &["--service", "s", "not a url"][..]),
        (
            &SUITE_ENV[..],
            &[
                "--service",
                "s",
                "--body-file",
                "/nonexistent/x",
                "https://h/",
            ][..],
        ),
    ] {
        let o = sign(env, args);
        let e = o.fails(2);
        assert!(!e.contains(SUITE_SECRET));
    }
}
