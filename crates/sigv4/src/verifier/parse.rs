//! Parsing the `Authorization` header and the presigned query's `X-Amz-*` parameters.

use std::borrow::Cow;

use crate::ascii::{
    SIGNED_LIST, all_in, bytes_less, find_byte, is_lower_hex, maybe_space, percent_decode,
};
use crate::error::Error;
use crate::settings::MAX_EXPIRES;
use crate::string_to_sign::{ALGORITHM, Scope};

/// The most header names a `SignedHeaders` list may hold (requests sign a handful; the limit
/// bounds the work spent on a request before its credentials are looked up).
pub const MAX_SIGNED_HEADERS: usize = 128;

/// The parts of an `Authorization` header or of presigned query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuth<'a> {
    /// Access key ID.
    pub access_key_id: Cow<'a, str>,
    /// Scope date, `yyyymmdd`.
    pub date: Cow<'a, str>,
    /// Scope region.
    pub region: Cow<'a, str>,
    /// Scope service.
    pub service: Cow<'a, str>,
    /// `SignedHeaders`, `;`-separated.
    pub signed_headers: Cow<'a, str>,
    /// The signature (64 hex digits).
    pub signature: Cow<'a, str>,
    /// Presigned: `X-Amz-Date`.
    pub amz_date: Option<Cow<'a, str>>,
    /// Presigned: `X-Amz-Expires`.
    pub expires: Option<u64>,
}

fn parse_credential<'a>(cred: Cow<'a, str>) -> Result<[Cow<'a, str>; 4], Error> {
    let bad = |reason| Error::MalformedCredentialScope { reason };
    let split = |c: &str| -> Result<[(usize, usize); 4], Error> {
        let mut it = c.splitn(6, '/');
        let mut spans = [(0usize, 0usize); 4];
        let base = c.as_ptr() as usize;
        for span in &mut spans {
            let part = it.next().ok_or(bad("expected 5 '/'-separated parts"))?;
            let start = part.as_ptr() as usize - base;
            *span = (start, start + part.len());
        }
        match (it.next(), it.next()) {
            (Some("aws4_request"), None) => {}
            (Some(_), None) => return Err(bad("last part must be aws4_request")),
            _ => return Err(bad("expected 5 '/'-separated parts")),
        }
        let part = |i: usize| &c[spans[i].0..spans[i].1];
        if part(0).is_empty() {
            return Err(bad("empty access key ID"));
        }
        if part(1).len() != 8 || !part(1).bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("date must be yyyymmdd"));
        }
        if part(2).is_empty() || part(3).is_empty() {
            return Err(bad("empty region or service"));
        }
        Ok(spans)
    };
    let spans = split(&cred)?;
    Ok(match cred {
        Cow::Borrowed(c) => spans.map(|(a, b)| Cow::Borrowed(&c[a..b])),
        Cow::Owned(c) => spans.map(|(a, b)| Cow::Owned(c[a..b].to_owned())),
    })
}

fn check_signature_syntax(sig: &str) -> Result<(), Error> {
    if sig.len() != 64 || !is_lower_hex(sig.as_bytes()) {
        return Err(Error::MalformedAuthorization {
            reason: "Signature must be 64 lower-case hex digits",
        });
    }
    Ok(())
}

