//! Routing: which pages and items a respondent sees, given their answers so far.
//!
//! The rules are the instrument's own (`show-if`, `end-if`); this module only evaluates
//! them. A condition on an item that was not shown, or not answered, does not hold, and
//! nothing after an item whose end rule fired is applicable.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Condition, EndRule, Instrument, Item, ItemKind, Page};

/// One stored answer to one variable (an item, a matrix row, or a follow-up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// The code of a single-choice item or matrix row.
    Choice(u32),
    /// The ticked codes of a multiple-choice item.
    Choices(BTreeSet<u32>),
    /// A whole number or year.
    Number(i64),
    /// Free text.
    Text(String),
}

impl Answer {
    /// Whether the answer picks any of `codes`.
    pub fn picks_any(&self, codes: &[u32]) -> bool {
        match self {
            Answer::Choice(code) => codes.contains(code),
            Answer::Choices(ticked) => codes.iter().any(|c| ticked.contains(c)),
            Answer::Number(_) | Answer::Text(_) => false,
        }
    }
}

/// A respondent's answers, keyed by variable identifier.
pub type Answers = BTreeMap<String, Answer>;

/// The path a respondent's answers take through an instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Route<'a> {
    /// Pages shown, in order, each with the items shown on it.
    pub pages: Vec<(&'a Page, Vec<&'a Item>)>,
    /// The item whose end rule closed the survey, with the rule.
    pub ended_by: Option<(&'a Item, &'a EndRule)>,
}

impl<'a> Route<'a> {
    /// Every item shown, in order.
    pub fn items(&self) -> impl Iterator<Item = &'a Item> + '_ {
        self.pages
            .iter()
            .flat_map(|(_, items)| items.iter().copied())
    }

    /// Whether the item with this identifier is shown.
    pub fn shows(&self, id: &str) -> bool {
        self.items().any(|item| item.id == id)
    }

    /// The identifiers of the pages shown.
    pub fn page_ids(&self) -> Vec<&'a str> {
        self.pages
            .iter()
            .map(|(page, _)| page.id.as_str())
            .collect()
    }

    /// The variables a respondent on this route could answer: each shown item, or each
    /// row of a shown matrix, and each follow-up whose trigger was chosen. Consent
    /// statements are not counted: they are a condition of taking part, not answers.
    pub fn applicable_variables(&self, answers: &Answers) -> Vec<&'a str> {
        let mut variables = Vec::new();
        for item in self.items() {
            match &item.kind {
                ItemKind::Consent { .. } => {}
                ItemKind::Matrix { rows, .. } => {
                    variables.extend(rows.iter().map(|row| row.id.as_str()))
                }
                _ => variables.push(item.id.as_str()),
            }
            if let Some(specify) = &item.specify
                && answers
                    .get(&item.id)
                    .is_some_and(|a| a.picks_any(&specify.when))
            {
                variables.push(specify.id.as_str());
            }
        }
        variables
    }
}

impl Instrument {
    /// Evaluates the routing for a set of answers.
    ///
    /// Answers to items that the route does not show are ignored, so a respondent who
    /// goes back and changes an answer that hides later items is routed as if those
    /// items had never been answered.
    pub fn route(&self, answers: &Answers) -> Route<'_> {
        let mut visible: BTreeSet<&str> = BTreeSet::new();
        let mut pages = Vec::new();
        for page in &self.pages {
            if !holds(page.show_if.as_ref(), answers, &visible) {
                continue;
            }
            let mut shown = Vec::new();
            for item in &page.items {
                if !holds(item.show_if.as_ref(), answers, &visible) {
                    continue;
                }
                shown.push(item);
                visible.insert(item.id.as_str());
                if let ItemKind::Matrix { rows, .. } = &item.kind {
                    visible.extend(rows.iter().map(|r| r.id.as_str()));
                }
                if let Some(rule) = &item.end_if
                    && answers
                        .get(&item.id)
                        .is_some_and(|a| a.picks_any(&rule.codes))
                {
                    pages.push((page, shown));
                    return Route {
                        pages,
                        ended_by: Some((item, rule)),
                    };
                }
            }
            if !shown.is_empty() {
                pages.push((page, shown));
            }
        }
        Route {
            pages,
            ended_by: None,
        }
    }

    /// The page to show after `page_id`, or `None` when the survey is finished
    /// (the last page was answered, or an end rule fired).
    pub fn next_page(&self, page_id: &str, answers: &Answers) -> Option<&Page> {
        self.next_page_on(&self.route(answers), page_id)
    }

    /// As [`Instrument::next_page`], on a route already worked out for the answers.
    pub fn next_page_on<'a>(&'a self, route: &Route<'a>, page_id: &str) -> Option<&'a Page> {
        let order = |id: &str| self.pages.iter().position(|p| p.id == id);
        let current = order(page_id)?;
        // The route ends at the page whose end rule fired, so nothing follows it.
        route
            .pages
            .iter()
            .map(|(page, _)| *page)
            .find(|page| order(&page.id).is_some_and(|index| index > current))
    }

    /// The first page a respondent sees.
    pub fn first_page(&self, answers: &Answers) -> Option<&Page> {
        self.route(answers).pages.first().map(|(page, _)| *page)
    }
}

fn holds(condition: Option<&Condition>, answers: &Answers, visible: &BTreeSet<&str>) -> bool {
    match condition {
        None => true,
        Some(condition) => evaluate(condition, answers, visible),
    }
}

fn evaluate(condition: &Condition, answers: &Answers, visible: &BTreeSet<&str>) -> bool {
    match condition {
        Condition::Is { item, codes } => {
            visible.contains(item.as_str())
                && answers
                    .get(item)
                    .is_some_and(|answer| answer.picks_any(codes))
        }
        Condition::All(all) => all.iter().all(|c| evaluate(c, answers, visible)),
        Condition::Any(any) => any.iter().any(|c| evaluate(c, answers, visible)),
    }
}
