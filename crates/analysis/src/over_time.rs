//! Change over time across follow-up waves.
//!
//! For each follow-up wave ([`over_time`]): how many of its responses were linked, each
//! statement of the plan's pre/post families (`[[prepost]]`) with its share counted a
//! success before the training, after it and at the wave among the respondents who
//! answered it all three times (so the three shares are of the same people), and
//! attrition by site and arm with the completers' check.
//!
//! The tests are the plan's to declare: [`changes`] computes each `[[change]]` (the
//! within-person change between two surveys, [`crate::change::within_person`]:
//! McNemar's exact test Holm-adjusted across the declaration's statements, and
//! Newcombe's interval), and [`retentions`] each `[[retention]]`
//! ([`crate::change::retention`]). A declaration naming a survey the data do not have
//! carries the reason instead of being left out.
//!
//! Records are those the analysis's cleaning kept, each survey by its own rules (a
//! follow-up by the post-training survey's, whose instrument it answers), computed once
//! and passed in ([`Kept`]). How many were linked, and how many of those were kept, is
//! part of the result, so that no figure stands without its base.

use std::collections::HashMap;

use serde::Serialize;
use skafada_instrument::{Instrument, ItemKind};
use skafada_stats::{AdjustMethod, ProportionInterval, adjust_p_values};

use crate::change::{
    AttritionRow, Participation, WithinPerson, attrition, completers_vs_others, retention,
    within_person,
};
use crate::data::{Dataset, MISSING, Responses};
use crate::plan::{AFTER, BEFORE, DeriveRule, Direction, Plan, PrePost};

/// One statement's change across the three surveys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementOverTime {
    /// The family (`[[prepost]]` id) and what it counts.
    pub family: String,
    /// What the share counts, e.g. "Knew quite a bit or a lot".
    pub family_title: String,
    /// The pre-training statement's variable.
    pub variable: String,
    /// The statement.
    pub text: String,
    /// Respondents who answered the statement in all three surveys.
    pub n: u64,
    /// The share counted a success before the training, after it and at the follow-up,
    /// among those `n`; `None` when `n` is 0.
    pub shares: Option<[f64; 3]>,
}

/// One statement's within-person change between the two surveys of a `[[change]]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementChange {
    /// The family (`[[prepost]]` id).
    pub family: String,
    /// What the family counts, e.g. "Knew quite a bit or a lot".
    pub family_title: String,
    /// The pre-training statement's variable.
    pub variable: String,
    /// The statement.
    pub text: String,
    /// Respondents kept in both surveys who gave a counted answer in both.
    pub n: u64,
    /// The share counted in the earlier and the later survey among those `n`; `None`
    /// when `n` is 0.
    pub shares: Option<[f64; 2]>,
    /// McNemar's tests and Newcombe's interval; `None` when `n` is 0.
    pub change: Option<WithinPerson>,
    /// McNemar's exact p Holm-adjusted across the declaration's statements.
    pub adjusted_p: Option<f64>,
}

/// A `[[change]]` of the plan, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclaredChange {
    /// The declaration's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The earlier survey (`pre`, `post` or a wave id).
    pub from: String,
    /// The later survey.
    pub to: String,
    /// Why nothing could be computed (a survey the data do not have); `None` otherwise.
    pub unavailable: Option<String>,
    /// Each statement of the declared families.
    pub statements: Vec<StatementChange>,
}

/// One statement's retention of the training's gain at a follow-up wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementRetention {
    /// The family (`[[prepost]]` id).
    pub family: String,
    /// What the family counts.
    pub family_title: String,
    /// The pre-training statement's variable.
    pub variable: String,
    /// The statement.
    pub text: String,
    /// Of those kept in all three surveys whose answer became the favourable one during
    /// the training, the share still giving it at the wave, with its Wilson interval;
    /// `None` when nobody gained.
    pub retention: Option<ProportionInterval>,
}

/// A `[[retention]]` of the plan, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclaredRetention {
    /// The declaration's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The follow-up wave.
    pub wave: String,
    /// Why nothing could be computed (a wave the data do not have); `None` otherwise.
    pub unavailable: Option<String>,
    /// Each statement of the declared families.
    pub statements: Vec<StatementRetention>,
}

