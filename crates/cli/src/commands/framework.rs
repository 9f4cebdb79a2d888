//! `skafada framework check`: a case-study framework file, checked as instruments are.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// Subcommands of `skafada framework`.
#[derive(Debug, clap::Subcommand)]
pub enum FrameworkCommand {
    /// Check a framework file (themes, sub-themes, research questions): exit 0 when it is
    /// valid, 1 with every problem (file:line:column) otherwise.
    Check {
        /// The framework file (TOML), e.g. frameworks/skafada.toml.
        file: PathBuf,
    },
}

/// Runs a `framework` subcommand.
pub fn run(command: FrameworkCommand) -> anyhow::Result<ExitCode> {
    match command {
        FrameworkCommand::Check { file } => {
            let name = file.display().to_string();
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("Failed to read {name}"))?;
            match skafada_qualitative::framework::parse(&text, &name) {
                Ok(framework) => {
                    println!(
                        "{name}: valid ({} research questions, {} themes, {} sub-themes)",
                        framework.research_questions.len(),
                        framework.themes.len(),
                        framework.sub_themes().count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    eprintln!("{error}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
