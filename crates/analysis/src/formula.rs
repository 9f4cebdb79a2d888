//! CSV cells that are safe to open in a spreadsheet.
//!
//! A spreadsheet program that opens a CSV file runs a cell beginning with `=`, `+`, `-`
//! or `@` (and, in some programs, a tab or carriage return) as a formula, so a
//! respondent's free-text answer could run one on an analyst's or LA contact's computer
//! (CSV injection). Following OWASP's guidance, every CSV skafada writes puts a single
//! quote before such a cell, which spreadsheets show as text; [`neutralise`] is the one
//! place the rule lives, and [`restore`] undoes it exactly where skafada reads its own
//! files back (`skafada analyse`), so the round trip is lossless.
//!
//! The rule: a cell is *triggered* when it begins with one of the six characters and is
//! not, as a whole, a plain decimal number (`-1`, `+2`, `-0.5`: skafada's own codes and
//! numbers, which a spreadsheet reads as numbers, not formulas). A cell is quoted when it
//! is triggered, or when it is already one or more quotes followed by a triggered cell,
//! so that a respondent's own leading quote survives the round trip; [`restore`] removes
//! one leading quote in exactly those cases.

use std::borrow::Cow;

/// The characters a spreadsheet may treat as the start of a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether the whole cell is a plain decimal number: an optional sign, digits, and
/// optionally a point and more digits.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// Whether a cell must be quoted: triggered, or quotes followed by a triggered cell.
fn needs_quote(cell: &str) -> bool {
    let rest = cell.trim_start_matches('\'');
    rest.starts_with(TRIGGERS) && !is_plain_number(rest)
}

/// The cell as it is written to CSV: with a single quote before it when a spreadsheet
/// could take it for a formula (see the module's rule); otherwise unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralise`]: one leading quote removed where
/// `neutralise` would have added it; otherwise unchanged.
pub fn restore(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => Cow::Borrowed(rest),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes one record with every cell [`neutralise`]d: what every CSV writer of skafada
/// calls instead of `csv::Writer::write_record`.
pub fn write_record<W: std::io::Write, S: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    for cell in cells {
        writer.write_field(neutralise(cell.as_ref()).as_bytes())?;
    }
    writer.write_record(None::<&[u8]>)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{neutralise, restore};

    #[test]
    fn cells_a_spreadsheet_would_run_are_quoted_and_numbers_and_plain_text_are_not() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tfoo", "'\tfoo"),
            ("\rbar", "'\rbar"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("- a list item", "'- a list item"),
            ("-", "'-"),
            ("-1", "-1"),
            ("+2", "+2"),
            ("-0.5", "-0.5"),
            ("1990", "1990"),
            ("'-1", "'-1"),
            ("'quoted", "'quoted"),
            ("it's = fine", "it's = fine"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
            assert_eq!(restore(written), cell, "{written:?}");
        }
    }

    proptest! {
        #[test]
        fn restoring_a_neutralised_cell_gives_it_back(
            cell in "['=+@\t\r0-9a-z. -]{0,8}"
        ) {
            let written = neutralise(&cell);
            prop_assert_eq!(restore(&written), cell.as_str());
            let rest = written.trim_start_matches('\'');
            let runs = rest.starts_with(['=', '+', '-', '@', '\t', '\r'])
                && rest.parse::<f64>().is_err();
            prop_assert!(!runs || written.starts_with('\''), "{:?}", written);
        }
    }
}
