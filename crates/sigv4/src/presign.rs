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
//! assert!(out.url().unwrap().ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Cow;

use crate::canonical::{
    PayloadHash, Request, UNSIGNED_PAYLOAD, query_pairs, write_header_block, write_signed_headers,
    write_sorted_query,
};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::sign::{
    ALGORITHM, HeaderBuf, Scope, SessionTokenMode, Signer, SigningOutput, Timestamp, push_encoded,
    sts_head,
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
    let amz_bytes = time.amz_date_bytes();
    let amz = std::str::from_utf8(&amz_bytes).unwrap_or_default();
    let date = &amz[..8];
    let scope = Scope {
        date,
        region: signer.region(),
        service: signer.service(),
    };

    let mut headers = HeaderBuf::new();
    signer.collect_presign_headers(req, &mut headers)?;
    headers.sort();
    let headers = headers.as_slice();
    let mut signed = String::with_capacity(32);
    write_signed_headers(&mut signed, headers);

    let mut expires_buf = [0u8; 20];
    let expires_str = itoa(expires, &mut expires_buf);
    let token = credentials.session_token();
    let token_signed = settings.session_token == SessionTokenMode::Signed;
    let params = XAmzParams {
        access_key_id: credentials.access_key_id(),
        date,
        credential_tail: signer.credential_tail(),
        amz,
        expires: expires_str,
        signed: &signed,
        token: token.filter(|_| token_signed),
    };

    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    query_pairs(req.query(), &mut pairs);
    pairs.retain(|(k, _)| k != "X-Amz-Signature");

    let header_len: usize = headers.iter().map(|h| h.0.len() + h.1.len() + 2).sum();
    let mut cr = String::with_capacity(
        320 + req.path().len() * 2
            + req.query().len() * 2
            + credentials.access_key_id().len()
            + scope.len()
            + signed.len() * 2
            + token.map_or(0, |t| t.len() * 3)
            + header_len,
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
    if pairs.is_empty() {
        write_query_xamz_only(&mut cr, &params);
    } else if pairs.iter().any(|(k, _)| params.has_key(k)) {
        write_query_general(&mut cr, &mut pairs, &params);
    } else {
        write_query_merged(&mut cr, &mut pairs, &params);
    }
    let q_end = cr.len();
    cr.push('\n');
    write_header_block(&mut cr, headers);
    cr.push('\n');
    cr.push_str(&signed);
    cr.push('\n');
    cr.push_str(payload.as_str());

    let hash = crate::canonical::sha256(cr.as_bytes());
    let mut sts = sts_head(amz, scope);

    // The URL and query up to the signature, built while the hash above completes.
    let unsigned_token = token.filter(|_| !token_signed);
    let tail = 17 + 64 + unsigned_token.map_or(0, |t| 22 + t.len() * 3);
    let query_len = q_end - q_start + tail;
    let origin = req.scheme().zip(req.host());
    let mut url = String::with_capacity(
        origin.map_or(0, |(s, h)| s.len() + 3 + h.len() + req.path().len() + 1) + query_len,
    );
    if let Some((s, h)) = origin {
        url.push_str(s);
        url.push_str("://");
        url.push_str(h);
        url.push_str(req.path());
        url.push('?');
    }
    let query_at = url.len();
    url.push_str(&cr[q_start..q_end]);
    if let Some(t) = unsigned_token {
        url.push_str("&X-Amz-Security-Token=");
        push_encoded(&mut url, t);
    }
    url.push_str("&X-Amz-Signature=");

    let signature = signer.finish_sts(credentials, &amz_bytes, &mut sts, &hash);
    url.push_str(&signature);
    let mut out = SigningOutput::new(cr, sts, signature, signed, Vec::new());
    out.set_presigned(url, query_at, origin.is_some());
    Ok(out)
}

/// The `X-Amz-*` parameters a presigned URL signs (`X-Amz-Signature` aside).
struct XAmzParams<'p> {
    access_key_id: &'p str,
    /// The scope's `yyyymmdd` (eight digits: nothing to encode).
    date: &'p str,
    /// `%2F{region}%2F{service}%2Faws4_request`.
    credential_tail: &'p str,
    amz: &'p str,
    expires: &'p str,
    signed: &'p str,
    /// The session token when it is signed.
    token: Option<&'p str>,
}

/// The signed `X-Amz-*` keys in canonical (byte) order.
const XAMZ_KEYS: [&str; 6] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
];

impl XAmzParams<'_> {
    fn present(&self, i: usize) -> bool {
        i != 4 || self.token.is_some()
    }

    fn has_key(&self, k: &str) -> bool {
        XAMZ_KEYS
            .iter()
            .enumerate()
            .any(|(i, x)| *x == k && self.present(i))
    }

    /// Writes the canonical (encoded) value of parameter `i`.
    fn write_value(&self, out: &mut String, i: usize) {
        match i {
            0 => out.push_str(ALGORITHM),
            1 => {
                push_encoded(out, self.access_key_id);
                out.push_str("%2F");
                out.push_str(self.date);
                out.push_str(self.credential_tail);
            }
            2 => out.push_str(self.amz),
            3 => out.push_str(self.expires),
            4 => push_encoded(out, self.token.unwrap_or_default()),
            _ => {
                // Header names joined by `;` (escaped as `%3B`).
                for (n, name) in self.signed.split(';').enumerate() {
                    if n > 0 {
                        out.push_str("%3B");
                    }
                    push_encoded(out, name);
                }
            }
        }
    }
}

