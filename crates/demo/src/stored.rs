//! A record's answers as the live journey stores them: one text value per question
//! (a code, a number, a text, or the ticked codes of a "select all that apply" question
//! joined by commas), nothing for a question left unanswered.

use std::collections::BTreeMap;

use skafada_analysis::data::{MISSING, Responses, VariableKind, variables};
use skafada_instrument::Instrument;

/// The stored answers of one record of `data`, by question (matrix statements by row).
pub fn stored_answers(
    instrument: &Instrument,
    data: &Responses,
    row: usize,
) -> Vec<(String, String)> {
    let mut answers: Vec<(String, String)> = Vec::new();
    let mut ticked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for variable in variables(instrument) {
        match variable.kind {
            VariableKind::Text => {
                if let Some(text) = data.texts(&variable.id).and_then(|t| t.get(row)) {
                    answers.push((variable.id.clone(), text.to_owned()));
                }
            }
            VariableKind::Tick => {
                let value = data.values(&variable.id).and_then(|v| v.get(row));
                let code = variable.id.rsplit('.').next().unwrap_or_default();
                if value == Some(1) {
                    ticked
                        .entry(variable.item.clone())
                        .or_default()
                        .push(code.to_owned());
                }
            }
            _ => {
                let value = data.values(&variable.id).and_then(|v| v.get(row));
                if let Some(value) = value.filter(|v| *v != MISSING) {
                    answers.push((variable.id.clone(), value.to_string()));
                }
            }
        }
    }
    answers.extend(
        ticked
            .into_iter()
            .map(|(item, codes)| (item, codes.join(","))),
    );
    answers
}
