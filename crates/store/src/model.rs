//! The public data types the store reads and writes.

use std::collections::{BTreeMap, BTreeSet};

use skafada_instrument::{Day, RespondentId, ResponseId, SiteId, StudyId};

use crate::{ContentPart, ResumeCode, folder_sha256, sha256_hex};

/// A response's stored answers: variable to text value.
pub type Answers = BTreeMap<String, String>;

/// A study to create.
#[derive(Debug, Clone)]
pub struct NewStudy {
    /// A name for researchers, e.g. "SKAFADA 2026".
    pub name: String,
    /// The pre-training survey, as TOML source.
    pub pre_instrument: String,
    /// The post-training survey, as TOML source.
    pub post_instrument: String,
    /// The training module's id.
    pub module_id: String,
    /// The training module's files, path to text.
    pub module_sources: BTreeMap<String, String>,
    /// The first day respondents may start.
    pub opens_on: Day,
    /// The last day respondents may start or continue.
    pub closes_on: Day,
    /// The day the responses are to be deleted.
    pub retain_until: Day,
    /// The analysis plan (TOML) for the study's reports and dashboards; empty for the
    /// plan built into the server.
    pub analysis_plan: String,
    /// The training-needs specification (TOML); empty for the server's built-in one.
    pub training_needs: String,
    /// The case-study framework (TOML); empty for the server's built-in one.
    pub framework: String,
    /// The study file of follow-up waves and the linking code (TOML); empty for a study
    /// with no follow-up.
    pub waves: String,
    /// The participant information sheet and consent wording (TOML); empty for a study
    /// made before it was stored, which shows the survey's own consent statements.
    pub participant_information: String,
    /// The study holds generated demonstration responses, not real people's.
    pub synthetic: bool,
}

impl Default for NewStudy {
    /// Empty content, dated the first day of the calendar: whoever fills in the content
    /// sets the dates too (a study must open, close and be deleted on days of its own).
    fn default() -> NewStudy {
        NewStudy {
            name: String::new(),
            pre_instrument: String::new(),
            post_instrument: String::new(),
            module_id: String::new(),
            module_sources: BTreeMap::new(),
            opens_on: Day::MIN,
            closes_on: Day::MIN,
            retain_until: Day::MIN,
            analysis_plan: String::new(),
            training_needs: String::new(),
            framework: String::new(),
            waves: String::new(),
            participant_information: String::new(),
            synthetic: false,
        }
    }
}

/// A stored study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    /// Its random identifier.
    pub id: StudyId,
    /// A name for researchers.
    pub name: String,
    /// The pre-training survey, as TOML source.
    pub pre_instrument: String,
    /// The post-training survey, as TOML source.
    pub post_instrument: String,
    /// The training module's id.
    pub module_id: String,
    /// The training module's files, path to text.
    pub module_sources: BTreeMap<String, String>,
    /// The first day respondents may start.
    pub opens_on: Day,
    /// The last day respondents may start or continue.
    pub closes_on: Day,
    /// The day the responses are to be deleted.
    pub retain_until: Day,
    /// The analysis plan (TOML); empty for the plan built into the server.
    pub analysis_plan: String,
    /// The training-needs specification (TOML); empty for the server's built-in one.
    pub training_needs: String,
    /// The case-study framework (TOML); empty for the server's built-in one.
    pub framework: String,
    /// The study file of follow-up waves and the linking code (TOML); empty for a study
    /// with no follow-up.
    pub waves: String,
    /// The participant information sheet and consent wording (TOML); empty for a study
    /// made before it was stored, which shows the survey's own consent statements.
    pub participant_information: String,
    /// Counts below this are suppressed for LA contacts, and sites with fewer main
    /// survey responses are flagged as too few to report on their own.
    pub min_cell_count: i64,
    /// The day the study was created: when its content was fixed.
    pub created_on: Day,
    /// The study holds generated demonstration responses: every report and export of it
    /// says so.
    pub synthetic: bool,
    /// The SHA-256 of each part of the content when the study was created, by
    /// [`ContentPart::slug`]; empty for studies created before digests were recorded.
    pub recorded_sha256: BTreeMap<String, String>,
}

impl Study {
    /// The stored text of one part of the content; for the module, its files.
    pub fn content_text(&self, part: ContentPart) -> Option<&str> {
        match part {
            ContentPart::PreSurvey => Some(&self.pre_instrument),
            ContentPart::PostSurvey => Some(&self.post_instrument),
            ContentPart::Plan => Some(&self.analysis_plan),
            ContentPart::TrainingNeeds => Some(&self.training_needs),
            ContentPart::Framework => Some(&self.framework),
            ContentPart::Waves => Some(&self.waves),
            ContentPart::ParticipantInformation => Some(&self.participant_information),
            ContentPart::Module => None,
        }
    }

