//! A study's content read from files: the surveys, the training module, the analysis
//! plan, the training-needs report, the case-study framework, the follow-up waves and the
//! participant information.
//!
//! Each part is read from the file or folder given, else from the SKAFADA files in the
//! working directory (`instruments/`, `training/`, `plans/`, `frameworks/`, `waves/`,
//! `participant-information/`) when they are there, else
//! from the copies built into the binary. So a server started beside an edited
//! questionnaire asks the edited wording, and `serve --demo` works from any directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rust_embed::RustEmbed;
use skafada_store::NewStudy;
use skafada_web::ContentNames;

/// The built-in pre-training survey's path in the working directory, and its copy.
const PRE: (&str, &str) = (
    "instruments/skafada-pre.toml",
    include_str!("../../../../instruments/skafada-pre.toml"),
);
/// The built-in post-training survey's path in the working directory, and its copy.
const POST: (&str, &str) = (
    "instruments/skafada-post.toml",
    include_str!("../../../../instruments/skafada-post.toml"),
);
/// The built-in analysis plan's path in the working directory, and its copy.
const PLAN: (&str, &str) = (
    "plans/skafada.toml",
    include_str!("../../../../plans/skafada.toml"),
);
/// The built-in training-needs report's path in the working directory, and its copy.
const NEEDS: (&str, &str) = (
    "plans/skafada-training-needs.toml",
    include_str!("../../../../plans/skafada-training-needs.toml"),
);
/// The built-in case-study framework's path in the working directory, and its copy.
const FRAMEWORK: (&str, &str) = (
    "frameworks/skafada.toml",
    skafada_qualitative::SKAFADA_FRAMEWORK,
);
/// The built-in follow-up waves and linking code's path in the working directory, and
/// its copy.
const WAVES: (&str, &str) = (
    "waves/skafada.toml",
    include_str!("../../../../waves/skafada.toml"),
);
/// The built-in participant information template's path in the working directory, and
/// its copy.
const PARTICIPANT: (&str, &str) = (
    "participant-information/skafada.toml",
    include_str!("../../../../participant-information/skafada.toml"),
);
/// The built-in module's folder in the working directory.
const MODULE_FOLDER: &str = "training/skafada-prototype";

#[derive(RustEmbed)]
#[folder = "../../training/skafada-prototype/"]
struct PrototypeModule;

/// Where to read each part of a study's content; a part not given is the SKAFADA one.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ContentArgs {
    /// The pre-training survey (instrument TOML) [default: instruments/skafada-pre.toml,
    /// or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub pre: Option<PathBuf>,
    /// The post-training survey (instrument TOML), checked against the pre-training one
    /// [default: instruments/skafada-post.toml, or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub post: Option<PathBuf>,
    /// The training module folder (module.toml, sections/, media/)
    /// [default: training/skafada-prototype, or the built-in copy].
    #[arg(long, value_name = "FOLDER")]
    pub module: Option<PathBuf>,
    /// The analysis plan (TOML) [default: plans/skafada.toml, or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The training-needs report (TOML)
    /// [default: plans/skafada-training-needs.toml, or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub training_needs: Option<PathBuf>,
    /// The case-study framework (TOML)
    /// [default: frameworks/skafada.toml, or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub framework: Option<PathBuf>,
    /// The follow-up waves and the linking code's questions (TOML)
    /// [default: waves/skafada.toml, or the built-in copy].
    #[arg(long, value_name = "FILE")]
    pub waves: Option<PathBuf>,
    /// The participant information sheet and consent wording (TOML)
    /// [default: participant-information/skafada.toml, or the built-in template, whose
    /// placeholder text a real study must replace].
    #[arg(long, value_name = "FILE")]
    pub participant_information: Option<PathBuf>,
}

/// A study's content, read and named for messages.
#[derive(Debug, Clone)]
pub struct Content {
    /// The content, in the form a new study takes (name and dates empty).
    pub study: NewStudy,
    /// Where each part came from.
    pub names: ContentNames,
    /// Whether any part came from the copies built into the binary.
    pub any_built_in: bool,
}

impl Content {
    /// Reads every part, from the working directory `dir` where a default is looked for.
    pub fn read(args: &ContentArgs, dir: &Path) -> anyhow::Result<Content> {
        let mut any_built_in = false;
        let mut text = |given: &Option<PathBuf>, (default, built_in): (&str, &str)| {
            read_text(
                given.as_deref(),
                &dir.join(default),
                built_in,
                &mut any_built_in,
            )
        };
        let (pre_name, pre) = text(&args.pre, PRE)?;
        let (post_name, post) = text(&args.post, POST)?;
        let (plan_name, plan) = text(&args.plan, PLAN)?;
        let (needs_name, needs) = text(&args.training_needs, NEEDS)?;
        let (framework_name, framework) = text(&args.framework, FRAMEWORK)?;
        let (waves_name, waves) = text(&args.waves, WAVES)?;
        let (participant_name, participant_information) =
            text(&args.participant_information, PARTICIPANT)?;
        let default_module = dir.join(MODULE_FOLDER);
        let (module_name, module_id, module_sources) = match &args.module {
            Some(folder) => module_from(folder)?,
            None if default_module.is_dir() => module_from(&default_module)?,
            None => {
                any_built_in = true;
                (
                    "built-in training module".to_owned(),
                    "skafada-prototype".to_owned(),
                    built_in_module(),
                )
            }
        };
        Ok(Content {
            study: NewStudy {
                pre_instrument: pre,
                post_instrument: post,
                module_id,
                module_sources,
                analysis_plan: plan,
                training_needs: needs,
                framework,
                waves,
                participant_information,
                ..NewStudy::default()
            },
            names: ContentNames {
                pre: pre_name,
                post: post_name,
                module: module_name,
                plan: plan_name,
                needs: needs_name,
                framework: framework_name,
                waves: waves_name,
                participant_information: participant_name,
            },
            any_built_in,
        })
    }

