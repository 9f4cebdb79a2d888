//! Findings by research question: for each question of the framework, the survey tables
//! and tests mapped to it, the sub-themes that serve it with the analysts' summaries and
//! the quotations they selected, and the document-audit criteria that inform it.
//!
//! Confidentiality: words are attributed only to a role and a case-study number
//! ("Middle manager, case study 1"), and only when at least the framework's
//! `min-interviewees-per-role` people of that role were interviewed at that site;
//! otherwise they are withheld and the withholding is said, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::coding::CodedPassage;
use crate::framework::Framework;

/// An interviewee as the synthesis sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Interviewee {
    /// The pseudonym.
    pub case: String,
    /// The case-study number of their site.
    pub case_study: i64,
    /// Their role's id.
    pub role: String,
}

/// An analyst's summary of a case on a sub-theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CaseSummary {
    /// The case.
    pub case: String,
    /// The sub-theme.
    pub sub_theme: String,
    /// The summary.
    pub text: String,
}

/// One audit document's ratings, by its site's case-study number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RatedDocument {
    /// The case-study number of its site.
    pub case_study: i64,
    /// Criterion id to the option chosen.
    pub ratings: BTreeMap<String, String>,
}

/// Words with their attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attributed {
    /// The words.
    pub text: String,
    /// "Middle manager, case study 1".
    pub attribution: String,
}

/// What one sub-theme contributes to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubThemeFindings {
    /// The sub-theme's id.
    pub id: String,
    /// Its theme's title and its own, "Workforce development: Supervision".
    pub title: String,
    /// How many interviewees have passages indexed under it.
    pub interviewees: usize,
    /// At how many case-study sites.
    pub sites: usize,
    /// The summaries that may be shown.
    pub summaries: Vec<Attributed>,
    /// The selected quotations that may be shown.
    pub quotations: Vec<Attributed>,
}

/// One audit criterion across the case-study sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// The criterion's id.
    pub id: String,
    /// What is judged.
    pub text: String,
    /// Per case-study site, in number order: the highest option any of its documents
    /// reached, with how many documents reached it and how many were rated; `None` when
    /// no document of the site was rated on it.
    pub sites: Vec<(i64, Option<AuditCell>)>,
}

/// A site's standing on one audit criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCell {
    /// The highest option reached.
    pub highest: String,
    /// Documents at that option.
    pub at_highest: usize,
    /// Documents rated on the criterion.
    pub rated: usize,
}

impl AuditCell {
    /// "Basic awareness (1 of 3 documents)".
    pub fn describe(&self) -> String {
        let documents = if self.rated == 1 {
            "document"
        } else {
            "documents"
        };
        format!(
            "{} ({} of {} {documents})",
            self.highest, self.at_highest, self.rated
        )
    }
}

/// The findings for one research question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionFindings {
    /// The question's id.
    pub id: String,
    /// The question.
    pub text: String,
    /// The survey items mapped to it, as (id, title).
    pub survey: Vec<(String, String)>,
    /// The sub-themes that serve it.
    pub sub_themes: Vec<SubThemeFindings>,
    /// The audit criteria that inform it.
    pub audit: Vec<AuditRow>,
    /// Sentences saying what was withheld to protect interviewees.
    pub withheld: Vec<String>,
}

/// The synthesis of a study's findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Synthesis {
    /// The case-study numbers, in order.
    pub case_studies: Vec<i64>,
    /// Interviewees analysed (not withdrawn), by role label, in the framework's order.
    pub interviewees_by_role: Vec<(String, usize)>,
    /// The smallest number of interviewees of a role at a site whose words are shown.
    pub min_interviewees_per_role: usize,
    /// Per research question.
    pub questions: Vec<QuestionFindings>,
}

/// Everything the synthesis is built from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The framework.
    pub framework: &'a Framework,
    /// The case-study numbers of the study's case-study sites.
    pub case_studies: &'a [i64],
    /// The interviewees analysed (withdrawn ones left out by the caller).
    pub interviewees: &'a [Interviewee],
    /// The passages as they count (see [`crate::coding::resolve`]).
    pub passages: &'a [CodedPassage],
    /// The analysts' summaries.
    pub summaries: &'a [CaseSummary],
    /// The audit documents.
    pub documents: &'a [RatedDocument],
    /// The analysis plan's item titles by id, for the survey items.
    pub survey_titles: &'a BTreeMap<String, String>,
}

