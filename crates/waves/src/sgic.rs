//! The self-generated identification code (SGIC): answers only the respondent knows
//! and can give again (the first letters of their mother's first name, their birth
//! month, ...), normalised, and kept only as keyed hashes.
//!
//! The questions are data, declared in the study file:
//!
//! ```toml
//! [sgic]
//! rule = "all-but-one"   # or "exact"
//!
//! [[sgic.question]]
//! id = "mother-name"
//! text = "The first two letters of your mother's first name"
//! kind = "letters"
//! length = 2
//!
//! [[sgic.question]]
//! id = "birth-month"
//! text = "The month you were born"
//! kind = "month"
//! ```
//!
//! [`SgicSpec::parse`] reads the `[sgic]` table of a study file; [`SgicSpec::hashes`]
//! turns one respondent's answers into the [`SgicHashes`] to store; [`link`] pairs a
//! later wave's records with the baseline's. `docs/linking-waves.md` explains the
//! normalisation, the rules and their measured match and false-match rates.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{KeyedHash, Secret};

/// Domain separation for the hashes: a different version never matches.
const DOMAIN: &[u8] = b"skafada-sgic-v1";

/// What a question asks for, and so how its answer is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Letters: accents removed, upper-cased, everything but A-Z dropped, then the
    /// first `length` letters kept (or the last, with `from = "end"`).
    Letters,
    /// Digits: everything but 0-9 dropped, then `length` digits kept from the start
    /// (or the end, with `from = "end"`).
    Digits,
    /// A month: 1-12 (with or without a leading zero) or an English month name or
    /// its first three letters, normalised to `01`..`12`.
    Month,
}

/// Which end of the answer the kept characters come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum End {
    /// The first characters.
    #[default]
    Start,
    /// The last characters (for example the last digit of a house number).
    End,
}

/// The match rule a study declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchRule {
    /// Every component must agree: one keyed hash per response.
    #[default]
    Exact,
    /// Every component, or all but one, must agree: one keyed hash of the whole
    /// code plus one per component left out. An exact match is always preferred.
    AllButOne,
}

/// One question of the code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Question {
    /// Identifier, fixed once the study opens (it is part of every hash).
    pub id: String,
    /// The question as the respondent reads it.
    pub text: String,
    /// A hint shown under the question.
    #[serde(default)]
    pub hint: Option<String>,
    /// What is asked for.
    pub kind: QuestionKind,
    /// How many characters are kept (letters and digits; default 1).
    #[serde(default = "one")]
    pub length: usize,
    /// Which end they are kept from.
    #[serde(default)]
    pub from: End,
}

fn one() -> usize {
    1
}

/// The `[sgic]` table of a study file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgicSpec {
    questions: Vec<Question>,
    rule: MatchRule,
    min_known: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SpecDraft {
    #[serde(default)]
    rule: MatchRule,
    #[serde(default)]
    min_known: Option<usize>,
    #[serde(default)]
    question: Vec<Question>,
}

#[derive(Debug, Deserialize)]
struct FileDraft {
    sgic: Option<SpecDraft>,
}

/// A study file's `[sgic]` table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The TOML does not parse or has the wrong shape.
    #[error("the linking code questions cannot be read: {0}")]
    Toml(String),
    /// There is no `[sgic]` table.
    #[error("the study file has no [sgic] table")]
    Missing,
    /// Fewer than two questions: one answer cannot link anyone safely.
    #[error("the linking code needs at least 2 questions, found {0}")]
    TooFewQuestions(usize),
    /// Two questions share an identifier.
    #[error("two linking code questions have the id {0:?}")]
    DuplicateId(String),
    /// An identifier is empty or has characters other than a-z, 0-9 and '-'.
    #[error("linking code question id {0:?} must be lower-case letters, digits and '-'")]
    BadId(String),
    /// A length of 0, or above 8.
    #[error("linking code question {id:?} keeps {length} characters; keep 1 to 8")]
    BadLength {
        /// The question.
        id: String,
        /// The length given.
        length: usize,
    },
    /// `min-known` is more than the number of questions, or leaves fewer than two.
    #[error("min-known is {min_known} but must be between 2 and the {questions} questions")]
    BadMinKnown {
        /// The value given.
        min_known: usize,
        /// Number of questions.
        questions: usize,
    },
}

