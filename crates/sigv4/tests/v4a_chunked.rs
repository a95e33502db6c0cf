//! SigV4a aws-chunked bodies (`STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]`).
//!
//! * The example of aws-c-auth's `sigv4a_chunked_signing_test` (the S3 documentation's chunked
//!   upload, signed with SigV4a): the canonical request byte for byte, the public key of its
//!   credentials, and each chunk and trailer signature verifying (with `p256` directly) over the
//!   strings to sign written here from that test's fixed lines (the chunk hashes and the trailer
//!   hash are its values, not computed by iamkit).
//! * On seeded random bodies, chunk sizes and trailers: every signature of iamkit's encoded body
//!   verifies in Python (`scripts/sigv4a-chunks.py`, `cryptography`), which parses the wire form,
//!   builds each string to sign and derives the public key itself; the encoded length function
//!   agrees with the bytes; iamkit's decoder accepts the body and refuses a changed byte, two
//!   chunks swapped, a truncated body and a wrong decoded length.
//!
//! The seed is printed (iamkit-testkit's `Rng`); rerun with `IAMKIT_TEST_SEED=<seed>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::sigv4a::{ChunkDecoderV4a, encoded_length};
use iamkit_sigv4::{
    ChunkDecoder, Credentials, Error, Payload, Request, SigV4aSigner, SigV4aVerifier,
    SigningOutput, Timestamp,
};
use iamkit_testkit::Rng;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{Value, json};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn time() -> Timestamp {
    Timestamp::parse_amz_date("20130524T000000Z").unwrap()
}

/// aws-c-auth's chunked test request (PUT of 66560 bytes, S3), with `payload`.
fn example_request(payload: Payload<'static>, trailer: bool) -> Request<'static> {
    let mut r = Request::new("PUT", "/examplebucket/chunkObject.txt", "")
        .header("host", "s3.amazonaws.com")
        .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "66560")
        .header("content-length", "66824");
    if trailer {
        r = r.header("x-amz-trailer", "first,second,third");
    }
    r.payload(payload)
}

fn sign_example(trailer: bool) -> SigningOutput {
    let payload = if trailer {
        Payload::StreamingSignedTrailer
    } else {
        Payload::StreamingSigned
    };
    SigV4aSigner::s3("us-east-1")
        .unwrap()
        .sign(
            &example_request(payload, trailer),
            &Credentials::new(AKID, SECRET),
            time(),
        )
        .unwrap()
}

