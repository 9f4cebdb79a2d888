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
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::ReportError;
use crate::charts::{Anchor, Chart, Color, Mark};
use crate::font::{self, BOLD_TTF, REGULAR_TTF, Weight};
use crate::model::Document;
use layout::{Item, PAGE_HEIGHT, PAGE_WIDTH};

fn paint(color: Color) -> rgb::Color {
    rgb::Color::new(color.0, color.1, color.2)
}

/// The embedded faces, ready for krilla.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    /// Liberation Sans Regular and Bold, from the bytes embedded in the crate.
    pub(crate) fn embedded() -> Result<Fonts, ReportError> {
        Ok(Fonts {
            regular: Font::new(REGULAR_TTF.into(), 0).ok_or_else(|| {
                ReportError::Pdf("the embedded regular font could not be read".into())
            })?,
            bold: Font::new(BOLD_TTF.into(), 0).ok_or_else(|| {
                ReportError::Pdf("the embedded bold font could not be read".into())
            })?,
        })
    }

    fn get(&self, weight: Weight) -> Font {
        match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        }
    }
}

fn draw_text(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    (x, y): (f32, f32),
    text: &str,
    size: f32,
    weight: Weight,
    color: Color,
) {
    let Some(face) = font::face(weight) else {
        return;
    };
    let glyphs: Vec<KrillaGlyph> = text
        .char_indices()
        .map(|(i, c)| {
            let (id, advance) = face.glyph(c);
            KrillaGlyph::new(
                GlyphId::new(id),
                advance,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            )
        })
        .collect();
    surface.set_fill(Some(Fill {
        paint: paint(color).into(),
        ..Fill::default()
    }));
    surface.set_stroke(None);
    surface.draw_glyphs(
        Point::from_xy(x, y),
        &glyphs,
        fonts.get(weight),
        text,
        size,
        false,
    );
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
    for page in &laid_out.pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| ReportError::Pdf("invalid page size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for item in &page.items {
            match item {
                Item::Mark(mark) => draw_mark(&mut surface, &fonts, mark),
                Item::Chart { x, y, scale, chart } => {
                    draw_chart(&mut surface, &fonts, chart, *x, *y, *scale);
                }
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