/// The canonical query of a request without parameters of its own (the common case): the
/// `X-Amz-*` parameters in their canonical order, written straight.
fn write_query_xamz_only(out: &mut String, params: &XAmzParams<'_>) {
    out.push_str("X-Amz-Algorithm=");
    params.write_value(out, 0);
    out.push_str("&X-Amz-Credential=");
    params.write_value(out, 1);
    out.push_str("&X-Amz-Date=");
    params.write_value(out, 2);
    out.push_str("&X-Amz-Expires=");
    params.write_value(out, 3);
    if params.token.is_some() {
        out.push_str("&X-Amz-Security-Token=");
        params.write_value(out, 4);
    }
    out.push_str("&X-Amz-SignedHeaders=");
    params.write_value(out, 5);
}

fn sort_pairs(pairs: &mut [(Cow<'_, str>, Cow<'_, str>)]) {
    pairs.sort_unstable_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
}

/// The canonical query when no request parameter has an `X-Amz-*` key of `params`: the sorted
/// request parameters merged with the `X-Amz-*` ones, written in place.
fn write_query_merged(
    out: &mut String,
    pairs: &mut [(Cow<'_, str>, Cow<'_, str>)],
    params: &XAmzParams<'_>,
) {
    sort_pairs(pairs);
    let mut rest = pairs.iter().peekable();
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push('&');
        }
        first = false;
    };
    for (i, key) in XAMZ_KEYS.iter().enumerate() {
        if !params.present(i) {
            continue;
        }
        while let Some((k, v)) = rest.next_if(|(k, _)| k.as_bytes() < key.as_bytes()) {
            sep(out);
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        sep(out);
        out.push_str(key);
        out.push('=');
        params.write_value(out, i);
    }
    for (k, v) in rest {
        sep(out);
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// The canonical query in every case: the `X-Amz-*` values built, then everything sorted.
fn write_query_general<'q>(
    out: &mut String,
    pairs: &mut Vec<(Cow<'q, str>, Cow<'q, str>)>,
    params: &XAmzParams<'_>,
) {
    for (i, key) in XAMZ_KEYS.iter().enumerate() {
        if params.present(i) {
            let mut v = String::new();
            params.write_value(&mut v, i);
            pairs.push((Cow::Borrowed(key), Cow::Owned(v)));
        }
    }
    write_sorted_query(out, pairs);
}

/// Decimal digits of `v` in `buf`.
fn itoa(mut v: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::query_pairs;

    /// The same parameters with and without a session token.
    fn params_with_and_without_token<'p>(
        access_key_id: &'p str,
        signed: &'p str,
    ) -> [XAmzParams<'p>; 2] {
        let with = XAmzParams {
            access_key_id,
            date: "20130524",
            credential_tail: "%2Fus-east-1%2Fs3%2Faws4_request",
            amz: "20130524T000000Z",
            expires: "86400",
            signed,
            token: Some("tok/en+="),
        };
        let without = XAmzParams {
            token: None,
            ..with
        };
        [with, without]
    }

    #[test]
    fn merged_query_matches_general() {
        let [params, no_token] = params_with_and_without_token("AKID", "host;x-a!b");
        for q in [
            "",
            "a=1",
            "X-Amz-A=1&X-Amz-Z=2&X-Amz-Date2=3&Y=1&x=2&W=&X-Amz-Security-Token=t",
            "b=2&a&a=%e1%88%b4&c=x+y&X-Amz-Expiresz=1&X-Amz-Credentia=0",
            "zzz=1&0=0&X-Amz-Signed=1&X-Amz-SignedHeadersX=2",
        ] {
            for p in [&params, &no_token] {
                let mut a = Vec::new();
                query_pairs(q, &mut a);
                if a.iter().any(|(k, _)| p.has_key(k)) {
                    continue;
                }
                let mut b = a.clone();
                let (mut x, mut y) = (String::new(), String::new());
                write_query_merged(&mut x, &mut a, p);
                write_query_general(&mut y, &mut b, p);
                assert_eq!(x, y, "{q}");
            }
        }
    }

    #[test]
    fn xamz_only_query_matches_merged() {
        let [params, no_token] = params_with_and_without_token("AK/ID+", "host;x-a!b;x-amz-meta-z");
        for p in [&params, &no_token] {
            let (mut x, mut y) = (String::new(), String::new());
            write_query_xamz_only(&mut x, p);
            write_query_merged(&mut y, &mut [], p);
            assert_eq!(x, y);
        }
    }

    #[test]
    fn itoa_writes_decimal() {
        for v in [0, 1, 9, 10, 86400, 604_800, u64::MAX] {
            let mut buf = [0u8; 20];
            assert_eq!(itoa(v, &mut buf), v.to_string());
        }
    }
}
