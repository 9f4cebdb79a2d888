//! Accurate distribution helpers.
//!
//! statrs' `ChiSquared::sf` is accurate far into the tail, but its normal
//! distribution (and erf) carries ~5e-11 relative error, so normal tails are
//! computed as `ChiSquared(1).sf(z^2) / 2` here and never as `1 - cdf`.

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::beta::checked_beta_reg;

use crate::{Result, StatsError};

/// Upper tail `P(X >= x)` of a chi-square distribution with `df` degrees of freedom.
pub(crate) fn chi2_sf(x: f64, df: f64) -> Result<f64> {
    if !x.is_finite() || !df.is_finite() {
        return Err(StatsError::NonFinite {
            what: "chi-square statistic",
        });
    }
    if x <= 0.0 {
        return Ok(1.0);
    }
    let dist = ChiSquared::new(df).map_err(|_| StatsError::Numerical {
        reason: "invalid chi-square degrees of freedom",
    })?;
    Ok(dist.sf(x).clamp(0.0, 1.0))
}

/// Standard normal upper tail `P(Z > z)`, accurate in both tails.
pub(crate) fn normal_sf(z: f64) -> Result<f64> {
    if z.is_nan() {
        return Err(StatsError::NonFinite {
            what: "z statistic",
        });
    }
    if z == f64::INFINITY {
        return Ok(0.0);
    }
    if z == f64::NEG_INFINITY {
        return Ok(1.0);
    }
    let half_tail = 0.5 * chi2_sf(z * z, 1.0)?;
    Ok(if z >= 0.0 { half_tail } else { 1.0 - half_tail })
}

/// Standard normal lower tail `P(Z < z)`.
pub(crate) fn normal_cdf(z: f64) -> Result<f64> {
    normal_sf(-z)
}

/// Standard normal density.
fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal quantile for `p` in `(0, 1)`, refined by Newton steps on the
/// accurate cdf above so it is correct to a few ulps.
pub(crate) fn normal_quantile(p: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return Err(StatsError::InvalidConfidence { value: p });
    }
    // Work in the lower half and reflect, so the Newton target is a small tail.
    let (q, sign) = if p > 0.5 { (1.0 - p, -1.0) } else { (p, 1.0) };
    if q == 0.5 {
        return Ok(0.0);
    }
    // Initial guess: statrs' inverse (accurate to ~1e-10 relative).
    let normal = statrs::distribution::Normal::standard();
    let mut z = normal.inverse_cdf(q);
    if !z.is_finite() {
        return Err(StatsError::Numerical {
            reason: "normal quantile initial guess",
        });
    }
    for _ in 0..8 {
        let f = normal_cdf(z)? - q;
        let step = f / normal_pdf(z);
        z -= step;
        if step.abs() <= 1e-16 * z.abs().max(1e-300) {
            break;
        }
    }
    Ok(sign * z)
}

/// Upper-tail quantile of the F distribution: the `x` with `P(F > x) = q`.
pub(crate) fn f_isf(q: f64, d1: f64, d2: f64) -> Result<f64> {
    if !(q > 0.0 && q < 1.0 && d1 > 0.0 && d2 > 0.0) {
        return Err(StatsError::Numerical {
            reason: "invalid F quantile arguments",
        });
    }
    let beta = |a: f64, b: f64, x: f64| {
        checked_beta_reg(a, b, x.clamp(0.0, 1.0)).map_err(|_| StatsError::Numerical {
            reason: "regularised incomplete beta",
        })
    };
    // Upper tail P(F > x) = I_{d2/(d2 + d1 x)}(d2/2, d1/2); lower tail P(F <= x)
    // = I_{d1 x/(d1 x + d2)}(d1/2, d2/2). Use whichever tail is the smaller so
    // the comparison is made where the function has full relative precision.
    let use_upper = q <= 0.5;
    let target = if use_upper { q } else { 1.0 - q };
    // g(x) is increasing in x: target-tail mass measured so that larger x gives larger g.
    let g = |x: f64| -> Result<f64> {
        if use_upper {
            // P(F <= x) in complementary form is 1 - upper; compare upper tail reversed.
            Ok(-beta(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * x))?)
        } else {
            beta(d1 / 2.0, d2 / 2.0, d1 * x / (d1 * x + d2))
        }
    };
    let goal = if use_upper { -target } else { target };
    // Bracket in log space.
    let mut lo = 1.0f64;
    let mut hi = 1.0f64;
    let mut guard = 0;
    while g(lo)? > goal {
        lo /= 2.0;
        guard += 1;
        if guard > 2000 {
            return Err(StatsError::Numerical {
                reason: "F quantile bracketing",
            });
        }
    }
    guard = 0;
    while g(hi)? < goal {
        hi *= 2.0;
        guard += 1;
        if guard > 2000 {
            return Err(StatsError::Numerical {
                reason: "F quantile bracketing",
            });
        }
    }
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if !(mid > lo && mid < hi) {
            break;
        }
        if g(mid)? < goal {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((lo * hi).sqrt())
}

