//! Views of an instrument: a JSON contract for other tools, and text and Markdown that
//! read like the paper questionnaire, for proof-reading against the source.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{Choice, Condition, Instrument, Item, ItemKind, MissingKind, Phase};

/// The JSON view: a stable contract that other tools rely on.
///
/// An object with `id`, `title` and `items`; each item has `id`, `type`, `text`, and where
/// they apply `options` (`{code, label}`), `rows` (`{id, text, twin}`) and `twin`.
#[derive(Debug, Serialize)]
pub struct JsonView<'a> {
    /// Instrument identifier.
    pub id: &'a str,
    /// Instrument title.
    pub title: &'a str,
    /// `pre`, `post` or `standalone`.
    pub phase: Phase,
    /// Version of the source questionnaire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    /// For a post-training survey, the pre-training file it compares with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compares_with: Option<&'a str>,
    /// Pages in order, with the identifiers of their items.
    pub pages: Vec<JsonPage<'a>>,
    /// Every item in order.
    pub items: Vec<JsonItem<'a>>,
}

/// A page in the JSON view.
#[derive(Debug, Serialize)]
pub struct JsonPage<'a> {
    /// Page identifier.
    pub id: &'a str,
    /// Page heading.
    pub title: &'a str,
    /// The page's routing condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_if: Option<JsonCondition<'a>>,
    /// Identifiers of the items on the page.
    pub items: Vec<&'a str>,
}

/// An item in the JSON view.
#[derive(Debug, Serialize)]
pub struct JsonItem<'a> {
    /// Item identifier.
    pub id: &'a str,
    /// `consent`, `single`, `multiple`, `matrix`, `text`, `number` or `year`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The question.
    pub text: &'a str,
    /// The page it is on.
    pub page: &'a str,
    /// The printed question number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// A short hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'a str>,
    /// Options of a choice item, or the scale of a matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<&'a [Choice]>,
    /// The scale name of a matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<&'a str>,
    /// Statements of a matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<JsonRow<'a>>>,
    /// Statements of a consent item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<Vec<JsonStatement<'a>>>,
    /// The pre-training twin of a repeated single item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twin: Option<&'a str>,
    /// The item's routing condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_if: Option<JsonCondition<'a>>,
    /// The item's end rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_if: Option<JsonEndRule<'a>>,
    /// An "other, please specify" follow-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specify: Option<JsonSpecify<'a>>,
    /// Smallest accepted number or year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest accepted number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Whether a text answer is a paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiline: Option<bool>,
    /// Corrections made to the printed wording.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub corrections: &'a [String],
}

/// A matrix row in the JSON view; `twin` is always present (null in a pre-training survey).
#[derive(Debug, Serialize)]
pub struct JsonRow<'a> {
    /// Row identifier.
    pub id: &'a str,
    /// The printed question number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// The statement.
    pub text: &'a str,
    /// The pre-training row it repeats.
    pub twin: Option<&'a str>,
    /// Corrections made to the printed wording.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub corrections: &'a [String],
}

/// A consent statement in the JSON view.
#[derive(Debug, Serialize)]
pub struct JsonStatement<'a> {
    /// Statement identifier.
    pub id: &'a str,
    /// The statement.
    pub text: &'a str,
}

/// A routing condition, written as in the file.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum JsonCondition<'a> {
    /// `{ "item": ..., "is": [...] }`
    Is {
        /// The variable tested.
        item: &'a str,
        /// The codes that satisfy it.
        is: &'a [u32],
    },
    /// `{ "all": [...] }`
    All {
        /// Every one must hold.
        all: Vec<JsonCondition<'a>>,
    },
    /// `{ "any": [...] }`
    Any {
        /// One must hold.
        any: Vec<JsonCondition<'a>>,
    },
}

/// An end rule in the JSON view.
#[derive(Debug, Serialize)]
pub struct JsonEndRule<'a> {
    /// The codes that close the survey.
    pub is: &'a [u32],
    /// What the respondent is told.
    pub message: &'a str,
}

