//! `spawn_app()` and the `TestApp` page helpers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use skafada_store::{NewSite, NewStudy, Store};
use skafada_web::Config;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test body against both backends, as two tests named after it.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Db::Sqlite).await {
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Db::Postgres).await {
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            }
        }
    };
}

/// The consent statements of the SKAFADA pre-training survey.
pub const CONSENT_STATEMENTS: [&str; 6] = [
    "consent-information-sheet",
    "consent-anonymous-survey",
    "consent-voluntary",
    "consent-data-protection",
    "consent-data-retention",
    "consent-take-part",
];

pub const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL database, or `None` when PostgreSQL is not reachable and not
/// required (`SKAFADA_TEST_POSTGRES=required` makes it a failure).
pub async fn fresh_postgres() -> Option<(String, String)> {
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
    let name = format!("skafada_test_{}", skafada_store::random_token().unwrap());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    Some((format!("postgres://postgres@127.0.0.1:5432/{name}"), name))
}

pub async fn drop_postgres(name: &str) {
    if let Ok(admin) = sqlx::AnyPool::connect(PG_ADMIN).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

pub fn fixture_module() -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    sources.insert(
        "module.toml".to_owned(),
        include_str!("fixture/module.toml").to_owned(),
    );
    sources.insert(
        "sections/first.md".to_owned(),
        include_str!("fixture/sections/first.md").to_owned(),
    );
    sources.insert(
        "sections/second.md".to_owned(),
        include_str!("fixture/sections/second.md").to_owned(),
    );
    sources
}

