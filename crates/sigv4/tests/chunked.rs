//! aws-chunked streaming signatures, checked against the example of AWS's S3 documentation
//! ("Signature Calculations for the Authorization Header: Transferring Payload in Multiple
//! Chunks": PUT /examplebucket/chunkObject.txt, 66560 bytes of 'a' in 65536-byte chunks), the
//! trailer signature of the same example in awslabs/aws-crt-swift's ChunkSignerTests
//! (trailers first:1st, second:2nd, third:3rd), and round trips through our verifier.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::chunked::{ChunkDecoder, encoded_length, parse_chunk_header};
use iamkit_sigv4::{Credentials, Error, Payload, Request, Signer, Timestamp, Verifier};

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const CHUNK1: &str = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
const CHUNK2: &str = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
const FINAL: &str = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
const TRAILER: &str = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c";

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
}

fn time() -> Timestamp {
    Timestamp::parse_amz_date("20130524T000000Z").unwrap()
}

fn example_request(payload: Payload<'static>) -> Request<'static> {
    Request::from_url(
        "PUT",
        "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
    )
    .unwrap()
    .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
    .header("Content-Encoding", "aws-chunked")
    .header("x-amz-decoded-content-length", "66560")
    .header("Content-Length", "66824")
    .payload(payload)
}

#[test]
fn aws_documentation_example() {
    assert_eq!(
        encoded_length(66560, 65536),
        66824,
        "the example's Content-Length"
    );
    let signer = Signer::s3("us-east-1").unwrap();
    let out = signer
        .sign(&example_request(Payload::StreamingSigned), &creds(), time())
        .unwrap();
    assert_eq!(out.signature(), SEED);
    assert_eq!(
        out.signed_headers(),
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class"
    );
    assert_eq!(
        out.header("x-amz-content-sha256"),
        Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    );

    let body = vec![b'a'; 66560];
    let mut cs = signer
        .chunk_signer(&creds(), time(), out.signature())
        .unwrap();
    assert_eq!(cs.sign_chunk(&body[..65536]), CHUNK1);
    assert_eq!(cs.sign_chunk(&body[65536..]), CHUNK2);
    assert_eq!(cs.sign_chunk(b""), FINAL);
    assert_eq!(
        cs.sign_trailer(&[("first", "1st"), ("second", "2nd"), ("third", "3rd")]),
        TRAILER
    );

    // The wire form.
    let mut cs = signer
        .chunk_signer(&creds(), time(), out.signature())
        .unwrap();
    let wire = cs.encode_body(&body, 65536);
    assert_eq!(wire.len() as u64, encoded_length(66560, 65536));
    let first_line = wire.split(|&b| b == b'\r').next().unwrap();
    assert_eq!(parse_chunk_header(first_line).unwrap(), (65536, CHUNK1));
    assert!(wire.ends_with(format!("0;chunk-signature={FINAL}\r\n\r\n").as_bytes()));
}

/// The request as the server receives it, with the headers the signer added.
fn received<'a>(
    out: &'a iamkit_sigv4::SigningOutput,
    extra: &'a [(&'a str, &'a str)],
) -> Request<'a> {
    let mut r = Request::new("PUT", "/examplebucket/chunkObject.txt", "")
        .header("host", "s3.amazonaws.com");
    for (n, v) in extra {
        r.push_header(n, v);
    }
    for (n, v) in out.headers() {
        r.push_header(n, v);
    }
    r
}

