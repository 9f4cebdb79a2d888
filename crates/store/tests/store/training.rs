//! Training progress and certificates.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use skafada_store::{RespondentId, Store, today};

use crate::{on_both, study_with_site};

async fn respondent(store: &Store) -> RespondentId {
    let (_, site) = study_with_site(store).await;
    let token = store
        .create_session(&site.id, None, Duration::from_secs(600))
        .await
        .unwrap();
    store
        .consent(
            &token,
            &site,
            &[("consent".to_owned(), "1".to_owned())],
            "p1",
        )
        .await
        .unwrap()
        .respondent_id
}

async fn training_progress_records_sections_and_the_last_answer_to_each_check(store: Store) {
    let id = respondent(&store).await;
    assert_eq!(
        store.training_progress(&id).await.unwrap(),
        Default::default()
    );
    store.complete_section(&id, "intro").await.unwrap();
    store.complete_section(&id, "risk").await.unwrap();
    // Completing a section twice is harmless.
    store.complete_section(&id, "intro").await.unwrap();
    store
        .record_check(&id, "risk", 0, "b", false)
        .await
        .unwrap();
    store.record_check(&id, "risk", 0, "a", true).await.unwrap();
    store
        .record_check(&id, "risk", 1, "c", false)
        .await
        .unwrap();

    let progress = store.training_progress(&id).await.unwrap();
    assert_eq!(
        progress.completed,
        BTreeSet::from(["intro".to_owned(), "risk".to_owned()])
    );
    assert_eq!(
        progress.checks,
        BTreeMap::from([
            (("risk".to_owned(), 0), ("a".to_owned(), true)),
            (("risk".to_owned(), 1), ("c".to_owned(), false)),
        ])
    );
    // Another respondent's progress is their own.
    let other = respondent(&store).await;
    assert_eq!(
        store.training_progress(&other).await.unwrap(),
        Default::default()
    );
}
on_both!(training_progress_records_sections_and_the_last_answer_to_each_check);

async fn an_issued_certificate_is_verified_by_its_code_as_typed(store: Store) {
    let id = respondent(&store).await;
    assert!(!store.has_certificate(&id).await.unwrap());
    store.complete_section(&id, "intro").await.unwrap();
    let record = store
        .issue_certificate(&id, "Module title", "1.2", 95)
        .await
        .unwrap();
    assert_eq!(record.module_title, "Module title");
    assert_eq!(record.module_version, "1.2");
    assert_eq!(record.learning_minutes, 95);
    assert_eq!(record.issued_month, today().month());
    assert_eq!(record.code.len(), 17, "{}", record.code);
    assert!(store.has_certificate(&id).await.unwrap());

    assert_eq!(
        store.verify_certificate(&record.code).await.unwrap(),
        Some(record.clone())
    );
    let typed: String = record
        .code
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_lowercase();
    assert_eq!(
        store.verify_certificate(&typed).await.unwrap(),
        Some(record.clone())
    );
    // A second certificate has its own code; both verify.
    let second = store
        .issue_certificate(&id, "Module title", "1.2", 95)
        .await
        .unwrap();
    assert_ne!(second.code, record.code);
    assert_eq!(
        store.verify_certificate(&second.code).await.unwrap(),
        Some(second)
    );
    assert!(
        store
            .verify_certificate(&record.code)
            .await
            .unwrap()
            .is_some()
    );
}
on_both!(an_issued_certificate_is_verified_by_its_code_as_typed);

async fn unknown_or_malformed_certificate_codes_verify_as_nothing(store: Store) {
    assert!(store.verify_certificate("").await.unwrap().is_none());
    assert!(
        store
            .verify_certificate("not a code")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .verify_certificate("AAAAA-AAAAA-AAAAA")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .has_certificate(&RespondentId::new("no-such-respondent"))
            .await
            .unwrap()
    );
}
on_both!(unknown_or_malformed_certificate_codes_verify_as_nothing);
