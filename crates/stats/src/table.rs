//! A validated r x c table of counts.

use crate::{Result, StatsError};

/// Largest total this crate accepts: every count and total is then exactly
/// representable as an `f64`.
const MAX_TOTAL: u64 = 1 << 53;

/// A rectangular table of non-negative counts (rows x columns), validated on
/// construction. It may contain zeros, empty rows and empty columns; analyses
/// drop empty rows and columns themselves (with a warning).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ContingencyTable {
    rows: usize,
    columns: usize,
    /// Row-major cells.
    cells: Vec<u64>,
}

impl ContingencyTable {
    /// Builds a table from rows of counts.
    ///
    /// # Errors
    /// [`StatsError::Empty`] without rows or columns,
    /// [`StatsError::RaggedTable`] if rows differ in length,
    /// [`StatsError::CountTooLarge`] if the total reaches 2^53.
    pub fn new(rows: Vec<Vec<u64>>) -> Result<Self> {
        let Some(first) = rows.first() else {
            return Err(StatsError::Empty { what: "table" });
        };
        let columns = first.len();
        if columns == 0 {
            return Err(StatsError::Empty { what: "table row" });
        }
        let mut cells = Vec::with_capacity(rows.len() * columns);
        let mut total: u64 = 0;
        for (i, row) in rows.iter().enumerate() {
            if row.len() != columns {
                return Err(StatsError::RaggedTable {
                    row: i,
                    len: row.len(),
                    expected: columns,
                });
            }
            for &v in row {
                total = total.checked_add(v).ok_or(StatsError::CountTooLarge)?;
                if total >= MAX_TOTAL {
                    return Err(StatsError::CountTooLarge);
                }
                cells.push(v);
            }
        }
        Ok(Self {
            rows: rows.len(),
            columns,
            cells,
        })
    }

    /// Builds a table from signed counts, rejecting negative values.
    ///
    /// # Errors
    /// As [`ContingencyTable::new`], plus [`StatsError::NegativeCount`].
    pub fn from_signed(rows: &[Vec<i64>]) -> Result<Self> {
        let mut out = Vec::with_capacity(rows.len());
        for (r, row) in rows.iter().enumerate() {
            let mut converted = Vec::with_capacity(row.len());
            for (c, &v) in row.iter().enumerate() {
                let v = u64::try_from(v).map_err(|_| StatsError::NegativeCount {
                    row: r,
                    column: c,
                    value: v,
                })?;
                converted.push(v);
            }
            out.push(converted);
        }
        Self::new(out)
    }

    /// Builds the 2x2 table `[[a, b], [c, d]]`.
    ///
    /// # Errors
    /// [`StatsError::CountTooLarge`] if the total reaches 2^53.
    pub fn two_by_two(a: u64, b: u64, c: u64, d: u64) -> Result<Self> {
        Self::new(vec![vec![a, b], vec![c, d]])
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns
    }

    /// The count in row `r`, column `c`, or `None` if out of range.
    pub fn get(&self, r: usize, c: usize) -> Option<u64> {
        if r < self.rows && c < self.columns {
            self.cells.get(r * self.columns + c).copied()
        } else {
            None
        }
    }

    /// Cell without bounds information (callers iterate within range).
    pub(crate) fn at(&self, r: usize, c: usize) -> u64 {
        self.cells.get(r * self.columns + c).copied().unwrap_or(0)
    }

    /// The table as rows of counts.
    pub fn to_rows(&self) -> Vec<Vec<u64>> {
        self.cells
            .chunks(self.columns)
            .map(<[u64]>::to_vec)
            .collect()
    }

    /// Row totals.
    pub fn row_totals(&self) -> Vec<u64> {
        self.cells
            .chunks(self.columns)
            .map(|r| r.iter().sum())
            .collect()
    }

    /// Column totals.
    pub fn column_totals(&self) -> Vec<u64> {
        (0..self.columns)
            .map(|c| (0..self.rows).map(|r| self.at(r, c)).sum())
            .collect()
    }

    /// Grand total.
    pub fn total(&self) -> u64 {
        self.cells.iter().sum()
    }

