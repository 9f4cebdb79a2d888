//! Simulated linking of a follow-up wave to a baseline: how often the code links the
//! same person, and how often it links the wrong one, under each match rule.
//!
//! 20,000 baseline respondents at sites of 20 to 500; 60% answer the follow-up, and
//! each site gains 10% newcomers who were not at baseline. Between the waves a
//! returning respondent's answer to each question changes (typo, nickname, another
//! reading of "the town you were born in", a move of house) with the rate in
//! [`CHANGE`]; a changed answer is a fresh draw from the population's answers.
//! Answers are typed with random case and spacing, so normalisation is exercised.
//!
//! The bounds are derived from the simulated distributions, not chosen:
//! * a returning respondent's code is unchanged with probability
//!   `P0 = prod(1 - m_i)`, where `m_i = c_i (1 - k_i)` is the rate at which component
//!   `i` really differs (`c_i` the change rate, `k_i = sum of squared answer shares`,
//!   the chance a fresh draw gives the same component); at most one component
//!   differs with probability `P1 = P0 (1 + sum m_i / (1 - m_i))`;
//! * two different people share a whole code with probability `k = prod k_i` and
//!   share all components but `i` with probability `k / k_i`;
//! * so the exact rule's match rate is at most `P0` and at least `P0` less the
//!   expected collisions of a respondent's code with the other records at the site;
//!   the tolerant rule's lies between `P1` less its collisions and `P1`; and the
//!   expected number of false links is at most the expected number of colliding
//!   pairs. Observed figures must fall inside these bounds, widened by four standard
//!   errors (binomial for rates, Poisson for the count of false links).
//!
//! Run with `--nocapture` to print the figures that `docs/linking-waves.md` quotes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use skafada_demo::rng::Rng;
use skafada_waves::Secret;
use skafada_waves::sgic::{
    Answer, LinkRecord, Linkage, MONTH_NAMES, MatchRule, SgicHashes, SgicSpec, link,
};

/// The SKAFADA follow-up study's questions; the hashes are made under the tolerant
/// rule, which stores the leave-one-out hashes both rules can then be run on.
const QUESTIONS: &str = include_str!("../../../waves/skafada.toml");

/// Chance that a returning respondent's answer to each question changes between
/// waves (mother's name, birth month, birth town, house number). Together they make
/// about 14% of codes differ, inside the 10-20% of codes that Yurek, Vasey and
/// Havens (2008) found not to match exactly between waves.
const CHANGE: [f64; 4] = [0.04, 0.02, 0.06, 0.05];

/// First names of women born in the UK in about 1945-1980 (the respondents'
/// mothers), most common first; weights follow Zipf's law by rank (an assumption
/// standing in for birth-registration counts).
const MOTHERS: [&str; 60] = [
    "Susan",
    "Margaret",
    "Linda",
    "Christine",
    "Patricia",
    "Elizabeth",
    "Janet",
    "Carol",
    "Mary",
    "Julie",
    "Sandra",
    "Karen",
    "Jacqueline",
    "Pauline",
    "Barbara",
    "Jean",
    "Anne",
    "Gillian",
    "Deborah",
    "Sarah",
    "Helen",
    "Jennifer",
    "Kathleen",
    "Maureen",
    "Valerie",
    "Lesley",
    "Angela",
    "Catherine",
    "Diane",
    "Elaine",
    "Tracey",
    "Alison",
    "Wendy",
    "Joan",
    "Sheila",
    "Brenda",
    "Lynne",
    "Denise",
    "Joyce",
    "Dorothy",
    "Irene",
    "Sylvia",
    "Shirley",
    "Marion",
    "Moira",
    "Heather",
    "Jane",
    "Amanda",
    "Nicola",
    "Claire",
    "Michelle",
    "Lisa",
    "Joanne",
    "Donna",
    "Yvonne",
    "Rosemary",
    "Teresa",
    "Bridget",
    "Fiona",
    "Ruth",
];

