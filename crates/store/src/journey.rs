//! The respondent's journey: sessions, consent, resume codes, responses and submission.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::Row;

use crate::date::{today, unix_now};
use crate::group_commit::{QueuedWrite, SessionStart, Written};
use crate::rows;
use crate::rows::{response_from_row, site_from_row, wave_of};
use crate::secret::{ResumeCode, hash_secret, random_token};
use crate::{
    Answers, Backend, Consented, Phase, Respondent, RespondentId, Response, ResponseId, Session,
    Site, SiteId, Status, Store, StoreError, StudyId, StudyWindow,
};

/// How long an ended session is kept (a day), so that a page posted just after it ended is
/// saved rather than lost.
const ENDED_SESSION_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// How often ended sessions are deleted, at most.
const SESSION_CLEAN_UP_EVERY_SECONDS: i64 = 60;

impl Store {
    /// Starts a journey session for a site (and a respondent, when resuming); returns
    /// the session token for the cookie. Only its hash is stored. Expired sessions are
    /// deleted on the way. A session without a respondent is a journey started from the
    /// site's link, and is counted in the site's starts for the day.
    #[tracing::instrument(skip_all)]
    pub async fn create_session(
        &self,
        site_id: &SiteId,
        respondent_id: Option<&RespondentId>,
        lifetime: Duration,
    ) -> Result<String, StoreError> {
        self.create_session_in_wave(site_id, respondent_id, lifetime, 0)
            .await
    }

    /// As [`Store::create_session`], for the baseline (`wave` 0) or a follow-up wave's
    /// link (its number); only the baseline's starts are counted.
    pub(crate) async fn create_session_in_wave(
        &self,
        site_id: &SiteId,
        respondent_id: Option<&RespondentId>,
        lifetime: Duration,
        wave: u8,
    ) -> Result<String, StoreError> {
        let token = random_token()?;
        let now = unix_now();
        let expires = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
        // Starts are queued with page saves and committed together (on SQLite), so a
        // burst of people opening a link costs one fsync per batch, not one each.
        let start = SessionStart {
            token_hash: hash_secret(&token),
            site_id: site_id.clone(),
            respondent_id: respondent_id.cloned(),
            expires,
            wave: i64::from(wave),
            count_on: (respondent_id.is_none() && wave == 0).then(today),
            // An ended session is kept for a day, only so that a page posted just after
            // it ended can still be saved (`ended_session_with_site`); those older are
            // deleted at most once a minute.
            delete_ended_before: self
                .session_clean_up_due(now)
                .then(|| now.saturating_sub(ENDED_SESSION_KEPT_SECONDS)),
        };
        match self.queue(QueuedWrite::Start(start)).await? {
            Written::Start => Ok(token),
            Written::Page(_) => Err(StoreError::Corrupt(
                "a start was answered as a page save".to_owned(),
            )),
        }
    }

