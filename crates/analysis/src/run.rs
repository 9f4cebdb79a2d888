//! Running a plan over a dataset.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use skafada_stats::{
    AdjustMethod, Alternative, ContingencyTable, FisherMethod, FisherOptions, IntegerScaleSums,
    McNemarMethod, WilcoxonMethod, adjust_p_values, crosstab, fisher_exact, mcnemar,
    newcombe_difference, two_proportion_z_test, wilcoxon_signed_rank_tallied, wilson_interval,
};

use crate::clean::{CleaningLog, clean_records};
use crate::codebook::{Codebook, VariableInfo};
use crate::codes::CodeTable;
use crate::data::{Columns, Dataset, MISSING, Responses, Values};
use crate::derive;
use crate::kept::Kept;
use crate::plan::{Adjustment, Data, Direction, Plan, Section, TableShape, ValidPercentBase};

/// Everything a plan produced: the `skafada analyse --format json` contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The plan's identifier.
    pub plan: String,
    /// The plan's title.
    pub title: String,
    /// The study named by the data.
    pub study: String,
    /// True when the data are generated demonstration data.
    pub synthetic: bool,
    /// The cleaning logs.
    pub cleaning: Cleaning,
    /// Tables and figures, in plan order.
    pub tables: Vec<TableResult>,
    /// Tests of association and pre/post comparisons.
    pub tests: Vec<TestResult>,
    /// Scale reliability.
    pub reliability: Vec<ReliabilityResult>,
    /// The plan's significance level: a result is significant when its adjusted p is at
    /// or below it.
    pub significance: f64,
    /// How p-values are adjusted within each family (`holm` or `bh`).
    pub adjustment: &'static str,
    /// Families of tests the plan names that could not be run, with the reason.
    pub untested: Vec<Untested>,
    /// Things the reader should know that are not errors.
    pub warnings: Vec<String>,
    /// Each follow-up wave compared with the training's two surveys
    /// ([`crate::over_time`]); empty when the data have no follow-up wave.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub over_time: Vec<crate::over_time::OverTime>,
    /// The plan's `[[change]]` declarations ([`crate::over_time::changes`]), computed when
    /// the data have a follow-up wave; empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::over_time::DeclaredChange>,
    /// The plan's `[[retention]]` declarations ([`crate::over_time::retentions`]),
    /// computed when the data have a follow-up wave; empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retention: Vec<crate::over_time::DeclaredRetention>,
    /// The delivery arms compared ([`crate::by_arm`]); `None` when the data have no
    /// allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_arm: Option<crate::by_arm::ByArm>,
}

/// A family of tests that the plan names but the data could not test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Untested {
    /// `association` or `pre-post`.
    pub kind: &'static str,
    /// The family's identifier.
    pub family: String,
    /// The family's title.
    pub family_title: String,
    /// Why, as a phrase following "not tested: " (e.g. "only one group answered (“Yes”)").
    pub reason: String,
}

/// Cleaning logs of both surveys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cleaning {
    /// The pre-training survey.
    pub pre: CleaningLog,
    /// The post-training survey, if there is one.
    pub post: Option<CleaningLog>,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// A label.
    Text(String),
    /// A count.
    Count(u64),
    /// A percentage or other measure, rounded as the table says.
    Number(f64),
    /// A percentage of nobody: its base is 0, so there is no percentage (JSON `null`,
    /// printed "no answers").
    NoAnswers,
}

/// How a [`Cell::NoAnswers`] is printed.
pub const NO_ANSWERS: &str = "no answers";

/// A built table: `columns` are header strings; each row is a label then numbers in column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableResult {
    /// Identifier; a published table keeps its number.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pre` or `post`.
    pub data: &'static str,
    /// Header strings, the first for the label column.
    pub columns: Vec<String>,
    /// Rows of cells. A section heading is a row with only a label.
    pub rows: Vec<Vec<Cell>>,
    /// Notes under the table.
    pub notes: Vec<String>,
}

/// A test result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TestResult {
    /// A chi-square test of association between two variables.
    Association(Box<AssociationResult>),
    /// A pre/post comparison of one statement.
    PrePost(Box<PrePostResult>),
}

/// A test of association.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssociationResult {
    /// The family (grouping variable) identifier.
    pub family: String,
    /// The family's title.
    pub family_title: String,
    /// The grouping variable.
    pub by: String,
    /// The outcome variable.
    pub outcome: String,
    /// The outcome's question or statement.
    pub outcome_text: String,
    /// Labels of the grouping categories (rows).
    pub row_levels: Vec<String>,
    /// Labels of the outcome categories (columns).
    pub col_levels: Vec<String>,
    /// Observed counts.
    pub counts: Vec<Vec<u64>>,
    /// Percentages of each row, one decimal.
    pub row_percentages: Vec<Vec<f64>>,
    /// Valid cases.
    pub n: u64,
    /// Pearson chi-square, uncorrected.
    pub chi2: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// p of the Pearson chi-square.
    pub p: f64,
    /// The `p_basis` p (Pearson's or Fisher's) adjusted within the family.
    pub p_adjusted: f64,
    /// The adjustment method.
    pub adjustment: &'static str,
    /// Likelihood-ratio G.
    pub g2: f64,
    /// p of G.
    pub p_g2: f64,
    /// Fisher's exact test (exact, or Monte Carlo where enumeration is infeasible).
    pub fisher_p: Option<f64>,
    /// How Fisher's p was computed: `exact` or `monte-carlo`.
    pub fisher_method: Option<String>,
    /// Simulated tables, when `fisher_method` is `monte-carlo`.
    pub fisher_samples: Option<u64>,
    /// Seed of the simulation, when `fisher_method` is `monte-carlo`.
    pub fisher_seed: Option<u64>,
    /// The p that the family's adjustment and the significance mark use: `fisher` where
    /// the table is sparse (Cochran's rule; the chi-square approximation is doubtful) and
    /// Fisher's p was computed, else `pearson`.
    pub p_basis: &'static str,
    /// Cramér's V.
    pub cramers_v: f64,
    /// 95% interval of Cramér's V by noncentral chi-square inversion.
    pub cramers_v_ci: Option<[f64; 2]>,
    /// Whether the adjusted p is at or below the plan's significance level.
    pub significant: bool,
    /// Warnings, e.g. Cochran's rule.
    pub warnings: Vec<TestWarning>,
}

/// One side of a pre/post comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proportion {
    /// Respondents in the category.
    pub x: u64,
    /// Respondents who gave a substantive answer.
    pub n: u64,
    /// x / n.
    pub p: f64,
    /// Wilson 95% interval.
    pub ci: [f64; 2],
}

/// Paired tests for respondents who answered both surveys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paired {
    /// Linked respondents with a substantive answer at both times.
    pub n: u64,
    /// In the category before and after.
    pub stayed: u64,
    /// In the category before but not after.
    pub left: u64,
    /// In the category after but not before.
    pub joined: u64,
    /// Linked respondents in the category before training, of `n`.
    pub before: f64,
    /// Linked respondents in the category after training, of `n`.
    pub after: f64,
    /// Exact McNemar p (two-sided).
    pub mcnemar_p: Option<f64>,
    /// McNemar's p adjusted within the family (over the statements with paired data).
    pub mcnemar_p_adjusted: Option<f64>,
    /// Whether the adjusted McNemar p is at or below the plan's significance level.
    pub significant: bool,
    /// Wilcoxon signed-rank p (two-sided) on the whole ordinal scale.
    pub wilcoxon_p: Option<f64>,
    /// How the Wilcoxon p was computed.
    pub wilcoxon_method: Option<String>,
}

/// A pre/post comparison of one statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrePostResult {
    /// The family identifier.
    pub family: String,
    /// What proportion is compared.
    pub family_title: String,
    /// The pre-training variable.
    pub pre_variable: String,
    /// The post-training variable.
    pub post_variable: String,
    /// The statement.
    pub text: String,
    /// Before training.
    pub pre: Proportion,
    /// After training.
    pub post: Proportion,
    /// Post minus pre, with Newcombe's 95% interval.
    pub difference: f64,
    /// Newcombe's hybrid score interval of the difference.
    pub difference_ci: [f64; 2],
    /// Pooled two-proportion z (post vs pre).
    pub z: f64,
    /// One-tailed p in the expected direction, as the study reported (two-sided when the
    /// plan expects no direction).
    pub p: f64,
    /// `greater` or `less`: the expected direction of the post proportion; `two-sided`
    /// when the plan expects none.
    pub alternative: &'static str,
    /// The statement is worded negatively (the instrument says `reverse`), so the
    /// expected direction is the family's turned round.
    pub reverse: bool,
    /// p adjusted within the family.
    pub p_adjusted: f64,
    /// Whether the adjusted p is at or below the plan's significance level.
    pub significant: bool,
    /// The unpaired z-test's two-sided p, which can show a change either way.
    pub p_two_sided: f64,
    /// The two-sided p adjusted within the family.
    pub p_two_sided_adjusted: f64,
    /// The proportion moved against the expected direction, significantly by the
    /// leading two-sided test (McNemar's on linked respondents where there are any,
    /// else the unpaired z-test), adjusted within the family.
    pub worse: bool,
    /// Paired tests on linked respondents, when there are any.
    pub paired: Option<Paired>,
}

