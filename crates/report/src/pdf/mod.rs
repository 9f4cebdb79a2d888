//! The PDF report: the document laid out by [`layout`] and written with krilla, with the
//! embedded Liberation Sans subset into the file, charts drawn as vectors (their text
//! selectable), "Page N of M" footers, an outline of the sections, and the title and
//! language in the document metadata.

pub mod layout;

use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::ReportError;
use crate::charts::{Anchor, Chart, Color, Mark};
use crate::font::{self, BOLD_TTF, DEJAVU_BOLD_TTF, DEJAVU_REGULAR_TTF, REGULAR_TTF, Weight};
use crate::model::Document;
use crate::shape::{Typeface, shape_line};
use layout::{Item, PAGE_HEIGHT, PAGE_WIDTH, Role};

fn paint(color: Color) -> rgb::Color {
    rgb::Color::new(color.0, color.1, color.2)
}

/// The embedded faces, ready for krilla.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
    fallback_regular: Font,
    fallback_bold: Font,
}

impl Fonts {
    /// Liberation Sans Regular and Bold, and DejaVu Sans for what they lack, from the
    /// bytes embedded in the crate.
    pub(crate) fn embedded() -> Result<Fonts, ReportError> {
        let load = |bytes: &'static [u8], which: &str| {
            Font::new(bytes.into(), 0).ok_or_else(|| {
                ReportError::Pdf(format!("the embedded {which} font could not be read"))
            })
        };
        Ok(Fonts {
            regular: load(REGULAR_TTF, "regular")?,
            bold: load(BOLD_TTF, "bold")?,
            fallback_regular: load(DEJAVU_REGULAR_TTF, "fallback regular")?,
            fallback_bold: load(DEJAVU_BOLD_TTF, "fallback bold")?,
        })
    }

    fn get(&self, typeface: Typeface, weight: Weight) -> Font {
        match (typeface, weight) {
            (Typeface::Liberation, Weight::Regular) => self.regular.clone(),
            (Typeface::Liberation, Weight::Bold) => self.bold.clone(),
            (Typeface::DejaVu, Weight::Regular) => self.fallback_regular.clone(),
            (Typeface::DejaVu, Weight::Bold) => self.fallback_bold.clone(),
        }
    }
}

/// Draws a line of text from its left end at baseline `y`: in visual order, shaped, each
/// run in its typeface (`crate::shape`).
fn draw_text(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    (x, y): (f32, f32),
    text: &str,
    size: f32,
    weight: Weight,
    color: Color,
) {
    surface.set_fill(Some(Fill {
        paint: paint(color).into(),
        ..Fill::default()
    }));
    surface.set_stroke(None);
    let mut pen = x;
    for run in shape_line(text, weight) {
        let glyphs: Vec<KrillaGlyph> = run
            .glyphs
            .iter()
            .map(|g| {
                KrillaGlyph::new(
                    GlyphId::new(g.id),
                    g.advance,
                    g.x_offset,
                    g.y_offset,
                    0.0,
                    g.text.clone(),
                    None,
                )
            })
            .collect();
        surface.draw_glyphs(
            Point::from_xy(pen, y),
            &glyphs,
            fonts.get(run.typeface, weight),
            &run.text,
            size,
            false,
        );
        pen += run.width() * size;
    }
}

fn draw_rect(surface: &mut Surface<'_>, x: f32, y: f32, width: f32, height: f32, color: Color) {
    let Some(rect) = Rect::from_xywh(x, y, width, height) else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(rect);
    if let Some(path) = builder.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: paint(color).into(),
            ..Fill::default()
        }));
        surface.draw_path(&path);
    }
}

