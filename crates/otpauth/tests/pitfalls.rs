//! Every pitfall of issue 3 (and of the Key URI format in the wild) as a named test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamkit_otp::{Algorithm, Secret, insecure};
use iamkit_otpauth::{Error, Kind, LabelField, OtpAuthUri, Warning};

/// 160-bit RFC 6238 SHA1 secret "12345678901234567890".
const RFC: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn parse(uri: &str) -> OtpAuthUri {
    OtpAuthUri::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

fn parse_err(uri: &str) -> Error {
    match OtpAuthUri::parse(uri) {
        Ok(u) => panic!("{uri} parsed: {u:?}"),
        Err(e) => e,
    }
}

fn rfc_secret() -> Secret {
    Secret::from_base32(RFC).unwrap()
}

// --- label -----------------------------------------------------------------------------------

#[test]
fn key_uri_format_example_encoded_separator_and_leading_space() {
    let u =
        parse("otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=JBSWY3DPEHPK3PXP");
    assert_eq!(u.issuer(), Some("Big Corporation"));
    assert_eq!(u.account(), "alice@bigco.com");
}

#[test]
fn label_separator_is_first_raw_colon() {
    let u = parse(&format!("otpauth://totp/Example:alice:work?secret={RFC}"));
    assert_eq!(u.issuer(), Some("Example"));
    assert_eq!(u.account(), "alice:work");
}

#[test]
fn label_separator_encoded_colon_before_raw_colon_wins() {
    let u = parse(&format!("otpauth://totp/Example%3aalice:work?secret={RFC}"));
    assert_eq!(u.issuer(), Some("Example"));
    assert_eq!(u.account(), "alice:work");
}

#[test]
fn label_raw_colon_before_encoded_colon_wins() {
    let u = parse(&format!("otpauth://totp/Example:alice%3Awork?secret={RFC}"));
    assert_eq!(u.issuer(), Some("Example"));
    assert_eq!(u.account(), "alice:work");
}

#[test]
fn label_halves_are_decoded_exactly_once() {
    let u = parse(&format!("otpauth://totp/A%2541:b%2520c?secret={RFC}"));
    assert_eq!(u.issuer(), Some("A%41"));
    assert_eq!(u.account(), "b%20c");
}

#[test]
fn label_leading_spaces_trimmed_raw_and_encoded() {
    for label in [
        "Example:%20%20alice",
        "%20Example:%20alice",
        "Example: alice",
        "Example%3A+%20alice",
    ] {
        let u = parse(&format!("otpauth://totp/{label}?secret={RFC}"));
        assert_eq!(u.issuer(), Some("Example"), "{label}");
        // '+' in the path is literal, so the last one keeps it.
        let want = if label.contains('+') {
            "+ alice"
        } else {
            "alice"
        };
        assert_eq!(u.account(), want, "{label}");
    }
}

#[test]
fn label_without_issuer_prefix() {
    let u = parse(&format!("otpauth://totp/alice%40example.com?secret={RFC}"));
    assert_eq!(u.issuer(), None);
    assert_eq!(u.account(), "alice@example.com");
}

#[test]
fn aws_console_style_label_name_at_account() {
    let u = parse(&format!("otpauth://totp/alice@123456789012?secret={RFC}"));
    assert_eq!(u.issuer(), None);
    assert_eq!(u.account(), "alice@123456789012");
}

#[test]
fn plus_in_path_is_literal() {
    let u = parse(&format!(
        "otpauth://totp/Example:alice+work@example.com?secret={RFC}"
    ));
    assert_eq!(u.account(), "alice+work@example.com");
}

#[test]
fn plus_in_parameter_value_is_a_space() {
    let u = parse(&format!(
        "otpauth://totp/Big%20Corp:alice?secret={RFC}&issuer=Big+Corp"
    ));
    assert_eq!(u.issuer(), Some("Big Corp"));
    assert!(u.warnings().is_empty(), "{:?}", u.warnings());
}

#[test]
fn encoded_plus_in_parameter_value_stays_a_plus_and_stray_percent_is_literal() {
    let u = parse(&format!(
        "otpauth://totp/a?secret={RFC}&issuer=C%2B%2B+Shop%zz%4"
    ));
    assert_eq!(u.issuer(), Some("C++ Shop%zz%4"));
    let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&issuer=%FF"));
    assert!(
        matches!(e, Error::InvalidEncoding { part: "issuer" }),
        "{e}"
    );
    // Parameter names may be percent-encoded too.
    let u = parse(&format!("otpauth://totp/a?%73ecret={RFC}&%49ssuer=X"));
    assert_eq!(u.issuer(), Some("X"));
}

#[test]
fn unicode_label_round_trips() {
    let b = OtpAuthUri::totp(rfc_secret(), "josé 日本 😀").issuer("Bücher & Co");
    let u = b.build().unwrap();
    let text = u.to_uri();
    assert!(text.is_ascii(), "{}", &*text);
    let back = parse(&text);
    assert_eq!(back.account(), "josé 日本 😀");
    assert_eq!(back.issuer(), Some("Bücher & Co"));
}

#[test]
fn invalid_utf8_in_label_is_an_error() {
    assert!(matches!(
        parse_err(&format!("otpauth://totp/%FF%FE?secret={RFC}")),
        Error::InvalidEncoding { part: "label" }
    ));
}

// --- emission --------------------------------------------------------------------------------

#[test]
fn emit_percent20_for_spaces_in_label_and_issuer() {
    let u = OtpAuthUri::totp(rfc_secret(), "alice smith")
        .issuer("Big Corporation")
        .build()
        .unwrap();
    assert_eq!(
        u.to_uri().as_str(),
        format!(
            "otpauth://totp/Big%20Corporation:alice%20smith?secret={RFC}&issuer=Big%20Corporation"
        )
    );
}

#[test]
fn emit_non_defaults_only_in_documented_order() {
    let u = OtpAuthUri::totp(rfc_secret(), "a")
        .issuer("I")
        .algorithm(Algorithm::Sha256)
        .digits(8)
        .period(60)
        .build()
        .unwrap();
    assert_eq!(
        u.to_uri().as_str(),
        format!("otpauth://totp/I:a?secret={RFC}&issuer=I&algorithm=SHA256&digits=8&period=60")
    );
    let defaults = OtpAuthUri::totp(rfc_secret(), "a")
        .algorithm(Algorithm::Sha1)
        .digits(6)
        .period(30)
        .build()
        .unwrap();
    assert_eq!(
        defaults.to_uri().as_str(),
        format!("otpauth://totp/a?secret={RFC}")
    );
}

#[test]
fn emit_counter_always_for_hotp_even_zero() {
    let u = OtpAuthUri::hotp(rfc_secret(), "a", 0)
        .issuer("I")
        .build()
        .unwrap();
    assert_eq!(
        u.to_uri().as_str(),
        format!("otpauth://hotp/I:a?secret={RFC}&issuer=I&counter=0")
    );
}

#[test]
fn emit_reserved_characters_encoded() {
    let u = OtpAuthUri::totp(rfc_secret(), "a/b?c#d&e=f+g%h")
        .issuer("x&y=z")
        .build()
        .unwrap();
    let text = u.to_uri();
    assert_eq!(
        text.as_str(),
        format!(
            "otpauth://totp/x%26y%3Dz:a%2Fb%3Fc%23d%26e%3Df%2Bg%25h?secret={RFC}&issuer=x%26y%3Dz"
        )
    );
    let back = parse(&text);
    assert_eq!(back.account(), "a/b?c#d&e=f+g%h");
    assert_eq!(back.issuer(), Some("x&y=z"));
}

// --- issuer ----------------------------------------------------------------------------------

#[test]
fn issuer_parameter_wins_and_mismatch_is_a_warning() {
    let u = parse(&format!(
        "otpauth://totp/Microsoft:alice@contoso.com?secret={RFC}&issuer=Contoso"
    ));
    assert_eq!(u.issuer(), Some("Contoso"));
    assert_eq!(u.account(), "alice@contoso.com");
    assert_eq!(
        u.warnings(),
        &[Warning::IssuerMismatch {
            label: "Microsoft".into(),
            parameter: "Contoso".into()
        }]
    );
    assert_eq!(
        u.warnings()[0].to_string(),
        "the issuer parameter \"Contoso\" differs from the label's issuer \"Microsoft\"; using \"Contoso\""
    );
}

#[test]
fn issuer_from_parameter_only() {
    let u = parse(&format!("otpauth://totp/alice?secret={RFC}&issuer=Example"));
    assert_eq!(u.issuer(), Some("Example"));
    assert!(u.warnings().is_empty());
}

#[test]
fn empty_issuer_parameter_falls_back_to_label() {
    let u = parse(&format!(
        "otpauth://totp/Example:alice?secret={RFC}&issuer="
    ));
    assert_eq!(u.issuer(), Some("Example"));
}

// --- secret ----------------------------------------------------------------------------------

#[test]
fn secret_lower_case_padded_spaced_or_percent_3d_accepted_and_emitted_canonical() {
    let want = insecure::secret_from_base32("JBSWY3DPEHPK3PXPJA").unwrap(); // 90 bits → 11 bytes
    for s in [
        "jbswy3dpehpk3pxpja",
        "JBSWY3DPEHPK3PXPJA======",
        "JBSWY3DPEHPK3PXPJA%3D%3D%3D%3D%3D%3D",
        "jbsw%20y3dp%20ehpk%203pxp%20ja",
        "jbsw+y3dp+ehpk+3pxp+ja",
        "JBSW-Y3DP-EHPK-3PXP-JA",
    ] {
        let u = parse(&format!("otpauth://totp/a?secret={s}"));
        assert_eq!(u.secret(), &want, "{s}");
        assert_eq!(
            u.to_uri().as_str(),
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXPJA",
            "{s}"
        );
    }
}

#[test]
fn short_secret_accepted_with_warning() {
    let u = parse("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP");
    assert_eq!(u.secret().len_bits(), 80);
    assert_eq!(u.warnings(), &[Warning::ShortSecret { bits: 80 }]);
    assert_eq!(
        u.warnings()[0].to_string(),
        "the secret is only 80 bits long (RFC 4226 asks for at least 128)"
    );
}

#[test]
fn missing_or_empty_secret_is_an_error() {
    for uri in [
        "otpauth://totp/a?issuer=b",
        "otpauth://totp/a?secret=",
        "otpauth://totp/a?secret=%20",
        "otpauth://totp/a",
    ] {
        assert!(matches!(parse_err(uri), Error::MissingSecret), "{uri}");
    }
}

#[test]
fn invalid_secret_error_does_not_quote_the_secret() {
    let e = parse_err("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP1QRSTUV");
    assert!(matches!(e, Error::InvalidSecret(_)));
    let msg = e.to_string();
    assert!(msg.contains("'1'"), "{msg}");
    assert!(
        !msg.contains("JBSWY3DP") && !msg.contains("QRSTUV"),
        "{msg}"
    );
}

#[test]
fn debug_output_redacts_the_secret() {
    let u = parse(&format!("otpauth://totp/a?secret={RFC}"));
    let dbg = format!("{u:?}");
    assert!(!dbg.contains(RFC), "{dbg}");
    assert!(!dbg.contains("49, 50, 51"), "{dbg}"); // the bytes "123"
    assert!(dbg.contains("redacted"), "{dbg}");
}

// --- case-insensitivity ----------------------------------------------------------------------

#[test]
fn scheme_host_parameter_names_and_algorithm_in_any_case() {
    let u = parse(&format!(
        "OTPAUTH://TOTP/a?SECRET={RFC}&Algorithm=sha256&DIGITS=8&Period=60&ISSUER=x"
    ));
    assert_eq!(u.kind(), Kind::Totp);
    assert_eq!(u.algorithm(), Algorithm::Sha256);
    assert_eq!(u.digits(), 8);
    assert_eq!(u.period(), Some(60));
    assert_eq!(u.issuer(), Some("x"));
    let h = parse(&format!(
        "otpauth://HoTp/a?secret={RFC}&CoUnTeR=5&algorithm=Sha512"
    ));
    assert_eq!(h.kind(), Kind::Hotp);
    assert_eq!(h.counter(), Some(5));
    assert_eq!(h.algorithm(), Algorithm::Sha512);
}

#[test]
fn surrounding_whitespace_and_unknown_parameters_are_ignored() {
    let u = parse(&format!(
        "  otpauth://totp/a?secret={RFC}&image=https%3A%2F%2Fx%2Fy.png&image=z&color=red\n"
    ));
    assert_eq!(u.account(), "a");
}

// --- errors ----------------------------------------------------------------------------------

#[test]
fn duplicate_security_parameters_are_errors() {
    for (dup, name) in [
        (format!("secret={RFC}&secret={RFC}"), "secret"),
        (format!("secret={RFC}&SECRET={RFC}"), "secret"),
        (
            format!("secret={RFC}&algorithm=SHA1&algorithm=SHA256"),
            "algorithm",
        ),
        (format!("secret={RFC}&digits=6&digits=8"), "digits"),
        (format!("secret={RFC}&period=30&period=60"), "period"),
        (format!("secret={RFC}&issuer=a&issuer=b"), "issuer"),
        (
            format!("secret={RFC}&encoder=steam&encoder=steam"),
            "encoder",
        ),
    ] {
        let e = parse_err(&format!("otpauth://totp/a?{dup}"));
        assert!(
            matches!(e, Error::DuplicateParameter { name: n } if n == name),
            "{dup}: {e}"
        );
    }
    let e = parse_err(&format!(
        "otpauth://hotp/a?secret={RFC}&counter=1&counter=2"
    ));
    assert!(
        matches!(e, Error::DuplicateParameter { name: "counter" }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "the otpauth URI has more than one counter parameter (expected at most one)"
    );
}

#[test]
fn period_zero_is_an_error() {
    let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&period=0"));
    assert!(
        matches!(e, Error::InvalidParameter { name: "period", .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "invalid period parameter \"0\" (expected a number of seconds, 1 to 86400 (a day))"
    );
}

#[test]
fn periods_over_a_day_are_refused_by_the_parser_and_the_builder() {
    // period=2^64-1 parsed, then `2 * period + 1` overflowed in the CLI's --fresh.
    for p in ["86401", "18446744073709551615", "4294967296"] {
        let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&period={p}"));
        assert!(
            matches!(e, Error::InvalidParameter { name: "period", .. }),
            "{p}: {e}"
        );
        assert!(e.to_string().contains("1 to 86400"), "{e}");
    }
    let day = OtpAuthUri::parse(&format!("otpauth://totp/a?secret={RFC}&period=86400")).unwrap();
    assert_eq!(day.period(), Some(86_400));
    let e = OtpAuthUri::totp(rfc_secret(), "a")
        .period(86_401)
        .build()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "period", .. }),
        "{e}"
    );
}

#[test]
fn non_numeric_parameters_are_errors() {
    for (p, name) in [
        ("period=-30", "period"),
        ("period=3x", "period"),
        ("digits=six", "digits"),
        ("digits=", "digits"),
        ("period=99999999999999999999999", "period"),
    ] {
        let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&{p}"));
        assert!(
            matches!(e, Error::InvalidParameter { name: n, .. } if n == name),
            "{p}: {e}"
        );
    }
    let e = parse_err(&format!("otpauth://hotp/a?secret={RFC}&counter=-1"));
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "counter",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn digits_outside_6_to_10_are_errors() {
    for d in ["4", "5", "11", "0"] {
        let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&digits={d}"));
        assert!(
            matches!(e, Error::InvalidParameter { name: "digits", .. }),
            "{d}: {e}"
        );
    }
    assert_eq!(
        parse(&format!("otpauth://totp/a?secret={RFC}&digits=10")).digits(),
        10
    );
}

#[test]
fn hotp_without_counter_is_an_error() {
    let e = parse_err(&format!("otpauth://hotp/a?secret={RFC}"));
    assert!(matches!(e, Error::MissingCounter), "{e}");
    assert_eq!(
        e.to_string(),
        "the HOTP URI has no counter parameter (expected counter=N, a non-negative integer)"
    );
}

#[test]
fn unknown_algorithm_is_an_error() {
    for a in ["MD5", "SHA3-256", "", "sha"] {
        let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&algorithm={a}"));
        assert!(matches!(e, Error::UnknownAlgorithm { .. }), "{a}: {e}");
    }
    assert_eq!(
        parse_err(&format!("otpauth://totp/a?secret={RFC}&algorithm=MD5")).to_string(),
        "unknown algorithm \"MD5\" (expected SHA1, SHA256 or SHA512)"
    );
}

#[test]
fn unknown_type_or_scheme_is_an_error() {
    assert!(matches!(
        parse_err(&format!("otpauth://motp/a?secret={RFC}")),
        Error::UnknownType { .. }
    ));
    assert!(matches!(
        parse_err(&format!("https://totp/a?secret={RFC}")),
        Error::InvalidScheme { .. }
    ));
    assert!(matches!(
        parse_err("otpauth-migration://offline?data=CgA%3D"),
        Error::InvalidScheme { .. }
    ));
}

#[test]
fn unknown_encoder_is_an_error() {
    let e = parse_err(&format!("otpauth://totp/a?secret={RFC}&encoder=yandex"));
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "encoder",
                ..
            }
        ),
        "{e}"
    );
}

