//! Survey pages: routing, validation, saving, check your answers and submitting.

use skafada_store::{Phase, Status};

use crate::helpers::TestApp;
use crate::on_both;

async fn answers(app: &TestApp) -> Vec<(String, String)> {
    app.store
        .study_answers(&app.study_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| !row.variable.starts_with("consent-"))
        .map(|row| (row.variable, row.value))
        .collect()
}

async fn start_year_in_the_future_is_rejected_with_the_answer_as_typed(app: &TestApp) {
    app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    let page = app
        .post(
            "/survey/pre/page/your-work",
            &[("start-year", "2999"), ("works-for-la", "1")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.title().starts_with("Error: "), "{}", page.title());
    assert!(page.body.contains("There is a problem"));
    assert!(page.body.contains("href=\"#start-year\""));
    assert!(page.body.contains("or earlier"));
    assert!(page.body.contains("id=\"start-year-error\""));
    assert!(page.body.contains("value=\"2999\""), "the answer as typed");
    assert!(
        page.body.contains(
            "id=\"works-for-la\" name=\"works-for-la\" type=\"radio\" value=\"1\" checked"
        )
    );
    assert!(
        answers(app).await.is_empty(),
        "nothing saved from an invalid page"
    );
    let words = app
        .post("/survey/pre/page/your-work", &[("start-year", "last year")])
        .await;
    assert!(
        words
            .body
            .contains("Enter the year as 4 numbers, like 2015")
    );
}
on_both!(start_year_in_the_future_is_rejected_with_the_answer_as_typed);

async fn numbers_outside_the_instruments_bounds_are_refused_on_entry(app: &TestApp) {
    app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    let early = app
        .post(
            "/survey/pre/page/your-work",
            &[("start-year", "1949"), ("works-for-la", "1")],
        )
        .await;
    assert!(early.title().starts_with("Error: "), "{}", early.title());
    assert!(early.body.contains("The year must be 1950 or later"));
    // On to the caseload page, answering only what routing needs.
    for _ in 0..10 {
        let path = app.current().await;
        if path.ends_with("/caseload") {
            break;
        }
        app.post(&path, &[("start-year", "2015"), ("works-for-la", "1")])
            .await;
    }
    assert!(app.current().await.ends_with("/caseload"));
    for (typed, message) in [
        ("-5", "Enter a number from 0 to 500"),
        ("501", "Enter a number from 0 to 500"),
        ("ten", "Enter a whole number, like 12"),
    ] {
        let page = app
            .post(
                "/survey/pre/page/caseload",
                &[("holds-cases", "1"), ("cases-held", typed)],
            )
            .await;
        assert_eq!(page.status, 200, "{typed}");
        assert!(
            page.title().starts_with("Error: "),
            "{typed}: {}",
            page.title()
        );
        assert!(page.body.contains("There is a problem"), "{typed}");
        assert!(page.body.contains("href=\"#cases-held\""), "{typed}");
        assert!(page.body.contains(message), "{typed}: {message}");
        assert!(page.body.contains("id=\"cases-held-error\""), "{typed}");
        assert!(
            page.body.contains(&format!("value=\"{typed}\"")),
            "{typed}: the answer as typed"
        );
    }
    assert!(
        !answers(app)
            .await
            .iter()
            .any(|(variable, _)| variable == "cases-held"),
        "no number outside the bounds is saved"
    );
    let saved = app
        .post(
            "/survey/pre/page/caseload",
            &[("holds-cases", "1"), ("cases-held", "500")],
        )
        .await;
    assert_eq!(saved.status, 303, "the largest number accepted");
    assert!(
        answers(app)
            .await
            .contains(&("cases-held".to_owned(), "500".to_owned()))
    );
}
on_both!(numbers_outside_the_instruments_bounds_are_refused_on_entry);

async fn routing_shows_follow_up_questions_and_closes_the_survey_by_its_end_rule(app: &TestApp) {
    app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    let page = app.get("/survey/pre/page/your-work").await;
    // The employer question follows No: it is on the page hidden, for the script to
    // reveal in place, and stays hidden without it.
    let hidden = &page.body[page
        .body
        .find("id=\"employer-follow-up\" data-reveal-item=\"works-for-la\" data-reveal-codes=\"2\" hidden>")
        .expect("the follow-up, hidden")..];
    assert!(
        hidden[..hidden.find("</div>\n").unwrap_or(hidden.len())].contains("name=\"employer\"")
    );
    let saved = app
        .post("/survey/pre/page/your-work", &[("works-for-la", "2")])
        .await;
    assert_eq!(
        saved.location(),
        "/survey/pre/page/your-work?added=employer#employer",
        "the page shows its follow-up, opening at it"
    );
    let page = app.get("/survey/pre/page/your-work?added=employer").await;
    assert!(page.body.contains("name=\"employer\""));
    let said = &page.body[page.body.find("id=\"question-added\"").expect("said")..];
    assert!(
        said.starts_with("id=\"question-added\">Your answer added a question to this page: <a class=\"govuk-link\" href=\"#employer\">"),
        "{}",
        &said[..200.min(said.len())]
    );
    assert!(
        page.body.contains("id=\"employer\""),
        "the link has a target"
    );
    let saved = app
        .post(
            "/survey/pre/page/your-work",
            &[("works-for-la", "2"), ("employer", "1")],
        )
        .await;
    assert_eq!(saved.location(), "/survey/pre/check-answers");
    // A follow-up revealed in place and left blank was seen: Continue does not stop for it.
    let again = app
        .post(
            "/survey/pre/page/your-work?change=1",
            &[
                ("works-for-la", "1"),
                ("shown-in-place", "la-service"),
                ("shown-in-place", "job-title"),
                ("shown-in-place", "work-area"),
            ],
        )
        .await;
    assert_eq!(
        again.location(),
        "/survey/pre/check-answers",
        "no stop for a seen follow-up"
    );
    app.post(
        "/survey/pre/page/your-work?change=1",
        &[("works-for-la", "2"), ("employer", "1")],
    )
    .await;
    let check = app.get("/survey/pre/check-answers").await;
    assert!(
        check
            .body
            .contains("there are no further questions for you")
    );
    assert!(
        !check.body.contains("Who you work with"),
        "nothing after the end rule"
    );
    let done = app.post("/survey/pre/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/pre/done");
    let done = app.get("/survey/pre/done").await;
    assert!(done.body.contains("no further questions"));
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses[0].status, Status::ClosedByRouting);
    assert_eq!(app.current().await, "/survey/pre/done");
}
on_both!(routing_shows_follow_up_questions_and_closes_the_survey_by_its_end_rule);

