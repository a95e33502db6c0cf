//! The lenient base32 secret parser never panics; whatever parses re-encodes to the same bytes
//! (parse(to_base32(parse(s))) == parse(s)), and the strict and lenient paths agree.
#![no_main]

use iamkit_otp::{Secret, insecure};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let lenient = insecure::secret_from_base32(s);
    if let Ok(secret) = &lenient {
        let b32 = secret.to_base32();
        assert!(!b32.contains('='));
        let again = insecure::secret_from_base32(&b32).expect("re-parse of our own base32");
        assert_eq!(again.expose_secret(), secret.expose_secret());
        // A lower-case copy parses to the same bytes too.
        let lower = insecure::secret_from_base32(&b32.to_lowercase()).expect("lower case");
        assert_eq!(lower.expose_secret(), secret.expose_secret());
        assert_eq!(secret.len_bits() % 8, 0);
    }
    // The strict constructor accepts exactly the lenient results of at least 128 bits.
    match (Secret::from_base32(s), &lenient) {
        (Ok(strict), Ok(l)) => assert_eq!(strict.expose_secret(), l.expose_secret()),
        (Err(_), Ok(l)) => assert!(l.len_bits() < 128),
        (Ok(_), Err(_)) => panic!("strict accepted what lenient refused"),
        (Err(_), Err(_)) => {}
    }
});
