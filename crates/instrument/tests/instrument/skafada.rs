//! The SKAFADA instruments in `instruments/` hold every item of Appendix A.

use skafada_instrument::{Answer, Answers, Instrument, ItemKind, MissingKind, Phase};

const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
const POST: &str = include_str!("../../../../instruments/skafada-post.toml");

fn pre() -> Instrument {
    skafada_instrument::load(PRE, "instruments/skafada-pre.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn post() -> Instrument {
    let pre = pre();
    skafada_instrument::parse(POST, "instruments/skafada-post.toml")
        .and_then(|draft| draft.validate(Some(&pre)))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn rows<'a>(instrument: &'a Instrument, item: &str) -> Vec<&'a skafada_instrument::Row> {
    match &instrument
        .item(item)
        .unwrap_or_else(|| panic!("no item {item}"))
        .kind
    {
        ItemKind::Matrix { rows, .. } => rows.iter().collect(),
        other => panic!("{item} is a {} item, not a matrix", other.type_name()),
    }
}

fn options(instrument: &Instrument, item: &str) -> Vec<String> {
    instrument
        .item(item)
        .and_then(|i| i.kind.options())
        .unwrap_or_default()
        .iter()
        .map(|o| o.label.clone())
        .collect()
}

#[test]
fn both_instruments_are_valid_and_the_post_survey_compares_with_the_pre_survey() {
    let pre = pre();
    let post = post();
    assert_eq!(pre.phase, Phase::Pre);
    assert_eq!(post.phase, Phase::Post);
    assert_eq!(post.compares_with.as_deref(), Some("skafada-pre.toml"));
}

#[test]
fn consent_has_the_six_statements_of_appendix_a() {
    let pre = pre();
    let consent = pre
        .items()
        .find(|i| matches!(i.kind, ItemKind::Consent { .. }))
        .expect("a consent item");
    let ItemKind::Consent { statements } = &consent.kind else {
        unreachable!()
    };
    assert_eq!(statements.len(), 6);
    assert!(statements[1].text.contains("anonymous survey"));
    assert!(
        statements[2]
            .text
            .contains("decline to answer any particular question")
    );
    assert!(
        !statements
            .iter()
            .any(|s| s.text.contains("satisfactori ") || s.text.contains(" sur "))
    );
}

#[test]
fn both_surveys_have_eighteen_knowledge_eleven_true_false_and_eleven_confidence_statements() {
    let pre = pre();
    let post = post();
    assert_eq!(rows(&pre, "knowledge").len(), 18);
    assert_eq!(rows(&pre, "attitudes").len(), 11);
    assert_eq!(rows(&pre, "confidence").len(), 11);
    assert_eq!(rows(&post, "post-knowledge").len(), 18);
    assert_eq!(rows(&post, "post-attitudes").len(), 11);
    assert_eq!(rows(&post, "post-confidence").len(), 11);
}

#[test]
fn every_post_statement_names_its_pre_twin_in_the_same_order() {
    let pre = pre();
    let post = post();
    for (pre_item, post_item) in [
        ("knowledge", "post-knowledge"),
        ("attitudes", "post-attitudes"),
        ("confidence", "post-confidence"),
    ] {
        let twins: Vec<Option<&str>> = rows(&post, post_item)
            .iter()
            .map(|r| r.twin.as_deref())
            .collect();
        let expected: Vec<Option<&str>> = rows(&pre, pre_item)
            .iter()
            .map(|r| Some(r.id.as_str()))
            .collect();
        assert_eq!(twins, expected, "{post_item}");
    }
}

#[test]
fn the_blank_q27_is_restored_from_the_post_training_survey() {
    let pre = pre();
    let attitudes = rows(&pre, "attitudes");
    let q27 = attitudes[3];
    assert_eq!(q27.id, "attitude-multiple-needs");
    assert!(q27.text.contains("multiple support needs"), "{}", q27.text);
    assert!(
        !q27.corrections.is_empty(),
        "the restoration is recorded beside the row"
    );
}

#[test]
fn enquiry_lists_eighteen_needs_for_parents_and_seventeen_for_children() {
    let pre = pre();
    let parents = rows(&pre, "enquiry-parents");
    let children = rows(&pre, "enquiry-children");
    assert_eq!(parents.len(), 18);
    assert_eq!(children.len(), 17);
    assert!(
        parents
            .iter()
            .any(|r| r.text.contains("Housing issues/Homelessness"))
    );
    assert!(!children.iter().any(|r| r.text.contains("Housing")));
    assert!(
        parents
            .iter()
            .any(|r| r.text == "Children's emotional/sleeping difficulties")
    );
}

#[test]
fn the_enquiry_scale_marks_not_applicable_as_missing() {
    let pre = pre();
    let Some(ItemKind::Matrix { options, .. }) = pre.item("enquiry-parents").map(|i| &i.kind)
    else {
        panic!()
    };
    let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Never",
            "Seldom",
            "Sometimes",
            "Nearly always",
            "Always",
            "Not applicable"
        ]
    );
    assert_eq!(options[5].missing, Some(MissingKind::NotApplicable));
}

