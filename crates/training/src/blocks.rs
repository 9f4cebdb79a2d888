//! Parsing the TOML inside a fenced block into a typed [`Block`].

use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::diagnostic::Problem;
use crate::model::{
    Block, CheckOption, Date, Image, KnowledgeCheck, LanguagePair, LanguagePanel, LivedExperience,
    LivedExperienceContent, LivedExperienceSlot, LocalServices, Media, Reflection, Scenario,
    ScenarioChoice, Service, Signpost, Transcript,
};
use crate::sources::ModuleSources;

/// A problem in a block, with its span in the block's TOML where known.
pub(crate) struct BlockProblem {
    pub(crate) problem: Problem,
    pub(crate) span: Option<Range<usize>>,
}

impl From<Problem> for BlockProblem {
    fn from(problem: Problem) -> Self {
        BlockProblem {
            problem,
            span: None,
        }
    }
}

/// Parses a block of a known kind; `kind` must be one of [`Block::KINDS`].
pub(crate) fn parse_block(
    kind: &str,
    toml_text: &str,
    sources: &ModuleSources,
) -> Result<Block, Vec<BlockProblem>> {
    let mut problems = Vec::new();
    let block = match kind {
        "image" => de::<RawImage>(kind, toml_text).map(|raw| image(raw, sources, &mut problems)),
        "video" => de::<RawMedia>(kind, toml_text)
            .map(|raw| Block::Video(media(kind, raw, sources, &mut problems))),
        "audio" => de::<RawMedia>(kind, toml_text)
            .map(|raw| Block::Audio(media(kind, raw, sources, &mut problems))),
        "lived-experience" => de::<RawLived>(kind, toml_text).map(|raw| lived(raw, &mut problems)),
        "say-this" => de::<RawPanel>(kind, toml_text).map(|raw| panel(raw, &mut problems)),
        "scenario" => de::<RawScenario>(kind, toml_text).map(|raw| scenario(raw, &mut problems)),
        "knowledge-check" => de::<RawCheck>(kind, toml_text).map(|raw| check(raw, &mut problems)),
        "reflection" => de::<RawReflection>(kind, toml_text).map(|raw| {
            require("prompt", &raw.prompt, &mut problems);
            Block::Reflection(Reflection {
                prompt: raw.prompt,
                hint: raw.hint,
            })
        }),
        "signpost" => de::<RawSignpost>(kind, toml_text).map(|raw| signpost(raw, &mut problems)),
        "local-services" => de::<RawLocal>(kind, toml_text).map(|raw| {
            require("title", &raw.title, &mut problems);
            Block::LocalServices(LocalServices {
                title: raw.title,
                intro: raw.intro,
                fallback: raw.fallback,
            })
        }),
        other => Err(BlockProblem::from(Problem::UnknownBlockKind {
            kind: other.to_owned(),
            known: Block::KINDS.join(", "),
        })),
    };
    match block {
        Ok(block) if problems.is_empty() => Ok(block),
        Ok(_) => Err(problems.into_iter().map(BlockProblem::from).collect()),
        Err(problem) => Err(vec![problem]),
    }
}

fn de<T: DeserializeOwned>(kind: &str, text: &str) -> Result<T, BlockProblem> {
    toml::from_str(text).map_err(|e| BlockProblem {
        problem: Problem::BlockInvalid {
            kind: kind.to_owned(),
            message: e.message().trim().to_owned(),
        },
        span: e.span(),
    })
}

fn require(field: &str, value: &str, problems: &mut Vec<Problem>) {
    if value.trim().is_empty() {
        problems.push(Problem::EmptyField {
            field: field.to_owned(),
        });
    }
}

fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Whether a path names a file in the module folder rather than a URL.
fn is_local(src: &str) -> bool {
    !(src.contains("://") || src.starts_with("//") || src.starts_with("data:"))
}

