//! Connecting: the backend, the migrations and the pool.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row};

use crate::group_commit::PendingPages;
use crate::retention::{self, Scrub};
use crate::write::WriteLock;
use crate::{Store, StoreError};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file in WAL mode.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// The migrations, in order: version, name, SQLite text, PostgreSQL text.
const MIGRATIONS: [(i64, &str, &str, &str); 16] = [
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "admin",
        include_str!("../migrations/sqlite/0002_admin.sql"),
        include_str!("../migrations/postgres/0002_admin.sql"),
    ),
    (
        3,
        "monitoring_retention",
        include_str!("../migrations/sqlite/0003_monitoring_retention.sql"),
        include_str!("../migrations/postgres/0003_monitoring_retention.sql"),
    ),
    (
        4,
        "study_management",
        include_str!("../migrations/sqlite/0004_study_management.sql"),
        include_str!("../migrations/postgres/0004_study_management.sql"),
    ),
    (
        5,
        "certificates_unlinked",
        include_str!("../migrations/sqlite/0005_certificates_unlinked.sql"),
        include_str!("../migrations/postgres/0005_certificates_unlinked.sql"),
    ),
    (
        6,
        "study_closes_at_deletion",
        include_str!("../migrations/sqlite/0006_study_closes_at_deletion.sql"),
        include_str!("../migrations/postgres/0006_study_closes_at_deletion.sql"),
    ),
    (
        7,
        "sign_in_backoff",
        include_str!("../migrations/sqlite/0007_sign_in_backoff.sql"),
        include_str!("../migrations/postgres/0007_sign_in_backoff.sql"),
    ),
    (
        8,
        "content_digests",
        include_str!("../migrations/sqlite/0008_content_digests.sql"),
        include_str!("../migrations/postgres/0008_content_digests.sql"),
    ),
    (
        9,
        "case_studies",
        include_str!("../migrations/sqlite/0009_case_studies.sql"),
        include_str!("../migrations/postgres/0009_case_studies.sql"),
    ),
    (
        10,
        "follow_up_waves",
        include_str!("../migrations/sqlite/0010_follow_up_waves.sql"),
        include_str!("../migrations/postgres/0010_follow_up_waves.sql"),
    ),
    (
        11,
        "link_codes",
        include_str!("../migrations/sqlite/0011_link_codes.sql"),
        include_str!("../migrations/postgres/0011_link_codes.sql"),
    ),
    (
        12,
        "participant_information",
        include_str!("../migrations/sqlite/0012_participant_information.sql"),
        include_str!("../migrations/postgres/0012_participant_information.sql"),
    ),
    (
        13,
        "follow_up_responses",
        include_str!("../migrations/sqlite/0013_follow_up_responses.sql"),
        include_str!("../migrations/postgres/0013_follow_up_responses.sql"),
    ),
    (
        14,
        "arm_allocations",
        include_str!("../migrations/sqlite/0014_arm_allocations.sql"),
        include_str!("../migrations/postgres/0014_arm_allocations.sql"),
    ),
    (
        15,
        "packed_answers",
        include_str!("../migrations/sqlite/0015_packed_answers.sql"),
        include_str!("../migrations/postgres/0015_packed_answers.sql"),
    ),
    // Runs after the store has packed the old answer rows (`packed::pack_answer_rows`).
    (
        16,
        "drop_answer_rows",
        include_str!("../migrations/sqlite/0016_drop_answer_rows.sql"),
        include_str!("../migrations/postgres/0016_drop_answer_rows.sql"),
    ),
];

/// The last migration before the old answer rows are packed into their responses.
const BEFORE_PACKING: i64 = 15;

/// How many migrations a database has once the answers table is gone (migration 16).
const ANSWER_ROWS_DROPPED: usize = 16;

/// The migrations up to `last` (all of them with `None`). A database already past
/// `last` is left as it is.
fn migrator(backend: Backend, last: Option<i64>) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .filter(|(version, ..)| last.is_none_or(|last| *version <= last))
        .map(|(version, name, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: last.is_some(),
        ..Migrator::DEFAULT
    }
}

/// How many migrations the database had before this start (0 for a new database).
async fn applied_migrations(pool: &AnyPool) -> Result<usize, StoreError> {
    // sqlx's own table, which a new database does not have yet: no table is no
    // migrations (and any other failure shows itself in the migrations that follow).
    let applied = sqlx::query("SELECT COUNT(*) AS applied FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get::<i64, _>("applied"));
    Ok(applied.map_or(0, |n| usize::try_from(n).unwrap_or(0)))
}

/// Makes a plain SQLite path (or `sqlite://path`) into a URL that creates the file.
fn normalise_url(url: &str) -> Result<(String, Backend), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_owned(), Backend::Postgres));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.trim_start_matches("//");
        let with_mode = if rest.contains('?') {
            rest.to_owned()
        } else {
            format!("{rest}?mode=rwc")
        };
        return Ok((format!("sqlite://{with_mode}"), Backend::Sqlite));
    }
    Err(StoreError::UnsupportedUrl)
}

impl Store {
    /// Connects to the database the URL names, creating a SQLite file if needed, and
    /// runs the migrations.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let options: AnyConnectOptions = url.parse()?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                pool_options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL: readers never wait for the writer. FULL: a commit is
                            // on disk (the WAL is fsynced) before it is acknowledged.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // Deleted rows are overwritten with zeros, not just unlinked:
                            // deleted answers must not be readable in the file's free
                            // pages (the WAL is scrubbed after each deletion too).
                            conn.execute("PRAGMA secure_delete = ON").await?;
                            // Pages from memory, not a copy from the OS per read: every
                            // request reads its session, site and answers. 16 MiB of cache
                            // per connection. The file is not mapped: each connection maps
                            // it for itself, so a study's results read through two of them
                            // held the file twice in the process's resident memory.
                            conn.execute("PRAGMA cache_size = -16384").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                pool_options
                    .max_connections(16)
                    .connect_with(options)
                    .await?
            }
        };
        let applied_before = applied_migrations(&pool).await?;
        migrator(backend, Some(BEFORE_PACKING)).run(&pool).await?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(WriteLock::new(())));
        let pending_pages = (backend == Backend::Sqlite).then(|| Arc::new(PendingPages::default()));
        let store = Store {
            pool,
            backend,
            write_lock,
            pending_pages,
            variables: Arc::default(),
            last_session_clean_up: Arc::default(),
        };
        // Only a database without migration 16 still has the answers table to pack.
        if applied_before < ANSWER_ROWS_DROPPED {
            store.pack_answer_rows().await?;
        }
        migrator(backend, None).run(&store.pool).await?;
        // Migration 5 rewrote the certificates without their respondents: the old rows
        // must not stay readable in free pages or the WAL. An existing database is
        // scrubbed once, after it is migrated; a new one has nothing to scrub.
        if applied_before > 0
            && applied_before < MIGRATIONS.len()
            && let Scrub::Incomplete(reason) = store.scrub(retention::MIGRATED_TABLES).await
        {
            tracing::error!(%reason, "the database files could not be scrubbed after migrating");
        }
        Ok(store)
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database holds no study yet.
    #[tracing::instrument(skip_all)]
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS study_count FROM studies")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("study_count")? == 0)
    }
}
