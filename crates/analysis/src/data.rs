//! Response data in memory, and the export format it is read from and written to
//! (`docs/export-format.md`).
//!
//! Responses are held by column: one [`ValueColumn`] per coded or numeric variable
//! (with [`MISSING`] for an empty cell) and one [`TextColumn`] per text variable. The
//! analysis of a million responses then touches only the columns a table needs.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use crate::allowed::{Allowed, plain_digits};
pub use crate::text_column::{TextColumn, TextIter};
pub use crate::value_column::{ValueColumn, Values, ValuesIter};

use crate::formula::{restore, write_record};
pub use crate::read::ResponseFile;
use skafada_instrument::{Instrument, ItemKind, MissingKind, Phase};

/// The value of an empty cell in a coded or numeric column.
pub const MISSING: i32 = i32::MIN;

/// The record columns that precede the variables in every response file.
pub const RECORD_COLUMNS: [&str; 6] = [
    "response_id",
    "respondent_id",
    "site",
    "status",
    "returning",
    "started_on",
];

/// The first of the columns a record-level export (`skafada export`, the admin
/// downloads) adds after the instrument's: the cleaning outcome (`kept`, `exclusion`)
/// and the plan's derived variables. A response file is read up to it: the analysis
/// cleans and derives again from the answers.
pub const COMPUTED_FROM: &str = "kept";

