//! Parsing a SigV4a `Authorization` header and the presigned query's `X-Amz-*` parameters.

use std::borrow::Cow;

use crate::ascii::is_lower_hex;
use crate::error::Error;
use crate::settings::MAX_EXPIRES;
use crate::verifier::{SignedFlags, check_signed_headers, decode_str};

use super::{ALGORITHM, MAX_SIGNATURE_HEX, validate_region_set};

/// The parts of a SigV4a `Authorization` header or of presigned query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuthV4a<'a> {
    /// Access key ID.
    pub access_key_id: Cow<'a, str>,
    /// Scope date, `yyyymmdd`.
    pub date: Cow<'a, str>,
    /// Scope service.
    pub service: Cow<'a, str>,
    /// `SignedHeaders`, `;`-separated.
    pub signed_headers: Cow<'a, str>,
    /// The signature: hex of a DER-encoded ECDSA signature.
    pub signature: Cow<'a, str>,
    /// Presigned: `X-Amz-Date`.
    pub amz_date: Option<Cow<'a, str>>,
    /// Presigned: `X-Amz-Expires`.
    pub expires: Option<u64>,
    /// Presigned: `X-Amz-Region-Set` (header-signed requests carry it as a header).
    pub region_set: Option<Cow<'a, str>>,
}

fn malformed(reason: &'static str) -> Error {
    Error::MalformedAuthorization { reason }
}

/// `AKID/yyyymmdd/service/aws4_request`.
fn parse_credential(cred: Cow<'_, str>) -> Result<[Cow<'_, str>; 3], Error> {
    let bad = |reason| Error::MalformedCredentialScope { reason };
    let spans = {
        let parts: Vec<&str> = cred.split('/').collect();
        let [akid, date, service, terminator] = parts[..] else {
            return Err(bad(
                "expected 4 '/'-separated parts (SigV4a: AKID/yyyymmdd/service/aws4_request)",
            ));
        };
        if terminator != "aws4_request" {
            return Err(bad("last part must be aws4_request"));
        }
        if akid.is_empty() {
            return Err(bad("empty access key ID"));
        }
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("date must be yyyymmdd"));
        }
        if service.is_empty() {
            return Err(bad("empty service"));
        }
        let a = akid.len();
        let d = a + 1 + date.len();
        [(0, a), (a + 1, d), (d + 1, d + 1 + service.len())]
    };
    Ok(match cred {
        Cow::Borrowed(c) => spans.map(|(a, b)| Cow::Borrowed(&c[a..b])),
        Cow::Owned(c) => spans.map(|(a, b)| Cow::Owned(c[a..b].to_owned())),
    })
}

fn check_signature_syntax(sig: &str) -> Result<(), Error> {
    if sig.is_empty()
        || sig.len() > MAX_SIGNATURE_HEX
        || !sig.len().is_multiple_of(2)
        || !is_lower_hex(sig.as_bytes())
    {
        return Err(malformed(
            "Signature must be the lower-case hex of a DER-encoded ECDSA signature (at most 144 digits)",
        ));
    }
    Ok(())
}

/// Parses a SigV4a `Authorization` header value
/// (`AWS4-ECDSA-P256-SHA256 Credential=AKID/yyyymmdd/service/aws4_request, SignedHeaders=…, Signature=…`).
///
/// # Errors
/// [`Error`] naming the missing or malformed part.
pub fn parse_authorization_v4a(value: &str) -> Result<ParsedAuthV4a<'_>, Error> {
    parse_authorization_flags(value).map(|(p, _)| p)
}

pub(crate) fn parse_authorization_flags(
    value: &str,
) -> Result<(ParsedAuthV4a<'_>, SignedFlags), Error> {
    let value = value.trim();
    let (alg, rest) = value
        .split_once(' ')
        .ok_or(malformed("expected 'AWS4-ECDSA-P256-SHA256 Credential=…'"))?;
    if alg != ALGORITHM {
        return Err(Error::WrongAlgorithm {
            expected: ALGORITHM,
        });
    }
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(malformed("expected Key=Value components separated by ','"))?;
        let slot = match k {
            "Credential" => &mut cred,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => {
                return Err(malformed(
                    "unknown component (expected Credential, SignedHeaders, Signature)",
                ));
            }
        };
        if slot.replace(v).is_some() {
            return Err(malformed("repeated component"));
        }
    }
    let cred = cred.ok_or(malformed("missing Credential"))?;
    let signed = signed.ok_or(malformed("missing SignedHeaders"))?;
    let sig = sig.ok_or(malformed("missing Signature"))?;
    check_signature_syntax(sig)?;
    let flags = check_signed_headers(signed)?;
    let [akid, date, service] = parse_credential(Cow::Borrowed(cred))?;
    Ok((
        ParsedAuthV4a {
            access_key_id: akid,
            date,
            service,
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(sig),
            amz_date: None,
            expires: None,
            region_set: None,
        },
        flags,
    ))
}

/// Parses the `X-Amz-*` parameters of a SigV4a presigned wire query.
///
/// # Errors
/// [`Error`] naming the missing or malformed part.
pub fn parse_presigned_query_v4a(query: &str) -> Result<ParsedAuthV4a<'_>, Error> {
    parse_presigned_query_flags(query).map(|(p, _)| p)
}

pub(crate) fn parse_presigned_query_flags(
    query: &str,
) -> Result<(ParsedAuthV4a<'_>, SignedFlags), Error> {
    let mut slots: [Option<&str>; 7] = [None; 7];
    const KEYS: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Region-Set",
    ];
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        if let Some(i) = KEYS.iter().position(|key| *key == k)
            && slots[i].replace(v).is_some()
        {
            return Err(malformed("repeated X-Amz-* parameter"));
        }
    }
    let [alg, cred, date, exp, signed, sig, region_set] = slots;
    let alg = alg.ok_or(malformed("missing X-Amz-Algorithm"))?;
    if decode_str(alg)? != ALGORITHM {
        return Err(Error::WrongAlgorithm {
            expected: ALGORITHM,
        });
    }
    let cred = decode_str(cred.ok_or(malformed("missing X-Amz-Credential"))?)?;
    let date = decode_str(date.ok_or(malformed("missing X-Amz-Date"))?)?;
    let exp = exp.ok_or(malformed("missing X-Amz-Expires"))?;
    let signed = decode_str(signed.ok_or(malformed("missing X-Amz-SignedHeaders"))?)?;
    let sig = decode_str(sig.ok_or(malformed("missing X-Amz-Signature"))?)?;
    let region_set = decode_str(region_set.ok_or(malformed("missing X-Amz-Region-Set"))?)?;
    validate_region_set(&region_set)?;
    if exp.is_empty() || exp.len() > 7 || !exp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("X-Amz-Expires must be a number of seconds"));
    }
    let expires: u64 = exp
        .parse()
        .map_err(|_| malformed("X-Amz-Expires must be a number of seconds"))?;
    if !(1..=MAX_EXPIRES).contains(&expires) {
        return Err(Error::InvalidExpires { seconds: expires });
    }
    check_signature_syntax(&sig)?;
    let flags = check_signed_headers(&signed)?;
    let [akid, d, service] = parse_credential(cred)?;
    Ok((
        ParsedAuthV4a {
            access_key_id: akid,
            date: d,
            service,
            signed_headers: signed,
            signature: sig,
            amz_date: Some(date),
            expires: Some(expires),
            region_set: Some(region_set),
        },
        flags,
    ))
}
