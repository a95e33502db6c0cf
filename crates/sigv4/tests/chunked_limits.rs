//! `ChunkDecoder` limits: `finish()` on a truncated body, `x-amz-decoded-content-length`, and the
//! line-length limit whether or not a line spans reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_sigv4::{ChunkDecoder, ChunkSigner, ChunkVerifier, Error, SigningKey, Timestamp};

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";

fn key() -> SigningKey {
    SigningKey::derive(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "20130524",
        "us-east-1",
        "s3",
    )
}

fn time() -> Timestamp {
    Timestamp::parse_amz_date("20130524T000000Z").unwrap()
}

fn signer() -> ChunkSigner {
    ChunkSigner::new(key(), time(), SCOPE, SEED).unwrap()
}

fn decoder(trailer: bool) -> ChunkDecoder {
    ChunkDecoder::new(
        ChunkVerifier::new(key(), time(), SCOPE, SEED).unwrap(),
        trailer,
    )
}

fn body() -> (Vec<u8>, Vec<u8>) {
    let body: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let wire = signer().encode_body(&body, 4000);
    (body, wire)
}

/// Fed in pieces of `piece` bytes.
fn decode(
    mut dec: ChunkDecoder,
    wire: &[u8],
    piece: usize,
) -> Result<(ChunkDecoder, Vec<u8>), Error> {
    let mut out = Vec::new();
    for p in wire.chunks(piece) {
        dec.feed(p, &mut out)?;
    }
    Ok((dec, out))
}

#[test]
fn finish_fails_on_a_truncated_body() {
    let (body, wire) = body();
    let (dec, got) = decode(decoder(false), &wire, 777).unwrap();
    assert_eq!(got, body);
    dec.finish().unwrap();
    for cut in [1, 2, 3, 70, 100, wire.len() / 2, wire.len() - 1] {
        let (dec, _) = decode(decoder(false), &wire[..wire.len() - cut], 777).unwrap();
        let err = dec.finish().unwrap_err();
        assert!(
            matches!(err, Error::MalformedChunk { reason } if reason.contains("truncated")),
            "cut {cut}: {err:?}"
        );
    }
}

#[test]
fn decoded_content_length_is_enforced() {
    let (body, wire) = body();
    let n = body.len() as u64;
    let (dec, got) = decode(decoder(false).with_decoded_length(n), &wire, 1000).unwrap();
    assert_eq!(got, body);
    dec.finish().unwrap();

    let err = decode(decoder(false).with_decoded_length(n - 1), &wire, 1000).unwrap_err();
    assert!(
        matches!(err, Error::MalformedChunk { reason } if reason.contains("more bytes")),
        "{err:?}"
    );
    let err = decode(decoder(false).with_decoded_length(n + 1), &wire, 1000).unwrap_err();
    assert!(
        matches!(err, Error::MalformedChunk { reason } if reason.contains("fewer bytes")),
        "{err:?}"
    );
}

/// A trailer line longer than 4096 bytes was accepted when it arrived in one read and refused
/// only when it spanned reads: refused both ways now; one of 4000 bytes passes both ways.
#[test]
fn line_length_limit_applies_whether_or_not_a_line_spans_reads() {
    for (len, ok) in [(4000usize, true), (5000, false), (100_000, false)] {
        let value = "v".repeat(len);
        let mut s = signer();
        let mut wire = Vec::new();
        s.encode_chunk(b"data", &mut wire);
        s.encode_chunk(b"", &mut wire);
        s.encode_trailer(&[("x-amz-meta", &value)], &mut wire);
        for piece in [wire.len(), 1000, 7] {
            let r = decode(decoder(true), &wire, piece);
            match r {
                Ok((dec, got)) => {
                    assert!(ok, "{len} bytes in pieces of {piece} accepted");
                    dec.finish().unwrap();
                    assert_eq!(got, b"data");
                }
                Err(e) => {
                    assert!(!ok, "{len} in pieces of {piece}: {e:?}");
                    assert_eq!(
                        e,
                        Error::MalformedChunk {
                            reason: "line longer than 4096 bytes"
                        }
                    );
                }
            }
        }
    }
}
