//! The case studies' analysis pages, for the research roles: the framework matrix
//! (cases by sub-themes, with summaries and their supporting passages), its downloads,
//! agreement between two coders with the disagreements to decide, the document audit,
//! and the findings by research question.
//!
//! Withdrawn interviews are left out of everything here.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skafada_qualitative::coding::{self, CodedPassage, Decision, DoubleCoded};
use skafada_qualitative::matrix::{self, Case, Filter, Summary};
use skafada_qualitative::synthesis::{self, CaseSummary, Interviewee, RatedDocument, Synthesis};
use skafada_store::{CaseStudyData, DocumentDetails, Interview, InterviewStatus, SiteId, Study};

use super::cases::{
    Research, interview_of, passage_words, render_checked, research, role_label, site_number,
};
use super::error::AdminError;
use super::forms::{DateInput, Errors, Input, RadioOption, Radios, TextArea, read_date, read_text};
use super::guard::{Admin, AdminPost};
use super::views::AdminLayout;
use crate::AppState;
use crate::views::{ErrorLink, long_date, render};

/// The study's case-study data, analysed: what counts (withdrawn interviews left out),
/// each passage with its words, and the passages as they count once disagreements are
/// decided.
pub(super) struct Analysed {
    pub(super) data: CaseStudyData,
    /// Interviews analysed (not withdrawn).
    pub(super) interviews: Vec<Interview>,
    /// Every passage of them, with its words, as each coder indexed it.
    pub(super) coded: Vec<CodedPassage>,
    /// The passages as they count.
    pub(super) resolved: Vec<CodedPassage>,
    /// The turn numbers of each analysed interview's transcript, by pseudonym.
    pub(super) turns: BTreeMap<String, Vec<i64>>,
    /// The decisions on disagreements.
    pub(super) decisions: Vec<Decision>,
}

pub(super) async fn analysed(state: &AppState, study: &Study) -> Result<Analysed, AdminError> {
    let data = state.store.case_study_data(&study.id).await?;
    let interviews: Vec<Interview> = data
        .interviews
        .iter()
        .filter(|i| i.details.status != InterviewStatus::Withdrawn)
        .cloned()
        .collect();
    let mut coded = Vec::new();
    let mut turns = BTreeMap::new();
    for interview in &interviews {
        let transcript = state.store.transcript(&interview.id).await?;
        turns.insert(
            interview.pseudonym.clone(),
            transcript.iter().map(|t| t.number).collect(),
        );
        for passage in data
            .passages
            .iter()
            .filter(|p| p.interview_id == interview.id)
        {
            coded.push(CodedPassage {
                id: passage.id.clone(),
                case: interview.pseudonym.clone(),
                turn: passage.passage.turn,
                coder: passage.coder.clone(),
                codes: passage.passage.codes.clone(),
                text: passage_words(&transcript, passage.passage.turn, passage.passage.span),
                report_quote: passage.passage.report_quote,
            });
        }
    }
    let pseudonym = |id: &str| {
        interviews
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.pseudonym.clone())
    };
    let decisions: Vec<Decision> = data
        .decisions
        .iter()
        .filter_map(|d| {
            Some(Decision {
                case: pseudonym(&d.interview_id)?,
                turn: d.turn,
                code: d.sub_theme.clone(),
                include: d.include,
            })
        })
        .collect();
    let double: BTreeSet<&str> = interviews
        .iter()
        .filter(|i| i.double_coded)
        .map(|i| i.pseudonym.as_str())
        .collect();
    let resolved = coding::resolve(&coded, &double, &decisions);
    Ok(Analysed {
        data,
        interviews,
        coded,
        resolved,
        turns,
        decisions,
    })
}

impl Analysed {
    /// The cases of the matrix: each analysed interview with its site code and role.
    fn cases(&self) -> Vec<Case> {
        self.interviews
            .iter()
            .map(|i| Case {
                id: i.pseudonym.clone(),
                site: self
                    .data
                    .sites
                    .iter()
                    .find(|s| s.site_id == i.site_id)
                    .map_or_else(String::new, |s| format!("CS{} ({})", s.number, s.site_code)),
                role: i.details.role.clone(),
            })
            .collect()
    }

    fn summaries(&self) -> Vec<Summary> {
        self.data
            .summaries
            .iter()
            .filter_map(|s| {
                let case = self.interviews.iter().find(|i| i.id == s.interview_id)?;
                Some(Summary {
                    case: case.pseudonym.clone(),
                    sub_theme: s.sub_theme.clone(),
                    text: s.text.clone(),
                })
            })
            .collect()
    }

