//! Delivery arms compared on the share improving, with each arm taken from the site's
//! allocation: Newcombe's difference, the pooled z-test and Cohen's h, checked against
//! their closed forms for 5 of 20 against 15 of 20 (z = -sqrt(10), h = -pi/3).

use skafada_analysis::analyse;
use skafada_analysis::data::ArmRow;

use super::{Respondent, dataset, plan, post_instrument, post_respondent, pre_instrument};

#[test]
fn two_sites_arms_are_compared_on_the_share_improving_with_each_arms_respondents() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    // LA01 (online): 15 of 20 improve; LA02 (group): 5 of 20.
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
    data.arms = vec![
        ArmRow {
            site: "LA01".into(),
            respondent_id: String::new(),
            position: 0,
            arm: "online".into(),
        },
        ArmRow {
            site: "LA02".into(),
            respondent_id: String::new(),
            position: 1,
            arm: "group".into(),
        },
    ];
    let analysis = analyse(&plan(), &data).unwrap();
    let by_arm = analysis.by_arm.as_ref().expect("arms compared");
    assert_eq!(
        by_arm
            .arms
            .iter()
            .map(|a| (a.arm.as_str(), a.respondents))
            .collect::<Vec<_>>(),
        [("group", 20), ("online", 20)]
    );
    let signs = by_arm
        .statements
        .iter()
        .find(|s| s.family == "knowledge-lot" && s.variable == "knowledge-signs" && s.to == "post")
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
    let little = by_arm
        .statements
        .iter()
        .find(|s| {
            s.family == "knowledge-little" && s.variable == "knowledge-signs" && s.to == "post"
        })
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
