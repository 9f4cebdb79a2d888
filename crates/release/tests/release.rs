//! The protected release against the intruder: exact enumeration on small tables checks
//! the integer programme, and generated small sites check that no protected count is
//! ever recovered from everything a release shows together.

use proptest::prelude::*;
use skafada_release::{
    CodeCount, FigureSpec, PublishedView, ReleaseInput, Survey, Totals, VariableCounts, build,
    intruder_bounds,
};

fn variable(id: &str, item: &str, site: &[u64], all: &[u64], total: (u64, u64)) -> VariableCounts {
    let site_sum: u64 = site.iter().sum();
    let all_sum: u64 = all.iter().sum();
    VariableCounts {
        survey: Survey::Pre,
        id: id.to_owned(),
        item: item.to_owned(),
        option_of_multiple: false,
        question: id.to_owned(),
        text: id.to_owned(),
        codes: site
            .iter()
            .zip(all)
            .enumerate()
            .map(|(i, (s, a))| CodeCount {
                code: i as u32 + 1,
                label: format!("code {}", i + 1),
                site: *s,
                all: *a,
                group: *s,
            })
            .collect(),
        site_missing: total.0 - site_sum,
        all_missing: total.1 - all_sum,
        shown_if: Vec::new(),
    }
}

/// One figure per code (the distribution), plus extra shares.
fn figures(v: &VariableCounts, shares: &[Vec<u32>]) -> Vec<FigureSpec> {
    let base: Vec<u32> = v.codes.iter().map(|c| c.code).collect();
    let mut out: Vec<FigureSpec> = v
        .codes
        .iter()
        .map(|c| FigureSpec {
            id: format!("{}/{}", v.id, c.code),
            survey: v.survey,
            variable: v.id.clone(),
            codes: vec![c.code],
            base: base.clone(),
            label: c.label.clone(),
            headline: false,
        })
        .collect();
    for (i, codes) in shares.iter().enumerate() {
        out.push(FigureSpec {
            id: format!("{}/share-{i}", v.id),
            survey: v.survey,
            variable: v.id.clone(),
            codes: codes.clone(),
            base: base.clone(),
            label: "share".to_owned(),
            headline: false,
        });
    }
    out
}

/// Every table of site counts (with "no answer" last) consistent with the view, by
/// enumeration: the ground truth the integer programme must match. Only the site's
/// own numbers are enumerated, so the view must show no all-sites percentage.
fn enumerate(view: &PublishedView, codes: usize, total: u64) -> Vec<Vec<u64>> {
    fn rec(prefix: &mut Vec<u64>, left: u64, slots: usize, out: &mut Vec<Vec<u64>>) {
        if slots == 1 {
            prefix.push(left);
            out.push(prefix.clone());
            prefix.pop();
            return;
        }
        for x in 0..=left {
            prefix.push(x);
            rec(prefix, left - x, slots - 1, out);
            prefix.pop();
        }
    }
    let mut all = Vec::new();
    rec(&mut Vec::new(), total, codes + 1, &mut all);
    all.into_iter()
        .filter(|table| {
            view.items.iter().all(|item| {
                let sum = |cs: &[u32]| cs.iter().map(|c| table[*c as usize - 1]).sum::<u64>();
                let (k, b) = (sum(&item.spec.codes), sum(&item.spec.base));
                let count_ok = match item.site_count {
                    Some(v) => k == v,
                    None => item.withheld || k >= 1,
                };
                let base_ok = match item.site_base {
                    Some(v) => b == v,
                    None => item.withheld || b >= 1,
                };
                let percent_ok = match item.site_percent {
                    Some(p) => b > 0 && (200 * k + b) / (2 * b) == p,
                    None => true,
                };
                count_ok && base_ok && percent_ok && item.all_percent.is_none()
            })
        })
        .collect()
}