impl PrePostResult {
    /// Whether the result is led by the paired tests: there are linked respondents with
    /// a McNemar p.
    pub fn led_by_paired(&self) -> bool {
        self.paired.as_ref().is_some_and(|p| p.mcnemar_p.is_some())
    }
}

/// Cronbach's alpha of a battery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityResult {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pre` or `post`.
    pub data: &'static str,
    /// Statements in the battery.
    pub items: usize,
    /// Respondents who answered every statement.
    pub n: usize,
    /// Cronbach's alpha.
    pub alpha: f64,
    /// Feldt 95% interval.
    pub ci: [f64; 2],
}

/// Why a plan could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// Change over time into a follow-up wave could not be computed.
    #[error("change over time: {0}")]
    OverTime(String),
    /// The plan names a variable the data do not have.
    #[error("{step} `{id}`: no variable `{variable}` in the {data} data")]
    UnknownVariable {
        /// The kind of step.
        step: &'static str,
        /// The step's identifier.
        id: String,
        /// The variable.
        variable: String,
        /// `pre` or `post`.
        data: &'static str,
    },
    /// A step needs post-training data that the export does not have.
    #[error("{step} `{id}` needs post-training responses, which this export does not have")]
    NoPostData {
        /// The kind of step.
        step: &'static str,
        /// The step's identifier.
        id: String,
    },
    /// Records share an id, and the plan does not allow dropping the repeats.
    #[error("{}", duplicates_message(data, kind, ids, *distinct, *records))]
    DuplicateIds {
        /// `pre` or `post`.
        data: &'static str,
        /// `response` (a record's own id) or `respondent` (among the records kept).
        kind: &'static str,
        /// The first few repeated ids.
        ids: Vec<String>,
        /// How many ids are repeated.
        distinct: usize,
        /// Records beyond the first of each id.
        records: usize,
    },
}

/// How many repeated ids an error names.
const NAMED_IDS: usize = 5;

fn duplicates_message(
    data: &str,
    kind: &str,
    ids: &[String],
    distinct: usize,
    records: usize,
) -> String {
    let survey = if data == "post" {
        "post-training"
    } else {
        "pre-training"
    };
    let mut named = ids
        .iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if distinct > ids.len() {
        named.push_str(&format!(" and {} more", distinct - ids.len()));
    }
    let (what, records_word) = match kind {
        "respondent" => (
            format!(
                "{distinct} respondent {} more than one record kept by the cleaning rule",
                if distinct == 1 { "id has" } else { "ids have" }
            ),
            "extra record",
        ),
        _ => (
            format!(
                "{distinct} response {} carried by more than one record",
                if distinct == 1 { "id is" } else { "ids are" }
            ),
            "repeated record",
        ),
    };
    format!(
        "{survey} responses: {what} ({records} {records_word}{}): {named}. A record counted twice would be weighed twice; remove the repeats, or set `duplicates = \"drop\"` under `[cleaning]` in the plan to keep the first record of each id and log the others",
        if records == 1 { "" } else { "s" }
    )
}

struct Side<'a> {
    data: Kept<'a>,
    /// Which records the cleaning kept, by record.
    keep: Vec<bool>,
    book: Codebook,
    log: CleaningLog,
    duplicate_responses: crate::clean::DuplicateIds,
    duplicate_respondents: crate::clean::DuplicateIds,
}

/// Cleans one survey's responses and derives the plan's variables for the records kept.
fn prepare<'a>(
    plan: &Plan,
    dataset: &Dataset,
    instrument: &skafada_instrument::Instrument,
    responses: &'a Responses,
    rules: &crate::plan::CleaningRules,
) -> Side<'a> {
    let cleaned = clean_records(instrument, responses, rules);
    let (keep, log) = (cleaned.keep, cleaned.log);
    let (data, book) = derived(plan, &dataset.sites, instrument, responses, &keep, &log);
    Side {
        data,
        keep,
        book,
        log,
        duplicate_responses: cleaned.duplicate_responses,
        duplicate_respondents: cleaned.duplicate_respondents,
    }
}

/// The records of `responses` for which `keep` is true, with numbers outside the
/// instrument's bounds (as the cleaning `log` flags them) made missing, the variable
/// `site` and the plan's derived variables added, and the codebook of them all. The
/// analysis calls it with the records cleaning kept; the record-level exports with every
/// record ([`crate::records`]).
pub(crate) fn derived<'a>(
    plan: &Plan,
    sites: &[crate::data::Site],
    instrument: &skafada_instrument::Instrument,
    responses: &'a Responses,
    keep: &[bool],
    log: &CleaningLog,
) -> (Kept<'a>, Codebook) {
    let mut data = Kept::new(responses, keep);
    // Values outside the instrument's bounds are not answers the question could take:
    // they are missing in every table, derived variable and test (the log counts them).
    for bound in crate::clean::bounds(instrument) {
        let flagged = log.flags.iter().any(|f| {
            f.kind == crate::clean::FlagKind::OutOfRange
                && f.variable.as_deref() == Some(bound.variable)
        });
        if !flagged {
            continue;
        }
        let Some(values) = responses.values(bound.variable) else {
            continue;
        };
        let masked: crate::data::ValueColumn = data
            .rows()
            .iter()
            .map(|&row| {
                let value = values.get(row).unwrap_or(MISSING);
                let started = responses
                    .started_on
                    .get(row)
                    .and_then(|d| crate::clean::started_year(d));
                if value != MISSING && bound.excludes(value, started) {
                    MISSING
                } else {
                    value
                }
            })
            .collect();
        data.set(
            bound.variable.to_owned(),
            crate::data::Column::Values(masked),
        );
    }
    let mut book = Codebook::from_instrument(instrument);
    // The site is a variable like any other, so that it can group tests and tables.
    let site_numbers: Vec<i32> = data
        .sites()
        .map(|s| i32::try_from(s + 1).unwrap_or(MISSING))
        .collect();
    data.set(
        "site".into(),
        crate::data::Column::Values(site_numbers.into()),
    );
    book.insert(
        "site",
        VariableInfo {
            text: "Site".into(),
            labels: sites
                .iter()
                .enumerate()
                .map(|(i, s)| (i32::try_from(i + 1).unwrap_or(0), s.name.clone()))
                .collect(),
            ..VariableInfo::default()
        },
    );
    derive::apply(&plan.derive, &mut data, &mut book);
    (data, book)
}

