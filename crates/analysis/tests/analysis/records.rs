//! What the analysis makes of each record, as the record-level exports read it: the same
//! cleaning and derived variables as `analyse`, and the codes the report leaves out of
//! each variable's percentages.

use skafada_analysis::analyse;
use skafada_analysis::clean::{Reason, clean};
use skafada_analysis::data::{Column, MISSING, Responses, Status};
use skafada_analysis::plan::{Data, Plan, ValidPercentBase};
use skafada_analysis::records::{KEPT, Measure, outcomes};
use skafada_analysis::run::Cell;

use super::{PLAN, Respondent, dataset, plan, pre_instrument, sites};

/// Three complete respondents (one who prefers not to say whether they have a disability),
/// and one record for each reason of exclusion.
fn mixed() -> Vec<Respondent> {
    let instrument = pre_instrument();
    let full = |id: &str| Respondent::complete(id, &instrument);
    let mut empty = full("empty");
    empty.values.clear();
    empty.texts.clear();
    empty.status = Status::Started;
    let mut returning = full("returning");
    returning.values.retain(|k, _| k.starts_with("consent"));
    returning.returning = true;
    let mut ended = full("ended").set("works-for-la", 2).set("employer", 1);
    ended.status = Status::Ended;
    let mut partial = full("partial");
    partial.values.retain(|k, _| {
        ["consent", "gender", "age"]
            .iter()
            .any(|p| k.starts_with(p))
    });
    vec![
        full("a").set("start-year", 2020),
        full("b").set("start-year", 2015).set("disability", 9),
        empty,
        full("c").set("start-year", 1990).set("disability", 2),
        returning,
        ended,
        partial,
    ]
}

fn count(table: &skafada_analysis::run::TableResult, label: &str) -> Option<(u64, f64)> {
    table.rows.iter().find_map(|row| match row.as_slice() {
        [Cell::Text(l), Cell::Count(n), Cell::Number(p)] if l == label => Some((*n, *p)),
        _ => None,
    })
}

#[test]
fn each_records_outcome_is_the_cleaning_and_derivation_the_analysis_applies() {
    let plan = plan();
    let data = dataset(&mixed(), &[]);
    let analysis = analyse(&plan, &data).unwrap();
    let found = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );

    // The cleaning: the same records, reasons and log as the analysis.
    let (keep, _) = clean(&data.pre_instrument, &data.pre, &plan.cleaning.pre);
    let kept: Vec<bool> = (0..data.pre.len()).map(|row| found.kept(row)).collect();
    assert_eq!(kept, keep);
    assert_eq!(kept, [true, true, false, true, false, false, false]);
    assert_eq!(found.log, analysis.cleaning.pre);
    let codes: Vec<i32> = (0..data.pre.len())
        .map(|row| found.exclusion_code(row).unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            KEPT,
            KEPT,
            Reason::Empty.code(),
            KEPT,
            Reason::Returning.code(),
            Reason::Ended.code(),
            Reason::BelowMinimum.code()
        ]
    );
    let labels = found.exclusion_labels();
    assert_eq!(labels[0], (KEPT, "kept (not excluded)".to_owned()));
    assert_eq!(
        labels.len(),
        1 + Reason::ALL.len(),
        "every reason has a label"
    );
    for exclusion in &analysis.cleaning.pre.excluded {
        assert!(
            labels.contains(&(exclusion.reason.code(), exclusion.description.clone())),
            "{:?} is labelled as the cleaning log describes it",
            exclusion.reason
        );
    }

    // The derived variables: every record has one, and the kept records' values are
    // the ones the analysis's tables count.
    let tenure = found.derived.iter().find(|d| d.id == "tenure").unwrap();
    assert_eq!((tenure.kind, tenure.measure), ("bands", Measure::Ordinal));
    assert_eq!(tenure.text, "Time with current employer");
    assert_eq!(tenure.labels[0], (1, "Up to 5 years".to_owned()));
    let Column::Values(values) = &tenure.column else {
        panic!("tenure is coded")
    };
    assert_eq!(values.len(), data.pre.len());
    assert_eq!(
        (values.get(0), values.get(1), values.get(3)),
        (Some(1), Some(2), Some(3))
    );
    let table_7 = analysis.tables.iter().find(|t| t.id == "table-7").unwrap();
    for (code, label) in &tenure.labels {
        let n = (0..values.len())
            .filter(|&row| found.kept(row) && values.get(row) == Some(*code))
            .count() as u64;
        assert_eq!(count(table_7, label).map(|c| c.0), Some(n), "{label}");
    }
    let collapsed = found
        .derived
        .iter()
        .find(|d| d.id == "agree3:confidence-documenting")
        .unwrap();
    assert_eq!(
        (collapsed.derive.as_str(), collapsed.measure),
        ("agree3", Measure::Ordinal)
    );
    assert!(
        collapsed.text.starts_with("Agreement, collapsed: "),
        "{}",
        collapsed.text
    );
    let topics = found
        .sets
        .iter()
        .find(|s| s.id == "training-topic")
        .unwrap();
    assert_eq!(topics.members.len(), 22);
    assert!(
        found
            .derived
            .iter()
            .any(|d| d.id == "correct" && d.measure == Measure::Scale)
    );
    assert!(
        !found.derived.iter().any(|d| d.id == "site"),
        "the site is a record column, not a derivation of the plan"
    );
}

