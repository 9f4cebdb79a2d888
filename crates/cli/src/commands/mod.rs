//! One module per subcommand.

pub mod admin;
pub mod agreement;
pub mod analyse;
pub mod bench;
pub mod bench_analysis;
pub mod bench_journey;
pub mod content;
pub mod crosstab;
pub mod demo_data;
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
