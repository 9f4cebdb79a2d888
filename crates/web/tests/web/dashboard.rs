//! The LA contact's dashboard on the demo study: it leads with the plan's headline
//! measures, and at every site with 20 or more responses at least 90% of them are shown.
//! The intruder (`intruder.rs`) checks the same pages for what they must not give away.

use std::collections::BTreeMap;

use crate::admin::signed_in;
use crate::helpers::TestApp;
use crate::intruder::{DemoStudy, demo_la_contact, demo_study, generate_with, import_with};
use crate::on_both;

/// What one site's download shows: (figure, shown parts, hidden parts) by kind.
#[derive(Debug, Default)]
struct Tally {
    responses: u64,
    /// Headline measures before the training: (shown, all).
    measures: (usize, usize),
    /// Every figure part (count, percentage, number answering, all sites): shown, hidden.
    parts: (usize, usize),
    /// The same, of the detailed tables and training needs only (no headline measure).
    detail: (usize, usize),
    /// Headline measures before the training whose similar sites' share is shown.
    similar: usize,
}

/// Reads a site's protected-tables download as its LA contact.
async fn tally(app: &crate::helpers::TestApp, study: &DemoStudy, site: &str) -> Tally {
    let email = demo_la_contact(app, study, site).await;
    let browser = signed_in(app, &email).await;
    let download = browser
        .get(&format!(
            "/admin/studies/{}/sites/{site}/protected-tables.csv",
            study.study_id
        ))
        .await;
    assert_eq!(download.status, 200);
    let mut reader = csv::Reader::from_reader(download.body.as_bytes());
    let mut tally = Tally::default();
    for record in reader.records() {
        let record = record.unwrap();
        let id = &record[0];
        if id == "pre/responses" {
            tally.responses = record[7].parse().unwrap();
            continue;
        }
        if id.ends_with("/responses") {
            continue;
        }
        let shown = |column: usize| record[column].parse::<u64>().is_ok();
        let measure = id.starts_with("measure/");
        for column in 7..=10 {
            let count = |pair: &mut (usize, usize)| {
                if shown(column) {
                    pair.0 += 1;
                } else {
                    pair.1 += 1;
                }
            };
            count(&mut tally.parts);
            if !measure {
                count(&mut tally.detail);
            }
        }
        if id.starts_with("measure/") && !id.ends_with("/post") {
            tally.measures.1 += 1;
            // Shown: the share, its count and the number who answered.
            if shown(7) && shown(8) && shown(9) {
                tally.measures.0 += 1;
            }
            tally.similar += usize::from(shown(13));
        }
    }
    tally
}

/// The demo study with the SKAFADA plan as it stands.
async fn skafada_demo_study(app: &crate::helpers::TestApp) -> DemoStudy {
    demo_study(
        app,
        "SKAFADA demo",
        include_str!("../../../../plans/skafada.toml"),
    )
    .await
}

/// The plan without its headline measures: the release as it was before them.
fn plan_without_measures() -> String {
    let plan = include_str!("../../../../plans/skafada.toml");
    let cut = plan
        .find("\n[[headline]]")
        .expect("the plan has headline measures");
    plan[..cut].to_owned()
}

