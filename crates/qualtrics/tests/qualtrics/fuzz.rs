//! Mutated exports and mappings: the importer never panics, and every refusal names the
//! file it is about.

use proptest::prelude::*;

use super::*;

/// Characters that matter to CSV, Qualtrics' cells and TOML.
const PIECES: [&str; 14] = [
    "\"",
    ",",
    "\n",
    "\r\n",
    "-99",
    "1",
    "0",
    "{\"ImportId\":\"QID9\"}",
    "\u{feff}",
    "é",
    "=",
    "[",
    "x",
    "",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Replace(at, piece)),
    ]
}

/// The nearest character boundary at or before `at` (taken modulo the length).
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_owned();
    for mutation in mutations {
        match *mutation {
            Mutation::Insert(at, piece) => {
                let at = boundary(&text, at);
                text.insert_str(at, PIECES[piece]);
            }
            Mutation::Delete(at, len) | Mutation::Replace(at, len) => {
                let from = boundary(&text, at);
                let to = boundary(&text, from.saturating_add(len % 40).min(text.len()));
                let to = to.max(from);
                let with = match mutation {
                    Mutation::Replace(_, piece) => PIECES[piece % PIECES.len()],
                    _ => "",
                };
                text.replace_range(from..to, with);
            }
        }
    }
    text
}

fn refusal_names_its_file(outcome: Result<Imported, ImportError>) -> Result<(), String> {
    match outcome {
        Ok(_) => Ok(()),
        Err(error) => {
            let message = error.to_string();
            if message.starts_with("export.csv") || message.starts_with("mapping.toml") {
                Ok(())
            } else {
                Err(message)
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_mutated_export_is_imported_or_refused_naming_the_file(
        mutations in prop::collection::vec(mutation(), 1..6),
        numeric in any::<bool>(),
    ) {
        let (mapping, export) = if numeric {
            (numeric_mapping(), NUMERIC)
        } else {
            (MAPPING.to_owned(), CHOICE_TEXT)
        };
        let export = mutate(export, &mutations);
        prop_assert_eq!(
            refusal_names_its_file(import_with(&mapping, &export, "export.csv")),
            Ok(())
        );
    }

    #[test]
    fn a_mutated_mapping_is_used_or_refused_naming_the_file(
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mapping = mutate(MAPPING, &mutations);
        prop_assert_eq!(
            refusal_names_its_file(import_with(&mapping, CHOICE_TEXT, "export.csv")),
            Ok(())
        );
    }
}
