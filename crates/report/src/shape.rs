//! Text set as its readers expect in any script: put in visual order by the Unicode
//! bidirectional algorithm (a name in Arabic or Hebrew reads right to left, beside Latin
//! text), each run shaped with rustybuzz (Arabic letters join, combining accents sit on
//! their letters), in Liberation Sans where it has every glyph of the run and otherwise in
//! DejaVu Sans, the embedded fallback.

use std::ops::Range;
use std::sync::LazyLock;

use rustybuzz::{Direction, Face, UnicodeBuffer};
use unicode_bidi::BidiInfo;

use crate::font::{BOLD_TTF, DEJAVU_BOLD_TTF, DEJAVU_REGULAR_TTF, REGULAR_TTF, Weight};

/// An embedded typeface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Typeface {
    /// Liberation Sans: Latin, Greek, Cyrillic and Hebrew.
    Liberation,
    /// DejaVu Sans: the fallback, with Arabic among much else.
    DejaVu,
}

/// One glyph as shaped, in ems.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapedGlyph {
    /// The glyph in its typeface.
    pub(crate) id: u32,
    /// How far the pen moves after it.
    pub(crate) advance: f32,
    /// Where it is drawn relative to the pen (y upwards).
    pub(crate) x_offset: f32,
    pub(crate) y_offset: f32,
    /// The characters of the run's text it stands for.
    pub(crate) text: Range<usize>,
}

/// A run of text in one typeface and direction, its glyphs in visual order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) typeface: Typeface,
    pub(crate) text: String,
    pub(crate) glyphs: Vec<ShapedGlyph>,
}

