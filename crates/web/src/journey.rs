//! The journey's frame: site links, consent, resume codes, where to go next, and
//! leaving (exit this page, leave and clear this device).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use skafada_instrument::{Instrument, Item, ItemKind, Page};
use skafada_store::{Day, Phase, RespondentId, ResumeCode, Site, Status, StudyWindow, today};

use crate::AppState;
use crate::content::StudyContent;
use crate::cookie;
use crate::error::AppError;
use crate::form::FormData;
use crate::training::training_complete;
use crate::views::{
    AccessibilityPage, CodePage, ConsentPage, ConsentStatement, Layout, MessagePage, ResumePage,
    SavePage, StartPage, paragraphs, render,
};

/// Where the exit button and route send people: the component's default.
pub(crate) const NEUTRAL_SITE: &str = "https://www.bbc.co.uk/weather";

/// A request's journey: its session, site and study.
#[derive(Debug)]
pub(crate) struct Journey {
    pub(crate) token: String,
    pub(crate) site: Site,
    pub(crate) content: Arc<StudyContent>,
    pub(crate) respondent_id: Option<RespondentId>,
    /// The study's closing date (YYYY-MM-DD).
    pub(crate) closes_on: Day,
    /// How long without activity ends the session.
    pub(crate) idle: std::time::Duration,
    /// The session had ended: this request may only save the page it posts.
    pub(crate) ended: bool,
    /// The follow-up wave (1 to 9) whose link started the journey; `None` for the
    /// site's own link.
    pub(crate) wave: Option<u8>,
}

impl Journey {
    /// The respondent, or the "session ended" page when the session has none yet.
    pub(crate) fn respondent(&self) -> Result<&RespondentId, AppError> {
        self.respondent_id.as_ref().ok_or(AppError::NoSession)
    }

    /// The layout for a page of this journey.
    pub(crate) fn layout(&self, title: &str) -> Layout {
        Layout {
            can_save: self.respondent_id.is_some(),
            idle_seconds: self.idle.as_secs(),
            ..Layout::journey(title, &self.site.local_services)
        }
    }

    /// A survey's opening or closing text as paragraphs, with the study's closing date
    /// where the text says `{closes_on}`.
    pub(crate) fn framing(&self, text: Option<&str>) -> Vec<String> {
        let text = text.unwrap_or_default().replace(
            skafada_instrument::CLOSES_ON,
            &crate::views::long_date(&self.closes_on),
        );
        crate::views::paragraphs(Some(&text))
    }
}

/// The journey of the request's cookie; the study must be open.
pub(crate) async fn journey(state: &AppState, headers: &HeaderMap) -> Result<Journey, AppError> {
    let token = cookie::token(headers).ok_or(AppError::NoSession)?;
    let (session, site, window) = state
        .store
        .session_with_site(&token)
        .await?
        .ok_or(AppError::NoSession)?;
    // A follow-up wave has its own dates, checked once its content is read.
    if session.wave.is_none() && !window.is_open_on(today()) {
        return Err(AppError::Closed);
    }
    // The session ends after a spell without activity, not at a fixed time: a respondent
    // who is answering keeps it. It is moved on at most once per half its lifetime, so
    // most requests write nothing.
    let lifetime = state.config.session_lifetime;
    let half = i64::try_from(lifetime.as_secs() / 2).unwrap_or(i64::MAX);
    if session.expires_at.saturating_sub(skafada_store::unix_now()) < half {
        state.store.extend_session(&token, lifetime).await?;
    }
    journey_of(state, token, session, site, window, false).await
}

/// Refuses a follow-up journey outside its wave's dates.
fn in_its_wave(journey: Journey, window: &StudyWindow) -> Result<Journey, AppError> {
    match journey.wave {
        Some(number) if !crate::follow_up::wave_is_open(&journey.content, number, window) => {
            Err(AppError::Closed)
        }
        _ => Ok(journey),
    }
}