impl SgicSpec {
    /// Reads the `[sgic]` table of a study file.
    ///
    /// `min-known` (default: all questions but one) is how many answers must be
    /// known (not "don't know") for a code to be made at all.
    ///
    /// # Errors
    /// [`SpecError`] for a file without a usable `[sgic]` table.
    pub fn parse(study_toml: &str) -> Result<Self, SpecError> {
        let file: FileDraft =
            toml::from_str(study_toml).map_err(|e| SpecError::Toml(e.to_string()))?;
        let draft = file.sgic.ok_or(SpecError::Missing)?;
        Self::validate(draft)
    }

    fn validate(draft: SpecDraft) -> Result<Self, SpecError> {
        let questions = draft.question;
        if questions.len() < 2 {
            return Err(SpecError::TooFewQuestions(questions.len()));
        }
        let mut seen = BTreeMap::new();
        for q in &questions {
            let good_id = !q.id.is_empty()
                && q.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !good_id {
                return Err(SpecError::BadId(q.id.clone()));
            }
            if seen.insert(q.id.as_str(), ()).is_some() {
                return Err(SpecError::DuplicateId(q.id.clone()));
            }
            if q.kind != QuestionKind::Month && !(1..=8).contains(&q.length) {
                return Err(SpecError::BadLength {
                    id: q.id.clone(),
                    length: q.length,
                });
            }
        }
        let min_known = draft.min_known.unwrap_or(questions.len() - 1);
        if min_known < 2 || min_known > questions.len() {
            return Err(SpecError::BadMinKnown {
                min_known,
                questions: questions.len(),
            });
        }
        Ok(Self {
            questions,
            rule: draft.rule,
            min_known,
        })
    }

    /// The questions, in the order they are asked.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The declared match rule.
    pub fn rule(&self) -> MatchRule {
        self.rule
    }

    /// How many answers must be known for a code to be made.
    pub fn min_known(&self) -> usize {
        self.min_known
    }

    /// Normalises one respondent's answers (in question order) into a code.
    ///
    /// # Errors
    /// [`CodeError::WrongNumberOfAnswers`], and [`CodeError::TooFewKnown`] when
    /// fewer than `min-known` answers are known: such a code would link too many
    /// people to each other, so the respondent is not linked.
    pub fn code(&self, answers: &[Answer]) -> Result<Code, CodeError> {
        if answers.len() != self.questions.len() {
            return Err(CodeError::WrongNumberOfAnswers {
                expected: self.questions.len(),
                got: answers.len(),
            });
        }
        let components: Vec<Component> = self
            .questions
            .iter()
            .zip(answers)
            .map(|(q, a)| normalise(q, a))
            .collect();
        let known = components
            .iter()
            .filter(|c| **c != Component::DontKnow)
            .count();
        if known < self.min_known {
            return Err(CodeError::TooFewKnown {
                known,
                needed: self.min_known,
            });
        }
        Ok(Code { components })
    }

    /// The keyed hashes to store for a code: the whole code, plus one per
    /// component left out when the rule is [`MatchRule::AllButOne`].
    pub fn hashes(&self, code: &Code, secret: &Secret) -> SgicHashes {
        let full = self.keyed(code, None, secret);
        let leave_one_out = match self.rule {
            MatchRule::Exact => Vec::new(),
            MatchRule::AllButOne => (0..self.questions.len())
                .map(|i| self.keyed(code, Some(i), secret))
                .collect(),
        };
        SgicHashes {
            full,
            leave_one_out,
        }
    }

