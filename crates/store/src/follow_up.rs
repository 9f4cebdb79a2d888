//! Follow-up waves: the journey that starts from a wave's link, the link to earlier
//! answers by resume code, and the reads that pair a wave's responses with the baseline.
//!
//! A follow-up response belongs to a respondent of its own, made when they consent on the
//! wave's link (a person may be new to the study, or not want to be linked). It is linked
//! to the baseline in one of two ways, or not at all:
//!
//! * **by resume code**: the respondent types the code they kept; the anonymous baseline
//!   respondent at the same site is recorded beside the response (`follow_up_links`);
//! * **by linking code**: only the code's keyed hashes are kept (`link_codes`), and the
//!   response is paired with a baseline response when results are read
//!   (`skafada_waves::sgic::link`).

use std::time::Duration;

use sqlx::Row as _;

use crate::rows;
use crate::secret::ResumeCode;
use crate::{
    AnswerRow, Consented, Day, Phase, RespondentId, Site, SiteId, Status, Store, StoreError,
    StudyId,
};

/// The page a follow-up response is on before its survey: the choice of how to link.
pub const LINK_STEP: &str = "link";

/// What came of linking a follow-up response by a resume code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeCodeLink {
    /// Linked to the respondent who answered the pre-training survey with that code.
    Linked,
    /// No respondent at this site who answered the pre-training survey has that code.
    Unknown,
    /// Another response to this wave is already linked to that respondent.
    AlreadyLinked,
}

/// A follow-up response as the wave's export and analysis need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveResponse {
    /// The follow-up respondent (anonymous, of this wave only).
    pub respondent_id: RespondentId,
    /// The site's code.
    pub site_code: String,
    /// The response's status.
    pub status: Status,
    /// The day it was started.
    pub started_on: Day,
    /// The baseline respondent it was linked to by resume code.
    pub linked_by_resume_code: Option<RespondentId>,
    /// The linking code's keyed hashes, if the respondent made one.
    pub link_code: Option<String>,
}

/// A pre-training response's linking code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineCode {
    /// The baseline respondent.
    pub respondent_id: RespondentId,
    /// The site's code.
    pub site_code: String,
    /// The code's keyed hashes.
    pub hashes: String,
}

impl Store {
    /// Starts a journey from a follow-up wave's link (`wave` 1 to 9); returns the session
    /// token for the cookie.
    #[tracing::instrument(skip_all)]
    pub async fn create_follow_up_session(
        &self,
        site_id: &SiteId,
        wave: u8,
        lifetime: Duration,
    ) -> Result<String, StoreError> {
        if Phase::follow_up(wave).is_none() {
            return Err(StoreError::Corrupt(format!("no follow-up wave {wave}")));
        }
        self.create_session_in_wave(site_id, None, lifetime, wave)
            .await
    }

    /// The follow-up wave a respondent answers, when they started from a wave's link.
    pub(crate) async fn follow_up_wave_of(
        &self,
        respondent_id: &RespondentId,
    ) -> Result<Option<u8>, StoreError> {
        let rows = sqlx::query("SELECT phase FROM responses WHERE respondent_id = $1")
            .bind(respondent_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let phase: String = row.try_get("phase")?;
            if let Some(Phase::FollowUp(wave)) = Phase::parse(&phase) {
                return Ok(Some(wave));
            }
        }
        Ok(None)
    }

    /// Records consent on a follow-up wave's link: creates the respondent and their
    /// response to the wave, at the linking step, with the consent answers, and attaches
    /// the respondent to the session, in one transaction. A form posted twice creates
    /// nothing new (no resume code is returned).
    #[tracing::instrument(skip_all)]
    pub async fn consent_follow_up(
        &self,
        session_token: &str,
        site: &Site,
        wave: u8,
        consent_answers: &[(String, String)],
    ) -> Result<Consented, StoreError> {
        let phase = Phase::follow_up(wave)
            .ok_or_else(|| StoreError::Corrupt(format!("no follow-up wave {wave}")))?;
        self.consent_to(session_token, site, phase, consent_answers, LINK_STEP)
            .await
    }

