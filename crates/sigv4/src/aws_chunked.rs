//! Streaming (aws-chunked) payloads with signed chunks: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
//! (SigV4) and `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (SigV4a), each with its `-TRAILER`
//! variant. Each chunk's signature chains on the previous one, starting from the request's
//! ("seed") signature; a final empty chunk ends the body, optionally followed by signed trailers.
//!
//! Signing side: sign the request with [`Payload::StreamingSigned`](crate::Payload::StreamingSigned)
//! (and the headers `content-encoding: aws-chunked`, `x-amz-decoded-content-length: <n>`,
//! `content-length: <`[`encoded_length`]`>`), then feed the body to a [`ChunkSigner`]
//! ([`Signer::chunk_signer`](crate::Signer::chunk_signer),
//! [`SigV4aSigner::chunk_signer`](crate::SigV4aSigner::chunk_signer)). Verifying side: a
//! [`ChunkVerifier`] checks each chunk as it arrives; [`ChunkDecoder`] parses the wire format
//! incrementally. The three are generic over the chain's [`ChunkKey`]: SigV4's [`SigningKey`]
//! (the default) or SigV4a's `Arc<EcdsaSigningKey>`.
//!
//! Chunk string to sign: `<algorithm>-PAYLOAD\n<amz-date>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(chunk)>`;
//! trailer: `<algorithm>-TRAILER\n<amz-date>\n<scope>\n<previous signature>\n<sha256(trailer lines)>`,
//! `<algorithm>` being `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256`, the scope the request's.
//! A SigV4a chunk or trailer signature (the hex of a DER ECDSA signature, at most 144 digits) is
//! padded with `*` to 144 characters on the wire, so that the encoded length is known in advance;
//! the string to sign holds the previous signature without its padding.

use std::fmt;

use crate::ascii::Hex64;
use crate::canonical_request::payload::EMPTY_SHA256;
use crate::error::Error;
use crate::key::{Credentials, SigningKey};
use crate::sha::sha256;
use crate::signer::Signer;
use crate::time::{AmzDate, Timestamp};

/// The pad of a SigV4a signature on the wire.
const PAD: char = '*';

/// The key a chunk signature chain is signed with. Sealed: SigV4's [`SigningKey`] (HMAC-SHA256,
/// signatures of 64 hex digits) and SigV4a's `Arc<EcdsaSigningKey>` (ECDSA P-256, signatures of
/// at most 144 hex digits, padded with `*` to 144 on the wire).
pub trait ChunkKey: Clone + sealed::Sealed {
    /// The chunk string to sign's first line: `AWS4-HMAC-SHA256-PAYLOAD` or
    /// `AWS4-ECDSA-P256-SHA256-PAYLOAD`.
    const CHUNK_ALGORITHM: &'static str;
    /// The trailer string to sign's first line: `AWS4-HMAC-SHA256-TRAILER` or
    /// `AWS4-ECDSA-P256-SHA256-TRAILER`.
    const TRAILER_ALGORITHM: &'static str;
    /// The length of a chunk or trailer signature on the wire: 64 or 144.
    const WIRE_LENGTH: usize;
    /// What a chunk signature on the wire must be (an error's reason).
    const WIRE_FORM: &'static str;
    /// Whether `s` has the form of a signature (without padding).
    fn is_signature(s: &str) -> bool;
    /// The signature (lower-case hex, no padding) of a chunk or trailer string to sign.
    fn sign_chunk_sts(&self, string_to_sign: &str) -> String;
    /// Whether `signature` (without padding) is this key's signature of `string_to_sign`.
    fn verify_chunk_sts(&self, string_to_sign: &str, signature: &str) -> bool;
}

pub(crate) mod sealed {
    /// Only this crate's keys sign chunks.
    pub trait Sealed {}
}

impl sealed::Sealed for SigningKey {}

impl ChunkKey for SigningKey {
    const CHUNK_ALGORITHM: &'static str = "AWS4-HMAC-SHA256-PAYLOAD";
    const TRAILER_ALGORITHM: &'static str = "AWS4-HMAC-SHA256-TRAILER";
    const WIRE_LENGTH: usize = 64;
    const WIRE_FORM: &'static str = "chunk signature must be 64 hex digits";

    fn is_signature(s: &str) -> bool {
        Hex64::parse(s).is_some()
    }

    fn sign_chunk_sts(&self, string_to_sign: &str) -> String {
        Hex64::of(&self.sign(string_to_sign.as_bytes()))
            .as_str()
            .to_owned()
    }

    fn verify_chunk_sts(&self, string_to_sign: &str, signature: &str) -> bool {
        Hex64::of(&self.sign(string_to_sign.as_bytes())).ct_eq(signature.as_bytes())
    }
}

