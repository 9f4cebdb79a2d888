//! The protected release of one site: every figure a site-scoped reader (an LA contact)
//! may see, on every page and in every download, decided together so that no
//! combination of them gives away a small count.
//!
//! The model (`docs/confidentiality.md`): the unknowns are the site's counts of each
//! answer code of each coded survey variable, and the other sites' counts beside them,
//! split into the other similar sites' and the rest's when the site is compared with a
//! group of similar sites (integer atoms, "not answered" included). Every published
//! number is a linear statement about atoms: a count is a sum of atoms, a rounded
//! percentage bounds the ratio of two sums, an all-sites percentage bounds the site's
//! atoms plus the others'.
//! The survey's structure adds what an intruder who has read the questionnaire knows:
//! each variable's atoms add up to the published number of responses; a question shown
//! only after a given answer was answered by no more people than gave that answer; the
//! options of a "select all that apply" question were answered by the same people.
//!
//! [`build`] suppresses small counts (primary), then audits the whole release with the
//! intruder's linear programme (`audit`) and hides further figures (secondary) until
//! every protected count keeps at least `threshold` possible values, including one of
//! `threshold` or more: the reader can neither pin a small count down nor tell that it
//! is small. [`intruder_bounds`] is the same programme run on a published view alone,
//! which is what the tests' intruder feeds it from the pages and downloads.
//!
//! Architecture invariant: this is the only place that decides what a site-scoped
//! reader sees. Pages and downloads for such readers print [`Release`] figures and
//! nothing computed from the responses directly.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod counts;
pub mod derived;

pub use audit::{Bounds, PublishedView, ViewItem, intruder_bounds};
pub use counts::{
    AllSitesCounts, LinkedSide, Rows, condition_of, count_linked, count_variables,
    count_variables_in, count_variables_with,
};

use serde::Serialize;

/// Which survey a figure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Survey {
    /// The pre-training survey.
    Pre,
    /// The post-training survey.
    Post,
}

impl Survey {
    /// `pre` or `post`.
    pub fn as_str(self) -> &'static str {
        match self {
            Survey::Pre => "pre",
            Survey::Post => "post",
        }
    }

    /// Parses `pre` or `post`.
    pub fn parse(text: &str) -> Option<Survey> {
        match text {
            "pre" => Some(Survey::Pre),
            "post" => Some(Survey::Post),
            _ => None,
        }
    }
}

/// One answer code of a variable with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// The code.
    pub code: u32,
    /// Its label.
    pub label: String,
    /// Responses at the site with this code.
    pub site: u64,
    /// Responses at every site (the site included) with this code.
    pub all: u64,
    /// Responses at the similar sites (the site included) with this code; the site's own
    /// count when there is no group of similar sites.
    pub group: u64,
}

/// A coded variable of one survey (a single-choice question, a statement of a grid, or
/// an option of a "select all that apply" question, coded 1 ticked and 0 not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableCounts {
    /// Which survey.
    pub survey: Survey,
    /// The variable's identifier (an export column).
    pub id: String,
    /// The question it belongs to.
    pub item: String,
    /// An option of a "select all that apply" question: answered by exactly the people
    /// who answered its siblings (the other options of `item`).
    pub option_of_multiple: bool,
    /// The question as asked (a grid's or a "select all that apply" question's own text).
    pub question: String,
    /// The statement of a grid, the option of a "select all that apply", or the question
    /// itself.
    pub text: String,
    /// Every code the variable can take, in display order.
    pub codes: Vec<CodeCount>,
    /// Responses at the site with no answer (not answered or not shown).
    pub site_missing: u64,
    /// Responses at every site with no answer.
    pub all_missing: u64,
    /// Routing: the variable is shown only to respondents whose answer to each of these
    /// variables is one of the codes (simple conditions only; others add nothing).
    pub shown_if: Vec<(String, Vec<u32>)>,
}

/// The number of responses kept by cleaning in one survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Which survey.
    pub survey: Survey,
    /// At the site.
    pub site: u64,
    /// At every site, the site included.
    pub all: u64,
    /// At the similar sites, the site included; the site's own when there is no group.
    pub group: u64,
}

