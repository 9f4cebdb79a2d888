//! Tables 3 and 5-17 equal the printed tables (errata replaced by their corrections).

use serde::Deserialize;
use skafada_analysis::run::Cell;

use crate::table;

const FIXTURE: &str = include_str!("../fixtures/published-tables.toml");

#[derive(Debug, Deserialize)]
struct Fixture {
    table: Vec<PublishedTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishedTable {
    id: String,
    #[allow(dead_code)]
    title: String,
    rows: Vec<Vec<toml::Value>>,
    #[serde(default)]
    erratum: Vec<Erratum>,
    #[serde(default)]
    reworded: Vec<Reworded>,
}

/// A row whose statement the shipped instrument words differently from the printed table
/// (documented in the instrument's `corrections`): its label must be `label`, and its
/// numbers still equal the printed ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reworded {
    row: usize,
    label: String,
    #[allow(dead_code)]
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Erratum {
    row: usize,
    column: usize,
    printed: f64,
    corrected: f64,
    reason: String,
}

fn fixture() -> Fixture {
    toml::from_str(FIXTURE).unwrap()
}

/// Lower case, without spaces, the case-study marker or the difference between dashes.
fn loose(label: &str) -> String {
    label
        .to_lowercase()
        .replace(['–', '—'], "-")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect()
}

fn as_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Every difference between a generated table and its published rows.
fn differences(published: &PublishedTable) -> Vec<String> {
    let generated = table(&published.id);
    let mut problems = Vec::new();
    if generated.rows.len() != published.rows.len() {
        problems.push(format!(
            "{}: {} rows generated, {} printed",
            published.id,
            generated.rows.len(),
            published.rows.len()
        ));
    }
    for (r, (mine, printed)) in generated.rows.iter().zip(&published.rows).enumerate() {
        if mine.len() != printed.len() {
            problems.push(format!(
                "{} row {r}: {} cells, {} printed",
                published.id,
                mine.len(),
                printed.len()
            ));
            continue;
        }
        for (c, (cell, value)) in mine.iter().zip(printed).enumerate() {
            let expected = published
                .erratum
                .iter()
                .find(|e| e.row == r && e.column == c)
                .map_or_else(|| as_number(value), |e| Some(e.corrected));
            match (cell, value, expected) {
                (Cell::Text(text), toml::Value::String(label), _) => {
                    let label = published
                        .reworded
                        .iter()
                        .find(|w| w.row == r && c == 0)
                        .map_or(label.as_str(), |w| w.label.as_str());
                    if loose(text) != loose(label) {
                        problems.push(format!(
                            "{} row {r}: label `{text}`, printed `{label}`",
                            published.id
                        ));
                    }
                }
                (Cell::Count(_) | Cell::Number(_), _, Some(expected)) => {
                    let got = crate::number(cell);
                    if (got - expected).abs() > 1e-9 {
                        problems.push(format!(
                            "{} row {r} column {c}: {got}, printed {expected}",
                            published.id
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{} row {r} column {c}: {cell:?} against {value}",
                    published.id
                )),
            }
        }
    }
    problems
}

#[test]
fn every_published_table_is_reproduced_exactly_with_errata_corrected() {
    let problems: Vec<String> = fixture().table.iter().flat_map(differences).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_fixture_covers_table_3_and_tables_5_to_17() {
    let ids: Vec<String> = fixture().table.into_iter().map(|t| t.id).collect();
    let mut expected = vec!["table-3".to_owned()];
    expected.extend((5..=17).map(|n| format!("table-{n}")));
    assert_eq!(ids, expected);
}

#[test]
fn each_erratum_differs_from_the_printed_value_and_is_explained() {
    let fixture = fixture();
    let errata: Vec<(&str, &Erratum)> = fixture
        .table
        .iter()
        .flat_map(|t| t.erratum.iter().map(move |e| (t.id.as_str(), e)))
        .collect();
    assert_eq!(errata.len(), 3, "Tables 8, 9 and 12 each have one erratum");
    for (id, erratum) in errata {
        let table = fixture.table.iter().find(|t| t.id == id).unwrap();
        let printed = as_number(&table.rows[erratum.row][erratum.column]).unwrap();
        assert_eq!(
            printed, erratum.printed,
            "{id}: the erratum names the printed value"
        );
        assert_ne!(erratum.printed, erratum.corrected, "{id}");
        assert!(erratum.reason.len() > 20, "{id}: the erratum says why");
    }
}
