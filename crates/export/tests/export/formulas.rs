//! Hostile free-text answers: quoted in every CSV so a spreadsheet shows them as text,
//! read back unchanged by the analysis, and written to XLSX as strings, never formulas.

use std::collections::HashMap;

use skafada_analysis::data::{
    Record, Responses, Site, Status, VariableKind, parse_sites, sites_csv, variables,
};

use crate::xlsx::part;
use crate::{options, outcomes, pre_instrument, sites};

const HOSTILE: [&str; 7] = [
    "=HYPERLINK(\"http://x\",\"click\")",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tfoo",
    "\rbar",
    "'=x",
];

/// One record per hostile answer, in every text column, with `cases-held` at -1 (a
/// negative number skafada writes as a number).
fn hostile_responses() -> Responses {
    let specs = variables(&pre_instrument());
    let mut responses = Responses::default();
    for (i, answer) in HOSTILE.iter().enumerate() {
        let texts: HashMap<String, String> = specs
            .iter()
            .filter(|v| matches!(v.kind, VariableKind::Text))
            .map(|v| (v.id.clone(), (*answer).to_owned()))
            .collect();
        responses.push(
            Record {
                response_id: format!("r{i}"),
                respondent_id: format!("p{i}"),
                site: 0,
                status: Status::Submitted,
                returning: false,
                started_on: "2026-01-05".into(),
                values: HashMap::from([("cases-held".to_owned(), -1)]),
                texts,
            },
            &specs,
        );
    }
    responses
}

fn text_columns() -> Vec<String> {
    variables(&pre_instrument())
        .into_iter()
        .filter(|v| matches!(v.kind, VariableKind::Text))
        .map(|v| v.id)
        .collect()
}

#[test]
fn hostile_answers_are_quoted_in_the_csv_export_and_read_back_unchanged_by_the_analysis() {
    let instrument = pre_instrument();
    let data = hostile_responses();
    let bytes = skafada_export::to_csv(&instrument, &data, &sites(), &outcomes(&instrument, &data))
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let position = |name: &str| header.iter().position(|h| h == name).unwrap();
    let columns = text_columns();
    assert!(columns.len() >= 3, "the free-text columns: {columns:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), HOSTILE.len());
    for (row, answer) in rows.iter().zip(HOSTILE) {
        for column in &columns {
            assert_eq!(
                row.get(position(column)).unwrap(),
                format!("'{answer}"),
                "{column}"
            );
        }
        assert_eq!(row.get(position("cases-held")).unwrap(), "-1");
    }
    // What a spreadsheet would run: no cell starts with a trigger unless it is a number.
    for row in &rows {
        for cell in row {
            let runs =
                cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
            assert!(!runs, "{cell:?}");
        }
    }
    let back = Responses::from_csv(&text, "pre.csv", &instrument, &sites()).unwrap();
    for column in &columns {
        let texts: Vec<Option<&str>> = back.texts(column).unwrap().iter().collect();
        let expected: Vec<Option<&str>> = HOSTILE.iter().map(|a| Some(*a)).collect();
        assert_eq!(texts, expected, "{column}");
    }
    assert_eq!(back.values("cases-held").unwrap(), [-1; 7]);
}

#[test]
fn site_names_that_look_like_formulas_are_quoted_in_sites_csv_and_read_back_unchanged() {
    let hostile: Vec<Site> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, answer)| Site {
            site: format!("LA{i}"),
            name: (*answer).to_owned(),
            region: "-North".to_owned(),
        })
        .collect();
    let text = sites_csv(&hostile).unwrap();
    assert!(text.contains("'@SUM(A1)") && text.contains("'-North"));
    assert_eq!(parse_sites(&text, "sites.csv").unwrap(), hostile);
}

/// The shared strings of a workbook, unescaped, in index order.
fn shared_strings(xlsx: &[u8]) -> Vec<String> {
    let xml = part(xlsx, "xl/sharedStrings.xml");
    xml.split("<si>")
        .skip(1)
        .map(|si| {
            let start = si.find('>').unwrap() + 1;
            let end = si.find("</t>").unwrap();
            si[start..end]
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn hostile_answers_are_string_cells_in_the_xlsx_workbook_never_formulas() {
    let instrument = pre_instrument();
    let data = hostile_responses();
    let found = outcomes(&instrument, &data);
    let xlsx = skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &options()).unwrap();
    let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "no formula"
    );
    let strings = shared_strings(&xlsx);
    // The answers a spreadsheet would run from a CSV (tab and CR are stored escaped).
    for answer in &HOSTILE[..4] {
        let index = strings
            .iter()
            .position(|s| s == answer)
            .unwrap_or_else(|| panic!("{answer} is a shared string, unquoted"));
        let cells: Vec<&str> = sheet
            .split("<c ")
            .filter(|c| c.contains(&format!("<v>{index}</v>")))
            .collect();
        assert!(!cells.is_empty(), "{answer} is in the Responses sheet");
        for cell in cells {
            assert!(cell.contains("t=\"s\""), "{answer}: {cell}");
        }
    }
}
