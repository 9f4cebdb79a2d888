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
    let has_yes = trained.contains(&1);
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
