//! The JSON contract of `skafada analyse` and the export format round trip.

use skafada_analysis::analyse;
use skafada_analysis::data::{ExportFiles, Responses, variables};

use super::{Respondent, dataset, plan, post_instrument, post_respondent, pre_instrument, sites};

#[test]
fn the_json_has_cleaning_tables_and_tests_with_published_table_ids() {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let pre: Vec<_> = (0..8)
        .map(|i| {
            Respondent::complete(&format!("r{i}"), &pre_i)
                .set("trained", 1 + i % 2)
                .set("knowledge-dash", 1 + i % 5)
        })
        .collect();
    let post: Vec<_> = (0..4)
        .map(|i| post_respondent(&format!("r{i}"), &post_i))
        .collect();
    let json = serde_json::to_value(analyse(&plan(), &dataset(&pre, &post)).unwrap()).unwrap();
    assert_eq!(json["cleaning"]["pre"]["records"], 8);
    assert_eq!(json["cleaning"]["post"]["kept"], 4);
    let ids: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "table-3", "table-5", "table-6", "table-7", "table-8", "table-9", "table-10", "table-11",
        "table-12", "table-13", "table-14", "table-15", "table-16", "table-17",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let table5 = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "table-5")
        .unwrap();
    assert_eq!(
        table5["columns"],
        serde_json::json!(["", "Number", "Valid %"])
    );
    assert_eq!(table5["rows"][0], serde_json::json!(["Gender (n=8)"]));
    assert_eq!(table5["rows"][1], serde_json::json!(["Female", 8, 100.0]));
    let tests = json["tests"].as_array().unwrap();
    assert!(
        tests
            .iter()
            .any(|t| t["kind"] == "association" && t["outcome"] == "know3:knowledge-dash")
    );
    assert!(tests.iter().any(|t| t["kind"] == "pre-post"));
}

#[test]
fn a_record_at_a_site_the_list_does_not_have_is_refused_not_written_with_no_site() {
    let instrument = pre_instrument();
    let data = dataset(&[Respondent::complete("a", &instrument).at_site(2)], &[]);
    let error = data
        .pre
        .to_csv(&instrument, &sites()[..1])
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}.csv could not be written: response {} is at site number 2, but only 1 site is listed",
            instrument.id, data.pre.response_id[0]
        )
    );
}

#[test]
fn responses_survive_a_round_trip_through_the_export_csv() {
    let instrument = pre_instrument();
    let data = dataset(
        &[Respondent::complete("a", &instrument)
            .text("training-names", "Freedom, \"DASH\"\nand MARAC")],
        &[],
    );
    let csv = data.pre.to_csv(&instrument, &sites()).unwrap();
    let again = Responses::from_csv(&csv, "pre.csv", &instrument, &sites()).unwrap();
    assert_eq!(again, data.pre);
    assert_eq!(
        again.texts("training-names").unwrap().get(0),
        Some("Freedom, \"DASH\"\nand MARAC")
    );
}

#[test]
fn a_code_the_question_does_not_offer_is_refused_with_its_row_and_column() {
    let instrument = pre_instrument();
    let data = dataset(&[Respondent::complete("a", &instrument)], &[]);
    let csv = data.pre.to_csv(&instrument, &sites()).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "disability").unwrap();
    let mut row: Vec<String> = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    row[column] = "7".into();
    let broken = format!("{}\n{}\n", csv.lines().next().unwrap(), row.join(","));
    let error = Responses::from_csv(&broken, "pre.csv", &instrument, &sites()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "pre.csv: row 1, column `disability`: 7 is not a code of this question"
    );
}

#[test]
fn an_export_without_post_training_responses_still_analyses_the_pre_training_survey() {
    let instrument = pre_instrument();
    let data = dataset(&[Respondent::complete("a", &instrument)], &[]);
    let files = ExportFiles {
        manifest: "format = \"skafada-export\"\nversion = 1\nstudy = \"x\"\npre = \"pre.toml\"\n"
            .into(),
        sites: skafada_analysis::data::sites_csv(&sites()).unwrap(),
        pre_instrument: super::PRE.into(),
        post_instrument: None,
        pre: data.pre.to_csv(&instrument, &sites()).unwrap(),
        post: None,
        follow_up: Vec::new(),
        arms: None,
    };
    let dataset = skafada_analysis::data::Dataset::from_files(&files).unwrap();
    let mut plan = plan();
    plan.table
        .retain(|t| t.data == skafada_analysis::plan::Data::Pre);
    plan.prepost.clear();
    let analysis = analyse(&plan, &dataset).unwrap();
    assert!(analysis.cleaning.post.is_none());
    let mut with_post = super::plan();
    with_post.prepost.truncate(1);
    assert!(
        analyse(&with_post, &dataset).is_err(),
        "a pre/post family needs post data"
    );
    let _ = variables(&instrument);
}