async fn changing_an_answer_removes_answers_the_route_no_longer_shows(app: &TestApp) {
    app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    app.post(
        "/survey/pre/page/your-work",
        &[("works-for-la", "1"), ("la-service", "3")],
    )
    .await;
    assert!(
        answers(app)
            .await
            .contains(&("la-service".to_owned(), "3".to_owned()))
    );
    app.post(
        "/survey/pre/page/your-work",
        &[("works-for-la", "2"), ("la-service", "3")],
    )
    .await;
    let stored = answers(app).await;
    assert!(!stored.iter().any(|(v, _)| v == "la-service"), "{stored:?}");
    assert!(stored.contains(&("works-for-la".to_owned(), "2".to_owned())));
}
on_both!(changing_an_answer_removes_answers_the_route_no_longer_shows);

async fn a_page_posted_twice_stores_its_answers_once(app: &TestApp) {
    app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    let form = [
        ("start-year", "2015"),
        ("works-for-la", "1"),
        ("la-service", "2"),
    ];
    let first = app.post("/survey/pre/page/your-work", &form).await;
    let second = app.post("/survey/pre/page/your-work", &form).await;
    assert_eq!(first.location(), second.location());
    let stored = answers(app).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
}
on_both!(a_page_posted_twice_stores_its_answers_once);

async fn pages_past_the_furthest_reached_cannot_be_opened_or_posted(app: &TestApp) {
    app.consent().await;
    let ahead = app.get("/survey/pre/page/knowledge").await;
    assert_eq!(ahead.location(), "/survey/pre/page/about-you");
    let replayed = app.post("/survey/pre/page/knowledge", &[]).await;
    assert_eq!(replayed.status, 409);
    assert!(
        replayed
            .body
            .contains("There is a problem with the form you sent")
    );
    assert_eq!(app.get("/survey/nonsense/page/x").await.status, 404);
}
on_both!(pages_past_the_furthest_reached_cannot_be_opened_or_posted);