/// Why response data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// The file is a survey tool's raw export (Qualtrics' three header rows), not a
    /// response file: its second and third rows are question text and import ids, and
    /// would be counted as responses.
    #[error(
        "{file} is a raw Qualtrics export (its second and third rows are question text and import ids, not responses); convert it with `skafada import qualtrics --export FILE --mapping MAP.toml --out DIR` (docs/qualtrics-import.md) and analyse that folder"
    )]
    RawQualtrics {
        /// The file name.
        file: String,
    },
    /// A file of an export could not be written.
    #[error("{file} could not be written: {message}")]
    Write {
        /// The file name.
        file: String,
        /// What the writer said.
        message: String,
    },
    /// The CSV text is malformed.
    #[error("{file}: {message}")]
    Csv {
        /// The file name.
        file: String,
        /// What the CSV reader said.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{file}: the header has no `{column}` column")]
    MissingColumn {
        /// The file name.
        file: String,
        /// The column.
        column: String,
    },
    /// A column in the header is not a variable of the instrument.
    #[error("{file}: column `{column}` is not a variable of instrument `{instrument}`")]
    UnknownColumn {
        /// The file name.
        file: String,
        /// The column.
        column: String,
        /// The instrument identifier.
        instrument: String,
    },
    /// A cell holds a value the variable cannot take.
    #[error("{file}: row {row}, column `{column}`: {message}")]
    BadValue {
        /// The file name.
        file: String,
        /// 1-based data row (the header is row 0).
        row: usize,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// The manifest or sites file is malformed.
    #[error("{file}: {message}")]
    Manifest {
        /// The file name.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// What an export folder holds (`manifest.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Manifest {
    /// Always `skafada-export`.
    pub format: String,
    /// Format version, currently 1.
    pub version: u32,
    /// The study's name.
    pub study: String,
    /// True for generated demonstration data.
    #[serde(default)]
    pub synthetic: bool,
    /// Path of the pre-training instrument inside the folder.
    pub pre: String,
    /// Path of the post-training instrument inside the folder, if there are post responses.
    pub post: Option<String>,
    /// The follow-up waves the folder holds, by id, in order: each wave's responses are
    /// in `<id>.csv`, answering the post-training instrument, with the baseline's
    /// `respondent_id` where the response was linked to the respondent's earlier ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<String>,
}

impl Manifest {
    /// Parses `manifest.toml`.
    pub fn parse(text: &str, file: &str) -> Result<Manifest, DataError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| DataError::Manifest {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        if manifest.format != "skafada-export" || manifest.version != 1 {
            return Err(DataError::Manifest {
                file: file.to_owned(),
                message: format!(
                    "this is format `{}` version {}; skafada reads `skafada-export` version 1",
                    manifest.format, manifest.version
                ),
            });
        }
        Ok(manifest)
    }

    /// Writes `manifest.toml`.
    ///
    /// # Errors
    /// [`DataError::Write`] when the manifest cannot be written as TOML.
    pub fn to_toml(&self) -> Result<String, DataError> {
        toml::to_string(self).map_err(|e| DataError::Write {
            file: "manifest.toml".to_owned(),
            message: e.to_string(),
        })
    }
}

/// A site (local authority) of the study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// The code used in response files.
    pub site: String,
    /// The name printed in tables.
    pub name: String,
    /// The region (Table 3).
    pub region: String,
}

/// Parses `sites.csv`.
pub fn parse_sites(text: &str, file: &str) -> Result<Vec<Site>, DataError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut sites = Vec::new();
    for record in reader.deserialize::<Site>() {
        let site = record.map_err(|e| DataError::Csv {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        sites.push(Site {
            site: restore(&site.site).into_owned(),
            name: restore(&site.name).into_owned(),
            region: restore(&site.region).into_owned(),
        });
    }
    Ok(sites)
}

/// Writes `sites.csv`, every cell neutralised against spreadsheet formulas
/// ([`crate::formula`]).
///
/// # Errors
/// [`DataError::Write`] when a record cannot be written.
pub fn sites_csv(sites: &[Site]) -> Result<String, DataError> {
    let file = "sites.csv";
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_record(&mut writer, ["site", "name", "region"]).map_err(written(file))?;
    for site in sites {
        write_record(&mut writer, [&site.site, &site.name, &site.region]).map_err(written(file))?;
    }
    finish(writer, file)
}

/// Turns a CSV writer's error into [`DataError::Write`] for `file`.
fn written(file: &str) -> impl Fn(csv::Error) -> DataError + '_ {
    move |e| DataError::Write {
        file: file.to_owned(),
        message: e.to_string(),
    }
}

/// The text a CSV writer wrote, or why it cannot be had.
fn finish(writer: csv::Writer<Vec<u8>>, file: &str) -> Result<String, DataError> {
    let bytes = writer.into_inner().map_err(|e| DataError::Write {
        file: file.to_owned(),
        message: e.error().to_string(),
    })?;
    // Every cell written is a `&str`, so the bytes are UTF-8.
    String::from_utf8(bytes).map_err(|e| DataError::Write {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

/// The state a response record reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The link was opened; nothing was answered.
    Started,
    /// Consent was given.
    Consented,
    /// The survey was submitted.
    Submitted,
    /// A routing rule closed the survey (for example, not eligible).
    Ended,
}

impl Status {
    pub(crate) fn parse(text: &str) -> Option<Status> {
        match text {
            "started" => Some(Status::Started),
            "consented" => Some(Status::Consented),
            "submitted" => Some(Status::Submitted),
            "ended" => Some(Status::Ended),
            _ => None,
        }
    }

    /// The word used in the export.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Started => "started",
            Status::Consented => "consented",
            Status::Submitted => "submitted",
            Status::Ended => "ended",
        }
    }
}

/// How a variable's cells are stored.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableKind {
    /// A code from a fixed list (single choice, matrix row).
    Code(Vec<u32>),
    /// A multiple-choice option: 1 ticked, 0 not ticked.
    Tick,
    /// A consent statement: 1 agreed.
    Agreed,
    /// A whole number or year.
    Number,
    /// Free text.
    Text,
}

/// One column of a response file, derived from the instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The column name.
    pub id: String,
    /// The item it belongs to.
    pub item: String,
    /// How its cells are stored.
    pub kind: VariableKind,
    /// The question or statement.
    pub text: String,
}

