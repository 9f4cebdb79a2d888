//! Posted forms: reading them safely, validating a page's answers and turning stored
//! values back into routing answers and form fields.
//!
//! Stored values are plain text: a code (`3`), ticked codes (`1,4`), a number (`2015`)
//! or free text. Validation happens here, on the server only; a failure is not an
//! error but a list of messages to show beside the answers as typed.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use skafada_instrument::{Answers, Choice, Item, ItemKind};

use crate::error::AppError;
use crate::views::{FieldView, OptionView, RowView, SpecifyView};
use skafada_instrument::stored::{self, StoredKind};

/// The most fields a form may have: the longest page has well under a hundred.
const MAX_FIELDS: usize = 1_000;

/// A posted form, name to values in the order sent.
#[derive(Debug, Default)]
pub(crate) struct FormData(BTreeMap<String, Vec<String>>);

impl FormData {
    /// Reads a urlencoded body; a body that is too large, not UTF-8 or not a form is a
    /// clear error page, never a 500.
    pub(crate) fn parse(body: Result<Bytes, BytesRejection>) -> Result<FormData, AppError> {
        let body = body.map_err(|rejection| {
            let status = rejection.status();
            AppError::BadForm(if status == StatusCode::PAYLOAD_TOO_LARGE {
                status
            } else {
                StatusCode::BAD_REQUEST
            })
        })?;
        if std::str::from_utf8(&body).is_err() {
            return Err(AppError::BadForm(StatusCode::BAD_REQUEST));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadForm(StatusCode::BAD_REQUEST))?;
        FormData::from_pairs(pairs)
    }

    /// A form from its fields' names and values, as sent; too many fields is a bad form.
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Result<FormData, AppError> {
        if pairs.len() > MAX_FIELDS {
            return Err(AppError::BadForm(StatusCode::BAD_REQUEST));
        }
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in pairs {
            map.entry(name).or_default().push(value);
        }
        Ok(FormData(map))
    }

    /// Every value sent for a name.
    pub(crate) fn values(&self, name: &str) -> Vec<String> {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// The first value sent for a name exactly as typed, to show it again; empty when
    /// none was sent.
    pub(crate) fn as_typed(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|values| values.first())
            .map_or("", String::as_str)
    }

    /// The first value sent for a name, trimmed; `None` when empty or absent.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .and_then(|values| values.first())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

/// Reads stored values back as routing answers, each by its variable's kind. Values that
/// do not parse are left out (routing then treats the question as unanswered).
pub(crate) fn to_answers(
    stored: &BTreeMap<String, String>,
    vars: &BTreeMap<String, StoredKind>,
) -> Answers {
    stored
        .iter()
        .filter_map(|(variable, value)| {
            let kind = *vars.get(variable)?;
            Some((variable.clone(), stored::to_answer(kind, value)?))
        })
        .collect()
}

/// The variables a set of items stores: item ids, matrix row ids and follow-ups.
pub(crate) fn item_variables(items: &[&Item]) -> Vec<String> {
    let mut vars = Vec::new();
    for item in items {
        match &item.kind {
            ItemKind::Matrix { rows, .. } => vars.extend(rows.iter().map(|r| r.id.clone())),
            ItemKind::Consent { statements } => {
                vars.extend(statements.iter().map(|s| s.id.clone()))
            }
            _ => vars.push(item.id.clone()),
        }
        if let Some(specify) = &item.specify {
            vars.push(specify.id.clone());
        }
    }
    vars
}

/// The values a form field shows for a stored value: a multiple choice's codes, any
/// other answer as stored ([`stored::form_values`]).
pub(crate) fn stored_values(
    stored: &BTreeMap<String, String>,
    vars: &BTreeMap<String, StoredKind>,
    variable: &str,
) -> Vec<String> {
    stored
        .get(variable)
        .map(|value| stored::form_values(vars.get(variable).copied(), value))
        .unwrap_or_default()
}

/// A page's answers, read and validated.
#[derive(Debug, Default)]
pub(crate) struct PageAnswers {
    /// Valid answers to store.
    pub(crate) set: Vec<(String, String)>,
    /// Messages by variable, in page order.
    pub(crate) errors: Vec<(String, String)>,
}

impl PageAnswers {
    /// The message for a variable.
    pub(crate) fn error(&self, variable: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(v, _)| v == variable)
            .map(|(_, m)| m.clone())
    }
}

