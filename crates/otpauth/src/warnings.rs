//! What is worth telling the user about a URI that is nevertheless usable: [`Warning`], and
//! the warnings that follow from a URI's fields alone.

use core::fmt;

use iamkit_otp::{Kind, MIN_SECRET_BITS, Params, Secret};

/// Something worth telling the user about a URI that is nevertheless usable.
///
/// `Display` gives one sentence, suitable for a list of warnings (`iamkit otp parse`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The secret is shorter than [`iamkit_otp::MIN_SECRET_BITS`].
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
    /// The parameters have a T0 other than 0, which an `otpauth://` URI cannot express: apps
    /// reading the URI will show different codes.
    T0NotExpressible {
        /// The T0 (Unix seconds).
        t0: u64,
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
                "the secret is only {bits} bits long (RFC 4226 asks for at least {MIN_SECRET_BITS})"
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
            Warning::T0NotExpressible { t0 } => write!(
                f,
                "T0 = {t0}, which an otpauth URI cannot express: other apps will show different codes"
            ),
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

/// Warnings that follow from the fields alone: a short secret, parameters Google Authenticator
/// ignores, a T0 the URI cannot carry.
pub(crate) fn field_warnings(params: &Params, secret: &Secret, out: &mut Vec<Warning>) {
    let bits = secret.len_bits();
    if bits < MIN_SECRET_BITS {
        out.push(Warning::ShortSecret { bits });
    }
    if params.t0() != Params::DEFAULT_T0 {
        out.push(Warning::T0NotExpressible { t0: params.t0() });
    }
    if params.kind() == Kind::Steam {
        return;
    }
    if params.algorithm() != Params::DEFAULT_ALGORITHM {
        out.push(Warning::IgnoredByGoogleAuthenticator {
            parameter: "algorithm",
            value: params.algorithm().as_str().to_owned(),
        });
    }
    if params.digits() != Params::DEFAULT_DIGITS {
        out.push(Warning::IgnoredByGoogleAuthenticator {
            parameter: "digits",
            value: params.digits().to_string(),
        });
    }
    if params.kind() == Kind::Totp && params.period() != Params::DEFAULT_PERIOD {
        out.push(Warning::IgnoredByGoogleAuthenticator {
            parameter: "period",
            value: params.period().to_string(),
        });
    }
}

/// Steam Guard's fixed parameters, as a reason for ignoring others.
pub(crate) const STEAM_FIXED: &str = "Steam Guard codes are always SHA1, 5 characters, 30 seconds";
