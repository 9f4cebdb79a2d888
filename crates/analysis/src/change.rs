//! Change across measurement waves and between delivery arms, for one binary measure
//! (for example "agrees with the statement"), on respondents already linked across
//! waves and scored: `Some(true)` agrees, `Some(false)` does not, `None` is not counted
//! (missing, "don't know").
//!
//! * [`within_person`]: the paired 2x2 table of two waves, McNemar's exact and
//!   corrected chi-square tests and the change in the share agreeing with Wald and
//!   Newcombe intervals.
//! * [`retention`]: among respondents who moved from not agreeing (first wave) to
//!   agreeing (second wave) and answered the third, the share still agreeing at the
//!   third, with a Wilson interval.
//! * [`compare_arms`]: the share improving in each of two arms (among respondents
//!   not agreeing at the first wave, the share agreeing at the second), their
//!   difference with Newcombe's interval, the pooled z-test and Cohen's h.
//! * [`attrition`]: responses at each wave by site and arm; [`completers_vs_others`]:
//!   completers against non-completers on a baseline category (chi-square).
//!
//! `docs/linking-waves.md` defines each figure. Everything here is counting; the
//! statistics are `skafada-stats`', checked there against statsmodels and scipy.

use std::collections::BTreeMap;

use serde::Serialize;
use skafada_stats::{
    Alternative, ContingencyTable, CrosstabAnalysis, DifferenceInterval, McNemarMethod,
    McNemarResult, PairedDifference, ProportionInterval, StatsError, TwoProportionZTest, cohens_h,
    crosstab, mcnemar, newcombe_difference, paired_proportion_difference, two_proportion_z_test,
    wilson_interval,
};

/// A figure that cannot be computed from the data given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChangeError {
    /// No respondent has the answers the figure needs.
    #[error("no respondent answered both waves: {0}")]
    NoPairs(&'static str),
    /// The statistics refused the counts.
    #[error(transparent)]
    Stats(#[from] StatsError),
}

/// Within-person change between two waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithinPerson {
    /// The paired table: rows the first wave (agrees, does not), columns the second.
    pub table: [[u64; 2]; 2],
    /// McNemar's exact test (statsmodels' default).
    pub mcnemar_exact: McNemarResult,
    /// McNemar's chi-square with continuity correction (R's default); `None` when
    /// nobody changed.
    pub mcnemar_corrected: Option<McNemarResult>,
    /// The share agreeing at each wave and its change, second minus first.
    pub difference: PairedDifference,
}

