//! Fisher's exact test for 2x2 and r x c tables.
//!
//! * 2x2: the hypergeometric distribution of the top-left cell, summed in log
//!   space from its mode outwards (any size, always exact).
//! * r x c: enumeration of every table with the observed margins (column by
//!   column, the last row and column forced), summing the probabilities of
//!   tables no more probable than the observed one. The number of enumeration
//!   steps is capped; beyond the cap a seeded Monte Carlo estimate is given
//!   (random tables with fixed margins by Patefield's algorithm, p-value as in
//!   R's `fisher.test(simulate.p.value = TRUE)`).
//!
//! Two-sided p-values use R's relative tolerance: tables whose probability is
//! at most `(1 + 1e-7)` times the observed one count as "no more probable".

use statrs::function::factorial::ln_factorial;

use crate::dist::{LogWeights, ln_ratio};
use crate::rng::Rng;
use crate::{Alternative, ContingencyTable, Result, StatsError, Warning};

/// Default cap on the number of enumeration steps for exact r x c tests
/// (roughly half a second to a second in a release build; far longer in an
/// unoptimised debug build).
pub const DEFAULT_FISHER_WORK_LIMIT: u64 = 100_000_000;

/// R's relative tolerance when comparing table probabilities.
const REL_ERR: f64 = 1.0 + 1e-7;

/// How a Fisher p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FisherMethod {
    /// Exact: every table with the observed margins was accounted for.
    Exact,
    /// Monte Carlo estimate from random tables with the observed margins.
    MonteCarlo {
        /// Number of simulated tables.
        samples: u64,
        /// Seed of the pseudo-random generator.
        seed: u64,
    },
}

/// Options for [`fisher_exact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FisherOptions {
    /// Maximum number of enumeration steps before falling back to Monte Carlo.
    pub work_limit: u64,
    /// Number of random tables for the Monte Carlo fallback (or when
    /// `simulate` is set). R's default is 2000; the default here is 100 000.
    pub samples: u64,
    /// Seed for the Monte Carlo generator.
    pub seed: u64,
    /// Skip enumeration and always simulate (r x c tables only; 2x2 tables are
    /// always exact).
    pub simulate: bool,
}

impl Default for FisherOptions {
    fn default() -> Self {
        Self {
            work_limit: DEFAULT_FISHER_WORK_LIMIT,
            samples: 100_000,
            seed: 20_240_601,
            simulate: false,
        }
    }
}

/// Result of Fisher's exact test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FisherResult {
    /// The p-value.
    pub p_value: f64,
    /// The alternative hypothesis (always two-sided for tables larger than 2x2).
    pub alternative: Alternative,
    /// How the p-value was obtained.
    pub method: FisherMethod,
    /// Monte Carlo standard error `sqrt(p (1 - p) / samples)`; `None` when exact.
    pub monte_carlo_standard_error: Option<f64>,
    /// Warnings (dropped empty categories, infeasible enumeration).
    pub warnings: Vec<Warning>,
}

/// Fisher's exact test, two-sided, for any r x c table.
///
/// 2x2 tables are always exact. Larger tables are enumerated exactly unless
/// that would take more than `options.work_limit` steps (or
/// `options.simulate` is set), in which case a seeded Monte Carlo estimate is
/// returned with [`FisherMethod::MonteCarlo`] and, for the fallback, a
/// [`Warning::ExactEnumerationInfeasible`].
///
/// # Errors
/// [`StatsError::ZeroTotal`], [`StatsError::DegenerateTable`] (fewer than two
/// non-empty rows or columns) and [`StatsError::InvalidOption`] for zero
/// Monte Carlo samples when they are needed.
pub fn fisher_exact(table: &ContingencyTable, options: &FisherOptions) -> Result<FisherResult> {
    let (t, dropped) = table.reduced_for_association()?;
    let mut warnings: Vec<Warning> = dropped.into_iter().collect();
    if t.n_rows() == 2 && t.n_columns() == 2 {
        let p = hypergeometric_p(&t, Alternative::TwoSided)?;
        return Ok(exact_result(p, Alternative::TwoSided, warnings));
    }
    // The p-value does not depend on the order or orientation of rows and columns, but the
    // enumeration's work (and so whether it fits the work limit) and the Monte Carlo draws
    // do. A canonical form makes every permutation and the transpose give the same answer.
    let t = canonical(&t)?;
    if !options.simulate {
        if let Some(p) = enumerate_p(&t, options.work_limit) {
            return Ok(exact_result(p, Alternative::TwoSided, warnings));
        }
        warnings.push(Warning::ExactEnumerationInfeasible {
            work_limit: options.work_limit,
        });
    }
    let mut result = monte_carlo(&t, options.samples, options.seed)?;
    warnings.append(&mut result.warnings);
    result.warnings = warnings;
    Ok(result)
}

