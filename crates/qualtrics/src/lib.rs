//! Qualtrics exports read into skafada's response export format.
//!
//! A local authority that ran the survey on Qualtrics holds a CSV export with three
//! header rows (column names, question text, import ids), or an SPSS `.sav` export,
//! read after a structural pre-scan that refuses damaged files ([`sav`]). [`import`] reads it through a
//! [`Mapping`] (which Qualtrics column is which instrument variable, where the site and
//! the phase are, how pre- and post-training records pair) into [`Responses`] that
//! `skafada analyse` reads like any other export (`docs/qualtrics-import.md`).
//!
//! Nothing is guessed: a cell that is not a choice of its question, a row of the wrong
//! length or a mapping that names a column the export lacks is refused with the file, the
//! row and the column. Columns the mapping does not use are dropped, and with them every
//! personal column Qualtrics writes (IP address, location, recipient names and e-mail,
//! external reference); the respondent identifiers written are new ones.
//!
//! Architecture invariant: this crate does no I/O. The caller reads the files and
//! passes their text (or, for `.sav`, their bytes).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod mapping;
pub mod sav;
pub mod table;
mod values;
mod write;

use std::collections::{BTreeMap, HashMap};

use skafada_analysis::data::{
    Manifest, Record, Responses, Site, Status, VariableKind, codebook_csv, sites_csv, variables,
};
use skafada_instrument::{Instrument, ItemKind};

pub use mapping::{Mapping, Target, ValueMode};
pub use sav::{check_sav, is_sav};
pub use table::{FileFormat, Table};
pub use write::to_qualtrics_csv;

use values::Slot;

/// The columns Qualtrics writes that identify or locate a person. They are dropped
/// unless the mapping uses one to pair records, whose values are never written.
pub const PERSONAL_COLUMNS: [&str; 7] = [
    "IPAddress",
    "LocationLatitude",
    "LocationLongitude",
    "RecipientEmail",
    "RecipientFirstName",
    "RecipientLastName",
    "ExternalReference",
];

/// Why an export could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The mapping file is malformed or does not fit the instruments or the export.
    #[error("{file}: {message}")]
    Mapping {
        /// The mapping file's name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The export as a whole is not one the importer reads.
    #[error("{file}: {message}")]
    Export {
        /// The export's file name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A row of the export is malformed.
    #[error("{file}:{row}: {message}")]
    Row {
        /// The export's file name.
        file: String,
        /// The line where the row starts (1-based).
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// An SPSS file passed the structural checks but the SPSS reader panicked on it (the
    /// panic was caught: see [`sav`]).
    #[error(
        "{file}: the file could not be read as an SPSS file and may be damaged; export it from Qualtrics again"
    )]
    Unreadable {
        /// The export's file name.
        file: String,
    },
    /// A cell holds a value its column cannot take.
    #[error("{file}:{row}:{column}: {message}")]
    Cell {
        /// The export's file name.
        file: String,
        /// The line where the row starts (1-based).
        row: u64,
        /// The column's position (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// A survey phase of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the training module.
    Pre,
    /// After the training module.
    Post,
}

impl Phase {
    fn word(self) -> &'static str {
        match self {
            Phase::Pre => "pre-training",
            Phase::Post => "post-training",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
}

/// One export to import, as text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file name, for messages.
    pub file: &'a str,
    /// The export read into columns and rows.
    pub table: &'a Table,
    /// The phase of every row, or `None` to read it from the mapping's phase column.
    pub phase: Option<Phase>,
}

/// A column of an export that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The export's file name.
    pub file: String,
    /// The column's name.
    pub column: String,
    /// Whether it is one of Qualtrics' personal columns ([`PERSONAL_COLUMNS`]).
    pub personal: bool,
}

/// A row of an export that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The export's file name.
    pub file: String,
    /// The line where the row starts.
    pub row: u64,
    /// Qualtrics' response type of the row (a survey preview, a test, spam).
    pub reason: String,
}

