//! Parsing and validating instrument files.
//!
//! Loading is two steps so that the pure core never touches the file system:
//! [`parse`] turns text into a [`Draft`] (syntax and shape), and [`Draft::validate`]
//! checks identifiers, codes, routing and twins, given the pre-training instrument
//! when the draft is a post-training survey. The caller reads the files.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::model::{
    Choice, Condition, EndRule, Instrument, Item, ItemKind, MissingKind, Page, Phase, Row, Scale,
    Specify, Statement,
};

/// The longest free-text answer accepted when an item does not say.
pub const DEFAULT_TEXT_MAX_LENGTH: u32 = 5_000;

/// A position in a source file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

/// The kinds of problem the loader reports; each has its own test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file is not valid TOML, or a key has the wrong type.
    Syntax,
    /// A key the format does not know, or a key the item's type does not take.
    UnexpectedKey,
    /// A required key is missing or empty.
    Missing,
    /// An identifier is not lower-case letters, digits and hyphens.
    InvalidIdentifier,
    /// Two things share one identifier.
    DuplicateIdentifier,
    /// Two options of one item or scale share a code.
    DuplicateCode,
    /// A matrix names a scale that is not defined.
    UnknownScale,
    /// A condition names an item that does not exist.
    UnknownRoutingTarget,
    /// A condition names an item that comes later, or one that has no codes.
    InvalidRoutingTarget,
    /// A condition, end rule or follow-up names a code the item does not offer.
    UnknownCode,
    /// A twin names an item or row that the pre-training survey does not have.
    UnknownTwin,
    /// A twin's substantive options differ from its pre-training item's.
    TwinScaleDiffers,
    /// Twins are declared where they cannot be checked or do not belong.
    TwinNotAllowed,
    /// A number range or length limit that cannot be satisfied.
    InvalidRange,
    /// The survey's opening or closing text gives a fixed date (a deadline), which is
    /// wrong as soon as the study is run again: `{closes_on}` gives the study's own.
    DatedText,
}

/// One thing wrong with an instrument file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// Where it is, when known.
    pub location: Option<Location>,
    /// A sentence saying what is wrong.
    pub message: String,
}

/// Why an instrument file was refused: every problem found, each with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file name as given by the caller.
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            match problem.location {
                Some(at) => write!(
                    f,
                    "{}:{}:{}: {}",
                    self.file, at.line, at.column, problem.message
                )?,
                None => write!(f, "{}: {}", self.file, problem.message)?,
            }
        }
        Ok(())
    }
}

impl LoadError {
    /// Whether any problem is of this kind.
    pub fn has(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|p| p.kind == kind)
    }
}

/// A parsed but not yet validated instrument.
#[derive(Debug)]
pub struct Draft {
    file: String,
    source: String,
    raw: RawInstrument,
}

/// Parses an instrument file's text. `file` names it in messages.
pub fn parse(source: &str, file: &str) -> Result<Draft, LoadError> {
    match toml::from_str::<RawInstrument>(source) {
        Ok(raw) => Ok(Draft {
            file: file.to_owned(),
            source: source.to_owned(),
            raw,
        }),
        Err(error) => {
            let location = error.span().map(|span| locate(source, span.start));
            Err(LoadError {
                file: file.to_owned(),
                problems: vec![Problem {
                    kind: ProblemKind::Syntax,
                    location,
                    message: error.message().trim().to_owned(),
                }],
            })
        }
    }
}

/// Parses and validates a file that has no twins to check (a pre-training or standalone survey).
pub fn load(source: &str, file: &str) -> Result<Instrument, LoadError> {
    parse(source, file)?.validate(None)
}

impl Draft {
    /// The pre-training file a post-training survey compares with, as written.
    pub fn compares_with(&self) -> Option<&str> {
        self.raw
            .compares_with
            .as_ref()
            .map(|s| s.get_ref().as_str())
    }

