//! Bad exports and mappings are refused with the file, row and column, never guessed.

use super::*;

fn error_of(mapping: &str, export: &str) -> String {
    match import_with(mapping, export, "export.csv") {
        Ok(_) => "imported".into(),
        Err(error) => error.to_string(),
    }
}

/// Checks that each case is refused with a message starting as expected.
fn assert_refused(cases: &[(String, &str)], error: impl Fn(&str) -> String) {
    for (input, expected) in cases {
        let error = error(input);
        assert!(
            error.starts_with(expected),
            "expected {expected}\n     got {error}"
        );
    }
}

/// The fixture with its first occurrence of `from` replaced by `to`.
fn changed(export: &str, from: &str, to: &str) -> String {
    assert!(export.contains(from), "{from}");
    export.replacen(from, to, 1)
}

#[test]
fn bad_cells_are_refused_with_file_row_and_column() {
    let cases = [
        (
            changed(CHOICE_TEXT, "\"Agree\"", "\"Maybe\""),
            "export.csv:4:42: `Q40_1` has `Maybe`, which is not a choice of `confidence-responsibility` (`Strongly disagree`, `Disagree`",
        ),
        (
            changed(CHOICE_TEXT, "\"LA02\"", "\"LA99\""),
            "export.csv:6:47: `site` has `LA99`, which is not a site of the mapping (LA01, LA02, LA03)",
        ),
        (
            changed(CHOICE_TEXT, "\"pre\"", "\"baseline\""),
            "export.csv:4:48: `phase` has `baseline`, which is neither `pre`",
        ),
        (
            changed(
                CHOICE_TEXT,
                "\"2023-05-15 09:12:03\"",
                "\"15/05/2023 09:12\"",
            ),
            "export.csv:4:1: `StartDate` has `15/05/2023 09:12`, which is not a date",
        ),
        (
            changed(CHOICE_TEXT, "\"12\"", "\"a dozen\""),
            "export.csv:4:29: `Q2i` has `a dozen`, which is not a whole number",
        ),
        (
            // Progress is not read: the analysis plan's cleaning judges partial responses.
            changed(CHOICE_TEXT, "\"100\",\"1181\"", "\"most\",\"1181\""),
            "imported",
        ),
        (
            changed(CHOICE_TEXT, "\"True\"", "\"Yes\""),
            "export.csv:4:7: `Finished` has `Yes`, which is not 1, 0, True or False",
        ),
        (
            changed(
                CHOICE_TEXT,
                "\"IP Address\",\"81.2.69.160\"",
                "\"Web\",\"81.2.69.160\"",
            ),
            "export.csv:4:3: `Status` has `Web`, which is not one of Qualtrics' response types",
        ),
        (
            changed(
                CHOICE_TEXT,
                ",\"\",\"\",\"\",\"\",\"Quite a bit\"",
                ",\"\",\"Agree\",\"\",\"\",\"Quite a bit\"",
            ),
            "export.csv:8:42: `Q40_1` holds `Agree`, but it is a pre-training question and this row is a post-training response",
        ),
        (
            changed(
                CHOICE_TEXT,
                "Provided information (e.g. phone numbers, pamphlets),Advised",
                "Provided information,Advised",
            ),
            "export.csv:4:30: `Q35a` has `Provided information,Advised them about their options`, which is not a comma-separated list of choices of `actions-parents`",
        ),
        (
            changed(CHOICE_TEXT, "\"Agender\"", "\"Agender\",\"extra\""),
            "export.csv:4: the row has 50 cells but the header has 49 columns",
        ),
    ];
    assert_refused(&cases, |input| error_of(MAPPING, input));
}

#[test]
fn numeric_values_read_as_choice_text_are_refused_with_a_hint() {
    let error = error_of(MAPPING, NUMERIC);
    assert!(
        error.starts_with("export.csv:4:24: `Q1` has `5`, which is not a choice of `gender`"),
        "{error}"
    );
    assert!(error.contains("set values = \"codes\""), "{error}");
    let error = error_of(&numeric_mapping(), CHOICE_TEXT);
    assert!(error.contains("set values = \"labels\""), "{error}");
}

