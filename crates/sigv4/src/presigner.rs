//! Presigned URLs (query-string signing).
//!
//! ```
//! use iamkit_sigv4::{Credentials, Request, Signer, Timestamp};
//! let signer = Signer::s3("us-east-1")?;
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let req = Request::from_url("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?;
//! let out = signer.presign(&req, &creds, Timestamp::parse_amz_date("20130524T000000Z")?, 86400)?;
//! // The example of AWS's S3 documentation ("Authenticating Requests: Using Query Parameters"):
//! assert_eq!(out.signature(), "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
//! assert!(out.url().unwrap().ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
//! # Ok::<(), iamkit_sigv4::Error>(())
//! ```

use std::borrow::Cow;

use crate::ascii::uri_encode_into;
use crate::canonical_request::headers::{signed_list_max_len, write_signed_list};
use crate::canonical_request::payload::{PayloadHash, UNSIGNED_PAYLOAD};
use crate::canonical_request::query::{query_pairs, sort_pairs, write_sorted_query};
use crate::canonical_request::{CanonicalRequest, SignedList};
use crate::error::Error;
use crate::key::Credentials;
use crate::request::{HeaderBuf, Request, validate_method};
use crate::settings::{MAX_EXPIRES, SessionTokenMode};
use crate::signer::{
    MAX_SIGNATURE_LEN, Signer, SignerConfig, SigningOutput, Span, collect_headers, write_sts,
};
use crate::string_to_sign::{Scope, sts_head_len};
use crate::time::Timestamp;

impl Signer {
    /// Presigns: the `X-Amz-*` parameters go in the query (`X-Amz-Expires` = `expires_seconds`,
    /// 1..=604800). Returns the signed query and, when the request knows its scheme and host, the URL.
    ///
    /// # Errors
    ///
    /// `Error::InvalidExpires` for `expires_seconds` out of range, and the errors of
    /// [`Signer::sign`].
    pub fn presign(
        &self,
        req: &Request<'_>,
        credentials: &Credentials,
        time: Timestamp,
        expires_seconds: u64,
    ) -> Result<SigningOutput, Error> {
        let finish =
            |scope: Scope<'_>, sts: &str| Ok::<_, Error>(self.sign_sts(credentials, scope, sts));
        presign_query(
            &self.config,
            req,
            credentials,
            time,
            expires_seconds,
            finish,
        )
    }
}

/// Query signing, shared by the SigV4 and SigV4a signers: the canonical request with the
/// `X-Amz-*` parameters in the query (`X-Amz-Expires` = `expires_seconds`), the signature
/// `finish` computes (as for [`sign_headers`](crate::signer::sign_headers)), and the presigned
/// URL. The payload hash is `UNSIGNED-PAYLOAD` under the S3 rules, else the
/// request's.
pub(crate) fn presign_query<S: AsRef<str>>(
    config: &SignerConfig,
    req: &Request<'_>,
    credentials: &Credentials,
    time: Timestamp,
    expires_seconds: u64,
    finish: impl FnOnce(Scope<'_>, &str) -> Result<S, Error>,
) -> Result<SigningOutput, Error> {
    let amz = &time.amz();
    // The date's text, checked once.
    let amz_str = amz.as_str();
    let (settings, alg) = (&config.settings, config.algorithm(&amz_str[..8]));
    if !(1..=MAX_EXPIRES).contains(&expires_seconds) {
        return Err(Error::InvalidExpires {
            seconds: expires_seconds,
        });
    }
    validate_method(req.method())?;
    let payload = if settings.presign_unsigned_payload {
        PayloadHash::Const(UNSIGNED_PAYLOAD)
    } else {
        PayloadHash::from_payload(req.payload_ref(), config.streaming)?
    };

    let mut headers = HeaderBuf::new();
    let lower_case_names = collect_headers(settings, req, &[], &mut headers)?;
    let headers = headers.as_slice();

    let mut expires_buf = [0u8; 20];
    let expires = itoa(expires_seconds, &mut expires_buf);
    let token = credentials.session_token();
    let token_signed = settings.session_token == SessionTokenMode::Signed;
    let params = XAmzParams {
        algorithm: alg.name,
        access_key_id: credentials.access_key_id(),
        date: &amz_str[..8],
        credential_tail: alg.credential_tail,
        amz: amz_str,
        expires,
        region_set: alg.region_set,
        headers,
        lower_case_names,
        token: token.filter(|_| token_signed),
    };

    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    query_pairs(req.query(), &mut pairs);
    pairs.retain(|(k, _)| k != "X-Amz-Signature");

    let cr = CanonicalRequest {
        method: req.method(),
        path: req.path(),
        normalize: settings.normalize_path,
        double_encode: settings.double_encode_path,
        headers,
        lower_case_names,
        signed_headers: SignedList::OfHeaders,
        payload_hash: payload.as_str(),
    };
    let query_len = req.query().len() + params.len();
    // The URL: origin and path, the canonical query, an unsigned token, the signature.
    let unsigned_token = token.filter(|_| !token_signed);
    let origin = req.scheme().zip(req.host());
    // Every part sized up front (the token at its worst, every byte encoded): one allocation.
    let url_len = origin.map_or(0, |(s, h)| {
        s.len() + "://".len() + h.len() + req.path().len() + 1
    }) + query_len
        + unsigned_token.map_or(0, |t| "&X-Amz-Security-Token=".len() + 3 * t.len())
        + "&X-Amz-Signature=".len()
        + MAX_SIGNATURE_LEN;
    let mut text = String::with_capacity(
        cr.estimated_len(query_len) + sts_head_len(alg.name, alg.scope) + 64 + url_len,
    );
    let cr = cr.write(&mut text, |out| {
        if pairs.is_empty() {
            write_query_xamz_only(out, &params);
        } else if pairs.iter().any(|(k, _)| params.has_key(k)) {
            write_query_general(out, &mut pairs, &params);
        } else {
            write_query_merged(out, &mut pairs, &params);
        }
    });
    let (sts, signature) = write_sts(&mut text, &alg, amz_str, cr.all.clone(), finish)?;

    let url = text.len();
    if let Some((s, h)) = origin {
        text.push_str(s);
        text.push_str("://");
        text.push_str(h);
        text.push_str(req.path());
        text.push('?');
    }
    let query_at = text.len();
    text.extend_from_within(cr.query);
    if let Some(t) = unsigned_token {
        text.push_str("&X-Amz-Security-Token=");
        uri_encode_into(&mut text, t, true);
    }
    text.push_str("&X-Amz-Signature=");
    let signature_at = text.len();
    text.push_str(signature.as_ref());
    let signature = Span::to_end(signature_at, &text);
    let url = Span::to_end(url, &text);
    let mut out = SigningOutput::new(Span::of(cr.all), sts, Span::of(cr.signed_headers));
    out.set_presigned(
        text,
        token.is_some(),
        signature,
        url,
        query_at,
        origin.is_some(),
    );
    Ok(out)
}

struct XAmzParams<'p> {
    /// `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256` (nothing to encode).
    algorithm: &'p str,
    access_key_id: &'p str,
    /// The scope's `yyyymmdd` (eight digits: nothing to encode).
    date: &'p str,
    /// `%2F{region}%2F{service}%2Faws4_request` (SigV4a: `%2F{service}%2Faws4_request`).
    credential_tail: &'p str,
    amz: &'p str,
    expires: &'p str,
    /// SigV4a: the region set.
    region_set: Option<&'p str>,
    /// The signed headers, for `X-Amz-SignedHeaders`.
    headers: &'p [(&'p str, &'p str)],
    lower_case_names: bool,
    /// The session token when it is signed.
    token: Option<&'p str>,
}

/// The signed `X-Amz-*` keys in canonical (byte) order.
const XAMZ_KEYS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Region-Set",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
];

