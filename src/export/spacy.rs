//! spaCy's JSON training format (the input of `spacy convert FILE.json OUT --converter json`,
//! which writes the binary `.spacy` DocBin that `spacy train` reads): a list with one object
//! per document, `{"id", "paragraphs": [{"raw", "sentences": [{"tokens": [{"id", "orth",
//! "space", "ner"}], "brackets": []}], "cats", "entities", "links"}]}`. Tokens and sentences
//! come from Marginalia's tokenizer; whitespace other than one space after a token becomes a
//! token of its own (as spaCy's tokenizer makes it), so the tokens with their `space` give the
//! text back exactly. `ner` is BILUO; spaCy holds one flat layer of entities, so of
//! overlapping spans the first and longest is kept, and a span that does not start and end
//! on token boundaries is written as missing (`-`) on its tokens; both are counted in a notice.

use super::Holds;
use crate::model::{Document, Project, Span};
use serde_json::{Value, json};

pub fn render(project: &Project, notices: &mut Vec<String>) -> Value {
    notices.extend(super::cannot_hold(
        "spaCy JSON",
        project,
        Holds {
            relations: false,
            span_notes: false,
            relation_notes: false,
            links: false,
            titles: false,
            statuses: false,
            metadata: false,
        },
    ));
    let (mut overlapping, mut misaligned) = (0usize, 0usize);
    let docs: Vec<Value> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let (paragraph, o, m) = paragraph(doc);
            overlapping += o;
            misaligned += m;
            json!({ "id": i, "paragraphs": [paragraph] })
        })
        .collect();
    if overlapping > 0 {
        notices.push(format!(
            "spaCy JSON holds one layer of entities: {} overlapping another left out",
            crate::text::count(overlapping, "span", "spans")
        ));
    }
    if misaligned > 0 {
        notices.push(format!(
            "spaCy JSON: {} not on token boundaries written as missing (-) on their tokens",
            crate::text::count(misaligned, "span", "spans")
        ));
    }
    Value::Array(docs)
}

/// A token of the output: char offsets, its text, whether one space follows, its sentence.
struct Tok<'t> {
    start: usize,
    end: usize,
    orth: &'t str,
    space: bool,
    sentence: usize,
}

/// The document's tokens, whitespace included, so that they give the text back.
fn tokens(text: &str) -> Vec<Tok<'_>> {
    let words = crate::text::tokenize(text);
    let sentences = crate::text::sentences(text, &words);
    let mut sentence_of = vec![0; words.len()];
    for (si, s) in sentences.iter().enumerate() {
        for t in s.tokens.clone() {
            if let Some(slot) = sentence_of.get_mut(t) {
                *slot = si;
            }
        }
    }
    let mut out: Vec<Tok> = Vec::with_capacity(words.len() * 2);
    let (mut byte, mut char) = (0usize, 0usize);
    for (i, w) in words.iter().enumerate() {
        let sentence = if i == 0 { 0 } else { sentence_of[i - 1] };
        push_gap(&mut out, &text[byte..w.byte_start], char, sentence);
        out.push(Tok {
            start: w.start,
            end: w.end,
            orth: w.text(text),
            space: false,
            sentence: sentence_of[i],
        });
        (byte, char) = (w.byte_end, w.end);
    }
    let last = sentence_of.last().copied().unwrap_or(0);
    push_gap(&mut out, &text[byte..], char, last);
    out
}

/// The whitespace between two tokens: one space after the previous token is its `space`;
/// the rest is a token of its own.
fn push_gap<'t>(out: &mut Vec<Tok<'t>>, mut gap: &'t str, mut start: usize, sentence: usize) {
    if let Some(last) = out.last_mut()
        && gap.starts_with(' ')
    {
        last.space = true;
        gap = &gap[1..];
        start += 1;
    }
    if !gap.is_empty() {
        out.push(Tok {
            start,
            end: start + gap.chars().count(),
            orth: gap,
            space: false,
            sentence,
        });
    }
}

/// One document as a paragraph, with the numbers of spans left out for overlapping and of
/// spans off token boundaries.
fn paragraph(doc: &Document) -> (Value, usize, usize) {
    let toks = tokens(&doc.text);
    let mut tags: Vec<String> = vec!["O".to_string(); toks.len()];
    let mut spans: Vec<&Span> = doc.spans.iter().collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let (mut overlapping, mut misaligned) = (0, 0);
    let mut entities = Vec::new();
    let mut taken_to = 0usize;
    for s in spans {
        if s.start < taken_to {
            overlapping += 1;
            continue;
        }
        taken_to = s.end;
        let first = toks.iter().position(|t| t.start == s.start);
        let last = toks.iter().position(|t| t.end == s.end);
        match (first, last) {
            (Some(a), Some(b)) if a <= b => {
                for (k, tag) in tags.iter_mut().enumerate().take(b + 1).skip(a) {
                    let prefix = match (k == a, k == b) {
                        (true, true) => "U",
                        (true, false) => "B",
                        (false, true) => "L",
                        (false, false) => "I",
                    };
                    *tag = format!("{prefix}-{}", s.entity_type);
                }
                entities.push(json!([s.start, s.end, s.entity_type]));
            }
            _ => {
                misaligned += 1;
                for (t, tag) in toks.iter().zip(tags.iter_mut()) {
                    if t.start < s.end && t.end > s.start {
                        *tag = "-".to_string();
                    }
                }
            }
        }
    }
    let mut sentences: Vec<Value> = Vec::new();
    let mut current: Option<usize> = None;
    for (i, (t, tag)) in toks.iter().zip(&tags).enumerate() {
        if current != Some(t.sentence) {
            current = Some(t.sentence);
            sentences.push(json!({ "tokens": [], "brackets": [] }));
        }
        let token = json!({
            "id": i,
            "orth": t.orth,
            "space": if t.space { " " } else { "" },
            "ner": tag,
        });
        if let Some(Value::Array(list)) = sentences.last_mut().and_then(|s| s.get_mut("tokens")) {
            list.push(token);
        }
    }
    let cats: Vec<Value> = doc
        .metadata
        .extra
        .get("cats")
        .and_then(|c| serde_json::from_str::<Vec<String>>(c).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|c| json!({ "label": c, "value": 1.0 }))
        .collect();
    let paragraph = json!({
        "raw": doc.text,
        "sentences": sentences,
        "cats": cats,
        "entities": entities,
        "links": [],
    });
    (paragraph, overlapping, misaligned)
}
