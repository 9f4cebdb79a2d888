//! Large synthetic response sets, for benchmarks and load tests.
//!
//! Every variable of an instrument gets a random valid code (or number, or text from a
//! small pool), and the instrument's routing is honoured: an item is answered only when
//! its `show-if` holds for the answers generated so far, "please specify" follow-ups only
//! when their trigger was chosen, and nothing after an end rule that fired. Most records
//! are complete, so the cleaning rule keeps them; a few are empty, created by returning
//! respondents, closed by routing or abandoned early, so every exclusion reason occurs.
//! Post-training records are linked to a share of the pre-training respondents.
//!
//! A latent "knowledge" score per respondent (higher after training) drives every scale,
//! so tables and tests are not flat noise. The generator is deterministic for a seed.

use std::collections::HashMap;

use skafada_instrument::{Condition, Instrument, ItemKind};

use crate::data::{Column, Dataset, MISSING, Manifest, Responses, Site, Status, VariableKind};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Pre-training records.
    pub responses: usize,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Number of sites.
    pub sites: usize,
    /// Post-training records, as a share of the pre-training records.
    pub post_share: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            responses: 1_000,
            seed: 1,
            sites: 6,
            post_share: 0.4,
        }
    }
}

/// A small, fast deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

const JOB_TITLES: [&str; 6] = [
    "Family support worker",
    "Early help practitioner",
    "Social worker",
    "Team manager",
    "Youth worker",
    "Family hub coordinator",
];

const TRAINING_NAMES: [&str; 10] = [
    "Domestic abuse awareness level 1",
    "Safe and Together",
    "Freedom Programme",
    "DASH risk assessment training",
    "Impact of domestic abuse on children",
    "Coercive control and MARAC",
    "Reducing parental conflict",
    "Working with fathers and perpetrators",
    "Can't remember the name",
    "Toxic trio, stalking and safety planning",
];

const OTHER_TEXTS: [&str; 6] = [
    "Behaviour support team",
    "Domestic abuse team",
    "SEND support",
    "School liaison",
    "Youth justice",
    "Something else",
];

/// How one item writes its answers.
enum Target {
    None,
    Values(Vec<usize>),
    Text(usize),
}

/// A record being generated: the choices so far, by routing slot.
struct Picks {
    stamp: Vec<u32>,
    codes: Vec<Vec<u32>>,
    current: u32,
}

impl Picks {
    fn reset(&mut self) {
        self.current = self.current.wrapping_add(1);
    }

    fn set(&mut self, slot: usize, codes: &[u32]) {
        self.stamp[slot] = self.current;
        self.codes[slot].clear();
        self.codes[slot].extend_from_slice(codes);
    }

    fn picks_any(&self, slot: usize, codes: &[u32]) -> bool {
        self.stamp[slot] == self.current && self.codes[slot].iter().any(|c| codes.contains(c))
    }
}

fn holds(condition: Option<&Condition>, slots: &HashMap<&str, usize>, picks: &Picks) -> bool {
    fn eval(c: &Condition, slots: &HashMap<&str, usize>, picks: &Picks) -> bool {
        match c {
            Condition::Is { item, codes } => slots
                .get(item.as_str())
                .is_some_and(|s| picks.picks_any(*s, codes)),
            Condition::All(all) => all.iter().all(|c| eval(c, slots, picks)),
            Condition::Any(any) => any.iter().any(|c| eval(c, slots, picks)),
        }
    }
    condition.is_none_or(|c| eval(c, slots, picks))
}

/// What kind of record to generate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Opened the link, answered nothing.
    Empty,
    /// Created by a returning respondent: nothing answered.
    Returning,
    /// Stopped after a few questions.
    Abandoned,
    /// Answered (almost) everything on the route.
    Complete,
}

