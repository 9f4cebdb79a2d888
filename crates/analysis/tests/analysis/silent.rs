//! No silent numbers: a figure the data cannot support is either correct or said, in the
//! analysis JSON and its Markdown alike.

use skafada_analysis::clean::{FlagKind, Reason};
use skafada_analysis::plan::Duplicates;
use skafada_analysis::render::markdown;
use skafada_analysis::run::{Analysis, AnalysisError, Cell, TableResult, TestResult};
use skafada_analysis::{analyse, plan::Plan};

use super::{
    Respondent, association, dataset, dataset_of, plan, post_instrument, post_respondent,
    pre_instrument, trained_by_documenting,
};

fn table<'a>(analysis: &'a Analysis, id: &str) -> &'a TableResult {
    analysis
        .tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn row<'a>(table: &'a TableResult, label: &str) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| r.first() == Some(&Cell::Text(label.into())))
        .unwrap_or_else(|| panic!("{}: no row {label}", table.id))
}

fn excluded(log: &skafada_analysis::clean::CleaningLog, reason: Reason) -> usize {
    log.excluded
        .iter()
        .find(|e| e.reason == reason)
        .map_or(0, |e| e.count)
}

fn dropping() -> Plan {
    let mut plan = plan();
    plan.cleaning.duplicates = Duplicates::Drop;
    plan
}

#[test]
fn a_question_nobody_answered_has_no_percentages_and_no_100_percent_total() {
    let instrument = pre_instrument();
    let respondents: Vec<_> = (0..4)
        .map(|i| {
            Respondent::complete(&format!("r{i}"), &instrument)
                .clear("disability")
                .clear("knowledge-dash")
        })
        .collect();
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let disability = table(&analysis, "table-6");
    for row in &disability.rows {
        assert_eq!(row[1], Cell::Count(0), "{row:?}");
        assert_eq!(row[2], Cell::NoAnswers, "{row:?}");
    }
    let json = serde_json::to_value(disability).unwrap();
    assert_eq!(
        json["rows"].as_array().unwrap().last().unwrap(),
        &serde_json::json!(["Total valid responses", 0, null])
    );
    // A statement of a figure nobody answered is not 0% of everything.
    let knowledge = table(&analysis, "figure-3");
    let dash = knowledge
        .rows
        .iter()
        .find(|r| r.iter().skip(1).all(|c| *c == Cell::NoAnswers))
        .expect("the unanswered statement's row");
    assert!(dash.len() > 2);
    let text = markdown(&analysis);
    assert!(text.contains("| Yes | 0 | no answers |"), "{text}");
    assert!(text.contains("| Total valid responses | 0 | no answers |"));
    assert!(!text.contains("| Total valid responses | 0 | 100.0 |"));
}

#[test]
fn an_export_with_every_record_twice_is_refused_with_the_repeated_ids_named() {
    let instrument = pre_instrument();
    let twice: Vec<_> = (0..7)
        .chain(0..7)
        .map(|i| Respondent::complete(&format!("r{i}"), &instrument).record("pre"))
        .collect();
    let data = dataset_of(twice, Vec::new());
    let error = analyse(&plan(), &data).unwrap_err();
    assert_eq!(
        error,
        AnalysisError::DuplicateIds {
            data: "pre",
            kind: "response",
            ids: (0..5).map(|i| format!("r{i}-pre")).collect(),
            distinct: 7,
            records: 7,
        }
    );
    assert_eq!(
        error.to_string(),
        "pre-training responses: 7 response ids are carried by more than one record (7 repeated records): `r0-pre`, `r1-pre`, `r2-pre`, `r3-pre`, `r4-pre` and 2 more. A record counted twice would be weighed twice; remove the repeats, or set `duplicates = \"drop\"` under `[cleaning]` in the plan to keep the first record of each id and log the others"
    );

    // Dropped on request, each once, and said so.
    let analysis = analyse(&dropping(), &data).unwrap();
    assert_eq!(
        (analysis.cleaning.pre.records, analysis.cleaning.pre.kept),
        (14, 7)
    );
    assert_eq!(
        excluded(&analysis.cleaning.pre, Reason::DuplicateResponse),
        7
    );
    assert_eq!(
        row(table(&analysis, "table-6"), "Total valid responses")[1],
        Cell::Count(7)
    );
    assert!(
        analysis.warnings.iter().any(|w| w
            == "7 pre-training records were dropped because their response id repeated an earlier record's (the plan's duplicates = \"drop\" keeps the first)."),
        "{:?}",
        analysis.warnings
    );
    let text = markdown(&analysis);
    assert!(text.contains("| repeats the response id of an earlier record | 7 |"));
}