    fn keyed(&self, code: &Code, omit: Option<usize>, secret: &Secret) -> KeyedHash {
        let omitted = omit.map_or_else(Vec::new, |i| {
            self.questions
                .get(i)
                .map_or_else(Vec::new, |q| q.id.as_bytes().to_vec())
        });
        let mut parts: Vec<&[u8]> = vec![DOMAIN, if omit.is_some() { b"omit" } else { b"all" }];
        parts.push(&omitted);
        for (i, (q, c)) in self.questions.iter().zip(&code.components).enumerate() {
            if Some(i) == omit {
                continue;
            }
            parts.push(q.id.as_bytes());
            parts.push(c.as_bytes());
        }
        secret.hmac(&parts)
    }
}

/// One answer as the respondent gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Typed text (or the chosen option's value, for a month).
    Text(String),
    /// The respondent chose "I don't know" (or left the question blank).
    DontKnow,
}

/// One normalised answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Component {
    /// The kept characters, upper-case A-Z, 0-9, or a month `01`..`12`.
    Known(String),
    /// Not known: "don't know", a blank, or an answer with nothing usable in it.
    DontKnow,
}

impl Component {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Known(s) => s.as_bytes(),
            // Never a normalised value, which holds only A-Z and 0-9.
            Self::DontKnow => b"?",
        }
    }
}

/// A normalised code. It exists only in memory, between the answers and the hashes;
/// its `Debug` shows only how many components it has, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Code {
    components: Vec<Component>,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code([{} components redacted])", self.components.len())
    }
}

impl Code {
    /// The normalised answers, in question order.
    pub fn components(&self) -> &[Component] {
        &self.components
    }
}

/// Answers that cannot make a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The number of answers is not the number of questions.
    #[error("expected {expected} answers to the linking code questions, got {got}")]
    WrongNumberOfAnswers {
        /// Number of questions.
        expected: usize,
        /// Number of answers given.
        got: usize,
    },
    /// Too many answers are "don't know".
    #[error("only {known} linking code answers are known; {needed} are needed")]
    TooFewKnown {
        /// Known answers.
        known: usize,
        /// Needed.
        needed: usize,
    },
}

/// What is stored for one response: keyed hashes only, never the code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SgicHashes {
    /// HMAC of the whole code.
    pub full: KeyedHash,
    /// HMAC of the code without component `i`, for each `i` (empty under the exact rule).
    pub leave_one_out: Vec<KeyedHash>,
}

impl SgicHashes {
    /// The text stored for a response: the whole code's hash, then each leave-one-out
    /// hash, as 64 hex digits each, separated by single spaces. [`SgicHashes::decode`]
    /// reads it back; nothing else writes or splits it.
    pub fn encode(&self) -> String {
        std::iter::once(&self.full)
            .chain(&self.leave_one_out)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads what [`SgicHashes::encode`] wrote.
    ///
    /// # Errors
    /// [`KeyedHashParseError`](crate::KeyedHashParseError) when a part is not 64
    /// lower-case hex digits, or the text is empty.
    pub fn decode(text: &str) -> Result<Self, crate::KeyedHashParseError> {
        let mut parts = text.split(' ').map(str::parse::<KeyedHash>);
        let full = parts.next().ok_or(crate::KeyedHashParseError)??;
        let leave_one_out = parts.collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            full,
            leave_one_out,
        })
    }
}

/// Typed answers that mean "I don't know" (compared after lower-casing, with
/// curly apostrophes straightened and surrounding spaces and full stops dropped).
const DONT_KNOW_PHRASES: &[&str] = &[
    "don't know",
    "dont know",
    "do not know",
    "not known",
    "not sure",
    "unknown",
    "n/a",
    "prefer not to say",
];

/// A typed answer as it is compared with the phrases that mean "I don't know".
fn phrase(text: &str) -> String {
    text.trim()
        .trim_matches('.')
        .trim()
        .to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'")
}