/// The columns an instrument's responses have, in instrument order.
pub fn variables(instrument: &Instrument) -> Vec<Variable> {
    let mut out = Vec::new();
    for item in instrument.items() {
        let codes = |options: &[skafada_instrument::Choice]| {
            options.iter().map(|o| o.code).collect::<Vec<_>>()
        };
        match &item.kind {
            ItemKind::Consent { statements } => {
                for statement in statements {
                    out.push(Variable {
                        id: statement.id.clone(),
                        item: item.id.clone(),
                        kind: VariableKind::Agreed,
                        text: statement.text.clone(),
                    });
                }
            }
            ItemKind::Single { options } => out.push(Variable {
                id: item.id.clone(),
                item: item.id.clone(),
                kind: VariableKind::Code(codes(options)),
                text: item.text.clone(),
            }),
            ItemKind::Multiple { options } => {
                for option in options {
                    out.push(Variable {
                        id: format!("{}.{}", item.id, option.code),
                        item: item.id.clone(),
                        kind: VariableKind::Tick,
                        text: format!("{}: {}", item.text, option.label),
                    });
                }
            }
            ItemKind::Matrix { options, rows, .. } => {
                for row in rows {
                    out.push(Variable {
                        id: row.id.clone(),
                        item: item.id.clone(),
                        kind: VariableKind::Code(codes(options)),
                        text: row.text.clone(),
                    });
                }
            }
            ItemKind::Number { .. } | ItemKind::Year { .. } => out.push(Variable {
                id: item.id.clone(),
                item: item.id.clone(),
                kind: VariableKind::Number,
                text: item.text.clone(),
            }),
            ItemKind::Text { .. } => out.push(Variable {
                id: item.id.clone(),
                item: item.id.clone(),
                kind: VariableKind::Text,
                text: item.text.clone(),
            }),
        }
        if let Some(specify) = &item.specify {
            out.push(Variable {
                id: specify.id.clone(),
                item: item.id.clone(),
                kind: VariableKind::Text,
                text: specify.text.clone(),
            });
        }
    }
    out
}

/// Columns by identifier, as derived variables read and write them: a whole response
/// set, or the records an analysis kept.
pub trait Columns {
    /// The number of records.
    fn len(&self) -> usize;
    /// Whether there are no records.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The coded or numeric column with this identifier.
    fn values(&self, id: &str) -> Option<Values<'_>>;
    /// The coded or numeric column with this identifier, for reading once in order or
    /// by record: it may be read through to a response set's column without a copy.
    fn value_column(&self, id: &str) -> Option<Values<'_>> {
        self.values(id)
    }
    /// The text column with this identifier.
    fn text_column(&self, id: &str) -> Option<Texts<'_>>;
    /// Adds or replaces a column of [`Columns::len`] records.
    fn set(&mut self, id: String, column: Column);
}

impl Columns for Responses {
    fn len(&self) -> usize {
        Responses::len(self)
    }

    fn values(&self, id: &str) -> Option<Values<'_>> {
        Responses::values(self, id)
    }

    fn text_column(&self, id: &str) -> Option<Texts<'_>> {
        Responses::texts(self, id).map(Texts::Owned)
    }

    fn set(&mut self, id: String, column: Column) {
        Responses::set(self, id, column);
    }
}

/// A text column, held or borrowed; `None` where empty.
#[derive(Debug, Clone, Copy)]
pub enum Texts<'a> {
    /// The texts of a response set.
    Owned(&'a TextColumn),
    /// Texts borrowed from a response set.
    Borrowed(&'a [Option<&'a str>]),
}

impl<'a> Texts<'a> {
    /// The text of one record.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Texts::Owned(texts) => texts.get(row),
            Texts::Borrowed(texts) => *texts.get(row)?,
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        match self {
            Texts::Owned(texts) => texts.len(),
            Texts::Borrowed(texts) => texts.len(),
        }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of each record in order.
    pub fn iter(&self) -> impl Iterator<Item = Option<&'a str>> + 'a {
        let (held, borrowed) = match *self {
            Texts::Owned(texts) => (Some(texts.iter()), None),
            Texts::Borrowed(texts) => (None, Some(texts.iter().copied())),
        };
        held.into_iter()
            .flatten()
            .chain(borrowed.into_iter().flatten())
    }
}

/// One column of values.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Codes or numbers, [`MISSING`] where empty.
    Values(ValueColumn),
    /// Free text, `None` where empty.
    Text(TextColumn),
}

/// The responses to one instrument, held by column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Responses {
    /// Random identifier of each record.
    pub response_id: Vec<String>,
    /// Random identifier of each respondent (shared by their pre and post records).
    pub respondent_id: Vec<String>,
    /// Index into the study's sites.
    pub site: Vec<usize>,
    /// The state each record reached.
    pub status: Vec<Status>,
    /// Whether each record was created by a returning respondent.
    pub returning: Vec<bool>,
    /// The date each record was created.
    pub started_on: Vec<String>,
    columns: HashMap<String, Column>,
}

impl Responses {
    /// No records yet, with room for `records` in each record column (the variables'
    /// columns are sized by whoever fills them).
    pub fn with_capacity(records: usize) -> Responses {
        let mut responses = Responses::default();
        responses.response_id.reserve(records);
        responses.respondent_id.reserve(records);
        responses.site.reserve(records);
        responses.status.reserve(records);
        responses.returning.reserve(records);
        responses.started_on.reserve(records);
        responses
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.response_id.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.response_id.is_empty()
    }

