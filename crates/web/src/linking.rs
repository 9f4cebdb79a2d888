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
use skafada_store::{LINK_STEP, Phase, Response as StoredResponse};
use skafada_waves::Secret;
use skafada_waves::sgic::{
    Answer, CodeError, Component, Question, QuestionKind, SgicSpec, means_dont_know, normalise,
};

use crate::AppState;
use crate::error::AppError;
use crate::form::FormData;
use crate::journey::{Journey, journey, next_step, see_other};
use crate::views::{CodeQuestion, ErrorLink, LinkCodePage, MessagePage, render};

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
    // At baseline the code is made before the pre-training survey is submitted; at a
    // follow-up it is made again instead of typing a resume code, before the survey.
    let (phase, open): (Phase, fn(&StoredResponse) -> bool) = match journey.wave {
        Some(number) => (Phase::FollowUp(number), |r| r.current_page == LINK_STEP),
        None => (Phase::Pre, |r| r.status.is_open()),
    };
    match state.store.response(respondent, phase).await? {
        Some(response) if open(&response) => Ok(Ok((journey, response))),
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

/// One question's answer as posted.
struct Typed {
    text: String,
    dont_know: bool,
}

/// The page, with the answers as typed and their problems when it is shown again.
fn view(
    journey: &Journey,
    spec: &SgicSpec,
    typed: &[Typed],
    errors: Vec<Option<String>>,
) -> Response {
    let when = journey
        .content
        .waves
        .as_ref()
        .and_then(|waves| waves.waves.first())
        .map(|wave| match wave.opens_after_days.saturating_add(15) / 30 {
            0 => "in a few weeks".to_owned(),
            1 => "in about a month".to_owned(),
            n => format!("in about {n} months"),
        });
    let questions: Vec<CodeQuestion> = spec
        .questions()
        .iter()
        .enumerate()
        .map(|(i, q)| CodeQuestion {
            name: q.id.clone(),
            input_id: format!("link-{}", q.id),
            text: q.text.clone(),
            hint: q.hint.clone(),
            value: typed.get(i).map(|t| t.text.clone()).unwrap_or_default(),
            dont_know: typed.get(i).is_some_and(|t| t.dont_know),
            error: errors.get(i).cloned().flatten(),
        })
        .collect();
    let summary: Vec<ErrorLink> = questions
        .iter()
        .filter_map(|q| {
            q.error.as_ref().map(|message| ErrorLink {
                href: format!("#{}", q.input_id),
                message: message.clone(),
            })
        })
        .collect();
    let follow_up = journey.wave.is_some();
    let heading = if follow_up {
        "Answer the questions of your linking code"
    } else {
        "Make a code to link your answers later"
    };
    render(&LinkCodePage {
        layout: journey.layout(heading).with_error(!summary.is_empty()),
        heading: heading.to_owned(),
        follow_up,
        when,
        questions,
        errors: summary,
        skip: if follow_up {
            (
                crate::follow_up::LINK_PAGE.to_owned(),
                "Choose another way, or not to link".to_owned(),
            )
        } else {
            (NEXT.to_owned(), "Skip making a code".to_owned())
        },
    })
}

/// What is wrong with one answer, if anything: a blank answer needs "I don't know"
/// selected, and a typed one must have something the question can use.
fn problem(question: &Question, typed: &Typed) -> Option<String> {
    if typed.dont_know || means_dont_know(&typed.text) {
        return None;
    }
    let mut chars = question.text.chars();
    let lower = chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    if typed.text.trim().is_empty() {
        return Some(format!("Enter {lower} or select ‘I don’t know’"));
    }
    if normalise(question, &Answer::Text(typed.text.clone())) != Component::DontKnow {
        return None;
    }
    Some(match question.kind {
        QuestionKind::Letters => format!("{} must include a letter", question.text),
        QuestionKind::Digits => format!("{} must include a number", question.text),
        QuestionKind::Month => format!("Enter {lower} as a number from 1 to 12 or its name"),
    })
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
    Ok(view(&journey, spec(&journey)?, &[], Vec::new()))
}

/// `POST /link-code`: makes the code, stores its keyed hashes with the pre-training
/// response and carries on; with too few known answers, says the answers will not be
/// linked and carries on unlinked. A blank answer without "I don't know", or one with
/// nothing the question can use, shows the page again with the answers as typed.
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
    let typed: Vec<Typed> = spec
        .questions()
        .iter()
        .map(|q| Typed {
            text: form.text(&q.id).unwrap_or_default(),
            dont_know: form.text(&format!("{}-dont-know", q.id)).as_deref() == Some("1"),
        })
        .collect();
    let problems: Vec<Option<String>> = spec
        .questions()
        .iter()
        .zip(&typed)
        .map(|(q, t)| problem(q, t))
        .collect();
    if problems.iter().any(Option::is_some) {
        return Ok(view(&journey, spec, &typed, problems));
    }
    let answers: Vec<Answer> = typed
        .into_iter()
        .map(|t| {
            if t.dont_know {
                Answer::DontKnow
            } else {
                Answer::Text(t.text)
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
                link: Some(if journey.wave.is_some() {
                    (
                        crate::follow_up::LINK_PAGE.to_owned(),
                        "Go back to choose how to link your answers".to_owned(),
                    )
                } else {
                    (NEXT.to_owned(), "Continue to the survey".to_owned())
                }),
            }));
        }
        Err(error) => return Err(AppError::Internal(error.to_string())),
    };
    let key = state.store.linking_key(&journey.site.study_id).await?;
    let secret =
        Secret::from_bytes(key.to_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let hashes = spec.hashes(&code, &secret);
    let phase = journey.wave.map_or(Phase::Pre, Phase::FollowUp);
    state
        .store
        .save_link_code(journey.respondent()?, phase, &hashes.encode())
        .await?;
    match journey.wave {
        Some(number) => crate::follow_up::begin_survey(&state, &journey, number).await,
        None => Ok(see_other(NEXT)),
    }
}
