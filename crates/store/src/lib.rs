//! Storage for skafada: studies, sites, anonymous respondents, their responses and
//! answers, training progress, certificates and short-lived journey sessions.
//!
//! The backend is chosen by the URL scheme, as atuin's server does: `sqlite://` (the
//! default, one file in WAL mode with `synchronous=FULL`) or `postgres://` (several
//! server processes sharing one database). Both go through sqlx's `Any` driver with the
//! same SQL text (SQLite accepts PostgreSQL's `$N` placeholders); the schemas differ only
//! in their migrations, `migrations/sqlite/` and `migrations/postgres/`, which run at
//! [`Store::connect`].
//!
//! Architecture invariant: this is the only crate with SQL in it.
//!
//! Architecture invariant: nothing stored identifies a person. Respondents are random
//! identifiers with a site and a date (no time of day); resume codes, link tokens of
//! sessions and certificate names are never stored in clear (the name is never stored at
//! all). Answers are never logged: store methods are instrumented with `skip_all`.
//!
//! Architecture invariant: every method that changes data commits before it returns, so
//! whatever a caller acknowledged to a respondent survives the process being killed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod accounts;
mod allocation;
mod audit;
mod casework;
mod content;
mod date;
mod exports;
mod follow_up;
mod import;
mod linking;
mod management;
mod monitoring;
mod retention;
mod secret;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row};
use tokio_lock::WriteLock;

pub use accounts::{
    Account, AdminSession, NewAccount, NewPassword, PasswordChange, PasswordProblem, Role, SignIn,
    SignInRules, describe_wait,
};
pub use allocation::{Allocation, AllocationRow};
pub use audit::AuditEntry;
pub use casework::{
    AuditDocument, CaseStudyData, CaseStudySite, CodingDecision, DocumentDetails, Interview,
    InterviewDetails, InterviewStatus, MatrixSummary, NewPassage, StoredPassage, StoredTurn,
    TranscriptState,
};
pub use content::{ContentPart, folder_sha256, sha256_hex};
pub use date::{add_days, today, unix_now};
pub use exports::ExportLog;
pub use follow_up::{BaselineCode, LINK_STEP, ResumeCodeLink, WaveResponse};
pub use import::ImportedResponse;
pub use management::{Message, MessageKind, SiteStarts, StudySettings, WaveMessage};
pub use monitoring::RespondentProgress;
pub use retention::{Deletion, Scrub, Tombstone};
pub use secret::{LinkingKey, ResumeCode, hash_secret, random_token};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported database.
    #[error("unsupported database URL: use sqlite://PATH or postgres://...")]
    UnsupportedUrl,
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
    /// A stored value could not be read back.
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file in WAL mode.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// The store: a pool of connections to one database.
///
/// Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; taking turns in the process avoids busy
    /// retries. PostgreSQL needs no such lock.
    write_lock: Option<Arc<WriteLock>>,
    /// SQLite: page saves waiting to be committed together at the next write turn.
    pending_pages: Option<Arc<PendingPages>>,
}

/// A response's stored answers: variable to text value.
pub type Answers = BTreeMap<String, String>;

/// A study to create.
#[derive(Debug, Clone, Default)]
pub struct NewStudy {
    /// A name for researchers, e.g. "SKAFADA 2026".
    pub name: String,
    /// The pre-training survey, as TOML source.
    pub pre_instrument: String,
    /// The post-training survey, as TOML source.
    pub post_instrument: String,
    /// The training module's id.
    pub module_id: String,
    /// The training module's files, path to text.
    pub module_sources: BTreeMap<String, String>,
    /// The first day respondents may start (YYYY-MM-DD).
    pub opens_on: String,
    /// The last day respondents may start or continue (YYYY-MM-DD).
    pub closes_on: String,
    /// The day the responses are to be deleted (YYYY-MM-DD).
    pub retain_until: String,
    /// The analysis plan (TOML) for the study's reports and dashboards; empty for the
    /// plan built into the server.
    pub analysis_plan: String,
    /// The training-needs specification (TOML); empty for the server's built-in one.
    pub training_needs: String,
    /// The case-study framework (TOML); empty for the server's built-in one.
    pub framework: String,
    /// The study file of follow-up waves and the linking code (TOML); empty for a study
    /// with no follow-up.
    pub waves: String,
    /// The participant information sheet and consent wording (TOML); empty for a study
    /// made before it was stored, which shows the survey's own consent statements.
    pub participant_information: String,
    /// The study holds generated demonstration responses, not real people's.
    pub synthetic: bool,
}

/// A stored study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    /// Its random identifier.
    pub id: String,
    /// A name for researchers.
    pub name: String,
    /// The pre-training survey, as TOML source.
    pub pre_instrument: String,
    /// The post-training survey, as TOML source.
    pub post_instrument: String,
    /// The training module's id.
    pub module_id: String,
    /// The training module's files, path to text.
    pub module_sources: BTreeMap<String, String>,
    /// The first day respondents may start.
    pub opens_on: String,
    /// The last day respondents may start or continue.
    pub closes_on: String,
    /// The day the responses are to be deleted.
    pub retain_until: String,
    /// The analysis plan (TOML); empty for the plan built into the server.
    pub analysis_plan: String,
    /// The training-needs specification (TOML); empty for the server's built-in one.
    pub training_needs: String,
    /// The case-study framework (TOML); empty for the server's built-in one.
    pub framework: String,
    /// The study file of follow-up waves and the linking code (TOML); empty for a study
    /// with no follow-up.
    pub waves: String,
    /// The participant information sheet and consent wording (TOML); empty for a study
    /// made before it was stored, which shows the survey's own consent statements.
    pub participant_information: String,
    /// Counts below this are suppressed for LA contacts, and sites with fewer main
    /// survey responses are flagged as too few to report on their own.
    pub min_cell_count: i64,
    /// The day the study was created (YYYY-MM-DD): when its content was fixed.
    pub created_on: String,
    /// The study holds generated demonstration responses: every report and export of it
    /// says so.
    pub synthetic: bool,
    /// The SHA-256 of each part of the content when the study was created, by
    /// [`ContentPart::slug`]; empty for studies created before digests were recorded.
    pub recorded_sha256: BTreeMap<String, String>,
}

impl Study {
    /// The stored text of one part of the content; for the module, its files.
    pub fn content_text(&self, part: ContentPart) -> Option<&str> {
        match part {
            ContentPart::PreSurvey => Some(&self.pre_instrument),
            ContentPart::PostSurvey => Some(&self.post_instrument),
            ContentPart::Plan => Some(&self.analysis_plan),
            ContentPart::TrainingNeeds => Some(&self.training_needs),
            ContentPart::Framework => Some(&self.framework),
            ContentPart::Waves => Some(&self.waves),
            ContentPart::ParticipantInformation => Some(&self.participant_information),
            ContentPart::Module => None,
        }
    }

