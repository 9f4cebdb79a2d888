//! Cronbach's alpha against pingouin `cronbach_alpha(nan_policy='listwise')`,
//! with Feldt's interval computed unrounded from scipy's F quantiles.

use skafada_stats::{IntegerScaleSums, cronbach_alpha};

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

#[test]
fn running_integer_sums_match_pingouin_on_integer_scored_cases() {
    let mut err = MaxErr::default();
    let mut checked = 0;
    for c in load::<Case>(include_str!("../fixtures/cronbach.json"), 40) {
        let integer = c
            .responses
            .iter()
            .flatten()
            .flatten()
            .all(|v| v.fract() == 0.0 && v.abs() < 1e6);
        if !integer {
            continue;
        }
        let k = c.responses.first().map_or(0, Vec::len);
        let mut sums = IntegerScaleSums::new(k);
        for row in &c.responses {
            match row.iter().copied().collect::<Option<Vec<f64>>>() {
                Some(scores) => {
                    let scores: Vec<i32> = scores.iter().map(|v| *v as i32).collect();
                    sums.add(&scores);
                }
                None => sums.skip_incomplete(),
            }
        }
        let a = sums.alpha(c.confidence).unwrap();
        let ctx = format!("n={} k={k}", c.n);
        assert_eq!(a.n, c.n, "{ctx}");
        assert_eq!(
            a.warnings,
            cronbach_alpha(&c.responses, c.confidence).unwrap().warnings
        );
        err.add(assert_rel(a.alpha, c.alpha, &format!("alpha {ctx}")));
        err.add(assert_rel(a.lower, c.lower, &format!("lower {ctx}")));
        err.add(assert_rel(a.upper, c.upper, &format!("upper {ctx}")));
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} integer-scored cases");
    err.report("Cronbach's alpha from running sums");
}