#[test]
fn round_trip_through_verifier_in_pieces() {
    let signer = Signer::s3("us-east-1").unwrap();
    let extra = [
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("content-length", "66824"),
    ];
    let out = signer
        .sign(&example_request(Payload::StreamingSigned), &creds(), time())
        .unwrap();
    let verified = Verifier::s3("us-east-1")
        .unwrap()
        .verify(&received(&out, &extra), time(), |_| Some(creds()))
        .unwrap();
    assert_eq!(
        verified.payload_hash(),
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    );

    let body: Vec<u8> = (0..66560u32).map(|i| (i % 251) as u8).collect();
    let mut cs = signer
        .chunk_signer(&creds(), time(), out.signature())
        .unwrap();
    let wire = cs.encode_body(&body, 8192);
    for piece in [1usize, 7, 100, 4096, 70000] {
        let mut dec = ChunkDecoder::new(verified.chunk_verifier().unwrap(), false);
        let mut got = Vec::new();
        for p in wire.chunks(piece) {
            dec.feed(p, &mut got).unwrap();
        }
        assert!(dec.is_done());
        assert_eq!(got, body);
    }

    // Tampering: one flipped data byte, a swapped order of chunks, a truncated body.
    let mut bad = wire.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    let mut dec = ChunkDecoder::new(verified.chunk_verifier().unwrap(), false);
    let mut sink = Vec::new();
    let err = dec.feed(&bad, &mut sink).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ChunkSignatureMismatch | Error::MalformedChunk { .. }
        ),
        "{err:?}"
    );

    let mut v = verified.chunk_verifier().unwrap();
    let mut cs = signer
        .chunk_signer(&creds(), time(), out.signature())
        .unwrap();
    let s1 = cs.sign_chunk(b"one");
    let s2 = cs.sign_chunk(b"two");
    assert_eq!(
        v.verify_chunk(b"two", &s2),
        Err(Error::ChunkSignatureMismatch)
    );
    v.verify_chunk(b"one", &s1).unwrap();
    v.verify_chunk(b"two", &s2).unwrap();

    let mut dec = ChunkDecoder::new(verified.chunk_verifier().unwrap(), false);
    let mut sink = Vec::new();
    dec.feed(&wire[..wire.len() - 10], &mut sink).unwrap();
    assert!(!dec.is_done(), "a truncated body is never done");
}

#[test]
fn trailer_variant_round_trip() {
    let signer = Signer::s3("us-east-1").unwrap();
    let req = example_request(Payload::StreamingSignedTrailer)
        .header("x-amz-trailer", "x-amz-checksum-crc32");
    let out = signer.sign(&req, &creds(), time()).unwrap();
    assert!(
        out.canonical_request()
            .ends_with("\nSTREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
    );
    let extra = [
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("content-length", "66824"),
        ("x-amz-trailer", "x-amz-checksum-crc32"),
    ];
    let verified = Verifier::s3("us-east-1")
        .unwrap()
        .verify(&received(&out, &extra), time(), |_| Some(creds()))
        .unwrap();

    let body = vec![b'z'; 20000];
    let mut cs = signer
        .chunk_signer(&creds(), time(), out.signature())
        .unwrap();
    let mut wire = Vec::new();
    for c in body.chunks(8192) {
        cs.encode_chunk(c, &mut wire);
    }
    cs.encode_chunk(b"", &mut wire);
    cs.encode_trailer(&[("x-amz-checksum-crc32", "sOO8/Q==")], &mut wire);
    let text = String::from_utf8_lossy(&wire[wire.len() - 140..]).into_owned();
    assert!(
        text.contains("\r\nx-amz-checksum-crc32:sOO8/Q==\r\nx-amz-trailer-signature:"),
        "{text:?}"
    );

    let mut dec = ChunkDecoder::new(verified.chunk_verifier().unwrap(), true);
    let mut got = Vec::new();
    for p in wire.chunks(333) {
        dec.feed(p, &mut got).unwrap();
    }
    assert!(dec.is_done());
    assert_eq!(got, body);
    assert_eq!(
        dec.trailers(),
        &[("x-amz-checksum-crc32".to_owned(), "sOO8/Q==".to_owned())]
    );

    // A changed trailer value fails.
    let s = String::from_utf8_lossy(&wire).replace("sOO8/Q==", "AAAAAA==");
    let mut dec = ChunkDecoder::new(verified.chunk_verifier().unwrap(), true);
    assert_eq!(
        dec.feed(s.as_bytes(), &mut Vec::new()),
        Err(Error::ChunkSignatureMismatch)
    );
}
