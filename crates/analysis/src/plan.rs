//! The analysis plan as data (`plans/*.toml`, documented in `docs/analysis-plan.md`).
//!
//! A plan says how to clean the responses, which variables to derive, which tables to
//! build, which families of tests of association to run and which pre/post comparisons
//! to make. A researcher changes the plan, not the code.

use serde::Deserialize;

/// Why a plan was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct PlanError {
    /// The plan file.
    pub file: String,
    /// What is wrong, with line and column where the TOML reader gives them.
    pub message: String,
}

/// A whole analysis plan.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Plan {
    /// Stable identifier.
    pub id: String,
    /// Title of the analysis.
    pub title: String,
    /// The plan's own version, e.g. "1.0, 10 May 2023", shown beside its SHA-256 where
    /// the plan is pre-registered.
    #[serde(default)]
    pub version: Option<String>,
    /// p-values at or below this are reported as significant (the study used .01).
    #[serde(default = "default_significance")]
    pub significance: f64,
    /// How p-values are adjusted within each family of tests.
    #[serde(default)]
    pub adjustment: Adjustment,
    /// Whether "prefer not to say" and "not applicable" answers count in the base of Valid %
    /// in frequency tables; the SPSS export's user-missing declarations follow it.
    #[serde(default)]
    pub valid_percent_base: ValidPercentBase,
    /// The cleaning rules.
    #[serde(default)]
    pub cleaning: Cleaning,
    /// Derived variables, computed in order (a later one may use an earlier one).
    #[serde(default)]
    pub derive: Vec<Derive>,
    /// The tables and figures.
    #[serde(default)]
    pub table: Vec<Table>,
    /// Families of tests of association.
    #[serde(default)]
    pub association: Vec<Association>,
    /// Pre/post comparisons.
    #[serde(default)]
    pub prepost: Vec<PrePost>,
    /// Scale reliability analyses.
    #[serde(default)]
    pub reliability: Vec<Reliability>,
    /// Headline measures for the sites' dashboards (`headline::measures` resolves them).
    #[serde(default)]
    pub headline: Vec<Headline>,
    /// How a site's dashboard finds the similar sites it is compared with.
    #[serde(default)]
    pub similar_sites: SimilarSites,
    /// What a follow-up wave's attrition is checked against (`[attrition]`).
    #[serde(default)]
    pub attrition: Attrition,
    /// Within-person change between two surveys (`[[change]]`).
    #[serde(default)]
    pub change: Vec<Change>,
    /// Retention of the training's gain at a follow-up wave (`[[retention]]`).
    #[serde(default)]
    pub retention: Vec<Retention>,
    /// Delivery arms compared on the share improving (`[[arm-comparison]]`).
    #[serde(default)]
    pub arm_comparison: Vec<ArmsCompared>,
}

/// The survey before the training, by name in the plan.
pub const BEFORE: &str = "pre";
/// The survey after the training, by name in the plan.
pub const AFTER: &str = "post";

/// Within-person change of the statements of some `[[prepost]]` families between two
/// surveys: `pre`, `post` or a follow-up wave by its id (`follow-up-3m`). McNemar's exact
/// test, Holm-adjusted across the declaration's statements, with Newcombe's interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Change {
    /// Identifier.
    pub id: String,
    /// What is compared, e.g. "From before the training to three months after".
    pub title: String,
    /// `[[prepost]]` families: their statements, what each counts and its direction.
    pub families: Vec<String>,
    /// The earlier survey.
    pub from: String,
    /// The later survey.
    pub to: String,
}

/// Retention at a follow-up wave of the gain made during the training: of those whose
/// answer became the favourable one between `pre` and `post`, how many still gave it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Retention {
    /// Identifier.
    pub id: String,
    /// What is retained, e.g. "Still there three months after the training".
    pub title: String,
    /// `[[prepost]]` families with an expected direction.
    pub families: Vec<String>,
    /// The follow-up wave, by id.
    pub wave: String,
}

/// Delivery arms compared on the share improving from one survey to another, with
/// Newcombe's interval, the pooled z-test Holm-adjusted across the declaration's
/// comparisons, and Cohen's h.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ArmsCompared {
    /// Identifier.
    pub id: String,
    /// What is compared, e.g. "Improving during the training".
    pub title: String,
    /// `[[prepost]]` families with an expected direction.
    pub families: Vec<String>,
    /// The earlier survey.
    pub from: String,
    /// The later survey.
    pub to: String,
    /// Two arms, compared first minus second; every pair of the data's arms when empty.
    #[serde(default)]
    pub arms: Vec<String>,
}

