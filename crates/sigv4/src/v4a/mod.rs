//! SigV4a: AWS's asymmetric, multi-region signatures (`AWS4-ECDSA-P256-SHA256`).
//!
//! The canonical request is SigV4's (one writer), with the region set signed as
//! `X-Amz-Region-Set`; the scope has no region (`yyyymmdd/service/aws4_request`); the string to
//! sign is signed with ECDSA P-256 (SHA-256) under a key derived from the credentials
//! ([`EcdsaSigningKey`]), and the signature is the hex of its DER encoding.

mod ecdsa;
mod key;
pub(crate) mod parse;
mod signer;
mod verifier;
// Streaming: SigV4a's chunk signatures on the shared aws-chunked code.
mod chunked;

pub use chunked::{ChunkDecoderV4a, ChunkSignerV4a, ChunkVerifierV4a, encoded_length};
pub use key::{EcdsaKeyCache, EcdsaSigningKey};
pub use parse::{ParsedAuthV4a, parse_authorization_v4a, parse_presigned_query_v4a};
pub use signer::SigV4aSigner;
pub use verifier::{SigV4aVerifier, VerifiedV4a};

use crate::ascii::Hex64;
use crate::error::Error;
use crate::sha::sha256;
use crate::string_to_sign::{Scope, sts_head};
use crate::time::AmzDate;

/// The SigV4a algorithm name.
pub const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

/// The longest DER ECDSA P-256 signature: 72 bytes, 144 hex digits.
pub(crate) const MAX_SIGNATURE_HEX: usize = 144;

/// A region set: `*` or region names (`us-east-1`), comma-separated; an entry may end with `*`
/// (`us-*`). Checked when a signer or verifier is built.
pub(crate) fn validate_region_set(set: &str) -> Result<(), Error> {
    let bad = |reason| Err(Error::InvalidRegionSet { reason });
    if set.is_empty() {
        return bad("empty: expected `*` or region names separated by ','");
    }
    for r in set.split(',') {
        if r.is_empty() {
            return bad("empty region name between ','");
        }
        if !r
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
        {
            return bad("a region name holds a character other than a-z, 0-9, '-' or '*'");
        }
        if r.bytes().take(r.len() - 1).any(|b| b == b'*') {
            return bad("'*' may only end a region name");
        }
    }
    Ok(())
}

/// Whether the region set `set` (validated) includes `region`.
pub(crate) fn region_set_includes(set: &str, region: &str) -> bool {
    set.split(',').any(|r| match r.strip_suffix('*') {
        Some(prefix) => region.starts_with(prefix),
        None => r == region,
    })
}

/// The SigV4a scope `yyyymmdd/service/aws4_request`.
pub(crate) fn scope<'s>(date: &'s str, service: &'s str) -> Scope<'s> {
    Scope {
        date,
        region: None,
        service,
        tail: None,
    }
}

/// The string to sign: `AWS4-ECDSA-P256-SHA256\n{amz date}\n{scope}\n{hex sha256(canonical request)}`.
pub(crate) fn string_to_sign(amz: &AmzDate, scope: Scope<'_>, canonical_request: &str) -> String {
    let mut sts = sts_head(ALGORITHM, amz.as_str(), scope);
    sts.push_str(Hex64::of(&sha256(canonical_request.as_bytes())).as_str());
    sts
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut buf = vec![0u8; bytes.len() * 2];
    match const_hex::encode_to_slice(bytes, &mut buf) {
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The bytes of an even-length hex string.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    let mut out = vec![0u8; s.len() / 2];
    const_hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_sets() {
        for ok in [
            "*",
            "us-east-1",
            "us-east-1,us-west-2",
            "us-*",
            "us-east-1,*",
        ] {
            assert_eq!(validate_region_set(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ",",
            "us-east-1,",
            "US-EAST-1",
            "us east",
            "u*s",
            "us-east-1, us-west-2",
        ] {
            assert!(validate_region_set(bad).is_err(), "{bad}");
        }
        assert!(region_set_includes("*", "eu-west-1"));
        assert!(region_set_includes("us-east-1,eu-*", "eu-west-1"));
        assert!(!region_set_includes("us-east-1,eu-*", "us-west-2"));
        assert!(!region_set_includes("us-east-1", "us-east-10"));
    }
}
