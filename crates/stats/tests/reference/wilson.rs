//! Wilson score intervals against statsmodels `proportion_confint(method='wilson')`.

use skafada_stats::wilson_interval;

use crate::common::{MaxErr, assert_rel_or_tiny, load};

#[derive(Debug, serde::Deserialize)]
struct Case {
    successes: u64,
    trials: u64,
    confidence: f64,
    lower: f64,
    upper: f64,
}

#[test]
fn wilson_bounds_match_statsmodels_at_three_confidence_levels() {
    let mut err = MaxErr::default();
    for c in load::<Case>(include_str!("../fixtures/wilson.json"), 100) {
        let w = wilson_interval(c.successes, c.trials, c.confidence).unwrap();
        let ctx = format!("{}/{} at {}", c.successes, c.trials, c.confidence);
        err.add(assert_rel_or_tiny(
            w.lower,
            c.lower,
            &format!("lower {ctx}"),
        ));
        err.add(assert_rel_or_tiny(
            w.upper,
            c.upper,
            &format!("upper {ctx}"),
        ));
    }
    err.report("Wilson interval");
}
