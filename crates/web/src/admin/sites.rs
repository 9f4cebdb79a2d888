//! A site's page: its details, its headcount (study admins set it) and deleting its
//! response data after a confirmation page.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::AdminError;
use super::guard::{Admin, AdminPost};
use super::monitoring::SavedQuery;
use super::views::{AdminLayout, DeleteSitePage, SitePage};
use crate::AppState;
use crate::views::render;

/// "1 person", "2 people".
fn people(n: i64) -> String {
    if n == 1 {
        "1 person".to_owned()
    } else {
        format!("{n} people")
    }
}

fn base(study_id: &str, code: &str) -> String {
    format!("/admin/studies/{study_id}/sites/{code}")
}

/// The site page, with an optional headcount error (and the headcount as typed) or a
/// deletion message.
async fn site_page(
    state: &AppState,
    admin: &Admin,
    study_id: &str,
    code: &str,
    typed: Option<(String, String)>,
    deleted: Option<String>,
) -> Result<Response, AdminError> {
    site_page_saying(state, admin, study_id, code, typed, deleted, None).await
}

/// [`site_page`] with a success message about a change.
async fn site_page_saying(
    state: &AppState,
    admin: &Admin,
    study_id: &str,
    code: &str,
    typed: Option<(String, String)>,
    deleted: Option<String>,
    saved: Option<String>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.require_site(state, study_id, code).await?;
    let headcount = match &typed {
        Some((value, _)) => value.clone(),
        None => state
            .store
            .headcounts(&study.id)
            .await?
            .into_iter()
            .find(|(c, _)| *c == site.code)
            .and_then(|(_, n)| n)
            .map(|n| n.to_string())
            .unwrap_or_default(),
    };
    let error = typed.map(|(_, message)| message);
    // The site's delivery arm, when the study allocates sites to arms.
    let content = state.studies.get(&state.store, &study.id).await?;
    let arm = match content
        .allocation
        .as_ref()
        .filter(|spec| spec.unit() == skafada_waves::allocation::Unit::Site)
    {
        Some(spec) => Some(state.store.arm_of(&site.id).await?.map_or_else(
            || "Not allocated".to_owned(),
            |id| crate::arms::arm_name(spec, &id),
        )),
        None => None,
    };
    Ok(render(&SitePage {
        layout: AdminLayout::new(&format!("{} {}", site.code, site.name), Some(admin))
            .with_error(error.is_some())
            .back(&format!("/admin/studies/{}", study.id)),
        csrf: admin.csrf.clone(),
        base: base(&study.id, &site.code),
        link: state.config.site_link(&site.link_token),
        manage: admin.can_manage(&study.id),
        set_headcount: admin.can_set_headcount(&site),
        export: format!("{}/export", base(&study.id, &site.code)),
        export_scope: format!("Responses from {} only", site.code),
        folder: None,
        record_level: admin.sees_all_sites(),
        details: vec![
            ("Region".to_owned(), site.region.clone()),
            (
                "Model of practice".to_owned(),
                site.model_of_practice.clone(),
            ),
            ("Population".to_owned(), site.population.clone()),
            ("Ethnicity".to_owned(), site.ethnicity.clone()),
            ("Type of area".to_owned(), site.area_type.clone()),
            (
                "Deprivation quintile".to_owned(),
                site.deprivation_quintile
                    .map_or_else(|| "Not known".to_owned(), |q| q.to_string()),
            ),
        ]
        .into_iter()
        .chain(arm.map(|arm| ("Delivery arm".to_owned(), arm)))
        .map(|(key, value)| {
            (
                key,
                if value.is_empty() {
                    "Not given".to_owned()
                } else {
                    value
                },
            )
        })
        .collect(),
        local_services: crate::services::local(&site.local_services).len(),
        code: site.code,
        name: site.name,
        headcount,
        error,
        deleted,
        saved,
    }))
}

/// `GET /admin/studies/{study}/sites/{site}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn site(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AdminError> {
    let saved = query.message(&[
        ("added", "Site added. Its link is below"),
        ("details", "Site details saved"),
        (
            "link",
            "The site has a new link. The old one no longer works",
        ),
    ]);
    site_page_saying(&state, &admin, &study_id, &code, None, None, saved).await
}

/// `POST /admin/studies/{study}/sites/{site}/headcount`: study admins, and the site's
/// own LA contact.
#[tracing::instrument(skip_all)]
pub(crate) async fn headcount(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let (study, site) = post.admin.require_site(&state, &study_id, &code).await?;
    if !post.admin.can_set_headcount(&site) {
        return Err(AdminError::NotFound);
    }
    let typed = post.form.text("headcount").unwrap_or_default();
    let value = typed.replace(',', "");
    let headcount = if value.is_empty() {
        None
    } else {
        match value.parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                let message = "Headcount must be a whole number between 1 and 1,000,000".to_owned();
                return site_page(
                    &state,
                    &post.admin,
                    &study.id,
                    &site.code,
                    Some((typed, message)),
                    None,
                )
                .await;
            }
        }
    };
    state
        .store
        .set_headcount(&site, headcount, post.admin.account_id())
        .await?;
    Ok(Redirect::to(&base(&study.id, &site.code)).into_response())
}

/// `GET /admin/studies/{study}/sites/{site}/delete`: "Are you sure...".
#[tracing::instrument(skip_all)]
pub(crate) async fn delete_page(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let respondents = state
        .store
        .study_progress(&study.id)
        .await?
        .iter()
        .filter(|p| p.site_code == site.code)
        .count();
    let respondents = people(i64::try_from(respondents).unwrap_or(i64::MAX));
    Ok(render(&DeleteSitePage {
        layout: AdminLayout::new("Delete this site's responses", Some(&admin))
            .back(&base(&study.id, &site.code)),
        csrf: admin.csrf.clone(),
        base: base(&study.id, &site.code),
        code: site.code,
        name: site.name,
        respondents,
    }))
}

/// `POST /admin/studies/{study}/sites/{site}/delete`: deletes the site's response data,
/// with a tombstone and an audit entry in the same transaction.
#[tracing::instrument(skip_all)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let (study, site) = post.admin.manage_site(&state, &study_id, &code).await?;
    let deletion = state
        .store
        .delete_site_data(&site, post.admin.account_id())
        .await?;
    // No results view may show the deleted answers again, even for a moment.
    state.study_data.forget(&study.id);
    let mut message = format!(
        "Deleted the responses of {} from {}",
        people(deletion.respondents),
        site.code
    );
    if let skafada_store::Scrub::Incomplete(reason) = &deletion.scrub {
        // Said on the page, not only in the log: the admin must not believe the answers
        // are gone from the files when they may not be.
        message.push_str(&format!(
            ". They may still be readable in the database files, because the files could \
             not be cleaned ({reason}). Delete this site's data again later to clean them, \
             and tell the person who runs the server"
        ));
    }
    site_page(
        &state,
        &post.admin,
        &study.id,
        &site.code,
        None,
        Some(message),
    )
    .await
}
