//! Survey pages: one topic per page, routed exactly as the instrument says, saved when
//! submitted, then check your answers and submit.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use skafada_instrument::{Instrument, Item, ItemKind};
use skafada_store::{Phase, Response as StoredResponse, Saved, Status, today};

use crate::AppState;
use crate::error::AppError;
use crate::form::{self, FormData, PageAnswers};
use crate::journey::{Journey, journey, journey_or_ended, next_step, see_other, step_url};
use crate::page_save::{self, Next, Outcome, PagePost, items_on};
use crate::training::training_complete;
use crate::views::{
    CheckPage, DonePage, ErrorLink, QuestionPage, SummaryRow, SummarySection, paragraphs, render,
};
use skafada_instrument::stored::StoredKind;

/// `?change=1`: the respondent came from check your answers and goes back there.
#[derive(Debug, Deserialize)]
pub(crate) struct ChangeQuery {
    change: Option<String>,
    /// The question an answer on this page has just added to it.
    added: Option<String>,
}

impl ChangeQuery {
    fn is_change(&self) -> bool {
        self.change.is_some()
    }
}

struct SurveyContext {
    journey: Journey,
    phase: Phase,
    response: StoredResponse,
    stored: BTreeMap<String, String>,
    /// The stored answers read back for routing, once per request.
    answers: skafada_instrument::Answers,
}

impl SurveyContext {
    fn instrument(&self) -> &Instrument {
        match self.phase {
            Phase::Pre => &self.journey.content.pre,
            Phase::Post | Phase::FollowUp(_) => &self.journey.content.post,
        }
    }

    fn vars(&self) -> &BTreeMap<String, StoredKind> {
        match self.phase {
            Phase::Pre => &self.journey.content.pre_vars,
            Phase::Post | Phase::FollowUp(_) => &self.journey.content.post_vars,
        }
    }

    fn caption(&self) -> String {
        match self.phase {
            Phase::Pre => "Survey before the training".to_owned(),
            Phase::Post => "Survey after the training".to_owned(),
            Phase::FollowUp(number) => crate::follow_up::wave(&self.journey.content, number)
                .map_or_else(|| "Follow-up survey".to_owned(), |wave| wave.name.clone()),
        }
    }
}

/// Loads the respondent's response to a phase, or says where they should be instead.
async fn survey_context(
    state: &AppState,
    headers: &HeaderMap,
    phase: &str,
) -> Result<Result<SurveyContext, Response>, AppError> {
    let journey = journey(state, headers).await?;
    survey_context_of(state, journey, phase).await
}

/// As [`survey_context`], for a journey already found.
async fn survey_context_of(
    state: &AppState,
    journey: Journey,
    phase: &str,
) -> Result<Result<SurveyContext, Response>, AppError> {
    let phase = Phase::parse(phase).ok_or(AppError::NotFound)?;
    let respondent = journey.respondent()?.to_owned();
    let found = match phase {
        Phase::Pre => {
            state
                .store
                .response_with_answers(&respondent, Phase::Pre)
                .await?
        }
        Phase::Post => {
            let pre_done = state
                .store
                .response(&respondent, Phase::Pre)
                .await?
                .is_some_and(|r| r.status == Status::Submitted);
            let progress = state.store.training_progress(&respondent).await?;
            if pre_done && training_complete(&journey.content.module, &progress) {
                let first = journey
                    .content
                    .post
                    .first_page(&Default::default())
                    .map(|p| p.id.clone())
                    .unwrap_or_else(|| "check".to_owned());
                let response = state.store.start_post(&respondent, &first).await?;
                let answers = state.store.answers(&response.id).await?;
                Some((response, answers))
            } else {
                None
            }
        }
        Phase::FollowUp(number) => {
            if journey.wave != Some(number) {
                return Err(AppError::NotFound);
            }
            state
                .store
                .response_with_answers(&respondent, phase)
                .await?
                .filter(|(response, _)| response.current_page != skafada_store::LINK_STEP)
        }
    };
    let Some((response, stored)) = found else {
        return Ok(Err(see_other(&next_step(state, &journey).await?)));
    };
    let vars = match phase {
        Phase::Pre => &journey.content.pre_vars,
        Phase::Post | Phase::FollowUp(_) => &journey.content.post_vars,
    };
    let answers = form::to_answers(&stored, vars);
    Ok(Ok(SurveyContext {
        journey,
        phase,
        response,
        stored,
        answers,
    }))
}

