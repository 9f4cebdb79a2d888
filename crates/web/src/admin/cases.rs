//! The case studies, for the research roles (study admins and analysts): case-study
//! sites, the interview log, transcripts in (pseudonymised before anything is stored,
//! with the redactions shown for review), and indexing passages under the framework's
//! sub-themes. The matrix, agreement, document audit and findings are in
//! [`super::case_analysis`].
//!
//! Confidentiality: LA contacts get 404 on every page here, as for anything outside
//! their scope. No interviewee's name is stored: interviews are pseudonyms with a role;
//! the redaction terms typed for an import and the words they replaced are used for that
//! request only and never stored.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use skafada_qualitative::framework::Framework;
use skafada_store::{
    CaseStudySite, Interview, InterviewDetails, InterviewStatus, NewPassage, Role, SiteId,
    StoredTurn, Study, TranscriptState,
};

use super::error::AdminError;
use super::forms::{DateInput, Errors, Input, RadioOption, Radios, TextArea, read_date, read_text};
use super::guard::{Admin, AdminPost};
use super::views::AdminLayout;
use crate::AppState;
use crate::views::{ErrorLink, long_date, render};

/// The largest transcript upload (a long interview is well under 1 MB of text; a Word
/// file with styles a few hundred kB).
pub(crate) const TRANSCRIPT_LIMIT: usize = 8 * 1024 * 1024;

/// A study seen by a research role, with its framework.
pub(super) struct Research {
    pub(super) study: Study,
    pub(super) framework: Framework,
    /// The framework's TOML, as the study uses it.
    pub(super) framework_source: String,
    /// `/admin/studies/{id}/case-studies`.
    pub(super) base: String,
}

/// The study, if the account is a research role that may see it, with its framework;
/// 404 for LA contacts and anyone outside the study.
pub(super) async fn research(
    state: &AppState,
    admin: &Admin,
    study_id: &str,
) -> Result<Research, AdminError> {
    if admin.role() == Role::LaContact {
        return Err(AdminError::NotFound);
    }
    let study = admin.require_study(state, study_id).await?;
    let own = study.framework.clone();
    let (text, file) = if own.is_empty() {
        (
            skafada_qualitative::SKAFADA_FRAMEWORK,
            "frameworks/skafada.toml",
        )
    } else {
        (own.as_str(), "the study's framework")
    };
    let framework = skafada_qualitative::framework::parse(text, file)
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let base = format!("/admin/studies/{}/case-studies", study.id);
    let framework_source = text.to_owned();
    Ok(Research {
        study,
        framework,
        framework_source,
        base,
    })
}

