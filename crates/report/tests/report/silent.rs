//! No silent numbers, as a reader sees them: each case in the Markdown, the HTML and the
//! PDF of the demonstration study's report, with the data changed to provoke it.

use skafada_analysis::data::{Column, Dataset, MISSING, Responses, Status, TextColumn};
use skafada_analysis::plan::{Duplicates, Plan};
use skafada_analysis::run::Analysis;
use skafada_report::charts::Mark;
use skafada_report::pdf::layout::{Item, layout};
use skafada_report::{Report, ReportOptions};

const PLAN: &str = include_str!("../../../../plans/skafada.toml");

fn plan() -> Plan {
    Plan::parse(PLAN, "plans/skafada.toml").unwrap()
}

/// The analysis rendered as Markdown, HTML (entities read back) and the text the PDF
/// draws (lines joined by spaces, so wrapped sentences read whole).
fn renderings(analysis: &Analysis) -> [(&'static str, String); 3] {
    let markdown = skafada_analysis::render::markdown(analysis);
    let report = Report::from_analysis(analysis, &ReportOptions::default());
    let html = report
        .render_html()
        .unwrap()
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"");
    let pdf = report.render_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let drawn: Vec<String> = layout(report.document())
        .pages
        .iter()
        .flat_map(|page| page.items.iter())
        .filter_map(|item| match item {
            Item::Mark(Mark::Text { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .collect();
    [
        ("Markdown", markdown),
        ("HTML", html),
        ("PDF", drawn.join(" ")),
    ]
}

fn assert_all_say(analysis: &Analysis, phrases: &[&str]) {
    for (name, text) in renderings(analysis) {
        for phrase in phrases {
            assert!(text.contains(phrase), "the {name} does not say “{phrase}”");
        }
    }
}

/// Sets one record's answer to a coded or numeric question.
fn set(data: &mut Responses, id: &str, row: usize, value: i32) {
    let mut values = data.values(id).unwrap().to_vec();
    values[row] = value;
    data.set(id, Column::Values(values.into()));
}

/// The first submitted (kept) records of the demonstration pre-training survey.
fn submitted(data: &Responses) -> impl Iterator<Item = usize> + '_ {
    (0..data.len()).filter(|&row| data.status[row] == Status::Submitted)
}

fn analysed(dataset: &Dataset) -> Analysis {
    skafada_analysis::analyse(&plan(), dataset).unwrap()
}

#[test]
fn a_question_nobody_answered_prints_no_answers_and_no_share_of_nobody() {
    let mut dataset = crate::demo_dataset();
    let nobody = vec![MISSING; dataset.pre.len()];
    dataset.pre.set("disability", Column::Values(nobody.into()));
    let analysis = analysed(&dataset);
    assert_all_say(&analysis, &["no answers"]);
    for (name, text) in renderings(&analysis) {
        assert!(
            !text.contains("0.0% answered “Yes”"),
            "the {name} states a share of nobody"
        );
        // The Markdown has no findings sentences; the report's say what happened.
        if name != "Markdown" {
            assert!(
                text.contains("Nobody answered “Do you consider yourself to have a disability?”."),
                "the {name} findings"
            );
        }
    }
    let [(_, markdown), ..] = renderings(&analysis);
    assert!(markdown.contains("| Yes | 0 | no answers |"));
    assert!(markdown.contains("| Total valid responses | 0 | no answers |"));
}

#[test]
fn duplicate_records_are_refused_or_dropped_with_the_count_in_every_rendering() {
    // An export with every record twice.
    let mut dataset = crate::demo_dataset();
    let csv = dataset
        .pre
        .to_csv(&dataset.pre_instrument, &dataset.sites)
        .unwrap();
    let (_, records) = csv.split_once('\n').unwrap();
    dataset.pre = Responses::from_csv(
        &format!("{csv}{records}"),
        "pre.csv",
        &dataset.pre_instrument,
        &dataset.sites,
    )
    .unwrap();
    assert_eq!(dataset.pre.len(), 900);
    let refused = skafada_analysis::analyse(&plan(), &dataset).unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("pre-training responses: 450 response ids are carried by more than one record (450 repeated records): `"),
        "{refused}"
    );
    let mut dropping = plan();
    dropping.cleaning.duplicates = Duplicates::Drop;
    let analysis = skafada_analysis::analyse(&dropping, &dataset).unwrap();
    assert_eq!(analysis.cleaning.pre.kept, 350);
    assert_all_say(
        &analysis,
        &[
            "repeats the response id of an earlier record",
            "450 pre-training records were dropped because their response id repeated an earlier record's",
        ],
    );
}

#[test]
fn free_text_matching_no_category_is_a_row_of_table_16_in_every_rendering() {
    let mut dataset = crate::demo_dataset();
    let row = submitted(&dataset.pre)
        .find(|&r| {
            dataset
                .pre
                .texts("training-names")
                .unwrap()
                .get(r)
                .is_some()
        })
        .unwrap();
    let texts: TextColumn = (dataset.pre.texts("training-names").unwrap().iter())
        .enumerate()
        .map(|(r, text)| {
            if r == row {
                Some("Gardening for beginners")
            } else {
                text
            }
        })
        .collect();
    dataset.pre.set("training-names", Column::Text(texts));
    let analysis = analysed(&dataset);
    assert_all_say(
        &analysis,
        &[
            "Not matched to a category",
            "1 answer matched no category and is counted as “Not matched to a category”.",
        ],
    );
}

#[test]
fn out_of_range_numbers_are_flagged_in_every_rendering() {
    let mut dataset = crate::demo_dataset();
    let rows: Vec<usize> = submitted(&dataset.pre)
        .filter(|&r| dataset.pre.values("cases-held").unwrap().get(r).unwrap() != MISSING)
        .take(2)
        .collect();
    set(&mut dataset.pre, "start-year", rows[0], 2031);
    set(&mut dataset.pre, "cases-held", rows[1], -5);
    let analysis = analysed(&dataset);
    assert_all_say(
        &analysis,
        &[
            "Pre-training survey: 2 answers outside the questionnaire's bounds were treated as missing (start-year 1, cases-held 1)",
            "(cases-held): 1 answer outside 0 to 500, treated as missing.",
        ],
    );
}

#[test]
fn a_submitted_record_whose_answers_end_the_survey_is_excluded_with_its_reason() {
    let mut dataset = crate::demo_dataset();
    let row = submitted(&dataset.pre).next().unwrap();
    set(&mut dataset.pre, "works-for-la", row, 2);
    set(&mut dataset.pre, "employer", row, 1);
    let analysis = analysed(&dataset);
    assert_eq!(analysis.cleaning.pre.kept, 349);
    assert_all_say(
        &analysis,
        &["answers close the survey by routing (not eligible), but the record is not marked ended"],
    );
}

#[test]
fn a_family_with_one_group_is_said_not_to_be_tested_in_every_rendering() {
    let mut dataset = crate::demo_dataset();
    let everyone = vec![1; dataset.pre.len()];
    dataset.pre.set("trained", Column::Values(everyone.into()));
    let analysis = analysed(&dataset);
    assert_all_say(
        &analysis,
        &[
            "Association with previous domestic abuse training",
            "Not tested: only one group answered (“Yes”).",
        ],
    );
    let report = Report::from_analysis(&analysis, &ReportOptions::default());
    let summary = &report.document().sections[0];
    assert_eq!(summary.id, "summary");
    assert!(
        matches!(&summary.blocks[0], skafada_report::model::Block::List(items) if items.iter().any(|i| i == "Association with previous domestic abuse training was not tested: only one group answered (“Yes”).")),
        "the summary says so too"
    );
}

#[test]
fn monte_carlo_fisher_p_values_are_marked_in_every_rendering() {
    let analysis = analysed(&crate::demo_dataset());
    assert_all_say(&analysis, &["(Monte Carlo, 5,000 tables)"]);
}
