//! `skafada export` carries the plan's cleaning outcome and derived variables, so that the
//! file reproduces what `skafada analyse` reports for the same folder.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::{skafada, stderr};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skafada-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The demonstration data, written into `dir/data`.
fn demo_data(dir: &std::path::Path) -> PathBuf {
    let data = dir.join("data");
    let written = skafada(&["demo-data", "--out", data.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    data
}

/// `skafada export` of `data` in `format` to `out`.
fn export(data: &std::path::Path, format: &str, out: &std::path::Path) -> std::process::Output {
    skafada(&[
        "export",
        "--data",
        data.to_str().unwrap(),
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ])
}

/// The rows of a CSV file, each as column -> cell.
fn rows(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn the_csv_export_says_which_records_the_report_counts_and_carries_the_derived_variables() {
    let dir = out_dir("export-cleaning");
    let data = demo_data(&dir);
    let out = dir.join("pre.csv");
    let exported = export(&data, "csv", &out);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(stderr(&exported).contains("450 records of skafada-pre, 350 kept"));
    let records = rows(&out);
    assert_eq!(records.len(), 450);
    let kept: Vec<&HashMap<String, String>> = records.iter().filter(|r| r["kept"] == "1").collect();
    assert_eq!(kept.len(), 350, "Table 3's total");
    assert!(
        records
            .iter()
            .all(|r| (r["kept"] == "1") == (r["exclusion"] == "0"))
    );
    let reason = |code: &str| records.iter().filter(|r| r["exclusion"] == code).count();
    assert_eq!(
        (reason("1"), reason("2"), reason("3"), reason("4")),
        (40, 38, 5, 17)
    );
    // Table 5: 318 female, 30 male, 2 other, from the derived gender groups.
    let female = kept.iter().filter(|r| r["gender-group"] == "1").count();
    assert_eq!(female, 318);
    // The collapsed agreement of a statement wherever the statement was answered.
    assert!(
        kept.iter()
            .all(|r| r["agree3:confidence-documenting"].is_empty()
                == r["confidence-documenting"].is_empty())
    );

    let codebook = std::fs::read_to_string(dir.join("pre-codebook.csv")).unwrap();
    assert!(codebook.starts_with(
        "instrument,column,item,type,question,code,label,missing,spss_name,measure,spss_missing\n"
    ));
    assert!(codebook.contains("skafada-pre,exclusion,,cleaning,"));
    assert!(codebook.contains("skafada-pre,tenure,tenure,derived,Time with current employer,1,Up to 5 years,,tenure,ordinal,\n"));
    // Table 6 keeps "prefer not to say" in its base, and so does the SPSS file.
    assert!(codebook.contains(",9,Prefer not to say,prefer-not-to-say,disability,nominal,\n"));

    // The export is still a response file: `analyse` reads it up to `kept`.
    std::fs::copy(&out, data.join("pre.csv")).unwrap();
    let analysed = skafada(&[
        "analyse",
        "--data",
        data.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(analysed.status.success(), "{}", stderr(&analysed));
    let analysis: serde_json::Value = serde_json::from_slice(&analysed.stdout).unwrap();
    assert_eq!(analysis["cleaning"]["pre"]["kept"], 350);

    // A plan that leaves "prefer not to say" out of Valid % declares it user-missing.
    let plan = std::fs::read_to_string(crate::workspace_root().join("plans/skafada.toml"))
        .unwrap()
        .replace(
            "valid-percent-base = \"all-answers\"",
            "valid-percent-base = \"substantive\"",
        );
    let plan_path = dir.join("plan.toml");
    std::fs::write(&plan_path, plan).unwrap();
    let la08 = dir.join("la08.csv");
    let exported = skafada(&[
        "export",
        "--data",
        data.to_str().unwrap(),
        "--plan",
        plan_path.to_str().unwrap(),
        "--site",
        "LA08",
        "--format",
        "csv",
        "--out",
        la08.to_str().unwrap(),
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let site = rows(&la08);
    assert_eq!(
        site.iter().filter(|r| r["kept"] == "1").count(),
        44,
        "Table 3, site 8"
    );
    let codebook = std::fs::read_to_string(dir.join("la08-codebook.csv")).unwrap();
    assert!(codebook.contains(",9,Prefer not to say,prefer-not-to-say,disability,nominal,1\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_xlsx_export_writes_every_record_a_row_at_a_time_and_leaves_only_the_workbook() {
    use std::io::Read as _;
    let dir = out_dir("export-xlsx");
    let data = demo_data(&dir);
    let folder = dir.join("out");
    std::fs::create_dir_all(&folder).unwrap();
    let out = folder.join("pre.xlsx");
    let exported = export(&data, "xlsx", &out);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(stderr(&exported).contains("450 records of skafada-pre, 350 kept"));
    // No progress bar drawn into a captured standard error (it is not a terminal).
    assert!(
        !stderr(&exported).contains("records,"),
        "{}",
        stderr(&exported)
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    // Two header rows, then one row per record, with its strings written inline (the
    // rows went through a temporary file, not memory).
    assert_eq!(sheet.matches("<row ").count(), 2 + 450);
    assert!(sheet.contains("t=\"inlineStr\""));
    // The rows' temporary file had no name: the folder holds the workbook alone.
    let left: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("pre.xlsx")]);

    // An export that cannot be written says so and leaves no file behind.
    let nowhere = dir.join("no-such-folder").join("pre.xlsx");
    let failed = export(&data, "xlsx", &nowhere);
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("Failed to create"),
        "{}",
        stderr(&failed)
    );
    assert!(!nowhere.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_export_reads_only_the_survey_it_exports() {
    let dir = out_dir("export-one-survey");
    let data = demo_data(&dir);
    let post_records = rows(&data.join("post.csv")).len();
    let export_survey = |survey: &str, out: &std::path::Path| {
        skafada(&[
            "export",
            "--data",
            data.to_str().unwrap(),
            "--format",
            "csv",
            "--survey",
            survey,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let post_out = dir.join("post-export.csv");
    let exported = export_survey("post", &post_out);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert_eq!(rows(&post_out).len(), post_records);
    // A damaged post-training file does not stop the pre-training export, which never
    // reads it; the post-training export reports it.
    std::fs::write(data.join("post.csv"), "not,a\n\"broken").unwrap();
    let pre_out = dir.join("pre-export.csv");
    let pre = export_survey("pre", &pre_out);
    assert!(pre.status.success(), "{}", stderr(&pre));
    assert_eq!(rows(&pre_out).len(), 450);
    let broken = export_survey("post", &post_out);
    assert!(!broken.status.success());
    assert!(stderr(&broken).contains("post.csv"), "{}", stderr(&broken));
    // Without the file at all, the post-training export says there are no responses.
    std::fs::remove_file(data.join("post.csv")).unwrap();
    let missing = export_survey("post", &post_out);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("has no post-training responses"),
        "{}",
        stderr(&missing)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sav_export_is_an_spss_file_of_every_record_written_straight_to_its_path() {
    let dir = out_dir("export-sav");
    let data = demo_data(&dir);
    let out = dir.join("pre.sav");
    let exported = export(&data, "sav", &out);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(stderr(&exported).contains("450 records of skafada-pre, 350 kept"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"$FL2") || bytes.starts_with(b"$FL3"));
    let text = String::from_utf8_lossy(&bytes);
    for variable in ["kept", "exclusion"] {
        assert!(text.contains(variable), "{variable} in the SPSS file");
    }
    // Nothing else is left beside it.
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["data", "pre.sav"]);
    let _ = std::fs::remove_dir_all(&dir);
}
