//! Site links, consent, resume codes and where the journey continues.

use skafada_store::Phase;

use crate::helpers::TestApp;
use crate::on_both;

async fn start_page_shows_purpose_time_anonymity_warning_and_support_services(app: &TestApp) {
    let page = app.get(&format!("/s/{}", app.token)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Local authority 01"));
    assert!(page.body.contains("Time needed"));
    assert!(page.body.contains("Who sees your answers"));
    assert!(
        page.body
            .contains("Local authority 01 never sees your answers")
            && page.body.contains("no group of fewer than 5 people"),
        "the site's view, at the study's threshold"
    );
    assert!(page.body.contains("govuk-warning-text"));
    assert!(
        page.body.contains("0808 2000 247"),
        "national helpline on every page"
    );
    assert!(
        page.body.contains("Test local helpline"),
        "the site's own services"
    );
    assert!(page.body.contains("govuk-exit-this-page"));
    assert!(
        !page.title().to_lowercase().contains("abuse"),
        "neutral title: {}",
        page.title()
    );
}
on_both!(start_page_shows_purpose_time_anonymity_warning_and_support_services);

async fn unknown_link_gets_a_clear_page_not_an_error(app: &TestApp) {
    let page = app.get("/s/not-a-real-token").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.h1(), "Page not found");
    let posted = app.post("/s/not-a-real-token", &[]).await;
    assert_eq!(posted.status, 404);
}
on_both!(unknown_link_gets_a_clear_page_not_an_error);

async fn closed_study_link_gets_a_closed_page(app: &TestApp) {
    let page = app.get(&format!("/s/{}", app.closed_token)).await;
    assert_eq!(page.status, 410);
    assert_eq!(page.h1(), "This survey is closed");
}
on_both!(closed_study_link_gets_a_closed_page);

async fn consent_page_shows_error_summary_when_a_statement_is_not_agreed(app: &TestApp) {
    app.post(&format!("/s/{}", app.token), &[]).await;
    let page = app.get("/consent").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("govuk-checkboxes__input").count(), 6);
    assert!(
        page.body
            .contains("Local authority 01 never sees your answers"),
        "consent says who sees what, in the start page's words"
    );
    let page = app.post("/consent", &[("consent-take-part", "1")]).await;
    assert_eq!(page.status, 200);
    assert!(page.title().starts_with("Error: "));
    assert!(page.body.contains("There is a problem"));
    assert!(page.body.contains("href=\"#consent-information-sheet\""));
    assert!(page.body.contains("Select all 6 statements to take part"));
    assert!(page.body.contains(
        "id=\"consent-take-part\" name=\"consent-take-part\" type=\"checkbox\" value=\"1\" checked"
    ));
    let summaries = app.store.study_responses(&app.study_id).await.unwrap();
    assert!(summaries.is_empty(), "no response before consent");
}
on_both!(consent_page_shows_error_summary_when_a_statement_is_not_agreed);

async fn consent_creates_one_respondent_with_a_resume_code_even_when_posted_twice(app: &TestApp) {
    let code = app.consent().await;
    assert_eq!(code.len(), 24);
    let again = app.post("/consent", &[("consent-take-part", "1")]).await;
    assert_eq!(again.status, 303);
    let start_again = app.post(&format!("/s/{}", app.token), &[]).await;
    assert_eq!(start_again.location(), "/continue");
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].phase, Phase::Pre);
    assert_eq!(responses[0].answer_count, 6, "the six consent statements");
    assert_eq!(app.current().await, "/survey/pre/page/about-you");
}
on_both!(consent_creates_one_respondent_with_a_resume_code_even_when_posted_twice);

