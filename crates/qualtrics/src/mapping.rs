//! The mapping file: which Qualtrics column is which instrument variable, and how the
//! record columns (site, phase, pairing, completion) are found (`docs/qualtrics-import.md`).

use std::collections::BTreeMap;

use serde::Deserialize;
use skafada_analysis::data::Site;

use crate::ImportError;

/// How the export writes the answers to choice questions, as chosen in Qualtrics'
/// download dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueMode {
    /// "Use numeric values": each choice's recode value.
    Codes,
    /// "Use choice text": each choice's label.
    Labels,
}

/// A parsed mapping file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Mapping {
    /// The study's name, written to the export's manifest.
    pub study: String,
    /// Whether choice cells hold numeric values or choice text.
    pub values: ValueMode,
    /// The cell Qualtrics writes for a question seen but not answered, when the export
    /// option "Recode seen but unanswered questions as -99" is set.
    #[serde(default = "default_seen_unanswered")]
    pub seen_unanswered: String,
    /// The instrument files, relative to the mapping file.
    pub instruments: InstrumentFiles,
    /// Where each record's site, phase, respondent and dates are found.
    #[serde(default)]
    pub record: RecordColumns,
    /// The values of the phase column, when one export holds both phases.
    pub phases: Option<PhaseValues>,
    /// The study's sites, written to `sites.csv`.
    pub sites: Vec<Site>,
    /// Pre-training columns: Qualtrics column name or ImportId, to variable.
    #[serde(default)]
    pub pre: BTreeMap<String, Target>,
    /// Post-training columns: Qualtrics column name or ImportId, to variable.
    #[serde(default)]
    pub post: BTreeMap<String, Target>,
}

fn default_seen_unanswered() -> String {
    "-99".into()
}

/// The instrument files a mapping maps to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InstrumentFiles {
    /// The pre-training instrument.
    pub pre: String,
    /// The post-training instrument, when the export holds post-training responses.
    pub post: Option<String>,
}

/// The Qualtrics columns (names or ImportIds) that give each record's own columns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordColumns {
    /// The column holding the site code (usually embedded data set from the site's link).
    pub site: Option<String>,
    /// The one site of every record, when the export has no site column.
    pub fixed_site: Option<String>,
    /// Values of the site column that are not site codes, mapped to site codes.
    #[serde(default)]
    pub site_values: BTreeMap<String, String>,
    /// The column saying whether a record is pre- or post-training, when one export
    /// holds both.
    pub phase: Option<String>,
    /// The column whose value pairs a respondent's pre- and post-training records (for
    /// example embedded data carrying the resume code). Its values are replaced by new
    /// identifiers and never reach the output.
    pub respondent: Option<String>,
    /// A column that is `1` for a record made by a respondent returning to the survey.
    pub returning: Option<String>,
    /// The column of the date the record was started.
    #[serde(default = "default_started_on")]
    pub started_on: String,
    /// The column saying whether the respondent reached the end of the survey.
    #[serde(default = "default_finished")]
    pub finished: String,
    /// The column of Qualtrics' response type (IP Address, Survey Preview, ...).
    #[serde(default = "default_status")]
    pub status: String,
}

impl Default for RecordColumns {
    fn default() -> Self {
        RecordColumns {
            site: None,
            fixed_site: None,
            site_values: BTreeMap::new(),
            phase: None,
            respondent: None,
            returning: None,
            started_on: default_started_on(),
            finished: default_finished(),
            status: default_status(),
        }
    }
}

fn default_started_on() -> String {
    "StartDate".into()
}

fn default_finished() -> String {
    "Finished".into()
}

fn default_status() -> String {
    "Status".into()
}

/// The values of the phase column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PhaseValues {
    /// The value marking a pre-training record.
    pub pre: String,
    /// The value marking a post-training record.
    pub post: String,
}

/// What one Qualtrics column is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Target {
    /// A variable of the instrument (a column of the response export), or a multiple
    /// choice item whose ticked options the cell lists.
    Variable(String),
    /// A variable, with Qualtrics values that differ from the instrument's codes and labels.
    Recoded {
        /// The variable or multiple choice item.
        variable: String,
        /// Qualtrics value (numeric value or choice text), to the instrument's code.
        values: BTreeMap<String, u32>,
    },
}

impl Target {
    /// The variable or item the column maps to.
    pub fn variable(&self) -> &str {
        match self {
            Target::Variable(variable) | Target::Recoded { variable, .. } => variable,
        }
    }

    /// The mapping's own values for the column, if any.
    pub fn values(&self) -> Option<&BTreeMap<String, u32>> {
        match self {
            Target::Variable(_) => None,
            Target::Recoded { values, .. } => Some(values),
        }
    }
}

impl Mapping {
    /// Parses a mapping file; the instruments it names are read by the caller.
    pub fn parse(text: &str, file: &str) -> Result<Mapping, ImportError> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| ImportError::Mapping {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let refuse = |message: String| {
            Err(ImportError::Mapping {
                file: file.to_owned(),
                message,
            })
        };
        match (&mapping.record.site, &mapping.record.fixed_site) {
            (Some(_), Some(_)) => {
                return refuse("[record] has both `site` and `fixed-site`; give one".into());
            }
            (None, None) => {
                return refuse(
                    "[record] needs `site` (the column holding the site code) or `fixed-site`"
                        .into(),
                );
            }
            _ => {}
        }
        if mapping.sites.is_empty() {
            return refuse("the mapping lists no [[sites]]".into());
        }
        if let Some(site) = &mapping.record.fixed_site
            && !mapping.sites.iter().any(|s| &s.site == site)
        {
            return refuse(format!("fixed-site `{site}` is not one of the [[sites]]"));
        }
        for (value, site) in &mapping.record.site_values {
            if !mapping.sites.iter().any(|s| &s.site == site) {
                return refuse(format!(
                    "site-values maps `{value}` to `{site}`, which is not one of the [[sites]]"
                ));
            }
        }
        if mapping.record.phase.is_some() != mapping.phases.is_some() {
            return refuse(
                "[record] phase (the phase column) and [phases] (its values) go together".into(),
            );
        }
        if !mapping.post.is_empty() && mapping.instruments.post.is_none() {
            return refuse("[post] maps columns but [instruments] names no post instrument".into());
        }
        if mapping.pre.is_empty() {
            return refuse("[pre] maps no columns".into());
        }
        Ok(mapping)
    }
}
