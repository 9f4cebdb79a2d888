//! Charts as data: bars with their geometry and the marks that draw them, written as
//! accessible SVG for the HTML report and painted as vectors into the PDF.
//!
//! Three kinds, chosen from the shape of the data:
//! - a **diverging** stacked bar chart for 5-point (or any odd, 5 or more) scales such as
//!   agreement and knowledge, centred on the middle category: the negative categories lie
//!   to the left of the centre line, the middle one straddles it;
//! - a **100% stacked** bar chart for 3-category scales (enquiry, true/false/don't know,
//!   yes/no/unsure);
//! - **grouped** bars for series side by side (actions for parents and for children).
//!
//! Every chart is drawn from `Mark`s in a coordinate system `width` wide, y down. Text is
//! measured with the embedded font, whose metrics are Arial's.

use crate::font::{Weight, text_width, wrap};
use crate::svg::{Writer, num};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG contrast ratio with another colour (1 to 21).
    pub fn contrast(self, other: Color) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// GOV.UK's text colour.
pub const TEXT: Color = Color(0x0b, 0x0c, 0x0c);
/// White.
pub const WHITE: Color = Color(0xff, 0xff, 0xff);
/// Secondary text and axes (GOV.UK's secondary text colour).
pub const SECONDARY: Color = Color(0x50, 0x5a, 0x5f);
/// Grid lines.
pub const GRID: Color = Color(0xb1, 0xb4, 0xb6);

/// A diverging palette (ColorBrewer PuOr, darkened at the ends): distinguishable with the
/// common forms of colour blindness, orange for the negative end and purple for the positive.
const DIVERGING_5: [Color; 5] = [
    Color(0xb3, 0x58, 0x06),
    Color(0xf1, 0xa3, 0x40),
    Color(0xd2, 0xd2, 0xd2),
    Color(0x99, 0x8e, 0xc3),
    Color(0x54, 0x27, 0x88),
];
/// Series colours (Okabe-Ito blue and orange, safe for colour-blind readers).
const SERIES: [Color; 4] = [
    Color(0x00, 0x5e, 0xa5),
    Color(0xe6, 0x9f, 0x00),
    Color(0x00, 0x9e, 0x73),
    Color(0xcc, 0x79, 0xa7),
];

/// The colour of a category of a scale with `count` categories.
pub fn category_color(index: usize, count: usize, last_is_unsure: bool) -> Color {
    match (count, last_is_unsure) {
        (3, true) => [DIVERGING_5[4], DIVERGING_5[1], DIVERGING_5[2]][index.min(2)],
        (3, false) => [DIVERGING_5[0], DIVERGING_5[2], DIVERGING_5[4]][index.min(2)],
        (5, _) => DIVERGING_5[index.min(4)],
        (2, _) => [DIVERGING_5[4], DIVERGING_5[1]][index.min(1)],
        _ => SERIES[index % SERIES.len()],
    }
}

/// The text colour with the better contrast on `fill`: white or GOV.UK black.
pub fn text_on(fill: Color) -> Color {
    if WHITE.contrast(fill) >= TEXT.contrast(fill) {
        WHITE
    } else {
        TEXT
    }
}

/// Where a text's `x` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The left end.
    Start,
    /// The middle.
    Middle,
    /// The right end.
    End,
}

/// One drawing instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        width: f32,
        /// Height.
        height: f32,
        /// Fill.
        fill: Color,
    },
    /// A line of text; `y` is the baseline.
    Text {
        /// Anchor position.
        x: f32,
        /// Baseline.
        y: f32,
        /// The text.
        text: String,
        /// Font size.
        size: f32,
        /// Anchor.
        anchor: Anchor,
        /// Weight.
        weight: Weight,
        /// Colour.
        fill: Color,
    },
    /// A straight line.
    Line {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Colour.
        stroke: Color,
        /// Width.
        width: f32,
    },
}

/// One coloured piece of a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The category or series.
    pub category: String,
    /// The percentage it shows.
    pub value: f64,
    /// Left edge.
    pub x: f32,
    /// Width (`value` times the chart's scale).
    pub width: f32,
}

/// One bar: a row of a stacked chart, or one series of a row of a grouped chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The row's label.
    pub label: String,
    /// The segments, left to right.
    pub segments: Vec<Segment>,
}

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Diverging stacked bars centred on the middle category.
    Diverging,
    /// 100% stacked bars.
    Stacked,
    /// Bars of several series side by side.
    Grouped,
    /// A share with its interval (a dot on a range) beside a reference share (a tick).
    Interval,
}

