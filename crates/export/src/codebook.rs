//! The codebook every export format is written from: one entry per column of a response
//! file (the record columns, then the instrument's variables in order), then the columns
//! the analysis plan adds (the cleaning outcome `kept` and `exclusion`, then the plan's
//! derived variables in plan order), each with its SPSS name, question text or label,
//! measurement level, value labels and the codes the SPSS file declares user-missing.

use skafada_analysis::data::{COMPUTED_FROM, RECORD_COLUMNS, VariableKind, variables};
use skafada_analysis::formula::write_record;
use skafada_analysis::records::{self, Outcomes};
use skafada_instrument::{Instrument, ItemKind, MissingKind};

use crate::names::Namer;

/// How a column's cells are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Whole numbers (codes, ticks, numbers), empty when missing.
    Number,
    /// Text, empty when missing.
    Text,
}

/// SPSS's measurement level of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Unordered categories: single choice, ticks, consent, text, record columns.
    Nominal,
    /// Ordered categories: the rows of a matrix, answered on a scale such as agreement.
    Ordinal,
    /// Numbers: number and year items.
    Scale,
}

impl Measure {
    /// The word SPSS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Nominal => "nominal",
            Measure::Ordinal => "ordinal",
            Measure::Scale => "scale",
        }
    }
}

/// One code of a column and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueLabel {
    /// The code stored in the data.
    pub code: i32,
    /// Its label.
    pub label: String,
    /// Set for "prefer not to say" and "not applicable", as the instrument marks them.
    /// Whether SPSS declares the code user-missing is [`Entry::user_missing`].
    pub missing: Option<MissingKind>,
}

/// Where a column's cells come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A record column of the response file (`response_id` ... `started_on`).
    Record,
    /// A variable of the instrument.
    Response,
    /// `kept`: 1 when the plan's cleaning keeps the record, 0 when it excludes it.
    Kept,
    /// `exclusion`: why the cleaning excluded the record (0 for a record kept).
    Exclusion,
    /// A derived variable: the index in [`Outcomes::derived`].
    Derived(usize),
}

/// One column of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The column name in the CSV export (`docs/export-format.md`).
    pub column: String,
    /// The variable name in the SPSS file.
    pub spss_name: String,
    /// The item it belongs to (empty for record columns).
    pub item: String,
    /// The item type as written in the instrument, or `record`.
    pub type_name: &'static str,
    /// The question or statement (the SPSS variable label).
    pub text: String,
    /// How cells are stored.
    pub storage: Storage,
    /// The measurement level.
    pub measure: Measure,
    /// The codes and labels, in display order (empty for numbers and text).
    pub values: Vec<ValueLabel>,
    /// Where the cells come from.
    pub source: Source,
    /// The codes the report leaves out of this variable's percentages, which the SPSS file
    /// declares user-missing ([`Outcomes::left_out`]), ascending.
    pub user_missing: Vec<i32>,
}

impl Entry {
    /// The codes declared user-missing in the SPSS file: [`Entry::user_missing`].
    pub fn missing_codes(&self) -> Vec<i32> {
        self.user_missing.clone()
    }

    /// The label of a code, if it has one.
    pub fn label(&self, code: i32) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.code == code)
            .map(|v| v.label.as_str())
    }
}

/// A multiple-choice item, or a `text-categories` derived set: its 0/1 columns form an
/// SPSS multiple-response set.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSet {
    /// The item (or derived set) identifier.
    pub item: String,
    /// The set's SPSS name, without the leading `$`.
    pub spss_name: String,
    /// The question.
    pub text: String,
    /// The SPSS names of the member columns, in option order.
    pub members: Vec<String>,
}

/// Every column of one instrument's export.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    /// The instrument identifier.
    pub instrument: String,
    /// The columns in file order.
    pub entries: Vec<Entry>,
    /// The multiple-response sets.
    pub sets: Vec<ResponseSet>,
}

/// What the record columns hold, in [`RECORD_COLUMNS`] order.
const RECORD_TEXTS: [&str; 6] = [
    "Random identifier of the response record",
    "Random identifier of the anonymous respondent (shared by pre and post records)",
    "Site (local authority) code",
    "State the record reached: started, consented, submitted or ended",
    "Created by a respondent returning to the survey",
    "Date the record was created",
];

