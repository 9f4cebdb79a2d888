//! Making a study and changing its settings: name, opening, closing and deletion dates,
//! and the smallest count shown to LA contacts.
//!
//! A study's surveys, training module and analysis plan are chosen when it is made (from
//! the server's library or by copying another study) and never change afterwards:
//! answers are only comparable within one instrument. To change them, make a new study.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use skafada_store::{Day, NewStudy, Study, StudySettings, today};

use super::error::AdminError;
use super::forms::{DateInput, Errors, Input, RadioOption, Radios, read_date, read_text};
use super::guard::{Admin, AdminPost};
use super::views::{AdminLayout, StudyFormPage};
use crate::AppState;
use crate::form::FormData;
use crate::views::render;

/// The longest study name.
const NAME_MAX: usize = 120;

/// The fields of the study form, as typed or as stored.
struct StudyFields {
    name: Input,
    content: Option<Radios>,
    files: Vec<Input>,
    opens_on: DateInput,
    closes_on: DateInput,
    retain_until: DateInput,
    min_cell_count: Input,
}

impl StudyFields {
    fn new(settings: Option<&StudySettings>, default_min: i64) -> StudyFields {
        let get = |f: fn(&StudySettings) -> String| settings.map(f).unwrap_or_default();
        let get_day = |id: &str, legend: &str, f: fn(&StudySettings) -> Day| match settings {
            Some(settings) => DateInput::of_day(id, legend, f(settings)),
            None => DateInput::from_iso(id, legend, ""),
        };
        StudyFields {
            name: Input::new("name", "Study name", &get(|s| s.name.clone()))
                .hint("For researchers and LA contacts; practitioners do not see it"),
            content: None,
            files: Vec::new(),
            opens_on: get_day("opens-on", "Opening date", |s| s.opens_on),
            closes_on: DateInput {
                hint: Some("The last day practitioners can start or carry on. For example, 31 7 2027".to_owned()),
                ..get_day("closes-on", "Closing date", |s| s.closes_on)
            },
            retain_until: DateInput {
                hint: Some(
                    "The date the consent form promises. Every response is deleted on this day. For example, 31 12 2028"
                        .to_owned(),
                ),
                ..get_day("retain-until", "Deletion date", |s| s.retain_until)
            },
            min_cell_count: Input::new(
                "min-cell-count",
                "Smallest number shown to LA contacts",
                &settings.map_or(default_min, |s| s.min_cell_count).to_string(),
            )
            .hint("Counts below this are hidden on LA contacts' dashboards, with other counts that would give them away. 5 is usual; use 10 for small teams")
            .width("govuk-input--width-3")
            .numeric(),
        }
    }
}

/// The choice of surveys and training for a new study: the server's library, then
/// every study the account can see.
/// The hint of a choice whose participant information is still the template.
const TEMPLATE_HINT: &str = "Its participant information is a template with text to replace, so a study can only be made from it with your own: make the study from files";

/// Whether participant information is missing, unreadable or still has the template's
/// placeholder text: no real study can be made with it.
fn is_template(participant_information: &str) -> bool {
    skafada_instrument::ParticipantInformation::parse(participant_information)
        .map_or(true, |sheet| !sheet.placeholders().is_empty())
}

fn content_choices(state: &AppState, studies: &[Study], chosen: Option<&str>) -> Radios {
    let mut options: Vec<RadioOption> = state
        .config
        .admin
        .library
        .iter()
        .enumerate()
        .map(|(i, set)| RadioOption {
            value: format!("library-{i}"),
            label: set.label.clone(),
            hint: is_template(&set.participant_information).then(|| TEMPLATE_HINT.to_owned()),
            checked: false,
        })
        .collect();
    options.extend(studies.iter().map(|study| RadioOption {
        value: format!("study-{}", study.id),
        label: format!("The same as {}", study.name),
        hint: Some(if is_template(&study.participant_information) {
            TEMPLATE_HINT.to_owned()
        } else {
            "Its surveys, training module, analysis plan and participant information, with none of its sites or responses".to_owned()
        }),
        checked: false,
    }));
    for option in &mut options {
        option.checked = Some(option.value.as_str()) == chosen;
    }
    Radios {
        id: "content".to_owned(),
        legend: "Surveys and training".to_owned(),
        hint: Some("These cannot be changed once the study is made".to_owned()),
        options,
        error: None,
    }
}