/// The journey of a session found by its token.
async fn journey_of(
    state: &AppState,
    token: String,
    session: skafada_store::Session,
    site: Site,
    window: skafada_store::StudyWindow,
    ended: bool,
) -> Result<Journey, AppError> {
    let content = state.studies.get(&state.store, &site.study_id).await?;
    let closes_on = match session.wave {
        Some(number) => crate::follow_up::wave_dates(&content, number, &window)
            .map_or(window.closes_on, |(_, last)| last),
        None => window.closes_on,
    };
    in_its_wave(
        Journey {
            token,
            site,
            content,
            respondent_id: session.respondent_id,
            closes_on,
            idle: state.config.session_lifetime,
            ended,
            wave: session.wave,
        },
        &window,
    )
}

/// `GET /session/keep`: keeps the journey's session, as any page of it does; the
/// time-out warning asks for it so that the respondent can stay without leaving the page
/// (and losing what they have typed on it).
#[tracing::instrument(skip_all)]
pub(crate) async fn keep_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    journey(&state, &headers).await?;
    Ok((
        axum::http::StatusCode::NO_CONTENT,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
    )
        .into_response())
}

/// The journey of the request's cookie, or of its session that ended within the last day:
/// for saving a page posted just after the session ended, so that it is not lost.
pub(crate) async fn journey_or_ended(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Journey, AppError> {
    match journey(state, headers).await {
        Err(AppError::NoSession) => {}
        other => return other,
    }
    let token = cookie::token(headers).ok_or(AppError::NoSession)?;
    let (session, site, window) = state
        .store
        .ended_session_with_site(&token)
        .await?
        .ok_or(AppError::NoSession)?;
    if session.respondent_id.is_none() || (session.wave.is_none() && !window.is_open_on(today())) {
        return Err(AppError::NoSession);
    }
    journey_of(state, token, session, site, window, true).await
}

/// `GET /session-ended`: after a page posted once the session had ended was saved.
#[tracing::instrument(skip_all)]
pub(crate) async fn session_ended() -> Response {
    render(&MessagePage {
        layout: Layout::plain("Your session has ended"),
        heading: "Your session has ended".to_owned(),
        paragraphs: vec![
            "You had not done anything for a while, so your session ended. We saved the page you just sent, with your other answers.".to_owned(),
            "To protect your answers, carry on with your resume code.".to_owned(),
        ],
        link: Some(("/resume".to_owned(), "Continue with a resume code".to_owned())),
    })
}

/// A 303 redirect.
pub(crate) fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// The URL of a survey step (`check` is the check your answers page).
pub(crate) fn step_url(phase: Phase, step: &str) -> String {
    if step == "check" {
        format!("/survey/{}/check-answers", phase.as_str())
    } else {
        format!("/survey/{}/page/{step}", phase.as_str())
    }
}

/// The page and item holding the consent statements.
pub(crate) fn consent_item(instrument: &Instrument) -> Option<(&Page, &Item)> {
    instrument.pages.iter().find_map(|page| {
        page.items
            .iter()
            .find(|item| matches!(item.kind, ItemKind::Consent { .. }))
            .map(|item| (page, item))
    })
}

/// Where a respondent carries on: the furthest step of their journey.
pub(crate) async fn next_step(state: &AppState, journey: &Journey) -> Result<String, AppError> {
    let Some(respondent) = journey.respondent_id.as_ref() else {
        return Ok("/consent".to_owned());
    };
    if let Some(number) = journey.wave {
        return crate::follow_up::next_step(state, journey, respondent, number).await;
    }
    let Some(pre) = state.store.response(respondent, Phase::Pre).await? else {
        return Ok("/consent".to_owned());
    };
    if pre.status.is_open() {
        return Ok(step_url(Phase::Pre, &pre.current_page));
    }
    if pre.status == Status::ClosedByRouting {
        return Ok("/survey/pre/done".to_owned());
    }
    let progress = state.store.training_progress(respondent).await?;
    if !training_complete(&journey.content.module, &progress) {
        return Ok("/training".to_owned());
    }
    match state.store.response(respondent, Phase::Post).await? {
        None => {
            let first = journey
                .content
                .post
                .first_page(&Default::default())
                .map(|p| p.id.clone())
                .unwrap_or_else(|| "check".to_owned());
            Ok(step_url(Phase::Post, &first))
        }
        Some(post) if post.status.is_open() => Ok(step_url(Phase::Post, &post.current_page)),
        Some(_) => Ok("/certificate".to_owned()),
    }
}

/// `/`: for people who arrive without their site's link.
#[tracing::instrument(skip_all)]
pub(crate) async fn home() -> Response {
    render(&MessagePage {
        layout: Layout::plain("Start"),
        heading: "Workforce learning survey and training".to_owned(),
        paragraphs: vec![
            "To take part, use the link your organisation sent you. Each organisation has its own link.".to_owned(),
        ],
        link: Some((
            "/resume".to_owned(),
            "If you have started already, continue with your resume code".to_owned(),
        )),
    })
}

/// The fallback for unknown paths.
pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

/// The site of a link and its study's content, if the study is open today; with the
/// study's dates, read afresh because an admin may change them.
pub(crate) async fn open_site(
    state: &AppState,
    token: &str,
) -> Result<(Site, Arc<StudyContent>, StudyWindow), AppError> {
    let (site, window) = site_of_link(state, token).await?;
    if !window.is_open_on(today()) {
        return Err(AppError::Closed);
    }
    let content = state.studies.get(&state.store, &site.study_id).await?;
    Ok((site, content, window))
}

/// The site of a link token and its study's dates, open or not.
pub(crate) async fn site_of_link(
    state: &AppState,
    token: &str,
) -> Result<(Site, StudyWindow), AppError> {
    let site = state
        .store
        .site_by_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let window = state
        .store
        .study_window(&site.study_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((site, window))
}

/// `GET /s/{token}`: the start page of a site's link.
#[tracing::instrument(skip_all)]
pub(crate) async fn start_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (site, content, window) = open_site(&state, &token).await?;
    let threshold = state
        .store
        .study(&site.study_id)
        .await?
        .map_or(5, |study| study.min_cell_count);
    Ok(render(&StartPage {
        layout: Layout::journey("Start", &site.local_services),
        site_name: site.name.clone(),
        token,
        survey_minutes: content.survey_minutes(),
        training_time: skafada_report::learning_time(i64::from(content.certificate_minutes())),
        closes_on: crate::views::long_date(&window.closes_on),
        who_sees: crate::confidentiality::who_sees_what(&site.name, threshold),
    }))
}

/// `POST /s/{token}`: starts a journey session (no respondent is created until consent).
#[tracing::instrument(skip_all)]
pub(crate) async fn start(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (site, _, _) = open_site(&state, &token).await?;
    if let Some(existing) = cookie::token(&headers)
        && let Some(session) = state.store.session(&existing).await?
        && session.site_id == site.id
    {
        // Start pressed twice, or the back button: keep the journey already begun.
        return Ok(see_other("/continue"));
    }
    let session = state
        .store
        .create_session(&site.id, None, state.config.session_lifetime)
        .await?;
    Ok(with_cookie(
        see_other("/consent"),
        &cookie::set(&session, state.config.secure_cookies),
    ))
}

pub(crate) fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

fn consent_view(
    journey: &Journey,
    study: &skafada_store::Study,
    checked: &dyn Fn(&str) -> bool,
    error: Option<String>,
) -> Result<ConsentPage, AppError> {
    let (page, item) = consent_item(&journey.content.pre)
        .ok_or_else(|| AppError::Internal("the survey has no consent statements".to_owned()))?;
    let ItemKind::Consent { statements } = &item.kind else {
        return Err(AppError::Internal(
            "the consent item has no statements".to_owned(),
        ));
    };
    Ok(ConsentPage {
        layout: journey.layout("Consent").with_error(error.is_some()),
        title: page.title.clone(),
        intro: paragraphs(page.intro.as_deref()),
        question: item.text.clone(),
        first_id: statements.first().map(|s| s.id.clone()).unwrap_or_default(),
        // A follow-up wave gives no certificate, so says nothing of one.
        who_sees: if journey.wave.is_some() {
            crate::confidentiality::who_sees_answers(&journey.site.name, study.min_cell_count)
        } else {
            crate::confidentiality::who_sees_what(&journey.site.name, study.min_cell_count)
        },
        statements: statements
            .iter()
            .map(|s| ConsentStatement {
                id: s.id.clone(),
                text: crate::participant::statement_text(
                    journey.content.participant.as_ref(),
                    study,
                    &s.id,
                    &s.text,
                ),
                checked: checked(&s.id),
            })
            .collect(),
        sheet: journey
            .content
            .participant
            .as_ref()
            .map(crate::participant::summary),
        error,
    })
}

/// `GET /consent`.
#[tracing::instrument(skip_all)]
pub(crate) async fn consent_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    if journey.respondent_id.is_some() {
        return Ok(see_other(&next_step(&state, &journey).await?));
    }
    let study = crate::participant::current_study(&state, &journey).await?;
    Ok(render(&consent_view(&journey, &study, &|_| false, None)?))
}

