//! Variable names valid in SPSS, derived from skafada's column names.
//!
//! SPSS names are at most 64 bytes, start with a letter, hold only letters, digits, `_`,
//! `.`, `@`, `#` and `$`, must not end with `.` or `_`, must not be a reserved word, and
//! are compared without regard to case. skafada's identifiers are kebab-case and
//! multiple-choice columns are `ITEM.CODE`, so `knowledge-dash` becomes `knowledge_dash`
//! and `actions-parents.3` becomes `actions_parents_3`.

use std::collections::HashSet;

/// The longest SPSS variable name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;

/// Words SPSS reserves, which cannot be variable names.
const RESERVED: [&str; 13] = [
    "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH",
];

/// Whether `name` is a valid SPSS variable name.
pub fn is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    name.len() <= MAX_NAME_BYTES
        && first.is_ascii_alphabetic()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '#' | '$'))
        && !name.ends_with(['.', '_'])
        && !RESERVED.contains(&name.to_ascii_uppercase().as_str())
}

/// Assigns SPSS names to column names, in order, keeping them unique.
#[derive(Debug, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// A namer with no names taken.
    pub fn new() -> Namer {
        Namer::default()
    }

    /// The SPSS name for `column`: every character other than an ASCII letter or digit
    /// becomes `_` (runs collapse to one), a leading non-letter gets a `v` in front, and
    /// the name is cut to fit 64 bytes with room for a `_N` suffix that keeps it unique
    /// (SPSS compares names without regard to case).
    pub fn name(&mut self, column: &str) -> String {
        let mut base = String::new();
        for c in column.chars() {
            if c.is_ascii_alphanumeric() {
                base.push(c);
            } else if !base.ends_with('_') {
                base.push('_');
            }
        }
        let mut base = base.trim_matches('_').to_owned();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base.insert(0, 'v');
        }
        if RESERVED.contains(&base.to_ascii_uppercase().as_str()) {
            base.push_str("_v");
        }
        // Leave room for a `_NNN` suffix.
        base.truncate(MAX_NAME_BYTES - 4);
        let base = base.trim_end_matches('_').to_owned();
        let mut candidate = base.clone();
        let mut n = 1;
        while self.taken.contains(&candidate.to_ascii_uppercase()) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        self.taken.insert(candidate.to_ascii_uppercase());
        candidate
    }
}
