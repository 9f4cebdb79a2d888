//! End-to-end tests of the `skafada` command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod architecture;
mod database;
mod demo_data;
mod durability;
mod export;
mod import;
mod instrument;
mod json;
mod processes;
mod qualitative;
mod stats;
mod study;

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `skafada` with `args` from the workspace root.
pub fn skafada(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skafada"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("skafada runs")
}

/// The workspace root, where `instruments/` lives.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
