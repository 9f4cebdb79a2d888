//! Admin page templates (askama, auto-escaping), in `templates/admin/`.

use askama::Template;

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
    pub(crate) region: String,
    pub(crate) link: String,
    pub(crate) headcount: String,
    pub(crate) manage: bool,
    pub(crate) error: Option<String>,
    pub(crate) deleted: Option<String>,
    /// The export route the download links go to.
    pub(crate) export: String,
    /// What the downloads hold.
    pub(crate) export_scope: String,
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
