//! What study admins change on the admin pages: a study's name, dates and small-number
//! threshold; sites with the study report's Table 2 columns, their local services and
//! their links; the study's invitation and reminder messages. Also the anonymous count of
//! journeys started at each site, and the LA contacts a reminder goes to.
//!
//! Every change is written with its audit entry in one transaction.

use sqlx::Row;

use crate::audit::{self, Audit};
use crate::rows::{STUDY_COLUMNS, study_from_row};
use crate::secret::random_token;
use crate::studies::{insert_site, new_site_row};
use crate::{Day, NewSite, NewStudy, Site, SiteId, Store, StoreError, Study, StudyId};

/// The settings of a study an admin may change once it exists. Its surveys and
/// training module never change: answers are only comparable within one instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudySettings {
    /// A name for researchers.
    pub name: String,
    /// The first day respondents may start.
    pub opens_on: Day,
    /// The last day respondents may start or continue.
    pub closes_on: Day,
    /// The day the responses are to be deleted.
    pub retain_until: Day,
    /// Counts below this are suppressed for LA contacts.
    pub min_cell_count: i64,
}

impl StudySettings {
    /// A study's current settings.
    pub fn of(study: &Study) -> StudySettings {
        StudySettings {
            name: study.name.clone(),
            opens_on: study.opens_on,
            closes_on: study.closes_on,
            retain_until: study.retain_until,
            min_cell_count: study.min_cell_count,
        }
    }

    /// What differs from `before`, for the audit log: "name", "closing date", ...
    fn changes_from(&self, before: &StudySettings) -> String {
        let mut changed = Vec::new();
        if self.name != before.name {
            changed.push("name".to_owned());
        }
        if self.opens_on != before.opens_on {
            changed.push(format!(
                "opening date {} to {}",
                before.opens_on, self.opens_on
            ));
        }
        if self.closes_on != before.closes_on {
            changed.push(format!(
                "closing date {} to {}",
                before.closes_on, self.closes_on
            ));
        }
        if self.retain_until != before.retain_until {
            changed.push(format!(
                "deletion date {} to {}",
                before.retain_until, self.retain_until
            ));
        }
        if self.min_cell_count != before.min_cell_count {
            changed.push(format!(
                "smallest count shown {} to {}",
                before.min_cell_count, self.min_cell_count
            ));
        }
        if changed.is_empty() {
            "nothing changed".to_owned()
        } else {
            changed.join("; ")
        }
    }
}

/// Which message of a study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MessageKind {
    /// The first message, when the survey opens.
    Invitation,
    /// A reminder while it is open.
    Reminder,
    /// The last reminder, shortly before it closes.
    FinalReminder,
}

impl MessageKind {
    /// Every kind, in the order they are sent.
    pub const ALL: [MessageKind; 3] = [
        MessageKind::Invitation,
        MessageKind::Reminder,
        MessageKind::FinalReminder,
    ];

    /// The stored name: `invitation`, `reminder`, `final-reminder`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::Reminder => "reminder",
            MessageKind::FinalReminder => "final-reminder",
        }
    }

    /// The kind with this stored name.
    pub fn parse(text: &str) -> Option<MessageKind> {
        MessageKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// How a follow-up wave's message is keyed among a study's messages: `wave:<wave id>`.
const WAVE_MESSAGE: &str = "wave:";

/// A study's own wording of a follow-up wave's message (placeholders are filled in by
/// the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveMessage {
    /// The wave's id, as in the study's waves file.
    pub wave: String,
    /// The e-mail subject.
    pub subject: String,
    /// The message.
    pub body: String,
}

/// A study's own wording of one message (placeholders are filled in by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Which message.
    pub kind: MessageKind,
    /// The e-mail subject.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// How many journeys were started at a site: "Start now" pressed on its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteStarts {
    /// The site's code.
    pub site_code: String,
    /// Journeys started, on every day together.
    pub starts: i64,
}

