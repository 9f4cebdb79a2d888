//! The thematic framework as data: the study's research questions, and the themes and
//! sub-themes passages are indexed under, each with its definition and the research
//! questions it serves (the Framework approach's "working analytical framework").
//!
//! The format is documented in `docs/framework-format.md`; `frameworks/skafada.toml` is
//! the SKAFADA study's. Every problem is reported with the file, line and column.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

/// A research question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchQuestion {
    /// Stable identifier, e.g. `rq1`.
    pub id: String,
    /// The question as the protocol words it.
    pub text: String,
    /// The analysis plan's tables, figures and tests that answer it (their ids), for the
    /// findings by research question. Checked against a plan with
    /// [`Framework::unknown_survey_items`].
    pub survey: Vec<String>,
}

/// A role interviewees are recorded under (the study's Table 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRole {
    /// Stable identifier, e.g. `middle-manager`.
    pub id: String,
    /// As printed, e.g. "Middle manager".
    pub label: String,
}

/// A criterion of the document audit, with its options from least to most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCriterion {
    /// Stable identifier, e.g. `knowledge-level`.
    pub id: String,
    /// What is judged, e.g. "Level of domestic abuse knowledge the document requires".
    pub text: String,
    /// The possible ratings, in order from least to most.
    pub options: Vec<String>,
    /// The research questions it informs.
    pub research_questions: Vec<String>,
}

/// A sub-theme: what passages are indexed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubTheme {
    /// Stable identifier, unique across the framework (themes and sub-themes).
    pub id: String,
    /// A short title.
    pub title: String,
    /// What belongs here, for coders.
    pub definition: String,
    /// The research questions it serves (its own, else its theme's).
    pub research_questions: Vec<String>,
}

/// A theme and its sub-themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Stable identifier.
    pub id: String,
    /// A short title.
    pub title: String,
    /// What the theme covers.
    pub definition: String,
    /// The research questions it serves.
    pub research_questions: Vec<String>,
    /// Its sub-themes, in order.
    pub sub_themes: Vec<SubTheme>,
}

/// A whole framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Stable identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// The research questions, in order.
    pub research_questions: Vec<ResearchQuestion>,
    /// The themes, in order.
    pub themes: Vec<Theme>,
    /// The roles interviewees are recorded under, in order.
    pub roles: Vec<ParticipantRole>,
    /// A quotation or summary is attributed to a role at a site in a report only when at
    /// least this many people of that role were interviewed there.
    pub min_interviewees_per_role: usize,
    /// The kinds of document the audit registers.
    pub document_kinds: Vec<String>,
    /// The document audit's criteria, in order.
    pub audit: Vec<AuditCriterion>,
}

/// The smallest number of interviewees of a role at a site for their words to be
/// attributed to the role, when the framework does not say.
pub const DEFAULT_MIN_INTERVIEWEES_PER_ROLE: usize = 2;

impl Framework {
    /// The role with this identifier.
    pub fn role(&self, id: &str) -> Option<&ParticipantRole> {
        self.roles.iter().find(|role| role.id == id)
    }

    /// The audit criterion with this identifier.
    pub fn criterion(&self, id: &str) -> Option<&AuditCriterion> {
        self.audit.iter().find(|criterion| criterion.id == id)
    }

    /// The research question with this identifier.
    pub fn question(&self, id: &str) -> Option<&ResearchQuestion> {
        self.research_questions.iter().find(|q| q.id == id)
    }

    /// Survey items named by research questions that `known` (the analysis plan's table,
    /// figure and test ids) does not have, as (question, item): a report refuses to map
    /// a question to a table that is not there.
    pub fn unknown_survey_items(&self, known: &BTreeSet<String>) -> Vec<(String, String)> {
        self.research_questions
            .iter()
            .flat_map(|q| q.survey.iter().map(move |item| (q, item)))
            .filter(|(_, item)| !known.contains(*item))
            .map(|(q, item)| (q.id.clone(), item.clone()))
            .collect()
    }

    /// Every sub-theme with its theme, in order.
    pub fn sub_themes(&self) -> impl Iterator<Item = (&Theme, &SubTheme)> {
        self.themes
            .iter()
            .flat_map(|theme| theme.sub_themes.iter().map(move |sub| (theme, sub)))
    }

