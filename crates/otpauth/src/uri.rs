//! `otpauth://` enrollment URIs (Google Authenticator's Key URI format): parse leniently, build
//! strictly.
//!
//! ```
//! use iamkit_otpauth::{OtpAuthUri, OtpType};
//! let uri = OtpAuthUri::parse(
//!     "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=jbswy3dpehpk3pxp&issuer=Big%20Corporation",
//! )?;
//! assert_eq!(uri.otp_type(), OtpType::Totp);
//! assert_eq!(uri.issuer(), Some("Big Corporation"));
//! assert_eq!(uri.account(), "alice@bigco.com");
//! let totp = uri.to_totp()?; // an iamkit-otp generator
//! assert_eq!(totp.generate(59).as_str().len(), 6);
//! // An 80-bit secret is accepted, with a warning.
//! assert_eq!(uri.warnings().len(), 1);
//! # Ok::<(), iamkit_otpauth::Error>(())
//! ```
//!
//! Rules applied when parsing (each has a named test):
//! - scheme, host (type) and parameter names in any case; unknown parameters ignored;
//! - the label separator is the first raw `:` or `%3A`; each half is percent-decoded once and
//!   its leading spaces trimmed; `+` in the label is a literal plus, `+` in a parameter value a
//!   space (form encoding);
//! - the `issuer` parameter wins over the label prefix; a mismatch is a [`Warning`];
//! - the secret may be lower case, padded (`=` or `%3D`), with spaces or dashes;
//! - a repeated security parameter, a missing secret, `period=0`, an HOTP URI without
//!   `counter`, an unknown algorithm or encoder are errors;
//! - Steam Guard: `otpauth://steam/…`, `encoder=steam`, or the issuer `Steam` with `digits=5`.
//!
//! Building emits `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…` with `%20` for spaces, the
//! secret in upper-case base32 without padding, then `algorithm`, `digits`, `period` only when
//! they differ from the defaults (SHA1, 6, 30), and `counter` for HOTP.

use core::fmt;

use iamkit_otp::{Algorithm, Hotp, Secret, Totp};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;
use crate::error::{LabelField, excerpt};

/// Default number of digits.
pub const DEFAULT_DIGITS: u32 = 6;
/// What a `period` must be: at least a second, at most a day ([`iamkit_otp::MAX_PERIOD`]).
const PERIOD_EXPECTED: &str = "a number of seconds, 1 to 86400 (a day)";

/// Default TOTP period, in seconds.
pub const DEFAULT_PERIOD: u64 = 30;
/// Fewest digits accepted (Steam aside).
pub const MIN_DIGITS: u32 = 6;
/// Most digits accepted.
pub const MAX_DIGITS: u32 = 10;
/// Number of characters of a Steam Guard code.
pub const STEAM_DIGITS: u32 = 5;
/// Secrets shorter than this (in bits) are accepted with a [`Warning::ShortSecret`].
pub const RECOMMENDED_SECRET_BITS: usize = 128;

/// Characters left as they are in a query value: RFC 3986 unreserved.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Characters left as they are in a label half: unreserved and `@` (as e-mail addresses read).
const LABEL: &AsciiSet = &QUERY_VALUE.remove(b'@');

/// The kind of one-time password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpType {
    /// Time-based (RFC 6238).
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: TOTP, SHA1, 30 seconds, 5 characters from Steam's alphabet.
    Steam,
}

impl OtpType {
    /// `"totp"`, `"hotp"` or `"steam"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OtpType::Totp => "totp",
            OtpType::Hotp => "hotp",
            OtpType::Steam => "steam",
        }
    }
}

