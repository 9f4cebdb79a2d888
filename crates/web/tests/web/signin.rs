//! Sign-in under parallel guessing: attempts are counted before any password is
//! verified, pauses double and end, the password-change form shares the count, and
//! sessions rotate. Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use skafada_store::{PasswordChange, SignIn, SignInRules};

use crate::admin::{Browser, PASSWORD, accounts, signed_in};
use crate::helpers::TestApp;
use crate::on_both;

/// Fires one sign-in attempt per password, all at once, and returns their outcomes in
/// the order of the passwords.
async fn burst(app: &TestApp, email: &str, passwords: Vec<String>) -> Vec<SignIn> {
    let rules = SignInRules::default();
    let tasks: Vec<_> = passwords
        .into_iter()
        .map(|password| {
            let store = app.store.clone();
            let email = email.to_owned();
            tokio::spawn(async move {
                store
                    .sign_in(&email, &password, &rules, None)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

/// Attempts that reached password verification (every outcome but `Throttled`).
fn verified(outcomes: &[SignIn]) -> usize {
    outcomes
        .iter()
        .filter(|o| !matches!(o, SignIn::Throttled { .. }))
        .count()
}

/// Audit entries of this action for this account's email.
async fn audited(app: &TestApp, email: &str, action: &str) -> usize {
    let log = app.store.audit_log(None, 10_000).await.unwrap();
    log.iter()
        .filter(|e| e.action == action && e.email.as_deref() == Some(email))
        .count()
}

fn wrong(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("wrong guess number {i}")).collect()
}

async fn a_hundred_parallel_attempts_verify_at_most_five_passwords_and_the_right_one_after_them_is_refused(
    app: &TestApp,
) {
    accounts(app).await;
    // The right password in the middle of a burst on a fresh account: at most five
    // attempts reach verification, whichever they are.
    let mut passwords = wrong(100);
    passwords[50] = PASSWORD.to_owned();
    let outcomes = burst(app, "admin@example.org", passwords).await;
    let signed_in = outcomes
        .iter()
        .filter(|o| matches!(o, SignIn::SignedIn { .. }))
        .count();
    let failed = audited(app, "admin@example.org", "sign-in-failed").await;
    assert!(verified(&outcomes) <= 5, "{} verified", verified(&outcomes));
    assert!(signed_in <= 1);
    assert_eq!(
        failed + signed_in,
        verified(&outcomes),
        "each verification audited"
    );
    if signed_in == 1 {
        assert!(matches!(outcomes[50], SignIn::SignedIn { .. }));
    }

    // A burst of wrong guesses takes exactly the five attempts; a second burst with the
    // right password inside it verifies nothing and does not sign in.
    let email = "analyst@example.org";
    let first = burst(app, email, wrong(100)).await;
    assert_eq!(verified(&first), 5);
    assert_eq!(audited(app, email, "sign-in-failed").await, 5);
    let mut passwords = wrong(100);
    passwords[50] = PASSWORD.to_owned();
    let second = burst(app, email, passwords).await;
    assert_eq!(verified(&second), 0);
    assert!(second.iter().all(|o| matches!(
        o,
        SignIn::Throttled { retry_after } if (1..=60).contains(retry_after)
    )));
    assert_eq!(audited(app, email, "sign-in-failed").await, 5);
    assert_eq!(audited(app, email, "sign-in").await, 0);
}
on_both!(
    a_hundred_parallel_attempts_verify_at_most_five_passwords_and_the_right_one_after_them_is_refused
);

async fn the_pause_doubles_with_each_failure_ends_on_time_and_a_success_clears_the_count(
    app: &TestApp,
) {
    accounts(app).await;
    let rules = SignInRules {
        max_failures: 3,
        first_delay: 2,
        max_delay: 4,
        ..SignInRules::default()
    };
    for email in ["admin@example.org", "nobody@example.org"] {
        let attempt = |password: &'static str| {
            let store = app.store.clone();
            async move { store.sign_in(email, password, &rules, None).await.unwrap() }
        };
        let wrong = "not the password at all";
        assert_eq!(attempt(wrong).await, SignIn::Failed { pause: None });
        assert_eq!(attempt(wrong).await, SignIn::Failed { pause: None });
        assert_eq!(attempt(wrong).await, SignIn::Failed { pause: Some(2) });
        assert!(matches!(
            attempt(PASSWORD).await,
            SignIn::Throttled { retry_after: 1..=2 }
        ));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(attempt(wrong).await, SignIn::Failed { pause: Some(4) });
        assert!(matches!(
            attempt(PASSWORD).await,
            SignIn::Throttled { retry_after: 2..=4 }
        ));
        tokio::time::sleep(Duration::from_millis(4100)).await;
        let after = attempt(PASSWORD).await;
        if email == "nobody@example.org" {
            assert_eq!(after, SignIn::Failed { pause: Some(4) }, "capped");
            continue;
        }
        assert!(matches!(after, SignIn::SignedIn { .. }), "{after:?}");
        assert_eq!(
            attempt(wrong).await,
            SignIn::Failed { pause: None },
            "cleared"
        );
    }
    let log = app.store.audit_log(None, 1000).await.unwrap();
    assert!(log.iter().all(|e| !e.details.contains("not the password")));
    assert!(log.iter().all(|e| !e.details.contains("nobody@")));
}
on_both!(the_pause_doubles_with_each_failure_ends_on_time_and_a_success_clears_the_count);

/// Posts the password-change form with this current password.
async fn change(browser: &Browser<'_>, current: &str) -> crate::helpers::Page {
    browser
        .post_from(
            "/admin/password",
            "/admin/password",
            &[
                ("current", current),
                ("new", "a new long passphrase"),
                ("confirm", "a new long passphrase"),
            ],
        )
        .await
}

async fn wrong_current_passwords_count_with_failed_sign_ins_and_share_their_pause(app: &TestApp) {
    accounts(app).await;
    let email = "analyst@example.org";
    let here = signed_in(app, email).await;
    for _ in 0..2 {
        let page = Browser::new(app).sign_in(email, "not the password").await;
        assert!(page.body.contains("do not match an account"));
    }
    for _ in 0..2 {
        let page = change(&here, "wrong password here").await;
        assert!(page.body.contains("Your current password is not right"));
    }
    let fifth = change(&here, "wrong password here").await;
    assert_eq!(fifth.status, 200);
    assert!(fifth.title().starts_with("Error: "));
    assert!(
        fifth
            .body
            .contains("You have entered a wrong password too many times. Wait 1 minute"),
        "{}",
        fifth.body
    );
    // The pause holds at sign-in and in the form, even for the right password.
    let right = Browser::new(app).sign_in(email, PASSWORD).await;
    assert_eq!(right.status, 200);
    assert!(
        right
            .body
            .contains("You have tried to sign in too many times")
    );
    let again = change(&here, PASSWORD).await;
    assert!(again.body.contains("too many times"));
    assert_eq!(audited(app, email, "password-change-failed").await, 3);
    assert_eq!(audited(app, email, "password-changed").await, 0);
    let log = app.store.audit_log(None, 1000).await.unwrap();
    assert!(
        log.iter()
            .all(|e| !e.details.contains("wrong password here"))
    );
}
on_both!(wrong_current_passwords_count_with_failed_sign_ins_and_share_their_pause);

async fn signing_in_always_starts_a_new_session_and_a_password_change_ends_the_others(
    app: &TestApp,
) {
    accounts(app).await;
    let rules = SignInRules::default();
    let email = "analyst@example.org";
    let here = signed_in(app, email).await;
    let before = here.session_cookie().unwrap();
    let again = here.sign_in(email, PASSWORD).await;
    assert_eq!(again.status, 303);
    let after = here.session_cookie().unwrap();
    assert_ne!(before, after, "a new token at every sign-in");
    assert!(
        app.store
            .admin_session(&before, &rules)
            .await
            .unwrap()
            .is_none()
    );
    let session = app
        .store
        .admin_session(&after, &rules)
        .await
        .unwrap()
        .unwrap();

    let elsewhere = signed_in(app, email).await;
    let other = elsewhere.session_cookie().unwrap();
    let new = skafada_store::NewPassword::parse("a new long passphrase").unwrap();
    let changed = app
        .store
        .change_password(&session, PASSWORD, &new, &rules)
        .await
        .unwrap();
    assert_eq!(changed, PasswordChange::Changed);
    assert!(
        app.store
            .admin_session(&other, &rules)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store
            .admin_session(&after, &rules)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        elsewhere.get("/admin").await.status,
        303,
        "signed out elsewhere"
    );
    assert_eq!(here.get("/admin").await.status, 200, "this session goes on");
}
on_both!(signing_in_always_starts_a_new_session_and_a_password_change_ends_the_others);

async fn a_count_left_alone_for_the_forget_period_starts_again_from_nothing(app: &TestApp) {
    let rules = SignInRules {
        max_failures: 2,
        first_delay: 1,
        max_delay: 1,
        forget_after: 2,
        ..SignInRules::default()
    };
    let attempt = || async {
        app.store
            .sign_in("nobody@example.org", "a guess", &rules, None)
            .await
            .unwrap()
    };
    assert_eq!(attempt().await, SignIn::Failed { pause: None });
    assert_eq!(attempt().await, SignIn::Failed { pause: Some(1) });
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Remembered, this would be the third attempt in a row, with a pause.
    assert_eq!(attempt().await, SignIn::Failed { pause: None }, "forgotten");
    assert_eq!(attempt().await, SignIn::Failed { pause: Some(1) });
}
on_both!(a_count_left_alone_for_the_forget_period_starts_again_from_nothing);
