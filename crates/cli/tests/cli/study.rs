//! A study's content read from files at run time: `serve --demo` beside an edited
//! questionnaire asks its wording, and `study create` records the SHA-256 of the files
//! it was given, which `study show` checks.

use std::path::PathBuf;

use super::processes::{Browser, Server};
use super::{skafada, stderr, stdout, workspace_root};

const GENDER: &str = "text = \"What best describes your gender?\"";
const EDITED_GENDER: &str = "text = \"Which of these words best describes your gender?\"";

/// A new empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skafada-cli-study-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A study's opening, closing and deletion dates, as `study create` takes them.
pub(crate) const DATES: [&str; 6] = [
    "--opens",
    "2027-01-04",
    "--closes",
    "2027-03-31",
    "--delete-on",
    "2033-12-31",
];

/// `skafada study create` with this pre-training survey and the other parts by default.
fn create(name: &str, pre: &std::path::Path, database: &str) -> std::process::Output {
    let sheet = filled_in_sheet();
    let mut args = vec!["study", "create", "--name", name];
    args.extend(DATES);
    args.extend([
        "--participant-information",
        sheet.to_str().unwrap(),
        "--pre",
        pre.to_str().unwrap(),
        "--database",
        database,
        "--create",
    ]);
    skafada(&args)
}

/// Participant information filled in as a real study's must be.
pub(crate) fn filled_in_sheet() -> std::path::PathBuf {
    workspace_root().join("participant-information/example-filled-in.toml")
}

fn edited_pre() -> String {
    let original =
        std::fs::read_to_string(workspace_root().join("instruments/skafada-pre.toml")).unwrap();
    let edited = original.replacen(GENDER, EDITED_GENDER, 1);
    assert_ne!(edited, original, "the question was found");
    edited
}

#[tokio::test]
async fn serve_demo_beside_an_edited_questionnaire_asks_its_wording() {
    let dir = scratch("serve");
    std::fs::create_dir_all(dir.join("instruments")).unwrap();
    std::fs::write(dir.join("instruments/skafada-pre.toml"), edited_pre()).unwrap();
    let database = format!("sqlite://{}", dir.join("demo.sqlite").display());
    let server = Server::start_in(&dir, &database, true);
    let mut browser = Browser::new();
    browser.consent(&server, &server).await;
    let next = browser.get(&server, "/continue").await;
    assert_eq!(next.status, 303, "{}", next.body);
    let page = browser.get(&server, &next.location).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Which of these words best describes your gender?"),
        "{}",
        page.body
    );
}

#[test]
fn study_create_records_the_digests_of_its_files_and_show_notices_a_change() {
    let dir = scratch("create");
    let pre = dir.join("edited-pre.toml");
    let edited = edited_pre();
    std::fs::write(&pre, &edited).unwrap();
    let database = format!("sqlite://{}", dir.join("studies.sqlite").display());
    let created = create("From files", &pre, &database);
    assert!(created.status.success(), "{}", stderr(&created));
    let printed = stdout(&created);
    let digest = skafada_store::sha256_hex(edited.as_bytes());
    assert!(
        printed.contains(&format!("{:<35} sha256 {digest}", "Pre-training survey")),
        "{printed}"
    );
    let plan = std::fs::read(workspace_root().join("plans/skafada.toml")).unwrap();
    assert!(
        printed.contains(&skafada_store::sha256_hex(&plan)),
        "{printed}"
    );

    let shown = skafada(&["study", "show", "From files", "--database", &database]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert_eq!(
        stdout(&shown).matches("as created").count(),
        8,
        "{}",
        stdout(&shown)
    );

    // A plan changed behind the study's back no longer matches its recorded digest.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&database).await.unwrap();
        sqlx::query("UPDATE studies SET analysis_plan = analysis_plan || '# edited'")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let shown = skafada(&["study", "show", "From files", "--database", &database]);
    assert_eq!(shown.status.code(), Some(1));
    assert!(
        stdout(&shown).contains(&format!("{:<35} sha256", "Analysis plan"))
            && stdout(&shown).contains("CHANGED since the study was created"),
        "{}",
        stdout(&shown)
    );
}

#[test]
fn study_create_refuses_a_broken_file_with_its_line_and_column_and_creates_nothing() {
    let dir = scratch("broken");
    let broken = edited_pre().replacen("type = \"single\"", "type = \"singel\"", 1);
    let line = broken.lines().position(|l| l.contains("singel")).unwrap() + 1;
    let pre = dir.join("broken-pre.toml");
    std::fs::write(&pre, broken).unwrap();
    let database = format!("sqlite://{}", dir.join("studies.sqlite").display());
    let refused = create("Broken", &pre, &database);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(&format!(
            "broken-pre.toml:{line}:8: unknown variant `singel`"
        )),
        "{}",
        stderr(&refused)
    );
    assert!(!dir.join("studies.sqlite").exists(), "no database was made");
}

#[test]
fn study_create_refuses_the_participant_information_template_until_its_text_is_replaced() {
    let dir = scratch("template-sheet");
    let database = format!("sqlite://{}", dir.join("studies.sqlite").display());
    let mut args = vec!["study", "create", "--name", "Template"];
    args.extend(DATES);
    args.extend(["--database", &database, "--create"]);
    let refused = skafada(&args);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("participant-information/skafada.toml: replace the template text marked"),
        "{message}"
    );
    for field in ["organisation", "contact.email", "ethics.reference"] {
        assert!(message.contains(field), "{message}");
    }
    assert!(!dir.join("studies.sqlite").exists(), "no database was made");
}
