//! Page templates (askama: compile-time checked and auto-escaping) and the headers every
//! response carries.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::services::{self, ServiceView};

/// The Content-Security-Policy: nothing from other hosts, no inline script or style.
/// Scripts may call this host only (the time-out warning keeps the session).
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The Permissions-Policy: every powerful feature the service does not use is denied to
/// the page and anything it might embed. Fullscreen and picture-in-picture stay allowed
/// for the training module's own videos.
pub(crate) const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), bluetooth=(), \
     browsing-topics=(), camera=(), display-capture=(), fullscreen=(self), geolocation=(), \
     gyroscope=(), hid=(), idle-detection=(), interest-cohort=(), magnetometer=(), \
     microphone=(), midi=(), payment=(), picture-in-picture=(self), \
     publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), \
     xr-spatial-tracking=()";

/// HSTS for a year, subdomains included: sent only when the public URL is https.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the security headers to every response (`Strict-Transport-Security` too when
/// `https`, the public URL's scheme), and `Cache-Control: no-store` to every page (so
/// the back button on a shared computer shows nothing from the server's cache).
pub(crate) async fn security_headers(
    State(https): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if !is_asset {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Renders a template as an HTML response, or the problem page if rendering fails.
pub(crate) fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(detail = %error, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service. Try again later.",
            )
                .into_response()
        }
    }
}

/// What the shared page layout needs.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// A neutral title: it appears in the browser's history and tabs.
    pub(crate) title: String,
    /// The page shows validation errors ("Error: " title prefix).
    pub(crate) error: bool,
    /// The respondent is in a journey: show "leave and clear this device".
    pub(crate) in_journey: bool,
    /// The respondent has agreed to take part, so there is something to save: show "save
    /// and come back later".
    pub(crate) can_save: bool,
    /// How long without activity ends the session, in seconds (0 outside a journey).
    pub(crate) idle_seconds: u64,
    /// The national support services.
    pub(crate) national: Vec<ServiceView>,
    /// The site's own support services.
    pub(crate) local: Vec<ServiceView>,
    /// Where the back link goes, if the page has one.
    pub(crate) back: Option<String>,
}

impl Layout {
    /// A page outside a journey.
    pub(crate) fn plain(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            error: false,
            in_journey: false,
            can_save: false,
            idle_seconds: 0,
            national: services::national(),
            local: Vec::new(),
            back: None,
        }
    }

    /// A page of a site's journey.
    pub(crate) fn journey(title: &str, local_services: &str) -> Layout {
        Layout {
            in_journey: true,
            local: services::local(local_services),
            ..Layout::plain(title)
        }
    }

    /// With a back link.
    pub(crate) fn back(mut self, href: &str) -> Layout {
        self.back = Some(href.to_owned());
        self
    }

    /// Marks the page as showing errors.
    pub(crate) fn with_error(mut self, error: bool) -> Layout {
        self.error = error;
        self
    }
}

impl Layout {
    /// The time without activity that ends the session, in words ("3 hours").
    pub(crate) fn idle_words(&self) -> String {
        skafada_report::learning_time(i64::try_from(self.idle_seconds / 60).unwrap_or(i64::MAX))
    }
}

/// An error for the error summary: the field's id and the message.
#[derive(Debug, Clone)]
pub(crate) struct ErrorLink {
    pub(crate) href: String,
    pub(crate) message: String,
}

/// A page of paragraphs and one link.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) link: Option<(String, String)>,
}

/// The start page of a site's link.
#[derive(Template)]
#[template(path = "start.html")]
pub(crate) struct StartPage {
    pub(crate) layout: Layout,
    pub(crate) site_name: String,
    pub(crate) token: String,
    pub(crate) survey_minutes: u32,
    /// The module's learning time in words, as the certificate states it.
    pub(crate) training_time: String,
    pub(crate) closes_on: String,
    /// Who sees what (`confidentiality::who_sees_what`).
    pub(crate) who_sees: Vec<String>,
}

/// The start page of a site's follow-up link.
#[derive(Template)]
#[template(path = "follow_up_start.html")]
pub(crate) struct FollowUpStartPage {
    pub(crate) layout: Layout,
    pub(crate) site_name: String,
    pub(crate) wave_name: String,
    /// Where Start now posts.
    pub(crate) action: String,
    pub(crate) survey_minutes: u32,
    pub(crate) closes_on: String,
    /// Who sees what (`confidentiality::who_sees_what`).
    pub(crate) who_sees: Vec<String>,
}

/// The follow-up page that asks how to link the answers to the earlier ones.
#[derive(Template)]
#[template(path = "follow_up_link.html")]
pub(crate) struct FollowUpLinkPage {
    pub(crate) layout: Layout,
    pub(crate) site_name: String,
    /// The choice made, when the page is shown again.
    pub(crate) chosen: String,
    /// The resume code as typed.
    pub(crate) code: String,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) choice_error: Option<String>,
    pub(crate) code_error: Option<String>,
}

/// A consent statement checkbox.
#[derive(Debug, Clone)]
pub(crate) struct ConsentStatement {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) checked: bool,
}

