//! Checks of AWS credentials before they are stored, and of their expiry when they are handed
//! out: pure functions, "now" passed in. Messages never quote a secret (a secret typed on the
//! wrong line would otherwise end up on a terminal or in a log).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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

/// An RFC 3339 time written back in UTC with a `Z` and whole seconds (what AWS SDKs expect in
/// `Expiration`), e.g. `2030-01-02T05:04:05+02:00` → `2030-01-02T03:04:05Z`.
///
/// # Errors
/// [`Error::InvalidCredentials`] quoting at most the first 40 characters of `text`.
pub fn normalize_expiration(text: &str) -> Result<String, Error> {
    let invalid = || Error::InvalidCredentials {
        problem: format!(
            "invalid expiration {:?}",
            text.chars().take(40).collect::<String>()
        ),
        expected: "RFC 3339, e.g. 2026-01-02T03:04:05Z",
    };
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| invalid())?;
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).map_err(|_| invalid())
}

/// Seconds since the Unix epoch of an RFC 3339 time; `None` when it is not one.
pub fn expiration_unix(expiration: &str) -> Option<i64> {
    OffsetDateTime::parse(expiration.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// Whether credentials that expire at `expiration` (RFC 3339) are expired at `now_unix`
/// (expired at the very second they expire).
///
/// ```
/// use iamkit_keystore::is_expired;
/// let exp = "2030-01-01T00:00:00Z"; // 1893456000
/// assert_eq!(is_expired(exp, 1_893_455_999).ok(), Some(false));
/// assert_eq!(is_expired(exp, 1_893_456_000).ok(), Some(true));
/// ```
///
/// # Errors
/// [`Error::InvalidCredentials`] when `expiration` is not RFC 3339.
pub fn is_expired(expiration: &str, now_unix: i64) -> Result<bool, Error> {
    let exp = expiration_unix(expiration).ok_or_else(|| Error::InvalidCredentials {
        problem: "the stored expiration is not RFC 3339".to_owned(),
        expected: "e.g. 2026-01-02T03:04:05Z",
    })?;
    Ok(exp <= now_unix)
}

impl CachedSession {
    /// Whether the session may still be handed out at `now_unix`: more than `margin_seconds`
    /// left before it expires (callers renew it before it runs out under a client's feet). A
    /// session whose expiration cannot be read is never usable.
    ///
    /// ```
    /// use iamkit_keystore::CachedSession;
    /// let s = CachedSession::new("ASIAX", "s", "t", "2030-01-01T00:15:00Z"); // 1893456900
    /// assert!(s.usable_at(1_893_456_900 - 901, 900));
    /// assert!(!s.usable_at(1_893_456_900 - 900, 900));
    /// ```
    pub fn usable_at(&self, now_unix: i64, margin_seconds: i64) -> bool {
        expiration_unix(&self.expiration)
            .is_some_and(|exp| exp.saturating_sub(now_unix) > margin_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                normalize_expiration(text).ok().as_deref(),
                Some(want),
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
            let e = normalize_expiration(bad).unwrap_err().to_string();
            assert!(e.contains("RFC 3339"), "{e}");
        }
        let long = "x".repeat(100);
        let e = normalize_expiration(&long).unwrap_err().to_string();
        assert!(
            e.contains(&"x".repeat(40)) && !e.contains(&"x".repeat(41)),
            "{e}"
        );
    }

    /// The boundaries with synthetic clocks: expired at the second of expiry, not before.
    #[test]
    fn expiry_at_a_given_now() {
        let exp = "2030-01-01T00:00:00Z";
        let at = expiration_unix(exp).unwrap();
        assert_eq!(at, 1_893_456_000);
        assert!(!is_expired(exp, at - 1).unwrap());
        assert!(is_expired(exp, at).unwrap());
        assert!(is_expired(exp, at + 86_400).unwrap());
        assert!(!is_expired(exp, i64::MIN).unwrap());
        assert!(is_expired("2030-01-01T01:00:00+01:00", at).unwrap());
        assert!(matches!(
            is_expired("soon", 0),
            Err(Error::InvalidCredentials { .. })
        ));
    }

    #[test]
    fn sessions_are_reused_until_the_margin() {
        let s = CachedSession::new("ASIAX", "s", "t", "2030-01-01T00:15:00Z");
        let exp = expiration_unix("2030-01-01T00:15:00Z").unwrap();
        assert!(s.usable_at(exp - 901, 900));
        assert!(!s.usable_at(exp - 900, 900));
        assert!(!s.usable_at(exp + 10, 900));
        assert!(s.usable_at(exp - 1, 0));
        assert!(!s.usable_at(exp, 0));
        assert!(s.usable_at(i64::MIN, 900));
        assert!(!s.usable_at(i64::MAX, 900));
        let bad = CachedSession::new("ASIAX", "s", "t", "soon");
        assert!(!bad.usable_at(0, 0));
    }
}
