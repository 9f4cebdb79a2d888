//! The qualitative half of a study: case-study interviews analysed with the Framework
//! approach (Spencer et al., 2003; Gale et al., 2013).
//!
//! - [`framework`]: the themes and sub-themes, each with its definition and the research
//!   questions it serves, read from a data file (`frameworks/*.toml`) with file, line and
//!   column in every message, as instruments are.
//! - [`agreement`]: two coders' agreement per code on the same passages (Cohen's kappa on
//!   passage-level presence, and the proportion of agreement).
//! - [`matrix`]: charting, the cases-by-sub-themes matrix with summaries and the passages
//!   that support them, one sheet per theme.
//!
//! Architecture invariant: pure. Nothing here reads files, the clock or the network;
//! callers pass text and rows in.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod agreement;
pub mod framework;
pub mod matrix;
