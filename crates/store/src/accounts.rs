//! Admin accounts: roles and scope, passwords (Argon2id), sign-in with doubling pauses, and
//! admin sessions shared by every server process.
//!
//! Architecture invariant: no account exists until `skafada admin create` makes one, and
//! no password is ever a default. Passwords are stored only as Argon2id PHC strings;
//! session tokens only as SHA-256 hashes. Sign-in attempts are counted by the email typed
//! (hashed), whether or not an account has it, and never by IP address.
//!
//! Architecture invariant: an attempt is counted before its password is verified (see
//! [`SignInRules`]), so parallel attempts verify no more passwords than the rules allow.

use std::fmt;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::Row;

use crate::audit::{self, Audit};
use crate::date::unix_now;
use crate::rows;
use crate::secret::{hash_secret, random_token};
use crate::{SiteId, Store, StoreError, StudyId};

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
    pub study_id: Option<StudyId>,
    /// The site of an LA contact.
    pub site_id: Option<SiteId>,
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
    pub study_id: Option<StudyId>,
    /// The site of an LA contact (required for them, refused for others).
    pub site_id: Option<SiteId>,
}

/// Limits on signing in and on admin sessions, in seconds.
///
/// Attempts are counted per email typed (whether or not an account has it) when they
/// are claimed, before the password is verified. The first `max_failures` attempts in a
/// row may follow each other at once; the attempt that reaches `max_failures` starts a
/// pause of `first_delay`, and each further attempt doubles it, up to `max_delay`. A
/// success (at sign-in or in the password-change form) clears the count, and a count
/// with no attempt for `forget_after` is forgotten. So guessing stays slow (about 30
/// guesses a day with the defaults), while someone guessing at another person's email
/// can keep them waiting at most `max_delay` for their next turn, never lock them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRules {
    /// Attempts in a row before the pauses start.
    pub max_failures: i64,
    /// The first pause.
    pub first_delay: i64,
    /// The longest pause.
    pub max_delay: i64,
    /// A count with no attempt for this long starts again from nothing.
    pub forget_after: i64,
    /// A session unused for this long ends.
    pub idle: i64,
    /// A session ends this long after sign-in, however busy.
    pub absolute: i64,
}

impl Default for SignInRules {
    /// Five attempts, then pauses of 1, 2, 4 ... minutes up to an hour; counts forgotten
    /// after a day without attempts; sessions end after 30 idle minutes or 12 hours.
    fn default() -> Self {
        SignInRules {
            max_failures: 5,
            first_delay: 60,
            max_delay: 60 * 60,
            forget_after: 24 * 60 * 60,
            idle: 30 * 60,
            absolute: 12 * 60 * 60,
        }
    }
}

impl SignInRules {
    /// The pause that starts when the `attempt`th attempt in a row is claimed: none
    /// before `max_failures`, then `first_delay` doubling up to `max_delay`.
    pub fn pause_after(&self, attempt: i64) -> i64 {
        if attempt < self.max_failures {
            return 0;
        }
        let doublings = u32::try_from((attempt - self.max_failures).min(62)).unwrap_or(62);
        self.first_delay
            .saturating_mul(2_i64.saturating_pow(doublings))
            .min(self.max_delay)
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
    /// The password was verified and is wrong, or no account has the email (the same
    /// either way).
    Failed {
        /// Seconds before the next attempt may start, when this one started a pause.
        pause: Option<i64>,
    },
    /// Refused before any password was verified: the email's pause has not ended
    /// (whether or not an account has it).
    Throttled {
        /// Seconds before the next attempt may start.
        retry_after: i64,
    },
}

/// What a password change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed; every other session of the account has ended.
    Changed,
    /// The current password typed is wrong: counted like a failed sign-in.
    WrongPassword {
        /// Seconds before the next attempt may start, when this one started a pause.
        pause: Option<i64>,
    },
    /// Refused before the current password was verified: the account's pause (shared
    /// with sign-in) has not ended.
    Throttled {
        /// Seconds before the next attempt may start.
        retry_after: i64,
    },
}

