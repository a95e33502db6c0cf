//! Checks of AWS credentials before they are stored, and of their expiry when they are handed
//! out: pure functions, "now" passed in. Messages never quote a secret (a secret typed on the
//! wrong line would otherwise end up on a terminal or in a log).

use crate::{CachedSession, Error};

/// An access key ID as AWS documents its bounds: 16 to 128 ASCII letters and digits. The error
/// does not quote the value: it might be a secret typed on the wrong line.
///
/// ```
/// use iamkit_keystore::check_access_key_id;
/// assert!(check_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
/// assert!(check_access_key_id("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidCredentials`] naming what is wrong.
pub fn check_access_key_id(key_id: &str) -> Result<(), Error> {
    if (16..=128).contains(&key_id.len()) && key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::InvalidCredentials {
            problem: "the access key ID is not 16 to 128 letters and digits".to_owned(),
            expected: "e.g. AKIA followed by 16 characters",
        })
    }
}

/// A secret access key or session token (`what` names which): one non-empty word. The error
/// does not quote the value.
///
/// # Errors
/// [`Error::InvalidCredentials`] for an empty value or one with whitespace or control
/// characters.
pub fn check_secret_word(secret: &str, what: &str) -> Result<(), Error> {
    if secret.is_empty() {
        return Err(Error::InvalidCredentials {
            problem: format!("the {what} is empty"),
            expected: "a value",
        });
    }
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::InvalidCredentials {
            problem: format!("the {what} contains whitespace"),
            expected: "one word",
        });
    }
    Ok(())
}

/// A region name: 1 to 64 lower-case letters, digits and `-`.
///
/// # Errors
/// [`Error::InvalidCredentials`] quoting the region (not a secret).
pub fn check_region(region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidCredentials {
            problem: format!("invalid region {region:?}"),
            expected: "lower-case letters, digits and '-', e.g. eu-west-1",
        })
    }
}

impl CachedSession {
    /// Whether the session may still be handed out at `now_unix`: more than `margin_seconds`
    /// left before it expires (callers renew it before it runs out under a client's feet).
    ///
    /// ```
    /// use iamkit_keystore::{CachedSession, Expiration};
    /// let expires = Expiration::from_unix_seconds(1_893_456_900)?; // 2030-01-01T00:15:00Z
    /// let s = CachedSession::new("ASIAX", "s", "t", expires);
    /// assert!(s.usable_at(1_893_456_900 - 901, 900));
    /// assert!(!s.usable_at(1_893_456_900 - 900, 900));
    /// # Ok::<(), iamkit_keystore::InvalidExpiration>(())
    /// ```
    pub fn usable_at(&self, now_unix: i64, margin_seconds: i64) -> bool {
        self.expiration.unix_seconds().saturating_sub(now_unix) > margin_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Expiration;

    #[test]
    fn key_id_shape() {
        assert!(check_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(check_access_key_id(&"A".repeat(16)).is_ok());
        assert!(check_access_key_id(&"A".repeat(128)).is_ok());
        for bad in [
            "AKIA123".to_owned(),
            "A".repeat(15),
            "A".repeat(129),
            "AKIAIOSFODNN7EXAMPL/".to_owned(),
            "AKIAIOSFODNN7EXAMPLÉ".to_owned(),
            String::new(),
        ] {
            let e = check_access_key_id(&bad).unwrap_err().to_string();
            assert!(e.contains("16 to 128"), "{e}");
            assert!(bad.is_empty() || !e.contains(&bad), "quotes the value: {e}");
        }
    }

    #[test]
    fn secret_words() {
        assert!(check_secret_word("wJalrXUtnFEMI/K7MDENG+bPxRfiCY=", "secret").is_ok());
        let e = check_secret_word("", "session token")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "the session token is empty (expected a value)");
        for bad in [
            "two words",
            "tab\there",
            "new\nline",
            "nb\u{a0}sp",
            "bell\u{7}",
        ] {
            let e = check_secret_word(bad, "secret access key")
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                "the secret access key contains whitespace (expected one word)"
            );
        }
    }

    #[test]
    fn regions() {
        for ok in ["eu-west-1", "us-gov-west-1", "cn-north-1", "a"] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "EU-west-1", "eu_west_1", "eu west", &"a".repeat(65)] {
            let e = check_region(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid region"), "{e}");
        }
    }

    #[test]
    fn expiration_normalized_to_utc_whole_seconds() {
        for (text, want) in [
            ("2030-01-02T05:04:05+02:00", "2030-01-02T03:04:05Z"),
            ("2030-01-02T03:04:05Z", "2030-01-02T03:04:05Z"),
            (" 2030-01-02T03:04:05.999Z ", "2030-01-02T03:04:05Z"),
            ("2030-01-01T23:30:00-01:00", "2030-01-02T00:30:00Z"),
        ] {
            assert_eq!(
                Expiration::parse_rfc3339(text).ok().map(|e| e.to_string()),
                Some(want.to_owned()),
                "{text}"
            );
        }
        for bad in [
            "tomorrow",
            "2030-01-02",
            "2030-01-02 03:04:05",
            "",
            "2030-13-01T00:00:00Z",
        ] {
            let e = Expiration::parse_rfc3339(bad).unwrap_err().to_string();
            assert!(e.contains("RFC 3339"), "{e}");
        }
        let long = "x".repeat(100);
        let e = Expiration::parse_rfc3339(&long).unwrap_err().to_string();
        assert!(
            e.contains(&"x".repeat(40)) && !e.contains(&"x".repeat(41)),
            "{e}"
        );
    }

    /// The boundaries with synthetic clocks: expired at the second of expiry, not before.
    #[test]
    fn expiry_at_a_given_now() {
        let exp = Expiration::parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
        let at = exp.unix_seconds();
        assert_eq!(at, 1_893_456_000);
        assert!(!exp.is_past(at - 1));
        assert!(exp.is_past(at));
        assert!(exp.is_past(at + 86_400));
        assert!(!exp.is_past(i64::MIN));
        let offset = Expiration::parse_rfc3339("2030-01-01T01:00:00+01:00").unwrap();
        assert!(offset.is_past(at));
    }

    #[test]
    fn sessions_are_reused_until_the_margin() {
        let expires = Expiration::parse_rfc3339("2030-01-01T00:15:00Z").unwrap();
        let s = CachedSession::new("ASIAX", "s", "t", expires);
        let exp = expires.unix_seconds();
        assert!(s.usable_at(exp - 901, 900));
        assert!(!s.usable_at(exp - 900, 900));
        assert!(!s.usable_at(exp + 10, 900));
        assert!(s.usable_at(exp - 1, 0));
        assert!(!s.usable_at(exp, 0));
        assert!(s.usable_at(i64::MIN, 900));
        assert!(!s.usable_at(i64::MAX, 900));
    }
}
