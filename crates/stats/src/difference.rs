//! Differences between two proportions with confidence intervals, and Cohen's h.
//!
//! * Paired proportions (the same people measured twice): the Wald interval and
//!   Newcombe's (1998) method 10, a hybrid of the two Wilson score intervals that
//!   allows for the correlation between the two measurements through the phi
//!   coefficient of the paired 2x2 table.
//! * Independent proportions (two groups): Newcombe's (1998) hybrid score interval,
//!   method 10 of his paper on independent samples, as statsmodels
//!   `confint_proportions_2indep(method='newcomb')` computes it.
//!
//! Both Newcombe intervals are built from [`wilson_interval`]s, so they inherit its
//! checks and stay inside `[-1, 1]`.

use crate::dist::normal_quantile;
use crate::{ContingencyTable, ProportionInterval, Result, StatsError, wilson_interval};

/// How a difference interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceMethod {
    /// Estimate plus or minus `z` standard errors, clamped to `[-1, 1]`.
    Wald,
    /// Newcombe's hybrid of Wilson score intervals (method 10 of his papers on
    /// paired and on independent proportions).
    Newcombe,
}

/// A difference between two proportions with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DifferenceInterval {
    /// The point estimate of the difference.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
    /// How the interval was computed.
    pub method: DifferenceMethod,
}

/// The change in a proportion between two measurements of the same people.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairedDifference {
    /// Number of pairs.
    pub n: u64,
    /// Proportion in the first category at the first measurement, `(a + b) / n`.
    pub first: f64,
    /// Proportion in the first category at the second measurement, `(a + c) / n`.
    pub second: f64,
    /// The continuity-corrected phi coefficient of the paired table that
    /// Newcombe's interval uses for the correlation between the measurements.
    pub phi: f64,
    /// `second - first` with the Wald interval.
    pub wald: DifferenceInterval,
    /// `second - first` with Newcombe's method 10 interval.
    pub newcombe: DifferenceInterval,
}

/// The difference `second - first` between paired proportions, from a paired
/// 2x2 table `[[a, b], [c, d]]` (rows: first measurement, columns: second; the
/// proportion is of the first category, row 0 and column 0), with the Wald and
/// Newcombe (1998, method 10) intervals.
///
/// The estimate is `(c - b) / n`. The Wald standard error is
/// `sqrt((b + c) / n - ((c - b) / n)^2) / sqrt(n)`. Newcombe's interval combines
/// the Wilson intervals `(l1, u1)` for `first` and `(l2, u2)` for `second`:
/// `lower = d - sqrt((p2 - l2)^2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)^2)` and
/// `upper = d + sqrt((u2 - p2)^2 - 2 phi (u2 - p2)(p1 - l1) + (p1 - l1)^2)`,
/// where `phi` is the table's phi coefficient with Newcombe's continuity
/// correction (see [`PairedDifference::phi`]).
///
/// # Errors
/// [`StatsError::NotTwoByTwo`], [`StatsError::ZeroTotal`] for an empty table,
/// [`StatsError::InvalidConfidence`] unless `0 < confidence < 1`, and
/// [`StatsError::CountTooLarge`].
pub fn paired_proportion_difference(
    table: &ContingencyTable,
    confidence: f64,
) -> Result<PairedDifference> {
    table.require_two_by_two()?;
    let n = table.total();
    if n == 0 {
        return Err(StatsError::ZeroTotal);
    }
    let (a, b, c, d) = (
        table.at(0, 0),
        table.at(0, 1),
        table.at(1, 0),
        table.at(1, 1),
    );
    let first_interval = wilson_interval(a + b, n, confidence)?;
    let second_interval = wilson_interval(a + c, n, confidence)?;
    let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0)?;
    let nf = n as f64;
    let estimate = (c as f64 - b as f64) / nf;
    let discordant = (b + c) as f64 / nf;
    let se = ((discordant - estimate * estimate).max(0.0) / nf).sqrt();
    let wald = DifferenceInterval {
        estimate,
        lower: (estimate - z * se).max(-1.0),
        upper: (estimate + z * se).min(1.0),
        confidence,
        method: DifferenceMethod::Wald,
    };
    let phi = newcombe_phi(a, b, c, d);
    let newcombe = hybrid(&second_interval, &first_interval, phi, confidence);
    Ok(PairedDifference {
        n,
        first: first_interval.estimate,
        second: second_interval.estimate,
        phi,
        wald,
        newcombe,
    })
}

