//! Qualtrics' SPSS export (`.sav`) read into the same [`Table`] of text cells as its CSV
//! export with "Use numeric values".
//!
//! The bytes are read in three steps, so that no file, however damaged, crashes the
//! process:
//!
//! 1. [`check_sav`], a bounds-checked pre-scan of the file's dictionary (the layout of
//!    PSPP's "System File Format" documentation): the 176-byte header, then records of
//!    type 2 (variable), 3 and 4 (value labels), 6 (document), 7 (extension) up to the
//!    terminator (999). Every length is read with checked arithmetic and must lie inside
//!    the file; the case count must fit in the bytes that follow the dictionary. A file
//!    that fails is refused with a plain message ([`ImportError::Export`]). This is what
//!    makes the next step safe: the SPSS reader (`ambers`) allocates by the lengths a file
//!    declares, and an allocation larger than the machine's memory aborts the process,
//!    which no `catch_unwind` can stop.
//! 2. `ambers` reads the checked bytes, on a thread of its own named
//!    `skafada-sav-reader`, inside [`std::panic::catch_unwind`]: defence in depth, should
//!    it panic on a file the pre-scan let through. A panic hook, installed once, stays
//!    silent for panics on that thread and, while a read runs, on rayon's worker threads
//!    (to which `ambers` hands the columns of long or wide files, and whose panics rayon
//!    carries back to the reader's thread), and passes every other panic to the hook
//!    that was there before; a caught panic becomes [`ImportError::Unreadable`]. The tests
//!    assert that the pre-scan, not this catch, refuses every mutated file they try.
//! 3. Its columns become text cells as Qualtrics' CSV with numeric values writes them.

use std::panic::UnwindSafe;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::{
    Array, Date32Array, DurationMicrosecondArray, Float64Array, StringArray, StringViewArray,
    TimestampMicrosecondArray,
};
use arrow::record_batch::RecordBatch;

use crate::ImportError;
use crate::table::{Column, FileFormat, Row, Table};

/// The name of the thread that runs the SPSS reader; panics on it are caught and silent.
pub const READER_THREAD: &str = "skafada-sav-reader";

/// The size of an SPSS file's header.
const HEADER_LEN: usize = 176;

/// The most case data (values times 8 bytes) the importer reads: a thousand times a
/// large Qualtrics export (thousands of responses to a few hundred questions), and a
/// bound on what the reader allocates however much a compressed file declares.
const MAX_CASE_DATA: usize = 1 << 30;

/// The largest zlib block the pre-scan accepts (SPSS writes blocks of about 4 MB).
const MAX_ZLIB_BLOCK: usize = 64 << 20;

/// The most a deflate stream can expand its input (about 1032 to 1), with some slack.
const MAX_DEFLATE_RATIO: usize = 1040;

/// Whether the bytes start as an SPSS system file does (`$FL2`, or `$FL3` for `.zsav`),
/// whatever the file's name.
pub fn is_sav(bytes: &[u8]) -> bool {
    bytes.starts_with(b"$FL2") || bytes.starts_with(b"$FL3")
}

/// Checks the structure of an SPSS file without reading its cases: the pre-scan that
/// [`Table::from_sav`] runs before handing the bytes to the SPSS reader. A damaged or
/// truncated file is refused with [`ImportError::Export`], saying what is wrong and
/// where (the byte offset).
pub fn check_sav(bytes: &[u8], file: &str) -> Result<(), ImportError> {
    prescan(bytes)
        .map(|_| ())
        .map_err(|message| damaged(file, &message))
}

fn damaged(file: &str, message: &str) -> ImportError {
    ImportError::Export {
        file: file.to_owned(),
        message: format!(
            "{message}; the SPSS file is damaged or incomplete: export it from Qualtrics again"
        ),
    }
}