fn read_choice(options: &[Choice], value: Option<String>) -> Result<Option<u32>, String> {
    match value {
        None => Ok(None),
        Some(value) => value
            .parse::<u32>()
            .ok()
            .filter(|code| options.iter().any(|o| o.code == *code))
            .map(Some)
            .ok_or_else(|| "Select one of the options".to_owned()),
    }
}

/// Reads and validates the answers to the items shown on a page.
pub(crate) fn read_page(items: &[&Item], form: &FormData, this_year: i32) -> PageAnswers {
    let mut page = PageAnswers::default();
    for item in items {
        match &item.kind {
            ItemKind::Consent { .. } => {}
            ItemKind::Single { options } => match read_choice(options, form.text(&item.id)) {
                Ok(Some(code)) => page.set.push((item.id.clone(), code.to_string())),
                Ok(None) => {}
                Err(message) => page.errors.push((item.id.clone(), message)),
            },
            ItemKind::Multiple { options } => {
                let mut codes = BTreeSet::new();
                let mut bad = false;
                for value in form.values(&item.id) {
                    match read_choice(options, Some(value.trim().to_owned())) {
                        Ok(Some(code)) => {
                            codes.insert(code);
                        }
                        Ok(None) => {}
                        Err(_) => bad = true,
                    }
                }
                let exclusive = options
                    .iter()
                    .find(|o| o.exclusive && codes.contains(&o.code));
                if bad {
                    page.errors
                        .push((item.id.clone(), "Select from the options listed".to_owned()));
                } else if let Some(exclusive) = exclusive
                    && codes.len() > 1
                {
                    page.errors.push((
                        item.id.clone(),
                        format!(
                            "Select ‘{}’ on its own, or select other options",
                            exclusive.label
                        ),
                    ));
                } else if !codes.is_empty() {
                    page.set
                        .push((item.id.clone(), stored::encode_codes(codes.iter().copied())));
                }
            }
            ItemKind::Matrix { options, rows, .. } => {
                for row in rows {
                    match read_choice(options, form.text(&row.id)) {
                        Ok(Some(code)) => page.set.push((row.id.clone(), code.to_string())),
                        Ok(None) => {}
                        Err(message) => page.errors.push((row.id.clone(), message)),
                    }
                }
            }
            ItemKind::Text { max_length, .. } => {
                if let Some(text) = form.text(&item.id) {
                    if text.chars().count() > *max_length as usize {
                        page.errors.push((
                            item.id.clone(),
                            format!("Your answer must be {max_length} characters or fewer"),
                        ));
                    } else {
                        page.set.push((item.id.clone(), text));
                    }
                }
            }
            ItemKind::Number { min, max } => {
                if let Some(text) = form.text(&item.id) {
                    match text.replace(',', "").parse::<i64>() {
                        Ok(n) if (*min..=*max).contains(&n) => {
                            page.set.push((item.id.clone(), n.to_string()))
                        }
                        Ok(_) => page.errors.push((
                            item.id.clone(),
                            format!("Enter a number from {min} to {max}"),
                        )),
                        Err(_) => page
                            .errors
                            .push((item.id.clone(), "Enter a whole number, like 12".to_owned())),
                    }
                }
            }
            ItemKind::Year { min } => {
                if let Some(text) = form.text(&item.id) {
                    match text.parse::<i32>() {
                        Ok(year) if text.len() == 4 && year > this_year => page.errors.push((
                            item.id.clone(),
                            format!("The year must be {this_year} or earlier"),
                        )),
                        Ok(year) if text.len() == 4 && year < *min => page
                            .errors
                            .push((item.id.clone(), format!("The year must be {min} or later"))),
                        Ok(year) if text.len() == 4 => {
                            page.set.push((item.id.clone(), year.to_string()))
                        }
                        _ => page.errors.push((
                            item.id.clone(),
                            "Enter the year as 4 numbers, like 2015".to_owned(),
                        )),
                    }
                }
            }
        }
        if let Some(specify) = &item.specify
            && let Some(text) = form.text(&specify.id)
        {
            if text.chars().count() > 500 {
                page.errors.push((
                    specify.id.clone(),
                    "Your answer must be 500 characters or fewer".to_owned(),
                ));
            } else {
                page.set.push((specify.id.clone(), text));
            }
        }
    }
    page
}