fn draw_line(
    surface: &mut Surface<'_>,
    from: (f32, f32),
    to: (f32, f32),
    color: Color,
    width: f32,
) {
    let mut builder = PathBuilder::new();
    builder.move_to(from.0, from.1);
    builder.line_to(to.0, to.1);
    if let Some(path) = builder.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: paint(color).into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

/// Draws a chart mark (or a line of text laid out as one) in page coordinates.
pub(crate) fn draw_mark(surface: &mut Surface<'_>, fonts: &Fonts, mark: &Mark) {
    match mark {
        Mark::Rect {
            x,
            y,
            width,
            height,
            fill,
        } => draw_rect(surface, *x, *y, *width, *height, *fill),
        Mark::Line {
            x1,
            y1,
            x2,
            y2,
            stroke,
            width,
        } => draw_line(surface, (*x1, *y1), (*x2, *y2), *stroke, *width),
        Mark::Text {
            x,
            y,
            text,
            size,
            anchor,
            weight,
            fill,
        } => {
            let width = font::text_width(text, *size, *weight);
            let left = match anchor {
                Anchor::Start => *x,
                Anchor::Middle => x - width / 2.0,
                Anchor::End => x - width,
            };
            draw_text(surface, fonts, (left, *y), text, *size, *weight, *fill);
        }
    }
}

fn draw_chart(surface: &mut Surface<'_>, fonts: &Fonts, chart: &Chart, x: f32, y: f32, scale: f32) {
    surface.push_transform(&Transform::from_row(scale, 0.0, 0.0, scale, x, y));
    for mark in &chart.marks {
        draw_mark(surface, fonts, mark);
    }
    surface.pop();
}

/// Writes the document as a PDF.
pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::embedded()?;
    let laid_out = layout::layout(doc);
    let mut document = krilla::Document::new();
    let mut structure = Structure::default();
    for page in &laid_out.pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| ReportError::Pdf("invalid page size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for (item, role) in page.items.iter().zip(&page.roles) {
            let tag = match role {
                Role::Artifact => ContentTag::Artifact(Artifact::with_kind(ArtifactType::Other)),
                Role::Figure { .. } => ContentTag::Other,
                _ => ContentTag::Span(SpanTag::empty()),
            };
            let identifier = surface.start_tagged(tag);
            match item {
                Item::Mark(mark) => draw_mark(&mut surface, &fonts, mark),
                Item::Chart { x, y, scale, chart } => {
                    draw_chart(&mut surface, &fonts, chart, *x, *y, *scale);
                }
            }
            surface.end_tagged();
            if *role != Role::Artifact {
                structure.add(role, identifier);
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for mark in &laid_out.bookmarks {
        let node = OutlineNode::new(
            mark.title.clone(),
            XyzDestination::new(mark.page, Point::from_xy(0.0, mark.y)),
        );
        if mark.level == 0 {
            if let Some(done) = current.take() {
                outline.push_child(done);
            }
            current = Some(node);
        } else if let Some(parent) = current.as_mut() {
            parent.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = current {
        outline.push_child(done);
    }
    document.set_outline(outline);
    document.set_tag_tree(structure.into_tree());
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .description(doc.subtitle.clone())
            .language("en-GB".to_owned())
            .creator("skafada".to_owned()),
    );
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

/// The document's structure as it is drawn: each element's tagged pieces, gathered in
/// reading order, for the PDF's tag tree.
#[derive(Default)]
struct Structure {
    elements: Vec<(usize, Element)>,
}

/// One structural element and the identifiers of its tagged content.
enum Element {
    Heading {
        level: u8,
        text: String,
        parts: Vec<Identifier>,
    },
    Paragraph(Vec<Identifier>),
    Quote(Vec<Identifier>),
    Figure {
        alt: String,
        parts: Vec<Identifier>,
    },
    /// Items, each with its bullet and its text.
    List(Vec<(Vec<Identifier>, Vec<Identifier>)>),
    /// The caption, then rows (the header row first), each a list of cells.
    Table {
        caption: Vec<Identifier>,
        header: Vec<Vec<Identifier>>,
        rows: Vec<Vec<Vec<Identifier>>>,
    },
}

/// The cell at `column` of `cells`, made if missing.
fn cell_of(cells: &mut Vec<Vec<Identifier>>, column: usize) -> &mut Vec<Identifier> {
    if cells.len() <= column {
        cells.resize_with(column + 1, Vec::new);
    }
    &mut cells[column]
}

impl Structure {
    fn element(&mut self, id: usize, make: impl FnOnce() -> Element) -> &mut Element {
        let index = match self.elements.iter().rposition(|(e, _)| *e == id) {
            Some(index) => index,
            None => {
                self.elements.push((id, make()));
                self.elements.len() - 1
            }
        };
        &mut self.elements[index].1
    }

    fn add(&mut self, role: &Role, part: Identifier) {
        let table = || Element::Table {
            caption: Vec::new(),
            header: Vec::new(),
            rows: Vec::new(),
        };
        match role {
            Role::Artifact => {}
            Role::Heading { id, level, text } => {
                let make = || Element::Heading {
                    level: *level,
                    text: text.clone(),
                    parts: Vec::new(),
                };
                if let Element::Heading { parts, .. } = self.element(*id, make) {
                    parts.push(part);
                }
            }
            Role::Paragraph { id } => {
                if let Element::Paragraph(parts) =
                    self.element(*id, || Element::Paragraph(Vec::new()))
                {
                    parts.push(part);
                }
            }
            Role::Quote { id } => {
                if let Element::Quote(parts) = self.element(*id, || Element::Quote(Vec::new())) {
                    parts.push(part);
                }
            }
            Role::Figure { id, alt } => {
                let make = || Element::Figure {
                    alt: alt.clone(),
                    parts: Vec::new(),
                };
                if let Element::Figure { parts, .. } = self.element(*id, make) {
                    parts.push(part);
                }
            }
            Role::ListItem { list, item, bullet } => {
                if let Element::List(items) = self.element(*list, || Element::List(Vec::new())) {
                    if items.len() <= *item {
                        items.resize_with(item + 1, Default::default);
                    }
                    let (label, body) = &mut items[*item];
                    if *bullet { label } else { body }.push(part);
                }
            }
            Role::Caption { table: id } => {
                if let Element::Table { caption, .. } = self.element(*id, table) {
                    caption.push(part);
                }
            }
            Role::Cell {
                table: id,
                row,
                column,
            } => {
                if let Element::Table { header, rows, .. } = self.element(*id, table) {
                    let cells = match row {
                        None => header,
                        Some(row) => {
                            if rows.len() <= *row {
                                rows.resize_with(row + 1, Vec::new);
                            }
                            &mut rows[*row]
                        }
                    };
                    cell_of(cells, *column).push(part);
                }
            }
        }
    }

    fn into_tree(self) -> TagTree {
        let group = |tag: TagKind, parts: Vec<Identifier>| {
            let mut group = TagGroup::new(tag);
            for part in parts {
                group.push(part);
            }
            group
        };
        let mut tree = TagTree::new().with_lang(Some("en-GB".to_owned()));
        for (_, element) in self.elements {
            let node = match element {
                Element::Heading { level, text, parts } => {
                    let level = std::num::NonZeroU16::new(u16::from(level.max(1)))
                        .unwrap_or(std::num::NonZeroU16::MIN);
                    group(Tag::Hn(level, Some(text)).into(), parts)
                }
                Element::Paragraph(parts) => group(Tag::P.into(), parts),
                Element::Quote(parts) => {
                    let mut quote = TagGroup::new(Tag::BlockQuote);
                    quote.push(group(Tag::P.into(), parts));
                    quote
                }
                Element::Figure { alt, parts } => group(Tag::Figure(Some(alt)).into(), parts),
                Element::List(items) => {
                    let mut list = TagGroup::new(Tag::L(ListNumbering::Disc));
                    for (label, body) in items {
                        let mut item = TagGroup::new(Tag::LI);
                        item.push(group(Tag::Lbl.into(), label));
                        item.push(group(Tag::LBody.into(), body));
                        list.push(item);
                    }
                    list
                }
                Element::Table {
                    caption,
                    header,
                    rows,
                } => {
                    let mut table = TagGroup::new(Tag::Table);
                    if !caption.is_empty() {
                        table.push(group(Tag::Caption.into(), caption));
                    }
                    let mut head = TagGroup::new(Tag::THead);
                    let mut header_row = TagGroup::new(Tag::TR);
                    for cell in header {
                        header_row.push(group(Tag::TH(TableHeaderScope::Column).into(), cell));
                    }
                    head.push(header_row);
                    table.push(head);
                    let mut body = TagGroup::new(Tag::TBody);
                    for cells in rows {
                        let mut row = TagGroup::new(Tag::TR);
                        // The first column names the row, as the HTML tables' row headers do.
                        for (column, cell) in cells.into_iter().enumerate() {
                            let tag: TagKind = if column == 0 {
                                Tag::TH(TableHeaderScope::Row).into()
                            } else {
                                Tag::TD.into()
                            };
                            row.push(group(tag, cell));
                        }
                        body.push(row);
                    }
                    table.push(body);
                    table
                }
            };
            tree.push(node);
        }
        tree
    }
}
