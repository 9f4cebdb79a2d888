//! Delivery arms compared: for each statement of the plan's `[[prepost]]` families, the
//! share improving in each arm (among respondents not counted before the training who
//! answered the later survey, those counted at it) from before the training to after it,
//! and to each follow-up wave, and every pair of arms compared
//! ([`crate::change::compare_arms`]: Newcombe's interval for the difference, the pooled
//! z-test, Cohen's h), the p-values Holm-adjusted across all comparisons. A respondent's
//! arm is their own allocation, else their site's (`arms.csv`). Records are those the
//! analysis's cleaning kept, as for [`crate::over_time`].

use std::collections::BTreeMap;

use serde::Serialize;
use skafada_stats::{AdjustMethod, adjust_p_values};

use crate::change::{ArmComparison, Improvement, compare_arms};
use crate::data::{Dataset, Responses};
use crate::over_time::{Kept, grid, kept_rows, score, statement_scoring};
use crate::plan::Plan;

/// How many kept pre-training respondents each arm has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmSize {
    /// The arm's id.
    pub arm: String,
    /// Respondents kept in the pre-training survey.
    pub respondents: u64,
}

/// Two arms compared on one statement, from before the training to a later survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmStatement {
    /// The family and what it counts.
    pub family: String,
    /// What the share counts.
    pub family_title: String,
    /// The pre-training statement's variable.
    pub variable: String,
    /// The statement.
    pub text: String,
    /// The later survey: `post` or a follow-up wave's id.
    pub to: String,
    /// The first arm (in id order) and the second.
    pub arms: [String; 2],
    /// The comparison, first minus second; `None` when an arm has nobody who could
    /// improve.
    pub comparison: Option<ArmComparison>,
    /// The z-test's p-value, Holm-adjusted across every comparison.
    pub adjusted_p: Option<f64>,
}

/// The delivery arms compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByArm {
    /// Each arm's size.
    pub arms: Vec<ArmSize>,
    /// Kept pre-training respondents with no arm (their site was not allocated).
    pub without_arm: u64,
    /// Each statement, later survey and pair of arms.
    pub statements: Vec<ArmStatement>,
}

/// Compares the delivery arms, when the data have an allocation (`arms.csv`) and a
/// post-training survey; `None` otherwise.
pub fn by_arm(plan: &Plan, dataset: &Dataset, kept: &Kept<'_>) -> Option<ByArm> {
    let (Some(post_instrument), Some(post)) = (&dataset.post_instrument, &dataset.post) else {
        return None;
    };
    if dataset.arms.is_empty() {
        return None;
    }
    let pre_keep = kept.pre;
    let arms = dataset.arm_index();
    // Each kept pre-training respondent's arm.
    let mut arm_of: BTreeMap<String, String> = BTreeMap::new();
    let mut without_arm = 0;
    for row in (0..dataset.pre.len()).filter(|r| pre_keep.get(*r).copied().unwrap_or(false)) {
        let (Some(id), Some(site)) = (
            dataset.pre.respondent_id.get(row),
            dataset
                .pre
                .site
                .get(row)
                .and_then(|s| dataset.sites.get(*s)),
        ) else {
            continue;
        };
        match arms.arm(id, &site.site) {
            Some(arm) => {
                arm_of.insert(id.clone(), arm.to_owned());
            }
            None => without_arm += 1,
        }
    }
    let mut sizes: BTreeMap<&str, u64> = BTreeMap::new();
    for arm in arm_of.values() {
        *sizes.entry(arm).or_default() += 1;
    }
    let names: Vec<String> = sizes.keys().map(|a| (*a).to_owned()).collect();
    let pre_rows = kept_rows(&dataset.pre, pre_keep);
    let mut later: Vec<(String, &Responses, &[bool])> = vec![("post".to_owned(), post, kept.post)];
    later.extend(
        dataset
            .follow_up
            .iter()
            .zip(kept.follow_up)
            .map(|((id, r), keep)| (id.clone(), r, keep.as_slice())),
    );
    let mut statements = Vec::new();
    for (to, responses, keep) in later {
        let rows = kept_rows(responses, keep);
        // Respondents kept before and at the later survey, with their arm.
        let linked: Vec<(usize, usize, &str)> = arm_of
            .iter()
            .filter_map(|(id, arm)| Some((*pre_rows.get(id)?, *rows.get(id)?, arm.as_str())))
            .collect();
        for family in &plan.prepost {
            let Some((grid_rows, options)) = grid(&dataset.pre_instrument, &family.item) else {
                continue;
            };
            for row in grid_rows {
                // Improving is a move to the favourable answer, so a family that expects
                // no direction has nothing to compare.
                let Some(scoring) = statement_scoring(plan, family, post_instrument, row, options)
                    .filter(|s| s.favourable.is_some())
                else {
                    continue;
                };
                let improvement = |arm: &str| {
                    Improvement::count(linked.iter().filter(|(_, _, a)| *a == arm).map(
                        |&(a, b, _)| {
                            (
                                scoring.favourable(score(
                                    &dataset.pre,
                                    &row.id,
                                    a,
                                    &scoring.counts,
                                )),
                                scoring.favourable(score(
                                    responses,
                                    &scoring.later,
                                    b,
                                    &scoring.counts,
                                )),
                            )
                        },
                    ))
                };
                for (i, first) in names.iter().enumerate() {
                    for second in &names[i + 1..] {
                        statements.push(ArmStatement {
                            family: family.id.clone(),
                            family_title: family.title.clone(),
                            variable: row.id.clone(),
                            text: row.text.clone(),
                            to: to.clone(),
                            arms: [first.clone(), second.clone()],
                            comparison: compare_arms(improvement(first), improvement(second), 0.95)
                                .ok(),
                            adjusted_p: None,
                        });
                    }
                }
            }
        }
    }
    let p_values: Vec<Option<f64>> = statements
        .iter()
        .map(|s| {
            s.comparison
                .as_ref()
                .and_then(|c| c.test.as_ref())
                .map(|t| t.p_value)
        })
        .collect();
    let present: Vec<f64> = p_values.iter().flatten().copied().collect();
    let mut adjusted = adjust_p_values(&present, AdjustMethod::Holm)
        .unwrap_or_default()
        .into_iter();
    for (statement, p) in statements.iter_mut().zip(&p_values) {
        if p.is_some() {
            statement.adjusted_p = adjusted.next();
        }
    }
    Some(ByArm {
        arms: sizes
            .into_iter()
            .map(|(arm, respondents)| ArmSize {
                arm: arm.to_owned(),
                respondents,
            })
            .collect(),
        without_arm,
        statements,
    })
}
