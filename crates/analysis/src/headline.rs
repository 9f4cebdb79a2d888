//! Headline measures: the plan's `[[headline]]` entries resolved against the surveys.
//!
//! A headline measure is one collapsed share ("know quite a bit or a lot", "answered
//! correctly", "agree or strongly agree"), chosen so that a site of a few dozen
//! respondents can show it: two groups of answers rather than five categories. An entry
//! names a single-choice question, or a grid whose statements each become a measure;
//! [`measures`] turns the entries into the variables, codes and bases to count, before
//! and (through each statement's twin) after the training. The figures themselves are
//! counted and protected elsewhere (the protected release), never here.

use skafada_instrument::{Choice, Instrument, ItemKind};

use crate::plan::{Better, Headline, Plan, PlanError, ValidPercentBase};

/// The variable, codes and base of one side (before or after) of a measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The survey variable (a question's or a statement's identifier).
    pub variable: String,
    /// The codes counted.
    pub codes: Vec<u32>,
    /// The codes of the base: every substantive answer ("not applicable" and "prefer not
    /// to say" are left out, as in the study's figures) unless the plan says
    /// `base = "all-answers"`.
    pub base: Vec<u32>,
}

/// One headline measure of one statement or question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// A stable identifier: the entry's id, then the statement's (`knowledge/knowledge-dash`).
    pub id: String,
    /// The entry it comes from.
    pub headline: String,
    /// The entry's title: what the share counts ("Know quite a bit or a lot").
    pub title: String,
    /// The statement or question, as asked.
    pub text: String,
    /// Before the training.
    pub pre: Counted,
    /// After the training, when the post-training survey asks the statement again.
    pub post: Option<Counted>,
    /// Whether a higher share is the better outcome for this statement (turned round
    /// for statements the survey marks as negatively worded).
    pub higher_is_better: bool,
}

fn problem(file: &str, headline: &Headline, message: String) -> PlanError {
    PlanError {
        file: file.to_owned(),
        message: format!("[[headline]] `{}`: {message}", headline.id),
    }
}

/// The codes of a measure's base among a question's options.
fn base_of(options: &[Choice], base: ValidPercentBase) -> Vec<u32> {
    options
        .iter()
        .filter(|o| base == ValidPercentBase::AllAnswers || o.is_substantive())
        .map(|o| o.code)
        .collect()
}

