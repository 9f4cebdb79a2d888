//! "Knowledge and attitudes post training": one-tailed z-tests, raw p against the report.

use crate::prepost;

const LITTLE: [&str; 9] = [
    "national-guidance",
    "local-guidance",
    "dash",
    "migrant-barriers",
    "questions-to-ask",
    "say-to-children",
    "say-to-parents",
    "perpetrators",
    "referrals",
];

const LOT: [&str; 4] = [
    "responding-sensitively",
    "documenting",
    "housing",
    "financial",
];

#[test]
fn nine_statements_knew_very_little_or_a_little_fell_significantly() {
    for statement in LITTLE {
        let result = prepost("knowledge-little", &format!("knowledge-{statement}"));
        assert!(result.post.p < result.pre.p, "{statement}");
        assert!(result.p <= 0.01, "{statement}: p = {}", result.p);
    }
}

#[test]
fn four_statements_knew_quite_a_bit_or_a_lot_rose_significantly() {
    for statement in LOT {
        let result = prepost("knowledge-lot", &format!("knowledge-{statement}"));
        assert!(result.post.p > result.pre.p, "{statement}");
        assert!(result.p <= 0.01, "{statement}: p = {}", result.p);
    }
}

#[test]
fn no_other_knowledge_shift_is_significant_and_impact_on_children_did_not_change() {
    for result in crate::analysis().tests.iter().filter_map(|t| match t {
        skafada_analysis::run::TestResult::PrePost(p) if p.family.starts_with("knowledge-") => {
            Some(p)
        }
        _ => None,
    }) {
        let statement = result.pre_variable.trim_start_matches("knowledge-");
        let listed = match result.family.as_str() {
            "knowledge-little" => LITTLE.contains(&statement),
            _ => LOT.contains(&statement),
        };
        if !listed {
            assert!(
                result.p > 0.01,
                "{} {statement}: p = {}",
                result.family,
                result.p
            );
        }
    }
    for family in ["knowledge-little", "knowledge-lot"] {
        let result = prepost(family, "knowledge-impact-on-children");
        assert!(result.p > 0.05, "{family}: p = {}", result.p);
    }
}

#[test]
fn false_answers_to_survivors_making_choices_fell_p_below_001() {
    let result = prepost("attitudes-correct", "attitude-survivor-choices");
    assert!(result.post.p > result.pre.p);
    assert!(result.p < 0.001, "p = {}", result.p);
}

#[test]
fn correct_answers_on_alcohol_as_the_greatest_predictor_rose_p_004() {
    let result = prepost("attitudes-correct", "attitude-alcohol");
    assert!(result.post.p > result.pre.p);
    assert!(
        ((result.p * 1000.0).round() - 4.0).abs() < 1e-9,
        "p = {}",
        result.p
    );
}

#[test]
fn disagreeing_to_having_sufficient_training_fell_p_001() {
    let result = prepost("confidence-disagree", "confidence-sufficient-training");
    assert!(result.post.p < result.pre.p);
    assert!(
        ((result.p * 1000.0).round() - 1.0).abs() < 1e-9,
        "p = {}",
        result.p
    );
}

#[test]
fn agreeing_about_documenting_and_identity_rose_p_001() {
    for statement in ["confidence-documenting", "confidence-identity"] {
        let result = prepost("confidence-agree", statement);
        assert!(result.post.p > result.pre.p, "{statement}");
        assert!(
            ((result.p * 1000.0).round() - 1.0).abs() < 1e-9,
            "{statement}: p = {}",
            result.p
        );
    }
}

#[test]
fn linked_respondents_answers_after_training_follow_their_answers_before() {
    // Those who knew a lot before still do more often than people in general after: the
    // paired tests see a cohort, not two independent samples. With answers drawn
    // independently the two shares would be about equal.
    let mut stayed = 0;
    let mut had = 0;
    for statement in ["documenting", "signs", "your-role", "dash"] {
        let result = prepost("knowledge-lot", &format!("knowledge-{statement}"));
        let paired = result
            .paired
            .as_ref()
            .expect("the demo links its post-training respondents");
        assert_eq!(paired.n, 72);
        stayed += paired.stayed;
        had += paired.stayed + paired.left;
    }
    let share = stayed as f64 / had as f64;
    let after: f64 = ["documenting", "signs", "your-role", "dash"]
        .iter()
        .map(|s| prepost("knowledge-lot", &format!("knowledge-{s}")).post.p)
        .sum::<f64>()
        / 4.0;
    assert!(
        share > after + 0.05,
        "{share:.3} of those who knew a lot still did, against {after:.3} of everyone after"
    );
}
