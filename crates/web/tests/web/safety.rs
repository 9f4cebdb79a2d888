//! Safety and bad input: headers, exit this page, leaving, malformed posts.

use std::time::{Duration, Instant};

use skafada_web::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Db, TestApp, serve_with, spawn_app};
use crate::on_both;

async fn every_page_has_strict_security_headers_and_is_not_cached(app: &TestApp) {
    let page = app.get(&format!("/s/{}", app.token)).await;
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'"));
    assert!(csp.contains("script-src 'self'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(
        page.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert_eq!(page.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    assert!(!page.body.contains("<script>"), "no inline script");
    assert!(!page.body.contains("style=\""), "no inline style");
    assert!(
        !page.body.contains("src=\"http"),
        "nothing from other hosts"
    );
}
on_both!(every_page_has_strict_security_headers_and_is_not_cached);

async fn every_response_denies_unused_browser_features_and_is_https_only_behind_an_https_url(
    app: &TestApp,
) {
    let https = serve_with(app.store.clone(), Config::new("https://survey.example.org")).await;
    let paths = [
        format!("/s/{}", app.token),
        "/admin/sign-in".to_owned(),
        "/assets/app/init.js".to_owned(),
        "/no-such-page".to_owned(),
    ];
    for path in &paths {
        for (address, is_https) in [
            (app.address.clone(), false),
            (format!("http://{https}"), true),
        ] {
            let page = app.get_on(&address, path).await;
            assert!([200, 404].contains(&page.status), "{path}: {}", page.status);
            let policy = page
                .headers
                .get("permissions-policy")
                .unwrap()
                .to_str()
                .unwrap();
            for denied in [
                "camera=()",
                "microphone=()",
                "geolocation=()",
                "payment=()",
                "usb=()",
                "interest-cohort=()",
            ] {
                assert!(
                    policy.split(", ").any(|d| d == denied),
                    "{denied}: {policy}"
                );
            }
            // Structured-field syntax: `feature=()` or `feature=(self)`, comma-separated.
            for directive in policy.split(", ") {
                let (name, allow) = directive.split_once('=').unwrap();
                assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
                assert!(["()", "(self)"].contains(&allow), "{directive}");
            }
            let hsts = page.headers.get("strict-transport-security");
            if is_https {
                assert_eq!(
                    hsts.unwrap(),
                    "max-age=31536000; includeSubDomains",
                    "{path}"
                );
            } else {
                assert!(hsts.is_none(), "no HSTS for an http public URL: {path}");
            }
        }
    }
}
on_both!(every_response_denies_unused_browser_features_and_is_https_only_behind_an_https_url);

/// Opens a connection, sends `sent`, and returns how long the server took to close it
/// (`None`: still open after five seconds).
async fn closed_after(address: &str, sent: &[u8]) -> Option<Duration> {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let start = Instant::now();
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        // Whatever the server says before it closes (a 408, say) is read and ignored.
        while let Ok(read) = stream.read(&mut buffer).await {
            if read == 0 {
                break;
            }
        }
    })
    .await;
    closed.ok().map(|()| start.elapsed())
}

#[tokio::test]
async fn half_open_idle_and_slow_body_connections_are_closed_after_their_timeouts() {
    let app = spawn_app(Db::Sqlite).await.unwrap();
    let mut config = Config::new(&app.address);
    config.header_read_timeout = Duration::from_millis(500);
    config.body_read_timeout = Duration::from_millis(500);
    let address = serve_with(app.store.clone(), config).await;
    let half = b"GET /accessibility HTTP/1.1\r\nHost: localhost\r\nAccept: text/ht";
    for (what, sent) in [("half a header", &half[..]), ("nothing", &b""[..])] {
        let after = closed_after(&address, sent)
            .await
            .unwrap_or_else(|| panic!("{what}: the connection was still open after 5 s"));
        assert!(after >= Duration::from_millis(400), "{what}: {after:?}");
    }
    // A whole request on the same server is answered, and its kept-alive connection
    // is closed once it has been idle for the timeout.
    let whole = b"GET /accessibility HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(whole).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("closed when idle");
    read.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
    // A form whose body stops short: refused once the body's time is up, and closed.
    let slow = b"POST /admin/sign-in HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=";
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(slow).await.unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("closed after the body's time");
    read.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(400));
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("There is a problem with the form you sent"));
    app.cleanup().await;
}

async fn journey_cookie_is_short_lived_http_only_and_holds_no_answers(app: &TestApp) {
    let started = app.post(&format!("/s/{}", app.token), &[]).await;
    let cookie = started.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Max-Age"), "a browser-session cookie");
    assert!(!cookie.contains("Expires"));
}
on_both!(journey_cookie_is_short_lived_http_only_and_holds_no_answers);