#[tokio::test]
async fn at_every_demo_site_with_20_or_more_responses_at_least_90_percent_of_headline_measures_are_shown()
 {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let study = skafada_demo_study(&app).await;
    let mut tallies = BTreeMap::new();
    for site in &study.demo.sites {
        tallies.insert(site.site.clone(), tally(&app, &study, &site.site).await);
    }
    for (site, t) in &tallies {
        eprintln!(
            "{site}: {} responses, headline measures {} of {} shown, {} beside similar sites",
            t.responses, t.measures.0, t.measures.1, t.similar
        );
    }
    let mut checked = 0;
    for (site, t) in &tallies {
        assert!(t.measures.1 > 0, "{site} has headline measures");
        if t.responses >= 20 {
            checked += 1;
            assert!(
                t.measures.0 * 10 >= t.measures.1 * 9,
                "{site} ({} responses) shows {} of {} headline measures",
                t.responses,
                t.measures.0,
                t.measures.1
            );
        }
    }
    assert!(checked > 0, "the demo has sites with 20 or more responses");
    // Before and after: the same demo study with the plan's measures taken out.
    let before = demo_study(&app, "SKAFADA demo before", &plan_without_measures()).await;
    let smallest = tallies.iter().min_by_key(|(_, t)| t.responses).unwrap();
    let largest = tallies.iter().max_by_key(|(_, t)| t.responses).unwrap();
    for (site, after) in [smallest, largest] {
        let then = tally(&app, &before, site).await;
        assert_eq!(then.measures.1, 0);
        eprintln!(
            "{site} ({} responses): before, {} figure parts shown and {} hidden; after, {} shown and {} hidden (detail {} shown, {} hidden), headline measures {} of {} shown",
            after.responses,
            then.parts.0,
            then.parts.1,
            after.parts.0,
            after.parts.1,
            after.detail.0,
            after.detail.1,
            after.measures.0,
            after.measures.1
        );
    }
    app.cleanup().await;
}

#[tokio::test]
async fn the_la_contacts_dashboard_leads_with_the_headline_measures_and_keeps_the_detail_below() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let study = skafada_demo_study(&app).await;
    let site = study.demo.sites[0].site.clone();
    let email = demo_la_contact(&app, &study, &site).await;
    let browser = signed_in(&app, &email).await;
    let page = browser
        .get(&format!(
            "/admin/studies/{}/sites/{site}/dashboard",
            study.study_id
        ))
        .await;
    assert_eq!(page.status, 200);
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("the dashboard has {text}"))
    };
    assert!(at("Headline measures") < at("Where this site differs from all sites"));
    assert!(at("Where this site differs from all sites") < at("Change after the training"));
    assert!(at("Change after the training") < at("Every answer in detail"));
    assert!(at("Every answer in detail") < at("Before the training (pre-training survey)"));
    // Every measure's table names the plan's measure, and a statement of the survey.
    for title in [
        "Know quite a bit or a lot",
        "Answered the true/false statement correctly",
        "Agree or strongly agree",
        "Have had training on domestic abuse in their current role",
    ] {
        assert!(page.body.contains(title), "{title}");
    }
    assert!(
        page.body
            .contains("data-figure=\"measure/knowledge/knowledge-dash\"")
    );
    app.cleanup().await;
}

#[tokio::test]
async fn every_demo_sites_summary_is_one_a4_page_and_lists_the_three_largest_gaps() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let study = skafada_demo_study(&app).await;
    for site in study.demo.sites.iter().map(|s| s.site.as_str()) {
        let email = demo_la_contact(&app, &study, site).await;
        let browser = signed_in(&app, &email).await;
        let base = format!("/admin/studies/{}/sites/{site}", study.study_id);
        let page = browser.get(&format!("{base}/summary")).await;
        assert_eq!(page.status, 200);
        let too_few = page.body.contains("Too few responses");
        for heading in [
            "Headline measures",
            "Where this site differs from all sites",
            "Change after the training",
            "The three largest gaps and what addresses them",
        ] {
            assert!(too_few || page.body.contains(heading), "{site}: {heading}");
        }
        // The smallest site with figures to show, and the largest, list three gaps.
        if ["LA02", "LA01"].contains(&site) {
            let gaps = &page.body[page.body.find("The three largest gaps").unwrap()..];
            let list = &gaps[..gaps.find("</ol>").expect("the gaps are listed")];
            assert_eq!(list.matches("<li>").count(), 3, "{site}: three gaps");
            assert!(list.contains("Training module:") && list.contains("Report implications:"));
        }
        // The dashboard links to it.
        let dashboard = browser.get(&format!("{base}/dashboard")).await;
        assert!(dashboard.body.contains(&format!("href=\"{base}/summary\"")));
        let (status, pdf) = browser.get_bytes(&format!("{base}/summary.pdf")).await;
        assert_eq!(status, 200);
        assert!(pdf.starts_with(b"%PDF-"));
        let file =
            std::env::temp_dir().join(format!("skafada-summary-{site}-{}.pdf", std::process::id()));
        std::fs::write(&file, &pdf).unwrap();
        if let Ok(keep) = std::env::var("SKAFADA_KEEP_SUMMARY") {
            std::fs::copy(&file, format!("{keep}/{site}-summary.pdf")).unwrap();
        }
        let info = std::process::Command::new("pdfinfo")
            .arg(&file)
            .output()
            .expect("pdfinfo (poppler-utils) is installed");
        let info = String::from_utf8_lossy(&info.stdout).to_string();
        assert!(
            info.lines()
                .any(|l| l.starts_with("Pages:") && l.ends_with(" 1")),
            "{site}: one page\n{info}"
        );
        assert!(
            info.contains("595.") && info.contains("841."),
            "{site}: A4\n{info}"
        );
        std::fs::remove_file(&file).unwrap();
    }
    app.cleanup().await;
}

