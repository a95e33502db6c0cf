//! Differential test against botocore: random requests signed by botocore's `SigV4Auth`,
//! `S3SigV4Auth`, `SigV4QueryAuth` and `S3SigV4QueryAuth` (one Python process,
//! `scripts/sigv4-differential.py`) and by us must give the same canonical request and signature.
//!
//! The inputs must mean the same to both. URLs are given in wire form. Where botocore departs
//! from what AWS servers do, the generator stays inside the common ground; each rule is written
//! where the generator applies it:
//! * botocore signs the wire query verbatim (split on `&` and `=`, sorted) instead of decoding and
//!   re-encoding it, so the generator writes queries in AWS's canonical encoding (upper-case hex,
//!   only unreserved characters bare), where both agree; an empty `&&` piece becomes `=` in
//!   botocore and is skipped by us, so none is generated.
//! * Presigning: botocore decodes the query with `parse_qs` (`+` becomes a space, repeated keys
//!   keep the first value) and moves a body into the query, so presigned cases have no repeated
//!   keys, no `+` (it is always `%2B`) and no body.
//! * botocore 1.44 never signs more hop-by-hop headers (connection, te, upgrade, …) than our
//!   default exclusion list; we configure its list (plus `authorization`) here, which also tests
//!   that the list is configurable. A `Date` header makes botocore switch to `Date`; none is generated.
//! * S3: botocore uses the URL path verbatim, and an empty path as the empty string; every
//!   generated path starts with `/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use iamkit_sigv4::{Credentials, Payload, Request, Signer, SigningSettings, Timestamp};
use iamkit_testkit::Rng;
use serde_json::{Value, json};

const QUERY_CHARS: &[&str] = &[
    "a", "b", "Z", "0", "9", "-", "_", ".", "~", " ", "+", "=", "&", "/", "?", "%", "#", "é", "ሴ",
    "😀", "!", "*", "'", "(", ")", ":", "@", ",", ";", "$",
];

/// AWS's canonical query encoding, written here rather than taken from the crate under test:
/// unreserved characters (`A-Z a-z 0-9 - _ . ~`) bare, every other UTF-8 byte as `%XX` with
/// upper-case hex.
fn aws_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn random_text(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| *rng.pick(QUERY_CHARS)).collect()
}

fn random_path(rng: &mut Rng) -> String {
    const SEGS: &[&str] = &[
        "a",
        "docs",
        "Key.txt",
        "x~y",
        ".",
        "..",
        "",
        "%2F",
        "%3A",
        "%20",
        "%25",
        "%E1%88%B4",
        "%e1%88%b4",
        "%C3%A9",
        "a:b",
        "x@y",
        "!$'()*+,;=",
        "v1.2",
        "%2E%2E",
        "-_.~",
        "@connections",
        "JBDvjfGEIAMCERw%3D",
    ];
    let n = rng.below(6);
    let mut p = String::new();
    for _ in 0..n {
        p.push('/');
        p.push_str(rng.pick::<&str>(SEGS));
    }
    if p.is_empty() || rng.chance(20) {
        p.push('/');
    }
    p
}

