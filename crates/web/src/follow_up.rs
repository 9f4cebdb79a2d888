//! A follow-up wave's journey: its own link for each site (`/f/{token}/{wave}`), consent,
//! the choice of how to link the answers to the earlier ones (the resume code kept from
//! before, the linking code made again, or neither), then the post-training survey again.
//!
//! The respondent of a follow-up is new to the store: nothing about them is carried over
//! from before except, when they choose it, the link (`docs/linking-waves.md`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use skafada_store::{
    Day, LINK_STEP, Phase, RespondentId, ResumeCode, ResumeCodeLink, StudyWindow, today,
};
use skafada_waves::wave::FollowUpWave;

use crate::AppState;
use crate::content::StudyContent;
use crate::cookie;
use crate::error::AppError;
use crate::form::FormData;
use crate::journey::{Journey, journey, see_other, step_url, with_cookie};
use crate::views::{
    ErrorLink, FollowUpLinkPage, FollowUpStartPage, Layout, MessagePage, long_date, render,
};

/// The page where a follow-up respondent chooses how to link their answers.
pub(crate) const LINK_PAGE: &str = "/follow-up/link";

/// The study's follow-up wave with this number (counting from 1).
pub(crate) fn wave(content: &StudyContent, number: u8) -> Option<&FollowUpWave> {
    content
        .waves
        .as_ref()?
        .waves
        .get(usize::from(number).checked_sub(1)?)
}

/// A wave's first and last days, counted from the study's opening day.
pub(crate) fn wave_dates(
    content: &StudyContent,
    number: u8,
    window: &StudyWindow,
) -> Option<(Day, Day)> {
    let (first, last) = wave(content, number)?.offsets();
    Some((
        window.opens_on.plus_days(i64::from(first))?,
        window.opens_on.plus_days(i64::from(last))?,
    ))
}

/// Whether a wave is open today: within its dates and before the study's answers are
/// deleted.
pub(crate) fn wave_is_open(content: &StudyContent, number: u8, window: &StudyWindow) -> bool {
    let today = today();
    wave_dates(content, number, window)
        .is_some_and(|(first, last)| first <= today && today <= last && today < window.retain_until)
}

/// The first page of the survey a follow-up asks (the post-training survey).
fn first_page(content: &StudyContent) -> String {
    content
        .post
        .first_page(&Default::default())
        .map(|p| p.id.clone())
        .unwrap_or_else(|| "check".to_owned())
}

/// Where a follow-up respondent carries on.
pub(crate) async fn next_step(
    state: &AppState,
    _journey: &Journey,
    respondent: &RespondentId,
    number: u8,
) -> Result<String, AppError> {
    let phase = Phase::FollowUp(number);
    Ok(match state.store.response(respondent, phase).await? {
        None => "/consent".to_owned(),
        Some(response) if response.current_page == LINK_STEP => LINK_PAGE.to_owned(),
        Some(response) if response.status.is_open() => step_url(phase, &response.current_page),
        Some(_) => format!("/survey/{}/done", phase.as_str()),
    })
}

/// The site, study dates, content and wave of a follow-up link.
async fn wave_link(
    state: &AppState,
    token: &str,
    wave_id: &str,
) -> Result<
    (
        skafada_store::Site,
        std::sync::Arc<StudyContent>,
        StudyWindow,
        u8,
    ),
    AppError,
> {
    let (site, window) = crate::journey::site_of_link(state, token).await?;
    let content = state.studies.get(&state.store, &site.study_id).await?;
    let (number, _) = content
        .waves
        .as_ref()
        .and_then(|waves| waves.numbered(wave_id))
        .ok_or(AppError::NotFound)?;
    Ok((site, content, window, number))
}