impl Run {
    /// The run's width in ems.
    pub(crate) fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

fn parse(data: &'static [u8]) -> Option<Face<'static>> {
    Face::from_slice(data, 0)
}

static LIBERATION_REGULAR: LazyLock<Option<Face<'static>>> = LazyLock::new(|| parse(REGULAR_TTF));
static LIBERATION_BOLD: LazyLock<Option<Face<'static>>> = LazyLock::new(|| parse(BOLD_TTF));
static DEJAVU_REGULAR: LazyLock<Option<Face<'static>>> =
    LazyLock::new(|| parse(DEJAVU_REGULAR_TTF));
static DEJAVU_BOLD: LazyLock<Option<Face<'static>>> = LazyLock::new(|| parse(DEJAVU_BOLD_TTF));

/// The face of a typeface and weight; `None` only if the embedded font cannot be parsed.
fn face(typeface: Typeface, weight: Weight) -> Option<&'static Face<'static>> {
    match (typeface, weight) {
        (Typeface::Liberation, Weight::Regular) => LIBERATION_REGULAR.as_ref(),
        (Typeface::Liberation, Weight::Bold) => LIBERATION_BOLD.as_ref(),
        (Typeface::DejaVu, Weight::Regular) => DEJAVU_REGULAR.as_ref(),
        (Typeface::DejaVu, Weight::Bold) => DEJAVU_BOLD.as_ref(),
    }
}

/// Whether the typeface has a glyph for `c` in both weights (spaces and joiners, which
/// draw nothing, count as present).
pub(crate) fn covers(typeface: Typeface, c: char) -> bool {
    if c.is_whitespace() || matches!(c, '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}') {
        return true;
    }
    [Weight::Regular, Weight::Bold].into_iter().all(|weight| {
        face(typeface, weight).is_some_and(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
    })
}

/// The typeface a run is set in: Liberation Sans if it has every glyph, else DejaVu Sans.
fn typeface_for(text: &str) -> Typeface {
    if text.chars().all(|c| covers(Typeface::Liberation, c)) {
        Typeface::Liberation
    } else {
        Typeface::DejaVu
    }
}

/// Shapes one run in one direction.
fn shape_run(text: &str, typeface: Typeface, weight: Weight, right_to_left: bool) -> Run {
    let Some(face) = face(typeface, weight) else {
        return Run {
            typeface,
            text: text.to_owned(),
            glyphs: Vec::new(),
        };
    };
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if right_to_left {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    let output = rustybuzz::shape(face, &[], buffer);
    let per_em = (face.units_per_em() as f32).max(1.0);
    let infos = output.glyph_infos();
    // Each glyph stands for its cluster: from its cluster's start to the next start.
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let glyphs = infos
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, position)| {
            let start = info.cluster as usize;
            let end = starts
                .iter()
                .copied()
                .find(|s| *s > start)
                .unwrap_or(text.len());
            ShapedGlyph {
                id: info.glyph_id,
                advance: position.x_advance as f32 / per_em,
                x_offset: position.x_offset as f32 / per_em,
                y_offset: position.y_offset as f32 / per_em,
                text: start..end,
            }
        })
        .collect();
    Run {
        typeface,
        text: text.to_owned(),
        glyphs,
    }
}

/// Whether `text` needs more than one glyph per character from left to right: a letter
/// of a right-to-left script, a combining mark, or a character Liberation Sans lacks.
fn needs_shaping(text: &str) -> bool {
    // Printable ASCII, nearly all of a report, is one Liberation glyph per character.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return false;
    }
    text.chars().any(|c| {
        matches!(
            unicode_bidi::bidi_class(c),
            unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL | unicode_bidi::BidiClass::AN
        ) || matches!(
            c,
            '\u{0300}'..='\u{036F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE20}'..='\u{FE2F}'
        ) || !covers(Typeface::Liberation, c)
    })
}

/// Text that needs no shaping, one Liberation Sans glyph per character at its own
/// advance, as the report has always been set.
fn simple_run(text: &str, weight: Weight) -> Run {
    let glyphs = match crate::font::face(weight) {
        Some(face) => text
            .char_indices()
            .map(|(i, c)| {
                let (id, advance) = face.glyph(c);
                ShapedGlyph {
                    id,
                    advance,
                    x_offset: 0.0,
                    y_offset: 0.0,
                    text: i..i + c.len_utf8(),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Run {
        typeface: Typeface::Liberation,
        text: text.to_owned(),
        glyphs,
    }
}

/// One line of text as runs in visual order, left to right.
pub(crate) fn shape_line(text: &str, weight: Weight) -> Vec<Run> {
    if !needs_shaping(text) {
        return vec![simple_run(text, weight)];
    }
    let bidi = BidiInfo::new(text, None);
    let mut runs = Vec::new();
    for paragraph in &bidi.paragraphs {
        let (levels, visual) = bidi.visual_runs(paragraph, paragraph.range.clone());
        for range in visual {
            let Some(piece) = text.get(range.clone()) else {
                continue;
            };
            let right_to_left = levels.get(range.start).is_some_and(|l| l.is_rtl());
            runs.push(shape_run(piece, typeface_for(piece), weight, right_to_left));
        }
    }
    runs
}

/// The width of a line of text in ems.
pub(crate) fn line_width(text: &str, weight: Weight) -> f32 {
    shape_line(text, weight).iter().map(Run::width).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_is_one_left_to_right_run_in_liberation_sans() {
        let runs = shape_line("Adébáyọ̀ Ó'Ceallaigh-Nguyễn", Weight::Regular);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].typeface, Typeface::Liberation);
        // The combining grave on ọ is drawn over it: it takes no room of its own.
        let plain = shape_run(
            "Adébáyọ Ó'Ceallaigh-Nguyễn",
            Typeface::Liberation,
            Weight::Regular,
            false,
        );
        assert!(
            (runs[0].width() - plain.width()).abs() < 1e-4,
            "{} vs {}",
            runs[0].width(),
            plain.width()
        );
    }

    #[test]
    fn an_arabic_name_is_set_right_to_left_in_dejavu_sans_with_joined_letters() {
        let name = "فاطمة";
        let runs = shape_line(name, Weight::Bold);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].typeface, Typeface::DejaVu);
        // Visual order: the first letter (ف) is drawn last, at the right.
        let last = runs[0].glyphs.last().expect("glyphs");
        assert_eq!(&name[last.text.clone()], "ف");
        // Joined: the initial form of fa differs from its isolated form.
        let isolated = shape_line("ف", Weight::Bold)[0].glyphs[0].id;
        assert_ne!(last.id, isolated, "the letters join");
    }

    #[test]
    fn mixed_latin_and_arabic_keep_each_script_in_its_own_run_and_typeface() {
        let runs = shape_line("Dr فاطمة Khan", Weight::Regular);
        let faces: Vec<Typeface> = runs.iter().map(|r| r.typeface).collect();
        assert_eq!(
            faces,
            [Typeface::Liberation, Typeface::DejaVu, Typeface::Liberation]
        );
    }
}
