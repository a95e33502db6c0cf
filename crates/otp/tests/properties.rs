#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property tests: base32 round trips, verification windows, replay ordering, redaction.

use iamkit_otp::replay::{MemoryReplayStore, ReplayProtectedVerifier, ReplayStore};
use iamkit_otp::{Algorithm, Hotp, Secret, Totp, Window, insecure};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

/// An independent reference: data-encoding's RFC 4648 base32 without trailing-bit checks,
/// applied to the text with ignored characters removed and upper-cased.
fn reference_decode(s: &str) -> Option<Vec<u8>> {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    let enc = spec.encoding().unwrap();
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r' | '-' | '='))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    enc.decode(clean.as_bytes()).ok().filter(|b| !b.is_empty())
}

/// Lower-cases some characters and inserts separators at random places.
fn mangle(b32: &str, seps: &[(usize, u8)], lower_mask: u64) -> String {
    let mut out = String::new();
    for (i, ch) in b32.chars().enumerate() {
        for &(at, kind) in seps {
            if at == i {
                out.push(match kind % 4 {
                    0 => ' ',
                    1 => '-',
                    2 => '\t',
                    _ => '=',
                });
            }
        }
        let lower = lower_mask >> (i % 64) & 1 == 1;
        out.push(if lower { ch.to_ascii_lowercase() } else { ch });
    }
    out
}

