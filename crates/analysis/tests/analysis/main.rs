//! Integration tests of the analysis engine on the SKAFADA instruments and plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod by_arm;
mod cleaning;
mod contract;
mod declarations;
mod derived;
mod over_time;
mod prepost;
mod read;
mod records;
mod silent;
mod tables_and_tests;

use std::collections::HashMap;

use skafada_analysis::data::{
    Dataset, ExportFiles, Manifest, Record, Responses, Site, Status, sites_csv, variables,
};
use skafada_analysis::plan::Plan;
use skafada_instrument::Instrument;

pub const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
pub const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
pub const PLAN: &str = include_str!("../../../../plans/skafada.toml");

pub fn pre_instrument() -> Instrument {
    skafada_instrument::load(PRE, "skafada-pre.toml").unwrap()
}

pub fn post_instrument() -> Instrument {
    let pre = pre_instrument();
    skafada_instrument::parse(POST, "skafada-post.toml")
        .unwrap()
        .validate(Some(&pre))
        .unwrap()
}

pub fn plan() -> Plan {
    Plan::parse(PLAN, "plans/skafada.toml").unwrap()
}

pub fn sites() -> Vec<Site> {
    (1..=3)
        .map(|i| Site {
            site: format!("LA{i:02}"),
            name: format!("Site {i}"),
            region: "North".into(),
        })
        .collect()
}

/// A record builder: every answer a fully consenting local-authority respondent gives,
/// with `overrides` applied (a value of `None` removes the answer).
#[derive(Debug)]
pub struct Respondent {
    pub id: String,
    pub site: usize,
    pub status: Status,
    pub returning: bool,
    pub values: HashMap<String, i32>,
    pub texts: HashMap<String, String>,
}

impl Respondent {
    /// A complete pre-training response: consent, local authority, every item answered.
    pub fn complete(id: &str, instrument: &Instrument) -> Respondent {
        let mut values = HashMap::new();
        let mut texts = HashMap::new();
        for variable in variables(instrument) {
            use skafada_analysis::data::VariableKind;
            match &variable.kind {
                VariableKind::Code(codes) => {
                    values.insert(variable.id.clone(), codes[0] as i32);
                }
                VariableKind::Tick => {
                    values.insert(variable.id.clone(), i32::from(variable.id.ends_with(".1")));
                }
                VariableKind::Agreed => {
                    values.insert(variable.id.clone(), 1);
                }
                VariableKind::Number => {
                    values.insert(variable.id.clone(), 2015);
                }
                // Free-text questions are answered; "please specify" follow-ups are not asked.
                VariableKind::Text if variable.id == variable.item => {
                    texts.insert(variable.id.clone(), "An answer".to_owned());
                }
                VariableKind::Text => {}
            }
        }
        // A local-authority case holder: the routing then skips the employer and
        // non-case-holder questions, so they are left unanswered.
        values.insert("works-for-la".into(), 1);
        values.remove("employer");
        values.insert("holds-cases".into(), 1);
        values.insert("cases-held".into(), 12);
        values.remove("families-worked-with");
        Respondent {
            id: id.to_owned(),
            site: 0,
            status: Status::Submitted,
            returning: false,
            values,
            texts,
        }
    }

    pub fn set(mut self, variable: &str, value: i32) -> Self {
        self.values.insert(variable.to_owned(), value);
        self
    }

    pub fn text(mut self, variable: &str, value: &str) -> Self {
        self.texts.insert(variable.to_owned(), value.to_owned());
        self
    }

    pub fn clear(mut self, variable: &str) -> Self {
        self.values.remove(variable);
        self.texts.remove(variable);
        self
    }

    pub fn at_site(mut self, site: usize) -> Self {
        self.site = site;
        self
    }

    pub fn record(&self, suffix: &str) -> Record {
        Record {
            response_id: format!("{}-{suffix}", self.id),
            respondent_id: self.id.clone(),
            site: self.site,
            status: self.status,
            returning: self.returning,
            started_on: "2023-06-15".into(),
            values: self.values.clone(),
            texts: self.texts.clone(),
        }
    }
}