fn option_views(id: &str, options: &[Choice], checked: &[String]) -> Vec<OptionView> {
    let mut seen_substantive = false;
    options
        .iter()
        .enumerate()
        .map(|(index, option)| {
            let value = option.code.to_string();
            let divider = option.exclusive && seen_substantive;
            seen_substantive |= !option.exclusive;
            OptionView {
                id: if index == 0 {
                    id.to_owned()
                } else {
                    format!("{id}-{}", index + 1)
                },
                checked: checked.contains(&value),
                value,
                label: option.label.clone(),
                exclusive: option.exclusive,
                divider,
            }
        })
        .collect()
}

/// The form fields of the items shown on a page, with values and errors.
pub(crate) fn field_views(
    items: &[&Item],
    values: &dyn Fn(&str) -> Vec<String>,
    answers: &PageAnswers,
) -> Vec<FieldView> {
    let first = |id: &str| values(id).into_iter().next().unwrap_or_default();
    items
        .iter()
        .filter(|item| !matches!(item.kind, ItemKind::Consent { .. }))
        .map(|item| {
            let (kind, options, rows) = match &item.kind {
                ItemKind::Single { options } => (
                    "radios",
                    option_views(&item.id, options, &values(&item.id)),
                    vec![],
                ),
                ItemKind::Multiple { options } => (
                    "checkboxes",
                    option_views(&item.id, options, &values(&item.id)),
                    vec![],
                ),
                ItemKind::Matrix { options, rows, .. } => (
                    "matrix",
                    vec![],
                    rows.iter()
                        .map(|row| RowView {
                            id: row.id.clone(),
                            text: row.text.clone(),
                            options: option_views(&row.id, options, &values(&row.id)),
                            error: answers.error(&row.id),
                        })
                        .collect(),
                ),
                ItemKind::Text {
                    multiline: true, ..
                } => ("textarea", vec![], vec![]),
                ItemKind::Text { .. } => ("input", vec![], vec![]),
                ItemKind::Number { .. } => ("number", vec![], vec![]),
                ItemKind::Year { .. } | ItemKind::Consent { .. } => ("year", vec![], vec![]),
            };
            FieldView {
                id: item.id.clone(),
                kind,
                input_type: if kind == "checkboxes" {
                    "checkbox"
                } else {
                    "radio"
                },
                label: item.text.clone(),
                hint: item.hint.clone(),
                options,
                rows,
                value: first(&item.id),
                error: answers.error(&item.id),
                specify: item.specify.as_ref().map(|specify| SpecifyView {
                    id: specify.id.clone(),
                    label: specify.text.clone(),
                    value: first(&specify.id),
                    error: answers.error(&specify.id),
                }),
                reveal: None,
            }
        })
        .collect()
}

/// An answer as the check your answers page shows it.
pub(crate) fn describe(
    item: &Item,
    stored: &BTreeMap<String, String>,
) -> Vec<(String, Vec<String>)> {
    let label = |options: &[Choice], code: &str| {
        options
            .iter()
            .find(|o| o.code.to_string() == code)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let mut rows = Vec::new();
    match &item.kind {
        ItemKind::Consent { .. } => {}
        ItemKind::Matrix {
            options,
            rows: statements,
            ..
        } => {
            for row in statements {
                let answer = stored
                    .get(&row.id)
                    .map(|code| vec![label(options, code)])
                    .unwrap_or_default();
                rows.push((row.text.clone(), answer));
            }
        }
        ItemKind::Single { options } | ItemKind::Multiple { options } => {
            let kind = match &item.kind {
                ItemKind::Multiple { .. } => StoredKind::Codes,
                _ => StoredKind::Code,
            };
            let mut answer: Vec<String> = stored
                .get(&item.id)
                .map(|value| stored::form_values(Some(kind), value))
                .unwrap_or_default()
                .iter()
                .map(|code| label(options, code))
                .collect();
            if let Some(specify) = &item.specify
                && let Some(text) = stored.get(&specify.id)
            {
                answer.push(text.clone());
            }
            rows.push((item.text.clone(), answer));
        }
        _ => rows.push((
            item.text.clone(),
            stored.get(&item.id).cloned().into_iter().collect(),
        )),
    }
    rows
}
