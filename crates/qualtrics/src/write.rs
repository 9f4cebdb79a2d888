//! Responses written as a Qualtrics CSV export through a mapping: the inverse of
//! [`crate::import`], so that the two are tested as a round trip and a study's native
//! data can be checked against what the importer makes of them.

use std::collections::BTreeMap;

use skafada_analysis::data::{MISSING, Responses, Site, Status, VariableKind, variables};
use skafada_instrument::Instrument;

use crate::mapping::{Mapping, ValueMode};
use crate::{ImportError, PERSONAL_COLUMNS, Phase, options_of};

/// Writes one phase's responses as a Qualtrics CSV export (three header rows) with the
/// mapping's columns and value mode. Personal columns are written empty; each record's
/// respondent identifier goes in the mapping's pairing column, if it has one.
pub fn to_qualtrics_csv(
    mapping: &Mapping,
    phase: Phase,
    instrument: &Instrument,
    responses: &Responses,
    sites: &[Site],
) -> Result<String, ImportError> {
    let columns = match phase {
        Phase::Pre => &mapping.pre,
        Phase::Post => &mapping.post,
    };
    let kinds: BTreeMap<String, (VariableKind, String)> = variables(instrument)
        .into_iter()
        .map(|v| (v.id, (v.kind, v.item)))
        .collect();
    let choice = |item: &str, code: i32| -> String {
        match mapping.values {
            ValueMode::Codes => code.to_string(),
            ValueMode::Labels => options_of(instrument, item)
                .iter()
                .find(|o| i32::try_from(o.code).is_ok_and(|c| c == code))
                .map(|o| o.label.clone())
                .unwrap_or_default(),
        }
    };
    let record = &mapping.record;
    let phase_value = mapping.phases.as_ref().map(|p| match phase {
        Phase::Pre => p.pre.as_str(),
        Phase::Post => p.post.as_str(),
    });
    let mut names: Vec<&str> = vec![
        record.started_on.as_str(),
        "EndDate",
        record.status.as_str(),
    ];
    names.extend(PERSONAL_COLUMNS);
    names.extend([record.finished.as_str(), "ResponseId"]);
    names.extend(columns.keys().map(String::as_str));
    let extra: Vec<&str> = [
        record.site.as_deref(),
        record.phase.as_deref(),
        record.respondent.as_deref(),
        record.returning.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    names.extend(&extra);
    let failed = |e: csv::Error| ImportError::Export {
        file: "the written export".into(),
        message: e.to_string(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&names).map_err(failed)?;
    writer.write_record(&names).map_err(failed)?;
    writer
        .write_record(
            names
                .iter()
                .map(|n| serde_json::json!({ "ImportId": n }).to_string()),
        )
        .map_err(failed)?;
    // Several "_TEXT" columns may feed one "please specify" variable: its text goes in the
    // first of them.
    let mut first_text: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, target) in columns {
        first_text.entry(target.variable()).or_insert(key);
    }
    for row in 0..responses.len() {
        let value = |id: &str| {
            responses
                .values(id)
                .and_then(|v| v.get(row))
                .unwrap_or(MISSING)
        };
        let started = responses.started_on.get(row).cloned().unwrap_or_default();
        let finished = matches!(
            responses.status.get(row),
            Some(Status::Submitted | Status::Ended)
        );
        let mut cells: Vec<String> = vec![
            format!("{started} 00:00:00"),
            format!("{started} 00:00:00"),
            "0".into(),
        ];
        cells.extend(PERSONAL_COLUMNS.iter().map(|_| String::new()));
        cells.push(if finished { "1" } else { "0" }.into());
        cells.push(format!("R_{:015}", row + 1));
        for (key, target) in columns {
            let variable = target.variable();
            let cell = match kinds.get(variable) {
                Some((VariableKind::Text, _)) => {
                    if first_text.get(variable) == Some(&key.as_str()) {
                        responses
                            .texts(variable)
                            .and_then(|t| t.get(row))
                            .unwrap_or_default()
                            .to_owned()
                    } else {
                        String::new()
                    }
                }
                Some((VariableKind::Code(_), item)) => match value(variable) {
                    MISSING => String::new(),
                    code => choice(item, code),
                },
                // A split column of one option: 1 (or its text) when ticked.
                Some((VariableKind::Tick, item)) => match (value(variable), mapping.values) {
                    (1, ValueMode::Codes) => "1".into(),
                    (1, ValueMode::Labels) => {
                        let code = variable
                            .rsplit('.')
                            .next()
                            .and_then(|c| c.parse().ok())
                            .unwrap_or(MISSING);
                        choice(item, code)
                    }
                    (0, ValueMode::Codes) => "0".into(),
                    _ => String::new(),
                },
                Some((VariableKind::Agreed, _)) => match value(variable) {
                    1 => "1".into(),
                    _ => String::new(),
                },
                Some((VariableKind::Number, _)) => match value(variable) {
                    MISSING => String::new(),
                    number => number.to_string(),
                },
                // A multiple choice item as one column listing its ticked choices.
                None => options_of(instrument, variable)
                    .iter()
                    .filter(|o| value(&format!("{variable}.{}", o.code)) == 1)
                    .map(|o| choice(variable, i32::try_from(o.code).unwrap_or(MISSING)))
                    .collect::<Vec<_>>()
                    .join(","),
            };
            cells.push(cell);
        }
        if record.site.is_some() {
            let site = responses.site.get(row).and_then(|s| sites.get(*s));
            cells.push(site.map(|s| s.site.clone()).unwrap_or_default());
        }
        if let Some(value) = phase_value {
            cells.push(value.to_owned());
        }
        if record.respondent.is_some() {
            cells.push(
                responses
                    .respondent_id
                    .get(row)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        if record.returning.is_some() {
            let returning = responses.returning.get(row).copied().unwrap_or(false);
            cells.push(if returning { "1" } else { "0" }.into());
        }
        writer.write_record(&cells).map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|e| ImportError::Export {
        file: "the written export".into(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| ImportError::Export {
        file: "the written export".into(),
        message: e.to_string(),
    })
}
