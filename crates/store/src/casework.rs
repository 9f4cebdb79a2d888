//! The case studies: which sites are case-study sites, their interview logs, the
//! pseudonymised transcripts, the analysts' indexing (passages and their sub-themes) and
//! charting (matrix summaries), decisions on double-coding disagreements, and the
//! document audit.
//!
//! Nothing here names an interviewee: interviews are pseudonyms with a role, and only
//! redacted transcripts reach this module. Columns are read by name. Every change is
//! written with its audit entry in one transaction, under the SQLite write turn.

use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Audit};
use crate::date::unix_now;
use crate::rows;
use crate::secret::random_token;
use crate::write::Write;
use crate::{Day, SiteId, Store, StoreError, StudyId};

/// A case-study site: a site of the study with its case-study number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStudySite {
    /// The site's identifier.
    pub site_id: SiteId,
    /// The site's code, e.g. `LA03`.
    pub site_code: String,
    /// The case-study number: 1 for `CS1`.
    pub number: i64,
}

/// Where an interview is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterviewStatus {
    /// Arranged, not yet held.
    Planned,
    /// Held, with consent recorded.
    Interviewed,
    /// The participant withdrew; nothing of theirs is analysed.
    Withdrawn,
}

impl InterviewStatus {
    /// Every status, in order.
    pub const ALL: [InterviewStatus; 3] = [
        InterviewStatus::Planned,
        InterviewStatus::Interviewed,
        InterviewStatus::Withdrawn,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Planned => "planned",
            InterviewStatus::Interviewed => "interviewed",
            InterviewStatus::Withdrawn => "withdrawn",
        }
    }

    /// As shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            InterviewStatus::Planned => "Planned",
            InterviewStatus::Interviewed => "Interviewed",
            InterviewStatus::Withdrawn => "Withdrawn",
        }
    }

    /// The status with this stored name.
    pub fn parse(text: &str) -> Option<InterviewStatus> {
        InterviewStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Where an interview's transcript is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptState {
    /// No transcript yet.
    None,
    /// Imported and redacted, waiting for an analyst to check the redactions; not yet
    /// open for coding.
    Review,
    /// Checked and open for coding.
    Accepted,
}

impl TranscriptState {
    fn as_str(self) -> &'static str {
        match self {
            TranscriptState::None => "none",
            TranscriptState::Review => "review",
            TranscriptState::Accepted => "accepted",
        }
    }

    fn parse(text: &str) -> Result<TranscriptState, StoreError> {
        match text {
            "none" => Ok(TranscriptState::None),
            "review" => Ok(TranscriptState::Review),
            "accepted" => Ok(TranscriptState::Accepted),
            other => Err(StoreError::Corrupt(format!(
                "unknown transcript state `{other}`"
            ))),
        }
    }
}

/// The details of an interview an analyst records or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewDetails {
    /// The participant's role (an id of the framework's roles).
    pub role: String,
    /// The day it was (or is to be) held.
    pub interviewed_on: Day,
    /// How: "Online (Teams)", "Telephone"...
    pub mode: String,
    /// Who interviewed (a member of the research team).
    pub interviewer: String,
    /// Who recorded the participant's consent; empty while planned.
    pub consent_recorded_by: String,
    /// Where it is in the log.
    pub status: InterviewStatus,
}

/// A stored interview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interview {
    /// Its random identifier.
    pub id: String,
    /// The study.
    pub study_id: StudyId,
    /// The case-study site's identifier.
    pub site_id: SiteId,
    /// The pseudonym, e.g. `CS1-P03`.
    pub pseudonym: String,
    /// Its details.
    pub details: InterviewDetails,
    /// Where its transcript is.
    pub transcript: TranscriptState,
    /// Whether two coders index it independently.
    pub double_coded: bool,
}

/// One turn of a stored (redacted) transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTurn {
    /// 1-based, in order.
    pub number: i64,
    /// Who speaks: `Interviewer`, `Participant`, `Speaker 1`...
    pub speaker: String,
    /// The words, redacted.
    pub text: String,
}

