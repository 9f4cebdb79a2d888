//! A site's one-page summary for a workforce development board, as HTML and as an A4
//! PDF: the headline measures (each group's lowest and highest statement), where the
//! site differs from all sites, change after the training, and the three largest gaps
//! with the training module's sections and the study report's implications that
//! address them.
//!
//! Like the dashboard, it is printed from the site's protected release only
//! (`release.rs`, `headline.rs`): every figure on the page is marked
//! `data-figure`/`data-part`, and the PDF prints the same strings.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use skafada_release::Survey;
use skafada_report::Document;
use skafada_report::model::{Block, Row, Section, Table};
use skafada_store::{Site, Study};

use super::error::AdminError;
use super::guard::Admin;
use super::headline::{DifferenceLine, MeasureSide, headlines};
use super::release::{SiteRelease, need_rows, site_release};
use super::results::section_refs;
use super::views::{AdminLayout, ReleaseNeed};
use crate::AppState;
use crate::views::render;

/// A statement of a headline measure, as the summary prints it.
#[derive(Debug, Clone)]
pub(crate) struct SummaryLine {
    pub(crate) text: String,
    pub(crate) side: MeasureSide,
}

/// One headline measure's group: its lowest and highest statement at the site.
#[derive(Debug, Clone)]
pub(crate) struct SummaryGroup {
    pub(crate) title: String,
    /// Statements shown, of all.
    pub(crate) shown: usize,
    pub(crate) total: usize,
    pub(crate) lowest: Option<SummaryLine>,
    /// `None` when the group has one statement shown (it is the lowest).
    pub(crate) highest: Option<SummaryLine>,
}

/// One of the largest gaps, with what addresses it.
#[derive(Debug, Clone)]
pub(crate) struct SummaryGap {
    /// What the share counts ("know very little or a little").
    pub(crate) measure: String,
    pub(crate) need: ReleaseNeed,
}

/// Everything the summary prints, for the HTML page and the PDF alike.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub(crate) study: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) synthetic: bool,
    pub(crate) threshold: u64,
    /// Responses kept before the training, when the site releases any figure.
    pub(crate) responses: Option<u64>,
    pub(crate) groups: Vec<SummaryGroup>,
    /// The three largest differences from all sites.
    pub(crate) differences: Vec<DifferenceLine>,
    /// How many differences there are in all.
    pub(crate) all_differences: usize,
    /// Measures compared before and after, those clearly better and clearly worse after.
    pub(crate) change: Option<(usize, usize, usize)>,
    pub(crate) gaps: Vec<SummaryGap>,
}

/// The one-page summary.
#[derive(Template)]
#[template(path = "admin/release_summary.html")]
pub(crate) struct SummaryPage {
    pub(crate) layout: AdminLayout,
    pub(crate) summary: Summary,
    pub(crate) dashboard: String,
    pub(crate) needs: String,
    pub(crate) pdf: String,
}

/// The summary of a site's release.
fn summary(
    released: &SiteRelease,
    study: &Study,
    site: &Site,
    sections: &[skafada_report::needs::SectionRef],
) -> Summary {
    let release = &released.release;
    let measures = headlines(released);
    let groups = measures
        .groups
        .iter()
        .map(|group| {
            let mut shown: Vec<(u64, SummaryLine)> = group
                .rows
                .iter()
                .filter(|r| r.pre.shown())
                .filter_map(|r| {
                    let percent = released.release.figure(&r.pre.id)?.site_percent()?;
                    Some((
                        percent,
                        SummaryLine {
                            text: r.text.clone(),
                            side: r.pre.clone(),
                        },
                    ))
                })
                .collect();
            shown.sort_by_key(|(p, _)| *p);
            let count = shown.len();
            let lowest = shown.first().map(|(_, l)| l.clone());
            let highest = (count > 1)
                .then(|| shown.last().map(|(_, l)| l.clone()))
                .flatten();
            SummaryGroup {
                title: group.title.clone(),
                shown: count,
                total: group.rows.len(),
                lowest,
                highest,
            }
        })
        .collect();
    let all_differences = measures.differences.len();
    let change = measures.post_released.then(|| {
        let rows = measures.groups.iter().flat_map(|g| &g.rows);
        let compared: Vec<_> = rows.filter_map(|r| r.change.as_ref()).collect();
        let better = compared.iter().filter(|c| c.better).count();
        let worse = compared.iter().filter(|c| c.clear && !c.better).count();
        (compared.len(), better, worse)
    });
    let mut gaps: Vec<(u64, SummaryGap)> = need_rows(released, sections)
        .into_iter()
        .flat_map(|rows| {
            let measure = rows.measure.clone();
            rows.shown.into_iter().map(move |(p, need)| {
                (
                    p,
                    SummaryGap {
                        measure: measure.clone(),
                        need,
                    },
                )
            })
        })
        .collect();
    gaps.sort_by_key(|(p, _)| std::cmp::Reverse(*p));
    Summary {
        study: study.name.clone(),
        code: site.code.clone(),
        name: site.name.clone(),
        synthetic: study.synthetic,
        threshold: release.threshold,
        responses: release.releases(Survey::Pre).then(|| {
            release
                .totals
                .iter()
                .find(|t| t.survey == Survey::Pre)
                .map_or(0, |t| t.site)
        }),
        groups,
        differences: measures.differences.into_iter().take(3).collect(),
        all_differences,
        change,
        gaps: gaps.into_iter().take(3).map(|(_, g)| g).collect(),
    }
}