impl fmt::Display for OtpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something worth telling the user about a URI that is nevertheless usable.
///
/// `Display` gives one sentence, suitable for a list of warnings (`iamkit otp parse`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The secret is shorter than [`RECOMMENDED_SECRET_BITS`].
    ShortSecret {
        /// Its length in bits.
        bits: usize,
    },
    /// The label's issuer prefix and the `issuer` parameter differ; the parameter is used.
    IssuerMismatch {
        /// The issuer in the label.
        label: String,
        /// The `issuer` parameter (the one used).
        parameter: String,
    },
    /// A parameter with a non-default value that Google Authenticator (and other apps) are
    /// documented to ignore, so they would show different codes.
    IgnoredByGoogleAuthenticator {
        /// `algorithm`, `digits` or `period`.
        parameter: &'static str,
        /// Its value, as emitted.
        value: String,
    },
    /// A parameter that makes no sense for this type and was ignored (e.g. `period` on HOTP).
    IgnoredParameter {
        /// Its name, lower case.
        parameter: &'static str,
        /// Why it is ignored.
        reason: &'static str,
    },
    /// Migration export: the account's TOTP period is not 30 seconds, and the migration format
    /// has no period field; importers will use 30 seconds.
    PeriodNotExportable {
        /// The account's name.
        account: String,
        /// Its period, in seconds.
        period: u64,
    },
    /// Migration export: the migration format only has 6 or 8 digits; importers will use 6.
    DigitsNotExportable {
        /// The account's name.
        account: String,
        /// Its number of digits.
        digits: u32,
    },
    /// Migration export: the migration format has no Steam type; the account is exported as a
    /// plain TOTP account (same secret), which will not show Steam codes.
    SteamNotExportable {
        /// The account's name.
        account: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits long (RFC 4226 asks for at least {RECOMMENDED_SECRET_BITS})"
            ),
            Warning::IssuerMismatch { label, parameter } => write!(
                f,
                "the issuer parameter {parameter:?} differs from the label's issuer {label:?}; using {parameter:?}"
            ),
            Warning::IgnoredByGoogleAuthenticator { parameter, value } => write!(
                f,
                "{parameter}={value} is not the default; Google Authenticator and some other apps ignore it and would show wrong codes"
            ),
            Warning::IgnoredParameter { parameter, reason } => {
                write!(f, "the {parameter} parameter is ignored: {reason}")
            }
            Warning::PeriodNotExportable { account, period } => write!(
                f,
                "account {account:?}: the migration format has no period, so its {period}-second period is lost (importers use 30 seconds)"
            ),
            Warning::DigitsNotExportable { account, digits } => write!(
                f,
                "account {account:?}: the migration format cannot express {digits} digits (only 6 or 8); importers use 6"
            ),
            Warning::SteamNotExportable { account } => write!(
                f,
                "account {account:?}: the migration format has no Steam type; exported as a plain TOTP account"
            ),
        }
    }
}

/// An `iamkit-otp` generator/verifier made from a URI: TOTP (also Steam) or HOTP.
#[derive(Debug, Clone)]
pub enum Generator {
    /// Time-based (Steam included: see [`Totp::is_steam`]).
    Totp(Totp),
    /// Counter-based; the URI's counter is in [`OtpAuthUri::counter`].
    Hotp(Hotp),
}

/// A parsed or built `otpauth://` URI: everything needed to make codes, plus its warnings.
///
/// `Debug` redacts the secret; there is no `Display` (the URI contains the secret): use
/// [`OtpAuthUri::to_uri`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpAuthUri {
    otp_type: OtpType,
    issuer: Option<String>,
    account: String,
    secret: Secret,
    algorithm: Algorithm,
    digits: u32,
    period: Option<u64>,
    counter: Option<u64>,
    warnings: Vec<Warning>,
}

impl OtpAuthUri {
    /// Starts a TOTP URI (SHA1, 6 digits, 30 seconds unless changed).
    pub fn totp(secret: Secret, account: impl Into<String>) -> OtpAuthUriBuilder {
        OtpAuthUriBuilder::new(OtpType::Totp, secret, account.into(), None)
    }

    /// Starts an HOTP URI at `counter`.
    pub fn hotp(secret: Secret, account: impl Into<String>, counter: u64) -> OtpAuthUriBuilder {
        OtpAuthUriBuilder::new(OtpType::Hotp, secret, account.into(), Some(counter))
    }

    /// Starts a Steam Guard URI (issuer `Steam` unless changed). It is written as
    /// `otpauth://totp/…&digits=5&encoder=steam`, which Steam-aware apps recognise and others
    /// read as a TOTP account with the right secret.
    pub fn steam(secret: Secret, account: impl Into<String>) -> OtpAuthUriBuilder {
        let mut b = OtpAuthUriBuilder::new(OtpType::Steam, secret, account.into(), None);
        b.issuer = Some("Steam".to_owned());
        b
    }

    /// Parses an `otpauth://` URI leniently (see the module docs for the rules). Surrounding
    /// whitespace is ignored.
    ///
    /// # Errors
    /// A clear [`Error`] naming the offending part; never the secret.
    pub fn parse(uri: &str) -> Result<OtpAuthUri, Error> {
        parse(uri)
    }

