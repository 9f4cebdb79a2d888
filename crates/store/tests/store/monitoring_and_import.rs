//! Monitoring a study (respondents' progress, sites' headcounts), importing responses
//! and starts from elsewhere, and whether a database is empty.

use std::time::Duration;

use skafada_store::{ImportedResponse, Phase, Role, Status, Store};

use crate::accounts::account;
use crate::{new_site, new_study, on_both, study_with_site};

async fn a_database_is_empty_until_it_holds_a_study(store: Store) {
    assert!(store.is_empty().await.unwrap());
    // Accounts alone do not make it non-empty.
    account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    assert!(store.is_empty().await.unwrap());
    store.create_study(&new_study("First")).await.unwrap();
    assert!(!store.is_empty().await.unwrap());
}
on_both!(a_database_is_empty_until_it_holds_a_study);

async fn study_progress_shows_each_respondent_surveys_sections_and_certificate(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let mut respondents = Vec::new();
    for _ in 0..2 {
        let token = store
            .create_session(&site.id, None, Duration::from_secs(600))
            .await
            .unwrap();
        let id = store
            .consent(
                &token,
                &site,
                &[("consent".to_owned(), "1".to_owned())],
                "p1",
            )
            .await
            .unwrap()
            .respondent_id;
        respondents.push(id);
    }
    let done = &respondents[0];
    let pre = store.response(done, Phase::Pre).await.unwrap().unwrap();
    assert!(store.submit(&pre.id, Status::Submitted).await.unwrap());
    store.complete_section(done, "one").await.unwrap();
    store.complete_section(done, "two").await.unwrap();
    store.start_post(done, "post-1").await.unwrap();
    store
        .issue_certificate(done, "Title", "1", 60)
        .await
        .unwrap();

    let mut progress: Vec<_> = store
        .study_progress(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            assert_eq!(p.site_code, "LA01");
            (p.pre, p.post, p.sections_completed, p.certificate)
        })
        .collect();
    progress.sort();
    assert_eq!(
        progress,
        vec![
            (Some(Status::Consented), None, 0, false),
            (Some(Status::Submitted), Some(Status::Started), 2, true),
        ]
    );
    let other = store.create_study(&new_study("Other")).await.unwrap();
    assert!(store.study_progress(&other).await.unwrap().is_empty());
}
on_both!(study_progress_shows_each_respondent_surveys_sections_and_certificate);

async fn headcounts_are_set_cleared_and_audited_per_site(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let (study_id, site) = study_with_site(&store).await;
    let second = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    assert_eq!(
        store.site_by_code(&study_id, "LA02").await.unwrap(),
        Some(second.clone())
    );
    assert!(
        store
            .site_by_code(&study_id, "LA99")
            .await
            .unwrap()
            .is_none()
    );

    let mut counts = store.headcounts(&study_id).await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![("LA01".to_owned(), None), ("LA02".to_owned(), None)]
    );
    store
        .set_headcount(&site, Some(40), &admin.id)
        .await
        .unwrap();
    store
        .set_headcount(&second, Some(7), &admin.id)
        .await
        .unwrap();
    store.set_headcount(&second, None, &admin.id).await.unwrap();
    let mut counts = store.headcounts(&study_id).await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![("LA01".to_owned(), Some(40)), ("LA02".to_owned(), None)]
    );
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let mut details: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "headcount-changed")
        .map(|e| e.details.as_str())
        .collect();
    details.sort_unstable();
    assert_eq!(
        details,
        vec![
            "LA01: headcount set to 40",
            "LA02: headcount cleared",
            "LA02: headcount set to 7"
        ]
    );
}
on_both!(headcounts_are_set_cleared_and_audited_per_site);

fn imported(respondent: &str, code: &str, phase: Phase, status: Status) -> ImportedResponse {
    ImportedResponse {
        respondent: respondent.to_owned(),
        site_code: code.to_owned(),
        phase,
        status,
        started_on: "2025-03-04".to_owned(),
        answers: vec![("q1".to_owned(), format!("{respondent}-{}", phase.as_str()))],
    }
}

async fn imported_responses_read_back_like_collected_ones(store: Store) {
    let (study_id, _) = study_with_site(&store).await;
    let count = store
        .import_responses(
            &study_id,
            &[
                imported("r1", "LA01", Phase::Pre, Status::Submitted),
                imported("r1", "LA01", Phase::Post, Status::Started),
                imported("r2", "LA01", Phase::Pre, Status::ClosedByRouting),
            ],
        )
        .await
        .unwrap();
    assert_eq!(count, 3);
    let summaries = store.study_responses(&study_id).await.unwrap();
    let mut got: Vec<(Phase, Status, String, Option<String>, i64)> = summaries
        .iter()
        .map(|s| {
            (
                s.phase,
                s.status,
                s.started_on.to_string(),
                s.submitted_on.map(|day| day.to_string()),
                s.answer_count,
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                Phase::Pre,
                Status::Submitted,
                "2025-03-04".to_owned(),
                Some("2025-03-04".to_owned()),
                1
            ),
            (
                Phase::Pre,
                Status::ClosedByRouting,
                "2025-03-04".to_owned(),
                Some("2025-03-04".to_owned()),
                1
            ),
            (
                Phase::Post,
                Status::Started,
                "2025-03-04".to_owned(),
                None,
                1
            ),
        ]
    );
    // r1's two responses belong to one respondent.
    let respondents: std::collections::BTreeSet<&str> =
        summaries.iter().map(|s| s.respondent_id.as_str()).collect();
    assert_eq!(respondents.len(), 2);
    let mut values: Vec<String> = store
        .study_answers(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.value)
        .collect();
    values.sort();
    assert_eq!(values, vec!["r1-post", "r1-pre", "r2-pre"]);
}
on_both!(imported_responses_read_back_like_collected_ones);

async fn an_import_naming_an_unknown_site_imports_nothing(store: Store) {
    let (study_id, _) = study_with_site(&store).await;
    let result = store
        .import_responses(
            &study_id,
            &[
                imported("r1", "LA01", Phase::Pre, Status::Submitted),
                imported("r2", "LA99", Phase::Pre, Status::Submitted),
            ],
        )
        .await;
    assert!(result.is_err(), "{result:?}");
    assert!(store.study_responses(&study_id).await.unwrap().is_empty());
    let starts = store
        .import_starts(&study_id, &[("LA99".to_owned(), "2025-01-01".to_owned())])
        .await;
    assert!(starts.is_err(), "{starts:?}");
    assert!(store.starts(&study_id).await.unwrap().is_empty());
}
on_both!(an_import_naming_an_unknown_site_imports_nothing);

async fn imported_starts_add_to_the_counted_ones(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    store
        .create_session(&site.id, None, Duration::from_secs(600))
        .await
        .unwrap();
    let day = skafada_store::today();
    store
        .import_starts(
            &study_id,
            &[
                ("LA01".to_owned(), day.to_string()),
                ("LA01".to_owned(), "2025-01-01".to_owned()),
                ("LA02".to_owned(), "2025-01-01".to_owned()),
            ],
        )
        .await
        .unwrap();
    let starts: Vec<(String, i64)> = store
        .starts(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.site_code, s.starts))
        .collect();
    assert_eq!(starts, vec![("LA01".to_owned(), 3), ("LA02".to_owned(), 1)]);
}
on_both!(imported_starts_add_to_the_counted_ones);