#[test]
fn q35_lists_ten_actions_for_parents_and_for_children_with_an_exclusive_not_applicable() {
    let pre = pre();
    for item in ["actions-parents", "actions-children"] {
        let Some(ItemKind::Multiple { options }) = pre.item(item).map(|i| &i.kind) else {
            panic!("{item}")
        };
        let substantive: Vec<_> = options.iter().filter(|o| o.is_substantive()).collect();
        assert_eq!(substantive.len(), 10, "{item}");
        let not_applicable = options
            .iter()
            .find(|o| !o.is_substantive())
            .expect("not applicable");
        assert!(not_applicable.exclusive);
    }
    assert_eq!(
        options(&pre, "actions-parents"),
        options(&pre, "actions-children")
    );
}

#[test]
fn the_post_survey_has_the_five_training_evaluation_items() {
    let post = post();
    let evaluation = rows(&post, "training-evaluation");
    assert_eq!(evaluation.len(), 5);
    assert!(evaluation[0].text.contains("range of activities"));
    let Some(ItemKind::Matrix { options, .. }) = post.item("training-evaluation").map(|i| &i.kind)
    else {
        panic!()
    };
    let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["Poor", "Average", "Good", "Excellent"]);
}

#[test]
fn the_post_survey_asks_about_group_completion_and_the_two_free_text_questions() {
    let post = post();
    assert!(matches!(
        post.item("completed-in-group").map(|i| &i.kind),
        Some(ItemKind::Single { .. })
    ));
    assert!(matches!(
        post.item("practice-change").map(|i| &i.kind),
        Some(ItemKind::Text {
            multiline: true,
            ..
        })
    ));
    assert!(matches!(
        post.item("further-training").map(|i| &i.kind),
        Some(ItemKind::Text {
            multiline: true,
            ..
        })
    ));
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn code(instrument: &Instrument, item: &str, label: &str) -> u32 {
    instrument
        .item(item)
        .and_then(|i| i.kind.options())
        .and_then(|o| o.iter().find(|o| o.label.starts_with(label)))
        .map(|o| o.code)
        .unwrap_or_else(|| panic!("{item} has no option {label}"))
}

#[test]
fn q2b_yes_asks_q2c_and_no_asks_for_the_employer() {
    let pre = pre();
    let yes = code(&pre, "works-for-la", "Yes");
    let no = code(&pre, "works-for-la", "No");
    let route = pre.route(&answers(&[("works-for-la", Answer::Choice(yes))]));
    assert!(route.shows("la-service") && !route.shows("employer"));
    let route = pre.route(&answers(&[("works-for-la", Answer::Choice(no))]));
    assert!(route.shows("employer") && !route.shows("la-service"));
}

#[test]
fn a_specialist_domestic_abuse_service_or_camhs_employee_is_thanked_and_the_survey_closes() {
    let pre = pre();
    let no = code(&pre, "works-for-la", "No");
    for employer in ["Specialist domestic abuse service", "CAMHS"] {
        let given = answers(&[
            ("works-for-la", Answer::Choice(no)),
            ("employer", Answer::Choice(code(&pre, "employer", employer))),
        ]);
        let route = pre.route(&given);
        let (item, rule) = route
            .ended_by
            .unwrap_or_else(|| panic!("{employer} should close the survey"));
        assert_eq!(item.id, "employer");
        assert!(
            rule.message.to_lowercase().contains("thank you"),
            "{}",
            rule.message
        );
        assert!(!route.shows("knowledge"));
    }
    let housing = code(&pre, "employer", "Housing association");
    let given = answers(&[
        ("works-for-la", Answer::Choice(no)),
        ("employer", Answer::Choice(housing)),
    ]);
    assert!(pre.route(&given).ended_by.is_none());
}

#[test]
fn only_case_holders_are_asked_how_many_cases_they_hold() {
    let pre = pre();
    let yes = code(&pre, "holds-cases", "Yes");
    let no = code(&pre, "holds-cases", "No");
    let route = pre.route(&answers(&[("holds-cases", Answer::Choice(yes))]));
    assert!(route.shows("cases-held") && !route.shows("families-worked-with"));
    let route = pre.route(&answers(&[("holds-cases", Answer::Choice(no))]));
    assert!(!route.shows("cases-held") && route.shows("families-worked-with"));
}

#[test]
fn the_json_view_carries_the_contract_fields() {
    let post = post();
    let json = serde_json::to_value(post.json_view()).unwrap();
    assert_eq!(json["id"], "skafada-post");
    let items = json["items"].as_array().unwrap();
    let knowledge = items.iter().find(|i| i["id"] == "post-knowledge").unwrap();
    assert_eq!(knowledge["type"], "matrix");
    assert_eq!(knowledge["rows"].as_array().unwrap().len(), 18);
    assert_eq!(knowledge["rows"][2]["twin"], "knowledge-dash");
    assert!(
        knowledge["options"][0]["code"].is_u64() && knowledge["options"][0]["label"].is_string()
    );
}

#[test]
fn the_markdown_view_shows_routing_and_corrections_for_proof_reading() {
    let markdown = pre().markdown_view();
    assert!(markdown.contains("Asked only if `works-for-la` is"));
    assert!(markdown.contains("end the survey"));
    assert!(markdown.contains("> Correction:"));
}
