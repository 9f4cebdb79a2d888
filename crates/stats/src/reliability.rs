//! Scale reliability (Cronbach's alpha) and item difficulty.

use crate::dist::f_isf;
use crate::{Result, StatsError, Warning};

/// Cronbach's alpha with Feldt's confidence interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CronbachAlpha {
    /// Alpha `k/(k-1) (1 - sum of item variances / variance of the total)`.
    pub alpha: f64,
    /// Number of items `k`.
    pub items: usize,
    /// Number of complete cases used.
    pub n: usize,
    /// Lower bound of Feldt's F-based interval.
    pub lower: f64,
    /// Upper bound of Feldt's F-based interval.
    pub upper: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Warnings (cases dropped listwise, few cases).
    pub warnings: Vec<Warning>,
}

/// Cronbach's alpha for a respondents x items matrix, using complete cases
/// only (listwise deletion; a `None` marks a missing answer), with Feldt's
/// interval
/// `1 - (1 - alpha) F_{(1 -/+ c)/2}(n - 1, (n - 1)(k - 1))` (upper-tail F
/// quantiles), as pingouin's `cronbach_alpha(nan_policy='listwise')` before
/// its rounding to three decimals.
///
/// # Errors
/// [`StatsError::Empty`], [`StatsError::RaggedTable`],
/// [`StatsError::NonFinite`], [`StatsError::InvalidConfidence`],
/// [`StatsError::TooFew`] (fewer than 2 items or 2 complete cases) and
/// [`StatsError::Undefined`] when the total score has zero variance.
pub fn cronbach_alpha(responses: &[Vec<Option<f64>>], confidence: f64) -> Result<CronbachAlpha> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence { value: confidence });
    }
    let k = check_matrix(responses)?;
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "items",
            needed: 2,
            got: k,
        });
    }
    let mut complete: Vec<Vec<f64>> = Vec::with_capacity(responses.len());
    for row in responses {
        let values: Option<Vec<f64>> = row.iter().copied().collect();
        if let Some(values) = values {
            if values.iter().any(|v| !v.is_finite()) {
                return Err(StatsError::NonFinite { what: "responses" });
            }
            complete.push(values);
        }
    }
    let n = complete.len();
    let warnings = complete_case_warnings(n, responses.len() - n)?;
    let item_variance_sum: f64 = (0..k)
        .map(|j| variance(complete.iter().map(|row| row[j])))
        .sum();
    let total_variance = variance(complete.iter().map(|row| row.iter().sum::<f64>()));
    from_variances(
        k,
        n,
        item_variance_sum,
        total_variance,
        confidence,
        warnings,
    )
}

/// The warnings about `n` complete cases after `dropped` incomplete ones, or the error
/// when fewer than two remain.
fn complete_case_warnings(n: usize, dropped: usize) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    if dropped > 0 {
        warnings.push(Warning::IncompleteCasesDropped { dropped });
    }
    if n < 2 {
        return Err(StatsError::TooFew {
            what: "complete cases",
            needed: 2,
            got: n,
        });
    }
    if n < 10 {
        warnings.push(Warning::SmallSample {
            what: "complete cases",
            n,
        });
    }
    Ok(warnings)
}

/// Alpha and Feldt's interval from the item and total-score variances of `n` complete
/// cases of `k` items.
fn from_variances(
    k: usize,
    n: usize,
    item_variance_sum: f64,
    total_variance: f64,
    confidence: f64,
    warnings: Vec<Warning>,
) -> Result<CronbachAlpha> {
    if total_variance.is_nan() || total_variance <= 0.0 {
        return Err(StatsError::Undefined {
            reason: "the total score has zero variance",
        });
    }
    let kf = k as f64;
    let alpha = kf / (kf - 1.0) * (1.0 - item_variance_sum / total_variance);
    let df1 = (n - 1) as f64;
    let df2 = df1 * (kf - 1.0);
    let lower = 1.0 - (1.0 - alpha) * f_isf((1.0 - confidence) / 2.0, df1, df2)?;
    let upper = 1.0 - (1.0 - alpha) * f_isf((1.0 + confidence) / 2.0, df1, df2)?;
    Ok(CronbachAlpha {
        alpha,
        items: k,
        n,
        lower,
        upper,
        confidence,
        warnings,
    })
}

/// Running sums for Cronbach's alpha over integer-scored items, one record at a time,
/// without holding the matrix: for large response sets of coded answers. The sums are
/// exact integers, so the result is [`cronbach_alpha`]'s on the same complete cases to
/// rounding.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegerScaleSums {
    n: u64,
    incomplete: u64,
    item_sum: Vec<i64>,
    item_squares: Vec<i64>,
    total_sum: i64,
    total_squares: i64,
}

impl IntegerScaleSums {
    /// Sums for a scale of `items` items.
    pub fn new(items: usize) -> IntegerScaleSums {
        IntegerScaleSums {
            n: 0,
            incomplete: 0,
            item_sum: vec![0; items],
            item_squares: vec![0; items],
            total_sum: 0,
            total_squares: 0,
        }
    }