pub(crate) fn check_asset(src: &str, sources: &ModuleSources, problems: &mut Vec<Problem>) {
    if is_local(src) && !src.trim().is_empty() && !sources.contains(src) {
        problems.push(Problem::AssetMissing {
            path: src.to_owned(),
        });
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    src: String,
    #[serde(default)]
    alt: Option<String>,
    #[serde(default)]
    caption: Option<String>,
}

fn image(raw: RawImage, sources: &ModuleSources, problems: &mut Vec<Problem>) -> Block {
    require("src", &raw.src, problems);
    check_asset(&raw.src, sources, problems);
    let alt = present(raw.alt).unwrap_or_default();
    if alt.is_empty() {
        problems.push(Problem::ImageWithoutAltText {
            src: raw.src.clone(),
        });
    }
    Block::Image(Image {
        src: raw.src,
        alt,
        caption: present(raw.caption),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMedia {
    src: String,
    title: String,
    duration: String,
    #[serde(default)]
    transcript: Option<String>,
    #[serde(default)]
    transcript_file: Option<String>,
    #[serde(default)]
    captions: Option<String>,
}

fn media(kind: &str, raw: RawMedia, sources: &ModuleSources, problems: &mut Vec<Problem>) -> Media {
    require("src", &raw.src, problems);
    require("title", &raw.title, problems);
    check_asset(&raw.src, sources, problems);
    if let Some(captions) = &raw.captions {
        check_asset(captions, sources, problems);
    }
    let duration_seconds = parse_duration(&raw.duration).unwrap_or_else(|| {
        problems.push(Problem::InvalidDuration {
            value: raw.duration.clone(),
        });
        0
    });
    let transcript = match (present(raw.transcript), present(raw.transcript_file)) {
        (Some(text), _) => Transcript::Inline(text),
        (None, Some(path)) => match sources.get(&path) {
            Some(text) if !text.trim().is_empty() => Transcript::File {
                text: text.to_owned(),
                path,
            },
            Some(_) => {
                problems.push(Problem::MediaWithoutTranscript {
                    kind: kind.to_owned(),
                    src: raw.src.clone(),
                });
                Transcript::Inline(String::new())
            }
            None => {
                problems.push(Problem::TranscriptFileMissing { path });
                Transcript::Inline(String::new())
            }
        },
        (None, None) => {
            problems.push(Problem::MediaWithoutTranscript {
                kind: kind.to_owned(),
                src: raw.src.clone(),
            });
            Transcript::Inline(String::new())
        }
    };
    Media {
        src: raw.src,
        title: raw.title,
        duration_seconds,
        transcript,
        captions: present(raw.captions),
    }
}

/// Parses `m:ss` or `h:mm:ss` into seconds.
pub(crate) fn parse_duration(value: &str) -> Option<u32> {
    let parts = value
        .trim()
        .split(':')
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse::<u32>().ok()
            }
        })
        .collect::<Option<Vec<u32>>>()?;
    let seconds = match parts.as_slice() {
        [m, s] if *s < 60 => m.checked_mul(60)?.checked_add(*s)?,
        [h, m, s] if *m < 60 && *s < 60 => h
            .checked_mul(3600)?
            .checked_add(m.checked_mul(60)?)?
            .checked_add(*s)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLived {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    guidance: Option<String>,
    #[serde(default)]
    attribution: Option<String>,
    #[serde(default)]
    approved_by: Option<String>,
    #[serde(default)]
    consent_recorded: Option<toml::Value>,
    #[serde(default)]
    consent_reference: Option<String>,
}

fn lived(raw: RawLived, problems: &mut Vec<Problem>) -> Block {
    let title = present(raw.title);
    let Some(text) = present(raw.text) else {
        let guidance = present(raw.guidance).unwrap_or_default();
        if guidance.is_empty() {
            problems.push(Problem::LivedExperienceSlotWithoutGuidance);
        }
        return Block::LivedExperience(LivedExperience::Slot(LivedExperienceSlot {
            title,
            guidance,
        }));
    };
    let attribution = present(raw.attribution);
    let approved_by = present(raw.approved_by);
    let consent_reference = present(raw.consent_reference);
    let mut missing = Vec::new();
    if attribution.is_none() {
        missing.push("attribution");
    }
    if approved_by.is_none() {
        missing.push("approved_by");
    }
    if raw.consent_recorded.is_none() {
        missing.push("consent_recorded");
    }
    if consent_reference.is_none() {
        missing.push("consent_reference");
    }
    if !missing.is_empty() {
        problems.push(Problem::LivedExperienceWithoutConsent {
            missing: missing.join(", "),
        });
    }
    let consent_recorded = match raw.consent_recorded.as_ref().map(date) {
        Some(Some(d)) => d,
        Some(None) => {
            problems.push(Problem::InvalidDate {
                field: "consent_recorded".to_owned(),
            });
            PLACEHOLDER_DATE
        }
        None => PLACEHOLDER_DATE,
    };
    Block::LivedExperience(LivedExperience::Content(LivedExperienceContent {
        title,
        text,
        attribution: attribution.unwrap_or_default(),
        approved_by: approved_by.unwrap_or_default(),
        consent_recorded,
        consent_reference: consent_reference.unwrap_or_default(),
    }))
}

fn date(value: &toml::Value) -> Option<Date> {
    let toml::Value::Datetime(dt) = value else {
        return None;
    };
    if dt.time.is_some() || dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    Some(Date {
        year: d.year,
        month: d.month,
        day: d.day,
    })
}

/// Stands in for a missing or invalid date in a block that is refused anyway.
const PLACEHOLDER_DATE: Date = Date {
    year: 1970,
    month: 1,
    day: 1,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    pairs: Vec<RawPair>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    #[serde(default)]
    say: Option<String>,
    #[serde(default)]
    not: Option<String>,
    #[serde(default)]
    why: Option<String>,
}

fn panel(raw: RawPanel, problems: &mut Vec<Problem>) -> Block {
    if raw.pairs.is_empty() {
        problems.push(Problem::LanguagePanelEmpty);
    }
    let mut pairs = Vec::new();
    for (i, pair) in raw.pairs.into_iter().enumerate() {
        match (present(pair.say), present(pair.not), present(pair.why)) {
            (Some(say), Some(not), Some(why)) => pairs.push(LanguagePair { say, not, why }),
            _ => problems.push(Problem::LanguagePairIncomplete { pair: i + 1 }),
        }
    }
    Block::SayThis(LanguagePanel {
        title: present(raw.title),
        pairs,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    title: String,
    situation: String,
    question: String,
    #[serde(default)]
    choices: Vec<RawChoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    #[serde(default)]
    feedback: Option<String>,
    #[serde(default)]
    best: bool,
}

fn scenario(raw: RawScenario, problems: &mut Vec<Problem>) -> Block {
    require("title", &raw.title, problems);
    require("situation", &raw.situation, problems);
    require("question", &raw.question, problems);
    if raw.choices.len() < 2 {
        problems.push(Problem::TooFewOptions {
            kind: "scenario".to_owned(),
            found: raw.choices.len(),
        });
    }
    if !raw.choices.is_empty() && !raw.choices.iter().any(|c| c.best) {
        problems.push(Problem::ScenarioWithoutBestChoice);
    }
    let mut choices = Vec::new();
    for (i, choice) in raw.choices.into_iter().enumerate() {
        require("text", &choice.text, problems);
        let Some(feedback) = present(choice.feedback) else {
            problems.push(Problem::ScenarioChoiceWithoutFeedback { choice: i + 1 });
            continue;
        };
        choices.push(ScenarioChoice {
            text: choice.text,
            feedback,
            best: choice.best,
        });
    }
    Block::Scenario(Scenario {
        title: raw.title,
        situation: raw.situation,
        question: raw.question,
        choices,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    question: String,
    #[serde(default)]
    multiple: bool,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    explanation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    text: String,
    #[serde(default)]
    correct: bool,
}

fn check(raw: RawCheck, problems: &mut Vec<Problem>) -> Block {
    require("question", &raw.question, problems);
    if raw.options.len() < 2 {
        problems.push(Problem::TooFewOptions {
            kind: "knowledge-check".to_owned(),
            found: raw.options.len(),
        });
    }
    for option in &raw.options {
        require("text", &option.text, problems);
    }
    if !raw.options.iter().any(|o| o.correct) {
        problems.push(Problem::KnowledgeCheckWithoutCorrectAnswer);
    }
    let explanation = present(raw.explanation).unwrap_or_default();
    if explanation.is_empty() {
        problems.push(Problem::KnowledgeCheckWithoutExplanation);
    }
    Block::KnowledgeCheck(KnowledgeCheck {
        question: raw.question,
        multiple: raw.multiple,
        options: raw
            .options
            .into_iter()
            .map(|o| CheckOption {
                text: o.text,
                correct: o.correct,
            })
            .collect(),
        explanation,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReflection {
    prompt: String,
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignpost {
    title: String,
    #[serde(default)]
    intro: Option<String>,
    #[serde(default)]
    services: Vec<Service>,
}

fn signpost(raw: RawSignpost, problems: &mut Vec<Problem>) -> Block {
    require("title", &raw.title, problems);
    if raw.services.is_empty() {
        problems.push(Problem::SignpostWithoutServices);
    }
    for service in &raw.services {
        require("name", &service.name, problems);
        let contact = [&service.phone, &service.text, &service.url]
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| !c.trim().is_empty()));
        if !contact {
            problems.push(Problem::ServiceWithoutContact {
                name: service.name.clone(),
            });
        }
    }
    Block::Signpost(Signpost {
        title: raw.title,
        intro: present(raw.intro),
        services: raw.services,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocal {
    #[serde(default = "local_title")]
    title: String,
    #[serde(default)]
    intro: Option<String>,
    #[serde(default = "local_fallback")]
    fallback: String,
}

fn local_title() -> String {
    "Services in your area".to_owned()
}

fn local_fallback() -> String {
    "Ask your manager or your local authority's domestic abuse lead which local services you can refer to, and keep their details to hand.".to_owned()
}
