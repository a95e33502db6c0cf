//! The otpauth-migration:// decoder never panics, on whole URIs and on raw protobuf payloads;
//! whatever decodes re-exports and decodes to the same accounts when the format can hold them.
#![no_main]

use iamkit_otpauth::migration;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = migration::decode_payload(data) {
        let accounts = batch.accounts();
        if !accounts.is_empty() {
            let export = migration::export_with_batch_id(accounts, batch.batch_id())
                .expect("imported accounts export");
            let mut back = Vec::new();
            for uri in export.uris() {
                back.extend(migration::import(uri).expect("our export imports").into_accounts());
            }
            assert_eq!(back.len(), accounts.len());
            for (a, b) in accounts.iter().zip(&back) {
                assert_eq!(a.secret(), b.secret());
                assert_eq!(a.kind(), b.kind());
                assert_eq!(a.counter(), b.counter());
                assert_eq!(a.algorithm(), b.algorithm());
                assert_eq!(a.digits(), b.digits());
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = migration::import(text);
        let _ = migration::import(&format!("otpauth-migration://offline?data={text}"));
    }
});