/// Towns and cities of birth, largest first; Zipf weights by rank (an assumption).
const TOWNS: [&str; 60] = [
    "London",
    "Birmingham",
    "Manchester",
    "Glasgow",
    "Leeds",
    "Liverpool",
    "Sheffield",
    "Bristol",
    "Edinburgh",
    "Newcastle",
    "Cardiff",
    "Belfast",
    "Leicester",
    "Nottingham",
    "Coventry",
    "Bradford",
    "Hull",
    "Stoke-on-Trent",
    "Wolverhampton",
    "Plymouth",
    "Southampton",
    "Derby",
    "Portsmouth",
    "Brighton",
    "Reading",
    "Northampton",
    "Luton",
    "Bolton",
    "Aberdeen",
    "Bournemouth",
    "Norwich",
    "Swindon",
    "Swansea",
    "Southend",
    "Middlesbrough",
    "Peterborough",
    "Sunderland",
    "Warrington",
    "Huddersfield",
    "Slough",
    "Oxford",
    "York",
    "Ipswich",
    "Cambridge",
    "Dundee",
    "Gloucester",
    "Blackpool",
    "Exeter",
    "Preston",
    "Wigan",
    "Doncaster",
    "Rotherham",
    "Chelmsford",
    "Colchester",
    "Crawley",
    "Gateshead",
    "Lincoln",
    "Worcester",
    "Carlisle",
    "Inverness",
];

/// Days in each month (February averaged over leap years): births by month.
const MONTH_DAYS: [f64; 12] = [
    31.0, 28.25, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
];

/// Share of respondents whose home has a name but no number ("don't know").
const NO_HOUSE_NUMBER: f64 = 0.05;
/// Highest house number drawn (uniformly from 1).
const MAX_HOUSE_NUMBER: u64 = 120;
const RESPONDENTS: usize = 20_000;
const FOLLOW_UP_RESPONSE: f64 = 0.6;
const NEWCOMERS: f64 = 0.1;
const SEED: u64 = 2008;
/// Standard errors allowed either side of a derived bound.
const SIGMAS: f64 = 4.0;

/// A draw from `weights` (relative, not necessarily summing to 1).
fn weighted(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.unit() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn zipf(n: usize) -> Vec<f64> {
    (1..=n).map(|r| 1.0 / r as f64).collect()
}

/// A person's true answers, as indices into the populations above.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Person {
    mother: usize,
    month: usize,
    town: usize,
    /// `None`: the home has no number.
    house: Option<u64>,
}

struct Population {
    mothers: Vec<f64>,
    towns: Vec<f64>,
}

impl Population {
    fn draw(&self, rng: &mut Rng) -> Person {
        Person {
            mother: weighted(rng, &self.mothers),
            month: weighted(rng, &MONTH_DAYS),
            town: weighted(rng, &self.towns),
            house: self.house(rng),
        }
    }

    fn house(&self, rng: &mut Rng) -> Option<u64> {
        (rng.unit() >= NO_HOUSE_NUMBER).then(|| 1 + rng.below(MAX_HOUSE_NUMBER as usize) as u64)
    }

    /// The person at a later wave: each answer redrawn with its change rate.
    fn later(&self, p: Person, rng: &mut Rng) -> Person {
        let mut q = p;
        if rng.unit() < CHANGE[0] {
            q.mother = weighted(rng, &self.mothers);
        }
        if rng.unit() < CHANGE[1] {
            q.month = weighted(rng, &MONTH_DAYS);
        }
        if rng.unit() < CHANGE[2] {
            q.town = weighted(rng, &self.towns);
        }
        if rng.unit() < CHANGE[3] {
            q.house = self.house(rng);
        }
        q
    }

    /// The shares of each normalised component's values, computed from the same
    /// distributions the people are drawn from.
    fn shares(&self) -> [Vec<f64>; 4] {
        let grouped = |names: &[&str], weights: &[f64], len: usize| {
            let total: f64 = weights.iter().sum();
            let mut shares = std::collections::BTreeMap::<String, f64>::new();
            for (name, w) in names.iter().zip(weights) {
                let key: String = name.to_uppercase().chars().take(len).collect();
                *shares.entry(key).or_default() += w / total;
            }
            shares.into_values().collect::<Vec<f64>>()
        };
        let days: f64 = MONTH_DAYS.iter().sum();
        let month = MONTH_DAYS.iter().map(|d| d / days).collect();
        // Last digits of 1..=MAX_HOUSE_NUMBER are equally common when MAX is a
        // multiple of 10; "don't know" is one more value.
        let mut house = vec![(1.0 - NO_HOUSE_NUMBER) / 10.0; 10];
        house.push(NO_HOUSE_NUMBER);
        [
            grouped(&MOTHERS, &self.mothers, 2),
            month,
            grouped(&TOWNS, &self.towns, 1),
            house,
        ]
    }
}

