//! Admin accounts: roles and scope, passwords (Argon2id), sign-in with lockout, and
//! admin sessions shared by every server process.
//!
//! Architecture invariant: no account exists until `skafada admin create` makes one, and
//! no password is ever a default. Passwords are stored only as Argon2id PHC strings;
//! session tokens only as SHA-256 hashes. Failed sign-ins are counted by the email typed
//! (hashed), whether or not an account has it, and never by IP address.

use std::fmt;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::Row;

use crate::audit::{self, Audit};
use crate::date::unix_now;
use crate::secret::{hash_secret, random_token};
use crate::{Store, StoreError};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything in a study (or in every study, when the account has no study).
    StudyAdmin,
    /// All data of a study, read only.
    Analyst,
    /// Their own site only, read only.
    LaContact,
}

impl Role {
    /// The stored and command-line name: `study-admin`, `analyst` or `la-contact`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::StudyAdmin => "study-admin",
            Role::Analyst => "analyst",
            Role::LaContact => "la-contact",
        }
    }

    /// Reads a stored or command-line name.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "study-admin" => Some(Role::StudyAdmin),
            "analyst" => Some(Role::Analyst),
            "la-contact" => Some(Role::LaContact),
            _ => None,
        }
    }

    /// The name shown on pages: "Study admin", "Analyst" or "LA contact".
    pub fn label(self) -> &'static str {
        match self {
            Role::StudyAdmin => "Study admin",
            Role::Analyst => "Analyst",
            Role::LaContact => "LA contact",
        }
    }
}

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its random identifier.
    pub id: String,
    /// The email it signs in with (lower case).
    pub email: String,
    /// What it may do.
    pub role: Role,
    /// The study it is limited to; `None` only for a study admin of every study.
    pub study_id: Option<String>,
    /// The site of an LA contact.
    pub site_id: Option<String>,
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`NewPassword::MIN_CHARS`] characters.
    #[error("Password must be 12 characters or more")]
    TooShort,
    /// More than [`NewPassword::MAX_CHARS`] characters.
    #[error("Password must be 200 characters or fewer")]
    TooLong,
    /// On the list of common passwords, or one character repeated.
    #[error(
        "Password is too common: choose one that is harder to guess, such as three random words"
    )]
    TooCommon,
}

/// A password that meets the policy (NCSC guidance: length, no composition rules, not a
/// common password). Its `Debug` does not print it.
#[derive(Clone)]
pub struct NewPassword(String);

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

impl NewPassword {
    /// The fewest characters a password may have.
    pub const MIN_CHARS: usize = 12;
    /// The most characters a password may have (Argon2 hashes any length, but a limit
    /// keeps a form from costing the server much).
    pub const MAX_CHARS: usize = 200;

    /// Checks a password against the policy.
    pub fn parse(text: &str) -> Result<NewPassword, PasswordProblem> {
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        let lower = text.to_lowercase();
        let first = text.chars().next();
        let repeated = text.chars().all(|c| Some(c) == first);
        let common = COMMON_PASSWORDS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .any(|line| line.trim() == lower);
        if repeated || common {
            return Err(PasswordProblem::TooCommon);
        }
        Ok(NewPassword(text.to_owned()))
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The email it signs in with.
    pub email: String,
    /// Its password.
    pub password: NewPassword,
    /// What it may do.
    pub role: Role,
    /// The study it is limited to (required unless a study admin of every study).
    pub study_id: Option<String>,
    /// The site of an LA contact (required for them, refused for others).
    pub site_id: Option<String>,
}

/// Limits on signing in and on admin sessions, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRules {
    /// Failures within [`SignInRules::window`] that lock an email.
    pub max_failures: i64,
    /// The window failures are counted in.
    pub window: i64,
    /// How long a lock lasts.
    pub lock: i64,
    /// A session unused for this long ends.
    pub idle: i64,
    /// A session ends this long after sign-in, however busy.
    pub absolute: i64,
}

impl Default for SignInRules {
    /// Five failures in 15 minutes lock for 15 minutes; sessions end after 30 idle
    /// minutes or 12 hours.
    fn default() -> Self {
        SignInRules {
            max_failures: 5,
            window: 15 * 60,
            lock: 15 * 60,
            idle: 30 * 60,
            absolute: 12 * 60 * 60,
        }
    }
}

/// What a sign-in attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in: the session token for the cookie, and the account.
    SignedIn {
        /// The new session's token (only its hash is stored).
        token: String,
        /// The account.
        account: Account,
    },
    /// The email or password is wrong (the same whether or not the email has an account).
    Failed,
    /// Too many failures: the email is locked for a while (whether or not it has an account).
    Locked,
}

