//! What study admins change: settings, sites, links, local services and messages, each
//! audited; the anonymous count of journeys started at each site.

use std::time::Duration;

use skafada_store::{
    Message, MessageKind, NewSite, Role, SiteStarts, Store, StudySettings, WaveMessage,
};

use crate::accounts::account;
use crate::{new_site, new_study, on_both, study_with_site};

async fn create_study_by_records_the_threshold_and_audits_who_made_it(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let id = store
        .create_study_by(&new_study("Managed"), 7, Some(&admin.id))
        .await
        .unwrap();
    let study = store.study(&id).await.unwrap().unwrap();
    assert_eq!(study.name, "Managed");
    assert_eq!(study.min_cell_count, 7);
    let log = store.audit_log(Some(&id), 10).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].action, "study-created");
    assert_eq!(log[0].object_type, "study");
    assert_eq!(log[0].object_id.as_deref(), Some(id.as_str()));
    assert_eq!(log[0].email.as_deref(), Some("admin@example.org"));
}
on_both!(create_study_by_records_the_threshold_and_audits_who_made_it);

async fn update_study_changes_the_settings_and_audits_what_changed(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let id = store
        .create_study_by(&new_study("Before"), 10, Some(&admin.id))
        .await
        .unwrap();
    let study = store.study(&id).await.unwrap().unwrap();
    let settings = StudySettings {
        name: "After".to_owned(),
        opens_on: "2021-02-03".parse().unwrap(),
        closes_on: "2030-04-05".parse().unwrap(),
        retain_until: "2031-06-07".parse().unwrap(),
        min_cell_count: 5,
    };
    let updated = store
        .update_study(&study, &settings, &admin.id)
        .await
        .unwrap();
    assert_eq!(StudySettings::of(&updated), settings);
    assert_eq!(store.study(&id).await.unwrap(), Some(updated.clone()));
    // Content is untouched.
    assert_eq!(updated.module_id, study.module_id);
    assert_eq!(updated.created_on, study.created_on);
    let window = store.study_window(&id).await.unwrap().unwrap();
    assert_eq!(window.opens_on, "2021-02-03".parse().unwrap());
    assert_eq!(window.retain_until, "2031-06-07".parse().unwrap());

    let log = store.audit_log(Some(&id), 10).await.unwrap();
    let changed: Vec<_> = log.iter().filter(|e| e.action == "study-changed").collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        changed[0].details,
        "name; opening date 2020-01-01 to 2021-02-03; closing date 2099-12-31 to 2030-04-05; \
         deletion date 2099-12-31 to 2031-06-07; smallest count shown 10 to 5"
    );
    // Saving the same settings changes nothing, and says so.
    store
        .update_study(&updated, &settings, &admin.id)
        .await
        .unwrap();
    let log = store.audit_log(Some(&id), 10).await.unwrap();
    assert!(log.iter().any(|e| e.details == "nothing changed"));
    assert!(store.audit_log(Some(&id), 1).await.unwrap().len() == 1);
}
on_both!(update_study_changes_the_settings_and_audits_what_changed);

async fn sites_added_and_changed_by_an_admin_are_audited(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let study_id = store.create_study(&new_study("Sites")).await.unwrap();
    let site = store
        .add_site_by(&study_id, &new_site("LA05"), &admin.id)
        .await
        .unwrap();
    assert_eq!(store.site(&site.id).await.unwrap(), Some(site.clone()));
    assert!(
        store
            .add_site_by(&study_id, &new_site("LA05"), &admin.id)
            .await
            .is_err()
    );

    let details = NewSite {
        name: "Renamed".to_owned(),
        region: "London".to_owned(),
        model_of_practice: "Commissioned".to_owned(),
        population: "Rural".to_owned(),
        ethnicity: "White".to_owned(),
        area_type: "Town".to_owned(),
        deprivation_quintile: Some(5),
        ..new_site("IGNORED")
    };
    store.update_site(&site, &details, &admin.id).await.unwrap();
    let changed = store.site(&site.id).await.unwrap().unwrap();
    assert_eq!(changed.code, "LA05", "the code does not change");
    assert_eq!(changed.name, "Renamed");
    assert_eq!(changed.region, "London");
    assert_eq!(changed.model_of_practice, "Commissioned");
    assert_eq!(changed.population, "Rural");
    assert_eq!(changed.ethnicity, "White");
    assert_eq!(changed.area_type, "Town");
    assert_eq!(changed.deprivation_quintile, Some(5));
    assert_eq!(changed.link_token, site.link_token);

    store
        .set_local_services(&changed, r#"[{"name":"Clinic"}]"#, 1, &admin.id)
        .await
        .unwrap();
    let with_services = store.site(&site.id).await.unwrap().unwrap();
    assert_eq!(with_services.local_services, r#"[{"name":"Clinic"}]"#);

    let new_token = store.replace_link(&with_services, &admin.id).await.unwrap();
    assert_ne!(new_token, site.link_token);
    assert!(
        store
            .site_by_token(&site.link_token)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.site_by_token(&new_token).await.unwrap().unwrap().id,
        site.id
    );

    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let mut actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.details.as_str()))
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        vec![
            (
                "link-replaced",
                "LA05: new link, the old one no longer works"
            ),
            ("local-services-changed", "LA05: 1 local services"),
            ("site-added", "LA05 Site LA05"),
            ("site-changed", "LA05: details changed"),
        ]
    );
    assert!(log.iter().all(|e| e.object_type == "site"
        && e.object_id.as_deref() == Some(site.id.as_str())
        && e.email.as_deref() == Some("admin@example.org")));
}
on_both!(sites_added_and_changed_by_an_admin_are_audited);

