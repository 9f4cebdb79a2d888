//! The employer as intruder: an LA contact collects everything their account can see
//! for their site (every page and download), checks that the pages show the protected
//! release and nothing else, and then works out the tightest bounds on every hidden
//! count from all the published figures together (an integer programme over the
//! counts, totals and percentages). No count from 1 to the threshold minus one may be
//! pinned down or shown to be small. Record-level routes must be closed to them.

use std::collections::BTreeMap;

use skafada_analysis::data::Responses;
use skafada_instrument::{Instrument, ItemKind};
use skafada_release::{FigureSpec, PublishedView, Survey, Totals, ViewItem, intruder_bounds};
use skafada_store::{ImportedResponse, Phase, Status, StudyId};

use crate::admin::{Browser, accounts, signed_in};
use crate::helpers::TestApp;
use crate::on_both;

fn pre_instrument() -> Instrument {
    skafada_instrument::load(
        include_str!("../../../../instruments/skafada-pre.toml"),
        "pre",
    )
    .unwrap()
}

/// A small deterministic generator, so that each site's answers differ.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Skewed towards the first options, so that small cells are common.
    fn pick(&mut self, n: usize) -> usize {
        let a = self.next() as usize % n;
        let b = self.next() as usize % n;
        a.min(b)
    }
}

/// `n` complete, eligible pre-training responses at a site; returns each respondent's
/// answers by variable (the truth the intruder is checked against).
async fn import(app: &TestApp, site: &str, n: usize, seed: u64) -> Vec<BTreeMap<String, String>> {
    import_with(app, site, n, seed, &|_| {}).await
}

/// As [`import`], with each respondent's answers changed by `adjust` before routing.
pub(crate) async fn import_with(
    app: &TestApp,
    site: &str,
    n: usize,
    seed: u64,
    adjust: &dyn Fn(&mut BTreeMap<String, String>),
) -> Vec<BTreeMap<String, String>> {
    let (responses, truth) = generate_with(site, n, seed, adjust);
    app.store
        .import_responses(&app.study_id, &responses)
        .await
        .unwrap();
    truth
}

/// The responses [`import_with`] adds (respondents `{site}-{i}`), and their answers.
pub(crate) fn generate_with(
    site: &str,
    n: usize,
    seed: u64,
    adjust: &dyn Fn(&mut BTreeMap<String, String>),
) -> (Vec<ImportedResponse>, Vec<BTreeMap<String, String>>) {
    let pre = pre_instrument();
    let mut rng = Lcg(seed);
    let mut responses = Vec::new();
    let mut truth = Vec::new();
    for i in 0..n {
        let mut answers: BTreeMap<String, String> = BTreeMap::new();
        for item in pre.items() {
            match &item.kind {
                ItemKind::Consent { statements } => {
                    for s in statements {
                        answers.insert(s.id.clone(), "1".to_owned());
                    }
                }
                ItemKind::Single { options } => {
                    let code = options[rng.pick(options.len())].code;
                    answers.insert(item.id.clone(), code.to_string());
                }
                ItemKind::Multiple { options } => {
                    let mut ticked: Vec<String> = options
                        .iter()
                        .filter(|o| !o.exclusive && rng.next().is_multiple_of(3))
                        .map(|o| o.code.to_string())
                        .collect();
                    if ticked.is_empty() {
                        ticked.push(options[0].code.to_string());
                    }
                    answers.insert(item.id.clone(), ticked.join(","));
                }
                ItemKind::Matrix { options, rows, .. } => {
                    for row in rows {
                        let code = options[rng.pick(options.len())].code;
                        answers.insert(row.id.clone(), code.to_string());
                    }
                }
                ItemKind::Year { .. } => {
                    answers.insert(item.id.clone(), (2000 + i % 20).to_string());
                }
                ItemKind::Number { .. } => {
                    answers.insert(item.id.clone(), (1 + i % 9).to_string());
                }
                ItemKind::Text { .. } => {}
            }
        }
        // Eligible: works for the local authority, in Early Help; nothing ends early.
        answers.insert("works-for-la".to_owned(), "1".to_owned());
        answers.insert("la-service".to_owned(), "1".to_owned());
        for item in pre.items() {
            if let Some(end) = &item.end_if
                && let Some(value) = answers.get(&item.id)
                && end.codes.iter().any(|c| c.to_string() == *value)
                && let Some(options) = item.kind.options()
                && let Some(other) = options.iter().find(|o| !end.codes.contains(&o.code))
            {
                answers.insert(item.id.clone(), other.code.to_string());
            }
        }
        adjust(&mut answers);
        let answers = routed(&pre, answers);
        truth.push(answers.clone());
        responses.push(ImportedResponse {
            respondent: format!("{site}-{i}"),
            site_code: site.to_owned(),
            phase: Phase::Pre,
            status: Status::Submitted,
            started_on: "2026-01-10".to_owned(),
            answers: answers.into_iter().collect(),
        });
    }
    (responses, truth)
}

