//! Crosstabs: expected counts, chi-square family, Cramér's V, Cochran's rule.

use crate::dist::chi2_sf;
use crate::{ContingencyTable, Result, Warning};

/// A chi-square-distributed test statistic with its degrees of freedom and
/// upper-tail p-value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChiSquareTest {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// `P(chi2_df >= statistic)`.
    pub p_value: f64,
}

impl ChiSquareTest {
    fn new(statistic: f64, df: u64) -> Result<Self> {
        Ok(Self {
            statistic,
            df,
            p_value: chi2_sf(statistic, df as f64)?,
        })
    }
}

/// Analysis of an r x c table of counts.
///
/// All numbers refer to the table after dropping rows and columns whose total
/// is zero (reported by [`Warning::EmptyCategoriesDropped`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CrosstabAnalysis {
    /// The analysed counts (empty rows and columns removed).
    pub observed: Vec<Vec<u64>>,
    /// Row totals of the analysed table.
    pub row_totals: Vec<u64>,
    /// Column totals of the analysed table.
    pub column_totals: Vec<u64>,
    /// Number of cases.
    pub n: u64,
    /// Expected counts under independence: `row total * column total / n`.
    pub expected: Vec<Vec<f64>>,
    /// Adjusted (standardised) residuals
    /// `(O - E) / sqrt(E (1 - row/n) (1 - col/n))`, as SPSS "Adjusted Residual".
    pub adjusted_residuals: Vec<Vec<f64>>,
    /// Pearson chi-square, without continuity correction.
    pub pearson: ChiSquareTest,
    /// Likelihood-ratio chi-square `G = 2 sum O ln(O/E)`.
    pub likelihood_ratio: ChiSquareTest,
    /// Yates' continuity-corrected chi-square: present for 2x2 tables only
    /// (the SPSS "Continuity Correction" row; scipy/R's default for 2x2).
    pub yates: Option<ChiSquareTest>,
    /// Cramér's V on the uncorrected Pearson chi-square,
    /// `sqrt(chi2 / (n * min(r - 1, c - 1)))`. No confidence interval is given.
    pub cramers_v: f64,
    /// Cells with an expected count below 5.
    pub cells_expected_below_five: usize,
    /// Smallest expected count.
    pub min_expected: f64,
    /// Warnings (Cochran's rule, dropped empty categories).
    pub warnings: Vec<Warning>,
}

