//! `skafada bench`: benchmarks.

use anyhow::Context as _;
use std::process::ExitCode;

use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The whole analysis plan on synthetic response sets of several sizes (optionally
    /// against the same pass in pandas + scipy).
    Analysis(super::bench_analysis::BenchAnalysisArgs),
    /// Complete pre-training surveys over loopback from concurrent clients: surveys/s,
    /// durable page commits/s and page latency, beside the database's raw commit rate.
    Journey(super::bench_journey::BenchJourneyArgs),
    /// The results views (LA contacts' pages, the research dashboard) on a live database
    /// of synthetic responses: bytes per response, time and peak memory per view.
    Results(super::bench_results::BenchResultsArgs),
    /// Writing a synthetic study's pre-training records as CSV and as XLSX (rows in
    /// memory and through a temporary file): time, peak memory and file size.
    Export(super::bench_export::BenchExportArgs),
}

/// Runs `skafada bench`.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Analysis(args) => super::bench_analysis::run(args),
        BenchCommand::Journey(args) => super::bench_journey::run(args),
        BenchCommand::Results(args) => super::bench_results::run(args),
        BenchCommand::Export(args) => super::bench_export::run(args),
    }
}

/// A temporary SQLite file, removed with its WAL when dropped.
pub(super) struct TempFile(pub(super) std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The database a benchmark runs on: the URL given, or a new temporary SQLite file
/// (removed when the returned guard is dropped).
pub(super) fn database(given: Option<&str>) -> anyhow::Result<(String, Option<TempFile>)> {
    Ok(match given {
        Some(url) => (url.to_owned(), None),
        None => {
            let path = std::env::temp_dir().join(format!(
                "skafada-bench-{}.sqlite",
                skafada_store::random_token().context("No randomness")?
            ));
            (format!("sqlite://{}", path.display()), Some(TempFile(path)))
        }
    })
}

/// Peak and current resident memory of this process, in bytes, from Linux's
/// `/proc/self/status`: an error elsewhere, never a figure of 0.
pub(super) fn memory() -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("Memory is measured from /proc/self/status, which this system does not have")?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb * 1024)
            .with_context(|| format!("/proc/self/status has no {name} line in kB"))
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

/// Resets the peak to the current resident memory; returns the current.
/// Resets the process's peak memory to what it holds now (Linux: writing 5 to
/// `clear_refs` resets `VmHWM`) and returns it, so that a later peak is the step's own.
pub(super) fn reset_peak() -> anyhow::Result<u64> {
    std::fs::write("/proc/self/clear_refs", "5")
        .context("The peak memory could not be reset through /proc/self/clear_refs")?;
    Ok(memory()?.1)
}

pub(super) fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// The SKAFADA instruments, built in so that the benchmarks run from any directory.
pub(super) const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
/// The post-training instrument's text.
pub(super) const POST: &str = include_str!("../../../../instruments/skafada-post.toml");

/// The built-in pre- and post-training instruments.
pub(super) fn instruments() -> anyhow::Result<(
    skafada_instrument::Instrument,
    skafada_instrument::Instrument,
)> {
    let pre = skafada_instrument::load(PRE, "instruments/skafada-pre.toml")
        .context("The built-in pre-training instrument is invalid")?;
    let post = skafada_instrument::parse(POST, "instruments/skafada-post.toml")
        .and_then(|draft| draft.validate(Some(&pre)))
        .context("The built-in post-training instrument is invalid")?;
    Ok((pre, post))
}

/// A synthetic study of `responses` pre-training records (and their post-training ones)
/// from `skafada_analysis::synthetic`.
pub(super) fn synthetic_study(
    pre: &skafada_instrument::Instrument,
    post: &skafada_instrument::Instrument,
    responses: usize,
    seed: u64,
) -> skafada_analysis::data::Dataset {
    let options = skafada_analysis::synthetic::Options {
        responses,
        seed,
        ..skafada_analysis::synthetic::Options::default()
    };
    skafada_analysis::synthetic::dataset(
        pre,
        Some(post),
        "instruments/skafada-pre.toml",
        "instruments/skafada-post.toml",
        &options,
    )
}
