//! Cells read as answers: the mapping's columns bound to the instrument's variables.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use skafada_analysis::data::{MISSING, VariableKind, variables};
use skafada_instrument::{Instrument, ItemKind};

use crate::mapping::{Mapping, Target, ValueMode};
use crate::{ImportError, Phase, Table, kinds, options_of};

/// One mapped column: the mapping key that finds it and what its cells are.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    /// The Qualtrics column name or import id.
    pub key: String,
    kind: SlotKind,
    /// The mapping's own values, tried before the instrument's codes or labels.
    recode: BTreeMap<String, u32>,
}

#[derive(Debug, Clone)]
enum SlotKind {
    /// A single choice item or matrix row: one code.
    Code {
        variable: String,
        options: Vec<(u32, String)>,
    },
    /// One option of a multiple choice item ("split multi-value fields into columns").
    Tick {
        item: String,
        code: u32,
        label: String,
        all: Vec<u32>,
    },
    /// A multiple choice item whose cell lists the chosen options, comma-separated.
    Ticks {
        item: String,
        options: Vec<(u32, String)>,
    },
    /// A consent statement: agreed or not answered.
    Agreed { variable: String, text: String },
    /// A whole number or year.
    Number { variable: String },
    /// Free text, such as "Other, please specify".
    Text { variable: String },
}

/// Binds one phase's mapped columns to the instrument's variables.
pub(crate) fn slots(
    mapping_file: &str,
    instrument: &Instrument,
    columns: &BTreeMap<String, Target>,
    phase: Phase,
) -> Result<Vec<Slot>, ImportError> {
    let refuse = |message: String| ImportError::Mapping {
        file: mapping_file.to_owned(),
        message,
    };
    let kinds = kinds(instrument);
    let items: HashMap<String, String> = variables(instrument)
        .into_iter()
        .map(|v| (v.id, v.item))
        .collect();
    let section = match phase {
        Phase::Pre => "pre",
        Phase::Post => "post",
    };
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    let mut split_items: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut text_slots: BTreeSet<&str> = BTreeSet::new();
    let mut slots = Vec::new();
    for (key, target) in columns {
        let variable = target.variable();
        let labelled = |options: &[skafada_instrument::Choice]| -> Vec<(u32, String)> {
            options.iter().map(|o| (o.code, o.label.clone())).collect()
        };
        let kind = match (kinds.get(variable), instrument.item(variable)) {
            (Some(VariableKind::Code(_)), _) => SlotKind::Code {
                variable: variable.to_owned(),
                options: labelled(options_of(
                    instrument,
                    items.get(variable).map_or("", String::as_str),
                )),
            },
            (Some(VariableKind::Tick), _) => {
                let item = items.get(variable).cloned().unwrap_or_default();
                let options = options_of(instrument, &item);
                let code: u32 = variable
                    .rsplit('.')
                    .next()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or_default();
                let label = options
                    .iter()
                    .find(|o| o.code == code)
                    .map(|o| o.label.clone())
                    .unwrap_or_default();
                split_items.entry(item.clone()).or_default().insert(code);
                SlotKind::Tick {
                    item,
                    code,
                    label,
                    all: options.iter().map(|o| o.code).collect(),
                }
            }
            (Some(VariableKind::Agreed), _) => SlotKind::Agreed {
                variable: variable.to_owned(),
                text: instrument
                    .items()
                    .find_map(|item| match &item.kind {
                        ItemKind::Consent { statements } => statements
                            .iter()
                            .find(|s| s.id == variable)
                            .map(|s| s.text.clone()),
                        _ => None,
                    })
                    .unwrap_or_default(),
            },
            (Some(VariableKind::Number), _) => SlotKind::Number {
                variable: variable.to_owned(),
            },
            (Some(VariableKind::Text), _) => SlotKind::Text {
                variable: variable.to_owned(),
            },
            (None, Some(item)) if matches!(item.kind, ItemKind::Multiple { .. }) => {
                SlotKind::Ticks {
                    item: variable.to_owned(),
                    options: labelled(options_of(instrument, variable)),
                }
            }
            (None, Some(item)) if matches!(item.kind, ItemKind::Matrix { .. }) => {
                return Err(refuse(format!(
                    "[{section}] `{key}` maps to `{variable}`, a matrix of {}; map each statement's column to its row instead",
                    instrument.id
                )));
            }
            _ => {
                return Err(refuse(format!(
                    "[{section}] `{key}` maps to `{variable}`, which is not a variable of {}",
                    instrument.id
                )));
            }
        };
        let owner = match &kind {
            SlotKind::Ticks { item, .. } => item.clone(),
            _ => variable.to_owned(),
        };
        // Qualtrics writes one "_TEXT" column per option with a text box; several may
        // feed one "please specify" variable.
        let shared = matches!(kind, SlotKind::Text { .. })
            && taken
                .get(&owner)
                .is_some_and(|other| text_slots.contains(*other));
        if matches!(kind, SlotKind::Text { .. }) {
            text_slots.insert(key.as_str());
        }
        if let Some(other) = taken.insert(owner.clone(), key)
            && !shared
        {
            return Err(refuse(format!(
                "[{section}] `{other}` and `{key}` both map to `{owner}`"
            )));
        }
        let recode = target.values().cloned().unwrap_or_default();
        let codes: Vec<u32> = match &kind {
            SlotKind::Code { options, .. } | SlotKind::Ticks { options, .. } => {
                options.iter().map(|(code, _)| *code).collect()
            }
            SlotKind::Tick { code, .. } => vec![0, 1, *code],
            SlotKind::Agreed { .. } => vec![1],
            SlotKind::Number { .. } | SlotKind::Text { .. } => Vec::new(),
        };
        for (value, code) in &recode {
            if !codes.contains(code) {
                return Err(refuse(format!(
                    "[{section}] `{key}` recodes `{value}` as {code}, which is not a code of `{variable}`"
                )));
            }
        }
        slots.push(Slot {
            key: key.clone(),
            kind,
            recode,
        });
    }
    for (item, mapped) in &split_items {
        if taken.contains_key(item) {
            return Err(refuse(format!(
                "[{section}] `{item}` is mapped both as one column and as split columns"
            )));
        }
        let missing: Vec<String> = options_of(instrument, item)
            .iter()
            .filter(|o| !mapped.contains(&o.code))
            .map(|o| format!("{item}.{}", o.code))
            .collect();
        if !missing.is_empty() {
            return Err(refuse(format!(
                "[{section}] the split columns of `{item}` leave out {}; map every option's column",
                missing.join(", ")
            )));
        }
    }
    Ok(slots)
}

