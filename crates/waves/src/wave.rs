//! A study's follow-up waves beyond the pre- and post-training surveys, declared in the
//! study file as `[[wave]]` tables:
//!
//! ```toml
//! [[wave]]
//! id = "follow-up-3m"
//! name = "Three-month follow-up"
//! instrument = "post-training"
//! opens-after-days = 91
//! open-for-days = 28
//! reminder = "Three months ago you took part in ..."
//! ```
//!
//! [`StudyWaves::parse`] reads the waves together with the `[sgic]` questions that link
//! them to the baseline: a follow-up wave without a linking code could not be paired
//! with anyone's earlier answers, so a file with waves and no usable `[sgic]` is refused.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::sgic::{SgicSpec, SpecError};

/// The survey a follow-up wave asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaveInstrument {
    /// The study's post-training survey again: its items have twins in the
    /// pre-training survey, so one statement can be compared across all three waves.
    PostTraining,
}

/// The most follow-up waves a study can have (the store numbers them 1 to 9).
pub const MAX_WAVES: usize = 9;

/// One follow-up wave.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FollowUpWave {
    /// Identifier, e.g. `follow-up-3m`: the name of its export file and its column
    /// prefix in reports. Fixed once the study opens.
    pub id: String,
    /// Its name for respondents and researchers, e.g. "Three-month follow-up".
    pub name: String,
    /// The survey it asks.
    pub instrument: WaveInstrument,
    /// Days after the study's opening day that the wave opens.
    pub opens_after_days: u32,
    /// How many days it stays open (at least 1).
    pub open_for_days: u32,
    /// The text LA contacts send with the follow-up link.
    pub reminder: String,
}

impl FollowUpWave {
    /// The wave's opening day and last day, as offsets in days from the study's opening
    /// day (the last day inclusive).
    pub fn offsets(&self) -> (u32, u32) {
        let last = self
            .opens_after_days
            .saturating_add(self.open_for_days.saturating_sub(1));
        (self.opens_after_days, last)
    }
}

/// A study file's follow-up waves and the linking code that pairs them with the
/// baseline, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyWaves {
    /// The linking code's questions and match rule.
    pub sgic: SgicSpec,
    /// The follow-up waves, in the order they are declared.
    pub waves: Vec<FollowUpWave>,
}

#[derive(Debug, Deserialize)]
struct FileDraft {
    #[serde(default)]
    wave: Vec<FollowUpWave>,
}

/// Why a study file's waves cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaveError {
    /// The TOML does not parse or a `[[wave]]` has the wrong shape.
    #[error("the follow-up waves cannot be read: {0}")]
    Toml(String),
    /// The linking code is missing or unusable.
    #[error(transparent)]
    Sgic(#[from] SpecError),
    /// A wave's id is empty, has characters other than a-z, 0-9 and '-', or is one of
    /// the names the surveys before and after the training use.
    #[error(
        "follow-up wave id `{0}` must be lower-case letters, digits and hyphens, and not pre or post"
    )]
    BadId(String),
    /// Two waves share an id.
    #[error("two follow-up waves have the id `{0}`")]
    DuplicateId(String),
    /// A wave open for no days.
    #[error("follow-up wave `{0}` must be open for at least 1 day")]
    NeverOpen(String),
    /// More follow-up waves than a study can hold.
    #[error("a study can have at most {MAX_WAVES} follow-up waves; this file has {0}")]
    TooMany(usize),
    /// A wave without a name or reminder text.
    #[error("follow-up wave `{id}` needs a {field}")]
    Empty {
        /// The wave.
        id: String,
        /// `name` or `reminder`.
        field: &'static str,
    },
}

impl StudyWaves {
    /// Reads the `[sgic]` table and the `[[wave]]` tables of a study file. A file with
    /// no waves still needs its `[sgic]`: the code is made at baseline for waves that
    /// may be added to the analysis later.
    ///
    /// # Errors
    /// [`WaveError`] for a file whose code or waves cannot be used.
    pub fn parse(study_toml: &str) -> Result<Self, WaveError> {
        let sgic = SgicSpec::parse(study_toml)?;
        let file: FileDraft =
            toml::from_str(study_toml).map_err(|e| WaveError::Toml(e.to_string()))?;
        if file.wave.len() > MAX_WAVES {
            return Err(WaveError::TooMany(file.wave.len()));
        }
        let mut seen = BTreeSet::new();
        for wave in &file.wave {
            let good_id = !wave.id.is_empty()
                && wave
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !matches!(wave.id.as_str(), "pre" | "post");
            if !good_id {
                return Err(WaveError::BadId(wave.id.clone()));
            }
            if !seen.insert(wave.id.as_str()) {
                return Err(WaveError::DuplicateId(wave.id.clone()));
            }
            if wave.open_for_days == 0 {
                return Err(WaveError::NeverOpen(wave.id.clone()));
            }
            for (field, text) in [("name", &wave.name), ("reminder", &wave.reminder)] {
                if text.trim().is_empty() {
                    return Err(WaveError::Empty {
                        id: wave.id.clone(),
                        field,
                    });
                }
            }
        }
        Ok(Self {
            sgic,
            waves: file.wave,
        })
    }

