//! AWS's rules for STS parameters, checked before anything is sent: session durations, the
//! role-chaining cap, `RoleSessionName`, `SerialNumber`, `ExternalId`, role ARNs and the
//! 6-digit MFA code.
//!
//! ```
//! use iamkit_aws::{MfaSerial, RoleSessionName, TokenCode, rules};
//! assert!(MfaSerial::new("arn:aws:iam::123456789012:mfa/alice").is_ok());
//! assert!(MfaSerial::new("short").is_err());
//! assert!(RoleSessionName::new("ci@build.7").is_ok());
//! assert!(RoleSessionName::new("has space").is_err());
//! assert!(TokenCode::new("123456").is_ok());
//! assert_eq!(format!("{:?}", TokenCode::new("123456")?), "TokenCode(<redacted>)");
//! assert!(rules::check_assume_role_duration(3601, true).is_err()); // role chaining: at most 1 h
//! # Ok::<(), iamkit_aws::Error>(())
//! ```

use std::fmt;
use std::ops::RangeInclusive;

use zeroize::Zeroizing;

use crate::Error;

/// `GetSessionToken`'s `DurationSeconds`: 15 minutes to 36 hours.
pub const GET_SESSION_TOKEN_DURATION: RangeInclusive<u32> = 900..=129_600;
/// `AssumeRole`'s `DurationSeconds`: 15 minutes to 12 hours (the role's own maximum may be lower).
pub const ASSUME_ROLE_DURATION: RangeInclusive<u32> = 900..=43_200;
/// The longest `AssumeRole` session when the caller's credentials are themselves a role's
/// (role chaining).
pub const CHAINED_ROLE_MAX_DURATION: u32 = 3_600;
/// The default `GetSessionToken` duration AWS uses (12 hours).
pub const DEFAULT_SESSION_DURATION: u32 = 43_200;
/// The default `AssumeRole` duration AWS uses (1 hour).
pub const DEFAULT_ROLE_DURATION: u32 = 3_600;

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Checks `s` against `[\w<extra>]{min,max}` (ASCII `\w`), naming the first bad character.
pub(crate) fn check_chars(
    name: &'static str,
    s: &str,
    len: RangeInclusive<usize>,
    extra: &str,
    expected: &str,
) -> Result<(), Error> {
    let n = s.chars().count();
    if !len.contains(&n) {
        return Err(Error::InvalidParameter {
            name,
            reason: format!(
                "{n} characters (expected {} to {} characters of {expected})",
                len.start(),
                len.end()
            ),
        });
    }
    if let Some((i, c)) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| !(word_char(c) || extra.contains(c)))
    {
        return Err(Error::InvalidParameter {
            name,
            reason: format!(
                "character {:?} at position {} (expected only {expected})",
                c.escape_default().to_string(),
                i + 1
            ),
        });
    }
    Ok(())
}

/// A string newtype checked by [`check_chars`] on the way in: one line per AWS parameter
/// (its Rust name, the constructor's argument, AWS's parameter name, the length range, the
/// characters allowed beside `[A-Za-z0-9_]` and how the error describes them), then what
/// `new` wraps and what `as_str` returns, for the docs.
macro_rules! checked_string {
    (
        $(#[$doc:meta])*
        pub struct $name:ident($arg:ident: $param:literal, $min:literal..=$max:literal,
            $extra:literal, $expected:literal);
        $what:literal, $as_str_doc:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Checks and wraps ", $what, ".")]
            ///
            /// # Errors
            ///
            #[doc = concat!(
                "[`Error::InvalidParameter`](crate::Error::InvalidParameter) when `",
                stringify!($arg), "` is not ", $min, " to ", $max, " characters of ",
                $expected, ", naming the first rule it breaks."
            )]
            pub fn new($arg: &str) -> Result<$name, $crate::Error> {
                $crate::rules::check_chars($param, $arg, $min..=$max, $extra, $expected)?;
                Ok($name($arg.to_owned()))
            }

            #[doc = $as_str_doc]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use checked_string;

/// Checks a `GetSessionToken` duration (900–129600 seconds).
///
/// # Errors
///
/// `Error::InvalidParameter` when `seconds` is outside 900..=129600.
pub fn check_session_duration(seconds: u32) -> Result<(), Error> {
    if GET_SESSION_TOKEN_DURATION.contains(&seconds) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "DurationSeconds",
            reason: format!(
                "{seconds} seconds (GetSessionToken takes 900 to 129600 seconds: 15 minutes to 36 hours)"
            ),
        })
    }
}

