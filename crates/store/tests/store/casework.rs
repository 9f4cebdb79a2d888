//! Case studies: case-study sites, interviews and their transcripts, the analysts'
//! passages, summaries and decisions, and the document audit.

use std::collections::BTreeMap;

use skafada_store::{
    DocumentDetails, Interview, InterviewDetails, InterviewStatus, NewPassage, Role, Site, SiteId,
    Store, StoredTurn, StudyId, TranscriptState,
};

use crate::accounts::account;
use crate::{new_site, on_both, study_with_site};

fn details(status: InterviewStatus) -> InterviewDetails {
    InterviewDetails {
        role: "practitioner".to_owned(),
        interviewed_on: "2026-03-10".parse().unwrap(),
        mode: "video".to_owned(),
        interviewer: "Researcher A".to_owned(),
        consent_recorded_by: "Researcher B".to_owned(),
        status,
    }
}

/// A study whose site LA01 is a case-study site with one interview of `status`.
async fn one_interview(store: &Store, status: InterviewStatus) -> (StudyId, Site, Interview) {
    let (study_id, site) = study_with_site(store).await;
    store
        .add_case_study_site(&study_id, &site.id, "tester")
        .await
        .unwrap();
    let interview = store
        .add_interview(&study_id, &site.id, None, &details(status), "tester")
        .await
        .unwrap();
    (study_id, site, interview)
}

/// A case-study site (LA01) with one interview and an accepted two-turn transcript.
async fn interview_with_transcript(store: &Store) -> (StudyId, Interview) {
    let (study_id, _, interview) = one_interview(store, InterviewStatus::Interviewed).await;
    store
        .store_transcript(
            &interview,
            &[
                ("Interviewer".to_owned(), "How was it?".to_owned()),
                ("Participant".to_owned(), "It helped.".to_owned()),
            ],
            0,
            "tester",
        )
        .await
        .unwrap();
    store.accept_transcript(&interview, "tester").await.unwrap();
    (study_id, interview)
}

async fn case_study_sites_are_numbered_once_in_order_of_adding(store: Store) {
    let (study_id, first) = study_with_site(&store).await;
    let second = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    assert!(store.case_study_sites(&study_id).await.unwrap().is_empty());
    assert_eq!(
        store
            .add_case_study_site(&study_id, &second.id, "tester")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_case_study_site(&study_id, &first.id, "tester")
            .await
            .unwrap(),
        2
    );
    // Added again: the same number.
    assert_eq!(
        store
            .add_case_study_site(&study_id, &second.id, "tester")
            .await
            .unwrap(),
        1
    );
    let sites: Vec<(SiteId, String, i64)> = store
        .case_study_sites(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.site_id, s.site_code, s.number))
        .collect();
    assert_eq!(
        sites,
        vec![
            (second.id.clone(), "LA02".to_owned(), 1),
            (first.id.clone(), "LA01".to_owned(), 2),
        ]
    );
    // An interview needs a case-study site.
    let other = store.add_site(&study_id, &new_site("LA03")).await.unwrap();
    assert!(
        store
            .add_interview(
                &study_id,
                &other.id,
                None,
                &details(InterviewStatus::Planned),
                "tester"
            )
            .await
            .is_err()
    );
}
on_both!(case_study_sites_are_numbered_once_in_order_of_adding);

