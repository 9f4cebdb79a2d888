//! Which numbers a coded or numeric variable's cells may hold: one rule for the response
//! file reader and the database read.

use crate::data::{MISSING, VariableKind};

/// Codes up to this are checked in a table; a question with a larger one, by its list.
const LARGEST_TABLED_CODE: u32 = 65_535;

/// The numbers a coded or numeric variable may hold, checked in constant time for codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// A code of the question: `allowed[code]`.
    Codes(Vec<bool>),
    /// A code of the question, when its codes are too large for a table.
    CodeList(Vec<u32>),
    /// 0 or 1.
    Tick,
    /// 1 only.
    Agreed,
    /// Any whole number but [`MISSING`].
    Number,
}

impl Allowed {
    /// The rule for a variable of this kind; `None` for free text.
    pub fn of(kind: &VariableKind) -> Option<Allowed> {
        Some(match kind {
            VariableKind::Text => return None,
            VariableKind::Code(codes) if codes.iter().any(|&c| c > LARGEST_TABLED_CODE) => {
                Allowed::CodeList(codes.clone())
            }
            VariableKind::Code(codes) => {
                let top = codes.iter().max().map_or(0, |&c| c as usize);
                let mut allowed = vec![false; top + 1];
                for &code in codes {
                    if let Some(slot) = allowed.get_mut(code as usize) {
                        *slot = true;
                    }
                }
                Allowed::Codes(allowed)
            }
            VariableKind::Tick => Allowed::Tick,
            VariableKind::Agreed => Allowed::Agreed,
            VariableKind::Number => Allowed::Number,
        })
    }

    /// Whether a cell may hold `number`.
    #[inline]
    pub fn allows(&self, number: i32) -> bool {
        match self {
            Allowed::Codes(allowed) => usize::try_from(number)
                .ok()
                .and_then(|n| allowed.get(n))
                .copied()
                .unwrap_or(false),
            Allowed::CodeList(codes) => u32::try_from(number).is_ok_and(|n| codes.contains(&n)),
            Allowed::Tick => number == 0 || number == 1,
            Allowed::Agreed => number == 1,
            Allowed::Number => number != MISSING,
        }
    }
}

/// The number written as plain ASCII digits, if the cell is nothing else and fits
/// without overflow (nine digits always do).
#[inline]
pub fn plain_digits(cell: &[u8]) -> Option<i32> {
    if cell.is_empty() || cell.len() > 9 {
        return None;
    }
    cell.iter().try_fold(0i32, |number, &byte| {
        let digit = byte.wrapping_sub(b'0');
        (digit <= 9).then(|| number * 10 + i32::from(digit))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use proptest::prelude::*;

    use super::{Allowed, plain_digits};
    use crate::data::{MISSING, VariableKind};

    proptest! {
        #[test]
        fn a_code_is_allowed_exactly_when_the_question_offers_it(
            codes in proptest::collection::vec(prop_oneof![0u32..20, 65_530u32..65_540], 1..6),
            number in prop_oneof![-3i32..25, 65_525i32..65_545, Just(MISSING)],
        ) {
            let allowed = Allowed::of(&VariableKind::Code(codes.clone())).unwrap();
            let offered = u32::try_from(number).is_ok_and(|n| codes.contains(&n));
            prop_assert_eq!(allowed.allows(number), offered);
        }

        #[test]
        fn plain_digits_read_as_the_standard_parser_reads_them(cell in "[0-9+ -]{0,11}") {
            let expected = if cell.bytes().all(|b| b.is_ascii_digit()) && cell.len() <= 9 {
                cell.parse::<i32>().ok()
            } else {
                None
            };
            prop_assert_eq!(plain_digits(cell.as_bytes()), expected);
        }
    }

    #[test]
    fn ticks_agreement_and_numbers_allow_what_they_say() {
        let tick = Allowed::of(&VariableKind::Tick).unwrap();
        assert!(tick.allows(0) && tick.allows(1) && !tick.allows(2));
        let agreed = Allowed::of(&VariableKind::Agreed).unwrap();
        assert!(agreed.allows(1) && !agreed.allows(0));
        let number = Allowed::of(&VariableKind::Number).unwrap();
        assert!(number.allows(-40) && number.allows(2015) && !number.allows(MISSING));
        assert_eq!(Allowed::of(&VariableKind::Text), None);
    }
}