    /// The kind of OTP.
    pub fn otp_type(&self) -> OtpType {
        self.otp_type
    }

    /// The issuer: the `issuer` parameter, else the label prefix, else `None`.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name (the label after the issuer prefix).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The shared secret.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The HMAC algorithm (SHA1 for Steam).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Number of digits (5 for Steam, meaning 5 characters).
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// TOTP/Steam period in seconds; `None` for HOTP.
    pub fn period(&self) -> Option<u64> {
        self.period
    }

    /// HOTP counter; `None` for TOTP/Steam.
    pub fn counter(&self) -> Option<u64> {
        self.counter
    }

    /// What the user should know: short secret, issuer mismatch, parameters some apps ignore…
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The URI, in the strict form described in the module docs.
    ///
    /// A URI that was parsed leniently may hold an issuer or account that [`OtpAuthUriBuilder`]
    /// would refuse (a `:` in it, a leading space): it is emitted percent-encoded, and reads back
    /// the same except for such a label. Use [`OtpAuthUri::rebuild`] to check.
    pub fn to_uri(&self) -> Zeroizing<String> {
        // Reserve enough up front (percent-encoding at most triples a byte) so the string never
        // reallocates and leaves an unwiped copy of the secret behind.
        let issuer_len = self.issuer.as_ref().map_or(0, String::len);
        let capacity =
            160 + 3 * (2 * issuer_len + self.account.len()) + self.secret.len_bits() / 5 + 1;
        let mut s = Zeroizing::new(String::with_capacity(capacity));
        let reserved = s.capacity();
        s.push_str("otpauth://");
        s.push_str(match self.otp_type {
            OtpType::Hotp => "hotp",
            OtpType::Totp | OtpType::Steam => "totp",
        });
        s.push('/');
        if let Some(issuer) = &self.issuer {
            s.extend(utf8_percent_encode(issuer, LABEL));
            s.push(':');
        }
        s.extend(utf8_percent_encode(&self.account, LABEL));
        s.push_str("?secret=");
        s.push_str(&self.secret.to_base32());
        if let Some(issuer) = &self.issuer {
            s.push_str("&issuer=");
            s.extend(utf8_percent_encode(issuer, QUERY_VALUE));
        }
        if self.algorithm != Algorithm::Sha1 {
            s.push_str("&algorithm=");
            s.push_str(self.algorithm.as_str());
        }
        if self.digits != DEFAULT_DIGITS {
            s.push_str("&digits=");
            s.push_str(&self.digits.to_string());
        }
        if let Some(period) = self.period.filter(|p| *p != DEFAULT_PERIOD) {
            s.push_str("&period=");
            s.push_str(&period.to_string());
        }
        if let Some(counter) = self.counter {
            s.push_str("&counter=");
            s.push_str(&counter.to_string());
        }
        if self.otp_type == OtpType::Steam {
            s.push_str("&encoder=steam");
        }
        debug_assert_eq!(s.capacity(), reserved, "to_uri reallocated");
        s
    }

    /// Builds this URI again through the strict builder (same fields): what a parsed URI would
    /// become if re-issued. Fails where the builder refuses the label.
    ///
    /// # Errors
    /// As [`OtpAuthUriBuilder::build`].
    pub fn rebuild(&self) -> Result<OtpAuthUri, Error> {
        let mut b = OtpAuthUriBuilder::new(
            self.otp_type,
            self.secret.clone(),
            self.account.clone(),
            self.counter,
        );
        b.issuer = self.issuer.clone();
        b.algorithm = self.algorithm;
        b.digits = Some(self.digits);
        b.period = self.period;
        b.build()
    }

    /// The matching `iamkit-otp` generator/verifier.
    ///
    /// # Errors
    /// [`Error::Otp`] if `iamkit-otp` refuses the parameters (cannot happen for a URI that
    /// parsed or built).
    pub fn to_generator(&self) -> Result<Generator, Error> {
        match self.otp_type {
            OtpType::Hotp => Ok(Generator::Hotp(
                Hotp::builder(self.secret.clone())
                    .algorithm(self.algorithm)
                    .digits(self.digits)
                    .build()?,
            )),
            OtpType::Totp => Ok(Generator::Totp(
                Totp::builder(self.secret.clone())
                    .algorithm(self.algorithm)
                    .digits(self.digits)
                    .period(self.period.unwrap_or(DEFAULT_PERIOD))
                    .build()?,
            )),
            OtpType::Steam => Ok(Generator::Totp(
                Totp::builder(self.secret.clone()).steam().build()?,
            )),
        }
    }