    /// The SHA-256 of one part of the content as it is stored now.
    pub fn sha256(&self, part: ContentPart) -> String {
        match self.content_text(part) {
            Some(text) => sha256_hex(text.as_bytes()),
            None => folder_sha256(&self.module_sources),
        }
    }

    /// The SHA-256 recorded for a part when the study was created, if it was.
    pub fn recorded_sha256(&self, part: ContentPart) -> Option<&str> {
        self.recorded_sha256.get(part.slug()).map(String::as_str)
    }

    /// Whether the study accepts respondents on `day` (YYYY-MM-DD).
    pub fn is_open_on(&self, day: &str) -> bool {
        self.window().is_open_on(day)
    }

    /// The dates it is open.
    pub fn window(&self) -> StudyWindow {
        StudyWindow {
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            retain_until: self.retain_until.clone(),
        }
    }
}

/// The days a study accepts respondents, which a study admin may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyWindow {
    /// The first day respondents may start (YYYY-MM-DD).
    pub opens_on: String,
    /// The last day respondents may start or continue (YYYY-MM-DD).
    pub closes_on: String,
    /// The day the responses are to be deleted (YYYY-MM-DD): from that day the study
    /// takes no respondents, whatever its closing date says.
    pub retain_until: String,
}

impl StudyWindow {
    /// Whether the study accepts respondents on `day` (YYYY-MM-DD): on or after its
    /// opening day, on or before its closing day and before its deletion date. A study
    /// past its deletion date is closed at once, not at the next retention run, so that
    /// nobody answers into a study whose answers are about to be deleted.
    pub fn is_open_on(&self, day: &str) -> bool {
        self.opens_on.as_str() <= day
            && day <= self.closes_on.as_str()
            && day < self.retain_until.as_str()
    }
}

/// A site (local authority) to add to a study, with the study report's Table 2 columns.
#[derive(Debug, Clone, Default)]
pub struct NewSite {
    /// The short code, e.g. `LA01`.
    pub code: String,
    /// The name shown to respondents.
    pub name: String,
    /// Region of England.
    pub region: String,
    /// The model of practice.
    pub model_of_practice: String,
    /// Population, as reported.
    pub population: String,
    /// Ethnicity, collapsed, as reported.
    pub ethnicity: String,
    /// Urban, rural or mixed.
    pub area_type: String,
    /// Index of Multiple Deprivation quintile (1 is most deprived).
    pub deprivation_quintile: Option<i64>,
    /// The site's own support services, as a JSON array of objects with the fields of
    /// `skafada_training::Service` (`"[]"` when none).
    pub local_services: String,
}

/// A stored site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Its random identifier.
    pub id: String,
    /// The study it belongs to.
    pub study_id: String,
    /// The short code, e.g. `LA01`.
    pub code: String,
    /// The name shown to respondents.
    pub name: String,
    /// Region of England.
    pub region: String,
    /// The model of practice.
    pub model_of_practice: String,
    /// Population, as reported.
    pub population: String,
    /// Ethnicity, collapsed, as reported.
    pub ethnicity: String,
    /// Urban, rural or mixed.
    pub area_type: String,
    /// Index of Multiple Deprivation quintile.
    pub deprivation_quintile: Option<i64>,
    /// The site's own support services (JSON array).
    pub local_services: String,
    /// The unguessable token of the site's distribution link (`/s/<token>`).
    pub link_token: String,
}

/// A site's distribution link, for `skafada links`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    /// The study's name.
    pub study: String,
    /// The site's code and name, e.g. `LA01`.
    pub site_code: String,
    /// The site's name.
    pub site_name: String,
    /// The link token; the link is `<base>/s/<token>`.
    pub token: String,
}

/// How long an ended session is kept (a day), so that a page posted just after it ended is
/// saved rather than lost.
const ENDED_SESSION_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// A journey session: what the short-lived cookie points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The site whose link started the journey.
    pub site_id: String,
    /// The respondent, once they have consented or resumed.
    pub respondent_id: Option<String>,
    /// When it ends unless the respondent does something (Unix seconds).
    pub expires_at: i64,
    /// The follow-up wave (1 to 9) whose link started it; `None` for the site's link.
    pub wave: Option<u8>,
}

/// A respondent, as the journey needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respondent {
    /// The anonymous identifier that links pre and post responses.
    pub id: String,
    /// The study.
    pub study_id: String,
    /// The site.
    pub site_id: String,
    /// How many times they came back with their resume code.
    pub returned: i64,
}

/// The survey phase of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The pre-training survey.
    Pre,
    /// The post-training survey.
    Post,
    /// A follow-up wave, by its number (1 to 9) in the study's waves file; it asks the
    /// post-training survey again.
    FollowUp(u8),
}

/// The stored names of the follow-up waves, by number.
const FOLLOW_UP_NAMES: [&str; 9] = [
    "follow-up-1",
    "follow-up-2",
    "follow-up-3",
    "follow-up-4",
    "follow-up-5",
    "follow-up-6",
    "follow-up-7",
    "follow-up-8",
    "follow-up-9",
];

impl Phase {
    /// The stored name: `pre`, `post` or `follow-up-N`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
            Phase::FollowUp(number) => usize::from(number)
                .checked_sub(1)
                .and_then(|i| FOLLOW_UP_NAMES.get(i))
                .copied()
                .unwrap_or("follow-up-0"),
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Phase> {
        match text {
            "pre" => Some(Phase::Pre),
            "post" => Some(Phase::Post),
            _ => FOLLOW_UP_NAMES
                .iter()
                .zip(1u8..)
                .find(|(name, _)| **name == text)
                .map(|(_, number)| Phase::FollowUp(number)),
        }
    }

    /// A follow-up wave's phase, for its number from 1 to 9.
    pub fn follow_up(number: u8) -> Option<Phase> {
        (1..=9).contains(&number).then_some(Phase::FollowUp(number))
    }

    /// Whether this is a follow-up wave's.
    pub fn is_follow_up(self) -> bool {
        matches!(self, Phase::FollowUp(_))
    }
}

/// Where a response is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Pre-training: the respondent consented; answers may follow.
    Consented,
    /// Post-training: the respondent opened the survey; answers may follow.
    Started,
    /// The respondent submitted the survey.
    Submitted,
    /// The respondent submitted after an end rule closed the survey (e.g. not eligible).
    ClosedByRouting,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Consented => "consented",
            Status::Started => "started",
            Status::Submitted => "submitted",
            Status::ClosedByRouting => "closed-by-routing",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "consented" => Some(Status::Consented),
            "started" => Some(Status::Started),
            "submitted" => Some(Status::Submitted),
            "closed-by-routing" => Some(Status::ClosedByRouting),
            _ => None,
        }
    }

    /// Whether answers can still change.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Consented | Status::Started)
    }
}

/// A response: one respondent's answers to one survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Its random identifier.
    pub id: String,
    /// The respondent.
    pub respondent_id: String,
    /// Pre or post.
    pub phase: Phase,
    /// Where it is in its life.
    pub status: Status,
    /// The page the respondent is on (a page id, or a journey step such as `check`).
    pub current_page: String,
}