impl Table {
    /// Reads a Qualtrics SPSS export (`.sav`, or `.zsav`): its variables become columns
    /// (named as in SPSS, with no import id) and its cases rows, whose cells are the text
    /// Qualtrics' CSV export with "Use numeric values" holds: whole numbers without a
    /// decimal point, other numbers in their shortest decimal form, an empty cell for a
    /// system-missing value, strings without their trailing spaces, and dates and times
    /// as `2023-05-15 09:30:00`. A [`Row`]'s `line` is the case number (1-based), so the
    /// errors of the import name the case (`export.sav:3:12` is case 3, column 12).
    ///
    /// The file is checked before it is read ([`check_sav`]); a damaged file is refused,
    /// never a crash (see the module documentation).
    pub fn from_sav(bytes: &[u8], file: &str) -> Result<Table, ImportError> {
        let layout = prescan(bytes).map_err(|message| damaged(file, &message))?;
        let (batch, _metadata) = match read_guarded(bytes) {
            Ok(Ok(read)) => read,
            Ok(Err(error)) => {
                return Err(ImportError::Export {
                    file: file.to_owned(),
                    message: format!(
                        "the file could not be read as an SPSS file ({error}); it may be damaged: export it from Qualtrics again"
                    ),
                });
            }
            Err(Caught::Panic) => {
                return Err(ImportError::Unreadable {
                    file: file.to_owned(),
                });
            }
            Err(Caught::Thread(error)) => {
                return Err(ImportError::Export {
                    file: file.to_owned(),
                    message: format!("the SPSS reader could not be started: {error}"),
                });
            }
        };
        if batch.num_rows() != layout.cases {
            return Err(damaged(
                file,
                &format!(
                    "the header says the file holds {} cases but {} could be read",
                    layout.cases,
                    batch.num_rows()
                ),
            ));
        }
        table_of(&batch, file)
    }
}

/// What the pre-scan learnt of a file.
#[derive(Debug)]
struct Layout {
    /// The number of cases the header declares.
    cases: usize,
}

/// Why the SPSS reader did not return.
enum Caught {
    /// It panicked (caught by `catch_unwind`).
    Panic,
    /// Its thread could not be started.
    Thread(std::io::Error),
}

type Read = Result<(RecordBatch, ambers::SpssMetadata), ambers::error::SpssError>;

static SILENCE: Once = Once::new();

/// How many guarded reads are running (see [`silence_reader_panics`]).
static READING: AtomicUsize = AtomicUsize::new(0);

/// Installs, once, a panic hook that is silent for panics on the reader's thread and
/// passes every other panic to the hook installed before it. `ambers` hands the columns
/// of a long (10,000 cases or more) or wide file to rayon's worker threads, whose panics
/// rayon carries back to the reader's thread (where `catch_unwind` catches them); the
/// hook runs on the worker, so it is also silent for a rayon worker while a read runs.
fn silence_reader_panics() {
    SILENCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let reader = std::thread::current().name() == Some(READER_THREAD)
                || (READING.load(Ordering::SeqCst) > 0 && rayon::current_thread_index().is_some());
            if !reader {
                previous(info);
            }
        }));
    });
}

/// Runs `ambers` on its own thread inside `catch_unwind`.
fn read_guarded(bytes: &[u8]) -> Result<Read, Caught> {
    guarded(|| ambers::read_sav_from_reader(std::io::Cursor::new(bytes)))
}

/// Runs `read` on a thread named [`READER_THREAD`] inside `catch_unwind`, with the
/// panic hook silent for it.
fn guarded<T: Send>(read: impl FnOnce() -> T + Send + UnwindSafe) -> Result<T, Caught> {
    silence_reader_panics();
    READING.fetch_add(1, Ordering::SeqCst);
    let outcome = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name(READER_THREAD.to_owned())
            .spawn_scoped(scope, || std::panic::catch_unwind(read))
            .map_err(Caught::Thread)?;
        match handle.join() {
            Ok(Ok(read)) => Ok(read),
            Ok(Err(_)) | Err(_) => Err(Caught::Panic),
        }
    });
    READING.fetch_sub(1, Ordering::SeqCst);
    outcome
}

