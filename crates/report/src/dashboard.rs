//! A site's results beside all sites: the study report's tables and figures for one
//! local authority, each percentage with the same figure across all sites, the largest
//! differences tested against the other sites, and statistical disclosure control for
//! readers who may only see numbers too large to identify anyone.
//!
//! Both analyses come from the same plan, run once on the site's responses and once on
//! every site's, through [`dashboard_plan`]: matrix tables with their counts, and no tests
//! of association (they are the study report's).
//!
//! Architecture invariant: a hidden count cannot be worked out from what is shown. Each
//! table is split into the groups whose total is shown (a frequency section, a column of
//! a side-by-side table, a statement of a matrix, the options of a multiple-response
//! set), and `skafada_stats::disclosure` hides small counts and then further counts (or
//! the total) until none can be recovered by subtraction. A percentage is hidden with its
//! count, since the two give each other away.

use skafada_analysis::plan::{Plan, TableShape};
use skafada_analysis::run::{Analysis, Cell, TableResult};
use skafada_stats::disclosure::suppress_frequencies;
use skafada_stats::{AdjustMethod, Alternative, adjust_p_values, two_proportion_z_test};

use crate::charts::{self, Chart, Frame};

/// The plan a dashboard runs: the same cleaning, derived variables and tables, with
/// counts kept in matrix tables, every category listed (so that a site's rows line up
/// with all sites'), and no families of tests of association.
pub fn dashboard_plan(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    plan.association.clear();
    for table in &mut plan.table {
        match &mut table.shape {
            TableShape::Matrix { percent_only, .. } => *percent_only = false,
            TableShape::Frequencies { sections, .. } => {
                for section in sections {
                    section.hide_empty = false;
                }
            }
            TableShape::SideBySide { groups, .. } => {
                for group in groups {
                    group.hide_empty = false;
                }
            }
            _ => {}
        }
    }
    plan
}

/// What the reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardOptions {
    /// The site's code, e.g. `LA08`.
    pub site_code: String,
    /// Counts below this are hidden (with those that would give them away); `None` shows
    /// everything (study admins and analysts).
    pub min_count: Option<u64>,
}

/// A value as shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    /// A count.
    Count(u64),
    /// A percentage.
    Percent(f64),
    /// Hidden to protect people's identity.
    Hidden,
    /// Nothing (a total column's percentage).
    Empty,
    /// A percentage of nobody: nobody answered.
    NoAnswers,
}

impl Shown {
    /// As printed: `12`, `12.5`, `[c]` (hidden, as the Office for National Statistics
    /// marks confidential cells) or nothing.
    pub fn text(&self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Percent(p) if p.is_finite() => format!("{p:.1}"),
            Shown::Percent(_) | Shown::Empty => String::new(),
            Shown::Hidden => "[c]".to_owned(),
            Shown::NoAnswers => skafada_analysis::run::NO_ANSWERS.to_owned(),
        }
    }
}

/// One cell: the site's value and, for a percentage, the same one across all sites.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The site's value.
    pub site: Shown,
    /// All sites' value (percentages only).
    pub all: Option<f64>,
}

/// A row of a compared table.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedRow {
    /// The row's label.
    pub label: String,
    /// A section heading inside the table (no cells).
    pub heading: bool,
    /// Cells in column order.
    pub cells: Vec<Compared>,
}

/// One of the report's tables for the site, beside all sites.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedTable {
    /// The table's id, as in the report.
    pub id: String,
    /// "Table 5. Gender, age and ethnicity ..." as the report captions it.
    pub caption: String,
    /// Column headers, the first for the labels.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<ComparedRow>,
    /// Cells hidden in this table.
    pub hidden: usize,
    /// The site's figure as a chart (wide and narrow SVG), when it is a figure and nothing
    /// in it is hidden.
    pub chart: Option<(String, String)>,
    /// Notes under the table.
    pub notes: Vec<String>,
}

/// A difference between the site and the other sites that stands out.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The table, as the report captions it.
    pub table: String,
    /// The row: a category, statement or indicator.
    pub row: String,
    /// The answer, for a statement with several (e.g. "Yes", "Never / seldom").
    pub answer: Option<String>,
    /// The site's percentage.
    pub site: f64,
    /// All sites' percentage.
    pub all: f64,
    /// The other sites' percentage (all sites without this one).
    pub others: f64,
    /// Two-sided p of the two-proportion z-test against the other sites.
    pub p: f64,
    /// Holm-adjusted across every difference tested on the dashboard.
    pub p_adjusted: f64,
}

