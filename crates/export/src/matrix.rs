//! The case studies' framework matrix and coded passages, for analysts: an XLSX
//! workbook with one sheet per theme (cases as rows, sub-themes as columns, each cell
//! the analyst's summary and the references of its supporting passages), a sheet of the
//! passages, and a sheet about the export; and the same as CSV.
//!
//! Invariant: only what the store holds goes out: pseudonyms, roles, case-study numbers
//! and redacted words. Callers pass the charted sheets (`skafada_qualitative::matrix`).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use skafada_qualitative::matrix::{Case, Sheet};

use crate::ExportError;

/// A coded passage as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageRow {
    /// Its reference, e.g. `CS1-P02 turn 14`.
    pub reference: String,
    /// Its identifier (as the matrix cells list them).
    pub id: String,
    /// The case.
    pub case: String,
    /// The coder.
    pub coder: String,
    /// The sub-themes, separated by `; `.
    pub codes: String,
    /// The words (redacted).
    pub text: String,
    /// The analyst's memo.
    pub memo: String,
    /// Selected as a quotation for the report.
    pub report_quote: bool,
}

/// What the About sheet says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixAbout {
    /// The study's name.
    pub study: String,
    /// The framework's title.
    pub framework: String,
    /// The filter applied, in words ("All sites, roles and themes").
    pub filter: String,
    /// The day exported, YYYY-MM-DD.
    pub exported_on: String,
    /// The study holds synthetic demonstration data.
    pub synthetic: bool,
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the
/// book (a number is added when two themes would clash).
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let mut name: String = clean.trim().chars().take(31).collect();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) || name.is_empty() {
        let suffix = format!(" ({n})");
        name = clean
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn cell_text(
    summary: Option<&str>,
    passages: &[String],
    references: &dyn Fn(&str) -> String,
) -> String {
    let mut text = summary.unwrap_or("").to_owned();
    if !passages.is_empty() {
        let refs: Vec<String> = passages.iter().map(|p| references(p)).collect();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!("Passages: {}", refs.join("; ")));
    }
    text
}

fn case_columns(case: &Case, roles: &dyn Fn(&str) -> String) -> [String; 3] {
    [case.id.clone(), case.site.clone(), roles(&case.role)]
}

/// The matrix as an XLSX workbook: an About sheet, one sheet per theme, and the passages.
///
/// `roles` turns a role id into its label; each matrix cell lists its passages by the
/// reference of the matching [`PassageRow`].
///
/// # Errors
/// [`ExportError::Xlsx`] when the workbook cannot be written.
pub fn matrix_xlsx(
    sheets: &[Sheet],
    passages: &[PassageRow],
    about: &MatrixAbout,
    roles: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let mut taken = vec!["About".to_owned(), "Passages".to_owned()];
    workbook.push_worksheet(about_sheet(about, sheets.len(), passages.len())?);
    let references = |id: &str| {
        passages
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_owned(), |p| p.reference.clone())
    };
    for sheet in sheets {
        let mut worksheet = Worksheet::new();
        worksheet.set_name(sheet_name(&sheet.title, &mut taken))?;
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new()
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::Top);
        for (col, header) in ["Case", "Site", "Role"]
            .into_iter()
            .map(str::to_owned)
            .chain(sheet.columns.iter().cloned())
            .enumerate()
        {
            let col = u16::try_from(col)
                .map_err(|_| XlsxError::ParameterError("too many sub-themes".into()))?;
            worksheet.write_string_with_format(0, col, &header, &bold)?;
            worksheet.set_column_width(col, if col < 3 { 14 } else { 45 })?;
        }
        worksheet.set_freeze_panes(1, 1)?;
        for (row, (case, cells)) in (1_u32..).zip(&sheet.rows) {
            for (col, value) in (0_u16..).zip(case_columns(case, roles)) {
                worksheet.write_string_with_format(row, col, &value, &wrap)?;
            }
            for (col, cell) in (3_u16..).zip(cells) {
                let text = cell_text(cell.summary.as_deref(), &cell.passages, &references);
                worksheet.write_string_with_format(row, col, &text, &wrap)?;
            }
        }
        workbook.push_worksheet(worksheet);
    }
    workbook.push_worksheet(passages_sheet(passages)?);
    Ok(workbook.save_to_buffer()?)
}

