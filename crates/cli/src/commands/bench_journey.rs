//! `skafada bench journey`: a load generator for the respondent journey.
//!
//! It serves the demo study in-process on a loopback listener (a temporary SQLite file
//! by default, or `--database postgres://...`), then C concurrent clients each take
//! respondents through the site link, consent and every page of the pre-training survey
//! (a GET, then a POST of the first option of every question) to check your answers and
//! submit. It reports completed surveys per second, durable page commits per second (the
//! survey-page POSTs, each of which commits its answers before it is acknowledged) and
//! p50/p99 latency of GETs and POSTs, beside the raw durable-commit rate of the same
//! database measured in the same run: single-row INSERT transactions through the same
//! store (same pool, same pragmas, same write lock), from the same number of tasks.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use skafada_store::Store;
use skafada_web::Config;

use super::demo_study::ensure_demo;
use super::serve::redact;

/// Arguments of `skafada bench journey`.
#[derive(Debug, clap::Args)]
pub struct BenchJourneyArgs {
    /// Concurrent clients (each one respondent at a time).
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Complete pre-training surveys to drive.
    #[arg(long, default_value_t = 2000)]
    pub surveys: usize,
    /// How long to measure the raw durable-commit rate, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub commit_seconds: f64,
    /// The database: a fresh temporary SQLite file when omitted, or `postgres://...`
    /// (an empty database is best: the demo study is created if there is none).
    #[arg(long)]
    pub database: Option<String>,
    /// Only start journeys: this many presses of "Start now" on the site links (each
    /// stores a session and counts the start), reported as starts/s; no surveys.
    #[arg(long)]
    pub starts: Option<usize>,
}

/// Latencies of one kind of request.
#[derive(Debug, Default)]
struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = (p * sorted.len() as f64).ceil() as usize;
        sorted
            .get(rank.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<5} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
            millis(self.percentile(0.50)),
            millis(self.percentile(0.99)),
            self.0.len()
        )
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// What one client measured.
#[derive(Debug, Default)]
struct Tally {
    surveys: usize,
    page_commits: usize,
    gets: Latencies,
    posts: Latencies,
}

/// One respondent's browser: the shared connection pool and their own cookie.
struct Browser<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    cookie: Option<String>,
}

struct Reply {
    status: u16,
    location: String,
    body: String,
}

impl Browser<'_> {
    async fn send(&mut self, request: reqwest::RequestBuilder) -> anyhow::Result<Reply> {
        let request = match &self.cookie {
            Some(token) => request.header("cookie", format!("journey={token}")),
            None => request,
        };
        let response = request.send().await.context("A request failed")?;
        for value in response.headers().get_all("set-cookie") {
            if let Some(rest) = value.to_str().unwrap_or_default().strip_prefix("journey=") {
                let token = rest.split(';').next().unwrap_or_default();
                self.cookie = (!token.is_empty()).then(|| token.to_owned());
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.context("A response failed")?;
        Ok(Reply {
            status,
            location,
            body,
        })
    }

    async fn get(&mut self, path: &str, tally: &mut Tally) -> anyhow::Result<Reply> {
        let started = Instant::now();
        let reply = self
            .send(self.client.get(format!("{}{path}", self.base)))
            .await?;
        tally.gets.0.push(started.elapsed());
        Ok(reply)
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(String, String)],
        tally: &mut Tally,
    ) -> anyhow::Result<Reply> {
        let started = Instant::now();
        let reply = self
            .send(self.client.post(format!("{}{path}", self.base)).form(form))
            .await?;
        tally.posts.0.push(started.elapsed());
        Ok(reply)
    }
}

