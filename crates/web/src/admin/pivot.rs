//! The store's long answer rows pivoted into the analysis crate's [`Responses`]: one
//! record per response of one survey, one column per variable of its instrument.
//!
//! Stored values are plain text: a code (`3`), the ticked codes of a multiple-choice
//! item (`1,4`, stored under the item's id, which become `ITEM.CODE` columns of 1 and 0,
//! 0 only when the item was answered), a number, free text, or `1` for an agreed consent
//! statement. A value the instrument cannot hold (a code it does not offer) is left
//! empty rather than exported.

use std::collections::HashMap;

use skafada_analysis::data::{self, Record, Responses, Variable, VariableKind};
use skafada_instrument::Instrument;
use skafada_store::{AnswerRow, Phase, ResponseSummary, Status, hash_secret};

/// The export's status word for a stored status.
fn status(status: Status) -> data::Status {
    match status {
        Status::Consented => data::Status::Consented,
        Status::Started => data::Status::Started,
        Status::Submitted => data::Status::Submitted,
        Status::ClosedByRouting => data::Status::Ended,
    }
}

/// The record identifier of a respondent's response to one survey: stable across
/// exports, and telling nothing the respondent identifier does not.
fn response_id(respondent_id: &str, phase: Phase) -> String {
    let hash = hash_secret(&format!("response\0{respondent_id}\0{}", phase.as_str()));
    hash.get(..20).unwrap_or(&hash).to_owned()
}

/// Sets one variable of a record from the response's stored values.
fn fill(record: &mut Record, variable: &Variable, stored: &HashMap<&str, &str>) {
    let code = |raw: &str| raw.trim().parse::<i32>().ok();
    match &variable.kind {
        VariableKind::Tick => {
            let Some(ticked) = stored.get(variable.item.as_str()) else {
                return;
            };
            let Some(option) = variable
                .id
                .strip_prefix(&format!("{}.", variable.item))
                .and_then(code)
            else {
                return;
            };
            // A damaged stored value leaves every option of the question missing rather
            // than counting some of its options as not ticked.
            let Some(codes) = skafada_instrument::stored::decode_codes(ticked) else {
                return;
            };
            let on = codes.iter().any(|c| i32::try_from(*c) == Ok(option));
            record.values.insert(variable.id.clone(), i32::from(on));
        }
        VariableKind::Text => {
            if let Some(text) = stored.get(variable.id.as_str()).map(|t| t.trim())
                && !text.is_empty()
            {
                record.texts.insert(variable.id.clone(), text.to_owned());
            }
        }
        kind => {
            let Some(value) = stored.get(variable.id.as_str()).and_then(|v| code(v)) else {
                return;
            };
            let allowed = match kind {
                VariableKind::Code(codes) => u32::try_from(value).is_ok_and(|v| codes.contains(&v)),
                VariableKind::Agreed => value == 1,
                _ => value != data::MISSING,
            };
            if allowed {
                record.values.insert(variable.id.clone(), value);
            }
        }
    }
}

