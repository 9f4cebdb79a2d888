//! `skafada agreement` and `skafada framework check`: the qualitative contract.

use super::{skafada, stderr, stdout, workspace_root};

#[derive(serde::Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    categories: usize,
    a: Vec<u8>,
    b: Vec<u8>,
    kappa: Option<f64>,
}

#[test]
fn agreement_prints_scikit_learns_kappa_for_each_code() {
    let fixture: Fixture = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("crates/stats/tests/fixtures/kappa.json"))
            .unwrap(),
    )
    .unwrap();
    // Two codes from the reference vectors: presence on passages, two coders.
    let chosen: Vec<&Case> = fixture
        .cases
        .iter()
        .filter(|c| c.categories == 2 && c.a.len() >= 40 && c.kappa.is_some())
        .take(2)
        .collect();
    assert_eq!(chosen.len(), 2);
    let mut csv = String::from("passage,code,coder,present\n");
    for (code, case) in ["barriers", "coercive-control"].iter().zip(&chosen) {
        for (i, (a, b)) in case.a.iter().zip(&case.b).enumerate() {
            csv.push_str(&format!(
                "p{i},{code},coder-1,{a}\np{i},{code},coder-2,{b}\n"
            ));
        }
    }
    let dir = std::env::temp_dir().join(format!("skafada-agreement-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("judgements.csv");
    std::fs::write(&file, csv).unwrap();
    let output = skafada(&["agreement", "--data", file.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let codes = json["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 2);
    for (printed, (code, case)) in codes
        .iter()
        .zip(["barriers", "coercive-control"].iter().zip(&chosen))
    {
        assert_eq!(printed["code"], *code);
        assert_eq!(printed["n"], case.a.len());
        let kappa = printed["kappa"].as_f64().unwrap();
        assert!(
            (kappa - case.kappa.unwrap()).abs() <= 1e-12,
            "{kappa} vs {:?}",
            case.kappa
        );
    }

    let broken = dir.join("broken.csv");
    std::fs::write(
        &broken,
        "passage,code,coder,present\np1,c,A,1\np1,c,B,yes\n",
    )
    .unwrap();
    let output = skafada(&["agreement", "--data", broken.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    // With --json, the error is JSON on standard error (docs/cli-json.md).
    let error: serde_json::Value = serde_json::from_str(stderr(&output).trim()).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("broken.csv:3: present must be 0 or 1, not \"yes\""),
        "{message}"
    );
    let plain = skafada(&["agreement", "--data", broken.to_str().unwrap()]);
    assert!(
        stderr(&plain).starts_with("skafada: "),
        "{}",
        stderr(&plain)
    );
}

#[test]
fn framework_check_accepts_the_skafada_framework_and_names_a_broken_ones_line() {
    let output = skafada(&["framework", "check", "frameworks/skafada.toml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("valid (7 research questions"),
        "{}",
        stdout(&output)
    );
    let dir = std::env::temp_dir().join(format!("skafada-framework-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("framework.toml");
    let text = std::fs::read_to_string(workspace_root().join("frameworks/skafada.toml"))
        .unwrap()
        .replacen(
            "research-questions = [\"rq5\"]",
            "research-questions = [\"rq8\"]",
            1,
        );
    std::fs::write(&broken, text).unwrap();
    let output = skafada(&["framework", "check", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("framework.toml:")
            && stderr(&output).contains("`rq8` is not a research question of this framework"),
        "{}",
        stderr(&output)
    );
}

/// `skafada transcript import FIXTURE --redact redact.txt --format json`, parsed.
fn imported(fixture: &str) -> serde_json::Value {
    let dir = "crates/cli/tests/fixtures/transcripts";
    let output = skafada(&[
        "transcript",
        "import",
        &format!("{dir}/{fixture}"),
        "--redact",
        &format!("{dir}/redact.txt"),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn transcript_import_reads_word_and_captions_into_pseudonymised_turns() {
    let docx = imported("interview.docx");
    let turns = docx["turns"].as_array().unwrap();
    assert_eq!(turns[1]["speaker"], "Interviewer");
    assert_eq!(turns[2]["speaker"], "Speaker 1");
    assert_eq!(
        turns[2]["text"],
        "I'm a family support worker in the [redacted 1] team. My manager [name 1] set up the DA champions."
    );
    assert_eq!(
        turns[4]["text"],
        "Mostly e-learning & one day with the local refuge."
    );
    let text = serde_json::to_string(&docx["turns"]).unwrap();
    for name in ["Alex", "Morgan", "Riverside", "Dana"] {
        assert!(!text.contains(name), "{name} is left in {text}");
    }
    let redactions = docx["redactions"].as_array().unwrap();
    assert!(
        redactions
            .iter()
            .any(|r| r["from"] == "Alex Morgan" && r["to"] == "Speaker 1")
    );

    let vtt = imported("interview.vtt");
    let turns = vtt["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2, "one speaker's cues join into one turn");
    assert_eq!(turns[1]["speaker"], "Speaker 1");
    assert_eq!(
        turns[1]["text"],
        "I ask when I am on my own with the parent. Our [redacted 1] team has a checklist."
    );
}

#[test]
fn transcript_import_refuses_a_bad_file_with_its_name_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("skafada-transcript-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("fake.docx");
    std::fs::write(&fake, "this is not a Word file").unwrap();
    let output = skafada(&[
        "transcript",
        "import",
        fake.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("fake.docx: not a Word .docx file (it is not a ZIP package)"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).is_empty(),
        "nothing half-imported is printed"
    );
    let other = dir.join("notes.pdf");
    std::fs::write(&other, "%PDF").unwrap();
    let output = skafada(&["transcript", "import", other.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("must be a .txt, .docx or .vtt file"));
}

/// A small case-studies file: two practitioners at case study 1 (their words may be
/// quoted) and one head of service at case study 2 (theirs may not).
fn bundle() -> skafada_qualitative::bundle::Bundle {
    use skafada_qualitative::coding::CodedPassage;
    use skafada_qualitative::synthesis::{CaseSummary, Interviewee, RatedDocument};
    let person = |case: &str, case_study: i64, role: &str| Interviewee {
        case: case.to_owned(),
        case_study,
        role: role.to_owned(),
    };
    let quote = |id: &str, case: &str, text: &str| CodedPassage {
        id: id.to_owned(),
        case: case.to_owned(),
        turn: 4,
        coder: "coder@example.org".to_owned(),
        codes: vec!["skills-asking".to_owned()],
        text: text.to_owned(),
        report_quote: true,
    };
    skafada_qualitative::bundle::Bundle {
        schema_version: skafada_qualitative::bundle::SCHEMA_VERSION,
        study: "Test".to_owned(),
        synthetic: true,
        framework: skafada_qualitative::SKAFADA_FRAMEWORK.to_owned(),
        case_studies: vec![1, 2],
        interviewees: vec![
            person("CS1-P01", 1, "practitioner"),
            person("CS1-P02", 1, "practitioner"),
            person("CS2-P01", 2, "head-of-service"),
        ],
        passages: vec![
            quote(
                "a",
                "CS1-P01",
                "I ask every parent on their own at the second visit.",
            ),
            quote("b", "CS2-P01", "Only the head of service says this."),
        ],
        summaries: vec![CaseSummary {
            case: "CS1-P02".to_owned(),
            sub_theme: "skills-asking".to_owned(),
            text: "Asks when a referral names it.".to_owned(),
        }],
        documents: vec![RatedDocument {
            case_study: 1,
            ratings: [("knowledge-level".to_owned(), "Basic awareness".to_owned())].into(),
        }],
    }
}

#[test]
fn report_with_case_studies_ends_with_findings_by_research_question_and_protects_small_roles() {
    let dir = std::env::temp_dir().join(format!("skafada-findings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let written = skafada(&["demo-data", "--out", data.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let file = dir.join("case-studies.json");
    std::fs::write(&file, serde_json::to_string(&bundle()).unwrap()).unwrap();
    let html = dir.join("report.html");
    let output = skafada(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--case-studies",
        file.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("Findings by research question"));
    assert!(html.contains("These case studies are synthetic demonstration data"));
    assert!(html.contains("I ask every parent on their own at the second visit."));
    assert!(html.contains("Early Help/Family Support practitioner, case study 1"));
    assert!(html.contains("Asks when a referral names it."));
    assert!(html.contains("Basic awareness (1 of 1 document)"));
    assert!(
        html.contains("Figure 3. Knowledge of domestic abuse"),
        "survey items by title"
    );
    assert!(!html.contains("Only the head of service says this."));
    assert!(html.contains("1 quotation from head of service at case study 2 is not shown"));
    assert!(!html.contains("CS1-P01"), "pseudonyms are not printed");

    let pdf = dir.join("report.pdf");
    let output = skafada(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--case-studies",
        file.to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    // A file of another shape, or mapped to items the plan does not have, is refused.
    let mut other = bundle();
    other.schema_version = 99;
    std::fs::write(&file, serde_json::to_string(&other).unwrap()).unwrap();
    let refused = skafada(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--case-studies",
        file.to_str().unwrap(),
        "--out",
        dir.join("x.html").to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("schema version 99"),
        "{}",
        stderr(&refused)
    );
    let mut unmapped = bundle();
    unmapped.framework =
        unmapped
            .framework
            .replacen("survey = [\"table-16\"", "survey = [\"table-99\"", 1);
    std::fs::write(&file, serde_json::to_string(&unmapped).unwrap()).unwrap();
    let refused = skafada(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--case-studies",
        file.to_str().unwrap(),
        "--out",
        dir.join("x.html").to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("rq2 -> table-99"),
        "{}",
        stderr(&refused)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
