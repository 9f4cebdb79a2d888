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
//!
//! Architecture invariant: every write goes through `Store::write`, which takes the
//! SQLite write turn before it begins the transaction, so no write can forget the turn.
//! The two exceptions take the turn themselves and say why: the group commit of page
//! saves (`group_commit.rs`) and the scrub of deleted data (`retention.rs`), which runs
//! outside any transaction.
//!
//! The modules, by concern: `error` (the error type), `model` (the public data types),
//! `connect` (backends, migrations, the pool), `write` (the write turn and `Store::write`),
//! `studies`, `journey` (sessions, consent, responses), `group_commit` (page saves),
//! `training` (progress and certificates), `reading` (study-wide reads), `probe`, and
//! `rows` (row decoders); then accounts, audit, case studies, study management, follow-up
//! waves, retention and the rest, one module each.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod accounts;
mod allocation;
mod audit;
mod casework;
mod connect;
mod content;
mod date;
mod error;
mod exports;
mod follow_up;
mod group_commit;
mod import;
mod journey;
mod linking;
mod management;
mod model;
mod monitoring;
mod packed;
mod probe;
mod reading;
mod retention;
mod rows;
mod secret;
mod studies;
mod training;
mod write;

use std::sync::Arc;

use sqlx::AnyPool;

use group_commit::PendingPages;
use write::WriteLock;

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
pub use connect::Backend;
pub use content::{ContentPart, folder_sha256, sha256_hex};
pub use date::{today, unix_now};
pub use error::StoreError;
pub use exports::ExportLog;
pub use follow_up::{BaselineCode, LINK_STEP, ResumeCodeLink, WaveResponse};
pub use import::ImportedResponse;
pub use management::{Message, MessageKind, SiteStarts, StudySettings, WaveMessage};
pub use model::{
    AnswerRow, Answers, CertificateRecord, Consented, NewSite, NewStudy, Phase, Respondent,
    Response, ResponseSummary, Saved, Session, Site, SiteLink, Status, Study, StudyWindow,
    TrainingProgress,
};
pub use monitoring::RespondentProgress;
pub use packed::{VariableNames, unpack};
pub use reading::{ReadOrder, StoredResponse};
pub use retention::{Deletion, DeletionReason, Scrub, Tombstone};
pub use secret::{LinkingKey, ResumeCode, hash_secret, random_token};
pub use skafada_instrument::{Day, NotADay, RespondentId, ResponseId, SiteId, StudyId};

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
    /// The names of the variables answers are stored under, by key.
    variables: Arc<packed::VariableCache>,
    /// When ended sessions were last deleted (Unix seconds).
    last_session_clean_up: Arc<std::sync::atomic::AtomicI64>,
}
