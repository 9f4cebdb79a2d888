//! Study-wide reads for exports, analysis and cleaning.

use sqlx::Row;

use crate::rows::{parse_phase, parse_status};
use crate::{AnswerRow, Phase, ResponseSummary, Store, StoreError};

impl Store {
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
            "SELECT respondents.id AS respondent_id, sites.code AS site_code, \
             responses.phase AS phase, responses.status AS status, \
             answers.variable AS variable, answers.value AS value FROM answers \
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
                    respondent_id: row.try_get("respondent_id")?,
                    site_code: row.try_get("site_code")?,
                    phase: parse_phase(&row.try_get::<String, _>("phase")?)?,
                    status: parse_status(&row.try_get::<String, _>("status")?)?,
                    variable: row.try_get("variable")?,
                    value: row.try_get("value")?,
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
            "SELECT respondents.id AS respondent_id, sites.code AS site_code, \
             responses.phase AS phase, responses.status AS status, \
             responses.started_on AS started_on, responses.submitted_on AS submitted_on, \
             (SELECT COUNT(*) FROM answers WHERE answers.response_id = responses.id) \
             AS answer_count, respondents.returned AS returned FROM responses \
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
                    respondent_id: row.try_get("respondent_id")?,
                    site_code: row.try_get("site_code")?,
                    phase: parse_phase(&row.try_get::<String, _>("phase")?)?,
                    status: parse_status(&row.try_get::<String, _>("status")?)?,
                    started_on: row.try_get("started_on")?,
                    submitted_on: row.try_get("submitted_on")?,
                    answer_count: row.try_get("answer_count")?,
                    returned: row.try_get("returned")?,
                })
            })
            .collect()
    }
}