proptest! {
    #[test]
    fn base32_round_trip(bytes in prop::collection::vec(any::<u8>(), 1..80)) {
        let s = insecure::secret_from_bytes(&bytes).unwrap();
        let b32 = s.to_base32();
        prop_assert!(!b32.contains('='));
        prop_assert_eq!(&*b32, &*b32.to_ascii_uppercase());
        // Same text as data-encoding's canonical encoder.
        prop_assert_eq!(b32.to_string(), data_encoding::BASE32_NOPAD.encode(&bytes));
        let back = insecure::secret_from_base32(&b32).unwrap();
        prop_assert_eq!(back.expose_secret(), &bytes[..]);
        // Padded form, as other encoders write it.
        let padded = data_encoding::BASE32.encode(&bytes);
        prop_assert_eq!(insecure::secret_from_base32(&padded).unwrap().expose_secret().to_vec(), bytes.clone());
        prop_assert_eq!(insecure::secret_from_base32(&padded.to_lowercase()).unwrap().expose_secret().to_vec(), bytes.clone());
        if bytes.len() >= 16 {
            prop_assert_eq!(Secret::from_base32(&b32).unwrap().expose_secret().to_vec(), bytes.clone());
        } else {
            prop_assert!(Secret::from_base32(&b32).is_err());
        }
    }

    #[test]
    fn base32_lenient_forms(
        bytes in prop::collection::vec(any::<u8>(), 1..64),
        seps in prop::collection::vec((0usize..110, any::<u8>()), 0..12),
        lower_mask in any::<u64>(),
        trailing_pad in 0usize..8,
    ) {
        let b32 = data_encoding::BASE32_NOPAD.encode(&bytes);
        let mut text = mangle(&b32, &seps, lower_mask);
        text.push_str(&"=".repeat(trailing_pad));
        let parsed = insecure::secret_from_base32(&text).unwrap();
        prop_assert_eq!(parsed.expose_secret(), &bytes[..], "{:?}", text);
    }

    /// Whatever parses agrees with the reference decoder, and re-encodes to the same bytes.
    #[test]
    fn base32_arbitrary_text(s in "[A-Za-z2-7 =\\-01890!é]{0,40}") {
        match insecure::secret_from_base32(&s) {
            Ok(secret) => {
                prop_assert_eq!(Some(secret.expose_secret().to_vec()), reference_decode(&s));
                let again = insecure::secret_from_base32(&secret.to_base32()).unwrap();
                prop_assert_eq!(again.expose_secret(), secret.expose_secret());
            }
            Err(_) => prop_assert_eq!(reference_decode(&s), None, "{:?}", s),
        }
    }

    /// TOTP verify accepts a code exactly when some step inside the window has that code, and
    /// reports that step; codes of steps outside the window are refused.
    #[test]
    fn totp_verify_accepts_exactly_the_window(
        key in prop::collection::vec(any::<u8>(), 16..40),
        alg in algorithm(),
        digits in 6u32..=10,
        period in 1u64..=120,
        t0 in 0u64..1_000_000,
        time in 0u64..(1u64 << 36),
        past in 0u64..=10,
        future in 0u64..=10,
        d in -14i64..=14,
    ) {
        let totp = Totp::builder(Secret::from_bytes(&key).unwrap())
            .algorithm(alg).digits(digits).period(period).t0(t0).build().unwrap();
        let window = Window::new(past, future).unwrap();
        let now = t0 + time;
        let current = totp.step_at(now);
        let Some(target) = current.checked_add_signed(d) else { return Ok(()) };
        let code = totp.generate_at_step(target);
        let lo = current.saturating_sub(past);
        let hi = current + future;
        let any_in_window = (lo..=hi).any(|s| totp.generate_at_step(s) == code);
        match totp.verify(code.as_str(), now, window) {
            Ok(m) => {
                prop_assert!(any_in_window);
                prop_assert!((lo..=hi).contains(&m.step));
                prop_assert_eq!(m.offset, m.step as i64 - current as i64);
                prop_assert_eq!(totp.generate_at_step(m.step), code);
                if (-(past as i64)..=future as i64).contains(&d) {
                    // Without a collision the target itself is reported.
                    let collisions = (lo..=hi).filter(|&s| totp.generate_at_step(s) == code).count();
                    if collisions == 1 { prop_assert_eq!(m.step, target); }
                }
            }
            Err(e) => {
                prop_assert!(!any_in_window);
                prop_assert!(!(-(past as i64)..=future as i64).contains(&d));
                prop_assert_eq!(e.to_string(), "invalid code");
            }
        }
    }

    #[test]
    fn hotp_verify_accepts_exactly_the_look_ahead(
        key in prop::collection::vec(any::<u8>(), 16..40),
        alg in algorithm(),
        digits in 6u32..=10,
        counter in any::<u64>(),
        look_ahead in 0u64..=20,
        d in 0u64..=30,
    ) {
        let hotp = Hotp::builder(Secret::from_bytes(&key).unwrap())
            .algorithm(alg).digits(digits).build().unwrap();
        let counter = counter.min(u64::MAX - 64);
        let code = hotp.generate(counter + d);
        let hits: Vec<u64> = (counter..=counter + look_ahead)
            .filter(|&c| hotp.generate(c) == code).collect();
        match hotp.verify(code.as_str(), counter, look_ahead) {
            Ok(c) => prop_assert_eq!(Some(c), hits.first().copied()),
            Err(_) => { prop_assert!(hits.is_empty()); prop_assert!(d > look_ahead); }
        }
    }

    #[test]
    fn hotp_resync_finds_consecutive_codes(
        key in prop::collection::vec(any::<u8>(), 16..40),
        counter in 0u64..(1 << 40),
        k in 0u64..=30,
        search in 0u64..=20,
    ) {
        let hotp = Hotp::builder(Secret::from_bytes(&key).unwrap()).digits(8).build().unwrap();
        let (a, b) = (hotp.generate(counter + k), hotp.generate(counter + k + 1));
        let r = hotp.resync(a.as_str(), b.as_str(), counter, search);
        let expected = (counter..=counter + search)
            .find(|&c| hotp.generate(c) == a && hotp.generate(c + 1) == b)
            .map(|c| c + 2);
        prop_assert_eq!(r.ok(), expected);
        if k <= search { prop_assert!(r.is_ok()); }
    }

    /// The replay store accepts a step exactly when it is newer than every step accepted before.
    #[test]
    fn replay_store_accepts_only_newer_steps(steps in prop::collection::vec(0u64..50, 1..40)) {
        let store = MemoryReplayStore::new();
        let mut last: Option<u64> = None;
        for s in steps {
            let ok = store.check_and_record("cred", s, 60).is_ok();
            prop_assert_eq!(ok, last.is_none_or(|l| s > l));
            if ok { last = Some(s); }
            prop_assert_eq!(store.last_step("cred"), last);
        }
        prop_assert_eq!(store.last_step("other"), None);
    }

    #[test]
    fn remaining_seconds_reaches_the_next_step(period in 1u64..=iamkit_otp::MAX_PERIOD, t0 in 0u64..1_000_000, time in 0u64..(1 << 40)) {
        let totp = Totp::builder(Secret::from_bytes(&[7; 20]).unwrap()).period(period).t0(t0).build().unwrap();
        let now = t0 + time;
        let r = totp.remaining_seconds(now);
        prop_assert!((1..=period).contains(&r));
        prop_assert_eq!(totp.step_at(now + r), totp.step_at(now) + 1);
        prop_assert_eq!(totp.step_at(now + r - 1), totp.step_at(now));
    }
}

