//! The demo study `skafada serve --demo` creates: the SKAFADA surveys and module, the
//! eleven sites of the report's Table 2 with fictional local services, delivery arms,
//! calibrated synthetic responses and case studies; and the local services file format.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use skafada_store::{Day, ImportedResponse, NewSite, NewStudy, Phase, Status, Store, StudyId};

/// What `serve --demo` takes from files instead of its built-in defaults.
#[derive(Debug, Default)]
pub struct DemoFiles {
    /// The module's id and files, from `--module`.
    pub module: Option<(String, BTreeMap<String, String>)>,
    /// Each site's local services as the JSON the store keeps, by site code: the demo's
    /// fictional services ([`demo_local_services`]) unless `--local-services` names a file,
    /// which then replaces them all (a site it does not name has none).
    pub local_services: BTreeMap<String, String>,
    /// Fill the new study with the synthetic demonstration responses.
    pub with_responses: bool,
}

impl DemoFiles {
    /// Reads the files `--module` and `--local-services` name.
    pub fn read(module: Option<&Path>, local_services: Option<&Path>) -> anyhow::Result<Self> {
        let module = module
            .map(|folder| -> anyhow::Result<_> {
                let files = skafada_web::read_module_folder(folder).with_context(|| {
                    format!("Failed to read the module folder {}", folder.display())
                })?;
                let id = folder
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Ok((id, files))
            })
            .transpose()?;
        let local_services = match local_services {
            Some(file) => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("Failed to read {}", file.display()))?;
                parse_local_services(&text)
                    .with_context(|| format!("{} is not a local services file", file.display()))?
            }
            None => demo_local_services()?,
        };
        Ok(DemoFiles {
            module,
            local_services,
            with_responses: true,
        })
    }
}

/// The demo sites' fictional local services (`crates/demo/local-services.toml`, built
/// in), as each site's JSON.
pub fn demo_local_services() -> anyhow::Result<BTreeMap<String, String>> {
    parse_local_services(skafada_demo::LOCAL_SERVICES)
        .context("The demo's built-in local services are not a valid local services file")
}

/// Parses a local services file: an array of tables per site code
/// (`[[LA01]]` with `name`, `description`, `phone`, `text`, `url`, `hours`, `note`),
/// into each site's JSON. Every service needs a name and a phone, text or `https` URL.
pub fn parse_local_services(text: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let sites: BTreeMap<String, Vec<skafada_training::Service>> =
        toml::from_str(text).context("Failed to parse the TOML")?;
    let mut out = BTreeMap::new();
    for (code, services) in sites {
        for (number, service) in services.iter().enumerate() {
            if let Some(problem) = service.problem() {
                anyhow::bail!(
                    "{code}, service {} ({}): {}",
                    number + 1,
                    if service.name.trim().is_empty() {
                        "no name"
                    } else {
                        service.name.trim()
                    },
                    problem.message()
                );
            }
        }
        out.insert(
            code,
            serde_json::to_string(&services).context("Failed to write the services")?,
        );
    }
    Ok(out)
}

/// The demo study: `content` (the SKAFADA surveys, prototype module and plans, see
/// [`super::content`]) open from today for a year.
pub fn demo_study(content: &super::content::Content) -> NewStudy {
    let today = skafada_store::today();
    let next_year = today.plus_years(1).unwrap_or(today);
    let retain =
        skafada_store::Day::from_ymd(today.year().saturating_add(7), 12, 31).unwrap_or(next_year);
    NewStudy {
        name: "SKAFADA demo".to_owned(),
        opens_on: today,
        closes_on: next_year,
        retain_until: retain,
        ..content.study.clone()
    }
}