/// A page, answered 422 when it shows a form's errors.
pub(super) fn render_checked<T: Template>(page: &T, error: bool) -> Response {
    let mut response = render(page);
    if error {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The interview with this pseudonym, or 404.
pub(super) async fn interview_of(
    state: &AppState,
    research: &Research,
    pseudonym: &str,
) -> Result<Interview, AdminError> {
    state
        .store
        .interview(&research.study.id, pseudonym)
        .await?
        .ok_or(AdminError::NotFound)
}

/// A role's label from the framework (its id when unknown).
pub(super) fn role_label(framework: &Framework, role: &str) -> String {
    framework
        .role(role)
        .map_or_else(|| role.to_owned(), |r| r.label.clone())
}

/// "Case study 1 (LA01)".
pub(super) fn site_label(sites: &[CaseStudySite], site_id: &str) -> String {
    sites.iter().find(|s| s.site_id == site_id).map_or_else(
        || "Not a case-study site".to_owned(),
        |s| format!("Case study {} ({})", s.number, s.site_code),
    )
}

/// The case-study number of a site (0 when it is not one).
pub(super) fn site_number(sites: &[CaseStudySite], site_id: &str) -> i64 {
    sites
        .iter()
        .find(|s| s.site_id == site_id)
        .map_or(0, |s| s.number)
}

fn transcript_label(state: TranscriptState) -> &'static str {
    match state {
        TranscriptState::None => "No transcript",
        TranscriptState::Review => "Redactions to check",
        TranscriptState::Accepted => "Ready for coding",
    }
}

/// An interview in the log.
struct InterviewRow {
    pseudonym: String,
    href: String,
    site: String,
    role: String,
    date: String,
    status: String,
    transcript: String,
    double_coded: bool,
}

struct SiteRow {
    number: i64,
    code: String,
    interviews: usize,
}

#[derive(Template)]
#[template(path = "admin/cases/overview.html")]
struct OverviewPage {
    layout: AdminLayout,
    study_name: String,
    base: String,
    csrf: String,
    sites: Vec<SiteRow>,
    site_choice: Radios,
    interviews: Vec<InterviewRow>,
    errors: Vec<ErrorLink>,
}

fn site_choice(available: &[(String, String)], error: Option<String>) -> Radios {
    Radios {
        id: "site".to_owned(),
        legend: "Site to add as a case-study site".to_owned(),
        hint: None,
        options: available
            .iter()
            .map(|(id, label)| RadioOption {
                value: id.clone(),
                label: label.clone(),
                hint: None,
                checked: false,
            })
            .collect(),
        error,
    }
}

async fn overview_page(
    state: &AppState,
    admin: &Admin,
    research: &Research,
    error: Option<String>,
) -> Result<Response, AdminError> {
    let sites = state.store.case_study_sites(&research.study.id).await?;
    let interviews = state.store.interviews(&research.study.id).await?;
    let taken: BTreeSet<&str> = sites.iter().map(|s| s.site_id.as_str()).collect();
    let available: Vec<(String, String)> = state
        .store
        .sites(&research.study.id)
        .await?
        .into_iter()
        .filter(|s| !taken.contains(s.id.as_str()))
        .map(|s| (s.id.into_string(), format!("{} ({})", s.code, s.region)))
        .collect();
    let mut errors = Errors::default();
    if let Some(message) = &error {
        errors.add("site-1", message);
    }
    let failed = error.is_some();
    let page = OverviewPage {
        layout: AdminLayout::new(
            &format!("Case studies – {}", research.study.name),
            Some(admin),
        )
        .back(&format!("/admin/studies/{}", research.study.id))
        .with_error(error.is_some()),
        study_name: research.study.name.clone(),
        base: research.base.clone(),
        csrf: admin.csrf.clone(),
        sites: sites
            .iter()
            .map(|s| SiteRow {
                number: s.number,
                code: s.site_code.clone(),
                interviews: interviews.iter().filter(|i| i.site_id == s.site_id).count(),
            })
            .collect(),
        site_choice: site_choice(&available, error),
        interviews: interviews
            .iter()
            .map(|i| InterviewRow {
                pseudonym: i.pseudonym.clone(),
                href: format!("{}/interviews/{}", research.base, i.pseudonym),
                site: site_label(&sites, &i.site_id),
                role: role_label(&research.framework, &i.details.role),
                date: long_date(&i.details.interviewed_on),
                status: i.details.status.label().to_owned(),
                transcript: transcript_label(i.transcript).to_owned(),
                double_coded: i.double_coded,
            })
            .collect(),
        errors: errors.0,
    };
    Ok(render_checked(&page, failed))
}

/// `GET /admin/studies/{study}/case-studies`.
#[tracing::instrument(skip_all)]
pub(crate) async fn overview(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    overview_page(&state, &admin, &research, None).await
}

/// `POST /admin/studies/{study}/case-studies/sites`: makes a site a case-study site.
#[tracing::instrument(skip_all)]
pub(crate) async fn add_site(
    State(state): State<AppState>,
    Path(study_id): Path<String>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let chosen = form.text("site").unwrap_or_default();
    let site = state
        .store
        .sites(&research.study.id)
        .await?
        .into_iter()
        .find(|s| s.id == chosen.as_str());
    let Some(site) = site else {
        return overview_page(
            &state,
            &admin,
            &research,
            Some("Select the site to add as a case-study site".to_owned()),
        )
        .await;
    };
    state
        .store
        .add_case_study_site(&research.study.id, &site.id, admin.account_id())
        .await?;
    Ok(Redirect::to(&research.base).into_response())
}

// ---------------------------------------------------------------------------------------
// The interview log

#[derive(Template)]
#[template(path = "admin/cases/interview_form.html")]
struct InterviewForm {
    layout: AdminLayout,
    heading: String,
    action: String,
    csrf: String,
    errors: Vec<ErrorLink>,
    site: Option<Radios>,
    role: Radios,
    date: DateInput,
    mode: Input,
    interviewer: Input,
    consent: Input,
    status: Radios,
    button: String,
}

fn radios(id: &str, legend: &str, options: &[(String, String)], chosen: &str) -> Radios {
    Radios {
        id: id.to_owned(),
        legend: legend.to_owned(),
        hint: None,
        options: options
            .iter()
            .map(|(value, label)| RadioOption {
                value: value.clone(),
                label: label.clone(),
                hint: None,
                checked: value == chosen,
            })
            .collect(),
        error: None,
    }
}

struct InterviewFields {
    site: Option<Radios>,
    role: Radios,
    date: DateInput,
    mode: Input,
    interviewer: Input,
    consent: Input,
    status: Radios,
}

fn interview_fields(
    framework: &Framework,
    sites: Option<&[CaseStudySite]>,
    chosen_site: &str,
    details: Option<&InterviewDetails>,
) -> InterviewFields {
    let roles: Vec<(String, String)> = framework
        .roles
        .iter()
        .map(|r| (r.id.clone(), r.label.clone()))
        .collect();
    let statuses: Vec<(String, String)> = InterviewStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    InterviewFields {
        site: sites.map(|sites| {
            let options: Vec<(String, String)> = sites
                .iter()
                .map(|s| {
                    (
                        s.site_id.to_string(),
                        format!("Case study {} ({})", s.number, s.site_code),
                    )
                })
                .collect();
            radios("site", "Case-study site", &options, chosen_site)
        }),
        role: radios(
            "role",
            "Participant's role",
            &roles,
            details.map_or("", |d| d.role.as_str()),
        ),
        date: DateInput::from_iso(
            "interviewed-on",
            "Date of the interview",
            &details.map_or_else(String::new, |d| d.interviewed_on.to_string()),
        ),
        mode: Input::new("mode", "How it was held", details.map_or("", |d| d.mode.as_str()))
            .hint("For example, Online (Teams) or Telephone"),
        interviewer: Input::new(
            "interviewer",
            "Interviewer",
            details.map_or("", |d| d.interviewer.as_str()),
        )
        .hint("The member of the research team who interviewed"),
        consent: Input::new(
            "consent-recorded-by",
            "Consent recorded by",
            details.map_or("", |d| d.consent_recorded_by.as_str()),
        )
        .hint("The member of the research team who recorded the participant's consent. Required once the interview has been held"),
        status: radios(
            "status",
            "Status",
            &statuses,
            details.map_or("planned", |d| d.status.as_str()),
        ),
    }
}

/// An interview form that did not validate: its fields as typed, and their errors.
type RefusedInterview = (InterviewFields, Errors);

/// Reads the interview form; the details when valid, else the fields with their errors.
fn read_interview(
    form: &crate::form::FormData,
    mut fields: InterviewFields,
    framework: &Framework,
    sites: Option<&[CaseStudySite]>,
) -> Result<(Option<SiteId>, InterviewDetails), Box<RefusedInterview>> {
    let mut errors = Errors::default();
    let site = match (&mut fields.site, sites) {
        (Some(radios), Some(sites)) => {
            let chosen = form.text("site").unwrap_or_default();
            for option in &mut radios.options {
                option.checked = option.value == chosen;
            }
            if let Some(site) = sites.iter().find(|s| s.site_id == chosen.as_str()) {
                Some(site.site_id.clone())
            } else {
                radios.error = Some("Select the case-study site".to_owned());
                errors.add(&radios.first_id(), "Select the case-study site");
                None
            }
        }
        _ => None,
    };
    let role = form.text("role").unwrap_or_default();
    for option in &mut fields.role.options {
        option.checked = option.value == role;
    }
    if framework.role(&role).is_none() {
        fields.role.error = Some("Select the participant's role".to_owned());
        errors.add(&fields.role.first_id(), "Select the participant's role");
    }
    let (date, iso) = read_date(
        form,
        "interviewed-on",
        "Date of the interview",
        "date of the interview",
    );
    fields.date = date;
    errors.on_date(&fields.date);
    let mode = read_text(form, &mut fields.mode, &mut errors, None, 60);
    let interviewer = read_text(
        form,
        &mut fields.interviewer,
        &mut errors,
        Some("Enter who interviewed"),
        100,
    );
    let status_text = form.text("status").unwrap_or_default();
    for option in &mut fields.status.options {
        option.checked = option.value == status_text;
    }
    let status = InterviewStatus::parse(&status_text);
    if status.is_none() {
        fields.status.error = Some("Select the interview's status".to_owned());
        errors.add(&fields.status.first_id(), "Select the interview's status");
    }
    let consent_required = status == Some(InterviewStatus::Interviewed);
    let consent = read_text(
        form,
        &mut fields.consent,
        &mut errors,
        consent_required.then_some(
            "Enter who recorded the participant's consent: an interview is only held with consent",
        ),
        100,
    );
    match (iso, mode, interviewer, consent, status) {
        (Some(iso), Some(mode), Some(interviewer), Some(consent), Some(status))
            if errors.is_empty() =>
        {
            Ok((
                site,
                InterviewDetails {
                    role,
                    interviewed_on: iso,
                    mode,
                    interviewer,
                    consent_recorded_by: consent,
                    status,
                },
            ))
        }
        _ => Err(Box::new((fields, errors))),
    }
}

fn interview_form(
    admin: &Admin,
    title: &str,
    back: &str,
    action: String,
    fields: InterviewFields,
    errors: Errors,
    button: &str,
) -> Response {
    let error = !errors.is_empty();
    render_checked(
        &InterviewForm {
            layout: AdminLayout::new(title, Some(admin))
                .back(back)
                .with_error(error),
            heading: title.to_owned(),
            action,
            csrf: admin.csrf.clone(),
            errors: errors.0,
            site: fields.site,
            role: fields.role,
            date: fields.date,
            mode: fields.mode,
            interviewer: fields.interviewer,
            consent: fields.consent,
            status: fields.status,
            button: button.to_owned(),
        },
        error,
    )
}

/// `GET /admin/studies/{study}/case-studies/interviews/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_interview_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let sites = state.store.case_study_sites(&research.study.id).await?;
    if sites.is_empty() {
        return Ok(Redirect::to(&research.base).into_response());
    }
    let chosen = if sites.len() == 1 {
        sites[0].site_id.to_string()
    } else {
        String::new()
    };
    let fields = interview_fields(&research.framework, Some(&sites), &chosen, None);
    Ok(interview_form(
        &admin,
        "Add an interview",
        &research.base,
        format!("{}/interviews/new", research.base),
        fields,
        Errors::default(),
        "Add the interview",
    ))
}

