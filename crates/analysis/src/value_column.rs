//! A column of codes or numbers held in the narrowest width its values need
//! (`ValueColumn`), and the view the analysis reads one through (`Values`).

use crate::data::MISSING;

/// A coded or numeric column: every value an `i32`, [`MISSING`] where empty, held in 8,
/// 16 or 32 bits, whichever is the narrowest that holds every value in it.
///
/// Almost every column is a survey question's codes, which fit a byte: held as `i32`,
/// the 135 coded columns of a million pre-training records took 540 MB, and the kept records'
/// copies and derived columns as much again. A column starts a byte wide and is widened,
/// once, by the first value that needs it; the values read back are the same whatever
/// the width, so two columns are equal when their values are.
#[derive(Debug, Clone)]
pub struct ValueColumn {
    held: Held,
}

/// The values at one width, each width's least value standing for [`MISSING`].
#[derive(Debug, Clone)]
enum Held {
    Byte(Vec<i8>),
    Short(Vec<i16>),
    Word(Vec<i32>),
}

/// A width a column's values are held at.
trait Width: Copy + PartialEq + Into<i32> + TryFrom<i32> {
    /// The value that stands for [`MISSING`].
    const EMPTY: Self;

    /// The value as an `i32`, [`MISSING`] where empty.
    #[inline]
    fn wide(self) -> i32 {
        if self == Self::EMPTY {
            MISSING
        } else {
            self.into()
        }
    }

    /// `value` at this width, if it fits (the width's least value is [`MISSING`] only).
    #[inline]
    fn narrow(value: i32) -> Option<Self> {
        // The common case, a value in range, is decided before the rarer empty cell.
        match Self::try_from(value) {
            Ok(narrow) if narrow != Self::EMPTY => Some(narrow),
            _ if value == MISSING => Some(Self::EMPTY),
            _ => None,
        }
    }
}

impl Width for i8 {
    const EMPTY: i8 = i8::MIN;
}

impl Width for i16 {
    const EMPTY: i16 = i16::MIN;
}

impl Width for i32 {
    const EMPTY: i32 = MISSING;
}

impl Default for ValueColumn {
    fn default() -> ValueColumn {
        ValueColumn::new()
    }
}

impl ValueColumn {
    /// A column of no records.
    pub fn new() -> ValueColumn {
        ValueColumn {
            held: Held::Byte(Vec::new()),
        }
    }

    /// A column of no records, with room for `records` byte-wide values.
    pub fn with_capacity(records: usize) -> ValueColumn {
        ValueColumn {
            held: Held::Byte(Vec::with_capacity(records)),
        }
    }

    /// A column of `len` empty records.
    pub fn missing(len: usize) -> ValueColumn {
        ValueColumn {
            held: Held::Byte(vec![i8::EMPTY; len]),
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        match &self.held {
            Held::Byte(v) => v.len(),
            Held::Short(v) => v.len(),
            Held::Word(v) => v.len(),
        }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes each value takes: 1, 2 or 4.
    pub fn width_bytes(&self) -> usize {
        match &self.held {
            Held::Byte(_) => 1,
            Held::Short(_) => 2,
            Held::Word(_) => 4,
        }
    }

    /// The value of one record ([`MISSING`] where empty); `None` past the end.
    #[inline]
    pub fn get(&self, row: usize) -> Option<i32> {
        self.values().get(row)
    }

    /// Adds a record with this value ([`MISSING`] where empty).
    #[inline]
    pub fn push(&mut self, value: i32) {
        match &mut self.held {
            Held::Byte(v) => {
                if let Some(n) = i8::narrow(value) {
                    v.push(n);
                    return;
                }
            }
            Held::Short(v) => {
                if let Some(n) = i16::narrow(value) {
                    v.push(n);
                    return;
                }
            }
            Held::Word(v) => {
                v.push(value);
                return;
            }
        }
        self.widen_for(value);
        self.push(value);
    }

    /// Sets the value of record `row` ([`MISSING`] to empty it). A row past the end is
    /// left alone, as a slice's `get_mut` would.
    #[inline]
    pub fn set(&mut self, row: usize, value: i32) {
        match &mut self.held {
            Held::Byte(v) => match (v.get_mut(row), i8::narrow(value)) {
                (None, _) => return,
                (Some(cell), Some(n)) => {
                    *cell = n;
                    return;
                }
                (Some(_), None) => {}
            },
            Held::Short(v) => match (v.get_mut(row), i16::narrow(value)) {
                (None, _) => return,
                (Some(cell), Some(n)) => {
                    *cell = n;
                    return;
                }
                (Some(_), None) => {}
            },
            Held::Word(v) => {
                if let Some(cell) = v.get_mut(row) {
                    *cell = value;
                }
                return;
            }
        }
        self.widen_for(value);
        self.set(row, value);
    }

    /// Rewrites the values at the next width that holds `value`.
    fn widen_for(&mut self, value: i32) {
        let held = std::mem::replace(&mut self.held, Held::Word(Vec::new()));
        self.held = match held {
            Held::Byte(v) if i16::narrow(value).is_some() => Held::Short(widened(&v)),
            Held::Byte(v) => Held::Word(widened(&v)),
            Held::Short(v) => Held::Word(widened(&v)),
            word @ Held::Word(_) => word,
        };
    }

    /// The column as the analysis reads it.
    #[inline]
    pub fn values(&self) -> Values<'_> {
        Values {
            held: match &self.held {
                Held::Byte(v) => HeldRef::Byte(v),
                Held::Short(v) => HeldRef::Short(v),
                Held::Word(v) => HeldRef::Word(v),
            },
            rows: None,
        }
    }

    /// The column read at `rows` (indices into it), in their order, without a copy.
    pub fn at<'a>(&'a self, rows: &'a [usize]) -> Values<'a> {
        Values {
            rows: Some(rows),
            ..self.values()
        }
    }

    /// Each record's value in order.
    pub fn iter(&self) -> ValuesIter<'_> {
        self.values().iter()
    }

