//! The intruder's integer programme, and the secondary suppression that defeats it.
//!
//! For a published view, the intruder's unknowns are the site's, the other similar
//! sites' and the rest of the sites' counts of every code of every variable ("atoms";
//! without a group of similar sites, the middle block's total is zero). What they
//! know: each variable's atoms add up to the published number of responses; routing (a variable shown only
//! after some answers was answered by no more people than gave them); the options of a
//! "select all that apply" question were answered by the same people; every shown
//! count, base and rounded percentage; and that a hidden figure is not zero (zeros are
//! always shown), except in a withheld variable, of which nothing at all is shown. The
//! bounds of a hidden count are the minimum and maximum of its sum of atoms over the
//! solutions of all of that together: the linear relaxation, its bounds rounded inwards
//! to whole people (an integer solver took seconds per count on linked grids; on one
//! variable's table the relaxation's bounds equal exhaustive enumeration, which
//! `tests/release.rs` checks on generated tables).
//!
//! Variables linked by routing or by a shared question form a component; components
//! share nothing but the published totals, so each is solved on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions};
use serde::Serialize;

use crate::{Figure, FigureSpec, ReleaseError, ReleaseInput, Survey, Totals, VariableCounts};

/// One figure as published: what is shown of it (`None` is hidden).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewItem {
    /// What the figure is.
    pub spec: FigureSpec,
    /// The site's count.
    pub site_count: Option<u64>,
    /// The site's percentage (whole number, rounded half up).
    pub site_percent: Option<u64>,
    /// The site's base.
    pub site_base: Option<u64>,
    /// Every site's percentage.
    pub all_percent: Option<u64>,
    /// The similar sites' percentage (the site included).
    pub group_percent: Option<u64>,
    /// Nothing of the figure's question is shown, not even whether it is zero (hidden
    /// figures otherwise are known not to be zero, since zeros are always shown).
    pub withheld: bool,
}

/// Everything a site-scoped reader sees of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedView {
    /// The smallest count that may be seen (published with the release).
    pub threshold: u64,
    /// The published numbers of responses.
    pub totals: Vec<Totals>,
    /// The figures.
    pub items: Vec<ViewItem>,
}

/// The intruder's tightest bounds on one hidden count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bounds {
    /// The figure.
    pub figure: String,
    /// `count` (the figure's count) or `base` (its number answering).
    pub part: &'static str,
    /// The smallest value consistent with everything published.
    pub low: u64,
    /// The largest.
    pub high: u64,
}

impl Bounds {
    /// How many values remain possible.
    pub fn values(&self) -> u64 {
        self.high.saturating_sub(self.low) + 1
    }

    /// Whether a count with these bounds is protected at this threshold: at least
    /// `threshold` possible values, one of them `threshold` or more.
    pub fn protects(&self, threshold: u64) -> bool {
        self.values() >= threshold && self.high >= threshold
    }
}

/// The survey's structure, as anyone who has read the questionnaire knows it.
struct Structure<'a> {
    variables: Vec<&'a VariableCounts>,
    /// Responses per survey: the site's, the similar sites' (the site included) and
    /// every site's.
    totals: BTreeMap<Survey, (u64, u64, u64)>,
}

/// The three blocks of a variable's atoms: the site's, the other similar sites' and the
/// rest of the sites'.
const BLOCKS: usize = 3;

/// The block totals of a survey: the site's, the other similar sites', the rest's.
fn block_totals((site, group, all): (u64, u64, u64)) -> [u64; BLOCKS] {
    [
        site,
        group.saturating_sub(site),
        all.saturating_sub(group.max(site)),
    ]
}

impl<'a> Structure<'a> {
    fn variable(&self, survey: Survey, id: &str) -> Option<usize> {
        self.variables
            .iter()
            .position(|v| v.survey == survey && v.id == id)
    }

