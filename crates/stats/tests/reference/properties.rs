//! Property tests: invariances, ranges and "no panic, no silent NaN" on any counts.

use proptest::prelude::*;
use skafada_stats::{
    AdjustMethod, Alternative, ContingencyTable, FisherMethod, FisherOptions, McNemarMethod,
    StatsError, WilcoxonMethod, adjust_p_values, crosstab, fisher_exact, mcnemar,
    two_proportion_z_test, wilcoxon_signed_rank, wilson_interval,
};

use crate::common::rel_err;

/// Tables of 2..=max_dim rows and columns with counts in `0..=max_count`.
fn tables(max_dim: usize, max_count: u64) -> impl Strategy<Value = Vec<Vec<u64>>> {
    (2..=max_dim, 2..=max_dim).prop_flat_map(move |(r, c)| {
        prop::collection::vec(prop::collection::vec(0..=max_count, c), r)
    })
}

/// The table with rows and columns reordered by the given rotations.
fn permuted(rows: &[Vec<u64>], row_shift: usize, col_shift: usize) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            let k = col_shift % row.len();
            row.rotate_left(k);
            row.reverse();
            row
        })
        .collect();
    let k = row_shift % out.len();
    out.rotate_left(k);
    out
}

fn same(a: f64, b: f64) -> bool {
    a == b || rel_err(a, b) <= 1e-9 || (a - b).abs() <= 1e-13
}