/// A follow-up in the JSON view.
#[derive(Debug, Serialize)]
pub struct JsonSpecify<'a> {
    /// Follow-up identifier.
    pub id: &'a str,
    /// The prompt.
    pub text: &'a str,
    /// The codes that show it.
    pub when: &'a [u32],
}

fn json_condition(condition: &Condition) -> JsonCondition<'_> {
    match condition {
        Condition::Is { item, codes } => JsonCondition::Is { item, is: codes },
        Condition::All(all) => JsonCondition::All {
            all: all.iter().map(json_condition).collect(),
        },
        Condition::Any(any) => JsonCondition::Any {
            any: any.iter().map(json_condition).collect(),
        },
    }
}

impl Instrument {
    /// The JSON view of the instrument.
    pub fn json_view(&self) -> JsonView<'_> {
        let pages = self
            .pages
            .iter()
            .map(|page| JsonPage {
                id: &page.id,
                title: &page.title,
                show_if: page.show_if.as_ref().map(json_condition),
                items: page.items.iter().map(|i| i.id.as_str()).collect(),
            })
            .collect();
        let items = self
            .pages
            .iter()
            .flat_map(|page| page.items.iter().map(move |item| json_item(&page.id, item)))
            .collect();
        JsonView {
            id: &self.id,
            title: &self.title,
            phase: self.phase,
            version: self.version.as_deref(),
            compares_with: self.compares_with.as_deref(),
            pages,
            items,
        }
    }

    /// A plain-text view that reads like the paper questionnaire.
    pub fn text_view(&self) -> String {
        render(self, Style::Text)
    }

    /// A Markdown view that reads like the paper questionnaire, with routing and
    /// corrections shown beside each item.
    pub fn markdown_view(&self) -> String {
        render(self, Style::Markdown)
    }
}

fn json_item<'a>(page: &'a str, item: &'a Item) -> JsonItem<'a> {
    let (rows, statements, scale, min, max, multiline) = match &item.kind {
        ItemKind::Matrix { rows, scale, .. } => {
            let rows = rows
                .iter()
                .map(|r| JsonRow {
                    id: &r.id,
                    number: r.number.as_deref(),
                    text: &r.text,
                    twin: r.twin.as_deref(),
                    corrections: &r.corrections,
                })
                .collect();
            (Some(rows), None, Some(scale.as_str()), None, None, None)
        }
        ItemKind::Consent { statements } => {
            let statements = statements
                .iter()
                .map(|s| JsonStatement {
                    id: &s.id,
                    text: &s.text,
                })
                .collect();
            (None, Some(statements), None, None, None, None)
        }
        ItemKind::Number { min, max } => (None, None, None, Some(*min), Some(*max), None),
        ItemKind::Year { min } => (None, None, None, Some(i64::from(*min)), None, None),
        ItemKind::Text { multiline, .. } => (None, None, None, None, None, Some(*multiline)),
        ItemKind::Single { .. } | ItemKind::Multiple { .. } => (None, None, None, None, None, None),
    };
    JsonItem {
        id: &item.id,
        kind: item.kind.type_name(),
        text: &item.text,
        page,
        number: item.number.as_deref(),
        hint: item.hint.as_deref(),
        options: item.kind.options(),
        scale,
        rows,
        statements,
        twin: item.twin.as_deref(),
        show_if: item.show_if.as_ref().map(json_condition),
        end_if: item.end_if.as_ref().map(|rule| JsonEndRule {
            is: &rule.codes,
            message: &rule.message,
        }),
        specify: item.specify.as_ref().map(|s| JsonSpecify {
            id: &s.id,
            text: &s.text,
            when: &s.when,
        }),
        min,
        max,
        multiline,
        corrections: &item.corrections,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Text,
    Markdown,
}

/// Writes into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr) => {
        writeln!($out).unwrap_or(())
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).unwrap_or(())
    };
}