/// Checks a `SignedHeaders` list (lower-case names, sorted, no repeats) and notes which of the
/// headers the verifier cares about it names, in one pass ([`check_signed_headers_plain`] is the
/// definition, property-tested against this).
pub(crate) fn check_signed_headers(list: &str) -> Result<SignedFlags, Error> {
    let b = list.as_bytes();
    if b.is_empty() {
        return Err(Error::MalformedAuthorization {
            reason: "SignedHeaders is empty",
        });
    }
    let bad_name = Error::MalformedAuthorization {
        reason: "SignedHeaders must be lower-case header names separated by ';'",
    };
    if !all_in(b, SIGNED_LIST) {
        return Err(bad_name);
    }
    // Each name strictly after the one before it (byte order): an inline comparison, as the
    // names are short.
    let mut flags = SignedFlags::default();
    let mut prev: &[u8] = &[];
    for (count, name) in list_names(list).map(str::as_bytes).enumerate() {
        if count == MAX_SIGNED_HEADERS {
            return Err(Error::TooManySignedHeaders {
                max: MAX_SIGNED_HEADERS,
            });
        }
        if name.is_empty() {
            return Err(bad_name);
        }
        if !prev.is_empty() && !bytes_less(prev, name) {
            return Err(Error::MalformedAuthorization {
                reason: "SignedHeaders must be sorted and without repeats",
            });
        }
        match name {
            b"host" => flags.host = true,
            b"date" => flags.date = true,
            b"x-amz-date" => flags.amz_date = true,
            b"x-amz-content-sha256" => flags.content_sha = true,
            b"x-amz-region-set" => flags.region_set = true,
            _ => {}
        }
        prev = name;
    }
    Ok(flags)
}

/// [`check_signed_headers`] as plainly as it can be said: the class of every byte, then the names
/// one by one.
#[cfg(test)]
pub(crate) fn check_signed_headers_plain(list: &str) -> Result<SignedFlags, Error> {
    if list.is_empty() {
        return Err(Error::MalformedAuthorization {
            reason: "SignedHeaders is empty",
        });
    }
    if !list
        .bytes()
        .all(|c| c == b';' || (is_token_byte(c) && !c.is_ascii_uppercase()))
    {
        return Err(Error::MalformedAuthorization {
            reason: "SignedHeaders must be lower-case header names separated by ';'",
        });
    }
    let mut flags = SignedFlags::default();
    let names: Vec<&str> = list.split(';').collect();
    for (i, name) in names.iter().enumerate() {
        if i == MAX_SIGNED_HEADERS {
            return Err(Error::TooManySignedHeaders {
                max: MAX_SIGNED_HEADERS,
            });
        }
        if name.is_empty() {
            return Err(Error::MalformedAuthorization {
                reason: "SignedHeaders must be lower-case header names separated by ';'",
            });
        }
        if i > 0 && names[i - 1] >= *name {
            return Err(Error::MalformedAuthorization {
                reason: "SignedHeaders must be sorted and without repeats",
            });
        }
        match *name {
            "host" => flags.host = true,
            "date" => flags.date = true,
            "x-amz-date" => flags.amz_date = true,
            "x-amz-content-sha256" => flags.content_sha = true,
            "x-amz-region-set" => flags.region_set = true,
            _ => {}
        }
    }
    Ok(flags)
}

/// A token character (RFC 9110), said without the class table.
#[cfg(test)]
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Parses an `Authorization` header value
/// (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`).
///
/// # Errors
///
/// `Error::UnsupportedAlgorithm`, `Error::MalformedAuthorization` or
/// `Error::MalformedCredentialScope` naming what is wrong.
pub fn parse_authorization(value: &str) -> Result<ParsedAuth<'_>, Error> {
    parse_authorization_general(value).map(|(p, _)| p)
}

/// [`parse_authorization`] with the flags of `SignedHeaders`, for a verifier of `scope` (its
/// date unused): the form its clients write is parsed at fixed places. `scope` must hold no ','
/// (where the general parser splits the header's components); `None` parses generally.
pub(super) fn parse_authorization_flags<'a>(
    value: &'a str,
    scope: Option<&Scope<'_>>,
) -> Result<(ParsedAuth<'a>, SignedFlags), Error> {
    match scope.and_then(|scope| parse_authorization_fast(value, scope)) {
        Some(p) => Ok(p),
        None => parse_authorization_general(value),
    }
}