/// A figure asked for: the share of respondents giving any of `codes` among those
/// giving any of `base` (a subset of the variable's codes that includes `codes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureSpec {
    /// A stable identifier, e.g. `pre/knowledge-dash/1`.
    pub id: String,
    /// Which survey.
    pub survey: Survey,
    /// The variable.
    pub variable: String,
    /// The codes counted.
    pub codes: Vec<u32>,
    /// The codes of the base (the denominator).
    pub base: Vec<u32>,
    /// What it counts, for downloads, e.g. "Very little or a little".
    pub label: String,
    /// A headline measure: when something must be hidden to protect a small count, the
    /// figures of the detailed tables are hidden first and this one only if nothing else
    /// will do.
    pub headline: bool,
}

/// What the release is computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseInput {
    /// The site's code.
    pub site_code: String,
    /// The smallest count that may be seen: counts from 1 to `threshold - 1` are
    /// protected.
    pub threshold: u64,
    /// Responses kept per survey.
    pub totals: Vec<Totals>,
    /// Every coded variable of every survey.
    pub variables: Vec<VariableCounts>,
    /// Every figure any page or download may show.
    pub figures: Vec<FigureSpec>,
    /// The group of similar sites the site is compared with, if any: what they share
    /// (e.g. "Urban local authorities") and how many sites it has, the site included.
    pub group: Option<Group>,
    /// The site's respondents linked across the two surveys, per pair of figures that
    /// ask the same thing before and after the training.
    pub linked: Vec<LinkedSpec>,
}

/// The linked answers behind a before-and-after pair of figures: the site's respondents
/// kept in both surveys who answered the question in both (within each figure's base),
/// by whether each of their answers was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedSpec {
    /// The pre-training figure.
    pub pre_figure: String,
    /// Its post-training twin.
    pub post_figure: String,
    /// The four counts.
    pub cells: LinkedCells,
}

/// A site's linked respondents of one measure, by their answers before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LinkedCells {
    /// Counted before and after.
    pub both: u64,
    /// Counted before, not after.
    pub before_only: u64,
    /// Counted after, not before.
    pub after_only: u64,
    /// Counted neither before nor after.
    pub neither: u64,
}

impl LinkedCells {
    /// The number of linked respondents.
    pub fn total(&self) -> u64 {
        self.both + self.before_only + self.after_only + self.neither
    }

    fn all(&self) -> [u64; 4] {
        [self.both, self.before_only, self.after_only, self.neither]
    }
}

/// A pair's linked counts with whether they may be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Linked {
    /// What was counted.
    pub spec: LinkedSpec,
    /// Whether a paired comparison may be published: both figures' counts and bases
    /// are shown, and each of the four counts is either zero or at least the threshold.
    pub shown: bool,
}

/// The similar sites a site is compared with: their counts are `CodeCount::group`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// What the sites share, as the pages name it.
    pub name: String,
    /// How many sites, the site included.
    pub sites: usize,
}

/// A share as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Respondents counted.
    pub count: u64,
    /// Respondents in the base.
    pub base: u64,
}

impl Share {
    /// The percentage as published: a whole number, rounded half up with integer
    /// arithmetic so that the intruder's model of the rounding is exact. `None` when the
    /// base is empty ("no answers", never 0%).
    pub fn percent(&self) -> Option<u64> {
        (self.base > 0).then(|| (200 * self.count + self.base) / (2 * self.base))
    }
}

/// A figure of the release, with what may be shown of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// What it is.
    pub spec: FigureSpec,
    /// The site's share; its count and percentage are shown when `site_shown`.
    pub site: Share,
    /// Whether the site's count and percentage may be shown.
    pub site_shown: bool,
    /// Whether the site's base (the number who answered) may be shown.
    pub base_shown: bool,
    /// Every site's share; its percentage is shown when `all_shown`.
    pub all: Share,
    /// Whether every site's percentage may be shown.
    pub all_shown: bool,
    /// The similar sites' share (the site included); the site's own when there is no
    /// group of similar sites.
    pub group: Share,
    /// Whether the similar sites' percentage may be shown (never without a group).
    pub group_shown: bool,
    /// Nothing of the figure's question is shown, not even its zeros: the last resort
    /// when hiding figures one by one could not protect a count.
    pub withheld: bool,
}

