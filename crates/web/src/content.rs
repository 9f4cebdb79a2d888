//! A study's parsed instruments and training module, cached per process.
//!
//! A study's content never changes once it is created, so the cache needs no
//! invalidation: a process that has not seen a study reads it from the store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use skafada_instrument::stored::{StoredKind, stored_kinds};
use skafada_instrument::{Instrument, ParticipantInformation};
use skafada_store::{Store, Study, StudyId};
use skafada_training::{Module, ModuleSources};
use skafada_waves::wave::StudyWaves;

use crate::error::AppError;

/// Why a study's content could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// An instrument did not load.
    #[error("the {which} survey does not load: {message}")]
    Instrument {
        /// `pre-training` or `post-training`.
        which: &'static str,
        /// The loader's problems.
        message: String,
    },
    /// The training module did not load.
    #[error("the training module does not load: {0}")]
    Module(String),
    /// The follow-up waves or the linking code did not load.
    #[error("the follow-up waves do not load: {0}")]
    Waves(skafada_waves::wave::WaveError),
    /// The allocation to delivery arms did not load.
    #[error("the allocation to delivery arms does not load: {0}")]
    Allocation(String),
    /// The participant information did not load.
    #[error("the participant information does not load: {0}")]
    Participant(String),
    /// A study's content has these problems (see [`content_problems`]).
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// A study with its instruments and module parsed.
#[derive(Debug)]
pub struct StudyContent {
    /// The stored study.
    pub study: Study,
    /// The pre-training survey.
    pub pre: Instrument,
    /// The post-training survey.
    pub post: Instrument,
    /// The training module.
    pub module: Module,
    /// The linking code and follow-up waves; `None` for a study with neither.
    pub waves: Option<StudyWaves>,
    /// The participant information sheet and consent wording; `None` for a study made
    /// before it was stored, which shows the survey's own consent statements.
    pub participant: Option<ParticipantInformation>,
    /// Allocation to delivery arms, when the waves file declares `[allocation]`.
    pub allocation: Option<skafada_waves::allocation::AllocationSpec>,
    pub(crate) pre_vars: BTreeMap<String, StoredKind>,
    pub(crate) post_vars: BTreeMap<String, StoredKind>,
    /// The time estimates every start page shows, worked out once per study.
    minutes: Minutes,
}

/// How long each part of the journey takes, in minutes.
#[derive(Debug, Clone, Copy)]
struct Minutes {
    pre: u32,
    post: u32,
    module: u32,
    certificate: u32,
}

