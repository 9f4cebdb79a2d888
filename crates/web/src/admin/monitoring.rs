//! The list of studies, live monitoring (Table 3 and the funnel) and the audit log.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use skafada_store::{RespondentProgress, Role, Site, Status, StudyId};

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
    study_id: &StudyId,
    sites: &[Site],
    headcounts: &BTreeMap<String, Option<i64>>,
    starts: &BTreeMap<String, i64>,
    progress: &[RespondentProgress],
    sections: i64,
    shown: Shown,
) -> (Vec<SiteRow>, SiteRow) {
    let Shown {
        min_reportable,
        rounded,
    } = shown;
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
    // Whether a site is too small to report on is decided on its exact count.
    for row in &mut rows {
        row.too_few = row.main < min_reportable;
    }
    if rounded {
        // A site-scoped reader sees the funnel rounded to the nearest 5, as national
        // statistics offices publish small counts, so that the steps between stages
        // (one person who consented but stopped) are not shown exactly.
        for row in &mut rows {
            for n in [
                &mut row.main,
                &mut row.post,
                &mut row.started,
                &mut row.consented,
                &mut row.pre_complete,
                &mut row.training_complete,
                &mut row.post_complete,
                &mut row.certificates,
            ] {
                *n = round_to_five(*n);
            }
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
    }
    total.too_few = total.main < min_reportable;
    (rows, total)
}

/// How the funnel may be shown to the reader.
#[derive(Debug, Clone, Copy)]
struct Shown {
    /// Sites with fewer main survey responses are flagged as too few to report.
    min_reportable: i64,
    /// Counts are rounded to the nearest 5 (site-scoped readers).
    rounded: bool,
}

/// Rounds a count to the nearest multiple of 5, halves up (1 and 2 become 0, 3 to 7
/// become 5).
fn round_to_five(n: i64) -> i64 {
    (n + 2).div_euclid(5) * 5
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
        Shown {
            min_reportable,
            rounded: !admin.sees_all_sites(),
        },
    );
    Ok(render(&MonitoringPage {
        layout: AdminLayout::new(&format!("Responses – {}", study.name), Some(&admin))
            .back("/admin"),
        any_too_few: rows.iter().any(|r| r.too_few),
        rows,
        total: admin.sees_all_sites().then_some(total),
        min_reportable,
        export: format!("/admin/studies/{}/export", study.id),
        folder: admin
            .sees_all_sites()
            .then(|| format!("/admin/studies/{}/export/folder", study.id)),
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
        plan_sha256: (!study.analysis_plan.is_empty())
            .then(|| study.sha256(skafada_store::ContentPart::Plan)),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn counts_round_to_the_nearest_five_with_halves_up() {
        let rounded: Vec<i64> = (0..=13).map(round_to_five).collect();
        assert_eq!(rounded, [0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15]);
    }

    #[test]
    fn a_site_scoped_reader_sees_the_funnel_rounded_and_an_admin_sees_it_exact() {
        let site = Site {
            id: "s1".into(),
            study_id: "st".into(),
            code: "LA01".to_owned(),
            name: "Local authority 01".to_owned(),
            region: "North".to_owned(),
            model_of_practice: String::new(),
            population: String::new(),
            ethnicity: String::new(),
            area_type: String::new(),
            deprivation_quintile: None,
            local_services: "[]".to_owned(),
            link_token: "t".to_owned(),
        };
        let starts: BTreeMap<String, i64> = [("LA01".to_owned(), 13)].into_iter().collect();
        let headcounts: BTreeMap<String, Option<i64>> =
            [("LA01".to_owned(), Some(40))].into_iter().collect();
        let sites = [site];
        let shown = |rounded| Shown {
            min_reportable: 5,
            rounded,
        };
        let study = StudyId::new("st");
        let rows_shown = |rounded| {
            rows(
                &study,
                &sites,
                &headcounts,
                &starts,
                &[],
                12,
                shown(rounded),
            )
            .0
        };
        let (exact, rounded) = (rows_shown(false), rows_shown(true));
        assert_eq!(exact[0].started, 13);
        assert_eq!(rounded[0].started, 15);
        assert!(rounded[0].too_few, "decided on the exact count");
    }
}
