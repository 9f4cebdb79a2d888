//! The training module model for skafada.
//!
//! A training module is a folder of data files, not code: a `module.toml`
//! manifest and one Markdown file per section, with TOML front matter and
//! special blocks written as fenced blocks whose info string names the kind
//! (`knowledge-check`, `say-this`, `lived-experience`...) and whose content
//! is TOML. The format is described in `docs/training-format.md`.
//!
//! This crate is pure: it never reads files. The caller (the CLI or the web
//! server) reads a module folder into [`ModuleSources`] and calls [`load`],
//! which parses and validates the module and returns either a [`Loaded`]
//! module with its warnings or a [`Refused`] list of [`Diagnostic`]s naming
//! file, line, column and [`Problem`].
//!
//! ```
//! use skafada_training::{ModuleSources, load};
//!
//! let mut sources = ModuleSources::new();
//! sources.insert("module.toml", r#"
//! id = "example"
//! title = "An example"
//! summary = "Shows the format."
//! audience = "Anyone"
//! version = "1"
//! sections = ["welcome"]
//! "#);
//! sources.insert("sections/welcome.md", "+++\nid = \"welcome\"\ntitle = \"Welcome\"\n+++\nHello.\n");
//! let loaded = load(&sources).unwrap();
//! assert_eq!(loaded.module.sections[0].title, "Welcome");
//! assert_eq!(loaded.module.estimate().total_minutes(), 1);
//! ```
//!
//! [`estimate`] tells a respondent a realistic time from the content, and
//! [`render_markdown`] turns section Markdown into HTML with raw HTML
//! escaped; blocks stay typed data ([`Block`]) for the web crate's templates.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod blocks;
mod diagnostic;
mod estimate;
mod load;
mod model;
mod render;
mod sources;

pub use diagnostic::{Diagnostic, Problem, Severity};
pub use estimate::{
    KNOWLEDGE_CHECK_SECONDS, REFLECTION_SECONDS, SCENARIO_SECONDS, TimeEstimate, WORDS_PER_MINUTE,
    count_markdown_words, count_words, estimate, estimate_section,
};
pub use load::{Loaded, MANIFEST_PATH, Refused, load, section_path};
pub use model::{
    Block, Certificate, CheckOption, Date, Image, KnowledgeCheck, LanguagePair, LanguagePanel,
    LivedExperience, LivedExperienceContent, LivedExperienceSlot, LocalServices, Manifest, Media,
    Module, Part, REFLECTION_PRIVACY_NOTICE, Reflection, Scenario, ScenarioChoice, Section,
    Service, ServiceProblem, Signpost, Source, Transcript,
};
pub use render::{RenderedPart, render_markdown};
pub use sources::ModuleSources;

impl Module {
    /// An honest estimate of the module's learning time; see [`estimate`].
    pub fn estimate(&self) -> TimeEstimate {
        estimate(self)
    }

    /// The learning time the certificate states: the declared time, or the
    /// estimate when none is declared.
    pub fn certificate_minutes(&self) -> u32 {
        self.manifest
            .certificate
            .learning_minutes
            .unwrap_or_else(|| self.estimate().total_minutes())
    }
}
