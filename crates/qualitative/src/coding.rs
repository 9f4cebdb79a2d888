//! Double coding: two coders index the same transcript independently; their agreement
//! is worked out per sub-theme with the transcript's turns as the units (a coder applied
//! a sub-theme to a turn when any of their passages in that turn carries it), and each
//! turn and sub-theme they disagree on waits for a decision.
//!
//! What counts in the matrix and the report ([`resolve`]): on a single-coded transcript,
//! every passage as coded; on a double-coded one, a sub-theme on a turn counts when both
//! coders applied it or a decision says it applies, and also while a disagreement is
//! still undecided (so nothing an analyst indexed disappears before it is discussed); a
//! decision that it does not apply removes it from that turn's passages.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::agreement::{self, AgreementError, CodeAgreement, Judgement};

/// A passage as indexed by one coder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CodedPassage {
    /// Its identifier.
    pub id: String,
    /// The case (interviewee's pseudonym).
    pub case: String,
    /// The turn it is in.
    pub turn: i64,
    /// Who indexed it.
    pub coder: String,
    /// The sub-themes it is indexed under.
    pub codes: Vec<String>,
    /// Its words.
    pub text: String,
    /// Whether it was selected as a quotation for the report.
    pub report_quote: bool,
}

/// A decision on a disagreement: whether `code` applies to `turn` of `case`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The case.
    pub case: String,
    /// The turn.
    pub turn: i64,
    /// The sub-theme.
    pub code: String,
    /// Whether it applies.
    pub include: bool,
}

/// A turn and sub-theme on which two coders disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The case.
    pub case: String,
    /// The turn.
    pub turn: i64,
    /// The sub-theme.
    pub code: String,
    /// The coder who applied it.
    pub applied_by: String,
    /// The coder who did not.
    pub not_applied_by: String,
    /// The decision, once made.
    pub decided: Option<bool>,
}

/// A double-coded transcript: its case, the numbers of its turns, and its two coders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleCoded<'a> {
    /// The case.
    pub case: &'a str,
    /// Every turn's number: the units of agreement.
    pub turns: &'a [i64],
}

/// Which coder applied which sub-themes to which turn of a case.
fn applied<'a>(
    case: &str,
    passages: &'a [CodedPassage],
) -> BTreeMap<&'a str, BTreeSet<(i64, &'a str)>> {
    let mut by_coder: BTreeMap<&str, BTreeSet<(i64, &str)>> = BTreeMap::new();
    for passage in passages.iter().filter(|p| p.case == case) {
        let set = by_coder.entry(passage.coder.as_str()).or_default();
        for code in &passage.codes {
            set.insert((passage.turn, code.as_str()));
        }
    }
    by_coder
}

/// The coders of a double-coded case, in name order.
///
/// # Errors
/// [`AgreementError::NotTwoCoders`] unless exactly two coders indexed it.
pub fn coders_of<'a>(
    case: &str,
    passages: &'a [CodedPassage],
) -> Result<(&'a str, &'a str), AgreementError> {
    let coders: BTreeSet<&str> = passages
        .iter()
        .filter(|p| p.case == case)
        .map(|p| p.coder.as_str())
        .collect();
    match coders.iter().copied().collect::<Vec<_>>()[..] {
        [first, second] => Ok((first, second)),
        _ => Err(AgreementError::NotTwoCoders(
            coders.len(),
            coders.iter().copied().collect::<Vec<_>>().join(", "),
        )),
    }
}