    /// The components: sets of variable indices linked by routing or a shared question.
    fn components(&self) -> Vec<Vec<usize>> {
        let n = self.variables.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (find(parent, a), find(parent, b));
            if ra != rb {
                parent[ra] = rb;
            }
        };
        for (i, v) in self.variables.iter().enumerate() {
            for (other, _) in &v.shown_if {
                if let Some(j) = self.variable(v.survey, other) {
                    union(&mut parent, i, j);
                }
            }
            if v.option_of_multiple
                && let Some(j) = self
                    .variables
                    .iter()
                    .position(|w| w.survey == v.survey && w.item == v.item && w.option_of_multiple)
            {
                union(&mut parent, i, j);
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let root = find(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
        groups.into_values().collect()
    }
}

/// What to bound: the site's atoms of one variable over some codes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    variable: usize,
    codes: Vec<u32>,
}

/// A linear constraint: terms (atom, coefficient), comparison, right-hand side.
type Constraint = (Vec<(usize, f64)>, ComparisonOp, f64);

/// The programme of one component, ready to be solved for any target.
struct Programme<'s, 'a> {
    structure: &'s Structure<'a>,
    /// Variables of the component, with the index of their first atom. Each variable
    /// has `codes + 1` site atoms, then as many of the other similar sites' and of the
    /// rest of the sites' (the last of each is "no answer").
    members: Vec<(usize, usize)>,
    atoms: usize,
    constraints: Vec<Constraint>,
    /// Upper bound of each atom.
    upper: Vec<u64>,
}

impl<'s, 'a> Programme<'s, 'a> {
    fn new(structure: &'s Structure<'a>, component: &[usize], items: &[&ViewItem]) -> Self {
        let mut members = Vec::new();
        let mut atoms = 0;
        let mut upper = Vec::new();
        for &v in component {
            let variable = structure.variables[v];
            let totals = structure
                .totals
                .get(&variable.survey)
                .copied()
                .unwrap_or((0, 0, 0));
            let width = variable.codes.len() + 1;
            members.push((v, atoms));
            atoms += BLOCKS * width;
            for total in block_totals(totals) {
                upper.extend(std::iter::repeat_n(total, width));
            }
        }
        let mut programme = Programme {
            structure,
            members,
            atoms,
            constraints: Vec::new(),
            upper,
        };
        programme.structural();
        for item in items {
            programme.published(item);
        }
        programme
    }

    fn start(&self, variable: usize) -> Option<(usize, &'a VariableCounts)> {
        self.members
            .iter()
            .find(|(v, _)| *v == variable)
            .map(|(v, start)| (*start, self.structure.variables[*v]))
    }

    /// The atoms of these codes in one block: 0 the site's, 1 the other similar sites',
    /// 2 the rest of the sites'.
    fn atoms_of(&self, variable: usize, codes: &[u32], block: usize) -> Vec<usize> {
        let Some((start, v)) = self.start(variable) else {
            return Vec::new();
        };
        let width = v.codes.len() + 1;
        let offset = start + block * width;
        v.codes
            .iter()
            .enumerate()
            .filter(|(_, c)| codes.contains(&c.code))
            .map(|(i, _)| offset + i)
            .collect()
    }

    fn structural(&mut self) {
        let members = self.members.clone();
        for &(v, start) in &members {
            let variable = self.structure.variables[v];
            let width = variable.codes.len() + 1;
            let totals = self
                .structure
                .totals
                .get(&variable.survey)
                .copied()
                .unwrap_or((0, 0, 0));
            for (block, total) in block_totals(totals).into_iter().enumerate() {
                let offset = block * width;
                let terms = (0..width).map(|i| (start + offset + i, 1.0)).collect();
                self.constraints
                    .push((terms, ComparisonOp::Eq, total as f64));
            }
            // Answered only by those routed to it.
            for (other, codes) in &variable.shown_if {
                let Some(u) = self.structure.variable(variable.survey, other) else {
                    continue;
                };
                for block in 0..BLOCKS {
                    let answered: Vec<u32> = variable.codes.iter().map(|c| c.code).collect();
                    let mut terms: Vec<(usize, f64)> = self
                        .atoms_of(v, &answered, block)
                        .into_iter()
                        .map(|a| (a, 1.0))
                        .collect();
                    terms.extend(
                        self.atoms_of(u, codes, block)
                            .into_iter()
                            .map(|a| (a, -1.0)),
                    );
                    self.constraints.push((terms, ComparisonOp::Le, 0.0));
                }
            }
            // Options of one "select all that apply" question: the same people answered.
            if variable.option_of_multiple
                && let Some(&(w, w_start)) = members.iter().find(|(w, _)| {
                    let other = self.structure.variables[*w];
                    *w != v
                        && other.option_of_multiple
                        && other.item == variable.item
                        && other.survey == variable.survey
                })
            {
                let w_width = self.structure.variables[w].codes.len() + 1;
                for (a, b) in
                    (1..=BLOCKS).map(|k| (start + k * width - 1, w_start + k * w_width - 1))
                {
                    self.constraints
                        .push((vec![(a, 1.0), (b, -1.0)], ComparisonOp::Eq, 0.0));
                }
            }
        }
    }