impl Figure {
    /// The site's count, if it may be shown.
    pub fn site_count(&self) -> Option<u64> {
        self.site_shown.then_some(self.site.count)
    }

    /// The site's percentage, if it may be shown.
    pub fn site_percent(&self) -> Option<u64> {
        self.site_shown.then(|| self.site.percent()).flatten()
    }

    /// The site's base, if it may be shown.
    pub fn site_base(&self) -> Option<u64> {
        self.base_shown.then_some(self.site.base)
    }

    /// Every site's percentage, if it may be shown.
    pub fn all_percent(&self) -> Option<u64> {
        self.all_shown.then(|| self.all.percent()).flatten()
    }

    /// The similar sites' percentage, if it may be shown.
    pub fn group_percent(&self) -> Option<u64> {
        self.group_shown.then(|| self.group.percent()).flatten()
    }
}

/// How the release was protected, for the audit trail and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Protection {
    /// Site counts from 1 to `threshold - 1` (each figure's count and base), protected.
    pub protected: usize,
    /// Figures hidden because they are small (site counts and every site's shares).
    pub primary: usize,
    /// Figures hidden so that the small ones cannot be worked out.
    pub secondary: usize,
    /// The narrowest number of possible values left to the intruder for any protected
    /// count (`None` when nothing is protected).
    pub narrowest: Option<u64>,
}

/// A site's protected release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// The site's code.
    pub site_code: String,
    /// The smallest count that may be seen.
    pub threshold: u64,
    /// Responses kept per survey; a survey whose site total is below the threshold
    /// releases no figure at all.
    pub totals: Vec<Totals>,
    /// Every figure, in the order asked for.
    pub figures: Vec<Figure>,
    /// The group of similar sites, if any.
    pub group: Option<Group>,
    /// Linked counts per before-and-after pair of figures.
    pub linked: Vec<Linked>,
    /// How it was protected.
    pub protection: Protection,
}

impl Release {
    /// The figure with this identifier.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.spec.id == id)
    }

    /// The linked counts of the pair whose pre-training figure is `pre_figure`, when a
    /// paired comparison may be published.
    pub fn linked(&self, pre_figure: &str) -> Option<&LinkedCells> {
        self.linked
            .iter()
            .find(|l| l.shown && l.spec.pre_figure == pre_figure)
            .map(|l| &l.spec.cells)
    }

    /// Whether the site has enough responses in this survey to release anything.
    pub fn releases(&self, survey: Survey) -> bool {
        self.totals
            .iter()
            .any(|t| t.survey == survey && t.site >= self.threshold)
    }

    /// The release as every reader of it sees it: shown values only.
    pub fn view(&self) -> PublishedView {
        PublishedView {
            threshold: self.threshold,
            totals: self
                .totals
                .iter()
                .filter(|t| t.site >= self.threshold)
                .copied()
                .collect(),
            items: self
                .figures
                .iter()
                .filter(|f| self.releases(f.spec.survey))
                .map(|f| ViewItem {
                    spec: f.spec.clone(),
                    site_count: f.site_count(),
                    site_percent: f.site_percent(),
                    site_base: f.site_base(),
                    all_percent: f.all_percent(),
                    group_percent: f.group_percent(),
                    withheld: f.withheld,
                })
                .collect(),
        }
    }
}

/// Why a release could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// A figure names a variable or code the input does not have.
    #[error("figure {figure}: {problem}")]
    BadFigure {
        /// The figure.
        figure: String,
        /// What is wrong.
        problem: String,
    },
    /// The counts break the survey's own structure (a bug in counting, not in data):
    /// nothing is released rather than something unchecked.
    #[error("the counts of {survey} do not fit the survey's structure ({detail})")]
    Inconsistent {
        /// Which survey.
        survey: &'static str,
        /// What did not fit.
        detail: String,
    },
}

