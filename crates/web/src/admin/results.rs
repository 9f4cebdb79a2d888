//! Results from the live responses: a site's dashboard beside all sites, the
//! training-needs reports (per site and for the whole study) and the study report.
//!
//! Each runs the study's analysis plan on the study's responses, for study admins and
//! analysts, who see every count. An LA contact's dashboard and training needs are
//! handed to `release.rs` before any analysis runs: they see only their site's
//! protected release. The analysis runs on a blocking thread so that it never holds up
//! other requests.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use skafada_analysis::plan::Plan;
use skafada_analysis::run::Analysis;
use skafada_report::dashboard::{
    Dashboard, DashboardOptions, Shown, dashboard, dashboard_plan, site_dataset,
};
use skafada_report::needs::{NeedsOptions, NeedsReport, NeedsSpec, SectionRef, needs_report};
use skafada_store::{Site, Study, today};

use super::error::AdminError;
use super::guard::Admin;
use super::views::{
    AdminLayout, CellView, ChangeView, DashboardPage, DifferenceView, NeedGroupView, NeedView,
    NeedsPage, ResultRowView, ResultTableView,
};
use crate::AppState;
use crate::content::StudyContent;
use crate::views::render;

/// The study's analysis plan: its own, or the first of the server's library.
pub(super) fn plan_of(state: &AppState, study: &Study) -> Result<Plan, AdminError> {
    let text = if study.analysis_plan.is_empty() {
        state
            .config
            .admin
            .library
            .first()
            .map(|set| set.analysis_plan.as_str())
            .ok_or_else(|| AdminError::Internal("the study has no analysis plan".to_owned()))?
    } else {
        study.analysis_plan.as_str()
    };
    Plan::parse(text, "analysis plan").map_err(|e| AdminError::Internal(e.to_string()))
}

/// The study's training-needs specification: its own, or the library's.
pub(super) fn needs_of(state: &AppState, study: &Study) -> Result<NeedsSpec, AdminError> {
    let text = if study.training_needs.is_empty() {
        state
            .config
            .admin
            .library
            .first()
            .map(|set| set.training_needs.as_str())
            .ok_or_else(|| {
                AdminError::Internal("the study has no training-needs specification".to_owned())
            })?
    } else {
        study.training_needs.as_str()
    };
    NeedsSpec::parse(text, "training needs").map_err(|e| AdminError::Internal(e.to_string()))
}

/// The site's analysis and all sites', with the dashboard plan.
async fn site_and_all(
    state: &AppState,
    study: &Study,
    site: &Site,
) -> Result<(Arc<Plan>, StudyContentRef, Analysis, Arc<Analysis>), AdminError> {
    let content = state.studies.get(&state.store, &study.id).await?;
    let plan = Arc::new(dashboard_plan(&plan_of(state, study)?));
    let data = state.study_data.get(state, study, &content).await?;
    let all_analysis = data.all_sites(&state.study_data, plan.clone()).await?;
    let (dataset, code, site_plan) = (data.dataset.clone(), site.code.clone(), plan.clone());
    let site_analysis = state
        .study_data
        .heavy(move || {
            let only = site_dataset(&dataset, &code).ok_or(AdminError::NotFound)?;
            skafada_analysis::analyse(&site_plan, &only)
                .map_err(|e| AdminError::Internal(e.to_string()))
        })
        .await??;
    Ok((plan, content, site_analysis, all_analysis))
}

type StudyContentRef = Arc<StudyContent>;

fn shown_text(shown: &Shown) -> String {
    shown.text()
}

fn result_tables(board: &Dashboard) -> Vec<ResultTableView> {
    board
        .tables
        .iter()
        .map(|table| ResultTableView {
            id: table.id.clone(),
            caption: table.caption.clone(),
            columns: table.columns.iter().skip(1).cloned().collect(),
            rows: table
                .rows
                .iter()
                .map(|row| ResultRowView {
                    label: row.label.clone(),
                    heading: row.heading,
                    cells: row
                        .cells
                        .iter()
                        .map(|cell| CellView {
                            site: shown_text(&cell.site),
                            hidden: cell.site == Shown::Hidden,
                            all: cell.all.map(|x| format!("{x:.1}")),
                        })
                        .collect(),
                })
                .collect(),
            span: table.columns.len(),
            chart: table.chart.clone(),
            notes: table.notes.clone(),
        })
        .collect()
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < .001".to_owned()
    } else {
        format!("p = {}", format!("{p:.3}").trim_start_matches('0'))
    }
}

