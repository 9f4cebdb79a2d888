//! `skafada demo-data`: writes a synthetic response export calibrated to the SKAFADA
//! report (see `docs/demo-data.md`), for trying `skafada analyse` without real responses.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

/// The SKAFADA instruments, built in so that `demo-data` works from any directory.
const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
const POST: &str = include_str!("../../../../instruments/skafada-post.toml");

/// Arguments of `skafada demo-data`.
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// The folder to write the export to (created if missing; files in it are replaced).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator: the same seed always writes the same files.
    #[arg(long, default_value_t = skafada_demo::DEFAULT_SEED)]
    seed: u64,
}

/// Runs `skafada demo-data`.
pub fn run(args: DemoDataArgs) -> anyhow::Result<ExitCode> {
    let pre = skafada_instrument::load(PRE, "skafada-pre.toml")
        .context("The built-in pre-training instrument is invalid")?;
    let post = skafada_instrument::parse(POST, "skafada-post.toml")
        .and_then(|draft| draft.validate(Some(&pre)))
        .context("The built-in post-training instrument is invalid")?;
    let demo = skafada_demo::generate(&pre, &post, args.seed)
        .context("Failed to generate the demonstration data")?;
    let files = demo.files(&pre, &post)?;
    let out = &args.out;
    super::write_folder(
        out,
        &[
            ("manifest.toml", files.manifest.as_str()),
            ("sites.csv", files.sites.as_str()),
            ("pre.csv", files.pre.as_str()),
            ("post.csv", files.post.as_str()),
            ("codebook.csv", files.codebook.as_str()),
            ("instruments/skafada-pre.toml", PRE),
            ("instruments/skafada-post.toml", POST),
        ],
    )?;
    eprintln!(
        "Wrote synthetic demonstration data (seed {}) to {}: {} pre-training records, {} post-training records. These are not real responses.",
        args.seed,
        out.display(),
        demo.pre.len(),
        demo.post.len()
    );
    Ok(ExitCode::SUCCESS)
}
