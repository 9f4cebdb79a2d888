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

use crate::data::{MISSING, Responses, Status, Values};
use crate::plan::CleaningRules;

/// Why a record was excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Repeats the response id of an earlier record (only with `duplicates = "drop"`;
    /// otherwise the analysis refuses the data).
    DuplicateResponse,
    /// Created when a respondent came back (their answers are in their first record).
    Returning,
    /// Nothing was answered.
    Empty,
    /// Closed by a routing rule: not eligible for the survey.
    Ended,
    /// Its answers close the survey by routing (not eligible), but the record is not
    /// marked ended: excluded with `exclude-ended`, flagged otherwise.
    RoutingInconsistent,
    /// Fewer than the minimum share of applicable questions was answered.
    BelowMinimum,
    /// A second record of a respondent already kept (only with `duplicates = "drop"`).
    DuplicateRespondent,
}

impl Reason {
    /// Every reason, in the order the cleaning log lists them.
    pub const ALL: [Reason; 7] = [
        Reason::DuplicateResponse,
        Reason::Returning,
        Reason::Empty,
        Reason::Ended,
        Reason::RoutingInconsistent,
        Reason::BelowMinimum,
        Reason::DuplicateRespondent,
    ];

    /// The reason's code in the record-level exports' `exclusion` variable (0 there is a
    /// record kept). Codes are stable: a new reason takes a new code.
    pub fn code(self) -> i32 {
        match self {
            Reason::Returning => 1,
            Reason::Empty => 2,
            Reason::Ended => 3,
            Reason::BelowMinimum => 4,
            Reason::DuplicateResponse => 5,
            Reason::RoutingInconsistent => 6,
            Reason::DuplicateRespondent => 7,
        }
    }

    /// A sentence describing the reason.
    pub fn describe(self, minimum: f64) -> String {
        match self {
            Reason::DuplicateResponse => "repeats the response id of an earlier record".into(),
            Reason::Returning => "record created by a respondent returning to the survey".into(),
            Reason::Empty => "no questions answered".into(),
            Reason::Ended => "survey closed by routing (not eligible)".into(),
            Reason::RoutingInconsistent => {
                "answers close the survey by routing (not eligible), but the record is not marked ended"
                    .into()
            }
            Reason::BelowMinimum => format!(
                "fewer than {:.0}% of applicable questions answered",
                minimum * 100.0
            ),
            Reason::DuplicateRespondent => {
                "a second record of a respondent whose first record is kept".into()
            }
        }
    }

    /// Whether the study's rule names the reason, so that the log lists it even when it
    /// excluded nothing. The others are listed only when they excluded a record.
    fn always_listed(self) -> bool {
        matches!(
            self,
            Reason::Returning | Reason::Empty | Reason::Ended | Reason::BelowMinimum
        )
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

/// What a flag in the cleaning log is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// Values of a numeric question outside the instrument's bounds, in kept records:
    /// treated as missing in every table and test.
    OutOfRange,
    /// Kept records whose answers close the survey by routing although they are not
    /// marked ended (the plan's `exclude-ended` is false).
    RoutingInconsistent,
}

/// Something cleaning found in the kept records that the reader should know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// What it is about.
    pub kind: FlagKind,
    /// The variable, for values out of range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The smallest value accepted, for values out of range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// The largest value accepted, for values out of range; for a year, absent: a year
    /// may not be later than the year the record was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Values (out of range) or records (routing) flagged.
    pub count: usize,
    /// What was found and what was done, as a sentence.
    pub description: String,
}

/// The cleaning log of one survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleaningLog {
    /// Records before cleaning.
    pub records: usize,
    /// Records kept.
    pub kept: usize,
    /// Records excluded, by reason (each record counts once, under its first reason).
    /// The study's four reasons are always listed; duplicates and routing-inconsistent
    /// records only when there were any.
    pub excluded: Vec<Exclusion>,
    /// The minimum share of applicable questions a kept record answered.
    pub minimum_answered: f64,
    /// What was found in the kept records and how it was treated (values out of range,
    /// routing-inconsistent records kept); empty when nothing was.
    pub flags: Vec<Flag>,
}

