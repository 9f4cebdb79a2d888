//! The typed model of a training module.

use std::fmt;

use serde::Deserialize;

/// A loaded, validated training module.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// What `module.toml` says about the module.
    pub manifest: Manifest,
    /// The sections, in the order `module.toml` lists them.
    pub sections: Vec<Section>,
}

impl Module {
    /// The section with this id, if any.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The sections that address a knowledge statement (an instrument row id).
    pub fn sections_addressing<'a>(
        &'a self,
        statement: &'a str,
    ) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections
            .iter()
            .filter(move |s| s.knowledge.iter().any(|k| k == statement))
    }

    /// The sections that address a survey question of any kind: a knowledge statement
    /// or another row or item named in `addresses`.
    pub fn sections_about<'a>(
        &'a self,
        question: &'a str,
    ) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections.iter().filter(move |s| {
            s.knowledge
                .iter()
                .chain(&s.addresses)
                .any(|k| k == question)
        })
    }

    /// Of the given knowledge statement ids, those no section addresses.
    ///
    /// The web crate passes the instrument's knowledge rows to check a
    /// module covers them.
    pub fn statements_not_addressed<'a>(&self, statements: &[&'a str]) -> Vec<&'a str> {
        statements
            .iter()
            .copied()
            .filter(|id| self.sections_addressing(id).next().is_none())
            .collect()
    }

    /// The source listed in `module.toml` with this id, if any.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.manifest.sources.iter().find(|s| s.id == id)
    }

    /// The empty lived-experience slots, with the section each is in, so a
    /// provider can see what is left to commission.
    pub fn empty_slots(&self) -> Vec<(&Section, &LivedExperienceSlot)> {
        let mut slots = Vec::new();
        for section in &self.sections {
            for block in section.blocks() {
                if let Block::LivedExperience(LivedExperience::Slot(slot)) = block {
                    slots.push((section, slot));
                }
            }
        }
        slots
    }
}

/// The contents of `module.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The module's id, lowercase with hyphens; the same as its folder name.
    pub id: String,
    /// The module's title, shown on every page and on the certificate.
    pub title: String,
    /// One or two sentences saying what the module covers.
    pub summary: String,
    /// Who the module is for.
    pub audience: String,
    /// The content version, shown on the certificate (for example `2025.1`).
    pub version: String,
    /// The language of the content, a BCP 47 tag.
    #[serde(default = "default_language")]
    pub language: String,
    /// The section ids, in the order respondents work through them; section
    /// `x` is read from `sections/x.md`.
    pub sections: Vec<String>,
    /// What a respondent must do to get the certificate.
    #[serde(default)]
    pub certificate: Certificate,
    /// The public sources the content draws on; sections cite them by id.
    #[serde(default)]
    pub sources: Vec<Source>,
}

fn default_language() -> String {
    "en-GB".to_owned()
}

/// The certificate rules in `module.toml`'s `[certificate]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The learning time, in minutes, the certificate states. When absent,
    /// the certificate states the estimate.
    #[serde(default)]
    pub learning_minutes: Option<u32>,
    /// Every section must be visited.
    #[serde(default = "yes")]
    pub require_all_sections: bool,
    /// Every knowledge check must be answered (not necessarily correctly).
    #[serde(default = "yes")]
    pub require_knowledge_checks: bool,
    /// The post-training survey must be submitted.
    #[serde(default = "yes")]
    pub require_post_survey: bool,
}

fn yes() -> bool {
    true
}

impl Default for Certificate {
    fn default() -> Self {
        Certificate {
            learning_minutes: None,
            require_all_sections: true,
            require_knowledge_checks: true,
            require_post_survey: true,
        }
    }
}

/// A public source the module cites.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The id sections cite it by.
    pub id: String,
    /// The title of the document or page.
    pub title: String,
    /// Who published it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// The year of publication or of the version cited.
    #[serde(default)]
    pub year: Option<u16>,
    /// Where it can be read.
    #[serde(default)]
    pub url: Option<String>,
}

/// One section of a module: a page or short run of pages on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The section's id, the same as its file name without `.md`.
    pub id: String,
    /// The section's title, the page's heading.
    pub title: String,
    /// A short description for the module's contents page.
    pub summary: Option<String>,
    /// What the respondent should know or be able to do afterwards.
    pub outcomes: Vec<String>,
    /// The knowledge statements (instrument row ids) the section addresses.
    pub knowledge: Vec<String>,
    /// Other survey questions the section addresses (instrument row or item ids: the
    /// indicators asked about, true/false statements, confidence statements, knowledge
    /// of local services), so that a training-needs report can point to it.
    pub addresses: Vec<String>,
    /// The ids of the module sources the section cites.
    pub sources: Vec<String>,
    /// The body: Markdown and blocks in reading order.
    pub parts: Vec<Part>,
    /// The path of the file the section came from.
    pub file: String,
}