// --- building strictly -----------------------------------------------------------------------

#[test]
fn colon_in_issuer_or_account_refused_when_building() {
    let e = OtpAuthUri::totp(rfc_secret(), "alice")
        .issuer("Ex:ample")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidLabel {
                field: LabelField::Issuer,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "the issuer cannot be written into an otpauth label: it contains ':', the separator between issuer and account"
    );
    let e = OtpAuthUri::totp(rfc_secret(), "ali:ce")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidLabel {
                field: LabelField::Account,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn leading_space_empty_or_control_labels_refused_when_building() {
    for account in [" alice", "", "a\nb", "\talice"] {
        let e = OtpAuthUri::totp(rfc_secret(), account).build().unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidLabel {
                    field: LabelField::Account,
                    ..
                }
            ),
            "{account:?}: {e}"
        );
    }
    let e = OtpAuthUri::totp(rfc_secret(), "a")
        .issuer("")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidLabel {
                field: LabelField::Issuer,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn builder_refuses_bad_parameters() {
    for d in [5, 11] {
        let e = OtpAuthUri::totp(rfc_secret(), "a")
            .digits(d)
            .build()
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "digits", .. }),
            "{e}"
        );
    }
    let e = OtpAuthUri::totp(rfc_secret(), "a")
        .period(0)
        .build()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "period", .. }),
        "{e}"
    );
    let e = OtpAuthUri::hotp(rfc_secret(), "a", 1)
        .period(30)
        .build()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "period", .. }),
        "{e}"
    );
    let e = OtpAuthUri::steam(rfc_secret(), "a")
        .digits(6)
        .build()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "digits", .. }),
        "{e}"
    );
}

