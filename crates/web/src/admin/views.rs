//! Admin page templates (askama, auto-escaping), in `templates/admin/`.

use askama::Template;

use super::forms::{DateInput, Input, Radios, TextArea};
use crate::views::ErrorLink;

/// What the admin layout needs.
#[derive(Debug, Clone)]
pub(crate) struct AdminLayout {
    pub(crate) title: String,
    /// The page shows validation errors ("Error: " title prefix).
    pub(crate) error: bool,
    /// The signed-in account's email and the session's CSRF token (for sign out).
    pub(crate) signed_in: Option<(String, String)>,
    pub(crate) back: Option<String>,
}

impl AdminLayout {
    pub(crate) fn new(title: &str, signed_in: Option<&super::guard::Admin>) -> AdminLayout {
        AdminLayout {
            title: title.to_owned(),
            error: false,
            signed_in: signed_in.map(|a| (a.session.account.email.clone(), a.csrf.clone())),
            back: None,
        }
    }

    pub(crate) fn back(mut self, href: &str) -> AdminLayout {
        self.back = Some(href.to_owned());
        self
    }

    pub(crate) fn with_error(mut self, error: bool) -> AdminLayout {
        self.error = error;
        self
    }
}

/// A page of paragraphs and one link.
#[derive(Template)]
#[template(path = "admin/message.html")]
pub(crate) struct AdminMessagePage {
    pub(crate) layout: AdminLayout,
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) link: Option<(String, String)>,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "admin/sign_in.html")]
pub(crate) struct SignInPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) email: String,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) email_error: Option<String>,
    pub(crate) password_error: Option<String>,
}

/// The change password form.
#[derive(Template)]
#[template(path = "admin/password.html")]
pub(crate) struct PasswordPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) current_error: Option<String>,
    pub(crate) new_error: Option<String>,
    pub(crate) confirm_error: Option<String>,
}

/// A study in the list of studies.
#[derive(Debug, Clone)]
pub(crate) struct StudyRow {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) opens_on: String,
    pub(crate) closes_on: String,
    pub(crate) retain_until: String,
}

/// The studies an account can see.
#[derive(Template)]
#[template(path = "admin/studies.html")]
pub(crate) struct StudiesPage {
    pub(crate) layout: AdminLayout,
    pub(crate) role: String,
    pub(crate) studies: Vec<StudyRow>,
    pub(crate) audit: bool,
    /// The account may make studies.
    pub(crate) can_create: bool,
}

/// One row of the monitoring tables: a site, or the total.
#[derive(Debug, Clone, Default)]
pub(crate) struct SiteRow {
    pub(crate) href: Option<String>,
    pub(crate) code: String,
    pub(crate) region: String,
    pub(crate) main: i64,
    pub(crate) main_percent: String,
    pub(crate) post: i64,
    pub(crate) post_percent: String,
    pub(crate) started: i64,
    pub(crate) consented: i64,
    pub(crate) pre_complete: i64,
    pub(crate) training_complete: i64,
    pub(crate) post_complete: i64,
    pub(crate) certificates: i64,
    pub(crate) headcount: Option<i64>,
    pub(crate) rate: Option<String>,
    pub(crate) too_few: bool,
}

/// The monitoring page of a study.
#[derive(Template)]
#[template(path = "admin/monitoring.html")]
pub(crate) struct MonitoringPage {
    pub(crate) layout: AdminLayout,
    pub(crate) study_name: String,
    /// The study's admin pages, `/admin/studies/{id}`.
    pub(crate) base: String,
    /// The SHA-256 of the study's analysis plan, when the study stores its own.
    pub(crate) plan_sha256: Option<String>,
    pub(crate) saved: Option<String>,
    /// A study admin of this study.
    pub(crate) manage: bool,
    pub(crate) sees_all_sites: bool,
    /// An LA contact's own site.
    pub(crate) own_site: Option<String>,
    pub(crate) opens_on: String,
    pub(crate) closes_on: String,
    pub(crate) retain_until: String,
    pub(crate) rows: Vec<SiteRow>,
    pub(crate) total: Option<SiteRow>,
    pub(crate) min_reportable: i64,
    pub(crate) any_too_few: bool,
    /// The export route the download links go to.
    pub(crate) export: String,
    /// What the downloads hold, e.g. "Every site" or "Site LA01 only".
    pub(crate) export_scope: String,
    /// The whole study's analysis folder download, for research roles.
    pub(crate) folder: Option<String>,
}