/// `POST /admin/studies/{study}/case-studies/interviews/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn add_interview(
    State(state): State<AppState>,
    Path(study_id): Path<String>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let sites = state.store.case_study_sites(&research.study.id).await?;
    let fields = interview_fields(&research.framework, Some(&sites), "", None);
    match read_interview(&form, fields, &research.framework, Some(&sites)) {
        Ok((Some(site), details)) => {
            let interview = state
                .store
                .add_interview(
                    &research.study.id,
                    &site,
                    None,
                    &details,
                    admin.account_id(),
                )
                .await?;
            Ok(Redirect::to(&format!(
                "{}/interviews/{}",
                research.base, interview.pseudonym
            ))
            .into_response())
        }
        Ok((None, _)) => Err(AdminError::BadForm),
        Err(failed) => {
            let (fields, errors) = *failed;
            Ok(interview_form(
                &admin,
                "Add an interview",
                &research.base,
                format!("{}/interviews/new", research.base),
                fields,
                errors,
                "Add the interview",
            ))
        }
    }
}

/// `GET /admin/studies/{study}/case-studies/interviews/{pseudonym}/edit`.
#[tracing::instrument(skip_all)]
pub(crate) async fn edit_interview_page(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let href = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let fields = interview_fields(&research.framework, None, "", Some(&interview.details));
    Ok(interview_form(
        &admin,
        &format!("Change {}", interview.pseudonym),
        &href,
        format!("{href}/edit"),
        fields,
        Errors::default(),
        "Save the changes",
    ))
}

