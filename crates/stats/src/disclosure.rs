//! Statistical disclosure control for published counts: small cells are suppressed, and
//! further cells are suppressed so that no suppressed count can be worked out from the
//! totals and the other cells shown.
//!
//! A table is a grid of counts whose row totals, column totals and grand total are shown
//! (a one-way frequency table is a grid with one row). Primary suppression hides every
//! count from 1 to `threshold - 1` (a zero is shown: it discloses nothing about a person
//! that the category's absence does not). Secondary suppression then hides further
//! counts until every hidden cell lies on a cycle of hidden cells, alternating between
//! rows and columns: adding one to every other cell of the cycle and subtracting one from
//! the rest changes no total, so the hidden values cannot be pinned down. When a line has
//! no other non-zero cell to hide, its total is hidden instead.

use serde::Serialize;

/// What a disclosure-controlled table may show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// `true` where the cell must not be shown.
    pub cells: Vec<Vec<bool>>,
    /// `true` where the row total must not be shown.
    pub row_totals: Vec<bool>,
    /// `true` where the column total must not be shown.
    pub column_totals: Vec<bool>,
    /// Whether the grand total must not be shown.
    pub grand_total: bool,
    /// Cells hidden because they are small.
    pub primary: usize,
    /// Cells hidden so that small ones cannot be derived.
    pub secondary: usize,
}

impl Suppressed {
    /// Whether anything is hidden.
    pub fn any(&self) -> bool {
        self.primary + self.secondary > 0
    }
}

/// Suppresses a one-way frequency table whose total is shown.
pub fn suppress_frequencies(counts: &[u64], threshold: u64) -> Suppressed {
    suppress(&[counts.to_vec()], threshold, false)
}

/// Suppresses a grid of counts whose row, column and grand totals are shown.
///
/// Ragged grids are treated as padded with zeros.
pub fn suppress_table(counts: &[Vec<u64>], threshold: u64) -> Suppressed {
    suppress(counts, threshold, true)
}

fn suppress(counts: &[Vec<u64>], threshold: u64, column_totals_shown: bool) -> Suppressed {
    let rows = counts.len();
    let columns = counts.iter().map(Vec::len).max().unwrap_or(0);
    let value = |r: usize, c: usize| {
        counts
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .unwrap_or(0)
    };
    let mut hidden = vec![vec![false; columns]; rows];
    let mut primary = 0;
    for (r, row) in hidden.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            if (1..threshold).contains(&value(r, c)) {
                *cell = true;
                primary += 1;
            }
        }
    }
    let mut margins = Margins {
        rows: vec![false; rows],
        columns: vec![false; columns],
        grand: false,
        column_totals_shown,
    };
    let mut secondary = 0;
    // Each pass hides at least one more cell or total, so this ends.
    for _ in 0..=(rows * columns + rows + columns + 1) {
        let Some((r, c)) = exposed_cell(&hidden, &margins) else {
            break;
        };
        // Hide the cheapest visible non-zero cells that put (r, c) on a cycle: one in the
        // same row or column, or (failing those) the three others of a rectangle.
        match cheapest_cover(&hidden, &margins, r, c, &value) {
            Some(cells) => {
                for (r2, c2) in cells {
                    if !hidden[r2][c2] {
                        hidden[r2][c2] = true;
                        secondary += 1;
                    }
                }
            }
            // Nothing left to hide beside it: hide the totals that would give it away.
            None if !margins.rows[r] || (column_totals_shown && !margins.columns[c]) => {
                margins.rows[r] = true;
                if let Some(column) = margins.columns.get_mut(c) {
                    *column = true;
                }
            }
            None => margins.grand = true,
        }
    }
    let grand_total =
        margins.grand || (rows > 0 && !column_totals_shown && margins.rows.iter().all(|h| *h));
    Suppressed {
        cells: hidden,
        row_totals: margins.rows,
        column_totals: if column_totals_shown {
            margins.columns
        } else {
            vec![true; columns]
        },
        grand_total,
        primary,
        secondary,
    }
}

/// Which totals are hidden.
struct Margins {
    rows: Vec<bool>,
    columns: Vec<bool>,
    grand: bool,
    /// False for a one-way table, whose columns have no totals.
    column_totals_shown: bool,
}

impl Margins {
    /// The graph node of each line: a line whose total is shown is its own node (an
    /// equation); lines with hidden totals are tied together by the grand total while it
    /// is shown (their totals' sum is known), and constrain nothing once it is not.
    fn nodes(&self) -> (Vec<usize>, Vec<usize>, usize) {
        let rows = self.rows.len();
        let columns = self.columns.len();
        let (hidden_rows, hidden_columns, free) =
            (rows + columns, rows + columns + 1, rows + columns + 2);
        let row_nodes = (0..rows)
            .map(|x| match (self.rows[x], self.grand) {
                (false, _) => x,
                (true, false) => hidden_rows,
                (true, true) => free,
            })
            .collect();
        let column_nodes = (0..columns)
            .map(
                |y| match (self.column_totals_shown, self.columns[y], self.grand) {
                    (false, _, _) | (true, true, true) => free,
                    (true, false, _) => rows + y,
                    (true, true, false) => hidden_columns,
                },
            )
            .collect();
        (row_nodes, column_nodes, free + 1)
    }
}

