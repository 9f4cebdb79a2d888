//! `skafada bench`: benchmarks.

use anyhow::Context as _;
use std::process::ExitCode;

use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The whole analysis plan on synthetic response sets of several sizes (optionally
    /// against the same pass in pandas + scipy).
    Analysis(super::bench_analysis::BenchAnalysisArgs),
    /// Complete pre-training surveys over loopback from concurrent clients: surveys/s,
    /// durable page commits/s and page latency, beside the database's raw commit rate.
    Journey(super::bench_journey::BenchJourneyArgs),
    /// The results views (LA contacts' pages, the research dashboard) on a live database
    /// of synthetic responses: bytes per response, time and peak memory per view.
    Results(super::bench_results::BenchResultsArgs),
    /// Writing a synthetic study's pre-training records as CSV and as XLSX (rows in
    /// memory and through a temporary file): time, peak memory and file size.
    Export(super::bench_export::BenchExportArgs),
}

/// Runs `skafada bench`.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Analysis(args) => super::bench_analysis::run(args),
        BenchCommand::Journey(args) => super::bench_journey::run(args),
        BenchCommand::Results(args) => super::bench_results::run(args),
        BenchCommand::Export(args) => super::bench_export::run(args),
    }
}

/// A temporary SQLite file, removed with its WAL when dropped.
pub(super) struct TempFile(pub(super) std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The database a benchmark runs on: the URL given, or a new temporary SQLite file
/// (removed when the returned guard is dropped).
pub(super) fn database(given: Option<&str>) -> anyhow::Result<(String, Option<TempFile>)> {
    Ok(match given {
        Some(url) => (url.to_owned(), None),
        None => {
            let path = std::env::temp_dir().join(format!(
                "skafada-bench-{}.sqlite",
                skafada_store::random_token().context("No randomness")?
            ));
            (format!("sqlite://{}", path.display()), Some(TempFile(path)))
        }
    })
}

/// Peak and current resident memory of this process, in bytes, from Linux's
/// `/proc/self/status`: an error elsewhere, never a figure of 0.
pub(super) fn memory() -> anyhow::Result<(u64, u64)> {
    Ok((status_field("VmHWM:")?, status_field("VmRSS:")?))
}

/// The process's private memory (`RssAnon`) and mapped files (`RssFile`) now, in bytes
/// (see [`MemoryWatch`]).
pub(super) fn heap_and_mapped() -> anyhow::Result<(u64, u64)> {
    Ok((status_field("RssAnon:")?, status_field("RssFile:")?))
}

/// One field of `/proc/self/status` (a size in kB), in bytes.
fn status_field(name: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("Memory is measured from /proc/self/status, which this system does not have")?;
    status_field_of(&status, name)
}

/// A field of the text of `/proc/self/status` (a size in kB), in bytes.
fn status_field_of(status: &str, name: &str) -> anyhow::Result<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
        .with_context(|| format!("/proc/self/status has no {name} line in kB"))
}

/// The resident memory of one step, split by kind: the process's heap and other
/// private memory (`RssAnon`), which the step allocated, and files mapped into it
/// (`RssFile`), which is mostly the SQLite database that every pooled connection maps
/// for itself: the same page of the file counts once per connection that read it,
/// and the system can drop those pages under pressure, as it cannot the heap.
///
/// Sampled every 5 ms on a thread of its own, since Linux keeps a peak of the whole
/// resident set only (`VmHWM`).
pub(super) struct MemoryWatch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: std::thread::JoinHandle<anyhow::Result<(u64, u64)>>,
    before: (u64, u64),
    resident_before: u64,
}

/// What a [`MemoryWatch`] saw, in bytes above what the process held when it started.
#[derive(Debug, Clone, Copy)]
pub(super) struct StepMemory {
    /// The peak of the whole resident set (`VmHWM`).
    pub resident: u64,
    /// The peak of private memory (`RssAnon`), sampled.
    pub heap: u64,
    /// The peak of mapped files (`RssFile`), sampled.
    pub mapped: u64,
}

impl StepMemory {
    /// `+R MB peak: heap +H MB, files mapped +F MB`.
    pub(super) fn describe(&self) -> String {
        format!(
            "+{:.0} MB peak: heap +{:.0} MB, files mapped +{:.0} MB",
            megabytes(self.resident),
            megabytes(self.heap),
            megabytes(self.mapped)
        )
    }
}

