//! Group mode: a facilitator takes a team through the training together on one
//! screen, and each participant then records that they took part.
//!
//! The facilitator's pages (`/group/{token}/...`, reached from a site's start page)
//! need no session and store nothing: they show the module one section at a time, with
//! knowledge checks as questions to discuss and reflections as prompts, and at the end a
//! group session code. Nothing about the people in the room is asked for or recorded.
//!
//! The code is derived from the site's link token and the day (a SHA-256, so it needs
//! no storage and every process agrees on it) and is accepted for [`CODE_DAYS`] days.
//! A participant enters it on their own journey (`/group/join`): their sections are
//! marked complete, each knowledge check is recorded as discussed in a group
//! ([`crate::training::GROUP_ANSWER`]), and their post-training survey opens with
//! `completed-in-group` answered "Yes, all of it", which they can change. The code is
//! a convenience, not proof of attendance: like the rest of the journey it relies on
//! the participant's honesty.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use skafada_store::Site;

use crate::AppState;
use crate::error::AppError;
use crate::form::FormData;
use crate::journey::{Journey, open_site, see_other};
use crate::training::{CheckMode, GROUP_ANSWER, checks, part_views, trainee};
use crate::views::{ErrorLink, Layout, PartView, SectionLink, render};

/// How many days a group session code is accepted, counting the day it was shown.
pub(crate) const CODE_DAYS: i64 = 14;

/// The post-training item a group session code answers.
pub(crate) const GROUP_ITEM: &str = "completed-in-group";

/// The code of `completed-in-group` for "Yes, all of it".
pub(crate) const ALL_OF_IT: &str = "1";

/// Letters and digits that cannot be mistaken for each other (no I, O, 0 or 1).
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Today as a day number (days since 1 January 1970, UTC).
fn today_number() -> i64 {
    skafada_store::unix_now().div_euclid(86_400)
}

/// The group session code of a site on a day, shown as `ABCD-EFGH`.
pub(crate) fn session_code(link_token: &str, day: i64) -> String {
    let digest = skafada_store::hash_secret(&format!("skafada-group-session:{link_token}:{day}"));
    let nibbles: Vec<u8> = digest
        .chars()
        .filter_map(|c| c.to_digit(16))
        .filter_map(|d| u8::try_from(d).ok())
        .collect();
    let mut code = String::with_capacity(9);
    for (i, pair) in nibbles.chunks(2).take(8).enumerate() {
        let byte = pair.iter().fold(0u8, |acc, n| (acc << 4) | n);
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(byte % 32)]));
    }
    code
}