/// Refuses repeated ids unless the plan drops them; says what was dropped when it does.
fn check_duplicates(
    plan: &Plan,
    data: &'static str,
    side: &Side,
    warnings: &mut Vec<String>,
) -> Result<(), AnalysisError> {
    let found = [
        ("response", &side.duplicate_responses),
        ("respondent", &side.duplicate_respondents),
    ];
    for (kind, ids) in found {
        if ids.is_empty() {
            continue;
        }
        match plan.cleaning.duplicates {
            crate::plan::Duplicates::Refuse => {
                return Err(AnalysisError::DuplicateIds {
                    data,
                    kind,
                    ids: ids.ids.iter().take(NAMED_IDS).cloned().collect(),
                    distinct: ids.ids.len(),
                    records: ids.records,
                });
            }
            crate::plan::Duplicates::Drop => {
                let survey = if data == "post" {
                    "post-training"
                } else {
                    "pre-training"
                };
                warnings.push(match kind {
                    "respondent" => format!(
                        "{} {survey} {} dropped because {} respondent already had a kept record (the plan's duplicates = \"drop\" keeps the first).",
                        ids.records,
                        if ids.records == 1 { "record was" } else { "records were" },
                        if ids.records == 1 { "its" } else { "their" },
                    ),
                    _ => format!(
                        "{} {survey} {} dropped because {} response id repeated an earlier record's (the plan's duplicates = \"drop\" keeps the first).",
                        ids.records,
                        if ids.records == 1 { "record was" } else { "records were" },
                        if ids.records == 1 { "its" } else { "their" },
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The cleaning flags of a survey as warnings for the top of a report.
fn flag_warnings(survey: &str, log: &CleaningLog, warnings: &mut Vec<String>) {
    let out_of_range: Vec<&crate::clean::Flag> = log
        .flags
        .iter()
        .filter(|f| f.kind == crate::clean::FlagKind::OutOfRange)
        .collect();
    if !out_of_range.is_empty() {
        let total: usize = out_of_range.iter().map(|f| f.count).sum();
        let each: Vec<String> = out_of_range
            .iter()
            .map(|f| format!("{} {}", f.variable.as_deref().unwrap_or(""), f.count))
            .collect();
        warnings.push(format!(
            "{survey} survey: {total} {} outside the questionnaire's bounds {} treated as missing ({}); see the cleaning log.",
            if total == 1 { "answer" } else { "answers" },
            if total == 1 { "was" } else { "were" },
            each.join(", ")
        ));
    }
    for flag in log
        .flags
        .iter()
        .filter(|f| f.kind == crate::clean::FlagKind::RoutingInconsistent)
    {
        warnings.push(format!("{survey} survey: {}", flag.description));
    }
}

/// Runs the plan: cleans, derives, builds every table and runs every test.
pub fn analyse(plan: &Plan, dataset: &Dataset) -> Result<Analysis, AnalysisError> {
    let mut warnings = Vec::new();
    let pre = prepare(
        plan,
        dataset,
        &dataset.pre_instrument,
        &dataset.pre,
        &plan.cleaning.pre,
    );
    let post = match (&dataset.post_instrument, &dataset.post) {
        (Some(instrument), Some(responses)) => Some(prepare(
            plan,
            dataset,
            instrument,
            responses,
            &plan.cleaning.post,
        )),
        _ => None,
    };
    if dataset.manifest.synthetic {
        warnings.push(
            "These data are synthetic demonstration data, not responses from real people.".into(),
        );
    }
    check_duplicates(plan, "pre", &pre, &mut warnings)?;
    if let Some(post) = &post {
        check_duplicates(plan, "post", post, &mut warnings)?;
    }
    flag_warnings("Pre-training", &pre.log, &mut warnings);
    if let Some(post) = &post {
        flag_warnings("Post-training", &post.log, &mut warnings);
    }
    let side = |data: Data, step: &'static str, id: &str| -> Result<&Side, AnalysisError> {
        match data {
            Data::Pre => Ok(&pre),
            Data::Post => post.as_ref().ok_or_else(|| AnalysisError::NoPostData {
                step,
                id: id.to_owned(),
            }),
        }
    };

    // Tables are independent: they are built on every core, in plan order.
    let tables = parallel_map(&plan.table, |table| {
        let side = side(table.data, "table", &table.id)?;
        build_table(
            table,
            side,
            dataset,
            post.as_ref(),
            &pre,
            plan.valid_percent_base,
        )
    })
    .into_iter()
    .collect::<Result<Vec<_>, AnalysisError>>()?;

    let mut tests = Vec::new();
    let mut untested = Vec::new();
    let coded_pre = coded_variables(plan, Data::Pre, &pre);
    let coded_post = post
        .as_ref()
        .map(|post| coded_variables(plan, Data::Post, post))
        .unwrap_or_default();
    for family in &plan.association {
        let side = side(family.data, "association", &family.id)?;
        let coded = match family.data {
            Data::Pre => &coded_pre,
            Data::Post => &coded_post,
        };
        let results = association_family(plan, family, side, coded)?;
        if results.is_empty() {
            untested.push(Untested {
                kind: "association",
                family: family.id.clone(),
                family_title: family.title.clone(),
                reason: association_untested_reason(family, side, coded),
            });
        }
        tests.extend(results);
    }
    // Records linked across the surveys, in pre-training order: the same for every family.
    let links = match &post {
        Some(post) if !plan.prepost.is_empty() => linked_records(&pre.data, &post.data),
        _ => Vec::new(),
    };
    for family in &plan.prepost {
        let post = post.as_ref().ok_or_else(|| AnalysisError::NoPostData {
            step: "prepost",
            id: family.id.clone(),
        })?;
        let post_instrument =
            dataset
                .post_instrument
                .as_ref()
                .ok_or_else(|| AnalysisError::NoPostData {
                    step: "prepost",
                    id: family.id.clone(),
                })?;
        let (results, reason) = prepost_family(plan, family, &pre, post, post_instrument, &links)?;
        if results.is_empty() {
            untested.push(Untested {
                kind: "pre-post",
                family: family.id.clone(),
                family_title: family.title.clone(),
                reason,
            });
        }
        tests.extend(results);
    }

    // Batteries are independent: their alphas are worked out on every core.
    let reliability = parallel_map(&plan.reliability, |battery| {
        let Some(info) = pre.book.get(&battery.item) else {
            return Err(unknown("reliability", &battery.id, &battery.item, "pre"));
        };
        let rows = &info.members;
        let mut found = Vec::new();
        found.extend(alpha(battery, "pre", &pre, rows, &battery.reverse));
        if let (Some(post), Some(post_instrument)) = (&post, &dataset.post_instrument) {
            let twins: Vec<String> = rows
                .iter()
                .filter_map(|row| twin_of(post_instrument, row))
                .collect();
            if twins.len() == rows.len() {
                let reverse: Vec<String> = battery
                    .reverse
                    .iter()
                    .filter_map(|row| twin_of(post_instrument, row))
                    .collect();
                found.extend(alpha(battery, "post", post, &twins, &reverse));
            }
        }
        Ok(found)
    })
    .into_iter()
    .collect::<Result<Vec<_>, AnalysisError>>()?
    .into_iter()
    .flatten()
    .collect();

    // The follow-up waves are cleaned once, by the post-training survey's rules (they
    // answer its instrument), for change over time and the arms alike.
    let follow_up_keep: Vec<Vec<bool>> = match &dataset.post_instrument {
        Some(instrument) => dataset
            .follow_up
            .iter()
            .map(|(_, responses)| crate::clean::clean(instrument, responses, &plan.cleaning.post).0)
            .collect(),
        None => Vec::new(),
    };
    let kept = crate::over_time::Kept {
        pre: &pre.keep,
        post: post.as_ref().map_or(&[], |p| p.keep.as_slice()),
        follow_up: &follow_up_keep,
    };
    let over_time = dataset
        .follow_up
        .iter()
        .zip(&follow_up_keep)
        .map(|((wave, responses), keep)| {
            crate::over_time::over_time(plan, dataset, wave, responses, &kept, keep)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AnalysisError::OverTime(e.to_string()))?;
    let (changes, retention) = if dataset.follow_up.is_empty() {
        (Ok(Vec::new()), Ok(Vec::new()))
    } else {
        (
            crate::over_time::changes(plan, dataset, &kept),
            crate::over_time::retentions(plan, dataset, &kept),
        )
    };
    let changes = changes.map_err(|e| AnalysisError::OverTime(e.to_string()))?;
    let retention = retention.map_err(|e| AnalysisError::OverTime(e.to_string()))?;
    let by_arm = crate::by_arm::by_arm(plan, dataset, &kept);
    Ok(Analysis {
        plan: plan.id.clone(),
        title: plan.title.clone(),
        study: dataset.manifest.study.clone(),
        synthetic: dataset.manifest.synthetic,
        cleaning: Cleaning {
            pre: pre.log.clone(),
            post: post.as_ref().map(|p| p.log.clone()),
        },
        tables,
        tests,
        reliability,
        significance: plan.significance,
        adjustment: adjustment_name(plan.adjustment),
        untested,
        warnings,
        over_time,
        changes,
        retention,
        by_arm,
    })
}

/// Why a family of tests of association has no result.
fn association_untested_reason(
    family: &crate::plan::Association,
    side: &Side,
    coded: &HashMap<String, Coded>,
) -> String {
    let info = side.book.get(&family.by);
    let levels = coded
        .get(&family.by)
        .map_or(&[][..], |c| c.levels.as_slice());
    match levels {
        [] => "nobody answered the grouping question".to_owned(),
        [only] => format!(
            "only one group answered (“{}”)",
            info.map_or_else(|| only.to_string(), |i| i.label(*only))
        ),
        _ => "for every statement, only one group (or only one answer) remained once missing answers were left out".to_owned(),
    }
}

fn unknown(step: &'static str, id: &str, variable: &str, data: &'static str) -> AnalysisError {
    AnalysisError::UnknownVariable {
        step,
        id: id.to_owned(),
        variable: variable.to_owned(),
        data,
    }
}

fn data_name(data: Data) -> &'static str {
    match data {
        Data::Pre => "pre",
        Data::Post => "post",
    }
}

/// Rounds half away from zero to `decimals` places, as printed tables do.
pub fn round(value: f64, decimals: u32) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    // Nudge by a relative epsilon so that 43.55 (stored as 43.5499999...) prints 43.6.
    (value * factor * (1.0 + 1e-12)).round() / factor
}

fn percent(part: u64, whole: u64, decimals: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round(100.0 * part as f64 / whole as f64, decimals)
    }
}

/// A percentage cell: [`Cell::NoAnswers`] when the base is 0, never a percentage of nobody.
fn percent_cell(part: u64, whole: u64, decimals: u32) -> Cell {
    if whole == 0 {
        Cell::NoAnswers
    } else {
        Cell::Number(percent(part, whole, decimals))
    }
}

/// The percentage of a total row: 100, or [`Cell::NoAnswers`] when nobody answered.
fn total_cell(whole: u64) -> Cell {
    if whole == 0 {
        Cell::NoAnswers
    } else {
        Cell::Number(100.0)
    }
}

/// The row of a text-coded multiple-response table for answers that matched no category.
pub const UNCODED_LABEL: &str = "Not matched to a category";

/// Counts of each labelled code of a variable, in label order, plus codes seen that have no label.
fn count_codes(values: Values<'_>, info: &VariableInfo) -> Vec<(i32, String, u64)> {
    let mut counts = tally(values);
    let mut out: Vec<(i32, String, u64)> = info
        .labels
        .iter()
        .map(|(code, label)| (*code, label.clone(), counts.remove(code).unwrap_or(0)))
        .collect();
    out.extend(
        counts
            .into_iter()
            .map(|(code, n)| (code, code.to_string(), n)),
    );
    out
}

fn build_table(
    table: &crate::plan::Table,
    side: &Side,
    dataset: &Dataset,
    post: Option<&Side>,
    pre: &Side,
    base: ValidPercentBase,
) -> Result<TableResult, AnalysisError> {
    let data_label = data_name(table.data);
    let d = table.decimals;
    let mut result = TableResult {
        id: table.id.clone(),
        title: table.title.clone(),
        data: data_label,
        columns: Vec::new(),
        rows: Vec::new(),
        notes: table.notes.clone(),
    };
    // A table reads each column once, so it reads through to the response set's column
    // rather than copying the kept records' values out of it.
    let lookup = |variable: &str| -> Result<(Values<'_>, &VariableInfo), AnalysisError> {
        match (side.data.value_column(variable), side.book.get(variable)) {
            (Some(values), Some(info)) => Ok((values, info)),
            _ => Err(unknown("table", &table.id, variable, data_label)),
        }
    };
    match &table.shape {
        TableShape::Sites => {
            result.columns = [
                "Local authority",
                "Region",
                "Main survey Number",
                "Main survey % of total",
                "Post-training survey Number",
                "Post-training survey % of total",
            ]
            .map(String::from)
            .to_vec();
            let count = |data: &Kept<'_>| {
                let mut counts = vec![0u64; dataset.sites.len()];
                for site in data.sites() {
                    if let Some(slot) = counts.get_mut(site) {
                        *slot += 1;
                    }
                }
                counts
            };
            let main = count(&pre.data);
            let after = post
                .map(|p| count(&p.data))
                .unwrap_or_else(|| vec![0; dataset.sites.len()]);
            let (main_total, post_total) = (main.iter().sum::<u64>(), after.iter().sum::<u64>());
            for (index, site) in dataset.sites.iter().enumerate() {
                result.rows.push(vec![
                    Cell::Text(site.name.clone()),
                    Cell::Text(site.region.clone()),
                    Cell::Count(main[index]),
                    percent_cell(main[index], main_total, d),
                    Cell::Count(after[index]),
                    percent_cell(after[index], post_total, d),
                ]);
            }
            result.rows.push(vec![
                Cell::Text("Total".into()),
                Cell::Text(String::new()),
                Cell::Count(main_total),
                total_cell(main_total),
                Cell::Count(post_total),
                total_cell(post_total),
            ]);
        }
        TableShape::Frequencies {
            sections,
            percent_column,
            total_row,
        } => {
            result.columns = vec![String::new(), "Number".into(), percent_column.clone()];
            let mut last_total = 0;
            for section in sections {
                let (values, info) = lookup(&section.variable)?;
                let rows = frequency_rows(values, info, section, base);
                let total: u64 = rows.iter().map(|(_, n)| n).sum();
                last_total = total;
                if let Some(heading) = &section.heading {
                    let base = section
                        .heading_base
                        .clone()
                        .unwrap_or_else(|| total.to_string());
                    result
                        .rows
                        .push(vec![Cell::Text(format!("{heading} (n={base})"))]);
                }
                for (label, n) in rows {
                    result.rows.push(vec![
                        Cell::Text(label),
                        Cell::Count(n),
                        percent_cell(n, total, d),
                    ]);
                }
            }
            if let Some(label) = total_row {
                result.rows.push(vec![
                    Cell::Text(label.clone()),
                    Cell::Count(last_total),
                    total_cell(last_total),
                ]);
            }
        }
        TableShape::SideBySide { groups, total_row } => {
            result.columns = vec![String::new()];
            let mut columns = Vec::new();
            for group in groups {
                let heading = group
                    .heading
                    .clone()
                    .unwrap_or_else(|| group.variable.clone());
                let (values, info) = lookup(&group.variable)?;
                let rows = frequency_rows(values, info, group, base);
                let total: u64 = rows.iter().map(|(_, n)| n).sum();
                result.columns.push(format!("{heading} Number"));
                result.columns.push(format!("{heading} Valid %"));
                columns.push((rows, total));
            }
            let labels: Vec<String> = columns
                .first()
                .map(|(rows, _)| rows.iter().map(|(l, _)| l.clone()).collect())
                .unwrap_or_default();
            for (index, label) in labels.iter().enumerate() {
                let mut row = vec![Cell::Text(label.clone())];
                for (rows, total) in &columns {
                    let n = rows.get(index).map_or(0, |(_, n)| *n);
                    row.push(Cell::Count(n));
                    row.push(percent_cell(n, *total, d));
                }
                result.rows.push(row);
            }
            if let Some(label) = total_row {
                let mut row = vec![Cell::Text(label.clone())];
                for (_, total) in &columns {
                    row.push(Cell::Count(*total));
                    row.push(total_cell(*total));
                }
                result.rows.push(row);
            }
        }
        TableShape::MultiResponse {
            set,
            descending,
            last,
        } => {
            let info = side
                .book
                .get(set)
                .ok_or_else(|| unknown("table", &table.id, set, data_label))?;
            result.columns = ["", "Number", "% of responses", "% of respondents"]
                .map(String::from)
                .to_vec();
            let members: Vec<(&str, Values<'_>)> = info
                .members
                .iter()
                .map(|m| {
                    side.data
                        .value_column(m)
                        .map(|v| (m.as_str(), v))
                        .ok_or_else(|| unknown("table", &table.id, m, data_label))
                })
                .collect::<Result<_, _>>()?;
            let mut counts: Vec<(i32, String, u64)> = members
                .iter()
                .map(|(id, values)| {
                    let code = id
                        .rsplit('.')
                        .next()
                        .and_then(|c| c.parse::<i32>().ok())
                        .unwrap_or(0);
                    (
                        code,
                        info.label(code),
                        values.iter().filter(|&v| v == 1).count() as u64,
                    )
                })
                .collect();
            // Free text coded into the set that matched no category: a row of its own,
            // so that the rows add up to the respondents who answered.
            let uncoded: Option<Values<'_>> = info
                .uncoded
                .as_deref()
                .and_then(|u| side.data.value_column(u));
            let uncoded_count = uncoded.map_or(0, |v| v.iter().filter(|&x| x == 1).count() as u64);
            // A case that ticked nothing is missing for the set (SPSS's default).
            let cases = (0..side.data.len())
                .filter(|&row| {
                    members.iter().any(|(_, v)| v.get(row) == Some(1))
                        || uncoded.is_some_and(|v| v.get(row) == Some(1))
                })
                .count() as u64;
            let responses: u64 = counts.iter().map(|(_, _, n)| n).sum::<u64>() + uncoded_count;
            if *descending {
                counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            }
            let (tail, mut head): (Vec<_>, Vec<_>) = counts
                .into_iter()
                .partition(|(code, _, _)| last.contains(&(*code as u32)));
            head.extend(tail);
            if uncoded_count > 0 {
                head.push((0, UNCODED_LABEL.to_owned(), uncoded_count));
            }
            for (_, label, n) in head {
                result.rows.push(vec![
                    Cell::Text(label),
                    Cell::Count(n),
                    percent_cell(n, responses, d),
                    percent_cell(n, cases, d),
                ]);
            }
            let total_of_cases = if cases == 0 {
                Cell::NoAnswers
            } else {
                Cell::Number(round(100.0 * responses as f64 / cases as f64, 0))
            };
            result.rows.push(vec![
                Cell::Text("Total".into()),
                Cell::Count(responses),
                total_cell(responses),
                total_of_cases,
            ]);
            if uncoded_count > 0 {
                result.notes.push(format!(
                    "{uncoded_count} {} matched no category and {} counted as “{UNCODED_LABEL}”.",
                    if uncoded_count == 1 {
                        "answer"
                    } else {
                        "answers"
                    },
                    if uncoded_count == 1 { "is" } else { "are" },
                ));
            }
            result.notes.push(format!("{cases} respondents named at least one; % of respondents adds to more than 100 because some named more than one."));
        }
        TableShape::Matrix {
            item,
            derived,
            percent_only,
        } => {
            let source = derived.as_deref().unwrap_or(item);
            let info = side
                .book
                .get(source)
                .ok_or_else(|| unknown("table", &table.id, source, data_label))?;
            let labels: Vec<(i32, String)> = info
                .labels
                .iter()
                .filter(|(c, _)| !info.non_substantive.contains(c))
                .cloned()
                .collect();
            result.columns = vec![String::new()];
            for (_, label) in &labels {
                if !percent_only {
                    result.columns.push(format!("{label} Number"));
                }
                result.columns.push(format!("{label} %"));
            }
            if !percent_only {
                result.columns.push("Total number".into());
            }
            for member in &info.members {
                let (values, member_info) = lookup(member)?;
                let by_code = tally(values);
                let counts: Vec<u64> = labels
                    .iter()
                    .map(|(code, _)| by_code.get(code).copied().unwrap_or(0))
                    .collect();
                let total: u64 = counts.iter().sum();
                let mut row = vec![Cell::Text(member_info.text.clone())];
                for n in &counts {
                    if !percent_only {
                        row.push(Cell::Count(*n));
                    }
                    row.push(percent_cell(*n, total, d));
                }
                if !percent_only {
                    row.push(Cell::Count(total));
                }
                result.rows.push(row);
            }
        }
        TableShape::Difficulty { key } => {
            let info = side
                .book
                .get(key)
                .ok_or_else(|| unknown("table", &table.id, key, data_label))?;
            result.columns = ["Statement", "Answered", "Correct", "Proportion correct %"]
                .map(String::from)
                .to_vec();
            for member in &info.members {
                let (values, member_info) = lookup(member)?;
                let answered = values.iter().filter(|&v| v != MISSING).count() as u64;
                let correct = values.iter().filter(|&v| v == 1).count() as u64;
                result.rows.push(vec![
                    Cell::Text(member_info.text.clone()),
                    Cell::Count(answered),
                    Cell::Count(correct),
                    percent_cell(correct, answered, d),
                ]);
            }
        }
    }
    Ok(result)
}

/// The codes a frequency section leaves out of its rows and its Valid % base: those it
/// lists in `exclude` and, when the plan's base is substantive answers, the variable's
/// "prefer not to say" and "not applicable" codes. The SPSS export declares the same
/// codes user-missing.
pub(crate) fn left_out(section: &Section, info: &VariableInfo, base: ValidPercentBase) -> Vec<i32> {
    let mut codes: Vec<i32> = section
        .exclude
        .iter()
        .filter_map(|c| i32::try_from(*c).ok())
        .collect();
    if base == ValidPercentBase::Substantive {
        codes.extend(&info.non_substantive);
    }
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// How many records hold each value of a column, not counting [`MISSING`]. Codes under
/// [`TALLIED_DIRECTLY`] (every code of a survey question) are counted in an array, in
/// one pass that reads the column through (`Values::iter`'s `fold`).
fn tally(values: Values<'_>) -> BTreeMap<i32, u64> {
    let mut direct = [0u64; TALLIED_DIRECTLY];
    let mut others: BTreeMap<i32, u64> = BTreeMap::new();
    values
        .iter()
        .fold((), |(), value| match usize::try_from(value) {
            Ok(code) if code < TALLIED_DIRECTLY => direct[code] += 1,
            _ if value == MISSING => {}
            _ => *others.entry(value).or_default() += 1,
        });
    let counted = direct.iter().enumerate().filter(|(_, n)| **n > 0);
    for (code, n) in counted {
        others.insert(code as i32, *n);
    }
    others
}

/// Codes below this are tallied in an array ([`tally`]).
const TALLIED_DIRECTLY: usize = 256;

fn frequency_rows(
    values: Values<'_>,
    info: &VariableInfo,
    section: &Section,
    base: ValidPercentBase,
) -> Vec<(String, u64)> {
    let left_out = left_out(section, info, base);
    count_codes(values, info)
        .into_iter()
        .filter(|(code, _, n)| !(left_out.contains(code) || (section.hide_empty && *n == 0)))
        .map(|(_, label, n)| (label, n))
        .collect()
}

fn adjust(p_values: &[f64], method: Adjustment) -> Vec<f64> {
    let method = match method {
        Adjustment::Holm => AdjustMethod::Holm,
        Adjustment::Bh => AdjustMethod::BenjaminiHochberg,
    };
    adjust_p_values(p_values, method).unwrap_or_else(|_| p_values.to_vec())
}

fn adjustment_name(method: Adjustment) -> &'static str {
    match method {
        Adjustment::Holm => "holm",
        Adjustment::Bh => "benjamini-hochberg",
    }
}

fn select_outcomes(patterns: &[String], side: &Side, by: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for pattern in patterns {
        match pattern.strip_suffix('*') {
            Some(prefix) => {
                let mut matched: Vec<String> = side
                    .data
                    .value_columns()
                    .filter(|name| name.starts_with(prefix) && *name != by)
                    .map(str::to_owned)
                    .collect();
                // Keep the order in which the instrument lists the rows where known.
                let order: HashMap<&str, usize> = side
                    .book
                    .members_in_order()
                    .enumerate()
                    .map(|(i, m)| (m, i))
                    .collect();
                matched.sort_by_key(|name| {
                    (
                        order.get(name.as_str()).copied().unwrap_or(usize::MAX),
                        name.clone(),
                    )
                });
                names.extend(matched);
            }
            None => names.push(pattern.clone()),
        }
    }
    names
}

/// A variable prepared once for every test of association that uses it: its substantive
/// levels and each record's position among them ([`NO_LEVEL`] where it has none).
struct Coded {
    levels: Vec<i32>,
    index: Vec<u16>,
}

/// The variables of one side's tests of association, prepared on every core.
fn coded_variables(plan: &Plan, data: Data, side: &Side) -> HashMap<String, Coded> {
    let mut names: Vec<String> = Vec::new();
    for family in plan.association.iter().filter(|f| f.data == data) {
        names.push(family.by.clone());
        names.extend(select_outcomes(&family.outcomes, side, &family.by));
    }
    names.sort_unstable();
    names.dedup();
    let no_info = VariableInfo::default();
    let prepared = parallel_map(&names, |name| {
        let values = side.data.value_column(name)?;
        let levels = levels(values, side.book.get(name).unwrap_or(&no_info));
        // Levels are substantive codes, so an empty answer has none without a search.
        let position = CodeTable::new(SMALL_CODES, |code| {
            if code == MISSING {
                return NO_LEVEL;
            }
            levels
                .iter()
                .position(|&level| level == code)
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(NO_LEVEL)
        });
        let mut index = Vec::with_capacity(values.len());
        values.iter().for_each(|v| index.push(position.get(v)));
        Some(Coded { levels, index })
    });
    names
        .into_iter()
        .zip(prepared)
        .filter_map(|(name, coded)| Some((name, coded?)))
        .collect()
}

fn association_family(
    plan: &Plan,
    family: &crate::plan::Association,
    side: &Side,
    coded: &HashMap<String, Coded>,
) -> Result<Vec<TestResult>, AnalysisError> {
    let data_label = data_name(family.data);
    let by = coded
        .get(&family.by)
        .ok_or_else(|| unknown("association", &family.id, &family.by, data_label))?;
    let by_info = side.book.get(&family.by).cloned().unwrap_or_default();
    let grouping = Grouping {
        by: &family.by,
        levels: &by.levels,
        index: &by.index,
        info: &by_info,
    };
    let outcomes = select_outcomes(&family.outcomes, side, &family.by);
    // The tests are independent: they run on every core, and are gathered in plan order.
    let tested = parallel_map(&outcomes, |outcome| {
        let values = coded
            .get(outcome)
            .ok_or_else(|| unknown("association", &family.id, outcome, data_label))?;
        let info = side.book.get(outcome).cloned().unwrap_or_default();
        Ok(association(family, &grouping, outcome, values, &info))
    });
    let mut results = Vec::new();
    for result in tested {
        if let Some(mut result) = result? {
            result.adjustment = adjustment_name(plan.adjustment);
            results.push(result);
        }
    }
    // Each test is judged on the p its table recommends: Fisher's where the table is
    // sparse (the chi-square approximation is doubtful), else Pearson's.
    let adjusted = adjust(
        &results.iter().map(judged_p).collect::<Vec<_>>(),
        plan.adjustment,
    );
    Ok(results
        .into_iter()
        .zip(adjusted)
        .map(|(mut r, p)| {
            r.p_adjusted = p;
            r.significant = p <= plan.significance;
            TestResult::Association(Box::new(r))
        })
        .collect())
}

/// The p a test of association is judged on: its `p_basis`.
fn judged_p(result: &AssociationResult) -> f64 {
    match (result.p_basis, result.fisher_p) {
        ("fisher", Some(p)) => p,
        _ => result.p,
    }
}

/// The substantive codes of a variable that occur in `values`: labelled codes in label
/// order, then unlabelled ones ascending.
fn levels(values: Values<'_>, info: &VariableInfo) -> Vec<i32> {
    // Distinct values without sorting the column: a presence table for small codes.
    let mut small = [false; SMALL_CODES];
    let mut other: std::collections::BTreeSet<i32> = std::collections::BTreeSet::new();
    // `for_each`, not a `for` loop: one loop per width of column (`ValuesIter::fold`).
    values.iter().for_each(|v| match usize::try_from(v) {
        Ok(i) if i < SMALL_CODES => small[i] = true,
        _ => {
            if v != MISSING {
                other.insert(v);
            }
        }
    });
    let mut seen: Vec<i32> = (0..SMALL_CODES)
        .filter(|i| small[*i])
        .map(|i| i as i32)
        .collect();
    seen.extend(other);
    seen.sort_unstable();
    seen.retain(|v| !info.non_substantive.contains(v));
    let labelled: Vec<i32> = info
        .labels
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| seen.contains(c))
        .collect();
    let mut ordered = labelled.clone();
    ordered.extend(seen.into_iter().filter(|c| !labelled.contains(c)));
    ordered
}

/// `f` applied to every item, on as many threads as there are cores (at most one chunk
/// of items each), in item order. A chunk whose thread fails is computed again here.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                (
                    part,
                    scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, handle)| {
                handle
                    .join()
                    .unwrap_or_else(|_| part.iter().map(f).collect())
            })
            .collect()
    })
}