/// Agreement per sub-theme across the double-coded transcripts, the units being every
/// turn of each, for each code of `codes`. Coders are named "first" and "second" per
/// transcript (in name order), so different pairs can code different transcripts.
///
/// # Errors
/// [`AgreementError`] when a double-coded transcript does not have exactly two coders.
pub fn agreement(
    double_coded: &[DoubleCoded<'_>],
    passages: &[CodedPassage],
    codes: &[&str],
) -> Result<Vec<CodeAgreement>, AgreementError> {
    let mut judgements = Vec::new();
    for transcript in double_coded {
        let (first, second) = coders_of(transcript.case, passages)?;
        let by_coder = applied(transcript.case, passages);
        for (coder, label) in [(first, "first"), (second, "second")] {
            let set = by_coder.get(coder);
            for &turn in transcript.turns {
                for &code in codes {
                    judgements.push(Judgement {
                        passage: format!("{}#{turn}", transcript.case),
                        code: code.to_owned(),
                        coder: label.to_owned(),
                        present: set.is_some_and(|s| s.contains(&(turn, code))),
                    });
                }
            }
        }
    }
    if judgements.is_empty() {
        return Ok(Vec::new());
    }
    agreement::by_code(&judgements)
}

/// The turns and sub-themes the two coders of a double-coded transcript disagree on,
/// with any decision made, in turn and code order.
///
/// # Errors
/// [`AgreementError::NotTwoCoders`] unless exactly two coders indexed it.
pub fn disagreements(
    case: &str,
    passages: &[CodedPassage],
    decisions: &[Decision],
) -> Result<Vec<Disagreement>, AgreementError> {
    let (first, second) = coders_of(case, passages)?;
    let by_coder = applied(case, passages);
    let empty = BTreeSet::new();
    let a = by_coder.get(first).unwrap_or(&empty);
    let b = by_coder.get(second).unwrap_or(&empty);
    let mut found: Vec<Disagreement> = a
        .symmetric_difference(b)
        .map(|&(turn, code)| {
            let (applied_by, not_applied_by) = if a.contains(&(turn, code)) {
                (first, second)
            } else {
                (second, first)
            };
            Disagreement {
                case: case.to_owned(),
                turn,
                code: code.to_owned(),
                applied_by: applied_by.to_owned(),
                not_applied_by: not_applied_by.to_owned(),
                decided: decisions
                    .iter()
                    .find(|d| d.case == case && d.turn == turn && d.code == code)
                    .map(|d| d.include),
            }
        })
        .collect();
    found.sort_by(|x, y| (x.turn, &x.code).cmp(&(y.turn, &y.code)));
    Ok(found)
}

/// The passages as they count in the matrix and the report (see the module's
/// description): codes a decision excluded are removed, and a passage left with no code
/// is dropped. On a double-coded transcript, where both coders applied a code to the
/// same turn, only the first passage in order carries it, so that the same words are not
/// counted twice.
pub fn resolve(
    passages: &[CodedPassage],
    double_coded: &BTreeSet<&str>,
    decisions: &[Decision],
) -> Vec<CodedPassage> {
    let excluded: BTreeSet<(&str, i64, &str)> = decisions
        .iter()
        .filter(|d| !d.include)
        .map(|d| (d.case.as_str(), d.turn, d.code.as_str()))
        .collect();
    let mut carried: BTreeSet<(String, i64, String)> = BTreeSet::new();
    passages
        .iter()
        .filter_map(|passage| {
            let double = double_coded.contains(passage.case.as_str());
            let codes: Vec<String> = passage
                .codes
                .iter()
                .filter(|code| {
                    !excluded.contains(&(passage.case.as_str(), passage.turn, code.as_str()))
                })
                .filter(|code| {
                    !double || carried.insert((passage.case.clone(), passage.turn, (*code).clone()))
                })
                .cloned()
                .collect();
            (!codes.is_empty()).then(|| CodedPassage {
                codes,
                ..passage.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn passage(id: &str, turn: i64, coder: &str, codes: &[&str]) -> CodedPassage {
        CodedPassage {
            id: id.to_owned(),
            case: "CS1-P01".to_owned(),
            turn,
            coder: coder.to_owned(),
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            text: format!("words of {id}"),
            report_quote: false,
        }
    }

    fn two_coders() -> Vec<CodedPassage> {
        vec![
            passage("a2", 2, "ann@example.org", &["asking", "training"]),
            passage("a4", 4, "ann@example.org", &["asking"]),
            passage("b2", 2, "bo@example.org", &["asking"]),
            passage("b4", 4, "bo@example.org", &["asking"]),
            passage("b6", 6, "bo@example.org", &["training"]),
        ]
    }

    #[test]
    fn agreement_counts_every_turn_of_the_transcript_as_a_unit() {
        let turns = [1, 2, 3, 4, 5, 6];
        let result = agreement(
            &[DoubleCoded {
                case: "CS1-P01",
                turns: &turns,
            }],
            &two_coders(),
            &["asking", "training"],
        )
        .unwrap();
        let asking = &result[0];
        assert_eq!((asking.n, asking.agreement), (6, 1.0));
        assert_eq!(asking.kappa, Some(1.0));
        // training: ann on turn 2 only, bo on turn 6 only; 4 of 6 turns agree (absent),
        // p_o = 4/6, p_e = (5/6)(5/6) + (1/6)(1/6) = 26/36, kappa = (24/36 - 26/36) / (10/36).
        let training = &result[1];
        assert_eq!((training.only_first, training.only_second), (1, 1));
        assert!((training.kappa.unwrap() - (-0.2)).abs() < 1e-12);
    }

    #[test]
    fn disagreements_name_who_applied_the_code_and_carry_the_decision() {
        let decisions = [Decision {
            case: "CS1-P01".to_owned(),
            turn: 6,
            code: "training".to_owned(),
            include: false,
        }];
        let found = disagreements("CS1-P01", &two_coders(), &decisions).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            (
                found[0].turn,
                found[0].applied_by.as_str(),
                found[0].decided
            ),
            (2, "ann@example.org", None)
        );
        assert_eq!((found[1].turn, found[1].decided), (6, Some(false)));
    }

    #[test]
    fn a_transcript_with_one_coder_has_no_agreement_to_work_out() {
        let one = vec![passage("a2", 2, "ann@example.org", &["asking"])];
        assert!(matches!(
            disagreements("CS1-P01", &one, &[]),
            Err(AgreementError::NotTwoCoders(1, _))
        ));
    }

    #[test]
    fn resolving_drops_excluded_codes_and_counts_agreed_words_once() {
        let decisions = [Decision {
            case: "CS1-P01".to_owned(),
            turn: 6,
            code: "training".to_owned(),
            include: false,
        }];
        let double: BTreeSet<&str> = ["CS1-P01"].into();
        let resolved = resolve(&two_coders(), &double, &decisions);
        let kept: Vec<(&str, Vec<&str>)> = resolved
            .iter()
            .map(|p| (p.id.as_str(), p.codes.iter().map(String::as_str).collect()))
            .collect();
        // b2 and b4 repeat what a2 and a4 carry; b6's only code was decided against.
        assert_eq!(
            kept,
            [("a2", vec!["asking", "training"]), ("a4", vec!["asking"])]
        );
        // Single-coded: everything stays as coded.
        assert_eq!(resolve(&two_coders(), &BTreeSet::new(), &[]).len(), 5);
    }
}
