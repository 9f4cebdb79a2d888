//! Rendering section Markdown.

use skafada_training::{RenderedPart, render_markdown};

use crate::helpers::{block, loads, module_with_body};

#[test]
fn markdown_renders_to_html() {
    assert_eq!(
        render_markdown("Call **999**.\n\n- one\n- two\n"),
        "<p>Call <strong>999</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    );
}

#[test]
fn raw_html_in_markdown_is_escaped_not_injected() {
    let html =
        render_markdown("Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<div"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[test]
fn javascript_links_are_neutralised() {
    let html = render_markdown("[click](javascript:alert(1)) and [gov](https://www.gov.uk)");
    assert!(!html.contains("javascript"), "{html}");
    assert!(html.contains("href=\"https://www.gov.uk\""), "{html}");
}

#[test]
fn sections_render_markdown_as_html_and_blocks_as_data_skipping_empty_slots() {
    let body = [
        block("reflection", "prompt = \"Think\""),
        block("lived-experience", "guidance = \"Commission something.\""),
    ]
    .concat();
    let loaded = loads(&module_with_body(&body));
    let rendered = loaded.module.sections[0].render();
    let kinds: Vec<&str> = rendered
        .iter()
        .map(|p| match p {
            RenderedPart::Html(_) => "html",
            RenderedPart::Block(b) => b.kind(),
        })
        .collect();
    assert_eq!(kinds, ["html", "reflection", "html", "html"]);
}
