//! The study's cleaning rule, with a log of what was excluded and why.
//!
//! The study excluded "all those respondents who answered none or less than 50% of the
//! questions", which removed empty records, records created when respondents returned to
//! reach the training link, and near-empty records. skafada applies the same rule against
//! the questions that were *applicable* to each respondent under the routing, and records
//! each reason separately.

use std::collections::HashMap;

use serde::Serialize;
use skafada_instrument::{Answer, Answers, Condition, Instrument, ItemKind};

use crate::data::{MISSING, Responses, Status};
use crate::plan::CleaningRules;

/// Why a record was excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Created when a respondent came back (their answers are in their first record).
    Returning,
    /// Nothing was answered.
    Empty,
    /// Closed by a routing rule: not eligible for the survey.
    Ended,
    /// Fewer than the minimum share of applicable questions was answered.
    BelowMinimum,
}

impl Reason {
    /// A sentence describing the reason.
    pub fn describe(self, minimum: f64) -> String {
        match self {
            Reason::Returning => "record created by a respondent returning to the survey".into(),
            Reason::Empty => "no questions answered".into(),
            Reason::Ended => "survey closed by routing (not eligible)".into(),
            Reason::BelowMinimum => format!(
                "fewer than {:.0}% of applicable questions answered",
                minimum * 100.0
            ),
        }
    }
}

/// How many records one reason excluded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    /// The reason.
    pub reason: Reason,
    /// What it means.
    pub description: String,
    /// Records excluded for it.
    pub count: usize,
}

/// The cleaning log of one survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleaningLog {
    /// Records before cleaning.
    pub records: usize,
    /// Records kept.
    pub kept: usize,
    /// Records excluded, by reason (each record counts once, under its first reason).
    pub excluded: Vec<Exclusion>,
    /// The minimum share of applicable questions a kept record answered.
    pub minimum_answered: f64,
}

