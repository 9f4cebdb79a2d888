//! What a site-scoped reader (an LA contact) sees of results: one protected release per
//! site (`skafada-release`), from which the results page, the training-needs page and
//! the download of protected tables are all printed. Nothing on those three is computed
//! from the responses directly, so no combination of them gives away a small count.
//!
//! Every figure is printed inside an element carrying `data-figure` (the figure's id)
//! and `data-part` (`count`, `percent`, `base` or `all`), so that the intruder tests can
//! check that the pages show exactly the release and nothing else.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use skafada_analysis::clean::clean;
use skafada_analysis::data::Dataset;
use skafada_analysis::data::Responses;
use skafada_analysis::formula::write_record;
use skafada_analysis::headline::{Measure, measures};
use skafada_analysis::plan::{Plan, SimilarSites, SiteCharacteristic};
use skafada_release::derived::Interval;
use skafada_release::{
    AllSitesCounts, Figure, FigureSpec, Group, LinkedSide, LinkedSpec, Release, ReleaseInput, Rows,
    Survey, Totals, VariableCounts, build, count_linked, count_variables_with,
};
use skafada_report::needs::{GapRow, NeedsSpec, gap_rows};
use skafada_stats::{Alternative, two_proportion_z_test};
use skafada_store::{Site, Study, today};

use super::error::AdminError;
use super::guard::Admin;
use super::results::{needs_of, plan_of, section_refs};
use super::study_data::StudyData;
use super::views::{
    AdminLayout, ReleaseCell, ReleaseDashboardPage, ReleaseGroup, ReleaseNeed, ReleaseNeedGroup,
    ReleaseNeedsPage, ReleaseQuestion, ReleaseRow, ReleaseSurvey,
};
use crate::AppState;
use crate::views::render;
use skafada_report::needs::SectionRef;

/// A site's release with what its pages need beside it.
#[derive(Debug)]
pub(crate) struct SiteRelease {
    pub(crate) release: Release,
    pub(crate) variables: Vec<VariableCounts>,
    pub(crate) gaps: Vec<(GapRow, Option<String>)>,
    pub(crate) spec: NeedsSpec,
    pub(crate) significance: f64,
    /// The plan's headline measures, each a figure of the release (`measure_id`).
    pub(crate) measures: Vec<Measure>,
}

/// The distribution figures of a variable: one per code, of those who answered; for an
/// option of "select all that apply", the share who selected it.
fn distribution(variable: &VariableCounts) -> Vec<FigureSpec> {
    let base: Vec<u32> = variable.codes.iter().map(|c| c.code).collect();
    let prefix = format!("{}/{}", variable.survey.as_str(), variable.id);
    if variable.option_of_multiple {
        return vec![FigureSpec {
            id: prefix,
            survey: variable.survey,
            variable: variable.id.clone(),
            codes: vec![1],
            base,
            label: "Selected".to_owned(),
            headline: false,
        }];
    }
    variable
        .codes
        .iter()
        .map(|code| FigureSpec {
            id: format!("{prefix}/{}", code.code),
            survey: variable.survey,
            variable: variable.id.clone(),
            codes: vec![code.code],
            base: base.clone(),
            label: code.label.clone(),
            headline: false,
        })
        .collect()
}

/// The release figure of a headline measure, before or after the training.
pub(crate) fn measure_id(measure: &Measure, survey: Survey) -> String {
    match survey {
        Survey::Pre => format!("measure/{}", measure.id),
        Survey::Post => format!("measure/{}/post", measure.id),
    }
}

fn need_id(gap: &GapRow, survey: Survey) -> String {
    match survey {
        Survey::Pre => format!("needs/{}/{}", gap.gap, gap.row_id),
        Survey::Post => format!("needs/{}/{}/post", gap.gap, gap.row_id),
    }
}

/// A release with the structure it was computed over and each gap row's post-training
/// twin.
struct Computed {
    release: Release,
    variables: Vec<VariableCounts>,
    gaps: Vec<(GapRow, Option<String>)>,
    measures: Vec<Measure>,
}

