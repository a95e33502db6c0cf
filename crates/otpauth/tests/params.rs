#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `Params` → URI → `Params`: every parameter set a URI can hold comes back the same (T0 aside,
//! which the format cannot carry: kept on the built URI, warned about, 0 once parsed), and
//! what it cannot hold (Steam other than SHA1 / 30 s) is refused when building.

use iamkit_otp::{Algorithm, Generator, Kind, MAX_PERIOD, MAX_T0, Params, Secret, insecure};
use iamkit_otpauth::{Error, OtpAuthUri, Warning};
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

/// Any checked parameter set: defaults often, every bound sometimes.
fn params() -> impl Strategy<Value = Params> {
    (
        kind(),
        algorithm(),
        6u32..=10,
        prop_oneof![Just(30u64), Just(60), 1u64..=MAX_PERIOD],
        prop_oneof![3 => Just(0u64), 1 => 0u64..=MAX_T0],
    )
        .prop_map(|(kind, algorithm, digits, period, t0)| {
            Params::builder(kind)
                .algorithm(algorithm)
                .digits(digits)
                .period(period)
                .t0(t0)
                .build()
                .unwrap()
        })
}

fn secret() -> impl Strategy<Value = Secret> {
    prop::collection::vec(any::<u8>(), 10..64)
        .prop_map(|b| insecure::secret_from_bytes(&b).unwrap())
}

fn steam_holds(p: &Params) -> bool {
    p.algorithm() == Params::DEFAULT_ALGORITHM && p.period() == Params::DEFAULT_PERIOD
}

#[test]
fn t0_is_kept_on_the_built_uri_and_warned_about() {
    let params = Params::builder(Kind::Totp).t0(1_000).build().unwrap();
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let uri = OtpAuthUri::builder(params, secret, "alice")
        .build()
        .unwrap();
    assert_eq!(uri.params().t0(), 1_000);
    assert!(
        uri.warnings()
            .contains(&Warning::T0NotExpressible { t0: 1_000 })
    );
    // The generator uses it: the code at T0 + 59 is RFC 6238's code at 59.
    match uri.generator() {
        Generator::Totp(t) => assert_eq!(t.generate(1_059).as_str(), "287082"),
        Generator::Hotp(_) => panic!("a TOTP URI made an HOTP generator"),
    }
    assert_eq!(OtpAuthUri::parse(&uri.to_uri()).unwrap().params().t0(), 0);
}

#[test]
fn a_counter_on_a_time_based_uri_is_refused() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    assert!(matches!(
        OtpAuthUri::totp(secret, "a").counter(3).build(),
        Err(Error::InvalidParameter {
            name: "counter",
            ..
        })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn params_to_uri_to_params(p in params(), secret in secret(), counter in any::<u64>()) {
        let built = OtpAuthUri::builder(p, secret.clone(), "alice@example.com")
            .issuer("Example");
        let built = if p.kind() == Kind::Hotp { built.counter(counter) } else { built };
        let built = built.build();
        if p.kind() == Kind::Steam && !steam_holds(&p) {
            prop_assert!(
                matches!(built, Err(Error::InvalidParameter { .. })),
                "{:?}", built
            );
            return Ok(());
        }
        let built = built.unwrap();
        prop_assert_eq!(built.params(), p);
        prop_assert_eq!(
            built.warnings().contains(&Warning::T0NotExpressible { t0: p.t0() }),
            p.t0() != 0
        );
        let back = OtpAuthUri::parse(&built.to_uri()).unwrap();
        let expected = p.to_builder().t0(0).build().unwrap();
        prop_assert_eq!(back.params(), expected);
        prop_assert_eq!(back.secret(), &secret);
        prop_assert_eq!(back.counter(), (p.kind() == Kind::Hotp).then_some(counter));
        // Rebuilding the parsed URI gives the same text.
        prop_assert_eq!(&*back.rebuild().unwrap().to_uri(), &*built.to_uri());
    }
}