    /// Whether ended sessions are due to be deleted: at most once a minute.
    fn session_clean_up_due(&self, now: i64) -> bool {
        let last = self.last_session_clean_up.load(Ordering::Relaxed);
        now.saturating_sub(last) >= SESSION_CLEAN_UP_EVERY_SECONDS
            && self
                .last_session_clean_up
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
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
                "SELECT sites.id AS id, sites.study_id AS study_id, sites.code AS code, \
                 sites.name AS name, sites.region AS region, \
                 sites.model_of_practice AS model_of_practice, sites.population AS population, \
                 sites.ethnicity AS ethnicity, sites.area_type AS area_type, \
                 sites.deprivation_quintile AS deprivation_quintile, \
                 sites.local_services AS local_services, sites.link_token AS link_token, \
                 sessions.respondent_id AS respondent_id, studies.opens_on AS opens_on, \
                 studies.closes_on AS closes_on, studies.retain_until AS retain_until, \
                 sessions.expires_at AS expires_at, sessions.wave AS wave \
                 FROM sessions JOIN sites ON sites.id = sessions.site_id \
                 JOIN studies INDEXED BY studies_window ON studies.id = sites.study_id \
                 WHERE sessions.token_hash = $1 AND sessions.expires_at >= $2 \
                 AND sessions.expires_at <= $3"
            }
            Backend::Postgres => {
                "SELECT sites.id AS id, sites.study_id AS study_id, sites.code AS code, \
                 sites.name AS name, sites.region AS region, \
                 sites.model_of_practice AS model_of_practice, sites.population AS population, \
                 sites.ethnicity AS ethnicity, sites.area_type AS area_type, \
                 sites.deprivation_quintile AS deprivation_quintile, \
                 sites.local_services AS local_services, sites.link_token AS link_token, \
                 sessions.respondent_id AS respondent_id, studies.opens_on AS opens_on, \
                 studies.closes_on AS closes_on, studies.retain_until AS retain_until, \
                 sessions.expires_at AS expires_at, sessions.wave AS wave \
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
                respondent_id: rows::optional_id(&row, "respondent_id")?,
                expires_at: row.try_get("expires_at")?,
                wave: wave_of(row.try_get("wave")?),
            };
            let window = StudyWindow {
                opens_on: rows::day(&row, "opens_on")?,
                closes_on: rows::day(&row, "closes_on")?,
                retain_until: rows::day(&row, "retain_until")?,
            };
            Ok((session, site, window))
        })
        .transpose()
    }

    /// The dates a study is open, read afresh: a study admin may change them while
    /// other processes are serving the study.
    #[tracing::instrument(skip_all)]
    pub async fn study_window(
        &self,
        study_id: &StudyId,
    ) -> Result<Option<StudyWindow>, StoreError> {
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
            .bind(study_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StudyWindow {
                opens_on: rows::day(&row, "opens_on")?,
                closes_on: rows::day(&row, "closes_on")?,
                retain_until: rows::day(&row, "retain_until")?,
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
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2 AND expires_at >= $3",
        )
        .bind(expires)
        .bind(hash_secret(token))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
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
                site_id: rows::id(&row, "site_id")?,
                respondent_id: rows::optional_id(&row, "respondent_id")?,
                expires_at: row.try_get("expires_at")?,
                wave: wave_of(row.try_get("wave")?),
            })
        })
        .transpose()
    }

    /// Ends a session (exit this page, leave and clear this device).
    #[tracing::instrument(skip_all)]
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_secret(token))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
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
        let respondent_id = RespondentId::new(random_token()?);
        let response_id = random_token()?;
        let code = ResumeCode::generate()?;
        let day = today();
        let (answers, answer_count) = self.pack_named(consent_answers).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO respondents (id, study_id, site_id, created_on, resume_hash, returned) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(respondent_id.as_str())
        .bind(site.study_id.as_str())
        .bind(site.id.as_str())
        .bind(day.to_string())
        .bind(code.hash())
        .execute(&mut *tx)
        .await?;
        let attached = sqlx::query(
            "UPDATE sessions SET respondent_id = $1 \
             WHERE token_hash = $2 AND respondent_id IS NULL AND wave = $3",
        )
        .bind(respondent_id.as_str())
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
            let existing: Option<RespondentId> = match existing {
                Some(row) => rows::optional_id(&row, "respondent_id")?,
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
            "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on, \
             answers, answer_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&response_id)
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .bind(Status::Consented.as_str())
        .bind(first_page)
        .bind(day.to_string())
        .bind(answers)
        .bind(answer_count)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Consented {
            respondent_id,
            resume_code: Some(code),
        })
    }

    /// The respondent with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn respondent(&self, id: &RespondentId) -> Result<Option<Respondent>, StoreError> {
        let row =
            sqlx::query("SELECT id, study_id, site_id, returned FROM respondents WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(Respondent {
                id: rows::id(&row, "id")?,
                study_id: rows::id(&row, "study_id")?,
                site_id: rows::id(&row, "site_id")?,
                returned: row.try_get("returned")?,
            })
        })
        .transpose()
    }

    /// Gives a respondent a new resume code, replacing the old one, and returns it.
    #[tracing::instrument(skip_all)]
    pub async fn new_resume_code(
        &self,
        respondent_id: &RespondentId,
    ) -> Result<ResumeCode, StoreError> {
        let code = ResumeCode::generate()?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE respondents SET resume_hash = $1 WHERE id = $2")
            .bind(code.hash())
            .bind(respondent_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
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
        let respondent_id: RespondentId = rows::id(&row, "id")?;
        let site_id: SiteId = rows::id(&row, "site_id")?;
        {
            let mut tx = self.write().await?;
            sqlx::query("UPDATE respondents SET returned = returned + 1 WHERE id = $1")
                .bind(respondent_id.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
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
        respondent_id: &RespondentId,
        phase: Phase,
    ) -> Result<Option<Response>, StoreError> {
        let row = sqlx::query(
            "SELECT id, respondent_id, phase, status, current_page FROM responses \
             WHERE respondent_id = $1 AND phase = $2",
        )
        .bind(respondent_id.as_str())
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
        respondent_id: &RespondentId,
        phase: Phase,
    ) -> Result<Option<(Response, Answers)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, respondent_id, phase, status, current_page, answers \
             FROM responses WHERE respondent_id = $1 AND phase = $2",
        )
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let response = response_from_row(&row)?;
        let packed: Option<Vec<u8>> = row.try_get("answers")?;
        let answers = self.unpack_named(packed.as_deref()).await?;
        Ok(Some((response, answers)))
    }

    /// Opens the post-training response for a respondent, or returns the one already
    /// open: a respondent has at most one response per phase.
    #[tracing::instrument(skip_all)]
    pub async fn start_post(
        &self,
        respondent_id: &RespondentId,
        first_page: &str,
    ) -> Result<Response, StoreError> {
        if let Some(existing) = self.response(respondent_id, Phase::Post).await? {
            return Ok(existing);
        }
        let id = random_token()?;
        {
            let mut tx = self.write().await?;
            sqlx::query(
                "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (respondent_id, phase) DO NOTHING",
            )
            .bind(&id)
            .bind(respondent_id.as_str())
            .bind(Phase::Post.as_str())
            .bind(Status::Started.as_str())
            .bind(first_page)
            .bind(today().to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        self.response(respondent_id, Phase::Post)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the post-training response vanished".to_owned()))
    }

    /// The stored answers of a response, variable to value.
    #[tracing::instrument(skip_all)]
    pub async fn answers(
        &self,
        response_id: &ResponseId,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let row = sqlx::query("SELECT answers FROM responses WHERE id = $1")
            .bind(response_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let packed: Option<Vec<u8>> = match row {
            Some(row) => row.try_get("answers")?,
            None => None,
        };
        self.unpack_named(packed.as_deref()).await
    }

    /// Submits a response with its final status (`Submitted` or `ClosedByRouting`).
    /// Returns `false` when it was already submitted (a form posted twice).
    #[tracing::instrument(skip_all)]
    pub async fn submit(
        &self,
        response_id: &ResponseId,
        status: Status,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE responses SET status = $1, submitted_on = $2, current_page = 'done' \
             WHERE id = $3 AND status IN ($4, $5)",
        )
        .bind(status.as_str())
        .bind(today().to_string())
        .bind(response_id.as_str())
        .bind(Status::Consented.as_str())
        .bind(Status::Started.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(updated.rows_affected() > 0)
    }
}