/// The follow-up wave compared with the two surveys of the training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverTime {
    /// The wave's id.
    pub wave: String,
    /// Follow-up records whose respondent has a pre-training record.
    pub linked: u64,
    /// Of those, respondents whose records are kept in all three surveys.
    pub linked_kept: u64,
    /// Follow-up records with no earlier record (not linked, or new to the study).
    pub unlinked: u64,
    /// Each statement.
    pub statements: Vec<StatementOverTime>,
    /// Respondents kept before the training, after it and at the follow-up, and in all
    /// three, by site and delivery arm.
    pub attrition: Vec<AttritionRow>,
    /// Those kept in all three surveys against the rest of the kept pre-training
    /// respondents, on each of the plan's `[attrition] baseline` questions.
    pub completers: Vec<CompletersCompared>,
}

/// Completers against the rest on one baseline question: the check for attrition bias.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletersCompared {
    /// The pre-training question.
    pub variable: String,
    /// Its text.
    pub text: String,
    /// Its codes, in the table's column order, with their labels.
    pub categories: Vec<(i32, String)>,
    /// Completers (row 0) and the rest (row 1) in each category.
    pub table: Vec<Vec<u64>>,
    /// Pearson's chi-square test of the table; `None` when it cannot be tested
    /// (everyone completed, or everyone gave one answer).
    pub chi_square_p: Option<f64>,
    /// Cramér's V.
    pub cramers_v: Option<f64>,
}

/// Which records the cleaning kept in each survey, by record: computed once by the
/// analysis ([`crate::run::analyse`]) and shared by every figure across waves and arms.
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a> {
    /// The pre-training survey's.
    pub pre: &'a [bool],
    /// The post-training survey's.
    pub post: &'a [bool],
    /// Each follow-up wave's, in the data's order.
    pub follow_up: &'a [Vec<bool>],
}

/// A change in percentage points with its 95% interval ("+70 [+35, +89]"), or a dash
/// when it could not be computed.
pub fn change_points(change: &Option<WithinPerson>) -> String {
    change.as_ref().map_or_else(
        || "–".to_owned(),
        |c| {
            let d = &c.difference.newcombe;
            format!(
                "{:+.0} [{:+.0}, {:+.0}]",
                100.0 * d.estimate,
                100.0 * d.lower,
                100.0 * d.upper
            )
        },
    )
}

/// A survey named as the plan names it, for readers: "before the training", "after the
/// training", or "the follow-up-3m wave".
pub fn survey_title(name: &str) -> String {
    match name {
        BEFORE => "before the training".to_owned(),
        AFTER => "after the training".to_owned(),
        wave => format!("the {wave} wave"),
    }
}

/// Why change over time could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverTimeError {
    /// The export has no post-training survey, which the follow-up answers again.
    #[error("change over time needs the post-training survey: the export has none")]
    NoPostSurvey,
    /// A family names a statement group the instrument does not have.
    #[error(
        "[[prepost]] `{family}` names `{item}`, which is not a grid of the pre-training survey"
    )]
    UnknownItem {
        /// The family.
        family: String,
        /// The item.
        item: String,
    },
}

/// How each code of a statement counts.
fn counts(options: &[skafada_instrument::Choice], success: &[u32]) -> HashMap<i32, bool> {
    options
        .iter()
        .filter(|choice| choice.missing.is_none())
        .filter_map(|choice| {
            i32::try_from(choice.code)
                .ok()
                .map(|code| (code, success.contains(&choice.code)))
        })
        .collect()
}

/// A grid of the pre-training survey: its rows and options.
pub(crate) fn grid<'a>(
    instrument: &'a Instrument,
    item: &str,
) -> Option<(
    &'a [skafada_instrument::Row],
    &'a [skafada_instrument::Choice],
)> {
    instrument.items().find_map(|i| match &i.kind {
        ItemKind::Matrix { rows, options, .. } if i.id == item => {
            Some((rows.as_slice(), options.as_slice()))
        }
        _ => None,
    })
}

/// The post-training row repeating a pre-training one, and whether it is negatively
/// worded.
fn twin(post: &Instrument, pre_row: &str) -> Option<(String, bool)> {
    post.items().find_map(|item| match &item.kind {
        ItemKind::Matrix { rows, .. } => rows
            .iter()
            .find(|r| r.twin.as_deref() == Some(pre_row))
            .map(|r| (r.id.clone(), r.reverse)),
        _ => None,
    })
}

/// The answer key of a derived variable, by statement.
fn answer_key<'a>(plan: &'a Plan, id: &str) -> Option<&'a std::collections::BTreeMap<String, u32>> {
    plan.derive
        .iter()
        .find(|d| d.id == id)
        .and_then(|d| match &d.rule {
            DeriveRule::AnswerKey { key } => Some(key),
            _ => None,
        })
}

