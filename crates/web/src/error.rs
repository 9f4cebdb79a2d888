//! The one application error type: every failure becomes a page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::views::{Layout, MessagePage, render};

/// What can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// No such page, site or study.
    #[error("not found")]
    NotFound,
    /// The request needs a journey session and has none (or it expired).
    #[error("no session")]
    NoSession,
    /// The study's link is closed.
    #[error("study closed")]
    Closed,
    /// A form that could not be read (malformed, too large or for the wrong page).
    #[error("bad form: {0}")]
    BadForm(StatusCode),
    /// The survey was already submitted, so its answers cannot change.
    #[error("already submitted")]
    AlreadySubmitted,
    /// Anything else: logged with an id, shown as "Sorry, there is a problem".
    #[error("internal: {0}")]
    Internal(String),
}

impl From<skafada_store::StoreError> for AppError {
    fn from(error: skafada_store::StoreError) -> Self {
        AppError::Internal(error.to_string())
    }
}

/// What an error page says: status, title, heading, paragraphs and a link.
type ErrorPage = (
    StatusCode,
    &'static str,
    &'static str,
    Vec<String>,
    Option<(&'static str, &'static str)>,
);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, heading, paragraphs, link): ErrorPage = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "Page not found",
                vec![
                    "If you typed the web address, check it is correct.".to_owned(),
                    "If you pasted the web address, check you copied the entire address.".to_owned(),
                    "If you followed a link from your organisation, ask the person who sent it for a new link.".to_owned(),
                ],
                Some(("/resume", "Continue with a resume code")),
            ),
            AppError::NoSession => (
                StatusCode::FORBIDDEN,
                "Your session has ended",
                "Your session has ended",
                vec![
                    "We have saved the answers you gave before your session ended. To protect them, this page was not saved.".to_owned(),
                    "You can carry on with your resume code.".to_owned(),
                ],
                Some(("/resume", "Continue with a resume code")),
            ),
            AppError::Closed => (
                StatusCode::GONE,
                "This survey is closed",
                "This survey is closed",
                vec![
                    "This survey is not taking responses at the moment.".to_owned(),
                    "If you think this is wrong, contact the person who sent you the link.".to_owned(),
                ],
                None,
            ),
            AppError::BadForm(status) => (
                *status,
                "There is a problem with the form",
                "There is a problem with the form you sent",
                vec![
                    "We could not read the form you sent, so nothing was saved from it. This can happen if a page was left open for a long time, or if it was sent twice.".to_owned(),
                    "Your earlier answers are saved.".to_owned(),
                ],
                Some(("/continue", "Continue where you left off")),
            ),
            AppError::AlreadySubmitted => (
                StatusCode::CONFLICT,
                "You have already submitted this survey",
                "You have already submitted this survey",
                vec!["Your answers were saved when you submitted them, so they cannot be changed now.".to_owned()],
                Some(("/continue", "Continue where you left off")),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                "Sorry, there is a problem with the service",
                vec![
                    "Try again later.".to_owned(),
                    "We saved the answers you have already given. You can carry on with your resume code.".to_owned(),
                ],
                Some(("/resume", "Continue with a resume code")),
            ),
        };
        if let AppError::Internal(detail) = &self {
            let id = skafada_store::random_token().unwrap_or_default();
            let id = id.get(..8).unwrap_or("unknown").to_owned();
            // The detail is a store or content error: it never holds answers.
            tracing::error!(error_id = %id, detail = %detail, "request failed");
        }
        let page = MessagePage {
            layout: Layout::plain(title),
            heading: heading.to_owned(),
            paragraphs,
            link: link.map(|(href, text)| (href.to_owned(), text.to_owned())),
        };
        let mut response = render(&page);
        *response.status_mut() = status;
        response
    }
}