/// The exact form signers write, signed for `scope` (the verifier's own, any date):
/// `AWS4-HMAC-SHA256 Credential={akid}/{yyyymmdd}/{region}/{service}/aws4_request, SignedHeaders={list}, Signature={64 hex}`,
/// nothing to trim, every check passing. The parts sit at places that form fixes (the
/// signature last, the scope after its date compared whole), so only the access key ID's end is
/// searched for. `None` sends everything else (another scope included) to
/// [`parse_authorization_general`], which gives the same result on this form.
fn parse_authorization_fast<'a>(
    value: &'a str,
    scope: &Scope<'_>,
) -> Option<(ParsedAuth<'a>, SignedFlags)> {
    // `/{region}/{service}/aws4_request`.
    let (tail, region) = (scope.tail?, scope.region?);
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 Credential=")?;
    let (rest, sig) = rest.split_at_checked(rest.len().checked_sub(64)?)?;
    let rest = rest.strip_suffix(", Signature=")?;
    check_signature_syntax(sig).ok()?;
    // The access key ID: up to the first '/', without ',' or any byte at or below space (where
    // the general parser would split or trim).
    let slash = find_byte(rest.as_bytes(), b'/')?;
    let akid = &rest[..slash];
    if akid.is_empty() || maybe_space(akid.as_bytes()) || find_byte(akid.as_bytes(), b',').is_some()
    {
        return None;
    }
    // `yyyymmdd`: eight ASCII digits, so `rest` splits after them.
    if !rest
        .as_bytes()
        .get(slash + 1..slash + 9)?
        .iter()
        .all(u8::is_ascii_digit)
    {
        return None;
    }
    let (date, after) = rest[slash + 1..].split_at(8);
    let signed = after.strip_prefix(tail)?.strip_prefix(", SignedHeaders=")?;
    // The list's check refuses ',' and spaces, where the general parser would split or trim.
    let flags = check_signed_headers(signed).ok()?;
    let region_at = slash + 10;
    let service_at = region_at + region.len() + 1;
    Some((
        ParsedAuth {
            access_key_id: Cow::Borrowed(akid),
            date: Cow::Borrowed(date),
            region: Cow::Borrowed(&rest[region_at..service_at - 1]),
            service: Cow::Borrowed(&rest[service_at..service_at + scope.service.len()]),
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(sig),
            amz_date: None,
            expires: None,
        },
        flags,
    ))
}

fn parse_authorization_general(value: &str) -> Result<(ParsedAuth<'_>, SignedFlags), Error> {
    let value = value.trim();
    let (alg, rest) = value.split_once(' ').ok_or(Error::MalformedAuthorization {
        reason: "expected 'AWS4-HMAC-SHA256 Credential=…'",
    })?;
    if alg != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm);
    }
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or(Error::MalformedAuthorization {
            reason: "expected Key=Value components separated by ','",
        })?;
        let slot = match k {
            "Credential" => &mut cred,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => {
                return Err(Error::MalformedAuthorization {
                    reason: "unknown component (expected Credential, SignedHeaders, Signature)",
                });
            }
        };
        if slot.replace(v).is_some() {
            return Err(Error::MalformedAuthorization {
                reason: "repeated component",
            });
        }
    }
    let cred = cred.ok_or(Error::MalformedAuthorization {
        reason: "missing Credential",
    })?;
    let signed = signed.ok_or(Error::MalformedAuthorization {
        reason: "missing SignedHeaders",
    })?;
    let sig = sig.ok_or(Error::MalformedAuthorization {
        reason: "missing Signature",
    })?;
    check_signature_syntax(sig)?;
    let flags = check_signed_headers(signed)?;
    let [akid, date, region, service] = parse_credential(Cow::Borrowed(cred))?;
    Ok((
        ParsedAuth {
            access_key_id: akid,
            date,
            region,
            service,
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(sig),
            amz_date: None,
            expires: None,
        },
        flags,
    ))
}

pub(crate) fn decode_str(s: &str) -> Result<Cow<'_, str>, Error> {
    if !s.contains('%') {
        return Ok(Cow::Borrowed(s));
    }
    String::from_utf8(percent_decode(s))
        .map(Cow::Owned)
        .map_err(|_| Error::MalformedAuthorization {
            reason: "query parameter is not UTF-8",
        })
}

