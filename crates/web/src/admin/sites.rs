//! A site's page: its details, its headcount (study admins set it) and deleting its
//! response data after a confirmation page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::AdminError;
use super::guard::{Admin, AdminPost};
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
    Ok(render(&SitePage {
        layout: AdminLayout::new(&format!("{} {}", site.code, site.name), Some(admin))
            .with_error(error.is_some())
            .back(&format!("/admin/studies/{}", study.id)),
        csrf: admin.csrf.clone(),
        base: base(&study.id, &site.code),
        link: state.config.site_link(&site.link_token),
        manage: admin.can_manage(&study.id),
        export: format!("{}/export", base(&study.id, &site.code)),
        export_scope: format!("Responses from {} only", site.code),
        code: site.code,
        name: site.name,
        region: site.region,
        headcount,
        error,
        deleted,
    }))
}

/// `GET /admin/studies/{study}/sites/{site}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn site(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    site_page(&state, &admin, &study_id, &code, None, None).await
}

/// `POST /admin/studies/{study}/sites/{site}/headcount`: study admins only.
#[tracing::instrument(skip_all)]
pub(crate) async fn headcount(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let (study, site) = post.admin.manage_site(&state, &study_id, &code).await?;
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
    let message = format!(
        "Deleted the responses of {} from {}",
        people(deletion.respondents),
        site.code
    );
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
