//! The plan's `[[change]]`, `[[retention]]` and `[[arm-comparison]]` declarations are
//! checked when the plan is read, each refusal naming the declaration and what is wrong.

use skafada_analysis::plan::Plan;

use super::PLAN;

/// The shipped plan with `extra` appended, parsed; the error message when refused.
fn refused(extra: &str) -> String {
    match Plan::parse(&format!("{PLAN}\n{extra}"), "plan.toml") {
        Ok(_) => panic!("accepted: {extra}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_shipped_plan_declares_changes_retention_and_arm_comparisons() {
    let plan = super::plan();
    assert_eq!(
        plan.change
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["before-to-3m", "after-to-3m"]
    );
    assert_eq!(plan.retention.len(), 1);
    assert_eq!(plan.arm_comparison.len(), 2);
}

#[test]
fn a_declaration_naming_an_unknown_family_is_refused_by_name() {
    let message = refused(
        "[[change]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-most\"]\nfrom = \"pre\"\nto = \"post\"\n",
    );
    assert_eq!(
        message,
        "plan.toml: [[change]] `x` names the family `knowledge-most`, which is not a [[prepost]] id"
    );
}

#[test]
fn retention_and_arm_comparisons_need_a_family_with_a_direction() {
    let two_sided = PLAN.replace(
        "key = \"correct\"\nalternative = \"greater\"",
        "key = \"correct\"\nalternative = \"two-sided\"",
    );
    let message = Plan::parse(&two_sided, "plan.toml")
        .map(|_| ())
        .unwrap_err();
    assert!(
        message.to_string().contains(
            "[[retention]] `kept-at-3m` names the family `attitudes-correct`, which expects no direction"
        ),
        "{message}"
    );
}

#[test]
fn a_change_must_go_from_an_earlier_survey_to_a_later_one() {
    let itself = refused(
        "[[change]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nfrom = \"post\"\nto = \"post\"\n",
    );
    assert!(
        itself.ends_with("compares `post` with itself; `from` and `to` must be two surveys"),
        "{itself}"
    );
    let backwards = refused(
        "[[change]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nfrom = \"post\"\nto = \"pre\"\n",
    );
    assert!(
        backwards.contains("the later survey cannot be the one before the training"),
        "{backwards}"
    );
    let from_wave = refused(
        "[[arm-comparison]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nfrom = \"follow-up-3m\"\nto = \"post\"\n",
    );
    assert!(
        from_wave.contains("goes from the follow-up wave `follow-up-3m` back to `post`"),
        "{from_wave}"
    );
}

#[test]
fn retention_is_measured_at_a_follow_up_wave_and_arms_come_in_pairs() {
    let at_post = refused(
        "[[retention]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nwave = \"post\"\n",
    );
    assert!(
        at_post.contains("retention is measured at a follow-up wave"),
        "{at_post}"
    );
    let one_arm = refused(
        "[[arm-comparison]]\nid = \"x\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nfrom = \"pre\"\nto = \"post\"\narms = [\"online\"]\n",
    );
    assert!(
        one_arm.contains("give two different arms, or none to compare every pair"),
        "{one_arm}"
    );
    let twice = refused(
        "[[retention]]\nid = \"before-to-3m\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nwave = \"follow-up-3m\"\n",
    );
    assert!(
        twice.contains("[[retention]] identifier `before-to-3m` is used twice"),
        "{twice}"
    );
    let unknown_key = refused(
        "[[retention]]\nid = \"y\"\ntitle = \"t\"\nfamilies = [\"knowledge-lot\"]\nwave = \"follow-up-3m\"\nwaves = [\"pre\"]\n",
    );
    assert!(
        unknown_key.contains("unknown field `waves`"),
        "{unknown_key}"
    );
}
