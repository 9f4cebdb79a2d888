//! The JSON contract (docs/cli-json.md): every JSON document carries `schema_version`,
//! warnings are `{code, message, ...}` objects, and with JSON asked for, errors are JSON
//! on standard error too.

use crate::{skafada, stderr, stdout};

fn document(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn every_json_document_starts_with_its_schema_version() {
    for args in [
        vec![
            "ztest", "--x1", "30", "--n1", "50", "--x2", "20", "--n2", "50", "--json",
        ],
        vec!["mcnemar", "--b", "3", "--c", "12", "--json"],
        vec![
            "instrument",
            "show",
            "instruments/skafada-pre.toml",
            "--format",
            "json",
        ],
    ] {
        let output = skafada(&args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.trim_start().starts_with("{\n  \"schema_version\": 2,"),
            "{args:?}: {}",
            &text[..text.len().min(200)]
        );
        assert_eq!(document(&text)["schema_version"], 2);
    }
}

#[test]
fn with_json_asked_for_a_failure_is_a_json_error_on_standard_error() {
    let output = skafada(&[
        "crosstab",
        "--data",
        "no-such-file.csv",
        "--row",
        "a",
        "--col",
        "b",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let error = document(stderr(&output).trim());
    assert_eq!(error["schema_version"], 2);
    assert_eq!(error["error"]["code"], "failed");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("no-such-file.csv"), "{message}");
}

#[test]
fn with_json_asked_for_a_usage_error_is_a_json_error_and_exits_2() {
    let output = skafada(&[
        "ztest", "--x1", "many", "--n1", "5", "--x2", "1", "--n2", "5", "--json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let error = document(stderr(&output).trim());
    assert_eq!(error["error"]["code"], "usage");
    assert!(
        error["error"]["message"].as_str().unwrap().contains("many"),
        "{error}"
    );
    // Without --json, clap's own message.
    let plain = skafada(&[
        "ztest", "--x1", "many", "--n1", "5", "--x2", "1", "--n2", "5",
    ]);
    assert_eq!(plain.status.code(), Some(2));
    assert!(stderr(&plain).starts_with("error:"), "{}", stderr(&plain));
}