#[test]
fn the_issue_s_differencing_example_recovers_nothing() {
    // A row shown as [c], 7, 7, [c], 5 with its total 28, and "43%" of codes 1 and 2
    // elsewhere: with suppression per page this gave both hidden cells away.
    let v = variable(
        "row",
        "grid",
        &[2, 7, 7, 7, 5],
        &[40, 70, 70, 70, 50],
        (28, 300),
    );
    let input = ReleaseInput {
        site_code: "LA01".to_owned(),
        threshold: 5,
        totals: vec![Totals {
            survey: Survey::Pre,
            site: 28,
            all: 300,
            group: 28,
        }],
        figures: figures(&v, &[vec![1, 2]]),
        variables: vec![v.clone()],
        group: None,
        linked: Vec::new(),
    };
    let release = build(&input).expect("release");
    let view = release.view();
    let bounds = intruder_bounds(&view, &input.variables);
    let first = bounds
        .iter()
        .find(|b| b.figure == "row/1" && b.part == "count")
        .expect("the small count is hidden");
    assert!(first.protects(5), "{first:?}");
    assert!(release.protection.protected >= 1);
    assert!(release.protection.secondary >= 1);
}

/// A site whose answers 3 to 5 are small (4, 2 and 4), with 4 of its 35 responses not
/// answering, and the share of answers 4 and 5 (6) beside them.
fn headline_input(headline: bool) -> ReleaseInput {
    let counts = [14, 7, 4, 2, 4];
    let all: Vec<u64> = counts.iter().map(|c| c * 9 + 11).collect();
    let all_total = all.iter().sum::<u64>() + 40;
    let v = variable("row", "grid", &counts, &all, (35, all_total));
    let mut figures = figures(&v, &[vec![4, 5]]);
    if let Some(share) = figures.last_mut() {
        share.headline = headline;
    }
    ReleaseInput {
        site_code: "LA01".to_owned(),
        threshold: 5,
        totals: vec![Totals {
            survey: Survey::Pre,
            site: 35,
            all: all_total,
            group: 35,
        }],
        figures,
        variables: vec![v],
        group: None,
        linked: Vec::new(),
    }
}

#[test]
fn a_headline_share_is_kept_while_a_detail_of_its_question_can_be_hidden_instead() {
    // As a detail, the share is among the cheapest figures to hide; as a headline
    // measure, details of its question go first and the share stays, with the number who
    // answered beside it.
    let detail = build(&headline_input(false)).expect("release");
    let share = detail.figure("row/share-0").expect("share");
    assert!(!share.site_shown, "as a detail, the share is hidden");
    let input = headline_input(true);
    let release = build(&input).expect("release");
    let share = release.figure("row/share-0").expect("share");
    assert!(
        share.site_shown && share.base_shown,
        "the headline share stays"
    );
    // And every small count is still protected.
    let bounds = intruder_bounds(&release.view(), &input.variables);
    for code in [3, 4, 5] {
        let small = bounds
            .iter()
            .find(|b| b.figure == format!("row/{code}") && b.part == "count")
            .expect("the small count is hidden");
        assert!(small.protects(5), "{small:?}");
    }
}

#[test]
fn hidden_cells_are_known_not_to_be_zero_and_the_total_pins_a_lone_one() {
    // Nothing suppressed beyond the small cell: the intruder pins it from the total.
    let v = variable("q", "q", &[3, 10, 12], &[30, 100, 120], (25, 250));
    let base = vec![1, 2, 3];
    let spec = |code: u32| FigureSpec {
        id: format!("q/{code}"),
        survey: Survey::Pre,
        variable: "q".to_owned(),
        codes: vec![code],
        base: base.clone(),
        label: String::new(),
        headline: false,
    };
    let view = PublishedView {
        threshold: 5,
        totals: vec![Totals {
            survey: Survey::Pre,
            site: 25,
            all: 250,
            group: 25,
        }],
        items: vec![
            skafada_release::ViewItem {
                spec: spec(1),
                site_count: None,
                site_percent: None,
                site_base: Some(25),
                all_percent: None,
                group_percent: None,
                withheld: false,
            },
            skafada_release::ViewItem {
                spec: spec(2),
                site_count: Some(10),
                site_percent: None,
                site_base: Some(25),
                all_percent: None,
                group_percent: None,
                withheld: false,
            },
            skafada_release::ViewItem {
                spec: spec(3),
                site_count: Some(12),
                site_percent: None,
                site_base: Some(25),
                all_percent: None,
                group_percent: None,
                withheld: false,
            },
        ],
    };
    let bounds = intruder_bounds(&view, &[v]);
    assert_eq!(bounds.len(), 1);
    assert_eq!((bounds[0].low, bounds[0].high), (3, 3));
    assert!(!bounds[0].protects(5));
}

