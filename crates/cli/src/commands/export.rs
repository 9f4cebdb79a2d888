//! `skafada export`: a response export folder as CSV (with a codebook), XLSX or SPSS .sav,
//! optionally limited to one site. Every format carries the analysis plan's cleaning
//! outcome (`kept`, `exclusion`) and derived variables, computed as `skafada analyse`
//! computes them, so that the file reproduces the report.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use skafada_analysis::plan::Data;
use skafada_export::{ExportOptions, RowBuffer, XlsxSink};

use super::analyse::{load_export_survey, load_plan};

/// Arguments of `skafada export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A response export folder (see docs/export-format.md).
    #[arg(long)]
    data: PathBuf,
    /// The analysis plan whose cleaning (`kept`, `exclusion`), derived variables and
    /// Valid % base the export carries; the built-in SKAFADA plan (plans/skafada.toml)
    /// when omitted, as for `skafada analyse`.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// The file format.
    #[arg(long, value_enum)]
    format: Format,
    /// Which survey's responses to export.
    #[arg(long, value_enum, default_value_t = Survey::Pre)]
    survey: Survey,
    /// Export only this site's records (a site code from sites.csv). Records are for the
    /// research team only, never a local authority contact (docs/confidentiality.md).
    #[arg(long)]
    site: Option<String>,
    /// XLSX: write labels instead of codes in the Responses sheet.
    #[arg(long)]
    labels: bool,
    /// The file to write. With `--format csv` the codebook is written beside it, as
    /// NAME-codebook.csv.
    #[arg(long)]
    out: PathBuf,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The response file of docs/export-format.md, plus its codebook.
    Csv,
    /// An Excel workbook: Responses, Codebook and About sheets.
    Xlsx,
    /// An SPSS system file with variable and value labels and user-missing codes as the
    /// report counts them.
    Sav,
}

/// The surveys of a study.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Survey {
    /// The pre-training survey.
    Pre,
    /// The post-training survey.
    Post,
}

/// Runs `skafada export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let plan = load_plan(args.plan.as_deref())?;
    let reading = step(&format!("Reading {}", args.data.display()));
    let survey = match args.survey {
        Survey::Pre => Data::Pre,
        Survey::Post => Data::Post,
    };
    // Only the survey exported is read: a pre-training export does not wait for, or
    // hold, the post-training file and the follow-up waves.
    let dataset = load_export_survey(&args.data, survey)?;
    reading.finish_and_clear();
    let (instrument, responses) = (&dataset.instrument, &dataset.responses);
    let scoped;
    let (responses, scope) = match &args.site {
        Some(code) => {
            scoped = skafada_export::only_site(responses, &dataset.sites, code)?;
            (&scoped, format!("site {code}"))
        }
        None => (responses, String::new()),
    };
    let options = ExportOptions {
        study: dataset.manifest.study.clone(),
        date: skafada_store::today().to_string(),
        synthetic: dataset.manifest.synthetic,
        labels: args.labels,
        scope,
    };
    let sites = &dataset.sites;
    // The same cleaning and derivations as `skafada analyse`, for every record exported.
    let cleaning = step("Cleaning and deriving the plan's variables");
    let outcomes = skafada_analysis::records::outcomes(&plan, survey, sites, instrument, responses);
    cleaning.finish_and_clear();
    match args.format {
        Format::Csv => {
            let bar = records_bar(responses.len(), "Writing CSV");
            written(&args.out, |file| {
                let out = BufWriter::new(file);
                let mut out = skafada_export::write_csv(
                    instrument,
                    responses,
                    sites,
                    &outcomes,
                    out,
                    &mut |records| bar.set_position(records as u64),
                )?;
                out.flush()?;
                Ok(())
            })?;
            bar.finish_and_clear();
            let codebook = codebook_path(&args.out);
            write(
                &codebook,
                &skafada_export::codebook_csv(instrument, &outcomes)?,
            )?;
            eprintln!("Wrote {} and {}", args.out.display(), codebook.display());
        }
        Format::Xlsx => {
            // The rows wait in an unnamed temporary file beside the output (on the disk
            // the export is going to anyway), so memory stays flat at any size.
            let folder = match args.out.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let bar = records_bar(responses.len(), "Writing XLSX");
            written(&args.out, |file| {
                let sink = XlsxSink {
                    out: BufWriter::new(file),
                    rows: RowBuffer::Folder(folder),
                    progress: &mut |records| bar.set_position(records as u64),
                };
                let mut out = skafada_export::write_xlsx(
                    instrument, responses, sites, &outcomes, &options, sink,
                )?;
                out.flush()?;
                Ok(())
            })?;
            bar.finish_and_clear();
            eprintln!("Wrote {}", args.out.display());
        }
        Format::Sav => {
            // Written straight to the file: the SPSS writer takes the columns whole, but
            // the finished file is not held in memory as well.
            let writing = step("Writing the SPSS file");
            written(&args.out, |file| {
                let mut out = skafada_export::write_sav(
                    instrument,
                    responses,
                    sites,
                    &outcomes,
                    &options,
                    BufWriter::new(file),
                )?;
                out.flush()?;
                Ok(())
            })?;
            writing.finish_and_clear();
            eprintln!("Wrote {}", args.out.display());
        }
    }
    eprintln!(
        "{} records of {}, {} kept by the plan's cleaning",
        responses.len(),
        instrument.id,
        outcomes.log.kept
    );
    Ok(ExitCode::SUCCESS)
}

/// `DIR/NAME.csv` -> `DIR/NAME-codebook.csv`.
fn codebook_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "export".to_owned(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}-codebook.csv"))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("Failed to write {}", path.display()))
}

/// Creates `path` and fills it with `fill`; a file left half written by a failure is
/// removed, so that no partial export is mistaken for a whole one.
fn written(path: &Path, fill: impl FnOnce(File) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let file =
        File::create(path).with_context(|| format!("Failed to create {}", path.display()))?;
    let filled = fill(file).with_context(|| format!("Failed to write {}", path.display()));
    if filled.is_err() {
        // The error says what went wrong; a file that cannot be removed is named in it.
        if let Err(removing) = std::fs::remove_file(path) {
            return filled.with_context(|| {
                format!(
                    "{} is incomplete and could not be removed: {removing}",
                    path.display()
                )
            });
        }
    }
    filled
}

/// A spinner naming a step that takes a while at scale, on standard error and only on a
/// terminal.
fn step(doing: &str) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(doing.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

/// A bar counting the records written, on standard error and only on a terminal (so it
/// never mixes into a log or a pipe).
fn records_bar(records: usize, doing: &str) -> ProgressBar {
    let bar = ProgressBar::new(records as u64);
    let style = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} records, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(doing.to_owned());
    bar
}
