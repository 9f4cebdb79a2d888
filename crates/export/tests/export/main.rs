//! Integration tests of the exports on the SKAFADA instruments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod codebook;
mod external;
mod formulas;
mod matrix;
mod report;
mod sav;
mod scope;
mod xlsx;

use std::collections::HashMap;

use skafada_analysis::data::{Record, Responses, Site, Status, VariableKind, variables};
use skafada_analysis::plan::{Data, Plan};
use skafada_analysis::records::Outcomes;
use skafada_export::ExportOptions;
use skafada_instrument::Instrument;

pub const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
pub const POST: &str = include_str!("../../../../instruments/skafada-post.toml");
pub const PLAN: &str = include_str!("../../../../plans/skafada.toml");

pub fn plan() -> Plan {
    Plan::parse(PLAN, "plans/skafada.toml").unwrap()
}

/// Which survey an instrument is.
pub fn survey(instrument: &Instrument) -> Data {
    if instrument.id == post_instrument().id {
        Data::Post
    } else {
        Data::Pre
    }
}

/// The SKAFADA plan's outcomes for the records (the test sites).
pub fn outcomes(instrument: &Instrument, responses: &Responses) -> Outcomes {
    skafada_analysis::records::outcomes(
        &plan(),
        survey(instrument),
        &sites(),
        instrument,
        responses,
    )
}

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

pub fn sites() -> Vec<Site> {
    (1..=3)
        .map(|i| Site {
            site: format!("LA{i:02}"),
            name: format!("Site {i}"),
            region: "North".into(),
        })
        .collect()
}

pub fn options() -> ExportOptions {
    ExportOptions {
        study: "Test study".into(),
        date: "2026-11-24".into(),
        synthetic: true,
        labels: false,
        scope: String::new(),
    }
}

/// A small deterministic generator (xorshift), so the data vary without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` records spread over the three sites: every code of every question occurs (the
/// "prefer not to say" and "not applicable" codes among them), some cells are empty, and
/// some texts are long (beyond SPSS's 255-byte short strings) or not ASCII.
pub fn responses(instrument: &Instrument, n: usize, seed: u64) -> Responses {
    let specs = variables(instrument);
    let mut rng = Rng(seed.max(1));
    let mut responses = Responses::default();
    for i in 0..n {
        let mut values = HashMap::new();
        let mut texts = HashMap::new();
        for variable in &specs {
            if rng.below(10) == 0 {
                continue;
            }
            match &variable.kind {
                VariableKind::Code(codes) => {
                    values.insert(variable.id.clone(), codes[rng.below(codes.len())] as i32);
                }
                VariableKind::Tick => {
                    values.insert(variable.id.clone(), rng.below(2) as i32);
                }
                VariableKind::Agreed => {
                    values.insert(variable.id.clone(), 1);
                }
                VariableKind::Number => {
                    values.insert(variable.id.clone(), 1990 + rng.below(30) as i32);
                }
                VariableKind::Text => {
                    let text = match rng.below(4) {
                        0 => format!("Café training, naïve “quotes” ✓ record {i}"),
                        1 => "A long answer. ".repeat(30).trim_end().to_owned(),
                        _ => format!("Answer {i}"),
                    };
                    texts.insert(variable.id.clone(), text);
                }
            }
        }
        responses.push(
            Record {
                response_id: format!("r{i:04}"),
                respondent_id: format!("p{i:04}"),
                site: i % 3,
                status: Status::Submitted,
                returning: i % 7 == 0,
                started_on: "2023-06-15".into(),
                values,
                texts,
            },
            &specs,
        );
    }
    responses
}
