//! Training progress and CPD certificates.

use sqlx::Row;

use crate::date::today;
use crate::rows;
use crate::rows::{CERTIFICATE_COLUMNS, certificate_from_row};
use crate::secret;
use crate::{CertificateRecord, RespondentId, Store, StoreError, TrainingProgress};

impl Store {
    /// Marks a training section complete (idempotent).
    #[tracing::instrument(skip_all)]
    pub async fn complete_section(
        &self,
        respondent_id: &RespondentId,
        section_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO training_sections (respondent_id, section_id, completed_on) \
             VALUES ($1, $2, $3) ON CONFLICT (respondent_id, section_id) DO NOTHING",
        )
        .bind(respondent_id.as_str())
        .bind(section_id)
        .bind(today().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a knowledge check answer (the latest answer counts).
    #[tracing::instrument(skip_all)]
    pub async fn record_check(
        &self,
        respondent_id: &RespondentId,
        section_id: &str,
        index: i64,
        answer: &str,
        correct: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO knowledge_checks (respondent_id, section_id, check_index, answer, correct) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (respondent_id, section_id, check_index) \
             DO UPDATE SET answer = excluded.answer, correct = excluded.correct",
        )
        .bind(respondent_id.as_str())
        .bind(section_id)
        .bind(index)
        .bind(answer)
        .bind(i64::from(correct))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A respondent's training progress.
    #[tracing::instrument(skip_all)]
    pub async fn training_progress(
        &self,
        respondent_id: &RespondentId,
    ) -> Result<TrainingProgress, StoreError> {
        let mut progress = TrainingProgress::default();
        let rows = sqlx::query("SELECT section_id FROM training_sections WHERE respondent_id = $1")
            .bind(respondent_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            progress.completed.insert(row.try_get("section_id")?);
        }
        let rows = sqlx::query(
            "SELECT section_id, check_index, answer, correct FROM knowledge_checks \
             WHERE respondent_id = $1",
        )
        .bind(respondent_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let correct: i64 = row.try_get("correct")?;
            progress.checks.insert(
                (row.try_get("section_id")?, row.try_get("check_index")?),
                (row.try_get("answer")?, correct != 0),
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
        respondent_id: &RespondentId,
        module_title: &str,
        module_version: &str,
        learning_minutes: i64,
    ) -> Result<CertificateRecord, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(day) AS completed FROM (\
             SELECT completed_on AS day FROM training_sections WHERE respondent_id = $1 \
             UNION ALL SELECT submitted_on AS day FROM responses \
             WHERE respondent_id = $1 AND submitted_on IS NOT NULL) AS days",
        )
        .bind(respondent_id.as_str())
        .fetch_one(&self.pool)
        .await?;
        let completed = rows::optional_day(&row, "completed")?;
        let record = CertificateRecord {
            code: secret::verification_code()?,
            module_title: module_title.to_owned(),
            module_version: module_version.to_owned(),
            issued_month: completed.unwrap_or_else(today).month(),
            learning_minutes,
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE respondents SET has_certificate = 1 WHERE id = $1 AND has_certificate = 0",
        )
        .bind(respondent_id.as_str())
        .execute(&mut *tx)
        .await?;
        let mut tx = tx.commit_and_begin().await?;
        sqlx::query(
            "INSERT INTO certificates (code, module_title, module_version, issued_month, \
             learning_minutes) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&record.code)
        .bind(&record.module_title)
        .bind(&record.module_version)
        .bind(&record.issued_month)
        .bind(record.learning_minutes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Whether a respondent has downloaded a certificate (not which: that is not
    /// recorded).
    #[tracing::instrument(skip_all)]
    pub async fn has_certificate(&self, respondent_id: &RespondentId) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT has_certificate FROM respondents WHERE id = $1")
            .bind(respondent_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>("has_certificate")? != 0,
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
}
