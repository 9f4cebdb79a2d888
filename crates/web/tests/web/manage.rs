//! Running a study from the admin pages: making studies and sites, their settings and
//! local services, replacing a link, the invitation and reminders (copied, or e-mailed to
//! LA contacts through a local SMTP sink), a site's dashboard with disclosure control,
//! training-needs reports and the study report. Each runs on SQLite and PostgreSQL.

use skafada_instrument::ItemKind;
use skafada_store::{ImportedResponse, Phase, Status, StudyId};

use crate::admin::{accounts, signed_in};
use crate::helpers::TestApp;
use crate::on_both;

/// A form for the study form's dates and other fields.
fn study_form<'a>(
    name: &'a str,
    opens: [&'a str; 3],
    closes: [&'a str; 3],
    retain: [&'a str; 3],
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("opens-on-day", opens[0]),
        ("opens-on-month", opens[1]),
        ("opens-on-year", opens[2]),
        ("closes-on-day", closes[0]),
        ("closes-on-month", closes[1]),
        ("closes-on-year", closes[2]),
        ("retain-until-day", retain[0]),
        ("retain-until-month", retain[1]),
        ("retain-until-year", retain[2]),
        ("min-cell-count", "5"),
    ]
}

fn site_form<'a>(code: &'a str, region: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("name", "Northtown Council"),
        ("region", region),
        ("model-of-practice", "Signs of Safety"),
        ("population", "300k"),
        ("ethnicity", ""),
        ("area-type", "Urban"),
        ("deprivation", "2"),
    ]
}

/// The path a 303 leads to, without its query.
fn path_of(location: &str) -> String {
    location.split('?').next().unwrap_or_default().to_owned()
}

async fn a_study_admin_makes_a_study_and_adds_a_site_with_gov_uk_validation(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let form = admin.get("/admin/studies/new").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.h1(), "Make a study");
    assert!(
        form.body
            .contains("The SKAFADA surveys and the test module")
    );

    let empty = admin
        .post_from(
            "/admin/studies/new",
            "/admin/studies/new",
            &[("min-cell-count", "5")],
        )
        .await;
    assert_eq!(empty.status, 200);
    assert!(empty.title().starts_with("Error: "), "{}", empty.title());
    for message in [
        "Enter the study name",
        "Select the surveys and training the study uses",
        "Enter the opening date",
    ] {
        assert!(empty.body.contains(message), "{message}");
    }

    let mut backwards = study_form(
        "SKAFADA 2027",
        ["1", "6", "2027"],
        ["31", "5", "2027"],
        ["31", "12", "2030"],
    );
    backwards.push(("content", "library-0"));
    let page = admin
        .post_from("/admin/studies/new", "/admin/studies/new", &backwards)
        .await;
    assert!(
        page.body
            .contains("The closing date must be the same as or after the opening date")
    );
    assert!(
        page.body.contains("value=\"SKAFADA 2027\""),
        "the answers are shown as typed"
    );

    let mut valid = study_form(
        "SKAFADA 2027",
        ["1", "6", "2025"],
        ["31", "7", "2099"],
        ["31", "12", "2100"],
    );
    valid.push(("content", "library-0"));
    let made = admin
        .post_from("/admin/studies/new", "/admin/studies/new", &valid)
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let study = path_of(&made.location());
    let page = admin.get(&study).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("SKAFADA 2027"));
    assert!(page.body.contains("Add a site"));

    let missing = admin
        .post_from(
            &format!("{study}/sites/new"),
            &format!("{study}/sites/new"),
            &site_form("la12", ""),
        )
        .await;
    assert_eq!(missing.status, 200);
    assert!(missing.body.contains("Enter the region"));
    let added = admin
        .post_from(
            &format!("{study}/sites/new"),
            &format!("{study}/sites/new"),
            &site_form("la12", "North"),
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(path_of(&added.location()), format!("{study}/sites/LA12"));
    let site = admin.get(&added.location()).await;
    assert!(site.body.contains("Site added"));
    assert!(site.body.contains("Signs of Safety"));
    let again = admin
        .post_from(
            &format!("{study}/sites/new"),
            &format!("{study}/sites/new"),
            &site_form("LA12", "North"),
        )
        .await;
    assert!(
        again
            .body
            .contains("This study already has a site with this code")
    );

    // The new site's link opens the journey, and pressing Start now is counted.
    let id = study.rsplit('/').next().unwrap();
    let sites = app.store.sites(&StudyId::new(id)).await.unwrap();
    let token = &sites.iter().find(|s| s.code == "LA12").unwrap().link_token;
    let start = app.get(&format!("/s/{token}")).await;
    assert_eq!(start.status, 200);
    assert!(start.body.contains("Northtown Council"));
    app.post(&format!("/s/{token}"), &[]).await;
    let starts = app.store.starts(&StudyId::new(id)).await.unwrap();
    assert_eq!(starts[0].starts, 1);

    let log = app.store.audit_log(None, 50).await.unwrap();
    for action in ["study-created", "site-added"] {
        assert!(
            log.iter().any(|e| e.action == action),
            "{action} is audited"
        );
    }
}
on_both!(a_study_admin_makes_a_study_and_adds_a_site_with_gov_uk_validation);

