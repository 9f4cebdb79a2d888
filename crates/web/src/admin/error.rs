//! Admin failures as pages: sign in first, not found (everything outside an account's
//! scope), a form that could not be trusted, and internal problems (logged with an id).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::views::{AdminLayout, AdminMessagePage};
use crate::error::AppError;
use crate::views::render;

/// What can go wrong on an admin page.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AdminError {
    /// No live admin session: go to the sign-in page.
    #[error("sign in required")]
    SignIn,
    /// No such thing, or outside the account's scope: the same 404 either way, so that
    /// an account cannot learn what exists outside its scope.
    #[error("not found")]
    NotFound,
    /// A form without a valid CSRF token, or one that could not be read.
    #[error("bad form")]
    BadForm,
    /// Anything else.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<skafada_store::StoreError> for AdminError {
    fn from(error: skafada_store::StoreError) -> Self {
        AdminError::Internal(error.to_string())
    }
}

impl From<AppError> for AdminError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound => AdminError::NotFound,
            AppError::BadForm(_) => AdminError::BadForm,
            other => AdminError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, heading, paragraphs): (StatusCode, &str, Vec<&str>) = match &self {
            AdminError::SignIn => return Redirect::to("/admin/sign-in").into_response(),
            AdminError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                vec![
                    "If you typed the web address, check it is correct.",
                    "If you followed a link, the page may be for a study or site your account cannot see.",
                ],
            ),
            AdminError::BadForm => (
                StatusCode::BAD_REQUEST,
                "There is a problem with the form you sent",
                vec![
                    "Nothing was changed. This can happen if the page was open for a long time or you signed in again in another tab.",
                    "Go back, reload the page and try again.",
                ],
            ),
            AdminError::Internal(detail) => {
                let id = skafada_store::random_token().unwrap_or_default();
                let id = id.get(..8).unwrap_or("unknown").to_owned();
                // The detail is a store or content error: it never holds answers,
                // passwords or tokens.
                tracing::error!(error_id = %id, detail = %detail, "admin request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    vec!["Try again later."],
                )
            }
        };
        let title = heading;
        let mut response = render(&AdminMessagePage {
            layout: AdminLayout::new(title, None),
            heading: heading.to_owned(),
            paragraphs: paragraphs.into_iter().map(str::to_owned).collect(),
            link: Some(("/admin".to_owned(), "Go to your studies".to_owned())),
        });
        *response.status_mut() = status;
        response
    }
}
