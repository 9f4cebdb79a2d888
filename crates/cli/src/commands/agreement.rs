//! `skafada agreement`: two coders' agreement per code (Cohen's kappa on passage-level
//! presence, and the proportion of agreement), from a CSV of their judgements.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;
use skafada_qualitative::agreement::{CodeAgreement, Judgement, by_code};

/// Arguments of `skafada agreement`.
#[derive(Debug, clap::Args)]
pub struct AgreementArgs {
    /// A CSV file with the header `passage,code,coder,present` (present is 0 or 1), one
    /// row per coder, passage and code; exactly two coders.
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// Print JSON (`{"codes": [{"code", "kappa", "agreement", "n", ...}]}`) instead of a
    /// table.
    #[arg(long)]
    pub json: bool,
}

/// The JSON contract of `skafada agreement --json`.
#[derive(Debug, Serialize)]
struct AgreementOut {
    codes: Vec<CodeAgreement>,
}

/// Reads the judgements, refusing any row that is not as documented, with its line.
fn read(path: &PathBuf) -> anyhow::Result<Vec<Judgement>> {
    let name = path.display().to_string();
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("Failed to read {name}"))?;
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{name}: no header row"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header != ["passage", "code", "coder", "present"] {
        anyhow::bail!(
            "{name}:1: the header must be passage,code,coder,present (found {})",
            header.join(",")
        );
    }
    let mut judgements = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.with_context(|| format!("{name}:{line}: not a CSV row"))?;
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or_default();
        let present = match field(3) {
            "1" => true,
            "0" => false,
            other => anyhow::bail!("{name}:{line}: present must be 0 or 1, not {other:?}"),
        };
        for (column, value) in [(1, field(0)), (2, field(1)), (3, field(2))] {
            if value.is_empty() {
                anyhow::bail!("{name}:{line}: column {column} is empty");
            }
        }
        judgements.push(Judgement {
            passage: field(0).to_owned(),
            code: field(1).to_owned(),
            coder: field(2).to_owned(),
            present,
        });
    }
    Ok(judgements)
}

/// Runs `skafada agreement`: exit 1, with the file and the problem, when the data are not
/// as documented.
pub fn run(args: AgreementArgs) -> anyhow::Result<ExitCode> {
    // An error is printed by main: a sentence, or a JSON error with --json.
    let codes = read(&args.data).and_then(|judgements| {
        by_code(&judgements).with_context(|| args.data.display().to_string())
    })?;
    if args.json {
        println!("{}", super::to_json(&AgreementOut { codes })?);
    } else {
        println!("code\tkappa\tagreement\tn\tonly first\tonly second");
        for code in codes {
            println!(
                "{}\t{}\t{:.3}\t{}\t{}\t{}",
                code.code,
                code.kappa
                    .map_or_else(|| "undefined".to_owned(), |k| format!("{k:.3}")),
                code.agreement,
                code.n,
                code.only_first,
                code.only_second
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