/// Builds the findings by research question.
pub fn synthesise(sources: Sources<'_>) -> Synthesis {
    let framework = sources.framework;
    let by_case: BTreeMap<&str, &Interviewee> = sources
        .interviewees
        .iter()
        .map(|i| (i.case.as_str(), i))
        .collect();
    let mut role_counts: BTreeMap<(i64, &str), usize> = BTreeMap::new();
    for interviewee in sources.interviewees {
        *role_counts
            .entry((interviewee.case_study, interviewee.role.as_str()))
            .or_default() += 1;
    }
    let label = |role: &str| {
        framework
            .role(role)
            .map_or_else(|| role.to_owned(), |r| r.label.clone())
    };
    let shown = |case: &Interviewee| {
        role_counts
            .get(&(case.case_study, case.role.as_str()))
            .copied()
            .unwrap_or(0)
            >= framework.min_interviewees_per_role
    };
    let attribution =
        |case: &Interviewee| format!("{}, case study {}", label(&case.role), case.case_study);

    let questions = framework
        .research_questions
        .iter()
        .map(|question| {
            // (case study, role) -> (quotations, summaries) withheld for this question.
            let mut held: BTreeMap<(i64, String), (usize, usize)> = BTreeMap::new();
            let sub_themes = framework
                .sub_themes()
                .filter(|(_, sub)| sub.research_questions.contains(&question.id))
                .map(|(theme, sub)| {
                    let coded: Vec<&CodedPassage> = sources
                        .passages
                        .iter()
                        .filter(|p| p.codes.contains(&sub.id) && by_case.contains_key(p.case.as_str()))
                        .collect();
                    let cases: BTreeSet<&str> = coded.iter().map(|p| p.case.as_str()).collect();
                    let sites: BTreeSet<i64> = cases
                        .iter()
                        .filter_map(|c| by_case.get(c).map(|i| i.case_study))
                        .collect();
                    let mut quotations = Vec::new();
                    for passage in coded.iter().filter(|p| p.report_quote) {
                        let Some(case) = by_case.get(passage.case.as_str()) else {
                            continue;
                        };
                        if shown(case) {
                            quotations.push(Attributed {
                                text: passage.text.clone(),
                                attribution: attribution(case),
                            });
                        } else {
                            held.entry((case.case_study, case.role.clone())).or_default().0 += 1;
                        }
                    }
                    let mut summaries = Vec::new();
                    for summary in sources.summaries.iter().filter(|s| s.sub_theme == sub.id) {
                        let Some(case) = by_case.get(summary.case.as_str()) else {
                            continue;
                        };
                        if shown(case) {
                            summaries.push(Attributed {
                                text: summary.text.clone(),
                                attribution: attribution(case),
                            });
                        } else {
                            held.entry((case.case_study, case.role.clone())).or_default().1 += 1;
                        }
                    }
                    SubThemeFindings {
                        id: sub.id.clone(),
                        title: format!("{}: {}", theme.title, sub.title),
                        interviewees: cases.len(),
                        sites: sites.len(),
                        summaries,
                        quotations,
                    }
                })
                .collect();
            let withheld = held
                .into_iter()
                .map(|((case_study, role), (quotations, summaries))| {
                    let interviewed = role_counts
                        .get(&(case_study, role.as_str()))
                        .copied()
                        .unwrap_or(0);
                    format!(
                        "{} from {} at case study {case_study} {} not shown: {} of that role {} interviewed there, fewer than the {} needed for their words not to identify them.",
                        things(quotations, summaries),
                        label(&role).to_lowercase(),
                        if quotations + summaries == 1 { "is" } else { "are" },
                        interviewed,
                        if interviewed == 1 { "was" } else { "were" },
                        framework.min_interviewees_per_role,
                    )
                })
                .collect();
            QuestionFindings {
                id: question.id.clone(),
                text: question.text.clone(),
                survey: question
                    .survey
                    .iter()
                    .map(|id| {
                        (
                            id.clone(),
                            sources
                                .survey_titles
                                .get(id)
                                .cloned()
                                .unwrap_or_else(|| format!("{id} (not in the analysis plan)")),
                        )
                    })
                    .collect(),
                sub_themes,
                audit: framework
                    .audit
                    .iter()
                    .filter(|c| c.research_questions.contains(&question.id))
                    .map(|criterion| audit_row(criterion, sources.case_studies, sources.documents))
                    .collect(),
                withheld,
            }
        })
        .collect();
    Synthesis {
        case_studies: sources.case_studies.to_vec(),
        interviewees_by_role: framework
            .roles
            .iter()
            .map(|role| {
                (
                    role.label.clone(),
                    sources
                        .interviewees
                        .iter()
                        .filter(|i| i.role == role.id)
                        .count(),
                )
            })
            .collect(),
        min_interviewees_per_role: framework.min_interviewees_per_role,
        questions,
    }
}

