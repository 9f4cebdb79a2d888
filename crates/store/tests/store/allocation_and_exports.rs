//! Allocating sites and respondents to trial arms, and the audit log of exports.

use skafada_store::{ExportLog, Phase, Role, Store};

use crate::accounts::account;
use crate::{new_study, on_both};

fn alternate(position: u64) -> Option<String> {
    Some(if position.is_multiple_of(2) { "a" } else { "b" }.to_owned())
}

async fn allocation_takes_places_in_order_per_stratum_and_is_stable(store: Store) {
    let study_id = store.create_study(&new_study("Trial")).await.unwrap();
    let first = store
        .allocate(&study_id, "", "site-1", alternate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.arm.as_str(), first.position), ("a", 0));
    let second = store
        .allocate(&study_id, "", "site-2", alternate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.arm.as_str(), second.position), ("b", 1));
    // Another stratum counts from its own start.
    let respondent = store
        .allocate(&study_id, "stratum-x", "respondent-1", alternate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((respondent.arm.as_str(), respondent.position), ("a", 0));
    // A unit allocated again keeps its arm, whatever the list says now.
    let again = store
        .allocate(&study_id, "", "site-1", |_| Some("c".to_owned()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, first);
    // A list that has run out allocates nothing.
    assert!(
        store
            .allocate(&study_id, "", "site-3", |_| None)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.arm_of("site-3").await.unwrap(), None);

    assert_eq!(store.arm_of("site-1").await.unwrap().as_deref(), Some("a"));
    assert_eq!(store.arm_of("site-2").await.unwrap().as_deref(), Some("b"));
    assert_eq!(store.arm_of("nobody").await.unwrap(), None);

    let rows: Vec<(String, u64, String, String)> = store
        .allocations(&study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            assert!(row.allocated_at > 0);
            (row.stratum, row.position, row.unit_id, row.arm)
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (String::new(), 0, "site-1".to_owned(), "a".to_owned()),
            (String::new(), 1, "site-2".to_owned(), "b".to_owned()),
            (
                "stratum-x".to_owned(),
                0,
                "respondent-1".to_owned(),
                "a".to_owned()
            ),
        ]
    );
    let other = store.create_study(&new_study("Other")).await.unwrap();
    assert!(store.allocations(&other).await.unwrap().is_empty());

    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let mut allocated: Vec<(&str, Option<&str>, &str)> = log
        .iter()
        .filter(|e| e.action == "allocated")
        .map(|e| {
            (
                e.object_type.as_str(),
                e.object_id.as_deref(),
                e.details.as_str(),
            )
        })
        .collect();
    allocated.sort_unstable();
    assert_eq!(
        allocated,
        vec![
            (
                "respondent",
                None,
                "place 0 of the site's respondents allocated to arm a"
            ),
            (
                "site",
                Some("site-1"),
                "place 0 of the study's sites allocated to arm a"
            ),
            (
                "site",
                Some("site-2"),
                "place 1 of the study's sites allocated to arm b"
            ),
        ]
    );
}
on_both!(allocation_takes_places_in_order_per_stratum_and_is_stable);

async fn an_export_is_audited_with_its_scope_and_who_made_it(store: Store) {
    let analyst = account(&store, "analyst@example.org", Role::Analyst, None, None).await;
    let study_id = store.create_study(&new_study("Exports")).await.unwrap();
    store
        .log_export(&ExportLog {
            account_id: &analyst.id,
            study_id: &study_id,
            site_code: Some("LA01"),
            phase: Some(Phase::Pre),
            format: "csv",
            records: Some(3),
            purpose: Some("Checking"),
        })
        .await
        .unwrap();
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].action, "export");
    assert_eq!(log[0].email.as_deref(), Some("analyst@example.org"));
    assert_eq!(
        log[0].details,
        "LA01: pre-training survey, csv, 3 records; purpose: Checking"
    );
    assert!(log[0].at > 0);
    // The study's log holds only the study's entries; the whole log holds more.
    let everything = store.audit_log(None, 100).await.unwrap();
    assert!(everything.iter().any(|e| e.action == "account-created"));
    assert!(everything.len() > log.len());
}
on_both!(an_export_is_audited_with_its_scope_and_who_made_it);

async fn each_study_draws_its_own_allocation_seed_once(store: Store) {
    let one = store.create_study(&new_study("One")).await.unwrap();
    let two = store.create_study(&new_study("Two")).await.unwrap();
    let seed = store.allocation_seed(&one).await.unwrap();
    assert_eq!(seed.to_bytes().len(), 32);
    assert_eq!(store.allocation_seed(&one).await.unwrap(), seed);
    assert_ne!(store.allocation_seed(&two).await.unwrap(), seed);
    // The seed is not the study's linking key.
    assert_ne!(store.linking_key(&one).await.unwrap(), seed);
}
on_both!(each_study_draws_its_own_allocation_seed_once);