/// How a statement is scored for a family.
pub(crate) struct Scoring {
    /// The post-training twin's variable.
    pub(crate) later: String,
    /// Whether each substantive code is counted.
    pub(crate) counts: HashMap<i32, bool>,
    /// Whether being counted is the favourable answer (`true` when the family expects
    /// the share to rise, `false` when it expects it to fall, each turned round for a
    /// negatively worded statement); `None` when the family expects no direction.
    pub(crate) favourable: Option<bool>,
}

impl Scoring {
    /// An answer's score turned to "is the favourable answer"; `None` when the family
    /// has no direction or the answer is not counted at all.
    pub(crate) fn favourable(&self, counted: Option<bool>) -> Option<bool> {
        Some(counted? == self.favourable?)
    }
}

/// A pre-training statement's twin after the training and how each of its codes counts
/// for the family; `None` when it has no twin, or the family's answer key does not
/// cover it.
pub(crate) fn statement_scoring(
    plan: &Plan,
    family: &PrePost,
    post_instrument: &Instrument,
    row: &skafada_instrument::Row,
    options: &[skafada_instrument::Choice],
) -> Option<Scoring> {
    let (later, reverse) = twin(post_instrument, &row.id)?;
    let success: Vec<u32> = match &family.key {
        Some(key) => vec![*answer_key(plan, key)?.get(&row.id)?],
        None => family.success.clone(),
    };
    let favourable = match family.alternative {
        Direction::Greater => Some(!reverse),
        Direction::Less => Some(reverse),
        Direction::TwoSided => None,
    };
    Some(Scoring {
        later,
        counts: counts(options, &success),
        favourable,
    })
}

/// Each kept record's row by respondent.
pub(crate) fn kept_rows(data: &Responses, keep: &[bool]) -> HashMap<String, usize> {
    (0..data.len())
        .filter(|row| keep.get(*row).copied().unwrap_or(false))
        .filter_map(|row| data.respondent_id.get(row).map(|id| (id.clone(), row)))
        .collect()
}

/// A record's answer to a statement, scored: `None` when not answered or not a
/// substantive answer.
pub(crate) fn score(
    data: &Responses,
    variable: &str,
    row: usize,
    counts: &HashMap<i32, bool>,
) -> Option<bool> {
    let value = data.values(variable)?.get(row)?;
    if value == MISSING {
        return None;
    }
    counts.get(&value).copied()
}