/// `f` applied to shares of the records `0..len`, one share per core, concatenated in
/// record order: for work on each record that does not depend on the others.
pub(crate) fn parallel_records<R: Send>(
    len: usize,
    f: impl Fn(std::ops::Range<usize>) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let share = len.div_ceil(threads).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..len)
        .step_by(share)
        .map(|start| start..(start + share).min(len))
        .collect();
    parallel_map(&ranges, |range| f(range.clone()))
        .into_iter()
        .flatten()
        .collect()
}

/// Codes below this are looked up in dense tables.
const SMALL_CODES: usize = 1024;

/// "Not a level" in a [`Coded`] index.
const NO_LEVEL: u16 = u16::MAX;

/// The grouping variable of a family, prepared once for all its outcomes.
struct Grouping<'a> {
    by: &'a str,
    levels: &'a [i32],
    /// Each record's position in `levels`, or [`NO_LEVEL`].
    index: &'a [u16],
    info: &'a VariableInfo,
}

/// The analysis's cap on exact r x c enumeration for Fisher's test (a few milliseconds);
/// beyond it a seeded Monte Carlo estimate with [`FISHER_SAMPLES`] tables is reported,
/// stated as such. A plan runs hundreds of tests, many on sparse site-by-answer tables
/// whose exact enumeration is out of reach, so a larger cap only burns time before the
/// same fallback. `skafada crosstab` uses the statistics crate's larger defaults for a
/// single table.
const FISHER_WORK_LIMIT: u64 = 100_000;