/// A site's page.
#[derive(Template)]
#[template(path = "admin/site.html")]
pub(crate) struct SitePage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) code: String,
    pub(crate) name: String,
    /// The Table 2 columns, as label and value.
    pub(crate) details: Vec<(String, String)>,
    pub(crate) local_services: usize,
    pub(crate) link: String,
    pub(crate) headcount: String,
    pub(crate) manage: bool,
    /// A study admin, or the site's own LA contact, who knows its workforce.
    pub(crate) set_headcount: bool,
    pub(crate) error: Option<String>,
    pub(crate) deleted: Option<String>,
    pub(crate) saved: Option<String>,
    /// The export route the download links go to.
    pub(crate) export: String,
    /// What the downloads hold.
    pub(crate) export_scope: String,
    /// Whether record-level downloads are offered (research roles only).
    pub(crate) record_level: bool,
    /// The whole study's download: never on a site's page, which is about one site.
    pub(crate) folder: Option<String>,
}

/// "Are you sure you want to delete this site's responses?"
#[derive(Template)]
#[template(path = "admin/delete_site.html")]
pub(crate) struct DeleteSitePage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) respondents: String,
}

/// One row of the audit log page.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub(crate) at: String,
    pub(crate) who: String,
    pub(crate) action: String,
    pub(crate) details: String,
}

/// The audit log.
#[derive(Template)]
#[template(path = "admin/audit.html")]
pub(crate) struct AuditPage {
    pub(crate) layout: AdminLayout,
    pub(crate) rows: Vec<AuditRow>,
}

/// Making a study, or changing its settings.
#[derive(Template)]
#[template(path = "admin/study_form.html")]
pub(crate) struct StudyFormPage {
    pub(crate) layout: AdminLayout,
    pub(crate) heading: String,
    pub(crate) csrf: String,
    pub(crate) action: String,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) name: Input,
    /// The choice of surveys and training (new studies only).
    pub(crate) content: Option<Radios>,
    /// File uploads of the surveys, module and plans (a new study from files only); the
    /// form is then sent as `multipart/form-data`.
    pub(crate) files: Vec<Input>,
    /// A link to the other way of making a study, with its text.
    pub(crate) other_way: Option<(String, String)>,
    pub(crate) opens_on: DateInput,
    pub(crate) closes_on: DateInput,
    pub(crate) retain_until: DateInput,
    pub(crate) min_cell_count: Input,
    /// What cannot change, shown as a summary list (settings only).
    pub(crate) summary: Vec<(String, String)>,
    pub(crate) button: String,
}

/// Adding a site, or changing its details.
#[derive(Template)]
#[template(path = "admin/site_form.html")]
pub(crate) struct SiteFormPage {
    pub(crate) layout: AdminLayout,
    pub(crate) heading: String,
    pub(crate) csrf: String,
    pub(crate) action: String,
    pub(crate) errors: Vec<ErrorLink>,
    /// The code, for a new site only.
    pub(crate) code: Option<Input>,
    pub(crate) name: Input,
    pub(crate) region: Input,
    pub(crate) model_of_practice: Input,
    pub(crate) population: Input,
    pub(crate) ethnicity: Input,
    pub(crate) area_type: Input,
    pub(crate) deprivation: Radios,
    pub(crate) button: String,
}

/// One local service in the list.
#[derive(Debug, Clone)]
pub(crate) struct ServiceRow {
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) rows: Vec<(String, String)>,
}

/// A site's local support services, with the form to add one.
#[derive(Template)]
#[template(path = "admin/local_services.html")]
pub(crate) struct LocalServicesPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) code: String,
    pub(crate) services: Vec<ServiceRow>,
    /// The site lists as many services as it may.
    pub(crate) full: bool,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) name: Input,
    pub(crate) description: Input,
    pub(crate) phone: Input,
    pub(crate) text: Input,
    pub(crate) url: Input,
    pub(crate) hours: Input,
}

/// "Are you sure you want to replace this site's link?"
#[derive(Template)]
#[template(path = "admin/new_link.html")]
pub(crate) struct NewLinkPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) code: String,
}

/// One of a site's messages, filled in, to copy.
#[derive(Debug, Clone)]
pub(crate) struct MessageView {
    pub(crate) kind: String,
    pub(crate) label: String,
    pub(crate) subject: String,
    pub(crate) body: String,
}

/// A site's invitation and reminders, ready to copy.
#[derive(Template)]
#[template(path = "admin/site_messages.html")]
pub(crate) struct SiteMessagesPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) code: String,
    pub(crate) link: String,
    pub(crate) messages: Vec<MessageView>,
    /// A study admin on a server with mail configured: offer to e-mail the LA contacts.
    pub(crate) can_send: bool,
    /// The site's LA contact accounts (when `can_send`).
    pub(crate) contacts: usize,
    pub(crate) mail_configured: bool,
    pub(crate) manage: bool,
    pub(crate) study_messages: String,
}

