//! The headline measures of a site's protected release, as the LA contact's dashboard
//! leads with them: each measure's share with its interval and the number who answered,
//! all sites' share beside it, where the site differs from all sites by more than chance
//! explains, and change after the training.
//!
//! Every number comes from a figure of the release (`release.rs`) or is worked out from
//! shown figures alone (`skafada_release::derived`), and is printed inside an element
//! marked `data-figure`/`data-part`, as on the rest of the release's pages.

use skafada_analysis::headline::Measure;
use skafada_release::derived::{self, Direction};
use skafada_release::{Figure, LinkedCells, Survey};
use skafada_report::charts::{Frame, IntervalRow, interval_chart_in};

use super::release::{SiteRelease, measure_id};

/// One side (before or after) of a measure as printed: hidden parts are `None`.
#[derive(Debug, Clone, Default)]
pub(crate) struct MeasureSide {
    /// The release figure.
    pub(crate) id: String,
    pub(crate) percent: Option<String>,
    pub(crate) count: Option<String>,
    pub(crate) base: Option<String>,
    pub(crate) low: Option<String>,
    pub(crate) high: Option<String>,
    pub(crate) all: Option<String>,
    /// The similar sites' share, when the site has a group of similar sites.
    pub(crate) group: Option<String>,
    /// Nothing of the question is shown.
    pub(crate) withheld: bool,
}

impl MeasureSide {
    fn of(figure: &Figure) -> MeasureSide {
        let interval = derived::interval(figure);
        MeasureSide {
            id: figure.spec.id.clone(),
            percent: figure.site_percent().map(|p| format!("{p}%")),
            count: figure.site_count().map(|n| n.to_string()),
            base: figure.site_base().map(|n| n.to_string()),
            low: interval.map(|i| format!("{}%", i.low)),
            high: interval.map(|i| format!("{}%", i.high)),
            all: figure.all_percent().map(|p| format!("{p}%")),
            group: figure.group_percent().map(|p| format!("{p}%")),
            withheld: figure.withheld,
        }
    }

    /// Whether the share, its count and the number who answered are all shown.
    pub(crate) fn shown(&self) -> bool {
        self.percent.is_some() && self.count.is_some() && self.base.is_some()
    }
}

/// Change after the training for one measure.
#[derive(Debug, Clone)]
pub(crate) struct ChangeView {
    /// "+12" or "-3" percentage points.
    pub(crate) points: String,
    /// The Holm-adjusted p-value, e.g. "0.004".
    pub(crate) p: String,
    /// A plain verdict.
    pub(crate) verdict: String,
    /// Whether the change is clear (adjusted p at or below the significance level).
    pub(crate) clear: bool,
    /// Whether the change is clear and in the better direction.
    pub(crate) better: bool,
    /// The number of people whose answers before and after were compared, when the
    /// change is paired; `None` when the two surveys were compared as separate groups.
    pub(crate) paired: Option<String>,
}

/// One measure of one statement.
#[derive(Debug, Clone)]
pub(crate) struct MeasureRow {
    pub(crate) text: String,
    pub(crate) pre: MeasureSide,
    /// After the training, when the post-training survey asks it again.
    pub(crate) post: Option<MeasureSide>,
    pub(crate) change: Option<ChangeView>,
}

/// The measures of one plan entry.
#[derive(Debug, Clone)]
pub(crate) struct MeasureGroup {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) rows: Vec<MeasureRow>,
    /// Whether any of its measures has a figure after the training.
    pub(crate) has_post: bool,
    /// The chart of the site beside all sites: wide (desktop) and narrow (phones) SVG.
    pub(crate) chart: (String, String),
}

/// A measure on which the site differs from all sites, in plain words.
#[derive(Debug, Clone)]
pub(crate) struct DifferenceLine {
    /// "Fewer" or "More".
    pub(crate) more_or_fewer: String,
    /// The measure's title, starting in lower case.
    pub(crate) what: String,
    /// The statement.
    pub(crate) text: String,
    /// Whether the difference is in the better direction.
    pub(crate) better: bool,
    pub(crate) side: MeasureSide,
}

