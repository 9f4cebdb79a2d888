//! Adding and editing sites (the study report's Table 2 columns), their local support
//! services, and replacing a site's link. Study admins only.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use skafada_store::{NewSite, Site, Study};
use skafada_training::{Service, ServiceProblem};

use super::error::AdminError;
use super::forms::{Errors, Input, RadioOption, Radios, read_text};
use super::guard::{Admin, AdminPost};
use super::views::{AdminLayout, LocalServicesPage, NewLinkPage, ServiceRow, SiteFormPage};
use crate::AppState;
use crate::form::FormData;
use crate::views::render;

/// The longest text of a site's detail.
const DETAIL_MAX: usize = 200;
/// The most local services a site may list.
const SERVICES_MAX: usize = 20;

fn site_base(study_id: &str, code: &str) -> String {
    format!("/admin/studies/{study_id}/sites/{code}")
}

/// The fields of the site form.
struct SiteFields {
    code: Option<Input>,
    name: Input,
    region: Input,
    model_of_practice: Input,
    population: Input,
    ethnicity: Input,
    area_type: Input,
    deprivation: Radios,
}

fn deprivation_radios(chosen: &str) -> Radios {
    let mut options: Vec<RadioOption> = (1..=5)
        .map(|q| RadioOption {
            value: q.to_string(),
            label: match q {
                1 => "1 (most deprived)".to_owned(),
                5 => "5 (least deprived)".to_owned(),
                _ => q.to_string(),
            },
            hint: None,
            checked: false,
        })
        .collect();
    options.push(RadioOption {
        value: "unknown".to_owned(),
        label: "Not known".to_owned(),
        hint: None,
        checked: false,
    });
    for option in &mut options {
        option.checked = option.value == chosen;
    }
    Radios {
        id: "deprivation".to_owned(),
        legend: "Index of Multiple Deprivation quintile".to_owned(),
        hint: Some("From the English indices of deprivation, by the average rank of the upper-tier local authority".to_owned()),
        options,
        error: None,
    }
}