    /// The TOTP generator (also for Steam).
    ///
    /// # Errors
    /// [`Error::WrongType`] for an HOTP URI.
    pub fn to_totp(&self) -> Result<Totp, Error> {
        match self.to_generator()? {
            Generator::Totp(t) => Ok(t),
            Generator::Hotp(_) => Err(Error::WrongType {
                expected: "totp",
                found: "hotp",
            }),
        }
    }

    /// The HOTP generator; start from [`OtpAuthUri::counter`].
    ///
    /// # Errors
    /// [`Error::WrongType`] for a TOTP or Steam URI.
    pub fn to_hotp(&self) -> Result<Hotp, Error> {
        match self.to_generator()? {
            Generator::Hotp(h) => Ok(h),
            Generator::Totp(_) => Err(Error::WrongType {
                expected: "hotp",
                found: self.otp_type.as_str(),
            }),
        }
    }

    /// For the migration importer: fields already checked, label taken as given.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        otp_type: OtpType,
        issuer: Option<String>,
        account: String,
        secret: Secret,
        algorithm: Algorithm,
        digits: u32,
        period: Option<u64>,
        counter: Option<u64>,
    ) -> OtpAuthUri {
        let mut uri = OtpAuthUri {
            otp_type,
            issuer,
            account,
            secret,
            algorithm,
            digits,
            period,
            counter,
            warnings: Vec::new(),
        };
        uri.add_field_warnings();
        uri
    }

    /// Warnings that follow from the fields alone.
    fn add_field_warnings(&mut self) {
        let bits = self.secret.len_bits();
        if bits < RECOMMENDED_SECRET_BITS {
            self.warnings.push(Warning::ShortSecret { bits });
        }
        if self.otp_type == OtpType::Steam {
            return;
        }
        if self.algorithm != Algorithm::Sha1 {
            self.warnings.push(Warning::IgnoredByGoogleAuthenticator {
                parameter: "algorithm",
                value: self.algorithm.as_str().to_owned(),
            });
        }
        if self.digits != DEFAULT_DIGITS {
            self.warnings.push(Warning::IgnoredByGoogleAuthenticator {
                parameter: "digits",
                value: self.digits.to_string(),
            });
        }
        if let Some(p) = self.period.filter(|p| *p != DEFAULT_PERIOD) {
            self.warnings.push(Warning::IgnoredByGoogleAuthenticator {
                parameter: "period",
                value: p.to_string(),
            });
        }
    }
}

/// Builds an [`OtpAuthUri`] strictly. Start with [`OtpAuthUri::totp`], [`OtpAuthUri::hotp`] or
/// [`OtpAuthUri::steam`].
///
/// ```
/// use iamkit_otp::Secret;
/// use iamkit_otpauth::OtpAuthUri;
/// let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
/// let uri = OtpAuthUri::totp(secret, "alice@example.com").issuer("Example Co").build()?;
/// assert_eq!(
///     &*uri.to_uri(),
///     "otpauth://totp/Example%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Co"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct OtpAuthUriBuilder {
    otp_type: OtpType,
    secret: Secret,
    account: String,
    issuer: Option<String>,
    algorithm: Algorithm,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
}

impl OtpAuthUriBuilder {
    fn new(otp_type: OtpType, secret: Secret, account: String, counter: Option<u64>) -> Self {
        OtpAuthUriBuilder {
            otp_type,
            secret,
            account,
            issuer: None,
            algorithm: Algorithm::Sha1,
            digits: None,
            period: None,
            counter,
        }
    }

    /// The issuer (service name), written both as the label prefix and the `issuer` parameter.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The HMAC algorithm (default SHA1; Steam requires SHA1).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Number of digits, 6 to 10 (default 6; Steam requires 5).
    pub fn digits(mut self, digits: u32) -> Self {
        self.digits = Some(digits);
        self
    }

    /// TOTP period in seconds (default 30; refused for HOTP; Steam requires 30).
    pub fn period(mut self, period: u64) -> Self {
        self.period = Some(period);
        self
    }