    /// The SHA-256 of one part of the content as it is stored now.
    pub fn sha256(&self, part: ContentPart) -> String {
        match self.content_text(part) {
            Some(text) => sha256_hex(text.as_bytes()),
            None => folder_sha256(&self.module_sources),
        }
    }

    /// The SHA-256 recorded for a part when the study was created, if it was.
    pub fn recorded_sha256(&self, part: ContentPart) -> Option<&str> {
        self.recorded_sha256.get(part.slug()).map(String::as_str)
    }

    /// Whether the study accepts respondents on `day`.
    pub fn is_open_on(&self, day: Day) -> bool {
        self.window().is_open_on(day)
    }

    /// The dates it is open.
    pub fn window(&self) -> StudyWindow {
        StudyWindow {
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            retain_until: self.retain_until,
        }
    }
}

/// The days a study accepts respondents, which a study admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyWindow {
    /// The first day respondents may start.
    pub opens_on: Day,
    /// The last day respondents may start or continue.
    pub closes_on: Day,
    /// The day the responses are to be deleted: from that day the study
    /// takes no respondents, whatever its closing date says.
    pub retain_until: Day,
}

impl StudyWindow {
    /// Whether the study accepts respondents on `day`: on or after its
    /// opening day, on or before its closing day and before its deletion date. A study
    /// past its deletion date is closed at once, not at the next retention run, so that
    /// nobody answers into a study whose answers are about to be deleted.
    pub fn is_open_on(&self, day: Day) -> bool {
        self.opens_on <= day && day <= self.closes_on && day < self.retain_until
    }
}

/// A site (local authority) to add to a study, with the study report's Table 2 columns.
#[derive(Debug, Clone, Default)]
pub struct NewSite {
    /// The short code, e.g. `LA01`.
    pub code: String,
    /// The name shown to respondents.
    pub name: String,
    /// Region of England.
    pub region: String,
    /// The model of practice.
    pub model_of_practice: String,
    /// Population, as reported.
    pub population: String,
    /// Ethnicity, collapsed, as reported.
    pub ethnicity: String,
    /// Urban, rural or mixed.
    pub area_type: String,
    /// Index of Multiple Deprivation quintile (1 is most deprived).
    pub deprivation_quintile: Option<i64>,
    /// The site's own support services, as a JSON array of objects with the fields of
    /// `skafada_training::Service` (`"[]"` when none).
    pub local_services: String,
}

/// A stored site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Its random identifier.
    pub id: SiteId,
    /// The study it belongs to.
    pub study_id: StudyId,
    /// The short code, e.g. `LA01`.
    pub code: String,
    /// The name shown to respondents.
    pub name: String,
    /// Region of England.
    pub region: String,
    /// The model of practice.
    pub model_of_practice: String,
    /// Population, as reported.
    pub population: String,
    /// Ethnicity, collapsed, as reported.
    pub ethnicity: String,
    /// Urban, rural or mixed.
    pub area_type: String,
    /// Index of Multiple Deprivation quintile.
    pub deprivation_quintile: Option<i64>,
    /// The site's own support services (JSON array).
    pub local_services: String,
    /// The unguessable token of the site's distribution link (`/s/<token>`).
    pub link_token: String,
}

/// A site's distribution link, for `skafada links`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    /// The study's name.
    pub study: String,
    /// The site's code and name, e.g. `LA01`.
    pub site_code: String,
    /// The site's name.
    pub site_name: String,
    /// The link token; the link is `<base>/s/<token>`.
    pub token: String,
}

/// A journey session: what the short-lived cookie points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The site whose link started the journey.
    pub site_id: SiteId,
    /// The respondent, once they have consented or resumed.
    pub respondent_id: Option<RespondentId>,
    /// When it ends unless the respondent does something (Unix seconds).
    pub expires_at: i64,
    /// The follow-up wave (1 to 9) whose link started it; `None` for the site's link.
    pub wave: Option<u8>,
}

/// A respondent, as the journey needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respondent {
    /// The anonymous identifier that links pre and post responses.
    pub id: RespondentId,
    /// The study.
    pub study_id: StudyId,
    /// The site.
    pub site_id: SiteId,
    /// How many times they came back with their resume code.
    pub returned: i64,
}

/// The survey phase of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The pre-training survey.
    Pre,
    /// The post-training survey.
    Post,
    /// A follow-up wave, by its number (1 to 9) in the study's waves file; it asks the
    /// post-training survey again.
    FollowUp(u8),
}