/// Change over time between the training's two surveys and one follow-up wave, whose
/// records answer the post-training instrument and carry the baseline's respondent id
/// where they were linked.
///
/// # Errors
/// [`OverTimeError`] when the export has no post-training survey or the plan names a
/// statement group the survey does not have.
pub fn over_time(
    plan: &Plan,
    dataset: &Dataset,
    wave: &str,
    follow_up: &Responses,
    kept: &Kept<'_>,
    follow_keep: &[bool],
) -> Result<OverTime, OverTimeError> {
    let (Some(post_instrument), Some(post)) = (&dataset.post_instrument, &dataset.post) else {
        return Err(OverTimeError::NoPostSurvey);
    };
    let (pre_keep, post_keep) = (kept.pre, kept.post);
    let pre_rows = kept_rows(&dataset.pre, pre_keep);
    let post_rows = kept_rows(post, post_keep);
    let earlier: std::collections::HashSet<&str> = dataset
        .pre
        .respondent_id
        .iter()
        .map(String::as_str)
        .collect();
    let linked = follow_up
        .respondent_id
        .iter()
        .filter(|id| earlier.contains(id.as_str()))
        .count() as u64;
    // Respondents kept in all three surveys, with their rows.
    let triples: Vec<(usize, usize, usize)> = (0..follow_up.len())
        .filter(|row| follow_keep.get(*row).copied().unwrap_or(false))
        .filter_map(|row| {
            let id = follow_up.respondent_id.get(row)?;
            Some((*pre_rows.get(id)?, *post_rows.get(id)?, row))
        })
        .collect();
    let mut statements = Vec::new();
    for family in &plan.prepost {
        statements.extend(family_over_time(
            plan,
            family,
            dataset,
            post_instrument,
            post,
            follow_up,
            &triples,
        )?);
    }
    // Attrition: every kept pre-training respondent, by site and arm, and whether they
    // were kept after the training and at the follow-up.
    let follow_rows = kept_rows(follow_up, follow_keep);
    let arms = dataset.arm_index();
    let people: Vec<(&str, Option<&str>, [bool; 3], usize)> = pre_rows
        .iter()
        .filter_map(|(id, &row)| {
            let site = dataset
                .pre
                .site
                .get(row)
                .and_then(|s| dataset.sites.get(*s))?;
            Some((
                site.site.as_str(),
                arms.arm(id, &site.site),
                [
                    true,
                    post_rows.contains_key(id),
                    follow_rows.contains_key(id),
                ],
                row,
            ))
        })
        .collect();
    let participation: Vec<Participation<'_>> = people
        .iter()
        .map(|(site, arm, responded, _)| Participation {
            site,
            arm: *arm,
            responded,
        })
        .collect();
    let completers = plan
        .attrition
        .baseline
        .iter()
        .filter_map(|variable| {
            let item = dataset.pre_instrument.items().find(|i| &i.id == variable)?;
            let ItemKind::Single { options } = &item.kind else {
                return None;
            };
            let values = dataset.pre.values(variable)?;
            let substantive: HashMap<i32, String> = options
                .iter()
                .filter(|o| o.missing.is_none())
                .filter_map(|o| Some((i32::try_from(o.code).ok()?, o.label.clone())))
                .collect();
            let answers = people.iter().map(|(_, _, responded, row)| {
                let value = values.get(*row).filter(|v| substantive.contains_key(v));
                (responded.iter().all(|r| *r), value)
            });
            let mut table = [Vec::new(), Vec::new()];
            let mut codes: Vec<i32> = Vec::new();
            let mut tally: std::collections::BTreeMap<i32, [u64; 2]> = Default::default();
            for (completed, value) in answers.clone() {
                if let Some(v) = value {
                    tally.entry(v).or_default()[usize::from(!completed)] += 1;
                }
            }
            for (code, counts) in &tally {
                codes.push(*code);
                table[0].push(counts[0]);
                table[1].push(counts[1]);
            }
            let tested = completers_vs_others(answers).ok();
            Some(CompletersCompared {
                variable: variable.clone(),
                text: item.text.clone(),
                categories: codes
                    .iter()
                    .map(|c| (*c, substantive.get(c).cloned().unwrap_or_default()))
                    .collect(),
                table: table.to_vec(),
                chi_square_p: tested.as_ref().map(|(_, t)| t.pearson.p_value),
                cramers_v: tested.as_ref().map(|(_, t)| t.cramers_v),
            })
        })
        .collect();
    Ok(OverTime {
        wave: wave.to_owned(),
        linked,
        linked_kept: triples.len() as u64,
        unlinked: follow_up.len() as u64 - linked,
        statements,
        attrition: attrition(&participation, 3),
        completers,
    })
}

fn family_over_time(
    plan: &Plan,
    family: &PrePost,
    dataset: &Dataset,
    post_instrument: &Instrument,
    post: &Responses,
    follow_up: &Responses,
    triples: &[(usize, usize, usize)],
) -> Result<Vec<StatementOverTime>, OverTimeError> {
    let (rows, options) =
        grid(&dataset.pre_instrument, &family.item).ok_or_else(|| OverTimeError::UnknownItem {
            family: family.id.clone(),
            item: family.item.clone(),
        })?;
    let mut out = Vec::new();
    for row in rows {
        let Some(scoring) = statement_scoring(plan, family, post_instrument, row, options) else {
            continue;
        };
        let (post_row, counts) = (&scoring.later, &scoring.counts);
        let scored: Vec<(bool, bool, bool)> = triples
            .iter()
            .filter_map(|&(a, b, c)| {
                Some((
                    score(&dataset.pre, &row.id, a, counts)?,
                    score(post, post_row, b, counts)?,
                    score(follow_up, post_row, c, counts)?,
                ))
            })
            .collect();
        let n = scored.len() as u64;
        let share = |pick: fn(&(bool, bool, bool)) -> bool| {
            scored.iter().filter(|t| pick(t)).count() as f64 / n as f64
        };
        out.push(StatementOverTime {
            family: family.id.clone(),
            family_title: family.title.clone(),
            variable: row.id.clone(),
            text: row.text.clone(),
            n,
            shares: (n > 0).then(|| [share(|t| t.0), share(|t| t.1), share(|t| t.2)]),
        });
    }
    Ok(out)
}