/// Parses the `X-Amz-*` parameters of a presigned wire query.
///
/// # Errors
///
/// `Error::MissingAuthorization` when there are no `X-Amz-*` parameters, else as
/// [`parse_authorization`].
pub fn parse_presigned_query(query: &str) -> Result<ParsedAuth<'_>, Error> {
    parse_presigned_query_flags(query).map(|(p, _)| p)
}

pub(super) fn parse_presigned_query_flags(
    query: &str,
) -> Result<(ParsedAuth<'_>, SignedFlags), Error> {
    let (mut alg, mut cred, mut date, mut exp, mut signed, mut sig) =
        (None, None, None, None, None, None);
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let slot = match k {
            "X-Amz-Algorithm" => &mut alg,
            "X-Amz-Credential" => &mut cred,
            "X-Amz-Date" => &mut date,
            "X-Amz-Expires" => &mut exp,
            "X-Amz-SignedHeaders" => &mut signed,
            "X-Amz-Signature" => &mut sig,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(Error::MalformedAuthorization {
                reason: "repeated X-Amz-* parameter",
            });
        }
    }
    let missing = |what| Error::MalformedAuthorization { reason: what };
    let alg = alg.ok_or(missing("missing X-Amz-Algorithm"))?;
    if decode_str(alg)? != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm);
    }
    let cred = decode_str(cred.ok_or(missing("missing X-Amz-Credential"))?)?;
    let date = decode_str(date.ok_or(missing("missing X-Amz-Date"))?)?;
    let exp = exp.ok_or(missing("missing X-Amz-Expires"))?;
    let signed = decode_str(signed.ok_or(missing("missing X-Amz-SignedHeaders"))?)?;
    let sig = decode_str(sig.ok_or(missing("missing X-Amz-Signature"))?)?;
    if exp.is_empty() || exp.len() > 7 || !exp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(missing("X-Amz-Expires must be a number of seconds"));
    }
    let expires: u64 = exp
        .parse()
        .map_err(|_| missing("X-Amz-Expires must be a number of seconds"))?;
    if !(1..=MAX_EXPIRES).contains(&expires) {
        return Err(Error::InvalidExpires { seconds: expires });
    }
    check_signature_syntax(&sig)?;
    let flags = check_signed_headers(&signed)?;
    let [akid, d, region, service] = parse_credential(cred)?;
    Ok((
        ParsedAuth {
            access_key_id: akid,
            date: d,
            region,
            service,
            signed_headers: signed,
            signature: sig,
            amz_date: Some(date),
            expires: Some(expires),
        },
        flags,
    ))
}

