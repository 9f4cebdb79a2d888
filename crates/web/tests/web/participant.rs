//! Each study's participant information: shown and linked from consent in the study's
//! own words, with the deletion date from its settings; the template's placeholders
//! refused for a real study. Each runs on SQLite and PostgreSQL.

use crate::admin::{accounts, signed_in};
use crate::content::{Part, upload};
use crate::helpers::{Db, TestApp, fixture_module, spawn_app_configured};
use crate::on_both;

const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
const TEMPLATE: &str = include_str!("../../../../participant-information/skafada.toml");
const FILLED: &str = include_str!("../../../../participant-information/example-filled-in.toml");

async fn consent_names_who_runs_the_study_and_links_its_participant_information(app: &TestApp) {
    let started = app.post(&format!("/s/{}", app.token), &[]).await;
    assert_eq!(started.location(), "/consent");
    let consent = app.get("/consent").await;
    assert_eq!(consent.status, 200);
    for fact in [
        "Northbrook Council Workforce Development Team",
        "Northbrook Council Research Governance Panel, reference NRG-2026-014",
        "Alex Morgan (Study lead), workforce.study@northbrook.example.org, 01632 960 123",
        "href=\"/participant-information\"",
        "participant information (version 1.0, dated 2 November 2026)",
        // The statements in the study's wording, filled in from its settings.
        "I confirm that I have read and understood the participant information (version 1.0, dated 2 November 2026)",
        "will be deleted on 31 December 2099",
        "held securely by Northbrook Council Workforce Development Team",
    ] {
        assert!(consent.body.contains(fact), "{fact}: {}", consent.body);
    }
    // Nothing of the 2023 study's form is left.
    for old in ["10th May 2023", "UCLan", "Westwood", "until 2030", "BAHSS2"] {
        assert!(!consent.body.contains(old), "{old}");
    }

    let sheet = app.get("/participant-information").await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.h1(), "Participant information");
    for fact in [
        "Version 1.0, dated 2 November 2026",
        "What is the study for?",
        "The study is run by Northbrook Council Workforce Development Team. It is funded by Northbrook Safeguarding Children Partnership.",
        "no group of fewer than 5 people is shown",
        "The data controller is Northbrook Council.",
        "Your answers will be deleted on 31 December 2099.",
        "reviewed and approved by Northbrook Council Research Governance Panel, reference NRG-2026-014",
        "dpo@northbrook.example.org",
        "What you will be asked to agree to",
        "I agree to take part in this study.",
        "Exit this page",
    ] {
        assert!(sheet.body.contains(fact), "{fact}: {}", sheet.body);
    }
    assert!(!sheet.body.contains("demonstration study"));

    // The deletion date is the study's as it stands, not as it was when it was made.
    let study = app.store.study(&app.study_id).await.unwrap().unwrap();
    let settings = skafada_store::StudySettings {
        retain_until: "2098-06-30".parse().unwrap(),
        ..skafada_store::StudySettings::of(&study)
    };
    app.store
        .update_study(&study, &settings, "test")
        .await
        .unwrap();
    let consent = app.get("/consent").await;
    assert!(
        consent.body.contains("will be deleted on 30 June 2098"),
        "{}",
        consent.body
    );
}
on_both!(consent_names_who_runs_the_study_and_links_its_participant_information);

/// An app whose library's participant information is still the template.
async fn with_template_library(db: Db) -> Option<TestApp> {
    spawn_app_configured(db, fixture_module(), |config| {
        for set in &mut config.admin.library {
            set.participant_information = TEMPLATE.to_owned();
        }
    })
    .await
}

async fn a_real_study_needs_its_own_participant_information(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let before = app.store.studies().await.unwrap().len();
    let form = [
        ("name", "Template"),
        ("opens-on-day", "1"),
        ("opens-on-month", "1"),
        ("opens-on-year", "2026"),
        ("closes-on-day", "31"),
        ("closes-on-month", "12"),
        ("closes-on-year", "2098"),
        ("retain-until-day", "31"),
        ("retain-until-month", "12"),
        ("retain-until-year", "2099"),
        ("min-cell-count", "5"),
        ("content", "library-0"),
    ];
    let refused = admin
        .post_from("/admin/studies/new", "/admin/studies/new", &form)
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(
        refused.title().starts_with("Error: "),
        "{}",
        refused.title()
    );
    assert!(
        refused
            .body
            .contains("The participant information of these surveys is a template"),
        "{}",
        refused.body
    );

    // From files, the template is refused by field, and a filled-in sheet is taken.
    let files = [
        Part::File("pre-survey", "skafada-pre.toml", PRE.as_bytes()),
        Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
    ];
    let template = upload(&admin, "Template", &files).await;
    assert_eq!(template.status, 200, "{}", template.body);
    assert!(
        template
            .body
            .contains("replace the template text marked [Replace: ...] in version, dated, organisation, funder, contact.name"),
        "{}",
        template.body
    );
    assert_eq!(app.store.studies().await.unwrap().len(), before);
    let mut own: Vec<Part<'_>> = files.iter().map(Part::copy).collect();
    own.push(Part::File(
        "participant-information",
        "our-sheet.toml",
        FILLED.as_bytes(),
    ));
    let made = upload(&admin, "Our study", &own).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let studies = app.store.studies().await.unwrap();
    let made = studies.iter().find(|s| s.name == "Our study").unwrap();
    assert_eq!(made.participant_information, FILLED);
}

mod a_real_study_needs_its_own_participant_information {
    #[tokio::test]
    async fn on_sqlite() {
        if let Some(app) = super::with_template_library(crate::helpers::Db::Sqlite).await {
            super::a_real_study_needs_its_own_participant_information(&app).await;
            app.cleanup().await;
        }
    }

    #[tokio::test]
    async fn on_postgres() {
        if let Some(app) = super::with_template_library(crate::helpers::Db::Postgres).await {
            super::a_real_study_needs_its_own_participant_information(&app).await;
            app.cleanup().await;
        }
    }
}
