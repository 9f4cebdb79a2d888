//! The loader never panics, whatever it is given.

use proptest::prelude::*;

use super::{MINI_POST, MINI_PRE, mini_pre};

const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");

fn check(source: &str) {
    // Either outcome is fine; a panic fails the test.
    let _ = skafada_instrument::load(source, "fuzz.toml");
    if let Ok(draft) = skafada_instrument::parse(source, "fuzz.toml") {
        let pre = mini_pre();
        let _ = draft.validate(Some(&pre));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,400}") {
        check(&source);
    }

    #[test]
    fn truncated_instruments_never_panic(cut in 0usize..PRE.len()) {
        let mut cut = cut;
        while !PRE.is_char_boundary(cut) { cut -= 1; }
        check(&PRE[..cut]);
    }

    #[test]
    fn corrupted_instruments_never_panic(position in 0usize..PRE.len(), byte in any::<u8>(), which in 0usize..3) {
        let base = [PRE, MINI_PRE, MINI_POST][which].as_bytes();
        let mut bytes = base.to_vec();
        let position = position % bytes.len();
        bytes[position] = byte;
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn deleted_lines_never_panic(line in 0usize..400) {
        let lines: Vec<&str> = PRE.lines().collect();
        let line = line % lines.len();
        let source: String = lines.iter().enumerate().filter(|(i, _)| *i != line).map(|(_, l)| format!("{l}\n")).collect();
        check(&source);
    }
}