/// `GET /admin/studies/{study}/sites/{site}/dashboard`.
#[tracing::instrument(skip_all)]
pub(crate) async fn site_dashboard(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.require_site(&state, &study_id, &code).await?;
    if !admin.sees_all_sites() {
        return super::release::dashboard(&state, &admin, &study, &site).await;
    }
    let (plan, _, site_analysis, all_analysis) = site_and_all(&state, &study, &site).await?;
    // Research roles see every count; site-scoped readers were handed the release above.
    let min = None;
    let board = dashboard(
        &plan,
        &site_analysis,
        &all_analysis,
        &DashboardOptions {
            site_code: site.code.clone(),
            min_count: min,
        },
    );
    let base = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    Ok(render(&DashboardPage {
        layout: AdminLayout::new(&format!("Results for {}", site.code), Some(&admin)).back(&base),
        code: site.code.clone(),
        name: site.name.clone(),
        site_responses: board.responses.0,
        all_responses: board.responses.1,
        too_few: board.too_few,
        post_too_few: board.post_too_few,
        min_count: min,
        hidden: board.hidden,
        differences: board
            .differences
            .iter()
            .map(|d| DifferenceView {
                table: d.table.clone(),
                row: d.row.clone(),
                answer: d.answer.clone(),
                sentence: d.sentence(),
                p: p_text(d.p),
                p_adjusted: p_text(d.p_adjusted),
                significant: d.p_adjusted <= plan.significance,
            })
            .collect(),
        tables: result_tables(&board),
        needs: format!("{base}/training-needs"),
        significance: format!("{}", plan.significance)
            .trim_start_matches('0')
            .to_owned(),
    }))
}

/// The module's sections with the questions each addresses.
pub(super) fn section_refs(content: &StudyContent) -> Vec<SectionRef> {
    content
        .module
        .sections
        .iter()
        .map(|s| SectionRef {
            id: s.id.clone(),
            title: s.title.clone(),
            addresses: s.knowledge.iter().chain(&s.addresses).cloned().collect(),
        })
        .collect()
}

fn needs_page(
    admin: &Admin,
    report: &NeedsReport,
    title: &str,
    back: &str,
    scope_name: String,
    significance: f64,
    min: Option<u64>,
) -> Response {
    let percent = |share: Option<skafada_report::needs::Share>| {
        share.map(|s| {
            if s.base == 0 {
                "No answers".to_owned()
            } else {
                format!("{:.0}%", s.percent())
            }
        })
    };
    render(&NeedsPage {
        layout: AdminLayout::new(title, Some(admin)).back(back),
        heading: title.to_owned(),
        scope_name,
        responses: report.responses,
        too_few: report.too_few,
        min_count: min,
        site_level: report.scope != "all sites",
        groups: report
            .groups
            .iter()
            .map(|group| NeedGroupView {
                id: group.id.clone(),
                title: group.title.clone(),
                measure: group.measure.clone(),
                source: group.source.clone(),
                more: group.more,
                needs: group
                    .needs
                    .iter()
                    .map(|need| NeedView {
                        text: need.text.clone(),
                        nobody_answered: need.share.is_some_and(|s| s.base == 0),
                        share: percent(need.share),
                        all: percent(need.all),
                        implications: need
                            .implications
                            .iter()
                            .filter_map(|n| report.implications.iter().find(|i| i.number == *n))
                            .map(|i| (i.number, i.title.clone()))
                            .collect(),
                        sections: need.sections.clone(),
                        change: need.change.as_ref().map(|c| ChangeView {
                            scope: c.scope.clone(),
                            before: format!("{:.0}%", c.before),
                            after: format!("{:.0}%", c.after),
                            basis: c.basis.clone(),
                            verdict: if c.significant {
                                "Improved after the training".to_owned()
                            } else if c.worse {
                                "Worse after the training".to_owned()
                            } else {
                                "No clear change".to_owned()
                            },
                            p: p_text(c.p_adjusted),
                            improved: c.significant && c.improved,
                        }),
                    })
                    .collect(),
            })
            .collect(),
        implications: report
            .implications
            .iter()
            .map(|i| (i.number, i.title.clone(), i.summary.clone()))
            .collect(),
        significance: format!("{significance}").trim_start_matches('0').to_owned(),
    })
}

