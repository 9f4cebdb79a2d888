//! Deleting a site's data and the retention run: what goes, what stays, and the
//! tombstones left. (What remains in SQLite's files is `deletion.rs`.)

use std::time::Duration;

use skafada_store::{DeletionReason, Phase, RespondentId, Scrub, Site, Store};

use crate::{new_site, new_study, on_both};

/// A respondent at the site with a pre-training response of two answers.
async fn answered(store: &Store, site: &Site) -> RespondentId {
    let token = store
        .create_session(&site.id, None, Duration::from_secs(600))
        .await
        .unwrap();
    let id = store
        .consent(
            &token,
            site,
            &[("consent".to_owned(), "1".to_owned())],
            "p1",
        )
        .await
        .unwrap()
        .respondent_id;
    let response = store.response(&id, Phase::Pre).await.unwrap().unwrap();
    store
        .save_page(
            &response.id,
            &[("q1".to_owned(), "x".to_owned())],
            &[],
            "p2",
        )
        .await
        .unwrap();
    id
}

async fn deleting_a_site_data_removes_its_respondents_and_keeps_other_sites(store: Store) {
    let study_id = store.create_study(&new_study("Deleting")).await.unwrap();
    let site = store.add_site(&study_id, &new_site("LA01")).await.unwrap();
    let kept_site = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    let gone_one = answered(&store, &site).await;
    let gone_two = answered(&store, &site).await;
    let kept = answered(&store, &kept_site).await;

    let deletion = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!(deletion.study_id, study_id);
    assert_eq!(deletion.site_code.as_deref(), Some("LA01"));
    assert_eq!(deletion.reason, DeletionReason::SiteDeletion);
    assert_eq!(deletion.respondents, 2);
    assert_eq!(deletion.responses, 2);
    assert_eq!(deletion.answers, 4);
    assert_eq!(deletion.scrub, Scrub::Done);

    assert!(store.respondent(&gone_one).await.unwrap().is_none());
    assert!(store.respondent(&gone_two).await.unwrap().is_none());
    assert!(store.respondent(&kept).await.unwrap().is_some());
    let responses = store.study_responses(&study_id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].respondent_id, kept);
    assert!(
        store
            .study_answers(&study_id)
            .await
            .unwrap()
            .iter()
            .all(|row| row.site_code == "LA02")
    );
    // The site and its link stay.
    assert_eq!(store.site(&site.id).await.unwrap(), Some(site.clone()));

    let tombstones = store.deletions(&study_id).await.unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].site_id.as_ref(), Some(&site.id));
    assert_eq!(tombstones[0].reason, DeletionReason::SiteDeletion);
    assert_eq!(tombstones[0].respondents, 2);

    // Nothing left: a second deletion counts nothing.
    let again = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!(
        (again.respondents, again.responses, again.answers),
        (0, 0, 0)
    );
}
on_both!(deleting_a_site_data_removes_its_respondents_and_keeps_other_sites);

async fn retention_deletes_only_studies_past_their_date_and_only_once(store: Store) {
    let mut expiring = new_study("Expiring");
    expiring.retain_until = "2030-01-01".parse().unwrap();
    let expiring = store.create_study(&expiring).await.unwrap();
    let lasting = store.create_study(&new_study("Lasting")).await.unwrap();
    let expiring_site = store.add_site(&expiring, &new_site("LA01")).await.unwrap();
    let lasting_site = store.add_site(&lasting, &new_site("LA01")).await.unwrap();
    let gone = answered(&store, &expiring_site).await;
    let kept = answered(&store, &lasting_site).await;

    assert!(
        store
            .run_retention("2029-12-31".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let done = store
        .run_retention("2030-01-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].study_id, expiring);
    assert_eq!(done[0].reason, DeletionReason::Retention);
    assert_eq!(done[0].site_code, None);
    assert_eq!(
        (done[0].respondents, done[0].responses, done[0].answers),
        (1, 1, 2)
    );
    assert_eq!(done[0].scrub, Scrub::Done);
    assert!(store.respondent(&gone).await.unwrap().is_none());
    assert!(store.respondent(&kept).await.unwrap().is_some());

    // Run again: nothing left to delete, no second tombstone.
    assert!(
        store
            .run_retention("2030-01-02".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let tombstones = store.deletions(&expiring).await.unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].reason, DeletionReason::Retention);
    assert_eq!(tombstones[0].site_id, None);
    assert!(store.deletions(&lasting).await.unwrap().is_empty());
}
on_both!(retention_deletes_only_studies_past_their_date_and_only_once);
