//! A column of free text held compactly (`TextColumn`).

/// How many records share one entry of [`TextColumn`]'s lookup table. A lookup searches
/// only the texts of its record's block: a search of every text cost 3% of an XLSX
/// export, read record by record; the table costs a byte per eight records.
const BLOCK_RECORDS: usize = 64;

/// A column of free text, held compactly: only the records with a text take room.
///
/// Most records leave most text questions empty, and a `Vec<Option<String>>` took 24
/// bytes for every cell, empty or not (264 MB for the eleven text questions of a million
/// pre-training records). This holds the texts present end to end in one string, with
/// the record each belongs to and where it ends: 16 bytes and the text for each text
/// present, nothing for an empty cell, and a byte per eight records to find a record's
/// text quickly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextColumn {
    /// The number of records.
    len: usize,
    /// The records with a text, ascending.
    rows: Vec<usize>,
    /// For each block of [`BLOCK_RECORDS`] records, how many texts the records before
    /// it have: where a lookup of one of its records starts in `rows`.
    starts: Vec<usize>,
    /// Where each of those texts ends in `text`.
    ends: Vec<usize>,
    /// The texts, end to end.
    text: String,
}

impl TextColumn {
    /// A column of `len` records with no text.
    pub fn empty(len: usize) -> TextColumn {
        TextColumn {
            len,
            starts: vec![0; len.div_ceil(BLOCK_RECORDS)],
            ..TextColumn::default()
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records in `range` that have a text, ascending.
    pub fn rows_present(&self, range: std::ops::Range<usize>) -> &[usize] {
        let from = self.rows.partition_point(|&row| row < range.start);
        let to = self.rows.partition_point(|&row| row < range.end);
        self.rows.get(from..to.max(from)).unwrap_or_default()
    }

    /// How many records have a text.
    pub fn present(&self) -> usize {
        self.rows.len()
    }

    /// Adds a record with this text (`None` where empty).
    pub fn push(&mut self, text: Option<&str>) {
        if self.len.is_multiple_of(BLOCK_RECORDS) {
            self.starts.push(self.rows.len());
        }
        if let Some(text) = text {
            self.rows.push(self.len);
            self.text.push_str(text);
            self.ends.push(self.text.len());
        }
        self.len += 1;
    }

    /// Sets the text of the last record, replacing any it had.
    pub fn set_last(&mut self, text: Option<&str>) {
        let Some(last) = self.len.checked_sub(1) else {
            return;
        };
        if self.rows.last() == Some(&last) {
            self.rows.pop();
            self.ends.pop();
            self.text.truncate(self.ends.last().copied().unwrap_or(0));
        }
        if last.is_multiple_of(BLOCK_RECORDS) {
            self.starts.pop();
        }
        self.len = last;
        self.push(text);
    }

    /// The text of one record (`None` where empty or past the end).
    pub fn get(&self, row: usize) -> Option<&str> {
        if row >= self.len {
            return None;
        }
        let block = row / BLOCK_RECORDS;
        let from = *self.starts.get(block)?;
        let to = self
            .starts
            .get(block + 1)
            .copied()
            .unwrap_or(self.rows.len());
        let at = from + self.rows.get(from..to)?.binary_search(&row).ok()?;
        self.text_at(at)
    }

    /// The `at`th text present.
    fn text_at(&self, at: usize) -> Option<&str> {
        let start = match at.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..*self.ends.get(at)?)
    }

    /// The text of each record in order.
    pub fn iter(&self) -> TextIter<'_> {
        TextIter {
            column: self,
            row: 0,
            at: 0,
        }
    }

    /// The records for which `keep` is true, in order, as a column of their own.
    pub fn filter(&self, keep: &[bool]) -> TextColumn {
        let mut kept = TextColumn::default();
        for (text, keep) in self.iter().zip(keep) {
            if *keep {
                kept.push(text);
            }
        }
        kept
    }
}

impl<'a> FromIterator<Option<&'a str>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(texts: I) -> TextColumn {
        let mut column = TextColumn::default();
        for text in texts {
            column.push(text);
        }
        column
    }
}

impl FromIterator<Option<String>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<String>>>(texts: I) -> TextColumn {
        let mut column = TextColumn::default();
        for text in texts {
            column.push(text.as_deref());
        }
        column
    }
}

impl From<Vec<Option<String>>> for TextColumn {
    fn from(texts: Vec<Option<String>>) -> TextColumn {
        texts.into_iter().collect()
    }
}