/// Only the answers to questions the respondent's own answers show them, as the
/// journey stores them.
fn routed(pre: &Instrument, mut answers: BTreeMap<String, String>) -> BTreeMap<String, String> {
    loop {
        let mut typed = skafada_instrument::Answers::new();
        for item in pre.items() {
            match &item.kind {
                ItemKind::Single { .. } => {
                    if let Some(v) = answers.get(&item.id).and_then(|v| v.parse().ok()) {
                        typed.insert(item.id.clone(), skafada_instrument::Answer::Choice(v));
                    }
                }
                ItemKind::Multiple { .. } => {
                    if let Some(v) = answers.get(&item.id) {
                        typed.insert(
                            item.id.clone(),
                            skafada_instrument::Answer::Choices(
                                v.split(',').filter_map(|c| c.parse().ok()).collect(),
                            ),
                        );
                    }
                }
                ItemKind::Matrix { rows, .. } => {
                    for row in rows {
                        if let Some(v) = answers.get(&row.id).and_then(|v| v.parse().ok()) {
                            typed.insert(row.id.clone(), skafada_instrument::Answer::Choice(v));
                        }
                    }
                }
                ItemKind::Year { .. } | ItemKind::Number { .. } => {
                    if let Some(v) = answers.get(&item.id).and_then(|v| v.parse().ok()) {
                        typed.insert(item.id.clone(), skafada_instrument::Answer::Number(v));
                    }
                }
                _ => {}
            }
        }
        let route = pre.route(&typed);
        let mut shown = std::collections::BTreeSet::new();
        for item in route.items() {
            shown.insert(item.id.clone());
            match &item.kind {
                ItemKind::Matrix { rows, .. } => shown.extend(rows.iter().map(|r| r.id.clone())),
                ItemKind::Consent { statements } => {
                    shown.extend(statements.iter().map(|s| s.id.clone()))
                }
                _ => {}
            }
        }
        let before = answers.len();
        answers.retain(|id, _| shown.contains(id));
        if answers.len() == before {
            return answers;
        }
    }
}

/// The figures an element of the page prints: (figure, part) -> text.
fn printed_figures(body: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("data-figure=\"") {
        rest = &rest[at + 13..];
        let id = rest[..rest.find('"').unwrap()].to_owned();
        let part_at = rest.find("data-part=\"").unwrap() + 11;
        let part = rest[part_at..part_at + rest[part_at..].find('"').unwrap()].to_owned();
        let value_at = rest.find('>').unwrap() + 1;
        let value = rest[value_at..value_at + rest[value_at..].find('<').unwrap()].to_owned();
        out.push((id, part, value));
    }
    out
}

