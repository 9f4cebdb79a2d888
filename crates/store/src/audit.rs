//! The audit log: who did what, and when.
//!
//! Architecture invariant: an entry is written in the same transaction as the action it
//! records, so there is no action without its entry and no entry without its action.
//!
//! Architecture invariant: entries never hold answers or passwords. Details are short
//! descriptions written by the store itself (counts, roles, site codes), never text a
//! respondent typed.

use sqlx::Row;

use crate::accounts::Account;
use crate::date::{unix_now, utc_minute};
use crate::secret::random_token;
use crate::write::Write;
use crate::{Store, StoreError};

/// One entry to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audit<'a> {
    /// Who: the account, or `None` for the system.
    pub(crate) account_id: Option<&'a str>,
    /// The study the action concerns, if any (what the log page is filtered by).
    pub(crate) study_id: Option<&'a str>,
    /// What: e.g. `sign-in`, `headcount-changed`, `site-data-deleted`.
    pub(crate) action: &'a str,
    /// The kind of thing acted on: `account`, `site`, `study`.
    pub(crate) object_type: &'a str,
    /// The thing acted on.
    pub(crate) object_id: Option<&'a str>,
    /// A short description; never answers or passwords.
    pub(crate) details: &'a str,
}

impl<'a> Audit<'a> {
    /// An action by an account on itself (sign-in, sign-out, password change).
    pub(crate) fn about_account(account: &'a Account, action: &'a str, details: &'a str) -> Self {
        Audit {
            account_id: Some(&account.id),
            study_id: account.study_id.as_deref(),
            action,
            object_type: "account",
            object_id: Some(&account.id),
            details,
        }
    }

    /// An action with no account behind it.
    pub(crate) fn system(action: &'a str, object_type: &'a str, details: &'a str) -> Self {
        Audit {
            account_id: None,
            study_id: None,
            action,
            object_type,
            object_id: None,
            details,
        }
    }
}

/// Writes an entry inside the caller's transaction.
pub(crate) async fn write(tx: &mut Write<'_>, entry: Audit<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, account_id, study_id, action, object_type, object_id, \
         details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(random_token()?)
    .bind(unix_now())
    .bind(entry.account_id)
    .bind(entry.study_id)
    .bind(entry.action)
    .bind(entry.object_type)
    .bind(entry.object_id)
    .bind(entry.details)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored audit entry, with the email of the account that acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, in Unix seconds.
    pub at: i64,
    /// The account's email, or `None` for the system or an unknown email.
    pub email: Option<String>,
    /// What was done, e.g. `sign-in`.
    pub action: String,
    /// The kind of thing acted on.
    pub object_type: String,
    /// The thing acted on.
    pub object_id: Option<String>,
    /// A short description.
    pub details: String,
}

impl AuditEntry {
    /// When, as `YYYY-MM-DD HH:MM` in UTC.
    pub fn when(&self) -> String {
        utc_minute(self.at)
    }
}

impl Store {
    /// The newest audit entries first, at most `limit`: of one study, or of everything
    /// when `study_id` is `None`.
    #[tracing::instrument(skip_all)]
    pub async fn audit_log(
        &self,
        study_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT audit_log.at AS at, accounts.email AS email, audit_log.action AS action, \
             audit_log.object_type AS object_type, audit_log.object_id AS object_id, \
             audit_log.details AS details FROM audit_log \
             LEFT JOIN accounts ON accounts.id = audit_log.account_id \
             WHERE $1 IS NULL OR audit_log.study_id = $1 \
             ORDER BY audit_log.at DESC, audit_log.id LIMIT $2",
        )
        .bind(study_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    email: row.try_get("email")?,
                    action: row.try_get("action")?,
                    object_type: row.try_get("object_type")?,
                    object_id: row.try_get("object_id")?,
                    details: row.try_get("details")?,
                })
            })
            .collect()
    }
}
