//! Allocation to delivery arms as the study runs (`[allocation]` in the study's waves
//! file): a site when it is added (`unit = "site"`), or a respondent when they consent
//! (`unit = "respondent"`, within their site), each at the next place of its stratum's
//! sequence under the study's allocation seed. The arm is recorded and logged; how each
//! arm's training is delivered (a group session, a facilitator) is the study's to arrange.

use skafada_waves::Secret;
use skafada_waves::allocation::{AllocationSpec, Unit};

use crate::AppState;
use crate::content::StudyContent;
use crate::error::AppError;

/// Allocates a unit of `unit`'s kind if the study allocates that kind; returns the arm's
/// name, or `None` when the study does not allocate it.
pub(crate) async fn allocate(
    state: &AppState,
    content: &StudyContent,
    unit: Unit,
    stratum: &str,
    unit_id: &str,
) -> Result<Option<String>, AppError> {
    let Some(spec) = content
        .allocation
        .as_ref()
        .filter(|spec| spec.unit() == unit)
    else {
        return Ok(None);
    };
    let seed = state.store.allocation_seed(&content.study.id).await?;
    let seed =
        Secret::from_bytes(seed.to_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let allocated = state
        .store
        .allocate(&content.study.id, stratum, unit_id, |position| {
            spec.arm_for(&seed, stratum, position)
                .map(|arm| arm.id.clone())
        })
        .await?
        .ok_or_else(|| {
            AppError::Internal("the allocation sequence has no place left".to_owned())
        })?;
    Ok(Some(arm_name(spec, &allocated.arm)))
}

/// An arm's name, by its id.
pub(crate) fn arm_name(spec: &AllocationSpec, id: &str) -> String {
    spec.arms()
        .iter()
        .find(|arm| arm.id == id)
        .map_or_else(|| id.to_owned(), |arm| arm.name.clone())
}
