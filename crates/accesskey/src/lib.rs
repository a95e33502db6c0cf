#![doc = include_str!("../README.md")]

pub mod account;
pub mod error;
pub mod key_id;
pub mod pair;
pub mod prefix;
pub mod secret;

pub use account::AccountId;
pub use error::Error;
pub use key_id::{AccessKeyId, Generation, Inspection, KEY_ID_LEN};
pub use pair::{ExposedKeyPair, KeyPair};
pub use prefix::Prefix;
pub use secret::{SECRET_LEN, SecretAccessKey};
