//! The SPSS system file (.sav), written with the `ambers` crate.
//!
//! Every column of the codebook becomes a variable named by its SPSS name, labelled with
//! the question or statement, with the instrument's value labels and measurement level.
//! Codes, ticks and numbers are numeric (`F8.0`; an empty cell is system-missing); text is
//! a string as wide as the longest answer (very long strings beyond 255 bytes included).
//!
//! **The cleaning outcome and derived variables.** `kept` (1 kept, 0 excluded, labelled)
//! and `exclusion` (why, coded and labelled as in the cleaning log) follow the
//! instrument's variables, then the plan's derived variables with their labels and value
//! labels. `FILTER BY kept.` (or `SELECT IF kept = 1.`) leaves the records the report
//! counts.
//!
//! **User-missing codes follow the report.** A code is declared user-missing exactly when
//! the report leaves it out of that variable's percentages
//! ([`skafada_analysis::records::Outcomes::left_out`]): "prefer not to say" and "not
//! applicable" of variables shown in matrix tables, in tests or nowhere (the report always
//! leaves them out there), but not of variables shown in frequency tables, whose Valid %
//! keeps them in the base unless the plan says `valid-percent-base = "substantive"` (then
//! they are declared too) or a section `exclude`s codes (those are declared). So
//! FREQUENCIES gives the report's Valid %, and CROSSTABS its tests, except for a variable
//! shown in a frequency table and tested: declare its codes (`MISSING VALUES var (9).`)
//! before CROSSTABS, as the report's tests leave them out.
//!
//! Each multiple-choice item, and each `text-categories` derived set, becomes a
//! multiple-dichotomy set (counted value 1) named after the item, so `MRSETS` and
//! `CTABLES` see it as one question.

use std::sync::Arc;

