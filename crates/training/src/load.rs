//! Loading and validating a module from its sources.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::blocks::{check_asset, parse_block};
use crate::diagnostic::{Diagnostic, Problem, Severity};
use crate::estimate::estimate;
use crate::model::{Block, Manifest, Module, Part, Section};
use crate::render::markdown_options;
use crate::sources::ModuleSources;

/// The path of a module's manifest in its folder.
pub const MANIFEST_PATH: &str = "module.toml";

/// A module that passed validation, with the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The module.
    pub module: Module,
    /// Problems that do not refuse the module.
    pub warnings: Vec<Diagnostic>,
}

/// A module refused by the validator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Refused {
    /// Every problem that refuses the module; never empty.
    pub errors: Vec<Diagnostic>,
    /// The warnings found as well.
    pub warnings: Vec<Diagnostic>,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "the module was refused: {n} {}",
            if n == 1 { "error" } else { "errors" }
        )?;
        for d in &self.errors {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

/// The path of a section's file in the module folder.
pub fn section_path(id: &str) -> String {
    format!("sections/{id}.md")
}

/// Loads and validates a module from its files.
///
/// Every problem is reported, not just the first. Never panics, whatever the
/// input.
pub fn load(sources: &ModuleSources) -> Result<Loaded, Refused> {
    let mut report = Report::default();
    let module = load_module(sources, &mut report);
    let (errors, warnings): (Vec<_>, Vec<_>) = report
        .diagnostics
        .into_iter()
        .partition(Diagnostic::is_error);
    match module {
        Some(module) if errors.is_empty() => Ok(Loaded { module, warnings }),
        _ => Err(Refused {
            errors: if errors.is_empty() {
                // Unreachable in practice: a module is only missing when an
                // error was reported. Keep the contract that `errors` is
                // never empty.
                vec![Diagnostic {
                    severity: Severity::Error,
                    file: MANIFEST_PATH.to_owned(),
                    line: None,
                    column: None,
                    problem: Problem::ManifestMissing,
                }]
            } else {
                errors
            },
            warnings,
        }),
    }
}

#[derive(Default)]
struct Report {
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Records a problem at a byte offset in `text`, the whole file.
    fn at(
        &mut self,
        severity: Severity,
        file: &str,
        text: &str,
        offset: Option<usize>,
        p: Problem,
    ) {
        let (line, column) = match offset {
            Some(offset) => {
                let (l, c) = line_col(text, offset);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.diagnostics.push(Diagnostic {
            severity,
            file: file.to_owned(),
            line,
            column,
            problem: p,
        });
    }

    fn error(&mut self, file: &str, text: &str, offset: Option<usize>, p: Problem) {
        self.at(Severity::Error, file, text, offset, p);
    }

    fn warn(&mut self, file: &str, text: &str, offset: Option<usize>, p: Problem) {
        self.at(Severity::Warning, file, text, offset, p);
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// The offset of the line assigning `key` at the top level of some TOML,
/// to point a diagnostic at it.
fn key_offset(toml_text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in toml_text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// Whether an id is lowercase words joined by hyphens, with dots between parts.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn load_module(sources: &ModuleSources, report: &mut Report) -> Option<Module> {
    let Some(manifest_text) = sources.get(MANIFEST_PATH) else {
        report.error(MANIFEST_PATH, "", None, Problem::ManifestMissing);
        return None;
    };
    let manifest = match toml::from_str::<Manifest>(manifest_text) {
        Ok(m) => m,
        Err(e) => {
            report.error(
                MANIFEST_PATH,
                manifest_text,
                e.span().map(|s| s.start),
                Problem::ManifestInvalid {
                    message: e.message().trim().to_owned(),
                },
            );
            return None;
        }
    };
    check_manifest(&manifest, manifest_text, report);

    let mut sections = Vec::new();
    let mut seen = BTreeSet::new();
    for id in &manifest.sections {
        if !seen.insert(id.as_str()) {
            // Reported by check_manifest.
            continue;
        }
        let path = section_path(id);
        match sources.get(&path) {
            Some(text) => {
                if let Some(section) = load_section(id, &path, text, &manifest, sources, report) {
                    sections.push(section);
                }
            }
            None => report.error(
                MANIFEST_PATH,
                manifest_text,
                key_offset(manifest_text, "sections"),
                Problem::SectionMissing {
                    id: id.clone(),
                    expected_path: path,
                },
            ),
        }
    }
    for (path, _) in sources.texts() {
        let listed = path
            .strip_prefix("sections/")
            .and_then(|p| p.strip_suffix(".md"))
            .is_none_or(|id| seen.contains(id));
        if !listed {
            report.warn(path, "", None, Problem::SectionNotListed);
        }
    }
    let cited: BTreeSet<&str> = sections
        .iter()
        .flat_map(|s| s.sources.iter().map(String::as_str))
        .collect();
    for source in &manifest.sources {
        if !cited.contains(source.id.as_str()) {
            report.warn(
                MANIFEST_PATH,
                manifest_text,
                None,
                Problem::UnusedSource {
                    id: source.id.clone(),
                },
            );
        }
    }

    let module = Module { manifest, sections };
    if let Some(declared) = module.manifest.certificate.learning_minutes {
        let estimated = estimate(&module).total_minutes();
        // "Far below": less than four fifths of the estimate.
        if u64::from(declared) * 5 < u64::from(estimated) * 4 {
            report.warn(
                MANIFEST_PATH,
                manifest_text,
                key_offset(manifest_text, "learning_minutes"),
                Problem::DeclaredTimeBelowEstimate {
                    declared,
                    estimated,
                },
            );
        }
    }
    Some(module)
}

fn check_manifest(manifest: &Manifest, text: &str, report: &mut Report) {
    let file = MANIFEST_PATH;
    for (field, value) in [
        ("title", &manifest.title),
        ("summary", &manifest.summary),
        ("audience", &manifest.audience),
        ("version", &manifest.version),
    ] {
        if value.trim().is_empty() {
            report.error(
                file,
                text,
                key_offset(text, field),
                Problem::EmptyField {
                    field: field.to_owned(),
                },
            );
        }
    }
    if !is_valid_id(&manifest.id) {
        report.error(
            file,
            text,
            key_offset(text, "id"),
            Problem::InvalidId {
                id: manifest.id.clone(),
            },
        );
    }
    if manifest.sections.is_empty() {
        report.error(
            file,
            text,
            key_offset(text, "sections"),
            Problem::NoSections,
        );
    }
    let mut seen = BTreeSet::new();
    for id in &manifest.sections {
        if !is_valid_id(id) || id.contains('.') {
            report.error(
                file,
                text,
                key_offset(text, "sections"),
                Problem::InvalidId { id: id.clone() },
            );
        } else if !seen.insert(id) {
            report.error(
                file,
                text,
                key_offset(text, "sections"),
                Problem::DuplicateSectionId { id: id.clone() },
            );
        }
    }
    let mut seen = BTreeSet::new();
    for source in &manifest.sources {
        let at = text.find(&format!("\"{}\"", source.id));
        if !is_valid_id(&source.id) {
            report.error(
                file,
                text,
                at,
                Problem::InvalidId {
                    id: source.id.clone(),
                },
            );
        } else if !seen.insert(&source.id) {
            report.error(
                file,
                text,
                at,
                Problem::DuplicateSourceId {
                    id: source.id.clone(),
                },
            );
        }
        if source.title.trim().is_empty() {
            report.error(
                file,
                text,
                at,
                Problem::EmptyField {
                    field: "title".to_owned(),
                },
            );
        }
    }
}

/// The parts of a file with front matter.
struct Split<'a> {
    front: &'a str,
    front_offset: usize,
    body: &'a str,
    body_offset: usize,
}

fn split_front_matter(text: &str) -> Result<Split<'_>, Problem> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lines = text
        .get(start..)
        .unwrap_or_default()
        .split_inclusive('\n')
        .scan(start, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        });
    let is_fence = |line: &str| line.trim_end() == "+++";
    let front_offset = match lines.next() {
        Some((at, line)) if is_fence(line) => at + line.len(),
        _ => return Err(Problem::FrontMatterMissing),
    };
    for (at, line) in lines {
        if is_fence(line) {
            let body_offset = at + line.len();
            return Ok(Split {
                front: text.get(front_offset..at).unwrap_or_default(),
                front_offset,
                body: text.get(body_offset..).unwrap_or_default(),
                body_offset,
            });
        }
    }
    Err(Problem::FrontMatterUnclosed)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFront {
    id: String,
    title: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    outcomes: Vec<String>,
    #[serde(default)]
    knowledge: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
}

fn load_section(
    id: &str,
    path: &str,
    text: &str,
    manifest: &Manifest,
    sources: &ModuleSources,
    report: &mut Report,
) -> Option<Section> {
    let split = match split_front_matter(text) {
        Ok(split) => split,
        Err(problem) => {
            report.error(path, text, Some(0), problem);
            return None;
        }
    };
    let front = match toml::from_str::<SectionFront>(split.front) {
        Ok(front) => front,
        Err(e) => {
            report.error(
                path,
                text,
                Some(split.front_offset + e.span().map_or(0, |s| s.start)),
                Problem::FrontMatterInvalid {
                    message: e.message().trim().to_owned(),
                },
            );
            return None;
        }
    };
    let key_at = |key: &str| key_offset(split.front, key).map(|o| split.front_offset + o);
    let errors_before = report.diagnostics.iter().filter(|d| d.is_error()).count();
    if front.id != id {
        report.error(
            path,
            text,
            key_at("id"),
            Problem::SectionIdMismatch {
                expected: id.to_owned(),
                found: front.id.clone(),
            },
        );
    }
    if front.title.trim().is_empty() {
        report.error(
            path,
            text,
            key_at("title"),
            Problem::EmptyField {
                field: "title".to_owned(),
            },
        );
    }
    for (key, ids) in [
        ("knowledge", &front.knowledge),
        ("addresses", &front.addresses),
    ] {
        for statement in ids {
            if !is_valid_id(statement) {
                report.error(
                    path,
                    text,
                    key_at(key),
                    Problem::InvalidId {
                        id: statement.clone(),
                    },
                );
            }
        }
    }
    for source in &front.sources {
        if !manifest.sources.iter().any(|s| &s.id == source) {
            report.error(
                path,
                text,
                key_at("sources"),
                Problem::UnknownSource { id: source.clone() },
            );
        }
    }
    let parts = parse_body(path, text, split.body, split.body_offset, sources, report);
    let errors_after = report.diagnostics.iter().filter(|d| d.is_error()).count();
    (errors_after == errors_before).then(|| Section {
        id: front.id,
        title: front.title,
        summary: front.summary.filter(|s| !s.trim().is_empty()),
        outcomes: front.outcomes,
        knowledge: front.knowledge,
        addresses: front.addresses,
        sources: front.sources,
        parts,
        file: path.to_owned(),
    })
}

/// A fenced or indented code block being read.
struct OpenBlock {
    info: Option<String>,
    range: Range<usize>,
    depth: usize,
    content: String,
    content_start: Option<usize>,
}

/// An inline Markdown image being read.
struct OpenImage {
    src: String,
    alt: String,
    start: usize,
}

fn parse_body(
    path: &str,
    text: &str,
    body: &str,
    body_offset: usize,
    sources: &ModuleSources,
    report: &mut Report,
) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut cursor = 0;
    let mut depth = 0usize;
    let mut block: Option<OpenBlock> = None;
    let mut image: Option<OpenImage> = None;
    let mut warned_html = false;
    let push_markdown = |parts: &mut Vec<Part>, from: usize, to: usize| {
        if let Some(md) = body.get(from..to)
            && !md.trim().is_empty()
        {
            parts.push(Part::Markdown(md.trim_matches('\n').to_owned()));
        }
    };
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                block = Some(OpenBlock {
                    info: match kind {
                        CodeBlockKind::Fenced(info) => Some(info.trim().to_owned()),
                        CodeBlockKind::Indented => None,
                    },
                    range,
                    depth,
                    content: String::new(),
                    content_start: None,
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(open) = block.as_mut() {
                    open.content_start.get_or_insert(range.start);
                    open.content.push_str(&t);
                } else if let Some(open) = image.as_mut() {
                    open.alt.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some(open) = block.take() else { continue };
                let at = body_offset + open.range.start;
                let Some(info) = open.info else {
                    report.error(path, text, Some(at), Problem::IndentedCodeBlock);
                    continue;
                };
                let kind = info.split_whitespace().next().unwrap_or_default();
                if !Block::KINDS.contains(&kind) {
                    report.error(
                        path,
                        text,
                        Some(at),
                        Problem::UnknownBlockKind {
                            kind: kind.to_owned(),
                            known: Block::KINDS.join(", "),
                        },
                    );
                    continue;
                }
                if open.depth > 0 {
                    report.error(
                        path,
                        text,
                        Some(at),
                        Problem::BlockNotAtTopLevel {
                            kind: kind.to_owned(),
                        },
                    );
                    continue;
                }
                push_markdown(&mut parts, cursor, open.range.start);
                cursor = open.range.end;
                match parse_block(kind, &open.content, sources) {
                    Ok(b) => parts.push(Part::Block(b)),
                    Err(problems) => {
                        let content_at =
                            body_offset + open.content_start.unwrap_or(open.range.start);
                        for p in problems {
                            let offset = p.span.map_or(at, |s| content_at + s.start);
                            report.error(path, text, Some(offset), p.problem);
                        }
                    }
                }
            }
            Event::Start(
                Tag::List(_) | Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_),
            ) => {
                depth += 1;
            }
            Event::End(
                TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition,
            ) => {
                depth = depth.saturating_sub(1);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some(OpenImage {
                    src: dest_url.to_string(),
                    alt: String::new(),
                    start: range.start,
                });
            }
            Event::End(TagEnd::Image) => {
                let Some(open) = image.take() else { continue };
                let at = Some(body_offset + open.start);
                if open.alt.trim().is_empty() {
                    report.error(
                        path,
                        text,
                        at,
                        Problem::ImageWithoutAltText {
                            src: open.src.clone(),
                        },
                    );
                }
                let mut problems = Vec::new();
                check_asset(&open.src, sources, &mut problems);
                for p in problems {
                    report.error(path, text, at, p);
                }
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => report.warn(
                path,
                text,
                Some(body_offset + range.start),
                Problem::TopLevelHeading,
            ),
            Event::Html(_) | Event::InlineHtml(_) if !warned_html => {
                warned_html = true;
                report.warn(
                    path,
                    text,
                    Some(body_offset + range.start),
                    Problem::RawHtml,
                );
            }
            _ => {}
        }
    }
    push_markdown(&mut parts, cursor, body.len());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_from_the_body() {
        let split = split_front_matter("+++\nid = \"a\"\n+++\nBody\n").unwrap();
        assert_eq!(split.front, "id = \"a\"\n");
        assert_eq!(split.body, "Body\n");
        assert_eq!(split.front_offset, 4);
    }

    #[test]
    fn front_matter_with_windows_line_endings_is_split() {
        let split = split_front_matter("+++\r\nid = \"a\"\r\n+++\r\nBody").unwrap();
        assert_eq!(split.front, "id = \"a\"\r\n");
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn ids_are_lowercase_words_with_hyphens_and_dots() {
        assert!(is_valid_id("knowledge-national-guidance"));
        assert!(is_valid_id("da-act-2021"));
        assert!(!is_valid_id("Signs"));
        assert!(!is_valid_id("a..b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 10), (1, 1));
    }
}