/// How to tell whether one applicable variable was answered.
enum Check<'a> {
    Value(Values<'a>),
    Text(&'a crate::data::TextColumn),
    AnyOf(Vec<Values<'a>>),
}

impl Check<'_> {
    fn answered(&self, row: usize) -> bool {
        match self {
            Check::Value(values) => values.get(row).is_some_and(|v| v != MISSING),
            Check::Text(texts) => texts.get(row).is_some(),
            Check::AnyOf(columns) => columns
                .iter()
                .any(|c| c.get(row).is_some_and(|v| v != MISSING)),
        }
    }
}

/// The share of its applicable questions each record answered, under the routing.
pub fn answered_shares(instrument: &Instrument, data: &Responses) -> Vec<f64> {
    routes(instrument, data).0
}

/// Whether each record's answers close the survey by one of the instrument's end rules
/// (an importer sets such a finished record's status to `ended`).
pub fn ended_by_routing(instrument: &Instrument, data: &Responses) -> Vec<bool> {
    routes(instrument, data).1
}

/// Each record's share of its applicable questions answered, and whether its answers
/// close the survey by an end rule.
fn routes(instrument: &Instrument, data: &Responses) -> (Vec<f64>, Vec<bool>) {
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
    // Looked up once per record. The keys are a few bits of which code lists a record's
    // answers pick, not text anyone chooses: a fast hasher is safe here.
    let mut classes: HashMap<Vec<u64>, usize, foldhash::fast::RandomState> = HashMap::default();
    let mut class_variables: Vec<Vec<&str>> = Vec::new();
    let mut class_ended: Vec<bool> = Vec::new();
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
                class_ended.push(route.ended_by.is_some());
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
                        .zip(values.slice(start..end).iter())
                        .zip(classes)
                    {
                        *count += u32::from(applies_to(*class) && value != MISSING);
                    }
                }
                // Only the records with a text can have answered: found from the column's
                // list of them rather than searched for record by record.
                Check::Text(texts) => {
                    for &row in texts.rows_present(start..end) {
                        let class = class_of.get(row).copied().unwrap_or(u32::MAX);
                        if let Some(count) = answered.get_mut(row - start) {
                            *count += u32::from(applies_to(class));
                        }
                    }
                }
                Check::AnyOf(_) => {
                    for ((count, row), class) in answered.iter_mut().zip(start..end).zip(classes) {
                        *count += u32::from(applies_to(*class) && check.answered(row));
                    }
                }
            }
        }
        answered
    });
    let shares = class_of
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
        .collect();
    let ended = class_of
        .iter()
        .map(|class| class_ended.get(*class as usize).copied().unwrap_or(false))
        .collect();
    (shares, ended)
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
    Code(Values<'a>),
    Ticks(Vec<(u32, Values<'a>)>),
}

impl RoutingSource<'_> {
    /// Whether the record's answer picks any of `codes`, as the routing tests it.
    fn picks_any(&self, row: usize, codes: &[u32]) -> bool {
        match self {
            RoutingSource::Code(values) => values
                .get(row)
                .and_then(|v| u32::try_from(v).ok())
                .is_some_and(|v| codes.contains(&v)),
            RoutingSource::Ticks(ticks) => ticks
                .iter()
                .any(|(code, v)| codes.contains(code) && v.get(row) == Some(1)),
        }
    }

    fn answer(&self, row: usize) -> Option<Answer> {
        match self {
            RoutingSource::Code(values) => {
                let value = values.get(row)?;
                (value != MISSING)
                    .then(|| u32::try_from(value).ok())
                    .flatten()
                    .map(Answer::Choice)
            }
            RoutingSource::Ticks(ticks) => {
                let chosen: std::collections::BTreeSet<u32> = ticks
                    .iter()
                    .filter(|(_, v)| v.get(row) == Some(1))
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

/// Ids that more than one record carries.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DuplicateIds {
    /// Each repeated id once, in the order it was first repeated.
    pub ids: Vec<String>,
    /// Records beyond the first of each id.
    pub records: usize,
}

impl DuplicateIds {
    fn add(&mut self, id: &str) {
        self.records += 1;
        if !self.ids.iter().any(|i| i == id) {
            self.ids.push(id.to_owned());
        }
    }

    /// Whether no id is repeated.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }
}

/// What cleaning decided, with the duplicates it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// Whether each record is kept.
    pub keep: Vec<bool>,
    /// Why each record is excluded; `None` for a record kept.
    pub reasons: Vec<Option<Reason>>,
    /// The log.
    pub log: CleaningLog,
    /// Response ids carried by more than one record (the later ones are excluded).
    pub duplicate_responses: DuplicateIds,
    /// Respondent ids carried by more than one record that the other rules keep (the
    /// later ones are excluded).
    pub duplicate_respondents: DuplicateIds,
}

/// A numeric question's bounds, from the instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds<'a> {
    /// The variable.
    pub variable: &'a str,
    /// The question.
    pub text: &'a str,
    /// The smallest value accepted.
    pub min: i64,
    /// The largest value accepted; `None` for a year, which may be no later than the year
    /// its record was started.
    pub max: Option<i64>,
}

impl Bounds<'_> {
    /// Whether a value (not [`MISSING`]) lies outside the bounds, for a record started in
    /// `started` (its year, when known).
    pub fn excludes(&self, value: i32, started: Option<i32>) -> bool {
        let value = i64::from(value);
        value < self.min
            || match self.max {
                Some(max) => value > max,
                None => started.is_some_and(|year| value > i64::from(year)),
            }
    }

    fn range(&self) -> String {
        match self.max {
            Some(max) => format!("{} to {max}", self.min),
            None => format!("{} to the year the record was started", self.min),
        }
    }
}

/// The bounds of every numeric and year question of the instrument.
pub fn bounds(instrument: &Instrument) -> Vec<Bounds<'_>> {
    instrument
        .items()
        .filter_map(|item| {
            let (min, max) = match &item.kind {
                ItemKind::Number { min, max } => (*min, Some(*max)),
                ItemKind::Year { min } => (i64::from(*min), None),
                _ => return None,
            };
            Some(Bounds {
                variable: &item.id,
                text: &item.text,
                min,
                max,
            })
        })
        .collect()
}

