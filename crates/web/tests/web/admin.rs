//! The admin side: sign-in, sessions, CSRF, lockout, password change, the authorisation
//! of every route for every role, monitoring, the audit log, deleting a site's data and
//! the retention run. Each runs on SQLite and PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Mutex;

use skafada_store::{NewAccount, NewPassword, NewSite, Role, SiteId, StudyId};

use crate::helpers::{Page, TestApp, study};
use crate::on_both;

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A browser for the admin side: its own cookies, separate from the journey's.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// The `Cookie` header of this browser's cookies.
    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap();
            let (name, token) = pair.split_once('=').unwrap();
            let mut cookies = self.cookies.lock().unwrap();
            if token.is_empty() {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_owned(), token.to_owned());
            }
        }
        Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        let url = format!("{}{path}", self.app.address);
        self.send(self.app.client.get(url)).await
    }

    /// Downloads a file as bytes, with this browser's cookies.
    pub(crate) async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let cookie = self.cookie_header();
        let url = format!("{}{path}", self.app.address);
        let response = self
            .app
            .client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// Posts a body of any type, such as a multipart form.
    pub(crate) async fn post_body(&self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        let url = format!("{}{path}", self.app.address);
        self.send(
            self.app
                .client
                .post(url)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let url = format!("{}{path}", self.app.address);
        self.send(
            self.app
                .client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(form).unwrap()),
        )
        .await
    }

    /// Posts a form with the CSRF token of the page at `from`.
    pub(crate) async fn post_from(&self, from: &str, path: &str, form: &[(&str, &str)]) -> Page {
        let page = self.get(from).await;
        let token = csrf(&page);
        let mut form = form.to_vec();
        form.push(("csrf", &token));
        self.post(path, &form).await
    }

    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.post_from(
            "/admin/sign-in",
            "/admin/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub(crate) fn session_cookie(&self) -> Option<String> {
        self.cookies.lock().unwrap().get("skafada-admin").cloned()
    }
}

/// The CSRF token of the first form on a page.
pub(crate) fn csrf(page: &Page) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.body.find(marker).expect("a CSRF field") + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].to_owned()
}

/// The study of `spawn_app` gets a second site, LA02; the other (closed) study has its
/// own admin. Returns the closed study's id.
pub(crate) async fn accounts(app: &TestApp) -> StudyId {
    app.store
        .add_site(
            &app.study_id,
            &NewSite {
                code: "LA02".to_owned(),
                name: "Local authority 02".to_owned(),
                region: "South".to_owned(),
                local_services: "[]".to_owned(),
                ..NewSite::default()
            },
        )
        .await
        .unwrap();
    let sites = app.store.sites(&app.study_id).await.unwrap();
    let site = |code: &str| sites.iter().find(|s| s.code == code).unwrap().id.clone();
    let other = app
        .store
        .studies()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id != app.study_id)
        .unwrap()
        .id;
    let all: [(&str, Role, Option<StudyId>, Option<SiteId>); 6] = [
        ("global@example.org", Role::StudyAdmin, None, None),
        (
            "admin@example.org",
            Role::StudyAdmin,
            Some(app.study_id.clone()),
            None,
        ),
        (
            "analyst@example.org",
            Role::Analyst,
            Some(app.study_id.clone()),
            None,
        ),
        (
            "la01@example.org",
            Role::LaContact,
            Some(app.study_id.clone()),
            Some(site("LA01")),
        ),
        (
            "la02@example.org",
            Role::LaContact,
            Some(app.study_id.clone()),
            Some(site("LA02")),
        ),
        (
            "other@example.org",
            Role::StudyAdmin,
            Some(other.clone()),
            None,
        ),
    ];
    for (email, role, study_id, site_id) in all {
        let account = NewAccount {
            email: email.to_owned(),
            password: NewPassword::parse(PASSWORD).unwrap(),
            role,
            study_id,
            site_id,
        };
        assert!(
            app.store
                .create_account(&account, None)
                .await
                .unwrap()
                .is_some()
        );
    }
    other
}

pub(crate) async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let browser = Browser::new(app);
    let page = browser.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, 303, "{email}: {}", page.body);
    assert_eq!(page.location(), "/admin");
    browser
}

