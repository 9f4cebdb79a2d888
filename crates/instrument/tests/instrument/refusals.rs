//! One test per kind of refusal.

use skafada_instrument::{Location, ProblemKind};

use super::{MINI_POST, MINI_PRE, assert_refused, load_post};

fn load_pre(source: &str) -> Result<skafada_instrument::Instrument, skafada_instrument::LoadError> {
    skafada_instrument::load(source, "mini-pre.toml")
}

#[test]
fn the_valid_mini_surveys_load() {
    let pre = load_pre(MINI_PRE).unwrap();
    assert_eq!(pre.pages.len(), 3);
    let post = load_post(MINI_POST).unwrap();
    assert_eq!(
        post.row("post-confidence-referrals")
            .unwrap()
            .1
            .twin
            .as_deref(),
        Some("confidence-referrals")
    );
}

#[test]
fn a_syntax_error_is_refused_with_file_line_and_column() {
    let broken = MINI_PRE.replace("title = \"Your work\"", "title = \"Your work");
    let error = assert_refused(load_pre(&broken), ProblemKind::Syntax, "mini-pre.toml");
    let line = MINI_PRE
        .lines()
        .position(|l| l.contains("title = \"Your work\""))
        .unwrap()
        + 1;
    assert_eq!(error.problems[0].location.map(|l| l.line), Some(line));
    assert!(
        error
            .to_string()
            .starts_with(&format!("mini-pre.toml:{line}:")),
        "{error}"
    );
}

