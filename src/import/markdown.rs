//! Readable text from Markdown: the words stay, the markup goes.

use super::html::TextBuilder;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Returns (first heading, text).
pub(super) fn to_text(source: &str) -> (Option<String>, String) {
    let mut out = TextBuilder::default();
    let mut title: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut image_depth = 0usize;
    let mut in_code_block = false;
    let mut in_raw_code = false;
    for event in Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            // Inline raw HTML: the content of <script> and <style> is code, not text.
            Event::InlineHtml(html) => {
                let tag = html.trim_start_matches('<').to_ascii_lowercase();
                if tag.starts_with("script") || tag.starts_with("style") {
                    in_raw_code = true;
                } else if tag.starts_with("/script") || tag.starts_with("/style") {
                    in_raw_code = false;
                }
            }
            _ if in_raw_code => {}
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            _ if image_depth > 0 => {}
            Event::Start(Tag::Heading { .. }) => {
                out.paragraph_break();
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if title.is_none() {
                    title = heading.take().map(|h| h.trim().to_string());
                }
                heading = None;
                out.paragraph_break();
            }
            Event::Start(Tag::Paragraph | Tag::BlockQuote(_) | Tag::Table(_))
            | Event::End(TagEnd::Paragraph | TagEnd::BlockQuote(_) | TagEnd::Table)
            | Event::Rule => out.paragraph_break(),
            Event::Start(Tag::CodeBlock(_)) => {
                out.paragraph_break();
                in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                out.paragraph_break();
            }
            Event::Start(Tag::Item) => {
                out.line_break();
                out.push_text("- ");
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => out.line_break(),
            Event::End(TagEnd::TableCell) => out.push_text(" "),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
                if in_code_block {
                    out.push_verbatim(&t);
                } else {
                    out.push_text(&t);
                }
            }
            Event::SoftBreak => out.push_text(" "),
            Event::HardBreak => out.line_break(),
            _ => {}
        }
    }
    (title, out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_markup_keeps_words() {
        let (title, text) = to_text(
            "# CSTO summit\n\nThe *Collective* Security [Treaty](http://x.invalid) Organization\nmet.\n\n\
             ![logo](http://x.invalid/logo.png)\n\n- Armenia\n- Belarus\n\n`code` here",
        );
        assert_eq!(title.as_deref(), Some("CSTO summit"));
        assert_eq!(
            text,
            "CSTO summit\n\nThe Collective Security Treaty Organization met.\n\n- Armenia\n- Belarus\n\ncode here\n"
        );
    }
}
