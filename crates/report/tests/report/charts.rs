//! Charts: geometry, accessibility, colour contrast and a golden SVG.

use proptest::prelude::*;
use skafada_report::charts::{
    Chart, ChartKind, Mark, Row, TEXT, WHITE, category_color, grouped_chart, scale_chart, text_on,
};

fn row(label: &str, values: &[f64]) -> Row {
    Row {
        label: label.into(),
        values: values.to_vec(),
    }
}

fn five() -> Vec<String> {
    [
        "Strongly disagree",
        "Disagree",
        "Neither",
        "Agree",
        "Strongly agree",
    ]
    .map(String::from)
    .to_vec()
}

fn three() -> Vec<String> {
    ["Never / seldom", "Sometimes", "Nearly always / always"]
        .map(String::from)
        .to_vec()
}

#[test]
fn a_five_point_scale_is_a_diverging_chart_centred_on_the_middle_category() {
    let chart = scale_chart(
        "Confidence",
        &five(),
        &[
            row("I can document", &[10.0, 20.0, 30.0, 25.0, 15.0]),
            row("I can refer", &[5.0, 5.0, 10.0, 40.0, 40.0]),
        ],
    );
    assert_eq!(chart.kind, ChartKind::Diverging);
    // The middle of the neutral segment lies on the same x for every bar.
    let centres: Vec<f32> = chart
        .bars
        .iter()
        .map(|b| b.segments[2].x + b.segments[2].width / 2.0)
        .collect();
    assert!((centres[0] - centres[1]).abs() < 1e-3, "{centres:?}");
    // Negative categories lie to the left of the centre.
    for bar in &chart.bars {
        assert!(bar.segments[1].x + bar.segments[1].width <= centres[0] + 1e-3);
        assert!(bar.segments[3].x >= centres[0] - 1e-3);
    }
}

#[test]
fn a_three_category_scale_is_a_hundred_percent_stacked_chart() {
    let chart = scale_chart(
        "Enquiry",
        &three(),
        &[row("Parental conflict", &[3.8, 26.8, 69.4])],
    );
    assert_eq!(chart.kind, ChartKind::Stacked);
    let first = &chart.bars[0].segments[0];
    assert!((first.x - chart.bars[0].segments[0].x).abs() < 1e-6);
}

#[test]
fn a_grouped_chart_has_one_bar_per_series_and_row() {
    let series = vec!["Parents".to_owned(), "Children".to_owned()];
    let chart = grouped_chart(
        "Actions",
        &series,
        &[
            row("Gave information", &[74.0, 37.0]),
            row("Referred", &[58.0, 38.0]),
        ],
    );
    assert_eq!(chart.kind, ChartKind::Grouped);
    assert_eq!(chart.bars.len(), 4);
    assert!((chart.bars[0].segments[0].width / chart.bars[1].segments[0].width - 2.0).abs() < 0.01);
}

fn no_bad_numbers(svg: &str) {
    for bad in ["NaN", "inf"] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
}

proptest! {
    #[test]
    fn stacked_bar_widths_sum_to_the_row_total(values in prop::collection::vec(0.0f64..100.0, 3)) {
        let total: f64 = values.iter().sum();
        let values: Vec<f64> = values.iter().map(|v| if total > 0.0 { 100.0 * v / total } else { 0.0 }).collect();
        let chart = scale_chart("t", &three(), &[row("r", &values)]);
        let width: f32 = chart.bars[0].segments.iter().map(|s| s.width).sum();
        let expected = if total > 0.0 { 100.0 * chart.scale } else { 0.0 };
        prop_assert!((width - expected).abs() < 0.01, "{} vs {}", width, expected);
        // Segments touch: each starts where the previous ended.
        for pair in chart.bars[0].segments.windows(2) {
            prop_assert!((pair[0].x + pair[0].width - pair[1].x).abs() < 0.01);
        }
        no_bad_numbers(&chart.to_svg("p"));
    }

    #[test]
    fn diverging_bars_stay_inside_the_drawing(values in prop::collection::vec(0.0f64..60.0, 5)) {
        let chart = scale_chart("t", &five(), &[row("r", &values), row("s", &[20.0; 5])]);
        for bar in &chart.bars {
            let width: f32 = bar.segments.iter().map(|s| s.width).sum();
            let total: f64 = bar.segments.iter().map(|s| s.value).sum();
            prop_assert!((width - total as f32 * chart.scale).abs() < 0.01);
            for s in &bar.segments {
                prop_assert!(s.x >= 0.0 && s.x + s.width <= chart.width + 0.01);
            }
        }
        no_bad_numbers(&chart.to_svg("p"));
    }
}