proptest::proptest! {
    #[test]
    fn reading_arbitrary_csv_never_panics(text in "\\PC{0,300}") {
        let instrument = pre_instrument();
        let _ = Responses::from_csv(&text, "pre.csv", &instrument, &sites());
    }
}

#[test]
fn a_plan_with_a_misspelt_key_is_refused_with_the_entry_named() {
    let misspelt = super::PLAN.replace("subtract-from = 2023", "subtract-form = 2023");
    let error = skafada_analysis::plan::Plan::parse(&misspelt, "plans/skafada.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`tenure`: unknown key `subtract-form`"),
        "{error}"
    );
    let broken = super::PLAN.replace("[[table]]\nid = \"table-3\"", "[[table]\nid = \"table-3\"");
    let error = skafada_analysis::plan::Plan::parse(&broken, "plans/skafada.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("plans/skafada.toml: TOML parse error at line"),
        "{error}"
    );
}

#[test]
fn one_survey_read_alone_is_the_survey_read_with_the_whole_folder() {
    use skafada_analysis::data::{
        Dataset, FolderTexts, Manifest, SurveyData, SurveyFiles, sites_csv,
    };
    use skafada_analysis::plan::Data;
    let (pre, post) = (pre_instrument(), post_instrument());
    let whole = dataset(
        &[
            Respondent::complete("a", &pre),
            Respondent::complete("b", &pre),
        ],
        &[post_respondent("a", &post)],
    );
    let manifest = Manifest {
        format: "skafada-export".to_owned(),
        version: 1,
        study: "x".to_owned(),
        synthetic: false,
        pre: "pre.toml".to_owned(),
        post: Some("post.toml".to_owned()),
        follow_up: Vec::new(),
    }
    .to_toml()
    .unwrap();
    let sites_text = sites_csv(&sites()).unwrap();
    let pre_csv = whole.pre.to_csv(&pre, &sites()).unwrap();
    let post_csv = whole
        .post
        .as_ref()
        .unwrap()
        .to_csv(&post, &sites())
        .unwrap();
    let read = Dataset::from_files(&ExportFiles {
        manifest: manifest.clone(),
        sites: sites_text.clone(),
        pre_instrument: super::PRE.into(),
        post_instrument: Some(super::POST.into()),
        pre: pre_csv.clone(),
        post: Some(post_csv.clone()),
        follow_up: Vec::new(),
        arms: None,
    })
    .unwrap();
    let alone = |survey, responses: &str, post_instrument| {
        SurveyData::from_files(SurveyFiles {
            folder: FolderTexts {
                manifest: &manifest,
                sites: &sites_text,
                pre_instrument: super::PRE,
                post_instrument,
            },
            survey,
            responses: skafada_analysis::data::ResponseFile::text(responses),
        })
    };
    let pre_alone = alone(Data::Pre, &pre_csv, Some(super::POST)).unwrap();
    assert_eq!(pre_alone.responses, read.pre);
    assert_eq!(pre_alone.responses.len(), 2);
    assert_eq!(pre_alone.instrument.id, read.pre_instrument.id);
    assert_eq!(pre_alone.sites, read.sites);
    let post_alone = alone(Data::Post, &post_csv, Some(super::POST)).unwrap();
    assert_eq!(Some(&post_alone.responses), read.post.as_ref());
    assert_eq!(post_alone.responses.len(), 1);
    // The same checks as the whole folder's: here, a manifest naming a post-training
    // instrument that is not there.
    let missing = alone(Data::Pre, &pre_csv, None).unwrap_err();
    assert!(missing.to_string().contains("disagree"), "{missing}");
}
