//! Admin accounts: creating them, signing in and out, sessions, throttling and changing
//! a password, each with its audit entry.

use skafada_store::{
    Account, NewAccount, NewPassword, PasswordChange, Role, SignIn, SignInRules, SiteId, Store,
    StudyId,
};

use crate::{on_both, study_with_site};

pub(crate) const PASSWORD: &str = "a long and unusual passphrase 7";

/// Creates an account with [`PASSWORD`].
pub(crate) async fn account(
    store: &Store,
    email: &str,
    role: Role,
    study_id: Option<&str>,
    site_id: Option<&str>,
) -> Account {
    store
        .create_account(
            &NewAccount {
                email: email.to_owned(),
                password: NewPassword::parse(PASSWORD).unwrap(),
                role,
                study_id: study_id.map(StudyId::new),
                site_id: site_id.map(SiteId::new),
            },
            None,
        )
        .await
        .unwrap()
        .expect("a new email")
}

fn actions(entries: &[skafada_store::AuditEntry]) -> Vec<&str> {
    let mut actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    actions
}

async fn an_account_is_found_by_its_email_in_any_case_and_is_made_once(store: Store) {
    let (study_id, _) = study_with_site(&store).await;
    let made = account(
        &store,
        "Admin@Example.org",
        Role::StudyAdmin,
        Some(&study_id),
        None,
    )
    .await;
    assert_eq!(made.email, "admin@example.org");
    assert_eq!(made.role, Role::StudyAdmin);
    assert_eq!(made.study_id.as_deref(), Some(study_id.as_str()));
    assert_eq!(made.site_id, None);
    assert_eq!(
        store.account_by_email("ADMIN@example.ORG").await.unwrap(),
        Some(made.clone())
    );
    assert!(
        store
            .account_by_email("nobody@example.org")
            .await
            .unwrap()
            .is_none()
    );
    // The same email again, in another case: refused.
    let again = store
        .create_account(
            &NewAccount {
                email: "admin@EXAMPLE.org".to_owned(),
                password: NewPassword::parse(PASSWORD).unwrap(),
                role: Role::Analyst,
                study_id: None,
                site_id: None,
            },
            Some(&made.id),
        )
        .await
        .unwrap();
    assert!(again.is_none());
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let created: Vec<_> = log
        .iter()
        .filter(|e| e.action == "account-created")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].object_id.as_deref(), Some(made.id.as_str()));
    assert_eq!(created[0].details, "admin@example.org (study-admin)");
}
on_both!(an_account_is_found_by_its_email_in_any_case_and_is_made_once);

async fn la_contact_emails_lists_the_contacts_of_one_site(store: Store) {
    let (study_id, site) = study_with_site(&store).await;
    let other = store
        .add_site(&study_id, &crate::new_site("LA02"))
        .await
        .unwrap();
    account(
        &store,
        "b@la.example",
        Role::LaContact,
        Some(&study_id),
        Some(&site.id),
    )
    .await;
    account(
        &store,
        "a@la.example",
        Role::LaContact,
        Some(&study_id),
        Some(&site.id),
    )
    .await;
    account(
        &store,
        "c@la.example",
        Role::LaContact,
        Some(&study_id),
        Some(&other.id),
    )
    .await;
    account(
        &store,
        "d@la.example",
        Role::StudyAdmin,
        Some(&study_id),
        None,
    )
    .await;
    assert_eq!(
        store.la_contact_emails(&site.id).await.unwrap(),
        vec!["a@la.example".to_owned(), "b@la.example".to_owned()]
    );
    assert_eq!(
        store.la_contact_emails(&other.id).await.unwrap(),
        vec!["c@la.example".to_owned()]
    );
}
on_both!(la_contact_emails_lists_the_contacts_of_one_site);

