//! The optional linking code page after consent: it stores only the keyed hashes of the
//! normalised code, continues unlinked when too few answers are known, and can be skipped.

use skafada_store::{Phase, RespondentId};
use skafada_waves::Secret;
use skafada_waves::sgic::{Answer, SgicHashes, SgicSpec};

use crate::helpers::TestApp;
use crate::on_both;

const WAVES: &str = include_str!("../../../../waves/skafada.toml");

/// The only respondent of the test study.
async fn respondent(app: &TestApp) -> RespondentId {
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 1);
    responses[0].respondent_id.clone()
}

async fn after_consent_a_respondent_can_make_a_code_of_which_only_keyed_hashes_are_kept(
    app: &TestApp,
) {
    app.consent().await;
    let code_page = app.get("/link-code").await;
    assert_eq!(code_page.status, 200, "{}", code_page.body);
    assert_eq!(code_page.h1(), "Make a code to link your answers later");
    assert!(code_page.body.contains("in about 3 months"));
    assert!(
        code_page
            .body
            .contains("Your answers to these questions are not stored")
    );
    assert!(
        code_page
            .body
            .contains("href=\"/continue\">Skip making a code</a>")
    );
    for id in ["mother-name", "birth-month", "birth-town", "house-number"] {
        assert!(
            code_page.body.contains(&format!("for=\"link-{id}\"")),
            "{id}"
        );
        assert!(
            code_page
                .body
                .contains(&format!("id=\"link-{id}\" name=\"{id}\"")),
            "{id}"
        );
        assert!(
            code_page
                .body
                .contains(&format!("for=\"link-{id}-dont-know\"")),
            "{id}"
        );
    }

    let made = app
        .post(
            "/link-code",
            &[
                ("mother-name", "Margaret"),
                ("birth-month", "March"),
                ("birth-town", "York"),
                ("house-number", "147"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location(), "/continue");
    assert!(app.current().await.starts_with("/survey/pre/page/"));

    // What is stored is the hash of the normalised code under the study's own key, and
    // nothing of the answers.
    let id = respondent(app).await;
    let stored = app.store.link_code(&id, Phase::Pre).await.unwrap().unwrap();
    let spec = SgicSpec::parse(WAVES).unwrap();
    let key = app.store.linking_key(&app.study_id).await.unwrap();
    let secret = Secret::from_bytes(key.to_bytes()).unwrap();
    let same = spec
        .code(&[
            Answer::Text(" ma ".to_owned()),
            Answer::Text("3".to_owned()),
            Answer::Text("y".to_owned()),
            Answer::Text("7".to_owned()),
        ])
        .unwrap();
    assert_eq!(SgicHashes::decode(&stored), Ok(spec.hashes(&same, &secret)));
    assert_eq!(stored.len(), 64, "one hash under the exact rule");
    assert!(stored.bytes().all(|b| b.is_ascii_hexdigit()));
    let answers = app
        .store
        .answers(
            &app.store
                .response(&id, Phase::Pre)
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert!(
        answers
            .keys()
            .all(|variable| !variable.starts_with("mother"))
    );
    assert!(
        !answers
            .values()
            .any(|value| value.contains("Margaret") || value == "York")
    );
}
on_both!(after_consent_a_respondent_can_make_a_code_of_which_only_keyed_hashes_are_kept);

async fn a_code_with_too_few_known_answers_is_not_made_and_the_respondent_continues_unlinked(
    app: &TestApp,
) {
    app.consent().await;
    let refused = app
        .post(
            "/link-code",
            &[
                ("mother-name", "Margaret"),
                ("birth-month-dont-know", "1"),
                ("birth-town", "don't know"),
                ("house-number-dont-know", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert_eq!(refused.h1(), "We could not make a code");
    assert!(refused.body.contains("at least 3 answers"));
    assert!(refused.body.contains("href=\"/continue\""));
    let id = respondent(app).await;
    assert_eq!(app.store.link_code(&id, Phase::Pre).await.unwrap(), None);
    assert!(app.current().await.starts_with("/survey/pre/page/"));
}
on_both!(a_code_with_too_few_known_answers_is_not_made_and_the_respondent_continues_unlinked);

async fn the_code_page_follows_the_resume_code_and_once_the_survey_is_submitted_is_gone(
    app: &TestApp,
) {
    let code = app.consent_page_at(&app.token).await;
    assert!(code.body.contains("href=\"/link-code\""), "{}", code.body);
    // Skipped: nothing is stored, and after the survey the page sends them on.
    app.finish_pre().await;
    let id = respondent(app).await;
    assert_eq!(app.store.link_code(&id, Phase::Pre).await.unwrap(), None);
    let gone = app.get("/link-code").await;
    assert_eq!(gone.status, 303);
    assert_eq!(gone.location(), app.current().await);
}
on_both!(the_code_page_follows_the_resume_code_and_once_the_survey_is_submitted_is_gone);

async fn a_blank_or_unusable_answer_shows_the_page_again_with_the_answers_as_typed(app: &TestApp) {
    app.consent().await;
    let again = app
        .post(
            "/link-code",
            &[
                ("mother-name", "12"),
                ("birth-month", "Smarch"),
                ("birth-town", "York"),
                ("house-number", ""),
            ],
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.title().starts_with("Error: "), "{}", again.title());
    assert!(again.body.contains("There is a problem"));
    for (href, message) in [
        (
            "#link-mother-name",
            "The first two letters of your mother&#39;s first name must include a letter",
        ),
        (
            "#link-birth-month",
            "Enter the month you were born as a number from 1 to 12 or its name",
        ),
        (
            "#link-house-number",
            "Enter the last digit of your house number or select ‘I don’t know’",
        ),
    ] {
        assert!(
            again
                .body
                .contains(&format!("<a href=\"{href}\">{message}</a>")),
            "{message}: {}",
            again.body
        );
    }
    assert!(again.body.contains("value=\"Smarch\""));
    assert!(again.body.contains("value=\"York\""));
    let id = respondent(app).await;
    assert_eq!(app.store.link_code(&id, Phase::Pre).await.unwrap(), None);
}
on_both!(a_blank_or_unusable_answer_shows_the_page_again_with_the_answers_as_typed);