/// Reads and checks the form; the settings when everything is valid.
fn read_settings(
    form: &FormData,
    fields: &mut StudyFields,
    errors: &mut Errors,
    today: Day,
) -> Option<StudySettings> {
    let name = read_text(
        form,
        &mut fields.name,
        errors,
        Some("Enter the study name"),
        NAME_MAX,
    );
    let (opens_input, opens_on) = read_date(form, "opens-on", "Opening date", "opening date");
    let (closes_input, closes_on) = read_date(form, "closes-on", "Closing date", "closing date");
    let (retain_input, retain_until) =
        read_date(form, "retain-until", "Deletion date", "deletion date");
    fields.opens_on = DateInput {
        hint: fields.opens_on.hint.take(),
        ..opens_input
    };
    fields.closes_on = DateInput {
        hint: fields.closes_on.hint.take(),
        ..closes_input
    };
    fields.retain_until = DateInput {
        hint: fields.retain_until.hint.take(),
        ..retain_input
    };
    if let (Some(opens), Some(closes)) = (&opens_on, &closes_on)
        && closes < opens
    {
        fields
            .closes_on
            .fail("The closing date must be the same as or after the opening date");
    }
    if let Some(retain) = &retain_until {
        if closes_on.as_ref().is_some_and(|closes| retain <= closes) {
            fields
                .retain_until
                .fail("The deletion date must be after the closing date");
        } else if *retain <= today {
            fields
                .retain_until
                .fail("The deletion date must be in the future");
        }
    }
    errors.on_date(&fields.opens_on);
    errors.on_date(&fields.closes_on);
    errors.on_date(&fields.retain_until);
    let typed = form.text("min-cell-count").unwrap_or_default();
    fields.min_cell_count.value = typed.clone();
    let min_cell_count = match typed.parse::<i64>() {
        Ok(n) if (1..=100).contains(&n) => Some(n),
        _ => {
            errors.on_input(
                &mut fields.min_cell_count,
                "Smallest number shown must be a whole number from 1 to 100",
            );
            None
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some(StudySettings {
        name: name?,
        opens_on: opens_on?,
        closes_on: closes_on?,
        retain_until: retain_until?,
        min_cell_count: min_cell_count?,
    })
}

/// What differs between the "make a study" and "study settings" pages.
struct Frame {
    title: &'static str,
    back: String,
    action: String,
    /// What cannot change, as a summary list (settings only).
    summary: Vec<(String, String)>,
    button: &'static str,
    other_way: Option<(String, String)>,
}

impl Frame {
    fn new_study() -> Frame {
        Frame {
            title: "Make a study",
            back: "/admin".to_owned(),
            action: "/admin/studies/new".to_owned(),
            summary: Vec::new(),
            button: "Make the study",
            other_way: Some((
                "/admin/studies/new/files".to_owned(),
                "Make a study from your own survey, training module and analysis plan files instead".to_owned(),
            )),
        }
    }

    fn new_study_from_files() -> Frame {
        Frame {
            title: "Make a study from files",
            back: "/admin/studies/new".to_owned(),
            action: "/admin/studies/new/files".to_owned(),
            summary: Vec::new(),
            button: "Check the files and make the study",
            other_way: None,
        }
    }

    fn settings(study: &Study, module_title: &str) -> Frame {
        let back = format!("/admin/studies/{}", study.id);
        Frame {
            title: "Study settings",
            action: format!("{back}/settings"),
            back,
            summary: fixed_parts(study, module_title),
            button: "Save settings",
            other_way: None,
        }
    }
}

fn form_page(admin: &Admin, frame: Frame, fields: StudyFields, errors: Errors) -> Response {
    render(&StudyFormPage {
        layout: AdminLayout::new(frame.title, Some(admin))
            .with_error(!errors.is_empty())
            .back(&frame.back),
        heading: frame.title.to_owned(),
        csrf: admin.csrf.clone(),
        action: frame.action,
        errors: errors.0,
        name: fields.name,
        other_way: frame.other_way,
        content: fields.content,
        files: fields.files,
        opens_on: fields.opens_on,
        closes_on: fields.closes_on,
        retain_until: fields.retain_until,
        min_cell_count: fields.min_cell_count,
        summary: frame.summary,
        button: frame.button.to_owned(),
    })
}

/// The studies an account may copy from.
async fn copyable(state: &AppState, admin: &Admin) -> Result<Vec<Study>, AdminError> {
    Ok(state
        .store
        .studies()
        .await?
        .into_iter()
        .filter(|study| admin.can_see_study(&study.id))
        .collect())
}

/// `GET /admin/studies/new`: for study admins of every study.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_page(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, AdminError> {
    if !admin.can_create_studies() {
        return Err(AdminError::NotFound);
    }
    let studies = copyable(&state, &admin).await?;
    let mut fields = StudyFields::new(None, state.config.admin.default_min_cell_count);
    let first = (!state.config.admin.library.is_empty()).then(|| "library-0".to_owned());
    fields.content = Some(content_choices(&state, &studies, first.as_deref()));
    Ok(form_page(
        &admin,
        Frame::new_study(),
        fields,
        Errors::default(),
    ))
}

/// `POST /admin/studies/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<AppState>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    if !admin.can_create_studies() {
        return Err(AdminError::NotFound);
    }
    let studies = copyable(&state, admin).await?;
    let mut fields = StudyFields::new(None, state.config.admin.default_min_cell_count);
    let mut errors = Errors::default();
    let chosen = post.form.text("content");
    let mut content = content_choices(&state, &studies, chosen.as_deref());
    let source = chosen.as_deref().and_then(|value| {
        if let Some(index) = value.strip_prefix("library-") {
            let set = state
                .config
                .admin
                .library
                .get(index.parse::<usize>().ok()?)?;
            Some(NewStudy {
                pre_instrument: set.pre_instrument.clone(),
                post_instrument: set.post_instrument.clone(),
                module_id: set.module_id.clone(),
                module_sources: set.module_sources.clone(),
                analysis_plan: set.analysis_plan.clone(),
                training_needs: set.training_needs.clone(),
                framework: set.framework.clone(),
                waves: set.waves.clone(),
                participant_information: set.participant_information.clone(),
                ..NewStudy::default()
            })
        } else {
            let id = value.strip_prefix("study-")?;
            let study = studies.iter().find(|s| s.id == id)?;
            Some(NewStudy {
                pre_instrument: study.pre_instrument.clone(),
                post_instrument: study.post_instrument.clone(),
                module_id: study.module_id.clone(),
                module_sources: study.module_sources.clone(),
                analysis_plan: study.analysis_plan.clone(),
                training_needs: study.training_needs.clone(),
                framework: study.framework.clone(),
                waves: study.waves.clone(),
                participant_information: study.participant_information.clone(),
                ..NewStudy::default()
            })
        }
    });
    let settings = read_settings(&post.form, &mut fields, &mut errors, today());
    // A set whose participant information is still the template cannot make a real
    // study: its sheet must be uploaded with the study's files.
    let placeholders = source
        .as_ref()
        .is_some_and(|study| is_template(&study.participant_information));
    let problem = if placeholders {
        Some(
            "The participant information of these surveys is a template with text to replace. Create the study from files instead, and upload your study's participant information",
        )
    } else if source.is_none() {
        Some("Select the surveys and training the study uses")
    } else {
        None
    };
    if let Some(message) = problem {
        content.error = Some(message.to_owned());
        errors.0.insert(
            usize::from(fields.name.error.is_some()),
            crate::views::ErrorLink {
                href: content.first_id(),
                message: message.to_owned(),
            },
        );
    }
    fields.content = Some(content);
    let (Some(settings), Some(source), false) = (settings, source, placeholders) else {
        return Ok(form_page(admin, Frame::new_study(), fields, errors));
    };
    let study = NewStudy {
        name: settings.name,
        opens_on: settings.opens_on,
        closes_on: settings.closes_on,
        retain_until: settings.retain_until,
        ..source
    };
    crate::content::check_study(&study).map_err(|e| AdminError::Internal(e.to_string()))?;
    let id = state
        .store
        .create_study_by(&study, settings.min_cell_count, Some(admin.account_id()))
        .await?;
    Ok(Redirect::to(&format!("/admin/studies/{id}")).into_response())
}

