//! The official SigV4 test suite in `<workspace>/../shared/vectors/sigv4/` (see its README):
//! every `v4/<case>/` (header and query signing: canonical request, string to sign, signature)
//! and the legacy `<case>/<case>.{creq,sts,authz}` per-step files where they agree with `v4/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use iamkit_sigv4::canonical::percent_decode;
use iamkit_sigv4::{
    Credentials, Payload, Request, SessionTokenMode, Signer, SigningSettings, Timestamp, Verifier,
};

fn vectors() -> PathBuf {
    iamkit_testkit::vectors("sigv4")
}

/// A parsed `request.txt` / `.req`: method, request target (path and query as written), headers
/// (obs-fold continuation lines kept with their line break, as on the wire), body.
struct RawReq {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn parse_req(text: &str) -> RawReq {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.split('\n');
    let first = lines.next().unwrap();
    let (method, rest) = first.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().unwrap();
            last.1.push('\n');
            last.1.push_str(line);
        } else {
            let (n, v) = line.split_once(':').unwrap();
            headers.push((n.to_owned(), v.to_owned()));
        }
    }
    RawReq {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    }
}

struct Params {
    creds: Credentials,
    region: String,
    service: String,
    time: Timestamp,
    expires: u64,
    settings: SigningSettings,
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn request<'a>(r: &'a RawReq) -> Request<'a> {
    let mut req = Request::new(&r.method, &r.path, &r.query).payload(Payload::Bytes(&r.body));
    for (n, v) in &r.headers {
        req.push_header(n, v);
    }
    req
}

fn v4_params(dir: &Path, name: &str) -> Params {
    let ctx = dir.join("context.json");
    if !ctx.exists() {
        // double-encode-path and double-url-encode were added by smithy-rs without a
        // context.json; the README gives their parameters (the same as the legacy cases).
        return match name {
            "double-url-encode" => Params {
                creds: Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                region: "us-east-2".into(),
                service: "lambda".into(),
                time: Timestamp::parse_amz_date("20210511T154045Z").unwrap(),
                expires: 3600,
                settings: SigningSettings::default(),
            },
            "double-encode-path" => Params {
                creds: Credentials::new("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby"),
                region: "us-east-1".into(),
                service: "service".into(),
                // The README gives 20150830T123600Z (the time of the Authorization line in
                // header-signed-request.txt); header-canonical-request.txt however carries
                // x-amz-date 20210511T154045Z. Checked separately below at that time.
                time: Timestamp::parse_amz_date("20150830T123600Z").unwrap(),
                expires: 3600,
                settings: SigningSettings::default(),
            },
            other => panic!("{other}: no context.json and no parameters known"),
        };
    }
    let j: serde_json::Value = serde_json::from_str(&read(&ctx)).unwrap();
    let c = &j["credentials"];
    let mut creds = Credentials::new(
        c["access_key_id"].as_str().unwrap(),
        c["secret_access_key"].as_str().unwrap(),
    );
    if let Some(t) = c["token"].as_str() {
        creds = creds.with_session_token(t);
    }
    let mut settings = SigningSettings::default();
    settings.normalize_path = j["normalize"].as_bool().unwrap_or(true);
    settings.content_sha256_header = j["sign_body"].as_bool().unwrap_or(false);
    if j["omit_session_token"].as_bool().unwrap_or(false) {
        settings.session_token = SessionTokenMode::AddedAfterSigning;
    }
    Params {
        creds,
        region: j["region"].as_str().unwrap().into(),
        service: j["service"].as_str().unwrap().into(),
        time: Timestamp::parse_rfc3339(j["timestamp"].as_str().unwrap()).unwrap(),
        expires: j["expiration_in_seconds"].as_u64().unwrap(),
        settings,
    }
}

/// The time of a case whose only statement of it is the `x-amz-date` line of its canonical request.
fn time_of_creq(dir: &Path) -> Timestamp {
    let f = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "creq")
                || p.file_name().unwrap() == "header-canonical-request.txt"
        })
        .unwrap();
    let creq = read(&f);
    let line = creq.lines().find(|l| l.starts_with("x-amz-date:")).unwrap();
    Timestamp::parse_amz_date(&line["x-amz-date:".len()..]).unwrap()
}

