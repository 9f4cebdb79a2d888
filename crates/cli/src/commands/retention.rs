//! `skafada retention run`: deletes the response data of studies past their retention
//! date (the date their consent form promises). `skafada serve` also runs it at start
//! and daily.

use std::process::ExitCode;

use anyhow::Context as _;
use skafada_store::{Deletion, Scrub};

/// `skafada retention ...`.
#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// Delete the responses of every study whose retention date has come.
    Run(RunArgs),
}

/// Arguments of `skafada retention run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub database: super::settings::DatabaseArgs,
}

/// One line about a deletion, for the terminal or the server log, saying whether the
/// deleted data is also gone from the database's files.
pub fn describe(deletion: &Deletion) -> String {
    let files = match &deletion.scrub {
        Scrub::Done => "and scrubbed them from the database files".to_owned(),
        Scrub::Incomplete(reason) => format!(
            "but COULD NOT scrub them from the database files ({reason}): they may still be \
             readable there until a later deletion scrubs the files"
        ),
    };
    format!(
        "retention: deleted {} respondents, {} responses and {} answers of study {} {files}",
        deletion.respondents, deletion.responses, deletion.answers, deletion.study_id
    )
}

/// Runs `skafada retention`.
pub fn run(command: RetentionCommand) -> anyhow::Result<ExitCode> {
    let RetentionCommand::Run(args) = command;
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(async {
        let (store, _) = args.database.open().await?;
        let deletions = store
            .run_retention(skafada_store::today())
            .await
            .context("Failed to delete the data of studies past their retention date")?;
        store.close().await;
        if deletions.is_empty() {
            println!("retention: no study is past its retention date with data left");
        }
        let mut scrubbed = true;
        for deletion in &deletions {
            if deletion.scrub == Scrub::Done {
                println!("{}", describe(deletion));
            } else {
                scrubbed = false;
                eprintln!("skafada: {}", describe(deletion));
            }
        }
        Ok(if scrubbed {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
