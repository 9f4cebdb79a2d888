//! Frequency tables (Number, Percent, Valid Percent) and multiple-response
//! tables (% of responses, % of cases), as SPSS FREQUENCIES / MULT RESPONSE.

use crate::{Result, StatsError, Warning};

/// One row of a frequency table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrequencyRow<K> {
    /// The category (code or label) as given by the caller.
    pub category: K,
    /// Number of cases.
    pub number: u64,
    /// Percent of all cases, including missing categories.
    pub percent: f64,
    /// Percent of valid cases; `None` for categories excluded from the base
    /// (or when there are no valid cases).
    pub valid_percent: Option<f64>,
    /// Cumulative valid percent up to this row (valid categories only).
    pub cumulative_percent: Option<f64>,
    /// Whether the category is excluded from the valid base.
    pub excluded: bool,
}

/// A frequency table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrequencyTable<K> {
    /// Rows in input order.
    pub rows: Vec<FrequencyRow<K>>,
    /// All cases.
    pub total: u64,
    /// Cases in valid (non-excluded) categories: the base of Valid Percent.
    pub valid_total: u64,
    /// Cases in excluded categories.
    pub missing_total: u64,
    /// Warnings ([`Warning::NoValidCases`]).
    pub warnings: Vec<Warning>,
}

/// Builds a frequency table from counts per category.
///
/// Categories in `excluded` (missing codes, "prefer not to say", "not
/// applicable", ... whichever the caller decides should not count in the
/// base) get a Percent but no Valid Percent, and are left out of the Valid
/// Percent base. Everything else is valid.
///
/// # Errors
/// [`StatsError::Empty`] without categories and [`StatsError::ZeroTotal`]
/// when all counts are zero.
pub fn frequencies<K: Clone + PartialEq>(
    counts: &[(K, u64)],
    excluded: &[K],
) -> Result<FrequencyTable<K>> {
    if counts.is_empty() {
        return Err(StatsError::Empty { what: "categories" });
    }
    let mut total: u64 = 0;
    let mut valid_total: u64 = 0;
    for (k, n) in counts {
        total = total.checked_add(*n).ok_or(StatsError::CountTooLarge)?;
        if !excluded.contains(k) {
            valid_total += n;
        }
    }
    if total == 0 {
        return Err(StatsError::ZeroTotal);
    }
    let mut warnings = Vec::new();
    if valid_total == 0 {
        warnings.push(Warning::NoValidCases);
    }
    let mut cumulative: u64 = 0;
    let rows = counts
        .iter()
        .map(|(k, n)| {
            let is_excluded = excluded.contains(k);
            let valid_percent =
                (!is_excluded && valid_total > 0).then(|| 100.0 * *n as f64 / valid_total as f64);
            let cumulative_percent = valid_percent.map(|_| {
                cumulative += n;
                100.0 * cumulative as f64 / valid_total as f64
            });
            FrequencyRow {
                category: k.clone(),
                number: *n,
                percent: 100.0 * *n as f64 / total as f64,
                valid_percent,
                cumulative_percent,
                excluded: is_excluded,
            }
        })
        .collect();
    Ok(FrequencyTable {
        rows,
        total,
        valid_total,
        missing_total: total - valid_total,
        warnings,
    })
}

/// One option of a multiple-response set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MultiResponseRow {
    /// Option index (column of the input).
    pub option: usize,
    /// Number of cases that ticked this option.
    pub count: u64,
    /// Percent of all ticks ("% of responses"; sums to 100).
    pub percent_of_responses: f64,
    /// Percent of valid cases ("% of cases"; may sum to more than 100).
    pub percent_of_cases: f64,
}

/// A multiple-response table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MultiResponseTable {
    /// One row per option.
    pub rows: Vec<MultiResponseRow>,
    /// All ticks: the base of "% of responses".
    pub total_responses: u64,
    /// Cases that ticked at least one option: the base of "% of cases".
    pub valid_cases: u64,
    /// Cases that ticked nothing (missing for the set, SPSS default); `None`
    /// when built from aggregate counts.
    pub missing_cases: Option<u64>,
    /// Warnings ([`Warning::NoValidCases`]).
    pub warnings: Vec<Warning>,
}