/// A chart, ready to be written as SVG or painted into a PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The kind.
    pub kind: ChartKind,
    /// The title (the SVG's `<title>`).
    pub title: String,
    /// What the chart shows, for screen readers (the SVG's `<desc>`).
    pub description: String,
    /// Width of the drawing.
    pub width: f32,
    /// Height of the drawing.
    pub height: f32,
    /// Drawing units per percentage point.
    pub scale: f32,
    /// The bars, for checking the geometry.
    pub bars: Vec<Bar>,
    /// What to draw, in order.
    pub marks: Vec<Mark>,
}

/// One row of data: a label and a percentage per category or series.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The statement or item.
    pub label: String,
    /// Percentages, in category order.
    pub values: Vec<f64>,
}

/// The shape of a chart's drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// 800 wide, labels to the left of the bars (as the study's figures): desktop and PDF.
    Wide,
    /// 400 wide, each label above its bar: phones.
    Narrow,
}

/// The geometry of a frame.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: f32,
    label_width: f32,
    plot_x: f32,
    plot_right: f32,
    above: bool,
}

impl Frame {
    fn geometry(self) -> Geometry {
        match self {
            Frame::Wide => Geometry {
                width: 800.0,
                label_width: 280.0,
                plot_x: 296.0,
                plot_right: 780.0,
                above: false,
            },
            Frame::Narrow => Geometry {
                width: 400.0,
                label_width: 396.0,
                plot_x: 2.0,
                plot_right: 386.0,
                above: true,
            },
        }
    }
}

/// Where a row's label and bars go: the label's lines, the bars' top and the row height.
fn place_row(g: &Geometry, label: &str, y: f32, bars: f32, marks: &mut Vec<Mark>) -> (f32, f32) {
    let lines = wrap(label, LABEL_SIZE, Weight::Regular, g.label_width);
    let text = lines.len() as f32 * LINE;
    if g.above {
        // A white band behind the label hides the grid lines that cross it.
        marks.push(Mark::Rect {
            x: 0.0,
            y: y - 2.0,
            width: g.width,
            height: text + 3.0,
            fill: WHITE,
        });
        row_label(marks, &lines, y + text / 2.0 - 2.0);
        (y + text + 2.0, text + 2.0 + bars + 12.0)
    } else {
        let height = text.max(bars) + 10.0;
        let bars_y = y + (height - bars) / 2.0;
        row_label(marks, &lines, bars_y + bars / 2.0);
        (bars_y, height)
    }
}
const LABEL_SIZE: f32 = 12.0;
const LINE: f32 = 14.0;
const VALUE_SIZE: f32 = 11.0;
const BAR: f32 = 20.0;
const GROUPED_BAR: f32 = 13.0;

fn clean(value: f64) -> f64 {
    if value.is_finite() {
        value.max(0.0)
    } else {
        0.0
    }
}

/// Whether the last category means "don't know" rather than a point of the scale.
fn is_unsure(label: &str) -> bool {
    let label = label.to_lowercase();
    ["don't know", "don’t know", "unsure", "not sure"]
        .iter()
        .any(|w| label.contains(w))
}

/// Lays out the legend from `x` within `right`; returns the marks and the height used.
fn legend(items: &[(String, Color)], top: f32, right: f32) -> (Vec<Mark>, f32) {
    let mut marks = Vec::new();
    let (mut x, mut y) = (0.0_f32, top);
    for (label, color) in items {
        let width = 14.0 + 6.0 + text_width(label, LABEL_SIZE, Weight::Regular) + 18.0;
        if x > 0.0 && x + width > right {
            x = 0.0;
            y += 20.0;
        }
        marks.push(Mark::Rect {
            x,
            y,
            width: 14.0,
            height: 14.0,
            fill: *color,
        });
        marks.push(Mark::Text {
            x: x + 20.0,
            y: y + 11.5,
            text: label.clone(),
            size: LABEL_SIZE,
            anchor: Anchor::Start,
            weight: Weight::Regular,
            fill: TEXT,
        });
        x += width;
    }
    (marks, y + 20.0 - top)
}