struct Case {
    json: Value,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn random_case(rng: &mut Rng, id: usize) -> Case {
    let presign = rng.chance(35);
    let s3 = rng.chance(40);
    let service = if s3 {
        "s3"
    } else {
        *rng.pick(&[
            "service",
            "iam",
            "sts",
            "execute-api",
            "lambda",
            "es",
            "dynamodb",
        ])
    };
    let region = *rng.pick(&["us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1"]);
    let method = *rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]);
    let host = *rng.pick(&[
        "example.amazonaws.com",
        "Bucket.S3.Amazonaws.com",
        "localhost",
        "10.0.0.1",
        "my-host.internal",
    ]);
    let scheme = *rng.pick(&["https", "http"]);
    let port = *rng.pick(&["", ":443", ":80", ":8080", ":9000"]);
    let path = random_path(rng);

    let mut query = Vec::new();
    let nq = rng.below(5);
    let mut keys: Vec<String> = Vec::new();
    for _ in 0..nq {
        let k = if !presign && !keys.is_empty() && rng.chance(25) {
            keys[rng.below(keys.len())].clone() // repeated key
        } else {
            let mut k = random_text(rng, 6);
            if k.is_empty() {
                k.push('k');
            }
            k
        };
        if presign && keys.contains(&k) {
            continue; // botocore's parse_qs keeps one value per key
        }
        keys.push(k.clone());
        let piece = if rng.chance(15) {
            aws_encode(&k) // key without '='
        } else {
            format!("{}={}", aws_encode(&k), aws_encode(&random_text(rng, 8)))
        };
        query.push(piece);
    }
    let url = if query.is_empty() {
        format!("{scheme}://{host}{port}{path}")
    } else {
        format!("{scheme}://{host}{port}{path}?{}", query.join("&"))
    };

    let mut headers = Vec::new();
    let nh = rng.below(5);
    for _ in 0..nh {
        let name = *rng.pick(&[
            "X-Custom",
            "x-custom",
            "My-Header",
            "Content-Type",
            "x-amz-meta-Foo",
            "Range",
            "X-Amz-Target",
            "User-Agent",
            "X-Amzn-Trace-Id",
            "Connection",
            "Authorization",
            "Accept",
            "x-amz-storage-class",
        ]);
        let mut value = String::new();
        for _ in 0..rng.below(4) {
            value.push_str(rng.pick::<&str>(&["", " ", "  ", "\t", " \t "]));
            value.push_str(rng.pick::<&str>(&[
                "value",
                "a b",
                "bytes=0-9",
                "text/plain; charset=utf-8",
                "x,y",
                "\"q\"",
                "ሴ",
            ]));
        }
        value.push_str(rng.pick::<&str>(&["", " ", "  "]));
        // botocore's SigV4QueryAuth does not remove an Authorization header before presigning
        // (it then signs it); presigning a request that carries one makes no sense, so none.
        if presign && name == "Authorization" {
            continue;
        }
        if presign
            && name.eq_ignore_ascii_case("content-type")
            && value == "application/x-www-form-urlencoded; charset=utf-8"
        {
            continue;
        }
        headers.push((name.to_owned(), value));
    }
    let body: Vec<u8> = if presign || rng.chance(40) {
        Vec::new()
    } else {
        (0..rng.below(300)).map(|_| rng.next_u64() as u8).collect()
    };
    let unsigned = !presign && rng.chance(20);
    let content_sha256 = !presign && !s3 && !unsigned && rng.chance(30);
    let token = if rng.chance(40) {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        Some(
            (0..rng.below(200) + 20)
                .map(|_| alphabet[rng.below(alphabet.len())] as char)
                .collect::<String>(),
        )
    } else {
        None
    };
    let akid: String = (0..16)
        .map(|_| b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.below(32)] as char)
        .collect();
    let secret: String = (0..40)
        .map(|_| {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.below(64)]
                as char
        })
        .collect();
    let time = Timestamp::from_unix_seconds(946_684_800 + (rng.next_u64() % 1_000_000_000) as i64)
        .unwrap();
    let expires = if rng.chance(50) {
        3600
    } else {
        1 + rng.below(604_800) as u64
    };
    let json = json!({
        "id": id, "method": method, "url": url,
        "headers": headers.iter().map(|(n, v)| vec![n.clone(), v.clone()]).collect::<Vec<_>>(),
        "body_hex": body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "service": service, "region": region, "s3": s3, "presign": presign, "expires": expires,
        "akid": format!("AKIA{akid}"), "secret": secret, "token": token, "unsigned": unsigned,
        "content_sha256": content_sha256, "time": time.amz_date(),
    });
    Case {
        json,
        headers,
        body,
    }
}

