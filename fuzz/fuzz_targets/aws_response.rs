//! STS answers of any bytes and any status never panic: each is a typed answer, an AWS refusal
//! or a clear "not a valid AWS response"; and a parsed answer's fields hold what the rules say.
#![no_main]

use iamkit_aws::{
    AssumeRoleResponse, CallerIdentity, CreateAccessKeyResponse, CreateVirtualMfaDeviceResponse,
    DeleteAccessKeyResponse, Error, GetSessionTokenResponse, GetUserResponse,
    ListAccessKeysResponse, ListMfaDevicesResponse, check_rotation, parse_expiration,
    parse_response,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (100 + u16::from(*s) * 2, rest),
        None => (200, data),
    };
    match parse_response::<GetSessionTokenResponse>(status, body) {
        Ok(r) => {
            assert!((200..300).contains(&status));
            let c = &r.credentials;
            assert!(c.access_key_id().starts_with("ASIA"));
            assert_eq!(c.secret_access_key().len(), 40);
            assert!(!c.session_token().is_empty());
        }
        Err(Error::Aws(e)) => assert!(!e.code.is_empty()),
        Err(Error::MalformedResponse { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
    let _ = parse_response::<AssumeRoleResponse>(status, body);
    let _ = parse_response::<CallerIdentity>(status, body);
    let _ = parse_expiration(&String::from_utf8_lossy(body));
    // IAM: the seed decodes to a secret (base64 of base32), keys are checked, lists hold what
    // the rules say; a rotation check over any list answers without panicking.
    match parse_response::<CreateVirtualMfaDeviceResponse>(status, body) {
        Ok(r) => {
            assert!((10..=80).contains(&r.seed.secret().len()));
            assert!(r.serial_number.as_str().len() >= 9);
        }
        Err(Error::Aws(_) | Error::MalformedResponse { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
    if let Ok(r) = parse_response::<CreateAccessKeyResponse>(status, body) {
        assert_eq!(r.access_key.secret_access_key.len(), 40);
    }
    if let Ok(r) = parse_response::<ListAccessKeysResponse>(status, body) {
        for k in &r.keys {
            let _ = check_rotation(&r, &k.access_key_id);
        }
        let _ = check_rotation(&r, "AKIAIOSFODNN7EXAMPLE");
    }
    let _ = parse_response::<ListMfaDevicesResponse>(status, body);
    let _ = parse_response::<GetUserResponse>(status, body);
    let _ = parse_response::<DeleteAccessKeyResponse>(status, body);
});
