//! A small layout engine for the report: headings that keep with what follows, wrapped
//! paragraphs and lists measured with the embedded font, tables with a repeated header row
//! whose rows never break across pages, and figures scaled to the text width, on A4 pages
//! with margins and a footer.
//!
//! Coordinates are PDF points from the top-left corner of the page, y down.

use crate::charts::{Anchor, Chart, Color, GRID, Mark, SECONDARY, TEXT};
use crate::font::{Weight, text_width, wrap};
use crate::model::{Block, Document, Figure, Table};

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margins (20 mm).
pub const MARGIN: f32 = 56.69;
/// Top of the text area.
pub const TOP: f32 = 56.69;
/// Bottom of the text area (the footer sits below it).
pub const BOTTOM: f32 = PAGE_HEIGHT - 62.0;
/// Width of the text area.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

const BODY: f32 = 10.0;
const BODY_LINE: f32 = 14.0;
const TABLE_SIZE: f32 = 8.0;
const TABLE_LINE: f32 = 10.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'a> {
    /// A rectangle, a rule or a line of text (left-anchored; `y` is the baseline).
    Mark(Mark),
    /// A chart drawn at (`x`, `y`), scaled by `scale`.
    Chart {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Points per chart unit.
        scale: f32,
        /// The chart.
        chart: &'a Chart,
    },
}

/// Where a table row was placed (for checking that rows never split).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedRow {
    /// The table's id.
    pub table: String,
    /// The body row's index; `None` for a (repeated) header row.
    pub row: Option<usize>,
    /// Top.
    pub top: f32,
    /// Bottom.
    pub bottom: f32,
}

/// What a drawn item is in the document's structure, for the PDF's tag tree (what a
/// screen reader reads, in reading order). Structural elements are numbered in the
/// order they are laid out; a table's caption and cells carry the table's number.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// Page furniture: footers, rules, shading and a table's repeated header on a
    /// continuation page. Not read out.
    Artifact,
    /// A line of a heading; level 1 is the document's title.
    Heading {
        /// The element.
        id: usize,
        /// 1 to 3.
        level: u8,
        /// The heading's whole text.
        text: String,
    },
    /// A line of a paragraph (the subtitle, notices and table notes included).
    Paragraph {
        /// The element.
        id: usize,
    },
    /// A line of an item of a bulleted list, or its bullet.
    ListItem {
        /// The list.
        list: usize,
        /// The item's index.
        item: usize,
        /// Whether this is the bullet (the item's label).
        bullet: bool,
    },
    /// A line of a table's caption.
    Caption {
        /// The table.
        table: usize,
    },
    /// A line of a table cell.
    Cell {
        /// The table.
        table: usize,
        /// The body row's index; `None` for the header row.
        row: Option<usize>,
        /// The column.
        column: usize,
    },
    /// A chart, described by its caption (its data table follows it).
    Figure {
        /// The element.
        id: usize,
        /// The alternative text.
        alt: String,
    },
    /// A line of a quotation or of its attribution.
    Quote {
        /// The element.
        id: usize,
    },
}

/// One laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<'a> {
    /// What to draw.
    pub items: Vec<Item<'a>>,
    /// What each item is in the document's structure (one per item).
    pub roles: Vec<Role>,
    /// Table rows on this page.
    pub rows: Vec<PlacedRow>,
}

impl<'a> Page<'a> {
    fn push(&mut self, item: Item<'a>, role: Role) {
        // Rectangles and rules only decorate: the structure is in the text and charts.
        let role = match item {
            Item::Mark(Mark::Rect { .. } | Mark::Line { .. }) => Role::Artifact,
            _ => role,
        };
        self.items.push(item);
        self.roles.push(role);
    }
}

/// An entry of the PDF's outline (bookmarks).
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    /// The heading.
    pub title: String,
    /// 0 for a section, 1 for a sub-heading.
    pub level: u8,
    /// The page index.
    pub page: usize,
    /// The heading's top.
    pub y: f32,
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout<'a> {
    /// The pages, each with its footer.
    pub pages: Vec<Page<'a>>,
    /// The outline.
    pub bookmarks: Vec<Bookmark>,
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    line: f32,
    weight: Weight,
    color: Color,
}

struct Flow<'a> {
    pages: Vec<Page<'a>>,
    bookmarks: Vec<Bookmark>,
    y: f32,
    /// What the text drawn now is.
    role: Role,
    /// The number of structural elements so far.
    elements: usize,
}