    /// The sub-theme with this identifier.
    pub fn sub_theme(&self, id: &str) -> Option<&SubTheme> {
        self.sub_themes()
            .map(|(_, sub)| sub)
            .find(|sub| sub.id == id)
    }
}

/// One problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Every problem of a framework file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FrameworkError {
    /// The file's name.
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for FrameworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("{}:{}:{}: {}", self.file, p.line, p.column, p.message))
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawFramework {
    id: String,
    title: String,
    #[serde(default)]
    research_question: Vec<RawQuestion>,
    #[serde(default)]
    theme: Vec<RawTheme>,
    #[serde(default)]
    participant_role: Vec<RawRole>,
    #[serde(default)]
    confidentiality: Option<RawConfidentiality>,
    #[serde(default)]
    document_kinds: Vec<Spanned<String>>,
    #[serde(default)]
    audit_criterion: Vec<RawCriterion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    text: String,
    #[serde(default)]
    survey: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawRole {
    id: Spanned<String>,
    label: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawConfidentiality {
    min_interviewees_per_role: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawCriterion {
    id: Spanned<String>,
    text: Spanned<String>,
    options: Spanned<Vec<String>>,
    #[serde(default)]
    research_questions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawTheme {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    research_questions: Vec<Spanned<String>>,
    #[serde(default)]
    sub_theme: Vec<RawSubTheme>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSubTheme {
    id: Spanned<String>,
    title: Spanned<String>,
    definition: Spanned<String>,
    #[serde(default)]
    research_questions: Vec<Spanned<String>>,
}

/// The problems found so far, placed in the text.
struct Problems<'a> {
    text: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn add(&mut self, span: std::ops::Range<usize>, message: String) {
        let (line, column) = position(self.text, span.start);
        self.list.push(Problem {
            line,
            column,
            message,
        });
    }

    /// Checks that each research question named exists; returns their identifiers.
    fn questions(&mut self, known: &BTreeSet<String>, asked: &[Spanned<String>]) -> Vec<String> {
        for question in asked {
            if !known.contains(question.get_ref()) {
                self.add(
                    question.span(),
                    format!(
                        "`{}` is not a research question of this framework",
                        question.get_ref()
                    ),
                );
            }
        }
        asked.iter().map(|q| q.get_ref().clone()).collect()
    }
}

/// 1-based line and column of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads and checks a framework: TOML that parses, unique identifiers across themes and
/// sub-themes, research questions that exist, a definition for every sub-theme, and every
/// sub-theme serving at least one research question.
///
/// # Errors
/// [`FrameworkError`] with every problem found, each with its line and column.
pub fn parse(text: &str, file: &str) -> Result<Framework, FrameworkError> {
    let raw: RawFramework = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| position(text, span.start));
        FrameworkError {
            file: file.to_owned(),
            problems: vec![Problem {
                line,
                column,
                message: error.message().to_owned(),
            }],
        }
    })?;
    let mut found = Problems {
        text,
        list: Vec::new(),
    };
    let mut questions = BTreeSet::new();
    for question in &raw.research_question {
        if !questions.insert(question.id.get_ref().clone()) {
            found.add(
                question.id.span(),
                format!(
                    "research question `{}` is defined twice",
                    question.id.get_ref()
                ),
            );
        }
        if question.text.trim().is_empty() {
            found.add(
                question.id.span(),
                format!("research question `{}` has no text", question.id.get_ref()),
            );
        }
    }
    if raw.theme.is_empty() {
        found.add(0..0, "the framework has no `[[theme]]`".to_owned());
    }
    let mut ids = BTreeSet::new();
    let mut themes = Vec::new();
    for theme in raw.theme {
        if !ids.insert(theme.id.get_ref().clone()) {
            found.add(
                theme.id.span(),
                format!("`{}` is used twice", theme.id.get_ref()),
            );
        }
        if theme.title.get_ref().trim().is_empty() {
            found.add(theme.title.span(), "a theme needs a `title`".to_owned());
        }
        let theme_questions = found.questions(&questions, &theme.research_questions);
        let mut sub_themes = Vec::new();
        for sub in theme.sub_theme {
            let own = found.questions(&questions, &sub.research_questions);
            if !ids.insert(sub.id.get_ref().clone()) {
                found.add(
                    sub.id.span(),
                    format!("`{}` is used twice", sub.id.get_ref()),
                );
            }
            if sub.title.get_ref().trim().is_empty() {
                found.add(sub.title.span(), "a sub-theme needs a `title`".to_owned());
            }
            if sub.definition.get_ref().trim().is_empty() {
                found.add(
                    sub.definition.span(),
                    format!(
                        "sub-theme `{}` needs a `definition`, so that coders index alike",
                        sub.id.get_ref()
                    ),
                );
            }
            let research_questions = if own.is_empty() {
                theme_questions.clone()
            } else {
                own
            };
            if research_questions.is_empty() {
                found.add(
                    sub.id.span(),
                    format!(
                        "sub-theme `{}` serves no research question (give `research-questions` to it or to its theme)",
                        sub.id.get_ref()
                    ),
                );
            }
            sub_themes.push(SubTheme {
                id: sub.id.into_inner(),
                title: sub.title.into_inner(),
                definition: sub.definition.into_inner(),
                research_questions,
            });
        }
        if sub_themes.is_empty() {
            found.add(
                theme.id.span(),
                format!(
                    "theme `{}` has no `[[theme.sub-theme]]`",
                    theme.id.get_ref()
                ),
            );
        }
        themes.push(Theme {
            id: theme.id.into_inner(),
            title: theme.title.into_inner(),
            definition: theme.definition,
            research_questions: theme_questions,
            sub_themes,
        });
    }
    let roles = check_roles(&mut found, raw.participant_role);
    let min_interviewees_per_role = match raw.confidentiality {
        None => DEFAULT_MIN_INTERVIEWEES_PER_ROLE,
        Some(rule) => {
            let value = *rule.min_interviewees_per_role.get_ref();
            usize::try_from(value)
                .ok()
                .filter(|n| *n >= 1)
                .unwrap_or_else(|| {
                    found.add(
                        rule.min_interviewees_per_role.span(),
                        "`min-interviewees-per-role` must be a whole number of at least 1"
                            .to_owned(),
                    );
                    DEFAULT_MIN_INTERVIEWEES_PER_ROLE
                })
        }
    };
    let mut document_kinds: Vec<String> = Vec::new();
    for kind in raw.document_kinds {
        let name = kind.get_ref().trim().to_owned();
        if name.is_empty() {
            found.add(kind.span(), "a document kind needs a name".to_owned());
        } else if document_kinds.contains(&name) {
            found.add(
                kind.span(),
                format!("document kind `{name}` is listed twice"),
            );
        } else {
            document_kinds.push(name);
        }
    }
    let mut audit: Vec<AuditCriterion> = Vec::new();
    for criterion in raw.audit_criterion {
        let research_questions = found.questions(&questions, &criterion.research_questions);
        if audit.iter().any(|c| &c.id == criterion.id.get_ref()) {
            found.add(
                criterion.id.span(),
                format!(
                    "audit criterion `{}` is defined twice",
                    criterion.id.get_ref()
                ),
            );
        }
        if criterion.text.get_ref().trim().is_empty() {
            found.add(
                criterion.text.span(),
                "an audit criterion needs a `text`".to_owned(),
            );
        }
        let options = criterion.options.get_ref();
        let distinct: BTreeSet<&str> = options.iter().map(|o| o.trim()).collect();
        if options.len() < 2 || distinct.len() != options.len() || distinct.contains("") {
            found.add(
                criterion.options.span(),
                format!(
                    "audit criterion `{}` needs at least two different, non-empty `options`",
                    criterion.id.get_ref()
                ),
            );
        }
        audit.push(AuditCriterion {
            id: criterion.id.into_inner(),
            text: criterion.text.into_inner(),
            options: criterion.options.into_inner(),
            research_questions,
        });
    }
    if !audit.is_empty() && document_kinds.is_empty() {
        found.add(
            0..0,
            "the framework has audit criteria but no `document-kinds` to register".to_owned(),
        );
    }
    if !found.list.is_empty() {
        let mut problems = found.list;
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(FrameworkError {
            file: file.to_owned(),
            problems,
        });
    }
    Ok(Framework {
        id: raw.id,
        title: raw.title,
        research_questions: raw
            .research_question
            .into_iter()
            .map(|q| ResearchQuestion {
                id: q.id.into_inner(),
                text: q.text,
                survey: q.survey,
            })
            .collect(),
        themes,
        roles,
        min_interviewees_per_role,
        document_kinds,
        audit,
    })
}

/// The participant roles, unique and labelled; a framework without any gets the
/// study's three (Table 4), so older framework files keep working.
fn check_roles(found: &mut Problems<'_>, raw: Vec<RawRole>) -> Vec<ParticipantRole> {
    if raw.is_empty() {
        return [
            ("practitioner", "Practitioner"),
            ("middle-manager", "Middle manager"),
            ("head-of-service", "Head of service"),
        ]
        .into_iter()
        .map(|(id, label)| ParticipantRole {
            id: id.to_owned(),
            label: label.to_owned(),
        })
        .collect();
    }
    let mut roles: Vec<ParticipantRole> = Vec::new();
    for role in raw {
        if roles.iter().any(|r| &r.id == role.id.get_ref()) {
            found.add(
                role.id.span(),
                format!("participant role `{}` is defined twice", role.id.get_ref()),
            );
        }
        if role.label.get_ref().trim().is_empty() {
            found.add(
                role.label.span(),
                "a participant role needs a `label`".to_owned(),
            );
        }
        roles.push(ParticipantRole {
            id: role.id.into_inner(),
            label: role.label.into_inner(),
        });
    }
    roles
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SMALL: &str = r#"id = "small"
title = "Small"

[[research-question]]
id = "rq1"
text = "What do practitioners know?"

[[theme]]
id = "knowledge"
title = "Knowledge"
research-questions = ["rq1"]

[[theme.sub-theme]]
id = "knowledge-signs"
title = "Signs"
definition = "Recognising the signs of domestic abuse."
"#;

    #[test]
    fn a_sub_theme_serves_its_themes_research_questions_unless_it_names_its_own() {
        let framework = parse(SMALL, "small.toml").unwrap();
        let sub = framework.sub_theme("knowledge-signs").unwrap();
        assert_eq!(sub.research_questions, ["rq1"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_column() {
        let broken = SMALL
            .replace(
                "research-questions = [\"rq1\"]",
                "research-questions = [\"rq9\"]",
            )
            .replace(
                "definition = \"Recognising the signs of domestic abuse.\"",
                "definition = \"\"",
            );
        let error = parse(&broken, "small.toml").unwrap_err().to_string();
        assert!(
            error.contains("small.toml:11:23: `rq9` is not a research question of this framework"),
            "{error}"
        );
        assert!(
            error.contains("small.toml:16:14: sub-theme `knowledge-signs` needs a `definition`"),
            "{error}"
        );
        let syntax = parse("id = \"x\"\ntitle = 3\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(syntax.starts_with("bad.toml:2:9: "), "{syntax}");
    }

    #[test]
    fn an_audit_criterion_needs_distinct_options_and_real_research_questions() {
        let text = format!(
            "{SMALL}\n[[audit-criterion]]\nid = \"level\"\ntext = \"Level\"\noptions = [\"None\", \"None\"]\nresearch-questions = [\"rq4\"]\n"
        )
        .replacen("title = \"Small\"", "title = \"Small\"\ndocument-kinds = [\"Job description\"]", 1);
        let error = parse(&text, "small.toml").unwrap_err().to_string();
        assert!(
            error.contains("audit criterion `level` needs at least two different"),
            "{error}"
        );
        assert!(
            error.contains("`rq4` is not a research question"),
            "{error}"
        );
    }

    #[test]
    fn a_quotation_rule_below_one_is_refused() {
        let text = SMALL.replacen(
            "title = \"Small\"\n",
            "title = \"Small\"\n\n[confidentiality]\nmin-interviewees-per-role = 0\n",
            1,
        );
        let error = parse(&text, "small.toml").unwrap_err().to_string();
        assert!(
            error.contains("small.toml:5:29: `min-interviewees-per-role`"),
            "{error}"
        );
    }

    #[test]
    fn the_skafada_framework_maps_every_research_question() {
        let framework = parse(
            include_str!("../../../frameworks/skafada.toml"),
            "frameworks/skafada.toml",
        )
        .unwrap();
        assert_eq!(framework.research_questions.len(), 7);
        assert_eq!(framework.roles.len(), 3);
        assert_eq!(framework.min_interviewees_per_role, 2);
        assert_eq!(framework.audit.len(), 5);
        for question in &framework.research_questions {
            assert!(
                framework
                    .sub_themes()
                    .any(|(_, sub)| sub.research_questions.contains(&question.id)),
                "{} has no sub-theme",
                question.id
            );
        }
    }
}
