//! The XLSX workbook, read back from its XML parts.

use std::io::Read;

use skafada_export::Codebook;

use crate::{options, outcomes, pre_instrument, responses, sites};

/// The text of one part of the workbook.
pub fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_workbook_has_responses_codebook_and_about_sheets_with_every_name_and_question() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 20, 5);
    let found = outcomes(&instrument, &data);
    let xlsx = skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &options()).unwrap();
    let workbook = part(&xlsx, "xl/workbook.xml");
    for sheet in ["Responses", "Codebook", "About"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    let strings = part(&xlsx, "xl/sharedStrings.xml");
    let book = Codebook::new(&instrument, &found);
    assert!(book.entry("kept").is_some() && book.entry("agree3:confidence-documenting").is_some());
    for entry in book.entries {
        assert!(
            strings.contains(&format!(">{}<", escape(&entry.column))),
            "{}",
            entry.column
        );
        assert!(strings.contains(&format!(">{}<", escape(&entry.spss_name))));
        assert!(strings.contains(&escape(&entry.text)), "{}", entry.text);
        for value in &entry.values {
            assert!(
                strings.contains(&format!(">{}<", escape(&value.label))),
                "{}",
                value.label
            );
        }
    }
    assert!(strings.contains("prefer-not-to-say") && strings.contains("not-applicable"));
    assert!(strings.contains("SYNTHETIC DATA"));
    assert!(strings.contains("The data are anonymous"));
    assert!(strings.contains("skafada-pre"));
    assert!(strings.contains(&format!("kept is 1 for the {} records", found.log.kept)));
    assert!(strings.contains("spss_missing"));
    // Two header rows, frozen.
    let responses_sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(responses_sheet.contains("ySplit=\"2\""));
}

#[test]
fn the_labels_variant_writes_labels_where_the_default_writes_codes() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 20, 5);
    let mut labelled = options();
    labelled.labels = true;
    let found = outcomes(&instrument, &data);
    let codes = skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &options()).unwrap();
    let labels = skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &labelled).unwrap();
    let trained = data.values("trained").unwrap();
    let has_yes = trained.contains(1);
    assert!(has_yes);
    // The Codebook sheet has "Yes" in both; only the labelled Responses sheet counts more.
    let count = |xlsx: &[u8]| {
        let strings = part(xlsx, "xl/sharedStrings.xml");
        strings.contains(">Strongly agree<")
    };
    assert!(count(&codes) && count(&labels));
    let sheet_codes = part(&codes, "xl/worksheets/sheet1.xml");
    let sheet_labels = part(&labels, "xl/worksheets/sheet1.xml");
    // Coded cells are numbers (<v>) in one and shared strings (t="s") in the other.
    let strings_in = |sheet: &str| sheet.matches("t=\"s\"").count();
    assert!(strings_in(&sheet_labels) > strings_in(&sheet_codes) + data.len());
}

/// Every cell of a worksheet as (reference, text), with shared strings looked up, so that
/// a sheet of shared strings and one of inline strings compare equal when their cells do.
fn cells(xlsx: &[u8], sheet: &str) -> Vec<(String, String)> {
    fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(&text[start..end])
    }
    fn unescape(text: &str) -> String {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }
    let strings: Vec<String> = part(xlsx, "xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|item| {
            let t = &item[item.find("<t").unwrap()..];
            unescape(between(t, ">", "</t>").unwrap())
        })
        .collect();
    part(xlsx, sheet)
        .split("<c r=\"")
        .skip(1)
        .map(|cell| {
            let reference = cell[..cell.find('"').unwrap()].to_owned();
            let value = if cell.contains("t=\"s\"") {
                strings[between(cell, "<v>", "</v>")
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()]
                .clone()
            } else if cell.contains("t=\"inlineStr\"") {
                let t = &cell[cell.find("<t").unwrap()..];
                unescape(between(t, ">", "</t>").unwrap())
            } else {
                between(cell, "<v>", "</v>").unwrap_or_default().to_owned()
            };
            (reference, value)
        })
        .collect()
}

#[test]
fn a_workbook_written_a_row_at_a_time_through_a_temporary_file_holds_the_same_cells() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 2_500, 11);
    let found = outcomes(&instrument, &data);
    let in_memory =
        skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &options()).unwrap();
    let mut told = Vec::new();
    let sink = skafada_export::XlsxSink {
        out: std::io::Cursor::new(Vec::new()),
        rows: skafada_export::RowBuffer::Folder(std::env::temp_dir()),
        progress: &mut |records| told.push(records),
    };
    let streamed =
        skafada_export::write_xlsx(&instrument, &data, &sites(), &found, &options(), sink)
            .unwrap()
            .into_inner();
    // The constant-memory sheet writes its strings inline, the other shares them: the
    // cells, not the bytes, must match.
    assert!(part(&streamed, "xl/worksheets/sheet1.xml").contains("inlineStr"));
    let memory_cells = cells(&in_memory, "xl/worksheets/sheet1.xml");
    assert_eq!(
        memory_cells.len(),
        cells(&streamed, "xl/worksheets/sheet1.xml").len()
    );
    assert_eq!(memory_cells, cells(&streamed, "xl/worksheets/sheet1.xml"));
    assert!(memory_cells.len() > 2_500 * 20, "{}", memory_cells.len());
    for sheet in ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"] {
        assert_eq!(cells(&in_memory, sheet), cells(&streamed, sheet), "{sheet}");
    }
    assert!(part(&streamed, "xl/worksheets/sheet1.xml").contains("ySplit=\"2\""));
    // Progress is told every thousand records and once at the end.
    assert_eq!(told, vec![1_000, 2_000, 2_500]);
}

#[test]
fn every_responses_column_is_widened_whether_rows_wait_in_memory_or_in_a_file() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 1_200, 3);
    let found = outcomes(&instrument, &data);
    let columns = Codebook::new(&instrument, &found).entries.len();
    let in_memory =
        skafada_export::to_xlsx(&instrument, &data, &sites(), &found, &options()).unwrap();
    let sink = skafada_export::XlsxSink {
        out: std::io::Cursor::new(Vec::new()),
        rows: skafada_export::RowBuffer::Folder(std::env::temp_dir()),
        progress: &mut |_| {},
    };
    let streamed =
        skafada_export::write_xlsx(&instrument, &data, &sites(), &found, &options(), sink)
            .unwrap()
            .into_inner();
    // Sixteen characters wide, as Excel stores it (16 plus the padding of its default font).
    let widened = format!(
        r#"<cols><col min="1" max="{columns}" width="16.7109375" customWidth="1"/></cols>"#
    );
    for xlsx in [&in_memory, &streamed] {
        let sheet = part(xlsx, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(&widened),
            "{}",
            &sheet[..sheet.len().min(1_500)]
        );
    }
}
