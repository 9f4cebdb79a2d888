//! The study's participant information: the sheet a respondent reads before consenting,
//! and the study's own wording of the consent statements.
//!
//! Both come from the study's `participant-information` content
//! (`skafada_instrument::participant`); the survey decides only which statements are
//! recorded. A study made before this content was stored has none, and its consent page
//! shows the survey's own statements, as it always did.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use skafada_instrument::ParticipantInformation;
use skafada_store::Study;

use crate::AppState;
use crate::error::AppError;
use crate::journey::{Journey, journey};
use crate::views::{ParticipantPage, SheetPart, SheetSummary, long_date, paragraphs, render};

/// The study as stored now: its deletion date and threshold may have changed since its
/// content was cached.
pub(crate) async fn current_study(state: &AppState, journey: &Journey) -> Result<Study, AppError> {
    Ok(state
        .store
        .study(&journey.site.study_id)
        .await?
        .unwrap_or_else(|| journey.content.study.clone()))
}

/// The sheet's facts for the consent page.
pub(crate) fn summary(sheet: &ParticipantInformation) -> SheetSummary {
    let contact = &sheet.contact;
    let mut who = contact.name.clone();
    if let Some(role) = &contact.role {
        who = format!("{who} ({role})");
    }
    let mut reach = vec![contact.email.clone()];
    reach.extend(contact.phone.clone());
    SheetSummary {
        title: sheet.title.clone(),
        version: sheet.version.clone(),
        dated: sheet.dated.clone(),
        organisation: sheet.organisation.clone(),
        contact: format!("{who}, {}", reach.join(", ")),
        ethics: format!(
            "{}, reference {}",
            sheet.ethics.committee, sheet.ethics.reference
        ),
    }
}

/// A consent statement's words for this study: the sheet's, filled in, or the survey's
/// when the study has no sheet.
pub(crate) fn statement_text(
    sheet: Option<&ParticipantInformation>,
    study: &Study,
    id: &str,
    survey_text: &str,
) -> String {
    sheet
        .and_then(|sheet| {
            sheet
                .consent
                .iter()
                .find(|wording| wording.id == id)
                .map(|wording| sheet.fill(&wording.text, &long_date(&study.retain_until)))
        })
        .unwrap_or_else(|| survey_text.to_owned())
}

/// The sheet's parts in order: the study's own, then the ones every sheet has, made from
/// its facts and from what the service really does (who sees what, when answers go).
fn parts(sheet: &ParticipantInformation, study: &Study, site_name: &str) -> Vec<SheetPart> {
    let retain_until = long_date(&study.retain_until);
    let fill = |text: &str| paragraphs(Some(&sheet.fill(text, &retain_until)));
    let mut parts: Vec<SheetPart> = sheet
        .sections
        .iter()
        .map(|section| SheetPart {
            heading: sheet.fill(&section.heading, &retain_until),
            paragraphs: fill(&section.text),
        })
        .collect();
    let mut runs = vec![format!("The study is run by {}.", sheet.organisation)];
    if let Some(funder) = &sheet.funder {
        runs.push(format!("It is funded by {funder}."));
    }
    parts.push(SheetPart {
        heading: "Who is running the study?".to_owned(),
        paragraphs: vec![runs.join(" ")],
    });
    let mut confidential = crate::confidentiality::who_sees_what(site_name, study.min_cell_count);
    confidential.extend(fill(&sheet.data.where_held));
    parts.push(SheetPart {
        heading: "Will my taking part be kept confidential?".to_owned(),
        paragraphs: confidential,
    });
    let mut used = vec![
        format!("The data controller is {}.", sheet.data.controller),
        sheet.fill(&sheet.data.lawful_basis, &retain_until),
        format!("Your answers will be deleted on {retain_until}."),
    ];
    used.retain(|p| !p.trim().is_empty());
    parts.push(SheetPart {
        heading: "How will my information be used?".to_owned(),
        paragraphs: used,
    });
    parts.push(SheetPart {
        heading: "What are my rights?".to_owned(),
        paragraphs: fill(&sheet.data.rights),
    });
    parts.push(SheetPart {
        heading: "Who has reviewed the study?".to_owned(),
        paragraphs: vec![format!(
            "The study was reviewed and approved by {}, reference {}.",
            sheet.ethics.committee, sheet.ethics.reference
        )],
    });
    parts.push(SheetPart {
        heading: "What if there is a problem?".to_owned(),
        paragraphs: fill(&sheet.complaints),
    });
    parts
}

/// `GET /participant-information`: the whole sheet, open before consent.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    let Some(sheet) = journey.content.participant.as_ref() else {
        // A study made before sheets were stored has its facts on the consent page.
        return Err(AppError::NotFound);
    };
    let study = current_study(&state, &journey).await?;
    let statements = crate::journey::consent_item(&journey.content.pre)
        .and_then(|(_, item)| match &item.kind {
            skafada_instrument::ItemKind::Consent { statements } => Some(statements),
            _ => None,
        })
        .map(|statements| {
            statements
                .iter()
                .map(|s| statement_text(Some(sheet), &study, &s.id, &s.text))
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&ParticipantPage {
        layout: journey.layout("Participant information").back("/consent"),
        summary: summary(sheet),
        invitation: paragraphs(Some(
            &sheet.fill(&sheet.invitation, &long_date(&study.retain_until)),
        )),
        parts: parts(sheet, &study, &journey.site.name),
        statements,
        // Only the demonstration study may keep the template's placeholders.
        demonstration: !sheet.placeholders().is_empty(),
    }))
}
