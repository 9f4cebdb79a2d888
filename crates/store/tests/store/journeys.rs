//! A respondent's journey: a session, consent, page saves, submission, resuming with a
//! code, the post-training survey, and the study-wide reads of what was answered.

use std::time::Duration;

use skafada_store::{Phase, RespondentId, ResponseId, Saved, Site, Status, Store, StudyId, today};

use crate::{on_both, study_with_site};

const LIFETIME: Duration = Duration::from_secs(600);

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A session at the site and consent given in it: (session token, respondent id).
async fn consented(store: &Store, site: &Site) -> (String, RespondentId) {
    let token = store
        .create_session(&site.id, None, LIFETIME)
        .await
        .unwrap();
    let consented = store
        .consent(&token, site, &pairs(&[("consent", "1")]), "p1")
        .await
        .unwrap();
    assert!(consented.resume_code.is_some());
    (token, consented.respondent_id)
}

async fn a_session_names_its_site_and_ends_when_deleted(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let token = store
        .create_session(&site.id, None, LIFETIME)
        .await
        .unwrap();
    let session = store.session(&token).await.unwrap().expect("live");
    assert_eq!(session.site_id, site.id);
    assert_eq!(session.respondent_id, None);
    assert_eq!(session.wave, None);

    let (with_site, found_site, window) = store
        .session_with_site(&token)
        .await
        .unwrap()
        .expect("live");
    assert_eq!(with_site, session);
    assert_eq!(found_site, site);
    assert_eq!(
        window,
        store.study_window(&study_id).await.unwrap().unwrap()
    );

    // Activity extends it.
    store
        .extend_session(&token, Duration::from_secs(7200))
        .await
        .unwrap();
    let extended = store.session(&token).await.unwrap().unwrap();
    assert!(
        extended.expires_at >= session.expires_at + 6000,
        "{} then {}",
        session.expires_at,
        extended.expires_at
    );

    store.delete_session(&token).await.unwrap();
    assert!(store.session(&token).await.unwrap().is_none());
    assert!(store.session_with_site(&token).await.unwrap().is_none());
    assert!(store.session("no-such-token").await.unwrap().is_none());
}
on_both!(a_session_names_its_site_and_ends_when_deleted);

async fn an_ended_session_is_found_only_as_ended(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let token = store
        .create_session(&site.id, None, Duration::from_secs(0))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(store.session(&token).await.unwrap().is_none());
    assert!(store.session_with_site(&token).await.unwrap().is_none());
    let (ended, found_site, _) = store
        .ended_session_with_site(&token)
        .await
        .unwrap()
        .expect("recently ended");
    assert_eq!(ended.site_id, site.id);
    assert_eq!(found_site, site);
}
on_both!(an_ended_session_is_found_only_as_ended);

async fn consent_creates_a_respondent_and_a_pre_response_with_the_consent_answers(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let (token, respondent_id) = consented(&store, &site).await;

    let respondent = store.respondent(&respondent_id).await.unwrap().unwrap();
    assert_eq!(respondent.id, respondent_id);
    assert_eq!(respondent.study_id, study_id);
    assert_eq!(respondent.site_id, site.id);
    assert_eq!(respondent.returned, 0);
    assert!(
        store
            .respondent(&RespondentId::new("no-such-respondent"))
            .await
            .unwrap()
            .is_none()
    );

    let session = store.session(&token).await.unwrap().unwrap();
    assert_eq!(
        session.respondent_id.as_deref(),
        Some(respondent_id.as_str())
    );

    let response = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.respondent_id, respondent_id);
    assert_eq!(response.phase, Phase::Pre);
    assert_eq!(response.status, Status::Consented);
    assert_eq!(response.current_page, "p1");
    assert_eq!(
        store.answers(&response.id).await.unwrap(),
        pairs(&[("consent", "1")]).into_iter().collect()
    );
    assert!(
        store
            .response(&respondent_id, Phase::Post)
            .await
            .unwrap()
            .is_none()
    );

    // The consent form posted twice: the same respondent, no new resume code.
    let again = store
        .consent(&token, &site, &pairs(&[("consent", "1")]), "p1")
        .await
        .unwrap();
    assert_eq!(again.respondent_id, respondent_id);
    assert!(again.resume_code.is_none());
    assert_eq!(store.study_responses(&study_id).await.unwrap().len(), 1);
}
on_both!(consent_creates_a_respondent_and_a_pre_response_with_the_consent_answers);

