//! Follow-up waves: a session from a wave's link, consent to the wave, linking the
//! response to a baseline respondent by resume code, and the wave's reads.

use std::time::Duration;

use skafada_store::{
    LINK_STEP, Phase, RespondentId, ResumeCode, ResumeCodeLink, Site, Status, Store, today,
};

use crate::{new_site, on_both, study_with_site};

const LIFETIME: Duration = Duration::from_secs(600);

fn consent() -> Vec<(String, String)> {
    vec![("consent".to_owned(), "1".to_owned())]
}

/// A baseline respondent (consented to the pre-training survey): id and resume code.
async fn baseline(store: &Store, site: &Site) -> (RespondentId, ResumeCode) {
    let token = store
        .create_session(&site.id, None, LIFETIME)
        .await
        .unwrap();
    let consented = store.consent(&token, site, &consent(), "p1").await.unwrap();
    (consented.respondent_id, consented.resume_code.unwrap())
}

/// A respondent who consented to wave 1 from its link: their id.
async fn wave_one(store: &Store, site: &Site) -> RespondentId {
    let token = store
        .create_follow_up_session(&site.id, 1, LIFETIME)
        .await
        .unwrap();
    let session = store.session(&token).await.unwrap().unwrap();
    assert_eq!(session.wave, Some(1));
    assert_eq!(session.respondent_id, None);
    store
        .consent_follow_up(&token, site, 1, &consent())
        .await
        .unwrap()
        .respondent_id
}

