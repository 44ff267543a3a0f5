//! INCEpTION / WebAnno TSV 3.3: one `.tsv` file per document. Spans go to the built-in named
//! entity layer (`value` holds the type; `identifier` the span's `identifier` attribute, as
//! read from such a file, else the linked entity's first outside reference), relations to a
//! custom relation layer `webanno.custom.Relation` with a `label` feature, which an INCEpTION
//! project must define (attached to Named entity) before it imports the files.
//!
//! Tokens are the document's own when it has them (CoNLL, WebAnno TSV), else as `crate::text`
//! finds them; a span is written over the whole tokens it touches. What the format cannot
//! hold is counted in notices.

use super::conll::token_sentences;
use crate::model::{Document, Project};
use std::collections::HashMap;
use std::fmt::Write;

const SPAN_LAYER: &str = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity";
const RELATION_LAYER: &str = "webanno.custom.Relation";

/// What a WebAnno export could not write as it is.
#[derive(Default)]
struct Counts {
    widened: usize,
    no_token: usize,
    discontinuous: usize,
    notes: usize,
    links: usize,
    attributes: usize,
    gaps: usize,
}

/// Renders one `.tsv` file per document: (file name, contents).
pub fn render(project: &Project, notices: &mut Vec<String>) -> Vec<(String, Vec<u8>)> {
    let mut counts = Counts::default();
    let files = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let name = format!("{}.tsv", super::brat::file_stem(i, doc));
            (name, document(project, doc, &mut counts).into_bytes())
        })
        .collect();
    let said = [
        (counts.widened, "span", "spans", "widened to whole tokens"),
        (
            counts.no_token,
            "span",
            "spans",
            "dropped: they cover no token",
        ),
        (
            counts.discontinuous,
            "discontinuous span",
            "discontinuous spans",
            "written as their whole extent",
        ),
        (counts.notes, "note", "notes", "not written"),
        (
            counts.links,
            "entity link without an outside reference",
            "entity links without an outside reference",
            "not written",
        ),
        (
            counts.attributes,
            "span attribute other than identifier",
            "span attributes other than identifier",
            "not written",
        ),
        (
            counts.gaps,
            "document has",
            "documents have",
            "text between sentences the format cannot hold (it keeps sentences only)",
        ),
        (
            project.documents.len(),
            super::conll::DOCUMENT_FIELDS.0,
            super::conll::DOCUMENT_FIELDS.1,
            "not written",
        ),
    ];
    crate::text::push_counts("WebAnno TSV", &said, notices);
    files
}

