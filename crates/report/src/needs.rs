//! The training-needs report: the gaps in knowledge, enquiry, attitudes, confidence and
//! knowledge of local services ranked from the survey, each linked to the study report's
//! implications and to the training module sections that address it, and, where there
//! are post-training responses, what changed after the training.
//!
//! What to rank is data (`plans/skafada-training-needs.toml`, [`NeedsSpec`]): each gap
//! names a matrix table of the analysis plan and the answers that count as the gap. The
//! counts come from analyses run with [`crate::dashboard::dashboard_plan`], which keeps
//! them. For a reader who may only see large numbers, a share whose count (or whose
//! complement) is small is not shown and the row is listed after the ranked ones.

use std::collections::BTreeMap;

use serde::Deserialize;
use skafada_analysis::plan::{DeriveRule, Plan};
use skafada_analysis::run::{Analysis, Cell, PrePostResult, TableResult, TestResult};
use skafada_instrument::{Instrument, ItemKind};

use crate::model::caption_of;

/// Why a training-needs specification cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct NeedsSpecError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// One of the study report's implications (chapter 6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Implication {
    /// Its number in the report.
    pub number: u32,
    /// Its heading.
    pub title: String,
    /// What it says, in a sentence.
    pub summary: String,
}

/// Which way a pre/post change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// A fall is an improvement (e.g. "knew very little").
    #[default]
    Lower,
    /// A rise is an improvement (e.g. "answered correctly").
    Higher,
}

/// How a gap is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GapKind {
    /// The share choosing any of the `gap` answers.
    #[default]
    Answers,
    /// True/false statements: the share giving the definite answer that is not the
    /// plan's answer key (not counting the `unsure` answers).
    Misconception,
}

/// One kind of gap to rank.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GapSpec {
    /// Identifier.
    pub id: String,
    /// Heading, e.g. "What practitioners know least about".
    pub title: String,
    /// How it is counted.
    #[serde(default)]
    pub kind: GapKind,
    /// The analysis plan's matrix table it reads.
    pub table: String,
    /// The answers (column labels without " Number") counted as the gap.
    #[serde(default)]
    pub gap: Vec<String>,
    /// For a misconception: the plan's answer-key derived variable.
    pub key: Option<String>,
    /// For a misconception: answers that are neither right nor wrong ("Don't know").
    #[serde(default)]
    pub unsure: Vec<String>,
    /// What the share means, completing "N% ...".
    pub measure: String,
    /// Only these rows (instrument row ids); all when empty.
    #[serde(default)]
    pub rows: Vec<String>,
    /// Rows worded the other way round (agreeing is the gap), with the answers that
    /// count as the gap for them.
    #[serde(default)]
    pub reverse_rows: Vec<String>,
    /// The gap answers of `reverse_rows`.
    #[serde(default)]
    pub reverse_gap: Vec<String>,
    /// The implications every row links to.
    #[serde(default)]
    pub implications: Vec<u32>,
    /// The implications of particular rows, instead of `implications`.
    #[serde(default)]
    pub row_implications: BTreeMap<String, Vec<u32>>,
    /// The plan's pre/post family that shows what changed.
    pub prepost: Option<String>,
    /// Which way that family's proportion improves.
    #[serde(default)]
    pub prepost_better: Better,
}

/// The specification of a training-needs report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NeedsSpec {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// How many rows of each gap to list.
    #[serde(default = "six")]
    pub top: usize,
    /// The study report's implications.
    #[serde(default)]
    pub implication: Vec<Implication>,
    /// The gaps, in the order they are shown.
    #[serde(default)]
    pub gap: Vec<GapSpec>,
}

fn six() -> usize {
    6
}

