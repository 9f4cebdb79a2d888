//! Fisher's exact test against R `fisher.test` (exact, network algorithm for
//! r x c) and scipy `fisher_exact` (2x2).

use skafada_stats::{
    Alternative, FisherMethod, FisherOptions, fisher_exact, fisher_exact_2x2, fisher_monte_carlo,
};

use crate::common::{MaxErr, assert_rel, load, table};

#[derive(Debug, serde::Deserialize)]
struct Case {
    table: Vec<Vec<u64>>,
    two_sided: f64,
    greater: Option<f64>,
    less: Option<f64>,
}

#[test]
fn two_sided_fisher_matches_r_exactly_on_2x2_and_r_by_c_tables() {
    let mut err = MaxErr::default();
    let mut rxc = 0;
    for c in load::<Case>(include_str!("../fixtures/fisher.json"), 40) {
        let t = table(&c.table);
        let r = fisher_exact(&t, &FisherOptions::default()).unwrap();
        assert_eq!(
            r.method,
            FisherMethod::Exact,
            "{:?} should be enumerated exactly",
            c.table
        );
        err.add(assert_rel(
            r.p_value,
            c.two_sided,
            &format!("Fisher {:?}", c.table),
        ));
        if t.n_rows() * t.n_columns() > 4 {
            rxc += 1;
        }
    }
    assert!(rxc >= 20, "only {rxc} r x c tables");
    err.report("Fisher two-sided vs R");
}

#[test]
fn one_sided_fisher_2x2_matches_r() {
    let mut err = MaxErr::default();
    for c in load::<Case>(include_str!("../fixtures/fisher.json"), 40) {
        let (Some(greater), Some(less)) = (c.greater, c.less) else {
            continue;
        };
        let t = table(&c.table);
        let g = fisher_exact_2x2(&t, Alternative::Greater).unwrap();
        let l = fisher_exact_2x2(&t, Alternative::Less).unwrap();
        err.add(assert_rel(
            g.p_value,
            greater,
            &format!("greater {:?}", c.table),
        ));
        err.add(assert_rel(l.p_value, less, &format!("less {:?}", c.table)));
    }
    err.report("Fisher one-sided vs R");
}

#[test]
fn fisher_2x2_matches_scipy_in_all_three_alternatives() {
    #[derive(Debug, serde::Deserialize)]
    struct ScipyCase {
        table: Vec<Vec<u64>>,
        two_sided: f64,
        greater: f64,
        less: f64,
    }
    let mut err = MaxErr::default();
    for c in load::<ScipyCase>(include_str!("../fixtures/fisher_scipy_2x2.json"), 40) {
        let t = table(&c.table);
        for (alt, expected) in [
            (Alternative::TwoSided, c.two_sided),
            (Alternative::Greater, c.greater),
            (Alternative::Less, c.less),
        ] {
            let r = fisher_exact_2x2(&t, alt).unwrap();
            err.add(assert_rel(
                r.p_value,
                expected,
                &format!("{alt:?} {:?}", c.table),
            ));
        }
    }
    err.report("Fisher 2x2 vs scipy");
}

#[test]
fn monte_carlo_fisher_agrees_with_the_exact_r_value_within_its_standard_error() {
    // R's simulated p-values use R's generator, so compare against the exact
    // value instead: within 4 Monte Carlo standard errors (plus the 1/(B+1)
    // offset) on every r x c reference table with a non-trivial p-value.
    let mut checked = 0;
    for c in load::<Case>(include_str!("../fixtures/fisher.json"), 40) {
        let t = table(&c.table);
        if t.n_rows() * t.n_columns() == 4 || c.two_sided < 1e-3 {
            continue;
        }
        let samples = 4000;
        let r = fisher_monte_carlo(&t, samples, 11).unwrap();
        assert_eq!(r.method, FisherMethod::MonteCarlo { samples, seed: 11 });
        let se = (c.two_sided * (1.0 - c.two_sided) / samples as f64).sqrt();
        let tolerance = 4.0 * se + 1.0 / (samples as f64 + 1.0);
        assert!(
            (r.p_value - c.two_sided).abs() <= tolerance,
            "{:?}: Monte Carlo {} vs exact {} (tolerance {tolerance})",
            c.table,
            r.p_value,
            c.two_sided
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} tables checked");
}
