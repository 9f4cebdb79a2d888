//! The store's integration tests: what deletion leaves in the database's files, sessions,
//! migrating existing certificates, and each study's linking key; and a behaviour suite
//! that runs every test on both databases (`on_both!`: `name::on_sqlite` on a fresh
//! SQLite file, `name::on_postgres` on a fresh PostgreSQL database), asserting the same
//! behaviour on each: `studies_and_sites`, `journeys`, `follow_up`, `training`,
//! `accounts`, `management`, `monitoring_and_import`, `allocation_and_exports`,
//! `retention`, `casework` and `packing`.
//!
//! Coverage of the 110 public async `Store` methods (counted 2026-12-06):
//!
//! Called by the on-both suite (108; all but `close` with assertions on what they do):
//! - studies: `create_study`, `add_site`, `studies`, `study`, `site`, `site_by_token`,
//!   `sites`, `links`
//! - journey: `create_session`, `session`, `session_with_site`, `ended_session_with_site`,
//!   `study_window`, `extend_session`, `delete_session`, `consent`, `respondent`,
//!   `new_resume_code`, `resume`, `response`, `response_with_answers`, `start_post`,
//!   `answers`, `submit`
//! - group_commit: `save_page`
//! - reading: `study_answers`, `study_responses`, `each_stored_response`,
//!   `study_respondent_count`; packed: `variable_names`, `reload_variable_names`
//! - training: `complete_section`, `record_check`, `training_progress`,
//!   `issue_certificate`, `has_certificate`, `verify_certificate`
//! - follow_up: `create_follow_up_session`, `consent_follow_up`,
//!   `link_follow_up_by_resume_code`, `leave_link_step`, `follow_up_is_linked`,
//!   `wave_responses`, `wave_answers`, `baseline_link_codes`
//! - linking: `save_link_code`, `link_code`
//! - management: `create_study_by`, `update_study`, `add_site_by`, `update_site`,
//!   `set_local_services`, `replace_link`, `messages`, `set_message`, `wave_messages`,
//!   `set_wave_message`, `starts`, `la_contact_emails`, `log_reminders`,
//!   `log_message_sent`
//! - accounts: `create_account`, `account_by_email`, `sign_in`, `admin_session`,
//!   `sign_out`, `change_password`
//! - audit: `audit_log`; exports: `log_export`
//! - allocation: `allocate`, `arm_of`, `allocations`; secret: `allocation_seed`,
//!   `linking_key`
//! - monitoring: `study_progress`, `site_by_code`, `headcounts`, `set_headcount`
//! - import: `import_responses`, `import_starts`
//! - retention: `delete_site_data`, `run_retention`, `deletions`
//! - casework: `add_case_study_site`, `case_study_sites`, `add_interview`,
//!   `update_interview`, `set_double_coded`, `interviews`, `interview`,
//!   `store_transcript`, `revise_transcript`, `accept_transcript`, `transcript`,
//!   `delete_transcript`, `delete_interview`, `add_passage`, `passages`,
//!   `delete_passage`, `decide_disagreement`, `set_summary`, `add_document`,
//!   `delete_document`, `case_study_data`, `log_case_study_export`
//! - connect: `connect`, `is_empty`, `close` (`close` by the harness only, after each
//!   test: nothing asserts what it does)
//!
//! Not covered (2): probe's `probe_commit` and `clear_probe` (the bench's commit probe;
//! nothing public reads what they write).
//!
//! Thinly covered: `baseline_link_codes` with one respondent's code;
//! the casework deletions check what is read back and that they are audited, not what
//! the scrub leaves in the files (that is `deletion.rs`, SQLite only); `sign_in`'s
//! session expiry (`idle`, `absolute`) is not exercised.
//!
//! (`connect`, `close`, `extend_session` and `linking_key` are also used by the older
//! tests above.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod allocation_and_exports;
mod casework;
mod deletion;
mod follow_up;
mod journeys;
mod linking;
mod management;
mod migration;
mod monitoring_and_import;
mod packing;
mod retention;
mod sessions;
mod studies_and_sites;
mod training;

use std::future::Future;

use skafada_store::{Backend, NewSite, NewStudy, Site, Store, StudyId, random_token};