/// Resolves the plan's headline measures against the surveys, in plan order. Every
/// problem (an unknown question, statement, code or answer key) is an error naming the
/// entry: a measure is never dropped in silence.
pub fn measures(
    plan: &Plan,
    pre: &Instrument,
    post: Option<&Instrument>,
    file: &str,
) -> Result<Vec<Measure>, PlanError> {
    let mut out: Vec<Measure> = Vec::new();
    for headline in &plan.headline {
        if headline.success.is_empty() == headline.key.is_none() {
            return Err(problem(
                file,
                headline,
                "give either `success` or `key`, not both or neither".to_owned(),
            ));
        }
        let key = match &headline.key {
            Some(key) => Some(
                plan.derive
                    .iter()
                    .find(|d| &d.id == key)
                    .and_then(|d| match &d.rule {
                        crate::plan::DeriveRule::AnswerKey { key } => Some(key),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        problem(file, headline, format!("no answer key `{key}` in the plan"))
                    })?,
            ),
            None => None,
        };
        let item = pre.item(&headline.item).ok_or_else(|| {
            problem(
                file,
                headline,
                format!("no question `{}` in the pre-training survey", headline.item),
            )
        })?;
        // (variable, text, reverse) of each statement measured.
        let (options, statements): (&[Choice], Vec<(String, String, bool)>) = match &item.kind {
            ItemKind::Single { options } => {
                if !headline.rows.is_empty() {
                    return Err(problem(
                        file,
                        headline,
                        "`rows` is for a grid of statements".to_owned(),
                    ));
                }
                (options, vec![(item.id.clone(), item.text.clone(), false)])
            }
            ItemKind::Matrix { options, rows, .. } => {
                if let Some(unknown) = headline
                    .rows
                    .iter()
                    .find(|r| !rows.iter().any(|row| &row.id == *r))
                {
                    return Err(problem(
                        file,
                        headline,
                        format!("no statement `{unknown}` in `{}`", item.id),
                    ));
                }
                (
                    options,
                    rows.iter()
                        .filter(|r| headline.rows.is_empty() || headline.rows.contains(&r.id))
                        .map(|r| (r.id.clone(), r.text.clone(), r.reverse))
                        .collect(),
                )
            }
            _ => {
                return Err(problem(
                    file,
                    headline,
                    format!("`{}` is neither a single choice nor a grid", item.id),
                ));
            }
        };
        let base = base_of(options, headline.base);
        for (variable, text, reverse) in statements {
            let codes = match key {
                Some(key) => vec![*key.get(&variable).ok_or_else(|| {
                    problem(
                        file,
                        headline,
                        format!("the answer key has no answer for `{variable}`"),
                    )
                })?],
                None => headline.success.clone(),
            };
            if let Some(code) = codes.iter().find(|c| !base.contains(c)) {
                return Err(problem(
                    file,
                    headline,
                    format!("code {code} is not a substantive answer of `{variable}`"),
                ));
            }
            let twin = post.and_then(|post| twin_of(post, &variable));
            let post = twin.map(|(variable, options)| {
                let base = base_of(options, headline.base);
                Counted {
                    codes: codes.iter().copied().filter(|c| base.contains(c)).collect(),
                    variable,
                    base,
                }
            });
            let id = format!("{}/{variable}", headline.id);
            if out.iter().any(|m| m.id == id) {
                return Err(problem(
                    file,
                    headline,
                    format!("the measure `{id}` is made twice"),
                ));
            }
            out.push(Measure {
                id,
                headline: headline.id.clone(),
                title: headline.title.clone(),
                text,
                pre: Counted {
                    variable,
                    codes,
                    base: base.clone(),
                },
                post,
                higher_is_better: (headline.better == Better::Higher) != reverse,
            });
        }
    }
    Ok(out)
}

