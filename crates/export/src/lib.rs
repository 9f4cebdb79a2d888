//! Exports of anonymous survey responses for analysts and local authority contacts.
//!
//! Every export is a pure function from an instrument, its responses, the study's sites,
//! the analysis's [`Outcomes`] for those records and [`ExportOptions`] to bytes:
//!
//! - [`to_csv`] and [`codebook_csv`]: the response file of `docs/export-format.md` and its
//!   codebook (with each column's SPSS name, measurement level and user-missing codes);
//! - [`to_xlsx`] (and [`write_xlsx`], a row at a time for large exports): a workbook with
//!   the responses (codes or labels, variable names in the
//!   first row and question text in a second, frozen, row), the codebook and a sheet
//!   about the export;
//! - [`matrix`]: the case studies' framework matrix (XLSX, one sheet per theme, and CSV)
//!   and their coded passages;
//! - [`to_sav`]: an SPSS system file with variable and value labels, user-missing codes,
//!   measurement levels and multiple-response sets.
//!
//! **Exports reproduce the report.** After the response file's columns every format
//! carries the cleaning outcome, `kept` (1 kept, 0 excluded) and `exclusion` (why), and
//! the plan's derived variables (collapsed scales, bands, recodes), all computed by the
//! analysis's own code ([`skafada_analysis::records`]); the SPSS file declares user-missing
//! exactly the codes the report leaves out of each variable's percentages. Filtered to
//! `kept = 1`, SPSS or PSPP gives the report's counts, Valid % and tests.
//!
//! **Invariant: exports are anonymous.** They carry the columns of the response export,
//! and what the plan computes from them, and nothing more: random record and respondent
//! identifiers, the site code and the date without a time. **The caller applies the
//! scope:** it passes only the records the reader may see ([`only_site`]), and logs the
//! export.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod codebook;
pub mod matrix;
pub mod names;
mod sav;
mod xlsx;

use skafada_analysis::data::{Column, MISSING, Responses, Site, TextColumn, Values};
use skafada_analysis::formula::write_record;
use skafada_analysis::records::Outcomes;
use skafada_instrument::Instrument;

pub use codebook::{Codebook, Entry, Measure, ResponseSet, Source, Storage, ValueLabel};
pub use sav::{to_sav, write_sav};
pub use xlsx::{PROGRESS_EVERY, RowBuffer, XlsxSink, to_xlsx, write_xlsx};

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
    /// The analysis outcomes given are not of the records exported (a bug in the caller).
    #[error("{outcomes} analysis outcomes for {records} records")]
    Outcomes {
        /// Records exported.
        records: usize,
        /// Outcomes given.
        outcomes: usize,
    },
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

/// The response file (`pre.csv` or `post.csv` of `docs/export-format.md`) followed by the
/// columns the plan adds: `kept`, `exclusion` and the derived variables of `outcomes`
/// (computed for the same records). `skafada analyse` reads the file back up to `kept`.
/// Every cell is neutralised against spreadsheet formulas (`skafada_analysis::formula`).
pub fn to_csv(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
) -> Result<Vec<u8>, ExportError> {
    write_csv(
        instrument,
        responses,
        sites,
        outcomes,
        Vec::new(),
        &mut |_| {},
    )
}

/// The response file of [`to_csv`], written to `out` a record at a time; `progress` is
/// told the number of records written every [`PROGRESS_EVERY`] records and at the end.
/// Returns the output.
pub fn write_csv<W: std::io::Write>(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
    out: W,
    progress: &mut dyn FnMut(usize),
) -> Result<W, ExportError> {
    let book = Codebook::new(instrument, outcomes);
    let records = Records::new(responses, sites, outcomes)?;
    let mut writer = csv::Writer::from_writer(out);
    write_record(&mut writer, book.entries.iter().map(|e| e.column.as_str()))?;
    let columns: Vec<ColumnOf<'_>> = book.entries.iter().map(|e| records.column(e)).collect();
    let mut cells: Vec<String> = Vec::with_capacity(book.entries.len());
    for row in 0..responses.len() {
        cells.clear();
        cells.extend(
            columns
                .iter()
                .map(|&column| match records.cell_of(column, row) {
                    Cell::Number(n) => n.to_string(),
                    Cell::Text(text) => text.to_owned(),
                    Cell::Empty => String::new(),
                }),
        );
        write_record(&mut writer, &cells)?;
        if (row + 1) % PROGRESS_EVERY == 0 {
            progress(row + 1);
        }
    }
    progress(responses.len());
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))
}

