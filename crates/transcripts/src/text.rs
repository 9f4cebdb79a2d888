//! Turns from lines of text: a line `Speaker: words` starts a turn (an optional
//! timestamp such as `[00:12:31]` before it is dropped); other lines carry on the turn,
//! and a blank line starts a new paragraph in it.

use crate::Turn;

/// The speaker and the rest of a line that starts a turn.
fn speaker_of(line: &str) -> Option<(&str, &str)> {
    let line = strip_timestamp(line.trim_start());
    let (speaker, rest) = line.split_once(':')?;
    let speaker = speaker.trim();
    let words = speaker.split_whitespace().count();
    let plausible = (1..=4).contains(&words)
        && speaker.chars().count() <= 40
        && speaker.chars().next().is_some_and(char::is_alphabetic)
        && speaker
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '\'' | '-' | '(' | ')'))
        // "10:30" and "https://..." have no space after the colon; a speaker's label does.
        && (rest.is_empty() || rest.starts_with(char::is_whitespace));
    plausible.then_some((speaker, rest.trim()))
}

fn strip_timestamp(line: &str) -> &str {
    let Some(rest) = line.strip_prefix('[') else {
        return line;
    };
    match rest.split_once(']') {
        Some((stamp, after))
            if !stamp.is_empty()
                && stamp
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.')) =>
        {
            after.trim_start()
        }
        _ => line,
    }
}

/// The turns of a transcript's lines; text before the first speaker is `Unattributed`.
pub(crate) fn turns<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    let mut blank = false;
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank = true;
            continue;
        }
        if let Some((speaker, rest)) = speaker_of(trimmed) {
            turns.push(Turn {
                speaker: speaker.to_owned(),
                text: rest.to_owned(),
            });
        } else {
            match turns.last_mut() {
                Some(turn) => {
                    if !turn.text.is_empty() {
                        turn.text.push_str(if blank { "\n\n" } else { " " });
                    }
                    turn.text.push_str(trimmed);
                }
                None => turns.push(Turn {
                    speaker: "Unattributed".to_owned(),
                    text: trimmed.to_owned(),
                }),
            }
        }
        blank = false;
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_lines_start_turns_and_other_lines_carry_them_on() {
        let text = "Interview 3, March\n\nInterviewer: How long have you\nworked here?\n[00:01:12] P03: About five years.\n\nBefore that I was in schools.\nThe time was 10:30 then.";
        let turns = turns(text.lines());
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].speaker, "Unattributed");
        assert_eq!(turns[1].speaker, "Interviewer");
        assert_eq!(turns[1].text, "How long have you worked here?");
        assert_eq!(turns[2].speaker, "P03");
        assert_eq!(
            turns[2].text,
            "About five years.\n\nBefore that I was in schools. The time was 10:30 then."
        );
    }
}