    /// Links a respondent's follow-up response to their pre-training answers by the
    /// resume code they kept: the code must belong to a respondent at the same site who
    /// answered the pre-training survey, and no other response to the wave may be linked
    /// to them already. Nothing else about them is read or shown.
    #[tracing::instrument(skip_all)]
    pub async fn link_follow_up_by_resume_code(
        &self,
        respondent_id: &RespondentId,
        wave: u8,
        code: &ResumeCode,
    ) -> Result<ResumeCodeLink, StoreError> {
        let phase = Phase::follow_up(wave)
            .ok_or_else(|| StoreError::Corrupt(format!("no follow-up wave {wave}")))?;
        let mut tx = self.write().await?;
        let response = sqlx::query(
            "SELECT responses.id AS response_id, respondents.site_id AS site_id FROM responses \
             JOIN respondents ON respondents.id = responses.respondent_id \
             WHERE responses.respondent_id = $1 AND responses.phase = $2",
        )
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the follow-up response is missing".to_owned()))?;
        let response_id: String = response.try_get("response_id")?;
        let site_id: String = response.try_get("site_id")?;
        let baseline = sqlx::query(
            "SELECT respondents.id AS baseline_id FROM respondents \
             JOIN responses ON responses.respondent_id = respondents.id \
             WHERE respondents.resume_hash = $1 AND respondents.site_id = $2 \
             AND responses.phase = $3",
        )
        .bind(code.hash())
        .bind(&site_id)
        .bind(Phase::Pre.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(baseline) = baseline else {
            return Ok(ResumeCodeLink::Unknown);
        };
        let baseline_id: String = baseline.try_get("baseline_id")?;
        let taken = sqlx::query(
            "SELECT follow_up_links.response_id FROM follow_up_links \
             JOIN responses ON responses.id = follow_up_links.response_id \
             WHERE follow_up_links.baseline_respondent_id = $1 AND responses.phase = $2 \
             AND follow_up_links.response_id <> $3",
        )
        .bind(&baseline_id)
        .bind(phase.as_str())
        .bind(&response_id)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Ok(ResumeCodeLink::AlreadyLinked);
        }
        sqlx::query(
            "INSERT INTO follow_up_links (response_id, baseline_respondent_id) VALUES ($1, $2) \
             ON CONFLICT (response_id) DO UPDATE SET baseline_respondent_id = $2",
        )
        .bind(&response_id)
        .bind(&baseline_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ResumeCodeLink::Linked)
    }

    /// Moves a follow-up response from the linking step to its first page; a response
    /// already past it is left where it is.
    #[tracing::instrument(skip_all)]
    pub async fn leave_link_step(
        &self,
        respondent_id: &RespondentId,
        phase: Phase,
        first_page: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE responses SET current_page = $1 \
             WHERE respondent_id = $2 AND phase = $3 AND current_page = $4",
        )
        .bind(first_page)
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .bind(LINK_STEP)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a respondent's follow-up response is linked to earlier answers, by resume
    /// code or by linking code.
    #[tracing::instrument(skip_all)]
    pub async fn follow_up_is_linked(
        &self,
        respondent_id: &RespondentId,
        phase: Phase,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM follow_up_links WHERE response_id = responses.id) \
             + (SELECT COUNT(*) FROM link_codes WHERE response_id = responses.id) \
             AS links FROM responses WHERE respondent_id = $1 AND phase = $2",
        )
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>("links")? > 0,
            None => false,
        })
    }

    /// Every response of a study to one follow-up wave, with how it may be linked.
    #[tracing::instrument(skip_all)]
    pub async fn wave_responses(
        &self,
        study_id: &StudyId,
        wave: u8,
    ) -> Result<Vec<WaveResponse>, StoreError> {
        let phase = Phase::follow_up(wave)
            .ok_or_else(|| StoreError::Corrupt(format!("no follow-up wave {wave}")))?;
        let rows = sqlx::query(
            "SELECT respondents.id AS respondent_id, sites.code AS site_code, \
             responses.status AS status, \
             follow_up_links.baseline_respondent_id AS baseline_respondent_id, \
             link_codes.hashes AS hashes, responses.started_on AS started_on \
             FROM responses \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             LEFT JOIN follow_up_links ON follow_up_links.response_id = responses.id \
             LEFT JOIN link_codes ON link_codes.response_id = responses.id \
             WHERE respondents.study_id = $1 AND responses.phase = $2 \
             ORDER BY respondents.id",
        )
        .bind(study_id.as_str())
        .bind(phase.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WaveResponse {
                    respondent_id: rows::id(row, "respondent_id")?,
                    site_code: row.try_get("site_code")?,
                    status: crate::rows::parse_status(&row.try_get::<String, _>("status")?)?,
                    started_on: rows::day(row, "started_on")?,
                    linked_by_resume_code: rows::optional_id(row, "baseline_respondent_id")?,
                    link_code: row.try_get("hashes")?,
                })
            })
            .collect()
    }

    /// Every answer of a study's responses to one follow-up wave, one row per variable,
    /// ordered by respondent and variable.
    #[tracing::instrument(skip_all)]
    pub async fn wave_answers(
        &self,
        study_id: &StudyId,
        wave: u8,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let phase = Phase::follow_up(wave)
            .ok_or_else(|| StoreError::Corrupt(format!("no follow-up wave {wave}")))?;
        self.answer_rows(study_id, &[phase]).await
    }

    /// The linking codes made with a study's pre-training responses, by respondent.
    #[tracing::instrument(skip_all)]
    pub async fn baseline_link_codes(
        &self,
        study_id: &StudyId,
    ) -> Result<Vec<BaselineCode>, StoreError> {
        let rows = sqlx::query(
            "SELECT respondents.id AS respondent_id, sites.code AS site_code, \
             link_codes.hashes AS hashes FROM link_codes \
             JOIN responses ON responses.id = link_codes.response_id \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 AND responses.phase = $2 \
             ORDER BY respondents.id",
        )
        .bind(study_id.as_str())
        .bind(Phase::Pre.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BaselineCode {
                    respondent_id: rows::id(row, "respondent_id")?,
                    site_code: row.try_get("site_code")?,
                    hashes: row.try_get("hashes")?,
                })
            })
            .collect()
    }
}
