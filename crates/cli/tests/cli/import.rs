//! `skafada import qualtrics`: the hand-made Qualtrics fixtures into a folder that
//! `skafada analyse` reads, with personal columns dropped.

use super::{skafada, stderr, stdout};

const FIXTURES: &str = "crates/qualtrics/tests/fixtures";

struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("skafada-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn import(export: &str, mapping: &str, out: &str) -> std::process::Output {
    skafada(&[
        "import",
        "qualtrics",
        "--export",
        export,
        "--mapping",
        mapping,
        "--out",
        out,
    ])
}

#[test]
fn import_qualtrics_writes_a_folder_that_analyse_reads_and_lists_dropped_personal_columns() {
    let scratch = Scratch::new("fixture");
    let out = scratch.path("imported");
    let output = import(
        &format!("{FIXTURES}/choice-text.csv"),
        &format!("{FIXTURES}/mapping.toml"),
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(
            "personal columns of crates/qualtrics/tests/fixtures/choice-text.csv: IPAddress, RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude."
        ),
        "{message}"
    );
    assert!(
        message.contains("a survey preview, not a response"),
        "{message}"
    );
    assert!(
        message.contains("Wrote 4 pre-training and 1 post-training records"),
        "{message}"
    );
    let analysed = skafada(&["analyse", "--data", &out, "--format", "json"]);
    assert!(analysed.status.success(), "{}", stderr(&analysed));
    let json: serde_json::Value = serde_json::from_str(&stdout(&analysed)).unwrap();
    assert_eq!(json["cleaning"]["pre"]["records"], 4);
    assert_eq!(json["study"], "Fixture study");
    let mut written = String::new();
    for name in [
        "manifest.toml",
        "sites.csv",
        "pre.csv",
        "post.csv",
        "codebook.csv",
    ] {
        written.push_str(&std::fs::read_to_string(scratch.0.join("imported").join(name)).unwrap());
    }
    for personal in [
        "81.2.69.160",
        "jo.bloggs@example.org",
        "Bloggs",
        "EMP-0042",
        "53.7632",
        "ks-7731",
    ] {
        assert!(!written.contains(personal), "`{personal}` was written");
    }
    assert!(
        scratch
            .0
            .join("imported/instruments/skafada-pre.toml")
            .is_file()
    );
}

#[test]
fn import_qualtrics_refuses_a_bad_cell_with_file_row_and_column_and_writes_nothing() {
    let scratch = Scratch::new("bad");
    let fixture = std::fs::read_to_string(
        super::workspace_root()
            .join(FIXTURES)
            .join("choice-text.csv"),
    )
    .unwrap();
    let export = scratch.path("export.csv");
    std::fs::write(&export, fixture.replacen("\"Agree\"", "\"Maybe\"", 1)).unwrap();
    let out = scratch.path("imported");
    let output = import(&export, &format!("{FIXTURES}/mapping.toml"), &out);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("export.csv:4:42: `Q40_1` has `Maybe`, which is not a choice of `confidence-responsibility`"),
        "{message}"
    );
    assert!(!std::path::Path::new(&out).exists());
}