#[test]
fn rebuild_of_a_leniently_parsed_colon_account_is_refused() {
    let u = parse(&format!("otpauth://totp/Example:alice:work?secret={RFC}"));
    assert!(matches!(
        u.rebuild(),
        Err(Error::InvalidLabel {
            field: LabelField::Account,
            ..
        })
    ));
}

// --- warnings --------------------------------------------------------------------------------

#[test]
fn non_default_parameters_google_authenticator_ignores_are_warned() {
    let u = parse(&format!(
        "otpauth://totp/a?secret={RFC}&algorithm=SHA512&digits=8&period=60"
    ));
    let params: Vec<&str> = u
        .warnings()
        .iter()
        .map(|w| match w {
            Warning::IgnoredByGoogleAuthenticator { parameter, .. } => *parameter,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(params, ["algorithm", "digits", "period"]);
    assert_eq!(
        u.warnings()[2].to_string(),
        "period=60 is not the default; Google Authenticator and some other apps ignore it and would show wrong codes"
    );
}

#[test]
fn parameters_meaningless_for_the_type_are_warned() {
    let h = parse(&format!(
        "otpauth://hotp/a?secret={RFC}&counter=1&period=60"
    ));
    assert_eq!(h.period(), None);
    assert!(matches!(
        h.warnings(),
        [Warning::IgnoredParameter {
            parameter: "period",
            ..
        }]
    ));
    let t = parse(&format!("otpauth://totp/a?secret={RFC}&counter=1"));
    assert_eq!(t.counter(), None);
    assert!(matches!(
        t.warnings(),
        [Warning::IgnoredParameter {
            parameter: "counter",
            ..
        }]
    ));
}

// --- Steam -----------------------------------------------------------------------------------

#[test]
fn steam_all_three_forms_parse_to_steam() {
    for uri in [
        format!("otpauth://steam/Steam:gaben?secret={RFC}"),
        format!("otpauth://totp/Steam:gaben?secret={RFC}&issuer=Steam&digits=5"),
        format!("otpauth://totp/gaben?secret={RFC}&issuer=steam&digits=5"),
        format!("otpauth://totp/Valve:gaben?secret={RFC}&encoder=steam"),
        format!("otpauth://totp/gaben?secret={RFC}&encoder=Steam&digits=5"),
    ] {
        let u = parse(&uri);
        assert_eq!(u.kind(), Kind::Steam, "{uri}");
        assert_eq!(u.digits(), 5, "{uri}");
        assert_eq!(u.period(), Some(30), "{uri}");
        let totp = u.to_totp().unwrap();
        assert!(totp.is_steam(), "{uri}");
        let code = totp.generate(1_700_000_000);
        assert_eq!(code.as_str().len(), 5);
        assert!(
            code.as_str()
                .bytes()
                .all(|b| b"23456789BCDFGHJKMNPQRTVWXY".contains(&b))
        );
    }
    // Issuer Steam with the usual six digits stays TOTP.
    assert_eq!(
        parse(&format!(
            "otpauth://totp/Steam:gaben?secret={RFC}&issuer=Steam"
        ))
        .kind(),
        Kind::Totp
    );
}

#[test]
fn steam_is_built_as_totp_with_encoder_and_parses_back() {
    let u = OtpAuthUri::steam(rfc_secret(), "gaben").build().unwrap();
    assert_eq!(
        u.to_uri().as_str(),
        format!("otpauth://totp/Steam:gaben?secret={RFC}&issuer=Steam&digits=5&encoder=steam")
    );
    assert_eq!(parse(&u.to_uri()), u);
}

#[test]
fn steam_with_contradicting_parameters_warns_and_keeps_steam_rules() {
    let u = parse(&format!(
        "otpauth://steam/gaben?secret={RFC}&digits=6&algorithm=SHA256"
    ));
    assert_eq!(u.digits(), 5);
    assert_eq!(u.algorithm(), Algorithm::Sha1);
    assert_eq!(u.warnings().len(), 2, "{:?}", u.warnings());
    assert!(matches!(
        parse_err(&format!(
            "otpauth://hotp/gaben?secret={RFC}&counter=1&encoder=steam"
        )),
        Error::InvalidParameter {
            name: "encoder",
            ..
        }
    ));
}

// --- generators ------------------------------------------------------------------------------

#[test]
fn parsed_uri_yields_rfc_codes() {
    // RFC 6238 appendix B, SHA1, T = 59 s → 94287082.
    let u = parse(&format!("otpauth://totp/a?secret={RFC}&digits=8"));
    assert_eq!(u.to_totp().unwrap().generate(59).as_str(), "94287082");
    // RFC 4226 appendix D, counter 0 → 755224, counter 9 → 520489.
    let h = parse(&format!("otpauth://hotp/a?secret={RFC}&counter=9"));
    let hotp = h.to_hotp().unwrap();
    assert_eq!(hotp.generate(0).as_str(), "755224");
    assert_eq!(hotp.generate(h.counter().unwrap()).as_str(), "520489");
    assert!(matches!(
        h.to_totp(),
        Err(Error::WrongType {
            expected: "totp",
            found: "hotp"
        })
    ));
    assert!(matches!(
        u.to_hotp(),
        Err(Error::WrongType {
            expected: "hotp",
            found: "totp"
        })
    ));
}