impl MemoryWatch {
    /// Resets the process's peak and starts sampling.
    pub(super) fn start() -> anyhow::Result<MemoryWatch> {
        let resident_before = reset_peak()?;
        let before = heap_and_mapped()?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let sampler = std::thread::spawn(move || {
            let mut peak = (0, 0);
            loop {
                let status = std::fs::read_to_string("/proc/self/status")?;
                let anon = status_field_of(&status, "RssAnon:")?;
                let file = status_field_of(&status, "RssFile:")?;
                peak = (peak.0.max(anon), peak.1.max(file));
                if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(peak);
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        Ok(MemoryWatch {
            stop,
            sampler,
            before,
            resident_before,
        })
    }

    /// Stops sampling: the step's peaks above what the process held at the start.
    pub(super) fn finish(self) -> anyhow::Result<StepMemory> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (anon, file) = self
            .sampler
            .join()
            .map_err(|_| anyhow::anyhow!("The memory sampler stopped unexpectedly"))??;
        Ok(StepMemory {
            resident: memory()?.0.saturating_sub(self.resident_before),
            heap: anon.saturating_sub(self.before.0),
            mapped: file.saturating_sub(self.before.1),
        })
    }
}

/// Resets the peak to the current resident memory; returns the current.
/// Resets the process's peak memory to what it holds now (Linux: writing 5 to
/// `clear_refs` resets `VmHWM`) and returns it, so that a later peak is the step's own.
pub(super) fn reset_peak() -> anyhow::Result<u64> {
    std::fs::write("/proc/self/clear_refs", "5")
        .context("The peak memory could not be reset through /proc/self/clear_refs")?;
    Ok(memory()?.1)
}

pub(super) fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// The SKAFADA instruments, built in so that the benchmarks run from any directory.
pub(super) const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
/// The post-training instrument's text.
pub(super) const POST: &str = include_str!("../../../../instruments/skafada-post.toml");

/// The built-in pre- and post-training instruments.
pub(super) fn instruments() -> anyhow::Result<(
    skafada_instrument::Instrument,
    skafada_instrument::Instrument,
)> {
    let pre = skafada_instrument::load(PRE, "instruments/skafada-pre.toml")
        .context("The built-in pre-training instrument is invalid")?;
    let post = skafada_instrument::parse(POST, "instruments/skafada-post.toml")
        .and_then(|draft| draft.validate(Some(&pre)))
        .context("The built-in post-training instrument is invalid")?;
    Ok((pre, post))
}

/// A synthetic study of `responses` pre-training records (and their post-training ones)
/// from `skafada_analysis::synthetic`.
pub(super) fn synthetic_study(
    pre: &skafada_instrument::Instrument,
    post: &skafada_instrument::Instrument,
    responses: usize,
    seed: u64,
) -> skafada_analysis::data::Dataset {
    let options = skafada_analysis::synthetic::Options {
        responses,
        seed,
        ..skafada_analysis::synthetic::Options::default()
    };
    skafada_analysis::synthetic::dataset(
        pre,
        Some(post),
        "instruments/skafada-pre.toml",
        "instruments/skafada-post.toml",
        &options,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{MemoryWatch, status_field_of};

    #[test]
    fn a_status_field_is_read_in_bytes_and_a_missing_one_is_an_error() {
        let status = "Name:\tskafada\nRssAnon:\t  2048 kB\nRssFile:\t 12 kB\n";
        assert_eq!(status_field_of(status, "RssAnon:").unwrap(), 2048 * 1024);
        assert_eq!(status_field_of(status, "RssFile:").unwrap(), 12 * 1024);
        assert!(status_field_of(status, "VmHWM:").is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn memory_a_step_touches_shows_as_its_heap() {
        let watch = MemoryWatch::start().unwrap();
        // 64 MB written, so that every page of it is resident.
        let block = vec![7u8; 64 << 20];
        std::hint::black_box(&block);
        std::thread::sleep(std::time::Duration::from_millis(30));
        let step = watch.finish().unwrap();
        drop(block);
        assert!(step.heap >= 60 << 20, "heap +{} bytes", step.heap);
        assert!(
            step.resident >= 60 << 20,
            "resident +{} bytes",
            step.resident
        );
    }
}
