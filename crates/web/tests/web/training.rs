//! Training, the post-training survey, the certificate and its verification.

use std::process::Command;

use skafada_report::{CertificateDetails, CertificateMonth, CertificateName};
use skafada_store::{Phase, Status};

use crate::helpers::{Download, Page, TestApp};
use crate::on_both;

/// The month a verification page shows ("Completed"), e.g. "December 2026".
pub(crate) fn verified_month(verified: &Page) -> String {
    let key = "Completed</dt><dd class=\"govuk-summary-list__value\">";
    let start = verified.body.find(key).expect("a month completed") + key.len();
    let end = verified.body[start..].find('<').unwrap() + start;
    verified.body[start..end].to_owned()
}

/// The month and year of "December 2026".
fn month(text: &str) -> CertificateMonth {
    let (_, year) = text.split_once(' ').unwrap();
    (1..=12)
        .filter_map(|m| CertificateMonth::new(year.parse().unwrap(), m))
        .find(|m| m.to_string() == text)
        .unwrap_or_else(|| panic!("not a month and year: {text:?}"))
}

/// The verification code of a downloaded certificate, from the file's name.
pub(crate) fn downloaded_code(pdf: &Download) -> String {
    let disposition = pdf
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    let start = disposition
        .find("cpd-certificate-")
        .expect("the code in the name")
        + 16;
    disposition[start..start + 17].to_owned()
}

/// The certificate the fixture module gives `name` with this code, dated as the
/// verification page says.
fn expected_certificate(app: &TestApp, name: &str, code: &str, verified: &Page) -> Vec<u8> {
    skafada_report::certificate_pdf(&CertificateDetails {
        name: CertificateName::parse(name).unwrap(),
        module_title: "A test module".to_owned(),
        completed: month(&verified_month(verified)),
        learning_minutes: 20,
        code: code.to_owned(),
        verify_url: format!("{}/verify", app.address),
    })
    .unwrap()
}

/// The text of a PDF as poppler's pdftotext reads it, with runs of whitespace as single
/// spaces; `None` (a skip) unless `SKAFADA_TEST_EXTERNAL` is set, as `scripts/test-all`
/// does (which installs poppler-utils), when a missing tool fails the test.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    if std::env::var_os("SKAFADA_TEST_EXTERNAL").is_none() {
        eprintln!("skipped pdftotext: set SKAFADA_TEST_EXTERNAL=1 (scripts/test-all does)");
        return None;
    }
    let path = std::env::temp_dir().join(format!(
        "skafada-web-certificate-{}.pdf",
        skafada_store::random_token().unwrap()
    ));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, which scripts/test-all installs)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "pdftotext failed");
    let text = String::from_utf8(output.stdout).unwrap();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Takes a respondent through the surveys and the training to the certificate page.
