//! Downloads of a study's responses: the pre-training or post-training survey as CSV
//! (with its codebook as a separate download), XLSX or SPSS .sav, through
//! `skafada-export`; or the whole study, follow-up waves and arms included, as the
//! analysis folder `skafada analyse` reads (a ZIP). Each carries the study's analysis plan's cleaning outcome (`kept`,
//! `exclusion`) and derived variables, computed by the analysis's own code, and the SPSS
//! file's user-missing codes follow the plan's Valid % base, so the file reproduces the
//! study report.
//!
//! Architecture invariant: an export holds only the records of the sites the account may
//! see (the guard decides: an LA contact gets their own site, and naming any other site
//! is 404), carries no IP addresses, user agents or names, and writes an `export` audit
//! entry (who, study, site or all, survey, format, number of records; never answers)
//! before the file is sent.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use skafada_analysis::data;
use skafada_analysis::plan::Data;
use skafada_analysis::records::outcomes;
use skafada_export::ExportOptions;
use skafada_store::{ExportLog, Phase, Site, Study, today};

use super::error::AdminError;
use super::guard::Admin;
use super::pivot::stored_surveys;
use super::views::{AdminLayout, ExportFormPage};
use crate::AppState;
use crate::views::render;

/// The query of an export link: `survey` (`pre` or `post`), `format` (`csv`,
/// `codebook`, `xlsx` or `sav`) and, on the study's link, an optional `site` code.
#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    survey: Option<String>,
    format: Option<String>,
    site: Option<String>,
    purpose: Option<String>,
}

/// The longest purpose kept in the audit log.
const PURPOSE_MAX: usize = 200;

/// A file format offered for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Codebook,
    Xlsx,
    Sav,
}

impl Format {
    fn parse(text: &str) -> Option<Format> {
        match text {
            "csv" => Some(Format::Csv),
            "codebook" => Some(Format::Codebook),
            "xlsx" => Some(Format::Xlsx),
            "sav" => Some(Format::Sav),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Codebook => "codebook",
            Format::Xlsx => "xlsx",
            Format::Sav => "sav",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv | Format::Codebook => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Sav => "application/x-spss-sav",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv | Format::Codebook => "csv",
            Format::Xlsx => "xlsx",
            Format::Sav => "sav",
        }
    }
}

/// Letters, digits and hyphens only: a filename no browser or shell misreads.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The download's filename, e.g. `skafada-LA01-pre-2025-03-04.xlsx`.
fn filename(site_code: Option<&str>, phase: Phase, format: Format, date: &str) -> String {
    let scope = site_code.map_or_else(|| "all-sites".to_owned(), safe);
    let kind = if format == Format::Codebook {
        "-codebook"
    } else {
        ""
    };
    format!(
        "skafada-{scope}-{}{kind}-{}.{}",
        phase.as_str(),
        safe(date),
        format.extension()
    )
}