/// What every site's release of one read of a study shares: each survey's records
/// kept by cleaning, as the analysis cleans, and their counts at every site.
#[derive(Debug)]
pub(crate) struct ReleaseBase {
    surveys: Vec<SurveyBase>,
}

#[derive(Debug)]
struct SurveyBase {
    survey: Survey,
    keep: Vec<bool>,
    all: AllSitesCounts,
}

impl ReleaseBase {
    /// Cleans each survey and counts every site's kept records.
    pub(crate) fn new(dataset: &Dataset, plan: &Plan) -> ReleaseBase {
        let mut surveys = Vec::new();
        for (survey, instrument, responses, rules) in [
            (
                Survey::Pre,
                Some(&dataset.pre_instrument),
                Some(&dataset.pre),
                &plan.cleaning.pre,
            ),
            (
                Survey::Post,
                dataset.post_instrument.as_ref(),
                dataset.post.as_ref(),
                &plan.cleaning.post,
            ),
        ] {
            let (Some(instrument), Some(responses)) = (instrument, responses) else {
                continue;
            };
            let (keep, _) = clean(instrument, responses, rules);
            let all = AllSitesCounts::of_kept(instrument, responses, &keep);
            surveys.push(SurveyBase { survey, keep, all });
        }
        ReleaseBase { surveys }
    }
}