impl<'a> Flow<'a> {
    fn page(&mut self) -> &mut Page<'a> {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `height` fits below the cursor (or the page is empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn push(&mut self, item: Item<'a>) {
        let role = self.role.clone();
        self.page().push(item, role);
    }

    /// Numbers a new structural element.
    fn element(&mut self) -> usize {
        self.elements += 1;
        self.elements
    }

    /// Starts a new paragraph: what is drawn next is its text.
    fn paragraph(&mut self) {
        let id = self.element();
        self.role = Role::Paragraph { id };
    }

    fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, weight: Weight, color: Color) {
        self.push(Item::Mark(Mark::Text {
            x,
            y: baseline,
            text: text.to_owned(),
            size,
            weight,
            fill: color,
            anchor: Anchor::Start,
        }));
    }

    /// Wrapped lines at `x` within `width`, each line moving to a new page if needed.
    fn lines(&mut self, x: f32, width: f32, text: &str, style: Style) {
        for l in wrap(text, style.size, style.weight, width) {
            self.ensure(style.line);
            let baseline = self.y + style.line * 0.75;
            self.text(x, baseline, &l, style.size, style.weight, style.color);
            self.y += style.line;
        }
    }

    fn heading(&mut self, text: &str, size: f32, before: f32, keep: f32, level: u8) {
        let id = self.element();
        self.role = Role::Heading {
            id,
            level: level + 2,
            text: text.to_owned(),
        };
        let lines = wrap(text, size, Weight::Bold, TEXT_WIDTH);
        let height = lines.len() as f32 * size * 1.25;
        if self.y > TOP {
            self.y += before;
        }
        self.ensure(height + keep);
        let page = self.pages.len().saturating_sub(1);
        self.bookmarks.push(Bookmark {
            title: text.to_owned(),
            level,
            page,
            y: self.y,
        });
        self.lines(
            MARGIN,
            TEXT_WIDTH,
            text,
            Style {
                size,
                line: size * 1.25,
                weight: Weight::Bold,
                color: TEXT,
            },
        );
        self.y += size * 0.4;
    }
}

/// Column widths for a table within `available`: natural widths when they fit, else the
/// minimum (longest word) widths plus a share of the remaining space.
pub fn column_widths(table: &Table, available: f32) -> Vec<f32> {
    let columns = table.header.len().max(1);
    let mut min = vec![0.0_f32; columns];
    let mut max = vec![0.0_f32; columns];
    let mut measure = |column: usize, text: &str, weight: Weight| {
        let words = text
            .split_whitespace()
            .map(|w| text_width(w, TABLE_SIZE, weight))
            .fold(0.0_f32, f32::max);
        min[column] = min[column].max(words + 2.0 * CELL_PAD_X);
        max[column] = max[column].max(text_width(text, TABLE_SIZE, weight) + 2.0 * CELL_PAD_X);
    };
    for (i, cell) in table.header.iter().enumerate() {
        measure(i, cell, Weight::Bold);
    }
    for row in table.rows.iter().filter(|r| !r.group) {
        for (i, cell) in row.cells.iter().enumerate().take(columns) {
            measure(i, cell, Weight::Regular);
        }
    }
    // The label column may wrap to a third of the width before others give way.
    let (total_min, total_max): (f32, f32) = (min.iter().sum(), max.iter().sum());
    if total_max <= available {
        return max;
    }
    if total_min >= available {
        return min.iter().map(|w| w * available / total_min).collect();
    }
    let spare = available - total_min;
    let wanted = total_max - total_min;
    min.iter()
        .zip(&max)
        .map(|(lo, hi)| lo + (hi - lo) * spare / wanted)
        .collect()
}

struct TableGeometry {
    widths: Vec<f32>,
    width: f32,
    numeric: Vec<bool>,
}

fn cell_lines(text: &str, width: f32, weight: Weight) -> Vec<String> {
    wrap(
        text,
        TABLE_SIZE,
        weight,
        (width - 2.0 * CELL_PAD_X).max(1.0),
    )
}

fn row_height(cells: &[String], widths: &[f32], weight: Weight) -> f32 {
    let lines = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| cell_lines(c, *w, weight).len())
        .max()
        .unwrap_or(1)
        .max(1);
    lines as f32 * TABLE_LINE + 2.0 * CELL_PAD_Y
}

