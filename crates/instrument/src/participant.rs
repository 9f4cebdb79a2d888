//! The participant information sheet and the wording of the consent statements: content
//! of each study, not of the survey.
//!
//! The pre-training survey decides *which* consent statements are recorded (their ids
//! are the stored variables); this file decides what each study tells people about itself
//! (who runs it, whom to contact, the ethics approval, how data are held and for how
//! long, people's rights) and the wording of each statement for that study. A study run
//! by another organisation than the 2023 one replaces it, and nothing in the survey
//! changes.
//!
//! Text the study must replace is marked `[Replace: ...]`. Such a file is fine for a
//! demonstration, where the markers are shown as they are; [`ParticipantInformation::placeholders`]
//! lists them so that a real study can be refused until they are gone.
//!
//! Format: `docs/participant-information.md`.

use serde::Deserialize;

use crate::model::{Instrument, ItemKind};

/// The marker of text a study must replace.
pub const PLACEHOLDER: &str = "[Replace";

/// The words that may appear in braces in the sheet's text, replaced when it is shown.
pub const TEMPLATE_WORDS: [&str; 4] = ["{version}", "{dated}", "{organisation}", "{retain_until}"];

/// Why a participant information file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantError {
    /// The file is not TOML of the expected shape.
    #[error("{0}")]
    Syntax(String),
    /// The file reads but is not usable, for these reasons.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// The person to contact about the study.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Their name.
    pub name: String,
    /// Their role in the study, if given ("Principal investigator").
    #[serde(default)]
    pub role: Option<String>,
    /// Their e-mail address.
    pub email: String,
    /// Their telephone number, if given.
    #[serde(default)]
    pub phone: Option<String>,
}

/// The ethics review of the study.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ethics {
    /// The committee that reviewed it.
    pub committee: String,
    /// Its reference number.
    pub reference: String,
}

/// How the study's data are held.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DataUse {
    /// The data controller (the organisation responsible under data protection law).
    pub controller: String,
    /// The lawful basis for using the information, in plain words.
    pub lawful_basis: String,
    /// Where the information is held and who can see it.
    pub where_held: String,
    /// People's rights and how to use them (withdrawal, access, complaint to the ICO).
    pub rights: String,
}

/// One titled part of the sheet ("What is the study for?").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetSection {
    /// Its heading, a question as a participant would ask it.
    pub heading: String,
    /// Its text; a blank line starts a new paragraph.
    pub text: String,
}

/// The wording of one consent statement for this study.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentWording {
    /// The statement's id in the pre-training survey.
    pub id: String,
    /// What the participant agrees to.
    pub text: String,
}

/// A study's participant information sheet and consent wording.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ParticipantInformation {
    /// The sheet's version, as the ethics committee approved it ("1.2").
    pub version: String,
    /// The sheet's date, as written on it ("2 November 2026").
    pub dated: String,
    /// The study's title.
    pub title: String,
    /// The invitation: a short paragraph saying what the study is and asking people to
    /// read on.
    pub invitation: String,
    /// The organisation running the study.
    pub organisation: String,
    /// Who funds it, if anyone does.
    #[serde(default)]
    pub funder: Option<String>,
    /// Whom to contact.
    pub contact: Contact,
    /// The ethics review.
    pub ethics: Ethics,
    /// How data are held.
    pub data: DataUse,
    /// What to do if there is a problem.
    pub complaints: String,
    /// The sheet's other parts, in order.
    #[serde(default, rename = "section")]
    pub sections: Vec<SheetSection>,
    /// The consent statements' wording, one per statement of the survey.
    pub consent: Vec<ConsentWording>,
}