/// The post-training statement or question that repeats `variable`, with its options: a
/// grid's statement by its `twin`, a single choice by its own identifier.
fn twin_of<'a>(post: &'a Instrument, variable: &str) -> Option<(String, &'a [Choice])> {
    post.items().find_map(|item| match &item.kind {
        ItemKind::Matrix { options, rows, .. } => rows
            .iter()
            .find(|r| r.twin.as_deref() == Some(variable))
            .map(|r| (r.id.clone(), options.as_slice())),
        ItemKind::Single { options } if item.id == variable => {
            Some((item.id.clone(), options.as_slice()))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surveys() -> (Instrument, Instrument) {
        let pre =
            skafada_instrument::load(include_str!("../../../instruments/skafada-pre.toml"), "pre")
                .unwrap();
        let post = skafada_instrument::parse(
            include_str!("../../../instruments/skafada-post.toml"),
            "post",
        )
        .unwrap()
        .validate(Some(&pre))
        .unwrap();
        (pre, post)
    }

    fn plan(headlines: &str) -> Plan {
        let base = include_str!("../../../plans/skafada.toml");
        let without: String = base
            .split("\n[[headline]]")
            .next()
            .unwrap_or(base)
            .to_owned();
        Plan::parse(&format!("{without}\n{headlines}"), "plan.toml").unwrap()
    }

    #[test]
    fn a_grid_gives_one_measure_per_statement_with_not_applicable_left_out_of_the_base() {
        let (pre, post) = surveys();
        let plan = plan(
            "[[headline]]\nid = \"know\"\ntitle = \"Know quite a bit or a lot\"\nitem = \"knowledge\"\nsuccess = [4, 5]\n",
        );
        let measures = measures(&plan, &pre, Some(&post), "plan.toml").unwrap();
        assert_eq!(measures.len(), 18);
        let dash = measures
            .iter()
            .find(|m| m.id == "know/knowledge-dash")
            .unwrap();
        assert_eq!(dash.pre.codes, vec![4, 5]);
        assert_eq!(dash.pre.base, vec![1, 2, 3, 4, 5]);
        assert_eq!(dash.post.as_ref().unwrap().variable, "post-knowledge-dash");
        assert!(dash.higher_is_better);
    }

    #[test]
    fn an_answer_key_counts_each_statements_correct_answer_and_a_reversed_row_turns_round() {
        let (pre, post) = surveys();
        let plan = plan(
            "[[headline]]\nid = \"right\"\ntitle = \"Answered correctly\"\nitem = \"attitudes\"\nkey = \"correct\"\nrows = [\"attitude-alcohol\", \"attitude-survivor-choices\"]\n\n[[headline]]\nid = \"agree\"\ntitle = \"Agree\"\nitem = \"confidence\"\nsuccess = [4, 5]\n",
        );
        let measures = measures(&plan, &pre, Some(&post), "plan.toml").unwrap();
        assert_eq!(measures[0].pre.codes, vec![2]);
        assert_eq!(measures[1].pre.codes, vec![1]);
        assert_eq!(measures[0].pre.base, vec![1, 2, 3]);
        let culture = measures
            .iter()
            .find(|m| m.id == "agree/confidence-culture-language")
            .unwrap();
        assert!(!culture.higher_is_better);
    }

    #[test]
    fn an_unknown_statement_or_a_missing_success_is_refused_with_the_entry_named() {
        let (pre, post) = surveys();
        for (entry, expected) in [
            (
                "item = \"knowledge\"\nsuccess = [4]\nrows = [\"knowledge-nothing\"]",
                "no statement `knowledge-nothing`",
            ),
            ("item = \"knowledge\"", "either `success` or `key`"),
            ("item = \"nothing\"\nsuccess = [1]", "no question `nothing`"),
            (
                "item = \"knowledge\"\nsuccess = [9]",
                "code 9 is not a substantive",
            ),
            (
                "item = \"attitudes\"\nkey = \"know3\"",
                "no answer key `know3`",
            ),
        ] {
            let plan = plan(&format!(
                "[[headline]]\nid = \"m\"\ntitle = \"M\"\n{entry}\n"
            ));
            let error = measures(&plan, &pre, Some(&post), "plan.toml").unwrap_err();
            assert!(
                error.message.contains("[[headline]] `m`") && error.message.contains(expected),
                "{entry}: {error}"
            );
        }
    }

    #[test]
    fn a_base_of_all_answers_keeps_not_applicable_in_before_and_after() {
        let (pre, post) = surveys();
        let plan = plan(
            "[[headline]]\nid = \"ask\"\ntitle = \"Ask\"\nitem = \"enquiry-parents\"\nsuccess = [4, 5]\nbase = \"all-answers\"\n",
        );
        let measures = measures(&plan, &pre, Some(&post), "plan.toml").unwrap();
        assert_eq!(measures[0].pre.base, vec![1, 2, 3, 4, 5, 9]);
    }

    #[test]
    fn a_single_choice_question_is_one_measure() {
        let (pre, _) = surveys();
        let plan = plan(
            "[[headline]]\nid = \"trained\"\ntitle = \"Trained\"\nitem = \"trained\"\nsuccess = [1]\n",
        );
        let measures = measures(&plan, &pre, None, "plan.toml").unwrap();
        assert_eq!(measures.len(), 1);
        assert_eq!(measures[0].pre.variable, "trained");
        assert_eq!(measures[0].pre.base, vec![1, 2]);
        assert!(measures[0].post.is_none());
    }
}
