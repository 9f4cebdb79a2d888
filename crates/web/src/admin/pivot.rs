//! Stored responses made into the analysis crate's [`Responses`]: one record per
//! response of one survey, one column per variable of its instrument, filled column by
//! column as the database hands the responses over ([`SurveyColumns`]), with no map or
//! string per answer in between.
//!
//! Stored values are plain text: a code (`3`), the ticked codes of a multiple-choice
//! item (`1,4`, stored under the item's id, which become `ITEM.CODE` columns of 1 and 0,
//! 0 only when the item was answered), a number, free text, or `1` for an agreed consent
//! statement. A value the instrument cannot hold (a code it does not offer) is left
//! empty rather than exported.

use std::collections::HashMap;

use skafada_analysis::data::{
    self, Allowed, Column, Responses, TextColumn, Variable, VariableKind,
};
use skafada_instrument::Instrument;
use skafada_store::{
    AnswerRow, Phase, ReadOrder, ResponseSummary, Status, StoredResponse, StudyId, VariableNames,
    hash_secret,
};

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

/// What one stored variable fills.
#[derive(Debug)]
enum Target {
    /// A code, number or agreement: the column, and the numbers it may hold (the file
    /// reader's rule).
    Value { column: usize, allowed: Allowed },
    /// The options of a multiple-choice item: each column and its option's code.
    Ticks(Vec<(usize, u32)>),
    /// Free text.
    Text { column: usize },
}

/// A column being filled.
#[derive(Debug)]
enum Filling {
    /// Codes and numbers: those of the records moved out of the pending block, and the
    /// column's place (lane) in each pending record.
    Values {
        column: data::ValueColumn,
        lane: usize,
    },
    Texts(TextColumn),
}

/// How many records wait in the pending block before their cells move into their
/// columns.
///
/// A record's codes are written next to each other (one record of the pre-training
/// survey is 146 cells, under 600 bytes), and a block of records is then moved into the
/// columns one column at a time. Writing each cell straight into its own column touched
/// a different cache line per column for every record: that was the largest single
/// cost of reading a study (about a fifth of the read at 200,000 responses). 512
/// records of the pre-training survey are about 300 KB, which stays in the cache.
const PENDING_RECORDS: usize = 512;

/// A stored answer whose variable key the names read before the rows did not know
/// (another process stored that variable first meanwhile): read the names and build
/// the columns again.
#[derive(Debug)]
pub(crate) struct UnknownKey;

/// One survey's records, built column by column from stored responses.
#[derive(Debug)]
pub(crate) struct SurveyColumns {
    phase: Phase,
    variables: Vec<Variable>,
    site_index: HashMap<String, usize>,
    /// The targets of each stored variable, by its key (packed answers) ...
    by_key: Vec<Option<usize>>,
    /// ... and by its name (answer rows).
    by_name: HashMap<String, usize>,
    targets: Vec<Target>,
    columns: Vec<Filling>,
    /// The codes of the records not yet in `columns`, a record after another, `lanes`
    /// cells each; the last record is the one being filled.
    pending: Vec<i32>,
    /// How many cells a pending record has: one per column of codes or numbers.
    lanes: usize,
    out: Responses,
    unknown_key: bool,
}