/// Monte Carlo tables per Fisher estimate in the analysis: a standard error of about
/// 0.003 at p = .05.
const FISHER_SAMPLES: u64 = 5_000;

/// A chi-square test of two coded variables; `None` when fewer than two categories of
/// each have cases (nothing to test).
fn association(
    family: &crate::plan::Association,
    grouping: &Grouping<'_>,
    outcome: &str,
    outcome_values: &Coded,
    info: &VariableInfo,
) -> Option<AssociationResult> {
    let (by, by_info, rows) = (grouping.by, grouping.info, grouping.levels);
    let cols = &outcome_values.levels;
    if rows.len() < 2 || cols.len() < 2 {
        return None;
    }
    // One pass over both columns, without branches: a record outside the levels of
    // either variable counts in an extra last row or column, which is then left out.
    // Four interleaved tallies keep consecutive records from waiting on one another.
    let (height, width) = (rows.len() + 1, cols.len() + 1);
    let cell =
        |r: u16, c: u16| usize::from(r).min(rows.len()) * width + usize::from(c).min(cols.len());
    let mut lanes = vec![[0u64; 4]; height * width];
    let mut by_chunks = grouping.index.chunks_exact(4);
    let mut outcome_chunks = outcome_values.index.chunks_exact(4);
    for (r, c) in by_chunks.by_ref().zip(outcome_chunks.by_ref()) {
        for lane in 0..4 {
            if let Some(slot) = lanes.get_mut(cell(r[lane], c[lane])) {
                slot[lane] += 1;
            }
        }
    }
    for (&r, &c) in by_chunks.remainder().iter().zip(outcome_chunks.remainder()) {
        if let Some(slot) = lanes.get_mut(cell(r, c)) {
            slot[0] += 1;
        }
    }
    let counts: Vec<Vec<u64>> = lanes
        .chunks(width)
        .take(rows.len())
        .map(|row| row[..cols.len()].iter().map(|l| l.iter().sum()).collect())
        .collect();
    // Drop groups or outcomes with no cases once the other variable's missing are removed.
    let keep_rows: Vec<usize> = (0..rows.len())
        .filter(|&r| counts[r].iter().sum::<u64>() > 0)
        .collect();
    let keep_cols: Vec<usize> = (0..cols.len())
        .filter(|&c| counts.iter().map(|row| row[c]).sum::<u64>() > 0)
        .collect();
    if keep_rows.len() < 2 || keep_cols.len() < 2 {
        return None;
    }
    let counts: Vec<Vec<u64>> = keep_rows
        .iter()
        .map(|&r| keep_cols.iter().map(|&c| counts[r][c]).collect())
        .collect();
    let table = ContingencyTable::new(counts.clone()).ok()?;
    let analysis = crosstab(&table).ok()?;
    // Fisher's test where the chi-square approximation is doubtful (sparse cells) or the
    // table is 2x2; a seeded Monte Carlo estimate stands in where enumeration is infeasible.
    let fisher = (!analysis.warnings.is_empty() || (counts.len() == 2 && counts[0].len() == 2))
        .then(|| {
            fisher_exact(
                &table,
                &FisherOptions {
                    samples: FISHER_SAMPLES,
                    work_limit: FISHER_WORK_LIMIT,
                    ..FisherOptions::default()
                },
            )
            .ok()
        })
        .flatten();
    let row_percentages = counts
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter().map(|n| percent(*n, total, 1)).collect()
        })
        .collect();
    Some(AssociationResult {
        family: family.id.clone(),
        family_title: family.title.clone(),
        by: by.to_owned(),
        outcome: outcome.to_owned(),
        outcome_text: info.text.clone(),
        row_levels: keep_rows.iter().map(|&r| by_info.label(rows[r])).collect(),
        col_levels: keep_cols.iter().map(|&c| info.label(cols[c])).collect(),
        counts,
        row_percentages,
        n: analysis.n,
        chi2: analysis.pearson.statistic,
        df: analysis.pearson.df,
        p: analysis.pearson.p_value,
        p_adjusted: analysis.pearson.p_value,
        adjustment: "",
        g2: analysis.likelihood_ratio.statistic,
        p_g2: analysis.likelihood_ratio.p_value,
        fisher_p: fisher.as_ref().map(|f| f.p_value),
        fisher_method: fisher.as_ref().map(|f| match &f.method {
            FisherMethod::Exact => "exact".to_owned(),
            FisherMethod::MonteCarlo { .. } => "monte-carlo".to_owned(),
        }),
        fisher_samples: fisher.as_ref().and_then(|f| match f.method {
            FisherMethod::MonteCarlo { samples, .. } => Some(samples),
            FisherMethod::Exact => None,
        }),
        fisher_seed: fisher.as_ref().and_then(|f| match f.method {
            FisherMethod::MonteCarlo { seed, .. } => Some(seed),
            FisherMethod::Exact => None,
        }),
        p_basis: if !analysis.warnings.is_empty() && fisher.is_some() {
            "fisher"
        } else {
            "pearson"
        },
        cramers_v: analysis.cramers_v,
        cramers_v_ci: skafada_stats::cramers_v_interval(
            analysis.pearson.statistic,
            analysis.n,
            keep_rows.len(),
            keep_cols.len(),
            0.95,
        )
        .ok()
        .map(|ci| [ci.lower, ci.upper]),
        significant: false,
        warnings: analysis.warnings.iter().map(TestWarning::from).collect(),
    })
}