/// What the settings page says about the parts that cannot change.
fn fixed_parts(study: &Study, module_title: &str) -> Vec<(String, String)> {
    let plan = if study.analysis_plan.is_empty() {
        "The plan built into this server".to_owned()
    } else {
        skafada_analysis::plan::Plan::parse(&study.analysis_plan, "plan")
            .map(|plan| plan.title)
            .unwrap_or_else(|_| "A plan that does not load".to_owned())
    };
    vec![
        ("Training module".to_owned(), module_title.to_owned()),
        ("Analysis plan".to_owned(), plan),
    ]
}

/// `GET /admin/studies/{study}/settings`: study admins of the study.
#[tracing::instrument(skip_all)]
pub(crate) async fn settings_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let study = admin.manage_study(&state, &study_id).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let fields = StudyFields::new(Some(&StudySettings::of(&study)), study.min_cell_count);
    Ok(form_page(
        &admin,
        Frame::settings(&study, &content.module.manifest.title),
        fields,
        Errors::default(),
    ))
}

/// `POST /admin/studies/{study}/settings`.
#[tracing::instrument(skip_all)]
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    Path(study_id): Path<String>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let study = admin.manage_study(&state, &study_id).await?;
    let mut fields = StudyFields::new(Some(&StudySettings::of(&study)), study.min_cell_count);
    let mut errors = Errors::default();
    let back = format!("/admin/studies/{}", study.id);
    let Some(settings) = read_settings(&post.form, &mut fields, &mut errors, today()) else {
        let content = state.studies.get(&state.store, &study.id).await?;
        return Ok(form_page(
            admin,
            Frame::settings(&study, &content.module.manifest.title),
            fields,
            errors,
        ));
    };
    state
        .store
        .update_study(&study, &settings, admin.account_id())
        .await?;
    // The settings (small-cell threshold, dates) shape the results: read them afresh.
    state.study_data.forget(&study.id);
    Ok(Redirect::to(&format!("{back}?saved=settings")).into_response())
}