/// "2 quotations and 1 summary".
fn things(quotations: usize, summaries: usize) -> String {
    let part = |n: usize, one: &str, many: &str| {
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    [
        part(quotations, "quotation", "quotations"),
        part(summaries, "summary", "summaries"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" and ")
}

/// One criterion across the sites: the highest option each site's documents reached.
pub fn audit_row(
    criterion: &crate::framework::AuditCriterion,
    case_studies: &[i64],
    documents: &[RatedDocument],
) -> AuditRow {
    AuditRow {
        id: criterion.id.clone(),
        text: criterion.text.clone(),
        sites: case_studies
            .iter()
            .map(|&number| {
                let ranks: Vec<usize> = documents
                    .iter()
                    .filter(|d| d.case_study == number)
                    .filter_map(|d| d.ratings.get(&criterion.id))
                    .filter_map(|value| criterion.options.iter().position(|o| o == value))
                    .collect();
                let cell = ranks.iter().max().map(|&top| AuditCell {
                    highest: criterion.options.get(top).cloned().unwrap_or_default(),
                    at_highest: ranks.iter().filter(|&&r| r == top).count(),
                    rated: ranks.len(),
                });
                (number, cell)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn framework() -> Framework {
        crate::framework::parse(
            include_str!("../../../frameworks/skafada.toml"),
            "frameworks/skafada.toml",
        )
        .unwrap()
    }

    fn interviewee(case: &str, case_study: i64, role: &str) -> Interviewee {
        Interviewee {
            case: case.to_owned(),
            case_study,
            role: role.to_owned(),
        }
    }

    fn quote(id: &str, case: &str, code: &str) -> CodedPassage {
        CodedPassage {
            id: id.to_owned(),
            case: case.to_owned(),
            turn: 2,
            coder: "ann@example.org".to_owned(),
            codes: vec![code.to_owned()],
            text: format!("the words of {case}"),
            report_quote: true,
        }
    }

    #[test]
    fn words_of_a_role_with_too_few_interviewees_at_a_site_are_withheld_and_said_to_be() {
        let framework = framework();
        let interviewees = [
            interviewee("CS1-P01", 1, "practitioner"),
            interviewee("CS1-P02", 1, "practitioner"),
            interviewee("CS1-P03", 1, "head-of-service"),
        ];
        let passages = [
            quote("a", "CS1-P01", "skills-asking"),
            quote("b", "CS1-P03", "skills-asking"),
        ];
        let summaries = [CaseSummary {
            case: "CS1-P03".to_owned(),
            sub_theme: "skills-asking".to_owned(),
            text: "Says staff ask rarely.".to_owned(),
        }];
        let titles = BTreeMap::from([("figure-3".to_owned(), "Knowledge".to_owned())]);
        let synthesis = synthesise(Sources {
            framework: &framework,
            case_studies: &[1],
            interviewees: &interviewees,
            passages: &passages,
            summaries: &summaries,
            documents: &[],
            survey_titles: &titles,
        });
        let rq1 = &synthesis.questions[0];
        let asking = rq1
            .sub_themes
            .iter()
            .find(|s| s.id == "skills-asking")
            .unwrap();
        assert_eq!(asking.interviewees, 2);
        assert_eq!(
            asking.quotations,
            [Attributed {
                text: "the words of CS1-P01".to_owned(),
                attribution: "Early Help/Family Support practitioner, case study 1".to_owned(),
            }]
        );
        assert!(asking.summaries.is_empty());
        assert_eq!(
            rq1.withheld,
            [
                "1 quotation and 1 summary from head of service at case study 1 are not shown: 1 of that role was interviewed there, fewer than the 2 needed for their words not to identify them."
            ]
        );
        assert!(
            rq1.survey
                .contains(&("figure-3".to_owned(), "Knowledge".to_owned()))
        );
        // Nothing anywhere names the pseudonym of the withheld interviewee.
        let json = serde_json_free(&synthesis);
        assert!(!json.contains("CS1-P03"), "{json}");
    }

    /// The synthesis as text, without a JSON dependency: its Debug form.
    fn serde_json_free(synthesis: &Synthesis) -> String {
        format!("{synthesis:?}")
    }

    #[test]
    fn the_audit_row_gives_each_sites_highest_rating_and_how_many_documents_reached_it() {
        let framework = framework();
        let level = framework.criterion("knowledge-level").unwrap();
        let rated = |case_study: i64, value: &str| RatedDocument {
            case_study,
            ratings: BTreeMap::from([("knowledge-level".to_owned(), value.to_owned())]),
        };
        let documents = [
            rated(1, "None"),
            rated(1, "Basic awareness"),
            rated(1, "Basic awareness"),
            rated(2, "Generic safeguarding only"),
        ];
        let row = audit_row(level, &[1, 2, 3], &documents);
        let cells: Vec<Option<String>> = row
            .sites
            .iter()
            .map(|(_, cell)| cell.as_ref().map(AuditCell::describe))
            .collect();
        assert_eq!(
            cells,
            [
                Some("Basic awareness (2 of 3 documents)".to_owned()),
                Some("Generic safeguarding only (1 of 1 document)".to_owned()),
                None
            ]
        );
    }
}
