//! The report's headline associations: direction, and raw p in the printed band (the
//! plan's `significant` is judged on Holm-adjusted p; the report used raw p).

use skafada_analysis::run::AssociationResult;

use crate::association;

/// The row percentage of `group` (row label) in outcome column `column`.
fn share(result: &AssociationResult, group: &str, column: &str) -> f64 {
    let r = result
        .row_levels
        .iter()
        .position(|l| l == group)
        .unwrap_or_else(|| {
            panic!(
                "{}: no group {group} in {:?}",
                result.outcome, result.row_levels
            )
        });
    let c = result
        .col_levels
        .iter()
        .position(|l| l == column)
        .unwrap_or_else(|| {
            panic!(
                "{}: no column {column} in {:?}",
                result.outcome, result.col_levels
            )
        });
    result.row_percentages[r][c]
}

fn rounds_to(p: f64, printed: f64) {
    assert!(
        ((p * 1000.0).round() / 1000.0 - printed).abs() < 1e-9,
        "p = {p:.5} does not round to {printed}"
    );
}

#[test]
fn untrained_staff_more_often_do_not_feel_able_to_document_abuse_p_below_001() {
    let result = association("by-training", "agree3:confidence-documenting");
    let untrained = share(result, "No", "Strongly disagree / disagree");
    let trained = share(result, "Yes", "Strongly disagree / disagree");
    assert_eq!((untrained.round(), trained.round()), (22.0, 5.0));
    assert!(result.p < 0.001, "p = {}", result.p);
}

#[test]
fn trained_staff_more_often_feel_confident_referring_p_below_001() {
    let result = association("by-training", "agree3:confidence-referrals-adults");
    let untrained = share(result, "No", "Agree / strongly agree");
    let trained = share(result, "Yes", "Agree / strongly agree");
    assert_eq!((untrained.round(), trained.round()), (65.0, 88.0));
    assert!(result.p < 0.001, "p = {}", result.p);
}

#[test]
fn untrained_staff_more_often_feel_their_training_insufficient_p_below_001() {
    let result = association("by-training", "agree3:confidence-sufficient-training");
    assert!(
        share(result, "No", "Strongly disagree / disagree")
            > share(result, "Yes", "Strongly disagree / disagree")
    );
    assert!(result.p < 0.001, "p = {}", result.p);
}

#[test]
fn longer_serving_staff_more_often_feel_able_to_document_p_below_001() {
    let result = association("by-tenure", "agree3:confidence-documenting");
    let agree = |band| share(result, band, "Agree / strongly agree");
    assert!(
        agree("Up to 5 years") < agree("6–10 years") && agree("6–10 years") < agree("11+years")
    );
    assert!(result.p < 0.001, "p = {}", result.p);
}

#[test]
fn staff_who_seldom_work_with_fathers_know_less_about_perpetrators_p_003() {
    let result = association("by-fathers", "know3:knowledge-perpetrators");
    let seldom = share(result, "Never / sometimes", "Very little / a little");
    let often = share(result, "Often / usually", "Very little / a little");
    assert_eq!((seldom.round(), often.round()), (36.0, 20.0));
    rounds_to(result.p, 0.003);
}

#[test]
fn untrained_staff_more_often_think_women_abuse_men_as_much_p_007() {
    let result = association("by-training", "attitude-women-abuse-men");
    assert!(share(result, "No", "True") > share(result, "Yes", "True"));
    rounds_to(result.p, 0.007);
}

#[test]
fn untrained_staff_are_more_often_unsure_about_child_witnessing_and_barriers() {
    for outcome in ["attitude-child-witnessing", "attitude-minoritised-barriers"] {
        let result = association("by-training", outcome);
        assert!(
            share(result, "No", "Don't know") > share(result, "Yes", "Don't know"),
            "{outcome}"
        );
        assert!(result.p <= 0.01, "{outcome}: p = {}", result.p);
    }
}

#[test]
fn longer_serving_staff_more_often_think_lying_for_housing_false_p_008() {
    let result = association("by-tenure", "attitude-lie-for-housing");
    assert!(share(result, "11+years", "False") > share(result, "Up to 5 years", "False"));
    rounds_to(result.p, 0.008);
}