/// The rule for a site's similar sites: the sites sharing the first characteristic in
/// `by` that makes a group of at least `min-sites` sites (the site included) and fewer
/// than all of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SimilarSites {
    /// Site characteristics (Table 2 of the report), tried in order.
    pub by: Vec<SiteCharacteristic>,
    /// The fewest sites, the site included, a group may have. Fewer than five would let
    /// the LA contacts of two of them together read too much of the others'.
    #[serde(default = "five")]
    pub min_sites: usize,
}

fn five() -> usize {
    5
}

impl Default for SimilarSites {
    /// Area type, then model of practice, then deprivation quintile, then region.
    fn default() -> Self {
        SimilarSites {
            by: vec![
                SiteCharacteristic::AreaType,
                SiteCharacteristic::ModelOfPractice,
                SiteCharacteristic::DeprivationQuintile,
                SiteCharacteristic::Region,
            ],
            min_sites: 5,
        }
    }
}

/// A characteristic a study records for each site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteCharacteristic {
    /// Urban, rural or mixed.
    AreaType,
    /// The model of practice.
    ModelOfPractice,
    /// The Index of Multiple Deprivation quintile.
    DeprivationQuintile,
    /// Region of England.
    Region,
    /// Ethnicity, collapsed, as reported.
    Ethnicity,
    /// Population, as reported.
    Population,
}

impl SiteCharacteristic {
    /// How pages name it, e.g. "area type".
    pub fn name(self) -> &'static str {
        match self {
            SiteCharacteristic::AreaType => "area type",
            SiteCharacteristic::ModelOfPractice => "model of practice",
            SiteCharacteristic::DeprivationQuintile => "deprivation quintile",
            SiteCharacteristic::Region => "region",
            SiteCharacteristic::Ethnicity => "ethnic make-up",
            SiteCharacteristic::Population => "population",
        }
    }
}

fn derive_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "recode" => &[
            "from",
            "each-row-of",
            "categories",
            "specify",
            "other",
            "text-rules",
        ],
        "bands" => &["from", "subtract-from", "bands"],
        "rules" => &["categories"],
        "text-categories" => &["from", "categories"],
        "answer-key" => &["key"],
        _ => &[],
    }
}

fn table_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "frequencies" => &["sections", "percent-column", "total-row"],
        "side-by-side" => &["groups", "total-row"],
        "multi-response" => &["set", "descending", "last"],
        "matrix" => &["item", "derived", "percent-only"],
        "difficulty" => &["key"],
        _ => &[],
    }
}

fn check_keys(
    plan: &toml::Table,
    array: &str,
    common: &[&str],
    by_kind: fn(&str) -> &'static [&'static str],
    file: &str,
) -> Result<(), PlanError> {
    let entries = plan
        .get(array)
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for entry in entries {
        let Some(table) = entry.as_table() else {
            continue;
        };
        let kind = table
            .get("kind")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let id = table.get("id").and_then(toml::Value::as_str).unwrap_or("?");
        let allowed = by_kind(kind);
        if let Some(key) = table
            .keys()
            .find(|k| !common.contains(&k.as_str()) && !allowed.contains(&k.as_str()))
        {
            return Err(PlanError {
                file: file.to_owned(),
                message: format!("[[{array}]] `{id}`: unknown key `{key}` for kind `{kind}`"),
            });
        }
    }
    Ok(())
}