/// The position of the column a mapping key names: a column name, or else an import id.
pub(crate) fn find_column(
    table: &Table,
    key: &str,
    mapping_file: &str,
) -> Result<usize, ImportError> {
    let by = |matches: &dyn Fn(&crate::table::Column) -> bool| -> Vec<usize> {
        table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches(c))
            .map(|(i, _)| i)
            .collect()
    };
    let mut found = by(&|c| c.name == key);
    if found.is_empty() {
        found = by(&|c| c.import_id.as_deref() == Some(key));
    }
    match found.as_slice() {
        [position] => Ok(*position),
        [] => Err(ImportError::Mapping {
            file: mapping_file.to_owned(),
            message: format!(
                "`{key}` is neither a column name nor an import id of {}",
                table.file
            ),
        }),
        _ => Err(ImportError::Mapping {
            file: mapping_file.to_owned(),
            message: format!(
                "{} has {} columns named `{key}`; name the column by its import id instead",
                table.file,
                found.len()
            ),
        }),
    }
}

/// Qualtrics' response type (the `Status` column, numeric or as text): `None` for a
/// response to import, or the kind of row that is not a response.
pub(crate) fn skipped_type(cell: &str) -> Result<Option<&'static str>, String> {
    match cell.trim() {
        "0" | "IP Address" | "4" | "Imported" | "16" | "Offline" => Ok(None),
        "1" | "Survey Preview" => Ok(Some("survey preview")),
        "2" | "Survey Test" => Ok(Some("survey test")),
        "8" | "Spam" => Ok(Some("spam")),
        "9" | "Preview Spam" => Ok(Some("preview spam")),
        "12" | "Imported Spam" => Ok(Some("imported spam")),
        "17" | "Offline Survey Preview" => Ok(Some("offline survey preview")),
        other => Err(format!(
            "`Status` has `{other}`, which is not one of Qualtrics' response types (IP Address, Survey Preview, Survey Test, Imported, Spam, Offline)"
        )),
    }
}

