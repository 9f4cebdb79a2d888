//! Counting a survey's coded variables at the site and across every site, and reading
//! the routing an intruder who has the questionnaire knows.

use std::collections::{HashMap, HashSet};

use skafada_analysis::data::{MISSING, Responses};
use skafada_instrument::{Condition, Instrument, ItemKind};

use crate::{CodeCount, LinkedCells, Survey, VariableCounts};

/// The simple conditions that must all hold for an item to be shown: its page's and
/// its own, `all` groups flattened. A condition on a "select all that apply" question
/// or an `any` group cannot be written as a bound on one variable's counts, so it adds
/// nothing (the intruder is then weaker than it could be, never wrong).
pub fn condition_of(instrument: &Instrument, item_id: &str) -> Vec<(String, Vec<u32>)> {
    let mut out = Vec::new();
    for page in &instrument.pages {
        for item in &page.items {
            if item.id != item_id {
                continue;
            }
            for condition in page.show_if.iter().chain(item.show_if.iter()) {
                flatten(instrument, condition, &mut out);
            }
        }
    }
    out
}

fn flatten(instrument: &Instrument, condition: &Condition, out: &mut Vec<(String, Vec<u32>)>) {
    match condition {
        Condition::Is { item, codes } => {
            let on_multiple = instrument
                .item(item)
                .is_some_and(|i| matches!(i.kind, ItemKind::Multiple { .. }));
            if !on_multiple {
                out.push((item.clone(), codes.clone()));
            }
        }
        Condition::All(all) => {
            for c in all {
                flatten(instrument, c, out);
            }
        }
        Condition::Any(_) => {}
    }
}

/// The items whose routed answers another item's condition reads: the only routed
/// columns a count must keep once it has counted them.
fn read_by_conditions(instrument: &Instrument) -> HashSet<String> {
    instrument
        .items()
        .flat_map(|item| condition_of(instrument, &item.id))
        .map(|(other, _)| other)
        .collect()
}

/// A variable's column as routing sees it: an answer to a question the respondent's own
/// answers route past (left from before they changed an earlier answer) is missing, so
/// the counts always fit the structure the intruder knows. `routed` holds the columns
/// of earlier variables, already routed.
fn routed_column(
    data: &Responses,
    id: &str,
    shown_if: &[(String, Vec<u32>)],
    routed: &HashMap<String, Vec<i32>>,
) -> Vec<i32> {
    let Some(values) = data.values(id) else {
        return vec![MISSING; data.len()];
    };
    route(values.iter(), shown_if, routed)
}

/// As [`routed_column`], of some records only, read where they are.
fn routed_rows(
    rows: Rows<'_>,
    id: &str,
    shown_if: &[(String, Vec<u32>)],
    routed: &HashMap<String, Vec<i32>>,
) -> Vec<i32> {
    let Some(values) = rows.responses.values(id) else {
        return vec![MISSING; rows.rows.len()];
    };
    route(
        rows.rows
            .iter()
            .map(|&row| values.get(row).unwrap_or(MISSING)),
        shown_if,
        routed,
    )
}

/// Each value, or missing where `routed` (by position among the same records) says
/// routing went past its question.
fn route(
    values: impl Iterator<Item = i32>,
    shown_if: &[(String, Vec<u32>)],
    routed: &HashMap<String, Vec<i32>>,
) -> Vec<i32> {
    values
        .enumerate()
        .map(|(position, value)| {
            let shown = shown_if.iter().all(|(other, allowed)| {
                routed
                    .get(other)
                    .and_then(|c| c.get(position))
                    .is_some_and(|v| {
                        *v != MISSING && allowed.iter().any(|a| i64::from(*a) == i64::from(*v))
                    })
            });
            if shown { value } else { MISSING }
        })
        .collect()
}

/// Some records of a response set, by index, counted where they are instead of copied
/// out first (a group of similar sites can be most of a study).
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    /// The response set.
    pub responses: &'a Responses,
    /// The records, by index into `responses`, in order.
    pub rows: &'a [usize],
}

/// Counts by code, and the rest as missing.
fn counts(values: &[i32], codes: &[u32]) -> (Vec<u64>, u64) {
    let mut by_code = vec![0u64; codes.len()];
    let mut missing = 0u64;
    for value in values {
        match codes
            .iter()
            .position(|c| *value != MISSING && i64::from(*c) == i64::from(*value))
        {
            Some(i) => by_code[i] += 1,
            None => missing += 1,
        }
    }
    (by_code, missing)
}

/// Every coded variable of a survey, counted among the site's kept responses and among
/// every site's (the site included): single-choice questions, grid statements, and each
/// option of a "select all that apply" question (0 not selected, 1 selected).
pub fn count_variables(
    survey: Survey,
    instrument: &Instrument,
    site: &Responses,
    all: &Responses,
) -> Vec<VariableCounts> {
    count_variables_in(survey, instrument, site, None, all)
}