/// Whether the respondent may open this page: it is on their route, not a consent page,
/// and not past the page they have reached.
fn reachable(ctx: &SurveyContext, route: &skafada_instrument::Route<'_>, page_id: &str) -> bool {
    let ids = route.page_ids();
    let Some(position) = ids.iter().position(|id| *id == page_id) else {
        return false;
    };
    let is_consent = route.pages[position]
        .1
        .iter()
        .any(|item| matches!(item.kind, ItemKind::Consent { .. }));
    if is_consent {
        return false;
    }
    let current = &ctx.response.current_page;
    current == "check"
        || ids
            .iter()
            .position(|id| id == current)
            .is_some_and(|c| position <= c)
}

fn page_template(
    ctx: &SurveyContext,
    route: &skafada_instrument::Route<'_>,
    page_id: &str,
    items: &[&Item],
    values: &dyn Fn(&str) -> Vec<String>,
    answers: &PageAnswers,
    change: bool,
) -> Result<QuestionPage, AppError> {
    let page = ctx.instrument().page(page_id).ok_or(AppError::NotFound)?;
    let action = if change {
        format!("{}?change=1", step_url(ctx.phase, page_id))
    } else {
        step_url(ctx.phase, page_id)
    };
    let back = if change {
        Some(step_url(ctx.phase, "check"))
    } else {
        previous_page(route, page_id).map(|id| step_url(ctx.phase, &id))
    };
    let mut layout = ctx
        .journey
        .layout(&format!("{}: questions", ctx.caption()))
        .with_error(!answers.errors.is_empty());
    layout.back = back;
    // Pages of questions on the respondent's route (the consent page is not one).
    let question_pages: Vec<&str> = route
        .pages
        .iter()
        .filter(|(_, items)| {
            !items
                .iter()
                .any(|item| matches!(item.kind, ItemKind::Consent { .. }))
        })
        .map(|(page, _)| page.id.as_str())
        .collect();
    let number = question_pages.iter().position(|id| *id == page_id);
    // The survey's opening text comes before its first question.
    let opening = if number == Some(0) {
        ctx.journey.framing(ctx.instrument().intro.as_deref())
    } else {
        Vec::new()
    };
    Ok(QuestionPage {
        layout,
        caption: ctx.caption(),
        progress: number.map(|n| format!("Page {} of {}", n + 1, question_pages.len())),
        added: None,
        opening,
        title: page.title.clone(),
        intro: paragraphs(page.intro.as_deref()),
        fields: fields_with_reveals(page, items, values, answers),
        errors: answers
            .errors
            .iter()
            .map(|(variable, message)| ErrorLink {
                href: variable.clone(),
                message: message.clone(),
            })
            .collect(),
        action,
    })
}

/// The page's fields as the route shows them, with each follow-up that an answer on this
/// page would show placed after them, hidden, for the script to reveal in place (GOV.UK's
/// conditional reveal). Without JavaScript the follow-ups stay hidden and Continue shows
/// the page again with them.
fn fields_with_reveals(
    page: &skafada_instrument::Page,
    items: &[&Item],
    values: &dyn Fn(&str) -> Vec<String>,
    answers: &PageAnswers,
) -> Vec<crate::views::FieldView> {
    let shown: BTreeSet<&str> = items.iter().map(|item| item.id.as_str()).collect();
    let mut fields = Vec::new();
    for item in &page.items {
        if shown.contains(item.id.as_str()) {
            fields.extend(form::field_views(&[item], values, answers));
            continue;
        }
        // A follow-up on one answer of a choice question shown on this page.
        let Some(skafada_instrument::Condition::Is { item: on, codes }) = &item.show_if else {
            continue;
        };
        let controls = items.iter().any(|shown| {
            shown.id == *on
                && matches!(
                    shown.kind,
                    ItemKind::Single { .. } | ItemKind::Multiple { .. }
                )
        });
        if !controls {
            continue;
        }
        for mut field in form::field_views(&[item], values, answers) {
            field.reveal = Some((
                on.clone(),
                codes
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ));
            fields.push(field);
        }
    }
    fields
}

fn previous_page(route: &skafada_instrument::Route<'_>, page_id: &str) -> Option<String> {
    let ids = route.page_ids();
    let position = ids.iter().position(|id| *id == page_id)?;
    let previous = position.checked_sub(1).and_then(|p| route.pages.get(p))?;
    let is_consent = previous
        .1
        .iter()
        .any(|item| matches!(item.kind, ItemKind::Consent { .. }));
    (!is_consent).then(|| previous.0.id.clone())
}