/// Checks the `[[change]]`, `[[retention]]` and `[[arm-comparison]]` declarations against
/// the plan's families. Which follow-up waves exist is the data's to say, so a wave id is
/// checked when the analysis runs.
fn check_over_time(plan: &Plan) -> Result<(), String> {
    let mut ids = std::collections::HashSet::new();
    let declared = plan
        .change
        .iter()
        .map(|c| ("change", &c.id, &c.families))
        .chain(
            plan.retention
                .iter()
                .map(|r| ("retention", &r.id, &r.families)),
        )
        .chain(
            plan.arm_comparison
                .iter()
                .map(|a| ("arm-comparison", &a.id, &a.families)),
        );
    let directed = |what: &str| what != "change";
    for (what, id, families) in declared {
        if !ids.insert(id.clone()) {
            return Err(format!("[[{what}]] identifier `{id}` is used twice"));
        }
        if families.is_empty() {
            return Err(format!("[[{what}]] `{id}` names no `families`"));
        }
        for family in families {
            let Some(found) = plan.prepost.iter().find(|p| &p.id == family) else {
                return Err(format!(
                    "[[{what}]] `{id}` names the family `{family}`, which is not a [[prepost]] id"
                ));
            };
            if directed(what) && found.alternative == Direction::TwoSided {
                return Err(format!(
                    "[[{what}]] `{id}` names the family `{family}`, which expects no direction (`alternative = \"two-sided\"`), so no answer counts as a gain"
                ));
            }
        }
    }
    let surveys = plan
        .change
        .iter()
        .map(|c| ("change", &c.id, &c.from, &c.to))
        .chain(
            plan.arm_comparison
                .iter()
                .map(|a| ("arm-comparison", &a.id, &a.from, &a.to)),
        );
    for (what, id, from, to) in surveys {
        if from == to {
            return Err(format!(
                "[[{what}]] `{id}` compares `{from}` with itself; `from` and `to` must be two surveys"
            ));
        }
        if to == BEFORE {
            return Err(format!(
                "[[{what}]] `{id}` has `to = \"{to}\"`; the later survey cannot be the one before the training"
            ));
        }
        if from != BEFORE && from != AFTER && to == AFTER {
            return Err(format!(
                "[[{what}]] `{id}` goes from the follow-up wave `{from}` back to `post`; `from` must be the earlier survey"
            ));
        }
    }
    for retention in &plan.retention {
        if retention.wave == BEFORE || retention.wave == AFTER {
            return Err(format!(
                "[[retention]] `{}` has `wave = \"{}\"`; retention is measured at a follow-up wave",
                retention.id, retention.wave
            ));
        }
    }
    for comparison in &plan.arm_comparison {
        let arms = &comparison.arms;
        if !(arms.is_empty() || (arms.len() == 2 && arms[0] != arms[1])) {
            return Err(format!(
                "[[arm-comparison]] `{}` has `arms` {arms:?}; give two different arms, or none to compare every pair",
                comparison.id
            ));
        }
    }
    Ok(())
}

fn default_significance() -> f64 {
    0.01
}

impl Plan {
    /// Every table, test family, pre/post comparison and reliability check by id, with a
    /// title that reads on its own ("Tests of association by site"), for documents that
    /// refer to the plan's items, such as the findings by research question.
    pub fn item_titles(&self) -> std::collections::BTreeMap<String, String> {
        let tables = self.table.iter().map(|t| (t.id.clone(), t.title.clone()));
        let associations = self
            .association
            .iter()
            .map(|a| (a.id.clone(), format!("Tests of association by {}", a.title)));
        let prepost = self.prepost.iter().map(|p| {
            (
                p.id.clone(),
                format!("Before and after training: {}", p.title),
            )
        });
        let reliability = self
            .reliability
            .iter()
            .map(|r| (r.id.clone(), format!("Reliability: {}", r.title)));
        tables
            .chain(associations)
            .chain(prepost)
            .chain(reliability)
            .collect()
    }

    /// Parses a plan file's text. `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| PlanError {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        // `[[derive]]` and `[[table]]` entries are flattened enums, which serde cannot
        // check for unknown keys; check them here so that a typo is never silently ignored.
        let value: toml::Table = toml::from_str(text).map_err(|e| PlanError {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        check_keys(
            &value,
            "derive",
            &["id", "label", "kind"],
            derive_keys,
            file,
        )?;
        check_keys(
            &value,
            "table",
            &["id", "title", "data", "decimals", "notes", "kind"],
            table_keys,
            file,
        )?;
        let mut ids = std::collections::HashSet::new();
        for id in plan
            .table
            .iter()
            .map(|t| &t.id)
            .chain(plan.derive.iter().map(|d| &d.id))
        {
            if !ids.insert(id.clone()) {
                return Err(PlanError {
                    file: file.to_owned(),
                    message: format!("identifier `{id}` is used twice"),
                });
            }
        }
        check_over_time(&plan).map_err(|message| PlanError {
            file: file.to_owned(),
            message,
        })?;
        if plan.similar_sites.min_sites < 5 {
            return Err(PlanError {
                file: file.to_owned(),
                message: "`similar-sites.min-sites` must be at least 5: a smaller group would let the LA contacts of two of its sites together read too much of the others'".into(),
            });
        }
        if !(plan.significance > 0.0 && plan.significance < 1.0) {
            return Err(PlanError {
                file: file.to_owned(),
                message: "`significance` must be between 0 and 1".into(),
            });
        }
        Ok(plan)
    }
}

/// Multiple-testing adjustment applied within each family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adjustment {
    /// Holm's step-down method (family-wise error rate).
    #[default]
    Holm,
    /// Benjamini-Hochberg (false discovery rate).
    Bh,
}