/// Multiple-response table from case-level ticks (`ticks[case][option]`).
/// A case that ticked nothing is missing for the set.
///
/// # Errors
/// [`StatsError::Empty`] (no cases or no options) and
/// [`StatsError::RaggedTable`].
pub fn multi_response(ticks: &[Vec<bool>]) -> Result<MultiResponseTable> {
    let first = ticks.first().ok_or(StatsError::Empty { what: "cases" })?;
    let k = first.len();
    if k == 0 {
        return Err(StatsError::Empty { what: "options" });
    }
    let mut counts = vec![0u64; k];
    let mut valid: u64 = 0;
    for (i, case) in ticks.iter().enumerate() {
        if case.len() != k {
            return Err(StatsError::RaggedTable {
                row: i,
                len: case.len(),
                expected: k,
            });
        }
        let mut any = false;
        for (c, &t) in counts.iter_mut().zip(case) {
            if t {
                *c += 1;
                any = true;
            }
        }
        valid += u64::from(any);
    }
    let mut table = build_multi(&counts, valid);
    table.missing_cases = Some(ticks.len() as u64 - valid);
    Ok(table)
}

/// Multiple-response table from aggregate counts: ticks per option and the
/// number of cases that ticked at least one option.
///
/// # Errors
/// [`StatsError::Empty`] without options and [`StatsError::InvalidOption`]
/// when the counts are inconsistent (an option ticked by more than
/// `valid_cases` cases, or fewer ticks than valid cases).
pub fn multi_response_from_counts(
    option_counts: &[u64],
    valid_cases: u64,
) -> Result<MultiResponseTable> {
    if option_counts.is_empty() {
        return Err(StatsError::Empty { what: "options" });
    }
    if option_counts.iter().any(|&c| c > valid_cases) {
        return Err(StatsError::InvalidOption {
            reason: "an option is ticked by more cases than the valid cases",
        });
    }
    let total = option_counts
        .iter()
        .try_fold(0u64, |acc, &c| acc.checked_add(c))
        .ok_or(StatsError::CountTooLarge)?;
    if total < valid_cases {
        return Err(StatsError::InvalidOption {
            reason: "fewer ticks than valid cases, but each valid case ticks at least one option",
        });
    }
    Ok(build_multi(option_counts, valid_cases))
}

fn build_multi(counts: &[u64], valid_cases: u64) -> MultiResponseTable {
    let total: u64 = counts.iter().sum();
    let mut warnings = Vec::new();
    if valid_cases == 0 {
        warnings.push(Warning::NoValidCases);
    }
    let pct = |num: u64, den: u64| {
        if den == 0 {
            0.0
        } else {
            100.0 * num as f64 / den as f64
        }
    };
    MultiResponseTable {
        rows: counts
            .iter()
            .enumerate()
            .map(|(option, &count)| MultiResponseRow {
                option,
                count,
                percent_of_responses: pct(count, total),
                percent_of_cases: pct(count, valid_cases),
            })
            .collect(),
        total_responses: total,
        valid_cases,
        missing_cases: None,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_percent_leaves_excluded_codes_out_of_the_base() {
        let t = frequencies(&[(1, 30), (2, 50), (99, 20)], &[99]).unwrap();
        assert_eq!(t.total, 100);
        assert_eq!(t.valid_total, 80);
        assert_eq!(t.rows[0].percent, 30.0);
        assert_eq!(t.rows[0].valid_percent, Some(37.5));
        assert_eq!(t.rows[1].cumulative_percent, Some(100.0));
        assert_eq!(t.rows[2].valid_percent, None);
        assert!(t.rows[2].excluded);
    }

    #[test]
    fn only_missing_cases_gives_a_warning_not_a_division_by_zero() {
        let t = frequencies(&[("yes", 0), ("n/a", 4)], &["n/a"]).unwrap();
        assert_eq!(t.warnings, vec![Warning::NoValidCases]);
        assert!(t.rows.iter().all(|r| r.valid_percent.is_none()));
        assert_eq!(frequencies(&[("yes", 0)], &[]), Err(StatsError::ZeroTotal));
    }

    #[test]
    fn multi_response_percent_of_cases_uses_cases_that_ticked_something() {
        let t = multi_response(&[
            vec![true, true, false],
            vec![true, false, false],
            vec![false, false, false],
            vec![false, true, true],
        ])
        .unwrap();
        assert_eq!(t.total_responses, 5);
        assert_eq!(t.valid_cases, 3);
        assert_eq!(t.missing_cases, Some(1));
        assert_eq!(t.rows[0].percent_of_responses, 40.0);
        assert!((t.rows[0].percent_of_cases - 200.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn aggregate_counts_reproduce_the_report_base_of_233_respondents() {
        // Report table 16: 98 respondents are 42.1% of respondents.
        let t = multi_response_from_counts(&[98, 150, 60], 233).unwrap();
        assert!((t.rows[0].percent_of_cases - 42.06).abs() < 0.01);
        assert!(multi_response_from_counts(&[300], 233).is_err());
    }
}
