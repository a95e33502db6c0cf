//! The otpauth:// URI parser never panics; whatever parses rebuilds (strict builder) and parses
//! back to the same fields, unless the builder refuses its label (':' or leading whitespace,
//! which the lenient parser can produce).
#![no_main]

use iamkit_otpauth::{Error, OtpAuthUri};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(uri) = OtpAuthUri::parse(text) else { return };
    // Every parsed URI yields a generator (infallible: its `Params` are checked), of its kind.
    assert_eq!(uri.generator().params(), uri.params());
    // Emitting is total, and what we emit parses.
    let emitted = uri.to_uri();
    let reparsed = OtpAuthUri::parse(&emitted).expect("our own output parses");
    assert_eq!(reparsed.secret(), uri.secret());
    assert_eq!(reparsed.params(), uri.params());
    match uri.rebuild() {
        Ok(rebuilt) => {
            let back = OtpAuthUri::parse(&rebuilt.to_uri()).expect("a rebuilt URI parses");
            assert_eq!(back.params(), uri.params());
            assert_eq!(back.issuer(), uri.issuer());
            assert_eq!(back.account(), uri.account());
            assert_eq!(back.secret(), uri.secret());
            assert_eq!(back.algorithm(), uri.algorithm());
            assert_eq!(back.digits(), uri.digits());
            assert_eq!(back.period(), uri.period());
            assert_eq!(back.counter(), uri.counter());
        }
        Err(Error::InvalidLabel { .. }) => {}
        Err(e) => panic!("a parsed URI failed to rebuild: {e}"),
    }
});