/// Checks an `AssumeRole` duration (900–43200 seconds; at most 3600 when `chained`, that is when
/// the caller's credentials come from another `AssumeRole`).
///
/// # Errors
///
/// `Error::InvalidParameter` when `seconds` is out of range.
pub fn check_assume_role_duration(seconds: u32, chained: bool) -> Result<(), Error> {
    if !ASSUME_ROLE_DURATION.contains(&seconds) {
        return Err(Error::InvalidParameter {
            name: "DurationSeconds",
            reason: format!(
                "{seconds} seconds (AssumeRole takes 900 to 43200 seconds: 15 minutes to 12 hours)"
            ),
        });
    }
    if chained && seconds > CHAINED_ROLE_MAX_DURATION {
        return Err(Error::InvalidParameter {
            name: "DurationSeconds",
            reason: format!(
                "{seconds} seconds while chaining roles (a role assumed with another role's credentials lasts at most 3600 seconds)"
            ),
        });
    }
    Ok(())
}

checked_string! {
    /// An MFA device's `SerialNumber`: an IAM MFA ARN (`arn:aws:iam::123456789012:mfa/alice`) or a
    /// hardware token's serial; 9 to 256 characters of `[\w+=/:,.@-]`.
    pub struct MfaSerial(serial: "SerialNumber", 9..=256, "+=/:,.@-", "letters, digits and +=/:,.@_-");
    "a serial", "The serial."
}

/// A 6-digit MFA code (`TokenCode`). Short-lived but still a secret: `Debug` shows nothing,
/// the buffer is zeroized.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenCode(Zeroizing<String>);

impl TokenCode {
    /// Checks and wraps a code: exactly 6 ASCII digits. The error never repeats the input.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when `code` is not exactly 6 ASCII digits.
    pub fn new(code: &str) -> Result<TokenCode, Error> {
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(TokenCode(Zeroizing::new(code.to_owned())))
        } else {
            Err(Error::InvalidParameter {
                name: "TokenCode",
                reason: "expected an MFA code of exactly 6 digits".to_owned(),
            })
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCode(<redacted>)")
    }
}

checked_string! {
    /// A `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
    pub struct RoleSessionName(name: "RoleSessionName", 2..=64, "+=,.@-", "letters, digits and +=,.@_-");
    "a session name", "The session name."
}

checked_string! {
    /// An `ExternalId`: 2 to 1224 characters of `[\w+=,.@:/-]`.
    pub struct ExternalId(id: "ExternalId", 2..=1224, "+=,.@:/-", "letters, digits and +=,.@:/_-");
    "an external ID", "The external ID."
}

/// A role ARN: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` (20 to 2048 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn(String);