/// The year of a `YYYY-MM-DD` date, when it has one.
pub fn started_year(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// Applies the cleaning rules. Returns which records to keep and the log.
pub fn clean(
    instrument: &Instrument,
    data: &Responses,
    rules: &CleaningRules,
) -> (Vec<bool>, CleaningLog) {
    let cleaned = clean_records(instrument, data, rules);
    (cleaned.keep, cleaned.log)
}

/// Applies the cleaning rules, with the duplicates found.
///
/// A record that repeats an earlier record's response id is excluded first; a record of
/// a respondent whose earlier record is kept is excluded last, so that each respondent
/// has at most one kept record (and one pair across the surveys). Whether duplicates are
/// refused or dropped is the analysis's decision (`[cleaning] duplicates`): cleaning
/// itself never counts a record twice.
pub fn clean_records(instrument: &Instrument, data: &Responses, rules: &CleaningRules) -> Cleaned {
    let (shares, ended) = routes(instrument, data);
    let mut counts: Vec<(Reason, usize)> = Reason::ALL.into_iter().map(|r| (r, 0)).collect();
    let mut count = |reason: Reason| {
        if let Some(slot) = counts.iter_mut().find(|(r, _)| *r == reason) {
            slot.1 += 1;
        }
    };
    let mut duplicate_responses = DuplicateIds::default();
    let mut duplicate_respondents = DuplicateIds::default();
    let mut seen_responses: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(
            data.len(),
            foldhash::fast::RandomState::default(),
        );
    let mut seen_respondents: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(
            data.len(),
            foldhash::fast::RandomState::default(),
        );
    let mut inconsistent_kept = 0usize;
    let mut reasons = Vec::with_capacity(data.len());
    for row in 0..data.len() {
        let share = shares.get(row).copied().unwrap_or(0.0);
        let status = data.status.get(row).copied();
        let response = data.response_id.get(row).map_or("", String::as_str);
        let route_ended = ended.get(row).copied().unwrap_or(false);
        let inconsistent = route_ended && status != Some(Status::Ended);
        let reason = if !response.is_empty() && !seen_responses.insert(response) {
            duplicate_responses.add(response);
            Some(Reason::DuplicateResponse)
        } else if rules.exclude_returning && data.returning.get(row).copied().unwrap_or(false) {
            Some(Reason::Returning)
        } else if share == 0.0 || status == Some(Status::Started) {
            Some(Reason::Empty)
        } else if rules.exclude_ended && status == Some(Status::Ended) {
            Some(Reason::Ended)
        } else if rules.exclude_ended && inconsistent {
            Some(Reason::RoutingInconsistent)
        } else if share < rules.minimum_answered {
            Some(Reason::BelowMinimum)
        } else {
            let respondent = data.respondent_id.get(row).map_or("", String::as_str);
            if !respondent.is_empty() && !seen_respondents.insert(respondent) {
                duplicate_respondents.add(respondent);
                Some(Reason::DuplicateRespondent)
            } else {
                None
            }
        };
        match reason {
            Some(reason) => count(reason),
            None => inconsistent_kept += usize::from(inconsistent),
        }
        reasons.push(reason);
    }
    let keep: Vec<bool> = reasons.iter().map(Option::is_none).collect();
    let kept = keep.iter().filter(|k| **k).count();
    let mut flags = out_of_range_flags(instrument, data, &keep);
    if inconsistent_kept > 0 {
        flags.push(Flag {
            kind: FlagKind::RoutingInconsistent,
            variable: None,
            min: None,
            max: None,
            count: inconsistent_kept,
            description: if inconsistent_kept == 1 {
                "1 kept record has answers that close the survey by routing (not eligible) but is not marked ended; it is kept because the plan's exclude-ended is false.".to_owned()
            } else {
                format!(
                    "{inconsistent_kept} kept records have answers that close the survey by routing (not eligible) but are not marked ended; they are kept because the plan's exclude-ended is false."
                )
            },
        });
    }
    let log = CleaningLog {
        records: data.len(),
        kept,
        excluded: counts
            .into_iter()
            .filter(|(reason, count)| reason.always_listed() || *count > 0)
            .map(|(reason, count)| Exclusion {
                reason,
                description: reason.describe(rules.minimum_answered),
                count,
            })
            .collect(),
        minimum_answered: rules.minimum_answered,
        flags,
    };
    Cleaned {
        keep,
        reasons,
        log,
        duplicate_responses,
        duplicate_respondents,
    }
}

/// Applies the cleaning rules. Returns why each record is excluded (`None` for a record
/// kept) and the log: the cleaning outcome that [`clean`] and the record-level exports
/// both read.
pub fn exclusions(
    instrument: &Instrument,
    data: &Responses,
    rules: &CleaningRules,
) -> (Vec<Option<Reason>>, CleaningLog) {
    let cleaned = clean_records(instrument, data, rules);
    (cleaned.reasons, cleaned.log)
}

/// One flag per numeric question with values outside its bounds in the kept records.
fn out_of_range_flags(instrument: &Instrument, data: &Responses, keep: &[bool]) -> Vec<Flag> {
    let mut flags = Vec::new();
    for bound in bounds(instrument) {
        let Some(values) = data.values(bound.variable) else {
            continue;
        };
        let count = values
            .iter()
            .zip(keep)
            .enumerate()
            .filter(|(row, (value, kept))| {
                **kept
                    && *value != MISSING
                    && bound.excludes(
                        *value,
                        data.started_on.get(*row).and_then(|d| started_year(d)),
                    )
            })
            .count();
        if count == 0 {
            continue;
        }
        flags.push(Flag {
            kind: FlagKind::OutOfRange,
            variable: Some(bound.variable.to_owned()),
            min: Some(bound.min),
            max: bound.max,
            count,
            description: format!(
                "“{}” ({}): {count} {} outside {}, treated as missing.",
                bound.text,
                bound.variable,
                if count == 1 { "answer" } else { "answers" },
                bound.range()
            ),
        });
    }
    flags
}
