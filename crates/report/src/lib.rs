//! The study report: an `Analysis` as a self-contained, accessible HTML page and as a
//! typeset PDF.
//!
//! ```text
//! Analysis ──> model::Document ──┬─> html   (askama templates, inline SVG charts)
//!                                └─> pdf    (layout engine + krilla, charts as vectors)
//! ```
//!
//! The report holds the sample and cleaning log, the published tables, the figures as
//! charts (each with a data table), the tests of association with raw and adjusted p and
//! Cramér's V, the pre/post comparisons (the study's one-tailed z-tests and, for linked
//! respondents, paired tests) and short findings sentences written from the numbers.
//!
//! The crate also typesets the CPD certificate ([`certificate_pdf`]) with the same font
//! and drawing code.
//!
//! Architecture invariant: the crate is pure. It reads no file and no clock: the fonts
//! are embedded with `include_bytes!`, and the caller writes the bytes it returns.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod case_studies;
pub mod certificate;
pub mod charts;
pub mod dashboard;
pub mod findings;
pub mod font;
mod html;
pub mod model;
pub mod needs;
pub mod pdf;
mod shape;
mod svg;

use skafada_analysis::Analysis;

pub use certificate::{
    CertificateDetails, CertificateMonth, CertificateName, NameError, certificate_pdf,
    learning_time,
};
pub use font::unsupported_characters;
pub use model::Document;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The HTML template failed.
    #[error("failed to render the HTML report: {0}")]
    Html(String),
    /// The PDF writer failed.
    #[error("failed to write the PDF report: {0}")]
    Pdf(String),
    /// Text for a certificate has characters the embedded font cannot print (listed
    /// once each, in order), so it would show empty boxes.
    #[error("the certificate's {part} has characters the font cannot print: {characters:?}")]
    Unprintable {
        /// Which part of the certificate: "module title", "date"...
        part: &'static str,
        /// The characters.
        characters: Vec<char>,
    },
}

/// A document made by the caller (a site's one-page summary, say) as a PDF, laid out
/// and written as the report is: A4, "Page N of M", tables that never break mid-row,
/// the embedded font subset.
pub fn document_pdf(document: &Document) -> Result<Vec<u8>, ReportError> {
    pdf::render(document)
}

/// What a report covers, beyond the analysis itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// A line naming the scope, e.g. "Site 3" when the report is of one site; empty for
    /// the whole study.
    pub scope: String,
}

/// A report built from an analysis, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    document: Document,
    plan: String,
}

impl Report {
    /// Builds the report: every sentence, table and chart, from the analysis alone.
    pub fn from_analysis(analysis: &Analysis, options: &ReportOptions) -> Report {
        Report {
            document: model::build(analysis, &options.scope),
            plan: analysis.plan.clone(),
        }
    }

    /// Adds a section at the end, such as the findings by research question
    /// ([`case_studies::findings_section`]).
    pub fn with_section(mut self, section: model::Section) -> Report {
        self.document.sections.push(section);
        self
    }

    /// The document both renderings are made from.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The report as one self-contained HTML page.
    pub fn render_html(&self) -> Result<String, ReportError> {
        html::render(&self.document, &self.plan).map_err(|e| ReportError::Html(e.to_string()))
    }

    /// The report as a PDF (A4, page numbers, tables that never break mid-row, charts as
    /// vectors, the embedded font subset).
    pub fn render_pdf(&self) -> Result<Vec<u8>, ReportError> {
        pdf::render(&self.document)
    }
}
