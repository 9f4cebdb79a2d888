//! The validated instrument: what a survey asks, in what order, on what scales.
//!
//! Values of these types only come out of [`crate::load`], so code that holds an
//! [`Instrument`] may rely on its invariants: identifiers are unique, every routing
//! condition names an earlier item and codes that item offers, every matrix row has its
//! scale's options, and every twin exists in the pre-training instrument with the same
//! substantive options.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole survey, such as the SKAFADA pre-training questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    /// Stable identifier, e.g. `skafada-pre`.
    pub id: String,
    /// Title shown to respondents.
    pub title: String,
    /// Version of the source questionnaire, if recorded.
    pub version: Option<String>,
    /// Where this survey sits in the study cycle.
    pub phase: Phase,
    /// For a post-training survey: the file of its pre-training twin, as written.
    pub compares_with: Option<String>,
    /// Where the wording comes from, for proof-reading.
    pub source: Option<String>,
    /// Text shown before the first question.
    pub intro: Option<String>,
    /// Text shown after the last question.
    pub closing: Option<String>,
    /// Named scales shared by matrix items.
    pub scales: BTreeMap<String, Scale>,
    /// Pages in the order a respondent meets them.
    pub pages: Vec<Page>,
}

/// Where a survey sits in the study cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Answered before the training module.
    Pre,
    /// Answered after the training module; its repeated items name their pre twins.
    Post,
    /// A survey outside the pre/post cycle.
    Standalone,
}

/// A named list of options shared by the rows of matrix items.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// The scale's name, e.g. `frequency`.
    pub id: String,
    /// Its options in display order.
    pub options: Vec<Choice>,
}

/// One screen of the respondent journey: one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Stable identifier, unique among pages.
    pub id: String,
    /// Heading of the page.
    pub title: String,
    /// Text at the top of the page.
    pub intro: Option<String>,
    /// The page is shown only when this holds.
    pub show_if: Option<Condition>,
    /// Items on the page, in order.
    pub items: Vec<Item>,
}

/// One question (or one block of statements sharing a scale).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable identifier, unique across the instrument.
    pub id: String,
    /// The printed question number, for proof-reading only.
    pub number: Option<String>,
    /// The question as asked.
    pub text: String,
    /// A short hint shown under the question.
    pub hint: Option<String>,
    /// What kind of answer the item takes.
    pub kind: ItemKind,
    /// The item is asked only when this holds.
    pub show_if: Option<Condition>,
    /// The survey closes when the item's answer matches.
    pub end_if: Option<EndRule>,
    /// Post-training only: the pre-training item this one repeats.
    pub twin: Option<String>,
    /// An "other, please specify" follow-up.
    pub specify: Option<Specify>,
    /// Notes of every change made to the printed wording.
    pub corrections: Vec<String>,
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// Statements that must all be agreed before the survey starts.
    Consent {
        /// The statements, each with its own identifier.
        statements: Vec<Statement>,
    },
    /// Exactly one option.
    Single {
        /// The options in display order.
        options: Vec<Choice>,
    },
    /// Any number of options ("tick all that apply").
    Multiple {
        /// The options in display order.
        options: Vec<Choice>,
    },
    /// Several statements answered on one shared scale.
    Matrix {
        /// The name of the scale.
        scale: String,
        /// The scale's options, resolved.
        options: Vec<Choice>,
        /// The statements, each with its own identifier.
        rows: Vec<Row>,
    },
    /// Free text.
    Text {
        /// A paragraph box rather than a single line.
        multiline: bool,
        /// The longest answer accepted, in characters.
        max_length: u32,
    },
    /// A whole number.
    Number {
        /// The smallest number accepted.
        min: i64,
        /// The largest number accepted.
        max: i64,
    },
    /// A calendar year, no later than the current year.
    Year {
        /// The earliest year accepted.
        min: i32,
    },
}