/// A live admin session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    /// The signed-in account.
    pub account: Account,
    /// The token's hash: identifies the session without the token.
    pub token_hash: String,
}

/// The lower-case, trimmed email: what accounts and failures are keyed by.
fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// Hashes a password with Argon2id (the crate's defaults) and a random salt.
fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| StoreError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Whether a password matches a stored hash (the comparison is in constant time).
fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when no account has the email, so
/// that a wrong email takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let password = random_token().unwrap_or_default();
        hash_password(&password).unwrap_or_default()
    })
}

/// Runs Argon2 off the async threads: it takes tens of milliseconds by design.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

const ACCOUNT_COLUMNS: &str = "SELECT id, email, role, study_id, site_id FROM accounts";

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    let role: String = row.try_get(2)?;
    Ok(Account {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        study_id: row.try_get(3)?,
        site_id: row.try_get(4)?,
    })
}

impl Store {
    /// Creates an account (and its audit entry, in one transaction). Returns `None`
    /// when an account already has the email. `by` is the account that created it;
    /// `None` for the command line.
    #[tracing::instrument(skip_all)]
    pub async fn create_account(
        &self,
        new: &NewAccount,
        by: Option<&str>,
    ) -> Result<Option<Account>, StoreError> {
        let email = normalise_email(&new.email);
        if self.account_by_email(&email).await?.is_some() {
            return Ok(None);
        }
        let password = new.password.0.clone();
        let hash = blocking(move || hash_password(&password)).await??;
        let account = Account {
            id: random_token()?,
            email,
            role: new.role,
            study_id: new.study_id.clone(),
            site_id: new.site_id.clone(),
        };
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, email, password_hash, role, study_id, site_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&account.id)
        .bind(&account.email)
        .bind(&hash)
        .bind(account.role.as_str())
        .bind(&account.study_id)
        .bind(&account.site_id)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        audit::write(
            &mut tx,
            Audit {
                account_id: by,
                study_id: account.study_id.as_deref(),
                action: "account-created",
                object_type: "account",
                object_id: Some(&account.id),
                details: &format!("{} ({})", account.email, account.role.as_str()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(account))
    }

    /// The account with this email (compared without regard to case).
    #[tracing::instrument(skip_all)]
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(&format!("{ACCOUNT_COLUMNS} WHERE email = $1"))
            .bind(normalise_email(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Signs in: checks the lock, verifies the password in constant time (against a
    /// dummy hash when no account has the email), and either starts a session or
    /// counts a failure, locking the email after too many. Every outcome is audited in
    /// the same transaction as its effect.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        rules: &SignInRules,
    ) -> Result<SignIn, StoreError> {
        let email = normalise_email(email);
        let key = hash_secret(&format!("sign-in\0{email}"));
        let now = unix_now();
        let locked = sqlx::query(
            "SELECT locked_until FROM sign_in_locks WHERE email_key = $1 AND locked_until > $2",
        )
        .bind(&key)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if locked.is_some() {
            return Ok(SignIn::Locked);
        }
        let row = sqlx::query(
            "SELECT id, email, role, study_id, site_id, password_hash FROM accounts WHERE email = $1",
        )
        .bind(&email)
        .fetch_optional(&self.pool)
        .await?;
        let (account, hash) = match &row {
            Some(row) => (Some(account_from_row(row)?), row.try_get::<String, _>(5)?),
            None => (None, dummy_hash().to_owned()),
        };
        let typed = password.to_owned();
        let matches = blocking(move || verify_password(&hash, &typed)).await?;
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        if let (Some(account), true) = (account.clone(), matches) {
            sqlx::query("DELETE FROM sign_in_failures WHERE email_key = $1")
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            let token = random_token()?;
            sqlx::query(
                "INSERT INTO admin_sessions (token_hash, account_id, created_at, last_seen) \
                 VALUES ($1, $2, $3, $3)",
            )
            .bind(hash_secret(&token))
            .bind(&account.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM admin_sessions WHERE created_at < $1 OR last_seen < $2")
                .bind(now - rules.absolute)
                .bind(now - rules.idle)
                .execute(&mut *tx)
                .await?;
            audit::write(
                &mut tx,
                Audit::about_account(&account, "sign-in", "Signed in"),
            )
            .await?;
            tx.commit().await?;
            return Ok(SignIn::SignedIn { token, account });
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
            .bind(now - rules.window)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (email_key, at) VALUES ($1, $2)")
            .bind(&key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let failures: i64 =
            sqlx::query("SELECT COUNT(*) FROM sign_in_failures WHERE email_key = $1 AND at > $2")
                .bind(&key)
                .bind(now - rules.window)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        // An email no account has is audited without the email: it may be a password
        // typed into the wrong box.
        let failed = match &account {
            Some(account) => Audit::about_account(account, "sign-in-failed", "Wrong password"),
            None => Audit::system(
                "sign-in-failed",
                "account",
                "No account has the email typed",
            ),
        };
        audit::write(&mut tx, failed).await?;
        let locked = failures >= rules.max_failures;
        if locked {
            sqlx::query(
                "INSERT INTO sign_in_locks (email_key, locked_until) VALUES ($1, $2) \
                 ON CONFLICT (email_key) DO UPDATE SET locked_until = excluded.locked_until",
            )
            .bind(&key)
            .bind(now + rules.lock)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sign_in_failures WHERE email_key = $1")
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            let details = format!(
                "Locked for {} minutes after {failures} failed sign-ins",
                rules.lock / 60
            );
            let lockout = match &account {
                Some(account) => Audit::about_account(account, "lockout", &details),
                None => Audit::system("lockout", "account", &details),
            };
            audit::write(&mut tx, lockout).await?;
        }
        tx.commit().await?;
        Ok(if locked {
            SignIn::Locked
        } else {
            SignIn::Failed
        })
    }

    /// The live session with this token, or `None` when it does not exist, has been
    /// idle too long or is too old. Marks it used (at most once a minute, to spare
    /// the database a write per page).
    #[tracing::instrument(skip_all)]
    pub async fn admin_session(
        &self,
        token: &str,
        rules: &SignInRules,
    ) -> Result<Option<AdminSession>, StoreError> {
        let now = unix_now();
        let token_hash = hash_secret(token);
        let row = sqlx::query(
            "SELECT accounts.id, accounts.email, accounts.role, accounts.study_id, \
             accounts.site_id, admin_sessions.last_seen FROM admin_sessions \
             JOIN accounts ON accounts.id = admin_sessions.account_id \
             WHERE admin_sessions.token_hash = $1 AND admin_sessions.created_at > $2 \
             AND admin_sessions.last_seen > $3",
        )
        .bind(&token_hash)
        .bind(now - rules.absolute)
        .bind(now - rules.idle)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let account = account_from_row(&row)?;
        let last_seen: i64 = row.try_get(5)?;
        if now - last_seen >= 60 {
            let _turn = self.write_turn().await;
            sqlx::query("UPDATE admin_sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(AdminSession {
            account,
            token_hash,
        }))
    }

    /// Signs out: deletes the session and audits it, in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self, session: &AdminSession) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(&session.token_hash)
            .execute(&mut *tx)
            .await?;
        audit::write(
            &mut tx,
            Audit::about_account(&session.account, "sign-out", "Signed out"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the password of the session's account after checking the current one,
    /// and ends every other session of the account. Returns `false` (and changes
    /// nothing) when the current password is wrong.
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        session: &AdminSession,
        current: &str,
        new: &NewPassword,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(&session.account.id)
            .fetch_one(&self.pool)
            .await?;
        let hash: String = row.try_get(0)?;
        let typed = current.to_owned();
        if !blocking(move || verify_password(&hash, &typed)).await? {
            return Ok(false);
        }
        let password = new.0.clone();
        let new_hash = blocking(move || hash_password(&password)).await??;
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(&new_hash)
            .bind(&session.account.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM admin_sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(&session.account.id)
            .bind(&session.token_hash)
            .execute(&mut *tx)
            .await?;
        audit::write(
            &mut tx,
            Audit::about_account(
                &session.account,
                "password-changed",
                "Changed their password; other sessions ended",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_need_twelve_characters_and_must_not_be_common() {
        assert_eq!(
            NewPassword::parse("short").unwrap_err(),
            PasswordProblem::TooShort
        );
        assert_eq!(
            NewPassword::parse("Password1234").unwrap_err(),
            PasswordProblem::TooCommon
        );
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaaaa").unwrap_err(),
            PasswordProblem::TooCommon
        );
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery").unwrap()),
            "NewPassword(..)"
        );
    }

    #[test]
    fn argon2id_hashes_verify_only_the_right_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password(dummy_hash(), ""));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in [Role::StudyAdmin, Role::Analyst, Role::LaContact] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
