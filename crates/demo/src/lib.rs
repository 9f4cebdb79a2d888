//! Synthetic SKAFADA responses, calibrated by construction.
//!
//! [`generate`] builds a response export for the eleven sites of the SKAFADA report:
//! 450 raw pre-training records (100 of which the study's cleaning rule removes), 350 valid
//! ones and 72 post-training responses linked to pre-training respondents. The data are
//! **synthetic**: no real person answered them. They are built, not sampled: every
//! published count is laid out exactly (for example Table 5's 318 female, 30 male and 2
//! other respondents) and dealt to respondents with a seeded shuffle; associations the
//! report describes are laid out as joint counts (for example previous training by
//! confidence in documenting domestic abuse). After cleaning, `skafada analyse` reproduces
//! Tables 3 and 5-17 as printed, errata aside (`docs/demo-data.md`).
//!
//! The crate does no I/O and is deterministic: the same seed gives the same bytes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod case_studies;
mod post;
mod pre;
pub mod rng;
pub mod sheet;
mod stored;
pub mod texts;

pub use stored::stored_answers;

use skafada_analysis::data::{
    Manifest, Record, Responses, Site, Status, codebook_csv, sites_csv, variables,
};
use skafada_instrument::Instrument;

use crate::rng::Rng;
use crate::sheet::Sheet;

/// The default seed of `skafada demo-data`.
pub const DEFAULT_SEED: u64 = 2024;

/// Why demonstration data could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    /// The instrument has no variable the generator answers (the instrument was changed).
    #[error(
        "instrument `{instrument}` has no variable `{variable}` that the demonstration data answer"
    )]
    UnknownVariable {
        /// The instrument.
        instrument: String,
        /// The variable.
        variable: String,
    },
    /// The calibration tables do not fit together (a bug in this crate).
    #[error("calibration: {0}")]
    Calibration(String),
}

/// The eleven sites of Table 3: code, name as printed, region.
pub const SITES: [(&str, &str, &str); 11] = [
    ("LA01", "1", "North"),
    ("LA02", "2", "South"),
    ("LA03", "3", "East"),
    ("LA04", "4", "London"),
    ("LA05", "5", "Midlands"),
    ("LA06", "6", "North"),
    ("LA07", "7", "North"),
    ("LA08", "8", "Midlands"),
    ("LA09", "9", "South"),
    ("LA10", "10", "South"),
    ("LA11", "11", "South"),
];

/// The demo sites' local services (`local-services.toml`): for each code of [`SITES`],
/// fictional services with telephone numbers from Ofcom's drama range and example.org
/// addresses, in the format of `skafada serve --local-services`.
pub const LOCAL_SERVICES: &str = include_str!("../local-services.toml");

/// Valid pre-training responses per site (Table 3, main survey).
pub const MAIN_BY_SITE: [usize; 11] = [65, 28, 18, 9, 59, 43, 5, 44, 12, 12, 55];

/// Post-training responses per site (Table 3, post-training survey).
pub const POST_BY_SITE: [usize; 11] = [11, 3, 0, 0, 12, 10, 1, 24, 1, 1, 9];

/// A generated demonstration study.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The manifest (`synthetic = true`).
    pub manifest: Manifest,
    /// The eleven sites.
    pub sites: Vec<Site>,
    /// Raw pre-training records (450), before cleaning.
    pub pre: Responses,
    /// Post-training records (72).
    pub post: Responses,
}

/// The text of each file of a demonstration export (the instruments are copied by the caller).
#[derive(Debug, Clone)]
pub struct DemoFiles {
    /// `manifest.toml`.
    pub manifest: String,
    /// `sites.csv`.
    pub sites: String,
    /// `pre.csv`.
    pub pre: String,
    /// `post.csv`.
    pub post: String,
    /// `codebook.csv`.
    pub codebook: String,
}

impl Demo {
    /// Writes the export's files in the export format (`docs/export-format.md`).
    ///
    /// # Errors
    /// [`skafada_analysis::data::DataError::Write`] when a file cannot be written.
    pub fn files(
        &self,
        pre: &Instrument,
        post: &Instrument,
    ) -> Result<DemoFiles, skafada_analysis::data::DataError> {
        Ok(DemoFiles {
            manifest: self.manifest.to_toml()?,
            sites: sites_csv(&self.sites)?,
            pre: self.pre.to_csv(pre, &self.sites)?,
            post: self.post.to_csv(post, &self.sites)?,
            codebook: codebook_csv(&[pre, post])?,
        })
    }
}

/// One record to be written: the sheet row it comes from and its record columns.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub respondent_id: String,
    pub site: usize,
    pub status: Status,
    pub returning: bool,
    pub started_on: String,
}

/// Generates the demonstration study from the SKAFADA instruments.
pub fn generate(pre: &Instrument, post: &Instrument, seed: u64) -> Result<Demo, DemoError> {
    let mut rng = Rng::new(seed);
    let built = pre::build(&mut rng)?;
    let post_built = post::build(&mut rng, &built)?;
    let pre_responses = to_responses(pre, &built.sheet, &built.meta, "pre")?;
    let post_responses = to_responses(post, &post_built.sheet, &post_built.meta, "post")?;
    Ok(Demo {
        manifest: Manifest {
            format: "skafada-export".into(),
            version: 1,
            study: "SKAFADA demonstration study (synthetic data calibrated to the 2024 report)"
                .into(),
            synthetic: true,
            pre: "instruments/skafada-pre.toml".into(),
            post: Some("instruments/skafada-post.toml".into()),
            follow_up: Vec::new(),
        },
        sites: SITES
            .iter()
            .map(|(site, name, region)| Site {
                site: (*site).into(),
                name: (*name).into(),
                region: (*region).into(),
            })
            .collect(),
        pre: pre_responses,
        post: post_responses,
    })
}

fn to_responses(
    instrument: &Instrument,
    sheet: &Sheet,
    meta: &[Meta],
    prefix: &str,
) -> Result<Responses, DemoError> {
    let specs = variables(instrument);
    for variable in sheet.variables() {
        if !specs.iter().any(|v| v.id == variable) {
            return Err(DemoError::UnknownVariable {
                instrument: instrument.id.clone(),
                variable: variable.to_owned(),
            });
        }
    }
    // Records in the order they were created.
    let mut order: Vec<usize> = (0..meta.len()).collect();
    order.sort_by(|a, b| meta[*a].started_on.cmp(&meta[*b].started_on).then(a.cmp(b)));
    let mut responses = Responses::default();
    for (number, &row) in order.iter().enumerate() {
        let m = &meta[row];
        responses.push(
            Record {
                response_id: format!("{prefix}-{:04}", number + 1),
                respondent_id: m.respondent_id.clone(),
                site: m.site,
                status: m.status,
                returning: m.returning,
                started_on: m.started_on.clone(),
                values: sheet
                    .values_of(row)
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
                texts: sheet
                    .texts_of(row)
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            },
            &specs,
        );
    }
    Ok(responses)
}

/// A date in the survey window (15 May to 24 July 2023), `day` days after it opened.
pub(crate) fn survey_date(day: usize) -> String {
    let day = day.min(70);
    if day < 17 {
        format!("2023-05-{:02}", 15 + day)
    } else if day < 47 {
        format!("2023-06-{:02}", day - 16)
    } else {
        format!("2023-07-{:02}", day - 46)
    }
}
