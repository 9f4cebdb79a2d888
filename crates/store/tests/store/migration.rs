//! Migration 5 rewrites an existing database's certificates: each keeps its code, loses
//! its respondent and keeps only the month of its date; the respondent keeps a flag; and
//! (on SQLite, whose file the test can read) the old rows are gone from the file's bytes.
//! A study made before linking keys existed gets one on first use, and keeps it.

use std::borrow::Cow;
use std::path::PathBuf;

use skafada_store::{RespondentId, Store, StudyId, random_token};
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// The store's first `last` migrations (at most 14) of a backend, exactly as the store
/// runs them (same versions, names and text, so the same checksums): a database as an
/// older release left it.
pub(crate) fn migrations_up_to(last: usize, postgres: bool) -> Migrator {
    let sqlite = [
        include_str!("../../migrations/sqlite/0001_initial.sql"),
        include_str!("../../migrations/sqlite/0002_admin.sql"),
        include_str!("../../migrations/sqlite/0003_monitoring_retention.sql"),
        include_str!("../../migrations/sqlite/0004_study_management.sql"),
        include_str!("../../migrations/sqlite/0005_certificates_unlinked.sql"),
        include_str!("../../migrations/sqlite/0006_study_closes_at_deletion.sql"),
        include_str!("../../migrations/sqlite/0007_sign_in_backoff.sql"),
        include_str!("../../migrations/sqlite/0008_content_digests.sql"),
        include_str!("../../migrations/sqlite/0009_case_studies.sql"),
        include_str!("../../migrations/sqlite/0010_follow_up_waves.sql"),
        include_str!("../../migrations/sqlite/0011_link_codes.sql"),
        include_str!("../../migrations/sqlite/0012_participant_information.sql"),
        include_str!("../../migrations/sqlite/0013_follow_up_responses.sql"),
        include_str!("../../migrations/sqlite/0014_arm_allocations.sql"),
    ];
    let postgres_files = [
        include_str!("../../migrations/postgres/0001_initial.sql"),
        include_str!("../../migrations/postgres/0002_admin.sql"),
        include_str!("../../migrations/postgres/0003_monitoring_retention.sql"),
        include_str!("../../migrations/postgres/0004_study_management.sql"),
        include_str!("../../migrations/postgres/0005_certificates_unlinked.sql"),
        include_str!("../../migrations/postgres/0006_study_closes_at_deletion.sql"),
        include_str!("../../migrations/postgres/0007_sign_in_backoff.sql"),
        include_str!("../../migrations/postgres/0008_content_digests.sql"),
        include_str!("../../migrations/postgres/0009_case_studies.sql"),
        include_str!("../../migrations/postgres/0010_follow_up_waves.sql"),
        include_str!("../../migrations/postgres/0011_link_codes.sql"),
        include_str!("../../migrations/postgres/0012_participant_information.sql"),
        include_str!("../../migrations/postgres/0013_follow_up_responses.sql"),
        include_str!("../../migrations/postgres/0014_arm_allocations.sql"),
    ];
    let texts = if postgres { postgres_files } else { sqlite };
    let names = [
        "initial",
        "admin",
        "monitoring_retention",
        "study_management",
        "certificates_unlinked",
        "study_closes_at_deletion",
        "sign_in_backoff",
        "content_digests",
        "case_studies",
        "follow_up_waves",
        "link_codes",
        "participant_information",
        "follow_up_responses",
        "arm_allocations",
    ];
    Migrator {
        migrations: Cow::Owned(
            (1..)
                .zip(names)
                .zip(texts)
                .take(last)
                .map(|((version, name), sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(name),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

/// A study `s` with a site `site` (`LA01`), in the columns every migration since the
/// first has: for an older database made by hand.
pub(crate) const OLD_STUDY_AND_SITE: [&str; 2] = [
    "INSERT INTO studies (id, name, pre_instrument, post_instrument, module_id, \
     module_sources, opens_on, closes_on, retain_until, created_on) \
     VALUES ('s', 'S', '', '', 'm', '{}', '2026-01-01', '2026-12-31', '2027-12-31', \
     '2026-01-01')",
    "INSERT INTO sites (id, study_id, code, name, region, model_of_practice, population, \
     ethnicity, area_type, local_services, link_token) \
     VALUES ('site', 's', 'LA01', 'A', '', '', '', '', '', '[]', 'link')",
];

/// Makes a database at `url` as the store left it before migration 5, with two
/// respondents, one of whom has a certificate; returns their ids.
async fn old_database(url: &str, postgres: bool) -> (String, String) {
    sqlx::any::install_default_drivers();
    let old = sqlx::AnyPool::connect(url).await.unwrap();
    migrations_up_to(4, postgres).run(&old).await.unwrap();
    let respondent = random_token().unwrap();
    let other = random_token().unwrap();
    for sql in OLD_STUDY_AND_SITE {
        sqlx::query(sql).execute(&old).await.unwrap();
    }
    for id in [&respondent, &other] {
        sqlx::query(
            "INSERT INTO respondents (id, study_id, site_id, created_on, returned) \
             VALUES ($1, 's', 'site', '2026-03-02', 0)",
        )
        .bind(id)
        .execute(&old)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO certificates (code, respondent_id, module_title, module_version, \
         issued_on, learning_minutes) VALUES ('ABCDE-FGHJK-LMNPQ', $1, 'Module', '1', \
         '2026-03-17', 85)",
    )
    .bind(&respondent)
    .execute(&old)
    .await
    .unwrap();
    old.close().await;
    (respondent, other)
}

/// Connects the store (which migrates) and checks the rewritten certificate.
async fn migrated(url: &str, respondent: &str, other: &str) -> Store {
    let store = Store::connect(url).await.unwrap();
    let record = store
        .verify_certificate("abcde fghjk lmnpq")
        .await
        .unwrap()
        .expect("the printed code still verifies");
    assert_eq!(record.issued_month, "2026-03");
    assert_eq!(record.learning_minutes, 85);
    assert!(
        store
            .has_certificate(&RespondentId::new(respondent))
            .await
            .unwrap()
    );
    assert!(
        !store
            .has_certificate(&RespondentId::new(other))
            .await
            .unwrap()
    );
    let key = store.linking_key(&StudyId::new("s")).await.unwrap();
    assert_eq!(store.linking_key(&StudyId::new("s")).await.unwrap(), key);
    let progress = store.study_progress(&StudyId::new("s")).await.unwrap();
    assert_eq!(progress.iter().filter(|p| p.certificate).count(), 1);
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_certificates_are_rewritten_without_their_respondent_or_day_on_sqlite() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "skafada-migration-{}.sqlite",
        random_token().unwrap()
    ));
    let (respondent, other) =
        old_database(&format!("sqlite://{}?mode=rwc", path.display()), false).await;
    let store = migrated(&format!("sqlite://{}", path.display()), &respondent, &other).await;
    store.close().await;

    // The old row (the code beside the respondent and the day) is in no byte of the file.
    let bytes = std::fs::read(&path).unwrap();
    let holds = |text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(holds("ABCDE-FGHJK-LMNPQ"), "the new record is there");
    assert!(!holds("2026-03-17"), "the day of the old record is gone");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_certificates_are_rewritten_without_their_respondent_or_day_on_postgres() {
    let Some(database) = crate::PostgresDatabase::create("migration").await else {
        return;
    };
    let (respondent, other) = old_database(&database.url, true).await;
    let store = migrated(&database.url, &respondent, &other).await;
    store.close().await;
    database.drop().await;
}
