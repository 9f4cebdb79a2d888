//! Pure statistics for the SKAFADA workforce domestic-abuse survey study.
//!
//! This crate knows nothing about surveys, files or networks: counts go in,
//! results come out. Every analysis either returns a typed [`StatsError`] for
//! input that cannot be analysed (an empty table, a ragged table, `n = 0`,
//! mismatched lengths, ...) or a result struct that carries the numbers *plus*
//! a `warnings: Vec<Warning>` field for data that can be analysed but should be
//! read with care (for example a chi-square on sparse expected counts, which
//! carries a [`Warning::SparseExpectedCounts`] Cochran warning).
//!
//! What it computes:
//!
//! * [`frequencies`]: Number, Percent and Valid Percent with caller-chosen
//!   missing codes ([`frequency`] module).
//! * [`multi_response`] / [`multi_response_from_counts`]: "% of responses" and
//!   "% of cases" for multiple-response sets.
//! * [`crosstab`]: expected counts, adjusted residuals, Pearson chi-square,
//!   likelihood-ratio G, Yates' corrected chi-square for 2x2 tables, Cramér's
//!   V and Cochran's rule.
//! * [`fisher_exact`]: Fisher's exact test, exact for 2x2 and for r x c tables
//!   where enumeration is feasible, otherwise a seeded Monte Carlo estimate
//!   using Patefield's algorithm; [`fisher_exact_2x2`] for one-sided 2x2 tests.
//! * [`two_proportion_z_test`]: pooled two-proportion z-test.
//! * [`mcnemar`]: exact and asymptotic McNemar tests for paired 2x2 tables.
//! * [`wilcoxon_signed_rank`]: paired Wilcoxon signed-rank test.
//! * [`wilson_interval`]: Wilson score interval for a proportion.
//! * [`paired_proportion_difference`] (Wald and Newcombe's method 10 for paired
//!   proportions), [`newcombe_difference`] (two independent proportions) and
//!   [`cohens_h`].
//! * [`adjust_p_values`]: Holm and Benjamini-Hochberg adjustment.
//! * [`cronbach_alpha`] with Feldt's interval, and [`item_difficulty`].
//!
//! Reference values for every function are generated from scipy, statsmodels,
//! pingouin and R (see `reference/README.md` in this crate) and checked to
//! 1e-9 relative by the integration tests.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod adjust;
mod crosstab;
mod difference;
pub mod disclosure;
mod dist;
mod effect;
mod error;
mod fisher;
pub mod frequency;
mod kappa;
mod mcnemar;
mod proportion;
mod reliability;
mod rng;
mod table;
mod warning;
mod wilcoxon;

pub use adjust::{AdjustMethod, adjust_p_values};
pub use crosstab::{ChiSquareTest, CrosstabAnalysis, crosstab};
pub use difference::{
    DifferenceInterval, DifferenceMethod, PairedDifference, cohens_h, newcombe_difference,
    paired_proportion_difference,
};
pub use effect::{CramersVInterval, cramers_v_interval, noncentral_chi2_cdf};
pub use error::StatsError;
pub use fisher::{
    DEFAULT_FISHER_WORK_LIMIT, FisherMethod, FisherOptions, FisherResult, fisher_exact,
    fisher_exact_2x2, fisher_monte_carlo,
};
pub use frequency::{
    FrequencyRow, FrequencyTable, MultiResponseRow, MultiResponseTable, frequencies,
    multi_response, multi_response_from_counts,
};
pub use kappa::{Agreement, cohen_kappa};
pub use mcnemar::{McNemarMethod, McNemarResult, mcnemar};
pub use proportion::{
    ProportionInterval, TwoProportionZTest, two_proportion_z_test, wilson_interval,
};
pub use reliability::{
    CronbachAlpha, IntegerScaleSums, ItemDifficulty, cronbach_alpha, item_difficulty,
};
pub use table::ContingencyTable;
pub use warning::Warning;
pub use wilcoxon::{
    WilcoxonMethod, WilcoxonResult, wilcoxon_signed_rank, wilcoxon_signed_rank_tallied,
};

/// Direction of the alternative hypothesis of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// The two quantities differ in either direction.
    TwoSided,
    /// The first quantity is larger (for example `p1 > p2`).
    Greater,
    /// The first quantity is smaller (for example `p1 < p2`).
    Less,
}

/// Shorthand for results of this crate.
pub type Result<T, E = StatsError> = std::result::Result<T, E>;