/// The date of a Qualtrics date and time (`2023-05-15 09:30:00`, or ISO 8601 with `T`).
pub(crate) fn date(cell: &str) -> Option<String> {
    let cell = cell.trim();
    let day = cell.get(..10)?;
    let rest = cell.get(10..)?;
    let bytes = day.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let shaped = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10);
    let month: u32 = day.get(5..7)?.parse().ok()?;
    let day_of_month: u32 = day.get(8..10)?.parse().ok()?;
    let tail = rest.is_empty() || rest.starts_with(' ') || rest.starts_with('T');
    (shaped && (1..=12).contains(&month) && (1..=31).contains(&day_of_month) && tail)
        .then(|| day.to_owned())
}

/// A true-or-false cell (`Finished`): `1`/`0` or `True`/`False`.
pub(crate) fn flag(cell: &str) -> Option<bool> {
    match cell.trim() {
        "1" | "True" | "true" | "TRUE" => Some(true),
        "0" | "False" | "false" | "FALSE" => Some(false),
        _ => None,
    }
}

/// One record's answers as they are read.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    pub values: HashMap<String, i32>,
    pub texts: HashMap<String, String>,
    ticked: BTreeSet<String>,
}

impl Answers {
    /// Completes multiple choice items: an item with a ticked option has its other
    /// options not ticked (0); an item with none ticked was not answered (all empty),
    /// whether Qualtrics wrote blanks or 0s for it.
    pub fn settle_ticks<'a>(&mut self, slots: impl Iterator<Item = &'a Slot>) {
        for slot in slots {
            let (item, codes): (&str, Vec<u32>) = match &slot.kind {
                SlotKind::Tick { item, all, .. } => (item, all.clone()),
                SlotKind::Ticks { item, options } => (item, options.iter().map(|o| o.0).collect()),
                _ => continue,
            };
            let ticked = self.ticked.contains(item);
            for code in codes {
                let id = format!("{item}.{code}");
                if ticked {
                    self.values.entry(id).or_insert(0);
                } else {
                    self.values.remove(&id);
                }
            }
        }
    }
}

/// Reads one cell into the record's answers, or says why it cannot be read.
pub(crate) fn read(
    slot: &Slot,
    cell: &str,
    mapping: &Mapping,
    answers: &mut Answers,
) -> Result<(), String> {
    let value = cell.trim();
    // Blank is "not answered" or "not shown"; -99 is "seen but not answered" when that
    // export option is set. skafada records both as an empty cell.
    if value.is_empty() || value == mapping.seen_unanswered {
        return Ok(());
    }
    let key = &slot.key;
    match &slot.kind {
        SlotKind::Code { variable, options } => {
            let code = choice(slot, value, options, mapping.values)
                .ok_or_else(|| not_a_choice(key, value, variable, options, mapping.values))?;
            answers.values.insert(variable.clone(), to_i32(code));
        }
        SlotKind::Tick {
            item, code, label, ..
        } => {
            let ticked = match (slot.recode.get(value), mapping.values) {
                (Some(recoded), _) => u32::from(*recoded != 0),
                (None, ValueMode::Labels) if value == label => 1,
                (None, ValueMode::Codes) if value == "1" => 1,
                (None, _) if value == "0" => 0,
                _ => {
                    let expected = match mapping.values {
                        ValueMode::Labels => format!("`{label}`"),
                        ValueMode::Codes => "`1`".to_owned(),
                    };
                    return Err(format!(
                        "`{key}` has `{value}`, but a column of one option of `{item}` holds {expected} when it is ticked, or is empty (or 0) when not"
                    ));
                }
            };
            answers
                .values
                .insert(format!("{item}.{code}"), to_i32(ticked));
            if ticked == 1 {
                answers.ticked.insert(item.clone());
            }
        }
        SlotKind::Ticks { item, options } => {
            let codes = list(slot, value, options, mapping.values)?;
            for code in codes {
                answers.values.insert(format!("{item}.{code}"), 1);
            }
            answers.ticked.insert(item.clone());
        }
        SlotKind::Agreed { variable, text } => {
            let agreed = slot.recode.get(value).is_some_and(|c| *c == 1)
                || value == "1"
                || (mapping.values == ValueMode::Labels && value == text.trim());
            if !agreed {
                return Err(format!(
                    "`{key}` has `{value}`, but consent statement `{variable}` is agreed ({}) or empty{}",
                    match mapping.values {
                        ValueMode::Codes => "1",
                        ValueMode::Labels => "1, or the statement's text",
                    },
                    mode_hint(value, mapping.values)
                ));
            }
            answers.values.insert(variable.clone(), 1);
        }
        SlotKind::Number { variable } => {
            let number = value
                .parse::<i32>()
                .ok()
                .filter(|n| *n != MISSING)
                .ok_or_else(|| {
                    format!("`{key}` has `{value}`, which is not a whole number (`{variable}`)")
                })?;
            answers.values.insert(variable.clone(), number);
        }
        SlotKind::Text { variable } => {
            if answers.texts.contains_key(variable) {
                return Err(format!(
                    "`{key}` has text, but another column of this row already gave `{variable}`"
                ));
            }
            answers.texts.insert(variable.clone(), value.to_owned());
        }
    }
    Ok(())
}