#[test]
fn missing_or_invalid_values_never_reach_the_svg_as_nan() {
    let chart = scale_chart(
        "t",
        &five(),
        &[row("r", &[f64::NAN, f64::INFINITY, -3.0, 1.0])],
    );
    no_bad_numbers(&chart.to_svg("x"));
}

#[test]
fn the_svg_is_an_accessible_image_with_a_title_a_description_and_real_text() {
    let chart = scale_chart(
        "Knowledge <of> domestic abuse",
        &three(),
        &[row("Injuries & harm", &[12.3, 22.9, 64.8])],
    );
    let svg = chart.to_svg("figure-3");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-labelledby=\"figure-3-title figure-3-desc\""));
    assert!(
        svg.contains("<title id=\"figure-3-title\">Knowledge &lt;of&gt; domestic abuse</title>")
    );
    assert!(svg.contains("<desc id=\"figure-3-desc\">100% stacked bar chart"));
    assert!(svg.contains(">Injuries &amp; harm</text>"));
    // A legend entry for every category.
    for category in three() {
        assert!(svg.contains(&format!(">{category}</text>")), "{category}");
    }
}

#[test]
fn labels_printed_inside_bars_have_at_least_aa_contrast() {
    for count in [2, 3, 5, 7] {
        for unsure in [false, true] {
            for i in 0..count {
                let fill = category_color(i, count, unsure);
                let text = text_on(fill);
                assert!(
                    text.contrast(fill) >= 4.5,
                    "{count} {i}: {:?} on {:?}",
                    text,
                    fill
                );
            }
        }
    }
    assert!(TEXT.contrast(WHITE) > 19.0);
}

#[test]
fn every_label_printed_inside_a_bar_uses_the_contrasting_text_colour() {
    let chart = scale_chart("t", &five(), &[row("r", &[10.0, 20.0, 40.0, 20.0, 10.0])]);
    let fills: Vec<_> = chart
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { fill, size, .. } if *size < 12.0 => Some(*fill),
            _ => None,
        })
        .collect();
    assert!(fills.contains(&WHITE) && fills.contains(&TEXT));
}

