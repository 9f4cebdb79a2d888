//! Derived variables: recodes, bands, rules, text coding and answer keys.

use skafada_analysis::data::MISSING;

use super::{Respondent, dataset, plan, pre_instrument};

fn derived(respondents: &[Respondent], variable: &str) -> Vec<i32> {
    let data = dataset(respondents, &[]);
    let mut responses = data.pre.clone();
    let mut book = skafada_analysis::codebook::Codebook::from_instrument(&data.pre_instrument);
    skafada_analysis::derive::apply(&plan().derive, &mut responses, &mut book);
    responses
        .values(variable)
        .unwrap_or_else(|| panic!("no {variable}"))
        .to_vec()
}

#[test]
fn tenure_bands_count_years_from_the_start_year_to_2023() {
    let instrument = pre_instrument();
    let at = |year| Respondent::complete("r", &instrument).set("start-year", year);
    let bands = derived(
        &[at(2018), at(2017), at(2013), at(2012), at(1990)],
        "tenure",
    );
    assert_eq!(bands, vec![1, 2, 2, 3, 3]);
}

#[test]
fn other_service_areas_are_recoded_from_their_text() {
    let instrument = pre_instrument();
    let other = |text: &str| {
        Respondent::complete("r", &instrument)
            .set("la-service", 12)
            .text("la-service-specify", text)
    };
    let codes = derived(
        &[
            other("Disabled Children's Team"),
            other("Domestic Abuse Service"),
            other("Refugee family support"),
            Respondent::complete("r", &instrument).set("la-service", 6),
        ],
        "service-area",
    );
    assert_eq!(codes, vec![9, 10, 11, 1]);
}

#[test]
fn child_age_groups_combine_the_three_yes_no_questions() {
    let instrument = pre_instrument();
    let ages = |u5, m, o11| {
        Respondent::complete("r", &instrument)
            .set("ages-under-5", u5)
            .set("ages-5-11", m)
            .set("ages-over-11", o11)
    };
    let codes = derived(
        &[
            ages(1, 2, 2),
            ages(2, 1, 2),
            ages(1, 1, 2),
            ages(2, 2, 1),
            ages(1, 1, 1),
            ages(1, 2, 1),
        ],
        "child-ages",
    );
    assert_eq!(codes, vec![1, 2, 3, 4, 5, 6]);
    let none = Respondent::complete("r", &instrument)
        .clear("ages-under-5")
        .clear("ages-5-11")
        .clear("ages-over-11");
    assert_eq!(derived(&[none], "child-ages"), vec![MISSING]);
}

#[test]
fn free_text_training_names_are_coded_into_every_category_they_mention() {
    let instrument = pre_instrument();
    let named = Respondent::complete("r", &instrument).text(
        "training-names",
        "Freedom Programme and DASH risk assessment",
    );
    let unnamed = Respondent::complete("s", &instrument).clear("training-names");
    let respondents = [named, unnamed];
    assert_eq!(derived(&respondents, "training-topic.2"), vec![1, MISSING]);
    assert_eq!(derived(&respondents, "training-topic.5"), vec![1, MISSING]);
    assert_eq!(derived(&respondents, "training-topic.8"), vec![0, MISSING]);
}

#[test]
fn collapsed_scales_leave_not_applicable_missing() {
    let instrument = pre_instrument();
    let r = |code| Respondent::complete("r", &instrument).set("knowledge-dash", code);
    assert_eq!(
        derived(
            &[r(1), r(2), r(3), r(4), r(5), r(9)],
            "know3:knowledge-dash"
        ),
        vec![1, 1, 2, 3, 3, MISSING]
    );
}

#[test]
fn the_answer_key_marks_each_statement_and_scores_complete_sets() {
    let instrument = pre_instrument();
    // The builder answers every statement "True" (1); six of the eleven keys are "False".
    let all_true = Respondent::complete("r", &instrument);
    let gap = Respondent::complete("s", &instrument).clear("attitude-alcohol");
    assert_eq!(
        derived(&[all_true, gap], "correct:attitude-alcohol"),
        vec![0, MISSING]
    );
    let all_true = Respondent::complete("r", &instrument);
    let gap = Respondent::complete("s", &instrument).clear("attitude-alcohol");
    assert_eq!(derived(&[all_true, gap], "correct"), vec![4, MISSING]);
}