    /// The wave with this id.
    pub fn wave(&self, id: &str) -> Option<&FollowUpWave> {
        self.waves.iter().find(|wave| wave.id == id)
    }

    /// The wave with this id and its number, counting from 1 in the order declared: the
    /// store keeps a wave's responses under its number.
    pub fn numbered(&self, id: &str) -> Option<(u8, &FollowUpWave)> {
        self.waves
            .iter()
            .zip(1u8..)
            .find(|(wave, _)| wave.id == id)
            .map(|(wave, number)| (number, wave))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SGIC: &str = "[sgic]\nrule = \"exact\"\nmin-known = 2\n\
        [[sgic.question]]\nid = \"a\"\ntext = \"A\"\nkind = \"letters\"\n\
        [[sgic.question]]\nid = \"b\"\ntext = \"B\"\nkind = \"month\"\n";

    fn with_wave(wave: &str) -> String {
        format!("{SGIC}\n[[wave]]\n{wave}")
    }

    const WAVE: &str = "id = \"follow-up-3m\"\nname = \"Three months\"\n\
        instrument = \"post-training\"\nopens-after-days = 91\nopen-for-days = 28\n\
        reminder = \"Please answer again\"\n";

    #[test]
    fn the_skafada_study_file_declares_a_three_month_follow_up_on_the_post_training_survey() {
        let waves = StudyWaves::parse(include_str!("../../../waves/skafada.toml")).unwrap();
        let wave = waves.wave("follow-up-3m").unwrap();
        assert_eq!(wave.instrument, WaveInstrument::PostTraining);
        assert_eq!(wave.offsets().0, wave.opens_after_days);
        assert_eq!(waves.sgic.questions().len(), 4);
    }

    #[test]
    fn a_wave_is_open_from_its_offset_for_the_days_it_declares_inclusive() {
        let waves = StudyWaves::parse(&with_wave(WAVE)).unwrap();
        assert_eq!(waves.waves[0].offsets(), (91, 118));
    }

    #[test]
    fn a_file_without_waves_is_read_as_a_code_with_no_follow_up() {
        assert_eq!(StudyWaves::parse(SGIC).unwrap().waves, Vec::new());
    }

    #[test]
    fn waves_without_a_linking_code_are_refused() {
        let text = format!("[[wave]]\n{WAVE}");
        assert_eq!(
            StudyWaves::parse(&text),
            Err(WaveError::Sgic(SpecError::Missing))
        );
    }

    #[test]
    fn unusable_waves_are_refused_with_the_reason() {
        let cases = [
            (
                WAVE.replace("follow-up-3m", "Post"),
                WaveError::BadId("Post".into()),
            ),
            (
                WAVE.replace("follow-up-3m", "post"),
                WaveError::BadId("post".into()),
            ),
            (
                WAVE.replace("open-for-days = 28", "open-for-days = 0"),
                WaveError::NeverOpen("follow-up-3m".into()),
            ),
            (
                WAVE.replace("Please answer again", " "),
                WaveError::Empty {
                    id: "follow-up-3m".into(),
                    field: "reminder",
                },
            ),
        ];
        for (wave, expected) in cases {
            assert_eq!(StudyWaves::parse(&with_wave(&wave)), Err(expected));
        }
        let twice = format!("{}\n[[wave]]\n{WAVE}", with_wave(WAVE));
        assert_eq!(
            StudyWaves::parse(&twice),
            Err(WaveError::DuplicateId("follow-up-3m".into()))
        );
        let unknown = with_wave(&WAVE.replace("post-training", "pre-training"));
        assert!(matches!(
            StudyWaves::parse(&unknown),
            Err(WaveError::Toml(_))
        ));
    }
}
