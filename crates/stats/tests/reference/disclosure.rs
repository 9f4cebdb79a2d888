//! Disclosure control: no suppressed count can be recovered from what is shown.
//!
//! The check is independent of the suppression algorithm: it enumerates every table of
//! non-negative counts that agrees with every shown cell and every shown total, and
//! requires each hidden cell to take at least two different values across them.

use proptest::prelude::*;
use skafada_stats::disclosure::{Suppressed, suppress_frequencies, suppress_table};

/// Whether every hidden cell takes two or more values among the tables consistent with
/// what is shown. `column_totals_shown` is false for one-way frequency tables.
fn hidden_cells_are_ambiguous(
    counts: &[Vec<u64>],
    s: &Suppressed,
    column_totals_shown: bool,
) -> bool {
    let rows = counts.len();
    let columns = counts[0].len();
    let hidden: Vec<(usize, usize)> = (0..rows)
        .flat_map(|r| (0..columns).map(move |c| (r, c)))
        .filter(|&(r, c)| s.cells[r][c])
        .collect();
    if hidden.is_empty() {
        return true;
    }
    let row_total: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let column_total: Vec<u64> = (0..columns)
        .map(|c| counts.iter().map(|r| r[c]).sum())
        .collect();
    let grand: u64 = row_total.iter().sum();
    let mut seen: Vec<std::collections::BTreeSet<u64>> = vec![Default::default(); hidden.len()];
    let mut trial: Vec<Vec<u64>> = counts.to_vec();

    fn consistent(
        trial: &[Vec<u64>],
        counts: &[Vec<u64>],
        s: &Suppressed,
        shown_columns: bool,
        grand: u64,
    ) -> bool {
        let rows = counts.len();
        let columns = counts[0].len();
        for r in 0..rows {
            if !s.row_totals[r] && trial[r].iter().sum::<u64>() != counts[r].iter().sum::<u64>() {
                return false;
            }
        }
        if shown_columns {
            for c in 0..columns {
                if !s.column_totals[c]
                    && trial.iter().map(|r| r[c]).sum::<u64>()
                        != counts.iter().map(|r| r[c]).sum::<u64>()
                {
                    return false;
                }
            }
        }
        s.grand_total || trial.iter().flatten().sum::<u64>() == grand
    }

    // Capacity left in each line with a shown total, after the shown cells; hidden cells
    // are assigned within it, so the search only visits consistent partial tables.
    let mut row_left: Vec<Option<u64>> = vec![None; rows];
    for r in 0..rows {
        if !s.row_totals[r] {
            let shown: u64 = (0..columns)
                .filter(|&c| !s.cells[r][c])
                .map(|c| counts[r][c])
                .sum();
            row_left[r] = Some(row_total[r] - shown);
        }
    }
    let mut column_left: Vec<Option<u64>> = vec![None; columns];
    if column_totals_shown {
        for c in 0..columns {
            if !s.column_totals[c] {
                let shown: u64 = (0..rows)
                    .filter(|&r| !s.cells[r][c])
                    .map(|r| counts[r][c])
                    .sum();
                column_left[c] = Some(column_total[c] - shown);
            }
        }
    }
    let shown_all: u64 = (0..rows)
        .flat_map(|r| (0..columns).map(move |c| (r, c)))
        .filter(|&(r, c)| !s.cells[r][c])
        .map(|(r, c)| counts[r][c])
        .sum();
    let mut grand_left: Option<u64> = (!s.grand_total).then(|| grand - shown_all);

    #[allow(clippy::too_many_arguments)]
    fn search(
        i: usize,
        hidden: &[(usize, usize)],
        trial: &mut Vec<Vec<u64>>,
        counts: &[Vec<u64>],
        s: &Suppressed,
        shown_columns: bool,
        grand: u64,
        seen: &mut Vec<std::collections::BTreeSet<u64>>,
        row_left: &mut Vec<Option<u64>>,
        column_left: &mut Vec<Option<u64>>,
        grand_left: &mut Option<u64>,
    ) {
        if seen.iter().all(|v| v.len() >= 2) {
            return;
        }
        if i == hidden.len() {
            if consistent(trial, counts, s, shown_columns, grand) {
                for (k, &(r, c)) in hidden.iter().enumerate() {
                    seen[k].insert(trial[r][c]);
                }
            }
            return;
        }
        let (r, c) = hidden[i];
        let bound = [row_left[r], column_left[c], *grand_left]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(grand);
        for v in 0..=bound {
            trial[r][c] = v;
            let take = |left: &mut Option<u64>| {
                if let Some(l) = left.as_mut() {
                    *l -= v;
                }
            };
            take(&mut row_left[r]);
            take(&mut column_left[c]);
            take(grand_left);
            search(
                i + 1,
                hidden,
                trial,
                counts,
                s,
                shown_columns,
                grand,
                seen,
                row_left,
                column_left,
                grand_left,
            );
            let give = |left: &mut Option<u64>| {
                if let Some(l) = left.as_mut() {
                    *l += v;
                }
            };
            give(&mut row_left[r]);
            give(&mut column_left[c]);
            give(grand_left);
        }
        trial[r][c] = counts[r][c];
    }

    search(
        0,
        &hidden,
        &mut trial,
        counts,
        s,
        column_totals_shown,
        grand,
        &mut seen,
        &mut row_left,
        &mut column_left,
        &mut grand_left,
    );
    seen.iter().all(|v| v.len() >= 2)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_suppressed_count_in_a_frequency_table_can_be_recovered(counts in prop::collection::vec(0u64..9, 2..6)) {
        let s = suppress_frequencies(&counts, 4);
        for (value, hidden) in counts.iter().zip(&s.cells[0]) {
            prop_assert!(!(1..4).contains(value) || *hidden, "small counts are hidden");
        }
        prop_assert!(hidden_cells_are_ambiguous(std::slice::from_ref(&counts), &s, false), "{:?} {:?}", counts, s);
    }

    #[test]
    fn no_suppressed_count_in_a_grid_can_be_recovered(counts in prop::collection::vec(prop::collection::vec(0u64..6, 3), 2..4)) {
        let s = suppress_table(&counts, 3);
        for (row, hidden_row) in counts.iter().zip(&s.cells) {
            for (value, hidden) in row.iter().zip(hidden_row) {
                prop_assert!(!(1..3).contains(value) || *hidden, "small counts are hidden");
            }
        }
        prop_assert!(hidden_cells_are_ambiguous(&counts, &s, true), "{:?} {:?}", counts, s);
    }
}

#[test]
fn hiding_two_row_totals_is_not_enough_while_the_grand_total_gives_their_sum() {
    // Row 0's total can be recovered as the grand total minus row 1's; so can column 0's.
    let counts = vec![vec![1, 3, 0], vec![0, 3, 3]];
    let s = suppress_table(&counts, 3);
    assert!(s.cells[0][0]);
    assert!(hidden_cells_are_ambiguous(&counts, &s, true), "{s:?}");
}
