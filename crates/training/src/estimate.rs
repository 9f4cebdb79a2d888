//! An honest estimate of how long a module takes, computed from its content.
//!
//! The study's module took longer than it said. The estimate counts every
//! word a respondent reads at [`WORDS_PER_MINUTE`], adds the running time of
//! media, and a fixed allowance for each activity that asks them to think.

use pulldown_cmark::{Event, Parser};

use crate::model::{Block, LivedExperience, Module, Part, Section};
use crate::render::markdown_options;

/// The reading speed assumed for practitioners reading carefully on screen.
pub const WORDS_PER_MINUTE: u32 = 200;
/// The time allowed for weighing up a scenario's choices, beyond reading it.
pub const SCENARIO_SECONDS: u32 = 120;
/// The time allowed for answering a knowledge check, beyond reading it.
pub const KNOWLEDGE_CHECK_SECONDS: u32 = 45;
/// The time allowed for a reflection prompt.
pub const REFLECTION_SECONDS: u32 = 120;

/// How long some content takes, by kind of activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeEstimate {
    /// The words a respondent reads.
    pub words: u32,
    /// The time spent reading those words.
    pub reading_seconds: u32,
    /// The running time of video and audio.
    pub media_seconds: u32,
    /// The allowances for scenarios, knowledge checks and reflections.
    pub activity_seconds: u32,
}

impl TimeEstimate {
    /// The whole time in seconds.
    pub fn total_seconds(&self) -> u32 {
        self.reading_seconds
            .saturating_add(self.media_seconds)
            .saturating_add(self.activity_seconds)
    }

    /// The whole time in minutes, rounded up: what a respondent is told.
    pub fn total_minutes(&self) -> u32 {
        self.total_seconds().div_ceil(60)
    }

    fn add(&mut self, other: TimeEstimate) {
        self.words = self.words.saturating_add(other.words);
        self.reading_seconds = self.reading_seconds.saturating_add(other.reading_seconds);
        self.media_seconds = self.media_seconds.saturating_add(other.media_seconds);
        self.activity_seconds = self.activity_seconds.saturating_add(other.activity_seconds);
    }
}

/// Estimates the time a whole module takes.
pub fn estimate(module: &Module) -> TimeEstimate {
    let mut total = TimeEstimate::default();
    for section in &module.sections {
        total.add(estimate_section(section));
    }
    total
}

/// Estimates the time one section takes. Empty lived-experience slots, which
/// respondents do not see, count nothing.
pub fn estimate_section(section: &Section) -> TimeEstimate {
    let mut words = count_words(&section.title);
    words += section.outcomes.iter().map(|o| count_words(o)).sum::<u32>();
    let mut media_seconds = 0u32;
    let mut activity_seconds = 0u32;
    for part in &section.parts {
        match part {
            Part::Markdown(md) => words += count_markdown_words(md),
            Part::Block(block) => {
                words += block_words(block);
                match block {
                    Block::Video(m) | Block::Audio(m) => {
                        media_seconds = media_seconds.saturating_add(m.duration_seconds);
                    }
                    Block::Scenario(_) => activity_seconds += SCENARIO_SECONDS,
                    Block::KnowledgeCheck(_) => activity_seconds += KNOWLEDGE_CHECK_SECONDS,
                    Block::Reflection(_) => activity_seconds += REFLECTION_SECONDS,
                    _ => {}
                }
            }
        }
    }
    TimeEstimate {
        words,
        reading_seconds: (u64::from(words) * 60)
            .div_ceil(u64::from(WORDS_PER_MINUTE))
            .try_into()
            .unwrap_or(u32::MAX),
        media_seconds,
        activity_seconds,
    }
}

fn block_words(block: &Block) -> u32 {
    let md = |s: &str| count_markdown_words(s);
    let opt = |s: &Option<String>| s.as_deref().map_or(0, count_markdown_words);
    match block {
        Block::Image(i) => opt(&i.caption),
        Block::Video(m) | Block::Audio(m) => count_words(&m.title),
        Block::LivedExperience(LivedExperience::Content(c)) => {
            opt(&c.title) + md(&c.text) + count_words(&c.attribution)
        }
        Block::LivedExperience(LivedExperience::Slot(_)) => 0,
        Block::SayThis(p) => {
            opt(&p.title)
                + p.pairs
                    .iter()
                    .map(|pair| md(&pair.say) + md(&pair.not) + md(&pair.why))
                    .sum::<u32>()
        }
        Block::Scenario(s) => {
            md(&s.title)
                + md(&s.situation)
                + md(&s.question)
                + s.choices
                    .iter()
                    .map(|c| md(&c.text) + md(&c.feedback))
                    .sum::<u32>()
        }
        Block::KnowledgeCheck(k) => {
            md(&k.question)
                + k.options.iter().map(|o| md(&o.text)).sum::<u32>()
                + md(&k.explanation)
        }
        Block::Reflection(r) => md(&r.prompt) + opt(&r.hint),
        Block::Signpost(s) => {
            md(&s.title)
                + opt(&s.intro)
                + s.services
                    .iter()
                    .map(|v| {
                        count_words(&v.name)
                            + opt(&v.description)
                            + opt(&v.phone)
                            + opt(&v.hours)
                            + opt(&v.note)
                    })
                    .sum::<u32>()
        }
        Block::LocalServices(l) => md(&l.title) + opt(&l.intro) + md(&l.fallback),
    }
}

/// Counts the words of plain text: runs of non-space characters holding a
/// letter or a digit.
pub fn count_words(text: &str) -> u32 {
    let n = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Counts the words a reader sees in Markdown, leaving out link targets and
/// markup.
pub fn count_markdown_words(markdown: &str) -> u32 {
    Parser::new_ext(markdown, markdown_options())
        .map(|event| match event {
            Event::Text(t) | Event::Code(t) => count_words(&t),
            _ => 0,
        })
        .fold(0u32, u32::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_without_markup_or_link_targets() {
        assert_eq!(
            count_markdown_words("Read **the** [statutory guidance](https://example.org/a/b)."),
            4
        );
        assert_eq!(count_words("- 2021 — Act"), 2);
    }

    #[test]
    fn minutes_are_rounded_up() {
        let e = TimeEstimate {
            words: 0,
            reading_seconds: 61,
            media_seconds: 0,
            activity_seconds: 0,
        };
        assert_eq!(e.total_minutes(), 2);
    }
}