/// The eleven sites of the study report's Table 2.
pub fn demo_sites() -> Vec<NewSite> {
    const SIGNS: &str = "Signs of Safety; part of the Family Hubs and Start for Life programme";
    const FSM: &str = "Family Safeguarding Model";
    let rows: [(&str, &str, &str, &str, &str, &str, i64); 11] = [
        (
            "LA01",
            "North",
            FSM,
            "1.2m",
            "White 87%; Asian, Black, Caribbean, multiple ethnicities 13%",
            "Mixed rural and urban",
            3,
        ),
        (
            "LA02",
            "South",
            FSM,
            "1.2m",
            "White 82%; Asian, Black, Caribbean, multiple ethnicities 18%",
            "Mixed rural and urban",
            5,
        ),
        (
            "LA03",
            "East",
            SIGNS,
            "225k",
            "White 45%; Asian, Black, Caribbean, multiple ethnicities 55%",
            "Urban",
            2,
        ),
        (
            "LA04",
            "London",
            SIGNS,
            "300k",
            "White 52%; Asian, Black, Caribbean, multiple ethnicities 48%",
            "Urban",
            1,
        ),
        (
            "LA05",
            "Midlands",
            SIGNS,
            "825k",
            "White 66%; Asian, Black, Caribbean, multiple ethnicities 34%",
            "Urban",
            1,
        ),
        (
            "LA06",
            "North",
            SIGNS,
            "552k",
            "White 57%; Asian, Black, Caribbean, multiple ethnicities 43%",
            "Urban",
            1,
        ),
        (
            "LA07",
            "North",
            SIGNS,
            "266k",
            "White 91%; Asian, Black, Caribbean, multiple ethnicities 9%",
            "Urban",
            2,
        ),
        (
            "LA08",
            "Midlands",
            SIGNS,
            "342k",
            "White 57%; Asian, Black, Caribbean, multiple ethnicities 43%",
            "Urban",
            1,
        ),
        (
            "LA09",
            "South",
            "Own collaborative working model",
            "553k",
            "White 80%; Asian, Black, Caribbean, multiple ethnicities 20%",
            "Rural/mixed",
            5,
        ),
        (
            "LA10",
            "South",
            "Own practice framework",
            "1.4m",
            "White 93%; Asian, Black, Caribbean, multiple ethnicities 7%",
            "Rural/mixed",
            5,
        ),
        (
            "LA11",
            "South",
            SIGNS,
            "570k",
            "White 97%; Asian, Black, Caribbean, multiple ethnicities 3%",
            "Rural",
            2,
        ),
    ];
    rows.iter()
        .map(
            |(code, region, model, population, ethnicity, area, quintile)| NewSite {
                code: (*code).to_owned(),
                name: format!("Local authority {}", code.trim_start_matches("LA")),
                region: (*region).to_owned(),
                model_of_practice: (*model).to_owned(),
                population: (*population).to_owned(),
                ethnicity: (*ethnicity).to_owned(),
                area_type: (*area).to_owned(),
                deprivation_quintile: Some(*quintile),
                local_services: "[]".to_owned(),
            },
        )
        .collect()
}

/// Creates the demo study with its sites when the database has no study (the journey
/// benchmark's database).
#[cfg(feature = "bench")]
pub async fn ensure_demo(store: &Store) -> anyhow::Result<()> {
    let content = super::content::skafada_content()?;
    let files = DemoFiles {
        local_services: demo_local_services()?,
        ..DemoFiles::default()
    };
    ensure_demo_with(store, &files, &content).await
}

/// As [`ensure_demo`], from `content` (read once when the server starts), with a module
/// and local services read from files. A site code the file names that the demo does not
/// have is an error.
pub async fn ensure_demo_with(
    store: &Store,
    files: &DemoFiles,
    content: &super::content::Content,
) -> anyhow::Result<()> {
    let sites = demo_sites();
    if let Some(unknown) = files
        .local_services
        .keys()
        .find(|code| !sites.iter().any(|site| &site.code == *code))
    {
        anyhow::bail!(
            "The local services file names {unknown}, which is not a demo site (LA01 to LA11)"
        );
    }
    if !store
        .is_empty()
        .await
        .context("Failed to read the database")?
    {
        return Ok(());
    }
    println!(
        "skafada: the demo study's surveys, module and plans are {}",
        if content.any_built_in {
            "the copies built into skafada (no instruments/, training/ and plans/ folders here)"
        } else {
            "read from instruments/, training/ and plans/"
        }
    );
    let mut study = demo_study(content);
    study.synthetic = files.with_responses;
    if let Some((id, module)) = &files.module {
        study.module_id.clone_from(id);
        study.module_sources.clone_from(module);
    }
    skafada_web::check_demo_study(&study).context("The demo study's content does not load")?;
    let id = store
        .create_study(&study)
        .await
        .context("Failed to create the demo study")?;
    // Sites join in Table 2's order and, as the demo's waves file allocates sites to
    // delivery arms, each is allocated as it joins, as the admin pages do.
    let allocation = match skafada_waves::allocation::AllocationSpec::parse(&study.waves) {
        Ok(spec) => Some(spec),
        Err(skafada_waves::allocation::AllocationError::Missing) => None,
        Err(error) => {
            anyhow::bail!("The demo's allocation to delivery arms does not load: {error}")
        }
    }
    .filter(|spec| spec.unit() == skafada_waves::allocation::Unit::Site);
    for mut site in sites {
        if let Some(json) = files.local_services.get(&site.code) {
            site.local_services.clone_from(json);
        }
        let added = store
            .add_site(&id, &site)
            .await
            .context("Failed to add a demo site")?;
        if let Some(spec) = &allocation {
            let seed = store.allocation_seed(&id).await?;
            let seed = skafada_waves::Secret::from_bytes(seed.to_bytes())?;
            store
                .allocate(&id, "", &added.id, |place| {
                    spec.arm_for(&seed, "", place).map(|arm| arm.id.clone())
                })
                .await
                .context("Failed to allocate a demo site to a delivery arm")?;
        }
    }
    if files.with_responses {
        let demo = demo_responses(&study)?;
        store
            .import_responses(&id, &demo.responses)
            .await
            .context("Failed to add the demo responses")?;
        store
            .import_starts(&id, &demo.starts)
            .await
            .context("Failed to add the demo's journeys started")?;
        add_demo_case_studies(store, &id)
            .await
            .context("Failed to add the demo case studies")?;
    }
    Ok(())
}