#[test]
fn import_qualtrics_refuses_a_folder_that_already_holds_files() {
    let scratch = Scratch::new("full");
    std::fs::write(scratch.0.join("notes.txt"), "keep me").unwrap();
    let output = import(
        &format!("{FIXTURES}/choice-text.csv"),
        &format!("{FIXTURES}/mapping.toml"),
        scratch.0.to_str().unwrap(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not empty"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_qualtrics_reads_an_spss_export_by_its_content_and_analyse_reads_the_folder() {
    let scratch = Scratch::new("sav");
    let out = scratch.path("imported");
    let output = import(
        &format!("{FIXTURES}/numeric-values.sav"),
        &format!("{FIXTURES}/mapping-sav.toml"),
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(
            "Dropped personal columns of crates/qualtrics/tests/fixtures/numeric-values.sav: IPAddress, RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude."
        ),
        "{message}"
    );
    assert!(
        message.contains("Skipped crates/qualtrics/tests/fixtures/numeric-values.sav:3: a survey preview, not a response."),
        "{message}"
    );
    assert!(
        message.contains("Wrote 4 pre-training and 1 post-training records"),
        "{message}"
    );
    let analysed = skafada(&["analyse", "--data", &out, "--format", "json"]);
    assert!(analysed.status.success(), "{}", stderr(&analysed));
    assert!(
        stdout(&analysed).contains("\"tables\""),
        "{}",
        stdout(&analysed)
    );

    // Told by its first bytes, not its name: the same file called .csv imports the same.
    let renamed = scratch.path("responses.csv");
    std::fs::copy(
        super::workspace_root()
            .join(FIXTURES)
            .join("numeric-values.sav"),
        &renamed,
    )
    .unwrap();
    let again = scratch.path("again");
    let output = import(&renamed, &format!("{FIXTURES}/mapping-sav.toml"), &again);
    assert!(output.status.success(), "{}", stderr(&output));
    let pre =
        |dir: &str| std::fs::read_to_string(std::path::Path::new(dir).join("pre.csv")).unwrap();
    assert_eq!(pre(&again), pre(&out));
}

#[test]
fn import_qualtrics_refuses_a_damaged_spss_export_with_a_message_and_no_panic() {
    let scratch = Scratch::new("sav-damaged");
    let sav = std::fs::read(
        super::workspace_root()
            .join(FIXTURES)
            .join("numeric-values.sav"),
    )
    .unwrap();
    let cases = [
        (
            b"$FL2@(#) IBM SPSS STATISTICS".to_vec(),
            "is 28 bytes long, shorter than an SPSS file's 176-byte header",
        ),
        (
            sav[..5000].to_vec(),
            "a variable record at byte 4992 needs 16 bytes, but the file ends at byte 5000",
        ),
        (
            {
                let mut huge = sav.clone();
                huge[80..84].copy_from_slice(&i32::MAX.to_le_bytes());
                huge
            },
            "the header says the file holds 2147483647 cases",
        ),
    ];
    for (index, (bytes, expected)) in cases.iter().enumerate() {
        let export = scratch.path(&format!("export-{index}.sav"));
        std::fs::write(&export, bytes).unwrap();
        let output = import(
            &export,
            &format!("{FIXTURES}/mapping-sav.toml"),
            &scratch.path(&format!("out-{index}")),
        );
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(
            message
                .contains("the SPSS file is damaged or incomplete: export it from Qualtrics again"),
            "{message}"
        );
        assert!(!message.contains("panicked"), "{message}");
        assert!(!scratch.0.join(format!("out-{index}")).exists());
    }
}

#[test]
fn import_qualtrics_reads_the_post_export_as_spss_too() {
    let scratch = Scratch::new("sav-post");
    let post = scratch.path("post.sav");
    std::fs::write(&post, b"$FL2@(#) IBM SPSS STATISTICS").unwrap();
    let output = skafada(&[
        "import",
        "qualtrics",
        "--export",
        &format!("{FIXTURES}/numeric-values.sav"),
        "--post-export",
        &post,
        "--mapping",
        &format!("{FIXTURES}/mapping-sav.toml"),
        "--out",
        &scratch.path("out"),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!(
            "{post}: the file is 28 bytes long, shorter than an SPSS file's 176-byte header"
        )),
        "{message}"
    );
}

#[test]
fn analyse_and_crosstab_refuse_an_spss_file_naming_import_qualtrics() {
    let sav = format!("{FIXTURES}/numeric-values.sav");
    for args in [
        vec!["analyse", "--data", &sav],
        vec!["crosstab", "--data", &sav, "--row", "Q1", "--col", "site"],
    ] {
        let output = skafada(&args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
        assert!(
            message.contains(
                "numeric-values.sav is an SPSS file; convert a Qualtrics SPSS export with `skafada import qualtrics` first"
            ),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn demo_data_through_a_qualtrics_export_and_the_importer_give_the_same_analyse_tables() {
    use skafada_qualtrics::{Mapping, Phase, to_qualtrics_csv};

    let scratch = Scratch::new("round-trip");
    let root = super::workspace_root();
    let native = scratch.path("native");
    let demo = skafada(&["demo-data", "--out", &native]);
    assert!(demo.status.success(), "{}", stderr(&demo));

    // The shipped mapping, its instruments found from the scratch folder, with the demo
    // data's returning respondents carried in embedded data.
    let instruments = root.join("instruments").canonicalize().unwrap();
    let mapping_text = std::fs::read_to_string(root.join("mappings/skafada-qualtrics.toml"))
        .unwrap()
        .replace("\"../instruments", &format!("\"{}", instruments.display()))
        .replace(
            "respondent = \"link\"\n",
            "respondent = \"link\"\nreturning = \"returning\"\n",
        );
    let mapping_file = scratch.path("mapping.toml");
    std::fs::write(&mapping_file, &mapping_text).unwrap();
    let mapping = Mapping::parse(&mapping_text, "mapping.toml").unwrap();

    let read = |name: &str| std::fs::read_to_string(scratch.0.join("native").join(name)).unwrap();
    let dataset =
        skafada_analysis::data::Dataset::from_files(&skafada_analysis::data::ExportFiles {
            manifest: read("manifest.toml"),
            sites: read("sites.csv"),
            pre_instrument: read("instruments/skafada-pre.toml"),
            post_instrument: Some(read("instruments/skafada-post.toml")),
            pre: read("pre.csv"),
            post: Some(read("post.csv")),
            follow_up: Vec::new(),
            arms: None,
        })
        .unwrap();
    let post_instrument = dataset.post_instrument.as_ref().unwrap();
    let post = dataset.post.as_ref().unwrap();
    for (name, phase, instrument, responses) in [
        ("pre.csv", Phase::Pre, &dataset.pre_instrument, &dataset.pre),
        ("post.csv", Phase::Post, post_instrument, post),
    ] {
        let text =
            to_qualtrics_csv(&mapping, phase, instrument, responses, &dataset.sites).unwrap();
        std::fs::write(scratch.0.join(name), text).unwrap();
    }

    let imported = scratch.path("imported");
    let output = skafada(&[
        "import",
        "qualtrics",
        "--export",
        &scratch.path("pre.csv"),
        "--post-export",
        &scratch.path("post.csv"),
        "--mapping",
        &mapping_file,
        "--out",
        &imported,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let json = |dir: &str| -> serde_json::Value {
        let output = skafada(&["analyse", "--data", dir, "--format", "json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let (native, imported) = (json(&native), json(&imported));
    assert!(native["tables"].as_array().is_some_and(|t| t.len() > 10));
    for part in ["tables", "tests", "cleaning", "reliability"] {
        assert_eq!(native[part], imported[part], "{part}");
    }
}
