//! Training, the post-training survey, the certificate and its verification.

use skafada_store::{Phase, Status};

use crate::helpers::TestApp;
use crate::on_both;

async fn training_is_reached_only_after_the_pre_training_survey(app: &TestApp) {
    app.consent().await;
    let early = app.get("/training").await;
    assert_eq!(early.location(), "/survey/pre/page/about-you");
    assert_eq!(app.get("/certificate").await.status, 303);
}
on_both!(training_is_reached_only_after_the_pre_training_survey);

async fn knowledge_checks_get_server_side_feedback_and_must_be_answered(app: &TestApp) {
    app.consent().await;
    app.finish_pre().await;
    let contents = app.get("/training").await;
    assert!(contents.body.contains("You have completed 0 of 2 sections"));
    assert!(contents.body.contains("href=\"/training/first\""));
    let early = app.post("/training/first", &[]).await;
    assert_eq!(early.status, 200);
    assert!(early.title().starts_with("Error: "));
    assert!(early.body.contains("Answer the question"));
    let empty = app.post("/training/first/check/0", &[]).await;
    assert!(empty.body.contains("Select an answer"));
    let wrong = app
        .post("/training/first/check/0", &[("answer", "1")])
        .await;
    assert_eq!(wrong.status, 303);
    let page = app.get("/training/first").await;
    assert!(page.body.contains("Not quite."));
    assert!(page.body.contains("It is the first of two."));
    app.post("/training/first/check/0", &[("answer", "0")])
        .await;
    assert!(app.get("/training/first").await.body.contains("Correct."));
    let next = app.post("/training/first", &[]).await;
    assert_eq!(next.location(), "/training/second");
    assert!(
        app.get("/training")
            .await
            .body
            .contains("You have completed 1 of 2 sections")
    );
    assert_eq!(app.current().await, "/training", "resumes at the contents");
    assert_eq!(app.get("/training/nope").await.status, 404);
    assert_eq!(
        app.post("/training/first/check/9", &[("answer", "0")])
            .await
            .status,
        404
    );
}
on_both!(knowledge_checks_get_server_side_feedback_and_must_be_answered);

async fn whole_journey_links_pre_and_post_and_gives_a_verifiable_certificate(app: &TestApp) {
    app.consent().await;
    app.finish_pre().await;
    app.finish_training().await;
    let post_start = app.current().await;
    assert!(post_start.starts_with("/survey/post/page/"), "{post_start}");
    app.walk_to_check(&[]).await;
    assert_eq!(app.get("/survey/post/check-answers").await.status, 200);
    let done = app.post("/survey/post/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/post/done");
    assert_eq!(app.current().await, "/certificate");
    let page = app.get("/certificate").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("A test module"));
    assert!(page.body.contains("20 minutes"));
    let code_start = page.body.find("id=\"verification-code\">").unwrap() + 23;
    let code = page.body[code_start..code_start + 17].to_owned();
    let missing = app.post("/certificate", &[("name", " ")]).await;
    assert!(
        missing
            .body
            .contains("Enter the name to print on your certificate")
    );
    let pdf = app.post("/certificate", &[("name", "Sam Example")]).await;
    assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-1.4"));
    assert!(pdf.body.contains("(Sam Example) Tj"));
    assert!(pdf.body.contains(&code));

    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 2);
    assert_eq!(
        responses[0].respondent_id, responses[1].respondent_id,
        "pre and post are paired"
    );
    assert!(responses.iter().all(|r| r.status == Status::Submitted));
    assert!(responses.iter().any(|r| r.phase == Phase::Post));

    app.forget_cookie();
    let verified = app
        .get(&format!("/verify?code={}", code.to_lowercase()))
        .await;
    assert!(verified.body.contains("This certificate is genuine"));
    assert!(verified.body.contains("A test module"));
    assert!(
        !verified.body.contains("Sam Example"),
        "the name is never stored"
    );
}
on_both!(whole_journey_links_pre_and_post_and_gives_a_verifiable_certificate);

async fn verify_page_explains_missing_and_unknown_codes(app: &TestApp) {
    let form = app.get("/verify").await;
    assert_eq!(form.status, 200);
    assert_eq!(
        app.get("/verify?code=").await.title(),
        "Error: Check a certificate – Workforce learning"
    );
    let unknown = app.get("/verify?code=ABCDE-FGHJK-LMNPQ").await;
    assert!(unknown.body.contains("No certificate has that code"));
}
on_both!(verify_page_explains_missing_and_unknown_codes);
