//! The audit entry of an export: who exported which survey of which study, for which
//! site (or all), in which format and how many records. Never any answers.

use crate::audit::{self, Audit};
use crate::{Phase, Store, StoreError};

/// What an export audit entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLog<'a> {
    /// The account that exported.
    pub account_id: &'a str,
    /// The study.
    pub study_id: &'a str,
    /// The site's code, or `None` for every site of the study.
    pub site_code: Option<&'a str>,
    /// The survey exported; `None` for the whole study (every survey and follow-up wave,
    /// as an analysis folder).
    pub phase: Option<Phase>,
    /// The file format, e.g. `csv`, `codebook`, `xlsx`, `sav`.
    pub format: &'a str,
    /// How many records the file holds (`None` for a codebook, which holds none).
    pub records: Option<usize>,
    /// Why the records were needed, as the account gave it (record-level files only).
    pub purpose: Option<&'a str>,
}

impl ExportLog<'_> {
    /// The entry's details, e.g. `LA01: pre-training survey, csv, 3 records`.
    pub fn details(&self) -> String {
        let scope = self.site_code.unwrap_or("all sites");
        let survey = match self.phase {
            Some(Phase::Pre) => "pre-training survey".to_owned(),
            Some(Phase::Post) => "post-training survey".to_owned(),
            Some(Phase::FollowUp(number)) => format!("follow-up {number} survey"),
            None => "every survey and follow-up wave".to_owned(),
        };
        let records = match self.records {
            Some(1) => "1 record".to_owned(),
            Some(n) => format!("{n} records"),
            None => "no records".to_owned(),
        };
        let purpose = self
            .purpose
            .map(|p| format!("; purpose: {p}"))
            .unwrap_or_default();
        format!("{scope}: {survey}, {}, {records}{purpose}", self.format)
    }
}

impl Store {
    /// Writes the `export` audit entry of an export, in its own transaction, just before
    /// the file is sent.
    #[tracing::instrument(skip_all)]
    pub async fn log_export(&self, export: &ExportLog<'_>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let details = export.details();
        audit::write(
            &mut tx,
            Audit {
                account_id: Some(export.account_id),
                study_id: Some(export.study_id),
                action: "export",
                object_type: "study",
                object_id: Some(export.study_id),
                details: &details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_name_the_scope_survey_format_and_count_and_nothing_else() {
        let log = ExportLog {
            account_id: "a",
            study_id: "s",
            site_code: Some("LA01"),
            phase: Some(Phase::Pre),
            format: "csv",
            records: Some(3),
            purpose: Some("Checking the cleaning log"),
        };
        assert_eq!(
            log.details(),
            "LA01: pre-training survey, csv, 3 records; purpose: Checking the cleaning log"
        );
        let all = ExportLog {
            site_code: None,
            phase: Some(Phase::Post),
            format: "codebook",
            records: None,
            purpose: None,
            ..log
        };
        assert_eq!(
            all.details(),
            "all sites: post-training survey, codebook, no records"
        );
        let study = ExportLog {
            phase: None,
            format: "analysis folder (zip)",
            records: Some(12),
            purpose: Some("Follow-up analysis"),
            ..all
        };
        assert_eq!(
            study.details(),
            "all sites: every survey and follow-up wave, analysis folder (zip), 12 records; purpose: Follow-up analysis"
        );
    }
}
