//! Migration 5 rewrites an existing database's certificates: each keeps its code, loses
//! its respondent and keeps only the month of its date; the respondent keeps a flag; and
//! the old rows are gone from the file's bytes.

use std::borrow::Cow;
use std::path::PathBuf;

use skafada_store::{Store, random_token};
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// The first four migrations, exactly as the store runs them (same versions, names and
/// text, so the same checksums).
fn before_certificates_unlinked() -> Migrator {
    let files = [
        (
            1,
            "initial",
            include_str!("../../migrations/sqlite/0001_initial.sql"),
        ),
        (
            2,
            "admin",
            include_str!("../../migrations/sqlite/0002_admin.sql"),
        ),
        (
            3,
            "monitoring_retention",
            include_str!("../../migrations/sqlite/0003_monitoring_retention.sql"),
        ),
        (
            4,
            "study_management",
            include_str!("../../migrations/sqlite/0004_study_management.sql"),
        ),
    ];
    Migrator {
        migrations: Cow::Owned(
            files
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*name),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_certificates_are_rewritten_without_their_respondent_or_day() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "skafada-migration-{}.sqlite",
        random_token().unwrap()
    ));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    sqlx::any::install_default_drivers();
    let old = sqlx::AnyPool::connect(&url).await.unwrap();
    before_certificates_unlinked().run(&old).await.unwrap();
    let respondent = random_token().unwrap();
    let other = random_token().unwrap();
    for sql in [
        "INSERT INTO studies (id, name, pre_instrument, post_instrument, module_id, \
         module_sources, opens_on, closes_on, retain_until, created_on) \
         VALUES ('s', 'S', '', '', 'm', '{}', '2026-01-01', '2026-12-31', '2027-12-31', '2026-01-01')",
        "INSERT INTO sites (id, study_id, code, name, region, model_of_practice, population, \
         ethnicity, area_type, local_services, link_token) \
         VALUES ('site', 's', 'LA01', 'A', '', '', '', '', '', '[]', 'link')",
    ] {
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

    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let record = store
        .verify_certificate("abcde fghjk lmnpq")
        .await
        .unwrap()
        .expect("the printed code still verifies");
    assert_eq!(record.issued_month, "2026-03");
    assert_eq!(record.learning_minutes, 85);
    assert!(store.has_certificate(&respondent).await.unwrap());
    assert!(!store.has_certificate(&other).await.unwrap());
    let progress = store.study_progress("s").await.unwrap();
    assert_eq!(progress.iter().filter(|p| p.certificate).count(), 1);
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
