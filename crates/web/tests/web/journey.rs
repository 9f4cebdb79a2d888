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