/// `ln(sum(exp(x)))` for a non-empty iterator, computed stably.
pub(crate) fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    let mut sum = 0.0;
    let mut comp = 0.0;
    for &v in values {
        // Kahan-Babuska (Neumaier) summation.
        let term = (v - max).exp();
        let t = sum + term;
        if sum >= term {
            comp += (sum - t) + term;
        } else {
            comp += (term - t) + sum;
        }
        sum = t;
    }
    max + (sum + comp).ln()
}

/// Log weights of a log-concave discrete distribution on `lo..=hi`, relative to
/// an arbitrary reference, materialised over the range that matters for
/// tail sums around an observed value.
///
/// `log_ratio(x)` must return `ln(w(x + 1) / w(x))` for `lo <= x < hi`.
/// The returned range always contains `mode` and `observed`, and extends in
/// both directions until the weights fall 60 nats below both the observed
/// weight and the maximum (log-concavity makes the neglected mass negligible)
/// or the support ends.
pub(crate) struct LogWeights {
    /// First support point in `weights`.
    pub start: u64,
    /// `weights[i]` is the log weight of `start + i`.
    pub weights: Vec<f64>,
}

impl LogWeights {
    pub(crate) fn build(
        lo: u64,
        hi: u64,
        mode: u64,
        observed: u64,
        log_ratio: impl Fn(u64) -> f64,
    ) -> Self {
        const MARGIN: f64 = 60.0;
        let mode = mode.clamp(lo, hi);
        let observed = observed.clamp(lo, hi);
        // Log weight of the observed point relative to the mode.
        let obs_lw = if observed >= mode {
            (mode..observed).map(&log_ratio).sum::<f64>()
        } else {
            -(observed..mode).map(&log_ratio).sum::<f64>()
        };
        let cutoff = obs_lw.min(0.0) - MARGIN;
        let mut up = vec![0.0f64];
        let mut x = mode;
        let mut lw = 0.0;
        while x < hi {
            lw += log_ratio(x);
            x += 1;
            up.push(lw);
            if x >= observed && lw < cutoff {
                break;
            }
        }
        let mut down = Vec::new();
        let mut x = mode;
        let mut lw = 0.0;
        while x > lo {
            lw -= log_ratio(x - 1);
            x -= 1;
            down.push(lw);
            if x <= observed && lw < cutoff {
                break;
            }
        }
        let start = mode - down.len() as u64;
        down.reverse();
        down.extend(up);
        Self {
            start,
            weights: down,
        }
    }

    /// Log weight of `x`, or `-inf` if outside the materialised range.
    pub(crate) fn get(&self, x: u64) -> f64 {
        x.checked_sub(self.start)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.weights.get(i).copied())
            .unwrap_or(f64::NEG_INFINITY)
    }

    /// Probability of the set of support points selected by `keep`.
    pub(crate) fn probability(&self, keep: impl Fn(u64, f64) -> bool) -> f64 {
        let selected: Vec<f64> = self
            .weights
            .iter()
            .enumerate()
            .filter(|&(i, &w)| keep(self.start + i as u64, w))
            .map(|(_, &w)| w)
            .collect();
        if selected.is_empty() {
            return 0.0;
        }
        let ln_p = log_sum_exp(&selected) - log_sum_exp(&self.weights);
        ln_p.exp().clamp(0.0, 1.0)
    }
}

/// Natural log of `a * b / (c * d)` for positive integers, as a single rounded
/// ratio so that long recursions stay accurate.
pub(crate) fn ln_ratio(a: u64, b: u64, c: u64, d: u64) -> f64 {
    ((a as f64 * b as f64) / (c as f64 * d as f64)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_recovers_the_usual_critical_values() {
        let z = normal_quantile(0.975).unwrap();
        assert!((z - 1.959_963_984_540_054).abs() < 1e-15);
        let z = normal_quantile(0.005).unwrap();
        assert!((z + 2.575_829_303_548_900_4).abs() < 1e-14);
    }

    #[test]
    fn normal_sf_is_accurate_in_the_far_tail() {
        // scipy.stats.norm.sf(20) = 2.7536241186061556e-89
        let p = normal_sf(20.0).unwrap();
        assert!(((p - 2.753_624_118_606_155_6e-89) / p).abs() < 1e-12);
    }

    #[test]
    fn f_upper_quantile_matches_scipy() {
        // scipy.stats.f.isf(0.025, 9, 27) = 2.6308555879228073
        let x = f_isf(0.025, 9.0, 27.0).unwrap();
        assert!(((x - 2.630_855_587_922_807_3) / x).abs() < 1e-10, "{x}");
        // scipy.stats.f.isf(0.975, 9, 27) = 0.27898265124805477
        let x = f_isf(0.975, 9.0, 27.0).unwrap();
        assert!(((x - 0.278_982_651_248_054_77) / x).abs() < 1e-10, "{x}");
    }

    #[test]
    fn chi2_sf_of_non_positive_statistic_is_one() {
        assert_eq!(chi2_sf(0.0, 3.0).unwrap(), 1.0);
        assert!(chi2_sf(f64::NAN, 3.0).is_err());
    }
}