/// `POST /admin/studies/{study}/case-studies/interviews/{pseudonym}/edit`.
#[tracing::instrument(skip_all)]
pub(crate) async fn edit_interview(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let href = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let fields = interview_fields(&research.framework, None, "", Some(&interview.details));
    match read_interview(&form, fields, &research.framework, None) {
        Ok((_, details)) => {
            state
                .store
                .update_interview(&interview, &details, admin.account_id())
                .await?;
            Ok(Redirect::to(&href).into_response())
        }
        Err(failed) => {
            let (fields, errors) = *failed;
            Ok(interview_form(
                &admin,
                &format!("Change {}", interview.pseudonym),
                &href,
                format!("{href}/edit"),
                fields,
                errors,
                "Save the changes",
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// An interview and its transcript

/// A turn as shown.
pub(super) struct TurnView {
    pub(super) number: i64,
    pub(super) speaker: String,
    pub(super) paragraphs: Vec<String>,
}

pub(super) fn turn_view(turn: &StoredTurn) -> TurnView {
    TurnView {
        number: turn.number,
        speaker: turn.speaker.clone(),
        paragraphs: turn.text.split("\n\n").map(str::to_owned).collect(),
    }
}

#[derive(Template)]
#[template(path = "admin/cases/interview.html")]
struct InterviewPage {
    layout: AdminLayout,
    href: String,
    csrf: String,
    pseudonym: String,
    details: Vec<(String, String)>,
    state: String,
    turns: Vec<TurnView>,
    /// Just imported: each replacement made (from, to), shown once and never stored.
    replacements: Option<Vec<(String, String)>>,
    double_coded: bool,
    errors: Vec<ErrorLink>,
    file: Input,
    terms: TextArea,
    more_terms: TextArea,
}

struct InterviewExtras {
    replacements: Option<Vec<(String, String)>>,
    errors: Errors,
    file: Input,
    terms: TextArea,
    more_terms: TextArea,
}

fn terms_area(id: &str, label: &str, value: &str) -> TextArea {
    TextArea {
        id: id.to_owned(),
        label: label.to_owned(),
        hint: Some("Names of people, places, teams and services, one on each line. They are used for this import only and are not kept.".to_owned()),
        value: value.to_owned(),
        error: None,
        rows: 5,
    }
}

fn file_input() -> Input {
    Input {
        id: "transcript".to_owned(),
        label: "Transcript file".to_owned(),
        hint: Some("A Word document (.docx), WebVTT captions from Teams or Zoom (.vtt) or plain text (.txt), up to 8 MB".to_owned()),
        value: ".docx,.vtt,.txt".to_owned(),
        ..Input::default()
    }
}

impl Default for InterviewExtras {
    fn default() -> Self {
        InterviewExtras {
            replacements: None,
            errors: Errors::default(),
            file: file_input(),
            terms: terms_area("terms", "Words to remove", ""),
            more_terms: terms_area("more-terms", "More words to remove", ""),
        }
    }
}

async fn interview_page(
    state: &AppState,
    admin: &Admin,
    research: &Research,
    interview: &Interview,
    extras: InterviewExtras,
) -> Result<Response, AdminError> {
    let sites = state.store.case_study_sites(&research.study.id).await?;
    let turns = state.store.transcript(&interview.id).await?;
    let href = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let d = &interview.details;
    let error = !extras.errors.is_empty();
    let page = InterviewPage {
        layout: AdminLayout::new(&format!("Interview {}", interview.pseudonym), Some(admin))
            .back(&research.base)
            .with_error(error),
        href,
        csrf: admin.csrf.clone(),
        pseudonym: interview.pseudonym.clone(),
        details: vec![
            ("Site".to_owned(), site_label(&sites, &interview.site_id)),
            ("Role".to_owned(), role_label(&research.framework, &d.role)),
            ("Date".to_owned(), long_date(&d.interviewed_on)),
            (
                "How it was held".to_owned(),
                if d.mode.is_empty() {
                    "Not recorded".to_owned()
                } else {
                    d.mode.clone()
                },
            ),
            ("Interviewer".to_owned(), d.interviewer.clone()),
            (
                "Consent recorded by".to_owned(),
                if d.consent_recorded_by.is_empty() {
                    "Not yet recorded".to_owned()
                } else {
                    d.consent_recorded_by.clone()
                },
            ),
            ("Status".to_owned(), d.status.label().to_owned()),
        ],
        state: match interview.transcript {
            TranscriptState::None => "none",
            TranscriptState::Review => "review",
            TranscriptState::Accepted => "accepted",
        }
        .to_owned(),
        turns: turns.iter().map(turn_view).collect(),
        replacements: extras.replacements,
        double_coded: interview.double_coded,
        errors: extras.errors.0,
        file: extras.file,
        terms: extras.terms,
        more_terms: extras.more_terms,
    };
    Ok(render_checked(&page, error))
}

/// `GET /admin/studies/{study}/case-studies/interviews/{pseudonym}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn interview(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    interview_page(
        &state,
        &admin,
        &research,
        &interview,
        InterviewExtras::default(),
    )
    .await
}

/// `POST .../interviews/{pseudonym}/transcript` (multipart): reads, pseudonymises and
/// stores the transcript for review, and shows each replacement made, once.
#[tracing::instrument(skip_all)]
pub(crate) async fn import_transcript(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym)): Path<(String, String)>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let (form, mut files) =
        super::studies::read_multipart(multipart.map_err(|_| AdminError::BadForm)?).await?;
    super::guard::check_csrf(&admin, &form)?;
    let mut extras = InterviewExtras::default();
    let typed = form.text("terms").unwrap_or_default();
    extras.terms.value.clone_from(&typed);
    if interview.transcript == TranscriptState::Accepted {
        extras.errors.add(
            "transcript",
            "This interview already has a transcript open for coding. Delete it first to import another",
        );
        return interview_page(&state, &admin, &research, &interview, extras).await;
    }
    let problem = match files.remove("transcript") {
        None => Some("Choose the transcript file".to_owned()),
        Some(upload) => match skafada_transcripts::Format::of(&upload.name) {
            None => Some(
                "The transcript must be a Word document (.docx), WebVTT captions (.vtt) or plain text (.txt)".to_owned(),
            ),
            Some(format) => {
                let list = skafada_transcripts::RedactionList::parse(&typed);
                // The file's own name may name the participant: it is not shown or kept.
                match skafada_transcripts::import("The file", &upload.bytes, format, &list) {
                    Err(error) => Some(format!("{error}")),
                    Ok(transcript) => {
                        let turns: Vec<(String, String)> = transcript
                            .turns
                            .into_iter()
                            .map(|t| (t.speaker, t.text))
                            .collect();
                        state
                            .store
                            .store_transcript(
                                &interview,
                                &turns,
                                transcript.redactions.len(),
                                admin.account_id(),
                            )
                            .await?;
                        extras.replacements = Some(
                            transcript
                                .redactions
                                .into_iter()
                                .map(|r| (r.from, r.to))
                                .collect(),
                        );
                        extras.terms.value.clear();
                        None
                    }
                }
            }
        },
    };
    if let Some(message) = problem {
        extras.file.error = Some(message.clone());
        extras.errors.add("transcript", &message);
        extras.file.hint = extras.file.hint.map(|hint| {
            format!("{hint}. Choose the file again: files are not kept when there is a problem")
        });
    }
    let interview = interview_of(&state, &research, &pseudonym).await?;
    interview_page(&state, &admin, &research, &interview, extras).await
}

/// `POST .../interviews/{pseudonym}/transcript/redact`: removes more words from a
/// transcript in review, showing the replacements once.
#[tracing::instrument(skip_all)]
pub(crate) async fn redact_more(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    if interview.transcript != TranscriptState::Review {
        return Err(AdminError::NotFound);
    }
    let typed = form.text("more-terms").unwrap_or_default();
    let mut extras = InterviewExtras::default();
    let list = skafada_transcripts::RedactionList::parse(&typed);
    if list.terms().is_empty() {
        extras.more_terms.error = Some("Enter the words to remove, one on each line".to_owned());
        extras
            .errors
            .add("more-terms", "Enter the words to remove, one on each line");
        return interview_page(&state, &admin, &research, &interview, extras).await;
    }
    let stored = state.store.transcript(&interview.id).await?;
    let numbers: Vec<i64> = stored.iter().map(|t| t.number).collect();
    let redacted = skafada_transcripts::redact_more(
        stored
            .into_iter()
            .map(|t| skafada_transcripts::Turn {
                speaker: t.speaker,
                text: t.text,
            })
            .collect(),
        &list,
    );
    let turns: Vec<StoredTurn> = numbers
        .into_iter()
        .zip(redacted.turns)
        .map(|(number, t)| StoredTurn {
            number,
            speaker: t.speaker,
            text: t.text,
        })
        .collect();
    state
        .store
        .revise_transcript(
            &interview,
            &turns,
            redacted.redactions.len(),
            admin.account_id(),
        )
        .await?;
    extras.replacements = Some(
        redacted
            .redactions
            .into_iter()
            .map(|r| (r.from, r.to))
            .collect(),
    );
    interview_page(&state, &admin, &research, &interview, extras).await
}

/// `POST .../interviews/{pseudonym}/transcript/accept`.
#[tracing::instrument(skip_all)]
pub(crate) async fn accept_transcript(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, .. }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    if interview.transcript != TranscriptState::Review {
        return Err(AdminError::NotFound);
    }
    state
        .store
        .accept_transcript(&interview, admin.account_id())
        .await?;
    Ok(Redirect::to(&format!(
        "{}/interviews/{}/coding",
        research.base, interview.pseudonym
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "admin/cases/confirm.html")]
struct ConfirmPage {
    layout: AdminLayout,
    heading: String,
    paragraphs: Vec<String>,
    action: String,
    button: String,
    csrf: String,
    cancel: String,
}

/// `GET .../interviews/{pseudonym}/transcript/delete` and `.../delete`: asks first.
#[tracing::instrument(skip_all)]
pub(crate) async fn confirm_delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym, what)): Path<(String, String, String)>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let href = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let (heading, paragraphs, button) = match what.as_str() {
        "transcript" => (
            format!("Delete the transcript of {}?", interview.pseudonym),
            vec![
                "The transcript and every passage indexed in it will be deleted, with any decisions on coders' disagreements. The matrix summaries you wrote stay.".to_owned(),
                "This cannot be undone.".to_owned(),
            ],
            "Delete the transcript",
        ),
        "interview" => (
            format!("Delete interview {}?", interview.pseudonym),
            vec![
                "The interview, its transcript, its indexed passages and its matrix summaries will be deleted, for example because the participant withdrew their consent.".to_owned(),
                "This cannot be undone.".to_owned(),
            ],
            "Delete the interview",
        ),
        _ => return Err(AdminError::NotFound),
    };
    Ok(render(&ConfirmPage {
        layout: AdminLayout::new(&heading, Some(&admin)).back(&href),
        heading,
        paragraphs,
        action: format!("{href}/{what}/delete"),
        button: button.to_owned(),
        csrf: admin.csrf.clone(),
        cancel: href,
    }))
}