fn render(instrument: &Instrument, style: Style) -> String {
    let md = style == Style::Markdown;
    let mut out = String::new();
    if md {
        put!(out, "# {}\n", instrument.title);
    } else {
        put!(
            out,
            "{}\n{}\n",
            instrument.title,
            "=".repeat(instrument.title.chars().count())
        );
    }
    put!(out, "Identifier: {}  ", instrument.id);
    if let Some(version) = &instrument.version {
        put!(out, "Version: {version}  ");
    }
    if let Some(source) = &instrument.source {
        put!(out, "Source: {source}  ");
    }
    if let Some(other) = &instrument.compares_with {
        put!(out, "Compares with: {other}  ");
    }
    put!(out);
    if let Some(intro) = &instrument.intro {
        put!(out, "{}\n", intro.trim());
    }
    for page in &instrument.pages {
        if md {
            put!(out, "## {} `{}`\n", page.title, page.id);
        } else {
            put!(
                out,
                "{} [{}]\n{}\n",
                page.title,
                page.id,
                "-".repeat(page.title.chars().count())
            );
        }
        if let Some(condition) = &page.show_if {
            put!(
                out,
                "{}\n",
                emphasise(
                    md,
                    &format!("This page is shown only if {}.", describe(condition))
                )
            );
        }
        if let Some(intro) = &page.intro {
            put!(out, "{}\n", intro.trim());
        }
        for item in &page.items {
            render_item(&mut out, item, md);
        }
    }
    if let Some(closing) = &instrument.closing {
        if md {
            put!(out, "## End of survey\n");
        } else {
            put!(out, "End of survey\n-------------\n");
        }
        put!(out, "{}", closing.trim());
    }
    out
}

fn emphasise(md: bool, text: &str) -> String {
    if md {
        format!("*{text}*")
    } else {
        format!("({text})")
    }
}

