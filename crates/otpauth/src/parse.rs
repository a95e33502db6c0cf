//! Parsing `otpauth://` URIs leniently, in the order the text is read: scheme and parts, the
//! type, the label, the query's parameters, then what they mean together (issuer, secret,
//! values, Steam detection) into [`Params`].

use iamkit_otp::{
    Algorithm, Kind, MAX_DIGITS, MAX_PERIOD, MIN_DIGITS, Params, STEAM_DIGITS, Secret,
};
use percent_encoding::percent_decode_str;
use zeroize::{Zeroize, Zeroizing};

use crate::error::excerpt;
use crate::warnings::STEAM_FIXED;
use crate::{Error, OtpAuthUri, Warning};

/// What a `period` must be: at least a second, at most a day ([`iamkit_otp::MAX_PERIOD`]).
pub(crate) const PERIOD_EXPECTED: &str = "a number of seconds, 1 to 86400 (a day)";
/// What `digits` must be when parsed.
const DIGITS_EXPECTED: &str = "a number of digits, 6 to 10 (5 for Steam)";

/// Parses an `otpauth://` URI (see [`OtpAuthUri::parse`]).
pub(crate) fn parse(uri: &str) -> Result<OtpAuthUri, Error> {
    let parts = split_uri(uri)?;
    let host_kind = parse_kind(parts.host)?;
    let (label_issuer, account) = split_label(parts.raw_label)?;
    let raw = parse_query(parts.query)?;
    let mut warnings = Vec::new();
    let issuer = resolve_issuer(label_issuer, raw.issuer, &mut warnings);
    let secret = parse_secret(raw.secret)?;
    let values = Values::parse(&raw.values)?;
    let kind = resolve_kind(host_kind, &values, issuer.as_deref())?;
    let (params, counter) = resolve_params(kind, &values, &mut warnings)?;
    Ok(OtpAuthUri::new(
        params, issuer, account, secret, counter, warnings,
    ))
}

/// The still-encoded parts of a URI.
struct Parts<'a> {
    host: &'a str,
    raw_label: &'a str,
    query: &'a str,
}

/// Checks the scheme (any case), drops a fragment (not part of the key URI) and splits the rest
/// into host, label and query.
fn split_uri(uri: &str) -> Result<Parts<'_>, Error> {
    let uri = uri.trim();
    let rest = strip_prefix_ci(uri, "otpauth://").ok_or(Error::InvalidScheme {
        expected: "otpauth://",
    })?;
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, raw_label) = before_query.split_once('/').unwrap_or((before_query, ""));
    Ok(Parts {
        host,
        raw_label,
        query,
    })
}

/// The host: `totp`, `hotp` or `steam`, any case.
fn parse_kind(host: &str) -> Result<Kind, Error> {
    host.parse::<Kind>().map_err(|_| Error::UnknownType {
        found: excerpt(host),
    })
}

/// Strips a case-insensitive ASCII prefix.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Percent-decodes once (no `+` handling) into UTF-8.
fn decode_component(s: &str, part: &'static str) -> Result<String, Error> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::InvalidEncoding { part })
}

/// Percent-decodes a query value, `+` meaning space (form encoding). The result is moved, never
/// copied, so wrapping it in `Zeroizing` covers every copy of a secret.
fn decode_query_value(s: &str, part: &'static str) -> Result<String, Error> {
    if !s.contains(['+', '%']) {
        return Ok(s.to_owned());
    }
    // `+` means space in a query value while `%2B` is a plus, so both are handled in one pass.
    let mut bytes = Vec::with_capacity(s.len());
    let mut raw = s.as_bytes();
    while let Some((&b, rest)) = raw.split_first() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' if rest.len() >= 2
                && rest[0].is_ascii_hexdigit()
                && rest[1].is_ascii_hexdigit() =>
            {
                bytes.push((hex_val(rest[0]) << 4) | hex_val(rest[1]));
                raw = &rest[2..];
                continue;
            }
            _ => bytes.push(b),
        }
        raw = rest;
    }
    String::from_utf8(bytes).map_err(|e| {
        let mut bytes = e.into_bytes();
        bytes.zeroize();
        Error::InvalidEncoding { part }
    })
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Splits a raw (still encoded) label at the first raw `:` or `%3A`, decodes each half once and
/// trims leading whitespace. Returns (issuer prefix, account).
fn split_label(raw: &str) -> Result<(Option<String>, String), Error> {
    let raw_colon = raw.find(':');
    let enc_colon = raw
        .as_bytes()
        .windows(3)
        .position(|w| w[0] == b'%' && w[1] == b'3' && w[2].eq_ignore_ascii_case(&b'a'));
    let split = match (raw_colon, enc_colon) {
        (Some(a), Some(b)) if b < a => Some((b, 3)),
        (Some(a), _) => Some((a, 1)),
        (None, Some(b)) => Some((b, 3)),
        (None, None) => None,
    };
    let trim = |s: String| s.trim_start().to_owned();
    match split {
        Some((at, len)) => {
            let issuer = trim(decode_component(&raw[..at], "label")?);
            let account = trim(decode_component(&raw[at + len..], "label")?);
            Ok(((!issuer.is_empty()).then_some(issuer), account))
        }
        None => Ok((None, trim(decode_component(raw, "label")?))),
    }
}