/// Generates `count` records of `instrument`. `respondent` names each record's respondent;
/// `shift` raises the latent knowledge score (the effect of training).
fn responses(
    instrument: &Instrument,
    count: usize,
    sites: usize,
    rng: &mut Rng,
    respondent: &dyn Fn(usize, &mut Rng) -> String,
    shift: f64,
) -> Responses {
    let variables = crate::data::variables(instrument);
    let index: HashMap<&str, usize> = variables
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    // Routing slots: every single, multiple and matrix-row variable a condition may name.
    let mut slots: HashMap<&str, usize> = HashMap::new();
    for item in instrument.items() {
        match &item.kind {
            ItemKind::Single { .. } | ItemKind::Multiple { .. } => {
                let next = slots.len();
                slots.insert(item.id.as_str(), next);
            }
            ItemKind::Matrix { rows, .. } => {
                for row in rows {
                    let next = slots.len();
                    slots.insert(row.id.as_str(), next);
                }
            }
            _ => {}
        }
    }
    let mut picks = Picks {
        stamp: vec![0; slots.len()],
        codes: vec![Vec::new(); slots.len()],
        current: 0,
    };
    let mut values: Vec<Vec<i32>> = variables
        .iter()
        .map(|v| match v.kind {
            VariableKind::Text => Vec::new(),
            _ => vec![MISSING; count],
        })
        .collect();
    let mut texts: Vec<Vec<Option<String>>> = variables
        .iter()
        .map(|v| match v.kind {
            VariableKind::Text => vec![None; count],
            _ => Vec::new(),
        })
        .collect();
    let targets: Vec<Target> = instrument
        .items()
        .map(|item| match &item.kind {
            ItemKind::Consent { statements } => Target::Values(
                statements
                    .iter()
                    .filter_map(|s| index.get(s.id.as_str()).copied())
                    .collect(),
            ),
            ItemKind::Multiple { options } => Target::Values(
                options
                    .iter()
                    .filter_map(|o| {
                        index
                            .get(format!("{}.{}", item.id, o.code).as_str())
                            .copied()
                    })
                    .collect(),
            ),
            ItemKind::Matrix { rows, .. } => Target::Values(
                rows.iter()
                    .filter_map(|r| index.get(r.id.as_str()).copied())
                    .collect(),
            ),
            ItemKind::Text { .. } => index
                .get(item.id.as_str())
                .map_or(Target::None, |i| Target::Text(*i)),
            _ => index
                .get(item.id.as_str())
                .map_or(Target::None, |i| Target::Values(vec![*i])),
        })
        .collect();
    let items: Vec<_> = instrument.items().collect();
    let answerable = items.len().max(1);

    let mut data = Responses::default();
    for row in 0..count {
        picks.reset();
        let roll = rng.unit();
        let kind = if roll < 0.02 {
            Kind::Empty
        } else if roll < 0.04 {
            Kind::Returning
        } else if roll < 0.08 {
            Kind::Abandoned
        } else {
            Kind::Complete
        };
        let knowledge = (rng.unit() * 0.8 + shift).min(0.999);
        let stop_after = match kind {
            Kind::Empty | Kind::Returning => 0,
            Kind::Abandoned => 1 + rng.below(answerable / 5 + 1),
            Kind::Complete => usize::MAX,
        };
        let mut status = match kind {
            Kind::Empty | Kind::Returning => Status::Started,
            Kind::Abandoned => Status::Consented,
            Kind::Complete => Status::Submitted,
        };
        let mut answered = 0usize;
        let mut position = 0usize;
        'pages: for page in &instrument.pages {
            if !holds(page.show_if.as_ref(), &slots, &picks) {
                position += page.items.len();
                continue;
            }
            for item in &page.items {
                let target = &targets[position];
                position += 1;
                if answered >= stop_after {
                    break 'pages;
                }
                if !holds(item.show_if.as_ref(), &slots, &picks) {
                    continue;
                }
                answered += 1;
                let skip = !matches!(item.kind, ItemKind::Consent { .. }) && rng.chance(0.03);
                if skip {
                    continue;
                }
                let mut chosen: Vec<u32> = Vec::new();
                match (&item.kind, target) {
                    (ItemKind::Consent { .. }, Target::Values(columns)) => {
                        for &c in columns {
                            values[c][row] = 1;
                        }
                    }
                    (ItemKind::Single { options }, Target::Values(columns)) => {
                        let ending = item.end_if.as_ref().map(|e| e.codes.as_slice());
                        let allowed: Vec<u32> = options
                            .iter()
                            .map(|o| o.code)
                            .filter(|c| ending.is_none_or(|codes| !codes.contains(c)))
                            .collect();
                        let code = match ending {
                            Some(codes) if !codes.is_empty() && rng.chance(0.02) => {
                                codes[rng.below(codes.len())]
                            }
                            _ if !allowed.is_empty() => allowed[rng.below(allowed.len())],
                            _ => options[rng.below(options.len())].code,
                        };
                        chosen.push(code);
                        if let Some(&c) = columns.first() {
                            values[c][row] = code as i32;
                        }
                    }
                    (ItemKind::Multiple { options }, Target::Values(columns)) => {
                        let exclusive: Vec<usize> = (0..options.len())
                            .filter(|&i| options[i].exclusive)
                            .collect();
                        let mut ticked: Vec<bool> = if !exclusive.is_empty() && rng.chance(0.05) {
                            let only = exclusive[rng.below(exclusive.len())];
                            (0..options.len()).map(|i| i == only).collect()
                        } else {
                            options
                                .iter()
                                .map(|o| !o.exclusive && rng.chance(0.3))
                                .collect()
                        };
                        if !ticked.iter().any(|t| *t) {
                            let first = (0..options.len()).find(|&i| !options[i].exclusive);
                            if let Some(i) = first {
                                ticked[i] = true;
                            }
                        }
                        for ((option, tick), &c) in options.iter().zip(&ticked).zip(columns) {
                            values[c][row] = i32::from(*tick);
                            if *tick {
                                chosen.push(option.code);
                            }
                        }
                    }
                    (ItemKind::Matrix { options, rows, .. }, Target::Values(columns)) => {
                        let substantive: Vec<u32> = options
                            .iter()
                            .filter(|o| o.is_substantive())
                            .map(|o| o.code)
                            .collect();
                        let others: Vec<u32> = options
                            .iter()
                            .filter(|o| !o.is_substantive())
                            .map(|o| o.code)
                            .collect();
                        for (r, &c) in rows.iter().zip(columns) {
                            if rng.chance(0.02) {
                                continue;
                            }
                            let code = if !others.is_empty() && rng.chance(0.05) {
                                others[rng.below(others.len())]
                            } else if substantive.is_empty() {
                                options[rng.below(options.len())].code
                            } else {
                                let level = knowledge * 0.6 + rng.unit() * 0.4;
                                let i = ((level * substantive.len() as f64) as usize)
                                    .min(substantive.len() - 1);
                                substantive[i]
                            };
                            values[c][row] = code as i32;
                            if let Some(&s) = slots.get(r.id.as_str()) {
                                picks.set(s, &[code]);
                            }
                        }
                    }
                    (ItemKind::Number { min, max }, Target::Values(columns)) => {
                        let top = (*max).min(min.saturating_add(60));
                        let span = usize::try_from(top - min + 1).unwrap_or(1).max(1);
                        let value = min + rng.below(span) as i64;
                        if let Some(&c) = columns.first() {
                            values[c][row] = i32::try_from(value).unwrap_or(MISSING);
                        }
                    }
                    (ItemKind::Year { min }, Target::Values(columns)) => {
                        let low = (*min).max(1985);
                        let span = usize::try_from(2023 - low + 1).unwrap_or(1).max(1);
                        if let Some(&c) = columns.first() {
                            values[c][row] = low + rng.below(span) as i32;
                        }
                    }
                    (ItemKind::Text { .. }, Target::Text(c)) => {
                        let pool: &[&str] = if item.id.contains("training") {
                            &TRAINING_NAMES
                        } else if item.id.contains("title") {
                            &JOB_TITLES
                        } else {
                            &OTHER_TEXTS
                        };
                        texts[*c][row] = Some(pool[rng.below(pool.len())].to_owned());
                    }
                    _ => {}
                }
                if !chosen.is_empty()
                    && let Some(&s) = slots.get(item.id.as_str())
                {
                    picks.set(s, &chosen);
                }
                if let Some(specify) = &item.specify
                    && chosen.iter().any(|c| specify.when.contains(c))
                    && let Some(&c) = index.get(specify.id.as_str())
                    && let Some(column) = texts.get_mut(c)
                    && let Some(cell) = column.get_mut(row)
                {
                    *cell = Some(OTHER_TEXTS[rng.below(OTHER_TEXTS.len())].to_owned());
                }
                if let Some(rule) = &item.end_if
                    && chosen.iter().any(|c| rule.codes.contains(c))
                {
                    status = Status::Ended;
                    break 'pages;
                }
            }
        }
        data.response_id.push(format!("s{row:08x}"));
        data.respondent_id.push(respondent(row, rng));
        data.site.push(rng.below(sites.max(1)));
        data.status.push(status);
        data.returning.push(kind == Kind::Returning);
        data.started_on.push("2023-06-15".to_owned());
    }
    for ((variable, v), t) in variables.iter().zip(values).zip(texts) {
        let column = match variable.kind {
            VariableKind::Text => Column::Text(t.into()),
            _ => Column::Values(v.into()),
        };
        data.set(variable.id.clone(), column);
    }
    data
}