/// The base of Valid % in frequency tables (`frequencies` and `side-by-side`).
///
/// Matrix tables and figures, tests of association, pre/post comparisons and reliability
/// always leave "prefer not to say" and "not applicable" out; this setting is about the
/// frequency tables, where the published report kept them in. The SPSS export declares a
/// variable's non-substantive codes user-missing exactly where the report leaves them out
/// of that variable's percentages, so that SPSS and PSPP give the report's Valid %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidPercentBase {
    /// Every answer given, "prefer not to say" and "not applicable" included, as the
    /// published tables count them (a section's `exclude` still leaves codes out).
    #[default]
    AllAnswers,
    /// Substantive answers only: "prefer not to say" and "not applicable" are left out of
    /// the rows and the base, as SPSS leaves out user-missing values.
    Substantive,
}

/// Which responses a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    /// Pre-training responses.
    #[default]
    Pre,
    /// Post-training responses.
    Post,
}

/// The cleaning rules for one survey.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CleaningRules {
    /// Exclude a record that answered fewer than this share of its applicable questions.
    #[serde(default = "default_minimum")]
    pub minimum_answered: f64,
    /// Exclude records created by returning respondents (their answers are in their first record).
    #[serde(default = "yes")]
    pub exclude_returning: bool,
    /// Exclude records closed by a routing rule (not eligible).
    #[serde(default = "yes")]
    pub exclude_ended: bool,
}

fn default_minimum() -> f64 {
    0.5
}

fn yes() -> bool {
    true
}

impl Default for CleaningRules {
    fn default() -> Self {
        CleaningRules {
            minimum_answered: 0.5,
            exclude_returning: true,
            exclude_ended: true,
        }
    }
}

/// Cleaning rules for the pre- and post-training surveys.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Cleaning {
    /// What to do with records that repeat a response id, or a respondent id among the
    /// records kept, in either survey.
    #[serde(default)]
    pub duplicates: Duplicates,
    /// Rules for the pre-training survey.
    #[serde(default)]
    pub pre: CleaningRules,
    /// Rules for the post-training survey.
    #[serde(default)]
    pub post: CleaningRules,
}

/// What the analysis does with duplicate ids (`[cleaning] duplicates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Duplicates {
    /// Refuse the data, naming the ids: a record counted twice would double its weight.
    #[default]
    Refuse,
    /// Keep the first record of each id (in file order) and exclude the others, counted
    /// in the cleaning log.
    Drop,
}

/// A derived variable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Derive {
    /// The new variable's identifier (or prefix, with `each-row-of`).
    pub id: String,
    /// What the variable means.
    #[serde(default)]
    pub label: String,
    /// How it is computed.
    #[serde(flatten)]
    pub rule: DeriveRule,
}

/// How a derived variable is computed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
pub enum DeriveRule {
    /// New categories from groups of codes, optionally recoding "other, please specify" text.
    Recode {
        /// The source variable (omit with `each-row-of`).
        from: Option<String>,
        /// Apply to every row of this matrix item; the results are named `ID:ROW`.
        each_row_of: Option<String>,
        /// The new categories; codes not listed become missing.
        categories: Vec<RecodeCategory>,
        /// A text variable holding the "please specify" answer.
        specify: Option<String>,
        /// Codes whose specify text is examined by `text-rules`.
        #[serde(default)]
        other: Vec<u32>,
        /// First matching rule wins; with no match the code maps as usual.
        #[serde(default)]
        text_rules: Vec<TextRule>,
    },
    /// Bands of a number (optionally subtracted from a reference, e.g. a year).
    Bands {
        /// The numeric source variable.
        from: String,
        /// When set, the value banded is `subtract-from - value` (years since a start year).
        subtract_from: Option<i32>,
        /// The bands, each with optional inclusive bounds.
        bands: Vec<Band>,
    },
    /// Categories defined by conditions over several variables; the first that holds wins.
    Rules {
        /// The categories in order of precedence.
        categories: Vec<RuleCategory>,
    },
    /// A multiple-response set coded from free text: one 0/1 variable `ID.CODE` per category.
    TextCategories {
        /// The text variable.
        from: String,
        /// The categories; a text may match several.
        categories: Vec<TextCategory>,
    },
    /// Marks true/false answers correct or not: `ID:ROW` is 1 correct, 0 not; `ID` is the
    /// number correct for respondents who answered every statement.
    AnswerKey {
        /// The correct code of each statement.
        key: std::collections::BTreeMap<String, u32>,
    },
}

