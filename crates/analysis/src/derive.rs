//! Computing derived variables: recodes, bands, rule-based categories, text coding and
//! answer keys.

use crate::codebook::{Codebook, VariableInfo};
use crate::codes::CodeTable;
use crate::data::{Column, Columns, MISSING, Responses, ValueColumn, Values};
use crate::plan::{Derive, DeriveRule, When};

/// Computes every derived variable of the plan whose sources this response set has.
/// Returns the identifiers of the derivations that applied.
pub fn apply(
    derivations: &[Derive],
    data: &mut (impl Columns + Sync),
    book: &mut Codebook,
) -> Vec<String> {
    let mut applied = Vec::new();
    for derive in derivations {
        if apply_one(derive, data, book) {
            applied.push(derive.id.clone());
        }
    }
    applied
}

fn labels_of(categories: impl Iterator<Item = (u32, String)>) -> Vec<(i32, String)> {
    categories.map(|(c, l)| (c as i32, l)).collect()
}

fn apply_one(derive: &Derive, data: &mut (impl Columns + Sync), book: &mut Codebook) -> bool {
    match &derive.rule {
        DeriveRule::Recode {
            from,
            each_row_of,
            categories,
            specify,
            other,
            text_rules,
        } => {
            let sources: Vec<(String, String)> = match (from, each_row_of) {
                (Some(from), None) => vec![(from.clone(), derive.id.clone())],
                (None, Some(item)) => match book.get(item) {
                    Some(info) if !info.members.is_empty() => info
                        .members
                        .iter()
                        .map(|row| (row.clone(), format!("{}:{row}", derive.id)))
                        .collect(),
                    _ => return false,
                },
                _ => return false,
            };
            if sources
                .iter()
                .any(|(source, _)| data.value_column(source).is_none())
            {
                return false;
            }
            let lookup: Vec<(i32, i32)> = categories
                .iter()
                .flat_map(|c| c.from.iter().map(move |f| (*f as i32, c.code as i32)))
                .collect();
            let lowered_rules: Vec<(Vec<String>, i32)> = text_rules
                .iter()
                .map(|r| {
                    (
                        r.contains.iter().map(|w| w.to_lowercase()).collect(),
                        r.code as i32,
                    )
                })
                .collect();
            let other: Vec<i32> = other.iter().map(|c| *c as i32).collect();
            // Each source code's new code (the first rule that lists it, [`MISSING`] where
            // none does) and whether it is an "other" code whose free text may place it.
            let recode = CodeTable::new(SMALL_CODES, |value| {
                if value == MISSING {
                    return (MISSING, false);
                }
                let code = lookup
                    .iter()
                    .find(|(f, _)| *f == value)
                    .map_or(MISSING, |(_, c)| *c);
                (code, other.contains(&value))
            });
            let labels = labels_of(categories.iter().map(|c| (c.code, c.label.clone())));
            // Each row of a battery is recoded on its own: they run on every core.
            let shared: &_ = data;
            let recoded = crate::run::parallel_map(&sources, |(source, _)| {
                let Some(values) = shared.value_column(source) else {
                    return ValueColumn::new();
                };
                let texts = specify.as_deref().and_then(|s| shared.text_column(s));
                values
                    .iter()
                    .enumerate()
                    .map(|(row, value)| {
                        let (code, is_other) = recode.get(value);
                        if is_other && let Some(text) = texts.and_then(|t| t.get(row)) {
                            let text = text.to_lowercase();
                            if let Some((_, code)) = lowered_rules
                                .iter()
                                .find(|(words, _)| words.iter().any(|w| text.contains(w.as_str())))
                            {
                                return *code;
                            }
                        }
                        code
                    })
                    .collect::<ValueColumn>()
            });
            let mut members = Vec::new();
            for ((source, target), derived) in sources.into_iter().zip(recoded) {
                let text = book
                    .get(&source)
                    .map(|i| i.text.clone())
                    .unwrap_or_default();
                data.set(target.clone(), Column::Values(derived));
                book.insert(
                    &target,
                    VariableInfo {
                        text,
                        labels: labels.clone(),
                        ..VariableInfo::default()
                    },
                );
                members.push(target);
            }
            if each_row_of.is_some() {
                book.insert(
                    &derive.id,
                    VariableInfo {
                        text: derive.label.clone(),
                        labels,
                        members,
                        ..VariableInfo::default()
                    },
                );
            }
            true
        }
        DeriveRule::Bands {
            from,
            subtract_from,
            bands,
        } => {
            let Some(values) = data.value_column(from) else {
                return false;
            };
            let derived = values
                .iter()
                .map(|value| {
                    if value == MISSING {
                        return MISSING;
                    }
                    let value =
                        subtract_from.map_or(value, |reference| reference.saturating_sub(value));
                    bands
                        .iter()
                        .find(|b| {
                            b.min.is_none_or(|m| value >= m) && b.max.is_none_or(|m| value <= m)
                        })
                        .map_or(MISSING, |b| b.code as i32)
                })
                .collect();
            data.set(derive.id.clone(), Column::Values(derived));
            let labels = labels_of(bands.iter().map(|b| (b.code, b.label.clone())));
            book.insert(
                &derive.id,
                VariableInfo {
                    text: derive.label.clone(),
                    labels,
                    ..VariableInfo::default()
                },
            );
            true
        }
        DeriveRule::Rules { categories } => {
            let mut needed = Vec::new();
            for category in categories {
                collect_vars(&category.when, &mut needed);
            }
            if needed.iter().any(|v| data.value_column(v).is_none()) {
                return false;
            }
            // Each condition's columns are looked up once, not once per record.
            let compiled: Vec<(Compiled<'_>, i32)> = categories
                .iter()
                .map(|c| (Compiled::new(&c.when, data), c.code as i32))
                .collect();
            // Records are independent: each core places a share of them.
            let derived = crate::run::parallel_records(data.len(), |rows| {
                rows.map(|row| {
                    compiled
                        .iter()
                        .find(|(when, _)| when.holds(row))
                        .map_or(MISSING, |(_, code)| *code)
                })
                .collect()
            });
            data.set(derive.id.clone(), Column::Values(derived.into()));
            let labels = labels_of(categories.iter().map(|c| (c.code, c.label.clone())));
            book.insert(
                &derive.id,
                VariableInfo {
                    text: derive.label.clone(),
                    labels,
                    ..VariableInfo::default()
                },
            );
            true
        }
        DeriveRule::TextCategories { from, categories } => {
            let Some(texts) = data.text_column(from) else {
                return false;
            };
            // Answers repeat (many name the same course): each distinct text is lowered
            // and searched once. `distinct[row]` is the text's index, or `u32::MAX`.
            let mut seen: std::collections::HashMap<&str, u32, foldhash::fast::RandomState> =
                std::collections::HashMap::default();
            let mut lowered: Vec<String> = Vec::new();
            let distinct: Vec<u32> = texts
                .iter()
                .map(|t| match t {
                    None => u32::MAX,
                    Some(text) => *seen.entry(text).or_insert_with(|| {
                        lowered.push(text.to_lowercase());
                        u32::try_from(lowered.len() - 1).unwrap_or(u32::MAX)
                    }),
                })
                .collect();
            // Categories are independent: their columns are filled on every core.
            let ticked = crate::run::parallel_map(categories, |category| {
                let words: Vec<String> =
                    category.contains.iter().map(|w| w.to_lowercase()).collect();
                let mentioned: Vec<i32> = lowered
                    .iter()
                    .map(|text| i32::from(words.iter().any(|w| text.contains(w.as_str()))))
                    .collect();
                distinct
                    .iter()
                    .map(|&i| mentioned.get(i as usize).copied().unwrap_or(MISSING))
                    .collect::<ValueColumn>()
            });
            // Texts that matched no category: counted, so that they do not vanish.
            let uncoded: ValueColumn = (0..data.len())
                .map(|row| {
                    let any = ticked.iter().any(|t| t.get(row) == Some(1));
                    match distinct.get(row) {
                        Some(&u32::MAX) | None => MISSING,
                        Some(_) => i32::from(!any),
                    }
                })
                .collect();
            let uncoded_id = format!("{}.uncoded", derive.id);
            let mut members = Vec::new();
            for (category, ticks) in categories.iter().zip(ticked) {
                let id = format!("{}.{}", derive.id, category.code);
                data.set(id.clone(), Column::Values(ticks));
                book.insert(
                    &id,
                    VariableInfo {
                        text: category.label.clone(),
                        labels: vec![(1, "Mentioned".into()), (0, "Not mentioned".into())],
                        ..VariableInfo::default()
                    },
                );
                members.push(id);
            }
            data.set(uncoded_id.clone(), Column::Values(uncoded));
            book.insert(
                &uncoded_id,
                VariableInfo {
                    text: crate::run::UNCODED_LABEL.to_owned(),
                    labels: vec![
                        (1, "Matched no category".into()),
                        (0, "Matched a category".into()),
                    ],
                    ..VariableInfo::default()
                },
            );
            let labels = labels_of(categories.iter().map(|c| (c.code, c.label.clone())));
            book.insert(
                &derive.id,
                VariableInfo {
                    text: derive.label.clone(),
                    labels,
                    members,
                    uncoded: Some(uncoded_id),
                    ..VariableInfo::default()
                },
            );
            true
        }
        DeriveRule::AnswerKey { key } => {
            if key.keys().any(|row| data.value_column(row).is_none()) {
                return false;
            }
            // Each statement is marked on its own: they run on every core.
            let shared: &_ = data;
            let entries: Vec<(&String, &u32)> = key.iter().collect();
            let marked = crate::run::parallel_map(&entries, |(row_id, correct)| {
                let Some(values) = shared.value_column(row_id) else {
                    return ValueColumn::new();
                };
                values
                    .iter()
                    .map(|v| {
                        if v == MISSING {
                            MISSING
                        } else {
                            i32::from(v == **correct as i32)
                        }
                    })
                    .collect::<ValueColumn>()
            });
            let mut members = Vec::new();
            let mut totals: Vec<i32> = vec![0; data.len()];
            for ((row_id, _), marks) in entries.into_iter().zip(marked) {
                for (total, mark) in totals.iter_mut().zip(marks.iter()) {
                    *total = if *total == MISSING || mark == MISSING {
                        MISSING
                    } else {
                        *total + mark
                    };
                }
                let id = format!("{}:{row_id}", derive.id);
                let text = book.get(row_id).map(|i| i.text.clone()).unwrap_or_default();
                data.set(id.clone(), Column::Values(marks));
                book.insert(
                    &id,
                    VariableInfo {
                        text,
                        labels: vec![(1, "Correct".into()), (0, "Incorrect or don't know".into())],
                        ..VariableInfo::default()
                    },
                );
                members.push(id);
            }
            data.set(derive.id.clone(), Column::Values(totals.into()));
            book.insert(
                &derive.id,
                VariableInfo {
                    text: derive.label.clone(),
                    members,
                    ..VariableInfo::default()
                },
            );
            true
        }
    }
}

/// Codes below this are recoded through a dense table.
const SMALL_CODES: usize = 256;

fn collect_vars(when: &When, out: &mut Vec<String>) {
    if let Some(var) = &when.var {
        out.push(var.clone());
    }
    for nested in when.all.iter().chain(when.any.iter()).flatten() {
        collect_vars(nested, out);
    }
}

/// A condition with its columns resolved; [`Compiled::holds`] agrees with [`holds`].
enum Compiled<'a> {
    All(Vec<Compiled<'a>>),
    Any(Vec<Compiled<'a>>),
    Is(Values<'a>, &'a [i32]),
    Not(Values<'a>, &'a [i32]),
    Answered(Values<'a>, bool),
    Never,
}

impl<'a> Compiled<'a> {
    fn new(when: &'a When, data: &'a impl Columns) -> Compiled<'a> {
        if let Some(all) = &when.all {
            return Compiled::All(all.iter().map(|w| Compiled::new(w, data)).collect());
        }
        if let Some(any) = &when.any {
            return Compiled::Any(any.iter().map(|w| Compiled::new(w, data)).collect());
        }
        let Some(values) = when.var.as_deref().and_then(|v| data.value_column(v)) else {
            return Compiled::Never;
        };
        if let Some(codes) = &when.is {
            return Compiled::Is(values, codes);
        }
        if let Some(codes) = &when.not {
            return Compiled::Not(values, codes);
        }
        if let Some(answered) = when.answered {
            return Compiled::Answered(values, answered);
        }
        Compiled::Never
    }

    fn holds(&self, row: usize) -> bool {
        match self {
            Compiled::All(all) => all.iter().all(|c| c.holds(row)),
            Compiled::Any(any) => any.iter().any(|c| c.holds(row)),
            Compiled::Is(values, codes) => values
                .get(row)
                .is_some_and(|v| v != MISSING && codes.contains(&v)),
            Compiled::Not(values, codes) => values
                .get(row)
                .is_some_and(|v| v == MISSING || !codes.contains(&v)),
            Compiled::Answered(values, answered) => {
                values.get(row).is_some_and(|v| (v != MISSING) == *answered)
            }
            Compiled::Never => false,
        }
    }
}

/// Whether the condition holds for one record. A malformed condition (no test) never holds.
pub fn holds(when: &When, data: &Responses, row: usize) -> bool {
    Compiled::new(when, data).holds(row)
}
