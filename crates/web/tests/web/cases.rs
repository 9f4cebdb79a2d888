//! The case studies from the admin pages: a case-study site, the interview log, a Word
//! and a WebVTT transcript imported with their redactions shown once and never stored,
//! indexing passages, the matrix with its summary and downloads, and the findings by
//! research question; and every case-study page closed to LA contacts. Each runs on
//! SQLite and PostgreSQL.

use crate::admin::{Browser, accounts, csrf, signed_in};
use crate::content::{BOUNDARY, Part, multipart};
use crate::helpers::TestApp;
use crate::on_both;

const DOCX: &[u8] = include_bytes!("../../../../tests/browser/fixtures/interview.docx");
const VTT: &[u8] = include_bytes!("../../../../tests/browser/fixtures/interview.vtt");

/// Sends a transcript to an interview's import form.
async fn import(
    browser: &Browser<'_>,
    interview: &str,
    file: &str,
    bytes: &[u8],
    terms: &str,
) -> crate::helpers::Page {
    let page = browser.get(interview).await;
    assert_eq!(page.status, 200);
    let token = csrf(&page);
    browser
        .post_body(
            &format!("{interview}/transcript"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&[
                Part::Text("csrf", &token),
                Part::Text("terms", terms),
                Part::File("transcript", file, bytes),
            ]),
        )
        .await
}

