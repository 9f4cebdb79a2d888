//! Whole reports from the demonstration study and from hand-built analyses.

use skafada_analysis::plan::Plan;
use skafada_report::{Report, ReportOptions};

use crate::{analysis, frequency};

const PLAN: &str = include_str!("../../../../plans/skafada.toml");

pub(crate) fn demo_report() -> Report {
    let plan = Plan::parse(PLAN, "plans/skafada.toml").unwrap();
    let analysis = skafada_analysis::analyse(&plan, &crate::demo_dataset()).unwrap();
    Report::from_analysis(&analysis, &ReportOptions::default())
}

#[test]
fn the_demonstration_report_has_every_table_figure_and_test_in_html_and_pdf() {
    let report = demo_report();
    let html = report.render_html().unwrap();
    for id in [
        "table-3", "table-5", "table-6", "table-7", "table-8", "table-9", "table-10", "table-11",
        "table-12", "table-13", "table-14", "table-15", "table-16", "table-17",
    ] {
        assert!(
            html.contains(&format!("<table class=\"table\" id=\"{id}\">")),
            "{id} missing"
        );
    }
    for id in [
        "figure-1",
        "figure-2",
        "figure-2-parents",
        "figure-3",
        "figure-4",
        "figure-5",
        "figure-6",
    ] {
        assert!(
            html.contains(&format!("<figure class=\"figure\" id=\"{id}\">")),
            "{id} missing"
        );
        assert!(
            html.contains(&format!(
                "aria-labelledby=\"{id}-chart-title {id}-chart-desc\""
            )),
            "{id} chart"
        );
        assert!(
            html.contains(&format!("<table class=\"table\" id=\"{id}-data\">")),
            "{id} data table"
        );
    }
    assert!(html.contains("These data are synthetic demonstration data"));
    assert!(html.contains("Tests of association with previous domestic abuse training"));
    assert!(html.contains("McNemar p"));
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://")
            || html
                .matches("http://")
                .all(|_| html.contains("http://www.w3.org/2000/svg"))
    );
    let pdf = report.render_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() > 10_000);
}

#[test]
fn findings_in_the_html_are_escaped_and_come_from_the_tables() {
    let report = Report::from_analysis(
        &analysis(vec![frequency(
            "table-14",
            "Experience <b>of</b> abuse",
            &[("Yes", 3, 30.0), ("No", 7, 70.0)],
        )]),
        &ReportOptions {
            scope: "Site 3".into(),
        },
    );
    let html = report.render_html().unwrap();
    assert!(
        html.contains("30.0% had experience &#60;b&#62;of&#60;/b&#62; abuse.")
            || html.contains("30.0% had experience &lt;b&gt;of&lt;/b&gt; abuse."),
        "{html}"
    );
    assert!(html.contains("Study: Test study. Site 3"));
    assert!(!html.contains("<b>of</b>"));
}