/// The names of the inputs of a type (`radio`, `checkbox`, `text`) on a page, in order,
/// each once.
fn input_names<'a>(body: &'a str, kind: &str) -> Vec<&'a str> {
    let marker = format!("\" type=\"{kind}\"");
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in body.match_indices(&marker) {
        let name = body.get(..at).and_then(|before| {
            before
                .rfind("name=\"")
                .and_then(|open| body.get(open + 6..at))
        });
        if let Some(name) = name
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// A respondent's answers to a page: the first option of every radio group and checkbox
/// list, 2010 for a year, 12 for a number; free text is left out.
fn answers_for(body: &str) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    for kind in ["radio", "checkbox"] {
        for name in input_names(body, kind) {
            let marker = format!("name=\"{name}\" type=\"{kind}\" value=\"");
            let value = body.find(&marker).and_then(|at| {
                let rest = body.get(at + marker.len()..)?;
                rest.get(..rest.find('"')?)
            });
            if let Some(value) = value {
                answers.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    for name in input_names(body, "text") {
        let marker = format!("id=\"{name}\" name=\"{name}\"");
        let tag = body
            .find(&marker)
            .and_then(|at| body.get(body.get(..at)?.rfind('<')?..at));
        match tag {
            Some(tag) if tag.contains("govuk-input--width-4") => {
                answers.push((name.to_owned(), "2010".to_owned()));
            }
            Some(tag) if tag.contains("govuk-input--width-5") => {
                answers.push((name.to_owned(), "12".to_owned()));
            }
            _ => {}
        }
    }
    answers
}

/// The answers a client gave at each step of its first survey, by path. Every
/// respondent answers alike, so later surveys reuse them instead of searching each page
/// again (the page is still fetched in full): the client's work on the shared cores is
/// kept small.
type Script = Vec<(String, Vec<(String, String)>)>;

/// One respondent from the site link to a submitted pre-training survey.
async fn one_survey(
    browser: &mut Browser<'_>,
    link: &str,
    script: &mut Script,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let started = browser.post(link, &[], tally).await?;
    ensure!(
        started.location == "/consent",
        "the site link did not lead to consent"
    );
    let consent = browser.get("/consent", tally).await?;
    let agreed: Vec<(String, String)> = input_names(&consent.body, "checkbox")
        .into_iter()
        .map(|name| (name.to_owned(), "1".to_owned()))
        .collect();
    let code = browser.post("/consent", &agreed, tally).await?;
    ensure!(code.status == 200, "consent was refused ({})", code.status);
    let mut path = browser.get("/continue", tally).await?.location;
    let mut pages = 0;
    while path != "/survey/pre/check-answers" {
        ensure!(pages < 100, "the survey did not reach check your answers");
        let page = browser.get(&path, tally).await?;
        ensure!(page.status == 200, "GET {path} answered {}", page.status);
        let answers = match script.get(pages) {
            Some((step, answers)) if *step == path => answers.clone(),
            _ => {
                let answers = answers_for(&page.body);
                script.truncate(pages);
                script.push((path.clone(), answers.clone()));
                answers
            }
        };
        let saved = browser.post(&path, &answers, tally).await?;
        ensure!(saved.status == 303, "POST {path} answered {}", saved.status);
        tally.page_commits += 1;
        pages += 1;
        path = saved.location;
    }
    let check = browser.get(&path, tally).await?;
    ensure!(
        check.status == 200,
        "check your answers answered {}",
        check.status
    );
    let done = browser.post(&path, &[], tally).await?;
    ensure!(
        done.location == "/survey/pre/done",
        "submitting led to {:?}",
        done.location
    );
    tally.surveys += 1;
    Ok(())
}

/// The raw durable-commit rate: single-row INSERT transactions from `tasks` tasks for
/// `seconds`, through the same store.
async fn raw_commit_rate(store: &Store, tasks: usize, seconds: f64) -> anyhow::Result<f64> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut commits: usize = 0;
            while Instant::now() < deadline {
                let n = i64::try_from(task * 1_000_000 + commits).unwrap_or(i64::MAX);
                store.probe_commit(n).await?;
                commits += 1;
            }
            Ok::<usize, skafada_store::StoreError>(commits)
        }));
    }
    let mut commits = 0;
    for handle in handles {
        commits += handle.await.context("A commit task failed")??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    store.clear_probe().await?;
    Ok(commits as f64 / elapsed)
}

/// Runs `skafada bench journey`.
pub fn run(args: BenchJourneyArgs) -> anyhow::Result<ExitCode> {
    ensure!(args.clients > 0, "--clients must be at least 1");
    let runtime = tokio::runtime::Runtime::new().context("Failed to start the async runtime")?;
    runtime.block_on(bench(args))
}

