//! The CLI contract (`../shared/spec/cli.md`) as data: every deterministic example is a case
//! file in `tests/cmd/` (`NAME.toml`: arguments and exit status; `NAME.stdin`, `NAME.stdout`,
//! `NAME.stderr`: what goes in and what must come out; `NAME.trycmd` with `NAME.in/`: several
//! commands against one store), run here through `trycmd`.
//!
//! Every case runs with the same environment: the file store in the case's own temporary
//! directory (relative `IAMKIT_STORE_DIR`, a test passphrase, the tests' cheap KDF), and the
//! example credentials of AWS's SigV4 test suite. Secrets come on stdin, never on argv.
//! `TRYCMD=overwrite cargo test -p iamkit-cli --test contract` rewrites the expected output
//! from what the binary prints; review that diff against the contract.
#![allow(missing_docs)]

mod util;

#[test]
fn contract() {
    trycmd::TestCases::new()
        .register_bin("iamkit", std::path::Path::new(util::BIN))
        .env("IAMKIT_STORE", "file")
        .env("IAMKIT_STORE_DIR", "store")
        .env("IAMKIT_PASSPHRASE", util::PASSPHRASE)
        .env("IAMKIT_CACHE_TTL", "0")
        .env("IAMKIT_INSECURE_FAST_KDF_FOR_TESTS", "10")
        .env("IAMKIT_KEYCHAIN_SERVICE", "iamkit-contract-tests")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_SESSION_TOKEN", "")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "aws-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "aws-credentials")
        .case("tests/cmd/*.toml")
        .case("tests/cmd/*.trycmd");
}
