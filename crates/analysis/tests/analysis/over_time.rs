//! Change over time into a follow-up wave: the three shares are of the same linked
//! people, the within-person changes are McNemar's exact test (checked here against its
//! closed form, 2 x 0.5^k when all k discordant pairs go one way, as statsmodels'
//! `mcnemar(exact=True)` gives), and retention counts only those who gained.

use skafada_analysis::analyse;

use super::{
    Respondent, dataset_with_follow_up, plan, post_instrument, post_respondent, pre_instrument,
};

#[test]
fn a_gain_kept_by_seven_of_ten_linked_respondents_is_paired_across_all_three_surveys() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let (mut pre, mut post, mut follow) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..10 {
        let id = format!("r{i}");
        pre.push(
            Respondent::complete(&id, &pre_i)
                .set("knowledge-signs", 1)
                .record("pre"),
        );
        post.push(
            post_respondent(&id, &post_i)
                .set("post-knowledge-signs", 5)
                .record("post"),
        );
        let later = if i < 7 { 5 } else { 2 };
        follow.push(
            post_respondent(&id, &post_i)
                .set("post-knowledge-signs", later)
                .record("f"),
        );
    }
    // Two follow-up respondents not linked to anyone: counted, never paired.
    for i in 0..2 {
        follow.push(post_respondent(&format!("new{i}"), &post_i).record("f"));
    }
    // A baseline respondent who did not answer the follow-up.
    pre.push(
        Respondent::complete("gone", &pre_i)
            .set("knowledge-signs", 1)
            .set("gender", 2)
            .record("pre"),
    );
    let analysis = analyse(&plan(), &dataset_with_follow_up(pre, post, Some(follow))).unwrap();
    let [wave] = analysis.over_time.as_slice() else {
        panic!("one wave: {:?}", analysis.over_time.len());
    };
    assert_eq!(wave.wave, "follow-up-3m");
    assert_eq!((wave.linked, wave.unlinked, wave.linked_kept), (10, 2, 10));
    let signs = wave
        .statements
        .iter()
        .find(|s| s.family == "knowledge-lot" && s.variable == "knowledge-signs")
        .unwrap();
    assert_eq!(signs.n, 10);
    assert_eq!(signs.shares, Some([0.0, 1.0, 0.7]));
    // The plan's declared changes: from before, and from after, to the follow-up.
    let declared = |id: &str| {
        analysis
            .changes
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} declared"))
    };
    let statement = |id: &str, family: &str| {
        declared(id)
            .statements
            .iter()
            .find(|s| s.family == family && s.variable == "knowledge-signs")
            .cloned()
            .unwrap()
    };
    let from_before = statement("before-to-3m", "knowledge-lot");
    assert_eq!((from_before.n, from_before.shares), (10, Some([0.0, 0.7])));
    let since_before = from_before.change.as_ref().unwrap();
    assert_eq!(since_before.table, [[0, 0], [7, 3]]);
    assert!((since_before.mcnemar_exact.p_value - 2.0 * 0.5f64.powi(7)).abs() < 1e-15);
    assert!((since_before.difference.newcombe.estimate - 0.7).abs() < 1e-12);
    let from_after = statement("after-to-3m", "knowledge-lot");
    let since_after = from_after.change.as_ref().unwrap();
    assert_eq!(since_after.table, [[7, 3], [0, 0]]);
    assert!((since_after.mcnemar_exact.p_value - 2.0 * 0.5f64.powi(3)).abs() < 1e-15);
    // The one who left before the follow-up is in neither pair.
    assert_eq!(from_after.n, 10);
    let retained = |family: &str| {
        analysis
            .retention
            .iter()
            .find(|r| r.id == "kept-at-3m")
            .unwrap()
            .statements
            .iter()
            .find(|s| s.family == family && s.variable == "knowledge-signs")
            .and_then(|s| s.retention.clone())
            .unwrap()
    };
    let kept = retained("knowledge-lot");
    assert_eq!((kept.successes, kept.trials), (7, 10));
    // Where fewer is better, the gain is leaving "knew very little or a little": the
    // same seven of ten kept it.
    let little = wave
        .statements
        .iter()
        .find(|s| s.family == "knowledge-little" && s.variable == "knowledge-signs")
        .unwrap();
    assert_eq!(little.shares, Some([1.0, 0.0, 0.3]));
    let kept = retained("knowledge-little");
    assert_eq!((kept.successes, kept.trials), (7, 10));
    // Holm across the declaration's statements: the other statements did not change, so
    // this p is the smallest and is multiplied by the number of p-values.
    let tested = declared("before-to-3m")
        .statements
        .iter()
        .filter(|s| s.change.is_some())
        .count() as f64;
    let adjusted = from_before.adjusted_p.unwrap();
    assert!((adjusted - (2.0 * 0.5f64.powi(7) * tested).min(1.0)).abs() < 1e-12);
    // Attrition at the one site: 11 kept before, 10 after and at the follow-up.
    let [row] = wave.attrition.as_slice() else {
        panic!("{:?}", wave.attrition);
    };
    assert_eq!((row.site.as_str(), row.arm.as_deref()), ("LA01", None));
    assert_eq!(row.responded, [11, 10, 10]);
    assert_eq!(row.completers, 10);
    // The one who left answered gender differently from every completer: a perfect 2x2
    // table of 11, chi-square 11 on 1 df, Cramér's V 1. The other baseline questions
    // had one answer only, so they cannot be tested.
    let gender = wave
        .completers
        .iter()
        .find(|c| c.variable == "gender")
        .unwrap();
    assert_eq!(gender.table, [vec![10, 0], vec![0, 1]]);
    assert!((gender.cramers_v.unwrap() - 1.0).abs() < 1e-12);
    let p = gender.chi_square_p.unwrap();
    assert!(p > 0.0009 && p < 0.00092, "{p}");
    let age = wave
        .completers
        .iter()
        .find(|c| c.variable == "age")
        .unwrap();
    assert_eq!(age.chi_square_p, None);
    // The Markdown says what the figures count.
    let text = skafada_analysis::render::markdown(&analysis);
    assert!(text.contains("## Change over time: follow-up-3m"), "{text}");
    assert!(
        text.contains("10 follow-up responses were linked"),
        "{text}"
    );
    assert!(text.contains("| 7 of 10 | 70 ["), "{text}");
    assert!(
        text.contains("### From before the training to three months after (`before-to-3m`: before the training to the follow-up-3m wave)"),
        "{text}"
    );
    assert!(text.contains("| LA01 | – | 11 | 10 | 10 | 10 |"), "{text}");
    assert!(text.contains("Cramér's V = 1.00"), "{text}");
}