/// Within-person change of a binary measure between two waves, from each linked
/// respondent's (first, second) answers; pairs with either answer not counted are
/// left out.
///
/// # Errors
/// [`ChangeError::NoPairs`] when no pair has both answers counted.
pub fn within_person(
    pairs: impl IntoIterator<Item = (Option<bool>, Option<bool>)>,
    confidence: f64,
) -> Result<WithinPerson, ChangeError> {
    let mut table = [[0u64; 2]; 2];
    for pair in pairs {
        if let (Some(first), Some(second)) = pair {
            table[usize::from(!first)][usize::from(!second)] += 1;
        }
    }
    let t = ContingencyTable::two_by_two(table[0][0], table[0][1], table[1][0], table[1][1])?;
    if t.total() == 0 {
        return Err(ChangeError::NoPairs("within-person change"));
    }
    let corrected = match mcnemar(&t, McNemarMethod::ChiSquareCorrected) {
        Ok(m) => Some(m),
        Err(StatsError::Undefined { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(WithinPerson {
        table,
        mcnemar_exact: mcnemar(&t, McNemarMethod::Exact)?,
        mcnemar_corrected: corrected,
        difference: paired_proportion_difference(&t, confidence)?,
    })
}

/// Retention of a gain: among respondents who did not agree at the first wave,
/// agreed at the second and answered the third, the share still agreeing at the
/// third (`retained / gained`), with a Wilson interval.
///
/// # Errors
/// [`ChangeError::NoPairs`] when nobody gained (and answered the third wave).
pub fn retention(
    triples: impl IntoIterator<Item = (Option<bool>, Option<bool>, Option<bool>)>,
    confidence: f64,
) -> Result<ProportionInterval, ChangeError> {
    let (mut gained, mut retained) = (0u64, 0u64);
    for triple in triples {
        if let (Some(false), Some(true), Some(third)) = triple {
            gained += 1;
            retained += u64::from(third);
        }
    }
    if gained == 0 {
        return Err(ChangeError::NoPairs("retention (nobody gained)"));
    }
    Ok(wilson_interval(retained, gained, confidence)?)
}

/// The share improving in one arm: among respondents not agreeing at the first wave
/// (and answering the second), those agreeing at the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Improvement {
    /// Respondents who agreed at the second wave.
    pub improved: u64,
    /// Respondents who did not agree at the first wave and answered the second.
    pub could_improve: u64,
}

impl Improvement {
    /// Counts improvement from each linked respondent's (first, second) answers.
    pub fn count(pairs: impl IntoIterator<Item = (Option<bool>, Option<bool>)>) -> Self {
        let mut out = Self {
            improved: 0,
            could_improve: 0,
        };
        for pair in pairs {
            if let (Some(false), Some(second)) = pair {
                out.could_improve += 1;
                out.improved += u64::from(second);
            }
        }
        out
    }
}

/// Two arms compared on the share improving.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmComparison {
    /// The first arm's counts.
    pub first: Improvement,
    /// The second arm's counts.
    pub second: Improvement,
    /// First arm's share minus the second's, with Newcombe's hybrid score interval.
    pub difference: DifferenceInterval,
    /// The pooled two-proportion z-test (the score test at no difference); `None`
    /// when nobody, or everybody, improved in both arms.
    pub test: Option<TwoProportionZTest>,
    /// Cohen's h of the two shares.
    pub cohens_h: f64,
}

/// Compares the share improving between two arms.
///
/// # Errors
/// [`ChangeError::NoPairs`] when an arm has nobody who could improve.
pub fn compare_arms(
    first: Improvement,
    second: Improvement,
    confidence: f64,
) -> Result<ArmComparison, ChangeError> {
    if first.could_improve == 0 || second.could_improve == 0 {
        return Err(ChangeError::NoPairs(
            "arm comparison (an arm has nobody who could improve)",
        ));
    }
    let difference = newcombe_difference(
        first.improved,
        first.could_improve,
        second.improved,
        second.could_improve,
        confidence,
    )?;
    let test = match two_proportion_z_test(
        first.improved,
        first.could_improve,
        second.improved,
        second.could_improve,
        Alternative::TwoSided,
    ) {
        Ok(t) => Some(t),
        Err(StatsError::Undefined { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let share = |i: Improvement| i.improved as f64 / i.could_improve as f64;
    Ok(ArmComparison {
        first,
        second,
        difference,
        test,
        cohens_h: cohens_h(share(first), share(second))?,
    })
}

/// One respondent for the attrition table: where they are, their arm, and at which
/// waves (in wave order) they responded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation<'a> {
    /// Site.
    pub site: &'a str,
    /// Delivery arm, if the study has arms.
    pub arm: Option<&'a str>,
    /// Whether they responded at each wave.
    pub responded: &'a [bool],
}

/// Responses at each wave for one site and arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttritionRow {
    /// Site.
    pub site: String,
    /// Arm (`None` without arms).
    pub arm: Option<String>,
    /// Respondents who responded at each wave, in wave order.
    pub responded: Vec<u64>,
    /// Respondents who responded at every wave.
    pub completers: u64,
}

/// Counts responses at each of `waves` waves by site and arm, sorted by site then
/// arm. A respondent's flags beyond `waves` are ignored; missing ones count as not
/// responded.
pub fn attrition(people: &[Participation<'_>], waves: usize) -> Vec<AttritionRow> {
    let mut rows: BTreeMap<(&str, Option<&str>), AttritionRow> = BTreeMap::new();
    for p in people {
        let row = rows.entry((p.site, p.arm)).or_insert_with(|| AttritionRow {
            site: p.site.to_owned(),
            arm: p.arm.map(str::to_owned),
            responded: vec![0; waves],
            completers: 0,
        });
        for (count, &r) in row.responded.iter_mut().zip(p.responded) {
            *count += u64::from(r);
        }
        let all = (0..waves).all(|w| p.responded.get(w).copied().unwrap_or(false));
        row.completers += u64::from(all && waves > 0);
    }
    rows.into_values().collect()
}

/// Completers against non-completers on a baseline category: the 2 x k table (row 0
/// completers, row 1 the others; columns the categories in ascending code order) and
/// its chi-square analysis. Values `None` (missing) are left out.
///
/// # Errors
/// [`ChangeError::Stats`] when the table cannot be analysed (for example everyone
/// completed, or everyone gave the same category).
pub fn completers_vs_others(
    baseline: impl IntoIterator<Item = (bool, Option<i32>)>,
) -> Result<(Vec<i32>, CrosstabAnalysis), ChangeError> {
    let mut counts: BTreeMap<i32, [u64; 2]> = BTreeMap::new();
    for (completed, value) in baseline {
        if let Some(v) = value {
            counts.entry(v).or_default()[usize::from(!completed)] += 1;
        }
    }
    let codes: Vec<i32> = counts.keys().copied().collect();
    let rows = (0..2)
        .map(|r| counts.values().map(|c| c[r]).collect())
        .collect();
    let table = ContingencyTable::new(rows)?;
    Ok((codes, crosstab(&table)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(table: [[usize; 2]; 2]) -> Vec<(Option<bool>, Option<bool>)> {
        let mut out = Vec::new();
        for (r, row) in table.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                out.extend(std::iter::repeat_n((Some(r == 0), Some(c == 0)), n));
            }
        }
        out
    }

    #[test]
    fn within_person_change_builds_the_paired_table_and_reproduces_the_reference_mcnemar() {
        let mut data = pairs([[30, 25], [8, 57]]);
        data.push((None, Some(true)));
        data.push((Some(false), None));
        let r = within_person(data, 0.95).unwrap();
        assert_eq!(r.table, [[30, 25], [8, 57]]);
        // docs/reference-behaviour values (statsmodels and R).
        assert!((r.mcnemar_exact.p_value - 0.004_551_384_132_355_452).abs() < 1e-15);
        let corrected = r.mcnemar_corrected.unwrap();
        assert!((corrected.statistic - 7.757_575_757_575_758).abs() < 1e-12);
        // The paired_difference.json reference for this table (Newcombe method 10).
        assert!((r.difference.newcombe.lower - -0.230_318_560_042_695_7).abs() < 1e-12);
        assert!((r.difference.newcombe.upper - -0.048_980_694_039_101_49).abs() < 1e-12);
    }

    #[test]
    fn nobody_changing_gives_no_corrected_mcnemar_and_no_pairs_is_an_error() {
        let r = within_person(pairs([[5, 0], [0, 5]]), 0.95).unwrap();
        assert!(r.mcnemar_corrected.is_none());
        assert_eq!(r.mcnemar_exact.p_value, 1.0);
        assert!(matches!(
            within_person(vec![(None, Some(true))], 0.95),
            Err(ChangeError::NoPairs(_))
        ));
    }

    #[test]
    fn retention_counts_only_gainers_who_answered_the_third_wave() {
        let f = Some(false);
        let t = Some(true);
        let data = vec![
            (f, t, t),
            (f, t, t),
            (f, t, f),
            (f, t, None), // did not answer the follow-up
            (t, t, t),    // agreed already: no gain
            (f, f, t),    // gained only later
        ];
        let r = retention(data, 0.95).unwrap();
        assert_eq!((r.successes, r.trials), (2, 3));
        assert_eq!(r, wilson_interval(2, 3, 0.95).unwrap());
        assert!(matches!(
            retention(vec![(t, t, t)], 0.95),
            Err(ChangeError::NoPairs(_))
        ));
    }

    #[test]
    fn arms_are_compared_on_the_share_improving_among_those_who_could() {
        // 7 of 34 improved in one arm, 1 of 34 in the other: the
        // independent_difference.json case from statsmodels.
        let mut one = vec![(Some(false), Some(true)); 7];
        one.extend(vec![(Some(false), Some(false)); 27]);
        one.extend(vec![(Some(true), Some(true)); 50]); // could not improve
        let mut other = vec![(Some(false), Some(true)); 1];
        other.extend(vec![(Some(false), Some(false)); 33]);
        let r = compare_arms(Improvement::count(one), Improvement::count(other), 0.95).unwrap();
        assert_eq!(
            r.first,
            Improvement {
                improved: 7,
                could_improve: 34
            }
        );
        let expected = newcombe_difference(7, 34, 1, 34, 0.95).unwrap();
        assert_eq!(r.difference, expected);
        assert!(r.test.is_some_and(|t| t.p_value < 0.05));
        assert!(r.cohens_h > 0.0);
        let nobody = Improvement {
            improved: 0,
            could_improve: 0,
        };
        assert!(compare_arms(nobody, r.second, 0.95).is_err());
    }

    #[test]
    fn attrition_counts_each_wave_and_completers_by_site_and_arm() {
        let all = [true, true, true];
        let first_two = [true, true, false];
        let first = [true, false, false];
        let people = [
            Participation {
                site: "b",
                arm: Some("online"),
                responded: &all,
            },
            Participation {
                site: "a",
                arm: Some("group"),
                responded: &first_two,
            },
            Participation {
                site: "a",
                arm: Some("group"),
                responded: &all,
            },
            Participation {
                site: "a",
                arm: Some("group"),
                responded: &first,
            },
        ];
        let rows = attrition(&people, 3);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].site, "a");
        assert_eq!(rows[0].responded, vec![3, 2, 1]);
        assert_eq!(rows[0].completers, 1);
        assert_eq!(rows[1].responded, vec![1, 1, 1]);
        assert_eq!(rows[1].completers, 1);
    }

    #[test]
    fn completers_are_compared_with_the_others_on_the_reference_crosstab() {
        // [[12, 5], [9, 14]] transposed into (completed, category) records.
        let mut data = Vec::new();
        data.extend(vec![(true, Some(1)); 12]);
        data.extend(vec![(false, Some(1)); 5]);
        data.extend(vec![(true, Some(2)); 9]);
        data.extend(vec![(false, Some(2)); 14]);
        data.push((false, None));
        let (codes, analysis) = completers_vs_others(data).unwrap();
        assert_eq!(codes, vec![1, 2]);
        assert_eq!(analysis.observed, vec![vec![12, 9], vec![5, 14]]);
        // The Pearson chi-square of reference-behaviour.md (symmetric in transposition).
        assert!((analysis.pearson.statistic - 3.879_006_980_366_515_5).abs() < 1e-12);
        assert!(completers_vs_others(vec![(true, Some(1))]).is_err());
    }
}