#[test]
fn a_truncated_file_is_refused_with_a_message_naming_the_file() {
    let truncated = &MINI_PRE[..MINI_PRE.len() / 2];
    let error = skafada_instrument::load(truncated, "instruments/truncated.toml").unwrap_err();
    assert!(
        error.to_string().starts_with("instruments/truncated.toml"),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_refused() {
    let source = MINI_PRE.replace(
        "title = \"Your views\"",
        "title = \"Your views\"\ncolour = \"red\"",
    );
    assert_refused(load_pre(&source), ProblemKind::Syntax, "mini-pre.toml");
}

#[test]
fn a_key_that_the_item_type_does_not_take_is_refused() {
    let source = MINI_PRE.replace(
        "scale = \"agreement\"",
        "scale = \"agreement\"\nmultiline = true",
    );
    assert_refused(
        load_pre(&source),
        ProblemKind::UnexpectedKey,
        "mini-pre.toml",
    );
}

#[test]
fn a_duplicate_identifier_is_refused_and_points_at_the_first_use() {
    let source = MINI_PRE.replace("id = \"la-service\"", "id = \"employer\"");
    let error = assert_refused(
        load_pre(&source),
        ProblemKind::DuplicateIdentifier,
        "mini-pre.toml",
    );
    assert!(error.to_string().contains("first used at line"), "{error}");
}

#[test]
fn a_row_identifier_clashing_with_an_item_identifier_is_refused() {
    let source = MINI_PRE.replace("id = \"confidence-recording\"", "id = \"works-for-la\"");
    assert_refused(
        load_pre(&source),
        ProblemKind::DuplicateIdentifier,
        "mini-pre.toml",
    );
}

#[test]
fn an_identifier_that_is_not_kebab_case_is_refused() {
    let source = MINI_PRE.replace("id = \"la-service\"", "id = \"Q2c\"");
    assert_refused(
        load_pre(&source),
        ProblemKind::InvalidIdentifier,
        "mini-pre.toml",
    );
}

#[test]
fn an_option_code_used_twice_is_refused() {
    let source = MINI_PRE.replace(
        "{ code = 2, label = \"No\" }",
        "{ code = 1, label = \"No\" }",
    );
    assert_refused(
        load_pre(&source),
        ProblemKind::DuplicateCode,
        "mini-pre.toml",
    );
}

#[test]
fn routing_to_an_unknown_item_is_refused() {
    let source = MINI_PRE.replace(
        "show-if = { item = \"works-for-la\", is = [2] }",
        "show-if = { item = \"works-for-council\", is = [2] }",
    );
    let error = assert_refused(
        load_pre(&source),
        ProblemKind::UnknownRoutingTarget,
        "mini-pre.toml",
    );
    assert!(error.to_string().contains("works-for-council"), "{error}");
}

#[test]
fn routing_on_a_later_item_is_refused() {
    let source = MINI_PRE.replace(
        "show-if = { item = \"works-for-la\", is = [2] }",
        "show-if = { item = \"la-service\", is = [2] }",
    );
    assert_refused(
        load_pre(&source),
        ProblemKind::InvalidRoutingTarget,
        "mini-pre.toml",
    );
}

#[test]
fn routing_on_a_code_the_item_does_not_offer_is_refused() {
    let source = MINI_PRE.replace(
        "show-if = { item = \"works-for-la\", is = [2] }",
        "show-if = { item = \"works-for-la\", is = [3] }",
    );
    assert_refused(load_pre(&source), ProblemKind::UnknownCode, "mini-pre.toml");
}

#[test]
fn an_end_rule_on_a_code_the_item_does_not_offer_is_refused() {
    let source = MINI_PRE.replace("end-if = { is = [1]", "end-if = { is = [7]");
    assert_refused(load_pre(&source), ProblemKind::UnknownCode, "mini-pre.toml");
}

#[test]
fn a_malformed_condition_is_refused() {
    let source = MINI_PRE.replace(
        "show-if = { item = \"works-for-la\", is = [2] }",
        "show-if = { item = \"works-for-la\" }",
    );
    assert_refused(load_pre(&source), ProblemKind::Syntax, "mini-pre.toml");
}

#[test]
fn a_matrix_on_an_undefined_scale_is_refused() {
    let source = MINI_PRE.replace("scale = \"agreement\"", "scale = \"agrement\"");
    assert_refused(
        load_pre(&source),
        ProblemKind::UnknownScale,
        "mini-pre.toml",
    );
}

#[test]
fn a_choice_item_without_options_is_refused() {
    let source = MINI_PRE.replace(
        "options = [{ code = 1, label = \"Early Help\" }, { code = 2, label = \"Other\" }]\n",
        "",
    );
    assert_refused(load_pre(&source), ProblemKind::Missing, "mini-pre.toml");
}

#[test]
fn a_number_range_that_cannot_be_met_is_refused() {
    let source = format!(
        "{MINI_PRE}\n[[pages.items]]\nid = \"cases\"\ntype = \"number\"\ntext = \"How many cases?\"\nmin = 10\nmax = 1\n"
    );
    assert_refused(
        load_pre(&source),
        ProblemKind::InvalidRange,
        "mini-pre.toml",
    );
}

#[test]
fn a_twin_that_does_not_exist_is_refused() {
    let source = MINI_POST.replace(
        "twin = \"confidence-recording\"",
        "twin = \"confidence-documenting\"",
    );
    let error = assert_refused(
        load_post(&source),
        ProblemKind::UnknownTwin,
        "mini-post.toml",
    );
    assert!(
        error.to_string().contains("confidence-documenting"),
        "{error}"
    );
}

#[test]
fn a_twin_whose_scale_differs_is_refused() {
    let source = MINI_POST.replace(
        "{ code = 2, label = \"Agree\" },",
        "{ code = 2, label = \"Agree\" },\n  { code = 3, label = \"Strongly agree\" },",
    );
    let error = assert_refused(
        load_post(&source),
        ProblemKind::TwinScaleDiffers,
        "mini-post.toml",
    );
    assert!(error.to_string().contains("different scale"), "{error}");
}

#[test]
fn a_twin_may_drop_a_not_applicable_option() {
    // The post-training scale above has no "Not applicable", the pre-training one has.
    assert!(load_post(MINI_POST).is_ok());
}

#[test]
fn a_twin_named_twice_is_refused() {
    let source = MINI_POST.replace(
        "twin = \"confidence-recording\"",
        "twin = \"confidence-referrals\"",
    );
    assert_refused(
        load_post(&source),
        ProblemKind::DuplicateIdentifier,
        "mini-post.toml",
    );
}

#[test]
fn twins_in_a_pre_training_survey_are_refused() {
    let source = MINI_PRE.replace(
        "{ id = \"confidence-recording\", text = \"I can record abuse\" }",
        "{ id = \"confidence-recording\", text = \"I can record abuse\", twin = \"confidence-referrals\" }",
    );
    assert_refused(
        load_pre(&source),
        ProblemKind::TwinNotAllowed,
        "mini-pre.toml",
    );
}

#[test]
fn twins_cannot_be_checked_without_the_pre_training_survey() {
    let result = skafada_instrument::parse(MINI_POST, "mini-post.toml")
        .unwrap()
        .validate(None);
    assert_refused(result, ProblemKind::TwinNotAllowed, "mini-post.toml");
}

#[test]
fn a_post_training_survey_must_name_its_pre_training_survey() {
    let source = MINI_POST.replace("compares-with = \"mini-pre.toml\"\n", "");
    assert_refused(load_post(&source), ProblemKind::Missing, "mini-post.toml");
}

#[test]
fn every_problem_is_reported_in_file_order_not_just_the_first() {
    let source = MINI_PRE
        .replace("id = \"la-service\"", "id = \"employer\"")
        .replace("scale = \"agreement\"", "scale = \"agrement\"");
    let error = load_pre(&source).unwrap_err();
    assert!(error.problems.len() >= 2, "{error}");
    let locations: Vec<Location> = error.problems.iter().filter_map(|p| p.location).collect();
    assert!(locations.windows(2).all(|w| w[0] <= w[1]), "{error}");
}

#[test]
fn a_deadline_written_into_the_closing_text_is_refused_and_closes_on_is_accepted() {
    let dated = MINI_PRE.replace(
        "phase = \"pre\"",
        "phase = \"pre\"\nclosing = \"Please submit this survey no later than 24th July 2023.\"",
    );
    let error = assert_refused(load_pre(&dated), ProblemKind::DatedText, "mini-pre.toml");
    assert!(
        error.problems[0].message.contains("\"24th July 2023\"")
            && error.problems[0].message.contains("{closes_on}"),
        "{error}"
    );
    for written in ["July 24, 2023", "1 march 2027", "3rd September 2026."] {
        let dated = MINI_PRE.replace(
            "phase = \"pre\"",
            &format!("phase = \"pre\"\nintro = \"Open until {written}\""),
        );
        assert_refused(load_pre(&dated), ProblemKind::DatedText, "mini-pre.toml");
    }
    let open = MINI_PRE.replace(
        "phase = \"pre\"",
        "phase = \"pre\"\nclosing = \"Please submit this survey no later than {closes_on}. The Domestic Abuse Act 2021 applies; 24 hours a day.\"",
    );
    assert!(load_pre(&open).is_ok());
}
