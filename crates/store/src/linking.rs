//! Linking codes: the keyed hashes of a response's self-generated identification code,
//! stored with the response and deleted with it. The text is
//! `skafada_waves::sgic::SgicHashes::encode`'s; this module stores it as given.

use sqlx::Row as _;

use crate::{Phase, RespondentId, StoreError};

impl crate::Store {
    /// Stores the linking code hashes of a respondent's response to a phase, replacing
    /// any stored before. Returns `false` (and stores nothing) when the respondent has no
    /// response to that phase.
    #[tracing::instrument(skip_all)]
    pub async fn save_link_code(
        &self,
        respondent_id: &RespondentId,
        phase: Phase,
        hashes: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let Some(row) =
            sqlx::query("SELECT id FROM responses WHERE respondent_id = $1 AND phase = $2")
                .bind(respondent_id.as_str())
                .bind(phase.as_str())
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(false);
        };
        let response_id: String = row.try_get("id")?;
        sqlx::query(
            "INSERT INTO link_codes (response_id, hashes) VALUES ($1, $2) \
             ON CONFLICT (response_id) DO UPDATE SET hashes = $2",
        )
        .bind(&response_id)
        .bind(hashes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The linking code hashes stored with a respondent's response to a phase, if any.
    #[tracing::instrument(skip_all)]
    pub async fn link_code(
        &self,
        respondent_id: &RespondentId,
        phase: Phase,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT l.hashes FROM link_codes l JOIN responses r ON r.id = l.response_id \
             WHERE r.respondent_id = $1 AND r.phase = $2",
        )
        .bind(respondent_id.as_str())
        .bind(phase.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.try_get("hashes")).transpose()?)
    }
}