fn to_i32(code: u32) -> i32 {
    i32::try_from(code).unwrap_or(MISSING)
}

/// The code of one choice: the mapping's recode first, then the instrument's code or label.
fn choice(slot: &Slot, value: &str, options: &[(u32, String)], mode: ValueMode) -> Option<u32> {
    if let Some(code) = slot.recode.get(value) {
        return Some(*code);
    }
    match mode {
        ValueMode::Codes => value
            .parse::<u32>()
            .ok()
            .filter(|code| options.iter().any(|(c, _)| c == code)),
        ValueMode::Labels => options
            .iter()
            .find(|(_, label)| label == value)
            .map(|(code, _)| *code),
    }
}

fn not_a_choice(
    key: &str,
    value: &str,
    variable: &str,
    options: &[(u32, String)],
    mode: ValueMode,
) -> String {
    let listed = options
        .iter()
        .map(|(code, label)| match mode {
            ValueMode::Codes => format!("{code} {label}"),
            ValueMode::Labels => format!("`{label}`"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let hint = mode_hint(value, mode);
    format!("`{key}` has `{value}`, which is not a choice of `{variable}` ({listed}){hint}")
}

/// A hint when a cell looks written in the other value mode.
fn mode_hint(value: &str, mode: ValueMode) -> &'static str {
    match mode {
        ValueMode::Labels if value.parse::<u32>().is_ok() => {
            "; the export may use numeric values: set values = \"codes\" in the mapping"
        }
        ValueMode::Codes if value.parse::<u32>().is_err() => {
            "; the export may use choice text: set values = \"labels\" in the mapping"
        }
        _ => "",
    }
}

/// The codes of a comma-separated list of choices. Choice text may itself hold commas,
/// so the list must split into choices in exactly one way.
fn list(
    slot: &Slot,
    value: &str,
    options: &[(u32, String)],
    mode: ValueMode,
) -> Result<Vec<u32>, String> {
    let key = &slot.key;
    let parts: Vec<&str> = value.split(',').collect();
    let n = parts.len();
    let piece = |from: usize, to: usize| parts.get(from..to).map(|p| p.join(","));
    let code_of = |from: usize, to: usize| {
        piece(from, to).and_then(|text| choice(slot, text.trim(), options, mode))
    };
    // A choice spans at most one more part than the commas in its text (or code), so a
    // long cell is read in time linear in its length.
    let span = options
        .iter()
        .map(|(_, label)| label.as_str())
        .chain(slot.recode.keys().map(String::as_str))
        .map(|text| text.matches(',').count() + 1)
        .max()
        .unwrap_or(1);
    // ways[i]: how many ways parts[i..] split into choices (counted up to 2).
    let mut ways = vec![0u8; n];
    ways.push(1);
    for from in (0..n).rev() {
        let mut count = 0u8;
        for (to, after) in ways.iter().enumerate().skip(from + 1).take(span) {
            if code_of(from, to).is_some() {
                count = count.saturating_add(*after).min(2);
            }
        }
        if let Some(slot) = ways.get_mut(from) {
            *slot = count;
        }
    }
    match ways.first().copied().unwrap_or_default() {
        0 => Err(format!(
            "`{key}` has `{value}`, which is not a comma-separated list of choices of `{}`",
            match &slot.kind {
                SlotKind::Ticks { item, .. } => item.as_str(),
                _ => "",
            }
        )),
        1 => {
            let mut codes = Vec::new();
            let mut from = 0;
            while from < n {
                let next = (from + 1..=n)
                    .take(span)
                    .find(|&to| ways.get(to).is_some_and(|w| *w > 0) && code_of(from, to).is_some())
                    .ok_or_else(|| format!("`{key}` has `{value}`, which cannot be read"))?;
                codes.extend(code_of(from, next));
                from = next;
            }
            Ok(codes)
        }
        _ => Err(format!(
            "`{key}` has `{value}`, which splits into choices in more than one way (their text holds commas); recode the column with values = {{ ... }} in the mapping or export numeric values"
        )),
    }
}
