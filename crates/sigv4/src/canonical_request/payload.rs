//! The payload hash: the canonical request's last line.

use crate::ascii::Hex64;
use crate::error::Error;
use crate::request::Payload;
use crate::sha::sha256;

/// `UNSIGNED-PAYLOAD`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (SigV4a).
pub const STREAMING_ECDSA_PAYLOAD: &str = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
/// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER` (SigV4a).
pub const STREAMING_ECDSA_PAYLOAD_TRAILER: &str =
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
/// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// SHA-256 of the empty string, hex.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// An algorithm's signed-chunk streaming constants: without and with a trailer.
pub(crate) type Streaming = [&'static str; 2];
/// SigV4's (HMAC-signed chunks).
pub(crate) const HMAC_STREAMING: Streaming = [STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER];
/// SigV4a's (ECDSA-signed chunks).
pub(crate) const ECDSA_STREAMING: Streaming =
    [STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER];

/// A hex payload hash or one of the constants, kept on the stack.
#[derive(Clone, Debug)]
pub(crate) enum PayloadHash {
    /// The hex SHA-256 of the body.
    Hex(Hex64),
    /// One of the constants above (`EMPTY_SHA256` for the empty body).
    Const(&'static str),
}

impl PayloadHash {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            PayloadHash::Hex(h) => h.as_str(),
            PayloadHash::Const(k) => k,
        }
    }

    /// [`PayloadHash::as_str`] as bytes (no UTF-8 check).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadHash::Hex(h) => h.as_bytes(),
            PayloadHash::Const(k) => k.as_bytes(),
        }
    }

    /// The payload hash of `p`, signed chunks announced with the algorithm's `streaming`
    /// constants.
    pub(crate) fn from_payload(
        p: &Payload<'_>,
        streaming: Streaming,
    ) -> Result<PayloadHash, Error> {
        let konst = |k| Ok(PayloadHash::Const(k));
        match *p {
            Payload::Bytes(b) => Ok(PayloadHash::of_body(b)),
            Payload::Hash(h) => PayloadHash::parse(h, streaming),
            Payload::Unsigned => konst(UNSIGNED_PAYLOAD),
            Payload::StreamingSigned => konst(streaming[0]),
            Payload::StreamingSignedTrailer => konst(streaming[1]),
            Payload::StreamingUnsignedTrailer => konst(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
        }
    }

    /// The hash of `body` (the empty body's is a constant: nothing to hash).
    pub(crate) fn of_body(body: &[u8]) -> PayloadHash {
        if body.is_empty() {
            PayloadHash::Const(EMPTY_SHA256)
        } else {
            PayloadHash::Hex(Hex64::of(&sha256(body)))
        }
    }

    /// A payload hash as received: 64 lower-case hex digits or one of the constants (of signed
    /// chunks: the algorithm's `streaming` ones only).
    pub(crate) fn parse(h: &str, streaming: Streaming) -> Result<PayloadHash, Error> {
        if let Some(hex) = Hex64::parse(h) {
            return Ok(PayloadHash::Hex(hex));
        }
        [
            UNSIGNED_PAYLOAD,
            streaming[0],
            streaming[1],
            STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        ]
        .into_iter()
        .find(|k| *k == h)
        .map(PayloadHash::Const)
        .ok_or(Error::InvalidPayloadHash)
    }

    /// Whether this is a hash of the body (not `UNSIGNED-PAYLOAD` nor a `STREAMING-*`
    /// constant): the request's signature then covers the body.
    pub(crate) fn covers_body(&self) -> bool {
        matches!(self, PayloadHash::Hex(_) | PayloadHash::Const(EMPTY_SHA256))
    }
}