/// The label of a row, wrapped into the label column and centred on `centre`.
fn row_label(marks: &mut Vec<Mark>, lines: &[String], centre: f32) {
    let first = centre - (lines.len() as f32 - 1.0) * LINE / 2.0 + 4.0;
    for (i, line) in lines.iter().enumerate() {
        marks.push(Mark::Text {
            x: 0.0,
            y: first + i as f32 * LINE,
            text: line.clone(),
            size: LABEL_SIZE,
            anchor: Anchor::Start,
            weight: Weight::Regular,
            fill: TEXT,
        });
    }
}

/// Vertical grid lines and their labels at `ticks` (percentages; drawn as absolute values).
fn axis(marks: &mut Vec<Mark>, ticks: &[f64], x_of: impl Fn(f64) -> f32, top: f32, bottom: f32) {
    for &tick in ticks {
        let x = x_of(tick);
        marks.push(Mark::Line {
            x1: x,
            y1: top,
            x2: x,
            y2: bottom,
            stroke: GRID,
            width: 1.0,
        });
        marks.push(Mark::Text {
            x,
            y: bottom + 14.0,
            text: format!("{}%", tick.abs().round()),
            size: VALUE_SIZE,
            anchor: Anchor::Middle,
            weight: Weight::Regular,
            fill: SECONDARY,
        });
    }
}

fn ticks(from: f64, to: f64) -> Vec<f64> {
    let step = if to - from > 60.0 { 20.0 } else { 10.0 };
    let mut ticks = Vec::new();
    let mut tick = (from / step).ceil() * step;
    while tick <= to + 1e-9 {
        ticks.push(tick);
        tick += step;
    }
    ticks
}

/// A segment's value printed inside it when it fits.
fn segment_label(marks: &mut Vec<Mark>, segment: &Segment, y: f32, fill: Color) {
    let text = format!("{:.0}", segment.value);
    if segment.width >= text_width(&text, VALUE_SIZE, Weight::Regular) + 6.0 {
        marks.push(Mark::Text {
            x: segment.x + segment.width / 2.0,
            y: y + BAR / 2.0 + 4.0,
            text,
            size: VALUE_SIZE,
            anchor: Anchor::Middle,
            weight: Weight::Regular,
            fill: text_on(fill),
        });
    }
}

/// A chart of a scale: diverging when the scale has an odd number of categories, at
/// least five, else 100% stacked. `categories` name the columns of `rows`' values.
pub fn scale_chart(title: &str, categories: &[String], rows: &[Row]) -> Chart {
    scale_chart_in(Frame::Wide, title, categories, rows)
}