/// As `site_input`, optionally with a group of similar sites: the other similar sites
/// have `2c + 1` of each code the site has `c` of (so their own counts are small too).
fn site_input_with(
    site: Vec<Vec<u64>>,
    total: u64,
    threshold: u64,
    with_group: bool,
) -> ReleaseInput {
    let variables: Vec<VariableCounts> = site
        .iter()
        .enumerate()
        .map(|(i, counts)| {
            let all: Vec<u64> = counts.iter().map(|c| c * 9 + 11).collect();
            let all_total = all.iter().sum::<u64>() + (total - counts.iter().sum::<u64>()) * 9;
            variable(
                &format!("v{i}"),
                &format!("v{i}"),
                counts,
                &all,
                (total, all_total.max(total * 9)),
            )
        })
        .collect();
    // Totals must agree across variables: take every variable's all total as the most.
    let all_total = variables
        .iter()
        .map(|v| v.codes.iter().map(|c| c.all).sum::<u64>() + v.all_missing)
        .max()
        .unwrap_or(0);
    let variables: Vec<VariableCounts> = variables
        .into_iter()
        .map(|mut v| {
            v.all_missing = all_total - v.codes.iter().map(|c| c.all).sum::<u64>();
            v
        })
        .collect();
    // The similar sites' block: the others' counts, and as many unanswered as makes every
    // variable's block add up to the same total.
    let others = |v: &VariableCounts| -> u64 { v.codes.iter().map(|c| 2 * c.site + 1).sum() };
    let group_total = if with_group {
        total + variables.iter().map(others).max().unwrap_or(0) + 2
    } else {
        total
    };
    let variables: Vec<VariableCounts> = variables
        .into_iter()
        .map(|mut v| {
            if with_group {
                for c in &mut v.codes {
                    c.group = c.site + 2 * c.site + 1;
                    // The rest of the sites keep at least what they had.
                    c.all = c.all.max(c.group);
                }
            }
            v
        })
        .collect();
    let all_total = variables
        .iter()
        .map(|v| v.codes.iter().map(|c| c.all).sum::<u64>() + v.all_missing)
        .max()
        .unwrap_or(0);
    // The rest of the sites' block: room for each variable's codes outside the group.
    let rest = |v: &VariableCounts| -> u64 { v.codes.iter().map(|c| c.all - c.group).sum() };
    let all_total = all_total.max(group_total + variables.iter().map(rest).max().unwrap_or(0));
    let variables: Vec<VariableCounts> = variables
        .into_iter()
        .map(|mut v| {
            v.all_missing = all_total - v.codes.iter().map(|c| c.all).sum::<u64>();
            v
        })
        .collect();
    let figures = variables
        .iter()
        .flat_map(|v| figures(v, &[vec![1, 2]]))
        .collect();
    ReleaseInput {
        site_code: "LA99".to_owned(),
        threshold,
        totals: vec![Totals {
            survey: Survey::Pre,
            site: total,
            all: all_total,
            group: group_total,
        }],
        variables,
        figures,
        group: with_group.then(|| skafada_release::Group {
            name: "Similar sites".to_owned(),
            sites: 4,
        }),
        linked: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Small sites with small cells: whatever is released, the intruder who combines
    /// every figure (counts, bases, percentages, shares of two codes and all-sites
    /// percentages) never pins a protected count below the threshold.
    #[test]
    fn no_protected_count_is_recovered_on_small_generated_sites(
        table in proptest::collection::vec(proptest::collection::vec(0u64..9, 3..5), 1..4),
        unanswered in 0u64..3,
        threshold in 3u64..6,
        with_group in proptest::bool::ANY,
    ) {
        let total = table.iter().map(|r| r.iter().sum::<u64>()).max().unwrap_or(0) + unanswered;
        prop_assume!(total >= threshold);
        // Every variable answered by at most `total`: pad the rest as unanswered. With a
        // group of similar sites, its percentages are published too.
        let input = site_input_with(table.clone(), total, threshold, with_group);
        let release = build(&input).expect("release");
        let bounds = intruder_bounds(&release.view(), &input.variables);
        for figure in &release.figures {
            // The other similar sites' own counts are never small where their share shows.
            if figure.group_percent().is_some() {
                for others in [
                    figure.group.count - figure.site.count,
                    figure.group.base - figure.site.base,
                ] {
                    prop_assert!(others == 0 || others >= threshold, "{}: {others}", figure.spec.id);
                }
            }
            for (part, value, shown) in [
                ("count", figure.site.count, figure.site_shown),
                ("base", figure.site.base, figure.base_shown),
            ] {
                if (1..threshold).contains(&value) {
                    prop_assert!(!shown, "{} {part} = {value} is shown", figure.spec.id);
                    let b = bounds
                        .iter()
                        .find(|b| b.part == part && b.figure == figure.spec.id)
                        .or_else(|| bounds.iter().find(|b| {
                            b.part == part
                                && release.figure(&b.figure).is_some_and(|f| {
                                    f.spec.variable == figure.spec.variable
                                        && if part == "count" { f.spec.codes == figure.spec.codes } else { f.spec.base == figure.spec.base }
                                })
                        }));
                    let b = b.expect("a hidden protected count has bounds");
                    prop_assert!(b.low <= value && value <= b.high, "{b:?} excludes the truth {value}");
                    prop_assert!(b.protects(threshold), "{} {part} = {value}: {b:?}", figure.spec.id);
                }
            }
        }
    }

    /// The integer programme's bounds are exactly those of enumerating every table
    /// consistent with what is shown.
    #[test]
    fn the_intruder_s_bounds_equal_exhaustive_enumeration(
        counts in proptest::collection::vec(0u64..7, 3..4),
        unanswered in 0u64..3,
        hide in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let total = counts.iter().sum::<u64>() + unanswered;
        prop_assume!(total > 0);
        let v = variable("q", "q", &counts, &counts, (total, total));
        let specs = figures(&v, &[vec![1, 2]]);
        let base_value: u64 = counts.iter().sum();
        let items: Vec<skafada_release::ViewItem> = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let k: u64 = spec.codes.iter().map(|c| counts[*c as usize - 1]).sum();
                // A hidden count is never zero.
                let show = !hide[i % hide.len()] || k == 0;
                let show_base = !hide[(i + 3) % hide.len()] || base_value == 0;
                skafada_release::ViewItem {
                    spec: spec.clone(),
                    site_count: show.then_some(k),
                    site_percent: (show && base_value > 0)
                        .then(|| (200 * k + base_value) / (2 * base_value)),
                    site_base: show_base.then_some(base_value),
                    all_percent: None,
                    group_percent: None,
                    withheld: false,
                }
            })
            .collect();
        let view = PublishedView {
            threshold: 5,
            totals: vec![Totals { survey: Survey::Pre, site: total, all: total, group: total }],
            items,
        };
        let tables = enumerate(&view, counts.len(), total);
        prop_assert!(!tables.is_empty());
        for b in intruder_bounds(&view, std::slice::from_ref(&v)) {
            let spec = &view.items.iter().find(|i| i.spec.id == b.figure).expect("figure").spec;
            let codes = if b.part == "count" { &spec.codes } else { &spec.base };
            let values: Vec<u64> = tables
                .iter()
                .map(|t| codes.iter().map(|c| t[*c as usize - 1]).sum())
                .collect();
            let low = values.iter().copied().min().unwrap_or(0);
            let high = values.iter().copied().max().unwrap_or(0);
            prop_assert_eq!((b.low, b.high), (low, high), "{:?}", b);
        }
    }
}