    /// Reads every part as [`Content::read`] does and checks it: every problem, each
    /// starting with its file and, where it has one, line and column.
    pub fn read_checked(args: &ContentArgs, dir: &Path) -> anyhow::Result<Content> {
        let content = Content::read(args, dir)?;
        let problems = skafada_web::content_problems(&content.study, &content.names);
        Content::without(content, problems)
    }

    /// As [`Content::read_checked`], for a template (the demonstration study and the
    /// server's library): the participant information may keep its placeholder text.
    pub fn read_template(args: &ContentArgs, dir: &Path) -> anyhow::Result<Content> {
        let content = Content::read(args, dir)?;
        let problems = skafada_web::template_problems(&content.study, &content.names);
        Content::without(content, problems)
    }

    fn without(content: Content, problems: Vec<String>) -> anyhow::Result<Content> {
        if problems.is_empty() {
            Ok(content)
        } else {
            anyhow::bail!("The study's content has problems:\n{}", problems.join("\n"))
        }
    }
}

/// The SKAFADA content as `serve --demo` and a new study use it by default.
pub fn skafada_content() -> anyhow::Result<Content> {
    let dir = std::env::current_dir().context("Failed to read the working directory")?;
    Content::read_template(&ContentArgs::default(), &dir)
}

fn read_text(
    given: Option<&Path>,
    default: &Path,
    built_in: &str,
    any_built_in: &mut bool,
) -> anyhow::Result<(String, String)> {
    let path = match given {
        Some(path) => path,
        None if default.is_file() => default,
        None => {
            *any_built_in = true;
            let name = default
                .file_name()
                .map(|n| format!("built-in {}", n.to_string_lossy()))
                .unwrap_or_else(|| "built-in file".to_owned());
            return Ok((name, built_in.to_owned()));
        }
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read {}", path.display()))?;
    Ok((path.display().to_string(), text))
}

fn module_from(folder: &Path) -> anyhow::Result<(String, String, BTreeMap<String, String>)> {
    let files = skafada_web::read_module_folder(folder)
        .with_context(|| format!("Failed to read the module folder {}", folder.display()))?;
    let id = folder
        .canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .with_context(|| format!("{} does not name a folder", folder.display()))?;
    Ok((folder.display().to_string(), id, files))
}

/// The prototype module's text files as built into the binary.
fn built_in_module() -> BTreeMap<String, String> {
    PrototypeModule::iter()
        .filter_map(|path| {
            let file = PrototypeModule::get(&path)?;
            let text = String::from_utf8(file.data.into_owned()).ok()?;
            Some((path.to_string(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A new empty folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("skafada-content-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn repository() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_files_in_the_working_directory_are_the_built_in_copies() {
        let from_files = Content::read_template(&ContentArgs::default(), &repository()).unwrap();
        assert!(!from_files.any_built_in);
        let elsewhere = scratch("elsewhere");
        let built_in = Content::read_template(&ContentArgs::default(), &elsewhere).unwrap();
        assert!(built_in.any_built_in);
        assert_eq!(
            from_files.study.content_sha256(),
            built_in.study.content_sha256()
        );
    }

    #[test]
    fn an_edited_survey_in_the_working_directory_is_read_instead_of_the_built_in_one() {
        let dir = scratch("edited");
        std::fs::create_dir(dir.join("instruments")).unwrap();
        let edited = PRE.1.replacen(
            "Do you hold your own cases?",
            "Do you hold a caseload of your own?",
            1,
        );
        assert_ne!(edited, PRE.1);
        std::fs::write(dir.join(PRE.0), &edited).unwrap();
        let content = Content::read_template(&ContentArgs::default(), &dir).unwrap();
        assert!(
            content
                .study
                .pre_instrument
                .contains("a caseload of your own")
        );
        assert!(content.names.pre.ends_with("instruments/skafada-pre.toml"));
    }

    #[test]
    fn a_broken_plan_is_refused_with_its_file_line_and_column() {
        let dir = scratch("broken-plan");
        let plan = dir.join("plan.toml");
        std::fs::write(
            &plan,
            "id = \"x\"\ntitle = \"X\"\nsignificance = \"high\"\n",
        )
        .unwrap();
        let args = ContentArgs {
            plan: Some(plan.clone()),
            ..ContentArgs::default()
        };
        let error = Content::read_checked(&args, &dir).unwrap_err().to_string();
        assert!(error.contains(&format!("{}", plan.display())), "{error}");
        assert!(error.contains("line 3"), "{error}");
    }

    #[test]
    fn a_real_study_is_refused_while_its_participant_information_is_the_template() {
        let dir = scratch("template-sheet");
        let error = Content::read_checked(&ContentArgs::default(), &dir)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("replace the template text marked"),
            "{error}"
        );
        assert!(error.contains("contact.email"), "{error}");
        let filled = ContentArgs {
            participant_information: Some(
                repository().join("participant-information/example-filled-in.toml"),
            ),
            ..ContentArgs::default()
        };
        let content = Content::read_checked(&filled, &dir).unwrap();
        assert!(
            content
                .study
                .participant_information
                .contains("Northbrook Council")
        );
    }
}
