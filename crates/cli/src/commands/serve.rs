//! `skafada serve`: the respondent journey over HTTP, with the demo study of
//! [`super::demo_study`] when asked.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use skafada_store::Store;
use skafada_web::Config;

use super::demo_study::{DemoFiles, ensure_demo_with};

/// The SQLite file used when no `--database` is given, in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://skafada.sqlite";

/// The address served when no `--listen` is given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Arguments of `skafada serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A settings file (TOML; see docs/running-a-study.md), also from `SKAFADA_CONFIG`;
    /// `SKAFADA_*` environment variables override it and flags override both.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The database: `sqlite://PATH` (created if missing) or `postgres://...`
    /// [default: sqlite://skafada.sqlite].
    #[arg(long)]
    pub database: Option<String>,
    /// The address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<String>,
    /// The address respondents use, printed in links and on certificates
    /// (default: http://LISTEN).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Create the demo study (the SKAFADA surveys, the prototype module and the eleven
    /// sites of the study report's Table 2, each with fictional local services) when the
    /// database is empty, and print its links.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: the training module folder to use instead of the built-in prototype,
    /// e.g. training/example-short-module (read when the demo study is created).
    #[arg(long, value_name = "FOLDER")]
    pub module: Option<PathBuf>,
    /// With --demo: a TOML file of each site's local services, by site code, used instead
    /// of the demo's fictional services (read when the demo study is created); see
    /// docs/running-a-study.md.
    #[arg(long, value_name = "FILE")]
    pub local_services: Option<PathBuf>,
    /// With --demo: create the demo study without its synthetic responses (by default it
    /// is filled with the `skafada demo-data` responses, so that monitoring, exports and
    /// reports have something to show).
    #[arg(long)]
    pub demo_without_responses: bool,
}

pub(super) fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKAFADA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Runs `skafada serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_tracing();
    let settings = super::settings::load(
        args.config.as_deref(),
        &super::settings::Flags {
            database: args.database.clone(),
            listen: args.listen.clone(),
            public_url: args.public_url.clone(),
        },
    )?;
    for warning in &settings.warnings {
        eprintln!("{warning}");
    }
    if let Some(mail) = &settings.mail {
        skafada_web::check_mail_config(mail).context("The mail settings are not usable")?;
    }
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(&settings.database)
            .await
            .with_context(|| format!("Failed to open the database {}", redact(&settings.database)))?;
        // Read and checked once: the demo study and the content library both use it.
        let content = super::content::skafada_content()?;
        if args.demo {
            let mut files =
                DemoFiles::read(args.module.as_deref(), args.local_services.as_deref())?;
            files.with_responses = !args.demo_without_responses;
            if (files.module.is_some() || args.local_services.is_some())
                && !store.is_empty().await.context("Failed to read the database")?
            {
                eprintln!(
                    "skafada: the database already has a study, so --module and --local-services are not used (they apply when the demo study is created)"
                );
            }
            ensure_demo_with(&store, &files, &content).await?;
        } else if args.module.is_some() || args.local_services.is_some() {
            anyhow::bail!("--module and --local-services need --demo");
        }
        let listener = tokio::net::TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("Failed to listen on {}", settings.listen))?;
        let address = listener
            .local_addr()
            .context("Failed to read the address")?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        let mut config = Config::new(&public_url);
        config.admin.default_min_cell_count = settings.min_cell_count;
        config.admin.library = vec![library_content(content)];
        config.mail = settings.mail.clone();
        config.session_lifetime =
            std::time::Duration::from_secs(settings.session_idle_minutes.saturating_mul(60));
        if args.demo {
            for link in store.links().await.context("Failed to read the links")? {
                println!("{}  {}", link.site_code, config.site_link(&link.token));
            }
        }
        println!(
            "skafada: serving on {public_url} (database {}){}",
            redact(&settings.database),
            if config.mail.is_some() { "; e-mail reminders on" } else { "" }
        );
        tokio::spawn(retention_daily(store.clone()));
        skafada_web::serve(listener, store, config)
            .await
            .context("The server stopped")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The SKAFADA surveys, prototype module, analysis plan and training-needs report, read
/// when the server starts (see [`super::content`]): what a new study is made from unless
/// it copies another or is given its own files.
pub fn library_content(content: super::content::Content) -> skafada_web::ContentSet {
    let study = content.study;
    skafada_web::ContentSet {
        label: "The SKAFADA surveys, the prototype training module and the SKAFADA analysis plan"
            .to_owned(),
        pre_instrument: study.pre_instrument,
        post_instrument: study.post_instrument,
        module_id: study.module_id,
        module_sources: study.module_sources,
        analysis_plan: study.analysis_plan,
        training_needs: study.training_needs,
        framework: study.framework,
        waves: study.waves,
        participant_information: study.participant_information,
    }
}

/// Deletes the data of studies past their retention date now and then once a day, for
/// as long as the server runs. A failure is logged and tried again the next day.
async fn retention_daily(store: Store) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        daily.tick().await;
        match store.run_retention(skafada_store::today()).await {
            Ok(deletions) => {
                for deletion in &deletions {
                    if deletion.scrub == skafada_store::Scrub::Done {
                        println!("{}", super::retention::describe(deletion));
                    } else {
                        eprintln!("skafada: {}", super::retention::describe(deletion));
                    }
                }
            }
            Err(error) => eprintln!("skafada: the retention run failed: {error}"),
        }
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