#[test]
fn previous_training_is_associated_with_every_knowledge_statement_p_below_05() {
    let outcomes: Vec<&str> = crate::analysis()
        .tests
        .iter()
        .filter_map(|t| match t {
            skafada_analysis::run::TestResult::Association(a)
                if a.family == "by-training" && a.outcome.starts_with("know3:") =>
            {
                Some(a.outcome.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(outcomes.len(), 18);
    for outcome in outcomes {
        let result = association("by-training", outcome);
        assert!(
            share(result, "No", "Very little / a little")
                > share(result, "Yes", "Very little / a little"),
            "{outcome}"
        );
        assert!(result.p < 0.05, "{outcome}: p = {}", result.p);
    }
}

#[test]
fn untrained_staff_know_less_about_support_groups_and_refuges() {
    let groups = association("by-training", "resources-knowledge-support-groups");
    assert!(share(groups, "No", "No") > share(groups, "Yes", "No"));
    assert!(groups.p < 0.001, "support groups: p = {}", groups.p);
    let refuges = association("by-training", "resources-knowledge-refuges");
    assert!(share(refuges, "No", "No") > share(refuges, "Yes", "No"));
    rounds_to(refuges.p, 0.009);
}

#[test]
fn untrained_staff_are_more_often_unsure_whether_there_are_enough_groups_and_refuges() {
    let groups = association("by-training", "resources-sufficient-support-groups");
    assert!(share(groups, "No", "Unsure") > share(groups, "Yes", "Unsure"));
    rounds_to(groups.p, 0.002);
    let refuges = association("by-training", "resources-sufficient-refuges");
    assert!(share(refuges, "No", "Unsure") > share(refuges, "Yes", "Unsure"));
    rounds_to(refuges.p, 0.047);
}

#[test]
fn time_with_employer_is_associated_with_knowledge_and_sufficiency_of_resources() {
    let refuges = association("by-tenure", "resources-knowledge-refuges");
    assert!(share(refuges, "Up to 5 years", "No") > share(refuges, "11+years", "No"));
    assert!(refuges.p < 0.001, "knowledge of refuges: p = {}", refuges.p);
    let groups = association("by-tenure", "resources-sufficient-support-groups");
    assert!(share(groups, "11+years", "No") > share(groups, "Up to 5 years", "No"));
    assert!(
        groups.p < 0.001,
        "sufficient support groups: p = {}",
        groups.p
    );
}

#[test]
fn site_8_knows_support_groups_best_and_site_6_finds_them_insufficient() {
    let knowledge = association("by-site", "resources-knowledge-support-groups");
    assert!((share(knowledge, "8", "Yes") - 87.0).abs() <= 1.0);
    let sufficient = association("by-site", "resources-sufficient-support-groups");
    assert!((share(sufficient, "6", "No") - 64.0).abs() <= 1.0);
}

#[test]
fn monte_carlo_fisher_p_values_say_how_many_tables_they_rest_on() {
    let monte_carlo: Vec<&AssociationResult> = crate::analysis()
        .tests
        .iter()
        .filter_map(|t| match t {
            skafada_analysis::run::TestResult::Association(a)
                if a.fisher_method.as_deref() == Some("monte-carlo") =>
            {
                Some(a.as_ref())
            }
            _ => None,
        })
        .collect();
    assert!(
        !monte_carlo.is_empty(),
        "the site family has large sparse tables"
    );
    for test in monte_carlo {
        assert_eq!(test.fisher_samples, Some(5_000), "{}", test.outcome);
        assert!(test.fisher_seed.is_some());
    }
}

#[test]
fn sparse_tests_are_judged_on_fisher_p_so_child_witnessing_is_not_significant_after_holm() {
    // The chi-square's Holm-adjusted p (.004) would call it significant; the table is
    // sparse, and Fisher's exact p, adjusted in the same family, is .022.
    let result = association("by-training", "attitude-child-witnessing");
    assert!(!result.warnings.is_empty(), "sparse");
    assert_eq!(result.p_basis, "fisher");
    assert!(
        result.p_adjusted > 0.02 && result.p_adjusted < 0.025,
        "{}",
        result.p_adjusted
    );
    assert!(!result.significant);
}
