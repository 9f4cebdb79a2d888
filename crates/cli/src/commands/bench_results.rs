//! `skafada bench results`: the results views on a live database at the sizes of a
//! national roll-out.
//!
//! For each size it makes the demo study on a fresh database (a temporary SQLite file,
//! or `--database postgres://...` for one size), fills it with synthetic responses
//! (`skafada_analysis::synthetic`, eleven sites, 40% as many post-training responses),
//! reports the bytes stored per response, then serves it in-process on loopback and
//! times, with the process's peak resident memory beside each:
//!
//! - one LA contact's results page on a server that has read nothing yet (cold);
//! - the same page again (warm);
//! - every site's LA contact opening their results page at once, on a fresh server;
//! - the research dashboard of one site beside all sites, after those.
//!
//! Memory is the process's (server and load generator together) peak resident set above
//! what it held before the view, from `/proc/self/status` (`VmHWM`, reset through
//! `/proc/self/clear_refs` before each measurement).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use skafada_analysis::synthetic;
use skafada_store::{ImportedResponse, NewAccount, NewPassword, Phase, Role, Site, Store};
use skafada_web::Config;

use super::bench::{megabytes, memory, reset_peak};
use super::demo_study::{ensure_demo, imported_records};
use super::serve::redact;

/// Arguments of `skafada bench results`.
#[derive(Debug, clap::Args)]
pub struct BenchResultsArgs {
    /// Pre-training responses in the study, for each run (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [20_000, 200_000])]
    pub responses: Vec<usize>,
    /// The synthetic data's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// An empty PostgreSQL database (`postgres://...`) instead of a temporary SQLite
    /// file; one size only.
    #[arg(long)]
    pub database: Option<String>,
}

/// The password of the benchmark's accounts (never a real server's).
const PASSWORD: &str = "bench-results-password-7291";

/// One admin's browser: its cookies, kept as the server sets them.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(base: &str) -> anyhow::Result<Browser> {
        Ok(Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .context("Failed to build the HTTP client")?,
            base: base.to_owned(),
            cookies: BTreeMap::new(),
        })
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> anyhow::Result<(u16, String)> {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let response = request
            .header("cookie", cookie.join("; "))
            .send()
            .await
            .context("A request failed")?;
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap_or_default().split(';').next();
            if let Some((name, value)) = pair.and_then(|p| p.split_once('=')) {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        Ok((status, response.text().await.context("A response failed")?))
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<(u16, String)> {
        let url = format!("{}{path}", self.base);
        self.send(self.client.get(url)).await
    }

    async fn sign_in(base: &str, email: &str) -> anyhow::Result<Browser> {
        let mut browser = Browser::new(base)?;
        let (_, form) = browser.get("/admin/sign-in").await?;
        let marker = "name=\"csrf\" value=\"";
        let csrf = form
            .find(marker)
            .and_then(|at| {
                let rest = form.get(at + marker.len()..)?;
                rest.get(..rest.find('"')?)
            })
            .context("The sign-in page has no CSRF field")?
            .to_owned();
        let url = format!("{base}/admin/sign-in");
        let (status, _) = browser
            .send(browser.client.post(url).form(&[
                ("email", email),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ]))
            .await?;
        ensure!(status == 303, "{email} could not sign in ({status})");
        Ok(browser)
    }

    /// Gets a page that must answer 200; returns how long it took.
    async fn time(&mut self, path: &str) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let (status, body) = self.get(path).await?;
        ensure!(
            status == 200,
            "GET {path} answered {status}: {}",
            body.get(..300).unwrap_or(&body)
        );
        Ok(started.elapsed())
    }
}

/// Serves the store on a loopback port with fresh caches; returns its address.
async fn start_server(store: &Store) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("Failed to listen on loopback")?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = Config::new(&base);
    let store = store.clone();
    let server = tokio::spawn(async move {
        let _ = skafada_web::serve(listener, store, config).await;
    });
    Ok((base, server))
}

