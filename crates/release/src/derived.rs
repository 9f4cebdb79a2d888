//! Statistics worked out from a release's shown figures alone: a headline measure's
//! interval, where a site differs from all sites, and change after the training.
//!
//! Each function reads only what [`Figure`] shows (its `site_count`, `site_base` and
//! `all_percent`), never a hidden count, so everything it prints could be worked out by
//! any reader from the figures beside it and adds nothing to what the intruder knows.

use serde::Serialize;
use skafada_stats::{
    AdjustMethod, Alternative, ContingencyTable, McNemarMethod, adjust_p_values, mcnemar,
    two_proportion_z_test,
};

use crate::{Figure, LinkedCells};

/// A share's confidence interval as printed: whole percentages, the lower rounded down
/// and the upper rounded up, so the printed interval never claims more precision than
/// the computed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// Lower bound, per cent.
    pub low: u64,
    /// Upper bound, per cent.
    pub high: u64,
}

/// The exact bounds (as fractions) of the Wilson interval of a shown share.
fn wilson(figure: &Figure, confidence: f64) -> Option<(f64, f64)> {
    let (count, base) = (figure.site_count()?, figure.site_base()?);
    if base == 0 {
        return None;
    }
    let interval = skafada_stats::wilson_interval(count, base, confidence).ok()?;
    Some((interval.lower, interval.upper))
}

/// The 95% Wilson interval of a figure's site share, when its count and base are both
/// shown.
pub fn interval(figure: &Figure) -> Option<Interval> {
    let (low, high) = wilson(figure, 0.95)?;
    Some(Interval {
        low: (low * 100.0 + 1e-9).floor().max(0.0) as u64,
        high: (high * 100.0 - 1e-9).ceil().min(100.0) as u64,
    })
}

/// Which way a site differs from all sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// A larger share at the site.
    Higher,
    /// A smaller share at the site.
    Lower,
}

/// A measure on which the site differs from all sites by more than chance explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The figure's index in the slice given.
    pub index: usize,
    /// Which way.
    pub direction: Direction,
    /// How far, in percentage points, the all-sites percentage lies outside the site's
    /// adjusted interval: the ranking.
    pub beyond: f64,
}

/// The figures on which the site differs from all sites, largest first.
///
/// The rule, stated on the page: each shown site share gets a Wilson interval at
/// `1 - 0.05 / m` confidence, where `m` is the number of figures compared (Bonferroni),
/// so that across all of them together the chance of pointing out a difference that is
/// only chance is at most 1 in 20. A figure differs when the all-sites percentage, with
/// its rounding of half a point either way, lies wholly outside that interval. The
/// all-sites share includes the site's own people, which can only make a difference
/// harder to find.
pub fn differences(figures: &[&Figure]) -> Vec<Difference> {
    let compared: Vec<(usize, f64)> = figures
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            wilson(f, 0.95)?;
            Some((i, f.all_percent()? as f64))
        })
        .collect();
    if compared.is_empty() {
        return Vec::new();
    }
    let confidence = 1.0 - 0.05 / compared.len() as f64;
    let mut out: Vec<Difference> = compared
        .into_iter()
        .filter_map(|(index, all)| {
            let (low, high) = wilson(figures[index], confidence)?;
            let (low, high) = (low * 100.0, high * 100.0);
            // The site's interval lies wholly above or below all sites' figure.
            if all + 0.5 < low {
                Some(Difference {
                    index,
                    direction: Direction::Higher,
                    beyond: low - (all + 0.5),
                })
            } else if all - 0.5 > high {
                Some(Difference {
                    index,
                    direction: Direction::Lower,
                    beyond: (all - 0.5) - high,
                })
            } else {
                None
            }
        })
        .collect();
    out.sort_by(|a, b| b.beyond.total_cmp(&a.beyond).then(a.index.cmp(&b.index)));
    out
}

/// Change in a site share from before the training to after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The figure pair's index in the slice given.
    pub index: usize,
    /// After minus before, in percentage points: of the shown percentages, or, when
    /// paired, of the linked respondents' shares.
    pub points: i64,
    /// The number of linked respondents the change was worked out from, when paired.
    pub paired: Option<u64>,
    /// The two-sided p-value (McNemar's exact test when paired, else the
    /// two-proportion z-test), Holm-adjusted over every pair compared.
    pub adjusted_p: f64,
    /// Whether the adjusted p is at or below the significance level given.
    pub clear: bool,
}

/// Before-and-after comparisons of shown site shares, Holm-adjusted together. A pair
/// with linked counts the release publishes is compared person by person: the change
/// among the linked respondents, tested with McNemar's exact test on those who changed.
/// Any other pair whose counts and bases are all shown is compared as two independent
/// groups (a two-sided two-proportion z-test), which is cautious when the same people
/// answered both.
pub fn changes(
    pairs: &[(&Figure, &Figure, Option<&LinkedCells>)],
    significance: f64,
) -> Vec<Change> {
    let tested: Vec<(usize, i64, Option<u64>, f64)> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, (pre, post, linked))| match linked {
            Some(cells) if cells.total() > 0 => {
                let n = cells.total();
                let gained = i64::try_from(cells.after_only).ok()?;
                let lost = i64::try_from(cells.before_only).ok()?;
                let points = (100.0 * (gained - lost) as f64 / n as f64).round() as i64;
                let table = ContingencyTable::new(vec![
                    vec![cells.both, cells.before_only],
                    vec![cells.after_only, cells.neither],
                ])
                .ok()?;
                let test = mcnemar(&table, McNemarMethod::Exact).ok()?;
                Some((i, points, Some(n), test.p_value))
            }
            _ => {
                let (k1, n1) = (pre.site_count()?, pre.site_base()?);
                let (k2, n2) = (post.site_count()?, post.site_base()?);
                let (p1, p2) = (pre.site_percent()?, post.site_percent()?);
                let test = two_proportion_z_test(k2, n2, k1, n1, Alternative::TwoSided).ok()?;
                Some((i, p2 as i64 - p1 as i64, None, test.p_value))
            }
        })
        .collect();
    let raw: Vec<f64> = tested.iter().map(|t| t.3).collect();
    let Ok(adjusted) = adjust_p_values(&raw, AdjustMethod::Holm) else {
        return Vec::new();
    };
    tested
        .into_iter()
        .zip(adjusted)
        .map(|((index, points, paired, _), adjusted_p)| Change {
            index,
            points,
            paired,
            adjusted_p,
            clear: adjusted_p <= significance,
        })
        .collect()
}