/// A passage to index: a whole turn, or characters of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPassage {
    /// The turn's number.
    pub turn: i64,
    /// The characters `[start, end)` of the turn (char offsets), or `None` for all of it.
    pub span: Option<(i64, i64)>,
    /// The sub-themes, at least one.
    pub codes: Vec<String>,
    /// The analyst's memo.
    pub memo: String,
    /// Whether the analyst selected it as a quotation for the report.
    pub report_quote: bool,
}

/// A stored passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPassage {
    /// Its random identifier.
    pub id: String,
    /// The interview.
    pub interview_id: String,
    /// Who indexed it (the account's email at the time).
    pub coder: String,
    /// What was indexed.
    pub passage: NewPassage,
}

/// An analyst's summary of one interviewee on one sub-theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixSummary {
    /// The interview.
    pub interview_id: String,
    /// The sub-theme.
    pub sub_theme: String,
    /// The summary.
    pub text: String,
}

/// A decision on a double-coding disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodingDecision {
    /// The interview.
    pub interview_id: String,
    /// The turn.
    pub turn: i64,
    /// The sub-theme the coders disagreed on.
    pub sub_theme: String,
    /// Whether it applies, as agreed.
    pub include: bool,
}

/// A document of the audit, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDetails {
    /// The case-study site's identifier.
    pub site_id: SiteId,
    /// The kind (one of the framework's document kinds).
    pub kind: String,
    /// Its title, e.g. "Family Support Worker, grade 6".
    pub title: String,
    /// Its date, if it has one.
    pub dated: Option<Day>,
    /// A note on it.
    pub note: String,
    /// Criterion id to the option chosen.
    pub ratings: BTreeMap<String, String>,
}

/// A stored audit document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDocument {
    /// Its random identifier.
    pub id: String,
    /// What was recorded.
    pub details: DocumentDetails,
}

/// What a study's case studies hold, read in one go for the matrix, the exports and the
/// report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseStudyData {
    /// The case-study sites, by number.
    pub sites: Vec<CaseStudySite>,
    /// The interviews, by pseudonym.
    pub interviews: Vec<Interview>,
    /// Every passage, by interview and turn.
    pub passages: Vec<StoredPassage>,
    /// Every summary.
    pub summaries: Vec<MatrixSummary>,
    /// Every decision on a disagreement.
    pub decisions: Vec<CodingDecision>,
    /// The audit documents, by site and title.
    pub documents: Vec<AuditDocument>,
}

const INTERVIEW_COLUMNS: &str = "id, study_id, site_id, pseudonym, role, interviewed_on, mode, \
     interviewer, consent_recorded_by, status, transcript, double_coded";

fn interview_from_row(row: &AnyRow) -> Result<Interview, StoreError> {
    let status: String = row.try_get("status")?;
    let transcript: String = row.try_get("transcript")?;
    Ok(Interview {
        id: rows::id(row, "id")?,
        study_id: rows::id(row, "study_id")?,
        site_id: rows::id(row, "site_id")?,
        pseudonym: row.try_get("pseudonym")?,
        details: InterviewDetails {
            role: row.try_get("role")?,
            interviewed_on: rows::day(row, "interviewed_on")?,
            mode: row.try_get("mode")?,
            interviewer: row.try_get("interviewer")?,
            consent_recorded_by: row.try_get("consent_recorded_by")?,
            status: InterviewStatus::parse(&status).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown interview status `{status}`"))
            })?,
        },
        transcript: TranscriptState::parse(&transcript)?,
        double_coded: row.try_get::<i64, _>("double_coded")? != 0,
    })
}

/// The tables of the case studies, children first, for deletion and scrubbing.
pub(crate) const CASE_STUDY_TABLES: &[&str] = &[
    "document_ratings",
    "documents",
    "coding_decisions",
    "matrix_summaries",
    "passage_codes",
    "passages",
    "transcript_turns",
    "interviews",
    "case_study_sites",
];

