//! A study made from uploaded files: every file checked with its file, line and column,
//! the edited wording asked in the journey, and each part shown with its SHA-256 and
//! downloadable exactly as stored. Each runs on SQLite and PostgreSQL.

use skafada_store::{ContentPart, NewSite, StudyId};

use crate::admin::{Browser, accounts, csrf, signed_in};
use crate::helpers::TestApp;
use crate::on_both;

const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
pub(crate) const BOUNDARY: &str = "----skafada-test-boundary";

/// A part of a multipart form: a text field, or a file with its name.
pub(crate) enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

impl Part<'_> {
    /// The same part.
    pub(crate) fn copy(&self) -> Part<'_> {
        match self {
            Part::Text(a, b) => Part::Text(a, b),
            Part::File(a, b, c) => Part::File(a, b, c),
        }
    }
}

pub(crate) fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends the new-study-from-files form with these files and valid settings.
pub(crate) async fn upload(
    admin: &Browser<'_>,
    name: &str,
    files: &[Part<'_>],
) -> crate::helpers::Page {
    let form = admin.get("/admin/studies/new/files").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let token = csrf(&form);
    let mut parts = vec![
        Part::Text("csrf", &token),
        Part::Text("name", name),
        Part::Text("opens-on-day", "1"),
        Part::Text("opens-on-month", "1"),
        Part::Text("opens-on-year", "2020"),
        Part::Text("closes-on-day", "31"),
        Part::Text("closes-on-month", "12"),
        Part::Text("closes-on-year", "2098"),
        Part::Text("retain-until-day", "31"),
        Part::Text("retain-until-month", "12"),
        Part::Text("retain-until-year", "2099"),
        Part::Text("min-cell-count", "5"),
    ];
    for file in files {
        parts.push(match file {
            Part::Text(a, b) => Part::Text(a, b),
            Part::File(a, b, c) => Part::File(a, b, c),
        });
    }
    admin
        .post_body(
            "/admin/studies/new/files",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&parts),
        )
        .await
}

async fn a_study_made_from_uploaded_files_asks_their_wording_and_publishes_their_digests(
    app: &TestApp,
) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let edited = PRE.replacen(
        "text = \"What best describes your gender?\"",
        "text = \"Which of these words best describes your gender?\"",
        1,
    );
    assert_ne!(edited, PRE, "the question was found");
    let made = upload(
        &admin,
        "From files",
        &[
            Part::File("pre-survey", "edited-pre.toml", edited.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let content_path = made.location();
    let study_id = StudyId::new(
        content_path
            .strip_prefix("/admin/studies/")
            .and_then(|rest| rest.strip_suffix("/content"))
            .expect("the study's content page"),
    );

    // The content page lists each part with its SHA-256, as recorded at creation.
    let study = app.store.study(&study_id).await.unwrap().unwrap();
    assert_eq!(study.pre_instrument, edited);
    let page = admin.get(&content_path).await;
    assert_eq!(page.status, 200);
    let edited_digest = skafada_store::sha256_hex(edited.as_bytes());
    assert!(page.body.contains(&edited_digest), "{}", page.body);
    for part in ContentPart::ALL {
        assert_eq!(
            study.recorded_sha256(part),
            Some(study.sha256(part).as_str())
        );
        assert!(page.body.contains(&study.sha256(part)), "{part:?}");
    }
    assert!(page.body.contains("Unchanged since the study was created"));
    assert!(!page.body.contains("Changed since"));
    // The study page names the pre-registered plan by its digest.
    let study_page = admin.get(&format!("/admin/studies/{study_id}")).await;
    assert!(
        study_page.body.contains(&format!(
            "Pre-registered analysis plan: sha256 <code class=\"app-digest\">{}",
            study.sha256(ContentPart::Plan)
        )),
        "{}",
        study_page.body
    );

    // The download is exactly what was uploaded.
    let download = admin
        .get(&format!(
            "/admin/studies/{study_id}/content/pre-training-survey"
        ))
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, edited);
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("pre-training-survey.toml")
    );

    // A practitioner on the new study's link is asked the edited wording.
    let site = app
        .store
        .add_site(
            &study_id,
            &NewSite {
                code: "LA09".to_owned(),
                name: "Files council".to_owned(),
                local_services: "[]".to_owned(),
                ..NewSite::default()
            },
        )
        .await
        .unwrap();
    app.consent_at(&site.link_token).await;
    let first = app.get(&app.current().await).await;
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains("Which of these words best describes your gender?"),
        "{}",
        first.body
    );
    assert!(!first.body.contains("What best describes your gender?"));

    // The audit log names the plan's digest.
    let audit = admin.get("/admin/audit").await;
    assert!(
        audit.body.contains(&format!(
            "analysis plan sha256 {}",
            study.sha256(ContentPart::Plan)
        )),
        "{}",
        audit.body
    );
}
on_both!(a_study_made_from_uploaded_files_asks_their_wording_and_publishes_their_digests);