/// One message's wording, to edit.
#[derive(Debug, Clone)]
pub(crate) struct MessageEditView {
    pub(crate) kind: String,
    pub(crate) label: String,
    pub(crate) subject: Input,
    pub(crate) body: TextArea,
}

/// A study's invitation and reminders, for study admins to change.
#[derive(Template)]
#[template(path = "admin/study_messages.html")]
pub(crate) struct StudyMessagesPage {
    pub(crate) layout: AdminLayout,
    pub(crate) csrf: String,
    pub(crate) base: String,
    pub(crate) study_name: String,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) messages: Vec<MessageEditView>,
    pub(crate) placeholders: Vec<(String, String)>,
    pub(crate) can_send: bool,
    pub(crate) saved: Option<String>,
}

/// A cell of a results table: the site's value and, for a percentage, all sites'.
#[derive(Debug, Clone)]
pub(crate) struct CellView {
    pub(crate) site: String,
    pub(crate) hidden: bool,
    pub(crate) all: Option<String>,
}

/// A row of a results table.
#[derive(Debug, Clone)]
pub(crate) struct ResultRowView {
    pub(crate) label: String,
    pub(crate) heading: bool,
    pub(crate) cells: Vec<CellView>,
}

/// One of the report's tables for a site beside all sites.
#[derive(Debug, Clone)]
pub(crate) struct ResultTableView {
    pub(crate) id: String,
    pub(crate) caption: String,
    /// Headers after the label column.
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<ResultRowView>,
    /// Columns in all, for a section heading's span.
    pub(crate) span: usize,
    /// The site's chart, wide and narrow SVG (our own markup, escaped when drawn).
    pub(crate) chart: Option<(String, String)>,
    pub(crate) notes: Vec<String>,
}

/// A difference from the other sites.
#[derive(Debug, Clone)]
pub(crate) struct DifferenceView {
    pub(crate) table: String,
    pub(crate) row: String,
    pub(crate) answer: Option<String>,
    pub(crate) sentence: String,
    pub(crate) p: String,
    pub(crate) p_adjusted: String,
    pub(crate) significant: bool,
}

/// A site's results beside all sites.
#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub(crate) struct DashboardPage {
    pub(crate) layout: AdminLayout,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) site_responses: u64,
    pub(crate) all_responses: u64,
    pub(crate) too_few: bool,
    pub(crate) post_too_few: bool,
    /// The smallest count shown, for an LA contact.
    pub(crate) min_count: Option<u64>,
    pub(crate) hidden: usize,
    pub(crate) differences: Vec<DifferenceView>,
    pub(crate) tables: Vec<ResultTableView>,
    pub(crate) needs: String,
    pub(crate) significance: String,
}

/// What changed after the training.
#[derive(Debug, Clone)]
pub(crate) struct ChangeView {
    pub(crate) scope: String,
    pub(crate) before: String,
    pub(crate) after: String,
    pub(crate) basis: String,
    pub(crate) verdict: String,
    pub(crate) p: String,
    pub(crate) improved: bool,
}

/// One ranked need.
#[derive(Debug, Clone)]
pub(crate) struct NeedView {
    pub(crate) text: String,
    /// Nobody in the scope answered the statement: there is no share to show.
    pub(crate) nobody_answered: bool,
    pub(crate) share: Option<String>,
    pub(crate) all: Option<String>,
    pub(crate) implications: Vec<(u32, String)>,
    pub(crate) sections: Vec<(String, String)>,
    pub(crate) change: Option<ChangeView>,
}

/// One kind of gap.
#[derive(Debug, Clone)]
pub(crate) struct NeedGroupView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) measure: String,
    pub(crate) source: String,
    pub(crate) more: usize,
    pub(crate) needs: Vec<NeedView>,
}

/// A training-needs report.
#[derive(Template)]
#[template(path = "admin/needs.html")]
pub(crate) struct NeedsPage {
    pub(crate) layout: AdminLayout,
    pub(crate) heading: String,
    pub(crate) scope_name: String,
    pub(crate) responses: u64,
    pub(crate) too_few: bool,
    pub(crate) min_count: Option<u64>,
    /// A site's report (with all sites beside it), not the whole study's.
    pub(crate) site_level: bool,
    pub(crate) groups: Vec<NeedGroupView>,
    /// (number, title, summary) of each implication linked.
    pub(crate) implications: Vec<(u32, String, String)>,
    pub(crate) significance: String,
}