/// The columns of a batch as a table of text cells.
fn table_of(batch: &RecordBatch, file: &str) -> Result<Table, ImportError> {
    let schema = batch.schema();
    let rows = batch.num_rows();
    let mut cells: Vec<Vec<String>> = vec![Vec::with_capacity(batch.num_columns()); rows];
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        let text = column_text(array.as_ref()).ok_or_else(|| ImportError::Export {
            file: file.to_owned(),
            message: format!(
                "variable `{}` has a type the importer does not read ({})",
                field.name(),
                field.data_type()
            ),
        })?;
        for (row, cell) in cells.iter_mut().zip(text) {
            row.push(cell);
        }
        columns.push(Column {
            name: field.name().trim().to_owned(),
            import_id: None,
        });
    }
    Ok(Table {
        file: file.to_owned(),
        format: FileFormat::Sav,
        columns,
        rows: cells
            .into_iter()
            .enumerate()
            .map(|(case, cells)| Row {
                line: case as u64 + 1,
                cells,
            })
            .collect(),
    })
}

/// The cells of one column, or `None` for a type SPSS files do not give.
fn column_text(array: &dyn Array) -> Option<Vec<String>> {
    let any = array.as_any();
    let each = |f: &dyn Fn(usize) -> String| -> Vec<String> {
        (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    String::new()
                } else {
                    f(i)
                }
            })
            .collect()
    };
    if let Some(numbers) = any.downcast_ref::<Float64Array>() {
        return Some(each(&|i| number(numbers.value(i))));
    }
    if let Some(strings) = any.downcast_ref::<StringViewArray>() {
        return Some(each(&|i| strings.value(i).trim_end_matches(' ').to_owned()));
    }
    if let Some(strings) = any.downcast_ref::<StringArray>() {
        return Some(each(&|i| strings.value(i).trim_end_matches(' ').to_owned()));
    }
    // Arrow's own calendar (chrono's) turns the stored numbers into dates; one outside
    // chrono's range leaves the cell empty rather than inventing a date.
    if let Some(times) = any.downcast_ref::<TimestampMicrosecondArray>() {
        return Some(each(&|i| {
            times
                .value_as_datetime(i)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default()
        }));
    }
    if let Some(dates) = any.downcast_ref::<Date32Array>() {
        return Some(each(&|i| {
            dates
                .value_as_date(i)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        }));
    }
    if let Some(durations) = any.downcast_ref::<DurationMicrosecondArray>() {
        // A TIME or DTIME variable: its seconds, as the number SPSS stores.
        return Some(each(&|i| number(durations.value(i) as f64 / 1e6)));
    }
    None
}

/// A number as Qualtrics' CSV writes it: `1`, not `1.0`; otherwise the shortest decimal
/// that reads back as the same value.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A bounds-checked reader of the file's bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Cursor<'a> {
    /// The next `n` bytes, or why they are not there.
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "{what} at byte {} needs {n} bytes, but the file ends at byte {}",
                    self.pos,
                    self.bytes.len()
                )
            })?;
        let taken = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| format!("{what} at byte {} lies outside the file", self.pos))?;
        self.pos = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let bytes = self.take(N, what)?;
        bytes
            .try_into()
            .map_err(|_| format!("{what} at byte {} is cut short", self.pos))
    }

    fn i32(&mut self, what: &str) -> Result<i32, String> {
        let bytes = self.array::<4>(what)?;
        Ok(if self.big_endian {
            i32::from_be_bytes(bytes)
        } else {
            i32::from_le_bytes(bytes)
        })
    }

    fn i64(&mut self, what: &str) -> Result<i64, String> {
        let bytes = self.array::<8>(what)?;
        Ok(if self.big_endian {
            i64::from_be_bytes(bytes)
        } else {
            i64::from_le_bytes(bytes)
        })
    }

    /// A length or count that must not be negative.
    fn length(&mut self, what: &str) -> Result<usize, String> {
        let at = self.pos;
        let value = self.i32(what)?;
        usize::try_from(value).map_err(|_| format!("{what} at byte {at} is negative ({value})"))
    }
}

/// `a * b`, or a message saying the product overflows.
fn times(a: usize, b: usize, what: &str, at: usize) -> Result<usize, String> {
    a.checked_mul(b).ok_or_else(|| {
        format!("{what} at byte {at} declares {b} items of {a} bytes, more than any file holds")
    })
}

