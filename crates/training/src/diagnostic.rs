//! Problems found while loading a module, with where they were found.

use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The module can be used, but an author should look at this.
    Warning,
    /// The module is refused until this is fixed.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Severity::Warning => f.write_str("warning"),
            Severity::Error => f.write_str("error"),
        }
    }
}

/// One problem in one file of a module.
///
/// Displays as `file:line:column: error: problem`, the shape editors and
/// terminals recognise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether the problem refuses the module.
    pub severity: Severity,
    /// The path of the file, relative to the module folder (for example
    /// `sections/signs.md`).
    pub file: String,
    /// The 1-based line, where known.
    pub line: Option<usize>,
    /// The 1-based column in characters, where known.
    pub column: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl Diagnostic {
    /// Whether this diagnostic refuses the module.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}: {}", self.severity, self.problem)
    }
}

/// What is wrong with a module. Each refusal the validator can make has its
/// own variant, so tests and tools can match on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    // ----- files and front matter -----
    /// There is no `module.toml` among the sources.
    #[error("module.toml is missing: every module folder needs one")]
    ManifestMissing,
    /// `module.toml` is not valid TOML or does not match the format.
    #[error("module.toml is not valid: {message}")]
    ManifestInvalid {
        /// The TOML parser's message.
        message: String,
    },
    /// A section file does not start with `+++` front matter.
    #[error("the file must start with front matter between two `+++` lines")]
    FrontMatterMissing,
    /// The front matter has no closing `+++` line.
    #[error("the front matter has no closing `+++` line")]
    FrontMatterUnclosed,
    /// The front matter is not valid TOML or does not match the format.
    #[error("the front matter is not valid: {message}")]
    FrontMatterInvalid {
        /// The TOML parser's message.
        message: String,
    },
    /// A required text field is empty.
    #[error("`{field}` must not be empty")]
    EmptyField {
        /// The field's name.
        field: String,
    },
    /// An identifier does not follow the `lowercase-with-hyphens` rule.
    #[error(
        "`{id}` is not a valid id: use lowercase letters, digits and hyphens (and dots between parts)"
    )]
    InvalidId {
        /// The identifier as written.
        id: String,
    },

    // ----- the module as a whole -----
    /// `module.toml` lists no sections.
    #[error("module.toml lists no sections")]
    NoSections,
    /// The same section id is listed twice, or two files claim it.
    #[error("the section id `{id}` is used more than once")]
    DuplicateSectionId {
        /// The repeated id.
        id: String,
    },
    /// A section listed in `module.toml` has no file.
    #[error("the section `{id}` is listed in module.toml but {expected_path} does not exist")]
    SectionMissing {
        /// The listed id.
        id: String,
        /// Where its file was looked for.
        expected_path: String,
    },
    /// A section file's `id` differs from its file name.
    #[error("the front matter says id = `{found}` but the file is named for `{expected}`")]
    SectionIdMismatch {
        /// The id the file name implies.
        expected: String,
        /// The id in the front matter.
        found: String,
    },
    /// Two sources in `module.toml` share an id.
    #[error("the source id `{id}` is used more than once in module.toml")]
    DuplicateSourceId {
        /// The repeated id.
        id: String,
    },
    /// A section cites a source that `module.toml` does not list.
    #[error("the source `{id}` is cited but not listed in module.toml's [[sources]]")]
    UnknownSource {
        /// The cited id.
        id: String,
    },

    // ----- blocks -----
    /// A fenced block's info string is not a known block kind.
    #[error("unknown block kind `{kind}`: use one of {known}")]
    UnknownBlockKind {
        /// The info string as written.
        kind: String,
        /// The known kinds, comma separated.
        known: String,
    },
    /// An indented code block, which is not part of the format.
    #[error(
        "indented code blocks are not part of the format: unindent the text, or use a fenced block with a known kind"
    )]
    IndentedCodeBlock,
    /// A block inside a list or a quote.
    #[error("the `{kind}` block must not be inside a list or a quote")]
    BlockNotAtTopLevel {
        /// The block's kind.
        kind: String,
    },
    /// A block's TOML is not valid or does not match its kind.
    #[error("the `{kind}` block is not valid: {message}")]
    BlockInvalid {
        /// The block's kind.
        kind: String,
        /// The TOML parser's message.
        message: String,
    },
    /// An image without alternative text.
    #[error("the image `{src}` has no alternative text: describe what it shows in `alt`")]
    ImageWithoutAltText {
        /// The image's source.
        src: String,
    },
    /// A video or audio block without a transcript.
    #[error("the {kind} `{src}` has no transcript: add `transcript` or `transcript_file`")]
    MediaWithoutTranscript {
        /// `video` or `audio`.
        kind: String,
        /// The media's source.
        src: String,
    },
    /// A transcript file named by a media block is not among the sources.
    #[error("the transcript file `{path}` does not exist")]
    TranscriptFileMissing {
        /// The path as written.
        path: String,
    },
    /// A local media or image file is not among the module's assets.
    #[error("the file `{path}` does not exist in the module folder")]
    AssetMissing {
        /// The path as written.
        path: String,
    },
    /// A duration that is not `m:ss` or `h:mm:ss`.
    #[error("`{value}` is not a duration: write minutes and seconds as \"m:ss\" or \"h:mm:ss\"")]
    InvalidDuration {
        /// The value as written.
        value: String,
    },
    /// A date field holding something other than a plain date.
    #[error("`{field}` must be a date written as YYYY-MM-DD without quotes")]
    InvalidDate {
        /// The field's name.
        field: String,
    },
    /// A knowledge check or scenario with too few options.
    #[error("the `{kind}` block needs at least 2 options, it has {found}")]
    TooFewOptions {
        /// The block's kind.
        kind: String,
        /// How many options it has.
        found: usize,
    },
    /// A knowledge check with no option marked correct.
    #[error("the knowledge check has no correct answer: mark at least one option `correct = true`")]
    KnowledgeCheckWithoutCorrectAnswer,
    /// A knowledge check without an explanation.
    #[error("the knowledge check has no explanation: say why the correct answer is correct")]
    KnowledgeCheckWithoutExplanation,
    /// A scenario choice without feedback.
    #[error("choice {choice} of the scenario has no feedback")]
    ScenarioChoiceWithoutFeedback {
        /// The 1-based number of the choice.
        choice: usize,
    },
    /// A scenario with no choice marked as the best response.
    #[error("the scenario has no choice marked `best = true`")]
    ScenarioWithoutBestChoice,
    /// A say-this/not-this panel with no pairs.
    #[error("the say-this block has no [[pairs]]")]
    LanguagePanelEmpty,
    /// A say-this/not-this pair missing one of its parts.
    #[error("pair {pair} of the say-this block needs `say`, `not` and `why`")]
    LanguagePairIncomplete {
        /// The 1-based number of the pair.
        pair: usize,
    },
    /// Lived-experience content without its consent record.
    #[error(
        "the lived-experience block has content but no recorded consent and approval: missing {missing}"
    )]
    LivedExperienceWithoutConsent {
        /// The missing fields, comma separated.
        missing: String,
    },
    /// An empty lived-experience slot without guidance on what to commission.
    #[error(
        "the lived-experience slot is empty and has no `guidance` on what to commission from experts by experience"
    )]
    LivedExperienceSlotWithoutGuidance,
    /// A signposting block with no services.
    #[error("the signpost block lists no [[services]]")]
    SignpostWithoutServices,
    /// A support service without any way to contact it.
    #[error("the service `{name}` has no phone, text or website")]
    ServiceWithoutContact {
        /// The service's name.
        name: String,
    },

    // ----- warnings -----
    /// The declared certificate learning time is far below the estimate.
    #[error(
        "module.toml declares {declared} minutes of learning but the content is estimated at {estimated} minutes: declare an honest time"
    )]
    DeclaredTimeBelowEstimate {
        /// The declared minutes.
        declared: u32,
        /// The estimated minutes.
        estimated: u32,
    },
    /// Raw HTML in a section body, which is shown as text.
    #[error("raw HTML is not allowed and will be shown as text: use Markdown or a block")]
    RawHtml,
    /// A `#` heading in a section body; the section title is the page's heading.
    #[error("use `##` headings: the section title is the page's only `#` heading")]
    TopLevelHeading,
    /// A file under `sections/` that `module.toml` does not list.
    #[error("the file is not listed in module.toml's `sections` and will not be shown")]
    SectionNotListed,
    /// A source listed in `module.toml` that no section cites.
    #[error("the source `{id}` is not cited by any section")]
    UnusedSource {
        /// The source's id.
        id: String,
    },
}