/// The main content's text with every marked figure and label removed: what is left
/// must hold no number at all, so nothing outside the release is printed.
fn unmarked_digits(body: &str, site_code: &str) -> Vec<String> {
    let main = without_charts(&body[body.find("<main").unwrap()..body.find("</main>").unwrap()]);
    let mut text = String::new();
    let mut rest = main.as_str();
    // Drop marked elements (figures, meta such as the threshold, derived p-values).
    while let Some(at) = rest.find("<span data-") {
        text.push_str(&rest[..at]);
        let close = rest[at..].find("</span>").unwrap();
        rest = &rest[at + close + 7..];
    }
    text.push_str(rest);
    let visible = visible_text(&text)
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace(site_code, " ")
        .replace(&format!("Local authority {}", &site_code[2..]), " ");
    let questionnaire = questionnaire_words();
    visible
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !questionnaire.contains(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .map(str::to_owned)
        .collect()
}

/// Words of the questionnaire itself ("1-3 years", "2021"), which are not figures.
fn questionnaire_words() -> std::collections::BTreeSet<String> {
    let mut questionnaire = std::collections::BTreeSet::new();
    for source in [
        include_str!("../../../../instruments/skafada-pre.toml"),
        include_str!("../../../../instruments/skafada-post.toml"),
    ] {
        questionnaire.extend(
            source
                .split(|c: char| c.is_whitespace() || c == '"')
                .map(str::to_owned),
        );
    }
    questionnaire
}

/// The page without its charts (`<svg>` elements), whose numbers `chart_numbers` checks.
fn without_charts(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("<svg") {
        out.push_str(&rest[..at]);
        let close = rest[at..].find("</svg>").unwrap();
        rest = &rest[at + close + 6..];
    }
    out.push_str(rest);
    out
}

/// Every number printed in the page's charts: the `<text>` elements that are a number
/// alone (value labels and the axis); a digit in any other text (a statement's label)
/// must be a word of the questionnaire.
fn chart_numbers(body: &str) -> Vec<String> {
    let questionnaire = questionnaire_words();
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("<svg") {
        let close = rest[at..].find("</svg>").unwrap();
        let svg = &rest[at..at + close];
        for text in svg.split("<text").skip(1) {
            let value = &text[text.find('>').unwrap() + 1..text.find("</text>").unwrap()];
            let value = value.replace("&#39;", "'").replace("&amp;", "&");
            let value = value.trim();
            if value
                .trim_end_matches('%')
                .chars()
                .all(|c| c.is_ascii_digit())
            {
                out.push(value.to_owned());
                continue;
            }
            for word in value.split_whitespace() {
                let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                assert!(
                    !word.chars().any(|c| c.is_ascii_digit()) || questionnaire.contains(word),
                    "a chart's label prints {word}, which is neither a figure nor the questionnaire's"
                );
            }
        }
        rest = &rest[at + close + 6..];
    }
    out
}

/// The numbers (runs of digits) in a PDF's text, by poppler's `pdftotext`.
fn pdf_numbers(pdf: &[u8]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("skafada-intruder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("summary-{}.pdf", pdf.len()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // The page footer ("Page 1 of 1") is not a figure.
    let text: Vec<&str> = text
        .lines()
        .filter(|line| !(line.trim().starts_with("Page ") && line.contains(" of ")))
        .collect();
    digit_runs(&text.join("\n"))
}

/// Every run of digits in a page's main content, figures and all.
fn page_numbers(body: &str) -> std::collections::BTreeSet<String> {
    let main = &body[body.find("<main").unwrap()..body.find("</main>").unwrap()];
    digit_runs(&visible_text(main)).into_iter().collect()
}

/// The text a page prints: tags and attributes are not printed text.
fn visible_text(html: &str) -> String {
    let mut visible = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                visible.push(' ');
            }
            c if !in_tag => visible.push(c),
            _ => {}
        }
    }
    visible
}

fn digit_runs(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(str::to_owned)
        .collect()
}

struct Collected {
    view: PublishedView,
    values: BTreeMap<(String, String), String>,
}