/// The table with rows and columns sorted by their totals (then contents), oriented with
/// no more rows than columns.
fn canonical(table: &ContingencyTable) -> Result<ContingencyTable> {
    let sort = |rows: Vec<Vec<u64>>| -> Vec<Vec<u64>> {
        let mut rows = rows;
        rows.sort_by(|a, b| (a.iter().sum::<u64>(), a).cmp(&(b.iter().sum::<u64>(), b)));
        rows
    };
    let oriented = if table.n_rows() > table.n_columns() {
        table.transpose()
    } else {
        table.clone()
    };
    // Sort rows, then columns (as rows of the transpose), then rows again so that ties
    // broken by contents are settled after the columns have moved.
    let rows = sort(oriented.to_rows());
    let columns = sort(ContingencyTable::new(rows)?.transpose().to_rows());
    let rows = sort(ContingencyTable::new(columns)?.transpose().to_rows());
    ContingencyTable::new(rows)
}

/// Fisher's exact test for a 2x2 table with a chosen alternative.
///
/// For [`Alternative::Greater`] the p-value is `P(X >= a)` where `a` is the
/// top-left cell (odds ratio greater than 1), for [`Alternative::Less`]
/// `P(X <= a)`, as in R and scipy.
///
/// # Errors
/// [`StatsError::NotTwoByTwo`], [`StatsError::ZeroTotal`] and
/// [`StatsError::DegenerateTable`] (an empty row or column).
pub fn fisher_exact_2x2(
    table: &ContingencyTable,
    alternative: Alternative,
) -> Result<FisherResult> {
    table.require_two_by_two()?;
    let (t, _) = table.reduced_for_association()?;
    let p = hypergeometric_p(&t, alternative)?;
    Ok(exact_result(p, alternative, Vec::new()))
}

/// Monte Carlo Fisher test: `samples` random tables with the observed margins
/// (Patefield's algorithm), p-value `(1 + #{P(sim) <= P(obs)}) / (samples + 1)`
/// as R's `fisher.test(simulate.p.value = TRUE, B = samples)`.
///
/// # Errors
/// As [`fisher_exact`]; [`StatsError::InvalidOption`] if `samples` is zero.
pub fn fisher_monte_carlo(
    table: &ContingencyTable,
    samples: u64,
    seed: u64,
) -> Result<FisherResult> {
    let (t, dropped) = table.reduced_for_association()?;
    let mut result = monte_carlo(&t, samples, seed)?;
    let mut warnings: Vec<Warning> = dropped.into_iter().collect();
    warnings.append(&mut result.warnings);
    result.warnings = warnings;
    Ok(result)
}

fn exact_result(p: f64, alternative: Alternative, warnings: Vec<Warning>) -> FisherResult {
    FisherResult {
        p_value: p.clamp(0.0, 1.0),
        alternative,
        method: FisherMethod::Exact,
        monte_carlo_standard_error: None,
        warnings,
    }
}

/// Exact p-value of a 2x2 table (no empty rows or columns).
fn hypergeometric_p(t: &ContingencyTable, alternative: Alternative) -> Result<f64> {
    let (a, b, c, d) = (t.at(0, 0), t.at(0, 1), t.at(1, 0), t.at(1, 1));
    let r1 = a + b;
    let r2 = c + d;
    let c1 = a + c;
    let n = r1 + r2;
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let mode_wide = (u128::from(r1) + 1) * (u128::from(c1) + 1) / (u128::from(n) + 2);
    let mode = u64::try_from(mode_wide).map_err(|_| StatsError::CountTooLarge)?;
    // w(x+1)/w(x) = (r1 - x)(c1 - x) / ((x + 1)(r2 - c1 + x + 1)).
    let weights = LogWeights::build(lo, hi, mode, a, |x| {
        ln_ratio(r1 - x, c1 - x, x + 1, r2 + x + 1 - c1)
    });
    let obs = weights.get(a);
    let p = match alternative {
        Alternative::TwoSided => {
            let limit = obs + REL_ERR.ln();
            weights.probability(|_, w| w <= limit)
        }
        Alternative::Greater => weights.probability(|x, _| x >= a),
        Alternative::Less => weights.probability(|x, _| x <= a),
    };
    if p.is_nan() {
        return Err(StatsError::Numerical {
            reason: "Fisher 2x2 probability",
        });
    }
    Ok(p)
}

