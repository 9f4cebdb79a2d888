//! The journey cookie: a random session token and nothing else.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The cookie's name.
pub(crate) const NAME: &str = "journey";

/// The session token from the request's cookies.
pub(crate) fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A `Set-Cookie` value for a new session: no `Max-Age`, so the browser forgets it when
/// it closes; `HttpOnly` and `SameSite=Strict`, so no script or other site can use it.
pub(crate) fn set(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{NAME}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// A `Set-Cookie` value that removes the cookie.
pub(crate) fn clear(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}