/// Everything the LA contact can see of their site, as one published view.
async fn collect(browser: &Browser<'_>, study: &str, site: &str) -> Collected {
    let base = format!("/admin/studies/{study}/sites/{site}");
    // Record-level data is closed to them by every route.
    for path in [
        format!("{base}/export?survey=pre&format=csv&purpose=Checking+the+records"),
        format!("{base}/export?survey=post&format=xlsx&purpose=Checking+the+records"),
        format!("{base}/export?survey=pre&format=sav&purpose=Checking+the+records"),
        format!("/admin/studies/{study}/export?survey=pre&format=csv&purpose=Checking+the+records"),
        format!(
            "/admin/studies/{study}/export?survey=pre&format=csv&site={site}&purpose=Checking+the+records"
        ),
        format!("/admin/studies/{study}/export/folder?purpose=Checking+the+records"),
        format!("/admin/studies/{study}/report?format=html"),
        format!("/admin/studies/{study}/training-needs"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 404, "{path} is closed to an LA contact");
    }
    let download = browser.get(&format!("{base}/protected-tables.csv")).await;
    assert_eq!(download.status, 200);
    let mut reader = csv::Reader::from_reader(download.body.as_bytes());
    let mut items = Vec::new();
    // Each survey's responses at the site and, with a group of similar sites, at them.
    let mut totals: BTreeMap<Survey, (u64, Option<u64>)> = BTreeMap::new();
    let mut values = BTreeMap::new();
    let number = |text: &str| text.trim_end_matches('%').parse::<u64>().ok();
    for record in reader.records() {
        let record = record.unwrap();
        let id = record[0].to_owned();
        let survey = Survey::parse(&record[1]).unwrap();
        if id.ends_with("/responses") {
            totals.insert(survey, (record[7].parse().unwrap(), number(&record[13])));
            continue;
        }
        let codes = |text: &str| -> Vec<u32> {
            text.split_whitespace()
                .map(|c| c.parse().unwrap())
                .collect()
        };
        for (part, column) in [
            ("count", 7),
            ("percent", 8),
            ("base", 9),
            ("all", 10),
            ("low", 11),
            ("high", 12),
            ("group", 13),
        ] {
            values.insert((id.clone(), part.to_owned()), record[column].to_owned());
        }
        // A headline measure's interval is the 95% Wilson interval of the count and base
        // beside it, rounded outwards: worked out from shown figures, it adds nothing.
        if let (Some(count), Some(base)) = (number(&record[7]), number(&record[9]))
            && !record[11].is_empty()
            && base > 0
        {
            let wilson = skafada_stats::wilson_interval(count, base, 0.95).unwrap();
            assert_eq!(
                (number(&record[11]), number(&record[12])),
                (
                    Some((wilson.lower * 100.0 + 1e-9).floor() as u64),
                    Some((wilson.upper * 100.0 - 1e-9).ceil() as u64)
                ),
                "{id}: the interval is the count's and base's"
            );
        } else {
            assert!(
                matches!(&record[11], "" | "[c]" | "withheld"),
                "{id}: an interval without its count and base"
            );
        }
        items.push(ViewItem {
            spec: FigureSpec {
                id,
                survey,
                variable: record[2].to_owned(),
                codes: codes(&record[5]),
                base: codes(&record[6]),
                label: record[4].to_owned(),
                headline: false,
            },
            site_count: number(&record[7]),
            site_percent: number(&record[8]),
            site_base: number(&record[9]),
            all_percent: number(&record[10]),
            group_percent: number(&record[13]),
            withheld: &record[7] == "withheld",
        });
    }
    // Every figure on every page is the download's, and the pages print no other number.
    for path in [
        format!("{base}/dashboard"),
        format!("{base}/training-needs"),
        format!("{base}/summary"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        for (id, part, shown) in printed_figures(&page.body) {
            if id.ends_with("/responses") {
                continue;
            }
            let expected = values
                .get(&(id.clone(), part.clone()))
                .unwrap_or_else(|| panic!("{path}: figure {id} {part} is not in the download"));
            assert_eq!(
                shown.trim_end_matches('%'),
                expected.as_str(),
                "{path}: {id} {part}"
            );
        }
        // Every scrolling table region has its own accessible name.
        let mut names = std::collections::BTreeSet::new();
        for label in page.body.split("role=\"region\" aria-label=\"").skip(1) {
            let name = &label[..label.find('"').unwrap()];
            assert!(
                names.insert(name.to_owned()),
                "{path}: two regions named {name}"
            );
        }
        // A chart prints only its axis (0% to 100%) and figures of the release.
        for number in chart_numbers(&page.body) {
            let value = number.trim_end_matches('%');
            let axis = ["0", "20", "40", "60", "80", "100"].contains(&value);
            assert!(
                axis || values
                    .iter()
                    .any(|((id, _), v)| id.starts_with("measure/") && v == value),
                "{path}: a chart prints {number}, which is not a figure of the release"
            );
        }
        let stray = unmarked_digits(&page.body, site);
        assert!(
            stray.is_empty(),
            "{path} prints numbers outside the release: {stray:?}"
        );
    }
    // The summary's PDF prints no number that its web page does not.
    let summary = browser.get(&format!("{base}/summary")).await;
    let (status, pdf) = browser.get_bytes(&format!("{base}/summary.pdf")).await;
    assert_eq!(status, 200);
    let in_pdf = pdf_numbers(&pdf);
    assert!(!in_pdf.is_empty(), "the summary's PDF has figures");
    let on_page = page_numbers(&summary.body);
    for number in in_pdf {
        assert!(
            on_page.contains(&number),
            "the summary's PDF prints {number}, which its web page does not"
        );
    }
    // The site's own page and the monitoring page carry no result figure.
    for path in [base.clone(), format!("/admin/studies/{study}")] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("data-figure"), "{path}");
        assert!(
            !page.body.contains("/export?"),
            "{path} offers no record-level download"
        );
    }
    Collected {
        view: PublishedView {
            threshold: 5,
            totals: totals
                .into_iter()
                .map(|(survey, (site, group))| Totals {
                    survey,
                    site,
                    // The all-sites total is printed on the results page.
                    all: 0,
                    // Without a group of similar sites, the site is its own.
                    group: group.unwrap_or(site),
                })
                .collect(),
            items,
        },
        values,
    }
}

