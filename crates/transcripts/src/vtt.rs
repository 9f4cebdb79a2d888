//! WebVTT captions (Teams, Zoom): cues with `<v Speaker>` voice tags or `Speaker:`
//! prefixes, consecutive cues of one speaker joined into a turn.

use crate::Turn;

/// The turns of a WebVTT file.
pub(crate) fn turns(bytes: &[u8]) -> Result<Vec<Turn>, String> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| format!("not UTF-8 text (byte {} cannot be read)", e.valid_up_to()))?;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks = text.split("\n\n");
    let header = blocks.next().unwrap_or_default();
    if !header.starts_with("WEBVTT") {
        return Err("not a WebVTT file: it must start with WEBVTT".to_owned());
    }
    let mut turns: Vec<Turn> = Vec::new();
    let mut cues = 0;
    for block in blocks {
        let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        let Some(timing) = lines.iter().position(|l| l.contains("-->")) else {
            // NOTE, STYLE and REGION blocks, and stray text, carry no captions.
            continue;
        };
        cues += 1;
        let payload = lines[timing + 1..].join(" ");
        let (speaker, words) = voice_of(&payload);
        let words = plain(&words);
        if words.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some(turn) if turn.speaker == speaker => {
                turn.text.push(' ');
                turn.text.push_str(&words);
            }
            _ => turns.push(Turn {
                speaker,
                text: words,
            }),
        }
    }
    if cues == 0 {
        return Err("the WebVTT file has no cues (no line with -->)".to_owned());
    }
    Ok(turns)
}

/// The speaker of a cue's text (`<v Name>` or `Name: ...`) and the rest.
fn voice_of(payload: &str) -> (String, String) {
    let trimmed = payload.trim();
    if let Some(rest) = trimmed.strip_prefix("<v")
        && let Some((tag, words)) = rest.split_once('>')
    {
        // `<v.loud Name>`: classes after a dot, then the name.
        let name = tag.trim_start_matches(|c: char| c != ' ').trim();
        if !name.is_empty() {
            return (plain(name), words.to_owned());
        }
    }
    if let Some((name, words)) = trimmed.split_once(": ")
        && (1..=4).contains(&name.split_whitespace().count())
        && !name.contains('<')
    {
        return (name.trim().to_owned(), words.to_owned());
    }
    ("Unattributed".to_owned(), trimmed.to_owned())
}

/// Text without tags, with the entities WebVTT allows decoded.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn voices_and_prefixes_become_speakers_and_one_speakers_cues_join() {
        let vtt = "WEBVTT\n\nNOTE made by Teams\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>How long have</v>\n\n2\n00:00:03.000 --> 00:00:05.000\n<v Interviewer>you worked here?</v>\n\n00:00:05.500 --> 00:00:08.000\nJo Bloggs: About five years &amp; more.\n";
        let turns = turns(vtt.as_bytes()).unwrap();
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].speaker, "Interviewer");
        assert_eq!(turns[0].text, "How long have you worked here?");
        assert_eq!(turns[1].speaker, "Jo Bloggs");
        assert_eq!(turns[1].text, "About five years & more.");
    }

    #[test]
    fn a_file_without_the_header_or_without_cues_is_refused() {
        assert!(turns(b"00:00:01.000 --> 00:00:02.000\nHello").is_err());
        assert_eq!(
            turns(b"WEBVTT\n\nNOTE nothing\n").unwrap_err(),
            "the WebVTT file has no cues (no line with -->)"
        );
    }
}
