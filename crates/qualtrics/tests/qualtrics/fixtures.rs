//! The hand-made exports: choice text and numeric values, personal columns, previews.

use skafada_analysis::data::{Dataset, MISSING, Status};

use super::*;

fn value(imported: &skafada_qualtrics::Imported, id: &str, row: usize) -> i32 {
    imported.pre.values(id).unwrap().get(row).unwrap()
}

fn text(imported: &skafada_qualtrics::Imported, id: &str, row: usize) -> Option<String> {
    imported.pre.texts(id).unwrap().get(row).map(str::to_owned)
}

#[test]
fn choice_text_export_imports_each_awkward_case_as_the_instruments_codes() {
    let imported = import_with(MAPPING, CHOICE_TEXT, "choice-text.csv").unwrap();
    assert_eq!(
        imported.pre.len(),
        4,
        "six rows: a preview and a post-training one"
    );
    assert_eq!(imported.post.as_ref().map(|p| p.len()), Some(1));
    // Single choice by its text, and the text box of the option chosen.
    assert_eq!(value(&imported, "gender", 0), 5);
    assert_eq!(
        text(&imported, "gender-specify", 0).as_deref(),
        Some("Agender")
    );
    assert_eq!(
        value(&imported, "age", 0),
        3,
        "mapped by its import id QID4"
    );
    // A quoted cell spanning two lines.
    assert_eq!(
        text(&imported, "job-title", 0).as_deref(),
        Some("Family support worker\nEarly help hub")
    );
    assert_eq!(value(&imported, "cases-held", 0), 12);
    // One column listing the choices, one of which holds a comma in its text.
    let parents: Vec<i32> = [1, 2, 3, 99]
        .iter()
        .map(|c| value(&imported, &format!("actions-parents.{c}"), 0))
        .collect();
    assert_eq!(parents, [1, 0, 1, 0]);
    // Split columns: ticked, not ticked, and (second row) not shown at all.
    let children: Vec<i32> = [1, 2, 7, 99]
        .iter()
        .map(|c| value(&imported, &format!("actions-children.{c}"), 0))
        .collect();
    assert_eq!(children, [1, 0, 1, 0]);
    assert_eq!(value(&imported, "actions-children.1", 1), MISSING);
    assert_eq!(value(&imported, "actions-parents.99", 1), 1);
    // Answered, seen but unanswered (-99), and blank.
    assert_eq!(value(&imported, "confidence-responsibility", 0), 4);
    assert_eq!(
        value(&imported, "confidence-sufficient-training", 0),
        MISSING
    );
    assert_eq!(value(&imported, "confidence-documenting", 0), MISSING);
    assert_eq!(value(&imported, "consent-take-part", 0), 1);
    assert_eq!(
        imported.pre.status,
        [
            Status::Submitted,
            Status::Consented,
            Status::Started,
            Status::Submitted
        ]
    );
    assert_eq!(imported.pre.started_on[0], "2023-05-15");
    assert_eq!(imported.pre.site, [0, 1, 2, 2]);
}

#[test]
fn numeric_values_export_imports_to_the_same_responses_as_choice_text() {
    let text = import_with(MAPPING, CHOICE_TEXT, "e.csv").unwrap();
    let numeric = import_with(&numeric_mapping(), NUMERIC, "e.csv").unwrap();
    assert_eq!(text.pre, numeric.pre);
    assert_eq!(text.post, numeric.post);
}

#[test]
fn pre_and_post_records_of_one_respondent_share_a_new_identifier() {
    let imported = import_with(MAPPING, CHOICE_TEXT, "choice-text.csv").unwrap();
    let post = imported.post.unwrap();
    assert_eq!(post.respondent_id[0], imported.pre.respondent_id[0]);
    assert!(post.respondent_id[0].starts_with("respondent-"));
    let mut ids = imported.pre.respondent_id.clone();
    ids.dedup();
    assert_eq!(
        ids.len(),
        4,
        "records without a pairing code are respondents of their own"
    );
    assert_eq!(imported.pre.response_id[0], "pre-00001");
    assert_eq!(
        post.values("post-confidence-responsibility")
            .unwrap()
            .get(0),
        Some(5)
    );
}

#[test]
fn a_survey_preview_is_skipped_and_reported() {
    let imported = import_with(MAPPING, CHOICE_TEXT, "choice-text.csv").unwrap();
    let skipped: Vec<(u64, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.row, s.reason.as_str()))
        .collect();
    assert_eq!(skipped, [(7, "survey preview")]);
}

#[test]
fn personal_columns_are_dropped_and_listed() {
    let imported = import_with(MAPPING, CHOICE_TEXT, "choice-text.csv").unwrap();
    let personal = imported.dropped_columns("choice-text.csv", true);
    assert_eq!(
        personal,
        [
            "IPAddress",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "ExternalReference",
            "LocationLatitude",
            "LocationLongitude"
        ]
    );
    let other = imported.dropped_columns("choice-text.csv", false);
    assert!(other.contains(&"ResponseId") && other.contains(&"Duration (in seconds)"));
}