/// A test's warning: the statistics' own, tagged by `code` with its fields (e.g.
/// `{"code": "sparse_expected_counts", "cells_below_five": 3, ...}`), and in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestWarning {
    /// The warning and its fields.
    #[serde(flatten)]
    pub detail: skafada_stats::Warning,
    /// The warning in words.
    pub message: String,
}

impl From<&skafada_stats::Warning> for TestWarning {
    fn from(warning: &skafada_stats::Warning) -> Self {
        TestWarning {
            detail: warning.clone(),
            message: warning.to_string(),
        }
    }
}

fn twin_of(post: &skafada_instrument::Instrument, pre_row: &str) -> Option<String> {
    post.items().find_map(|item| match &item.kind {
        skafada_instrument::ItemKind::Matrix { rows, .. } => rows
            .iter()
            .find(|r| r.twin.as_deref() == Some(pre_row))
            .map(|r| r.id.clone()),
        _ => (item.twin.as_deref() == Some(pre_row)).then(|| item.id.clone()),
    })
}

fn answer_key<'a>(plan: &'a Plan, id: &str) -> Option<&'a BTreeMap<String, u32>> {
    plan.derive
        .iter()
        .find(|d| d.id == id)
        .and_then(|d| match &d.rule {
            crate::plan::DeriveRule::AnswerKey { key } => Some(key),
            _ => None,
        })
}

