//! Exports of anonymous survey responses for analysts and local authority contacts.
//!
//! Every export is a pure function from an instrument, its responses, the study's sites and
//! [`ExportOptions`] to bytes:
//!
//! - [`to_csv`] and [`codebook_csv`]: the response file of `docs/export-format.md` and its
//!   codebook (with each column's SPSS name and measurement level);
//! - [`to_xlsx`]: a workbook with the responses (codes or labels, variable names in the
//!   first row and question text in a second, frozen, row), the codebook and a sheet
//!   about the export;
//! - [`to_sav`]: an SPSS system file with variable and value labels, user-missing codes,
//!   measurement levels and multiple-response sets.
//!
//! **Invariant: exports are anonymous.** They carry the columns of the response export
//! and nothing more: random record and respondent identifiers, the site code and the date
//! without a time. **The caller applies the scope:** it passes only the records the
//! reader may see (for a local authority contact, [`only_site`]), and logs the export.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod codebook;
pub mod names;
mod sav;
mod xlsx;

use skafada_analysis::data::{MISSING, Responses, Site};
use skafada_instrument::Instrument;

pub use codebook::{Codebook, Entry, Measure, ResponseSet, Storage, ValueLabel};
pub use sav::to_sav;
pub use xlsx::to_xlsx;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing CSV failed.
    #[error("could not write CSV: {0}")]
    Csv(String),
    /// Writing the workbook failed.
    #[error("could not write the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A value cannot be represented in an SPSS system file.
    #[error("could not write the SPSS file: {0}")]
    Sav(String),
    /// The site asked for is not a site of the study.
    #[error("`{0}` is not a site of this study")]
    UnknownSite(String),
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        ExportError::Csv(error.to_string())
    }
}

/// What an export says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// The study's name.
    pub study: String,
    /// The date of the export (`YYYY-MM-DD`), given by the caller so exports stay pure.
    pub date: String,
    /// True for generated demonstration data; the export says so.
    pub synthetic: bool,
    /// XLSX: show labels rather than codes in the Responses sheet.
    pub labels: bool,
    /// Who the export is scoped to, e.g. "site LA01", printed in the About sheet and the
    /// SPSS file label; empty for the whole study.
    pub scope: String,
}

/// The response file (`pre.csv` or `post.csv` of `docs/export-format.md`).
pub fn to_csv(instrument: &Instrument, responses: &Responses, sites: &[Site]) -> Vec<u8> {
    responses.to_csv(instrument, sites).into_bytes()
}

/// The codebook of an instrument's response file (see [`Codebook::to_csv`]).
pub fn codebook_csv(instrument: &Instrument) -> Result<Vec<u8>, ExportError> {
    Codebook::new(instrument).to_csv()
}

/// The records of one site, for an export scoped to a local authority.
pub fn only_site(
    responses: &Responses,
    sites: &[Site],
    code: &str,
) -> Result<Responses, ExportError> {
    let index = sites
        .iter()
        .position(|s| s.site == code)
        .ok_or_else(|| ExportError::UnknownSite(code.to_owned()))?;
    let keep: Vec<bool> = responses.site.iter().map(|&s| s == index).collect();
    Ok(responses.filter(&keep))
}

/// One cell of an export.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    /// A code or number.
    Number(i32),
    /// Text.
    Text(&'a str),
    /// Not answered.
    Empty,
}

/// The cell of `entry` in record `row`.
pub(crate) fn cell<'a>(
    responses: &'a Responses,
    sites: &'a [Site],
    entry: &Entry,
    row: usize,
) -> Cell<'a> {
    let text = |s: Option<&'a String>| s.map_or(Cell::Empty, |s| Cell::Text(s.as_str()));
    match entry.column.as_str() {
        "response_id" if entry.item.is_empty() => text(responses.response_id.get(row)),
        "respondent_id" if entry.item.is_empty() => text(responses.respondent_id.get(row)),
        "site" if entry.item.is_empty() => responses
            .site
            .get(row)
            .and_then(|&s| sites.get(s))
            .map_or(Cell::Empty, |s| Cell::Text(&s.site)),
        "status" if entry.item.is_empty() => responses
            .status
            .get(row)
            .map_or(Cell::Empty, |s| Cell::Text(s.as_str())),
        "returning" if entry.item.is_empty() => responses
            .returning
            .get(row)
            .map_or(Cell::Empty, |&r| Cell::Number(i32::from(r))),
        "started_on" if entry.item.is_empty() => text(responses.started_on.get(row)),
        column => {
            if let Some(values) = responses.values(column) {
                match values.get(row) {
                    Some(&v) if v != MISSING => Cell::Number(v),
                    _ => Cell::Empty,
                }
            } else if let Some(texts) = responses.texts(column) {
                match texts.get(row) {
                    Some(Some(s)) => Cell::Text(s),
                    _ => Cell::Empty,
                }
            } else {
                Cell::Empty
            }
        }
    }
}