/// The number of bytes of an aws-chunked body carrying `decoded_length` bytes in chunks of
/// `chunk_size` (the last one shorter), including the final empty chunk; no trailer. SigV4
/// (64-digit signatures); SigV4a: [`sigv4a::encoded_length`](crate::sigv4a::encoded_length).
pub fn encoded_length(decoded_length: u64, chunk_size: u64) -> u64 {
    encoded_length_with::<SigningKey>(decoded_length, chunk_size)
}

/// [`encoded_length`] for the signatures of `K`.
pub(crate) fn encoded_length_with<K: ChunkKey>(decoded_length: u64, chunk_size: u64) -> u64 {
    let chunk_size = chunk_size.max(1);
    let sig = K::WIRE_LENGTH as u64;
    let meta = |n: u64| format!("{n:x}").len() as u64 + ";chunk-signature=".len() as u64 + sig + 4;
    let full = decoded_length / chunk_size;
    let rest = decoded_length % chunk_size;
    let mut total = full * (meta(chunk_size) + chunk_size);
    if rest > 0 {
        total += meta(rest) + rest;
    }
    total + meta(0)
}

/// The chain of signatures, shared by signer and verifier.
#[derive(Clone)]
struct Chain<K> {
    key: K,
    amz_date: AmzDate,
    scope: String,
    /// The previous signature, without padding.
    previous: String,
    /// Whether the final empty chunk has been signed or verified.
    finished: bool,
}

impl<K: ChunkKey> Chain<K> {
    fn new(key: K, time: Timestamp, scope: &str, seed: &str) -> Result<Chain<K>, Error> {
        if !K::is_signature(seed) {
            return Err(Error::MalformedChunk {
                reason: "the seed signature must be the request's signature (lower-case hex)",
            });
        }
        Ok(Chain {
            key,
            amz_date: time.amz(),
            scope: scope.to_owned(),
            previous: seed.to_owned(),
            finished: false,
        })
    }

    fn string_to_sign(&self, algorithm: &str, tail: &[&str]) -> String {
        let mut s = String::new();
        s.push_str(algorithm);
        s.push('\n');
        s.push_str(self.amz_date.as_str());
        s.push('\n');
        s.push_str(&self.scope);
        s.push('\n');
        s.push_str(&self.previous);
        for t in tail {
            s.push('\n');
            s.push_str(t);
        }
        s
    }

    fn chunk_sts(&self, data: &[u8]) -> String {
        let h = Hex64::of(&sha256(data));
        self.string_to_sign(K::CHUNK_ALGORITHM, &[EMPTY_SHA256, h.as_str()])
    }

    fn trailer_sts(&self, trailers: &[(&str, &str)]) -> String {
        let h = Hex64::of(&sha256(trailer_lines(trailers).as_bytes()));
        self.string_to_sign(K::TRAILER_ALGORITHM, &[h.as_str()])
    }

    /// Signs `sts`, chains on the signature and returns its wire form (padded to
    /// `K::WIRE_LENGTH`).
    fn sign(&mut self, sts: &str) -> String {
        let signature = self.key.sign_chunk_sts(sts);
        let mut wire = String::with_capacity(K::WIRE_LENGTH);
        wire.push_str(&signature);
        while wire.len() < K::WIRE_LENGTH {
            wire.push(PAD);
        }
        self.previous = signature;
        wire
    }

    /// Checks the received wire signature of `sts` and chains on it.
    fn verify(&mut self, sts: &str, wire: &str) -> Result<(), Error> {
        let signature = wire.trim_end_matches(PAD);
        if wire.len() != K::WIRE_LENGTH
            || !K::is_signature(signature)
            || !self.key.verify_chunk_sts(sts, signature)
        {
            return Err(Error::ChunkSignatureMismatch);
        }
        signature.clone_into(&mut self.previous);
        Ok(())
    }
}

impl<K> fmt::Debug for Chain<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("scope", &self.scope)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// Canonical trailer lines: `name:value\n` per trailer, names lower-cased, values trimmed.
fn trailer_lines(trailers: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (n, v) in trailers {
        s.push_str(&n.to_ascii_lowercase());
        s.push(':');
        s.push_str(v.trim());
        s.push('\n');
    }
    s
}

