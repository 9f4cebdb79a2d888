//! `skafada links`: each site's distribution link.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;
use skafada_web::Config;

/// Arguments of `skafada links`.
#[derive(Debug, clap::Args)]
pub struct LinksArgs {
    #[command(flatten)]
    pub database: super::settings::DatabaseArgs,
    /// The address respondents use, as given to `skafada serve` [default: the settings'
    /// public URL, else http://127.0.0.1:8080].
    #[arg(long)]
    pub public_url: Option<String>,
    /// Print a JSON array of `{site, url}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Link {
    site: String,
    url: String,
}

/// The JSON contract of `skafada links --json`.
#[derive(Serialize)]
struct LinksOut<'a> {
    /// Each site's link.
    links: &'a [Link],
}

/// Runs `skafada links`.
pub fn run(args: LinksArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let (links, settings) = runtime.block_on(async {
        let (store, settings) = args.database.open().await?;
        let links = store.links().await.context("Failed to read the links")?;
        store.close().await;
        anyhow::Ok((links, settings))
    })?;
    let public_url = args
        .public_url
        .or(settings.public_url)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let config = Config::new(&public_url);
    let links: Vec<Link> = links
        .into_iter()
        .map(|link| Link {
            site: link.site_code,
            url: config.site_link(&link.token),
        })
        .collect();
    if args.json {
        println!("{}", super::to_json(&LinksOut { links: &links })?);
    } else {
        for link in &links {
            println!("{}  {}", link.site, link.url);
        }
    }
    Ok(ExitCode::SUCCESS)
}
