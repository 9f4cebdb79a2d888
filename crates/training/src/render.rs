//! Markdown to HTML for section bodies, with raw HTML escaped.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::model::{Block, Part, Section};

/// The Markdown extensions the format allows: tables and strikethrough.
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders Markdown to HTML.
///
/// Raw HTML in the source is escaped and shown as text, so authors cannot
/// inject markup or script; links and images whose URL has a scheme other
/// than `http`, `https`, `mailto` or `tel` (such as `javascript:`) point to
/// `#` instead.
pub fn render_markdown(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, markdown_options()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Whether a URL is relative or uses an allowed scheme. Browsers ignore
/// whitespace and control characters inside a scheme, so they are dropped
/// before looking.
fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    match cleaned.find(':') {
        None => true,
        Some(colon) => {
            let before = cleaned.get(..colon).unwrap_or_default();
            if before.contains(['/', '?', '#']) {
                return true;
            }
            let scheme = before.to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
    }
}

/// A piece of a section ready for a template.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderedPart<'a> {
    /// Markdown rendered to HTML, safe to include unescaped.
    Html(String),
    /// A block for the template to render.
    Block(&'a Block),
}

impl Section {
    /// The parts respondents see, in order: Markdown rendered to HTML and
    /// blocks as typed data. Empty lived-experience slots are skipped.
    pub fn render(&self) -> Vec<RenderedPart<'_>> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Markdown(md) => Some(RenderedPart::Html(render_markdown(md))),
                Part::Block(block) if block.is_shown_to_respondents() => {
                    Some(RenderedPart::Block(block))
                }
                Part::Block(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_and_allowed_schemes_are_safe() {
        assert!(is_safe_url("https://www.gov.uk"));
        assert!(is_safe_url("tel:08082000247"));
        assert!(is_safe_url("#top"));
        assert!(is_safe_url("media/a.png"));
        assert!(is_safe_url("/a:b"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("JaVa\tScRiPt:alert(1)"));
        assert!(!is_safe_url("data:text/html,x"));
    }
}
