//! The framework matrix workbook read back by openpyxl: an About sheet, one sheet per
//! theme with a row per case and a column per sub-theme, each cell the summary and its
//! passages' references, and the passages with their words.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use skafada_export::matrix::{MatrixAbout, PassageRow, matrix_csv, matrix_xlsx};
use skafada_qualitative::matrix::{Case, Filter, Passage, Summary, chart};

use crate::external::{external, python, temp_dir};

fn charted() -> (Vec<skafada_qualitative::matrix::Sheet>, Vec<PassageRow>) {
    let framework = skafada_qualitative::framework::parse(
        skafada_qualitative::SKAFADA_FRAMEWORK,
        "frameworks/skafada.toml",
    )
    .unwrap();
    let cases = [
        Case {
            id: "CS1-P01".into(),
            site: "CS1 (LA01)".into(),
            role: "practitioner".into(),
        },
        Case {
            id: "CS2-P01".into(),
            site: "CS2 (LA02)".into(),
            role: "middle-manager".into(),
        },
    ];
    let passages = [Passage {
        id: "p1".into(),
        case: "CS1-P01".into(),
        text: "I ask when I’m alone with the parent, “every time”.".into(),
        codes: vec!["skills-asking".into(), "needs-topics".into()],
    }];
    let summaries = [Summary {
        case: "CS1-P01".into(),
        sub_theme: "skills-asking".into(),
        text: "Asks routinely, alone with the parent; newlines\nand commas, kept.".into(),
    }];
    let sheets = chart(
        &framework,
        &cases,
        &passages,
        &summaries,
        &Filter::default(),
    )
    .unwrap();
    let rows = vec![PassageRow {
        reference: "CS1-P01 turn 4".into(),
        id: "p1".into(),
        case: "CS1-P01".into(),
        coder: "coder@example.org".into(),
        codes: "Asking about domestic abuse; Topics needed".into(),
        text: passages[0].text.clone(),
        memo: "Routine enquiry.".into(),
        report_quote: true,
    }];
    (sheets, rows)
}

fn label(role: &str) -> String {
    match role {
        "practitioner" => "Practitioner".to_owned(),
        other => other.to_owned(),
    }
}

#[test]
fn openpyxl_reads_one_sheet_per_theme_with_summaries_and_passage_references() {
    if !external() {
        return;
    }
    let (sheets, rows) = charted();
    let bytes = matrix_xlsx(
        &sheets,
        &rows,
        &MatrixAbout {
            study: "Test study".into(),
            framework: "SKAFADA case-study framework".into(),
            filter: "All sites, roles and themes".into(),
            exported_on: "2026-12-06".into(),
            synthetic: true,
        },
        &label,
    )
    .unwrap();
    let path = temp_dir("matrix").join("matrix.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_xlsx.py");
    let output = Command::new(python())
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openpyxl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    let book = read["sheets"].as_array().unwrap();
    let names: Vec<&str> = book.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"About"));
    assert_eq!(names.last(), Some(&"Passages"));
    assert_eq!(names.len(), 2 + sheets.len());
    for name in &names {
        assert!(name.chars().count() <= 31, "{name}");
    }
    let about = &book[0]["rows"];
    assert!(about.to_string().contains("SYNTHETIC"));
    // The skills sheet: header, then the two cases in order, the summary and reference.
    let skills = book
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Practitioners"))
        .unwrap();
    let header: Vec<&str> = skills["rows"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let sheet = sheets
        .iter()
        .find(|s| s.theme == "skills-knowledge")
        .unwrap();
    assert_eq!(&header[..3], ["Case", "Site", "Role"]);
    assert_eq!(
        header[3..],
        sheet.columns.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let first = skills["rows"][1].as_array().unwrap();
    assert_eq!(first[0], "CS1-P01");
    assert_eq!(first[2], "Practitioner");
    let asking = header
        .iter()
        .position(|h| *h == "Asking about domestic abuse")
        .unwrap();
    assert_eq!(
        first[asking],
        "Asks routinely, alone with the parent; newlines\nand commas, kept.\n\nPassages: CS1-P01 turn 4"
    );
    assert_eq!(skills["rows"][2][0], "CS2-P01");
    let passages = &book.last().unwrap()["rows"];
    assert_eq!(passages[1][0], "CS1-P01 turn 4");
    assert_eq!(
        passages[1][5],
        "I ask when I’m alone with the parent, “every time”."
    );
    assert_eq!(passages[1][4], "Yes");
}

#[test]
fn the_matrix_csv_has_a_row_per_case_and_sub_theme() {
    let (sheets, rows) = charted();
    let csv = String::from_utf8(matrix_csv(&sheets, &rows, &label).unwrap()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cells: usize = sheets.iter().map(|s| s.rows.len() * s.columns.len()).sum();
    assert_eq!(records.len(), cells);
    let asking = records
        .iter()
        .find(|r| &r[1] == "Asking about domestic abuse" && &r[2] == "CS1-P01")
        .unwrap();
    assert_eq!(
        &asking[5],
        "Asks routinely, alone with the parent; newlines\nand commas, kept."
    );
    assert_eq!(&asking[6], "CS1-P01 turn 4");
}
