//! McNemar's test against statsmodels `mcnemar`.

use skafada_stats::{McNemarMethod, mcnemar};

use crate::common::{MaxErr, assert_rel, load, table};

#[derive(Debug, serde::Deserialize)]
struct Stat {
    statistic: f64,
    p_value: f64,
}

#[derive(Debug, serde::Deserialize)]
struct Case {
    table: Vec<Vec<u64>>,
    exact: Stat,
    corrected: Option<Stat>,
    uncorrected: Option<Stat>,
}

#[test]
fn exact_and_asymptotic_mcnemar_match_statsmodels() {
    let mut err = MaxErr::default();
    for c in load::<Case>(include_str!("../fixtures/mcnemar.json"), 30) {
        let t = table(&c.table);
        let e = mcnemar(&t, McNemarMethod::Exact).unwrap();
        assert_eq!(e.statistic, c.exact.statistic);
        err.add(assert_rel(
            e.p_value,
            c.exact.p_value,
            &format!("exact {:?}", c.table),
        ));
        for (method, expected) in [
            (McNemarMethod::ChiSquareCorrected, &c.corrected),
            (McNemarMethod::ChiSquare, &c.uncorrected),
        ] {
            let result = mcnemar(&t, method);
            match expected {
                Some(s) => {
                    let r = result.unwrap();
                    let ctx = format!("{method:?} {:?}", c.table);
                    err.add(crate::common::assert_rel_or_tiny(
                        r.statistic,
                        s.statistic,
                        &ctx,
                    ));
                    err.add(assert_rel(r.p_value, s.p_value, &ctx));
                }
                None => assert!(
                    result.is_err(),
                    "{:?}: no discordant pairs must be an error",
                    c.table
                ),
            }
        }
    }
    err.report("McNemar");
}
