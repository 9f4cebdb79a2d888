//! The training module, the certificate and its verification.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use skafada_report::{CertificateDetails, CertificateMonth, CertificateName, NameError};
use skafada_store::{Phase, RespondentId, Status, TrainingProgress};
use skafada_training::{
    Block, LivedExperience, Module, Part, REFLECTION_PRIVACY_NOTICE, Section, render_markdown,
};
use std::collections::BTreeMap;

use crate::AppState;
use crate::error::AppError;
use crate::form::FormData;
use crate::journey::{Journey, journey, next_step, see_other};
use crate::services;
use crate::views::{
    CertificatePage, CheckView, ErrorLink, Layout, OptionView, PartView, SectionLink, SectionPage,
    TrainingPage, VerifiedView, VerifyPage, render,
};

/// The answer recorded for a knowledge check a respondent discussed in a group
/// session rather than answered on their own (stored with `correct = false`).
pub(crate) const GROUP_ANSWER: &str = "group";

/// A section's knowledge checks, in order.
pub(crate) fn checks(section: &Section) -> impl Iterator<Item = &skafada_training::KnowledgeCheck> {
    section.blocks().filter_map(|block| match block {
        Block::KnowledgeCheck(check) => Some(check),
        _ => None,
    })
}

fn section_done(module: &Module, section: &Section, progress: &TrainingProgress) -> bool {
    let checks_done = !module.manifest.certificate.require_knowledge_checks
        || checks(section).enumerate().all(|(index, _)| {
            progress
                .checks
                .contains_key(&(section.id.clone(), i64::try_from(index).unwrap_or(i64::MAX)))
        });
    progress.completed.contains(&section.id) && checks_done
}

/// Whether the module's certificate rules about the training itself are met.
pub(crate) fn training_complete(module: &Module, progress: &TrainingProgress) -> bool {
    !module.manifest.certificate.require_all_sections
        || module
            .sections
            .iter()
            .all(|section| section_done(module, section, progress))
}

/// The journey of a respondent who has submitted the pre-training survey.
pub(crate) async fn trainee(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<(Journey, RespondentId), Response>, AppError> {
    let journey = journey(state, headers).await?;
    let respondent = journey.respondent()?.to_owned();
    let pre_done = state
        .store
        .response(&respondent, Phase::Pre)
        .await?
        .is_some_and(|r| r.status == Status::Submitted);
    if !pre_done {
        return Ok(Err(see_other(&next_step(state, &journey).await?)));
    }
    Ok(Ok((journey, respondent)))
}

/// `GET /training`: the contents, with progress.
#[tracing::instrument(skip_all)]
pub(crate) async fn contents(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let module = &journey.content.module;
    let progress = state.store.training_progress(&respondent).await?;
    let sections: Vec<SectionLink> = module
        .sections
        .iter()
        .map(|section| SectionLink {
            id: section.id.clone(),
            title: section.title.clone(),
            summary: section.summary.clone().unwrap_or_default(),
            done: section_done(module, section, &progress),
        })
        .collect();
    Ok(render(&TrainingPage {
        layout: journey.layout("Training"),
        title: module.manifest.title.clone(),
        summary: module.manifest.summary.clone(),
        time: skafada_report::learning_time(i64::from(journey.content.certificate_minutes())),
        completed: sections.iter().filter(|s| s.done).count(),
        next: sections.iter().find(|s| !s.done).map(|s| s.id.clone()),
        finished: training_complete(module, &progress),
        sections,
    }))
}

/// How a section's knowledge checks are shown.
pub(crate) enum CheckMode<'a> {
    /// To one respondent, with their answers and feedback.
    Individual {
        progress: &'a TrainingProgress,
        /// Errors beside checks: the check's index and the message.
        error: Vec<(usize, String)>,
        /// Answers chosen on the page but not yet checked, by check: shown chosen again
        /// so that checking one answer never clears another.
        kept: &'a BTreeMap<usize, Vec<usize>>,
    },
    /// To a group on one screen: questions to discuss, with the answer to reveal.
    Group,
}

