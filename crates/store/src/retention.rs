//! Deleting response data: a study's on its retention date (the date its consent form
//! promises), and one site's when a study admin asks.
//!
//! Each deletion removes the respondents with their responses, answers, training
//! progress, knowledge check answers, journey sessions and the counts of journeys
//! started, and the case studies' interviews, transcripts, coding, summaries and audit
//! documents, and leaves a tombstone (row counts, never the data or anything computed from
//! it) and an audit entry, all in one transaction. Certificate records are not deleted:
//! nothing relates one to a respondent, a site or a study (that is the point of them),
//! they hold no answers, and the practitioner still needs theirs verified for their CPD.
//!
//! Deleting rows is not enough for the data to be gone from the database's files, so
//! each deletion is followed by a scrub ([`Scrub`]) outside its transaction. On SQLite
//! (where every connection has `secure_delete` on, so freed pages are zeroed): the WAL is
//! checkpointed and truncated, the database is rebuilt by `VACUUM`, and the WAL
//! checkpointed and truncated again, all while the store's write turn is held, so no
//! write of the journey lands in between. On PostgreSQL: the affected tables are
//! vacuumed. What remains in PostgreSQL's own files (WAL segments, backups, replicas) is
//! in `docs/confidentiality.md`.

use std::time::Duration;

use sqlx::{Any, Executor, Row};

use crate::audit::{self, Audit};
use crate::date::unix_now;
use crate::rows;
use crate::secret::random_token;
use crate::write::Write;
use crate::{Backend, Day, Site, SiteId, Store, StoreError, StudyId};

/// The tables a deletion of respondent data changes: what PostgreSQL vacuums after it.
pub(crate) const DELETED_TABLES: &[&str] = &[
    "link_codes",
    "follow_up_links",
    "arm_allocations",
    "study_secrets",
    "responses",
    "training_sections",
    "knowledge_checks",
    "sessions",
    "site_starts",
    "respondents",
    "document_ratings",
    "documents",
    "coding_decisions",
    "matrix_summaries",
    "passage_codes",
    "passages",
    "transcript_turns",
    "interviews",
];

/// The tables migrations rewrote (certificates without their respondents; the answers
/// packed into their responses): scrubbed once after a database is migrated.
pub(crate) const MIGRATED_TABLES: &[&str] = &["certificates", "respondents", "responses"];

/// How many times a SQLite checkpoint blocked by readers is tried before the scrub is
/// reported incomplete (each try also waits up to a second for them).
const CHECKPOINT_TRIES: u32 = 5;

/// Whether deleted data is gone from the database's files, not only from its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scrub {
    /// SQLite: the WAL checkpointed and truncated and the file rebuilt by `VACUUM`, so
    /// no freed page or old WAL frame holds deleted data. PostgreSQL: the tables
    /// vacuumed (see `docs/confidentiality.md` for what that does not reach).
    Done,
    /// The scrub could not complete (for example, readers kept the WAL busy): the data
    /// is deleted from the tables but may still be readable in the files until a later
    /// deletion scrubs them (a retention run scrubs only when it deletes something).
    /// Why.
    Incomplete(String),
}

/// What one deletion removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The study.
    pub study_id: StudyId,
    /// The site's code, when one site's data was deleted.
    pub site_code: Option<String>,
    /// Why.
    pub reason: DeletionReason,
    /// Respondents deleted.
    pub respondents: i64,
    /// Responses deleted.
    pub responses: i64,
    /// Answers deleted.
    pub answers: i64,
    /// Case-study interviews deleted, with their transcripts, coding and summaries.
    pub interviews: i64,
    /// Documents of the audit deleted.
    pub documents: i64,
    /// Whether the deleted data is also gone from the database's files.
    pub scrub: Scrub,
}

/// Why data was deleted, as the `deletions` table records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionReason {
    /// The study's retention date passed (`retention`).
    Retention,
    /// An administrator deleted one site's data (`site-deletion`).
    SiteDeletion,
}