/// The codebook of an instrument's response file and the columns the plan adds to it
/// (see [`Codebook::to_csv`]). Only the plan's part of `outcomes` is read, so outcomes
/// of no records will do.
pub fn codebook_csv(instrument: &Instrument, outcomes: &Outcomes) -> Result<Vec<u8>, ExportError> {
    Codebook::new(instrument, outcomes).to_csv()
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

/// The records of an export with what the analysis made of them.
pub(crate) struct Records<'a> {
    responses: &'a Responses,
    sites: &'a [Site],
    outcomes: &'a Outcomes,
}

impl<'a> Records<'a> {
    /// The records, refused if `outcomes` are not of the same records.
    pub(crate) fn new(
        responses: &'a Responses,
        sites: &'a [Site],
        outcomes: &'a Outcomes,
    ) -> Result<Records<'a>, ExportError> {
        if outcomes.exclusions.len() != responses.len() {
            return Err(ExportError::Outcomes {
                records: responses.len(),
                outcomes: outcomes.exclusions.len(),
            });
        }
        Ok(Records {
            responses,
            sites,
            outcomes,
        })
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.responses.len()
    }

    /// Where `entry`'s cells come from, looked up once for a whole column rather than for
    /// every cell.
    pub(crate) fn column(&self, entry: &Entry) -> ColumnOf<'a> {
        let responses = self.responses;
        match entry.source {
            Source::Record => match entry.column.as_str() {
                "response_id" => ColumnOf::Strings(&responses.response_id),
                "respondent_id" => ColumnOf::Strings(&responses.respondent_id),
                "site" => ColumnOf::Site,
                "status" => ColumnOf::Status,
                "returning" => ColumnOf::Returning,
                "started_on" => ColumnOf::Strings(&responses.started_on),
                _ => ColumnOf::Nothing,
            },
            Source::Response => {
                if let Some(values) = responses.values(&entry.column) {
                    ColumnOf::Values(values)
                } else if let Some(texts) = responses.texts(&entry.column) {
                    ColumnOf::Texts(texts)
                } else {
                    ColumnOf::Nothing
                }
            }
            Source::Kept => ColumnOf::Kept,
            Source::Exclusion => ColumnOf::Exclusion,
            Source::Derived(index) => match self.outcomes.derived.get(index).map(|d| &d.column) {
                Some(Column::Values(values)) => ColumnOf::Values(values.values()),
                Some(Column::Text(texts)) => ColumnOf::Texts(texts),
                None => ColumnOf::Nothing,
            },
        }
    }

    /// The cell of a column in record `row`.
    pub(crate) fn cell_of(&self, column: ColumnOf<'a>, row: usize) -> Cell<'a> {
        let responses = self.responses;
        match column {
            ColumnOf::Strings(strings) => strings
                .get(row)
                .map_or(Cell::Empty, |s| Cell::Text(s.as_str())),
            ColumnOf::Site => responses
                .site
                .get(row)
                .and_then(|&s| self.sites.get(s))
                .map_or(Cell::Empty, |s| Cell::Text(&s.site)),
            ColumnOf::Status => responses
                .status
                .get(row)
                .map_or(Cell::Empty, |s| Cell::Text(s.as_str())),
            ColumnOf::Returning => responses
                .returning
                .get(row)
                .map_or(Cell::Empty, |&r| Cell::Number(i32::from(r))),
            ColumnOf::Values(values) => match values.get(row) {
                Some(v) if v != MISSING => Cell::Number(v),
                _ => Cell::Empty,
            },
            ColumnOf::Texts(texts) => texts.get(row).map_or(Cell::Empty, Cell::Text),
            ColumnOf::Kept => Cell::Number(i32::from(self.outcomes.kept(row))),
            ColumnOf::Exclusion => self
                .outcomes
                .exclusion_code(row)
                .map_or(Cell::Empty, Cell::Number),
            ColumnOf::Nothing => Cell::Empty,
        }
    }
}

/// Where one export column's cells come from (see [`Records::column`]).
#[derive(Clone, Copy)]
pub(crate) enum ColumnOf<'a> {
    /// A record's identifier or date.
    Strings(&'a [String]),
    /// The record's site code.
    Site,
    /// The record's status.
    Status,
    /// Whether the record was made by a returning respondent (1/0).
    Returning,
    /// Codes or numbers.
    Values(Values<'a>),
    /// Free text.
    Texts(&'a TextColumn),
    /// The cleaning outcome (1 kept, 0 excluded).
    Kept,
    /// Why the cleaning excluded the record.
    Exclusion,
    /// A column with no data (none of the instrument's variables).
    Nothing,
}
