//! Exports from the admin side: scope by role, the CSV's columns and values, the XLSX
//! and SPSS downloads, and the audit entry. Each runs on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use crate::admin::{Browser, accounts, signed_in};
use crate::helpers::{Page, TestApp};
use crate::on_both;

const JOB_TITLE: &str = "Family support worker";

/// One respondent completes the pre-training survey at LA01 (a code, a text answer and
/// two ticked options); another consents at LA02 and answers one question.
async fn two_respondents(app: &TestApp) {
    app.consent().await;
    app.walk_to_check(&[
        ("gender", "2"),
        ("works-for-la", "1"),
        ("la-service", "1"),
        ("job-title", JOB_TITLE),
        ("actions-parents", "1"),
        ("actions-parents", "4"),
    ])
    .await;
    let done = app.post("/survey/pre/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/pre/done");
    app.forget_cookie();
    let sites = app.store.sites(&app.study_id).await.unwrap();
    let la02 = sites.iter().find(|s| s.code == "LA02").unwrap();
    app.consent_at(&la02.link_token).await;
    let saved = app
        .post("/survey/pre/page/about-you", &[("gender", "1")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

/// The records of a CSV download, each as column → cell. No answer here has a comma.
fn records(page: &Page) -> Vec<BTreeMap<String, String>> {
    let mut lines = page.body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn header(page: &Page, name: &str) -> String {
    page.headers
        .get(name)
        .unwrap_or_else(|| panic!("a {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn assert_download(page: &Page, content_type: &str, extension: &str) {
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(header(page, "content-type"), content_type);
    assert_eq!(header(page, "cache-control"), "no-store");
    let disposition = header(page, "content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"skafada-"),
        "{disposition}"
    );
    assert!(
        disposition.ends_with(&format!(".{extension}\"")),
        "{disposition}"
    );
    assert!(!page.body.is_empty());
    // Sent from the file it was written to, with its length, so a browser can show
    // how much of a large download is left.
    let length: usize = header(page, "content-length").parse().unwrap();
    assert!(length > 0);
}

async fn an_la_contact_gets_no_records_by_any_export_route_only_their_protected_tables(
    app: &TestApp,
) {
    accounts(app).await;
    two_respondents(app).await;
    let s = &app.study_id;
    let la01 = signed_in(app, "la01@example.org").await;
    for path in [
        format!("/admin/studies/{s}/export?survey=pre&format=csv&purpose=Checking"),
        format!("/admin/studies/{s}/export?survey=pre&format=csv&site=LA01&purpose=Checking"),
        format!("/admin/studies/{s}/sites/LA01/export?survey=pre&format=csv&purpose=Checking"),
        format!("/admin/studies/{s}/sites/LA01/export?survey=pre&format=xlsx&purpose=Checking"),
        format!("/admin/studies/{s}/sites/LA01/export?survey=post&format=sav&purpose=Checking"),
        format!("/admin/studies/{s}/export?survey=pre&format=csv&site=LA02&purpose=Checking"),
        format!("/admin/studies/{s}/sites/LA02/export?survey=pre&format=csv&purpose=Checking"),
    ] {
        let page = la01.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains(JOB_TITLE), "{path}");
    }
    let protected = la01
        .get(&format!(
            "/admin/studies/{s}/sites/LA01/protected-tables.csv"
        ))
        .await;
    assert_eq!(protected.status, 200);
    assert!(protected.body.starts_with("figure,survey,variable,"));
    assert!(!protected.body.contains(JOB_TITLE), "no free text");
    assert!(
        !protected.body.contains("respondent"),
        "no record identifiers"
    );
    for page in [
        la01.get(&format!("/admin/studies/{s}")).await,
        la01.get(&format!("/admin/studies/{s}/sites/LA01")).await,
    ] {
        assert!(
            !page.body.contains("/export"),
            "no record-level download is offered"
        );
    }
}
on_both!(an_la_contact_gets_no_records_by_any_export_route_only_their_protected_tables);

/// The study's pre-training CSV as a study admin downloads it, checked as a download.
async fn study_admins_csv(app: &TestApp, admin: &Browser<'_>) -> Vec<BTreeMap<String, String>> {
    let page = admin
        .get(&format!(
            "/admin/studies/{}/export?survey=pre&format=csv&purpose=Checking+the+records",
            app.study_id
        ))
        .await;
    assert_download(&page, "text/csv; charset=utf-8", "csv");
    assert_eq!(
        header(&page, "content-length").parse::<usize>().unwrap(),
        page.body.len()
    );
    records(&page)
}

async fn the_study_admins_csv_has_both_sites_with_the_codes_ticks_and_text_given(app: &TestApp) {
    accounts(app).await;
    two_respondents(app).await;
    let admin = signed_in(app, "admin@example.org").await;
    let rows = study_admins_csv(app, &admin).await;
    assert_eq!(rows.len(), 2);
    let la01 = rows.iter().find(|r| r["site"] == "LA01").unwrap();
    let la02 = rows.iter().find(|r| r["site"] == "LA02").unwrap();
    assert_eq!(la01["status"], "submitted");
    assert_eq!(la01["consent-take-part"], "1");
    assert_eq!(la01["gender"], "2");
    assert_eq!(la01["works-for-la"], "1");
    assert_eq!(la01["job-title"], JOB_TITLE);
    assert_eq!(la01["actions-parents.1"], "1");
    assert_eq!(la01["actions-parents.2"], "0");
    assert_eq!(la01["actions-parents.4"], "1");
    assert_eq!(la01["actions-children.1"], "", "not answered: no zeros");
    assert_eq!(la02["status"], "consented");
    assert_eq!(la02["gender"], "1");
    assert_eq!(la02["job-title"], "");
    assert_ne!(la01["respondent_id"], la02["respondent_id"]);
    // The cleaning outcome and the plan's derived variables, as the study report has them.
    for row in [la01, la02] {
        assert!(
            (row["kept"] == "1") == (row["exclusion"] == "0"),
            "kept and its reason agree: {row:?}"
        );
    }
    assert_eq!(
        (la01["kept"].as_str(), la01["exclusion"].as_str()),
        ("0", "4"),
        "a few answers only: fewer than half of the applicable questions"
    );
    assert_eq!(la01["gender-group"], "2", "derived from gender by the plan");
    assert_eq!(la02["gender-group"], "1");
    assert_eq!(la01["service-area"], "1");
    assert_eq!(la01["tenure"], "", "no start year, no band");
    let codebook = admin
        .get(&format!(
            "/admin/studies/{}/sites/LA02/export?survey=pre&format=codebook",
            app.study_id
        ))
        .await;
    assert_download(&codebook, "text/csv; charset=utf-8", "csv");
    assert!(codebook.body.contains("actions-parents.4"));
    assert!(codebook.body.contains(",kept,"));
    assert!(
        codebook
            .body
            .contains("fewer than 50% of applicable questions answered")
    );
    assert!(codebook.body.contains("agree3:confidence-documenting"));
}
on_both!(the_study_admins_csv_has_both_sites_with_the_codes_ticks_and_text_given);

async fn xlsx_and_sav_downloads_are_workbooks_and_spss_files(app: &TestApp) {
    accounts(app).await;
    two_respondents(app).await;
    let analyst = signed_in(app, "analyst@example.org").await;
    let base = format!("/admin/studies/{}/export", app.study_id);
    let xlsx = analyst
        .get(&format!(
            "{base}?survey=pre&format=xlsx&purpose=Checking+the+records"
        ))
        .await;
    assert_download(
        &xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    );
    assert!(xlsx.body.starts_with("PK"));
    let sav = analyst
        .get(&format!(
            "{base}?survey=post&format=sav&site=LA01&purpose=Checking+the+records"
        ))
        .await;
    assert_download(&sav, "application/x-spss-sav", "sav");
    assert!(sav.body.starts_with("$FL2") || sav.body.starts_with("$FL3"));
    for variable in ["kept", "exclusion"] {
        assert!(sav.body.contains(variable), "{variable} in the SPSS file");
    }
    for bad in [
        "survey=during&format=csv",
        "survey=pre&format=pdf",
        "survey=pre",
    ] {
        assert_eq!(
            analyst.get(&format!("{base}?{bad}")).await.status,
            404,
            "{bad}"
        );
    }
}
on_both!(xlsx_and_sav_downloads_are_workbooks_and_spss_files);

async fn an_export_writes_one_audit_entry_with_its_record_count_and_no_answers(app: &TestApp) {
    accounts(app).await;
    two_respondents(app).await;
    let analyst = signed_in(app, "analyst@example.org").await;
    let page = analyst
        .get(&format!(
            "/admin/studies/{}/sites/LA01/export?survey=pre&format=csv&purpose=Checking+the+records",
            app.study_id
        ))
        .await;
    assert_eq!(page.status, 200);
    let log = app
        .store
        .audit_log(Some(&app.study_id), 1000)
        .await
        .unwrap();
    let exports: Vec<_> = log.iter().filter(|e| e.action == "export").collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].email.as_deref(), Some("analyst@example.org"));
    assert_eq!(
        exports[0].details,
        "LA01: pre-training survey, csv, 1 record; purpose: Checking the records"
    );
    for entry in &log {
        assert!(!entry.details.contains(JOB_TITLE), "an answer in the log");
    }
    let refused = analyst
        .get(&format!(
            "/admin/studies/{}/export?survey=pre&format=csv&site=LA02",
            app.study_id
        ))
        .await;
    assert_eq!(refused.status, 400, "no purpose given");
    assert!(refused.body.contains("Enter why you need these records"));
    let log = app
        .store
        .audit_log(Some(&app.study_id), 1000)
        .await
        .unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "export").count(),
        1,
        "a refused export is not logged as one"
    );
}
on_both!(an_export_writes_one_audit_entry_with_its_record_count_and_no_answers);

async fn a_free_text_answer_that_looks_like_a_formula_is_quoted_in_the_csv_download(app: &TestApp) {
    accounts(app).await;
    app.consent().await;
    app.walk_to_check(&[
        ("works-for-la", "1"),
        ("la-service", "1"),
        ("job-title", "@SUM(A1)"),
    ])
    .await;
    let done = app.post("/survey/pre/check-answers", &[]).await;
    assert_eq!(done.location(), "/survey/pre/done");
    let admin = signed_in(app, "admin@example.org").await;
    let rows = study_admins_csv(app, &admin).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["job-title"], "'@SUM(A1)", "shown as text, not run");
    assert_eq!(
        rows[0]["works-for-la"], "1",
        "codes are written as they are"
    );
}
on_both!(a_free_text_answer_that_looks_like_a_formula_is_quoted_in_the_csv_download);