impl Signer {
    /// A [`ChunkSigner`] for an aws-chunked body whose request was signed with `seed_signature`
    /// (the `signature` of [`Signer::sign`] with a `Payload::Streaming*` payload).
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when `seed_signature` is not a SigV4 signature.
    pub fn chunk_signer(
        &self,
        credentials: &Credentials,
        time: Timestamp,
        seed_signature: &str,
    ) -> Result<ChunkSigner, Error> {
        let key = self.signing_key(credentials, time);
        let amz = time.amz();
        let scope = self.scope(&amz).owned();
        ChunkSigner::new(key, time, &scope, seed_signature)
    }
}

/// Signs the chunks of an aws-chunked body, in order.
#[derive(Debug, Clone)]
pub struct ChunkSigner<K: ChunkKey = SigningKey> {
    chain: Chain<K>,
}

impl<K: ChunkKey> ChunkSigner<K> {
    /// A signer chained on `seed_signature` (the request's signature), for the key and `scope`
    /// (`yyyymmdd/region/service/aws4_request`; SigV4a: `yyyymmdd/service/aws4_request`) the
    /// request was signed with.
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when `seed_signature` is not a signature of the key's algorithm.
    pub fn new(
        key: K,
        time: Timestamp,
        scope: &str,
        seed_signature: &str,
    ) -> Result<ChunkSigner<K>, Error> {
        let chain = Chain::new(key, time, scope, seed_signature)?;
        Ok(ChunkSigner { chain })
    }

    /// Signs the next chunk (an empty `data` is the final chunk) and returns its signature as it
    /// goes on the wire (SigV4a: padded with `*` to 144 characters).
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let sts = self.chain.chunk_sts(data);
        let wire = self.chain.sign(&sts);
        if data.is_empty() {
            self.chain.finished = true;
        }
        wire
    }
    /// Signs `data` and appends its wire form `hex(len);chunk-signature=<sig>\r\n<data>\r\n` to `out`.
    /// Pass an empty `data` for the final chunk (without trailers its form ends the body).
    pub fn encode_chunk(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let sig = self.sign_chunk(data);
        out.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", data.len()).as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }

    /// Encodes a whole body in chunks of `chunk_size` bytes, including the final empty chunk.
    pub fn encode_body(&mut self, body: &[u8], chunk_size: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 128);
        for c in body.chunks(chunk_size.max(1)) {
            self.encode_chunk(c, &mut out);
        }
        self.encode_chunk(b"", &mut out);
        out
    }

    /// Signs the trailers (after the final chunk; `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`)
    /// and returns the signature.
    pub fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> String {
        let sts = self.chain.trailer_sts(trailers);
        self.chain.sign(&sts)
    }

    /// Signs the trailers and appends their wire form (`name:value\r\n` per trailer,
    /// `x-amz-trailer-signature:<sig>\r\n`, `\r\n`). Call after the final empty chunk.
    pub fn encode_trailer(&mut self, trailers: &[(&str, &str)], out: &mut Vec<u8>) {
        // The final chunk's wire form ended with "\r\n" after its (empty) data; with trailers
        // the trailer lines follow the chunk header directly, so drop that blank line.
        if out.ends_with(b"\r\n\r\n") {
            out.truncate(out.len() - 2);
        }
        let sig = self.sign_trailer(trailers);
        for (n, v) in trailers {
            out.extend_from_slice(
                format!("{}:{}\r\n", n.to_ascii_lowercase(), v.trim()).as_bytes(),
            );
        }
        out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n\r\n").as_bytes());
    }
}

/// Verifies the signatures of an aws-chunked body as the chunks arrive.
#[derive(Debug, Clone)]
pub struct ChunkVerifier<K: ChunkKey = SigningKey> {
    chain: Chain<K>,
}

impl<K: ChunkKey> ChunkVerifier<K> {
    /// A verifier chained on the request's verified signature.
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when the seed signature is malformed.
    pub fn new(key: K, time: Timestamp, scope: &str, seed_signature: &str) -> Result<Self, Error> {
        Chain::new(key, time, scope, seed_signature).map(|chain| ChunkVerifier { chain })
    }

    /// Checks the next chunk against the signature it carried (as on the wire: SigV4a's padded
    /// with `*` to 144 characters). An empty chunk is the final one.
    ///
    /// # Errors
    ///
    /// `Error::ChunkSignatureMismatch` when the signature does not match,
    /// `Error::MalformedChunk` when a chunk follows the final one.
    pub fn verify_chunk(&mut self, data: &[u8], signature: &str) -> Result<(), Error> {
        if self.chain.finished {
            return Err(Error::MalformedChunk {
                reason: "data after the final empty chunk",
            });
        }
        let sts = self.chain.chunk_sts(data);
        self.chain.verify(&sts, signature)?;
        self.chain.finished = data.is_empty();
        Ok(())
    }

