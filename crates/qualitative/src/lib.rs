//! The qualitative half of a study: case-study interviews analysed with the Framework
//! approach (Spencer et al., 2003; Gale et al., 2013).
//!
//! - [`framework`]: the themes and sub-themes, each with its definition and the research
//!   questions it serves, read from a data file (`frameworks/*.toml`) with file, line and
//!   column in every message, as instruments are.
//! - [`agreement`]: two coders' agreement per code on the same passages (Cohen's kappa on
//!   passage-level presence, and the proportion of agreement).
//! - [`coding`]: double coding: agreement with the transcript's turns as units, the
//!   disagreements to decide, and the passages as they count once decided.
//! - [`synthesis`]: findings by research question, with the survey items, the
//!   sub-themes' summaries and quotations (withheld where too few of a role were
//!   interviewed at a site), and the document audit.
//! - [`bundle`]: the case studies' data as one JSON file, for `skafada report`.
//! - [`matrix`]: charting, the cases-by-sub-themes matrix with summaries and the passages
//!   that support them, one sheet per theme.
//!
//! Architecture invariant: pure. Nothing here reads files, the clock or the network;
//! callers pass text and rows in.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod agreement;
pub mod bundle;
pub mod coding;
pub mod framework;
pub mod matrix;
pub mod synthesis;

/// The SKAFADA study's framework (`frameworks/skafada.toml`), used for a study that was
/// not given its own.
pub const SKAFADA_FRAMEWORK: &str = include_str!("../../../frameworks/skafada.toml");