impl Difference {
    /// The site's percentage minus the other sites'.
    pub fn points(&self) -> f64 {
        self.site - self.others
    }

    /// The finding in words, as the report puts it: "87.0% at this site, compared with
    /// 65.0% across all sites (62.3% at the other sites)".
    pub fn sentence(&self) -> String {
        format!(
            "{:.1}% at this site, compared with {:.1}% across all sites ({:.1}% at the other sites)",
            self.site, self.all, self.others
        )
    }
}

/// A site's dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The site's code.
    pub site_code: String,
    /// Responses after cleaning: the site's and all sites'.
    pub responses: (u64, u64),
    /// Whether the site has too few responses to report at all (below the smallest
    /// count shown); then `tables` is empty.
    pub too_few: bool,
    /// Whether the site has too few post-training responses to show their tables.
    pub post_too_few: bool,
    /// The tables.
    pub tables: Vec<ComparedTable>,
    /// The largest differences from the other sites, most significant first.
    pub differences: Vec<Difference>,
    /// Cells hidden in all.
    pub hidden: usize,
}

/// The groups of a table whose totals are shown: for each, the (row, column) of its
/// counts and where its total is.
struct Group {
    cells: Vec<(usize, usize)>,
    total: Total,
}

/// Where a group's total is printed.
#[derive(Clone, Copy)]
enum Total {
    /// In a cell.
    Cell(usize, usize),
    /// In a section heading's "(n=...)".
    Heading(usize),
    /// Implied (a count's complement, as in "answered" minus "correct").
    Implied,
}

fn count(row: &[Cell], column: usize) -> u64 {
    match row.get(column) {
        Some(Cell::Count(n)) => *n,
        _ => 0,
    }
}

/// The disclosure groups of a table, from its shape.
fn groups(shape: &TableShape, table: &TableResult) -> Vec<Group> {
    let rows = &table.rows;
    let is_heading = |r: usize| rows[r].len() == 1;
    match shape {
        TableShape::Frequencies { total_row, .. } => {
            let mut out: Vec<Group> = Vec::new();
            let mut current: Option<Group> = None;
            let last = rows.len().saturating_sub(1);
            for r in 0..rows.len() {
                if is_heading(r) {
                    if let Some(group) = current.take() {
                        out.push(group);
                    }
                    current = Some(Group {
                        cells: Vec::new(),
                        total: Total::Heading(r),
                    });
                } else if total_row.is_some() && r == last {
                    let mut group = current.take().unwrap_or(Group {
                        cells: Vec::new(),
                        total: Total::Implied,
                    });
                    group.total = Total::Cell(r, 1);
                    out.push(group);
                } else {
                    current
                        .get_or_insert(Group {
                            cells: Vec::new(),
                            total: Total::Implied,
                        })
                        .cells
                        .push((r, 1));
                }
            }
            out.extend(current);
            out
        }
        TableShape::SideBySide { total_row, .. } => {
            let body = if total_row.is_some() {
                rows.len().saturating_sub(1)
            } else {
                rows.len()
            };
            let columns = table.columns.len();
            (1..columns)
                .step_by(2)
                .map(|c| Group {
                    cells: (0..body).map(|r| (r, c)).collect(),
                    total: if total_row.is_some() {
                        Total::Cell(body, c)
                    } else {
                        Total::Implied
                    },
                })
                .collect()
        }
        TableShape::MultiResponse { .. } => {
            let body = rows.len().saturating_sub(1);
            vec![Group {
                cells: (0..body).map(|r| (r, 1)).collect(),
                total: Total::Cell(body, 1),
            }]
        }
        TableShape::Matrix { .. } => rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let last = row.len().saturating_sub(1);
                Group {
                    cells: (1..last)
                        .filter(|&c| matches!(row[c], Cell::Count(_)))
                        .map(|c| (r, c))
                        .collect(),
                    total: Total::Cell(r, last),
                }
            })
            .collect(),
        // Correct and its complement, with "answered" as the total.
        TableShape::Difficulty { .. } => (0..rows.len())
            .map(|r| Group {
                cells: vec![(r, 2)],
                total: Total::Cell(r, 1),
            })
            .collect(),
        TableShape::Sites => Vec::new(),
    }
}

