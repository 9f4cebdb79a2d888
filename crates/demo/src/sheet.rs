//! Columns under construction and the exact allocations that fill them.

use std::collections::BTreeMap;

use skafada_analysis::data::MISSING;

use crate::DemoError;
use crate::rng::Rng;

/// The answers of `n` respondents, by variable, while they are being built.
#[derive(Debug, Clone)]
pub struct Sheet {
    n: usize,
    values: BTreeMap<String, Vec<i32>>,
    texts: BTreeMap<String, Vec<Option<String>>>,
}

impl Sheet {
    /// An empty sheet of `n` respondents.
    pub fn new(n: usize) -> Sheet {
        Sheet {
            n,
            values: BTreeMap::new(),
            texts: BTreeMap::new(),
        }
    }

    /// The coded column `id`, created empty if new.
    pub fn col(&mut self, id: &str) -> &mut Vec<i32> {
        let n = self.n;
        self.values
            .entry(id.to_owned())
            .or_insert_with(|| vec![MISSING; n])
    }

    /// The value of `id` for respondent `i` (MISSING when unset).
    pub fn get(&self, id: &str, i: usize) -> i32 {
        self.values
            .get(id)
            .and_then(|c| c.get(i))
            .copied()
            .unwrap_or(MISSING)
    }

    /// Sets one coded cell.
    pub fn set(&mut self, id: &str, i: usize, value: i32) {
        if let Some(cell) = self.col(id).get_mut(i) {
            *cell = value;
        }
    }

    /// Sets one text cell.
    pub fn set_text(&mut self, id: &str, i: usize, text: impl Into<String>) {
        let n = self.n;
        let column = self
            .texts
            .entry(id.to_owned())
            .or_insert_with(|| vec![None; n]);
        if let Some(cell) = column.get_mut(i) {
            *cell = Some(text.into());
        }
    }

    /// Respondent `i`'s coded answers.
    pub fn values_of(&self, i: usize) -> impl Iterator<Item = (&str, i32)> {
        self.values.iter().filter_map(move |(id, c)| {
            c.get(i)
                .copied()
                .filter(|v| *v != MISSING)
                .map(|v| (id.as_str(), v))
        })
    }

    /// Respondent `i`'s text answers.
    pub fn texts_of(&self, i: usize) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().filter_map(move |(id, c)| {
            c.get(i)
                .and_then(|t| t.as_deref())
                .map(|t| (id.as_str(), t))
        })
    }

    /// Every variable the sheet sets.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.values
            .keys()
            .chain(self.texts.keys())
            .map(String::as_str)
    }
}

/// Expands `(code, count)` pairs into a list of codes, in order.
pub fn expand(spec: &[(i32, usize)]) -> Vec<i32> {
    spec.iter()
        .flat_map(|(code, count)| std::iter::repeat_n(*code, *count))
        .collect()
}

fn too_many(var: &str, spec: &[(i32, usize)], members: usize) -> DemoError {
    DemoError::Calibration(format!(
        "`{var}`: {} answers to place among {members} respondents",
        spec.iter().map(|(_, n)| n).sum::<usize>()
    ))
}

/// Gives `members` exactly the counts of `spec` in a seeded random order; members left
/// over stay unanswered.
pub fn deal(
    rng: &mut Rng,
    sheet: &mut Sheet,
    var: &str,
    members: &[usize],
    spec: &[(i32, usize)],
) -> Result<(), DemoError> {
    let codes = expand(spec);
    if codes.len() > members.len() {
        return Err(too_many(var, spec, members.len()));
    }
    let mut order = members.to_vec();
    rng.shuffle(&mut order);
    for (i, code) in order.into_iter().zip(codes) {
        sheet.set(var, i, code);
    }
    Ok(())
}

/// Gives `members` exactly the counts of `spec`, the first codes of `spec` to the members
/// with the lowest `score` plus seeded normal noise of size `noise`: an association of
/// known direction with exact marginals. The unanswered are chosen at random first.
pub fn rank(
    rng: &mut Rng,
    sheet: &mut Sheet,
    var: &str,
    members: &[usize],
    spec: &[(i32, usize)],
    score: &dyn Fn(usize) -> f64,
    noise: f64,
) -> Result<(), DemoError> {
    let codes = expand(spec);
    if codes.len() > members.len() {
        return Err(too_many(var, spec, members.len()));
    }
    let mut order = members.to_vec();
    rng.shuffle(&mut order);
    order.truncate(codes.len());
    let mut keyed: Vec<(f64, usize)> = order
        .into_iter()
        .map(|i| (score(i) + noise * rng.normal(), i))
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for ((_, i), code) in keyed.into_iter().zip(codes) {
        sheet.set(var, i, code);
    }
    Ok(())
}

/// Splits collapsed counts (low, middle, high) of a five-point scale into its codes:
/// low into 1 and 2, middle 3, high into 4 and 5, in fixed shares.
pub fn five_point(low: usize, middle: usize, high: usize) -> Vec<(i32, usize)> {
    let ones = (low * 3).div_ceil(10);
    let fives = (high * 2) / 5;
    vec![
        (1, ones),
        (2, low - ones),
        (3, middle),
        (4, high - fives),
        (5, fives),
    ]
}

/// The members of `0..n` for which `keep` holds.
pub fn members(n: usize, keep: impl Fn(usize) -> bool) -> Vec<usize> {
    (0..n).filter(|&i| keep(i)).collect()
}