async fn interviews_are_pseudonymised_changed_and_deleted(store: Store) {
    let (study_id, site, first) = one_interview(&store, InterviewStatus::Planned).await;
    assert_eq!(first.pseudonym, "CS1-P01");
    assert_eq!(first.study_id, study_id);
    assert_eq!(first.site_id, site.id);
    assert_eq!(first.details, details(InterviewStatus::Planned));
    assert_eq!(first.transcript, TranscriptState::None);
    assert!(!first.double_coded);
    let second = store
        .add_interview(
            &study_id,
            &site.id,
            None,
            &details(InterviewStatus::Planned),
            "tester",
        )
        .await
        .unwrap();
    assert_eq!(second.pseudonym, "CS1-P02");
    let named = store
        .add_interview(
            &study_id,
            &site.id,
            Some("CS1-P09"),
            &details(InterviewStatus::Planned),
            "tester",
        )
        .await
        .unwrap();
    assert_eq!(named.pseudonym, "CS1-P09");

    let changed = details(InterviewStatus::Withdrawn);
    store
        .update_interview(&first, &changed, "tester")
        .await
        .unwrap();
    store
        .set_double_coded(&second, true, "tester")
        .await
        .unwrap();
    let read = store
        .interview(&study_id, "CS1-P01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.details.status, InterviewStatus::Withdrawn);
    assert_eq!(read.id, first.id);
    assert!(
        store
            .interview(&study_id, "CS1-P02")
            .await
            .unwrap()
            .unwrap()
            .double_coded
    );
    assert!(
        store
            .interview(&study_id, "CS9-P99")
            .await
            .unwrap()
            .is_none()
    );
    let pseudonyms: Vec<String> = store
        .interviews(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.pseudonym)
        .collect();
    assert_eq!(pseudonyms, vec!["CS1-P01", "CS1-P02", "CS1-P09"]);

    store.delete_interview(&named, "tester").await.unwrap();
    assert!(
        store
            .interview(&study_id, "CS1-P09")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.interviews(&study_id).await.unwrap().len(), 2);
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    assert!(log.iter().any(|e| e.action == "interview-deleted"));
}
on_both!(interviews_are_pseudonymised_changed_and_deleted);

async fn a_transcript_is_reviewed_revised_accepted_and_deleted(store: Store) {
    let (study_id, _, interview) = one_interview(&store, InterviewStatus::Interviewed).await;
    assert!(store.transcript(&interview.id).await.unwrap().is_empty());
    store
        .store_transcript(
            &interview,
            &[
                ("Interviewer".to_owned(), "Who helped?".to_owned()),
                ("Participant".to_owned(), "Jo Bloggs did.".to_owned()),
            ],
            0,
            "tester",
        )
        .await
        .unwrap();
    let state = |i: Option<Interview>| i.unwrap().transcript;
    assert_eq!(
        state(store.interview(&study_id, "CS1-P01").await.unwrap()),
        TranscriptState::Review
    );
    assert_eq!(
        store.transcript(&interview.id).await.unwrap(),
        vec![
            StoredTurn {
                number: 1,
                speaker: "Interviewer".to_owned(),
                text: "Who helped?".to_owned()
            },
            StoredTurn {
                number: 2,
                speaker: "Participant".to_owned(),
                text: "Jo Bloggs did.".to_owned()
            },
        ]
    );
    let revised = StoredTurn {
        number: 2,
        speaker: "Participant".to_owned(),
        text: "[redacted 1] did.".to_owned(),
    };
    store
        .revise_transcript(&interview, std::slice::from_ref(&revised), 1, "tester")
        .await
        .unwrap();
    let turns = store.transcript(&interview.id).await.unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[1], revised);

    store.accept_transcript(&interview, "tester").await.unwrap();
    assert_eq!(
        state(store.interview(&study_id, "CS1-P01").await.unwrap()),
        TranscriptState::Accepted
    );
    // An accepted transcript is not replaced by importing another.
    assert!(
        store
            .store_transcript(
                &interview,
                &[("Participant".to_owned(), "Other".to_owned())],
                0,
                "tester"
            )
            .await
            .is_err()
    );
    assert_eq!(store.transcript(&interview.id).await.unwrap().len(), 2);

    store.delete_transcript(&interview, "tester").await.unwrap();
    assert!(store.transcript(&interview.id).await.unwrap().is_empty());
    assert_eq!(
        state(store.interview(&study_id, "CS1-P01").await.unwrap()),
        TranscriptState::None
    );
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    for action in ["transcript-imported", "transcript-deleted"] {
        assert!(log.iter().any(|e| e.action == action), "{action}: {log:?}");
    }
}
on_both!(a_transcript_is_reviewed_revised_accepted_and_deleted);

