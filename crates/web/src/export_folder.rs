//! A study's responses as a response export folder (`docs/export-format.md`), read from
//! the database: the pre- and post-training surveys and each follow-up wave, whose
//! records carry the baseline respondent's id where they were linked, by the resume code
//! the respondent kept or by their linking code (its keyed hashes, as stored, matched
//! here by `skafada_waves::sgic::link`). Neither the hashes nor the linking key are
//! written to the folder.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use skafada_analysis::data::{self, Manifest, codebook_csv, sites_csv};
use skafada_store::{AnswerRow, Phase, RespondentId, ResponseSummary, Store, Study, StudyId};
use skafada_waves::sgic::{LinkRecord, SgicHashes, link};

use crate::admin::pivot::{pivot, stored_pre_and_post};
use crate::content::StudyContent;

/// Why a study could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The database could not be read.
    #[error(transparent)]
    Store(#[from] skafada_store::StoreError),
    /// The study's content does not load.
    #[error(transparent)]
    Content(#[from] crate::content::ContentError),
    /// The allocation log could not be written as CSV.
    #[error("the allocation log cannot be written: {0}")]
    Csv(String),
    /// A file of the folder could not be written.
    #[error(transparent)]
    Write(#[from] skafada_analysis::data::DataError),
    /// A stored linking code is not in the stored form.
    #[error("a stored linking code cannot be read: {0}")]
    LinkCode(String),
}

/// How one follow-up wave's responses were linked to the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WaveLinking {
    /// The wave's id (its file is `<id>.csv`).
    pub wave: String,
    /// Its responses.
    pub responses: usize,
    /// Linked by the resume code the respondent kept.
    pub by_resume_code: usize,
    /// Linked by the linking code made again.
    pub by_linking_code: usize,
    /// With a linking code that matched no pre-training code at the site.
    pub unmatched: usize,
    /// With a linking code shared by more than one pre-training respondent at the site,
    /// or matched by another response too: never guessed, so not linked.
    pub ambiguous_or_contested: usize,
    /// With a linking code whose match was already linked by resume code.
    pub already_linked: usize,
    /// Neither a resume code nor a linking code: not linked.
    pub no_link: usize,
}

/// The files of a study's export folder, `(path inside the folder, text)`, and how each
/// follow-up wave was linked.
#[derive(Debug, Clone)]
pub struct StudyExport {
    /// The files.
    pub files: Vec<(String, String)>,
    /// Each follow-up wave's linking.
    pub waves: Vec<WaveLinking>,
    /// The records in every survey's file together, for the audit log.
    pub records: usize,
}

/// A study's sites as the analysis names them.
pub(crate) async fn analysis_sites(
    store: &Store,
    study_id: &StudyId,
) -> Result<Vec<data::Site>, skafada_store::StoreError> {
    Ok(store
        .sites(study_id)
        .await?
        .into_iter()
        .map(|s| data::Site {
            site: s.code,
            name: s.name,
            region: s.region,
        })
        .collect())
}

/// Reads a study's responses from the database as an export folder.
///
/// # Errors
/// [`ExportError`] when the database cannot be read or the study's content does not load.
pub async fn study_export(store: &Store, study: &Study) -> Result<StudyExport, ExportError> {
    let content = StudyContent::parse(study.clone())?;
    let sites = analysis_sites(store, &study.id).await?;
    let (pre, post) = stored_pre_and_post(
        store,
        &study.id,
        &sites,
        &content,
        skafada_store::ReadOrder::ByRespondent,
    )
    .await?;
    let mut records = pre.len() + post.len();
    let mut files = vec![
        ("pre.csv".to_owned(), pre.to_csv(&content.pre, &sites)?),
        ("post.csv".to_owned(), post.to_csv(&content.post, &sites)?),
    ];
    let mut waves = Vec::new();
    if let Some(plan) = content.waves.as_ref().filter(|w| !w.waves.is_empty()) {
        let declared = plan.waves.as_slice();
        let rule = plan.sgic.rule();
        let baseline = store.baseline_link_codes(&study.id).await?;
        let baseline_hashes = baseline
            .iter()
            .map(|b| {
                SgicHashes::decode(&b.hashes).map_err(|e| ExportError::LinkCode(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (wave, number) in declared.iter().zip(1u8..) {
            let (linking, summaries, answers) =
                wave_records(store, study, number, &baseline, &baseline_hashes, rule).await?;
            let responses = pivot(
                &content.post,
                Phase::FollowUp(number),
                &sites,
                &summaries,
                &answers,
            );
            records += responses.len();
            files.push((
                format!("{}.csv", wave.id),
                responses.to_csv(&content.post, &sites)?,
            ));
            waves.push(WaveLinking {
                wave: wave.id.clone(),
                ..linking
            });
        }
    }
    if content.allocation.is_some() {
        files.push(("arms.csv".to_owned(), arms_csv(store, study).await?));
    }
    let manifest = Manifest {
        format: "skafada-export".to_owned(),
        version: 1,
        study: study.name.clone(),
        synthetic: study.synthetic,
        pre: "instruments/pre.toml".to_owned(),
        post: Some("instruments/post.toml".to_owned()),
        follow_up: waves.iter().map(|w| w.wave.clone()).collect(),
    };
    files.extend([
        ("manifest.toml".to_owned(), manifest.to_toml()?),
        ("sites.csv".to_owned(), sites_csv(&sites)?),
        (
            "codebook.csv".to_owned(),
            codebook_csv(&[&content.pre, &content.post])?,
        ),
        (
            "instruments/pre.toml".to_owned(),
            study.pre_instrument.clone(),
        ),
        (
            "instruments/post.toml".to_owned(),
            study.post_instrument.clone(),
        ),
    ]);
    Ok(StudyExport {
        files,
        waves,
        records,
    })
}

/// One wave's responses and answers, each under the baseline respondent's id where it
/// was linked (else its own), with how they were linked.
async fn wave_records(
    store: &Store,
    study: &Study,
    number: u8,
    baseline: &[skafada_store::BaselineCode],
    baseline_hashes: &[SgicHashes],
    rule: skafada_waves::sgic::MatchRule,
) -> Result<(WaveLinking, Vec<ResponseSummary>, Vec<AnswerRow>), ExportError> {
    let responses = store.wave_responses(&study.id, number).await?;
    let mut linking = WaveLinking {
        responses: responses.len(),
        ..WaveLinking::default()
    };
    let mut linked: HashMap<RespondentId, RespondentId> = HashMap::new();
    for response in &responses {
        if let Some(baseline_id) = &response.linked_by_resume_code {
            linked.insert(response.respondent_id.clone(), baseline_id.clone());
            linking.by_resume_code += 1;
        }
    }
    let taken: HashSet<RespondentId> = linked.values().cloned().collect();
    // Those without a resume-code link but with a linking code, matched at their site.
    let coded: Vec<(&skafada_store::WaveResponse, SgicHashes)> = responses
        .iter()
        .filter(|r| r.linked_by_resume_code.is_none())
        .filter_map(|r| r.link_code.as_deref().map(|h| (r, h)))
        .map(|(r, h)| {
            SgicHashes::decode(h)
                .map(|hashes| (r, hashes))
                .map_err(|e| ExportError::LinkCode(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let later: Vec<LinkRecord<'_>> = coded
        .iter()
        .map(|(r, hashes)| LinkRecord {
            site: &r.site_code,
            hashes,
        })
        .collect();
    let earlier: Vec<LinkRecord<'_>> = baseline
        .iter()
        .zip(baseline_hashes)
        .map(|(b, hashes)| LinkRecord {
            site: &b.site_code,
            hashes,
        })
        .collect();
    let linkage = link(&earlier, &later, rule);
    linking.unmatched = linkage.unmatched;
    linking.ambiguous_or_contested = linkage.ambiguous + linkage.contested;
    for found in &linkage.links {
        let (Some((response, _)), Some(base)) =
            (coded.get(found.later), baseline.get(found.baseline))
        else {
            continue;
        };
        if taken.contains(&base.respondent_id) {
            linking.already_linked += 1;
            continue;
        }
        linked.insert(response.respondent_id.clone(), base.respondent_id.clone());
        linking.by_linking_code += 1;
    }
    linking.no_link = responses
        .iter()
        .filter(|r| r.linked_by_resume_code.is_none() && r.link_code.is_none())
        .count();
    let as_baseline = |id: &RespondentId| linked.get(id).cloned().unwrap_or_else(|| id.clone());
    let summaries = responses
        .iter()
        .map(|r| ResponseSummary {
            respondent_id: as_baseline(&r.respondent_id),
            site_code: r.site_code.clone(),
            phase: Phase::FollowUp(number),
            status: r.status,
            started_on: r.started_on,
            submitted_on: None,
            answer_count: 0,
            returned: 0,
        })
        .collect();
    let answers = store
        .wave_answers(&study.id, number)
        .await?
        .into_iter()
        .map(|a| AnswerRow {
            respondent_id: as_baseline(&a.respondent_id),
            ..a
        })
        .collect();
    Ok((linking, summaries, answers))
}

/// The study's allocation log as `arms.csv`: `site,respondent_id,position,arm`, one row per
/// allocated site (`respondent_id` empty) or respondent, in sequence order.
async fn arms_csv(store: &Store, study: &Study) -> Result<String, ExportError> {
    let sites = store.sites(&study.id).await?;
    // Sites are never deleted (deleting a site's data keeps the site), so an allocation
    // to a site the study does not have is damage, not a row to write with no site.
    let code_of = |id: &str| {
        sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.code.clone())
            .ok_or_else(|| {
                ExportError::Store(skafada_store::StoreError::Corrupt(format!(
                    "an allocation names the site {id}, which the study does not have"
                )))
            })
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| ExportError::Csv(e.to_string());
    skafada_analysis::formula::write_record(
        &mut writer,
        ["site", "respondent_id", "position", "arm"],
    )
    .map_err(csv_error)?;
    for row in store.allocations(&study.id).await? {
        let (site, respondent) = if row.stratum.is_empty() {
            (code_of(&row.unit_id)?, String::new())
        } else {
            (code_of(&row.stratum)?, row.unit_id.clone())
        };
        skafada_analysis::formula::write_record(
            &mut writer,
            [site, respondent, row.position.to_string(), row.arm],
        )
        .map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
}