#[test]
fn a_respondent_with_two_kept_records_is_refused_or_paired_only_once() {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let answered =
        |i: i32| Respondent::complete(&format!("r{i}"), &pre_i).set("knowledge-dash", 1 + i % 5);
    let mut pre: Vec<_> = (0..4).map(|i| answered(i).record("pre")).collect();
    // A second, complete record of r0 under its own response id.
    pre.push(answered(0).record("pre-again"));
    let post: Vec<_> = (0..4)
        .map(|i| post_respondent(&format!("r{i}"), &post_i).record("post"))
        .collect();
    let data = dataset_of(pre, post);
    let error = analyse(&plan(), &data).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "pre-training responses: 1 respondent id has more than one record kept by the cleaning rule (1 extra record): `r0`."
        ),
        "{error}"
    );

    let analysis = analyse(&dropping(), &data).unwrap();
    assert_eq!(analysis.cleaning.pre.kept, 4);
    assert_eq!(
        excluded(&analysis.cleaning.pre, Reason::DuplicateRespondent),
        1
    );
    let paired: Vec<u64> = analysis
        .tests
        .iter()
        .filter_map(|t| match t {
            TestResult::PrePost(p) => p.paired.as_ref().map(|p| p.n),
            TestResult::Association(_) => None,
        })
        .collect();
    assert!(!paired.is_empty());
    assert!(
        paired.iter().all(|n| *n == 4),
        "four people, four pairs: {paired:?}"
    );
}

#[test]
fn a_plan_may_opt_in_to_dropping_duplicates() {
    let text = super::PLAN.replace("duplicates = \"refuse\"", "duplicates = \"drop\"");
    assert_ne!(text, super::PLAN, "the plan states its choice");
    let plan = Plan::parse(&text, "plans/skafada.toml").unwrap();
    assert_eq!(plan.cleaning.duplicates, Duplicates::Drop);
    assert_eq!(super::plan().cleaning.duplicates, Duplicates::Refuse);
}

#[test]
fn free_text_that_matches_no_category_has_its_own_row_and_the_rows_add_up() {
    let instrument = pre_instrument();
    let named =
        |id: &str, text: &str| Respondent::complete(id, &instrument).text("training-names", text);
    let respondents = [
        named("a", "Freedom Programme"),
        named("b", "Gardening for beginners"),
        named("c", "A course whose name I wrote down somewhere"),
    ];
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let topics = table(&analysis, "table-16");
    let uncoded = row(topics, "Not matched to a category");
    assert_eq!(uncoded[1], Cell::Count(2));
    let body: u64 = topics.rows[..topics.rows.len() - 1]
        .iter()
        .map(|r| match r[1] {
            Cell::Count(n) => n,
            _ => 0,
        })
        .sum();
    let total = row(topics, "Total");
    assert_eq!(total[1], Cell::Count(body));
    assert_eq!(total[1], Cell::Count(3));
    assert_eq!(
        total[3],
        Cell::Number(100.0),
        "three respondents, three answers"
    );
    assert!(
        topics.notes.iter().any(|n| n
            == "2 answers matched no category and are counted as “Not matched to a category”.")
    );
    assert!(markdown(&analysis).contains("| Not matched to a category | 2 | 66.7 | 66.7 |"));
}

#[test]
fn numbers_outside_the_instruments_bounds_are_missing_and_flagged_not_binned() {
    let instrument = pre_instrument();
    let respondents = [
        // Started in 2023: a start year of 2031 is impossible, not "up to 5 years".
        Respondent::complete("a", &instrument).set("start-year", 2031),
        // Not "under 10" cases.
        Respondent::complete("b", &instrument).set("cases-held", -5),
        Respondent::complete("c", &instrument).set("start-year", 2020),
    ];
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let flags = &analysis.cleaning.pre.flags;
    let flag = |variable: &str| {
        flags
            .iter()
            .find(|f| f.kind == FlagKind::OutOfRange && f.variable.as_deref() == Some(variable))
            .unwrap_or_else(|| panic!("no flag for {variable}: {flags:?}"))
    };
    assert_eq!(
        (
            flag("start-year").count,
            flag("start-year").min,
            flag("start-year").max
        ),
        (1, Some(1950), None)
    );
    assert_eq!(
        (
            flag("cases-held").count,
            flag("cases-held").min,
            flag("cases-held").max
        ),
        (1, Some(0), Some(500))
    );
    assert_eq!(
        flag("cases-held").description,
        "“How many cases are you responsible for at the present time?” (cases-held): 1 answer outside 0 to 500, treated as missing."
    );
    let tenure = table(&analysis, "table-7");
    assert_eq!(row(tenure, "Up to 5 years")[1], Cell::Count(1), "only c");
    assert_eq!(row(tenure, "Total valid responses")[1], Cell::Count(2));
    let cases = table(&analysis, "table-12");
    assert_eq!(row(cases, "Under 10")[1], Cell::Count(0));
    assert_eq!(row(cases, "Total valid responses")[1], Cell::Count(2));
    assert!(analysis.warnings.iter().any(|w| w
        == "Pre-training survey: 2 answers outside the questionnaire's bounds were treated as missing (start-year 1, cases-held 1); see the cleaning log."));
    let text = markdown(&analysis);
    assert!(text.contains("- **Flagged:** “In which year did you start working for your current employer?” (start-year): 1 answer outside 1950 to the year the record was started, treated as missing."), "{text}");
}