/// Every possible code with its probability and, for each rule, the chance that
/// another person drawn from the population matches it (the whole code; at least
/// all components but one).
fn codes(shares: &[Vec<f64>; 4]) -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    for &a in &shares[0] {
        for &b in &shares[1] {
            for &c in &shares[2] {
                for &d in &shares[3] {
                    let q = [a, b, c, d];
                    let whole: f64 = q.iter().product();
                    let all_but_one: f64 = (0..4).map(|i| whole / q[i]).sum::<f64>() - 3.0 * whole;
                    out.push((whole, whole, all_but_one));
                }
            }
        }
    }
    out
}

/// `E[(1 - c)^m]` and `E[m c (1 - c)^(m - 1)]` over codes: the chance that none of
/// `m` others matches a code, and that exactly one does.
fn none_and_one(codes: &[(f64, f64, f64)], rule: MatchRule, m: usize) -> (f64, f64) {
    let mut none = 0.0;
    let mut one = 0.0;
    for &(weight, whole, all_but_one) in codes {
        let c = match rule {
            MatchRule::Exact => whole,
            _ => all_but_one,
        };
        let miss = (1.0 - c).powi(m as i32 - 1);
        none += weight * miss * (1.0 - c);
        one += weight * m as f64 * c * miss;
    }
    (none, one)
}

/// The person's answers as they might type them.
fn typed(p: Person, rng: &mut Rng) -> [Answer; 4] {
    let styled = |s: &str, rng: &mut Rng| -> String {
        let body = match rng.below(3) {
            0 => s.to_lowercase(),
            1 => s.to_uppercase(),
            _ => s.to_owned(),
        };
        if rng.below(4) == 0 {
            format!("  {body} ")
        } else {
            body
        }
    };
    let month = match rng.below(3) {
        0 => (p.month + 1).to_string(),
        1 => MONTH_NAMES[p.month].chars().take(3).collect(),
        _ => MONTH_NAMES[p.month].to_owned(),
    };
    let house = match p.house {
        None => Answer::DontKnow,
        Some(n) if rng.below(5) == 0 => Answer::Text(format!("Flat 3, {n}")),
        Some(n) => Answer::Text(n.to_string()),
    };
    [
        Answer::Text(styled(MOTHERS[p.mother], rng)),
        Answer::Text(styled(&month, rng)),
        Answer::Text(styled(TOWNS[p.town], rng)),
        house,
    ]
}

struct Response {
    site: String,
    /// Baseline respondents at the site.
    site_size: usize,
    /// Index of the person's baseline response, for returning respondents.
    truth: Option<usize>,
    hashes: SgicHashes,
    /// Whether the code is the same as at baseline.
    unchanged: bool,
}

struct World {
    baseline: Vec<Response>,
    later: Vec<Response>,
    /// Per site: (baseline records, later records, returning respondents).
    sites: Vec<(usize, usize, usize)>,
}