/// The parts of a section, ready for a template. `local_services` is the site's JSON.
pub(crate) fn part_views(
    section: &Section,
    local_services: &str,
    mode: &CheckMode,
) -> Vec<PartView> {
    let mut parts = Vec::new();
    let mut check_index = 0;
    let mut reflection_index = 0;
    for part in &section.parts {
        let block = match part {
            Part::Markdown(markdown) => {
                parts.push(PartView::Html(render_markdown(markdown)));
                continue;
            }
            Part::Block(block) => block,
        };
        match block {
            Block::Image(image) => parts.push(PartView::Panel {
                title: image.caption.clone().unwrap_or_default(),
                html: render_markdown(&image.alt),
                note: "Image description".to_owned(),
            }),
            Block::Video(media) | Block::Audio(media) => parts.push(PartView::Panel {
                title: media.title.clone(),
                html: render_markdown(media.transcript.text()),
                note: "Transcript".to_owned(),
            }),
            Block::LivedExperience(LivedExperience::Content(content)) => {
                parts.push(PartView::Panel {
                    title: content.title.clone().unwrap_or_default(),
                    html: render_markdown(&content.text),
                    note: content.attribution.clone(),
                })
            }
            Block::LivedExperience(LivedExperience::Slot(_)) => {}
            Block::SayThis(panel) => parts.push(PartView::SayThis {
                title: panel
                    .title
                    .clone()
                    .unwrap_or_else(|| "Say this, not this".to_owned()),
                pairs: panel
                    .pairs
                    .iter()
                    .map(|p| (p.say.clone(), p.not.clone(), p.why.clone()))
                    .collect(),
            }),
            Block::Scenario(scenario) => parts.push(PartView::Scenario {
                title: scenario.title.clone(),
                situation: render_markdown(&scenario.situation),
                question: scenario.question.clone(),
                choices: scenario
                    .choices
                    .iter()
                    .map(|c| (c.text.clone(), render_markdown(&c.feedback)))
                    .collect(),
            }),
            Block::KnowledgeCheck(check) => {
                let index = check_index;
                check_index += 1;
                let key = (section.id.clone(), i64::try_from(index).unwrap_or(i64::MAX));
                let (answered, check_error, kept) = match mode {
                    CheckMode::Individual {
                        progress,
                        error,
                        kept,
                    } => (
                        progress.checks.get(&key).cloned(),
                        Some(error.as_slice()),
                        kept.get(&index),
                    ),
                    CheckMode::Group => (None, None, None),
                };
                let group = matches!(mode, CheckMode::Group)
                    || answered
                        .as_ref()
                        .is_some_and(|(answer, _)| answer == GROUP_ANSWER);
                let chosen: Vec<String> = match (&answered, kept) {
                    (Some((answer, _)), _) => answer.split(',').map(str::to_owned).collect(),
                    (None, Some(kept)) => kept.iter().map(usize::to_string).collect(),
                    (None, None) => Vec::new(),
                };
                let name = format!("check-{index}-option");
                parts.push(PartView::Check(CheckView {
                    index,
                    field: check_field(index),
                    question: check.question.clone(),
                    multiple: check.multiple,
                    group_kind: if check.multiple {
                        "checkboxes"
                    } else {
                        "radios"
                    },
                    input_type: if check.multiple { "checkbox" } else { "radio" },
                    options: check
                        .options
                        .iter()
                        .enumerate()
                        .map(|(i, option)| OptionView {
                            // Never the question's own id (`check-N`, the anchor the
                            // form returns to): every answer needs its own label.
                            id: format!("{name}-{}", i + 1),
                            value: i.to_string(),
                            label: option.text.clone(),
                            checked: if matches!(mode, CheckMode::Group) {
                                option.correct
                            } else {
                                chosen.contains(&i.to_string())
                            },
                            exclusive: false,
                            divider: false,
                        })
                        .collect(),
                    feedback: if group {
                        Some((false, render_markdown(&check.explanation)))
                    } else {
                        answered.map(|(_, correct)| (correct, render_markdown(&check.explanation)))
                    },
                    group,
                    error: check_error
                        .and_then(|errors| errors.iter().find(|(i, _)| *i == index))
                        .map(|(_, message)| message.clone()),
                }));
            }
            Block::Reflection(reflection) => {
                reflection_index += 1;
                parts.push(PartView::Reflection {
                    id: reflection_index.to_string(),
                    prompt: reflection.prompt.clone(),
                    hint: reflection.hint.clone().unwrap_or_default(),
                });
            }
            Block::Signpost(signpost) => parts.push(PartView::Services {
                title: signpost.title.clone(),
                intro: signpost
                    .intro
                    .as_deref()
                    .map(render_markdown)
                    .unwrap_or_default(),
                services: signpost
                    .services
                    .iter()
                    .map(|s| services::ServiceView::of(s, |u| u.starts_with("https://")))
                    .collect(),
            }),
            Block::LocalServices(local) => {
                let listed = services::local(local_services);
                let (intro, list) = if listed.is_empty() {
                    (render_markdown(&local.fallback), Vec::new())
                } else {
                    (
                        local
                            .intro
                            .as_deref()
                            .map(render_markdown)
                            .unwrap_or_default(),
                        listed,
                    )
                };
                parts.push(PartView::Services {
                    title: local.title.clone(),
                    intro,
                    services: list,
                });
            }
        }
    }
    parts
}

