//! Visible text of an HTML page. Scripts, styles and embedded or remote content are dropped;
//! nothing is fetched or run. Block elements become paragraph breaks.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Elements whose content is never visible text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math",
    "canvas", "video", "audio", "img", "picture", "button", "select", "textarea", "input", "form",
    "nav", "footer",
];

/// Elements that start a new paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "hr",
    "address",
    "body",
    "html",
];

/// Returns (title, visible text).
pub(super) fn to_text(source: &str) -> (Option<String>, String) {
    let doc = Html::parse_document(source);
    let mut out = TextBuilder::default();
    let mut title = None;
    let mut first_h1: Option<String> = None;
    let mut skip_depth = 0usize;
    let mut in_title = false;
    let mut in_h1 = false;
    let mut title_text = String::new();
    let mut h1_text = String::new();
    // An explicit walk (not recursion) so deeply nested markup cannot overflow the stack.
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if name == "title" {
                        in_title = true;
                    }
                    if skip_depth > 0 || SKIPPED.contains(&name) {
                        skip_depth += 1;
                        continue;
                    }
                    if name == "h1" && first_h1.is_none() {
                        in_h1 = true;
                    }
                    if name == "br" {
                        out.line_break();
                    } else if name == "td" || name == "th" {
                        out.cell_break();
                    } else if BLOCKS.contains(&name) {
                        out.paragraph_break();
                    }
                }
                Node::Text(t) => {
                    if in_title {
                        title_text.push_str(t);
                    }
                    if skip_depth == 0 {
                        if in_h1 {
                            h1_text.push_str(t);
                        }
                        out.push_text(t);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if name == "title" {
                        in_title = false;
                        if title.is_none() {
                            title = Some(collapse(&title_text));
                        }
                    }
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    if name == "h1" && in_h1 {
                        in_h1 = false;
                        first_h1 = Some(collapse(&h1_text));
                    }
                    if BLOCKS.contains(&name) {
                        out.paragraph_break();
                    }
                }
            }
        }
    }
    let title = title.filter(|t| !t.is_empty()).or(first_h1);
    (title, out.finish())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Collapses whitespace like a browser and turns breaks into newlines, never doubling them.
#[derive(Default)]
pub(super) struct TextBuilder {
    text: String,
    /// 0 = none, 1 = line break, 2 = paragraph break, pending before the next text.
    pending_break: u8,
    pending_space: bool,
}

impl TextBuilder {
    pub(super) fn push_text(&mut self, t: &str) {
        // Only ASCII whitespace collapses, as in a browser: a no-break space stays.
        for word_or_space in t.split_inclusive(|c: char| c.is_ascii_whitespace()) {
            let word = word_or_space.trim_end_matches(|c: char| c.is_ascii_whitespace());
            if !word.is_empty() {
                self.flush_pending();
                self.text.push_str(word);
            }
            if word.len() != word_or_space.len() {
                self.pending_space = true;
            }
        }
    }

    /// Pushes text as is (code blocks), keeping its line breaks.
    pub(super) fn push_verbatim(&mut self, t: &str) {
        for (i, line) in t.lines().enumerate() {
            if i > 0 {
                self.line_break();
            }
            if !line.trim().is_empty() {
                self.flush_pending();
                self.text.push_str(line.trim_end());
            }
        }
    }

    fn flush_pending(&mut self) {
        if !self.text.is_empty() {
            match self.pending_break {
                2 => self.text.push_str("\n\n"),
                1 => self.text.push('\n'),
                _ if self.pending_space => self.text.push(' '),
                _ => {}
            }
        }
        self.pending_break = 0;
        self.pending_space = false;
    }

    pub(super) fn line_break(&mut self) {
        self.pending_break = self.pending_break.max(1);
    }

    pub(super) fn paragraph_break(&mut self) {
        self.pending_break = 2;
    }

    fn cell_break(&mut self) {
        self.pending_space = true;
    }

    pub(super) fn finish(mut self) -> String {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_visible_text_only() {
        let (title, text) = to_text(
            "<html><head><title>Talks &amp; truce</title><style>p{}</style>\
             <script>alert('x')</script></head><body><nav>Home | World</nav>\
             <h1>Ceasefire holds</h1><p>Armenia&nbsp;and   <b>Azerbaijan</b> met.</p>\
             <img src=\"http://example.invalid/x.png\" alt=\"tracker\"><p>Second<br>line</p>\
             <script>document.write('bad')</script></body></html>",
        );
        assert_eq!(title.as_deref(), Some("Talks & truce"));
        assert_eq!(
            text,
            "Ceasefire holds\n\nArmenia\u{a0}and Azerbaijan met.\n\nSecond\nline\n"
        );
        assert!(!text.contains("alert") && !text.contains("tracker") && !text.contains("Home"));
    }

    #[test]
    fn first_heading_is_the_title_without_a_title_element() {
        let (title, _) = to_text("<h1>Summit in  Yerevan</h1><p>Text</p>");
        assert_eq!(title.as_deref(), Some("Summit in Yerevan"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let (_, text) = to_text(&html);
        assert_eq!(text.trim(), "deep");
    }
}
