//! A Qualtrics export read into columns and rows of text cells.
//!
//! Qualtrics' CSV export ("Data export formats" in its documentation) has three header
//! rows: the column names (`StartDate`, ..., `Q1`, `Q2_1`, `Q4_5_TEXT`), the question text,
//! and the import ids as JSON (`{"ImportId":"QID12_1"}`). Responses follow, one per row;
//! a quoted cell may span lines.

use crate::ImportError;

/// One column of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name in the first header row.
    pub name: String,
    /// Its import id in the third header row (`QID12_1`, `startDate`).
    pub import_id: Option<String>,
}

/// One response row (a case of an SPSS file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line of the file where the row starts (1-based), for error messages; for an
    /// SPSS file ([`Table::from_sav`]), the case number (1-based).
    pub line: u64,
    /// Its cells, one per column.
    pub cells: Vec<String>,
}

/// The kind of file a [`Table`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Qualtrics' CSV export, with numeric values or choice text.
    Csv,
    /// Qualtrics' SPSS export (`.sav`): always numeric values, never import ids.
    Sav,
}

/// A whole export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file name, for error messages.
    pub file: String,
    /// The kind of file it was read from.
    pub format: FileFormat,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The response rows, in order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads the text of a Qualtrics CSV export. A file without the three header rows
    /// (for example Qualtrics' legacy format, or a skafada response file) is refused.
    pub fn from_csv(text: &str, file: &str) -> Result<Table, ImportError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        let mut record = csv::StringRecord::new();
        let mut lines = Lines::new(text);
        loop {
            let start = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let line = lines.at(record.position().map_or(start, csv::Position::byte));
                    records.push((line, record.iter().map(str::to_owned).collect::<Vec<_>>()));
                }
                Ok(false) => break,
                Err(error) => {
                    let line = lines.at(error.position().map_or(start, csv::Position::byte));
                    return Err(ImportError::Row {
                        file: file.to_owned(),
                        row: line,
                        message: format!("the CSV cannot be read: {}", csv_reason(&error)),
                    });
                }
            }
        }
        let mut records = records.into_iter();
        let not_qualtrics = |message: &str| ImportError::Export {
            file: file.to_owned(),
            message: format!(
                "{message}; a Qualtrics CSV export has three header rows: column names, question text and import ids"
            ),
        };
        let (_, names) = records
            .next()
            .ok_or_else(|| not_qualtrics("the file is empty"))?;
        let (_, _questions) = records
            .next()
            .ok_or_else(|| not_qualtrics("the file has only one row"))?;
        let (import_line, import_ids) = records
            .next()
            .ok_or_else(|| not_qualtrics("the file has only two rows"))?;
        if import_ids.len() != names.len() {
            return Err(ImportError::Row {
                file: file.to_owned(),
                row: import_line,
                message: format!(
                    "the import id row has {} cells but the header has {} columns",
                    import_ids.len(),
                    names.len()
                ),
            });
        }
        let mut columns = Vec::with_capacity(names.len());
        for (index, (name, cell)) in names.into_iter().zip(import_ids).enumerate() {
            let import_id = import_id(&cell).ok_or_else(|| ImportError::Cell {
                file: file.to_owned(),
                row: import_line,
                column: index + 1,
                message: format!(
                    "`{name}` has `{cell}` where the third header row should hold its import id, such as {{\"ImportId\":\"QID1\"}}; a Qualtrics CSV export has three header rows: column names, question text and import ids"
                ),
            })?;
            columns.push(Column {
                name: name.trim().to_owned(),
                import_id: Some(import_id),
            });
        }
        let mut rows = Vec::new();
        for (line, cells) in records {
            if cells.len() != columns.len() {
                return Err(ImportError::Row {
                    file: file.to_owned(),
                    row: line,
                    message: format!(
                        "the row has {} cells but the header has {} columns",
                        cells.len(),
                        columns.len()
                    ),
                });
            }
            rows.push(Row { line, cells });
        }
        Ok(Table {
            file: file.to_owned(),
            format: FileFormat::Csv,
            columns,
            rows,
        })
    }
}

/// Line numbers of byte offsets, counted once through the text. The CSV reader's own
/// line numbers start a record after a CRLF on the line before it, so a record's line is
/// that of its first byte after any line break.
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line break;
    /// offsets must not decrease between calls.
    fn at(&mut self, offset: u64) -> u64 {
        let mut target = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while self
            .bytes
            .get(target)
            .is_some_and(|b| *b == b'\r' || *b == b'\n')
        {
            target += 1;
        }
        if target > self.offset {
            let passed = self.bytes.get(self.offset..target).unwrap_or_default();
            self.line += passed.iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = target;
        }
        self.line
    }
}

/// The import id of a third-row cell: `{"ImportId":"QID12_1"}` gives `QID12_1`.
fn import_id(cell: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(cell.trim()).ok()?;
    value.get("ImportId")?.as_str().map(str::to_owned)
}

/// What the CSV reader found wrong, without its own position (the caller gives the row).
fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cell_spanning_lines_stays_one_cell_and_rows_keep_their_first_line() {
        let text = "\u{feff}ResponseId,Q1\nResponse ID,Your role\n{\"ImportId\":\"_recordId\"},{\"ImportId\":\"QID1_TEXT\"}\nR_1,\"two\nlines\"\nR_2,one\n";
        let table = Table::from_csv(text, "e.csv").map_err(|e| e.to_string());
        let table = table.as_ref().map(|t| {
            (
                t.columns[0].name.clone(),
                t.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                t.rows[0].cells[1].clone(),
            )
        });
        assert_eq!(
            table,
            Ok(("ResponseId".into(), vec![4, 6], "two\nlines".into()))
        );
    }

    #[test]
    fn a_file_without_the_import_id_row_is_refused_naming_the_cell() {
        let error = Table::from_csv("a,b\nx,y\n1,2\n", "plain.csv").map(|_| ());
        assert_eq!(
            error.map_err(|e| e.to_string().split(": `").next().map(str::to_owned)),
            Err(Some("plain.csv:3:1".into()))
        );
    }

    #[test]
    fn rows_after_crlf_line_ends_are_numbered_by_the_line_they_start_on() {
        let text = "\"a\",\"b\"\r\n\"x\",\"y\"\r\n\"{\"\"ImportId\"\":\"\"a\"\"}\",\"{\"\"ImportId\"\":\"\"b\"\"}\"\r\n\"1\",\"2\r\nz\"\r\n\"3\",\"4\"\r\n";
        let lines = Table::from_csv(text, "f.csv")
            .map(|t| t.rows.iter().map(|r| r.line).collect::<Vec<_>>());
        assert_eq!(lines, Ok(vec![4, 6]));
    }
}
