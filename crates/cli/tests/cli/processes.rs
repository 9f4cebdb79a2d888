//! Two `skafada serve` processes on one PostgreSQL database carry one respondent's
//! journey between them, page by page; the server runs without transparent huge pages;
//! and the helpers the process tests share: a
//! server child process that is killed when dropped, and a small HTTP client that
//! carries the journey cookie from one process to another.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A `skafada serve` child process, killed (SIGKILL) and reaped when dropped, so that a
/// failing test leaves no server behind.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The path of the first site's link (`/s/<token>`), when started with `--demo`.
    pub first_link: Option<String>,
}

impl Server {
    /// Starts `skafada serve --database URL --listen 127.0.0.1:0 [--demo]` and waits
    /// until it says where it serves.
    pub fn start(database: &str, demo: bool) -> Server {
        Server::start_in(&std::env::current_dir().unwrap(), database, demo)
    }

    /// As [`Server::start`], in the working directory `dir`.
    pub fn start_in(dir: &std::path::Path, database: &str, demo: bool) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skafada"));
        command
            .current_dir(dir)
            .args(["serve", "--database", database, "--listen", "127.0.0.1:0"])
            .env("SKAFADA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if demo {
            // The journey is what is tested; the demo responses would only slow the start.
            command.args(["--demo", "--demo-without-responses"]);
        }
        let mut child = command.spawn().expect("skafada serve starts");
        let stdout = child.stdout.take().expect("piped standard output");
        let mut server = Server {
            child,
            address: String::new(),
            first_link: None,
        };
        let (lines, received) = mpsc::channel();
        // Drains standard output for the life of the process.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        loop {
            let line = received
                .recv_timeout(Duration::from_secs(120))
                .expect("skafada serve prints the address it serves on");
            if let Some(rest) = line.strip_prefix("skafada: serving on ") {
                server.address = rest.split_whitespace().next().unwrap().to_owned();
                return server;
            }
            if server.first_link.is_none()
                && let Some(at) = line.find("/s/")
            {
                server.first_link = Some(line[at..].trim().to_owned());
            }
        }
    }

    /// The process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL, as `kill -9` would, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One browser: the journey cookie, carried to whichever process it talks to.
pub struct Browser {
    client: reqwest::Client,
    cookie: Option<String>,
}

/// What came back.
pub struct Reply {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let request = match &self.cookie {
            Some(token) => request.header("cookie", format!("journey={token}")),
            None => request,
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            if let Some(rest) = value.to_str().unwrap().strip_prefix("journey=") {
                let token = rest.split(';').next().unwrap_or_default();
                self.cookie = (!token.is_empty()).then(|| token.to_owned());
            }
        }
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Reply {
            status: response.status().as_u16(),
            location,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, server: &Server, path: &str) -> Reply {
        let request = self.client.get(format!("{}{path}", server.address));
        self.send(request).await
    }

    pub async fn post(&mut self, server: &Server, path: &str, form: &[(String, String)]) -> Reply {
        let request = self
            .client
            .post(format!("{}{path}", server.address))
            .form(form);
        self.send(request).await
    }

    /// Follows the site link and agrees to every consent statement; returns the resume code.
    pub async fn consent(&mut self, link: &Server, consent: &Server) -> String {
        let path = link.first_link.clone().expect("a demo site link");
        let started = self.post(link, &path, &[]).await;
        assert_eq!(started.location, "/consent");
        let form = self.get(consent, "/consent").await;
        assert_eq!(form.status, 200);
        let agreed: Vec<(String, String)> = input_names(&form.body, "checkbox")
            .into_iter()
            .map(|name| (name, "1".to_owned()))
            .collect();
        assert!(agreed.len() >= 3, "the consent statements: {agreed:?}");
        let code = self.post(consent, "/consent", &agreed).await;
        assert_eq!(code.status, 200, "{}", code.body);
        let start = code
            .body
            .find("id=\"resume-code\">")
            .expect("a resume code")
            + 17;
        let end = code.body[start..].find('<').unwrap() + start;
        code.body[start..end].to_owned()
    }
}