/// Runs an async test body, `async fn name(store: Store)`, on both databases: generates
/// `name::on_sqlite` (a fresh SQLite file in the temporary directory, removed afterwards)
/// and `name::on_postgres` (a fresh PostgreSQL database, see [`PostgresDatabase`]).
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                $crate::run_on_sqlite(super::$name).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                $crate::run_on_postgres(stringify!($name), super::$name).await;
            }
        }
    };
}
pub(crate) use on_both;

/// Runs `body` on a store over a fresh SQLite file, then removes the file (and its WAL
/// and shared-memory files), whether or not the body panicked.
pub(crate) async fn run_on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let path = std::env::temp_dir().join(format!(
        "skafada-store-test-{}.sqlite",
        random_token().unwrap()
    ));
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    let outcome = tokio::spawn(body(store.clone())).await;
    store.close().await;
    deletion::remove(&path);
    rethrow(outcome);
}

/// Passes on the panic of a failed test body, once its database is cleaned up.
fn rethrow(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("the test body did not finish: {error}"),
        }
    }
}

/// Runs `body` on a store over a fresh PostgreSQL database, then drops the database
/// (whether or not the body panicked);
/// says "skipped" when PostgreSQL is not reachable (unless it is required).
pub(crate) async fn run_on_postgres<F, Fut>(name: &str, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let prefix: String = name.chars().take(20).collect();
    let Some(database) = PostgresDatabase::create(&prefix).await else {
        return;
    };
    let store = Store::connect(&database.url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    let outcome = tokio::spawn(body(store.clone())).await;
    store.close().await;
    database.drop().await;
    rethrow(outcome);
}

/// A valid study: open from 2020 to 2099, with no instrument content (the store does
/// not parse content).
pub(crate) fn new_study(name: &str) -> NewStudy {
    NewStudy {
        name: name.to_owned(),
        module_id: "module".to_owned(),
        opens_on: "2020-01-01".parse().unwrap(),
        closes_on: "2099-12-31".parse().unwrap(),
        retain_until: "2099-12-31".parse().unwrap(),
        ..NewStudy::default()
    }
}

/// A site with the given code and every field filled in.
pub(crate) fn new_site(code: &str) -> NewSite {
    NewSite {
        code: code.to_owned(),
        name: format!("Site {code}"),
        region: "North West".to_owned(),
        model_of_practice: "In-house".to_owned(),
        population: "Urban".to_owned(),
        ethnicity: "Mixed".to_owned(),
        area_type: "City".to_owned(),
        deprivation_quintile: Some(2),
        local_services: "[]".to_owned(),
    }
}

/// A study with one site, `LA01`.
pub(crate) async fn study_with_site(store: &Store) -> (StudyId, Site) {
    let study_id = store.create_study(&new_study("Study")).await.unwrap();
    let site = store.add_site(&study_id, &new_site("LA01")).await.unwrap();
    (study_id, site)
}

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL database for one test, dropped by [`PostgresDatabase::drop`].
pub(crate) struct PostgresDatabase {
    admin: sqlx::AnyPool,
    name: String,
    /// Its URL.
    pub(crate) url: String,
}

impl PostgresDatabase {
    /// Creates one, or says the test is skipped and returns `None` when PostgreSQL is not
    /// reachable (a failure when `SKAFADA_TEST_POSTGRES=required`).
    pub(crate) async fn create(prefix: &str) -> Option<PostgresDatabase> {
        sqlx::any::install_default_drivers();
        let required = std::env::var("SKAFADA_TEST_POSTGRES").is_ok_and(|v| v == "required");
        let admin = match sqlx::AnyPool::connect(PG_ADMIN).await {
            Ok(pool) => pool,
            Err(error) if !required => {
                eprintln!(
                    "skipped: PostgreSQL not reachable ({error}); \
                     set SKAFADA_TEST_POSTGRES=required to fail"
                );
                return None;
            }
            Err(error) => panic!("PostgreSQL is required but not reachable: {error}"),
        };
        let name = format!("skafada_{prefix}_{}", random_token().unwrap());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        Some(PostgresDatabase { admin, name, url })
    }

    /// Drops the database.
    pub(crate) async fn drop(self) {
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
        self.admin.close().await;
    }
}
