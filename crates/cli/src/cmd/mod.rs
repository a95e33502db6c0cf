//! One module per command of the contract (`shared/spec/cli.md`), in the order the top-level
//! help lists them. Each parses its own flags (clap structs), calls the libraries, prints through
//! [`crate::io`] and returns a [`crate::error::CliResult`].

pub(crate) mod creds;
pub(crate) mod key;
pub(crate) mod mfa;
pub(crate) mod otp;
pub(crate) mod sign;
pub(crate) mod store;
pub(crate) mod verify;
