//! The list of studies, live monitoring (Table 3 and the funnel) and the audit log.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use skafada_store::{RespondentProgress, Role, Site, Status};

use super::error::AdminError;
use super::guard::Admin;
use super::views::{
    AdminLayout, AuditPage, AuditRow, MonitoringPage, SiteRow, StudiesPage, StudyRow,
};
use crate::AppState;
use crate::views::{long_date, render};

/// A page's `?saved=` after a change, naming what was saved (never user text).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
}

impl SavedQuery {
    /// The success message for what was saved, if it is one the page knows.
    pub(crate) fn message(&self, known: &[(&str, &str)]) -> Option<String> {
        let saved = self.saved.as_deref()?;
        known
            .iter()
            .find(|(key, _)| *key == saved)
            .map(|(_, message)| (*message).to_owned())
    }
}

/// `GET /admin`: the studies the account can see.
#[tracing::instrument(skip_all)]
pub(crate) async fn studies(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, AdminError> {
    let studies = state
        .store
        .studies()
        .await?
        .into_iter()
        .filter(|study| admin.can_see_study(&study.id))
        .map(|study| StudyRow {
            href: format!("/admin/studies/{}", study.id),
            name: study.name,
            opens_on: long_date(&study.opens_on),
            closes_on: long_date(&study.closes_on),
            retain_until: long_date(&study.retain_until),
        })
        .collect();
    Ok(render(&StudiesPage {
        layout: AdminLayout::new("Your studies", Some(&admin)),
        role: admin.role().label().to_owned(),
        studies,
        audit: admin.role() == Role::StudyAdmin,
        can_create: admin.can_create_studies(),
    }))
}

fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0.0".to_owned();
    }
    // Counts are far below 2^52, so the conversion is exact.
    format!("{:.1}", part as f64 * 100.0 / whole as f64)
}

/// Adds one respondent's progress to a row.
fn count(row: &mut SiteRow, progress: &RespondentProgress, sections: i64) {
    let submitted = |status: Option<Status>| status == Some(Status::Submitted);
    if progress.pre.is_some() {
        row.consented += 1;
    }
    if submitted(progress.pre) {
        row.pre_complete += 1;
        row.main += 1;
    }
    if progress.sections_completed >= sections || progress.post.is_some() {
        row.training_complete += 1;
    }
    if submitted(progress.post) {
        row.post_complete += 1;
        row.post += 1;
    }
    if progress.certificate {
        row.certificates += 1;
    }
}

/// The monitoring rows of the sites an account can see, with the total of those rows
/// (none for an LA contact, who sees only their own site).
fn rows(
    study_id: &str,
    sites: &[Site],
    headcounts: &BTreeMap<String, Option<i64>>,
    starts: &BTreeMap<String, i64>,
    progress: &[RespondentProgress],
    sections: i64,
    min_reportable: i64,
) -> (Vec<SiteRow>, SiteRow) {
    let mut rows: Vec<SiteRow> = sites
        .iter()
        .map(|site| SiteRow {
            href: Some(format!("/admin/studies/{study_id}/sites/{}", site.code)),
            code: site.code.clone(),
            region: site.region.clone(),
            headcount: headcounts.get(&site.code).copied().flatten(),
            started: starts.get(&site.code).copied().unwrap_or(0),
            ..SiteRow::default()
        })
        .collect();
    for respondent in progress {
        if let Some(row) = rows.iter_mut().find(|r| r.code == respondent.site_code) {
            count(row, respondent, sections);
        }
    }
    let mut total = SiteRow {
        code: "Total".to_owned(),
        ..SiteRow::default()
    };
    let mut all_headcounts = true;
    for row in &rows {
        total.main += row.main;
        total.post += row.post;
        total.started += row.started;
        total.consented += row.consented;
        total.pre_complete += row.pre_complete;
        total.training_complete += row.training_complete;
        total.post_complete += row.post_complete;
        total.certificates += row.certificates;
        match row.headcount {
            Some(n) => total.headcount = Some(total.headcount.unwrap_or(0) + n),
            None => all_headcounts = false,
        }
    }
    if !all_headcounts {
        total.headcount = None;
    }
    let (main, post) = (total.main, total.post);
    for row in rows.iter_mut().chain(std::iter::once(&mut total)) {
        row.main_percent = percent(row.main, main);
        row.post_percent = percent(row.post, post);
        row.rate = row
            .headcount
            .filter(|n| *n > 0)
            .map(|n| format!("{}%", percent(row.main, n)));
        row.too_few = row.main < min_reportable;
    }
    (rows, total)
}

