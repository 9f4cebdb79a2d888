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
mod case_analysis;
mod cases;
mod content;
mod error;
mod export;
mod forms;
mod guard;
mod headline;
mod messages;
mod monitoring;
pub(crate) mod pivot;
pub(crate) mod release;
mod results;
mod site_forms;
mod sites;
mod studies;
pub(crate) mod study_data;
mod summary;
mod views;

use axum::Router;
use axum::routing::{get, post};
use skafada_store::SignInRules;

use crate::AppState;

/// Settings of the admin side.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// Sign-in pauses and session limits.
    pub sign_in: SignInRules,
    /// The smallest count shown to LA contacts in a new study (a study admin can change
    /// it per study): smaller counts are suppressed, and sites with fewer main survey
    /// responses are flagged as too few to report on their own.
    pub default_min_cell_count: i64,
    /// Surveys, training modules and analysis plans a new study can be made from,
    /// besides copying an existing study.
    pub library: Vec<ContentSet>,
}

impl Default for AdminConfig {
    /// The default sign-in rules, 5 as the smallest count shown, and an empty library.
    fn default() -> Self {
        AdminConfig {
            sign_in: SignInRules::default(),
            default_min_cell_count: 5,
            library: Vec::new(),
        }
    }
}

/// The content of a study that a new study can be made from: its surveys, training
/// module and analysis plan.
#[derive(Debug, Clone)]
pub struct ContentSet {
    /// What it is, for the "surveys and training" choice, e.g. "The SKAFADA surveys,
    /// the prototype training module and the SKAFADA analysis plan".
    pub label: String,
    /// The pre-training survey, as TOML source.
    pub pre_instrument: String,
    /// The post-training survey, as TOML source.
    pub post_instrument: String,
    /// The training module's id.
    pub module_id: String,
    /// The training module's files, path to text.
    pub module_sources: std::collections::BTreeMap<String, String>,
    /// The analysis plan, as TOML source.
    pub analysis_plan: String,
    /// The training-needs specification, as TOML source.
    pub training_needs: String,
    /// The case-study framework, as TOML source.
    pub framework: String,
    /// The follow-up waves and linking code, as TOML source; empty for none.
    pub waves: String,
    /// The participant information sheet and consent wording, as TOML source; a set
    /// whose sheet is a template makes real studies only with an uploaded sheet.
    pub participant_information: String,
}

/// The case studies' routes (research roles only; 404 for LA contacts).
fn case_study_routes() -> Router<AppState> {
    const BASE: &str = "/admin/studies/{study}/case-studies";
    let at = |path: &str| format!("{BASE}{path}");
    Router::new()
        .route(BASE, get(cases::overview))
        .route(&at("/sites"), post(cases::add_site))
        .route(
            &at("/interviews/new"),
            get(cases::new_interview_page).post(cases::add_interview),
        )
        .route(&at("/interviews/{pseudonym}"), get(cases::interview))
        .route(
            &at("/interviews/{pseudonym}/edit"),
            get(cases::edit_interview_page).post(cases::edit_interview),
        )
        .route(
            &at("/interviews/{pseudonym}/transcript"),
            post(cases::import_transcript).layer(axum::extract::DefaultBodyLimit::max(
                cases::TRANSCRIPT_LIMIT,
            )),
        )
        .route(
            &at("/interviews/{pseudonym}/transcript/redact"),
            post(cases::redact_more),
        )
        .route(
            &at("/interviews/{pseudonym}/transcript/accept"),
            post(cases::accept_transcript),
        )
        .route(
            &at("/interviews/{pseudonym}/{what}/delete"),
            get(cases::confirm_delete).post(cases::delete),
        )
        .route(
            &at("/interviews/{pseudonym}/double-coding"),
            post(cases::double_coding),
        )
        .route(
            &at("/interviews/{pseudonym}/coding"),
            get(cases::coding).post(cases::add_passages),
        )
        .route(
            &at("/interviews/{pseudonym}/passages/{passage}/delete"),
            post(cases::delete_passage),
        )
        .route(
            &at("/interviews/{pseudonym}/decisions"),
            post(case_analysis::decide),
        )
        .route(&at("/matrix"), get(case_analysis::matrix_page))
        .route(
            &at("/matrix/{pseudonym}/{sub_theme}"),
            get(case_analysis::cell).post(case_analysis::save_cell),
        )
        .route(&at("/downloads/{file}"), get(case_analysis::downloads))
        .route(&at("/agreement"), get(case_analysis::agreement))
        .route(&at("/documents"), get(case_analysis::documents))
        .route(
            &at("/documents/new"),
            get(case_analysis::new_document_page).post(case_analysis::add_document),
        )
        .route(
            &at("/documents/{document}/delete"),
            post(case_analysis::delete_document),
        )
        .route(&at("/findings"), get(case_analysis::findings))
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
        .route(
            "/admin/studies/new",
            get(studies::new_page).post(studies::create),
        )
        .route(
            "/admin/studies/new/files",
            get(studies::new_from_files_page)
                .post(studies::create_from_files)
                .layer(axum::extract::DefaultBodyLimit::max(studies::UPLOAD_LIMIT)),
        )
        .route("/admin/studies/{study}", get(monitoring::study))
        .merge(case_study_routes())
        .route(
            "/admin/studies/{study}/settings",
            get(studies::settings_page).post(studies::save_settings),
        )
        .route("/admin/studies/{study}/content", get(content::page))
        .route(
            "/admin/studies/{study}/content/{part}",
            get(content::download),
        )
        .route("/admin/studies/{study}/export", get(export::study_export))
        .route(
            "/admin/studies/{study}/export/folder",
            get(export::study_folder_export),
        )
        .route("/admin/studies/{study}/report", get(results::study_report))
        .route(
            "/admin/studies/{study}/training-needs",
            get(results::study_needs),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/dashboard",
            get(results::site_dashboard),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/training-needs",
            get(results::site_needs),
        )
        .route("/admin/studies/{study}/messages", get(messages::edit_page))
        .route(
            "/admin/studies/{study}/messages/{kind}",
            post(messages::save),
        )
        .route(
            "/admin/studies/{study}/messages/{kind}/send",
            post(messages::send_all),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/messages",
            get(messages::site_messages),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/messages/{kind}/send",
            post(messages::send_site),
        )
        .route(
            "/admin/studies/{study}/sites/new",
            get(site_forms::new_page).post(site_forms::create),
        )
        .route("/admin/studies/{study}/sites/{site}", get(sites::site))
        .route(
            "/admin/studies/{study}/sites/{site}/edit",
            get(site_forms::edit_page).post(site_forms::save),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/local-services",
            get(site_forms::local_services),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/local-services/add",
            post(site_forms::add_service),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/local-services/remove",
            post(site_forms::remove_service),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/new-link",
            get(site_forms::new_link_page).post(site_forms::new_link),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/export",
            get(export::site_export),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/protected-tables.csv",
            get(release::protected_tables),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/summary",
            get(summary::page),
        )
        .route(
            "/admin/studies/{study}/sites/{site}/summary.pdf",
            get(summary::pdf),
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
