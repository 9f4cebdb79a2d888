//! Dense lookups for the small codes that answers carry.

/// A function of a code, worked out once for the codes `0..size` and on demand for any
/// other: answers are small codes, read once per record, so a table beats a search.
pub(crate) struct CodeTable<T, F> {
    small: Vec<T>,
    slow: F,
}

impl<T: Copy, F: Fn(i32) -> T> CodeTable<T, F> {
    /// The table of `slow` over `0..size`.
    pub(crate) fn new(size: usize, slow: F) -> CodeTable<T, F> {
        let small = (0..i32::try_from(size).unwrap_or(i32::MAX))
            .map(&slow)
            .collect();
        CodeTable { small, slow }
    }

    /// `slow(code)`, from the table where the code is in it.
    pub(crate) fn get(&self, code: i32) -> T {
        match usize::try_from(code).ok().and_then(|i| self.small.get(i)) {
            Some(value) => *value,
            None => (self.slow)(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_and_outside_the_table_give_the_function_s_value() {
        let table = CodeTable::new(4, |code: i32| code.wrapping_mul(10));
        for code in [-5, 0, 3, 4, 1000, i32::MIN] {
            assert_eq!(table.get(code), code.wrapping_mul(10));
        }
    }
}
