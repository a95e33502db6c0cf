#![doc = include_str!("../README.md")]

mod algorithm;
mod code;
mod error;
pub mod fresh;
mod hotp;
pub mod replay;
mod secret;
mod store;
pub mod throttle;
mod totp;
mod verify;

pub use algorithm::Algorithm;
pub use code::Code;
pub use error::{Error, VerifyError};
pub use hotp::{Hotp, HotpBuilder, MAX_DIGITS, MIN_DIGITS};
pub use secret::{MIN_SECRET_BITS, Secret, SecretBits, insecure};
pub use store::{Refused, StoreError};
pub use totp::{MAX_PERIOD, MAX_T0, Totp, TotpBuilder};
pub use verify::{Matched, Window};