/// `GET /admin/studies/{study}/sites/{site}/training-needs`.
#[tracing::instrument(skip_all)]
pub(crate) async fn site_needs(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.require_site(&state, &study_id, &code).await?;
    if !admin.sees_all_sites() {
        return super::release::needs(&state, &admin, &study, &site).await;
    }
    let spec = needs_of(&state, &study)?;
    let (_, content, site_analysis, all_analysis) = site_and_all(&state, &study, &site).await?;
    let plan = plan_of(&state, &study)?;
    let min = None;
    let report = needs_report(
        &spec,
        &plan,
        &content.pre,
        &section_refs(&content),
        &site_analysis,
        &all_analysis,
        &NeedsOptions {
            scope: site.code.clone(),
            min_count: min,
        },
    );
    let back = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    Ok(needs_page(
        &admin,
        &report,
        &format!("Training needs: {}", site.code),
        &back,
        site.name.clone(),
        plan.significance,
        min,
    ))
}

/// `GET /admin/studies/{study}/training-needs`: every site together (not for LA
/// contacts, who see their own site's beside all sites).
#[tracing::instrument(skip_all)]
pub(crate) async fn study_needs(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    if !admin.sees_all_sites() {
        return Err(AdminError::NotFound);
    }
    let spec = needs_of(&state, &study)?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let plan = plan_of(&state, &study)?;
    let data = state.study_data.get(&state, &study, &content).await?;
    let all = data
        .all_sites(&state.study_data, Arc::new(dashboard_plan(&plan)))
        .await?;
    let report = needs_report(
        &spec,
        &plan,
        &content.pre,
        &section_refs(&content),
        &all,
        &all,
        &NeedsOptions {
            scope: "all sites".to_owned(),
            min_count: None,
        },
    );
    Ok(needs_page(
        &admin,
        &report,
        "Training needs: all sites",
        &format!("/admin/studies/{}", study.id),
        study.name.clone(),
        plan.significance,
        None,
    ))
}

/// `?format=` of the study report.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ReportQuery {
    format: Option<String>,
}

/// `GET /admin/studies/{study}/report?format=html|pdf`: the study report from the live
/// responses, as a file (study admins and analysts).
#[tracing::instrument(skip_all)]
pub(crate) async fn study_report(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    if !admin.sees_all_sites() {
        return Err(AdminError::NotFound);
    }
    let pdf = match query.format.as_deref() {
        None | Some("html") => false,
        Some("pdf") => true,
        Some(_) => return Err(AdminError::NotFound),
    };
    let content = state.studies.get(&state.store, &study.id).await?;
    let plan = Arc::new(plan_of(&state, &study)?);
    let dataset = state
        .study_data
        .get(&state, &study, &content)
        .await?
        .dataset
        .clone();
    let synthesis =
        super::case_analysis::synthesis_for(&state, &admin, &study, &plan.item_titles()).await?;
    let name = study.name.clone();
    let synthetic = study.synthetic;
    let bytes = state
        .study_data
        .heavy(move || -> Result<Vec<u8>, AdminError> {
            let analysis = skafada_analysis::analyse(&plan, &dataset)
                .map_err(|e| AdminError::Internal(e.to_string()))?;
            let mut report = skafada_report::Report::from_analysis(
                &analysis,
                &skafada_report::ReportOptions::default(),
            );
            if let Some(synthesis) = &synthesis {
                report = report.with_section(skafada_report::case_studies::findings_section(
                    synthesis, synthetic,
                ));
            }
            if pdf {
                report
                    .render_pdf()
                    .map_err(|e| AdminError::Internal(e.to_string()))
            } else {
                report
                    .render_html()
                    .map(String::into_bytes)
                    .map_err(|e| AdminError::Internal(e.to_string()))
            }
        })
        .await??;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let (content_type, extension) = if pdf {
        ("application/pdf", "pdf")
    } else {
        ("text/html; charset=utf-8", "html")
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{safe}-report-{}.{extension}\"",
                    today()
                ),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
