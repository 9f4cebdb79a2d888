//! `skafada study create|show`: a study made from content files, and what it was made
//! from.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use skafada_store::{ContentPart, Day, NewStudy, Study};

use super::content::{Content, ContentArgs};
use super::settings::DatabaseArgs;

/// The width of the longest content part title, so that the digests line up.
const TITLE_WIDTH: usize = 35;

/// Subcommands of `skafada study`.
#[derive(Debug, clap::Subcommand)]
pub enum StudyCommand {
    /// Create a study from content files: every file is checked first, and every problem
    /// is printed with its file, line and column. Prints the new study's id and the
    /// SHA-256 of each part, which the study's admin page shows too.
    Create(Box<CreateArgs>),
    /// Print a study's content: each part's version and SHA-256, and whether it is
    /// unchanged since the study was created.
    Show(ShowArgs),
    /// Write a study's responses from the database as a response export folder
    /// (docs/export-format.md) that `skafada analyse` reads: the surveys before and after
    /// the training and each follow-up wave, linked to the earlier answers by resume code
    /// or linking code. For the research team: the records are individual answers.
    Export(ExportArgs),
}

/// Arguments of `skafada study export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The study's id or name.
    pub study: String,
    /// The folder to write (made if it does not exist).
    #[arg(long)]
    pub out: std::path::PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `skafada study create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// A name for researchers, e.g. "SKAFADA 2027".
    #[arg(long)]
    pub name: String,
    /// The first day respondents may start (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub opens: String,
    /// The last day respondents may start or continue (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub closes: String,
    /// The day the responses are deleted (YYYY-MM-DD), after the closing date.
    #[arg(long, value_name = "DATE")]
    pub delete_on: String,
    /// Counts below this are never shown to LA contacts (1 to 100)
    /// [default: the settings' min-cell-count, 5 unless configured].
    #[arg(long)]
    pub min_cell_count: Option<i64>,
    #[command(flatten)]
    pub content: ContentArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Check the files and print what would be created, without creating it.
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `skafada study show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The study's id or name.
    pub study: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Runs a `study` subcommand.
pub fn run(command: StudyCommand) -> anyhow::Result<ExitCode> {
    match command {
        StudyCommand::Create(args) => create(*args),
        StudyCommand::Show(args) => show(args),
        StudyCommand::Export(args) => export(args),
    }
}

/// The study with this id or name.
async fn find_study(store: &skafada_store::Store, wanted: &str) -> anyhow::Result<Study> {
    store
        .studies()
        .await
        .context("Failed to read the studies")?
        .into_iter()
        .find(|s| s.id == wanted || s.name == wanted)
        .with_context(|| format!("No study has the id or name {wanted:?}"))
}

fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let (study, export) = runtime.block_on(async {
        let (store, _) = args.database.open().await?;
        let study = find_study(&store, &args.study).await?;
        let export = skafada_web::study_export(&store, &study)
            .await
            .context("Failed to read the study's responses")?;
        anyhow::Ok((study, export))
    })?;
    let files: Vec<(&str, &str)> = export
        .files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    super::write_folder(&args.out, &files)?;
    println!(
        "Wrote the responses of {} to {}",
        study.name,
        args.out.display()
    );
    for wave in &export.waves {
        println!(
            "{}: {} responses; linked by resume code {}, by linking code {}; not linked: {} with a code that matched no first survey at their site, {} with a code shared or matched twice (never guessed), {} whose match was already linked by resume code, {} with neither",
            wave.wave,
            wave.responses,
            wave.by_resume_code,
            wave.by_linking_code,
            wave.unmatched,
            wave.ambiguous_or_contested,
            wave.already_linked,
            wave.no_link
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    let name = args.name.trim().to_owned();
    if name.is_empty() {
        bail!("--name must not be empty");
    }
    let day = |flag: &str, text: &str| {
        Day::parse(text).map_err(|_| {
            anyhow::anyhow!("{flag} must be a real date written YYYY-MM-DD, like 2027-03-31")
        })
    };
    let opens = day("--opens", &args.opens)?;
    let closes = day("--closes", &args.closes)?;
    let delete_on = day("--delete-on", &args.delete_on)?;
    if closes < opens {
        bail!("--closes must be the same as or after --opens");
    }
    if delete_on <= closes {
        bail!("--delete-on must be after --closes");
    }
    if delete_on <= skafada_store::today() {
        bail!("--delete-on must be in the future");
    }
    let settings = args.database.settings()?;
    let min_cell_count = args.min_cell_count.unwrap_or(settings.min_cell_count);
    if !(1..=100).contains(&min_cell_count) {
        bail!("--min-cell-count must be a whole number from 1 to 100");
    }
    let dir = std::env::current_dir().context("Failed to read the working directory")?;
    let content = match Content::read_checked(&args.content, &dir) {
        Ok(content) => content,
        Err(error) => {
            eprintln!("{error:#}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let study = NewStudy {
        name,
        opens_on: opens,
        closes_on: closes,
        retain_until: delete_on,
        ..content.study.clone()
    };
    let digests = study.content_sha256();
    let sources = [
        (ContentPart::PreSurvey, &content.names.pre),
        (ContentPart::PostSurvey, &content.names.post),
        (ContentPart::Module, &content.names.module),
        (ContentPart::Plan, &content.names.plan),
        (ContentPart::TrainingNeeds, &content.names.needs),
        (ContentPart::Framework, &content.names.framework),
        (ContentPart::Waves, &content.names.waves),
        (
            ContentPart::ParticipantInformation,
            &content.names.participant_information,
        ),
    ];
    if args.check {
        println!("The content is valid; nothing was created.");
    } else {
        let runtime =
            tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
        let id = runtime.block_on(async {
            let (store, _) = args.database.open().await?;
            store
                .create_study_by(&study, min_cell_count, None)
                .await
                .context("Failed to create the study")
        })?;
        println!("Created the study {:?}: {id}", study.name);
    }
    for (part, source) in sources {
        let digest = digests.get(part.slug()).map_or("", String::as_str);
        println!("{:<TITLE_WIDTH$} sha256 {digest}  {source}", part.title());
    }
    Ok(ExitCode::SUCCESS)
}

fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let study: Study = runtime.block_on(async {
        let (store, _) = args.database.open().await?;
        find_study(&store, &args.study).await
    })?;
    println!("{} ({})", study.name, study.id);
    let mut changed = false;
    for part in ContentPart::ALL {
        let now = study.sha256(part);
        let status = match study.recorded_sha256(part) {
            Some(recorded) if recorded == now => "as created",
            Some(_) => {
                changed = true;
                "CHANGED since the study was created"
            }
            None => "no digest was recorded when the study was created",
        };
        println!("{:<TITLE_WIDTH$} sha256 {now}  {status}", part.title());
    }
    Ok(if changed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_content_part_title_fits_the_digest_column() {
        for part in ContentPart::ALL {
            assert!(part.title().len() <= TITLE_WIDTH, "{}", part.title());
        }
    }
}