/// `POST .../interviews/{pseudonym}/{transcript|interview}/delete`.
#[tracing::instrument(skip_all)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((study_id, pseudonym, what)): Path<(String, String, String)>,
    AdminPost { admin, .. }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    match what.as_str() {
        "transcript" => {
            state
                .store
                .delete_transcript(&interview, admin.account_id())
                .await?;
            Ok(Redirect::to(&format!(
                "{}/interviews/{}",
                research.base, interview.pseudonym
            ))
            .into_response())
        }
        "interview" => {
            state
                .store
                .delete_interview(&interview, admin.account_id())
                .await?;
            Ok(Redirect::to(&research.base).into_response())
        }
        _ => Err(AdminError::NotFound),
    }
}

/// `POST .../interviews/{pseudonym}/double-coding`.
#[tracing::instrument(skip_all)]
pub(crate) async fn double_coding(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let on = form.text("double-coded").as_deref() == Some("yes");
    state
        .store
        .set_double_coded(&interview, on, admin.account_id())
        .await?;
    Ok(Redirect::to(&format!(
        "{}/interviews/{}",
        research.base, interview.pseudonym
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------
// Indexing (coding)

/// A passage as shown on the coding page.
struct PassageView {
    id: String,
    words: String,
    /// Only some words of the turn.
    partial: bool,
    codes: Vec<String>,
    memo: String,
    report_quote: bool,
}

/// A turn with the viewer's passages in it.
struct CodingTurn {
    turn: TurnView,
    passages: Vec<PassageView>,
}

/// A group of sub-theme checkboxes.
struct ThemeBox {
    title: String,
    options: Vec<(String, String, String, bool)>,
}

#[derive(Template)]
#[template(path = "admin/cases/coding.html")]
struct CodingPage {
    layout: AdminLayout,
    href: String,
    csrf: String,
    pseudonym: String,
    coder: String,
    double_coded: bool,
    others: usize,
    turns: Vec<CodingTurn>,
    themes: Vec<ThemeBox>,
    errors: Vec<ErrorLink>,
    turn_error: Option<String>,
    code_error: Option<String>,
    quote: Input,
    memo: TextArea,
    report_quote: bool,
    chosen_turns: Vec<i64>,
}

/// The words of a passage: its span of the turn, or the whole turn.
pub(super) fn passage_words(turns: &[StoredTurn], turn: i64, span: Option<(i64, i64)>) -> String {
    let Some(text) = turns.iter().find(|t| t.number == turn).map(|t| &t.text) else {
        return String::new();
    };
    match span {
        None => text.clone(),
        Some((start, end)) => text
            .chars()
            .skip(usize::try_from(start).unwrap_or(0))
            .take(usize::try_from(end - start).unwrap_or(0))
            .collect(),
    }
}

struct CodingForm {
    errors: Errors,
    turn_error: Option<String>,
    code_error: Option<String>,
    quote: Input,
    memo: TextArea,
    report_quote: bool,
    chosen_turns: Vec<i64>,
    chosen_codes: Vec<String>,
}

impl Default for CodingForm {
    fn default() -> Self {
        CodingForm {
            errors: Errors::default(),
            turn_error: None,
            code_error: None,
            quote: Input::new("quote", "Exact words to index (optional)", "").hint(
                "Copy them from the one turn you selected. Leave this empty to index the whole of each selected turn",
            ),
            memo: TextArea {
                id: "memo".to_owned(),
                label: "Memo (optional)".to_owned(),
                hint: Some("Your analytic note on this passage".to_owned()),
                value: String::new(),
                error: None,
                rows: 3,
            },
            report_quote: false,
            chosen_turns: Vec::new(),
            chosen_codes: Vec::new(),
        }
    }
}

async fn coding_page(
    state: &AppState,
    admin: &Admin,
    research: &Research,
    interview: &Interview,
    form: CodingForm,
) -> Result<Response, AdminError> {
    if interview.transcript != TranscriptState::Accepted {
        return Err(AdminError::NotFound);
    }
    let turns = state.store.transcript(&interview.id).await?;
    let passages = state.store.passages(&interview.id).await?;
    let coder = admin.session.account.email.clone();
    let mine: Vec<_> = passages
        .iter()
        .filter(|p| !interview.double_coded || p.coder == coder)
        .collect();
    let others = passages.iter().filter(|p| p.coder != coder).count();
    let title = |id: &str| {
        research
            .framework
            .sub_theme(id)
            .map_or_else(|| id.to_owned(), |s| s.title.clone())
    };
    let href = format!("{}/interviews/{}", research.base, interview.pseudonym);
    let error = !form.errors.is_empty();
    let page = CodingPage {
        layout: AdminLayout::new(&format!("Index {}", interview.pseudonym), Some(admin))
            .back(&href)
            .with_error(error),
        href,
        csrf: admin.csrf.clone(),
        pseudonym: interview.pseudonym.clone(),
        coder: coder.clone(),
        double_coded: interview.double_coded,
        others: if interview.double_coded { others } else { 0 },
        turns: turns
            .iter()
            .map(|turn| CodingTurn {
                turn: turn_view(turn),
                passages: mine
                    .iter()
                    .filter(|p| p.passage.turn == turn.number)
                    .map(|p| PassageView {
                        id: p.id.clone(),
                        words: passage_words(&turns, p.passage.turn, p.passage.span),
                        partial: p.passage.span.is_some(),
                        codes: p.passage.codes.iter().map(|c| title(c)).collect(),
                        memo: p.passage.memo.clone(),
                        report_quote: p.passage.report_quote,
                    })
                    .collect(),
            })
            .collect(),
        themes: research
            .framework
            .themes
            .iter()
            .map(|theme| ThemeBox {
                title: theme.title.clone(),
                options: theme
                    .sub_themes
                    .iter()
                    .map(|sub| {
                        (
                            sub.id.clone(),
                            sub.title.clone(),
                            sub.definition.clone(),
                            form.chosen_codes.contains(&sub.id),
                        )
                    })
                    .collect(),
            })
            .collect(),
        errors: form.errors.0,
        turn_error: form.turn_error,
        code_error: form.code_error,
        quote: form.quote,
        memo: form.memo,
        report_quote: form.report_quote,
        chosen_turns: form.chosen_turns,
    };
    Ok(render_checked(&page, error))
}

/// `GET .../interviews/{pseudonym}/coding`.
#[tracing::instrument(skip_all)]
pub(crate) async fn coding(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, pseudonym)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    coding_page(&state, &admin, &research, &interview, CodingForm::default()).await
}

/// Where `quote` is in `text`, as char offsets `[start, end)`.
fn find_quote(text: &str, quote: &str) -> Option<(i64, i64)> {
    let at = text.find(quote)?;
    let start = text.get(..at)?.chars().count();
    let end = start + quote.chars().count();
    Some((i64::try_from(start).ok()?, i64::try_from(end).ok()?))
}

/// `POST .../interviews/{pseudonym}/coding`: indexes each selected turn (or the quoted
/// words of the one selected turn) under the chosen sub-themes.
#[tracing::instrument(skip_all)]
pub(crate) async fn add_passages(
    State(state): State<AppState>,
    Path((study_id, pseudonym)): Path<(String, String)>,
    AdminPost { admin, form }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    if interview.transcript != TranscriptState::Accepted {
        return Err(AdminError::NotFound);
    }
    let turns = state.store.transcript(&interview.id).await?;
    let chosen_turns: Vec<i64> = form
        .values("turn")
        .iter()
        .filter_map(|t| t.parse::<i64>().ok())
        .filter(|n| turns.iter().any(|t| t.number == *n))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let chosen_codes: Vec<String> = form
        .values("code")
        .into_iter()
        .filter(|c| research.framework.sub_theme(c).is_some())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut coding = CodingForm {
        chosen_turns,
        chosen_codes,
        report_quote: form.text("report-quote").as_deref() == Some("yes"),
        ..CodingForm::default()
    };
    coding.quote.value = form.text("quote").unwrap_or_default().trim().to_owned();
    coding.memo.value = form.text("memo").unwrap_or_default();
    if coding.chosen_turns.is_empty() {
        let message = "Select the turn or turns to index";
        coding.turn_error = Some(message.to_owned());
        coding.errors.add("turns", message);
    }
    if coding.chosen_codes.is_empty() {
        let message = "Select at least one sub-theme";
        coding.code_error = Some(message.to_owned());
        coding.errors.add("codes", message);
    }
    let mut span = None;
    if !coding.quote.value.is_empty() {
        match coding.chosen_turns.as_slice() {
            [one] => {
                let text = turns
                    .iter()
                    .find(|t| t.number == *one)
                    .map(|t| t.text.as_str())
                    .unwrap_or_default();
                span = find_quote(text, &coding.quote.value);
                if span.is_none() {
                    let message = format!(
                        "The exact words must be copied from turn {one}: these words are not in it"
                    );
                    coding.errors.on_input(&mut coding.quote, &message);
                }
            }
            [] => {}
            _ => {
                let message = "Select only one turn when you give the exact words to index";
                coding.errors.on_input(&mut coding.quote, message);
            }
        }
    }
    if coding.memo.value.chars().count() > 2000 {
        let message = "The memo must be 2,000 characters or fewer";
        coding.memo.error = Some(message.to_owned());
        coding.errors.add("memo", message);
    }
    if !coding.errors.is_empty() {
        return coding_page(&state, &admin, &research, &interview, coding).await;
    }
    let coder = admin.session.account.email.clone();
    for turn in &coding.chosen_turns {
        state
            .store
            .add_passage(
                &interview,
                &coder,
                &NewPassage {
                    turn: *turn,
                    span,
                    codes: coding.chosen_codes.clone(),
                    memo: coding.memo.value.trim().to_owned(),
                    report_quote: coding.report_quote,
                },
                admin.account_id(),
            )
            .await?;
    }
    let first = coding.chosen_turns.first().copied().unwrap_or(1);
    Ok(Redirect::to(&format!(
        "{}/interviews/{}/coding#turn-{first}",
        research.base, interview.pseudonym
    ))
    .into_response())
}

/// `POST .../interviews/{pseudonym}/passages/{id}/delete`: a coder removes one of their
/// own passages.
#[tracing::instrument(skip_all)]
pub(crate) async fn delete_passage(
    State(state): State<AppState>,
    Path((study_id, pseudonym, passage_id)): Path<(String, String, String)>,
    AdminPost { admin, .. }: AdminPost,
) -> Result<Response, AdminError> {
    let research = research(&state, &admin, &study_id).await?;
    let interview = interview_of(&state, &research, &pseudonym).await?;
    let passages = state.store.passages(&interview.id).await?;
    let passage = passages
        .iter()
        .find(|p| p.id == passage_id)
        .ok_or(AdminError::NotFound)?;
    // On a double-coded transcript each coder's indexing is their own.
    if interview.double_coded && passage.coder != admin.session.account.email {
        return Err(AdminError::NotFound);
    }
    let turn = passage.passage.turn;
    if !state
        .store
        .delete_passage(&interview, &passage_id, admin.account_id())
        .await?
    {
        return Err(AdminError::NotFound);
    }
    Ok(Redirect::to(&format!(
        "{}/interviews/{}/coding#turn-{turn}",
        research.base, interview.pseudonym
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_words_are_found_by_character_not_byte() {
        assert_eq!(find_quote("Café staff ask.", "staff ask"), Some((5, 14)));
        assert_eq!(find_quote("Café staff ask.", "nobody"), None);
        let turns = [StoredTurn {
            number: 3,
            speaker: "Participant".to_owned(),
            text: "Café staff ask.".to_owned(),
        }];
        assert_eq!(passage_words(&turns, 3, Some((5, 14))), "staff ask");
        assert_eq!(passage_words(&turns, 3, None), "Café staff ask.");
        assert_eq!(passage_words(&turns, 9, None), "");
    }
}