/// How to tell whether one applicable variable was answered.
enum Check<'a> {
    Value(&'a [i32]),
    Text(&'a [Option<String>]),
    AnyOf(Vec<&'a [i32]>),
}

impl Check<'_> {
    fn answered(&self, row: usize) -> bool {
        match self {
            Check::Value(values) => values.get(row).is_some_and(|v| *v != MISSING),
            Check::Text(texts) => texts.get(row).is_some_and(Option::is_some),
            Check::AnyOf(columns) => columns
                .iter()
                .any(|c| c.get(row).is_some_and(|v| *v != MISSING)),
        }
    }
}

/// The share of its applicable questions each record answered, under the routing.
pub fn answered_shares(instrument: &Instrument, data: &Responses) -> Vec<f64> {
    // Routing depends only on a few variables: those conditions and end rules test, and
    // those with "please specify" follow-ups. Records with the same values of those share
    // a route, so each distinct route is evaluated once.
    let mut relevant: Vec<&str> = Vec::new();
    for page in &instrument.pages {
        if let Some(condition) = &page.show_if {
            condition_items(condition, &mut relevant);
        }
        for item in &page.items {
            if let Some(condition) = &item.show_if {
                condition_items(condition, &mut relevant);
            }
            if item.end_if.is_some() || item.specify.is_some() {
                relevant.push(&item.id);
            }
        }
    }
    relevant.sort_unstable();
    relevant.dedup();
    let sources: Vec<(&str, RoutingSource)> = relevant
        .iter()
        .filter_map(|id| {
            let item = instrument.item(id);
            let source = match item.map(|i| &i.kind) {
                Some(ItemKind::Multiple { options }) => RoutingSource::Ticks(
                    options
                        .iter()
                        .filter_map(|o| {
                            data.values(&format!("{id}.{}", o.code))
                                .map(|v| (o.code, v))
                        })
                        .collect(),
                ),
                _ => RoutingSource::Code(data.values(id)?),
            };
            Some((*id, source))
        })
        .collect();

    let mut routes: HashMap<Vec<i64>, Vec<Check<'_>>> = HashMap::new();
    (0..data.len())
        .map(|row| {
            let key: Vec<i64> = sources.iter().map(|(_, s)| s.key(row)).collect();
            let checks = routes.entry(key).or_insert_with(|| {
                let mut answers = Answers::new();
                for (id, source) in &sources {
                    if let Some(answer) = source.answer(row) {
                        answers.insert((*id).to_owned(), answer);
                    }
                }
                let route = instrument.route(&answers);
                route
                    .applicable_variables(&answers)
                    .into_iter()
                    .filter_map(|v| check_for(instrument, data, v))
                    .collect()
            });
            if checks.is_empty() {
                return 0.0;
            }
            let answered = checks.iter().filter(|c| c.answered(row)).count();
            answered as f64 / checks.len() as f64
        })
        .collect()
}

enum RoutingSource<'a> {
    Code(&'a [i32]),
    Ticks(Vec<(u32, &'a [i32])>),
}

impl RoutingSource<'_> {
    fn key(&self, row: usize) -> i64 {
        match self {
            RoutingSource::Code(values) => i64::from(values.get(row).copied().unwrap_or(MISSING)),
            RoutingSource::Ticks(ticks) => ticks
                .iter()
                .enumerate()
                .map(|(bit, (_, v))| i64::from(v.get(row).is_some_and(|x| *x == 1)) << (bit % 63))
                .sum(),
        }
    }

    fn answer(&self, row: usize) -> Option<Answer> {
        match self {
            RoutingSource::Code(values) => {
                let value = *values.get(row)?;
                (value != MISSING)
                    .then(|| u32::try_from(value).ok())
                    .flatten()
                    .map(Answer::Choice)
            }
            RoutingSource::Ticks(ticks) => {
                let chosen: std::collections::BTreeSet<u32> = ticks
                    .iter()
                    .filter(|(_, v)| v.get(row).is_some_and(|x| *x == 1))
                    .map(|(c, _)| *c)
                    .collect();
                (!chosen.is_empty()).then_some(Answer::Choices(chosen))
            }
        }
    }
}

fn condition_items<'a>(condition: &'a Condition, out: &mut Vec<&'a str>) {
    match condition {
        Condition::Is { item, .. } => out.push(item),
        Condition::All(all) | Condition::Any(all) => {
            all.iter().for_each(|c| condition_items(c, out))
        }
    }
}

fn check_for<'a>(
    instrument: &Instrument,
    data: &'a Responses,
    variable: &str,
) -> Option<Check<'a>> {
    if let Some(values) = data.values(variable) {
        return Some(Check::Value(values));
    }
    if let Some(texts) = data.texts(variable) {
        return Some(Check::Text(texts));
    }
    match instrument.item(variable).map(|i| &i.kind) {
        Some(ItemKind::Multiple { options }) => Some(Check::AnyOf(
            options
                .iter()
                .filter_map(|o| data.values(&format!("{variable}.{}", o.code)))
                .collect(),
        )),
        _ => None,
    }
}

/// Applies the cleaning rules. Returns which records to keep and the log.
pub fn clean(
    instrument: &Instrument,
    data: &Responses,
    rules: &CleaningRules,
) -> (Vec<bool>, CleaningLog) {
    let shares = answered_shares(instrument, data);
    let mut counts: Vec<(Reason, usize)> = [
        Reason::Returning,
        Reason::Empty,
        Reason::Ended,
        Reason::BelowMinimum,
    ]
    .into_iter()
    .map(|r| (r, 0))
    .collect();
    let keep: Vec<bool> = (0..data.len())
        .map(|row| {
            let share = shares.get(row).copied().unwrap_or(0.0);
            let reason =
                if rules.exclude_returning && data.returning.get(row).copied().unwrap_or(false) {
                    Some(Reason::Returning)
                } else if share == 0.0 || data.status.get(row) == Some(&Status::Started) {
                    Some(Reason::Empty)
                } else if rules.exclude_ended && data.status.get(row) == Some(&Status::Ended) {
                    Some(Reason::Ended)
                } else if share < rules.minimum_answered {
                    Some(Reason::BelowMinimum)
                } else {
                    None
                };
            if let Some(reason) = reason
                && let Some(slot) = counts.iter_mut().find(|(r, _)| *r == reason)
            {
                slot.1 += 1;
            }
            reason.is_none()
        })
        .collect();
    let kept = keep.iter().filter(|k| **k).count();
    let log = CleaningLog {
        records: data.len(),
        kept,
        excluded: counts
            .into_iter()
            .map(|(reason, count)| Exclusion {
                reason,
                description: reason.describe(rules.minimum_answered),
                count,
            })
            .collect(),
        minimum_answered: rules.minimum_answered,
    };
    (keep, log)
}
