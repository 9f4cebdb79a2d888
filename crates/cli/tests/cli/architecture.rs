//! The architecture's rules, checked: the pure core depends on no runtime, database or
//! web crate, and does no I/O.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// Crates that must stay pure.
const CORE: [&str; 12] = [
    "skafada-qualitative",
    "skafada-qualtrics",
    "skafada-transcripts",
    "skafada-release",
    "skafada-instrument",
    "skafada-stats",
    "skafada-training",
    "skafada-analysis",
    "skafada-demo",
    "skafada-export",
    "skafada-report",
    "skafada-waves",
];

/// Crates the core must not depend on, directly or transitively.
const FORBIDDEN: [&str; 8] = [
    "tokio", "sqlx", "axum", "hyper", "reqwest", "tower", "mio", "rusqlite",
];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            env!("SKAFADA_TARGET"),
        ])
        .current_dir(super::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_core_crates_depend_on_no_async_runtime_database_or_web_crate() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().unwrap();
    let name_of: HashMap<&str, &str> = packages
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let deps_of: HashMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|n| {
            let deps = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null())
                })
                .map(|d| d["pkg"].as_str().unwrap())
                .collect();
            (n["id"].as_str().unwrap(), deps)
        })
        .collect();
    for core in CORE {
        let Some((root, _)) = name_of.iter().find(|(_, name)| **name == core) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        let mut stack = vec![*root];
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(deps_of.get(id).into_iter().flatten().copied());
            }
        }
        let reached: BTreeSet<&str> = seen.iter().map(|id| name_of[id]).collect();
        for forbidden in FORBIDDEN {
            assert!(
                !reached.contains(forbidden),
                "{core} depends on {forbidden}"
            );
        }
    }
}

#[test]
fn the_core_crates_do_no_file_or_network_io() {
    for core in [
        "instrument",
        "stats",
        "training",
        "analysis",
        "demo",
        "export",
        "report",
        "release",
        "qualtrics",
        "waves",
    ] {
        let src = super::workspace_root()
            .join("crates")
            .join(core)
            .join("src");
        let mut files = vec![src];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in [
                    "std::fs",
                    "File::open",
                    "std::net",
                    "std::env::var",
                    "include_bytes!(\"/",
                ] {
                    assert!(!text.contains(needle), "{} uses {needle}", path.display());
                }
            }
        }
    }
}