/// aws-c-auth's public key of these credentials.
fn example_public_key() -> VerifyingKey {
    let x = "18b7d04643359f6ec270dcbab8dce6d169d66ddc9778c75cfb08dfdb701637ab";
    let y = "fa36b35e4fe67e3112261d2e17a956ef85b06e44712d2850bcd3c2161e9993f2";
    let sec1 = hex(&format!("04{x}{y}"));
    VerifyingKey::from_sec1_bytes(&sec1).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A chunk or trailer signature as on the wire: 144 characters, hex padded with '*'.
fn unpad(wire: &str) -> &str {
    assert_eq!(wire.len(), 144, "{wire}");
    let bare = wire.trim_end_matches('*');
    assert!(bare.bytes().all(|b| b.is_ascii_hexdigit()), "{wire}");
    bare
}

fn verifies(key: &VerifyingKey, sts: &str, sig_hex: &str) -> bool {
    let sig = Signature::from_der(&hex(sig_hex)).unwrap();
    key.verify(sts.as_bytes(), &sig).is_ok()
}

#[test]
fn aws_c_auth_example_canonical_request_key_and_chunk_chain() {
    for trailer in [false, true] {
        let out = sign_example(trailer);
        let (sha, trailer_header, trailer_name) = if trailer {
            (
                "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
                "x-amz-trailer:first,second,third\n",
                ";x-amz-trailer",
            )
        } else {
            ("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "", "")
        };
        let expected = format!(
            "PUT\n/examplebucket/chunkObject.txt\n\ncontent-encoding:aws-chunked\ncontent-length:66824\n\
             host:s3.amazonaws.com\nx-amz-content-sha256:{sha}\nx-amz-date:20130524T000000Z\n\
             x-amz-decoded-content-length:66560\nx-amz-region-set:us-east-1\n\
             x-amz-storage-class:REDUCED_REDUNDANCY\n{trailer_header}\n\
             content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
             x-amz-decoded-content-length;x-amz-region-set;x-amz-storage-class{trailer_name}\n{sha}"
        );
        assert_eq!(out.canonical_request(), expected);
        let signer = SigV4aSigner::s3("us-east-1").unwrap();
        let creds = Credentials::new(AKID, SECRET);
        let key = example_public_key();
        assert_eq!(signer.signing_key(&creds).unwrap().verifying_key(), &key);
        assert!(verifies(&key, out.string_to_sign(), out.signature()));

        // The chunks of 65536 and 1024 'a's, then the final empty one, then the trailers.
        let head = "AWS4-ECDSA-P256-SHA256-PAYLOAD\n20130524T000000Z\n20130524/s3/aws4_request\n";
        let hashes = [
            "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a",
            "2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a",
            EMPTY_SHA256,
        ];
        let mut chunks = signer
            .chunk_signer(&creds, time(), out.signature())
            .unwrap();
        let mut previous = out.signature().to_owned();
        for (data, hash) in [vec![b'a'; 65536], vec![b'a'; 1024], Vec::new()]
            .iter()
            .zip(hashes)
        {
            let wire = chunks.sign_chunk(data);
            let sts = format!("{head}{previous}\n{EMPTY_SHA256}\n{hash}");
            assert!(
                verifies(&key, &sts, unpad(&wire)),
                "chunk of {}",
                data.len()
            );
            // The next string to sign chains on the signature without its padding.
            previous = unpad(&wire).to_owned();
        }
        if trailer {
            let wire =
                chunks.sign_trailer(&[("first", "1st"), ("second", "2nd"), ("third", "3rd")]);
            let sts = format!(
                "AWS4-ECDSA-P256-SHA256-TRAILER\n20130524T000000Z\n20130524/s3/aws4_request\n\
                 {previous}\n83d8f190334fb741bc8daf73c891689d320bd8017756bc730c540021ed48001f"
            );
            assert!(verifies(&key, &sts, unpad(&wire)));
        }
    }
}

/// A signed request with a random aws-chunked body.
struct Case {
    creds: Credentials,
    service: &'static str,
    time: Timestamp,
    body: Vec<u8>,
    chunk_size: usize,
    trailers: Option<Vec<(String, String)>>,
    /// The request's headers as received (the signed ones added).
    headers: Vec<(String, String)>,
    seed: String,
    wire: Vec<u8>,
}

fn random_case(rng: &mut Rng) -> Case {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let akid: String = (0..20)
        .map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.below(32)]))
        .collect();
    let secret: String = (0..40)
        .map(|_| char::from(alphabet[rng.below(64)]))
        .collect();
    let creds = Credentials::new(akid, secret);
    let service = *rng.pick(&["s3", "service"]);
    let time = Timestamp::from_unix_seconds(
        946_684_800 + i64::try_from(rng.next_u64() % 1_000_000_000).unwrap(),
    )
    .unwrap();
    let len = rng.below(3000);
    let body = rng.bytes(len);
    let chunk_size = 1 + rng.below(1200);
    let trailers = rng.chance(40).then(|| {
        (0..1 + rng.below(3))
            .map(|i| {
                let value: String = (0..rng.below(12))
                    .map(|_| char::from(alphabet[rng.below(64)]))
                    .collect();
                (format!("x-amz-checksum-{i}"), value)
            })
            .collect::<Vec<_>>()
    });
    let content_length = encoded_length(body.len() as u64, chunk_size as u64);
    let mut headers = vec![
        (
            "host".to_owned(),
            "mrap.accesspoint.s3-global.amazonaws.com".to_owned(),
        ),
        ("content-encoding".to_owned(), "aws-chunked".to_owned()),
        (
            "x-amz-decoded-content-length".to_owned(),
            body.len().to_string(),
        ),
        ("content-length".to_owned(), content_length.to_string()),
    ];
    let req = request(&headers, trailers.is_some());
    let signer = SigV4aSigner::new("*", service).unwrap();
    let out = signer.sign(&req, &creds, time).unwrap();
    let mut chunks = signer.chunk_signer(&creds, time, out.signature()).unwrap();
    let mut wire = chunks.encode_body(&body, chunk_size);
    if trailers.is_none() {
        // (c) the encoded length, computed before signing, is the length of the bytes.
        assert_eq!(wire.len() as u64, content_length);
    }
    if let Some(t) = &trailers {
        let t: Vec<(&str, &str)> = t.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        chunks.encode_trailer(&t, &mut wire);
    }
    for (n, v) in out.headers() {
        headers.push((n.to_owned(), v.to_owned()));
    }
    Case {
        creds,
        service,
        time,
        body,
        chunk_size,
        trailers,
        headers,
        seed: out.signature().to_owned(),
        wire,
    }
}

