//! The parts of a study's content and their SHA-256 digests.
//!
//! A study's surveys, training module, analysis plan, training-needs report and case-study
//! framework are fixed
//! when it is created. Their digests are recorded then, so that the plan a report was
//! made with can be shown to be the plan that was pre-registered, and anyone holding the
//! files can check them with `sha256sum`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// One part of a study's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContentPart {
    /// The pre-training survey (instrument TOML).
    PreSurvey,
    /// The post-training survey (instrument TOML).
    PostSurvey,
    /// The training module (a folder of files).
    Module,
    /// The analysis plan (TOML).
    Plan,
    /// The training-needs report (TOML).
    TrainingNeeds,
    /// The case-study framework (TOML): themes, roles, quotation rule, audit criteria.
    Framework,
    /// The follow-up waves and the linking code's questions (TOML).
    Waves,
    /// The participant information sheet and the consent statements' wording (TOML).
    ParticipantInformation,
}

impl ContentPart {
    /// Every part, in the order they are listed.
    pub const ALL: [ContentPart; 8] = [
        ContentPart::PreSurvey,
        ContentPart::PostSurvey,
        ContentPart::Module,
        ContentPart::Plan,
        ContentPart::TrainingNeeds,
        ContentPart::Framework,
        ContentPart::Waves,
        ContentPart::ParticipantInformation,
    ];

    /// The part's name in URLs and in the recorded digests.
    pub fn slug(self) -> &'static str {
        match self {
            ContentPart::PreSurvey => "pre-training-survey",
            ContentPart::PostSurvey => "post-training-survey",
            ContentPart::Module => "training-module",
            ContentPart::Plan => "analysis-plan",
            ContentPart::TrainingNeeds => "training-needs",
            ContentPart::Framework => "case-study-framework",
            ContentPart::Waves => "follow-up-waves",
            ContentPart::ParticipantInformation => "participant-information",
        }
    }

    /// The part a slug names.
    pub fn from_slug(slug: &str) -> Option<ContentPart> {
        ContentPart::ALL
            .into_iter()
            .find(|part| part.slug() == slug)
    }

    /// The part's name for people.
    pub fn title(self) -> &'static str {
        match self {
            ContentPart::PreSurvey => "Pre-training survey",
            ContentPart::PostSurvey => "Post-training survey",
            ContentPart::Module => "Training module",
            ContentPart::Plan => "Analysis plan",
            ContentPart::TrainingNeeds => "Training-needs report",
            ContentPart::Framework => "Case-study framework",
            ContentPart::Waves => "Waves and linking code",
            ContentPart::ParticipantInformation => "Participant information and consent",
        }
    }
}

/// The lowercase hexadecimal SHA-256 of some bytes, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The digest of a folder of files: the SHA-256 of the listing `sha256sum` prints for
/// them, one `<digest>  <path>` line per file in byte order of the paths. It can be
/// checked from the folder with
/// `find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
pub fn folder_sha256(files: &BTreeMap<String, String>) -> String {
    let mut listing = String::new();
    for (path, text) in files {
        let _ = writeln!(listing, "{}  {path}", sha256_hex(text.as_bytes()));
    }
    sha256_hex(listing.as_bytes())
}

impl crate::NewStudy {
    /// The SHA-256 of each part of the content, by [`ContentPart::slug`].
    pub fn content_sha256(&self) -> BTreeMap<String, String> {
        ContentPart::ALL
            .into_iter()
            .map(|part| {
                let digest = match part {
                    ContentPart::PreSurvey => sha256_hex(self.pre_instrument.as_bytes()),
                    ContentPart::PostSurvey => sha256_hex(self.post_instrument.as_bytes()),
                    ContentPart::Module => folder_sha256(&self.module_sources),
                    ContentPart::Plan => sha256_hex(self.analysis_plan.as_bytes()),
                    ContentPart::TrainingNeeds => sha256_hex(self.training_needs.as_bytes()),
                    ContentPart::Framework => sha256_hex(self.framework.as_bytes()),
                    ContentPart::Waves => sha256_hex(self.waves.as_bytes()),
                    ContentPart::ParticipantInformation => {
                        sha256_hex(self.participant_information.as_bytes())
                    }
                };
                (part.slug().to_owned(), digest)
            })
            .collect()
    }

    pub(crate) fn content_sha256_json(&self) -> Result<String, crate::StoreError> {
        serde_json::to_string(&self.content_sha256())
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_folder_digest_is_the_digest_of_its_sha256sum_listing() {
        let files = BTreeMap::from([
            ("b/two.md".to_owned(), "two\n".to_owned()),
            ("a.toml".to_owned(), "one\n".to_owned()),
        ]);
        let listing = format!(
            "{}  a.toml\n{}  b/two.md\n",
            sha256_hex(b"one\n"),
            sha256_hex(b"two\n")
        );
        assert_eq!(folder_sha256(&files), sha256_hex(listing.as_bytes()));
    }

    #[test]
    fn every_part_is_found_by_its_slug() {
        for part in ContentPart::ALL {
            assert_eq!(ContentPart::from_slug(part.slug()), Some(part));
        }
        assert_eq!(ContentPart::from_slug("nothing"), None);
    }
}