fn section_view(
    journey: &Journey,
    section: &Section,
    progress: &TrainingProgress,
    errors: Vec<ErrorLink>,
    check_errors: Vec<(usize, String)>,
    kept: &BTreeMap<usize, Vec<usize>>,
) -> SectionPage {
    let module = &journey.content.module;
    let parts = part_views(
        section,
        &journey.site.local_services,
        &CheckMode::Individual {
            progress,
            error: check_errors.clone(),
            kept,
        },
    );
    let position = module
        .sections
        .iter()
        .position(|s| s.id == section.id)
        .unwrap_or(0);
    SectionPage {
        layout: journey
            .layout("Training")
            .back("/training")
            .with_error(!errors.is_empty() || !check_errors.is_empty()),
        module_title: module.manifest.title.clone(),
        id: section.id.clone(),
        title: section.title.clone(),
        outcomes: section.outcomes.clone(),
        parts,
        errors,
        position: position + 1,
        count: module.sections.len(),
        privacy_notice: REFLECTION_PRIVACY_NOTICE,
        group: false,
    }
}

/// `GET /training/{section}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn section(
    State(state): State<AppState>,
    Path(section_id): Path<String>,
    Query(query): Query<SectionQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let section = journey
        .content
        .module
        .section(&section_id)
        .ok_or(AppError::NotFound)?;
    let progress = state.store.training_progress(&respondent).await?;
    let kept = query
        .kept
        .as_deref()
        .map(kept_from_query)
        .unwrap_or_default();
    Ok(render(&section_view(
        &journey,
        section,
        &progress,
        Vec::new(),
        Vec::new(),
        &kept,
    )))
}

/// The form field of a knowledge check's answers: every check of a section is in the
/// section's one form.
pub(crate) fn check_field(index: usize) -> String {
    format!("check-{index}")
}

/// The answers chosen in each knowledge check of `section` in a posted form (valid ones
/// only: an option the check has, and one only where one is asked for).
fn posted_checks(section: &Section, form: &FormData) -> BTreeMap<usize, Vec<usize>> {
    checks(section)
        .enumerate()
        .filter_map(|(index, check)| {
            let mut chosen: Vec<usize> = form
                .values(&check_field(index))
                .iter()
                .filter_map(|v| v.trim().parse().ok())
                .filter(|i| *i < check.options.len())
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            (!chosen.is_empty() && (check.multiple || chosen.len() == 1)).then_some((index, chosen))
        })
        .collect()
}

