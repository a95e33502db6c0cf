//! The one error type of this crate.
//!
//! ```
//! use iamkit_otpauth::{Error, OtpAuthUri};
//! let err = OtpAuthUri::parse("otpauth://totp/alice?issuer=Example").unwrap_err();
//! assert!(matches!(err, Error::MissingSecret));
//! assert_eq!(err.to_string(), "the otpauth URI has no secret parameter (expected secret=BASE32)");
//! ```

use core::fmt;

/// Which part of a label a [`Error::InvalidLabel`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelField {
    /// The issuer (service or company name).
    Issuer,
    /// The account name (user name, e-mail address).
    Account,
}

impl fmt::Display for LabelField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LabelField::Issuer => "issuer",
            LabelField::Account => "account",
        })
    }
}

/// Everything that can go wrong while parsing or building an enrollment URI, rendering or
/// decoding a QR code, or importing and exporting a migration payload.
///
/// No variant ever carries secret material: a secret parameter is never quoted, and a
/// migration payload (which holds secrets) is only described by its position and field.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The text does not start with the expected scheme (`otpauth://`, or
    /// `otpauth-migration://offline` for migration payloads). Case-insensitive.
    InvalidScheme {
        /// The scheme that was expected.
        expected: &'static str,
    },
    /// The host (OTP type) is not `totp`, `hotp` or `steam`.
    UnknownType {
        /// The type given, at most 32 characters of it.
        found: String,
    },
    /// The URI has no `secret` parameter (or an empty one).
    MissingSecret,
    /// The `secret` parameter is not base32 (or is empty); the source says why.
    InvalidSecret(iamkit_otp::Error),
    /// A parameter that decides the codes (secret, issuer, algorithm, digits, period, counter,
    /// encoder) appears more than once: which one wins differs between readers.
    DuplicateParameter {
        /// The parameter's name, lower case.
        name: &'static str,
    },
    /// A parameter has a value outside what is accepted.
    InvalidParameter {
        /// The parameter's name, lower case.
        name: &'static str,
        /// The value given (never the secret), at most 32 characters of it.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The `algorithm` parameter names no supported algorithm.
    UnknownAlgorithm {
        /// The name given, at most 32 characters of it.
        found: String,
    },
    /// An HOTP URI without the `counter` parameter.
    MissingCounter,
    /// Percent-encoding that does not decode to UTF-8 text.
    InvalidEncoding {
        /// Where: `label`, or the parameter's name.
        part: &'static str,
    },
    /// An issuer or account that cannot be written into a label unambiguously.
    InvalidLabel {
        /// Issuer or account.
        field: LabelField,
        /// Why, e.g. "contains ':'".
        reason: &'static str,
    },
    /// The parameters given to a builder or generator are refused by `iamkit-otp`
    /// (e.g. digits outside 6 to 10, period 0).
    Otp(iamkit_otp::Error),
    /// The generator asked for does not match the URI's type (`to_hotp` on a TOTP URI, …).
    WrongType {
        /// The type asked for.
        expected: &'static str,
        /// The URI's type.
        found: &'static str,
    },
    /// The data is too long for any QR code (version 40, error correction level L).
    QrTooLong {
        /// Length of the data, in bytes.
        len: usize,
    },
    /// The image could not be read (not a PNG or JPEG, truncated, too large).
    #[cfg(feature = "qr")]
    Image(image::ImageError),
    /// A PNG could not be written.
    #[cfg(feature = "qr")]
    PngEncode(png::EncodingError),
    /// No readable QR code was found in the image.
    NoQrCode,
    /// A QR code was found but its content could not be decoded.
    QrDecode {
        /// What the decoder said.
        reason: String,
    },
    /// The `data` parameter of a migration URI is missing or not base64.
    InvalidMigrationData {
        /// What is wrong, e.g. "not base64".
        reason: &'static str,
    },
    /// The migration payload is not a valid `MigrationPayload` protobuf.
    InvalidMigrationPayload(prost::DecodeError),
    /// One account of a migration payload cannot be imported.
    InvalidMigrationAccount {
        /// Its 0-based position in the payload.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// One account cannot be written into a migration payload.
    NotExportable {
        /// Its 0-based position in the list given.
        index: usize,
        /// Why.
        reason: &'static str,
    },
    /// Migration export was given no accounts.
    NothingToExport,
    /// The operating system's random number generator failed (for a batch id).
    Rng(getrandom::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidScheme { expected } => {
                write!(f, "not an {expected} URI (expected it to start with {expected})")
            }
            Error::UnknownType { found } => write!(
                f,
                "unknown OTP type {found:?} in the otpauth URI (expected totp, hotp or steam)"
            ),
            Error::MissingSecret => f.write_str(
                "the otpauth URI has no secret parameter (expected secret=BASE32)",
            ),
            Error::InvalidSecret(e) => write!(f, "invalid secret parameter: {e}"),
            Error::DuplicateParameter { name } => write!(
                f,
                "the otpauth URI has more than one {name} parameter (expected at most one)"
            ),
            Error::InvalidParameter { name, value, expected } => {
                write!(f, "invalid {name} parameter {value:?} (expected {expected})")
            }
            Error::UnknownAlgorithm { found } => write!(
                f,
                "unknown algorithm {found:?} (expected SHA1, SHA256 or SHA512)"
            ),
            Error::MissingCounter => f.write_str(
                "the HOTP URI has no counter parameter (expected counter=N, a non-negative integer)",
            ),
            Error::InvalidEncoding { part } => write!(
                f,
                "the {part} of the otpauth URI is not valid percent-encoded UTF-8"
            ),
            Error::InvalidLabel { field, reason } => write!(
                f,
                "the {field} cannot be written into an otpauth label: it {reason}"
            ),
            Error::Otp(e) => write!(f, "{e}"),
            Error::WrongType { expected, found } => write!(
                f,
                "the otpauth URI is {found}, not {expected}"
            ),
            Error::QrTooLong { len } => write!(
                f,
                "{len} bytes are too many for a QR code (expected at most 2953)"
            ),
            #[cfg(feature = "qr")]
            Error::Image(e) => write!(f, "cannot read the image (expected PNG or JPEG): {e}"),
            #[cfg(feature = "qr")]
            Error::PngEncode(e) => write!(f, "cannot write the PNG: {e}"),
            Error::NoQrCode => f.write_str("no readable QR code found in the image"),
            Error::QrDecode { reason } => write!(f, "cannot decode the QR code: {reason}"),
            Error::InvalidMigrationData { reason } => write!(
                f,
                "invalid otpauth-migration data parameter: {reason} (expected base64)"
            ),
            Error::InvalidMigrationPayload(e) => write!(
                f,
                "invalid otpauth-migration payload (expected a MigrationPayload protobuf): {e}"
            ),
            Error::InvalidMigrationAccount { index, reason } => write!(
                f,
                "cannot import account #{} of the migration payload: {reason}",
                index + 1
            ),
            Error::NotExportable { index, reason } => write!(
                f,
                "cannot export account #{} to a migration payload: {reason}",
                index + 1
            ),
            Error::NothingToExport => f.write_str("no accounts to export"),
            Error::Rng(e) => write!(f, "the operating system's random number generator failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidSecret(e) | Error::Otp(e) => Some(e),
            Error::Rng(e) => Some(e),
            #[cfg(feature = "qr")]
            Error::Image(e) => Some(e),
            #[cfg(feature = "qr")]
            Error::PngEncode(e) => Some(e),
            Error::InvalidMigrationPayload(e) => Some(e),
            _ => None,
        }
    }
}

impl From<iamkit_otp::Error> for Error {
    fn from(e: iamkit_otp::Error) -> Self {
        Error::Otp(e)
    }
}

/// At most `max` characters of `s`, for quoting untrusted values in errors.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 32;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    out
}