/// The names of a `SignedHeaders` list (eight bytes at a time: no `memchr` set-up for short lists).
pub(super) fn list_names(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(list);
    std::iter::from_fn(move || {
        let r = rest?;
        match find_byte(r.as_bytes(), b';') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Which of the headers the verifier cares about are signed.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SignedFlags {
    pub(crate) host: bool,
    pub(crate) amz_date: bool,
    pub(crate) date: bool,
    pub(crate) content_sha: bool,
    /// SigV4a: `x-amz-region-set`.
    pub(crate) region_set: bool,
}
#[cfg(test)]
mod parse_tests {
    use super::*;
    use proptest::prelude::*;

    /// A verifier's scope (its date unused) for region `region` and service `service`.
    fn scope_of(region: &'static str, service: &'static str) -> Scope<'static> {
        let tail = format!("/{region}/{service}/aws4_request");
        Scope {
            date: "",
            region: Some(region),
            service,
            tail: Some(Box::leak(tail.into_boxed_str())),
        }
    }

    /// The fast parser, when it answers, answers as the general one; either way the verifier's
    /// parse is the general one's.
    fn check(value: &str, scope: &Scope<'_>) {
        let general = parse_authorization_general(value);
        match parse_authorization_fast(value, scope) {
            Some(fast) => assert_eq!(Ok(fast), general, "{value}"),
            None => assert_eq!(
                parse_authorization_flags(value, Some(scope)),
                general,
                "{value}"
            ),
        }
    }

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    #[test]
    fn fast_authorization_parser_matches_general() {
        let scope = scope_of("us-east-1", "iam");
        assert!(parse_authorization_fast(GOOD, &scope).is_some());
        // Another verifier's scope: the general parser's answer.
        for other in [scope_of("us-east-2", "iam"), scope_of("us-east-1", "sts")] {
            assert!(parse_authorization_fast(GOOD, &other).is_none());
            check(GOOD, &other);
        }
        for v in [
            GOOD,
            &GOOD.replace("AKIDEXAMPLE", ""),
            &GOOD.replace("AKIDEXAMPLE", "AK ID"),
            &GOOD.replace("AKIDEXAMPLE", "AK=ID"),
            &GOOD.replace("/iam/", "/iam/x/"),
            &GOOD.replace("/iam/", "//"),
            &GOOD.replace("20150830", "2015083"),
            &GOOD.replace("20150830", "2015083x"),
            &GOOD.replace("aws4_request", "aws4_requestx"),
            &GOOD.replace("content-type;host", "host;content-type"),
            &GOOD.replace("content-type;host", "Content-type;host"),
            &GOOD.replace(", SignedHeaders", ",SignedHeaders"),
            &GOOD.replace(", Signature=5", ", Signature=x"),
            &format!("{GOOD} "),
            &format!("{GOOD}0"),
            &format!("{GOOD}, Signature=00"),
            &format!(" {GOOD}"),
            &GOOD.replace("AKIDEXAMPLE", "AK,ID"),
            &GOOD.replace("AKIDEXAMPLE", "AKID\tX"),
            &GOOD.replace("/us-east-1/", "/us-east-1x/"),
            &GOOD.replace("/iam/", "/IAM/"),
            &GOOD.replace(";x-amz-date", ";x-amz-date "),
            &GOOD.replace(";x-amz-date", ";x-amz-date,"),
            &GOOD.replace(", Signature=", ",  Signature="),
        ] {
            check(v, &scope);
        }
    }

    proptest! {
        #[test]
        fn fast_authorization_parser_matches_general_random(
            akid in "[A-Z0-9 =,/]{0,6}",
            date in "[0-9a/]{7,9}",
            region in "(us-east-1|us-east-1/|[a-z0-9 /-]{0,5})",
            list in "[a-zA-Z; ,-]{0,12}",
            sig in "[0-9a-f]{63,65}",
            sep in "(, |,| , )",
        ) {
            check(&format!(
                "AWS4-HMAC-SHA256 Credential={akid}/{date}/{region}/s3/aws4_request{sep}SignedHeaders={list}{sep}Signature={sig}"
            ), &scope_of("us-east-1", "s3"));
        }

        /// The check of a `SignedHeaders` list says what the plain definition says:
        /// the same flags, or the same error, for lists near the valid form (names the verifier
        /// cares about, repeats, upper case, empty names, bytes outside the class, too many).
        #[test]
        fn signed_headers_check_matches_plain(
            names in proptest::collection::vec(
                "(host|date|x-amz-date|x-amz-content-sha256|x-amz-region-set|[a-z]{1,3}|[a-zA-Z!;, \\x00-\\x7f\u{e9}]{0,3})",
                0..8,
            ),
            many in 0usize..3,
            sort in any::<bool>(),
        ) {
            let mut names = names;
            if sort {
                names.sort();
            }
            if many > 0 {
                // Around the cap: `MAX_SIGNED_HEADERS` - 1 + `many` sorted names.
                names = (0..MAX_SIGNED_HEADERS - 1 + many).map(|i| format!("h{i:05}")).collect();
            }
            let list = names.join(";");
            prop_assert_eq!(check_signed_headers(&list), check_signed_headers_plain(&list), "{:?}", list);
        }
    }
}
