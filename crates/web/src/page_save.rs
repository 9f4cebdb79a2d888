//! What saving a survey page does, as a pure function of the posted form and the stored
//! answers: which answers to set and which to clear, or the problems to show, and where
//! the respondent goes next. `survey::save` only reads the session, calls [`plan`] and
//! writes what it says.

use std::collections::{BTreeMap, BTreeSet};

use skafada_instrument::stored::StoredKind;
use skafada_instrument::{Instrument, Item, Route};

use crate::form::{self, FormData, PageAnswers};

/// A page save's inputs.
pub(crate) struct PagePost<'a> {
    /// The survey.
    pub(crate) instrument: &'a Instrument,
    /// The response's stored answers before this save.
    pub(crate) stored: &'a BTreeMap<String, String>,
    /// Each variable's stored kind.
    pub(crate) kinds: &'a BTreeMap<String, StoredKind>,
    /// The page posted.
    pub(crate) page_id: &'a str,
    /// The items the page showed, on the route of the stored answers.
    pub(crate) items: Vec<&'a Item>,
    /// The form as posted.
    pub(crate) form: &'a FormData,
    /// The current year, for year questions.
    pub(crate) this_year: i32,
    /// Whether the page was opened from check your answers.
    pub(crate) change: bool,
}

/// Where the respondent goes after a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// The same page again, at the follow-up question an answer showed (`added`).
    Revealed {
        /// The follow-up's item id.
        added: String,
    },
    /// Check your answers.
    Check,
    /// The next page of the route.
    Page(String),
}

impl Next {
    /// The step stored as the furthest the respondent has reached: the page shown next,
    /// or check your answers when the page was opened from it.
    pub(crate) fn step(&self, page_id: &str, change: bool) -> String {
        match self {
            Next::Revealed { .. } if change => "check".to_owned(),
            Next::Revealed { .. } => page_id.to_owned(),
            Next::Check => "check".to_owned(),
            Next::Page(id) => id.clone(),
        }
    }
}

/// What a page save does.
pub(crate) enum Outcome<'a> {
    /// The page again with the problems found, on the items the posted answers show.
    Problems {
        /// The items, follow-ups the answers showed included.
        items: Vec<&'a Item>,
        /// The answers read and the problems.
        read: PageAnswers,
    },
    /// Answers to store and to remove, and where to go.
    Save {
        /// Answers to store: only those the new route still asks.
        set: Vec<(String, String)>,
        /// Stored answers to remove: those the new route no longer asks, and this page's
        /// answers left blank. Consent is never removed.
        clear: Vec<String>,
        /// Where to go.
        next: Next,
    },
}

/// The items of a page on a route.
pub(crate) fn items_on<'a>(route: &Route<'a>, page_id: &str) -> Option<Vec<&'a Item>> {
    route
        .pages
        .iter()
        .find(|(page, _)| page.id == page_id)
        .map(|(_, items)| items.clone())
}

