//! Wilcoxon signed-rank test against R `wilcox.test(paired = TRUE)`.

use skafada_stats::{
    Alternative, WilcoxonMethod, wilcoxon_signed_rank, wilcoxon_signed_rank_tallied,
};

use crate::common::{MaxErr, assert_rel, load};

#[derive(Debug, serde::Deserialize)]
struct Case {
    x: Vec<f64>,
    y: Vec<f64>,
    alternative: String,
    correct: bool,
    statistic: f64,
    normal_p: f64,
    exact_p: Option<f64>,
}

fn alternative(s: &str) -> Alternative {
    match s {
        "two.sided" => Alternative::TwoSided,
        "greater" => Alternative::Greater,
        "less" => Alternative::Less,
        other => panic!("unknown alternative {other}"),
    }
}

fn cases() -> Vec<Case> {
    load(include_str!("../fixtures/wilcoxon.json"), 150)
}

#[test]
fn normal_approximation_with_ties_and_zeros_matches_r_with_and_without_continuity_correction() {
    let mut err = MaxErr::default();
    let mut with_ties_or_zeros = 0;
    for c in cases() {
        let method = WilcoxonMethod::Normal {
            continuity_correction: c.correct,
        };
        let r = wilcoxon_signed_rank(&c.x, &c.y, alternative(&c.alternative), method).unwrap();
        let ctx = format!("{} correct={} n={}", c.alternative, c.correct, c.x.len());
        assert_eq!(r.statistic, c.statistic, "V {ctx}");
        assert_eq!(r.method, method);
        err.add(assert_rel(r.p_value, c.normal_p, &ctx));
        if r.ties || r.zeros_dropped > 0 {
            with_ties_or_zeros += 1;
        }
    }
    assert!(
        with_ties_or_zeros >= 60,
        "only {with_ties_or_zeros} cases with ties or zeros"
    );
    err.report("Wilcoxon normal approximation");
}

#[test]
fn exact_distribution_matches_r_when_there_are_no_ties_or_zeros() {
    let mut err = MaxErr::default();
    for c in cases() {
        let Some(expected) = c.exact_p else { continue };
        let alt = alternative(&c.alternative);
        for method in [WilcoxonMethod::Exact, WilcoxonMethod::Auto] {
            let r = wilcoxon_signed_rank(&c.x, &c.y, alt, method).unwrap();
            assert_eq!(r.method, WilcoxonMethod::Exact);
            assert!(r.z.is_none());
            err.add(assert_rel(
                r.p_value,
                expected,
                &format!("exact {alt:?} n={}", c.x.len()),
            ));
        }
    }
    err.report("Wilcoxon exact");
}

#[test]
fn auto_method_uses_r_defaults_normal_with_correction_when_ties_or_zeros() {
    let mut checked = 0;
    for c in cases() {
        if c.exact_p.is_some() || !c.correct || c.x.len() >= 50 {
            continue;
        }
        let r = wilcoxon_signed_rank(
            &c.x,
            &c.y,
            alternative(&c.alternative),
            WilcoxonMethod::Auto,
        )
        .unwrap();
        assert_eq!(
            r.method,
            WilcoxonMethod::Normal {
                continuity_correction: true
            }
        );
        assert_rel(r.p_value, c.normal_p, "auto");
        checked += 1;
    }
    assert!(checked > 10);
}

#[test]
fn tallied_differences_match_r_with_ties_and_zeros() {
    let mut err = MaxErr::default();
    for c in cases() {
        let mut tallies: Vec<(f64, u64)> = Vec::new();
        for (a, b) in c.x.iter().zip(&c.y) {
            let d = a - b;
            match tallies.iter_mut().find(|(t, _)| *t == d) {
                Some(t) => t.1 += 1,
                None => tallies.push((d, 1)),
            }
        }
        let method = WilcoxonMethod::Normal {
            continuity_correction: c.correct,
        };
        let alt = alternative(&c.alternative);
        let r = wilcoxon_signed_rank_tallied(&tallies, alt, method).unwrap();
        let ctx = format!("{} correct={} n={}", c.alternative, c.correct, c.x.len());
        assert_eq!(r.statistic, c.statistic, "V {ctx}");
        err.add(assert_rel(r.p_value, c.normal_p, &ctx));
        if let Some(expected) = c.exact_p {
            let exact = wilcoxon_signed_rank_tallied(&tallies, alt, WilcoxonMethod::Exact).unwrap();
            err.add(assert_rel(exact.p_value, expected, &format!("exact {ctx}")));
        }
    }
    err.report("Wilcoxon from tallied differences");
}
