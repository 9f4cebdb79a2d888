//! `skafada bench analysis`: the whole analysis plan (cleaning, derived variables, every
//! table, every test of association, every pre/post comparison and reliability) on
//! synthetic response sets of several sizes, and optionally the same pass in pandas +
//! scipy (`bench/analysis_pandas.py`) on the same data, from the same run.
//!
//! Generating the data and writing the CSV files are not timed. The Rust figure is the
//! median wall-clock time of `skafada_analysis::analyse` over several repetitions; the
//! pandas figure is the median the script reports for its computation after loading
//! the CSV files.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use skafada_analysis::data::{Dataset, Responses, sites_csv, variables};
use skafada_analysis::formula::neutralise;
use skafada_instrument::Instrument;

use super::bench::{POST, PRE};

/// Arguments of `skafada bench analysis`.
#[derive(Debug, clap::Args)]
pub struct BenchAnalysisArgs {
    /// Numbers of pre-training responses, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "350,100000,1000000")]
    pub sizes: Vec<usize>,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timed repetitions at each size (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub repetitions: usize,
    /// The analysis plan; the built-in SKAFADA plan when omitted.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Also run the same pass with pandas + scipy (bench/analysis_pandas.py).
    #[arg(long)]
    pub pandas: bool,
    /// The Python interpreter with pandas, numpy and scipy (bench/requirements.txt);
    /// default: .venv/bin/python in the workspace if it exists, else python3.
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Write each size's CSV export (the files pandas reads) to DIR/nSIZE and keep it,
    /// with or without `--pandas`.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// The workspace root (the benchmark script lives in `bench/`).
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Row {
    size: usize,
    kept: usize,
    tests: usize,
    rust: Duration,
    pandas: Option<PandasFigures>,
}

struct PandasFigures {
    seconds: f64,
    load_seconds: f64,
    kept: usize,
    tests: usize,
}

/// Runs `skafada bench analysis`.
pub fn run(args: BenchAnalysisArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!(
            "Note: this is a debug build; run `cargo run --release -p skafada -- bench analysis` for real figures."
        );
    }
    let plan = super::analyse::load_plan(args.plan.as_deref())?;
    let (pre, post) = super::bench::instruments()?;
    let repetitions = args.repetitions.max(1);
    let scratch = match &args.keep {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("skafada-bench-{}", std::process::id())),
    };
    let python = args.python.clone().unwrap_or_else(|| {
        let venv = workspace_root().join(".venv/bin/python");
        if venv.exists() {
            venv
        } else {
            PathBuf::from("python3")
        }
    });
    let mut rows = Vec::new();
    for &size in &args.sizes {
        let started = Instant::now();
        let dataset = super::bench::synthetic_study(&pre, &post, size, args.seed);
        eprintln!(
            "{size} responses: generated {} pre and {} post records in {:.1} s (not timed)",
            dataset.pre.len(),
            dataset.post.as_ref().map_or(0, Responses::len),
            started.elapsed().as_secs_f64()
        );
        let mut times = Vec::with_capacity(repetitions);
        let mut outcome = None;
        for _ in 0..repetitions {
            let started = Instant::now();
            let analysis = skafada_analysis::analyse(&plan, &dataset)
                .context("Failed to run the analysis plan")?;
            times.push(started.elapsed());
            outcome = Some((analysis.cleaning.pre.kept, analysis.tests.len()));
        }
        times.sort();
        let rust = times[times.len() / 2];
        let (kept, tests) = outcome.unwrap_or_default();
        eprintln!(
            "  Rust: median {:.3} s over {repetitions} runs ({:.0} records/s)",
            rust.as_secs_f64(),
            size as f64 / rust.as_secs_f64()
        );
        // The export is written for pandas, or to be kept for other uses (`--keep`).
        let dir = scratch.join(format!("n{size}"));
        if args.pandas || args.keep.is_some() {
            write_export(&dir, &dataset, &pre, &post, args.plan.as_deref())?;
        }
        drop(dataset);
        let pandas = if args.pandas {
            let figures = run_pandas(&python, &dir, repetitions)?;
            eprintln!(
                "  pandas + scipy: median {:.3} s (loading the CSV files took {:.1} s, not counted)",
                figures.seconds, figures.load_seconds
            );
            if figures.kept != kept || figures.tests != tests {
                eprintln!(
                    "  Note: pandas kept {} records and ran {} tests; Rust kept {kept} and ran {tests}.",
                    figures.kept, figures.tests
                );
            }
            if args.keep.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Some(figures)
        } else {
            None
        };
        rows.push(Row {
            size,
            kept,
            tests,
            rust,
            pandas,
        });
    }
    if args.keep.is_none() && args.pandas {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    print!("{}", report(&rows, &args, repetitions));
    Ok(ExitCode::SUCCESS)
}

fn report(rows: &[Row], args: &BenchAnalysisArgs, repetitions: usize) -> String {
    let mut s = format!(
        "\nskafada bench analysis: the whole plan (cleaning, derivations, every table, test of association, pre/post comparison and reliability)\nseed {}, median of {repetitions} runs, {} logical CPUs\n\n",
        args.seed,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    s.push_str(&format!(
        "{:>10}  {:>8}  {:>6}  {:>10}  {:>14}  {:>12}  {:>8}\n",
        "responses", "kept", "tests", "Rust s", "Rust records/s", "pandas s", "ratio"
    ));
    for row in rows {
        let rust = row.rust.as_secs_f64();
        let (pandas, ratio) = match &row.pandas {
            Some(p) => (
                format!("{:.3}", p.seconds),
                format!("{:.1}x", p.seconds / rust),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        s.push_str(&format!(
            "{:>10}  {:>8}  {:>6}  {:>10.4}  {:>14.0}  {:>12}  {:>8}\n",
            row.size,
            row.kept,
            row.tests,
            rust,
            row.size as f64 / rust,
            pandas,
            ratio
        ));
    }
    s
}

/// Writes the dataset as an export folder (docs/export-format.md) plus the plan.
fn write_export(
    dir: &Path,
    dataset: &Dataset,
    pre: &Instrument,
    post: &Instrument,
    plan: Option<&Path>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("instruments"))
        .with_context(|| format!("Failed to create {}", dir.display()))?;
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("Failed to write {}", dir.join(name).display()))
    };
    write("manifest.toml", &dataset.manifest.to_toml()?)?;
    write("sites.csv", &sites_csv(&dataset.sites)?)?;
    write("instruments/skafada-pre.toml", PRE)?;
    write("instruments/skafada-post.toml", POST)?;
    let plan_text = match plan {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("Failed to read {}", path.display()))?,
        None => super::analyse::SKAFADA_PLAN.to_owned(),
    };
    write("plan.toml", &plan_text)?;
    write_responses(&dir.join("pre.csv"), &dataset.pre, pre, dataset)?;
    if let Some(responses) = &dataset.post {
        write_responses(&dir.join("post.csv"), responses, post, dataset)?;
    }
    Ok(())
}

