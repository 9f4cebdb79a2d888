//! The invitation and reminders that LA contacts send round their teams: each site's
//! messages filled in with its link and the closing date, ready to copy; the study's own
//! wording (study admins change it); and, where the server has an SMTP server configured,
//! sending a message to a site's LA contacts by e-mail for them to forward.
//!
//! Practitioners are never e-mailed: they are anonymous and the service has no address
//! for them. The LA contact cascades the message, as in the study.

use axum::extract::{Path, State};
use axum::response::Response;
use skafada_store::{Message, MessageKind, Site, Study, WaveMessage};

use super::error::AdminError;
use super::forms::{Errors, Input, TextArea, read_text};
use super::guard::{Admin, AdminPost};
use super::views::{
    AdminLayout, AdminMessagePage, MessageEditView, MessageView, SiteMessagesPage,
    StudyMessagesPage,
};
use crate::AppState;
use crate::content::StudyContent;
use crate::views::{long_date, render};

/// The placeholders a message may use.
pub(crate) const PLACEHOLDERS: [(&str, &str); 6] = [
    (
        "{link}",
        "the site's survey link (in a follow-up wave's message, the wave's link)",
    ),
    ("{site}", "the site's name"),
    (
        "{who_sees}",
        "what the site sees of the answers, in the words of the start page",
    ),
    (
        "{opens_on}",
        "the opening date (in a follow-up wave's message, the wave's)",
    ),
    (
        "{closes_on}",
        "the closing date, such as 31 July 2027 (in a follow-up wave's message, the wave's)",
    ),
    (
        "{time}",
        "how long the survey and training take, such as about 2 hours",
    ),
];

/// The built-in wording of a message.
pub(crate) fn default_message(kind: MessageKind) -> Message {
    let (subject, body) = match kind {
        MessageKind::Invitation => (
            "Domestic abuse survey and training for Early Help and Family Support staff",
            "Dear colleagues,\n\n\
             {site} is taking part in a study of how Early Help and Family Support practitioners recognise and respond to domestic abuse, and what training would help.\n\n\
             It takes {time} in all: a short survey, an online training module and a second short survey. You can stop at any point and carry on later with a resume code. When you finish the training you can download a certificate for your CPD record.\n\n\
             The survey is anonymous. It does not ask for your name or e-mail address. {who_sees}\n\n\
             Some topics may bring up difficult feelings. Support services are listed on every page, and you can leave at any time with the Exit this page button.\n\n\
             Start here: {link}\n\n\
             The survey closes on {closes_on}.\n\n\
             Thank you for taking part.",
        ),
        MessageKind::Reminder => (
            "Reminder: domestic abuse survey and training, open until {closes_on}",
            "Dear colleagues,\n\n\
             A reminder that the domestic abuse survey and training for Early Help and Family Support staff is open until {closes_on}. It takes {time} in all, you can do it in more than one sitting, and it counts towards your CPD.\n\n\
             If you have already taken part, thank you. If you started, carry on with your resume code. If not, start here: {link}\n\n\
             The survey is anonymous, and support services are listed on every page.",
        ),
        MessageKind::FinalReminder => (
            "Last chance: domestic abuse survey and training closes on {closes_on}",
            "Dear colleagues,\n\n\
             The domestic abuse survey and training closes on {closes_on}. If you would like to take part, or to finish the training and get your CPD certificate, there is still time.\n\n\
             Start or carry on here: {link}\n\n\
             Thank you to everyone who has taken part.",
        ),
    };
    Message {
        kind,
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

/// A short name for a kind of message.
pub(crate) fn kind_label(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Invitation => "Invitation",
        MessageKind::Reminder => "Reminder",
        MessageKind::FinalReminder => "Final reminder",
    }
}

/// Which of a study's messages: one of the survey's, or a follow-up wave's by its number
/// in the study's waves file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    /// The invitation or a reminder to take the survey.
    Survey(MessageKind),
    /// A follow-up wave's message, with the wave's own link and dates.
    Wave(u8),
}