async fn a_downloaded_module_uploads_again_as_the_same_module(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let original = app.store.study(&app.study_id).await.unwrap().unwrap();
    let (status, zip) = admin
        .get_bytes(&format!(
            "/admin/studies/{}/content/training-module",
            app.study_id
        ))
        .await;
    assert_eq!(status, 200);
    assert!(zip.starts_with(b"PK"), "a ZIP file");
    let made = upload(
        &admin,
        "Same module",
        &[
            Part::File("pre-survey", "skafada-pre.toml", PRE.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            Part::File("module", "test-module.zip", &zip),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let id = made
        .location()
        .trim_start_matches("/admin/studies/")
        .trim_end_matches("/content")
        .to_owned();
    let copy = app.store.study(&id.into()).await.unwrap().unwrap();
    assert_eq!(copy.module_id, original.module_id);
    assert_eq!(copy.module_sources, original.module_sources);
    assert_eq!(
        copy.sha256(ContentPart::Module),
        original.sha256(ContentPart::Module)
    );
}
on_both!(a_downloaded_module_uploads_again_as_the_same_module);

async fn uploaded_files_with_problems_are_refused_with_file_line_and_column(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let before = app.store.studies().await.unwrap().len();
    let broken = PRE.replacen("type = \"single\"", "type = \"singel\"", 1);
    let line = broken.lines().position(|l| l.contains("singel")).unwrap() + 1;
    let refused = upload(
        &admin,
        "Broken",
        &[
            Part::File("pre-survey", "broken-pre.toml", broken.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            Part::File("module", "module.zip", b"not a zip file"),
        ],
    )
    .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(
        refused.title().starts_with("Error: "),
        "{}",
        refused.title()
    );
    assert!(
        refused.body.contains(&format!("broken-pre.toml:{line}:")),
        "line {line}: {}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("The training module must be a ZIP file")
    );
    // A framework whose research question names a table the plan does not have.
    let framework = include_str!("../../../../frameworks/skafada.toml").replacen(
        "survey = [\"table-16\"",
        "survey = [\"table-99\"",
        1,
    );
    let unmapped = upload(
        &admin,
        "Unmapped",
        &[
            Part::File("pre-survey", "skafada-pre.toml", PRE.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            Part::File("framework", "our-framework.toml", framework.as_bytes()),
        ],
    )
    .await;
    assert!(
        unmapped.body.contains(
            "our-framework.toml: research question `rq2` names `table-99`, which the analysis plan does not have"
        ),
        "{}",
        unmapped.body
    );
    // A follow-up wave named like the survey after the training.
    let waves = include_str!("../../../../waves/skafada.toml").replacen(
        "id = \"follow-up-3m\"",
        "id = \"post\"",
        1,
    );
    let misnamed = upload(
        &admin,
        "Misnamed wave",
        &[
            Part::File("pre-survey", "skafada-pre.toml", PRE.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            Part::File("waves", "our-waves.toml", waves.as_bytes()),
        ],
    )
    .await;
    assert!(
        misnamed.body.contains(
            "our-waves.toml: follow-up wave id `post` must be lower-case letters, digits and hyphens"
        ),
        "{}",
        misnamed.body
    );
    // A post-training survey without its pre-training twin, and a missing file.
    let missing = upload(
        &admin,
        "Missing",
        &[Part::File(
            "post-survey",
            "skafada-post.toml",
            POST.as_bytes(),
        )],
    )
    .await;
    assert_eq!(missing.status, 200);
    assert!(missing.body.contains("Choose the pre-training survey file"));
    assert!(missing.body.contains("href=\"#pre-survey\""));
    assert!(
        missing
            .body
            .contains("If you chose a file here, choose it again")
    );
    // With the dates missing too, the summary still follows the form: the files first.
    let form = admin.get("/admin/studies/new/files").await;
    let token = csrf(&form);
    let undated = admin
        .post_body(
            "/admin/studies/new/files",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&[
                Part::Text("csrf", &token),
                Part::Text("name", "Undated"),
                Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            ]),
        )
        .await;
    let file = undated
        .body
        .find("Choose the pre-training survey file")
        .unwrap();
    let date = undated.body.find("Enter the opening date").unwrap();
    assert!(
        file < date,
        "the file's problem is listed before the dates'"
    );
    assert_eq!(app.store.studies().await.unwrap().len(), before);
}
on_both!(uploaded_files_with_problems_are_refused_with_file_line_and_column);

async fn the_live_report_uses_the_plan_the_study_was_made_with(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let plan = include_str!("../../../../plans/skafada.toml").replacen(
        "title = \"Do you consider yourself to have a disability?\"",
        "title = \"Disability, as the registered plan words it\"",
        1,
    );
    assert!(plan.contains("as the registered plan words it"));
    let made = upload(
        &admin,
        "Own plan",
        &[
            Part::File("pre-survey", "skafada-pre.toml", PRE.as_bytes()),
            Part::File("post-survey", "skafada-post.toml", POST.as_bytes()),
            Part::File("plan", "registered-plan.toml", plan.as_bytes()),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let study = made
        .location()
        .trim_start_matches("/admin/studies/")
        .trim_end_matches("/content")
        .to_owned();
    let report = admin
        .get(&format!("/admin/studies/{study}/report?format=html"))
        .await;
    assert_eq!(report.status, 200);
    assert!(
        report
            .body
            .contains("Disability, as the registered plan words it")
    );
    let content = admin.get(&format!("/admin/studies/{study}/content")).await;
    assert!(
        content
            .body
            .contains(&skafada_store::sha256_hex(plan.as_bytes()))
    );
}
on_both!(the_live_report_uses_the_plan_the_study_was_made_with);

async fn a_study_of_synthetic_responses_says_so_on_every_results_page(app: &TestApp) {
    accounts(app).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE studies SET synthetic = 1 WHERE id = $1")
        .bind(app.study_id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let s = &app.study_id;
    let admin = signed_in(app, "global@example.org").await;
    let report = admin
        .get(&format!("/admin/studies/{s}/report?format=html"))
        .await;
    assert!(
        report.body.contains(
            "These data are synthetic demonstration data, not responses from real people."
        ),
        "the study report"
    );
    let la = signed_in(app, "la01@example.org").await;
    for path in [
        format!("/admin/studies/{s}/sites/LA01/dashboard"),
        format!("/admin/studies/{s}/sites/LA01/training-needs"),
    ] {
        let page = la.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body.contains(
                "These are synthetic demonstration responses, not answers from real people."
            ),
            "{path}"
        );
    }
    // A study of real responses carries no such warning.
    let other = app.store.studies().await.unwrap();
    assert!(
        other
            .iter()
            .filter(|st| st.id != *s)
            .all(|st| !st.synthetic)
    );
}
on_both!(a_study_of_synthetic_responses_says_so_on_every_results_page);