impl ParticipantInformation {
    /// Reads a participant information file and checks it on its own: every required
    /// text given, the contact's e-mail address plausible, and only the known words in
    /// braces. Checking it against a survey is [`ParticipantInformation::check_against`].
    pub fn parse(text: &str) -> Result<ParticipantInformation, ParticipantError> {
        let sheet: ParticipantInformation =
            toml::from_str(text).map_err(|e| ParticipantError::Syntax(e.to_string()))?;
        let mut problems = Vec::new();
        for (field, value) in sheet.texts() {
            if value.trim().is_empty() {
                problems.push(format!("{field} is empty"));
            }
            for word in unknown_template_words(value) {
                problems.push(format!(
                    "{field} has {word}, which is not one of {}",
                    TEMPLATE_WORDS.join(", ")
                ));
            }
        }
        let email = sheet.contact.email.trim();
        if !email.contains(PLACEHOLDER) && !plausible_email(email) {
            problems.push(format!(
                "contact.email \"{email}\" is not an e-mail address"
            ));
        }
        if sheet.consent.is_empty() {
            problems.push("there are no [[consent]] statements".to_owned());
        }
        if problems.is_empty() {
            Ok(sheet)
        } else {
            Err(ParticipantError::Invalid(problems))
        }
    }

    /// Problems with this wording for `instrument`'s consent statements: there must be
    /// exactly one wording for each of its statements, by id.
    pub fn check_against(&self, instrument: &Instrument) -> Vec<String> {
        let expected: Vec<&str> = instrument
            .pages
            .iter()
            .flat_map(|page| &page.items)
            .filter_map(|item| match &item.kind {
                ItemKind::Consent { statements } => Some(statements),
                _ => None,
            })
            .flatten()
            .map(|statement| statement.id.as_str())
            .collect();
        let given: Vec<&str> = self.consent.iter().map(|c| c.id.as_str()).collect();
        let mut problems = Vec::new();
        for id in &expected {
            match given.iter().filter(|g| *g == id).count() {
                0 => problems.push(format!(
                    "consent statement \"{id}\" of the survey has no wording in [[consent]]"
                )),
                1 => {}
                _ => problems.push(format!("consent statement \"{id}\" is worded twice")),
            }
        }
        for id in &given {
            if !expected.contains(id) {
                problems.push(format!(
                    "[[consent]] \"{id}\" is not a consent statement of the survey (its statements are {})",
                    expected.join(", ")
                ));
            }
        }
        problems
    }

    /// Every text still to be replaced, by field ("contact.email"), in file order.
    pub fn placeholders(&self) -> Vec<String> {
        self.texts()
            .into_iter()
            .filter(|(_, value)| value.contains(PLACEHOLDER))
            .map(|(field, _)| field)
            .collect()
    }

    /// `text` with the template words filled in; `retain_until` is the study's deletion
    /// date as it should be read ("31 December 2030").
    pub fn fill(&self, text: &str, retain_until: &str) -> String {
        text.replace("{version}", &self.version)
            .replace("{dated}", &self.dated)
            .replace("{organisation}", &self.organisation)
            .replace("{retain_until}", retain_until)
    }

    /// Every text of the sheet, named by its field.
    fn texts(&self) -> Vec<(String, &str)> {
        let mut texts: Vec<(String, &str)> = vec![
            ("version".to_owned(), &self.version),
            ("dated".to_owned(), &self.dated),
            ("title".to_owned(), &self.title),
            ("invitation".to_owned(), &self.invitation),
            ("organisation".to_owned(), &self.organisation),
            ("contact.name".to_owned(), &self.contact.name),
            ("contact.email".to_owned(), &self.contact.email),
            ("ethics.committee".to_owned(), &self.ethics.committee),
            ("ethics.reference".to_owned(), &self.ethics.reference),
            ("data.controller".to_owned(), &self.data.controller),
            ("data.lawful-basis".to_owned(), &self.data.lawful_basis),
            ("data.where-held".to_owned(), &self.data.where_held),
            ("data.rights".to_owned(), &self.data.rights),
            ("complaints".to_owned(), &self.complaints),
        ];
        // The optional texts in file order, each after the one before it.
        if let Some(phone) = &self.contact.phone {
            texts.insert(7, ("contact.phone".to_owned(), phone));
        }
        if let Some(role) = &self.contact.role {
            texts.insert(6, ("contact.role".to_owned(), role));
        }
        if let Some(funder) = &self.funder {
            texts.insert(5, ("funder".to_owned(), funder));
        }
        for (i, section) in self.sections.iter().enumerate() {
            texts.push((format!("section {} heading", i + 1), &section.heading));
            texts.push((format!("section {} text", i + 1), &section.text));
        }
        for statement in &self.consent {
            texts.push((format!("consent \"{}\"", statement.id), &statement.text));
        }
        texts
    }
}

