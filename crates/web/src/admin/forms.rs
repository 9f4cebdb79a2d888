//! Form fields of the admin pages and how their values are checked: GOV.UK text inputs,
//! textareas, radios and date inputs that carry the answer as typed and its error, so
//! that a form that fails validation is shown again exactly as it was sent.
//!
//! The templates draw them with the macros in `templates/admin/fields.html`.

use crate::form::FormData;
use crate::views::ErrorLink;
use skafada_store::Day;

/// A text input.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    /// A GOV.UK width class such as `govuk-input--width-10`, or empty for full width.
    pub(crate) width: &'static str,
    /// Whole numbers: `inputmode="numeric"`.
    pub(crate) numeric: bool,
}

impl Input {
    /// An input with its value from the form as typed (or `value` when first shown).
    pub(crate) fn new(id: &str, label: &str, value: &str) -> Input {
        Input {
            id: id.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            ..Input::default()
        }
    }

    pub(crate) fn hint(mut self, hint: &str) -> Input {
        self.hint = Some(hint.to_owned());
        self
    }

    pub(crate) fn width(mut self, class: &'static str) -> Input {
        self.width = class;
        self
    }

    pub(crate) fn numeric(mut self) -> Input {
        self.numeric = true;
        self
    }
}

/// A textarea.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextArea {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    pub(crate) rows: u32,
}

/// One choice of a set of radios.
#[derive(Debug, Clone)]
pub(crate) struct RadioOption {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) checked: bool,
}

/// A set of radios in a fieldset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Radios {
    pub(crate) id: String,
    pub(crate) legend: String,
    pub(crate) hint: Option<String>,
    pub(crate) options: Vec<RadioOption>,
    pub(crate) error: Option<String>,
}

impl Radios {
    /// The id of the first radio, which an error summary links to.
    pub(crate) fn first_id(&self) -> String {
        format!("{}-1", self.id)
    }
}

/// A GOV.UK date input: day, month and year fields in a fieldset.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateInput {
    pub(crate) id: String,
    pub(crate) legend: String,
    pub(crate) hint: Option<String>,
    pub(crate) day: String,
    pub(crate) month: String,
    pub(crate) year: String,
    pub(crate) error: Option<String>,
    /// Which of day, month and year the error is about (all three when none is named).
    pub(crate) error_parts: [bool; 3],
}

impl DateInput {
    /// A date input showing a day.
    pub(crate) fn of_day(id: &str, legend: &str, day: Day) -> DateInput {
        DateInput::from_iso(id, legend, &day.to_string())
    }

    /// A date input showing an ISO date (`2026-03-31`), or empty.
    pub(crate) fn from_iso(id: &str, legend: &str, iso: &str) -> DateInput {
        let mut parts = iso.splitn(3, '-');
        let (year, month, day) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let trim = |s: &str| s.trim_start_matches('0').to_owned();
        DateInput {
            id: id.to_owned(),
            legend: legend.to_owned(),
            day: trim(day),
            month: trim(month),
            year: year.to_owned(),
            ..DateInput::default()
        }
    }

    /// The field the error summary links to: the first part in error.
    pub(crate) fn error_href(&self) -> String {
        let part = match self.error_parts {
            [false, false, true] => "year",
            [false, true, _] => "month",
            _ => "day",
        };
        format!("{}-{part}", self.id)
    }

    /// Marks the date as wrong as a whole (for a rule that compares it with others).
    pub(crate) fn fail(&mut self, message: &str) {
        self.error = Some(message.to_owned());
        self.error_parts = [true; 3];
    }
}

/// The error summary of a form, in the order of its fields.
#[derive(Debug, Default)]
pub(crate) struct Errors(pub(crate) Vec<ErrorLink>);

impl Errors {
    pub(crate) fn add(&mut self, href: &str, message: &str) {
        self.0.push(ErrorLink {
            href: href.to_owned(),
            message: message.to_owned(),
        });
    }

    /// Sets an input's error and lists it.
    pub(crate) fn on_input(&mut self, input: &mut Input, message: &str) {
        input.error = Some(message.to_owned());
        self.add(&input.id, message);
    }