/// botocore 1.44's never-signed list (SIGNED_HEADERS_BLACKLIST), plus `authorization`, which
/// botocore removes before signing.
const BOTOCORE_EXCLUDED: &[&str] = &[
    "authorization",
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

fn ours(case: &Case) -> (String, String, Option<String>) {
    let j = &case.json;
    let s = |k: &str| j[k].as_str().unwrap();
    let mut settings = if j["s3"].as_bool().unwrap() {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    settings.excluded_headers = BOTOCORE_EXCLUDED
        .iter()
        .map(|s| Cow::Borrowed(*s))
        .collect();
    let unsigned = j["unsigned"].as_bool().unwrap();
    if unsigned || j["content_sha256"].as_bool().unwrap() {
        settings.content_sha256_header = true;
    }
    let signer = Signer::with_settings(s("region"), s("service"), settings).unwrap();
    let mut creds = Credentials::new(s("akid"), s("secret"));
    if let Some(t) = j["token"].as_str() {
        creds = creds.with_session_token(t);
    }
    let mut req = Request::from_url(s("method"), s("url")).unwrap();
    for (n, v) in &case.headers {
        req.push_header(n, v);
    }
    req = req.payload(if unsigned {
        Payload::Unsigned
    } else {
        Payload::Bytes(&case.body)
    });
    let time = Timestamp::parse_amz_date(s("time")).unwrap();
    let out = if j["presign"].as_bool().unwrap() {
        signer
            .presign(&req, &creds, time, j["expires"].as_u64().unwrap())
            .unwrap()
    } else {
        signer.sign(&req, &creds, time).unwrap()
    };
    let url = out.url().map(str::to_owned);
    (
        out.canonical_request().to_owned(),
        out.signature().to_owned(),
        url,
    )
}

/// Whether two presigned URLs are the same request: scheme, host and port (case-insensitive),
/// the path byte for byte, and the same query parameters byte for byte. Only the order of the
/// parameters may differ (botocore keeps the caller's first and appends the `X-Amz-*` ones; we
/// write them in canonical order), the host's case (we write it lower-case) and a default port
/// (we leave it out).
fn same_url(ours: &str, theirs: &str) -> Result<(), String> {
    fn split(url: &str) -> Result<(String, &str, Vec<&str>), String> {
        let (scheme, rest) = url.split_once("://").ok_or("no scheme")?;
        let (authority, rest) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (path, query) = rest.split_once('?').ok_or("no query")?;
        let mut pieces: Vec<&str> = query.split('&').collect();
        pieces.sort_unstable();
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let authority = authority.strip_suffix(default_port).unwrap_or(authority);
        Ok((
            format!("{scheme}://{authority}").to_lowercase(),
            path,
            pieces,
        ))
    }
    let (a, b) = (split(ours)?, split(theirs)?);
    if a.0 != b.0 {
        return Err(format!("origins differ: {} and {}", a.0, b.0));
    }
    if a.1 != b.1 {
        return Err(format!("paths differ: {} and {}", a.1, b.1));
    }
    if a.2 != b.2 {
        return Err(format!("query parameters differ: {:?} and {:?}", a.2, b.2));
    }
    for name in [
        "X-Amz-Algorithm=",
        "X-Amz-Credential=",
        "X-Amz-Date=",
        "X-Amz-Expires=",
        "X-Amz-SignedHeaders=",
        "X-Amz-Signature=",
    ] {
        if a.2.iter().filter(|p| p.starts_with(name)).count() != 1 {
            return Err(format!("not exactly one {name}"));
        }
    }
    Ok(())
}

#[test]
fn botocore_agrees_on_random_requests() {
    let Some(py) = iamkit_testkit::python_with(&["botocore"]) else {
        return;
    };
    let mut rng = Rng::seeded("botocore_agrees_on_random_requests");
    let seed = rng.seed();
    let cases: Vec<Case> = (0..1200).map(|i| random_case(&mut rng, i)).collect();

    let script = iamkit_testkit::script("sigv4-differential.py");
    let mut child = Command::new(&py)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut stdin = child.stdin.take().unwrap();
    let input: String = cases.iter().map(|c| format!("{}\n", c.json)).collect();
    let writer = std::thread::spawn(move || {
        stdin.write_all(input.as_bytes()).unwrap();
    });
    let reader = BufReader::new(child.stdout.take().unwrap());
    let answers: Vec<Value> = reader
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(answers.len(), cases.len(), "botocore answered every case");

    let mut failures = Vec::new();
    let (mut presigned, mut s3, mut tokens) = (0, 0, 0);
    for (case, ans) in cases.iter().zip(&answers) {
        assert_eq!(ans["id"], case.json["id"]);
        if let Some(e) = ans.get("error") {
            failures.push(format!("botocore error {e} on {}", case.json));
            continue;
        }
        let (cr, sig, url) = ours(case);
        if cr != ans["canonical_request"].as_str().unwrap()
            || sig != ans["signature"].as_str().unwrap()
        {
            failures.push(format!(
                "case {}\n--- botocore\n{}\n{}\n--- iamkit\n{cr}\n{sig}",
                case.json,
                ans["canonical_request"].as_str().unwrap(),
                ans["signature"]
            ));
        }
        if case.json["presign"].as_bool().unwrap() {
            presigned += 1;
            // The whole URL a client would send, not only the signature at its end.
            let theirs = ans["url"].as_str().expect("botocore's presigned URL");
            let url = url.expect("a presigned URL");
            if let Err(why) = same_url(&url, theirs) {
                failures.push(format!(
                    "case {}\n{why}\n--- botocore URL\n{theirs}\n--- iamkit URL\n{url}",
                    case.json
                ));
            }
        } else {
            assert!(url.is_none(), "a header-signed request has no URL: {url:?}");
        }
        s3 += case.json["s3"].as_bool().unwrap() as usize;
        tokens += case.json["token"].is_string() as usize;
    }
    println!(
        "{} cases ({presigned} presigned, {s3} S3, {tokens} with session token)",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} differ (seed {seed}):\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(5)].join("\n\n")
    );
    assert!(presigned > 100 && s3 > 100 && tokens > 100);
}