/// Table of `ln(k!)` for `k = 0..=n`.
fn ln_factorials(n: u64) -> Vec<f64> {
    (0..=n).map(ln_factorial).collect()
}

/// Exhaustive enumeration of all tables with the margins of `t`.
struct Enumerator {
    lf: Vec<f64>,
    rows: usize,
    cols: usize,
    col_totals: Vec<u64>,
    row_rem: Vec<u64>,
    /// `suffix[j][i]` = sum of remaining row totals of rows `> i` when
    /// column `j` starts.
    suffix: Vec<Vec<u64>>,
    /// Log threshold: tables with `-sum ln(n_ij!) <= limit` count.
    limit: f64,
    /// `-sum ln(n_ij!)` of the observed table.
    observed: f64,
    sum: f64,
    comp: f64,
    work: u64,
    work_limit: u64,
}

impl Enumerator {
    fn lf(&self, k: u64) -> f64 {
        usize::try_from(k)
            .ok()
            .and_then(|k| self.lf.get(k).copied())
            .unwrap_or(f64::NAN)
    }

    fn add(&mut self, s: f64) {
        let term = (s - self.observed).exp();
        let t = self.sum + term;
        if self.sum >= term {
            self.comp += (self.sum - t) + term;
        } else {
            self.comp += (term - t) + self.sum;
        }
        self.sum = t;
    }

    /// Lower and upper bounds of `-sum ln(n!)` over the cells of columns
    /// `j..` for any completion with the current remaining row totals.
    /// Each column is bounded separately with only the row caps kept (a
    /// relaxation): the largest value spreads the column as evenly as the caps
    /// allow, the smallest concentrates it in the largest caps.
    fn bounds(&self, j: usize) -> (f64, f64) {
        let mut caps: Vec<u64> = self.row_rem.clone();
        caps.sort_unstable();
        let mut lower = 0.0;
        let mut upper = 0.0;
        for &total in &self.col_totals[j..] {
            // Most concentrated: fill the largest caps first.
            let mut left = total;
            for &cap in caps.iter().rev() {
                let x = cap.min(left);
                lower -= self.lf(x);
                left -= x;
                if left == 0 {
                    break;
                }
            }
            // Most even: water-filling over caps in ascending order.
            let mut left = total;
            let mut cells = caps.len() as u64;
            for &cap in &caps {
                let level = left / cells;
                if cap <= level {
                    upper -= self.lf(cap);
                    left -= cap;
                    cells -= 1;
                } else {
                    let high = left - level * cells;
                    upper -=
                        high as f64 * self.lf(level + 1) + (cells - high) as f64 * self.lf(level);
                    break;
                }
            }
        }
        (lower, upper)
    }

    /// Fills column `j` from row `i` with `col_rem` still to place; `partial`
    /// is `-sum ln(n!)` of the cells placed so far. Returns `false` when the
    /// work limit is exceeded.
    fn fill(&mut self, j: usize, i: usize, col_rem: u64, partial: f64) -> bool {
        self.work += 1;
        if self.work > self.work_limit {
            return false;
        }
        if j + 1 == self.cols {
            // Last column is forced: it takes whatever each row has left.
            let s = partial - self.row_rem.iter().map(|&v| self.lf(v)).sum::<f64>();
            if s <= self.limit {
                self.add(s);
            }
            return true;
        }
        if i == 0 {
            // Starting a new column: try to settle the whole remaining
            // sub-table at once from bounds on what its completions can reach.
            let (min_rest, max_rest) = self.bounds(j);
            if partial + min_rest > self.limit + BOUND_SLACK {
                // Even the least probable completion is more probable than
                // the observed table: nothing below counts.
                return true;
            }
            if partial + max_rest <= self.limit - BOUND_SLACK {
                // Every completion counts: add their total mass in closed form,
                // sum over completions of prod 1/n! = N! / (prod R! prod C!).
                let rest: u64 = self.row_rem.iter().sum();
                let mass = self.lf(rest)
                    - self.row_rem.iter().map(|&v| self.lf(v)).sum::<f64>()
                    - self.col_totals[j..]
                        .iter()
                        .map(|&v| self.lf(v))
                        .sum::<f64>();
                self.add(partial + mass);
                return true;
            }
            // Record suffix sums of remaining row totals for this column.
            let mut acc = 0u64;
            for k in (0..self.rows).rev() {
                self.suffix[j][k] = acc;
                acc += self.row_rem[k];
            }
        }
        if i + 1 == self.rows {
            // Last row of the column is forced.
            let x = col_rem;
            self.row_rem[i] -= x;
            let next_total = self.col_totals.get(j + 1).copied().unwrap_or(0);
            let ok = self.fill(j + 1, 0, next_total, partial - self.lf(x));
            self.row_rem[i] += x;
            return ok;
        }
        let below = self.suffix[j][i];
        let lo = col_rem.saturating_sub(below);
        let hi = col_rem.min(self.row_rem[i]);
        for x in lo..=hi {
            self.row_rem[i] -= x;
            let ok = self.fill(j, i + 1, col_rem - x, partial - self.lf(x));
            self.row_rem[i] += x;
            if !ok {
                return false;
            }
        }
        true
    }
}