/// The dashboard's all-sites totals, as printed.
async fn all_totals(browser: &Browser<'_>, study: &str, site: &str) -> BTreeMap<String, u64> {
    let page = browser
        .get(&format!("/admin/studies/{study}/sites/{site}/dashboard"))
        .await;
    printed_figures(&page.body)
        .into_iter()
        .filter(|(id, part, _)| id.ends_with("/responses") && part == "all")
        .map(|(id, _, v)| (id, v.parse().unwrap()))
        .collect()
}

/// The true count of a figure part at the site.
fn truth_of(truth: &[BTreeMap<String, String>], spec: &FigureSpec, part: &str) -> u64 {
    let codes = if part == "count" {
        &spec.codes
    } else {
        &spec.base
    };
    truth
        .iter()
        .filter(|answers| {
            let value = match spec.variable.split_once('.') {
                // An option of "select all that apply": 1 if ticked, 0 if not.
                Some((item, option)) => answers
                    .get(item)
                    .map(|ticked| u32::from(ticked.split(',').any(|t| t == option))),
                None => answers.get(&spec.variable).and_then(|v| v.parse().ok()),
            };
            value.is_some_and(|v| codes.contains(&v))
        })
        .count() as u64
}

/// What the intruder found at one site: protected counts and the narrowest interval.
struct Found {
    protected: usize,
    narrowest: u64,
    /// Headline measures' figures among what was seen.
    measures: usize,
}