fn request(headers: &[(String, String)], trailer: bool) -> Request<'_> {
    let mut req = Request::new("PUT", "/bucket/object", "").payload(if trailer {
        Payload::StreamingSignedTrailer
    } else {
        Payload::StreamingSigned
    });
    for (n, v) in headers {
        req.push_header(n, v);
    }
    req
}

/// iamkit's verifier and decoder on `wire` (fed in pieces of `piece` bytes), announcing
/// `decoded_length`.
fn decode(case: &Case, wire: &[u8], decoded_length: u64, piece: usize) -> Result<Vec<u8>, Error> {
    let verifier = SigV4aVerifier::new("eu-west-1", case.service)
        .unwrap()
        .insecure_accept_unsigned_payload(true);
    let received = request(&case.headers, case.trailers.is_some());
    let ok = verifier.verify(&received, case.time, |_| Some(&case.creds))?;
    let mut dec: ChunkDecoderV4a = ChunkDecoder::new(ok.chunk_verifier()?, case.trailers.is_some())
        .with_decoded_length(decoded_length);
    let mut out = Vec::new();
    for p in wire.chunks(piece.max(1)) {
        dec.feed(p, &mut out)?;
    }
    dec.finish()?;
    if let Some(t) = &case.trailers {
        let got: Vec<(String, String)> = dec.trailers().to_vec();
        assert_eq!(&got, t);
    }
    Ok(out)
}

/// The offsets of the chunk header lines in `wire` (the final empty chunk's last).
fn chunk_starts(wire: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut pos = 0;
    loop {
        starts.push(pos);
        let end = pos + wire[pos..].windows(2).position(|w| w == b"\r\n").unwrap();
        let line = std::str::from_utf8(&wire[pos..end]).unwrap();
        let size = usize::from_str_radix(line.split(';').next().unwrap(), 16).unwrap();
        if size == 0 {
            return starts;
        }
        pos = end + 2 + size + 2;
    }
}

