//! The linking code: an optional page after consent where a respondent makes a code
//! from answers only they know (`[sgic]` in the study's waves file), so that a later
//! wave's answers can be linked to theirs without knowing who they are.
//!
//! Only the keyed hashes (`skafada_waves::sgic::SgicHashes`, under the study's linking
//! key) are stored, with the respondent's pre-training response; the answers are read
//! from the form, turned into the code and dropped. Nothing here logs them.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use skafada_store::{Phase, Response as StoredResponse};
use skafada_waves::Secret;
use skafada_waves::sgic::{Answer, CodeError, SgicSpec};

use crate::AppState;
use crate::error::AppError;
use crate::form::FormData;
use crate::journey::{Journey, journey, next_step, see_other};
use crate::views::{CodeQuestion, LinkCodePage, MessagePage, render};

/// Where the link code page goes on to: the respondent's furthest step.
const NEXT: &str = "/continue";

/// The journey, its linking code questions and the open pre-training response, or where
/// the respondent should be instead: a study without a code has no such page, and a
/// respondent makes their code before they submit the pre-training survey.
async fn context(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<(Journey, StoredResponse), Response>, AppError> {
    let journey = journey(state, headers).await?;
    if journey.content.waves.is_none() {
        return Err(AppError::NotFound);
    }
    let respondent = journey.respondent()?;
    match state.store.response(respondent, Phase::Pre).await? {
        Some(pre) if pre.status.is_open() => Ok(Ok((journey, pre))),
        _ => Ok(Err(see_other(&next_step(state, &journey).await?))),
    }
}

fn spec(journey: &Journey) -> Result<&SgicSpec, AppError> {
    journey
        .content
        .waves
        .as_ref()
        .map(|waves| &waves.sgic)
        .ok_or(AppError::NotFound)
}

/// `GET /link-code`.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, _) = match context(&state, &headers).await? {
        Ok(found) => found,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let when = journey
        .content
        .waves
        .as_ref()
        .and_then(|waves| waves.waves.first())
        .map(|wave| {
            let months = wave.opens_after_days.saturating_add(15) / 30;
            match months {
                0 => "in a few weeks".to_owned(),
                1 => "in about a month".to_owned(),
                n => format!("in about {n} months"),
            }
        });
    let questions = spec(&journey)?
        .questions()
        .iter()
        .map(|q| CodeQuestion {
            name: q.id.clone(),
            input_id: format!("link-{}", q.id),
            text: q.text.clone(),
            hint: q.hint.clone(),
        })
        .collect();
    Ok(render(&LinkCodePage {
        layout: journey.layout("Make a code to link your answers later"),
        when,
        questions,
        skip: NEXT.to_owned(),
    }))
}

/// `POST /link-code`: makes the code, stores its keyed hashes with the pre-training
/// response and carries on; with too few known answers, says the answers will not be
/// linked and carries on unlinked.
#[tracing::instrument(skip_all)]
pub(crate) async fn make(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, _) = match context(&state, &headers).await? {
        Ok(found) => found,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let spec = spec(&journey)?;
    let answers: Vec<Answer> = spec
        .questions()
        .iter()
        .map(|q| {
            if form.text(&format!("{}-dont-know", q.id)).as_deref() == Some("1") {
                Answer::DontKnow
            } else {
                Answer::Text(form.text(&q.id).unwrap_or_default())
            }
        })
        .collect();
    let code = match spec.code(&answers) {
        Ok(code) => code,
        Err(CodeError::TooFewKnown { needed, .. }) => {
            return Ok(render(&MessagePage {
                layout: journey.layout("We could not make a code"),
                heading: "We could not make a code".to_owned(),
                paragraphs: vec![
                    format!(
                        "A code needs at least {needed} answers that are not ‘I don’t know’."
                    ),
                    "You can still take part. Your answers today will be used, but we will not be able to link them to your answers later.".to_owned(),
                ],
                link: Some((NEXT.to_owned(), "Continue to the survey".to_owned())),
            }));
        }
        Err(error) => return Err(AppError::Internal(error.to_string())),
    };
    let key = state.store.linking_key(&journey.site.study_id).await?;
    let secret =
        Secret::from_bytes(key.to_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let hashes = spec.hashes(&code, &secret);
    state
        .store
        .save_link_code(journey.respondent()?, Phase::Pre, &hashes.encode())
        .await?;
    Ok(see_other(NEXT))
}