impl NeedsSpec {
    /// Parses a specification and checks its links to implications.
    pub fn parse(text: &str, file: &str) -> Result<NeedsSpec, NeedsSpecError> {
        let spec: NeedsSpec = toml::from_str(text).map_err(|e| NeedsSpecError {
            file: file.to_owned(),
            message: e.message().to_owned(),
        })?;
        let known = |n: &u32| spec.implication.iter().any(|i| i.number == *n);
        for gap in &spec.gap {
            let linked = gap
                .implications
                .iter()
                .chain(gap.row_implications.values().flatten());
            if let Some(missing) = linked.into_iter().find(|n| !known(n)) {
                return Err(NeedsSpecError {
                    file: file.to_owned(),
                    message: format!(
                        "gap {} links to implication {missing}, which is not listed",
                        gap.id
                    ),
                });
            }
            if gap.kind == GapKind::Misconception && gap.key.is_none() {
                return Err(NeedsSpecError {
                    file: file.to_owned(),
                    message: format!("gap {} is a misconception but names no key", gap.id),
                });
            }
            if gap.kind == GapKind::Answers && gap.gap.is_empty() {
                return Err(NeedsSpecError {
                    file: file.to_owned(),
                    message: format!("gap {} lists no gap answers", gap.id),
                });
            }
        }
        Ok(spec)
    }
}

/// A training module section, as the report links to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRef {
    /// The section's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The survey rows and items it addresses (knowledge statements and others).
    pub addresses: Vec<String>,
}

/// A share of respondents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// Respondents in the gap.
    pub count: u64,
    /// Respondents who answered.
    pub base: u64,
}

impl Share {
    /// As a percentage.
    pub fn percent(&self) -> f64 {
        if self.base == 0 {
            0.0
        } else {
            100.0 * self.count as f64 / self.base as f64
        }
    }
}

/// What changed after the training for one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Whose responses: "this site" or "all sites".
    pub scope: String,
    /// The proportion the plan's comparison counts, before and after, in %.
    pub before: f64,
    /// After the training.
    pub after: f64,
    /// Post-training responses.
    pub post_n: u64,
    /// What the change rests on: "42 respondents linked across both surveys" (the
    /// paired test leads where there are any) or "120 post-training responses".
    pub basis: String,
    /// The leading test's p, adjusted across its family: McNemar's on linked
    /// respondents, else the study's one-tailed z-test.
    pub p_adjusted: f64,
    /// The leading test is significant at the plan's level after adjustment.
    pub significant: bool,
    /// Whether the change is in the better direction.
    pub improved: bool,
    /// Significantly worse, by the leading two-sided test.
    pub worse: bool,
}

/// One row of a gap: a statement or indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// The instrument row id, when the row's text matches one.
    pub row_id: Option<String>,
    /// The statement.
    pub text: String,
    /// The scope's share, or `None` when it must not be shown.
    pub share: Option<Share>,
    /// All sites' share, for comparison.
    pub all: Option<Share>,
    /// The implications it links to.
    pub implications: Vec<u32>,
    /// The module sections that address it (id, title).
    pub sections: Vec<(String, String)>,
    /// What changed after the training, where post-training responses exist.
    pub change: Option<Change>,
}

/// One kind of gap, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedGroup {
    /// The gap's id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// What the share means.
    pub measure: String,
    /// The table it reads, as the report captions it.
    pub source: String,
    /// The largest gaps first, then (for readers who see only large numbers) the rows
    /// whose share is hidden, in survey order.
    pub needs: Vec<Need>,
    /// Rows left out of the ranking beyond the spec's `top`.
    pub more: usize,
}

/// A training-needs report for one site or the whole study.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedsReport {
    /// Title.
    pub title: String,
    /// Whose needs: a site's code, or "all sites".
    pub scope: String,
    /// Pre-training responses after cleaning.
    pub responses: u64,
    /// Whether there are too few responses to report (then `groups` is empty).
    pub too_few: bool,
    /// The gaps.
    pub groups: Vec<NeedGroup>,
    /// Every implication a need links to, by number.
    pub implications: Vec<Implication>,
}

/// Options of a training-needs report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsOptions {
    /// "LA08", or "all sites".
    pub scope: String,
    /// Counts below this are not shown; `None` shows everything.
    pub min_count: Option<u64>,
}

