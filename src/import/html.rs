//! Visible text of an HTML page. Scripts, styles and embedded or remote content are dropped;
//! nothing is fetched or run. Block elements become paragraph breaks.

use crate::model::DocumentMetadata;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use html5ever::{Attribute, LocalName, local_name};
use std::cell::RefCell;
use std::collections::HashMap;

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
fn meta_element(name: &str, attrs: &[Attribute], meta: &mut DocumentMetadata) {
    let attr = |wanted: &str| {
        attrs
            .iter()
            .find(|a| &*a.name.local == wanted)
            .map(|a| a.value.trim())
            .filter(|v| !v.is_empty())
    };
    match name {
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

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "basefont", "bgsound", "frame",
];

/// Elements a page's head holds; any other start tag (or text) ends an unclosed head, as it
/// does in a browser.
const HEAD_CONTENT: &[&str] = &[
    "title", "meta", "link", "style", "script", "base", "noscript", "template", "basefont",
    "bgsound", "head",
];

/// Returns (title, visible text, metadata).
///
/// Reads the page as a stream of tags (html5ever's tokenizer) with a stack of open elements,
/// not as a DOM tree: the tree builder's scope checks walk the whole stack at each block
/// tag, which made deeply nested markup (100,000 nested `div`s) take minutes. For visible
/// text the stack is enough: an end tag closes the elements above its match, an unmatched
/// one is ignored, and an unclosed head ends at the first body content.
pub(super) fn read(source: &str) -> (Option<String>, String, DocumentMetadata) {
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(source));
    let tokenizer = Tokenizer::new(Reader::default(), Default::default());
    // Feeding stops early only for a script to run, which this sink never asks for.
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.into_inner().finish()
}

#[derive(Default)]
struct Reader(RefCell<Page>);

impl TokenSink for Reader {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut page = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => return page.start(tag),
            Token::TagToken(tag) => page.end(&tag.name),
            Token::CharacterTokens(text) => page.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[derive(Default)]
struct Page {
    /// Open elements, innermost last.
    open: Vec<LocalName>,
    /// How many of each element are open: an end tag with none open is ignored without a
    /// search of the stack.
    open_count: HashMap<LocalName, usize>,
    /// Open elements whose content is never shown (`SKIPPED`).
    skipping: usize,
    out: TextBuilder,
    metadata: DocumentMetadata,
    title: Option<String>,
    title_text: String,
    first_h1: Option<String>,
    in_h1: bool,
    h1_text: String,
}

impl Page {
    fn is_open(&self, name: &LocalName) -> bool {
        self.open_count.get(name).is_some_and(|&n| n > 0)
    }

    fn start(&mut self, tag: Tag) -> TokenSinkResult<()> {
        let local = tag.name;
        let name: &str = &local;
        meta_element(name, &tag.attrs, &mut self.metadata);
        if self.is_open(&local_name!("head")) && !HEAD_CONTENT.contains(&name) {
            self.close_through(&local_name!("head"));
        }
        if self.skipping == 0 {
            if name == "h1" && self.first_h1.is_none() {
                self.in_h1 = true;
            }
            if name == "br" {
                self.out.line_break();
            } else if name == "td" || name == "th" {
                self.out.cell_break();
            } else if BLOCKS.contains(&name) {
                self.out.paragraph_break();
            }
        }
        if VOID.contains(&name) {
            return TokenSinkResult::Continue;
        }
        if SKIPPED.contains(&name) {
            self.skipping += 1;
        }
        *self.open_count.entry(local.clone()).or_insert(0) += 1;
        self.open.push(local.clone());
        // What the tree builder tells the tokenizer: these elements' content is text.
        match name {
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }

    fn end(&mut self, name: &LocalName) {
        if self.is_open(name) {
            self.close_through(name);
        }
    }

    /// Closes the open elements down to the innermost `name` (which must be open).
    fn close_through(&mut self, name: &LocalName) {
        while let Some(top) = self.open.pop() {
            let done = top == *name;
            self.closed(top);
            if done {
                break;
            }
        }
    }

    fn closed(&mut self, name: LocalName) {
        if let Some(n) = self.open_count.get_mut(&name) {
            *n -= 1;
        }
        if &*name == "title" && self.title.is_none() {
            self.title = Some(collapse(&self.title_text));
        }
        if self.skipping > 0 {
            if SKIPPED.contains(&&*name) {
                self.skipping -= 1;
            }
            return;
        }
        if &*name == "h1" && self.in_h1 {
            self.in_h1 = false;
            self.first_h1 = Some(collapse(&self.h1_text));
        }
        if BLOCKS.contains(&&*name) {
            self.out.paragraph_break();
        }
    }

    fn text(&mut self, text: &str) {
        if self.is_open(&local_name!("title")) {
            // A title is never page text, wherever it stands.
            self.title_text.push_str(text);
            return;
        }
        if self.open.last().is_some_and(|top| &**top == "head") && !text.trim().is_empty() {
            self.close_through(&local_name!("head"));
        }
        if self.skipping == 0 {
            if self.in_h1 {
                self.h1_text.push_str(text);
            }
            self.out.push_text(text);
        }
    }

    fn finish(mut self) -> (Option<String>, String, DocumentMetadata) {
        while let Some(top) = self.open.pop() {
            self.closed(top);
        }
        let title = self.title.filter(|t| !t.is_empty()).or(self.first_h1);
        (title, self.out.finish(), self.metadata)
    }
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
    fn deep_nesting_and_loose_markup_read_like_a_browser() {
        let depth = 20_000;
        let page = format!(
            "<title>Deep</title>{}Armenia{}<p>After",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(
            to_text(&page),
            (Some("Deep".into()), "Armenia\n\nAfter\n".into())
        );
        // An unclosed head ends at body content; stray end tags and void elements change
        // nothing; a script's markup-like text is not markup; a title is never page text.
        let (title, text) = to_text(
            "<head><title>T</title><meta charset=utf-8><p>Body <b>text</span></b>\
             <script>if (a<b) { x = '</div><p>hidden'; }</script><img src=x> more\
             <div><title>Not text</title>Last</div>",
        );
        assert_eq!(title.as_deref(), Some("T"));
        assert_eq!(text, "Body text more\n\nLast\n");
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