async fn a_follow_up_response_starts_at_the_link_step_and_links_by_resume_code(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let (baseline_id, code) = baseline(&store, &site).await;
    let follower = wave_one(&store, &site).await;

    let response = store
        .response(&follower, Phase::FollowUp(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.current_page, LINK_STEP);
    assert_eq!(response.status, Status::Consented);
    assert!(
        store
            .response(&follower, Phase::Pre)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .follow_up_is_linked(&follower, Phase::FollowUp(1))
            .await
            .unwrap()
    );

    assert_eq!(
        store
            .link_follow_up_by_resume_code(&follower, 1, &code)
            .await
            .unwrap(),
        ResumeCodeLink::Linked
    );
    assert!(
        store
            .follow_up_is_linked(&follower, Phase::FollowUp(1))
            .await
            .unwrap()
    );
    // A second response to the wave cannot claim the same baseline respondent.
    let another = wave_one(&store, &site).await;
    assert_eq!(
        store
            .link_follow_up_by_resume_code(&another, 1, &code)
            .await
            .unwrap(),
        ResumeCodeLink::AlreadyLinked
    );
    // A code from another site is unknown here.
    let elsewhere = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    let (_, foreign) = baseline(&store, &elsewhere).await;
    assert_eq!(
        store
            .link_follow_up_by_resume_code(&another, 1, &foreign)
            .await
            .unwrap(),
        ResumeCodeLink::Unknown
    );
    assert!(
        !store
            .follow_up_is_linked(&another, Phase::FollowUp(1))
            .await
            .unwrap()
    );

    store
        .leave_link_step(&follower, Phase::FollowUp(1), "w1")
        .await
        .unwrap();
    let moved = store
        .response(&follower, Phase::FollowUp(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.current_page, "w1");
    store
        .save_page(
            &moved.id,
            &[("wq".to_owned(), "better".to_owned())],
            &[],
            "w2",
        )
        .await
        .unwrap();

    let mut responses = store.wave_responses(&study_id, 1).await.unwrap();
    responses.sort_by(|a, b| a.respondent_id.cmp(&b.respondent_id));
    let mut expected = vec![
        (follower.clone(), Some(baseline_id.clone())),
        (another.clone(), None),
    ];
    expected.sort();
    assert_eq!(
        responses
            .iter()
            .map(|r| (r.respondent_id.clone(), r.linked_by_resume_code.clone()))
            .collect::<Vec<_>>(),
        expected
    );
    assert!(responses.iter().all(|r| r.site_code == "LA01"
        && r.status == Status::Consented
        && r.started_on == today()
        && r.link_code.is_none()));
    assert!(store.wave_responses(&study_id, 2).await.unwrap().is_empty());

    let answers: Vec<(RespondentId, String, String)> = store
        .wave_answers(&study_id, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            assert_eq!(row.phase, Phase::FollowUp(1));
            (row.respondent_id, row.variable, row.value)
        })
        .collect();
    let mut expected = vec![
        (follower.clone(), "consent".to_owned(), "1".to_owned()),
        (follower.clone(), "wq".to_owned(), "better".to_owned()),
        (another.clone(), "consent".to_owned(), "1".to_owned()),
    ];
    expected.sort();
    let mut answers = answers;
    answers.sort();
    assert_eq!(answers, expected);
    // Follow-up waves are not part of the pre/post reads.
    assert!(
        store
            .study_answers(&study_id)
            .await
            .unwrap()
            .iter()
            .all(|row| !row.phase.is_follow_up())
    );
    assert!(
        store
            .study_responses(&study_id)
            .await
            .unwrap()
            .iter()
            .all(|s| s.respondent_id != follower && s.respondent_id != another)
    );
    // No link codes were saved.
    assert!(
        store
            .baseline_link_codes(&study_id)
            .await
            .unwrap()
            .is_empty()
    );
}
on_both!(a_follow_up_response_starts_at_the_link_step_and_links_by_resume_code);

async fn a_follow_up_respondent_who_resumes_carries_on_in_their_wave(store: Store) {
    let (_, site) = study_with_site(&store).await;
    let token = store
        .create_follow_up_session(&site.id, 3, LIFETIME)
        .await
        .unwrap();
    let consented = store
        .consent_follow_up(&token, &site, 3, &consent())
        .await
        .unwrap();
    let resumed = store
        .resume(&consented.resume_code.unwrap(), LIFETIME)
        .await
        .unwrap()
        .unwrap();
    let session = store.session(&resumed).await.unwrap().unwrap();
    assert_eq!(session.wave, Some(3));
    assert_eq!(
        session.respondent_id.as_deref(),
        Some(consented.respondent_id.as_str())
    );
    // There is no wave 0 or 10.
    assert!(
        store
            .create_follow_up_session(&site.id, 0, LIFETIME)
            .await
            .is_err()
    );
    assert!(
        store
            .create_follow_up_session(&site.id, 10, LIFETIME)
            .await
            .is_err()
    );
    // A pre-training consent in a wave's session is refused: the session is the wave's.
    let wave_token = store
        .create_follow_up_session(&site.id, 1, LIFETIME)
        .await
        .unwrap();
    assert!(
        store
            .consent(&wave_token, &site, &consent(), "p1")
            .await
            .is_err()
    );
}
on_both!(a_follow_up_respondent_who_resumes_carries_on_in_their_wave);

async fn linking_codes_are_stored_per_response_and_listed_for_baseline_and_wave(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let (baseline_id, _) = baseline(&store, &site).await;
    let follower = wave_one(&store, &site).await;

    assert_eq!(
        store.link_code(&baseline_id, Phase::Pre).await.unwrap(),
        None
    );
    assert!(
        store
            .save_link_code(&baseline_id, Phase::Pre, "hashes-1")
            .await
            .unwrap()
    );
    // Saved again: replaced, not added.
    assert!(
        store
            .save_link_code(&baseline_id, Phase::Pre, "hashes-2")
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .link_code(&baseline_id, Phase::Pre)
            .await
            .unwrap()
            .as_deref(),
        Some("hashes-2")
    );
    // No post-training response: nothing stored.
    assert!(
        !store
            .save_link_code(&baseline_id, Phase::Post, "hashes-3")
            .await
            .unwrap()
    );
    assert_eq!(
        store.link_code(&baseline_id, Phase::Post).await.unwrap(),
        None
    );

    let codes: Vec<(RespondentId, String, String)> = store
        .baseline_link_codes(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.respondent_id, c.site_code, c.hashes))
        .collect();
    assert_eq!(
        codes,
        vec![(
            baseline_id.clone(),
            "LA01".to_owned(),
            "hashes-2".to_owned()
        )]
    );

    assert!(
        store
            .save_link_code(&follower, Phase::FollowUp(1), "wave-hashes")
            .await
            .unwrap()
    );
    assert!(
        store
            .follow_up_is_linked(&follower, Phase::FollowUp(1))
            .await
            .unwrap()
    );
    let responses = store.wave_responses(&study_id, 1).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].link_code.as_deref(), Some("wave-hashes"));
    assert_eq!(responses[0].linked_by_resume_code, None);
    // The wave's code is not a baseline code.
    assert_eq!(store.baseline_link_codes(&study_id).await.unwrap().len(), 1);
}
on_both!(linking_codes_are_stored_per_response_and_listed_for_baseline_and_wave);
