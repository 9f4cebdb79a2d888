//! A study's content as pre-registered: each part's version and SHA-256, whether it is
//! unchanged since the study was created, and a download of exactly what is stored.
//!
//! Anyone who may see the study may see and download its surveys, module and plans:
//! they hold no responses.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use skafada_store::{ContentPart, Study};

use super::error::AdminError;
use super::guard::Admin;
use super::views::{AdminLayout, ContentPage, ContentRow};
use crate::AppState;
use crate::content::StudyContent;
use crate::views::render;

/// The version a part declares, if it declares one.
fn declared_version(content: &StudyContent, part: ContentPart) -> Option<String> {
    match part {
        ContentPart::PreSurvey => content.pre.version.clone(),
        ContentPart::PostSurvey => content.post.version.clone(),
        ContentPart::Module => Some(content.module.manifest.version.clone()),
        ContentPart::Plan => {
            skafada_analysis::plan::Plan::parse(&content.study.analysis_plan, "plan")
                .ok()
                .and_then(|plan| plan.version)
        }
        ContentPart::ParticipantInformation => content
            .participant
            .as_ref()
            .map(|sheet| format!("{}, dated {}", sheet.version, sheet.dated)),
        ContentPart::TrainingNeeds | ContentPart::Framework | ContentPart::Waves => None,
    }
    .filter(|version| !version.trim().is_empty())
}

/// The file name a part downloads as.
fn file_name(study: &Study, part: ContentPart) -> String {
    match part {
        ContentPart::Module => {
            format!("{}.zip", crate::module_zip::safe_name(&study.module_id))
        }
        _ => format!("{}.toml", part.slug()),
    }
}

/// Whether a part's stored text has the digest recorded at creation.
pub(crate) fn integrity(study: &Study, part: ContentPart) -> &'static str {
    match study.recorded_sha256(part) {
        Some(recorded) if recorded == study.sha256(part) => "Unchanged since the study was created",
        Some(_) => "Changed since the study was created",
        None => "Created before digests were recorded",
    }
}

/// `GET /admin/studies/{study}/content`.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let base = format!("/admin/studies/{}", study.id);
    let rows = ContentPart::ALL
        .into_iter()
        .filter(|part| {
            // A study made before plans were stored uses the server's built-in plan, which
            // is not the study's to show; a study without follow-up waves has none to show.
            !matches!(
                part,
                ContentPart::Plan
                    | ContentPart::TrainingNeeds
                    | ContentPart::Framework
                    | ContentPart::Waves
                    | ContentPart::ParticipantInformation
            ) || !study.content_text(*part).unwrap_or_default().is_empty()
        })
        .map(|part| ContentRow {
            title: part.title().to_owned(),
            version: declared_version(&content, part).unwrap_or_else(|| "Not stated".to_owned()),
            sha256: study.sha256(part),
            integrity: integrity(&study, part).to_owned(),
            changed: integrity(&study, part).starts_with("Changed"),
            href: format!("{base}/content/{}", part.slug()),
            file: file_name(&study, part),
        })
        .collect();
    Ok(render(&ContentPage {
        layout: AdminLayout::new(
            &format!("Surveys, module and plans – {}", study.name),
            Some(&admin),
        )
        .back(&base),
        study_name: study.name.clone(),
        created_on: crate::views::long_date(&study.created_on),
        rows,
    }))
}

/// `GET /admin/studies/{study}/content/{part}`: the part exactly as stored; the module as
/// a ZIP file of its folder.
#[tracing::instrument(skip_all)]
pub(crate) async fn download(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, slug)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    let part = ContentPart::from_slug(&slug).ok_or(AdminError::NotFound)?;
    let (content_type, bytes) = match study.content_text(part) {
        Some("") => return Err(AdminError::NotFound),
        Some(text) => ("text/plain; charset=utf-8", text.as_bytes().to_vec()),
        None => (
            "application/zip",
            crate::module_zip::pack(&study.module_id, &study.module_sources)
                .map_err(|e| AdminError::Internal(e.to_string()))?,
        ),
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&study, part)),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