impl Section {
    /// The section's blocks, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.parts.iter().filter_map(|p| match p {
            Part::Block(b) => Some(b),
            Part::Markdown(_) => None,
        })
    }
}

/// A piece of a section body.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Markdown text; render it with [`crate::render_markdown`].
    Markdown(String),
    /// A special block, for the web crate's templates to render.
    Block(Block),
}

/// A special block, written as a fenced block whose info string is its kind
/// and whose content is TOML.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// An image with alternative text (`image`).
    Image(Image),
    /// A video with a transcript (`video`).
    Video(Media),
    /// An audio recording with a transcript (`audio`).
    Audio(Media),
    /// Content from experts by experience, or an empty slot for it
    /// (`lived-experience`).
    LivedExperience(LivedExperience),
    /// A "say this, not this" language panel (`say-this`).
    SayThis(LanguagePanel),
    /// A practice scenario with choices and feedback (`scenario`).
    Scenario(Scenario),
    /// A knowledge check question (`knowledge-check`).
    KnowledgeCheck(KnowledgeCheck),
    /// A reflection prompt; answers stay on the respondent's device
    /// (`reflection`).
    Reflection(Reflection),
    /// National support services (`signpost`).
    Signpost(Signpost),
    /// Where each site's own local services are inserted at render time
    /// (`local-services`).
    LocalServices(LocalServices),
}

impl Block {
    /// The block kinds, as written in a fenced block's info string.
    pub const KINDS: [&'static str; 10] = [
        "image",
        "video",
        "audio",
        "lived-experience",
        "say-this",
        "scenario",
        "knowledge-check",
        "reflection",
        "signpost",
        "local-services",
    ];

    /// The kind as written in the info string.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Image(_) => "image",
            Block::Video(_) => "video",
            Block::Audio(_) => "audio",
            Block::LivedExperience(_) => "lived-experience",
            Block::SayThis(_) => "say-this",
            Block::Scenario(_) => "scenario",
            Block::KnowledgeCheck(_) => "knowledge-check",
            Block::Reflection(_) => "reflection",
            Block::Signpost(_) => "signpost",
            Block::LocalServices(_) => "local-services",
        }
    }

    /// Whether the renderer shows this block to respondents: empty
    /// lived-experience slots are skipped.
    pub fn is_shown_to_respondents(&self) -> bool {
        !matches!(self, Block::LivedExperience(LivedExperience::Slot(_)))
    }
}

/// An image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The image's path in the module folder, or a URL.
    pub src: String,
    /// The alternative text; never empty.
    pub alt: String,
    /// A visible caption.
    pub caption: Option<String>,
}

/// A video or audio recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// The file's path in the module folder, or a URL.
    pub src: String,
    /// The title shown above the player.
    pub title: String,
    /// The running time in seconds.
    pub duration_seconds: u32,
    /// The transcript.
    pub transcript: Transcript,
    /// A captions file (WebVTT) for video.
    pub captions: Option<String>,
}

/// Where a transcript is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transcript {
    /// Written in the block (Markdown).
    Inline(String),
    /// A Markdown file in the module folder; the path and its contents.
    File {
        /// The path in the module folder.
        path: String,
        /// The file's contents.
        text: String,
    },
}

impl Transcript {
    /// The transcript text, in Markdown.
    pub fn text(&self) -> &str {
        match self {
            Transcript::Inline(text) | Transcript::File { text, .. } => text,
        }
    }
}

/// A lived-experience block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LivedExperience {
    /// Approved content with its consent record.
    Content(LivedExperienceContent),
    /// An empty slot: skipped for respondents, listed for providers.
    Slot(LivedExperienceSlot),
}

/// Content supplied and approved by experts by experience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivedExperienceContent {
    /// A heading for the block.
    pub title: Option<String>,
    /// The content, in Markdown, exactly as approved.
    pub text: String,
    /// How the content is attributed to respondents (for example "A member
    /// of an experts by experience group"), as agreed with its author.
    pub attribution: String,
    /// Who approved the content for use.
    pub approved_by: String,
    /// The date consent was recorded.
    pub consent_recorded: Date,
    /// The reference of the consent record, held by the provider.
    pub consent_reference: String,
}

/// An empty lived-experience slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivedExperienceSlot {
    /// A heading for the block once it is filled.
    pub title: Option<String>,
    /// What to commission from experts by experience.
    pub guidance: String,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day, 1 to 31.
    pub day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A "say this, not this" panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePanel {
    /// A heading for the panel.
    pub title: Option<String>,
    /// The pairs of phrases.
    pub pairs: Vec<LanguagePair>,
}