    /// Checks the trailer signature (after the final chunk).
    ///
    /// # Errors
    ///
    /// `Error::ChunkSignatureMismatch` or `Error::MalformedChunk`, as [`Self::verify_chunk`].
    pub fn verify_trailer(
        &mut self,
        trailers: &[(&str, &str)],
        signature: &str,
    ) -> Result<(), Error> {
        if !self.chain.finished {
            return Err(Error::MalformedChunk {
                reason: "trailer before the final empty chunk",
            });
        }
        let sts = self.chain.trailer_sts(trailers);
        self.chain.verify(&sts, signature)
    }

    /// Whether the final empty chunk has been verified.
    pub fn is_finished(&self) -> bool {
        self.chain.finished
    }
}

/// Parses a SigV4 chunk header line (without `\r\n`): `hex-size;chunk-signature=<64 hex>`.
///
/// # Errors
///
/// `Error::MalformedChunk` when the line is not of that form.
pub fn parse_chunk_header(line: &[u8]) -> Result<(usize, &str), Error> {
    parse_chunk_header_with::<SigningKey>(line)
}

/// Parses a chunk header line whose signature is `K`'s.
fn parse_chunk_header_with<K: ChunkKey>(line: &[u8]) -> Result<(usize, &str), Error> {
    let s = std::str::from_utf8(line).map_err(|_| Error::MalformedChunk {
        reason: "chunk header is not ASCII",
    })?;
    let (size, sig) = s
        .split_once(";chunk-signature=")
        .ok_or(Error::MalformedChunk {
            reason: "expected hex-size;chunk-signature=<signature>",
        })?;
    if size.is_empty() || size.len() > 12 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::MalformedChunk {
            reason: "chunk size must be 1 to 12 hex digits",
        });
    }
    let n = usize::from_str_radix(size, 16).map_err(|_| Error::MalformedChunk {
        reason: "chunk size too large",
    })?;
    if sig.len() != K::WIRE_LENGTH {
        return Err(Error::MalformedChunk {
            reason: K::WIRE_FORM,
        });
    }
    Ok((n, sig))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecState {
    Header,
    Data { remaining: usize },
    DataEnd,
    Trailer,
    Done,
}

/// An incremental aws-chunked decoder that verifies every chunk as it arrives: push bytes with
/// [`ChunkDecoder::feed`]; verified payload bytes are appended to the output.
#[derive(Debug)]
pub struct ChunkDecoder<K: ChunkKey = SigningKey> {
    verifier: ChunkVerifier<K>,
    state: DecState,
    buf: Vec<u8>,
    chunk: Vec<u8>,
    signature: String,
    trailers: Vec<(String, String)>,
    expect_trailer: bool,
    max_chunk: usize,
    /// `x-amz-decoded-content-length`, when given.
    decoded_length: Option<u64>,
    /// Payload bytes verified so far.
    decoded: u64,
}

/// The longest chunk header or trailer line, `\r\n` excluded.
const MAX_LINE: usize = 4096;

impl<K: ChunkKey> ChunkDecoder<K> {
    /// A decoder; `expect_trailer` for the `-TRAILER` payloads
    /// (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`, `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER`).
    /// Chunks larger than 16 MiB are refused.
    pub fn new(verifier: ChunkVerifier<K>, expect_trailer: bool) -> ChunkDecoder<K> {
        ChunkDecoder {
            verifier,
            state: DecState::Header,
            buf: Vec::new(),
            chunk: Vec::new(),
            signature: String::new(),
            trailers: Vec::new(),
            expect_trailer,
            max_chunk: 16 << 20,
            decoded_length: None,
            decoded: 0,
        }
    }

    /// Enforces `x-amz-decoded-content-length`: the chunks must carry exactly `length` payload
    /// bytes (a chunk that would exceed it is refused before its data is read, and the final
    /// chunk is refused if fewer came).
    pub fn with_decoded_length(mut self, length: u64) -> ChunkDecoder<K> {
        self.decoded_length = Some(length);
        self
    }

    /// Ends the body: fails unless the final chunk (and the trailer, if expected) has been
    /// verified, e.g. on a truncated body.
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when the body ended early.
    pub fn finish(&self) -> Result<(), Error> {
        if self.is_done() {
            Ok(())
        } else {
            Err(Error::MalformedChunk {
                reason: "body ended before its final chunk (truncated)",
            })
        }
    }

