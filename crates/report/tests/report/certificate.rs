//! The CPD certificate: names in every alphabet the font covers, long names and titles
//! kept on the page, names it cannot print refused, and the PDF read back by poppler.
//!
//! The read-back tests need `pdftotext` and `pdfinfo` (Debian's poppler-utils, which
//! `scripts/test-all` installs). Locally they skip unless `SKAFADA_TEST_EXTERNAL` is set;
//! when it is set (as `scripts/test-all` does), a missing tool fails the test.

use std::path::PathBuf;
use std::process::Command;

use proptest::prelude::*;
use skafada_report::certificate::{self, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};
use skafada_report::charts::{Anchor, Mark};
use skafada_report::font::text_width;
use skafada_report::{
    CertificateDetails, CertificateMonth, CertificateName, NameError, ReportError, certificate_pdf,
    unsupported_characters,
};

const NAMES: [&str; 6] = [
    "Łukasz Wiśniewski",
    "Zoë Ńwachukwu",
    "Αλέξανδρος Παπαδόπουλος",
    "Дарья Кузнецова",
    "Nguyễn Thị Hoa",
    "Siobhán Ní Bhriain",
];

fn details(name: &str) -> CertificateDetails {
    CertificateDetails {
        name: CertificateName::parse(name).unwrap(),
        module_title: "Recognising and responding to domestic abuse".into(),
        completed: CertificateMonth::parse("2026-05").unwrap(),
        learning_minutes: 85,
        code: "ABCDE-FGHJK-LMNPQ".into(),
        verify_url: "https://survey.example.org/verify".into(),
    }
}

/// Whether to run: false (skip) only when SKAFADA_TEST_EXTERNAL is unset.
fn external() -> bool {
    if std::env::var_os("SKAFADA_TEST_EXTERNAL").is_some() {
        return true;
    }
    eprintln!("skipped: set SKAFADA_TEST_EXTERNAL=1 (scripts/test-all does) to run poppler");
    false
}

/// Writes the PDF to a temporary file for poppler's tools.
fn temp_pdf(name: &str, pdf: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "skafada-certificate-{name}-{}.pdf",
        std::process::id()
    ));
    std::fs::write(&path, pdf).unwrap();
    path
}

/// Runs a poppler tool on the PDF (its file name after `args`, then `after`) and returns
/// its standard output.
fn poppler(tool: &str, args: &[&str], after: &[&str], pdf: &[u8], name: &str) -> String {
    let path = temp_pdf(name, pdf);
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(after)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} could not be run ({e}): install poppler-utils, as scripts/test-all does")
        });
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn pdftotext(pdf: &[u8], name: &str) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], &["-"], pdf, name)
}

/// A field of pdfinfo's output, e.g. `Pages`.
fn info_field(info: &str, field: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("pdfinfo gives no {field}: {info}"))
}

/// The text of a PDF with runs of whitespace as single spaces.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Left and right ends of a line of text.
fn extent(mark: &Mark) -> Option<(f32, f32, f32, f32)> {
    let Mark::Text {
        x,
        y,
        text,
        size,
        anchor,
        weight,
        ..
    } = mark
    else {
        return None;
    };
    let width = text_width(text, *size, *weight);
    let left = match anchor {
        Anchor::Start => *x,
        Anchor::Middle => x - width / 2.0,
        Anchor::End => x - width,
    };
    Some((left, left + width, *y, *size))
}

/// Every line of text lies inside the margins, and lines do not overlap: each baseline is
/// at least its size below the one before.
fn assert_inside_margins(layout: &certificate::CertificateLayout) {
    let mut lines: Vec<(f32, f32, f32, f32)> = layout.marks.iter().filter_map(extent).collect();
    for &(left, right, baseline, size) in &lines {
        assert!(
            left >= MARGIN - 0.01 && right <= PAGE_WIDTH - MARGIN + 0.01,
            "a line runs into the margin: {left}..{right}"
        );
        assert!(
            baseline - size >= MARGIN * 0.75 && baseline <= PAGE_HEIGHT - MARGIN * 0.75,
            "a line is off the page's text area: baseline {baseline}"
        );
    }
    lines.sort_by(|a, b| a.2.total_cmp(&b.2));
    for pair in lines.windows(2) {
        let (above, below) = (pair[0], pair[1]);
        let same_row = (above.2 - below.2).abs() < 0.01;
        if same_row {
            assert!(
                above.1 <= below.0 || below.1 <= above.0,
                "two lines on one baseline overlap"
            );
        } else {
            assert!(
                below.2 - above.2 >= below.3 * 0.9,
                "a line at {} overlaps the one at {}",
                below.2,
                above.2
            );
        }
    }
}