#[test]
fn a_study_whose_headline_measure_names_an_unknown_statement_is_refused_before_it_is_made() {
    let plan = include_str!("../../../../plans/skafada.toml").replacen(
        "rows = [\"confidence-sufficient-training\"",
        "rows = [\"confidence-nothing\"",
        1,
    );
    assert!(
        plan.contains("confidence-nothing"),
        "the statement was replaced"
    );
    let study = skafada_store::NewStudy {
        analysis_plan: plan,
        ..crate::helpers::study("2020-01-01", "2099-12-31")
    };
    let error = skafada_web::check_study(&study).unwrap_err().to_string();
    assert!(
        error.contains("[[headline]] `confidence`") && error.contains("confidence-nothing"),
        "{error}"
    );
}

/// Every knowledge statement answered `code` ("a lot" is 5, "very little" 1).
fn knowledge(code: &'static str) -> impl Fn(&mut BTreeMap<String, String>) {
    move |answers| {
        for (id, value) in answers.iter_mut() {
            if id.starts_with("knowledge-") {
                *value = code.to_owned();
            }
        }
    }
}

async fn a_site_far_from_all_sites_is_told_where_it_differs_in_plain_words(app: &TestApp) {
    crate::admin::accounts(app).await;
    // LA01's 30 staff all know a lot; LA02's 60 very little: all sites are at a third.
    import_with(app, "LA01", 30, 5, &knowledge("5")).await;
    import_with(app, "LA02", 60, 7, &knowledge("1")).await;
    let browser = signed_in(app, "la01@example.org").await;
    let base = format!("/admin/studies/{}/sites/LA01", app.study_id);
    let page = browser.get(&format!("{base}/dashboard")).await;
    assert_eq!(page.status, 200);
    let differs = &page.body[page.body.find("id=\"differences\"").unwrap()..];
    let differs = differs[..differs.find("id=\"change\"").unwrap()].replace("&#39;", "'");
    assert!(
        differs.contains(
            "More of this site's staff than across all sites know quite a bit or a lot: “"
        ),
        "{differs}"
    );
    assert!(differs.contains("Better than all sites"));
    assert!(!differs.contains("Fewer of this site"), "{differs}");
    // The summary lists the three largest of them.
    let summary = browser.get(&format!("{base}/summary")).await;
    let listed = summary
        .body
        .matches("than across all sites know quite a bit")
        .count();
    assert_eq!(listed, 3, "the summary lists three differences");
    // The other site is told the opposite.
    let browser = signed_in(app, "la02@example.org").await;
    let page = browser
        .get(&format!(
            "/admin/studies/{}/sites/LA02/dashboard",
            app.study_id
        ))
        .await;
    assert!(page.body.contains("Fewer of this site"), "LA02 knows less");
    assert!(page.body.contains("Worse than all sites"));
}
on_both!(a_site_far_from_all_sites_is_told_where_it_differs_in_plain_words);

