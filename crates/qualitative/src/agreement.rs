//! Two coders' agreement per code: for each passage both coded, whether each applied the
//! code; Cohen's kappa and the proportion of agreement on that presence.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use skafada_stats::{ContingencyTable, cohen_kappa};

/// One coder's judgement: whether `code` applies to `passage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The passage's identifier.
    pub passage: String,
    /// The code (a sub-theme's identifier).
    pub code: String,
    /// The coder's identifier.
    pub coder: String,
    /// Whether the coder applied the code to the passage.
    pub present: bool,
}

/// The agreement on one code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeAgreement {
    /// The code.
    pub code: String,
    /// Cohen's kappa on presence; `None` when both coders gave every passage the same
    /// answer, where kappa is undefined (0/0).
    pub kappa: Option<f64>,
    /// The proportion of passages on which the coders agree.
    pub agreement: f64,
    /// Passages both coders judged for this code.
    pub n: u64,
    /// Passages where only the first coder applied the code.
    pub only_first: u64,
    /// Passages where only the second coder applied the code.
    pub only_second: u64,
}

/// Why agreement could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    /// Agreement is between exactly two coders.
    #[error("agreement needs exactly two coders; the data have {0}: {1}")]
    NotTwoCoders(usize, String),
    /// A coder judged a passage and code twice, differently or not.
    #[error("coder {coder} judged passage {passage} for code {code} more than once")]
    Duplicate {
        /// The coder.
        coder: String,
        /// The passage.
        passage: String,
        /// The code.
        code: String,
    },
    /// Only one coder judged a passage and code.
    #[error("passage {passage} has a judgement for code {code} from {coder} only")]
    Unpaired {
        /// The one coder who judged it.
        coder: String,
        /// The passage.
        passage: String,
        /// The code.
        code: String,
    },
}

/// Agreement per code, in code order. The coders are taken in name order: the first is
/// "first" in [`CodeAgreement::only_first`].
///
/// # Errors
/// [`AgreementError`] when there are not exactly two coders, a judgement is repeated, or
/// a passage and code was judged by one coder only: agreement is never worked out on
/// silently dropped rows.
pub fn by_code(judgements: &[Judgement]) -> Result<Vec<CodeAgreement>, AgreementError> {
    let coders: BTreeSet<&str> = judgements.iter().map(|j| j.coder.as_str()).collect();
    let [first, second] = coders.iter().copied().collect::<Vec<_>>()[..] else {
        return Err(AgreementError::NotTwoCoders(
            coders.len(),
            coders.iter().copied().collect::<Vec<_>>().join(", "),
        ));
    };
    // (code, passage) -> (first's presence, second's presence)
    let mut pairs: BTreeMap<(&str, &str), [Option<bool>; 2]> = BTreeMap::new();
    for j in judgements {
        let slot = usize::from(j.coder != first);
        let entry = pairs
            .entry((j.code.as_str(), j.passage.as_str()))
            .or_default();
        if entry[slot].replace(j.present).is_some() {
            return Err(AgreementError::Duplicate {
                coder: j.coder.clone(),
                passage: j.passage.clone(),
                code: j.code.clone(),
            });
        }
    }
    let mut tallies: BTreeMap<&str, [[u64; 2]; 2]> = BTreeMap::new();
    for ((code, passage), [a, b]) in &pairs {
        let (Some(a), Some(b)) = (a, b) else {
            return Err(AgreementError::Unpaired {
                coder: if a.is_some() { first } else { second }.to_owned(),
                passage: (*passage).to_owned(),
                code: (*code).to_owned(),
            });
        };
        tallies.entry(code).or_default()[usize::from(*a)][usize::from(*b)] += 1;
    }
    Ok(tallies
        .into_iter()
        .filter_map(|(code, cells)| {
            let table = ContingencyTable::new(cells.iter().map(|r| r.to_vec()).collect()).ok()?;
            let result = cohen_kappa(&table).ok()?;
            Some(CodeAgreement {
                code: code.to_owned(),
                kappa: result.kappa,
                agreement: result.observed,
                n: result.n,
                only_first: cells[1][0],
                only_second: cells[0][1],
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn judge(passage: &str, code: &str, coder: &str, present: bool) -> Judgement {
        Judgement {
            passage: passage.to_owned(),
            code: code.to_owned(),
            coder: coder.to_owned(),
            present,
        }
    }

    #[test]
    fn agreement_per_code_counts_each_coders_disagreements() {
        let mut rows = Vec::new();
        // Code "barriers": agree on p1 (yes), p2 (no); only A on p3; only B on p4.
        for (p, a, b) in [
            ("p1", true, true),
            ("p2", false, false),
            ("p3", true, false),
            ("p4", false, true),
        ] {
            rows.push(judge(p, "barriers", "A", a));
            rows.push(judge(p, "barriers", "B", b));
        }
        let result = by_code(&rows).unwrap();
        assert_eq!(result.len(), 1);
        let barriers = &result[0];
        assert_eq!(
            (barriers.n, barriers.only_first, barriers.only_second),
            (4, 1, 1)
        );
        assert_eq!(barriers.agreement, 0.5);
        assert_eq!(barriers.kappa, Some(0.0));
    }

    #[test]
    fn one_coder_or_an_unpaired_or_repeated_judgement_is_refused_by_name() {
        let one = [judge("p1", "c", "A", true)];
        assert!(matches!(
            by_code(&one),
            Err(AgreementError::NotTwoCoders(1, _))
        ));
        let unpaired = [
            judge("p1", "c", "A", true),
            judge("p1", "c", "B", true),
            judge("p2", "c", "A", false),
        ];
        assert_eq!(
            by_code(&unpaired).unwrap_err().to_string(),
            "passage p2 has a judgement for code c from A only"
        );
        let repeated = [
            judge("p1", "c", "A", true),
            judge("p1", "c", "A", false),
            judge("p1", "c", "B", true),
        ];
        assert!(matches!(
            by_code(&repeated),
            Err(AgreementError::Duplicate { .. })
        ));
    }
}