async fn changing_the_closing_date_closes_and_reopens_the_sites_links(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "admin@example.org").await;
    let settings = format!("/admin/studies/{}/settings", app.study_id);
    let form = admin.get(&settings).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("value=\"2099\""),
        "the stored closing year is shown"
    );

    let early = study_form(
        "Test study",
        ["1", "1", "2020"],
        ["2", "1", "2021"],
        ["1", "1", "2021"],
    );
    let refused = admin.post_from(&settings, &settings, &early).await;
    assert!(
        refused
            .body
            .contains("The deletion date must be after the closing date")
    );

    let closed = study_form(
        "Test study",
        ["1", "1", "2020"],
        ["2", "1", "2021"],
        ["31", "12", "2099"],
    );
    let saved = admin.post_from(&settings, &settings, &closed).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        admin
            .get(&saved.location())
            .await
            .body
            .contains("Study settings saved")
    );
    assert_eq!(app.get(&format!("/s/{}", app.token)).await.status, 410);

    let open = study_form(
        "Test study",
        ["1", "1", "2020"],
        ["31", "12", "2099"],
        ["1", "1", "2100"],
    );
    admin.post_from(&settings, &settings, &open).await;
    assert_eq!(app.get(&format!("/s/{}", app.token)).await.status, 200);
    let log = app.store.audit_log(Some(&app.study_id), 50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "study-changed"
        && e.details.contains("closing date 2099-12-31 to 2021-01-02")));
}
on_both!(changing_the_closing_date_closes_and_reopens_the_sites_links);

