//! The CPD certificate: one A4 landscape page, typeset with the embedded Liberation Sans
//! and written with krilla like the report.
//!
//! The certificate shows the name the respondent typed, the module, the month and year
//! of completion (a [`CertificateMonth`]: never the day, which could be matched with the
//! dates of a response), the learning time, the verification code and where anyone can check it. The name is a
//! [`CertificateName`], which can only be made by [`CertificateName::parse`]: whitespace
//! trimmed and collapsed, at most [`CertificateName::MAX_CHARS`] characters, and every
//! character one the font can print. So a certificate never shows a `?` or an empty box
//! in place of a letter, and a name is never cut short: a long one is set smaller and
//! wrapped onto more lines.
//!
//! Liberation Sans covers the Latin, Greek and Cyrillic alphabets (Vietnamese included).
//! Scripts it has no glyphs for (Chinese, Japanese, Korean, Devanagari...) and scripts that
//! need right-to-left layout or shaping (Arabic, Hebrew...) are refused, not printed
//! wrongly; see [`crate::font::unsupported_characters`].
//!
//! Coordinates are PDF points from the top-left corner of the page, y down.

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::Rect;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, SpanTag, Tag, TagGroup, TagKind, TagTree,
};

use crate::ReportError;
use crate::charts::{Anchor, Color, GRID, Mark, SECONDARY, TEXT};
use crate::font::{Weight, text_width, unsupported_characters, wrap};
use crate::pdf::{Fonts, draw_mark};

/// A4 landscape width in points.
pub const PAGE_WIDTH: f32 = 841.89;
/// A4 landscape height in points.
pub const PAGE_HEIGHT: f32 = 595.28;
/// Distance from each edge of the page to the text (25 mm).
pub const MARGIN: f32 = 70.87;
/// Width of the text area.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// The title printed at the top of every certificate.
pub const TITLE: &str = "Certificate of continuing professional development";

/// The deep blue of the frame, the title and the rules.
const ACCENT: Color = Color(0x1d, 0x3f, 0x6e);
/// The centre of the page.
const CENTRE: f32 = PAGE_WIDTH / 2.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.22;

/// A name to print on a certificate: whitespace trimmed and collapsed to single spaces,
/// invisible formatting characters removed, not empty, at most
/// [`CertificateName::MAX_CHARS`] characters, and every character printable in the
/// embedded font.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateName(String);

/// Why a typed name cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but whitespace was typed.
    #[error("the name is empty")]
    Empty,
    /// The name is longer than [`CertificateName::MAX_CHARS`] characters.
    #[error("the name is longer than {max} characters")]
    TooLong {
        /// The most characters a name may have.
        max: usize,
    },
    /// The font cannot print these characters (each once, in the order typed).
    #[error("the certificate's font cannot print {}", list(.0))]
    Unsupported(Vec<char>),
}

fn list(characters: &[char]) -> String {
    characters
        .iter()
        .map(char::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Characters that draw nothing and only steer layout this crate does not do (zero-width
/// spaces and joiners, direction marks and embeddings, the soft hyphen, the byte order
/// mark), dropped from a name rather than refused: they are invisible when typed or
/// pasted, so a respondent could not find them to remove.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

impl CertificateName {
    /// The most characters a name may have (after whitespace is collapsed). A name this
    /// long in the widest letters still fits the page, set smaller on up to three lines.
    pub const MAX_CHARS: usize = 100;

    /// Reads a typed name: trims it, collapses each run of whitespace (tabs, new lines,
    /// no-break spaces...) to one space and drops invisible formatting characters, then
    /// checks it is not empty, not too long and printable.
    pub fn parse(typed: &str) -> Result<CertificateName, NameError> {
        let visible: String = typed.chars().filter(|&c| !invisible(c)).collect();
        let name = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(NameError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let unsupported = unsupported_characters(&name);
        if !unsupported.is_empty() {
            return Err(NameError::Unsupported(unsupported));
        }
        Ok(CertificateName(name))
    }

    /// The name as it is printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CertificateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The English name of a month (1 to 12), as dates are written in the UK.
pub fn month_name(month: u8) -> Option<&'static str> {
    skafada_instrument::MONTH_NAMES
        .get(usize::from(month).checked_sub(1)?)
        .copied()
}

/// The month and year a certificate was completed, e.g. "December 2026".
///
/// It has no day by construction: an employer who collects certificates must not be
/// able to match one with the date of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateMonth {
    year: u16,
    month: u8,
}

impl CertificateMonth {
    /// The month of a year (1 to 12), or `None` if there is no such month.
    pub fn new(year: u16, month: u8) -> Option<CertificateMonth> {
        (1..=12)
            .contains(&month)
            .then_some(CertificateMonth { year, month })
    }

    /// Reads a stored month, `YYYY-MM`; `None` for anything else (a full date
    /// included).
    pub fn parse(stored: &str) -> Option<CertificateMonth> {
        let (year, month) = stored.split_once('-')?;
        let digits =
            |text: &str, n: usize| text.len() == n && text.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        CertificateMonth::new(year.parse().ok()?, month.parse().ok()?)
    }
}

impl std::fmt::Display for CertificateMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", month_name(self.month).unwrap_or(""), self.year)
    }
}

/// Everything a certificate states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDetails {
    /// The name the respondent typed (never stored).
    pub name: CertificateName,
    /// The training module's title.
    pub module_title: String,
    /// The month and year of completion, printed as "May 2026".
    pub completed: CertificateMonth,
    /// The learning time the certificate records, in minutes.
    pub learning_minutes: i64,
    /// The verification code, e.g. `ABCDE-FGHJK-LMNPQ`.
    pub code: String,
    /// Where anyone can check the code, e.g. `https://survey.example.org/verify`.
    pub verify_url: String,
}