async fn bench(args: BenchJourneyArgs) -> anyhow::Result<ExitCode> {
    let (url, _temp) = super::bench::database(args.database.as_deref())?;
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("Failed to open the database {}", redact(&url)))?;
    ensure_demo(&store).await?;
    let links: Vec<String> = store
        .links()
        .await
        .context("Failed to read the links")?
        .into_iter()
        .map(|link| format!("/s/{}", link.token))
        .collect();
    if links.is_empty() {
        bail!("The database has no site links");
    }
    println!(
        "skafada bench journey: {} clients, {} pre-training surveys, database {}",
        args.clients,
        args.surveys,
        redact(&url)
    );

    let raw = raw_commit_rate(&store, args.clients, args.commit_seconds).await?;
    println!(
        "raw durable commits (1-row INSERT transactions, {} tasks, {:.0} s): {raw:.0}/s",
        args.clients, args.commit_seconds
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("Failed to listen on loopback")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(skafada_web::serve(
        listener,
        store.clone(),
        Config::new(&base),
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.clients)
        .build()
        .context("Failed to build the HTTP client")?;

    if let Some(starts) = args.starts {
        let outcome = journey_starts(&client, &base, &links, args.clients, starts).await;
        server.abort();
        store.close().await;
        return outcome;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let links = Arc::new(links);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..args.clients {
        let next = next.clone();
        let links = links.clone();
        let client = client.clone();
        let base = base.clone();
        let surveys = args.surveys;
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut script = Script::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= surveys {
                    break;
                }
                let link = links.get(index % links.len()).map(String::as_str);
                let mut browser = Browser {
                    client: &client,
                    base: &base,
                    cookie: None,
                };
                one_survey(
                    &mut browser,
                    link.unwrap_or_default(),
                    &mut script,
                    &mut tally,
                )
                .await?;
            }
            Ok::<Tally, anyhow::Error>(tally)
        }));
    }
    let mut total = Tally::default();
    for handle in handles {
        let tally = handle.await.context("A client failed")??;
        total.surveys += tally.surveys;
        total.page_commits += tally.page_commits;
        total.gets.0.extend(tally.gets.0);
        total.posts.0.extend(tally.posts.0);
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();

    let commits = total.page_commits as f64 / elapsed;
    println!(
        "journey: {} surveys in {elapsed:.1} s: {:.1} surveys/s",
        total.surveys,
        total.surveys as f64 / elapsed
    );
    println!(
        "page commits: {} ({commits:.0}/s, {:.0}% of the raw commit rate)",
        total.page_commits,
        100.0 * commits / raw
    );
    println!("{}", total.gets.line("GET"));
    println!("{}", total.posts.line("POST"));
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `--starts`: presses of "Start now" from `clients` concurrent clients, each a new
/// respondent (no cookie), until `starts` are done.
async fn journey_starts(
    client: &reqwest::Client,
    base: &str,
    links: &[String],
    clients: usize,
    starts: usize,
) -> anyhow::Result<ExitCode> {
    let next = Arc::new(AtomicUsize::new(0));
    let links = Arc::new(links.to_vec());
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (next, links, client, base) =
            (next.clone(), links.clone(), client.clone(), base.to_owned());
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= starts {
                    break;
                }
                let link = links
                    .get(index % links.len())
                    .map(String::as_str)
                    .unwrap_or_default();
                let mut browser = Browser {
                    client: &client,
                    base: &base,
                    cookie: None,
                };
                let reply = browser.post(link, &[], &mut tally).await?;
                ensure!(
                    reply.location == "/consent",
                    "the site link did not lead to consent"
                );
            }
            Ok::<Tally, anyhow::Error>(tally)
        }));
    }
    let mut posts = Latencies::default();
    for handle in handles {
        posts
            .0
            .extend(handle.await.context("A client failed")??.posts.0);
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "journey starts: {} in {elapsed:.1} s: {:.0} starts/s",
        posts.0.len(),
        posts.0.len() as f64 / elapsed
    );
    println!("{}", posts.line("POST"));
    Ok(ExitCode::SUCCESS)
}
