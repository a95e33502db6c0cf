#![doc = include_str!("../README.md")]

pub mod error;
mod parse;
mod uri;
mod build;
mod warnings;
pub mod migration;
#[cfg(feature = "qr")]
pub mod qr;

pub use build::OtpAuthUriBuilder;
pub use error::{Error, LabelField};
pub use iamkit_otp::{Kind, Params};
#[cfg(feature = "qr")]
pub use qr::QrCode;
pub use uri::OtpAuthUri;
pub use warnings::Warning;
