//! Wilcoxon signed-rank test for paired data.

use crate::dist::{normal_cdf, normal_sf};
use crate::{Alternative, Result, StatsError, Warning};

/// Largest number of non-zero differences for the exact distribution
/// (subset counts stay exact in `f64`).
const MAX_EXACT_N: usize = 50;

/// How to compute the p-value of the signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WilcoxonMethod {
    /// R's default: exact when fewer than 50 non-zero differences and no ties
    /// or zeros, otherwise the normal approximation with continuity
    /// correction. Never reported as the method used.
    Auto,
    /// Exact null distribution of V (falls back to the normal approximation
    /// with a warning when there are ties, zeros or more than 50 pairs).
    Exact,
    /// Normal approximation with tie correction of the variance.
    Normal {
        /// Apply the 0.5 continuity correction (R `correct = TRUE`).
        continuity_correction: bool,
    },
}

/// Result of the Wilcoxon signed-rank test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WilcoxonResult {
    /// `V`: sum of the ranks of the positive differences `x - y` (as R).
    pub statistic: f64,
    /// Number of pairs given.
    pub n_pairs: usize,
    /// Number of non-zero differences that were ranked.
    pub n_ranked: usize,
    /// Number of zero differences dropped (Wilcoxon's method, R default).
    pub zeros_dropped: usize,
    /// Whether some absolute differences were tied.
    pub ties: bool,
    /// Standardised statistic for the normal approximation; `None` when exact.
    pub z: Option<f64>,
    /// p-value for `alternative`.
    pub p_value: f64,
    /// The alternative: [`Alternative::Greater`] means `x` tends to exceed `y`.
    pub alternative: Alternative,
    /// The method actually used ([`WilcoxonMethod::Exact`] or
    /// [`WilcoxonMethod::Normal`], never `Auto`).
    pub method: WilcoxonMethod,
    /// Warnings (zeros dropped, exact distribution unavailable).
    pub warnings: Vec<Warning>,
}

/// Wilcoxon signed-rank test on paired samples `x`, `y` (differences `x - y`),
/// matching R `wilcox.test(x, y, paired = TRUE, ...)`: zero differences are
/// dropped, tied absolute differences get average ranks, and the normal
/// approximation uses the tie-corrected variance.
///
/// # Errors
/// [`StatsError::LengthMismatch`], [`StatsError::NonFinite`] and
/// [`StatsError::TooFew`] when no non-zero difference remains.
pub fn wilcoxon_signed_rank(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    method: WilcoxonMethod,
) -> Result<WilcoxonResult> {
    if x.len() != y.len() {
        return Err(StatsError::LengthMismatch {
            what: "paired samples",
            left: x.len(),
            right: y.len(),
        });
    }
    let mut d = Vec::with_capacity(x.len());
    for (a, b) in x.iter().zip(y) {
        let diff = a - b;
        if !diff.is_finite() {
            return Err(StatsError::NonFinite {
                what: "paired samples",
            });
        }
        d.push(diff);
    }
    let tallies: Vec<(f64, u64)> = d.into_iter().map(|v| (v, 1)).collect();
    signed_rank(&tallies, alternative, method)
}

/// [`wilcoxon_signed_rank`] on differences given with how often each occurs
/// (`(x - y, count)`), for paired ordinal answers where a few distinct differences
/// stand for many pairs. The result is the one the expanded samples give.
///
/// # Errors
/// [`StatsError::NonFinite`] for a non-finite difference and [`StatsError::TooFew`]
/// when no non-zero difference remains.
pub fn wilcoxon_signed_rank_tallied(
    differences: &[(f64, u64)],
    alternative: Alternative,
    method: WilcoxonMethod,
) -> Result<WilcoxonResult> {
    if differences.iter().any(|(d, _)| !d.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "paired differences",
        });
    }
    signed_rank(differences, alternative, method)
}

