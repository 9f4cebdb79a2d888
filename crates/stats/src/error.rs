//! Typed errors for input that cannot be analysed.

/// Input that cannot be analysed at all.
///
/// Data that *can* be analysed but deserves caution is reported through
/// [`crate::Warning`] values inside the results instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// The input has no elements (no rows, no columns, no categories, ...).
    #[error("{what} is empty")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// Rows of a table have different lengths.
    #[error("row {row} has {len} cells but row 0 has {expected}")]
    RaggedTable {
        /// Index of the offending row.
        row: usize,
        /// Its length.
        len: usize,
        /// Length of the first row.
        expected: usize,
    },
    /// A count is negative.
    #[error("count at row {row}, column {column} is negative ({value})")]
    NegativeCount {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// The negative value.
        value: i64,
    },
    /// All counts are zero, so there is nothing to analyse.
    #[error("the total count is zero")]
    ZeroTotal,
    /// A count or total is too large to be analysed exactly in `f64`
    /// (totals must stay below 2^53).
    #[error("counts are too large (the total must be below 2^53)")]
    CountTooLarge,
    /// After dropping empty rows and columns, fewer than two rows or two
    /// columns remain, so there is no association to test.
    #[error(
        "the table has {rows} non-empty row(s) and {columns} non-empty column(s); at least 2 x 2 are needed"
    )]
    DegenerateTable {
        /// Number of non-empty rows.
        rows: usize,
        /// Number of non-empty columns.
        columns: usize,
    },
    /// A 2x2 table was required.
    #[error("a 2 x 2 table is required, got {rows} x {columns}")]
    NotTwoByTwo {
        /// Number of rows given.
        rows: usize,
        /// Number of columns given.
        columns: usize,
    },
    /// A square table (the same categories for rows and columns) was required.
    #[error("a square table is required, got {rows} x {columns}")]
    NotSquare {
        /// Number of rows given.
        rows: usize,
        /// Number of columns given.
        columns: usize,
    },
    /// Two inputs that must have the same length do not.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        /// What was being compared.
        what: &'static str,
        /// Length of the first input.
        left: usize,
        /// Length of the second input.
        right: usize,
    },
    /// A number of successes exceeds the number of trials.
    #[error("{successes} successes exceed {trials} trials")]
    SuccessesExceedTrials {
        /// Successes given.
        successes: u64,
        /// Trials given.
        trials: u64,
    },
    /// A number of trials (sample size) is zero.
    #[error("the sample size {what} is zero")]
    ZeroSampleSize {
        /// Which sample size.
        what: &'static str,
    },
    /// A p-value is outside `[0, 1]` or not a number.
    #[error("p-value at index {index} is not in [0, 1]: {value}")]
    InvalidPValue {
        /// Index of the offending p-value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A confidence level is not strictly between 0 and 1.
    #[error("confidence level must be strictly between 0 and 1, got {value}")]
    InvalidConfidence {
        /// The value.
        value: f64,
    },
    /// A value is infinite or NaN.
    #[error("{what} contains a value that is not finite")]
    NonFinite {
        /// Where the value was.
        what: &'static str,
    },
    /// A statistic is undefined because its standard error is zero
    /// (for example both samples are all successes or all failures).
    #[error("the statistic is undefined: {reason}")]
    Undefined {
        /// Why the statistic is undefined.
        reason: &'static str,
    },
    /// Too few observations for the analysis.
    #[error("{what}: at least {needed} needed, got {got}")]
    TooFew {
        /// What there were too few of.
        what: &'static str,
        /// Minimum needed.
        needed: usize,
        /// Number available.
        got: usize,
    },
    /// An option is out of range.
    #[error("invalid option: {reason}")]
    InvalidOption {
        /// Why the option is invalid.
        reason: &'static str,
    },
    /// A numerical routine failed (this indicates a bug; please report it).
    #[error("numerical failure: {reason}")]
    Numerical {
        /// What failed.
        reason: &'static str,
    },
}