    /// Checks everything and builds.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for an issuer or account containing `:` (the label separator),
    /// starting with whitespace (readers trim it), an empty account or issuer, or control
    /// characters; [`Error::InvalidParameter`] for digits outside 6 to 10, a period outside 1 to
    /// 86400 seconds, a
    /// period on HOTP, or Steam with other digits/algorithm/period.
    pub fn build(self) -> Result<OtpAuthUri, Error> {
        check_label(&self.account, LabelField::Account)?;
        if let Some(issuer) = &self.issuer {
            check_label(issuer, LabelField::Issuer)?;
        }
        let (digits, period) = match self.otp_type {
            OtpType::Steam => {
                if self.digits.is_some_and(|d| d != STEAM_DIGITS) {
                    return Err(invalid_param("digits", self.digits, "5 for Steam"));
                }
                if self.algorithm != Algorithm::Sha1 {
                    return Err(Error::InvalidParameter {
                        name: "algorithm",
                        value: self.algorithm.as_str().to_owned(),
                        expected: "SHA1 for Steam",
                    });
                }
                if self.period.is_some_and(|p| p != DEFAULT_PERIOD) {
                    return Err(invalid_param("period", self.period, "30 for Steam"));
                }
                (STEAM_DIGITS, Some(DEFAULT_PERIOD))
            }
            OtpType::Totp | OtpType::Hotp => {
                let digits = self.digits.unwrap_or(DEFAULT_DIGITS);
                if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
                    return Err(invalid_param("digits", Some(digits), "6 to 10"));
                }
                let period = if self.otp_type == OtpType::Hotp {
                    if self.period.is_some() {
                        return Err(invalid_param("period", self.period, "no period for HOTP"));
                    }
                    None
                } else {
                    let p = self.period.unwrap_or(DEFAULT_PERIOD);
                    if p == 0 || p > iamkit_otp::MAX_PERIOD {
                        return Err(invalid_param("period", Some(p), PERIOD_EXPECTED));
                    }
                    Some(p)
                };
                (digits, period)
            }
        };
        let uri = OtpAuthUri::from_parts(
            self.otp_type,
            self.issuer,
            self.account,
            self.secret,
            self.algorithm,
            digits,
            period,
            self.counter,
        );
        debug_assert!(uri.to_generator().is_ok());
        Ok(uri)
    }
}

fn invalid_param<T: ToString>(
    name: &'static str,
    value: Option<T>,
    expected: &'static str,
) -> Error {
    Error::InvalidParameter {
        name,
        value: value.map(|v| v.to_string()).unwrap_or_default(),
        expected,
    }
}

fn check_label(s: &str, field: LabelField) -> Result<(), Error> {
    let reason = if s.is_empty() {
        Some("is empty")
    } else if s.contains(':') {
        Some("contains ':', the separator between issuer and account")
    } else if s.starts_with(char::is_whitespace) {
        Some("starts with whitespace, which readers remove")
    } else if s.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidLabel { field, reason }),
        None => Ok(()),
    }
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