/// "45% (9 of 20)", or "[c]" when hidden: the strings both renderings print.
fn share_text(side: &MeasureSide) -> String {
    match (&side.percent, &side.count, &side.base) {
        (Some(p), Some(n), Some(b)) => format!("{p} ({n} of {b})"),
        (Some(p), _, _) => p.clone(),
        _ if side.withheld => "withheld".to_owned(),
        _ => "[c]".to_owned(),
    }
}

fn all_text(side: &MeasureSide) -> String {
    side.all.clone().unwrap_or_else(|| "[c]".to_owned())
}

fn line_text(line: &Option<SummaryLine>, with_text: bool) -> String {
    match line {
        Some(l) if with_text => format!(
            "{}: {}, all sites {}",
            l.text,
            share_text(&l.side),
            all_text(&l.side)
        ),
        Some(l) => format!("{}, all sites {}", share_text(&l.side), all_text(&l.side)),
        None => "None shown".to_owned(),
    }
}

/// The summary as a document that fits one A4 page: in full when it fits, else without
/// each measure's highest statement (the page keeps it).
fn one_page(summary: &Summary) -> Document {
    let full = document(summary, true);
    if skafada_report::pdf::layout::layout(&full).pages.len() <= 1 {
        return full;
    }
    document(summary, false)
}

