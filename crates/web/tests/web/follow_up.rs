//! A follow-up wave's journey: its link opens only in the wave's dates; a respondent
//! consents, then links their answers by the resume code they kept, by answering their
//! linking code's questions again, or not at all; and only the link is kept. Each runs
//! on SQLite and PostgreSQL.

use skafada_store::{NewSite, StudyId, today};

use crate::helpers::TestApp;
use crate::on_both;

const CODE_ANSWERS: [(&str, &str); 4] = [
    ("mother-name", "Margaret"),
    ("birth-month", "March"),
    ("birth-town", "York"),
    ("house-number", "147"),
];

/// A study that opened 100 days ago, so that its three-month follow-up (from day 91, for
/// 28 days) is open today; returns its study id and its site's link token.
async fn study_in_its_follow_up(app: &TestApp) -> (StudyId, String) {
    let opened = today().plus_days(-100).unwrap().to_string();
    let study = skafada_store::NewStudy {
        name: "Follow-up".to_owned(),
        ..crate::helpers::study(&opened, "2099-12-31")
    };
    study_with_site(app, &study, "LA05", "Riverside Council").await
}

/// Creates `study` with one site; returns the study's id and the site's link token.
async fn study_with_site(
    app: &TestApp,
    study: &skafada_store::NewStudy,
    code: &str,
    name: &str,
) -> (StudyId, String) {
    let study_id = app.store.create_study(study).await.unwrap();
    let site = app
        .store
        .add_site(
            &study_id,
            &NewSite {
                code: code.to_owned(),
                name: name.to_owned(),
                local_services: "[]".to_owned(),
                ..NewSite::default()
            },
        )
        .await
        .unwrap();
    (study_id, site.link_token)
}

/// Starts the follow-up on the site's wave link in a fresh session and consents;
/// returns the page after consent.
async fn follow_up_consent(app: &TestApp, token: &str) -> crate::helpers::Page {
    app.forget_cookie();
    let start = app.get(&format!("/f/{token}/follow-up-3m")).await;
    assert_eq!(start.status, 200, "{}", start.body);
    assert!(
        start.body.contains("Three-month follow-up"),
        "{}",
        start.body
    );
    assert!(start.body.contains("Riverside Council"));
    // A follow-up gives no certificate, so its pages promise nothing about one.
    assert!(!start.body.contains("If you ask for a certificate"));
    let started = app.post(&format!("/f/{token}/follow-up-3m"), &[]).await;
    assert_eq!(started.location(), "/consent");
    let consent = app.get("/consent").await;
    assert!(
        consent
            .body
            .contains("Riverside Council never sees your answers")
    );
    assert!(!consent.body.contains("If you ask for a certificate"));
    let form: Vec<(&str, &str)> = crate::helpers::CONSENT_STATEMENTS
        .iter()
        .map(|s| (*s, "1"))
        .collect();
    let page = app.post("/consent", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("href=\"/follow-up/link\""),
        "{}",
        page.body
    );
    page
}

