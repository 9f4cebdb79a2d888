//! Findings sentences take their numbers from the analysis.

use skafada_analysis::run::{AssociationResult, Paired, PrePostResult, Proportion};
use skafada_report::findings;

use crate::{frequency, matrix};

#[test]
fn a_yes_share_becomes_a_sentence_from_the_table_title() {
    let table = frequency(
        "table-14",
        "Personal experience of domestic abuse in private or family life",
        &[
            ("Yes", 136, 39.1),
            ("No", 176, 50.6),
            ("Prefer not to say", 36, 10.3),
        ],
    );
    assert_eq!(
        findings::table(&table),
        ["39.1% had personal experience of domestic abuse in private or family life."]
    );
    // Other numbers, other sentence: nothing is a constant.
    let table = frequency(
        "table-14",
        "Personal experience of domestic abuse",
        &[("Yes", 1, 12.5), ("No", 7, 87.5)],
    );
    assert_eq!(
        findings::table(&table),
        ["12.5% had personal experience of domestic abuse."]
    );
}

#[test]
fn a_question_title_is_quoted_and_a_table_without_yes_names_its_largest_group() {
    let table = frequency(
        "table-6",
        "Do you consider yourself to have a disability?",
        &[("Yes", 43, 12.4), ("No", 290, 83.8)],
    );
    assert_eq!(
        findings::table(&table),
        ["12.4% answered “Yes” to “Do you consider yourself to have a disability?”."]
    );
    let table = frequency(
        "table-7",
        "Time with current employer",
        &[("Up to 5 years", 149, 42.6), ("11+years", 147, 42.0)],
    );
    assert_eq!(
        findings::table(&table),
        ["The largest group for “time with current employer” was “Up to 5 years” (42.6%)."]
    );
}

fn trained(significant: bool) -> AssociationResult {
    AssociationResult {
        family: "by-training".into(),
        family_title: "previous domestic abuse training".into(),
        by: "trained".into(),
        outcome: "agree3:document".into(),
        outcome_text: "I am confident I can document domestic abuse accurately and confidentially"
            .into(),
        row_levels: vec!["Yes".into(), "No".into()],
        col_levels: vec![
            "Strongly disagree / disagree".into(),
            "Neither agree nor disagree".into(),
            "Agree / strongly agree".into(),
        ],
        counts: vec![vec![15, 45, 240], vec![11, 14, 25]],
        row_percentages: vec![vec![5.0, 15.0, 80.0], vec![22.0, 28.0, 50.0]],
        n: 350,
        chi2: 25.1,
        df: 2,
        p: 0.00002,
        p_adjusted: 0.0004,
        adjustment: "holm",
        g2: 22.0,
        p_g2: 0.00001,
        fisher_p: None,
        fisher_method: None,
        fisher_samples: None,
        fisher_seed: None,
        p_basis: "pearson",
        cramers_v: 0.268,
        cramers_v_ci: Some([0.16, 0.37]),
        significant,
        warnings: Vec::new(),
    }
}

#[test]
fn an_association_says_who_was_more_likely_to_answer_what_with_p_adjusted_p_and_v() {
    assert_eq!(
        findings::association(&trained(true)),
        "Respondents answering “Yes” on previous domestic abuse training were more likely than those answering “No” to answer “Agree / strongly agree” to “I am confident I can document domestic abuse accurately and confidentially” (80% vs 50%; p < .001, adjusted p < .001, V = 0.27)."
    );
}

#[test]
fn a_family_summary_counts_the_significant_tests_and_the_group_share_comes_from_the_counts() {
    let (a, b) = (trained(true), trained(false));
    let sentences = findings::association_family(&[&a, &b], 5);
    assert_eq!(
        sentences[0],
        "1 of 2 tests of association with previous domestic abuse training were significant after Holm adjustment."
    );
    assert_eq!(sentences.len(), 2);
    assert_eq!(
        findings::group_share(&[&a]).unwrap(),
        "85.7% of the 350 respondents who answered reported previous domestic abuse training."
    );
}

