//! The XLSX workbook: Responses, Codebook and About sheets.

use std::io::{Cursor, Seek, Write};
use std::path::PathBuf;

use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};
use skafada_analysis::data::{Responses, Site};
use skafada_analysis::plan::ValidPercentBase;
use skafada_analysis::records::Outcomes;
use skafada_instrument::Instrument;

use crate::codebook::{Codebook, Entry, missing_name};
use crate::{Cell, ColumnOf, ExportError, ExportOptions, Records};

/// Where the Responses sheet's rows wait while the workbook is built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RowBuffer {
    /// In memory: every cell is kept until the workbook is written (a few hundred bytes
    /// a cell, so a whole national study would need gigabytes).
    #[default]
    Memory,
    /// Written a row at a time to an unnamed temporary file in this folder, so memory
    /// stays flat whatever the number of records. The caller chooses the folder (the
    /// CLI uses the output's own): this crate opens no file itself.
    Folder(PathBuf),
}

/// Where a workbook goes, how its rows are buffered, and who hears of its progress.
pub struct XlsxSink<'p, W> {
    /// The file or buffer the workbook is written to.
    pub out: W,
    /// Where the Responses sheet's rows wait.
    pub rows: RowBuffer,
    /// Told the number of records written so far, every [`PROGRESS_EVERY`] records and
    /// at the end.
    pub progress: &'p mut dyn FnMut(usize),
}

impl<W> std::fmt::Debug for XlsxSink<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxSink")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// More records than this are written with ZIP64 (see [`write_xlsx`]).
const LARGE_FILE_RECORDS: usize = 200_000;

/// How many records pass between two calls of a sink's `progress`.
pub const PROGRESS_EVERY: usize = 1_000;

/// Writes an XLSX workbook with three sheets:
///
/// - **Responses**: one row per record; the first row holds the column names, the second
///   (frozen with the first) the question text; cells hold codes, or their labels when
///   [`ExportOptions::labels`] is set. After the instrument's columns come `kept`,
///   `exclusion` and the plan's derived variables, from `outcomes`;
/// - **Codebook**: every column with its SPSS name, type, measurement level, codes, labels,
///   missing type and whether the SPSS file declares the code user-missing;
/// - **About**: the study, the date, the instrument, the scope, the synthetic flag if set,
///   how many records the cleaning keeps, and a note that the data are anonymous.
///
/// The workbook is built in memory; see [`write_xlsx`] for large exports.
pub fn to_xlsx(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
    options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let sink = XlsxSink {
        out: Cursor::new(Vec::new()),
        rows: RowBuffer::Memory,
        progress: &mut |_| {},
    };
    Ok(write_xlsx(instrument, responses, sites, outcomes, options, sink)?.into_inner())
}

/// The workbook of [`to_xlsx`], written to `sink.out` with its rows buffered as
/// `sink.rows` says, reporting progress as it goes. Returns the output.
pub fn write_xlsx<W: Write + Seek + Send>(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
    options: &ExportOptions,
    sink: XlsxSink<'_, W>,
) -> Result<W, ExportError> {
    let book = Codebook::new(instrument, outcomes);
    let records = Records::new(responses, sites, outcomes)?;
    let mut workbook = Workbook::new();
    // Deflate at its fastest level: three times quicker to write than the default level 6
    // for a file about a fifth larger.
    workbook.set_zip_compression_level(1);
    // Past a few hundred thousand records the Responses sheet's XML outgrows the 4 GB of a
    // plain zip entry; Excel reads ZIP64.
    workbook.use_zip_large_file(records.len() > LARGE_FILE_RECORDS);
    let sheet = match &sink.rows {
        RowBuffer::Memory => workbook.add_worksheet(),
        RowBuffer::Folder(folder) => {
            workbook.set_tempdir(folder)?;
            workbook.add_worksheet_with_constant_memory()?
        }
    };
    responses_sheet(sheet, &book, &records, options, sink.progress)?;
    workbook.push_worksheet(codebook_sheet(&book)?);
    workbook.push_worksheet(about_sheet(instrument, responses, outcomes, options)?);
    let mut out = sink.out;
    workbook.save_to_writer(&mut out)?;
    Ok(out)
}