/// Whether a typed answer is a phrase meaning "I don't know" ("don't know", "not sure",
/// "n/a", ...), as [`normalise`] reads it. A page can then tell such an answer from one
/// that has nothing usable for its question, which it may ask the respondent to correct.
pub fn means_dont_know(text: &str) -> bool {
    DONT_KNOW_PHRASES.contains(&phrase(text).as_str())
}

/// Normalises one answer for its question (see [`QuestionKind`]).
pub fn normalise(question: &Question, answer: &Answer) -> Component {
    let Answer::Text(text) = answer else {
        return Component::DontKnow;
    };
    let phrase = phrase(text);
    if DONT_KNOW_PHRASES.contains(&phrase.as_str()) {
        return Component::DontKnow;
    }
    let kept = match question.kind {
        QuestionKind::Letters => keep(&ascii_letters(text), question.length, question.from),
        QuestionKind::Digits => {
            let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
            keep(&digits, question.length, question.from)
        }
        QuestionKind::Month => month(&phrase),
    };
    match kept {
        Some(s) if !s.is_empty() => Component::Known(s),
        _ => Component::DontKnow,
    }
}

fn keep(chars: &[char], length: usize, from: End) -> Option<String> {
    let n = chars.len().min(length);
    let slice = match from {
        End::Start => chars.get(..n),
        End::End => chars.get(chars.len() - n..),
    };
    slice.map(|s| s.iter().collect())
}

/// Upper-case A-Z letters of the text: compatibility-decomposed, combining marks
/// dropped, the letters that do not decompose spelled out (ß as SS, Æ as AE, Ø as O,
/// Œ as OE, Ł as L, Đ as D, Þ as TH), everything else dropped.
fn ascii_letters(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        let spelled: &str = match c {
            'ß' | 'ẞ' => "SS",
            'æ' | 'Æ' => "AE",
            'ø' | 'Ø' => "O",
            'œ' | 'Œ' => "OE",
            'ł' | 'Ł' => "L",
            'đ' | 'Đ' | 'ð' | 'Ð' => "D",
            'þ' | 'Þ' => "TH",
            _ => {
                if c.is_ascii_alphabetic() {
                    out.push(c.to_ascii_uppercase());
                }
                continue;
            }
        };
        out.extend(spelled.chars());
    }
    out
}

/// The month names a [`QuestionKind::Month`] answer may give (or their first three
/// letters, in any case), January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month(phrase: &str) -> Option<String> {
    let number = if let Ok(n) = phrase.parse::<u32>() {
        n
    } else {
        let word: String = phrase.chars().filter(char::is_ascii_alphabetic).collect();
        if word.len() < 3 {
            return None;
        }
        let found = MONTH_NAMES
            .iter()
            .position(|m| m.to_lowercase().starts_with(word.as_str()))?;
        found as u32 + 1
    };
    (1..=12).contains(&number).then(|| format!("{number:02}"))
}

/// One response to be linked: its site and its stored hashes.
#[derive(Debug, Clone, Copy)]
pub struct LinkRecord<'a> {
    /// The site whose link the respondent followed; codes are matched within a site.
    pub site: &'a str,
    /// The stored hashes.
    pub hashes: &'a SgicHashes,
}

/// How a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Every component agreed.
    Exact,
    /// All components but one agreed, and no record matched exactly.
    AllButOne,
}

/// One link: indices into the later and the baseline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Index of the later-wave record.
    pub later: usize,
    /// Index of the baseline record.
    pub baseline: usize,
    /// How it matched.
    pub kind: MatchKind,
}

/// The outcome of linking one later wave to the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Linkage {
    /// The links made, by later-record index.
    pub links: Vec<Link>,
    /// Baseline records that share their whole code with another baseline record at
    /// the same site. They are never linked by an exact match.
    pub duplicate_baseline_codes: usize,
    /// Later records that matched more than one baseline record, so were not linked.
    pub ambiguous: usize,
    /// Later records that matched the same baseline record as another later record;
    /// none of them was linked.
    pub contested: usize,
    /// Later records that matched no baseline record.
    pub unmatched: usize,
}

