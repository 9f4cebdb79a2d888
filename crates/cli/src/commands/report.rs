//! `skafada report`: the study report from a response export, as HTML or PDF.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use skafada_report::{Report, ReportOptions};

use super::analyse::{load_export, load_plan};

/// Arguments of `skafada report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A response export folder (see docs/export-format.md), e.g. from `skafada demo-data`.
    #[arg(long)]
    data: PathBuf,
    /// The analysis plan; the built-in SKAFADA plan (plans/skafada.toml) when omitted.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// The report to write: FILE.html or FILE.pdf (the format follows the extension).
    #[arg(long)]
    out: PathBuf,
}

/// The output formats, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Pdf,
}

fn format_of(path: &Path) -> anyhow::Result<Format> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Ok(Format::Html),
        Some("pdf") => Ok(Format::Pdf),
        _ => anyhow::bail!(
            "--out {} must end in .html or .pdf (the report's format follows the extension)",
            path.display()
        ),
    }
}

/// Runs `skafada report`.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(&args.out)?;
    let plan = load_plan(args.plan.as_deref())?;
    let dataset = load_export(&args.data)?;
    let analysis =
        skafada_analysis::analyse(&plan, &dataset).context("Failed to run the analysis plan")?;
    let report = Report::from_analysis(&analysis, &ReportOptions::default());
    let bytes = match format {
        Format::Html => report.render_html()?.into_bytes(),
        Format::Pdf => report.render_pdf()?,
    };
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("Failed to write {}", args.out.display()))?;
    eprintln!("Wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