    /// Feeds bytes; appends the payload of every verified chunk to `out`. A chunk's bytes are
    /// released only once its signature has been checked.
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` or `Error::ChunkSignatureMismatch`: nothing more may be fed
    /// after one.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        loop {
            match self.state {
                DecState::Done => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    return Err(Error::MalformedChunk {
                        reason: "bytes after the end of the body",
                    });
                }
                DecState::Header | DecState::Trailer | DecState::DataEnd => {
                    let too_long = Error::MalformedChunk {
                        reason: "line longer than 4096 bytes",
                    };
                    let Some(pos) = find_crlf(&self.buf, input) else {
                        // A line may end with the next read's '\n': up to MAX_LINE + 1 bytes kept.
                        if self.buf.len() + input.len() > MAX_LINE + 1 {
                            return Err(too_long);
                        }
                        self.buf.extend_from_slice(input);
                        return Ok(());
                    };
                    // `pos` is where the line's "\r\n" starts, counted from the start of `buf`:
                    // the limit is the same whether or not the line spans reads.
                    if pos > MAX_LINE {
                        return Err(too_long);
                    }
                    let take = pos + 2 - self.buf.len();
                    self.buf.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    let line = std::mem::take(&mut self.buf);
                    let line = &line[..line.len() - 2];
                    self.line(line, out)?;
                }
                DecState::Data { remaining } => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    let n = remaining.min(input.len());
                    self.chunk.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    self.state = if remaining == n {
                        DecState::DataEnd
                    } else {
                        DecState::Data {
                            remaining: remaining - n,
                        }
                    };
                }
            }
        }
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        match self.state {
            DecState::Header => {
                let (n, sig) = parse_chunk_header_with::<K>(line)?;
                if n > self.max_chunk {
                    return Err(Error::MalformedChunk {
                        reason: "chunk larger than 16 MiB",
                    });
                }
                if let Some(expected) = self.decoded_length {
                    let total = self.decoded + n as u64;
                    if total > expected {
                        return Err(Error::MalformedChunk {
                            reason: "chunks carry more bytes than x-amz-decoded-content-length",
                        });
                    }
                    if n == 0 && total < expected {
                        return Err(Error::MalformedChunk {
                            reason: "chunks carry fewer bytes than x-amz-decoded-content-length",
                        });
                    }
                }
                self.signature = sig.to_owned();
                if n == 0 {
                    self.verifier.verify_chunk(b"", &self.signature)?;
                    self.state = if self.expect_trailer {
                        DecState::Trailer
                    } else {
                        DecState::DataEnd
                    };
                } else {
                    self.chunk.clear();
                    self.state = DecState::Data { remaining: n };
                }
            }
            DecState::DataEnd => {
                if !line.is_empty() {
                    return Err(Error::MalformedChunk {
                        reason: "expected CRLF after chunk data",
                    });
                }
                if self.verifier.is_finished() {
                    self.state = DecState::Done;
                } else {
                    self.verifier.verify_chunk(&self.chunk, &self.signature)?;
                    self.decoded += self.chunk.len() as u64;
                    out.extend_from_slice(&self.chunk);
                    self.chunk.clear();
                    self.state = DecState::Header;
                }
            }
            DecState::Trailer => {
                let s = std::str::from_utf8(line).map_err(|_| Error::MalformedChunk {
                    reason: "trailer is not UTF-8",
                })?;
                if s.is_empty() {
                    return Err(Error::MalformedChunk {
                        reason: "missing x-amz-trailer-signature",
                    });
                }
                let (n, v) = s.split_once(':').ok_or(Error::MalformedChunk {
                    reason: "trailer line without ':'",
                })?;
                if n.eq_ignore_ascii_case("x-amz-trailer-signature") {
                    let t: Vec<(&str, &str)> = self
                        .trailers
                        .iter()
                        .map(|(a, b)| (a.as_str(), b.as_str()))
                        .collect();
                    self.verifier.verify_trailer(&t, v.trim())?;
                    self.state = DecState::DataEnd;
                } else {
                    if self.trailers.len() >= 16 {
                        return Err(Error::MalformedChunk {
                            reason: "more than 16 trailers",
                        });
                    }
                    self.trailers.push((n.to_owned(), v.to_owned()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The verified trailers (after the body ended).
    pub fn trailers(&self) -> &[(String, String)] {
        &self.trailers
    }

    /// Whether the whole body (final chunk and any trailer) has been verified.
    pub fn is_done(&self) -> bool {
        self.state == DecState::Done
    }
}

fn find_crlf(buf: &[u8], input: &[u8]) -> Option<usize> {
    let total = buf.len() + input.len();
    let at = |i: usize| {
        if i < buf.len() {
            buf[i]
        } else {
            input[i - buf.len()]
        }
    };
    let start = buf.len().saturating_sub(1);
    (start..total.saturating_sub(1)).find(|&i| at(i) == b'\r' && at(i + 1) == b'\n')
}