/// Deletes the case-study data of the interviews and documents `scope_sql` selects
/// (a condition on `site_id` or `study_id` with one `$1` parameter) inside the caller's
/// transaction; returns the number of interviews and documents deleted.
pub(crate) async fn delete_case_studies(
    tx: &mut Write<'_>,
    scope_sql: &str,
    value: &str,
) -> Result<(i64, i64), StoreError> {
    let interviews = format!("SELECT id FROM interviews WHERE {scope_sql}");
    let documents = format!("SELECT id FROM documents WHERE {scope_sql}");
    let counted: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS counted FROM ({interviews}) AS i"
    ))
    .bind(value)
    .fetch_one(&mut **tx)
    .await?
    .try_get("counted")?;
    let documented: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS documented FROM ({documents}) AS d"
    ))
    .bind(value)
    .fetch_one(&mut **tx)
    .await?
    .try_get("documented")?;
    let statements = [
        format!("DELETE FROM document_ratings WHERE document_id IN ({documents})"),
        format!("DELETE FROM documents WHERE {scope_sql}"),
        format!("DELETE FROM coding_decisions WHERE interview_id IN ({interviews})"),
        format!("DELETE FROM matrix_summaries WHERE interview_id IN ({interviews})"),
        format!(
            "DELETE FROM passage_codes WHERE passage_id IN \
             (SELECT id FROM passages WHERE interview_id IN ({interviews}))"
        ),
        format!("DELETE FROM passages WHERE interview_id IN ({interviews})"),
        format!("DELETE FROM transcript_turns WHERE interview_id IN ({interviews})"),
        format!("DELETE FROM interviews WHERE {scope_sql}"),
    ];
    for sql in &statements {
        sqlx::query(sql).bind(value).execute(&mut **tx).await?;
    }
    Ok((counted, documented))
}