/// Every coded variable's counts among a survey's kept responses at every site (by
/// code, then missing), routed as [`count_variables`] counts them: the part of a site's
/// counts that is the same for every site, worked out once for all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllSitesCounts {
    by_variable: HashMap<String, (Vec<u64>, u64)>,
    records: u64,
}

impl AllSitesCounts {
    /// Counts every coded variable of `instrument` among `all`.
    pub fn new(instrument: &Instrument, all: &Responses) -> AllSitesCounts {
        AllSitesCounts::of_kept(instrument, all, &vec![true; all.len()])
    }

    /// Counts every coded variable of `instrument` among the records of `responses`
    /// that `keep` marks, without copying them: as [`AllSitesCounts::new`] counts
    /// `responses.filter(keep)`.
    pub fn of_kept(
        instrument: &Instrument,
        responses: &Responses,
        keep: &[bool],
    ) -> AllSitesCounts {
        let kept: Vec<usize> = keep
            .iter()
            .take(responses.len())
            .enumerate()
            .filter_map(|(row, k)| k.then_some(row))
            .collect();
        let mut by_variable = HashMap::new();
        // Routed columns of the kept records only, by position among them, and only of
        // the items a condition reads: one column of every variable at once was about
        // 100 MB at 200,000 records.
        let read = read_by_conditions(instrument);
        let mut routed: HashMap<String, Vec<i32>> = HashMap::new();
        for Coded {
            id, item, codes, ..
        } in coded_variables(instrument)
        {
            let shown_if = condition_of(instrument, &item.id);
            let column = routed_rows(
                Rows {
                    responses,
                    rows: &kept,
                },
                &id,
                &shown_if,
                &routed,
            );
            let code_list: Vec<u32> = codes.iter().map(|(c, _)| *c).collect();
            by_variable.insert(id.clone(), counts(&column, &code_list));
            if read.contains(&id) {
                routed.insert(id, column);
            }
        }
        AllSitesCounts {
            by_variable,
            records: kept.len() as u64,
        }
    }

    /// How many records were counted.
    pub fn records(&self) -> u64 {
        self.records
    }
}

/// As [`count_variables`], with the kept responses of a group of similar sites (the
/// site included) counted too (`CodeCount::group`; the site's own counts without one).
pub fn count_variables_in(
    survey: Survey,
    instrument: &Instrument,
    site: &Responses,
    group: Option<&Responses>,
    all: &Responses,
) -> Vec<VariableCounts> {
    let every_row: Vec<usize> = (0..group.map_or(0, Responses::len)).collect();
    count_variables_with(
        survey,
        instrument,
        site,
        group.map(|responses| Rows {
            responses,
            rows: &every_row,
        }),
        &AllSitesCounts::new(instrument, all),
    )
}

/// As [`count_variables_in`], with every site's counts worked out already, and the
/// group's records counted where they are.
pub fn count_variables_with(
    survey: Survey,
    instrument: &Instrument,
    site: &Responses,
    group: Option<Rows<'_>>,
    all: &AllSitesCounts,
) -> Vec<VariableCounts> {
    let mut out = Vec::new();
    // Only the routed columns a condition reads are kept (see `AllSitesCounts::of_kept`).
    let read = read_by_conditions(instrument);
    let mut routed_site: HashMap<String, Vec<i32>> = HashMap::new();
    let mut routed_group: HashMap<String, Vec<i32>> = HashMap::new();
    for Coded {
        id,
        item,
        option_of_multiple,
        text,
        codes,
    } in coded_variables(instrument)
    {
        let code_list: Vec<u32> = codes.iter().map(|(c, _)| *c).collect();
        let shown_if = condition_of(instrument, &item.id);
        let site_column = routed_column(site, &id, &shown_if, &routed_site);
        let (site_counts, site_missing) = counts(&site_column, &code_list);
        let (all_counts, all_missing) = all
            .by_variable
            .get(&id)
            .cloned()
            .unwrap_or_else(|| (vec![0; code_list.len()], all.records));
        let group_counts = match group {
            Some(group) => {
                let column = routed_rows(group, &id, &shown_if, &routed_group);
                let (by_code, _) = counts(&column, &code_list);
                if read.contains(&id) {
                    routed_group.insert(id.clone(), column);
                }
                by_code
            }
            None => site_counts.clone(),
        };
        if read.contains(&id) {
            routed_site.insert(id.clone(), site_column);
        }
        out.push(VariableCounts {
            survey,
            shown_if,
            id,
            item: item.id.clone(),
            option_of_multiple,
            question: item.text.clone(),
            text,
            codes: codes
                .into_iter()
                .zip(site_counts.into_iter().zip(all_counts).zip(group_counts))
                .map(|((code, label), ((site, all), group))| CodeCount {
                    code,
                    label,
                    site,
                    all,
                    group,
                })
                .collect(),
            site_missing,
            all_missing,
        });
    }
    out
}

