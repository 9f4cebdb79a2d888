//! The report's "Change over time": for a follow-up wave, its bases in words, then per
//! family a chart of each statement's three shares with its table, then the plan's
//! declared changes and retention, in the HTML and the PDF.

use skafada_analysis::change::{retention, within_person};
use skafada_analysis::over_time::{
    DeclaredChange, DeclaredRetention, OverTime, StatementChange, StatementOverTime,
    StatementRetention,
};
use skafada_report::{Report, ReportOptions};

/// Ten linked people: none knew a lot before, all did after, seven still at follow-up.
fn triples() -> Vec<(bool, bool, bool)> {
    (0..10).map(|i| (false, true, i < 7)).collect()
}

/// The plan's change from before the training to the follow-up, and its retention.
fn declared() -> (DeclaredChange, DeclaredRetention) {
    let triples = triples();
    let since_before = within_person(triples.iter().map(|t| (Some(t.0), Some(t.2))), 0.95).unwrap();
    let retained = retention(
        triples.iter().map(|t| (Some(t.0), Some(t.1), Some(t.2))),
        0.95,
    )
    .unwrap();
    (
        DeclaredChange {
            id: "before-to-3m".into(),
            title: "From before the training to three months after".into(),
            from: "pre".into(),
            to: "follow-up-3m".into(),
            unavailable: None,
            statements: vec![StatementChange {
                family: "knowledge-lot".into(),
                family_title: "Knew quite a bit or a lot".into(),
                variable: "knowledge-signs".into(),
                text: "Signs and symptoms".into(),
                n: 10,
                shares: Some([0.0, 0.7]),
                adjusted_p: Some(since_before.mcnemar_exact.p_value),
                change: Some(since_before),
            }],
        },
        DeclaredRetention {
            id: "kept-at-3m".into(),
            title: "The training's gain still there three months after".into(),
            wave: "follow-up-3m".into(),
            unavailable: None,
            statements: vec![StatementRetention {
                family: "knowledge-lot".into(),
                family_title: "Knew quite a bit or a lot".into(),
                variable: "knowledge-signs".into(),
                text: "Signs and symptoms".into(),
                retention: Some(retained),
            }],
        },
    )
}

fn wave() -> OverTime {
    OverTime {
        wave: "follow-up-3m".into(),
        linked: 10,
        linked_kept: 10,
        unlinked: 2,
        statements: vec![StatementOverTime {
            family: "knowledge-lot".into(),
            family_title: "Knew quite a bit or a lot".into(),
            variable: "knowledge-signs".into(),
            text: "Signs and symptoms".into(),
            n: 10,
            shares: Some([0.0, 1.0, 0.7]),
        }],
        attrition: vec![skafada_analysis::change::AttritionRow {
            site: "LA01".into(),
            arm: Some("online".into()),
            responded: vec![12, 10, 10],
            completers: 10,
        }],
        completers: Vec::new(),
    }
}

#[test]
fn a_follow_up_wave_gets_a_chart_and_table_of_change_over_time_in_html_and_pdf() {
    let mut analysis = super::analysis(Vec::new());
    analysis.over_time = vec![wave()];
    let (change, retained) = declared();
    analysis.changes = vec![change];
    analysis.retention = vec![retained];
    let report = Report::from_analysis(&analysis, &ReportOptions::default());
    let html = report.render_html().unwrap();
    assert!(html.contains("Change over time"), "the section");
    assert!(
        html.contains("10 follow-up responses were linked"),
        "its bases"
    );
    assert!(
        html.contains(
            "Knew quite a bit or a lot: before, after and at the follow-up (follow-up-3m)"
        ),
        "a chart per family"
    );
    assert!(
        html.contains("over-time-follow-up-3m-knowledge-lot-chart"),
        "its SVG"
    );
    // Since before: +70 points (all 7 moved up), p = 2 x 0.5^7 = 0.015625.
    assert!(
        html.contains(
            "From before the training to three months after: before the training to the follow-up-3m wave"
        ),
        "the declared change's heading"
    );
    assert!(html.contains("+70 ["), "{html}");
    assert!(html.contains("7 of 10"), "retained");
    assert!(
        html.contains("gain still there three months after: the follow-up-3m wave"),
        "the declared retention's heading"
    );
    assert!(html.contains("Respondents kept in each survey by site and delivery arm"));
    let pdf = report.render_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn without_a_follow_up_wave_the_report_has_no_change_over_time() {
    let report = Report::from_analysis(&super::analysis(Vec::new()), &ReportOptions::default());
    assert!(!report.render_html().unwrap().contains("Change over time"));
}

#[test]
fn delivery_arms_get_a_table_of_their_comparison() {
    use skafada_analysis::by_arm::{ArmSize, ArmStatement, ByArm, DeclaredArms};
    use skafada_analysis::change::{Improvement, compare_arms};
    let comparison = compare_arms(
        Improvement {
            improved: 5,
            could_improve: 20,
        },
        Improvement {
            improved: 15,
            could_improve: 20,
        },
        0.95,
    )
    .unwrap();
    let mut analysis = super::analysis(Vec::new());
    analysis.by_arm = Some(ByArm {
        arms: vec![
            ArmSize {
                arm: "group".into(),
                respondents: 20,
            },
            ArmSize {
                arm: "online".into(),
                respondents: 20,
            },
        ],
        without_arm: 0,
        comparisons: vec![
            DeclaredArms {
                id: "arms-during-training".into(),
                title: "Improving during the training".into(),
                from: "pre".into(),
                to: "post".into(),
                unavailable: None,
                statements: vec![ArmStatement {
                    family: "knowledge-lot".into(),
                    family_title: "Knew quite a bit or a lot".into(),
                    variable: "knowledge-signs".into(),
                    text: "Signs and symptoms".into(),
                    arms: ["group".into(), "online".into()],
                    adjusted_p: comparison.test.as_ref().map(|t| t.p_value),
                    comparison: Some(comparison),
                }],
            },
            DeclaredArms {
                id: "arms-at-3m".into(),
                title: "Improved three months after the training".into(),
                from: "pre".into(),
                to: "follow-up-3m".into(),
                unavailable: Some("the data have no follow-up wave `follow-up-3m`".into()),
                statements: Vec::new(),
            },
        ],
    });
    let html = Report::from_analysis(&analysis, &ReportOptions::default())
        .render_html()
        .unwrap();
    assert!(html.contains("Delivery arms compared"));
    assert!(html.contains("group (20 respondents), online (20 respondents)"));
    assert!(html.contains("5 of 20 vs 15 of 20"), "{html}");
    assert!(html.contains("-50 ["), "{html}");
    assert!(
        html.contains("Improving during the training: before the training to after the training")
    );
    assert!(
        html.contains("Not compared: the data have no follow-up wave"),
        "{html}"
    );
}
