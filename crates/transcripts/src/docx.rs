//! Word `.docx` transcripts: the text of each paragraph of `word/document.xml`, in order
//! (tabs as spaces, line breaks as new lines), read as plain text is.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The most bytes `word/document.xml` may unpack to.
const MAX_XML: u64 = 64 * 1024 * 1024;

/// The paragraphs of a `.docx` file, as lines.
pub(crate) fn paragraphs(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "not a Word .docx file (it is not a ZIP package)".to_owned())?;
    let mut xml = String::new();
    {
        let entry = archive
            .by_name("word/document.xml")
            .map_err(|_| "not a Word .docx file (it has no word/document.xml)".to_owned())?;
        let read = entry
            .take(MAX_XML + 1)
            .read_to_string(&mut xml)
            .map_err(|_| "the Word document is damaged or not UTF-8".to_owned())?;
        if read as u64 > MAX_XML {
            return Err("the Word document is larger than 64 MB unpacked".to_owned());
        }
    }
    let mut reader = Reader::from_str(&xml);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => lines.push(std::mem::take(&mut line)),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:tab" => line.push(' '),
                "w:br" | "w:cr" => lines.push(std::mem::take(&mut line)),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => line.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.xml10_content();
                match r.resolve_char_ref() {
                    Ok(Some(c)) => line.push(c),
                    _ => line.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "apos" => "'",
                        "quot" => "\"",
                        _ => "",
                    }),
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => {
                return Err(format!(
                    "the Word document's text is damaged (XML error at byte {}: {error})",
                    reader.buffer_position()
                ));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use super::*;

    /// A minimal `.docx` whose paragraphs are `paragraphs` (runs split as Word does).
    pub(crate) fn docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| {
                let escaped = p.replace('&', "&amp;").replace('<', "&lt;");
                let (first, rest) = escaped.split_at(escaped.len() / 2);
                format!("<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{first}</w:t></w:r><w:r><w:t xml:space=\"preserve\">{rest}</w:t></w:r></w:p>")
            })
            .collect();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("[Content_Types].xml", options).unwrap();
        writer.write_all(b"<Types/>").unwrap();
        writer.start_file("word/document.xml", options).unwrap();
        writer.write_all(xml.as_bytes()).unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn paragraphs_come_back_whole_with_entities_decoded() {
        let bytes = docx(&[
            "Interviewer: Tell me about <your> role & team.",
            "P01: I work in Early Help.",
        ]);
        assert_eq!(
            paragraphs(&bytes).unwrap(),
            [
                "Interviewer: Tell me about <your> role & team.",
                "P01: I work in Early Help."
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_docx_is_refused_with_the_reason() {
        assert_eq!(
            paragraphs(b"plain text").unwrap_err(),
            "not a Word .docx file (it is not a ZIP package)"
        );
    }
}
