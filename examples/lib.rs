//! Examples of iamkit's libraries: run one with `cargo run -p iamkit-examples --example NAME`.
//!
//! This crate's documentation is the top-level README, so its Rust snippets run as doctests.
#![doc = include_str!("../README.md")]