#[tokio::test]
async fn an_urban_demo_site_is_compared_with_the_urban_sites_and_one_without_enough_similar_sites_with_all_sites_only()
 {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let study = skafada_demo_study(&app).await;
    let page = |site: &'static str| {
        let (app, study) = (&app, &study);
        async move {
            let email = demo_la_contact(app, study, site).await;
            let browser = signed_in(app, &email).await;
            browser
                .get(&format!(
                    "/admin/studies/{}/sites/{site}/dashboard",
                    study.study_id
                ))
                .await
                .body
        }
    };
    let urban = page("LA08").await;
    assert!(urban.contains("Sites with the same area type (Urban)"));
    assert!(urban.contains("<span data-meta=\"similar-sites\">6</span> sites"));
    assert!(urban.contains(">Similar sites</th>"));
    assert!(urban.contains("data-part=\"group\""));
    assert!(
        urban.contains(">Similar sites</text>"),
        "the charts mark the similar sites"
    );
    // LA01 shares no characteristic with four other sites.
    let alone = page("LA01").await;
    assert!(alone.contains("compared with all sites only"));
    assert!(!alone.contains("data-part=\"group\""));
    app.cleanup().await;
}

#[tokio::test]
async fn a_study_whose_plan_has_no_headline_measures_says_so_and_shows_every_answer() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let study = demo_study(&app, "SKAFADA demo before", &plan_without_measures()).await;
    let email = demo_la_contact(&app, &study, "LA01").await;
    let browser = signed_in(&app, &email).await;
    let page = browser
        .get(&format!(
            "/admin/studies/{}/sites/LA01/dashboard",
            study.study_id
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("defines no headline measures"));
    assert!(!page.body.contains("Where this site differs"));
    assert!(page.body.contains("Every answer in detail"));
    app.cleanup().await;
}

/// `n` complete post-training responses at a site, from the respondents `generate_with`
/// makes there (`{site}-{i}`): every statement answered with its first option that ends
/// nothing, then changed by `adjust`.
fn generate_post(
    site: &str,
    n: usize,
    adjust: &dyn Fn(&mut BTreeMap<String, String>),
) -> Vec<skafada_store::ImportedResponse> {
    use skafada_instrument::ItemKind;
    use skafada_store::{ImportedResponse, Phase, Status};
    let pre = skafada_instrument::load(
        include_str!("../../../../instruments/skafada-pre.toml"),
        "pre",
    )
    .unwrap();
    let post = skafada_instrument::parse(
        include_str!("../../../../instruments/skafada-post.toml"),
        "post",
    )
    .and_then(|draft| draft.validate(Some(&pre)))
    .unwrap();
    let mut responses = Vec::new();
    for i in 0..n {
        let mut answers: BTreeMap<String, String> = BTreeMap::new();
        for item in post.items() {
            let ends = |code: u32| {
                item.end_if
                    .as_ref()
                    .is_some_and(|e| e.codes.contains(&code))
            };
            let first = |options: &[skafada_instrument::Choice]| {
                options
                    .iter()
                    .find(|o| !ends(o.code))
                    .map(|o| o.code.to_string())
            };
            match &item.kind {
                ItemKind::Consent { statements } => {
                    for s in statements {
                        answers.insert(s.id.clone(), "1".to_owned());
                    }
                }
                ItemKind::Single { options } | ItemKind::Multiple { options } => {
                    if let Some(code) = first(options) {
                        answers.insert(item.id.clone(), code);
                    }
                }
                ItemKind::Matrix { options, rows, .. } => {
                    for row in rows {
                        if let Some(code) = first(options) {
                            answers.insert(row.id.clone(), code);
                        }
                    }
                }
                ItemKind::Year { .. } | ItemKind::Number { .. } | ItemKind::Text { .. } => {}
            }
        }
        adjust(&mut answers);
        responses.push(ImportedResponse {
            respondent: format!("{site}-{i}"),
            site_code: site.to_owned(),
            phase: Phase::Post,
            status: Status::Submitted,
            started_on: "2026-01-10".to_owned(),
            answers: answers.into_iter().collect(),
        });
    }
    responses
}

