//! `skafada admin create`: makes an admin account. No account exists until this makes
//! the first one, and no password is ever a default or a command-line argument.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use skafada_store::{NewAccount, NewPassword, Role};

/// `skafada admin ...`.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an account. The password is asked for twice on the terminal without echo,
    /// or read from the first line of standard input when it is not a terminal.
    Create(CreateArgs),
}

/// Arguments of `skafada admin create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub database: super::settings::DatabaseArgs,
    /// The email the account signs in with.
    #[arg(long)]
    pub email: String,
    /// `study-admin` (everything in a study, or in every study without --study),
    /// `analyst` (all data of a study, read only) or `la-contact` (one site).
    #[arg(long)]
    pub role: String,
    /// The study's id or name (required for analysts and LA contacts).
    #[arg(long)]
    pub study: Option<String>,
    /// The site's code, e.g. LA01 (LA contacts only).
    #[arg(long)]
    pub site: Option<String>,
}

/// Reads the password: twice without echo on a terminal, else one line of stdin.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (12 characters or more): ")
            .context("Failed to read the password")?;
        let second = rpassword::prompt_password("Password again: ")
            .context("Failed to read the password")?;
        if first != second {
            bail!("The passwords do not match");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("Failed to read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs `skafada admin`.
pub fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::Create(args) => create(args),
    }
}

fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    let Some(role) = Role::parse(&args.role) else {
        bail!("--role must be study-admin, analyst or la-contact");
    };
    let email = args.email.trim().to_owned();
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        bail!("--email must be an email address, like name@example.org");
    }
    match (role, &args.study, &args.site) {
        (Role::Analyst, None, _) => bail!("An analyst needs --study"),
        (Role::LaContact, None, _) | (Role::LaContact, _, None) => {
            bail!("An LA contact needs --study and --site")
        }
        (Role::StudyAdmin | Role::Analyst, _, Some(_)) => {
            bail!("Only an LA contact has a --site")
        }
        _ => {}
    }
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(async {
        let (store, _) = args.database.open().await?;
        let study = match &args.study {
            None => None,
            Some(wanted) => {
                let studies = store
                    .studies()
                    .await
                    .context("Failed to read the studies")?;
                let study = studies
                    .into_iter()
                    .find(|s| s.id == wanted.as_str() || s.name == *wanted)
                    .with_context(|| format!("No study has the id or name {wanted:?}"))?;
                Some(study)
            }
        };
        let site_id = match (&study, &args.site) {
            (Some(study), Some(code)) => Some(
                store
                    .site_by_code(&study.id, code)
                    .await
                    .context("Failed to read the sites")?
                    .with_context(|| format!("The study has no site {code:?}"))?
                    .id,
            ),
            _ => None,
        };
        if store
            .account_by_email(&email)
            .await
            .context("Failed to read the accounts")?
            .is_some()
        {
            bail!("An account already has the email {email}");
        }
        let password = NewPassword::parse(&read_password()?)
            .map_err(|problem| anyhow::anyhow!("{problem}"))?;
        let account = NewAccount {
            email: email.clone(),
            password,
            role,
            study_id: study.map(|s| s.id),
            site_id,
        };
        let created = store
            .create_account(&account, None)
            .await
            .context("Failed to create the account")?;
        store.close().await;
        match created {
            Some(account) => {
                println!("Created {} ({})", account.email, account.role.as_str());
                Ok(ExitCode::SUCCESS)
            }
            None => bail!("An account already has the email {email}"),
        }
    })
}
