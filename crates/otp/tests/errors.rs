#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Named regression tests for error values and messages, and small API behaviours.

use std::str::FromStr;

use iamkit_otp::throttle::{Throttle, ThrottlePolicy, Throttled};
use iamkit_otp::{Algorithm, Error, Hotp, Secret, SecretBits, Totp, VerifyError, Window, insecure};

const RFC_SECRET: &[u8] = b"12345678901234567890";

fn totp() -> Totp {
    Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .build()
        .unwrap()
}

#[test]
fn bad_base32_char_is_named_with_its_position() {
    let err = Secret::from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidBase32Char {
                ch: '1',
                position: 16
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid base32 character '1' at position 16 (expected A-Z or 2-7; spaces, dashes and '=' are ignored)"
    );
}

#[test]
fn bad_base32_position_counts_characters_including_ignored_ones() {
    // Separators count; a multi-byte character counts once.
    let err = Secret::from_base32("gezd gnbv-é").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidBase32Char {
                ch: 'é',
                position: 11
            }
        ),
        "{err:?}"
    );
    let err = insecure::secret_from_base32("ABCDEFG0").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidBase32Char {
                ch: '0',
                position: 8
            }
        ),
        "{err:?}"
    );
}

#[test]
fn short_secret_is_refused_with_its_size() {
    let err = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap_err();
    assert!(
        matches!(
            err,
            Error::SecretTooShort {
                bits: 80,
                min_bits: 128
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the secret is too short: 80 bits, expected at least 128 bits"
    );
    let err = Secret::from_bytes(&[1; 15]).unwrap_err();
    assert!(matches!(
        err,
        Error::SecretTooShort {
            bits: 120,
            min_bits: 128
        }
    ));
    assert!(Secret::from_bytes(&[1; 16]).is_ok());
}

#[test]
fn error_messages_never_contain_the_secret() {
    for input in ["JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PX8", "JBSWY3DPEHPK3P"] {
        let msg = Secret::from_base32(input).unwrap_err().to_string();
        assert!(!msg.contains("JBSWY3DP"), "{msg}");
        assert!(!msg.to_lowercase().contains("jbswy3dp"), "{msg}");
    }
}

#[test]
fn empty_secrets_are_refused() {
    for input in ["", "   ", "====", "- -"] {
        let err = insecure::secret_from_base32(input).unwrap_err();
        assert!(matches!(err, Error::EmptySecret), "{input:?}: {err:?}");
        assert!(matches!(
            Secret::from_base32(input),
            Err(Error::EmptySecret)
        ));
    }
    assert!(matches!(Secret::from_bytes(&[]), Err(Error::EmptySecret)));
    assert!(matches!(
        insecure::secret_from_bytes(&[]),
        Err(Error::EmptySecret)
    ));
    assert!(insecure::secret_from_bytes(&[0]).is_ok());
}

#[test]
fn impossible_base32_lengths_are_refused() {
    // 1, 3 and 6 characters (mod 8) cannot encode whole bytes; oathtool refuses them too.
    for (input, chars) in [("A", 1), ("ABC", 3), ("ABCDEF", 6), ("JBSWY3DPEHPK3P", 14)] {
        let err = insecure::secret_from_base32(input).unwrap_err();
        assert!(
            matches!(err, Error::InvalidBase32Length { chars: c } if c == chars),
            "{err:?}"
        );
        assert!(err.to_string().contains(&format!("{chars} characters")));
    }
    // 2, 4, 5, 7 (mod 8) are fine, as in oathtool.
    for input in ["AE", "ABCE", "ABCDE", "ABCDEFA", "JBSWY3DPEHPK3PX"] {
        assert!(insecure::secret_from_base32(input).is_ok(), "{input}");
    }
}

#[test]
fn digits_outside_6_to_10_are_refused() {
    for d in [0, 5, 11, 100] {
        let s = Secret::from_bytes(RFC_SECRET).unwrap();
        let err = Totp::builder(s.clone()).digits(d).build().unwrap_err();
        assert!(matches!(err, Error::InvalidDigits { got } if got == d));
        assert_eq!(
            err.to_string(),
            format!("invalid number of digits: {d} (expected 6 to 10)")
        );
        assert!(matches!(
            Hotp::builder(s).digits(d).build(),
            Err(Error::InvalidDigits { .. })
        ));
    }
    for d in 6..=10 {
        let t = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
            .digits(d)
            .build()
            .unwrap();
        assert_eq!(t.generate(59).len(), d as usize);
    }
}

#[test]
fn zero_period_is_refused() {
    let err = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .period(0)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPeriod));
    assert_eq!(
        err.to_string(),
        "invalid period: 0 (expected at least 1 second)"
    );
}