/// `GET /f/{token}/{wave}`: the start page of a site's follow-up link, or when it opens.
#[tracing::instrument(skip_all)]
pub(crate) async fn start_page(
    State(state): State<AppState>,
    Path((token, wave_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (site, content, window, number) = wave_link(&state, &token, &wave_id).await?;
    let Some(wave) = wave(&content, number) else {
        return Err(AppError::NotFound);
    };
    let (first, last) = wave_dates(&content, number, &window).ok_or(AppError::NotFound)?;
    if !wave_is_open(&content, number, &window) {
        let when = if today() < first {
            format!(
                "It opens on {} and closes on {}.",
                long_date(&first),
                long_date(&last)
            )
        } else {
            format!("It closed on {}.", long_date(&last))
        };
        return Ok(render(&MessagePage {
            layout: Layout::journey(&wave.name, &site.local_services),
            heading: format!("The {} survey is not open", wave.name.to_lowercase()),
            paragraphs: vec![when],
            link: None,
        }));
    }
    let threshold = state
        .store
        .study(&site.study_id)
        .await?
        .map_or(5, |study| study.min_cell_count);
    Ok(render(&FollowUpStartPage {
        layout: Layout::journey(&wave.name, &site.local_services),
        site_name: site.name.clone(),
        wave_name: wave.name.clone(),
        action: format!("/f/{token}/{}", wave.id),
        survey_minutes: content.post_survey_minutes(),
        closes_on: long_date(&last),
        who_sees: crate::confidentiality::who_sees_answers(&site.name, threshold),
    }))
}

/// `POST /f/{token}/{wave}`: starts a follow-up journey (no respondent until consent).
#[tracing::instrument(skip_all)]
pub(crate) async fn start(
    State(state): State<AppState>,
    Path((token, wave_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (site, content, window, number) = wave_link(&state, &token, &wave_id).await?;
    if !wave_is_open(&content, number, &window) {
        return Err(AppError::Closed);
    }
    if let Some(existing) = cookie::token(&headers)
        && let Some(session) = state.store.session(&existing).await?
        && session.site_id == site.id
        && session.wave == Some(number)
    {
        // Start pressed twice, or the back button: keep the journey already begun.
        return Ok(see_other("/continue"));
    }
    let session = state
        .store
        .create_follow_up_session(&site.id, number, state.config.session_lifetime)
        .await?;
    Ok(with_cookie(
        see_other("/consent"),
        &cookie::set(&session, state.config.secure_cookies),
    ))
}

/// The follow-up journey of the request, at the linking step, with its wave number; or
/// where the respondent should be instead.
async fn at_link_step(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<(Journey, u8), Response>, AppError> {
    let journey = journey(state, headers).await?;
    let number = journey.wave.ok_or(AppError::NotFound)?;
    let respondent = journey.respondent()?;
    match state
        .store
        .response(respondent, Phase::FollowUp(number))
        .await?
    {
        Some(response) if response.current_page == LINK_STEP => Ok(Ok((journey, number))),
        _ => Ok(Err(see_other(
            &next_step(state, &journey, respondent, number).await?,
        ))),
    }
}

/// The choices of the linking page, in order.
const CHOICES: [&str; 3] = ["resume-code", "linking-code", "none"];

fn link_view(
    journey: &Journey,
    chosen: Option<&str>,
    code: &str,
    error: Option<(&str, String)>,
) -> Response {
    let errors = error
        .iter()
        .map(|(field, message)| ErrorLink {
            href: format!("#{field}"),
            message: message.clone(),
        })
        .collect::<Vec<_>>();
    let (choice_error, code_error) = match &error {
        Some((field, message)) if *field == "resume-code" => (None, Some(message.clone())),
        Some((_, message)) => (Some(message.clone()), None),
        None => (None, None),
    };
    render(&FollowUpLinkPage {
        layout: journey
            .layout("Link your answers to your earlier ones")
            .with_error(!errors.is_empty()),
        site_name: journey.site.name.clone(),
        chosen: chosen.unwrap_or_default().to_owned(),
        code: code.to_owned(),
        errors,
        choice_error,
        code_error,
    })
}

/// `GET /follow-up/link`.
#[tracing::instrument(skip_all)]
pub(crate) async fn link_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, _) = match at_link_step(&state, &headers).await? {
        Ok(found) => found,
        Err(elsewhere) => return Ok(elsewhere),
    };
    Ok(link_view(&journey, None, "", None))
}

/// `POST /follow-up/link`: links by the resume code typed, goes to the linking code's
/// questions, or carries on unlinked; then to the survey.
#[tracing::instrument(skip_all)]
pub(crate) async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, number) = match at_link_step(&state, &headers).await? {
        Ok(found) => found,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let chosen = form
        .text("how")
        .filter(|how| CHOICES.contains(&how.as_str()));
    let typed = form.text("resume-code").unwrap_or_default();
    match chosen.as_deref() {
        None => Ok(link_view(
            &journey,
            None,
            &typed,
            Some((
                "how",
                "Select how you want to link your answers, or that you do not want to".to_owned(),
            )),
        )),
        Some("linking-code") => Ok(see_other("/link-code")),
        Some("resume-code") => {
            let problem = match ResumeCode::parse(&typed) {
                None if typed.trim().is_empty() => Some("Enter your resume code".to_owned()),
                None => Some(
                    "Enter the resume code as it was shown to you: 20 letters and numbers, in groups of 4"
                        .to_owned(),
                ),
                Some(code) => match state
                    .store
                    .link_follow_up_by_resume_code(journey.respondent()?, number, &code)
                    .await?
                {
                    ResumeCodeLink::Linked => None,
                    ResumeCodeLink::Unknown => Some(format!(
                        "We could not find that resume code among the first surveys at {}. Check it, or use your linking code instead",
                        journey.site.name
                    )),
                    ResumeCodeLink::AlreadyLinked => Some(
                        "That resume code has already been used to link answers to this survey"
                            .to_owned(),
                    ),
                },
            };
            match problem {
                Some(message) => Ok(link_view(
                    &journey,
                    Some("resume-code"),
                    &typed,
                    Some(("resume-code", message)),
                )),
                None => begin_survey(&state, &journey, number).await,
            }
        }
        Some(_) => begin_survey(&state, &journey, number).await,
    }
}

/// Leaves the linking step for the survey's first page.
pub(crate) async fn begin_survey(
    state: &AppState,
    journey: &Journey,
    number: u8,
) -> Result<Response, AppError> {
    let phase = Phase::FollowUp(number);
    let first = first_page(&journey.content);
    state
        .store
        .leave_link_step(journey.respondent()?, phase, &first)
        .await?;
    Ok(see_other(&step_url(phase, &first)))
}
