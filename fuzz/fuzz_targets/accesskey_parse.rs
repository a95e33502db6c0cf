//! The access key ID parser never panics, and whatever parses re-serialises to the same string
//! (and inspects without panicking).
#![no_main]

use iamkit_accesskey::{AccessKeyId, AccountId, Generation, SecretAccessKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = AccessKeyId::parse(s) {
        assert_eq!(id.as_str(), s);
        assert_eq!(id.to_string(), s);
        let info = id.inspect();
        assert!(!(info.account_id.is_some() && info.generation == Generation::Old));
        assert_eq!(AccessKeyId::from_payload(id.prefix(), id.payload()), id);
        let again: AccessKeyId = id.as_str().parse().expect("re-parse");
        assert_eq!(again, id);
    }
    if let Ok(a) = s.parse::<AccountId>() {
        assert_eq!(a.to_string(), s);
    }
    if let Ok(secret) = SecretAccessKey::parse(s) {
        assert_eq!(secret.expose_secret(), s);
    }
});
