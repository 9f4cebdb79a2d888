//! What each variable's codes mean, for raw and derived variables alike.

use std::collections::HashMap;

use skafada_instrument::{Instrument, ItemKind};

/// The meaning of one variable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariableInfo {
    /// The question or statement, or the derived variable's label.
    pub text: String,
    /// Codes and labels, in display order.
    pub labels: Vec<(i32, String)>,
    /// Codes that are not substantive answers ("prefer not to say", "not applicable").
    pub non_substantive: Vec<i32>,
    /// For a matrix item or multiple-choice set: the variables it groups, in order.
    pub members: Vec<String>,
    /// For a set coded from free text: the variable that is 1 where the text matched no
    /// category (0 where it matched one, missing where there is no text).
    pub uncoded: Option<String>,
}

impl VariableInfo {
    /// The label of a code, or the code itself when it has none.
    pub fn label(&self, code: i32) -> String {
        self.labels
            .iter()
            .find(|(c, _)| *c == code)
            .map_or_else(|| code.to_string(), |(_, l)| l.clone())
    }
}

/// Variable identifiers to their meanings.
#[derive(Debug, Clone, Default)]
pub struct Codebook {
    variables: HashMap<String, VariableInfo>,
    /// Identifiers in the order they were first added: instrument order, then derived.
    order: Vec<String>,
}

impl Codebook {
    /// The codebook of an instrument's variables (items, matrix rows, multiple-choice
    /// options as `ITEM.CODE`), plus entries for matrix items and multiple-choice sets
    /// listing their members.
    pub fn from_instrument(instrument: &Instrument) -> Codebook {
        let mut book = Codebook::default();
        for item in instrument.items() {
            let labels = |options: &[skafada_instrument::Choice]| {
                options
                    .iter()
                    .map(|o| (o.code as i32, o.label.clone()))
                    .collect::<Vec<_>>()
            };
            let non_substantive = |options: &[skafada_instrument::Choice]| {
                options
                    .iter()
                    .filter(|o| !o.is_substantive())
                    .map(|o| o.code as i32)
                    .collect::<Vec<_>>()
            };
            match &item.kind {
                ItemKind::Single { options } => {
                    book.insert(
                        &item.id,
                        VariableInfo {
                            text: item.text.clone(),
                            labels: labels(options),
                            non_substantive: non_substantive(options),
                            members: Vec::new(),
                            uncoded: None,
                        },
                    );
                }
                ItemKind::Multiple { options } => {
                    for option in options {
                        book.insert(
                            &format!("{}.{}", item.id, option.code),
                            VariableInfo {
                                text: option.label.clone(),
                                labels: vec![(1, "Ticked".into()), (0, "Not ticked".into())],
                                non_substantive: Vec::new(),
                                members: Vec::new(),
                                uncoded: None,
                            },
                        );
                    }
                    book.insert(
                        &item.id,
                        VariableInfo {
                            text: item.text.clone(),
                            labels: labels(options),
                            non_substantive: non_substantive(options),
                            members: options
                                .iter()
                                .map(|o| format!("{}.{}", item.id, o.code))
                                .collect(),
                            uncoded: None,
                        },
                    );
                }
                ItemKind::Matrix { options, rows, .. } => {
                    for row in rows {
                        book.insert(
                            &row.id,
                            VariableInfo {
                                text: row.text.clone(),
                                labels: labels(options),
                                non_substantive: non_substantive(options),
                                members: Vec::new(),
                                uncoded: None,
                            },
                        );
                    }
                    book.insert(
                        &item.id,
                        VariableInfo {
                            text: item.text.clone(),
                            labels: labels(options),
                            non_substantive: non_substantive(options),
                            members: rows.iter().map(|r| r.id.clone()).collect(),
                            uncoded: None,
                        },
                    );
                }
                ItemKind::Number { .. }
                | ItemKind::Year { .. }
                | ItemKind::Text { .. }
                | ItemKind::Consent { .. } => {
                    book.insert(
                        &item.id,
                        VariableInfo {
                            text: item.text.clone(),
                            ..VariableInfo::default()
                        },
                    );
                }
            }
            if let Some(specify) = &item.specify {
                book.insert(
                    &specify.id,
                    VariableInfo {
                        text: specify.text.clone(),
                        ..VariableInfo::default()
                    },
                );
            }
        }
        book
    }

    /// Adds or replaces a variable.
    pub fn insert(&mut self, id: &str, info: VariableInfo) {
        if self.variables.insert(id.to_owned(), info).is_none() {
            self.order.push(id.to_owned());
        }
    }

    /// Every identifier, in the order first added.
    pub fn members_in_order(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    /// The meaning of a variable.
    pub fn get(&self, id: &str) -> Option<&VariableInfo> {
        self.variables.get(id)
    }
}
