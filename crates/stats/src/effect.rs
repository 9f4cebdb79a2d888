//! Confidence intervals for effect sizes.
//!
//! Cramér's V is interval-estimated by inverting the noncentral chi-square distribution
//! (Smithson 2003; R `confintr::ci_cramersv`, `effectsize`): find the noncentrality
//! parameters whose distributions put the observed chi-square at the upper and lower
//! tail probabilities, then transform each bound `λ` to `sqrt((λ + df) / (n (k - 1)))`.
//! A zero lower bound for `λ` gives a zero lower bound for V. The lower bound of the
//! two-sided interval at confidence 1 - α is positive exactly when the chi-square test's
//! p is below α/2.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

use crate::{Result, StatsError};

/// A confidence interval for Cramér's V.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CramersVInterval {
    /// The point estimate, `sqrt(chi2 / (n (k - 1)))`.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound (at most 1).
    pub upper: f64,
    /// The confidence level.
    pub confidence: f64,
}

/// `P(X <= x)` for a noncentral chi-square with `df` degrees of freedom and
/// noncentrality `ncp`: a Poisson(`ncp`/2) mixture of central chi-squares with
/// `df + 2j` degrees of freedom, summed outwards from the Poisson mode.
pub fn noncentral_chi2_cdf(x: f64, df: f64, ncp: f64) -> Result<f64> {
    if !(x.is_finite() && df.is_finite() && ncp.is_finite()) || df <= 0.0 || ncp < 0.0 {
        return Err(StatsError::NonFinite {
            what: "noncentral chi-square argument",
        });
    }
    if x <= 0.0 {
        return Ok(0.0);
    }
    let central = |k: f64| -> Result<f64> {
        ChiSquared::new(k)
            .map(|d| d.cdf(x))
            .map_err(|_| StatsError::Numerical {
                reason: "invalid chi-square degrees of freedom",
            })
    };
    if ncp == 0.0 {
        return central(df);
    }
    let half = ncp / 2.0;
    let half_x = x / 2.0;
    let mode = half.floor();
    // Poisson weight and central cdf at the mode; neighbours follow by recurrences:
    // w(j+1) = w(j) half/(j+1); Q(j+1) = Q(j) - t(j) with
    // t(j) = (x/2)^(df/2+j) e^(-x/2) / Gamma(df/2+j+1), t(j+1) = t(j) (x/2)/(df/2+j+1).
    let log_weight = -half + mode * half.ln() - ln_gamma(mode + 1.0);
    let q_mode = central(df + 2.0 * mode)?;
    let log_t_mode = (df / 2.0 + mode) * half_x.ln() - half_x - ln_gamma(df / 2.0 + mode + 1.0);
    let mut total = log_weight.exp() * q_mode;

    // Upwards.
    let (mut w, mut q, mut t, mut j) = (log_weight.exp(), q_mode, log_t_mode.exp(), mode);
    for _ in 0..100_000 {
        q -= t;
        t *= half_x / (df / 2.0 + j + 1.0);
        j += 1.0;
        w *= half / j;
        let term = w * q.max(0.0);
        total += term;
        if w < 1e-17 * total.max(1e-300) && j > half {
            break;
        }
    }
    // Downwards.
    let (mut w, mut q, mut j) = (log_weight.exp(), q_mode, mode);
    let mut t = log_t_mode.exp();
    while j >= 1.0 {
        // t(j-1) = t(j) (df/2 + j) / (x/2)
        t *= (df / 2.0 + j) / half_x;
        q = (q + t).min(1.0);
        w *= j / half;
        j -= 1.0;
        total += w * q;
        if w < 1e-17 * total.max(1e-300) {
            break;
        }
    }
    Ok(total.clamp(0.0, 1.0))
}

/// The noncentrality `λ` at which `P(X <= x | λ) = target`, or 0 when even `λ = 0` puts
/// less than `target` below `x`.
fn ncp_for(x: f64, df: f64, target: f64) -> Result<f64> {
    if noncentral_chi2_cdf(x, df, 0.0)? <= target {
        return Ok(0.0);
    }
    let mut high = (x + 10.0).max(1.0);
    while noncentral_chi2_cdf(x, df, high)? > target {
        high *= 2.0;
        if high > 1e12 {
            return Err(StatsError::Numerical {
                reason: "noncentrality bound did not converge",
            });
        }
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if noncentral_chi2_cdf(x, df, mid)? > target {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= 1e-12 * high.max(1.0) {
            break;
        }
    }
    Ok(0.5 * (low + high))
}

/// A confidence interval for Cramér's V of an `rows` x `columns` table with Pearson
/// chi-square `chi2` (uncorrected) and `n` cases.
pub fn cramers_v_interval(
    chi2: f64,
    n: u64,
    rows: usize,
    columns: usize,
    confidence: f64,
) -> Result<CramersVInterval> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence { value: confidence });
    }
    if rows < 2 || columns < 2 {
        return Err(StatsError::DegenerateTable { rows, columns });
    }
    if n == 0 {
        return Err(StatsError::ZeroTotal);
    }
    if !chi2.is_finite() || chi2 < 0.0 {
        return Err(StatsError::NonFinite {
            what: "chi-square statistic",
        });
    }
    let df = ((rows - 1) * (columns - 1)) as f64;
    let scale = n as f64 * (rows.min(columns) - 1) as f64;
    let alpha = 1.0 - confidence;
    let to_v = |ncp: f64| ((ncp + df) / scale).sqrt().min(1.0);
    let lower_ncp = ncp_for(chi2, df, 1.0 - alpha / 2.0)?;
    let upper_ncp = ncp_for(chi2, df, alpha / 2.0)?;
    Ok(CramersVInterval {
        estimate: (chi2 / scale).sqrt(),
        lower: if lower_ncp == 0.0 {
            0.0
        } else {
            to_v(lower_ncp)
        },
        upper: to_v(upper_ncp),
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noncentral_cdf_with_zero_noncentrality_is_the_central_one() {
        let central = ChiSquared::new(3.0).unwrap().cdf(2.5);
        assert!((noncentral_chi2_cdf(2.5, 3.0, 0.0).unwrap() - central).abs() < 1e-15);
    }

    #[test]
    fn an_insignificant_association_has_a_zero_lower_bound() {
        // mtcars am x vs: chi-square 0.9068826, n 32; confintr gives [0, 0.5441663].
        let ci = cramers_v_interval(0.906_882_6, 32, 2, 2, 0.95).unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - 0.544_166_3).abs() < 1e-3, "{ci:?}");
    }
}