/// A figure as the release would hold it, every part shown unless said.
fn shown_figure(id: &str, count: u64, base: u64, all_percent: u64) -> skafada_release::Figure {
    skafada_release::Figure {
        spec: FigureSpec {
            id: id.to_owned(),
            survey: Survey::Pre,
            variable: id.to_owned(),
            codes: vec![1],
            base: vec![1, 2],
            label: String::new(),
            headline: true,
        },
        site: skafada_release::Share { count, base },
        site_shown: true,
        base_shown: true,
        // 1,000 people at every site, with the percentage given.
        all: skafada_release::Share {
            count: all_percent * 10,
            base: 1000,
        },
        all_shown: true,
        group: skafada_release::Share { count, base },
        group_shown: false,
        withheld: false,
    }
}

#[test]
fn a_measure_differs_only_when_all_sites_lie_outside_the_sites_adjusted_interval() {
    use skafada_release::derived::{Direction, differences, interval};
    let high = shown_figure("high", 36, 40, 50);
    let near = shown_figure("near", 22, 40, 50);
    let low = shown_figure("low", 8, 40, 50);
    let found = differences(&[&high, &near, &low]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].index, found[0].direction), (0, Direction::Higher));
    assert_eq!((found[1].index, found[1].direction), (2, Direction::Lower));
    assert!(found[0].beyond > found[1].beyond);
    // 32 of 40 (80%, interval 65% to 90%) beside 62%: a difference on its own...
    let alone = shown_figure("alone", 32, 40, 62);
    assert_eq!(
        interval(&alone).map(|i| (i.low, i.high)),
        Some((65, 90)),
        "the printed interval rounds outwards"
    );
    assert_eq!(differences(&[&alone]).len(), 1);
    // ...but not among twenty measures compared together.
    let others: Vec<_> = (0..19)
        .map(|i| shown_figure(&format!("m{i}"), 20, 40, 50))
        .collect();
    let mut all: Vec<&skafada_release::Figure> = others.iter().collect();
    all.push(&alone);
    assert!(differences(&all).is_empty());
    // A hidden share is never compared, however far from all sites it would be.
    let mut hidden = shown_figure("hidden", 40, 40, 10);
    hidden.site_shown = false;
    assert!(differences(&[&hidden]).is_empty());
    assert_eq!(interval(&hidden), None);
}

