//! Answers packed into their response's row: pages saved at once on one response all
//! keep their answers, the study-wide reads unpack them, and a database made before
//! packing (migration 14) has its answer rows packed, intact, when the store opens it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use skafada_store::{
    Phase, ReadOrder, RespondentId, ResponseId, Saved, Store, StudyId, random_token,
};

use crate::migration::{OLD_STUDY_AND_SITE, migrations_up_to};
use crate::{on_both, study_with_site};

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A study with a site and one consented respondent: (study id, respondent id, the
/// pre-training response's id).
async fn consented_response(store: &Store) -> (StudyId, RespondentId, ResponseId) {
    let (study_id, site) = study_with_site(store).await;
    let token = store
        .create_session(&site.id, None, std::time::Duration::from_secs(600))
        .await
        .unwrap();
    let consented = store
        .consent(&token, &site, &pairs(&[("consent", "1")]), "p1")
        .await
        .unwrap();
    let response = store
        .response(&consented.respondent_id, Phase::Pre)
        .await
        .unwrap()
        .unwrap();
    (study_id, consented.respondent_id, response.id)
}

async fn pages_saved_at_once_on_one_response_keep_every_answer(store: Store) {
    let (study_id, _, response_id) = consented_response(&store).await;
    // Twenty pages of one response posted together (two tabs, a double submit): each
    // reads the answers and writes them back, and none may overwrite another's.
    let saves = (0..20).map(|i| {
        let store = store.clone();
        let id = response_id.clone();
        tokio::spawn(async move {
            store
                .save_page(
                    &id,
                    &pairs(&[(&format!("q{i}"), &format!("{i}"))]),
                    &[],
                    "p2",
                )
                .await
        })
    });
    for save in saves {
        assert_eq!(save.await.unwrap().unwrap(), Saved::Saved);
    }
    let answers = store.answers(&response_id).await.unwrap();
    assert_eq!(answers.len(), 21, "{answers:?}");
    assert_eq!(answers["consent"], "1");
    assert_eq!(answers["q17"], "17");
    let summary = &store.study_responses(&study_id).await.unwrap()[0];
    assert_eq!(summary.answer_count, 21);
}
on_both!(pages_saved_at_once_on_one_response_keep_every_answer);

async fn the_rows_read_row_by_row_are_the_stored_responses_with_their_packed_answers(store: Store) {
    let (study_id, respondent_id, response_id) = consented_response(&store).await;
    let text = "Zoë, a line\nand another — سلام";
    store
        .save_page(
            &response_id,
            &pairs(&[("role", "3"), ("notes", text)]),
            &[],
            "p2",
        )
        .await
        .unwrap();
    store
        .save_page(&response_id, &[], &["role".to_owned()], "p3")
        .await
        .unwrap();
    let names = store.variable_names().await.unwrap();
    let mut seen = Vec::new();
    store
        .each_stored_response(
            &study_id,
            &[Phase::Pre, Phase::Post],
            ReadOrder::AsStored,
            |stored| {
                let answers: BTreeMap<String, String> =
                    skafada_store::unpack(stored.answers.as_deref())
                        .unwrap()
                        .into_iter()
                        .map(|(key, value)| (names.name(key).unwrap().to_owned(), value.to_owned()))
                        .collect();
                seen.push((stored.summary, answers));
            },
        )
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0.answer_count, 2);
    assert_eq!(seen[0].0.respondent_id, respondent_id);
    let expected: BTreeMap<String, String> = pairs(&[("consent", "1"), ("notes", text)])
        .into_iter()
        .collect();
    assert_eq!(seen[0].1, expected);
    let rows = store.study_answers(&study_id).await.unwrap();
    let variables: Vec<&str> = rows.iter().map(|r| r.variable.as_str()).collect();
    assert_eq!(variables, ["consent", "notes"], "in variable order");
}
on_both!(the_rows_read_row_by_row_are_the_stored_responses_with_their_packed_answers);

