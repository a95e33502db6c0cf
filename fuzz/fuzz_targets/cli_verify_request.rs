//! `iamkit verify`'s path from the bytes on stdin to a verdict (crates/cli/src/cmd/verify/raw.rs,
//! included as it is): parsing never panics, a parsed request turns into a verdict without
//! panicking, and no arbitrary input verifies.
#![no_main]

#[allow(dead_code, unreachable_pub)]
#[path = "../../crates/cli/src/cmd/verify/raw.rs"]
mod raw;

use iamkit_sigv4::{Credentials, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = raw::parse(data) else {
        return;
    };
    let now = Timestamp::from_unix_seconds(1_440_938_160).expect("fixed time");
    for (s3, explain) in [(false, true), (true, false)] {
        let options = raw::Options {
            service: None,
            region: None,
            s3,
            no_normalize_path: false,
            token_after_signing: false,
            now,
            explain,
        };
        let verdict = raw::verdict(&request, &options, |akid| {
            Some(Credentials::new(akid, "fuzz-secret-nobody-signed-with"))
        });
        assert!(verdict.reason.is_some(), "{verdict:?}");
    }
});