/// `GET /admin/studies/{study}`: responses by site as in Table 3, the funnel, response
/// rates and small-number warnings. An LA contact sees only their own site's row.
#[tracing::instrument(skip_all)]
pub(crate) async fn study(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AdminError> {
    let study = admin.require_study(&state, &study_id).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let sections = i64::try_from(content.module.sections.len()).unwrap_or(i64::MAX);
    let sites: Vec<Site> = state
        .store
        .sites(&study.id)
        .await?
        .into_iter()
        .filter(|site| admin.can_see_site(site))
        .collect();
    let visible: Vec<RespondentProgress> = state
        .store
        .study_progress(&study.id)
        .await?
        .into_iter()
        .filter(|p| sites.iter().any(|site| site.code == p.site_code))
        .collect();
    let headcounts: BTreeMap<String, Option<i64>> = state
        .store
        .headcounts(&study.id)
        .await?
        .into_iter()
        .collect();
    let starts: BTreeMap<String, i64> = state
        .store
        .starts(&study.id)
        .await?
        .into_iter()
        .map(|s| (s.site_code, s.starts))
        .collect();
    let min_reportable = study.min_cell_count;
    let (rows, total) = rows(
        &study.id,
        &sites,
        &headcounts,
        &starts,
        &visible,
        sections,
        min_reportable,
    );
    Ok(render(&MonitoringPage {
        layout: AdminLayout::new(&format!("Responses – {}", study.name), Some(&admin))
            .back("/admin"),
        any_too_few: rows.iter().any(|r| r.too_few),
        rows,
        total: admin.sees_all_sites().then_some(total),
        min_reportable,
        export: format!("/admin/studies/{}/export", study.id),
        export_scope: match (admin.sees_all_sites(), sites.first()) {
            (false, Some(site)) => format!("Responses from {} only", site.code),
            _ => "Responses from every site".to_owned(),
        },
        saved: query.message(&[("settings", "Study settings saved")]),
        manage: admin.can_manage(&study.id),
        sees_all_sites: admin.sees_all_sites(),
        own_site: (!admin.sees_all_sites())
            .then(|| sites.first().map(|s| s.code.clone()))
            .flatten(),
        base: format!("/admin/studies/{}", study.id),
        opens_on: long_date(&study.opens_on),
        study_name: study.name,
        closes_on: long_date(&study.closes_on),
        retain_until: long_date(&study.retain_until),
    }))
}

/// `GET /admin/audit`: the audit log, for study admins: of every study for an admin of
/// every study, else of their own study.
#[tracing::instrument(skip_all)]
pub(crate) async fn audit(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, AdminError> {
    if admin.role() != Role::StudyAdmin {
        return Err(AdminError::NotFound);
    }
    let entries = state
        .store
        .audit_log(admin.session.account.study_id.as_deref(), 500)
        .await?;
    let rows = entries
        .into_iter()
        .map(|entry| AuditRow {
            at: entry.when(),
            who: match (&entry.email, entry.action.as_str()) {
                (Some(email), _) => email.clone(),
                (None, "sign-in-failed" | "lockout") => "An email with no account".to_owned(),
                (None, _) => "The system or the command line".to_owned(),
            },
            action: entry.action,
            details: entry.details,
        })
        .collect();
    Ok(render(&AuditPage {
        layout: AdminLayout::new("Audit log", Some(&admin)).back("/admin"),
        rows,
    }))
}
