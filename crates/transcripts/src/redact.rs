//! Pseudonymisation before anything is kept: speakers become roles or `Speaker N`; the
//! study's redaction list (names, places, teams, services) and likely names become
//! placeholders; every replacement is listed for review.
//!
//! Likely names are found by rule, not by guessing at every capital letter: a name after
//! a title (`Mr`, `Mrs`, `Ms`, `Miss`, `Dr`, `Prof`), a name after "called", "named" or
//! "my colleague"/"my manager"/"my supervisor", and any word of a speaker's own name.
//! Matching ignores ASCII case and respects word boundaries.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Transcript, Turn};

/// One replacement made, for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// The text replaced, as it first appeared.
    pub from: String,
    /// What replaced it.
    pub to: String,
}

/// A study's redaction list: terms to replace wherever they appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedactionList {
    terms: Vec<String>,
}

impl RedactionList {
    /// One term a line; blank lines and lines starting with `#` are skipped.
    pub fn parse(text: &str) -> RedactionList {
        let mut terms: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        // Longest first, so "Northtown Family Hub" goes before "Northtown".
        terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        terms.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        RedactionList { terms }
    }

    /// The terms, longest first.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// Labels that are roles, not names: kept, written the one way.
fn role(speaker: &str) -> Option<String> {
    let lower = speaker.trim_end_matches('.').to_ascii_lowercase();
    match lower.as_str() {
        "interviewer" | "int" | "i" | "researcher" | "facilitator" => {
            Some("Interviewer".to_owned())
        }
        "participant" | "interviewee" | "respondent" | "r" | "p" => Some("Participant".to_owned()),
        "unattributed" => Some("Unattributed".to_owned()),
        _ => {
            // A pseudonymous code such as P03 or CS1-P03 stays as it is.
            let code = speaker
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && speaker.chars().any(|c| c.is_ascii_digit());
            code.then(|| speaker.to_owned())
        }
    }
}

const TITLES: [&str; 7] = ["mr", "mrs", "ms", "miss", "dr", "prof", "mx"];
const CUES: [&str; 5] = ["called", "named", "colleague", "manager", "supervisor"];

/// Pseudonymises turns: see the module's description.
pub(crate) fn apply(turns: Vec<Turn>, list: &RedactionList) -> Transcript {
    let mut redactions: Vec<Redaction> = Vec::new();
    let mut note = |from: &str, to: &str| {
        if !redactions
            .iter()
            .any(|r| r.from.eq_ignore_ascii_case(from) && r.to == to)
        {
            redactions.push(Redaction {
                from: from.to_owned(),
                to: to.to_owned(),
            });
        }
    };
    // Speakers first: each named speaker becomes "Speaker N" in order of appearance, and
    // each word of their name is redacted wherever it is said.
    let mut speakers: BTreeMap<String, String> = BTreeMap::new();
    let mut name_words: Vec<(String, String)> = Vec::new();
    for turn in &turns {
        if role(&turn.speaker).is_none() && !speakers.contains_key(&turn.speaker) {
            let pseudonym = format!("Speaker {}", speakers.len() + 1);
            note(&turn.speaker, &pseudonym);
            for word in turn.speaker.split_whitespace() {
                let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                if word.chars().count() > 1 {
                    name_words.push((word.to_owned(), format!("[{pseudonym}]")));
                }
            }
            speakers.insert(turn.speaker.clone(), pseudonym);
        }
    }
    let mut placeholders: BTreeMap<String, String> = BTreeMap::new();
    let mut names = 0;
    let turns = turns
        .into_iter()
        .map(|turn| {
            let speaker = role(&turn.speaker)
                .or_else(|| speakers.get(&turn.speaker).cloned())
                .unwrap_or_else(|| "Unattributed".to_owned());
            let mut text = turn.text;
            for (i, term) in list.terms().iter().enumerate() {
                let to = format!("[redacted {}]", i + 1);
                text = replace_words(&text, term, &to, &mut note);
            }
            for (word, to) in &name_words {
                text = replace_words(&text, word, to, &mut note);
            }
            text = detect_names(&text, &mut |found| {
                let key = found.to_ascii_lowercase();
                let to = placeholders
                    .entry(key)
                    .or_insert_with(|| {
                        names += 1;
                        format!("[name {names}]")
                    })
                    .clone();
                note(found, &to);
                to
            });
            Turn { speaker, text }
        })
        .collect::<Vec<_>>();
    // A name found once ("my colleague Priya") is a name wherever else it is said.
    let turns = turns
        .into_iter()
        .map(|turn| {
            let mut text = turn.text;
            for (name, to) in &placeholders {
                text = replace_words(&text, name, to, &mut note);
            }
            Turn { text, ..turn }
        })
        .collect();
    Transcript { turns, redactions }
}

/// Replaces the list's terms in turns already pseudonymised (a second pass over a stored
/// transcript), numbering the new placeholders after the highest `[redacted N]` already
/// in the text so that one placeholder never stands for two different terms. Speakers
/// and likely names are left as the first pass made them.
pub(crate) fn apply_more(turns: Vec<Turn>, list: &RedactionList) -> Transcript {
    let highest = turns
        .iter()
        .flat_map(|turn| {
            turn.text
                .match_indices("[redacted ")
                .map(|(at, _)| &turn.text[at..])
        })
        .filter_map(|rest| {
            rest.strip_prefix("[redacted ")?
                .split_once(']')
                .and_then(|(n, _)| n.parse::<usize>().ok())
        })
        .max()
        .unwrap_or(0);
    let mut redactions: Vec<Redaction> = Vec::new();
    let mut note = |from: &str, to: &str| {
        if !redactions
            .iter()
            .any(|r| r.from.eq_ignore_ascii_case(from) && r.to == to)
        {
            redactions.push(Redaction {
                from: from.to_owned(),
                to: to.to_owned(),
            });
        }
    };
    let turns = turns
        .into_iter()
        .map(|turn| {
            let mut text = turn.text;
            for (i, term) in list.terms().iter().enumerate() {
                let to = format!("[redacted {}]", highest + i + 1);
                text = replace_words(&text, term, &to, &mut note);
            }
            Turn {
                speaker: turn.speaker,
                text,
            }
        })
        .collect();
    Transcript { turns, redactions }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

/// `text` with every whole-word, ASCII-case-insensitive occurrence of `term` replaced.
fn replace_words(text: &str, term: &str, to: &str, note: &mut impl FnMut(&str, &str)) -> String {
    if term.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut previous: Option<char> = None;
    while !rest.is_empty() {
        let candidate = rest.get(..term.len());
        let matches = candidate.is_some_and(|c| c.eq_ignore_ascii_case(term))
            && !previous.is_some_and(is_word_char)
            && !rest
                .get(term.len()..)
                .and_then(|after| after.chars().next())
                .is_some_and(is_word_char);
        if matches && let Some(found) = candidate {
            note(found, to);
            out.push_str(to);
            rest = &rest[term.len()..];
            previous = found.chars().last();
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `text` with each likely name (see the module) replaced by what `replace` gives.
fn detect_names(text: &str, replace: &mut impl FnMut(&str) -> String) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        out.push(word.to_owned());
        let bare = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase();
        let cue = TITLES.contains(&bare.as_str()) || CUES.contains(&bare.as_str());
        // A cue ending a sentence ("...my manager.") names no one.
        let ends =
            word.ends_with(['.', ',', ';', ':', '?', '!']) && !TITLES.contains(&bare.as_str());
        if cue
            && !ends
            && let Some(next) = words.get(i + 1)
        {
            let core: String = next
                .chars()
                .take_while(|c| c.is_alphabetic() || *c == '\'' || *c == '-')
                .collect();
            let capitalised =
                core.chars().next().is_some_and(char::is_uppercase) && core.chars().count() > 1;
            if capitalised {
                let tail = &next[core.len()..];
                out.push(format!("{}{tail}", replace(&core)));
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn turn(speaker: &str, text: &str) -> Turn {
        Turn {
            speaker: speaker.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn named_speakers_become_pseudonyms_and_their_names_are_redacted_where_said() {
        let transcript = apply(
            vec![
                turn("INT", "Thanks, Sarah. How long in Northtown?"),
                turn(
                    "Sarah Jones",
                    "Five years. My colleague Priya and Mrs Okafor run the hub.",
                ),
                turn("P03", "I agree with sarah."),
            ],
            &RedactionList::parse("# places\nNorthtown\n"),
        );
        let speakers: Vec<&str> = transcript
            .turns
            .iter()
            .map(|t| t.speaker.as_str())
            .collect();
        assert_eq!(speakers, ["Interviewer", "Speaker 1", "P03"]);
        assert_eq!(
            transcript.turns[0].text,
            "Thanks, [Speaker 1]. How long in [redacted 1]?"
        );
        assert_eq!(
            transcript.turns[1].text,
            "Five years. My colleague [name 1] and Mrs [name 2] run the hub."
        );
        assert_eq!(transcript.turns[2].text, "I agree with [Speaker 1].");
        assert!(transcript.redactions.contains(&Redaction {
            from: "Sarah Jones".to_owned(),
            to: "Speaker 1".to_owned()
        }));
        assert!(transcript.redactions.contains(&Redaction {
            from: "Northtown".to_owned(),
            to: "[redacted 1]".to_owned()
        }));
    }

    #[test]
    fn terms_are_replaced_as_whole_words_only_longest_first() {
        let list = RedactionList::parse("Hub\nNorthtown Family Hub\n");
        let mut notes = Vec::new();
        let mut note = |a: &str, b: &str| notes.push((a.to_owned(), b.to_owned()));
        let once = replace_words(
            "Hubs and the hub; Northtown Family Hub.",
            &list.terms()[1],
            "[x]",
            &mut note,
        );
        assert_eq!(once, "Hubs and the [x]; Northtown Family [x].");
        let transcript = apply(vec![turn("P01", "Northtown Family Hub and the Hub")], &list);
        assert_eq!(
            transcript.turns[0].text,
            "[redacted 1] and the [redacted 2]"
        );
    }

    #[test]
    fn a_name_found_once_is_replaced_wherever_else_it_is_said() {
        let transcript = apply(
            vec![
                turn("Participant", "Priya said it was fine."),
                turn("Participant", "My colleague Priya Shah runs the group."),
            ],
            &RedactionList::default(),
        );
        assert_eq!(transcript.turns[0].text, "[name 1] said it was fine.");
        assert_eq!(
            transcript.turns[1].text,
            "My colleague [name 1] Shah runs the group."
        );
    }
}