/// Which cells of the site's table are hidden: counts from disclosure control, then
/// every percentage that follows a hidden count in its row.
fn hidden_cells(
    shape: &TableShape,
    table: &TableResult,
    threshold: u64,
) -> (Vec<Vec<bool>>, Vec<usize>) {
    let mut hidden: Vec<Vec<bool>> = table
        .rows
        .iter()
        .map(|row| vec![false; row.len()])
        .collect();
    let mut hidden_headings = Vec::new();
    for group in groups(shape, table) {
        let mut counts: Vec<u64> = group
            .cells
            .iter()
            .map(|&(r, c)| count(&table.rows[r], c))
            .collect();
        if let (TableShape::Difficulty { .. }, Some(&(r, _))) = (shape, group.cells.first()) {
            // The incorrect answers are the complement of the correct ones.
            counts.push(count(&table.rows[r], 1).saturating_sub(count(&table.rows[r], 2)));
        }
        let suppressed = suppress_frequencies(&counts, threshold);
        let cell_flags = suppressed.cells.first().cloned().unwrap_or_default();
        for (index, &(r, c)) in group.cells.iter().enumerate() {
            if cell_flags.get(index).copied().unwrap_or(false) {
                hidden[r][c] = true;
            }
        }
        // Correct and incorrect add up to the answered shown beside them: hiding
        // either hides the correct count.
        if matches!(shape, TableShape::Difficulty { .. })
            && cell_flags.iter().any(|h| *h)
            && let Some(&(r, c)) = group.cells.first()
        {
            hidden[r][c] = true;
        }
        if suppressed.grand_total {
            match group.total {
                Total::Cell(r, c) => hidden[r][c] = true,
                Total::Heading(r) => hidden_headings.push(r),
                Total::Implied => {}
            }
        }
    }
    for (r, row) in table.rows.iter().enumerate() {
        let mut after_hidden = false;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Count(_) => after_hidden = hidden[r][c],
                Cell::Number(_) | Cell::NoAnswers if after_hidden => hidden[r][c] = true,
                _ => {}
            }
        }
    }
    (hidden, hidden_headings)
}

/// "Gender (n=27)" without its n, when the n must be hidden.
fn without_n(label: &str) -> String {
    match label.rfind(" (n=") {
        Some(at) => label[..at].to_owned(),
        None => label.to_owned(),
    }
}

/// The heading part of a section heading, to match it between the two tables.
fn section_key(label: &str) -> String {
    without_n(label)
}