/// Whether an attempt may verify a password.
enum Claim {
    /// It may: it is the `attempt`th in a row, already counted.
    Granted { attempt: i64 },
    /// It may not for this many seconds.
    Refused { retry_after: i64 },
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
        random_token()
            .ok()
            .and_then(|password| hash_password(&password).ok())
            .unwrap_or_else(fixed_dummy_hash)
    })
}

/// Without the random source, a hash made with a fixed salt, still a full Argon2id
/// verification: an empty hash would fail at once and tell a guesser that no account
/// has the email.
fn fixed_dummy_hash() -> String {
    SaltString::from_b64("c2thZmFkYWR1bW15c2FsdA")
        .ok()
        .and_then(|salt| {
            argon2()
                .hash_password(b"no account has this email", &salt)
                .map(|hash| hash.to_string())
                .ok()
        })
        .unwrap_or_else(|| {
            // The crate's defaults (Argon2id, 19 MiB, 2 passes) with a fixed salt.
            "$argon2id$v=19$m=19456,t=2,p=1$c2thZmFkYWR1bW15c2FsdA$\
             Zm9yIHRoZSBkdW1teSB2ZXJpZmljYXRpb24gb25seQ"
                .to_owned()
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
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: rows::id(row, "id")?,
        email: row.try_get("email")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        study_id: rows::optional_id(row, "study_id")?,
        site_id: rows::optional_id(row, "site_id")?,
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
        let mut tx = self.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, email, password_hash, role, study_id, site_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&account.id)
        .bind(&account.email)
        .bind(&hash)
        .bind(account.role.as_str())
        .bind(account.study_id.as_deref())
        .bind(account.site_id.as_deref())
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

    /// Counts an attempt for `key` before its password is verified, or refuses it while
    /// the key's pause lasts (see [`SignInRules`]).
    ///
    /// The count is claimed by a compare-and-set `UPDATE` (or an `INSERT` for a first
    /// attempt) that only one of several simultaneous attempts can win for each value of
    /// the count; losers read the count again. On SQLite the write turn makes the claims
    /// take turns anyway. So N parallel attempts verify at most as many passwords as the
    /// rules allow in a row, however they interleave.
    async fn claim_attempt(
        &self,
        key: &str,
        rules: &SignInRules,
        now: i64,
    ) -> Result<Claim, StoreError> {
        // Each claim is a write of its own, committed at once. The reads run outside
        // it, so that no attempt holds a connection while it waits for another (a
        // hundred parallel attempts would empty the pool), and each sees the claims
        // committed before it.
        // Every lost race means another attempt won one, and after `max_failures` wins
        // the rest are refused without writing, so a few rounds always settle it.
        for _ in 0..64 {
            let row = sqlx::query(
                "SELECT attempts, last_at, next_at FROM sign_in_throttle WHERE email_key = $1",
            )
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else {
                let mut tx = self.write().await?;
                let claimed = sqlx::query(
                    "INSERT INTO sign_in_throttle (email_key, attempts, last_at, next_at) \
                     VALUES ($1, 1, $2, $3) ON CONFLICT (email_key) DO NOTHING",
                )
                .bind(key)
                .bind(now)
                .bind(now + rules.pause_after(1))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if claimed.rows_affected() == 1 {
                    return Ok(Claim::Granted { attempt: 1 });
                }
                continue;
            };
            let attempts: i64 = row.try_get("attempts")?;
            let last_at: i64 = row.try_get("last_at")?;
            let next_at: i64 = row.try_get("next_at")?;
            if now < next_at {
                return Ok(Claim::Refused {
                    retry_after: next_at - now,
                });
            }
            let attempt = if now - last_at >= rules.forget_after {
                1
            } else {
                attempts + 1
            };
            let mut tx = self.write().await?;
            let claimed = sqlx::query(
                "UPDATE sign_in_throttle SET attempts = $1, last_at = $2, next_at = $3 \
                 WHERE email_key = $4 AND attempts = $5 AND last_at = $6",
            )
            .bind(attempt)
            .bind(now)
            .bind(now + rules.pause_after(attempt))
            .bind(key)
            .bind(attempts)
            .bind(last_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            if claimed.rows_affected() == 1 {
                return Ok(Claim::Granted { attempt });
            }
        }
        Ok(Claim::Refused {
            retry_after: rules.first_delay.max(1),
        })
    }

    /// Audits a failed attempt (and the pause it starts, if any) in one transaction, and
    /// returns the pause. `failed` is the entry for the failure itself.
    async fn record_failure(
        &self,
        failed: Audit<'_>,
        account: Option<&Account>,
        attempt: i64,
        rules: &SignInRules,
    ) -> Result<Option<i64>, StoreError> {
        let pause = rules.pause_after(attempt);
        let mut tx = self.write().await?;
        // Counts that are forgotten anyway are deleted, so that guesses at many emails
        // do not grow the table without end.
        let now = unix_now();
        sqlx::query("DELETE FROM sign_in_throttle WHERE last_at <= $1 AND next_at <= $2")
            .bind(now - rules.forget_after)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        audit::write(&mut tx, failed).await?;
        if pause > 0 {
            let details = format!(
                "Next attempt allowed in {} after {attempt} attempts in a row",
                describe_wait(pause)
            );
            let lockout = match account {
                Some(account) => Audit::about_account(account, "lockout", &details),
                None => Audit::system("lockout", "account", &details),
            };
            audit::write(&mut tx, lockout).await?;
        }
        tx.commit().await?;
        Ok((pause > 0).then_some(pause))
    }

    /// Signs in: claims an attempt for the email typed (or is refused while its pause
    /// lasts), verifies the password in constant time (against a dummy hash when no
    /// account has the email), and either starts a session, clearing the count, or
    /// audits the failure. `previous` is the token of a session the browser already
    /// had: it is ended, so a sign-in never keeps a token from before it. Every outcome
    /// is audited in the same transaction as its effect.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        rules: &SignInRules,
        previous: Option<&str>,
    ) -> Result<SignIn, StoreError> {
        let email = normalise_email(email);
        let key = attempts_key(&email);
        let now = unix_now();
        let attempt = match self.claim_attempt(&key, rules, now).await? {
            Claim::Granted { attempt } => attempt,
            Claim::Refused { retry_after } => return Ok(SignIn::Throttled { retry_after }),
        };
        let row = sqlx::query(
            "SELECT id, email, role, study_id, site_id, password_hash FROM accounts \
             WHERE email = $1",
        )
        .bind(&email)
        .fetch_optional(&self.pool)
        .await?;
        let (account, hash) = match &row {
            Some(row) => (
                Some(account_from_row(row)?),
                row.try_get::<String, _>("password_hash")?,
            ),
            None => (None, dummy_hash().to_owned()),
        };
        let typed = password.to_owned();
        let matches = blocking(move || verify_password(&hash, &typed)).await?;
        let account = match account {
            Some(account) if matches => account,
            account => {
                // An email no account has is audited without the email: it may be a
                // password typed into the wrong box.
                let failed = match &account {
                    Some(account) => {
                        Audit::about_account(account, "sign-in-failed", "Wrong password")
                    }
                    None => Audit::system(
                        "sign-in-failed",
                        "account",
                        "No account has the email typed",
                    ),
                };
                let pause = self
                    .record_failure(failed, account.as_ref(), attempt, rules)
                    .await?;
                return Ok(SignIn::Failed { pause });
            }
        };
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sign_in_throttle WHERE email_key = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        if let Some(previous) = previous {
            sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
                .bind(hash_secret(previous))
                .execute(&mut *tx)
                .await?;
        }
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
        Ok(SignIn::SignedIn { token, account })
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
            "SELECT accounts.id AS id, accounts.email AS email, accounts.role AS role, \
             accounts.study_id AS study_id, accounts.site_id AS site_id, \
             admin_sessions.last_seen AS last_seen FROM admin_sessions \
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
        let last_seen: i64 = row.try_get("last_seen")?;
        if now - last_seen >= 60 {
            let mut tx = self.write().await?;
            sqlx::query("UPDATE admin_sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&token_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(AdminSession {
            account,
            token_hash,
        }))
    }

    /// Signs out: deletes the session and audits it, in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self, session: &AdminSession) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
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
    /// and ends every other session of the account. A wrong current password counts
    /// against the account's email exactly as a failed sign-in does (the same count and
    /// pauses), and a right one clears the count.
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        session: &AdminSession,
        current: &str,
        new: &NewPassword,
        rules: &SignInRules,
    ) -> Result<PasswordChange, StoreError> {
        let account = &session.account;
        let key = attempts_key(&account.email);
        let attempt = match self.claim_attempt(&key, rules, unix_now()).await? {
            Claim::Granted { attempt } => attempt,
            Claim::Refused { retry_after } => {
                return Ok(PasswordChange::Throttled { retry_after });
            }
        };
        let row = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(&account.id)
            .fetch_one(&self.pool)
            .await?;
        let hash: String = row.try_get("password_hash")?;
        let typed = current.to_owned();
        if !blocking(move || verify_password(&hash, &typed)).await? {
            let failed =
                Audit::about_account(account, "password-change-failed", "Wrong current password");
            let pause = self
                .record_failure(failed, Some(account), attempt, rules)
                .await?;
            return Ok(PasswordChange::WrongPassword { pause });
        }
        let password = new.0.clone();
        let new_hash = blocking(move || hash_password(&password)).await??;
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sign_in_throttle WHERE email_key = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(&new_hash)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM admin_sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(&account.id)
            .bind(&session.token_hash)
            .execute(&mut *tx)
            .await?;
        audit::write(
            &mut tx,
            Audit::about_account(
                account,
                "password-changed",
                "Changed their password; other sessions ended",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(PasswordChange::Changed)
    }
}

/// What attempts are counted by: the SHA-256 of the normalised email, so the count
/// stores no email and works the same whether or not an account has it.
fn attempts_key(email: &str) -> String {
    hash_secret(&format!("sign-in\0{}", normalise_email(email)))
}

/// A pause in words for a page or the log: "30 seconds", "1 minute", "2 minutes",
/// "1 hour"; rounded up to whole minutes from a minute on.
pub fn describe_wait(seconds: i64) -> String {
    let (count, unit) = if seconds < 60 {
        (seconds.max(1), "second")
    } else {
        let minutes = (seconds + 59) / 60;
        if minutes % 60 == 0 {
            (minutes / 60, "hour")
        } else {
            (minutes, "minute")
        }
    };
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

#[cfg(test)]
mod dummy_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn the_fixed_dummy_hash_is_a_full_argon2id_hash_that_no_password_matches() {
        let hash = fixed_dummy_hash();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(PasswordHash::new(&hash).is_ok());
        assert!(!verify_password(&hash, ""));
        assert!(!verify_password(&hash, "correct horse battery staple"));
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
    fn pauses_start_at_the_fifth_attempt_and_double_up_to_an_hour() {
        let rules = SignInRules::default();
        let pauses: Vec<i64> = (1..=13).map(|n| rules.pause_after(n)).collect();
        assert_eq!(
            pauses,
            [0, 0, 0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
        assert_eq!(rules.pause_after(i64::MAX), 3600);
    }

    #[test]
    fn waits_are_described_in_whole_minutes_or_hours() {
        assert_eq!(describe_wait(0), "1 second");
        assert_eq!(describe_wait(2), "2 seconds");
        assert_eq!(describe_wait(60), "1 minute");
        assert_eq!(describe_wait(61), "2 minutes");
        assert_eq!(describe_wait(3600), "1 hour");
        assert_eq!(describe_wait(7200), "2 hours");
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in [Role::StudyAdmin, Role::Analyst, Role::LaContact] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