/// Adds the demo's synthetic case studies (`skafada_demo::case_studies`): three
/// case-study sites, nine invented interviews with their pseudonymised transcripts, the
/// passages two demo coders indexed, the matrix summaries and the document audit.
async fn add_demo_case_studies(store: &Store, study_id: &StudyId) -> anyhow::Result<()> {
    use skafada_store::{DocumentDetails, InterviewDetails, InterviewStatus, NewPassage};
    const BY: &str = "demo";
    let set = skafada_demo::case_studies::case_studies()?;
    let sites = store.sites(study_id).await?;
    let site_id = |code: &str| {
        sites
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.id.clone())
            .with_context(|| format!("the demo has no site {code}"))
    };
    for code in &set.sites {
        store
            .add_case_study_site(study_id, &site_id(code)?, BY)
            .await?;
    }
    let mut interviews = std::collections::BTreeMap::new();
    for demo in &set.interviews {
        let interview = store
            .add_interview(
                study_id,
                &site_id(&demo.site)?,
                Some(&demo.pseudonym),
                &InterviewDetails {
                    role: demo.role.clone(),
                    interviewed_on: Day::parse(&demo.interviewed_on)?,
                    mode: demo.mode.clone(),
                    interviewer: demo.interviewer.clone(),
                    consent_recorded_by: demo.consent_recorded_by.clone(),
                    status: InterviewStatus::Interviewed,
                },
                BY,
            )
            .await?;
        store
            .store_transcript(&interview, &demo.turns, 0, BY)
            .await?;
        store.accept_transcript(&interview, BY).await?;
        if demo.double_coded {
            store.set_double_coded(&interview, true, BY).await?;
        }
        interviews.insert(demo.pseudonym.clone(), interview);
    }
    let interview = |pseudonym: &str| {
        interviews
            .get(pseudonym)
            .with_context(|| format!("the demo has no interview {pseudonym}"))
    };
    for passage in &set.passages {
        store
            .add_passage(
                interview(&passage.interview)?,
                &passage.coder,
                &NewPassage {
                    turn: passage.turn,
                    span: passage.span,
                    codes: passage.codes.clone(),
                    memo: passage.memo.clone(),
                    report_quote: passage.report_quote,
                },
                BY,
            )
            .await?;
    }
    for summary in &set.summaries {
        store
            .set_summary(
                interview(&summary.interview)?,
                &summary.sub_theme,
                &summary.text,
                BY,
            )
            .await?;
    }
    for document in &set.documents {
        store
            .add_document(
                study_id,
                &DocumentDetails {
                    site_id: site_id(&document.site)?,
                    kind: document.kind.clone(),
                    title: document.title.clone(),
                    dated: (!document.dated.is_empty())
                        .then(|| Day::parse(&document.dated))
                        .transpose()?,
                    note: document.note.clone(),
                    ratings: document.ratings.clone(),
                },
                BY,
            )
            .await?;
    }
    Ok(())
}