/// Computes the release: the site's kept records and those of similar sites counted
/// beside every site's (from `base`), the figures every page asks for, then disclosure
/// control.
fn compute(
    dataset: &Dataset,
    base: &ReleaseBase,
    plan: &Plan,
    spec: &NeedsSpec,
    site_code: &str,
    threshold: u64,
    similar: Option<&Similar>,
) -> Result<Computed, AdminError> {
    let site_index = dataset
        .sites
        .iter()
        .position(|s| s.site == site_code)
        .ok_or(AdminError::NotFound)?;
    let in_group: Vec<bool> = dataset
        .sites
        .iter()
        .map(|s| similar.is_some_and(|g| g.codes.contains(&s.site)))
        .collect();
    let mut totals = Vec::new();
    let mut variables = Vec::new();
    // The site's kept responses per survey, for counting linked respondents.
    let mut kept_at_site: Vec<(Survey, &skafada_instrument::Instrument, Responses)> = Vec::new();
    for SurveyBase { survey, keep, all } in &base.surveys {
        let (instrument, responses) = match survey {
            Survey::Pre => (Some(&dataset.pre_instrument), Some(&dataset.pre)),
            Survey::Post => (dataset.post_instrument.as_ref(), dataset.post.as_ref()),
        };
        let (Some(instrument), Some(responses)) = (instrument, responses) else {
            continue;
        };
        let at_site: Vec<bool> = keep
            .iter()
            .zip(&responses.site)
            .map(|(k, s)| *k && *s == site_index)
            .collect();
        let site = responses.filter(&at_site);
        // The group of similar sites can be most of the study: its records are counted
        // where they are, not copied.
        let group: Option<Vec<usize>> = similar.map(|_| {
            keep.iter()
                .zip(&responses.site)
                .enumerate()
                .filter(|(_, (k, s))| **k && in_group.get(**s).copied().unwrap_or(false))
                .map(|(row, _)| row)
                .collect()
        });
        totals.push(Totals {
            survey: *survey,
            site: site.len() as u64,
            all: all.records(),
            group: group.as_ref().map_or(site.len(), Vec::len) as u64,
        });
        variables.extend(count_variables_with(
            *survey,
            instrument,
            &site,
            group.as_deref().map(|rows| Rows { responses, rows }),
            all,
        ));
        kept_at_site.push((*survey, instrument, site));
    }
    let mut figures: Vec<FigureSpec> = variables.iter().flat_map(distribution).collect();
    let mut gaps = Vec::new();
    for gap in gap_rows(spec, plan, &dataset.pre_instrument) {
        let twin = dataset.post_instrument.as_ref().and_then(|post| {
            post.items().find_map(|item| match &item.kind {
                skafada_instrument::ItemKind::Matrix { rows, .. } => rows
                    .iter()
                    .find(|r| r.twin.as_deref() == Some(gap.row_id.as_str()))
                    .map(|r| r.id.clone()),
                _ => None,
            })
        });
        let known =
            |survey: Survey, id: &str| variables.iter().any(|v| v.survey == survey && v.id == id);
        if !known(Survey::Pre, &gap.row_id) {
            continue;
        }
        figures.push(FigureSpec {
            id: need_id(&gap, Survey::Pre),
            survey: Survey::Pre,
            variable: gap.row_id.clone(),
            codes: gap.codes.clone(),
            base: gap.base.clone(),
            label: gap.text.clone(),
            headline: false,
        });
        let twin = twin.filter(|t| known(Survey::Post, t));
        if let Some(twin) = &twin {
            // The post-training twin has the same substantive answers, but may lack the
            // pre-training survey's "not applicable" and the like.
            let offered: Vec<u32> = variables
                .iter()
                .find(|v| v.survey == Survey::Post && &v.id == twin)
                .map(|v| v.codes.iter().map(|c| c.code).collect())
                .unwrap_or_default();
            let keep = |codes: &[u32]| -> Vec<u32> {
                codes
                    .iter()
                    .copied()
                    .filter(|c| offered.contains(c))
                    .collect()
            };
            figures.push(FigureSpec {
                id: need_id(&gap, Survey::Post),
                survey: Survey::Post,
                variable: twin.clone(),
                codes: keep(&gap.codes),
                base: keep(&gap.base),
                label: gap.text.clone(),
                headline: false,
            });
        }
        gaps.push((gap, twin));
    }
    // The headline measures lead the dashboard: the detailed tables give way to them.
    let measures = measures(
        plan,
        &dataset.pre_instrument,
        dataset.post_instrument.as_ref(),
        "analysis plan",
    )
    .map_err(|e| AdminError::Internal(e.to_string()))?;
    let known =
        |survey: Survey, id: &str| variables.iter().any(|v| v.survey == survey && v.id == id);
    let mut linked = Vec::new();
    for measure in &measures {
        if let Some(post) = measure
            .post
            .as_ref()
            .filter(|c| known(Survey::Post, &c.variable))
            && known(Survey::Pre, &measure.pre.variable)
            && let (Some(before), Some(after)) = (
                linked_side(&kept_at_site, Survey::Pre, &measure.pre),
                linked_side(&kept_at_site, Survey::Post, post),
            )
        {
            linked.push(LinkedSpec {
                pre_figure: measure_id(measure, Survey::Pre),
                post_figure: measure_id(measure, Survey::Post),
                cells: count_linked(before, after),
            });
        }
    }
    for measure in &measures {
        let sides = [
            (Survey::Pre, Some(&measure.pre)),
            (Survey::Post, measure.post.as_ref()),
        ];
        for (survey, counted) in sides {
            let Some(counted) = counted.filter(|c| known(survey, &c.variable)) else {
                continue;
            };
            figures.push(FigureSpec {
                id: measure_id(measure, survey),
                survey,
                variable: counted.variable.clone(),
                codes: counted.codes.clone(),
                base: counted.base.clone(),
                label: measure.title.clone(),
                headline: true,
            });
        }
    }
    let input = ReleaseInput {
        site_code: site_code.to_owned(),
        threshold,
        totals,
        variables,
        figures,
        group: similar.map(|g| g.group.clone()),
        linked,
    };
    let release = build(&input).map_err(|e| AdminError::Internal(e.to_string()))?;
    Ok(Computed {
        release,
        variables: input.variables,
        gaps,
        measures,
    })
}

/// One side of a measure's linked counts: the survey's site responses and what is counted.
fn linked_side<'a>(
    kept_at_site: &'a [(Survey, &'a skafada_instrument::Instrument, Responses)],
    survey: Survey,
    counted: &'a skafada_analysis::headline::Counted,
) -> Option<LinkedSide<'a>> {
    kept_at_site
        .iter()
        .find(|(s, _, _)| *s == survey)
        .map(|(_, instrument, responses)| LinkedSide {
            instrument,
            responses,
            variable: &counted.variable,
            codes: &counted.codes,
            base: &counted.base,
        })
}