/// Links a later wave's records to the baseline's, site by site, under `rule`.
///
/// For each later record: if exactly one baseline record at its site has the same
/// whole-code hash, they are linked; if several do, the record is ambiguous and
/// not linked. Under [`MatchRule::AllButOne`], a record with no exact match is
/// linked to the one baseline record that shares a leave-one-out hash (the same
/// component left out), if there is exactly one. Finally, when several later
/// records would link to the same baseline record, none of them is linked. Nothing
/// is ever guessed: every record that is not linked is counted under one reason.
pub fn link(baseline: &[LinkRecord<'_>], later: &[LinkRecord<'_>], rule: MatchRule) -> Linkage {
    let mut full: HashMap<(&str, KeyedHash), Vec<usize>> = HashMap::new();
    let mut partial: HashMap<(&str, KeyedHash), Vec<usize>> = HashMap::new();
    for (i, r) in baseline.iter().enumerate() {
        full.entry((r.site, r.hashes.full)).or_default().push(i);
        if rule == MatchRule::AllButOne {
            for h in &r.hashes.leave_one_out {
                partial.entry((r.site, *h)).or_default().push(i);
            }
        }
    }
    let duplicate_baseline_codes = full.values().filter(|v| v.len() > 1).map(Vec::len).sum();
    let mut out = Linkage {
        duplicate_baseline_codes,
        ..Linkage::default()
    };
    let mut proposed: Vec<Link> = Vec::new();
    for (j, r) in later.iter().enumerate() {
        let exact = full
            .get(&(r.site, r.hashes.full))
            .map_or(&[][..], Vec::as_slice);
        match exact {
            [only] => {
                proposed.push(Link {
                    later: j,
                    baseline: *only,
                    kind: MatchKind::Exact,
                });
                continue;
            }
            [] => {}
            _ => {
                out.ambiguous += 1;
                continue;
            }
        }
        if rule == MatchRule::Exact {
            out.unmatched += 1;
            continue;
        }
        let mut candidates: Vec<usize> = r
            .hashes
            .leave_one_out
            .iter()
            .filter_map(|h| partial.get(&(r.site, *h)))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        match candidates.as_slice() {
            [] => out.unmatched += 1,
            [only] => proposed.push(Link {
                later: j,
                baseline: *only,
                kind: MatchKind::AllButOne,
            }),
            _ => out.ambiguous += 1,
        }
    }
    let mut claims: HashMap<usize, usize> = HashMap::new();
    for l in &proposed {
        *claims.entry(l.baseline).or_default() += 1;
    }
    for l in proposed {
        if claims.get(&l.baseline).copied().unwrap_or(0) > 1 {
            out.contested += 1;
        } else {
            out.links.push(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The SKAFADA follow-up study's questions (declared with the exact rule).
    const SKAFADA: &str = include_str!("../../../waves/skafada.toml");

    fn tolerant() -> String {
        SKAFADA.replace("rule = \"exact\"", "rule = \"all-but-one\"")
    }

    fn spec() -> SgicSpec {
        SgicSpec::parse(&tolerant()).unwrap()
    }

    fn text(s: &str) -> Answer {
        Answer::Text(s.to_owned())
    }

    fn known(s: &str) -> Component {
        Component::Known(s.to_owned())
    }

    fn secret() -> Secret {
        Secret::from_bytes(vec![42; 32]).unwrap()
    }

    #[test]
    fn the_study_file_declares_questions_rule_and_default_min_known() {
        let s = spec();
        assert_eq!(s.questions().len(), 4);
        assert_eq!(s.rule(), MatchRule::AllButOne);
        assert_eq!(s.min_known(), 3);
        assert_eq!(s.questions()[3].from, End::End);
    }

    #[test]
    fn unusable_question_lists_are_refused_with_the_reason() {
        let one = "[[sgic.question]]\nid = \"a\"\ntext = \"A\"\nkind = \"letters\"\n";
        assert_eq!(SgicSpec::parse(one), Err(SpecError::TooFewQuestions(1)));
        let dup = format!("{one}{one}");
        assert_eq!(
            SgicSpec::parse(&dup),
            Err(SpecError::DuplicateId("a".into()))
        );
        assert_eq!(SgicSpec::parse("x = 1"), Err(SpecError::Missing));
        let long = "[[sgic.question]]\nid = \"a\"\ntext = \"A\"\nkind = \"letters\"\nlength = 0\n\
                    [[sgic.question]]\nid = \"b\"\ntext = \"B\"\nkind = \"month\"\n";
        assert!(matches!(
            SgicSpec::parse(long),
            Err(SpecError::BadLength { length: 0, .. })
        ));
        assert!(matches!(
            SgicSpec::parse("[sgic]\nbogus = 1"),
            Err(SpecError::Toml(_))
        ));
        let bad_id = SKAFADA.replace("\"birth-town\"", "\"Birth Town\"");
        assert!(matches!(SgicSpec::parse(&bad_id), Err(SpecError::BadId(_))));
    }

    #[test]
    fn answers_are_normalised_for_case_spaces_accents_and_dont_know() {
        let s = spec();
        let q = s.questions();
        let cases = [
            (&q[0], text("  mary-jane "), known("MA")),
            (&q[0], text("Éloïse"), known("EL")),
            (&q[0], text("Øydis"), known("OY")),
            (&q[0], text("ßara"), known("SS")),
            (&q[0], text("o'neill"), known("ON")),
            (&q[0], text("Don’t know."), Component::DontKnow),
            (&q[0], text("  "), Component::DontKnow),
            (&q[0], text("123"), Component::DontKnow),
            (&q[0], Answer::DontKnow, Component::DontKnow),
            (&q[1], text("3"), known("03")),
            (&q[1], text("03"), known("03")),
            (&q[1], text("Sept"), known("09")),
            (&q[1], text("september"), known("09")),
            (&q[1], text("Dec."), known("12")),
            (&q[1], text("13"), Component::DontKnow),
            (&q[1], text("ju"), Component::DontKnow),
            (&q[2], text("Ōsaka"), known("O")),
            (&q[3], text("Flat 2, 147b"), known("7")),
            (&q[3], text("The Old Rectory"), Component::DontKnow),
        ];
        for (question, answer, expected) in cases {
            assert_eq!(
                normalise(question, &answer),
                expected,
                "{answer:?} for {}",
                question.id
            );
        }
    }

    #[test]
    fn a_code_never_prints_its_answers() {
        let code = spec()
            .code(&["Mary", "May", "York", "5"].map(text))
            .unwrap();
        assert_eq!(format!("{code:?}"), "Code([4 components redacted])");
    }

    #[test]
    fn a_code_with_too_many_dont_knows_is_not_made() {
        let s = spec();
        let answers = [text("Mary"), Answer::DontKnow, Answer::DontKnow, text("4")];
        assert_eq!(
            s.code(&answers),
            Err(CodeError::TooFewKnown {
                known: 2,
                needed: 3
            })
        );
        assert!(matches!(
            s.code(&answers[..2]),
            Err(CodeError::WrongNumberOfAnswers { .. })
        ));
    }

    fn hashes(answers: [&str; 4]) -> SgicHashes {
        let s = spec();
        let code = s.code(&answers.map(text)).unwrap();
        s.hashes(&code, &secret())
    }

    #[test]
    fn the_same_answers_typed_differently_give_the_same_hash_and_another_secret_does_not() {
        let a = hashes(["Margaret", "March", "leeds", "12"]);
        let b = hashes([" MARGARET ", "3", "Leeds", "2"]);
        assert_eq!(a, b);
        assert_eq!(a.leave_one_out.len(), 4);
        let s = spec();
        let code = s
            .code(&["Margaret", "March", "leeds", "12"].map(text))
            .unwrap();
        let other = Secret::from_bytes(vec![43; 32]).unwrap();
        assert_ne!(s.hashes(&code, &other).full, a.full);
    }

    #[test]
    fn the_exact_rule_stores_only_the_whole_code_hash() {
        let s = SgicSpec::parse(SKAFADA).unwrap();
        assert_eq!(s.rule(), MatchRule::Exact);
        let code = s.code(&["Ann", "May", "York", "5"].map(text)).unwrap();
        assert!(s.hashes(&code, &secret()).leave_one_out.is_empty());
    }

    fn records<'a>(site: &'a str, hashes: &'a [SgicHashes]) -> Vec<LinkRecord<'a>> {
        hashes
            .iter()
            .map(|h| LinkRecord { site, hashes: h })
            .collect()
    }

    fn link_tolerantly_at_one_site(base: &[SgicHashes], later: &[SgicHashes]) -> Linkage {
        link(
            &records("a", base),
            &records("a", later),
            MatchRule::AllButOne,
        )
    }

    #[test]
    fn exact_and_all_but_one_links_are_made_within_a_site_only() {
        let base = [
            hashes(["Margaret", "March", "Leeds", "12"]),
            hashes(["Susan", "July", "York", "3"]),
        ];
        let later = [
            hashes(["Margaret", "March", "Leeds", "12"]),
            // Moved house: one component differs.
            hashes(["Susan", "July", "York", "8"]),
        ];
        let b = records("a", &base);
        let l = records("a", &later);
        let exact = link(&b, &l, MatchRule::Exact);
        assert_eq!(
            exact.links,
            vec![Link {
                later: 0,
                baseline: 0,
                kind: MatchKind::Exact
            }]
        );
        assert_eq!(exact.unmatched, 1);
        let tolerant = link(&b, &l, MatchRule::AllButOne);
        assert_eq!(tolerant.links.len(), 2);
        assert_eq!(tolerant.links[1].kind, MatchKind::AllButOne);
        let elsewhere = records("b", &later);
        assert_eq!(link(&b, &elsewhere, MatchRule::AllButOne).unmatched, 2);
    }

    #[test]
    fn two_baseline_responses_with_one_code_are_both_left_unlinked_and_counted() {
        let base = [
            hashes(["Ann", "May", "York", "5"]),
            hashes(["Ann", "May", "York", "5"]),
            hashes(["Jo", "June", "Hull", "1"]),
        ];
        let later = [hashes(["Ann", "May", "York", "5"])];
        let r = link_tolerantly_at_one_site(&base, &later);
        assert!(r.links.is_empty());
        assert_eq!(r.duplicate_baseline_codes, 2);
        assert_eq!(r.ambiguous, 1);
    }

    #[test]
    fn two_later_responses_claiming_one_baseline_are_neither_linked() {
        let base = [hashes(["Ann", "May", "York", "5"])];
        let later = [
            hashes(["Ann", "May", "York", "5"]),
            hashes(["Ann", "May", "York", "6"]),
        ];
        let r = link_tolerantly_at_one_site(&base, &later);
        assert!(r.links.is_empty());
        assert_eq!(r.contested, 2);
    }

    #[test]
    fn an_exact_match_wins_over_a_near_one() {
        let base = [
            hashes(["Ann", "May", "York", "5"]),
            hashes(["Ann", "May", "York", "6"]),
        ];
        let later = [hashes(["Ann", "May", "York", "6"])];
        let r = link_tolerantly_at_one_site(&base, &later);
        assert_eq!(
            r.links,
            vec![Link {
                later: 0,
                baseline: 1,
                kind: MatchKind::Exact
            }]
        );
    }

    fn site_records<'a>(v: &'a [(&'static str, SgicHashes)]) -> Vec<LinkRecord<'a>> {
        v.iter()
            .map(|(site, h)| LinkRecord { site, hashes: h })
            .collect()
    }

    #[test]
    fn typed_phrases_for_dont_know_are_recognised_and_other_text_is_not() {
        for typed in ["Don’t know.", " not sure ", "N/A", "prefer not to say"] {
            assert!(means_dont_know(typed), "{typed}");
        }
        for typed in ["", "NA", "Margaret", "dk"] {
            assert!(!means_dont_know(typed), "{typed}");
        }
    }

    proptest! {
        #[test]
        fn stored_hashes_read_back_as_they_were_written(
            full in proptest::array::uniform32(any::<u8>()),
            others in proptest::collection::vec(proptest::array::uniform32(any::<u8>()), 0..6),
        ) {
            let hex = |bytes: [u8; 32]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
            let hashes = SgicHashes {
                full: hex(full).parse().unwrap(),
                leave_one_out: others.into_iter().map(|b| hex(b).parse().unwrap()).collect(),
            };
            prop_assert_eq!(SgicHashes::decode(&hashes.encode()), Ok(hashes));
        }

        #[test]
        fn stored_hash_text_is_read_only_when_it_is_what_encode_writes(text in "[0-9a-f ]{0,140}") {
            if let Ok(hashes) = SgicHashes::decode(&text) {
                prop_assert_eq!(hashes.encode(), text);
            }
        }

        #[test]
        fn any_study_file_text_is_parsed_or_refused_with_a_message(text in "\\PC{0,200}") {
            if let Err(e) = SgicSpec::parse(&text) {
                prop_assert!(!e.to_string().is_empty());
            }
        }

        #[test]
        fn any_answers_make_a_code_or_a_reason(answers in proptest::collection::vec("\\PC{0,30}", 4)) {
            let s = spec();
            let answers: Vec<Answer> = answers.into_iter().map(Answer::Text).collect();
            match s.code(&answers) {
                Ok(code) => prop_assert_eq!(code.components().len(), 4),
                Err(e) => {
                    let too_few = matches!(e, CodeError::TooFewKnown { .. });
                    prop_assert!(too_few, "unexpected error {:?}", e);
                }
            }
        }

        #[test]
        fn normalising_a_normalised_answer_changes_nothing(answer in "\\PC{0,24}") {
            let s = spec();
            for q in s.questions() {
                if let Component::Known(kept) = normalise(q, &Answer::Text(answer.clone())) {
                    prop_assert_eq!(
                        normalise(q, &Answer::Text(kept.clone())),
                        Component::Known(kept)
                    );
                }
            }
        }

        #[test]
        fn every_later_record_is_linked_or_counted_once_and_no_baseline_is_linked_twice(
            base in proptest::collection::vec((0u8..3, 0u8..3, 0u8..2), 0..30),
            later in proptest::collection::vec((0u8..3, 0u8..3, 0u8..2), 0..30),
            tolerant in any::<bool>(),
        ) {
            let make = |(a, b, site): (u8, u8, u8)| {
                let h = hashes([["Ann", "Bea", "Cat"][a as usize], "May", ["York", "Hull", "Bath"][b as usize], "5"]);
                (if site == 0 { "a" } else { "b" }, h)
            };
            let base: Vec<_> = base.into_iter().map(make).collect();
            let later: Vec<_> = later.into_iter().map(make).collect();
            let rule = if tolerant { MatchRule::AllButOne } else { MatchRule::Exact };
            let r = link(&site_records(&base), &site_records(&later), rule);
            prop_assert_eq!(r.links.len() + r.ambiguous + r.contested + r.unmatched, later.len());
            let mut linked: Vec<usize> = r.links.iter().map(|l| l.baseline).collect();
            linked.sort_unstable();
            linked.dedup();
            prop_assert_eq!(linked.len(), r.links.len());
            for l in &r.links {
                prop_assert_eq!(base[l.baseline].0, later[l.later].0);
            }
        }
    }
}