    /// Lists a date input's error, if it has one.
    pub(crate) fn on_date(&mut self, date: &DateInput) {
        if let Some(message) = &date.error {
            self.add(&date.error_href(), message);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `closing date` as `Closing date`.
fn sentence_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reads a date input `id` (fields `id-day`, `id-month`, `id-year`) and checks it with
/// GOV.UK's messages, naming it as `name` ("closing date"). Returns the input as typed
/// (with its error) and the ISO date when it is a real one.
pub(crate) fn read_date(
    form: &FormData,
    id: &str,
    legend: &str,
    name: &str,
) -> (DateInput, Option<Day>) {
    let part = |suffix: &str| form.text(&format!("{id}-{suffix}")).unwrap_or_default();
    let mut input = DateInput {
        id: id.to_owned(),
        legend: legend.to_owned(),
        day: part("day"),
        month: part("month"),
        year: part("year"),
        ..DateInput::default()
    };
    let missing = [
        input.day.is_empty(),
        input.month.is_empty(),
        input.year.is_empty(),
    ];
    let named = sentence_case(name);
    if missing.iter().all(|m| *m) {
        input.error = Some(format!("Enter the {name}"));
        input.error_parts = [true; 3];
        return (input, None);
    }
    if missing.iter().any(|m| *m) {
        let names: Vec<&str> = ["day", "month", "year"]
            .into_iter()
            .zip(missing)
            .filter(|(_, m)| *m)
            .map(|(n, _)| n)
            .collect();
        input.error = Some(format!("{named} must include a {}", names.join(" and ")));
        input.error_parts = missing;
        return (input, None);
    }
    let number = |text: &str| {
        (text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    let (day, month, year) = (
        number(&input.day),
        number(&input.month),
        number(&input.year),
    );
    if input.year.len() != 4 && year.is_some() {
        input.error = Some("Year must include 4 numbers".to_owned());
        input.error_parts = [false, false, true];
        return (input, None);
    }
    match (day, month, year) {
        (Some(d), Some(m), Some(y)) if (2000..=2999).contains(&y) => {
            match i32::try_from(y).ok().and_then(|y| Day::from_ymd(y, m, d)) {
                Some(day) => (input, Some(day)),
                None => {
                    input.error = Some(format!("{named} must be a real date"));
                    input.error_parts = [true; 3];
                    (input, None)
                }
            }
        }
        _ => {
            input.error = Some(format!("{named} must be a real date"));
            input.error_parts = [true; 3];
            (input, None)
        }
    }
}

/// Reads a text input as typed; `None` (and an error) when it is required and empty or
/// longer than `max` characters.
pub(crate) fn read_text(
    form: &FormData,
    input: &mut Input,
    errors: &mut Errors,
    required: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = form.text(&input.id).unwrap_or_default();
    input.value = value.clone();
    if value.is_empty() {
        if let Some(message) = required {
            errors.on_input(input, message);
            return None;
        }
        return Some(value);
    }
    if value.chars().count() > max {
        let message = format!(
            "{} must be {max} characters or fewer",
            sentence_case(&input.label)
        );
        errors.on_input(input, &message);
        return None;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        FormData::parse(Ok(body.into_bytes().into())).unwrap()
    }

    fn date(day: &str, month: &str, year: &str) -> (DateInput, Option<Day>) {
        read_date(
            &form(&[("d-day", day), ("d-month", month), ("d-year", year)]),
            "d",
            "Closing date",
            "closing date",
        )
    }

    #[test]
    fn a_real_date_reads_as_iso_and_keeps_what_was_typed() {
        let (input, iso) = date("7", "03", "2027");
        assert_eq!(
            iso.map(|day| day.to_string()).as_deref(),
            Some("2027-03-07")
        );
        assert_eq!((input.day.as_str(), input.month.as_str()), ("7", "03"));
        assert!(input.error.is_none());
    }

    #[test]
    fn date_messages_follow_the_gov_uk_pattern() {
        assert_eq!(
            date("", "", "").0.error.as_deref(),
            Some("Enter the closing date")
        );
        assert_eq!(
            date("1", "", "2027").0.error.as_deref(),
            Some("Closing date must include a month")
        );
        assert_eq!(
            date("", "", "2027").0.error.as_deref(),
            Some("Closing date must include a day and month")
        );
        assert_eq!(
            date("31", "2", "2027").0.error.as_deref(),
            Some("Closing date must be a real date")
        );
        assert_eq!(
            date("1", "2", "27").0.error.as_deref(),
            Some("Year must include 4 numbers")
        );
        assert_eq!(date("1", "2", "27").0.error_href(), "d-year");
        assert_eq!(
            date("x", "2", "2027").0.error.as_deref(),
            Some("Closing date must be a real date")
        );
    }

    #[test]
    fn the_29th_of_february_is_real_only_in_a_leap_year() {
        assert_eq!(
            date("29", "2", "2028")
                .1
                .map(|day| day.to_string())
                .as_deref(),
            Some("2028-02-29")
        );
        assert!(date("29", "2", "2027").1.is_none());
        assert!(date("29", "2", "2100").1.is_none());
    }

    #[test]
    fn an_iso_date_fills_the_three_fields_without_leading_zeros() {
        let input = DateInput::from_iso("d", "Date", "2026-03-07");
        assert_eq!(
            (
                input.day.as_str(),
                input.month.as_str(),
                input.year.as_str()
            ),
            ("7", "3", "2026")
        );
    }
}