#[test]
fn a_submitted_record_whose_answers_end_the_survey_is_excluded_or_flagged_as_the_plan_says() {
    let instrument = pre_instrument();
    // A specialist domestic abuse service worker, marked submitted, with every later
    // question answered as well.
    let ineligible = || {
        Respondent::complete("x", &instrument)
            .set("works-for-la", 2)
            .set("employer", 1)
    };
    let respondents = [
        Respondent::complete("a", &instrument),
        Respondent::complete("b", &instrument),
        ineligible(),
    ];
    let data = dataset(&respondents, &[]);
    let analysis = analyse(&plan(), &data).unwrap();
    let log = &analysis.cleaning.pre;
    assert_eq!(log.kept, 2);
    assert_eq!(excluded(log, Reason::RoutingInconsistent), 1);
    assert!(markdown(&analysis).contains("| answers close the survey by routing (not eligible), but the record is not marked ended | 1 |"));

    let mut keeping = plan();
    keeping.cleaning.pre.exclude_ended = false;
    let analysis = analyse(&keeping, &data).unwrap();
    let log = &analysis.cleaning.pre;
    assert_eq!(log.kept, 3);
    let flag = log
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::RoutingInconsistent)
        .expect("flagged");
    assert_eq!(flag.count, 1);
    assert_eq!(
        flag.description,
        "1 kept record has answers that close the survey by routing (not eligible) but is not marked ended; it is kept because the plan's exclude-ended is false."
    );
    assert!(
        analysis
            .warnings
            .iter()
            .any(|w| w.starts_with("Pre-training survey: 1 kept record has answers"))
    );
}

#[test]
fn a_family_with_only_one_group_is_reported_as_not_tested() {
    let pre_i = pre_instrument();
    // Everyone had training ("Yes"), and nobody answered the post-training survey.
    let respondents: Vec<_> = (0..6)
        .map(|i| {
            Respondent::complete(&format!("r{i}"), &pre_i)
                .set("trained", 1)
                .set("knowledge-dash", 1 + i % 5)
        })
        .collect();
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    assert!(
        !analysis
            .tests
            .iter()
            .any(|t| matches!(t, TestResult::Association(a) if a.family == "by-training"))
    );
    let untested = analysis
        .untested
        .iter()
        .find(|u| u.family == "by-training")
        .expect("the family is listed");
    assert_eq!(
        (untested.kind, untested.reason.as_str()),
        ("association", "only one group answered (“Yes”)")
    );
    let prepost = analysis
        .untested
        .iter()
        .find(|u| u.family == "knowledge-little")
        .expect("the pre/post family is listed");
    assert_eq!(
        (prepost.kind, prepost.reason.as_str()),
        (
            "pre-post",
            "only one group answered: nobody answered these statements after training"
        )
    );
    let json = serde_json::to_value(&analysis).unwrap();
    assert!(
        json["untested"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["family"] == "by-training")
    );
    let text = markdown(&analysis);
    assert!(text.contains("## Association with previous domestic abuse training\n\nNot tested: only one group answered (“Yes”)."), "{text}");
    assert!(text.contains("## Before and after training: Knew very little or a little\n\nNot tested: only one group answered: nobody answered these statements after training."));
}

#[test]
fn a_sparse_table_is_judged_significant_on_the_fisher_p_its_note_recommends() {
    // Trained by confidence in documenting: [[0, 0, 30], [1, 1, 3]]. Pearson's p is .0017
    // (significant at .01) but the table is sparse, and Fisher's exact p is .0168.
    let respondents = trained_by_documenting(&[(1, 5, 30), (2, 1, 1), (2, 3, 1), (2, 5, 3)]);
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let test = association(&analysis, "by-training", "agree3:confidence-documenting");
    assert_eq!(test.counts, vec![vec![0, 0, 30], vec![1, 1, 3]]);
    assert!(test.p < 0.01, "Pearson p = {}", test.p);
    assert!(!test.warnings.is_empty(), "sparse");
    assert_eq!(test.p_basis, "fisher");
    let fisher = test.fisher_p.unwrap();
    assert!((fisher - 0.016_806_722_689_075_46).abs() < 1e-9, "{fisher}");
    assert_eq!(test.p_adjusted, fisher, "the only test of its family");
    assert!(
        !test.significant,
        "judged on Fisher's p, not the chi-square's"
    );
    assert_eq!(test.fisher_method.as_deref(), Some("exact"));
}