/// Words in braces that are not template words.
fn unknown_template_words(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            break;
        };
        let word = &after[..=close];
        if !TEMPLATE_WORDS.contains(&word) {
            unknown.push(word.to_owned());
        }
        rest = &after[close + 1..];
    }
    unknown
}

/// One `@` with something on each side and a dot in the domain, and no spaces.
fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const SKAFADA: &str = include_str!("../../../participant-information/skafada.toml");
    const FILLED: &str = include_str!("../../../participant-information/example-filled-in.toml");
    const PRE: &str = include_str!("../../../instruments/skafada-pre.toml");

    fn pre() -> Instrument {
        crate::load(PRE, "pre").unwrap()
    }

    #[test]
    fn the_built_in_sheet_reads_words_every_consent_statement_and_lists_its_placeholders() {
        let sheet = ParticipantInformation::parse(SKAFADA).unwrap();
        assert_eq!(sheet.check_against(&pre()), Vec::<String>::new());
        let placeholders = sheet.placeholders();
        for field in [
            "organisation",
            "contact.name",
            "contact.email",
            "ethics.committee",
            "ethics.reference",
            "data.controller",
            // Where answers are held is a fact of each study's set-up, never assumed.
            "data.where-held",
        ] {
            assert!(placeholders.contains(&field.to_owned()), "{field}");
        }
        // Nothing in the built-in sheet names the 2023 study's people or dates.
        for old in ["Westwood", "UCLan", "10th May 2023", "2030", "BAHSS2"] {
            assert!(!SKAFADA.contains(old), "{old}");
        }
    }

    #[test]
    fn the_filled_in_example_has_no_placeholders_and_fills_its_template_words() {
        let sheet = ParticipantInformation::parse(FILLED).unwrap();
        assert_eq!(sheet.check_against(&pre()), Vec::<String>::new());
        assert_eq!(sheet.placeholders(), Vec::<String>::new());
        let first = sheet.fill(&sheet.consent[0].text, "31 March 2029");
        assert!(
            first.contains(&format!("version {}", sheet.version)),
            "{first}"
        );
        assert!(!first.contains('{'), "{first}");
    }

    #[test]
    fn a_sheet_missing_a_statement_or_wording_an_unknown_one_is_refused_by_name() {
        let sheet = ParticipantInformation::parse(
            &FILLED.replace("id = \"consent-voluntary\"", "id = \"consent-volunteer\""),
        )
        .unwrap();
        let problems = sheet.check_against(&pre()).join("\n");
        assert!(
            problems.contains("\"consent-voluntary\" of the survey has no wording"),
            "{problems}"
        );
        assert!(
            problems.contains("\"consent-volunteer\" is not a consent statement"),
            "{problems}"
        );
    }

    #[test]
    fn empty_texts_unknown_template_words_and_a_bad_email_are_refused_with_their_fields() {
        let text = FILLED
            .replacen("title = \"", "title = \"{study_name} ", 1)
            .replacen("complaints = \"", "complaints = \"  \" # ", 1);
        let email = text
            .lines()
            .find(|line| line.trim_start().starts_with("email"))
            .unwrap()
            .to_owned();
        let text = text.replace(&email, "email = \"not an address\"");
        let Err(ParticipantError::Invalid(problems)) = ParticipantInformation::parse(&text) else {
            panic!("accepted");
        };
        let problems = problems.join("\n");
        assert!(problems.contains("title has {study_name}"), "{problems}");
        assert!(problems.contains("complaints is empty"), "{problems}");
        assert!(
            problems.contains("\"not an address\" is not an e-mail"),
            "{problems}"
        );
    }

    #[test]
    fn unknown_keys_are_refused_not_ignored() {
        let text = FILLED.replacen("version = ", "versoin = \"1\"\nversion = ", 1);
        assert!(matches!(
            ParticipantInformation::parse(&text),
            Err(ParticipantError::Syntax(message)) if message.contains("versoin")
        ));
    }
}
