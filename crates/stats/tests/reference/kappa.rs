//! Cohen's kappa against scikit-learn `cohen_kappa_score`.

use skafada_stats::{ContingencyTable, cohen_kappa};

use crate::common::load;

#[derive(Debug, serde::Deserialize)]
struct Case {
    categories: usize,
    a: Vec<usize>,
    b: Vec<usize>,
    kappa: Option<f64>,
    observed: f64,
}

#[test]
fn cohens_kappa_matches_scikit_learn_to_1e_12() {
    let mut largest = 0.0_f64;
    for c in load::<Case>(include_str!("../fixtures/kappa.json"), 60) {
        let mut rows = vec![vec![0u64; c.categories]; c.categories];
        for (a, b) in c.a.iter().zip(&c.b) {
            rows[*a][*b] += 1;
        }
        let agreement = cohen_kappa(&ContingencyTable::new(rows).unwrap()).unwrap();
        assert_eq!(agreement.n, c.a.len() as u64);
        assert!((agreement.observed - c.observed).abs() <= 1e-15, "{c:?}");
        match (agreement.kappa, c.kappa) {
            (Some(ours), Some(theirs)) => {
                let error = (ours - theirs).abs();
                largest = largest.max(error);
                assert!(error <= 1e-12, "kappa {ours} vs {theirs}: {c:?}");
            }
            (None, None) => {}
            (ours, theirs) => panic!("kappa {ours:?} vs scikit-learn {theirs:?}: {c:?}"),
        }
    }
    eprintln!("largest absolute difference from scikit-learn: {largest:e}");
}
