//! The `skafada` command: thin glue between the library crates and the outside world.
//!
//! Each subcommand lives in its own module under `commands/`; this file only parses the
//! command line and dispatches.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// mimalloc rather than the system allocator: the server allocates small strings and maps
/// on every request (see bench/README.md for what it saves).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// skafada: run the SKAFADA workforce domestic abuse study again and again, as a living
/// tool for local authorities, training providers and researchers.
#[derive(Debug, Parser)]
#[command(name = "skafada", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check and proof-read survey instruments (the questionnaires, as data files).
    #[command(subcommand)]
    Instrument(commands::instrument::InstrumentCommand),
    /// Serve the respondent journey (SQLite by default, PostgreSQL with --database postgres://...).
    Serve(commands::serve::ServeArgs),
    /// Create a study from survey, module and plan files, or show what a study was made from.
    #[command(subcommand)]
    Study(commands::study::StudyCommand),
    /// Print each site's distribution link.
    Links(commands::links::LinksArgs),
    /// Clean a response export and run the whole analysis plan: tables, tests, pre/post comparisons.
    Analyse(commands::analyse::AnalyseArgs),
    /// Read another survey tool's export (Qualtrics) into a response export folder.
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// Write synthetic demonstration responses calibrated to the SKAFADA report's tables.
    DemoData(commands::demo_data::DemoDataArgs),
    /// Export responses as CSV with a codebook, XLSX or SPSS .sav, optionally for one site.
    Export(commands::export::ExportArgs),
    /// Write the study report (tables, charts, tests, findings) as HTML or PDF.
    Report(commands::report::ReportArgs),
    /// Crosstab of two columns of a CSV file: chi-square, G, Cramér's V and Fisher's exact test.
    Crosstab(commands::crosstab::CrosstabArgs),
    /// Two-proportion z-test (pooled, no continuity correction).
    Ztest(commands::ztest::ZTestArgs),
    /// Check a case-study framework file (themes and sub-themes of the interviews, as data).
    #[command(subcommand)]
    Framework(commands::framework::FrameworkCommand),
    /// Interview transcripts: read a .txt, .docx or .vtt file into pseudonymised speaker turns.
    #[command(subcommand)]
    Transcript(commands::transcript::TranscriptCommand),
    /// Two coders' agreement per code: Cohen's kappa on passage-level presence, from a CSV of their judgements.
    Agreement(commands::agreement::AgreementArgs),
    /// McNemar's test for paired counts: exact, and chi-square with and without correction.
    Mcnemar(commands::mcnemar::McNemarArgs),
    /// Admin accounts: `skafada admin create` makes one (none exists by default).
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// Delete the responses of studies past their retention date.
    #[command(subcommand)]
    Retention(commands::retention::RetentionCommand),
    /// Benchmarks (a release build with `--features bench`; bench/README.md).
    #[cfg(feature = "bench")]
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}

/// Turns transparent huge pages off for this process. The allocator asks the kernel for
/// huge pages, so a large column's first write made 2 MB resident at once, zeroed. Measured
/// alternating in one session: `skafada analyse` at a million responses 5.9-6.1 s and
/// 2.06 GB without, 7.3-9.6 s and 2.17 GB with; the first results view of a study of
/// 200,000 responses 3.7 s without, 4.8 s with; the journey benchmark the same both ways
/// (141-149 surveys/s without, 141-154 with). Where the kernel refuses, the command runs
/// as before.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() -> ExitCode {
    // A command whose reader goes away (`skafada instrument show ... | head`) ends as other
    // Unix tools do, by SIGPIPE, not with a panic from println!. The server keeps SIGPIPE
    // ignored: a client closing its connection must never stop it.
    let long_running = std::env::args()
        .nth(1)
        .is_some_and(|command| matches!(command.as_str(), "serve" | "bench"));
    if !long_running {
        sigpipe::reset();
    }
    without_huge_pages();
    let json = json_requested(std::env::args());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if json
                && !matches!(
                    error.kind(),
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                )
            {
                print_json_error("usage", &error.to_string());
                return ExitCode::from(2);
            }
            error.exit()
        }
    };
    let outcome = match cli.command {
        Command::Instrument(command) => commands::instrument::run(command),
        Command::Serve(args) => commands::serve::run(args),
        Command::Study(command) => commands::study::run(command),
        Command::Links(args) => commands::links::run(args),
        Command::Analyse(args) => commands::analyse::run(args),
        Command::Import(command) => commands::import::run(command),
        Command::DemoData(args) => commands::demo_data::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Crosstab(args) => commands::crosstab::run(args),
        Command::Ztest(args) => commands::ztest::run(args),
        Command::Mcnemar(args) => commands::mcnemar::run(args),
        Command::Agreement(args) => commands::agreement::run(args),
        Command::Framework(command) => commands::framework::run(command),
        Command::Transcript(command) => commands::transcript::run(command),
        Command::Admin(command) => commands::admin::run(command),
        Command::Retention(command) => commands::retention::run(command),
        #[cfg(feature = "bench")]
        Command::Bench(command) => commands::bench::run(command),
    };
    match outcome {
        Ok(code) => code,
        // A command that fails exits 1; clap's own usage errors (an unknown flag, a value
        // that does not parse) exit 2 before this point.
        Err(error) => {
            if json {
                let code = if error
                    .downcast_ref::<skafada_analysis::data::DataError>()
                    .is_some()
                {
                    "data"
                } else {
                    "failed"
                };
                print_json_error(code, &format!("{error:#}"));
            } else {
                eprintln!("skafada: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether the command line asks for JSON output (`--json`, `--format json` or
/// `--format=json`): its errors are then JSON too.
fn json_requested(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    args.iter().enumerate().any(|(i, arg)| {
        arg == "--json"
            || arg == "--format=json"
            || (arg == "--format" && args.get(i + 1).is_some_and(|next| next == "json"))
    })
}

/// An error as a JSON document on standard error: `{"schema_version": 1, "error":
/// {"code": ..., "message": ...}}` (docs/cli-json.md).
fn print_json_error(code: &str, message: &str) {
    let document = serde_json::json!({
        "schema_version": commands::JSON_SCHEMA_VERSION,
        "error": { "code": code, "message": message.trim() },
    });
    eprintln!("{document}");
}