/// A coded variable of a survey.
struct Coded<'a> {
    id: String,
    item: &'a skafada_instrument::Item,
    option_of_multiple: bool,
    text: String,
    /// Its codes and their labels.
    codes: Vec<(u32, String)>,
}

/// Every coded variable of a survey in instrument order: single-choice questions, grid
/// statements, and each option of a "select all that apply" question (0 not selected,
/// 1 selected).
fn coded_variables(instrument: &Instrument) -> Vec<Coded<'_>> {
    let mut out: Vec<Coded<'_>> = Vec::new();
    let labelled = |options: &[skafada_instrument::Choice]| {
        options
            .iter()
            .map(|o| (o.code, o.label.clone()))
            .collect::<Vec<_>>()
    };
    for item in instrument.items() {
        match &item.kind {
            ItemKind::Single { options } => out.push(Coded {
                id: item.id.clone(),
                item,
                option_of_multiple: false,
                text: item.text.clone(),
                codes: labelled(options),
            }),
            ItemKind::Matrix { options, rows, .. } => {
                for row in rows {
                    out.push(Coded {
                        id: row.id.clone(),
                        item,
                        option_of_multiple: false,
                        text: row.text.clone(),
                        codes: labelled(options),
                    });
                }
            }
            ItemKind::Multiple { options } => {
                for option in options {
                    out.push(Coded {
                        id: format!("{}.{}", item.id, option.code),
                        item,
                        option_of_multiple: true,
                        text: option.label.clone(),
                        codes: vec![(0, "Not selected".to_owned()), (1, "Selected".to_owned())],
                    });
                }
            }
            ItemKind::Consent { .. }
            | ItemKind::Text { .. }
            | ItemKind::Number { .. }
            | ItemKind::Year { .. } => {}
        }
    }
    out
}

/// Every coded variable's column of a survey's responses, routed as the counts are:
/// an answer the respondent's other answers route past is missing.
fn routed_columns(instrument: &Instrument, data: &Responses) -> HashMap<String, Vec<i32>> {
    let mut routed: HashMap<String, Vec<i32>> = HashMap::new();
    for item in instrument.items() {
        let ids: Vec<String> = match &item.kind {
            ItemKind::Single { .. } => vec![item.id.clone()],
            ItemKind::Matrix { rows, .. } => rows.iter().map(|r| r.id.clone()).collect(),
            ItemKind::Multiple { options } => options
                .iter()
                .map(|o| format!("{}.{}", item.id, o.code))
                .collect(),
            ItemKind::Consent { .. }
            | ItemKind::Text { .. }
            | ItemKind::Number { .. }
            | ItemKind::Year { .. } => Vec::new(),
        };
        let shown_if = condition_of(instrument, &item.id);
        for id in ids {
            let column = routed_column(data, &id, &shown_if, &routed);
            routed.insert(id, column);
        }
    }
    routed
}

/// One side of a linked measure: the survey's instrument and responses (the site's kept
/// ones), the variable, the codes counted and the codes of the base.
#[derive(Debug, Clone, Copy)]
pub struct LinkedSide<'a> {
    /// The survey's instrument.
    pub instrument: &'a Instrument,
    /// The site's kept responses to it.
    pub responses: &'a Responses,
    /// The variable.
    pub variable: &'a str,
    /// The codes counted.
    pub codes: &'a [u32],
    /// The codes of the base.
    pub base: &'a [u32],
}

/// The site's respondents with a kept response in both surveys who answered the
/// variable within its base in both, by whether each answer was counted. Answers are
/// routed as the figures' counts are, so the linked counts never exceed them.
pub fn count_linked(pre: LinkedSide<'_>, post: LinkedSide<'_>) -> LinkedCells {
    let column = |side: &LinkedSide<'_>| {
        routed_columns(side.instrument, side.responses)
            .remove(side.variable)
            .unwrap_or_default()
    };
    let (before, after) = (column(&pre), column(&post));
    let post_row: HashMap<&str, usize> = post
        .responses
        .respondent_id
        .iter()
        .enumerate()
        .filter(|(_, id)| !id.is_empty())
        .map(|(row, id)| (id.as_str(), row))
        .collect();
    let within = |value: i32, codes: &[u32]| {
        value != MISSING && codes.iter().any(|c| i64::from(*c) == i64::from(value))
    };
    let mut cells = LinkedCells::default();
    for (row, id) in pre.responses.respondent_id.iter().enumerate() {
        let Some(&other) = post_row.get(id.as_str()) else {
            continue;
        };
        let (Some(&a), Some(&b)) = (before.get(row), after.get(other)) else {
            continue;
        };
        if !within(a, pre.base) || !within(b, post.base) {
            continue;
        }
        match (within(a, pre.codes), within(b, post.codes)) {
            (true, true) => cells.both += 1,
            (true, false) => cells.before_only += 1,
            (false, true) => cells.after_only += 1,
            (false, false) => cells.neither += 1,
        }
    }
    cells
}