/// The structural pre-scan: see [`check_sav`].
fn prescan(bytes: &[u8]) -> Result<Layout, String> {
    let len = bytes.len();
    if !is_sav(bytes) {
        return Err(
            "the file does not start with `$FL2` or `$FL3`, as an SPSS file does".to_owned(),
        );
    }
    if len < HEADER_LEN {
        return Err(format!(
            "the file is {len} bytes long, shorter than an SPSS file's {HEADER_LEN}-byte header"
        ));
    }
    let zsav = bytes.starts_with(b"$FL3");
    let layout: [u8; 4] = bytes
        .get(64..68)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "the header is cut short".to_owned())?;
    let big_endian = match (i32::from_le_bytes(layout), i32::from_be_bytes(layout)) {
        (2 | 3, _) => false,
        (_, 2 | 3) => true,
        (code, _) => {
            return Err(format!(
                "the header's layout code ({code}) is neither 2 nor 3, so its byte order cannot be told"
            ));
        }
    };
    let mut c = Cursor {
        bytes,
        pos: 68,
        big_endian,
    };
    let nominal_case_size = c.i32("the nominal case size")?;
    let compression = c.i32("the compression code")?;
    c.i32("the weight index")?;
    let cases = c.i32("the case count")?;
    c.take(HEADER_LEN - c.pos, "the header")?;
    match (compression, zsav) {
        (0 | 1, false) | (2, true) => {}
        (2, false) => {
            return Err(
                "the header declares zlib compression (2) but the file starts with `$FL2`, not `$FL3`"
                    .to_owned(),
            );
        }
        (0 | 1, true) => {
            return Err(format!(
                "the file starts with `$FL3` (zlib compression) but the header declares compression {compression}"
            ));
        }
        (code, _) => {
            return Err(format!(
                "the header's compression code ({code}) is not 0, 1 or 2"
            ));
        }
    }
    let cases = usize::try_from(cases)
        .map_err(|_| format!("the header does not give the number of cases (it says {cases})"))?;

    // The dictionary.
    let mut slots: usize = 0;
    let mut variables: usize = 0;
    let mut continuations_due: usize = 0;
    loop {
        let at = c.pos;
        if at.checked_add(4).is_none_or(|end| end > len) {
            return Err(
                "the dictionary has no terminator record (type 999) before the end of the file"
                    .to_owned(),
            );
        }
        let kind = c.i32("a record type")?;
        match kind {
            2 => {
                let width = c.i32("a variable record")?;
                let has_label = c.i32("a variable record")?;
                let missing = c.i32("a variable record")?;
                c.take(16, "a variable record")?;
                match width {
                    -1 => {
                        continuations_due = continuations_due.checked_sub(1).ok_or_else(|| {
                            format!(
                                "the string continuation record at byte {at} follows no string variable"
                            )
                        })?;
                    }
                    0..=255 => {
                        if continuations_due > 0 {
                            return Err(format!(
                                "the variable record at byte {at} comes where {continuations_due} more continuation records of a string variable were due"
                            ));
                        }
                        let width = usize::try_from(width).unwrap_or_default();
                        continuations_due = width.div_ceil(8).saturating_sub(1);
                        variables += 1;
                    }
                    other => {
                        return Err(format!(
                            "the variable record at byte {at} has type {other}, which is neither 0 (a number), 1 to 255 (a string's width) nor -1 (a string's continuation)"
                        ));
                    }
                }
                slots = slots
                    .checked_add(1)
                    .ok_or_else(|| "the dictionary has too many variables".to_owned())?;
                match has_label {
                    0 => {}
                    1 => {
                        let label_at = c.pos;
                        let label = c.length("a variable label's length")?;
                        let padded = label.checked_add(3).map(|n| n / 4 * 4).ok_or_else(|| {
                            format!("the variable label at byte {label_at} is too long")
                        })?;
                        c.take(padded, "a variable label")?;
                    }
                    other => {
                        return Err(format!(
                            "the variable record at byte {at} says {other} where 0 or 1 (whether it has a label) belongs"
                        ));
                    }
                }
                if !(-3..=3).contains(&missing) || (width > 0 && missing < 0) {
                    return Err(format!(
                        "the variable record at byte {at} declares {missing} missing values, which SPSS does not allow"
                    ));
                }
                c.take(
                    usize::try_from(missing.unsigned_abs()).unwrap_or(usize::MAX) * 8,
                    "a variable's missing values",
                )?;
            }
            3 => {
                let count = c.length("a value label count")?;
                for _ in 0..count {
                    c.take(8, "a labelled value")?;
                    let label = c.array::<1>("a value label")?[0];
                    // The length byte and the label are padded to a multiple of 8.
                    let padded = (usize::from(label) + 1).div_ceil(8) * 8 - 1;
                    c.take(padded, "a value label")?;
                }
                let next_at = c.pos;
                let next = c.i32("the record after value labels")?;
                if next != 4 {
                    return Err(format!(
                        "value labels are followed by a record of type {next} at byte {next_at}, not by the type 4 record naming their variables"
                    ));
                }
                let vars_at = c.pos;
                let count = c.length("the number of labelled variables")?;
                if count == 0 {
                    return Err(format!(
                        "the type 4 record at byte {next_at} names no variables"
                    ));
                }
                let indices = c.take(
                    times(4, count, "the type 4 record", vars_at)?,
                    "the variables of value labels",
                )?;
                for index in indices.chunks_exact(4) {
                    let index: [u8; 4] = index.try_into().unwrap_or_default();
                    let index = if big_endian {
                        i32::from_be_bytes(index)
                    } else {
                        i32::from_le_bytes(index)
                    };
                    if usize::try_from(index).map_or(true, |i| i == 0 || i > slots) {
                        return Err(format!(
                            "value labels at byte {next_at} refer to variable {index}, but the dictionary has {slots} before them"
                        ));
                    }
                }
            }
            4 => {
                return Err(format!(
                    "the type 4 record at byte {at} (the variables of value labels) has no value labels before it"
                ));
            }
            6 => {
                let lines = c.length("a document's line count")?;
                c.take(times(80, lines, "the document", at)?, "a document")?;
            }
            7 => {
                let subtype = c.i32("an extension record")?;
                let size = c.length("an extension record's item size")?;
                let count = c.length("an extension record's item count")?;
                let what = format!("the extension record (type 7, subtype {subtype})");
                let total = times(size, count, &what, at)?;
                let data = c.take(total, &what)?;
                let fixed = |want_size: usize, want_count: usize| {
                    if size == want_size && count == want_count {
                        Ok(())
                    } else {
                        Err(format!(
                            "{what} at byte {at} declares {count} items of {size} bytes where SPSS writes {want_count} of {want_size}"
                        ))
                    }
                };
                match subtype {
                    3 => fixed(4, 8)?,
                    4 => fixed(8, 3)?,
                    11 if size != 4 || !(count % 3 == 0 || count % 2 == 0) => {
                        return Err(format!(
                            "{what} at byte {at} declares {count} items of {size} bytes, which is not a list of variables' display settings"
                        ));
                    }
                    21 => {
                        long_string_labels(data).map_err(|m| format!("{what} at byte {at}: {m}"))?
                    }
                    22 => {
                        long_string_missing(data)
                            .map_err(|m| format!("{what} at byte {at}: {m}"))?;
                    }
                    _ => {}
                }
            }
            999 => {
                c.i32("the dictionary terminator")?;
                break;
            }
            other => {
                return Err(format!(
                    "the record at byte {at} has type {other}, which is not an SPSS dictionary record (2, 3, 4, 6, 7 or 999)"
                ));
            }
        }
    }
    if continuations_due > 0 {
        return Err(format!(
            "the dictionary ends where {continuations_due} more continuation records of a string variable were due"
        ));
    }
    if variables == 0 {
        return Err("the dictionary defines no variables".to_owned());
    }
    if nominal_case_size != -1 && usize::try_from(nominal_case_size) != Ok(slots) {
        return Err(format!(
            "the header says each case holds {nominal_case_size} values, but the dictionary defines {slots}"
        ));
    }

    // The cases.
    let data_start = c.pos;
    let remaining = len - data_start.min(len);
    let case_bytes = slots
        .checked_mul(8)
        .ok_or_else(|| "the dictionary has too many variables".to_owned())?;
    // Compressed, each case needs at least one command byte for every 8 values, in
    // blocks of 8 command bytes.
    let least_compressed = slots.div_ceil(8) * 8;
    let cases_do_not_fit = |per_case: usize, available: usize| {
        format!(
            "the header says the file holds {cases} cases, each needing at least {per_case} bytes, but only {available} bytes of data follow the dictionary"
        )
    };
    if cases
        .checked_mul(case_bytes)
        .is_none_or(|total| total > MAX_CASE_DATA)
    {
        return Err(format!(
            "the header says the file holds {cases} cases of {slots} values each, more than the importer reads ({} MiB of values)",
            MAX_CASE_DATA >> 20
        ));
    }
    match compression {
        0 => {
            let need = cases
                .checked_mul(case_bytes)
                .filter(|need| *need <= remaining)
                .ok_or_else(|| cases_do_not_fit(case_bytes, remaining))?;
            if need != remaining {
                return Err(format!(
                    "{} bytes follow the last of the {cases} cases the header declares",
                    remaining - need
                ));
            }
        }
        1 => {
            cases
                .checked_mul(least_compressed)
                .filter(|need| *need <= remaining)
                .ok_or_else(|| cases_do_not_fit(least_compressed, remaining))?;
        }
        _ => {
            let uncompressed = zlib_blocks(bytes, data_start)?;
            cases
                .checked_mul(least_compressed)
                .filter(|need| *need <= uncompressed)
                .ok_or_else(|| cases_do_not_fit(least_compressed, uncompressed))?;
        }
    }
    Ok(Layout { cases })
}

