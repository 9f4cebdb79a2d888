//! The embedded static files: GOV.UK Frontend (vendored by `frontend/vendor.sh`) and the
//! service's own script and styles.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// `/assets/<path>`: GOV.UK Frontend's files (its CSS asks for `/assets/fonts/...`), then
/// the service's own under `/assets/app/`.
pub(crate) async fn asset(Path(path): Path<String>) -> Result<Response, AppError> {
    let file = if let Some(own) = path.strip_prefix("app/") {
        Assets::get(&format!("app/{own}"))
    } else {
        Assets::get(&format!("govuk/{path}"))
    };
    let file = file.ok_or(AppError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, content_type(&path)),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        file.data.into_owned(),
    )
        .into_response())
}
