//! `skafada serve`: the respondent journey over HTTP, and the demo study.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context as _;
use rust_embed::RustEmbed;
use skafada_store::{NewSite, NewStudy, Store};
use skafada_web::Config;

/// The SQLite file used when no `--database` is given, in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://skafada.sqlite";

/// The address served when no `--listen` is given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Arguments of `skafada serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The database: `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(long, default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// The address and port to listen on.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// The address respondents use, printed in links and on certificates
    /// (default: http://LISTEN).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Create the demo study (the SKAFADA surveys, the prototype module and the eleven
    /// sites of the study report's Table 2) when the database is empty, and print its links.
    #[arg(long)]
    pub demo: bool,
}

#[derive(RustEmbed)]
#[folder = "../../training/skafada-prototype/"]
struct PrototypeModule;

/// The demo study: the SKAFADA pre- and post-training surveys and the prototype
/// module, built into the binary so `serve --demo` works from any directory, open from
/// today for a year.
pub fn demo_study() -> NewStudy {
    let mut sources = BTreeMap::new();
    for path in PrototypeModule::iter() {
        if let Some(file) = PrototypeModule::get(&path)
            && let Ok(text) = String::from_utf8(file.data.into_owned())
        {
            sources.insert(path.to_string(), text);
        }
    }
    let today = skafada_store::today();
    let next_year = today
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .map(|y| format!("{}{}", y + 1, today.get(4..).unwrap_or("-01-01")))
        .unwrap_or_else(|| today.clone());
    let retain = today
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .map(|y| format!("{}-12-31", y + 7))
        .unwrap_or_else(|| today.clone());
    NewStudy {
        name: "SKAFADA demo".to_owned(),
        pre_instrument: include_str!("../../../../instruments/skafada-pre.toml").to_owned(),
        post_instrument: include_str!("../../../../instruments/skafada-post.toml").to_owned(),
        module_id: "skafada-prototype".to_owned(),
        module_sources: sources,
        opens_on: today,
        closes_on: next_year.replace("-02-29", "-02-28"),
        retain_until: retain,
    }
}

/// The eleven sites of the study report's Table 2.
pub fn demo_sites() -> Vec<NewSite> {
    const SIGNS: &str = "Signs of Safety; part of the Family Hubs and Start for Life programme";
    const FSM: &str = "Family Safeguarding Model";
    let rows: [(&str, &str, &str, &str, &str, &str, i64); 11] = [
        (
            "LA01",
            "North",
            FSM,
            "1.2m",
            "White 87%; Asian, Black, Caribbean, multiple ethnicities 13%",
            "Mixed rural and urban",
            3,
        ),
        (
            "LA02",
            "South",
            FSM,
            "1.2m",
            "White 82%; Asian, Black, Caribbean, multiple ethnicities 18%",
            "Mixed rural and urban",
            5,
        ),
        (
            "LA03",
            "East",
            SIGNS,
            "225k",
            "White 45%; Asian, Black, Caribbean, multiple ethnicities 55%",
            "Urban",
            2,
        ),
        (
            "LA04",
            "London",
            SIGNS,
            "300k",
            "White 52%; Asian, Black, Caribbean, multiple ethnicities 48%",
            "Urban",
            1,
        ),
        (
            "LA05",
            "Midlands",
            SIGNS,
            "825k",
            "White 66%; Asian, Black, Caribbean, multiple ethnicities 34%",
            "Urban",
            1,
        ),
        (
            "LA06",
            "North",
            SIGNS,
            "552k",
            "White 57%; Asian, Black, Caribbean, multiple ethnicities 43%",
            "Urban",
            1,
        ),
        (
            "LA07",
            "North",
            SIGNS,
            "266k",
            "White 91%; Asian, Black, Caribbean, multiple ethnicities 9%",
            "Urban",
            2,
        ),
        (
            "LA08",
            "Midlands",
            SIGNS,
            "342k",
            "White 57%; Asian, Black, Caribbean, multiple ethnicities 43%",
            "Urban",
            1,
        ),
        (
            "LA09",
            "South",
            "Own collaborative working model",
            "553k",
            "White 80%; Asian, Black, Caribbean, multiple ethnicities 20%",
            "Rural/mixed",
            5,
        ),
        (
            "LA10",
            "South",
            "Own practice framework",
            "1.4m",
            "White 93%; Asian, Black, Caribbean, multiple ethnicities 7%",
            "Rural/mixed",
            5,
        ),
        (
            "LA11",
            "South",
            SIGNS,
            "570k",
            "White 97%; Asian, Black, Caribbean, multiple ethnicities 3%",
            "Rural",
            2,
        ),
    ];
    rows.iter()
        .map(
            |(code, region, model, population, ethnicity, area, quintile)| NewSite {
                code: (*code).to_owned(),
                name: format!("Local authority {}", code.trim_start_matches("LA")),
                region: (*region).to_owned(),
                model_of_practice: (*model).to_owned(),
                population: (*population).to_owned(),
                ethnicity: (*ethnicity).to_owned(),
                area_type: (*area).to_owned(),
                deprivation_quintile: Some(*quintile),
                local_services: "[]".to_owned(),
            },
        )
        .collect()
}

/// Creates the demo study with its sites when the database has no study.
pub async fn ensure_demo(store: &Store) -> anyhow::Result<()> {
    if !store
        .is_empty()
        .await
        .context("Failed to read the database")?
    {
        return Ok(());
    }
    let study = demo_study();
    skafada_web::check_study(&study).context("The demo study's content does not load")?;
    let id = store
        .create_study(&study)
        .await
        .context("Failed to create the demo study")?;
    for site in demo_sites() {
        store
            .add_site(&id, &site)
            .await
            .context("Failed to add a demo site")?;
    }
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKAFADA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Runs `skafada serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_tracing();
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(&args.database)
            .await
            .with_context(|| format!("Failed to open the database {}", redact(&args.database)))?;
        if args.demo {
            ensure_demo(&store).await?;
        }
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("Failed to listen on {}", args.listen))?;
        let address = listener
            .local_addr()
            .context("Failed to read the address")?;
        let public_url = args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        let config = Config::new(&public_url);
        if args.demo {
            for link in store.links().await.context("Failed to read the links")? {
                println!("{}  {}", link.site_code, config.site_link(&link.token));
            }
        }
        println!(
            "skafada: serving on {public_url} (database {})",
            redact(&args.database)
        );
        skafada_web::serve(listener, store, config)
            .await
            .context("The server stopped")?;
        Ok(ExitCode::SUCCESS)
    })
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