    fn published(&mut self, item: &ViewItem) {
        if item.withheld {
            return;
        }
        let spec = &item.spec;
        let Some(v) = self.structure.variable(spec.survey, &spec.variable) else {
            return;
        };
        let count = self.atoms_of(v, &spec.codes, 0);
        let base = self.atoms_of(v, &spec.base, 0);
        let ones = |atoms: &[usize]| atoms.iter().map(|a| (*a, 1.0)).collect::<Vec<_>>();
        match item.site_count {
            Some(k) => self
                .constraints
                .push((ones(&count), ComparisonOp::Eq, k as f64)),
            None => self.constraints.push((ones(&count), ComparisonOp::Ge, 1.0)),
        }
        match item.site_base {
            Some(b) => self
                .constraints
                .push((ones(&base), ComparisonOp::Eq, b as f64)),
            None => self.constraints.push((ones(&base), ComparisonOp::Ge, 1.0)),
        }
        if let Some(p) = item.site_percent {
            self.percent(&count, &base, p);
        }
        // Every site's share counts all three blocks; the similar sites' the first two.
        for (percent, blocks) in [(item.all_percent, 1..BLOCKS), (item.group_percent, 1..2)] {
            let Some(p) = percent else {
                continue;
            };
            let mut count = count.clone();
            let mut base = base.clone();
            for block in blocks {
                count.extend(self.atoms_of(v, &spec.codes, block));
                base.extend(self.atoms_of(v, &spec.base, block));
            }
            self.percent(&count, &base, p);
        }
    }

    /// A whole percentage rounded half up: `p - 0.5 <= 100 count / base < p + 0.5`.
    fn percent(&mut self, count: &[usize], base: &[usize], p: u64) {
        let p = p as f64;
        let terms = |low: f64| {
            let mut terms: BTreeMap<usize, f64> = BTreeMap::new();
            for a in count {
                *terms.entry(*a).or_default() += 100.0;
            }
            for a in base {
                *terms.entry(*a).or_default() -= low;
            }
            terms.into_iter().collect::<Vec<_>>()
        };
        self.constraints
            .push((terms(p - 0.5), ComparisonOp::Ge, 0.0));
        // Both sides are multiples of a half, so "below zero" is "at most -0.25".
        self.constraints
            .push((terms(p + 0.5), ComparisonOp::Le, -0.25));
    }