pub fn study(opens_on: &str, closes_on: &str) -> NewStudy {
    NewStudy {
        name: "Test study".to_owned(),
        pre_instrument: include_str!("../../../../instruments/skafada-pre.toml").to_owned(),
        post_instrument: include_str!("../../../../instruments/skafada-post.toml").to_owned(),
        module_id: "test-module".to_owned(),
        module_sources: fixture_module(),
        opens_on: opens_on.parse().unwrap(),
        closes_on: closes_on.parse().unwrap(),
        retain_until: "2099-12-31".parse().unwrap(),
        analysis_plan: include_str!("../../../../plans/skafada.toml").to_owned(),
        training_needs: include_str!("../../../../plans/skafada-training-needs.toml").to_owned(),
        framework: include_str!("../../../../frameworks/skafada.toml").to_owned(),
        waves: include_str!("../../../../waves/skafada.toml").to_owned(),
        participant_information: include_str!(
            "../../../../participant-information/example-filled-in.toml"
        )
        .to_owned(),
        synthetic: false,
    }
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub store: Store,
    pub study_id: skafada_store::StudyId,
    pub token: String,
    pub closed_token: String,
    pub client: reqwest::Client,
    pub cookie: Mutex<Option<String>>,
    /// What the SMTP sink the app sends reminders through has received.
    pub mail: Arc<Mutex<Vec<SentMail>>>,
    db: Db,
    cleanup_name: String,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

/// A response kept as bytes: a downloaded file.
pub struct Download {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    pub fn title(&self) -> String {
        let start = self.body.find("<title>").map(|i| i + 7).unwrap_or(0);
        let end = self.body.find("</title>").unwrap_or(start);
        self.body[start..end].to_owned()
    }

    pub fn h1(&self) -> String {
        let start = self.body.find("<h1").expect("an h1");
        let open = self.body[start..].find('>').unwrap() + start + 1;
        let end = self.body[open..].find("</h1>").unwrap() + open;
        self.body[open..end].trim().to_owned()
    }

    pub fn resume_code(&self) -> String {
        let start = self
            .body
            .find("id=\"resume-code\">")
            .expect("a resume code")
            + 17;
        let end = self.body[start..].find('<').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// Starts the app on port 0 with a study of two sites (one open, one in a closed study).
pub async fn spawn_app(db: Db) -> Option<TestApp> {
    spawn_app_with(db, fixture_module()).await
}

/// As [`spawn_app`], with the given training module files.
pub async fn spawn_app_with(db: Db, module: BTreeMap<String, String>) -> Option<TestApp> {
    spawn_app_configured(db, module, |_| {}).await
}

/// As [`spawn_app_with`], with the server's settings changed by `configure`.
pub async fn spawn_app_configured(
    db: Db,
    module: BTreeMap<String, String>,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let (url, cleanup_name) = match db {
        Db::Sqlite => {
            let path = std::env::temp_dir().join(format!(
                "skafada-web-test-{}.sqlite",
                skafada_store::random_token().unwrap()
            ));
            (
                format!("sqlite://{}", path.display()),
                path.display().to_string(),
            )
        }
        Db::Postgres => fresh_postgres().await?,
    };
    let store = Store::connect(&url).await.unwrap();
    let study = NewStudy {
        module_sources: module,
        ..study("2020-01-01", "2099-12-31")
    };
    skafada_web::check_study(&study).unwrap();
    let study_id = store.create_study(&study).await.unwrap();
    let site = store
        .add_site(
            &study_id,
            &NewSite {
                code: "LA01".to_owned(),
                name: "Local authority 01".to_owned(),
                local_services: r#"[{"name": "Test local helpline", "phone": "0100 000 000"}]"#
                    .to_owned(),
                ..NewSite::default()
            },
        )
        .await
        .unwrap();
    let closed_id = store
        .create_study(&self::study("2020-01-01", "2020-12-31"))
        .await
        .unwrap();
    let closed = store
        .add_site(
            &closed_id,
            &NewSite {
                code: "LA02".to_owned(),
                name: "Closed".to_owned(),
                local_services: "[]".to_owned(),
                ..NewSite::default()
            },
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (mail_port, mail) = smtp_sink().await;
    let mut config = Config::new(&address);
    config.mail = Some(skafada_web::MailConfig {
        host: "127.0.0.1".to_owned(),
        port: mail_port,
        security: skafada_web::MailSecurity::None,
        credentials: None,
        from: "Workforce survey <survey@example.org>".to_owned(),
    });
    let library = self::study("2020-01-01", "2099-12-31");
    config.admin.library = vec![skafada_web::ContentSet {
        label: "The SKAFADA surveys and the test module".to_owned(),
        pre_instrument: library.pre_instrument,
        post_instrument: library.post_instrument,
        module_id: library.module_id,
        module_sources: library.module_sources,
        analysis_plan: library.analysis_plan,
        training_needs: library.training_needs,
        framework: library.framework,
        waves: library.waves,
        participant_information: library.participant_information,
    }];
    configure(&mut config);
    let served = store.clone();
    tokio::spawn(async move { skafada_web::serve(listener, served, config).await });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(TestApp {
        address,
        database_url: url,
        store,
        study_id,
        token: site.link_token,
        closed_token: closed.link_token,
        client,
        cookie: Mutex::new(None),
        mail,
        db,
        cleanup_name,
    })
}

/// Serves `store` with `config` on another port; returns its address (`127.0.0.1:port`).
pub async fn serve_with(store: Store, config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { skafada_web::serve(listener, store, config).await });
    address
}

/// A message the SMTP sink received: its envelope recipients and its text.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: Vec<String>,
    pub data: String,
}

/// A local SMTP server that accepts every message and keeps it, so that tests never
/// send mail anywhere. Returns its port and what it received.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<SentMail>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Arc<Mutex<Vec<SentMail>>> = Arc::default();
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        kept.lock().unwrap().push(SentMail {
                            to: std::mem::take(&mut to),
                            data,
                        });
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, received)
}