pub(crate) async fn reach_certificate(app: &TestApp) {
    app.consent().await;
    app.finish_pre().await;
    app.finish_training().await;
    app.walk_to_check(&[]).await;
    let done = app.post("/survey/post/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/post/done");
    let page = app.get("/certificate").await;
    assert_eq!(page.status, 200);
}

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
    // Every id on the page is unique, every answer has its own label, and the error
    // summary links to the first answer, which the error message describes.
    let ids: Vec<&str> = empty
        .body
        .split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    for input in empty.body.split("<input ").skip(1) {
        if input.contains("type=\"radio\"") || input.contains("type=\"checkbox\"") {
            let id = input
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                empty.body.contains(&format!(
                    "<label class=\"govuk-label govuk-radios__label\" for=\"{id}\">"
                )) || empty.body.contains(&format!(
                    "<label class=\"govuk-label govuk-checkboxes__label\" for=\"{id}\">"
                )),
                "{id} has no label"
            );
        }
    }
    assert!(empty.body.contains("href=\"#check-0-option-1\""));
    assert_eq!(
        empty.body.matches("check-0-error").count(),
        2,
        "the message has an id and the question's fieldset points to it"
    );
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
    assert!(
        !page
            .body
            .contains("You have downloaded your certificate before")
    );
    let missing = app.post("/certificate", &[("name", " ")]).await;
    assert!(
        missing
            .body
            .contains("Enter the name to print on your certificate")
    );
    let pdf = app
        .download("/certificate", &[("name", "Sam Example")])
        .await;
    assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let code = downloaded_code(&pdf);

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
    let today = skafada_store::today();
    assert_eq!(
        verified_month(&verified),
        CertificateMonth::parse(&today.month()).unwrap().to_string(),
        "the month and year of completion, never the day"
    );
    assert!(
        !verified.body.contains("Sam Example"),
        "the name is never stored"
    );
    assert_eq!(
        pdf.bytes,
        expected_certificate(app, "Sam Example", &code, &verified),
        "the PDF states the name, the module, the date, the learning time and the code"
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

async fn certificate_prints_polish_greek_and_cyrillic_names_as_typed(app: &TestApp) {
    reach_certificate(app).await;
    for (typed, printed) in [
        ("Łukasz Wiśniewski", "Łukasz Wiśniewski"),
        ("Αλέξανδρος Παπαδόπουλος", "Αλέξανδρος Παπαδόπουλος"),
        ("  Zoë \t  Ńwachukwu ", "Zoë Ńwachukwu"),
        ("Дарья", "Дарья"),
    ] {
        let pdf = app.download("/certificate", &[("name", typed)]).await;
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-"));
        let code = downloaded_code(&pdf);
        let verified = app.get(&format!("/verify?code={code}")).await;
        assert_eq!(
            pdf.bytes,
            expected_certificate(app, printed, &code, &verified),
            "{typed:?} is printed as {printed:?}"
        );
        if let Some(text) = pdftotext(&pdf.bytes) {
            assert!(text.contains(printed), "{printed} is not in: {text}");
            assert!(text.contains(&code), "{text}");
        }
    }
}
on_both!(certificate_prints_polish_greek_and_cyrillic_names_as_typed);

async fn downloading_again_gives_a_new_code_and_every_code_stays_valid(app: &TestApp) {
    reach_certificate(app).await;
    let first = app
        .download("/certificate", &[("name", "Sam Example")])
        .await;
    let page = app.get("/certificate").await;
    assert!(
        page.body
            .contains("You have downloaded your certificate before"),
        "the page says so, from the respondent's flag"
    );
    assert!(
        page.body
            .contains("Each certificate you download has a new verification code")
    );
    let second = app
        .download("/certificate", &[("name", "Sam Example")])
        .await;
    let (a, b) = (downloaded_code(&first), downloaded_code(&second));
    assert_ne!(a, b, "a new code for each download");
    app.forget_cookie();
    for code in [&a, &b] {
        let verified = app.get(&format!("/verify?code={code}")).await;
        assert!(
            verified.body.contains("This certificate is genuine"),
            "{code}"
        );
    }
    let progress = app.store.study_progress(&app.study_id).await.unwrap();
    assert_eq!(progress.len(), 1);
    assert!(
        progress[0].certificate,
        "monitoring counts the respondent once"
    );
}
on_both!(downloading_again_gives_a_new_code_and_every_code_stays_valid);

async fn certificate_page_refuses_a_name_the_certificate_cannot_print_and_says_why(app: &TestApp) {
    reach_certificate(app).await;
    let refused = app.post("/certificate", &[("name", "李小龙")]).await;
    assert_eq!(refused.status, 200);
    assert_eq!(
        refused.headers.get("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(
        refused.title().starts_with("Error: "),
        "{}",
        refused.title()
    );
    let message = "Your name has characters the certificate cannot print (李, 小, 龙). \
                   Enter your name using letters from the Latin, Greek, Cyrillic, Hebrew or Arabic alphabets";
    assert!(
        refused
            .body
            .contains(&format!("<a href=\"#name\">{message}</a>")),
        "the error summary links to the field: {}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!(
            "<span class=\"govuk-visually-hidden\">Error:</span> {message}"
        )),
        "the same message at the field"
    );
    assert!(
        refused.body.contains("value=\"李小龙\""),
        "the name is shown again as typed"
    );

    // Arabic is printed (in the fallback typeface, right to left); Chinese is not.
    let mixed = app.post("/certificate", &[("name", "Anna 李 محمد")]).await;
    assert!(mixed.body.contains("cannot print (李)"), "{}", mixed.body);

    let long = "a".repeat(101);
    let too_long = app.post("/certificate", &[("name", long.as_str())]).await;
    assert!(too_long.title().starts_with("Error: "));
    assert!(
        too_long
            .body
            .contains("Name must be 100 characters or fewer")
    );
    let spaced = format!("  {}  ", "a".repeat(100));
    let fits = app
        .download("/certificate", &[("name", spaced.as_str())])
        .await;
    assert_eq!(fits.headers.get("content-type").unwrap(), "application/pdf");
}
on_both!(certificate_page_refuses_a_name_the_certificate_cannot_print_and_says_why);