    /// Checks the draft and builds the instrument. `twin_source` is the validated
    /// pre-training instrument that a post-training survey's twins refer to.
    pub fn validate(self, twin_source: Option<&Instrument>) -> Result<Instrument, LoadError> {
        let all_ids = self
            .raw
            .pages
            .iter()
            .flat_map(|page| page.get_ref().items.iter())
            .flat_map(|item| {
                let item = item.get_ref();
                let rows = item.rows.iter().flat_map(|rows| {
                    rows.get_ref()
                        .iter()
                        .map(|r| r.get_ref().id.get_ref().clone())
                });
                std::iter::once(item.id.get_ref().clone()).chain(rows)
            })
            .collect();
        let mut checker = Checker {
            source: &self.source,
            problems: Vec::new(),
            all_ids,
        };
        let instrument = checker.build(&self.raw, twin_source);
        if checker.problems.is_empty() {
            Ok(instrument)
        } else {
            let mut problems = checker.problems;
            problems.sort_by_key(|p| p.location);
            Err(LoadError {
                file: self.file,
                problems,
            })
        }
    }
}

/// The 1-based line and column of a byte offset.
fn locate(source: &str, offset: usize) -> Location {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Location { line, column }
}

/// Written in a survey's opening or closing text, replaced by the study's closing date
/// (e.g. "31 July 2027") where the text is shown.
pub const CLOSES_ON: &str = "{closes_on}";

/// The English month names, January first, as dates are written in the UK.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The first date written out in `text` as a day, a month name and a year ("24th July
/// 2023", "24 July 2023", "July 24, 2023"), if any.
fn written_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let day = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &w[digits.len()..];
        digits.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
            && ["", "st", "nd", "rd", "th"].contains(&suffix.to_ascii_lowercase().as_str())
    };
    let month = |w: &str| MONTH_NAMES.iter().any(|m| m.eq_ignore_ascii_case(w));
    let year = |w: &str| {
        let w = w.trim_end_matches(['.', ';', ':', ')']);
        w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())
    };
    words.windows(3).find_map(|w| {
        let (a, b, c) = (w[0], w[1], w[2]);
        let found = (day(a) && month(b) && year(c)) || (month(a) && day(b) && year(c));
        found.then(|| format!("{a} {b} {}", c.trim_end_matches(['.', ';', ':', ')'])))
    })
}