/// Checks the zlib header and trailer of a `.zsav` file, and returns the declared size
/// of its uncompressed data.
fn zlib_blocks(bytes: &[u8], data_start: usize) -> Result<usize, String> {
    let len = bytes.len();
    let big_endian = bytes
        .get(64..68)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .is_some_and(|b| !matches!(i32::from_le_bytes(b), 2 | 3));
    let mut c = Cursor {
        bytes,
        pos: data_start,
        big_endian,
    };
    let offset = |value: i64, what: &str| {
        usize::try_from(value)
            .ok()
            .filter(|v| *v <= len)
            .ok_or_else(|| format!("{what} ({value}) lies outside the file ({len} bytes)"))
    };
    let zheader = offset(c.i64("the zlib header")?, "the zlib header's own offset")?;
    let ztrailer = offset(c.i64("the zlib header")?, "the zlib trailer's offset")?;
    let ztrailer_len = offset(c.i64("the zlib header")?, "the zlib trailer's length")?;
    let blocks_start = c.pos;
    if zheader != data_start {
        return Err(format!(
            "the zlib header at byte {data_start} gives its own offset as {zheader}"
        ));
    }
    if ztrailer < blocks_start
        || ztrailer
            .checked_add(ztrailer_len)
            .is_none_or(|end| end > len)
    {
        return Err(format!(
            "the zlib trailer ({ztrailer_len} bytes at byte {ztrailer}) does not lie between the data and the end of the file ({len} bytes)"
        ));
    }
    let mut t = Cursor {
        bytes,
        pos: ztrailer,
        big_endian,
    };
    // The SPSS reader takes the absolute value of the bias, which overflows for the
    // smallest i64.
    let bias = t.i64("the zlib trailer")?;
    if bias.checked_abs().is_none() {
        return Err(format!(
            "the zlib trailer at byte {ztrailer} gives a compression bias of {bias}"
        ));
    }
    t.i64("the zlib trailer")?;
    let block_size = t.length("the zlib block size")?;
    let n_blocks = t.length("the zlib block count")?;
    if block_size == 0 || block_size > MAX_ZLIB_BLOCK {
        return Err(format!(
            "the zlib trailer's block size ({block_size} bytes) is not plausible"
        ));
    }
    if times(24, n_blocks, "the zlib trailer", ztrailer)?.checked_add(24) != Some(ztrailer_len) {
        return Err(format!(
            "the zlib trailer at byte {ztrailer} lists {n_blocks} blocks but is {ztrailer_len} bytes long"
        ));
    }
    let mut total: usize = 0;
    for _ in 0..n_blocks {
        let entry_at = t.pos;
        t.i64("a zlib block entry")?;
        let compressed_offset = offset(t.i64("a zlib block entry")?, "a zlib block's offset")?;
        let uncompressed = t.length("a zlib block's size")?;
        let compressed = t.length("a zlib block's compressed size")?;
        let inside = compressed_offset >= blocks_start
            && compressed_offset
                .checked_add(compressed)
                .is_some_and(|end| end <= ztrailer);
        if !inside {
            return Err(format!(
                "the zlib block listed at byte {entry_at} ({compressed} bytes at byte {compressed_offset}) does not lie between the zlib header and trailer"
            ));
        }
        let most = compressed
            .saturating_mul(MAX_DEFLATE_RATIO)
            .saturating_add(64)
            .min(block_size);
        if uncompressed > most {
            return Err(format!(
                "the zlib block listed at byte {entry_at} declares {uncompressed} bytes uncompressed, more than its {compressed} compressed bytes or the block size ({block_size}) allow"
            ));
        }
        total = total.saturating_add(uncompressed);
    }
    Ok(total)
}