/// A hidden cell that could be worked out from the totals and the cells shown.
fn exposed_cell(hidden: &[Vec<bool>], margins: &Margins) -> Option<(usize, usize)> {
    for (r, row) in hidden.iter().enumerate() {
        for (c, &is_hidden) in row.iter().enumerate() {
            if is_hidden && !on_cycle(hidden, margins, r, c) {
                return Some((r, c));
            }
        }
    }
    None
}

/// Whether hidden cell (r, c) can be changed without changing anything that is shown.
///
/// Each shown total is an equation over its line. Lines are nodes of a graph (see
/// [`Margins::nodes`]; the node of lines that constrain nothing absorbs any change), and
/// each hidden cell is an edge between its row and its column. The cell's value is pinned
/// down exactly when its edge is a bridge; it can move when another path of hidden cells
/// joins its two ends.
fn on_cycle(hidden: &[Vec<bool>], margins: &Margins, r: usize, c: usize) -> bool {
    let (row_nodes, column_nodes, count) = margins.nodes();
    let (start, goal) = (row_nodes[r], column_nodes[c]);
    if start == goal {
        return true;
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (x, row) in hidden.iter().enumerate() {
        for (y, &h) in row.iter().enumerate() {
            if h && (x, y) != (r, c) {
                let (a, b) = (row_nodes[x], column_nodes[y]);
                edges[a].push(b);
                edges[b].push(a);
            }
        }
    }
    let mut seen = vec![false; count];
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(node) = stack.pop() {
        if node == goal {
            return true;
        }
        for &next in &edges[node] {
            if !seen[next] {
                seen[next] = true;
                stack.push(next);
            }
        }
    }
    false
}

/// The cheapest set of visible non-zero cells whose hiding puts (r, c) on a cycle.
fn cheapest_cover(
    hidden: &[Vec<bool>],
    margins: &Margins,
    r: usize,
    c: usize,
    value: &dyn Fn(usize, usize) -> u64,
) -> Option<Vec<(usize, usize)>> {
    let rows = hidden.len();
    let columns = margins.columns.len();
    let candidate = |x: usize, y: usize| !hidden[x][y] && value(x, y) > 0;
    let mut best: Option<(u64, Vec<(usize, usize)>)> = None;
    let consider = |best: &mut Option<(u64, Vec<(usize, usize)>)>, cells: Vec<(usize, usize)>| {
        let mut trial: Vec<Vec<bool>> = hidden.to_vec();
        for &(x, y) in &cells {
            trial[x][y] = true;
        }
        if on_cycle(&trial, margins, r, c) {
            let cost: u64 = cells.iter().map(|&(x, y)| value(x, y)).sum();
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                *best = Some((cost, cells));
            }
        }
    };
    for y in (0..columns).filter(|&y| y != c && candidate(r, y)) {
        consider(&mut best, vec![(r, y)]);
    }
    for x in (0..rows).filter(|&x| x != r && candidate(x, c)) {
        consider(&mut best, vec![(x, c)]);
    }
    if best.is_none() {
        for x in (0..rows).filter(|&x| x != r) {
            for y in (0..columns).filter(|&y| y != c) {
                let cells: Vec<(usize, usize)> = [(r, y), (x, c), (x, y)]
                    .into_iter()
                    .filter(|&(a, b)| !hidden[a][b])
                    .collect();
                if cells.iter().all(|&(a, b)| candidate(a, b)) {
                    consider(&mut best, cells);
                }
            }
        }
    }
    best.map(|(_, cells)| cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_small_count_in_a_frequency_table_takes_the_next_smallest_with_it() {
        let s = suppress_frequencies(&[120, 3, 40, 17], 5);
        assert_eq!(s.cells, vec![vec![false, true, false, true]]);
        assert_eq!((s.primary, s.secondary), (1, 1));
        assert!(!s.grand_total);
    }

    #[test]
    fn zeros_and_counts_at_the_threshold_are_shown() {
        let s = suppress_frequencies(&[0, 5, 9], 5);
        assert!(!s.any());
    }

    #[test]
    fn a_small_count_alone_in_its_line_hides_the_line_total() {
        // Nothing else to hide in a one-category table: the total itself is the count.
        let s = suppress_frequencies(&[3, 0], 5);
        assert!(s.cells[0][0]);
        assert!(s.row_totals[0]);
    }

    #[test]
    fn a_small_cell_in_a_grid_is_protected_by_a_rectangle_of_hidden_cells() {
        let s = suppress_table(&[vec![2, 30, 40], vec![25, 35, 45], vec![50, 60, 70]], 5);
        assert!(s.cells[0][0]);
        let hidden: usize = s.cells.iter().flatten().filter(|h| **h).count();
        assert_eq!(hidden, 4, "{:?}", s.cells);
        for row in &s.cells {
            assert_ne!(row.iter().filter(|h| **h).count(), 1);
        }
    }
}
