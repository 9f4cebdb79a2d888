//! Charting: the framework matrix of cases (interviewees, by site and role) against
//! sub-themes. Each cell holds the analyst's summary of that person on that sub-theme and
//! the coded passages that support it; rows and themes can be filtered, and each theme
//! becomes one sheet of rows, as Framework practice charts it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::framework::Framework;

/// An interviewee, known only by a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// The pseudonym, e.g. `CS1-P03`.
    pub id: String,
    /// The case-study site's code, e.g. `LA03`.
    pub site: String,
    /// The role, as in the study's Table 4: practitioner, manager, head of service.
    pub role: String,
}

/// A passage of a transcript indexed under one or more sub-themes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// The passage's identifier.
    pub id: String,
    /// The case (interviewee) who said it.
    pub case: String,
    /// The words, as stored (redacted).
    pub text: String,
    /// The sub-themes it is indexed under.
    pub codes: Vec<String>,
}

/// The analyst's summary of one case on one sub-theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The case.
    pub case: String,
    /// The sub-theme.
    pub sub_theme: String,
    /// The summary.
    pub text: String,
}

/// Which rows and columns to chart; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Sites to keep.
    pub sites: BTreeSet<String>,
    /// Roles to keep.
    pub roles: BTreeSet<String>,
    /// Themes to keep.
    pub themes: BTreeSet<String>,
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The sub-theme.
    pub sub_theme: String,
    /// The analyst's summary, if written.
    pub summary: Option<String>,
    /// The supporting passages' identifiers, in order.
    pub passages: Vec<String>,
}

/// One theme's sheet: a row per case, a column per sub-theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sheet {
    /// The theme's identifier.
    pub theme: String,
    /// The theme's title.
    pub title: String,
    /// The sub-themes' titles, in column order.
    pub columns: Vec<String>,
    /// The cases and their cells.
    pub rows: Vec<(Case, Vec<Cell>)>,
}

/// Why the matrix could not be charted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// A passage or summary names a sub-theme the framework does not have.
    #[error("`{0}` is not a sub-theme of the framework")]
    UnknownSubTheme(String),
    /// A passage or summary names a case that is not in the study.
    #[error("`{0}` is not a case of the study")]
    UnknownCase(String),
}