/// The all-sites row matching a site row: the same label in the same section.
fn matching_rows(site: &TableResult, all: &TableResult) -> Vec<Option<usize>> {
    let key = |table: &TableResult| -> Vec<(String, String)> {
        let mut section = String::new();
        table
            .rows
            .iter()
            .map(|row| {
                let label = match row.first() {
                    Some(Cell::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                if row.len() == 1 {
                    section = section_key(&label);
                    (section.clone(), String::new())
                } else {
                    (section.clone(), label)
                }
            })
            .collect()
    };
    let all_keys = key(all);
    key(site)
        .into_iter()
        .map(|k| all_keys.iter().position(|a| *a == k))
        .collect()
}

/// The report's caption of a table ("Table 5. ...").
fn caption(table: &TableResult) -> String {
    crate::model::caption_of(&table.id, &table.title)
}

/// Compares one table.
fn compare(
    shape: &TableShape,
    site: &TableResult,
    all: &TableResult,
    threshold: Option<u64>,
) -> ComparedTable {
    let (hidden, hidden_headings) = match threshold {
        Some(t) => hidden_cells(shape, site, t),
        None => (
            site.rows.iter().map(|r| vec![false; r.len()]).collect(),
            Vec::new(),
        ),
    };
    let matches = matching_rows(site, all);
    let mut rows = Vec::new();
    let mut hidden_count = 0;
    for (r, row) in site.rows.iter().enumerate() {
        let label = match row.first() {
            Some(Cell::Text(t)) => t.clone(),
            _ => String::new(),
        };
        if row.len() == 1 {
            let label = if hidden_headings.contains(&r) {
                without_n(&label)
            } else {
                label
            };
            rows.push(ComparedRow {
                label,
                heading: true,
                cells: Vec::new(),
            });
            continue;
        }
        // Categories nobody chose at any site are left out, as in the report.
        let Some(all_row) = matches[r].and_then(|i| all.rows.get(i)) else {
            continue;
        };
        let cells = row
            .iter()
            .enumerate()
            .skip(1)
            .map(|(c, cell)| {
                let all_value = match all_row.get(c) {
                    Some(Cell::Number(x)) => Some(*x),
                    _ => None,
                };
                let site_value = if hidden[r][c] {
                    hidden_count += 1;
                    Shown::Hidden
                } else {
                    match cell {
                        Cell::Count(n) => Shown::Count(*n),
                        Cell::Number(x) => Shown::Percent(*x),
                        Cell::NoAnswers => Shown::NoAnswers,
                        Cell::Text(_) => Shown::Empty,
                    }
                };
                Compared {
                    site: site_value,
                    all: all_value,
                }
            })
            .collect();
        rows.push(ComparedRow {
            label,
            heading: false,
            cells,
        });
    }
    let chart = (hidden_count == 0)
        .then(|| figure_chart(shape, site))
        .flatten()
        .map(|chart| {
            (
                chart.0.to_svg(&format!("{}-chart", site.id)),
                chart.1.to_svg(&format!("{}-chart-narrow", site.id)),
            )
        });
    ComparedTable {
        id: site.id.clone(),
        caption: caption(site),
        columns: site.columns.clone(),
        rows,
        hidden: hidden_count,
        chart,
        notes: site.notes.clone(),
    }
}

/// The site's figure drawn as the report draws it, for a matrix table.
fn figure_chart(shape: &TableShape, table: &TableResult) -> Option<(Chart, Chart)> {
    if !matches!(shape, TableShape::Matrix { .. }) || !table.id.starts_with("figure-") {
        return None;
    }
    let categories: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.ends_with(" %"))
        .map(|c| c.trim_end_matches(" %").to_owned())
        .collect();
    let rows: Vec<charts::Row> = table
        .rows
        .iter()
        .map(|row| charts::Row {
            label: match row.first() {
                Some(Cell::Text(t)) => t.clone(),
                _ => String::new(),
            },
            values: row
                .iter()
                .filter_map(|c| match c {
                    Cell::Number(x) => Some(*x),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    let title = caption(table);
    Some((
        charts::scale_chart_in(Frame::Wide, &title, &categories, &rows),
        charts::scale_chart_in(Frame::Narrow, &title, &categories, &rows),
    ))
}

/// A proportion the site shows that may differ from all sites: its text, the site's
/// count and base, and all sites' count and base.
struct Candidate {
    row: String,
    answer: Option<String>,
    site: (u64, u64),
    all: (u64, u64),
}

/// The shown proportions of one-way groups (frequency sections, matrix statements, true
/// or false answered correctly) with their bases, for testing against the other sites.
fn candidates(
    shape: &TableShape,
    site: &TableResult,
    all: &TableResult,
    shown: &ComparedTable,
) -> Vec<Candidate> {
    if !matches!(
        shape,
        TableShape::Frequencies { .. } | TableShape::Matrix { .. } | TableShape::Difficulty { .. }
    ) {
        return Vec::new();
    }
    let matches = matching_rows(site, all);
    // Whether site cell (r, c) is hidden on the dashboard (shown rows skip categories no
    // site chose, so they are found by label).
    let hidden = |r: usize, c: usize| {
        let label = match site.rows[r].first() {
            Some(Cell::Text(t)) => t,
            _ => return true,
        };
        shown
            .rows
            .iter()
            .find(|row| !row.heading && row.label == *label)
            .is_none_or(|row| {
                row.cells
                    .get(c - 1)
                    .is_none_or(|cell| cell.site == Shown::Hidden)
            })
    };
    let label_of = |r: usize| match site.rows[r].first() {
        Some(Cell::Text(t)) => t.clone(),
        _ => String::new(),
    };
    let mut out = Vec::new();
    for group in groups(shape, site) {
        let (site_base, all_base) = match shape {
            TableShape::Difficulty { .. } => match group.cells.first() {
                Some(&(r, _)) => (
                    count(&site.rows[r], 1),
                    matches[r]
                        .and_then(|i| all.rows.get(i))
                        .map_or(0, |row| count(row, 1)),
                ),
                None => continue,
            },
            _ => {
                let site_base: u64 = group
                    .cells
                    .iter()
                    .map(|&(r, c)| count(&site.rows[r], c))
                    .sum();
                let all_base: u64 = group
                    .cells
                    .iter()
                    .filter_map(|&(r, c)| {
                        matches[r]
                            .and_then(|i| all.rows.get(i))
                            .map(|row| count(row, c))
                    })
                    .sum();
                (site_base, all_base)
            }
        };
        for &(r, c) in &group.cells {
            if hidden(r, c) {
                continue;
            }
            let Some(all_row) = matches[r].and_then(|i| all.rows.get(i)) else {
                continue;
            };
            let answer = match shape {
                TableShape::Matrix { .. } => site
                    .columns
                    .get(c)
                    .map(|h| h.trim_end_matches(" Number").to_owned()),
                TableShape::Difficulty { .. } => Some("Answered correctly".to_owned()),
                _ => None,
            };
            out.push(Candidate {
                row: label_of(r),
                answer,
                site: (count(&site.rows[r], c), site_base),
                all: (count(all_row, c), all_base),
            });
        }
    }
    out
}

/// Differences of 10 percentage points or more between the site and the other sites,
/// tested with two-sided two-proportion z-tests and Holm-adjusted together.
fn differences(candidates: Vec<(String, Candidate)>) -> Vec<Difference> {
    let mut found: Vec<Difference> = Vec::new();
    for (table, candidate) in candidates {
        let (x1, n1) = candidate.site;
        let (x2, n2) = (
            candidate.all.0.saturating_sub(x1),
            candidate.all.1.saturating_sub(n1),
        );
        if n1 == 0 || n2 == 0 {
            continue;
        }
        let (site, others) = (100.0 * x1 as f64 / n1 as f64, 100.0 * x2 as f64 / n2 as f64);
        if (site - others).abs() < 10.0 {
            continue;
        }
        let Ok(test) = two_proportion_z_test(x1, n1, x2, n2, Alternative::TwoSided) else {
            continue;
        };
        found.push(Difference {
            table,
            row: candidate.row,
            answer: candidate.answer,
            site,
            all: 100.0 * candidate.all.0 as f64 / candidate.all.1 as f64,
            others,
            p: test.p_value,
            p_adjusted: test.p_value,
        });
    }
    let p_values: Vec<f64> = found.iter().map(|d| d.p).collect();
    if let Ok(adjusted) = adjust_p_values(&p_values, AdjustMethod::Holm) {
        for (difference, p) in found.iter_mut().zip(adjusted) {
            difference.p_adjusted = p;
        }
    }
    found.sort_by(|a, b| {
        a.p.total_cmp(&b.p)
            .then(b.points().abs().total_cmp(&a.points().abs()))
    });
    found.truncate(10);
    found
}

/// The dashboard of a site, from the site's and all sites' analyses made with
/// [`dashboard_plan`].
pub fn dashboard(
    plan: &Plan,
    site: &Analysis,
    all: &Analysis,
    options: &DashboardOptions,
) -> Dashboard {
    let kept = |analysis: &Analysis, data: &str| -> u64 {
        let log = if data == "post" {
            analysis.cleaning.post.as_ref()
        } else {
            Some(&analysis.cleaning.pre)
        };
        log.map_or(0, |log| log.kept as u64)
    };
    let responses = (kept(site, "pre"), kept(all, "pre"));
    let too_few = |data: &str| options.min_count.is_some_and(|min| kept(site, data) < min);
    let mut tables = Vec::new();
    let mut tested = Vec::new();
    if !too_few("pre") {
        for table in &plan.table {
            if matches!(table.shape, TableShape::Sites) {
                continue;
            }
            let (Some(site_table), Some(all_table)) = (
                site.tables.iter().find(|t| t.id == table.id),
                all.tables.iter().find(|t| t.id == table.id),
            ) else {
                continue;
            };
            if too_few(site_table.data) {
                continue;
            }
            let compared = compare(&table.shape, site_table, all_table, options.min_count);
            tested.extend(
                candidates(&table.shape, site_table, all_table, &compared)
                    .into_iter()
                    .map(|c| (compared.caption.clone(), c)),
            );
            tables.push(compared);
        }
    }
    Dashboard {
        site_code: options.site_code.clone(),
        responses,
        too_few: too_few("pre"),
        post_too_few: too_few("post"),
        hidden: tables.iter().map(|t| t.hidden).sum(),
        tables,
        differences: differences(tested),
    }
}

/// A dataset with only one site's responses (its list of sites unchanged), or `None`
/// when it has no such site.
pub fn site_dataset(
    dataset: &skafada_analysis::data::Dataset,
    site_code: &str,
) -> Option<skafada_analysis::data::Dataset> {
    let index = dataset.sites.iter().position(|s| s.site == site_code)?;
    let only = |responses: &skafada_analysis::data::Responses| {
        let keep: Vec<bool> = responses.site.iter().map(|s| *s == index).collect();
        responses.filter(&keep)
    };
    Some(skafada_analysis::data::Dataset {
        pre: only(&dataset.pre),
        post: dataset.post.as_ref().map(only),
        ..dataset.clone()
    })
}