impl DeletionReason {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionReason::Retention => "retention",
            DeletionReason::SiteDeletion => "site-deletion",
        }
    }

    /// Reads the stored text; anything else is a damaged row.
    fn parse(stored: &str) -> Result<Self, StoreError> {
        match stored {
            "retention" => Ok(DeletionReason::Retention),
            "site-deletion" => Ok(DeletionReason::SiteDeletion),
            other => Err(StoreError::Corrupt(format!(
                "a deletion's reason is {other:?}, not retention or site-deletion"
            ))),
        }
    }
}

/// The record a deletion leaves: when, where and how much, never what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// When, in Unix seconds.
    pub at: i64,
    /// The site, when one site's data was deleted.
    pub site_id: Option<SiteId>,
    /// Why.
    pub reason: DeletionReason,
    /// Respondents deleted.
    pub respondents: i64,
}

/// Which respondents a deletion covers: a fixed column of `respondents` (never text
/// from a request) and its value.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Study(&'a str),
    Site(&'a str),
}

impl Scope<'_> {
    /// The respondent column and the site column that select the scope.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Scope::Study(_) => ("study_id", "study_id"),
            Scope::Site(_) => ("site_id", "id"),
        }
    }

    fn value(self) -> String {
        match self {
            Scope::Study(id) | Scope::Site(id) => id.to_owned(),
        }
    }
}

/// Runs a count query; `sql` selects the count `AS counted`.
async fn count(tx: &mut Write<'_>, sql: &str, value: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query(sql)
        .bind(value)
        .fetch_one(&mut **tx)
        .await?
        .try_get("counted")?)
}

/// How much a deletion's scope held.
struct Counts {
    respondents: i64,
    responses: i64,
    answers: i64,
    interviews: i64,
    documents: i64,
}

/// Deletes the scope's respondent data and case-study data inside the caller's
/// transaction; returns the counts.
async fn delete_scope(tx: &mut Write<'_>, scope: Scope<'_>) -> Result<Counts, StoreError> {
    let (column, site_column) = scope.columns();
    let value = scope.value();
    let respondents = format!("SELECT id FROM respondents WHERE {column} = $1");
    let responses = format!("SELECT id FROM responses WHERE respondent_id IN ({respondents})");
    let counts = (
        count(
            tx,
            &format!("SELECT COUNT(*) AS counted FROM ({respondents}) AS r"),
            &value,
        )
        .await?,
        count(
            tx,
            &format!("SELECT COUNT(*) AS counted FROM ({responses}) AS r"),
            &value,
        )
        .await?,
        count(
            tx,
            &format!(
                "SELECT COALESCE(SUM(answer_count), 0) AS counted FROM responses \
                 WHERE respondent_id IN ({respondents})"
            ),
            &value,
        )
        .await?,
    );
    let statements = [
        format!("DELETE FROM link_codes WHERE response_id IN ({responses})"),
        format!("DELETE FROM follow_up_links WHERE response_id IN ({responses})"),
        format!("DELETE FROM responses WHERE respondent_id IN ({respondents})"),
        format!("DELETE FROM training_sections WHERE respondent_id IN ({respondents})"),
        format!("DELETE FROM arm_allocations WHERE unit_id IN ({respondents})"),
        format!("DELETE FROM knowledge_checks WHERE respondent_id IN ({respondents})"),
        format!(
            "DELETE FROM sessions WHERE site_id IN (SELECT id FROM sites WHERE {site_column} = $1)"
        ),
        format!(
            "DELETE FROM site_starts WHERE site_id IN (SELECT id FROM sites WHERE {site_column} = $1)"
        ),
        format!("DELETE FROM respondents WHERE {column} = $1"),
    ];
    for sql in &statements {
        sqlx::query(sql).bind(&value).execute(&mut **tx).await?;
    }
    let (interviews, documents) =
        crate::casework::delete_case_studies(tx, &format!("{column} = $1"), &value).await?;
    Ok(Counts {
        respondents: counts.0,
        responses: counts.1,
        answers: counts.2,
        interviews,
        documents,
    })
}