/// The synthetic demonstration responses (`skafada demo-data`, calibrated to the report)
/// as the live study stores them, so that a new user sees a populated study.
///
/// The export also holds records the live journey never creates: links opened without
/// consenting, and records made by respondents coming back (the journey resumes the same
/// response instead). Those are left out; every other record keeps its site, status and
/// answers, and post-training responses stay linked to their respondents.
pub fn demo_responses(study: &NewStudy) -> anyhow::Result<DemoResponses> {
    let pre = skafada_instrument::load(&study.pre_instrument, "skafada-pre.toml")?;
    let post = skafada_instrument::parse(&study.post_instrument, "skafada-post.toml")?
        .validate(Some(&pre))?;
    let demo = skafada_demo::generate(&pre, &post, skafada_demo::DEFAULT_SEED)
        .context("Failed to generate the demo responses")?;
    let mut out = Vec::new();
    let mut starts = Vec::new();
    imported_records(
        &pre,
        &demo.pre,
        Phase::Pre,
        &demo.sites,
        &mut out,
        &mut starts,
    );
    imported_records(
        &post,
        &demo.post,
        Phase::Post,
        &demo.sites,
        &mut out,
        &mut starts,
    );
    Ok(DemoResponses {
        responses: out,
        starts,
    })
}

/// Records of an export as the live study stores them (see [`demo_responses`]): each
/// kept record is added to `out`, and each journey started from a site's link (every
/// pre-training record but a returning respondent's) to `starts`.
pub fn imported_records(
    instrument: &skafada_instrument::Instrument,
    data: &skafada_analysis::data::Responses,
    phase: Phase,
    sites: &[skafada_analysis::data::Site],
    out: &mut Vec<ImportedResponse>,
    starts: &mut Vec<(String, String)>,
) {
    use skafada_analysis::data::Status as RecordStatus;
    for row in 0..data.len() {
        let site_code = sites
            .get(data.site[row])
            .map(|s| s.site.clone())
            .unwrap_or_default();
        if phase == Phase::Pre && !data.returning[row] {
            starts.push((site_code.clone(), data.started_on[row].clone()));
        }
        let status = match data.status[row] {
            RecordStatus::Started => continue,
            _ if data.returning[row] => continue,
            RecordStatus::Consented if phase == Phase::Pre => Status::Consented,
            RecordStatus::Consented => Status::Started,
            RecordStatus::Submitted => Status::Submitted,
            RecordStatus::Ended => Status::ClosedByRouting,
        };
        out.push(ImportedResponse {
            respondent: data.respondent_id[row].clone(),
            site_code,
            phase,
            status,
            started_on: data.started_on[row].clone(),
            answers: skafada_demo::stored_answers(instrument, data, row),
        });
    }
}

/// The demo's responses as the live journey stores them, and its journeys started.
#[derive(Debug)]
pub struct DemoResponses {
    /// Responses with their answers.
    pub responses: Vec<ImportedResponse>,
    /// One (site code, day) per journey started from a site's link.
    pub starts: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_services_file_becomes_each_sites_json() {
        let json = parse_local_services(
            r#"
[[LA01]]
name = "Example refuge"
phone = "0100 000 000"

[[LA01]]
name = "Example DA champions"
url = "https://example.org/champions"
"#,
        )
        .unwrap();
        let la01: serde_json::Value = serde_json::from_str(&json["LA01"]).unwrap();
        assert_eq!(la01[0]["name"], "Example refuge");
        assert_eq!(la01[1]["url"], "https://example.org/champions");
        assert!(la01[0].get("url").is_none());
    }

    #[test]
    fn a_local_services_file_refuses_unknown_keys_and_unreachable_services() {
        let refused = |text: &str| {
            parse_local_services(text)
                .map(|_| ())
                .map_err(|e| format!("{e:#}"))
                .unwrap_err()
        };
        assert!(refused("[[LA01]]\nname = \"A\"\nphon = \"1\"\n").contains("unknown field"));
        assert_eq!(
            refused("[[LA01]]\nname = \"Refuge\"\nphone = \" \"\n"),
            "LA01, service 1 (Refuge): Enter a phone number, a text number or other contact, or a website"
        );
        assert_eq!(
            refused(
                "[[LA01]]\nname = \"A\"\nphone = \"1\"\n[[LA01]]\nname = \"B\"\nurl = \"javascript:x\"\n"
            ),
            "LA01, service 2 (B): Enter a website address starting https://"
        );
        assert_eq!(
            refused("[[LA02]]\nname = \" \"\nphone = \"1\"\n"),
            "LA02, service 1 (no name): Enter the name of the service"
        );
    }

