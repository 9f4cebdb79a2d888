//! What the analysis makes of each record, for the record-level exports.
//!
//! An export that is to reproduce the report must carry the report's cleaning and derived
//! variables, and a second implementation of either would drift from the first. So
//! [`outcomes`] runs the analysis's own code: [`crate::clean::exclusions`] (the same
//! rules [`crate::analyse`] applies) gives each record's cleaning outcome, and the
//! derivation step of the analysis ([`crate::derive`], after the variable `site` is
//! added) runs over every record rather than only the kept ones. A derived value depends
//! only on its own record's answers, so for a kept record it is the value the analysis
//! used.
//!
//! It also says, for each variable, which codes the report leaves out of that variable's
//! percentages ([`Outcomes::left_out`]): the SPSS export declares exactly those codes
//! user-missing, so that FREQUENCIES and CROSSTABS in SPSS or PSPP, run on the kept
//! records, give the report's Valid % and tests.

use std::collections::HashMap;

use skafada_instrument::Instrument;

use crate::clean::{CleaningLog, Reason, exclusions};
use crate::data::{Column, Responses, Site, TextColumn, VariableKind, variables};
use crate::plan::{Data, DeriveRule, Plan, TableShape, ValidPercentBase};
use crate::run::{derived, left_out};

/// How a derived variable is measured, in SPSS's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Unordered categories.
    Nominal,
    /// Ordered categories: bands and collapsed scales.
    Ordinal,
    /// A count: the number of statements answered correctly.
    Scale,
}

/// One variable a `[[derive]]` entry of the plan creates, with its value for every record.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedVariable {
    /// The variable's identifier, as the plan's tables and tests name it (`tenure`,
    /// `agree3:confidence-documenting`, `training-topic.2`).
    pub id: String,
    /// The `[[derive]]` entry that creates it.
    pub derive: String,
    /// The entry's `kind` (`recode`, `bands`, `rules`, `text-categories`, `answer-key`).
    pub kind: &'static str,
    /// What the variable means: the entry's label, followed for one of several variables
    /// by the statement or category it is about.
    pub text: String,
    /// Its codes and labels, in display order (empty for a count).
    pub labels: Vec<(i32, String)>,
    /// How it is measured.
    pub measure: Measure,
    /// The value of every record ([`crate::data::MISSING`] where it has none).
    pub column: Column,
}

/// A multiple-response set a `text-categories` entry creates: one 0/1 variable per
/// category.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedSet {
    /// The entry's identifier (`training-topic`).
    pub id: String,
    /// Its label.
    pub text: String,
    /// The identifiers of its variables, in category order.
    pub members: Vec<String>,
}

/// The analysis's outcome for every record of one survey.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// Why each record is left out of the analysis, `None` where it is kept: the cleaning
    /// rules of the plan, applied by the analysis's own code.
    pub exclusions: Vec<Option<Reason>>,
    /// The cleaning log, as `analyse` reports it for the same records.
    pub log: CleaningLog,
    /// The plan's derived variables, in plan order.
    pub derived: Vec<DerivedVariable>,
    /// The multiple-response sets among them.
    pub sets: Vec<DerivedSet>,
    /// The plan's choice of the base of Valid % in frequency tables.
    pub valid_percent_base: ValidPercentBase,
    left_out: HashMap<String, Vec<i32>>,
}

/// The code of a kept record in the exports' `exclusion` variable.
pub const KEPT: i32 = 0;

impl Outcomes {
    /// Whether record `row` is kept by the cleaning.
    pub fn kept(&self, row: usize) -> bool {
        matches!(self.exclusions.get(row), Some(None))
    }

    /// The `exclusion` code of record `row`: [`KEPT`], or [`Reason::code`].
    pub fn exclusion_code(&self, row: usize) -> Option<i32> {
        self.exclusions
            .get(row)
            .map(|reason| reason.map_or(KEPT, Reason::code))
    }

    /// The codes and labels of the `exclusion` variable: [`KEPT`], then each reason with
    /// the description the cleaning log gives it.
    pub fn exclusion_labels(&self) -> Vec<(i32, String)> {
        let mut labels = vec![(KEPT, "kept (not excluded)".to_owned())];
        labels.extend(
            Reason::ALL
                .iter()
                .map(|r| (r.code(), r.describe(self.log.minimum_answered))),
        );
        labels
    }

    /// The codes the report leaves out of the percentages of `variable` (an instrument
    /// or derived variable), ascending:
    ///
    /// - for a variable shown in a frequency table (`frequencies` or `side-by-side`) of
    ///   this survey, the codes those sections leave out of their base (their `exclude`
    ///   codes and, with `valid-percent-base = "substantive"`, "prefer not to say" and
    ///   "not applicable"); with the default base, none but `exclude`;
    /// - for any other variable, its "prefer not to say" and "not applicable" codes,
    ///   which matrix tables and figures, tests, pre/post comparisons and reliability
    ///   always leave out.
    pub fn left_out(&self, variable: &str) -> &[i32] {
        self.left_out.get(variable).map_or(&[], Vec::as_slice)
    }

    /// The outcomes of the records for which `keep` is true, in order (as
    /// [`Responses::filter`] keeps them).
    pub fn filter(&self, keep: &[bool]) -> Outcomes {
        let pick = |column: &Column| match column {
            Column::Values(values) => Column::Values(values.filter(keep)),
            Column::Text(texts) => Column::Text(texts.filter(keep)),
        };
        let exclusions: Vec<Option<Reason>> = self
            .exclusions
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(r, _)| *r)
            .collect();
        let mut log = self.log.clone();
        log.records = exclusions.len();
        log.kept = exclusions.iter().filter(|r| r.is_none()).count();
        for exclusion in &mut log.excluded {
            exclusion.count = exclusions
                .iter()
                .filter(|r| **r == Some(exclusion.reason))
                .count();
        }
        Outcomes {
            exclusions,
            log,
            derived: self
                .derived
                .iter()
                .map(|d| DerivedVariable {
                    column: pick(&d.column),
                    ..d.clone()
                })
                .collect(),
            sets: self.sets.clone(),
            valid_percent_base: self.valid_percent_base,
            left_out: self.left_out.clone(),
        }
    }
}