/// The summary as a document for the PDF: the same text and figures as the page, with or
/// without each measure's highest statement.
fn document(summary: &Summary, highest: bool) -> Document {
    let mut notice = format!(
        "To protect the people who answered, a number smaller than {} is never shown, nor any figure that would let one be worked out. Hidden figures are marked [c].",
        summary.threshold
    );
    if summary.synthetic {
        notice.insert_str(
            0,
            "These are synthetic demonstration responses, not answers from real people. ",
        );
    }
    let notices = vec![notice];
    let title = format!("Workforce survey summary: {}", summary.code);
    let subtitle = format!("{}, {}", summary.name, summary.study);
    let mut sections = Vec::new();
    let Some(responses) = summary.responses else {
        sections.push(Section {
            id: "too-few".to_owned(),
            heading: "Too few responses".to_owned(),
            blocks: vec![Block::Paragraph(
                "Too few people at this site have answered the survey for its results to be shown without the risk of identifying them.".to_owned(),
            )],
        });
        return Document {
            title,
            subtitle,
            notices,
            sections,
        };
    };
    let table = Table {
        id: "measures".to_owned(),
        caption: format!(
            "Share of this site's staff who answered ({responses} responses before the training), with all sites"
        ),
        header: [
            "Measure",
            "Lowest statement at this site",
            "Highest statement at this site",
        ]
        .into_iter()
        .take(if highest { 3 } else { 2 })
        .map(str::to_owned)
        .collect(),
        rows: summary
            .groups
            .iter()
            .map(|g| {
                let mut cells = vec![
                    format!("{} ({} of {} shown)", g.title, g.shown, g.total),
                    // A measure of one question needs no statement beside its share.
                    line_text(&g.lowest, g.total > 1),
                ];
                if highest {
                    cells.push(match &g.highest {
                        Some(_) => line_text(&g.highest, true),
                        None => String::new(),
                    });
                }
                Row {
                    cells,
                    group: false,
                }
            })
            .collect(),
        notes: Vec::new(),
        numeric: Vec::new(),
    }
    .detect_numeric();
    sections.push(Section {
        id: "measures".to_owned(),
        heading: "Headline measures".to_owned(),
        blocks: vec![Block::Table(table)],
    });
    sections.push(Section {
        id: "differences".to_owned(),
        heading: "Where this site differs from all sites".to_owned(),
        blocks: vec![if summary.differences.is_empty() {
            Block::Paragraph(
                "On none of the measures shown does this site differ from all sites by more than chance would explain.".to_owned(),
            )
        } else {
            Block::List(
                summary
                    .differences
                    .iter()
                    .map(|d| {
                        format!(
                            "{} of this site's staff than across all sites {}: \u{201c}{}\u{201d} (this site {}, all sites {}). {}.",
                            d.more_or_fewer,
                            d.what,
                            d.text,
                            share_text(&d.side),
                            all_text(&d.side),
                            if d.better { "Better than all sites" } else { "Worse than all sites" }
                        )
                    })
                    .collect(),
            )
        }],
    });
    sections.push(Section {
        id: "change".to_owned(),
        heading: "Change after the training".to_owned(),
        blocks: vec![Block::Paragraph(change_text(summary.change))],
    });
    sections.push(Section {
        id: "gaps".to_owned(),
        heading: "The three largest gaps and what addresses them".to_owned(),
        blocks: if summary.gaps.is_empty() {
            vec![Block::Paragraph(
                "No gap can be shown without the risk of identifying people.".to_owned(),
            )]
        } else {
            vec![Block::List(
                summary
                    .gaps
                    .iter()
                    .map(|g| {
                        format!(
                            "\u{201c}{}\u{201d}: {} {} (all sites {}). Training module: {}. Report implications: {}.",
                            g.need.text,
                            g.need.cell.percent.clone().unwrap_or_else(|| "[c]".to_owned()),
                            g.measure,
                            g.need.cell.all.clone().unwrap_or_else(|| "[c]".to_owned()),
                            if g.need.sections.is_empty() {
                                "no section addresses this yet".to_owned()
                            } else {
                                g.need.sections.join("; ")
                            },
                            if g.need.implications.is_empty() {
                                "none linked".to_owned()
                            } else {
                                g.need
                                    .implications
                                    .iter()
                                    .map(|(n, t)| format!("{n}. {t}"))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            }
                        )
                    })
                    .collect(),
            )]
        },
    });
    Document {
        title,
        subtitle,
        notices,
        sections,
    }
}

/// The sentence about change after the training.
fn change_text(change: Option<(usize, usize, usize)>) -> String {
    match change {
        None => "Too few people at this site have answered the post-training survey for change after the training to be shown.".to_owned(),
        Some((0, _, _)) => "No measure is shown both before and after the training at this site, so no change can be worked out.".to_owned(),
        Some((compared, better, worse)) => format!(
            "Of {compared} measures shown both before and after the training, {better} clearly improved and {worse} clearly got worse (tested on the same people's answers before and after where that keeps everyone protected, otherwise on the two surveys as separate groups; adjusted for the number compared)."
        ),
    }
}

/// The site's release, the study's module sections, and the summary of both.
async fn load(
    state: &AppState,
    admin: &Admin,
    study_id: &str,
    code: &str,
) -> Result<(Study, Site, Summary), AdminError> {
    let (study, site) = admin.require_site(state, study_id, code).await?;
    let released = site_release(state, &study, &site).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let sections = section_refs(&content);
    let summary = summary(&released, &study, &site, &sections);
    Ok((study, site, summary))
}

/// `GET /admin/studies/{study}/sites/{site}/summary`: the one-page summary, for anyone
/// who may see the site.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site, summary) = load(&state, &admin, &study_id, &code).await?;
    let base = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    Ok(render(&SummaryPage {
        layout: AdminLayout::new(&format!("Summary for {}", site.code), Some(&admin)).back(&base),
        summary,
        dashboard: format!("{base}/dashboard"),
        needs: format!("{base}/training-needs"),
        pdf: format!("{base}/summary.pdf"),
    }))
}

/// `GET /admin/studies/{study}/sites/{site}/summary.pdf`: the same summary as an A4 PDF.
#[tracing::instrument(skip_all)]
pub(crate) async fn pdf(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (_, site, summary) = load(&state, &admin, &study_id, &code).await?;
    let bytes = skafada_report::document_pdf(&one_page(&summary))
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-summary.pdf\"",
                    site.code
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                ),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