fn check_golden(name: &str, chart: &Chart) {
    let svg = chart.to_svg(name);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/report/snapshots")
        .join(format!("{name}.svg"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &svg).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        svg, expected,
        "the SVG of {name} changed: look at it, then run with UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn a_diverging_chart_matches_its_golden_svg() {
    check_golden(
        "diverging",
        &scale_chart(
            "Role, responsibilities, and confidence",
            &five(),
            &[
                row(
                    "I am confident I can document domestic abuse accurately and confidentially",
                    &[2.0, 9.5, 20.1, 50.3, 18.1],
                ),
                row(
                    "I feel confident in recognising coercive control",
                    &[0.6, 4.0, 12.1, 56.4, 26.9],
                ),
            ],
        ),
    );
}

#[test]
fn a_grouped_chart_matches_its_golden_svg() {
    check_golden(
        "grouped",
        &grouped_chart(
            "Actions taken",
            &["Parents".to_owned(), "Children and young people".to_owned()],
            &[
                row("Gave information", &[74.0, 37.0]),
                row("Contacted a domestic abuse organisation", &[64.0, 41.0]),
            ],
        ),
    );
}

#[test]
fn the_narrow_frame_puts_each_label_above_its_bar_and_fits_a_phone() {
    use skafada_report::charts::{Frame, scale_chart_in};
    let chart = scale_chart_in(
        Frame::Narrow,
        "t",
        &five(),
        &[row(
            "I am confident I can document domestic abuse accurately and confidentially",
            &[2.0, 9.5, 20.1, 50.3, 18.1],
        )],
    );
    assert_eq!(chart.width, 400.0);
    let label_y = chart
        .marks
        .iter()
        .find_map(|m| match m {
            Mark::Text { text, y, .. } if text.starts_with("I am confident") => Some(*y),
            _ => None,
        })
        .unwrap();
    let bar_top = chart
        .marks
        .iter()
        .find_map(|m| match m {
            Mark::Rect { y, height, .. } if *height == 20.0 => Some(*y),
            _ => None,
        })
        .unwrap();
    assert!(label_y < bar_top, "label at {label_y}, bar at {bar_top}");
    for segment in &chart.bars[0].segments {
        assert!(segment.x >= 0.0 && segment.x + segment.width <= 400.0);
    }
}

fn interval_rows() -> Vec<skafada_report::charts::IntervalRow> {
    use skafada_report::charts::IntervalRow;
    vec![
        IntervalRow {
            label: "DASH risk checklist".into(),
            share: Some((45.0, 30.0, 61.0)),
            references: vec![Some(79.0), Some(70.0)],
        },
        IntervalRow {
            label: "Signs of domestic abuse & harm".into(),
            share: Some((98.0, 88.0, 100.0)),
            references: vec![Some(81.0), None],
        },
        IntervalRow {
            label: "Hidden statement".into(),
            share: None,
            references: vec![Some(50.0), Some(40.0)],
        },
    ]
}

#[test]
fn an_interval_chart_puts_each_share_on_its_range_and_the_reference_as_a_tick() {
    use skafada_report::charts::{Frame, interval_chart_in};
    for frame in [Frame::Wide, Frame::Narrow] {
        let chart = interval_chart_in(
            frame,
            "Know quite a bit or a lot",
            "This site",
            &["All sites", "Similar sites"],
            &interval_rows(),
        );
        assert_eq!(chart.kind, ChartKind::Interval);
        // One range per shown share, from its low to its high end on the 0-100 scale.
        assert_eq!(chart.bars.len(), 2);
        let zero = chart.bars[0].segments[0].x - 30.0 * chart.scale;
        for (bar, (low, high)) in chart.bars.iter().zip([(30.0, 61.0), (88.0, 100.0)]) {
            let segment = &bar.segments[0];
            assert!((segment.x - (zero + low * chart.scale)).abs() < 0.01);
            assert!((segment.width - (high - low) * chart.scale).abs() < 0.01);
        }
        // Every mark stays inside the drawing, value labels included.
        for mark in &chart.marks {
            if let Mark::Text { x, text, .. } = mark {
                assert!(*x >= 0.0 && *x <= chart.width, "{text} at {x}");
            }
        }
        let svg = chart.to_svg("m");
        no_bad_numbers(&svg);
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"m-title m-desc\""));
        assert!(svg.contains(">45%</text>") && svg.contains(">98%</text>"));
        assert!(
            svg.contains(">Hidden to protect people&#39;s identity</text>")
                || svg.contains(">Hidden to protect people's identity</text>")
        );
        assert!(svg.contains(">This site</text>") && svg.contains(">All sites</text>"));
        assert!(svg.contains(">Similar sites</text>"));
        assert!(svg.contains("&amp; harm"));
    }
}

#[test]
fn an_interval_charts_marks_are_distinguishable_and_at_least_three_to_one_on_white() {
    use skafada_report::charts::{Frame, interval_chart_in};
    let chart = interval_chart_in(Frame::Wide, "t", "a", &["b", "c"], &interval_rows());
    let mut strokes: Vec<skafada_report::charts::Color> = chart
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Line { stroke, width, .. } if *width > 1.0 => Some(*stroke),
            _ => None,
        })
        .collect();
    strokes.dedup();
    strokes.sort_by_key(|c| (c.0, c.1, c.2));
    strokes.dedup();
    assert_eq!(strokes.len(), 3, "the range and the two references differ");
    for color in strokes {
        assert!(color.contrast(WHITE) >= 3.0, "{color:?}");
    }
}