/// Plays the LA contact of `site` (signed in as `email`) against the truth, and fails if
/// a small count is shown, pinned down, or shown to be small.
async fn audit_site(
    app: &TestApp,
    study: &str,
    site: &str,
    email: &str,
    structure: &[skafada_release::VariableCounts],
    truth: &dyn Fn(&FigureSpec, &str) -> u64,
) -> Found {
    let browser = signed_in(app, email).await;
    let mut collected = collect(&browser, study, site).await;
    let all = all_totals(&browser, study, site).await;
    for totals in &mut collected.view.totals {
        // A survey with too few responses at the site prints no totals and no figures.
        totals.all = all
            .get(&format!("{}/responses", totals.survey.as_str()))
            .copied()
            .unwrap_or(0);
    }
    // Sanity: every shown count is the truth.
    for item in &collected.view.items {
        if let Some(count) = item.site_count {
            assert_eq!(count, truth(&item.spec, "count"), "{site} {}", item.spec.id);
        }
    }
    let bounds = intruder_bounds(&collected.view, structure);
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Found {
        protected: 0,
        narrowest: u64::MAX,
        measures: collected
            .view
            .items
            .iter()
            .filter(|i| i.spec.id.starts_with("measure/"))
            .count(),
    };
    for b in &bounds {
        let item = collected
            .view
            .items
            .iter()
            .find(|i| i.spec.id == b.figure)
            .unwrap();
        let value = truth(&item.spec, b.part);
        assert!(
            b.low <= value && value <= b.high,
            "{site} {} {}: the bounds {b:?} exclude the truth {value}",
            b.figure,
            b.part
        );
        if (1..5).contains(&value) {
            let key = (item.spec.variable.clone(), b.part, item.spec.codes.clone());
            if seen.insert(key) {
                found.protected += 1;
            }
            found.narrowest = found.narrowest.min(b.values());
            assert!(
                b.protects(5),
                "{site}: {} {} = {value} is recovered as {}..={}",
                b.figure,
                b.part,
                b.low,
                b.high
            );
        }
    }
    // Every small count is hidden.
    for item in &collected.view.items {
        for (part, shown) in [("count", item.site_count), ("base", item.site_base)] {
            let value = truth(&item.spec, part);
            if (1..5).contains(&value) {
                assert!(
                    shown.is_none(),
                    "{site} {} {part} = {value} is shown",
                    item.spec.id
                );
            }
        }
    }
    assert!(!collected.values.is_empty());
    found
}

fn structure_of(
    pre: &Instrument,
    post: Option<&Instrument>,
) -> Vec<skafada_release::VariableCounts> {
    let empty = skafada_analysis::data::Responses::default();
    let mut out = skafada_release::count_variables(Survey::Pre, pre, &empty, &empty);
    if let Some(post) = post {
        out.extend(skafada_release::count_variables(
            Survey::Post,
            post,
            &empty,
            &empty,
        ));
    }
    out
}

async fn an_la_contact_recovers_no_protected_count_from_everything_they_can_see(app: &TestApp) {
    accounts(app).await;
    let mut truths = BTreeMap::new();
    // Small sites, where disclosure is hardest.
    truths.insert("LA01", import(app, "LA01", 9, 11).await);
    truths.insert("LA02", import(app, "LA02", 17, 23).await);
    let structure = structure_of(&pre_instrument(), None);
    let mut protected = 0;
    let mut narrowest = u64::MAX;
    for (site, email) in [("LA01", "la01@example.org"), ("LA02", "la02@example.org")] {
        let truth = &truths[site];
        let found = audit_site(
            app,
            &app.study_id,
            site,
            email,
            &structure,
            &|spec, part| truth_of(truth, spec, part),
        )
        .await;
        protected += found.protected;
        narrowest = narrowest.min(found.narrowest);
    }
    assert!(
        protected > 0,
        "the generated sites have small counts to protect"
    );
    eprintln!(
        "intruder, generated sites: {protected} protected counts, 0 recovered, narrowest interval {narrowest} values"
    );
}
on_both!(an_la_contact_recovers_no_protected_count_from_everything_they_can_see);

