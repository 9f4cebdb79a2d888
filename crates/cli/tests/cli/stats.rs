//! `skafada crosstab`, `ztest` and `mcnemar`, checked against the cross-check values of
//! scipy, statsmodels and R.

use std::path::PathBuf;

use serde_json::Value;

use super::{skafada, stderr, stdout};

/// Relative difference.
fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

fn number(json: &Value, key: &str) -> f64 {
    json[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {json}"))
}

fn assert_close(json: &Value, key: &str, expected: f64) {
    let got = number(json, key);
    assert!(
        rel(got, expected) < 1e-9,
        "{key}: got {got}, expected {expected}"
    );
}

/// A scratch folder for this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("skafada-cli-stats-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes a CSV with columns `a,b` holding `counts[i][j]` rows of
    /// (`rows[i]`, `cols[j]`), plus any extra lines, and returns its path.
    fn table_csv(
        &self,
        file: &str,
        rows: &[&str],
        cols: &[&str],
        counts: &[&[u64]],
        extra: &[&str],
    ) -> String {
        let mut text = String::from("id,a,b\n");
        let mut id = 0;
        for (i, row) in rows.iter().enumerate() {
            for (j, col) in cols.iter().enumerate() {
                for _ in 0..counts[i][j] {
                    id += 1;
                    text.push_str(&format!("{id},{row},{col}\n"));
                }
            }
        }
        for line in extra {
            text.push_str(line);
            text.push('\n');
        }
        let path = self.0.join(file);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json_of(args: &[&str]) -> Value {
    let output = skafada(args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn crosstab_json_reproduces_the_2x2_cross_check_values_and_leaves_out_empty_cells() {
    let scratch = Scratch::new("2x2");
    let file = scratch.table_csv(
        "t.csv",
        &["1", "2"],
        &["1", "2"],
        &[&[12, 5], &[9, 14]],
        &["99,,1", "100,2,", "101,,"],
    );
    let json = json_of(&[
        "crosstab", "--data", &file, "--row", "a", "--col", "b", "--json",
    ]);
    assert_eq!(json["counts"], serde_json::json!([[12, 5], [9, 14]]));
    assert_eq!(json["n"], 40);
    assert_eq!(json["missing"], 3);
    assert_eq!(json["df"], 1);
    assert_close(&json, "chi2", 3.879_006_980_366_515_5);
    assert_close(&json, "p", 0.048_893_467_916_209_27);
    assert_close(&json, "g2", 3.965_531_446_286_366_4);
    assert_close(&json, "fisher_p", 0.062_355_169_407_449_715);
    assert_close(&json, "cramers_v", 0.311_408_372_573_961);
    assert_close(&json, "yates_chi2", 2.720_099_481_440_172);
    assert_eq!(json["fisher_method"], "exact");
    assert_eq!(json["warnings"], serde_json::json!([]));
    let expected = json["expected"][0][0].as_f64().unwrap();
    assert!(rel(expected, 17.0 * 21.0 / 40.0) < 1e-12);
}

#[test]
fn crosstab_json_reproduces_the_3x3_values_with_an_exact_fisher_test() {
    let scratch = Scratch::new("3x3");
    let file = scratch.table_csv(
        "t.csv",
        &["1", "2", "3"],
        &["1", "2", "3"],
        &[&[10, 4, 2], &[6, 8, 9], &[3, 7, 11]],
        &[],
    );
    let json = json_of(&[
        "crosstab", "--data", &file, "--row", "a", "--col", "b", "--json",
    ]);
    assert_eq!(json["df"], 4);
    assert_close(&json, "chi2", 11.347_365_449_196_115);
    assert_close(&json, "p", 0.022_925_375_432_579_324);
    assert_close(&json, "fisher_p", 0.027_315_491_116_718_99);
    assert_eq!(json["fisher_method"], "exact");
}

#[test]
fn crosstab_orders_numeric_levels_as_numbers_and_text_levels_alphabetically() {
    let scratch = Scratch::new("levels");
    let file = scratch.table_csv(
        "t.csv",
        &["10", "2", "1"],
        &["yes", "no"],
        &[&[2, 8], &[1, 9], &[7, 3]],
        &[],
    );
    let json = json_of(&[
        "crosstab", "--data", &file, "--row", "a", "--col", "b", "--json",
    ]);
    assert_eq!(json["row_levels"], serde_json::json!(["1", "2", "10"]));
    assert_eq!(json["col_levels"], serde_json::json!(["no", "yes"]));
    assert_eq!(json["counts"], serde_json::json!([[3, 7], [9, 1], [8, 2]]));
    assert_close(&json, "chi2", 9.3);
    assert_close(&json, "p", 0.009_561_601_930_543_515);
    assert_close(&json, "fisher_p", 0.023_340_078_212_642_38);
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "sparse_expected_counts");
    assert_eq!(warnings[0]["cells_below_five"], 3);
}

#[test]
fn crosstab_summary_is_readable_with_apa_p_values_and_the_cochran_warning_in_words() {
    let scratch = Scratch::new("summary");
    let file = scratch.table_csv(
        "t.csv",
        &["1", "2", "3"],
        &["1", "2"],
        &[&[2, 8], &[1, 9], &[7, 3]],
        &[],
    );
    let output = skafada(&["crosstab", "--data", &file, "--row", "a", "--col", "b"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Pearson chi-square(2) = 9.300, p = .010"),
        "{text}"
    );
    assert!(
        text.contains("Fisher's exact test (two-sided, exact): p = .023"),
        "{text}"
    );
    assert!(
        text.contains("Cochran's rule is not met: 3 of 6 cells"),
        "{text}"
    );
}

#[test]
fn crosstab_refuses_an_unknown_column_and_names_it() {
    let scratch = Scratch::new("unknown");
    let file = scratch.table_csv("t.csv", &["1", "2"], &["1", "2"], &[&[1, 2], &[3, 4]], &[]);
    let output = skafada(&["crosstab", "--data", &file, "--row", "a", "--col", "gender"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("no column `gender`"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn crosstab_refuses_a_column_with_only_one_level() {
    let scratch = Scratch::new("one-level");
    let file = scratch.table_csv("t.csv", &["1", "2"], &["yes"], &[&[3], &[4]], &["8,3,"]);
    let output = skafada(&["crosstab", "--data", &file, "--row", "a", "--col", "b"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("column `b` has only one level"),
        "{message}"
    );
}

#[test]
fn crosstab_says_which_file_it_cannot_read() {
    let output = skafada(&[
        "crosstab",
        "--data",
        "no-such.csv",
        "--row",
        "a",
        "--col",
        "b",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no-such.csv"),
        "{}",
        stderr(&output)
    );
}

/// `ztest` arguments for the pre/post cross-check, 71/110 vs 48/120.
fn pre_post(alternative: &str, json: bool) -> Vec<&str> {
    let mut args = vec![
        "ztest",
        "--x1",
        "71",
        "--n1",
        "110",
        "--x2",
        "48",
        "--n2",
        "120",
        "--alternative",
    ];
    args.push(alternative);
    if json {
        args.push("--json");
    }
    args
}

#[test]
fn ztest_json_reproduces_the_pre_post_cross_check_values() {
    let json = json_of(&pre_post("greater", true));
    assert_close(&json, "z", 3.721_234_104_346_025_5);
    assert_close(&json, "p", 9.912_577_078_663_054e-5);
    assert_close(&json, "p1", 71.0 / 110.0);
    assert_close(&json, "p2", 48.0 / 120.0);
    assert_close(&json, "pooled", 119.0 / 230.0);
    let less = json_of(&pre_post("less", true));
    assert!((number(&less, "p") + number(&json, "p") - 1.0).abs() < 1e-12);
    let two = json_of(&pre_post("two-sided", true));
    assert_close(&two, "p", 2.0 * 9.912_577_078_663_054e-5);
}

#[test]
fn ztest_summary_prints_small_p_values_as_below_one_in_a_thousand() {
    let output = skafada(&pre_post("greater", false));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("z = 3.721, p < .001"), "{text}");
    assert!(text.contains("71 of 110 = 64.5%"), "{text}");
}

#[test]
fn ztest_refuses_more_successes_than_responses_and_non_numeric_counts() {
    // A value that does not parse is a usage error (2); counts that parse but cannot be
    // tested are the command's failure (1).
    let cases = [
        (
            ["120", "110", "48", "120"],
            "--x1 (120) is larger than --n1 (110)",
            1,
        ),
        (["seventy", "110", "48", "120"], "'seventy' for '--x1", 2),
        (["0", "10", "0", "12"], "undefined", 1),
    ];
    for ([x1, n1, x2, n2], message, code) in cases {
        let output = skafada(&["ztest", "--x1", x1, "--n1", n1, "--x2", x2, "--n2", n2]);
        assert_eq!(output.status.code(), Some(code), "{message}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

#[test]
fn mcnemar_json_reproduces_the_exact_and_corrected_cross_check_values() {
    let json = json_of(&["mcnemar", "--table", "30,25,8,57", "--json"]);
    assert_eq!(json["b"], 25);
    assert_eq!(json["c"], 8);
    assert_close(&json, "exact_p", 0.004_551_384_132_355_452);
    assert_close(&json, "chi2_corrected", 7.757_575_757_575_758);
    assert_close(&json, "p_chi2_corrected", 0.005_348_770_520_482_035);
    assert_close(&json, "chi2", 17.0 * 17.0 / 33.0);
    let discordant_only = json_of(&["mcnemar", "--b", "25", "--c", "8", "--json"]);
    assert_eq!(discordant_only["exact_p"], json["exact_p"]);
    assert_eq!(discordant_only["p_chi2"], json["p_chi2"]);
}

#[test]
fn mcnemar_summary_says_which_chi_square_is_corrected() {
    let output = skafada(&["mcnemar", "--table", "30,25,8,57"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Exact binomial test (two-sided): p = .005"),
        "{text}"
    );
    assert!(
        text.contains("without continuity correction: chi-square(1) = 8.758, p = .003"),
        "{text}"
    );
    assert!(
        text.contains("with continuity correction (R's default): chi-square(1) = 7.758, p = .005"),
        "{text}"
    );
}

#[test]
fn mcnemar_warns_in_words_about_few_discordant_pairs() {
    let output = skafada(&["mcnemar", "--b", "6", "--c", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Only 7 discordant pairs"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn mcnemar_refuses_a_table_that_is_not_four_counts() {
    for table in ["30,25,8", "30,25,eight,57"] {
        let output = skafada(&["mcnemar", "--table", table]);
        assert_eq!(output.status.code(), Some(2), "{table}");
        assert!(stderr(&output).contains("--table"), "{}", stderr(&output));
    }
    let output = skafada(&["mcnemar"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--table a,b,c,d"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn crosstab_and_analyse_refuse_a_raw_qualtrics_export_naming_the_importer() {
    let dir = std::env::temp_dir().join(format!("skafada-qualtrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("qualtrics.csv");
    // Qualtrics writes the column names, the question text, then the import ids.
    std::fs::write(
        &file,
        "StartDate,Finished,Q1,Q2\n\
         \"Start Date\",\"Finished\",\"Gender\",\"Previous training\"\n\
         \"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2\"\"}\"\n\
         2024-05-01,1,1,2\n2024-05-02,1,2,1\n2024-05-03,1,1,1\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    // A folder whose pre.csv is a raw export is refused the same way.
    let folder = dir.join("folder");
    let demo = skafada(&["demo-data", "--out", folder.to_str().unwrap()]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    std::fs::copy(&file, folder.join("pre.csv")).unwrap();
    for args in [
        vec!["crosstab", "--data", path, "--row", "Q1", "--col", "Q2"],
        vec!["analyse", "--data", path],
        vec!["analyse", "--data", folder.to_str().unwrap()],
    ] {
        let output = skafada(&args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stdout(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}: nothing is counted");
        let message = stderr(&output);
        assert!(message.contains("is a raw Qualtrics export"), "{message}");
        assert!(message.contains("skafada import qualtrics"), "{message}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyse_given_a_plain_csv_file_says_it_takes_an_export_folder() {
    let scratch = Scratch::new("analyse-file");
    let file = scratch.table_csv("t.csv", &["1", "2"], &["1", "2"], &[&[1, 2], &[3, 4]], &[]);
    let output = skafada(&["analyse", "--data", &file]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("is a file; --data takes a response export folder"),
        "{message}"
    );
}