/// The correlation Newcombe's method 10 uses: the phi coefficient of the table
/// with a continuity correction, `(ad - bc - n/2) / sqrt(r0 r1 c0 c1)` when
/// `ad - bc > n/2`, 0 when `0 <= ad - bc <= n/2`, `(ad - bc) / sqrt(...)` when
/// `ad - bc < 0`, and 0 when a margin is empty (Newcombe 1998; as in Fagerland,
/// Lydersen and Laake's `Newcombe_square_and_add_CI_paired_2x2`).
fn newcombe_phi(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let margins = [a + b, c + d, a + c, b + d];
    if margins.contains(&0) {
        return 0.0;
    }
    let n = (a + b + c + d) as f64;
    let cross = a as f64 * d as f64 - b as f64 * c as f64;
    let numerator = if cross > n / 2.0 {
        cross - n / 2.0
    } else if cross >= 0.0 {
        0.0
    } else {
        cross
    };
    let root: f64 = margins.iter().map(|&m| (m as f64).sqrt()).product();
    numerator / root
}

/// Newcombe's hybrid interval for `p - q` from the Wilson intervals of `p` and
/// `q` and the correlation `phi` between them (0 for independent samples).
fn hybrid(
    p: &ProportionInterval,
    q: &ProportionInterval,
    phi: f64,
    confidence: f64,
) -> DifferenceInterval {
    let estimate = p.estimate - q.estimate;
    let spread = |x: f64, y: f64| (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt();
    let below = spread(p.estimate - p.lower, q.upper - q.estimate);
    let above = spread(p.upper - p.estimate, q.estimate - q.lower);
    DifferenceInterval {
        estimate,
        lower: (estimate - below).max(-1.0),
        upper: (estimate + above).min(1.0),
        confidence,
        method: DifferenceMethod::Newcombe,
    }
}

/// The difference `p1 - p2` between two independent proportions
/// `successes1 / trials1` and `successes2 / trials2`, with Newcombe's hybrid
/// score interval (statsmodels `confint_proportions_2indep(method='newcomb')`).
///
/// # Errors
/// As [`wilson_interval`], for either sample.
pub fn newcombe_difference(
    successes1: u64,
    trials1: u64,
    successes2: u64,
    trials2: u64,
    confidence: f64,
) -> Result<DifferenceInterval> {
    let first = wilson_interval(successes1, trials1, confidence)?;
    let second = wilson_interval(successes2, trials2, confidence)?;
    Ok(hybrid(&first, &second, 0.0, confidence))
}

/// Cohen's h, `2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`, the effect size for a
/// difference between two proportions (statsmodels `proportion_effectsize`).
/// Cohen's rough guide: 0.2 small, 0.5 medium, 0.8 large.
///
/// # Errors
/// [`StatsError::NonFinite`] unless both proportions are in `[0, 1]`.
pub fn cohens_h(p1: f64, p2: f64) -> Result<f64> {
    if !((0.0..=1.0).contains(&p1) && (0.0..=1.0).contains(&p2)) {
        return Err(StatsError::NonFinite {
            what: "a proportion for Cohen's h",
        });
    }
    Ok(2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_estimate_is_the_net_change_of_discordant_pairs_over_n() {
        // 30 agreed both times, 25 stopped agreeing, 8 started, 57 never agreed.
        let t = ContingencyTable::two_by_two(30, 25, 8, 57).unwrap();
        let r = paired_proportion_difference(&t, 0.95).unwrap();
        assert!((r.wald.estimate - (8.0 - 25.0) / 120.0).abs() < 1e-15);
        assert_eq!(r.wald.estimate, r.newcombe.estimate);
        assert!(r.newcombe.lower < r.newcombe.estimate && r.newcombe.estimate < r.newcombe.upper);
    }

    #[test]
    fn paired_difference_refuses_empty_and_non_two_by_two_tables() {
        let empty = ContingencyTable::two_by_two(0, 0, 0, 0).unwrap();
        assert!(matches!(
            paired_proportion_difference(&empty, 0.95),
            Err(StatsError::ZeroTotal)
        ));
        let wide = ContingencyTable::new(vec![vec![1, 2, 3], vec![4, 5, 6]]).unwrap();
        assert!(matches!(
            paired_proportion_difference(&wide, 0.95),
            Err(StatsError::NotTwoByTwo { .. })
        ));
    }

    #[test]
    fn no_change_at_all_gives_a_newcombe_interval_around_zero_inside_minus_one_to_one() {
        let t = ContingencyTable::two_by_two(0, 0, 0, 10).unwrap();
        let r = paired_proportion_difference(&t, 0.95).unwrap();
        assert_eq!(r.newcombe.estimate, 0.0);
        assert!(r.newcombe.lower < 0.0 && r.newcombe.upper > 0.0);
        assert!(r.newcombe.lower >= -1.0 && r.newcombe.upper <= 1.0);
    }

    #[test]
    fn cohens_h_is_antisymmetric_and_refuses_values_outside_zero_to_one() {
        let h = cohens_h(0.6, 0.4).unwrap();
        assert!((h + cohens_h(0.4, 0.6).unwrap()).abs() < 1e-15);
        assert!(h > 0.0);
        assert!(cohens_h(1.2, 0.4).is_err());
        assert!(cohens_h(f64::NAN, 0.4).is_err());
    }
}