/// Whether `typed` is the site's code for today or one of the [`CODE_DAYS`] - 1 days
/// before. Case, spaces and hyphens do not matter.
pub(crate) fn code_is_valid(link_token: &str, typed: &str, today: i64) -> bool {
    let normalise = |text: &str| -> String {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let typed = normalise(typed);
    typed.len() == 8
        && (0..CODE_DAYS).any(|back| normalise(&session_code(link_token, today - back)) == typed)
}

/// The facilitator's start page.
#[derive(Template)]
#[template(path = "group_start.html")]
struct GroupStartPage {
    layout: Layout,
    site_name: String,
    token: String,
    title: String,
    summary: String,
    /// The module's learning time in words, as the certificate states it.
    time: String,
    sections: Vec<SectionLink>,
}

/// A section shown to a group.
#[derive(Template)]
#[template(path = "group_section.html")]
struct GroupSectionPage {
    layout: Layout,
    token: String,
    module_title: String,
    title: String,
    outcomes: Vec<String>,
    parts: Vec<PartView>,
    position: usize,
    count: usize,
    next: (String, String),
    /// The section's id (the shared part template names check anchors with it).
    id: String,
    /// Unused in group mode, where reflections are discussed, not typed.
    privacy_notice: &'static str,
    /// Always true: `part.html` renders parts for a group.
    group: bool,
}

/// The end of a group session, with the code.
#[derive(Template)]
#[template(path = "group_end.html")]
struct GroupEndPage {
    layout: Layout,
    token: String,
    site_name: String,
    code: String,
    days: i64,
}

/// A participant enters the code.
#[derive(Template)]
#[template(path = "group_join.html")]
struct GroupJoinPage {
    layout: Layout,
    value: String,
    errors: Vec<ErrorLink>,
    error: Option<String>,
}

/// The layout of a facilitator's page: outside any journey (no save or leave), with
/// the site's services in the support panel.
fn facilitator_layout(title: &str, site: &Site) -> Layout {
    Layout {
        in_journey: false,
        ..Layout::journey(title, &site.local_services)
    }
}

/// `GET /group/{token}`: what a group session is, and the contents.
#[tracing::instrument(skip_all)]
pub(crate) async fn start(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (site, content, _) = open_site(&state, &token).await?;
    let module = &content.module;
    Ok(render(&GroupStartPage {
        layout: facilitator_layout("Run a group session", &site).back(&format!("/s/{token}")),
        site_name: site.name.clone(),
        title: module.manifest.title.clone(),
        summary: module.manifest.summary.clone(),
        time: skafada_report::learning_time(i64::from(content.certificate_minutes())),
        sections: module
            .sections
            .iter()
            .map(|section| SectionLink {
                id: section.id.clone(),
                title: section.title.clone(),
                summary: section.summary.clone().unwrap_or_default(),
                done: false,
            })
            .collect(),
        token,
    }))
}

/// `GET /group/{token}/section/{section}`: one section, large, for a group.
#[tracing::instrument(skip_all)]
pub(crate) async fn section(
    State(state): State<AppState>,
    Path((token, section_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (site, content, _) = open_site(&state, &token).await?;
    let module = &content.module;
    let (position, section) = module
        .sections
        .iter()
        .enumerate()
        .find(|(_, s)| s.id == section_id)
        .ok_or(AppError::NotFound)?;
    let back = match position.checked_sub(1).and_then(|p| module.sections.get(p)) {
        Some(previous) => format!("/group/{token}/section/{}", previous.id),
        None => format!("/group/{token}"),
    };
    let next = match module.sections.get(position + 1) {
        Some(next) => (
            format!("/group/{token}/section/{}", next.id),
            format!("Next section: {}", next.title),
        ),
        None => (
            format!("/group/{token}/end"),
            "Finish the session".to_owned(),
        ),
    };
    Ok(render(&GroupSectionPage {
        layout: facilitator_layout("Group session", &site).back(&back),
        module_title: module.manifest.title.clone(),
        title: section.title.clone(),
        outcomes: section.outcomes.clone(),
        parts: part_views(section, &site.local_services, &CheckMode::Group),
        position: position + 1,
        count: module.sections.len(),
        next,
        id: section.id.clone(),
        privacy_notice: skafada_training::REFLECTION_PRIVACY_NOTICE,
        group: true,
        token,
    }))
}

/// `GET /group/{token}/end`: the group session code and what each participant does.
#[tracing::instrument(skip_all)]
pub(crate) async fn end(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (site, content, _) = open_site(&state, &token).await?;
    let back = content
        .module
        .sections
        .last()
        .map(|last| format!("/group/{token}/section/{}", last.id))
        .unwrap_or_else(|| format!("/group/{token}"));
    Ok(render(&GroupEndPage {
        layout: facilitator_layout("Group session code", &site).back(&back),
        site_name: site.name.clone(),
        code: session_code(&site.link_token, today_number()),
        days: CODE_DAYS,
        token,
    }))
}

fn join_view(journey: &Journey, value: String, error: Option<&str>) -> GroupJoinPage {
    GroupJoinPage {
        layout: journey
            .layout("Group session code")
            .back("/training")
            .with_error(error.is_some()),
        value,
        errors: error
            .map(|message| ErrorLink {
                href: "code".to_owned(),
                message: message.to_owned(),
            })
            .into_iter()
            .collect(),
        error: error.map(str::to_owned),
    }
}

/// `GET /group/join`: a participant's form for the code.
#[tracing::instrument(skip_all)]
pub(crate) async fn join_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (journey, _) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    Ok(render(&join_view(&journey, String::new(), None)))
}

/// `POST /group/join`: with a valid code, the training is recorded as done in a group
/// and the post-training survey opens with `completed-in-group` answered.
#[tracing::instrument(skip_all)]
pub(crate) async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let form = FormData::parse(body)?;
    let (journey, respondent) = match trainee(&state, &headers).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let typed = form.text("code").unwrap_or_default();
    if typed.is_empty() {
        return Ok(render(&join_view(
            &journey,
            typed,
            Some("Enter your group session code"),
        )));
    }
    if !code_is_valid(&journey.site.link_token, &typed, today_number()) {
        return Ok(render(&join_view(
            &journey,
            typed,
            Some(
                "No group session at your organisation in the last 14 days has that code. Check the code and try again",
            ),
        )));
    }
    let content = &journey.content;
    let progress = state.store.training_progress(&respondent).await?;
    for section in &content.module.sections {
        for (index, _) in checks(section).enumerate() {
            let index = i64::try_from(index).unwrap_or(i64::MAX);
            if !progress.checks.contains_key(&(section.id.clone(), index)) {
                state
                    .store
                    .record_check(&respondent, &section.id, index, GROUP_ANSWER, false)
                    .await?;
            }
        }
        state
            .store
            .complete_section(&respondent, &section.id)
            .await?;
    }
    if content.post_vars.contains_key(GROUP_ITEM) {
        let first = content
            .post
            .first_page(&Default::default())
            .map(|p| p.id.clone())
            .unwrap_or_else(|| "check".to_owned());
        let post = state.store.start_post(&respondent, &first).await?;
        if post.status.is_open() {
            let answers = state.store.answers(&post.id).await?;
            if !answers.contains_key(GROUP_ITEM) {
                state
                    .store
                    .save_page(
                        &post.id,
                        &[(GROUP_ITEM.to_owned(), ALL_OF_IT.to_owned())],
                        &[],
                        &post.current_page,
                    )
                    .await?;
            }
        }
    }
    Ok(see_other("/continue"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_eight_unambiguous_symbols_in_two_groups() {
        let code = session_code("abc", 20_000);
        assert_eq!(code.len(), 9);
        assert_eq!(code.chars().nth(4), Some('-'));
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| ALPHABET.contains(&(c as u8)))
        );
    }

    #[test]
    fn a_code_is_accepted_for_fourteen_days_in_any_case_and_only_for_its_site() {
        let code = session_code("site-a", 20_000);
        assert!(code_is_valid("site-a", &code, 20_000));
        assert!(code_is_valid(
            "site-a",
            &code.to_lowercase().replace('-', " "),
            20_013
        ));
        assert!(!code_is_valid("site-a", &code, 20_014));
        assert!(!code_is_valid("site-a", &code, 19_999));
        assert!(!code_is_valid("site-b", &code, 20_000));
        assert!(!code_is_valid("site-a", "", 20_000));
    }
}
