//! Reading a response file into columns: from text in memory or from a stream, so that a
//! national study's file need never be held whole beside its columns.
//!
//! Cells are read as bytes. A coded cell of plain digits (nearly all of them) becomes its
//! number without a UTF-8 check, a trim or a formula check, since none of those can change
//! plain digits; any other cell goes the way every cell used to, through
//! [`str::trim`], [`restore`] and [`str::parse`], so the two paths read the same values
//! and refuse the same cells.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use skafada_instrument::Instrument;

use crate::allowed::{Allowed, plain_digits};
use crate::data::{
    COMPUTED_FROM, Column, DataError, MISSING, RECORD_COLUMNS, Responses, Site, Status, TextColumn,
    ValueColumn, Variable, VariableKind, is_import_id, variables,
};
use crate::formula::restore;

/// A response file to read: its bytes, from memory or from a stream, and at most how many
/// lines it has, so that every column is sized once rather than grown and copied.
pub struct ResponseFile<'a> {
    bytes: Box<dyn Read + Send + 'a>,
    lines: usize,
}

impl std::fmt::Debug for ResponseFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFile")
            .field("lines", &self.lines)
            .finish_non_exhaustive()
    }
}

impl<'a> ResponseFile<'a> {
    /// A file already in memory.
    pub fn text(text: &'a str) -> ResponseFile<'a> {
        ResponseFile {
            bytes: Box::new(text.as_bytes()),
            lines: memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1,
        }
    }

    /// A stream of a file's bytes, with at most `lines` lines (a count of its line breaks
    /// plus one; a few more than its records when texts hold line breaks). A wrong count
    /// only costs memory or copies, never a record.
    pub fn stream(bytes: impl Read + Send + 'a, lines: usize) -> ResponseFile<'a> {
        ResponseFile {
            bytes: Box::new(bytes),
            lines,
        }
    }
}

/// How many records go from the thread that cuts the file into records to the one that
/// decodes them at a time, and how many batches may wait between them.
const BATCH_RECORDS: usize = 1024;
const BATCHES_AHEAD: usize = 2;

/// The first records a raw Qualtrics export gives to question text and import ids.
const QUALTRICS_HEADER_ROWS: usize = 2;

/// How the reader checks one variable's cells.
enum Check {
    /// Free text.
    Text,
    /// A coded or numeric cell.
    Value(Allowed),
}

impl Check {
    fn of(kind: &VariableKind) -> Check {
        Allowed::of(kind).map_or(Check::Text, Check::Value)
    }

    #[inline]
    fn allows(&self, number: i32) -> bool {
        match self {
            Check::Value(allowed) => allowed.allows(number),
            Check::Text => number != MISSING,
        }
    }
}

impl Responses {
    /// Reads a response file of `instrument` (`file` names it in errors). Sites are
    /// matched by code in `sites`. A raw Qualtrics export is refused
    /// ([`DataError::RawQualtrics`]). Columns from [`COMPUTED_FROM`] on (an export's
    /// cleaning outcome and derived variables) are not read.
    pub fn read_csv(
        source: ResponseFile<'_>,
        file: &str,
        instrument: &Instrument,
        sites: &[Site],
    ) -> Result<Responses, DataError> {
        let csv_error = |e: csv::Error| DataError::Csv {
            file: file.to_owned(),
            message: e.to_string(),
        };
        let lines = source.lines;
        // Flexible, so that a raw Qualtrics export is recognised whatever its rows'
        // lengths; every record's length is checked below.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(source.bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut first = Vec::with_capacity(QUALTRICS_HEADER_ROWS);
        for _ in 0..QUALTRICS_HEADER_ROWS {
            let mut record = csv::ByteRecord::new();
            if !reader.read_byte_record(&mut record).map_err(csv_error)? {
                break;
            }
            first.push(record);
        }
        let qualtrics = first.iter().any(|record| {
            record
                .iter()
                .any(|cell| is_import_id(&String::from_utf8_lossy(cell)))
        });
        if qualtrics {
            return Err(DataError::RawQualtrics {
                file: file.to_owned(),
            });
        }
        let mut read = Reading::new(&header, file, instrument, sites, lines)?;
        for record in &first {
            read.record(record)?;
        }
        // The file is cut into records on one thread while the records are decoded on
        // the calling one, which has the larger share (by `perf` at a million records,
        // about 26% of the samples cutting and 47% decoding). Batches of records go
        // in order, and a reading error follows the records before it, so the first
        // error reported is the one a reader of one record at a time would meet.
        std::thread::scope(|scope| {
            let (full, filled) = std::sync::mpsc::sync_channel(BATCHES_AHEAD);
            let (empty, emptied) = std::sync::mpsc::channel::<Vec<csv::ByteRecord>>();
            scope.spawn(move || {
                loop {
                    // A batch back from the decoder keeps its records' buffers.
                    let mut batch = emptied.try_recv().unwrap_or_default();
                    batch.resize_with(BATCH_RECORDS, csv::ByteRecord::new);
                    let mut count = 0;
                    let mut failed = None;
                    while count < BATCH_RECORDS {
                        match reader.read_byte_record(&mut batch[count]) {
                            Ok(true) => count += 1,
                            Ok(false) => break,
                            Err(e) => {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    batch.truncate(count);
                    let last = count < BATCH_RECORDS || failed.is_some();
                    // A closed channel means the decoder stopped at an error of its own.
                    if count > 0 && full.send(Ok(batch)).is_err() {
                        return;
                    }
                    if let Some(e) = failed {
                        let _ = full.send(Err(e));
                    }
                    if last {
                        return;
                    }
                }
            });
            for batch in filled {
                let batch: Vec<csv::ByteRecord> = batch.map_err(csv_error)?;
                for record in &batch {
                    read.record(record)?;
                }
                // The reader may have finished: a batch it will not reuse is dropped.
                let _ = empty.send(batch);
            }
            Ok(())
        })?;
        Ok(read.finish())
    }
}

/// A response file part-read: its layout and the columns so far.
struct Reading<'a> {
    file: &'a str,
    specs: Vec<Variable>,
    header_len: usize,
    record_index: [usize; RECORD_COLUMNS.len()],
    /// Each of the instrument's columns in the file: its position, variable and check.
    layout: Vec<(usize, usize, Check)>,
    site_index: HashMap<&'a str, usize>,
    responses: Responses,
    values: Vec<ValueColumn>,
    /// The coded and numeric cells of the last records read, record by record
    /// ([`PENDING_RECORDS`] at most), moved to `values` a block at a time: writing each
    /// record's cells straight into a hundred and more columns touches as many pages per
    /// record, and the processor spent most of the read waiting on those writes.
    pending: Vec<i32>,
    /// Each of `layout`'s slots' place among the coded and numeric ones.
    value_slot: Vec<usize>,
    value_columns: usize,
    texts: Vec<TextColumn>,
    row: usize,
}

/// How many records' coded and numeric cells wait in [`Reading::pending`]: a block of
/// about 150 KB for the SKAFADA instrument, which stays in the processor's cache.
const PENDING_RECORDS: usize = 256;

impl<'a> Reading<'a> {
    fn new(
        header: &[String],
        file: &'a str,
        instrument: &Instrument,
        sites: &'a [Site],
        lines: usize,
    ) -> Result<Reading<'a>, DataError> {
        let index = |name: &str| -> Result<usize, DataError> {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| DataError::MissingColumn {
                    file: file.to_owned(),
                    column: name.to_owned(),
                })
        };
        let mut record_index = [0; RECORD_COLUMNS.len()];
        for (at, name) in record_index.iter_mut().zip(RECORD_COLUMNS) {
            *at = index(name)?;
        }
        let specs = variables(instrument);
        let by_id: HashMap<&str, usize> = specs
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.as_str(), i))
            .collect();
        let mut layout = Vec::new();
        for (position, name) in header.iter().enumerate() {
            if name == COMPUTED_FROM && !by_id.contains_key(name.as_str()) {
                // The analysis cleans and derives again from the answers.
                break;
            }
            if RECORD_COLUMNS.contains(&name.as_str()) {
                continue;
            }
            match by_id.get(name.as_str()) {
                Some(&variable) => {
                    layout.push((position, variable, Check::of(&specs[variable].kind)))
                }
                None => {
                    return Err(DataError::UnknownColumn {
                        file: file.to_owned(),
                        column: name.clone(),
                        instrument: instrument.id.clone(),
                    });
                }
            }
        }
        let site_index = sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.site.as_str(), i))
            .collect();
        let is_text = |check: &Check| matches!(check, Check::Text);
        let values = layout
            .iter()
            .map(|(_, _, check)| {
                if is_text(check) {
                    ValueColumn::new()
                } else {
                    ValueColumn::with_capacity(lines)
                }
            })
            .collect();
        // Texts take room only where present: nothing is reserved for them.
        let texts = layout.iter().map(|_| TextColumn::default()).collect();
        let mut value_columns = 0;
        let value_slot = layout
            .iter()
            .map(|(_, _, check)| {
                let slot = value_columns;
                if !is_text(check) {
                    value_columns += 1;
                }
                slot
            })
            .collect();
        Ok(Reading {
            pending: Vec::with_capacity(PENDING_RECORDS * value_columns),
            value_slot,
            value_columns,
            file,
            specs,
            header_len: header.len(),
            record_index,
            layout,
            site_index,
            responses: Responses::with_capacity(lines),
            values,
            texts,
            row: 0,
        })
    }

    fn bad(&self, column: &str, message: String) -> DataError {
        DataError::BadValue {
            file: self.file.to_owned(),
            row: self.row,
            column: column.to_owned(),
            message,
        }
    }

    /// A cell as text, as it was before `to_csv` neutralised it.
    fn text<'r>(
        &self,
        record: &'r csv::ByteRecord,
        at: usize,
        column: &str,
    ) -> Result<Cow<'r, str>, DataError> {
        let bytes = record.get(at).unwrap_or_default();
        let text = std::str::from_utf8(bytes)
            .map_err(|_| self.bad(column, "is not valid UTF-8 text".to_owned()))?;
        Ok(restore(text))
    }

    fn record(&mut self, record: &csv::ByteRecord) -> Result<(), DataError> {
        self.row += 1;
        if record.len() != self.header_len {
            return Err(DataError::Csv {
                file: self.file.to_owned(),
                message: format!(
                    "record {} has {} fields, but the header has {}",
                    self.row,
                    record.len(),
                    self.header_len
                ),
            });
        }
        let [response, respondent, site, status, returning, started_on] = self.record_index;
        let response_id = self.text(record, response, "response_id")?.into_owned();
        let respondent_id = self.text(record, respondent, "respondent_id")?.into_owned();
        let site = self.text(record, site, "site")?;
        let site = *self
            .site_index
            .get(site.as_ref())
            .ok_or_else(|| self.bad("site", format!("site `{site}` is not in sites.csv")))?;
        let status = self.text(record, status, "status")?;
        let status = Status::parse(&status).ok_or_else(|| {
            self.bad(
                "status",
                format!("`{status}` is not one of started, consented, submitted, ended"),
            )
        })?;
        let returning = match self.text(record, returning, "returning")?.as_ref() {
            "1" => true,
            "0" | "" => false,
            other => return Err(self.bad("returning", format!("`{other}` is not 0 or 1"))),
        };
        let started_on = self.text(record, started_on, "started_on")?.into_owned();
        for (slot, (position, variable, check)) in self.layout.iter().enumerate() {
            let cell = record.get(*position).unwrap_or_default();
            if let Check::Text = check {
                let text = self.cell_text(cell, *variable)?;
                self.texts[slot].push((!text.is_empty()).then_some(&*text));
                continue;
            }
            let value = match plain_digits(cell) {
                _ if cell.is_empty() => MISSING,
                Some(number) if check.allows(number) => number,
                _ => self.number(cell, *variable, check)?,
            };
            self.pending.push(value);
        }
        if self.pending.len() == PENDING_RECORDS * self.value_columns {
            self.move_pending();
        }
        let responses = &mut self.responses;
        responses.response_id.push(response_id);
        responses.respondent_id.push(respondent_id);
        responses.site.push(site);
        responses.status.push(status);
        responses.returning.push(returning);
        responses.started_on.push(started_on);
        Ok(())
    }

    /// A text cell, trimmed before the quote is removed: an answer that begins with a tab
    /// or carriage return keeps it.
    fn cell_text<'r>(&self, cell: &'r [u8], variable: usize) -> Result<Cow<'r, str>, DataError> {
        let id = &self.specs[variable].id;
        let text = std::str::from_utf8(cell)
            .map_err(|_| self.bad(id, "is not valid UTF-8 text".to_owned()))?;
        Ok(restore(text.trim()))
    }

    /// A coded or numeric cell that is not plain digits of an allowed value, read as
    /// text: empty after trimming, a whole number the variable allows, or an error.
    fn number(&self, cell: &[u8], variable: usize, check: &Check) -> Result<i32, DataError> {
        let id = &self.specs[variable].id;
        let Ok(text) = std::str::from_utf8(cell) else {
            let shown = String::from_utf8_lossy(cell);
            return Err(self.bad(id, format!("`{shown}` is not a whole number")));
        };
        let raw = restore(text.trim());
        if raw.is_empty() {
            return Ok(MISSING);
        }
        let number: i32 = raw
            .parse()
            .map_err(|_| self.bad(id, format!("`{raw}` is not a whole number")))?;
        if !check.allows(number) {
            return Err(self.bad(id, format!("{number} is not a code of this question")));
        }
        Ok(number)
    }

    /// Moves the pending records' cells to their columns, a column at a time.
    fn move_pending(&mut self) {
        // Non-empty only when some column is coded or numeric.
        let stride = self.value_columns.max(1);
        if !self.pending.is_empty() {
            let slots = self.layout.iter().zip(&self.value_slot).enumerate();
            for (slot, ((_, _, check), &first)) in slots {
                if !matches!(check, Check::Text) {
                    let cells = self.pending.iter().skip(first).step_by(stride);
                    self.values[slot].extend(cells.copied());
                }
            }
        }
        self.pending.clear();
    }

    fn finish(mut self) -> Responses {
        self.move_pending();
        let rows = self.row;
        let mut responses = self.responses;
        for (slot, (_, variable, check)) in self.layout.iter().enumerate() {
            let column = match check {
                Check::Text => Column::Text(std::mem::take(&mut self.texts[slot])),
                _ => Column::Values(std::mem::take(&mut self.values[slot])),
            };
            responses.set(self.specs[*variable].id.clone(), column);
        }
        // Variables the file does not carry are all missing, so tables still list them.
        for variable in &self.specs {
            if !responses.has(&variable.id) {
                let column = match variable.kind {
                    VariableKind::Text => Column::Text(TextColumn::empty(rows)),
                    _ => Column::Values(ValueColumn::missing(rows)),
                };
                responses.set(variable.id.clone(), column);
            }
        }
        responses
    }
}