    /// The smallest or largest value of the target's sum of site atoms; `None` when the
    /// solver could not answer (infeasible: the view contradicts the structure).
    fn optimum(&self, target: &Target, maximise: bool) -> Option<u64> {
        let direction = if maximise {
            OptimizationDirection::Maximize
        } else {
            OptimizationDirection::Minimize
        };
        let mut problem = Problem::new(direction);
        let objective: BTreeSet<usize> = self
            .atoms_of(target.variable, &target.codes, 0)
            .into_iter()
            .collect();
        let vars: Vec<_> = (0..self.atoms)
            .map(|a| {
                let coefficient = if objective.contains(&a) { 1.0 } else { 0.0 };
                problem.add_var(coefficient, (0.0, self.upper[a] as f64))
            })
            .collect();
        for (terms, op, rhs) in &self.constraints {
            let expression: Vec<_> = terms.iter().map(|(a, c)| (vars[*a], *c)).collect();
            problem.add_constraint(expression.as_slice(), *op, *rhs);
        }
        // Presolve simplifies big programmes; these are a few dozen atoms and
        // constraints, where it took more time than the search it saved.
        let mut options = SolveOptions::default();
        options.time_limit = Some(Duration::from_secs(5));
        options.presolve = false;
        let outcome = problem.solve_with(options).ok()?;
        let solution = outcome.solution()?;
        if !outcome.is_optimal() {
            return None;
        }
        // The linear relaxation: the integer count lies within its bounds rounded
        // inwards.
        let value = if maximise {
            (solution.objective() + 1e-6).floor()
        } else {
            (solution.objective() - 1e-6).ceil()
        };
        (value >= 0.0).then_some(value as u64)
    }

    fn bounds(&self, target: &Target) -> Option<(u64, u64)> {
        Some((self.optimum(target, false)?, self.optimum(target, true)?))
    }
}

fn structure<'a>(variables: &'a [VariableCounts], totals: &[Totals]) -> Structure<'a> {
    Structure {
        variables: variables.iter().collect(),
        totals: totals
            .iter()
            .map(|t| (t.survey, (t.site, t.group, t.all)))
            .collect(),
    }
}

