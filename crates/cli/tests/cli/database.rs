//! Every command that opens the database finds it as `skafada serve` does, and none makes
//! a new empty SQLite file where the user meant an existing one unless asked.

use std::process::Command;

use super::{stderr, stdout, workspace_root};

/// A new empty folder for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("skafada-cli-db-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn skafada_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skafada"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SKAFADA_DATABASE");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

#[test]
fn a_command_refuses_to_make_a_new_database_where_one_was_probably_meant() {
    let dir = scratch("missing");
    for args in [
        &["links"][..],
        &["retention", "run"][..],
        &["study", "show", "anything"][..],
    ] {
        let output = skafada_in(&dir, args, &[]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("There is no database at skafada.sqlite")
                && stderr(&output).contains("--create"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(
        !dir.join("skafada.sqlite").exists(),
        "no empty database was left behind"
    );
}

#[test]
fn skafada_database_and_the_settings_file_reach_every_command() {
    let dir = scratch("settings");
    let database = format!("sqlite://{}", dir.join("study.sqlite").display());
    let pre = workspace_root().join("instruments/skafada-pre.toml");
    let mut args = vec!["study", "create", "--name", "Settings"];
    args.extend(super::study::DATES);
    let sheet = super::study::filled_in_sheet();
    args.extend([
        "--pre",
        pre.to_str().unwrap(),
        "--participant-information",
        sheet.to_str().unwrap(),
        "--create",
    ]);
    let created = skafada_in(&dir, &args, &[("SKAFADA_DATABASE", &database)]);
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(
        dir.join("study.sqlite").exists(),
        "SKAFADA_DATABASE was used"
    );
    assert!(
        !dir.join("skafada.sqlite").exists(),
        "not the default database"
    );
    let settings = dir.join("skafada.toml");
    std::fs::write(&settings, format!("database = \"{database}\"\n")).unwrap();
    for args in [
        vec![
            "study",
            "show",
            "Settings",
            "--config",
            settings.to_str().unwrap(),
        ],
        vec!["retention", "run", "--config", settings.to_str().unwrap()],
        vec!["links", "--config", settings.to_str().unwrap()],
    ] {
        let output = skafada_in(&dir, &args, &[]);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let shown = skafada_in(
        &dir,
        &["study", "show", "Settings"],
        &[("SKAFADA_DATABASE", &database)],
    );
    assert!(stdout(&shown).contains("Settings ("), "{}", stdout(&shown));
    assert!(!dir.join("skafada.sqlite").exists());
}