use ambers::{
    Compression, Measure as SpssMeasure, MissingSpec, MrSet, MrType, SpssMetadata, Value,
};
use arrow::array::{ArrayRef, Float64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use skafada_analysis::data::{Responses, Site};
use skafada_analysis::plan::ValidPercentBase;
use skafada_analysis::records::Outcomes;
use skafada_instrument::Instrument;

use crate::codebook::{Codebook, Entry, Measure, Storage};
use crate::{Cell, ExportError, ExportOptions, Records};

/// SPSS's widest string variable, in bytes.
const MAX_STRING_WIDTH: usize = 32_767;

/// Writes an SPSS system file (bytecode-compressed .sav, UTF-8) of the responses and the
/// analysis's `outcomes` for them: see the module documentation for what it declares.
pub fn to_sav(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
    options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let out = std::io::Cursor::new(Vec::new());
    Ok(write_sav(instrument, responses, sites, outcomes, options, out)?.into_inner())
}

/// The file of [`to_sav`], written to `out` (a file, say, so that the finished file is
/// not held in memory; its columns still are, as the SPSS writer takes them whole).
/// Returns `out`.
pub fn write_sav<W: std::io::Write + std::io::Seek>(
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
    outcomes: &Outcomes,
    options: &ExportOptions,
    mut out: W,
) -> Result<W, ExportError> {
    let book = Codebook::new(instrument, outcomes);
    let records = Records::new(responses, sites, outcomes)?;
    let mut fields = Vec::with_capacity(book.entries.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(book.entries.len());
    let mut meta = SpssMetadata::default();
    for entry in &book.entries {
        let name = entry.spss_name.clone();
        let column = records.column(entry);
        match entry.storage {
            Storage::Number => {
                let values: Float64Array = (0..responses.len())
                    .map(|row| match records.cell_of(column, row) {
                        Cell::Number(n) => Some(f64::from(n)),
                        _ => None,
                    })
                    .collect();
                fields.push(Field::new(&name, DataType::Float64, true));
                arrays.push(Arc::new(values));
                meta.variable_formats.insert(name.clone(), "F8.0".into());
            }
            Storage::Text => {
                let texts: Vec<Option<&str>> = (0..responses.len())
                    .map(|row| match records.cell_of(column, row) {
                        Cell::Text(text) => Some(text),
                        _ => None,
                    })
                    .collect();
                let width = texts.iter().flatten().map(|t| t.len()).max().unwrap_or(0);
                if width > MAX_STRING_WIDTH {
                    return Err(ExportError::Sav(format!(
                        "{}: an answer of {width} bytes is longer than SPSS's {MAX_STRING_WIDTH}",
                        entry.column
                    )));
                }
                let width = width.max(1);
                fields.push(Field::new(&name, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(texts)));
                meta.variable_formats
                    .insert(name.clone(), format!("A{width}"));
                meta.variable_storage_widths.insert(name.clone(), width);
                meta.variable_display_widths
                    .insert(name.clone(), u32::try_from(width.min(40)).unwrap_or(40));
            }
        }
        meta.variable_labels
            .insert(name.clone(), entry.text.clone());
        meta.variable_measures
            .insert(name.clone(), measure(entry.measure));
        if !entry.values.is_empty() {
            let labels = meta.variable_value_labels.entry(name.clone()).or_default();
            for value in &entry.values {
                labels.insert(Value::Numeric(f64::from(value.code)), value.label.clone());
            }
        }
        let missing = missing_specs(entry)?;
        if !missing.is_empty() {
            meta.variable_missing_values.insert(name.clone(), missing);
        }
        meta.variable_names.push(name);
    }
    for set in &book.sets {
        meta.mr_sets.insert(
            set.spss_name.clone(),
            MrSet {
                name: set.spss_name.clone(),
                label: set.text.clone(),
                mr_type: MrType::MultipleDichotomy,
                counted_value: Some("1".into()),
                variables: set.members.clone(),
            },
        );
    }
    meta.file_label = truncate(&format!("{}: {}", instrument.id, options.study), 64);
    meta.file_encoding = "UTF-8".into();
    meta.notes = notes(instrument, responses, outcomes, options);
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema, arrays).map_err(|e| ExportError::Sav(e.to_string()))?;
    ambers::write_sav_to_writer(&mut out, &batch, &meta, Compression::Bytecode, None)
        .map_err(|e| ExportError::Sav(e.to_string()))?;
    Ok(out)
}

fn measure(measure: Measure) -> SpssMeasure {
    match measure {
        Measure::Nominal => SpssMeasure::Nominal,
        Measure::Ordinal => SpssMeasure::Ordinal,
        Measure::Scale => SpssMeasure::Scale,
    }
}

/// SPSS allows three discrete missing values, or a range and one discrete value. Up to
/// three codes are declared one by one; more become the range from the lowest to the
/// highest when no code that counts lies inside it.
fn missing_specs(entry: &Entry) -> Result<Vec<MissingSpec>, ExportError> {
    let codes = entry.missing_codes();
    if codes.len() <= 3 {
        return Ok(codes
            .into_iter()
            .map(|c| MissingSpec::Value(f64::from(c)))
            .collect());
    }
    let (lo, hi) = match (codes.iter().min(), codes.iter().max()) {
        (Some(&lo), Some(&hi)) => (lo, hi),
        _ => return Ok(Vec::new()),
    };
    let substantive_inside = entry
        .values
        .iter()
        .any(|v| !codes.contains(&v.code) && (lo..=hi).contains(&v.code));
    if substantive_inside {
        return Err(ExportError::Sav(format!(
            "{}: more than three missing codes, with substantive codes between them",
            entry.column
        )));
    }
    Ok(vec![MissingSpec::Range {
        lo: f64::from(lo),
        hi: f64::from(hi),
    }])
}

/// The file's documents: what the export is.
fn notes(
    instrument: &Instrument,
    responses: &Responses,
    outcomes: &Outcomes,
    options: &ExportOptions,
) -> Vec<String> {
    let mut notes = vec![
        format!("Study: {}", options.study),
        format!("Instrument: {} ({})", instrument.id, instrument.title),
        format!(
            "Exported on {} by skafada; {} records",
            options.date,
            responses.len()
        ),
        format!(
            "Scope: {}",
            if options.scope.is_empty() {
                "the whole study"
            } else {
                &options.scope
            }
        ),
        "Anonymous: random identifiers, dates without a time, nothing identifies a person."
            .to_owned(),
        format!(
            "kept = 1: the {} records the plan's cleaning keeps; exclusion: why not.",
            outcomes.log.kept
        ),
        "FILTER BY kept. gives the report's base; derived variables follow exclusion.".to_owned(),
        "User-missing: the codes the report leaves out of each variable's percentages.".to_owned(),
        match outcomes.valid_percent_base {
            ValidPercentBase::AllAnswers => {
                "Frequency tables' Valid % keeps prefer not to say and not applicable."
            }
            ValidPercentBase::Substantive => {
                "Prefer not to say and not applicable are left out of every Valid %."
            }
        }
        .to_owned(),
    ];
    if options.synthetic {
        notes.insert(0, "SYNTHETIC DATA: generated for demonstration.".to_owned());
    }
    notes.into_iter().map(|n| truncate(&n, 80)).collect()
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
