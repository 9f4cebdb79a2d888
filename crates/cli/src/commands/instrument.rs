//! `skafada instrument check|show`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use skafada_instrument::{Instrument, LoadError};

/// Subcommands of `skafada instrument`.
#[derive(Debug, Subcommand)]
pub enum InstrumentCommand {
    /// Check an instrument file: exit 0 when it is valid, 1 with every problem otherwise.
    ///
    /// A post-training survey is checked together with the pre-training survey named by
    /// its `compares-with` key, so that every twin is known to exist and to share its scale.
    Check {
        /// The instrument file (TOML), e.g. instruments/skafada-pre.toml.
        file: PathBuf,
    },
    /// Print an instrument as it reads on paper (text, Markdown) or as JSON for other tools.
    Show {
        /// The instrument file (TOML).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Output formats of `instrument show`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Plain text, like the paper questionnaire.
    Text,
    /// Markdown, with routing and corrections beside each item.
    Markdown,
    /// The stable JSON contract: `{id, title, items: [...]}`.
    Json,
}

/// Runs an `instrument` subcommand.
pub fn run(command: InstrumentCommand) -> anyhow::Result<ExitCode> {
    match command {
        InstrumentCommand::Check { file } => match load_instrument_file(&file)? {
            Ok(instrument) => {
                let items = instrument.items().count();
                let rows: usize = instrument
                    .items()
                    .map(|item| match &item.kind {
                        skafada_instrument::ItemKind::Matrix { rows, .. } => rows.len(),
                        _ => 0,
                    })
                    .sum();
                println!(
                    "{}: valid ({} pages, {items} items, {rows} matrix statements)",
                    file.display(),
                    instrument.pages.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                eprintln!("{error}");
                Ok(ExitCode::FAILURE)
            }
        },
        InstrumentCommand::Show { file, format } => match load_instrument_file(&file)? {
            Ok(instrument) => {
                let text = match format {
                    Format::Text => instrument.text_view(),
                    Format::Markdown => instrument.markdown_view(),
                    Format::Json => super::to_json(&instrument.json_view())?,
                };
                println!("{text}");
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                eprintln!("{error}");
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

/// Reads and validates an instrument file, and for a post-training survey the
/// pre-training file it compares with (a path relative to the post-training file).
///
/// The outer error is a failure to read a file; the inner one is an invalid instrument.
pub fn load_instrument_file(path: &Path) -> anyhow::Result<Result<Instrument, LoadError>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("Failed to read {name}"))?;
    let draft = match skafada_instrument::parse(&text, &name) {
        Ok(draft) => draft,
        Err(error) => return Ok(Err(error)),
    };
    let pre = match draft.compares_with() {
        Some(other) => {
            let other_path = path.parent().unwrap_or(Path::new(".")).join(other);
            let other_name = other_path.display().to_string();
            let other_text = std::fs::read_to_string(&other_path).with_context(|| {
                format!(
                    "Failed to read {other_name}, the pre-training survey that {name} compares with"
                )
            })?;
            match skafada_instrument::load(&other_text, &other_name) {
                Ok(pre) => Some(pre),
                Err(error) => return Ok(Err(error)),
            }
        }
        None => None,
    };
    Ok(draft.validate(pre.as_ref()))
}
