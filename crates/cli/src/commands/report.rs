//! `skafada report`: the study report from a response export, as HTML or PDF.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use skafada_report::{Report, ReportOptions};

use super::analyse::{load_export, load_plan};

/// Arguments of `skafada report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A response export folder (see docs/export-format.md), e.g. from `skafada demo-data`.
    #[arg(long)]
    data: PathBuf,
    /// The analysis plan; the built-in SKAFADA plan (plans/skafada.toml) when omitted.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// The report to write: FILE.html or FILE.pdf (the format follows the extension).
    #[arg(long)]
    out: PathBuf,
    /// The case studies' data (`case-studies.json`, downloaded from the case-studies
    /// pages): adds the findings by research question.
    #[arg(long, value_name = "FILE.json")]
    case_studies: Option<PathBuf>,
}

/// The findings by research question from a case-studies file, its survey items checked
/// against the plan.
fn findings(
    path: &Path,
    plan: &skafada_analysis::plan::Plan,
) -> anyhow::Result<(skafada_qualitative::synthesis::Synthesis, bool)> {
    use skafada_qualitative::bundle::{Bundle, SCHEMA_VERSION};
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read {}", path.display()))?;
    let bundle: Bundle = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a case-studies file", path.display()))?;
    anyhow::ensure!(
        bundle.schema_version == SCHEMA_VERSION,
        "{} has schema version {}; this skafada reads version {SCHEMA_VERSION}",
        path.display(),
        bundle.schema_version
    );
    let framework = skafada_qualitative::framework::parse(
        &bundle.framework,
        &format!("{} (framework)", path.display()),
    )?;
    let titles = plan.item_titles();
    let known = titles.keys().cloned().collect();
    let unknown = framework.unknown_survey_items(&known);
    anyhow::ensure!(
        unknown.is_empty(),
        "The framework maps research questions to items the analysis plan does not have: {}",
        unknown
            .iter()
            .map(|(q, item)| format!("{q} -> {item}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let synthesis =
        skafada_qualitative::synthesis::synthesise(skafada_qualitative::synthesis::Sources {
            framework: &framework,
            case_studies: &bundle.case_studies,
            interviewees: &bundle.interviewees,
            passages: &bundle.passages,
            summaries: &bundle.summaries,
            documents: &bundle.documents,
            survey_titles: &titles,
        });
    Ok((synthesis, bundle.synthetic))
}

/// The output formats, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Pdf,
}

fn format_of(path: &Path) -> anyhow::Result<Format> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Ok(Format::Html),
        Some("pdf") => Ok(Format::Pdf),
        _ => anyhow::bail!(
            "--out {} must end in .html or .pdf (the report's format follows the extension)",
            path.display()
        ),
    }
}

/// Runs `skafada report`.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(&args.out)?;
    let plan = load_plan(args.plan.as_deref())?;
    let dataset = load_export(&args.data)?;
    let synthesis = args
        .case_studies
        .as_deref()
        .map(|path| findings(path, &plan))
        .transpose()?;
    let analysis =
        skafada_analysis::analyse(&plan, &dataset).context("Failed to run the analysis plan")?;
    let mut report = Report::from_analysis(&analysis, &ReportOptions::default());
    if let Some((synthesis, synthetic)) = &synthesis {
        report = report.with_section(skafada_report::case_studies::findings_section(
            synthesis, *synthetic,
        ));
    }
    let bytes = match format {
        Format::Html => report.render_html()?.into_bytes(),
        Format::Pdf => report.render_pdf()?,
    };
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("Failed to write {}", args.out.display()))?;
    eprintln!("Wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