    /// The coded or numeric column with this identifier.
    pub fn values(&self, id: &str) -> Option<Values<'_>> {
        match self.columns.get(id) {
            Some(Column::Values(values)) => Some(values.values()),
            _ => None,
        }
    }

    /// The coded or numeric column with this identifier, as held.
    pub fn held_values(&self, id: &str) -> Option<&ValueColumn> {
        match self.columns.get(id) {
            Some(Column::Values(values)) => Some(values),
            _ => None,
        }
    }

    /// The text column with this identifier.
    pub fn texts(&self, id: &str) -> Option<&TextColumn> {
        match self.columns.get(id) {
            Some(Column::Text(texts)) => Some(texts),
            _ => None,
        }
    }

    /// The names of the coded and numeric columns.
    pub fn value_columns(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .filter(|(_, c)| matches!(c, Column::Values(_)))
            .map(|(id, _)| id.as_str())
    }

    /// Whether a column with this identifier exists.
    pub fn has(&self, id: &str) -> bool {
        self.columns.contains_key(id)
    }

    /// Adds or replaces a column. Its length must be [`Responses::len`].
    pub fn set(&mut self, id: impl Into<String>, column: Column) {
        self.columns.insert(id.into(), column);
    }

    /// Keeps only the records for which `keep` is true, in order.
    pub fn filter(&self, keep: &[bool]) -> Responses {
        let kept = keep.iter().filter(|k| **k).count();
        // Sized up front: a collected filter would grow by doubling, copying each column
        // several times over.
        fn pick<T: Clone>(values: &[T], keep: &[bool], kept: usize) -> Vec<T> {
            let mut out = Vec::with_capacity(kept);
            out.extend(
                values
                    .iter()
                    .zip(keep)
                    .filter(|(_, k)| **k)
                    .map(|(v, _)| v.clone()),
            );
            out
        }
        Responses {
            response_id: pick(&self.response_id, keep, kept),
            respondent_id: pick(&self.respondent_id, keep, kept),
            site: pick(&self.site, keep, kept),
            status: pick(&self.status, keep, kept),
            returning: pick(&self.returning, keep, kept),
            started_on: pick(&self.started_on, keep, kept),
            // Columns are independent: they are copied on every core.
            columns: crate::run::parallel_map(
                &self.columns.iter().collect::<Vec<_>>(),
                |(id, column)| {
                    let column = match column {
                        Column::Values(v) => Column::Values(v.filter(keep)),
                        Column::Text(t) => Column::Text(t.filter(keep)),
                    };
                    ((*id).clone(), column)
                },
            )
            .into_iter()
            .collect(),
        }
    }

    /// The column with this identifier.
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.get(id)
    }

    /// The identifiers of all columns.
    pub fn column_ids(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// Reads a response file of `instrument`. Sites are matched by code in `sites`.
    /// A raw Qualtrics export is refused ([`DataError::RawQualtrics`]).
    /// Columns from [`COMPUTED_FROM`] on (an export's cleaning outcome and derived
    /// variables) are not read.
    pub fn from_csv(
        text: &str,
        file: &str,
        instrument: &Instrument,
        sites: &[Site],
    ) -> Result<Responses, DataError> {
        Responses::read_csv(ResponseFile::text(text), file, instrument, sites)
    }

    /// Writes the records as a response file of `instrument`, every cell neutralised
    /// against spreadsheet formulas ([`crate::formula`]; [`Responses::from_csv`] restores
    /// them).
    ///
    /// # Errors
    /// [`DataError::Write`] when a record cannot be written.
    pub fn to_csv(&self, instrument: &Instrument, sites: &[Site]) -> Result<String, DataError> {
        let file = format!("{}.csv", instrument.id);
        let specs = variables(instrument);
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = RECORD_COLUMNS.to_vec();
        header.extend(specs.iter().map(|v| v.id.as_str()));
        write_record(&mut writer, &header).map_err(written(&file))?;
        for row in 0..self.len() {
            // A record whose site is not in the list would be written with no site, and
            // read back as belonging nowhere: refuse it instead.
            let site = sites.get(self.site[row]).ok_or_else(|| DataError::Write {
                file: file.clone(),
                message: format!(
                    "response {} is at site number {}, but only {} listed",
                    self.response_id[row],
                    self.site[row],
                    match sites.len() {
                        1 => "1 site is".to_owned(),
                        n => format!("{n} sites are"),
                    }
                ),
            })?;
            let mut cells: Vec<String> = vec![
                self.response_id[row].clone(),
                self.respondent_id[row].clone(),
                site.site.clone(),
                self.status[row].as_str().to_owned(),
                if self.returning[row] { "1" } else { "0" }.to_owned(),
                self.started_on[row].clone(),
            ];
            for variable in &specs {
                let cell = match self.columns.get(&variable.id) {
                    Some(Column::Values(values)) => match values.get(row) {
                        Some(v) if v != MISSING => v.to_string(),
                        _ => String::new(),
                    },
                    Some(Column::Text(texts)) => texts.get(row).unwrap_or_default().to_owned(),
                    None => String::new(),
                };
                cells.push(cell);
            }
            write_record(&mut writer, &cells).map_err(written(&file))?;
        }
        finish(writer, &file)
    }

    /// Appends one record. `values` maps variable identifiers to cells; absent ones are empty.
    pub fn push(&mut self, record: Record, instrument_variables: &[Variable]) {
        let len = self.len();
        for variable in instrument_variables {
            let entry =
                self.columns
                    .entry(variable.id.clone())
                    .or_insert_with(|| match variable.kind {
                        VariableKind::Text => Column::Text(TextColumn::empty(len)),
                        _ => Column::Values(ValueColumn::missing(len)),
                    });
            match entry {
                Column::Values(values) => {
                    values.push(record.values.get(&variable.id).copied().unwrap_or(MISSING))
                }
                Column::Text(texts) => {
                    texts.push(record.texts.get(&variable.id).map(String::as_str))
                }
            }
        }
        self.response_id.push(record.response_id);
        self.respondent_id.push(record.respondent_id);
        self.site.push(record.site);
        self.status.push(record.status);
        self.returning.push(record.returning);
        self.started_on.push(record.started_on);
    }
}

