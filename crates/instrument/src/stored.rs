//! How an answer is stored: one text per variable, read back by the variable's kind and
//! never by the look of the value. The web journey, the routing answers and the analysis
//! columns all go through this module, so a free-text answer that happens to read "1,4"
//! stays text, and a multiple choice is always its codes.

use std::collections::BTreeMap;

use crate::model::{Instrument, ItemKind};
use crate::routing::Answer;

/// What a stored variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredKind {
    /// One code: a single choice or a matrix row.
    Code,
    /// A consent statement's code: kept whatever the route, since consent is not a
    /// question the respondent can be routed past.
    Consent,
    /// The ticked codes of a multiple choice, in ascending order: `1,4`.
    Codes,
    /// A whole number or a year.
    Number,
    /// Free text, stored as typed (an "other, please specify" box too).
    Text,
}

/// The stored kind of every variable of an instrument: item ids, matrix rows, consent
/// statements and "please specify" boxes.
pub fn stored_kinds(instrument: &Instrument) -> BTreeMap<String, StoredKind> {
    let mut kinds = BTreeMap::new();
    for item in instrument.items() {
        match &item.kind {
            ItemKind::Consent { statements } => {
                for statement in statements {
                    kinds.insert(statement.id.clone(), StoredKind::Consent);
                }
            }
            ItemKind::Single { .. } => {
                kinds.insert(item.id.clone(), StoredKind::Code);
            }
            ItemKind::Multiple { .. } => {
                kinds.insert(item.id.clone(), StoredKind::Codes);
            }
            ItemKind::Matrix { rows, .. } => {
                for row in rows {
                    kinds.insert(row.id.clone(), StoredKind::Code);
                }
            }
            ItemKind::Text { .. } => {
                kinds.insert(item.id.clone(), StoredKind::Text);
            }
            ItemKind::Number { .. } | ItemKind::Year { .. } => {
                kinds.insert(item.id.clone(), StoredKind::Number);
            }
        }
        if let Some(specify) = &item.specify {
            kinds.insert(specify.id.clone(), StoredKind::Text);
        }
    }
    kinds
}

/// The stored form of a multiple choice's ticked codes: ascending, no repeats, joined by
/// commas (`1,4`).
pub fn encode_codes(codes: impl IntoIterator<Item = u32>) -> String {
    let codes: std::collections::BTreeSet<u32> = codes.into_iter().collect();
    codes
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A multiple choice's stored codes; `None` when any part is not a code (a damaged
/// value is never half read).
pub fn decode_codes(stored: &str) -> Option<Vec<u32>> {
    stored
        .split(',')
        .map(|part| part.trim().parse().ok())
        .collect()
}

/// A stored value as a routing answer; `None` when it does not parse as its kind.
pub fn to_answer(kind: StoredKind, stored: &str) -> Option<Answer> {
    match kind {
        StoredKind::Code | StoredKind::Consent => stored.trim().parse().ok().map(Answer::Choice),
        StoredKind::Codes => {
            decode_codes(stored).map(|codes| Answer::Choices(codes.into_iter().collect()))
        }
        StoredKind::Number => stored.trim().parse().ok().map(Answer::Number),
        StoredKind::Text => Some(Answer::Text(stored.to_owned())),
    }
}

/// The values a form field shows for a stored value: each code of a multiple choice,
/// otherwise the value as it is (whatever commas a text holds).
pub fn form_values(kind: Option<StoredKind>, stored: &str) -> Vec<String> {
    match kind {
        Some(StoredKind::Codes) => match decode_codes(stored) {
            Some(codes) => codes.iter().map(u32::to_string).collect(),
            None => vec![stored.to_owned()],
        },
        _ => vec![stored.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn ticked_codes_survive_the_stored_form(codes in proptest::collection::btree_set(0u32..1000, 1..12)) {
            let stored = encode_codes(codes.iter().rev().copied());
            prop_assert_eq!(decode_codes(&stored), Some(codes.iter().copied().collect::<Vec<_>>()));
            prop_assert_eq!(
                to_answer(StoredKind::Codes, &stored),
                Some(Answer::Choices(codes.clone()))
            );
            prop_assert_eq!(form_values(Some(StoredKind::Codes), &stored).len(), codes.len());
        }

        #[test]
        fn any_text_is_stored_and_shown_as_typed(text in "\\PC*(,\\PC*)*\n?[0-9,]*") {
            prop_assert_eq!(to_answer(StoredKind::Text, &text), Some(Answer::Text(text.clone())));
            prop_assert_eq!(form_values(Some(StoredKind::Text), &text), vec![text.clone()]);
            prop_assert_eq!(form_values(None, &text), vec![text.clone()]);
        }
    }

    #[test]
    fn a_text_that_looks_like_codes_stays_one_text() {
        for text in [
            "1,2",
            "3,4,5",
            "Freedom, \"DASH\"\nand MARAC",
            "Ymwybyddiaeth, cam-drin",
            "家庭, 暴力",
        ] {
            assert_eq!(
                form_values(Some(StoredKind::Text), text),
                vec![text.to_owned()]
            );
        }
        assert_eq!(form_values(Some(StoredKind::Codes), "1,4"), ["1", "4"]);
    }

    #[test]
    fn a_damaged_multiple_choice_is_not_half_read() {
        assert_eq!(decode_codes("1,x,4"), None);
        assert_eq!(to_answer(StoredKind::Codes, "1,,4"), None);
        assert_eq!(to_answer(StoredKind::Code, "two"), None);
        assert_eq!(
            to_answer(StoredKind::Number, "1984"),
            Some(Answer::Number(1984))
        );
    }
}