/// A group of similar sites: what they share and their codes, the site's own included.
#[derive(Debug, Clone)]
pub(crate) struct Similar {
    group: Group,
    codes: Vec<String>,
}

/// A site's value of a characteristic, as recorded ("" when not recorded).
fn characteristic_of(site: &Site, characteristic: SiteCharacteristic) -> String {
    match characteristic {
        SiteCharacteristic::AreaType => site.area_type.clone(),
        SiteCharacteristic::ModelOfPractice => site.model_of_practice.clone(),
        SiteCharacteristic::DeprivationQuintile => site
            .deprivation_quintile
            .map(|q| q.to_string())
            .unwrap_or_default(),
        SiteCharacteristic::Region => site.region.clone(),
        SiteCharacteristic::Ethnicity => site.ethnicity.clone(),
        SiteCharacteristic::Population => site.population.clone(),
    }
}

/// The similar sites of `site` among the study's, by the plan's rule: those sharing the
/// first of its characteristics (Table 2's) that makes a group of at least
/// `min-sites` sites and fewer than all of them. `None` when none does.
pub(crate) fn similar_sites(site: &Site, sites: &[Site], rule: &SimilarSites) -> Option<Similar> {
    rule.by.iter().find_map(|&characteristic| {
        let value = characteristic_of(site, characteristic);
        if value.trim().is_empty() {
            return None;
        }
        let codes: Vec<String> = sites
            .iter()
            .filter(|s| characteristic_of(s, characteristic) == value)
            .map(|s| s.code.clone())
            .collect();
        (codes.len() >= rule.min_sites.max(5) && codes.len() < sites.len()).then(|| Similar {
            group: Group {
                name: format!("Sites with the same {} ({value})", characteristic.name()),
                sites: codes.len(),
            },
            codes,
        })
    })
}

/// The smallest count an LA contact may see in this study.
pub(crate) fn threshold_of(study: &Study) -> u64 {
    u64::try_from(study.min_cell_count).unwrap_or(5).max(2)
}

/// The site's release, made once per read of its study's responses
/// ([`super::study_data`]) and shared by its results page, training-needs page and
/// download; views arriving while it is made wait for it.
pub(crate) async fn site_release(
    state: &AppState,
    study: &Study,
    site: &Site,
) -> Result<Arc<SiteRelease>, AdminError> {
    let content = state.studies.get(&state.store, &study.id).await?;
    let data = state.study_data.get(state, study, &content).await?;
    data.site_release(&site.code, threshold_of(study), || {
        make_site_release(state, study, site, &data)
    })
    .await
}

/// The site's release from the study's responses.
async fn make_site_release(
    state: &AppState,
    study: &Study,
    site: &Site,
    data: &StudyData,
) -> Result<SiteRelease, AdminError> {
    let plan = Arc::new(plan_of(state, study)?);
    let spec = needs_of(state, study)?;
    let threshold = threshold_of(study);
    let code = site.code.clone();
    let similar = similar_sites(
        site,
        &state.store.sites(&study.id).await?,
        &plan.similar_sites,
    );
    let base = data.release_base(&state.study_data, plan.clone()).await?;
    let dataset = data.dataset.clone();
    let (plan2, spec2) = (plan.clone(), spec.clone());
    let started = std::time::Instant::now();
    let Computed {
        release,
        variables,
        gaps,
        measures,
    } = state
        .study_data
        .heavy(move || {
            compute(
                &dataset,
                &base,
                &plan2,
                &spec2,
                &code,
                threshold,
                similar.as_ref(),
            )
        })
        .await??;
    tracing::info!(
        site = %site.code,
        milliseconds = started.elapsed().as_millis(),
        "made the site's protected release"
    );
    Ok(SiteRelease {
        release,
        variables,
        gaps,
        spec,
        significance: plan.significance,
        measures,
    })
}