/// The matrix, one sheet per theme, cases ordered by site, role and pseudonym.
///
/// # Errors
/// [`ChartError`] when a passage or summary names an unknown case or sub-theme: nothing
/// is charted against a column or row that does not exist.
pub fn chart(
    framework: &Framework,
    cases: &[Case],
    passages: &[Passage],
    summaries: &[Summary],
    filter: &Filter,
) -> Result<Vec<Sheet>, ChartError> {
    let known: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut support: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for passage in passages {
        if !known.contains(passage.case.as_str()) {
            return Err(ChartError::UnknownCase(passage.case.clone()));
        }
        for code in &passage.codes {
            if framework.sub_theme(code).is_none() {
                return Err(ChartError::UnknownSubTheme(code.clone()));
            }
            support
                .entry((passage.case.as_str(), code.as_str()))
                .or_default()
                .push(passage.id.clone());
        }
    }
    let mut written: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for summary in summaries {
        if !known.contains(summary.case.as_str()) {
            return Err(ChartError::UnknownCase(summary.case.clone()));
        }
        if framework.sub_theme(&summary.sub_theme).is_none() {
            return Err(ChartError::UnknownSubTheme(summary.sub_theme.clone()));
        }
        written.insert(
            (summary.case.as_str(), summary.sub_theme.as_str()),
            summary.text.as_str(),
        );
    }
    let mut rows: Vec<&Case> = cases
        .iter()
        .filter(|c| filter.sites.is_empty() || filter.sites.contains(&c.site))
        .filter(|c| filter.roles.is_empty() || filter.roles.contains(&c.role))
        .collect();
    rows.sort_by(|a, b| (&a.site, &a.role, &a.id).cmp(&(&b.site, &b.role, &b.id)));
    Ok(framework
        .themes
        .iter()
        .filter(|t| filter.themes.is_empty() || filter.themes.contains(&t.id))
        .map(|theme| Sheet {
            theme: theme.id.clone(),
            title: theme.title.clone(),
            columns: theme.sub_themes.iter().map(|s| s.title.clone()).collect(),
            rows: rows
                .iter()
                .map(|case| {
                    let cells = theme
                        .sub_themes
                        .iter()
                        .map(|sub| Cell {
                            sub_theme: sub.id.clone(),
                            summary: written
                                .get(&(case.id.as_str(), sub.id.as_str()))
                                .map(|t| (*t).to_owned()),
                            passages: support
                                .get(&(case.id.as_str(), sub.id.as_str()))
                                .cloned()
                                .unwrap_or_default(),
                        })
                        .collect();
                    ((*case).clone(), cells)
                })
                .collect(),
        })
        .collect())
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

    fn case(id: &str, site: &str, role: &str) -> Case {
        Case {
            id: id.to_owned(),
            site: site.to_owned(),
            role: role.to_owned(),
        }
    }

    #[test]
    fn each_theme_is_a_sheet_of_cases_with_summaries_and_supporting_passages() {
        let cases = [
            case("CS2-P01", "LA05", "practitioner"),
            case("CS1-M01", "LA03", "manager"),
            case("CS1-P02", "LA03", "practitioner"),
        ];
        let passages = [Passage {
            id: "t1-4".into(),
            case: "CS1-P02".into(),
            text: "I ask when I'm alone with the parent.".into(),
            codes: vec!["skills-asking".into(), "skills-identifying".into()],
        }];
        let summaries = [Summary {
            case: "CS1-P02".into(),
            sub_theme: "skills-asking".into(),
            text: "Asks routinely, alone with the parent.".into(),
        }];
        let sheets = chart(
            &framework(),
            &cases,
            &passages,
            &summaries,
            &Filter::default(),
        )
        .unwrap();
        assert_eq!(sheets.len(), framework().themes.len());
        let skills = sheets
            .iter()
            .find(|s| s.theme == "skills-knowledge")
            .unwrap();
        let order: Vec<&str> = skills.rows.iter().map(|(c, _)| c.id.as_str()).collect();
        assert_eq!(order, ["CS1-M01", "CS1-P02", "CS2-P01"]);
        let (_, cells) = &skills.rows[1];
        let asking = cells
            .iter()
            .find(|c| c.sub_theme == "skills-asking")
            .unwrap();
        assert_eq!(
            asking.summary.as_deref(),
            Some("Asks routinely, alone with the parent.")
        );
        assert_eq!(asking.passages, ["t1-4"]);
        let identifying = cells
            .iter()
            .find(|c| c.sub_theme == "skills-identifying")
            .unwrap();
        assert_eq!(
            (identifying.summary.as_deref(), identifying.passages.len()),
            (None, 1)
        );

        let filter = Filter {
            sites: ["LA05".to_owned()].into(),
            themes: ["needs".to_owned()].into(),
            ..Filter::default()
        };
        let filtered = chart(&framework(), &cases, &passages, &summaries, &filter).unwrap();
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].rows.len(), 1);
    }

    #[test]
    fn a_passage_under_an_unknown_sub_theme_or_case_is_refused() {
        let cases = [case("CS1-P02", "LA03", "practitioner")];
        let stray = [Passage {
            id: "p".into(),
            case: "CS1-P02".into(),
            text: String::new(),
            codes: vec!["no-such-theme".into()],
        }];
        assert_eq!(
            chart(&framework(), &cases, &stray, &[], &Filter::default()),
            Err(ChartError::UnknownSubTheme("no-such-theme".into()))
        );
        let unknown = [Passage {
            case: "CS9-P99".into(),
            codes: vec![],
            ..stray[0].clone()
        }];
        assert_eq!(
            chart(&framework(), &cases, &unknown, &[], &Filter::default()),
            Err(ChartError::UnknownCase("CS9-P99".into()))
        );
    }
}