/// The result of an import: responses in skafada's format and what was left out.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The study's sites.
    pub sites: Vec<Site>,
    /// Pre-training records.
    pub pre: Responses,
    /// Post-training records, when the mapping has a post-training instrument.
    pub post: Option<Responses>,
    /// The columns not imported, personal ones among them.
    pub dropped: Vec<Dropped>,
    /// The rows not imported (previews, tests and spam).
    pub skipped: Vec<Skipped>,
}

/// The text of the files of a response export (the instruments are copied by the caller).
#[derive(Debug, Clone)]
pub struct ExportText {
    /// `manifest.toml`.
    pub manifest: String,
    /// `sites.csv`.
    pub sites: String,
    /// `pre.csv`.
    pub pre: String,
    /// `post.csv`, when there are post-training responses.
    pub post: Option<String>,
    /// `codebook.csv`.
    pub codebook: String,
}

impl Imported {
    /// The names of the columns of `file` dropped: the personal ones, or the others.
    pub fn dropped_columns(&self, file: &str, personal: bool) -> Vec<&str> {
        self.dropped
            .iter()
            .filter(|d| d.file == file && d.personal == personal)
            .map(|d| d.column.as_str())
            .collect()
    }

    /// Writes the import in the response export format (`docs/export-format.md`), with
    /// the writers every skafada export uses. `pre_path` and `post_path` are the
    /// instruments' paths inside the folder.
    ///
    /// # Errors
    /// [`skafada_analysis::data::DataError::Write`] when a file cannot be written.
    pub fn files(
        &self,
        study: &str,
        pre: (&Instrument, &str),
        post: Option<(&Instrument, &str)>,
    ) -> Result<ExportText, skafada_analysis::data::DataError> {
        let manifest = Manifest {
            format: "skafada-export".into(),
            version: 1,
            study: study.to_owned(),
            synthetic: false,
            pre: pre.1.to_owned(),
            post: post.map(|(_, path)| path.to_owned()),
            follow_up: Vec::new(),
        };
        let mut instruments = vec![pre.0];
        instruments.extend(post.map(|(instrument, _)| instrument));
        Ok(ExportText {
            manifest: manifest.to_toml()?,
            sites: sites_csv(&self.sites)?,
            pre: self.pre.to_csv(pre.0, &self.sites)?,
            post: post
                .zip(self.post.as_ref())
                .map(|((instrument, _), responses)| responses.to_csv(instrument, &self.sites))
                .transpose()?,
            codebook: codebook_csv(&instruments)?,
        })
    }
}

