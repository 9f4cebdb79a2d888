//! Tests of loading, validating, estimating and rendering training modules.

// Helpers outside `#[test]` functions may fail the test loudly too.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod estimate;
mod helpers;
mod prototype;
mod render;
mod robustness;
mod validator;
