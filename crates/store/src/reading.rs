//! Study-wide reads for exports, analysis and cleaning.

use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows;
use crate::rows::{parse_phase, parse_status};
use crate::{AnswerRow, Phase, ResponseSummary, Store, StoreError, StudyId};

/// One response of a study as stored: what cleaning needs and its packed answers
/// (read them with [`crate::unpack`] and [`Store::variable_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The response's place, status and answer count.
    pub summary: ResponseSummary,
    /// The packed answers; `None` before the first answer.
    pub answers: Option<Vec<u8>>,
}

/// The order a study's responses are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOrder {
    /// By respondent, then phase (later first): the same order in every export.
    ByRespondent,
    /// As the database finds them, which may change between reads: for counting, where
    /// order does not matter (sorting a large study's respondent ids costs a third of
    /// the read).
    AsStored,
}

/// The columns of a response row of a study, in the order of [`Store::study_responses`].
const RESPONSE_COLUMNS: &str = "respondents.id AS respondent_id, sites.code AS site_code, \
     responses.phase AS phase, responses.status AS status, \
     responses.started_on AS started_on, responses.submitted_on AS submitted_on, \
     responses.answer_count AS answer_count, respondents.returned AS returned";

fn summary_from_row(row: &AnyRow) -> Result<ResponseSummary, StoreError> {
    Ok(ResponseSummary {
        respondent_id: rows::id(row, "respondent_id")?,
        site_code: row.try_get("site_code")?,
        phase: parse_phase(&row.try_get::<String, _>("phase")?)?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        started_on: rows::day(row, "started_on")?,
        submitted_on: rows::optional_day(row, "submitted_on")?,
        answer_count: row.try_get("answer_count")?,
        returned: row.try_get("returned")?,
    })
}

/// `$2, $3, ...`: one placeholder per phase after the study's.
fn phase_placeholders(phases: &[Phase]) -> String {
    (2..phases.len() + 2)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Every stored answer of a study's pre- and post-training surveys (not its follow-up
    /// waves: [`Store::wave_answers`]), one row per variable, ordered by respondent,
    /// phase and variable: the long format an export pivots.
    #[tracing::instrument(skip_all)]
    pub async fn study_answers(&self, study_id: &StudyId) -> Result<Vec<AnswerRow>, StoreError> {
        self.answer_rows(study_id, &[Phase::Pre, Phase::Post]).await
    }

    /// Every stored answer of a study's responses to `phases`, ordered by respondent,
    /// phase (later first) and variable.
    pub(crate) async fn answer_rows(
        &self,
        study_id: &StudyId,
        phases: &[Phase],
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let mut names = self.variable_names().await?;
        let mut rows = Vec::new();
        let mut unknown_key = None;
        self.each_stored_response(study_id, phases, ReadOrder::ByRespondent, |response| {
            let entries = match crate::unpack(response.answers.as_deref()) {
                Ok(entries) => entries,
                Err(e) => {
                    unknown_key.get_or_insert(Err(e));
                    return;
                }
            };
            let mut named: Vec<(&str, &str)> = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                match names.name(key) {
                    Some(name) => named.push((name, value)),
                    None => {
                        unknown_key.get_or_insert(Ok(key));
                        return;
                    }
                }
            }
            named.sort_unstable_by_key(|(name, _)| *name);
            let summary = &response.summary;
            rows.extend(named.into_iter().map(|(variable, value)| AnswerRow {
                respondent_id: summary.respondent_id.clone(),
                site_code: summary.site_code.clone(),
                phase: summary.phase,
                status: summary.status,
                variable: variable.to_owned(),
                value: value.to_owned(),
            }));
        })
        .await?;
        match unknown_key {
            None => Ok(rows),
            Some(Err(e)) => Err(e),
            // A key added by another process since the names were read: read them again
            // and start over (once; a key still unknown then is damage).
            Some(Ok(key)) => {
                names = self.reload_variable_names().await?;
                if names.name(key).is_none() {
                    return Err(StoreError::Corrupt(format!(
                        "no variable has the key {key}"
                    )));
                }
                Box::pin(self.answer_rows(study_id, phases)).await
            }
        }
    }

    /// Hands every response of a study's surveys `phases` to `each`, row by row as the
    /// database returns them (nothing is collected here), in the `order` asked for.
    pub async fn each_stored_response(
        &self,
        study_id: &StudyId,
        phases: &[Phase],
        order: ReadOrder,
        mut each: impl FnMut(StoredResponse),
    ) -> Result<(), StoreError> {
        let order_by = match order {
            ReadOrder::ByRespondent => "ORDER BY respondents.id, responses.phase DESC",
            ReadOrder::AsStored => "",
        };
        let sql = format!(
            "SELECT {RESPONSE_COLUMNS}, responses.answers AS answers FROM responses \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 AND responses.phase IN ({}) {order_by}",
            phase_placeholders(phases)
        );
        let mut query = sqlx::query(&sql).bind(study_id.as_str());
        for phase in phases {
            query = query.bind(phase.as_str());
        }
        let mut rows = query.fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            each(StoredResponse {
                summary: summary_from_row(&row)?,
                answers: row.try_get("answers")?,
            });
        }
        Ok(())
    }

    /// How many respondents the study has: fewer than before means some were deleted.
    #[tracing::instrument(skip_all)]
    pub async fn study_respondent_count(&self, study_id: &StudyId) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS counted FROM respondents WHERE study_id = $1")
            .bind(study_id.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("counted")?)
    }

    /// Every pre- and post-training response of a study with its answer count and the
    /// respondent's return count, including empty ones, for the cleaning step.
    #[tracing::instrument(skip_all)]
    pub async fn study_responses(
        &self,
        study_id: &StudyId,
    ) -> Result<Vec<ResponseSummary>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RESPONSE_COLUMNS} FROM responses \
             JOIN respondents ON respondents.id = responses.respondent_id \
             JOIN sites ON sites.id = respondents.site_id \
             WHERE respondents.study_id = $1 AND responses.phase IN ('pre', 'post') \
             ORDER BY respondents.id, responses.phase DESC",
        ))
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }
}
