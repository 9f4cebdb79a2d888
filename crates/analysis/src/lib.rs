//! The analysis plan and the engine that runs it: cleaning, derived variables, the
//! published tables, families of tests of association with adjusted p-values, pre/post
//! comparisons (the study's unpaired z-tests and, for linked respondents, paired tests)
//! and scale reliability.
//!
//! Architecture invariant: this crate does no I/O. The caller reads an export folder
//! into [`data::ExportFiles`] (or opens its response files as streams for
//! [`data::Dataset::read`]) and a plan file's text, and gets back an [`run::Analysis`]
//! value that serialises to the `skafada analyse` JSON contract. The record-level exports
//! read the same cleaning and derived variables, record by record, from [`records`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod allowed;
pub mod by_arm;
pub mod change;
pub mod clean;
pub mod codebook;
mod codes;
pub mod data;
pub mod derive;
pub mod formula;
pub mod headline;
mod kept;
pub mod over_time;
pub mod plan;
mod read;
pub mod records;
pub mod render;
pub mod run;
pub mod synthetic;
mod text_column;
mod value_column;

pub use run::{Analysis, analyse};