/// The responses of one survey (`phase`, answered with `instrument`) of the sites given,
/// in the order of `responses`. Responses and answers of other sites and of the other
/// survey are left out: pass only the sites the reader may see. Every response is a
/// record, with or without answers.
pub(crate) fn pivot(
    instrument: &Instrument,
    phase: Phase,
    sites: &[data::Site],
    responses: &[ResponseSummary],
    answers: &[AnswerRow],
) -> Responses {
    let variables = data::variables(instrument);
    let mut stored: HashMap<&str, HashMap<&str, &str>> = HashMap::new();
    for answer in answers.iter().filter(|a| a.phase == phase) {
        stored
            .entry(answer.respondent_id.as_str())
            .or_default()
            .insert(answer.variable.as_str(), answer.value.as_str());
    }
    let none = HashMap::new();
    let mut out = Responses::default();
    for response in responses.iter().filter(|r| r.phase == phase) {
        let Some(site) = sites.iter().position(|s| s.site == response.site_code) else {
            continue;
        };
        let mut record = Record {
            response_id: response_id(&response.respondent_id, phase),
            respondent_id: response.respondent_id.clone(),
            site,
            status: status(response.status),
            // The live journey never makes a record for a respondent who comes back: a
            // resume code resumes the same response. "Returning" in the study meant the
            // empty records Qualtrics made when people came back through the link, which
            // cleaning drops; a resumed response is the respondent's own and is kept.
            returning: false,
            started_on: response.started_on.clone(),
            values: HashMap::new(),
            texts: HashMap::new(),
        };
        let values = stored.get(response.respondent_id.as_str()).unwrap_or(&none);
        for variable in &variables {
            fill(&mut record, variable, values);
        }
        out.push(record, &variables);
    }
    // No records: the columns still exist, empty, so that analysis finds every variable.
    for variable in &variables {
        if !out.has(&variable.id) {
            let column = match variable.kind {
                VariableKind::Text => data::Column::Text(Vec::new()),
                _ => data::Column::Values(Vec::new()),
            };
            out.set(variable.id.clone(), column);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");

    fn instrument() -> Instrument {
        skafada_instrument::load(PRE, "pre").unwrap()
    }

    fn sites() -> Vec<data::Site> {
        ["LA01", "LA02"]
            .iter()
            .map(|code| data::Site {
                site: (*code).to_owned(),
                name: format!("Local authority {code}"),
                region: String::new(),
            })
            .collect()
    }

    fn response(respondent: &str, site: &str, phase: Phase, status: Status) -> ResponseSummary {
        ResponseSummary {
            respondent_id: respondent.to_owned(),
            site_code: site.to_owned(),
            phase,
            status,
            started_on: "2025-03-04".to_owned(),
            submitted_on: None,
            answer_count: 0,
            returned: 0,
        }
    }

    fn answer(respondent: &str, phase: Phase, variable: &str, value: &str) -> AnswerRow {
        AnswerRow {
            respondent_id: respondent.to_owned(),
            site_code: "LA01".to_owned(),
            phase,
            status: Status::Consented,
            variable: variable.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn a_respondent_who_resumed_is_not_a_returning_record_and_cleaning_keeps_them() {
        let mut resumed = response("r1", "LA01", Phase::Pre, Status::Submitted);
        resumed.returned = 3;
        let answers = vec![
            answer("r1", Phase::Pre, "consent-take-part", "1"),
            answer("r1", Phase::Pre, "gender", "2"),
            answer("r1", Phase::Pre, "start-year", "2015"),
        ];
        let out = pivot(&instrument(), Phase::Pre, &sites(), &[resumed], &answers);
        assert_eq!(out.returning, [false]);
        // With the study's own rules but no minimum share, only "returning" could drop it.
        let rules = skafada_analysis::plan::CleaningRules {
            minimum_answered: 0.0,
            ..Default::default()
        };
        let (keep, log) = skafada_analysis::clean::clean(&instrument(), &out, &rules);
        assert_eq!(keep, [true], "{log:?}");
        assert_eq!(log.kept, 1);
    }

    #[test]
    fn codes_ticks_numbers_text_and_consent_become_their_columns() {
        let responses = vec![
            response("r1", "LA01", Phase::Pre, Status::Submitted),
            response("r2", "LA01", Phase::Pre, Status::Consented),
        ];
        let answers = vec![
            answer("r1", Phase::Pre, "consent-take-part", "1"),
            answer("r1", Phase::Pre, "gender", "2"),
            answer("r1", Phase::Pre, "start-year", "2015"),
            answer("r1", Phase::Pre, "job-title", "  Social worker "),
            answer("r1", Phase::Pre, "actions-parents", "1,4"),
            answer("r1", Phase::Pre, "works-mainly-parents", "1"),
        ];
        let out = pivot(&instrument(), Phase::Pre, &sites(), &responses, &answers);
        assert_eq!(out.len(), 2);
        assert_eq!(out.respondent_id, ["r1", "r2"]);
        assert_eq!(
            out.status,
            [data::Status::Submitted, data::Status::Consented]
        );
        assert_eq!(out.values("consent-take-part").unwrap()[0], 1);
        assert_eq!(out.values("gender").unwrap(), [2, data::MISSING]);
        assert_eq!(out.values("start-year").unwrap()[0], 2015);
        assert_eq!(
            out.texts("job-title").unwrap(),
            [Some("Social worker".to_owned()), None]
        );
        assert_eq!(out.values("actions-parents.1").unwrap(), [1, data::MISSING]);
        assert_eq!(out.values("actions-parents.2").unwrap(), [0, data::MISSING]);
        assert_eq!(out.values("actions-parents.4").unwrap(), [1, data::MISSING]);
        assert_eq!(
            out.values("actions-children.1").unwrap(),
            [data::MISSING, data::MISSING],
            "an unanswered multiple-choice item has no zeros"
        );
        assert_eq!(out.values("works-mainly-parents").unwrap()[0], 1);
    }

    #[test]
    fn the_pivoted_records_write_a_response_file_the_analysis_crate_reads_back() {
        let responses = vec![response("r1", "LA02", Phase::Pre, Status::ClosedByRouting)];
        let answers = vec![
            answer("r1", Phase::Pre, "works-for-la", "2"),
            answer("r1", Phase::Pre, "actions-parents", "99"),
        ];
        let instrument = instrument();
        let out = pivot(&instrument, Phase::Pre, &sites(), &responses, &answers);
        let csv = out.to_csv(&instrument, &sites()).unwrap();
        let back = Responses::from_csv(&csv, "pre.csv", &instrument, &sites()).unwrap();
        assert_eq!(back, out);
        assert!(csv.contains(",LA02,ended,0,2025-03-04,"));
    }

    #[test]
    fn other_surveys_sites_and_impossible_values_are_left_out() {
        let responses = vec![
            response("r1", "LA01", Phase::Pre, Status::Submitted),
            response("r1", "LA01", Phase::Post, Status::Started),
            response("r2", "LA03", Phase::Pre, Status::Submitted),
        ];
        let answers = vec![
            answer("r1", Phase::Pre, "gender", "42"),
            answer("r1", Phase::Pre, "start-year", "soon"),
            answer("r1", Phase::Post, "gender", "1"),
        ];
        let only_la01 = &sites()[..1];
        let out = pivot(&instrument(), Phase::Pre, only_la01, &responses, &answers);
        assert_eq!(out.len(), 1);
        assert_eq!(out.site, [0]);
        assert_eq!(out.values("gender").unwrap(), [data::MISSING]);
        assert_eq!(out.values("start-year").unwrap(), [data::MISSING]);
    }

    #[test]
    fn record_identifiers_differ_by_survey_and_stay_the_same_between_exports() {
        let pre = response_id("r1", Phase::Pre);
        assert_eq!(pre, response_id("r1", Phase::Pre));
        assert_ne!(pre, response_id("r1", Phase::Post));
        assert_ne!(pre, response_id("r2", Phase::Pre));
        assert_eq!(pre.len(), 20);
        assert!(!pre.contains("r1"));
    }
}