async fn local_services_added_by_an_admin_appear_on_the_sites_journey(app: &TestApp) {
    accounts(app).await;
    let admin = signed_in(app, "admin@example.org").await;
    let page = format!("/admin/studies/{}/sites/LA01/local-services", app.study_id);
    let add = format!("{page}/add");
    let bad = admin
        .post_from(
            &page,
            &add,
            &[
                ("service-name", "Northtown Women's Aid"),
                ("url", "http://example.org"),
            ],
        )
        .await;
    assert!(
        bad.body
            .contains("Enter a website address starting https://")
    );
    let none = admin
        .post_from(&page, &add, &[("service-name", "Northtown Women's Aid")])
        .await;
    assert!(
        none.body
            .contains("Enter a phone number, a text number or other contact, or a website")
    );
    let ok = admin
        .post_from(
            &page,
            &add,
            &[
                ("service-name", "Northtown Women's Aid"),
                ("phone", "0100 111 2222"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let start = app.get(&format!("/s/{}", app.token)).await;
    assert!(start.body.contains("Northtown Women") && start.body.contains("0100 111 2222"));
    let list = admin.get(&page).await;
    let index = list.body.matches("name=\"index\"").count() - 1;
    let remove = admin
        .post_from(
            &page,
            &format!("{page}/remove"),
            &[
                ("index", &index.to_string()),
                ("service", "Northtown Women's Aid"),
            ],
        )
        .await;
    assert_eq!(remove.status, 303);
    assert!(
        !app.get(&format!("/s/{}", app.token))
            .await
            .body
            .contains("Northtown Women")
    );
}
on_both!(local_services_added_by_an_admin_appear_on_the_sites_journey);

async fn unreadable_stored_services_stop_the_form_instead_of_being_saved_over(app: &TestApp) {
    accounts(app).await;
    let sites = app.store.sites(&app.study_id).await.unwrap();
    let la01 = sites.iter().find(|s| s.code == "LA01").unwrap();
    let account = app
        .store
        .account_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap();
    app.store
        .set_local_services(la01, "[{\"name\": \"Refuge\"", 1, &account.id)
        .await
        .unwrap();
    let admin = signed_in(app, "admin@example.org").await;
    let page = format!("/admin/studies/{}/sites/LA01/local-services", app.study_id);
    assert_eq!(admin.get(&page).await.status, 500);
    let add = admin
        .post_from(
            &format!("/admin/studies/{}/sites/LA01", app.study_id),
            &format!("{page}/add"),
            &[
                ("service-name", "Northtown Women's Aid"),
                ("phone", "01632 960001"),
            ],
        )
        .await;
    assert_eq!(add.status, 500);
    // What was stored is left as it was, for someone to put right.
    let after = app.store.site(&la01.id).await.unwrap().unwrap();
    assert_eq!(after.local_services, "[{\"name\": \"Refuge\"");
}
on_both!(unreadable_stored_services_stop_the_form_instead_of_being_saved_over);

async fn replacing_a_link_stops_the_old_one_and_keeps_journeys_already_begun(app: &TestApp) {
    accounts(app).await;
    app.consent().await;
    let admin = signed_in(app, "admin@example.org").await;
    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let replaced = admin
        .post_from(
            &format!("{site}/new-link"),
            &format!("{site}/new-link"),
            &[],
        )
        .await;
    assert_eq!(replaced.status, 303);
    assert_eq!(app.get(&format!("/s/{}", app.token)).await.status, 404);
    assert!(
        app.current().await.starts_with("/survey/pre/page/"),
        "the journey carries on"
    );
    let new_token = app
        .store
        .sites(&app.study_id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LA01")
        .unwrap()
        .link_token;
    assert_ne!(new_token, app.token);
    assert_eq!(app.get(&format!("/s/{new_token}")).await.status, 200);
    assert!(
        admin
            .get(&replaced.location())
            .await
            .body
            .contains(&new_token)
    );
}
on_both!(replacing_a_link_stops_the_old_one_and_keeps_journeys_already_begun);

async fn reminders_carry_the_sites_link_and_are_e_mailed_only_to_its_la_contacts(app: &TestApp) {
    accounts(app).await;
    let la01 = signed_in(app, "la01@example.org").await;
    let messages = format!("/admin/studies/{}/sites/LA01/messages", app.study_id);
    let page = la01.get(&messages).await;
    assert_eq!(page.status, 200);
    let link = format!("{}/s/{}", app.address, app.token);
    assert!(page.body.contains(&link), "the site's link is filled in");
    assert!(!page.body.contains("{link}"));
    assert!(
        page.body
            .contains("Local authority 01 never sees your answers")
            && !page.body.contains("{who_sees}"),
        "the invitation says who sees what, in the start page's words"
    );
    assert!(
        !page.body.contains("E-mail the"),
        "LA contacts copy, they do not send"
    );

    let admin = signed_in(app, "admin@example.org").await;
    let edit = format!("/admin/studies/{}/messages", app.study_id);
    let refused = admin
        .post_from(
            &edit,
            &format!("{edit}/reminder"),
            &[
                ("reminder-subject", "Reminder"),
                ("reminder-body", "Please take part"),
            ],
        )
        .await;
    assert!(refused.body.contains("The message must include {link}"));
    assert!(refused.title().starts_with("Error: "));
    let saved = admin
        .post_from(
            &edit,
            &format!("{edit}/reminder"),
            &[
                ("reminder-subject", "Last week for {site}"),
                (
                    "reminder-body",
                    "Northtown reminder: {link} closes {closes_on}",
                ),
            ],
        )
        .await;
    assert!(saved.body.contains("Reminder saved"));
    assert!(la01.get(&messages).await.body.contains(&format!(
        "Northtown reminder: {link} closes 31 December 2099"
    )));

    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let sent = admin
        .post_from(
            &format!("{site}/messages"),
            &format!("{site}/messages/reminder/send"),
            &[],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("e-mailed to 1 LA contact"));
    let mail = app.mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, vec!["la01@example.org".to_owned()]);
    // The body may be quoted-printable: join its soft line breaks.
    let text = mail[0].data.replace("=\n", "").replace("=3D", "=");
    assert!(text.contains("Last week for Local authority 01"), "{text}");
    assert!(text.contains(&link), "{text}");
    assert!(text.contains("Please forward the message below"));
    let log = app.store.audit_log(Some(&app.study_id), 50).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "reminder-sent" && e.details.contains("LA01"))
    );
}
on_both!(reminders_carry_the_sites_link_and_are_e_mailed_only_to_its_la_contacts);

async fn the_follow_up_message_carries_the_sites_wave_link_and_is_e_mailed_to_its_la_contacts(
    app: &TestApp,
) {
    accounts(app).await;
    let la01 = signed_in(app, "la01@example.org").await;
    let messages = format!("/admin/studies/{}/sites/LA01/messages", app.study_id);
    let page = la01.get(&messages).await;
    let link = format!("{}/f/{}/follow-up-3m", app.address, app.token);
    assert!(page.body.contains(&link), "{}", page.body);
    // The wave's reminder text from the waves file, and its dates (the test study opened
    // on 1 January 2020: day 91 is 1 April).
    assert!(page.body.contains("About three months ago you took part"));
    assert!(
        page.body
            .contains("The survey is open from 1 April 2020 until 28 April 2020"),
        "{}",
        page.body
    );
    let admin = signed_in(app, "admin@example.org").await;
    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let sent = admin
        .post_from(
            &format!("{site}/messages"),
            &format!("{site}/messages/follow-up-3m/send"),
            &[],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body
            .contains("Three-month follow-up e-mailed to 1 LA contact"),
        "{}",
        sent.body
    );
    let mail = app.mail.lock().unwrap().clone();
    let text = mail[0].data.replace("=\n", "").replace("=3D", "=");
    assert!(text.contains(&link), "{text}");
    let log = app.store.audit_log(Some(&app.study_id), 50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "reminder-sent"
        && e.details == "LA01: follow-up-3m e-mailed to 1 LA contacts"));
    let unknown = admin
        .post_from(
            &format!("{site}/messages"),
            &format!("{site}/messages/follow-up-9m/send"),
            &[],
        )
        .await;
    assert_eq!(unknown.status, 404);
}
on_both!(the_follow_up_message_carries_the_sites_wave_link_and_is_e_mailed_to_its_la_contacts);

