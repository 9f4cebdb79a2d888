//! Noncentral chi-square and Cramér's V intervals against scipy (`make_effect_vectors.py`).

use serde::Deserialize;
use skafada_stats::{cramers_v_interval, noncentral_chi2_cdf};

#[derive(Deserialize)]
struct Fixture {
    noncentral_cdf: Vec<CdfCase>,
    cramers_v: Vec<VCase>,
}

#[derive(Deserialize)]
struct CdfCase {
    x: f64,
    df: f64,
    ncp: f64,
    cdf: f64,
}

#[derive(Deserialize)]
struct VCase {
    chi2: f64,
    n: u64,
    rows: usize,
    cols: usize,
    confidence: f64,
    estimate: f64,
    lower: f64,
    upper: f64,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("../fixtures/effect.json")).unwrap()
}

fn relative(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(1e-300)
    }
}

#[test]
fn the_noncentral_chi_square_cdf_matches_scipy() {
    for case in fixture().noncentral_cdf {
        let ours = noncentral_chi2_cdf(case.x, case.df, case.ncp).unwrap();
        assert!(
            relative(ours, case.cdf) < 1e-9,
            "x {} df {} ncp {}: {ours} vs {}",
            case.x,
            case.df,
            case.ncp,
            case.cdf
        );
    }
}

#[test]
fn cramers_v_intervals_match_the_noncentrality_inversion_in_scipy() {
    let cases = fixture().cramers_v;
    assert!(cases.len() >= 40);
    for case in cases {
        let ci =
            cramers_v_interval(case.chi2, case.n, case.rows, case.cols, case.confidence).unwrap();
        assert!(relative(ci.estimate, case.estimate) < 1e-12);
        assert!(
            relative(ci.lower, case.lower) < 1e-9 || (ci.lower - case.lower).abs() < 1e-12,
            "{ci:?} vs [{}, {}]",
            case.lower,
            case.upper
        );
        assert!(
            relative(ci.upper, case.upper) < 1e-9,
            "{ci:?} vs [{}, {}]",
            case.lower,
            case.upper
        );
        assert!(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
    }
}