#[test]
fn a_grouped_figure_names_the_largest_difference_between_series() {
    let sentences = findings::grouped_figure(
        &["Parents".into(), "Children and young people".into()],
        &[
            ("Referred to a specialist service".into(), vec![58.0, 38.0]),
            ("Talked".into(), vec![60.0, 61.0]),
        ],
    );
    assert_eq!(
        sentences,
        [
            "For 1 of 2 items the share was higher for parents than for children and young people; the largest difference was for “Referred to a specialist service” (58% vs 38%)."
        ]
    );
}

#[test]
fn a_scale_figure_names_where_agreement_was_highest_and_lowest() {
    let table = matrix(
        "figure-1",
        "Confidence",
        &[
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
        ],
        &[
            ("Referrals", &[1.0, 4.0, 7.0, 60.0, 28.0]),
            ("Recording", &[3.0, 12.0, 25.0, 45.0, 15.0]),
        ],
    );
    let sentences = findings::scale_figure(&table);
    assert_eq!(
        sentences[0],
        "“Agree” or “Strongly agree” was most common for “Referrals” (88%) and least common for “Recording” (60%)."
    );
    assert_eq!(
        sentences[1],
        "“Strongly disagree” was highest for “Recording” (3%)."
    );
}

fn proportion(x: u64, n: u64) -> Proportion {
    Proportion {
        x,
        n,
        p: x as f64 / n as f64,
        ci: [0.0, 1.0],
    }
}

fn knew_a_lot(text: &str) -> PrePostResult {
    PrePostResult {
        family: "knowledge-lot".into(),
        family_title: "Knew quite a bit or a lot".into(),
        pre_variable: "knowledge:dash".into(),
        post_variable: "post-knowledge:dash".into(),
        text: text.into(),
        pre: proportion(71, 110),
        post: proportion(100, 120),
        difference: 0.19,
        difference_ci: [0.08, 0.3],
        z: 3.72,
        p: 0.0001,
        alternative: "greater",
        reverse: false,
        p_adjusted: 0.0009,
        significant: true,
        p_two_sided: 0.0002,
        p_two_sided_adjusted: 0.0018,
        worse: false,
        paired: Some(Paired {
            n: 40,
            stayed: 20,
            left: 2,
            joined: 12,
            before: 0.55,
            after: 0.8,
            mcnemar_p: Some(0.0129),
            mcnemar_p_adjusted: Some(0.0021),
            significant: true,
            wilcoxon_p: Some(0.003),
            wilcoxon_method: Some("exact".into()),
        }),
    }
}

#[test]
fn a_pre_post_family_leads_with_the_paired_tests_and_labels_the_published_method() {
    let changed = knew_a_lot("DASH and risk assessment tools");
    let mut unchanged = knew_a_lot("Impact on young people");
    unchanged.significant = false;
    if let Some(paired) = unchanged.paired.as_mut() {
        paired.significant = false;
    }
    let sentences = findings::prepost_family(&[&changed, &unchanged], "holm", 0.01);
    assert_eq!(
        sentences,
        [
            "Knew quite a bit or a lot: among respondents linked across both surveys, 1 of 2 statements changed significantly (McNemar's exact test, two-sided, Holm adjustment, significance level .01).",
            "“DASH and risk assessment tools”: among 40 linked respondents, 55.0% knew quite a bit or a lot before training and 80.0% after (12 moved in, 2 moved out; McNemar p = .013, adjusted p = .002).",
            "No statement moved significantly against the expected direction (two-sided tests, Holm adjustment, significance level .01).",
            "The published method, replicated (unpaired z-tests, one-tailed in the expected direction): 1 of 2 statements changed significantly after Holm adjustment.",
        ]
    );
}

#[test]
fn a_statement_that_got_worse_is_named_whatever_the_one_tailed_test_says() {
    let mut fell = knew_a_lot("Coercive control");
    fell.pre = proportion(60, 100);
    fell.post = proportion(30, 100);
    fell.significant = false;
    fell.worse = true;
    fell.reverse = true;
    let sentences = findings::prepost_family(&[&fell], "holm", 0.01);
    assert!(
        sentences.contains(&"Got worse after training: “Coercive control” (worded negatively: the expected change is the other way): knew quite a bit or a lot went from 60.0% to 30.0% (two-sided, significant after adjustment).".to_owned()),
        "{sentences:#?}"
    );
}