/// Runs `skafada bench results`.
pub fn run(args: BenchResultsArgs) -> anyhow::Result<ExitCode> {
    ensure!(!args.responses.is_empty(), "--responses needs a size");
    ensure!(
        args.database.is_none() || args.responses.len() == 1,
        "--database takes one size: each size needs an empty database"
    );
    // The server's own log (SKAFADA_LOG, as for `serve`) says how long each read of the
    // study and each release took.
    if std::env::var_os("SKAFADA_LOG").is_some() {
        super::serve::init_tracing();
    }
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(async {
        for &size in &args.responses {
            bench_size(size, &args).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn bench_size(size: usize, args: &BenchResultsArgs) -> anyhow::Result<()> {
    let (url, temp) = super::bench::database(args.database.as_deref())?;
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("Failed to open the database {}", redact(&url)))?;
    ensure!(
        store.is_empty().await?,
        "{} is not empty: give an empty database",
        redact(&url)
    );
    ensure_demo(&store).await?;
    let study = store
        .studies()
        .await?
        .into_iter()
        .next()
        .context("The demo study was not made")?;
    let sites = store.sites(&study.id).await?;

    // The responses: synthetic, over the demo's eleven sites.
    let started = Instant::now();
    let pre = skafada_instrument::load(&study.pre_instrument, "pre-training survey")?;
    let post = skafada_instrument::parse(&study.post_instrument, "post-training survey")?
        .validate(Some(&pre))?;
    let dataset = synthetic::dataset(
        &pre,
        Some(&post),
        "pre",
        "post",
        &synthetic::Options {
            responses: size,
            seed: args.seed,
            sites: sites.len(),
            ..synthetic::Options::default()
        },
    );
    let mut records: Vec<ImportedResponse> = Vec::new();
    let mut starts = Vec::new();
    imported_records(
        &pre,
        &dataset.pre,
        Phase::Pre,
        &dataset.sites,
        &mut records,
        &mut starts,
    );
    if let Some(post_data) = &dataset.post {
        imported_records(
            &post,
            post_data,
            Phase::Post,
            &dataset.sites,
            &mut records,
            &mut starts,
        );
    }
    // The synthetic sites are LA01..; the demo's have the same codes.
    if let Some(missing) = records
        .iter()
        .find(|r| !sites.iter().any(|s| s.code == r.site_code))
    {
        bail!("The demo study has no site {}", missing.site_code);
    }
    drop(dataset);
    let generated = started.elapsed();
    let started = Instant::now();
    for chunk in records.chunks(5_000) {
        store.import_responses(&study.id, chunk).await?;
    }
    let imported = started.elapsed();
    let stored = records.len();
    let answers: usize = records.iter().map(|r| r.answers.len()).sum();
    drop(records);
    println!(
        "skafada bench results: {size} pre-training responses ({stored} stored, {answers} answers; \
         generated in {:.1} s, stored in {:.1} s, {:.0} responses/s), database {}",
        generated.as_secs_f64(),
        imported.as_secs_f64(),
        stored as f64 / imported.as_secs_f64(),
        redact(&url)
    );
    if let Some(super::bench::TempFile(path)) = &temp {
        // Closing checkpoints the WAL into the file.
        store.close().await;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "  stored: {:.1} MB, {:.0} bytes per response (the whole file: studies, sites, respondents, responses, indexes)",
            megabytes(bytes),
            bytes as f64 / stored.max(1) as f64
        );
    }
    let store = Store::connect(&url).await?;

    // An LA contact per site and a study admin.
    for site in &sites {
        account(
            &store,
            &format!("{}@bench.invalid", site.code),
            Role::LaContact,
            &study.id,
            Some(site),
        )
        .await?;
    }
    account(
        &store,
        "admin@bench.invalid",
        Role::StudyAdmin,
        &study.id,
        None,
    )
    .await?;
    let dashboard =
        |site: &Site| format!("/admin/studies/{}/sites/{}/dashboard", study.id, site.code);
    let first = sites.first().context("The demo study has no sites")?;

    // One LA contact, cold then warm.
    let (base, server) = start_server(&store).await?;
    let mut contact = Browser::sign_in(&base, &format!("{}@bench.invalid", first.code)).await?;
    let before = reset_peak()?;
    let cold = contact.time(&dashboard(first)).await?;
    let cold_peak = memory()?.0.saturating_sub(before);
    let before = reset_peak()?;
    let warm = contact.time(&dashboard(first)).await?;
    let warm_peak = memory()?.0.saturating_sub(before);
    // The client's kept-alive connection holds the server's state (and its cached
    // study) until it closes: close it before the next server starts.
    drop(contact);
    server.abort();
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "  one LA contact's results page: cold {:.3} s (+{:.0} MB peak), warm {:.3} s (+{:.0} MB)",
        cold.as_secs_f64(),
        megabytes(cold_peak),
        warm.as_secs_f64(),
        megabytes(warm_peak)
    );

    // Every site's contact at once, on a fresh server.
    let (base, server) = start_server(&store).await?;
    let mut browsers = Vec::new();
    for site in &sites {
        browsers.push((
            Browser::sign_in(&base, &format!("{}@bench.invalid", site.code)).await?,
            dashboard(site),
        ));
    }
    let before = reset_peak()?;
    let started = Instant::now();
    let views: Vec<_> = browsers
        .into_iter()
        .map(|(mut browser, path)| tokio::spawn(async move { browser.time(&path).await }))
        .collect();
    let mut slowest = Duration::ZERO;
    for view in views {
        slowest = slowest.max(view.await.context("A view failed")??);
    }
    let together = started.elapsed();
    let together_peak = memory()?.0.saturating_sub(before);
    let mut admin = Browser::sign_in(&base, "admin@bench.invalid").await?;
    let before = reset_peak()?;
    let research = admin.time(&dashboard(first)).await?;
    let research_peak = memory()?.0.saturating_sub(before);
    drop(admin);
    server.abort();
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "  {} LA contacts at once (one per site): all answered in {:.3} s, slowest {:.3} s (+{:.0} MB peak)",
        sites.len(),
        together.as_secs_f64(),
        slowest.as_secs_f64(),
        megabytes(together_peak)
    );
    println!(
        "  research dashboard (one site beside all sites) after them: {:.3} s (+{:.0} MB)",
        research.as_secs_f64(),
        megabytes(research_peak)
    );
    println!(
        "  process resident memory at the end: {:.0} MB",
        megabytes(memory()?.1)
    );
    store.close().await;
    Ok(())
}

async fn account(
    store: &Store,
    email: &str,
    role: Role,
    study_id: &skafada_store::StudyId,
    site: Option<&Site>,
) -> anyhow::Result<()> {
    let password = NewPassword::parse(PASSWORD).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    store
        .create_account(
            &NewAccount {
                email: email.to_owned(),
                password,
                role,
                study_id: Some(study_id.clone()),
                site_id: site.map(|s| s.id.clone()),
            },
            None,
        )
        .await?
        .context("The account exists already")?;
    Ok(())
}