/// A post-training response with every statement answered with the first code.
pub fn post_respondent(id: &str, instrument: &Instrument) -> Respondent {
    let mut respondent = Respondent::complete(id, instrument);
    respondent.values.retain(|k, _| {
        !k.starts_with("works-") && !k.starts_with("cases") && !k.starts_with("holds")
    });
    respondent.texts.clear();
    respondent
}

/// Builds a dataset by writing the records as an export and reading it back, so every
/// test also exercises the export format.
pub fn dataset(pre: &[Respondent], post: &[Respondent]) -> Dataset {
    dataset_of(
        pre.iter().map(|r| r.record("pre")).collect(),
        post.iter().map(|r| r.record("post")).collect(),
    )
}

/// As [`dataset`], from records as they are (ids included).
pub fn dataset_of(pre: Vec<Record>, post: Vec<Record>) -> Dataset {
    dataset_with_follow_up(pre, post, None)
}

/// As [`dataset_of`], with a follow-up wave `follow-up-3m` answering the post-training
/// survey.
pub fn dataset_with_follow_up(
    pre: Vec<Record>,
    post: Vec<Record>,
    follow_up: Option<Vec<Record>>,
) -> Dataset {
    let pre_instrument = pre_instrument();
    let post_instrument = post_instrument();
    let sites = sites();
    let mut pre_responses = Responses::default();
    let pre_variables = variables(&pre_instrument);
    for r in pre {
        pre_responses.push(r, &pre_variables);
    }
    let mut post_responses = Responses::default();
    let post_variables = variables(&post_instrument);
    for r in post {
        post_responses.push(r, &post_variables);
    }
    let manifest = Manifest {
        format: "skafada-export".into(),
        version: 1,
        study: "Test study".into(),
        synthetic: true,
        pre: "instruments/skafada-pre.toml".into(),
        post: Some("instruments/skafada-post.toml".into()),
        follow_up: follow_up
            .iter()
            .map(|_| "follow-up-3m".to_owned())
            .collect(),
    };
    let follow_up_csv = follow_up.map(|records| {
        let mut responses = Responses::default();
        for r in records {
            responses.push(r, &post_variables);
        }
        (
            "follow-up-3m".to_owned(),
            responses.to_csv(&post_instrument, &sites).unwrap(),
        )
    });
    let files = ExportFiles {
        manifest: manifest.to_toml().unwrap(),
        sites: sites_csv(&sites).unwrap(),
        pre_instrument: PRE.into(),
        post_instrument: Some(POST.into()),
        pre: pre_responses.to_csv(&pre_instrument, &sites).unwrap(),
        post: Some(post_responses.to_csv(&post_instrument, &sites).unwrap()),
        follow_up: follow_up_csv.into_iter().collect(),
        arms: None,
    };
    Dataset::from_files(&files).unwrap()
}

/// Respondents who differ only in previous training and confidence in documenting: each
/// `(trained, answer, count)` gives `count` of them.
pub fn trained_by_documenting(cells: &[(i32, i32, usize)]) -> Vec<Respondent> {
    let instrument = pre_instrument();
    let mut respondents = Vec::new();
    for &(trained, answer, count) in cells {
        for i in 0..count {
            respondents.push(
                Respondent::complete(&format!("{trained}-{answer}-{i}"), &instrument)
                    .set("trained", trained)
                    .set("confidence-documenting", answer),
            );
        }
    }
    respondents
}

/// The test of association of `outcome` in `family`.
pub fn association<'a>(
    analysis: &'a skafada_analysis::Analysis,
    family: &str,
    outcome: &str,
) -> &'a skafada_analysis::run::AssociationResult {
    analysis
        .tests
        .iter()
        .find_map(|t| match t {
            skafada_analysis::run::TestResult::Association(a)
                if a.family == family && a.outcome == outcome =>
            {
                Some(a.as_ref())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no test of {outcome} in {family}"))
}