/// Holm-adjusted p-values, each in the place of its raw one; a test that could not be
/// run stays `None` and does not count in the adjustment.
pub(crate) fn holm(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let present: Vec<f64> = p_values.iter().flatten().copied().collect();
    // p-values of tests run are in [0, 1], which is all the adjustment asks.
    let mut adjusted = adjust_p_values(&present, AdjustMethod::Holm)
        .unwrap_or_default()
        .into_iter();
    p_values
        .iter()
        .map(|p| p.and_then(|_| adjusted.next()))
        .collect()
}

/// One survey's records and which of them the cleaning kept.
#[derive(Clone, Copy)]
pub(crate) struct Survey<'a> {
    /// The records.
    pub(crate) responses: &'a Responses,
    /// Kept, by record.
    pub(crate) keep: &'a [bool],
    /// Whether this is the survey before the training, whose statements are the
    /// pre-training variables (later surveys answer their twins).
    pub(crate) before: bool,
}

impl Survey<'_> {
    /// A statement's variable in this survey.
    pub(crate) fn variable<'s>(
        &self,
        row: &'s skafada_instrument::Row,
        scoring: &'s Scoring,
    ) -> &'s str {
        if self.before { &row.id } else { &scoring.later }
    }
}

/// A survey by the name the plan gives it: `pre`, `post` or a follow-up wave's id; the
/// reason it is missing otherwise.
pub(crate) fn survey<'a>(
    dataset: &'a Dataset,
    kept: &Kept<'a>,
    name: &str,
) -> Result<Survey<'a>, String> {
    if name == BEFORE {
        return Ok(Survey {
            responses: &dataset.pre,
            keep: kept.pre,
            before: true,
        });
    }
    if name == AFTER {
        return dataset
            .post
            .as_ref()
            .map(|post| Survey {
                responses: post,
                keep: kept.post,
                before: false,
            })
            .ok_or_else(|| "the data have no post-training survey".to_owned());
    }
    dataset
        .follow_up
        .iter()
        .zip(kept.follow_up)
        .find(|((id, _), _)| id == name)
        .map(|((_, responses), keep)| Survey {
            responses,
            keep,
            before: false,
        })
        .ok_or_else(|| format!("the data have no follow-up wave `{name}`"))
}

/// The statements of a declaration's families, each with its grid row and scoring.
fn declared_statements<'a>(
    plan: &'a Plan,
    dataset: &'a Dataset,
    post_instrument: &Instrument,
    families: &[String],
) -> Result<Vec<(&'a PrePost, &'a skafada_instrument::Row, Scoring)>, OverTimeError> {
    let mut out = Vec::new();
    for family in plan.prepost.iter().filter(|p| families.contains(&p.id)) {
        let (rows, options) = grid(&dataset.pre_instrument, &family.item).ok_or_else(|| {
            OverTimeError::UnknownItem {
                family: family.id.clone(),
                item: family.item.clone(),
            }
        })?;
        for row in rows {
            if let Some(scoring) = statement_scoring(plan, family, post_instrument, row, options) {
                out.push((family, row, scoring));
            }
        }
    }
    Ok(out)
}

