//! `skafada transcript import`: an interview transcript read and pseudonymised, printed
//! for review; nothing is stored.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;
use skafada_transcripts::{Format, RedactionList, import};

/// Subcommands of `skafada transcript`.
#[derive(Debug, clap::Subcommand)]
pub enum TranscriptCommand {
    /// Read a transcript (.txt, .docx or .vtt) into speaker turns, pseudonymise it with the
    /// redaction list and likely names, and print the turns and every replacement. Nothing
    /// is stored. A file that cannot be read exits 1 with the file and the problem.
    Import(ImportArgs),
}

/// Output formats of `transcript import`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Output {
    /// `{"turns": [{"speaker", "text"}], "redactions": [{"from", "to"}]}`.
    Json,
    /// The turns as `Speaker: text`, then the replacements.
    Text,
}

/// Arguments of `skafada transcript import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The transcript: plain text (.txt), Word (.docx) or WebVTT captions (.vtt).
    pub file: PathBuf,
    /// The study's redaction list: one term a line (names, places, teams, services).
    #[arg(long, value_name = "FILE")]
    pub redact: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
}

/// Runs a `transcript` subcommand.
pub fn run(command: TranscriptCommand) -> anyhow::Result<ExitCode> {
    let TranscriptCommand::Import(args) = command;
    let name = args.file.display().to_string();
    let Some(format) = Format::of(&name) else {
        eprintln!("{name}: a transcript must be a .txt, .docx or .vtt file");
        return Ok(ExitCode::FAILURE);
    };
    let list = match &args.redact {
        Some(path) => RedactionList::parse(
            &std::fs::read_to_string(path)
                .with_context(|| format!("Failed to read the redaction list {}", path.display()))?,
        ),
        None => RedactionList::default(),
    };
    let bytes = std::fs::read(&args.file).with_context(|| format!("Failed to read {name}"))?;
    let transcript = match import(&name, &bytes, format, &list) {
        Ok(transcript) => transcript,
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    match args.format {
        Output::Json => println!("{}", super::to_json(&transcript)?),
        Output::Text => {
            for turn in &transcript.turns {
                println!("{}: {}\n", turn.speaker, turn.text);
            }
            println!("Replacements made ({}):", transcript.redactions.len());
            for r in &transcript.redactions {
                println!("  {} -> {}", r.from, r.to);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