/// What `kept` and `exclusion` hold.
const KEPT_TEXT: &str =
    "Kept by the analysis plan's cleaning: the records every table and test of the report counts";
const EXCLUSION_TEXT: &str = "Why the analysis plan's cleaning excluded the record (0: kept)";

impl Codebook {
    /// The codebook of an instrument's export with the columns the plan adds to it: the
    /// cleaning outcome and the derived variables of `outcomes`, and the user-missing
    /// codes it gives each variable (the records of `outcomes` do not matter here).
    pub fn new(instrument: &Instrument, outcomes: &Outcomes) -> Codebook {
        let mut namer = Namer::new();
        let mut entries = Vec::new();
        for (column, text) in RECORD_COLUMNS.iter().zip(RECORD_TEXTS) {
            let returning = *column == "returning";
            entries.push(Entry {
                column: (*column).to_owned(),
                spss_name: namer.name(column),
                item: String::new(),
                type_name: "record",
                text: text.to_owned(),
                storage: if returning {
                    Storage::Number
                } else {
                    Storage::Text
                },
                measure: Measure::Nominal,
                values: if returning {
                    vec![label(0, "No", None), label(1, "Yes", None)]
                } else {
                    Vec::new()
                },
                source: Source::Record,
                user_missing: Vec::new(),
            });
        }
        let mut sets: Vec<ResponseSet> = Vec::new();
        for variable in variables(instrument) {
            let item = instrument.item(&variable.item);
            let type_name = item.map_or("", |i| i.kind.type_name());
            // Numbers, texts and ticks have no options.
            let options = item.and_then(|i| i.kind.options()).unwrap_or(&[]);
            let spss_name = namer.name(&variable.id);
            let (storage, measure, values) = match &variable.kind {
                VariableKind::Code(_) => {
                    let ordinal = matches!(item.map(|i| &i.kind), Some(ItemKind::Matrix { .. }));
                    let values = options
                        .iter()
                        .map(|o| label(code(o.code), &o.label, o.missing))
                        .collect();
                    let measure = if ordinal {
                        Measure::Ordinal
                    } else {
                        Measure::Nominal
                    };
                    (Storage::Number, measure, values)
                }
                VariableKind::Tick => {
                    if let Some(item) = item {
                        match sets.last_mut() {
                            Some(set) if set.item == item.id => set.members.push(spss_name.clone()),
                            _ => sets.push(ResponseSet {
                                item: item.id.clone(),
                                spss_name: String::new(),
                                text: item.text.clone(),
                                members: vec![spss_name.clone()],
                            }),
                        }
                    }
                    let values = vec![label(0, "Not ticked", None), label(1, "Ticked", None)];
                    (Storage::Number, Measure::Nominal, values)
                }
                VariableKind::Agreed => (
                    Storage::Number,
                    Measure::Nominal,
                    vec![label(1, "Agreed", None)],
                ),
                VariableKind::Number => (Storage::Number, Measure::Scale, Vec::new()),
                VariableKind::Text => (Storage::Text, Measure::Nominal, Vec::new()),
            };
            entries.push(Entry {
                user_missing: outcomes.left_out(&variable.id).to_vec(),
                column: variable.id.clone(),
                spss_name,
                item: variable.item.clone(),
                type_name,
                text: variable.text.clone(),
                storage,
                measure,
                values,
                source: Source::Response,
            });
        }
        let taken = |entries: &[Entry], column: &str| entries.iter().any(|e| e.column == column);
        for (column, text, source, values) in [
            (
                COMPUTED_FROM,
                KEPT_TEXT,
                Source::Kept,
                vec![label(1, "Kept", None), label(0, "Excluded", None)],
            ),
            (
                "exclusion",
                EXCLUSION_TEXT,
                Source::Exclusion,
                outcomes
                    .exclusion_labels()
                    .into_iter()
                    .map(|(code, text)| label(code, &text, None))
                    .collect(),
            ),
        ] {
            entries.push(Entry {
                column: column.to_owned(),
                spss_name: namer.name(column),
                item: String::new(),
                type_name: "cleaning",
                text: text.to_owned(),
                storage: Storage::Number,
                measure: Measure::Nominal,
                values,
                source,
                user_missing: Vec::new(),
            });
        }
        for (index, variable) in outcomes.derived.iter().enumerate() {
            // A derived variable may shadow a response variable of the same name in the
            // analysis; in a file both are kept, the derived one renamed.
            let column = if taken(&entries, &variable.id) {
                format!("{}-derived", variable.id)
            } else {
                variable.id.clone()
            };
            entries.push(Entry {
                spss_name: namer.name(&column),
                column,
                item: variable.derive.clone(),
                type_name: "derived",
                text: variable.text.clone(),
                storage: match variable.column {
                    skafada_analysis::data::Column::Values(_) => Storage::Number,
                    skafada_analysis::data::Column::Text(_) => Storage::Text,
                },
                measure: match variable.measure {
                    records::Measure::Nominal => Measure::Nominal,
                    records::Measure::Ordinal => Measure::Ordinal,
                    records::Measure::Scale => Measure::Scale,
                },
                values: variable
                    .labels
                    .iter()
                    .map(|(code, text)| label(*code, text, None))
                    .collect(),
                source: Source::Derived(index),
                user_missing: outcomes.left_out(&variable.id).to_vec(),
            });
        }
        for set in &mut sets {
            set.spss_name = namer.name(&set.item);
        }
        let derived_names: std::collections::HashMap<&str, &str> = entries
            .iter()
            .filter_map(|e| match e.source {
                Source::Derived(i) => outcomes
                    .derived
                    .get(i)
                    .map(|d| (d.id.as_str(), e.spss_name.as_str())),
                _ => None,
            })
            .collect();
        let mut derived_sets = Vec::new();
        for set in &outcomes.sets {
            let members = set
                .members
                .iter()
                .filter_map(|m| derived_names.get(m.as_str()).map(|n| (*n).to_owned()))
                .collect();
            derived_sets.push(ResponseSet {
                item: set.id.clone(),
                spss_name: namer.name(&set.id),
                text: set.text.clone(),
                members,
            });
        }
        sets.extend(derived_sets);
        Codebook {
            instrument: instrument.id.clone(),
            entries,
            sets,
        }
    }