/// The true count of a figure part among the kept records of one site.
fn truth_in(data: &Responses, rows: &[usize], spec: &FigureSpec, part: &str) -> u64 {
    let codes = if part == "count" {
        &spec.codes
    } else {
        &spec.base
    };
    let Some(column) = data.values(&spec.variable) else {
        return 0;
    };
    rows.iter()
        .filter(|row| {
            let v = column.get(**row).unwrap_or(skafada_analysis::data::MISSING);
            v != skafada_analysis::data::MISSING
                && codes.iter().any(|c| i64::from(*c) == i64::from(v))
        })
        .count() as u64
}

/// A demo study in the test app: the calibrated synthetic responses of all eleven sites
/// of the study report's Table 2, as `serve --demo` stores them.
pub(crate) struct DemoStudy {
    pub(crate) study_id: StudyId,
    pub(crate) demo: skafada_demo::Demo,
    pub(crate) pre: Instrument,
    pub(crate) post: Instrument,
    /// The study's sites as stored.
    pub(crate) sites: Vec<skafada_store::Site>,
}

/// Makes the demo study under `name` with the analysis plan `plan`.
pub(crate) async fn demo_study(app: &TestApp, name: &str, plan: &str) -> DemoStudy {
    let pre = pre_instrument();
    let post = skafada_instrument::parse(
        include_str!("../../../../instruments/skafada-post.toml"),
        "post",
    )
    .unwrap()
    .validate(Some(&pre))
    .unwrap();
    let demo = skafada_demo::generate(&pre, &post, skafada_demo::DEFAULT_SEED).unwrap();
    let mut study = crate::helpers::study("2026-01-01", "2099-12-31");
    study.name = name.to_owned();
    study.analysis_plan = plan.to_owned();
    // As `serve --demo` makes it: the pages say the responses are synthetic.
    study.synthetic = true;
    let study_id = app.store.create_study(&study).await.unwrap();
    for site in &demo.sites {
        app.store
            .add_site(
                &study_id,
                &skafada_store::NewSite {
                    code: site.site.clone(),
                    name: site.name.clone(),
                    region: site.region.clone(),
                    // Table 2's area type and model of practice, as `serve --demo` has
                    // them: the urban sites and the Signs of Safety sites are groups of
                    // similar sites.
                    area_type: match site.site.as_str() {
                        "LA01" | "LA02" => "Mixed rural and urban",
                        "LA09" | "LA10" => "Rural/mixed",
                        "LA11" => "Rural",
                        _ => "Urban",
                    }
                    .to_owned(),
                    model_of_practice: match site.site.as_str() {
                        "LA01" | "LA02" => "Family Safeguarding Model",
                        "LA09" => "Own collaborative working model",
                        "LA10" => "Own practice framework",
                        _ => "Signs of Safety",
                    }
                    .to_owned(),
                    local_services: "[]".to_owned(),
                    ..skafada_store::NewSite::default()
                },
            )
            .await
            .unwrap();
    }
    let mut responses = Vec::new();
    for (instrument, data, phase) in [
        (&pre, &demo.pre, Phase::Pre),
        (&post, &demo.post, Phase::Post),
    ] {
        for row in 0..data.len() {
            use skafada_analysis::data::Status as Record;
            let status = match data.status[row] {
                Record::Started => continue,
                _ if data.returning[row] => continue,
                Record::Consented if phase == Phase::Pre => Status::Consented,
                Record::Consented => Status::Started,
                Record::Submitted => Status::Submitted,
                Record::Ended => Status::ClosedByRouting,
            };
            responses.push(ImportedResponse {
                respondent: data.respondent_id[row].clone(),
                site_code: demo.sites[data.site[row]].site.clone(),
                phase,
                status,
                started_on: data.started_on[row].clone(),
                answers: skafada_demo::stored_answers(instrument, data, row),
            });
        }
    }
    app.store
        .import_responses(&study_id, &responses)
        .await
        .unwrap();
    let sites = app.store.sites(&study_id).await.unwrap();
    DemoStudy {
        study_id,
        demo,
        pre,
        post,
        sites,
    }
}

