//! Black-box tests of `iamkit verify` through the built binary: every case of AWS's official
//! SigV4 suite (header and presigned forms) verifies and fails after one-byte changes; botocore
//! signs random requests that `iamkit verify` accepts and refuses after tampering; `iamkit sign`
//! output round-trips; malformed input is exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod util;

use std::path::PathBuf;
use std::process::{Command, Output};

const SUITE_ID: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// The binary with only `env` of the caller's environment's IAMKIT_* and AWS_* variables.
fn iamkit(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = util::command(args);
    cmd.envs(env.iter().copied());
    util::output(cmd, stdin)
}

fn verify(args: &[&str], env: &[(&str, &str)], raw: &[u8]) -> (i32, String, String) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    let o = iamkit(&all, env, raw);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const SUITE_ENV: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", SUITE_ID),
    ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
];

fn suite_dir() -> PathBuf {
    util::vectors("sigv4/v4")
}

/// The credentials and flags a case's context.json asks for.
fn case_params(case: &str) -> ([(&'static str, &'static str); 2], Vec<&'static str>) {
    let Ok(ctx) = std::fs::read_to_string(suite_dir().join(case).join("context.json")) else {
        // double-encode-path and double-url-encode were added by smithy-rs without a
        // context.json; the suite's README gives their credentials and time.
        return match case {
            "double-url-encode" => (SUITE_ENV, vec!["--time", "20210511T154045Z"]),
            "double-encode-path" => (
                [
                    ("AWS_ACCESS_KEY_ID", "ANOTREAL"),
                    ("AWS_SECRET_ACCESS_KEY", "notrealrnrELgWzOk3IfjzDKtFBhDby"),
                ],
                vec!["--time", "20150830T123600Z"],
            ),
            other => panic!("{other}: no context.json and no parameters known"),
        };
    };
    let ctx: serde_json::Value = serde_json::from_str(&ctx).unwrap();
    assert_eq!(ctx["timestamp"], "2015-08-30T12:36:00Z", "{case}");
    let mut flags = vec!["--time", "20150830T123600Z"];
    if ctx["normalize"] == false {
        flags.push("--no-normalize-path");
    }
    if ctx["omit_session_token"] == true {
        flags.push("--session-token-after-signing");
    }
    (SUITE_ENV, flags)
}

/// The two smithy-rs files are not whole requests: double-url-encode's request line has no
/// HTTP version and neither ends its headers with a blank line. Completed here, nothing else
/// changed.
fn as_raw_request(case: &str, text: String) -> String {
    if !case.starts_with("double-") {
        return text;
    }
    let (line, rest) = text.split_once('\n').unwrap();
    let line = if line.ends_with(" HTTP/1.1") {
        line.to_owned()
    } else {
        format!("{line} HTTP/1.1")
    };
    format!("{line}\n{}\n\n", rest.trim_end_matches('\n'))
}

/// One-byte changes of a signed request: (what, changed request).
fn one_byte_changes(raw: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // The signature's last hex digit.
    let at = raw.find("Signature=").unwrap() + "Signature=".len() + 63;
    let mut b = raw.as_bytes().to_vec();
    b[at] = if b[at] == b'0' { b'1' } else { b'0' };
    out.push(("signature", String::from_utf8(b).unwrap()));
    // A signed header's value (host is signed in every case).
    out.push((
        "signed header value",
        raw.replacen(".amazonaws.com", ".amazonaws.con", 1),
    ));
    // The path: its last byte (or one inserted after a lone '/'), so that normalisation does
    // not undo the change.
    let first = raw.find(' ').unwrap() + 1;
    let line_end = raw.find('\n').unwrap();
    let target_end = first + raw[first..line_end].rfind(' ').unwrap();
    let path_end = first
        + raw[first..target_end]
            .find('?')
            .unwrap_or(target_end - first);
    let mut b = raw.as_bytes().to_vec();
    if path_end == first + 1 {
        b.insert(path_end, b'x');
    } else {
        let at = path_end - 1;
        b[at] = if b[at] == b'z' { b'y' } else { b'z' };
    }
    out.push(("path", String::from_utf8_lossy(&b).into_owned()));
    // The query: one byte of its first value (a presigned query's X-Amz-Algorithm included).
    if let Some(q) = raw[..line_end].find('?') {
        let eq = q + raw[q..].find('=').unwrap();
        let mut b = raw.as_bytes().to_vec();
        if b[eq + 1] == b'&' || b[eq + 1] == b' ' {
            b.insert(eq + 1, b'x');
        } else {
            b[eq + 1] = if b[eq + 1] == b'A' { b'B' } else { b'A' };
        }
        out.push(("query", String::from_utf8_lossy(&b).into_owned()));
    }
    // The body, when there is one.
    if let Some(start) = raw.find("\n\n").map(|i| i + 2)
        && start < raw.len()
    {
        let mut b = raw.as_bytes().to_vec();
        b[start] ^= 1;
        out.push(("body", String::from_utf8_lossy(&b).into_owned()));
    }
    out
}

