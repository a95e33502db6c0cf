#![doc = include_str!("../README.md")]

pub mod error;
pub mod migration;
pub mod qr;
pub mod uri;

pub use error::{Error, LabelField};
pub use qr::QrCode;
pub use uri::{Generator, OtpAuthUri, OtpAuthUriBuilder, OtpType, Warning};
