//! Tests of the demonstration data: the published tables, figures, associations and
//! post-training shifts, through the export format and the analysis plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod associations;
mod export;
mod figures;
mod prepost;
mod published;

use std::sync::OnceLock;

use skafada_analysis::data::{Dataset, ExportFiles};
use skafada_analysis::plan::Plan;
use skafada_analysis::run::{
    Analysis, AssociationResult, Cell, PrePostResult, TableResult, TestResult,
};
use skafada_demo::{DEFAULT_SEED, Demo, generate};
use skafada_instrument::Instrument;

pub const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
pub const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
pub const PLAN: &str = include_str!("../../../../plans/skafada.toml");

pub fn instruments() -> (Instrument, Instrument) {
    let pre = skafada_instrument::load(PRE, "skafada-pre.toml").unwrap();
    let post = skafada_instrument::parse(POST, "skafada-post.toml")
        .unwrap()
        .validate(Some(&pre))
        .unwrap();
    (pre, post)
}

pub fn demo(seed: u64) -> Demo {
    let (pre, post) = instruments();
    generate(&pre, &post, seed).unwrap()
}

/// Writes the demonstration data through the export format and reads it back.
pub fn dataset(demo: &Demo) -> Dataset {
    let (pre, post) = instruments();
    let files = demo.files(&pre, &post).unwrap();
    Dataset::from_files(&ExportFiles {
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

/// The analysis of the default demonstration data with the SKAFADA plan (computed once).
pub fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let plan = Plan::parse(PLAN, "plans/skafada.toml").unwrap();
        skafada_analysis::analyse(&plan, &dataset(&demo(DEFAULT_SEED))).unwrap()
    })
}

pub fn table(id: &str) -> &'static TableResult {
    analysis()
        .tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no table {id}"))
}

/// The row of a table whose label contains `label`.
pub fn row<'a>(table: &'a TableResult, label: &str) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| matches!(r.first(), Some(Cell::Text(t)) if t.contains(label)))
        .unwrap_or_else(|| panic!("{}: no row {label}", table.id))
}

pub fn number(cell: &Cell) -> f64 {
    match cell {
        Cell::Count(n) => *n as f64,
        Cell::Number(x) => *x,
        Cell::Text(t) => panic!("not a number: {t}"),
        Cell::NoAnswers => panic!("not a number: no answers"),
    }
}

pub fn association(family: &str, outcome: &str) -> &'static AssociationResult {
    analysis()
        .tests
        .iter()
        .find_map(|t| match t {
            TestResult::Association(a) if a.family == family && a.outcome == outcome => {
                Some(a.as_ref())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no test {family} {outcome}"))
}

pub fn prepost(family: &str, pre_variable: &str) -> &'static PrePostResult {
    analysis()
        .tests
        .iter()
        .find_map(|t| match t {
            TestResult::PrePost(p) if p.family == family && p.pre_variable == pre_variable => {
                Some(p.as_ref())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no comparison {family} {pre_variable}"))
}