/// [`scale_chart`] in a given frame.
pub fn scale_chart_in(frame: Frame, title: &str, categories: &[String], rows: &[Row]) -> Chart {
    let g = frame.geometry();
    let count = categories.len();
    let diverging = count >= 5 && count % 2 == 1;
    let unsure = categories.last().is_some_and(|c| is_unsure(c));
    let colors: Vec<Color> = (0..count)
        .map(|i| category_color(i, count, unsure))
        .collect();
    let items: Vec<(String, Color)> = categories.iter().cloned().zip(colors.clone()).collect();
    let (mut marks, legend_height) = legend(&items, 0.0, g.width);
    let top = legend_height + 10.0;
    let middle = count / 2;
    let sides = |values: &[f64]| -> (f64, f64) {
        if !diverging {
            return (0.0, values.iter().copied().map(clean).sum());
        }
        let v = |i: usize| clean(values.get(i).copied().unwrap_or(0.0));
        let left: f64 = (0..middle).map(v).sum::<f64>() + v(middle) / 2.0;
        let right: f64 = v(middle) / 2.0 + (middle + 1..count).map(v).sum::<f64>();
        (left, right)
    };
    let (left, right) = if diverging {
        let (l, r) = rows
            .iter()
            .map(|r| sides(&r.values))
            .fold((0.0_f64, 0.0_f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
        (
            (l / 10.0).ceil().max(1.0) * 10.0,
            (r / 10.0).ceil().max(1.0) * 10.0,
        )
    } else {
        (0.0, 100.0)
    };
    let scale = (g.plot_right - g.plot_x) / (left + right) as f32;
    let x_of = |value: f64| g.plot_x + (value + left) as f32 * scale;

    let mut bars = Vec::new();
    let mut rows_marks = Vec::new();
    let mut y = top;
    for row in rows {
        let (bar_y, height) = place_row(&g, &row.label, y, BAR, &mut rows_marks);
        let (start, _) = sides(&row.values);
        let mut x = x_of(-start);
        let mut segments = Vec::new();
        for (i, category) in categories.iter().enumerate() {
            let value = clean(row.values.get(i).copied().unwrap_or(0.0));
            let width = value as f32 * scale;
            let segment = Segment {
                category: category.clone(),
                value,
                x,
                width,
            };
            if width > 0.0 {
                rows_marks.push(Mark::Rect {
                    x,
                    y: bar_y,
                    width,
                    height: BAR,
                    fill: colors[i],
                });
                segment_label(&mut rows_marks, &segment, bar_y, colors[i]);
            }
            x += width;
            segments.push(segment);
        }
        // White separators between segments, so adjacent colours never touch.
        for segment in segments.iter().skip(1).filter(|s| s.width > 0.0) {
            rows_marks.push(Mark::Line {
                x1: segment.x,
                y1: bar_y,
                x2: segment.x,
                y2: bar_y + BAR,
                stroke: WHITE,
                width: 1.0,
            });
        }
        bars.push(Bar {
            label: row.label.clone(),
            segments,
        });
        y += height;
    }
    axis(&mut marks, &ticks(-left, right), x_of, top, y);
    // The centre line lies under the bars, so it never crosses a value label.
    if diverging {
        marks.push(Mark::Line {
            x1: x_of(0.0),
            y1: top - 4.0,
            x2: x_of(0.0),
            y2: y,
            stroke: TEXT,
            width: 1.5,
        });
    }
    marks.extend(rows_marks);
    let description = if diverging {
        format!(
            "Diverging stacked bar chart of {} statements. Each bar is centred on “{}”: {} to the left, {} to the right. The numbers are in the table that follows.",
            rows.len(),
            categories.get(middle).map_or("", String::as_str),
            categories[..middle].join(", "),
            categories[middle + 1..].join(", "),
        )
    } else {
        format!(
            "100% stacked bar chart of {} statements, each bar split into {}. The numbers are in the table that follows.",
            rows.len(),
            categories.join(", "),
        )
    };
    Chart {
        kind: if diverging {
            ChartKind::Diverging
        } else {
            ChartKind::Stacked
        },
        title: title.to_owned(),
        description,
        width: g.width,
        height: y + 22.0,
        scale,
        bars,
        marks,
    }
}

/// Grouped horizontal bars: one bar per series for each row, 0 to 100%.
pub fn grouped_chart(title: &str, series: &[String], rows: &[Row]) -> Chart {
    grouped_chart_in(Frame::Wide, title, series, rows)
}

/// [`grouped_chart`] in a given frame.
pub fn grouped_chart_in(frame: Frame, title: &str, series: &[String], rows: &[Row]) -> Chart {
    let g = frame.geometry();
    let colors: Vec<Color> = (0..series.len())
        .map(|i| category_color(i, usize::MAX, false))
        .collect();
    let items: Vec<(String, Color)> = series.iter().cloned().zip(colors.clone()).collect();
    let (mut marks, legend_height) = legend(&items, 0.0, g.width);
    let top = legend_height + 10.0;
    let scale = (g.plot_right - 40.0 - g.plot_x) / 100.0;
    let x_of = |value: f64| g.plot_x + value as f32 * scale;
    let mut bars = Vec::new();
    let mut rows_marks = Vec::new();
    let mut y = top;
    let group = series.len() as f32 * (GROUPED_BAR + 2.0);
    for row in rows {
        let (group_y, height) = place_row(&g, &row.label, y, group, &mut rows_marks);
        for (i, name) in series.iter().enumerate() {
            let value = clean(row.values.get(i).copied().unwrap_or(0.0));
            let bar_y = group_y + i as f32 * (GROUPED_BAR + 2.0);
            let width = value as f32 * scale;
            if width > 0.0 {
                rows_marks.push(Mark::Rect {
                    x: g.plot_x,
                    y: bar_y,
                    width,
                    height: GROUPED_BAR,
                    fill: colors[i],
                });
            }
            rows_marks.push(Mark::Text {
                x: g.plot_x + width + 4.0,
                y: bar_y + GROUPED_BAR - 2.5,
                text: format!("{value:.0}%"),
                size: VALUE_SIZE,
                anchor: Anchor::Start,
                weight: Weight::Regular,
                fill: TEXT,
            });
            bars.push(Bar {
                label: row.label.clone(),
                segments: vec![Segment {
                    category: name.clone(),
                    value,
                    x: g.plot_x,
                    width,
                }],
            });
        }
        y += height;
    }
    axis(&mut marks, &ticks(0.0, 100.0), x_of, top, y);
    marks.extend(rows_marks);
    Chart {
        kind: ChartKind::Grouped,
        title: title.to_owned(),
        description: format!(
            "Grouped bar chart of {} items, with one bar each for {}, as a percentage of respondents. The numbers are in the table that follows.",
            rows.len(),
            series.join(" and "),
        ),
        width: g.width,
        height: y + 22.0,
        scale,
        bars,
        marks,
    }
}

/// One row of a dot-and-range chart: a share with its interval, beside a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRow {
    /// The statement or item.
    pub label: String,
    /// The share, with the low and high ends of its interval, in per cent; `None` when
    /// it is hidden, which the chart says.
    pub share: Option<(f64, f64, f64)>,
    /// The reference shares (e.g. all sites, similar sites), in per cent, in the order
    /// of the chart's reference names; `None` when hidden.
    pub references: Vec<Option<f64>>,
}

/// The colour of a share and its interval (Okabe-Ito blue, 6.6:1 on white).
const SHARE: Color = SERIES[0];
/// The colours of the reference ticks (PuOr's dark orange, 4.6:1 on white, and dark
/// purple), each drawn at its own length so that they differ by shape as well.
const REFERENCES: [(Color, f32); 2] = [(DIVERGING_5[0], 9.0), (DIVERGING_5[4], 5.0)];

/// A dot-and-range chart: for each row the share as a square on its interval, and each
/// reference share (at most two) as an upright tick, on a scale of 0 to 100%. `share`
/// and `references` name them in the legend, e.g. "This site, with its likely range" and
/// "All sites".
pub fn interval_chart_in(
    frame: Frame,
    title: &str,
    share: &str,
    references: &[&str],
    rows: &[IntervalRow],
) -> Chart {
    let g = frame.geometry();
    let mut items = vec![(share.to_owned(), SHARE)];
    items.extend(
        references
            .iter()
            .zip(REFERENCES)
            .map(|(name, (color, _))| ((*name).to_owned(), color)),
    );
    let (mut marks, legend_height) = legend(&items, 0.0, g.width);
    let top = legend_height + 10.0;
    let scale = (g.plot_right - 40.0 - g.plot_x) / 100.0;
    let x_of = |value: f64| g.plot_x + clean(value).min(100.0) as f32 * scale;
    let mut bars = Vec::new();
    let mut rows_marks = Vec::new();
    let mut y = top;
    for row in rows {
        let (bar_y, height) = place_row(&g, &row.label, y, BAR, &mut rows_marks);
        let middle = bar_y + BAR / 2.0;
        match row.share {
            Some((value, low, high)) => {
                let (x_low, x_high, x) = (x_of(low), x_of(high), x_of(value));
                rows_marks.push(Mark::Line {
                    x1: x_low,
                    y1: middle,
                    x2: x_high,
                    y2: middle,
                    stroke: SHARE,
                    width: 2.0,
                });
                for end in [x_low, x_high] {
                    rows_marks.push(Mark::Line {
                        x1: end,
                        y1: middle - 5.0,
                        x2: end,
                        y2: middle + 5.0,
                        stroke: SHARE,
                        width: 2.0,
                    });
                }
                rows_marks.push(Mark::Rect {
                    x: x - 5.0,
                    y: middle - 5.0,
                    width: 10.0,
                    height: 10.0,
                    fill: SHARE,
                });
                let text = format!("{value:.0}%");
                let width = text_width(&text, VALUE_SIZE, Weight::Regular);
                // Beside the range's right end, or its left end when there is no room.
                let (text_x, anchor) = if x_high + 6.0 + width <= g.width {
                    (x_high + 6.0, Anchor::Start)
                } else {
                    (x_low - 6.0, Anchor::End)
                };
                rows_marks.push(Mark::Text {
                    x: text_x,
                    y: middle - 3.0,
                    text,
                    size: VALUE_SIZE,
                    anchor,
                    weight: Weight::Bold,
                    fill: TEXT,
                });
                bars.push(Bar {
                    label: row.label.clone(),
                    segments: vec![Segment {
                        category: share.to_owned(),
                        value,
                        x: x_low,
                        width: x_high - x_low,
                    }],
                });
            }
            None => rows_marks.push(Mark::Text {
                x: g.plot_x + 4.0,
                y: middle + 4.0,
                text: "Hidden to protect people's identity".to_owned(),
                size: VALUE_SIZE,
                anchor: Anchor::Start,
                weight: Weight::Regular,
                fill: SECONDARY,
            }),
        }
        for (reference, (color, half)) in row.references.iter().zip(REFERENCES) {
            if let Some(reference) = reference {
                let x = x_of(*reference);
                rows_marks.push(Mark::Line {
                    x1: x,
                    y1: middle - half,
                    x2: x,
                    y2: middle + half,
                    stroke: color,
                    width: 3.0,
                });
            }
        }
        y += height;
    }
    axis(&mut marks, &ticks(0.0, 100.0), x_of, top, y);
    marks.extend(rows_marks);
    Chart {
        kind: ChartKind::Interval,
        title: title.to_owned(),
        description: format!(
            "Chart of {} statements: for each, {} as a square on a line from the low to the high end of its range, and {} as {}, as a percentage of those who answered, on a scale of 0 to 100%. The numbers are in the table beside it.",
            rows.len(),
            share.to_lowercase(),
            references
                .iter()
                .map(|r| r.to_lowercase())
                .collect::<Vec<_>>()
                .join(" and "),
            if references.len() > 1 {
                "upright lines, the first longer"
            } else {
                "an upright line"
            },
        ),
        width: g.width,
        height: y + 22.0,
        scale,
        bars,
        marks,
    }
}

impl Chart {
    /// The chart as a standalone, accessible SVG element: `role="img"`, a `<title>` and a
    /// `<desc>` named by `aria-labelledby`, and real `<text>`. `id` makes the element ids
    /// unique within a page.
    pub fn to_svg(&self, id: &str) -> String {
        let mut w = Writer::default();
        let title_id = format!("{id}-title");
        let desc_id = format!("{id}-desc");
        let labelled = format!("{title_id} {desc_id}");
        let view_box = format!("0 0 {} {}", num(self.width), num(self.height));
        w.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("viewBox", &view_box),
                ("width", &num(self.width)),
                ("height", &num(self.height)),
                ("role", "img"),
                ("aria-labelledby", &labelled),
                ("class", "chart"),
                (
                    "font-family",
                    "Arial, 'Liberation Sans', Helvetica, sans-serif",
                ),
            ],
        );
        w.newline();
        w.text("title", &[("id", &title_id)], &self.title);
        w.newline();
        w.text("desc", &[("id", &desc_id)], &self.description);
        w.newline();
        for mark in &self.marks {
            match mark {
                Mark::Rect {
                    x,
                    y,
                    width,
                    height,
                    fill,
                } => w.empty(
                    "rect",
                    &[
                        ("x", &num(*x)),
                        ("y", &num(*y)),
                        ("width", &num(*width)),
                        ("height", &num(*height)),
                        ("fill", &fill.hex()),
                    ],
                ),
                Mark::Text {
                    x,
                    y,
                    text,
                    size,
                    anchor,
                    weight,
                    fill,
                } => {
                    let anchor = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let mut attrs = vec![
                        ("x", num(*x)),
                        ("y", num(*y)),
                        ("font-size", num(*size)),
                        ("fill", fill.hex()),
                    ];
                    if anchor != "start" {
                        attrs.push(("text-anchor", anchor.to_owned()));
                    }
                    if *weight == Weight::Bold {
                        attrs.push(("font-weight", "bold".to_owned()));
                    }
                    let attrs: Vec<(&str, &str)> =
                        attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    w.text("text", &attrs, text);
                }
                Mark::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    stroke,
                    width,
                } => w.empty(
                    "line",
                    &[
                        ("x1", &num(*x1)),
                        ("y1", &num(*y1)),
                        ("x2", &num(*x2)),
                        ("y2", &num(*y2)),
                        ("stroke", &stroke.hex()),
                        ("stroke-width", &num(*width)),
                    ],
                ),
            }
            w.newline();
        }
        w.close("svg");
        w.finish()
    }
}