async fn exit_route_ends_the_session_and_leaves_for_a_neutral_site(app: &TestApp) {
    app.consent().await;
    let token = app.cookie.lock().unwrap().clone().unwrap();
    let exit = app.get("/exit").await;
    assert_eq!(exit.status, 303);
    assert_eq!(exit.location(), "https://www.bbc.co.uk/weather");
    assert!(
        exit.headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    *app.cookie.lock().unwrap() = Some(token);
    let after = app.get("/continue").await;
    assert_eq!(after.status, 403, "the session is gone on the server too");
    assert_eq!(after.h1(), "Your session has ended");
}
on_both!(exit_route_ends_the_session_and_leaves_for_a_neutral_site);

async fn leave_and_clear_ends_the_session(app: &TestApp) {
    app.consent().await;
    let token = app.cookie.lock().unwrap().clone().unwrap();
    let left = app.post("/leave", &[]).await;
    assert_eq!(left.status, 200);
    assert!(left.body.contains("this device is cleared"));
    *app.cookie.lock().unwrap() = Some(token);
    assert_eq!(app.get("/survey/pre/page/about-you").await.status, 403);
}
on_both!(leave_and_clear_ends_the_session);

async fn malformed_oversized_and_sessionless_posts_get_clear_pages_never_a_500(app: &TestApp) {
    let no_session = app.post("/survey/pre/page/about-you", &[]).await;
    assert_eq!(no_session.status, 403);
    app.consent().await;
    let bad_utf8 = app
        .post_raw("/survey/pre/page/about-you", vec![b'a', b'=', 0xff, 0xfe])
        .await;
    assert_eq!(bad_utf8.status, 400);
    assert!(
        bad_utf8
            .body
            .contains("There is a problem with the form you sent")
    );
    let huge = app
        .post_raw(
            "/survey/pre/page/about-you",
            format!("x={}", "a".repeat(200_000)).into_bytes(),
        )
        .await;
    assert_eq!(huge.status, 413);
    assert!(
        huge.body
            .contains("There is a problem with the form you sent")
    );
    let tampered = app
        .post("/survey/pre/page/about-you", &[("gender", "999")])
        .await;
    assert!(
        tampered.status == 200 || tampered.status == 303,
        "{}",
        tampered.status
    );
    assert_ne!(tampered.status, 500);
}
on_both!(malformed_oversized_and_sessionless_posts_get_clear_pages_never_a_500);

async fn answers_are_marked_autocomplete_off(app: &TestApp) {
    app.consent().await;
    let page = app.get("/survey/pre/page/about-you").await;
    assert!(page.body.contains("autocomplete=\"off\""));
    assert!(page.body.contains("/leave"), "leave and clear this device");
    assert!(page.body.contains("Save and come back later"));
}
on_both!(answers_are_marked_autocomplete_off);

async fn assets_are_served_from_the_binary(app: &TestApp) {
    let css = app.get("/assets/govuk-frontend.min.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(
        css.headers.get("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    let init = app.get("/assets/app/init.js").await;
    assert!(init.body.contains("initAll"));
    assert_eq!(
        app.get("/assets/fonts/light-94a07e06a1-v2.woff2")
            .await
            .status,
        200
    );
    assert_eq!(app.get("/assets/nope.css").await.status, 404);
}
on_both!(assets_are_served_from_the_binary);

async fn save_and_come_back_later_is_offered_only_once_there_is_something_to_save(app: &TestApp) {
    let start = app.get(&format!("/s/{}", app.token)).await;
    assert!(
        !start.body.contains("Save and come back later"),
        "the start page"
    );
    app.post(&format!("/s/{}", app.token), &[]).await;
    let consent = app.get("/consent").await;
    assert_eq!(consent.status, 200);
    assert!(
        !consent.body.contains("Save and come back later"),
        "before consent"
    );
    assert!(consent.body.contains("/leave"), "leaving is always offered");
    // After consent it is offered on every page (`answers_are_marked_autocomplete_off`).
}
on_both!(save_and_come_back_later_is_offered_only_once_there_is_something_to_save);

async fn the_time_limit_is_stated_and_the_warning_can_keep_the_session(app: &TestApp) {
    let before = app.get("/session/keep").await;
    assert_eq!(before.status, 403, "no session to keep");
    app.consent().await;
    let page = app.get("/survey/pre/page/about-you").await;
    assert!(
        page.body
            .contains("If you do nothing for 3 hours, you will need your resume code to carry on."),
        "the time limit in words"
    );
    assert!(page.body.contains("data-idle-seconds=\"10800\""));
    let kept = app.get("/session/keep").await;
    assert_eq!(kept.status, 204);
}
on_both!(the_time_limit_is_stated_and_the_warning_can_keep_the_session);

/// A page posted just after the session ended (two seconds without activity here) is
/// saved, the session is then gone, and the respondent carries on with the resume code.
#[tokio::test]
async fn a_page_posted_just_after_the_session_ended_is_saved_not_lost() {
    let Some(app) = crate::helpers::spawn_app_configured(
        crate::helpers::Db::Sqlite,
        crate::helpers::fixture_module(),
        |config| config.session_lifetime = std::time::Duration::from_secs(2),
    )
    .await
    else {
        return;
    };
    let code = app.consent().await;
    app.post("/survey/pre/page/about-you", &[]).await;
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(
        app.get("/survey/pre/page/your-work").await.status,
        403,
        "ended"
    );
    let posted = app
        .post(
            "/survey/pre/page/your-work",
            &[("start-year", "2011"), ("works-for-la", "1")],
        )
        .await;
    assert_eq!(posted.location(), "/session-ended");
    let told = app.get("/session-ended").await;
    assert!(told.body.contains("We saved the page you just sent"));
    let saved: Vec<(String, String)> = app
        .store
        .study_answers(&app.study_id)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.variable, row.value))
        .collect();
    assert!(
        saved.contains(&("start-year".to_owned(), "2011".to_owned())),
        "{saved:?}"
    );
    // Once saved, the ended session takes nothing more.
    let again = app
        .post("/survey/pre/page/your-work", &[("start-year", "2012")])
        .await;
    assert_eq!(again.status, 403);
    // The resume code carries on where the saved page left off.
    let resumed = app.post("/resume", &[("code", code.as_str())]).await;
    assert_eq!(resumed.status, 303, "{}", resumed.body);
    app.cleanup().await;
}