async fn sign_in_sets_a_strict_session_cookie_and_sign_out_ends_the_session(app: &TestApp) {
    accounts(app).await;
    let browser = Browser::new(app);
    let form = browser.get("/admin/sign-in").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.h1(), "Sign in");
    let signed = browser.sign_in("Admin@Example.org ", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let cookie = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("skafada-admin="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Max-Age"), "{cookie}");
    let token = browser.session_cookie().unwrap();
    let studies = browser.get("/admin").await;
    assert_eq!(studies.status, 200);
    assert!(studies.body.contains("Test study"));
    let out = browser.post_from("/admin", "/admin/sign-out", &[]).await;
    assert_eq!(out.status, 200);
    assert_eq!(out.h1(), "You have signed out");
    browser
        .cookies
        .lock()
        .unwrap()
        .insert("skafada-admin".to_owned(), token);
    let after = browser.get("/admin").await;
    assert_eq!(after.status, 303, "the session is gone on the server");
    assert_eq!(after.location(), "/admin/sign-in");
}
on_both!(sign_in_sets_a_strict_session_cookie_and_sign_out_ends_the_session);

async fn no_account_exists_until_one_is_created(app: &TestApp) {
    let browser = Browser::new(app);
    let page = browser.sign_in("admin@example.org", PASSWORD).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("do not match an account"));
    assert!(page.title().starts_with("Error: "));
    assert!(
        app.store
            .account_by_email("admin@example.org")
            .await
            .unwrap()
            .is_none()
    );
}
on_both!(no_account_exists_until_one_is_created);