async fn check_answers_lists_answers_with_change_links_that_return_to_it(app: &TestApp) {
    app.consent().await;
    app.walk_to_check(&[
        ("start-year", "2010"),
        ("works-for-la", "1"),
        ("la-service", "1"),
    ])
    .await;
    let check = app.get("/survey/pre/check-answers").await;
    assert_eq!(check.status, 200);
    assert!(check.body.contains("Check your answers before submitting"));
    assert!(check.body.contains("2010"));
    assert!(check.body.contains("Early Help Hub"));
    assert!(check.body.contains("Not provided"));
    assert!(
        check
            .body
            .contains("href=\"/survey/pre/page/your-work?change=1\"")
    );
    assert!(
        check
            .body
            .contains("<span class=\"govuk-visually-hidden\">")
    );
    let change = app.get("/survey/pre/page/your-work?change=1").await;
    assert!(
        change
            .body
            .contains("action=\"/survey/pre/page/your-work?change=1\"")
    );
    let saved = app
        .post(
            "/survey/pre/page/your-work?change=1",
            &[
                ("start-year", "2011"),
                ("works-for-la", "1"),
                ("la-service", "1"),
            ],
        )
        .await;
    assert_eq!(saved.location(), "/survey/pre/check-answers");
    assert!(
        app.get("/survey/pre/check-answers")
            .await
            .body
            .contains("2011")
    );
}
on_both!(check_answers_lists_answers_with_change_links_that_return_to_it);

async fn submitting_twice_keeps_one_submitted_response_and_later_posts_are_refused(app: &TestApp) {
    app.consent().await;
    app.finish_pre().await;
    let again = app.post("/survey/pre/check-answers", &[]).await;
    assert_eq!(again.location(), "/survey/pre/done");
    let late = app
        .post("/survey/pre/page/your-work", &[("start-year", "2001")])
        .await;
    assert_eq!(late.status, 409);
    assert!(late.body.contains("You have already submitted this survey"));
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, Status::Submitted);
    assert_eq!(responses[0].phase, Phase::Pre);
    let done = app.get("/survey/pre/done").await;
    assert!(done.body.contains("govuk-panel--confirmation"));
    assert_eq!(app.current().await, "/training");
}
on_both!(submitting_twice_keeps_one_submitted_response_and_later_posts_are_refused);

async fn the_surveys_own_opening_and_closing_text_frame_it_with_the_studys_closing_date(
    app: &TestApp,
) {
    app.consent().await;
    let first = app.get("/survey/pre/page/about-you").await;
    assert_eq!(first.status, 200);
    let opening = &first.body[first
        .body
        .find("id=\"survey-opening\"")
        .expect("the opening text is on the first page of questions")..];
    assert!(opening.contains("Throughout this questionnaire, we use the term domestic abuse."));
    assert!(
        first.body.contains("id=\"progress\">Page 1 of "),
        "{}",
        first.body
    );
    app.post("/survey/pre/page/about-you", &[]).await;
    let second = app.get("/survey/pre/page/your-work").await;
    assert!(second.body.contains("id=\"progress\">Page 2 of "));
    assert!(
        !second.body.contains("survey-opening"),
        "only before the first question"
    );
    app.walk_to_check(&[
        ("start-year", "2010"),
        ("works-for-la", "1"),
        ("la-service", "1"),
    ])
    .await;
    let check = app.get("/survey/pre/check-answers").await;
    let before_submit = &check.body[check.body.find("Now submit your answers").unwrap()..];
    assert!(
        before_submit.contains("Please submit this survey no later than 31 December 2099."),
        "the study's own closing date: {before_submit}"
    );
    assert!(!check.body.contains("{closes_on}"));
    assert!(
        !check.body.contains("2023"),
        "no deadline from the source survey"
    );
}
on_both!(the_surveys_own_opening_and_closing_text_frame_it_with_the_studys_closing_date);
