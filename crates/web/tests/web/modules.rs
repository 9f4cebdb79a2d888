//! Modules from files, a site's local services, the honest time and the certificate
//! rules.

use std::path::Path;

use skafada_training::ModuleSources;

use crate::helpers::{Db, TestApp, spawn_app_with};
use crate::on_both;

fn example_module() -> std::collections::BTreeMap<String, String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../training/example-short-module");
    skafada_web::read_module_folder(&folder).unwrap()
}

fn estimate_of(files: &std::collections::BTreeMap<String, String>) -> u32 {
    let sources: ModuleSources = files.clone().into_iter().collect();
    skafada_training::load(&sources)
        .unwrap()
        .module
        .estimate()
        .total_minutes()
}

#[test]
fn the_example_module_folder_loads_without_errors_or_warnings() {
    let files = example_module();
    assert!(files.contains_key("module.toml"));
    assert!(files.contains_key("sections/definition.md"));
    let sources: ModuleSources = files.into_iter().collect();
    let loaded = skafada_training::load(&sources).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.module.sections.len(), 2);
}

#[test]
fn a_module_whose_title_the_certificate_cannot_print_is_refused_before_it_is_stored() {
    let mut files = example_module();
    let toml = files.get_mut("module.toml").unwrap();
    *toml = toml.replacen(
        "title = \"Example module: the legal definition of domestic abuse\"",
        "title = \"Example module \u{674E}\u{5C0F}\"",
        1,
    );
    assert!(toml.contains('\u{674E}'), "the title was replaced");
    let study = skafada_store::NewStudy {
        module_sources: files,
        ..crate::helpers::study("2020-01-01", "2099-12-31")
    };
    let error = skafada_web::check_study(&study).unwrap_err().to_string();
    assert!(error.contains("U+674E, U+5C0F"), "{error}");
}

/// Runs a test body on both backends with the example module instead of the fixture.
macro_rules! with_example_module {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                if let Some(app) = $crate::helpers::spawn_app_with(
                    $crate::helpers::Db::Sqlite,
                    super::example_module(),
                )
                .await
                {
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = $crate::helpers::spawn_app_with(
                    $crate::helpers::Db::Postgres,
                    super::example_module(),
                )
                .await
                {
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            }
        }
    };
}

async fn every_section_of_a_module_read_from_a_folder_renders_for_a_respondent_and_a_group(
    app: &TestApp,
) {
    let files = example_module();
    let sources: ModuleSources = files.clone().into_iter().collect();
    let module = skafada_training::load(&sources).unwrap().module;
    app.consent().await;
    app.finish_pre().await;
    let contents = app.get("/training").await;
    assert_eq!(contents.h1(), module.manifest.title);
    for section in &module.sections {
        let page = app.get(&format!("/training/{}", section.id)).await;
        assert_eq!(page.status, 200, "{}", section.id);
        assert_eq!(page.h1(), section.title);
        let group = app
            .get(&format!("/group/{}/section/{}", app.token, section.id))
            .await;
        assert_eq!(group.status, 200, "{}", section.id);
        assert_eq!(group.h1(), section.title);
    }
}
with_example_module!(
    every_section_of_a_module_read_from_a_folder_renders_for_a_respondent_and_a_group
);

async fn local_services_show_in_the_local_services_block_and_at_the_end_of_the_survey(
    app: &TestApp,
) {
    app.consent().await;
    app.finish_pre().await;
    let section = app.get("/training/support").await;
    let block = &section.body[section.body.find("Services in your area").unwrap()..];
    assert!(block.contains("Your local authority has listed these services."));
    assert!(block.contains("Test local helpline"));
    assert!(block.contains("0100 000 000"));
    assert!(!section.body.contains("has not listed its services"));
    app.post("/training/definition/check/0", &[("answer", "0")])
        .await;
    app.post("/training/definition", &[]).await;
    app.post("/training/support", &[]).await;
    app.walk_to_check(&[]).await;
    app.post("/survey/post/check-answers", &[]).await;
    let done = app.get("/survey/post/done").await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Test local helpline"));
}
with_example_module!(local_services_show_in_the_local_services_block_and_at_the_end_of_the_survey);

#[tokio::test]
async fn a_site_without_local_services_gets_the_fallback_text() {
    let Some(app) = spawn_app_with(Db::Sqlite, example_module()).await else {
        return;
    };
    let site = app
        .store
        .add_site(
            &app.study_id,
            &skafada_store::NewSite {
                code: "LA03".to_owned(),
                name: "No services listed".to_owned(),
                local_services: "[]".to_owned(),
                ..skafada_store::NewSite::default()
            },
        )
        .await
        .unwrap();
    let page = app
        .get(&format!("/group/{}/section/support", site.link_token))
        .await;
    assert!(
        page.body
            .contains("Your local authority has not listed its services here yet.")
    );
    assert!(!page.body.contains("Test local helpline"));
    app.cleanup().await;
}

async fn start_page_contents_and_certificate_state_one_learning_time_in_words(app: &TestApp) {
    // No learning time is declared: every page states the estimate, in the certificate's
    // words.
    let estimate = skafada_report::learning_time(i64::from(estimate_of(&example_module())));
    let start = app.get(&format!("/s/{}", app.token)).await;
    assert!(
        start
            .body
            .contains(&format!("The training takes about {estimate}.")),
        "{estimate}"
    );
    assert!(
        app.get(&format!("/group/{}", app.token))
            .await
            .body
            .contains(&format!("about {estimate} for one person"))
    );
    app.consent().await;
    app.finish_pre().await;
    let contents = app.get("/training").await;
    assert!(
        contents
            .body
            .contains(&format!("It takes about {estimate}."))
    );
    app.post("/training/definition/check/0", &[("answer", "2")])
        .await;
    app.post("/training/definition", &[]).await;
    app.post("/training/support", &[]).await;
    app.walk_to_check(&[]).await;
    app.post("/survey/post/check-answers", &[]).await;
    let certificate = app.get("/certificate").await;
    assert_eq!(certificate.status, 200);
    assert!(
        certificate
            .body
            .contains(&format!("records {estimate} of learning")),
        "no learning_minutes declared: the certificate states the estimate"
    );
}
with_example_module!(start_page_contents_and_certificate_state_one_learning_time_in_words);

async fn the_certificate_waits_for_every_section_check_and_the_post_training_survey(app: &TestApp) {
    app.consent().await;
    app.finish_pre().await;
    app.post("/training/second", &[]).await;
    assert_eq!(
        app.get("/certificate").await.location(),
        "/training",
        "a section is left"
    );
    let refused = app.post("/training/first", &[]).await;
    assert!(
        refused.body.contains("Answer the question"),
        "a check is unanswered"
    );
    assert_eq!(app.get("/certificate").await.location(), "/training");
    app.finish_training().await;
    let certificate = app.get("/certificate").await;
    assert!(
        certificate.location().starts_with("/survey/post/page/"),
        "the post-training survey comes first: {}",
        certificate.location()
    );
    assert_eq!(
        app.post("/certificate", &[("name", "Sam Example")])
            .await
            .status,
        303
    );
}
on_both!(the_certificate_waits_for_every_section_check_and_the_post_training_survey);
