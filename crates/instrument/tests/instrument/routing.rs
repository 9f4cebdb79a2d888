//! The routing rules: show-if, end-if and what counts as applicable.

use skafada_instrument::{Answer, Answers};

use super::mini_pre;

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[test]
fn before_any_answer_the_follow_up_questions_are_not_shown() {
    let pre = mini_pre();
    let route = pre.route(&Answers::new());
    assert!(route.shows("works-for-la"));
    assert!(!route.shows("employer"));
    assert!(!route.shows("la-service"));
    assert!(route.shows("confidence"));
}

#[test]
fn a_local_authority_employee_is_asked_which_service_not_who_employs_them() {
    let pre = mini_pre();
    let route = pre.route(&answers(&[("works-for-la", Answer::Choice(1))]));
    assert!(route.shows("la-service"));
    assert!(!route.shows("employer"));
}

#[test]
fn someone_outside_a_local_authority_is_asked_who_employs_them() {
    let pre = mini_pre();
    let route = pre.route(&answers(&[("works-for-la", Answer::Choice(2))]));
    assert!(route.shows("employer"));
    assert!(!route.shows("la-service"));
}

#[test]
fn an_ending_answer_closes_the_survey_and_nothing_after_it_applies() {
    let pre = mini_pre();
    let given = answers(&[
        ("works-for-la", Answer::Choice(2)),
        ("employer", Answer::Choice(1)),
    ]);
    let route = pre.route(&given);
    let (item, rule) = route.ended_by.expect("the survey ends");
    assert_eq!(item.id, "employer");
    assert!(rule.message.contains("Thank you"));
    assert!(!route.shows("confidence"));
    assert_eq!(pre.next_page("work", &given), None);
    assert!(
        !route
            .applicable_variables(&given)
            .contains(&"confidence-referrals")
    );
}

#[test]
fn answers_to_hidden_items_are_ignored() {
    let pre = mini_pre();
    // The respondent said "No", chose the ending employer, then went back and said "Yes".
    let given = answers(&[
        ("works-for-la", Answer::Choice(1)),
        ("employer", Answer::Choice(1)),
    ]);
    let route = pre.route(&given);
    assert!(route.ended_by.is_none());
    assert!(route.shows("confidence"));
}

#[test]
fn the_next_page_follows_the_route() {
    let pre = mini_pre();
    let none = Answers::new();
    assert_eq!(
        pre.first_page(&none).map(|p| p.id.as_str()),
        Some("consent")
    );
    assert_eq!(
        pre.next_page("consent", &none).map(|p| p.id.as_str()),
        Some("work")
    );
    assert_eq!(
        pre.next_page("work", &none).map(|p| p.id.as_str()),
        Some("views")
    );
    assert_eq!(pre.next_page("views", &none), None);
}

#[test]
fn a_follow_up_is_applicable_only_when_its_trigger_is_chosen() {
    let pre = mini_pre();
    let other = answers(&[
        ("works-for-la", Answer::Choice(2)),
        ("employer", Answer::Choice(2)),
    ]);
    assert!(
        pre.route(&other)
            .applicable_variables(&other)
            .contains(&"employer-other")
    );
    let not_other = answers(&[("works-for-la", Answer::Choice(2))]);
    assert!(
        !pre.route(&not_other)
            .applicable_variables(&not_other)
            .contains(&"employer-other")
    );
}

#[test]
fn matrix_rows_count_as_separate_applicable_questions_and_consent_does_not() {
    let pre = mini_pre();
    let none = Answers::new();
    let variables = pre.route(&none).applicable_variables(&none);
    assert_eq!(
        variables,
        vec![
            "works-for-la",
            "confidence-referrals",
            "confidence-recording"
        ]
    );
}

#[test]
fn a_multiple_choice_condition_holds_when_any_listed_code_is_ticked() {
    let ticked = Answer::Choices([1, 4].into_iter().collect());
    assert!(ticked.picks_any(&[4, 5]));
    assert!(!ticked.picks_any(&[2, 3]));
    assert!(!Answer::Text("1".into()).picks_any(&[1]));
}
