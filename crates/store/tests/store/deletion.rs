//! Deleted answers are gone from the SQLite files, not merely unlinked: after a site's
//! data is deleted, and after a retention run, no byte of the database, its WAL or its
//! shared-memory file holds a deleted answer, whether the pool is still open or closed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::{Connection, Row};

use skafada_store::{NewSite, NewStudy, Phase, Scrub, Site, Store, random_token};

/// A fresh SQLite file's path (the file does not exist yet).
pub(crate) fn fresh_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "skafada-deletion-{}.sqlite",
        random_token().unwrap()
    ))
}

fn files(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .collect()
}

/// Every (file, marker) pair where the marker's bytes occur in the file.
fn found(path: &Path, markers: &[String]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for file in files(path) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for marker in markers {
            if bytes
                .windows(marker.len())
                .any(|window| window == marker.as_bytes())
            {
                hits.push((file.display().to_string(), marker.clone()));
            }
        }
    }
    hits
}

pub(crate) fn remove(path: &Path) {
    for file in files(path) {
        let _ = std::fs::remove_file(file);
    }
}

pub(crate) fn study(retain_until: &str) -> NewStudy {
    NewStudy {
        name: "Deletion".to_owned(),
        module_id: "m".to_owned(),
        module_sources: BTreeMap::new(),
        opens_on: "2020-01-01".parse().unwrap(),
        closes_on: "2099-12-31".parse().unwrap(),
        retain_until: retain_until.parse().unwrap(),
        ..NewStudy::default()
    }
}

/// Three respondents at the site answer with unique markers in free text and in the
/// personal-experience answer, before and after the training, and make a linking code
/// (a marker in place of its hashes); returns the markers.
async fn answer_with_markers(store: &Store, site: &Site) -> Vec<String> {
    let mut markers = Vec::new();
    for _ in 0..3 {
        let token = store
            .create_session(&site.id, None, Duration::from_secs(600))
            .await
            .unwrap();
        let consented = store
            .consent(
                &token,
                site,
                &[("consent".to_owned(), "1".to_owned())],
                "p1",
            )
            .await
            .unwrap();
        let pre = store
            .response(&consented.respondent_id, Phase::Pre)
            .await
            .unwrap()
            .unwrap();
        let free = format!("FREETEXTMARKER{}", random_token().unwrap());
        let experience = format!("EXPERIENCEMARKER{}", random_token().unwrap());
        store
            .save_page(
                &pre.id,
                &[
                    ("role-other".to_owned(), free.clone()),
                    ("personal-experience".to_owned(), experience.clone()),
                ],
                &[],
                "check",
            )
            .await
            .unwrap();
        let post = store
            .start_post(&consented.respondent_id, "q1")
            .await
            .unwrap();
        let later = format!("POSTTEXTMARKER{}", random_token().unwrap());
        store
            .save_page(
                &post.id,
                &[("reflection".to_owned(), later.clone())],
                &[],
                "check",
            )
            .await
            .unwrap();
        let code = format!("LINKCODEMARKER{}", random_token().unwrap());
        assert!(
            store
                .save_link_code(&consented.respondent_id, Phase::Pre, &code)
                .await
                .unwrap()
        );
        assert_eq!(
            store
                .link_code(&consented.respondent_id, Phase::Pre)
                .await
                .unwrap(),
            Some(code.clone())
        );
        markers.extend([free, experience, later, code]);
    }
    markers
}

/// Asserts no marker is in the files, with the pool open and then closed.
async fn assert_gone(store: Store, path: &Path, markers: &[String], what: &str) {
    let open = found(path, markers);
    store.close().await;
    let closed = found(path, markers);
    remove(path);
    assert!(
        open.is_empty() && closed.is_empty(),
        "after {what}, {} deleted answers were still in the files with the pool open and {} \
         after it closed: {open:?} {closed:?}",
        open.len(),
        closed.len(),
    );
}