/// Adds LA01 as case study 1 and an interview there; returns the interview's page.
async fn an_interview(app: &TestApp, browser: &Browser<'_>, role: &str) -> String {
    let base = format!("/admin/studies/{}/case-studies", app.study_id);
    let sites = app.store.sites(&app.study_id).await.unwrap();
    let la01 = sites.iter().find(|s| s.code == "LA01").unwrap().id.clone();
    if app
        .store
        .case_study_sites(&app.study_id)
        .await
        .unwrap()
        .is_empty()
    {
        let added = browser
            .post_from(&base, &format!("{base}/sites"), &[("site", &la01)])
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    let made = browser
        .post_from(
            &format!("{base}/interviews/new"),
            &format!("{base}/interviews/new"),
            &[
                ("site", &la01),
                ("role", role),
                ("interviewed-on-day", "10"),
                ("interviewed-on-month", "3"),
                ("interviewed-on-year", "2026"),
                ("mode", "Online (Teams)"),
                ("interviewer", "Researcher A"),
                ("status", "interviewed"),
                ("consent-recorded-by", "Researcher A"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    made.location()
}

async fn an_analyst_imports_a_word_transcript_codes_it_and_charts_it(app: &TestApp) {
    accounts(app).await;
    let analyst = signed_in(app, "analyst@example.org").await;
    let s = &app.study_id;
    let base = format!("/admin/studies/{s}/case-studies");
    let overview = analyst.get(&base).await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("No site is a case-study site yet."));

    // GOV.UK validation: no site chosen, and an interview held without recorded consent.
    let refused = analyst
        .post_from(&base, &format!("{base}/sites"), &[])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Select the site to add as a case-study site")
    );
    let interview = an_interview(app, &analyst, "middle-manager").await;
    assert!(interview.ends_with("/interviews/CS1-P01"), "{interview}");
    let no_consent = analyst
        .post_from(
            &format!("{base}/interviews/new"),
            &format!("{base}/interviews/new"),
            &[
                (
                    "site",
                    &app.store.case_study_sites(s).await.unwrap()[0].site_id,
                ),
                ("role", "practitioner"),
                ("interviewed-on-day", "31"),
                ("interviewed-on-month", "2"),
                ("interviewed-on-year", "2026"),
                ("interviewer", "Researcher A"),
                ("status", "interviewed"),
            ],
        )
        .await;
    assert_eq!(no_consent.status, 422);
    assert!(
        no_consent
            .body
            .contains("Date of the interview must be a real date")
    );
    assert!(
        no_consent
            .body
            .contains("Enter who recorded the participant&#39;s consent"),
        "{}",
        no_consent.body
    );

    // A file that is not a Word document is refused with the problem; nothing is kept.
    let bad = import(&analyst, &interview, "notes.docx", b"not a zip file", "").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("The file: "), "{}", bad.body);
    let stored = app.store.interview(s, "CS1-P01").await.unwrap().unwrap();
    assert!(app.store.transcript(&stored.id).await.unwrap().is_empty());

    // The Word transcript: the listed terms and the likely name are replaced, the
    // replacements shown once.
    let imported = import(
        &analyst,
        &interview,
        "Interview with P.docx",
        DOCX,
        "Ashford Mill Children's Centre\nShah",
    )
    .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(imported.body.contains("What was replaced"));
    assert!(imported.body.contains("Ashford Mill Children"));
    assert!(imported.body.contains("Priya"));
    assert!(
        !imported.body.contains("Interview with P.docx"),
        "the file name is not shown"
    );
    let turns = app.store.transcript(&stored.id).await.unwrap();
    assert_eq!(turns.len(), 13);
    let all: String = turns.iter().map(|t| t.text.as_str()).collect();
    for name in ["Priya", "Shah", "Ashford"] {
        assert!(!all.contains(name), "{name} is stored");
    }
    // Seen again later, the page cannot list the words replaced: they were not kept.
    let later = analyst.get(&interview).await;
    assert!(later.body.contains("The words replaced are not kept"));
    assert!(!later.body.contains("Priya"));

    // A missed word removed in review, then the transcript accepted for coding.
    let participant = turns.iter().find(|t| t.speaker == "Participant").unwrap();
    let word = participant
        .text
        .split_whitespace()
        .find(|w| w.len() > 6 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_owned();
    let more = analyst
        .post_from(
            &interview,
            &format!("{interview}/transcript/redact"),
            &[("more-terms", &word)],
        )
        .await;
    assert_eq!(more.status, 200, "{}", more.body);
    let revised = app.store.transcript(&stored.id).await.unwrap();
    assert!(revised.iter().all(|t| !t.text.contains(&word)));
    let accepted = analyst
        .post_from(&interview, &format!("{interview}/transcript/accept"), &[])
        .await;
    assert_eq!(accepted.status, 303);
    assert_eq!(accepted.location(), format!("{interview}/coding"));

    // Indexing: nothing selected is refused; a quotation must be words of the turn.
    let coding = format!("{interview}/coding");
    let empty = analyst.post_from(&coding, &coding, &[]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Select the turn or turns to index"));
    assert!(empty.body.contains("Select at least one sub-theme"));
    let turn = revised.iter().find(|t| t.speaker == "Participant").unwrap();
    let number = turn.number.to_string();
    let stray = analyst
        .post_from(
            &coding,
            &coding,
            &[
                ("turn", &number),
                ("code", "skills-asking"),
                ("quote", "words nobody said"),
            ],
        )
        .await;
    assert_eq!(stray.status, 422);
    assert!(stray.body.contains("these words are not in it"));
    let quote: String = turn
        .text
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    let coded = analyst
        .post_from(
            &coding,
            &coding,
            &[
                ("turn", &number),
                ("code", "skills-asking"),
                ("code", "needs-topics"),
                ("quote", &quote),
                ("memo", "Asks only when a referral names it."),
                ("report-quote", "yes"),
            ],
        )
        .await;
    assert_eq!(coded.status, 303, "{}", coded.body);
    let page = analyst.get(&coding).await;
    assert!(page.body.contains(&format!("Words: “{quote}”")) || page.body.contains("Words: “"));
    assert!(page.body.contains("Quotation for the report"));

    // Charting: the cell shows the passage, the summary is written into the matrix.
    let matrix = analyst.get(&format!("{base}/matrix")).await;
    assert_eq!(matrix.status, 200);
    assert!(matrix.body.contains("1 passage, not summarised"));
    let cell = format!("{base}/matrix/CS1-P01/skills-asking");
    let saved = analyst
        .post_from(
            &cell,
            &cell,
            &[(
                "summary",
                "Asks about domestic abuse only when the referral names it.",
            )],
        )
        .await;
    assert_eq!(saved.status, 303);
    let matrix = analyst
        .get(&format!("{base}/matrix?role=middle-manager"))
        .await;
    assert!(
        matrix
            .body
            .contains("Asks about domestic abuse only when the referral names it.")
    );
    let none = analyst
        .get(&format!("{base}/matrix?role=practitioner"))
        .await;
    assert!(none.body.contains("No interviewee matches."));

    // Downloads: a workbook with a sheet per theme, and CSV.
    let (status, xlsx) = analyst
        .get_bytes(&format!("{base}/downloads/matrix.xlsx"))
        .await;
    assert_eq!(status, 200);
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut book.by_name("xl/workbook.xml").unwrap(), &mut workbook)
        .unwrap();
    assert!(workbook.contains("name=\"About\""));
    assert!(workbook.contains("name=\"Passages\""));
    assert_eq!(workbook.matches("<sheet ").count(), 2 + 6, "{workbook}");
    let (status, csv) = analyst
        .get_bytes(&format!(
            "{base}/downloads/matrix.csv?theme=skills-knowledge"
        ))
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("theme,sub_theme,case,site,role,summary,passages"));
    assert!(csv.contains("Asks about domestic abuse only when the referral names it."));
    assert!(csv.contains("CS1-P01 turn"));
    assert!(!csv.contains("Topics needed"), "the theme filter applies");

    // The findings by research question, and the downloads are in the audit log.
    let findings = analyst.get(&format!("{base}/findings")).await;
    assert_eq!(findings.status, 200);
    assert!(findings.body.contains("Research question 1."));
    // One middle manager at case study 1: their words are withheld, and it is said.
    assert!(
        findings
            .body
            .contains("from middle manager at case study 1"),
        "{}",
        findings.body
    );
    assert!(!findings.body.contains(&quote));
    // The study report ends with the same findings.
    let report = analyst
        .get(&format!("/admin/studies/{s}/report?format=html"))
        .await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Findings by research question"));
    assert!(report.body.contains("from middle manager at case study 1"));
    let log = app.store.audit_log(None, 200).await.unwrap();
    assert!(log.iter().any(|e| e.action == "case-study-export"));
    assert!(
        log.iter()
            .any(|e| e.action == "transcript-imported" && e.details.contains("13 turns"))
    );
}
on_both!(an_analyst_imports_a_word_transcript_codes_it_and_charts_it);

async fn captions_from_teams_import_as_turns_and_a_second_coder_sees_only_their_own(app: &TestApp) {
    accounts(app).await;
    let analyst = signed_in(app, "analyst@example.org").await;
    let interview = an_interview(app, &analyst, "practitioner").await;
    let imported = import(
        &analyst,
        &interview,
        "call.vtt",
        VTT,
        "Gareth Lloyd\nWestbury Vale",
    )
    .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let stored = app
        .store
        .interview(&app.study_id, "CS1-P01")
        .await
        .unwrap()
        .unwrap();
    let turns = app.store.transcript(&stored.id).await.unwrap();
    assert_eq!(
        turns.len(),
        11,
        "cues of one speaker in a row make one turn"
    );
    assert!(
        turns
            .iter()
            .all(|t| !t.text.contains("Gareth") && !t.text.contains("Westbury"))
    );
    analyst
        .post_from(&interview, &format!("{interview}/transcript/accept"), &[])
        .await;
    let on = analyst
        .post_from(
            &interview,
            &format!("{interview}/double-coding"),
            &[("double-coded", "yes")],
        )
        .await;
    assert_eq!(on.status, 303);
    let coding = format!("{interview}/coding");
    let number = turns
        .iter()
        .find(|t| t.speaker == "Participant")
        .unwrap()
        .number
        .to_string();
    analyst
        .post_from(
            &coding,
            &coding,
            &[("turn", &number), ("code", "skills-asking")],
        )
        .await;
    let admin = signed_in(app, "admin@example.org").await;
    let theirs = admin.get(&coding).await;
    assert!(
        theirs
            .body
            .contains("The other coder has indexed 1 passages.")
    );
    assert!(!theirs.body.contains("Remove this passage"));
    admin
        .post_from(
            &coding,
            &coding,
            &[
                ("turn", &number),
                ("code", "skills-asking"),
                ("code", "skills-identifying"),
            ],
        )
        .await;
    // One disagreement: the second coder's extra sub-theme on that turn; decided.
    let base = format!("/admin/studies/{}/case-studies", app.study_id);
    let agreement = admin.get(&format!("{base}/agreement")).await;
    assert_eq!(agreement.status, 200);
    assert!(agreement.body.contains("Recognising domestic abuse"));
    assert!(agreement.body.contains("Not decided"));
    let decided = admin
        .post_from(
            &format!("{base}/agreement"),
            &format!("{interview}/decisions"),
            &[
                ("turn", &number),
                ("code", "skills-identifying"),
                ("include", "no"),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    let agreement = admin.get(&format!("{base}/agreement")).await;
    assert!(agreement.body.contains("Does not apply</strong>"));
    // A decision on something the coders agree on is refused.
    let bogus = admin
        .post_from(
            &format!("{base}/agreement"),
            &format!("{interview}/decisions"),
            &[
                ("turn", &number),
                ("code", "skills-asking"),
                ("include", "no"),
            ],
        )
        .await;
    assert_eq!(bogus.status, 404);
}
on_both!(captions_from_teams_import_as_turns_and_a_second_coder_sees_only_their_own);

async fn every_case_study_page_is_closed_to_la_contacts(app: &TestApp) {
    accounts(app).await;
    let analyst = signed_in(app, "analyst@example.org").await;
    let interview = an_interview(app, &analyst, "practitioner").await;
    import(&analyst, &interview, "t.vtt", VTT, "").await;
    let base = format!("/admin/studies/{}/case-studies", app.study_id);
    let la = signed_in(app, "la01@example.org").await;
    for path in [
        base.clone(),
        format!("{base}/interviews/new"),
        interview.clone(),
        format!("{interview}/edit"),
        format!("{interview}/coding"),
        format!("{interview}/transcript/delete"),
        format!("{base}/matrix"),
        format!("{base}/matrix/CS1-P01/skills-asking"),
        format!("{base}/downloads/matrix.xlsx"),
        format!("{base}/downloads/matrix.csv"),
        format!("{base}/downloads/passages.csv"),
        format!("{base}/downloads/case-studies.json"),
        format!("{base}/agreement"),
        format!("{base}/documents"),
        format!("{base}/documents/new"),
        format!("{base}/findings"),
    ] {
        assert_eq!(la.get(&path).await.status, 404, "{path}");
    }
    // Nor can they change anything.
    let own = la.get(&format!("/admin/studies/{}", app.study_id)).await;
    let token = csrf(&own);
    for path in [
        format!("{base}/sites"),
        format!("{interview}/transcript/accept"),
        format!("{interview}/interview/delete"),
    ] {
        assert_eq!(
            la.post(&path, &[("csrf", &token)]).await.status,
            404,
            "{path}"
        );
    }
    assert!(
        !own.body.contains("/case-studies"),
        "the LA contact's study page does not link to the case studies"
    );
}
on_both!(every_case_study_page_is_closed_to_la_contacts);