/// One of a study's messages in the study's wording (its own where it has one, else the
/// built-in one), placeholders not yet filled in.
#[derive(Debug, Clone)]
struct Wording {
    which: Which,
    /// Its name in addresses: `invitation`, `reminder`, `final-reminder` or the wave's id.
    key: String,
    label: String,
    subject: String,
    body: String,
}

/// The message a study's key names, if the study has it.
fn which(content: &StudyContent, key: &str) -> Option<Which> {
    if let Some(kind) = MessageKind::parse(key) {
        return Some(Which::Survey(kind));
    }
    let (number, _) = content.waves.as_ref()?.numbered(key)?;
    Some(Which::Wave(number))
}

/// The built-in wording of a follow-up wave's message, around the reminder text of the
/// study's waves file.
fn default_wave_message(wave: &skafada_waves::wave::FollowUpWave) -> (String, String) {
    (
        format!(
            "{}: domestic abuse survey, open until {{closes_on}}",
            wave.name
        ),
        format!(
            "Dear colleagues,\n\n{}\n\nStart here: {{link}}\n\nThe survey is open from {{opens_on}} until {{closes_on}}. It is anonymous: it does not ask for your name or e-mail address. {{who_sees}}\n\nSupport services are listed on every page, and you can leave at any time with the Exit this page button.\n\nThank you.",
            wave.reminder.trim()
        ),
    )
}

/// Every message of the study, the survey's then each follow-up wave's.
async fn wordings(
    state: &AppState,
    study: &Study,
    content: &StudyContent,
) -> Result<Vec<Wording>, AdminError> {
    let own = state.store.messages(&study.id).await?;
    let mut all: Vec<Wording> = MessageKind::ALL
        .into_iter()
        .map(|kind| {
            let message = own
                .iter()
                .find(|m| m.kind == kind)
                .cloned()
                .unwrap_or_else(|| default_message(kind));
            Wording {
                which: Which::Survey(kind),
                key: kind.as_str().to_owned(),
                label: kind_label(kind).to_owned(),
                subject: message.subject,
                body: message.body,
            }
        })
        .collect();
    let waves = content
        .waves
        .as_ref()
        .map_or(&[][..], |w| w.waves.as_slice());
    if !waves.is_empty() {
        let own = state.store.wave_messages(&study.id).await?;
        for (wave, number) in waves.iter().zip(1u8..) {
            let (subject, body) = own.iter().find(|m| m.wave == wave.id).map_or_else(
                || default_wave_message(wave),
                |m| (m.subject.clone(), m.body.clone()),
            );
            all.push(Wording {
                which: Which::Wave(number),
                key: wave.id.clone(),
                label: wave.name.clone(),
                subject,
                body,
            });
        }
    }
    Ok(all)
}

/// "about 1 hour 45 minutes", rounded to 5 minutes.
fn duration(minutes: u32) -> String {
    let minutes = minutes.div_ceil(5) * 5;
    let (hours, rest) = (minutes / 60, minutes % 60);
    let hours_text = match hours {
        0 => String::new(),
        1 => "1 hour".to_owned(),
        n => format!("{n} hours"),
    };
    match (hours, rest) {
        (0, m) => format!("about {m} minutes"),
        (_, 0) => format!("about {hours_text}"),
        (_, m) => format!("about {hours_text} {m} minutes"),
    }
}

/// A message with the site's details in place of its placeholders: the survey's link and
/// dates, or for a follow-up wave's message the wave's.
fn fill(
    text: &str,
    state: &AppState,
    study: &Study,
    content: &StudyContent,
    site: &Site,
    which: Which,
) -> String {
    let time = duration(content.journey_minutes());
    let wave = match which {
        Which::Survey(_) => None,
        Which::Wave(number) => crate::follow_up::wave(content, number).zip(
            crate::follow_up::wave_dates(content, number, &study.window()),
        ),
    };
    let (link, opens_on, closes_on) = match wave {
        Some((wave, (first, last))) => (
            state.config.follow_up_link(&site.link_token, &wave.id),
            first,
            last,
        ),
        None => (
            state.config.site_link(&site.link_token),
            study.opens_on,
            study.closes_on,
        ),
    };
    text.replace("{link}", &link)
        .replace(
            "{who_sees}",
            &crate::confidentiality::site_sentence(&site.name, study.min_cell_count),
        )
        .replace("{site}", &site.name)
        .replace("{opens_on}", &long_date(&opens_on))
        .replace("{closes_on}", &long_date(&closes_on))
        .replace("{time}", &time)
}

