//! Crosstab statistics against scipy `chi2_contingency` / `association` and
//! statsmodels `Table.standardized_resids`.

use skafada_stats::crosstab;

use crate::common::{MaxErr, assert_rel, assert_rel_or_tiny, load, table};

#[derive(Debug, serde::Deserialize)]
struct Test {
    statistic: f64,
    df: u64,
    p_value: f64,
}

#[derive(Debug, serde::Deserialize)]
struct Case {
    table: Vec<Vec<u64>>,
    expected: Vec<Vec<f64>>,
    pearson: Test,
    likelihood_ratio: Test,
    yates: Option<Test>,
    cramers_v: f64,
    adjusted_residuals: Vec<Vec<f64>>,
}

fn cases() -> Vec<Case> {
    load(include_str!("../fixtures/crosstab.json"), 60)
}

fn check(actual: &skafada_stats::ChiSquareTest, expected: &Test, what: &str, err: &mut MaxErr) {
    assert_eq!(actual.df, expected.df, "{what}: df");
    err.add(assert_rel(
        actual.statistic,
        expected.statistic,
        &format!("{what} statistic"),
    ));
    err.add(assert_rel(
        actual.p_value,
        expected.p_value,
        &format!("{what} p"),
    ));
}

#[test]
fn pearson_chi_square_matches_scipy_on_every_reference_table() {
    let mut err = MaxErr::default();
    for c in cases() {
        let a = crosstab(&table(&c.table)).unwrap();
        check(
            &a.pearson,
            &c.pearson,
            &format!("Pearson {:?}", c.table),
            &mut err,
        );
    }
    err.report("Pearson chi-square");
}

#[test]
fn likelihood_ratio_g_matches_scipy_on_every_reference_table() {
    let mut err = MaxErr::default();
    for c in cases() {
        let a = crosstab(&table(&c.table)).unwrap();
        check(
            &a.likelihood_ratio,
            &c.likelihood_ratio,
            &format!("G {:?}", c.table),
            &mut err,
        );
    }
    err.report("likelihood-ratio G");
}

#[test]
fn yates_correction_is_given_for_exactly_the_2x2_tables_and_matches_scipy() {
    let mut err = MaxErr::default();
    for c in cases() {
        let a = crosstab(&table(&c.table)).unwrap();
        match (&a.yates, &c.yates) {
            (Some(ours), Some(theirs)) => {
                check(ours, theirs, &format!("Yates {:?}", c.table), &mut err)
            }
            (None, None) => {}
            (ours, theirs) => panic!(
                "{:?}: Yates presence differs: {ours:?} vs {theirs:?}",
                c.table
            ),
        }
    }
    err.report("Yates chi-square");
}

#[test]
fn cramers_v_expected_counts_and_adjusted_residuals_match_the_references() {
    let mut err = MaxErr::default();
    for c in cases() {
        let a = crosstab(&table(&c.table)).unwrap();
        let ctx = format!("{:?}", c.table);
        err.add(assert_rel_or_tiny(
            a.cramers_v,
            c.cramers_v,
            &format!("V {ctx}"),
        ));
        for (ours, theirs) in a.expected.iter().flatten().zip(c.expected.iter().flatten()) {
            err.add(assert_rel(*ours, *theirs, &format!("expected {ctx}")));
        }
        for (ours, theirs) in a
            .adjusted_residuals
            .iter()
            .flatten()
            .zip(c.adjusted_residuals.iter().flatten())
        {
            err.add(assert_rel_or_tiny(
                *ours,
                *theirs,
                &format!("residual {ctx}"),
            ));
        }
    }
    err.report("Cramér's V, expected counts, adjusted residuals");
}