    /// The values of the records at `rows`, in their order, at this column's width.
    pub fn pick(&self, rows: &[usize]) -> ValueColumn {
        fn pick<T: Width>(values: &[T], rows: &[usize]) -> Vec<T> {
            rows.iter()
                .map(|&r| values.get(r).copied().unwrap_or(T::EMPTY))
                .collect()
        }
        ValueColumn {
            held: match &self.held {
                Held::Byte(v) => Held::Byte(pick(v, rows)),
                Held::Short(v) => Held::Short(pick(v, rows)),
                Held::Word(v) => Held::Word(pick(v, rows)),
            },
        }
    }

    /// The records for which `keep` is true, in order, at this column's width.
    pub fn filter(&self, keep: &[bool]) -> ValueColumn {
        fn filter<T: Width>(values: &[T], keep: &[bool]) -> Vec<T> {
            // Sized up front: a collected filter would grow by doubling.
            let mut out = Vec::with_capacity(keep.iter().filter(|k| **k).count());
            out.extend(
                values
                    .iter()
                    .zip(keep)
                    .filter(|(_, k)| **k)
                    .map(|(v, _)| *v),
            );
            out
        }
        ValueColumn {
            held: match &self.held {
                Held::Byte(v) => Held::Byte(filter(v, keep)),
                Held::Short(v) => Held::Short(filter(v, keep)),
                Held::Word(v) => Held::Word(filter(v, keep)),
            },
        }
    }

    /// Every value as an `i32`, [`MISSING`] where empty.
    pub fn to_vec(&self) -> Vec<i32> {
        self.iter().collect()
    }
}

/// Each value at a wider width.
fn widened<T: Width, U: Width>(values: &[T]) -> Vec<U> {
    values
        .iter()
        .map(|v| U::narrow(v.wide()).unwrap_or(U::EMPTY))
        .collect()
}

