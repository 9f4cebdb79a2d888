//! `skafada demo-data` writes an export that `skafada analyse` turns into the published tables.

use std::path::PathBuf;

use serde_json::Value;

use crate::{skafada, stderr, stdout};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skafada-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The numbers of the row of `table` whose label starts with `label`.
fn numbers(analysis: &Value, table: &str, label: &str) -> Vec<f64> {
    let table = analysis["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == table)
        .unwrap_or_else(|| panic!("no {table}"));
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0].as_str().is_some_and(|l| l.starts_with(label)))
        .unwrap_or_else(|| panic!("{table}: no row {label}"));
    row.as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect()
}

#[test]
fn demo_data_then_analyse_reproduces_published_numbers() {
    let dir = out_dir("demo-data");
    let path = dir.to_str().unwrap();
    let written = skafada(&["demo-data", "--out", path]);
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(stderr(&written).contains("synthetic"));
    for file in [
        "manifest.toml",
        "sites.csv",
        "pre.csv",
        "post.csv",
        "codebook.csv",
        "instruments/skafada-pre.toml",
        "instruments/skafada-post.toml",
    ] {
        assert!(dir.join(file).is_file(), "{file} is written");
    }
    let manifest = std::fs::read_to_string(dir.join("manifest.toml")).unwrap();
    assert!(manifest.contains("synthetic = true"));

    let analysed = skafada(&["analyse", "--data", path, "--format", "json"]);
    assert!(analysed.status.success(), "{}", stderr(&analysed));
    let analysis: Value = serde_json::from_str(&stdout(&analysed)).unwrap();
    assert_eq!(analysis["synthetic"], true);
    assert_eq!(
        numbers(&analysis, "table-3", "Total"),
        vec![350.0, 100.0, 72.0, 100.0]
    );
    assert_eq!(
        numbers(&analysis, "table-3", "8"),
        vec![44.0, 12.6, 24.0, 33.3]
    );
    assert_eq!(numbers(&analysis, "table-5", "Female"), vec![318.0, 90.9]);
    assert_eq!(numbers(&analysis, "table-9", "Other"), vec![41.0, 11.8]);
    assert_eq!(
        numbers(&analysis, "table-16", "Total"),
        vec![289.0, 100.0, 124.0]
    );
    assert_eq!(
        numbers(&analysis, "table-17", "I felt the training's approach"),
        vec![1.0, 1.5, 11.0, 16.4, 42.0, 62.7, 13.0, 19.4, 67.0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_data_is_the_same_for_the_same_seed() {
    let (a, b) = (out_dir("demo-seed-a"), out_dir("demo-seed-b"));
    for dir in [&a, &b] {
        let output = skafada(&["demo-data", "--out", dir.to_str().unwrap(), "--seed", "11"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let read = |dir: &PathBuf| std::fs::read_to_string(dir.join("pre.csv")).unwrap();
    assert_eq!(read(&a), read(&b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn analyse_as_html_is_the_templated_report_with_charts_and_tables() {
    let dir = out_dir("analyse-html");
    let written = skafada(&["demo-data", "--out", dir.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let output = skafada(&[
        "analyse",
        "--data",
        dir.to_str().unwrap(),
        "--format",
        "html",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = stdout(&output);
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert!(
        html.contains("<svg") && html.contains("role=\"img\""),
        "charts are accessible SVG"
    );
    assert!(html.contains("<caption"), "tables have captions");
    assert!(html.contains("Table 16"), "the published tables are there");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyse_reports_test_warnings_as_tagged_objects_and_plain_sentences_never_debug_text() {
    let dir = out_dir("analyse-warnings");
    let written = skafada(&["demo-data", "--out", dir.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let json = skafada(&[
        "analyse",
        "--data",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let warnings: Vec<&serde_json::Value> = value["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["warnings"].as_array())
        .flatten()
        .collect();
    assert!(!warnings.is_empty(), "the demo has sparse tables");
    for warning in &warnings {
        assert!(warning["code"].is_string(), "{warning}");
        assert!(warning["message"].is_string(), "{warning}");
    }
    let text = skafada(&["analyse", "--data", dir.to_str().unwrap()]);
    let text = stdout(&text);
    assert!(text.contains("cells have an expected count below 5"));
    assert!(
        !text.contains("SparseExpectedCounts {"),
        "no Rust debug text"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