/// One record to append with [`Responses::push`].
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Random identifier of the record.
    pub response_id: String,
    /// Random identifier of the respondent.
    pub respondent_id: String,
    /// Index into the study's sites.
    pub site: usize,
    /// The state the record reached.
    pub status: Status,
    /// Whether a returning respondent created it.
    pub returning: bool,
    /// The date it was created.
    pub started_on: String,
    /// Coded and numeric answers.
    pub values: HashMap<String, i32>,
    /// Text answers.
    pub texts: HashMap<String, String>,
}

/// Writes `codebook.csv` for the instruments, every cell neutralised against
/// spreadsheet formulas ([`crate::formula`]).
///
/// # Errors
/// [`DataError::Write`] when a record cannot be written.
pub fn codebook_csv(instruments: &[&Instrument]) -> Result<String, DataError> {
    let file = "codebook.csv";
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_record(
        &mut writer,
        [
            "instrument",
            "column",
            "item",
            "type",
            "question",
            "code",
            "label",
            "missing",
        ],
    )
    .map_err(written(file))?;
    for instrument in instruments {
        for variable in variables(instrument) {
            let item = instrument.item(&variable.item);
            let type_name = item.map_or("", |i| i.kind.type_name());
            // Numbers, texts and ticks have no options.
            let options = item.and_then(|i| i.kind.options()).unwrap_or(&[]);
            let base = [
                instrument.id.as_str(),
                variable.id.as_str(),
                variable.item.as_str(),
                type_name,
                variable.text.as_str(),
            ];
            match &variable.kind {
                VariableKind::Code(_) => {
                    for option in options {
                        let missing = option.missing.map_or("", MissingKind::name);
                        let code = option.code.to_string();
                        write_record(
                            &mut writer,
                            base.iter().copied().chain([
                                code.as_str(),
                                option.label.as_str(),
                                missing,
                            ]),
                        )
                        .map_err(written(file))?;
                    }
                }
                VariableKind::Tick => {
                    write_record(&mut writer, base.iter().copied().chain(["1", "Ticked", ""]))
                        .map_err(written(file))?;
                    write_record(
                        &mut writer,
                        base.iter().copied().chain(["0", "Not ticked", ""]),
                    )
                    .map_err(written(file))?;
                }
                VariableKind::Agreed => {
                    write_record(&mut writer, base.iter().copied().chain(["1", "Agreed", ""]))
                        .map_err(written(file))?;
                }
                VariableKind::Number | VariableKind::Text => {
                    write_record(&mut writer, base.iter().copied().chain(["", "", ""]))
                        .map_err(written(file))?;
                }
            }
        }
    }
    finish(writer, file)
}