impl SurveyColumns {
    /// Ready to take the responses of one survey (`phase`, answered with `instrument`)
    /// of the sites given; `names` are the store's variable keys, and `expected` how
    /// many records to make room for in every column at once (more are taken, by
    /// growing the columns).
    pub(crate) fn new(
        instrument: &Instrument,
        phase: Phase,
        sites: &[data::Site],
        names: &VariableNames,
        expected: usize,
    ) -> SurveyColumns {
        let variables = data::variables(instrument);
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut targets: Vec<Target> = Vec::new();
        let mut columns = Vec::with_capacity(variables.len());
        let mut lanes = 0;
        for (column, variable) in variables.iter().enumerate() {
            columns.push(match variable.kind {
                VariableKind::Text => Filling::Texts(TextColumn::default()),
                _ => {
                    lanes += 1;
                    Filling::Values {
                        column: data::ValueColumn::with_capacity(expected),
                        lane: lanes - 1,
                    }
                }
            });
            let target = |targets: &mut Vec<Target>,
                          by_name: &mut HashMap<String, usize>,
                          name: &str,
                          target: Target| {
                let slot = targets.len();
                targets.push(target);
                by_name.insert(name.to_owned(), slot);
            };
            match &variable.kind {
                VariableKind::Tick => {
                    let option = variable
                        .id
                        .strip_prefix(&format!("{}.", variable.item))
                        .and_then(|code| code.trim().parse::<u32>().ok());
                    let Some(option) = option else { continue };
                    match by_name
                        .get(variable.item.as_str())
                        .and_then(|slot| targets.get_mut(*slot))
                    {
                        Some(Target::Ticks(options)) => options.push((column, option)),
                        _ => target(
                            &mut targets,
                            &mut by_name,
                            &variable.item,
                            Target::Ticks(vec![(column, option)]),
                        ),
                    }
                }
                VariableKind::Text => target(
                    &mut targets,
                    &mut by_name,
                    &variable.id,
                    Target::Text { column },
                ),
                kind => {
                    let Some(allowed) = Allowed::of(kind) else {
                        continue;
                    };
                    target(
                        &mut targets,
                        &mut by_name,
                        &variable.id,
                        Target::Value { column, allowed },
                    )
                }
            }
        }
        let mut by_key = vec![None; names.key_count()];
        for (name, slot) in &by_name {
            if let Some(key) = names.key(name).and_then(|k| usize::try_from(k).ok())
                && let Some(entry) = by_key.get_mut(key)
            {
                *entry = Some(*slot);
            }
        }
        let out = Responses::with_capacity(expected);
        SurveyColumns {
            phase,
            variables,
            site_index: sites
                .iter()
                .enumerate()
                .map(|(i, s)| (s.site.clone(), i))
                .collect(),
            by_key,
            by_name,
            targets,
            columns,
            pending: Vec::with_capacity(PENDING_RECORDS * lanes),
            lanes,
            out,
            unknown_key: false,
        }
    }

    /// Moves the pending records' codes into their columns, a column at a time.
    fn move_pending(&mut self) {
        if self.lanes > 0 && !self.pending.is_empty() {
            for filling in &mut self.columns {
                if let Filling::Values { column, lane } = filling {
                    column.extend(self.pending.iter().skip(*lane).step_by(self.lanes).copied());
                }
            }
        }
        self.pending.clear();
    }

    /// Starts a record for the response, or `None` when it is of another survey or of a
    /// site not given.
    fn start(&mut self, response: &ResponseSummary) -> Option<()> {
        if response.phase != self.phase {
            return None;
        }
        let site = *self.site_index.get(&response.site_code)?;
        self.out
            .response_id
            .push(response_id(&response.respondent_id, self.phase));
        self.out
            .respondent_id
            .push(response.respondent_id.to_string());
        self.out.site.push(site);
        self.out.status.push(status(response.status));
        // The live journey never makes a record for a respondent who comes back: a
        // resume code resumes the same response. "Returning" in the study meant the
        // empty records Qualtrics made when people came back through the link, which
        // cleaning drops; a resumed response is the respondent's own and is kept.
        self.out.returning.push(false);
        self.out.started_on.push(response.started_on.to_string());
        if self.pending.len() >= PENDING_RECORDS * self.lanes {
            self.move_pending();
        }
        self.pending
            .resize(self.pending.len() + self.lanes, data::MISSING);
        for column in &mut self.columns {
            if let Filling::Texts(texts) = column {
                texts.push(None);
            }
        }
        Some(())
    }

    /// Sets the cells one stored value fills in the record last started.
    fn fill(&mut self, slot: usize, value: &str) {
        let Some(target) = self.targets.get(slot) else {
            return;
        };
        let record = self.pending.len().saturating_sub(self.lanes);
        let set = |columns: &[Filling], pending: &mut [i32], column: usize, cell: i32| {
            if let Some(Filling::Values { lane, .. }) = columns.get(column)
                && let Some(slot) = pending.get_mut(record + lane)
            {
                *slot = cell;
            }
        };
        match target {
            Target::Value { column, allowed } => {
                // The journey stores plain digits; any other value is trimmed and parsed.
                let code = match data::plain_digits(value.as_bytes()) {
                    Some(code) => code,
                    None => match value.trim().parse::<i32>() {
                        Ok(code) => code,
                        Err(_) => return,
                    },
                };
                if allowed.allows(code) {
                    set(&self.columns, &mut self.pending, *column, code);
                }
            }
            Target::Ticks(options) => {
                // A damaged stored value leaves every option of the question missing
                // rather than counting some of its options as not ticked.
                let Some(codes) = skafada_instrument::stored::decode_codes(value) else {
                    return;
                };
                for (column, option) in options {
                    set(
                        &self.columns,
                        &mut self.pending,
                        *column,
                        i32::from(codes.contains(option)),
                    );
                }
            }
            Target::Text { column } => {
                let text = value.trim();
                if !text.is_empty()
                    && let Some(Filling::Texts(texts)) = self.columns.get_mut(*column)
                {
                    texts.set_last(Some(text));
                }
            }
        }
    }