/// The intruder's bounds on every hidden count and base of a published view, given
/// the survey's structure (`variables`: only their identifiers, codes, routing and
/// questions are read, never their counts).
pub fn intruder_bounds(view: &PublishedView, variables: &[VariableCounts]) -> Vec<Bounds> {
    let structure = structure(variables, &view.totals);
    let mut out = Vec::new();
    for component in structure.components() {
        let items: Vec<&ViewItem> = view
            .items
            .iter()
            .filter(|item| {
                structure
                    .variable(item.spec.survey, &item.spec.variable)
                    .is_some_and(|v| component.contains(&v))
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        let programme = Programme::new(&structure, &component, &items);
        let mut seen = BTreeSet::new();
        for item in &items {
            let Some(v) = structure.variable(item.spec.survey, &item.spec.variable) else {
                continue;
            };
            for (part, shown, codes) in [
                ("count", item.site_count.is_some(), &item.spec.codes),
                ("base", item.site_base.is_some(), &item.spec.base),
            ] {
                let target = Target {
                    variable: v,
                    codes: sorted(codes),
                };
                if shown || !seen.insert(target.clone()) {
                    continue;
                }
                // An answer the solver cannot give is the widest interval there is: the
                // test that reads this treats it as a failure to verify, not a pass.
                let (low, high) = programme.bounds(&target).unwrap_or((0, 0));
                out.push(Bounds {
                    figure: item.spec.id.clone(),
                    part,
                    low,
                    high,
                });
            }
        }
    }
    out
}

fn sorted(codes: &[u32]) -> Vec<u32> {
    let mut codes = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// What secondary suppression did.
pub(crate) struct Outcome {
    pub(crate) protected: usize,
    pub(crate) secondary: usize,
    pub(crate) narrowest: Option<u64>,
}

/// A figure part that can be hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Count,
    Base,
    All,
    Group,
}

fn view_item(figure: &Figure) -> ViewItem {
    ViewItem {
        spec: figure.spec.clone(),
        site_count: figure.site_count(),
        site_percent: figure.site_percent(),
        site_base: figure.site_base(),
        all_percent: figure.all_percent(),
        group_percent: figure.group_percent(),
        withheld: figure.withheld,
    }
}

/// Whether two figures publish the same number as this part: the same codes counted
/// (a count), the same base (a base), or both (an all-sites percentage).
fn publishes_same(a: &FigureSpec, b: &FigureSpec, part: Part) -> bool {
    let (codes, base) = match part {
        Part::Count => (true, false),
        Part::Base => (false, true),
        Part::All | Part::Group => (true, true),
    };
    a.survey == b.survey
        && a.variable == b.variable
        && (!codes || sorted(&a.codes) == sorted(&b.codes))
        && (!base || sorted(&a.base) == sorted(&b.base))
}

/// Hides a part of a figure and of every figure that publishes the same number.
fn hide(figures: &mut [Figure], index: usize, part: Part) -> usize {
    let spec = figures[index].spec.clone();
    let mut hidden = 0;
    for figure in figures.iter_mut() {
        if !publishes_same(&figure.spec, &spec, part) {
            continue;
        }
        let flag = match part {
            Part::Count => &mut figure.site_shown,
            Part::Base => &mut figure.base_shown,
            Part::All => &mut figure.all_shown,
            Part::Group => &mut figure.group_shown,
        };
        if *flag {
            *flag = false;
            hidden += 1;
        }
    }
    hidden
}

/// Secondary suppression over every component of the release.
pub(crate) fn protect(
    input: &ReleaseInput,
    figures: &mut [Figure],
) -> Result<Outcome, ReleaseError> {
    let released: Vec<Totals> = input
        .totals
        .iter()
        .filter(|t| t.site >= input.threshold)
        .copied()
        .collect();
    // A survey with too few responses releases nothing.
    for figure in figures.iter_mut() {
        if !released.iter().any(|t| t.survey == figure.spec.survey) {
            figure.site_shown = false;
            figure.base_shown = false;
            figure.all_shown = false;
            figure.group_shown = false;
            figure.withheld = true;
        }
    }
    let structure = structure(&input.variables, &released);
    let small = |n: u64| (1..input.threshold).contains(&n);
    let mut outcome = Outcome {
        protected: 0,
        secondary: 0,
        narrowest: None,
    };
    for component in structure.components() {
        let members: Vec<usize> = figures
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                released.iter().any(|t| t.survey == f.spec.survey)
                    && structure
                        .variable(f.spec.survey, &f.spec.variable)
                        .is_some_and(|v| component.contains(&v))
            })
            .map(|(i, _)| i)
            .collect();
        // Protected: every small site count and base in the component.
        let mut targets: BTreeMap<Target, u64> = BTreeMap::new();
        for &i in &members {
            let spec = &figures[i].spec;
            let Some(v) = structure.variable(spec.survey, &spec.variable) else {
                continue;
            };
            for (codes, value) in [
                (&spec.codes, figures[i].site.count),
                (&spec.base, figures[i].site.base),
            ] {
                if small(value) {
                    targets.insert(
                        Target {
                            variable: v,
                            codes: sorted(codes),
                        },
                        value,
                    );
                }
            }
        }
        if targets.is_empty() {
            continue;
        }
        outcome.protected += targets.len();
        let check = |figures: &[Figure], target: &Target| -> Option<u64> {
            let items: Vec<ViewItem> = members.iter().map(|&i| view_item(&figures[i])).collect();
            let refs: Vec<&ViewItem> = items.iter().collect();
            let programme = Programme::new(&structure, &component, &refs);
            // The largest value first: a count that cannot reach the threshold is not
            // protected, whatever its smallest value, and one programme says so (most
            // of the candidates tried below fail this way).
            let high = programme.optimum(target, true)?;
            if high < input.threshold {
                return None;
            }
            let low = programme.optimum(target, false)?;
            let bounds = Bounds {
                figure: String::new(),
                part: "count",
                low,
                high,
            };
            bounds.protects(input.threshold).then_some(bounds.values())
        };
        // Hiding only ever removes what the intruder knows (a shown count becomes "not
        // zero", a withheld one nothing), so a count protected once stays protected: each
        // is made safe in turn and never checked again until the final bounds.
        //
        // `known` holds the values left to the intruder for the targets checked against
        // the figures as they are now; it is emptied whenever something more is hidden,
        // so that the final bounds are those of the final view, but a target checked
        // since the last change is not solved for again (two programmes each).
        let mut known: BTreeMap<Target, u64> = BTreeMap::new();
        let mut guard = 0;
        let order: Vec<Target> = targets.keys().cloned().collect();
        let mut next = 0;
        loop {
            guard += 1;
            while let Some(target) = order.get(next) {
                let Some(values) = check(figures, target) else {
                    break;
                };
                known.insert(target.clone(), values);
                next += 1;
            }
            let Some(failing) = order.get(next).cloned() else {
                for target in targets.keys() {
                    let values = match known.get(target) {
                        Some(&values) => Some(values),
                        None => check(figures, target),
                    };
                    if let Some(values) = values {
                        outcome.narrowest =
                            Some(outcome.narrowest.map_or(values, |n| n.min(values)));
                    }
                }
                break;
            };
            // Whatever happens below hides something more.
            known.clear();
            // Candidates: shown non-zero parts, those of the failing variable first and
            // the smallest first, headline measures after the details of their variable.
            let mut candidates: Vec<(u64, usize, Part)> = Vec::new();
            for &i in &members {
                let f = &figures[i];
                let same_variable =
                    structure.variable(f.spec.survey, &f.spec.variable) == Some(failing.variable);
                let distance = if same_variable { 0 } else { 1_000_000 };
                // A number a headline measure publishes (itself, or a detail printing the
                // same number) is kept while any other detail of its variable can go.
                let headline = |part: Part| -> u64 {
                    let shared = members.iter().any(|&j| {
                        figures[j].spec.headline && publishes_same(&figures[j].spec, &f.spec, part)
                    });
                    if shared { 999 } else { 0 }
                };
                if f.site_shown && f.site.count > 0 {
                    candidates.push((
                        distance + headline(Part::Count) + f.site.count,
                        i,
                        Part::Count,
                    ));
                }
                if f.base_shown && f.site.base > 0 {
                    candidates.push((
                        distance + headline(Part::Base) + 1_000 + f.site.base,
                        i,
                        Part::Base,
                    ));
                }
                if f.all_shown && f.all.count > 0 {
                    candidates.push((
                        distance + headline(Part::All) + 10_000 + f.all.count,
                        i,
                        Part::All,
                    ));
                }
                // The similar sites' share goes before a headline measure's own numbers:
                // the measure is what the page leads with.
                if f.group_shown && f.group.count > 0 {
                    candidates.push((distance + 500 + f.group.count.min(400), i, Part::Group));
                }
            }
            candidates.sort_by_key(|(cost, i, _)| (*cost, *i));
            if candidates.is_empty() || guard > 4 * members.len() + 8 {
                // Nothing left to hide beside it: withhold the whole component, zeros
                // included, so the intruder knows only the totals.
                for &i in &members {
                    let f = &mut figures[i];
                    outcome.secondary += usize::from(f.site_shown)
                        + usize::from(f.base_shown)
                        + usize::from(f.all_shown)
                        + usize::from(f.group_shown);
                    f.site_shown = false;
                    f.base_shown = false;
                    f.all_shown = false;
                    f.group_shown = false;
                    f.withheld = true;
                }
                if targets.keys().any(|t| check(figures, t).is_none()) {
                    return Err(ReleaseError::Inconsistent {
                        survey: structure.variables[failing.variable].survey.as_str(),
                        detail: format!(
                            "{} cannot be protected even with nothing shown",
                            structure.variables[failing.variable].id
                        ),
                    });
                }
                continue;
            }
            let mut fixed = false;
            for &(_, i, part) in candidates.iter().take(6) {
                let before: Vec<Figure> = members.iter().map(|&m| figures[m].clone()).collect();
                let hidden = hide(figures, i, part);
                if check(figures, &failing).is_some() {
                    outcome.secondary += hidden;
                    fixed = true;
                    break;
                }
                for (&m, figure) in members.iter().zip(before) {
                    figures[m] = figure;
                }
            }
            if !fixed && let Some(&(_, i, part)) = candidates.first() {
                outcome.secondary += hide(figures, i, part);
            }
        }
    }
    Ok(outcome)
}
