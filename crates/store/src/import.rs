//! Adding whole responses to a study at once: how `serve --demo` fills the demonstration
//! study with its synthetic responses, so that a new user sees a populated study.

use std::collections::{BTreeMap, HashMap};

use crate::packed::pack;
use crate::{Phase, SiteId, Status, Store, StoreError, StudyId, random_token};

/// One response to add as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResponse {
    /// Groups the responses of one respondent (their pre- and post-training surveys);
    /// a new anonymous identifier is made for each distinct value.
    pub respondent: String,
    /// The site's code in the study (e.g. `LA01`).
    pub site_code: String,
    /// Which survey.
    pub phase: Phase,
    /// Where the response got to.
    pub status: Status,
    /// The day it was started (YYYY-MM-DD).
    pub started_on: String,
    /// Answers as the journey stores them: variable and text value.
    pub answers: Vec<(String, String)>,
}

impl Store {
    /// Adds the responses to the study in one transaction, and returns how many were added.
    /// A site code the study does not have is an error, and nothing is added.
    #[tracing::instrument(skip_all)]
    pub async fn import_responses(
        &self,
        study_id: &StudyId,
        responses: &[ImportedResponse],
    ) -> Result<usize, StoreError> {
        let sites: HashMap<String, SiteId> = self
            .sites(study_id)
            .await?
            .into_iter()
            .map(|site| (site.code, site.id))
            .collect();
        let mut respondents: HashMap<&str, String> = HashMap::new();
        let names: Vec<&str> = responses
            .iter()
            .flat_map(|r| r.answers.iter().map(|(variable, _)| variable.as_str()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let keys = self.variable_keys(&names).await?;
        let mut tx = self.write().await?;
        for response in responses {
            let site_id = sites.get(&response.site_code).ok_or_else(|| {
                StoreError::Corrupt(format!("the study has no site {}", response.site_code))
            })?;
            let respondent_id = match respondents.get(response.respondent.as_str()) {
                Some(id) => id.clone(),
                None => {
                    let id = random_token()?;
                    sqlx::query(
                        "INSERT INTO respondents (id, study_id, site_id, created_on, resume_hash, returned) \
                         VALUES ($1, $2, $3, $4, NULL, 0)",
                    )
                    .bind(&id)
                    .bind(study_id.as_str())
                    .bind(site_id.as_str())
                    .bind(&response.started_on)
                    .execute(&mut *tx)
                    .await?;
                    respondents.insert(&response.respondent, id.clone());
                    id
                }
            };
            let response_id = random_token()?;
            let submitted_on = (!response.status.is_open()).then(|| response.started_on.clone());
            let mut answers = BTreeMap::new();
            for (variable, value) in &response.answers {
                if let Some(key) = keys.get(variable) {
                    answers.insert(*key, value.clone());
                }
            }
            sqlx::query(
                "INSERT INTO responses (id, respondent_id, phase, status, current_page, \
                 started_on, submitted_on, answers, answer_count) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&response_id)
            .bind(&respondent_id)
            .bind(response.phase.as_str())
            .bind(response.status.as_str())
            .bind("")
            .bind(&response.started_on)
            .bind(submitted_on)
            .bind(pack(&answers)?)
            .bind(i64::try_from(answers.len()).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(responses.len())
    }

    /// Adds journeys started (site code and day, one entry per start) to a study's
    /// counts, in one transaction: what the demo's records of links opened show.
    #[tracing::instrument(skip_all)]
    pub async fn import_starts(
        &self,
        study_id: &StudyId,
        starts: &[(String, String)],
    ) -> Result<(), StoreError> {
        let sites: HashMap<String, SiteId> = self
            .sites(study_id)
            .await?
            .into_iter()
            .map(|site| (site.code, site.id))
            .collect();
        let mut counts: std::collections::BTreeMap<(&str, &str), i64> =
            std::collections::BTreeMap::new();
        for (code, day) in starts {
            let site_id = sites
                .get(code)
                .ok_or_else(|| StoreError::Corrupt(format!("the study has no site {code}")))?;
            *counts.entry((site_id.as_str(), day.as_str())).or_default() += 1;
        }
        let mut tx = self.write().await?;
        for ((site_id, day), n) in counts {
            sqlx::query(
                "INSERT INTO site_starts (site_id, day, starts) VALUES ($1, $2, $3) \
                 ON CONFLICT (site_id, day) DO UPDATE SET starts = site_starts.starts + $3",
            )
            .bind(site_id)
            .bind(day)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
