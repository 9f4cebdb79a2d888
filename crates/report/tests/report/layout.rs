//! The PDF layout: pages, margins, tables that never break mid-row, footers.

use skafada_report::charts::Mark;
use skafada_report::font::{Weight, text_width, wrap};
use skafada_report::model::{Block, Document, Row, Section, Table};
use skafada_report::pdf::layout::{BOTTOM, Item, MARGIN, PAGE_WIDTH, TOP, layout};

fn long_table(rows: usize) -> Table {
    Table {
        id: "long".into(),
        caption: "A long table".into(),
        header: vec!["Statement".into(), "Number".into(), "%".into()],
        rows: (0..rows)
            .map(|i| Row {
                cells: vec![
                    // Every seventh row wraps onto several lines.
                    if i % 7 == 0 {
                        "A statement long enough to wrap onto more than one line of the table, as the study's statements often are, and then some more words to be sure".into()
                    } else {
                        format!("Row {i}")
                    },
                    i.to_string(),
                    "12.5".into(),
                ],
                group: i % 25 == 0,
            })
            .collect(),
        notes: vec!["A note.".into()],
        numeric: vec![false, true, true],
    }
}

fn document(blocks: Vec<Block>) -> Document {
    Document {
        title: "A report".into(),
        subtitle: "Study: test".into(),
        notices: vec!["Synthetic data.".into()],
        sections: vec![Section {
            id: "s".into(),
            heading: "Section".into(),
            blocks,
        }],
    }
}

#[test]
fn a_long_table_runs_over_pages_with_its_header_repeated_and_no_row_split() {
    let doc = document(vec![Block::Table(long_table(200))]);
    let laid_out = layout(&doc);
    assert!(laid_out.pages.len() >= 4, "{} pages", laid_out.pages.len());
    let mut seen = Vec::new();
    for page in &laid_out.pages {
        // Every page with rows of the table starts them with the header.
        if let Some(first) = page.rows.first() {
            assert_eq!(
                first.row, None,
                "a page of the table starts without its header"
            );
        }
        for row in &page.rows {
            assert!(
                row.top >= TOP - 0.01 && row.bottom <= BOTTOM + 0.01,
                "{row:?} leaves the text area"
            );
            if let Some(index) = row.row {
                seen.push(index);
            }
        }
    }
    // Each row placed once, in order: none split, none lost.
    assert_eq!(seen, (0..200).collect::<Vec<_>>());
    let continued = laid_out.pages[1].items.iter().any(
        |i| matches!(i, Item::Mark(Mark::Text { text, .. }) if text == "A long table (continued)"),
    );
    assert!(continued);
}

#[test]
fn the_number_of_pages_grows_with_the_table_and_every_page_says_page_n_of_m() {
    let short = document(vec![Block::Table(long_table(10))]);
    assert_eq!(layout(&short).pages.len(), 1);
    let long = document(vec![Block::Table(long_table(400))]);
    let long = layout(&long);
    let count = long.pages.len();
    assert!(count > 6);
    for (index, page) in long.pages.iter().enumerate() {
        let footer = format!("Page {} of {count}", index + 1);
        assert!(
            page.items
                .iter()
                .any(|i| matches!(i, Item::Mark(Mark::Text { text, .. }) if *text == footer)),
            "{footer}"
        );
    }
}

#[test]
fn all_text_stays_within_the_margins() {
    let paragraph = "Domestic abuse clearly features in the workload of Early Help/Family Support practitioners: the majority of respondents had worked on cases involving domestic abuse in the past six months. ".repeat(20);
    let doc = document(vec![
        Block::Paragraph(paragraph),
        Block::List(vec!["A finding that is long enough to wrap, because findings often are; it goes on and on and on and on and on and on.".into()]),
        Block::Table(long_table(60)),
    ]);
    for page in layout(&doc).pages {
        for item in &page.items {
            if let Item::Mark(Mark::Text {
                x,
                y,
                text,
                size,
                weight,
                ..
            }) = item
            {
                let width = text_width(text, *size, *weight);
                assert!(*x >= MARGIN - 0.01, "{text} starts at {x}");
                assert!(
                    x + width <= PAGE_WIDTH - MARGIN + 0.01,
                    "{text} ends at {}",
                    x + width
                );
                assert!(*y > TOP - 0.01, "{text} above the text area");
            }
        }
    }
}

#[test]
fn wrapping_breaks_at_spaces_and_splits_only_words_wider_than_the_line() {
    let lines = wrap("one two three four", 10.0, Weight::Regular, 40.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.join(" "), "one two three four");
    let long = wrap(
        "Supercalifragilisticexpialidocious",
        10.0,
        Weight::Regular,
        30.0,
    );
    assert!(long.len() > 1);
    assert_eq!(long.concat(), "Supercalifragilisticexpialidocious");
    for line in long {
        assert!(text_width(&line, 10.0, Weight::Regular) <= 30.0);
    }
}
