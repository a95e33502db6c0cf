//! [`OtpAuthUri`]: an enrollment URI as data: [`Params`], the label, the secret, the HOTP
//! counter and the warnings. Parsing is in `parse`, building (the builder and the URI text) in
//! `build`.

use iamkit_otp::{Algorithm, Generator, Hotp, Kind, Params, Secret, Totp};

use crate::{Error, Warning};

/// A parsed or built `otpauth://` URI (Google Authenticator's Key URI format): everything
/// needed to make codes, plus its warnings. Parse leniently with [`OtpAuthUri::parse`], build
/// strictly with [`OtpAuthUri::totp`], [`OtpAuthUri::hotp`], [`OtpAuthUri::steam`] or
/// [`OtpAuthUri::builder`].
///
/// ```
/// use iamkit_otpauth::{Kind, OtpAuthUri};
/// let uri = OtpAuthUri::parse(
///     "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=jbswy3dpehpk3pxp&issuer=Big%20Corporation",
/// )?;
/// assert_eq!(uri.kind(), Kind::Totp);
/// assert_eq!(uri.issuer(), Some("Big Corporation"));
/// assert_eq!(uri.account(), "alice@bigco.com");
/// let totp = uri.to_totp()?; // an iamkit-otp generator
/// assert_eq!(totp.generate(59).as_str().len(), 6);
/// // An 80-bit secret is accepted, with a warning.
/// assert_eq!(uri.warnings().len(), 1);
/// # Ok::<(), iamkit_otpauth::Error>(())
/// ```
///
/// Rules applied when parsing (each has a named test):
/// - scheme, host (type) and parameter names in any case; unknown parameters ignored;
/// - the label separator is the first raw `:` or `%3A`; each half is percent-decoded once and
///   its leading spaces trimmed; `+` in the label is a literal plus, `+` in a parameter value a
///   space (form encoding);
/// - the `issuer` parameter wins over the label prefix; a mismatch is a [`Warning`];
/// - the secret may be lower case, padded (`=` or `%3D`), with spaces or dashes;
/// - a repeated security parameter, a missing secret, `period=0`, an HOTP URI without
///   `counter`, an unknown algorithm or encoder are errors;
/// - Steam Guard: `otpauth://steam/…`, `encoder=steam`, or the issuer `Steam` with `digits=5`.
///
/// Building emits `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…` with `%20` for spaces, the
/// secret in upper-case base32 without padding, then `algorithm`, `digits`, `period` only when
/// they differ from the defaults of [`Params`], and `counter` for HOTP. A T0 other than 0 cannot
/// be written (the format has no such parameter): it is kept in [`OtpAuthUri::params`], left out
/// of the text, and reported as [`Warning::T0NotExpressible`].
///
/// `Debug` redacts the secret; there is no `Display` (the URI contains the secret): use
/// [`OtpAuthUri::to_uri`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpAuthUri {
    pub(crate) params: Params,
    pub(crate) issuer: Option<String>,
    pub(crate) account: String,
    pub(crate) secret: Secret,
    pub(crate) counter: Option<u64>,
    pub(crate) warnings: Vec<Warning>,
}

impl OtpAuthUri {
    /// Fields already checked (by the parser, the builder or the migration importer), plus the
    /// warnings that follow from them alone.
    pub(crate) fn new(
        params: Params,
        issuer: Option<String>,
        account: String,
        secret: Secret,
        counter: Option<u64>,
        mut warnings: Vec<Warning>,
    ) -> OtpAuthUri {
        crate::warnings::field_warnings(&params, &secret, &mut warnings);
        OtpAuthUri {
            params,
            issuer,
            account,
            secret,
            counter,
            warnings,
        }
    }

    /// Parses an `otpauth://` URI leniently (see the type's docs for the rules). Surrounding
    /// whitespace is ignored.
    ///
    /// # Errors
    /// A clear [`Error`] naming the offending part; never the secret.
    pub fn parse(uri: &str) -> Result<OtpAuthUri, Error> {
        crate::parse::parse(uri)
    }

    /// The parameters that decide the codes (T0 is 0 for a parsed URI).
    pub fn params(&self) -> Params {
        self.params
    }

    /// The kind of OTP.
    pub fn kind(&self) -> Kind {
        self.params.kind()
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
        self.params.algorithm()
    }

    /// Number of digits (5 for Steam, meaning 5 characters).
    pub fn digits(&self) -> u32 {
        self.params.digits()
    }

    /// TOTP/Steam period in seconds; `None` for HOTP.
    pub fn period(&self) -> Option<u64> {
        self.params
            .kind()
            .is_time_based()
            .then(|| self.params.period())
    }

    /// HOTP counter; `None` for TOTP/Steam.
    pub fn counter(&self) -> Option<u64> {
        self.counter
    }

    /// What the user should know: short secret, issuer mismatch, parameters some apps ignore…
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The matching `iamkit-otp` generator/verifier (for HOTP, start from
    /// [`OtpAuthUri::counter`]).
    pub fn generator(&self) -> Generator {
        self.params.generator(self.secret.clone())
    }

    /// The TOTP generator (also for Steam).
    ///
    /// # Errors
    /// [`Error::WrongType`] for an HOTP URI.
    pub fn to_totp(&self) -> Result<Totp, Error> {
        match self.generator() {
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
        match self.generator() {
            Generator::Hotp(h) => Ok(h),
            Generator::Totp(_) => Err(Error::WrongType {
                expected: "hotp",
                found: self.kind().as_str(),
            }),
        }
    }
}