/// The learning time in words, stated once: "45 minutes", "1 hour 25 minutes", "2 hours".
pub fn learning_time(minutes: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (hours, rest) {
        (h, _) if h <= 0 => plural(minutes, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// The laid-out certificate: what to draw, and the link to the verification page.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateLayout {
    /// Frame, rules and lines of text (each left-, centre- or right-anchored at its `x`,
    /// `y` the baseline), on a page of [`PAGE_WIDTH`] by [`PAGE_HEIGHT`].
    pub marks: Vec<Mark>,
    /// The area of the verification address (left, top, width, height) and the address
    /// it opens: the verification page with this certificate's code filled in.
    pub link: Option<((f32, f32, f32, f32), String)>,
}

/// Lines of text set at one size.
struct Block {
    lines: Vec<String>,
    size: f32,
    weight: Weight,
}

impl Block {
    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.size * LEADING
    }
}

/// Sets `text` at the first `(size, most lines)` step it fits, wrapped to `width`; if it
/// fits none, at the last step's size on as many lines as it takes (never truncated).
fn fit(text: &str, weight: Weight, width: f32, steps: &[(f32, usize)]) -> Block {
    let mut last = None;
    for &(size, most) in steps {
        let lines = wrap(text, size, weight, width);
        if lines.len() <= most {
            return Block {
                lines,
                size,
                weight,
            };
        }
        last = Some(Block {
            lines,
            size,
            weight,
        });
    }
    last.unwrap_or(Block {
        lines: vec![text.to_owned()],
        size: 12.0,
        weight,
    })
}

/// The name: one line as large as it fits, then two, then three or more, smaller.
const NAME_STEPS: &[(f32, usize)] = &[
    (36.0, 1),
    (32.0, 1),
    (28.0, 1),
    (26.0, 1),
    (28.0, 2),
    (26.0, 2),
    (24.0, 2),
    (22.0, 3),
    (20.0, 3),
    (18.0, 4),
    (16.0, 5),
    (14.0, 6),
];

/// The module title: smaller than the name, wrapped more readily.
const MODULE_STEPS: &[(f32, usize)] = &[
    (20.0, 1),
    (18.0, 1),
    (20.0, 2),
    (18.0, 2),
    (16.0, 3),
    (14.0, 4),
    (12.0, 5),
    (10.0, 7),
];

fn text(x: f32, y: f32, text: &str, size: f32, weight: Weight, fill: Color) -> Mark {
    Mark::Text {
        x,
        y,
        text: text.to_owned(),
        size,
        anchor: Anchor::Middle,
        weight,
        fill,
    }
}

fn line(x1: f32, y1: f32, x2: f32, y2: f32, stroke: Color, width: f32) -> Mark {
    Mark::Line {
        x1,
        y1,
        x2,
        y2,
        stroke,
        width,
    }
}

/// A rectangle's outline as four lines.
fn frame(marks: &mut Vec<Mark>, inset: f32, color: Color, width: f32) {
    let (left, top) = (inset, inset);
    let (right, bottom) = (PAGE_WIDTH - inset, PAGE_HEIGHT - inset);
    let half = width / 2.0;
    marks.push(line(left - half, top, right + half, top, color, width));
    marks.push(line(
        left - half,
        bottom,
        right + half,
        bottom,
        color,
        width,
    ));
    marks.push(line(left, top, left, bottom, color, width));
    marks.push(line(right, top, right, bottom, color, width));
}

/// Centred lines of a block from `top`; returns the y below it.
fn place(marks: &mut Vec<Mark>, block: &Block, top: f32, fill: Color) -> f32 {
    let mut y = top;
    for l in &block.lines {
        // The baseline sits about 80% of the way down a line of this leading.
        marks.push(text(
            CENTRE,
            y + block.size * 0.97,
            l,
            block.size,
            block.weight,
            fill,
        ));
        y += block.size * LEADING;
    }
    y
}

/// Lays out the certificate on one page: a double frame; the title; "This certifies
/// that", the name and "completed the online training module" with the module's title,
/// centred in the space below the title; the month of completion and learning time side by side; and,
/// under a rule at the foot, the verification code and where to check it.
pub fn layout(details: &CertificateDetails) -> CertificateLayout {
    let mut marks = Vec::new();
    frame(&mut marks, 22.0, ACCENT, 2.5);
    frame(&mut marks, 29.0, ACCENT, 0.75);

    // Title and a short rule under it.
    let title = fit(
        TITLE,
        Weight::Bold,
        TEXT_WIDTH,
        &[(28.0, 1), (26.0, 1), (24.0, 1), (22.0, 2)],
    );
    let below_title = place(&mut marks, &title, 78.0, ACCENT);
    let rule_y = below_title + 14.0;
    marks.push(line(
        CENTRE - 60.0,
        rule_y,
        CENTRE + 60.0,
        rule_y,
        ACCENT,
        1.5,
    ));

    // The foot, from the bottom up: the verification address, the code and a rule.
    let check = fit(
        &format!("Check this certificate at {}", details.verify_url),
        Weight::Regular,
        TEXT_WIDTH,
        &[(11.0, 1), (10.0, 1), (9.0, 2), (8.0, 3)],
    );
    let check_top = PAGE_HEIGHT - 58.0 - check.height();
    let code_size = 12.0;
    let code_top = check_top - code_size * LEADING - 2.0;
    let foot_rule = code_top - 14.0;

    // The month of completion and the learning time, side by side above the foot.
    let label_size = 10.0;
    let value_size = 15.0;
    let details_top = foot_rule - 26.0 - label_size * LEADING - value_size * LEADING;

    // The middle: centred between the title's rule and the details.
    let lead_in = Block {
        lines: vec!["This certifies that".to_owned()],
        size: 14.0,
        weight: Weight::Regular,
    };
    let completed = Block {
        lines: vec!["completed the online training module".to_owned()],
        size: 14.0,
        weight: Weight::Regular,
    };
    let name = fit(details.name.as_str(), Weight::Bold, TEXT_WIDTH, NAME_STEPS);
    let module = fit(
        &details.module_title,
        Weight::Bold,
        TEXT_WIDTH,
        MODULE_STEPS,
    );
    let (gap_small, gap_large) = (10.0, 20.0);
    let middle = lead_in.height()
        + gap_small
        + name.height()
        + gap_large
        + completed.height()
        + gap_small
        + module.height();
    let space_top = rule_y + 14.0;
    let space = details_top - 14.0 - space_top;
    let mut y = space_top + ((space - middle) / 2.0).max(0.0);
    y = place(&mut marks, &lead_in, y, SECONDARY) + gap_small;
    y = place(&mut marks, &name, y, TEXT);
    let name_rule = y + gap_large / 2.0;
    marks.push(line(
        CENTRE - 150.0,
        name_rule,
        CENTRE + 150.0,
        name_rule,
        GRID,
        0.75,
    ));
    y += gap_large;
    y = place(&mut marks, &completed, y, SECONDARY) + gap_small;
    place(&mut marks, &module, y, TEXT);

    let column = TEXT_WIDTH / 5.0;
    for (x, label, value) in [
        (CENTRE - column, "Completed", details.completed.to_string()),
        (
            CENTRE + column,
            "Learning time",
            learning_time(details.learning_minutes),
        ),
    ] {
        let label_base = details_top + label_size;
        marks.push(text(
            x,
            label_base,
            label,
            label_size,
            Weight::Regular,
            SECONDARY,
        ));
        marks.push(text(
            x,
            label_base + 6.0 + value_size,
            &value,
            value_size,
            Weight::Bold,
            TEXT,
        ));
    }

    marks.push(line(
        MARGIN,
        foot_rule,
        PAGE_WIDTH - MARGIN,
        foot_rule,
        GRID,
        0.75,
    ));
    let label = "Verification code: ";
    let label_width = text_width(label, code_size, Weight::Regular);
    let code_width = text_width(&details.code, code_size, Weight::Bold);
    let start = CENTRE - (label_width + code_width) / 2.0;
    let code_base = code_top + code_size * 0.97;
    marks.push(Mark::Text {
        x: start,
        y: code_base,
        text: label.to_owned(),
        size: code_size,
        anchor: Anchor::Start,
        weight: Weight::Regular,
        fill: TEXT,
    });
    marks.push(Mark::Text {
        x: start + label_width,
        y: code_base,
        text: details.code.clone(),
        size: code_size,
        anchor: Anchor::Start,
        weight: Weight::Bold,
        fill: TEXT,
    });
    place(&mut marks, &check, check_top, SECONDARY);

    let widest = check
        .lines
        .iter()
        .map(|l| text_width(l, check.size, check.weight))
        .fold(0.0, f32::max);
    let link = (!details.verify_url.is_empty()).then(|| {
        (
            (CENTRE - widest / 2.0, check_top, widest, check.height()),
            format!("{}?code={}", details.verify_url, details.code),
        )
    });
    CertificateLayout { marks, link }
}

/// Refuses text the font cannot print, naming the part of the certificate.
fn printable(part: &'static str, text: &str) -> Result<(), ReportError> {
    let characters = unsupported_characters(text);
    if characters.is_empty() {
        Ok(())
    } else {
        Err(ReportError::Unprintable { part, characters })
    }
}

/// The certificate as a one-page PDF (A4 landscape, the font subset embedded, the title
/// and language in the document metadata, the verification address a link).
///
/// The name and month are printable by construction; the module title, code and address come
/// from the study and are checked here, so a character the font lacks is an error rather
/// than an empty box.
pub fn certificate_pdf(details: &CertificateDetails) -> Result<Vec<u8>, ReportError> {
    printable("module title", &details.module_title)?;
    printable("verification code", &details.code)?;
    printable("verification address", &details.verify_url)?;
    let fonts = Fonts::embedded()?;
    let laid_out = layout(details);
    let mut document = krilla::Document::new();
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ReportError::Pdf("invalid page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    // Tagged for screen readers: the title is the heading, each other line of text a
    // paragraph, in the order they are set; the frame and rules are artifacts.
    let mut tree = TagTree::new().with_lang(Some("en-GB".to_owned()));
    for mark in &laid_out.marks {
        let Mark::Text { text, .. } = mark else {
            surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Other,
            )));
            draw_mark(&mut surface, &fonts, mark);
            surface.end_tagged();
            continue;
        };
        let part = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
        draw_mark(&mut surface, &fonts, mark);
        surface.end_tagged();
        let tag: TagKind = if text == TITLE {
            Tag::Hn(std::num::NonZeroU16::MIN, Some(TITLE.to_owned())).into()
        } else {
            Tag::P.into()
        };
        let mut group = TagGroup::new(tag);
        group.push(part);
        tree.push(group);
    }
    surface.finish();
    if let Some(((x, y, width, height), url)) = laid_out.link
        && let Some(rect) = Rect::from_xywh(x, y, width, height)
    {
        page.add_annotation(Annotation::new_link(
            LinkAnnotation::new(rect, Target::Action(LinkAction::new(url).into())),
            Some("Check this certificate".to_owned()),
        ));
    }
    page.finish();
    document.set_tag_tree(tree);
    document.set_metadata(
        Metadata::new()
            .title(format!("CPD certificate: {}", details.module_title))
            .description(TITLE.to_owned())
            .language("en-GB".to_owned())
            .creator("skafada".to_owned()),
    );
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_month_is_a_month_and_year_and_never_a_day() {
        assert_eq!(
            CertificateMonth::parse("2026-12").map(|m| m.to_string()),
            Some("December 2026".to_owned())
        );
        assert_eq!(
            CertificateMonth::parse("2026-01").map(|m| m.to_string()),
            Some("January 2026".to_owned())
        );
        for refused in [
            "2026-12-06",
            "2026-13",
            "2026-00",
            "2026-1",
            "26-12",
            "",
            "2026/12",
        ] {
            assert_eq!(CertificateMonth::parse(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn learning_time_is_stated_once_in_hours_and_minutes() {
        assert_eq!(learning_time(1), "1 minute");
        assert_eq!(learning_time(45), "45 minutes");
        assert_eq!(learning_time(61), "1 hour 1 minute");
        assert_eq!(learning_time(85), "1 hour 25 minutes");
        assert_eq!(learning_time(120), "2 hours");
    }
}