async fn saved_pages_set_and_clear_answers_and_move_the_page_on(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let (_, respondent_id) = consented(&store, &site).await;
    let response = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    let saved = store
        .save_page(
            &response.id,
            &pairs(&[("q1", "yes"), ("q2", "free text, with ünïcode")]),
            &[],
            "p2",
        )
        .await
        .unwrap();
    assert_eq!(saved, Saved::Saved);
    let saved = store
        .save_page(
            &response.id,
            &pairs(&[("q1", "no")]),
            &["q2".to_owned()],
            "p3",
        )
        .await
        .unwrap();
    assert_eq!(saved, Saved::Saved);

    let (read, answers) = store
        .response_with_answers(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.id, response.id);
    assert_eq!(read.current_page, "p3");
    // Saving a page does not change the status.
    assert_eq!(read.status, Status::Consented);
    assert_eq!(
        answers,
        pairs(&[("consent", "1"), ("q1", "no")])
            .into_iter()
            .collect()
    );
    assert_eq!(store.answers(&response.id).await.unwrap(), answers);
    assert!(
        store
            .response_with_answers(&respondent_id, Phase::Post)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .answers(&ResponseId::new("no-such-response"))
            .await
            .unwrap()
            .is_empty()
    );
}
on_both!(saved_pages_set_and_clear_answers_and_move_the_page_on);

async fn submit_closes_a_response_once_and_later_saves_are_refused(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let (_, respondent_id) = consented(&store, &site).await;
    let response = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    store
        .save_page(&response.id, &pairs(&[("q1", "yes")]), &[], "p2")
        .await
        .unwrap();
    assert!(store.submit(&response.id, Status::Submitted).await.unwrap());
    let submitted = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(submitted.status, Status::Submitted);
    assert_eq!(submitted.current_page, "done");
    // Posted twice: reported as already submitted, the status unchanged.
    assert!(
        !store
            .submit(&response.id, Status::ClosedByRouting)
            .await
            .unwrap()
    );
    let saved = store
        .save_page(&response.id, &pairs(&[("q1", "changed")]), &[], "p3")
        .await
        .unwrap();
    assert_eq!(saved, Saved::AlreadySubmitted);
    let (after, answers) = store
        .response_with_answers(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, Status::Submitted);
    assert_eq!(answers.get("q1").map(String::as_str), Some("yes"));
}
on_both!(submit_closes_a_response_once_and_later_saves_are_refused);

async fn a_response_closed_by_routing_keeps_that_status(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let (_, respondent_id) = consented(&store, &site).await;
    let response = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .submit(&response.id, Status::ClosedByRouting)
            .await
            .unwrap()
    );
    let closed = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.status, Status::ClosedByRouting);
    assert!(!store.submit(&response.id, Status::Submitted).await.unwrap());
}
on_both!(a_response_closed_by_routing_keeps_that_status);