fn in_unit(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn chi_square_g_and_v_are_invariant_to_permutation_and_transposition(
        rows in tables(5, 40), rs in 0usize..5, cs in 0usize..5,
    ) {
        let t = ContingencyTable::new(rows.clone()).unwrap();
        let variants = [
            ContingencyTable::new(permuted(&rows, rs, cs)).unwrap(),
            t.transpose(),
        ];
        match crosstab(&t) {
            Ok(a) => {
                for v in &variants {
                    let b = crosstab(v).unwrap();
                    prop_assert!(same(a.pearson.statistic, b.pearson.statistic));
                    prop_assert!(same(a.pearson.p_value, b.pearson.p_value));
                    prop_assert!(same(a.likelihood_ratio.statistic, b.likelihood_ratio.statistic));
                    prop_assert!(same(a.likelihood_ratio.p_value, b.likelihood_ratio.p_value));
                    prop_assert!(same(a.cramers_v, b.cramers_v));
                    prop_assert_eq!(a.pearson.df, b.pearson.df);
                    prop_assert_eq!(a.yates.is_some(), b.yates.is_some());
                    if let (Some(x), Some(y)) = (&a.yates, &b.yates) {
                        prop_assert!(same(x.statistic, y.statistic));
                    }
                }
            }
            Err(e) => {
                prop_assert!(matches!(e, StatsError::ZeroTotal | StatsError::DegenerateTable { .. }), "unexpected error {:?}", e);
                for v in &variants {
                    prop_assert!(crosstab(v).is_err());
                }
            }
        }
    }

    #[test]
    fn crosstab_never_panics_and_never_returns_nan_on_any_counts(rows in tables(6, 1000)) {
        let t = ContingencyTable::new(rows).unwrap();
        if let Ok(a) = crosstab(&t) {
            for test in [Some(&a.pearson), Some(&a.likelihood_ratio), a.yates.as_ref()].into_iter().flatten() {
                prop_assert!(test.statistic.is_finite() && test.statistic >= 0.0);
                prop_assert!(in_unit(test.p_value));
            }
            prop_assert!(a.cramers_v.is_finite() && (0.0..=1.0 + 1e-12).contains(&a.cramers_v));
            prop_assert!(a.adjusted_residuals.iter().flatten().all(|r| r.is_finite()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fisher_p_is_a_probability_and_invariant_to_permutation_and_transposition(
        rows in tables(4, 4), rs in 0usize..4, cs in 0usize..4,
    ) {
        // A modest work limit keeps this fast in debug builds; tables beyond it
        // fall back to Monte Carlo, whose invariance is only statistical.
        let opts = FisherOptions { work_limit: 1_000_000, samples: 500, ..FisherOptions::default() };
        let t = ContingencyTable::new(rows.clone()).unwrap();
        match fisher_exact(&t, &opts) {
            Ok(a) => {
                prop_assert!(in_unit(a.p_value) && a.p_value > 0.0);
                if a.method != FisherMethod::Exact {
                    return Ok(());
                }
                for v in [ContingencyTable::new(permuted(&rows, rs, cs)).unwrap(), t.transpose()] {
                    let b = fisher_exact(&v, &opts).unwrap();
                    prop_assert!(same(a.p_value, b.p_value), "{} vs {}", a.p_value, b.p_value);
                }
            }
            Err(e) => prop_assert!(matches!(e, StatsError::ZeroTotal | StatsError::DegenerateTable { .. }), "unexpected error {:?}", e),
        }
    }

    #[test]
    fn fisher_monte_carlo_p_is_a_probability_on_any_counts(rows in tables(5, 200), seed in any::<u64>()) {
        let opts = FisherOptions { simulate: true, samples: 50, seed, ..FisherOptions::default() };
        let t = ContingencyTable::new(rows).unwrap();
        if let Ok(r) = fisher_exact(&t, &opts) {
            prop_assert!(in_unit(r.p_value) && r.p_value > 0.0);
        }
    }
}

proptest! {
    #[test]
    fn adjusted_p_values_are_at_least_the_raw_ones_at_most_one_and_order_preserving(
        p in prop::collection::vec(0.0f64..=1.0, 0..40),
    ) {
        for method in [AdjustMethod::Holm, AdjustMethod::BenjaminiHochberg] {
            let adj = adjust_p_values(&p, method).unwrap();
            prop_assert_eq!(adj.len(), p.len());
            for i in 0..p.len() {
                prop_assert!(adj[i] >= p[i] && adj[i] <= 1.0);
                for j in 0..p.len() {
                    if p[i] <= p[j] {
                        prop_assert!(adj[i] <= adj[j]);
                    }
                }
            }
        }
    }

    #[test]
    fn wilson_interval_contains_the_estimate_and_lies_in_the_unit_interval(
        (x, n) in (1u64..100_000).prop_flat_map(|n| (0..=n, Just(n))),
        confidence in 0.5f64..0.999,
    ) {
        let w = wilson_interval(x, n, confidence).unwrap();
        prop_assert!(0.0 <= w.lower && w.lower <= w.estimate && w.estimate <= w.upper && w.upper <= 1.0);
    }

    #[test]
    fn z_test_p_values_are_probabilities_or_typed_errors(
        x1 in 0u64..500, n1 in 0u64..500, x2 in 0u64..500, n2 in 0u64..500,
    ) {
        for alt in [Alternative::TwoSided, Alternative::Greater, Alternative::Less] {
            match two_proportion_z_test(x1, n1, x2, n2, alt) {
                Ok(r) => prop_assert!(in_unit(r.p_value) && r.z.is_finite()),
                Err(e) => prop_assert!(matches!(
                    e,
                    StatsError::ZeroSampleSize { .. } | StatsError::SuccessesExceedTrials { .. } | StatsError::Undefined { .. }
                ), "unexpected error {:?}", e),
            }
        }
    }

    #[test]
    fn mcnemar_p_values_are_probabilities_on_any_counts(
        a in 0u64..2000, b in 0u64..2000, c in 0u64..2000, d in 0u64..2000,
    ) {
        let t = ContingencyTable::two_by_two(a, b, c, d).unwrap();
        let exact = mcnemar(&t, McNemarMethod::Exact).unwrap();
        prop_assert!(in_unit(exact.p_value));
        for m in [McNemarMethod::ChiSquare, McNemarMethod::ChiSquareCorrected] {
            match mcnemar(&t, m) {
                Ok(r) => prop_assert!(in_unit(r.p_value) && r.statistic.is_finite()),
                Err(e) => prop_assert!(b + c == 0 && matches!(e, StatsError::Undefined { .. }), "unexpected error {:?}", e),
            }
        }
    }

    #[test]
    fn wilcoxon_p_values_are_probabilities_for_any_likert_pairs(
        pairs in prop::collection::vec((1u8..=5, 1u8..=5), 0..80),
    ) {
        let x: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
        let y: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
        for alt in [Alternative::TwoSided, Alternative::Greater, Alternative::Less] {
            for method in [WilcoxonMethod::Auto, WilcoxonMethod::Exact, WilcoxonMethod::Normal { continuity_correction: false }] {
                match wilcoxon_signed_rank(&x, &y, alt, method) {
                    Ok(r) => prop_assert!(in_unit(r.p_value)),
                    Err(e) => prop_assert!(matches!(e, StatsError::TooFew { .. }), "unexpected error {:?}", e),
                }
            }
        }
    }
}