#[test]
fn random_chunked_bodies_verify_in_python_and_tampering_is_refused() {
    let mut rng = Rng::seeded("sigv4a chunked");
    let seed = rng.seed();
    let cases: Vec<Case> = (0..60).map(|_| random_case(&mut rng)).collect();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let len = case.body.len() as u64;
        let piece = 1 + rng.below(700);
        // (b) our verifier accepts our signer's body, read in any pieces ...
        match decode(case, &case.wire, len, piece) {
            Ok(out) if out == case.body => {}
            Ok(_) => failures.push(format!("case {i}: decoded bytes differ")),
            Err(e) => failures.push(format!("case {i}: refused: {e}")),
        }
        // ... and refuses a changed byte anywhere (a signature, a size, data, a trailer) ...
        // (not a letter's case alone: a trailer's name is case-insensitive, so `x-amZ-...`
        // signs as `x-amz-...` and rightly passes)
        let mut changed = case.wire.clone();
        let at = rng.below(changed.len());
        let mut bit = rng.below(8);
        if bit == 5 && changed[at].is_ascii_alphabetic() {
            bit = 6;
        }
        changed[at] ^= 1 << bit;
        if decode(case, &changed, len, piece).is_ok() {
            failures.push(format!("case {i}: accepted byte {at} changed"));
        }
        // ... a truncated body ...
        let cut = 1 + rng.below(case.wire.len() - 1);
        if decode(case, &case.wire[..cut], len, piece).is_ok() {
            failures.push(format!("case {i}: accepted the body cut at {cut}"));
        }
        // ... a wrong decoded length ...
        for wrong in [len + 1, len.saturating_sub(1)] {
            if wrong != len && decode(case, &case.wire, wrong, piece).is_ok() {
                failures.push(format!(
                    "case {i}: accepted decoded length {wrong} for {len}"
                ));
            }
        }
        // ... and two chunks swapped (same sizes, so only the chain can tell).
        let starts = chunk_starts(&case.wire);
        if starts.len() >= 3 && case.body.len() >= 2 * case.chunk_size {
            let (a, b, c) = (starts[0], starts[1], starts[2]);
            let mut swapped = Vec::new();
            swapped.extend_from_slice(&case.wire[b..c]);
            swapped.extend_from_slice(&case.wire[a..b]);
            swapped.extend_from_slice(&case.wire[c..]);
            assert_eq!(swapped.len(), case.wire.len());
            match decode(case, &swapped, len, piece) {
                Err(Error::ChunkSignatureMismatch) => {}
                other => failures.push(format!("case {i}: swapped chunks gave {other:?}")),
            }
        }
    }
    assert!(failures.is_empty(), "seed {seed}:\n{}", failures.join("\n"));

    // (a) every chunk and trailer signature verifies in Python, over strings to sign it builds.
    let Some(py) = iamkit_testkit::python_with(&["cryptography"]) else {
        return;
    };
    let mut input = String::new();
    for (i, case) in cases.iter().enumerate() {
        let j = json!({
            "id": i,
            "akid": case.creds.access_key_id(),
            "secret": case.creds.secret_access_key(),
            "time": case.time.amz_date(),
            "service": case.service,
            "seed": case.seed,
            "wire_hex": case.wire.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "body_hex": case.body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "trailers": case.trailers,
        });
        input.push_str(&j.to_string());
        input.push('\n');
    }
    let out = iamkit_testkit::run_script(&py, "sigv4a-chunks.py", input.into_bytes());
    let answers: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len(), "seed {seed}");
    let refused: Vec<String> = answers
        .iter()
        .filter(|a| a["ok"] != json!(true))
        .map(|a| a.to_string())
        .collect();
    assert!(refused.is_empty(), "seed {seed}:\n{}", refused.join("\n"));
    // The checker is not a yes-man: a signature padded differently is refused.
    let mut bad = cases[0].wire.clone();
    let star = bad.iter().position(|&b| b == b'*').unwrap();
    bad[star - 1] = b'*';
    let j = json!({
        "id": 0, "akid": cases[0].creds.access_key_id(), "secret": cases[0].creds.secret_access_key(),
        "time": cases[0].time.amz_date(), "service": cases[0].service, "seed": cases[0].seed,
        "wire_hex": bad.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "body_hex": cases[0].body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "trailers": cases[0].trailers,
    });
    let out = iamkit_testkit::run_script(&py, "sigv4a-chunks.py", format!("{j}\n").into_bytes());
    let answer: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(answer["ok"], json!(false), "{answer}");
}

#[test]
fn sigv4_chunks_do_not_pass_for_sigv4a_and_back() {
    // A SigV4a request announcing SigV4's streaming constant (or the reverse) is refused.
    let creds = Credentials::new(AKID, SECRET);
    let req = example_request(Payload::Hash("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), false);
    let err = SigV4aSigner::s3("us-east-1")
        .unwrap()
        .sign(&req, &creds, time())
        .unwrap_err();
    assert_eq!(err, Error::InvalidPayloadHash);
    let req = example_request(
        Payload::Hash("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"),
        false,
    );
    let err = iamkit_sigv4::Signer::s3("us-east-1")
        .unwrap()
        .sign(&req, &creds, time())
        .unwrap_err();
    assert_eq!(err, Error::InvalidPayloadHash);
}
