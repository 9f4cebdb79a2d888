//! Multiple-comparison adjustment of a family of p-values.

use crate::{Result, StatsError};

/// Adjustment method. Named explicitly because statsmodels' default
/// (`holm-sidak`) is neither of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustMethod {
    /// Holm's step-down method (R `p.adjust(method = "holm")`, statsmodels
    /// `multipletests(method = "holm")`): controls the family-wise error rate.
    Holm,
    /// Benjamini-Hochberg step-up method (R `"BH"`, statsmodels `"fdr_bh"`):
    /// controls the false discovery rate.
    BenjaminiHochberg,
}

/// Adjusts `p_values` for multiple comparisons; the output is in input order.
///
/// An empty family gives an empty vector.
///
/// # Errors
/// [`StatsError::InvalidPValue`] for a value outside `[0, 1]` or NaN.
pub fn adjust_p_values(p_values: &[f64], method: AdjustMethod) -> Result<Vec<f64>> {
    for (index, &value) in p_values.iter().enumerate() {
        if !(0.0..=1.0).contains(&value) {
            return Err(StatsError::InvalidPValue { index, value });
        }
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    // Stable sort, ascending: ties keep input order like R's order().
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mf = m as f64;
    match method {
        AdjustMethod::Holm => {
            let mut running = 0.0f64;
            for (rank, &idx) in order.iter().enumerate() {
                let value = ((mf - rank as f64) * p_values[idx]).min(1.0);
                running = running.max(value);
                adjusted[idx] = running;
            }
        }
        AdjustMethod::BenjaminiHochberg => {
            let mut running = 1.0f64;
            for (rank, &idx) in order.iter().enumerate().rev() {
                let value = (mf / (rank as f64 + 1.0) * p_values[idx]).min(1.0);
                running = running.min(value);
                adjusted[idx] = running;
            }
        }
    }
    Ok(adjusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_and_bh_match_r_on_a_small_family() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        let p = [0.01, 0.04, 0.03, 0.005];
        let holm = adjust_p_values(&p, AdjustMethod::Holm).unwrap();
        for (a, b) in holm.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!((a - b).abs() < 1e-15, "{holm:?}");
        }
        // R: p.adjust(..., "BH") = 0.02 0.04 0.04 0.02
        let bh = adjust_p_values(&p, AdjustMethod::BenjaminiHochberg).unwrap();
        for (a, b) in bh.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!((a - b).abs() < 1e-15, "{bh:?}");
        }
    }

    #[test]
    fn invalid_p_values_are_rejected_and_empty_families_are_fine() {
        assert!(matches!(
            adjust_p_values(&[0.5, f64::NAN], AdjustMethod::Holm),
            Err(StatsError::InvalidPValue { index: 1, .. })
        ));
        assert!(adjust_p_values(&[1.5], AdjustMethod::Holm).is_err());
        assert_eq!(
            adjust_p_values(&[], AdjustMethod::BenjaminiHochberg).unwrap(),
            Vec::<f64>::new()
        );
    }
}
