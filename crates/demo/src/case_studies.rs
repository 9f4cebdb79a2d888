//! The demo's synthetic case studies: nine invented interview transcripts at three
//! case-study sites, the passages indexed in them (two of them by two coders), the
//! analysts' matrix summaries and a document audit, written for the demo and read from
//! `case-studies/` (embedded). Nobody was interviewed; see `case-studies/case-studies.toml`.
//!
//! The transcripts go through the same import as an uploaded one
//! ([`skafada_transcripts::import`]) with each interview's redaction list, so the demo's
//! stored words are pseudonymised exactly as a real study's would be.

use std::collections::BTreeMap;

use serde::Deserialize;
use skafada_transcripts::{Format, RedactionList};

/// Why the demo case studies could not be assembled (a fault in the embedded files).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("demo case studies: {0}")]
pub struct CaseStudyError(String);

/// An interview of the demo, with its pseudonymised transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInterview {
    /// The pseudonym, e.g. `CS1-P01`.
    pub pseudonym: String,
    /// The site's code, e.g. `LA01`.
    pub site: String,
    /// The role's id.
    pub role: String,
    /// YYYY-MM-DD.
    pub interviewed_on: String,
    /// How it was held.
    pub mode: String,
    /// Who interviewed.
    pub interviewer: String,
    /// Who recorded consent.
    pub consent_recorded_by: String,
    /// Indexed by two coders.
    pub double_coded: bool,
    /// The turns (speaker, text), redacted.
    pub turns: Vec<(String, String)>,
}

/// A passage of the demo, located in the redacted transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPassage {
    /// The interview's pseudonym.
    pub interview: String,
    /// The turn's number.
    pub turn: i64,
    /// The characters of the turn, or `None` for all of it.
    pub span: Option<(i64, i64)>,
    /// The sub-themes.
    pub codes: Vec<String>,
    /// The coder: `coder-1@demo.invalid` or `coder-2@demo.invalid`.
    pub coder: String,
    /// The memo.
    pub memo: String,
    /// Selected as a quotation for the report.
    pub report_quote: bool,
}

/// A summary of the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// The interview's pseudonym.
    pub interview: String,
    /// The sub-theme.
    pub sub_theme: String,
    /// The summary.
    pub text: String,
}

/// An audit document of the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDocument {
    /// The site's code.
    pub site: String,
    /// The kind.
    pub kind: String,
    /// The title.
    pub title: String,
    /// YYYY-MM-DD or empty.
    pub dated: String,
    /// The note.
    pub note: String,
    /// Criterion to option.
    pub ratings: BTreeMap<String, String>,
}