    /// The entry of a column.
    pub fn entry(&self, column: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.column == column)
    }

    /// `codebook.csv`: the columns of `docs/export-format.md`'s codebook
    /// (`instrument,column,item,type,question,code,label,missing`) followed by
    /// `spss_name`, `measure` and `spss_missing` (`1` for a code the SPSS file declares
    /// user-missing). One row per column and code; one row with an empty `code` for
    /// columns without codes. Cells are neutralised against spreadsheet formulas
    /// (`skafada_analysis::formula`).
    pub fn to_csv(&self) -> Result<Vec<u8>, crate::ExportError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record([
            "instrument",
            "column",
            "item",
            "type",
            "question",
            "code",
            "label",
            "missing",
            "spss_name",
            "measure",
            "spss_missing",
        ])?;
        for entry in &self.entries {
            let row = |code: String, label: &str, missing: &str, user_missing: bool| {
                [
                    self.instrument.clone(),
                    entry.column.clone(),
                    entry.item.clone(),
                    entry.type_name.to_owned(),
                    entry.text.clone(),
                    code,
                    label.to_owned(),
                    missing.to_owned(),
                    entry.spss_name.clone(),
                    entry.measure.as_str().to_owned(),
                    if user_missing { "1" } else { "" }.to_owned(),
                ]
            };
            if entry.values.is_empty() {
                write_record(&mut writer, row(String::new(), "", "", false))?;
            }
            for value in &entry.values {
                write_record(
                    &mut writer,
                    row(
                        value.code.to_string(),
                        &value.label,
                        missing_name(value.missing),
                        entry.user_missing.contains(&value.code),
                    ),
                )?;
            }
        }
        writer
            .into_inner()
            .map_err(|e| crate::ExportError::Csv(e.to_string()))
    }
}

/// The word the instrument format uses for a kind of missing answer, or "".
pub fn missing_name(missing: Option<MissingKind>) -> &'static str {
    missing.map_or("", MissingKind::name)
}

fn label(code: i32, text: &str, missing: Option<MissingKind>) -> ValueLabel {
    ValueLabel {
        code,
        label: text.to_owned(),
        missing,
    }
}

/// Instrument codes are small; a code beyond `i32` cannot occur in the data.
fn code(code: u32) -> i32 {
    i32::try_from(code).unwrap_or(i32::MAX)
}