#[test]
fn every_official_suite_case_verifies_and_fails_after_one_byte_changes() {
    let mut names: Vec<String> = std::fs::read_dir(suite_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 40);
    let mut checked = 0;
    for case in &names {
        let (env, flags) = case_params(case);
        for form in ["header", "query"] {
            let f = suite_dir()
                .join(case)
                .join(format!("{form}-signed-request.txt"));
            let Ok(raw) = std::fs::read_to_string(&f) else {
                continue;
            };
            let raw = as_raw_request(case, raw);
            let (code, out, err) = verify(&flags, &env, raw.as_bytes());
            assert_eq!(
                (code, out.as_str()),
                (0, format!("{}\n", env[0].1).as_str()),
                "{case} {form}: {err}"
            );
            checked += 1;
            for (what, changed) in one_byte_changes(&raw) {
                let (code, out, err) = verify(&flags, &env, changed.as_bytes());
                assert_eq!(code, 1, "{case} {form}: {what} changed: {out}{err}");
                assert!(out.is_empty(), "{case} {form}: {what}: {out}");
                assert!(
                    err.starts_with("iamkit: not valid: ") && err.lines().count() == 1,
                    "{case} {form}: {what}: {err}"
                );
            }
        }
    }
    // 40 header-signed and 38 presigned requests (two cases have no query form).
    assert_eq!(checked, 78);
}

#[test]
fn explain_and_json_show_what_iamkit_computed() {
    let dir = suite_dir().join("get-vanilla-query");
    let raw = std::fs::read_to_string(dir.join("header-signed-request.txt")).unwrap();
    let want_cr = std::fs::read_to_string(dir.join("header-canonical-request.txt")).unwrap();
    let want_sts = std::fs::read_to_string(dir.join("header-string-to-sign.txt")).unwrap();
    let flags = ["--time", "20150830T123600Z"];

    let (code, out, _) = verify(
        &[&flags[..], &["--explain"]].concat(),
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("AKIDEXAMPLE\ncanonical request:\n"),
        "{out}"
    );
    assert!(out.contains(want_cr.trim_end()), "{out}");
    assert!(out.contains(want_sts.trim_end()), "{out}");

    let (code, out, _) = verify(
        &[&flags[..], &["--explain", "--json"]].concat(),
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["access_key_id"], "AKIDEXAMPLE");
    assert_eq!(v["reason"], serde_json::Value::Null);
    assert_eq!(v["canonical_request"], want_cr.trim_end());
    assert_eq!(v["string_to_sign"], want_sts.trim_end());

    // A wrong secret: still explained (the canonical request needs no secret), exit 1, and
    // neither output holds the signature iamkit expected.
    let wrong = [
        ("AWS_ACCESS_KEY_ID", SUITE_ID),
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
    ];
    let (code, out, err) = verify(
        &[&flags[..], &["--json", "--explain"]].concat(),
        &wrong,
        raw.as_bytes(),
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "signature does not match");
    assert_eq!(v["canonical_request"], want_cr.trim_end());
    assert_eq!(err, "iamkit: not valid: signature does not match\n");
    let expected = iamkit_sigv4::Signer::new("us-east-1", "service")
        .unwrap()
        .sign(
            &iamkit_sigv4::Request::new("GET", "/", "Param1=value1&Param2=value2")
                .header("host", "example.amazonaws.com"),
            &iamkit_sigv4::Credentials::new(SUITE_ID, "not-the-secret"),
            iamkit_sigv4::Timestamp::parse_amz_date("20150830T123600Z").unwrap(),
        )
        .unwrap()
        .signature()
        .to_owned();
    assert!(!out.contains(&expected) && !err.contains(&expected));

    // Another access key than the request's: refused as unknown.
    let other = [
        ("AWS_ACCESS_KEY_ID", "AKIDOTHER"),
        ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
    ];
    let (code, _, err) = verify(&flags, &other, raw.as_bytes());
    assert_eq!(
        (code, err.as_str()),
        (1, "iamkit: not valid: unknown access key ID\n")
    );
    // The clock: a day later the request is out of the skew window.
    let (code, _, err) = verify(&["--time", "20150831T123600Z"], &SUITE_ENV, raw.as_bytes());
    assert_eq!(code, 1);
    assert!(err.contains("from now"), "{err}");
    // Another scope than the one asked for.
    let (code, _, err) = verify(
        &[&flags[..], &["--region", "eu-west-1"]].concat(),
        &SUITE_ENV,
        raw.as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("another region"), "{err}");
}

