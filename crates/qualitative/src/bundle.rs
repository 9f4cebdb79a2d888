//! The case studies' data as one JSON file: what the findings by research question are
//! built from, downloaded by a research role from the case-studies pages and read by
//! `skafada report --case-studies`. Pseudonymised: interviewees are pseudonyms with a
//! role and a case-study number, and the words are the redacted transcript's.

use serde::{Deserialize, Serialize};

use crate::coding::CodedPassage;
use crate::synthesis::{CaseSummary, Interviewee, RatedDocument};

/// The version of the bundle's shape; a reader refuses another.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything the findings by research question need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The study's name.
    pub study: String,
    /// The study holds synthetic demonstration data.
    pub synthetic: bool,
    /// The framework's TOML.
    pub framework: String,
    /// The case-study numbers.
    pub case_studies: Vec<i64>,
    /// The interviewees analysed (withdrawn ones left out).
    pub interviewees: Vec<Interviewee>,
    /// The passages as they count, with their words.
    pub passages: Vec<CodedPassage>,
    /// The analysts' summaries.
    pub summaries: Vec<CaseSummary>,
    /// The audit documents' ratings.
    pub documents: Vec<RatedDocument>,
}
