//! Differences between proportions: the paired Wald and Newcombe intervals against
//! their published formulas on statsmodels' Wilson intervals, and the independent
//! Newcombe interval, score test and Cohen's h against statsmodels.

use skafada_stats::{
    Alternative, cohens_h, newcombe_difference, paired_proportion_difference, two_proportion_z_test,
};

use crate::common::{MaxErr, assert_rel_or_tiny, load, table};

#[derive(Debug, serde::Deserialize)]
struct PairedCase {
    table: Vec<Vec<u64>>,
    confidence: f64,
    estimate: f64,
    phi: f64,
    wald_lower: f64,
    wald_upper: f64,
    newcombe_lower: f64,
    newcombe_upper: f64,
}

#[test]
fn paired_wald_and_newcombe_intervals_match_the_reference_formulas() {
    let mut err = MaxErr::default();
    for c in load::<PairedCase>(include_str!("../fixtures/paired_difference.json"), 200) {
        let r = paired_proportion_difference(&table(&c.table), c.confidence).unwrap();
        let ctx = format!("{:?} at {}", c.table, c.confidence);
        let checks = [
            (r.wald.estimate, c.estimate, "estimate"),
            (r.phi, c.phi, "phi"),
            (r.wald.lower, c.wald_lower, "Wald lower"),
            (r.wald.upper, c.wald_upper, "Wald upper"),
            (r.newcombe.lower, c.newcombe_lower, "Newcombe lower"),
            (r.newcombe.upper, c.newcombe_upper, "Newcombe upper"),
        ];
        for (actual, expected, what) in checks {
            err.add(assert_rel_or_tiny(
                actual,
                expected,
                &format!("{what} {ctx}"),
            ));
        }
    }
    err.report("paired difference");
}

#[derive(Debug, serde::Deserialize)]
struct IndependentCase {
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    confidence: f64,
    estimate: f64,
    lower: f64,
    upper: f64,
    cohens_h: f64,
    z: Option<f64>,
    p_value: Option<f64>,
}

#[test]
fn independent_newcombe_interval_score_test_and_cohens_h_match_statsmodels() {
    let mut err = MaxErr::default();
    let mut tests = 0;
    for c in load::<IndependentCase>(include_str!("../fixtures/independent_difference.json"), 100) {
        let ctx = format!("{}/{} vs {}/{} at {}", c.x1, c.n1, c.x2, c.n2, c.confidence);
        let d = newcombe_difference(c.x1, c.n1, c.x2, c.n2, c.confidence).unwrap();
        err.add(assert_rel_or_tiny(
            d.estimate,
            c.estimate,
            &format!("estimate {ctx}"),
        ));
        err.add(assert_rel_or_tiny(
            d.lower,
            c.lower,
            &format!("lower {ctx}"),
        ));
        err.add(assert_rel_or_tiny(
            d.upper,
            c.upper,
            &format!("upper {ctx}"),
        ));
        let h = cohens_h(c.x1 as f64 / c.n1 as f64, c.x2 as f64 / c.n2 as f64).unwrap();
        err.add(assert_rel_or_tiny(
            h,
            c.cohens_h,
            &format!("Cohen's h {ctx}"),
        ));
        let test = two_proportion_z_test(c.x1, c.n1, c.x2, c.n2, Alternative::TwoSided);
        match (c.z, c.p_value) {
            (Some(z), Some(p)) => {
                let t = test.unwrap();
                err.add(assert_rel_or_tiny(t.z, z, &format!("z {ctx}")));
                err.add(assert_rel_or_tiny(t.p_value, p, &format!("p {ctx}")));
                tests += 1;
            }
            _ => assert!(test.is_err(), "{ctx}: statsmodels has no test, we gave one"),
        }
    }
    assert!(tests >= 100, "only {tests} score tests were checked");
    err.report("independent difference");
}
