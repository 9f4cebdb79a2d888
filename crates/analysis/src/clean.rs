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
    /// Every reason, in the order the cleaning log lists them.
    pub const ALL: [Reason; 4] = [
        Reason::Returning,
        Reason::Empty,
        Reason::Ended,
        Reason::BelowMinimum,
    ];

    /// The reason's code in the record-level exports' `exclusion` variable (0 there is a
    /// record kept). Codes are stable: a new reason takes a new code.
    pub fn code(self) -> i32 {
        match self {
            Reason::Returning => 1,
            Reason::Empty => 2,
            Reason::Ended => 3,
            Reason::BelowMinimum => 4,
        }
    }

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

    // The route depends on a routing variable only through whether its answer picks any
    // of the code lists the instrument tests it against (conditions, end rules, specify
    // triggers). Records agreeing on every such test share a route: the key is one bit
    // per (variable, code list), so the number of distinct routes stays small however
    // many codes the variables have.
    let mut lists: Vec<(usize, &[u32])> = Vec::new();
    for (index, (id, _)) in sources.iter().enumerate() {
        let mut found: Vec<&[u32]> = Vec::new();
        for page in &instrument.pages {
            for condition in page.show_if.iter() {
                condition_lists(condition, id, &mut found);
            }
            for item in &page.items {
                for condition in item.show_if.iter() {
                    condition_lists(condition, id, &mut found);
                }
            }
        }
        if let Some(item) = instrument.item(id) {
            if let Some(rule) = &item.end_if {
                found.push(&rule.codes);
            }
            if let Some(specify) = &item.specify {
                found.push(&specify.when);
            }
        }
        for codes in found {
            if !lists.iter().any(|(i, c)| *i == index && *c == codes) {
                lists.push((index, codes));
            }
        }
    }
    let lists: Vec<(&RoutingSource<'_>, &[u32])> = lists
        .into_iter()
        .map(|(index, codes)| (&sources[index].1, codes))
        .collect();
    let words = lists.len().div_ceil(64).max(1);
    let mut classes: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut class_variables: Vec<Vec<&str>> = Vec::new();
    let mut class_of: Vec<u32> = Vec::with_capacity(data.len());
    let mut key = vec![0u64; words];
    for row in 0..data.len() {
        key.fill(0);
        for (bit, (source, codes)) in lists.iter().enumerate() {
            if source.picks_any(row, codes) {
                key[bit / 64] |= 1 << (bit % 64);
            }
        }
        let class = match classes.get(key.as_slice()) {
            Some(class) => *class,
            None => {
                let mut answers = Answers::new();
                for (id, source) in &sources {
                    if let Some(answer) = source.answer(row) {
                        answers.insert((*id).to_owned(), answer);
                    }
                }
                let route = instrument.route(&answers);
                class_variables.push(route.applicable_variables(&answers));
                classes.insert(key.clone(), class_variables.len() - 1);
                class_variables.len() - 1
            }
        };
        class_of.push(u32::try_from(class).unwrap_or(u32::MAX));
    }
    // Count answers one variable (one column) at a time, over every record whose route
    // makes it applicable: a sequential pass per column.
    let mut applicable_count = vec![0u32; class_variables.len()];
    let mut by_variable: HashMap<&str, Vec<bool>> = HashMap::new();
    for (class, variables) in class_variables.iter().enumerate() {
        for variable in variables {
            if check_for(instrument, data, variable).is_none() {
                continue;
            }
            applicable_count[class] += 1;
            by_variable
                .entry(variable)
                .or_insert_with(|| vec![false; class_variables.len()])[class] = true;
        }
    }
    let mut variables: Vec<(&str, Vec<bool>)> = by_variable.into_iter().collect();
    variables.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let checks: Vec<(Check<'_>, &Vec<bool>)> = variables
        .iter()
        .filter_map(|(variable, applies)| Some((check_for(instrument, data, variable)?, applies)))
        .collect();
    // Records are independent: each core counts the answers of a share of them.
    let answered: Vec<u32> = crate::run::parallel_records(data.len(), |rows| {
        let (start, end) = (rows.start, rows.end);
        let mut answered = vec![0u32; end - start];
        let classes = class_of.get(start..end).unwrap_or_default();
        for (check, applies) in &checks {
            let applies_to = |class: u32| applies.get(class as usize).copied().unwrap_or(false);
            match check {
                Check::Value(values) => {
                    for ((count, value), class) in answered
                        .iter_mut()
                        .zip(values.get(start..end).unwrap_or_default())
                        .zip(classes)
                    {
                        *count += u32::from(applies_to(*class) && *value != MISSING);
                    }
                }
                _ => {
                    for ((count, row), class) in answered.iter_mut().zip(start..end).zip(classes) {
                        *count += u32::from(applies_to(*class) && check.answered(row));
                    }
                }
            }
        }
        answered
    });
    class_of
        .iter()
        .zip(&answered)
        .map(|(class, answered)| {
            let applicable = applicable_count.get(*class as usize).copied().unwrap_or(0);
            if applicable == 0 {
                0.0
            } else {
                f64::from(*answered) / f64::from(applicable)
            }
        })
        .collect()
}

/// Collects the code list of every test of `id` in the condition.
fn condition_lists<'a>(condition: &'a Condition, id: &str, found: &mut Vec<&'a [u32]>) {
    match condition {
        Condition::Is { item, codes } => {
            if item == id {
                found.push(codes);
            }
        }
        Condition::All(all) | Condition::Any(all) => {
            all.iter().for_each(|c| condition_lists(c, id, found))
        }
    }
}

enum RoutingSource<'a> {
    Code(&'a [i32]),
    Ticks(Vec<(u32, &'a [i32])>),
}

impl RoutingSource<'_> {
    /// Whether the record's answer picks any of `codes`, as the routing tests it.
    fn picks_any(&self, row: usize, codes: &[u32]) -> bool {
        match self {
            RoutingSource::Code(values) => values
                .get(row)
                .and_then(|v| u32::try_from(*v).ok())
                .is_some_and(|v| codes.contains(&v)),
            RoutingSource::Ticks(ticks) => ticks
                .iter()
                .any(|(code, v)| codes.contains(code) && v.get(row).is_some_and(|x| *x == 1)),
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
    let (reasons, log) = exclusions(instrument, data, rules);
    (reasons.iter().map(Option::is_none).collect(), log)
}

/// Applies the cleaning rules. Returns why each record is excluded (`None` for a record
/// kept) and the log: the cleaning outcome that [`clean`] and the record-level exports
/// both read.
pub fn exclusions(
    instrument: &Instrument,
    data: &Responses,
    rules: &CleaningRules,
) -> (Vec<Option<Reason>>, CleaningLog) {
    let shares = answered_shares(instrument, data);
    let mut counts: Vec<(Reason, usize)> = Reason::ALL.into_iter().map(|r| (r, 0)).collect();
    let reasons: Vec<Option<Reason>> = (0..data.len())
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
            reason
        })
        .collect();
    let kept = reasons.iter().filter(|r| r.is_none()).count();
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
    (reasons, log)
}
