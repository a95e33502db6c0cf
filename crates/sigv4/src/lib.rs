#![doc = include_str!("../README.md")]
#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

// The stages in data-flow order; every module imports only modules above it.
mod ascii;
mod aws_chunked;
mod canonical_request;
pub mod error;
mod key;
mod key_cache;
mod presigner;
mod request;
#[macro_use]
mod settings;
mod sha;
mod signer;
mod string_to_sign;
mod time;
mod v4a;
mod verifier;

pub use aws_chunked::{ChunkDecoder, ChunkSigner, ChunkVerifier};
pub use error::Error;
pub use key::{Credentials, SigningKey};
pub use key_cache::SigningKeyCache;
pub use request::{Payload, Request};
pub use settings::{SessionTokenMode, SigningSettings};
pub use signer::{Signer, SigningOutput};
pub use time::Timestamp;
pub use v4a::{EcdsaSigningKey, SigV4aSigner, SigV4aVerifier, VerifiedV4a};
pub use verifier::{Explanation, Verified, Verifier};

/// The request description and the canonical forms (path, query, headers, payload constants).
pub mod canonical {
    pub use crate::ascii::{percent_decode, uri_encode};
    pub use crate::canonical_request::headers::trim_header_value;
    pub use crate::canonical_request::path::{canonical_path, normalize_path};
    pub use crate::canonical_request::payload::{
        EMPTY_SHA256, STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER, STREAMING_PAYLOAD,
        STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER, UNSIGNED_PAYLOAD,
    };
    pub use crate::canonical_request::query::canonical_query;
    pub use crate::request::{Payload, Request};
}

/// Streaming (aws-chunked) payloads: signing, verifying and decoding chunks (SigV4 and SigV4a).
pub mod chunked {
    pub use crate::aws_chunked::{
        ChunkDecoder, ChunkKey, ChunkSigner, ChunkVerifier, encoded_length, parse_chunk_header,
    };
}

/// Credentials, the derived signing key and a cache of signing keys.
pub mod credentials {
    pub use crate::key::{Credentials, SigningKey};
    pub use crate::key_cache::{KeyCache, SigningKeyCache};
}

/// Presigned URLs (query-string signing): see [`Signer::presign`].
pub mod presign {
    pub use crate::settings::MAX_EXPIRES;
}

/// Signing into the `Authorization` header, the [`Signer`], its settings and [`Timestamp`].
pub mod sign {
    pub use crate::settings::{DEFAULT_EXCLUDED_HEADERS, SessionTokenMode, SigningSettings};
    pub use crate::signer::{Signer, SigningOutput};
    pub use crate::string_to_sign::ALGORITHM;
    pub use crate::time::Timestamp;
}

/// Server side: verify a signed request (`Authorization` header or presigned URL).
pub mod verify {
    pub use crate::verifier::{
        DEFAULT_MAX_SKEW_SECONDS, Explanation, MAX_SIGNED_HEADERS, ParsedAuth, Verified, Verifier,
        parse_authorization, parse_presigned_query,
    };
}

/// SigV4a (`AWS4-ECDSA-P256-SHA256`): multi-region asymmetric signatures. The signer and the
/// verifier take the same [`Request`], [`Credentials`] and [`SigningSettings`] as SigV4's.
pub mod sigv4a {
    pub use crate::v4a::{
        ALGORITHM, ChunkDecoderV4a, ChunkSignerV4a, ChunkVerifierV4a, EcdsaKeyCache,
        EcdsaSigningKey, ParsedAuthV4a, SigV4aSigner, SigV4aVerifier, VerifiedV4a, encoded_length,
        parse_authorization_v4a, parse_presigned_query_v4a,
    };
}