/// Builds the site's release: primary suppression, then secondary suppression until the
/// intruder's integer programme recovers no protected count (see the crate docs).
pub fn build(input: &ReleaseInput) -> Result<Release, ReleaseError> {
    let mut figures = Vec::with_capacity(input.figures.len());
    for spec in &input.figures {
        let variable = input
            .variables
            .iter()
            .find(|v| v.survey == spec.survey && v.id == spec.variable)
            .ok_or_else(|| ReleaseError::BadFigure {
                figure: spec.id.clone(),
                problem: format!(
                    "no variable {} in the {} survey",
                    spec.variable,
                    spec.survey.as_str()
                ),
            })?;
        let sum = |codes: &[u32], of: fn(&CodeCount) -> u64| -> Result<u64, ReleaseError> {
            codes.iter().try_fold(0u64, |acc, code| {
                let found = variable
                    .codes
                    .iter()
                    .find(|c| c.code == *code)
                    .ok_or_else(|| ReleaseError::BadFigure {
                        figure: spec.id.clone(),
                        problem: format!("no code {code} in {}", variable.id),
                    })?;
                Ok(acc + of(found))
            })
        };
        if spec.codes.iter().any(|c| !spec.base.contains(c)) {
            return Err(ReleaseError::BadFigure {
                figure: spec.id.clone(),
                problem: "its codes are not all in its base".to_owned(),
            });
        }
        figures.push(Figure {
            spec: spec.clone(),
            site: Share {
                count: sum(&spec.codes, |c| c.site)?,
                base: sum(&spec.base, |c| c.site)?,
            },
            site_shown: true,
            base_shown: true,
            all: Share {
                count: sum(&spec.codes, |c| c.all)?,
                base: sum(&spec.base, |c| c.all)?,
            },
            all_shown: true,
            group: Share {
                count: sum(&spec.codes, |c| c.group)?,
                base: sum(&spec.base, |c| c.group)?,
            },
            group_shown: input.group.is_some(),
            withheld: false,
        });
    }
    let mut release = Release {
        site_code: input.site_code.clone(),
        threshold: input.threshold,
        totals: input.totals.clone(),
        figures,
        group: input.group.clone(),
        linked: Vec::new(),
        protection: Protection::default(),
    };
    let small = |n: u64| (1..input.threshold).contains(&n);
    // Primary: small counts at the site, and small counts across every site (which
    // would bound the site's own from above).
    let mut primary = 0;
    for figure in &mut release.figures {
        if small(figure.site.count) {
            figure.site_shown = false;
            primary += 1;
        }
        if small(figure.site.base) {
            figure.base_shown = false;
            primary += 1;
        }
        if small(figure.all.count) || small(figure.all.base) {
            figure.all_shown = false;
            primary += 1;
        }
        // The similar sites are few: their own small counts (the group's less the
        // site's) are protected too, not only the group's.
        let others = |group: u64, site: u64| group.saturating_sub(site);
        if figure.group_shown
            && (small(figure.group.count)
                || small(figure.group.base)
                || small(others(figure.group.count, figure.site.count))
                || small(others(figure.group.base, figure.site.base)))
        {
            figure.group_shown = false;
            primary += 1;
        }
    }
    let outcome = audit::protect(input, &mut release.figures)?;
    // Paired comparisons come after every figure's protection is settled. Their counts
    // are tied to the figures only through the site's shown counts and bases (linked
    // respondents are some of those counted), so with both figures shown they tell the
    // intruder nothing new about any hidden count; a small linked count is protected by
    // publishing nothing paired for that measure.
    let fully_shown = |id: &str| {
        release.figure(id).is_some_and(|f| {
            release.releases(f.spec.survey) && f.site_count().is_some() && f.site_base().is_some()
        })
    };
    release.linked = input
        .linked
        .iter()
        .map(|spec| Linked {
            spec: spec.clone(),
            shown: fully_shown(&spec.pre_figure)
                && fully_shown(&spec.post_figure)
                && spec.cells.total() >= input.threshold
                && !spec.cells.all().into_iter().any(small),
        })
        .collect();
    release.protection = Protection {
        protected: outcome.protected,
        primary,
        secondary: outcome.secondary,
        narrowest: outcome.narrowest,
    };
    Ok(release)
}
