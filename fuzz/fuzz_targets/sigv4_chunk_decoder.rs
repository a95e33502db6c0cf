//! The aws-chunked decoder, SigV4 (HMAC, 64-digit signatures) and SigV4a (ECDSA, 144-character
//! padded signatures), never panics on arbitrary bytes split into arbitrary reads, never releases
//! bytes whose chunk signature it has not checked, and `finish` agrees with `is_done`.
#![no_main]

use std::sync::{Arc, OnceLock};

use iamkit_sigv4::chunked::ChunkKey;
use iamkit_sigv4::sigv4a::EcdsaSigningKey;
use iamkit_sigv4::{ChunkDecoder, ChunkSigner, ChunkVerifier, SigningKey, Timestamp};
use libfuzzer_sys::fuzz_target;

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
/// A SigV4a seed: the hex of a DER signature (its form is all the chain checks).
const SEED_V4A: &str = "3045022100c8dd41e7e3c2a2f7f9a6a5f2a7e0b5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c02201a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809";
const SCOPE_V4A: &str = "20130524/s3/aws4_request";

fn ecdsa_key() -> Arc<EcdsaSigningKey> {
    static KEY: OnceLock<Arc<EcdsaSigningKey>> = OnceLock::new();
    Arc::clone(KEY.get_or_init(|| {
        Arc::new(EcdsaSigningKey::derive("AKIDEXAMPLE", "secret").expect("derivable"))
    }))
}

fn run<K: ChunkKey>(key: K, scope: &str, seed: &str, flags: u8, rest: &[u8]) {
    let time = Timestamp::from_unix_seconds(1_369_353_600).expect("fixed time");
    let trailer = flags & 1 == 1;
    let piece = usize::from((flags >> 1) & 0x1f).max(1);
    // Half the time the input follows a valid body's first chunk, so that the decoder gets past
    // the first signature and the fuzzer explores the later states.
    let mut wire = Vec::new();
    if flags & 0x80 != 0 {
        let mut s = ChunkSigner::new(key.clone(), time, scope, seed).expect("signer");
        s.encode_chunk(b"hello", &mut wire);
    }
    wire.extend_from_slice(rest);
    let verifier = ChunkVerifier::new(key, time, scope, seed).expect("verifier");
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
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if flags & 0x40 == 0 {
        let key = SigningKey::derive("secret", "20130524", "us-east-1", "s3");
        run(key, SCOPE, SEED, flags, rest);
    } else {
        run(ecdsa_key(), SCOPE_V4A, SEED_V4A, flags, rest);
    }
});
