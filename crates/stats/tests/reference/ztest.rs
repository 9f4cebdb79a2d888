//! Two-proportion z-test against statsmodels `proportions_ztest`.

use skafada_stats::{Alternative, two_proportion_z_test};

use crate::common::{MaxErr, assert_rel, load};

#[derive(Debug, serde::Deserialize)]
struct Case {
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    p1: f64,
    p2: f64,
    pooled: f64,
    z: f64,
    two_sided: f64,
    greater: f64,
    less: f64,
}

#[test]
fn pooled_z_and_p_values_match_statsmodels_for_every_alternative() {
    let mut err = MaxErr::default();
    for c in load::<Case>(include_str!("../fixtures/ztest.json"), 40) {
        for (alt, expected) in [
            (Alternative::TwoSided, c.two_sided),
            (Alternative::Greater, c.greater),
            (Alternative::Less, c.less),
        ] {
            let r = two_proportion_z_test(c.x1, c.n1, c.x2, c.n2, alt).unwrap();
            let ctx = format!("{}/{} vs {}/{} {alt:?}", c.x1, c.n1, c.x2, c.n2);
            err.add(assert_rel(r.p_value, expected, &format!("p {ctx}")));
            err.add(crate::common::assert_rel_or_tiny(
                r.z,
                c.z,
                &format!("z {ctx}"),
            ));
            err.add(assert_rel(r.p1, c.p1, &format!("p1 {ctx}")));
            err.add(assert_rel(r.p2, c.p2, &format!("p2 {ctx}")));
            err.add(assert_rel(r.pooled, c.pooled, &format!("pooled {ctx}")));
        }
    }
    err.report("two-proportion z-test");
}