async fn sign_in_with_the_right_password_starts_a_session_that_sign_out_ends(store: Store) {
    let made = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let rules = SignInRules::default();
    let SignIn::SignedIn { token, account } = store
        .sign_in("Admin@example.org", PASSWORD, &rules, None)
        .await
        .unwrap()
    else {
        panic!("not signed in");
    };
    assert_eq!(account, made);
    let session = store
        .admin_session(&token, &rules)
        .await
        .unwrap()
        .expect("live");
    assert_eq!(session.account, made);
    assert!(
        store
            .admin_session("no-such-token", &rules)
            .await
            .unwrap()
            .is_none()
    );

    // Signing in again ends the session the browser had.
    let SignIn::SignedIn { token: second, .. } = store
        .sign_in("admin@example.org", PASSWORD, &rules, Some(&token))
        .await
        .unwrap()
    else {
        panic!("not signed in");
    };
    assert!(store.admin_session(&token, &rules).await.unwrap().is_none());
    let session = store.admin_session(&second, &rules).await.unwrap().unwrap();
    store.sign_out(&session).await.unwrap();
    assert!(
        store
            .admin_session(&second, &rules)
            .await
            .unwrap()
            .is_none()
    );

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(
        actions(&log),
        vec!["account-created", "sign-in", "sign-in", "sign-out"]
    );
    assert!(
        log.iter()
            .filter(|e| e.action != "account-created")
            .all(|e| e.email.as_deref() == Some("admin@example.org"))
    );
}
on_both!(sign_in_with_the_right_password_starts_a_session_that_sign_out_ends);

async fn wrong_passwords_fail_then_pause_then_throttle_even_the_right_one(store: Store) {
    account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let rules = SignInRules {
        max_failures: 2,
        first_delay: 60,
        ..SignInRules::default()
    };
    assert_eq!(
        store
            .sign_in("admin@example.org", "wrong password!", &rules, None)
            .await
            .unwrap(),
        SignIn::Failed { pause: None }
    );
    assert_eq!(
        store
            .sign_in("admin@example.org", "wrong password!", &rules, None)
            .await
            .unwrap(),
        SignIn::Failed { pause: Some(60) }
    );
    let SignIn::Throttled { retry_after } = store
        .sign_in("admin@example.org", PASSWORD, &rules, None)
        .await
        .unwrap()
    else {
        panic!("not throttled");
    };
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Another email is not throttled by these failures.
    assert_eq!(
        store
            .sign_in("nobody@example.org", PASSWORD, &rules, None)
            .await
            .unwrap(),
        SignIn::Failed { pause: None }
    );
    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(
        actions(&log),
        vec![
            "account-created",
            "lockout",
            "sign-in-failed",
            "sign-in-failed",
            "sign-in-failed"
        ]
    );
    // The failure for an unknown email does not record the email typed.
    assert!(
        !log.iter()
            .any(|e| e.details.contains("nobody")
                || e.email.as_deref() == Some("nobody@example.org"))
    );
}
on_both!(wrong_passwords_fail_then_pause_then_throttle_even_the_right_one);

async fn a_changed_password_signs_in_and_the_old_one_does_not(store: Store) {
    account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let rules = SignInRules::default();
    let SignIn::SignedIn { token, .. } = store
        .sign_in("admin@example.org", PASSWORD, &rules, None)
        .await
        .unwrap()
    else {
        panic!("not signed in");
    };
    let SignIn::SignedIn { token: other, .. } = store
        .sign_in("admin@example.org", PASSWORD, &rules, None)
        .await
        .unwrap()
    else {
        panic!("not signed in");
    };
    let session = store.admin_session(&token, &rules).await.unwrap().unwrap();
    let new = "another quite unusual passphrase 9";
    assert_eq!(
        store
            .change_password(
                &session,
                "not the password",
                &NewPassword::parse(new).unwrap(),
                &rules
            )
            .await
            .unwrap(),
        PasswordChange::WrongPassword { pause: None }
    );
    assert_eq!(
        store
            .change_password(
                &session,
                PASSWORD,
                &NewPassword::parse(new).unwrap(),
                &rules
            )
            .await
            .unwrap(),
        PasswordChange::Changed
    );
    // This session carries on; the other ends.
    assert!(store.admin_session(&token, &rules).await.unwrap().is_some());
    assert!(store.admin_session(&other, &rules).await.unwrap().is_none());
    assert!(matches!(
        store
            .sign_in("admin@example.org", PASSWORD, &rules, None)
            .await
            .unwrap(),
        SignIn::Failed { .. }
    ));
    assert!(matches!(
        store
            .sign_in("admin@example.org", new, &rules, None)
            .await
            .unwrap(),
        SignIn::SignedIn { .. }
    ));
    let log = store.audit_log(None, 100).await.unwrap();
    assert!(log.iter().any(|e| e.action == "password-changed"));
    assert!(log.iter().any(|e| e.action == "password-change-failed"));
}
on_both!(a_changed_password_signs_in_and_the_old_one_does_not);