/// How a code counts in a proportion: not at all (missing or not substantive), or as a
/// substantive answer that is or is not a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Score {
    NotCounted,
    Failure,
    Success,
}

/// Codes below this are scored from a table.
const SCORED_CODES: usize = 64;

/// The score of each code of a variable.
fn scoring<'a>(
    info: &'a VariableInfo,
    success: &'a [u32],
) -> CodeTable<Score, impl Fn(i32) -> Score + 'a> {
    CodeTable::new(SCORED_CODES, move |v| {
        if v == MISSING || info.non_substantive.contains(&v) {
            Score::NotCounted
        } else if u32::try_from(v).is_ok_and(|c| success.contains(&c)) {
            Score::Success
        } else {
            Score::Failure
        }
    })
}

fn proportion(values: Values<'_>, scores: &CodeTable<Score, impl Fn(i32) -> Score>) -> Proportion {
    let (mut n, mut x) = (0u64, 0u64);
    values.iter().for_each(|v| {
        let score = scores.get(v);
        n += u64::from(score != Score::NotCounted);
        x += u64::from(score == Score::Success);
    });
    let p = if n == 0 { 0.0 } else { x as f64 / n as f64 };
    let ci = wilson_interval(x, n, 0.95)
        .map(|i| [i.lower, i.upper])
        .unwrap_or([0.0, 1.0]);
    Proportion { x, n, p, ci }
}

/// Pairs of (pre-training, post-training) records of the same respondent, in
/// pre-training order.
fn linked_records(pre: &Kept<'_>, post: &Kept<'_>) -> Vec<(usize, usize)> {
    // Identifiers are random, not chosen by an adversary: a fast hasher is safe here.
    let mut post_index: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(post.len(), foldhash::fast::RandomState::default());
    post_index.extend(
        post.respondents()
            .enumerate()
            .filter(|(_, id)| !id.is_empty())
            .map(|(i, id)| (id, i)),
    );
    // Looked up on every core, a share of the pre-training records each.
    parallel_records(pre.len(), |rows| {
        rows.filter_map(|row| {
            post_index
                .get(pre.respondent(row))
                .map(|&other| (row, other))
        })
        .collect()
    })
}

