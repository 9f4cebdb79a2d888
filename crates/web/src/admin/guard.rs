//! The one guard every admin route goes through: the admin session cookie, the signed-in
//! account with its role and scope, CSRF tokens, and the scope checks.
//!
//! Architecture invariant: every admin handler takes an [`Admin`] (or an [`AdminPost`],
//! which also checks the form's CSRF token) and asks it for the study or site it shows
//! with [`Admin::require_study`], [`Admin::require_site`] or the `manage` variants.
//! Anything outside the account's scope is a 404, exactly like something that does not
//! exist.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use skafada_store::{AdminSession, Role, Site, Study, StudyId, hash_secret, unix_now};

use super::error::AdminError;
use crate::AppState;
use crate::form::FormData;

/// How long the sign-in form's pre-session token lasts.
const PRE_SESSION_SECONDS: i64 = 60 * 60;

/// The admin session cookie's name: `__Host-` prefixed over HTTPS, so that it is only
/// ever set by this host, over a secure connection, for the whole site.
pub(crate) fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-skafada-admin"
    } else {
        "skafada-admin"
    }
}

/// The sign-in form's cookie name.
pub(crate) fn pre_session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-skafada-sign-in"
    } else {
        "skafada-sign-in"
    }
}

/// A cookie's value from the request, if it is a plausible token.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` over
/// HTTPS. `max_age` `None` makes a browser-session cookie; `Some(0)` removes it.
pub(crate) fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{max_age}")
}

/// Compares two strings in time that depends only on their lengths.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The sign-in form's token for a pre-session cookie value, issued at `issued`: bound
/// to the cookie, and short-lived, with nothing stored.
pub(crate) fn pre_session_token(cookie: &str, issued: i64) -> String {
    format!(
        "{issued}.{}",
        hash_secret(&format!("sign-in\0{cookie}\0{issued}"))
    )
}

/// Whether a posted sign-in form's token belongs to the request's pre-session cookie and
/// is still fresh.
pub(crate) fn pre_session_ok(headers: &HeaderMap, secure: bool, form: &FormData) -> bool {
    let (Some(cookie), Some(posted)) = (
        cookie_value(headers, pre_session_cookie_name(secure)),
        form.text("csrf"),
    ) else {
        return false;
    };
    let Some(issued) = posted
        .split_once('.')
        .and_then(|(issued, _)| issued.parse::<i64>().ok())
    else {
        return false;
    };
    let age = unix_now() - issued;
    (0..=PRE_SESSION_SECONDS).contains(&age) && same(&posted, &pre_session_token(&cookie, issued))
}

/// The signed-in account of a request, with its session's CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct Admin {
    pub(crate) session: AdminSession,
    /// The synchronizer token every form of this session carries: derived from the
    /// session token, which only the browser holds, so nothing more is stored.
    pub(crate) csrf: String,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies;
        let token =
            cookie_value(&parts.headers, session_cookie_name(secure)).ok_or(AdminError::SignIn)?;
        let session = state
            .store
            .admin_session(&token, &state.config.admin.sign_in)
            .await?
            .ok_or(AdminError::SignIn)?;
        Ok(Admin {
            session,
            csrf: hash_secret(&format!("csrf\0{token}")),
        })
    }
}

impl Admin {
    /// The account's role.
    pub(crate) fn role(&self) -> Role {
        self.session.account.role
    }

    /// The account's id.
    pub(crate) fn account_id(&self) -> &str {
        &self.session.account.id
    }

    /// Whether the account may see this study at all.
    pub(crate) fn can_see_study(&self, study_id: &str) -> bool {
        match &self.session.account.study_id {
            None => self.role() == Role::StudyAdmin,
            Some(own) => own == study_id,
        }
    }

    /// Whether the account may see every site of its study (not an LA contact).
    pub(crate) fn sees_all_sites(&self) -> bool {
        self.role() != Role::LaContact
    }

    /// Whether the account may see this site's data.
    pub(crate) fn can_see_site(&self, site: &Site) -> bool {
        self.can_see_study(&site.study_id)
            && (self.sees_all_sites() || self.session.account.site_id.as_deref() == Some(&site.id))
    }

    /// Whether the account may change things in this study.
    pub(crate) fn can_manage(&self, study_id: &str) -> bool {
        self.role() == Role::StudyAdmin && self.can_see_study(study_id)
    }

    /// The study, if the account may see it; otherwise (or if it does not exist) 404.
    pub(crate) async fn require_study(
        &self,
        state: &AppState,
        study_id: &str,
    ) -> Result<Study, AdminError> {
        if !self.can_see_study(study_id) {
            return Err(AdminError::NotFound);
        }
        // The URL's text becomes a study id here, once the account may see it.
        state
            .store
            .study(&StudyId::new(study_id))
            .await?
            .ok_or(AdminError::NotFound)
    }

    /// Whether the account may give a site's headcount: a study admin of its study, or
    /// the site's own LA contact, who knows how many practitioners they sent it to.
    pub(crate) fn can_set_headcount(&self, site: &Site) -> bool {
        self.can_manage(&site.study_id)
            || (self.role() == Role::LaContact && self.can_see_site(site))
    }

    /// Whether the account may make new studies: a study admin of every study.
    pub(crate) fn can_create_studies(&self) -> bool {
        self.role() == Role::StudyAdmin && self.session.account.study_id.is_none()
    }

    /// As [`Admin::require_study`], for changes: study admins only; 404 for anyone else.
    pub(crate) async fn manage_study(
        &self,
        state: &AppState,
        study_id: &str,
    ) -> Result<Study, AdminError> {
        if !self.can_manage(study_id) {
            return Err(AdminError::NotFound);
        }
        self.require_study(state, study_id).await
    }

    /// The study's site with this code, if the account may see its data; otherwise 404.
    pub(crate) async fn require_site(
        &self,
        state: &AppState,
        study_id: &str,
        code: &str,
    ) -> Result<(Study, Site), AdminError> {
        let study = self.require_study(state, study_id).await?;
        let site = state
            .store
            .site_by_code(&study.id, code)
            .await?
            .filter(|site| self.can_see_site(site))
            .ok_or(AdminError::NotFound)?;
        Ok((study, site))
    }

    /// As [`Admin::require_site`], for changes: study admins only; 404 for anyone else.
    pub(crate) async fn manage_site(
        &self,
        state: &AppState,
        study_id: &str,
        code: &str,
    ) -> Result<(Study, Site), AdminError> {
        if !self.can_manage(study_id) {
            return Err(AdminError::NotFound);
        }
        self.require_site(state, study_id, code).await
    }
}

/// A posted admin form whose CSRF token matched the session's: the only way an admin
/// handler reads a form, so every admin POST is checked.
#[derive(Debug)]
pub(crate) struct AdminPost {
    pub(crate) admin: Admin,
    pub(crate) form: FormData,
}

/// Refuses a form whose CSRF token is not the session's (for forms read other than
/// through [`AdminPost`], such as file uploads).
pub(crate) fn check_csrf(admin: &Admin, form: &FormData) -> Result<(), AdminError> {
    match form.text("csrf") {
        Some(posted) if same(&posted, &admin.csrf) => Ok(()),
        _ => Err(AdminError::BadForm),
    }
}

impl FromRequest<AppState> for AdminPost {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let admin = Admin::from_request_parts(&mut parts, state).await?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state).await;
        let form = FormData::parse(body)?;
        check_csrf(&admin, &form)?;
        Ok(AdminPost { admin, form })
    }
}
