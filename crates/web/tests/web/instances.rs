//! Two server instances with their own pools and caches on one PostgreSQL database
//! carry one respondent's journey between them, page by page.

use skafada_store::{Status, Store};
use skafada_web::Config;

use crate::helpers::{Db, TestApp, serve_with, spawn_app};

async fn second_instance(app: &TestApp, url: &str) -> String {
    let store = Store::connect(url).await.unwrap();
    let address = serve_with(store, Config::new(&app.address)).await;
    format!("http://{address}")
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_carry_one_journey_page_by_page() {
    let Some(app) = spawn_app(Db::Postgres).await else {
        return;
    };
    let url = app.database_url.clone();
    let second = second_instance(&app, &url).await;
    let first = app.address.clone();
    app.consent().await;
    // Alternate instances for every request of the rest of the journey.
    let mut on_second = true;
    for _ in 0..60 {
        let use_address = if on_second { &second } else { &first };
        on_second = !on_second;
        let path = app.current_on(use_address).await;
        if path.ends_with("/check-answers") {
            break;
        }
        let page = app.get_on(use_address, &path).await;
        assert_eq!(page.status, 200, "{path}");
        let other = if use_address == &first {
            &second
        } else {
            &first
        };
        let form: Vec<(&str, &str)> = [("works-for-la", "1"), ("la-service", "2")]
            .into_iter()
            .filter(|(name, _)| page.body.contains(&format!("name=\"{name}\"")))
            .collect();
        let saved = app.post_on(other, &path, &form).await;
        assert_eq!(saved.status, 303, "{path}: {}", saved.body);
    }
    let submitted = app.post_on(&second, "/survey/pre/check-answers", &[]).await;
    assert_eq!(submitted.location(), "/survey/pre/done");
    assert_eq!(app.current_on(&first).await, "/training");
    let responses = app.store.study_responses(&app.study_id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, Status::Submitted);
    let answers = app.store.study_answers(&app.study_id).await.unwrap();
    assert!(
        answers
            .iter()
            .any(|row| row.variable == "la-service" && row.value == "2")
    );
    app.cleanup().await;
}