#[test]
fn change_after_the_training_is_tested_on_shown_figures_and_adjusted_together() {
    use skafada_release::derived::changes;
    let (before, after) = (shown_figure("a", 10, 40, 50), shown_figure("a", 30, 40, 50));
    let (same, same_after) = (shown_figure("b", 20, 40, 50), shown_figure("b", 22, 40, 50));
    let mut hidden_after = shown_figure("c", 35, 40, 50);
    hidden_after.base_shown = false;
    let found = changes(
        &[
            (&before, &after, None),
            (&same, &same_after, None),
            (&before, &hidden_after, None),
        ],
        0.01,
    );
    assert_eq!(found.len(), 2, "a pair with a hidden part is not tested");
    assert_eq!((found[0].points, found[0].clear), (50, true));
    assert_eq!((found[1].points, found[1].clear), (5, false));
    // Holm: the smallest p is multiplied by the number of tests.
    let alone = changes(&[(&before, &after, None)], 0.01);
    assert!((found[0].adjusted_p - 2.0 * alone[0].adjusted_p).abs() < 1e-12);
}

#[test]
fn change_among_linked_respondents_is_paired_and_tested_with_mcnemar_exact() {
    use skafada_release::LinkedCells;
    use skafada_release::derived::changes;
    let (before, after) = (shown_figure("a", 20, 50, 50), shown_figure("a", 40, 50, 50));
    // 40 people answered both: 10 counted both times, 20 only after, 10 neither.
    let cells = LinkedCells {
        both: 10,
        before_only: 0,
        after_only: 20,
        neither: 10,
    };
    let found = changes(&[(&before, &after, Some(&cells))], 0.01);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].paired, Some(40));
    assert_eq!(found[0].points, 50, "20 of the 40 linked people gained");
    // statsmodels mcnemar([[10, 0], [20, 10]], exact=True).pvalue: 2 * 0.5**20.
    assert!((found[0].adjusted_p - 1.9073486328125e-06).abs() < 1e-15);
    assert!(found[0].clear);
    // Without linked counts the same pair is compared as two groups.
    let unpaired = changes(&[(&before, &after, None)], 0.01);
    assert_eq!(unpaired[0].paired, None);
    assert_eq!(unpaired[0].points, 40);
}

