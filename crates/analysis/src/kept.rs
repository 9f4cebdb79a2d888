//! The records that cleaning kept, as the analysis reads them.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::data::{Column, Columns, Responses, Texts, ValueColumn, Values};

/// The kept records of a response set with the columns derived from them.
///
/// A plan reads only some of an instrument's columns, so a column of the response set is
/// copied out for the kept records when it is first read, once, and never otherwise.
/// Derived columns, already of the kept records, shadow response columns of the same
/// identifier.
pub(crate) struct Kept<'a> {
    source: &'a Responses,
    /// The index in `source` of each kept record, ascending.
    rows: Vec<usize>,
    copies: HashMap<&'a str, OnceLock<ValueColumn>>,
    /// Texts are borrowed from `source`, not copied.
    text_copies: HashMap<&'a str, OnceLock<Vec<Option<&'a str>>>>,
    derived: HashMap<String, Column>,
}

impl<'a> Kept<'a> {
    /// The records of `source` for which `keep` is true, in order.
    pub(crate) fn new(source: &'a Responses, keep: &[bool]) -> Kept<'a> {
        let rows = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| **k)
            .map(|(row, _)| row)
            .collect();
        let mut copies = HashMap::new();
        let mut text_copies = HashMap::new();
        for id in source.column_ids() {
            if let Some(Column::Text(_)) = source.column(id) {
                text_copies.insert(id, OnceLock::new());
            } else {
                copies.insert(id, OnceLock::new());
            }
        }
        Kept {
            source,
            rows,
            copies,
            text_copies,
            derived: HashMap::new(),
        }
    }

    /// The index in the response set of each kept record, ascending.
    pub(crate) fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// The number of kept records.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether every record of the response set is kept (as in a record-level export),
    /// so that its columns are read as they are: a copy would be the same values again.
    fn keeps_every_record(&self) -> bool {
        // `rows` are distinct indices into the source, ascending: as many as the source
        // has records is every one of them, in order.
        self.rows.len() == self.source.len()
    }

    /// The coded or numeric column with this identifier, copied for the kept records on
    /// first use.
    pub(crate) fn values(&self, id: &str) -> Option<Values<'_>> {
        if let Some(column) = self.derived.get(id) {
            return match column {
                Column::Values(values) => Some(values.values()),
                Column::Text(_) => None,
            };
        }
        let source = self.source.held_values(id)?;
        if self.keeps_every_record() {
            return Some(source.values());
        }
        let copy = self.copies.get(id)?.get_or_init(|| source.pick(&self.rows));
        Some(copy.values())
    }

    /// The coded or numeric column with this identifier, without copying it: the copy if
    /// one was made, else the response set's column read at the kept records. For steps
    /// that read a column once, where a copy would cost more than it saves.
    pub(crate) fn value_column(&self, id: &str) -> Option<Values<'_>> {
        if let Some(column) = self.derived.get(id) {
            return match column {
                Column::Values(values) => Some(values.values()),
                Column::Text(_) => None,
            };
        }
        let source = self.source.held_values(id)?;
        if self.keeps_every_record() {
            return Some(source.values());
        }
        match self.copies.get(id)?.get() {
            Some(copy) => Some(copy.values()),
            None => Some(source.at(&self.rows)),
        }
    }

    /// The text column with this identifier, borrowed for the kept records on first use.
    pub(crate) fn texts(&self, id: &str) -> Option<Texts<'_>> {
        if let Some(column) = self.derived.get(id) {
            return match column {
                Column::Text(texts) => Some(Texts::Owned(texts)),
                Column::Values(_) => None,
            };
        }
        let source = self.source.texts(id)?;
        if self.keeps_every_record() {
            return Some(Texts::Owned(source));
        }
        let copy = self
            .text_copies
            .get(id)?
            .get_or_init(|| self.rows.iter().map(|&row| source.get(row)).collect());
        Some(Texts::Borrowed(copy))
    }

    /// The identifiers of the coded and numeric columns, response columns first.
    pub(crate) fn value_columns(&self) -> impl Iterator<Item = &str> {
        self.source
            .value_columns()
            .filter(|id| !self.derived.contains_key(*id))
            .chain(
                self.derived
                    .iter()
                    .filter(|(_, c)| matches!(c, Column::Values(_)))
                    .map(|(id, _)| id.as_str()),
            )
    }

    /// The columns derived from the kept records, by identifier, for a caller that keeps
    /// them after the analysis's view of the records is done with.
    pub(crate) fn into_derived(self) -> HashMap<String, Column> {
        self.derived
    }

    /// The site (an index into the study's sites) of each kept record.
    pub(crate) fn sites(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows
            .iter()
            .filter_map(|&row| self.source.site.get(row).copied())
    }

    /// The respondent of one kept record (empty where not linked).
    pub(crate) fn respondent(&self, row: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|&row| self.source.respondent_id.get(row))
            .map_or("", String::as_str)
    }

    /// The respondent of each kept record (empty where not linked).
    pub(crate) fn respondents(&self) -> impl Iterator<Item = &str> + '_ {
        self.rows.iter().map(|&row| {
            self.source
                .respondent_id
                .get(row)
                .map_or("", String::as_str)
        })
    }
}

