//! The respondent journey of skafada, served as GOV.UK-styled HTML that works without
//! JavaScript: a site's link, consent, the pre-training survey with its routing, check
//! your answers, the training module, the post-training survey and the CPD certificate,
//! with save and resume by an anonymous code.
//!
//! [`serve`] takes a bound listener (tests bind port 0) and a [`skafada_store::Store`];
//! all journey state is in the store, so several processes can serve one PostgreSQL
//! database. The parsed instruments and module of each study are cached in memory, but
//! they never change once a study is created, and a process that has not seen a study
//! yet reads it from the store.
//!
//! Architecture invariant: answers are never logged. Handlers are instrumented with
//! `skip_all` and errors log only their kind and an id.
//!
//! Architecture invariant: no identifying data is stored. The journey cookie holds a
//! random session token (stored hashed) and no answers; no IP address or user agent is
//! read; the name typed for a certificate goes into the PDF and nowhere else.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod arms;
mod assets;
mod confidentiality;
mod content;
mod cookie;
mod deadline;
mod download;
mod error;
mod export_folder;
mod follow_up;
mod form;
mod group;
mod journey;
mod linking;
mod mail;
mod module_zip;
mod page_save;
mod participant;
mod services;
mod survey;
mod training;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use skafada_store::Store;
use tokio::net::TcpListener;

pub use admin::{AdminConfig, ContentSet};
pub use content::{
    ContentError, ContentNames, StudyContent, check_demo_study, check_study, content_problems,
    read_module_folder, template_problems,
};
pub use export_folder::{ExportError, StudyExport, WaveLinking, study_export};
pub use mail::{MailConfig, MailError, MailSecurity, Secret};
pub use services::NATIONAL_SERVICES;

/// How the service presents itself.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address respondents use, without a trailing slash, e.g.
    /// `https://survey.example.org`; printed in links and on certificates.
    pub public_url: String,
    /// How long a journey session lasts before the respondent needs their resume code.
    pub session_lifetime: Duration,
    /// Mark the journey cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// The admin side's sign-in rules, small-number default and content library.
    pub admin: AdminConfig,
    /// The SMTP server for e-mail reminders to LA contacts; none turns them off.
    pub mail: Option<MailConfig>,
    /// How long a connection may take to send a request's headers, and how long a
    /// kept-alive connection may wait for its next request, before it is closed: half-open
    /// and idle connections do not pile up (slowloris).
    pub header_read_timeout: Duration,
    /// How long a request may take to send its body (a form) once its headers are in;
    /// after that the form is refused, so a body sent a byte at a time cannot hold a
    /// connection open.
    pub body_read_timeout: Duration,
}

impl Config {
    /// A configuration for a service reached at `public_url`: three-hour sessions,
    /// `Secure` cookies and `Strict-Transport-Security` when the URL is `https`, 10
    /// seconds to send a request's headers and 30 to send its body.
    pub fn new(public_url: &str) -> Config {
        let public_url = public_url.trim_end_matches('/').to_owned();
        Config {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            session_lifetime: Duration::from_secs(3 * 60 * 60),
            admin: AdminConfig::default(),
            mail: None,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
        }
    }

    /// A site's distribution link.
    pub fn site_link(&self, token: &str) -> String {
        format!("{}/s/{token}", self.public_url)
    }

    /// A site's link to a follow-up wave, as respondents use it.
    pub fn follow_up_link(&self, token: &str, wave_id: &str) -> String {
        format!("{}/f/{token}/{wave_id}", self.public_url)
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) studies: Arc<content::StudyCache>,
    pub(crate) config: Arc<Config>,
    pub(crate) mailer: Option<Arc<mail::Mailer>>,
    /// Each study's responses as analysis columns, shared by the results views.
    pub(crate) study_data: Arc<admin::study_data::StudyDataCache>,
}

/// Checks mail settings before serving, so that a mistake stops the server at start
/// instead of turning reminders off.
pub fn check_mail_config(config: &MailConfig) -> Result<(), MailError> {
    mail::Mailer::new(config).map(|_| ())
}

