//! Every page `skafada serve` acknowledged survives `kill -9` of the server.

use crate::processes::{Browser, Server, answers_for, assert_page_shows};

/// A SQLite file in the temporary directory, removed (with its WAL) when dropped.
struct TempDatabase(std::path::PathBuf);

impl TempDatabase {
    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

#[tokio::test]
async fn every_acknowledged_page_survives_kill_minus_9_of_the_server() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let database = TempDatabase(std::env::temp_dir().join(format!(
        "skafada-durability-{}-{nanos}.sqlite",
        std::process::id()
    )));
    let mut server = Server::start(&database.url(), true);
    let mut browser = Browser::new();
    let code = browser.consent(&server, &server).await;
    let mut path = browser.get(&server, "/continue").await.location;
    let mut acknowledged: Vec<(String, Vec<(String, String)>)> = Vec::new();
    while path != "/survey/pre/check-answers" && acknowledged.len() < 60 {
        let page = browser.get(&server, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.location);
        let answers = answers_for(&page.body);
        let saved = browser.post(&server, &path, &answers).await;
        assert_eq!(saved.status, 303, "{path} is acknowledged: {}", saved.body);
        acknowledged.push((path, answers));
        path = saved.location;
    }
    assert_eq!(path, "/survey/pre/check-answers");
    assert!(acknowledged.len() >= 5, "several pages answered");

    // SIGKILL straight after the last acknowledgement: no graceful shutdown, no
    // checkpoint, nothing flushed on the way out.
    server.kill();
    let restarted = Server::start(&database.url(), false);
    let mut elsewhere = Browser::new();
    let resumed = elsewhere
        .post(&restarted, "/resume", &[("code".to_owned(), code)])
        .await;
    assert_eq!(resumed.location, "/continue", "{}", resumed.body);
    assert_eq!(
        elsewhere.get(&restarted, "/continue").await.location,
        "/survey/pre/check-answers",
        "the journey continues after the last acknowledged page"
    );
    for (path, answers) in &acknowledged {
        assert_page_shows(&mut elsewhere, &restarted, path, answers).await;
    }
    let check = elsewhere.get(&restarted, "/survey/pre/check-answers").await;
    assert_eq!(check.status, 200);
    assert!(check.body.contains("2010"), "the start year is kept");
}