#[derive(Default)]
struct Params {
    secret: Option<Zeroizing<String>>,
    issuer: Option<String>,
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

fn parse_params(query: &str) -> Result<Params, Error> {
    let mut p = Params::default();
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
            "algorithm" => &mut p.algorithm,
            "digits" => &mut p.digits,
            "period" => &mut p.period,
            "counter" => &mut p.counter,
            _ => &mut p.encoder,
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

fn parse(uri: &str) -> Result<OtpAuthUri, Error> {
    let uri = uri.trim();
    let rest = strip_prefix_ci(uri, "otpauth://").ok_or(Error::InvalidScheme {
        expected: "otpauth://",
    })?;
    // A fragment is not part of the key URI.
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, raw_label) = before_query.split_once('/').unwrap_or((before_query, ""));
    let host_type = match host.to_ascii_lowercase().as_str() {
        "totp" => OtpType::Totp,
        "hotp" => OtpType::Hotp,
        "steam" => OtpType::Steam,
        _ => {
            return Err(Error::UnknownType {
                found: excerpt(host),
            });
        }
    };
    let (label_issuer, account) = split_label(raw_label)?;
    let params = parse_params(query)?;
    let mut warnings = Vec::new();

    // Issuer: the parameter wins; an empty parameter counts as absent.
    let param_issuer = params.issuer.filter(|s| !s.is_empty());
    let issuer = match (label_issuer, param_issuer) {
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
    };

    // Secret.
    let secret_text = params.secret.ok_or(Error::MissingSecret)?;
    if secret_text.trim().is_empty() {
        return Err(Error::MissingSecret);
    }
    let secret =
        iamkit_otp::insecure::secret_from_base32(&secret_text).map_err(Error::InvalidSecret)?;
    drop(secret_text);

    let algorithm = match &params.algorithm {
        Some(a) => a
            .parse::<Algorithm>()
            .map_err(|_| Error::UnknownAlgorithm { found: excerpt(a) })?,
        None => Algorithm::Sha1,
    };
    let digits = match &params.digits {
        Some(d) => {
            let n = parse_number(d, "digits", "a number of digits, 6 to 10 (5 for Steam)")?;
            Some(u32::try_from(n).map_err(|_| Error::InvalidParameter {
                name: "digits",
                value: excerpt(d),
                expected: "a number of digits, 6 to 10 (5 for Steam)",
            })?)
        }
        None => None,
    };
    let period = match &params.period {
        Some(p) => {
            let n = parse_number(p, "period", PERIOD_EXPECTED)?;
            if n == 0 || n > iamkit_otp::MAX_PERIOD {
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
    let counter = match &params.counter {
        Some(c) => Some(parse_number(c, "counter", "a non-negative integer")?),
        None => None,
    };

    // Steam detection: host, encoder, or issuer Steam with 5 digits.
    let steam_encoder = match &params.encoder {
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
    let steam_issuer = issuer
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case("steam"))
        && digits == Some(STEAM_DIGITS);
    let otp_type = match host_type {
        OtpType::Hotp if steam_encoder => {
            return Err(Error::InvalidParameter {
                name: "encoder",
                value: "steam".to_owned(),
                expected: "no encoder on an HOTP URI (Steam codes are time-based)",
            });
        }
        OtpType::Totp if steam_encoder || steam_issuer => OtpType::Steam,
        t => t,
    };

    let (digits, period, counter) = match otp_type {
        OtpType::Steam => {
            const STEAM_FIXED: &str = "Steam Guard codes are always SHA1, 5 characters, 30 seconds";
            if digits.is_some_and(|d| d != STEAM_DIGITS) {
                warnings.push(Warning::IgnoredParameter {
                    parameter: "digits",
                    reason: STEAM_FIXED,
                });
            }
            if algorithm != Algorithm::Sha1 {
                warnings.push(Warning::IgnoredParameter {
                    parameter: "algorithm",
                    reason: STEAM_FIXED,
                });
            }
            if period.is_some_and(|p| p != DEFAULT_PERIOD) {
                warnings.push(Warning::IgnoredParameter {
                    parameter: "period",
                    reason: STEAM_FIXED,
                });
            }
            if counter.is_some() {
                warnings.push(Warning::IgnoredParameter {
                    parameter: "counter",
                    reason: "Steam Guard codes are time-based",
                });
            }
            (STEAM_DIGITS, Some(DEFAULT_PERIOD), None)
        }
        OtpType::Totp | OtpType::Hotp => {
            let d = digits.unwrap_or(DEFAULT_DIGITS);
            if !(MIN_DIGITS..=MAX_DIGITS).contains(&d) {
                return Err(Error::InvalidParameter {
                    name: "digits",
                    value: d.to_string(),
                    expected: "6 to 10 (5 only for Steam)",
                });
            }
            if otp_type == OtpType::Hotp {
                let counter = counter.ok_or(Error::MissingCounter)?;
                if period.is_some() {
                    warnings.push(Warning::IgnoredParameter {
                        parameter: "period",
                        reason: "HOTP codes are counter-based",
                    });
                }
                (d, None, Some(counter))
            } else {
                if counter.is_some() {
                    warnings.push(Warning::IgnoredParameter {
                        parameter: "counter",
                        reason: "TOTP codes are time-based",
                    });
                }
                (d, Some(period.unwrap_or(DEFAULT_PERIOD)), None)
            }
        }
    };
    let algorithm = if otp_type == OtpType::Steam {
        Algorithm::Sha1
    } else {
        algorithm
    };

    let mut out = OtpAuthUri {
        otp_type,
        issuer,
        account,
        secret,
        algorithm,
        digits,
        period,
        counter,
        warnings,
    };
    out.add_field_warnings();
    // Every field was checked against what iamkit-otp accepts, so `to_generator` cannot fail
    // (the otpauth_uri fuzz target and the property tests check it).
    debug_assert!(out.to_generator().is_ok());
    Ok(out)
}