#[test]
fn a_file_that_is_not_a_qualtrics_export_is_refused() {
    let cases = [
        (String::new(), "export.csv: the file is empty"),
        (
            "response_id,site\nr1,LA01\nr2,LA02\n".to_owned(),
            "export.csv:3:1: `response_id` has `r2` where the third header row should hold its import id",
        ),
        (
            "\"a\",\"b\nc".to_owned(),
            "export.csv: the file has only one row",
        ),
    ];
    assert_refused(&cases, |input| error_of(MAPPING, input));
}

#[test]
fn mappings_that_do_not_fit_the_export_or_instruments_are_refused() {
    let cases = [
        (
            MAPPING.replace("Q2d = \"job-title\"", "Q2z = \"job-title\""),
            "mapping.toml: `Q2z` is neither a column name nor an import id of export.csv",
        ),
        (
            MAPPING.replace("Q2d = \"job-title\"", "IPAddress = \"job-title\""),
            "mapping.toml: `IPAddress` is a personal column of the Qualtrics export",
        ),
        (
            MAPPING.replace("Q2d = \"job-title\"", "Q2d = \"job-name\""),
            "mapping.toml: [pre] `Q2d` maps to `job-name`, which is not a variable of skafada-pre",
        ),
        (
            MAPPING.replace("Q2d = \"job-title\"", "Q2d = \"gender\""),
            "mapping.toml: [pre] `Q1` and `Q2d` both map to `gender`",
        ),
        (
            MAPPING.replace("Q35b_99 = \"actions-children.99\"\n", ""),
            "mapping.toml: [pre] the split columns of `actions-children` leave out actions-children.99",
        ),
        (
            MAPPING.replace(
                "Q40_1 = \"confidence-responsibility\"",
                "Q40_1 = \"confidence\"",
            ),
            "mapping.toml: [pre] `Q40_1` maps to `confidence`, a matrix of skafada-pre",
        ),
        (
            MAPPING.replace("site = \"site\"\n", ""),
            "mapping.toml: [record] needs `site`",
        ),
        (
            MAPPING.replace("[phases]\npre = \"pre\"\npost = \"post\"\n", ""),
            "mapping.toml: [record] phase (the phase column) and [phases] (its values) go together",
        ),
        (
            MAPPING.replace("values = \"labels\"", "values = \"text\""),
            "mapping.toml: TOML parse error at line 4",
        ),
        (
            MAPPING.replace(
                "Q2i = \"cases-held\"",
                "Q2i = { variable = \"disability\", values = { \"12\" = 8 } }",
            ),
            "mapping.toml: [pre] `Q2i` recodes `12` as 8, which is not a code of `disability`",
        ),
    ];
    assert_refused(&cases, |input| error_of(input, CHOICE_TEXT));
}

#[test]
fn a_list_of_choices_that_splits_two_ways_is_refused_rather_than_guessed() {
    let mapping = MAPPING.replace(
        "Q35a = \"actions-parents\"",
        "Q35a = { variable = \"actions-parents\", values = { \"a\" = 1, \"b\" = 2, \"a,b\" = 3 } }",
    );
    let export = changed(
        CHOICE_TEXT,
        "Provided information (e.g. phone numbers, pamphlets),Advised them about their options",
        "a,b",
    );
    let error = error_of(&mapping, &export);
    assert!(
        error.starts_with(
            "export.csv:4:30: `Q35a` has `a,b`, which splits into choices in more than one way"
        ),
        "{error}"
    );
}

#[test]
fn two_text_boxes_of_one_question_both_filled_are_refused() {
    let export = changed(CHOICE_TEXT, "\"Agender\",\"\"", "\"Agender\",\"Also this\"");
    let error = error_of(MAPPING, &export);
    assert!(
        error.starts_with("export.csv:4:26: `Q1_6_TEXT` has text, but another column of this row already gave `gender-specify`"),
        "{error}"
    );
}