/// Checks the lengths inside a long string value labels record (subtype 21), read as the
/// SPSS reader reads them (little-endian).
fn long_string_labels(data: &[u8]) -> Result<(), String> {
    let mut c = Cursor {
        bytes: data,
        pos: 0,
        big_endian: false,
    };
    while c.pos < data.len() {
        let name = c.length("a variable name's length")?;
        c.take(name, "a variable name")?;
        c.take(4, "a variable's width")?;
        let count = c.length("a label count")?;
        for _ in 0..count {
            let value = c.length("a value's length")?;
            c.take(value, "a value")?;
            let label = c.length("a label's length")?;
            c.take(label, "a label")?;
        }
    }
    Ok(())
}

/// Checks the lengths inside a long string missing values record (subtype 22).
fn long_string_missing(data: &[u8]) -> Result<(), String> {
    let mut c = Cursor {
        bytes: data,
        pos: 0,
        big_endian: false,
    };
    while c.pos < data.len() {
        let name = c.length("a variable name's length")?;
        c.take(name, "a variable name")?;
        let count = usize::from(c.array::<1>("a missing value count")?[0]);
        let value = c.length("a missing value's length")?;
        c.take(
            times(value, count, "the missing values", c.pos)?,
            "missing values",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_qualtrics_csv_writes_them() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-99.0), "-99");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(53.7632), "53.7632");
        assert_eq!(number(-0.0), "0");
    }

    #[test]
    fn dates_and_times_are_written_as_qualtrics_csv_writes_them() {
        let cells = |array: arrow::array::ArrayRef| column_text(array.as_ref());
        let times = TimestampMicrosecondArray::from(vec![0, 1_684_141_923_000_000, -1]);
        assert_eq!(
            cells(std::sync::Arc::new(times)),
            Some(vec![
                "1970-01-01 00:00:00".to_owned(),
                "2023-05-15 09:12:03".to_owned(),
                "1969-12-31 23:59:59".to_owned()
            ])
        );
        let dates = Date32Array::from(vec![-141_428, 19_492]);
        assert_eq!(
            cells(std::sync::Arc::new(dates)),
            Some(vec!["1582-10-14".to_owned(), "2023-05-15".to_owned()])
        );
    }

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_of_the_reader_or_of_its_rayon_workers_is_caught_as_an_error() {
        assert!(matches!(guarded(|| 7), Ok(7)));
        let on_reader = guarded(|| -> u8 { panic!("a reader bug") });
        assert!(matches!(on_reader, Err(Caught::Panic)));
        let on_worker = guarded(|| {
            use rayon::prelude::*;
            (0..64u32).into_par_iter().for_each(|i| {
                if i == 63 {
                    panic!("a bug in a column");
                }
            });
        });
        assert!(matches!(on_worker, Err(Caught::Panic)));
        assert_eq!(READING.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn bytes_that_are_not_an_spss_file_are_refused_by_the_prescan() {
        assert!(prescan(b"StartDate,EndDate\n").is_err());
        assert!(prescan(b"$FL2 short").is_err_and(|m| m.contains("176-byte header")));
    }
}
