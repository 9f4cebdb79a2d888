//! One module per subcommand.

pub mod admin;
pub mod agreement;
pub mod analyse;
#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "bench")]
pub mod bench_analysis;
#[cfg(feature = "bench")]
pub mod bench_export;
#[cfg(feature = "bench")]
pub mod bench_journey;
#[cfg(feature = "bench")]
pub mod bench_results;
pub mod content;
pub mod crosstab;
pub mod demo_data;
pub mod demo_study;
pub mod export;
pub mod framework;
pub mod import;
pub mod instrument;
pub mod links;
pub mod mcnemar;
pub mod report;
pub mod retention;
pub mod serve;
pub mod settings;
pub mod study;
pub mod transcript;
pub mod ztest;

use anyhow::Context as _;
use serde::Serialize;

/// The version of every JSON document the commands print (`docs/cli-json.md`): raised
/// when a field is removed or changes meaning, never for a field added.
pub const JSON_SCHEMA_VERSION: u32 = 2;

/// A JSON document as printed: its fields after `schema_version`.
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    schema_version: u32,
    #[serde(flatten)]
    body: &'a T,
}

/// `body` (a struct) as a JSON document with its `schema_version`.
pub fn to_json<T: Serialize>(body: &T) -> anyhow::Result<String> {
    serde_json::to_string_pretty(&Versioned {
        schema_version: JSON_SCHEMA_VERSION,
        body,
    })
    .context("Failed to write JSON")
}

/// Writes the files of an export folder (`docs/export-format.md`): `(path inside the
/// folder, text)` pairs, creating the folder and its `instruments/` folder.
pub fn write_folder(out: &std::path::Path, files: &[(&str, &str)]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let instruments = out.join("instruments");
    std::fs::create_dir_all(&instruments)
        .with_context(|| format!("Failed to create {}", instruments.display()))?;
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("Failed to write {}", path.display()))?;
    }
    Ok(())
}