fn render_item(out: &mut String, item: &Item, md: bool) {
    let number = item
        .number
        .as_deref()
        .map(|n| format!("{n}. "))
        .unwrap_or_default();
    if md {
        put!(out, "### {number}{} `{}`\n", item.text.trim(), item.id);
    } else {
        put!(out, "{number}{} [{}]", item.text.trim(), item.id);
    }
    if let Some(hint) = &item.hint {
        put!(out, "{}", emphasise(md, hint.trim()));
    }
    if let Some(condition) = &item.show_if {
        put!(
            out,
            "{}",
            emphasise(md, &format!("Asked only if {}.", describe(condition)))
        );
    }
    if let Some(twin) = &item.twin {
        put!(
            out,
            "{}",
            emphasise(md, &format!("Compared with pre-training `{twin}`."))
        );
    }
    if md {
        put!(out);
    }
    match &item.kind {
        ItemKind::Consent { statements } => {
            for (index, statement) in statements.iter().enumerate() {
                put!(
                    out,
                    "{}{}. [ ] {} `{}`",
                    bullet(md),
                    index + 1,
                    statement.text.trim(),
                    statement.id
                );
            }
        }
        ItemKind::Single { options } | ItemKind::Multiple { options } => {
            let tick = if matches!(item.kind, ItemKind::Single { .. }) {
                "( )"
            } else {
                "[ ]"
            };
            let mut group: Option<&str> = None;
            for option in options {
                if option.group.as_deref() != group {
                    group = option.group.as_deref();
                    if let Some(heading) = group {
                        put!(out, "{}{heading}", bullet(md));
                    }
                }
                let indent = if group.is_some() { "  " } else { "" };
                put!(
                    out,
                    "{indent}{}{tick} {}{}",
                    bullet(md),
                    option_label(option),
                    option_notes(option)
                );
            }
        }
        ItemKind::Matrix {
            options,
            rows,
            scale,
        } => {
            let labels: Vec<String> = options.iter().map(option_label).collect();
            if md {
                put!(out, "Scale `{scale}`\n");
                put!(out, "| Statement | {} |", labels.join(" | "));
                put!(out, "|---|{}", "---|".repeat(labels.len()));
                for row in rows {
                    let twin = row
                        .twin
                        .as_deref()
                        .map(|t| format!(" (twin `{t}`)"))
                        .unwrap_or_default();
                    let number = row
                        .number
                        .as_deref()
                        .map(|n| format!("{n}. "))
                        .unwrap_or_default();
                    put!(
                        out,
                        "| {number}{} `{}`{twin} | {} |",
                        row.text.trim(),
                        row.id,
                        vec!["[ ]"; labels.len()].join(" | ")
                    );
                }
            } else {
                put!(out, "  Scale: {}", labels.join(" / "));
                for row in rows {
                    let twin = row
                        .twin
                        .as_deref()
                        .map(|t| format!(" (twin {t})"))
                        .unwrap_or_default();
                    let number = row
                        .number
                        .as_deref()
                        .map(|n| format!("{n}. "))
                        .unwrap_or_default();
                    put!(out, "  - {number}{} [{}]{twin}", row.text.trim(), row.id);
                }
            }
            for row in rows {
                for correction in &row.corrections {
                    put!(
                        out,
                        "{}",
                        correction_line(md, &format!("`{}`: {correction}", row.id))
                    );
                }
            }
        }
        ItemKind::Text { multiline, .. } => {
            put!(
                out,
                "{}{}",
                bullet(md),
                if *multiline {
                    "[paragraph of text]"
                } else {
                    "[line of text]"
                }
            );
        }
        ItemKind::Number { min, max } => {
            put!(out, "{}[whole number from {min} to {max}]", bullet(md))
        }
        ItemKind::Year { min } => put!(out, "{}[year, from {min} to this year]", bullet(md)),
    }
    if let Some(specify) = &item.specify {
        let codes: Vec<String> = specify.when.iter().map(u32::to_string).collect();
        put!(
            out,
            "{}{} `{}` [text, shown for {}]",
            bullet(md),
            specify.text.trim(),
            specify.id,
            codes.join(", ")
        );
    }
    if let Some(rule) = &item.end_if {
        let codes: Vec<String> = rule.codes.iter().map(u32::to_string).collect();
        put!(
            out,
            "{}",
            emphasise(
                md,
                &format!(
                    "Answers {} end the survey: \"{}\"",
                    codes.join(", "),
                    rule.message.trim()
                )
            )
        );
    }
    for correction in &item.corrections {
        put!(out, "{}", correction_line(md, correction));
    }
    put!(out);
}

fn bullet(md: bool) -> &'static str {
    if md { "- " } else { "    " }
}

fn option_label(option: &Choice) -> String {
    format!("{} {}", option.code, option.label)
}

fn option_notes(option: &Choice) -> String {
    let mut notes = Vec::new();
    match option.missing {
        Some(MissingKind::PreferNotToSay) => notes.push("prefer not to say"),
        Some(MissingKind::NotApplicable) => notes.push("not applicable"),
        None => {}
    }
    if option.exclusive {
        notes.push("exclusive");
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    }
}

fn correction_line(md: bool, text: &str) -> String {
    if md {
        format!("\n> Correction: {text}\n")
    } else {
        format!("    Correction: {text}")
    }
}

/// Describes a condition in words, for the proof-reading views.
pub fn describe(condition: &Condition) -> String {
    match condition {
        Condition::Is { item, codes } => {
            let codes: Vec<String> = codes.iter().map(u32::to_string).collect();
            format!("`{item}` is {}", codes.join(" or "))
        }
        Condition::All(all) => all.iter().map(describe).collect::<Vec<_>>().join(" and "),
        Condition::Any(any) => format!(
            "({})",
            any.iter().map(describe).collect::<Vec<_>>().join(" or ")
        ),
    }
}