/// The text of the lines drawn in the name's weight and size (the largest on the page).
fn name_lines(layout: &certificate::CertificateLayout, name: &str) -> String {
    let texts: Vec<&str> = layout
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { text, .. } if name.contains(text.as_str()) && !text.is_empty() => {
                Some(text.as_str())
            }
            _ => None,
        })
        .collect();
    texts.concat()
}

#[test]
fn a_certificate_is_a_pdf_with_its_title_in_the_metadata() {
    let pdf = certificate_pdf(&details("Łukasz Wiśniewski")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let tail = String::from_utf8_lossy(&pdf[pdf.len() - 32..]).into_owned();
    assert!(tail.contains("%%EOF"), "{tail}");
    assert!(
        String::from_utf8_lossy(&pdf).contains("/Title"),
        "the document has a title"
    );
}

#[test]
fn the_same_details_give_the_same_bytes() {
    let a = certificate_pdf(&details("Zoë Ńwachukwu")).unwrap();
    let b = certificate_pdf(&details("Zoë Ńwachukwu")).unwrap();
    assert_eq!(a, b, "no clock or random id in the file");
}

#[test]
fn poppler_reads_one_landscape_a4_page_titled_after_the_module() {
    if !external() {
        return;
    }
    let pdf = certificate_pdf(&details("Łukasz Wiśniewski")).unwrap();
    let info = poppler("pdfinfo", &[], &[], &pdf, "info");
    assert_eq!(info_field(&info, "Pages"), "1");
    assert_eq!(info_field(&info, "Page size"), "841.89 x 595.28 pts (A4)");
    assert_eq!(
        info_field(&info, "Title"),
        "CPD certificate: Recognising and responding to domestic abuse"
    );
}

#[test]
fn names_in_the_latin_greek_and_cyrillic_alphabets_print_as_typed() {
    if !external() {
        return;
    }
    for name in NAMES {
        let pdf = certificate_pdf(&details(name)).unwrap();
        let text = words(&pdftotext(&pdf, "names"));
        assert!(text.contains(name), "{name} is not in: {text}");
        assert!(!text.contains('?'), "{text}");
    }
}

#[test]
fn the_certificate_states_the_module_the_month_of_completion_learning_time_and_code() {
    if !external() {
        return;
    }
    let pdf = certificate_pdf(&details("Дарья Кузнецова")).unwrap();
    let text = words(&pdftotext(&pdf, "parts"));
    for part in [
        "Certificate of continuing professional development",
        "This certifies that",
        "Дарья Кузнецова",
        "completed the online training module",
        "Recognising and responding to domestic abuse",
        "Completed",
        "May 2026",
        "Learning time",
        "1 hour 25 minutes",
        "Verification code: ABCDE-FGHJK-LMNPQ",
        "Check this certificate at https://survey.example.org/verify",
    ] {
        assert!(text.contains(part), "{part:?} is not in: {text}");
    }
    assert!(
        !text.contains("1 May"),
        "the certificate states the month, never the day: {text}"
    );
}

#[test]
fn a_very_long_name_and_module_title_stay_on_one_page_inside_the_margins() {
    let name = "Wolfgang Amadeus Maximilian Wiśniewska-Ńwachukwu Αλέξανδρος Дарья Kowalczyk";
    let long_word = "W".repeat(CertificateName::MAX_CHARS);
    let title = "Recognising, responding to and recording domestic abuse and coercive control \
                 in adult social care, children's services, housing, health and education: \
                 a multi-agency module for practitioners, supervisors and designated safeguarding \
                 leads working with families, carers and communities across the local authority";
    for name in [name, long_word.as_str()] {
        let mut details = details(name);
        details.module_title = title.into();
        let layout = certificate::layout(&details);
        assert_inside_margins(&layout);
        assert_eq!(
            name_lines(&layout, name).replace(' ', ""),
            name.replace(' ', ""),
            "every character of the name is drawn"
        );
        if external() {
            let pdf = certificate_pdf(&details).unwrap();
            let info = poppler("pdfinfo", &[], &[], &pdf, "long-info");
            assert_eq!(info_field(&info, "Pages"), "1");
            let text = words(&pdftotext(&pdf, "long"));
            assert!(text.contains(&words(title)), "{text}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_printable_name_up_to_the_limit_fits_inside_the_margins(
        name in "[WMШЖЩΩmwщ—Ł ]{1,100}",
    ) {
        prop_assume!(CertificateName::parse(&name).is_ok());
        let layout = certificate::layout(&details(&name));
        assert_inside_margins(&layout);
        let drawn = name_lines(&layout, &words(&name)).replace(' ', "");
        prop_assert_eq!(drawn, name.replace(' ', ""));
    }
}

#[test]
fn names_the_font_cannot_print_are_refused_with_their_characters() {
    for (name, characters) in [
        ("李小龙", vec!['李', '小', '龙']),
        ("Anna 李 Li", vec!['李']),
        (
            "देवनागरी",
            "देवनागरी".chars().fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            }),
        ),
        ("Sam\u{7}", vec!['\u{7}']),
    ] {
        assert_eq!(
            CertificateName::parse(name),
            Err(NameError::Unsupported(characters.clone())),
            "{name}"
        );
        assert_eq!(unsupported_characters(name), characters, "{name}");
    }
    for name in NAMES {
        assert_eq!(unsupported_characters(name), Vec::<char>::new(), "{name}");
    }
}

#[test]
fn typed_names_are_trimmed_collapsed_and_at_most_a_hundred_characters() {
    let parse = |s: &str| CertificateName::parse(s).map(|n| n.as_str().to_owned());
    assert_eq!(parse("  Zoë \t Ńwachukwu\n"), Ok("Zoë Ńwachukwu".into()));
    assert_eq!(parse("Sam\u{a0}\u{a0}Example"), Ok("Sam Example".into()));
    assert_eq!(
        parse("Sam\u{200b}\u{feff} Example\u{200e}"),
        Ok("Sam Example".into()),
        "invisible formatting characters are dropped"
    );
    assert_eq!(parse(" \t\n "), Err(NameError::Empty));
    assert_eq!(parse("\u{200b}"), Err(NameError::Empty));
    assert!(parse(&"a".repeat(100)).is_ok());
    assert_eq!(
        parse(&format!("  {}  ", "a".repeat(100))),
        Ok("a".repeat(100)),
        "the limit counts the name, not the spaces around it"
    );
    assert_eq!(
        parse(&"a".repeat(101)),
        Err(NameError::TooLong { max: 100 })
    );
}

#[test]
fn a_module_title_the_font_cannot_print_is_an_error_not_empty_boxes() {
    let mut details = details("Sam Example");
    details.module_title = "家庭暴力 training".into();
    match certificate_pdf(&details) {
        Err(ReportError::Unprintable { part, characters }) => {
            assert_eq!(part, "module title");
            assert_eq!(characters, vec!['家', '庭', '暴', '力']);
        }
        other => panic!("expected an unprintable module title, got {other:?}"),
    }
}

#[test]
fn names_with_combining_accents_and_in_arabic_or_hebrew_are_shaped_tagged_and_read_back() {
    if !external() {
        return;
    }
    for name in [
        "Adébáyọ̀ Ó'Ceallaigh-Nguyễn",
        "فاطمة الزهراء",
        "דוד כהן",
        "Dr فاطمة Khan",
    ] {
        let parsed = CertificateName::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut certificate = details("Sam Example");
        certificate.name = parsed;
        let pdf = certificate_pdf(&certificate).unwrap();
        let info = poppler("pdfinfo", &[], &[], &pdf, "shaped-info");
        assert_eq!(info_field(&info, "Tagged"), "yes", "{name}");
        assert_eq!(info_field(&info, "Pages"), "1");
        // pdftotext gives right-to-left text in its logical order, between embedding
        // marks: the name reads back as typed.
        let text: String = pdftotext(&pdf, "shaped-text")
            .chars()
            .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'))
            .collect();
        // (Spaces beside a change of direction are placed by the reader, so they are not
        // compared.)
        let solid = |t: &str| t.split_whitespace().collect::<String>();
        assert!(
            solid(&text).contains(&solid(&format!("This certifies that {name} completed"))),
            "{name}: {}",
            words(&text)
        );
        if let Some(dir) = std::env::var_os("CERTIFICATE_IMAGES") {
            let path = temp_pdf("shaped-image", &pdf);
            let out = std::path::Path::new(&dir).join(format!("certificate-{}", name.len()));
            Command::new("pdftoppm")
                .args(["-r", "110", "-png", "-singlefile"])
                .arg(&path)
                .arg(&out)
                .status()
                .unwrap();
            let _ = std::fs::remove_file(&path);
        }
    }
}