impl ItemKind {
    /// The name of the type as written in the file (`single`, `matrix`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ItemKind::Consent { .. } => "consent",
            ItemKind::Single { .. } => "single",
            ItemKind::Multiple { .. } => "multiple",
            ItemKind::Matrix { .. } => "matrix",
            ItemKind::Text { .. } => "text",
            ItemKind::Number { .. } => "number",
            ItemKind::Year { .. } => "year",
        }
    }

    /// The options of a choice item or matrix, if it has any.
    pub fn options(&self) -> Option<&[Choice]> {
        match self {
            ItemKind::Single { options }
            | ItemKind::Multiple { options }
            | ItemKind::Matrix { options, .. } => Some(options),
            _ => None,
        }
    }
}

/// One option of a choice item or scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The code stored and exported; unique within its item or scale.
    pub code: u32,
    /// The label shown to respondents.
    pub label: String,
    /// Set when the option is not a substantive answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingKind>,
    /// Multiple choice: ticking it clears the other options.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// A heading that groups options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Choice {
    /// Whether the option is a substantive answer (not "prefer not to say" or "not applicable").
    pub fn is_substantive(&self) -> bool {
        self.missing.is_none()
    }
}

/// Kinds of non-substantive answer, which analysis treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingKind {
    /// The respondent chose not to answer.
    PreferNotToSay,
    /// The question does not apply to the respondent.
    NotApplicable,
}

impl MissingKind {
    /// The kind's name as instruments and codebooks write it (`prefer-not-to-say`,
    /// `not-applicable`).
    pub fn name(self) -> &'static str {
        match self {
            MissingKind::PreferNotToSay => "prefer-not-to-say",
            MissingKind::NotApplicable => "not-applicable",
        }
    }
}

/// A statement of a matrix item, answered on the matrix's scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable identifier, unique across the instrument.
    pub id: String,
    /// The printed question number, for proof-reading only.
    pub number: Option<String>,
    /// The statement.
    pub text: String,
    /// Post-training only: the pre-training row this one repeats.
    pub twin: Option<String>,
    /// The statement is worded negatively: agreeing with it is the less favourable
    /// answer (e.g. "it is better not to ask"), so analyses that count agreement as
    /// progress count it the other way round for this row.
    pub reverse: bool,
    /// Notes of every change made to the printed wording.
    pub corrections: Vec<String>,
}

/// A consent statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Stable identifier, unique across the instrument.
    pub id: String,
    /// The statement.
    pub text: String,
}

/// An "other, please specify" free-text follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Specify {
    /// Stable identifier, unique across the instrument.
    pub id: String,
    /// The prompt.
    pub text: String,
    /// The codes that make the follow-up appear.
    pub when: Vec<u32>,
}

/// A routing condition over earlier answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The named item or matrix row was shown and answered with one of the codes
    /// (for multiple choice: any of the codes was ticked).
    Is {
        /// Identifier of an earlier single, multiple or matrix-row variable.
        item: String,
        /// The codes that satisfy the condition.
        codes: Vec<u32>,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
}

/// Closes the survey when the item's own answer is one of the codes.
#[derive(Debug, Clone, PartialEq)]
pub struct EndRule {
    /// The codes that close the survey.
    pub codes: Vec<u32>,
    /// What the respondent is told.
    pub message: String,
}

impl Instrument {
    /// All items in the order a respondent meets them.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.pages.iter().flat_map(|page| page.items.iter())
    }

    /// The item with this identifier.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|item| item.id == id)
    }

    /// The page with this identifier.
    pub fn page(&self, id: &str) -> Option<&Page> {
        self.pages.iter().find(|page| page.id == id)
    }

    /// The matrix row with this identifier, with the item that holds it.
    pub fn row(&self, id: &str) -> Option<(&Item, &Row)> {
        self.items().find_map(|item| match &item.kind {
            ItemKind::Matrix { rows, .. } => {
                rows.iter().find(|row| row.id == id).map(|r| (item, r))
            }
            _ => None,
        })
    }
}