/// What [`Store::consent`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consented {
    /// The respondent.
    pub respondent_id: String,
    /// A new resume code, when the respondent was created by this call; `None` when the
    /// session already had a respondent (a form posted twice).
    pub resume_code: Option<ResumeCode>,
}

/// Whether a page of answers was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Committed.
    Saved,
    /// The response was already submitted, so nothing changed.
    AlreadySubmitted,
}

/// A respondent's progress through the training module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingProgress {
    /// The sections marked complete.
    pub completed: BTreeSet<String>,
    /// Knowledge check answers: (section, index) to (answer, correct).
    pub checks: BTreeMap<(String, i64), (String, bool)>,
}

/// A CPD certificate record. The name printed on the certificate is never stored, and
/// nothing in it relates it to a respondent, a response or a session: no respondent id,
/// no date finer than the month, no order of issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// The verification code anyone can check at `/verify`.
    pub code: String,
    /// The module's title.
    pub module_title: String,
    /// The module's content version.
    pub module_version: String,
    /// The month the respondent completed the study (YYYY-MM): never the day, which
    /// could be matched with a response's dates.
    pub issued_month: String,
    /// The learning time it states.
    pub learning_minutes: i64,
}

/// One stored answer, with what analysis needs beside it: one row of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    /// The anonymous respondent (pairs pre and post).
    pub respondent_id: String,
    /// The site's code.
    pub site_code: String,
    /// Pre or post.
    pub phase: Phase,
    /// The response's status.
    pub status: Status,
    /// The variable (item, matrix row or follow-up id).
    pub variable: String,
    /// The value as stored: a code, comma-separated codes, a number or text.
    pub value: String,
}

/// One response of a study with its answer count, so that cleaning can tell empty and
/// near-empty responses apart from returning respondents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSummary {
    /// The anonymous respondent.
    pub respondent_id: String,
    /// The site's code.
    pub site_code: String,
    /// Pre or post.
    pub phase: Phase,
    /// The response's status.
    pub status: Status,
    /// The day the respondent consented (pre) or opened the survey (post).
    pub started_on: String,
    /// The day the response was submitted.
    pub submitted_on: Option<String>,
    /// How many variables have answers.
    pub answer_count: i64,
    /// How many times the respondent came back with their resume code.
    pub returned: i64,
}

mod tokio_lock {
    /// A write lock for SQLite, taken around every writing transaction.
    pub type WriteLock = tokio::sync::Mutex<()>;
}

/// The migrations, in order: version, name, SQLite text, PostgreSQL text.
const MIGRATIONS: [(i64, &str, &str, &str); 14] = [
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
];

fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
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
        ..Migrator::DEFAULT
    }
}

