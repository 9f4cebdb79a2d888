//! The report as a document: sections of headings, paragraphs, tables and figures, built
//! once from an `Analysis` and rendered both as HTML and as PDF.

use skafada_analysis::render::{format_fisher, format_p, sparse_note};
use skafada_analysis::run::{
    Analysis, AssociationResult, Cell, NO_ANSWERS, PrePostResult, TableResult, TestResult, Untested,
};

use crate::charts::{self, Chart, Frame};
use crate::findings;

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The title.
    pub title: String,
    /// The line under the title (study and scope).
    pub subtitle: String,
    /// Warnings shown prominently at the top (synthetic data, sparse tables...).
    pub notices: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A numbered part of the report (an `h2`).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The anchor.
    pub id: String,
    /// The heading.
    pub heading: String,
    /// The content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A sub-heading (an `h3`).
    Subheading(String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// A chart with its data table.
    Figure(Box<Figure>),
    /// A quotation from an interview with its attribution ("Middle manager, case study 1").
    Quote {
        /// The words.
        text: String,
        /// Who said them, by role and case-study number only.
        attribution: String,
    },
}

/// A table with a caption, a header row and body rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The anchor.
    pub id: String,
    /// The caption ("Table 5. Gender, age, and ethnicity of survey sample").
    pub caption: String,
    /// Header cells; the first heads the row labels.
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// Notes under the table.
    pub notes: Vec<String>,
    /// Whether each column holds numbers (right-aligned), from [`Table::detect_numeric`].
    pub numeric: Vec<bool>,
}

/// A body row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Cells; the first is the row's label (a row header).
    pub cells: Vec<String>,
    /// A section heading inside the table, spanning every column.
    pub group: bool,
}

/// A chart and the table of its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The anchor.
    pub id: String,
    /// The caption ("Figure 1. Role, responsibilities, and confidence ...").
    pub caption: String,
    /// The chart.
    pub chart: Chart,
    /// The chart as SVG, labels beside the bars (desktop).
    pub svg: String,
    /// The chart as SVG, labels above the bars (phones).
    pub svg_narrow: String,
    /// The numbers it shows.
    pub table: Table,
}

/// "Table 5" from `table-5`, "Figure 2" from `figure-2-parents`; `None` for unnumbered ids.
fn number_label(id: &str) -> Option<String> {
    let mut parts = id.split('-');
    let kind = match parts.next()? {
        "table" => "Table",
        "figure" => "Figure",
        _ => return None,
    };
    let number = parts
        .next()
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))?;
    Some(format!("{kind} {number}"))
}

/// The report's caption of a table or figure: "Table 5. Title" for numbered ids.
pub(crate) fn caption_of(id: &str, title: &str) -> String {
    caption(id, title)
}

fn caption(id: &str, title: &str) -> String {
    match number_label(id) {
        Some(label) => format!("{label}. {title}"),
        None => title.to_owned(),
    }
}

/// Formats a cell as the study's tables print it.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Number(x) if x.is_finite() => format!("{x:.1}"),
        Cell::Number(_) => "–".to_owned(),
        Cell::NoAnswers => NO_ANSWERS.to_owned(),
    }
}

/// Whether a cell reads as a number: digits with signs, decimals, %, brackets, "<", "*".
fn looks_numeric(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " .,+-–%()[]<*".contains(c))
}

impl Table {
    /// Sets `numeric`: a column is numeric when every non-empty body cell looks like a
    /// number. The first column (labels) never is.
    pub fn detect_numeric(mut self) -> Table {
        self.numeric = (0..self.header.len())
            .map(|column| {
                column > 0
                    && self
                        .rows
                        .iter()
                        .filter(|r| !r.group)
                        .filter_map(|r| r.cells.get(column))
                        .filter(|c| !c.is_empty() && *c != NO_ANSWERS)
                        .all(|c| looks_numeric(c))
            })
            .collect();
        self
    }

    /// Whether a column holds numbers.
    pub fn is_numeric(&self, column: impl std::borrow::Borrow<usize>) -> bool {
        self.numeric.get(*column.borrow()).copied().unwrap_or(false)
    }
}

fn table_of(result: &TableResult, first_header: &str) -> Table {
    let mut header = result.columns.clone();
    if let Some(first) = header.first_mut()
        && first.is_empty()
    {
        first_header.clone_into(first);
    }
    Table {
        id: result.id.clone(),
        numeric: Vec::new(),
        caption: caption(&result.id, &result.title),
        header,
        rows: result
            .rows
            .iter()
            .map(|r| Row {
                cells: r.iter().map(cell_text).collect(),
                group: r.len() == 1 && result.columns.len() > 1,
            })
            .collect(),
        notes: result.notes.clone(),
    }
}

fn is_figure(table: &TableResult) -> bool {
    table.id.starts_with("figure-")
}