    /// Adds one complete case: one score per item (extra scores are ignored).
    pub fn add(&mut self, scores: &[i32]) {
        let mut total = 0i64;
        for ((sum, squares), &score) in self
            .item_sum
            .iter_mut()
            .zip(self.item_squares.iter_mut())
            .zip(scores)
        {
            let score = i64::from(score);
            *sum += score;
            *squares += score * score;
            total += score;
        }
        self.n += 1;
        self.total_sum += total;
        self.total_squares += total * total;
    }

    /// Counts a case left out because an item was not answered (listwise deletion).
    pub fn skip_incomplete(&mut self) {
        self.incomplete += 1;
    }

    /// Cronbach's alpha with Feldt's interval, as [`cronbach_alpha`].
    ///
    /// # Errors
    /// As [`cronbach_alpha`]: too few items or complete cases, an invalid confidence,
    /// or a total score with zero variance.
    pub fn alpha(&self, confidence: f64) -> Result<CronbachAlpha> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(StatsError::InvalidConfidence { value: confidence });
        }
        let k = self.item_sum.len();
        if k < 2 {
            return Err(StatsError::TooFew {
                what: "items",
                needed: 2,
                got: k,
            });
        }
        let n = usize::try_from(self.n).unwrap_or(usize::MAX);
        let dropped = usize::try_from(self.incomplete).unwrap_or(usize::MAX);
        let warnings = complete_case_warnings(n, dropped)?;
        // (n Σx² - (Σx)²) / (n (n - 1)), with the numerator exact.
        let cases = i128::from(self.n);
        let variance = |sum: i64, squares: i64| {
            let numerator = cases * i128::from(squares) - i128::from(sum) * i128::from(sum);
            numerator as f64 / (cases * (cases - 1)) as f64
        };
        let item_variance_sum: f64 = self
            .item_sum
            .iter()
            .zip(&self.item_squares)
            .map(|(sum, squares)| variance(*sum, *squares))
            .sum();
        let total_variance = variance(self.total_sum, self.total_squares);
        from_variances(
            k,
            n,
            item_variance_sum,
            total_variance,
            confidence,
            warnings,
        )
    }
}

/// Sample variance (denominator `n - 1`) by the two-pass algorithm.
fn variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let (sum, count) = values
        .clone()
        .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    let mean = sum / count as f64;
    values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (count as f64 - 1.0)
}

/// Checks a non-empty rectangular matrix and returns its number of columns.
fn check_matrix<T>(rows: &[Vec<T>]) -> Result<usize> {
    let first = rows.first().ok_or(StatsError::Empty {
        what: "response matrix",
    })?;
    let k = first.len();
    for (i, row) in rows.iter().enumerate() {
        if row.len() != k {
            return Err(StatsError::RaggedTable {
                row: i,
                len: row.len(),
                expected: k,
            });
        }
    }
    Ok(k)
}

/// Difficulty of one dichotomously scored item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemDifficulty {
    /// Item (column) index.
    pub item: usize,
    /// Respondents who answered correctly.
    pub correct: u64,
    /// Respondents who answered (non-missing).
    pub answered: u64,
    /// Proportion correct among those who answered (the classical difficulty
    /// index `p`); `None` if nobody answered.
    pub proportion_correct: Option<f64>,
}

/// Item difficulty (proportion correct) per item of a respondents x items
/// matrix of scored answers (`Some(true)` correct, `Some(false)` wrong, `None`
/// missing and left out of that item's base).
///
/// # Errors
/// [`StatsError::Empty`] and [`StatsError::RaggedTable`].
pub fn item_difficulty(responses: &[Vec<Option<bool>>]) -> Result<Vec<ItemDifficulty>> {
    let k = check_matrix(responses)?;
    Ok((0..k)
        .map(|item| {
            let answers = responses.iter().filter_map(|row| row[item]);
            let (correct, answered) =
                answers.fold((0u64, 0u64), |(c, a), v| (c + u64::from(v), a + 1));
            ItemDifficulty {
                item,
                correct,
                answered,
                proportion_correct: (answered > 0).then(|| correct as f64 / answered as f64),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_difficulty_ignores_missing_answers() {
        let r = item_difficulty(&[
            vec![Some(true), None],
            vec![Some(false), None],
            vec![Some(true), None],
        ])
        .unwrap();
        assert_eq!(r[0].correct, 2);
        assert_eq!(r[0].answered, 3);
        assert!((r[0].proportion_correct.unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(r[1].proportion_correct, None);
    }

    #[test]
    fn constant_totals_make_alpha_undefined() {
        let m = vec![vec![Some(1.0), Some(0.0)], vec![Some(0.0), Some(1.0)]];
        assert!(matches!(
            cronbach_alpha(&m, 0.95),
            Err(StatsError::Undefined { .. })
        ));
    }

    #[test]
    fn listwise_deletion_is_reported() {
        let m = vec![
            vec![Some(1.0), Some(2.0), Some(2.0)],
            vec![Some(2.0), Some(3.0), Some(3.0)],
            vec![Some(3.0), Some(3.0), Some(5.0)],
            vec![None, Some(3.0), Some(4.0)],
        ];
        let a = cronbach_alpha(&m, 0.95).unwrap();
        assert_eq!(a.n, 3);
        assert!(
            a.warnings
                .contains(&Warning::IncompleteCasesDropped { dropped: 1 })
        );
        assert!(a.lower < a.alpha && a.alpha < a.upper);
    }
}