#[test]
fn replay_protected_verifier_refuses_same_and_earlier_steps() {
    let totp = Totp::builder(Secret::from_bytes(b"12345678901234567890").unwrap())
        .build()
        .unwrap();
    let store = MemoryReplayStore::new();
    let v = ReplayProtectedVerifier::new(&totp, &store);
    let now = 1_700_000_000;
    let step = totp.step_at(now);
    let prev = totp.generate(now - 30);
    let cur = totp.generate(now);
    let next = totp.generate(now + 30);
    assert_eq!(v.verify("alice", cur.as_str(), now).unwrap().step, step);
    assert!(
        v.verify("alice", cur.as_str(), now).is_err(),
        "same code twice"
    );
    assert!(
        v.verify("alice", prev.as_str(), now).is_err(),
        "earlier step"
    );
    assert!(
        v.verify("bob", prev.as_str(), now).is_ok(),
        "other credential"
    );
    assert_eq!(v.verify("alice", next.as_str(), now).unwrap().offset, 1);
    assert_eq!(store.last_step("alice"), Some(step + 1));
    // A wrong code records nothing.
    assert!(v.verify("carol", "000000", now).is_err() || totp.generate(now).as_str() == "000000");
    assert_eq!(store.last_step("carol"), None);
}

#[test]
fn replay_check_is_atomic_under_contention() {
    let totp = Totp::builder(Secret::from_bytes(b"12345678901234567890").unwrap())
        .build()
        .unwrap();
    let store = MemoryReplayStore::new();
    let now = 1_700_000_000;
    let code = totp.generate(now);
    let wins = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let v = ReplayProtectedVerifier::new(&totp, &store);
                for _ in 0..50 {
                    if v.verify("alice", code.as_str(), now).is_ok() {
                        wins.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            });
        }
    });
    assert_eq!(wins.into_inner(), 1);
}

#[test]
fn secret_debug_is_redacted() {
    let bytes = b"12345678901234567890";
    let s = Secret::from_bytes(bytes).unwrap();
    let b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(&*s.to_base32(), b32);
    let hexed: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let totp = Totp::builder(s.clone()).build().unwrap();
    let hotp = Hotp::builder(s.clone()).build().unwrap();
    for dbg in [
        format!("{s:?}"),
        format!("{s:#?}"),
        format!("{totp:?}"),
        format!("{hotp:?}"),
        format!("{:?}", Totp::builder(s.clone())),
        format!("{:?}", Hotp::builder(s.clone())),
    ] {
        assert!(dbg.contains("redacted"), "{dbg}");
        for needle in [
            b32,
            &b32.to_lowercase(),
            "1234567890",
            &hexed,
            "49, 50, 51",
            "[49",
        ] {
            assert!(!dbg.contains(needle), "{dbg} contains {needle}");
        }
    }
    assert_eq!(
        format!("{s:?}"),
        r#"Secret { bits: 160, bytes: "[redacted]" }"#
    );
}
