//! Holm and Benjamini-Hochberg against statsmodels `multipletests` and R `p.adjust`.

use skafada_stats::{AdjustMethod, adjust_p_values};

use crate::common::{MaxErr, assert_rel, load};

#[derive(Debug, serde::Deserialize)]
struct Case {
    p_values: Vec<f64>,
    holm: Vec<f64>,
    bh: Vec<f64>,
}

fn check(cases: Vec<Case>, err: &mut MaxErr) {
    for c in cases {
        for (method, expected) in [
            (AdjustMethod::Holm, &c.holm),
            (AdjustMethod::BenjaminiHochberg, &c.bh),
        ] {
            let adjusted = adjust_p_values(&c.p_values, method).unwrap();
            assert_eq!(adjusted.len(), expected.len());
            for (a, e) in adjusted.iter().zip(expected) {
                err.add(assert_rel(*a, *e, &format!("{method:?} {:?}", c.p_values)));
            }
        }
    }
}

#[test]
fn holm_and_bh_match_statsmodels_multipletests() {
    let mut err = MaxErr::default();
    check(load(include_str!("../fixtures/adjust.json"), 25), &mut err);
    err.report("p-value adjustment vs statsmodels");
}

#[test]
fn holm_and_bh_match_r_p_adjust_including_ties() {
    let mut err = MaxErr::default();
    check(
        load(include_str!("../fixtures/adjust_r.json"), 10),
        &mut err,
    );
    err.report("p-value adjustment vs R");
}