fn cell(figure: Option<&Figure>) -> ReleaseCell {
    match figure {
        None => ReleaseCell::default(),
        Some(f) => ReleaseCell {
            id: f.spec.id.clone(),
            count: f.site_count().map(|n| n.to_string()),
            percent: f.site_percent().map(|p| format!("{p}%")),
            all: f.all_percent().map(|p| format!("{p}%")),
        },
    }
}

fn questions(site: &SiteRelease, survey: Survey) -> Vec<ReleaseQuestion> {
    let mut out: Vec<ReleaseQuestion> = Vec::new();
    for variable in site.variables.iter().filter(|v| v.survey == survey) {
        let base_figure = site
            .release
            .figures
            .iter()
            .find(|f| f.spec.survey == survey && f.spec.variable == variable.id);
        let rows: Vec<ReleaseRow> = if variable.option_of_multiple {
            vec![ReleaseRow {
                label: variable.text.clone(),
                cell: cell(
                    site.release
                        .figure(&format!("{}/{}", survey.as_str(), variable.id)),
                ),
            }]
        } else {
            variable
                .codes
                .iter()
                .map(|code| ReleaseRow {
                    label: code.label.clone(),
                    cell: cell(site.release.figure(&format!(
                        "{}/{}/{}",
                        survey.as_str(),
                        variable.id,
                        code.code
                    ))),
                })
                .collect()
        };
        let group = ReleaseGroup {
            heading: if variable.option_of_multiple {
                None
            } else {
                Some(variable.text.clone())
            },
            base_id: base_figure.map(|f| f.spec.id.clone()).unwrap_or_default(),
            base: base_figure
                .and_then(Figure::site_base)
                .map(|b| b.to_string()),
            withheld: base_figure.is_some_and(|f| f.withheld),
            rows,
        };
        // Statements of one grid share a question, each with its own table; the options
        // of one "select all that apply" share one table, answered by the same people.
        match out.last_mut() {
            Some(last) if last.item == variable.item && variable.option_of_multiple => {
                if let Some(table) = last.groups.last_mut() {
                    table.rows.extend(group.rows);
                }
            }
            Some(last) if last.item == variable.item => last.groups.push(group),
            _ => out.push(ReleaseQuestion {
                item: variable.item.clone(),
                text: variable.question.clone(),
                groups: vec![group],
            }),
        }
    }
    // A single question is its own only group: no heading repeating the question.
    for question in &mut out {
        if question.groups.len() == 1 {
            question.groups[0].heading = None;
        }
    }
    out
}

/// `GET .../sites/{site}/dashboard` for a site-scoped reader.
pub(crate) async fn dashboard(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    site: &Site,
) -> Result<Response, AdminError> {
    let released = site_release(state, study, site).await?;
    let base = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    let total = |survey: Survey| {
        released
            .release
            .totals
            .iter()
            .find(|t| t.survey == survey)
            .copied()
    };
    let surveys = [
        (Survey::Pre, "Before the training (pre-training survey)"),
        (Survey::Post, "After the training (post-training survey)"),
    ]
    .into_iter()
    .filter_map(|(survey, title)| {
        let totals = total(survey)?;
        Some(ReleaseSurvey {
            title: title.to_owned(),
            site: totals.site,
            all: totals.all,
            group: released.release.group.as_ref().map(|_| totals.group),
            released: released.release.releases(survey),
            questions: questions(&released, survey),
        })
    })
    .collect();
    Ok(render(&ReleaseDashboardPage {
        layout: AdminLayout::new(&format!("Results for {}", site.code), Some(admin)).back(&base),
        synthetic: study.synthetic,
        code: site.code.clone(),
        name: site.name.clone(),
        threshold: released.release.threshold,
        surveys,
        headlines: super::headline::headlines(&released),
        summary: format!("{base}/summary"),
        needs: format!("{base}/training-needs"),
        download: format!("{base}/protected-tables.csv"),
    }))
}

/// One kind of gap of the training-needs report from the release: the rows whose share
/// is shown, largest share first (with it), and those hidden.
pub(crate) struct NeedRows {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) measure: String,
    pub(crate) shown: Vec<(u64, ReleaseNeed)>,
    pub(crate) hidden: Vec<ReleaseNeed>,
}

