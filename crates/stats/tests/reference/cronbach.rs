//! Cronbach's alpha against pingouin `cronbach_alpha(nan_policy='listwise')`,
//! with Feldt's interval computed unrounded from scipy's F quantiles.

use skafada_stats::cronbach_alpha;

use crate::common::{MaxErr, assert_rel, load};

#[derive(Debug, serde::Deserialize)]
struct Case {
    responses: Vec<Vec<Option<f64>>>,
    confidence: f64,
    n: usize,
    alpha: f64,
    lower: f64,
    upper: f64,
    pingouin_ci_rounded: [f64; 2],
}

#[test]
fn alpha_and_feldt_interval_match_pingouin_with_listwise_deletion() {
    let mut err = MaxErr::default();
    for c in load::<Case>(include_str!("../fixtures/cronbach.json"), 40) {
        let a = cronbach_alpha(&c.responses, c.confidence).unwrap();
        let ctx = format!("n={} k={}", c.n, a.items);
        assert_eq!(a.n, c.n, "{ctx}");
        err.add(assert_rel(a.alpha, c.alpha, &format!("alpha {ctx}")));
        err.add(assert_rel(a.lower, c.lower, &format!("lower {ctx}")));
        err.add(assert_rel(a.upper, c.upper, &format!("upper {ctx}")));
        // pingouin itself reports the interval rounded to 3 decimals, and with
        // missing data it uses the number of rows before listwise deletion as
        // n in Feldt's degrees of freedom (we use the complete cases), so the
        // rounded values are only comparable on complete data.
        let complete = c.responses.iter().flatten().all(Option::is_some);
        if !complete {
            continue;
        }
        assert!(
            (a.lower - c.pingouin_ci_rounded[0]).abs() <= 0.0005 + 1e-12,
            "{ctx}"
        );
        assert!(
            (a.upper - c.pingouin_ci_rounded[1]).abs() <= 0.0005 + 1e-12,
            "{ctx}"
        );
    }
    err.report("Cronbach's alpha");
}