async fn forms_without_their_csrf_token_are_refused_and_change_nothing(app: &TestApp) {
    accounts(app).await;
    let browser = Browser::new(app);
    browser.get("/admin/sign-in").await;
    let forged = browser
        .post(
            "/admin/sign-in",
            &[("email", "admin@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, 400, "a sign-in form without its token");
    assert!(browser.session_cookie().is_none());
    let browser = signed_in(app, "admin@example.org").await;
    let path = format!("/admin/studies/{}/sites/LA01/headcount", app.study_id);
    for token in [None, Some("0123456789abcdef")] {
        let mut form = vec![("headcount", "40")];
        if let Some(token) = token {
            form.push(("csrf", token));
        }
        let page = browser.post(&path, &form).await;
        assert_eq!(page.status, 400);
        assert_eq!(page.h1(), "There is a problem with the form you sent");
    }
    let headcounts = app.store.headcounts(&app.study_id).await.unwrap();
    assert!(headcounts.iter().all(|(_, n)| n.is_none()));
    let delete = format!("/admin/studies/{}/sites/LA01/delete", app.study_id);
    assert_eq!(browser.post(&delete, &[]).await.status, 400);
}
on_both!(forms_without_their_csrf_token_are_refused_and_change_nothing);

async fn five_failures_lock_an_email_with_the_same_message_whether_or_not_it_has_an_account(
    app: &TestApp,
) {
    accounts(app).await;
    let browser = Browser::new(app);
    for email in ["admin@example.org", "nobody@example.org"] {
        for attempt in 1..=5 {
            let page = browser.sign_in(email, "not the password at all").await;
            assert_eq!(page.status, 200);
            let expected = if attempt < 5 {
                "do not match an account"
            } else {
                "You have tried to sign in too many times"
            };
            assert!(page.body.contains(expected), "{email} attempt {attempt}");
        }
        let right = browser.sign_in(email, PASSWORD).await;
        assert_eq!(right.status, 200, "locked, even with the right password");
        assert!(
            right
                .body
                .contains("You have tried to sign in too many times")
        );
    }
    assert!(browser.session_cookie().is_none());
    let other = signed_in(app, "analyst@example.org").await;
    assert!(
        other.session_cookie().is_some(),
        "other accounts are not locked"
    );
    let log = app.store.audit_log(None, 100).await.unwrap();
    let lockouts = log.iter().filter(|e| e.action == "lockout").count();
    assert_eq!(lockouts, 2);
    assert!(log.iter().all(|e| !e.details.contains("not the password")));
}
on_both!(five_failures_lock_an_email_with_the_same_message_whether_or_not_it_has_an_account);

async fn changing_the_password_checks_the_policy_and_ends_other_sessions(app: &TestApp) {
    accounts(app).await;
    let here = signed_in(app, "analyst@example.org").await;
    let elsewhere = signed_in(app, "analyst@example.org").await;
    let weak = here
        .post_from(
            "/admin/password",
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("new", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, 200);
    assert!(weak.body.contains("Password is too common"));
    let wrong = here
        .post_from(
            "/admin/password",
            "/admin/password",
            &[
                ("current", "wrong password here"),
                ("new", "a new long passphrase"),
                ("confirm", "a new long passphrase"),
            ],
        )
        .await;
    assert!(wrong.body.contains("Your current password is not right"));
    let changed = here
        .post_from(
            "/admin/password",
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("new", "a new long passphrase"),
                ("confirm", "a new long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.h1(), "Your password has been changed");
    assert_eq!(here.get("/admin").await.status, 200, "this session goes on");
    assert_eq!(elsewhere.get("/admin").await.status, 303, "others end");
    assert_eq!(
        Browser::new(app)
            .sign_in("analyst@example.org", PASSWORD)
            .await
            .status,
        200
    );
    assert_eq!(
        Browser::new(app)
            .sign_in("analyst@example.org", "a new long passphrase")
            .await
            .status,
        303
    );
}
on_both!(changing_the_password_checks_the_policy_and_ends_other_sessions);

/// Who asks, in the columns of the table below.
const WHO: [&str; 7] = [
    "anonymous",
    "global@example.org",
    "admin@example.org",
    "analyst@example.org",
    "la01@example.org",
    "la02@example.org",
    "other@example.org",
];

async fn every_admin_route_answers_each_role_as_the_authorisation_table_says(app: &TestApp) {
    let other = accounts(app).await;
    let s = &app.study_id;
    // Path, then the status for each of WHO. 303 is "sign in first"; 404 is "outside
    // your scope", the same as "does not exist".
    let gets: Vec<(String, [u16; 7])> = vec![
        ("/admin".to_owned(), [303, 200, 200, 200, 200, 200, 200]),
        (
            format!("/admin/studies/{s}"),
            [303, 200, 200, 200, 200, 200, 404],
        ),
        (
            format!("/admin/studies/{other}"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            "/admin/studies/no-such-study".to_owned(),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01"),
            [303, 200, 200, 200, 200, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02"),
            [303, 200, 200, 200, 404, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA99"),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{other}/sites/LA02"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01/delete"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/delete"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        // Record-level downloads: the research roles only, and never an LA contact,
        // who gets the protected tables of their own site instead.
        (
            format!("/admin/studies/{s}/export?survey=pre&format=csv&purpose=Checking+the+records"),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        (
            format!(
                "/admin/studies/{s}/export?survey=pre&format=csv&site=LA02&purpose=Checking+the+records"
            ),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        // Without a reason the form is shown again.
        (
            format!("/admin/studies/{s}/export?survey=pre&format=csv"),
            [303, 400, 400, 400, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01/export?survey=post&format=codebook"),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        (
            format!(
                "/admin/studies/{other}/export?survey=pre&format=csv&purpose=Checking+the+records"
            ),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01/protected-tables.csv"),
            [303, 200, 200, 200, 200, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/protected-tables.csv"),
            [303, 200, 200, 200, 404, 200, 404],
        ),
        (
            "/admin/audit".to_owned(),
            [303, 200, 200, 404, 404, 404, 200],
        ),
        // Making and managing studies and sites: study admins.
        (
            "/admin/studies/new".to_owned(),
            [303, 200, 404, 404, 404, 404, 404],
        ),
        (
            "/admin/studies/new/files".to_owned(),
            [303, 200, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/settings"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        // What a study was made from holds no responses: everyone who sees the study.
        (
            format!("/admin/studies/{s}/content"),
            [303, 200, 200, 200, 200, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/content/analysis-plan"),
            [303, 200, 200, 200, 200, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/content/training-module"),
            [303, 200, 200, 200, 200, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/content/no-such-part"),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{other}/content"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            format!("/admin/studies/{other}/settings"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            format!("/admin/studies/{s}/sites/new"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01/edit"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/local-services"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/new-link"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/messages"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        // A site's messages and results: its LA contact, and everyone who sees all sites.
        (
            format!("/admin/studies/{s}/sites/LA01/messages"),
            [303, 200, 200, 200, 200, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/messages"),
            [303, 200, 200, 200, 404, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA01/dashboard"),
            [303, 200, 200, 200, 200, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/dashboard"),
            [303, 200, 200, 200, 404, 200, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/training-needs"),
            [303, 200, 200, 200, 404, 200, 404],
        ),
        (
            format!("/admin/studies/{other}/sites/LA02/dashboard"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        // The whole study's results: not for LA contacts.
        (
            format!("/admin/studies/{s}/training-needs"),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/report?format=html"),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/report?format=pdf"),
            [303, 200, 200, 200, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{other}/report"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            "/admin/password".to_owned(),
            [303, 200, 200, 200, 200, 200, 200],
        ),
    ];
    let posts: Vec<(String, [u16; 7])> = vec![
        // The headcount: study admins, and the site's own LA contact.
        (
            format!("/admin/studies/{s}/sites/LA01/headcount"),
            [303, 303, 303, 404, 303, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/headcount"),
            [303, 303, 303, 404, 404, 303, 404],
        ),
        (
            format!("/admin/studies/{other}/sites/LA02/headcount"),
            [303, 303, 404, 404, 404, 404, 303],
        ),
        // Forms that do not validate are shown again (200) to those who may send them.
        (
            "/admin/studies/new".to_owned(),
            [303, 200, 404, 404, 404, 404, 404],
        ),
        // The upload form must be multipart: an ordinary form is refused as malformed.
        (
            "/admin/studies/new/files".to_owned(),
            [303, 400, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/settings"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/new"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/edit"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/local-services/add"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/messages/reminder"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{other}/messages/reminder"),
            [303, 200, 404, 404, 404, 404, 200],
        ),
        (
            format!("/admin/studies/{s}/messages/no-such-kind"),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/admin/studies/{s}/sites/LA02/messages/reminder/send"),
            [303, 200, 200, 404, 404, 404, 404],
        ),
    ];
    for (column, who) in WHO.iter().enumerate() {
        let browser = if *who == "anonymous" {
            Browser::new(app)
        } else {
            signed_in(app, who).await
        };
        for (path, expected) in &gets {
            let page = browser.get(path).await;
            assert_eq!(page.status, expected[column], "GET {path} as {who}");
        }
        for (path, expected) in &posts {
            let page = if *who == "anonymous" {
                browser.post(path, &[("headcount", "12")]).await
            } else {
                browser
                    .post_from("/admin", path, &[("headcount", "12")])
                    .await
            };
            assert_eq!(page.status, expected[column], "POST {path} as {who}");
        }
        // Deleting data: only study admins of the study; tried last, on the other study.
        let delete = format!("/admin/studies/{other}/sites/LA02/delete");
        let page = if *who == "anonymous" {
            browser.post(&delete, &[]).await
        } else {
            browser.post_from("/admin", &delete, &[]).await
        };
        let expected = if ["global@example.org", "other@example.org"].contains(who) {
            200
        } else if *who == "anonymous" {
            303
        } else {
            404
        };
        assert_eq!(page.status, expected, "POST {delete} as {who}");
    }
}
on_both!(every_admin_route_answers_each_role_as_the_authorisation_table_says);

async fn an_la_contact_sees_only_their_own_site_whatever_the_url_or_parameters(app: &TestApp) {
    accounts(app).await;
    app.consent().await;
    let browser = signed_in(app, "la01@example.org").await;
    let s = &app.study_id;
    for path in [
        format!("/admin/studies/{s}"),
        format!("/admin/studies/{s}?site=LA02"),
        format!("/admin/studies/{s}?site_id=LA02&code=LA02"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("LA01"), "{path}");
        assert!(!page.body.contains("LA02"), "{path}: another site's row");
        assert!(!page.body.contains(">Total<"), "{path}: no all-site totals");
    }
    for path in [
        format!("/admin/studies/{s}/sites/LA02"),
        format!("/admin/studies/{s}/sites/la02"),
        format!("/admin/studies/{s}/sites/LA02?site=LA01"),
        format!("/admin/studies/{s}/sites/LA01/../LA02"),
        format!("/admin/studies/{s}/sites/LA02/delete"),
        format!("/admin/studies/{s}/export?site=LA02"),
        format!("/admin/studies/{s}/sites/LA02/export"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("Local authority 02"), "{path}");
    }
    let studies = browser.get("/admin").await;
    assert!(!studies.body.contains("Audit log"));
}
on_both!(an_la_contact_sees_only_their_own_site_whatever_the_url_or_parameters);

/// A cell of the monitoring page: the text of the `n`th numeric cell after the row
/// header `code` in the table captioned `caption`.
fn cells(page: &Page, caption: &str, code: &str) -> Vec<String> {
    let table = &page.body[page.body.find(caption).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let row = table
        .split("<tr")
        .find(|row| row.contains(&format!(">{code}<")))
        .unwrap_or_else(|| panic!("a row for {code}"));
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let open = cell.find('>').unwrap() + 1;
            cell[open..cell.find("</td>").unwrap()].trim().to_owned()
        })
        .collect()
}

async fn monitoring_counts_the_funnel_by_site_and_warns_about_small_numbers(app: &TestApp) {
    accounts(app).await;
    // Two respondents at LA01: one through pre-training and training, one consented only.
    app.consent().await;
    app.finish_pre().await;
    app.finish_training().await;
    app.forget_cookie();
    app.consent().await;
    let browser = signed_in(app, "admin@example.org").await;
    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let saved = browser
        .post_from(&site, &format!("{site}/headcount"), &[("headcount", "20")])
        .await;
    assert_eq!(saved.status, 303);
    let bad = browser
        .post_from(
            &site,
            &format!("{site}/headcount"),
            &[("headcount", "twenty")],
        )
        .await;
    assert_eq!(bad.status, 200);
    assert!(bad.title().starts_with("Error: "));
    assert!(bad.body.contains("Headcount must be a whole number"));
    let page = browser
        .get(&format!("/admin/studies/{}", app.study_id))
        .await;
    assert_eq!(page.status, 200);
    // Table 3: main survey number and %, post-training number and %.
    assert_eq!(
        cells(&page, "Responses by site", "LA01"),
        ["", "1", "100.0", "0", "0.0"]
    );
    assert_eq!(
        cells(&page, "Responses by site", "LA02"),
        ["South", "0", "0.0", "0", "0.0"]
    );
    // The funnel: started, consented, pre complete, training complete, post complete,
    // certificates, headcount, response rate.
    assert_eq!(
        cells(&page, "Progress through the study", "LA01"),
        ["2", "2", "1", "1", "0", "0", "20", "5.0%"]
    );
    assert_eq!(
        cells(&page, "Progress through the study", "LA02"),
        ["0", "0", "0", "0", "0", "0", "Not known", "Not known"]
    );
    assert!(page.body.contains("Too few to report"));
    assert!(page.body.contains("govuk-warning-text"));
}
on_both!(monitoring_counts_the_funnel_by_site_and_warns_about_small_numbers);

async fn the_audit_log_records_admin_actions_without_answers_or_passwords(app: &TestApp) {
    accounts(app).await;
    app.consent().await;
    app.finish_pre().await;
    Browser::new(app)
        .sign_in("admin@example.org", "a wrong password 1")
        .await;
    let browser = signed_in(app, "admin@example.org").await;
    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    browser
        .post_from(&site, &format!("{site}/headcount"), &[("headcount", "31")])
        .await;
    let page = browser.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    for action in [
        "account-created",
        "sign-in-failed",
        "sign-in",
        "headcount-changed",
    ] {
        assert!(page.body.contains(&format!(">{action}<")), "{action}");
    }
    assert!(page.body.contains("LA01: headcount set to 31"));
    assert!(!page.body.contains("a wrong password 1"));
    assert!(!page.body.contains(PASSWORD));
    let answers = app.store.study_answers(&app.study_id).await.unwrap();
    let log = app.store.audit_log(None, 1000).await.unwrap();
    for entry in &log {
        assert!(!entry.details.contains("argon2"));
        for answer in answers.iter().filter(|a| a.value.len() > 3) {
            assert!(
                !entry.details.contains(&answer.value),
                "an answer in the log"
            );
        }
    }
    // A study admin of another study sees none of this study's entries.
    let other = signed_in(app, "other@example.org").await;
    let theirs = other.get("/admin/audit").await;
    assert!(!theirs.body.contains("headcount set to 31"));
}
on_both!(the_audit_log_records_admin_actions_without_answers_or_passwords);

async fn deleting_a_sites_data_asks_first_and_leaves_only_a_tombstone(app: &TestApp) {
    accounts(app).await;
    app.consent().await;
    app.finish_pre().await;
    let browser = signed_in(app, "admin@example.org").await;
    let site = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let confirm = browser.get(&format!("{site}/delete")).await;
    assert_eq!(confirm.status, 200);
    assert_eq!(
        confirm.h1(),
        "Are you sure you want to delete this site's responses?"
    );
    assert!(confirm.body.contains("govuk-warning-text"));
    assert!(confirm.body.contains("the responses of 1 person"));
    assert_eq!(
        app.store.study_progress(&app.study_id).await.unwrap().len(),
        1
    );
    let done = browser
        .post_from(&format!("{site}/delete"), &format!("{site}/delete"), &[])
        .await;
    assert_eq!(done.status, 200);
    assert!(
        done.body
            .contains("Deleted the responses of 1 person from LA01")
    );
    assert!(
        !done.body.contains("could not be cleaned"),
        "the database files were scrubbed"
    );
    assert!(
        app.store
            .study_progress(&app.study_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .study_answers(&app.study_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .study_responses(&app.study_id)
            .await
            .unwrap()
            .is_empty()
    );
    let tombstones = app.store.deletions(&app.study_id).await.unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        tombstones[0].reason,
        skafada_store::DeletionReason::SiteDeletion
    );
    assert_eq!(tombstones[0].respondents, 1);
    let log = app.store.audit_log(Some(&app.study_id), 100).await.unwrap();
    assert!(log.iter().any(
        |e| e.action == "site-data-deleted" && e.email.as_deref() == Some("admin@example.org")
    ));
    // The site and its link still work.
    app.forget_cookie();
    app.consent().await;
    assert_eq!(
        app.store.study_progress(&app.study_id).await.unwrap().len(),
        1
    );
}
on_both!(deleting_a_sites_data_asks_first_and_leaves_only_a_tombstone);

async fn the_retention_run_deletes_responses_of_studies_past_their_date_only(app: &TestApp) {
    app.consent().await;
    let made = app
        .post(
            "/link-code",
            &[
                ("mother-name", "Ann"),
                ("birth-month", "5"),
                ("birth-town", "Leeds"),
                ("house-number", "12"),
            ],
        )
        .await;
    assert_eq!(made.location(), "/continue");
    let respondent = app.store.study_responses(&app.study_id).await.unwrap()[0]
        .respondent_id
        .clone();
    assert!(
        app.store
            .link_code(&respondent, skafada_store::Phase::Pre)
            .await
            .unwrap()
            .is_some()
    );
    app.finish_pre().await;
    app.finish_training().await;
    // The study's date is 2099-12-31: nothing happens before it.
    assert!(
        app.store
            .run_retention("2099-12-30".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store.study_progress(&app.study_id).await.unwrap().len(),
        1
    );
    let expired = app
        .store
        .create_study(&study("2020-01-01", "2099-12-31"))
        .await
        .unwrap();
    let done = app
        .store
        .run_retention("2099-12-31".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(done.len(), 1, "only the study with data is recorded");
    assert_eq!(done[0].study_id, app.study_id);
    assert_eq!(done[0].respondents, 1);
    assert!(done[0].answers > 0);
    assert_eq!(
        done[0].scrub,
        skafada_store::Scrub::Done,
        "the files are scrubbed (SQLite) or the tables vacuumed (PostgreSQL)"
    );
    assert!(
        app.store
            .study_progress(&app.study_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .study_answers(&app.study_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store
            .link_code(&respondent, skafada_store::Phase::Pre)
            .await
            .unwrap(),
        None,
        "the linking code goes with the response"
    );
    assert!(
        app.store.study(&app.study_id).await.unwrap().is_some(),
        "the study stays"
    );
    assert!(app.store.deletions(&expired).await.unwrap().is_empty());
    let log = app.store.audit_log(Some(&app.study_id), 10).await.unwrap();
    assert_eq!(log[0].action, "retention-run");
    assert_eq!(log[0].email, None);
    // Running again (daily, or from another process) deletes and records nothing more.
    assert!(
        app.store
            .run_retention("2100-01-01".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.store.deletions(&app.study_id).await.unwrap().len(), 1);
}
on_both!(the_retention_run_deletes_responses_of_studies_past_their_date_only);
