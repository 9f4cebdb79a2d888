//! What live monitoring reads: each respondent's progress through the journey, and the
//! sites' headcounts. Counts only; never answers.

use sqlx::Row;

use crate::audit::{self, Audit};
use crate::rows::parse_status;
use crate::{Phase, Site, Status, Store, StoreError, StudyId};

/// One respondent's progress, for the funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentProgress {
    /// The site's code.
    pub site_code: String,
    /// The pre-training response's status (a respondent has one from consent on).
    pub pre: Option<Status>,
    /// The post-training response's status, once opened.
    pub post: Option<Status>,
    /// How many training sections are marked complete.
    pub sections_completed: i64,
    /// Whether a certificate was issued (the respondent's flag: which certificate is not
    /// recorded).
    pub certificate: bool,
}

impl Store {
    /// Every respondent of a study with their progress.
    #[tracing::instrument(skip_all)]
    pub async fn study_progress(
        &self,
        study_id: &StudyId,
    ) -> Result<Vec<RespondentProgress>, StoreError> {
        let rows = sqlx::query(
            "SELECT sites.code AS site_code, \
             (SELECT status FROM responses WHERE respondent_id = respondents.id AND phase = $2) \
             AS pre_status, \
             (SELECT status FROM responses WHERE respondent_id = respondents.id AND phase = $3) \
             AS post_status, \
             (SELECT COUNT(*) FROM training_sections WHERE respondent_id = respondents.id) \
             AS sections_completed, \
             respondents.has_certificate AS has_certificate \
             FROM respondents JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 ORDER BY sites.code",
        )
        .bind(study_id.as_str())
        .bind(Phase::Pre.as_str())
        .bind(Phase::Post.as_str())
        .fetch_all(&self.pool)
        .await?;
        let status = |text: Option<String>| text.as_deref().map(parse_status).transpose();
        rows.iter()
            .map(|row| {
                let has_certificate: i64 = row.try_get("has_certificate")?;
                Ok(RespondentProgress {
                    site_code: row.try_get("site_code")?,
                    pre: status(row.try_get("pre_status")?)?,
                    post: status(row.try_get("post_status")?)?,
                    sections_completed: row.try_get("sections_completed")?,
                    certificate: has_certificate != 0,
                })
            })
            .collect()
    }

    /// The site of a study with this code.
    #[tracing::instrument(skip_all)]
    pub async fn site_by_code(
        &self,
        study_id: &StudyId,
        code: &str,
    ) -> Result<Option<Site>, StoreError> {
        Ok(self
            .sites(study_id)
            .await?
            .into_iter()
            .find(|site| site.code == code))
    }

    /// Every site's headcount in a study, by site code (`None` when not known).
    #[tracing::instrument(skip_all)]
    pub async fn headcounts(
        &self,
        study_id: &StudyId,
    ) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let rows = sqlx::query("SELECT code, headcount FROM sites WHERE study_id = $1")
            .bind(study_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("code")?, row.try_get("headcount")?)))
            .collect()
    }

    /// Sets (or clears) a site's headcount, audited in the same transaction.
    #[tracing::instrument(skip_all)]
    pub async fn set_headcount(
        &self,
        site: &Site,
        headcount: Option<i64>,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE sites SET headcount = $1 WHERE id = $2")
            .bind(headcount)
            .bind(site.id.as_str())
            .execute(&mut *tx)
            .await?;
        let details = match headcount {
            Some(n) => format!("{}: headcount set to {n}", site.code),
            None => format!("{}: headcount cleared", site.code),
        };
        audit::write(
            &mut tx,
            Audit {
                account_id: Some(by),
                study_id: Some(&site.study_id),
                action: "headcount-changed",
                object_type: "site",
                object_id: Some(&site.id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
