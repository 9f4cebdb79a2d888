//! `skafada import qualtrics`: a Qualtrics export read through a mapping file into a
//! response export folder (`docs/qualtrics-import.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use skafada_qualtrics::{Mapping, Phase, Source, Table};

/// Subcommands of `skafada import`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read a Qualtrics export (CSV with three header rows, or SPSS .sav) into a response
    /// export folder that `skafada analyse --data` reads; personal columns are dropped and
    /// listed.
    Qualtrics(QualtricsArgs),
}

/// Arguments of `skafada import qualtrics`.
#[derive(Debug, Args)]
pub struct QualtricsArgs {
    /// The Qualtrics export: CSV (downloaded with "Use numeric values" or "Use choice
    /// text") or SPSS (.sav, told by its content). With --post-export, the pre-training
    /// survey's export.
    #[arg(long)]
    export: PathBuf,
    /// The post-training survey's export (CSV or .sav), when it is a separate Qualtrics
    /// survey.
    #[arg(long)]
    post_export: Option<PathBuf>,
    /// The mapping file: which Qualtrics column is which instrument variable
    /// (e.g. mappings/skafada-qualtrics.toml).
    #[arg(long)]
    mapping: PathBuf,
    /// The folder to write the response export to; it must be new or empty.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `skafada import`.
pub fn run(command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Qualtrics(args) => qualtrics(args),
    }
}

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("Failed to read {what} {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// Reads a Qualtrics export: an SPSS file (told by its first bytes, `$FL2` or `$FL3`,
/// whatever its name) with [`Table::from_sav`], anything else as the CSV export.
fn read_export(path: &Path) -> anyhow::Result<Table> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("Failed to read the export {name}"))?;
    if skafada_qualtrics::is_sav(&bytes) {
        return Ok(Table::from_sav(&bytes, &name)?);
    }
    let text = String::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8 text"))?;
    Ok(Table::from_csv(&text, &name)?)
}

fn qualtrics(args: QualtricsArgs) -> anyhow::Result<ExitCode> {
    let mapping_name = args.mapping.display().to_string();
    let mapping_text = read(&args.mapping, "the mapping")?;
    let mapping = Mapping::parse(&mapping_text, &mapping_name)?;
    let base = args.mapping.parent().unwrap_or(Path::new(""));
    let pre_path = base.join(&mapping.instruments.pre);
    let pre_text = read(&pre_path, "the pre-training instrument")?;
    let pre = skafada_instrument::load(&pre_text, &pre_path.display().to_string())?;
    let post = match &mapping.instruments.post {
        Some(file) => {
            let path = base.join(file);
            let text = read(&path, "the post-training instrument")?;
            let instrument = skafada_instrument::parse(&text, &path.display().to_string())?
                .validate(Some(&pre))?;
            Some((path, text, instrument))
        }
        None => None,
    };
    if std::fs::read_dir(&args.out).is_ok_and(|mut entries| entries.next().is_some()) {
        bail!(
            "{} is not empty; choose a new folder for the imported responses",
            args.out.display()
        );
    }
    let export_name = args.export.display().to_string();
    let export = read_export(&args.export)?;
    let post_export = match &args.post_export {
        Some(path) => Some(read_export(path)?),
        None => None,
    };
    let mut sources = vec![Source {
        file: &export_name,
        table: &export,
        phase: match (&post_export, &mapping.record.phase) {
            (Some(_), _) | (None, None) => Some(Phase::Pre),
            (None, Some(_)) => None,
        },
    }];
    if let Some(table) = &post_export {
        sources.push(Source {
            file: &table.file,
            table,
            phase: Some(Phase::Post),
        });
    }
    let imported = skafada_qualtrics::import(
        &mapping,
        &mapping_name,
        &pre,
        post.as_ref().map(|(_, _, instrument)| instrument),
        &sources,
    )?;
    let inside = |path: &Path| -> String {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("instruments/{name}")
    };
    let pre_inside = inside(&pre_path);
    let post_inside = post.as_ref().map(|(path, _, _)| inside(path));
    let files = imported.files(
        &mapping.study,
        (&pre, &pre_inside),
        post.as_ref()
            .zip(post_inside.as_deref())
            .map(|((_, _, instrument), path)| (instrument, path)),
    )?;
    let mut written: Vec<(&str, &str)> = vec![
        ("manifest.toml", &files.manifest),
        ("sites.csv", &files.sites),
        ("pre.csv", &files.pre),
        ("codebook.csv", &files.codebook),
        (&pre_inside, &pre_text),
    ];
    if let (Some(text), Some((_, instrument_text, _)), Some(path)) =
        (&files.post, &post, &post_inside)
    {
        written.push(("post.csv", text));
        written.push((path, instrument_text));
    }
    super::write_folder(&args.out, &written)?;
    let names: Vec<&str> = sources.iter().map(|s| s.file).collect();
    report(&imported, &names, &args.out);
    Ok(ExitCode::SUCCESS)
}

/// Says what was imported, which columns of each export were dropped (personal ones
/// first) and which rows were skipped.
fn report(imported: &skafada_qualtrics::Imported, files: &[&str], out: &Path) {
    for file in files {
        let personal = imported.dropped_columns(file, true);
        if personal.is_empty() {
            eprintln!("Dropped personal columns of {file}: none found.");
        } else {
            eprintln!(
                "Dropped personal columns of {file}: {}.",
                personal.join(", ")
            );
        }
        let other = imported.dropped_columns(file, false);
        if !other.is_empty() {
            eprintln!(
                "Dropped columns of {file} the mapping does not map: {}.",
                other.join(", ")
            );
        }
    }
    for skipped in &imported.skipped {
        eprintln!(
            "Skipped {}:{}: a {}, not a response.",
            skipped.file, skipped.row, skipped.reason
        );
    }
    eprintln!(
        "Wrote {} pre-training and {} post-training records to {}.",
        imported.pre.len(),
        imported.post.as_ref().map_or(0, |p| p.len()),
        out.display()
    );
}