fn simulate(spec: &SgicSpec, secret: &Secret) -> World {
    let mut rng = Rng::new(SEED);
    let population = Population {
        mothers: zipf(MOTHERS.len()),
        towns: zipf(TOWNS.len()),
    };
    let hash = |p: Person, rng: &mut Rng| {
        let code = spec.code(&typed(p, rng)).unwrap();
        (code.clone(), spec.hashes(&code, secret))
    };
    let mut world = World {
        baseline: Vec::new(),
        later: Vec::new(),
        sites: Vec::new(),
    };
    let mut remaining = RESPONDENTS;
    while remaining > 0 {
        let size = (20 + rng.below(481)).min(remaining);
        remaining -= size;
        let site = format!("site-{}", world.sites.len());
        let (mut returning, mut later) = (0, 0);
        for _ in 0..size {
            let person = population.draw(&mut rng);
            let (code, hashes) = hash(person, &mut rng);
            world.baseline.push(Response {
                site: site.clone(),
                site_size: size,
                truth: None,
                hashes,
                unchanged: true,
            });
            if rng.unit() < FOLLOW_UP_RESPONSE {
                let (again, hashes) = hash(population.later(person, &mut rng), &mut rng);
                world.later.push(Response {
                    site: site.clone(),
                    site_size: size,
                    truth: Some(world.baseline.len() - 1),
                    hashes,
                    unchanged: again == code,
                });
                returning += 1;
                later += 1;
            }
        }
        let newcomers = (size as f64 * NEWCOMERS).round() as usize;
        for _ in 0..newcomers {
            let (_, hashes) = hash(population.draw(&mut rng), &mut rng);
            world.later.push(Response {
                site: site.clone(),
                site_size: size,
                truth: None,
                hashes,
                unchanged: false,
            });
            later += 1;
        }
        world.sites.push((size, later, returning));
    }
    world
}

fn records(responses: &[Response]) -> Vec<LinkRecord<'_>> {
    responses
        .iter()
        .map(|r| LinkRecord {
            site: &r.site,
            hashes: &r.hashes,
        })
        .collect()
}

struct Figures {
    returning: usize,
    links: usize,
    correct: usize,
    false_links: usize,
}

impl Figures {
    /// The figures for later records at sites whose size is in `band`.
    fn of(world: &World, linkage: &Linkage, band: std::ops::Range<usize>) -> Self {
        let in_band = |r: &Response| band.contains(&r.site_size);
        let links: Vec<_> = linkage
            .links
            .iter()
            .filter(|l| in_band(&world.later[l.later]))
            .collect();
        let correct = links
            .iter()
            .filter(|l| world.later[l.later].truth == Some(l.baseline))
            .count();
        Self {
            returning: world
                .later
                .iter()
                .filter(|r| r.truth.is_some() && in_band(r))
                .count(),
            links: links.len(),
            correct,
            false_links: links.len() - correct,
        }
    }

    fn match_rate(&self) -> f64 {
        self.correct as f64 / self.returning as f64
    }

    fn false_match_rate(&self) -> f64 {
        self.false_links as f64 / self.links as f64
    }
}

