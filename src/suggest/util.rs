//! Small text helpers shared by the engines.

use crate::model::{Document, SpanRef};
use crate::text::{Sentence, Token, sentences, tokenize};

/// True when the byte range `[start, end)` of `text` starts and ends at word boundaries:
/// no letter or digit right before or right after it.
pub(crate) fn at_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// A document's relations as (source, target, type), ends as offsets and types (relations
/// whose ends are missing are left out).
pub(crate) fn relation_refs(doc: &Document) -> Vec<(SpanRef, SpanRef, String)> {
    doc.relations
        .iter()
        .filter_map(|r| {
            let (a, b) = (doc.span(r.source)?, doc.span(r.target)?);
            Some((
                SpanRef::of_span(a),
                SpanRef::of_span(b),
                r.relation_type.to_string(),
            ))
        })
        .collect()
}

/// Byte ranges to char ranges for a document.
pub(crate) fn char_range(doc: &Document, start: usize, end: usize) -> (usize, usize) {
    let ix = doc.offsets();
    (ix.char_of(&doc.text, start), ix.char_of(&doc.text, end))
}

/// A document's tokens and sentences.
pub(crate) struct Analysis {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

impl Analysis {
    pub fn of(text: &str) -> Analysis {
        let tokens = tokenize(text);
        let sentences = sentences(text, &tokens);
        Analysis { tokens, sentences }
    }

    /// Byte offsets where sentences start.
    pub fn sentence_starts(&self) -> Vec<usize> {
        self.sentences
            .iter()
            .filter_map(|s| self.tokens.get(s.tokens.start).map(|t| t.byte_start))
            .collect()
    }
}

/// True when the byte position starts a sentence (or follows only an opening quote or
/// bracket at a sentence start).
pub(crate) fn is_sentence_start(text: &str, starts: &[usize], byte: usize) -> bool {
    let i = starts.partition_point(|&s| s <= byte);
    if i == 0 {
        return false;
    }
    let s = starts[i - 1];
    text[s..byte]
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '«'))
}

/// True for words that are all capitals (and at least two letters): acronyms.
pub(crate) fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && s.chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '&')
}

/// Test helpers shared by the engines' tests.
#[cfg(test)]
pub(crate) mod test_docs {
    use super::super::Suggestion;
    use crate::model::{Document, DocumentId, Span, SpanId};

    /// A document with spans given as (text, type), each found after the previous one.
    pub(crate) fn annotated(id: u64, text: &str, spans: &[(&str, &str)]) -> Document {
        let mut d = Document::new(DocumentId(id), "t", "t.txt", text.to_string());
        let mut from = 0;
        for (k, (s, ty)) in spans.iter().enumerate() {
            let b = from + text[from..].find(s).unwrap_or(0);
            from = b + s.len();
            let start = text[..b].chars().count();
            let end = start + s.chars().count();
            d.spans
                .push(Span::new(SpanId(id * 100 + k as u64), start, end, ty));
        }
        d
    }

    /// A suggestion (score 0.9) on the first occurrence of `text` in the document.
    pub(crate) fn suggestion(doc: &Document, text: &str, ty: &str, engine: &str) -> Suggestion {
        let b = doc.text.find(text).unwrap_or(0);
        let start = doc.text[..b].chars().count();
        Suggestion {
            document: doc.id,
            start,
            end: start + text.chars().count(),
            entity_type: ty.into(),
            score: 0.9,
            engine: engine.into(),
            explanation: String::new(),
        }
    }
}