impl Store {
    /// Creates a study, audited in the same transaction as done by the account `by` (none:
    /// the command line); returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn create_study_by(
        &self,
        study: &NewStudy,
        min_cell_count: i64,
        by: Option<&str>,
    ) -> Result<StudyId, StoreError> {
        let mut tx = self.write().await?;
        let id = crate::studies::insert_study(&mut tx, study, Some(min_cell_count)).await?;
        let plan_sha256 = crate::sha256_hex(study.analysis_plan.as_bytes());
        let details = format!(
            "open {} to {}, responses deleted on {}, analysis plan sha256 {plan_sha256}",
            study.opens_on, study.closes_on, study.retain_until
        );
        audit::write(
            &mut tx,
            Audit {
                account_id: by,
                study_id: Some(&id),
                action: "study-created",
                object_type: "study",
                object_id: Some(&id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a study's settings, audited with what changed; returns the study as it
    /// now is.
    #[tracing::instrument(skip_all)]
    pub async fn update_study(
        &self,
        study: &Study,
        settings: &StudySettings,
        by: &str,
    ) -> Result<Study, StoreError> {
        let details = settings.changes_from(&StudySettings::of(study));
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE studies SET name = $1, opens_on = $2, closes_on = $3, retain_until = $4, \
             min_cell_count = $5 WHERE id = $6",
        )
        .bind(&settings.name)
        .bind(settings.opens_on.to_string())
        .bind(settings.closes_on.to_string())
        .bind(settings.retain_until.to_string())
        .bind(settings.min_cell_count)
        .bind(study.id.as_str())
        .execute(&mut *tx)
        .await?;
        audit::write(
            &mut tx,
            Audit {
                account_id: Some(by),
                study_id: Some(&study.id),
                action: "study-changed",
                object_type: "study",
                object_id: Some(&study.id),
                details: &details,
            },
        )
        .await?;
        let row = sqlx::query(&format!("{STUDY_COLUMNS} WHERE id = $1"))
            .bind(study.id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let updated = study_from_row(&row)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Adds a site for an admin, with a new link, audited in the same transaction.
    #[tracing::instrument(skip_all)]
    pub async fn add_site_by(
        &self,
        study_id: &StudyId,
        site: &NewSite,
        by: &str,
    ) -> Result<Site, StoreError> {
        let added = new_site_row(study_id, site)?;
        let mut tx = self.write().await?;
        insert_site(&mut tx, &added).await?;
        let details = format!("{} {}", added.code, added.name);
        audit::write(
            &mut tx,
            Audit {
                account_id: Some(by),
                study_id: Some(study_id),
                action: "site-added",
                object_type: "site",
                object_id: Some(&added.id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Changes a site's details (every Table 2 column and its name; not its code, which
    /// its records and exports carry, nor its local services or link), audited.
    #[tracing::instrument(skip_all)]
    pub async fn update_site(
        &self,
        site: &Site,
        details: &NewSite,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE sites SET name = $1, region = $2, model_of_practice = $3, population = $4, \
             ethnicity = $5, area_type = $6, deprivation_quintile = $7 WHERE id = $8",
        )
        .bind(&details.name)
        .bind(&details.region)
        .bind(&details.model_of_practice)
        .bind(&details.population)
        .bind(&details.ethnicity)
        .bind(&details.area_type)
        .bind(details.deprivation_quintile)
        .bind(site.id.as_str())
        .execute(&mut *tx)
        .await?;
        let note = format!("{}: details changed", site.code);
        audit::write(&mut tx, site_audit(site, by, "site-changed", &note)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a site's local services (a JSON array of `signpost` services), audited.
    #[tracing::instrument(skip_all)]
    pub async fn set_local_services(
        &self,
        site: &Site,
        services_json: &str,
        count: usize,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE sites SET local_services = $1 WHERE id = $2")
            .bind(services_json)
            .bind(site.id.as_str())
            .execute(&mut *tx)
            .await?;
        let note = format!("{}: {count} local services", site.code);
        audit::write(
            &mut tx,
            site_audit(site, by, "local-services-changed", &note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a site a new link token, so that the old link stops working (for a link
    /// sent to the wrong people); audited. Returns the new token.
    #[tracing::instrument(skip_all)]
    pub async fn replace_link(&self, site: &Site, by: &str) -> Result<String, StoreError> {
        let token = random_token()?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE sites SET link_token = $1 WHERE id = $2")
            .bind(&token)
            .bind(site.id.as_str())
            .execute(&mut *tx)
            .await?;
        // Journeys already begun carry on: their sessions name the site, not the token.
        let note = format!("{}: new link, the old one no longer works", site.code);
        audit::write(&mut tx, site_audit(site, by, "link-replaced", &note)).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The messages a study has its own wording for.
    #[tracing::instrument(skip_all)]
    pub async fn messages(&self, study_id: &StudyId) -> Result<Vec<Message>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, subject, body FROM study_messages \
             WHERE study_id = $1 AND kind NOT LIKE 'wave:%' ORDER BY kind",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut messages = rows
            .iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(Message {
                    kind: MessageKind::parse(&kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown message kind {kind:?}"))
                    })?,
                    subject: row.try_get("subject")?,
                    body: row.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        messages.sort_by_key(|message| message.kind);
        Ok(messages)
    }

    /// Sets a study's wording of one message, audited.
    #[tracing::instrument(skip_all)]
    pub async fn set_message(
        &self,
        study_id: &StudyId,
        message: &Message,
        by: &str,
    ) -> Result<(), StoreError> {
        let kind = message.kind.as_str();
        self.put_message(study_id, kind, kind, &message.subject, &message.body, by)
            .await
    }

    /// A study's own wording of its follow-up waves' messages, by wave id.
    #[tracing::instrument(skip_all)]
    pub async fn wave_messages(&self, study_id: &StudyId) -> Result<Vec<WaveMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, subject, body FROM study_messages \
             WHERE study_id = $1 AND kind LIKE 'wave:%' ORDER BY kind",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(WaveMessage {
                    wave: kind
                        .strip_prefix(WAVE_MESSAGE)
                        .ok_or_else(|| StoreError::Corrupt(format!("message kind {kind:?}")))?
                        .to_owned(),
                    subject: row.try_get("subject")?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }

    /// Sets a study's wording of a follow-up wave's message, audited.
    #[tracing::instrument(skip_all)]
    pub async fn set_wave_message(
        &self,
        study_id: &StudyId,
        message: &WaveMessage,
        by: &str,
    ) -> Result<(), StoreError> {
        let kind = format!("{WAVE_MESSAGE}{}", message.wave);
        self.put_message(
            study_id,
            &kind,
            &message.wave,
            &message.subject,
            &message.body,
            by,
        )
        .await
    }

    /// Stores one message's wording under its key, with a `message-changed` audit entry
    /// naming it.
    async fn put_message(
        &self,
        study_id: &StudyId,
        key: &str,
        name: &str,
        subject: &str,
        body: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO study_messages (study_id, kind, subject, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (study_id, kind) DO UPDATE SET subject = excluded.subject, \
             body = excluded.body",
        )
        .bind(study_id.as_str())
        .bind(key)
        .bind(subject)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        let details = format!("{name} changed");
        audit::write(
            &mut tx,
            Audit {
                account_id: Some(by),
                study_id: Some(study_id),
                action: "message-changed",
                object_type: "study",
                object_id: Some(study_id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Journeys started at each site of a study that has any.
    #[tracing::instrument(skip_all)]
    pub async fn starts(&self, study_id: &StudyId) -> Result<Vec<SiteStarts>, StoreError> {
        let rows = sqlx::query(
            "SELECT sites.code AS site_code, CAST(SUM(site_starts.starts) AS BIGINT) AS starts \
             FROM site_starts \
             JOIN sites ON sites.id = site_starts.site_id WHERE sites.study_id = $1 \
             GROUP BY sites.code ORDER BY sites.code",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SiteStarts {
                    site_code: row.try_get("site_code")?,
                    starts: row.try_get("starts")?,
                })
            })
            .collect()
    }

    /// The e-mail addresses of a site's LA contact accounts, for reminders.
    #[tracing::instrument(skip_all)]
    pub async fn la_contact_emails(&self, site_id: &SiteId) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT email FROM accounts WHERE role = 'la-contact' AND site_id = $1 ORDER BY email",
        )
        .bind(site_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok(row.try_get("email")?)).collect()
    }

    /// Records that reminders were e-mailed to a site's LA contacts.
    #[tracing::instrument(skip_all)]
    pub async fn log_reminders(
        &self,
        site: &Site,
        kind: MessageKind,
        recipients: usize,
        by: &str,
    ) -> Result<(), StoreError> {
        self.log_message_sent(site, kind.as_str(), recipients, by)
            .await
    }

    /// Records in the audit log that a message (a kind of reminder, or a follow-up wave's
    /// message by the wave's id) was e-mailed to a site's LA contacts.
    #[tracing::instrument(skip_all)]
    pub async fn log_message_sent(
        &self,
        site: &Site,
        message: &str,
        recipients: usize,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let note = format!(
            "{}: {message} e-mailed to {recipients} LA contacts",
            site.code
        );
        audit::write(&mut tx, site_audit(site, by, "reminder-sent", &note)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An audit entry about a site.
fn site_audit<'a>(site: &'a Site, by: &'a str, action: &'a str, details: &'a str) -> Audit<'a> {
    Audit {
        account_id: Some(by),
        study_id: Some(&site.study_id),
        action,
        object_type: "site",
        object_id: Some(&site.id),
        details,
    }
}