/// Plans a page save.
pub(crate) fn plan(post: PagePost<'_>) -> Outcome<'_> {
    let PagePost {
        instrument,
        stored,
        kinds,
        page_id,
        items,
        form,
        this_year,
        change,
    } = post;
    // Items shown by an answer on the same page (a follow-up) are read too when their
    // answers were posted; the page's items are those its posted answers show.
    let ids_before: BTreeSet<&str> = items.iter().map(|item| item.id.as_str()).collect();
    let mut page_items = items;
    let (read, merged, new_answers, new_route) = loop {
        let read = form::read_page(&page_items, form, this_year);
        let page_vars: BTreeSet<String> = form::item_variables(&page_items).into_iter().collect();
        let mut merged: BTreeMap<String, String> = stored
            .iter()
            .filter(|(variable, _)| !page_vars.contains(*variable))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        merged.extend(read.set.iter().cloned());
        let new_answers = form::to_answers(&merged, kinds);
        let new_route = instrument.route(&new_answers);
        let now = items_on(&new_route, page_id).unwrap_or_default();
        let same =
            now.len() == page_items.len() && now.iter().zip(&page_items).all(|(a, b)| a.id == b.id);
        if same || !read.errors.is_empty() {
            break (read, merged, new_answers, new_route);
        }
        page_items = now;
    };
    if !read.errors.is_empty() {
        return Outcome::Problems {
            items: page_items,
            read,
        };
    }
    let page_vars: BTreeSet<String> = form::item_variables(&page_items).into_iter().collect();
    let applicable: BTreeSet<&str> = new_route
        .applicable_variables(&new_answers)
        .into_iter()
        .collect();
    // Answers the route no longer shows are removed, so the stored response is always
    // what the respondent would see on check your answers.
    let clear: Vec<String> = stored
        .keys()
        .filter(|variable| {
            let consent = kinds.get(*variable) == Some(&StoredKind::Consent);
            !consent
                && (!applicable.contains(variable.as_str())
                    || (page_vars.contains(*variable) && !merged.contains_key(*variable)))
        })
        .cloned()
        .collect();
    let set: Vec<(String, String)> = read
        .set
        .into_iter()
        .filter(|(variable, _)| applicable.contains(variable.as_str()))
        .collect();
    // A follow-up the respondent has not seen yet: show the page again. Follow-ups the
    // script revealed in place were seen, answered or not.
    let seen_in_place: BTreeSet<String> = form.values("shown-in-place").into_iter().collect();
    let revealed = page_items.iter().any(|item| {
        !ids_before.contains(item.id.as_str())
            && !seen_in_place.contains(&item.id)
            && form::item_variables(&[*item]).iter().all(|variable| {
                // A hidden follow-up's empty text box is sent too: blank is not an answer.
                form.values(variable)
                    .iter()
                    .all(|value| value.trim().is_empty())
            })
    });
    let next = if revealed {
        // The page again, at the first question an answer on it added.
        let added = page_items
            .iter()
            .find(|item| !ids_before.contains(item.id.as_str()))
            .map(|item| item.id.clone())
            .unwrap_or_default();
        Next::Revealed { added }
    } else if change {
        Next::Check
    } else {
        instrument
            .next_page_on(&new_route, page_id)
            .map_or(Next::Check, |p| Next::Page(p.id.clone()))
    };
    Outcome::Save { set, clear, next }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use skafada_instrument::stored::stored_kinds;

    use super::*;

    fn pre() -> Instrument {
        skafada_instrument::load(
            include_str!("../../../instruments/skafada-pre.toml"),
            "skafada-pre.toml",
        )
        .unwrap()
    }

    fn stored(answers: &[(&str, &str)]) -> BTreeMap<String, String> {
        answers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// What a save would do: (set, clear, next).
    type Saving = (Vec<(String, String)>, Vec<String>, Next);

    /// Posts `fields` to "Your work" over `before`; returns what the save would do, or
    /// the problems' variables.
    fn post_your_work(
        before: &[(&str, &str)],
        fields: &[(&str, &str)],
        change: bool,
    ) -> Result<Saving, Vec<String>> {
        let instrument = pre();
        let kinds = stored_kinds(&instrument);
        let stored = stored(before);
        let answers = form::to_answers(&stored, &kinds);
        let route = instrument.route(&answers);
        let items = items_on(&route, "your-work").unwrap();
        let form = FormData::from_pairs(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
        .unwrap();
        match plan(PagePost {
            instrument: &instrument,
            stored: &stored,
            kinds: &kinds,
            page_id: "your-work",
            items,
            form: &form,
            this_year: 2026,
            change,
        }) {
            Outcome::Save { set, clear, next } => Ok((set, clear, next)),
            Outcome::Problems { read, .. } => Err(read
                .errors
                .into_iter()
                .map(|(variable, _)| variable)
                .collect()),
        }
    }

    #[test]
    fn an_answer_that_shows_a_follow_up_on_the_page_shows_the_page_again_at_it() {
        let (set, _, next) = post_your_work(&[], &[("works-for-la", "2")], false).unwrap();
        assert!(set.contains(&("works-for-la".to_owned(), "2".to_owned())));
        assert_eq!(
            next,
            Next::Revealed {
                added: "employer".to_owned()
            }
        );
        assert_eq!(next.step("your-work", false), "your-work");
        assert_eq!(next.step("your-work", true), "check");
    }

    #[test]
    fn a_follow_up_answered_with_its_question_goes_on_to_the_next_page() {
        let (set, _, next) =
            post_your_work(&[], &[("works-for-la", "2"), ("employer", "3")], false).unwrap();
        assert!(set.contains(&("employer".to_owned(), "3".to_owned())));
        assert_eq!(next, Next::Page("who-you-work-with".to_owned()));
        // A follow-up the script showed in place was seen: left blank, the page goes on.
        let (_, _, next) = post_your_work(
            &[],
            &[("works-for-la", "2"), ("shown-in-place", "employer")],
            false,
        )
        .unwrap();
        assert_eq!(next, Next::Page("who-you-work-with".to_owned()));
    }

    #[test]
    fn answers_the_new_route_no_longer_asks_are_cleared_but_consent_never_is() {
        let before = [
            ("consent-take-part", "1"),
            ("works-for-la", "2"),
            ("employer", "3"),
        ];
        let (set, clear, next) =
            post_your_work(&before, &[("works-for-la", "1"), ("la-service", "1")], true).unwrap();
        assert_eq!(clear, ["employer"]);
        assert!(set.contains(&("la-service".to_owned(), "1".to_owned())));
        assert_eq!(next, Next::Check, "opened from check your answers");
    }

    #[test]
    fn a_page_with_a_problem_is_shown_again_and_nothing_is_saved() {
        let problems = post_your_work(&[], &[("start-year", "nineteen")], false)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(problems, ["start-year"]);
    }
}