/// Everything the dashboard shows of the headline measures.
#[derive(Debug, Clone)]
pub(crate) struct Headlines {
    pub(crate) groups: Vec<MeasureGroup>,
    /// Measures whose share, count and number answering are shown, before the training.
    pub(crate) shown: usize,
    /// Measures before the training.
    pub(crate) total: usize,
    pub(crate) differences: Vec<DifferenceLine>,
    /// How many measures were compared with all sites.
    pub(crate) compared: usize,
    /// Whether the site has enough post-training responses for any figure after.
    pub(crate) post_released: bool,
    /// How many measures have a change after the training worked out.
    pub(crate) changes: usize,
    /// How many of those were worked out from linked answers.
    pub(crate) paired_changes: usize,
    /// The significance level for change after the training, e.g. ".01".
    pub(crate) significance: String,
    /// The group of similar sites: what they share and how many they are, this site
    /// included.
    pub(crate) similar: Option<(String, usize)>,
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A group's chart: each measure's share on its likely range beside all sites' share,
/// from the release's figures only (the same numbers as the table beside it).
fn chart(group: &MeasureGroup, pre: &[(&Measure, &Figure)], similar: bool) -> (String, String) {
    let rows: Vec<IntervalRow> = pre
        .iter()
        .filter(|(m, _)| m.headline == group.id)
        .map(|(m, figure)| IntervalRow {
            label: m.text.clone(),
            share: match (figure.site_percent(), derived::interval(figure)) {
                (Some(p), Some(i)) => Some((p as f64, i.low as f64, i.high as f64)),
                _ => None,
            },
            references: std::iter::once(figure.all_percent())
                .chain(similar.then(|| figure.group_percent()))
                .map(|p| p.map(|p| p as f64))
                .collect(),
        })
        .collect();
    let references: &[&str] = if similar {
        &["All sites", "Similar sites"]
    } else {
        &["All sites"]
    };
    let draw = |frame: Frame, suffix: &str| {
        interval_chart_in(
            frame,
            &group.title,
            "This site, with its likely range",
            references,
            &rows,
        )
        .to_svg(&format!("chart-{}-{suffix}", group.id))
    };
    (draw(Frame::Wide, "wide"), draw(Frame::Narrow, "narrow"))
}

/// The headline measures of a site's release.
pub(crate) fn headlines(site: &SiteRelease) -> Headlines {
    let release = &site.release;
    let figure = |m: &Measure, survey: Survey| release.figure(&measure_id(m, survey));
    // Where the site differs: every measure with a pre-training figure, compared together.
    let pre: Vec<(&Measure, &Figure)> = site
        .measures
        .iter()
        .filter_map(|m| Some((m, figure(m, Survey::Pre)?)))
        .collect();
    let pre_figures: Vec<&Figure> = pre.iter().map(|(_, f)| *f).collect();
    let compared = pre_figures
        .iter()
        .filter(|f| derived::interval(f).is_some() && f.all_percent().is_some())
        .count();
    let differences = derived::differences(&pre_figures)
        .into_iter()
        .filter_map(|d| {
            let (measure, figure) = pre.get(d.index)?;
            let higher = d.direction == Direction::Higher;
            Some(DifferenceLine {
                more_or_fewer: if higher { "More" } else { "Fewer" }.to_owned(),
                what: lower_first(&measure.title),
                text: measure.text.clone(),
                better: higher == measure.higher_is_better,
                side: MeasureSide::of(figure),
            })
        })
        .collect();
    // Change after the training: every pair shown on both sides, adjusted together.
    let pairs: Vec<(&Measure, &Figure, &Figure)> = if release.releases(Survey::Post) {
        site.measures
            .iter()
            .filter_map(|m| Some((m, figure(m, Survey::Pre)?, figure(m, Survey::Post)?)))
            .collect()
    } else {
        Vec::new()
    };
    let compared_pairs: Vec<(&Figure, &Figure, Option<&LinkedCells>)> = pairs
        .iter()
        .map(|(_, a, b)| (*a, *b, release.linked(&a.spec.id)))
        .collect();
    let changes = derived::changes(&compared_pairs, site.significance);
    let change_of = |measure: &Measure| -> Option<ChangeView> {
        let index = pairs.iter().position(|(m, _, _)| m.id == measure.id)?;
        let change = changes.iter().find(|c| c.index == index)?;
        let rose = change.points > 0;
        // A change the rounded percentages do not show is not called clear.
        let clear = change.clear && change.points != 0;
        let better = clear && rose == measure.higher_is_better;
        Some(ChangeView {
            points: format!("{:+}", change.points),
            p: format!("{:.3}", change.adjusted_p),
            verdict: match (clear, rose) {
                (false, _) => "No clear change",
                (true, true) => "Clearly higher after the training",
                (true, false) => "Clearly lower after the training",
            }
            .to_owned(),
            clear,
            better,
            paired: change.paired.map(|n| n.to_string()),
        })
    };
    let mut groups: Vec<MeasureGroup> = Vec::new();
    let mut shown = 0;
    for (measure, pre_figure) in &pre {
        let side = MeasureSide::of(pre_figure);
        shown += usize::from(side.shown());
        let row = MeasureRow {
            text: measure.text.clone(),
            pre: side,
            post: release
                .releases(Survey::Post)
                .then(|| figure(measure, Survey::Post).map(MeasureSide::of))
                .flatten(),
            change: change_of(measure),
        };
        let has_post = row.post.is_some();
        match groups.last_mut() {
            Some(group) if group.id == measure.headline => {
                group.has_post |= has_post;
                group.rows.push(row);
            }
            _ => groups.push(MeasureGroup {
                id: measure.headline.clone(),
                title: measure.title.clone(),
                rows: vec![row],
                has_post,
                chart: (String::new(), String::new()),
            }),
        }
    }
    for group in &mut groups {
        group.chart = chart(group, &pre, release.group.is_some());
    }
    Headlines {
        groups,
        shown,
        total: pre.len(),
        differences,
        compared,
        post_released: release.releases(Survey::Post),
        changes: changes.len(),
        paired_changes: changes.iter().filter(|c| c.paired.is_some()).count(),
        significance: format!("{}", site.significance)
            .trim_start_matches('0')
            .to_owned(),
        similar: release.group.as_ref().map(|g| (g.name.clone(), g.sites)),
    }
}
