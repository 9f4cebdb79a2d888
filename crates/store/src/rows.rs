//! Row decoders shared by the modules. They read columns by name, so a query that
//! joins tables or computes a value names its columns with `AS`.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::{CertificateRecord, Day, Phase, Response, Site, Status, StoreError, Study};

pub(crate) const STUDY_COLUMNS: &str = "SELECT id, name, pre_instrument, post_instrument, module_id, \
     module_sources, opens_on, closes_on, retain_until, analysis_plan, min_cell_count, training_needs, \
     content_sha256, created_on, synthetic, framework, waves, participant_information FROM studies";

pub(crate) const SITE_COLUMNS: &str = "SELECT id, study_id, code, name, region, model_of_practice, \
     population, ethnicity, area_type, deprivation_quintile, local_services, link_token FROM sites";

pub(crate) const CERTIFICATE_COLUMNS: &str = "SELECT code, module_title, module_version, issued_month, \
     learning_minutes FROM certificates";

pub(crate) fn study_from_row(row: &sqlx::any::AnyRow) -> Result<Study, StoreError> {
    let sources: String = row.try_get("module_sources")?;
    Ok(Study {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        pre_instrument: row.try_get("pre_instrument")?,
        post_instrument: row.try_get("post_instrument")?,
        module_id: row.try_get("module_id")?,
        module_sources: serde_json::from_str(&sources)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        opens_on: day(row, "opens_on")?,
        closes_on: day(row, "closes_on")?,
        retain_until: day(row, "retain_until")?,
        analysis_plan: row.try_get("analysis_plan")?,
        min_cell_count: row.try_get("min_cell_count")?,
        training_needs: row.try_get("training_needs")?,
        recorded_sha256: {
            let digests: String = row.try_get("content_sha256")?;
            if digests.is_empty() {
                BTreeMap::new()
            } else {
                serde_json::from_str(&digests).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
        },
        created_on: day(row, "created_on")?,
        synthetic: row.try_get::<i64, _>("synthetic")? != 0,
        framework: row.try_get("framework")?,
        waves: row.try_get("waves")?,
        participant_information: row.try_get("participant_information")?,
    })
}

pub(crate) fn site_from_row(row: &sqlx::any::AnyRow) -> Result<Site, StoreError> {
    Ok(Site {
        id: id(row, "id")?,
        study_id: id(row, "study_id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        model_of_practice: row.try_get("model_of_practice")?,
        population: row.try_get("population")?,
        ethnicity: row.try_get("ethnicity")?,
        area_type: row.try_get("area_type")?,
        deprivation_quintile: row.try_get("deprivation_quintile")?,
        local_services: row.try_get("local_services")?,
        link_token: row.try_get("link_token")?,
    })
}

pub(crate) fn response_from_row(row: &sqlx::any::AnyRow) -> Result<Response, StoreError> {
    Ok(Response {
        id: id(row, "id")?,
        respondent_id: id(row, "respondent_id")?,
        phase: parse_phase(&row.try_get::<String, _>("phase")?)?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        current_page: row.try_get("current_page")?,
    })
}

pub(crate) fn certificate_from_row(
    row: &sqlx::any::AnyRow,
) -> Result<CertificateRecord, StoreError> {
    Ok(CertificateRecord {
        code: row.try_get("code")?,
        module_title: row.try_get("module_title")?,
        module_version: row.try_get("module_version")?,
        issued_month: row.try_get("issued_month")?,
        learning_minutes: row.try_get("learning_minutes")?,
    })
}

/// A session's stored wave: 0 for the site's link, else the follow-up wave's number.
pub(crate) fn wave_of(stored: i64) -> Option<u8> {
    u8::try_from(stored)
        .ok()
        .filter(|wave| (1..=9).contains(wave))
}

pub(crate) fn parse_phase(text: &str) -> Result<Phase, StoreError> {
    Phase::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown phase {text:?}")))
}

pub(crate) fn parse_status(text: &str) -> Result<Status, StoreError> {
    Status::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown status {text:?}")))
}

/// A text column read as one of the id types.
pub(crate) fn id<T: From<String> + AsRef<str>>(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<T, StoreError> {
    Ok(T::from(row.try_get::<String, _>(column)?))
}

/// A `YYYY-MM-DD` column read as a day.
pub(crate) fn day(row: &sqlx::any::AnyRow, column: &str) -> Result<Day, StoreError> {
    crate::date::stored_day(&row.try_get::<String, _>(column)?)
}

/// A nullable `YYYY-MM-DD` column read as a day.
pub(crate) fn optional_day(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<Option<Day>, StoreError> {
    row.try_get::<Option<String>, _>(column)?
        .map(|text| crate::date::stored_day(&text))
        .transpose()
}

/// A nullable text column read as one of the id types.
pub(crate) fn optional_id<T: From<String>>(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<Option<T>, StoreError> {
    Ok(row.try_get::<Option<String>, _>(column)?.map(T::from))
}
