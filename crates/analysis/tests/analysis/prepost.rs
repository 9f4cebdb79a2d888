//! Pre/post comparisons: the study's one-tailed z-test and paired tests.

use skafada_analysis::analyse;
use skafada_analysis::run::{PrePostResult, TestResult};

use super::{Respondent, dataset, plan, post_instrument, post_respondent, pre_instrument};

fn comparison<'a>(tests: &'a [TestResult], family: &str, variable: &str) -> &'a PrePostResult {
    tests
        .iter()
        .find_map(|t| match t {
            TestResult::PrePost(p) if p.family == family && p.pre_variable == variable => {
                Some(p.as_ref())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {family} {variable}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs()
}

#[test]
fn the_one_tailed_z_test_matches_the_reference_for_71_of_110_after_and_48_of_120_before() {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let pre: Vec<_> = (0..120)
        .map(|i| {
            Respondent::complete(&format!("a{i}"), &pre_i)
                .set("knowledge-dash", if i < 48 { 5 } else { 1 })
        })
        .collect();
    let post: Vec<_> = (0..110)
        .map(|i| {
            post_respondent(&format!("b{i}"), &post_i)
                .set("post-knowledge-dash", if i < 71 { 4 } else { 2 })
        })
        .collect();
    let analysis = analyse(&plan(), &dataset(&pre, &post)).unwrap();
    let result = comparison(&analysis.tests, "knowledge-lot", "knowledge-dash");
    assert_eq!(
        (result.pre.x, result.pre.n, result.post.x, result.post.n),
        (48, 120, 71, 110)
    );
    assert!(close(result.z, 3.7212341043460255), "{}", result.z);
    assert!(close(result.p, 9.912577078663054e-05), "{}", result.p);
    assert_eq!(result.alternative, "greater");
    assert!(
        result.difference_ci[0] < result.difference && result.difference < result.difference_ci[1]
    );
    assert!(
        result.paired.is_none(),
        "no respondent is linked across the surveys"
    );
}

#[test]
fn linked_respondents_get_mcnemars_exact_test() {
    // Pairs: 30 stayed in the category, 25 left it, 8 joined it, 57 stayed out.
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let mut pre = Vec::new();
    let mut post = Vec::new();
    let mut i = 0;
    for (before, after, count) in [(5, 5, 30), (5, 1, 25), (1, 5, 8), (1, 1, 57)] {
        for _ in 0..count {
            let id = format!("p{i}");
            pre.push(Respondent::complete(&id, &pre_i).set("knowledge-signs", before));
            post.push(post_respondent(&id, &post_i).set("post-knowledge-signs", after));
            i += 1;
        }
    }
    let analysis = analyse(&plan(), &dataset(&pre, &post)).unwrap();
    let result = comparison(&analysis.tests, "knowledge-lot", "knowledge-signs");
    let paired = result.paired.as_ref().expect("paired tests");
    assert_eq!((paired.n, paired.left, paired.joined), (120, 25, 8));
    assert!(
        close(paired.mcnemar_p.unwrap(), 0.004551384132355452),
        "{:?}",
        paired.mcnemar_p
    );
    assert!(paired.wilcoxon_p.unwrap() < 0.05);
}

#[test]
fn true_false_statements_are_compared_on_their_correct_answer() {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    // "Alcohol is the single greatest predictor": the correct answer is False (2).
    let pre: Vec<_> = (0..50)
        .map(|i| {
            Respondent::complete(&format!("a{i}"), &pre_i)
                .set("attitude-alcohol", if i < 20 { 2 } else { 1 })
        })
        .collect();
    let post: Vec<_> = (0..50)
        .map(|i| {
            post_respondent(&format!("b{i}"), &post_i)
                .set("post-attitude-alcohol", if i < 40 { 2 } else { 3 })
        })
        .collect();
    let analysis = analyse(&plan(), &dataset(&pre, &post)).unwrap();
    let result = comparison(&analysis.tests, "attitudes-correct", "attitude-alcohol");
    assert_eq!((result.pre.x, result.post.x), (20, 40));
    assert!(result.p < 0.001);
}

#[test]
fn a_negatively_worded_statement_is_reversed_before_cronbachs_alpha() {
    let pre_i = pre_instrument();
    // Respondents who agree with every confidence statement and disagree that it is better
    // not to ask about someone's culture: a perfectly consistent battery once reversed.
    let pre: Vec<_> = (0..30)
        .map(|i| {
            let level = 3 + (i % 3);
            let mut r = Respondent::complete(&format!("a{i}"), &pre_i);
            for row in [
                "confidence-responsibility",
                "confidence-sufficient-training",
                "confidence-documenting",
                "confidence-identity",
                "confidence-safeguarding-disclosure",
                "confidence-referrals-adults",
                "confidence-referrals-children",
                "confidence-coercive-control",
                "confidence-child-contact",
                "confidence-expert-advice",
            ] {
                r = r.set(row, level);
            }
            r.set("confidence-culture-language", 6 - level)
        })
        .collect();
    let analysis = analyse(&plan(), &dataset(&pre, &[])).unwrap();
    let confidence = analysis
        .reliability
        .iter()
        .find(|r| r.id == "confidence" && r.data == "pre")
        .unwrap();
    assert!(
        (confidence.alpha - 1.0).abs() < 1e-9,
        "{}",
        confidence.alpha
    );
}

/// Linked respondents answering one knowledge statement: (before, after, how many).
fn linked_knowledge(pairs: &[(i32, i32, usize)]) -> skafada_analysis::run::Analysis {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let mut pre = Vec::new();
    let mut post = Vec::new();
    let mut i = 0;
    for &(before, after, count) in pairs {
        for _ in 0..count {
            let id = format!("p{i}");
            pre.push(Respondent::complete(&id, &pre_i).set("knowledge-signs", before));
            post.push(post_respondent(&id, &post_i).set("post-knowledge-signs", after));
            i += 1;
        }
    }
    analyse(&plan(), &dataset(&pre, &post)).unwrap()
}

#[test]
fn a_fall_against_the_expected_direction_is_flagged_by_the_two_sided_paired_test() {
    // 50 linked respondents left "knew quite a bit or a lot" and 2 joined it: the
    // study's one-tailed test (expecting a rise) cannot see it.
    let analysis = linked_knowledge(&[(5, 5, 30), (5, 1, 50), (1, 5, 2), (1, 1, 38)]);
    let result = comparison(&analysis.tests, "knowledge-lot", "knowledge-signs");
    assert!(result.led_by_paired());
    assert!(!result.significant, "one-tailed p = {}", result.p);
    let paired = result.paired.as_ref().unwrap();
    assert!(paired.significant, "{:?}", paired.mcnemar_p_adjusted);
    assert!(close(paired.before, 80.0 / 120.0) && close(paired.after, 32.0 / 120.0));
    assert!(result.worse);
    // The "knew very little or a little" family expects a fall, and the same answers are
    // a significant rise there: worse by that family's reading too.
    let little = comparison(&analysis.tests, "knowledge-little", "knowledge-signs");
    assert!(little.worse);
    assert_eq!(analysis.significance, 0.01);
    assert_eq!(analysis.adjustment, "holm");
}

#[test]
fn no_change_is_not_flagged_as_worse() {
    let analysis = linked_knowledge(&[(5, 5, 60), (1, 1, 60)]);
    let result = comparison(&analysis.tests, "knowledge-lot", "knowledge-signs");
    assert!(!result.worse && !result.significant);
}

#[test]
fn a_negatively_worded_statement_is_tested_in_the_other_direction() {
    let pre_i = pre_instrument();
    let post_i = post_instrument();
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let id = format!("r{i}");
        let before = if i % 2 == 0 { 4 } else { 2 };
        let after = if i % 3 == 0 { 4 } else { 2 };
        let mut respondent = Respondent::complete(&id, &pre_i);
        let mut later = post_respondent(&id, &post_i);
        for row in ["culture-language", "expert-advice"] {
            respondent = respondent.set(&format!("confidence-{row}"), before);
            later = later.set(&format!("post-confidence-{row}"), after);
        }
        pre.push(respondent);
        post.push(later);
    }
    let analysis = analyse(&plan(), &dataset(&pre, &post)).unwrap();
    let reversed = comparison(
        &analysis.tests,
        "confidence-agree",
        "confidence-culture-language",
    );
    assert!(reversed.reverse);
    assert_eq!(
        reversed.alternative, "less",
        "agreeing that it is better not to ask should fall"
    );
    let plain = comparison(
        &analysis.tests,
        "confidence-agree",
        "confidence-expert-advice",
    );
    assert!(!plain.reverse);
    assert_eq!(plain.alternative, "greater");
    // Agreement fell from 50% to 34% on both: progress for the negative statement, a
    // significant fall for the other only if its two-sided test says so.
    assert!(reversed.p < plain.p, "{} vs {}", reversed.p, plain.p);
    assert!(!reversed.worse);
}