/// Answers chosen but not checked, for the address the page returns to:
/// `0:1,2;3:0` (check 0 with options 1 and 2, check 3 with option 0).
fn kept_query(kept: &BTreeMap<usize, Vec<usize>>) -> String {
    kept.iter()
        .map(|(index, chosen)| {
            let options: Vec<String> = chosen.iter().map(usize::to_string).collect();
            format!("{index}:{}", options.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The answers of [`kept_query`] read back; anything malformed is left out.
fn kept_from_query(text: &str) -> BTreeMap<usize, Vec<usize>> {
    text.split(';')
        .filter_map(|pair| {
            let (index, options) = pair.split_once(':')?;
            let chosen: Vec<usize> = options
                .split(',')
                .filter_map(|o| o.parse().ok())
                .take(64)
                .collect();
            Some((index.parse().ok()?, chosen))
        })
        .take(256)
        .collect()
}

/// Records the answers chosen in a section's check `index`, and whether they are right.
async fn record_answer(
    state: &AppState,
    respondent: &RespondentId,
    section: &Section,
    index: usize,
    chosen: &[usize],
) -> Result<(), AppError> {
    let Some(check) = checks(section).nth(index) else {
        return Err(AppError::NotFound);
    };
    let correct = check
        .options
        .iter()
        .enumerate()
        .all(|(i, option)| option.correct == chosen.contains(&i));
    let answer: Vec<String> = chosen.iter().map(usize::to_string).collect();
    state
        .store
        .record_check(
            respondent,
            &section.id,
            i64::try_from(index).unwrap_or(i64::MAX),
            &answer.join(","),
            correct,
        )
        .await?;
    Ok(())
}

/// What a section's address may carry.
#[derive(Debug, Deserialize)]
pub(crate) struct SectionQuery {
    /// Answers chosen but not checked ([`kept_query`]).
    kept: Option<String>,
}

/// `POST /training/{section}/check/{index}`: records a knowledge check answer and shows
/// the feedback.
#[tracing::instrument(skip_all)]
pub(crate) async fn check(
    State(state): State<AppState>,
    Path((section_id, index)): Path<(String, usize)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let section = journey
        .content
        .module
        .section(&section_id)
        .ok_or(AppError::NotFound)?;
    let check = checks(section).nth(index).ok_or(AppError::NotFound)?;
    // The section's one form carries every check's answers: this one is checked, the
    // others are kept chosen. (A form of this check alone sends `answer`.)
    let mut posted = posted_checks(section, &form);
    let field = if form.values(&check_field(index)).is_empty() {
        "answer".to_owned()
    } else {
        check_field(index)
    };
    let mut chosen: Vec<usize> = form
        .values(&field)
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .filter(|i| *i < check.options.len())
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    posted.remove(&index);
    if chosen.is_empty() || (!check.multiple && chosen.len() > 1) {
        let progress = state.store.training_progress(&respondent).await?;
        let message = if check.multiple {
            format!("Select at least one answer to ‘{}’", check.question)
        } else {
            format!("Select an answer to ‘{}’", check.question)
        };
        let errors = vec![ErrorLink {
            href: format!("check-{index}-option-1"),
            message: message.clone(),
        }];
        return Ok(render(&section_view(
            &journey,
            section,
            &progress,
            errors,
            vec![(index, message)],
            &posted,
        )));
    }
    record_answer(&state, &respondent, section, index, &chosen).await?;
    let kept = if posted.is_empty() {
        String::new()
    } else {
        format!("?kept={}", kept_query(&posted))
    };
    Ok(see_other(&format!(
        "/training/{}{kept}#check-{index}",
        section.id
    )))
}

/// `POST /training/{section}`: marks the section complete and goes to the next one.
#[tracing::instrument(skip_all)]
pub(crate) async fn complete(
    State(state): State<AppState>,
    Path(section_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let module = &journey.content.module;
    let section = module.section(&section_id).ok_or(AppError::NotFound)?;
    // Answers chosen in the section's checks are saved as they stand, checked or not.
    let posted = posted_checks(section, &form);
    for (index, chosen) in &posted {
        record_answer(&state, &respondent, section, *index, chosen).await?;
    }
    let progress = state.store.training_progress(&respondent).await?;
    if module.manifest.certificate.require_knowledge_checks {
        let missing: Vec<(usize, String)> = checks(section)
            .enumerate()
            .filter(|(index, _)| {
                !progress.checks.contains_key(&(
                    section.id.clone(),
                    i64::try_from(*index).unwrap_or(i64::MAX),
                ))
            })
            .map(|(index, check)| {
                (
                    index,
                    format!(
                        "Answer the question ‘{}’ before you continue",
                        check.question
                    ),
                )
            })
            .collect::<Vec<_>>();
        if !missing.is_empty() {
            let links = missing
                .iter()
                .map(|(index, message)| ErrorLink {
                    href: format!("check-{index}-option-1"),
                    message: message.clone(),
                })
                .collect();
            return Ok(render(&section_view(
                &journey, section, &progress, links, missing, &posted,
            )));
        }
    }
    state
        .store
        .complete_section(&respondent, &section.id)
        .await?;
    let mut progress = progress;
    progress.completed.insert(section.id.clone());
    let position = module.sections.iter().position(|s| s.id == section.id);
    let next = position
        .and_then(|p| module.sections.get(p + 1))
        .filter(|next| !section_done(module, next, &progress));
    Ok(match next {
        Some(next) => see_other(&format!("/training/{}", next.id)),
        None => see_other("/training"),
    })
}

/// Whether a respondent may have their certificate, and the reason if not.
async fn eligible(
    state: &AppState,
    journey: &Journey,
    respondent: &RespondentId,
) -> Result<bool, AppError> {
    let progress = state.store.training_progress(respondent).await?;
    if !training_complete(&journey.content.module, &progress) {
        return Ok(false);
    }
    if journey
        .content
        .module
        .manifest
        .certificate
        .require_post_survey
    {
        let post_done = state
            .store
            .response(respondent, Phase::Post)
            .await?
            .is_some_and(|r| r.status == Status::Submitted);
        return Ok(post_done);
    }
    Ok(true)
}

fn certificate_view(
    state: &AppState,
    journey: &Journey,
    downloaded: bool,
    name: String,
    error: Option<String>,
) -> CertificatePage {
    let module = &journey.content.module;
    CertificatePage {
        layout: journey.layout("Certificate").with_error(error.is_some()),
        module_title: module.manifest.title.clone(),
        time: skafada_report::learning_time(i64::from(journey.content.certificate_minutes())),
        verify_url: format!("{}/verify", state.config.public_url),
        downloaded,
        name,
        error,
    }
}

/// A new certificate record for this download: a new code every time, because the
/// store keeps no record of which code is the respondent's (so that a certificate
/// cannot lead anyone to their answers).
async fn issue(
    state: &AppState,
    journey: &Journey,
    respondent: &RespondentId,
) -> Result<skafada_store::CertificateRecord, AppError> {
    let module = &journey.content.module;
    Ok(state
        .store
        .issue_certificate(
            respondent,
            &module.manifest.title,
            &module.manifest.version,
            i64::from(journey.content.certificate_minutes()),
        )
        .await?)
}

/// The month a stored certificate record states.
fn completed(record: &skafada_store::CertificateRecord) -> Result<CertificateMonth, AppError> {
    CertificateMonth::parse(&record.issued_month).ok_or_else(|| {
        AppError::Internal(format!(
            "a certificate's month could not be read: {:?}",
            record.issued_month
        ))
    })
}

/// `GET /certificate`.
#[tracing::instrument(skip_all)]
pub(crate) async fn certificate_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    if !eligible(&state, &journey, &respondent).await? {
        return Ok(see_other(&next_step(&state, &journey).await?));
    }
    let downloaded = state.store.has_certificate(&respondent).await?;
    Ok(render(&certificate_view(
        &state,
        &journey,
        downloaded,
        String::new(),
        None,
    )))
}

/// A character as the certificate page names it: a combining mark on a dotted circle,
/// so that it does not sit on the bracket or comma before it.
fn shown(c: char) -> String {
    let combining = matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    );
    if combining {
        format!("\u{25CC}{c}")
    } else if c.is_control() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// What the certificate page says about a name it cannot print.
fn name_message(error: &NameError) -> String {
    match error {
        NameError::Empty => "Enter the name to print on your certificate".to_owned(),
        NameError::TooLong { max } => format!("Name must be {max} characters or fewer"),
        NameError::Unsupported(characters) => format!(
            "Your name has characters the certificate cannot print ({}). Enter your name \
             using letters from the Latin, Greek, Cyrillic, Hebrew or Arabic alphabets",
            characters
                .iter()
                .map(|&c| shown(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `POST /certificate`: the PDF, with the name typed (which is not stored). The name is
/// checked first (trimmed and collapsed, at most 100 characters, every character one the
/// certificate's font can print); a name that fails is shown again with the reason.
#[tracing::instrument(skip_all)]
pub(crate) async fn certificate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    if !eligible(&state, &journey, &respondent).await? {
        return Ok(see_other(&next_step(&state, &journey).await?));
    }
    let typed = form.text("name").unwrap_or_default();
    let name = match CertificateName::parse(&typed) {
        Ok(name) => name,
        Err(error) => {
            let downloaded = state.store.has_certificate(&respondent).await?;
            return Ok(render(&certificate_view(
                &state,
                &journey,
                downloaded,
                typed,
                Some(name_message(&error)),
            )));
        }
    };
    let record = issue(&state, &journey, &respondent).await?;
    let pdf = skafada_report::certificate_pdf(&CertificateDetails {
        name,
        module_title: record.module_title.clone(),
        completed: completed(&record)?,
        learning_minutes: record.learning_minutes,
        code: record.code.clone(),
        verify_url: format!("{}/verify", state.config.public_url),
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    // Named by its code, so that two downloads are two files, told apart by the code
    // each prints (the code is capitals, digits and hyphens only).
    let disposition = format!(
        "attachment; filename=\"cpd-certificate-{}.pdf\"",
        record.code
    );
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

/// `?code=`: the code to verify.
#[derive(Debug, Deserialize)]
pub(crate) struct VerifyQuery {
    code: Option<String>,
}

/// `GET /verify[?code=...]`: anyone can check a certificate; only what the certificate
/// itself states is shown, never the name or anything about the respondent.
#[tracing::instrument(skip_all)]
pub(crate) async fn verify(
    State(state): State<AppState>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let code = query
        .ok()
        .and_then(|Query(q)| q.code)
        .map(|c| c.trim().to_owned());
    let Some(code) = code else {
        return Ok(render(&VerifyPage {
            layout: Layout::plain("Check a certificate"),
            code: String::new(),
            error: None,
            result: None,
            not_found: false,
        }));
    };
    if code.is_empty() {
        return Ok(render(&VerifyPage {
            layout: Layout::plain("Check a certificate").with_error(true),
            code,
            error: Some("Enter the verification code".to_owned()),
            result: None,
            not_found: false,
        }));
    }
    let found = state.store.verify_certificate(&code).await?;
    let not_found = found.is_none();
    Ok(render(&VerifyPage {
        layout: Layout::plain("Check a certificate"),
        code,
        error: None,
        result: found
            .map(|record| {
                Ok::<_, AppError>(VerifiedView {
                    completed: completed(&record)?.to_string(),
                    code: record.code,
                    module_title: record.module_title,
                    time: skafada_report::learning_time(record.learning_minutes),
                })
            })
            .transpose()?,
        not_found,
    }))
}
