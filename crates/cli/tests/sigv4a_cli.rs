//! Black-box tests of `iamkit sign --sigv4a` and of `iamkit verify` on SigV4a requests, through
//! the built binary, against the official v4a suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod util;

use std::path::PathBuf;
use std::process::Output;

const SUITE_ID: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_ENV: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", SUITE_ID),
    ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
];

fn iamkit(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut c = util::command(args);
    c.envs(env.iter().copied());
    util::output(c, stdin)
}

fn suite_dir() -> PathBuf {
    iamkit_testkit::vectors("sigv4/v4a")
}

#[test]
fn every_v4a_suite_request_verifies_and_fails_when_changed() {
    let mut names: Vec<String> = std::fs::read_dir(suite_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 38);
    let mut checked = 0;
    for case in &names {
        let ctx: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(suite_dir().join(case).join("context.json")).unwrap(),
        )
        .unwrap();
        let mut args = vec!["verify", "--time", "20150830T123600Z"];
        if ctx["normalize"] == false {
            args.push("--no-normalize-path");
        }
        if ctx["omit_session_token"] == true {
            args.push("--session-token-after-signing");
        }
        for form in ["header", "query"] {
            let raw = std::fs::read_to_string(
                suite_dir()
                    .join(case)
                    .join(format!("{form}-signed-request.txt")),
            )
            .unwrap();
            let o = iamkit(&args, &SUITE_ENV, raw.as_bytes());
            assert_eq!(
                (
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout).into_owned()
                ),
                (Some(0), format!("{SUITE_ID}\n")),
                "{case} {form}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            // The signed region set names another region than the one verified for.
            let mut other = args.clone();
            other.extend(["--region", "eu-west-1"]);
            let o = iamkit(&other, &SUITE_ENV, raw.as_bytes());
            assert_eq!(o.status.code(), Some(1), "{case} {form}");
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("region"),
                "{case} {form}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            // The date changed by a second: the signature no longer verifies.
            let changed = raw.replacen("20150830T123600Z", "20150830T123601Z", 1);
            let o = iamkit(&args, &SUITE_ENV, changed.as_bytes());
            assert_eq!(o.status.code(), Some(1), "{case} {form}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.starts_with("iamkit: not valid: ") && err.lines().count() == 1,
                "{case} {form}: {err}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 76);
}

#[test]
fn sign_sigv4a_json_and_presign_round_trip_through_verify() {
    let env = [
        ("AWS_ACCESS_KEY_ID", SUITE_ID),
        ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
        ("AWS_SESSION_TOKEN", "tok/en+="),
        ("AWS_REGION", "us-west-2"),
    ];
    let url = "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/a%20b.txt?x=1";
    let o = iamkit(
        &[
            "sign",
            "--sigv4a",
            "--region-set",
            "us-east-1, eu-*",
            "--service",
            "s3",
            "--time",
            "20150830T123600Z",
            "--json",
            url,
        ],
        &env,
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["headers"]["x-amz-region-set"], "us-east-1,eu-*");
    assert_eq!(j["headers"]["x-amz-security-token"], "tok/en+=");
    let authz = j["headers"]["authorization"].as_str().unwrap();
    assert!(authz.starts_with(
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set;x-amz-security-token, Signature="
    ));
    assert!(
        j["string_to_sign"]
            .as_str()
            .unwrap()
            .starts_with("AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/s3/aws4_request\n")
    );
    let sig = j["signature"].as_str().unwrap();
    assert!(sig.starts_with("30") && authz.ends_with(sig));
    let mut raw = String::from(
        "GET /a%20b.txt?x=1 HTTP/1.1\r\nHost: mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com\r\n",
    );
    for (n, v) in j["headers"].as_object().unwrap() {
        raw.push_str(&format!("{n}: {}\r\n", v.as_str().unwrap()));
    }
    raw.push_str("\r\n");
    for region in ["eu-central-1", "us-east-1"] {
        let o = iamkit(
            &["verify", "--time", "20150830T123600Z", "--region", region],
            &SUITE_ENV,
            raw.as_bytes(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = iamkit(
        &[
            "verify",
            "--time",
            "20150830T123600Z",
            "--region",
            "us-west-2",
        ],
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1));

    // Presigned, default region set: the region.
    let o = iamkit(
        &[
            "sign",
            "--sigv4a",
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "--presign",
            "--expires",
            "60",
            url,
        ],
        &env,
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let presigned = String::from_utf8(o.stdout).unwrap();
    assert!(
        presigned.contains("X-Amz-Region-Set=us-west-2&"),
        "{presigned}"
    );
    let target = &presigned.trim_end()
        ["https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com".len()..];
    let raw = format!(
        "GET {target} HTTP/1.1\r\nHost: mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com\r\n\r\n"
    );
    let o = iamkit(
        &["verify", "--time", "20150830T123630Z"],
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Expired a second after its 60 s.
    let o = iamkit(
        &["verify", "--time", "20150830T123701Z"],
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired"));
}

#[test]
fn bad_region_sets_are_usage_errors_without_secrets() {
    for (args, want) in [
        (
            vec!["--sigv4a", "--region-set", "us-east-1,,x"],
            "invalid region set",
        ),
        (
            vec!["--sigv4a", "--region-set", "US-EAST-1"],
            "invalid region set",
        ),
        // clap's "required arguments were not provided" (the CLI shows its first line only).
        (vec!["--region-set", "us-east-1"], "required"),
    ] {
        let mut all = vec!["sign", "--service", "s3"];
        all.extend(args);
        all.push("https://example.amazonaws.com/");
        let o = iamkit(&all, &SUITE_ENV, b"");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(want), "{all:?}: {err}");
        assert!(!err.contains(SUITE_SECRET));
    }
}

/// A SigV4a aws-chunked upload (signed with the library) as a raw HTTP request: `iamkit verify`
/// checks every chunk signature and the announced length, so a changed byte of the body, a
/// truncated body or a wrong `x-amz-decoded-content-length` is refused.
#[test]
fn verify_checks_the_chunks_of_a_sigv4a_streaming_body() {
    use iamkit_sigv4::sigv4a::encoded_length;
    use iamkit_sigv4::{Credentials, Payload, Request, SigV4aSigner, Timestamp};
    let creds = Credentials::new(SUITE_ID, SUITE_SECRET);
    let now = Timestamp::parse_amz_date("20150830T123600Z").unwrap();
    let body: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let host = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
    let raw = |decoded: usize, wire: &[u8], out: &iamkit_sigv4::SigningOutput| {
        let mut r = format!(
            "PUT /key HTTP/1.1\r\nHost: {host}\r\nContent-Encoding: aws-chunked\r\n\
             X-Amz-Decoded-Content-Length: {decoded}\r\nContent-Length: {}\r\n",
            wire.len()
        )
        .into_bytes();
        for (n, v) in out.headers() {
            r.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        r.extend_from_slice(b"\r\n");
        r.extend_from_slice(wire);
        r
    };
    for decoded in [body.len(), body.len() + 1] {
        let decoded_s = decoded.to_string();
        let content_length = encoded_length(body.len() as u64, 1024).to_string();
        let req = Request::new("PUT", "/key", "")
            .header("host", host)
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", &decoded_s)
            .header("content-length", &content_length)
            .payload(Payload::StreamingSigned);
        let signer = SigV4aSigner::s3("*").unwrap();
        let out = signer.sign(&req, &creds, now).unwrap();
        let wire = signer
            .chunk_signer(&creds, now, out.signature())
            .unwrap()
            .encode_body(&body, 1024);
        let args = ["verify", "--time", "20150830T123600Z"];
        let o = iamkit(&args, &SUITE_ENV, &raw(decoded, &wire, &out));
        let expect = if decoded == body.len() {
            Some(0)
        } else {
            Some(1)
        };
        assert_eq!(
            o.status.code(),
            expect,
            "decoded length {decoded}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if decoded != body.len() {
            continue;
        }
        let mut changed = wire.clone();
        changed[wire.len() / 2] ^= 1;
        let o = iamkit(&args, &SUITE_ENV, &raw(decoded, &changed, &out));
        assert_eq!(o.status.code(), Some(1), "a changed byte passed");
        let o = iamkit(
            &args,
            &SUITE_ENV,
            &raw(decoded, &wire[..wire.len() - 10], &out),
        );
        assert_eq!(o.status.code(), Some(1), "a truncated body passed");
    }
}