#[test]
fn malformed_input_is_exit_2_with_one_clear_line() {
    let flags = ["--time", "20150830T123600Z"];
    for (raw, says) in [
        (&b""[..], "no request on stdin"),
        (b"GET /\r\n\r\n", "HTTP/1.1"),
        (
            b"GET / HTTP/1.1\r\nHost example\r\n\r\n",
            "malformed header",
        ),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", "blank line"),
        (
            b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
            "shorter than Content-Length",
        ),
        (
            b"PUT / HTTP/1.1\r\nHost: x\r\n\r\nbody",
            "without Content-Length",
        ),
        (
            b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nab",
            "after the body",
        ),
        (
            b"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding",
        ),
        (b"GET x HTTP/1.1\r\nHost: x\r\n\r\n", "request target"),
        (b"\xff\xfe / HTTP/1.1\r\n\r\n", "not UTF-8"),
    ] {
        let (code, out, err) = verify(&flags, &SUITE_ENV, raw);
        assert_eq!(code, 2, "{raw:?}: {err}");
        assert!(out.is_empty());
        assert!(
            err.starts_with("iamkit: ") && err.lines().count() == 1,
            "{raw:?}: {err}"
        );
        assert!(err.contains(says), "{raw:?}: {err}");
    }
    // No credentials at all: a usage error.
    let raw = std::fs::read(suite_dir().join("get-vanilla/header-signed-request.txt")).unwrap();
    let (code, _, err) = verify(&flags, &[], &raw);
    assert_eq!(code, 2);
    assert!(err.contains("no credentials"), "{err}");
    // An unsigned request: exit 1 (a check said no).
    let (code, _, err) = verify(&flags, &SUITE_ENV, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(code, 1);
    assert!(err.contains("not signed"), "{err}");
}

/// `iamkit sign` output, sent back as a raw request, verifies: header form, presigned form, S3
/// and not, with a body and a session token.
#[test]
fn sign_output_round_trips_through_verify() {
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body");
    std::fs::write(&body_file, b"{\"a\": 1}").unwrap();
    let body_path = body_file.to_str().unwrap();
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE/token+="),
        ("AWS_REGION", "eu-west-3"),
    ];
    let time = "20240229T235959Z";
    for (service, url) in [
        (
            "execute-api",
            "https://abc.execute-api.eu-west-3.amazonaws.com/prod/a%20b/../c?x=1&y=%2F",
        ),
        (
            "s3",
            "https://bucket.s3.eu-west-3.amazonaws.com/photos/2024/a%20b.jpg?tagging",
        ),
    ] {
        // Header form.
        let o = iamkit(
            &[
                "sign",
                "--service",
                service,
                "--method",
                "PUT",
                "-H",
                "Content-Type: application/json",
                "--body-file",
                body_path,
                "--time",
                time,
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
        let headers = String::from_utf8(o.stdout).unwrap();
        let (host, target) = url["https://".len()..].split_once('/').unwrap();
        let mut raw = format!(
            "PUT /{target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"
        );
        for line in headers.lines() {
            raw.push_str(line);
            raw.push_str("\r\n");
        }
        raw.push_str("\r\n{\"a\": 1}");
        let (code, out, err) = verify(&["--time", time], &env, raw.as_bytes());
        assert_eq!(
            (code, out.as_str()),
            (0, "AKIAIOSFODNN7EXAMPLE\n"),
            "{service}: {err}\n{raw}"
        );
        // The body changed: refused.
        let (code, _, _) = verify(
            &["--time", time],
            &env,
            raw.replace("{\"a\": 1}", "{\"a\": 2}").as_bytes(),
        );
        assert_eq!(code, 1, "{service}");

        // Presigned form.
        let o = iamkit(
            &[
                "sign",
                "--service",
                service,
                "--method",
                "GET",
                "--presign",
                "--expires",
                "60",
                "--time",
                time,
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
        let (host, target) = presigned.trim()["https://".len()..]
            .split_once('/')
            .unwrap();
        let raw = format!("GET /{target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let (code, out, err) = verify(&["--time", time], &env, raw.as_bytes());
        assert_eq!(
            (code, out.as_str()),
            (0, "AKIAIOSFODNN7EXAMPLE\n"),
            "{service}: {err}\n{raw}"
        );
        // Expired a minute later; an added unsigned x-amz-* header is refused.
        let (code, _, err) = verify(&["--time", "20240301T000100Z"], &env, raw.as_bytes());
        assert_eq!(
            (code, err.as_str()),
            (1, "iamkit: not valid: presigned URL has expired\n")
        );
        let tampered = raw.replace("\r\n\r\n", "\r\nx-amz-acl: public-read\r\n\r\n");
        let (code, _, err) = verify(&["--time", time], &env, tampered.as_bytes());
        assert_eq!(code, 1);
        assert!(
            err.contains("\"x-amz-acl\" is present but not signed"),
            "{err}"
        );
    }
}

/// Where `needle` first is in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

/// botocore signs random requests (header and presigned, S3 and not, session tokens, unsigned
/// payloads); `iamkit verify` accepts every one (but an unsigned payload outside S3, which it
/// refuses by default), and refuses each after tampering.
#[test]
fn botocore_signed_requests_verify_and_fail_after_tampering() {
    let Some(py) = util::python_with(&["botocore"]) else {
        return;
    };
    let script = iamkit_testkit::script("sigv4-verify-requests.py");
    // The script's own generator takes the seed; ours prints it on failure for replaying.
    let rng =
        iamkit_testkit::Rng::seeded("botocore_signed_requests_verify_and_fail_after_tampering");
    let seed = rng.seed();
    let o = Command::new(py)
        .arg(script)
        .args(["60", &seed.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    eprint!("{}", String::from_utf8_lossy(&o.stderr));
    let mut seen = [0usize; 4];
    for line in String::from_utf8(o.stdout).unwrap().lines() {
        let c: serde_json::Value = serde_json::from_str(line).unwrap();
        let raw = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            c["raw_b64"].as_str().unwrap(),
        )
        .unwrap();
        let akid = c["akid"].as_str().unwrap();
        let env = [
            ("AWS_ACCESS_KEY_ID", akid),
            ("AWS_SECRET_ACCESS_KEY", c["secret"].as_str().unwrap()),
        ];
        let time = c["time"].as_str().unwrap();
        let what = format!("seed {seed}:\n{}", String::from_utf8_lossy(&raw));
        let (code, out, err) = verify(&["--time", time], &env, &raw);
        if c["valid"] == false {
            assert_eq!(code, 1, "{what}");
            assert!(err.contains("payload is not signed"), "{err}\n{what}");
            continue;
        }
        assert_eq!((code, out.trim()), (0, akid), "{err}\n{what}");
        seen[usize::from(c["s3"] == true) * 2 + usize::from(c["presign"] == true)] += 1;

        // Tampering: the signature, a signed header's value, an added x-amz-* header, the body.
        let head_end = find(&raw, b"\r\n\r\n") + 4;
        let head = std::str::from_utf8(&raw[..head_end]).unwrap();
        let body = &raw[head_end..];
        let sig_at = find(&raw, b"Signature=") + "Signature=".len();
        let mut b = raw.clone();
        b[sig_at] = if b[sig_at] == b'a' { b'b' } else { b'a' };
        let mut tampered = vec![("signature", b)];
        tampered.push((
            "host",
            [
                head.replacen(".amazonaws.com", ".amazonaws.co", 1)
                    .as_bytes(),
                body,
            ]
            .concat(),
        ));
        tampered.push((
            "unsigned header",
            [
                head.replacen("\r\n\r\n", "\r\nX-Amz-Meta-Added: 1\r\n\r\n", 1)
                    .as_bytes(),
                body,
            ]
            .concat(),
        ));
        if c["body_signed"] == true && raw.len() > head_end {
            let mut b = raw.clone();
            b[head_end] ^= 0x20;
            tampered.push(("body", b));
        }
        for (how, t) in tampered {
            let (code, _, err) = verify(&["--time", time], &env, &t);
            assert_eq!(code, 1, "{how}: {err}\n{what}");
        }
    }
    // Every kind of request came up.
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
}
