//! The export itself: labelled synthetic, cleaned as the study did, deterministic, linked.

use std::collections::HashSet;

use skafada_analysis::clean::Reason;

use crate::{analysis, demo, instruments};

#[test]
fn the_export_is_labelled_synthetic_and_the_analysis_warns_so() {
    assert!(analysis().synthetic);
    assert!(analysis().warnings.iter().any(|w| w.contains("synthetic")));
    let (pre, post) = instruments();
    let files = demo(skafada_demo::DEFAULT_SEED).files(&pre, &post).unwrap();
    assert!(files.manifest.contains("synthetic = true"));
}

#[test]
fn cleaning_keeps_350_of_450_records_for_each_stated_reason() {
    let log = &analysis().cleaning.pre;
    assert_eq!((log.records, log.kept), (450, 350));
    let count = |reason| {
        log.excluded
            .iter()
            .find(|e| e.reason == reason)
            .unwrap()
            .count
    };
    assert_eq!(count(Reason::Returning), 40);
    assert_eq!(count(Reason::Empty), 38);
    assert_eq!(count(Reason::Ended), 5);
    assert_eq!(count(Reason::BelowMinimum), 17);
    let post = analysis().cleaning.post.as_ref().unwrap();
    assert_eq!((post.records, post.kept), (72, 72));
}

#[test]
fn every_post_training_response_is_linked_to_a_kept_respondent_at_the_same_site() {
    let dataset = crate::dataset(&demo(skafada_demo::DEFAULT_SEED));
    let post = dataset.post.as_ref().unwrap();
    let pre: HashSet<(&str, usize)> = dataset
        .pre
        .respondent_id
        .iter()
        .zip(&dataset.pre.site)
        .zip(&dataset.pre.returning)
        .filter(|(_, returning)| !**returning)
        .map(|((id, site), _)| (id.as_str(), *site))
        .collect();
    for (id, site) in post.respondent_id.iter().zip(&post.site) {
        assert!(pre.contains(&(id.as_str(), *site)), "{id} at site {site}");
    }
    let distinct: HashSet<&String> = post.respondent_id.iter().collect();
    assert_eq!(distinct.len(), 72);
}

#[test]
fn twelve_did_the_training_in_a_group_most_at_site_8() {
    let dataset = crate::dataset(&demo(skafada_demo::DEFAULT_SEED));
    let post = dataset.post.as_ref().unwrap();
    let group = post.values("completed-in-group").unwrap();
    let in_group: Vec<usize> = (0..post.len())
        .filter(|&i| matches!(group.get(i), Some(1 | 2)))
        .collect();
    assert_eq!(in_group.len(), 12);
    assert_eq!(in_group.iter().filter(|&&i| post.site[i] == 7).count(), 9);
}

#[test]
fn the_same_seed_gives_the_same_files_and_another_seed_other_files() {
    let (pre, post) = instruments();
    let a = demo(7).files(&pre, &post).unwrap();
    let b = demo(7).files(&pre, &post).unwrap();
    let c = demo(8).files(&pre, &post).unwrap();
    assert_eq!(a.pre, b.pre);
    assert_eq!(a.post, b.post);
    assert_ne!(a.pre, c.pre);
}

#[test]
fn each_training_phrase_is_coded_into_exactly_its_own_table_16_category() {
    let plan = skafada_analysis::plan::Plan::parse(crate::PLAN, "plans/skafada.toml").unwrap();
    let rules = plan
        .derive
        .iter()
        .find(|d| d.id == "training-topic")
        .unwrap();
    let skafada_analysis::plan::DeriveRule::TextCategories { categories, .. } = &rules.rule else {
        panic!("training-topic is a text-categories variable");
    };
    for (index, phrases) in skafada_demo::texts::PHRASES.iter().enumerate() {
        for phrase in *phrases {
            let text = phrase.to_lowercase();
            let matched: Vec<u32> = categories
                .iter()
                .filter(|c| c.contains.iter().any(|w| text.contains(&w.to_lowercase())))
                .map(|c| c.code)
                .collect();
            assert_eq!(matched, vec![index as u32 + 1], "{phrase}");
        }
    }
}