/// Analyses an r x c table: expected counts, Pearson chi-square, likelihood
/// ratio G, Yates' correction (2x2), Cramér's V and Cochran's rule.
///
/// # Errors
/// [`crate::StatsError::ZeroTotal`] for an all-zero table and
/// [`crate::StatsError::DegenerateTable`] when fewer than two non-empty rows
/// or columns remain.
pub fn crosstab(table: &ContingencyTable) -> Result<CrosstabAnalysis> {
    let (t, dropped) = table.reduced_for_association()?;
    let mut warnings: Vec<Warning> = dropped.into_iter().collect();
    let (r, c) = (t.n_rows(), t.n_columns());
    let rt = t.row_totals();
    let ct = t.column_totals();
    let n = t.total();
    let nf = n as f64;

    let mut expected = vec![vec![0.0; c]; r];
    let mut adjusted = vec![vec![0.0; c]; r];
    let mut pearson = 0.0;
    let mut g = 0.0;
    let mut yates = 0.0;
    let mut below_five = 0usize;
    let mut min_expected = f64::INFINITY;
    for i in 0..r {
        for j in 0..c {
            let o = t.at(i, j) as f64;
            let e = rt[i] as f64 * ct[j] as f64 / nf;
            expected[i][j] = e;
            let diff = o - e;
            pearson += diff * diff / e;
            if o > 0.0 {
                g += o * (o / e).ln();
            }
            let yd = diff.abs() - diff.abs().min(0.5);
            yates += yd * yd / e;
            let v = e * (1.0 - rt[i] as f64 / nf) * (1.0 - ct[j] as f64 / nf);
            adjusted[i][j] = diff / v.sqrt();
            if e < 5.0 {
                below_five += 1;
            }
            min_expected = min_expected.min(e);
        }
    }
    g *= 2.0;
    // Rounding can make G a tiny negative number for a perfectly independent table.
    let g = g.max(0.0);
    let df = ((r - 1) * (c - 1)) as u64;
    let k = (r.min(c) - 1) as f64;
    let cramers_v = (pearson / (nf * k)).sqrt();
    let cells = r * c;
    if below_five * 5 > cells || min_expected < 1.0 {
        warnings.push(Warning::SparseExpectedCounts {
            cells_below_five: below_five,
            cells,
            min_expected,
        });
    }
    Ok(CrosstabAnalysis {
        observed: t.to_rows(),
        row_totals: rt,
        column_totals: ct,
        n,
        expected,
        adjusted_residuals: adjusted,
        pearson: ChiSquareTest::new(pearson, df)?,
        likelihood_ratio: ChiSquareTest::new(g, df)?,
        yates: if df == 1 {
            Some(ChiSquareTest::new(yates, df)?)
        } else {
            None
        },
        cramers_v,
        cells_expected_below_five: below_five,
        min_expected,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn brief_cross_check_values_for_a_2x2_table_are_reproduced() {
        let t = ContingencyTable::new(vec![vec![12, 5], vec![9, 14]]).unwrap();
        let a = crosstab(&t).unwrap();
        assert!(rel(a.pearson.statistic, 3.879_006_980_366_515_5) < 1e-12);
        assert!(rel(a.pearson.p_value, 0.048_893_467_916_209_27) < 1e-12);
        assert!(rel(a.yates.unwrap().statistic, 2.720_099_481_440_172) < 1e-12);
        assert!(rel(a.likelihood_ratio.statistic, 3.965_531_446_286_366_4) < 1e-12);
        assert!(rel(a.cramers_v, 0.311_408_372_573_961) < 1e-12);
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn sparse_tables_carry_a_cochran_warning_but_still_report_the_statistic() {
        let t = ContingencyTable::new(vec![vec![2, 8], vec![1, 9], vec![7, 3]]).unwrap();
        let a = crosstab(&t).unwrap();
        assert!(rel(a.pearson.statistic, 9.3) < 1e-12);
        assert!(rel(a.pearson.p_value, 0.009_561_601_930_543_515) < 1e-12);
        assert!(a.yates.is_none());
        assert!(matches!(
            a.warnings.as_slice(),
            [Warning::SparseExpectedCounts {
                cells_below_five: 3,
                cells: 6,
                ..
            }]
        ));
    }

    #[test]
    fn a_single_expected_count_below_one_triggers_the_cochran_warning() {
        // Only 1 of 9 cells (11%) has an expected count below 5, but it is below 1.
        let t = ContingencyTable::new(vec![vec![1, 25, 24], vec![6, 234, 235], vec![5, 235, 235]])
            .unwrap();
        let a = crosstab(&t).unwrap();
        assert!(a.min_expected < 1.0);
        assert_eq!(a.cells_expected_below_five, 1);
        assert!(
            a.warnings
                .iter()
                .any(|w| matches!(w, Warning::SparseExpectedCounts { .. }))
        );
    }

    #[test]
    fn tables_with_one_non_empty_row_are_a_typed_error() {
        let t = ContingencyTable::new(vec![vec![3, 4], vec![0, 0]]).unwrap();
        assert_eq!(
            crosstab(&t),
            Err(crate::StatsError::DegenerateTable {
                rows: 1,
                columns: 2
            })
        );
        let z = ContingencyTable::new(vec![vec![0, 0], vec![0, 0]]).unwrap();
        assert_eq!(crosstab(&z), Err(crate::StatsError::ZeroTotal));
    }
}
