//! Delivery arms compared, as the plan's `[[arm-comparison]]` declarations say: for each
//! statement of the declared `[[prepost]]` families, the share improving in each arm
//! from one survey to a later one (among respondents not giving the favourable answer in
//! the first who answered the second, those giving it there), and the declared pair of
//! arms (or every pair) compared ([`crate::change::compare_arms`]: Newcombe's interval
//! for the difference, the pooled z-test, Cohen's h), the p-values Holm-adjusted across
//! the declaration's comparisons. A respondent's arm is their own allocation, else their
//! site's (`arms.csv`), found from their pre-training record. Records are those the
//! analysis's cleaning kept, as for [`crate::over_time`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::change::{ArmComparison, Improvement, compare_arms};
use crate::data::Dataset;
use crate::over_time::{Kept, grid, holm, kept_rows, score, statement_scoring, survey};
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
    /// The first arm (in id order) and the second.
    pub arms: [String; 2],
    /// The comparison, first minus second; `None` when an arm has nobody who could
    /// improve.
    pub comparison: Option<ArmComparison>,
    /// The z-test's p-value, Holm-adjusted across the declaration's comparisons.
    pub adjusted_p: Option<f64>,
}

/// An `[[arm-comparison]]` of the plan, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclaredArms {
    /// The declaration's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The earlier survey (`pre`, `post` or a wave id).
    pub from: String,
    /// The later survey.
    pub to: String,
    /// Why nothing could be compared (a survey or arm the data do not have); `None`
    /// otherwise.
    pub unavailable: Option<String>,
    /// Each statement and pair of arms.
    pub statements: Vec<ArmStatement>,
}

/// The delivery arms compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByArm {
    /// Each arm's size.
    pub arms: Vec<ArmSize>,
    /// Kept pre-training respondents with no arm (their site was not allocated).
    pub without_arm: u64,
    /// Each of the plan's `[[arm-comparison]]` declarations.
    pub comparisons: Vec<DeclaredArms>,
}

/// Compares the delivery arms as the plan declares, when the data have an allocation
/// (`arms.csv`) and a post-training survey; `None` otherwise.
pub fn by_arm(plan: &Plan, dataset: &Dataset, kept: &Kept<'_>) -> Option<ByArm> {
    let post_instrument = dataset.post_instrument.as_ref()?;
    if dataset.post.is_none() || dataset.arms.is_empty() {
        return None;
    }
    let arms = dataset.arm_index();
    // Each kept pre-training respondent's arm.
    let mut arm_of: BTreeMap<String, String> = BTreeMap::new();
    let mut without_arm = 0;
    for row in (0..dataset.pre.len()).filter(|r| kept.pre.get(*r).copied().unwrap_or(false)) {
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
    let mut comparisons = Vec::new();
    for declared in &plan.arm_comparison {
        let mut result = DeclaredArms {
            id: declared.id.clone(),
            title: declared.title.clone(),
            from: declared.from.clone(),
            to: declared.to.clone(),
            unavailable: None,
            statements: Vec::new(),
        };
        let pairs: Vec<[String; 2]> = match declared.arms.as_slice() {
            [first, second] => vec![[first.clone(), second.clone()]],
            _ => names
                .iter()
                .enumerate()
                .flat_map(|(i, first)| {
                    names[i + 1..]
                        .iter()
                        .map(move |second| [first.clone(), second.clone()])
                })
                .collect(),
        };
        let missing_arm = declared
            .arms
            .iter()
            .find(|arm| !names.contains(arm))
            .map(|arm| format!("no kept respondent is in the arm `{arm}`"));
        let surveys = survey(dataset, kept, &declared.from)
            .and_then(|from| Ok((from, survey(dataset, kept, &declared.to)?)));
        let (from, to) = match (surveys, missing_arm) {
            (Ok(found), None) => found,
            (Err(reason), _) | (Ok(_), Some(reason)) => {
                result.unavailable = Some(reason);
                comparisons.push(result);
                continue;
            }
        };
        let (from_rows, to_rows) = (
            kept_rows(from.responses, from.keep),
            kept_rows(to.responses, to.keep),
        );
        // Respondents kept in both surveys, with their arm.
        let linked: Vec<(usize, usize, &str)> = arm_of
            .iter()
            .filter_map(|(id, arm)| Some((*from_rows.get(id)?, *to_rows.get(id)?, arm.as_str())))
            .collect();
        for family in plan
            .prepost
            .iter()
            .filter(|p| declared.families.contains(&p.id))
        {
            let Some((grid_rows, options)) = grid(&dataset.pre_instrument, &family.item) else {
                continue;
            };
            for row in grid_rows {
                // The plan refuses families without a direction here, so a statement
                // without one is one with no twin or answer key.
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
                                    from.responses,
                                    from.variable(row, &scoring),
                                    a,
                                    &scoring.counts,
                                )),
                                scoring.favourable(score(
                                    to.responses,
                                    to.variable(row, &scoring),
                                    b,
                                    &scoring.counts,
                                )),
                            )
                        },
                    ))
                };
                for [first, second] in &pairs {
                    result.statements.push(ArmStatement {
                        family: family.id.clone(),
                        family_title: family.title.clone(),
                        variable: row.id.clone(),
                        text: row.text.clone(),
                        arms: [first.clone(), second.clone()],
                        comparison: compare_arms(improvement(first), improvement(second), 0.95)
                            .ok(),
                        adjusted_p: None,
                    });
                }
            }
        }
        let p_values: Vec<Option<f64>> = result
            .statements
            .iter()
            .map(|s| {
                s.comparison
                    .as_ref()
                    .and_then(|c| c.test.as_ref())
                    .map(|t| t.p_value)
            })
            .collect();
        for (statement, adjusted) in result.statements.iter_mut().zip(holm(&p_values)) {
            statement.adjusted_p = adjusted;
        }
        comparisons.push(result);
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
        comparisons,
    })
}