/// Cleans the responses of one survey (`survey` picks the plan's cleaning rules and
/// tables) by the plan, and derives the plan's variables for every record. `sites` are
/// the sites `responses` index, as the analysis's `site` variable numbers them.
///
/// With no records, the derived variables are still listed (with empty columns), so that
/// an empty export and a codebook have the same columns as a full one.
pub fn outcomes(
    plan: &Plan,
    survey: Data,
    sites: &[Site],
    instrument: &Instrument,
    responses: &Responses,
) -> Outcomes {
    let rules = match survey {
        Data::Pre => &plan.cleaning.pre,
        Data::Post => &plan.cleaning.post,
    };
    let (reasons, log) = exclusions(instrument, responses, rules);
    let empty;
    let responses = if responses.is_empty() {
        empty = no_records(instrument);
        &empty
    } else {
        responses
    };
    let every = vec![true; responses.len()];
    let (data, book) = derived(plan, sites, instrument, responses, &every, &log);
    // Each derived column is moved out of the derivation's records rather than copied;
    // an identifier listed again gets a copy of the column it was given first.
    let mut columns = data.into_derived();
    let mut take = |id: &str, found: &[DerivedVariable]| {
        columns.remove(id).or_else(|| {
            found
                .iter()
                .find(|variable| variable.id == id)
                .map(|variable| variable.column.clone())
        })
    };

    let mut found = Vec::new();
    let mut sets = Vec::new();
    for derive in &plan.derive {
        let kind = kind_name(&derive.rule);
        let Some(info) = book.get(&derive.id) else {
            continue;
        };
        if let Some(column) = take(&derive.id, &found) {
            found.push(DerivedVariable {
                id: derive.id.clone(),
                derive: derive.id.clone(),
                kind,
                text: derive.label.clone(),
                labels: info.labels.clone(),
                measure: match derive.rule {
                    DeriveRule::Bands { .. } => Measure::Ordinal,
                    DeriveRule::AnswerKey { .. } => Measure::Scale,
                    _ => Measure::Nominal,
                },
                column,
            });
        }
        let mut members = Vec::new();
        for member in &info.members {
            let Some(member_info) = book.get(member) else {
                continue;
            };
            let Some(column) = take(member, &found) else {
                continue;
            };
            let text = if derive.label.is_empty() {
                member_info.text.clone()
            } else {
                format!("{}: {}", derive.label, member_info.text)
            };
            let measure = match &derive.rule {
                DeriveRule::Recode {
                    each_row_of: Some(_),
                    ..
                } => Measure::Ordinal,
                _ => Measure::Nominal,
            };
            members.push(member.clone());
            found.push(DerivedVariable {
                id: member.clone(),
                derive: derive.id.clone(),
                kind,
                text,
                labels: member_info.labels.clone(),
                measure,
                column,
            });
        }
        if matches!(derive.rule, DeriveRule::TextCategories { .. }) && !members.is_empty() {
            sets.push(DerivedSet {
                id: derive.id.clone(),
                text: derive.label.clone(),
                members,
            });
        }
    }

    // What the report leaves out of each variable's percentages.
    let mut sections: HashMap<&str, Vec<&crate::plan::Section>> = HashMap::new();
    for table in plan.table.iter().filter(|t| t.data == survey) {
        let shown = match &table.shape {
            TableShape::Frequencies { sections, .. } => sections.as_slice(),
            TableShape::SideBySide { groups, .. } => groups.as_slice(),
            _ => &[],
        };
        for section in shown {
            sections
                .entry(section.variable.as_str())
                .or_default()
                .push(section);
        }
    }
    let mut left = HashMap::new();
    for id in book.members_in_order() {
        let Some(info) = book.get(id) else {
            continue;
        };
        let codes = match sections.get(id) {
            Some(shown) => {
                let mut codes: Vec<i32> = shown
                    .iter()
                    .flat_map(|s| left_out(s, info, plan.valid_percent_base))
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                codes
            }
            None => {
                let mut codes = info.non_substantive.clone();
                codes.sort_unstable();
                codes
            }
        };
        if !codes.is_empty() {
            left.insert(id.to_owned(), codes);
        }
    }

    Outcomes {
        exclusions: reasons,
        log,
        derived: found,
        sets,
        valid_percent_base: plan.valid_percent_base,
        left_out: left,
    }
}

/// A response set of no records with every column of the instrument, so that every
/// derivation whose sources the instrument has applies.
fn no_records(instrument: &Instrument) -> Responses {
    let mut responses = Responses::default();
    for variable in variables(instrument) {
        let column = match variable.kind {
            VariableKind::Text => Column::Text(TextColumn::default()),
            _ => Column::Values(crate::data::ValueColumn::new()),
        };
        responses.set(variable.id, column);
    }
    responses
}

fn kind_name(rule: &DeriveRule) -> &'static str {
    match rule {
        DeriveRule::Recode { .. } => "recode",
        DeriveRule::Bands { .. } => "bands",
        DeriveRule::Rules { .. } => "rules",
        DeriveRule::TextCategories { .. } => "text-categories",
        DeriveRule::AnswerKey { .. } => "answer-key",
    }
}
