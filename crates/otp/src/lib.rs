#![doc = include_str!("../README.md")]
#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

mod algorithm;
mod code;
mod error;
pub mod fresh;
mod hotp;
mod params;
pub mod replay;
mod secret;
mod store;
pub mod throttle;
mod totp;
mod verify;

pub use algorithm::Algorithm;
pub use code::Code;
pub use error::{Error, VerifyError};
pub use hotp::{Hotp, HotpBuilder};
pub use params::{
    Generator, Kind, MAX_DIGITS, MAX_PERIOD, MAX_T0, MIN_DIGITS, Params, ParamsBuilder,
    STEAM_DIGITS,
};
pub use secret::{MIN_SECRET_BITS, Secret, SecretBits, insecure};
pub use store::{Refused, StoreError};
pub use totp::{Totp, TotpBuilder};
pub use verify::{Matched, Window};