/// Each of the plan's `[[change]]` declarations: within-person change of its families'
/// statements between its two surveys, among respondents kept in both, McNemar's exact
/// p Holm-adjusted across the declaration's statements. A declaration naming a survey
/// the data do not have says so instead of being left out.
///
/// # Errors
/// [`OverTimeError`] when a family names a statement group the survey does not have.
pub fn changes(
    plan: &Plan,
    dataset: &Dataset,
    kept: &Kept<'_>,
) -> Result<Vec<DeclaredChange>, OverTimeError> {
    let mut out = Vec::new();
    for declared in &plan.change {
        let mut result = DeclaredChange {
            id: declared.id.clone(),
            title: declared.title.clone(),
            from: declared.from.clone(),
            to: declared.to.clone(),
            unavailable: None,
            statements: Vec::new(),
        };
        let surveys = survey(dataset, kept, &declared.from)
            .and_then(|from| Ok((from, survey(dataset, kept, &declared.to)?)));
        let post_instrument = dataset
            .post_instrument
            .as_ref()
            .ok_or_else(|| "the data have no post-training survey".to_owned());
        let ((from, to), post_instrument) = match surveys.and_then(|s| Ok((s, post_instrument?))) {
            Ok(found) => found,
            Err(reason) => {
                result.unavailable = Some(reason);
                out.push(result);
                continue;
            }
        };
        let (from_rows, to_rows) = (
            kept_rows(from.responses, from.keep),
            kept_rows(to.responses, to.keep),
        );
        let pairs: Vec<(usize, usize)> = from_rows
            .iter()
            .filter_map(|(id, &a)| Some((a, *to_rows.get(id)?)))
            .collect();
        for (family, row, scoring) in
            declared_statements(plan, dataset, post_instrument, &declared.families)?
        {
            let scored: Vec<(bool, bool)> = pairs
                .iter()
                .filter_map(|&(a, b)| {
                    Some((
                        score(
                            from.responses,
                            from.variable(row, &scoring),
                            a,
                            &scoring.counts,
                        )?,
                        score(to.responses, to.variable(row, &scoring), b, &scoring.counts)?,
                    ))
                })
                .collect();
            let n = scored.len() as u64;
            let share = |pick: fn(&(bool, bool)) -> bool| {
                scored.iter().filter(|t| pick(t)).count() as f64 / n as f64
            };
            result.statements.push(StatementChange {
                family: family.id.clone(),
                family_title: family.title.clone(),
                variable: row.id.clone(),
                text: row.text.clone(),
                n,
                shares: (n > 0).then(|| [share(|t| t.0), share(|t| t.1)]),
                change: within_person(scored.iter().map(|t| (Some(t.0), Some(t.1))), 0.95).ok(),
                adjusted_p: None,
            });
        }
        let p_values: Vec<Option<f64>> = result
            .statements
            .iter()
            .map(|s| s.change.as_ref().map(|c| c.mcnemar_exact.p_value))
            .collect();
        for (statement, adjusted) in result.statements.iter_mut().zip(holm(&p_values)) {
            statement.adjusted_p = adjusted;
        }
        out.push(result);
    }
    Ok(out)
}

/// Each of the plan's `[[retention]]` declarations: among respondents kept before and
/// after the training and at the wave, of those whose answer became the favourable one
/// during the training (into the counted answers where the family expects a rise, out
/// of them where it expects a fall), the share still giving it at the wave.
///
/// # Errors
/// [`OverTimeError`] when a family names a statement group the survey does not have.
pub fn retentions(
    plan: &Plan,
    dataset: &Dataset,
    kept: &Kept<'_>,
) -> Result<Vec<DeclaredRetention>, OverTimeError> {
    let mut out = Vec::new();
    for declared in &plan.retention {
        let mut result = DeclaredRetention {
            id: declared.id.clone(),
            title: declared.title.clone(),
            wave: declared.wave.clone(),
            unavailable: None,
            statements: Vec::new(),
        };
        let found = survey(dataset, kept, AFTER).and_then(|post| {
            let wave = survey(dataset, kept, &declared.wave)?;
            let instrument = dataset
                .post_instrument
                .as_ref()
                .ok_or_else(|| "the data have no post-training survey".to_owned())?;
            Ok((post, wave, instrument))
        });
        let (post, wave, post_instrument) = match found {
            Ok(found) => found,
            Err(reason) => {
                result.unavailable = Some(reason);
                out.push(result);
                continue;
            }
        };
        let pre_rows = kept_rows(&dataset.pre, kept.pre);
        let (post_rows, wave_rows) = (
            kept_rows(post.responses, post.keep),
            kept_rows(wave.responses, wave.keep),
        );
        let triples: Vec<(usize, usize, usize)> = pre_rows
            .iter()
            .filter_map(|(id, &a)| Some((a, *post_rows.get(id)?, *wave_rows.get(id)?)))
            .collect();
        for (family, row, scoring) in
            declared_statements(plan, dataset, post_instrument, &declared.families)?
        {
            let favourable = |survey: &Survey<'_>, record: usize| {
                scoring.favourable(score(
                    survey.responses,
                    survey.variable(row, &scoring),
                    record,
                    &scoring.counts,
                ))
            };
            let before = Survey {
                responses: &dataset.pre,
                keep: kept.pre,
                before: true,
            };
            result.statements.push(StatementRetention {
                family: family.id.clone(),
                family_title: family.title.clone(),
                variable: row.id.clone(),
                text: row.text.clone(),
                retention: retention(
                    triples.iter().map(|&(a, b, c)| {
                        (
                            favourable(&before, a),
                            favourable(&post, b),
                            favourable(&wave, c),
                        )
                    }),
                    0.95,
                )
                .ok(),
            });
        }
        out.push(result);
    }
    Ok(out)
}
