#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The parameter model: `ParamsBuilder::build` on arbitrary input (accepts exactly what the
//! bounds allow, never panics), `Kind` parsing on arbitrary text, and the generator that
//! `Params` and a secret make agreeing with the `Totp` / `Hotp` builders.

use iamkit_otp::{
    Algorithm, Error, Generator, Hotp, Kind, MAX_DIGITS, MAX_PERIOD, MAX_T0, MIN_DIGITS, Params,
    STEAM_DIGITS, Secret, Totp,
};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam)]
}

/// Values around every bound, and anything at all.
fn digits() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..=12, any::<u32>()]
}

fn period() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=3,
        Just(30),
        MAX_PERIOD - 1..=MAX_PERIOD + 1,
        any::<u64>()
    ]
}

fn t0() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..=3, MAX_T0 - 1..=MAX_T0 + 1, any::<u64>()]
}

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn defaults_are_totp_sha1_6_digits_30_seconds_t0_0() {
    let p = Params::default();
    assert_eq!(
        (p.kind(), p.algorithm(), p.digits(), p.period(), p.t0()),
        (Kind::Totp, Algorithm::Sha1, 6, 30, 0)
    );
    assert_eq!(Params::builder(Kind::Totp).build(), Ok(p));
    assert_eq!(Params::of(Kind::Steam).digits(), 5);
    assert_eq!(
        Params::builder(Kind::Steam).build(),
        Ok(Params::of(Kind::Steam))
    );
    assert_eq!(
        Params::builder(Kind::Hotp).build(),
        Ok(Params::of(Kind::Hotp))
    );
}

#[test]
fn errors_name_the_value_and_the_bound() {
    let b = Params::builder(Kind::Totp);
    assert_eq!(b.digits(11).build(), Err(Error::InvalidDigits { got: 11 }));
    assert_eq!(b.period(0).build(), Err(Error::InvalidPeriod));
    assert_eq!(
        b.period(MAX_PERIOD + 1).build().unwrap_err().to_string(),
        "invalid period: 86401 seconds (expected 1 to 86400 seconds; a period over a day is not an authenticator's)"
    );
    assert_eq!(
        b.t0(MAX_T0 + 1).build(),
        Err(Error::T0TooLate {
            got: MAX_T0 + 1,
            max: MAX_T0
        })
    );
    assert_eq!(
        "otp".parse::<Kind>().unwrap_err().to_string(),
        "unknown OTP type \"otp\" (expected totp, hotp or steam)"
    );
}

/// RFC 6238 appendix B and RFC 4226 appendix D through `Params::generator`.
#[test]
fn generator_from_params_gives_the_rfc_codes() {
    let totp = Params::builder(Kind::Totp).digits(8).build().unwrap();
    match totp.generator(secret()) {
        Generator::Totp(t) => assert_eq!(t.generate(1_111_111_109).as_str(), "07081804"),
        Generator::Hotp(_) => panic!("TOTP parameters made an HOTP generator"),
    }
    match Params::of(Kind::Hotp).generator(secret()) {
        Generator::Hotp(h) => assert_eq!(h.generate(9).as_str(), "520489"),
        Generator::Totp(_) => panic!("HOTP parameters made a TOTP generator"),
    }
    match Params::of(Kind::Steam).generator(secret()) {
        Generator::Totp(t) => {
            assert!(t.is_steam());
            assert_eq!(t.generate(59).as_str(), "PV9M4");
        }
        Generator::Hotp(_) => panic!("Steam parameters made an HOTP generator"),
    }
}

proptest! {
    /// `build` accepts exactly the documented bounds, for every kind, and never panics.
    #[test]
    fn build_accepts_exactly_the_bounds(
        kind in kind(),
        algorithm in algorithm(),
        digits in digits(),
        period in period(),
        t0 in t0(),
    ) {
        let got = Params::builder(kind)
            .algorithm(algorithm)
            .digits(digits)
            .period(period)
            .t0(t0)
            .build();
        let digits_ok = kind == Kind::Steam || (MIN_DIGITS..=MAX_DIGITS).contains(&digits);
        let ok = digits_ok && (1..=MAX_PERIOD).contains(&period) && t0 <= MAX_T0;
        prop_assert_eq!(got.is_ok(), ok, "{:?}", got);
        if let Ok(p) = got {
            prop_assert_eq!(p.kind(), kind);
            prop_assert_eq!(p.algorithm(), algorithm);
            match kind {
                Kind::Steam => prop_assert_eq!(p.digits(), STEAM_DIGITS),
                _ => prop_assert_eq!(p.digits(), digits),
            }
            if kind == Kind::Hotp {
                prop_assert_eq!((p.period(), p.t0()), (Params::DEFAULT_PERIOD, Params::DEFAULT_T0));
            } else {
                prop_assert_eq!((p.period(), p.t0()), (period, t0));
            }
            // A builder from the parameters builds them again.
            prop_assert_eq!(p.to_builder().build(), Ok(p));
        }
    }

    /// The generator `Params` make is the one the `Totp` / `Hotp` builders make.
    #[test]
    fn generator_agrees_with_the_builders(
        kind in kind(),
        algorithm in algorithm(),
        digits in MIN_DIGITS..=MAX_DIGITS,
        period in 1u64..=MAX_PERIOD,
        t0 in 0u64..=MAX_T0,
        at in any::<u64>(),
    ) {
        let p = Params::builder(kind)
            .algorithm(algorithm)
            .digits(digits)
            .period(period)
            .t0(t0)
            .build()
            .unwrap();
        let g = p.generator(secret());
        prop_assert_eq!(g.params(), p);
        let code = g.generate(at);
        match (kind, g) {
            (Kind::Hotp, Generator::Hotp(h)) => {
                let b = Hotp::builder(secret()).algorithm(algorithm).digits(digits).build().unwrap();
                prop_assert_eq!(h.generate(at), b.generate(at));
                prop_assert_eq!(code, b.generate(at));
            }
            (Kind::Totp | Kind::Steam, Generator::Totp(t)) => {
                let mut b = Totp::builder(secret()).algorithm(algorithm).period(period).t0(t0);
                b = if kind == Kind::Steam { b.steam() } else { b.digits(digits) };
                let b = b.build().unwrap();
                prop_assert_eq!(t.generate(at), b.generate(at));
                prop_assert_eq!(code, b.generate(at));
                prop_assert_eq!(t.remaining_seconds(at), b.remaining_seconds(at));
            }
            (k, g) => prop_assert!(false, "{k:?} made {g:?}"),
        }
    }

    /// `Kind` parses its own names in any case and refuses everything else with an error
    /// quoting at most 32 characters.
    #[test]
    fn kind_parses_arbitrary_text(s in any::<String>(), k in kind(), upper in any::<bool>()) {
        match s.parse::<Kind>() {
            Ok(parsed) => prop_assert!(parsed.as_str().eq_ignore_ascii_case(s.trim())),
            Err(Error::InvalidKind { got }) => prop_assert!(got.chars().count() <= 32),
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
        let name = if upper { k.as_str().to_ascii_uppercase() } else { k.as_str().to_owned() };
        prop_assert_eq!(name.parse::<Kind>(), Ok(k));
    }
}