impl RoleArn {
    /// Checks and wraps a role ARN.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when `arn` is not an IAM role ARN.
    pub fn new(arn: &str) -> Result<RoleArn, Error> {
        let bad = |reason: &str| Error::InvalidParameter {
            name: "RoleArn",
            reason: format!(
                "{reason} (expected arn:aws:iam::123456789012:role/NAME, 20 to 2048 characters)"
            ),
        };
        let n = arn.chars().count();
        if !(20..=2048).contains(&n) {
            return Err(bad(&format!("{n} characters")));
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [prefix, partition, service, region, account, resource] = parts[..] else {
            return Err(bad("not six ':'-separated parts"));
        };
        if prefix != "arn" || !partition.starts_with("aws") {
            return Err(bad("not an ARN of an AWS partition"));
        }
        if service != "iam" || !region.is_empty() {
            return Err(bad("not an IAM ARN"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the account is not 12 digits"));
        }
        let Some(name) = resource.strip_prefix("role/") else {
            return Err(bad("not a role"));
        };
        let ok = !name.is_empty()
            && !name.ends_with('/')
            && name.chars().all(|c| word_char(c) || "+=,.@-/".contains(c));
        if !ok {
            return Err(bad(
                "the role name or path has characters IAM does not allow",
            ));
        }
        Ok(RoleArn(arn.to_owned()))
    }

    /// The ARN.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn session_duration_bounds() {
        assert!(check_session_duration(899).is_err());
        assert!(check_session_duration(900).is_ok());
        assert!(check_session_duration(129_600).is_ok());
        assert!(check_session_duration(129_601).is_err());
    }

    #[test]
    fn assume_role_duration_and_chaining_cap() {
        assert!(check_assume_role_duration(899, false).is_err());
        assert!(check_assume_role_duration(43_200, false).is_ok());
        assert!(check_assume_role_duration(43_201, false).is_err());
        assert!(check_assume_role_duration(3_600, true).is_ok());
        let e = check_assume_role_duration(3_601, true).unwrap_err();
        assert!(e.to_string().contains("chaining"), "{e}");
    }

    #[test]
    fn serial_numbers() {
        for ok in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws-cn:iam::123456789012:mfa/path/bob@x",
            "GAHT12345678",
        ] {
            assert!(MfaSerial::new(ok).is_ok(), "{ok}");
        }
        for bad in ["12345678", "arn:aws:iam::1:mfa/a b", &"a".repeat(257), ""] {
            assert!(MfaSerial::new(bad).is_err(), "{bad}");
        }
        let e = MfaSerial::new("arn:aws:iam::1:mfa/a b").unwrap_err();
        assert!(e.to_string().contains("position 21"), "{e}");
    }

    #[test]
    fn session_names() {
        assert!(RoleSessionName::new("ab").is_ok());
        assert!(RoleSessionName::new(&"a".repeat(64)).is_ok());
        assert!(RoleSessionName::new("a").is_err());
        assert!(RoleSessionName::new(&"a".repeat(65)).is_err());
        assert!(RoleSessionName::new("a/b").is_err());
        assert!(RoleSessionName::new("é1").is_err());
    }

    #[test]
    fn role_arns() {
        assert!(RoleArn::new("arn:aws:iam::123456789012:role/admin").is_ok());
        assert!(RoleArn::new("arn:aws-us-gov:iam::123456789012:role/path/x").is_ok());
        for bad in [
            "arn:aws:iam::123456789012:user/admin",
            "arn:aws:s3::123456789012:role/admin",
            "arn:aws:iam::12345678901:role/admin",
            "arn:aws:iam:us-east-1:123456789012:role/a",
            "arn:aws:iam::123456789012:role/",
            "role/admin",
        ] {
            assert!(RoleArn::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_codes_are_six_digits_and_redacted() {
        assert!(TokenCode::new("000000").is_ok());
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦", ""] {
            let e = TokenCode::new(bad).unwrap_err();
            assert!(!bad.is_empty() && !e.to_string().contains(bad) || bad.is_empty());
        }
        let code = TokenCode::new("987654").unwrap();
        assert!(!format!("{code:?}").contains("987654"));
    }

    proptest! {
        #[test]
        fn validators_never_panic(s in "\\PC{0,300}") {
            let _ = MfaSerial::new(&s);
            let _ = RoleSessionName::new(&s);
            let _ = ExternalId::new(&s);
            let _ = RoleArn::new(&s);
            let _ = TokenCode::new(&s);
        }

        #[test]
        fn session_name_matches_the_pattern(s in "[A-Za-z0-9_+=,.@-]{2,64}") {
            prop_assert!(RoleSessionName::new(&s).is_ok());
        }
    }
}
