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

    /// Whether the face has a glyph for `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.charmap.map(c).is_some_and(|id| id != GlyphId::NOTDEF)
    }

    /// The width of `text` at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
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
        Some(face) => face.width(text, size),
        None => text.chars().count() as f32 * 0.55 * size,
    }
}

/// Whether `c` belongs to a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko and
/// their presentation forms). The layout engine sets text left to right without
/// bidirectional reordering or shaping, so these would print in the wrong order (or
/// unjoined) even where the font has glyphs for them.
fn right_to_left(c: char) -> bool {
    matches!(
        c,
        '\u{0590}'..='\u{08FF}'
            | '\u{FB1D}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}'
            | '\u{10800}'..='\u{10FFF}'
            | '\u{1E800}'..='\u{1EFFF}'
    )
}

/// The characters of `text` that the embedded font cannot print as written, each once,
/// in the order they first appear: those either weight lacks a glyph for (Liberation
/// Sans covers the Latin, Greek and Cyrillic alphabets, not Chinese, Japanese, Korean,
/// Devanagari and the like), control characters, and letters of right-to-left scripts,
/// which would need bidirectional layout and shaping this crate does not do. Empty when
/// every character can be printed. An unparseable font reports nothing as printable.
pub fn unsupported_characters(text: &str) -> Vec<char> {
    let printable = |c: char| {
        !c.is_control()
            && !right_to_left(c)
            && [Weight::Regular, Weight::Bold]
                .into_iter()
                .all(|weight| face(weight).is_some_and(|face| face.has(c)))
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
