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
}

/// Runs `skafada bench`.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Analysis(args) => super::bench_analysis::run(args),
        BenchCommand::Journey(args) => super::bench_journey::run(args),
    }
}