/// `GET /admin/studies/{study}/sites/{site}/messages`: the site's messages to copy.
#[tracing::instrument(skip_all)]
pub(crate) async fn site_messages(
    State(state): State<AppState>,
    admin: Admin,
    Path((study_id, code)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (study, site) = admin.require_site(&state, &study_id, &code).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let base = format!("/admin/studies/{}/sites/{}", study.id, site.code);
    let can_send = admin.can_manage(&study.id) && state.mailer.is_some();
    let contacts = if can_send {
        state.store.la_contact_emails(&site.id).await?.len()
    } else {
        0
    };
    let messages: Vec<MessageView> = wordings(&state, &study, &content)
        .await?
        .into_iter()
        .map(|message| MessageView {
            subject: fill(
                &message.subject,
                &state,
                &study,
                &content,
                &site,
                message.which,
            ),
            body: fill(
                &message.body,
                &state,
                &study,
                &content,
                &site,
                message.which,
            ),
            kind: message.key,
            label: message.label,
        })
        .collect();
    Ok(render(&SiteMessagesPage {
        layout: AdminLayout::new(&format!("Messages for {}", site.code), Some(&admin)).back(&base),
        csrf: admin.csrf.clone(),
        base,
        code: site.code,
        link: state.config.site_link(&site.link_token),
        messages,
        can_send,
        contacts,
        mail_configured: state.mailer.is_some(),
        manage: admin.can_manage(&study.id),
        study_messages: format!("/admin/studies/{}/messages", study.id),
    }))
}

/// A message whose saving failed: its key, the errors and what was typed.
type Failed = (String, Errors, Input, TextArea);

fn edit_views(messages: &[Wording], errors: &mut Option<Failed>) -> Vec<MessageEditView> {
    messages
        .iter()
        .map(|message| {
            let kind = message.key.as_str();
            match errors.take_if(|(k, ..)| k == kind) {
                Some((_, _, subject, body)) => MessageEditView {
                    kind: kind.to_owned(),
                    label: message.label.clone(),
                    subject,
                    body,
                },
                None => MessageEditView {
                    kind: kind.to_owned(),
                    label: message.label.clone(),
                    subject: Input::new(&format!("{kind}-subject"), "Subject", &message.subject),
                    body: TextArea {
                        id: format!("{kind}-body"),
                        label: "Message".to_owned(),
                        hint: None,
                        value: message.body.clone(),
                        error: None,
                        rows: 14,
                    },
                },
            }
        })
        .collect()
}

async fn study_messages_page(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    mut failed: Option<Failed>,
    saved: Option<String>,
) -> Result<Response, AdminError> {
    let content = state.studies.get(&state.store, &study.id).await?;
    let messages = wordings(state, study, &content).await?;
    // Nothing failed: no errors to show.
    let errors = failed
        .as_ref()
        .map_or_else(Vec::new, |(_, errors, ..)| errors.0.clone());
    Ok(render(&StudyMessagesPage {
        layout: AdminLayout::new("Invitation and reminders", Some(admin))
            .with_error(!errors.is_empty())
            .back(&format!("/admin/studies/{}", study.id)),
        csrf: admin.csrf.clone(),
        base: format!("/admin/studies/{}/messages", study.id),
        study_name: study.name.clone(),
        errors,
        messages: edit_views(&messages, &mut failed),
        placeholders: PLACEHOLDERS
            .iter()
            .map(|(p, d)| ((*p).to_owned(), (*d).to_owned()))
            .collect(),
        can_send: state.mailer.is_some(),
        saved,
    }))
}

/// `GET /admin/studies/{study}/messages`: the study's wording (study admins).
#[tracing::instrument(skip_all)]
pub(crate) async fn edit_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(study_id): Path<String>,
) -> Result<Response, AdminError> {
    let study = admin.manage_study(&state, &study_id).await?;
    study_messages_page(&state, &admin, &study, None, None).await
}