/// The parameters this crate interprets, decoded but not yet checked.
#[derive(Default)]
struct RawParams {
    secret: Option<Zeroizing<String>>,
    issuer: Option<String>,
    values: RawValues,
}

/// The parameters that decide the codes, as text.
#[derive(Default)]
struct RawValues {
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
    encoder: Option<String>,
}

fn set_once<T>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::DuplicateParameter { name });
    }
    *slot = Some(value);
    Ok(())
}

/// The parameters this crate interprets, lower case.
const KNOWN_PARAMS: [&str; 7] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
    "encoder",
];

/// Which known parameter a raw (possibly percent-encoded) name is, in any case.
fn known_param(raw_name: &str) -> Result<Option<&'static str>, Error> {
    let decoded;
    let name = if raw_name.contains('%') {
        decoded = decode_component(raw_name, "parameter name")?;
        decoded.as_str()
    } else {
        raw_name
    };
    Ok(KNOWN_PARAMS
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(name)))
}

fn parse_query(query: &str) -> Result<RawParams, Error> {
    let mut p = RawParams::default();
    for pair in query.split('&').filter(|s| !s.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        // image, icon, color, lock, … : not ours to interpret.
        let Some(name) = known_param(raw_name)? else {
            continue;
        };
        let slot = match name {
            "secret" => {
                let v = Zeroizing::new(decode_query_value(raw_value, name)?);
                set_once(&mut p.secret, name, v)?;
                continue;
            }
            "issuer" => &mut p.issuer,
            "algorithm" => &mut p.values.algorithm,
            "digits" => &mut p.values.digits,
            "period" => &mut p.values.period,
            "counter" => &mut p.values.counter,
            _ => &mut p.values.encoder,
        };
        set_once(slot, name, decode_query_value(raw_value, name)?)?;
    }
    Ok(p)
}

