//! The Qualtrics importer against hand-made exports in Qualtrics' documented format (CSV
//! and SPSS .sav), bad files, mutated files, and a round trip of the demonstration data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod fixtures;
mod fuzz;
mod round_trip;
mod sav;
mod sav_fuzz;

use skafada_analysis::data::ExportFiles;
use skafada_instrument::Instrument;
use skafada_qualtrics::{ExportText, ImportError, Imported, Mapping, Source, Table};

pub const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
pub const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
pub const MAPPING: &str = include_str!("../fixtures/mapping.toml");
pub const CHOICE_TEXT: &str = include_str!("../fixtures/choice-text.csv");
pub const NUMERIC: &str = include_str!("../fixtures/numeric-values.csv");

/// The SKAFADA instruments.
pub fn instruments() -> (Instrument, Instrument) {
    let pre = skafada_instrument::load(PRE, "skafada-pre.toml").unwrap();
    let post = skafada_instrument::parse(POST, "skafada-post.toml")
        .and_then(|d| d.validate(Some(&pre)))
        .unwrap();
    (pre, post)
}

/// Imports one export holding both phases with a mapping's text.
pub fn import_with(mapping: &str, export: &str, file: &str) -> Result<Imported, ImportError> {
    let (pre, post) = instruments();
    let mapping = Mapping::parse(mapping, "mapping.toml")?;
    let table = Table::from_csv(export, file)?;
    skafada_qualtrics::import(
        &mapping,
        "mapping.toml",
        &pre,
        Some(&post),
        &[Source {
            file,
            table: &table,
            phase: None,
        }],
    )
}

/// The fixture mapping with numeric values instead of choice text.
pub fn numeric_mapping() -> String {
    MAPPING.replace("values = \"labels\"", "values = \"codes\"")
}

/// The written files of an import with the SKAFADA instruments, as `analyse` reads them.
pub fn export_files(files: ExportText) -> ExportFiles {
    ExportFiles {
        manifest: files.manifest,
        sites: files.sites,
        pre_instrument: PRE.into(),
        post_instrument: Some(POST.into()),
        pre: files.pre,
        post: files.post,
        follow_up: Vec::new(),
        arms: None,
    }
}