/// The stored names of the follow-up waves, by number.
const FOLLOW_UP_NAMES: [&str; 9] = [
    "follow-up-1",
    "follow-up-2",
    "follow-up-3",
    "follow-up-4",
    "follow-up-5",
    "follow-up-6",
    "follow-up-7",
    "follow-up-8",
    "follow-up-9",
];

impl Phase {
    /// The stored name: `pre`, `post` or `follow-up-N`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
            Phase::FollowUp(number) => usize::from(number)
                .checked_sub(1)
                .and_then(|i| FOLLOW_UP_NAMES.get(i))
                .copied()
                .unwrap_or("follow-up-0"),
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Phase> {
        match text {
            "pre" => Some(Phase::Pre),
            "post" => Some(Phase::Post),
            _ => FOLLOW_UP_NAMES
                .iter()
                .zip(1u8..)
                .find(|(name, _)| **name == text)
                .map(|(_, number)| Phase::FollowUp(number)),
        }
    }

    /// A follow-up wave's phase, for its number from 1 to 9.
    pub fn follow_up(number: u8) -> Option<Phase> {
        (1..=9).contains(&number).then_some(Phase::FollowUp(number))
    }

    /// Whether this is a follow-up wave's.
    pub fn is_follow_up(self) -> bool {
        matches!(self, Phase::FollowUp(_))
    }
}

/// Where a response is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Pre-training: the respondent consented; answers may follow.
    Consented,
    /// Post-training: the respondent opened the survey; answers may follow.
    Started,
    /// The respondent submitted the survey.
    Submitted,
    /// The respondent submitted after an end rule closed the survey (e.g. not eligible).
    ClosedByRouting,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Consented => "consented",
            Status::Started => "started",
            Status::Submitted => "submitted",
            Status::ClosedByRouting => "closed-by-routing",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "consented" => Some(Status::Consented),
            "started" => Some(Status::Started),
            "submitted" => Some(Status::Submitted),
            "closed-by-routing" => Some(Status::ClosedByRouting),
            _ => None,
        }
    }

    /// Whether answers can still change.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Consented | Status::Started)
    }
}

/// A response: one respondent's answers to one survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Its random identifier.
    pub id: ResponseId,
    /// The respondent.
    pub respondent_id: RespondentId,
    /// Pre or post.
    pub phase: Phase,
    /// Where it is in its life.
    pub status: Status,
    /// The page the respondent is on (a page id, or a journey step such as `check`).
    pub current_page: String,
}

/// What [`Store::consent`](crate::Store::consent) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consented {
    /// The respondent.
    pub respondent_id: RespondentId,
    /// A new resume code, when the respondent was created by this call; `None` when the
    /// session already had a respondent (a form posted twice).
    pub resume_code: Option<ResumeCode>,
}

/// Whether a page of answers was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Committed.
    Saved,
    /// The response was already submitted, so nothing changed.
    AlreadySubmitted,
}

/// A respondent's progress through the training module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingProgress {
    /// The sections marked complete.
    pub completed: BTreeSet<String>,
    /// Knowledge check answers: (section, index) to (answer, correct).
    pub checks: BTreeMap<(String, i64), (String, bool)>,
}

/// A CPD certificate record. The name printed on the certificate is never stored, and
/// nothing in it relates it to a respondent, a response or a session: no respondent id,
/// no date finer than the month, no order of issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// The verification code anyone can check at `/verify`.
    pub code: String,
    /// The module's title.
    pub module_title: String,
    /// The module's content version.
    pub module_version: String,
    /// The month the respondent completed the study (YYYY-MM): never the day, which
    /// could be matched with a response's dates.
    pub issued_month: String,
    /// The learning time it states.
    pub learning_minutes: i64,
}

/// One stored answer, with what analysis needs beside it: one row of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    /// The anonymous respondent (pairs pre and post).
    pub respondent_id: RespondentId,
    /// The site's code.
    pub site_code: String,
    /// Pre or post.
    pub phase: Phase,
    /// The response's status.
    pub status: Status,
    /// The variable (item, matrix row or follow-up id).
    pub variable: String,
    /// The value as stored: a code, comma-separated codes, a number or text.
    pub value: String,
}

/// One response of a study with its answer count, so that cleaning can tell empty and
/// near-empty responses apart from returning respondents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSummary {
    /// The anonymous respondent.
    pub respondent_id: RespondentId,
    /// The site's code.
    pub site_code: String,
    /// Pre or post.
    pub phase: Phase,
    /// The response's status.
    pub status: Status,
    /// The day the respondent consented (pre) or opened the survey (post).
    pub started_on: Day,
    /// The day the response was submitted.
    pub submitted_on: Option<Day>,
    /// How many variables have answers.
    pub answer_count: i64,
    /// How many times the respondent came back with their resume code.
    pub returned: i64,
}
