//! Building `otpauth://` URIs strictly: [`OtpAuthUriBuilder`], and the URI text of an
//! [`OtpAuthUri`].

use iamkit_otp::{
    Algorithm, Kind, MAX_DIGITS, MAX_PERIOD, MIN_DIGITS, Params, STEAM_DIGITS, Secret,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::error::LabelField;
use crate::parse::PERIOD_EXPECTED;
use crate::{Error, OtpAuthUri};

/// Characters left as they are in a query value: RFC 3986 unreserved.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Characters left as they are in a label half: unreserved and `@` (as e-mail addresses read).
const LABEL: &AsciiSet = &QUERY_VALUE.remove(b'@');

impl OtpAuthUri {
    /// Starts a TOTP URI (the defaults of [`Params`] unless changed).
    pub fn totp(secret: Secret, account: impl Into<String>) -> OtpAuthUriBuilder {
        OtpAuthUriBuilder::new(Kind::Totp, secret, account.into(), None)
    }

    /// Starts an HOTP URI at `counter`.
    pub fn hotp(secret: Secret, account: impl Into<String>, counter: u64) -> OtpAuthUriBuilder {
        OtpAuthUriBuilder::new(Kind::Hotp, secret, account.into(), Some(counter))
    }

    /// Starts a Steam Guard URI (issuer `Steam` unless changed). It is written as
    /// `otpauth://totp/…&digits=5&encoder=steam`, which Steam-aware apps recognise and others
    /// read as a TOTP account with the right secret.
    pub fn steam(secret: Secret, account: impl Into<String>) -> OtpAuthUriBuilder {
        let mut b = OtpAuthUriBuilder::new(Kind::Steam, secret, account.into(), None);
        b.issuer = Some("Steam".to_owned());
        b
    }

    /// Starts a URI for `params` (an HOTP one at counter 0 unless
    /// [`OtpAuthUriBuilder::counter`] says otherwise). [`OtpAuthUriBuilder::build`] still
    /// refuses what the format cannot hold (Steam other than SHA1 / 30 seconds); a T0 other
    /// than 0 is kept with a [`crate::Warning::T0NotExpressible`].
    ///
    /// ```
    /// use iamkit_otp::{Kind, Params, Secret};
    /// use iamkit_otpauth::OtpAuthUri;
    /// let params = Params::builder(Kind::Totp).digits(8).period(60).build()?;
    /// let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// let uri = OtpAuthUri::builder(params, secret, "alice").build()?;
    /// assert_eq!(OtpAuthUri::parse(&uri.to_uri())?.params(), params);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(
        params: Params,
        secret: Secret,
        account: impl Into<String>,
    ) -> OtpAuthUriBuilder {
        let kind = params.kind();
        let counter = (kind == Kind::Hotp).then_some(0);
        let mut b = OtpAuthUriBuilder::new(kind, secret, account.into(), counter);
        b.algorithm = params.algorithm();
        b.digits = Some(params.digits());
        b.period = kind.is_time_based().then(|| params.period());
        b.t0 = params.t0();
        b
    }

    /// The URI, in the strict form described in [`OtpAuthUri`]'s docs.
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
        s.push_str(match self.kind() {
            Kind::Hotp => "hotp",
            Kind::Totp | Kind::Steam => "totp",
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
        if self.algorithm() != Params::DEFAULT_ALGORITHM {
            s.push_str("&algorithm=");
            s.push_str(self.algorithm().as_str());
        }
        if self.digits() != Params::DEFAULT_DIGITS {
            s.push_str("&digits=");
            s.push_str(&self.digits().to_string());
        }
        if let Some(period) = self.period().filter(|p| *p != Params::DEFAULT_PERIOD) {
            s.push_str("&period=");
            s.push_str(&period.to_string());
        }
        if let Some(counter) = self.counter {
            s.push_str("&counter=");
            s.push_str(&counter.to_string());
        }
        if self.kind() == Kind::Steam {
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
        let mut b = OtpAuthUri::builder(self.params, self.secret.clone(), self.account.clone());
        b.issuer = self.issuer.clone();
        b.counter = self.counter;
        b.build()
    }
}

/// Builds an [`OtpAuthUri`] strictly. Start with [`OtpAuthUri::totp`], [`OtpAuthUri::hotp`],
/// [`OtpAuthUri::steam`] or, from [`Params`], [`OtpAuthUri::builder`].
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
    kind: Kind,
    secret: Secret,
    account: String,
    issuer: Option<String>,
    algorithm: Algorithm,
    digits: Option<u32>,
    period: Option<u64>,
    t0: u64,
    counter: Option<u64>,
}

impl OtpAuthUriBuilder {
    fn new(kind: Kind, secret: Secret, account: String, counter: Option<u64>) -> Self {
        OtpAuthUriBuilder {
            kind,
            secret,
            account,
            issuer: None,
            algorithm: Params::DEFAULT_ALGORITHM,
            digits: None,
            period: None,
            t0: Params::DEFAULT_T0,
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

    /// The HOTP counter (refused for TOTP and Steam).
    pub fn counter(mut self, counter: u64) -> Self {
        self.counter = Some(counter);
        self
    }

    /// TOTP start time T0 (default 0). An `otpauth://` URI cannot carry it: a T0 other than 0
    /// is kept in [`OtpAuthUri::params`] and reported as a [`crate::Warning::T0NotExpressible`].
    pub fn t0(mut self, t0: u64) -> Self {
        self.t0 = t0;
        self
    }

    /// Checks everything and builds.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for an issuer or account containing `:` (the label separator),
    /// starting with whitespace (readers trim it), an empty account or issuer, or control
    /// characters; [`Error::InvalidParameter`] for digits outside 6 to 10, a period outside 1 to
    /// 86400 seconds, a period on HOTP, a counter on TOTP or Steam, or Steam with other
    /// digits/algorithm/period; [`Error::Otp`] for a T0 after [`iamkit_otp::MAX_T0`].
    pub fn build(self) -> Result<OtpAuthUri, Error> {
        check_label(&self.account, LabelField::Account)?;
        if let Some(issuer) = &self.issuer {
            check_label(issuer, LabelField::Issuer)?;
        }
        let mut params = Params::builder(self.kind).t0(self.t0);
        match self.kind {
            Kind::Steam => {
                if self.digits.is_some_and(|d| d != STEAM_DIGITS) {
                    return Err(invalid_param("digits", self.digits, "5 for Steam"));
                }
                if self.algorithm != Params::DEFAULT_ALGORITHM {
                    return Err(Error::InvalidParameter {
                        name: "algorithm",
                        value: self.algorithm.as_str().to_owned(),
                        expected: "SHA1 for Steam",
                    });
                }
                if self.period.is_some_and(|p| p != Params::DEFAULT_PERIOD) {
                    return Err(invalid_param("period", self.period, "30 for Steam"));
                }
            }
            Kind::Totp | Kind::Hotp => {
                let digits = self.digits.unwrap_or(Params::DEFAULT_DIGITS);
                if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
                    return Err(invalid_param("digits", Some(digits), "6 to 10"));
                }
                params = params.algorithm(self.algorithm).digits(digits);
                if self.kind == Kind::Hotp {
                    if self.period.is_some() {
                        return Err(invalid_param("period", self.period, "no period for HOTP"));
                    }
                } else {
                    let p = self.period.unwrap_or(Params::DEFAULT_PERIOD);
                    if p == 0 || p > MAX_PERIOD {
                        return Err(invalid_param("period", Some(p), PERIOD_EXPECTED));
                    }
                    params = params.period(p);
                }
            }
        }
        if self.kind != Kind::Hotp && self.counter.is_some() {
            return Err(invalid_param(
                "counter",
                self.counter,
                "no counter for TOTP or Steam",
            ));
        }
        Ok(OtpAuthUri::new(
            params.build()?,
            self.issuer,
            self.account,
            self.secret,
            self.counter,
            Vec::new(),
        ))
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