#[test]
fn without_a_follow_up_wave_there_is_no_change_over_time() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let pre = vec![Respondent::complete("a", &pre_i).record("pre")];
    let post = vec![post_respondent("a", &post_i).record("post")];
    let analysis = analyse(&plan(), &dataset_with_follow_up(pre, post, None)).unwrap();
    assert!(analysis.over_time.is_empty());
    let json = serde_json::to_string(&analysis).unwrap();
    assert!(!json.contains("over_time"));
}

#[test]
fn a_declared_change_between_the_follow_up_and_a_wave_the_data_lack_says_why_it_is_missing() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let pre = vec![Respondent::complete("a", &pre_i).record("pre")];
    let post = vec![post_respondent("a", &post_i).record("post")];
    let follow = vec![post_respondent("a", &post_i).record("f")];
    let text = super::PLAN.replace(
        "from = \"post\"\nto = \"follow-up-3m\"",
        "from = \"follow-up-3m\"\nto = \"follow-up-12m\"",
    );
    let plan = skafada_analysis::plan::Plan::parse(&text, "plan.toml").unwrap();
    let analysis = analyse(&plan, &dataset_with_follow_up(pre, post, Some(follow))).unwrap();
    let missing = analysis
        .changes
        .iter()
        .find(|c| c.id == "after-to-3m")
        .unwrap();
    assert_eq!(
        missing.unavailable.as_deref(),
        Some("the data have no follow-up wave `follow-up-12m`")
    );
    assert!(missing.statements.is_empty());
    let markdown = skafada_analysis::render::markdown(&analysis);
    assert!(
        markdown.contains("Not computed: the data have no follow-up wave `follow-up-12m`."),
        "{markdown}"
    );
}

#[test]
fn a_plan_declaring_no_change_says_none_is_tested() {
    let (pre_i, post_i) = (pre_instrument(), post_instrument());
    let pre = vec![Respondent::complete("a", &pre_i).record("pre")];
    let post = vec![post_respondent("a", &post_i).record("post")];
    let follow = vec![post_respondent("a", &post_i).record("f")];
    let mut plan = super::plan();
    plan.change.clear();
    plan.retention.clear();
    let analysis = analyse(&plan, &dataset_with_follow_up(pre, post, Some(follow))).unwrap();
    assert_eq!(analysis.over_time.len(), 1);
    let markdown = skafada_analysis::render::markdown(&analysis);
    assert!(
        markdown.contains("The plan declares no `[[change]]` or `[[retention]]`, so no change over time is tested."),
        "{markdown}"
    );
}
