//! Importers given malformed files: a clear error naming the file, never a panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use skafada_transcripts::{Format, RedactionList, import};

fn list() -> RedactionList {
    RedactionList::parse("Northtown\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_in_any_format(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for format in [Format::Text, Format::Docx, Format::Vtt] {
            if let Err(error) = import("input.bin", &bytes, format, &list()) {
                prop_assert!(error.to_string().starts_with("input.bin: "));
            }
        }
    }

    #[test]
    fn arbitrary_text_with_vtt_and_speaker_shapes_never_panics(
        text in "(WEBVTT\n\n)?([0-9:. >-]{0,30}\n|<v [A-Za-z ]{0,12}>[a-zé :&;<>]{0,40}\n|[A-Za-z0-9 ]{0,12}: [^\n]{0,40}\n|\n){0,40}"
    ) {
        for format in [Format::Text, Format::Vtt] {
            let _ = import("input.vtt", text.as_bytes(), format, &list());
        }
    }
}

#[test]
fn a_truncated_or_hollow_docx_is_refused_with_its_name() {
    let error = import(
        "interview.docx",
        b"PK\x03\x04 not really",
        Format::Docx,
        &list(),
    )
    .unwrap_err();
    assert_eq!(error.file, "interview.docx");
    assert!(error.problem.contains("not a Word .docx file"), "{error}");
    let empty = import("empty.txt", b"\n\n  \n", Format::Text, &list()).unwrap_err();
    assert_eq!(empty.to_string(), "empty.txt: the file has no words in it");
    let latin1 = import("latin1.txt", b"Interviewer: caf\xe9", Format::Text, &list()).unwrap_err();
    assert!(latin1.problem.starts_with("not UTF-8 text"), "{latin1}");
}