    /// Adds a stored response (with its packed answers) if it is of this survey and of
    /// a site given. A packed value that cannot be read is an error.
    pub(crate) fn push_stored(
        &mut self,
        stored: &StoredResponse,
    ) -> Result<(), skafada_store::StoreError> {
        if self.start(&stored.summary).is_none() {
            return Ok(());
        }
        for (key, value) in skafada_store::unpack(stored.answers.as_deref())? {
            match usize::try_from(key).ok().and_then(|k| self.by_key.get(k)) {
                Some(Some(slot)) => self.fill(*slot, value),
                // A variable this instrument does not have (the other survey's).
                Some(None) => {}
                None => self.unknown_key = true,
            }
        }
        Ok(())
    }

    /// Adds a response with its answers by variable name.
    fn push_named<'v>(
        &mut self,
        response: &ResponseSummary,
        answers: impl Iterator<Item = (&'v str, &'v str)>,
    ) {
        if self.start(response).is_none() {
            return;
        }
        for (variable, value) in answers {
            if let Some(slot) = self.by_name.get(variable).copied() {
                self.fill(slot, value);
            }
        }
    }

    /// The records, or [`UnknownKey`] when an answer's variable key was new.
    pub(crate) fn finish(mut self) -> Result<Responses, UnknownKey> {
        if self.unknown_key {
            return Err(UnknownKey);
        }
        self.move_pending();
        let mut out = self.out;
        for (variable, column) in self.variables.iter().zip(self.columns) {
            out.set(
                variable.id.clone(),
                match column {
                    Filling::Values { column, .. } => Column::Values(column),
                    Filling::Texts(texts) => Column::Text(texts),
                },
            );
        }
        Ok(out)
    }
}

/// The study's responses to each of `surveys` (a survey and the instrument it was
/// answered with), for the sites given, read from the database row by row straight
/// into their columns.
pub(crate) async fn stored_surveys(
    store: &skafada_store::Store,
    study_id: &StudyId,
    sites: &[data::Site],
    surveys: &[(Phase, &Instrument)],
    order: ReadOrder,
) -> Result<Vec<Responses>, skafada_store::StoreError> {
    let phases: Vec<Phase> = surveys.iter().map(|(phase, _)| *phase).collect();
    // A respondent has at most one response to each survey, so the study's respondents
    // (counted from an index, about 20 ms at 270,000) are as many records as a survey
    // can have: each column is made that long at once and never copied to grow. The
    // room a survey does not fill is never written, so it never becomes resident. (The
    // columns were collected in blocks and joined at the end instead: the freed blocks,
    // as large as the columns, stayed resident beside them while the first view went on
    // to clean and count, about 130 MB at 200,000 responses.)
    let at_most = usize::try_from(store.study_respondent_count(study_id).await?).unwrap_or(0);
    // Twice at most: the second time with names read after a key new to this process.
    let mut names = store.variable_names().await?;
    for _ in 0..2 {
        let mut builders: Vec<SurveyColumns> = surveys
            .iter()
            .map(|(phase, instrument)| {
                SurveyColumns::new(instrument, *phase, sites, &names, at_most)
            })
            .collect();
        let mut damaged = None;
        store
            .each_stored_response(study_id, &phases, order, |stored| {
                for builder in &mut builders {
                    if let Err(e) = builder.push_stored(&stored) {
                        damaged.get_or_insert(e);
                    }
                }
            })
            .await?;
        if let Some(e) = damaged {
            return Err(e);
        }
        let finished: Result<Vec<Responses>, UnknownKey> =
            builders.into_iter().map(SurveyColumns::finish).collect();
        match finished {
            Ok(surveys) => return Ok(surveys),
            Err(UnknownKey) => names = store.reload_variable_names().await?,
        }
    }
    Err(skafada_store::StoreError::Corrupt(
        "an answer is stored under a variable key no variable has".to_owned(),
    ))
}

/// The study's pre- and post-training responses for the sites given, read as
/// [`stored_surveys`] reads them.
pub(crate) async fn stored_pre_and_post(
    store: &skafada_store::Store,
    study_id: &StudyId,
    sites: &[data::Site],
    content: &crate::content::StudyContent,
    order: ReadOrder,
) -> Result<(Responses, Responses), skafada_store::StoreError> {
    let surveys = [(Phase::Pre, &content.pre), (Phase::Post, &content.post)];
    let mut read = stored_surveys(store, study_id, sites, &surveys, order)
        .await?
        .into_iter();
    match (read.next(), read.next()) {
        (Some(pre), Some(post)) => Ok((pre, post)),
        _ => Err(skafada_store::StoreError::Corrupt(
            "the surveys were not read".to_owned(),
        )),
    }
}

