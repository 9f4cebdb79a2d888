//! Warnings attached to results: "results plus warnings, not failure".

use std::fmt;

/// Something the reader of a result should know before relying on it.
///
/// Serialised with a `code` tag, e.g.
/// `{"code":"sparse_expected_counts","cells_below_five":3,...}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Warning {
    /// Cochran's rule is broken: more than 20% of cells have an expected count
    /// below 5, or some cell has an expected count below 1. The chi-square
    /// approximation may be poor; consider Fisher's exact test.
    SparseExpectedCounts {
        /// Cells with expected count below 5.
        cells_below_five: usize,
        /// Cells in the (non-empty part of the) table.
        cells: usize,
        /// Smallest expected count.
        min_expected: f64,
    },
    /// Rows or columns whose total is zero were left out of the analysis.
    EmptyCategoriesDropped {
        /// Indices (in the input) of the dropped rows.
        rows: Vec<usize>,
        /// Indices (in the input) of the dropped columns.
        columns: Vec<usize>,
    },
    /// Exact enumeration for Fisher's test would exceed the work limit, so a
    /// Monte Carlo estimate is reported instead.
    ExactEnumerationInfeasible {
        /// The work limit (number of enumeration steps) that was exceeded.
        work_limit: u64,
    },
    /// Fewer than 25 discordant pairs: the asymptotic McNemar chi-square may be
    /// unreliable; the exact binomial version is preferable.
    FewDiscordantPairs {
        /// Number of discordant pairs `b + c`.
        discordant: u64,
    },
    /// Pairs with a zero difference were dropped before ranking.
    ZeroDifferencesDropped {
        /// How many were dropped.
        count: usize,
    },
    /// The exact distribution was requested but cannot be used (ties, zeros or
    /// too many pairs), so the normal approximation was used.
    ExactDistributionUnavailable {
        /// Why the exact distribution could not be used.
        reason: &'static str,
    },
    /// No observations remain in the base for a percentage.
    NoValidCases,
    /// Cases with a missing value were removed (listwise deletion).
    IncompleteCasesDropped {
        /// Number of cases removed.
        dropped: usize,
    },
    /// The variance of the total score is zero; the statistic is undefined.
    ZeroTotalVariance,
    /// Few observations: the result is imprecise.
    SmallSample {
        /// What is small.
        what: &'static str,
        /// How many there are.
        n: usize,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SparseExpectedCounts {
                cells_below_five,
                cells,
                min_expected,
            } => write!(
                f,
                "{cells_below_five} of {cells} cells have an expected count below 5 \
                 (minimum {min_expected:.2}); the chi-square approximation may be unreliable"
            ),
            Self::EmptyCategoriesDropped { rows, columns } => write!(
                f,
                "empty rows {rows:?} and columns {columns:?} were left out of the analysis"
            ),
            Self::ExactEnumerationInfeasible { work_limit } => write!(
                f,
                "exact enumeration would exceed {work_limit} steps; a Monte Carlo estimate is reported"
            ),
            Self::FewDiscordantPairs { discordant } => write!(
                f,
                "only {discordant} discordant pairs; prefer the exact McNemar test"
            ),
            Self::ZeroDifferencesDropped { count } => {
                write!(f, "{count} pair(s) with zero difference were dropped")
            }
            Self::ExactDistributionUnavailable { reason } => write!(
                f,
                "exact distribution not used ({reason}); normal approximation reported"
            ),
            Self::NoValidCases => write!(f, "no valid cases in the base"),
            Self::IncompleteCasesDropped { dropped } => {
                write!(f, "{dropped} case(s) with missing values were dropped")
            }
            Self::ZeroTotalVariance => write!(f, "the total score has zero variance"),
            Self::SmallSample { what, n } => write!(f, "only {n} {what}; the result is imprecise"),
        }
    }
}
