//! The codebook, the SPSS names and the CSV export.

use std::collections::HashSet;

use skafada_analysis::data::{Responses, variables};
use skafada_export::{Codebook, Measure, names};

use crate::{outcomes, post_instrument, pre_instrument, responses, sites};

#[test]
fn the_codebook_lists_every_variable_with_its_question_codes_labels_and_missing_types() {
    for instrument in [pre_instrument(), post_instrument()] {
        let none = outcomes(&instrument, &Responses::default());
        let csv =
            String::from_utf8(skafada_export::codebook_csv(&instrument, &none).unwrap()).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let has = |column: &str, code: &str, label: &str, missing: &str| {
            rows.iter()
                .any(|r| &r[1] == column && &r[5] == code && &r[6] == label && &r[7] == missing)
        };
        for variable in variables(&instrument) {
            assert!(
                rows.iter()
                    .any(|r| r[1] == variable.id && r[4] == variable.text),
                "{} is missing from the codebook",
                variable.id
            );
            let item = instrument.item(&variable.item).unwrap();
            if let skafada_analysis::data::VariableKind::Code(_) = variable.kind {
                for option in item.kind.options().unwrap() {
                    let missing = match option.missing {
                        Some(skafada_instrument::MissingKind::PreferNotToSay) => {
                            "prefer-not-to-say"
                        }
                        Some(skafada_instrument::MissingKind::NotApplicable) => "not-applicable",
                        None => "",
                    };
                    assert!(
                        has(
                            &variable.id,
                            &option.code.to_string(),
                            &option.label,
                            missing
                        ),
                        "{} code {} is missing from the codebook",
                        variable.id,
                        option.code
                    );
                }
            }
        }
    }
}

#[test]
fn spss_names_are_valid_unique_without_regard_to_case_and_kept_in_the_codebook() {
    for instrument in [pre_instrument(), post_instrument()] {
        let book = Codebook::new(&instrument, &outcomes(&instrument, &Responses::default()));
        let mut seen = HashSet::new();
        for entry in &book.entries {
            assert!(names::is_valid(&entry.spss_name), "{}", entry.spss_name);
            assert!(
                seen.insert(entry.spss_name.to_ascii_uppercase()),
                "{}",
                entry.spss_name
            );
        }
        for set in &book.sets {
            assert!(names::is_valid(&set.spss_name), "{}", set.spss_name);
        }
        let csv = String::from_utf8(book.to_csv().unwrap()).unwrap();
        for entry in &book.entries {
            assert!(csv.contains(&format!(",{},{},", entry.spss_name, entry.measure.as_str())));
        }
    }
    let book = pre_codebook();
    assert_eq!(
        book.entry("knowledge-dash").unwrap().spss_name,
        "knowledge_dash"
    );
    assert_eq!(
        book.entry("actions-parents.3").unwrap().spss_name,
        "actions_parents_3"
    );
}

#[test]
fn names_that_clash_reserved_words_and_leading_digits_are_made_valid_and_distinct() {
    let mut namer = names::Namer::new();
    let made: Vec<String> = [
        "a-b",
        "a.b",
        "A_B",
        "by",
        "3rd",
        "x".repeat(80).as_str(),
        "__",
    ]
    .iter()
    .map(|c| namer.name(c))
    .collect();
    assert_eq!(&made[..3], ["a_b", "a_b_2", "A_B_3"]);
    assert_eq!(made[3], "by_v");
    assert_eq!(made[4], "v3rd");
    assert!(made.iter().all(|n| names::is_valid(n)), "{made:?}");
}

#[test]
fn matrix_rows_are_ordinal_numbers_are_scale_and_choices_are_nominal() {
    let book = pre_codebook();
    assert_eq!(
        book.entry("confidence-documenting").unwrap().measure,
        Measure::Ordinal
    );
    assert_eq!(book.entry("trained").unwrap().measure, Measure::Nominal);
    assert!(book.entries.iter().any(|e| e.measure == Measure::Scale));
    assert!(
        book.sets
            .iter()
            .any(|s| s.item == "actions-parents" && s.members.len() > 1)
    );
}

#[test]
fn the_csv_export_is_the_response_file_and_its_codes_round_trip() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 60, 7);
    let found = outcomes(&instrument, &data);
    let csv = skafada_export::to_csv(&instrument, &data, &sites(), &found).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let back = Responses::from_csv(&csv, "pre.csv", &instrument, &sites()).unwrap();
    for variable in variables(&instrument) {
        assert_eq!(
            back.values(&variable.id),
            data.values(&variable.id),
            "{}",
            variable.id
        );
        assert_eq!(
            back.texts(&variable.id),
            data.texts(&variable.id),
            "{}",
            variable.id
        );
    }
    assert_eq!(back.response_id, data.response_id);
}

fn pre_codebook() -> Codebook {
    let instrument = pre_instrument();
    Codebook::new(&instrument, &outcomes(&instrument, &Responses::default()))
}
