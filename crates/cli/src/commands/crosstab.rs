//! `skafada crosstab`: a crosstab of any two columns of a CSV file, with the chi-square
//! family, Cramér's V and Fisher's exact test.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;
use skafada_analysis::formula::restore;
use skafada_stats::{
    ContingencyTable, CrosstabAnalysis, FisherMethod, FisherOptions, FisherResult, Warning,
    crosstab, fisher_exact,
};

/// Arguments of `skafada crosstab`.
#[derive(Debug, clap::Args)]
pub struct CrosstabArgs {
    /// A CSV file with a header row and one row per response; an empty cell is missing.
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// The column whose values are the rows of the table.
    #[arg(long, value_name = "COL")]
    pub row: String,
    /// The column whose values are the columns of the table.
    #[arg(long, value_name = "COL")]
    pub col: String,
    /// Print the result as JSON (the stable contract) instead of a readable summary.
    #[arg(long)]
    pub json: bool,
}

/// A warning with a stable `code` tag, its details, and a sentence for people.
#[derive(Debug, Serialize)]
pub struct WarningOut {
    /// The warning, serialised with its `kind` tag and fields.
    #[serde(flatten)]
    pub detail: Warning,
    /// The warning in words.
    pub message: String,
}

impl From<&Warning> for WarningOut {
    fn from(warning: &Warning) -> Self {
        WarningOut {
            detail: warning.clone(),
            message: describe_warning(warning),
        }
    }
}

/// The JSON contract of `skafada crosstab --json`.
#[derive(Debug, Serialize)]
pub struct CrosstabOut {
    /// The row column's name.
    pub row: String,
    /// The column column's name.
    pub col: String,
    /// Row categories, ascending (numerically where every value is a number).
    pub row_levels: Vec<String>,
    /// Column categories, ascending (numerically where every value is a number).
    pub col_levels: Vec<String>,
    /// Observed counts, rows x columns.
    pub counts: Vec<Vec<u64>>,
    /// Expected counts under independence.
    pub expected: Vec<Vec<f64>>,
    /// Responses with a value in both columns.
    pub n: u64,
    /// Responses left out because one or both cells were empty.
    pub missing: u64,
    /// Pearson chi-square, without continuity correction.
    pub chi2: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// p of the Pearson chi-square.
    pub p: f64,
    /// Likelihood-ratio chi-square G.
    pub g2: f64,
    /// p of G.
    pub p_g2: f64,
    /// Yates' continuity-corrected chi-square (2x2 tables only).
    pub yates_chi2: Option<f64>,
    /// p of Yates' chi-square (2x2 tables only).
    pub p_yates: Option<f64>,
    /// Cramér's V on the uncorrected chi-square.
    pub cramers_v: f64,
    /// Fisher's exact test, two-sided.
    pub fisher_p: f64,
    /// `exact` or `monte-carlo`.
    pub fisher_method: &'static str,
    /// Simulated tables, when `fisher_method` is `monte-carlo`.
    pub fisher_samples: Option<u64>,
    /// Seed of the simulation, when `fisher_method` is `monte-carlo`.
    pub fisher_seed: Option<u64>,
    /// Warnings (Cochran's rule, Monte Carlo fallback).
    pub warnings: Vec<WarningOut>,
}

/// Runs `skafada crosstab`.
pub fn run(args: CrosstabArgs) -> anyhow::Result<ExitCode> {
    let name = args.data.display().to_string();
    let bytes = std::fs::read(&args.data)
        .with_context(|| format!("Failed to read the data file {name}"))?;
    super::analyse::refuse_spss(&bytes, &name)?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("Failed to read the data file {name}: it is not UTF-8 text"))?;
    let out = analyse_csv(&text, &name, &args.row, &args.col)?;
    emit(&out, args.json, summary)
}