impl StudyContent {
    /// Parses and validates a study's content, as `skafada serve` does before it stores a
    /// study and whenever it reads one.
    pub fn parse(study: Study) -> Result<StudyContent, ContentError> {
        let pre = skafada_instrument::load(&study.pre_instrument, "pre-training survey").map_err(
            |e| ContentError::Instrument {
                which: "pre-training",
                message: e.to_string(),
            },
        )?;
        let post = skafada_instrument::parse(&study.post_instrument, "post-training survey")
            .and_then(|draft| draft.validate(Some(&pre)))
            .map_err(|e| ContentError::Instrument {
                which: "post-training",
                message: e.to_string(),
            })?;
        let sources: ModuleSources = study.module_sources.clone().into_iter().collect();
        let module = skafada_training::load(&sources)
            .map_err(|refused| {
                ContentError::Module(
                    refused
                        .errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?
            .module;
        let waves = if study.waves.is_empty() {
            None
        } else {
            Some(StudyWaves::parse(&study.waves).map_err(ContentError::Waves)?)
        };
        let participant = if study.participant_information.trim().is_empty() {
            None
        } else {
            Some(
                ParticipantInformation::parse(&study.participant_information)
                    .map_err(|e| ContentError::Participant(e.to_string()))?,
            )
        };
        let allocation = if study.waves.is_empty() {
            None
        } else {
            match skafada_waves::allocation::AllocationSpec::parse(&study.waves) {
                Ok(spec) => Some(spec),
                Err(skafada_waves::allocation::AllocationError::Missing) => None,
                Err(error) => return Err(ContentError::Allocation(error.to_string())),
            }
        };
        let minutes = Minutes {
            pre: answering_minutes(&pre),
            post: answering_minutes(&post),
            module: module.estimate().total_minutes(),
            certificate: module.certificate_minutes(),
        };
        Ok(StudyContent {
            minutes,
            waves,
            participant,
            allocation,
            pre_vars: stored_kinds(&pre),
            post_vars: stored_kinds(&post),
            study,
            pre,
            post,
            module,
        })
    }
}

impl StudyContent {
    /// How long the pre-training survey takes: its questions on the fullest route at
    /// about six answers a minute, rounded up to five minutes.
    pub fn survey_minutes(&self) -> u32 {
        self.minutes.pre
    }

    /// How long the post-training survey takes, which a follow-up wave asks again.
    pub fn post_survey_minutes(&self) -> u32 {
        self.minutes.post
    }

    /// How long the whole journey takes: both surveys and the training module.
    pub fn journey_minutes(&self) -> u32 {
        self.minutes.pre + self.minutes.post + self.minutes.module
    }

    /// The learning time the certificate states: the module's own figure, or its
    /// estimate.
    pub fn certificate_minutes(&self) -> u32 {
        self.minutes.certificate
    }
}

/// An instrument's questions on the route with no answers given, at about six answers a
/// minute, rounded up to five minutes.
fn answering_minutes(instrument: &Instrument) -> u32 {
    let questions = instrument
        .route(&Default::default())
        .applicable_variables(&Default::default())
        .len();
    u32::try_from(questions.div_ceil(6).div_ceil(5) * 5).unwrap_or(30)
}

/// Parsed study content by study id.
#[derive(Debug, Default)]
pub(crate) struct StudyCache {
    studies: RwLock<HashMap<StudyId, Arc<StudyContent>>>,
    /// Held while a study is read and parsed, so that the requests that arrive together
    /// for a study this process has not seen yet parse it once, not once each.
    loading: tokio::sync::Mutex<()>,
}

impl StudyCache {
    fn cached(&self, study_id: &StudyId) -> Option<Arc<StudyContent>> {
        self.studies.read().ok()?.get(study_id).cloned()
    }

    /// The content of a study, read from the store the first time.
    pub(crate) async fn get(
        &self,
        store: &Store,
        study_id: &StudyId,
    ) -> Result<Arc<StudyContent>, AppError> {
        if let Some(content) = self.cached(study_id) {
            return Ok(content);
        }
        let _loading = self.loading.lock().await;
        // Another request may have parsed it while this one waited.
        if let Some(content) = self.cached(study_id) {
            return Ok(content);
        }
        let study = store.study(study_id).await?.ok_or(AppError::NotFound)?;
        let content =
            Arc::new(StudyContent::parse(study).map_err(|e| AppError::Internal(e.to_string()))?);
        if let Ok(mut studies) = self.studies.write() {
            studies.insert(study_id.clone(), content.clone());
        }
        Ok(content)
    }
}

/// Reads a training module folder (`module.toml`, `sections/*.md`, `media/...`) into the
/// path-to-text map a study stores, as `skafada serve --module` does. Paths use `/` and
/// are relative to the folder; files that are not UTF-8 text (images, video) are left
/// out, since only their presence is checked and respondents get them from elsewhere.
pub fn read_module_folder(folder: &std::path::Path) -> std::io::Result<BTreeMap<String, String>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut BTreeMap<String, String>,
    ) -> std::io::Result<()> {
        let mut entries = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(text) = String::from_utf8(std::fs::read(&path)?) {
                let relative = path
                    .strip_prefix(root)
                    .map_err(std::io::Error::other)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(relative, text);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(folder, folder, &mut out)?;
    Ok(out)
}

/// Where each part of a study's content came from, named in messages about it: a file's
/// path, or a description such as "pre-training survey".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentNames {
    /// The pre-training survey.
    pub pre: String,
    /// The post-training survey.
    pub post: String,
    /// The training module folder.
    pub module: String,
    /// The analysis plan.
    pub plan: String,
    /// The training-needs report.
    pub needs: String,
    /// The case-study framework.
    pub framework: String,
    /// The follow-up waves and linking code.
    pub waves: String,
    /// The participant information sheet and consent wording.
    pub participant_information: String,
}

impl Default for ContentNames {
    fn default() -> Self {
        ContentNames {
            pre: "pre-training survey".to_owned(),
            post: "post-training survey".to_owned(),
            module: "training module".to_owned(),
            plan: "analysis plan".to_owned(),
            needs: "training needs".to_owned(),
            framework: "case-study framework".to_owned(),
            waves: "follow-up waves".to_owned(),
            participant_information: "participant information".to_owned(),
        }
    }
}

/// Every problem with a study's content, each starting with the name of its part (and
/// line and column where the part is a file with lines): the surveys, the post-training
/// survey against the pre-training one, the module, the certificate's printable title,
/// the analysis plan, the training-needs report and the case-study framework (with its
/// research questions' survey items checked against the plan). Empty when the study can
/// be created.
pub fn content_problems(study: &skafada_store::NewStudy, names: &ContentNames) -> Vec<String> {
    problems_of(study, names, Placeholders::Refused)
}

/// As [`content_problems`], for content that is a template rather than a real study (the
/// demonstration study, a library set that studies are made from): the participant
/// information may keep its placeholder text.
pub fn template_problems(study: &skafada_store::NewStudy, names: &ContentNames) -> Vec<String> {
    problems_of(study, names, Placeholders::Allowed)
}

/// Whether the participant information may keep its template's placeholder text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// A real study: refused.
    Refused,
    /// The demonstration study: shown as they are, marked as a demonstration.
    Allowed,
}

fn problems_of(
    study: &skafada_store::NewStudy,
    names: &ContentNames,
    placeholders: Placeholders,
) -> Vec<String> {
    let mut problems = Vec::new();
    let pre = match skafada_instrument::load(&study.pre_instrument, &names.pre) {
        Ok(pre) => Some(pre),
        Err(error) => {
            problems.push(error.to_string());
            None
        }
    };
    let mut post = None;
    match skafada_instrument::parse(&study.post_instrument, &names.post) {
        Ok(draft) => {
            if let Some(pre) = &pre {
                match draft.validate(Some(pre)) {
                    Ok(valid) => post = Some(valid),
                    Err(error) => problems.push(error.to_string()),
                }
            }
        }
        Err(error) => problems.push(error.to_string()),
    }
    let sources: ModuleSources = study.module_sources.clone().into_iter().collect();
    match skafada_training::load(&sources) {
        Ok(loaded) => {
            // Found here rather than when a respondent downloads their certificate.
            let unprintable = skafada_report::unsupported_characters(&loaded.module.manifest.title);
            if !unprintable.is_empty() {
                problems.push(format!(
                    "{}: the certificate cannot print these characters of the module title: {}",
                    names.module,
                    unprintable
                        .iter()
                        .map(|c| format!("U+{:04X}", u32::from(*c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        Err(refused) => problems.extend(
            refused
                .errors
                .iter()
                .map(|error| format!("{}: {error}", names.module)),
        ),
    }
    // A study without its own plan uses the server's; its survey items are then shown,
    // not checked, by the findings ("not in the analysis plan" where one is missing).
    let plan = if study.analysis_plan.is_empty() {
        None
    } else {
        match skafada_analysis::plan::Plan::parse(&study.analysis_plan, &names.plan) {
            Ok(plan) => {
                // The headline measures name questions, statements and codes of the surveys.
                if let (Some(pre), Some(post)) = (&pre, &post)
                    && let Err(error) =
                        skafada_analysis::headline::measures(&plan, pre, Some(post), &names.plan)
                {
                    problems.push(error.to_string());
                }
                Some(plan)
            }
            Err(error) => {
                problems.push(error.to_string());
                None
            }
        }
    };
    if !study.framework.is_empty() {
        match skafada_qualitative::framework::parse(&study.framework, &names.framework) {
            Ok(framework) => {
                if let Some(plan) = &plan {
                    let known = plan.item_titles().into_keys().collect();
                    for (question, item) in framework.unknown_survey_items(&known) {
                        problems.push(format!(
                            "{}: research question `{question}` names `{item}`, which the analysis plan does not have",
                            names.framework
                        ));
                    }
                }
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    if !study.training_needs.is_empty()
        && let Err(error) =
            skafada_report::needs::NeedsSpec::parse(&study.training_needs, &names.needs)
    {
        problems.push(error.to_string());
    }
    if !study.waves.is_empty() {
        if let Err(error) = skafada_waves::wave::StudyWaves::parse(&study.waves) {
            problems.push(format!("{}: {error}", names.waves));
        }
        match skafada_waves::allocation::AllocationSpec::parse(&study.waves) {
            Ok(_) | Err(skafada_waves::allocation::AllocationError::Missing) => {}
            Err(error) => problems.push(format!("{}: {error}", names.waves)),
        }
    }
    problems.extend(participant_problems(
        study,
        pre.as_ref(),
        names,
        placeholders,
    ));
    problems
}

/// The participant information's problems: it must be there, read, word each of the
/// survey's consent statements, and, unless the study is the demonstration, have none
/// of its placeholder text left.
fn participant_problems(
    study: &skafada_store::NewStudy,
    pre: Option<&Instrument>,
    names: &ContentNames,
    allowed: Placeholders,
) -> Vec<String> {
    let name = &names.participant_information;
    if study.participant_information.trim().is_empty() {
        return vec![format!(
            "{name}: a study needs participant information: who runs it, whom to contact, its ethics approval and how its data are held (docs/participant-information.md)"
        )];
    }
    let sheet = match ParticipantInformation::parse(&study.participant_information) {
        Ok(sheet) => sheet,
        Err(error) => return vec![format!("{name}: {error}")],
    };
    let mut problems: Vec<String> = pre
        .map(|pre| sheet.check_against(pre))
        .unwrap_or_default()
        .into_iter()
        .map(|problem| format!("{name}: {problem}"))
        .collect();
    let placeholders = sheet.placeholders();
    if allowed == Placeholders::Refused && !placeholders.is_empty() {
        problems.push(format!(
            "{name}: replace the template text marked [Replace: ...] in {} with this study's own; only the demonstration study may keep it",
            placeholders.join(", ")
        ));
    }
    problems
}

/// Checks that a study's instruments and module load, that the certificate can print
/// the module's title, and that its plan and training-needs report load, before it is
/// stored.
pub fn check_study(study: &skafada_store::NewStudy) -> Result<(), ContentError> {
    checked(problems_of(
        study,
        &ContentNames::default(),
        Placeholders::Refused,
    ))
}

/// As [`check_study`], for the demonstration study, whose participant information may
/// keep the template's placeholder text: it is shown as it is, marked as a
/// demonstration.
pub fn check_demo_study(study: &skafada_store::NewStudy) -> Result<(), ContentError> {
    checked(problems_of(
        study,
        &ContentNames::default(),
        Placeholders::Allowed,
    ))
}

fn checked(problems: Vec<String>) -> Result<(), ContentError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ContentError::Invalid(problems))
    }
}
