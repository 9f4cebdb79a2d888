//! The .sav file read back by other tools: pyreadstat (labels, missing codes, values) and
//! GNU PSPP (CROSSTABS gives skafada-stats' chi-square).
//!
//! These tests need `pspp` and a Python with the packages of `tests/requirements.txt` in
//! `.venv` at the workspace root (`scripts/test-all` installs both). Locally they skip
//! unless `SKAFADA_TEST_EXTERNAL` is set; when it is set (as `scripts/test-all` does), a
//! missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use skafada_analysis::data::{MISSING, Responses};
use skafada_export::Codebook;
use skafada_stats::{ContingencyTable, crosstab};

use crate::{options, outcomes, post_instrument, pre_instrument, responses, sites};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether to run: false (skip) only when SKAFADA_TEST_EXTERNAL is unset.
pub(crate) fn external() -> bool {
    if std::env::var_os("SKAFADA_TEST_EXTERNAL").is_some() {
        return true;
    }
    eprintln!(
        "skipped: set SKAFADA_TEST_EXTERNAL=1 (scripts/test-all does) to run pyreadstat and PSPP"
    );
    false
}

pub(crate) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skafada-export-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn python() -> PathBuf {
    let python = workspace_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test-all, which installs tests/requirements.txt",
        python.display()
    );
    python
}

