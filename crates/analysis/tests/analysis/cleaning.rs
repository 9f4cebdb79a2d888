//! The study's cleaning rule and its log.

use skafada_analysis::clean::{Reason, answered_shares, clean};
use skafada_analysis::data::Status;
use skafada_analysis::plan::CleaningRules;

use super::{Respondent, dataset, pre_instrument};

fn excluded(log: &skafada_analysis::clean::CleaningLog, reason: Reason) -> usize {
    log.excluded
        .iter()
        .find(|e| e.reason == reason)
        .map_or(0, |e| e.count)
}

#[test]
fn a_complete_response_answers_every_applicable_question() {
    let instrument = pre_instrument();
    let data = dataset(&[Respondent::complete("a", &instrument)], &[]);
    assert_eq!(answered_shares(&data.pre_instrument, &data.pre), vec![1.0]);
}

#[test]
fn questions_skipped_by_routing_do_not_count_against_a_respondent() {
    let instrument = pre_instrument();
    // A non-case holder is not asked how many cases they hold; leaving it blank is not a gap.
    let respondent = Respondent::complete("a", &instrument)
        .set("holds-cases", 2)
        .clear("cases-held")
        .set("families-worked-with", 20);
    let data = dataset(&[respondent], &[]);
    assert_eq!(answered_shares(&data.pre_instrument, &data.pre), vec![1.0]);
}

#[test]
fn the_cleaning_log_counts_each_excluded_record_once_under_its_reason() {
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
    // Answers only the first pages: well under half of the applicable questions.
    let mut partial = full("partial");
    partial.values.retain(|k, _| {
        [
            "consent",
            "gender",
            "age",
            "ethnicity",
            "disability",
            "start-year",
        ]
        .iter()
        .any(|p| k.starts_with(p))
    });
    let records = vec![
        full("a"),
        full("b"),
        full("c"),
        empty,
        returning,
        ended,
        partial,
    ];
    let data = dataset(&records, &[]);
    let (keep, log) = clean(&data.pre_instrument, &data.pre, &CleaningRules::default());
    assert_eq!(keep, vec![true, true, true, false, false, false, false]);
    assert_eq!((log.records, log.kept), (7, 3));
    assert_eq!(excluded(&log, Reason::Empty), 1);
    assert_eq!(excluded(&log, Reason::Returning), 1);
    assert_eq!(excluded(&log, Reason::Ended), 1);
    assert_eq!(excluded(&log, Reason::BelowMinimum), 1);
}

#[test]
fn the_minimum_share_is_taken_from_the_plan() {
    let instrument = pre_instrument();
    let mut half = Respondent::complete("half", &instrument);
    // Remove the knowledge and enquiry batteries: about 53 of roughly 120 applicable answers.
    half.values
        .retain(|k, _| !k.starts_with("knowledge") && !k.starts_with("enquiry"));
    let data = dataset(&[half], &[]);
    let share = answered_shares(&data.pre_instrument, &data.pre)[0];
    assert!(share > 0.4 && share < 0.7, "{share}");
    let strict = CleaningRules {
        minimum_answered: 0.9,
        ..CleaningRules::default()
    };
    let lenient = CleaningRules {
        minimum_answered: 0.3,
        ..CleaningRules::default()
    };
    assert_eq!(
        clean(&data.pre_instrument, &data.pre, &strict).0,
        vec![false]
    );
    assert_eq!(
        clean(&data.pre_instrument, &data.pre, &lenient).0,
        vec![true]
    );
}