/// The text of every file of an export folder, read by the caller.
#[derive(Debug, Clone, Default)]
pub struct ExportFiles {
    /// `manifest.toml`.
    pub manifest: String,
    /// `sites.csv`.
    pub sites: String,
    /// The pre-training instrument named by the manifest.
    pub pre_instrument: String,
    /// The post-training instrument named by the manifest, if any.
    pub post_instrument: Option<String>,
    /// `pre.csv`.
    pub pre: String,
    /// `post.csv`, if any.
    pub post: Option<String>,
    /// Each follow-up wave the manifest names, by id, with its `<id>.csv`.
    pub follow_up: Vec<(String, String)>,
    /// `arms.csv`, if the folder has one.
    pub arms: Option<String>,
}

/// A whole study's responses with their instruments and sites.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// What the export says of itself.
    pub manifest: Manifest,
    /// The study's sites.
    pub sites: Vec<Site>,
    /// The pre-training instrument.
    pub pre_instrument: Instrument,
    /// The post-training instrument.
    pub post_instrument: Option<Instrument>,
    /// Pre-training responses.
    pub pre: Responses,
    /// Post-training responses.
    pub post: Option<Responses>,
    /// Each follow-up wave's responses, by id, in the manifest's order; they answer the
    /// post-training instrument.
    pub follow_up: Vec<(String, Responses)>,
    /// The allocation to delivery arms (`arms.csv`); empty when there is none.
    pub arms: Vec<ArmRow>,
}

/// One allocated unit of `arms.csv`: a site (no respondent) or a respondent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmRow {
    /// The site's code.
    pub site: String,
    /// The respondent, when respondents were allocated; empty for a site.
    #[serde(default)]
    pub respondent_id: String,
    /// The place in its stratum's sequence.
    pub position: u64,
    /// The arm's id.
    pub arm: String,
}

/// Parses `arms.csv`.
pub fn parse_arms(text: &str, file: &str) -> Result<Vec<ArmRow>, DataError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize::<ArmRow>()
        .map(|row| {
            row.map(|row| ArmRow {
                site: restore(&row.site).into_owned(),
                respondent_id: restore(&row.respondent_id).into_owned(),
                ..row
            })
            .map_err(|e| DataError::Csv {
                file: file.to_owned(),
                message: e.to_string(),
            })
        })
        .collect()
}

impl Dataset {
    /// The delivery arms by respondent and by site, looked up in constant time.
    pub fn arm_index(&self) -> ArmIndex<'_> {
        let mut index = ArmIndex::default();
        for row in &self.arms {
            if row.respondent_id.is_empty() {
                index.by_site.insert(&row.site, &row.arm);
            } else {
                index.by_respondent.insert(&row.respondent_id, &row.arm);
            }
        }
        index
    }
}

/// Each allocated respondent's and site's delivery arm ([`Dataset::arm_index`]).
#[derive(Debug, Clone, Default)]
pub struct ArmIndex<'a> {
    by_respondent: HashMap<&'a str, &'a str>,
    by_site: HashMap<&'a str, &'a str>,
}

impl ArmIndex<'_> {
    /// A respondent's arm: their own allocation, else their site's; `None` when neither
    /// was allocated.
    pub fn arm(&self, respondent_id: &str, site: &str) -> Option<&str> {
        self.by_respondent
            .get(respondent_id)
            .or_else(|| self.by_site.get(site))
            .copied()
    }
}

/// Why an export folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A data file is malformed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An instrument in the export is invalid.
    #[error(transparent)]
    Instrument(#[from] skafada_instrument::LoadError),
    /// The manifest names a post-training instrument but there is no post.csv, or the reverse.
    #[error("{0}")]
    Inconsistent(String),
}

/// An export folder's manifest, sites and instruments, checked against each other.
type FolderParts = (Manifest, Vec<Site>, Instrument, Option<Instrument>);