/// `POST /consent`: every statement must be agreed; then the respondent exists and
/// gets their resume code.
#[tracing::instrument(skip_all)]
pub(crate) async fn consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    let form = FormData::parse(body)?;
    if journey.respondent_id.is_some() {
        return Ok(see_other(&next_step(&state, &journey).await?));
    }
    let (page, item) = consent_item(&journey.content.pre)
        .ok_or_else(|| AppError::Internal("the survey has no consent statements".to_owned()))?;
    let ItemKind::Consent { statements } = &item.kind else {
        return Err(AppError::Internal(
            "the consent item has no statements".to_owned(),
        ));
    };
    let agreed = |id: &str| form.text(id).as_deref() == Some("1");
    if !statements.iter().all(|s| agreed(&s.id)) {
        let message = format!("Select all {} statements to take part", statements.len());
        let study = crate::participant::current_study(&state, &journey).await?;
        return Ok(render(&consent_view(
            &journey,
            &study,
            &agreed,
            Some(message),
        )?));
    }
    let answers: Vec<(String, String)> = statements
        .iter()
        .map(|s| (s.id.clone(), "1".to_owned()))
        .collect();
    let routing = crate::form::to_answers(
        &answers.iter().cloned().collect(),
        &journey.content.pre_vars,
    );
    let next = journey
        .content
        .pre
        .next_page(&page.id, &routing)
        .map(|p| p.id.clone())
        .unwrap_or_else(|| "check".to_owned());
    if let Some(number) = journey.wave {
        let consented = state
            .store
            .consent_follow_up(&journey.token, &journey.site, number, &answers)
            .await?;
        return Ok(match consented.resume_code {
            Some(code) => render(&CodePage {
                layout: journey.layout("Your resume code"),
                code: code.display(),
                next: crate::follow_up::LINK_PAGE.to_owned(),
            }),
            None => see_other("/continue"),
        });
    }
    let consented = state
        .store
        .consent(&journey.token, &journey.site, &answers, &next)
        .await?;
    // A study that allocates respondents to delivery arms allocates this one now,
    // within their site.
    crate::arms::allocate(
        &state,
        &journey.content,
        skafada_waves::allocation::Unit::Respondent,
        &journey.site.id,
        &consented.respondent_id,
    )
    .await?;
    match consented.resume_code {
        Some(code) => Ok(render(&CodePage {
            layout: journey.layout("Your resume code"),
            code: code.display(),
            // A study with follow-up waves offers to make a linking code first.
            next: if journey.content.waves.is_some() {
                "/link-code".to_owned()
            } else {
                step_url(Phase::Pre, &next)
            },
        })),
        None => Ok(see_other("/continue")),
    }
}

