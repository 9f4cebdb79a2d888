//! A tiny SVG writer: elements with escaped attributes and text. The only place the crate
//! writes markup by hand; HTML goes through askama templates.

use std::fmt::Write as _;

/// Escapes text and attribute values for XML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as an SVG attribute: at most two decimals, never NaN or infinite.
pub(crate) fn num(value: f32) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" || text.is_empty() {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Builds an SVG document element by element.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: String,
}

impl Writer {
    fn attrs(&mut self, attrs: &[(&str, &str)]) {
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape(value));
        }
    }

    /// Opens an element.
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "<{name}");
        self.attrs(attrs);
        self.out.push('>');
    }

    /// Closes an element.
    pub(crate) fn close(&mut self, name: &str) {
        let _ = write!(self.out, "</{name}>");
    }

    /// An element with no content.
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "<{name}");
        self.attrs(attrs);
        self.out.push_str("/>");
    }

    /// An element containing escaped text.
    pub(crate) fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        self.out.push_str(&escape(text));
        self.close(name);
    }

    /// Starts a new line (for readable output).
    pub(crate) fn newline(&mut self) {
        self.out.push('\n');
    }

    /// The document.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}