#[test]
fn a_response_set_of_no_records_still_lists_every_derived_variable() {
    let plan = plan();
    let data = dataset(&mixed(), &[]);
    let full = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    let none = outcomes(
        &plan,
        Data::Pre,
        &sites(),
        &data.pre_instrument,
        &Responses::default(),
    );
    let ids = |o: &skafada_analysis::records::Outcomes| {
        o.derived.iter().map(|d| d.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&none), ids(&full));
    assert!(
        none.derived
            .iter()
            .all(|d| d.column == Column::Values(Vec::new().into()))
    );
    assert!(none.exclusions.is_empty());
}

#[test]
fn filtering_the_outcomes_keeps_them_aligned_with_the_records() {
    let plan = plan();
    let data = dataset(&mixed(), &[]);
    let found = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    let keep = [false, true, true, false, false, false, true];
    let some = found.filter(&keep);
    assert_eq!(some.exclusions.len(), 3);
    assert_eq!((some.log.records, some.log.kept), (3, 1));
    let tenure = some.derived.iter().find(|d| d.id == "tenure").unwrap();
    assert_eq!(
        tenure.column,
        Column::Values(vec![2, MISSING, MISSING].into())
    );
}

#[test]
fn the_default_valid_percent_base_keeps_prefer_not_to_say_in_frequency_tables_only() {
    let plan = plan();
    assert_eq!(plan.valid_percent_base, ValidPercentBase::AllAnswers);
    let data = dataset(&mixed(), &[]);
    let analysis = analyse(&plan, &data).unwrap();
    let table_6 = analysis.tables.iter().find(|t| t.id == "table-6").unwrap();
    assert_eq!(count(table_6, "Prefer not to say"), Some((1, 33.3)));
    assert_eq!(count(table_6, "Yes"), Some((1, 33.3)));
    let found = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    // Shown in a frequency table: the published tables keep "prefer not to say".
    assert_eq!(found.left_out("disability"), &[] as &[i32]);
    assert_eq!(found.left_out("personal-experience"), &[] as &[i32]);
    // Shown only through a derived variable, in matrix tables or in tests: left out.
    assert_eq!(found.left_out("gender"), &[7]);
    assert_eq!(found.left_out("knowledge-dash"), &[9]);
    // Derived variables have no such codes.
    assert_eq!(found.left_out("gender-group"), &[] as &[i32]);
    // The post-training survey's tables are its own.
    let post = outcomes(
        &plan,
        Data::Post,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    assert_eq!(post.left_out("disability"), &[9], "no post table shows it");
}

#[test]
fn a_substantive_base_leaves_prefer_not_to_say_out_of_every_valid_percent() {
    let text = PLAN.replacen(
        "valid-percent-base = \"all-answers\"",
        "valid-percent-base = \"substantive\"",
        1,
    );
    let plan = Plan::parse(&text, "plan.toml").unwrap();
    assert_eq!(plan.valid_percent_base, ValidPercentBase::Substantive);
    let data = dataset(&mixed(), &[]);
    let analysis = analyse(&plan, &data).unwrap();
    let table_6 = analysis.tables.iter().find(|t| t.id == "table-6").unwrap();
    assert_eq!(count(table_6, "Prefer not to say"), None);
    assert_eq!(count(table_6, "Yes"), Some((1, 50.0)));
    assert_eq!(count(table_6, "Total valid responses"), Some((2, 100.0)));
    let found = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    assert_eq!(found.left_out("disability"), &[9]);
    assert_eq!(found.left_out("gender"), &[7]);

    let wrong = PLAN.replacen(
        "valid-percent-base = \"all-answers\"",
        "valid-percent-base = \"valid\"",
        1,
    );
    let error = Plan::parse(&wrong, "plan.toml").unwrap_err();
    assert!(
        error.message.contains("valid-percent-base") || error.message.contains("all-answers"),
        "{error}"
    );
}

#[test]
fn a_section_that_excludes_codes_leaves_them_out_of_the_variables_base() {
    let text = PLAN.replacen(
        "sections = [{ variable = \"disability\" }]",
        "sections = [{ variable = \"disability\", exclude = [9] }]",
        1,
    );
    let plan = Plan::parse(&text, "plan.toml").unwrap();
    let data = dataset(&mixed(), &[]);
    let found = outcomes(
        &plan,
        Data::Pre,
        &data.sites,
        &data.pre_instrument,
        &data.pre,
    );
    assert_eq!(found.left_out("disability"), &[9]);
}