/// The largest form post accepted. The longest page (the knowledge matrix) posts a few
/// kilobytes; free-text answers are capped by the instrument.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The application's routes.
pub fn router(store: Store, config: Config) -> Router {
    // Checked by the caller with `check_mail_config`; settings that still fail here send
    // no mail, and say so in the log rather than in silence.
    let mailer = config
        .mail
        .as_ref()
        .and_then(|mail| match mail::Mailer::new(mail) {
            Ok(mailer) => Some(mailer),
            Err(error) => {
                tracing::error!(%error, "the mail settings are not usable: reminders will not be e-mailed");
                None
            }
        })
        .map(Arc::new);
    let https = config.public_url.starts_with("https://");
    let body_read_timeout = config.body_read_timeout;
    let state = AppState {
        store,
        studies: Arc::new(content::StudyCache::default()),
        config: Arc::new(config),
        mailer,
        study_data: Arc::new(admin::study_data::StudyDataCache::default()),
    };
    Router::new()
        .route("/", get(journey::home))
        .route("/s/{token}", get(journey::start_page).post(journey::start))
        .route(
            "/consent",
            get(journey::consent_page).post(journey::consent),
        )
        .route("/continue", get(journey::continue_journey))
        .route("/link-code", get(linking::page).post(linking::make))
        .route("/participant-information", get(participant::page))
        .route(
            "/f/{token}/{wave}",
            get(follow_up::start_page).post(follow_up::start),
        )
        .route(
            "/follow-up/link",
            get(follow_up::link_page).post(follow_up::link),
        )
        .route("/save", get(journey::save_page).post(journey::new_code))
        .route("/resume", get(journey::resume_page).post(journey::resume))
        .route("/exit", get(journey::exit))
        .route("/leave", post(journey::leave))
        .route("/session/keep", get(journey::keep_session))
        .route("/session-ended", get(journey::session_ended))
        .route("/accessibility", get(journey::accessibility))
        .route("/verify", get(training::verify))
        .route(
            "/survey/{phase}/page/{page}",
            get(survey::page).post(survey::save),
        )
        .route(
            "/survey/{phase}/check-answers",
            get(survey::check_answers).post(survey::submit),
        )
        .route("/survey/{phase}/done", get(survey::done))
        .route("/training", get(training::contents))
        .route(
            "/training/{section}",
            get(training::section).post(training::complete),
        )
        .route("/training/{section}/check/{index}", post(training::check))
        .route("/group/join", get(group::join_page).post(group::join))
        .route("/group/{token}", get(group::start))
        .route("/group/{token}/section/{section}", get(group::section))
        .route("/group/{token}/end", get(group::end))
        .route(
            "/certificate",
            get(training::certificate_page).post(training::certificate),
        )
        .route("/assets/{*path}", get(assets::asset))
        .merge(admin::routes())
        .fallback(journey::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            body_read_timeout,
            deadline::body_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            https,
            views::security_headers,
        ))
        .with_state(state)
}

/// Serves the application on a bound listener until the future is dropped or the
/// process receives Ctrl-C.
///
/// This is axum's `serve` loop with hyper's HTTP/1 builder configured by hand, because
/// axum's sets no timer and so no header read timeout: a client that opens a connection
/// and sends half a request (or nothing) is disconnected after
/// [`Config::header_read_timeout`]. At Ctrl-C the listener stops and open connections
/// finish the request they are serving.
pub async fn serve(listener: TcpListener, store: Store, config: Config) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let app = router(store, config);
    let (stop, stopped) = tokio::sync::watch::channel(());
    let mut connections = tokio::task::JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a moment rather than spin, as axum does.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut ctrl_c => break,
        };
        while connections.try_join_next().is_some() {}
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
            }
        });
    }
    drop(stop);
    while connections.join_next().await.is_some() {}
    Ok(())
}