/// Makes an LA contact account for one of the demo study's sites and gives its email.
pub(crate) async fn demo_la_contact(app: &TestApp, study: &DemoStudy, site: &str) -> String {
    let email = format!(
        "{}-{}@example.org",
        site.to_lowercase(),
        &study.study_id[..8.min(study.study_id.len())]
    );
    let account = skafada_store::NewAccount {
        email: email.clone(),
        password: skafada_store::NewPassword::parse(crate::admin::PASSWORD).unwrap(),
        role: skafada_store::Role::LaContact,
        study_id: Some(study.study_id.clone()),
        site_id: Some(
            study
                .sites
                .iter()
                .find(|s| s.code == site)
                .unwrap()
                .id
                .clone(),
        ),
    };
    app.store.create_account(&account, None).await.unwrap();
    email
}

/// The demo study (the calibrated synthetic responses of all eleven sites of the study
/// report's Table 2) as every one of its LA contacts sees it, headline measures included.
#[tokio::test]
async fn the_demo_studys_eleven_la_contacts_recover_no_protected_count() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let plan_text = include_str!("../../../../plans/skafada.toml");
    let study = demo_study(&app, "SKAFADA demo", plan_text).await;
    let (study_id, demo, pre, post) = (&study.study_id, &study.demo, &study.pre, &study.post);
    // What the live study holds, kept by the plan's cleaning, is the truth.
    let plan = skafada_analysis::plan::Plan::parse(plan_text, "plan").unwrap();
    let stored = |data: &Responses| -> Vec<bool> {
        (0..data.len())
            .map(|row| {
                data.status[row] != skafada_analysis::data::Status::Started && !data.returning[row]
            })
            .collect()
    };
    let pre_live = demo.pre.filter(&stored(&demo.pre));
    let post_live = demo.post.filter(&stored(&demo.post));
    let (pre_keep, _) = skafada_analysis::clean::clean(pre, &pre_live, &plan.cleaning.pre);
    let (post_keep, _) = skafada_analysis::clean::clean(post, &post_live, &plan.cleaning.post);
    let structure = structure_of(pre, Some(post));
    let mut protected = 0;
    let mut narrowest = u64::MAX;
    let mut per_site = Vec::new();
    let mut measures = 0;
    for (index, site) in demo.sites.iter().enumerate() {
        let email = demo_la_contact(&app, &study, &site.site).await;
        let rows = |data: &Responses, keep: &[bool]| -> Vec<usize> {
            (0..data.len())
                .filter(|r| keep[*r] && data.site[*r] == index)
                .collect()
        };
        let pre_rows = rows(&pre_live, &pre_keep);
        let post_rows = rows(&post_live, &post_keep);
        let found = audit_site(
            &app,
            study_id,
            &site.site,
            &email,
            &structure,
            &|spec, part| match spec.survey {
                Survey::Pre => truth_in(&pre_live, &pre_rows, spec, part),
                Survey::Post => truth_in(&post_live, &post_rows, spec, part),
            },
        )
        .await;
        per_site.push(format!(
            "{} {} kept: {} protected",
            site.site,
            pre_rows.len(),
            found.protected
        ));
        protected += found.protected;
        narrowest = narrowest.min(found.narrowest);
        measures += found.measures;
    }
    assert!(protected > 0);
    assert!(
        measures > 0,
        "the headline measures are among what the intruder sees"
    );
    eprintln!(
        "intruder, demo study: {protected} protected counts over 11 sites, 0 recovered, narrowest interval {narrowest} values, {measures} headline figures seen ({})",
        per_site.join("; ")
    );
    app.cleanup().await;
}