/// One pair in a language panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePair {
    /// The words to use.
    pub say: String,
    /// The words to avoid.
    pub not: String,
    /// Why the words matter.
    pub why: String,
}

/// A practice scenario: a fictional vignette with choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// A heading for the scenario.
    pub title: String,
    /// The situation, in Markdown.
    pub situation: String,
    /// The question put to the respondent.
    pub question: String,
    /// The choices, each with feedback.
    pub choices: Vec<ScenarioChoice>,
}

/// One choice in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioChoice {
    /// What the respondent might do or say.
    pub text: String,
    /// The feedback shown once it is chosen, in Markdown.
    pub feedback: String,
    /// Whether this is a best response.
    pub best: bool,
}

/// A knowledge check question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeCheck {
    /// The question.
    pub question: String,
    /// Whether more than one option is correct (check boxes, not radios).
    pub multiple: bool,
    /// The options.
    pub options: Vec<CheckOption>,
    /// Why the correct options are correct, in Markdown.
    pub explanation: String,
}

/// An option of a knowledge check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOption {
    /// The option's text.
    pub text: String,
    /// Whether it is correct.
    pub correct: bool,
}

/// A reflection prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reflection {
    /// The prompt.
    pub prompt: String,
    /// A hint under the prompt.
    pub hint: Option<String>,
}

/// What the renderer tells respondents about every reflection box.
pub const REFLECTION_PRIVACY_NOTICE: &str = "What you write here is not sent to us or saved anywhere, and it is gone when you leave this page. Copy it somewhere private if you want to keep it.";

/// A signposting block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signpost {
    /// A heading for the block.
    pub title: String,
    /// Text before the list, in Markdown.
    pub intro: Option<String>,
    /// The services.
    pub services: Vec<Service>,
}

/// A support service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service's name.
    pub name: String,
    /// Who it is for and what it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// A text or SMS number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Opening hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// A note for practitioners (for example a change of name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a site's own service cannot be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceProblem {
    /// It has no name.
    NoName,
    /// It has no phone number, text number or website: nobody could reach it.
    NoContact,
    /// Its website does not start `https://`, or has spaces in it.
    WebsiteNotHttps,
}

impl ServiceProblem {
    /// What to do about it, as a GOV.UK error message.
    pub fn message(self) -> &'static str {
        match self {
            ServiceProblem::NoName => "Enter the name of the service",
            ServiceProblem::NoContact => {
                "Enter a phone number, a text number or other contact, or a website"
            }
            ServiceProblem::WebsiteNotHttps => "Enter a website address starting https://",
        }
    }
}

impl Service {
    /// What is wrong with the service as one of a site's own, if anything: the one check
    /// for a services file and for the form where an LA contact adds one.
    pub fn problem(&self) -> Option<ServiceProblem> {
        let given = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.trim().is_empty());
        if self.name.trim().is_empty() {
            return Some(ServiceProblem::NoName);
        }
        if let Some(url) = self.url.as_deref().filter(|u| !u.trim().is_empty())
            && (!url.starts_with("https://") || url.contains(char::is_whitespace))
        {
            return Some(ServiceProblem::WebsiteNotHttps);
        }
        if !given(&self.phone) && !given(&self.text) && !given(&self.url) {
            return Some(ServiceProblem::NoContact);
        }
        None
    }
}

/// Where a site's local services are inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalServices {
    /// A heading for the block.
    pub title: String,
    /// Text before the site's list, in Markdown.
    pub intro: Option<String>,
    /// What to show when a site has not listed its services, in Markdown.
    pub fallback: String,
}

#[cfg(test)]
mod service_tests {
    use super::*;

    fn service(name: &str, phone: Option<&str>, url: Option<&str>) -> Service {
        Service {
            name: name.to_owned(),
            description: None,
            phone: phone.map(str::to_owned),
            text: None,
            url: url.map(str::to_owned),
            hours: None,
            note: None,
        }
    }

    #[test]
    fn a_service_needs_a_name_a_way_to_reach_it_and_a_secure_website() {
        assert_eq!(
            service("Refuge", Some("0808 2000 247"), None).problem(),
            None
        );
        assert_eq!(
            service("Refuge", None, Some("https://example.org/help")).problem(),
            None
        );
        assert_eq!(
            service("  ", Some("1"), None).problem(),
            Some(ServiceProblem::NoName)
        );
        assert_eq!(
            service("Refuge", Some(" "), None).problem(),
            Some(ServiceProblem::NoContact)
        );
        for url in [
            "http://example.org",
            "javascript:alert(1)",
            "https://exa mple.org",
        ] {
            assert_eq!(
                service("Refuge", Some("1"), Some(url)).problem(),
                Some(ServiceProblem::WebsiteNotHttps),
                "{url}"
            );
        }
    }
}