/// The names of the inputs of a type (`radio`, `checkbox`, `text`) on a page, in order,
/// each once.
fn input_names(body: &str, kind: &str) -> Vec<String> {
    let mut names = Vec::new();
    let marker = format!("\" type=\"{kind}\"");
    for (at, _) in body.match_indices(&marker) {
        let Some(open) = body[..at].rfind("name=\"") else {
            continue;
        };
        let name = body[open + 6..at].to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The page as a browser without JavaScript shows it: each follow-up question that waits
/// hidden for an answer on the page (`data-reveal-item`) left out.
fn visible(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("data-reveal-item=") {
        let start = rest[..at].rfind("<div").unwrap_or(at);
        out.push_str(&rest[..start]);
        let after = &rest[at..];
        // It ends where the next question or the Continue button begins.
        let end = [
            "\n  <div>",
            "\n  <div class=\"app-reveal\"",
            "<button type=\"submit\"",
        ]
        .iter()
        .filter_map(|marker| after.find(marker))
        .min()
        .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The answers a respondent gives on a survey page: the first option of every radio
/// group and checkbox list, 2010 for a year and 12 for a number.
pub fn answers_for(body: &str) -> Vec<(String, String)> {
    let body = &visible(body);
    let mut answers = Vec::new();
    for kind in ["radio", "checkbox"] {
        for name in input_names(body, kind) {
            let marker = format!("name=\"{name}\" type=\"{kind}\" value=\"");
            let start = body.find(&marker).unwrap() + marker.len();
            let end = body[start..].find('"').unwrap() + start;
            answers.push((name, body[start..end].to_owned()));
        }
    }
    for name in input_names(body, "text") {
        let marker = format!("id=\"{name}\" name=\"{name}\"");
        let at = body.find(&marker).unwrap();
        let tag = &body[body[..at].rfind('<').unwrap()..at];
        if tag.contains("govuk-input--width-4") {
            answers.push((name, "2010".to_owned()));
        } else if tag.contains("govuk-input--width-5") {
            answers.push((name, "12".to_owned()));
        }
    }
    answers
}

/// Checks that a page, opened to change it, shows every answer given on it.
pub async fn assert_page_shows(
    browser: &mut Browser,
    server: &Server,
    path: &str,
    answers: &[(String, String)],
) {
    let page = browser.get(server, &format!("{path}?change=1")).await;
    assert_eq!(page.status, 200, "{path}: {}", page.location);
    for (name, value) in answers {
        let shown = if value.chars().all(|c| c.is_ascii_digit()) && value.len() == 1 {
            ["radio", "checkbox"].iter().any(|kind| {
                page.body.contains(&format!(
                    "name=\"{name}\" type=\"{kind}\" value=\"{value}\" checked"
                ))
            })
        } else {
            page.body.contains(&format!("value=\"{value}\""))
        };
        assert!(shown, "{path}: the answer {name} = {value} is kept");
    }
}

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL database (URL and name), or `None` when PostgreSQL is not reachable
/// and not required (`SKAFADA_TEST_POSTGRES=required` makes it a failure).
async fn fresh_postgres() -> Option<(String, String)> {
    let required = std::env::var("SKAFADA_TEST_POSTGRES").is_ok_and(|v| v == "required");
    sqlx::any::install_default_drivers();
    let admin = match sqlx::AnyPool::connect(PG_ADMIN).await {
        Ok(pool) => pool,
        Err(error) if !required => {
            eprintln!(
                "PostgreSQL not reachable ({error}); skipping (set SKAFADA_TEST_POSTGRES=required to fail)"
            );
            return None;
        }
        Err(error) => panic!("PostgreSQL is required but not reachable: {error}"),
    };
    let name = format!(
        "skafada_processes_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    Some((format!("postgres://postgres@127.0.0.1:5432/{name}"), name))
}

async fn drop_postgres(name: &str) {
    if let Ok(admin) = sqlx::AnyPool::connect(PG_ADMIN).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

/// The journey, alternating processes at every request: each process must continue
/// exactly where the other left off.
async fn alternate_processes(database: String) {
    let first = Server::start(&database, true);
    let second = Server::start(&database, false);
    let mut browser = Browser::new();
    browser.consent(&first, &second).await;
    let servers = [&first, &second];
    let mut expected = browser.get(&first, "/continue").await.location;
    assert_eq!(expected, "/survey/pre/page/about-you");
    let mut answered: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for step in 0..60 {
        let here = servers[step % 2];
        let there = servers[(step + 1) % 2];
        let continues = browser.get(here, "/continue").await;
        assert_eq!(
            continues.location, expected,
            "process {} continues where the other left off",
            here.address
        );
        if expected == "/survey/pre/check-answers" {
            break;
        }
        let page = browser.get(here, &expected).await;
        assert_eq!(page.status, 200, "{expected}: {}", page.location);
        let answers = answers_for(&page.body);
        let saved = browser.post(there, &expected, &answers).await;
        assert_eq!(saved.status, 303, "{expected}: {}", saved.body);
        answered.push((expected.clone(), answers));
        // A page showing a question its answer added comes back with `?added=` (and the
        // question's anchor); the journey's place is the page itself.
        expected = saved
            .location
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_owned();
    }
    assert_eq!(expected, "/survey/pre/check-answers");
    let pages: std::collections::BTreeSet<&str> =
        answered.iter().map(|(path, _)| path.as_str()).collect();
    assert!(pages.len() >= 5, "several survey pages: {pages:?}");
    // Every answer given through either process is on its page, read by the other.
    for (step, (path, answers)) in answered.iter().enumerate() {
        let server = servers[step % 2];
        assert_page_shows(&mut browser, server, path, answers).await;
    }
    let check = browser.get(&second, "/survey/pre/check-answers").await;
    assert_eq!(check.status, 200);
    assert!(check.body.contains("Check your answers before submitting"));
    assert!(check.body.contains("2010"), "the start year given earlier");
    let submitted = browser.post(&first, "/survey/pre/check-answers", &[]).await;
    assert_eq!(submitted.location, "/survey/pre/done");
    assert_eq!(
        browser.get(&second, "/continue").await.location,
        "/training"
    );
}

#[tokio::test]
async fn two_serve_processes_on_one_postgres_database_carry_one_journey_page_by_page() {
    let Some((url, name)) = fresh_postgres().await else {
        return;
    };
    // Run the journey as its own task so that the database is dropped even when it
    // fails (its server processes are killed as the task unwinds).
    let outcome = tokio::spawn(alternate_processes(url)).await;
    drop_postgres(&name).await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// The server turns transparent huge pages off for itself, as every command does: with
/// them, the first results view of a large study ran about a quarter slower, the kernel
/// zeroing 2 MB at each first touch of the read's columns (bench/README.md).
#[cfg(target_os = "linux")]
#[test]
fn the_server_runs_without_transparent_huge_pages() {
    let dir = std::env::temp_dir().join(format!("skafada-cli-thp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!("sqlite://{}", dir.join("thp.sqlite").display());
    let server = Server::start(&database, false);
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    // Linux reports the process's setting here since 6.x; an older kernel fails this
    // test with the line missing rather than passing it unchecked.
    let enabled = status
        .lines()
        .find_map(|line| line.strip_prefix("THP_enabled:"))
        .map(str::trim);
    assert_eq!(enabled, Some("0"), "{status}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
