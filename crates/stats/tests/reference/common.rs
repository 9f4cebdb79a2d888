//! Fixture loading and tolerance checks shared by the reference tests.

use serde::de::DeserializeOwned;

/// Relative tolerance required for every reference value.
pub const REL_TOL: f64 = 1e-9;

/// Fixture file layout written by both generator scripts.
#[derive(Debug, serde::Deserialize)]
pub struct Fixture<T> {
    pub generated_by: String,
    pub cases: Vec<T>,
}

/// Parses a fixture and checks that it is not empty, so a test can never pass
/// vacuously on an empty or truncated file.
pub fn load<T: DeserializeOwned>(json: &str, min_cases: usize) -> Vec<T> {
    let fixture: Fixture<T> = serde_json::from_str(json).expect("fixture parses");
    assert!(!fixture.generated_by.is_empty());
    assert!(
        fixture.cases.len() >= min_cases,
        "fixture has {} cases, expected at least {min_cases}",
        fixture.cases.len()
    );
    fixture.cases
}

/// Relative error of `actual` against `expected`; values that both underflow
/// below 1e-300 count as equal (scipy returns 0 where the tail underflows).
pub fn rel_err(actual: f64, expected: f64) -> f64 {
    assert!(
        actual.is_finite(),
        "non-finite result {actual} (expected {expected})"
    );
    if expected.abs() < 1e-300 {
        return if actual.abs() < 1e-300 {
            0.0
        } else {
            f64::INFINITY
        };
    }
    ((actual - expected) / expected).abs()
}

/// Asserts `actual` equals `expected` to [`REL_TOL`] relative and returns the
/// relative error (for reporting the largest one seen).
#[track_caller]
pub fn assert_rel(actual: f64, expected: f64, context: &str) -> f64 {
    let e = rel_err(actual, expected);
    assert!(
        e <= REL_TOL,
        "{context}: got {actual:e}, expected {expected:e} (relative error {e:e})"
    );
    e
}

/// As [`assert_rel`], but values whose true size is zero (an interval bound
/// at 0, the residual of an exactly independent cell) may differ by `1e-15`
/// absolutely, since the references themselves carry that rounding noise.
/// Returns the relative error when it is within tolerance, else 0 for a pass
/// by the absolute floor.
#[track_caller]
pub fn assert_rel_or_tiny(actual: f64, expected: f64, context: &str) -> f64 {
    assert!(actual.is_finite(), "{context}: non-finite {actual}");
    let e = rel_err(actual, expected);
    if e <= REL_TOL {
        return e;
    }
    if (actual - expected).abs() <= 1e-15 {
        return 0.0;
    }
    assert_rel(actual, expected, context)
}

/// Running maximum of relative errors, printed with `--nocapture`.
#[derive(Debug, Default)]
pub struct MaxErr {
    pub max: f64,
    pub checks: usize,
}

impl MaxErr {
    pub fn add(&mut self, e: f64) {
        self.checks += 1;
        self.max = self.max.max(e);
    }

    pub fn report(&self, what: &str) {
        assert!(self.checks > 0, "{what}: nothing was checked");
        eprintln!(
            "{what}: {} values checked, max relative error {:e}",
            self.checks, self.max
        );
    }
}

/// Builds a table from a JSON array of rows of counts.
pub fn table(rows: &[Vec<u64>]) -> skafada_stats::ContingencyTable {
    skafada_stats::ContingencyTable::new(rows.to_vec()).expect("valid reference table")
}
