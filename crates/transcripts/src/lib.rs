//! Interview transcripts in: plain text, Word `.docx` (professional transcription) and
//! WebVTT `.vtt` (Teams and Zoom captions), read into speaker turns and pseudonymised
//! before anything is kept.
//!
//! Architecture invariant: pure. Callers pass a file's name and bytes; nothing here reads
//! files. A file that cannot be read as its format is an [`ImportError`] naming the file
//! and the problem, never a partial transcript.
//!
//! Architecture invariant: what leaves [`import`] is redacted. Speakers become roles or
//! `Speaker 1`, `Speaker 2`...; terms of the study's redaction list and likely names
//! become placeholders, each replacement listed for review.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod docx;
mod redact;
mod text;
mod vtt;

use serde::Serialize;

pub use redact::{Redaction, RedactionList};

/// One speaker's turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    /// Who speaks: a role (`Interviewer`, `Participant`) or a pseudonym (`Speaker 1`).
    pub speaker: String,
    /// What they said, paragraphs separated by blank lines.
    pub text: String,
}

/// A transcript as imported: its turns and every replacement made in them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transcript {
    /// The turns, in order.
    pub turns: Vec<Turn>,
    /// Each replacement made, for review, in the order first made.
    pub redactions: Vec<Redaction>,
}

/// The transcript formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain UTF-8 text: `Speaker: words` lines start turns.
    Text,
    /// Word `.docx`: its paragraphs, read as plain text is.
    Docx,
    /// WebVTT captions: cues with `<v Speaker>` voices or `Speaker:` prefixes.
    Vtt,
}

impl Format {
    /// The format a file name's extension says (`.txt`, `.docx`, `.vtt`).
    pub fn of(file: &str) -> Option<Format> {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".txt") {
            Some(Format::Text)
        } else if lower.ends_with(".docx") {
            Some(Format::Docx)
        } else if lower.ends_with(".vtt") {
            Some(Format::Vtt)
        } else {
            None
        }
    }
}

/// Why a file was not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ImportError {
    /// The file's name.
    pub file: String,
    /// What is wrong, for people.
    pub problem: String,
}

/// The most bytes a transcript file may have (a long interview is well under 1 MB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Reads a transcript file's bytes as `format` into speaker turns, then pseudonymises it:
/// speakers, the list's terms and likely names.
///
/// # Errors
/// [`ImportError`] naming `file` when the bytes are not the format, are empty of words,
/// or are too large.
pub fn import(
    file: &str,
    bytes: &[u8],
    format: Format,
    list: &RedactionList,
) -> Result<Transcript, ImportError> {
    let fail = |problem: String| ImportError {
        file: file.to_owned(),
        problem,
    };
    if bytes.len() > MAX_BYTES {
        return Err(fail(
            "the file is larger than 16 MB; a transcript is text".to_owned(),
        ));
    }
    let raw = match format {
        Format::Text => {
            let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
                .map_err(|e| {
                    fail(format!(
                        "not UTF-8 text (byte {} cannot be read); save it as UTF-8",
                        e.valid_up_to()
                    ))
                })?;
            text::turns(text.lines())
        }
        Format::Docx => text::turns(
            docx::paragraphs(bytes)
                .map_err(fail)?
                .iter()
                .map(String::as_str),
        ),
        Format::Vtt => vtt::turns(bytes).map_err(fail)?,
    };
    if raw.iter().all(|turn| turn.text.trim().is_empty()) {
        return Err(fail("the file has no words in it".to_owned()));
    }
    Ok(redact::apply(raw, list))
}

/// Removes more words from a transcript already imported: the list's terms become
/// `[redacted N]` placeholders numbered after those already in it; speakers and earlier
/// replacements are left alone. Every replacement is listed.
pub fn redact_more(turns: Vec<Turn>, list: &RedactionList) -> Transcript {
    redact::apply_more(turns, list)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_second_pass_numbers_its_placeholders_after_the_first() {
        let first = import(
            "t.txt",
            b"Interviewer: Tell me about Northtown.\nParticipant: Northtown Hub and Ashford are busy.",
            Format::Text,
            &RedactionList::parse("Northtown"),
        )
        .unwrap();
        assert!(first.turns[0].text.contains("[redacted 1]"));
        let second = redact_more(first.turns, &RedactionList::parse("Ashford\nHub"));
        assert_eq!(
            second.turns[1].text,
            "[redacted 1] [redacted 3] and [redacted 2] are busy."
        );
        assert_eq!(second.turns[0].speaker, "Interviewer");
        assert_eq!(second.redactions.len(), 2);
    }
}