impl PartialEq for ValueColumn {
    fn eq(&self, other: &ValueColumn) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl From<Vec<i32>> for ValueColumn {
    /// The values at the narrowest width that holds them all.
    fn from(values: Vec<i32>) -> ValueColumn {
        values.into_iter().collect()
    }
}

impl From<&[i32]> for ValueColumn {
    fn from(values: &[i32]) -> ValueColumn {
        values.iter().copied().collect()
    }
}

impl FromIterator<i32> for ValueColumn {
    fn from_iter<I: IntoIterator<Item = i32>>(values: I) -> ValueColumn {
        let values = values.into_iter();
        let mut column = ValueColumn::with_capacity(values.size_hint().0);
        // `for_each` reads a column of values in one loop per width (`ValuesIter::fold`),
        // where `extend`'s loop would ask which width at every value.
        values.for_each(|value| column.push(value));
        column
    }
}

impl Extend<i32> for ValueColumn {
    fn extend<I: IntoIterator<Item = i32>>(&mut self, values: I) {
        /// Pushes values while they fit; returns the first that does not.
        fn fill<T: Width>(
            column: &mut Vec<T>,
            values: &mut impl Iterator<Item = i32>,
        ) -> Option<i32> {
            for value in values {
                match T::narrow(value) {
                    Some(narrow) => column.push(narrow),
                    None => return Some(value),
                }
            }
            None
        }
        let mut values = values.into_iter();
        loop {
            let wider = match &mut self.held {
                Held::Byte(v) => fill(v, &mut values),
                Held::Short(v) => fill(v, &mut values),
                Held::Word(v) => {
                    v.extend(values);
                    return;
                }
            };
            match wider {
                Some(value) => self.push(value),
                None => return,
            }
        }
    }
}

/// A coded or numeric column as the analysis reads it: a [`ValueColumn`] whole, or read
/// through at some of its records (the kept records of a response set) without a copy.
/// [`MISSING`] where empty.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    held: HeldRef<'a>,
    /// The records read, by index into `held`; every record in order where `None`.
    rows: Option<&'a [usize]>,
}