// ---------------------------------------------------------------------------
// The file as written

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawInstrument {
    id: Spanned<String>,
    title: String,
    version: Option<String>,
    phase: Phase,
    compares_with: Option<Spanned<String>>,
    source: Option<String>,
    intro: Option<Spanned<String>>,
    closing: Option<Spanned<String>>,
    #[serde(default)]
    scales: BTreeMap<String, Spanned<RawScale>>,
    #[serde(default)]
    pages: Vec<Spanned<RawPage>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawScale {
    options: Vec<RawOption>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawOption {
    code: Spanned<u32>,
    label: String,
    missing: Option<MissingKind>,
    #[serde(default)]
    exclusive: bool,
    group: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPage {
    id: Spanned<String>,
    title: String,
    intro: Option<String>,
    show_if: Option<Spanned<RawCondition>>,
    #[serde(default)]
    items: Vec<Spanned<RawItem>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawType {
    Consent,
    Single,
    Multiple,
    Matrix,
    Text,
    Number,
    Year,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    #[serde(rename = "type")]
    kind: RawType,
    text: String,
    number: Option<String>,
    hint: Option<String>,
    show_if: Option<Spanned<RawCondition>>,
    end_if: Option<Spanned<RawEndRule>>,
    twin: Option<Spanned<String>>,
    specify: Option<Spanned<RawSpecify>>,
    #[serde(default)]
    corrections: Vec<String>,
    options: Option<Spanned<Vec<RawOption>>>,
    scale: Option<Spanned<String>>,
    rows: Option<Spanned<Vec<Spanned<RawRow>>>>,
    statements: Option<Spanned<Vec<Spanned<RawStatement>>>>,
    multiline: Option<Spanned<bool>>,
    max_length: Option<Spanned<u32>>,
    min: Option<Spanned<i64>>,
    max: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawRow {
    id: Spanned<String>,
    text: String,
    number: Option<String>,
    twin: Option<Spanned<String>>,
    #[serde(default)]
    reverse: bool,
    #[serde(default)]
    corrections: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawStatement {
    id: Spanned<String>,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSpecify {
    id: Spanned<String>,
    text: String,
    when: Vec<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawCondition {
    item: Option<Spanned<String>>,
    is: Option<Vec<Spanned<u32>>>,
    all: Option<Vec<Spanned<RawCondition>>>,
    any: Option<Vec<Spanned<RawCondition>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawEndRule {
    is: Vec<Spanned<u32>>,
    message: String,
}

// ---------------------------------------------------------------------------
// Checking

/// A variable that routing can refer to: a choice item or a matrix row.
struct RoutingTarget {
    /// Position in document order, to refuse forward references.
    order: usize,
    /// The codes the variable can take; empty for variables without codes.
    codes: Vec<u32>,
}

struct Checker<'a> {
    source: &'a str,
    problems: Vec<Problem>,
    /// Every item and row identifier in the file, to tell "comes later" from "unknown".
    all_ids: std::collections::HashSet<String>,
}

impl Checker<'_> {
    fn report(&mut self, kind: ProblemKind, span: Range<usize>, message: String) {
        let location = Some(locate(self.source, span.start));
        self.problems.push(Problem {
            kind,
            location,
            message,
        });
    }

    fn build(&mut self, raw: &RawInstrument, twin_source: Option<&Instrument>) -> Instrument {
        self.check_identifier(&raw.id);
        self.check_framing(raw);
        if raw.title.trim().is_empty() {
            self.report(
                ProblemKind::Missing,
                raw.id.span(),
                "the instrument has an empty `title`".into(),
            );
        }
        match (raw.phase, &raw.compares_with) {
            (Phase::Post, None) => self.report(
                ProblemKind::Missing,
                raw.id.span(),
                "a post-training survey needs `compares-with`, the file of its pre-training survey"
                    .into(),
            ),
            (Phase::Pre | Phase::Standalone, Some(other)) => self.report(
                ProblemKind::UnexpectedKey,
                other.span(),
                "only a post-training survey (`phase = \"post\"`) compares with another".into(),
            ),
            _ => {}
        }

        let mut scales = BTreeMap::new();
        for (name, scale) in &raw.scales {
            if !is_identifier(name) {
                self.report(
                    ProblemKind::InvalidIdentifier,
                    scale.span(),
                    format!("scale name `{name}` must be lower-case letters, digits and hyphens, starting with a letter"),
                );
            }
            let options = self.options(
                &scale.get_ref().options,
                scale.span(),
                &format!("scale `{name}`"),
                false,
            );
            scales.insert(
                name.clone(),
                Scale {
                    id: name.clone(),
                    options,
                },
            );
        }
        if raw.pages.is_empty() {
            self.report(
                ProblemKind::Missing,
                raw.id.span(),
                "the instrument has no `[[pages]]`".into(),
            );
        }

        // Identifiers of items, rows, statements and follow-ups share one namespace.
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut page_ids: HashMap<String, Range<usize>> = HashMap::new();
        let mut targets: HashMap<String, RoutingTarget> = HashMap::new();
        let mut twins_used: HashMap<String, Range<usize>> = HashMap::new();
        let mut order = 0usize;
        let mut pages = Vec::new();

        for raw_page in &raw.pages {
            let page = raw_page.get_ref();
            self.check_identifier(&page.id);
            self.check_unique(&mut page_ids, &page.id, "page");
            if page.title.trim().is_empty() {
                self.report(
                    ProblemKind::Missing,
                    page.id.span(),
                    format!("page `{}` has an empty `title`", page.id.get_ref()),
                );
            }
            if page.items.is_empty() {
                self.report(
                    ProblemKind::Missing,
                    page.id.span(),
                    format!("page `{}` has no items", page.id.get_ref()),
                );
            }
            let show_if = page
                .show_if
                .as_ref()
                .map(|c| self.condition(c, &targets, order));
            let mut items = Vec::new();
            for raw_item in &page.items {
                let item = self.item(
                    raw_item.get_ref(),
                    &scales,
                    &targets,
                    order,
                    raw.phase,
                    twin_source,
                    &mut twins_used,
                );
                // Register what this item defines, after checking its own conditions,
                // so that an item cannot route on itself.
                self.register(
                    raw_item.get_ref(),
                    &item,
                    &mut seen,
                    &mut targets,
                    &mut order,
                );
                items.push(item);
            }
            pages.push(Page {
                id: page.id.get_ref().clone(),
                title: page.title.clone(),
                intro: page.intro.clone(),
                show_if,
                items,
            });
        }

        Instrument {
            id: raw.id.get_ref().clone(),
            title: raw.title.clone(),
            version: raw.version.clone(),
            phase: raw.phase,
            compares_with: raw.compares_with.as_ref().map(|s| s.get_ref().clone()),
            source: raw.source.clone(),
            intro: raw.intro.as_ref().map(|t| t.get_ref().clone()),
            closing: raw.closing.as_ref().map(|t| t.get_ref().clone()),
            scales,
            pages,
        }
    }

    /// The survey's opening and closing text may not name a fixed date: a deadline
    /// written into the file is wrong the next time the study is run.
    fn check_framing(&mut self, raw: &RawInstrument) {
        for (key, text) in [("intro", &raw.intro), ("closing", &raw.closing)] {
            let Some(text) = text else { continue };
            if let Some(date) = written_date(text.get_ref()) {
                self.report(
                    ProblemKind::DatedText,
                    text.span(),
                    format!(
                        "the {key} text gives the date \"{date}\", which will be wrong when the study is run again; write {CLOSES_ON} for the study's closing date"
                    ),
                );
            }
        }
    }

    fn check_identifier(&mut self, id: &Spanned<String>) {
        if !is_identifier(id.get_ref()) {
            self.report(
                ProblemKind::InvalidIdentifier,
                id.span(),
                format!(
                    "identifier `{}` must be lower-case letters, digits and hyphens, starting with a letter",
                    id.get_ref()
                ),
            );
        }
    }

    fn check_unique(
        &mut self,
        seen: &mut HashMap<String, Range<usize>>,
        id: &Spanned<String>,
        what: &str,
    ) {
        if let Some(first) = seen.get(id.get_ref()) {
            let first = locate(self.source, first.start);
            self.report(
                ProblemKind::DuplicateIdentifier,
                id.span(),
                format!(
                    "duplicate {what} identifier `{}` (first used at line {}, column {})",
                    id.get_ref(),
                    first.line,
                    first.column
                ),
            );
        } else {
            seen.insert(id.get_ref().clone(), id.span());
        }
    }

    fn register(
        &mut self,
        raw: &RawItem,
        item: &Item,
        seen: &mut HashMap<String, Range<usize>>,
        targets: &mut HashMap<String, RoutingTarget>,
        order: &mut usize,
    ) {
        let mut add = |checker: &mut Self, id: &Spanned<String>, codes: Vec<u32>| {
            checker.check_identifier(id);
            checker.check_unique(seen, id, "item");
            *order += 1;
            targets
                .entry(id.get_ref().clone())
                .or_insert(RoutingTarget {
                    order: *order,
                    codes,
                });
        };
        let item_codes = match &item.kind {
            ItemKind::Single { options } | ItemKind::Multiple { options } => {
                options.iter().map(|o| o.code).collect()
            }
            _ => Vec::new(),
        };
        add(self, &raw.id, item_codes);
        if let ItemKind::Matrix { options, .. } = &item.kind {
            let codes: Vec<u32> = options.iter().map(|o| o.code).collect();
            for row in raw.rows.iter().flat_map(|rows| rows.get_ref()) {
                add(self, &row.get_ref().id, codes.clone());
            }
        }
        for statement in raw.statements.iter().flat_map(|s| s.get_ref()) {
            add(self, &statement.get_ref().id, Vec::new());
        }
        if let Some(specify) = &raw.specify {
            add(self, &specify.get_ref().id, Vec::new());
        }
    }

    fn options(
        &mut self,
        raw: &[RawOption],
        span: Range<usize>,
        owner: &str,
        multiple: bool,
    ) -> Vec<Choice> {
        if raw.is_empty() {
            self.report(
                ProblemKind::Missing,
                span,
                format!("{owner} has no options"),
            );
        }
        let mut codes: HashMap<u32, Range<usize>> = HashMap::new();
        let mut options = Vec::with_capacity(raw.len());
        for option in raw {
            let code = *option.code.get_ref();
            if let Some(first) = codes.get(&code) {
                let first = locate(self.source, first.start);
                self.report(
                    ProblemKind::DuplicateCode,
                    option.code.span(),
                    format!(
                        "{owner} uses code {code} twice (first at line {}, column {})",
                        first.line, first.column
                    ),
                );
            } else {
                codes.insert(code, option.code.span());
            }
            if option.label.trim().is_empty() {
                self.report(
                    ProblemKind::Missing,
                    option.code.span(),
                    format!("option {code} of {owner} has an empty `label`"),
                );
            }
            if option.exclusive && !multiple {
                self.report(
                    ProblemKind::UnexpectedKey,
                    option.code.span(),
                    format!(
                        "option {code} of {owner}: `exclusive` only applies to multiple choice"
                    ),
                );
            }
            options.push(Choice {
                code,
                label: option.label.clone(),
                missing: option.missing,
                exclusive: option.exclusive,
                group: option.group.clone(),
            });
        }
        options
    }

    #[allow(clippy::too_many_arguments)]
    fn item(
        &mut self,
        raw: &RawItem,
        scales: &BTreeMap<String, Scale>,
        targets: &HashMap<String, RoutingTarget>,
        order: usize,
        phase: Phase,
        twin_source: Option<&Instrument>,
        twins_used: &mut HashMap<String, Range<usize>>,
    ) -> Item {
        let id = raw.id.get_ref();
        let at = raw.id.span();
        let owner = format!("item `{id}`");
        if raw.text.trim().is_empty() {
            self.report(
                ProblemKind::Missing,
                at.clone(),
                format!("{owner} has an empty `text`"),
            );
        }
        self.refuse_keys(raw);

        let kind = match raw.kind {
            RawType::Consent => {
                let mut statements = Vec::new();
                match &raw.statements {
                    Some(list) if !list.get_ref().is_empty() => {
                        for s in list.get_ref() {
                            statements.push(Statement {
                                id: s.get_ref().id.get_ref().clone(),
                                text: s.get_ref().text.clone(),
                            });
                        }
                    }
                    _ => self.report(
                        ProblemKind::Missing,
                        at.clone(),
                        format!("consent {owner} needs `statements`"),
                    ),
                }
                ItemKind::Consent { statements }
            }
            RawType::Single | RawType::Multiple => {
                let multiple = raw.kind == RawType::Multiple;
                let options = match &raw.options {
                    Some(list) => self.options(list.get_ref(), list.span(), &owner, multiple),
                    None => {
                        self.report(
                            ProblemKind::Missing,
                            at.clone(),
                            format!("{owner} needs `options`"),
                        );
                        Vec::new()
                    }
                };
                if multiple {
                    ItemKind::Multiple { options }
                } else {
                    ItemKind::Single { options }
                }
            }
            RawType::Matrix => {
                let (scale, options) = match &raw.scale {
                    Some(name) => {
                        match scales.get(name.get_ref()) {
                            Some(scale) => (name.get_ref().clone(), scale.options.clone()),
                            None => {
                                self.report(
                                ProblemKind::UnknownScale,
                                name.span(),
                                format!("{owner} uses scale `{}`, which no `[scales.{}]` table defines", name.get_ref(), name.get_ref()),
                            );
                                (name.get_ref().clone(), Vec::new())
                            }
                        }
                    }
                    None => {
                        self.report(
                            ProblemKind::Missing,
                            at.clone(),
                            format!("matrix {owner} needs `scale`"),
                        );
                        (String::new(), Vec::new())
                    }
                };
                let mut rows = Vec::new();
                match &raw.rows {
                    Some(list) if !list.get_ref().is_empty() => {
                        for row in list.get_ref() {
                            let row = row.get_ref();
                            let twin = self.row_twin(row, &options, phase, twin_source, twins_used);
                            rows.push(Row {
                                id: row.id.get_ref().clone(),
                                number: row.number.clone(),
                                text: row.text.clone(),
                                twin,
                                reverse: row.reverse,
                                corrections: row.corrections.clone(),
                            });
                            if row.text.trim().is_empty() {
                                self.report(
                                    ProblemKind::Missing,
                                    row.id.span(),
                                    format!("row `{}` has an empty `text`", row.id.get_ref()),
                                );
                            }
                        }
                    }
                    _ => self.report(
                        ProblemKind::Missing,
                        at.clone(),
                        format!("matrix {owner} needs `rows`"),
                    ),
                }
                ItemKind::Matrix {
                    scale,
                    options,
                    rows,
                }
            }
            RawType::Text => {
                let max_length = raw
                    .max_length
                    .as_ref()
                    .map_or(DEFAULT_TEXT_MAX_LENGTH, |m| *m.get_ref());
                if let Some(m) = &raw.max_length
                    && *m.get_ref() == 0
                {
                    self.report(
                        ProblemKind::InvalidRange,
                        m.span(),
                        format!("{owner}: `max-length` must be at least 1"),
                    );
                }
                ItemKind::Text {
                    multiline: raw.multiline.as_ref().is_some_and(|m| *m.get_ref()),
                    max_length,
                }
            }
            RawType::Number => {
                let min = raw.min.as_ref().map_or(0, |m| *m.get_ref());
                let max = raw
                    .max
                    .as_ref()
                    .map_or(i64::from(u32::MAX), |m| *m.get_ref());
                if min > max {
                    let span = raw.min.as_ref().map_or(at.clone(), |m| m.span());
                    self.report(
                        ProblemKind::InvalidRange,
                        span,
                        format!("{owner}: `min` ({min}) is greater than `max` ({max})"),
                    );
                }
                ItemKind::Number { min, max }
            }
            RawType::Year => {
                let min = raw.min.as_ref().map_or(1900, |m| *m.get_ref());
                let min = match i32::try_from(min) {
                    Ok(year) if (1800..=2200).contains(&year) => year,
                    _ => {
                        let span = raw.min.as_ref().map_or(at.clone(), |m| m.span());
                        self.report(
                            ProblemKind::InvalidRange,
                            span,
                            format!("{owner}: `min` must be a year between 1800 and 2200"),
                        );
                        1900
                    }
                };
                ItemKind::Year { min }
            }
        };

        let show_if = raw
            .show_if
            .as_ref()
            .map(|c| self.condition(c, targets, order));
        let own_codes: Vec<u32> = kind
            .options()
            .map(|o| o.iter().map(|c| c.code).collect())
            .unwrap_or_default();

        let end_if = raw.end_if.as_ref().map(|rule| {
            if !matches!(kind, ItemKind::Single { .. } | ItemKind::Multiple { .. }) {
                self.report(
                    ProblemKind::UnexpectedKey,
                    rule.span(),
                    format!("{owner}: `end-if` only applies to single and multiple choice"),
                );
            }
            let codes = self.codes(&rule.get_ref().is, &own_codes, &owner, rule.span());
            if rule.get_ref().message.trim().is_empty() {
                self.report(
                    ProblemKind::Missing,
                    rule.span(),
                    format!("{owner}: `end-if` needs a `message` for the respondent"),
                );
            }
            EndRule {
                codes,
                message: rule.get_ref().message.clone(),
            }
        });

        let specify = raw.specify.as_ref().map(|s| {
            if !matches!(kind, ItemKind::Single { .. } | ItemKind::Multiple { .. }) {
                self.report(
                    ProblemKind::UnexpectedKey,
                    s.span(),
                    format!("{owner}: `specify` only applies to single and multiple choice"),
                );
            }
            let when = self.codes(&s.get_ref().when, &own_codes, &owner, s.span());
            Specify {
                id: s.get_ref().id.get_ref().clone(),
                text: s.get_ref().text.clone(),
                when,
            }
        });

        let twin = raw.twin.as_ref().and_then(|twin| {
            if matches!(kind, ItemKind::Matrix { .. }) {
                self.report(
                    ProblemKind::TwinNotAllowed,
                    twin.span(),
                    format!("{owner}: a matrix's twins are named on its rows, not on the item"),
                );
                return None;
            }
            self.item_twin(twin, &kind, phase, twin_source, twins_used)
        });

        Item {
            id: id.clone(),
            number: raw.number.clone(),
            text: raw.text.clone(),
            hint: raw.hint.clone(),
            kind,
            show_if,
            end_if,
            twin,
            specify,
            corrections: raw.corrections.clone(),
        }
    }

    /// Refuses keys that the item's type does not take, so that a typo cannot pass silently.
    fn refuse_keys(&mut self, raw: &RawItem) {
        let t = raw.kind;
        let refuse =
            |checker: &mut Self, present: Option<Range<usize>>, key: &str, allowed: &[RawType]| {
                if let Some(span) = present
                    && !allowed.contains(&t)
                {
                    checker.report(
                        ProblemKind::UnexpectedKey,
                        span,
                        format!(
                            "item `{}`: `{key}` does not apply to a {} item",
                            raw.id.get_ref(),
                            type_name(t)
                        ),
                    );
                }
            };
        refuse(
            self,
            raw.options.as_ref().map(|s| s.span()),
            "options",
            &[RawType::Single, RawType::Multiple],
        );
        refuse(
            self,
            raw.scale.as_ref().map(|s| s.span()),
            "scale",
            &[RawType::Matrix],
        );
        refuse(
            self,
            raw.rows.as_ref().map(|s| s.span()),
            "rows",
            &[RawType::Matrix],
        );
        refuse(
            self,
            raw.statements.as_ref().map(|s| s.span()),
            "statements",
            &[RawType::Consent],
        );
        refuse(
            self,
            raw.multiline.as_ref().map(|s| s.span()),
            "multiline",
            &[RawType::Text],
        );
        refuse(
            self,
            raw.max_length.as_ref().map(|s| s.span()),
            "max-length",
            &[RawType::Text],
        );
        refuse(
            self,
            raw.min.as_ref().map(|s| s.span()),
            "min",
            &[RawType::Number, RawType::Year],
        );
        refuse(
            self,
            raw.max.as_ref().map(|s| s.span()),
            "max",
            &[RawType::Number],
        );
        if t == RawType::Consent
            && let Some(cond) = &raw.show_if
        {
            self.report(
                ProblemKind::UnexpectedKey,
                cond.span(),
                "consent is always asked: it cannot have `show-if`".into(),
            );
        }
    }

    fn codes(
        &mut self,
        raw: &[Spanned<u32>],
        offered: &[u32],
        owner: &str,
        span: Range<usize>,
    ) -> Vec<u32> {
        if raw.is_empty() {
            self.report(
                ProblemKind::Missing,
                span,
                format!("{owner}: the list of codes is empty"),
            );
        }
        raw.iter()
            .map(|code| {
                if !offered.contains(code.get_ref()) {
                    self.report(
                        ProblemKind::UnknownCode,
                        code.span(),
                        format!("{owner} has no option with code {}", code.get_ref()),
                    );
                }
                *code.get_ref()
            })
            .collect()
    }

    fn condition(
        &mut self,
        raw: &Spanned<RawCondition>,
        targets: &HashMap<String, RoutingTarget>,
        order: usize,
    ) -> Condition {
        let condition = raw.get_ref();
        match (
            &condition.item,
            &condition.is,
            &condition.all,
            &condition.any,
        ) {
            (Some(item), Some(is), None, None) => {
                let name = item.get_ref();
                match targets.get(name) {
                    Some(target) if target.order <= order => {
                        if target.codes.is_empty() {
                            self.report(
                                ProblemKind::InvalidRoutingTarget,
                                item.span(),
                                format!("routing names `{name}`, which has no options to test"),
                            );
                        }
                        let codes =
                            self.codes(is, &target.codes, &format!("item `{name}`"), raw.span());
                        Condition::Is {
                            item: name.clone(),
                            codes,
                        }
                    }
                    _ if self.all_ids.contains(name) => {
                        self.report(
                            ProblemKind::InvalidRoutingTarget,
                            item.span(),
                            format!("routing names `{name}`, which comes later"),
                        );
                        Condition::Is {
                            item: name.clone(),
                            codes: Vec::new(),
                        }
                    }
                    _ => {
                        self.report(
                            ProblemKind::UnknownRoutingTarget,
                            item.span(),
                            format!(
                                "routing names `{name}`, which is not an earlier item or matrix row"
                            ),
                        );
                        Condition::Is {
                            item: name.clone(),
                            codes: Vec::new(),
                        }
                    }
                }
            }
            (None, None, Some(all), None) if !all.is_empty() => Condition::All(
                all.iter()
                    .map(|c| self.condition(c, targets, order))
                    .collect(),
            ),
            (None, None, None, Some(any)) if !any.is_empty() => Condition::Any(
                any.iter()
                    .map(|c| self.condition(c, targets, order))
                    .collect(),
            ),
            _ => {
                self.report(
                    ProblemKind::Syntax,
                    raw.span(),
                    "a condition is `{ item = \"...\", is = [codes] }`, `{ all = [...] }` or `{ any = [...] }` (non-empty)".into(),
                );
                Condition::All(Vec::new())
            }
        }
    }

    /// Reports and returns true when a twin cannot be declared or checked here.
    fn twin_refused(
        &mut self,
        twin: &Spanned<String>,
        phase: Phase,
        twin_source: Option<&Instrument>,
    ) -> bool {
        if phase != Phase::Post {
            self.report(
                ProblemKind::TwinNotAllowed,
                twin.span(),
                "only a post-training survey names twins".into(),
            );
            return true;
        }
        if twin_source.is_none() {
            self.report(
                ProblemKind::TwinNotAllowed,
                twin.span(),
                format!(
                    "twin `{}` cannot be checked: the pre-training survey was not loaded",
                    twin.get_ref()
                ),
            );
            return true;
        }
        false
    }

    fn twin_once(
        &mut self,
        twin: &Spanned<String>,
        twins_used: &mut HashMap<String, Range<usize>>,
    ) {
        if let Some(first) = twins_used.get(twin.get_ref()) {
            let first = locate(self.source, first.start);
            self.report(
                ProblemKind::DuplicateIdentifier,
                twin.span(),
                format!(
                    "twin `{}` is already named at line {}, column {}",
                    twin.get_ref(),
                    first.line,
                    first.column
                ),
            );
        } else {
            twins_used.insert(twin.get_ref().clone(), twin.span());
        }
    }

    fn row_twin(
        &mut self,
        row: &RawRow,
        options: &[Choice],
        phase: Phase,
        twin_source: Option<&Instrument>,
        twins_used: &mut HashMap<String, Range<usize>>,
    ) -> Option<String> {
        let twin = row.twin.as_ref()?;
        if self.twin_refused(twin, phase, twin_source) {
            return None;
        }
        self.twin_once(twin, twins_used);
        let pre = twin_source?;
        match pre.row(twin.get_ref()) {
            Some((pre_item, _)) => {
                let pre_options = pre_item.kind.options().unwrap_or_default();
                self.compare_scales(twin, options, pre_options);
            }
            None => self.report(
                ProblemKind::UnknownTwin,
                twin.span(),
                format!(
                    "row `{}` names twin `{}`, which is not a matrix row of `{}`",
                    row.id.get_ref(),
                    twin.get_ref(),
                    pre.id
                ),
            ),
        }
        Some(twin.get_ref().clone())
    }

    fn item_twin(
        &mut self,
        twin: &Spanned<String>,
        kind: &ItemKind,
        phase: Phase,
        twin_source: Option<&Instrument>,
        twins_used: &mut HashMap<String, Range<usize>>,
    ) -> Option<String> {
        if self.twin_refused(twin, phase, twin_source) {
            return None;
        }
        self.twin_once(twin, twins_used);
        let pre = twin_source?;
        match pre.item(twin.get_ref()) {
            Some(pre_item) if pre_item.kind.type_name() == kind.type_name() => {
                if let (Some(post), Some(before)) = (kind.options(), pre_item.kind.options()) {
                    self.compare_scales(twin, post, before);
                }
            }
            Some(pre_item) => self.report(
                ProblemKind::TwinScaleDiffers,
                twin.span(),
                format!(
                    "twin `{}` is a {} item in `{}`, but this is a {} item",
                    twin.get_ref(),
                    pre_item.kind.type_name(),
                    pre.id,
                    kind.type_name()
                ),
            ),
            None => self.report(
                ProblemKind::UnknownTwin,
                twin.span(),
                format!("twin `{}` is not an item of `{}`", twin.get_ref(), pre.id),
            ),
        }
        Some(twin.get_ref().clone())
    }

    fn compare_scales(&mut self, twin: &Spanned<String>, post: &[Choice], pre: &[Choice]) {
        let substantive = |options: &[Choice]| -> Vec<(u32, String)> {
            options
                .iter()
                .filter(|o| o.is_substantive())
                .map(|o| (o.code, o.label.clone()))
                .collect()
        };
        let (post, pre) = (substantive(post), substantive(pre));
        if post != pre {
            let show = |options: &[(u32, String)]| {
                options
                    .iter()
                    .map(|(code, label)| format!("{code} {label}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.report(
                ProblemKind::TwinScaleDiffers,
                twin.span(),
                format!(
                    "twin `{}` is measured on a different scale: pre-training has [{}], this has [{}]",
                    twin.get_ref(),
                    show(&pre),
                    show(&post)
                ),
            );
        }
    }
}

fn type_name(t: RawType) -> &'static str {
    match t {
        RawType::Consent => "consent",
        RawType::Single => "single",
        RawType::Multiple => "multiple",
        RawType::Matrix => "matrix",
        RawType::Text => "text",
        RawType::Number => "number",
        RawType::Year => "year",
    }
}

/// Whether `id` is lower-case letters, digits and hyphens, starting with a letter.
pub fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--")
}
