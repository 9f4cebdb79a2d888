//! Tests of the report: charts, findings sentences, the PDF layout, whole reports and the
//! CPD certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod certificate;
mod charts;
mod findings;
mod layout;
mod whole;

use skafada_analysis::clean::CleaningLog;
use skafada_analysis::run::{Analysis, Cell, Cleaning, TableResult};

/// A frequency table as the analysis builds one.
pub fn frequency(id: &str, title: &str, rows: &[(&str, u64, f64)]) -> TableResult {
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let mut cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|(l, n, p)| vec![Cell::Text((*l).into()), Cell::Count(*n), Cell::Number(*p)])
        .collect();
    cells.push(vec![
        Cell::Text("Total valid responses".into()),
        Cell::Count(total),
        Cell::Number(100.0),
    ]);
    TableResult {
        id: id.into(),
        title: title.into(),
        data: "pre",
        columns: vec![String::new(), "Number".into(), "Valid %".into()],
        rows: cells,
        notes: Vec::new(),
    }
}

/// A percent-only matrix table (a figure's data).
pub fn matrix(id: &str, title: &str, categories: &[&str], rows: &[(&str, &[f64])]) -> TableResult {
    let mut columns = vec![String::new()];
    columns.extend(categories.iter().map(|c| format!("{c} %")));
    TableResult {
        id: id.into(),
        title: title.into(),
        data: "pre",
        columns,
        rows: rows
            .iter()
            .map(|(l, v)| {
                let mut row = vec![Cell::Text((*l).into())];
                row.extend(v.iter().map(|x| Cell::Number(*x)));
                row
            })
            .collect(),
        notes: Vec::new(),
    }
}

/// An analysis holding only `tables`.
pub fn analysis(tables: Vec<TableResult>) -> Analysis {
    Analysis {
        plan: "test".into(),
        title: "Test report".into(),
        study: "Test study".into(),
        synthetic: true,
        cleaning: Cleaning {
            pre: CleaningLog {
                records: 12,
                kept: 10,
                excluded: Vec::new(),
                minimum_answered: 0.5,
            },
            post: None,
        },
        tables,
        tests: Vec::new(),
        reliability: Vec::new(),
        warnings: Vec::new(),
    }
}
