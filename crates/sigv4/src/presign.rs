//! Presigned URLs (query-string signing).
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, Signer, Timestamp};
//! let signer = Signer::s3("us-east-1")?;
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?;
//! let out = signer.presign(&req, &creds, Timestamp::parse_amz_date("20130524T000000Z")?, 86400)?;
//! // The example of AWS's S3 documentation ("Authenticating Requests: Using Query Parameters"):
//! assert_eq!(out.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
//! assert!(out.url.unwrap().ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Cow;

use crate::canonical::{
    PayloadHash, Request, UNSIGNED_PAYLOAD, query_pairs, write_canonical_headers,
};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::sign::{
    ALGORITHM, HeaderBuf, Scope, SessionTokenMode, Signer, SigningOutput, Timestamp, push_encoded,
    string_to_sign_and_signature,
};

/// The longest allowed `X-Amz-Expires`: 7 days.
pub const MAX_EXPIRES: u64 = 604_800;

pub(crate) fn presign(
    signer: &Signer,
    req: &Request<'_>,
    credentials: &Credentials,
    time: Timestamp,
    expires: u64,
) -> Result<SigningOutput, Error> {
    if !(1..=MAX_EXPIRES).contains(&expires) {
        return Err(Error::InvalidExpires { seconds: expires });
    }
    crate::canonical::validate_method(req.method())?;
    let settings = signer.settings();
    let payload = if settings.presign_unsigned_payload {
        PayloadHash::parse(UNSIGNED_PAYLOAD)?
    } else {
        PayloadHash::from_payload(req.payload_ref())?
    };
    let amz = time.amz_date_bytes();
    let amz = std::str::from_utf8(&amz).unwrap_or_default();
    let date = &amz[..8];
    let scope_parts = Scope {
        date,
        region: signer.region(),
        service: signer.service(),
    };
    let scope = scope_parts.owned();

    let mut headers = HeaderBuf::new();
    signer.collect_presign_headers(req, &mut headers)?;
    headers.sort();
    let mut header_block = String::with_capacity(128);
    let mut signed = String::with_capacity(32);
    write_canonical_headers(&mut header_block, &mut signed, headers.as_slice());

    let mut credential =
        String::with_capacity(credentials.access_key_id().len() + scope.len() + 16);
    push_encoded(&mut credential, credentials.access_key_id());
    credential.push_str("%2F");
    push_encoded(&mut credential, &scope);
    let mut signed_enc = String::with_capacity(signed.len() + 8);
    push_encoded(&mut signed_enc, &signed);
    let mut expires_buf = itoa(expires);
    let expires_str = expires_buf.as_str();
    let token = credentials.session_token();
    let token_enc = token.map(|t| {
        let mut s = String::with_capacity(t.len() + 16);
        push_encoded(&mut s, t);
        s
    });

    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::with_capacity(8);
    query_pairs(req.query(), &mut pairs);
    pairs.retain(|(k, _)| k != "X-Amz-Signature");
    pairs.push((Cow::Borrowed("X-Amz-Algorithm"), Cow::Borrowed(ALGORITHM)));
    pairs.push((
        Cow::Borrowed("X-Amz-Credential"),
        Cow::Borrowed(&credential),
    ));
    pairs.push((Cow::Borrowed("X-Amz-Date"), Cow::Borrowed(amz)));
    pairs.push((Cow::Borrowed("X-Amz-Expires"), Cow::Borrowed(expires_str)));
    pairs.push((
        Cow::Borrowed("X-Amz-SignedHeaders"),
        Cow::Borrowed(&signed_enc),
    ));
    let token_signed = settings.session_token == SessionTokenMode::Signed;
    if let (Some(t), true) = (&token_enc, token_signed) {
        pairs.push((Cow::Borrowed("X-Amz-Security-Token"), Cow::Borrowed(t)));
    }

    let mut cr = String::with_capacity(
        384 + req.path().len() * 2 + req.query().len() * 2 + header_block.len(),
    );
    cr.push_str(req.method());
    cr.push('\n');
    crate::canonical::write_canonical_path(
        &mut cr,
        req.path(),
        settings.normalize_path,
        settings.double_encode_path,
    );
    cr.push('\n');
    let q_start = cr.len();
    crate::canonical::write_sorted_query(&mut cr, &mut pairs);
    let q_end = cr.len();
    cr.push('\n');
    cr.push_str(&header_block);
    cr.push('\n');
    cr.push_str(&signed);
    cr.push('\n');
    cr.push_str(payload.as_str());

    let (sts, signature) = signer.with_signing_key(credentials, date, |key| {
        string_to_sign_and_signature(key, amz, scope_parts, &cr)
    });

    let mut query = String::with_capacity(q_end - q_start + 100);
    query.push_str(&cr[q_start..q_end]);
    if let (Some(t), false) = (&token_enc, token_signed) {
        query.push_str("&X-Amz-Security-Token=");
        query.push_str(t);
    }
    query.push_str("&X-Amz-Signature=");
    query.push_str(&signature);
    let url = match (req.scheme(), req.host()) {
        (Some(s), Some(h)) => {
            let mut u =
                String::with_capacity(s.len() + 3 + h.len() + req.path().len() + 1 + query.len());
            u.push_str(s);
            u.push_str("://");
            u.push_str(h);
            u.push_str(req.path());
            u.push('?');
            u.push_str(&query);
            Some(u)
        }
        _ => None,
    };
    expires_buf.clear();
    Ok(SigningOutput {
        canonical_request: cr,
        string_to_sign: sts,
        signature,
        signed_headers: signed,
        headers: Vec::new(),
        query: Some(query),
        url,
    })
}

fn itoa(v: u64) -> String {
    v.to_string()
}