/// Deletes one interview's transcript and everything indexed on it, in the caller's
/// transaction.
async fn delete_transcript_rows(tx: &mut Write<'_>, interview_id: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM coding_decisions WHERE interview_id = $1",
        "DELETE FROM passage_codes WHERE passage_id IN \
         (SELECT id FROM passages WHERE interview_id = $1)",
        "DELETE FROM passages WHERE interview_id = $1",
        "DELETE FROM transcript_turns WHERE interview_id = $1",
    ] {
        sqlx::query(sql)
            .bind(interview_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes an interview's audit entry and commits the change.
async fn finish(
    mut tx: Write<'_>,
    interview: &Interview,
    by: &str,
    action: &str,
    details: &str,
) -> Result<(), StoreError> {
    record(
        &mut tx,
        &interview.study_id,
        by,
        action,
        "interview",
        &interview.id,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn record(
    tx: &mut Write<'_>,
    study_id: &StudyId,
    by: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    details: &str,
) -> Result<(), StoreError> {
    audit::write(
        tx,
        Audit {
            account_id: Some(by),
            study_id: Some(study_id),
            action,
            object_type,
            object_id: Some(object_id),
            details,
        },
    )
    .await
}

impl Store {
    /// Makes a site a case-study site with the next free number (or keeps its number if
    /// it is one already); returns the number.
    #[tracing::instrument(skip_all)]
    pub async fn add_case_study_site(
        &self,
        study_id: &StudyId,
        site_id: &SiteId,
        by: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let existing =
            sqlx::query("SELECT number FROM case_study_sites WHERE site_id = $1 AND study_id = $2")
                .bind(site_id.as_str())
                .bind(study_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = existing {
            return Ok(row.try_get("number")?);
        }
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM case_study_sites WHERE study_id = $1",
        )
        .bind(study_id.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        sqlx::query("INSERT INTO case_study_sites (site_id, study_id, number) VALUES ($1, $2, $3)")
            .bind(site_id.as_str())
            .bind(study_id.as_str())
            .bind(next)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            study_id,
            by,
            "case-study-site-added",
            "site",
            site_id,
            &format!("case study {next}"),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The study's case-study sites, by number.
    #[tracing::instrument(skip_all)]
    pub async fn case_study_sites(
        &self,
        study_id: &StudyId,
    ) -> Result<Vec<CaseStudySite>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.site_id AS site_id, s.code AS code, c.number AS number \
             FROM case_study_sites c JOIN sites s ON s.id = c.site_id \
             WHERE c.study_id = $1 ORDER BY c.number",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CaseStudySite {
                    site_id: rows::id(row, "site_id")?,
                    site_code: row.try_get("code")?,
                    number: row.try_get("number")?,
                })
            })
            .collect()
    }

    /// Adds an interview to a case-study site's log under the next pseudonym of the site
    /// (`CS<number>-P<nn>`), or under `pseudonym` when given (an import keeps its own).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the site is not a case-study site of the study, and a
    /// database error when the pseudonym is taken.
    #[tracing::instrument(skip_all)]
    pub async fn add_interview(
        &self,
        study_id: &StudyId,
        site_id: &SiteId,
        pseudonym: Option<&str>,
        details: &InterviewDetails,
        by: &str,
    ) -> Result<Interview, StoreError> {
        let id = random_token()?;
        let mut tx = self.write().await?;
        let number: i64 =
            sqlx::query("SELECT number FROM case_study_sites WHERE site_id = $1 AND study_id = $2")
                .bind(site_id.as_str())
                .bind(study_id.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::Corrupt("the site is not a case-study site".to_owned()))?
                .try_get("number")?;
        let pseudonym = match pseudonym {
            Some(given) => given.to_owned(),
            None => {
                let taken: i64 = sqlx::query(
                    "SELECT COUNT(*) AS taken FROM interviews WHERE study_id = $1 AND site_id = $2",
                )
                .bind(study_id.as_str())
                .bind(site_id.as_str())
                .fetch_one(&mut *tx)
                .await?
                .try_get("taken")?;
                let mut next = taken + 1;
                loop {
                    let candidate = format!("CS{number}-P{next:02}");
                    let clash = sqlx::query(
                        "SELECT 1 AS clash FROM interviews WHERE study_id = $1 AND pseudonym = $2",
                    )
                    .bind(study_id.as_str())
                    .bind(&candidate)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if clash.is_none() {
                        break candidate;
                    }
                    next += 1;
                }
            }
        };
        sqlx::query(
            "INSERT INTO interviews (id, study_id, site_id, pseudonym, role, interviewed_on, mode, \
             interviewer, consent_recorded_by, status, transcript, double_coded, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'none', 0, $11)",
        )
        .bind(&id)
        .bind(study_id.as_str())
        .bind(site_id.as_str())
        .bind(&pseudonym)
        .bind(&details.role)
        .bind(details.interviewed_on.to_string())
        .bind(&details.mode)
        .bind(&details.interviewer)
        .bind(&details.consent_recorded_by)
        .bind(details.status.as_str())
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            study_id,
            by,
            "interview-added",
            "interview",
            &id,
            &format!("{pseudonym} ({})", details.role),
        )
        .await?;
        tx.commit().await?;
        Ok(Interview {
            id,
            study_id: study_id.clone(),
            site_id: site_id.clone(),
            pseudonym,
            details: details.clone(),
            transcript: TranscriptState::None,
            double_coded: false,
        })
    }

    /// Changes an interview's details.
    #[tracing::instrument(skip_all)]
    pub async fn update_interview(
        &self,
        interview: &Interview,
        details: &InterviewDetails,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE interviews SET role = $1, interviewed_on = $2, mode = $3, interviewer = $4, \
             consent_recorded_by = $5, status = $6 WHERE id = $7",
        )
        .bind(&details.role)
        .bind(details.interviewed_on.to_string())
        .bind(&details.mode)
        .bind(&details.interviewer)
        .bind(&details.consent_recorded_by)
        .bind(details.status.as_str())
        .bind(&interview.id)
        .execute(&mut *tx)
        .await?;
        finish(
            tx,
            interview,
            by,
            "interview-changed",
            &format!("{}: {}", interview.pseudonym, details.status.as_str()),
        )
        .await?;
        Ok(())
    }

    /// Whether two coders index an interview independently.
    #[tracing::instrument(skip_all)]
    pub async fn set_double_coded(
        &self,
        interview: &Interview,
        double_coded: bool,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE interviews SET double_coded = $1 WHERE id = $2")
            .bind(i64::from(double_coded))
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            &interview.study_id,
            by,
            if double_coded {
                "double-coding-on"
            } else {
                "double-coding-off"
            },
            "interview",
            &interview.id,
            &interview.pseudonym,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The study's interviews, by pseudonym.
    #[tracing::instrument(skip_all)]
    pub async fn interviews(&self, study_id: &StudyId) -> Result<Vec<Interview>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INTERVIEW_COLUMNS} FROM interviews WHERE study_id = $1 ORDER BY pseudonym"
        ))
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(interview_from_row).collect()
    }

    /// One interview of the study by its pseudonym.
    #[tracing::instrument(skip_all)]
    pub async fn interview(
        &self,
        study_id: &StudyId,
        pseudonym: &str,
    ) -> Result<Option<Interview>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INTERVIEW_COLUMNS} FROM interviews WHERE study_id = $1 AND pseudonym = $2"
        ))
        .bind(study_id.as_str())
        .bind(pseudonym)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(interview_from_row).transpose()
    }

    /// Stores an interview's redacted transcript for review, replacing one still in
    /// review.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the interview already has an accepted transcript:
    /// its coding would no longer match; delete that transcript first.
    #[tracing::instrument(skip_all)]
    pub async fn store_transcript(
        &self,
        interview: &Interview,
        turns: &[(String, String)],
        redactions: usize,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let state: String = sqlx::query("SELECT transcript FROM interviews WHERE id = $1")
            .bind(&interview.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("transcript")?;
        if TranscriptState::parse(&state)? == TranscriptState::Accepted {
            return Err(StoreError::Corrupt(
                "the interview already has an accepted transcript".to_owned(),
            ));
        }
        delete_transcript_rows(&mut tx, &interview.id).await?;
        for (number, (speaker, text)) in (1_i64..).zip(turns) {
            sqlx::query(
                "INSERT INTO transcript_turns (interview_id, number, speaker, text) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&interview.id)
            .bind(number)
            .bind(speaker)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE interviews SET transcript = $1 WHERE id = $2")
            .bind(TranscriptState::Review.as_str())
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        finish(
            tx,
            interview,
            by,
            "transcript-imported",
            &format!(
                "{}: {} turns, {redactions} replacements",
                interview.pseudonym,
                turns.len()
            ),
        )
        .await?;
        Ok(())
    }

    /// Replaces the text of a transcript still in review (after further redaction).
    #[tracing::instrument(skip_all)]
    pub async fn revise_transcript(
        &self,
        interview: &Interview,
        turns: &[StoredTurn],
        replacements: usize,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for turn in turns {
            sqlx::query(
                "UPDATE transcript_turns SET speaker = $1, text = $2 \
                 WHERE interview_id = $3 AND number = $4",
            )
            .bind(&turn.speaker)
            .bind(&turn.text)
            .bind(&interview.id)
            .bind(turn.number)
            .execute(&mut *tx)
            .await?;
        }
        finish(
            tx,
            interview,
            by,
            "transcript-redacted",
            &format!("{}: {replacements} more replacements", interview.pseudonym),
        )
        .await?;
        // The words replaced must not stay readable in the database's files.
        self.scrub(&["transcript_turns"]).await;
        Ok(())
    }

    /// Accepts a transcript in review: it is open for coding.
    #[tracing::instrument(skip_all)]
    pub async fn accept_transcript(
        &self,
        interview: &Interview,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE interviews SET transcript = $1 WHERE id = $2")
            .bind(TranscriptState::Accepted.as_str())
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        finish(
            tx,
            interview,
            by,
            "transcript-accepted",
            &interview.pseudonym,
        )
        .await?;
        Ok(())
    }

    /// Deletes an interview's transcript with its passages and decisions (the matrix
    /// summaries stay: they are the analyst's), and scrubs the database files.
    #[tracing::instrument(skip_all)]
    pub async fn delete_transcript(
        &self,
        interview: &Interview,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        delete_transcript_rows(&mut tx, &interview.id).await?;
        sqlx::query("UPDATE interviews SET transcript = 'none' WHERE id = $1")
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        finish(
            tx,
            interview,
            by,
            "transcript-deleted",
            &interview.pseudonym,
        )
        .await?;
        self.scrub(CASE_STUDY_TABLES).await;
        Ok(())
    }

    /// Deletes an interview and everything of it (transcript, passages, summaries,
    /// decisions), and scrubs the database files.
    #[tracing::instrument(skip_all)]
    pub async fn delete_interview(
        &self,
        interview: &Interview,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        delete_transcript_rows(&mut tx, &interview.id).await?;
        sqlx::query("DELETE FROM matrix_summaries WHERE interview_id = $1")
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM interviews WHERE id = $1")
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?;
        finish(tx, interview, by, "interview-deleted", &interview.pseudonym).await?;
        self.scrub(CASE_STUDY_TABLES).await;
        Ok(())
    }

    /// An interview's transcript, in order.
    #[tracing::instrument(skip_all)]
    pub async fn transcript(&self, interview_id: &str) -> Result<Vec<StoredTurn>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, speaker, text FROM transcript_turns WHERE interview_id = $1 \
             ORDER BY number",
        )
        .bind(interview_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredTurn {
                    number: row.try_get("number")?,
                    speaker: row.try_get("speaker")?,
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    /// Indexes a passage of an interview under its sub-themes; returns its identifier.
    #[tracing::instrument(skip_all)]
    pub async fn add_passage(
        &self,
        interview: &Interview,
        coder: &str,
        passage: &NewPassage,
        by: &str,
    ) -> Result<String, StoreError> {
        let id = random_token()?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO passages (id, interview_id, turn, start_at, end_at, coder, memo, \
             report_quote, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&interview.id)
        .bind(passage.turn)
        .bind(passage.span.map(|(start, _)| start))
        .bind(passage.span.map(|(_, end)| end))
        .bind(coder)
        .bind(&passage.memo)
        .bind(i64::from(passage.report_quote))
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        for code in &passage.codes {
            sqlx::query("INSERT INTO passage_codes (passage_id, sub_theme) VALUES ($1, $2)")
                .bind(&id)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        finish(
            tx,
            interview,
            by,
            "passage-coded",
            &format!(
                "{} turn {}: {}",
                interview.pseudonym,
                passage.turn,
                passage.codes.join(", ")
            ),
        )
        .await?;
        Ok(id)
    }

    /// Removes a passage of an interview (and its codes).
    #[tracing::instrument(skip_all)]
    pub async fn delete_passage(
        &self,
        interview: &Interview,
        passage_id: &str,
        by: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM passage_codes WHERE passage_id IN \
             (SELECT id FROM passages WHERE id = $1 AND interview_id = $2)",
        )
        .bind(passage_id)
        .bind(&interview.id)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM passages WHERE id = $1 AND interview_id = $2")
            .bind(passage_id)
            .bind(&interview.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        finish(tx, interview, by, "passage-removed", &interview.pseudonym).await?;
        Ok(true)
    }

    /// Writes (or, with empty text, removes) an analyst's summary of an interviewee on a
    /// sub-theme.
    #[tracing::instrument(skip_all)]
    pub async fn set_summary(
        &self,
        interview: &Interview,
        sub_theme: &str,
        text: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM matrix_summaries WHERE interview_id = $1 AND sub_theme = $2")
            .bind(&interview.id)
            .bind(sub_theme)
            .execute(&mut *tx)
            .await?;
        if !text.trim().is_empty() {
            sqlx::query(
                "INSERT INTO matrix_summaries (interview_id, sub_theme, text, updated_by, \
                 updated_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&interview.id)
            .bind(sub_theme)
            .bind(text.trim())
            .bind(by)
            .bind(unix_now())
            .execute(&mut *tx)
            .await?;
        }
        finish(
            tx,
            interview,
            by,
            "summary-written",
            &format!("{}: {sub_theme}", interview.pseudonym),
        )
        .await?;
        Ok(())
    }

    /// Records whether a sub-theme applies to a turn the two coders disagreed on.
    #[tracing::instrument(skip_all)]
    pub async fn decide_disagreement(
        &self,
        interview: &Interview,
        turn: i64,
        sub_theme: &str,
        include: bool,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM coding_decisions WHERE interview_id = $1 AND turn = $2 AND sub_theme = $3",
        )
        .bind(&interview.id)
        .bind(turn)
        .bind(sub_theme)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO coding_decisions (interview_id, turn, sub_theme, include, decided_by, \
             decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&interview.id)
        .bind(turn)
        .bind(sub_theme)
        .bind(i64::from(include))
        .bind(by)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        finish(
            tx,
            interview,
            by,
            "disagreement-decided",
            &format!(
                "{} turn {turn}: {sub_theme} {}",
                interview.pseudonym,
                if include { "applies" } else { "does not apply" }
            ),
        )
        .await?;
        Ok(())
    }

    /// Registers a document of a case-study site with its audit ratings.
    #[tracing::instrument(skip_all)]
    pub async fn add_document(
        &self,
        study_id: &StudyId,
        document: &DocumentDetails,
        by: &str,
    ) -> Result<String, StoreError> {
        let id = random_token()?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO documents (id, study_id, site_id, kind, title, dated, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(study_id.as_str())
        .bind(document.site_id.as_str())
        .bind(&document.kind)
        .bind(&document.title)
        .bind(
            document
                .dated
                .map(|day| day.to_string())
                .unwrap_or_default(),
        )
        .bind(&document.note)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        for (criterion, value) in &document.ratings {
            sqlx::query(
                "INSERT INTO document_ratings (document_id, criterion, value) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(criterion)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            study_id,
            by,
            "document-registered",
            "document",
            &id,
            &format!("{}: {}", document.kind, document.title),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a document of the audit.
    #[tracing::instrument(skip_all)]
    pub async fn delete_document(
        &self,
        study_id: &StudyId,
        document_id: &str,
        by: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM document_ratings WHERE document_id IN \
             (SELECT id FROM documents WHERE id = $1 AND study_id = $2)",
        )
        .bind(document_id)
        .bind(study_id.as_str())
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM documents WHERE id = $1 AND study_id = $2")
            .bind(document_id)
            .bind(study_id.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        record(
            &mut tx,
            study_id,
            by,
            "document-removed",
            "document",
            document_id,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Writes the audit entry of a case-study download (matrix, passages or the
    /// findings' data), just before the file is sent.
    #[tracing::instrument(skip_all)]
    pub async fn log_case_study_export(
        &self,
        account_id: &str,
        study_id: &StudyId,
        details: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        record(
            &mut tx,
            study_id,
            account_id,
            "case-study-export",
            "study",
            study_id,
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Passages with their codes, where `scope` is a fixed condition on `p` or `i` with
    /// one `$1` parameter (never text from a request).
    async fn read_passages(
        &self,
        scope: &'static str,
        value: &str,
    ) -> Result<Vec<StoredPassage>, StoreError> {
        let passage_rows = sqlx::query(&format!(
            "SELECT p.id AS id, p.interview_id AS interview_id, p.turn AS turn, \
             p.start_at AS start_at, p.end_at AS end_at, p.coder AS coder, p.memo AS memo, \
             p.report_quote AS report_quote \
             FROM passages p JOIN interviews i ON i.id = p.interview_id \
             WHERE {scope} ORDER BY i.pseudonym, p.turn, p.created_at, p.id"
        ))
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        let code_rows = sqlx::query(&format!(
            "SELECT c.passage_id AS passage_id, c.sub_theme AS sub_theme FROM passage_codes c \
             JOIN passages p ON p.id = c.passage_id JOIN interviews i ON i.id = p.interview_id \
             WHERE {scope} ORDER BY c.passage_id, c.sub_theme"
        ))
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in &code_rows {
            codes
                .entry(row.try_get("passage_id")?)
                .or_default()
                .push(row.try_get("sub_theme")?);
        }
        let mut passages = Vec::with_capacity(passage_rows.len());
        for row in &passage_rows {
            let id: String = row.try_get("id")?;
            let start: Option<i64> = row.try_get("start_at")?;
            let end: Option<i64> = row.try_get("end_at")?;
            passages.push(StoredPassage {
                interview_id: row.try_get("interview_id")?,
                coder: row.try_get("coder")?,
                passage: NewPassage {
                    turn: row.try_get("turn")?,
                    span: start.zip(end),
                    codes: codes.remove(&id).unwrap_or_default(),
                    memo: row.try_get("memo")?,
                    report_quote: row.try_get::<i64, _>("report_quote")? != 0,
                },
                id,
            });
        }
        Ok(passages)
    }

    /// One interview's passages, by turn, whoever indexed them.
    #[tracing::instrument(skip_all)]
    pub async fn passages(&self, interview_id: &str) -> Result<Vec<StoredPassage>, StoreError> {
        self.read_passages("p.interview_id = $1", interview_id)
            .await
    }

    /// Everything the study's case studies hold.
    #[tracing::instrument(skip_all)]
    pub async fn case_study_data(&self, study_id: &StudyId) -> Result<CaseStudyData, StoreError> {
        let sites = self.case_study_sites(study_id).await?;
        let interviews = self.interviews(study_id).await?;
        let passages = self.read_passages("i.study_id = $1", study_id).await?;
        let summaries = sqlx::query(
            "SELECT m.interview_id AS interview_id, m.sub_theme AS sub_theme, m.text AS text \
             FROM matrix_summaries m JOIN interviews i ON i.id = m.interview_id \
             WHERE i.study_id = $1 ORDER BY i.pseudonym, m.sub_theme",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(MatrixSummary {
                interview_id: row.try_get("interview_id")?,
                sub_theme: row.try_get("sub_theme")?,
                text: row.try_get("text")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let decisions = sqlx::query(
            "SELECT d.interview_id AS interview_id, d.turn AS turn, d.sub_theme AS sub_theme, \
             d.include AS include FROM coding_decisions d \
             JOIN interviews i ON i.id = d.interview_id WHERE i.study_id = $1 \
             ORDER BY d.interview_id, d.turn, d.sub_theme",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(CodingDecision {
                interview_id: row.try_get("interview_id")?,
                turn: row.try_get("turn")?,
                sub_theme: row.try_get("sub_theme")?,
                include: row.try_get::<i64, _>("include")? != 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let document_rows = sqlx::query(
            "SELECT d.id AS id, d.site_id AS site_id, d.kind AS kind, d.title AS title, \
             d.dated AS dated, d.note AS note FROM documents d \
             LEFT JOIN case_study_sites c ON c.site_id = d.site_id \
             WHERE d.study_id = $1 ORDER BY c.number, d.kind, d.title, d.id",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let rating_rows = sqlx::query(
            "SELECT r.document_id AS document_id, r.criterion AS criterion, r.value AS value \
             FROM document_ratings r JOIN documents d ON d.id = r.document_id \
             WHERE d.study_id = $1",
        )
        .bind(study_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut ratings: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for row in &rating_rows {
            ratings
                .entry(row.try_get("document_id")?)
                .or_default()
                .insert(row.try_get("criterion")?, row.try_get("value")?);
        }
        let mut documents = Vec::with_capacity(document_rows.len());
        for row in &document_rows {
            let id: String = row.try_get("id")?;
            documents.push(AuditDocument {
                details: DocumentDetails {
                    site_id: rows::id(row, "site_id")?,
                    kind: row.try_get("kind")?,
                    title: row.try_get("title")?,
                    dated: match row.try_get::<String, _>("dated")?.as_str() {
                        "" => None,
                        text => Some(crate::date::stored_day(text)?),
                    },
                    note: row.try_get("note")?,
                    ratings: ratings.remove(&id).unwrap_or_default(),
                },
                id,
            });
        }
        Ok(CaseStudyData {
            sites,
            interviews,
            passages,
            summaries,
            decisions,
            documents,
        })
    }
}