fn read_with_pyreadstat(sav: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_sav.py");
    let output = Command::new(python())
        .arg(script)
        .arg(sav)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pyreadstat failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn pyreadstat_reads_back_every_name_label_value_label_missing_code_and_value() {
    if !external() {
        return;
    }
    for instrument in [pre_instrument(), post_instrument()] {
        let data = responses(&instrument, 90, 11);
        let found = outcomes(&instrument, &data);
        let sav = skafada_export::to_sav(&instrument, &data, &sites(), &found, &options()).unwrap();
        let path = temp_dir("pyreadstat").join(format!("{}.sav", instrument.id));
        std::fs::write(&path, &sav).unwrap();
        let read = read_with_pyreadstat(&path);
        let book = Codebook::new(&instrument, &found);
        let names: Vec<&str> = book.entries.iter().map(|e| e.spss_name.as_str()).collect();
        let read_names: Vec<&str> = read["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(read_names, names);
        for entry in &book.entries {
            let name = entry.spss_name.as_str();
            assert_eq!(read["labels"][name], entry.text.as_str(), "{name}");
            assert_eq!(read["measures"][name], entry.measure.as_str(), "{name}");
            for value in &entry.values {
                assert_eq!(
                    read["value_labels"][name][value.code.to_string()],
                    value.label.as_str(),
                    "{name} {}",
                    value.code
                );
            }
            let missing: Vec<f64> = entry
                .missing_codes()
                .iter()
                .map(|&c| f64::from(c))
                .collect();
            let read_missing: Vec<f64> = read["missing"][name]
                .as_array()
                .map(|ranges| ranges.iter().map(|r| r[0].as_f64().unwrap()).collect())
                .unwrap_or_default();
            assert_eq!(read_missing, missing, "{name}: missing codes");
            let column = read["data"][name].as_array().unwrap();
            assert_eq!(column.len(), data.len());
            for (row, cell) in column.iter().enumerate() {
                let expected: Value = match (data.values(&entry.column), data.texts(&entry.column))
                {
                    (Some(values), _) if values.get(row) == Some(MISSING) => Value::Null,
                    (Some(values), _) => Value::from(f64::from(values.get(row).unwrap())),
                    (_, Some(texts)) => texts.get(row).map_or(Value::Null, Value::from),
                    _ => continue, // a record column, checked below
                };
                assert_eq!(cell, &expected, "{name} row {row}");
            }
        }
        assert_eq!(read["data"]["site"][1], "LA02");
        assert_eq!(read["data"]["response_id"][0], "r0000");
        for set in &book.sets {
            let read_set = &read["mr_sets"][set.spss_name.as_str()];
            assert_eq!(read_set["label"], set.text.as_str(), "{}", set.spss_name);
            assert_eq!(read_set["counted_value"], "1");
            let members: Vec<&str> = set.members.iter().map(String::as_str).collect();
            assert_eq!(read_set["variables"], serde_json::json!(members));
        }
    }
}

/// Runs a PSPP syntax file and returns its CSV output.
pub(crate) fn pspp(syntax: &str, dir: &Path) -> String {
    let file = dir.join("check.sps");
    std::fs::write(&file, syntax).unwrap();
    let output = Command::new("pspp")
        .arg("-O")
        .arg("format=csv")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("pspp could not be run ({e}): scripts/test-all installs it"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "pspp failed:\n{text}");
    assert!(!text.contains("error:"), "pspp reported an error:\n{text}");
    text
}

/// The cells of the first CSV line that starts with `label`.
fn row<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    text.lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` in PSPP's output:\n{text}"))
        .split(',')
        .collect()
}

/// skafada's counts of `row_var` by `column_var` over substantive answers to both.
fn skafada_table(data: &Responses, book: &Codebook, rows: &str, columns: &str) -> ContingencyTable {
    let codes = |column: &str| {
        let entry = book.entry(column).unwrap();
        let missing = entry.missing_codes();
        let codes: Vec<i32> = entry
            .values
            .iter()
            .map(|v| v.code)
            .filter(|c| !missing.contains(c))
            .collect();
        (data.values(column).unwrap(), codes)
    };
    let (row_values, row_codes) = codes(rows);
    let (column_values, column_codes) = codes(columns);
    let mut counts = vec![vec![0u64; column_codes.len()]; row_codes.len()];
    for (r, c) in row_values.iter().zip(column_values) {
        if let (Some(i), Some(j)) = (
            row_codes.iter().position(|x| *x == r),
            column_codes.iter().position(|x| *x == c),
        ) {
            counts[i][j] += 1;
        }
    }
    ContingencyTable::new(counts).unwrap()
}

#[test]
fn pspp_crosstabs_on_the_exported_file_gives_skafadas_chi_square_and_p() {
    if !external() {
        return;
    }
    let instrument = pre_instrument();
    let data = responses(&instrument, 400, 23);
    let found = outcomes(&instrument, &data);
    let book = Codebook::new(&instrument, &found);
    let dir = temp_dir("pspp");
    let sav = dir.join("pre.sav");
    std::fs::write(
        &sav,
        skafada_export::to_sav(&instrument, &data, &sites(), &found, &options()).unwrap(),
    )
    .unwrap();
    // The second pair has a "prefer not to say" code: user-missing in the file, left out
    // of skafada's tests.
    for (rows, columns) in [("trained", "confidence-documenting"), ("gender", "trained")] {
        let (row_name, column_name) = (
            &book.entry(rows).unwrap().spss_name,
            &book.entry(columns).unwrap().spss_name,
        );
        // PSPP prints p to three decimals: print its statistic with 15, and ask PSPP's own
        // chi-square tail function (SIG.CHISQ) for p at full precision from it.
        let output = pspp(
            &format!(
                "GET FILE=\"{}\".\nSET FORMAT=F24.15.\nCROSSTABS /TABLES={row_name} BY {column_name} /STATISTICS=CHISQ.\n",
                sav.display()
            ),
            &dir,
        );
        let pearson = row(&output, "Pearson Chi-Square");
        let statistic: f64 = pearson[1].parse().unwrap();
        let df: u64 = pearson[2].parse().unwrap();
        let printed_p: f64 = pearson[3].parse().unwrap();
        let n: f64 = row(&output, "N of Valid Cases")[1].parse().unwrap();
        let p_output = pspp(
            &format!(
                "DATA LIST LIST /x df.\nBEGIN DATA\n{statistic:.15} {df}\nEND DATA.\nCOMPUTE p = SIG.CHISQ(x, df).\nFORMATS p (F24.16).\nLIST p.\n"
            ),
            &dir,
        );
        let p: f64 = p_output
            .lines()
            .rev()
            .find_map(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no p in PSPP's output:\n{p_output}"));

        let ours = crosstab(&skafada_table(&data, &book, rows, columns)).unwrap();
        assert_eq!(n, ours.n as f64, "{rows} by {columns}: valid cases");
        assert_eq!(df, ours.pearson.df, "{rows} by {columns}: df");
        assert!(
            (statistic - ours.pearson.statistic).abs() < 1e-9,
            "{rows} by {columns}: PSPP {statistic}, skafada {}",
            ours.pearson.statistic
        );
        assert!((printed_p - ours.pearson.p_value).abs() <= 0.0005 + 1e-12);
        assert!(
            (p - ours.pearson.p_value).abs() < 1e-9,
            "{rows} by {columns}: PSPP p {p}, skafada {}",
            ours.pearson.p_value
        );
    }
}
