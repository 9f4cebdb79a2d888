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
//! Each group of views is measured in a process of its own (this program again, with the
//! hidden `--views one|together`), which never held the generated and imported records.
//!
//! Memory is the process's (server and load generator together) peak resident set above
//! what it held before the view, from `/proc/self/status` (`VmHWM`, reset through
//! `/proc/self/clear_refs` before each measurement), and beside it the peaks of its two
//! parts, sampled every 5 ms: the heap (`RssAnon`) and mapped files (`RssFile`, mostly
//! the SQLite file, which each pooled connection maps for itself, so that a page read
//! by eight connections counts eight times; see [`super::bench::MemoryWatch`]).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use skafada_analysis::synthetic;
use skafada_store::{ImportedResponse, NewAccount, NewPassword, Phase, Role, Site, Store};
use skafada_web::Config;

use super::bench::{MemoryWatch, heap_and_mapped, megabytes, memory};
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
    /// Only these views, on the filled database named by `SKAFADA_BENCH_RESULTS_DATABASE`:
    /// part of a run, in a process of its own (see [`run`]).
    #[arg(long, hide = true, value_enum)]
    pub views: Option<Views>,
}

/// The views measured in one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Views {
    /// One LA contact's page, cold then warm.
    One,
    /// Every site's LA contact at once, then the research dashboard.
    Together,
}

/// The filled database a `--views` run measures (an environment variable, so that
/// a PostgreSQL password is not shown in the list of processes).
const VIEWS_DATABASE: &str = "SKAFADA_BENCH_RESULTS_DATABASE";

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
    if let Some(which) = args.views {
        let url = std::env::var(VIEWS_DATABASE)
            .with_context(|| format!("--views reads the database from {VIEWS_DATABASE}"))?;
        runtime.block_on(views(&url, which))?;
        return Ok(ExitCode::SUCCESS);
    }
    let program = std::env::current_exe().context("Failed to find this program")?;
    for &size in &args.responses {
        let (url, temp) = runtime.block_on(fill(size, &args))?;
        // Each group of views is measured in a new process: this one has held the
        // generated and imported records, and the allocator keeps some of what is freed,
        // which a later view would reuse without it showing in that view's memory.
        for which in ["one", "together"] {
            let status = std::process::Command::new(&program)
                .args(["bench", "results", "--views", which])
                .env(VIEWS_DATABASE, &url)
                .status()
                .context("Failed to start the process that measures the views")?;
            ensure!(status.success(), "Measuring the views failed ({status})");
        }
        drop(temp);
    }
    Ok(ExitCode::SUCCESS)
}

/// Makes the demo study on a fresh database and fills it with `size` synthetic
/// pre-training responses; returns the database's URL (and the temporary file to remove
/// when the run is over).
async fn fill(
    size: usize,
    args: &BenchResultsArgs,
) -> anyhow::Result<(String, Option<super::bench::TempFile>)> {
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
    let (study, sites) = the_study(&store).await?;

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
    // Closing checkpoints the WAL into the file.
    store.close().await;
    if let Some(super::bench::TempFile(path)) = &temp {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "  stored: {:.1} MB, {:.0} bytes per response (the whole file: studies, sites, respondents, responses, indexes)",
            megabytes(bytes),
            bytes as f64 / stored.max(1) as f64
        );
    }
    Ok((url, temp))
}

/// The database's study (the demo study, the only one) and its sites.
async fn the_study(store: &Store) -> anyhow::Result<(skafada_store::Study, Vec<Site>)> {
    let study = store
        .studies()
        .await?
        .into_iter()
        .next()
        .context("The database holds no study")?;
    let sites = store.sites(&study.id).await?;
    Ok((study, sites))
}

/// Measures one group of results views on the filled database at `url`.
async fn views(url: &str, which: Views) -> anyhow::Result<()> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("Failed to open the database {}", redact(url)))?;
    let (study, sites) = the_study(&store).await?;

    let dashboard =
        |site: &Site| format!("/admin/studies/{}/sites/{}/dashboard", study.id, site.code);
    let first = sites.first().context("The demo study has no sites")?;

    if which == Views::One {
        one_contact(&store, &dashboard(first), first).await?;
    } else {
        together(&store, &sites, &dashboard, first).await?;
    }
    let (heap, mapped) = heap_and_mapped()?;
    println!(
        "  process resident memory at the end: {:.0} MB (heap {:.0} MB, files mapped {:.0} MB)",
        megabytes(memory()?.1),
        megabytes(heap),
        megabytes(mapped)
    );
    store.close().await;
    Ok(())
}

/// One LA contact's page on a server that has read nothing yet, then again.
async fn one_contact(store: &Store, page: &str, first: &Site) -> anyhow::Result<()> {
    let (base, server) = start_server(store).await?;
    let mut contact = Browser::sign_in(&base, &format!("{}@bench.invalid", first.code)).await?;
    let watch = MemoryWatch::start()?;
    let cold = contact.time(page).await?;
    let cold_memory = watch.finish()?;
    let watch = MemoryWatch::start()?;
    let warm = contact.time(page).await?;
    let warm_memory = watch.finish()?;
    // The client's kept-alive connection holds the server's state (and its cached
    // study) until it closes: close it before the next server starts.
    drop(contact);
    server.abort();
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "  one LA contact's results page: cold {:.3} s ({}), warm {:.3} s ({})",
        cold.as_secs_f64(),
        cold_memory.describe(),
        warm.as_secs_f64(),
        warm_memory.describe()
    );

    Ok(())
}

/// Every site's LA contact opening their page at once on a server that has read nothing
/// yet, then the research dashboard of one site.
async fn together(
    store: &Store,
    sites: &[Site],
    dashboard: &dyn Fn(&Site) -> String,
    first: &Site,
) -> anyhow::Result<()> {
    let (base, server) = start_server(store).await?;
    let mut browsers = Vec::new();
    for site in sites {
        browsers.push((
            Browser::sign_in(&base, &format!("{}@bench.invalid", site.code)).await?,
            dashboard(site),
        ));
    }
    let watch = MemoryWatch::start()?;
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
    let together_memory = watch.finish()?;
    let mut admin = Browser::sign_in(&base, "admin@bench.invalid").await?;
    let watch = MemoryWatch::start()?;
    let research = admin.time(&dashboard(first)).await?;
    let research_memory = watch.finish()?;
    drop(admin);
    server.abort();
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "  {} LA contacts at once (one per site): all answered in {:.3} s, slowest {:.3} s ({})",
        sites.len(),
        together.as_secs_f64(),
        slowest.as_secs_f64(),
        together_memory.describe()
    );
    println!(
        "  research dashboard (one site beside all sites) after them: {:.3} s ({})",
        research.as_secs_f64(),
        research_memory.describe()
    );
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