#[derive(Debug, Clone, Copy)]
enum HeldRef<'a> {
    Byte(&'a [i8]),
    Short(&'a [i16]),
    Word(&'a [i32]),
}

impl<'a> From<&'a [i32]> for Values<'a> {
    /// Values held as `i32`s elsewhere ([`MISSING`] where empty).
    fn from(values: &'a [i32]) -> Values<'a> {
        Values {
            held: HeldRef::Word(values),
            rows: None,
        }
    }
}

impl<'a> Values<'a> {
    /// The number of records.
    #[inline]
    pub fn len(&self) -> usize {
        match (self.rows, self.held) {
            (Some(rows), _) => rows.len(),
            (None, HeldRef::Byte(v)) => v.len(),
            (None, HeldRef::Short(v)) => v.len(),
            (None, HeldRef::Word(v)) => v.len(),
        }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the values are read through to a larger column's records, not held.
    pub fn is_read_through(&self) -> bool {
        self.rows.is_some()
    }

    /// Whether these are `column`'s own values, every record read in place (no copy).
    pub fn reads_in_place(&self, column: &ValueColumn) -> bool {
        let held = column.values().held;
        self.rows.is_none()
            && match (self.held, held) {
                (HeldRef::Byte(a), HeldRef::Byte(b)) => std::ptr::eq(a, b),
                (HeldRef::Short(a), HeldRef::Short(b)) => std::ptr::eq(a, b),
                (HeldRef::Word(a), HeldRef::Word(b)) => std::ptr::eq(a, b),
                _ => false,
            }
    }

    /// The value of one record ([`MISSING`] where empty); `None` past the end.
    #[inline]
    pub fn get(&self, row: usize) -> Option<i32> {
        let row = match self.rows {
            Some(rows) => match rows.get(row) {
                Some(&r) => r,
                None => return None,
            },
            None => row,
        };
        let value = match self.held {
            HeldRef::Byte(v) => v.get(row).map(|v| v.wide()),
            HeldRef::Short(v) => v.get(row).map(|v| v.wide()),
            HeldRef::Word(v) => v.get(row).copied(),
        };
        // A read-through record past the end of its column is empty.
        match (value, self.rows) {
            (None, Some(_)) => Some(MISSING),
            (value, _) => value,
        }
    }

    /// The records in `range`; none where the range is not within the records.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Values<'a> {
        if let Some(rows) = self.rows {
            return Values {
                rows: Some(rows.get(range).unwrap_or_default()),
                ..*self
            };
        }
        Values {
            held: match self.held {
                HeldRef::Byte(v) => HeldRef::Byte(v.get(range).unwrap_or_default()),
                HeldRef::Short(v) => HeldRef::Short(v.get(range).unwrap_or_default()),
                HeldRef::Word(v) => HeldRef::Word(v.get(range).unwrap_or_default()),
            },
            rows: None,
        }
    }

    /// Whether any record holds `value`.
    pub fn contains(&self, value: i32) -> bool {
        self.iter().any(|v| v == value)
    }

    /// Each record's value in order.
    #[inline]
    pub fn iter(&self) -> ValuesIter<'a> {
        ValuesIter {
            inner: match (self.held, self.rows) {
                (HeldRef::Byte(v), None) => Inner::Byte(v.iter()),
                (HeldRef::Short(v), None) => Inner::Short(v.iter()),
                (HeldRef::Word(v), None) => Inner::Word(v.iter()),
                (HeldRef::Byte(v), Some(rows)) => Inner::ByteAt(v, rows.iter()),
                (HeldRef::Short(v), Some(rows)) => Inner::ShortAt(v, rows.iter()),
                (HeldRef::Word(v), Some(rows)) => Inner::WordAt(v, rows.iter()),
            },
        }
    }

    /// The values as a column of their own, at their width.
    pub fn to_column(&self) -> ValueColumn {
        fn copy<T: Width>(values: &[T], rows: Option<&[usize]>) -> Vec<T> {
            match rows {
                Some(rows) => rows
                    .iter()
                    .map(|&r| values.get(r).copied().unwrap_or(T::EMPTY))
                    .collect(),
                None => values.to_vec(),
            }
        }
        ValueColumn {
            held: match self.held {
                HeldRef::Byte(v) => Held::Byte(copy(v, self.rows)),
                HeldRef::Short(v) => Held::Short(copy(v, self.rows)),
                HeldRef::Word(v) => Held::Word(copy(v, self.rows)),
            },
        }
    }

    /// Every value as an `i32`, [`MISSING`] where empty.
    pub fn to_vec(&self) -> Vec<i32> {
        self.iter().collect()
    }
}

impl PartialEq for Values<'_> {
    fn eq(&self, other: &Values<'_>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl PartialEq<[i32]> for Values<'_> {
    fn eq(&self, other: &[i32]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

impl<const N: usize> PartialEq<[i32; N]> for Values<'_> {
    fn eq(&self, other: &[i32; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<i32>> for Values<'_> {
    fn eq(&self, other: &Vec<i32>) -> bool {
        *self == other[..]
    }
}

impl<'a> IntoIterator for Values<'a> {
    type Item = i32;
    type IntoIter = ValuesIter<'a>;

    fn into_iter(self) -> ValuesIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Values::iter`]: each record's value as an `i32`.
#[derive(Debug, Clone)]
pub struct ValuesIter<'a> {
    inner: Inner<'a>,
}

#[derive(Debug, Clone)]
enum Inner<'a> {
    Byte(std::slice::Iter<'a, i8>),
    Short(std::slice::Iter<'a, i16>),
    Word(std::slice::Iter<'a, i32>),
    ByteAt(&'a [i8], std::slice::Iter<'a, usize>),
    ShortAt(&'a [i16], std::slice::Iter<'a, usize>),
    WordAt(&'a [i32], std::slice::Iter<'a, usize>),
}

/// The value of `values` at `row`; [`MISSING`] past the end.
#[inline]
fn at<T: Width>(values: &[T], row: usize) -> i32 {
    values.get(row).map_or(MISSING, |v| v.wide())
}

impl Iterator for ValuesIter<'_> {
    type Item = i32;

    #[inline]
    fn next(&mut self) -> Option<i32> {
        match &mut self.inner {
            Inner::Byte(v) => v.next().map(|v| v.wide()),
            Inner::Short(v) => v.next().map(|v| v.wide()),
            Inner::Word(v) => v.next().copied(),
            Inner::ByteAt(v, rows) => rows.next().map(|&r| at(v, r)),
            Inner::ShortAt(v, rows) => rows.next().map(|&r| at(v, r)),
            Inner::WordAt(v, rows) => rows.next().map(|&r| at(v, r)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Inner::Byte(v) => v.size_hint(),
            Inner::Short(v) => v.size_hint(),
            Inner::Word(v) => v.size_hint(),
            Inner::ByteAt(_, rows) | Inner::ShortAt(_, rows) | Inner::WordAt(_, rows) => {
                rows.size_hint()
            }
        }
    }

    fn fold<B, F: FnMut(B, i32) -> B>(self, init: B, mut f: F) -> B {
        // One loop per width and representation, so that none tests which it is per record.
        match self.inner {
            Inner::Byte(v) => v.fold(init, |acc, v| f(acc, v.wide())),
            Inner::Short(v) => v.fold(init, |acc, v| f(acc, v.wide())),
            Inner::Word(v) => v.fold(init, |acc, v| f(acc, *v)),
            Inner::ByteAt(v, rows) => rows.fold(init, |acc, &r| f(acc, at(v, r))),
            Inner::ShortAt(v, rows) => rows.fold(init, |acc, &r| f(acc, at(v, r))),
            Inner::WordAt(v, rows) => rows.fold(init, |acc, &r| f(acc, at(v, r))),
        }
    }
}

impl ExactSizeIterator for ValuesIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = i32> {
        prop_oneof![
            Just(MISSING),
            -130..130i32,
            -40_000..40_000i32,
            any::<i32>(),
            Just(i32::from(i8::MIN)),
            Just(i32::from(i16::MIN)),
            Just(i32::MAX),
        ]
    }

    #[test]
    fn survey_codes_take_a_byte_and_wider_numbers_widen_the_column_once() {
        let codes = ValueColumn::from(vec![1, 5, MISSING, 99]);
        assert_eq!(codes.width_bytes(), 1);
        let years = ValueColumn::from(vec![1, 1995, MISSING]);
        assert_eq!(years.width_bytes(), 2);
        assert_eq!(years.to_vec(), vec![1, 1995, MISSING]);
        // The least byte is the byte width's empty cell, so -128 needs two bytes.
        assert_eq!(ValueColumn::from(vec![-128]).width_bytes(), 2);
        assert_eq!(ValueColumn::from(vec![-127]).width_bytes(), 1);
        assert_eq!(ValueColumn::from(vec![-32_768]).width_bytes(), 4);
        assert_eq!(ValueColumn::from(vec![70_000, 1]).width_bytes(), 4);
    }

    proptest! {
        #[test]
        fn a_column_reads_back_every_value_pushed_or_set_whatever_its_width(
            pushed in prop::collection::vec(value(), 0..300),
            sets in prop::collection::vec((0usize..320, value()), 0..40),
            keep_seed in any::<u64>(),
        ) {
            let mut column = ValueColumn::new();
            for &v in &pushed {
                column.push(v);
            }
            let mut expected = pushed.clone();
            for &(row, v) in &sets {
                column.set(row, v);
                if let Some(cell) = expected.get_mut(row) {
                    *cell = v;
                }
            }
            prop_assert_eq!(column.len(), expected.len());
            prop_assert_eq!(column.to_vec(), expected.clone());
            prop_assert_eq!(column.iter().fold(Vec::new(), |mut all, v| { all.push(v); all }), expected.clone());
            for (row, &v) in expected.iter().enumerate() {
                prop_assert_eq!(column.get(row), Some(v));
            }
            prop_assert_eq!(column.get(expected.len()), None);
            prop_assert_eq!(&ValueColumn::from(expected.clone()), &column);
            let mut extended = ValueColumn::with_capacity(3);
            extended.extend(pushed.iter().copied());
            prop_assert_eq!(extended.to_vec(), pushed.clone());

            let keep: Vec<bool> = (0..expected.len()).map(|i| (keep_seed >> (i % 64)) & 1 == 1).collect();
            let rows: Vec<usize> = (0..expected.len()).filter(|&i| keep[i]).collect();
            let kept: Vec<i32> = rows.iter().map(|&r| expected[r]).collect();
            prop_assert_eq!(column.filter(&keep).to_vec(), kept.clone());
            prop_assert_eq!(column.pick(&rows).to_vec(), kept.clone());
            let through = column.at(&rows);
            prop_assert!(through.is_read_through());
            prop_assert_eq!(through.len(), kept.len());
            prop_assert_eq!(through.iter().collect::<Vec<_>>(), kept.clone());
            prop_assert_eq!(through.iter().fold(Vec::new(), |mut all, v| { all.push(v); all }), kept.clone());
            prop_assert_eq!(through.to_column().to_vec(), kept.clone());
            for (i, &v) in kept.iter().enumerate() {
                prop_assert_eq!(through.get(i), Some(v));
            }
        }
    }

    #[test]
    fn a_record_read_through_past_its_columns_end_is_empty() {
        let column = ValueColumn::from(vec![3, 4]);
        let rows = [1, 7];
        let through = column.at(&rows);
        assert_eq!(through.get(1), Some(MISSING));
        assert_eq!(through.to_vec(), vec![4, MISSING]);
        assert_eq!(through.get(2), None);
    }
}
