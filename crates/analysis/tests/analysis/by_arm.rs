//! Delivery arms compared on the share improving, with each arm taken from the site's
//! allocation: Newcombe's difference, the pooled z-test and Cohen's h, checked against
//! their closed forms for 5 of 20 against 15 of 20 (z = -sqrt(10), h = -pi/3).

use skafada_analysis::analyse;
use skafada_analysis::data::ArmRow;

use super::{Respondent, dataset, plan, post_instrument, post_respondent, pre_instrument};

/// LA01 (arm "online"): 15 of 20 improve on the signs of abuse; LA02 ("group"): 5 of 20.
fn two_sites_in_two_arms() -> skafada_analysis::data::Dataset {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    for (site, improved) in [(0, 15), (1, 5)] {
        for i in 0..20 {
            let id = format!("s{site}-{i}");
            pre.push(
                Respondent::complete(&id, &pre_i)
                    .set("knowledge-signs", 1)
                    .at_site(site),
            );
            post.push(
                post_respondent(&id, &post_i)
                    .set("post-knowledge-signs", if i < improved { 5 } else { 1 })
                    .at_site(site),
            );
        }
    }
    let mut data = dataset(&pre, &post);
    data.arms = ["online", "group"]
        .iter()
        .enumerate()
        .map(|(i, arm)| ArmRow {
            site: format!("LA0{}", i + 1),
            respondent_id: String::new(),
            position: i as u64,
            arm: (*arm).into(),
        })
        .collect();
    data
}

#[test]
fn two_sites_arms_are_compared_on_the_share_improving_with_each_arms_respondents() {
    let data = two_sites_in_two_arms();
    // The shipped plan compares the families where more is better; add the mirror
    // family where fewer is better.
    let text = super::PLAN.replace(
        "families = [\"knowledge-lot\", \"attitudes-correct\", \"confidence-agree\"]\nfrom = \"pre\"\nto = \"post\"",
        "families = [\"knowledge-lot\", \"knowledge-little\"]\nfrom = \"pre\"\nto = \"post\"",
    );
    let plan = skafada_analysis::plan::Plan::parse(&text, "plan.toml").unwrap();
    let analysis = analyse(&plan, &data).unwrap();
    let by_arm = analysis.by_arm.as_ref().expect("arms compared");
    let during = by_arm
        .comparisons
        .iter()
        .find(|c| c.id == "arms-during-training")
        .unwrap();
    assert_eq!(during.unavailable, None);
    // The data have no follow-up wave: the declaration says so rather than vanishing.
    let later = by_arm
        .comparisons
        .iter()
        .find(|c| c.id == "arms-at-3m")
        .unwrap();
    assert_eq!(
        later.unavailable.as_deref(),
        Some("the data have no follow-up wave `follow-up-3m`")
    );
    assert_eq!(
        by_arm
            .arms
            .iter()
            .map(|a| (a.arm.as_str(), a.respondents))
            .collect::<Vec<_>>(),
        [("group", 20), ("online", 20)]
    );
    let signs = during
        .statements
        .iter()
        .find(|s| s.family == "knowledge-lot" && s.variable == "knowledge-signs")
        .unwrap();
    assert_eq!(signs.arms, ["group".to_owned(), "online".to_owned()]);
    let comparison = signs.comparison.as_ref().unwrap();
    assert_eq!(
        (comparison.first.improved, comparison.first.could_improve),
        (5, 20)
    );
    assert_eq!(
        (comparison.second.improved, comparison.second.could_improve),
        (15, 20)
    );
    assert!((comparison.difference.estimate + 0.5).abs() < 1e-15);
    let test = comparison.test.as_ref().unwrap();
    assert!((test.z + 10f64.sqrt()).abs() < 1e-12, "{}", test.z);
    assert!((comparison.cohens_h + std::f64::consts::FRAC_PI_3).abs() < 1e-12);
    // Where fewer is better ("knew very little or a little"), improving is leaving the
    // counted answers: the same people improved, so the same counts.
    let little = during
        .statements
        .iter()
        .find(|s| s.family == "knowledge-little" && s.variable == "knowledge-signs")
        .unwrap();
    let little = little.comparison.as_ref().unwrap();
    assert_eq!((little.first.improved, little.first.could_improve), (5, 20));
    assert_eq!(
        (little.second.improved, little.second.could_improve),
        (15, 20)
    );
    let text = skafada_analysis::render::markdown(&analysis);
    assert!(text.contains("## Delivery arms"), "{text}");
    assert!(text.contains("| group | 20 |"), "{text}");
    assert!(
        text.contains("Not compared: the data have no follow-up wave `follow-up-3m`."),
        "{text}"
    );
    // Only the family's statements: nothing from families the declaration leaves out.
    assert!(
        during
            .statements
            .iter()
            .all(|s| s.family == "knowledge-lot" || s.family == "knowledge-little")
    );
}

#[test]
fn a_declared_pair_of_arms_is_compared_in_the_order_given_and_an_unknown_arm_is_named() {
    let data = two_sites_in_two_arms();
    let text = super::PLAN.replace(
        "from = \"pre\"\nto = \"post\"\n",
        "from = \"pre\"\nto = \"post\"\narms = [\"online\", \"group\"]\n",
    ) + "\n[[arm-comparison]]\nid = \"facilitated\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nfrom = \"pre\"\nto = \"post\"\narms = [\"online\", \"in-person\"]\n";
    let plan = skafada_analysis::plan::Plan::parse(&text, "plan.toml").unwrap();
    let analysis = analyse(&plan, &data).unwrap();
    let by_arm = analysis.by_arm.unwrap();
    let during = by_arm
        .comparisons
        .iter()
        .find(|c| c.id == "arms-during-training")
        .unwrap();
    let signs = during
        .statements
        .iter()
        .find(|s| s.family == "knowledge-lot" && s.variable == "knowledge-signs")
        .unwrap();
    assert_eq!(signs.arms, ["online".to_owned(), "group".to_owned()]);
    let comparison = signs.comparison.as_ref().unwrap();
    assert_eq!(
        (comparison.first.improved, comparison.second.improved),
        (15, 5)
    );
    assert!((comparison.difference.estimate - 0.5).abs() < 1e-15);
    let facilitated = by_arm
        .comparisons
        .iter()
        .find(|c| c.id == "facilitated")
        .unwrap();
    assert_eq!(
        facilitated.unavailable.as_deref(),
        Some("no kept respondent is in the arm `in-person`")
    );
}

#[test]
fn without_an_allocation_there_is_no_comparison_of_arms() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let analysis = analyse(
        &plan(),
        &dataset(
            &[Respondent::complete("a", &pre_i)],
            &[post_respondent("a", &post_i)],
        ),
    )
    .unwrap();
    assert!(analysis.by_arm.is_none());
}