async fn a_follow_up_is_linked_by_resume_code_by_linking_code_or_not_at_all(app: &TestApp) {
    let (study_id, token) = study_in_its_follow_up(app).await;
    // At baseline: one respondent keeps their resume code and makes a linking code.
    let baseline_code = app.consent_at(&token).await;
    let made = app.post("/link-code", &CODE_ANSWERS).await;
    assert_eq!(made.location(), "/continue");
    let baseline = app.store.study_responses(&study_id).await.unwrap();
    assert_eq!(baseline.len(), 1);
    let baseline_id = baseline[0].respondent_id.clone();
    let baseline_hashes = app.store.baseline_link_codes(&study_id).await.unwrap();
    assert_eq!(baseline_hashes.len(), 1);

    // Three months on, by resume code.
    follow_up_consent(app, &token).await;
    let choices = app.get("/follow-up/link").await;
    assert_eq!(choices.status, 200, "{}", choices.body);
    assert_eq!(
        app.current().await,
        "/follow-up/link",
        "the survey waits for the choice"
    );
    let none = app.post("/follow-up/link", &[]).await;
    assert!(none.title().starts_with("Error: "), "{}", none.title());
    assert!(none.body.contains("href=\"#how\""));
    let unknown = app
        .post(
            "/follow-up/link",
            &[
                ("how", "resume-code"),
                ("resume-code", "AAAA-AAAA-AAAA-AAAA-AAAA"),
            ],
        )
        .await;
    assert!(
        unknown.body.contains(
            "We could not find that resume code among the first surveys at Riverside Council"
        ),
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("value=\"AAAA-AAAA-AAAA-AAAA-AAAA\""));
    let linked = app
        .post(
            "/follow-up/link",
            &[("how", "resume-code"), ("resume-code", &baseline_code)],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert!(
        linked.location().starts_with("/survey/follow-up-1/page/"),
        "{}",
        linked.location()
    );
    let first = app.get(&linked.location()).await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Three-month follow-up"));
    // Another person cannot use the same code for this wave.
    follow_up_consent(app, &token).await;
    let again = app
        .post(
            "/follow-up/link",
            &[("how", "resume-code"), ("resume-code", &baseline_code)],
        )
        .await;
    assert!(
        again.body.contains("has already been used"),
        "{}",
        again.body
    );
    // That person answers the linking code's questions instead: the same hashes.
    let to_code = app
        .post("/follow-up/link", &[("how", "linking-code")])
        .await;
    assert_eq!(to_code.location(), "/link-code");
    let code_page = app.get("/link-code").await;
    assert_eq!(code_page.h1(), "Answer the questions of your linking code");
    let coded = app.post("/link-code", &CODE_ANSWERS).await;
    assert!(coded.location().starts_with("/survey/follow-up-1/page/"));
    // And a third does not link.
    follow_up_consent(app, &token).await;
    let unlinked = app.post("/follow-up/link", &[("how", "none")]).await;
    assert!(unlinked.location().starts_with("/survey/follow-up-1/page/"));

    let wave = app.store.wave_responses(&study_id, 1).await.unwrap();
    assert_eq!(wave.len(), 3);
    let by_code: Vec<_> = wave
        .iter()
        .filter_map(|r| r.linked_by_resume_code.as_deref())
        .collect();
    assert_eq!(by_code, [baseline_id.as_str()]);
    let hashed: Vec<_> = wave.iter().filter_map(|r| r.link_code.as_deref()).collect();
    assert_eq!(hashed, [baseline_hashes[0].hashes.as_str()]);
    assert!(wave.iter().all(|r| r.site_code == "LA05"));
    // The follow-up respondents are new: none of them is the baseline respondent, and the
    // baseline's own surveys are untouched.
    assert!(wave.iter().all(|r| r.respondent_id != baseline_id));
    assert_eq!(app.store.study_responses(&study_id).await.unwrap().len(), 1);

    // The linked respondent finishes the follow-up survey.
    app.forget_cookie();
    let resumed = app.post("/resume", &[("code", &baseline_code)]).await;
    assert_eq!(resumed.status, 303, "{}", resumed.body);
    assert!(
        app.current().await.starts_with("/survey/pre/"),
        "the baseline code resumes the baseline journey"
    );
}
on_both!(a_follow_up_is_linked_by_resume_code_by_linking_code_or_not_at_all);

async fn a_follow_up_survey_is_answered_and_submitted_like_the_one_after_training(app: &TestApp) {
    let (study_id, token) = study_in_its_follow_up(app).await;
    follow_up_consent(app, &token).await;
    app.post("/follow-up/link", &[("how", "none")]).await;
    app.walk_to_check(&[]).await;
    let check = app.current().await;
    assert_eq!(check, "/survey/follow-up-1/check-answers");
    let done = app.post(&check, &[]).await;
    assert_eq!(done.location(), "/survey/follow-up-1/done");
    let page = app.get("/survey/follow-up-1/done").await;
    assert!(
        page.body
            .contains("Thank you for answering the follow-up survey")
    );
    assert!(page.body.contains("Your answers are not linked"));
    let wave = app.store.wave_responses(&study_id, 1).await.unwrap();
    assert_eq!(wave[0].status, skafada_store::Status::Submitted);
    // Its pages cannot be reached from a baseline journey, nor the baseline's from it.
    assert_eq!(app.get("/survey/pre/check-answers").await.status, 303);
    app.forget_cookie();
    app.consent_at(&token).await;
    assert_eq!(
        app.get("/survey/follow-up-1/check-answers").await.status,
        404
    );
}
on_both!(a_follow_up_survey_is_answered_and_submitted_like_the_one_after_training);

async fn a_follow_up_link_opens_only_in_its_waves_dates(app: &TestApp) {
    // The test study opened in 2020: its follow-up closed long ago.
    let closed = app.get(&format!("/f/{}/follow-up-3m", app.token)).await;
    assert_eq!(closed.status, 200);
    assert!(
        closed.body.contains("It closed on 28 April 2020"),
        "{}",
        closed.body
    );
    let start = app
        .post(&format!("/f/{}/follow-up-3m", app.token), &[])
        .await;
    assert_ne!(start.status, 303, "{}", start.body);
    assert_eq!(
        app.get(&format!("/f/{}/no-such-wave", app.token))
            .await
            .status,
        404
    );
    // A study opening today: its follow-up opens in 91 days.
    let study = skafada_store::NewStudy {
        name: "New".to_owned(),
        ..crate::helpers::study(&today().to_string(), "2099-12-31")
    };
    let (_, token) = study_with_site(app, &study, "LA06", "Hillside").await;
    let early = app.get(&format!("/f/{token}/follow-up-3m")).await;
    let opens = today().plus_days(91).unwrap().long();
    assert!(
        early.body.contains(&format!("It opens on {opens}")),
        "{}",
        early.body
    );
}
on_both!(a_follow_up_link_opens_only_in_its_waves_dates);

async fn the_export_pairs_a_respondent_across_pre_post_and_the_follow_up_by_linking_code(
    app: &TestApp,
) {
    let (study_id, token) = study_in_its_follow_up(app).await;
    // Before, the training and after, with a linking code made at the start.
    app.consent_at(&token).await;
    app.post("/link-code", &CODE_ANSWERS).await;
    app.finish_pre().await;
    app.finish_training().await;
    app.walk_to_check(&[]).await;
    let done = app.post("/survey/post/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/post/done");
    // Three months on, in a fresh session, by the same code typed differently.
    follow_up_consent(app, &token).await;
    app.post("/follow-up/link", &[("how", "linking-code")])
        .await;
    let coded = app
        .post(
            "/link-code",
            &[
                ("mother-name", " margaret "),
                ("birth-month", "3"),
                ("birth-town", "york"),
                ("house-number", "Flat 2, 147"),
            ],
        )
        .await;
    assert!(coded.location().starts_with("/survey/follow-up-1/page/"));
    app.walk_to_check(&[]).await;
    app.post("/survey/follow-up-1/check-answers", &[]).await;
    // And someone new, unlinked.
    follow_up_consent(app, &token).await;
    app.post("/follow-up/link", &[("how", "none")]).await;

    let study = app.store.study(&study_id).await.unwrap().unwrap();
    let export = skafada_web::study_export(&app.store, &study).await.unwrap();
    let [wave] = export.waves.as_slice() else {
        panic!("{:?}", export.waves);
    };
    assert_eq!(
        (
            wave.responses,
            wave.by_linking_code,
            wave.by_resume_code,
            wave.no_link
        ),
        (2, 1, 0, 1)
    );
    let file = |name: &str| {
        export
            .files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    // No hash or key is written anywhere in the folder.
    let key = app.store.linking_key(&study_id).await.unwrap();
    let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let hashes = app.store.baseline_link_codes(&study_id).await.unwrap();
    for (name, text) in &export.files {
        assert!(!text.contains(&hex), "{name}");
        assert!(!text.contains(&hashes[0].hashes[..64]), "{name}");
    }
    let files = skafada_analysis::data::ExportFiles {
        manifest: file("manifest.toml"),
        sites: file("sites.csv"),
        pre_instrument: file("instruments/pre.toml"),
        post_instrument: Some(file("instruments/post.toml")),
        pre: file("pre.csv"),
        post: Some(file("post.csv")),
        follow_up: vec![("follow-up-3m".to_owned(), file("follow-up-3m.csv"))],
        arms: None,
    };
    let dataset = skafada_analysis::data::Dataset::from_files(&files).unwrap();
    let plan =
        skafada_analysis::plan::Plan::parse(include_str!("../../../../plans/skafada.toml"), "plan")
            .unwrap();
    let analysis = skafada_analysis::analyse(&plan, &dataset).unwrap();
    let [over_time] = analysis.over_time.as_slice() else {
        panic!("no change over time");
    };
    assert_eq!((over_time.linked, over_time.unlinked), (1, 1));
}
on_both!(the_export_pairs_a_respondent_across_pre_post_and_the_follow_up_by_linking_code);

async fn a_research_role_downloads_the_whole_study_as_the_folder_analyse_reads_and_an_la_contact_cannot(
    app: &TestApp,
) {
    use std::io::Read as _;
    crate::admin::accounts(app).await;
    let (study_id, token) = study_in_its_follow_up(app).await;
    // One respondent before the training, one in the follow-up wave, not linked.
    app.forget_cookie();
    app.consent_at(&token).await;
    follow_up_consent(app, &token).await;
    app.post("/follow-up/link", &[("how", "none")]).await;

    let admin = crate::admin::signed_in(app, "global@example.org").await;
    let study_page = admin.get(&format!("/admin/studies/{study_id}")).await;
    assert!(
        study_page.body.contains("Download the study (ZIP)"),
        "offered on the study's page"
    );
    let folder = format!("/admin/studies/{study_id}/export/folder");
    // Without a reason, the form again with the error, and nothing sent.
    let refused = admin.get(&folder).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("Enter why you need these records"));
    assert!(refused.body.contains(&format!("action=\"{folder}\"")));
    assert!(
        !refused.body.contains("name=\"survey\""),
        "no survey to choose"
    );

    let (status, bytes) = admin
        .get_bytes(&format!("{folder}?purpose=Change+over+time"))
        .await;
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut unzipped = std::collections::BTreeMap::new();
    for index in 0..zip.len() {
        let mut file = zip.by_index(index).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let (folder, path) = name.split_once('/').unwrap();
        assert!(folder.starts_with("skafada-Follow-up-"), "{folder}");
        unzipped.insert(path.to_owned(), text);
    }
    // Exactly the folder `skafada study export` writes, which `skafada analyse` reads.
    let study = app.store.study(&study_id).await.unwrap().unwrap();
    let export = skafada_web::study_export(&app.store, &study).await.unwrap();
    let expected: std::collections::BTreeMap<String, String> = export.files.into_iter().collect();
    assert_eq!(
        unzipped.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert_eq!(unzipped, expected);
    assert!(unzipped["manifest.toml"].contains("follow-up = [\"follow-up-3m\"]"));
    assert!(unzipped.contains_key("follow-up-3m.csv"));
    let entry = app
        .store
        .audit_log(Some(&study_id), 100)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "export")
        .expect("the download is in the audit log");
    assert_eq!(
        entry.details,
        "all sites: every survey and follow-up wave, analysis folder (zip), 2 records; purpose: Change over time"
    );

    // An LA contact is refused the whole study of their own study, and is not offered it.
    let s = &app.study_id;
    let la01 = crate::admin::signed_in(app, "la01@example.org").await;
    let closed = la01
        .get(&format!(
            "/admin/studies/{s}/export/folder?purpose=Checking"
        ))
        .await;
    assert_eq!(closed.status, 404);
    assert!(
        !la01
            .get(&format!("/admin/studies/{s}"))
            .await
            .body
            .contains("/export/folder")
    );
    // An analyst of that study may download it.
    let analyst = crate::admin::signed_in(app, "analyst@example.org").await;
    let (status, _) = analyst
        .get_bytes(&format!(
            "/admin/studies/{s}/export/folder?purpose=Checking+the+pairs"
        ))
        .await;
    assert_eq!(status, 200);
}
on_both!(
    a_research_role_downloads_the_whole_study_as_the_folder_analyse_reads_and_an_la_contact_cannot
);
