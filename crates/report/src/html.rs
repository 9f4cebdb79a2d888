//! The HTML report: one self-contained page (inline CSS, inline SVG, no script, no
//! external request), rendered by askama templates that escape every value.

use askama::Template;

use crate::model::{Block, Document};

const CSS: &str = include_str!("../templates/report.css");

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    doc: &'a Document,
    plan: &'a str,
    css: &'a str,
}

/// Renders the document as a standalone HTML page.
pub(crate) fn render(doc: &Document, plan: &str) -> Result<String, askama::Error> {
    ReportPage {
        doc,
        plan,
        css: CSS,
    }
    .render()
}