/// Slack (in log-probability units) for settling sub-tables from bounds, far
/// above the rounding of the sums and far below any real difference.
const BOUND_SLACK: f64 = 1e-9;

/// The table in a canonical orientation and order: the shorter dimension as
/// rows (ties broken by the margins), rows and columns sorted by decreasing
/// total. Permuted or transposed tables are then enumerated identically, and
/// large columns first make the bounds bite early.
fn canonical_order(t: &ContingencyTable) -> ContingencyTable {
    let sorted = |mut v: Vec<u64>| {
        v.sort_unstable_by(|a, b| b.cmp(a));
        v
    };
    let transpose = t.n_rows() > t.n_columns()
        || (t.n_rows() == t.n_columns() && sorted(t.row_totals()) > sorted(t.column_totals()));
    let t = if transpose { t.transpose() } else { t.clone() };
    let rt = t.row_totals();
    let ct = t.column_totals();
    let mut rows: Vec<usize> = (0..t.n_rows()).collect();
    rows.sort_by(|&a, &b| rt[b].cmp(&rt[a]));
    let mut cols: Vec<usize> = (0..t.n_columns()).collect();
    cols.sort_by(|&a, &b| ct[b].cmp(&ct[a]));
    let cells: Vec<Vec<u64>> = rows
        .iter()
        .map(|&r| cols.iter().map(|&c| t.at(r, c)).collect())
        .collect();
    ContingencyTable::new(cells).unwrap_or(t)
}

/// Exact two-sided p-value by enumeration, or `None` beyond the work limit.
fn enumerate_p(t: &ContingencyTable, work_limit: u64) -> Option<f64> {
    let t = canonical_order(t);
    let n = t.total();
    let lf = ln_factorials(n);
    let (rows, cols) = (t.n_rows(), t.n_columns());
    let row_totals = t.row_totals();
    let col_totals = t.column_totals();
    let mut observed = 0.0;
    for j in 0..cols {
        for i in 0..rows {
            observed -= lf.get(usize::try_from(t.at(i, j)).ok()?)?;
        }
    }
    let constant: f64 = row_totals
        .iter()
        .chain(col_totals.iter())
        .map(|&v| usize::try_from(v).ok().and_then(|v| lf.get(v).copied()))
        .sum::<Option<f64>>()?
        - lf.get(usize::try_from(n).ok()?)?;
    let first_total = col_totals.first().copied()?;
    let mut e = Enumerator {
        lf,
        rows,
        cols,
        col_totals,
        row_rem: row_totals,
        suffix: vec![vec![0; rows]; cols],
        limit: observed + REL_ERR.ln(),
        observed,
        sum: 0.0,
        comp: 0.0,
        work: 0,
        work_limit,
    };
    if !e.fill(0, 0, first_total, 0.0) {
        return None;
    }
    let total = e.sum + e.comp;
    let p = (constant + observed + total.ln()).exp();
    if p.is_finite() {
        Some(p.min(1.0))
    } else {
        None
    }
}

/// Patefield (1981, AS 159) sampler of r x c tables with fixed margins.
struct Patefield {
    lf: Vec<f64>,
    row_totals: Vec<u64>,
    col_totals: Vec<u64>,
    n: u64,
}

impl Patefield {
    fn lf(&self, k: u64) -> f64 {
        usize::try_from(k)
            .ok()
            .and_then(|k| self.lf.get(k).copied())
            .unwrap_or(f64::NAN)
    }