/// Reads and checks what every use of an export folder needs: the manifest, the sites,
/// the pre-training instrument and the post-training one if the manifest names it.
fn folder_parts(folder: FolderTexts<'_>) -> Result<FolderParts, DatasetError> {
    let manifest = Manifest::parse(folder.manifest, "manifest.toml")?;
    let sites = parse_sites(folder.sites, "sites.csv")?;
    let pre_instrument = skafada_instrument::load(folder.pre_instrument, &manifest.pre)?;
    if pre_instrument.phase != Phase::Pre {
        return Err(DatasetError::Inconsistent(format!(
            "{} is not a pre-training survey",
            manifest.pre
        )));
    }
    let post_instrument = match (&manifest.post, folder.post_instrument) {
        (Some(name), Some(text)) => {
            Some(skafada_instrument::parse(text, name)?.validate(Some(&pre_instrument))?)
        }
        (None, None) => None,
        _ => {
            return Err(DatasetError::Inconsistent(
                "the manifest and the post-training instrument disagree".into(),
            ));
        }
    };
    Ok((manifest, sites, pre_instrument, post_instrument))
}

/// The small files every use of an export folder reads, as text.
#[derive(Debug, Clone, Copy)]
pub struct FolderTexts<'a> {
    /// `manifest.toml`.
    pub manifest: &'a str,
    /// `sites.csv`.
    pub sites: &'a str,
    /// The pre-training instrument named by the manifest.
    pub pre_instrument: &'a str,
    /// The post-training instrument named by the manifest, if any.
    pub post_instrument: Option<&'a str>,
}

/// What one survey's records need from an export folder: its manifest, sites and
/// instruments, and that survey's file alone, for a command that uses no other survey
/// (an export of one survey does not read, or wait for, the others' files).
#[derive(Debug)]
pub struct SurveyFiles<'a> {
    /// The folder's manifest, sites and instruments.
    pub folder: FolderTexts<'a>,
    /// Which survey.
    pub survey: crate::plan::Data,
    /// Its file: `pre.csv` or `post.csv`.
    pub responses: ResponseFile<'a>,
}

/// One survey of an export folder ([`SurveyData::from_files`]).
#[derive(Debug, Clone)]
pub struct SurveyData {
    /// What the export says of itself.
    pub manifest: Manifest,
    /// The study's sites.
    pub sites: Vec<Site>,
    /// The survey's instrument.
    pub instrument: Instrument,
    /// Its responses.
    pub responses: Responses,
}

impl SurveyData {
    /// Reads one survey from the text of an export's files, with the same checks of the
    /// manifest, sites and instruments as [`Dataset::from_files`].
    ///
    /// # Errors
    /// As [`Dataset::from_files`]; also when the post-training survey is asked for and
    /// the export has no post-training instrument.
    pub fn from_files(files: SurveyFiles<'_>) -> Result<SurveyData, DatasetError> {
        let (manifest, sites, pre_instrument, post_instrument) = folder_parts(files.folder)?;
        let (instrument, file) = match files.survey {
            crate::plan::Data::Pre => (pre_instrument, "pre.csv"),
            crate::plan::Data::Post => (
                post_instrument.ok_or_else(|| {
                    DatasetError::Inconsistent(
                        "the export has no post-training survey: its manifest names no post-training instrument".into(),
                    )
                })?,
                "post.csv",
            ),
        };
        let responses = Responses::read_csv(files.responses, file, &instrument, &sites)?;
        Ok(SurveyData {
            manifest,
            sites,
            instrument,
            responses,
        })
    }
}

/// An export folder's files for [`Dataset::read`]: the small ones as text, the response
/// files as [`ResponseFile`]s, which may be streams.
#[derive(Debug)]
pub struct ExportParts<'a> {
    /// The folder's manifest, sites and instruments.
    pub folder: FolderTexts<'a>,
    /// `pre.csv`.
    pub pre: ResponseFile<'a>,
    /// `post.csv`, if any.
    pub post: Option<ResponseFile<'a>>,
    /// Each follow-up wave the manifest names, by id, with its `<id>.csv`.
    pub follow_up: Vec<(String, ResponseFile<'a>)>,
    /// `arms.csv`, if the folder has one.
    pub arms: Option<&'a str>,
}

