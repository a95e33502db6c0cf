#![doc = include_str!("../README.md")]

pub mod canonical;
pub mod chunked;
pub mod credentials;
pub mod error;
pub mod presign;
mod sha;
pub mod sign;
pub mod verify;

pub use canonical::{Payload, Request};
pub use chunked::{ChunkDecoder, ChunkSigner, ChunkVerifier};
pub use credentials::{Credentials, SigningKey, SigningKeyCache};
pub use error::Error;
pub use sign::{SessionTokenMode, Signer, SigningOutput, SigningSettings, Timestamp};
pub use verify::{Verified, Verifier};