/// The whole demo case-study set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCaseStudies {
    /// The case-study sites' codes, in case-study order.
    pub sites: Vec<String>,
    /// The interviews.
    pub interviews: Vec<DemoInterview>,
    /// The passages.
    pub passages: Vec<DemoPassage>,
    /// The summaries.
    pub summaries: Vec<DemoSummary>,
    /// The documents.
    pub documents: Vec<DemoDocument>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSet {
    interview: Vec<RawInterview>,
    passage: Vec<RawPassage>,
    summary: Vec<RawSummary>,
    document: Vec<RawDocument>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawInterview {
    pseudonym: String,
    site: String,
    role: String,
    interviewed_on: String,
    interviewer: String,
    mode: String,
    consent_recorded_by: String,
    transcript: String,
    redact: Vec<String>,
    double_coded: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPassage {
    interview: String,
    turn: i64,
    #[serde(default)]
    quote: Option<String>,
    codes: Vec<String>,
    coder: String,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    report_quote: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSummary {
    interview: String,
    sub_theme: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawDocument {
    site: String,
    kind: String,
    title: String,
    #[serde(default)]
    dated: String,
    #[serde(default)]
    note: String,
    ratings: BTreeMap<String, String>,
}

const SET: &str = include_str!("../case-studies/case-studies.toml");

const TRANSCRIPTS: [(&str, &str); 9] = [
    ("cs1-p01.txt", include_str!("../case-studies/cs1-p01.txt")),
    ("cs1-p02.txt", include_str!("../case-studies/cs1-p02.txt")),
    ("cs1-p03.txt", include_str!("../case-studies/cs1-p03.txt")),
    ("cs1-p04.txt", include_str!("../case-studies/cs1-p04.txt")),
    ("cs1-p05.txt", include_str!("../case-studies/cs1-p05.txt")),
    ("cs2-p01.txt", include_str!("../case-studies/cs2-p01.txt")),
    ("cs2-p02.txt", include_str!("../case-studies/cs2-p02.txt")),
    ("cs2-p03.txt", include_str!("../case-studies/cs2-p03.txt")),
    ("cs3-p01.txt", include_str!("../case-studies/cs3-p01.txt")),
];

/// Where `quote` is in `text`, as char offsets.
fn char_span(text: &str, quote: &str) -> Option<(i64, i64)> {
    let at = text.find(quote)?;
    let start = text.get(..at)?.chars().count();
    let end = start + quote.chars().count();
    Some((i64::try_from(start).ok()?, i64::try_from(end).ok()?))
}

/// The demo case-study set, pseudonymised.
///
/// # Errors
/// [`CaseStudyError`] when the embedded files do not fit together (a transcript that is
/// missing or does not import, a passage on a turn or quotation that is not there).
pub fn case_studies() -> Result<DemoCaseStudies, CaseStudyError> {
    let raw: RawSet = toml::from_str(SET).map_err(|e| CaseStudyError(e.to_string()))?;
    let mut lists: BTreeMap<String, RedactionList> = BTreeMap::new();
    let mut interviews = Vec::new();
    let mut sites: Vec<String> = Vec::new();
    for interview in raw.interview {
        let text = TRANSCRIPTS
            .iter()
            .find(|(name, _)| *name == interview.transcript)
            .map(|(_, text)| *text)
            .ok_or_else(|| CaseStudyError(format!("no transcript {}", interview.transcript)))?;
        let list = RedactionList::parse(&interview.redact.join("\n"));
        let transcript = skafada_transcripts::import(
            &interview.transcript,
            text.as_bytes(),
            Format::Text,
            &list,
        )
        .map_err(|e| CaseStudyError(e.to_string()))?;
        if !sites.contains(&interview.site) {
            sites.push(interview.site.clone());
        }
        lists.insert(interview.pseudonym.clone(), list);
        interviews.push(DemoInterview {
            pseudonym: interview.pseudonym,
            site: interview.site,
            role: interview.role,
            interviewed_on: interview.interviewed_on,
            mode: interview.mode,
            interviewer: interview.interviewer,
            consent_recorded_by: interview.consent_recorded_by,
            double_coded: interview.double_coded,
            turns: transcript
                .turns
                .into_iter()
                .map(|t| (t.speaker, t.text))
                .collect(),
        });
    }
    let mut passages = Vec::new();
    for passage in raw.passage {
        let interview = interviews
            .iter()
            .find(|i| i.pseudonym == passage.interview)
            .ok_or_else(|| CaseStudyError(format!("no interview {}", passage.interview)))?;
        let turn_text = usize::try_from(passage.turn - 1)
            .ok()
            .and_then(|index| interview.turns.get(index))
            .map(|(_, text)| text.as_str())
            .ok_or_else(|| {
                CaseStudyError(format!(
                    "{} has no turn {}",
                    passage.interview, passage.turn
                ))
            })?;
        let span = match &passage.quote {
            None => None,
            Some(quote) => {
                // The quotation is pseudonymised as its transcript was, then found in it.
                let list = lists.get(&passage.interview).cloned().unwrap_or_default();
                let redacted = skafada_transcripts::import(
                    "quote",
                    format!("Participant: {quote}").as_bytes(),
                    Format::Text,
                    &list,
                )
                .map_err(|e| CaseStudyError(e.to_string()))?;
                let words = redacted
                    .turns
                    .first()
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                Some(char_span(turn_text, &words).ok_or_else(|| {
                    CaseStudyError(format!(
                        "{} turn {}: the quotation is not in the turn",
                        passage.interview, passage.turn
                    ))
                })?)
            }
        };
        let coder = match passage.coder.as_str() {
            "first" => "coder-1@demo.invalid",
            "second" => "coder-2@demo.invalid",
            other => return Err(CaseStudyError(format!("unknown coder {other}"))),
        };
        passages.push(DemoPassage {
            interview: passage.interview,
            turn: passage.turn,
            span,
            codes: passage.codes,
            coder: coder.to_owned(),
            memo: passage.memo,
            report_quote: passage.report_quote,
        });
    }
    Ok(DemoCaseStudies {
        sites,
        interviews,
        passages,
        summaries: raw
            .summary
            .into_iter()
            .map(|s| DemoSummary {
                interview: s.interview,
                sub_theme: s.sub_theme,
                text: s.text,
            })
            .collect(),
        documents: raw
            .document
            .into_iter()
            .map(|d| DemoDocument {
                site: d.site,
                kind: d.kind,
                title: d.title,
                dated: d.dated,
                note: d.note,
                ratings: d.ratings,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_demo_case_studies_assemble_with_every_planted_name_removed() {
        let set = case_studies().unwrap();
        assert_eq!(set.sites, ["LA01", "LA02", "LA03"]);
        assert_eq!(set.interviews.len(), 9);
        let raw: RawSet = toml::from_str(SET).unwrap();
        for (interview, raw) in set.interviews.iter().zip(&raw.interview) {
            let text: String = interview
                .turns
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            // Whole words only: "Dev" is a name, "development" is not.
            let words = |s: &str| {
                let spaced: String = s
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                    .collect();
                format!(
                    " {} ",
                    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            };
            let haystack = words(&text);
            for term in &raw.redact {
                assert!(
                    !haystack.contains(&words(term)),
                    "{} still names {term}",
                    interview.pseudonym
                );
            }
            assert!(text.contains("[redacted"), "{}", interview.pseudonym);
        }
        assert!(set.passages.iter().any(|p| p.span.is_some()));
        let second: Vec<&str> = set
            .passages
            .iter()
            .filter(|p| p.coder.starts_with("coder-2"))
            .map(|p| p.interview.as_str())
            .collect();
        assert!(second.iter().all(|i| ["CS1-P01", "CS2-P03"].contains(i)));
    }
}