    /// Draws the count of "successes" among `draws` from a population of
    /// `population` containing `successes`: the conditional distribution of a
    /// cell given the remaining margins. Starts at the rounded mean and walks
    /// outwards alternately, as Patefield does.
    fn hypergeometric(&self, rng: &mut Rng, population: u64, successes: u64, draws: u64) -> u64 {
        let (ie, id, ia) = (population, successes, draws);
        let lo = (ia + id).saturating_sub(ie);
        let hi = ia.min(id);
        if lo == hi {
            return lo;
        }
        let mean = ia as f64 * (id as f64 / ie as f64);
        let start = ((mean + 0.5).floor() as u64).clamp(lo, hi);
        // ii + x = ie - ia - id + x (>= 0 on the support).
        let rest = |x: u64| ie + x - ia - id;
        let p_start = (self.lf(ia) + self.lf(ie - ia) + self.lf(ie - id) + self.lf(id)
            - self.lf(ie)
            - self.lf(start)
            - self.lf(id - start)
            - self.lf(ia - start)
            - self.lf(rest(start)))
        .exp();
        let walk = |u: f64| -> (Option<u64>, f64) {
            let mut sum = p_start;
            if u <= sum {
                return (Some(start), sum);
            }
            let (mut up, mut p_up) = (start, p_start);
            let (mut down, mut p_down) = (start, p_start);
            loop {
                let can_up = up < hi;
                let can_down = down > lo;
                if !can_up && !can_down {
                    return (None, sum);
                }
                if can_up {
                    p_up *= (id - up) as f64 * (ia - up) as f64
                        / ((up + 1) as f64 * rest(up + 1) as f64);
                    up += 1;
                    sum += p_up;
                    if u <= sum {
                        return (Some(up), sum);
                    }
                }
                if can_down {
                    p_down *= down as f64 * rest(down) as f64
                        / ((id - down + 1) as f64 * (ia - down + 1) as f64);
                    down -= 1;
                    sum += p_down;
                    if u <= sum {
                        return (Some(down), sum);
                    }
                }
            }
        };
        match walk(rng.uniform()) {
            (Some(x), _) => x,
            // Rounding left the total just below 1: redraw within the mass found.
            (None, total) => walk(rng.uniform() * total).0.unwrap_or(start),
        }
    }

    /// Fills `out` (row-major) with a random table.
    fn sample(&self, rng: &mut Rng, out: &mut [u64], col_rem: &mut [u64]) {
        let (r, c) = (self.row_totals.len(), self.col_totals.len());
        col_rem.copy_from_slice(&self.col_totals);
        // Total of rows l.. (all columns).
        let mut rows_left = self.n;
        for l in 0..r.saturating_sub(1) {
            let mut row_left = self.row_totals[l];
            // Total of the remaining columns m.. within rows l..
            let mut block = rows_left;
            rows_left -= self.row_totals[l];
            for m in 0..c - 1 {
                let x = if block == 0 || row_left == 0 {
                    0
                } else {
                    self.hypergeometric(rng, block, col_rem[m], row_left)
                };
                block -= col_rem[m];
                out[l * c + m] = x;
                row_left -= x;
                col_rem[m] -= x;
            }
            out[l * c + c - 1] = row_left;
            col_rem[c - 1] -= row_left;
        }
        for m in 0..c {
            out[(r - 1) * c + m] = col_rem[m];
        }
    }
}