/// Prints a result as pretty JSON or as its readable summary.
pub fn emit<T: Serialize>(
    out: &T,
    json: bool,
    summary: fn(&T) -> String,
) -> anyhow::Result<ExitCode> {
    if json {
        println!("{}", super::to_json(out)?);
    } else {
        print!("{}", summary(out));
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds and analyses the crosstab of two columns of CSV text.
pub fn analyse_csv(text: &str, file: &str, row: &str, col: &str) -> anyhow::Result<CrosstabOut> {
    if skafada_analysis::data::is_raw_qualtrics(text) {
        bail!(skafada_analysis::data::DataError::RawQualtrics {
            file: file.to_owned()
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{file}: cannot read the header row"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let position = |name: &str, option: &str| -> anyhow::Result<usize> {
        header.iter().position(|h| h == name).with_context(|| {
            format!(
                "{file}: there is no column `{name}` (given by {option}); the columns are: {}",
                header.join(", ")
            )
        })
    };
    let (ri, ci) = (position(row, "--row")?, position(col, "--col")?);
    if ri == ci {
        bail!("--row and --col both name the column `{row}`; choose two different columns");
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut missing = 0u64;
    for (index, record) in reader.records().enumerate() {
        let record =
            record.with_context(|| format!("{file}: data row {} is malformed", index + 1))?;
        // skafada's own exports quote cells a spreadsheet would run; categories are read
        // as they were answered.
        let a = restore(record.get(ri).unwrap_or("").trim());
        let b = restore(record.get(ci).unwrap_or("").trim());
        if a.is_empty() || b.is_empty() {
            missing += 1;
        } else {
            pairs.push((a.into_owned(), b.into_owned()));
        }
    }
    let row_levels = ordered_levels(pairs.iter().map(|(a, _)| a.as_str()));
    let col_levels = ordered_levels(pairs.iter().map(|(_, b)| b.as_str()));
    for (name, levels) in [(row, &row_levels), (col, &col_levels)] {
        if levels.len() < 2 {
            bail!(
                "{file}: column `{name}` has {} among the responses with both values ({}); a crosstab needs at least two",
                match levels.len() {
                    0 => "no values".to_owned(),
                    _ => "only one level".to_owned(),
                },
                levels.join(", ")
            );
        }
    }
    let mut counts = vec![vec![0u64; col_levels.len()]; row_levels.len()];
    for (a, b) in &pairs {
        if let (Ok(r), Ok(c)) = (
            row_levels.binary_search_by(|l| compare_levels(l, a)),
            col_levels.binary_search_by(|l| compare_levels(l, b)),
        ) {
            counts[r][c] += 1;
        }
    }
    let table = ContingencyTable::new(counts.clone()).context("Cannot build the table")?;
    let analysis = crosstab(&table).context("Cannot analyse the table")?;
    let fisher = fisher_exact(&table, &FisherOptions::default())
        .context("Cannot compute Fisher's exact test")?;
    Ok(output(
        row, col, row_levels, col_levels, missing, &analysis, &fisher,
    ))
}

fn output(
    row: &str,
    col: &str,
    row_levels: Vec<String>,
    col_levels: Vec<String>,
    missing: u64,
    analysis: &CrosstabAnalysis,
    fisher: &FisherResult,
) -> CrosstabOut {
    let (fisher_method, fisher_samples, fisher_seed) = match fisher.method {
        FisherMethod::Exact => ("exact", None, None),
        FisherMethod::MonteCarlo { samples, seed } => ("monte-carlo", Some(samples), Some(seed)),
    };
    let mut warnings: Vec<WarningOut> = analysis.warnings.iter().map(WarningOut::from).collect();
    warnings.extend(
        fisher
            .warnings
            .iter()
            .filter(|w| !analysis.warnings.contains(w))
            .map(WarningOut::from),
    );
    CrosstabOut {
        row: row.to_owned(),
        col: col.to_owned(),
        row_levels,
        col_levels,
        counts: analysis.observed.clone(),
        expected: analysis.expected.clone(),
        n: analysis.n,
        missing,
        chi2: analysis.pearson.statistic,
        df: analysis.pearson.df,
        p: analysis.pearson.p_value,
        g2: analysis.likelihood_ratio.statistic,
        p_g2: analysis.likelihood_ratio.p_value,
        yates_chi2: analysis.yates.as_ref().map(|y| y.statistic),
        p_yates: analysis.yates.as_ref().map(|y| y.p_value),
        cramers_v: analysis.cramers_v,
        fisher_p: fisher.p_value,
        fisher_method,
        fisher_samples,
        fisher_seed,
        warnings,
    }
}

/// The distinct values, ascending: numerically when every value is a number, otherwise
/// as text.
fn ordered_levels<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let distinct: BTreeSet<&str> = values.collect();
    let mut levels: Vec<String> = distinct.into_iter().map(str::to_owned).collect();
    levels.sort_by(|a, b| compare_levels(a, b));
    levels
}

/// Orders two levels numerically when both are numbers, else as text.
fn compare_levels(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// A p-value as APA style prints it: ".049", "< .001", "1.000".
pub fn format_p(p: f64) -> String {
    if p.is_nan() {
        return "undefined".to_owned();
    }
    if p < 0.001 {
        return "< .001".to_owned();
    }
    let text = format!("{p:.3}");
    match text.strip_prefix('0') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// "p = .049" or "p < .001".
pub fn p_clause(p: f64) -> String {
    let text = format_p(p);
    if text.starts_with('<') {
        format!("p {text}")
    } else {
        format!("p = {text}")
    }
}

/// A warning as a sentence in plain British English.
pub fn describe_warning(warning: &Warning) -> String {
    match warning {
        Warning::SparseExpectedCounts {
            cells_below_five,
            cells,
            min_expected,
        } => format!(
            "Cochran's rule is not met: {cells_below_five} of {cells} cells ({:.0}%) have an \
             expected count below 5 and the smallest expected count is {min_expected:.2}. The \
             chi-square p-value may be unreliable; rely on Fisher's exact test instead.",
            100.0 * *cells_below_five as f64 / (*cells).max(1) as f64
        ),
        Warning::ExactEnumerationInfeasible { .. } => "The table is too large to enumerate \
             every table with these margins, so Fisher's p-value is a Monte Carlo estimate."
            .to_owned(),
        Warning::FewDiscordantPairs { discordant } => format!(
            "Only {discordant} discordant pairs (fewer than 25): the chi-square approximation \
             may be poor; rely on the exact p-value."
        ),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
                None => text,
            }
        }
    }
}

/// The readable summary printed without `--json`.
pub fn summary(out: &CrosstabOut) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Crosstab of {} (rows) by {} (columns): {} responses",
        out.row, out.col, out.n
    ));
    if out.missing > 0 {
        s.push_str(&format!(" ({} with a missing value left out)", out.missing));
    }
    s.push_str("\n\n");
    let row_totals: Vec<u64> = out.counts.iter().map(|r| r.iter().sum()).collect();
    let col_totals: Vec<u64> = (0..out.col_levels.len())
        .map(|c| out.counts.iter().map(|r| r[c]).sum())
        .collect();
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut head = vec![String::new()];
    head.extend(out.col_levels.iter().cloned());
    head.push("Total".into());
    grid.push(head);
    for (level, (row, total)) in out
        .row_levels
        .iter()
        .zip(out.counts.iter().zip(&row_totals))
    {
        let mut line = vec![level.clone()];
        line.extend(row.iter().map(u64::to_string));
        line.push(total.to_string());
        grid.push(line);
    }
    let mut foot = vec!["Total".to_owned()];
    foot.extend(col_totals.iter().map(u64::to_string));
    foot.push(out.n.to_string());
    grid.push(foot);
    let widths: Vec<usize> = (0..grid[0].len())
        .map(|c| grid.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for line in &grid {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        s.push_str(&format!("  {}\n", cells.join("  ")));
    }
    s.push('\n');
    s.push_str(&format!(
        "Pearson chi-square({}) = {:.3}, {} (no continuity correction)\n",
        out.df,
        out.chi2,
        p_clause(out.p)
    ));
    if let (Some(y), Some(p)) = (out.yates_chi2, out.p_yates) {
        s.push_str(&format!(
            "Yates' corrected chi-square(1) = {y:.3}, {}\n",
            p_clause(p)
        ));
    }
    s.push_str(&format!(
        "Likelihood ratio G({}) = {:.3}, {}\n",
        out.df,
        out.g2,
        p_clause(out.p_g2)
    ));
    s.push_str(&format!("Cramér's V = {:.3}\n", out.cramers_v));
    match (out.fisher_samples, out.fisher_seed) {
        (Some(samples), Some(seed)) => s.push_str(&format!(
            "Fisher's exact test (two-sided, Monte Carlo estimate from {samples} tables, seed {seed}): {}\n",
            p_clause(out.fisher_p)
        )),
        _ => s.push_str(&format!(
            "Fisher's exact test (two-sided, exact): {}\n",
            p_clause(out.fisher_p)
        )),
    }
    for warning in &out.warnings {
        s.push_str(&format!("\nWarning: {}\n", warning.message));
    }
    s
}
