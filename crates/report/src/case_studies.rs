//! The report's section of findings by research question: the survey items the plan
//! maps to each question beside what the case studies found (sub-themes with the
//! analysts' summaries and the selected quotations) and the document audit, as the study
//! synthesised them (report, chapter 2, "Data synthesis").
//!
//! Words carry only a role and a case-study number, and the synthesis
//! ([`skafada_qualitative::synthesis`]) has already withheld those of roles with too few
//! interviewees at a site; the section says what was withheld.

use skafada_qualitative::synthesis::{QuestionFindings, Synthesis};

use crate::model::{Block, Row, Section, Table, caption_of};

/// "3 practitioners, 2 middle managers and 1 head of service".
fn people(synthesis: &Synthesis) -> String {
    let parts: Vec<String> = synthesis
        .interviewees_by_role
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| format!("{n} × {}", label.to_lowercase()))
        .collect();
    match parts.as_slice() {
        [] => "no interviews analysed yet".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn question_blocks(number: usize, question: &QuestionFindings, sites: &[i64]) -> Vec<Block> {
    let mut blocks = vec![Block::Subheading(format!(
        "Research question {number}. {}",
        question.text
    ))];
    if question.survey.is_empty() {
        blocks.push(Block::Paragraph(
            "Survey: no table of the analysis plan is mapped to this question; it is answered from the interviews.".to_owned(),
        ));
    } else {
        let items: Vec<String> = question
            .survey
            .iter()
            .map(|(id, title)| caption_of(id, title))
            .collect();
        blocks.push(Block::Paragraph(format!(
            "Survey (see the tables and tests above): {}.",
            items.join("; ")
        )));
    }
    let (indexed, not_yet): (Vec<_>, Vec<_>) =
        question.sub_themes.iter().partition(|s| s.interviewees > 0);
    for sub in indexed {
        let sites_word = if sub.sites == 1 { "site" } else { "sites" };
        let people_word = if sub.interviewees == 1 {
            "interviewee"
        } else {
            "interviewees"
        };
        blocks.push(Block::Paragraph(format!(
            "{}: indexed for {} {people_word} at {} case-study {sites_word}.",
            sub.title, sub.interviewees, sub.sites
        )));
        if !sub.summaries.is_empty() {
            blocks.push(Block::List(
                sub.summaries
                    .iter()
                    .map(|s| format!("{} ({})", s.text, s.attribution))
                    .collect(),
            ));
        }
        for quote in &sub.quotations {
            blocks.push(Block::Quote {
                text: quote.text.clone(),
                attribution: quote.attribution.clone(),
            });
        }
    }
    if !not_yet.is_empty() {
        let titles: Vec<&str> = not_yet.iter().map(|s| s.title.as_str()).collect();
        blocks.push(Block::Paragraph(format!(
            "Not yet indexed in any interview: {}.",
            titles.join("; ")
        )));
    }
    if !question.audit.is_empty() && !sites.is_empty() {
        let mut header = vec!["Criterion".to_owned()];
        header.extend(sites.iter().map(|n| format!("Case study {n}")));
        blocks.push(Block::Table(Table {
            id: format!("audit-{}", question.id),
            caption: format!(
                "Document audit for research question {number}: the highest level found in each site's documents"
            ),
            header,
            rows: question
                .audit
                .iter()
                .map(|row| Row {
                    cells: std::iter::once(row.text.clone())
                        .chain(row.sites.iter().map(|(_, cell)| {
                            cell.as_ref()
                                .map_or_else(|| "No document rated".to_owned(), |c| c.describe())
                        }))
                        .collect(),
                    group: false,
                })
                .collect(),
            notes: Vec::new(),
            numeric: Vec::new(),
        }));
    }
    blocks.extend(question.withheld.iter().cloned().map(Block::Paragraph));
    blocks
}

/// The section "Findings by research question"; `synthetic` when the case studies are
/// invented demonstration data, which the section then says first.
pub fn findings_section(synthesis: &Synthesis, synthetic: bool) -> Section {
    let mut blocks = Vec::new();
    if synthetic {
        blocks.push(Block::Paragraph(
            "These case studies are synthetic demonstration data: invented interviews and documents, not real people's words.".to_owned(),
        ));
    }
    blocks.push(Block::Paragraph(format!(
        "Case studies at {} {}: {} interviewed and analysed with the Framework approach. For each research question, the survey's tables and tests are set beside the case-study findings and the document audit. Words are attributed only to a role and a case-study number, and only where at least {} people of that role were interviewed at that site.",
        synthesis.case_studies.len(),
        if synthesis.case_studies.len() == 1 {
            "site"
        } else {
            "sites"
        },
        people(synthesis),
        synthesis.min_interviewees_per_role
    )));
    for (index, question) in synthesis.questions.iter().enumerate() {
        blocks.extend(question_blocks(
            index + 1,
            question,
            &synthesis.case_studies,
        ));
    }
    Section {
        id: "findings-by-question".to_owned(),
        heading: "Findings by research question".to_owned(),
        blocks,
    }
}