/// Every kind of gap's rows from the site's release, with the module sections and the
/// report's implications that address each.
pub(crate) fn need_rows(released: &SiteRelease, sections: &[SectionRef]) -> Vec<NeedRows> {
    let release = &released.release;
    let mut out = Vec::new();
    for gap in &released.spec.gap {
        let mut shown = Vec::new();
        let mut hidden = Vec::new();
        for (row, twin) in released.gaps.iter().filter(|(r, _)| r.gap == gap.id) {
            let Some(pre) = release.figure(&need_id(row, Survey::Pre)) else {
                continue;
            };
            let post = twin
                .as_ref()
                .and_then(|_| release.figure(&need_id(row, Survey::Post)));
            let change = match (pre.site_count(), pre.site_base(), post) {
                (Some(k1), Some(n1), Some(post)) => match (post.site_count(), post.site_base()) {
                    (Some(k2), Some(n2)) if n1 > 0 && n2 > 0 => {
                        let test =
                            two_proportion_z_test(k1, n1, k2, n2, Alternative::TwoSided).ok();
                        let p = test.map(|t| t.p_value).unwrap_or(1.0);
                        // The share is of people in the gap (the row's own gap answers,
                        // reversed rows included): fewer is better.
                        let improved = (k2 as f64 / n2 as f64) < (k1 as f64 / n1 as f64);
                        let verdict = if p > released.significance {
                            "No clear change"
                        } else if improved {
                            "Improved after the training"
                        } else {
                            "Worse after the training"
                        };
                        Some((
                            post.spec.id.clone(),
                            verdict.to_owned(),
                            p <= released.significance && improved,
                            format!("p = {p:.3}"),
                        ))
                    }
                    _ => None,
                },
                _ => None,
            };
            let need = ReleaseNeed {
                text: row.text.clone(),
                cell: cell(Some(pre)),
                base: pre.site_base().map(|b| b.to_string()),
                post: post.map(|p| cell(Some(p))),
                post_base: post.and_then(Figure::site_base).map(|b| b.to_string()),
                change,
                post_released: release.releases(Survey::Post),
                implications: row
                    .implications
                    .iter()
                    .filter_map(|n| {
                        released
                            .spec
                            .implication
                            .iter()
                            .find(|i| i.number == *n)
                            .map(|i| (i.number, i.title.clone()))
                    })
                    .collect(),
                sections: sections
                    .iter()
                    .filter(|s| s.addresses.contains(&row.row_id))
                    .map(|s| s.title.clone())
                    .collect(),
            };
            match pre.site_percent() {
                Some(p) => shown.push((p, need)),
                None => hidden.push(need),
            }
        }
        shown.sort_by_key(|need| std::cmp::Reverse(need.0));
        out.push(NeedRows {
            id: gap.id.clone(),
            title: gap.title.clone(),
            measure: gap.measure.clone(),
            shown,
            hidden,
        });
    }
    out
}

/// `GET .../sites/{site}/training-needs` for a site-scoped reader.
pub(crate) async fn needs(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    site: &Site,
) -> Result<Response, AdminError> {
    let released = site_release(state, study, site).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let sections = section_refs(&content);
    let release = &released.release;
    let mut groups = Vec::new();
    for rows in need_rows(&released, &sections) {
        let NeedRows {
            id,
            title,
            measure,
            shown,
            hidden,
        } = rows;
        let more = shown.len().saturating_sub(released.spec.top);
        groups.push(ReleaseNeedGroup {
            id,
            title,
            measure,
            needs: shown
                .into_iter()
                .take(released.spec.top)
                .map(|(_, n)| n)
                .chain(hidden)
                .collect(),
            more,
        });
    }
    let back = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    Ok(render(&ReleaseNeedsPage {
        layout: AdminLayout::new(&format!("Training needs: {}", site.code), Some(admin))
            .back(&back),
        synthetic: study.synthetic,
        code: site.code.clone(),
        name: site.name.clone(),
        threshold: release.threshold,
        responses: release
            .totals
            .iter()
            .find(|t| t.survey == Survey::Pre)
            .map_or(0, |t| t.site),
        too_few: !release.releases(Survey::Pre),
        groups,
        implications: released
            .spec
            .implication
            .iter()
            .map(|i| (i.number, i.title.clone(), i.summary.clone()))
            .collect(),
        significance: format!("{}", released.significance)
            .trim_start_matches('0')
            .to_owned(),
        download: format!("{back}/protected-tables.csv"),
    }))
}