#[test]
fn windows_wider_than_ten_steps_need_the_dangerous_constructor() {
    assert!(matches!(
        Window::symmetric(11),
        Err(Error::InvalidWindow {
            past: 11,
            future: 11,
            max: 10
        })
    ));
    assert!(Window::new(10, 11).is_err());
    assert!(Window::new(10, 10).is_ok());
    assert_eq!(Window::default(), Window::symmetric(1).unwrap());
    assert_eq!((Window::none().past(), Window::none().future()), (0, 0));
    let w = Window::dangerous_wide(100, 0);
    let t = totp();
    let m = t.verify(t.generate(59).as_str(), 59 + 30 * 100, w).unwrap();
    assert_eq!(m.offset, -100);
    assert!(
        t.verify(
            t.generate(59).as_str(),
            59 + 30 * 100,
            Window::symmetric(10).unwrap()
        )
        .is_err()
    );
}

#[test]
fn algorithm_names_parse_leniently_and_print_upper_case() {
    for (s, a) in [
        ("sha1", Algorithm::Sha1),
        ("SHA1", Algorithm::Sha1),
        ("Sha-1", Algorithm::Sha1),
        ("sha256", Algorithm::Sha256),
        ("SHA-256", Algorithm::Sha256),
        ("sha_512", Algorithm::Sha512),
        (" SHA512 ", Algorithm::Sha512),
    ] {
        assert_eq!(Algorithm::from_str(s).unwrap(), a, "{s}");
    }
    assert_eq!(Algorithm::default(), Algorithm::Sha1);
    assert_eq!(Algorithm::Sha256.as_str(), "SHA256");
    let err = "md5".parse::<Algorithm>().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"unknown algorithm "md5" (expected SHA1, SHA256 or SHA512)"#
    );
}

#[test]
fn verify_failures_are_one_opaque_error() {
    let t = totp();
    let good = t.generate(59);
    for bad in [
        "",
        "28708",
        "2870822",
        "abcdef",
        "287083",
        "٢٨٧٠٨٢",
        "287082\n",
    ] {
        let err = t.verify(bad, 59, Window::default()).unwrap_err();
        assert_eq!(err, VerifyError::default());
        assert_eq!(err.to_string(), "invalid code");
    }
    assert_eq!(good.as_str(), "287082");
    assert!(t.verify("287082", 59, Window::default()).is_ok());
    let h = Hotp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .build()
        .unwrap();
    assert_eq!(h.verify("75522", 0, 3), Err(VerifyError::default()));
    assert_eq!(h.verify("755224", 1, 3), Err(VerifyError::default()));
}

#[test]
fn hotp_verify_and_resync_at_the_end_of_the_counter_space() {
    let h = Hotp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .build()
        .unwrap();
    let last = h.generate(u64::MAX);
    assert_eq!(h.verify(last.as_str(), u64::MAX - 2, 100), Ok(u64::MAX));
    let (a, b) = (h.generate(u64::MAX - 2), h.generate(u64::MAX - 1));
    assert_eq!(
        h.resync(a.as_str(), b.as_str(), u64::MAX - 5, 100),
        Ok(u64::MAX)
    );
    // RFC 4226 vectors: counters 3 and 4 found from 0.
    assert_eq!(h.resync("969429", "338314", 0, 10), Ok(5));
    assert!(
        h.resync("969429", "254676", 0, 10).is_err(),
        "not consecutive"
    );
}

#[test]
fn periods_over_a_day_and_t0_after_year_9999_are_refused() {
    // A period of 2^64-1 was accepted and overflowed `2 * period + 1` downstream.
    for period in [86_401, u64::MAX] {
        let err = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
            .period(period)
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            Error::PeriodTooLong {
                got: period,
                max: iamkit_otp::MAX_PERIOD
            }
        );
        assert!(
            err.to_string().contains("expected 1 to 86400 seconds"),
            "{err}"
        );
    }
    let day = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .period(86_400)
        .t0(iamkit_otp::MAX_T0)
        .build()
        .unwrap();
    assert_eq!(
        day.step_at(u64::MAX),
        (u64::MAX - iamkit_otp::MAX_T0) / 86_400
    );
    let err = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .t0(iamkit_otp::MAX_T0 + 1)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::T0TooLate { .. }), "{err:?}");
}

