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
/// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// SHA-256 of the empty string, hex.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A hex payload hash or one of the constants, kept on the stack.
#[derive(Clone, Copy, Debug)]
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

    pub(crate) fn from_payload(p: &Payload<'_>) -> Result<PayloadHash, Error> {
        let konst = |k| Ok(PayloadHash::Const(k));
        match *p {
            Payload::Bytes(b"") => konst(EMPTY_SHA256),
            Payload::Bytes(b) => Ok(PayloadHash::Hex(Hex64::of(&sha256(b)))),
            Payload::Hash(h) => PayloadHash::parse(h),
            Payload::Unsigned => konst(UNSIGNED_PAYLOAD),
            Payload::StreamingSigned => konst(STREAMING_PAYLOAD),
            Payload::StreamingSignedTrailer => konst(STREAMING_PAYLOAD_TRAILER),
            Payload::StreamingUnsignedTrailer => konst(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
        }
    }

    /// A payload hash as received: 64 lower-case hex digits or one of the constants.
    pub(crate) fn parse(h: &str) -> Result<PayloadHash, Error> {
        if let Some(hex) = Hex64::parse(h) {
            return Ok(PayloadHash::Hex(hex));
        }
        [
            UNSIGNED_PAYLOAD,
            STREAMING_PAYLOAD,
            STREAMING_PAYLOAD_TRAILER,
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