/// `POST /admin/studies/{study}/messages/{kind}`: saves one message's wording (`kind`
/// is a survey message's name or a follow-up wave's id).
#[tracing::instrument(skip_all)]
pub(crate) async fn save(
    State(state): State<AppState>,
    Path((study_id, kind)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let admin = &post.admin;
    let study = admin.manage_study(&state, &study_id).await?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let message = wordings(&state, &study, &content)
        .await?
        .into_iter()
        .find(|m| Some(m.which) == which(&content, &kind))
        .ok_or(AdminError::NotFound)?;
    let name = message.key.as_str();
    let mut errors = Errors::default();
    let mut subject = Input::new(&format!("{name}-subject"), "Subject", "");
    let subject_text = read_text(
        &post.form,
        &mut subject,
        &mut errors,
        Some("Enter the subject"),
        200,
    );
    // A message that was not sent is an empty one, which is refused below.
    let typed = post.form.as_typed(&format!("{name}-body")).to_owned();
    let body_text = typed.trim().replace("\r\n", "\n");
    let mut body = TextArea {
        id: format!("{name}-body"),
        label: "Message".to_owned(),
        hint: None,
        value: typed.clone(),
        error: None,
        rows: 14,
    };
    let body_error = if body_text.is_empty() {
        Some("Enter the message")
    } else if body_text.chars().count() > 5000 {
        Some("Message must be 5,000 characters or fewer")
    } else if !body_text.contains("{link}") {
        Some("The message must include {link}, where the site's survey link goes")
    } else {
        None
    };
    if let Some(problem) = body_error {
        body.error = Some(problem.to_owned());
        errors.add(&body.id, problem);
    }
    let (Some(subject_text), None) = (subject_text, body_error) else {
        return study_messages_page(
            &state,
            admin,
            &study,
            Some((message.key.clone(), errors, subject, body)),
            None,
        )
        .await;
    };
    match message.which {
        Which::Survey(kind) => {
            state
                .store
                .set_message(
                    &study.id,
                    &Message {
                        kind,
                        subject: subject_text,
                        body: body_text,
                    },
                    admin.account_id(),
                )
                .await?;
        }
        Which::Wave(_) => {
            state
                .store
                .set_wave_message(
                    &study.id,
                    &WaveMessage {
                        wave: message.key.clone(),
                        subject: subject_text,
                        body: body_text,
                    },
                    admin.account_id(),
                )
                .await?;
        }
    }
    study_messages_page(
        &state,
        admin,
        &study,
        None,
        Some(format!("{} saved", message.label)),
    )
    .await
}

/// Sends a message to the LA contacts of some sites; returns (sites, e-mails sent).
async fn send_to(
    state: &AppState,
    admin: &Admin,
    study: &Study,
    sites: &[Site],
    message: &Wording,
) -> Result<(usize, usize), AdminError> {
    let mailer = state.mailer.as_ref().ok_or(AdminError::NotFound)?;
    let content = state.studies.get(&state.store, &study.id).await?;
    let (mut sites_reached, mut sent) = (0, 0);
    for site in sites {
        let contacts = state.store.la_contact_emails(&site.id).await?;
        if contacts.is_empty() {
            continue;
        }
        let subject = fill(
            &message.subject,
            state,
            study,
            &content,
            site,
            message.which,
        );
        let body = fill(&message.body, state, study, &content, site, message.which);
        let delivered = forward(mailer, site, &contacts, &subject, &body).await;
        if delivered > 0 {
            // The audit entry names the message as the addresses do.
            state
                .store
                .log_message_sent(site, &message.key, delivered, admin.account_id())
                .await?;
            sites_reached += 1;
            sent += delivered;
        }
    }
    Ok((sites_reached, sent))
}

/// The study's message with this key, or 404.
async fn wording(state: &AppState, study: &Study, key: &str) -> Result<Wording, AdminError> {
    let content = state.studies.get(&state.store, &study.id).await?;
    let which = which(&content, key).ok_or(AdminError::NotFound)?;
    wordings(state, study, &content)
        .await?
        .into_iter()
        .find(|m| m.which == which)
        .ok_or(AdminError::NotFound)
}

/// E-mails a message to a site's LA contacts for them to forward to their teams;
/// returns how many were accepted by the mail server.
async fn forward(
    mailer: &crate::mail::Mailer,
    site: &Site,
    contacts: &[String],
    subject: &str,
    message: &str,
) -> usize {
    let body = format!(
        "Please forward the message below to the Early Help and Family Support practitioners in {}.\n\n----------\n\n{message}\n",
        site.name
    );
    let mut delivered = 0;
    for to in contacts {
        match mailer.send(to, subject, &body).await {
            Ok(()) => delivered += 1,
            // The address is an admin's, not a respondent's; the error holds no answers.
            Err(error) => {
                tracing::warn!(site = %site.code, detail = %error, "message not sent")
            }
        }
    }
    delivered
}

fn sent_page(
    admin: &Admin,
    back: &str,
    label: &str,
    (sites, sent): (usize, usize),
    wanted: usize,
) -> Response {
    let mut paragraphs = vec![match sent {
        0 if wanted == 0 => "Nothing was sent: no site has an LA contact account yet. Make them with skafada admin create --role la-contact.".to_owned(),
        0 => "Nothing was sent.".to_owned(),
        1 => format!("{label} e-mailed to 1 LA contact."),
        n => format!("{label} e-mailed to {n} LA contacts at {sites} sites."),
    }];
    if sent < wanted {
        paragraphs.push(format!(
            "{} could not be sent: the mail server did not accept them, or a site has no LA contact account. The audit log lists what was sent.",
            wanted - sent
        ));
    }
    render(&AdminMessagePage {
        layout: AdminLayout::new("Reminder sent", Some(admin)).back(back),
        heading: if sent > 0 {
            "Sent".to_owned()
        } else {
            "Not sent".to_owned()
        },
        paragraphs,
        link: Some((back.to_owned(), "Back".to_owned())),
    })
}

/// `POST /admin/studies/{study}/sites/{site}/messages/{kind}/send`.
#[tracing::instrument(skip_all)]
pub(crate) async fn send_site(
    State(state): State<AppState>,
    Path((study_id, code, kind)): Path<(String, String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let (study, site) = post.admin.manage_site(&state, &study_id, &code).await?;
    let back = format!("/admin/studies/{}/sites/{}/messages", study.id, site.code);
    let message = wording(&state, &study, &kind).await?;
    let wanted = state.store.la_contact_emails(&site.id).await?.len();
    let done = send_to(
        &state,
        &post.admin,
        &study,
        std::slice::from_ref(&site),
        &message,
    )
    .await?;
    Ok(sent_page(&post.admin, &back, &message.label, done, wanted))
}

/// `POST /admin/studies/{study}/messages/{kind}/send`: to every site's LA contacts.
#[tracing::instrument(skip_all)]
pub(crate) async fn send_all(
    State(state): State<AppState>,
    Path((study_id, kind)): Path<(String, String)>,
    post: AdminPost,
) -> Result<Response, AdminError> {
    let study = post.admin.manage_study(&state, &study_id).await?;
    let message = wording(&state, &study, &kind).await?;
    let sites = state.store.sites(&study.id).await?;
    let mut wanted = 0;
    for site in &sites {
        wanted += state.store.la_contact_emails(&site.id).await?.len();
    }
    let done = send_to(&state, &post.admin, &study, &sites, &message).await?;
    let back = format!("/admin/studies/{}/messages", study.id);
    Ok(sent_page(&post.admin, &back, &message.label, done, wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(12), "about 15 minutes");
        assert_eq!(duration(60), "about 1 hour");
        assert_eq!(duration(101), "about 1 hour 45 minutes");
        assert_eq!(duration(120), "about 2 hours");
    }

    #[test]
    fn every_built_in_message_carries_the_link() {
        for kind in MessageKind::ALL {
            assert!(default_message(kind).body.contains("{link}"));
        }
        let waves =
            skafada_waves::wave::StudyWaves::parse(include_str!("../../../../waves/skafada.toml"))
                .unwrap();
        for wave in &waves.waves {
            let (subject, body) = default_wave_message(wave);
            assert!(body.contains("{link}") && body.contains(wave.reminder.trim()));
            assert!(subject.starts_with(&wave.name));
        }
    }
}