async fn change_after_the_training_is_paired_on_the_people_who_answered_both_when_no_linked_count_is_small(
    app: &TestApp,
) {
    crate::admin::accounts(app).await;
    // LA01's 40 staff knew little before and a lot after; LA02 gives all sites' figures.
    // One import, so that each person's two surveys are linked.
    let (mut responses, _) = generate_with("LA01", 40, 5, &knowledge("1"));
    responses.extend(generate_post("LA01", 40, &|answers| {
        for (id, value) in answers.iter_mut() {
            if id.starts_with("post-knowledge-") {
                *value = "5".to_owned();
            }
        }
    }));
    app.store
        .import_responses(&app.study_id, &responses)
        .await
        .unwrap();
    import_with(app, "LA02", 60, 7, &knowledge("5")).await;
    let browser = signed_in(app, "la01@example.org").await;
    let page = browser
        .get(&format!(
            "/admin/studies/{}/sites/LA01/dashboard",
            app.study_id
        ))
        .await;
    assert_eq!(page.status, 200);
    let change = &page.body[page.body.find("id=\"change\"").unwrap()..];
    // Every knowledge statement: 40 linked people, all of whom moved up (+100 points).
    let paired = change
        .matches("points: <strong class=\"govuk-tag govuk-tag--green\">Clearly higher after the training</strong> (adjusted <span data-derived=\"p\">p = 0.000</span>; paired, <span data-derived=\"linked\">40</span> people who answered both)")
        .count();
    assert!(paired >= 15, "{paired} paired knowledge changes:\n{change}");
    assert!(change.contains("<span data-derived=\"points\">+100</span>"));
    // Statements whose linked counts are small are compared as groups, and the page says how
    // many of each there are.
    let groups = change.matches("; compared as separate groups)").count();
    let stated = change
        .split("data-derived=\"paired-changes\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap();
    assert_eq!(stated, change.matches("; paired, ").count());
    eprintln!("LA01: {stated} changes paired, {groups} compared as groups");
}
on_both!(
    change_after_the_training_is_paired_on_the_people_who_answered_both_when_no_linked_count_is_small
);

#[tokio::test]
async fn the_plan_decides_which_characteristic_makes_a_sites_similar_sites() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await else {
        return;
    };
    let plan = include_str!("../../../../plans/skafada.toml").replace(
        "by = [\"area-type\", \"model-of-practice\", \"deprivation-quintile\", \"region\"]",
        "by = [\"model-of-practice\"]",
    );
    let study = demo_study(&app, "By model of practice", &plan).await;
    let email = demo_la_contact(&app, &study, "LA08").await;
    let browser = signed_in(&app, &email).await;
    let page = browser
        .get(&format!(
            "/admin/studies/{}/sites/LA08/dashboard",
            study.study_id
        ))
        .await
        .body;
    assert!(
        page.contains("Sites with the same model of practice (Signs of Safety)"),
        "the urban group is no longer used"
    );
    assert!(page.contains("<span data-meta=\"similar-sites\">7</span> sites"));
    app.cleanup().await;
}

#[test]
fn a_plan_asking_for_groups_of_similar_sites_smaller_than_five_is_refused() {
    let plan =
        include_str!("../../../../plans/skafada.toml").replace("min-sites = 5", "min-sites = 3");
    let error = skafada_analysis::plan::Plan::parse(&plan, "plan.toml").unwrap_err();
    assert!(error.message.contains("must be at least 5"), "{error}");
    let unknown =
        include_str!("../../../../plans/skafada.toml").replace("\"region\"]", "\"postcode\"]");
    let error = skafada_analysis::plan::Plan::parse(&unknown, "plan.toml").unwrap_err();
    assert!(error.message.contains("postcode"), "{error}");
}