    fn chart(
        &self,
        research: &Research,
        filter: &Filter,
    ) -> Result<Vec<matrix::Sheet>, AdminError> {
        let passages: Vec<matrix::Passage> = self
            .resolved
            .iter()
            .map(|p| matrix::Passage {
                id: p.id.clone(),
                case: p.case.clone(),
                text: p.text.clone(),
                codes: p.codes.clone(),
            })
            .collect();
        matrix::chart(
            &research.framework,
            &self.cases(),
            &passages,
            &self.summaries(),
            filter,
        )
        .map_err(|e| AdminError::Internal(e.to_string()))
    }

    /// The passages as exported, with references "CS1-P02 turn 14".
    fn passage_rows(&self, research: &Research) -> Vec<skafada_export::matrix::PassageRow> {
        let title = |id: &str| {
            research
                .framework
                .sub_theme(id)
                .map_or_else(|| id.to_owned(), |s| s.title.clone())
        };
        let memo = |id: &str| {
            self.data
                .passages
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.passage.memo.clone())
                .unwrap_or_default()
        };
        self.resolved
            .iter()
            .map(|p| skafada_export::matrix::PassageRow {
                reference: format!("{} turn {}", p.case, p.turn),
                id: p.id.clone(),
                case: p.case.clone(),
                coder: p.coder.clone(),
                codes: p
                    .codes
                    .iter()
                    .map(|c| title(c))
                    .collect::<Vec<_>>()
                    .join("; "),
                text: p.text.clone(),
                memo: memo(&p.id),
                report_quote: p.report_quote,
            })
            .collect()
    }
}

/// The matrix's filter, from the query string.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MatrixQuery {
    site: Option<String>,
    role: Option<String>,
    theme: Option<String>,
}