impl TestApp {
    pub async fn cleanup(&self) {
        self.store.close().await;
        match self.db {
            Db::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.cleanup_name));
                }
            }
            Db::Postgres => drop_postgres(&self.cleanup_name).await,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let download = self.fetch(request).await;
        Page {
            status: download.status,
            headers: download.headers,
            body: String::from_utf8_lossy(&download.bytes).into_owned(),
        }
    }

    /// Sends a request with the journey cookie and keeps the cookie it sets.
    async fn fetch(&self, request: reqwest::RequestBuilder) -> Download {
        let cookie = self.cookie.lock().unwrap().clone();
        let request = match cookie {
            Some(cookie) => request.header("cookie", format!("journey={cookie}")),
            None => request,
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap();
            let token = value
                .strip_prefix("journey=")
                .and_then(|rest| rest.split(';').next())
                .unwrap_or_default();
            *self.cookie.lock().unwrap() = (!token.is_empty()).then(|| token.to_owned());
        }
        Download {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    /// Posts a form whose answer is a file (a certificate PDF), kept as bytes.
    pub async fn download(&self, path: &str, form: &[(&str, &str)]) -> Download {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.fetch(
            self.client
                .post(format!("{}{path}", self.address))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_on(&self.address, path).await
    }

    pub async fn get_on(&self, address: &str, path: &str) -> Page {
        self.send(self.client.get(format!("{address}{path}"))).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_on(&self.address, path, form).await
    }

    pub async fn post_on(&self, address: &str, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.post_raw_on(address, path, body.into_bytes()).await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Page {
        self.post_raw_on(&self.address, path, body).await
    }

    async fn post_raw_on(&self, address: &str, path: &str, body: Vec<u8>) -> Page {
        self.send(
            self.client
                .post(format!("{address}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    pub fn forget_cookie(&self) {
        *self.cookie.lock().unwrap() = None;
    }

    /// Starts from the site link and consents; returns the resume code.
    pub async fn consent(&self) -> String {
        self.consent_at(&self.token).await
    }

    /// Starts from the link of the site with this link token and consents; returns the
    /// resume code.
    pub async fn consent_at(&self, token: &str) -> String {
        self.consent_page_at(token).await.resume_code()
    }

    /// Starts from the link of the site with this link token and consents; returns the
    /// page that shows the resume code.
    pub async fn consent_page_at(&self, token: &str) -> Page {
        let started = self.post(&format!("/s/{token}"), &[]).await;
        assert_eq!(started.location(), "/consent");
        let form: Vec<(&str, &str)> = CONSENT_STATEMENTS.iter().map(|s| (*s, "1")).collect();
        let page = self.post("/consent", &form).await;
        assert_eq!(page.status, 200, "{}", page.body);
        page
    }

    /// The path the journey continues at.
    pub async fn current(&self) -> String {
        self.current_on(&self.address).await
    }

    pub async fn current_on(&self, address: &str) -> String {
        self.get_on(address, "/continue").await.location()
    }

    /// Answers each page with `answers` (where they apply) until check your answers.
    pub async fn walk_to_check(&self, answers: &[(&str, &str)]) {
        for _ in 0..60 {
            let path = self.current().await;
            if path.ends_with("/check-answers") {
                return;
            }
            let page = self.get(&path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            let form: Vec<(&str, &str)> = answers
                .iter()
                .filter(|(name, _)| page.body.contains(&format!("name=\"{name}\"")))
                .copied()
                .collect();
            let saved = self.post(&path, &form).await;
            assert_eq!(saved.status, 303, "{path}: {}", saved.body);
        }
        panic!("the survey did not reach check your answers");
    }

    /// Completes the pre-training survey (eligible answers) and submits it.
    pub async fn finish_pre(&self) {
        self.walk_to_check(&[("works-for-la", "1"), ("la-service", "1")])
            .await;
        let done = self.post("/survey/pre/check-answers", &[]).await;
        assert_eq!(done.location(), "/survey/pre/done");
    }

    /// Completes the fixture training module.
    pub async fn finish_training(&self) {
        self.post("/training/first/check/0", &[("answer", "0")])
            .await;
        self.post("/training/first", &[]).await;
        self.post("/training/second", &[]).await;
    }
}