/// The rows of a matrix item or derived per-row variable, by their text.
fn row_ids(instrument: &Instrument) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in instrument.items() {
        if let ItemKind::Matrix { rows, .. } = &item.kind {
            for row in rows {
                out.insert(row.text.clone(), row.id.clone());
            }
        }
    }
    out
}

/// The scale labels of a matrix item's row, by code.
fn row_labels(instrument: &Instrument, row_id: &str) -> BTreeMap<u32, String> {
    for item in instrument.items() {
        if let ItemKind::Matrix { rows, options, .. } = &item.kind
            && rows.iter().any(|r| r.id == row_id)
        {
            return options.iter().map(|o| (o.code, o.label.clone())).collect();
        }
    }
    BTreeMap::new()
}

/// The answer key of the plan's answer-key derived variable.
fn answer_key<'a>(plan: &'a Plan, id: &str) -> Option<&'a BTreeMap<String, u32>> {
    plan.derive
        .iter()
        .find(|d| d.id == id)
        .and_then(|d| match &d.rule {
            DeriveRule::AnswerKey { key } => Some(key),
            _ => None,
        })
}

/// The count in a matrix row's "{answer} Number" column.
fn answer_count(table: &TableResult, row: &[Cell], answer: &str) -> Option<u64> {
    let column = table
        .columns
        .iter()
        .position(|c| c == &format!("{answer} Number"))?;
    match row.get(column) {
        Some(Cell::Count(n)) => Some(*n),
        _ => None,
    }
}

fn total_of(row: &[Cell]) -> u64 {
    match row.last() {
        Some(Cell::Count(n)) => *n,
        _ => 0,
    }
}

/// The gap share of each row of a table, by row text.
fn shares(
    gap: &GapSpec,
    table: &TableResult,
    plan: &Plan,
    instrument: &Instrument,
    ids: &BTreeMap<String, String>,
) -> Vec<(String, Option<String>, Share)> {
    let key = gap.key.as_deref().and_then(|k| answer_key(plan, k));
    table
        .rows
        .iter()
        .filter_map(|row| {
            let text = match row.first() {
                Some(Cell::Text(t)) => t.clone(),
                _ => return None,
            };
            let id = ids.get(&text).cloned();
            if !gap.rows.is_empty() && !id.as_ref().is_some_and(|id| gap.rows.contains(id)) {
                return None;
            }
            let answers: Vec<String> = match gap.kind {
                GapKind::Answers if id.as_ref().is_some_and(|id| gap.reverse_rows.contains(id)) => {
                    gap.reverse_gap.clone()
                }
                GapKind::Answers => gap.gap.clone(),
                GapKind::Misconception => {
                    let id = id.as_deref()?;
                    let correct = *key?.get(id)?;
                    row_labels(instrument, id)
                        .into_iter()
                        .filter(|(code, label)| *code != correct && !gap.unsure.contains(label))
                        .map(|(_, label)| label)
                        .collect()
                }
            };
            let count = answers
                .iter()
                .filter_map(|a| answer_count(table, row, a))
                .sum();
            Some((
                text,
                id,
                Share {
                    count,
                    base: total_of(row),
                },
            ))
        })
        .collect()
}

/// Whether a share may be shown: neither it nor its complement is a small count.
fn showable(share: &Share, min: Option<u64>) -> bool {
    match min {
        None => true,
        Some(min) => {
            let small = |n: u64| (1..min).contains(&n);
            share.base >= min && !small(share.count) && !small(share.base - share.count)
        }
    }
}

fn prepost_for<'a>(analysis: &'a Analysis, family: &str, row: &str) -> Option<&'a PrePostResult> {
    analysis.tests.iter().find_map(|t| match t {
        TestResult::PrePost(p) if p.family == family && p.pre_variable == row => Some(p.as_ref()),
        _ => None,
    })
}