/// The test from finite differences with their counts.
fn signed_rank(
    tallies: &[(f64, u64)],
    alternative: Alternative,
    method: WilcoxonMethod,
) -> Result<WilcoxonResult> {
    let n_pairs =
        usize::try_from(tallies.iter().map(|(_, c)| *c).sum::<u64>()).unwrap_or(usize::MAX);
    // Non-zero differences grouped by absolute value, ascending: (|d|, count, positive).
    let mut nonzero: Vec<(f64, u64, u64)> = tallies
        .iter()
        .filter(|(d, c)| *d != 0.0 && *c > 0)
        .map(|&(d, c)| (d.abs(), c, if d > 0.0 { c } else { 0 }))
        .collect();
    nonzero.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups: Vec<(u64, u64)> = Vec::with_capacity(nonzero.len());
    let mut last = f64::NAN;
    for (magnitude, count, positive) in nonzero {
        match groups.last_mut() {
            Some(group) if magnitude == last => {
                group.0 += count;
                group.1 += positive;
            }
            _ => groups.push((count, positive)),
        }
        last = magnitude;
    }
    let n = usize::try_from(groups.iter().map(|(c, _)| *c).sum::<u64>()).unwrap_or(usize::MAX);
    let zeros_dropped = n_pairs - n;
    if n == 0 {
        return Err(StatsError::TooFew {
            what: "non-zero paired differences",
            needed: 1,
            got: 0,
        });
    }
    // Each tie group shares the average of the ranks it spans; V sums the positive ranks.
    let mut statistic = 0.0;
    let mut below = 0u64;
    for &(count, positive) in &groups {
        let average = (2 * below + count + 1) as f64 / 2.0;
        statistic += average * positive as f64;
        below += count;
    }
    let ties = groups.iter().any(|&(count, _)| count > 1);
    let mut warnings = Vec::new();
    if zeros_dropped > 0 {
        warnings.push(Warning::ZeroDifferencesDropped {
            count: zeros_dropped,
        });
    }
    let exact_possible = !ties && zeros_dropped == 0 && n <= MAX_EXACT_N;
    let use_exact = match method {
        WilcoxonMethod::Auto => exact_possible && n < MAX_EXACT_N,
        WilcoxonMethod::Exact => {
            if !exact_possible {
                warnings.push(Warning::ExactDistributionUnavailable {
                    reason: if n > MAX_EXACT_N {
                        "more than 50 non-zero differences"
                    } else {
                        "ties or zero differences"
                    },
                });
            }
            exact_possible
        }
        WilcoxonMethod::Normal { .. } => false,
    };
    let continuity = match method {
        WilcoxonMethod::Normal {
            continuity_correction,
        } => continuity_correction,
        _ => true,
    };
    let (z, p_value, method_used) = if use_exact {
        (
            None,
            exact_p(statistic, n, alternative),
            WilcoxonMethod::Exact,
        )
    } else {
        let nf = n as f64;
        let centred = statistic - nf * (nf + 1.0) / 4.0;
        let tie_term: f64 = groups
            .iter()
            .map(|&(t, _)| {
                let t = t as f64;
                t * t * t - t
            })
            .sum();
        let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0;
        if variance.is_nan() || variance <= 0.0 {
            return Err(StatsError::Undefined {
                reason: "the signed-rank statistic has zero variance",
            });
        }
        let correction = if continuity {
            match alternative {
                Alternative::TwoSided => 0.5 * centred.signum() * f64::from(centred != 0.0),
                Alternative::Greater => 0.5,
                Alternative::Less => -0.5,
            }
        } else {
            0.0
        };
        let z = (centred - correction) / variance.sqrt();
        let p = match alternative {
            Alternative::TwoSided => (2.0 * normal_sf(z.abs())?).min(1.0),
            Alternative::Greater => normal_sf(z)?,
            Alternative::Less => normal_cdf(z)?,
        };
        (
            Some(z),
            p,
            WilcoxonMethod::Normal {
                continuity_correction: continuity,
            },
        )
    };
    Ok(WilcoxonResult {
        statistic,
        n_pairs,
        n_ranked: n,
        zeros_dropped,
        ties,
        z,
        p_value,
        alternative,
        method: method_used,
        warnings,
    })
}

/// Average ranks of `|d|` (1-based) and the sizes of the tie groups.
#[cfg(test)]
fn average_ranks(d: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..d.len()).collect();
    idx.sort_by(|&a, &b| d[a].abs().total_cmp(&d[b].abs()));
    let mut ranks = vec![0.0; d.len()];
    let mut sizes = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && d[idx[j]].abs() == d[idx[i]].abs() {
            j += 1;
        }
        // Ranks i+1 ..= j share their average.
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = avg;
        }
        sizes.push(j - i);
        i = j;
    }
    (ranks, sizes)
}

