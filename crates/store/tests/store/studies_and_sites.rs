//! Studies and sites: what is stored is what is read back, by every way of reading it.

use std::collections::BTreeMap;

use skafada_store::{ContentPart, NewSite, SiteId, Store, StudyId, today};

use crate::{new_site, new_study, on_both};

async fn a_created_study_reads_back_with_its_fields(store: Store) {
    let mut study = new_study("Round trip");
    study.pre_instrument = "pre = true".to_owned();
    study.post_instrument = "post = true".to_owned();
    study.analysis_plan = "plan".to_owned();
    study.training_needs = "needs".to_owned();
    study.framework = "framework".to_owned();
    study.participant_information = "information".to_owned();
    study.module_sources = BTreeMap::from([("module.toml".to_owned(), "id = 'm'".to_owned())]);
    study.synthetic = true;
    let id = store.create_study(&study).await.unwrap();

    let stored = store.study(&id).await.unwrap().expect("the study");
    assert_eq!(stored.id, id);
    assert_eq!(stored.name, "Round trip");
    assert_eq!(stored.pre_instrument, "pre = true");
    assert_eq!(stored.post_instrument, "post = true");
    assert_eq!(stored.module_id, "module");
    assert_eq!(stored.module_sources, study.module_sources);
    assert_eq!(stored.opens_on, "2020-01-01".parse().unwrap());
    assert_eq!(stored.closes_on, "2099-12-31".parse().unwrap());
    assert_eq!(stored.retain_until, "2099-12-31".parse().unwrap());
    assert_eq!(stored.analysis_plan, "plan");
    assert_eq!(stored.training_needs, "needs");
    assert_eq!(stored.framework, "framework");
    assert_eq!(stored.participant_information, "information");
    assert!(stored.synthetic);
    assert_eq!(stored.created_on, today());
    assert_eq!(
        stored.recorded_sha256(ContentPart::PreSurvey),
        Some(stored.sha256(ContentPart::PreSurvey).as_str())
    );
    assert_eq!(
        stored.recorded_sha256(ContentPart::Module),
        Some(stored.sha256(ContentPart::Module).as_str())
    );

    let window = store.study_window(&id).await.unwrap().expect("a window");
    assert_eq!(window, stored.window());
    assert!(
        store
            .study(&StudyId::new("no-such-study"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .study_window(&StudyId::new("no-such-study"))
            .await
            .unwrap()
            .is_none()
    );
}
on_both!(a_created_study_reads_back_with_its_fields);

async fn studies_lists_every_study_in_order_of_creation(store: Store) {
    assert!(store.studies().await.unwrap().is_empty());
    let one = store.create_study(&new_study("One")).await.unwrap();
    let two = store.create_study(&new_study("Two")).await.unwrap();
    let listed = store.studies().await.unwrap();
    let mut ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![one.as_str(), two.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert_eq!(listed.len(), 2);
    for study in &listed {
        assert_eq!(store.study(&study.id).await.unwrap().as_ref(), Some(study));
    }
}
on_both!(studies_lists_every_study_in_order_of_creation);

async fn a_site_reads_back_by_id_by_token_by_study_and_in_links(store: Store) {
    let study_id = store.create_study(&new_study("Sites")).await.unwrap();
    let second = store.add_site(&study_id, &new_site("LA02")).await.unwrap();
    let first = store.add_site(&study_id, &new_site("LA01")).await.unwrap();
    assert_eq!(first.study_id, study_id);
    assert_eq!(first.code, "LA01");
    assert_eq!(first.name, "Site LA01");
    assert_eq!(first.region, "North West");
    assert_eq!(first.model_of_practice, "In-house");
    assert_eq!(first.population, "Urban");
    assert_eq!(first.ethnicity, "Mixed");
    assert_eq!(first.area_type, "City");
    assert_eq!(first.deprivation_quintile, Some(2));
    assert_eq!(first.local_services, "[]");
    assert!(!first.link_token.is_empty());
    assert_ne!(first.link_token, second.link_token);
    assert_ne!(first.id, second.id);

    assert_eq!(store.site(&first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(
        store.site_by_token(&first.link_token).await.unwrap(),
        Some(first.clone())
    );
    assert!(
        store
            .site(&SiteId::new("no-such-site"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .site_by_token("no-such-token")
            .await
            .unwrap()
            .is_none()
    );
    // In order of code, not of adding.
    assert_eq!(
        store.sites(&study_id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert!(
        store
            .sites(&StudyId::new("no-such-study"))
            .await
            .unwrap()
            .is_empty()
    );

    let links = store.links().await.unwrap();
    let pairs: Vec<(&str, &str, &str, &str)> = links
        .iter()
        .map(|l| {
            (
                l.study.as_str(),
                l.site_code.as_str(),
                l.site_name.as_str(),
                l.token.as_str(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("Sites", "LA01", "Site LA01", first.link_token.as_str()),
            ("Sites", "LA02", "Site LA02", second.link_token.as_str()),
        ]
    );
}
on_both!(a_site_reads_back_by_id_by_token_by_study_and_in_links);

async fn a_site_without_a_quintile_reads_back_without_one(store: Store) {
    let study_id = store.create_study(&new_study("Quintile")).await.unwrap();
    let site = NewSite {
        deprivation_quintile: None,
        ..new_site("LA09")
    };
    let added = store.add_site(&study_id, &site).await.unwrap();
    let stored = store.site(&added.id).await.unwrap().unwrap();
    assert_eq!(stored.deprivation_quintile, None);
}
on_both!(a_site_without_a_quintile_reads_back_without_one);

async fn add_site_refuses_a_code_already_used_in_the_study(store: Store) {
    let study_id = store.create_study(&new_study("Duplicate")).await.unwrap();
    let first = store.add_site(&study_id, &new_site("LA01")).await.unwrap();
    let again = store.add_site(&study_id, &new_site("LA01")).await;
    assert!(again.is_err(), "{again:?}");
    // Nothing was added, and the first site is untouched.
    assert_eq!(store.sites(&study_id).await.unwrap(), vec![first]);
    // Another study may use the same code.
    let other = store.create_study(&new_study("Other")).await.unwrap();
    let theirs = store.add_site(&other, &new_site("LA01")).await.unwrap();
    assert_eq!(theirs.code, "LA01");
}
on_both!(add_site_refuses_a_code_already_used_in_the_study);
