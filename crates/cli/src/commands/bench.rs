//! `skafada bench`: benchmarks.

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
}

/// Runs `skafada bench`.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Analysis(args) => super::bench_analysis::run(args),
        BenchCommand::Journey(args) => super::bench_journey::run(args),
        BenchCommand::Results(args) => super::bench_results::run(args),
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
    use anyhow::Context as _;
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