fn change_of(result: &PrePostResult, scope: &str, better: Better, reverse: bool) -> Change {
    let paired = result.paired.as_ref().filter(|_| result.led_by_paired());
    let (before, after, basis, p_adjusted, significant) = match paired {
        Some(p) => (
            100.0 * p.before,
            100.0 * p.after,
            format!("{} respondents linked across both surveys", p.n),
            p.mcnemar_p_adjusted.or(p.mcnemar_p).unwrap_or(1.0),
            p.significant,
        ),
        None => (
            100.0 * result.pre.p,
            100.0 * result.post.p,
            format!("{} post-training responses", result.post.n),
            result.p_adjusted,
            result.significant,
        ),
    };
    let rises = after > before;
    let improved = match (better, reverse) {
        (Better::Higher, false) | (Better::Lower, true) => rises,
        _ => !rises && after != before,
    };
    Change {
        scope: scope.to_owned(),
        before,
        after,
        post_n: result.post.n,
        basis,
        p_adjusted,
        significant: significant && improved,
        improved,
        worse: result.worse,
    }
}

/// The training-needs report of a scope (a site, or all sites) from its analysis and
/// all sites' analysis, both made with [`crate::dashboard::dashboard_plan`].
pub fn needs_report(
    spec: &NeedsSpec,
    plan: &Plan,
    instrument: &Instrument,
    sections: &[SectionRef],
    scope: &Analysis,
    all: &Analysis,
    options: &NeedsOptions,
) -> NeedsReport {
    let responses = scope.cleaning.pre.kept as u64;
    let too_few = options.min_count.is_some_and(|min| responses < min);
    let ids = row_ids(instrument);
    let mut linked: Vec<u32> = Vec::new();
    let mut groups = Vec::new();
    if !too_few {
        for gap in &spec.gap {
            let (Some(table), Some(all_table)) = (
                scope.tables.iter().find(|t| t.id == gap.table),
                all.tables.iter().find(|t| t.id == gap.table),
            ) else {
                continue;
            };
            let all_shares = shares(gap, all_table, plan, instrument, &ids);
            let mut shown = Vec::new();
            let mut hidden = Vec::new();
            for (text, id, share) in shares(gap, table, plan, instrument, &ids) {
                let implications = id
                    .as_ref()
                    .and_then(|id| gap.row_implications.get(id))
                    .unwrap_or(&gap.implications)
                    .clone();
                linked.extend(&implications);
                let row_sections = id
                    .as_ref()
                    .map(|id| {
                        sections
                            .iter()
                            .filter(|s| s.addresses.contains(id))
                            .map(|s| (s.id.clone(), s.title.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                let reverse = id.as_ref().is_some_and(|id| gap.reverse_rows.contains(id));
                let change = match (&gap.prepost, &id) {
                    (Some(family), Some(id)) => {
                        let site_level = prepost_for(scope, family, id).filter(|r| {
                            options.min_count.is_none_or(|min| {
                                r.post.n >= min
                                    && showable(
                                        &Share {
                                            count: r.post.x,
                                            base: r.post.n,
                                        },
                                        Some(min),
                                    )
                            })
                        });
                        match site_level {
                            Some(r) if options.scope != "all sites" => {
                                Some(change_of(r, "this site", gap.prepost_better, reverse))
                            }
                            _ => prepost_for(all, family, id)
                                .map(|r| change_of(r, "all sites", gap.prepost_better, reverse)),
                        }
                    }
                    _ => None,
                };
                let need = Need {
                    all: all_shares
                        .iter()
                        .find(|(t, ..)| *t == text)
                        .map(|(_, _, s)| *s),
                    share: showable(&share, options.min_count).then_some(share),
                    row_id: id,
                    text,
                    implications,
                    sections: row_sections,
                    change,
                };
                if need.share.is_some() {
                    shown.push(need);
                } else {
                    hidden.push(need);
                }
            }
            shown.sort_by(|a, b| {
                let pa = a.share.map_or(0.0, |s| s.percent());
                let pb = b.share.map_or(0.0, |s| s.percent());
                pb.total_cmp(&pa)
            });
            let more = shown.len().saturating_sub(spec.top);
            shown.truncate(spec.top);
            shown.extend(hidden);
            groups.push(NeedGroup {
                id: gap.id.clone(),
                title: gap.title.clone(),
                measure: gap.measure.clone(),
                source: caption_of(&table.id, &table.title),
                needs: shown,
                more,
            });
        }
    }
    linked.sort_unstable();
    linked.dedup();
    NeedsReport {
        title: spec.title.clone(),
        scope: options.scope.clone(),
        responses,
        too_few,
        groups,
        implications: spec
            .implication
            .iter()
            .filter(|i| linked.contains(&i.number))
            .cloned()
            .collect(),
    }
}

/// One row of a gap as answer codes of its survey variable: what the protected release
/// of a site counts for it (`skafada-release`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapRow {
    /// The gap's id.
    pub gap: String,
    /// The instrument row.
    pub row_id: String,
    /// The statement.
    pub text: String,
    /// The codes counted as the gap.
    pub codes: Vec<u32>,
    /// The codes of the base (every answer the table counts).
    pub base: Vec<u32>,
    /// Worded the other way round.
    pub reverse: bool,
    /// The implications it links to.
    pub implications: Vec<u32>,
}

/// Every row of every gap of the specification as codes of the raw survey variables:
/// the scale's own answers, or the plan's recode that the gap's table reads, mapped
/// back to the codes it gathers. Rows whose answers cannot be mapped are left out.
pub fn gap_rows(spec: &NeedsSpec, plan: &Plan, instrument: &Instrument) -> Vec<GapRow> {
    let mut out = Vec::new();
    for gap in &spec.gap {
        let Some(table) = plan.table.iter().find(|t| t.id == gap.table) else {
            continue;
        };
        let skafada_analysis::plan::TableShape::Matrix { item, derived, .. } = &table.shape else {
            continue;
        };
        let Some(ItemKind::Matrix { options, rows, .. }) = instrument.item(item).map(|i| &i.kind)
        else {
            continue;
        };
        // Label -> the raw codes it stands for.
        let labels: Vec<(String, Vec<u32>)> = match derived {
            Some(derived) => match plan
                .derive
                .iter()
                .find(|d| &d.id == derived)
                .map(|d| &d.rule)
            {
                Some(DeriveRule::Recode { categories, .. }) => categories
                    .iter()
                    .map(|c| (c.label.clone(), c.from.clone()))
                    .collect(),
                _ => continue,
            },
            None => options
                .iter()
                .map(|o| (o.label.clone(), vec![o.code]))
                .collect(),
        };
        let codes_of = |wanted: &[String]| -> Option<Vec<u32>> {
            let mut codes = Vec::new();
            for label in wanted {
                codes.extend(labels.iter().find(|(l, _)| l == label)?.1.iter().copied());
            }
            codes.sort_unstable();
            Some(codes)
        };
        let mut base: Vec<u32> = labels.iter().flat_map(|(_, c)| c.iter().copied()).collect();
        base.sort_unstable();
        let key = gap.key.as_deref().and_then(|k| answer_key(plan, k));
        for row in rows {
            if !gap.rows.is_empty() && !gap.rows.contains(&row.id) {
                continue;
            }
            let reverse = gap.reverse_rows.contains(&row.id);
            let codes = match gap.kind {
                GapKind::Answers if reverse => codes_of(&gap.reverse_gap),
                GapKind::Answers => codes_of(&gap.gap),
                GapKind::Misconception => {
                    let Some(correct) = key.and_then(|k| k.get(&row.id)).copied() else {
                        continue;
                    };
                    let unsure = codes_of(&gap.unsure).unwrap_or_default();
                    Some(
                        base.iter()
                            .copied()
                            .filter(|c| *c != correct && !unsure.contains(c))
                            .collect(),
                    )
                }
            };
            let Some(codes) = codes else {
                continue;
            };
            out.push(GapRow {
                gap: gap.id.clone(),
                row_id: row.id.clone(),
                text: row.text.clone(),
                codes,
                base: base.clone(),
                reverse,
                implications: gap
                    .row_implications
                    .get(&row.id)
                    .cloned()
                    .unwrap_or_else(|| gap.implications.clone()),
            });
        }
    }
    out
}