fn about_sheet(
    about: &MatrixAbout,
    themes: usize,
    passages: usize,
) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("About")?;
    let bold = Format::new().set_bold();
    let rows = [
        ("Study", about.study.clone()),
        ("Framework", about.framework.clone()),
        ("Filter", about.filter.clone()),
        ("Exported on", about.exported_on.clone()),
        (
            "Sheets",
            format!("{themes} themes, one sheet each: a row per case, a column per sub-theme"),
        ),
        (
            "Passages",
            format!("{passages} coded passages, on the Passages sheet"),
        ),
        (
            "Data",
            if about.synthetic {
                "SYNTHETIC: invented demonstration interviews, not real people's words".to_owned()
            } else {
                "Pseudonymised interview data: interviewees are known only by pseudonym and role. Keep this file as securely as the transcripts.".to_owned()
            },
        ),
    ];
    for (row, (label, value)) in (0_u32..).zip(rows) {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_string(row, 1, &value)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 90)?;
    Ok(sheet)
}

fn passages_sheet(passages: &[PassageRow]) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Passages")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (col, header) in (0_u16..).zip(PASSAGE_HEADER) {
        sheet.write_string_with_format(0, col, header, &bold)?;
    }
    for (row, passage) in (1_u32..).zip(passages) {
        for (col, value) in (0_u16..).zip(passage_fields(passage)) {
            sheet.write_string_with_format(row, col, &value, &wrap)?;
        }
    }
    sheet.set_column_width(5, 80)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

const PASSAGE_HEADER: [&str; 7] = [
    "Reference",
    "Case",
    "Coder",
    "Sub-themes",
    "Selected for the report",
    "Words",
    "Memo",
];

fn passage_fields(passage: &PassageRow) -> [String; 7] {
    [
        passage.reference.clone(),
        passage.case.clone(),
        passage.coder.clone(),
        passage.codes.clone(),
        if passage.report_quote { "Yes" } else { "No" }.to_owned(),
        passage.text.clone(),
        passage.memo.clone(),
    ]
}

/// The matrix as CSV, one row per case and sub-theme: theme, sub-theme, case, site,
/// role, summary, passage references.
///
/// # Errors
/// [`ExportError::Csv`] when writing fails.
pub fn matrix_csv(
    sheets: &[Sheet],
    passages: &[PassageRow],
    roles: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "theme",
        "sub_theme",
        "case",
        "site",
        "role",
        "summary",
        "passages",
    ])?;
    for sheet in sheets {
        for (case, cells) in &sheet.rows {
            for (cell, title) in cells.iter().zip(&sheet.columns) {
                let refs: Vec<String> = cell
                    .passages
                    .iter()
                    .map(|id| {
                        passages
                            .iter()
                            .find(|p| &p.id == id)
                            .map_or_else(|| id.clone(), |p| p.reference.clone())
                    })
                    .collect();
                let [id, site, role] = case_columns(case, roles);
                writer.write_record([
                    sheet.title.as_str(),
                    title.as_str(),
                    &id,
                    &site,
                    &role,
                    cell.summary.as_deref().unwrap_or(""),
                    &refs.join("; "),
                ])?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))
}

/// The coded passages as CSV.
///
/// # Errors
/// [`ExportError::Csv`] when writing fails.
pub fn passages_csv(passages: &[PassageRow]) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "reference",
        "case",
        "coder",
        "sub_themes",
        "report_quote",
        "words",
        "memo",
    ])?;
    for passage in passages {
        writer.write_record(passage_fields(passage))?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))
}