/// Exact p-value of V with `n` untied non-zero differences, as R's
/// `psignrank`-based computation.
fn exact_p(statistic: f64, n: usize, alternative: Alternative) -> f64 {
    let max = n * (n + 1) / 2;
    // counts[s] = number of subsets of {1..n} with sum s (exact in f64 for n <= 50).
    let mut counts = vec![0.0f64; max + 1];
    counts[0] = 1.0;
    for k in 1..=n {
        let top = k * (k + 1) / 2;
        for s in (k..=top).rev() {
            counts[s] += counts[s - k];
        }
    }
    let total = 2f64.powi(i32::try_from(n).unwrap_or(i32::MAX));
    // V is an integer without ties.
    let v = statistic.round().max(0.0) as usize;
    let lower = |v: usize| counts.iter().take(v + 1).sum::<f64>() / total; // P(V <= v)
    let upper = |v: usize| counts.iter().skip(v).sum::<f64>() / total; // P(V >= v)
    match alternative {
        Alternative::Less => lower(v),
        Alternative::Greater => upper(v),
        Alternative::TwoSided => {
            let p = if statistic > (n * (n + 1)) as f64 / 4.0 {
                upper(v)
            } else {
                lower(v)
            };
            (2.0 * p).min(1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_share_ties() {
        let (r, sizes) = average_ranks(&[1.0, -2.0, 2.0, 3.0]);
        assert_eq!(r, vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(sizes, vec![1, 2, 1]);
    }

    #[test]
    fn exact_distribution_sums_to_one_in_both_directions() {
        // P(V <= v) + P(V >= v + 1) = 1.
        for v in 0..=55usize {
            let total = exact_p(v as f64, 10, Alternative::Less)
                + exact_p(v as f64 + 1.0, 10, Alternative::Greater);
            assert!((total - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn tallied_differences_give_the_result_of_the_expanded_samples() {
        let x = [3.0, 4.0, 5.0, 6.0, 2.0, 2.0, 1.0, 5.0, 5.0, 1.0];
        let y = [1.0, 2.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 1.0, 1.0];
        let mut tallies: Vec<(f64, u64)> = Vec::new();
        for (a, b) in x.iter().zip(&y) {
            match tallies.iter_mut().find(|(d, _)| *d == a - b) {
                Some(t) => t.1 += 1,
                None => tallies.push((a - b, 1)),
            }
        }
        for alternative in [
            Alternative::TwoSided,
            Alternative::Greater,
            Alternative::Less,
        ] {
            let expanded = wilcoxon_signed_rank(&x, &y, alternative, WilcoxonMethod::Auto).unwrap();
            let tallied =
                wilcoxon_signed_rank_tallied(&tallies, alternative, WilcoxonMethod::Auto).unwrap();
            assert_eq!(expanded, tallied);
        }
        assert!(tallies.len() < x.len(), "some differences repeat");
    }

    #[test]
    fn all_zero_differences_are_a_typed_error() {
        let r = wilcoxon_signed_rank(
            &[1.0, 2.0],
            &[1.0, 2.0],
            Alternative::TwoSided,
            WilcoxonMethod::Auto,
        );
        assert!(matches!(r, Err(StatsError::TooFew { .. })));
        let r = wilcoxon_signed_rank(
            &[1.0],
            &[1.0, 2.0],
            Alternative::TwoSided,
            WilcoxonMethod::Auto,
        );
        assert!(matches!(r, Err(StatsError::LengthMismatch { .. })));
    }

    #[test]
    fn exact_requests_with_ties_fall_back_with_a_warning() {
        let r = wilcoxon_signed_rank(
            &[3.0, 4.0, 5.0, 6.0],
            &[1.0, 2.0, 1.0, 2.0],
            Alternative::TwoSided,
            WilcoxonMethod::Exact,
        )
        .unwrap();
        assert_eq!(
            r.method,
            WilcoxonMethod::Normal {
                continuity_correction: true
            }
        );
        assert!(matches!(
            r.warnings.as_slice(),
            [Warning::ExactDistributionUnavailable { .. }]
        ));
    }
}
