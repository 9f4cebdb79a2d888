//! `skafada instrument check|show`.

use super::{skafada, stderr, stdout};

#[test]
fn check_accepts_both_skafada_instruments() {
    for file in [
        "instruments/skafada-pre.toml",
        "instruments/skafada-post.toml",
    ] {
        let output = skafada(&["instrument", "check", file]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        assert!(stdout(&output).contains("valid"), "{}", stdout(&output));
    }
}

#[test]
fn check_refuses_a_corrupted_file_and_names_it() {
    let dir = std::env::temp_dir().join(format!("skafada-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original =
        std::fs::read_to_string(super::workspace_root().join("instruments/skafada-pre.toml"))
            .unwrap();
    let truncated = dir.join("truncated.toml");
    std::fs::write(&truncated, &original[..original.len() / 3]).unwrap();
    let output = skafada(&["instrument", "check", truncated.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("truncated.toml:"),
        "{}",
        stderr(&output)
    );

    let duplicated = dir.join("duplicated.toml");
    std::fs::write(
        &duplicated,
        original.replace("id = \"job-title\"", "id = \"start-year\""),
    )
    .unwrap();
    let output = skafada(&["instrument", "check", duplicated.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("duplicate item identifier `start-year`"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_says_which_file_it_cannot_read() {
    let output = skafada(&["instrument", "check", "instruments/no-such-file.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no-such-file.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn show_json_lists_the_post_statements_with_their_pre_twins() {
    let output = skafada(&[
        "instrument",
        "show",
        "instruments/skafada-post.toml",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["id"], "skafada-post");
    assert!(json["title"].is_string());
    let items = json["items"].as_array().unwrap();
    let matrix_rows = |id: &str| -> Vec<serde_json::Value> {
        items.iter().find(|i| i["id"] == id).unwrap()["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    for (item, count) in [
        ("post-knowledge", 18),
        ("post-attitudes", 11),
        ("post-confidence", 11),
    ] {
        let rows = matrix_rows(item);
        assert_eq!(rows.len(), count, "{item}");
        assert!(
            rows.iter().all(|r| r["twin"].is_string()),
            "{item}: every row names its twin"
        );
    }
}

#[test]
fn show_json_of_the_pre_survey_carries_routing_and_the_closing_routes() {
    let output = skafada(&[
        "instrument",
        "show",
        "instruments/skafada-pre.toml",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = json["items"].as_array().unwrap();
    let item = |id: &str| items.iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(item("la-service")["show_if"]["item"], "works-for-la");
    assert_eq!(item("employer")["show_if"]["item"], "works-for-la");
    assert_eq!(
        item("employer")["end_if"]["is"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        item("enquiry-parents")["rows"].as_array().unwrap().len(),
        18
    );
    assert_eq!(
        item("enquiry-children")["rows"].as_array().unwrap().len(),
        17
    );
    assert_eq!(
        item("knowledge")["rows"][0]["twin"],
        serde_json::Value::Null
    );
}

#[test]
fn show_markdown_reads_like_the_paper_questionnaire() {
    let output = skafada(&[
        "instrument",
        "show",
        "instruments/skafada-pre.toml",
        "--format",
        "markdown",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let markdown = stdout(&output);
    assert!(
        markdown.contains("### 2b. Do you work for a local authority?"),
        "{markdown}"
    );
    assert!(markdown.contains("| 6. National guidance"), "{markdown}");
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["instrument", "--help"],
        vec!["instrument", "check", "--help"],
        vec!["instrument", "show", "--help"],
    ] {
        let output = skafada(&args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn output_to_a_closed_pipe_ends_quietly_instead_of_panicking() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // The whole analysis as JSON: far more than a pipe holds, so writing must meet the
    // closed pipe.
    let dir = std::env::temp_dir().join(format!("skafada-cli-pipe-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let made = super::skafada(&["demo-data", "--out", data.to_str().unwrap()]);
    assert!(made.status.success(), "{}", stderr(&made));
    let mut child = Command::new(env!("CARGO_BIN_EXE_skafada"))
        .args([
            "analyse",
            "--data",
            data.to_str().unwrap(),
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then close the pipe, as `| head -1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!errors.contains("panicked"), "{errors}");
    assert_ne!(status.code(), Some(101), "a panic's exit status");
    // Ended by SIGPIPE, as `cat` or `grep` would be.
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(13)
    );
}