/// A category of a recode.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecodeCategory {
    /// The new code.
    pub code: u32,
    /// Its label.
    pub label: String,
    /// The source codes it gathers.
    #[serde(default)]
    pub from: Vec<u32>,
}

/// A rule that recodes "other" text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TextRule {
    /// Words or phrases, matched case-insensitively anywhere in the text.
    pub contains: Vec<String>,
    /// The category code given when one matches.
    pub code: u32,
}

/// A numeric band.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Band {
    /// The band's code.
    pub code: u32,
    /// Its label.
    pub label: String,
    /// Inclusive lower bound.
    pub min: Option<i32>,
    /// Inclusive upper bound.
    pub max: Option<i32>,
}

/// A category defined by a condition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuleCategory {
    /// The code.
    pub code: u32,
    /// Its label.
    pub label: String,
    /// When it applies.
    pub when: When,
}

/// A condition over a record's values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct When {
    /// The variable tested.
    pub var: Option<String>,
    /// Holds when the value is one of these codes.
    pub is: Option<Vec<i32>>,
    /// Holds when the value is none of these codes (a missing value is none of them).
    pub not: Option<Vec<i32>>,
    /// Holds when the variable is (true) or is not (false) answered.
    pub answered: Option<bool>,
    /// Every condition holds.
    pub all: Option<Vec<When>>,
    /// At least one condition holds.
    pub any: Option<Vec<When>>,
}

/// A category of a text-coded multiple-response set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TextCategory {
    /// The code.
    pub code: u32,
    /// Its label.
    pub label: String,
    /// Words or phrases, matched case-insensitively anywhere in the text.
    pub contains: Vec<String>,
}

/// A table or figure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Table {
    /// Identifier; a published table keeps its number (`table-5`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Which responses it uses.
    #[serde(default)]
    pub data: Data,
    /// Decimal places of percentages (the study printed one).
    #[serde(default = "one")]
    pub decimals: u32,
    /// Notes printed under the table (errata, definitions).
    #[serde(default)]
    pub notes: Vec<String>,
    /// What the table shows.
    #[serde(flatten)]
    pub shape: TableShape,
}

fn one() -> u32 {
    1
}

/// What a table shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
pub enum TableShape {
    /// Responses by site: main and post-training numbers and % of total (Table 3).
    Sites,
    /// Number and Valid % of one or more variables, one section each.
    Frequencies {
        /// The sections.
        sections: Vec<Section>,
        /// Header of the percentage column.
        #[serde(default = "valid_percent")]
        percent_column: String,
        /// Label of a closing total row, if wanted.
        total_row: Option<String>,
    },
    /// Frequencies of several variables side by side, one pair of columns each (Table 12).
    SideBySide {
        /// The column groups.
        groups: Vec<Section>,
        /// Label of a closing total row, if wanted.
        total_row: Option<String>,
    },
    /// A multiple-response set: Number, % of responses, % of respondents (Table 16).
    MultiResponse {
        /// The set: a multiple-choice item or a text-categories derived variable.
        set: String,
        /// Order rows by descending count (else by code).
        #[serde(default)]
        descending: bool,
        /// Codes listed last whatever their count (e.g. "Can't remember").
        #[serde(default)]
        last: Vec<u32>,
    },
    /// A matrix item: Number and % of each scale point per statement, and the total (Table 17).
    Matrix {
        /// The matrix item, or a derived per-row prefix with `derived`.
        item: String,
        /// Use the derived variables `DERIVED:ROW` instead of the raw rows.
        derived: Option<String>,
        /// Show percentages only (figures).
        #[serde(default)]
        percent_only: bool,
    },
    /// Proportion answering each true/false statement correctly (item difficulty).
    Difficulty {
        /// The answer-key derived variable.
        key: String,
    },
}

