//! SigV4a aws-chunked bodies (`STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` and its `-TRAILER`
//! variant): the ECDSA key as a [`ChunkKey`], so that the shared chunk signer, verifier and
//! decoder of [`chunked`](crate::chunked) sign and check SigV4a chains.
//!
//! ```
//! use iamkit_sigv4::sigv4a::encoded_length;
//! use iamkit_sigv4::{ChunkDecoder, Credentials, Payload, Request, SigV4aSigner, SigV4aVerifier, Timestamp};
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::parse_amz_date("20150830T123600Z")?;
//! let body = vec![b'a'; 100_000];
//! // Client: sign the request (its length headers signed too), then the body in 64 KiB chunks.
//! let decoded_length = body.len().to_string();
//! let content_length = encoded_length(body.len() as u64, 65536).to_string();
//! let req = Request::new("PUT", "/bucket/key", "")
//!     .header("host", "mrap.accesspoint.s3-global.amazonaws.com")
//!     .header("content-encoding", "aws-chunked")
//!     .header("x-amz-decoded-content-length", &decoded_length)
//!     .header("content-length", &content_length)
//!     .payload(Payload::StreamingSigned);
//! let signer = SigV4aSigner::s3("*")?;
//! let out = signer.sign(&req, &creds, now)?;
//! let wire = signer.chunk_signer(&creds, now, out.signature())?.encode_body(&body, 65536);
//! assert_eq!(wire.len() as u64, encoded_length(body.len() as u64, 65536));
//! // Server: verify the request, then each chunk as it arrives.
//! let mut received = req.clone();
//! for (n, v) in out.headers() {
//!     received.push_header(n, v);
//! }
//! let ok = SigV4aVerifier::s3("eu-west-1")?.verify(&received, now, |_| Some(&creds))?;
//! let mut decoder = ChunkDecoder::new(ok.chunk_verifier()?, false).with_decoded_length(100_000);
//! let mut payload = Vec::new();
//! decoder.feed(&wire, &mut payload)?;
//! decoder.finish()?;
//! assert_eq!(payload, body);
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::sync::Arc;

use crate::aws_chunked::{
    ChunkDecoder, ChunkKey, ChunkSigner, ChunkVerifier, encoded_length_with, sealed,
};
use crate::error::Error;
use crate::key::Credentials;
use crate::time::Timestamp;

use super::key::EcdsaSigningKey;
use super::signer::{SigV4aSigner, sign_sts};
use super::verifier::{VerifiedV4a, verify_sts};
use super::{MAX_SIGNATURE_HEX, scope};

/// A SigV4a [`ChunkSigner`].
pub type ChunkSignerV4a = ChunkSigner<Arc<EcdsaSigningKey>>;
/// A SigV4a [`ChunkVerifier`].
pub type ChunkVerifierV4a = ChunkVerifier<Arc<EcdsaSigningKey>>;
/// A SigV4a [`ChunkDecoder`].
pub type ChunkDecoderV4a = ChunkDecoder<Arc<EcdsaSigningKey>>;

impl sealed::Sealed for Arc<EcdsaSigningKey> {}

impl ChunkKey for Arc<EcdsaSigningKey> {
    const CHUNK_ALGORITHM: &'static str = "AWS4-ECDSA-P256-SHA256-PAYLOAD";
    const TRAILER_ALGORITHM: &'static str = "AWS4-ECDSA-P256-SHA256-TRAILER";
    const WIRE_LENGTH: usize = MAX_SIGNATURE_HEX;
    const WIRE_FORM: &'static str =
        "chunk signature must be 144 characters (the hex of a DER signature padded with '*')";

    fn is_signature(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= MAX_SIGNATURE_HEX
            && s.len().is_multiple_of(2)
            && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    fn sign_chunk_sts(&self, string_to_sign: &str) -> String {
        sign_sts(self, string_to_sign)
    }

    fn verify_chunk_sts(&self, string_to_sign: &str, signature: &str) -> bool {
        verify_sts(self, string_to_sign, signature).is_ok()
    }
}

/// The number of bytes of a SigV4a aws-chunked body carrying `decoded_length` bytes in chunks of
/// `chunk_size` (the last one shorter), including the final empty chunk; no trailer. Every chunk
/// signature takes 144 characters (padded with `*`), so the length is known before signing.
pub fn encoded_length(decoded_length: u64, chunk_size: u64) -> u64 {
    encoded_length_with::<Arc<EcdsaSigningKey>>(decoded_length, chunk_size)
}

impl SigV4aSigner {
    /// A [`ChunkSigner`] for an aws-chunked body whose request was signed with `seed_signature`
    /// (the `signature` of [`SigV4aSigner::sign`] with a `Payload::StreamingSigned*` payload).
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when `seed_signature` is not a SigV4a signature, and the errors of
    /// [`SigV4aSigner::signing_key`].
    pub fn chunk_signer(
        &self,
        credentials: &Credentials,
        time: Timestamp,
        seed_signature: &str,
    ) -> Result<ChunkSignerV4a, Error> {
        let key = self.signing_key(credentials)?;
        let scope = scope(time.amz().date(), self.service()).owned();
        ChunkSigner::new(key, time, &scope, seed_signature)
    }
}

impl VerifiedV4a {
    /// A verifier for the aws-chunked body that follows
    /// (`STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD*`), chained on the verified signature.
    ///
    /// # Errors
    ///
    /// `Error::MalformedChunk` when the request's signature cannot seed a chain.
    pub fn chunk_verifier(&self) -> Result<ChunkVerifierV4a, Error> {
        ChunkVerifier::new(
            Arc::clone(&self.key),
            self.time(),
            &self.scope,
            &self.signature,
        )
    }
}
