//! `skafada mcnemar`: McNemar's test for paired counts (the same people asked twice).

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;
use skafada_stats::{ContingencyTable, McNemarMethod, Warning, mcnemar};

use super::crosstab::{WarningOut, p_clause};

/// Arguments of `skafada mcnemar`: either the whole paired table or its two discordant
/// cells.
#[derive(Debug, clap::Args)]
pub struct McNemarArgs {
    /// The paired 2x2 table `[[a, b], [c, d]]` as `a,b,c,d`: rows are the first
    /// measurement (yes, no), columns the second (yes, no).
    #[arg(long, value_name = "A,B,C,D", value_parser = parse_table, conflicts_with_all = ["b", "c"])]
    pub table: Option<[u64; 4]>,
    /// Pairs that were "yes" at first and "no" the second time.
    #[arg(long, value_name = "N", requires = "c")]
    pub b: Option<u64>,
    /// Pairs that were "no" at first and "yes" the second time.
    #[arg(long, value_name = "N", requires = "b")]
    pub c: Option<u64>,
    /// Print the result as JSON (the stable contract) instead of a readable summary.
    #[arg(long)]
    pub json: bool,
}

/// The JSON contract of `skafada mcnemar --json`.
#[derive(Debug, Serialize)]
pub struct McNemarOut {
    /// The paired table, when `--table` was given.
    pub table: Option<[[u64; 2]; 2]>,
    /// Discordant pairs yes -> no.
    pub b: u64,
    /// Discordant pairs no -> yes.
    pub c: u64,
    /// `b + c`.
    pub discordant: u64,
    /// Exact binomial p, two-sided (statsmodels `mcnemar(exact=True)`).
    pub exact_p: f64,
    /// Chi-square `(b - c)^2 / (b + c)` without continuity correction; `null` when `b + c = 0`.
    pub chi2: Option<f64>,
    /// p of `chi2` (1 degree of freedom).
    pub p_chi2: Option<f64>,
    /// Chi-square `(|b - c| - 1)^2 / (b + c)` with continuity correction (R's
    /// `mcnemar.test` default); `null` when `b + c = 0`.
    pub chi2_corrected: Option<f64>,
    /// p of `chi2_corrected` (1 degree of freedom).
    pub p_chi2_corrected: Option<f64>,
    /// Warnings (few discordant pairs).
    pub warnings: Vec<WarningOut>,
}

fn parse_table(text: &str) -> Result<[u64; 4], String> {
    let cells: Vec<&str> = text.split(',').map(str::trim).collect();
    if cells.len() != 4 {
        return Err(format!(
            "expected four counts a,b,c,d for the paired table [[a, b], [c, d]], got {}",
            cells.len()
        ));
    }
    let mut out = [0u64; 4];
    for (slot, cell) in out.iter_mut().zip(&cells) {
        *slot = cell
            .parse()
            .map_err(|_| format!("`{cell}` is not a whole number of pairs"))?;
    }
    Ok(out)
}

/// Runs `skafada mcnemar`.
pub fn run(args: McNemarArgs) -> anyhow::Result<ExitCode> {
    super::crosstab::emit(&compute(&args)?, args.json, summary)
}

fn compute(args: &McNemarArgs) -> anyhow::Result<McNemarOut> {
    let (table, cells) = match (args.table, args.b, args.c) {
        (Some([a, b, c, d]), _, _) => (Some([[a, b], [c, d]]), [a, b, c, d]),
        (None, Some(b), Some(c)) => (None, [0, b, c, 0]),
        _ => bail!(
            "give the paired table with --table a,b,c,d, or the discordant pairs with --b N --c N"
        ),
    };
    let [a, b, c, d] = cells;
    let t = ContingencyTable::two_by_two(a, b, c, d).context("Cannot build the paired table")?;
    let exact = mcnemar(&t, McNemarMethod::Exact).context("Cannot compute the exact test")?;
    let plain = mcnemar(&t, McNemarMethod::ChiSquare).ok();
    let corrected = mcnemar(&t, McNemarMethod::ChiSquareCorrected).ok();
    let mut warnings: Vec<Warning> = Vec::new();
    for w in plain.iter().flat_map(|r| r.warnings.iter()) {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    Ok(McNemarOut {
        table,
        b,
        c,
        discordant: b + c,
        exact_p: exact.p_value,
        chi2: plain.as_ref().map(|r| r.statistic),
        p_chi2: plain.as_ref().map(|r| r.p_value),
        chi2_corrected: corrected.as_ref().map(|r| r.statistic),
        p_chi2_corrected: corrected.as_ref().map(|r| r.p_value),
        warnings: warnings.iter().map(WarningOut::from).collect(),
    })
}

fn summary(out: &McNemarOut) -> String {
    let mut s = String::from("McNemar's test for paired proportions\n\n");
    if let Some([[a, b], [c, d]]) = out.table {
        s.push_str(&format!(
            "  Both times yes: {a}   Yes then no: {b}\n  No then yes: {c}      Both times no: {d}\n\n"
        ));
    }
    s.push_str(&format!(
        "Discordant pairs: {} (yes then no {}, no then yes {})\n",
        out.discordant, out.b, out.c
    ));
    s.push_str(&format!(
        "Exact binomial test (two-sided): {}\n",
        p_clause(out.exact_p)
    ));
    match (
        out.chi2,
        out.p_chi2,
        out.chi2_corrected,
        out.p_chi2_corrected,
    ) {
        (Some(x), Some(p), Some(xc), Some(pc)) => {
            s.push_str(&format!(
                "Chi-square without continuity correction: chi-square(1) = {x:.3}, {}\n",
                p_clause(p)
            ));
            s.push_str(&format!(
                "Chi-square with continuity correction (R's default): chi-square(1) = {xc:.3}, {}\n",
                p_clause(pc)
            ));
        }
        _ => s.push_str("The chi-square versions are undefined: there are no discordant pairs.\n"),
    }
    for warning in &out.warnings {
        s.push_str(&format!("\nWarning: {}\n", warning.message));
    }
    s
}