async fn tombstone(
    tx: &mut Write<'_>,
    deletion: &Deletion,
    site_id: Option<&str>,
    by: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO deletions (id, at, study_id, site_id, reason, respondents, responses, \
         answers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(random_token()?)
    .bind(unix_now())
    .bind(deletion.study_id.as_str())
    .bind(site_id)
    .bind(deletion.reason.as_str())
    .bind(deletion.respondents)
    .bind(deletion.responses)
    .bind(deletion.answers)
    .execute(&mut **tx)
    .await?;
    let place = match &deletion.site_code {
        Some(code) => format!("{code}: "),
        None => String::new(),
    };
    let details = format!(
        "{place}deleted {} respondents, {} responses and {} answers; {} case-study interviews \
         and {} audit documents",
        deletion.respondents,
        deletion.responses,
        deletion.answers,
        deletion.interviews,
        deletion.documents
    );
    let (action, object_type, object_id) = match site_id {
        Some(site_id) => ("site-data-deleted", "site", site_id),
        None => ("retention-run", "study", deletion.study_id.as_str()),
    };
    audit::write(
        tx,
        Audit {
            account_id: by,
            study_id: Some(&deletion.study_id),
            action,
            object_type,
            object_id: Some(object_id),
            details: &details,
        },
    )
    .await
}

impl Store {
    /// Deletes one site's response data (the site itself and its link stay), with a
    /// tombstone and an audit entry in the same transaction.
    #[tracing::instrument(skip_all)]
    pub async fn delete_site_data(&self, site: &Site, by: &str) -> Result<Deletion, StoreError> {
        let mut tx = self.write().await?;
        let counts = delete_scope(&mut tx, Scope::Site(&site.id)).await?;
        let deletion = Deletion {
            study_id: site.study_id.clone(),
            site_code: Some(site.code.clone()),
            reason: DeletionReason::SiteDeletion,
            respondents: counts.respondents,
            responses: counts.responses,
            answers: counts.answers,
            interviews: counts.interviews,
            documents: counts.documents,
            scrub: Scrub::Done,
        };
        tombstone(&mut tx, &deletion, Some(&site.id), Some(by)).await?;
        // Committing passes the write turn on: the scrub takes it again.
        tx.commit().await?;
        Ok(Deletion {
            scrub: self.scrub(DELETED_TABLES).await,
            ..deletion
        })
    }

    /// Deletes the response data of every study whose retention date is `today` or
    /// earlier. Studies with nothing left to delete are skipped, so running it daily,
    /// or from several processes, leaves one tombstone per deletion.
    #[tracing::instrument(skip_all)]
    pub async fn run_retention(&self, today: Day) -> Result<Vec<Deletion>, StoreError> {
        let rows = sqlx::query("SELECT id FROM studies WHERE retain_until <= $1 ORDER BY id")
            .bind(today.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut done = Vec::new();
        for row in rows {
            let study_id: StudyId = rows::id(&row, "id")?;
            let mut tx = self.write().await?;
            let counts = delete_scope(&mut tx, Scope::Study(&study_id)).await?;
            // The linking key links nothing once the responses are gone: it goes too.
            let keys = sqlx::query("DELETE FROM study_secrets WHERE study_id = $1")
                .bind(study_id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if counts.respondents == 0
                && counts.responses == 0
                && counts.interviews == 0
                && counts.documents == 0
            {
                if keys > 0 {
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                continue;
            }
            let deletion = Deletion {
                study_id,
                site_code: None,
                reason: DeletionReason::Retention,
                respondents: counts.respondents,
                responses: counts.responses,
                answers: counts.answers,
                interviews: counts.interviews,
                documents: counts.documents,
                scrub: Scrub::Done,
            };
            tombstone(&mut tx, &deletion, None, None).await?;
            tx.commit().await?;
            done.push(deletion);
        }
        if !done.is_empty() {
            let scrub = self.scrub(DELETED_TABLES).await;
            for deletion in &mut done {
                deletion.scrub = scrub.clone();
            }
        }
        Ok(done)
    }

    /// Makes deleted data unreadable in the database's files, outside any transaction.
    /// Never fails silently: a scrub that cannot complete is logged as an error and
    /// returned as [`Scrub::Incomplete`] for the deletion's result to report.
    pub(crate) async fn scrub(&self, tables: &[&str]) -> Scrub {
        let outcome = match self.backend {
            Backend::Sqlite => self.scrub_sqlite().await,
            Backend::Postgres => self.vacuum_postgres(tables).await,
        };
        match outcome {
            Ok(()) => Scrub::Done,
            Err(reason) => {
                tracing::error!(
                    %reason,
                    "deleted data may still be readable in the database files"
                );
                Scrub::Incomplete(reason)
            }
        }
    }

    /// SQLite: checkpoint and truncate the WAL, `VACUUM`, and again, holding the write
    /// turn so that no other write of this process comes in between.
    async fn scrub_sqlite(&self) -> Result<(), String> {
        // Not `Store::write`: `VACUUM` cannot run inside a transaction, so the scrub takes
        // the write turn alone and works on a connection of its own.
        let _turn = self.write_turn().await;
        let mut conn = self.pool.acquire().await.map_err(|e| e.to_string())?;
        // Every write of the process waits while the turn is held: a checkpoint waits
        // for readers a second at a time, not the connection's usual ten seconds.
        conn.execute("PRAGMA busy_timeout = 1000")
            .await
            .map_err(|e| e.to_string())?;
        let scrubbed = async {
            checkpoint(&mut conn).await?;
            conn.execute("VACUUM")
                .await
                .map_err(|e| format!("VACUUM failed: {e}"))?;
            checkpoint(&mut conn).await
        }
        .await;
        // The connection goes back to the pool: as it came.
        let restored = conn
            .execute("PRAGMA busy_timeout = 10000")
            .await
            .map_err(|e| e.to_string());
        scrubbed.and(restored.map(|_| ()))
    }

    /// PostgreSQL: `VACUUM` the tables (not in a transaction; PostgreSQL refuses that).
    async fn vacuum_postgres(&self, tables: &[&str]) -> Result<(), String> {
        let sql = format!("VACUUM {}", tables.join(", "));
        self.pool
            .execute(sql.as_str())
            .await
            .map(|_| ())
            .map_err(|e| format!("VACUUM failed: {e}"))
    }

    /// The tombstones of a study's deletions, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn deletions(&self, study_id: &StudyId) -> Result<Vec<Tombstone>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, site_id, reason, respondents FROM deletions WHERE study_id = $1 \
             ORDER BY at DESC, id",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Tombstone {
                    at: row.try_get("at")?,
                    site_id: rows::optional_id(row, "site_id")?,
                    reason: DeletionReason::parse(row.try_get("reason")?)?,
                    respondents: row.try_get("respondents")?,
                })
            })
            .collect()
    }
}

/// `PRAGMA wal_checkpoint(TRUNCATE)` until it completes: every WAL frame copied into the
/// database and the WAL truncated to nothing. Readers in the middle of a transaction can
/// block it (it reports busy), so it is tried a few times with a pause between.
async fn checkpoint(conn: &mut sqlx::pool::PoolConnection<Any>) -> Result<(), String> {
    let mut busy_frames = (0, 0);
    for attempt in 1..=CHECKPOINT_TRIES {
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut **conn)
            .await
            .map_err(|e| format!("the WAL checkpoint failed: {e}"))?;
        let read = |i| row.try_get::<i64, _>(i).map_err(|e| e.to_string());
        let (busy, log, copied) = (read(0)?, read(1)?, read(2)?);
        if busy == 0 {
            return Ok(());
        }
        busy_frames = (log, copied);
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
    }
    Err(format!(
        "the WAL checkpoint was blocked by readers {CHECKPOINT_TRIES} times \
         ({} of {} frames copied)",
        busy_frames.1, busy_frames.0
    ))
}