fn prepost_family(
    plan: &Plan,
    family: &crate::plan::PrePost,
    pre: &Side,
    post: &Side,
    post_instrument: &skafada_instrument::Instrument,
    links: &[(usize, usize)],
) -> Result<(Vec<TestResult>, String), AnalysisError> {
    let info = pre
        .book
        .get(&family.item)
        .ok_or_else(|| unknown("prepost", &family.id, &family.item, "pre"))?;
    let direction_of = |reverse: bool| match (family.alternative, reverse) {
        (Direction::Greater, false) | (Direction::Less, true) => Alternative::Greater,
        (Direction::Less, false) | (Direction::Greater, true) => Alternative::Less,
        (Direction::TwoSided, _) => Alternative::TwoSided,
    };
    // The statements are independent: they run on every core, gathered in plan order.
    let compared = parallel_map(&info.members, |pre_row| {
        let Some(post_row) = twin_of(post_instrument, pre_row) else {
            return Ok(None);
        };
        let (Some(pre_values), Some(post_values)) = (
            pre.data.value_column(pre_row),
            post.data.value_column(&post_row),
        ) else {
            return Err(unknown("prepost", &family.id, &post_row, "post"));
        };
        let pre_info = pre.book.get(pre_row).cloned().unwrap_or_default();
        let post_info = post.book.get(&post_row).cloned().unwrap_or_default();
        let success: Vec<u32> = match &family.key {
            Some(key) => match answer_key(plan, key).and_then(|k| k.get(pre_row)) {
                Some(code) => vec![*code],
                None => return Ok(None),
            },
            None => family.success.clone(),
        };
        let (pre_scores, post_scores) =
            (scoring(&pre_info, &success), scoring(&post_info, &success));
        let before = proportion(pre_values, &pre_scores);
        let after = proportion(post_values, &post_scores);
        let reverse = row_is_reverse(post_instrument, &post_row);
        let alternative = direction_of(reverse);
        let (Ok(z), Ok(z_two_sided)) = (
            two_proportion_z_test(after.x, after.n, before.x, before.n, alternative),
            two_proportion_z_test(after.x, after.n, before.x, before.n, Alternative::TwoSided),
        ) else {
            return Ok(Some(Err((before.n, after.n))));
        };
        let difference = after.p - before.p;
        let Ok(newcombe) = newcombe_difference(after.x, after.n, before.x, before.n, 0.95) else {
            return Ok(Some(Err((before.n, after.n))));
        };
        let difference_ci = [newcombe.lower, newcombe.upper];
        // Paired tests on respondents linked across the two surveys.
        // Linked answers are tallied as they are read: McNemar's cells by success before
        // and after, and the signed-rank test's differences (after - before) with their
        // counts. A scale gives a handful of distinct differences for many respondents.
        let mut cells = [[0u64; 2]; 2];
        // A difference d with |d| < NEAR is counted at `near[d + NEAR]`; a larger one is
        // looked for in `differences`.
        const NEAR: i64 = 64;
        let mut near = [0u64; 2 * NEAR as usize];
        let mut differences: Vec<(f64, u64)> = Vec::new();
        for &(row, other_row) in links {
            let (Some(a), Some(b)) = (pre_values.get(row), post_values.get(other_row)) else {
                continue;
            };
            let (before, after) = (pre_scores.get(a), post_scores.get(b));
            if before == Score::NotCounted || after == Score::NotCounted {
                continue;
            }
            cells[usize::from(before != Score::Success)][usize::from(after != Score::Success)] += 1;
            let slot = usize::try_from(i64::from(b) - i64::from(a) + NEAR).ok();
            match slot.and_then(|i| near.get_mut(i)) {
                Some(count) => *count += 1,
                None => {
                    let d = f64::from(b) - f64::from(a);
                    match differences.iter_mut().find(|(t, _)| *t == d) {
                        Some(t) => t.1 += 1,
                        None => differences.push((d, 1)),
                    }
                }
            }
        }
        for (d, &count) in (-(NEAR as i32)..).zip(&near) {
            if count > 0 {
                differences.push((f64::from(d), count));
            }
        }
        let linked: u64 = cells.iter().flatten().sum();
        let paired = (linked > 0).then(|| {
            let mcnemar_p = ContingencyTable::new(cells.iter().map(|r| r.to_vec()).collect())
                .ok()
                .and_then(|t| mcnemar(&t, McNemarMethod::Exact).ok())
                .map(|m| m.p_value);
            let wilcoxon = wilcoxon_signed_rank_tallied(
                &differences,
                Alternative::TwoSided,
                WilcoxonMethod::Auto,
            )
            .ok();
            Paired {
                n: linked,
                stayed: cells[0][0],
                left: cells[0][1],
                joined: cells[1][0],
                before: (cells[0][0] + cells[0][1]) as f64 / linked as f64,
                after: (cells[0][0] + cells[1][0]) as f64 / linked as f64,
                mcnemar_p,
                mcnemar_p_adjusted: None,
                significant: false,
                wilcoxon_p: wilcoxon.as_ref().map(|w| w.p_value),
                wilcoxon_method: wilcoxon
                    .as_ref()
                    .map(|w| format!("{:?}", w.method).to_lowercase()),
            }
        });
        Ok(Some(Ok(PrePostResult {
            family: family.id.clone(),
            family_title: family.title.clone(),
            pre_variable: pre_row.clone(),
            post_variable: post_row,
            text: pre_info.text.clone(),
            pre: before,
            post: after,
            difference,
            difference_ci,
            z: z.z,
            p: z.p_value,
            alternative: match alternative {
                Alternative::Greater => "greater",
                Alternative::Less => "less",
                Alternative::TwoSided => "two-sided",
            },
            reverse,
            p_adjusted: z.p_value,
            significant: false,
            p_two_sided: z_two_sided.p_value,
            p_two_sided_adjusted: z_two_sided.p_value,
            worse: false,
            paired,
        })))
    });
    let mut results = Vec::new();
    // The bases of the statements that could not be tested, before and after.
    let (mut answered_before, mut answered_after, mut both) = (false, false, false);
    for result in compared {
        match result? {
            Some(Ok(result)) => results.push(result),
            Some(Err((before, after))) => {
                answered_before |= before > 0;
                answered_after |= after > 0;
                both |= before > 0 && after > 0;
            }
            None => {}
        }
    }
    let reason = if both {
        "every statement had the same answer from everyone before and after training, so there is nothing to compare".to_owned()
    } else if answered_before {
        "only one group answered: nobody answered these statements after training".to_owned()
    } else if answered_after {
        "only one group answered: nobody answered these statements before training".to_owned()
    } else {
        "nobody answered these statements before or after training".to_owned()
    };
    let adjusted = adjust(
        &results.iter().map(|r| r.p).collect::<Vec<_>>(),
        plan.adjustment,
    );
    let two_sided = adjust(
        &results.iter().map(|r| r.p_two_sided).collect::<Vec<_>>(),
        plan.adjustment,
    );
    // McNemar's p is adjusted over the statements that have one.
    let with_mcnemar: Vec<(usize, f64)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.paired.as_ref()?.mcnemar_p?)))
        .collect();
    let mcnemar_adjusted = adjust(
        &with_mcnemar.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
        plan.adjustment,
    );
    for ((i, _), p) in with_mcnemar.iter().zip(mcnemar_adjusted) {
        if let Some(paired) = results.get_mut(*i).and_then(|r| r.paired.as_mut()) {
            paired.mcnemar_p_adjusted = Some(p);
            paired.significant = p <= plan.significance;
        }
    }
    let results = results
        .into_iter()
        .zip(adjusted.into_iter().zip(two_sided))
        .map(|(mut r, (p, p_two_sided))| {
            r.p_adjusted = p;
            r.significant = p <= plan.significance;
            r.p_two_sided_adjusted = p_two_sided;
            r.worse = got_worse(&r, plan.significance);
            TestResult::PrePost(Box::new(r))
        })
        .collect();
    Ok((results, reason))
}

/// Whether a statement moved against its expected direction, significantly by the
/// leading two-sided test (adjusted within the family).
fn got_worse(result: &PrePostResult, significance: f64) -> bool {
    let (moved, adjusted_p) = match &result.paired {
        Some(paired) if paired.mcnemar_p_adjusted.is_some() => (
            paired.after - paired.before,
            paired.mcnemar_p_adjusted.unwrap_or(1.0),
        ),
        _ => (result.difference, result.p_two_sided_adjusted),
    };
    let against = match result.alternative {
        "greater" => moved < 0.0,
        "less" => moved > 0.0,
        _ => false,
    };
    against && adjusted_p <= significance
}

/// Whether an instrument's matrix row is worded negatively.
fn row_is_reverse(instrument: &skafada_instrument::Instrument, row_id: &str) -> bool {
    instrument.items().any(|item| match &item.kind {
        skafada_instrument::ItemKind::Matrix { rows, .. } => {
            rows.iter().any(|row| row.id == row_id && row.reverse)
        }
        _ => false,
    })
}

fn alpha(
    battery: &crate::plan::Reliability,
    data: &'static str,
    side: &Side,
    rows: &[String],
    reverse: &[String],
) -> Option<ReliabilityResult> {
    let columns: Vec<(Values<'_>, VariableInfo)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                side.data.value_column(r)?,
                side.book.get(r).cloned().unwrap_or_default(),
            ))
        })
        .collect();
    if columns.len() != rows.len() || columns.len() < 2 {
        return None;
    }
    // A reversed row scores max + min - v over the scale's substantive codes: the offset
    // `max + min` (or none) of each column, worked out once.
    let offsets: Vec<Option<i32>> = columns
        .iter()
        .zip(rows)
        .map(|((_, info), id)| {
            let (low, high) = info
                .labels
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| !info.non_substantive.contains(c))
                .fold((i32::MAX, i32::MIN), |(lo, hi), c| (lo.min(c), hi.max(c)));
            reverse.contains(id).then(|| low + high)
        })
        .collect();
    let substantive =
        |v: i32, info: &VariableInfo| v != MISSING && !info.non_substantive.contains(&v);
    // Cronbach's alpha drops incomplete rows (listwise deletion); the scores are codes,
    // so exact running sums stand in for the matrix.
    let mut sums = IntegerScaleSums::new(columns.len());
    let mut scores = vec![0i32; columns.len()];
    for row in 0..side.data.len() {
        let mut complete = true;
        for ((score, (values, info)), offset) in scores.iter_mut().zip(&columns).zip(&offsets) {
            let v = values.get(row).unwrap_or(MISSING);
            if !substantive(v, info) {
                complete = false;
                break;
            }
            *score = offset.map_or(v, |o| o - v);
        }
        if complete {
            sums.add(&scores);
        } else {
            sums.skip_incomplete();
        }
    }
    let result = sums.alpha(0.95).ok()?;
    Some(ReliabilityResult {
        id: battery.id.clone(),
        title: battery.title.clone(),
        data,
        items: result.items,
        n: result.n,
        alpha: result.alpha,
        ci: [result.lower, result.upper],
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What [`tally`] must give: every value but [`MISSING`], counted one by one.
    fn counted_one_by_one(values: impl Iterator<Item = i32>) -> BTreeMap<i32, u64> {
        let mut counts = BTreeMap::new();
        for value in values.filter(|v| *v != MISSING) {
            *counts.entry(value).or_default() += 1;
        }
        counts
    }

    proptest! {
        #[test]
        fn a_tally_counts_every_value_but_missing_held_or_read_through(
            column in prop::collection::vec(
                prop_oneof![
                    Just(MISSING),
                    0..300i32,
                    -5..0i32,
                    Just(i32::MAX),
                    Just(TALLIED_DIRECTLY as i32 - 1),
                    Just(TALLIED_DIRECTLY as i32),
                ],
                0..200,
            ),
            keep in prop::collection::vec(any::<bool>(), 200),
        ) {
            let expected = counted_one_by_one(column.iter().copied());
            let held = crate::data::ValueColumn::from(column.as_slice());
            prop_assert_eq!(tally(held.values()), expected.clone());
            prop_assert_eq!(tally(Values::from(column.as_slice())), expected);
            let rows: Vec<usize> = (0..column.len()).filter(|&row| keep[row]).collect();
            let read_through = held.at(&rows);
            let expected = counted_one_by_one(rows.iter().map(|&row| column[row]));
            prop_assert_eq!(tally(read_through), expected);
        }
    }
}