/// `GET /survey/{phase}/page/{page}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<AppState>,
    Path((phase, page_id)): Path<(String, String)>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = match survey_context(&state, &headers, &phase).await? {
        Ok(ctx) => ctx,
        Err(redirect) => return Ok(redirect),
    };
    let route = ctx.instrument().route(&ctx.answers);
    if !ctx.response.status.is_open() || !reachable(&ctx, &route, &page_id) {
        return Ok(see_other(&next_step(&state, &ctx.journey).await?));
    }
    let items = items_on(&route, &page_id).ok_or(AppError::NotFound)?;
    let values = |variable: &str| form::stored_values(&ctx.stored, ctx.vars(), variable);
    let mut view = page_template(
        &ctx,
        &route,
        &page_id,
        &items,
        &values,
        &PageAnswers::default(),
        query.is_change(),
    )?;
    // Said at the top of the page, and the page opens at the question itself: on a phone
    // a reloaded page would otherwise look as if Continue did nothing.
    view.added = query
        .added
        .as_deref()
        .and_then(|id| items.iter().find(|item| item.id == id))
        .map(|item| (item.id.clone(), item.text.clone()));
    Ok(render(&view))
}

/// `POST /survey/{phase}/page/{page}`: validates, then saves the page in one
/// transaction and goes to the next page the routing gives.
#[tracing::instrument(skip_all)]
pub(crate) async fn save(
    State(state): State<AppState>,
    Path((phase, page_id)): Path<(String, String)>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form_data = FormData::parse(body)?;
    // A page posted just after the session ended is saved, not lost (and then the
    // respondent carries on with their resume code).
    let journey = journey_or_ended(&state, &headers).await?;
    let ended = journey.ended;
    let ctx = match survey_context_of(&state, journey, &phase).await? {
        Ok(ctx) => ctx,
        Err(_) if ended => return Err(AppError::NoSession),
        Err(redirect) => return Ok(redirect),
    };
    if !ctx.response.status.is_open() {
        return Err(AppError::AlreadySubmitted);
    }
    let instrument = ctx.instrument();
    let route = instrument.route(&ctx.answers);
    if !reachable(&ctx, &route, &page_id) {
        // A post for a page the routing no longer shows (an old tab, a replay).
        return Err(AppError::BadForm(axum::http::StatusCode::CONFLICT));
    }
    let items = items_on(&route, &page_id).ok_or(AppError::NotFound)?;
    let this_year = today().year();
    let outcome = page_save::plan(PagePost {
        instrument,
        stored: &ctx.stored,
        kinds: ctx.vars(),
        page_id: &page_id,
        items,
        form: &form_data,
        this_year,
        change: query.is_change(),
    });
    let (set, clear, next) = match outcome {
        Outcome::Problems { items, read } => {
            let values = |variable: &str| form_data.values(variable);
            return Ok(render(&page_template(
                &ctx,
                &route,
                &page_id,
                &items,
                &values,
                &read,
                query.is_change(),
            )?));
        }
        Outcome::Save { set, clear, next } => (set, clear, next),
    };
    let next_step_id = next.step(&page_id, query.is_change());
    let location = match &next {
        Next::Revealed { added } if query.is_change() => format!(
            "{}?change=1&added={added}#{added}",
            step_url(ctx.phase, &page_id)
        ),
        Next::Revealed { added } => {
            format!("{}?added={added}#{added}", step_url(ctx.phase, &page_id))
        }
        Next::Check => step_url(ctx.phase, "check"),
        Next::Page(id) => step_url(ctx.phase, id),
    };
    match state
        .store
        .save_page(&ctx.response.id, &set, &clear, &next_step_id)
        .await?
    {
        Saved::Saved if ended => {
            // Saved once; the ended session is then gone for good.
            state.store.delete_session(&ctx.journey.token).await?;
            Ok(see_other("/session-ended"))
        }
        Saved::Saved => Ok(see_other(&location)),
        Saved::AlreadySubmitted => Err(AppError::AlreadySubmitted),
    }
}