impl SiteFields {
    fn new(site: Option<&Site>) -> SiteFields {
        let get = |f: fn(&Site) -> String| site.map(f).unwrap_or_default();
        SiteFields {
            code: site.is_none().then(|| {
                Input::new("code", "Site code", "")
                    .hint("A short code for reports and exports, such as LA12. It cannot be changed later")
                    .width("govuk-input--width-10")
            }),
            name: Input::new("name", "Name", &get(|s| s.name.clone()))
                .hint("Practitioners see this on the start page, for example the council's name"),
            region: Input::new("region", "Region", &get(|s| s.region.clone()))
                .hint("For example, North, Midlands, London")
                .width("govuk-input--width-20"),
            model_of_practice: Input::new("model-of-practice", "Model of practice (optional)", &get(|s| s.model_of_practice.clone()))
                .hint("For example, Family Safeguarding Model or Signs of Safety"),
            population: Input::new("population", "Population (optional)", &get(|s| s.population.clone()))
                .hint("As published, for example 552k")
                .width("govuk-input--width-10"),
            ethnicity: Input::new("ethnicity", "Ethnicity, collapsed (optional)", &get(|s| s.ethnicity.clone()))
                .hint("From the Census, for example White 57%; Asian, Black, Caribbean, multiple ethnicities 43%"),
            area_type: Input::new("area-type", "Type of area (optional)", &get(|s| s.area_type.clone()))
                .hint("For example, Urban, Rural, or Mixed rural and urban")
                .width("govuk-input--width-20"),
            deprivation: deprivation_radios(
                &site
                    .map(|s| s.deprivation_quintile.map_or_else(|| "unknown".to_owned(), |q| q.to_string()))
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Whether a site code is short and plain enough for URLs and file names.
fn valid_code(code: &str) -> bool {
    (1..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Reads and checks the site form.
async fn read_site(
    state: &AppState,
    study: &Study,
    form: &FormData,
    fields: &mut SiteFields,
    errors: &mut Errors,
) -> Result<Option<NewSite>, AdminError> {
    let mut code = None;
    if let Some(input) = fields.code.as_mut() {
        let typed = read_text(form, input, errors, Some("Enter the site code"), 16);
        if let Some(typed) = typed {
            let upper = typed.to_uppercase();
            input.value = upper.clone();
            if !valid_code(&upper) {
                errors.on_input(input, "Site code must be letters, numbers and hyphens only");
            } else if state.store.site_by_code(&study.id, &upper).await?.is_some() {
                errors.on_input(input, "This study already has a site with this code");
            } else {
                code = Some(upper);
            }
        }
    }
    let name = read_text(
        form,
        &mut fields.name,
        errors,
        Some("Enter the site's name"),
        DETAIL_MAX,
    );
    let region = read_text(
        form,
        &mut fields.region,
        errors,
        Some("Enter the region"),
        DETAIL_MAX,
    );
    let model = read_text(
        form,
        &mut fields.model_of_practice,
        errors,
        None,
        DETAIL_MAX,
    );
    let population = read_text(form, &mut fields.population, errors, None, DETAIL_MAX);
    let ethnicity = read_text(form, &mut fields.ethnicity, errors, None, DETAIL_MAX);
    let area_type = read_text(form, &mut fields.area_type, errors, None, DETAIL_MAX);
    let chosen = form.text("deprivation").unwrap_or_default();
    fields.deprivation = deprivation_radios(&chosen);
    let quintile = match chosen.as_str() {
        "unknown" => Some(None),
        other => other
            .parse::<i64>()
            .ok()
            .filter(|q| (1..=5).contains(q))
            .map(Some),
    };
    if quintile.is_none() {
        let message = "Select the deprivation quintile, or Not known";
        fields.deprivation.error = Some(message.to_owned());
        errors.add(&fields.deprivation.first_id(), message);
    }
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok((|| {
        Some(NewSite {
            code: code.unwrap_or_default(),
            name: name?,
            region: region?,
            model_of_practice: model?,
            population: population?,
            ethnicity: ethnicity?,
            area_type: area_type?,
            deprivation_quintile: quintile?,
            local_services: "[]".to_owned(),
        })
    })())
}

fn site_form(
    admin: &Admin,
    title: &str,
    back: &str,
    action: &str,
    fields: SiteFields,
    errors: Errors,
    button: &str,
) -> Response {
    render(&SiteFormPage {
        layout: AdminLayout::new(title, Some(admin))
            .with_error(!errors.is_empty())
            .back(back),
        heading: title.to_owned(),
        csrf: admin.csrf.clone(),
        action: action.to_owned(),
        errors: errors.0,
        code: fields.code,
        name: fields.name,
        region: fields.region,
        model_of_practice: fields.model_of_practice,
        population: fields.population,
        ethnicity: fields.ethnicity,
        area_type: fields.area_type,
        deprivation: fields.deprivation,
        button: button.to_owned(),
    })
}

/// `GET /admin/studies/{study}/sites/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let study = admin.manage_study(&state, &study_id).await?;
    let back = format!("/admin/studies/{}", study.id);
    Ok(site_form(
        &admin,
        "Add a site",
        &back,
        &format!("{back}/sites/new"),
        SiteFields::new(None),
        Errors::default(),
        "Add the site",
    ))
}

/// `POST /admin/studies/{study}/sites/new`: adds the site with a new link.
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<AppState>,
    Path(study_id): Path<String>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let study = admin.manage_study(&state, &study_id).await?;
    let mut fields = SiteFields::new(None);
    let mut errors = Errors::default();
    let back = format!("/admin/studies/{}", study.id);
    let Some(site) = read_site(&state, &study, &post.form, &mut fields, &mut errors).await? else {
        return Ok(site_form(
            admin,
            "Add a site",
            &back,
            &format!("{back}/sites/new"),
            fields,
            errors,
            "Add the site",
        ));
    };
    let added = state
        .store
        .add_site_by(&study.id, &site, admin.account_id())
        .await?;
    // A study that allocates sites to delivery arms allocates this one now, in the order
    // sites join.
    let content = state.studies.get(&state.store, &study.id).await?;
    crate::arms::allocate(
        &state,
        &content,
        skafada_waves::allocation::Unit::Site,
        "",
        &added.id,
    )
    .await
    .map_err(|e| AdminError::Internal(e.to_string()))?;
    Ok(Redirect::to(&format!(
        "{}?saved=added",
        site_base(&study.id, &added.code)
    ))
    .into_response())
}

/// `GET /admin/studies/{study}/sites/{site}/edit`.
#[tracing::instrument(skip_all)]
pub(crate) async fn edit_page(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let base = site_base(&study.id, &site.code);
    Ok(site_form(
        &admin,
        &format!("Change the details of {}", site.code),
        &base,
        &format!("{base}/edit"),
        SiteFields::new(Some(&site)),
        Errors::default(),
        "Save details",
    ))
}

/// `POST /admin/studies/{study}/sites/{site}/edit`.
#[tracing::instrument(skip_all)]
pub(crate) async fn save(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let base = site_base(&study.id, &site.code);
    let mut fields = SiteFields::new(Some(&site));
    let mut errors = Errors::default();
    let Some(details) = read_site(&state, &study, &post.form, &mut fields, &mut errors).await?
    else {
        return Ok(site_form(
            admin,
            &format!("Change the details of {}", site.code),
            &base,
            &format!("{base}/edit"),
            fields,
            errors,
            "Save details",
        ));
    };
    state
        .store
        .update_site(&site, &details, admin.account_id())
        .await?;
    Ok(Redirect::to(&format!("{base}?saved=details")).into_response())
}

/// The site's services, from the JSON the store keeps. Unreadable JSON is an error, not
/// an empty list: adding or removing a service would otherwise save over the site's list.
fn services_of(site: &Site) -> Result<Vec<Service>, AdminError> {
    if site.local_services.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(&site.local_services).map_err(|e| {
        AdminError::Internal(format!(
            "the stored local services of site {} cannot be read: {e}",
            site.code
        ))
    })
}

/// The fields of the "add a service" form.
struct ServiceFields {
    name: Input,
    description: Input,
    phone: Input,
    text: Input,
    url: Input,
    hours: Input,
}

impl ServiceFields {
    fn new() -> ServiceFields {
        ServiceFields {
            name: Input::new("service-name", "Name of the service", ""),
            description: Input::new("description", "What it offers (optional)", "")
                .hint("For example, refuge and community support for women and children"),
            phone: Input::new("phone", "Phone number (optional)", "")
                .width("govuk-input--width-20"),
            text: Input::new(
                "text",
                "Text or SMS number, or how else to reach it (optional)",
                "",
            )
            .hint("For example, Ask your team manager"),
            url: Input::new("url", "Website (optional)", "").hint("Starting https://"),
            hours: Input::new("hours", "Opening hours (optional)", "")
                .width("govuk-input--width-20"),
        }
    }
}

fn services_page(
    admin: &Admin,
    study: &Study,
    site: &Site,
    fields: ServiceFields,
    errors: Errors,
) -> Result<Response, AdminError> {
    let base = site_base(&study.id, &site.code);
    let services = services_of(site)?
        .into_iter()
        .enumerate()
        .map(|(index, service)| ServiceRow {
            index,
            rows: [
                ("What it offers", service.description),
                ("Phone", service.phone),
                ("Text or other contact", service.text),
                ("Website", service.url),
                ("Opening hours", service.hours),
            ]
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
            .collect(),
            name: service.name,
        })
        .collect::<Vec<_>>();
    Ok(render(&LocalServicesPage {
        layout: AdminLayout::new(&format!("Local services of {}", site.code), Some(admin))
            .with_error(!errors.is_empty())
            .back(&base),
        csrf: admin.csrf.clone(),
        base,
        code: site.code.clone(),
        full: services.len() >= SERVICES_MAX,
        services,
        errors: errors.0,
        name: fields.name,
        description: fields.description,
        phone: fields.phone,
        text: fields.text,
        url: fields.url,
        hours: fields.hours,
    }))
}

/// `GET /admin/studies/{study}/sites/{site}/local-services`.
#[tracing::instrument(skip_all)]
pub(crate) async fn local_services(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    services_page(
        &admin,
        &study,
        &site,
        ServiceFields::new(),
        Errors::default(),
    )
}

/// `POST /admin/studies/{study}/sites/{site}/local-services/add`.
#[tracing::instrument(skip_all)]
pub(crate) async fn add_service(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let mut services = services_of(&site)?;
    let mut fields = ServiceFields::new();
    let mut errors = Errors::default();
    let form = &post.form;
    let name = read_text(
        form,
        &mut fields.name,
        &mut errors,
        Some("Enter the name of the service"),
        DETAIL_MAX,
    );
    let description = read_text(form, &mut fields.description, &mut errors, None, 400);
    let phone = read_text(form, &mut fields.phone, &mut errors, None, 40);
    let text = read_text(form, &mut fields.text, &mut errors, None, DETAIL_MAX);
    let url = read_text(form, &mut fields.url, &mut errors, None, 400);
    let hours = read_text(form, &mut fields.hours, &mut errors, None, DETAIL_MAX);
    let some = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
    let service = Service {
        name: name.clone().unwrap_or_default(),
        description: some(&description),
        phone: some(&phone),
        text: some(&text),
        url: some(&url),
        hours: some(&hours),
        note: None,
    };
    // The name's own check has already spoken; the others are the services file's.
    if errors.is_empty()
        && let Some(problem) = service.problem()
    {
        let field = match problem {
            ServiceProblem::NoName => &mut fields.name,
            ServiceProblem::NoContact => &mut fields.phone,
            ServiceProblem::WebsiteNotHttps => &mut fields.url,
        };
        errors.on_input(field, problem.message());
    }
    if services.len() >= SERVICES_MAX {
        errors.on_input(
            &mut fields.name,
            "A site can list 20 services at most. Remove one first",
        );
    }
    if !errors.is_empty() {
        return services_page(admin, &study, &site, fields, errors);
    }
    services.push(service);
    save_services(&state, admin, &site, &services).await?;
    Ok(Redirect::to(&format!(
        "{}/local-services",
        site_base(&study.id, &site.code)
    ))
    .into_response())
}

/// `POST /admin/studies/{study}/sites/{site}/local-services/remove`: the service whose
/// position and name were posted (a stale page removes nothing).
#[tracing::instrument(skip_all)]
pub(crate) async fn remove_service(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let mut services = services_of(&site)?;
    let index = post
        .form
        .text("index")
        .and_then(|i| i.parse::<usize>().ok());
    let name = post.form.text("service").unwrap_or_default();
    if let Some(index) = index
        && services.get(index).is_some_and(|s| s.name.trim() == name)
    {
        services.remove(index);
        save_services(&state, admin, &site, &services).await?;
    }
    Ok(Redirect::to(&format!(
        "{}/local-services",
        site_base(&study.id, &site.code)
    ))
    .into_response())
}

async fn save_services(
    state: &AppState,
    admin: &Admin,
    site: &Site,
    services: &[Service],
) -> Result<(), AdminError> {
    let json = serde_json::to_string(services).map_err(|e| AdminError::Internal(e.to_string()))?;
    state
        .store
        .set_local_services(site, &json, services.len(), admin.account_id())
        .await?;
    Ok(())
}

/// `GET /admin/studies/{study}/sites/{site}/new-link`: what replacing the link does.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_link_page(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.manage_site(&state, &study_id, &code).await?;
    let base = site_base(&study.id, &site.code);
    Ok(render(&NewLinkPage {
        layout: AdminLayout::new("Replace this site's link", Some(&admin)).back(&base),
        csrf: admin.csrf.clone(),
        base,
        code: site.code,
    }))
}

/// `POST /admin/studies/{study}/sites/{site}/new-link`.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_link(
    State(state): State<AppState>,
    Path((study_id, code)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let (study, site) = post.admin.manage_site(&state, &study_id, &code).await?;
    state
        .store
        .replace_link(&site, post.admin.account_id())
        .await?;
    Ok(Redirect::to(&format!("{}?saved=link", site_base(&study.id, &site.code))).into_response())
}
