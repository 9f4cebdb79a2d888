//! Tests of the report: charts, findings sentences, the PDF layout, whole reports and the
//! CPD certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod certificate;
mod charts;
mod dashboard;
mod findings;
mod layout;
mod over_time;
mod silent;
mod tagged;
mod whole;

use skafada_analysis::clean::CleaningLog;
use skafada_analysis::run::{Analysis, Cell, Cleaning, TableResult};

/// The demonstration study's responses (`skafada demo-data`), as an analysis dataset.
pub fn demo_dataset() -> skafada_analysis::data::Dataset {
    const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
    const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
    let pre = skafada_instrument::load(PRE, "skafada-pre.toml").unwrap();
    let post = skafada_instrument::parse(POST, "skafada-post.toml")
        .unwrap()
        .validate(Some(&pre))
        .unwrap();
    let demo = skafada_demo::generate(&pre, &post, skafada_demo::DEFAULT_SEED).unwrap();
    let files = demo.files(&pre, &post).unwrap();
    skafada_analysis::data::Dataset::from_files(&skafada_analysis::data::ExportFiles {
        manifest: files.manifest,
        sites: files.sites,
        pre_instrument: PRE.into(),
        post_instrument: Some(POST.into()),
        pre: files.pre,
        post: Some(files.post),
        follow_up: Vec::new(),
        arms: None,
    })
    .unwrap()
}

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
                flags: Vec::new(),
            },
            post: None,
        },
        tables,
        tests: Vec::new(),
        reliability: Vec::new(),
        significance: 0.01,
        adjustment: "holm",
        untested: Vec::new(),
        warnings: Vec::new(),
        over_time: Vec::new(),
        changes: Vec::new(),
        retention: Vec::new(),
        by_arm: None,
    }
}
