//! Examples of iamkit's libraries; run one with `cargo run -p iamkit-examples --example NAME`.