#[test]
fn v4_suite_every_case() {
    let root = vectors().join("v4");
    let mut names: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 40, "the README promises 40 v4 cases");
    let mut failures = Vec::new();
    let (mut header_checked, mut query_checked) = (0, 0);
    for name in &names {
        let dir = root.join(name);
        let p = v4_params(&dir, name);
        let mut raw = parse_req(&read(&dir.join("request.txt")));
        if name == "get-space-normalized" {
            // smithy-rs changed this request line from aws-c-auth's raw space to `%20` but kept the
            // expected output, which encodes the raw space once; the README says botocore too
            // needs the raw path here. Use the raw path, as aws-c-auth wrote it.
            raw.path = String::from_utf8(percent_decode(&raw.path)).unwrap();
        }
        let signer = Signer::with_settings(&p.region, &p.service, p.settings.clone()).unwrap();
        let req = request(&raw);

        // Header signing.
        let out = signer.sign(&req, &p.creds, p.time).unwrap();
        let mut check = |what: &str, file: &str, got: &str| {
            let f = dir.join(file);
            if f.exists() {
                let want = read(&f);
                if want.trim_end_matches('\n') != got {
                    failures.push(format!(
                        "{name} {what}:\n--- want\n{want}\n--- got\n{got}\n"
                    ));
                }
                true
            } else {
                false
            }
        };
        if name == "double-encode-path" {
            let creq_time = time_of_creq(&dir);
            let out2 = signer.sign(&req, &p.creds, creq_time).unwrap();
            assert!(check(
                "header canonical request",
                "header-canonical-request.txt",
                out2.canonical_request()
            ));
        } else {
            assert!(check(
                "header canonical request",
                "header-canonical-request.txt",
                out.canonical_request()
            ));
        }
        // double-encode-path has no string-to-sign file; double-* have no signature file (their
        // signature is checked through the Authorization line below).
        let has_sts = check(
            "header string to sign",
            "header-string-to-sign.txt",
            out.string_to_sign(),
        );
        let has_sig = check("header signature", "header-signature.txt", out.signature());
        assert!(
            has_sts || name == "double-encode-path",
            "{name}: no string to sign"
        );
        assert!(
            has_sig || name.starts_with("double-"),
            "{name}: no signature"
        );
        header_checked += 1;
        // The Authorization header matches the signed request's.
        let sreq = read(&dir.join("header-signed-request.txt"));
        let want_authz = sreq
            .lines()
            .find_map(|l| l.strip_prefix("Authorization:"))
            .unwrap();
        let got_authz = out.header("authorization").unwrap();
        if want_authz.trim() != got_authz {
            failures.push(format!(
                "{name} authorization: want {want_authz} got {got_authz}"
            ));
        }

        // Our verifier accepts what we signed (the request as sent: the added headers appended).
        // The client replaces headers of the same name as those it adds.
        let mut sent =
            Request::new(&raw.method, &raw.path, &raw.query).payload(Payload::Bytes(&raw.body));
        for (n, v) in &raw.headers {
            if !out.headers().any(|(a, _)| a.eq_ignore_ascii_case(n)) {
                sent.push_header(n, v);
            }
        }
        if !sent
            .headers()
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            sent = sent.with_host("example.amazonaws.com");
        }
        for (n, v) in out.headers() {
            sent.push_header(n, v);
        }
        let verifier = Verifier::with_settings(&p.region, &p.service, p.settings.clone()).unwrap();
        if let Err(e) = verifier.verify(&sent, p.time, |_| Some(p.creds.clone())) {
            failures.push(format!(
                "{name}: verify of our own header signature failed: {e}"
            ));
        }

        // Query signing.
        if dir.join("query-signature.txt").exists() {
            let out = signer.presign(&req, &p.creds, p.time, p.expires).unwrap();
            let mut check = |what: &str, file: &str, got: &str| {
                let want = read(&dir.join(file));
                if want.trim_end_matches('\n') != got {
                    failures.push(format!(
                        "{name} {what}:\n--- want\n{want}\n--- got\n{got}\n"
                    ));
                }
            };
            check(
                "query canonical request",
                "query-canonical-request.txt",
                out.canonical_request(),
            );
            check(
                "query string to sign",
                "query-string-to-sign.txt",
                out.string_to_sign(),
            );
            check("query signature", "query-signature.txt", out.signature());
            query_checked += 1;
            let q = out.query().unwrap();
            let mut sent =
                Request::new(&raw.method, &raw.path, q).payload(Payload::Bytes(&raw.body));
            for (n, v) in &raw.headers {
                sent.push_header(n, v);
            }
            if let Err(e) = verifier.verify(&sent, p.time, |_| Some(p.creds.clone())) {
                failures.push(format!(
                    "{name}: verify of our own presigned query failed: {e}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(header_checked, 40);
    // double-encode-path and double-url-encode have no query files.
    assert_eq!(query_checked, 38);
}

fn legacy_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && p.file_name().unwrap() != "v4" && p.file_name().unwrap() != "v4a" {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            if p.join(format!("{name}.req")).exists() || p.join(format!("{name}.creq")).exists() {
                out.push(p.clone());
            }
            legacy_cases(&p, out);
        }
    }
}

#[test]
fn legacy_suite_per_step_files() {
    let mut cases = Vec::new();
    legacy_cases(&vectors(), &mut cases);
    cases.sort();
    assert_eq!(
        cases.len(),
        34,
        "the README promises 34 legacy case folders"
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    let legacy_creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let legacy_time = Timestamp::parse_amz_date("20150830T123600Z").unwrap();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let file = |ext: &str| dir.join(format!("{name}.{ext}"));
        match name {
            // Differences listed in the README: the legacy text joins obs-folded lines with ','
            // (v4/ and botocore/CRT use one space, which we follow and check in v4_suite_every_case).
            "get-header-value-multiline" => continue,
            // The legacy .creq lists content-type among the canonical headers but not in
            // SignedHeaders, which no signer can produce; v4/ has the consistent version (checked).
            "post-x-www-form-urlencoded" | "post-x-www-form-urlencoded-parameters" => continue,
            _ => {}
        }
        if name == "iam" {
            // iam.creq is a string to sign (README). Its hash is that of the IAM ListUsers example
            // canonical request of AWS's General Reference ("Create a canonical request"), which we
            // rebuild here; if we rebuilt it wrongly the hash would not match.
            let signer = Signer::new("us-east-1", "iam").unwrap();
            let req = Request::from_url(
                "GET",
                "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            )
            .unwrap()
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            );
            let out = signer.sign(&req, &legacy_creds, legacy_time).unwrap();
            assert_eq!(
                out.string_to_sign(),
                read(&file("creq")).trim_end_matches('\n')
            );
            checked += 1;
            continue;
        }
        let (creds, region, service, time) = match name {
            "double-url-encode" => (
                legacy_creds.clone(),
                "us-east-2",
                "lambda",
                Timestamp::parse_amz_date("20210511T154045Z").unwrap(),
            ),
            // Like v4/double-encode-path: the .creq carries 20210511T154045Z (its only statement
            // of time; the .sreq's Authorization is checked at the README's 20150830T123600Z).
            "double-encode-path" => (
                Credentials::new("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby"),
                "us-east-1",
                "service",
                time_of_creq(dir),
            ),
            "post-sts-header-before" | "post-sts-header-after" => {
                let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
                (
                    legacy_creds.clone().with_session_token(token),
                    "us-east-1",
                    "service",
                    legacy_time,
                )
            }
            _ => (legacy_creds.clone(), "us-east-1", "service", legacy_time),
        };
        let mut settings = SigningSettings::default();
        if name == "post-sts-header-after" {
            settings.session_token = SessionTokenMode::AddedAfterSigning;
        }
        let signer = Signer::with_settings(region, service, settings).unwrap();
        let raw = parse_req(&read(&file("req")));
        let req = request(&raw);
        let out = signer.sign(&req, &creds, time).unwrap();
        let mut cmp = |what: &str, want: String, got: &str| {
            if want.trim_end_matches('\n').trim() != got {
                failures.push(format!(
                    "{name} {what}:\n--- want\n{want}\n--- got\n{got}\n"
                ));
            }
        };
        cmp("creq", read(&file("creq")), out.canonical_request());
        if file("sts").exists() {
            cmp("sts", read(&file("sts")), out.string_to_sign());
        }
        let authz = out.header("authorization").unwrap();
        if file("authz").exists() {
            cmp("authz", read(&file("authz")), authz);
        } else {
            // double-encode-path / double-url-encode: the Authorization line of the .sreq.
            let sreq = read(&file("sreq"));
            let want = sreq
                .lines()
                .find_map(|l| l.strip_prefix("Authorization:"))
                .unwrap()
                .trim()
                .to_owned();
            let out = if name == "double-encode-path" {
                signer.sign(&req, &creds, legacy_time).unwrap()
            } else {
                out.clone()
            };
            let got = out.header("authorization").unwrap();
            cmp("sreq Authorization", want, got);
        }
        checked += 1;

        if file("qpsreq").exists() {
            // get-vanilla-query-order-key-case: presigned with ANOTREAL and X-Amz-Expires=35 (README).
            let creds = Credentials::new("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby");
            let q = parse_req(&read(&file("qpsreq")));
            let out = signer.presign(&req, &creds, time, 35).unwrap();
            let want_sig = q
                .query
                .split('&')
                .find_map(|p| p.strip_prefix("X-Amz-Signature="))
                .unwrap();
            assert_eq!(out.signature(), want_sig, "{name} qpsreq signature");
            // Same parameter set (the file keeps the request's own order, we sort).
            let mut a: Vec<&str> = q.query.split('&').collect();
            let q2 = out.query().unwrap();
            let mut b: Vec<&str> = q2.split('&').collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name} qpsreq parameters");
            // And our verifier accepts the file's presigned request as it is.
            let sent = request(&q);
            Verifier::new("us-east-1", "service")
                .unwrap()
                .verify(&sent, time, |akid| {
                    (akid == "ANOTREAL").then(|| creds.clone())
                })
                .unwrap();
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // 34 folders - 3 skipped above + the qpsreq presigned case.
    assert_eq!(checked, 32);
}