impl XAmzParams<'_> {
    /// The length of the parameters as written, about (for reserving).
    fn len(&self) -> usize {
        let fixed: usize = XAMZ_KEYS.iter().map(|k| k.len() + 2).sum();
        fixed
            + self.algorithm.len()
            + self.access_key_id.len()
            + "%2F".len()
            + self.date.len()
            + self.credential_tail.len()
            + self.amz.len()
            + self.expires.len()
            + self.region_set.map_or(0, |r| r.len() * 3)
            + signed_list_max_len(self.headers, true)
            + self.token.map_or(0, str::len)
    }

    fn present(&self, i: usize) -> bool {
        match i {
            4 => self.region_set.is_some(),
            5 => self.token.is_some(),
            _ => true,
        }
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
            0 => out.push_str(self.algorithm),
            1 => {
                uri_encode_into(out, self.access_key_id, true);
                out.push_str("%2F");
                out.push_str(self.date);
                out.push_str(self.credential_tail);
            }
            2 => out.push_str(self.amz),
            3 => out.push_str(self.expires),
            4 => uri_encode_into(out, self.region_set.unwrap_or_default(), true),
            5 => uri_encode_into(out, self.token.unwrap_or_default(), true),
            _ => {
                write_signed_list(out, self.headers, self.lower_case_names, true);
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
    if params.region_set.is_some() {
        out.push_str("&X-Amz-Region-Set=");
        params.write_value(out, 4);
    }
    if params.token.is_some() {
        out.push_str("&X-Amz-Security-Token=");
        params.write_value(out, 5);
    }
    out.push_str("&X-Amz-SignedHeaders=");
    params.write_value(out, 6);
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

    /// The same parameters with and without a session token, SigV4 and SigV4a (region set).
    fn param_variants<'p>(
        access_key_id: &'p str,
        headers: &'p [(&'p str, &'p str)],
    ) -> [XAmzParams<'p>; 4] {
        let with = XAmzParams {
            algorithm: "AWS4-HMAC-SHA256",
            access_key_id,
            date: "20130524",
            credential_tail: "%2Fus-east-1%2Fs3%2Faws4_request",
            amz: "20130524T000000Z",
            expires: "86400",
            region_set: None,
            headers,
            lower_case_names: true,
            token: Some("tok/en+="),
        };
        let without = XAmzParams {
            token: None,
            ..with
        };
        let v4a = XAmzParams {
            algorithm: "AWS4-ECDSA-P256-SHA256",
            credential_tail: "%2Fs3%2Faws4_request",
            region_set: Some("us-east-1,eu-*"),
            ..with
        };
        let v4a_without = XAmzParams { token: None, ..v4a };
        [with, without, v4a, v4a_without]
    }

    #[test]
    fn merged_query_matches_general() {
        let variants = param_variants("AKID", &[("host", ""), ("x-a!b", "")]);
        for q in [
            "",
            "a=1",
            "X-Amz-A=1&X-Amz-Z=2&X-Amz-Date2=3&Y=1&x=2&W=&X-Amz-Security-Token=t",
            "b=2&a&a=%e1%88%b4&c=x+y&X-Amz-Expiresz=1&X-Amz-Credentia=0",
            "zzz=1&0=0&X-Amz-Signed=1&X-Amz-SignedHeadersX=2",
            "X-Amz-Region=1&X-Amz-Region-Sets=2&X-Amz-Q=3",
        ] {
            for p in &variants {
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
        for p in &param_variants(
            "AK/ID+",
            &[("host", ""), ("x-a!b", ""), ("x-amz-meta-z", "")],
        ) {
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