/// A decimal number: ASCII digits only (no sign, no spaces), at most u64.
fn parse_number(value: &str, name: &'static str, expected: &'static str) -> Result<u64, Error> {
    let bad = || Error::InvalidParameter {
        name,
        value: excerpt(value),
        expected,
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    value.parse::<u64>().map_err(|_| bad())
}

/// The issuer: the parameter wins over the label prefix (a mismatch is a warning); an empty
/// parameter counts as absent.
fn resolve_issuer(
    label: Option<String>,
    parameter: Option<String>,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    match (label, parameter.filter(|s| !s.is_empty())) {
        (Some(label), Some(parameter)) => {
            if label != parameter {
                warnings.push(Warning::IssuerMismatch {
                    label,
                    parameter: parameter.clone(),
                });
            }
            Some(parameter)
        }
        (label, parameter) => parameter.or(label),
    }
}

/// The secret: required, lenient base32, short secrets accepted (with a warning, later).
fn parse_secret(text: Option<Zeroizing<String>>) -> Result<Secret, Error> {
    let text = text.ok_or(Error::MissingSecret)?;
    if text.trim().is_empty() {
        return Err(Error::MissingSecret);
    }
    iamkit_otp::insecure::secret_from_base32(&text).map_err(Error::InvalidSecret)
}

/// The values that decide the codes, each checked on its own.
struct Values {
    algorithm: Option<Algorithm>,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
    steam_encoder: bool,
}

impl Values {
    fn parse(raw: &RawValues) -> Result<Values, Error> {
        let algorithm = match &raw.algorithm {
            Some(a) => Some(
                a.parse::<Algorithm>()
                    .map_err(|_| Error::UnknownAlgorithm { found: excerpt(a) })?,
            ),
            None => None,
        };
        let digits = match &raw.digits {
            Some(d) => {
                let n = parse_number(d, "digits", DIGITS_EXPECTED)?;
                Some(u32::try_from(n).map_err(|_| Error::InvalidParameter {
                    name: "digits",
                    value: excerpt(d),
                    expected: DIGITS_EXPECTED,
                })?)
            }
            None => None,
        };
        let period = match &raw.period {
            Some(p) => {
                let n = parse_number(p, "period", PERIOD_EXPECTED)?;
                if n == 0 || n > MAX_PERIOD {
                    return Err(Error::InvalidParameter {
                        name: "period",
                        value: excerpt(p),
                        expected: PERIOD_EXPECTED,
                    });
                }
                Some(n)
            }
            None => None,
        };
        let counter = match &raw.counter {
            Some(c) => Some(parse_number(c, "counter", "a non-negative integer")?),
            None => None,
        };
        let steam_encoder = match &raw.encoder {
            Some(e) if e.eq_ignore_ascii_case("steam") => true,
            Some(e) => {
                return Err(Error::InvalidParameter {
                    name: "encoder",
                    value: excerpt(e),
                    expected: "steam (or no encoder)",
                });
            }
            None => false,
        };
        Ok(Values {
            algorithm,
            digits,
            period,
            counter,
            steam_encoder,
        })
    }
}

/// Steam detection: the host, `encoder=steam`, or the issuer `Steam` with 5 digits.
fn resolve_kind(host: Kind, values: &Values, issuer: Option<&str>) -> Result<Kind, Error> {
    let steam_issuer = issuer.is_some_and(|i| i.eq_ignore_ascii_case("steam"))
        && values.digits == Some(STEAM_DIGITS);
    match host {
        Kind::Hotp if values.steam_encoder => Err(Error::InvalidParameter {
            name: "encoder",
            value: "steam".to_owned(),
            expected: "no encoder on an HOTP URI (Steam codes are time-based)",
        }),
        Kind::Totp if values.steam_encoder || steam_issuer => Ok(Kind::Steam),
        k => Ok(k),
    }
}

/// The values as [`Params`] of `kind` plus the HOTP counter: Steam's fixed values win over
/// what the URI says (with a warning), HOTP needs a counter, parameters a kind does not use are
/// ignored with a warning.
fn resolve_params(
    kind: Kind,
    values: &Values,
    warnings: &mut Vec<Warning>,
) -> Result<(Params, Option<u64>), Error> {
    let mut ignored =
        |parameter, reason| warnings.push(Warning::IgnoredParameter { parameter, reason });
    let mut builder = Params::builder(kind);
    let counter = match kind {
        Kind::Steam => {
            if values.digits.is_some_and(|d| d != STEAM_DIGITS) {
                ignored("digits", STEAM_FIXED);
            }
            if values
                .algorithm
                .is_some_and(|a| a != Params::DEFAULT_ALGORITHM)
            {
                ignored("algorithm", STEAM_FIXED);
            }
            if values.period.is_some_and(|p| p != Params::DEFAULT_PERIOD) {
                ignored("period", STEAM_FIXED);
            }
            if values.counter.is_some() {
                ignored("counter", "Steam Guard codes are time-based");
            }
            None
        }
        Kind::Totp | Kind::Hotp => {
            let digits = values.digits.unwrap_or(Params::DEFAULT_DIGITS);
            if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
                return Err(Error::InvalidParameter {
                    name: "digits",
                    value: digits.to_string(),
                    expected: "6 to 10 (5 only for Steam)",
                });
            }
            builder = builder.digits(digits);
            if let Some(a) = values.algorithm {
                builder = builder.algorithm(a);
            }
            if kind == Kind::Hotp {
                if values.period.is_some() {
                    ignored("period", "HOTP codes are counter-based");
                }
                Some(values.counter.ok_or(Error::MissingCounter)?)
            } else {
                if values.counter.is_some() {
                    ignored("counter", "TOTP codes are time-based");
                }
                if let Some(p) = values.period {
                    builder = builder.period(p);
                }
                None
            }
        }
    };
    // Every value was checked against the same bounds above: this cannot fail.
    Ok((builder.build()?, counter))
}