/// `GET /survey/{phase}/check-answers`.
#[tracing::instrument(skip_all)]
pub(crate) async fn check_answers(
    State(state): State<AppState>,
    Path(phase): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = match survey_context(&state, &headers, &phase).await? {
        Ok(ctx) => ctx,
        Err(redirect) => return Ok(redirect),
    };
    if !ctx.response.status.is_open() || ctx.response.current_page != "check" {
        return Ok(see_other(&next_step(&state, &ctx.journey).await?));
    }
    let route = ctx.instrument().route(&ctx.answers);
    let mut sections = Vec::new();
    for (page, items) in &route.pages {
        let mut rows = Vec::new();
        for item in items {
            for (question, answer) in form::describe(item, &ctx.stored) {
                rows.push(SummaryRow {
                    question,
                    answer,
                    change: format!("{}?change=1", step_url(ctx.phase, &page.id)),
                });
            }
        }
        if !rows.is_empty() {
            sections.push(SummarySection {
                title: page.title.clone(),
                rows,
            });
        }
    }
    let last = route.pages.last().map(|(page, _)| page.id.clone());
    let mut layout = ctx
        .journey
        .layout(&format!("{}: check your answers", ctx.caption()));
    layout.back = last.map(|id| step_url(ctx.phase, &id));
    Ok(render(&CheckPage {
        layout,
        caption: ctx.caption(),
        sections,
        closing: ctx.journey.framing(ctx.instrument().closing.as_deref()),
        end_message: route.ended_by.map(|(_, rule)| rule.message.clone()),
        action: step_url(ctx.phase, "check"),
    }))
}

/// `POST /survey/{phase}/check-answers`: submits. Posting twice changes nothing.
#[tracing::instrument(skip_all)]
pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(phase): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    FormData::parse(body)?;
    let ctx = match survey_context(&state, &headers, &phase).await? {
        Ok(ctx) => ctx,
        Err(redirect) => return Ok(redirect),
    };
    if !ctx.response.status.is_open() {
        return Ok(see_other(&format!("/survey/{}/done", ctx.phase.as_str())));
    }
    if ctx.response.current_page != "check" {
        return Ok(see_other(&next_step(&state, &ctx.journey).await?));
    }
    let answers = form::to_answers(&ctx.stored, ctx.vars());
    let status = if ctx.instrument().route(&answers).ended_by.is_some() {
        Status::ClosedByRouting
    } else {
        Status::Submitted
    };
    state.store.submit(&ctx.response.id, status).await?;
    Ok(see_other(&format!("/survey/{}/done", ctx.phase.as_str())))
}

/// `GET /survey/{phase}/done`: the confirmation page.
#[tracing::instrument(skip_all)]
pub(crate) async fn done(
    State(state): State<AppState>,
    Path(phase): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = match survey_context(&state, &headers, &phase).await? {
        Ok(ctx) => ctx,
        Err(redirect) => return Ok(redirect),
    };
    let layout = ctx.journey.layout("Survey submitted");
    let page = match (ctx.phase, ctx.response.status) {
        (_, status) if status.is_open() => {
            return Ok(see_other(&next_step(&state, &ctx.journey).await?));
        }
        (Phase::Pre, Status::ClosedByRouting) => {
            let answers = form::to_answers(&ctx.stored, ctx.vars());
            let message = ctx
                .instrument()
                .route(&answers)
                .ended_by
                .map(|(_, rule)| rule.message.clone())
                .unwrap_or_default();
            DonePage {
                layout,
                heading: "Thank you".to_owned(),
                paragraphs: vec![message],
                next: None,
            }
        }
        (Phase::Pre, _) => DonePage {
            layout,
            heading: "Survey submitted".to_owned(),
            paragraphs: vec![
                "Thank you. Next, work through the training module. Your progress is saved as you go, so you can stop and carry on later with your resume code.".to_owned(),
                "After the training there is a shorter survey, and then you can download your CPD certificate.".to_owned(),
            ],
            next: Some(("/training".to_owned(), "Start the training".to_owned())),
        },
        (Phase::FollowUp(_), _) => {
            let linked = state
                .store
                .follow_up_is_linked(ctx.journey.respondent()?, ctx.phase)
                .await?;
            DonePage {
                layout,
                heading: "Survey submitted".to_owned(),
                paragraphs: vec![
                    "Thank you for answering the follow-up survey.".to_owned(),
                    if linked {
                        "Your answers will be put beside your earlier ones, without your name, to see what has changed.".to_owned()
                    } else {
                        "Your answers are not linked to any earlier ones. They still count towards the results for your organisation as a whole.".to_owned()
                    },
                ],
                next: None,
            }
        }
        (Phase::Post, _) => DonePage {
            layout,
            heading: "Survey submitted".to_owned(),
            paragraphs: vec!["Thank you for completing the training and both surveys. You can now download your CPD certificate.".to_owned()],
            next: Some(("/certificate".to_owned(), "Get your certificate".to_owned())),
        },
    };
    Ok(render(&page))
}