/// The file inputs of a new study from files: id, label, hint, accepted types.
const FILE_INPUTS: [(&str, &str, &str, &str); 8] = [
    (
        "pre-survey",
        "Pre-training survey",
        "The instrument file (TOML), for example skafada-pre.toml",
        ".toml,text/plain",
    ),
    (
        "post-survey",
        "Post-training survey",
        "The instrument file (TOML) that compares with the pre-training survey",
        ".toml,text/plain",
    ),
    (
        "module",
        "Training module (optional)",
        "A ZIP file of the module's folder, with module.toml at its top. If you leave this empty, the study uses the prototype module",
        ".zip,application/zip",
    ),
    (
        "plan",
        "Analysis plan (optional)",
        "The plan file (TOML). If you leave this empty, the study uses the SKAFADA analysis plan",
        ".toml,text/plain",
    ),
    (
        "training-needs",
        "Training-needs report (optional)",
        "The training-needs file (TOML). If you leave this empty, the study uses the SKAFADA training-needs report",
        ".toml,text/plain",
    ),
    (
        "framework",
        "Case-study framework (optional)",
        "The framework file (TOML) for the interviews. If you leave this empty, the study uses the SKAFADA case-study framework",
        ".toml,text/plain",
    ),
    (
        "participant-information",
        "Participant information",
        "The participant information sheet and consent wording (TOML): who runs the study, whom to contact, its ethics approval and how its data are held. Start from participant-information/skafada.toml and replace every text in square brackets",
        ".toml,text/plain",
    ),
    (
        "waves",
        "Follow-up waves and linking code (optional)",
        "The study file (TOML) with the linking code's questions and the follow-up waves. If you leave this empty, the study uses the SKAFADA three-month follow-up",
        ".toml,text/plain",
    ),
];