/// Imports Qualtrics exports through a mapping. `post` is the post-training instrument
/// the mapping names, if any.
pub fn import(
    mapping: &Mapping,
    mapping_file: &str,
    pre: &Instrument,
    post: Option<&Instrument>,
    sources: &[Source<'_>],
) -> Result<Imported, ImportError> {
    let pre_slots = values::slots(mapping_file, pre, &mapping.pre, Phase::Pre)?;
    let post_slots = match post {
        Some(instrument) => Some(values::slots(
            mapping_file,
            instrument,
            &mapping.post,
            Phase::Post,
        )?),
        None => None,
    };
    let mut builder = Builder {
        mapping,
        pre: Collected::default(),
        post: Collected::default(),
        respondents: HashMap::new(),
        next_respondent: 0,
        dropped: Vec::new(),
        skipped: Vec::new(),
    };
    for source in sources {
        if source.phase.is_none() && mapping.record.phase.is_none() {
            return Err(ImportError::Mapping {
                file: mapping_file.to_owned(),
                message: format!(
                    "{} may hold pre- and post-training rows, but [record] names no phase column",
                    source.file
                ),
            });
        }
        if source.table.format == FileFormat::Sav && mapping.values == ValueMode::Labels {
            return Err(ImportError::Mapping {
                file: mapping_file.to_owned(),
                message: format!(
                    "{} is an SPSS file, whose choice cells hold numeric values: set values = \"codes\" in the mapping (SPSS keeps the choice text only as value labels, cut to 120 bytes, so it is not matched)",
                    source.file
                ),
            });
        }
        if source.phase == Some(Phase::Post) && post_slots.is_none() {
            return Err(ImportError::Mapping {
                file: mapping_file.to_owned(),
                message: "[instruments] names no post-training instrument".into(),
            });
        }
        builder.read(source, mapping_file, &pre_slots, post_slots.as_deref())?;
    }
    let pre_responses = builder.pre.finish(pre);
    let post_responses = post.map(|instrument| builder.post.finish(instrument));
    Ok(Imported {
        sites: mapping.sites.clone(),
        pre: pre_responses,
        post: post_responses,
        dropped: builder.dropped,
        skipped: builder.skipped,
    })
}

/// Records of one phase as they are read, before their status is settled.
#[derive(Debug, Default)]
struct Collected {
    records: Vec<Record>,
    finished: Vec<bool>,
}

impl Collected {
    /// The records as responses; a finished record whose answers close the survey by
    /// an end rule is `ended`, as the live journey records it.
    fn finish(self, instrument: &Instrument) -> Responses {
        let specs = variables(instrument);
        let mut responses = Responses::default();
        for record in self.records {
            responses.push(record, &specs);
        }
        let ended = skafada_analysis::clean::ended_by_routing(instrument, &responses);
        for (row, finished) in self.finished.iter().enumerate() {
            if *finished
                && ended.get(row).copied().unwrap_or(false)
                && let Some(status) = responses.status.get_mut(row)
            {
                *status = Status::Ended;
            }
        }
        responses
    }
}

struct Builder<'m> {
    mapping: &'m Mapping,
    pre: Collected,
    post: Collected,
    /// Pairing values seen, to the new respondent identifier given to them.
    respondents: HashMap<String, String>,
    next_respondent: usize,
    dropped: Vec<Dropped>,
    skipped: Vec<Skipped>,
}

/// The positions of a source's record columns.
struct RecordPositions {
    site: Option<usize>,
    phase: Option<usize>,
    respondent: Option<usize>,
    returning: Option<usize>,
    started_on: usize,
    finished: usize,
    status: Option<usize>,
}