async fn passages_summaries_and_decisions_read_back_in_the_case_study_data(store: Store) {
    let (study_id, interview) = interview_with_transcript(&store).await;
    let passage = NewPassage {
        turn: 2,
        span: Some((0, 10)),
        codes: vec!["skills-asking".to_owned(), "confidence".to_owned()],
        memo: "A memo".to_owned(),
        report_quote: true,
    };
    let id = store
        .add_passage(&interview, "coder-a", &passage, "tester")
        .await
        .unwrap();
    let whole_turn = NewPassage {
        turn: 1,
        span: None,
        codes: vec!["confidence".to_owned()],
        memo: String::new(),
        report_quote: false,
    };
    let other = store
        .add_passage(&interview, "coder-b", &whole_turn, "tester")
        .await
        .unwrap();
    let sorted = |mut p: NewPassage| {
        p.codes.sort();
        p
    };
    let mut stored: Vec<(String, String, NewPassage)> = store
        .passages(&interview.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            assert_eq!(p.interview_id, interview.id);
            (p.id, p.coder, sorted(p.passage))
        })
        .collect();
    stored.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        stored,
        vec![
            (id.clone(), "coder-a".to_owned(), sorted(passage.clone())),
            (other.clone(), "coder-b".to_owned(), whole_turn.clone()),
        ]
    );
    assert!(
        store
            .delete_passage(&interview, &other, "tester")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_passage(&interview, &other, "tester")
            .await
            .unwrap()
    );
    assert_eq!(store.passages(&interview.id).await.unwrap().len(), 1);

    store
        .set_summary(&interview, "confidence", "First", "tester")
        .await
        .unwrap();
    store
        .set_summary(&interview, "confidence", "Second", "tester")
        .await
        .unwrap();
    store
        .set_summary(&interview, "skills-asking", "Kept", "tester")
        .await
        .unwrap();
    store
        .set_summary(&interview, "skills-asking", "", "tester")
        .await
        .unwrap();
    store
        .decide_disagreement(&interview, 2, "confidence", false, "tester")
        .await
        .unwrap();
    store
        .decide_disagreement(&interview, 2, "confidence", true, "tester")
        .await
        .unwrap();

    let data = store.case_study_data(&study_id).await.unwrap();
    assert_eq!(data.sites.len(), 1);
    assert_eq!(data.sites[0].site_code, "LA01");
    assert_eq!(data.interviews.len(), 1);
    assert_eq!(data.interviews[0].id, interview.id);
    assert_eq!(data.passages.len(), 1);
    assert_eq!(data.passages[0].id, id);
    let summaries: Vec<(&str, &str)> = data
        .summaries
        .iter()
        .map(|s| (s.sub_theme.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(summaries, vec![("confidence", "Second")]);
    let decisions: Vec<(i64, &str, bool)> = data
        .decisions
        .iter()
        .map(|d| (d.turn, d.sub_theme.as_str(), d.include))
        .collect();
    assert_eq!(decisions, vec![(2, "confidence", true)]);
    assert!(data.documents.is_empty());
}
on_both!(passages_summaries_and_decisions_read_back_in_the_case_study_data);

async fn audit_documents_are_added_with_ratings_and_removed(store: Store) {
    let analyst = account(&store, "analyst@example.org", Role::Analyst, None, None).await;
    let (study_id, site) = study_with_site(&store).await;
    let document = DocumentDetails {
        site_id: site.id.clone(),
        kind: "policy".to_owned(),
        title: "Safeguarding policy".to_owned(),
        dated: Some("2025-11-01".parse().unwrap()),
        note: "A note".to_owned(),
        ratings: BTreeMap::from([
            ("clarity".to_owned(), "good".to_owned()),
            ("reach".to_owned(), "partial".to_owned()),
        ]),
    };
    let id = store
        .add_document(&study_id, &document, "tester")
        .await
        .unwrap();
    let data = store.case_study_data(&study_id).await.unwrap();
    assert_eq!(data.documents.len(), 1);
    assert_eq!(data.documents[0].id, id);
    assert_eq!(data.documents[0].details, document);

    assert!(
        store
            .delete_document(&study_id, &id, "tester")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_document(&study_id, &id, "tester")
            .await
            .unwrap()
    );
    assert!(
        store
            .case_study_data(&study_id)
            .await
            .unwrap()
            .documents
            .is_empty()
    );

    store
        .log_case_study_export(&analyst.id, &study_id, "matrix, csv")
        .await
        .unwrap();
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let export: Vec<_> = log
        .iter()
        .filter(|e| e.action == "case-study-export")
        .collect();
    assert_eq!(export.len(), 1);
    assert_eq!(export[0].email.as_deref(), Some("analyst@example.org"));
    assert_eq!(export[0].details, "matrix, csv");
    assert!(log.iter().any(|e| e.action == "document-removed"));
}
on_both!(audit_documents_are_added_with_ratings_and_removed);
