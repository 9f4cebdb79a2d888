//! The CPD certificate as a one-page PDF, written directly.
//!
//! A certificate is a few lines of text on an A4 landscape page, so it uses the PDF
//! standard fonts (Helvetica, which every reader has) with WinAnsi encoding and needs no
//! PDF library or embedded font. Characters outside WinAnsi (Latin-1 and a few
//! typographic marks) are printed as `?`.

/// A4 landscape, in points.
const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;

/// Encodes text for a PDF literal string in WinAnsiEncoding, escaping `\`, `(` and `)`.
fn pdf_text(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let byte = match c {
            '\\' | '(' | ')' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        };
        out.push(byte);
    }
    out
}

/// Splits text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The certificate: the name typed, the module, the date, the learning time and the
/// verification code with where to check it.
pub fn certificate_pdf(
    name: &str,
    module_title: &str,
    date: &str,
    minutes: i64,
    code: &str,
    verify_url: &str,
) -> Vec<u8> {
    // (font, size, text) lines from the top.
    let mut lines: Vec<(&str, f32, String)> = vec![
        (
            "F2",
            26.0,
            "Certificate of continuing professional development".to_owned(),
        ),
        ("F1", 14.0, String::new()),
        ("F1", 14.0, "This certifies that".to_owned()),
    ];
    for part in wrap(name, 40) {
        lines.push(("F2", 24.0, part));
    }
    lines.push((
        "F1",
        14.0,
        "completed the online training module".to_owned(),
    ));
    for part in wrap(module_title, 70) {
        lines.push(("F2", 16.0, part));
    }
    lines.push(("F1", 14.0, String::new()));
    lines.push(("F1", 14.0, format!("Date: {date}")));
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let hours = if minutes >= 60 {
        format!(
            ", {} {}",
            plural(minutes / 60, "hour"),
            plural(minutes % 60, "minute")
        )
    } else {
        String::new()
    };
    lines.push((
        "F1",
        14.0,
        format!("Learning time: {}{hours}", plural(minutes, "minute")),
    ));
    lines.push(("F1", 14.0, String::new()));
    lines.push(("F1", 12.0, format!("Verification code: {code}")));
    lines.push((
        "F1",
        12.0,
        format!("Check this certificate at {verify_url}"),
    ));

    let mut content = Vec::new();
    content.extend_from_slice(
        format!(
            "0.3 0.3 0.3 RG 3 w 30 30 {} {} re S\n",
            WIDTH - 60.0,
            HEIGHT - 60.0
        )
        .as_bytes(),
    );
    let mut y = HEIGHT - 100.0;
    for (font, size, text) in &lines {
        content.extend_from_slice(format!("BT /{font} {size} Tf 70 {y} Td (").as_bytes());
        content.extend_from_slice(&pdf_text(text));
        content.extend_from_slice(b") Tj ET\n");
        y -= size * 1.6;
    }

    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
             /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        {
            let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            stream.extend_from_slice(&content);
            stream.extend_from_slice(b"\nendstream");
            stream
        },
        {
            let mut info = b"<< /Title (".to_vec();
            info.extend_from_slice(&pdf_text("CPD certificate"));
            info.extend_from_slice(b") /Producer (skafada) >>");
            info
        },
    ];

    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_text_is_escaped_and_encoded_for_the_pdf() {
        assert_eq!(pdf_text("a (b) \\ c"), b"a \\(b\\) \\\\ c".to_vec());
        assert_eq!(pdf_text("Siobhán"), b"Siobh\xe1n".to_vec());
        assert_eq!(pdf_text("李"), b"?".to_vec());
    }

    #[test]
    fn certificate_is_a_pdf_with_a_cross_reference_table() {
        let pdf = certificate_pdf(
            "A Person",
            "A module",
            "1 May 2026",
            85,
            "ABCDE-FGHJK-LMNPQ",
            "http://x/verify",
        );
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(A Person) Tj"));
        assert!(text.contains("Learning time: 85 minutes, 1 hour 25 minutes"));
        assert!(text.contains("ABCDE-FGHJK-LMNPQ"));
    }
}