/// The iterator of [`TextColumn::iter`]: each record's text in order.
#[derive(Debug, Clone)]
pub struct TextIter<'a> {
    column: &'a TextColumn,
    /// The next record.
    row: usize,
    /// The next text present.
    at: usize,
}

impl<'a> Iterator for TextIter<'a> {
    type Item = Option<&'a str>;

    fn next(&mut self) -> Option<Option<&'a str>> {
        if self.row >= self.column.len {
            return None;
        }
        let row = self.row;
        self.row += 1;
        if self.column.rows.get(self.at) == Some(&row) {
            self.at += 1;
            Some(self.column.text_at(self.at - 1))
        } else {
            Some(None)
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.column.len - self.row;
        (left, Some(left))
    }
}

impl ExactSizeIterator for TextIter<'_> {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use proptest::prelude::*;

    use super::TextColumn;

    fn texts() -> impl Strategy<Value = Vec<Option<String>>> {
        // Past several lookup blocks, with texts dense and sparse.
        prop_oneof![
            proptest::collection::vec(proptest::option::of("[a-zé ]{0,4}"), 0..300),
            proptest::collection::vec(proptest::option::weighted(0.05, "[a-z]{1,3}"), 0..300),
        ]
    }

    proptest! {
        #[test]
        fn a_text_column_reads_back_every_record_as_a_vector_of_options_holds_it(
            held in texts(),
            keep in proptest::collection::vec(any::<bool>(), 300),
            last in proptest::option::of("[a-z]{0,3}"),
        ) {
            let column = TextColumn::from(held.clone());
            prop_assert_eq!(column.len(), held.len());
            prop_assert_eq!(column.present(), held.iter().flatten().count());
            let expected: Vec<Option<&str>> = held.iter().map(Option::as_deref).collect();
            prop_assert_eq!(column.iter().collect::<Vec<_>>(), expected.clone());
            prop_assert_eq!(column.iter().len(), held.len());
            for (row, text) in expected.iter().enumerate() {
                prop_assert_eq!(column.get(row), *text);
            }
            prop_assert_eq!(column.get(held.len()), None);
            let (start, end) = (keep.iter().filter(|k| **k).count() % 150, 150 + last.as_ref().map_or(0, String::len) * 40);
            let present: Vec<usize> = (start..end.min(held.len())).filter(|&row| held[row].is_some()).collect();
            prop_assert_eq!(column.rows_present(start..end), present.as_slice());

            let filtered = column.filter(&keep);
            let kept: Vec<Option<&str>> = expected
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(t, _)| *t)
                .collect();
            prop_assert_eq!(filtered.iter().collect::<Vec<_>>(), kept.clone());
            prop_assert_eq!(&filtered, &kept.iter().copied().collect::<TextColumn>());

            // Replacing the last record's text leaves the column as if it had been
            // pushed with that text.
            let mut replaced = column.clone();
            replaced.set_last(last.as_deref());
            let mut expected_replaced = held.clone();
            if let Some(cell) = expected_replaced.last_mut() {
                cell.clone_from(&last);
            }
            prop_assert_eq!(replaced, TextColumn::from(expected_replaced));
        }
    }

    #[test]
    fn a_column_begun_empty_and_a_text_replaced_at_a_block_boundary_read_back() {
        let mut column = TextColumn::empty(super::BLOCK_RECORDS * 2);
        column.push(Some("a"));
        column.set_last(Some("b"));
        column.set_last(None);
        column.push(Some("c"));
        let mut expected = vec![None; super::BLOCK_RECORDS * 2 + 1];
        expected.push(Some("c"));
        assert_eq!(column.iter().collect::<Vec<_>>(), expected);
        assert_eq!(column, expected.iter().copied().collect::<TextColumn>());
        assert_eq!(column.get(super::BLOCK_RECORDS * 2 + 1), Some("c"));
        assert_eq!(column.get(super::BLOCK_RECORDS * 2), None);
    }

    #[test]
    fn an_empty_text_is_kept_apart_from_no_text() {
        let column: TextColumn = [Some(""), None, Some("a")].into_iter().collect();
        assert_eq!(column.get(0), Some(""));
        assert_eq!(column.get(1), None);
        assert_eq!(column.get(2), Some("a"));
        assert_eq!(
            TextColumn::empty(3).iter().collect::<Vec<_>>(),
            [None, None, None]
        );
    }
}