/// A store on a new file with a study (deleted on `retain_until`) and a site whose
/// respondents answered with markers, which are in the files.
async fn answered(retain_until: &str) -> (Store, PathBuf, Site, Vec<String>) {
    let path = fresh_path();
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let study_id = store.create_study(&study(retain_until)).await.unwrap();
    let site = store
        .add_site(&study_id, &NewSite::default())
        .await
        .unwrap();
    let markers = answer_with_markers(&store, &site).await;
    assert!(
        !found(&path, &markers).is_empty(),
        "the markers were written to the files before the deletion"
    );
    (store, path, site, markers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_deleted_answers_are_in_no_byte_of_the_sqlite_files() {
    let (store, path, site, markers) = answered("2099-12-31").await;
    let deletion = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!(deletion.respondents, 3);
    assert_eq!(deletion.scrub, Scrub::Done);
    assert_gone(store, &path, &markers, "a site deletion").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_deleted_by_a_retention_run_are_in_no_byte_of_the_sqlite_files() {
    let (store, path, _, markers) = answered("2026-01-01").await;
    let done = store
        .run_retention("2026-01-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].respondents, 3);
    assert_eq!(done[0].scrub, Scrub::Done);
    assert_gone(store, &path, &markers, "a retention run").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrub_that_a_reader_blocks_is_reported_not_claimed_and_the_next_one_completes() {
    let (store, path, site, markers) = answered("2099-12-31").await;
    // Another process in the middle of a read: it holds a snapshot in the WAL, so the
    // WAL cannot be checkpointed and truncated while it lasts.
    let mut reader = sqlx::AnyConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    let seen: i64 = sqlx::query("SELECT COUNT(*) FROM responses WHERE answers IS NOT NULL")
        .fetch_one(&mut reader)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert!(seen > 0);
    let deletion = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!(deletion.respondents, 3, "the rows are deleted all the same");
    match &deletion.scrub {
        Scrub::Incomplete(reason) => assert!(reason.contains("blocked by readers"), "{reason}"),
        Scrub::Done => panic!("a scrub blocked by a reader was reported as done"),
    }
    sqlx::query("COMMIT").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    // The next deletion (here of nothing) scrubs what the last one could not.
    let again = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!(again.scrub, Scrub::Done);
    assert_gone(store, &path, &markers, "a blocked scrub and the next one").await;
}

/// A case-study site with an interview whose transcript, passage, summary and audit
/// document carry markers; returns the markers.
async fn case_study_with_markers(store: &Store, site: &Site) -> Vec<String> {
    use skafada_store::{DocumentDetails, InterviewDetails, InterviewStatus, NewPassage};
    let words = format!("TRANSCRIPTMARKER{}", random_token().unwrap());
    let summary = format!("SUMMARYMARKER{}", random_token().unwrap());
    let memo = format!("MEMOMARKER{}", random_token().unwrap());
    let note = format!("DOCUMENTMARKER{}", random_token().unwrap());
    store
        .add_case_study_site(&site.study_id, &site.id, "tester")
        .await
        .unwrap();
    let interview = store
        .add_interview(
            &site.study_id,
            &site.id,
            None,
            &InterviewDetails {
                role: "practitioner".to_owned(),
                interviewed_on: "2026-03-10".parse().unwrap(),
                mode: String::new(),
                interviewer: "Researcher A".to_owned(),
                consent_recorded_by: "Researcher A".to_owned(),
                status: InterviewStatus::Interviewed,
            },
            "tester",
        )
        .await
        .unwrap();
    assert_eq!(interview.pseudonym, "CS1-P01");
    store
        .store_transcript(
            &interview,
            &[("Participant".to_owned(), format!("I said {words} to them."))],
            0,
            "tester",
        )
        .await
        .unwrap();
    store.accept_transcript(&interview, "tester").await.unwrap();
    store
        .add_passage(
            &interview,
            "coder@example.org",
            &NewPassage {
                turn: 1,
                span: None,
                codes: vec!["skills-asking".to_owned()],
                memo: memo.clone(),
                report_quote: true,
            },
            "tester",
        )
        .await
        .unwrap();
    store
        .set_summary(&interview, "skills-asking", &summary, "tester")
        .await
        .unwrap();
    store
        .add_document(
            &site.study_id,
            &DocumentDetails {
                site_id: site.id.clone(),
                kind: "Job description".to_owned(),
                title: "Family Support Worker".to_owned(),
                dated: None,
                note: note.clone(),
                ratings: BTreeMap::from([("legislation".to_owned(), "No".to_owned())]),
            },
            "tester",
        )
        .await
        .unwrap();
    vec![words, summary, memo, note]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_deleted_case_studies_are_in_no_byte_of_the_sqlite_files() {
    let (store, path, site, mut markers) = answered("2099-12-31").await;
    markers.extend(case_study_with_markers(&store, &site).await);
    assert!(!found(&path, &markers[markers.len() - 4..]).is_empty());
    let deletion = store.delete_site_data(&site, "tester").await.unwrap();
    assert_eq!((deletion.interviews, deletion.documents), (1, 1));
    let data = store.case_study_data(&site.study_id).await.unwrap();
    assert!(data.interviews.is_empty() && data.passages.is_empty() && data.documents.is_empty());
    assert_gone(store, &path, &markers, "a site deletion with case studies").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retention_run_deletes_case_studies_even_without_survey_responses() {
    let path = fresh_path();
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let study_id = store.create_study(&study("2026-01-01")).await.unwrap();
    let site = store
        .add_site(&study_id, &NewSite::default())
        .await
        .unwrap();
    let markers = case_study_with_markers(&store, &site).await;
    let done = store
        .run_retention("2026-01-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(done.len(), 1, "interviews alone are reason enough to run");
    assert_eq!((done[0].respondents, done[0].interviews), (0, 1));
    assert_gone(store, &path, &markers, "a retention run of case studies").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_removed_from_a_transcript_in_review_are_in_no_byte_of_the_sqlite_files() {
    use skafada_store::{InterviewDetails, InterviewStatus, StoredTurn};
    let path = fresh_path();
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let study_id = store.create_study(&study("2099-12-31")).await.unwrap();
    let site = store
        .add_site(&study_id, &NewSite::default())
        .await
        .unwrap();
    store
        .add_case_study_site(&study_id, &site.id, "tester")
        .await
        .unwrap();
    let interview = store
        .add_interview(
            &study_id,
            &site.id,
            None,
            &InterviewDetails {
                role: "practitioner".to_owned(),
                interviewed_on: "2026-03-10".parse().unwrap(),
                mode: String::new(),
                interviewer: "Researcher A".to_owned(),
                consent_recorded_by: String::new(),
                status: InterviewStatus::Planned,
            },
            "tester",
        )
        .await
        .unwrap();
    let name = format!("MISSEDNAME{}", random_token().unwrap());
    store
        .store_transcript(
            &interview,
            &[("Participant".to_owned(), format!("Ask {name} about it."))],
            0,
            "tester",
        )
        .await
        .unwrap();
    assert!(!found(&path, std::slice::from_ref(&name)).is_empty());
    store
        .revise_transcript(
            &interview,
            &[StoredTurn {
                number: 1,
                speaker: "Participant".to_owned(),
                text: "Ask [redacted 1] about it.".to_owned(),
            }],
            1,
            "tester",
        )
        .await
        .unwrap();
    assert_eq!(
        store.transcript(&interview.id).await.unwrap()[0].text,
        "Ask [redacted 1] about it."
    );
    assert_gone(store, &path, &[name], "a further redaction").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_record_with_an_unknown_reason_is_reported_as_damaged_not_read() {
    let (store, path, site, _) = answered("2099-12-31").await;
    store.delete_site_data(&site, "tester").await.unwrap();
    let mut raw = sqlx::AnyConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE deletions SET reason = 'tidy-up'")
        .execute(&mut raw)
        .await
        .unwrap();
    raw.close().await.unwrap();
    match store.deletions(&site.study_id).await {
        Err(skafada_store::StoreError::Corrupt(why)) => assert!(why.contains("tidy-up"), "{why}"),
        other => panic!("a damaged reason was read as {other:?}"),
    }
}