#[test]
fn linking_codes_match_returning_respondents_and_rarely_link_the_wrong_person() {
    let tolerant = QUESTIONS.replace("rule = \"exact\"", "rule = \"all-but-one\"");
    let spec = SgicSpec::parse(&tolerant).unwrap();
    assert_eq!(spec.rule(), MatchRule::AllButOne);
    let secret = Secret::from_bytes((0u8..32).collect()).unwrap();
    let world = simulate(&spec, &secret);
    let population = Population {
        mothers: zipf(MOTHERS.len()),
        towns: zipf(TOWNS.len()),
    };
    let shares = population.shares();
    let k: Vec<f64> = shares
        .iter()
        .map(|v| v.iter().map(|x| x * x).sum())
        .collect();
    let codes = codes(&shares);
    let differs: Vec<f64> = CHANGE.iter().zip(&k).map(|(c, k)| c * (1.0 - k)).collect();
    let p0: f64 = differs.iter().map(|m| 1.0 - m).product();
    let p1 = p0 * (1.0 + differs.iter().map(|m| m / (1.0 - m)).sum::<f64>());

    // Later records per site that do not carry their own baseline code unchanged.
    let mut unmatched_counts = Vec::new();
    let mut offset = 0;
    for &(_, later, _) in &world.sites {
        let rows = &world.later[offset..offset + later];
        unmatched_counts.push(rows.iter().filter(|r| !r.unchanged).count());
        offset += later;
    }
    let returning: usize = world.sites.iter().map(|s| s.2).sum();
    let unchanged = world.later.iter().filter(|r| r.unchanged).count();
    let se = |p: f64| SIGMAS * (p * (1.0 - p) / returning as f64).sqrt();
    eprintln!(
        "{} baseline respondents at {} sites (20-500 each), {} follow-up responses \
         ({} returning, {} newcomers); codes unchanged between waves: {:.1}% \
         (derived P0 {:.1}%); component collision probabilities {:?}",
        world.baseline.len(),
        world.sites.len(),
        world.later.len(),
        returning,
        world.later.len() - returning,
        100.0 * unchanged as f64 / returning as f64,
        100.0 * p0,
        k.iter()
            .map(|x| (x * 1e4).round() / 1e4)
            .collect::<Vec<_>>(),
    );
    let unchanged_rate = unchanged as f64 / returning as f64;
    assert!(
        (unchanged_rate - p0).abs() <= se(p0),
        "the share of unchanged codes {unchanged_rate} is not P0 {p0}: normalisation lost answers"
    );

    for (rule, expected_top) in [(MatchRule::Exact, p0), (MatchRule::AllButOne, p1)] {
        let linkage = link(&records(&world.baseline), &records(&world.later), rule);
        let f = Figures::of(&world, &linkage, 0..usize::MAX);
        // A returning respondent whose code is unchanged is linked unless another
        // baseline record or another later record has the same code or (tolerant
        // rule) a later record without an exact match of its own matches it on all
        // but one component; one whose code changed in one component (tolerant
        // rule) is linked unless another baseline or later record matches either
        // code on all but one component. Union bounds make this a floor.
        let mut kept = 0.0;
        let mut false_bound = 0.0;
        for (&(base, later, returners), &unmatched) in world.sites.iter().zip(&unmatched_counts) {
            let miss = |rule, m| 1.0 - none_and_one(&codes, rule, m).0;
            let exact_loss = miss(MatchRule::Exact, base - 1) + miss(MatchRule::Exact, later - 1);
            let share = match rule {
                MatchRule::Exact => p0 * (1.0 - exact_loss).max(0.0),
                MatchRule::AllButOne => {
                    let contest = miss(MatchRule::AllButOne, unmatched);
                    let near = miss(MatchRule::AllButOne, base - 1)
                        + miss(MatchRule::AllButOne, later - 1);
                    p0 * (1.0 - exact_loss - contest).max(0.0) + (p1 - p0) * (1.0 - near).max(0.0)
                }
            };
            kept += returners as f64 * share;
            // A false link needs exactly one other baseline record to match.
            let (_, one) = none_and_one(&codes, rule, base);
            false_bound += unmatched as f64 * one;
        }
        let floor = kept / returning as f64;
        eprintln!(
            "{rule:?}: match rate {:.2}% (derived bounds {:.2}%-{:.2}%), {} links, \
             {} false: false-match rate {:.3}% of links, {:.2} per 1,000 follow-up \
             responses (expected at most {:.1} false links); {} duplicate baseline \
             codes, {} ambiguous, {} contested, {} unmatched",
            100.0 * f.match_rate(),
            100.0 * floor,
            100.0 * expected_top,
            f.links,
            f.false_links,
            100.0 * f.false_match_rate(),
            1000.0 * f.false_links as f64 / world.later.len() as f64,
            false_bound,
            linkage.duplicate_baseline_codes,
            linkage.ambiguous,
            linkage.contested,
            linkage.unmatched,
        );
        for band in [20..100, 100..300, 300..501] {
            let b = Figures::of(&world, &linkage, band.clone());
            eprintln!(
                "  {rule:?} at sites of {}-{}: match rate {:.2}% of {} returning, \
                 false-match rate {:.3}% ({} of {} links)",
                band.start,
                band.end - 1,
                100.0 * b.match_rate(),
                b.returning,
                100.0 * b.false_match_rate(),
                b.false_links,
                b.links,
            );
        }
        assert!(
            f.match_rate() <= expected_top + se(expected_top)
                && f.match_rate() >= floor - se(floor),
            "{rule:?}: match rate {} outside [{floor}, {expected_top}] +/- {SIGMAS} SE",
            f.match_rate()
        );
        let poisson = false_bound + SIGMAS * false_bound.sqrt() + 1.0;
        assert!(
            (f.false_links as f64) <= poisson,
            "{rule:?}: {} false links, more than the derived {poisson}",
            f.false_links
        );
        assert_eq!(
            f.links + linkage.ambiguous + linkage.contested + linkage.unmatched,
            world.later.len(),
            "every later record is linked or counted under one reason"
        );
    }
}
