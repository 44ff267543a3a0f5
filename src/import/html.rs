//! Visible text of an HTML page. Scripts, styles and embedded or remote content are dropped;
//! nothing is fetched or run. Block elements become paragraph breaks.

use crate::model::DocumentMetadata;
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
#[cfg(test)]
pub(super) fn to_text(source: &str) -> (Option<String>, String) {
    let (title, text, _) = read(source);
    (title, text)
}

/// A page's metadata from `<html lang>`, `<meta>` and `<link rel=canonical>`: author
/// (`author`, `article:author`, `dc.creator`), date (`article:published_time`, `date`,
/// `dc.date`, `datePublished`; kept in `extra` as `date` when it is not ISO 8601), url
/// (`og:url`, canonical), source (`og:site_name`), language; description and keywords in extra.
fn meta_element(el: &scraper::node::Element, meta: &mut DocumentMetadata) {
    let attr = |name: &str| el.attr(name).map(str::trim).filter(|v| !v.is_empty());
    match el.name() {
        "html" => DocumentMetadata::fill(&mut meta.language, attr("lang")),
        "link" => {
            let canonical = attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            });
            if canonical {
                DocumentMetadata::fill(&mut meta.url, attr("href"));
            }
        }
        "meta" => {
            let Some(key) = attr("name").or(attr("property")).or(attr("itemprop")) else {
                if let Some(lang) = attr("http-equiv")
                    .filter(|h| h.eq_ignore_ascii_case("content-language"))
                    .and(attr("content"))
                {
                    DocumentMetadata::fill(&mut meta.language, Some(lang));
                }
                return;
            };
            let content = attr("content");
            match key.to_ascii_lowercase().as_str() {
                "author" | "article:author" | "dc.creator" | "byl" => {
                    DocumentMetadata::fill(
                        &mut meta.author,
                        content.map(|a| a.trim_start_matches("By ")),
                    );
                }
                "article:published_time"
                | "date"
                | "dc.date"
                | "datepublished"
                | "pubdate"
                | "publish-date"
                | "dcterms.date" => match content {
                    Some(d) if super::is_iso_date(d) => {
                        DocumentMetadata::fill(&mut meta.date, Some(d))
                    }
                    Some(d) => {
                        meta.extra
                            .entry("date".into())
                            .or_insert_with(|| d.to_string());
                    }
                    None => {}
                },
                "og:url" => DocumentMetadata::fill(&mut meta.url, content),
                "og:site_name" | "dc.publisher" | "publisher" => {
                    DocumentMetadata::fill(&mut meta.source, content)
                }
                "og:locale" | "language" | "dc.language" => DocumentMetadata::fill(
                    &mut meta.language,
                    content.map(|l| l.replace('_', "-")).as_deref(),
                ),
                "description" | "keywords" | "og:description" => {
                    if let Some(c) = content {
                        let key = key.trim_start_matches("og:").to_ascii_lowercase();
                        meta.extra.entry(key).or_insert_with(|| c.to_string());
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Returns (title, visible text, metadata).
pub(super) fn read(source: &str) -> (Option<String>, String, DocumentMetadata) {
    let doc = Html::parse_document(source);
    let mut metadata = DocumentMetadata::default();
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
                    meta_element(el, &mut metadata);
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
    (title, out.finish(), metadata)
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
    fn metadata_comes_from_meta_link_and_lang() {
        let (_, _, m) = read(
            "<html lang=\"hy-AM\"><head><meta name=\"author\" content=\"By Ani Hakobyan\">\
             <meta property=\"article:published_time\" content=\"2024-03-01T09:30:00+04:00\">\
             <meta property=\"og:site_name\" content=\"Yerevan Daily\">\
             <meta name=\"description\" content=\"Talks resume\">\
             <link rel=\"canonical\" href=\"https://example.org/talks\">\
             <meta property=\"og:url\" content=\"https://example.org/og\"></head>\
             <body><p>Text</p></body></html>",
        );
        assert_eq!(m.author.as_deref(), Some("Ani Hakobyan"));
        assert_eq!(m.date.as_deref(), Some("2024-03-01T09:30:00+04:00"));
        assert_eq!(m.url.as_deref(), Some("https://example.org/talks"));
        assert_eq!(m.source.as_deref(), Some("Yerevan Daily"));
        assert_eq!(m.language.as_deref(), Some("hy-AM"));
        assert_eq!(
            m.extra.get("description").map(String::as_str),
            Some("Talks resume")
        );

        let (_, _, m) = read("<meta name=date content=\"1 March 2024\"><p>x</p>");
        assert_eq!(m.date, None);
        assert_eq!(
            m.extra.get("date").map(String::as_str),
            Some("1 March 2024")
        );
        assert!(read("<p>plain</p>").2.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let (_, text) = to_text(&html);
        assert_eq!(text.trim(), "deep");
    }
}