fn monte_carlo(t: &ContingencyTable, samples: u64, seed: u64) -> Result<FisherResult> {
    if samples == 0 {
        return Err(StatsError::InvalidOption {
            reason: "Monte Carlo needs at least one sample",
        });
    }
    let n = t.total();
    let sampler = Patefield {
        lf: ln_factorials(n),
        row_totals: t.row_totals(),
        col_totals: t.column_totals(),
        n,
    };
    let (r, c) = (t.n_rows(), t.n_columns());
    let stat = |cells: &[u64]| -> f64 { -cells.iter().map(|&v| sampler.lf(v)).sum::<f64>() };
    let observed: Vec<u64> = t.to_rows().concat();
    // R: tmp <= STATISTIC / almost.1 with almost.1 = 1 + 64 * eps.
    let threshold = stat(&observed) / (1.0 + 64.0 * f64::EPSILON);
    let mut rng = Rng::new(seed);
    let mut cells = vec![0u64; r * c];
    let mut col_rem = vec![0u64; c];
    let mut hits: u64 = 0;
    for _ in 0..samples {
        sampler.sample(&mut rng, &mut cells, &mut col_rem);
        if stat(&cells) <= threshold {
            hits += 1;
        }
    }
    let p = (1 + hits) as f64 / (samples as f64 + 1.0);
    Ok(FisherResult {
        p_value: p,
        alternative: Alternative::TwoSided,
        method: FisherMethod::MonteCarlo { samples, seed },
        monte_carlo_standard_error: Some((p * (1.0 - p) / samples as f64).sqrt()),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[u64]]) -> ContingencyTable {
        ContingencyTable::new(rows.iter().map(|r| r.to_vec()).collect()).unwrap()
    }

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn two_by_two_two_sided_matches_the_brief() {
        let r = fisher_exact(&table(&[&[12, 5], &[9, 14]]), &FisherOptions::default()).unwrap();
        assert!(
            rel(r.p_value, 0.062_355_169_407_449_715) < 1e-12,
            "{}",
            r.p_value
        );
        assert_eq!(r.method, FisherMethod::Exact);
    }

    #[test]
    fn r_by_c_enumeration_matches_r_fisher_test() {
        let opts = FisherOptions::default();
        let r = fisher_exact(&table(&[&[10, 4, 2], &[6, 8, 9], &[3, 7, 11]]), &opts).unwrap();
        assert!(
            rel(r.p_value, 0.027_315_491_116_718_99) < 1e-9,
            "{}",
            r.p_value
        );
        let r = fisher_exact(&table(&[&[2, 8], &[1, 9], &[7, 3]]), &opts).unwrap();
        assert!(
            rel(r.p_value, 0.023_340_078_212_642_38) < 1e-9,
            "{}",
            r.p_value
        );
        assert_eq!(r.method, FisherMethod::Exact);
    }

    #[test]
    fn enumeration_agrees_with_the_hypergeometric_route_on_2x2_tables() {
        for rows in [[[12u64, 5], [9, 14]], [[0, 7], [9, 3]], [[30, 1], [2, 40]]] {
            let t = table(&[&rows[0], &rows[1]]);
            let exact = hypergeometric_p(&t, Alternative::TwoSided).unwrap();
            let enumerated = enumerate_p(&t, u64::MAX).unwrap();
            assert!(
                rel(enumerated, exact) < 1e-11,
                "{rows:?}: {enumerated} vs {exact}"
            );
        }
    }

    #[test]
    fn exceeding_the_work_limit_falls_back_to_a_seeded_monte_carlo_estimate() {
        let t = table(&[&[10, 4, 2], &[6, 8, 9], &[3, 7, 11]]);
        let opts = FisherOptions {
            work_limit: 10,
            samples: 20_000,
            seed: 7,
            simulate: false,
        };
        let r = fisher_exact(&t, &opts).unwrap();
        assert_eq!(
            r.method,
            FisherMethod::MonteCarlo {
                samples: 20_000,
                seed: 7
            }
        );
        assert!(
            r.warnings
                .contains(&Warning::ExactEnumerationInfeasible { work_limit: 10 })
        );
        let se = r.monte_carlo_standard_error.unwrap();
        assert!(
            (r.p_value - 0.027_315_491_116_718_99).abs() < 5.0 * se,
            "{} ± {se}",
            r.p_value
        );
        // Same seed, same answer.
        assert_eq!(fisher_exact(&t, &opts).unwrap(), r);
    }

    #[test]
    fn patefield_tables_keep_the_margins() {
        let t = table(&[&[10, 4, 2, 0], &[6, 8, 9, 1], &[3, 7, 11, 5]]);
        let n = t.total();
        let s = Patefield {
            lf: ln_factorials(n),
            row_totals: t.row_totals(),
            col_totals: t.column_totals(),
            n,
        };
        let mut rng = Rng::new(3);
        let mut cells = vec![0; 12];
        let mut col_rem = vec![0; 4];
        for _ in 0..1000 {
            s.sample(&mut rng, &mut cells, &mut col_rem);
            let rows: Vec<Vec<u64>> = cells.chunks(4).map(<[u64]>::to_vec).collect();
            let sim = ContingencyTable::new(rows).unwrap();
            assert_eq!(sim.row_totals(), t.row_totals());
            assert_eq!(sim.column_totals(), t.column_totals());
        }
    }
}
