//! Allocation to delivery arms: the next place in a stratum's sequence taken under the
//! write lock, the arm the caller computes for it (`skafada_waves::allocation`, from the
//! study's allocation seed), and the row that logs it. A unit is allocated once: asking
//! again returns its arm.

use sqlx::Row as _;

use crate::audit::{self, Audit};
use crate::date::unix_now;
use crate::{Store, StoreError, StudyId};

/// A unit's allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The arm's id.
    pub arm: String,
    /// The unit's place in its stratum's sequence, from 0.
    pub position: u64,
}

/// One row of a study's allocation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRow {
    /// `""` when sites are allocated; the site's id when respondents are.
    pub stratum: String,
    /// The unit's place in the stratum's sequence, from 0.
    pub position: u64,
    /// The site's or respondent's id.
    pub unit_id: String,
    /// The arm's id.
    pub arm: String,
    /// When (Unix seconds).
    pub allocated_at: i64,
}

impl Store {
    /// Allocates a unit (a site or a respondent) of a study to a delivery arm: takes the
    /// next place in the stratum's sequence, asks `arm_at` for that place's arm, and
    /// records it, in one transaction under the write lock, so that two units never share
    /// a place. A unit already allocated keeps its arm. `None` when `arm_at` has no arm
    /// for the place (the sequence is exhausted).
    #[tracing::instrument(skip_all)]
    pub async fn allocate(
        &self,
        study_id: &StudyId,
        stratum: &str,
        unit_id: &str,
        arm_at: impl FnOnce(u64) -> Option<String>,
    ) -> Result<Option<Allocation>, StoreError> {
        let mut tx = self.write().await?;
        if let Some(row) =
            sqlx::query("SELECT arm, position FROM arm_allocations WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_optional(&mut *tx)
                .await?
        {
            return Ok(Some(Allocation {
                arm: row.try_get("arm")?,
                position: u64::try_from(row.try_get::<i64, _>("position")?).unwrap_or(0),
            }));
        }
        let taken: i64 = sqlx::query(
            "SELECT COUNT(*) AS taken FROM arm_allocations WHERE study_id = $1 AND stratum = $2",
        )
        .bind(study_id.as_str())
        .bind(stratum)
        .fetch_one(&mut *tx)
        .await?
        .try_get("taken")?;
        let position = u64::try_from(taken).unwrap_or(0);
        let Some(arm) = arm_at(position) else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO arm_allocations (study_id, stratum, position, unit_id, arm, allocated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(study_id.as_str())
        .bind(stratum)
        .bind(taken)
        .bind(unit_id)
        .bind(&arm)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        let details = format!(
            "place {position} of {} allocated to arm {arm}",
            if stratum.is_empty() {
                "the study's sites"
            } else {
                "the site's respondents"
            }
        );
        audit::write(
            &mut tx,
            Audit {
                account_id: None,
                study_id: Some(study_id),
                action: "allocated",
                object_type: if stratum.is_empty() {
                    "site"
                } else {
                    "respondent"
                },
                object_id: stratum.is_empty().then_some(unit_id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Allocation { arm, position }))
    }

    /// A unit's arm, if it has been allocated.
    #[tracing::instrument(skip_all)]
    pub async fn arm_of(&self, unit_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT arm FROM arm_allocations WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get("arm")).transpose()?)
    }

    /// A study's allocation log, by stratum and place.
    #[tracing::instrument(skip_all)]
    pub async fn allocations(&self, study_id: &StudyId) -> Result<Vec<AllocationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT stratum, position, unit_id, arm, allocated_at FROM arm_allocations \
             WHERE study_id = $1 ORDER BY stratum, position",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AllocationRow {
                    stratum: row.try_get("stratum")?,
                    position: u64::try_from(row.try_get::<i64, _>("position")?).unwrap_or(0),
                    unit_id: row.try_get("unit_id")?,
                    arm: row.try_get("arm")?,
                    allocated_at: row.try_get("allocated_at")?,
                })
            })
            .collect()
    }
}
