//! SigV4a differential test against awscrt (through botocore's `CrtSigV4AsymAuth` family, one
//! Python process, `scripts/sigv4a-differential.py`) on seeded random requests:
//! * iamkit's verifier accepts every request awscrt signed (header and presigned forms, S3 and
//!   general rules, session tokens, region sets) — which also shows that both write the same
//!   canonical request and string to sign;
//! * iamkit's signatures verify in Python with `cryptography` under the public key the script
//!   derives itself from the credentials.
//!
//! The seed is printed (iamkit-testkit's `Rng`); rerun with `IAMKIT_TEST_SEED=<seed>`. The generator stays inside
//! what both sides read the same way (see the v4 `differential.rs` for botocore's quirks):
//! canonically encoded queries without repeated keys, no body when presigning.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::{
    Credentials, Payload, Request, SigV4aSigner, SigV4aVerifier, SigningSettings, Timestamp,
};
use iamkit_testkit::Rng;
use serde_json::{Value, json};

/// AWS's canonical query encoding, written here: unreserved bare, the rest `%XX` upper-case.
fn aws_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Case {
    json: Value,
    /// The region the verifier serves (one the region set includes).
    region: String,
    body: Vec<u8>,
}

fn random_case(rng: &mut Rng, id: usize) -> Case {
    let s3 = rng.chance(40);
    let presign = rng.chance(40);
    let service = if s3 {
        "s3"
    } else {
        *rng.pick(&["service", "execute-api", "sts"])
    };
    let (region_set, region) = *[
        ("us-east-1", "us-east-1"),
        ("*", "ap-south-1"),
        ("us-east-1,us-west-2", "us-west-2"),
        ("eu-*", "eu-central-1"),
    ]
    .get(rng.below(4))
    .unwrap();
    let method = *rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]);
    let host = *rng.pick(&[
        "example.amazonaws.com",
        "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
    ]);
    let segs = ["a", "docs", "Key.txt", "x-y_z", "0~1", "UPPER"];
    let path: String = (0..rng.below(4))
        .map(|_| format!("/{}", segs[rng.below(segs.len())]))
        .collect();
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let chars = [
        "a", "Z", "0", "-", "_", ".", "~", " ", "/", "é", "ሴ", "!", "*", "=", "&", "+",
    ];
    let mut keys: Vec<String> = Vec::new();
    for _ in 0..rng.below(4) {
        let k: String = (0..1 + rng.below(5)).map(|_| *rng.pick(&chars)).collect();
        if !keys.contains(&k) && !k.starts_with("X-Amz") {
            keys.push(k);
        }
    }
    let query: Vec<String> = keys
        .iter()
        .map(|k| {
            let v: String = (0..rng.below(6)).map(|_| *rng.pick(&chars)).collect();
            format!("{}={}", aws_encode(k), aws_encode(&v))
        })
        .collect();
    let url = if query.is_empty() {
        format!("https://{host}{path}")
    } else {
        format!("https://{host}{path}?{}", query.join("&"))
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in [
        ("X-Amz-Meta-Color", "blue"),
        ("Content-Type", "text/plain"),
        ("X-Custom-Header", "a  b"),
        ("X-Amz-Acl", "private"),
    ] {
        if rng.chance(30) {
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    let body: Vec<u8> = if presign || rng.chance(40) {
        Vec::new()
    } else {
        (0..rng.below(200))
            .map(|_| b"abcxyz0123 \n{}"[rng.below(14)])
            .collect()
    };
    let token = rng.chance(30).then(|| {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        (0..20 + rng.below(100))
            .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
            .collect::<String>()
    });
    let akid: String = (0..16)
        .map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.below(32)]))
        .collect();
    let secret: String = (0..40)
        .map(|_| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.below(64)],
            )
        })
        .collect();
    let time = Timestamp::from_unix_seconds(
        946_684_800 + i64::try_from(rng.next_u64() % 1_000_000_000).unwrap(),
    )
    .unwrap();
    let expires = 1 + rng.below(604_800) as u64;
    let json = json!({
        "id": id, "method": method, "url": url,
        "headers": headers.iter().map(|(n, v)| vec![n.clone(), v.clone()]).collect::<Vec<_>>(),
        "body_hex": body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "service": service, "region_set": region_set, "s3": s3, "presign": presign,
        "expires": expires, "akid": akid, "secret": secret, "token": token,
        "time": time.amz_date(),
    });
    Case {
        json,
        region: region.to_owned(),
        body,
    }
}

