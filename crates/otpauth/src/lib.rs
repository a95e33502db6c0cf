#![doc = include_str!("../README.md")]

mod build;
pub mod error;
pub mod migration;
mod parse;
#[cfg(feature = "qr")]
pub mod qr;
mod uri;
mod warnings;

pub use build::OtpAuthUriBuilder;
pub use error::{Error, LabelField};
pub use iamkit_otp::{Kind, Params};
#[cfg(feature = "qr")]
pub use qr::QrCode;
pub use uri::OtpAuthUri;
pub use warnings::Warning;