/// One survey of a site's protected release on its results page.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseSurvey {
    pub(crate) title: String,
    /// Responses kept at the site, at every site and (with a group) at the similar sites.
    pub(crate) site: u64,
    pub(crate) all: u64,
    pub(crate) group: Option<u64>,
    /// Whether the site has enough responses for any figure.
    pub(crate) released: bool,
    pub(crate) questions: Vec<ReleaseQuestion>,
}

/// One figure of a site's protected release as printed: hidden parts are `None`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReleaseCell {
    pub(crate) id: String,
    pub(crate) count: Option<String>,
    pub(crate) percent: Option<String>,
    pub(crate) all: Option<String>,
}

/// One answer of a question in the protected release.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseRow {
    pub(crate) label: String,
    pub(crate) cell: ReleaseCell,
}

/// One variable (a question, a statement of a grid, or the options of "select all").
#[derive(Debug, Clone)]
pub(crate) struct ReleaseGroup {
    pub(crate) heading: Option<String>,
    pub(crate) base_id: String,
    pub(crate) base: Option<String>,
    pub(crate) withheld: bool,
    pub(crate) rows: Vec<ReleaseRow>,
}

/// One question of the protected release.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseQuestion {
    pub(crate) item: String,
    pub(crate) text: String,
    pub(crate) groups: Vec<ReleaseGroup>,
}

/// A site's results for a site-scoped reader, from its protected release.
#[derive(Template)]
#[template(path = "admin/release_dashboard.html")]
pub(crate) struct ReleaseDashboardPage {
    pub(crate) layout: AdminLayout,
    /// The study holds generated demonstration responses.
    pub(crate) synthetic: bool,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) threshold: u64,
    pub(crate) surveys: Vec<ReleaseSurvey>,
    /// The headline measures, which the page leads with.
    pub(crate) headlines: super::headline::Headlines,
    /// The one-page summary.
    pub(crate) summary: String,
    pub(crate) needs: String,
    pub(crate) download: String,
}

/// One training need from the protected release.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseNeed {
    pub(crate) text: String,
    pub(crate) cell: ReleaseCell,
    pub(crate) base: Option<String>,
    pub(crate) post: Option<ReleaseCell>,
    pub(crate) post_base: Option<String>,
    /// The post-training figure's id, the verdict, whether it improved, and the p-value.
    pub(crate) change: Option<(String, String, bool, String)>,
    /// Whether the site has enough post-training responses for any figure after.
    pub(crate) post_released: bool,
    /// The implications it links to: number and title.
    pub(crate) implications: Vec<(u32, String)>,
    pub(crate) sections: Vec<String>,
}

/// One kind of gap from the protected release.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseNeedGroup {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) measure: String,
    pub(crate) needs: Vec<ReleaseNeed>,
    pub(crate) more: usize,
}

/// A site's training needs for a site-scoped reader, from its protected release.
#[derive(Template)]
#[template(path = "admin/release_needs.html")]
pub(crate) struct ReleaseNeedsPage {
    pub(crate) layout: AdminLayout,
    /// The study holds generated demonstration responses.
    pub(crate) synthetic: bool,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) threshold: u64,
    pub(crate) responses: u64,
    pub(crate) too_few: bool,
    pub(crate) groups: Vec<ReleaseNeedGroup>,
    pub(crate) implications: Vec<(u32, String, String)>,
    pub(crate) significance: String,
    pub(crate) download: String,
}

/// The record-level download form shown again with a problem.
#[derive(Template)]
#[template(path = "admin/export_form.html")]
pub(crate) struct ExportFormPage {
    pub(crate) layout: AdminLayout,
    pub(crate) export: String,
    pub(crate) export_scope: String,
    /// The survey and format asked for, repeated as hidden fields when given.
    pub(crate) survey: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) purpose: String,
    pub(crate) error: Option<String>,
}

/// One part of a study's content on its content page.
pub(crate) struct ContentRow {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) sha256: String,
    pub(crate) integrity: String,
    pub(crate) changed: bool,
    pub(crate) href: String,
    pub(crate) file: String,
}

/// `admin/content.html`: a study's surveys, module and plans as pre-registered.
#[derive(Template)]
#[template(path = "admin/content.html")]
pub(crate) struct ContentPage {
    pub(crate) layout: AdminLayout,
    pub(crate) study_name: String,
    pub(crate) created_on: String,
    pub(crate) rows: Vec<ContentRow>,
}
