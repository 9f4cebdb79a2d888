//! The store's integration tests: what deletion leaves in the database's files, sessions, and
//! migrating existing certificates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod deletion;
mod migration;
mod sessions;