/// The sites of a synthetic study.
pub fn sites(count: usize) -> Vec<Site> {
    (1..=count.max(1))
        .map(|i| Site {
            site: format!("LA{i:02}"),
            name: format!("Local authority {i}"),
            region: ["North", "Midlands", "South"][i % 3].to_owned(),
        })
        .collect()
}

/// A synthetic study: `options.responses` pre-training records of `pre` and, when `post`
/// is given, post-training records of it linked to a share of the respondents.
/// `pre_path` and `post_path` are the instrument paths the manifest names.
pub fn dataset(
    pre: &Instrument,
    post: Option<&Instrument>,
    pre_path: &str,
    post_path: &str,
    options: &Options,
) -> Dataset {
    let mut rng = Rng(options.seed ^ 0x5EED_5EED_5EED_5EED);
    let n = options.responses;
    let pre_data = responses(
        pre,
        n,
        options.sites,
        &mut rng,
        &|row, _| format!("r{row:08x}"),
        0.0,
    );
    let post_count = (n as f64 * options.post_share).round() as usize;
    let post_data = post.map(|instrument| {
        // Most post-training records belong to a pre-training respondent; some do not
        // (the respondent skipped the first survey, or the link was lost).
        responses(
            instrument,
            post_count,
            options.sites,
            &mut rng,
            &|row, rng: &mut Rng| {
                if rng.chance(0.9) && post_count > 0 {
                    format!("r{:08x}", row * n / post_count)
                } else {
                    // Unique, so that no two unlinked records share a respondent.
                    format!("u{row:08x}{:08x}", rng.next() as u32)
                }
            },
            0.2,
        )
    });
    Dataset {
        manifest: Manifest {
            format: "skafada-export".into(),
            version: 1,
            study: format!("Synthetic study ({n} responses, seed {})", options.seed),
            synthetic: true,
            pre: pre_path.to_owned(),
            post: post.map(|_| post_path.to_owned()),
            follow_up: Vec::new(),
        },
        sites: sites(options.sites),
        pre_instrument: pre.clone(),
        post_instrument: post.cloned(),
        pre: pre_data,
        post: post_data,
        follow_up: Vec::new(),
        arms: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    const PRE: &str = include_str!("../../../instruments/skafada-pre.toml");
    const POST: &str = include_str!("../../../instruments/skafada-post.toml");
    const PLAN: &str = include_str!("../../../plans/skafada.toml");

    fn study(responses: usize, seed: u64) -> Dataset {
        let pre = skafada_instrument::load(PRE, "skafada-pre.toml").unwrap();
        let post = skafada_instrument::parse(POST, "skafada-post.toml")
            .unwrap()
            .validate(Some(&pre))
            .unwrap();
        let options = Options {
            responses,
            seed,
            ..Options::default()
        };
        dataset(&pre, Some(&post), "pre.toml", "post.toml", &options)
    }

    #[test]
    fn the_cleaning_rule_keeps_most_synthetic_records_and_every_reason_occurs() {
        let data = study(2_000, 7);
        let analysis = crate::analyse(&Plan::parse(PLAN, "skafada.toml").unwrap(), &data).unwrap();
        let log = &analysis.cleaning.pre;
        assert_eq!(log.records, 2_000);
        assert!(log.kept > 1_700 && log.kept < 1_950, "{log:?}");
        assert!(log.excluded.iter().all(|e| e.count > 0), "{log:?}");
        assert!(analysis.cleaning.post.as_ref().unwrap().kept > 600);
        assert!(analysis.tests.len() > 100);
    }

    #[test]
    fn synthetic_answers_follow_the_routing() {
        let data = study(3_000, 11);
        let la = data.pre.values("works-for-la").unwrap();
        let employer = data.pre.values("employer").unwrap();
        let service = data.pre.values("la-service").unwrap();
        for row in 0..data.pre.len() {
            if employer.get(row) != Some(MISSING) {
                assert_eq!(la.get(row), Some(2), "row {row}");
            }
            if service.get(row) != Some(MISSING) {
                assert_eq!(la.get(row), Some(1), "row {row}");
            }
        }
        assert!(service.iter().filter(|v| *v != MISSING).count() > 1_000);
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        assert_eq!(study(300, 3).pre, study(300, 3).pre);
        assert_ne!(study(300, 3).pre, study(300, 4).pre);
    }
}