async fn messages_are_set_replaced_and_listed_by_kind_apart_from_wave_messages(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let study_id = store.create_study(&new_study("Messages")).await.unwrap();
    assert!(store.messages(&study_id).await.unwrap().is_empty());
    assert!(store.wave_messages(&study_id).await.unwrap().is_empty());
    let reminder = Message {
        kind: MessageKind::Reminder,
        subject: "Reminder".to_owned(),
        body: "Please take part.".to_owned(),
    };
    let invitation = Message {
        kind: MessageKind::Invitation,
        subject: "Invitation".to_owned(),
        body: "You are invited.".to_owned(),
    };
    store
        .set_message(&study_id, &reminder, &admin.id)
        .await
        .unwrap();
    store
        .set_message(&study_id, &invitation, &admin.id)
        .await
        .unwrap();
    let replaced = Message {
        body: "Please, please take part.".to_owned(),
        ..reminder.clone()
    };
    store
        .set_message(&study_id, &replaced, &admin.id)
        .await
        .unwrap();
    let wave = WaveMessage {
        wave: "six-months".to_owned(),
        subject: "Six months on".to_owned(),
        body: "How are things?".to_owned(),
    };
    store
        .set_wave_message(&study_id, &wave, &admin.id)
        .await
        .unwrap();

    assert_eq!(
        store.messages(&study_id).await.unwrap(),
        vec![invitation, replaced]
    );
    assert_eq!(store.wave_messages(&study_id).await.unwrap(), vec![wave]);
    // Another study has none.
    let other = store.create_study(&new_study("Other")).await.unwrap();
    assert!(store.messages(&other).await.unwrap().is_empty());

    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let mut details: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "message-changed")
        .map(|e| e.details.as_str())
        .collect();
    details.sort_unstable();
    assert_eq!(
        details,
        vec![
            "invitation changed",
            "reminder changed",
            "reminder changed",
            "six-months changed"
        ]
    );
}
on_both!(messages_are_set_replaced_and_listed_by_kind_apart_from_wave_messages);

async fn sent_reminders_and_messages_are_audited_with_their_recipients(store: Store) {
    let admin = account(&store, "admin@example.org", Role::StudyAdmin, None, None).await;
    let (study_id, site) = study_with_site(&store).await;
    store
        .log_reminders(&site, MessageKind::FinalReminder, 3, &admin.id)
        .await
        .unwrap();
    store
        .log_message_sent(&site, "six-months", 1, &admin.id)
        .await
        .unwrap();
    let log = store.audit_log(Some(&study_id), 100).await.unwrap();
    let mut sent: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "reminder-sent")
        .map(|e| e.details.as_str())
        .collect();
    sent.sort_unstable();
    assert_eq!(
        sent,
        vec![
            "LA01: final-reminder e-mailed to 3 LA contacts",
            "LA01: six-months e-mailed to 1 LA contacts"
        ]
    );
}
on_both!(sent_reminders_and_messages_are_audited_with_their_recipients);

async fn starts_counts_journeys_begun_from_each_site_link(store: Store) {
    let (study_id, first) = study_with_site(&store).await;
    let second = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    let _idle = store.add_site(&study_id, &new_site("LA03")).await.unwrap();
    let lifetime = Duration::from_secs(600);
    for _ in 0..3 {
        store
            .create_session(&first.id, None, lifetime)
            .await
            .unwrap();
    }
    store
        .create_session(&second.id, None, lifetime)
        .await
        .unwrap();
    // A resumed journey (a session for a known respondent) is not a new start.
    let token = store
        .create_session(&second.id, None, lifetime)
        .await
        .unwrap();
    let consented = store
        .consent(
            &token,
            &second,
            &[("consent".to_owned(), "1".to_owned())],
            "p1",
        )
        .await
        .unwrap();
    store
        .create_session(&second.id, Some(&consented.respondent_id), lifetime)
        .await
        .unwrap();
    assert_eq!(
        store.starts(&study_id).await.unwrap(),
        vec![
            SiteStarts {
                site_code: "LA01".to_owned(),
                starts: 3
            },
            SiteStarts {
                site_code: "LA02".to_owned(),
                starts: 2
            },
        ]
    );
}
on_both!(starts_counts_journeys_begun_from_each_site_link);