impl Columns for Kept<'_> {
    fn len(&self) -> usize {
        Kept::len(self)
    }

    fn values(&self, id: &str) -> Option<Values<'_>> {
        Kept::values(self, id)
    }

    fn value_column(&self, id: &str) -> Option<Values<'_>> {
        Kept::value_column(self, id)
    }

    fn text_column(&self, id: &str) -> Option<Texts<'_>> {
        Kept::texts(self, id)
    }

    fn set(&mut self, id: String, column: Column) {
        self.derived.insert(id, column);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kept: &Kept<'_>, id: &str) -> Option<Vec<i32>> {
        kept.values(id).map(|v| v.to_vec())
    }

    fn responses() -> Responses {
        let mut data = Responses::default();
        data.response_id = vec!["a".into(), "b".into(), "c".into()];
        data.respondent_id = vec!["r1".into(), String::new(), "r3".into()];
        data.site = vec![0, 1, 2];
        data.set("q1", Column::Values(vec![1, 2, 3].into()));
        data.set(
            "q2",
            Column::Text([Some("x"), None, Some("z")].into_iter().collect()),
        );
        data
    }

    #[test]
    fn a_view_of_every_record_reads_the_response_columns_without_copying_them() {
        let data = responses();
        let every = Kept::new(&data, &[true, true, true]);
        let (Some(read), Some(held)) = (every.values("q1"), data.held_values("q1")) else {
            panic!("q1 is a coded column");
        };
        assert!(read.reads_in_place(held), "the response set's own column");
        let once = every.value_column("q1").expect("a coded column");
        assert!(once.reads_in_place(held));
        let texts = every.texts("q2").map(|t| t.iter().collect::<Vec<_>>());
        assert_eq!(texts, Some(vec![Some("x"), None, Some("z")]));
        // Keeping some records still copies, and only those records.
        let some = Kept::new(&data, &[true, true, false]);
        assert_eq!(values(&some, "q1"), Some(vec![1, 2]));
    }

    #[test]
    fn kept_columns_hold_only_the_kept_records_in_order() {
        let data = responses();
        let kept = Kept::new(&data, &[true, false, true]);
        let read_through = kept.value_column("q1").expect("a coded column");
        assert!(read_through.is_read_through(), "not copied before use");
        assert_eq!(read_through.iter().collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!((read_through.get(1), read_through.get(2)), (Some(3), None));
        assert_eq!(kept.len(), 2);
        assert_eq!(values(&kept, "q1"), Some(vec![1, 3]));
        let texts = kept.texts("q2").map(|t| t.iter().collect::<Vec<_>>());
        assert_eq!(texts, Some(vec![Some("x"), Some("z")]));
        assert_eq!(kept.sites().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(kept.respondents().collect::<Vec<_>>(), vec!["r1", "r3"]);
        assert_eq!(kept.respondent(1), "r3");
        assert_eq!(kept.respondent(2), "", "past the kept records");
        assert!(kept.values("q2").is_none(), "a text column has no values");
        assert!(kept.texts("q1").is_none(), "a coded column has no texts");
        assert!(kept.values("absent").is_none());
        let read_through = kept
            .value_column("q1")
            .map(|v| v.iter().collect::<Vec<_>>());
        assert_eq!(read_through, Some(vec![1, 3]));
    }

    #[test]
    fn derived_columns_shadow_response_columns_and_are_listed_once() {
        let data = responses();
        let mut kept = Kept::new(&data, &[true, true, false]);
        kept.set("q1".into(), Column::Values(vec![9, 9].into()));
        kept.set("d".into(), Column::Values(vec![0, 1].into()));
        assert_eq!(values(&kept, "q1"), Some(vec![9, 9]));
        let mut ids: Vec<&str> = kept.value_columns().collect();
        ids.sort_unstable();
        assert_eq!(ids, vec!["d", "q1"]);
    }
}