/// Makes a database at `url` as the store left it at migration 14, with one response
/// holding three answers in the old answers table (one a text with a comma, a newline
/// and non-Latin letters) and one response without answers.
async fn database_with_answer_rows(url: &str, postgres: bool) {
    sqlx::any::install_default_drivers();
    let old = sqlx::AnyPool::connect(url).await.unwrap();
    migrations_up_to(14, postgres).run(&old).await.unwrap();
    for sql in OLD_STUDY_AND_SITE.into_iter().chain([
        "INSERT INTO respondents (id, study_id, site_id, created_on, returned) \
         VALUES ('r1', 's', 'site', '2026-03-02', 0)",
        "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on) \
         VALUES ('pre1', 'r1', 'pre', 'started', 'p2', '2026-03-02')",
        "INSERT INTO responses (id, respondent_id, phase, status, current_page, started_on) \
         VALUES ('post1', 'r1', 'post', 'started', 'p1', '2026-03-03')",
        "INSERT INTO answers (response_id, variable, value) VALUES ('pre1', 'consent', '1')",
        "INSERT INTO answers (response_id, variable, value) VALUES ('pre1', 'actions', '1,4')",
        "INSERT INTO answers (response_id, variable, value) \
         VALUES ('pre1', 'notes', 'Zoë, first\nsecond — 你好')",
    ]) {
        sqlx::query(sql).execute(&old).await.unwrap();
    }
    old.close().await;
}

/// Opens the old database with the store and checks that its answers were packed.
async fn packed(url: &str) -> Store {
    let store = Store::connect(url).await.unwrap();
    let answers = store.answers(&ResponseId::new("pre1")).await.unwrap();
    let expected: BTreeMap<String, String> = pairs(&[
        ("consent", "1"),
        ("actions", "1,4"),
        ("notes", "Zoë, first\nsecond — 你好"),
    ])
    .into_iter()
    .collect();
    assert_eq!(answers, expected);
    assert!(
        store
            .answers(&ResponseId::new("post1"))
            .await
            .unwrap()
            .is_empty()
    );
    let summaries = store.study_responses(&StudyId::new("s")).await.unwrap();
    let counts: Vec<i64> = summaries.iter().map(|s| s.answer_count).collect();
    assert_eq!(
        counts,
        [3, 0],
        "post first, as ordered by phase (later first)"
    );
    // The migrated response takes page saves like any other.
    assert_eq!(
        store
            .save_page(
                &ResponseId::new("pre1"),
                &pairs(&[("role", "2")]),
                &["actions".to_owned()],
                "p3"
            )
            .await
            .unwrap(),
        Saved::Saved
    );
    let after = store.answers(&ResponseId::new("pre1")).await.unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(after["role"], "2");
    assert!(!after.contains_key("actions"));
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_rows_of_an_older_database_are_packed_and_the_table_dropped_on_sqlite() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "skafada-packing-{}.sqlite",
        random_token().unwrap()
    ));
    database_with_answer_rows(&format!("sqlite://{}?mode=rwc", path.display()), false).await;
    let store = packed(&format!("sqlite://{}", path.display())).await;
    store.close().await;
    let check = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(
        sqlx::query("SELECT COUNT(*) FROM answers")
            .fetch_one(&check)
            .await
            .is_err(),
        "the answers table is gone"
    );
    check.close().await;
    crate::deletion::remove(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_rows_of_an_older_database_are_packed_and_the_table_dropped_on_postgres() {
    let Some(database) = crate::PostgresDatabase::create("packing").await else {
        return;
    };
    database_with_answer_rows(&database.url, true).await;
    let store = packed(&database.url).await;
    store.close().await;
    let check = sqlx::AnyPool::connect(&database.url).await.unwrap();
    assert!(
        sqlx::query("SELECT COUNT(*) FROM answers")
            .fetch_one(&check)
            .await
            .is_err()
    );
    check.close().await;
    database.drop().await;
}

async fn a_studys_respondents_are_counted_and_variable_names_read_again_on_request(store: Store) {
    let (study_id, _, response_id) = consented_response(&store).await;
    assert_eq!(store.study_respondent_count(&study_id).await.unwrap(), 1);
    assert_eq!(
        store
            .study_respondent_count(&StudyId::new("another"))
            .await
            .unwrap(),
        0
    );
    store
        .save_page(&response_id, &pairs(&[("role", "3")]), &[], "p2")
        .await
        .unwrap();
    let names = store.reload_variable_names().await.unwrap();
    let key = names.key("role").expect("stored under a key");
    assert_eq!(names.name(key), Some("role"));
    assert!(names.key_count() > usize::try_from(key).unwrap());
    assert_eq!(names.key("never-stored"), None);
}
on_both!(a_studys_respondents_are_counted_and_variable_names_read_again_on_request);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packed_database_opens_again_with_its_answers() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "skafada-packing-again-{}.sqlite",
        random_token().unwrap()
    ));
    let url = format!("sqlite://{}", path.display());
    database_with_answer_rows(&format!("{url}?mode=rwc"), false).await;
    packed(&url).await.close().await;
    // Opened again: nothing left to pack, nothing lost.
    let store = Store::connect(&url).await.unwrap();
    let answers = store.answers(&ResponseId::new("pre1")).await.unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers["role"], "2");
    store.close().await;
    crate::deletion::remove(&path);
}
