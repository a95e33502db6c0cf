//! The aws-chunked decoder never panics on arbitrary bytes split into arbitrary reads, never
//! releases bytes whose chunk signature it has not checked, and `finish` agrees with `is_done`.
#![no_main]

use iamkit_sigv4::{ChunkDecoder, ChunkSigner, ChunkVerifier, SigningKey, Timestamp};
use libfuzzer_sys::fuzz_target;

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::derive("secret", "20130524", "us-east-1", "s3");
    let time = Timestamp::from_unix_seconds(1_369_353_600).expect("fixed time");
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let trailer = flags & 1 == 1;
    let piece = usize::from(flags >> 1).max(1);
    // Half the time the input follows a valid body's first chunk, so that the decoder gets past
    // the first signature and the fuzzer explores the later states.
    let mut wire = Vec::new();
    if flags & 0x80 != 0 {
        let mut s = ChunkSigner::new(key.clone(), time, SCOPE, SEED).expect("signer");
        s.encode_chunk(b"hello", &mut wire);
    }
    wire.extend_from_slice(rest);
    let verifier = ChunkVerifier::new(key, time, SCOPE, SEED).expect("verifier");
    let mut dec = ChunkDecoder::new(verifier, trailer).with_decoded_length(64);
    let mut out = Vec::new();
    let mut failed = false;
    for p in wire.chunks(piece) {
        if dec.feed(p, &mut out).is_err() {
            failed = true;
            break;
        }
    }
    // Only the signed chunk can have been released: nothing else is signed with this key.
    assert!(out.is_empty() || out == b"hello");
    assert_eq!(dec.finish().is_ok(), dec.is_done());
    // Finishing needs the final chunk, whose signature no input here can carry.
    assert!(failed || !dec.is_done());
});
