//! The percentages the report quotes for Figures 1-6, within one percentage point.

use crate::{number, row, table};

/// Asserts a percentage within one point of the report's.
fn near(what: &str, got: f64, printed: f64) {
    assert!(
        (got - printed).abs() <= 1.0,
        "{what}: {got:.1}% generated, {printed}% in the report"
    );
}

/// The percentage in the column whose header starts with `column`.
fn percent(table_id: &str, label: &str, column: &str) -> f64 {
    let table = table(table_id);
    let index = table
        .columns
        .iter()
        .position(|c| c.starts_with(column))
        .unwrap_or_else(|| panic!("{table_id}: no column {column}"));
    number(&row(table, label)[index])
}

#[test]
fn figure_1_a_third_did_not_agree_they_had_sufficient_training() {
    let disagree = percent("figure-1", "sufficient training", "Strongly disagree")
        + percent("figure-1", "sufficient training", "Disagree")
        + percent("figure-1", "sufficient training", "Neither");
    near("not agreeing they had sufficient training", disagree, 32.0);
}

#[test]
fn figure_2_enquiry_percentages_match_the_chart_labels() {
    // (row, never/seldom %, nearly always/always %) as printed on the chart; "-" lost.
    let printed: [(&str, Option<f64>, Option<f64>); 17] = [
        ("Parental conflict", Some(3.8), None),
        ("Aggressive or harmful", Some(6.5), None),
        ("Parenting difficulties", Some(6.6), Some(69.4)),
        ("Child to parent violence", Some(10.0), Some(66.9)),
        ("withdrawn", None, Some(66.3)),
        ("Mental health problems", Some(7.1), Some(66.0)),
        ("Injuries", Some(12.3), Some(64.8)),
        ("Financial difficulties", Some(9.5), Some(61.8)),
        ("Substance misuse", Some(12.1), Some(61.6)),
        ("emotional/sleeping", Some(12.6), Some(60.3)),
        ("School attendance", Some(11.3), Some(59.3)),
        ("Anti-social behaviour", Some(10.2), Some(58.2)),
        ("self-harming", Some(12.0), Some(57.4)),
        ("running away", Some(18.4), Some(54.1)),
        ("Physical health", Some(15.3), Some(52.4)),
        ("Children with disabilities", Some(20.5), Some(45.5)),
        ("Childcare problems", Some(20.3), None),
    ];
    for (label, low, high) in printed {
        if let Some(low) = low {
            near(label, percent("figure-2", label, "Never / seldom"), low);
        }
        if let Some(high) = high {
            near(
                label,
                percent("figure-2", label, "Nearly always / always"),
                high,
            );
        }
    }
}

#[test]
fn figure_3_knowledge_percentages_match_the_text() {
    let lot = |label: &str| {
        percent("figure-3", label, "Quite a bit") + percent("figure-3", label, "A lot")
    };
    let little = |label: &str| {
        percent("figure-3", label, "Very little") + percent("figure-3", label, "A little")
    };
    near(
        "impact on children, quite a bit/a lot",
        lot("impact of domestic abuse on children"),
        83.0,
    );
    near(
        "signs and symptoms, quite a bit/a lot",
        lot("Signs and symptoms"),
        81.0,
    );
    near("your role, quite a bit/a lot", lot("Your role"), 78.0);
    near(
        "national guidance, very little/a little",
        little("National guidance"),
        40.0,
    );
    near(
        "risk assessment tools, very little/a little/some",
        little("DASH") + percent("figure-3", "DASH", "Some"),
        21.0,
    );
    near(
        "migrant communities, very little/a little",
        little("migrant"),
        33.0,
    );
    near(
        "perpetrators, very little/a little",
        little("perpetrators"),
        26.0,
    );
    near(
        "perpetrators, some",
        percent("figure-3", "perpetrators", "Some"),
        36.0,
    );
}

#[test]
fn figure_4_true_false_percentages_match_the_text() {
    near(
        "child witnessing, true",
        percent("figure-4", "child witnessing", "True"),
        96.0,
    );
    near(
        "should not document, false",
        percent("figure-4", "NOT document", "False"),
        83.0,
    );
    near(
        "multiple support needs, true",
        percent("figure-4", "multiple support needs", "True"),
        84.0,
    );
    near(
        "minority ethnic and LGBTQ, true",
        percent("figure-4", "LGBTQ", "True"),
        90.0,
    );
    near(
        "lie to get housing, don't know",
        percent("figure-4", "housing", "Don't know"),
        42.0,
    );
    near(
        "alcohol, true",
        percent("figure-4", "Alcohol", "True"),
        35.0,
    );
}

#[test]
fn figure_5_actions_percentages_match_the_text() {
    let parents = |label: &str| number(&row(table("figure-5-parents"), label)[3]);
    let children = |label: &str| number(&row(table("figure-5-children"), label)[3]);
    near(
        "parents: information",
        parents("Provided information"),
        74.0,
    );
    near("parents: space to talk", parents("space to talk"), 76.0);
    near("parents: checked in", parents("check in"), 71.0);
    near("parents: manager", parents("manager"), 75.0);
    near("parents: documented", parents("Documented"), 66.0);
    near(
        "parents: practical support",
        parents("practical support"),
        41.0,
    );
    near(
        "parents: contacted a specialist service",
        parents("Contacted"),
        64.0,
    );
    let referral = parents("Made a referral");
    assert!(
        (57.0..60.0).contains(&referral),
        "nearly 60% referred a parent: {referral}"
    );
    near("children: space to talk", children("space to talk"), 61.0);
    near("children: manager", children("manager"), 63.0);
    near(
        "children: information",
        children("Provided information"),
        37.0,
    );
    near("children: options", children("Advised"), 39.0);
    near(
        "children: contacted a specialist service",
        children("Contacted"),
        41.0,
    );
    let referral = children("Made a referral");
    assert!(
        (35.0..40.0).contains(&referral),
        "less than 40% referred a child: {referral}"
    );
}

#[test]
fn figure_6_support_and_refuge_percentages_match_the_text() {
    near(
        "knowledge of support groups, yes",
        percent("figure-6", "knowledge of support groups", "Yes"),
        65.0,
    );
    near(
        "knowledge of refuges, yes",
        percent("figure-6", "knowledge of shelters", "Yes"),
        48.0,
    );
    near(
        "sufficient refuges, no",
        percent("figure-6", "sufficient shelters", "No"),
        55.0,
    );
    near(
        "sufficient support groups, no",
        percent("figure-6", "sufficient support groups", "No"),
        41.0,
    );
}
