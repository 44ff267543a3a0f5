//! Project-wide search: plain text, whole words or a regular expression over every document,
//! or the spans of one entity type, or the mentions of one entity. Hits carry char offsets
//! and a keyword-in-context line; `annotate_all` turns hits into spans in one transaction.

mod documents;

pub use documents::{DocumentFilter, DocumentOrder, list_documents};

use crate::edit::{Edit, Transaction};
use crate::model::{Document, DocumentId, EntityId, Project, Span, SpanId};
use regex::{Regex, RegexBuilder};
use std::collections::HashSet;
use thiserror::Error;

/// At most this many hits are returned; `SearchResults::capped` says when more exist.
pub const MAX_HITS: usize = 10_000;

/// Chars of context on each side of a hit.
pub const CONTEXT_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The pattern as literal text, anywhere.
    #[default]
    Plain,
    /// The pattern as literal text, not inside a longer word.
    WholeWord,
    /// The pattern as a regular expression (Rust `regex` syntax).
    Regex,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub pattern: String,
    pub mode: Mode,
    pub case_sensitive: bool,
    /// Hits are the spans of this type; the pattern (may be empty) filters their text.
    pub entity_type: Option<String>,
    /// Hits are the mentions of this entity; the pattern (may be empty) filters their text.
    pub entity: Option<EntityId>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum SearchError {
    #[error("invalid regular expression: {0}")]
    InvalidRegex(String),
}

/// One match, in char offsets of its document.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: DocumentId,
    pub start: usize,
    pub end: usize,
    /// The span hit, for entity-type and entity queries.
    pub span: Option<SpanId>,
    /// Up to `CONTEXT_CHARS` chars before the hit, on one line.
    pub left: String,
    pub hit: String,
    /// Up to `CONTEXT_CHARS` chars after the hit, on one line.
    pub right: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    /// In document order, then by offset.
    pub hits: Vec<Hit>,
    /// True when the search stopped at `MAX_HITS`.
    pub capped: bool,
}

fn compile(query: &Query) -> Result<Option<Regex>, SearchError> {
    if query.pattern.is_empty() {
        return Ok(None);
    }
    let source = match query.mode {
        Mode::Plain => regex::escape(&query.pattern),
        // Half boundaries test only the outer side, so "U.S." still matches as a word.
        Mode::WholeWord => format!(
            r"\b{{start-half}}{}\b{{end-half}}",
            regex::escape(&query.pattern)
        ),
        Mode::Regex => query.pattern.clone(),
    };
    RegexBuilder::new(&source)
        .case_insensitive(!query.case_sensitive)
        .size_limit(1 << 22)
        .build()
        .map(Some)
        .map_err(|e| SearchError::InvalidRegex(e.to_string()))
}

/// Runs a query over the whole project.
pub fn search(project: &Project, query: &Query) -> Result<SearchResults, SearchError> {
    let re = compile(query)?;
    let mut results = SearchResults::default();
    let span_query = query.entity_type.is_some() || query.entity.is_some();
    if !span_query && re.is_none() {
        return Ok(results);
    }
    for d in &project.documents {
        if span_query {
            let wanted = |s: &&Span| {
                query
                    .entity_type
                    .as_ref()
                    .is_none_or(|t| *t == s.entity_type)
                    && query.entity.is_none_or(|e| s.entity == Some(e))
                    && re.as_ref().is_none_or(|re| re.is_match(d.span_text(s)))
            };
            for s in d.spans.iter().filter(wanted) {
                if !push(&mut results, d, s.start, s.end, Some(s.id)) {
                    return Ok(results);
                }
            }
        } else if let Some(re) = &re {
            let index = d.offsets();
            for m in re.find_iter(&d.text).filter(|m| !m.is_empty()) {
                let start = index.char_of(&d.text, m.start());
                let end = index.char_of(&d.text, m.end());
                if !push(&mut results, d, start, end, None) {
                    return Ok(results);
                }
            }
        }
    }
    Ok(results)
}

/// Adds a hit; false (and the capped flag) once the cap is reached.
fn push(
    results: &mut SearchResults,
    d: &Document,
    start: usize,
    end: usize,
    span: Option<SpanId>,
) -> bool {
    if results.hits.len() >= MAX_HITS {
        results.capped = true;
        return false;
    }
    let (left, hit, right) = kwic(d, start, end);
    results.hits.push(Hit {
        doc: d.id,
        start,
        end,
        span,
        left,
        hit,
        right,
    });
    true
}

/// Keyword in context: up to `CONTEXT_CHARS` chars each side of `start..end` (char offsets),
/// on one line: each run of whitespace (a title's blank line, `\r\n`, tabs) reads as one space.
pub fn kwic(d: &Document, start: usize, end: usize) -> (String, String, String) {
    let left_start = start.saturating_sub(CONTEXT_CHARS);
    let right_end = (end + CONTEXT_CHARS).min(d.char_len());
    (
        one_line(d.slice(left_start, start)),
        one_line(d.slice(start, end)),
        one_line(d.slice(end, right_end)),
    )
}