#[test]
fn nothing_personal_or_linkable_reaches_the_written_files() {
    let (pre, post) = instruments();
    for (mapping, export) in [
        (MAPPING.to_owned(), CHOICE_TEXT),
        (numeric_mapping(), NUMERIC),
    ] {
        let imported = import_with(&mapping, export, "e.csv").unwrap();
        let files = imported
            .files(
                "Fixture study",
                (&pre, "instruments/skafada-pre.toml"),
                Some((&post, "instruments/skafada-post.toml")),
            )
            .unwrap();
        let written = [
            files.manifest,
            files.sites,
            files.pre,
            files.post.unwrap_or_default(),
            files.codebook,
        ]
        .join("\n");
        for personal in [
            "81.2.69.160",
            "2001:db8::1",
            "192.0.2.7",
            "jo.bloggs@example.org",
            "Bloggs",
            "Joanne",
            "EMP-0042",
            "53.7632",
            "-2.7044",
            "51.5072",
            // Qualtrics' response ids and the pairing codes link back to the export.
            "R_1qWx8dT2sLkP3aZ",
            "ks-7731",
            "ks-9902",
            // Times of day are dropped with the dates kept.
            "09:12:03",
        ] {
            assert!(!written.contains(personal), "`{personal}` was written");
        }
    }
}

#[test]
fn the_written_folder_reads_back_with_a_formula_like_answer_as_typed() {
    let (pre, post) = instruments();
    let imported = import_with(MAPPING, CHOICE_TEXT, "choice-text.csv").unwrap();
    let files = imported
        .files(
            "Fixture study",
            (&pre, "instruments/skafada-pre.toml"),
            Some((&post, "instruments/skafada-post.toml")),
        )
        .unwrap();
    assert!(files.pre.contains("'=HYPERLINK"), "neutralised in the CSV");
    let dataset = Dataset::from_files(&export_files(files)).unwrap();
    assert_eq!(dataset.pre, imported.pre);
    assert_eq!(
        dataset.pre.texts("gender-specify").unwrap().get(3),
        Some("=HYPERLINK(\"http://x\",\"click\")")
    );
}

#[test]
fn an_import_written_back_as_a_qualtrics_export_imports_to_the_same_responses() {
    let (pre, post) = instruments();
    for (mapping_text, export) in [
        (MAPPING.to_owned(), CHOICE_TEXT),
        (numeric_mapping(), NUMERIC),
    ] {
        let first = import_with(&mapping_text, export, "e.csv").unwrap();
        let mapping = Mapping::parse(&mapping_text, "mapping.toml").unwrap();
        let post_responses = first.post.clone().unwrap();
        let pre_export = skafada_qualtrics::to_qualtrics_csv(
            &mapping,
            skafada_qualtrics::Phase::Pre,
            &pre,
            &first.pre,
            &first.sites,
        )
        .unwrap();
        let post_export = skafada_qualtrics::to_qualtrics_csv(
            &mapping,
            skafada_qualtrics::Phase::Post,
            &post,
            &post_responses,
            &first.sites,
        )
        .unwrap();
        let pre_table = Table::from_csv(&pre_export, "pre.csv").unwrap();
        let post_table = Table::from_csv(&post_export, "post.csv").unwrap();
        let again = skafada_qualtrics::import(
            &mapping,
            "mapping.toml",
            &pre,
            Some(&post),
            &[
                Source {
                    file: "pre.csv",
                    table: &pre_table,
                    phase: Some(skafada_qualtrics::Phase::Pre),
                },
                Source {
                    file: "post.csv",
                    table: &post_table,
                    phase: Some(skafada_qualtrics::Phase::Post),
                },
            ],
        )
        .unwrap();
        assert_eq!(again.pre, first.pre);
        assert_eq!(again.post, first.post);
    }
}

#[test]
fn a_column_both_phases_map_is_read_for_the_phase_of_each_row() {
    // One Qualtrics survey asking the same confidence statement before and after.
    let mapping = MAPPING.replace(
        "P26_1 = \"post-confidence-responsibility\"",
        "Q40_1 = \"post-confidence-responsibility\"",
    );
    let export = CHOICE_TEXT.replacen(
        ",\"\",\"\",\"\",\"\",\"Quite a bit\"",
        ",\"\",\"Strongly agree\",\"\",\"\",\"Quite a bit\"",
        1,
    );
    let imported = import_with(&mapping, &export, "choice-text.csv").unwrap();
    assert_eq!(value(&imported, "confidence-responsibility", 0), 4);
    let post = imported.post.unwrap();
    assert_eq!(
        post.values("post-confidence-responsibility")
            .unwrap()
            .to_vec(),
        [5]
    );
}

#[test]
fn a_very_long_list_of_choices_is_read_in_linear_time() {
    let choice = "Provided information (e.g. phone numbers, pamphlets)";
    let long = vec![choice; 20_000].join(",");
    let export = CHOICE_TEXT.replacen(
        "Provided information (e.g. phone numbers, pamphlets),Advised them about their options",
        &long,
        1,
    );
    let started = std::time::Instant::now();
    let imported = import_with(MAPPING, &export, "choice-text.csv").unwrap();
    assert_eq!(value(&imported, "actions-parents.1", 0), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