/// `GET /admin/studies/{study}/export`: every site the account may see (an LA contact's
/// own site), or the site named by `site`, which must be in scope (else 404).
#[tracing::instrument(skip_all)]
pub(crate) async fn study_export(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AdminError> {
    if let Some(code) = &query.site {
        let (study, site) = admin.require_site(&state, &study_id, code).await?;
        return export(&state, &admin, &study, Some(site), &query).await;
    }
    let study = admin.require_study(&state, &study_id).await?;
    if admin.sees_all_sites() {
        return export(&state, &admin, &study, None, &query).await;
    }
    let own = state
        .store
        .sites(&study.id)
        .await?
        .into_iter()
        .find(|site| admin.can_see_site(site))
        .ok_or(AdminError::NotFound)?;
    export(&state, &admin, &study, Some(own), &query).await
}

/// `GET /admin/studies/{study}/sites/{site}/export`: one site, if in scope (else 404).
#[tracing::instrument(skip_all)]
pub(crate) async fn site_export(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AdminError> {
    if query.site.as_deref().is_some_and(|site| site != code) {
        return Err(AdminError::NotFound);
    }
    let (study, site) = admin.require_site(&state, &study_id, &code).await?;
    export(&state, &admin, &study, Some(site), &query).await
}

/// Builds the file for a scope already checked by the guard (`site`, or every site of
/// the study when `None`), logs the export and sends it.
async fn export(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    site: Option<Site>,
    query: &ExportQuery,
) -> Result<Response, AdminError> {
    // Record-level data is for the research roles only: a site-scoped reader gets the
    // protected tables of the site's release instead (`release.rs`).
    if !admin.sees_all_sites() {
        return Err(AdminError::NotFound);
    }
    let phase = match query.survey.as_deref() {
        Some("pre") => Phase::Pre,
        Some("post") => Phase::Post,
        _ => return Err(AdminError::NotFound),
    };
    let format = query
        .format
        .as_deref()
        .and_then(Format::parse)
        .ok_or(AdminError::NotFound)?;
    // Every record-level download says why it is needed, and the audit log keeps it.
    let purpose = purpose_of(query);
    if format != Format::Codebook
        && let Some(problem) = purpose_problem(&purpose)
    {
        return Ok(purpose_page(
            admin,
            study,
            PurposeForm::Survey(site.as_ref()),
            query,
            &purpose,
            problem,
        ));
    }
    let content = state.studies.get(&state.store, &study.id).await?;
    let (instrument, survey) = match phase {
        Phase::Pre => (&content.pre, Data::Pre),
        Phase::Post => (&content.post, Data::Post),
        // A follow-up wave's responses are in the whole study's folder
        // (`study_folder_export`), paired with the baseline there.
        Phase::FollowUp(_) => return Err(AdminError::NotFound),
    };
    // The study's plan: the report's cleaning, derived variables and Valid % base.
    let plan = super::results::plan_of(state, study)?;
    let date = today();
    let (body, records) = if format == Format::Codebook {
        let none = data::Responses::default();
        let outcomes = outcomes(&plan, survey, &[], instrument, &none);
        let bytes = skafada_export::codebook_csv(instrument, &outcomes)
            .map_err(|e| AdminError::Internal(e.to_string()))?;
        (axum::body::Body::from(bytes), None)
    } else {
        let sites: Vec<data::Site> = state
            .store
            .sites(&study.id)
            .await?
            .into_iter()
            .filter(|s| site.as_ref().is_none_or(|only| only.id == s.id))
            .map(|s| data::Site {
                site: s.code,
                name: s.name,
                region: s.region,
            })
            .collect();
        let responses = stored_surveys(
            &state.store,
            &study.id,
            &sites,
            &[(phase, instrument)],
            skafada_store::ReadOrder::ByRespondent,
        )
        .await?
        .pop()
        .ok_or_else(|| AdminError::Internal("the survey's responses were not read".to_owned()))?;
        let options = ExportOptions {
            study: study.name.clone(),
            date: date.to_string(),
            synthetic: study.synthetic,
            labels: false,
            // Empty for every site (`ExportOptions::scope`).
            scope: site
                .as_ref()
                .map_or_else(String::new, |s| format!("site {}", s.code)),
        };
        let records = responses.len();
        // Cleaning, deriving and writing take seconds for a large study: on a blocking
        // thread, under the same bound on heavy work as the results pages, so that the
        // journey's requests are never kept waiting behind an export.
        let content = content.clone();
        let file = state
            .study_data
            .heavy(move || -> Result<std::fs::File, AdminError> {
                let instrument = if survey == Data::Pre {
                    &content.pre
                } else {
                    &content.post
                };
                let outcomes = outcomes(&plan, survey, &sites, instrument, &responses);
                // The file is written to an unnamed temporary file and sent from there
                // (`download.rs`), so a whole study's file is never held in memory.
                let file = crate::download::temporary_file()
                    .map_err(|e| AdminError::Internal(format!("temporary file: {e}")))?;
                let failed = |e: skafada_export::ExportError| AdminError::Internal(e.to_string());
                let buffered = |file| std::io::BufWriter::with_capacity(1 << 16, file);
                let unbuffered = |out: std::io::BufWriter<std::fs::File>| {
                    out.into_inner()
                        .map_err(|e| AdminError::Internal(format!("temporary file: {e}")))
                };
                match format {
                    Format::Xlsx => {
                        // The rows wait in another unnamed temporary file, not in memory:
                        // a whole study's workbook would otherwise hold every cell
                        // (gigabytes at scale).
                        let sink = skafada_export::XlsxSink {
                            out: buffered(file),
                            rows: skafada_export::RowBuffer::Folder(std::env::temp_dir()),
                            progress: &mut |_| {},
                        };
                        skafada_export::write_xlsx(
                            instrument, &responses, &sites, &outcomes, &options, sink,
                        )
                        .map_err(failed)
                        .and_then(unbuffered)
                    }
                    Format::Sav => skafada_export::write_sav(
                        instrument,
                        &responses,
                        &sites,
                        &outcomes,
                        &options,
                        buffered(file),
                    )
                    .map_err(failed)
                    .and_then(unbuffered),
                    Format::Csv | Format::Codebook => skafada_export::write_csv(
                        instrument,
                        &responses,
                        &sites,
                        &outcomes,
                        buffered(file),
                        &mut |_| {},
                    )
                    .map_err(failed)
                    .and_then(unbuffered),
                }
            })
            .await??;
        let body = crate::download::file_body(file)
            .map_err(|e| AdminError::Internal(format!("temporary file: {e}")))?;
        (body, Some(records))
    };
    state
        .store
        .log_export(&ExportLog {
            account_id: admin.account_id(),
            study_id: &study.id,
            site_code: site.as_ref().map(|s| s.code.as_str()),
            phase: Some(phase),
            format: format.name(),
            records,
            purpose: (format != Format::Codebook).then_some(purpose.as_str()),
        })
        .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename(
            site.as_ref().map(|s| s.code.as_str()),
            phase,
            format,
            &date.to_string()
        )
    );
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The purpose given, its spaces collapsed; empty when none was given, which
/// `purpose_problem` refuses as too short.
fn purpose_of(query: &ExportQuery) -> String {
    query.purpose.as_deref().map_or_else(String::new, |p| {
        p.split_whitespace().collect::<Vec<_>>().join(" ")
    })
}

/// What is wrong with a record-level download's purpose, if anything.
fn purpose_problem(purpose: &str) -> Option<&'static str> {
    if purpose.chars().count() < 5 {
        Some("Enter why you need these records")
    } else if purpose.chars().count() > PURPOSE_MAX {
        Some("Why you need these records must be 200 characters or fewer")
    } else {
        None
    }
}

/// `GET /admin/studies/{study}/export/folder`: the whole study as the analysis folder
/// `skafada analyse` reads (`docs/export-format.md`), zipped: every survey and follow-up
/// wave, follow-up records under the baseline respondent's id where they were linked,
/// and the delivery arms' allocation log. Research roles only, with a purpose, audited.
#[tracing::instrument(skip_all)]
pub(crate) async fn study_folder_export(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    if !admin.sees_all_sites() {
        return Err(AdminError::NotFound);
    }
    let purpose = purpose_of(&query);
    if let Some(problem) = purpose_problem(&purpose) {
        return Ok(purpose_page(
            &admin,
            &study,
            PurposeForm::Folder,
            &query,
            &purpose,
            problem,
        ));
    }
    let export = crate::export_folder::study_export(&state.store, &study)
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let date = today();
    let folder = format!("skafada-{}-{}", safe(&study.name), date);
    // Compressing a whole study's files takes seconds at scale: on a blocking thread,
    // under the bound on heavy work.
    let records = export.records;
    let files = export.files;
    let file = {
        let folder = folder.clone();
        state
            .study_data
            .heavy(move || zip_folder(&folder, &files))
            .await??
    };
    let body = crate::download::file_body(file)
        .map_err(|e| AdminError::Internal(format!("temporary file: {e}")))?;
    state
        .store
        .log_export(&ExportLog {
            account_id: admin.account_id(),
            study_id: &study.id,
            site_code: None,
            phase: None,
            format: "analysis folder (zip)",
            records: Some(records),
            purpose: Some(purpose.as_str()),
        })
        .await?;
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{folder}.zip\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The files of an export folder as a ZIP holding one folder, in an unnamed temporary
/// file (`download.rs`).
fn zip_folder(folder: &str, files: &[(String, String)]) -> Result<std::fs::File, AdminError> {
    use std::io::Write as _;
    let file = crate::download::temporary_file()
        .map_err(|e| AdminError::Internal(format!("temporary file: {e}")))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::with_capacity(1 << 16, file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let failed = |e: &dyn std::fmt::Display| AdminError::Internal(format!("zip: {e}"));
    for (path, text) in files {
        zip.start_file(format!("{folder}/{path}"), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    }
    zip.finish()
        .map_err(|e| failed(&e))?
        .into_inner()
        .map_err(|e| failed(&e))
}

/// Which download form a purpose page repeats.
#[derive(Clone, Copy)]
enum PurposeForm<'a> {
    /// One survey's file, of one site or every site.
    Survey(Option<&'a Site>),
    /// The whole study's analysis folder.
    Folder,
}

/// The download form again, with the reason it was not sent (400).
fn purpose_page(
    admin: &Admin,
    study: &Study,
    form: PurposeForm<'_>,
    query: &ExportQuery,
    purpose: &str,
    problem: &str,
) -> Response {
    let site = match form {
        PurposeForm::Survey(site) => site,
        PurposeForm::Folder => None,
    };
    let action = match form {
        PurposeForm::Survey(Some(site)) => {
            format!("/admin/studies/{}/sites/{}/export", study.id, site.code)
        }
        PurposeForm::Survey(None) => format!("/admin/studies/{}/export", study.id),
        PurposeForm::Folder => format!("/admin/studies/{}/export/folder", study.id),
    };
    let back = match site {
        Some(site) => format!("/admin/studies/{}/sites/{}", study.id, site.code),
        None => format!("/admin/studies/{}", study.id),
    };
    let mut response = render(&ExportFormPage {
        layout: AdminLayout::new("Download records", Some(admin))
            .with_error(true)
            .back(&back),
        export: action,
        export_scope: match form {
            PurposeForm::Folder => "Every survey and follow-up wave from every site, as the folder skafada analyse reads".to_owned(),
            PurposeForm::Survey(None) => "Responses from every site".to_owned(),
            PurposeForm::Survey(Some(s)) => format!("Responses from {} only", s.code),
        },
        survey: query.survey.clone(),
        format: query.format.clone(),
        purpose: purpose.to_owned(),
        error: Some(problem.to_owned()),
    });
    *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn filenames_keep_only_letters_digits_and_hyphens() {
        let name = filename(
            Some("LA\"01/..\r\n"),
            Phase::Post,
            Format::Sav,
            "2025-03-04",
        );
        assert_eq!(name, "skafada-LA-01------post-2025-03-04.sav");
        assert_eq!(
            filename(None, Phase::Pre, Format::Codebook, "2025-03-04"),
            "skafada-all-sites-pre-codebook-2025-03-04.csv"
        );
    }
}