/// `s` with every run of whitespace as one space.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// A transaction adding a span of `entity_type` for every hit, and the number of hits skipped
/// because a span with the same offsets and type exists or an earlier hit already covers it.
pub fn annotate_all(project: &Project, hits: &[Hit], entity_type: &str) -> (Transaction, usize) {
    let mut ids = project.ids();
    let mut tx = Transaction::new(format!(
        "annotate {} as {entity_type}",
        crate::text::count(hits.len(), "hit", "hits")
    ));
    let mut seen = HashSet::new();
    let mut skipped = 0;
    for h in hits {
        let exists = project
            .document(h.doc)
            .is_none_or(|d| d.has_span(h.start, h.end, entity_type));
        if exists || h.start >= h.end || !seen.insert((h.doc, h.start, h.end)) {
            skipped += 1;
            continue;
        }
        let id = ids.span();
        tx.push(Edit::AddSpan {
            doc: h.doc,
            span: Span::new(id, h.start, h.end, entity_type),
        });
    }
    (tx, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::History;

    fn project() -> Project {
        let mut p = Project::new("t");
        for text in [
            "NATO met in Brussels. The nato summit and NATOs allies.",
            "Moscow said NATO expanded.\nNATO denied it.",
        ] {
            let id = p.new_document_id();
            p.documents
                .push(Document::new(id, "d", "", text.to_string()).into());
        }
        p
    }

    fn q(pattern: &str, mode: Mode, case_sensitive: bool) -> Query {
        Query {
            pattern: pattern.into(),
            mode,
            case_sensitive,
            ..Query::default()
        }
    }

    fn texts(r: &SearchResults) -> Vec<&str> {
        r.hits.iter().map(|h| h.hit.as_str()).collect()
    }

    #[test]
    fn plain_whole_word_and_case() -> Result<(), SearchError> {
        let p = project();
        assert_eq!(search(&p, &q("nato", Mode::Plain, false))?.hits.len(), 5);
        assert_eq!(search(&p, &q("NATO", Mode::Plain, true))?.hits.len(), 4);
        assert_eq!(
            texts(&search(&p, &q("nato", Mode::WholeWord, false))?),
            vec!["NATO", "nato", "NATO", "NATO"]
        );
        assert!(search(&p, &q("", Mode::Plain, false))?.hits.is_empty());
        Ok(())
    }

    #[test]
    fn hits_are_in_document_order_with_one_line_context() -> Result<(), SearchError> {
        let p = project();
        let r = search(&p, &q("NATO", Mode::WholeWord, true))?;
        let docs: Vec<_> = r.hits.iter().map(|h| (h.doc, h.start)).collect();
        let mut sorted = docs.clone();
        sorted.sort();
        assert_eq!(docs, sorted);
        let last = &r.hits[1];
        assert_eq!(last.left, "Moscow said ");
        assert_eq!(last.right, " expanded. NATO denied it.");
        Ok(())
    }

    #[test]
    fn a_title_and_its_body_join_with_one_space() {
        let d = Document::new(
            DocumentId(9),
            "t",
            "",
            "CSTO summit\r\n\r\nThe CSTO\tmet  today.".into(),
        );
        let (left, hit, right) = kwic(&d, 19, 23);
        assert_eq!(hit, "CSTO");
        assert_eq!(left, "CSTO summit The ");
        assert_eq!(right, " met today.");
    }

    #[test]
    fn regex_and_its_errors() -> Result<(), SearchError> {
        let p = project();
        assert_eq!(
            texts(&search(&p, &q(r"[A-Z][a-z]+s\b", Mode::Regex, true))?),
            vec!["Brussels"]
        );
        let err = search(&p, &q("(unclosed", Mode::Regex, true));
        assert!(matches!(err, Err(SearchError::InvalidRegex(_))));
        Ok(())
    }

    #[test]
    fn annotate_all_skips_duplicates_and_undoes() -> Result<(), Box<dyn std::error::Error>> {
        let mut p = project();
        let mut history = History::default();
        let hits = search(&p, &q("NATO", Mode::WholeWord, true))?.hits;
        let (tx, skipped) = annotate_all(&p, &hits[..1], "ORG");
        assert_eq!(skipped, 0);
        history.apply(&mut p, tx)?;
        let mut twice = hits.clone();
        twice.extend(hits.iter().cloned());
        let (tx, skipped) = annotate_all(&p, &twice, "ORG");
        assert_eq!(skipped, 4);
        history.apply(&mut p, tx)?;
        assert_eq!(p.span_count(), 3);
        let by_type = Query {
            entity_type: Some("ORG".into()),
            ..Query::default()
        };
        assert_eq!(search(&p, &by_type)?.hits.len(), 3);
        history.undo(&mut p)?;
        assert_eq!(p.span_count(), 1);
        Ok(())
    }
}