/// `GET /continue`: to the respondent's furthest step.
#[tracing::instrument(skip_all)]
pub(crate) async fn continue_journey(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    Ok(see_other(&next_step(&state, &journey).await?))
}

/// `GET /save`.
#[tracing::instrument(skip_all)]
pub(crate) async fn save_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    journey.respondent()?;
    Ok(render(&SavePage {
        layout: journey.layout("Save and come back later").back("/continue"),
    }))
}

/// `POST /save`: a new resume code, replacing the old one.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_code(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let journey = journey(&state, &headers).await?;
    let code = state.store.new_resume_code(journey.respondent()?).await?;
    Ok(render(&CodePage {
        layout: journey.layout("Your resume code"),
        code: code.display(),
        next: "/continue".to_owned(),
    }))
}

/// `GET /resume`.
#[tracing::instrument(skip_all)]
pub(crate) async fn resume_page() -> Response {
    render(&ResumePage {
        layout: Layout::plain("Continue"),
        value: String::new(),
        error: None,
    })
}

/// `POST /resume`: a resume code starts a new session for the same respondent.
#[tracing::instrument(skip_all)]
pub(crate) async fn resume(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let typed = form.text("code").unwrap_or_default();
    let error = |message: &str| {
        render(&ResumePage {
            layout: Layout::plain("Continue").with_error(true),
            value: typed.clone(),
            error: Some(message.to_owned()),
        })
    };
    if typed.is_empty() {
        return Ok(error("Enter your resume code"));
    }
    let Some(code) = ResumeCode::parse(&typed) else {
        return Ok(error(
            "Enter the resume code exactly as it was shown, like ABCD-EFGH-JKLM-NPQR-STUV",
        ));
    };
    let Some(session) = state
        .store
        .resume(&code, state.config.session_lifetime)
        .await?
    else {
        return Ok(error(
            "No survey has that resume code. Check the code and try again",
        ));
    };
    Ok(with_cookie(
        see_other("/continue"),
        &cookie::set(&session, state.config.secure_cookies),
    ))
}