/// The largest body of the new-study-from-files form: the files together.
pub(crate) const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

fn file_inputs() -> Vec<Input> {
    FILE_INPUTS
        .iter()
        .map(|(id, label, hint, accept)| Input::new(id, label, accept).hint(hint))
        .collect()
}

/// `GET /admin/studies/new/files`: for study admins of every study.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_from_files_page(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, AdminError> {
    if !admin.can_create_studies() {
        return Err(AdminError::NotFound);
    }
    let mut fields = StudyFields::new(None, state.config.admin.default_min_cell_count);
    fields.files = file_inputs();
    Ok(form_page(
        &admin,
        Frame::new_study_from_files(),
        fields,
        Errors::default(),
    ))
}

/// An uploaded file: its name as sent and its bytes.
pub(super) struct Upload {
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
}

/// Reads a multipart form: its text fields, and its files by field name (empty file
/// inputs left out). A form that is not multipart, or is cut short, is a bad form.
pub(super) async fn read_multipart(
    mut multipart: axum::extract::Multipart,
) -> Result<(FormData, std::collections::BTreeMap<String, Upload>), AdminError> {
    let mut pairs = Vec::new();
    let mut files = std::collections::BTreeMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AdminError::BadForm)?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|_| AdminError::BadForm)?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    files.insert(
                        name,
                        Upload {
                            name: file_name,
                            bytes: bytes.to_vec(),
                        },
                    );
                }
            }
            None => pairs.push((name, field.text().await.map_err(|_| AdminError::BadForm)?)),
        }
    }
    Ok((FormData::from_pairs(pairs)?, files))
}

