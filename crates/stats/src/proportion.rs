//! Two-proportion z-test and Wilson score intervals.

use crate::dist::{normal_cdf, normal_quantile, normal_sf};
use crate::{Alternative, Result, StatsError};

/// Result of a pooled two-proportion z-test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TwoProportionZTest {
    /// Successes and trials of the first sample.
    pub successes1: u64,
    /// Trials of the first sample.
    pub trials1: u64,
    /// Successes of the second sample.
    pub successes2: u64,
    /// Trials of the second sample.
    pub trials2: u64,
    /// `successes1 / trials1`.
    pub p1: f64,
    /// `successes2 / trials2`.
    pub p2: f64,
    /// Pooled proportion `(x1 + x2) / (n1 + n2)`.
    pub pooled: f64,
    /// Pooled standard error `sqrt(pooled (1 - pooled) (1/n1 + 1/n2))`.
    pub standard_error: f64,
    /// `z = (p1 - p2) / standard_error`.
    pub z: f64,
    /// p-value for `alternative`.
    pub p_value: f64,
    /// The alternative: [`Alternative::Greater`] means `p1 > p2`.
    pub alternative: Alternative,
}

/// Pooled two-proportion z-test without continuity correction (statsmodels
/// `proportions_ztest`, R `prop.test(correct = FALSE)` with `z^2 = X^2`).
///
/// [`Alternative::Greater`] tests `p1 > p2` (statsmodels' `'larger'`).
///
/// # Errors
/// [`StatsError::ZeroSampleSize`], [`StatsError::SuccessesExceedTrials`] and
/// [`StatsError::Undefined`] when the pooled proportion is 0 or 1 (zero
/// standard error).
pub fn two_proportion_z_test(
    successes1: u64,
    trials1: u64,
    successes2: u64,
    trials2: u64,
    alternative: Alternative,
) -> Result<TwoProportionZTest> {
    check_binomial(successes1, trials1, "trials1")?;
    check_binomial(successes2, trials2, "trials2")?;
    let (x1, n1, x2, n2) = (
        successes1 as f64,
        trials1 as f64,
        successes2 as f64,
        trials2 as f64,
    );
    let p1 = x1 / n1;
    let p2 = x2 / n2;
    let pooled = (x1 + x2) / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance.is_nan() || variance <= 0.0 {
        return Err(StatsError::Undefined {
            reason: "pooled proportion is 0 or 1, so the standard error is zero",
        });
    }
    let standard_error = variance.sqrt();
    let z = (p1 - p2) / standard_error;
    let p_value = match alternative {
        Alternative::TwoSided => crate::dist::chi2_sf(z * z, 1.0)?,
        Alternative::Greater => normal_sf(z)?,
        Alternative::Less => normal_cdf(z)?,
    };
    Ok(TwoProportionZTest {
        successes1,
        trials1,
        successes2,
        trials2,
        p1,
        p2,
        pooled,
        standard_error,
        z,
        p_value,
        alternative,
    })
}

fn check_binomial(successes: u64, trials: u64, what: &'static str) -> Result<()> {
    if trials == 0 {
        return Err(StatsError::ZeroSampleSize { what });
    }
    if successes > trials {
        return Err(StatsError::SuccessesExceedTrials { successes, trials });
    }
    if trials >= 1 << 53 {
        return Err(StatsError::CountTooLarge);
    }
    Ok(())
}

/// A proportion with a confidence interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProportionInterval {
    /// Successes.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
    /// Point estimate `successes / trials`.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
}

/// Wilson score interval for a binomial proportion, without continuity
/// correction (statsmodels `proportion_confint(method='wilson')`).
///
/// # Errors
/// [`StatsError::ZeroSampleSize`], [`StatsError::SuccessesExceedTrials`] and
/// [`StatsError::InvalidConfidence`] unless `0 < confidence < 1`.
pub fn wilson_interval(successes: u64, trials: u64, confidence: f64) -> Result<ProportionInterval> {
    check_binomial(successes, trials, "trials")?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence { value: confidence });
    }
    let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0)?;
    let (x, n) = (successes as f64, trials as f64);
    let z2 = z * z;
    let denom = n + z2;
    let center = (x + z2 / 2.0) / denom;
    let half = z / denom * (x * (n - x) / n + z2 / 4.0).sqrt();
    // At x = 0 (x = n) the lower (upper) bound is exactly 0 (1); compute it so
    // rounding cannot push it outside [0, 1].
    let lower = if successes == 0 {
        0.0
    } else {
        (center - half).clamp(0.0, 1.0)
    };
    let upper = if successes == trials {
        1.0
    } else {
        (center + half).clamp(0.0, 1.0)
    };
    Ok(ProportionInterval {
        successes,
        trials,
        estimate: x / n,
        lower,
        upper,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn pre_post_example_from_the_brief_is_reproduced() {
        let r = two_proportion_z_test(71, 110, 48, 120, Alternative::Greater).unwrap();
        assert!(rel(r.z, 3.721_234_104_346_025_5) < 1e-12);
        assert!(rel(r.p_value, 9.912_577_078_663_054e-5) < 1e-10);
    }

    #[test]
    fn the_one_sided_p_values_add_up_to_one() {
        let g = two_proportion_z_test(40, 100, 50, 100, Alternative::Greater).unwrap();
        let l = two_proportion_z_test(40, 100, 50, 100, Alternative::Less).unwrap();
        assert!((g.p_value + l.p_value - 1.0).abs() < 1e-15);
    }

    #[test]
    fn all_successes_in_both_samples_is_undefined_not_nan() {
        assert!(matches!(
            two_proportion_z_test(5, 5, 7, 7, Alternative::TwoSided),
            Err(StatsError::Undefined { .. })
        ));
        assert!(matches!(
            two_proportion_z_test(6, 5, 7, 7, Alternative::TwoSided),
            Err(StatsError::SuccessesExceedTrials { .. })
        ));
    }

    #[test]
    fn wilson_interval_at_zero_successes_starts_at_zero() {
        let w = wilson_interval(0, 20, 0.95).unwrap();
        assert_eq!(w.lower, 0.0);
        assert!(w.upper > 0.0 && w.upper < 0.2);
        assert!(wilson_interval(1, 2, 1.0).is_err());
    }
}