async fn resume_code_brings_back_the_same_response_and_marks_the_return(app: &TestApp) {
    let code = app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    let before = app.current().await;
    app.forget_cookie();
    assert_eq!(app.get("/continue").await.status, 403);
    let resumed = app.post("/resume", &[("code", &code.to_lowercase())]).await;
    assert_eq!(resumed.location(), "/continue");
    assert_eq!(app.current().await, before);
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 1, "no duplicate response");
    assert_eq!(responses[0].returned, 1);
}
on_both!(resume_code_brings_back_the_same_response_and_marks_the_return);

async fn resume_page_shows_errors_for_missing_malformed_and_unknown_codes(app: &TestApp) {
    assert_eq!(app.get("/resume").await.status, 200);
    let empty = app.post("/resume", &[("code", "")]).await;
    assert!(empty.title().starts_with("Error: "));
    assert!(empty.body.contains("Enter your resume code"));
    let malformed = app.post("/resume", &[("code", "abc")]).await;
    assert!(malformed.body.contains("exactly as it was shown"));
    let unknown = app
        .post("/resume", &[("code", "ABCD-EFGH-JKLM-NPQR-STUV")])
        .await;
    assert!(unknown.body.contains("No survey has that resume code"));
    assert!(unknown.body.contains("value=\"ABCD-EFGH-JKLM-NPQR-STUV\""));
}
on_both!(resume_page_shows_errors_for_missing_malformed_and_unknown_codes);

async fn save_page_gives_a_new_code_that_replaces_the_old_one(app: &TestApp) {
    let old = app.consent().await;
    assert_eq!(app.get("/save").await.status, 200);
    let new = app.post("/save", &[]).await.resume_code();
    assert_ne!(old, new);
    app.forget_cookie();
    let with_old = app.post("/resume", &[("code", &old)]).await;
    assert_eq!(with_old.status, 200, "the old code no longer works");
    let with_new = app.post("/resume", &[("code", &new)]).await;
    assert_eq!(with_new.status, 303);
}
on_both!(save_page_gives_a_new_code_that_replaces_the_old_one);

async fn home_and_accessibility_pages_are_served(app: &TestApp) {
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("/resume"));
    let statement = app.get("/accessibility").await;
    assert_eq!(statement.status, 200);
    assert_eq!(statement.h1(), "Accessibility statement");
    assert_eq!(app.get("/no-such-page").await.status, 404);
}
on_both!(home_and_accessibility_pages_are_served);

/// The answers a respondent gives on a survey page: the first (or last) option of each
/// radio group and checkbox list, 2010 for a year and 12 for a number.
fn first_answers(body: &str, last: bool) -> Vec<(String, String)> {
    let mut answers: Vec<(String, String)> = Vec::new();
    for input in body.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or_default();
        let attribute = |name: &str| {
            let marker = format!(" {name}=\"");
            let start = tag.find(&marker)? + marker.len();
            Some(tag[start..].split('"').next()?.to_owned())
        };
        let (Some(kind), Some(name)) = (attribute("type"), attribute("name")) else {
            continue;
        };
        let seen = answers.iter().position(|(n, _)| *n == name);
        if let Some(at) = seen {
            if last
                && matches!(kind.as_str(), "radio" | "checkbox")
                && let Some(value) = attribute("value")
            {
                answers[at].1 = value;
            }
            continue;
        }
        let value = match kind.as_str() {
            "radio" | "checkbox" => attribute("value"),
            "text" if tag.contains("govuk-input--width-4") => Some("2010".to_owned()),
            "text" if tag.contains("govuk-input--width-5") => Some("12".to_owned()),
            _ => None,
        };
        if let Some(value) = value {
            answers.push((name, value));
        }
    }
    answers
}

/// Answers the survey pages `pages` times, or until check your answers.
async fn answer_pages(app: &TestApp, pages: usize, last: bool) {
    for _ in 0..pages {
        let path = app.current().await;
        if path.ends_with("/check-answers") {
            return;
        }
        let page = app.get(&path).await;
        let answers = first_answers(&page.body, last);
        let form: Vec<(&str, &str)> = answers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let saved = app.post(&path, &form).await;
        assert_eq!(saved.status, 303, "{path}: {}", saved.body);
    }
}

