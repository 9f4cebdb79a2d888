//! The admin side: accounts with roles, sign-in, live monitoring, exports, the audit log
//! and deleting a site's data.
//!
//! Architecture invariant: every admin route goes through [`guard::Admin`] (or
//! [`guard::AdminPost`], which also checks the CSRF token), and asks it for the study or
//! site it shows. Outside an account's scope is 404, the same as not existing.
//!
//! Respondent journey pages are separate: nothing here reads or changes a journey
//! session, and the admin cookie is a different cookie.

mod account;
mod error;
mod export;
mod guard;
mod monitoring;
mod pivot;
mod sites;
mod views;

use axum::Router;
use axum::routing::{get, post};
use skafada_store::SignInRules;

use crate::AppState;

/// Settings of the admin side.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// Lockout and session limits.
    pub sign_in: SignInRules,
    /// Sites with fewer main survey responses than this are flagged as too few to
    /// report on their own.
    pub min_reportable: i64,
}

impl Default for AdminConfig {
    /// The default sign-in rules, and 5 responses as the smallest reportable number.
    fn default() -> Self {
        AdminConfig {
            sign_in: SignInRules::default(),
            min_reportable: 5,
        }
    }
}

/// The admin routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(monitoring::studies))
        .route(
            "/admin/sign-in",
            get(account::sign_in_page).post(account::sign_in),
        )
        .route("/admin/sign-out", post(account::sign_out))
        .route(
            "/admin/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/admin/audit", get(monitoring::audit))
        .route("/admin/studies/{study}", get(monitoring::study))
        .route("/admin/studies/{study}/export", get(export::study_export))
        .route("/admin/studies/{study}/sites/{site}", get(sites::site))
        .route(
            "/admin/studies/{study}/sites/{site}/export",
            get(export::site_export),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/headcount",
            post(sites::headcount),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/delete",
            get(sites::delete_page).post(sites::delete),
        )
}
