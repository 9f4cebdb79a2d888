//! `skafada ztest`: the pooled two-proportion z-test (statsmodels `proportions_ztest`,
//! R `prop.test(correct = FALSE)`).

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::ValueEnum;
use serde::Serialize;
use skafada_stats::{Alternative, two_proportion_z_test};

use super::crosstab::p_clause;

/// Arguments of `skafada ztest`.
#[derive(Debug, clap::Args)]
pub struct ZTestArgs {
    /// Successes in the first sample (for a pre/post comparison: after training).
    #[arg(long, value_name = "N")]
    pub x1: u64,
    /// Size of the first sample.
    #[arg(long, value_name = "N")]
    pub n1: u64,
    /// Successes in the second sample (before training).
    #[arg(long, value_name = "N")]
    pub x2: u64,
    /// Size of the second sample.
    #[arg(long, value_name = "N")]
    pub n2: u64,
    /// The alternative hypothesis: `greater` means the first proportion is larger.
    #[arg(long, value_enum, default_value_t = AlternativeArg::TwoSided)]
    pub alternative: AlternativeArg,
    /// Print the result as JSON (the stable contract) instead of a readable summary.
    #[arg(long)]
    pub json: bool,
}

/// The alternative hypothesis, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlternativeArg {
    /// p1 > p2.
    Greater,
    /// p1 < p2.
    Less,
    /// p1 differs from p2.
    TwoSided,
}

impl AlternativeArg {
    fn to_stats(self) -> Alternative {
        match self {
            AlternativeArg::Greater => Alternative::Greater,
            AlternativeArg::Less => Alternative::Less,
            AlternativeArg::TwoSided => Alternative::TwoSided,
        }
    }
}

/// The JSON contract of `skafada ztest --json`.
#[derive(Debug, Serialize)]
pub struct ZTestOut {
    /// Successes in the first sample.
    pub x1: u64,
    /// Size of the first sample.
    pub n1: u64,
    /// Successes in the second sample.
    pub x2: u64,
    /// Size of the second sample.
    pub n2: u64,
    /// `x1 / n1`.
    pub p1: f64,
    /// `x2 / n2`.
    pub p2: f64,
    /// `(x1 + x2) / (n1 + n2)`.
    pub pooled: f64,
    /// Pooled standard error of `p1 - p2`.
    pub standard_error: f64,
    /// `(p1 - p2) / standard_error`.
    pub z: f64,
    /// p for the alternative.
    pub p: f64,
    /// `greater`, `less` or `two_sided`.
    pub alternative: Alternative,
}

/// Runs `skafada ztest`.
pub fn run(args: ZTestArgs) -> anyhow::Result<ExitCode> {
    super::crosstab::emit(&compute(&args)?, args.json, summary)
}

fn compute(args: &ZTestArgs) -> anyhow::Result<ZTestOut> {
    for (x, n, xs, ns) in [
        (args.x1, args.n1, "--x1", "--n1"),
        (args.x2, args.n2, "--x2", "--n2"),
    ] {
        if n == 0 {
            bail!("{ns} is 0: each sample needs at least one response");
        }
        if x > n {
            bail!("{xs} ({x}) is larger than {ns} ({n}): successes cannot exceed the sample size");
        }
    }
    let test = two_proportion_z_test(
        args.x1,
        args.n1,
        args.x2,
        args.n2,
        args.alternative.to_stats(),
    )
    .context("Cannot compute the z-test")?;
    Ok(ZTestOut {
        x1: test.successes1,
        n1: test.trials1,
        x2: test.successes2,
        n2: test.trials2,
        p1: test.p1,
        p2: test.p2,
        pooled: test.pooled,
        standard_error: test.standard_error,
        z: test.z,
        p: test.p_value,
        alternative: test.alternative,
    })
}

fn summary(out: &ZTestOut) -> String {
    let hypothesis = match out.alternative {
        Alternative::Greater => "one-tailed: the first proportion is larger",
        Alternative::Less => "one-tailed: the first proportion is smaller",
        Alternative::TwoSided => "two-tailed: the proportions differ",
    };
    format!(
        "Two-proportion z-test (pooled variance, no continuity correction)\n\
         \n  First sample:  {} of {} = {:.1}%\n  Second sample: {} of {} = {:.1}%\n  Pooled proportion: {:.1}%\n\
         \nz = {:.3}, {} ({hypothesis})\n",
        out.x1,
        out.n1,
        100.0 * out.p1,
        out.x2,
        out.n2,
        100.0 * out.p2,
        100.0 * out.pooled,
        out.z,
        p_clause(out.p)
    )
}