/// Streams one response file (the same layout as `Responses::to_csv`, without building
/// the whole text in memory).
fn write_responses(
    path: &Path,
    data: &Responses,
    instrument: &Instrument,
    dataset: &Dataset,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("Failed to create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let specs = variables(instrument);
    let mut header: Vec<&str> = skafada_analysis::data::RECORD_COLUMNS.to_vec();
    header.extend(specs.iter().map(|v| v.id.as_str()));
    let mut line = header.join(",");
    line.push('\n');
    enum Source<'a> {
        Values(skafada_analysis::data::Values<'a>),
        Texts(&'a skafada_analysis::data::TextColumn),
        Empty,
    }
    let sources: Vec<Source> = specs
        .iter()
        .map(|v| match (data.values(&v.id), data.texts(&v.id)) {
            (Some(values), _) => Source::Values(values),
            (None, Some(texts)) => Source::Texts(texts),
            _ => Source::Empty,
        })
        .collect();
    let io = |e: std::io::Error| anyhow::anyhow!("Failed to write {}: {e}", path.display());
    out.write_all(line.as_bytes()).map_err(io)?;
    for row in 0..data.len() {
        line.clear();
        let site = neutralise(
            dataset
                .sites
                .get(data.site[row])
                .map_or("", |s| s.site.as_str()),
        );
        line.push_str(&format!(
            "{},{},{},{},{},{}",
            data.response_id[row],
            data.respondent_id[row],
            site,
            data.status[row].as_str(),
            u8::from(data.returning[row]),
            data.started_on[row]
        ));
        for source in &sources {
            line.push(',');
            match source {
                Source::Values(values) => {
                    let v = values.get(row).unwrap_or(skafada_analysis::data::MISSING);
                    if v != skafada_analysis::data::MISSING {
                        line.push_str(&v.to_string());
                    }
                }
                Source::Texts(texts) => {
                    if let Some(text) = texts.get(row) {
                        // As `Responses::to_csv` writes it: safe to open in a spreadsheet.
                        let text = neutralise(text);
                        if text.contains([',', '"', '\n', '\r']) {
                            line.push('"');
                            line.push_str(&text.replace('"', "\"\""));
                            line.push('"');
                        } else {
                            line.push_str(&text);
                        }
                    }
                }
                Source::Empty => {}
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(())
}

/// Runs the pandas + scipy pass on an export folder and reads its figures.
fn run_pandas(python: &Path, dir: &Path, repetitions: usize) -> anyhow::Result<PandasFigures> {
    let script = workspace_root().join("bench/analysis_pandas.py");
    let output = Command::new(python)
        .arg(&script)
        .arg("--data")
        .arg(dir)
        .arg("--repetitions")
        .arg(repetitions.to_string())
        .output()
        .with_context(|| {
            format!(
                "Failed to start {} (install bench/requirements.txt into .venv or give --python)",
                python.display()
            )
        })?;
    if !output.status.success() {
        bail!(
            "{} {} failed:\n{}",
            python.display(),
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(text.trim())
        .with_context(|| format!("The pandas script printed something other than JSON: {text}"))?;
    let number = |key: &str| -> anyhow::Result<f64> {
        json[key]
            .as_f64()
            .with_context(|| format!("The pandas script's JSON has no number `{key}`: {text}"))
    };
    Ok(PandasFigures {
        seconds: number("seconds")?,
        load_seconds: number("load_seconds")?,
        kept: number("kept")? as usize,
        tests: number("tests")? as usize,
    })
}
