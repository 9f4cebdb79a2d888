//! `skafada links`: each site's distribution link.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;
use skafada_store::Store;
use skafada_web::Config;

/// Arguments of `skafada links`.
#[derive(Debug, clap::Args)]
pub struct LinksArgs {
    /// The database: `sqlite://PATH` or `postgres://...`.
    #[arg(long, default_value = super::serve::DEFAULT_DATABASE)]
    pub database: String,
    /// The address respondents use, as given to `skafada serve`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Print a JSON array of `{site, url}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Link {
    site: String,
    url: String,
}

/// Runs `skafada links`.
pub fn run(args: LinksArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    let links = runtime.block_on(async {
        let store = Store::connect(&args.database).await.with_context(|| {
            format!(
                "Failed to open the database {}",
                super::serve::redact(&args.database)
            )
        })?;
        let links = store.links().await.context("Failed to read the links")?;
        store.close().await;
        anyhow::Ok(links)
    })?;
    let config = Config::new(&args.public_url);
    let links: Vec<Link> = links
        .into_iter()
        .map(|link| Link {
            site: link.site_code,
            url: config.site_link(&link.token),
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&links).context("Failed to write JSON")?
        );
    } else {
        for link in &links {
            println!("{}  {}", link.site, link.url);
        }
    }
    Ok(ExitCode::SUCCESS)
}