/// Escapes a feature value (reserved: `\ [ ] | _ -> ; * TAB LF`).
fn escape_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '[' | ']' | '|' | '_' | ';' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '-' if chars.peek() == Some(&'>') => out.push_str("\\-"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes sentence and token text (control characters and the backslash).
fn escape_text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '\u{8}' => out.push_str("\\b"),
            c if (c as u32) < 32 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn document(project: &Project, doc: &Document, counts: &mut Counts) -> String {
    // UTF-16 offset of every char offset.
    let mut utf16 = Vec::with_capacity(doc.text.len() + 1);
    let mut u = 0;
    for c in doc.text.chars() {
        utf16.push(u);
        u += c.len_utf16();
    }
    utf16.push(u);
    let sentences = token_sentences(doc);
    // Every token with its address ("2-5") and char range.
    let mut tokens = Vec::new();
    for (si, sentence) in sentences.iter().enumerate() {
        for (ti, t) in sentence.iter().enumerate() {
            tokens.push((format!("{}-{}", si + 1, ti + 1), t.start, t.end));
        }
    }
    // Which tokens each span covers (first, last), and which spans each token carries.
    let mut covered: Vec<Option<(usize, usize)>> = Vec::with_capacity(doc.spans.len());
    let mut on_token: Vec<Vec<usize>> = vec![Vec::new(); tokens.len()];
    let mut first_token = 0;
    for (si, s) in doc.spans.iter().enumerate() {
        // Spans are sorted by start: the first token that may touch this span only moves on.
        while first_token < tokens.len() && tokens[first_token].2 <= s.start {
            first_token += 1;
        }
        let mut range = None;
        let mut i = first_token;
        while i < tokens.len() && tokens[i].1 < s.end {
            range = Some((range.map_or(i, |(a, _)| a), i));
            on_token[i].push(si);
            i += 1;
        }
        match range {
            None => counts.no_token += 1,
            Some((a, b)) if tokens[a].1 != s.start || tokens[b].2 != s.end => counts.widened += 1,
            Some(_) => {}
        }
        if !s.fragments.is_empty() {
            counts.discontinuous += 1;
        }
        if !s.note.is_empty() {
            counts.notes += 1;
        }
        counts.attributes += s.attributes.keys().filter(|k| *k != "identifier").count();
        covered.push(range);
    }
    counts.notes += doc.relations.iter().filter(|r| !r.note.is_empty()).count();
    // Disambiguation ids: for spans over several tokens or sharing a token with another.
    let mut ids: Vec<u32> = vec![0; doc.spans.len()];
    let mut next = 1;
    for (si, range) in covered.iter().enumerate() {
        let Some((a, b)) = *range else { continue };
        if a != b || (a..=b).any(|t| on_token[t].len() > 1) {
            ids[si] = next;
            next += 1;
        }
    }
    let with_id = |si: usize, value: &str| {
        if ids[si] == 0 {
            value.to_string()
        } else {
            format!("{value}[{}]", ids[si])
        }
    };
    let index_of: HashMap<_, usize> = doc
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    // Relations sit on the first token of their target.
    let mut relations_on: Vec<Vec<(String, String)>> = vec![Vec::new(); tokens.len()];
    for r in &doc.relations {
        let (Some(&si), Some(&ti)) = (index_of.get(&r.source), index_of.get(&r.target)) else {
            continue;
        };
        let (Some((sa, _)), Some((ta, _))) = (covered[si], covered[ti]) else {
            continue;
        };
        let mut bt = tokens[sa].0.clone();
        if ids[si] != 0 || ids[ti] != 0 {
            let _ = write!(bt, "[{}_{}]", ids[si], ids[ti]);
        }
        relations_on[ta].push((escape_value(&r.relation_type), bt));
    }

    let mut out = String::from("#FORMAT=WebAnno TSV 3.3\n");
    let _ = writeln!(out, "#T_SP={SPAN_LAYER}|identifier|value");
    let _ = writeln!(out, "#T_RL={RELATION_LAYER}|label|BT_{SPAN_LAYER}");
    out.push_str("\n\n");
    let mut t = 0;
    let mut previous_end = None;
    for sentence in &sentences {
        let (Some(first), Some(last)) = (sentence.first(), sentence.last()) else {
            continue;
        };
        let gap = previous_end.map_or(doc.slice(0, first.start).to_string(), |e| {
            doc.slice(e, first.start).to_string()
        });
        // The import puts a line break between sentences and nothing before the first.
        if !(gap.is_empty() && previous_end.is_none() || gap == "\n") {
            counts.gaps += 1;
        }
        previous_end = Some(last.end);
        for line in doc.slice(first.start, last.end).split('\n') {
            let _ = writeln!(out, "#Text={}", escape_text(line));
        }
        for token in sentence {
            let (address, start, end) = &tokens[t];
            let _ = write!(
                out,
                "{address}\t{}-{}\t{}\t",
                utf16[*start],
                utf16[*end],
                escape_text(token.text)
            );
            let spans = &on_token[t];
            if spans.is_empty() {
                out.push_str("_\t_\t");
            } else {
                let identifiers: Vec<String> = spans
                    .iter()
                    .map(|&si| {
                        let s = &doc.spans[si];
                        let identifier = s.attributes.get("identifier").cloned().or_else(|| {
                            let e = s.entity.and_then(|e| project.entity(e))?;
                            e.references.first().cloned()
                        });
                        with_id(
                            si,
                            &identifier.map_or("*".to_string(), |i| escape_value(&i)),
                        )
                    })
                    .collect();
                let values: Vec<String> = spans
                    .iter()
                    .map(|&si| with_id(si, &escape_value(&doc.spans[si].entity_type)))
                    .collect();
                let _ = write!(out, "{}\t{}\t", identifiers.join("|"), values.join("|"));
            }
            let rels = &relations_on[t];
            if rels.is_empty() {
                out.push_str("_\t_\t");
            } else {
                let labels: Vec<&str> = rels.iter().map(|(l, _)| l.as_str()).collect();
                let sources: Vec<&str> = rels.iter().map(|(_, b)| b.as_str()).collect();
                let _ = write!(out, "{}\t{}\t", labels.join("|"), sources.join("|"));
            }
            out.push('\n');
            t += 1;
        }
        out.push('\n');
    }
    counts.links += doc
        .spans
        .iter()
        .filter(|s| {
            s.entity
                .and_then(|e| project.entity(e))
                .is_some_and(|e| e.references.is_empty())
        })
        .count();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Relation, Span};

    #[test]
    fn stacked_and_multi_token_spans_get_ids_and_relations_name_both() {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        let mut d = Document::new(id, "t", "", "Nikol Pashinyan spoke".to_string());
        let (a, b) = (p.new_span_id(), p.new_span_id());
        d.spans.push(Span::new(a, 0, 15, "PER"));
        d.spans.push(Span::new(b, 0, 5, "GIVEN"));
        d.spans.sort_by_key(|s| s.sort_key());
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "part_of".into(),
            source: b,
            target: a,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(d.into());
        let mut notices = Vec::new();
        let files = render(&p, &mut notices);
        let text = String::from_utf8(files[0].1.clone()).unwrap();
        assert!(
            text.contains("1-1\t0-5\tNikol\t*[1]|*[2]\tGIVEN[1]|PER[2]\tpart\\_of\t1-1[1_2]\t\n"),
            "{text}"
        );
        assert!(
            text.contains("1-2\t6-15\tPashinyan\t*[2]\tPER[2]\t_\t_\t\n"),
            "{text}"
        );
        assert!(files[0].0.ends_with(".tsv"));
    }
}