async fn a_respondent_who_resumes_half_way_is_kept_counted_and_paired(app: &TestApp) {
    crate::admin::accounts(app).await;
    let code = app.consent().await;
    answer_pages(app, 2, false).await;
    // A fresh browser: the journey cookie is gone and the resume code brings it back.
    app.forget_cookie();
    let resumed = app.post("/resume", &[("code", &code)]).await;
    assert_eq!(resumed.location(), "/continue");
    answer_pages(app, 60, false).await;
    let done = app.post("/survey/pre/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/pre/done");
    app.finish_training().await;
    // Other answers afterwards, so that each statement has something to compare.
    answer_pages(app, 60, true).await;
    assert!(app.current().await.ends_with("/survey/post/check-answers"));
    let done = app.post("/survey/post/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/post/done");
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(
        responses.len(),
        2,
        "one pre-training and one post-training response"
    );

    let admin = crate::admin::signed_in(app, "global@example.org").await;
    let report = admin
        .get(&format!(
            "/admin/studies/{}/report?format=html",
            app.study_id
        ))
        .await;
    assert_eq!(report.status, 200);
    for kept in [
        "1 valid response to the pre-training survey was analysed, of 1 record received.",
        "1 valid response to the post-training survey was analysed, of 1 record received.",
        "Up to 1 respondent answered both surveys and is linked",
    ] {
        assert!(report.body.contains(kept), "{kept}");
    }
    let dashboard = admin
        .get(&format!(
            "/admin/studies/{}/sites/LA01/dashboard",
            app.study_id
        ))
        .await;
    assert_eq!(dashboard.status, 200);
    assert!(
        !dashboard.body.contains("no responses") && dashboard.body.contains("LA01"),
        "{}",
        dashboard.body
    );
}
on_both!(a_respondent_who_resumes_half_way_is_kept_counted_and_paired);

async fn a_typed_answer_that_looks_like_codes_comes_back_whole_on_its_page_and_on_check_your_answers(
    app: &TestApp,
) {
    const TYPED: &str = "1,2";
    const WITH_COMMAS: &str = "Support worker, Team 4, 家庭";
    app.consent().await;
    let answers = [
        ("works-for-la", "1"),
        ("la-service", "12"),
        ("la-service-specify", WITH_COMMAS),
        ("job-title", TYPED),
    ];
    let mut job_title_page = None;
    for _ in 0..60 {
        let path = app.current().await;
        if path.ends_with("/check-answers") {
            break;
        }
        let page = app.get(&path).await;
        let form: Vec<(&str, &str)> = answers
            .iter()
            .filter(|(name, _)| page.body.contains(&format!("name=\"{name}\"")))
            .copied()
            .collect();
        if page.body.contains("name=\"job-title\"") {
            job_title_page = Some(path.clone());
        }
        let saved = app.post(&path, &form).await;
        assert_eq!(saved.status, 303, "{path}: {}", saved.body);
    }
    let path = job_title_page.expect("the job title was asked");
    let again = app.get(&path).await;
    // Shown whole: a text is never split into codes however it reads.
    assert!(
        again.body.contains(&format!("value=\"{TYPED}\"")),
        "{}",
        again.body
    );
    let check = app.get("/survey/pre/check-answers").await;
    assert!(check.body.contains(TYPED));
    assert!(check.body.contains(WITH_COMMAS), "{}", check.body);
    // Saving the page again unchanged keeps the whole text.
    app.post(&path, &[("job-title", TYPED)]).await;
    let response = app.store.study_answers(&app.study_id).await.unwrap();
    assert!(
        response
            .iter()
            .any(|a| a.variable == "job-title" && a.value == TYPED),
        "stored whole"
    );
}
on_both!(
    a_typed_answer_that_looks_like_codes_comes_back_whole_on_its_page_and_on_check_your_answers
);