/// The consent page.
#[derive(Template)]
#[template(path = "consent.html")]
pub(crate) struct ConsentPage {
    pub(crate) layout: Layout,
    pub(crate) title: String,
    pub(crate) intro: Vec<String>,
    pub(crate) question: String,
    pub(crate) statements: Vec<ConsentStatement>,
    pub(crate) error: Option<String>,
    pub(crate) first_id: String,
    /// Who sees what (`confidentiality::who_sees_what`).
    pub(crate) who_sees: Vec<String>,
    /// The study's participant information in brief, with a link to the whole sheet;
    /// `None` for a study made before it was stored.
    pub(crate) sheet: Option<SheetSummary>,
}

/// The facts of a study's participant information shown beside the consent statements.
pub(crate) struct SheetSummary {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) dated: String,
    pub(crate) organisation: String,
    pub(crate) contact: String,
    pub(crate) ethics: String,
}

/// One titled part of the participant information page.
pub(crate) struct SheetPart {
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
}

/// The participant information sheet, printable.
#[derive(Template)]
#[template(path = "participant.html")]
pub(crate) struct ParticipantPage {
    pub(crate) layout: Layout,
    pub(crate) summary: SheetSummary,
    pub(crate) invitation: Vec<String>,
    pub(crate) parts: Vec<SheetPart>,
    /// The consent statements as the respondent will be asked them.
    pub(crate) statements: Vec<String>,
    /// The study is a demonstration: its placeholder text is explained.
    pub(crate) demonstration: bool,
}

/// Shows a new resume code.
#[derive(Template)]
#[template(path = "code.html")]
pub(crate) struct CodePage {
    pub(crate) layout: Layout,
    pub(crate) code: String,
    pub(crate) next: String,
}

/// The "save and come back later" page.
#[derive(Template)]
#[template(path = "save.html")]
pub(crate) struct SavePage {
    pub(crate) layout: Layout,
}

/// The resume form.
#[derive(Template)]
#[template(path = "resume.html")]
pub(crate) struct ResumePage {
    pub(crate) layout: Layout,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// One option of a radio or checkbox group.
#[derive(Debug, Clone)]
pub(crate) struct OptionView {
    pub(crate) id: String,
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) checked: bool,
    pub(crate) exclusive: bool,
    /// A divider ("or") before this option.
    pub(crate) divider: bool,
}

/// One statement of a matrix: a fieldset of radios.
#[derive(Debug, Clone)]
pub(crate) struct RowView {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) options: Vec<OptionView>,
    pub(crate) error: Option<String>,
}

/// One question on a survey page.
#[derive(Debug, Clone)]
pub(crate) struct FieldView {
    pub(crate) id: String,
    /// `radios`, `checkboxes`, `matrix`, `input`, `textarea`, `number` or `year`.
    pub(crate) kind: &'static str,
    /// `radio` or `checkbox` for choice questions.
    pub(crate) input_type: &'static str,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) options: Vec<OptionView>,
    pub(crate) rows: Vec<RowView>,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    pub(crate) specify: Option<SpecifyView>,
    /// A follow-up revealed in place: the question on this page that shows it, and the
    /// answers (codes, space-separated) that do.
    pub(crate) reveal: Option<(String, String)>,
}

/// An "other, please specify" box.
#[derive(Debug, Clone)]
pub(crate) struct SpecifyView {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// A survey page.
#[derive(Template)]
#[template(path = "question.html")]
pub(crate) struct QuestionPage {
    pub(crate) layout: Layout,
    pub(crate) caption: String,
    /// "Page 4 of 13": where the page is among the questions on the respondent's route.
    pub(crate) progress: Option<String>,
    /// The survey's opening text, on its first page of questions.
    pub(crate) opening: Vec<String>,
    /// The question an answer on this page has just added to it: its id and text.
    pub(crate) added: Option<(String, String)>,
    pub(crate) title: String,
    pub(crate) intro: Vec<String>,
    pub(crate) fields: Vec<FieldView>,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) action: String,
}

/// A row of the check your answers list.
#[derive(Debug, Clone)]
pub(crate) struct SummaryRow {
    pub(crate) question: String,
    pub(crate) answer: Vec<String>,
    pub(crate) change: String,
}

/// A section of the check your answers page: one survey page.
#[derive(Debug, Clone)]
pub(crate) struct SummarySection {
    pub(crate) title: String,
    pub(crate) rows: Vec<SummaryRow>,
}

/// Check your answers.
#[derive(Template)]
#[template(path = "check.html")]
pub(crate) struct CheckPage {
    pub(crate) layout: Layout,
    pub(crate) caption: String,
    pub(crate) sections: Vec<SummarySection>,
    /// The survey's closing text, before the submit button.
    pub(crate) closing: Vec<String>,
    pub(crate) end_message: Option<String>,
    pub(crate) action: String,
}

/// A survey's confirmation page.
#[derive(Template)]
#[template(path = "done.html")]
pub(crate) struct DonePage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) next: Option<(String, String)>,
}

/// A section in the training contents.
#[derive(Debug, Clone)]
pub(crate) struct SectionLink {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) done: bool,
}

