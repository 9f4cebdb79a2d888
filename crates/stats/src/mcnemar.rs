//! McNemar's test for paired 2x2 tables.

use crate::dist::{LogWeights, chi2_sf, ln_ratio};
use crate::{ContingencyTable, Result, StatsError, Warning};

/// Which McNemar test to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum McNemarMethod {
    /// Exact binomial test on the discordant pairs, two-sided as statsmodels
    /// `mcnemar(exact=True)`: `min(1, 2 P(X <= min(b, c)))`, `X ~ Bin(b + c, 1/2)`.
    Exact,
    /// Asymptotic chi-square `(|b - c| - 1)^2 / (b + c)` with continuity
    /// correction (R `mcnemar.test` default; like R and statsmodels, `b = c`
    /// gives `1 / (b + c)`, not 0).
    ChiSquareCorrected,
    /// Asymptotic chi-square `(b - c)^2 / (b + c)` without correction.
    ChiSquare,
}

/// Result of McNemar's test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct McNemarResult {
    /// The method used.
    pub method: McNemarMethod,
    /// Discordant count `b` (row 0, column 1).
    pub b: u64,
    /// Discordant count `c` (row 1, column 0).
    pub c: u64,
    /// Statistic: `min(b, c)` for the exact test, the chi-square otherwise.
    pub statistic: f64,
    /// Degrees of freedom for the chi-square versions, `None` for exact.
    pub df: Option<u64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Warnings (few discordant pairs for the asymptotic versions).
    pub warnings: Vec<Warning>,
}

/// McNemar's test on a paired 2x2 table `[[a, b], [c, d]]` (rows: first
/// measurement, columns: second measurement).
///
/// With no discordant pairs the exact p-value is 1; the chi-square versions
/// are then undefined and return [`StatsError::Undefined`].
///
/// # Errors
/// [`StatsError::NotTwoByTwo`] and, for the chi-square versions,
/// [`StatsError::Undefined`] when `b + c = 0`.
pub fn mcnemar(table: &ContingencyTable, method: McNemarMethod) -> Result<McNemarResult> {
    table.require_two_by_two()?;
    let b = table.at(0, 1);
    let c = table.at(1, 0);
    let m = b + c;
    let mut warnings = Vec::new();
    let (statistic, df, p_value) = match method {
        McNemarMethod::Exact => {
            let k = b.min(c);
            (k as f64, None, binomial_half_two_sided(k, m))
        }
        McNemarMethod::ChiSquareCorrected | McNemarMethod::ChiSquare => {
            if m == 0 {
                return Err(StatsError::Undefined {
                    reason: "no discordant pairs, so the McNemar chi-square is 0/0",
                });
            }
            if m < 25 {
                warnings.push(Warning::FewDiscordantPairs { discordant: m });
            }
            let diff = b.abs_diff(c) as f64;
            let num = if method == McNemarMethod::ChiSquareCorrected {
                // No clamping at zero: b = c gives 1/(b + c), as R and statsmodels.
                diff - 1.0
            } else {
                diff
            };
            let stat = num * num / m as f64;
            (stat, Some(1), chi2_sf(stat, 1.0)?)
        }
    };
    Ok(McNemarResult {
        method,
        b,
        c,
        statistic,
        df,
        p_value,
        warnings,
    })
}

/// `min(1, 2 P(X <= k))` for `X ~ Bin(m, 1/2)` and `k <= m / 2`.
fn binomial_half_two_sided(k: u64, m: u64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    // w(x+1)/w(x) = (m - x)/(x + 1).
    let w = LogWeights::build(0, m, m / 2, k, |x| ln_ratio(m - x, 1, x + 1, 1));
    (2.0 * w.probability(|x, _| x <= k)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn brief_cross_check_values_are_reproduced() {
        let t = ContingencyTable::two_by_two(30, 25, 8, 57).unwrap();
        let e = mcnemar(&t, McNemarMethod::Exact).unwrap();
        assert!(rel(e.p_value, 0.004_551_384_132_355_452) < 1e-12);
        let c = mcnemar(&t, McNemarMethod::ChiSquareCorrected).unwrap();
        assert!(rel(c.statistic, 7.757_575_757_575_758) < 1e-14);
        assert!(rel(c.p_value, 0.005_348_770_520_482_035) < 1e-12);
    }

    #[test]
    fn no_discordant_pairs_gives_p_one_exactly_and_an_error_asymptotically() {
        let t = ContingencyTable::two_by_two(10, 0, 0, 12).unwrap();
        assert_eq!(mcnemar(&t, McNemarMethod::Exact).unwrap().p_value, 1.0);
        assert!(matches!(
            mcnemar(&t, McNemarMethod::ChiSquare),
            Err(StatsError::Undefined { .. })
        ));
    }
}