/// The protected tables as CSV: every figure of the release as shown, one a line, with
/// what it counts. The same numbers as the pages, and nothing more.
pub(crate) fn release_csv(site: &SiteRelease) -> Result<Vec<u8>, AdminError> {
    // Every cell through the shared formula rule, as in every CSV skafada writes.
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AdminError::Internal(format!("protected tables: {e}"));
    write_record(
        &mut writer,
        [
            "figure",
            "survey",
            "variable",
            "question",
            "answer",
            "codes",
            "base_codes",
            "site_number",
            "site_percent",
            "site_answered",
            "all_sites_percent",
            "site_interval_low",
            "site_interval_high",
            "similar_sites_percent",
        ],
    )
    .map_err(fail)?;
    let text = |n: Option<u64>, withheld: bool| match (n, withheld) {
        (Some(n), _) => n.to_string(),
        (None, true) => "withheld".to_owned(),
        (None, false) => "[c]".to_owned(),
    };
    let join = |codes: &[u32]| {
        codes
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let interval = |figure: &Figure, bound: fn(&Interval) -> u64| -> String {
        if !figure.spec.headline {
            return String::new();
        }
        match skafada_release::derived::interval(figure) {
            Some(i) => bound(&i).to_string(),
            None if figure.withheld => "withheld".to_owned(),
            None => "[c]".to_owned(),
        }
    };
    for totals in &site.release.totals {
        write_record(
            &mut writer,
            [
                format!("{}/responses", totals.survey.as_str()),
                totals.survey.as_str().to_owned(),
                String::new(),
                "Responses after cleaning".to_owned(),
                String::new(),
                String::new(),
                String::new(),
                totals.site.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                // The similar sites' responses, the site's included.
                match &site.release.group {
                    Some(_) => totals.group.to_string(),
                    None => String::new(),
                },
            ],
        )
        .map_err(fail)?;
    }
    for figure in &site.release.figures {
        if !site.release.releases(figure.spec.survey) {
            continue;
        }
        let question = site
            .variables
            .iter()
            .find(|v| v.survey == figure.spec.survey && v.id == figure.spec.variable)
            .map_or_else(String::new, |v| {
                if v.text == v.question {
                    v.question.clone()
                } else {
                    format!("{}: {}", v.question, v.text)
                }
            });
        write_record(
            &mut writer,
            [
                figure.spec.id.clone(),
                figure.spec.survey.as_str().to_owned(),
                figure.spec.variable.clone(),
                question,
                figure.spec.label.clone(),
                join(&figure.spec.codes),
                join(&figure.spec.base),
                text(figure.site_count(), figure.withheld),
                text(figure.site_percent(), figure.withheld),
                text(figure.site_base(), figure.withheld),
                text(figure.all_percent(), figure.withheld),
                // A headline measure's 95% Wilson interval, worked out from the count and
                // base beside it.
                interval(figure, |i| i.low),
                interval(figure, |i| i.high),
                match &site.release.group {
                    Some(_) => text(figure.group_percent(), figure.withheld),
                    None => String::new(),
                },
            ],
        )
        .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AdminError::Internal(format!("protected tables: {e}")))
}

/// `GET /admin/studies/{study}/sites/{site}/protected-tables.csv`: the site's release,
/// for anyone who may see the site.
#[tracing::instrument(skip_all)]
pub(crate) async fn protected_tables(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.require_site(&state, &study_id, &code).await?;
    let released = site_release(&state, &study, &site).await?;
    let bytes = release_csv(&released)?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-protected-tables-{}.csv\"",
                    site.code
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>(),
                    today()
                ),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