/// How many migrations the database had before this start (0 for a new database).
async fn applied_migrations(pool: &AnyPool) -> Result<usize, StoreError> {
    // sqlx's own table, which a new database does not have yet: no table is no
    // migrations (and any other failure shows itself in the migrations that follow).
    let applied = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get::<i64, _>(0));
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
                            // per connection, and the file mapped (reads only; writes still
                            // go through the WAL and its fsync).
                            conn.execute("PRAGMA cache_size = -16384").await?;
                            conn.execute("PRAGMA mmap_size = 268435456").await?;
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
        migrator(backend).run(&pool).await?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(WriteLock::new(())));
        let pending_pages = (backend == Backend::Sqlite).then(|| Arc::new(PendingPages::default()));
        let store = Store {
            pool,
            backend,
            write_lock,
            pending_pages,
        };
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

    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }

    /// Whether the database holds no study yet.
    #[tracing::instrument(skip_all)]
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM studies")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    /// Creates a study and returns its identifier.
    #[tracing::instrument(skip_all)]
    pub async fn create_study(&self, study: &NewStudy) -> Result<String, StoreError> {
        let id = random_token()?;
        let sources = serde_json::to_string(&study.module_sources)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO studies (id, name, pre_instrument, post_instrument, module_id, \
             module_sources, opens_on, closes_on, retain_until, created_on, analysis_plan, \
             training_needs, content_sha256, synthetic, framework, waves, \
             participant_information) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&id)
        .bind(&study.name)
        .bind(&study.pre_instrument)
        .bind(&study.post_instrument)
        .bind(&study.module_id)
        .bind(sources)
        .bind(&study.opens_on)
        .bind(&study.closes_on)
        .bind(&study.retain_until)
        .bind(today())
        .bind(&study.analysis_plan)
        .bind(&study.training_needs)
        .bind(study.content_sha256_json()?)
        .bind(i64::from(study.synthetic))
        .bind(&study.framework)
        .bind(&study.waves)
        .bind(&study.participant_information)
        .execute(&mut *tx)
        .await?;
        secret::insert_linking_secret(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a site to a study, with a new unguessable link token (160 bits from the
    /// operating system's CSPRNG).
    #[tracing::instrument(skip_all)]
    pub async fn add_site(&self, study_id: &str, site: &NewSite) -> Result<Site, StoreError> {
        let added = new_site_row(study_id, site)?;
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        insert_site(&mut tx, &added).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Every study, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn studies(&self) -> Result<Vec<Study>, StoreError> {
        let rows = sqlx::query(&format!("{STUDY_COLUMNS} ORDER BY created_on, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(study_from_row).collect()
    }

    /// The study with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn study(&self, id: &str) -> Result<Option<Study>, StoreError> {
        let row = sqlx::query(&format!("{STUDY_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(study_from_row).transpose()
    }

    /// The site with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn site(&self, id: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(&format!("{SITE_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// The site whose link has this token.
    #[tracing::instrument(skip_all)]
    pub async fn site_by_token(&self, token: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(&format!("{SITE_COLUMNS} WHERE link_token = $1"))
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// The sites of a study, by code.
    #[tracing::instrument(skip_all)]
    pub async fn sites(&self, study_id: &str) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(&format!("{SITE_COLUMNS} WHERE study_id = $1 ORDER BY code"))
            .bind(study_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// Every site's link, by study and site code.
    #[tracing::instrument(skip_all)]
    pub async fn links(&self) -> Result<Vec<SiteLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT studies.name, sites.code, sites.name, sites.link_token FROM sites \
             JOIN studies ON studies.id = sites.study_id \
             ORDER BY studies.created_on, studies.id, sites.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SiteLink {
                    study: row.try_get(0)?,
                    site_code: row.try_get(1)?,
                    site_name: row.try_get(2)?,
                    token: row.try_get(3)?,
                })
            })
            .collect()
    }

    /// Starts a journey session for a site (and a respondent, when resuming); returns
    /// the session token for the cookie. Only its hash is stored. Expired sessions are
    /// deleted on the way. A session without a respondent is a journey started from the
    /// site's link, and is counted in the site's starts for the day.
    #[tracing::instrument(skip_all)]
    pub async fn create_session(
        &self,
        site_id: &str,
        respondent_id: Option<&str>,
        lifetime: Duration,
    ) -> Result<String, StoreError> {
        self.create_session_in_wave(site_id, respondent_id, lifetime, 0)
            .await
    }

    /// As [`Store::create_session`], for the baseline (`wave` 0) or a follow-up wave's
    /// link (its number); only the baseline's starts are counted.
    pub(crate) async fn create_session_in_wave(
        &self,
        site_id: &str,
        respondent_id: Option<&str>,
        lifetime: Duration,
        wave: u8,
    ) -> Result<String, StoreError> {
        let token = random_token()?;
        let now = unix_now();
        let expires = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        // An ended session is kept for a day, only so that a page posted just after it
        // ended can still be saved (`ended_session_with_site`).
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now.saturating_sub(ENDED_SESSION_KEPT_SECONDS))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, site_id, respondent_id, expires_at, wave) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_secret(&token))
        .bind(site_id)
        .bind(respondent_id)
        .bind(expires)
        .bind(i64::from(wave))
        .execute(&mut *tx)
        .await?;
        if respondent_id.is_none() && wave == 0 {
            // A journey started from the link: counted per site and day, nothing more.
            sqlx::query(
                "INSERT INTO site_starts (site_id, day, starts) VALUES ($1, $2, 1) \
                 ON CONFLICT (site_id, day) DO UPDATE SET starts = site_starts.starts + 1",
            )
            .bind(site_id)
            .bind(today())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// The live session with this token and its site, in one query: what every journey
    /// request needs first.
    #[tracing::instrument(skip_all)]
    pub async fn session_with_site(
        &self,
        token: &str,
    ) -> Result<Option<(Session, Site, StudyWindow)>, StoreError> {
        let now = unix_now();
        self.session_with_site_ending(token, now, i64::MAX).await
    }

    /// A session with this token that ended within the last day, and its site: a page
    /// posted just after the session ended is saved for it (and nothing more is done with
    /// it: the respondent carries on with their resume code).
    #[tracing::instrument(skip_all)]
    pub async fn ended_session_with_site(
        &self,
        token: &str,
    ) -> Result<Option<(Session, Site, StudyWindow)>, StoreError> {
        let now = unix_now();
        self.session_with_site_ending(
            token,
            now.saturating_sub(ENDED_SESSION_KEPT_SECONDS),
            now - 1,
        )
        .await
    }

    /// The session with this token whose end lies from `earliest` to `latest`.
    async fn session_with_site_ending(
        &self,
        token: &str,
        earliest: i64,
        latest: i64,
    ) -> Result<Option<(Session, Site, StudyWindow)>, StoreError> {
        // SQLite reads the dates from the index studies_window only: in the study row
        // they come after the surveys, module and plan, which fill many overflow pages.
        // (PostgreSQL keeps long values out of the row, so it needs no such hint.)
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT sites.id, sites.study_id, sites.code, sites.name, sites.region, \
                 sites.model_of_practice, sites.population, sites.ethnicity, sites.area_type, \
                 sites.deprivation_quintile, sites.local_services, sites.link_token, \
                 sessions.respondent_id, studies.opens_on, studies.closes_on, studies.retain_until, \
                 sessions.expires_at, sessions.wave \
                 FROM sessions JOIN sites ON sites.id = sessions.site_id \
                 JOIN studies INDEXED BY studies_window ON studies.id = sites.study_id \
                 WHERE sessions.token_hash = $1 AND sessions.expires_at >= $2 \
                 AND sessions.expires_at <= $3"
            }
            Backend::Postgres => {
                "SELECT sites.id, sites.study_id, sites.code, sites.name, sites.region, \
                 sites.model_of_practice, sites.population, sites.ethnicity, sites.area_type, \
                 sites.deprivation_quintile, sites.local_services, sites.link_token, \
                 sessions.respondent_id, studies.opens_on, studies.closes_on, studies.retain_until, \
                 sessions.expires_at, sessions.wave \
                 FROM sessions JOIN sites ON sites.id = sessions.site_id \
                 JOIN studies ON studies.id = sites.study_id \
                 WHERE sessions.token_hash = $1 AND sessions.expires_at >= $2 \
                 AND sessions.expires_at <= $3"
            }
        };
        let row = sqlx::query(sql)
            .bind(hash_secret(token))
            .bind(earliest)
            .bind(latest)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let site = site_from_row(&row)?;
            let session = Session {
                site_id: site.id.clone(),
                respondent_id: row.try_get(12)?,
                expires_at: row.try_get(16)?,
                wave: wave_of(row.try_get(17)?),
            };
            let window = StudyWindow {
                opens_on: row.try_get(13)?,
                closes_on: row.try_get(14)?,
                retain_until: row.try_get(15)?,
            };
            Ok((session, site, window))
        })
        .transpose()
    }

    /// The dates a study is open, read afresh: a study admin may change them while
    /// other processes are serving the study.
    #[tracing::instrument(skip_all)]
    pub async fn study_window(&self, study_id: &str) -> Result<Option<StudyWindow>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT opens_on, closes_on, retain_until FROM studies INDEXED BY studies_window \
                 WHERE id = $1"
            }
            Backend::Postgres => {
                "SELECT opens_on, closes_on, retain_until FROM studies WHERE id = $1"
            }
        };
        let row = sqlx::query(sql)
            .bind(study_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StudyWindow {
                opens_on: row.try_get(0)?,
                closes_on: row.try_get(1)?,
                retain_until: row.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Moves a live session's end to `lifetime` from now: the respondent is active, so
    /// the session ends only after `lifetime` without activity.
    #[tracing::instrument(skip_all)]
    pub async fn extend_session(&self, token: &str, lifetime: Duration) -> Result<(), StoreError> {
        let now = unix_now();
        let expires = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2 AND expires_at >= $3",
        )
        .bind(expires)
        .bind(hash_secret(token))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this token.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT site_id, respondent_id, expires_at, wave FROM sessions \
             WHERE token_hash = $1 AND expires_at >= $2",
        )
        .bind(hash_secret(token))
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Session {
                site_id: row.try_get(0)?,
                respondent_id: row.try_get(1)?,
                expires_at: row.try_get(2)?,
                wave: wave_of(row.try_get(3)?),
            })
        })
        .transpose()
    }

    /// Ends a session (exit this page, leave and clear this device).
    #[tracing::instrument(skip_all)]
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_secret(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records consent: creates the respondent and their pre-training response with the
    /// consent answers, and attaches the respondent to the session, in one transaction.
    ///
    /// When the session already has a respondent (the consent form posted twice) nothing
    /// new is created: the existing respondent is returned without a resume code.
    #[tracing::instrument(skip_all)]
    pub async fn consent(
        &self,
        session_token: &str,
        site: &Site,
        consent_answers: &[(String, String)],
        next_page: &str,
    ) -> Result<Consented, StoreError> {
        self.consent_to(session_token, site, Phase::Pre, consent_answers, next_page)
            .await
    }

    /// Records consent to a survey: creates the respondent and their response to
    /// `phase` (on `first_page`) with the consent answers, and attaches the respondent to
    /// the session, which must have been started from that phase's link (the site's for
    /// the pre-training survey, a wave's for a follow-up), in one transaction.
    pub(crate) async fn consent_to(
        &self,
        session_token: &str,
        site: &Site,
        phase: Phase,
        consent_answers: &[(String, String)],
        first_page: &str,
    ) -> Result<Consented, StoreError> {
        let wave = match phase {
            Phase::FollowUp(number) => i64::from(number),
            Phase::Pre => 0,
            Phase::Post => {
                return Err(StoreError::Corrupt(
                    "consent is given before the pre-training survey, not after".to_owned(),
                ));
            }
        };
        let respondent_id = random_token()?;
        let response_id = random_token()?;
        let code = ResumeCode::generate()?;
        let day = today();
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO respondents (id, study_id, site_id, created_on, resume_hash, returned) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(&respondent_id)
        .bind(&site.study_id)
        .bind(&site.id)
        .bind(&day)
        .bind(code.hash())
        .execute(&mut *tx)
        .await?;
        let attached = sqlx::query(
            "UPDATE sessions SET respondent_id = $1 \
             WHERE token_hash = $2 AND respondent_id IS NULL AND wave = $3",
        )
        .bind(&respondent_id)
        .bind(hash_secret(session_token))
        .bind(wave)
        .execute(&mut *tx)
        .await?;
        if attached.rows_affected() == 0 {
            tx.rollback().await?;
            let existing = sqlx::query("SELECT respondent_id FROM sessions WHERE token_hash = $1")
                .bind(hash_secret(session_token))
                .fetch_optional(&self.pool)
                .await?;
            let existing: Option<String> = match existing {
                Some(row) => row.try_get(0)?,
                None => None,
            };
            return existing
                .map(|respondent_id| Consented {
                    respondent_id,
                    resume_code: None,
                })
                .ok_or_else(|| StoreError::Corrupt("the session has ended".to_owned()));
        }
        sqlx::query(
            "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&response_id)
        .bind(&respondent_id)
        .bind(phase.as_str())
        .bind(Status::Consented.as_str())
        .bind(first_page)
        .bind(&day)
        .execute(&mut *tx)
        .await?;
        for (variable, value) in consent_answers {
            sqlx::query("INSERT INTO answers (response_id, variable, value) VALUES ($1, $2, $3)")
                .bind(&response_id)
                .bind(variable)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Consented {
            respondent_id,
            resume_code: Some(code),
        })
    }

    /// The respondent with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn respondent(&self, id: &str) -> Result<Option<Respondent>, StoreError> {
        let row =
            sqlx::query("SELECT id, study_id, site_id, returned FROM respondents WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(Respondent {
                id: row.try_get(0)?,
                study_id: row.try_get(1)?,
                site_id: row.try_get(2)?,
                returned: row.try_get(3)?,
            })
        })
        .transpose()
    }

    /// Gives a respondent a new resume code, replacing the old one, and returns it.
    #[tracing::instrument(skip_all)]
    pub async fn new_resume_code(&self, respondent_id: &str) -> Result<ResumeCode, StoreError> {
        let code = ResumeCode::generate()?;
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE respondents SET resume_hash = $1 WHERE id = $2")
            .bind(code.hash())
            .bind(respondent_id)
            .execute(&self.pool)
            .await?;
        Ok(code)
    }

    /// Resumes a journey with a resume code: counts the return (the `returned` marker
    /// for cleaning) and starts a new session for the same respondent. Returns the
    /// session token, or `None` for an unknown code.
    #[tracing::instrument(skip_all)]
    pub async fn resume(
        &self,
        code: &ResumeCode,
        lifetime: Duration,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT id, site_id FROM respondents WHERE resume_hash = $1")
            .bind(code.hash())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let respondent_id: String = row.try_get(0)?;
        let site_id: String = row.try_get(1)?;
        {
            let _turn = self.write_turn().await;
            sqlx::query("UPDATE respondents SET returned = returned + 1 WHERE id = $1")
                .bind(&respondent_id)
                .execute(&self.pool)
                .await?;
        }
        // A respondent who started from a follow-up wave's link carries on in that wave.
        let wave = self.follow_up_wave_of(&respondent_id).await?.unwrap_or(0);
        let token = self
            .create_session_in_wave(&site_id, Some(&respondent_id), lifetime, wave)
            .await?;
        Ok(Some(token))
    }

    /// The respondent's response to one survey, if it exists.
    #[tracing::instrument(skip_all)]
    pub async fn response(
        &self,
        respondent_id: &str,
        phase: Phase,
    ) -> Result<Option<Response>, StoreError> {
        let row = sqlx::query(
            "SELECT id, respondent_id, phase, status, current_page FROM responses \
             WHERE respondent_id = $1 AND phase = $2",
        )
        .bind(respondent_id)
        .bind(phase.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(response_from_row).transpose()
    }

    /// A respondent's response to one survey with all its answers so far, in one query:
    /// what every survey page needs.
    #[tracing::instrument(skip_all)]
    pub async fn response_with_answers(
        &self,
        respondent_id: &str,
        phase: Phase,
    ) -> Result<Option<(Response, Answers)>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT id, respondent_id, phase, status, current_page, \
                 (SELECT json_group_object(variable, value) FROM answers \
                  WHERE response_id = responses.id) \
                 FROM responses WHERE respondent_id = $1 AND phase = $2"
            }
            Backend::Postgres => {
                "SELECT id, respondent_id, phase, status, current_page, \
                 COALESCE((SELECT json_object_agg(variable, value) FROM answers \
                  WHERE response_id = responses.id), '{}')::text \
                 FROM responses WHERE respondent_id = $1 AND phase = $2"
            }
        };
        let row = sqlx::query(sql)
            .bind(respondent_id)
            .bind(phase.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let response = response_from_row(&row)?;
            let object: String = row.try_get(5)?;
            let answers =
                serde_json::from_str(&object).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((response, answers))
        })
        .transpose()
    }

    /// Opens the post-training response for a respondent, or returns the one already
    /// open: a respondent has at most one response per phase.
    #[tracing::instrument(skip_all)]
    pub async fn start_post(
        &self,
        respondent_id: &str,
        first_page: &str,
    ) -> Result<Response, StoreError> {
        if let Some(existing) = self.response(respondent_id, Phase::Post).await? {
            return Ok(existing);
        }
        let id = random_token()?;
        {
            let _turn = self.write_turn().await;
            sqlx::query(
                "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (respondent_id, phase) DO NOTHING",
            )
            .bind(&id)
            .bind(respondent_id)
            .bind(Phase::Post.as_str())
            .bind(Status::Started.as_str())
            .bind(first_page)
            .bind(today())
            .execute(&self.pool)
            .await?;
        }
        self.response(respondent_id, Phase::Post)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the post-training response vanished".to_owned()))
    }

    /// The stored answers of a response, variable to value.
    #[tracing::instrument(skip_all)]
    pub async fn answers(&self, response_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
        // Every page reads all the answers so far: as one JSON object in one row, not a
        // row per answer (the SQLite driver hands each row over from its worker thread
        // one by one). The two databases spell the aggregate differently.
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT json_group_object(variable, value) FROM answers WHERE response_id = $1"
            }
            Backend::Postgres => {
                "SELECT COALESCE(json_object_agg(variable, value), '{}')::text FROM answers \
                 WHERE response_id = $1"
            }
        };
        let row = sqlx::query(sql)
            .bind(response_id)
            .fetch_one(&self.pool)
            .await?;
        let object: String = row.try_get(0)?;
        serde_json::from_str(&object).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Saves one page in one transaction: sets each answer in `set` (an upsert, so a
    /// page posted twice stores the same values), deletes the variables in `clear`, and
    /// records the page the respondent goes to next. Nothing changes once the response
    /// is submitted.
    #[tracing::instrument(skip_all)]
    pub async fn save_page(
        &self,
        response_id: &str,
        set: &[(String, String)],
        clear: &[String],
        next_page: &str,
    ) -> Result<Saved, StoreError> {
        let page = PageSave {
            response_id: response_id.to_owned(),
            set: set.to_vec(),
            clear: clear.to_vec(),
            next_page: next_page.to_owned(),
        };
        let Some(pending) = &self.pending_pages else {
            // PostgreSQL: one transaction per page; the server batches WAL flushes of
            // concurrent commits itself.
            let mut tx = self.pool.begin().await?;
            let saved = apply_page(&mut tx, &page).await?;
            tx.commit().await?;
            return Ok(saved);
        };
        // SQLite: group commit. The page joins the queue; whoever holds the write turn
        // commits every queued page in one transaction (one WAL fsync) and only then
        // answers each of them, so no page is acknowledged before it is on disk.
        let (done, mut answer) = tokio::sync::oneshot::channel();
        lock(pending).push((page, done));
        let _turn = self.write_turn().await;
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *lock(pending));
        self.commit_pages(batch).await;
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Corrupt("a page save was lost".to_owned())))
    }

    /// Commits queued page saves in one transaction and answers each; when that fails,
    /// each page gets a transaction of its own, so one bad page fails only itself.
    async fn commit_pages(&self, batch: Vec<(PageSave, PageDone)>) {
        let together = async {
            let mut tx = self.pool.begin().await?;
            let mut results = Vec::with_capacity(batch.len());
            for (page, _) in &batch {
                results.push(apply_page(&mut tx, page).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(results)
        }
        .await;
        match together {
            Ok(results) => {
                for ((_, done), saved) in batch.into_iter().zip(results) {
                    let _ = done.send(Ok(saved));
                }
            }
            Err(_) => {
                for (page, done) in batch {
                    let alone = async {
                        let mut tx = self.pool.begin().await?;
                        let saved = apply_page(&mut tx, &page).await?;
                        tx.commit().await?;
                        Ok(saved)
                    }
                    .await;
                    let _ = done.send(alone);
                }
            }
        }
    }

    /// Submits a response with its final status (`Submitted` or `ClosedByRouting`).
    /// Returns `false` when it was already submitted (a form posted twice).
    #[tracing::instrument(skip_all)]
    pub async fn submit(&self, response_id: &str, status: Status) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let updated = sqlx::query(
            "UPDATE responses SET status = $1, submitted_on = $2, current_page = 'done' \
             WHERE id = $3 AND status IN ($4, $5)",
        )
        .bind(status.as_str())
        .bind(today())
        .bind(response_id)
        .bind(Status::Consented.as_str())
        .bind(Status::Started.as_str())
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    /// Marks a training section complete (idempotent).
    #[tracing::instrument(skip_all)]
    pub async fn complete_section(
        &self,
        respondent_id: &str,
        section_id: &str,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO training_sections (respondent_id, section_id, completed_on) \
             VALUES ($1, $2, $3) ON CONFLICT (respondent_id, section_id) DO NOTHING",
        )
        .bind(respondent_id)
        .bind(section_id)
        .bind(today())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a knowledge check answer (the latest answer counts).
    #[tracing::instrument(skip_all)]
    pub async fn record_check(
        &self,
        respondent_id: &str,
        section_id: &str,
        index: i64,
        answer: &str,
        correct: bool,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO knowledge_checks (respondent_id, section_id, check_index, answer, correct) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (respondent_id, section_id, check_index) \
             DO UPDATE SET answer = excluded.answer, correct = excluded.correct",
        )
        .bind(respondent_id)
        .bind(section_id)
        .bind(index)
        .bind(answer)
        .bind(i64::from(correct))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A respondent's training progress.
    #[tracing::instrument(skip_all)]
    pub async fn training_progress(
        &self,
        respondent_id: &str,
    ) -> Result<TrainingProgress, StoreError> {
        let mut progress = TrainingProgress::default();
        let rows = sqlx::query("SELECT section_id FROM training_sections WHERE respondent_id = $1")
            .bind(respondent_id)
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            progress.completed.insert(row.try_get(0)?);
        }
        let rows = sqlx::query(
            "SELECT section_id, check_index, answer, correct FROM knowledge_checks \
             WHERE respondent_id = $1",
        )
        .bind(respondent_id)
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let correct: i64 = row.try_get(3)?;
            progress.checks.insert(
                (row.try_get(0)?, row.try_get(1)?),
                (row.try_get(2)?, correct != 0),
            );
        }
        Ok(progress)
    }

    /// Issues a new certificate record for a respondent who has completed the study,
    /// with a new random verification code, and notes on the respondent that they have
    /// a certificate. Every call issues a new code (each download prints its own, and
    /// every code issued stays valid): the record cannot point back at the respondent,
    /// so there is no "their" certificate to return again.
    ///
    /// The record states the month the respondent completed the study (the month of
    /// their latest section completed or survey submitted), so a certificate downloaded
    /// again later states the same month.
    ///
    /// The flag and the record are written in separate transactions, so that not even a
    /// transaction id (PostgreSQL's `xmin`) is shared between the respondent's row and
    /// the certificate's.
    #[tracing::instrument(skip_all)]
    pub async fn issue_certificate(
        &self,
        respondent_id: &str,
        module_title: &str,
        module_version: &str,
        learning_minutes: i64,
    ) -> Result<CertificateRecord, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(day) FROM (\
             SELECT completed_on AS day FROM training_sections WHERE respondent_id = $1 \
             UNION ALL SELECT submitted_on AS day FROM responses \
             WHERE respondent_id = $1 AND submitted_on IS NOT NULL) AS days",
        )
        .bind(respondent_id)
        .fetch_one(&self.pool)
        .await?;
        let completed: Option<String> = row.try_get(0)?;
        let record = CertificateRecord {
            code: secret::verification_code()?,
            module_title: module_title.to_owned(),
            module_version: module_version.to_owned(),
            issued_month: date::month_of(&completed.unwrap_or_else(today))?,
            learning_minutes,
        };
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE respondents SET has_certificate = 1 WHERE id = $1 AND has_certificate = 0",
        )
        .bind(respondent_id)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "INSERT INTO certificates (code, module_title, module_version, issued_month, \
             learning_minutes) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&record.code)
        .bind(&record.module_title)
        .bind(&record.module_version)
        .bind(&record.issued_month)
        .bind(record.learning_minutes)
        .execute(&self.pool)
        .await?;
        Ok(record)
    }

    /// Whether a respondent has downloaded a certificate (not which: that is not
    /// recorded).
    #[tracing::instrument(skip_all)]
    pub async fn has_certificate(&self, respondent_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT has_certificate FROM respondents WHERE id = $1")
            .bind(respondent_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>(0)? != 0,
            None => false,
        })
    }

    /// The certificate with this verification code (as printed; case, spaces and
    /// hyphens are ignored).
    #[tracing::instrument(skip_all)]
    pub async fn verify_certificate(
        &self,
        code: &str,
    ) -> Result<Option<CertificateRecord>, StoreError> {
        let Some(code) = secret::normalise_verification_code(code) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!("{CERTIFICATE_COLUMNS} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(certificate_from_row).transpose()
    }

    /// Every stored answer of a study's pre- and post-training surveys (not its follow-up
    /// waves: [`Store::wave_answers`]), one row per variable, ordered by respondent,
    /// phase and variable: the long format an export or the analysis crate pivots.
    #[tracing::instrument(skip_all)]
    pub async fn study_answers(&self, study_id: &str) -> Result<Vec<AnswerRow>, StoreError> {
        self.answer_rows(study_id, &[Phase::Pre, Phase::Post]).await
    }

    /// Every stored answer of a study's responses to `phases`, ordered by respondent,
    /// phase (later first) and variable.
    pub(crate) async fn answer_rows(
        &self,
        study_id: &str,
        phases: &[Phase],
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let placeholders: Vec<String> = (2..phases.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT respondents.id, sites.code, responses.phase, responses.status, \
             answers.variable, answers.value FROM answers \
             JOIN responses ON responses.id = answers.response_id \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 AND responses.phase IN ({}) \
             ORDER BY respondents.id, responses.phase DESC, answers.variable",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(study_id);
        for phase in phases {
            query = query.bind(phase.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(AnswerRow {
                    respondent_id: row.try_get(0)?,
                    site_code: row.try_get(1)?,
                    phase: parse_phase(&row.try_get::<String, _>(2)?)?,
                    status: parse_status(&row.try_get::<String, _>(3)?)?,
                    variable: row.try_get(4)?,
                    value: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// Every pre- and post-training response of a study with its answer count and the
    /// respondent's return count, including empty ones, for the cleaning step.
    #[tracing::instrument(skip_all)]
    pub async fn study_responses(
        &self,
        study_id: &str,
    ) -> Result<Vec<ResponseSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT respondents.id, sites.code, responses.phase, responses.status, \
             responses.started_on, responses.submitted_on, \
             (SELECT COUNT(*) FROM answers WHERE answers.response_id = responses.id), \
             respondents.returned FROM responses \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 AND responses.phase IN ('pre', 'post') \
             ORDER BY respondents.id, responses.phase DESC",
        )
        .bind(study_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ResponseSummary {
                    respondent_id: row.try_get(0)?,
                    site_code: row.try_get(1)?,
                    phase: parse_phase(&row.try_get::<String, _>(2)?)?,
                    status: parse_status(&row.try_get::<String, _>(3)?)?,
                    started_on: row.try_get(4)?,
                    submitted_on: row.try_get(5)?,
                    answer_count: row.try_get(6)?,
                    returned: row.try_get(7)?,
                })
            })
            .collect()
    }

    /// Commits one tiny row in its own transaction: the database's raw durable-commit
    /// cost, for `skafada bench journey` to compare page commits against.
    #[tracing::instrument(skip_all)]
    pub async fn probe_commit(&self, n: i64) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("INSERT INTO commit_probe (n) VALUES ($1)")
            .bind(n)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the rows [`Store::probe_commit`] wrote.
    #[tracing::instrument(skip_all)]
    pub async fn clear_probe(&self) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM commit_probe")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// One page of answers to save.
#[derive(Debug)]
struct PageSave {
    response_id: String,
    set: Vec<(String, String)>,
    clear: Vec<String>,
    next_page: String,
}

/// Where the outcome of a queued page save goes.
type PageDone = tokio::sync::oneshot::Sender<Result<Saved, StoreError>>;

/// Page saves waiting for the SQLite write turn.
type PendingPages = std::sync::Mutex<Vec<(PageSave, PageDone)>>;

fn lock(pending: &PendingPages) -> std::sync::MutexGuard<'_, Vec<(PageSave, PageDone)>> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies one page inside a transaction: records the next page, upserts the answers
/// in one statement and deletes the cleared variables in another (a few round trips,
/// whatever the page's length). Nothing changes once the response is submitted.
async fn apply_page(conn: &mut sqlx::AnyConnection, page: &PageSave) -> Result<Saved, StoreError> {
    let updated =
        sqlx::query("UPDATE responses SET current_page = $1 WHERE id = $2 AND status IN ($3, $4)")
            .bind(&page.next_page)
            .bind(&page.response_id)
            .bind(Status::Consented.as_str())
            .bind(Status::Started.as_str())
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 0 {
        return Ok(Saved::AlreadySubmitted);
    }
    // The last value of a variable given twice wins, as it would one by one
    // (PostgreSQL refuses to upsert one row twice in one statement).
    let set: BTreeMap<&str, &str> = page
        .set
        .iter()
        .map(|(variable, value)| (variable.as_str(), value.as_str()))
        .collect();
    if !set.is_empty() {
        let rows: Vec<String> = (0..set.len())
            .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO answers (response_id, variable, value) VALUES {} \
             ON CONFLICT (response_id, variable) DO UPDATE SET value = excluded.value",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(&page.response_id);
        for (variable, value) in &set {
            query = query.bind(*variable).bind(*value);
        }
        query.execute(&mut *conn).await?;
    }
    if !page.clear.is_empty() {
        let list: Vec<String> = (0..page.clear.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "DELETE FROM answers WHERE response_id = $1 AND variable IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(&page.response_id);
        for variable in &page.clear {
            query = query.bind(variable);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(Saved::Saved)
}

/// A new site's row: random id and link token (160 bits from the OS CSPRNG each).
fn new_site_row(study_id: &str, site: &NewSite) -> Result<Site, StoreError> {
    Ok(Site {
        id: random_token()?,
        study_id: study_id.to_owned(),
        code: site.code.clone(),
        name: site.name.clone(),
        region: site.region.clone(),
        model_of_practice: site.model_of_practice.clone(),
        population: site.population.clone(),
        ethnicity: site.ethnicity.clone(),
        area_type: site.area_type.clone(),
        deprivation_quintile: site.deprivation_quintile,
        local_services: site.local_services.clone(),
        link_token: random_token()?,
    })
}

/// Inserts a site row inside the caller's transaction.
async fn insert_site(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    site: &Site,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sites (id, study_id, code, name, region, model_of_practice, population, \
         ethnicity, area_type, deprivation_quintile, local_services, link_token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&site.id)
    .bind(&site.study_id)
    .bind(&site.code)
    .bind(&site.name)
    .bind(&site.region)
    .bind(&site.model_of_practice)
    .bind(&site.population)
    .bind(&site.ethnicity)
    .bind(&site.area_type)
    .bind(site.deprivation_quintile)
    .bind(&site.local_services)
    .bind(&site.link_token)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const STUDY_COLUMNS: &str = "SELECT id, name, pre_instrument, post_instrument, module_id, \
     module_sources, opens_on, closes_on, retain_until, analysis_plan, min_cell_count, training_needs, \
     content_sha256, created_on, synthetic, framework, waves, participant_information FROM studies";

const SITE_COLUMNS: &str = "SELECT id, study_id, code, name, region, model_of_practice, \
     population, ethnicity, area_type, deprivation_quintile, local_services, link_token FROM sites";

const CERTIFICATE_COLUMNS: &str = "SELECT code, module_title, module_version, issued_month, \
     learning_minutes FROM certificates";

fn study_from_row(row: &sqlx::any::AnyRow) -> Result<Study, StoreError> {
    let sources: String = row.try_get(5)?;
    Ok(Study {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        pre_instrument: row.try_get(2)?,
        post_instrument: row.try_get(3)?,
        module_id: row.try_get(4)?,
        module_sources: serde_json::from_str(&sources)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        opens_on: row.try_get(6)?,
        closes_on: row.try_get(7)?,
        retain_until: row.try_get(8)?,
        analysis_plan: row.try_get(9)?,
        min_cell_count: row.try_get(10)?,
        training_needs: row.try_get(11)?,
        recorded_sha256: {
            let digests: String = row.try_get(12)?;
            if digests.is_empty() {
                BTreeMap::new()
            } else {
                serde_json::from_str(&digests).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
        },
        created_on: row.try_get(13)?,
        synthetic: row.try_get::<i64, _>(14)? != 0,
        framework: row.try_get(15)?,
        waves: row.try_get(16)?,
        participant_information: row.try_get(17)?,
    })
}

fn site_from_row(row: &sqlx::any::AnyRow) -> Result<Site, StoreError> {
    Ok(Site {
        id: row.try_get(0)?,
        study_id: row.try_get(1)?,
        code: row.try_get(2)?,
        name: row.try_get(3)?,
        region: row.try_get(4)?,
        model_of_practice: row.try_get(5)?,
        population: row.try_get(6)?,
        ethnicity: row.try_get(7)?,
        area_type: row.try_get(8)?,
        deprivation_quintile: row.try_get(9)?,
        local_services: row.try_get(10)?,
        link_token: row.try_get(11)?,
    })
}

fn response_from_row(row: &sqlx::any::AnyRow) -> Result<Response, StoreError> {
    Ok(Response {
        id: row.try_get(0)?,
        respondent_id: row.try_get(1)?,
        phase: parse_phase(&row.try_get::<String, _>(2)?)?,
        status: parse_status(&row.try_get::<String, _>(3)?)?,
        current_page: row.try_get(4)?,
    })
}

fn certificate_from_row(row: &sqlx::any::AnyRow) -> Result<CertificateRecord, StoreError> {
    Ok(CertificateRecord {
        code: row.try_get(0)?,
        module_title: row.try_get(1)?,
        module_version: row.try_get(2)?,
        issued_month: row.try_get(3)?,
        learning_minutes: row.try_get(4)?,
    })
}

/// A session's stored wave: 0 for the site's link, else the follow-up wave's number.
fn wave_of(stored: i64) -> Option<u8> {
    u8::try_from(stored)
        .ok()
        .filter(|wave| (1..=9).contains(wave))
}

fn parse_phase(text: &str) -> Result<Phase, StoreError> {
    Phase::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown phase {text:?}")))
}

pub(crate) fn parse_status(text: &str) -> Result<Status, StoreError> {
    Status::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown status {text:?}")))
}

#[cfg(test)]
mod group_commit_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A store on a new SQLite file with one study, one site and `n` consented
    /// respondents; returns their pre-training response ids.
    async fn respondents(n: usize) -> (Store, std::path::PathBuf, Vec<String>) {
        let path =
            std::env::temp_dir().join(format!("skafada-store-{}.sqlite", random_token().unwrap()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let study = NewStudy {
            name: "Group commit".to_owned(),
            pre_instrument: String::new(),
            post_instrument: String::new(),
            module_id: "m".to_owned(),
            module_sources: BTreeMap::new(),
            opens_on: "2020-01-01".to_owned(),
            closes_on: "2099-12-31".to_owned(),
            retain_until: "2099-12-31".to_owned(),
            analysis_plan: String::new(),
            training_needs: String::new(),
            framework: String::new(),
            waves: String::new(),
            participant_information: String::new(),
            synthetic: false,
        };
        let study_id = store.create_study(&study).await.unwrap();
        let site = store
            .add_site(&study_id, &NewSite::default())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for _ in 0..n {
            let token = store
                .create_session(&site.id, None, Duration::from_secs(60))
                .await
                .unwrap();
            let consented = store.consent(&token, &site, &[], "first").await.unwrap();
            ids.push(
                store
                    .response(&consented.respondent_id, Phase::Pre)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            );
        }
        (store, path, ids)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_page_saves_are_each_committed_once_with_their_own_outcome() {
        let (store, path, ids) = respondents(24).await;
        // One response is already submitted: its save must be refused, the others kept.
        assert!(store.submit(&ids[0], Status::Submitted).await.unwrap());
        let saves = ids.iter().enumerate().map(|(i, id)| {
            let store = store.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let set = vec![
                    ("a".to_owned(), format!("{i}")),
                    ("b".to_owned(), "first".to_owned()),
                    ("b".to_owned(), "last".to_owned()),
                ];
                store
                    .save_page(&id, &set, &["gone".to_owned()], "second")
                    .await
                    .unwrap()
            })
        });
        let outcomes: Vec<Saved> = futures_join(saves.collect()).await;
        assert_eq!(outcomes[0], Saved::AlreadySubmitted);
        for (i, id) in ids.iter().enumerate().skip(1) {
            assert_eq!(outcomes[i], Saved::Saved);
            let answers = store.answers(id).await.unwrap();
            assert_eq!(
                answers.get("a").map(String::as_str),
                Some(i.to_string().as_str())
            );
            assert_eq!(
                answers.get("b").map(String::as_str),
                Some("last"),
                "the last value wins"
            );
            assert_eq!(answers.len(), 2);
        }
        assert!(store.answers(&ids[0]).await.unwrap().is_empty());
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    async fn futures_join(handles: Vec<tokio::task::JoinHandle<Saved>>) -> Vec<Saved> {
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await.unwrap());
        }
        outcomes
    }
}