/// The Responses sheet, written a row at a time (the order a constant-memory sheet needs).
fn responses_sheet(
    sheet: &mut Worksheet,
    book: &Codebook,
    records: &Records<'_>,
    options: &ExportOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let question = Format::new().set_text_wrap().set_italic();
    sheet.set_name("Responses")?;
    for (col, entry) in book.entries.iter().enumerate() {
        sheet.write_string_with_format(0, column(col)?, &entry.column, &bold)?;
    }
    for (col, entry) in book.entries.iter().enumerate() {
        sheet.write_string_with_format(1, column(col)?, &entry.text, &question)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    let columns: Vec<(ColNum, &Entry, ColumnOf<'_>)> = book
        .entries
        .iter()
        .enumerate()
        .map(|(col, entry)| Ok((column(col)?, entry, records.column(entry))))
        .collect::<Result<_, XlsxError>>()?;
    for row in 0..records.len() {
        let r = RowNum::try_from(row + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
        for &(col, entry, source) in &columns {
            match records.cell_of(source, row) {
                Cell::Number(n) => match options.labels.then(|| entry.label(n)).flatten() {
                    Some(label) => sheet.write_string(r, col, label)?,
                    None => sheet.write_number(r, col, n)?,
                },
                Cell::Text(text) => sheet.write_string(r, col, text)?,
                Cell::Empty => continue,
            };
        }
        if (row + 1) % PROGRESS_EVERY == 0 {
            progress(row + 1);
        }
    }
    // Widths are set once every cell is written. The sheet's column list is written when
    // the workbook is saved, so the file is the same; set before, every cell written
    // looked its column up among the widened columns (a tenth of the sheet's time).
    for (col, _) in book.entries.iter().enumerate() {
        sheet.set_column_width(column(col)?, 16)?;
    }
    progress(records.len());
    Ok(())
}

fn codebook_sheet(book: &Codebook) -> Result<Worksheet, XlsxError> {
    let bold = Format::new().set_bold();
    let mut sheet = Worksheet::new();
    sheet.set_name("Codebook")?;
    let header = [
        "column",
        "spss_name",
        "item",
        "type",
        "measure",
        "question",
        "code",
        "label",
        "missing",
        "spss_missing",
    ];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column(col)?, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(5, 60)?;
    sheet.set_column_width(7, 30)?;
    let mut row: RowNum = 1;
    for entry in &book.entries {
        let fixed = [
            entry.column.as_str(),
            entry.spss_name.as_str(),
            entry.item.as_str(),
            entry.type_name,
            entry.measure.as_str(),
            entry.text.as_str(),
        ];
        let mut write_row =
            |sheet: &mut Worksheet, code: Option<i32>, label: &str, missing: &str| {
                for (col, text) in fixed.iter().enumerate() {
                    sheet.write_string(row, column(col)?, *text)?;
                }
                if let Some(code) = code {
                    sheet.write_number(row, 6, code)?;
                    if entry.user_missing.contains(&code) {
                        sheet.write_number(row, 9, 1)?;
                    }
                }
                sheet.write_string(row, 7, label)?;
                sheet.write_string(row, 8, missing)?;
                row += 1;
                Ok::<(), XlsxError>(())
            };
        if entry.values.is_empty() {
            write_row(&mut sheet, None, "", "")?;
        }
        for value in &entry.values {
            write_row(
                &mut sheet,
                Some(value.code),
                &value.label,
                missing_name(value.missing),
            )?;
        }
    }
    Ok(sheet)
}

fn about_sheet(
    instrument: &Instrument,
    responses: &Responses,
    outcomes: &Outcomes,
    options: &ExportOptions,
) -> Result<Worksheet, XlsxError> {
    let bold = Format::new().set_bold();
    let mut sheet = Worksheet::new();
    sheet.set_name("About")?;
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 90)?;
    let scope = if options.scope.is_empty() {
        "the whole study"
    } else {
        options.scope.as_str()
    };
    let mut lines = vec![
        ("Study", options.study.clone()),
        ("Exported on", options.date.clone()),
        (
            "Instrument",
            format!("{} ({})", instrument.id, instrument.title),
        ),
        (
            "Instrument version",
            instrument
                .version
                .clone()
                .unwrap_or_else(|| "not stated in the instrument".to_owned()),
        ),
        ("Scope", scope.to_owned()),
        ("Records", responses.len().to_string()),
        (
            "Cleaning",
            format!(
                "kept is 1 for the {} records the analysis plan's cleaning keeps, the records \
                 every table and test of the report counts, and 0 for the {} it excludes; \
                 exclusion gives the reason, as the report's cleaning log does. Filter on \
                 kept = 1 to reproduce the report.",
                outcomes.log.kept,
                outcomes.log.records - outcomes.log.kept
            ),
        ),
        (
            "Derived variables",
            "The columns after exclusion are the plan's derived variables (collapsed \
             scales, bands, recodes), computed by the analysis itself; the Codebook gives \
             their labels and codes."
                .to_owned(),
        ),
        (
            "Anonymous",
            "The data are anonymous: respondents are random identifiers, dates have no time \
             of day, and nothing identifies a person. Free-text answers are as respondents \
             wrote them."
                .to_owned(),
        ),
        (
            "Missing answers",
            format!(
                "An empty cell means not answered or not asked. \"Prefer not to say\" and \
                 \"not applicable\" keep their own codes (see the Codebook's missing column). \
                 {} The Codebook's spss_missing column marks the codes the report leaves out \
                 of a variable's percentages (user-missing in the SPSS file).",
                match outcomes.valid_percent_base {
                    ValidPercentBase::AllAnswers =>
                        "The report's frequency tables count them in the base of Valid %; \
                         matrix tables and tests leave them out.",
                    ValidPercentBase::Substantive =>
                        "The report leaves them out of the base of every Valid %.",
                }
            ),
        ),
    ];
    if options.synthetic {
        lines.insert(
            1,
            (
                "Synthetic",
                "SYNTHETIC DATA: generated for demonstration, not real responses.".to_owned(),
            ),
        );
    }
    for (row, (key, value)) in lines.iter().enumerate() {
        let row = RowNum::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(row, 0, *key, &bold)?;
        sheet.write_string(row, 1, value)?;
    }
    Ok(sheet)
}

fn column(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}