/// The responses of one survey (`phase`, answered with `instrument`) of the sites given,
/// from answer rows, in the order of `responses`. Responses and answers of other sites
/// and of the other survey are left out: pass only the sites the reader may see. Every
/// response is a record, with or without answers.
pub(crate) fn pivot(
    instrument: &Instrument,
    phase: Phase,
    sites: &[data::Site],
    responses: &[ResponseSummary],
    answers: &[AnswerRow],
) -> Responses {
    let mut stored: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for answer in answers.iter().filter(|a| a.phase == phase) {
        stored
            .entry(answer.respondent_id.as_str())
            .or_default()
            .push((answer.variable.as_str(), answer.value.as_str()));
    }
    let mut columns = SurveyColumns::new(
        instrument,
        phase,
        sites,
        &VariableNames::default(),
        responses.len(),
    );
    for response in responses {
        let values = stored
            .get(response.respondent_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        columns.push_named(response, values.iter().copied());
    }
    // Answers by name have no keys: nothing can be unknown.
    columns.finish().unwrap_or_default()
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
            respondent_id: respondent.into(),
            site_code: site.to_owned(),
            phase,
            status,
            started_on: "2025-03-04".parse().unwrap(),
            submitted_on: None,
            answer_count: 0,
            returned: 0,
        }
    }

    fn answer(respondent: &str, phase: Phase, variable: &str, value: &str) -> AnswerRow {
        AnswerRow {
            respondent_id: respondent.into(),
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
        assert_eq!(out.values("consent-take-part").unwrap().get(0).unwrap(), 1);
        assert_eq!(out.values("gender").unwrap(), [2, data::MISSING]);
        assert_eq!(out.values("start-year").unwrap().get(0).unwrap(), 2015);
        assert_eq!(
            out.texts("job-title").unwrap().iter().collect::<Vec<_>>(),
            [Some("Social worker"), None]
        );
        assert_eq!(out.values("actions-parents.1").unwrap(), [1, data::MISSING]);
        assert_eq!(out.values("actions-parents.2").unwrap(), [0, data::MISSING]);
        assert_eq!(out.values("actions-parents.4").unwrap(), [1, data::MISSING]);
        assert_eq!(
            out.values("actions-children.1").unwrap(),
            [data::MISSING, data::MISSING],
            "an unanswered multiple-choice item has no zeros"
        );
        assert_eq!(
            out.values("works-mainly-parents").unwrap().get(0).unwrap(),
            1
        );
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

    /// The columns read row by row from packed answers are the columns pivoted from
    /// answer rows, for every kind of variable, for kept and left-out sites alike.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn columns_read_from_the_database_equal_the_columns_pivoted_from_answer_rows() {
        use skafada_store::{ImportedResponse, NewSite, NewStudy, Store, random_token};
        let path =
            std::env::temp_dir().join(format!("skafada-pivot-{}.sqlite", random_token().unwrap()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let study = store
            .create_study(&NewStudy {
                name: "Pivot".to_owned(),
                module_id: "m".to_owned(),
                opens_on: "2020-01-01".parse().unwrap(),
                closes_on: "2099-12-31".parse().unwrap(),
                retain_until: "2099-12-31".parse().unwrap(),
                ..NewStudy::default()
            })
            .await
            .unwrap();
        for code in ["LA01", "LA02", "LA03"] {
            store
                .add_site(
                    &study,
                    &NewSite {
                        code: code.to_owned(),
                        name: code.to_owned(),
                        local_services: "[]".to_owned(),
                        ..NewSite::default()
                    },
                )
                .await
                .unwrap();
        }
        let answers = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let imported = vec![
            ImportedResponse {
                respondent: "a".to_owned(),
                site_code: "LA01".to_owned(),
                phase: Phase::Pre,
                status: Status::Submitted,
                started_on: "2025-03-04".to_owned(),
                answers: answers(&[
                    ("consent-take-part", "1"),
                    ("gender", "2"),
                    ("start-year", "2015"),
                    ("job-title", "  Social worker, team lead\nsecond line "),
                    ("actions-parents", "1,4"),
                    ("works-mainly-parents", "1"),
                ]),
            },
            ImportedResponse {
                respondent: "b".to_owned(),
                site_code: "LA02".to_owned(),
                phase: Phase::Pre,
                status: Status::Started,
                started_on: "2025-03-05".to_owned(),
                answers: answers(&[
                    ("gender", "42"),
                    ("actions-parents", "x,1"),
                    ("start-year", "soon"),
                ]),
            },
            ImportedResponse {
                respondent: "c".to_owned(),
                site_code: "LA03".to_owned(),
                phase: Phase::Pre,
                status: Status::Submitted,
                started_on: "2025-03-06".to_owned(),
                answers: answers(&[("gender", "1")]),
            },
            ImportedResponse {
                respondent: "a".to_owned(),
                site_code: "LA01".to_owned(),
                phase: Phase::Post,
                status: Status::Consented,
                started_on: "2025-03-07".to_owned(),
                answers: Vec::new(),
            },
        ];
        store.import_responses(&study, &imported).await.unwrap();
        let only_two = &sites()[..2];
        let instrument = instrument();
        let read = stored_surveys(
            &store,
            &study,
            only_two,
            &[(Phase::Pre, &instrument)],
            ReadOrder::ByRespondent,
        )
        .await
        .unwrap()
        .pop()
        .unwrap();
        let summaries = store.study_responses(&study).await.unwrap();
        let rows = store.study_answers(&study).await.unwrap();
        let pivoted = pivot(&instrument, Phase::Pre, only_two, &summaries, &rows);
        assert_eq!(read.len(), 2, "LA03 is left out");
        assert_eq!(read, pivoted);
        // Records come in the order of the respondents' random identifiers.
        let a = read.site.iter().position(|s| *s == 0).unwrap();
        let b = 1 - a;
        assert_eq!(read.values("actions-parents.4").unwrap().get(a).unwrap(), 1);
        assert_eq!(read.values("actions-parents.2").unwrap().get(a).unwrap(), 0);
        assert_eq!(
            read.values("actions-parents.1").unwrap().get(b).unwrap(),
            data::MISSING,
            "damaged"
        );
        assert_eq!(
            read.values("gender").unwrap().get(b).unwrap(),
            data::MISSING,
            "not a code"
        );
        assert_eq!(
            read.texts("job-title").unwrap().get(a),
            Some("Social worker, team lead\nsecond line")
        );
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// Records pass through the pending block in batches: every cell lands in its own
    /// record and column across the batches' edges, with or without answers.
    #[test]
    fn every_cell_keeps_its_record_and_column_across_pending_batches() {
        let instrument = instrument();
        let records = 3 * PENDING_RECORDS + 7;
        let mut columns = SurveyColumns::new(
            &instrument,
            Phase::Pre,
            &sites(),
            &VariableNames::default(),
            0,
        );
        let mut texts = Vec::new();
        for i in 0..records {
            let year = (1990 + i).to_string();
            let gender = (i % 3 + 1).to_string();
            texts.push(format!("team {i}"));
            let answers: Vec<(&str, &str)> = if i % 5 == 0 {
                Vec::new()
            } else {
                vec![
                    ("gender", gender.as_str()),
                    ("start-year", year.as_str()),
                    ("job-title", texts[i].as_str()),
                    ("actions-parents", if i % 2 == 0 { "1,4" } else { "2" }),
                ]
            };
            columns.push_named(
                &response(&format!("r{i}"), "LA01", Phase::Pre, Status::Submitted),
                answers.into_iter(),
            );
        }
        let read = columns.finish().unwrap();
        assert_eq!(read.len(), records);
        let (gender, year, ticked_1, ticked_2) = (
            read.values("gender").unwrap(),
            read.values("start-year").unwrap(),
            read.values("actions-parents.1").unwrap(),
            read.values("actions-parents.2").unwrap(),
        );
        let job = read.texts("job-title").unwrap();
        for (i, text) in texts.iter().enumerate() {
            if i % 5 == 0 {
                assert_eq!(
                    (
                        gender.get(i).unwrap(),
                        year.get(i).unwrap(),
                        ticked_1.get(i).unwrap(),
                        ticked_2.get(i).unwrap()
                    ),
                    (data::MISSING, data::MISSING, data::MISSING, data::MISSING),
                    "record {i} has no answers"
                );
                assert_eq!(job.get(i), None, "record {i}");
                continue;
            }
            assert_eq!(
                gender.get(i).unwrap(),
                i32::try_from(i % 3 + 1).unwrap(),
                "record {i}"
            );
            assert_eq!(
                year.get(i).unwrap(),
                i32::try_from(1990 + i).unwrap(),
                "record {i}"
            );
            assert_eq!(
                (ticked_1.get(i).unwrap(), ticked_2.get(i).unwrap()),
                if i % 2 == 0 { (1, 0) } else { (0, 1) },
                "record {i}"
            );
            assert_eq!(job.get(i), Some(text.as_str()), "record {i}");
        }
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