impl Builder<'_> {
    fn read(
        &mut self,
        source: &Source<'_>,
        mapping_file: &str,
        pre_slots: &[Slot],
        post_slots: Option<&[Slot]>,
    ) -> Result<(), ImportError> {
        let table = source.table;
        let record = &self.mapping.record;
        let find = |key: &str| values::find_column(table, key, mapping_file);
        let optional = |key: &Option<String>| key.as_deref().map(find).transpose();
        let positions = RecordPositions {
            site: optional(&record.site)?,
            phase: match source.phase {
                Some(_) => None,
                None => optional(&record.phase)?,
            },
            respondent: optional(&record.respondent)?,
            returning: optional(&record.returning)?,
            started_on: find(&record.started_on)?,
            finished: find(&record.finished)?,
            // Qualtrics always writes Status; a hand-trimmed export without it keeps every row.
            status: values::find_column(table, &record.status, mapping_file).ok(),
        };
        // Each phase's columns; a file with one phase need not carry the other's.
        let bind = |slots: &[Slot], needed: bool| -> Result<Vec<(usize, Slot)>, ImportError> {
            let mut bound = Vec::new();
            for slot in slots {
                match values::find_column(table, &slot.key, mapping_file) {
                    Ok(position) => bound.push((position, slot.clone())),
                    Err(error) if needed => return Err(error),
                    Err(_) => {}
                }
            }
            Ok(bound)
        };
        let pre_bound = bind(pre_slots, source.phase != Some(Phase::Post))?;
        let post_bound = match post_slots {
            Some(slots) => bind(slots, source.phase != Some(Phase::Pre))?,
            None => Vec::new(),
        };
        for (position, _) in pre_bound.iter().chain(&post_bound) {
            if let Some(column) = table.columns.get(*position)
                && is_personal(column)
            {
                return Err(ImportError::Mapping {
                    file: mapping_file.to_owned(),
                    message: format!(
                        "`{}` is a personal column of the Qualtrics export; the mapping may not import it as an answer",
                        column.name
                    ),
                });
            }
        }
        let mut used = vec![false; table.columns.len()];
        for position in [
            positions.site,
            positions.phase,
            positions.respondent,
            positions.returning,
            Some(positions.started_on),
            Some(positions.finished),
            positions.status,
        ]
        .into_iter()
        .flatten()
        .chain(pre_bound.iter().chain(&post_bound).map(|(p, _)| *p))
        {
            if let Some(flag) = used.get_mut(position) {
                *flag = true;
            }
        }
        for (column, used) in table.columns.iter().zip(&used) {
            if !used {
                self.dropped.push(Dropped {
                    file: table.file.clone(),
                    column: column.name.clone(),
                    personal: is_personal(column),
                });
            }
        }
        for row in &table.rows {
            let cell_error = |position: usize, message: String| ImportError::Cell {
                file: table.file.clone(),
                row: row.line,
                column: position + 1,
                message,
            };
            let cell = |position: usize| {
                row.cells
                    .get(position)
                    .map(String::as_str)
                    .unwrap_or_default()
            };
            if let Some(position) = positions.status
                && let Some(reason) = values::skipped_type(cell(position))
                    .map_err(|message| cell_error(position, message))?
            {
                self.skipped.push(Skipped {
                    file: table.file.clone(),
                    row: row.line,
                    reason: reason.to_owned(),
                });
                continue;
            }
            let phase = match (source.phase, positions.phase, &self.mapping.phases) {
                (Some(phase), _, _) => phase,
                (None, Some(position), Some(phases)) => {
                    let value = cell(position).trim();
                    if value == phases.pre {
                        Phase::Pre
                    } else if value == phases.post {
                        Phase::Post
                    } else {
                        return Err(cell_error(
                            position,
                            format!(
                                "`{}` has `{value}`, which is neither `{}` (pre-training) nor `{}` (post-training)",
                                column_name(table, position),
                                phases.pre,
                                phases.post
                            ),
                        ));
                    }
                }
                _ => Phase::Pre,
            };
            let (bound, other) = match phase {
                Phase::Pre => (&pre_bound, &post_bound),
                Phase::Post => (&post_bound, &pre_bound),
            };
            if phase == Phase::Post && post_slots.is_none() {
                return Err(ImportError::Row {
                    file: table.file.clone(),
                    row: row.line,
                    message: "the row is a post-training response but the mapping names no post-training instrument".into(),
                });
            }
            // A row of one phase holds nothing in the other phase's columns (a column
            // both phases map, the same question asked twice, is read for this one).
            for (position, slot) in other {
                if bound.iter().any(|(p, _)| p == position) {
                    continue;
                }
                let value = cell(*position).trim();
                if !value.is_empty() && value != self.mapping.seen_unanswered {
                    return Err(cell_error(
                        *position,
                        format!(
                            "`{}` holds `{value}`, but it is a {} question and this row is a {} response",
                            slot.key,
                            match phase {
                                Phase::Pre => "post-training",
                                Phase::Post => "pre-training",
                            },
                            phase.word()
                        ),
                    ));
                }
            }
            let site = match (positions.site, &self.mapping.record.fixed_site) {
                (Some(position), _) => {
                    let value = cell(position).trim();
                    let code = self
                        .mapping
                        .record
                        .site_values
                        .get(value)
                        .map_or(value, String::as_str);
                    self.mapping
                        .sites
                        .iter()
                        .position(|s| s.site == code)
                        .ok_or_else(|| {
                            cell_error(
                                position,
                                format!(
                                    "`{}` has `{value}`, which is not a site of the mapping ({})",
                                    column_name(table, position),
                                    self.mapping
                                        .sites
                                        .iter()
                                        .map(|s| s.site.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        })?
                }
                (None, Some(fixed)) => self
                    .mapping
                    .sites
                    .iter()
                    .position(|s| &s.site == fixed)
                    .unwrap_or_default(),
                (None, None) => 0,
            };
            let started_on = values::date(cell(positions.started_on)).ok_or_else(|| {
                cell_error(
                    positions.started_on,
                    format!(
                        "`{}` has `{}`, which is not a date and time as Qualtrics writes them (2023-05-15 09:30:00)",
                        column_name(table, positions.started_on),
                        cell(positions.started_on)
                    ),
                )
            })?;
            let finished = values::flag(cell(positions.finished)).ok_or_else(|| {
                cell_error(
                    positions.finished,
                    format!(
                        "`{}` has `{}`, which is not 1, 0, True or False",
                        column_name(table, positions.finished),
                        cell(positions.finished)
                    ),
                )
            })?;
            let returning = match positions.returning {
                Some(position) => match cell(position).trim() {
                    "1" => true,
                    "0" | "" => false,
                    other => {
                        return Err(cell_error(
                            position,
                            format!(
                                "`{}` has `{other}`, which is not 1 or 0",
                                column_name(table, position)
                            ),
                        ));
                    }
                },
                None => false,
            };
            let mut answers = values::Answers::default();
            for (position, slot) in bound {
                values::read(slot, cell(*position), self.mapping, &mut answers)
                    .map_err(|message| cell_error(*position, message))?;
            }
            answers.settle_ticks(bound.iter().map(|(_, slot)| slot));
            let answered = !answers.values.is_empty() || !answers.texts.is_empty();
            let status = match (finished, answered) {
                (true, _) => Status::Submitted,
                (false, true) => Status::Consented,
                (false, false) => Status::Started,
            };
            let respondent_id = match positions.respondent.map(|p| cell(p).trim()) {
                Some(value) if !value.is_empty() => match self.respondents.get(value) {
                    Some(id) => id.clone(),
                    None => {
                        let id = self.new_respondent();
                        self.respondents.insert(value.to_owned(), id.clone());
                        id
                    }
                },
                _ => self.new_respondent(),
            };
            let collected = match phase {
                Phase::Pre => &mut self.pre,
                Phase::Post => &mut self.post,
            };
            collected.records.push(Record {
                response_id: format!("{}-{:05}", phase.prefix(), collected.records.len() + 1),
                respondent_id,
                site,
                status,
                returning,
                started_on,
                values: answers.values,
                texts: answers.texts,
            });
            collected.finished.push(finished);
        }
        Ok(())
    }

    fn new_respondent(&mut self) -> String {
        self.next_respondent += 1;
        format!("respondent-{:05}", self.next_respondent)
    }
}

/// The name of the column at `position` (empty past the end).
fn column_name(table: &Table, position: usize) -> &str {
    table.columns.get(position).map_or("", |c| c.name.as_str())
}

/// Whether a column is one of Qualtrics' personal columns, by name or import id.
fn is_personal(column: &table::Column) -> bool {
    PERSONAL_COLUMNS.iter().any(|personal| {
        column.name.eq_ignore_ascii_case(personal)
            || column
                .import_id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(personal))
    })
}

/// The variables of an instrument by identifier, and its multiple choice items.
fn kinds(instrument: &Instrument) -> BTreeMap<String, VariableKind> {
    variables(instrument)
        .into_iter()
        .map(|v| (v.id, v.kind))
        .collect()
}

/// The options of a choice item (single, multiple or matrix).
fn options_of<'a>(instrument: &'a Instrument, item: &str) -> &'a [skafada_instrument::Choice] {
    instrument
        .item(item)
        .and_then(|i| match &i.kind {
            ItemKind::Single { options }
            | ItemKind::Multiple { options }
            | ItemKind::Matrix { options, .. } => Some(options.as_slice()),
            _ => None,
        })
        .unwrap_or_default()
}
