//! The codebook every export format is written from: one entry per column of a response
//! file (the record columns, then the instrument's variables in order) with its SPSS name,
//! question text, measurement level and value labels.

use skafada_analysis::data::{RECORD_COLUMNS, VariableKind, variables};
use skafada_analysis::formula::write_record;
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
    /// Set for "prefer not to say" and "not applicable": declared user-missing in SPSS.
    pub missing: Option<MissingKind>,
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
}

impl Entry {
    /// The codes declared user-missing.
    pub fn missing_codes(&self) -> Vec<i32> {
        self.values
            .iter()
            .filter(|v| v.missing.is_some())
            .map(|v| v.code)
            .collect()
    }

    /// The label of a code, if it has one.
    pub fn label(&self, code: i32) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.code == code)
            .map(|v| v.label.as_str())
    }
}

/// A multiple-choice item: its tick columns form an SPSS multiple-response set.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSet {
    /// The item identifier.
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

impl Codebook {
    /// The codebook of an instrument's export.
    pub fn new(instrument: &Instrument) -> Codebook {
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
            });
        }
        let mut sets: Vec<ResponseSet> = Vec::new();
        for variable in variables(instrument) {
            let item = instrument.item(&variable.item);
            let type_name = item.map_or("", |i| i.kind.type_name());
            let options = item.and_then(|i| i.kind.options()).unwrap_or_default();
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
                column: variable.id.clone(),
                spss_name,
                item: variable.item.clone(),
                type_name,
                text: variable.text.clone(),
                storage,
                measure,
                values,
            });
        }
        for set in &mut sets {
            set.spss_name = namer.name(&set.item);
        }
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
    /// `spss_name` and `measure`. One row per column and code; one row with an empty
    /// `code` for columns without codes. Cells are neutralised against spreadsheet
    /// formulas (`skafada_analysis::formula`).
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
        ])?;
        for entry in &self.entries {
            let row = |code: String, label: &str, missing: &str| {
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
                ]
            };
            if entry.values.is_empty() {
                write_record(&mut writer, row(String::new(), "", ""))?;
            }
            for value in &entry.values {
                write_record(
                    &mut writer,
                    row(
                        value.code.to_string(),
                        &value.label,
                        missing_name(value.missing),
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
    match missing {
        Some(MissingKind::PreferNotToSay) => "prefer-not-to-say",
        Some(MissingKind::NotApplicable) => "not-applicable",
        None => "",
    }
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
