//! The official SigV4a suite in `<workspace>/../shared/vectors/sigv4/v4a/` (see its README), every
//! one of the 38 cases in one loop: the canonical request and string to sign byte for byte (header
//! and presigned forms), the derived public key equal to `public-key.json`, the case's own
//! signatures verifying (ECDSA signatures are randomized: compared by verification), and our own
//! signatures verifying.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use iamkit_sigv4::canonical::percent_decode;
use iamkit_sigv4::{
    Credentials, EcdsaSigningKey, Payload, Request, SessionTokenMode, SigV4aSigner, SigV4aVerifier,
    SigningSettings, Timestamp,
};
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Verifier as _;

fn root() -> PathBuf {
    iamkit_testkit::vectors("sigv4/v4a")
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A parsed `request.txt` / `*-signed-request.txt`.
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
    let (method, rest) = lines.next().unwrap().split_once(' ').unwrap();
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
        body: body.trim_ascii_end().to_vec(),
    }
}

fn request(r: &RawReq) -> Request<'_> {
    let mut req = Request::new(&r.method, &r.path, &r.query).payload(Payload::Bytes(&r.body));
    for (n, v) in &r.headers {
        req.push_header(n, v);
    }
    req
}

struct Params {
    creds: Credentials,
    region: String,
    service: String,
    time: Timestamp,
    expires: u64,
    settings: SigningSettings,
}

fn params(dir: &Path) -> Params {
    let j: serde_json::Value = serde_json::from_str(&read(&dir.join("context.json"))).unwrap();
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

/// `text` with the first `Signature=…` / `X-Amz-Signature=…` value replaced by `sig`.
fn with_signature(text: &str, marker: &str, sig: &str) -> String {
    let at = text.find(marker).unwrap() + marker.len();
    let end = text[at..]
        .find(|c: char| !c.is_ascii_hexdigit())
        .map_or(text.len(), |e| at + e);
    format!("{}{}{}", &text[..at], sig, &text[end..])
}

#[test]
fn v4a_suite_every_case() {
    let mut names: Vec<String> = fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 38, "the README promises 38 v4a cases");
    let mut failures = Vec::new();
    let mut verified = 0;
    for name in &names {
        let dir = root().join(name);
        let p = params(&dir);
        let mut fail =
            |what: &str, detail: String| failures.push(format!("{name} {what}: {detail}"));

        // The derived public key.
        let key =
            EcdsaSigningKey::derive(p.creds.access_key_id(), p.creds.secret_access_key()).unwrap();
        let pk: serde_json::Value =
            serde_json::from_str(&read(&dir.join("public-key.json"))).unwrap();
        let (x, y) = key.public_key_xy();
        let (hx, hy) = (hex(&x), hex(&y));
        if pk["X"].as_str().unwrap() != hx || pk["Y"].as_str().unwrap() != hy {
            fail("public key", format!("got X={hx} Y={hy}"));
        }

        let mut raw = parse_req(&read(&dir.join("request.txt")));
        if name == "get-space-normalized" {
            // As in the v4 suite: smithy-rs changed the request line to `%20` but kept the
            // expected output, which encodes aws-c-auth's raw space once.
            raw.path = String::from_utf8(percent_decode(&raw.path)).unwrap();
        }
        let req = request(&raw);
        let signer =
            SigV4aSigner::with_settings(&p.region, &p.service, p.settings.clone()).unwrap();
        let verifier =
            SigV4aVerifier::with_settings(&p.region, &p.service, p.settings.clone()).unwrap();
        let lookup = |_: &str| Some(p.creds.clone());

        for form in ["header", "query"] {
            let out = if form == "header" {
                signer.sign(&req, &p.creds, p.time).unwrap()
            } else {
                signer.presign(&req, &p.creds, p.time, p.expires).unwrap()
            };
            for (what, got) in [
                ("canonical-request", out.canonical_request()),
                ("string-to-sign", out.string_to_sign()),
            ] {
                let want = read(&dir.join(format!("{form}-{what}.txt")));
                if want.trim_end_matches('\n') != got {
                    fail(form, format!("{what}:\n--- want\n{want}\n--- got\n{got}"));
                }
            }
            // The suite's signature over its string to sign, checked with the derived key.
            let sts = read(&dir.join(format!("{form}-string-to-sign.txt")));
            let sig_hex = read(&dir.join(format!("{form}-signature.txt")));
            let sig_hex = sig_hex.trim();
            let sig = Signature::from_der(&unhex(sig_hex)).unwrap();
            if key
                .verifying_key()
                .verify(sts.trim_end_matches('\n').as_bytes(), &sig)
                .is_err()
            {
                fail(
                    form,
                    "the suite's signature does not verify with the derived key".into(),
                );
            }
            // The suite's signed request, as sent, through our verifier: with its own sample
            // signature and with the one of `{form}-signature.txt`.
            let signed = read(&dir.join(format!("{form}-signed-request.txt")));
            let marker = if form == "header" {
                "Signature="
            } else {
                "X-Amz-Signature="
            };
            for text in [signed.clone(), with_signature(&signed, marker, sig_hex)] {
                let mut sent = parse_req(&text);
                if name == "get-space-normalized" {
                    sent.path = String::from_utf8(percent_decode(&sent.path)).unwrap();
                }
                match verifier.verify(&request(&sent), p.time, lookup) {
                    Ok(v) => {
                        assert_eq!(v.region_set(), "us-east-1");
                        verified += 1;
                    }
                    Err(e) => fail(form, format!("the suite's signed request fails: {e}")),
                }
                // One flipped signature digit fails (opaquely).
                let sig_at = text.find(marker).unwrap() + marker.len() + 20;
                let mut broken = text.clone().into_bytes();
                broken[sig_at] = if broken[sig_at] == b'0' { b'1' } else { b'0' };
                let broken = String::from_utf8(broken).unwrap();
                let mut sent = parse_req(&broken);
                if name == "get-space-normalized" {
                    sent.path = String::from_utf8(percent_decode(&sent.path)).unwrap();
                }
                if verifier.verify(&request(&sent), p.time, lookup).is_ok() {
                    fail(form, "a changed signature verifies".into());
                }
            }
            // Our own signature verifies, as sent.
            let sent_query;
            let mut sent = if form == "header" {
                Request::new(&raw.method, &raw.path, &raw.query)
            } else {
                sent_query = out.query().unwrap().to_owned();
                Request::new(&raw.method, &raw.path, &sent_query)
            }
            .payload(Payload::Bytes(&raw.body));
            for (n, v) in &raw.headers {
                if !out.headers().any(|(a, _)| a.eq_ignore_ascii_case(n)) {
                    sent.push_header(n, v);
                }
            }
            for (n, v) in out.headers() {
                sent.push_header(n, v);
            }
            if let Err(e) = verifier.verify(&sent, p.time, lookup) {
                fail(form, format!("our own signature fails: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(verified, 38 * 2 * 2);
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