fn is_multi_response(table: &TableResult) -> bool {
    table
        .columns
        .get(3)
        .is_some_and(|c| c == "% of respondents")
}

/// The part of an id before its last `-segment` (`figure-5` of `figure-5-parents`).
fn stem(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(stem, _)| stem)
}

fn text_of(row: &[Cell]) -> Option<String> {
    match row.first()? {
        Cell::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn value_of(cell: Option<&Cell>) -> f64 {
    match cell {
        Some(Cell::Number(x)) => *x,
        Some(Cell::Count(n)) => *n as f64,
        _ => 0.0,
    }
}

/// A figure of a scale from a percent-only matrix table.
fn scale_figure(table: &TableResult) -> Figure {
    let categories: Vec<String> = table
        .columns
        .iter()
        .skip(1)
        .map(|c| c.trim_end_matches(" %").to_owned())
        .collect();
    let rows: Vec<charts::Row> = table
        .rows
        .iter()
        .filter_map(|r| {
            let mut label = text_of(r)?;
            // A statement nobody answered is drawn empty and says so.
            if r.iter().skip(1).all(|c| *c == Cell::NoAnswers) {
                label.push_str(&format!(" ({NO_ANSWERS})"));
            }
            Some(charts::Row {
                label,
                values: r.iter().skip(1).map(|c| value_of(Some(c))).collect(),
            })
        })
        .collect();
    let chart = charts::scale_chart(&table.title, &categories, &rows);
    let narrow = charts::scale_chart_in(Frame::Narrow, &table.title, &categories, &rows);
    Figure {
        id: table.id.clone(),
        caption: caption(&table.id, &table.title),
        svg: chart.to_svg(&format!("{}-chart", table.id)),
        svg_narrow: narrow.to_svg(&format!("{}-chart-narrow", table.id)),
        chart,
        table: Table {
            caption: format!("{}: percentages", caption(&table.id, &table.title)),
            id: format!("{}-data", table.id),
            ..table_of(table, "Statement")
        },
    }
}

/// Series name and common title from "Actions ...: parents".
fn split_title(title: &str) -> (&str, &str) {
    title.rsplit_once(": ").unwrap_or((title, title))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Rows of a grouped figure: a label and a value per series.
type SeriesRows = Vec<(String, Vec<f64>)>;

/// A grouped figure from multi-response tables that share an id stem (one series each),
/// paired by row label. Returns the figure and its rows for the findings.
fn grouped_figure(tables: &[&TableResult]) -> (Figure, Vec<String>, SeriesRows) {
    let first = tables[0];
    let series: Vec<String> = tables
        .iter()
        .map(|t| capitalise(split_title(&t.title).1))
        .collect();
    let title = if tables.len() > 1 {
        split_title(&first.title).0.to_owned()
    } else {
        first.title.clone()
    };
    let is_total = |r: &Vec<Cell>| text_of(r).is_some_and(|t| t == "Total");
    let mut labels: Vec<String> = Vec::new();
    for table in tables {
        for row in table.rows.iter().filter(|r| !is_total(r)) {
            if let Some(label) = text_of(row)
                && !labels.contains(&label)
            {
                labels.push(label);
            }
        }
    }
    let find = |table: &TableResult, label: &str| -> Option<Vec<Cell>> {
        table
            .rows
            .iter()
            .find(|r| text_of(r).as_deref() == Some(label))
            .cloned()
    };
    let mut header = vec!["Action".to_owned()];
    for name in &series {
        header.push(format!("{name} Number"));
        header.push(format!("{name} % of respondents"));
    }
    let mut rows = Vec::new();
    let mut data = Vec::new();
    for label in &labels {
        let mut cells = vec![label.clone()];
        let mut values = Vec::new();
        for table in tables {
            match find(table, label) {
                Some(row) => {
                    cells.push(row.get(1).map(cell_text).unwrap_or_default());
                    cells.push(row.get(3).map(cell_text).unwrap_or_default());
                    values.push(value_of(row.get(3)));
                }
                None => {
                    cells.extend(["–".to_owned(), "–".to_owned()]);
                    values.push(0.0);
                }
            }
        }
        rows.push(Row {
            cells,
            group: false,
        });
        data.push((label.clone(), values));
    }
    let chart_rows: Vec<charts::Row> = data
        .iter()
        .map(|(label, values)| charts::Row {
            label: label.clone(),
            values: values.clone(),
        })
        .collect();
    let chart = charts::grouped_chart(&title, &series, &chart_rows);
    let narrow = charts::grouped_chart_in(Frame::Narrow, &title, &series, &chart_rows);
    let id = if tables.len() > 1 {
        stem(&first.id).to_owned()
    } else {
        first.id.clone()
    };
    let notes = tables.iter().flat_map(|t| t.notes.clone()).collect();
    let figure = Figure {
        caption: caption(&id, &title),
        svg: chart.to_svg(&format!("{id}-chart")),
        svg_narrow: narrow.to_svg(&format!("{id}-chart-narrow")),
        chart,
        table: Table {
            id: format!("{id}-data"),
            numeric: Vec::new(),
            caption: format!("{}: numbers and percentages", caption(&id, &title)),
            header,
            rows,
            notes,
        },
        id,
    };
    (figure, series, data)
}

/// One follow-up wave compared with the training's two surveys: its bases, then for
/// each family of statements a chart of the three shares per statement, with its table
/// of counts, changes, tests and retention.
fn over_time_blocks(wave: &skafada_analysis::over_time::OverTime) -> Vec<Block> {
    let mut blocks = vec![
        Block::Subheading(format!("Follow-up wave {}", wave.wave)),
        Block::Paragraph(format!(
            "{} follow-up responses were linked to the same person's earlier answers and {} were not. {} of the linked respondents were kept by the cleaning in all three surveys. Each statement counts those of them who answered it all three times, so its three percentages are of the same people. The changes and retention the analysis plan declares are tested after the waves.",
            wave.linked, wave.unlinked, wave.linked_kept
        )),
    ];
    blocks.push(Block::Table(Table {
        id: format!("over-time-{}-attrition", wave.wave),
        numeric: Vec::new(),
        caption: format!(
            "Respondents kept in each survey by site and delivery arm ({})",
            wave.wave
        ),
        header: ["Site", "Arm", "Before", "After", "Follow-up", "All three"]
            .map(String::from)
            .to_vec(),
        rows: wave
            .attrition
            .iter()
            .map(|row| {
                let at = |i: usize| row.responded.get(i).copied().unwrap_or(0).to_string();
                Row {
                    cells: vec![
                        row.site.clone(),
                        row.arm.clone().unwrap_or_else(|| "–".to_owned()),
                        at(0),
                        at(1),
                        at(2),
                        row.completers.to_string(),
                    ],
                    group: false,
                }
            })
            .collect(),
        notes: Vec::new(),
    }));
    if !wave.completers.is_empty() {
        blocks.push(Block::List(
            wave.completers
                .iter()
                .map(|c| {
                    format!(
                        "Completers against the rest on “{}”: {}",
                        c.text,
                        match (c.chi_square_p, c.cramers_v) {
                            (Some(p), Some(v)) => {
                                format!("chi-square p = {}, Cramér's V = {v:.2}", p_cell(p))
                            }
                            _ => "not testable (everyone completed, or everyone gave one answer)"
                                .to_owned(),
                        }
                    )
                })
                .collect(),
        ));
    }
    let mut families: Vec<(&str, &str)> = Vec::new();
    for s in &wave.statements {
        if !families.iter().any(|(id, _)| *id == s.family) {
            families.push((&s.family, &s.family_title));
        }
    }
    let series: Vec<String> = [
        "Before the training",
        "After the training",
        "At the follow-up",
    ]
    .map(String::from)
    .to_vec();
    let percent =
        |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| format!("{:.0}", 100.0 * x));
    for (family, title) in families {
        let statements: Vec<_> = wave
            .statements
            .iter()
            .filter(|s| s.family == family && s.n > 0)
            .collect();
        if statements.is_empty() {
            blocks.push(Block::Paragraph(format!(
                "{title}: no linked respondent answered these statements in all three surveys."
            )));
            continue;
        }
        let chart_rows: Vec<charts::Row> = statements
            .iter()
            .map(|s| charts::Row {
                label: s.text.clone(),
                values: s
                    .shares
                    .map(|x| x.iter().map(|v| 100.0 * v).collect())
                    .unwrap_or_default(),
            })
            .collect();
        let id = format!("over-time-{}-{family}", wave.wave);
        let chart_title = format!(
            "{title}: before, after and at the follow-up ({})",
            wave.wave
        );
        let chart = charts::grouped_chart(&chart_title, &series, &chart_rows);
        let narrow = charts::grouped_chart_in(Frame::Narrow, &chart_title, &series, &chart_rows);
        let rows = statements
            .iter()
            .map(|s| Row {
                cells: vec![
                    s.text.clone(),
                    s.n.to_string(),
                    percent(s.shares.map(|x| x[0])),
                    percent(s.shares.map(|x| x[1])),
                    percent(s.shares.map(|x| x[2])),
                ],
                group: false,
            })
            .collect();
        blocks.push(Block::Figure(Box::new(Figure {
            caption: chart_title.clone(),
            svg: chart.to_svg(&format!("{id}-chart")),
            svg_narrow: narrow.to_svg(&format!("{id}-chart-narrow")),
            chart,
            table: Table {
                id: format!("{id}-data"),
                numeric: Vec::new(),
                caption: format!("{chart_title}: numbers"),
                header: ["Statement", "n", "Before %", "After %", "Follow-up %"]
                    .map(String::from)
                    .to_vec(),
                rows,
                notes: Vec::new(),
            },
            id,
        })));
    }
    blocks
}

/// The plan's declared within-person changes and retention: one table each, or the
/// reason a declaration could not be computed.
fn declared_change_blocks(
    changes: &[skafada_analysis::over_time::DeclaredChange],
    retention: &[skafada_analysis::over_time::DeclaredRetention],
) -> Vec<Block> {
    use skafada_analysis::over_time::{change_points, survey_title};
    let mut blocks = Vec::new();
    if changes.is_empty() && retention.is_empty() {
        blocks.push(Block::Paragraph(
            "The analysis plan declares no change over time to test.".to_owned(),
        ));
        return blocks;
    }
    let percent =
        |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| format!("{:.0}", 100.0 * x));
    for c in changes {
        blocks.push(Block::Subheading(format!(
            "{}: {} to {}",
            c.title,
            survey_title(&c.from),
            survey_title(&c.to)
        )));
        if let Some(reason) = &c.unavailable {
            blocks.push(Block::Paragraph(format!("Not computed: {reason}.")));
            continue;
        }
        blocks.push(Block::Table(Table {
            id: format!("change-{}", c.id),
            numeric: Vec::new(),
            caption: format!(
                "{}: respondents kept in both surveys who gave a counted answer in both; McNemar's exact test, Holm-adjusted across these statements, with Newcombe's 95% interval",
                c.title
            ),
            header: [
                "Statement",
                "Counts",
                "n",
                "Earlier %",
                "Later %",
                "Change (points) [95% CI]",
                "p (Holm)",
            ]
            .map(String::from)
            .to_vec(),
            rows: c
                .statements
                .iter()
                .map(|s| Row {
                    cells: vec![
                        s.text.clone(),
                        s.family_title.clone(),
                        s.n.to_string(),
                        percent(s.shares.map(|x| x[0])),
                        percent(s.shares.map(|x| x[1])),
                        change_points(&s.change),
                        s.adjusted_p.map_or_else(|| "–".to_owned(), p_cell),
                    ],
                    group: false,
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    for r in retention {
        blocks.push(Block::Subheading(format!(
            "{}: {}",
            r.title,
            survey_title(&r.wave)
        )));
        if let Some(reason) = &r.unavailable {
            blocks.push(Block::Paragraph(format!("Not computed: {reason}.")));
            continue;
        }
        blocks.push(Block::Table(Table {
            id: format!("retention-{}", r.id),
            numeric: Vec::new(),
            caption: format!(
                "{}: of those kept in all three surveys whose answer became the favourable one during the training, how many still gave it, with Wilson's 95% interval",
                r.title
            ),
            header: ["Statement", "Counts", "Retained", "% [95% CI]"]
                .map(String::from)
                .to_vec(),
            rows: r
                .statements
                .iter()
                .map(|s| {
                    let (retained, share) = s.retention.as_ref().map_or_else(
                        || ("Nobody gained".to_owned(), "–".to_owned()),
                        |x| {
                            (
                                format!("{} of {}", x.successes, x.trials),
                                format!(
                                    "{:.0} [{:.0}, {:.0}]",
                                    100.0 * x.estimate,
                                    100.0 * x.lower,
                                    100.0 * x.upper
                                ),
                            )
                        },
                    );
                    Row {
                        cells: vec![s.text.clone(), s.family_title.clone(), retained, share],
                        group: false,
                    }
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    blocks
}

/// The delivery arms compared: what is counted, each arm's size, then a table for each
/// comparison the plan declares.
fn by_arm_blocks(by_arm: &skafada_analysis::by_arm::ByArm) -> Vec<Block> {
    use skafada_analysis::over_time::survey_title;
    let mut blocks = vec![Block::Paragraph(format!(
        "Each arm's share improving: among respondents whose answer in the earlier survey was not the favourable one (not counted where the family expects a rise, counted where it expects a fall) and who answered the later survey, those whose answer there was. Arms are compared first minus second, with Newcombe's 95% interval, the pooled z-test Holm-adjusted across each comparison's statements, and Cohen's h. Arms: {}. {} kept respondents had no arm.",
        by_arm
            .arms
            .iter()
            .map(|a| format!("{} ({} respondents)", a.arm, a.respondents))
            .collect::<Vec<_>>()
            .join(", "),
        by_arm.without_arm
    ))];
    if by_arm.comparisons.is_empty() {
        blocks.push(Block::Paragraph(
            "The analysis plan declares no comparison of the arms.".to_owned(),
        ));
    }
    for comparison in &by_arm.comparisons {
        let heading = format!(
            "{}: {} to {}",
            comparison.title,
            survey_title(&comparison.from),
            survey_title(&comparison.to)
        );
        blocks.push(Block::Subheading(heading.clone()));
        if let Some(reason) = &comparison.unavailable {
            blocks.push(Block::Paragraph(format!("Not compared: {reason}.")));
            continue;
        }
        let rows: Vec<Row> = comparison
            .statements
            .iter()
            .map(|s| {
                let arms = format!("{} vs {}", s.arms[0], s.arms[1]);
                let cells = match &s.comparison {
                    Some(c) => vec![
                        s.text.clone(),
                        s.family_title.clone(),
                        arms,
                        format!(
                            "{} of {} vs {} of {}",
                            c.first.improved,
                            c.first.could_improve,
                            c.second.improved,
                            c.second.could_improve
                        ),
                        format!(
                            "{:+.0} [{:+.0}, {:+.0}]",
                            100.0 * c.difference.estimate,
                            100.0 * c.difference.lower,
                            100.0 * c.difference.upper
                        ),
                        s.adjusted_p.map_or_else(|| "–".to_owned(), p_cell),
                        format!("{:.2}", c.cohens_h),
                    ],
                    None => vec![
                        s.text.clone(),
                        s.family_title.clone(),
                        arms,
                        "An arm had nobody who could improve".to_owned(),
                        "–".to_owned(),
                        "–".to_owned(),
                        "–".to_owned(),
                    ],
                };
                Row {
                    cells,
                    group: false,
                }
            })
            .collect();
        blocks.push(Block::Table(Table {
            id: format!("arms-{}", comparison.id),
            numeric: Vec::new(),
            caption: format!("Delivery arms compared on the share improving: {heading}"),
            header: [
                "Statement",
                "Counts",
                "Arms",
                "Improved",
                "Difference (points) [95% CI]",
                "p (Holm)",
                "Cohen's h",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: Vec::new(),
        }));
    }
    blocks
}

fn p_cell(p: f64) -> String {
    format_p(p)
}

/// A family of tests the data could not test, said where its results would be.
fn untested_blocks(untested: &Untested, heading: String) -> [Block; 2] {
    [
        Block::Subheading(heading),
        Block::Paragraph(format!("Not tested: {}.", untested.reason)),
    ]
}

fn association_table(tests: &[&AssociationResult]) -> Table {
    let first = tests.first();
    let family = first.map_or("", |t| t.family.as_str());
    let sparse = tests.iter().any(|t| !t.warnings.is_empty());
    let mut notes = vec![format!(
        "Pearson chi-square; p adjusted by the {} method within this family; V is Cramér's V; * significant after adjustment.",
        findings::adjustment_name(first.map_or("", |t| t.adjustment))
    )];
    if sparse {
        notes.push("Sparse: more than 20% of expected counts below 5, so the chi-square approximation is doubtful; read Fisher's exact p instead. For these rows the adjusted p and the significance mark are Fisher's exact p, adjusted within the family.".to_owned());
    }
    if tests
        .iter()
        .any(|t| t.fisher_method.as_deref() == Some("monte-carlo"))
    {
        notes.push("Fisher's p marked “Monte Carlo” is estimated from that many random tables with the observed margins (seeded, so the same data give the same p), where exact enumeration is infeasible.".to_owned());
    }
    Table {
        id: format!("tests-{family}"),
        numeric: Vec::new(),
        caption: format!(
            "Tests of association with {}",
            first.map_or("", |t| t.family_title.as_str())
        ),
        header: [
            "Outcome",
            "n",
            "χ²",
            "df",
            "p",
            "Adjusted p",
            "V [95% CI]",
            "Fisher p",
            "Note",
        ]
        .map(String::from)
        .to_vec(),
        rows: tests
            .iter()
            .map(|t| Row {
                cells: vec![
                    t.outcome_text.clone(),
                    t.n.to_string(),
                    format!("{:.2}", t.chi2),
                    t.df.to_string(),
                    p_cell(t.p),
                    format!(
                        "{}{}",
                        p_cell(t.p_adjusted),
                        if t.significant { " *" } else { "" }
                    ),
                    match t.cramers_v_ci {
                        Some([lo, hi]) => format!("{:.2} [{lo:.2}, {hi:.2}]", t.cramers_v),
                        None => format!("{:.2}", t.cramers_v),
                    },
                    format_fisher(t).unwrap_or_default(),
                    sparse_note(t).unwrap_or_default().to_owned(),
                ],
                group: false,
            })
            .collect(),
        notes,
    }
}

/// The paired tests of a family's statements on linked respondents.
fn paired_table(tests: &[&PrePostResult], adjustment: &str) -> Table {
    let first = tests.first();
    let family = first.map_or("", |t| t.family.as_str());
    Table {
        id: format!("paired-{family}"),
        numeric: Vec::new(),
        caption: format!(
            "Linked respondents before and after training: {}",
            first.map_or("", |t| t.family_title.as_str())
        ),
        header: [
            "Statement",
            "Linked n",
            "Before %",
            "After %",
            "Moved in",
            "Moved out",
            "McNemar p",
            "Adjusted p",
            "Wilcoxon p",
        ]
        .map(String::from)
        .to_vec(),
        rows: tests
            .iter()
            .filter_map(|t| {
                let paired = t.paired.as_ref()?;
                Some(Row {
                    cells: vec![
                        format!("{}{}", t.text, if t.reverse { " (negative)" } else { "" }),
                        paired.n.to_string(),
                        format!("{:.1}", 100.0 * paired.before),
                        format!("{:.1}", 100.0 * paired.after),
                        paired.joined.to_string(),
                        paired.left.to_string(),
                        paired.mcnemar_p.map(p_cell).unwrap_or_default(),
                        paired
                            .mcnemar_p_adjusted
                            .map(|p| {
                                format!(
                                    "{}{}",
                                    p_cell(p),
                                    if paired.significant { " *" } else { "" }
                                )
                            })
                            .unwrap_or_default(),
                        paired.wilcoxon_p.map(p_cell).unwrap_or_default(),
                    ],
                    group: false,
                })
            })
            .collect(),
        notes: vec![format!(
            "Respondents who answered the statement in both surveys, linked without identifying them. McNemar's exact test (two-sided) on moving into or out of the category; p adjusted by the {} method within this family; * significant after adjustment. The Wilcoxon signed-rank test (two-sided) uses the whole scale. (negative): worded negatively, so the expected change is the other way.",
            findings::adjustment_name(adjustment)
        )],
    }
}

/// The published method's unpaired z-tests of a family, with the two-sided p that can
/// show a change against the expected direction.
fn prepost_table(tests: &[&PrePostResult], adjustment: &str) -> Table {
    let first = tests.first();
    let family = first.map_or("", |t| t.family.as_str());
    let tails = if first.is_some_and(|t| t.alternative == "two-sided") {
        "p (two-sided)"
    } else {
        "p (one-tailed)"
    };
    Table {
        id: format!("prepost-{family}"),
        numeric: Vec::new(),
        caption: format!(
            "The published method, replicated (unpaired): {}",
            first.map_or("", |t| t.family_title.as_str())
        ),
        header: [
            "Statement",
            "Pre % (n)",
            "Post % (n)",
            "Change [95% CI]",
            "z",
            tails,
            "Adjusted p",
            "Two-sided adjusted p",
        ]
        .map(String::from)
        .to_vec(),
        rows: tests
            .iter()
            .map(|t| Row {
                cells: vec![
                    format!("{}{}", t.text, if t.reverse { " (negative)" } else { "" }),
                    format!("{:.1} ({})", 100.0 * t.pre.p, t.pre.n),
                    format!("{:.1} ({})", 100.0 * t.post.p, t.post.n),
                    format!(
                        "{:+.1} [{:+.1}, {:+.1}]",
                        100.0 * t.difference,
                        100.0 * t.difference_ci[0],
                        100.0 * t.difference_ci[1]
                    ),
                    format!("{:.2}", t.z),
                    p_cell(t.p),
                    format!(
                        "{}{}",
                        p_cell(t.p_adjusted),
                        if t.significant { " *" } else { "" }
                    ),
                    format!(
                        "{}{}",
                        p_cell(t.p_two_sided_adjusted),
                        if t.worse { " (worse)" } else { "" }
                    ),
                ],
                group: false,
            })
            .collect(),
        notes: vec![format!(
            "The study's method: pooled two-proportion z-tests of the pre-training and post-training samples as if independent, one-tailed in the expected direction; p adjusted by the {} method within this family; * significant after adjustment. The two-sided adjusted p can show a change either way; (worse): a significant change against the expected direction. (negative): worded negatively, so the expected change is the other way.",
            findings::adjustment_name(adjustment)
        )],
    }
}

/// Groups consecutive items by a key, keeping order.
fn families<'a, T>(items: &[&'a T], key: impl Fn(&T) -> &str) -> Vec<Vec<&'a T>> {
    let mut out: Vec<Vec<&'a T>> = Vec::new();
    for item in items {
        match out.last_mut() {
            Some(group) if group.first().is_some_and(|g| key(g) == key(item)) => {
                group.push(item);
            }
            _ => out.push(vec![item]),
        }
    }
    out
}

/// Builds the document from an analysis. `scope` names what the report covers beyond the
/// study (for example a site), or is empty.
pub fn build(analysis: &Analysis, scope: &str) -> Document {
    let mut notices = analysis.warnings.clone();
    if analysis.synthetic && !notices.iter().any(|n| n.contains("synthetic")) {
        notices.push(
            "These data are synthetic demonstration data, not responses from real people."
                .to_owned(),
        );
    }
    let associations: Vec<&AssociationResult> = analysis
        .tests
        .iter()
        .filter_map(|t| match t {
            TestResult::Association(a) => Some(a.as_ref()),
            TestResult::PrePost(_) => None,
        })
        .collect();
    let comparisons: Vec<&PrePostResult> = analysis
        .tests
        .iter()
        .filter_map(|t| match t {
            TestResult::PrePost(p) => Some(p.as_ref()),
            TestResult::Association(_) => None,
        })
        .collect();
    let association_families = families(&associations, |a| &a.family);
    let prepost_families = families(&comparisons, |p| &p.family);
    let sparse = associations
        .iter()
        .filter(|a| !a.warnings.is_empty())
        .count();
    if sparse > 0 {
        notices.push(format!(
            "{sparse} of {} tests of association rest on sparse tables (expected counts below 5); they are marked “Sparse”, Fisher's exact p is shown beside them, and their adjusted p and significance are Fisher's.",
            associations.len()
        ));
    }

    // Sample.
    let mut sample = vec![Block::List(findings::sample(analysis))];
    let logs = [
        ("pre-training", Some(&analysis.cleaning.pre)),
        ("post-training", analysis.cleaning.post.as_ref()),
    ];
    for (name, log) in logs {
        let Some(log) = log else { continue };
        let mut rows = vec![Row {
            cells: vec!["Records received".into(), log.records.to_string()],
            group: false,
        }];
        rows.extend(log.excluded.iter().map(|e| Row {
            cells: vec![format!("Excluded: {}", e.description), e.count.to_string()],
            group: false,
        }));
        rows.push(Row {
            cells: vec!["Valid responses analysed".into(), log.kept.to_string()],
            group: false,
        });
        sample.push(Block::Table(Table {
            id: format!("cleaning-{}", name.split('-').next().unwrap_or(name)),
            numeric: Vec::new(),
            caption: format!("Cleaning log of the {name} survey"),
            header: vec!["Records".into(), "Number".into()],
            rows,
            notes: log
                .flags
                .iter()
                .map(|f| format!("Flagged: {}", f.description))
                .collect(),
        }));
    }

    // Tables and figures in plan order.
    let mut characteristics = Vec::new();
    let mut figures = Vec::new();
    let mut training = Vec::new();
    let mut key = findings::sample(analysis);
    if let Some(first) = association_families.first()
        && let Some(share) = findings::group_share(first)
    {
        key.push(share);
    }
    let mut done: Vec<&str> = Vec::new();
    for table in &analysis.tables {
        if done.contains(&table.id.as_str()) {
            continue;
        }
        if table.id == "table-3" {
            sample.push(Block::Table(table_of(table, "Site")));
            continue;
        }
        if is_figure(table) {
            let (figure, sentences) = if is_multi_response(table) {
                let group: Vec<&TableResult> = analysis
                    .tables
                    .iter()
                    .filter(|t| {
                        is_figure(t) && is_multi_response(t) && stem(&t.id) == stem(&table.id)
                    })
                    .collect();
                done.extend(group.iter().map(|t| t.id.as_str()));
                let (figure, series, data) = grouped_figure(&group);
                let sentences = findings::grouped_figure(&series, &data);
                (figure, sentences)
            } else {
                (scale_figure(table), findings::scale_figure(table))
            };
            key.extend(sentences.first().cloned());
            if !sentences.is_empty() {
                figures.push(Block::List(sentences));
            }
            figures.push(Block::Figure(Box::new(figure)));
            continue;
        }
        let sentences = findings::table(table);
        key.extend(sentences.iter().filter(|s| s.contains("had ")).cloned());
        let target = if table.data == "post" {
            &mut training
        } else {
            &mut characteristics
        };
        if !sentences.is_empty() {
            target.push(Block::Paragraph(sentences.join(" ")));
        }
        target.push(Block::Table(table_of(table, "")));
    }

    // Tests of association.
    let mut tests = vec![Block::Paragraph(
        "Each family of tests compares the answers of groups of respondents on every statement, with the Pearson chi-square test. The p-values of a family are adjusted together, and a result is called significant only when its adjusted p is at or below the plan's level. Cramér's V measures the strength of an association (0 none, 1 complete).".to_owned(),
    )];
    for family in &association_families {
        let Some(first) = family.first() else {
            continue;
        };
        tests.push(Block::Subheading(format!(
            "Association with {}",
            first.family_title
        )));
        let sentences = findings::association_family(family, 5);
        key.extend(sentences.first().cloned());
        tests.push(Block::List(sentences));
        tests.push(Block::Table(association_table(family)));
    }
    for untested in analysis.untested.iter().filter(|u| u.kind == "association") {
        key.push(format!(
            "Association with {} was not tested: {}.",
            untested.family_title, untested.reason
        ));
        tests.extend(untested_blocks(
            untested,
            format!("Association with {}", untested.family_title),
        ));
    }

    // Before and after training.
    let mut prepost = Vec::new();
    let adjustment = analysis.adjustment;
    let untested_prepost: Vec<&Untested> = analysis
        .untested
        .iter()
        .filter(|u| u.kind == "pre-post")
        .collect();
    if !prepost_families.is_empty() || !untested_prepost.is_empty() {
        prepost.push(Block::Paragraph(format!(
            "Respondents who answered both surveys are linked without being identified, so each statement is first compared within the same people: McNemar's exact test on moving into or out of the category, and the Wilcoxon signed-rank test on the whole scale, both two-sided. The study itself compared the two samples as if they were independent, with one-tailed z-tests in the expected direction; that method is replicated below each family, clearly labelled, with a two-sided test beside it so that a change for the worse is not missed. A result is called significant when its p, adjusted by the {} method within its family, is at or below {}.",
            findings::adjustment_name(adjustment),
            analysis.significance
        )));
    }
    for family in &prepost_families {
        let Some(first) = family.first() else {
            continue;
        };
        prepost.push(Block::Subheading(first.family_title.clone()));
        let sentences = findings::prepost_family(family, adjustment, analysis.significance);
        key.extend(sentences.first().cloned());
        prepost.push(Block::List(sentences));
        if family.iter().any(|t| t.paired.is_some()) {
            prepost.push(Block::Table(paired_table(family, adjustment)));
        }
        prepost.push(Block::Table(prepost_table(family, adjustment)));
    }
    for untested in untested_prepost {
        prepost.extend(untested_blocks(untested, untested.family_title.clone()));
    }

    // Reliability.
    let mut reliability = Vec::new();
    if !analysis.reliability.is_empty() {
        reliability.push(Block::Table(Table {
            id: "reliability-table".into(),
            numeric: Vec::new(),
            caption: "Internal consistency of the batteries (Cronbach's alpha)".into(),
            header: ["Battery", "Survey", "Statements", "n", "Alpha [95% CI]"]
                .map(String::from)
                .to_vec(),
            rows: analysis
                .reliability
                .iter()
                .map(|r| Row {
                    cells: vec![
                        r.title.clone(),
                        r.data.to_owned(),
                        r.items.to_string(),
                        r.n.to_string(),
                        format!("{:.2} [{:.2}, {:.2}]", r.alpha, r.ci[0], r.ci[1]),
                    ],
                    group: false,
                })
                .collect(),
            notes: Vec::new(),
        }));
    }

    let mut over_time: Vec<Block> = analysis
        .over_time
        .iter()
        .flat_map(over_time_blocks)
        .collect();
    if !analysis.over_time.is_empty() {
        over_time.extend(declared_change_blocks(
            &analysis.changes,
            &analysis.retention,
        ));
    }

    let mut sections = vec![
        Section {
            id: "summary".into(),
            heading: "Summary".into(),
            blocks: vec![Block::List(key)],
        },
        Section {
            id: "sample".into(),
            heading: "The sample".into(),
            blocks: sample,
        },
        Section {
            id: "characteristics".into(),
            heading: "Sample characteristics, work and training".into(),
            blocks: characteristics,
        },
        Section {
            id: "figures".into(),
            heading: "Knowledge, confidence and practice".into(),
            blocks: figures,
        },
        Section {
            id: "associations".into(),
            heading: "Tests of association".into(),
            blocks: tests,
        },
        Section {
            id: "prepost".into(),
            heading: "Before and after training".into(),
            blocks: prepost,
        },
        Section {
            id: "over-time".into(),
            heading: "Change over time".into(),
            blocks: over_time,
        },
        Section {
            id: "arms".into(),
            heading: "Delivery arms compared".into(),
            blocks: analysis
                .by_arm
                .as_ref()
                .map(by_arm_blocks)
                .unwrap_or_default(),
        },
        Section {
            id: "training".into(),
            heading: "Comments on the training".into(),
            blocks: training,
        },
        Section {
            id: "reliability".into(),
            heading: "Reliability of the scales".into(),
            blocks: reliability,
        },
    ];
    sections.retain(|s| !s.blocks.is_empty());
    for block in sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        match block {
            Block::Table(table) => *table = std::mem::take(table).detect_numeric(),
            Block::Figure(figure) => {
                figure.table = std::mem::take(&mut figure.table).detect_numeric()
            }
            _ => {}
        }
    }
    let mut subtitle = format!("Study: {}", analysis.study);
    if !scope.is_empty() {
        subtitle.push_str(&format!(". {scope}"));
    }
    Document {
        title: analysis.title.clone(),
        subtitle,
        notices,
        sections,
    }
}