impl Dataset {
    /// Builds a dataset from the text of an export's files.
    pub fn from_files(files: &ExportFiles) -> Result<Dataset, DatasetError> {
        Dataset::read(ExportParts {
            folder: FolderTexts {
                manifest: &files.manifest,
                sites: &files.sites,
                pre_instrument: &files.pre_instrument,
                post_instrument: files.post_instrument.as_deref(),
            },
            pre: ResponseFile::text(&files.pre),
            post: files.post.as_deref().map(ResponseFile::text),
            follow_up: files
                .follow_up
                .iter()
                .map(|(wave, text)| (wave.clone(), ResponseFile::text(text)))
                .collect(),
            arms: files.arms.as_deref(),
        })
    }

    /// Builds a dataset from an export's files, with the same checks as
    /// [`Dataset::from_files`], reading the response files as they come.
    pub fn read(files: ExportParts<'_>) -> Result<Dataset, DatasetError> {
        let (manifest, sites, pre_instrument, post_instrument) = folder_parts(files.folder)?;
        if post_instrument.is_none() && files.post.is_some() {
            return Err(DatasetError::Inconsistent(
                "post.csv is present but the manifest names no post instrument".into(),
            ));
        }
        let (pre_file, post_file) = (files.pre, files.post);
        // The two surveys' files are read at the same time, one on each core.
        let (pre, post) = std::thread::scope(|scope| {
            let post = scope.spawn(|| match (&post_instrument, post_file) {
                (Some(instrument), Some(file)) => {
                    Responses::read_csv(file, "post.csv", instrument, &sites).map(Some)
                }
                _ => Ok(None),
            });
            let pre = Responses::read_csv(pre_file, "pre.csv", &pre_instrument, &sites);
            let post = post.join().unwrap_or_else(|_| {
                Err(DataError::Csv {
                    file: "post.csv".to_owned(),
                    message: "reading the file stopped unexpectedly".to_owned(),
                })
            });
            (pre, post)
        });
        let (pre, post) = (pre?, post?);
        let mut waves = files.follow_up;
        let mut follow_up = Vec::new();
        for (at, wave) in manifest.follow_up.iter().enumerate() {
            if manifest.follow_up[..at].contains(wave) {
                return Err(DatasetError::Inconsistent(format!(
                    "the manifest names the follow-up wave `{wave}` twice"
                )));
            }
            let file = format!("{wave}.csv");
            let found = waves.iter().position(|(id, _)| id == wave);
            let (Some(instrument), Some(at)) = (&post_instrument, found) else {
                return Err(DatasetError::Inconsistent(format!(
                    "the manifest names the follow-up wave `{wave}`, but the export has no {file} or no post-training instrument for it to answer"
                )));
            };
            let (_, text) = waves.swap_remove(at);
            follow_up.push((
                wave.clone(),
                Responses::read_csv(text, &file, instrument, &sites)?,
            ));
        }
        let arms = match files.arms {
            Some(text) => parse_arms(text, "arms.csv")?,
            None => Vec::new(),
        };
        Ok(Dataset {
            manifest,
            sites,
            pre_instrument,
            post_instrument,
            pre,
            post,
            follow_up,
            arms,
        })
    }
}

/// Whether a cell is one of the import ids of a raw Qualtrics export's third header row
/// (`{"ImportId":"QID12_1"}`).
pub(crate) fn is_import_id(cell: &str) -> bool {
    cell.trim_start().starts_with("{\"ImportId\"")
}

/// Whether CSV text is a raw Qualtrics export: Qualtrics writes the column names, then a
/// row of question text, then a row of `{"ImportId":...}` cells, before the responses.
/// Those two rows must never be read as responses.
pub fn is_raw_qualtrics(text: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(2)
        .filter_map(Result::ok)
        .any(|record| record.iter().any(is_import_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_qualtrics_export_is_recognised_by_its_import_id_row() {
        let raw = "StartDate,Finished,Q1\n\"Start Date\",\"Finished\",\"How long have you worked here?\"\n\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\"\n2024-05-01,1,2\n";
        assert!(is_raw_qualtrics(raw));
        assert!(!is_raw_qualtrics("record_id,site\nr1,LA01\n"));
        // A free-text answer that happens to mention ImportId further down is not the header.
        assert!(!is_raw_qualtrics(
            "record_id,note\nr1,a\nr2,b\nr3,\"{\"\"ImportId\"\":1}\"\n"
        ));
    }
}
