//! The PDF's tag tree: what a screen reader reads, in reading order.

use std::process::Command;

use skafada_report::model::Document;
use skafada_report::pdf::layout::{Item, Role, layout};

use crate::whole::demo_report;

/// Every line of text on a page, with its role.
fn texts<'a>(doc: &'a skafada_report::pdf::layout::Layout<'a>) -> Vec<(String, Role)> {
    doc.pages
        .iter()
        .flat_map(|page| page.items.iter().zip(&page.roles))
        .filter_map(|(item, role)| match item {
            Item::Mark(skafada_charts_mark) => match skafada_charts_mark {
                skafada_report::charts::Mark::Text { text, .. } => {
                    Some((text.clone(), role.clone()))
                }
                _ => None,
            },
            Item::Chart { .. } => Some(("[chart]".to_owned(), role.clone())),
        })
        .collect()
}

fn demo_document() -> Document {
    demo_report().document().clone()
}

#[test]
fn every_item_has_a_role_and_only_page_furniture_is_an_artifact() {
    let doc = demo_document();
    let laid_out = layout(&doc);
    for page in &laid_out.pages {
        assert_eq!(page.items.len(), page.roles.len());
    }
    let texts = texts(&laid_out);
    let pages = laid_out.pages.len();
    // Two footer lines per page, and each continued table's caption and header cells.
    let artifacts: Vec<&String> = texts
        .iter()
        .filter(|(_, role)| *role == Role::Artifact)
        .map(|(text, _)| text)
        .collect();
    for text in &artifacts {
        let furniture = text.starts_with("Page ")
            || doc.title.starts_with(text.as_str())
            || repeated_on_a_new_page(&doc, text);
        assert!(furniture, "{text:?} is drawn as an artifact but is content");
    }
    assert!(artifacts.iter().filter(|t| t.starts_with("Page ")).count() == pages);
    // The title is the only level-1 heading, and every section heading is level 2.
    let headings: Vec<(u8, String)> = texts
        .iter()
        .filter_map(|(_, role)| match role {
            Role::Heading { level, text, .. } => Some((*level, text.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        headings.iter().filter(|(level, _)| *level == 1).count(),
        headings
            .iter()
            .filter(|(level, text)| *level == 1 && *text == doc.title)
            .count()
    );
    for section in &doc.sections {
        assert!(
            headings.contains(&(2, section.heading.clone())),
            "{} is not a level-2 heading",
            section.heading
        );
    }
    // Every chart is a figure with its caption as its alternative text.
    for (text, role) in &texts {
        if text == "[chart]" {
            assert!(
                matches!(role, Role::Figure { alt, .. } if !alt.is_empty()),
                "{role:?}"
            );
        }
    }
}

/// Whether `text` is (a line of) what a table repeats on a page it continues on: its
/// caption with "(continued)", or a header cell.
fn repeated_on_a_new_page(doc: &Document, text: &str) -> bool {
    doc.sections.iter().flat_map(|s| &s.blocks).any(|block| {
        let tables: Vec<&skafada_report::model::Table> = match block {
            skafada_report::model::Block::Table(t) => vec![t],
            skafada_report::model::Block::Figure(f) => vec![&f.table],
            _ => Vec::new(),
        };
        tables.iter().any(|t| {
            format!("{} (continued)", t.caption).contains(text.trim())
                || t.header.iter().any(|h| h.contains(text.trim()))
        })
    })
}

/// Whether to run poppler: false (skip) only when SKAFADA_TEST_EXTERNAL is unset.
fn external() -> bool {
    if std::env::var_os("SKAFADA_TEST_EXTERNAL").is_some() {
        return true;
    }
    eprintln!("skipped: set SKAFADA_TEST_EXTERNAL=1 (scripts/test-all does) to run poppler");
    false
}

#[test]
fn the_report_pdf_is_tagged_with_headings_tables_lists_and_figures_in_reading_order() {
    if !external() {
        return;
    }
    let report = demo_report();
    let pdf = report.render_pdf().unwrap();
    let path = std::env::temp_dir().join(format!("skafada-tagged-{}.pdf", std::process::id()));
    std::fs::write(&path, &pdf).unwrap();
    let run = |args: &[&str]| {
        let output = Command::new("pdfinfo")
            .args(args)
            .arg(&path)
            .output()
            .expect("pdfinfo could not be run: install poppler-utils, as scripts/test-all does");
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let info = run(&[]);
    let structure = run(&["-struct-text"]);
    let _ = std::fs::remove_file(&path);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    let doc = report.document();
    let blocks = || doc.sections.iter().flat_map(|s| &s.blocks);
    let figures = blocks()
        .filter(|b| matches!(b, skafada_report::model::Block::Figure(_)))
        .count();
    let tables = blocks()
        .filter(|b| matches!(b, skafada_report::model::Block::Table(_)))
        .count()
        + figures;
    let lines: Vec<&str> = structure.lines().map(str::trim).collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(lines.first(), Some(&"Document"));
    assert_eq!(
        lines.get(1).copied(),
        Some(format!("H1 \"{}\" (block)", doc.title).as_str())
    );
    for section in &doc.sections {
        let heading = format!("H2 \"{}\" (block)", section.heading);
        assert!(lines.contains(&heading.as_str()), "no {heading}");
    }
    assert_eq!(count("Table"), tables, "every table is a Table");
    assert_eq!(count("Figure"), figures, "every chart is a Figure");
    assert!(count("Caption") >= tables);
    assert!(count("TH") > 0 && count("TD") > 0 && count("LI") > 0);
    // Footers are artifacts: they are not read out on every page.
    assert!(
        !structure.contains("Page 1 of"),
        "a footer is in the structure"
    );
}