#[test]
fn linked_counts_are_published_only_when_both_figures_are_shown_and_no_linked_count_is_small() {
    use skafada_release::{LinkedCells, LinkedSpec};
    let mut input = headline_input(true);
    let cells = |before_only| LinkedCells {
        both: 6,
        before_only,
        after_only: 0,
        neither: 9,
    };
    // row/1 (14) and the share of codes 4 and 5 (6) are shown; row/3 (4) is small and
    // hidden. (One variable stands for both surveys here.)
    input.linked = vec![
        LinkedSpec {
            pre_figure: "row/1".to_owned(),
            post_figure: "row/share-0".to_owned(),
            cells: cells(5),
        },
        LinkedSpec {
            pre_figure: "row/share-0".to_owned(),
            post_figure: "row/1".to_owned(),
            cells: cells(2),
        },
        LinkedSpec {
            pre_figure: "row/3".to_owned(),
            post_figure: "row/1".to_owned(),
            cells: cells(5),
        },
    ];
    let release = build(&input).expect("release");
    assert_eq!(release.figure("row/3").and_then(|f| f.site_count()), None);
    assert_eq!(
        release.linked("row/1"),
        Some(&cells(5)),
        "all shown, none small"
    );
    assert_eq!(
        release.linked("row/share-0"),
        None,
        "2 people changed one way"
    );
    assert_eq!(release.linked("row/3"), None, "the figure before is hidden");
}

/// Every site's counts worked out once and reused for each site give each site exactly
/// the counts worked out for it alone, on the SKAFADA survey with routed answers.
#[test]
fn counts_of_every_site_worked_out_once_equal_the_counts_worked_out_per_site() {
    use skafada_analysis::synthetic;
    use skafada_release::{AllSitesCounts, Rows, count_variables_in, count_variables_with};
    let pre = skafada_instrument::load(
        include_str!("../../../instruments/skafada-pre.toml"),
        "skafada-pre.toml",
    )
    .unwrap();
    let data = synthetic::dataset(
        &pre,
        None,
        "pre",
        "post",
        &synthetic::Options {
            responses: 600,
            sites: 4,
            ..synthetic::Options::default()
        },
    );
    let all = &data.pre;
    let once = AllSitesCounts::new(&pre, all);
    assert_eq!(once.records(), all.len() as u64);
    // Counting the kept records in place gives what counting a copy of them gives.
    let keep: Vec<bool> = (0..all.len()).map(|row| row % 3 != 0).collect();
    assert_eq!(
        AllSitesCounts::of_kept(&pre, all, &keep),
        AllSitesCounts::new(&pre, &all.filter(&keep))
    );
    for site in 0..4 {
        let at_site: Vec<bool> = all.site.iter().map(|s| *s == site).collect();
        let in_group: Vec<bool> = all.site.iter().map(|s| *s <= site).collect();
        let (site_rows, group_rows) = (all.filter(&at_site), all.filter(&in_group));
        let per_site = count_variables_in(Survey::Pre, &pre, &site_rows, Some(&group_rows), all);
        // The group counted where its records are, not copied out.
        let group_at: Vec<usize> = (0..all.len()).filter(|row| in_group[*row]).collect();
        let group_in_place = Rows {
            responses: all,
            rows: &group_at,
        };
        let reused =
            count_variables_with(Survey::Pre, &pre, &site_rows, Some(group_in_place), &once);
        assert!(per_site.len() > 100, "{} variables", per_site.len());
        assert_eq!(per_site, reused, "site {site}");
    }
}