    #[test]
    fn the_demo_local_services_are_fictional_and_list_services_for_every_demo_site() {
        let services = demo_local_services().unwrap();
        let codes: Vec<String> = demo_sites().into_iter().map(|site| site.code).collect();
        assert_eq!(services.keys().cloned().collect::<Vec<_>>(), codes);
        for (code, json) in &services {
            let list: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
            assert!(list.len() >= 2, "{code} lists {} services", list.len());
            for service in &list {
                let name = service["name"].as_str().unwrap();
                assert!(name.ends_with("(fictional)"), "{code}: {name}");
                if let Some(phone) = service.get("phone") {
                    // Ofcom's drama range: 01632 960000 to 960999.
                    let digits = phone.as_str().unwrap().replace(' ', "");
                    assert!(
                        digits.len() == 11 && digits.starts_with("01632960"),
                        "{code}: {name} has {phone}, outside Ofcom's drama range"
                    );
                }
                if let Some(url) = service.get("url") {
                    assert!(
                        url.as_str().unwrap().starts_with("https://example.org/"),
                        "{code}: {name} has {url}"
                    );
                }
            }
        }
        // Without --local-services, `serve --demo` gives every site these services.
        let files = DemoFiles::read(None, None).unwrap();
        assert_eq!(files.local_services, services);
    }

    #[test]
    fn the_example_module_folder_makes_a_demo_study_that_loads() {
        let folder =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../training/example-short-module");
        let files = DemoFiles::read(Some(&folder), None).unwrap();
        let (id, module) = files.module.clone().unwrap();
        assert_eq!(id, "example-short-module");
        let study = NewStudy {
            module_id: id,
            module_sources: module,
            ..demo_study(&crate::commands::content::skafada_content().unwrap())
        };
        skafada_web::check_demo_study(&study).unwrap();
    }

    #[test]
    fn the_demo_study_is_filled_with_the_calibrated_responses_the_live_journey_would_hold() {
        let dir = std::env::temp_dir().join(format!("skafada-demo-fill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("demo.sqlite").display());
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let store = Store::connect(&url).await.unwrap();
            let files = DemoFiles {
                with_responses: true,
                local_services: demo_local_services().unwrap(),
                ..DemoFiles::default()
            };
            let content = crate::commands::content::skafada_content().unwrap();
            ensure_demo_with(&store, &files, &content).await.unwrap();
            let study = store.studies().await.unwrap().remove(0);
            let sites = store.sites(&study.id).await.unwrap();
            assert_eq!(sites.len(), 11);
            // Each demo site is allocated to a delivery arm, in Table 2's order.
            let allocations = store.allocations(&study.id).await.unwrap();
            assert_eq!(allocations.len(), 11);
            for (place, (row, site)) in allocations.iter().zip(&sites).enumerate() {
                assert_eq!(row.position, place as u64);
                assert_eq!(row.unit_id, site.id, "{}", site.code);
            }
            for site in &sites {
                assert_eq!(
                    Some(&site.local_services),
                    files.local_services.get(&site.code),
                    "{} shows its fictional local services",
                    site.code
                );
            }
            assert!(
                study.synthetic,
                "reports and exports must say the data are synthetic"
            );
            let responses = store.study_responses(&study.id).await.unwrap();
            let count = |phase: Phase, status: Status| {
                responses
                    .iter()
                    .filter(|r| r.phase == phase && r.status == status)
                    .count()
            };
            // 450 raw records less 40 returning and 38 opened-but-empty ones, which the
            // live journey never creates; the 350 valid ones are submitted.
            assert_eq!(
                responses.iter().filter(|r| r.phase == Phase::Pre).count(),
                372
            );
            assert!(count(Phase::Pre, Status::Submitted) >= 350);
            assert_eq!(count(Phase::Pre, Status::ClosedByRouting), 5);
            assert_eq!(
                responses.iter().filter(|r| r.phase == Phase::Post).count(),
                72
            );
            let la08_post = responses
                .iter()
                .filter(|r| r.phase == Phase::Post && r.site_code == "LA08")
                .count();
            assert_eq!(
                la08_post, 24,
                "Table 3: 24 post-training responses at site 8"
            );
            // Post-training responses belong to respondents who answered the pre-training survey.
            let pre: std::collections::BTreeSet<&str> = responses
                .iter()
                .filter(|r| r.phase == Phase::Pre)
                .map(|r| r.respondent_id.as_str())
                .collect();
            assert!(
                responses
                    .iter()
                    .filter(|r| r.phase == Phase::Post)
                    .all(|r| pre.contains(r.respondent_id.as_str()))
            );
            let answers = store.study_answers(&study.id).await.unwrap();
            assert!(
                answers
                    .iter()
                    .any(|a| a.variable == "actions-parents" && a.value.contains(','))
            );
            store.close().await;
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
