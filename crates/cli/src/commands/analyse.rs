//! `skafada analyse`: cleaning and the whole analysis plan over a response export.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use std::io::{Read as _, Seek as _};

use skafada_analysis::data::{
    Dataset, ExportParts, FolderTexts, Manifest, ResponseFile, SurveyData, SurveyFiles,
};
use skafada_analysis::plan::{Data, Plan};

/// The SKAFADA analysis plan, built in so that `analyse` works from any directory.
pub const SKAFADA_PLAN: &str = include_str!("../../../../plans/skafada.toml");

/// Arguments of `skafada analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// A response export folder (see docs/export-format.md), e.g. from `skafada demo-data`.
    #[arg(long)]
    data: PathBuf,
    /// The analysis plan; the built-in SKAFADA plan (plans/skafada.toml) when omitted.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
}

/// Output formats of `analyse`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The stable JSON contract: {"cleaning", "tables", "tests", ...}.
    Json,
    /// Markdown tables, for reading.
    Markdown,
    /// A standalone HTML page: the same report as `skafada report --out FILE.html`.
    Html,
}

/// Runs `skafada analyse`.
pub fn run(args: AnalyseArgs) -> anyhow::Result<ExitCode> {
    let plan = load_plan(args.plan.as_deref())?;
    let dataset = load_export(&args.data)?;
    let analysis =
        skafada_analysis::analyse(&plan, &dataset).context("Failed to run the analysis plan")?;
    let text = match args.format {
        Format::Json => super::to_json(&analysis)?,
        Format::Markdown => skafada_analysis::render::markdown(&analysis),
        // The same templated, accessible HTML as `skafada report`.
        Format::Html => skafada_report::Report::from_analysis(
            &analysis,
            &skafada_report::ReportOptions::default(),
        )
        .render_html()
        .context("Failed to write the HTML report")?,
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Reads a plan file, or the built-in SKAFADA plan.
pub fn load_plan(path: Option<&Path>) -> anyhow::Result<Plan> {
    match path {
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("Failed to read the plan {name}"))?;
            Ok(Plan::parse(&text, &name)?)
        }
        None => Ok(Plan::parse(SKAFADA_PLAN, "plans/skafada.toml")?),
    }
}

/// Refuses an SPSS file (told by its first bytes, `$FL2` or `$FL3`, whatever its name)
/// where a response export or a CSV file is read: a Qualtrics `.sav` export is
/// converted by `skafada import qualtrics` first, never read as responses.
pub fn refuse_spss(bytes: &[u8], name: &str) -> anyhow::Result<()> {
    if skafada_qualtrics::is_sav(bytes) {
        anyhow::bail!(
            "{name} is an SPSS file; convert a Qualtrics SPSS export with `skafada import qualtrics` first (docs/qualtrics-import.md), then give its output folder"
        );
    }
    Ok(())
}

/// Refuses a path that is a file rather than a response export folder, saying what the
/// file looks like.
fn refuse_a_file(dir: &Path) -> anyhow::Result<()> {
    if dir.is_file() {
        // A single file is not an export folder; a raw Qualtrics export is named as such,
        // so that its header rows are never read as responses.
        let name = dir.display().to_string();
        let bytes =
            std::fs::read(dir).with_context(|| format!("Failed to read the data file {name}"))?;
        refuse_spss(&bytes, &name)?;
        let text = String::from_utf8(bytes).with_context(|| {
            format!("Failed to read the data file {name}: it is not UTF-8 text")
        })?;
        if skafada_analysis::data::is_raw_qualtrics(&text) {
            return Err(skafada_analysis::data::DataError::RawQualtrics { file: name }.into());
        }
        anyhow::bail!(
            "{name} is a file; --data takes a response export folder (docs/export-format.md), such as one written by `skafada demo-data` or `skafada import qualtrics`"
        );
    }
    Ok(())
}

/// One file of an export folder, as text.
fn read_folder_file(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).with_context(|| format!("Failed to read {}", path.display()))
}

/// A response file of an export folder, to be read as it comes: a national study's
/// file is never held whole beside the columns read from it. Its lines are counted
/// first, in a pass that holds a megabyte at a time, so that the columns are sized once.
fn open_response_file(dir: &Path, name: &str) -> anyhow::Result<ResponseFile<'static>> {
    let path = dir.join(name);
    let failed = || format!("Failed to read {}", path.display());
    let mut file = std::fs::File::open(&path).with_context(failed)?;
    let mut buffer = vec![0; 1 << 20];
    let mut lines = 1;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(failed),
        };
        lines += memchr::memchr_iter(b'\n', &buffer[..read]).count();
    }
    file.rewind().with_context(failed)?;
    Ok(ResponseFile::stream(file, lines))
}

/// An export folder's manifest, as text and parsed (which names the other files).
fn read_manifest(dir: &Path) -> anyhow::Result<(String, Manifest)> {
    let text = read_folder_file(dir, "manifest.toml")?;
    let manifest = Manifest::parse(&text, &dir.join("manifest.toml").display().to_string())?;
    Ok((text, manifest))
}

/// Reads one survey of a response export folder: its manifest, sites and instruments,
/// and that survey's file of responses, not the other surveys' files.
pub fn load_export_survey(dir: &Path, survey: Data) -> anyhow::Result<SurveyData> {
    refuse_a_file(dir)?;
    let read = |name: &str| read_folder_file(dir, name);
    let (manifest_text, manifest) = read_manifest(dir)?;
    let pre_instrument = read(&manifest.pre)?;
    let post_instrument = manifest.post.as_deref().map(read).transpose()?;
    let file = match survey {
        Data::Pre => "pre.csv",
        Data::Post => "post.csv",
    };
    if survey == Data::Post && (post_instrument.is_none() || !dir.join(file).exists()) {
        anyhow::bail!("{} has no post-training responses", dir.display());
    }
    let responses = open_response_file(dir, file)?;
    SurveyData::from_files(SurveyFiles {
        folder: FolderTexts {
            manifest: &manifest_text,
            sites: &read("sites.csv")?,
            pre_instrument: &pre_instrument,
            post_instrument: post_instrument.as_deref(),
        },
        survey,
        responses,
    })
    .with_context(|| format!("Failed to load the export in {}", dir.display()))
}

/// Reads every file of a response export folder.
pub fn load_export(dir: &Path) -> anyhow::Result<Dataset> {
    refuse_a_file(dir)?;
    let read = |name: &str| read_folder_file(dir, name);
    let (manifest_text, manifest) = read_manifest(dir)?;
    let sites = read("sites.csv")?;
    let pre_instrument = read(&manifest.pre)?;
    let post_instrument = manifest.post.as_deref().map(read).transpose()?;
    let arms = if dir.join("arms.csv").exists() {
        Some(read("arms.csv")?)
    } else {
        None
    };
    let files = ExportParts {
        folder: FolderTexts {
            manifest: &manifest_text,
            sites: &sites,
            pre_instrument: &pre_instrument,
            post_instrument: post_instrument.as_deref(),
        },
        pre: open_response_file(dir, "pre.csv")?,
        post: if dir.join("post.csv").exists() {
            Some(open_response_file(dir, "post.csv")?)
        } else {
            None
        },
        follow_up: manifest
            .follow_up
            .iter()
            .map(|wave| {
                Ok((
                    wave.clone(),
                    open_response_file(dir, &format!("{wave}.csv"))?,
                ))
            })
            .collect::<anyhow::Result<_>>()?,
        arms: arms.as_deref(),
    };
    Dataset::read(files).with_context(|| format!("Failed to load the export in {}", dir.display()))
}
