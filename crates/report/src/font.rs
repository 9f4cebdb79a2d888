//! The embedded typeface and its metrics: text is measured here for wrapping chart labels,
//! laying out the PDF and placing its glyphs.

use std::sync::LazyLock;

use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider as _};

/// Liberation Sans Regular (SIL Open Font License 1.1; see `fonts/`).
pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold.
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");
/// DejaVu Sans, the fallback for what Liberation Sans cannot print (Bitstream Vera
/// licence; see `fonts/`).
pub(crate) const DEJAVU_REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub(crate) const DEJAVU_BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Weight {
    /// Regular.
    #[default]
    Regular,
    /// Bold.
    Bold,
}

/// A parsed face: the character map and advance widths.
pub(crate) struct Face {
    charmap: Charmap<'static>,
    advances: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

impl Face {
    fn parse(data: &'static [u8]) -> Option<Face> {
        let font = FontRef::new(data).ok()?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(metrics.units_per_em);
        if units_per_em <= 0.0 {
            return None;
        }
        Some(Face {
            charmap: font.charmap(),
            advances: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// The glyph of a character (`.notdef`, glyph 0, when the font lacks it) and its
    /// advance in ems.
    pub(crate) fn glyph(&self, c: char) -> (u32, f32) {
        let id = self.charmap.map(c).unwrap_or(GlyphId::NOTDEF);
        let advance = self.advances.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        (id.to_u32(), advance)
    }
}

static REGULAR: LazyLock<Option<Face>> = LazyLock::new(|| Face::parse(REGULAR_TTF));
static BOLD: LazyLock<Option<Face>> = LazyLock::new(|| Face::parse(BOLD_TTF));

/// The face of a weight; `None` only if the embedded font could not be parsed.
pub(crate) fn face(weight: Weight) -> Option<&'static Face> {
    match weight {
        Weight::Regular => REGULAR.as_ref(),
        Weight::Bold => BOLD.as_ref(),
    }
}

/// The width of `text` at `size` points (or SVG units) in the embedded font. An
/// unparseable font falls back to an estimate of 0.55 em per character.
pub fn text_width(text: &str, size: f32, weight: Weight) -> f32 {
    match face(weight) {
        Some(_) => crate::shape::line_width(text, weight) * size,
        None => text.chars().count() as f32 * 0.55 * size,
    }
}

/// The characters of `text` that cannot be printed, each once, in the order they first
/// appear: control characters, and those neither Liberation Sans nor its fallback DejaVu
/// Sans has a glyph for in both weights (between them: Latin, Greek, Cyrillic, Armenian,
/// Georgian, Hebrew and Arabic among others, not Chinese, Japanese, Korean, Devanagari
/// and the like). Right-to-left text is ordered and shaped (`shape`). Empty when every
/// character can be printed.
pub fn unsupported_characters(text: &str) -> Vec<char> {
    use crate::shape::{Typeface, covers};
    let printable = |c: char| {
        !c.is_control() && (covers(Typeface::Liberation, c) || covers(Typeface::DejaVu, c))
    };
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars() {
        if !printable(c) && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// Breaks `text` into lines no wider than `width` at `size`, at spaces; a word wider than
/// the line is broken between characters.
pub fn wrap(text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, weight) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if text_width(word, size, weight) <= width {
            line = word.to_owned();
            continue;
        }
        // A word longer than the line: break it between characters.
        for c in word.chars() {
            line.push(c);
            if text_width(&line, size, weight) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}
