//! The demonstration data written as a Qualtrics export through the shipped SKAFADA
//! mapping, imported again, give the same analysis as the native data.

use skafada_analysis::data::{Dataset, ExportFiles};
use skafada_analysis::plan::Plan;
use skafada_qualtrics::{Phase, ValueMode};

use super::*;

const SHIPPED: &str = include_str!("../../../../mappings/skafada-qualtrics.toml");
const PLAN: &str = include_str!("../../../../plans/skafada.toml");

fn analysed(files: &ExportFiles) -> skafada_analysis::Analysis {
    let plan = Plan::parse(PLAN, "plans/skafada.toml").unwrap();
    let dataset = Dataset::from_files(files).unwrap();
    let mut analysis = skafada_analysis::analyse(&plan, &dataset).unwrap();
    analysis.study = String::new();
    analysis
}

fn round_trip(values: ValueMode) {
    let (pre, post) = instruments();
    let demo = skafada_demo::generate(&pre, &post, skafada_demo::DEFAULT_SEED).unwrap();
    let native = demo.files(&pre, &post).unwrap();
    // Imported data are not marked synthetic; the analysis would otherwise add a warning.
    let native = analysed(&ExportFiles {
        manifest: native
            .manifest
            .replace("synthetic = true", "synthetic = false"),
        sites: native.sites,
        pre_instrument: PRE.into(),
        post_instrument: Some(POST.into()),
        pre: native.pre,
        post: Some(native.post),
        follow_up: Vec::new(),
        arms: None,
    });

    let mut mapping = Mapping::parse(SHIPPED, "skafada-qualtrics.toml").unwrap();
    mapping.values = values;
    mapping.record.returning = Some("returning".into());
    let pre_export =
        skafada_qualtrics::to_qualtrics_csv(&mapping, Phase::Pre, &pre, &demo.pre, &demo.sites)
            .unwrap();
    let post_export =
        skafada_qualtrics::to_qualtrics_csv(&mapping, Phase::Post, &post, &demo.post, &demo.sites)
            .unwrap();
    let pre_table = Table::from_csv(&pre_export, "pre.csv").unwrap();
    let post_table = Table::from_csv(&post_export, "post.csv").unwrap();
    let imported = skafada_qualtrics::import(
        &mapping,
        "skafada-qualtrics.toml",
        &pre,
        Some(&post),
        &[
            Source {
                file: "pre.csv",
                table: &pre_table,
                phase: Some(Phase::Pre),
            },
            Source {
                file: "post.csv",
                table: &post_table,
                phase: Some(Phase::Post),
            },
        ],
    )
    .unwrap();
    assert_eq!(imported.pre.len(), demo.pre.len());
    assert_eq!(
        imported.pre.status, demo.pre.status,
        "statuses, ended ones included"
    );
    let files = imported
        .files(
            &mapping.study,
            (&pre, "instruments/skafada-pre.toml"),
            Some((&post, "instruments/skafada-post.toml")),
        )
        .unwrap();
    let through_qualtrics = analysed(&export_files(files));
    assert!(!native.tables.is_empty());
    assert_eq!(native.tables.len(), through_qualtrics.tables.len());
    for (a, b) in native.tables.iter().zip(&through_qualtrics.tables) {
        assert_eq!(a, b, "table {}", a.id);
    }
    assert_eq!(native.cleaning, through_qualtrics.cleaning);
    assert_eq!(native.tests.len(), through_qualtrics.tests.len());
    for (a, b) in native.tests.iter().zip(&through_qualtrics.tests) {
        assert_eq!(a, b);
    }
    assert_eq!(native.reliability, through_qualtrics.reliability);
    assert_eq!(native, through_qualtrics);
}

#[test]
fn demo_data_imported_from_choice_text_give_the_native_analysis() {
    round_trip(ValueMode::Labels);
}

#[test]
fn demo_data_imported_from_numeric_values_give_the_native_analysis() {
    round_trip(ValueMode::Codes);
}