/// Where a row's cells go in the structure: a table's header or body row, or nowhere (a
/// header repeated on a continuation page).
#[derive(Clone, Copy)]
enum RowRole {
    Cells { table: usize, row: Option<usize> },
    Repeated,
}

fn draw_row(
    flow: &mut Flow<'_>,
    cells: &[String],
    geometry: &TableGeometry,
    weight: Weight,
    height: f32,
    role: RowRole,
) {
    let mut x = MARGIN;
    for (i, (cell, width)) in cells.iter().zip(&geometry.widths).enumerate() {
        flow.role = match role {
            RowRole::Cells { table, row } => Role::Cell {
                table,
                row,
                column: i,
            },
            RowRole::Repeated => Role::Artifact,
        };
        let right = geometry.numeric.get(i).copied().unwrap_or(false);
        for (n, line) in cell_lines(cell, *width, weight).iter().enumerate() {
            let baseline = flow.y + CELL_PAD_Y + TABLE_LINE * (n as f32 + 0.78);
            let line_x = if right {
                x + width - CELL_PAD_X - text_width(line, TABLE_SIZE, weight)
            } else {
                x + CELL_PAD_X
            };
            flow.text(line_x, baseline, line, TABLE_SIZE, weight, TEXT);
        }
        x += width;
    }
    flow.y += height;
}

fn rule(flow: &mut Flow<'_>, width: f32, color: Color, thickness: f32) {
    let y = flow.y;
    flow.push(Item::Mark(Mark::Line {
        x1: MARGIN,
        y1: y,
        x2: MARGIN + width,
        y2: y,
        stroke: color,
        width: thickness,
    }));
}

fn header_row(
    flow: &mut Flow<'_>,
    table: &Table,
    geometry: &TableGeometry,
    height: f32,
    role: RowRole,
) {
    let top = flow.y;
    flow.push(Item::Mark(Mark::Rect {
        x: MARGIN,
        y: top,
        width: geometry.width,
        height,
        fill: Color(0xf3, 0xf2, 0xf1),
    }));
    draw_row(flow, &table.header, geometry, Weight::Bold, height, role);
    rule(flow, geometry.width, TEXT, 1.0);
    let bottom = flow.y;
    flow.page().rows.push(PlacedRow {
        table: table.id.clone(),
        row: None,
        top,
        bottom,
    });
}

fn table(flow: &mut Flow<'_>, table: &Table) {
    let widths = column_widths(table, TEXT_WIDTH);
    let geometry = TableGeometry {
        width: widths.iter().sum(),
        widths,
        numeric: table.numeric.clone(),
    };
    let header_height = row_height(&table.header, &geometry.widths, Weight::Bold);
    let heights: Vec<f32> = table
        .rows
        .iter()
        .map(|r| {
            if r.group {
                row_height(
                    &r.cells[..1.min(r.cells.len())],
                    &[geometry.width],
                    Weight::Bold,
                )
            } else {
                row_height(&r.cells, &geometry.widths, Weight::Regular)
            }
        })
        .collect();
    let caption_lines = wrap(&table.caption, BODY, Weight::Bold, TEXT_WIDTH).len() as f32;
    let first = heights.first().copied().unwrap_or(0.0);
    flow.y += 6.0;
    let id = flow.element();
    flow.role = Role::Caption { table: id };
    flow.ensure(
        caption_lines * BODY_LINE
            + header_height
            + first
            + heights.get(1).copied().unwrap_or(0.0).min(first),
    );
    flow.lines(
        MARGIN,
        TEXT_WIDTH,
        &table.caption,
        Style {
            size: BODY,
            line: BODY_LINE,
            weight: Weight::Bold,
            color: TEXT,
        },
    );
    flow.y += 2.0;
    header_row(
        flow,
        table,
        &geometry,
        header_height,
        RowRole::Cells {
            table: id,
            row: None,
        },
    );
    for (index, row) in table.rows.iter().enumerate() {
        let height = heights[index];
        // A group heading keeps with the row after it.
        let needed = if row.group {
            height + heights.get(index + 1).copied().unwrap_or(0.0)
        } else {
            height
        };
        if flow.y + needed > BOTTOM {
            flow.new_page();
            flow.role = Role::Artifact;
            let continued = format!("{} (continued)", table.caption);
            flow.lines(
                MARGIN,
                TEXT_WIDTH,
                &continued,
                Style {
                    size: BODY,
                    line: BODY_LINE,
                    weight: Weight::Bold,
                    color: SECONDARY,
                },
            );
            flow.y += 2.0;
            header_row(flow, table, &geometry, header_height, RowRole::Repeated);
        }
        let cells = RowRole::Cells {
            table: id,
            row: Some(index),
        };
        let top = flow.y;
        if row.group {
            let text = row.cells.first().cloned().unwrap_or_default();
            draw_row(
                flow,
                &[text],
                &TableGeometry {
                    widths: vec![geometry.width],
                    width: geometry.width,
                    numeric: vec![false],
                },
                Weight::Bold,
                height,
                cells,
            );
        } else {
            draw_row(flow, &row.cells, &geometry, Weight::Regular, height, cells);
        }
        rule(flow, geometry.width, GRID, 0.5);
        let bottom = flow.y;
        flow.page().rows.push(PlacedRow {
            table: table.id.clone(),
            row: Some(index),
            top,
            bottom,
        });
    }
    flow.y += 4.0;
    for note in &table.notes {
        flow.paragraph();
        flow.lines(
            MARGIN,
            TEXT_WIDTH,
            note,
            Style {
                size: TABLE_SIZE,
                line: TABLE_LINE,
                weight: Weight::Regular,
                color: SECONDARY,
            },
        );
    }
    flow.y += 8.0;
}