impl MatrixQuery {
    fn filter(&self) -> Filter {
        let one = |v: &Option<String>| -> BTreeSet<String> {
            v.iter().filter(|s| !s.is_empty()).cloned().collect()
        };
        Filter {
            sites: one(&self.site),
            roles: one(&self.role),
            themes: one(&self.theme),
        }
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("site", &self.site),
            ("role", &self.role),
            ("theme", &self.theme),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        }
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(options: Vec<(String, String)>, chosen: Option<&str>, all: &str) -> Vec<Choice> {
    std::iter::once((String::new(), all.to_owned()))
        .chain(options)
        .map(|(value, label)| Choice {
            selected: chosen.unwrap_or_default() == value,
            value,
            label,
        })
        .collect()
}

struct MatrixCell {
    href: String,
    summary: Option<String>,
    passages: usize,
}

struct MatrixRow {
    case: String,
    case_href: String,
    site: String,
    role: String,
    cells: Vec<MatrixCell>,
}

struct MatrixSheet {
    id: String,
    title: String,
    columns: Vec<String>,
    rows: Vec<MatrixRow>,
}

#[derive(Template)]
#[template(path = "admin/cases/matrix.html")]
struct MatrixPage {
    layout: AdminLayout,
    base: String,
    query: String,
    sites: Vec<Choice>,
    roles: Vec<Choice>,
    themes: Vec<Choice>,
    sheets: Vec<MatrixSheet>,
    undecided: usize,
    cases: usize,
}

/// `GET /admin/studies/{study}/case-studies/matrix`.
#[tracing::instrument(skip_all)]
pub(crate) async fn matrix_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let analysed = analysed(&state, &research.study).await?;
    let sheets = analysed.chart(&research, &query.filter())?;
    let undecided = undecided(&analysed)?;
    let cases = analysed.cases();
    let sites: BTreeSet<String> = cases.iter().map(|c| c.site.clone()).collect();
    let page = MatrixPage {
        layout: AdminLayout::new(
            &format!("Framework matrix – {}", research.study.name),
            Some(&admin),
        )
        .back(&research.base),
        base: research.base.clone(),
        query: query.query_string(),
        sites: choices(
            sites.into_iter().map(|s| (s.clone(), s)).collect(),
            query.site.as_deref(),
            "All case-study sites",
        ),
        roles: choices(
            research
                .framework
                .roles
                .iter()
                .map(|r| (r.id.clone(), r.label.clone()))
                .collect(),
            query.role.as_deref(),
            "All roles",
        ),
        themes: choices(
            research
                .framework
                .themes
                .iter()
                .map(|t| (t.id.clone(), t.title.clone()))
                .collect(),
            query.theme.as_deref(),
            "All themes",
        ),
        cases: sheets.first().map_or(0, |s| s.rows.len()),
        sheets: sheets
            .iter()
            .map(|sheet| MatrixSheet {
                id: sheet.theme.clone(),
                title: sheet.title.clone(),
                columns: sheet.columns.clone(),
                rows: sheet
                    .rows
                    .iter()
                    .map(|(case, cells)| MatrixRow {
                        case: case.id.clone(),
                        case_href: format!("{}/interviews/{}", research.base, case.id),
                        site: case.site.clone(),
                        role: role_label(&research.framework, &case.role),
                        cells: cells
                            .iter()
                            .map(|cell| MatrixCell {
                                href: format!(
                                    "{}/matrix/{}/{}",
                                    research.base, case.id, cell.sub_theme
                                ),
                                summary: cell.summary.clone(),
                                passages: cell.passages.len(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        undecided,
    };
    Ok(render(&page))
}

/// How many disagreements of double-coded transcripts wait for a decision.
fn undecided(analysed: &Analysed) -> Result<usize, AdminError> {
    let mut count = 0;
    for interview in analysed.interviews.iter().filter(|i| i.double_coded) {
        if let Ok(found) =
            coding::disagreements(&interview.pseudonym, &analysed.coded, &analysed.decisions)
        {
            count += found.iter().filter(|d| d.decided.is_none()).count();
        }
    }
    Ok(count)
}

struct CellPassage {
    reference: String,
    href: String,
    words: String,
    coder: String,
    memo: String,
}

#[derive(Template)]
#[template(path = "admin/cases/cell.html")]
struct CellPage {
    layout: AdminLayout,
    action: String,
    csrf: String,
    pseudonym: String,
    role: String,
    sub_theme: String,
    definition: String,
    passages: Vec<CellPassage>,
    summary: TextArea,
    errors: Vec<ErrorLink>,
}

async fn cell_page(
    state: &AppState,
    admin: &Admin,
    research: &Research,
    interview: &Interview,
    sub_theme: &str,
    summary: Option<TextArea>,
    errors: Errors,
) -> Result<Response, AdminError> {
    let sub = research
        .framework
        .sub_theme(sub_theme)
        .ok_or(AdminError::NotFound)?;
    let analysed = analysed(state, &research.study).await?;
    let stored = analysed
        .data
        .summaries
        .iter()
        .find(|s| s.interview_id == interview.id && s.sub_theme == sub.id)
        .map(|s| s.text.clone())
        .unwrap_or_default();
    let memo = |id: &str| {
        analysed
            .data
            .passages
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.passage.memo.clone())
            .unwrap_or_default()
    };
    let base = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let error = !errors.is_empty();
    let page = CellPage {
        layout: AdminLayout::new(
            &format!("{}: {}", interview.pseudonym, sub.title),
            Some(admin),
        )
        .back(&format!("{}/matrix", research.base))
        .with_error(error),
        action: format!(
            "{}/matrix/{}/{}",
            research.base, interview.pseudonym, sub.id
        ),
        csrf: admin.csrf.clone(),
        pseudonym: interview.pseudonym.clone(),
        role: role_label(&research.framework, &interview.details.role),
        sub_theme: sub.title.clone(),
        definition: sub.definition.clone(),
        passages: analysed
            .resolved
            .iter()
            .filter(|p| p.case == interview.pseudonym && p.codes.contains(&sub.id))
            .map(|p| CellPassage {
                reference: format!("Turn {}", p.turn),
                href: format!("{base}/coding#turn-{}", p.turn),
                words: p.text.clone(),
                coder: p.coder.clone(),
                memo: memo(&p.id),
            })
            .collect(),
        summary: summary.unwrap_or(TextArea {
            id: "summary".to_owned(),
            label: "Summary for the matrix".to_owned(),
            hint: Some("What this person says on this sub-theme, in your words, with no names or places. Leave it empty to remove the summary.".to_owned()),
            value: stored,
            error: None,
            rows: 6,
        }),
        errors: errors.0,
    };
    Ok(render_checked(&page, error))
}

/// `GET .../case-studies/matrix/{pseudonym}/{sub_theme}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn cell(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym, sub_theme)): Path<(String, String, String)>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    cell_page(
        &state,
        &admin,
        &research,
        &interview,
        &sub_theme,
        None,
        Errors::default(),
    )
    .await
}

/// `POST .../case-studies/matrix/{pseudonym}/{sub_theme}`: writes the summary.
#[tracing::instrument(skip_all)]
pub(crate) async fn save_cell(
    State(state): State<AppState>,
    Path((study_id, pseudonym, sub_theme)): Path<(String, String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let sub = research
        .framework
        .sub_theme(&sub_theme)
        .ok_or(AdminError::NotFound)?;
    let text = form.text("summary").unwrap_or_default();
    if text.chars().count() > 4000 {
        let mut errors = Errors::default();
        let message = "The summary must be 4,000 characters or fewer";
        errors.add("summary", message);
        let area = TextArea {
            id: "summary".to_owned(),
            label: "Summary for the matrix".to_owned(),
            hint: None,
            value: text,
            error: Some(message.to_owned()),
            rows: 6,
        };
        return cell_page(
            &state,
            &admin,
            &research,
            &interview,
            &sub.id,
            Some(area),
            errors,
        )
        .await;
    }
    state
        .store
        .set_summary(&interview, &sub.id, &text, admin.account_id())
        .await?;
    let theme = research
        .framework
        .sub_themes()
        .find(|(_, s)| s.id == sub.id)
        .map(|(t, _)| t.id.clone())
        .unwrap_or_default();
    Ok(Redirect::to(&format!("{}/matrix#{theme}", research.base)).into_response())
}

fn download(content_type: &str, file: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET .../case-studies/downloads/{file}`: `matrix.xlsx`, `matrix.csv`,
/// `passages.csv` (with the matrix's filter) or `case-studies.json` (everything, for
/// `skafada report --case-studies`).
#[tracing::instrument(skip_all)]
pub(crate) async fn downloads(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, file)): Path<(String, String)>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let analysed = analysed(&state, &research.study).await?;
    let filter = query.filter();
    let sheets = analysed.chart(&research, &filter)?;
    let mut passages = analysed.passage_rows(&research);
    // The passages follow the filter's cases and themes.
    let cases: BTreeSet<&str> = sheets
        .iter()
        .flat_map(|s| s.rows.iter().map(|(c, _)| c.id.as_str()))
        .collect();
    let kept_codes: BTreeSet<String> = research
        .framework
        .sub_themes()
        .filter(|(t, _)| filter.themes.is_empty() || filter.themes.contains(&t.id))
        .map(|(_, s)| s.title.clone())
        .collect();
    passages.retain(|p| {
        cases.contains(p.case.as_str()) && p.codes.split("; ").any(|c| kept_codes.contains(c))
    });
    let roles = |id: &str| role_label(&research.framework, id);
    let csv = "text/csv; charset=utf-8";
    let response = match file.as_str() {
        "matrix.xlsx" => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "framework-matrix.xlsx",
            skafada_export::matrix::matrix_xlsx(
                &sheets,
                &passages,
                &skafada_export::matrix::MatrixAbout {
                    study: research.study.name.clone(),
                    framework: research.framework.title.clone(),
                    filter: describe_filter(&query),
                    exported_on: skafada_store::today().to_string(),
                    synthetic: research.study.synthetic,
                },
                &roles,
            )
            .map_err(|e| AdminError::Internal(e.to_string()))?,
        ),
        "matrix.csv" => download(
            csv,
            "framework-matrix.csv",
            skafada_export::matrix::matrix_csv(&sheets, &passages, &roles)
                .map_err(|e| AdminError::Internal(e.to_string()))?,
        ),
        "passages.csv" => download(
            csv,
            "coded-passages.csv",
            skafada_export::matrix::passages_csv(&passages)
                .map_err(|e| AdminError::Internal(e.to_string()))?,
        ),
        "case-studies.json" => download(
            "application/json",
            "case-studies.json",
            serde_json::to_vec_pretty(&bundle(&research, &analysed))
                .map_err(|e| AdminError::Internal(e.to_string()))?,
        ),
        _ => return Err(AdminError::NotFound),
    };
    state
        .store
        .log_case_study_export(
            admin.account_id(),
            &research.study.id,
            &format!("{file} ({})", describe_filter(&query)),
        )
        .await?;
    Ok(response)
}

fn describe_filter(query: &MatrixQuery) -> String {
    let parts: Vec<String> = [
        ("site", &query.site),
        ("role", &query.role),
        ("theme", &query.theme),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("{k} {v}"))
    })
    .collect();
    if parts.is_empty() {
        "All sites, roles and themes".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Everything the findings by research question are built from, for
/// `skafada report --case-studies` (format in `docs/framework-format.md`).
fn bundle(research: &Research, analysed: &Analysed) -> skafada_qualitative::bundle::Bundle {
    let (interviewees, summaries, documents) = synthesis_inputs(analysed);
    skafada_qualitative::bundle::Bundle {
        schema_version: skafada_qualitative::bundle::SCHEMA_VERSION,
        study: research.study.name.clone(),
        synthetic: research.study.synthetic,
        framework: research.framework_source.clone(),
        case_studies: analysed.data.sites.iter().map(|s| s.number).collect(),
        interviewees,
        passages: analysed.resolved.clone(),
        summaries,
        documents,
    }
}

fn synthesis_inputs(
    analysed: &Analysed,
) -> (Vec<Interviewee>, Vec<CaseSummary>, Vec<RatedDocument>) {
    let interviewees = analysed
        .interviews
        .iter()
        .map(|i| Interviewee {
            case: i.pseudonym.clone(),
            case_study: site_number(&analysed.data.sites, &i.site_id),
            role: i.details.role.clone(),
        })
        .collect();
    let summaries = analysed
        .summaries()
        .into_iter()
        .map(|s| CaseSummary {
            case: s.case,
            sub_theme: s.sub_theme,
            text: s.text,
        })
        .collect();
    let documents = analysed
        .data
        .documents
        .iter()
        .map(|d| RatedDocument {
            case_study: site_number(&analysed.data.sites, &d.details.site_id),
            ratings: d.details.ratings.clone(),
        })
        .collect();
    (interviewees, summaries, documents)
}

/// The findings by research question for a study with case studies; `None` when it has
/// no case-study site.
pub(crate) async fn synthesis_for(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    survey_titles: &BTreeMap<String, String>,
) -> Result<Option<Synthesis>, AdminError> {
    let research = research(state, admin, &study.id).await?;
    let analysed = analysed(state, study).await?;
    if analysed.data.sites.is_empty() {
        return Ok(None);
    }
    let (interviewees, summaries, documents) = synthesis_inputs(&analysed);
    let case_studies: Vec<i64> = analysed.data.sites.iter().map(|s| s.number).collect();
    Ok(Some(synthesis::synthesise(synthesis::Sources {
        framework: &research.framework,
        case_studies: &case_studies,
        interviewees: &interviewees,
        passages: &analysed.resolved,
        summaries: &summaries,
        documents: &documents,
        survey_titles,
    })))
}

// ---------------------------------------------------------------------------------------
// Agreement

struct AgreementRow {
    title: String,
    kappa: String,
    agreement: String,
    n: u64,
    only_first: u64,
    only_second: u64,
}

struct DisagreementView {
    turn: i64,
    turn_href: String,
    code: String,
    sub_theme: String,
    applied_by: String,
    not_applied_by: String,
    decided: Option<bool>,
}

struct DoubleCodedView {
    pseudonym: String,
    action: String,
    problem: Option<String>,
    coders: String,
    disagreements: Vec<DisagreementView>,
}

#[derive(Template)]
#[template(path = "admin/cases/agreement.html")]
struct AgreementPage {
    layout: AdminLayout,
    csrf: String,
    rows: Vec<AgreementRow>,
    problem: Option<String>,
    transcripts: Vec<DoubleCodedView>,
}

/// `GET .../case-studies/agreement`.
#[tracing::instrument(skip_all)]
pub(crate) async fn agreement(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let analysed = analysed(&state, &research.study).await?;
    let title = |id: &str| {
        research
            .framework
            .sub_theme(id)
            .map_or_else(|| id.to_owned(), |s| s.title.clone())
    };
    let double: Vec<&Interview> = analysed
        .interviews
        .iter()
        .filter(|i| i.double_coded)
        .collect();
    // Agreement is worked out over the transcripts both coders have indexed.
    let ready: Vec<DoubleCoded<'_>> = double
        .iter()
        .filter(|i| coding::coders_of(&i.pseudonym, &analysed.coded).is_ok())
        .filter_map(|i| {
            analysed.turns.get(&i.pseudonym).map(|turns| DoubleCoded {
                case: i.pseudonym.as_str(),
                turns: turns.as_slice(),
            })
        })
        .collect();
    let codes: Vec<&str> = research
        .framework
        .sub_themes()
        .map(|(_, s)| s.id.as_str())
        .collect();
    let (rows, problem) = match coding::agreement(&ready, &analysed.coded, &codes) {
        Ok(found) => (
            found
                .into_iter()
                .map(|a| AgreementRow {
                    title: title(&a.code),
                    kappa: a.kappa.map_or_else(
                        || "Not defined: neither coder applied it".to_owned(),
                        |k| format!("{k:.2}"),
                    ),
                    agreement: format!("{:.0}%", a.agreement * 100.0),
                    n: a.n,
                    only_first: a.only_first,
                    only_second: a.only_second,
                })
                .collect(),
            None,
        ),
        Err(error) => (Vec::new(), Some(error.to_string())),
    };
    let transcripts = double
        .iter()
        .map(|i| {
            let href = format!("{}/interviews/{}", research.base, i.pseudonym);
            match coding::disagreements(&i.pseudonym, &analysed.coded, &analysed.decisions) {
                Ok(found) => {
                    let coders = coding::coders_of(&i.pseudonym, &analysed.coded)
                        .map(|(a, b)| format!("{a} and {b}"))
                        .unwrap_or_default();
                    DoubleCodedView {
                        pseudonym: i.pseudonym.clone(),
                        action: format!("{href}/decisions"),
                        problem: None,
                        coders,
                        disagreements: found
                            .into_iter()
                            .map(|d| DisagreementView {
                                turn: d.turn,
                                turn_href: format!("{href}/coding#turn-{}", d.turn),
                                sub_theme: title(&d.code),
                                code: d.code,
                                applied_by: d.applied_by,
                                not_applied_by: d.not_applied_by,
                                decided: d.decided,
                            })
                            .collect(),
                    }
                }
                Err(error) => DoubleCodedView {
                    pseudonym: i.pseudonym.clone(),
                    action: format!("{href}/decisions"),
                    problem: Some(format!("Waiting for two coders: {error}")),
                    coders: String::new(),
                    disagreements: Vec::new(),
                },
            }
        })
        .collect();
    Ok(render(&AgreementPage {
        layout: AdminLayout::new(
            &format!("Agreement between coders – {}", research.study.name),
            Some(&admin),
        )
        .back(&research.base),
        csrf: admin.csrf.clone(),
        rows,
        problem,
        transcripts,
    }))
}

/// `POST .../interviews/{pseudonym}/decisions`: whether a sub-theme applies to a turn
/// the two coders disagreed on.
#[tracing::instrument(skip_all)]
pub(crate) async fn decide(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let analysed = analysed(&state, &research.study).await?;
    let turn = form
        .text("turn")
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or(AdminError::BadForm)?;
    let code = form.text("code").unwrap_or_default();
    let include = match form.text("include").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(AdminError::BadForm),
    };
    // Only a real disagreement of this transcript can be decided.
    let real = coding::disagreements(&interview.pseudonym, &analysed.coded, &analysed.decisions)
        .map_err(|_| AdminError::NotFound)?
        .iter()
        .any(|d| d.turn == turn && d.code == code);
    if !real {
        return Err(AdminError::NotFound);
    }
    state
        .store
        .decide_disagreement(&interview, turn, &code, include, admin.account_id())
        .await?;
    Ok(Redirect::to(&format!(
        "{}/agreement#{}",
        research.base, interview.pseudonym
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------
// The document audit

struct AuditTableRow {
    site: String,
    characteristics: String,
    cells: Vec<String>,
}

struct DocumentRow {
    site: String,
    kind: String,
    title: String,
    dated: String,
    ratings: Vec<(String, String)>,
    note: String,
    delete: String,
}

#[derive(Template)]
#[template(path = "admin/cases/documents.html")]
struct DocumentsPage {
    layout: AdminLayout,
    base: String,
    csrf: String,
    criteria: Vec<String>,
    table: Vec<AuditTableRow>,
    documents: Vec<DocumentRow>,
    has_sites: bool,
}

/// `GET .../case-studies/documents`.
#[tracing::instrument(skip_all)]
pub(crate) async fn documents(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let data = state.store.case_study_data(&research.study.id).await?;
    let all_sites = state.store.sites(&research.study.id).await?;
    let rated: Vec<RatedDocument> = data
        .documents
        .iter()
        .map(|d| RatedDocument {
            case_study: site_number(&data.sites, &d.details.site_id),
            ratings: d.details.ratings.clone(),
        })
        .collect();
    let numbers: Vec<i64> = data.sites.iter().map(|s| s.number).collect();
    let rows: Vec<synthesis::AuditRow> = research
        .framework
        .audit
        .iter()
        .map(|c| synthesis::audit_row(c, &numbers, &rated))
        .collect();
    let table = data
        .sites
        .iter()
        .enumerate()
        .map(|(index, site)| {
            let characteristics = all_sites
                .iter()
                .find(|s| s.id == site.site_id)
                .map(|s| {
                    let deprivation = s
                        .deprivation_quintile
                        .map_or_else(String::new, |q| format!("; deprivation quintile {q}"));
                    format!(
                        "{}; {}; {}{deprivation}",
                        s.region, s.area_type, s.model_of_practice
                    )
                })
                .unwrap_or_default();
            AuditTableRow {
                site: format!("Case study {} ({})", site.number, site.site_code),
                characteristics,
                cells: rows
                    .iter()
                    .map(|row| {
                        row.sites
                            .get(index)
                            .and_then(|(_, cell)| cell.as_ref())
                            .map_or_else(|| "No document rated".to_owned(), |c| c.describe())
                    })
                    .collect(),
            }
        })
        .collect();
    let criterion_text = |id: &str| {
        research
            .framework
            .criterion(id)
            .map_or_else(|| id.to_owned(), |c| c.text.clone())
    };
    let page = DocumentsPage {
        layout: AdminLayout::new(
            &format!("Document audit – {}", research.study.name),
            Some(&admin),
        )
        .back(&research.base),
        base: research.base.clone(),
        csrf: admin.csrf.clone(),
        criteria: research
            .framework
            .audit
            .iter()
            .map(|c| c.text.clone())
            .collect(),
        table,
        documents: data
            .documents
            .iter()
            .map(|d| DocumentRow {
                site: super::cases::site_label(&data.sites, &d.details.site_id),
                kind: d.details.kind.clone(),
                title: d.details.title.clone(),
                dated: d
                    .details
                    .dated
                    .map_or_else(|| "Not dated".to_owned(), |day| long_date(&day)),
                ratings: d
                    .details
                    .ratings
                    .iter()
                    .map(|(k, v)| (criterion_text(k), v.clone()))
                    .collect(),
                note: d.details.note.clone(),
                delete: format!("{}/documents/{}/delete", research.base, d.id),
            })
            .collect(),
        has_sites: !data.sites.is_empty(),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "admin/cases/document_form.html")]
struct DocumentForm {
    layout: AdminLayout,
    action: String,
    csrf: String,
    errors: Vec<ErrorLink>,
    site: Radios,
    kind: Radios,
    title: Input,
    dated: DateInput,
    ratings: Vec<Radios>,
    note: TextArea,
}

fn document_fields(research: &Research, sites: &[skafada_store::CaseStudySite]) -> DocumentForm {
    let options = |values: Vec<(String, String)>| -> Vec<RadioOption> {
        values
            .into_iter()
            .map(|(value, label)| RadioOption {
                value,
                label,
                hint: None,
                checked: false,
            })
            .collect()
    };
    DocumentForm {
        layout: AdminLayout::new("Add a document to the audit", None),
        action: format!("{}/documents/new", research.base),
        csrf: String::new(),
        errors: Vec::new(),
        site: Radios {
            id: "site".to_owned(),
            legend: "Case-study site".to_owned(),
            hint: None,
            options: options(
                sites
                    .iter()
                    .map(|s| {
                        (
                            s.site_id.to_string(),
                            format!("Case study {} ({})", s.number, s.site_code),
                        )
                    })
                    .collect(),
            ),
            error: None,
        },
        kind: Radios {
            id: "kind".to_owned(),
            legend: "Kind of document".to_owned(),
            hint: None,
            options: options(
                research
                    .framework
                    .document_kinds
                    .iter()
                    .map(|k| (k.clone(), k.clone()))
                    .collect(),
            ),
            error: None,
        },
        title: Input::new("title", "Title", "")
            .hint("For example, Family Support Worker, grade 6. No names of people"),
        dated: DateInput {
            hint: Some("Optional. For example, 1 9 2025".to_owned()),
            ..DateInput::from_iso("dated", "Date of the document", "")
        },
        ratings: research
            .framework
            .audit
            .iter()
            .map(|c| Radios {
                id: format!("rating-{}", c.id),
                legend: c.text.clone(),
                hint: None,
                options: options(c.options.iter().map(|o| (o.clone(), o.clone())).collect()),
                error: None,
            })
            .collect(),
        note: TextArea {
            id: "note".to_owned(),
            label: "Note (optional)".to_owned(),
            hint: Some("What in the document supports the ratings".to_owned()),
            value: String::new(),
            error: None,
            rows: 3,
        },
    }
}

/// `GET .../case-studies/documents/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_document_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let sites = state.store.case_study_sites(&research.study.id).await?;
    if sites.is_empty() || research.framework.audit.is_empty() {
        return Ok(Redirect::to(&format!("{}/documents", research.base)).into_response());
    }
    let mut page = document_fields(&research, &sites);
    page.layout = AdminLayout::new("Add a document to the audit", Some(&admin))
        .back(&format!("{}/documents", research.base));
    page.csrf.clone_from(&admin.csrf);
    Ok(render(&page))
}

/// Picks the posted radio of a set; records an error when none (or an unknown one) is.
fn pick(
    form: &crate::form::FormData,
    radios: &mut Radios,
    errors: &mut Errors,
    message: &str,
) -> Option<String> {
    let chosen = form.text(&radios.id).unwrap_or_default();
    let mut found = None;
    for option in &mut radios.options {
        option.checked = option.value == chosen;
        if option.checked {
            found = Some(chosen.clone());
        }
    }
    if found.is_none() {
        radios.error = Some(message.to_owned());
        errors.add(&radios.first_id(), message);
    }
    found
}

/// `POST .../case-studies/documents/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn add_document(
    State(state): State<AppState>,
    Path(study_id): Path<String>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let sites = state.store.case_study_sites(&research.study.id).await?;
    let mut page = document_fields(&research, &sites);
    let mut errors = Errors::default();
    // `pick` takes only one of the radios' values: a case-study site's id.
    let site = pick(
        &form,
        &mut page.site,
        &mut errors,
        "Select the case-study site",
    )
    .map(SiteId::new);
    let kind = pick(
        &form,
        &mut page.kind,
        &mut errors,
        "Select the kind of document",
    );
    let title = read_text(
        &form,
        &mut page.title,
        &mut errors,
        Some("Enter the document's title"),
        200,
    );
    let any_date = ["day", "month", "year"].iter().any(|p| {
        !form
            .text(&format!("dated-{p}"))
            .unwrap_or_default()
            .is_empty()
    });
    let dated = if any_date {
        let (input, iso) = read_date(
            &form,
            "dated",
            "Date of the document",
            "date of the document",
        );
        page.dated = DateInput {
            hint: page.dated.hint.clone(),
            ..input
        };
        errors.on_date(&page.dated);
        iso.map(Some)
    } else {
        Some(None)
    };
    let mut ratings = BTreeMap::new();
    for (criterion, radios) in research.framework.audit.iter().zip(&mut page.ratings) {
        if let Some(value) = pick(
            &form,
            radios,
            &mut errors,
            &format!("Select an answer for “{}”", criterion.text),
        ) {
            ratings.insert(criterion.id.clone(), value);
        }
    }
    let note = form.text("note").unwrap_or_default();
    page.note.value.clone_from(&note);
    if note.chars().count() > 2000 {
        let message = "The note must be 2,000 characters or fewer";
        page.note.error = Some(message.to_owned());
        errors.add("note", message);
    }
    match (site, kind, title, dated) {
        (Some(site_id), Some(kind), Some(title), Some(dated)) if errors.is_empty() => {
            state
                .store
                .add_document(
                    &research.study.id,
                    &DocumentDetails {
                        site_id,
                        kind,
                        title,
                        dated,
                        note: note.trim().to_owned(),
                        ratings,
                    },
                    admin.account_id(),
                )
                .await?;
            Ok(Redirect::to(&format!("{}/documents", research.base)).into_response())
        }
        _ => {
            page.layout = AdminLayout::new("Add a document to the audit", Some(&admin))
                .back(&format!("{}/documents", research.base))
                .with_error(true);
            page.csrf.clone_from(&admin.csrf);
            page.errors = errors.0;
            Ok(render_checked(&page, true))
        }
    }
}

/// `POST .../case-studies/documents/{id}/delete`.
#[tracing::instrument(skip_all)]
pub(crate) async fn delete_document(
    State(state): State<AppState>,
    Path((study_id, document_id)): Path<(String, String)>,
    AdminPost { admin, .. }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    if !state
        .store
        .delete_document(&research.study.id, &document_id, admin.account_id())
        .await?
    {
        return Err(AdminError::NotFound);
    }
    Ok(Redirect::to(&format!("{}/documents", research.base)).into_response())
}

// ---------------------------------------------------------------------------------------
// Findings by research question

#[derive(Template)]
#[template(path = "admin/cases/findings.html")]
struct FindingsPage {
    layout: AdminLayout,
    study_id: String,
    synthesis: Option<Synthesis>,
}

/// `GET .../case-studies/findings`.
#[tracing::instrument(skip_all)]
pub(crate) async fn findings(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let plan = super::results::plan_of(&state, &research.study)?;
    let synthesis = synthesis_for(&state, &admin, &research.study, &plan.item_titles()).await?;
    Ok(render(&FindingsPage {
        layout: AdminLayout::new(
            &format!("Findings by research question – {}", research.study.name),
            Some(&admin),
        )
        .back(&research.base),
        study_id: research.study.id.to_string(),
        synthesis,
    }))
}