async fn a_study_admin_rewords_a_follow_up_waves_message_and_the_sites_get_it_with_their_wave_link(
    app: &TestApp,
) {
    accounts(app).await;
    let admin = signed_in(app, "admin@example.org").await;
    let messages = format!("/admin/studies/{}/messages", app.study_id);
    let page = admin.get(&messages).await;
    assert!(
        page.body
            .contains("<h2 class=\"govuk-heading-m\">Three-month follow-up</h2>")
    );
    assert!(page.body.contains("id=\"follow-up-3m-body\""));
    // Without the link, refused by field; the typed text is kept.
    let missing = admin
        .post_from(
            &messages,
            &format!("{messages}/follow-up-3m"),
            &[
                ("follow-up-3m-subject", "Three months on"),
                ("follow-up-3m-body", "Please take part again."),
            ],
        )
        .await;
    assert_eq!(missing.status, 200);
    assert!(missing.body.contains("The message must include {link}"));
    assert!(missing.body.contains("Please take part again."));
    // A form without the message at all is refused as an empty message, not saved.
    let no_body = admin
        .post_from(
            &messages,
            &format!("{messages}/follow-up-3m"),
            &[("follow-up-3m-subject", "Three months on")],
        )
        .await;
    assert!(
        no_body.body.contains("Enter the message"),
        "{}",
        no_body.body
    );
    assert!(!no_body.body.contains("Three-month follow-up saved"));
    let saved = admin
        .post_from(
            &messages,
            &format!("{messages}/follow-up-3m"),
            &[
                ("follow-up-3m-subject", "Three months on: open until {closes_on}"),
                (
                    "follow-up-3m-body",
                    "Hello {site}, please take part again between {opens_on} and {closes_on}: {link}",
                ),
            ],
        )
        .await;
    assert!(
        saved.body.contains("Three-month follow-up saved"),
        "{}",
        saved.body
    );
    // The survey's own messages are untouched.
    assert_eq!(app.store.messages(&app.study_id).await.unwrap(), Vec::new());
    let la01 = signed_in(app, "la01@example.org").await;
    let page = la01
        .get(&format!(
            "/admin/studies/{}/sites/LA01/messages",
            app.study_id
        ))
        .await;
    let link = format!("{}/f/{}/follow-up-3m", app.address, app.token);
    assert!(
        page.body.contains(&format!(
            "please take part again between 1 April 2020 and 28 April 2020: {link}"
        )),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Three months on: open until 28 April 2020")
    );
    let log = app.store.audit_log(Some(&app.study_id), 50).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "message-changed" && e.details == "follow-up-3m changed")
    );
    // A wave the study does not have cannot be worded.
    let unknown = admin
        .post_from(
            &messages,
            &format!("{messages}/follow-up-9m"),
            &[
                ("follow-up-9m-subject", "x"),
                ("follow-up-9m-body", "{link}"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 404);
}
on_both!(a_study_admin_rewords_a_follow_up_waves_message_and_the_sites_get_it_with_their_wave_link);

/// Imports `n` complete pre-training responses at a site, with answers that vary from
/// one respondent to the next.
async fn import_responses(app: &TestApp, site: &str, n: usize) {
    let pre = skafada_instrument::load(
        include_str!("../../../../instruments/skafada-pre.toml"),
        "pre",
    )
    .unwrap();
    let mut responses = Vec::new();
    for i in 0..n {
        let mut answers: Vec<(String, String)> = Vec::new();
        for item in pre.items() {
            let pick = |options: &[skafada_instrument::Choice], salt: usize| {
                options[(i * 7 + salt * 3) % options.len()].code.to_string()
            };
            match &item.kind {
                ItemKind::Consent { statements } => {
                    answers.extend(statements.iter().map(|s| (s.id.clone(), "1".to_owned())));
                }
                ItemKind::Single { options } => {
                    answers.push((item.id.clone(), pick(options, item.id.len())))
                }
                ItemKind::Multiple { options } => answers.push((item.id.clone(), pick(options, 1))),
                ItemKind::Matrix { options, rows, .. } => {
                    for (r, row) in rows.iter().enumerate() {
                        answers.push((row.id.clone(), pick(options, r)));
                    }
                }
                ItemKind::Year { .. } => {
                    answers.push((item.id.clone(), (2000 + i % 20).to_string()))
                }
                ItemKind::Number { .. } => answers.push((item.id.clone(), (1 + i % 9).to_string())),
                ItemKind::Text { .. } => {}
            }
        }
        // Eligible: works for the local authority, in Early Help.
        for (id, value) in [("works-for-la", "1"), ("la-service", "1")] {
            answers.retain(|(a, _)| a != id);
            answers.push((id.to_owned(), value.to_owned()));
        }
        responses.push(ImportedResponse {
            respondent: format!("{site}-{i}"),
            site_code: site.to_owned(),
            phase: Phase::Pre,
            status: Status::Submitted,
            started_on: "2026-01-10".to_owned(),
            answers,
        });
    }
    app.store
        .import_responses(&app.study_id, &responses)
        .await
        .unwrap();
}

async fn an_la_contacts_dashboard_hides_small_counts_that_an_admin_sees(app: &TestApp) {
    accounts(app).await;
    import_responses(app, "LA01", 14).await;
    import_responses(app, "LA02", 9).await;
    let dashboard = format!("/admin/studies/{}/sites/LA01/dashboard", app.study_id);
    let la01 = signed_in(app, "la01@example.org").await;
    let page = la01.get(&dashboard).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Results beside all sites"));
    assert!(
        page.body
            .contains(r#"data-part="count">14</span> at this site"#)
            && page
                .body
                .contains(r#"data-part="all">23</span> across all sites"#),
        "the cleaning kept every record"
    );
    assert!(page.body.contains("[c]"), "small counts are hidden");
    assert!(page.body.contains("All sites: %"));
    assert!(!page.body.contains("LA02"), "no other site is named");
    let admin = signed_in(app, "admin@example.org").await;
    let full = admin.get(&dashboard).await;
    assert!(!full.body.contains(">[c]<"), "an admin sees every count");
    assert!(
        full.body.contains("<svg"),
        "an admin sees the site's charts"
    );

    let needs = la01
        .get(&format!(
            "/admin/studies/{}/sites/LA01/training-needs",
            app.study_id
        ))
        .await;
    assert_eq!(needs.status, 200, "{}", needs.body);
    for text in [
        "What practitioners know least about",
        "Misconceptions most often held",
        "Build confidence and skills in work with perpetrators",
    ] {
        assert!(needs.body.contains(text), "{text}");
    }
    let analyst = signed_in(app, "analyst@example.org").await;
    let study_needs = analyst
        .get(&format!("/admin/studies/{}/training-needs", app.study_id))
        .await;
    assert_eq!(study_needs.status, 200);
    assert!(study_needs.body.contains("Training needs: all sites"));
    let report = analyst
        .get(&format!(
            "/admin/studies/{}/report?format=html",
            app.study_id
        ))
        .await;
    assert_eq!(report.status, 200);
    assert!(
        report.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(report.body.contains("<svg") && report.body.contains("Table 5"));
}
on_both!(an_la_contacts_dashboard_hides_small_counts_that_an_admin_sees);

async fn sites_are_allocated_to_delivery_arms_as_they_join_reproducibly_from_the_seed(
    app: &TestApp,
) {
    accounts(app).await;
    let admin = signed_in(app, "global@example.org").await;
    let study = format!("/admin/studies/{}", app.study_id);
    let codes = ["la20", "la21", "la22", "la23", "la24", "la25"];
    for code in codes {
        let added = admin
            .post_from(
                &format!("{study}/sites/new"),
                &format!("{study}/sites/new"),
                &site_form(code, "North"),
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    // The log: one place each, in the order the sites joined, each the arm the declared
    // sequence gives for that place under the study's seed.
    let log = app.store.allocations(&app.study_id).await.unwrap();
    assert_eq!(log.len(), 6);
    let spec = skafada_waves::allocation::AllocationSpec::parse(include_str!(
        "../../../../waves/skafada.toml"
    ))
    .unwrap();
    let seed = app.store.allocation_seed(&app.study_id).await.unwrap();
    let seed = skafada_waves::Secret::from_bytes(seed.to_bytes()).unwrap();
    let sites = app.store.sites(&app.study_id).await.unwrap();
    for (place, (row, code)) in log.iter().zip(codes).enumerate() {
        assert_eq!(row.position, place as u64);
        assert_eq!(row.stratum, "");
        let site = sites.iter().find(|s| s.id == row.unit_id).unwrap();
        assert_eq!(site.code, code.to_uppercase());
        let expected = spec.arm_for(&seed, "", place as u64).unwrap();
        assert_eq!(row.arm, expected.id);
    }
    // The site page names its arm; a site added before allocation has none.
    let arm_name = |id: &str| {
        spec.arms()
            .iter()
            .find(|a| a.id == id)
            .unwrap()
            .name
            .clone()
    };
    let page = admin.get(&format!("{study}/sites/LA20")).await;
    assert!(page.body.contains("Delivery arm"), "{}", page.body);
    assert!(page.body.contains(&arm_name(&log[0].arm)), "{}", page.body);
    let before = admin.get(&format!("{study}/sites/LA01")).await;
    assert!(before.body.contains("Not allocated"));
    let audit = app.store.audit_log(Some(&app.study_id), 100).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "allocated").count(), 6);
    // The export carries the log; the seed is in no file.
    let stored = app.store.study(&app.study_id).await.unwrap().unwrap();
    let export = skafada_web::study_export(&app.store, &stored)
        .await
        .unwrap();
    let arms = &export
        .files
        .iter()
        .find(|(n, _)| n == "arms.csv")
        .unwrap()
        .1;
    assert_eq!(arms.lines().count(), 7, "{arms}");
    assert!(
        arms.starts_with("site,respondent_id,position,arm\nLA20,,0,"),
        "{arms}"
    );
    let hex: String = seed_hex(app).await;
    assert!(export.files.iter().all(|(_, text)| !text.contains(&hex)));
    // An allocation in the stratum of a site the study does not have is damage: the
    // export says so rather than writing the row with no site.
    app.store
        .allocate(&app.study_id, "no-such-site", "a-respondent", |_| {
            Some("arm-a".to_owned())
        })
        .await
        .unwrap();
    let damaged = skafada_web::study_export(&app.store, &stored).await;
    let message = damaged.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("no-such-site"), "{message}");
}
on_both!(sites_are_allocated_to_delivery_arms_as_they_join_reproducibly_from_the_seed);

async fn seed_hex(app: &TestApp) -> String {
    let seed = app.store.allocation_seed(&app.study_id).await.unwrap();
    seed.to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn respondents_are_allocated_within_their_site_when_the_study_says_so(app: &TestApp) {
    let waves = include_str!("../../../../waves/skafada.toml")
        .replace("unit = \"site\"", "unit = \"respondent\"");
    let study = skafada_store::NewStudy {
        name: "By respondent".to_owned(),
        waves,
        ..crate::helpers::study("2020-01-01", "2099-12-31")
    };
    let study_id = app.store.create_study(&study).await.unwrap();
    let site = app
        .store
        .add_site(
            &study_id,
            &skafada_store::NewSite {
                code: "LA30".to_owned(),
                name: "Thirty".to_owned(),
                local_services: "[]".to_owned(),
                ..skafada_store::NewSite::default()
            },
        )
        .await
        .unwrap();
    for _ in 0..3 {
        app.forget_cookie();
        app.consent_at(&site.link_token).await;
    }
    let log = app.store.allocations(&study_id).await.unwrap();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|row| row.stratum == site.id));
    assert_eq!(
        log.iter().map(|row| row.position).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    // Deleting the site's responses deletes their allocations.
    let deletion = app.store.delete_site_data(&site, "test").await.unwrap();
    assert_eq!(deletion.respondents, 3);
    assert!(app.store.allocations(&study_id).await.unwrap().is_empty());
}
on_both!(respondents_are_allocated_within_their_site_when_the_study_says_so);
