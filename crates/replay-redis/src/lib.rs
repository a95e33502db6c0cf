#![doc = include_str!("../README.md")]

mod error;
mod pool;
mod script;
mod store;
mod url;

pub use error::Error;
pub use store::{RedisStore, RedisStoreBuilder};