/// `POST /admin/studies/new/files`: checks every file with the same messages as
/// `skafada instrument check` (file, line and column), then makes the study.
#[tracing::instrument(skip_all)]
pub(crate) async fn create_from_files(
    State(state): State<AppState>,
    admin: Admin,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AdminError> {
    if !admin.can_create_studies() {
        return Err(AdminError::NotFound);
    }
    let (form, mut files) = read_multipart(multipart.map_err(|_| AdminError::BadForm)?).await?;
    super::guard::check_csrf(&admin, &form)?;
    let mut fields = StudyFields::new(None, state.config.admin.default_min_cell_count);
    fields.files = file_inputs();
    let mut errors = Errors::default();
    let settings = read_settings(&form, &mut fields, &mut errors, today());
    let library = state.config.admin.library.first();
    let mut study = NewStudy::default();
    let mut names = crate::ContentNames::default();
    // Each input's part of the study, and the name its problems start with.
    for input in &mut fields.files {
        let upload = files.remove(&input.id);
        let text = |upload: Upload| String::from_utf8(upload.bytes).map(|t| (upload.name, t));
        let problem = match (input.id.as_str(), upload) {
            ("pre-survey" | "post-survey", None) => {
                Some(format!("Choose the {} file", input.label.to_lowercase()))
            }
            ("module", Some(upload)) => match crate::module_zip::unpack(&upload.bytes) {
                Ok((folder, module)) => {
                    let stem = upload.name.trim_end_matches(".zip");
                    study.module_id =
                        crate::module_zip::safe_name(folder.as_deref().unwrap_or(stem));
                    study.module_sources = module;
                    names.module = upload.name;
                    None
                }
                Err(error) => {
                    // Checked with the default module, so that only the other files'
                    // own problems are listed beside this one.
                    if let Some(set) = library {
                        study.module_id.clone_from(&set.module_id);
                        study.module_sources.clone_from(&set.module_sources);
                    }
                    Some(error.to_string())
                }
            },
            ("module", None) => {
                if let Some(set) = library {
                    study.module_id.clone_from(&set.module_id);
                    study.module_sources.clone_from(&set.module_sources);
                }
                None
            }
            (id, Some(upload)) => match text(upload) {
                Ok((name, text)) => {
                    let (slot, named) = match id {
                        "pre-survey" => (&mut study.pre_instrument, &mut names.pre),
                        "post-survey" => (&mut study.post_instrument, &mut names.post),
                        "plan" => (&mut study.analysis_plan, &mut names.plan),
                        "framework" => (&mut study.framework, &mut names.framework),
                        "waves" => (&mut study.waves, &mut names.waves),
                        "participant-information" => (
                            &mut study.participant_information,
                            &mut names.participant_information,
                        ),
                        _ => (&mut study.training_needs, &mut names.needs),
                    };
                    *slot = text;
                    *named = name;
                    None
                }
                Err(_) => Some(format!(
                    "The {} must be a text file (TOML)",
                    input.label.trim_end_matches(" (optional)").to_lowercase()
                )),
            },
            (id, None) => {
                if let Some(set) = library {
                    match id {
                        "plan" => study.analysis_plan.clone_from(&set.analysis_plan),
                        "framework" => study.framework.clone_from(&set.framework),
                        "waves" => study.waves.clone_from(&set.waves),
                        // The set's sheet: refused below while it is a template.
                        "participant-information" => study
                            .participant_information
                            .clone_from(&set.participant_information),
                        _ => study.training_needs.clone_from(&set.training_needs),
                    }
                }
                None
            }
        };
        if let Some(message) = problem {
            errors.on_input(input, &message);
        }
    }
    // The files are checked together whatever else is wrong, once both surveys are in.
    if !study.pre_instrument.is_empty() && !study.post_instrument.is_empty() {
        let problems = crate::content_problems(&study, &names);
        for input in &mut fields.files {
            let name = match input.id.as_str() {
                "pre-survey" => &names.pre,
                "post-survey" => &names.post,
                "module" => &names.module,
                "plan" => &names.plan,
                "framework" => &names.framework,
                "waves" => &names.waves,
                "participant-information" => &names.participant_information,
                _ => &names.needs,
            };
            let own: Vec<&String> = problems
                .iter()
                .filter(|problem| problem.starts_with(&format!("{name}:")))
                .collect();
            for problem in &own {
                errors.add(&input.id, problem);
            }
            if !own.is_empty() {
                input.error = Some(if own.len() == 1 {
                    "This file has a problem: see the list above".to_owned()
                } else {
                    format!("This file has {} problems: see the list above", own.len())
                });
            }
        }
        // A problem that names no file (should not happen) is still shown.
        for problem in &problems {
            if !errors.0.iter().any(|e| &e.message == problem) {
                errors.add("pre-survey", problem);
            }
        }
    }
    let Some(settings) = settings.filter(|_| errors.is_empty()) else {
        // The summary follows the form's order: the name, the files, then the rest.
        let place = |href: &str| {
            if href == "name" {
                0
            } else if FILE_INPUTS.iter().any(|(id, ..)| *id == href) {
                1
            } else {
                2
            }
        };
        errors.0.sort_by_key(|e| place(&e.href));
        // A browser never sends a chosen file again, so every file must be chosen again.
        for input in &mut fields.files {
            input.hint = input.hint.take().map(|hint| {
                format!("{hint}. If you chose a file here, choose it again: files are not kept when the form has a problem")
            });
        }
        return Ok(form_page(
            &admin,
            Frame::new_study_from_files(),
            fields,
            errors,
        ));
    };
    let study = NewStudy {
        name: settings.name,
        opens_on: settings.opens_on,
        closes_on: settings.closes_on,
        retain_until: settings.retain_until,
        ..study
    };
    let id = state
        .store
        .create_study_by(&study, settings.min_cell_count, Some(admin.account_id()))
        .await?;
    Ok(Redirect::to(&format!("/admin/studies/{id}/content")).into_response())
}
