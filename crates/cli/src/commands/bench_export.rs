//! `skafada bench export`: a synthetic study's pre-training records written as CSV, and as
//! XLSX with the Responses sheet's rows held in memory and passed through a temporary
//! file, in one run. Each is timed and its peak memory above what the process held before
//! it is read from `/proc/self/status` (`VmHWM`, reset through `/proc/self/clear_refs`).

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use skafada_analysis::plan::Data;
use skafada_export::{ExportOptions, RowBuffer, XlsxSink};

use super::bench::{megabytes, memory, reset_peak};

/// Arguments of `skafada bench export`.
#[derive(Debug, clap::Args)]
pub struct BenchExportArgs {
    /// Pre-training records to export.
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The ways an export is written.
#[derive(Clone, Copy)]
enum Way {
    Csv,
    XlsxInMemory,
    XlsxThroughFile,
}

impl Way {
    fn name(self) -> &'static str {
        match self {
            Way::Csv => "CSV, a record at a time",
            Way::XlsxInMemory => "XLSX, rows held in memory",
            Way::XlsxThroughFile => "XLSX, rows through a temporary file",
        }
    }
}

/// Runs `skafada bench export`.
pub fn run(args: BenchExportArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!(
            "Note: this is a debug build; run `cargo run --release -p skafada --features bench -- bench export` for real figures."
        );
    }
    let plan = super::analyse::load_plan(None)?;
    let (pre, post) = super::bench::instruments()?;
    let dataset = super::bench::synthetic_study(&pre, &post, args.records, args.seed);
    let responses = &dataset.pre;
    let sites = &dataset.sites;
    let outcomes = skafada_analysis::records::outcomes(&plan, Data::Pre, sites, &pre, responses);
    let export = ExportOptions {
        study: "Benchmark".to_owned(),
        date: skafada_store::today().to_string(),
        synthetic: true,
        labels: false,
        scope: String::new(),
    };
    eprintln!(
        "{} pre-training records generated and cleaned (not timed)",
        responses.len()
    );
    let folder = std::env::temp_dir();
    let out = folder.join(format!("skafada-bench-export-{}", std::process::id()));
    println!(
        "{:<38} {:>9} {:>16} {:>10}",
        "export", "seconds", "peak above, MB", "file, MB"
    );
    for way in [Way::Csv, Way::XlsxThroughFile, Way::XlsxInMemory] {
        let before = reset_peak()?;
        let started = Instant::now();
        let file = BufWriter::new(
            File::create(&out).with_context(|| format!("Failed to create {}", out.display()))?,
        );
        let mut written = match way {
            Way::Csv => {
                skafada_export::write_csv(&pre, responses, sites, &outcomes, file, &mut |_| {})?
            }
            Way::XlsxInMemory | Way::XlsxThroughFile => {
                let rows = match way {
                    Way::XlsxThroughFile => RowBuffer::Folder(folder.clone()),
                    _ => RowBuffer::Memory,
                };
                let sink = XlsxSink {
                    out: file,
                    rows,
                    progress: &mut |_| {},
                };
                skafada_export::write_xlsx(&pre, responses, sites, &outcomes, &export, sink)?
            }
        };
        written.flush()?;
        drop(written);
        let seconds = started.elapsed().as_secs_f64();
        let peak = memory()?.0.saturating_sub(before);
        let size = std::fs::metadata(&out).map_or(0, |m| m.len());
        println!(
            "{:<38} {seconds:>9.2} {:>16.0} {:>10.1}",
            way.name(),
            megabytes(peak),
            megabytes(size)
        );
    }
    std::fs::remove_file(&out).ok();
    Ok(ExitCode::SUCCESS)
}