fn figure<'a>(flow: &mut Flow<'a>, figure: &'a Figure) {
    let chart = &figure.chart;
    let max_height = BOTTOM - TOP - 3.0 * BODY_LINE;
    let scale = (TEXT_WIDTH / chart.width).min(max_height / chart.height.max(1.0));
    let height = chart.height * scale;
    let caption_lines = wrap(&figure.caption, BODY, Weight::Bold, TEXT_WIDTH).len() as f32;
    flow.y += 6.0;
    flow.ensure(caption_lines * BODY_LINE + height + 4.0);
    // The caption is read as the chart's alternative text; the data table follows.
    let id = flow.element();
    flow.role = Role::Figure {
        id,
        alt: figure.caption.clone(),
    };
    flow.lines(
        MARGIN,
        TEXT_WIDTH,
        &figure.caption,
        Style {
            size: BODY,
            line: BODY_LINE,
            weight: Weight::Bold,
            color: TEXT,
        },
    );
    flow.y += 4.0;
    let y = flow.y;
    flow.push(Item::Chart {
        x: MARGIN,
        y,
        scale,
        chart,
    });
    flow.y += height + 6.0;
    table(flow, &figure.table);
}

/// Lays out the document on A4 pages, then adds each page's footer ("Page N of M").
pub fn layout(doc: &Document) -> Layout<'_> {
    let mut flow = Flow {
        pages: vec![Page::default()],
        bookmarks: Vec::new(),
        y: TOP,
        role: Role::Artifact,
        elements: 0,
    };
    let id = flow.element();
    flow.role = Role::Heading {
        id,
        level: 1,
        text: doc.title.clone(),
    };
    flow.lines(
        MARGIN,
        TEXT_WIDTH,
        &doc.title,
        Style {
            size: 24.0,
            line: 30.0,
            weight: Weight::Bold,
            color: TEXT,
        },
    );
    flow.y += 4.0;
    flow.paragraph();
    flow.lines(
        MARGIN,
        TEXT_WIDTH,
        &doc.subtitle,
        Style {
            size: 12.0,
            line: 16.0,
            weight: Weight::Regular,
            color: SECONDARY,
        },
    );
    flow.y += 8.0;
    for notice in &doc.notices {
        let lines = wrap(notice, BODY, Weight::Bold, TEXT_WIDTH - 14.0);
        let height = lines.len() as f32 * BODY_LINE + 8.0;
        flow.ensure(height);
        let y = flow.y;
        flow.push(Item::Mark(Mark::Rect {
            x: MARGIN,
            y,
            width: 4.0,
            height,
            fill: TEXT,
        }));
        flow.y += 4.0;
        flow.paragraph();
        flow.lines(
            MARGIN + 14.0,
            TEXT_WIDTH - 14.0,
            notice,
            Style {
                size: BODY,
                line: BODY_LINE,
                weight: Weight::Bold,
                color: TEXT,
            },
        );
        flow.y += 10.0;
    }
    for section in &doc.sections {
        flow.heading(&section.heading, 16.0, 16.0, 60.0, 0);
        for block in &section.blocks {
            match block {
                Block::Subheading(text) => flow.heading(text, 12.0, 10.0, 60.0, 1),
                Block::Paragraph(text) => {
                    flow.paragraph();
                    flow.lines(
                        MARGIN,
                        TEXT_WIDTH,
                        text,
                        Style {
                            size: BODY,
                            line: BODY_LINE,
                            weight: Weight::Regular,
                            color: TEXT,
                        },
                    );
                    flow.y += 6.0;
                }
                Block::List(items) => {
                    let list = flow.element();
                    for (index, item) in items.iter().enumerate() {
                        let lines = wrap(item, BODY, Weight::Regular, TEXT_WIDTH - 12.0);
                        flow.ensure(BODY_LINE);
                        let baseline = flow.y + BODY_LINE * 0.75;
                        flow.role = Role::ListItem {
                            list,
                            item: index,
                            bullet: true,
                        };
                        flow.text(MARGIN + 2.0, baseline, "•", BODY, Weight::Regular, TEXT);
                        flow.role = Role::ListItem {
                            list,
                            item: index,
                            bullet: false,
                        };
                        for line in lines {
                            flow.ensure(BODY_LINE);
                            let baseline = flow.y + BODY_LINE * 0.75;
                            flow.text(MARGIN + 12.0, baseline, &line, BODY, Weight::Regular, TEXT);
                            flow.y += BODY_LINE;
                        }
                        flow.y += 3.0;
                    }
                    flow.y += 4.0;
                }
                Block::Table(t) => table(&mut flow, t),
                Block::Figure(f) => figure(&mut flow, f),
                Block::Quote { text, attribution } => {
                    let id = flow.element();
                    flow.role = Role::Quote { id };
                    flow.ensure(BODY_LINE * 2.0);
                    let top = flow.y;
                    let page = flow.pages.len();
                    flow.lines(
                        MARGIN + 14.0,
                        TEXT_WIDTH - 14.0,
                        &format!("“{text}”"),
                        Style {
                            size: BODY,
                            line: BODY_LINE,
                            weight: Weight::Regular,
                            color: TEXT,
                        },
                    );
                    flow.lines(
                        MARGIN + 14.0,
                        TEXT_WIDTH - 14.0,
                        attribution,
                        Style {
                            size: BODY,
                            line: BODY_LINE,
                            weight: Weight::Bold,
                            color: TEXT,
                        },
                    );
                    // The rule beside the quotation, when it did not break across pages.
                    if flow.pages.len() == page {
                        flow.push(Item::Mark(Mark::Line {
                            x1: MARGIN + 3.0,
                            y1: top,
                            x2: MARGIN + 3.0,
                            y2: flow.y,
                            stroke: GRID,
                            width: 3.0,
                        }));
                    }
                    flow.y += 8.0;
                }
            }
        }
    }
    let count = flow.pages.len();
    for (index, page) in flow.pages.iter_mut().enumerate() {
        let baseline = PAGE_HEIGHT - 34.0;
        page.push(
            Item::Mark(Mark::Line {
                x1: MARGIN,
                y1: BOTTOM + 12.0,
                x2: PAGE_WIDTH - MARGIN,
                y2: BOTTOM + 12.0,
                stroke: GRID,
                width: 0.5,
            }),
            Role::Artifact,
        );
        let title = wrap(&doc.title, 8.0, Weight::Regular, TEXT_WIDTH * 0.6)
            .into_iter()
            .next()
            .unwrap_or_default();
        page.push(
            Item::Mark(Mark::Text {
                x: MARGIN,
                y: baseline,
                text: title,
                size: 8.0,
                weight: Weight::Regular,
                fill: SECONDARY,
                anchor: Anchor::Start,
            }),
            Role::Artifact,
        );
        let number = format!("Page {} of {count}", index + 1);
        page.push(
            Item::Mark(Mark::Text {
                x: PAGE_WIDTH - MARGIN - text_width(&number, 8.0, Weight::Regular),
                y: baseline,
                text: number,
                size: 8.0,
                weight: Weight::Regular,
                fill: SECONDARY,
                anchor: Anchor::Start,
            }),
            Role::Artifact,
        );
    }
    Layout {
        pages: flow.pages,
        bookmarks: flow.bookmarks,
    }
}
