//! Group mode: the facilitator's pages and a participant's group session code.

use crate::helpers::{Page, TestApp};
use crate::on_both;

fn group_code(page: &Page) -> String {
    let start = page.body.find("id=\"group-code\">").expect("a group code") + 16;
    let end = page.body[start..].find('<').unwrap() + start;
    page.body[start..end].to_owned()
}

async fn facilitator_pages_show_each_section_for_discussion_and_record_nothing(app: &TestApp) {
    let start_page = app.get(&format!("/s/{}", app.token)).await;
    assert!(
        start_page
            .body
            .contains(&format!("href=\"/group/{}\"", app.token))
    );
    let start = app.get(&format!("/group/{}", app.token)).await;
    assert_eq!(start.status, 200);
    assert_eq!(start.h1(), "Run a group session");
    assert!(
        start
            .body
            .contains(&format!("href=\"/group/{}/section/first\"", app.token))
    );
    assert!(start.body.contains("The second section"));
    let first = app
        .get(&format!("/group/{}/section/first", app.token))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.h1(), "The first section");
    assert!(first.body.contains("section 1 of 2"));
    assert!(first.body.contains("Discuss: Is this the first section?"));
    assert!(first.body.contains("Show the answer"));
    assert!(first.body.contains("<strong>The answer:</strong> Yes."));
    assert!(first.body.contains("It is the first of two."));
    assert!(first.body.contains("Next section: The second section"));
    let second = app
        .get(&format!("/group/{}/section/second", app.token))
        .await;
    assert!(
        second
            .body
            .contains(&format!("href=\"/group/{}/end\"", app.token))
    );
    assert!(second.body.contains("Finish the session"));
    let end = app.get(&format!("/group/{}/end", app.token)).await;
    assert_eq!(end.status, 200);
    let code = group_code(&end);
    assert_eq!(code.len(), 9, "{code}");
    for page in [&start, &first, &second, &end] {
        assert!(!page.body.contains("<form"), "no form asks anything");
        assert!(!page.body.contains("<textarea"));
        assert!(page.body.contains("Test local helpline"), "local support");
        assert!(page.headers.get("set-cookie").is_none(), "no session");
    }
    assert!(app.cookie.lock().unwrap().is_none());
    assert_eq!(
        app.get(&format!("/group/{}/section/nope", app.token))
            .await
            .status,
        404
    );
    assert_eq!(app.get("/group/not-a-site").await.status, 404);
    assert_eq!(
        app.get(&format!("/group/{}", app.closed_token)).await.h1(),
        app.get(&format!("/s/{}", app.closed_token)).await.h1(),
        "a closed study's group pages are closed too"
    );
}
on_both!(facilitator_pages_show_each_section_for_discussion_and_record_nothing);

async fn group_session_code_completes_the_training_and_answers_completed_in_group(app: &TestApp) {
    let code = group_code(&app.get(&format!("/group/{}/end", app.token)).await);
    app.consent().await;
    let early = app.get("/group/join").await;
    assert_eq!(early.status, 303, "the pre-training survey comes first");
    app.finish_pre().await;
    assert!(
        app.get("/training")
            .await
            .body
            .contains("href=\"/group/join\"")
    );
    let form = app.get("/group/join").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Enter your group session code"));
    let empty = app.post("/group/join", &[("code", " ")]).await;
    assert!(empty.title().starts_with("Error: "));
    assert!(
        empty
            .body
            .contains("href=\"#code\">Enter your group session code")
    );
    let wrong = app.post("/group/join", &[("code", "AAAA-AAAA")]).await;
    assert!(wrong.title().starts_with("Error: "));
    assert!(wrong.body.contains("has that code"));
    assert!(wrong.body.contains("value=\"AAAA-AAAA\""));
    assert!(app.current().await == "/training", "nothing recorded");
    let typed = code.to_lowercase().replace('-', " ");
    let joined = app.post("/group/join", &[("code", &typed)]).await;
    assert_eq!(joined.location(), "/continue");
    let post = app.current().await;
    assert!(post.starts_with("/survey/post/page/"), "{post}");
    let section = app.get("/training/first").await;
    assert!(
        section
            .body
            .contains("You discussed this question in a group session.")
    );
    assert!(!section.body.contains("Not quite."));
    // Walk the post-training survey as a browser would: posting what each page shows.
    let mut seen = false;
    for _ in 0..60 {
        let path = app.current().await;
        if path.ends_with("/check-answers") {
            break;
        }
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        let mut form = Vec::new();
        if page.body.contains("name=\"completed-in-group\"") {
            seen = true;
            assert!(
                page.body
                    .contains("name=\"completed-in-group\" type=\"radio\" value=\"1\" checked"),
                "pre-filled with Yes, all of it"
            );
            form.push(("completed-in-group", "1"));
        }
        assert_eq!(app.post(&path, &form).await.status, 303, "{path}");
    }
    assert!(
        seen,
        "the survey asks whether the training was done in a group"
    );
    let check = app.get("/survey/post/check-answers").await;
    assert!(check.body.contains("Yes, all of it"));
    app.post("/survey/post/check-answers", &[]).await;
    assert_eq!(app.get("/certificate").await.status, 200);
}
on_both!(group_session_code_completes_the_training_and_answers_completed_in_group);

async fn a_group_code_does_not_overwrite_answers_already_given(app: &TestApp) {
    let code = group_code(&app.get(&format!("/group/{}/end", app.token)).await);
    app.consent().await;
    app.finish_pre().await;
    app.post("/training/first/check/0", &[("answer", "1")])
        .await;
    app.post("/group/join", &[("code", &code)]).await;
    let section = app.get("/training/first").await;
    assert!(
        section.body.contains("Not quite."),
        "their own answer stays"
    );
}
on_both!(a_group_code_does_not_overwrite_answers_already_given);
