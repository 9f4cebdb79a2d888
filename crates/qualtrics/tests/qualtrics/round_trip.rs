//! The demonstration data written as a Qualtrics export through the shipped SKAFADA
//! mapping, imported again, give the same analysis as the native data.

use std::collections::BTreeMap;

use skafada_analysis::data::{
    Dataset, ExportFiles, MISSING, Responses, Status, VariableKind, variables,
};
use skafada_analysis::plan::Plan;
use skafada_qualtrics::{Phase, Target, ValueMode};

use super::*;

const SHIPPED: &str = include_str!("../../../../mappings/skafada-qualtrics.toml");
const PLAN: &str = include_str!("../../../../plans/skafada.toml");

/// Writes responses as a Qualtrics CSV export (three header rows) with the mapping's
/// columns, in the mapping's value mode: the inverse of the importer, for this test.
fn qualtrics_csv(
    mapping: &Mapping,
    columns: &BTreeMap<String, Target>,
    instrument: &Instrument,
    responses: &Responses,
    sites: &[skafada_analysis::data::Site],
) -> String {
    let kinds: BTreeMap<String, (VariableKind, String)> = variables(instrument)
        .into_iter()
        .map(|v| (v.id, (v.kind, v.item)))
        .collect();
    let label = |item: &str, code: i32| -> String {
        let options = instrument
            .item(item)
            .and_then(|i| i.kind.options())
            .unwrap();
        let option = options.iter().find(|o| o.code as i32 == code).unwrap();
        match mapping.values {
            ValueMode::Labels => option.label.clone(),
            ValueMode::Codes => code.to_string(),
        }
    };
    let meta = [
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Finished",
        "ResponseId",
        "RecipientEmail",
        "LocationLatitude",
        "LocationLongitude",
    ];
    let record = ["site", "link", "returning"];
    let names: Vec<&str> = meta
        .iter()
        .copied()
        .chain(columns.keys().map(String::as_str))
        .chain(record)
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&names).unwrap();
    writer.write_record(&names).unwrap();
    writer
        .write_record(names.iter().map(|n| format!("{{\"ImportId\":\"{n}\"}}")))
        .unwrap();
    // Several "_TEXT" columns feed one "please specify" variable: the text goes in the first.
    let mut first_text: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, target) in columns {
        first_text.entry(target.variable()).or_insert(key);
    }
    for row in 0..responses.len() {
        let finished = matches!(responses.status[row], Status::Submitted | Status::Ended);
        let mut cells: Vec<String> = vec![
            format!("{} 09:00:00", responses.started_on[row]),
            format!("{} 09:20:00", responses.started_on[row]),
            "0".into(),
            "203.0.113.9".into(),
            "100".into(),
            if finished { "1" } else { "0" }.into(),
            format!("R_{row:015}"),
            "someone@example.org".into(),
            "54.1".into(),
            "-1.2".into(),
        ];
        for (key, target) in columns {
            let variable = target.variable();
            let value = |id: &str| responses.values(id).map_or(MISSING, |v| v[row]);
            let cell = match kinds.get(variable) {
                Some((VariableKind::Text, _)) => {
                    if first_text.get(variable) == Some(&key.as_str()) {
                        responses.texts(variable).unwrap()[row]
                            .clone()
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                }
                Some((VariableKind::Code(_), item)) => match value(variable) {
                    MISSING => String::new(),
                    code => label(item, code),
                },
                Some((VariableKind::Tick, item)) => match value(variable) {
                    1 => label(item, variable.rsplit('.').next().unwrap().parse().unwrap()),
                    0 if mapping.values == ValueMode::Codes => "0".into(),
                    _ => String::new(),
                },
                Some((VariableKind::Agreed, _)) => match value(variable) {
                    1 => "1".into(),
                    _ => String::new(),
                },
                Some((VariableKind::Number, _)) => match value(variable) {
                    MISSING => String::new(),
                    number => number.to_string(),
                },
                None => {
                    // A multiple choice item as one column listing its ticked choices.
                    let options = instrument
                        .item(variable)
                        .and_then(|i| i.kind.options())
                        .unwrap();
                    options
                        .iter()
                        .filter(|o| value(&format!("{variable}.{}", o.code)) == 1)
                        .map(|o| label(variable, o.code as i32))
                        .collect::<Vec<_>>()
                        .join(",")
                }
            };
            cells.push(cell);
        }
        cells.push(sites[responses.site[row]].site.clone());
        cells.push(responses.respondent_id[row].clone());
        cells.push(if responses.returning[row] { "1" } else { "0" }.into());
        writer.write_record(&cells).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

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
    let native = demo.files(&pre, &post);
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
    });

    let mut mapping = Mapping::parse(SHIPPED, "skafada-qualtrics.toml").unwrap();
    mapping.values = values;
    mapping.record.returning = Some("returning".into());
    let pre_export = qualtrics_csv(&mapping, &mapping.pre, &pre, &demo.pre, &demo.sites);
    let post_export = qualtrics_csv(&mapping, &mapping.post, &post, &demo.post, &demo.sites);
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
    let files = imported.files(
        &mapping.study,
        (&pre, "instruments/skafada-pre.toml"),
        Some((&post, "instruments/skafada-post.toml")),
    );
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