fn valid_percent() -> String {
    "Valid %".into()
}

/// A variable shown in a frequency table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Section {
    /// The variable.
    pub variable: String,
    /// The section's heading (printed with its n).
    pub heading: Option<String>,
    /// Codes left out of the rows and the base.
    #[serde(default)]
    pub exclude: Vec<u32>,
    /// Leave out categories nobody chose.
    #[serde(default)]
    pub hide_empty: bool,
    /// Print this instead of the computed n in the heading's "(n=...)"; for a base that
    /// differs from the valid responses, such as all case holders.
    pub heading_base: Option<String>,
}

/// A family of tests of association: one grouping variable against many outcomes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Association {
    /// Identifier of the family.
    pub id: String,
    /// What the grouping variable is.
    pub title: String,
    /// The grouping variable.
    pub by: String,
    /// Outcome variables; `PREFIX*` selects every variable whose name starts with PREFIX.
    pub outcomes: Vec<String>,
    /// Which responses it uses.
    #[serde(default)]
    pub data: Data,
}

/// The check for attrition bias across follow-up waves: the pre-training questions on
/// which respondents who answered every survey are compared with those who did not.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Attrition {
    /// Single-choice questions of the pre-training survey (by id).
    #[serde(default)]
    pub baseline: Vec<String>,
}

/// A family of pre/post comparisons of the rows of a matrix item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PrePost {
    /// Identifier of the family.
    pub id: String,
    /// What proportion is compared, e.g. "Knew very little or a little".
    pub title: String,
    /// The pre-training matrix item; post rows are found by their twins.
    pub item: String,
    /// The codes counted as the proportion's successes.
    #[serde(default)]
    pub success: Vec<u32>,
    /// Instead of `success`: an answer-key derived variable; each statement's success is
    /// its correct answer.
    pub key: Option<String>,
    /// The direction of the study's one-tailed test: `greater` if the proportion is
    /// expected to rise after training, `less` if it is expected to fall (turned round
    /// for rows the instrument marks `reverse`); `two-sided` to expect no direction.
    pub alternative: Direction,
}

/// The expected direction of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Expected to rise after training.
    Greater,
    /// Expected to fall after training.
    Less,
    /// No direction expected: two-sided tests only.
    TwoSided,
}

/// A headline measure for the sites' dashboards: one collapsed share per statement of a
/// grid (or of one single-choice question), small enough in detail for a site of a few
/// dozen respondents to show.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Headline {
    /// Identifier of the measure (of each statement's, as `ID/STATEMENT`).
    pub id: String,
    /// What the share counts, e.g. "Know quite a bit or a lot".
    pub title: String,
    /// The pre-training question: a single choice or a grid; post-training statements
    /// are found by their twins.
    pub item: String,
    /// Only these statements of a grid (every statement when empty).
    #[serde(default)]
    pub rows: Vec<String>,
    /// The codes counted.
    #[serde(default)]
    pub success: Vec<u32>,
    /// Instead of `success`: an answer-key derived variable; each statement's correct
    /// answer is counted.
    pub key: Option<String>,
    /// Whether a higher share is better (`higher`, the default) or worse (`lower`);
    /// turned round for statements the survey marks `reverse`.
    #[serde(default)]
    pub better: Better,
    /// Who the share is of: `substantive` answers (the default: "not applicable" and
    /// "prefer not to say" left out, as in the study's figures) or `all-answers`
    /// (everyone who answered the statement, which at a small site keeps a handful of
    /// "not applicable" answers from hiding the measure).
    #[serde(default = "substantive")]
    pub base: ValidPercentBase,
}

fn substantive() -> ValidPercentBase {
    ValidPercentBase::Substantive
}

/// Which direction of a headline measure is the better outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Better {
    /// More is better.
    #[default]
    Higher,
    /// Less is better.
    Lower,
}

/// Internal consistency of a battery of statements.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Reliability {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// The pre-training matrix item; its post twins are analysed too.
    pub item: String,
    /// Negatively worded rows, scored in reverse (their post twins too).
    #[serde(default)]
    pub reverse: Vec<String>,
}