    /// The transposed table.
    pub fn transpose(&self) -> Self {
        let mut cells = Vec::with_capacity(self.cells.len());
        for c in 0..self.columns {
            for r in 0..self.rows {
                cells.push(self.at(r, c));
            }
        }
        Self {
            rows: self.columns,
            columns: self.rows,
            cells,
        }
    }

    /// The table without rows and columns whose total is zero, with the input
    /// indices of the dropped rows and columns.
    pub(crate) fn without_empty_lines(&self) -> (Self, Vec<usize>, Vec<usize>) {
        let rt = self.row_totals();
        let ct = self.column_totals();
        let keep_r: Vec<usize> = (0..self.rows).filter(|&r| rt[r] > 0).collect();
        let keep_c: Vec<usize> = (0..self.columns).filter(|&c| ct[c] > 0).collect();
        let dropped_r = (0..self.rows).filter(|&r| rt[r] == 0).collect();
        let dropped_c = (0..self.columns).filter(|&c| ct[c] == 0).collect();
        let mut cells = Vec::with_capacity(keep_r.len() * keep_c.len());
        for &r in &keep_r {
            for &c in &keep_c {
                cells.push(self.at(r, c));
            }
        }
        (
            Self {
                rows: keep_r.len(),
                columns: keep_c.len(),
                cells,
            },
            dropped_r,
            dropped_c,
        )
    }

    /// Checks that the table is 2x2.
    pub(crate) fn require_two_by_two(&self) -> Result<()> {
        if self.rows != 2 || self.columns != 2 {
            return Err(StatsError::NotTwoByTwo {
                rows: self.rows,
                columns: self.columns,
            });
        }
        Ok(())
    }

    /// Validates that the table can be tested for association: non-zero total
    /// and at least 2x2 after dropping empty rows and columns. Returns the
    /// reduced table and an optional warning about what was dropped.
    pub(crate) fn reduced_for_association(&self) -> Result<(Self, Option<crate::Warning>)> {
        if self.total() == 0 {
            return Err(StatsError::ZeroTotal);
        }
        let (reduced, rows, columns) = self.without_empty_lines();
        if reduced.rows < 2 || reduced.columns < 2 {
            return Err(StatsError::DegenerateTable {
                rows: reduced.rows,
                columns: reduced.columns,
            });
        }
        let warning = if rows.is_empty() && columns.is_empty() {
            None
        } else {
            Some(crate::Warning::EmptyCategoriesDropped { rows, columns })
        };
        Ok((reduced, warning))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_are_rejected_with_the_offending_row() {
        let err = ContingencyTable::new(vec![vec![1, 2], vec![3]]).unwrap_err();
        assert_eq!(
            err,
            StatsError::RaggedTable {
                row: 1,
                len: 1,
                expected: 2
            }
        );
    }

    #[test]
    fn negative_counts_are_rejected_with_their_position() {
        let err = ContingencyTable::from_signed(&[vec![1, 2], vec![3, -4]]).unwrap_err();
        assert_eq!(
            err,
            StatsError::NegativeCount {
                row: 1,
                column: 1,
                value: -4
            }
        );
    }

    #[test]
    fn empty_tables_are_rejected() {
        assert!(matches!(
            ContingencyTable::new(vec![]),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            ContingencyTable::new(vec![vec![]]),
            Err(StatsError::Empty { .. })
        ));
    }

    #[test]
    fn totals_too_large_for_exact_floats_are_rejected() {
        let big = 1u64 << 52;
        assert_eq!(
            ContingencyTable::two_by_two(big, big, 0, 0),
            Err(StatsError::CountTooLarge)
        );
        assert_eq!(
            ContingencyTable::two_by_two(u64::MAX, 1, 0, 0),
            Err(StatsError::CountTooLarge)
        );
    }

    #[test]
    fn empty_rows_and_columns_are_dropped_and_reported() {
        let t = ContingencyTable::new(vec![vec![1, 0, 2], vec![0, 0, 0], vec![3, 0, 4]]).unwrap();
        let (reduced, warning) = t.reduced_for_association().unwrap();
        assert_eq!(reduced.to_rows(), vec![vec![1, 2], vec![3, 4]]);
        assert_eq!(
            warning,
            Some(crate::Warning::EmptyCategoriesDropped {
                rows: vec![1],
                columns: vec![1]
            })
        );
    }
}