#[test]
fn base32_ignores_unicode_whitespace_such_as_the_narrow_no_break_space() {
    let grouped =
        "GEZD\u{202F}GNBV\u{202F}GY3T\u{00A0}QOJQ\u{2003}GEZD\u{3000}GNBV\u{2009}GY3T\u{85}QOJQ";
    assert_eq!(
        Secret::from_base32(grouped).unwrap().expose_secret(),
        RFC_SECRET
    );
    // Invisible but not whitespace: still an error naming the character.
    let err = Secret::from_base32("GEZD\u{200B}GNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidBase32Char {
                ch: '\u{200B}',
                position: 5
            }
        ),
        "{err:?}"
    );
}

#[test]
fn totp_before_t0_and_at_the_end_of_time() {
    let t = Totp::builder(Secret::from_bytes(RFC_SECRET).unwrap())
        .t0(1000)
        .build()
        .unwrap();
    assert_eq!(t.step_at(0), 0);
    assert_eq!(t.remaining_seconds(990), 40);
    assert_eq!(t.step_at(1030), 1);
    let end = totp();
    assert_eq!(end.step_at(u64::MAX), u64::MAX / 30);
    assert!(end.remaining_seconds(u64::MAX) >= 1);
    let m = end.verify(
        end.generate(u64::MAX).as_str(),
        u64::MAX,
        Window::symmetric(10).unwrap(),
    );
    assert_eq!(m.unwrap().offset, 0);
}

#[test]
fn generated_secrets_have_the_requested_size_and_differ() {
    let a = Secret::generate().unwrap();
    let b = Secret::generate().unwrap();
    assert_eq!(a.len_bits(), 160);
    assert_ne!(a, b);
    assert_eq!(
        Secret::generate_with(SecretBits::B256).unwrap().len_bits(),
        256
    );
    assert_eq!(
        Secret::generate_with(SecretBits::B512).unwrap().len_bits(),
        512
    );
    assert_eq!(a.to_base32().len(), 32);
}

#[test]
fn code_display_and_equality() {
    let t = totp();
    let c = t.generate(59);
    assert_eq!(c.to_string(), "287082");
    assert_eq!(format!("{c:?}"), r#"Code("287082")"#);
    assert_eq!(c, t.generate(31));
    assert_ne!(c, t.generate(60));
    // No `c == "287082"`: comparing with typed input is `verify`'s job (see the compile_fail
    // examples on `Code`).
    assert_eq!(c.as_str(), "287082");
}

#[test]
fn throttle_delays_grow_linearly_then_lock_out() {
    let policy = ThrottlePolicy {
        free_attempts: 2,
        delay_step: 5,
        max_delay: 12,
        lockout_after: Some(6),
    };
    let mut t = Throttle::new(policy);
    let now = 1000;
    t.record_failure(now);
    t.record_failure(now);
    assert_eq!(t.check(now), Ok(()));
    t.record_failure(now); // 1 beyond the free attempts: 5 s
    assert_eq!(t.check(now), Err(Throttled::RetryAfter { seconds: 5 }));
    assert_eq!(t.check(now + 5), Ok(()));
    t.record_failure(now + 5); // 10 s
    assert_eq!(t.check(now + 5), Err(Throttled::RetryAfter { seconds: 10 }));
    t.record_failure(now + 15); // 15 s, capped at 12
    assert_eq!(t.next_attempt_at(), now + 15 + 12);
    t.record_failure(now + 27);
    assert_eq!(t.failures(), 6);
    assert_eq!(t.check(u64::MAX), Err(Throttled::LockedOut));
    let restored = Throttle::from_parts(policy, t.failures(), t.next_attempt_at());
    assert_eq!(restored, t);
    t.record_success();
    assert_eq!((t.failures(), t.check(now)), (0, Ok(())));
    assert_eq!(
        Throttled::RetryAfter { seconds: 5 }.to_string(),
        "too many failed attempts; try again in 5 s"
    );
}