/// The training module's contents page.
#[derive(Template)]
#[template(path = "training.html")]
pub(crate) struct TrainingPage {
    pub(crate) layout: Layout,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// The module's learning time in words, as the certificate states it.
    pub(crate) time: String,
    pub(crate) sections: Vec<SectionLink>,
    pub(crate) completed: usize,
    pub(crate) next: Option<String>,
    pub(crate) finished: bool,
}

/// A knowledge check as shown.
#[derive(Debug, Clone)]
pub(crate) struct CheckView {
    pub(crate) index: usize,
    /// The form field of its answers.
    pub(crate) field: String,
    pub(crate) question: String,
    pub(crate) multiple: bool,
    pub(crate) group_kind: &'static str,
    pub(crate) input_type: &'static str,
    pub(crate) options: Vec<OptionView>,
    pub(crate) feedback: Option<(bool, String)>,
    /// Discussed in a group session rather than answered alone.
    pub(crate) group: bool,
    pub(crate) error: Option<String>,
}

/// A part of a section, ready for the template.
#[derive(Debug, Clone)]
pub(crate) enum PartView {
    /// Rendered Markdown (raw HTML escaped by `skafada_training::render_markdown`).
    Html(String),
    /// A titled box of rendered Markdown (lived experience, media transcripts).
    Panel {
        title: String,
        html: String,
        note: String,
    },
    /// Say this, not this.
    SayThis {
        title: String,
        pairs: Vec<(String, String, String)>,
    },
    /// A scenario: choices with feedback in details elements.
    Scenario {
        title: String,
        situation: String,
        question: String,
        choices: Vec<(String, String)>,
    },
    /// A knowledge check.
    Check(CheckView),
    /// A reflection prompt that is never sent.
    Reflection {
        id: String,
        prompt: String,
        hint: String,
    },
    /// Support services.
    Services {
        title: String,
        intro: String,
        services: Vec<ServiceView>,
    },
}

/// A training section.
#[derive(Template)]
#[template(path = "section.html")]
pub(crate) struct SectionPage {
    pub(crate) layout: Layout,
    pub(crate) module_title: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) outcomes: Vec<String>,
    pub(crate) parts: Vec<PartView>,
    pub(crate) errors: Vec<ErrorLink>,
    pub(crate) position: usize,
    pub(crate) count: usize,
    pub(crate) privacy_notice: &'static str,
    /// Shown to a group on one screen (`part.html` is shared with group mode).
    pub(crate) group: bool,
}

/// The certificate page.
#[derive(Template)]
#[template(path = "certificate.html")]
pub(crate) struct CertificatePage {
    pub(crate) layout: Layout,
    pub(crate) module_title: String,
    /// The learning time the certificate states, in words.
    pub(crate) time: String,
    pub(crate) verify_url: String,
    /// Whether the respondent has downloaded a certificate before.
    pub(crate) downloaded: bool,
    pub(crate) name: String,
    pub(crate) error: Option<String>,
}

/// The verification page.
#[derive(Template)]
#[template(path = "verify.html")]
pub(crate) struct VerifyPage {
    pub(crate) layout: Layout,
    pub(crate) code: String,
    pub(crate) error: Option<String>,
    pub(crate) result: Option<VerifiedView>,
    pub(crate) not_found: bool,
}

/// A verified certificate: only what the certificate itself says, without the name.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedView {
    pub(crate) code: String,
    pub(crate) module_title: String,
    /// The month and year of completion, e.g. "December 2026" (never the day).
    pub(crate) completed: String,
    /// The learning time the certificate states, in words.
    pub(crate) time: String,
}

/// The accessibility statement.
#[derive(Template)]
#[template(path = "accessibility.html")]
pub(crate) struct AccessibilityPage {
    pub(crate) layout: Layout,
}

/// Splits text into paragraphs on blank lines.
pub(crate) fn paragraphs(text: Option<&str>) -> Vec<String> {
    text.map(|t| {
        t.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// `2026-11-24` as `24 November 2026` (GOV.UK's date style); anything that is not a
/// real date is shown as it is.
pub(crate) fn long_date(day: &skafada_store::Day) -> String {
    day.long()
}

/// One question of the linking code page.
pub(crate) struct CodeQuestion {
    /// The field's name: the question's id.
    pub(crate) name: String,
    /// The input's id (`link-` and the question's id).
    pub(crate) input_id: String,
    pub(crate) text: String,
    pub(crate) hint: Option<String>,
    /// The answer as typed, when the page is shown again with a problem.
    pub(crate) value: String,
    pub(crate) dont_know: bool,
    pub(crate) error: Option<String>,
}

/// The optional page that makes a linking code from the respondent's answers.
#[derive(Template)]
#[template(path = "link_code.html")]
pub(crate) struct LinkCodePage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    /// The code is made again at a follow-up wave, not for the first time.
    pub(crate) follow_up: bool,
    /// When the respondent will be asked again, e.g. "in about 3 months".
    pub(crate) when: Option<String>,
    pub(crate) questions: Vec<CodeQuestion>,
    pub(crate) errors: Vec<ErrorLink>,
    /// Where the link under the button goes, and its text.
    pub(crate) skip: (String, String),
}