fn settings(j: &Value) -> SigningSettings {
    if j["s3"].as_bool().unwrap() {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    }
}

fn creds(j: &Value) -> Credentials {
    let c = Credentials::new(j["akid"].as_str().unwrap(), j["secret"].as_str().unwrap());
    match j["token"].as_str() {
        Some(t) => c.with_session_token(t),
        None => c,
    }
}

/// iamkit's signature of the case: (string to sign, signature).
fn ours(case: &Case) -> (String, String) {
    let j = &case.json;
    let signer = SigV4aSigner::with_settings(
        j["region_set"].as_str().unwrap(),
        j["service"].as_str().unwrap(),
        settings(j),
    )
    .unwrap();
    let mut req =
        Request::from_url(j["method"].as_str().unwrap(), j["url"].as_str().unwrap()).unwrap();
    let headers: Vec<(String, String)> = j["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (n, v) in &headers {
        req.push_header(n, v);
    }
    let req = req.payload(Payload::Bytes(&case.body));
    let time = Timestamp::parse_amz_date(j["time"].as_str().unwrap()).unwrap();
    let out = if j["presign"].as_bool().unwrap() {
        signer
            .presign(&req, &creds(j), time, j["expires"].as_u64().unwrap())
            .unwrap()
    } else {
        signer.sign(&req, &creds(j), time).unwrap()
    };
    (out.string_to_sign().to_owned(), out.signature().to_owned())
}

/// iamkit's verifier on the request awscrt signed.
fn verify_theirs(case: &Case, answer: &Value) -> Result<(), String> {
    let j = &case.json;
    let url = answer["url"].as_str().ok_or("no url")?;
    let rest = url.split_once("://").ok_or("no scheme")?.1;
    let target = &rest[rest.find('/').unwrap_or(rest.len())..];
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = if path.is_empty() { "/" } else { path };
    let headers: Vec<(String, String)> = answer["headers"]
        .as_array()
        .ok_or("no headers")?
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut req = Request::new(j["method"].as_str().unwrap(), path, query)
        .payload(Payload::Bytes(&case.body));
    for (n, v) in &headers {
        req.push_header(n, v);
    }
    let verifier =
        SigV4aVerifier::with_settings(&case.region, j["service"].as_str().unwrap(), settings(j))
            .unwrap()
            .insecure_accept_unsigned_payload(true);
    let now = Timestamp::parse_amz_date(j["time"].as_str().unwrap()).unwrap();
    let c = creds(j);
    verifier
        .verify(&req, now, |akid| {
            (akid == c.access_key_id()).then(|| c.clone())
        })
        .map(|_| ())
        .map_err(|e| format!("{e} (request {url} {headers:?})"))
}

#[test]
fn awscrt_and_iamkit_verify_each_others_sigv4a_signatures() {
    let Some(py) = iamkit_testkit::python_with(&["botocore.auth", "awscrt", "cryptography"]) else {
        return;
    };
    let mut rng = Rng::seeded("sigv4a differential");
    let seed = rng.seed();
    let mut cases: Vec<Case> = (0..300).map(|i| random_case(&mut rng, i)).collect();
    let mut input = String::new();
    for case in &mut cases {
        let (sts, sig) = ours(case);
        case.json["ours"] = json!({"string_to_sign": sts, "signature": sig});
        input.push_str(&case.json.to_string());
        input.push('\n');
    }
    let out = iamkit_testkit::run_script(&py, "sigv4a-differential.py", input.into_bytes());
    let answers: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len(), "seed {seed}");
    let mut failures = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        let id = &case.json["id"];
        if let Some(e) = answer.get("error") {
            failures.push(format!("case {id}: awscrt failed: {e} ({})", case.json));
            continue;
        }
        if answer["ours_ok"] != json!(true) {
            failures.push(format!(
                "case {id}: cryptography rejects iamkit's signature ({})",
                case.json
            ));
        }
        if let Err(e) = verify_theirs(case, answer) {
            failures.push(format!("case {id}: iamkit rejects awscrt's signature: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ (seed {seed}):\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