async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(token) = cookie::token(headers) {
        state.store.delete_session(&token).await?;
    }
    Ok(())
}

fn clearing(mut response: Response, state: &AppState) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&cookie::clear(state.config.secure_cookies)) {
        headers.append(SET_COOKIE, value);
    }
    headers.insert(
        "clear-site-data",
        HeaderValue::from_static("\"cookies\", \"storage\""),
    );
    response
}

/// `GET /exit`: the exit button's target. Ends the session and leaves for a neutral
/// site, even if the store cannot be reached.
#[tracing::instrument(skip_all)]
pub(crate) async fn exit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if end_session(&state, &headers).await.is_err() {
        tracing::warn!("could not end a session on exit");
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static(NEUTRAL_SITE));
    clearing(response, &state)
}

/// `POST /leave`: leave and clear this device.
#[tracing::instrument(skip_all)]
pub(crate) async fn leave(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    end_session(&state, &headers).await?;
    let page = render(&MessagePage {
        layout: Layout::plain("Signed out"),
        heading: "You have left and this device is cleared".to_owned(),
        paragraphs: vec![
            "Your answers are saved. Nothing on this device leads back to them.".to_owned(),
            "To carry on, use your resume code on any device.".to_owned(),
        ],
        link: Some((
            "/resume".to_owned(),
            "Continue with a resume code".to_owned(),
        )),
    });
    Ok(clearing(page, &state))
}

/// `GET /accessibility`.
#[tracing::instrument(skip_all)]
pub(crate) async fn accessibility() -> Response {
    render(&AccessibilityPage {
        layout: Layout::plain("Accessibility statement"),
    })
}
