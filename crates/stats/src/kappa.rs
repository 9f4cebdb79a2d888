//! Agreement between two raters: Cohen's kappa and the observed proportion of agreement.

use crate::{ContingencyTable, Result, StatsError};

/// Agreement between two raters on the same items.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    /// Items both raters judged.
    pub n: u64,
    /// The proportion of items on which they agree.
    pub observed: f64,
    /// The agreement expected by chance from each rater's own proportions.
    pub expected: f64,
    /// Cohen's kappa, `(observed - expected) / (1 - expected)`; `None` when chance
    /// agreement is complete (both raters gave every item the same one category), where
    /// kappa is 0/0 (scikit-learn returns NaN there).
    pub kappa: Option<f64>,
}

/// Cohen's (unweighted) kappa from a square confusion table: rows are the first rater's
/// categories, columns the second's, in the same order. The same as scikit-learn's
/// `cohen_kappa_score` and R `irr::kappa2` on the raw ratings.
///
/// # Errors
/// [`StatsError::NotSquare`] for a table that is not square, and [`StatsError::Empty`]
/// when it counts no item.
pub fn cohen_kappa(table: &ContingencyTable) -> Result<Agreement> {
    let k = table.n_rows();
    if table.n_columns() != k {
        return Err(StatsError::NotSquare {
            rows: k,
            columns: table.n_columns(),
        });
    }
    let n = table.total();
    if n == 0 {
        return Err(StatsError::Empty {
            what: "the table of ratings",
        });
    }
    let total = n as f64;
    let agreed: u64 = (0..k).map(|i| table.at(i, i)).sum();
    let observed = agreed as f64 / total;
    // Chance agreement from integer margins, divided once.
    let chance: u128 = (0..k)
        .map(|i| {
            let row: u64 = (0..k).map(|j| table.at(i, j)).sum();
            let column: u64 = (0..k).map(|j| table.at(j, i)).sum();
            u128::from(row) * u128::from(column)
        })
        .sum();
    let squared = u128::from(n) * u128::from(n);
    let expected = chance as f64 / squared as f64;
    let kappa = (chance != squared).then(|| {
        // (agreed * n - chance) / (n^2 - chance), exact in integers until the division.
        let numerator = i128::try_from(u128::from(agreed) * u128::from(n)).unwrap_or(i128::MAX)
            - i128::try_from(chance).unwrap_or(i128::MAX);
        let denominator = squared - chance;
        numerator as f64 / denominator as f64
    });
    Ok(Agreement {
        n,
        observed,
        expected,
        kappa,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn table(rows: &[&[u64]]) -> ContingencyTable {
        ContingencyTable::new(rows.iter().map(|r| r.to_vec()).collect()).unwrap()
    }

    #[test]
    fn perfect_agreement_is_one_and_chance_level_agreement_is_zero() {
        let perfect = cohen_kappa(&table(&[&[5, 0], &[0, 7]])).unwrap();
        assert_eq!(perfect.kappa, Some(1.0));
        assert_eq!(perfect.observed, 1.0);
        // Each rater says yes half the time, independently: observed = expected = 1/2.
        let chance = cohen_kappa(&table(&[&[5, 5], &[5, 5]])).unwrap();
        assert_eq!(chance.kappa, Some(0.0));
    }

    #[test]
    fn kappa_is_undefined_when_both_raters_always_give_the_same_one_category() {
        let constant = cohen_kappa(&table(&[&[0, 0], &[0, 9]])).unwrap();
        assert_eq!(constant.kappa, None);
        assert_eq!(constant.observed, 1.0);
    }

    #[test]
    fn a_table_that_is_not_square_or_counts_nothing_is_refused() {
        assert!(matches!(
            cohen_kappa(&table(&[&[1, 2, 3], &[4, 5, 6]])),
            Err(StatsError::NotSquare {
                rows: 2,
                columns: 3
            })
        ));
        assert!(matches!(
            cohen_kappa(&table(&[&[0, 0], &[0, 0]])),
            Err(StatsError::Empty { .. })
        ));
    }
}
