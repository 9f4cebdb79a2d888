//! Signing in and out, and changing a password.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use skafada_store::{NewPassword, PasswordChange, SignIn, describe_wait, random_token, unix_now};

use super::error::AdminError;
use super::guard::{
    Admin, AdminPost, cookie_value, pre_session_cookie_name, pre_session_ok, pre_session_token,
    session_cookie_name, set_cookie,
};
use super::views::{AdminLayout, AdminMessagePage, PasswordPage, SignInPage};
use crate::AppState;
use crate::form::FormData;
use crate::views::{ErrorLink, render};

const WRONG: &str =
    "The email address and password do not match an account. Check them and try again";

/// The message while an email's pause lasts: the same whether or not an account has it.
fn too_many(seconds: i64) -> String {
    format!(
        "You have tried to sign in too many times. Wait {}, then try again",
        describe_wait(seconds)
    )
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// The sign-in page with a fresh pre-session token (and its cookie).
fn sign_in_form(
    state: &AppState,
    email: &str,
    email_error: Option<&str>,
    password_error: Option<&str>,
) -> Result<Response, AdminError> {
    let secure = state.config.secure_cookies;
    let cookie = random_token()?;
    let mut errors = Vec::new();
    for (href, message) in [("email", email_error), ("password", password_error)] {
        if let Some(message) = message {
            errors.push(ErrorLink {
                href: href.to_owned(),
                message: message.to_owned(),
            });
        }
    }
    let page = render(&SignInPage {
        layout: AdminLayout::new("Sign in", None).with_error(!errors.is_empty()),
        csrf: pre_session_token(&cookie, unix_now()),
        email: email.to_owned(),
        errors,
        email_error: email_error.map(str::to_owned),
        password_error: password_error.map(str::to_owned),
    });
    Ok(with_cookies(
        page,
        &[set_cookie(
            pre_session_cookie_name(secure),
            &cookie,
            secure,
            Some(60 * 60),
        )],
    ))
}

/// `GET /admin/sign-in`.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_in_page(State(state): State<AppState>) -> Result<Response, AdminError> {
    sign_in_form(&state, "", None, None)
}

/// `POST /admin/sign-in`: the same message for a wrong email and a wrong password, and
/// the same pauses for an email with or without an account.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AdminError> {
    let form = FormData::parse(body)?;
    let secure = state.config.secure_cookies;
    if !pre_session_ok(&headers, secure, &form) {
        return Err(AdminError::BadForm);
    }
    let email = form.text("email").unwrap_or_default();
    // Passwords are not trimmed: spaces may be part of them.
    let password = form
        .values("password")
        .into_iter()
        .next()
        .unwrap_or_default();
    if email.is_empty() || password.is_empty() {
        return sign_in_form(
            &state,
            &email,
            email.is_empty().then_some("Enter your email address"),
            password.is_empty().then_some("Enter your password"),
        );
    }
    // A session the browser already has is ended: signing in always starts a new one.
    let previous = cookie_value(&headers, session_cookie_name(secure));
    match state
        .store
        .sign_in(
            &email,
            &password,
            &state.config.admin.sign_in,
            previous.as_deref(),
        )
        .await?
    {
        SignIn::SignedIn { token, .. } => Ok(with_cookies(
            Redirect::to("/admin").into_response(),
            &[
                set_cookie(session_cookie_name(secure), &token, secure, None),
                set_cookie(pre_session_cookie_name(secure), "", secure, Some(0)),
            ],
        )),
        SignIn::Failed { pause: None } => sign_in_form(&state, &email, Some(WRONG), None),
        SignIn::Failed {
            pause: Some(seconds),
        }
        | SignIn::Throttled {
            retry_after: seconds,
        } => sign_in_form(&state, &email, Some(&too_many(seconds)), None),
    }
}

/// `POST /admin/sign-out`: ends the session on the server and removes the cookie.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    state.store.sign_out(&post.admin.session).await?;
    let secure = state.config.secure_cookies;
    let page = render(&AdminMessagePage {
        layout: AdminLayout::new("Signed out", None),
        heading: "You have signed out".to_owned(),
        paragraphs: Vec::new(),
        link: Some(("/admin/sign-in".to_owned(), "Sign in again".to_owned())),
    });
    Ok(with_cookies(
        page,
        &[set_cookie(session_cookie_name(secure), "", secure, Some(0))],
    ))
}

fn password_form(admin: &Admin, errors: [(&str, Option<String>); 3]) -> Response {
    let links: Vec<ErrorLink> = errors
        .iter()
        .filter_map(|(id, message)| {
            message.as_ref().map(|message| ErrorLink {
                href: (*id).to_owned(),
                message: message.clone(),
            })
        })
        .collect();
    let [(_, current_error), (_, new_error), (_, confirm_error)] = errors;
    render(&PasswordPage {
        layout: AdminLayout::new("Change your password", Some(admin))
            .with_error(!links.is_empty())
            .back("/admin"),
        csrf: admin.csrf.clone(),
        errors: links,
        current_error,
        new_error,
        confirm_error,
    })
}

/// `GET /admin/password`.
#[tracing::instrument(skip_all)]
pub(crate) async fn password_page(admin: Admin) -> Response {
    password_form(
        &admin,
        [("current", None), ("new", None), ("confirm", None)],
    )
}

/// `POST /admin/password`: checks the current password (counted with the account's
/// sign-in attempts, so it cannot be guessed here faster than at sign-in) and the
/// policy, then changes it and ends the account's other sessions.
#[tracing::instrument(skip_all)]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let first = |name: &str| {
        post.form
            .values(name)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let (current, new, confirm) = (first("current"), first("new"), first("confirm"));
    let current_error = current
        .is_empty()
        .then(|| "Enter your current password".to_owned());
    let (new_error, password) = match NewPassword::parse(&new) {
        _ if new.is_empty() => (Some("Enter a new password".to_owned()), None),
        Ok(password) => (None, Some(password)),
        Err(problem) => (Some(problem.to_string()), None),
    };
    let confirm_error = (new_error.is_none() && confirm != new)
        .then(|| "The passwords do not match. Enter the same new password twice".to_owned());
    let (Some(password), None, None) = (password, &current_error, &confirm_error) else {
        return Ok(password_form(
            &post.admin,
            [
                ("current", current_error),
                ("new", new_error),
                ("confirm", confirm_error),
            ],
        ));
    };
    let wrong = match state
        .store
        .change_password(
            &post.admin.session,
            &current,
            &password,
            &state.config.admin.sign_in,
        )
        .await?
    {
        PasswordChange::Changed => None,
        PasswordChange::WrongPassword { pause: None } => {
            Some("Your current password is not right. Check it and try again".to_owned())
        }
        PasswordChange::WrongPassword {
            pause: Some(seconds),
        }
        | PasswordChange::Throttled {
            retry_after: seconds,
        } => Some(format!(
            "You have entered a wrong password too many times. Wait {}, then try again",
            describe_wait(seconds)
        )),
    };
    if let Some(message) = wrong {
        return Ok(password_form(
            &post.admin,
            [("current", Some(message)), ("new", None), ("confirm", None)],
        ));
    }
    Ok(render(&AdminMessagePage {
        layout: AdminLayout::new("Password changed", Some(&post.admin)),
        heading: "Your password has been changed".to_owned(),
        paragraphs: vec!["You have been signed out on every other device.".to_owned()],
        link: Some(("/admin".to_owned(), "Go to your studies".to_owned())),
    }))
}