async fn a_resume_code_starts_a_new_session_for_the_same_respondent(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let token = store
        .create_session(&site.id, None, LIFETIME)
        .await
        .unwrap();
    let consented = store
        .consent(&token, &site, &pairs(&[("consent", "1")]), "p1")
        .await
        .unwrap();
    let code = consented.resume_code.unwrap();
    let resumed = store.resume(&code, LIFETIME).await.unwrap().expect("known");
    assert_ne!(resumed, token);
    let session = store.session(&resumed).await.unwrap().unwrap();
    assert_eq!(session.site_id, site.id);
    assert_eq!(
        session.respondent_id.as_deref(),
        Some(consented.respondent_id.as_str())
    );
    // The return is counted.
    let respondent = store
        .respondent(&consented.respondent_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(respondent.returned, 1);

    // A new code replaces the old one.
    let new_code = store
        .new_resume_code(&consented.respondent_id)
        .await
        .unwrap();
    assert!(store.resume(&code, LIFETIME).await.unwrap().is_none());
    assert!(store.resume(&new_code, LIFETIME).await.unwrap().is_some());
    let respondent = store
        .respondent(&consented.respondent_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(respondent.returned, 2);
}
on_both!(a_resume_code_starts_a_new_session_for_the_same_respondent);

async fn start_post_makes_one_post_response_and_returns_it_again(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let (_, respondent_id) = consented(&store, &site).await;
    let post = store.start_post(&respondent_id, "post-1").await.unwrap();
    assert_eq!(post.phase, Phase::Post);
    assert_eq!(post.status, Status::Started);
    assert_eq!(post.current_page, "post-1");
    assert_eq!(post.respondent_id, respondent_id);
    let again = store.start_post(&respondent_id, "other").await.unwrap();
    assert_eq!(again, post);
    assert_eq!(
        store.response(&respondent_id, Phase::Post).await.unwrap(),
        Some(post.clone())
    );
    let pre = store
        .response(&respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(pre.id, post.id);
}
on_both!(start_post_makes_one_post_response_and_returns_it_again);

async fn study_reads_list_every_answer_and_response_of_the_study(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let (_, one) = consented(&store, &site).await;
    let (_, two) = consented(&store, &site).await;
    let pre_one = store.response(&one, Phase::Pre).await.unwrap().unwrap();
    store
        .save_page(&pre_one.id, &pairs(&[("q1", "a")]), &[], "p2")
        .await
        .unwrap();
    assert!(store.submit(&pre_one.id, Status::Submitted).await.unwrap());
    let post_one = store.start_post(&one, "post-1").await.unwrap();
    store
        .save_page(&post_one.id, &pairs(&[("q9", "b")]), &[], "post-2")
        .await
        .unwrap();
    // Another study's answers are not included.
    let other_study = store
        .create_study(&crate::new_study("Other"))
        .await
        .unwrap();
    let other_site = store
        .add_site(&other_study, &crate::new_site("LA77"))
        .await
        .unwrap();
    consented(&store, &other_site).await;

    let mut rows: Vec<(RespondentId, Phase, Status, String, String)> = store
        .study_answers(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            assert_eq!(row.site_code, "LA01");
            (
                row.respondent_id,
                row.phase,
                row.status,
                row.variable,
                row.value,
            )
        })
        .collect();
    rows.sort();
    let mut expected = vec![
        (
            one.clone(),
            Phase::Pre,
            Status::Submitted,
            "consent".to_owned(),
            "1".to_owned(),
        ),
        (
            one.clone(),
            Phase::Pre,
            Status::Submitted,
            "q1".to_owned(),
            "a".to_owned(),
        ),
        (
            one.clone(),
            Phase::Post,
            Status::Started,
            "q9".to_owned(),
            "b".to_owned(),
        ),
        (
            two.clone(),
            Phase::Pre,
            Status::Consented,
            "consent".to_owned(),
            "1".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(rows, expected);

    let mut summaries = store.study_responses(&study_id).await.unwrap();
    summaries.sort_by(|a, b| (&a.respondent_id, a.phase).cmp(&(&b.respondent_id, b.phase)));
    let got: Vec<(RespondentId, Phase, Status, i64, bool)> = summaries
        .iter()
        .map(|s| {
            assert_eq!(s.site_code, "LA01");
            assert_eq!(s.started_on, today());
            assert_eq!(s.returned, 0);
            (
                s.respondent_id.clone(),
                s.phase,
                s.status,
                s.answer_count,
                s.submitted_on.is_some(),
            )
        })
        .collect();
    let mut expected = vec![
        (one.clone(), Phase::Pre, Status::Submitted, 2, true),
        (one.clone(), Phase::Post, Status::Started, 1, false),
        (two.clone(), Phase::Pre, Status::Consented, 1, false),
    ];
    expected.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert_eq!(got, expected);
    assert!(
        store
            .study_answers(&StudyId::new("no-such-study"))
            .await
            .unwrap()
            .is_empty()
    );
}
on_both!(study_reads_list_every_answer_and_response_of_the_study);

async fn journeys_started_at_once_are_each_stored_and_counted(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    // Fifty people open the link together; on SQLite their starts are committed in
    // batches with any page saves queued beside them.
    let starts: Vec<_> = (0..50)
        .map(|_| {
            let (store, site_id) = (store.clone(), site.id.clone());
            tokio::spawn(async move { store.create_session(&site_id, None, LIFETIME).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for start in starts {
        tokens.push(start.await.unwrap().unwrap());
    }
    for token in &tokens {
        assert!(store.session(token).await.unwrap().is_some());
    }
    let counted = store.starts(&study_id).await.unwrap();
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].starts, 50);
}
on_both!(journeys_started_at_once_are_each_stored_and_counted);
