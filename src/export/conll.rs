//! CoNLL-2003 style: `TOKEN [COLUMNS...] TAG` per line, a blank line after each sentence,
//! `-DOCSTART-` and a blank line before each document. A document imported from CoNLL (or
//! WebAnno TSV) keeps its own tokens and middle columns (POS, chunk), written back exactly;
//! other documents are tokenized by `crate::text` (a text that is already tokenized, tokens
//! separated by spaces and one sentence per line, is split on whitespace and lines).
//! Tags in IOB1, IOB2, BIOES or BILOU; columns separated by spaces or tabs.
//!
//! What CoNLL cannot hold is counted in notices: overlapping spans (the outermost is kept),
//! spans that do not start or end on a token boundary (widened to whole tokens),
//! discontinuous spans (written as their whole extent), spans covering no token, and
//! relations, entity links, notes and document titles.

use super::{Separator, TagScheme};
use crate::model::{Document, Project, Span};
use crate::text::{sentences, tokenize};

/// What a CoNLL export could not write as it is.
#[derive(Default)]
struct Counts {
    overlapping: usize,
    widened: usize,
    discontinuous: usize,
    no_token: usize,
    /// Tokens or column values holding whitespace, written with `_` under `Separator::Space`.
    spaced: usize,
}

pub fn render(
    project: &Project,
    scheme: TagScheme,
    separator: Separator,
    notices: &mut Vec<String>,
) -> String {
    let sep = match separator {
        Separator::Space => " ",
        Separator::Tab => "\t",
    };
    let mut out = String::new();
    let mut counts = Counts::default();
    // Every line of the file has as many columns as the widest document's (conlleval and
    // doccano want a constant count); missing middle columns are written as "_".
    let docs: Vec<(&Document, Vec<Vec<Token>>)> = project
        .documents
        .iter()
        .map(|d| (&**d, token_sentences(d)))
        .collect();
    let width = docs
        .iter()
        .flat_map(|(_, s)| s.iter().flatten())
        .map(|t| t.columns.map_or(0, |c| c.split('\t').count()))
        .max()
        .unwrap_or(0);
    for (doc, sentences) in docs {
        out.push_str("-DOCSTART-");
        for _ in 0..width {
            out.push_str(sep);
            out.push_str("-X-");
        }
        out.push_str(sep);
        out.push_str("O\n\n");
        let tokens: Vec<(usize, usize)> = sentences
            .iter()
            .flatten()
            .map(|t| (t.start, t.end))
            .collect();
        let kept = outermost(&doc.spans, &mut counts);
        for s in &kept {
            let mut covered = tokens.iter().filter(|&&(a, b)| a < s.end && s.start < b);
            let (first, last) = (
                covered.clone().next().map(|t| t.0),
                covered.next_back().map(|t| t.1),
            );
            match (first, last) {
                (Some(a), Some(b)) if a != s.start || b != s.end => counts.widened += 1,
                (None, _) | (_, None) => counts.no_token += 1,
                _ => {}
            }
            if !s.fragments.is_empty() {
                counts.discontinuous += 1;
            }
        }
        let mut k = 0; // first kept span that may still cover a later token
        for sentence in sentences {
            // Which kept span covers each token of the sentence.
            let covering: Vec<Option<usize>> = sentence
                .iter()
                .map(|t| {
                    while k < kept.len() && kept[k].end <= t.start {
                        k += 1;
                    }
                    (k < kept.len() && kept[k].start < t.end).then_some(k)
                })
                .collect();
            for (i, t) in sentence.iter().enumerate() {
                let tag = tag(&kept, &covering, i, scheme);
                push_field(&mut out, t.text, separator, &mut counts);
                let mut written = 0;
                if let Some(columns) = t.columns {
                    for c in columns.split('\t') {
                        out.push_str(sep);
                        push_field(&mut out, c, separator, &mut counts);
                        written += 1;
                    }
                }
                for _ in written..width {
                    out.push_str(sep);
                    out.push('_');
                }
                out.push_str(sep);
                out.push_str(&tag);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    let links = project
        .documents
        .iter()
        .flat_map(|d| &d.spans)
        .filter(|s| s.entity.is_some())
        .count();
    let notes = project
        .documents
        .iter()
        .flat_map(|d| &d.spans)
        .filter(|s| !s.note.is_empty())
        .count();
    let said = [
        (
            counts.overlapping,
            "overlapping span",
            "overlapping spans",
            "dropped (CoNLL has one tag per token: the outermost kept)",
        ),
        (
            counts.widened,
            "span",
            "spans",
            "widened to whole tokens (they started or ended inside a token)",
        ),
        (
            counts.discontinuous,
            "discontinuous span",
            "discontinuous spans",
            "written as their whole extent",
        ),
        (
            counts.no_token,
            "span",
            "spans",
            "dropped: they cover no token",
        ),
        (
            counts.spaced,
            "token or column value",
            "token or column values",
            "with spaces written with `_` for them (a space separates the columns; `--separator tab` keeps the spaces)",
        ),
        (
            project.relation_count(),
            "relation",
            "relations",
            "not written (CoNLL holds no relations)",
        ),
        (links, "entity link", "entity links", "not written"),
        (notes, "span note", "span notes", "not written"),
        (
            project.documents.len(),
            DOCUMENT_FIELDS.0,
            DOCUMENT_FIELDS.1,
            "not written",
        ),
    ];
    crate::text::push_counts("CoNLL", &said, notices);
    out
}

/// Writes a token or column value; with spaces between columns, whitespace inside it (a
/// token from a tab-separated file, "New York") would split it, so it becomes `_`.
fn push_field(out: &mut String, value: &str, separator: Separator, counts: &mut Counts) {
    if separator == Separator::Space && value.contains(char::is_whitespace) {
        counts.spaced += 1;
        out.extend(
            value
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c }),
        );
    } else {
        out.push_str(value);
    }
}

/// What formats without document fields lose of each document, singular and plural.
pub(crate) const DOCUMENT_FIELDS: (&str, &str) = (
    "document's title, status and metadata",
    "documents' titles, statuses and metadata",
);

/// The tag of the `i`th token of a sentence, given which kept span covers each token.
fn tag(kept: &[&Span], covering: &[Option<usize>], i: usize, scheme: TagScheme) -> String {
    let Some(span) = covering[i] else {
        return "O".to_string();
    };
    let ty = &kept[span].entity_type;
    let previous = i.checked_sub(1).and_then(|p| covering[p]);
    let next = covering.get(i + 1).copied().flatten();
    let first = previous != Some(span);
    let last = next != Some(span);
    let prefix = match scheme {
        TagScheme::Iob2 => {
            if first {
                "B"
            } else {
                "I"
            }
        }
        // B- only where a mention directly follows another of the same type.
        TagScheme::Iob1 => {
            if first && previous.is_some_and(|p| kept[p].entity_type == *ty) {
                "B"
            } else {
                "I"
            }
        }
        TagScheme::Bioes | TagScheme::Bilou => {
            let bilou = scheme == TagScheme::Bilou;
            match (first, last) {
                (true, true) if bilou => "U",
                (true, true) => "S",
                (true, false) => "B",
                (false, true) if bilou => "L",
                (false, true) => "E",
                (false, false) => "I",
            }
        }
    };
    format!("{prefix}-{ty}")
}

/// The spans CoNLL can hold: outermost first, skipping any that overlap one already kept.
fn outermost<'a>(spans: &'a [Span], counts: &mut Counts) -> Vec<&'a Span> {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.id));
    let mut kept: Vec<&Span> = Vec::with_capacity(sorted.len());
    for s in sorted {
        match kept.last() {
            Some(last) if s.start < last.end => counts.overlapping += 1,
            _ => kept.push(s),
        }
    }
    kept
}

/// A token to write: its char range, its text, and its middle columns when the document
/// kept them.
pub(crate) struct Token<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub columns: Option<&'a str>,
}

/// Sentences of tokens: the document's own when it has them (a line break between two
/// tokens ends a sentence), else as the text is tokenized.
pub(crate) fn token_sentences(doc: &Document) -> Vec<Vec<Token<'_>>> {
    let Some(own) = &doc.tokens else {
        return plain_sentences(doc)
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|(start, end, text)| Token {
                        start,
                        end,
                        text,
                        columns: None,
                    })
                    .collect()
            })
            .collect();
    };
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut sentence = Vec::new();
    let mut previous_end = 0;
    for (i, &(start, end)) in own.tokens.iter().enumerate() {
        if !sentence.is_empty() && doc.slice(previous_end, start).contains('\n') {
            out.push(std::mem::take(&mut sentence));
        }
        sentence.push(Token {
            start,
            end,
            text: doc.slice(start, end),
            columns: own
                .columns
                .get(i)
                .map(String::as_str)
                .filter(|c| !c.is_empty()),
        });
        previous_end = end;
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
    out
}

/// Sentences as lists of (char start, char end, token text), for a text without tokens of
/// its own.
fn plain_sentences(doc: &Document) -> Vec<Vec<(usize, usize, &str)>> {
    let text = doc.text.as_str();
    let tokens = tokenize(text);
    if is_pretokenized(text, &tokens) {
        let mut out = Vec::new();
        let mut pos = 0; // char offset of the current line
        for line in text.split('\n') {
            let mut sentence = Vec::new();
            let mut word_start: Option<(usize, usize)> = None; // (char, byte)
            for (i, (byte, c)) in line.char_indices().chain([(line.len(), ' ')]).enumerate() {
                let char_pos = pos + i;
                if c.is_whitespace() {
                    if let Some((cs, bs)) = word_start.take() {
                        sentence.push((cs, char_pos, &line[bs..byte]));
                    }
                } else if word_start.is_none() {
                    word_start = Some((char_pos, byte));
                }
            }
            pos += line.chars().count() + 1;
            if !sentence.is_empty() {
                out.push(sentence);
            }
        }
        return out;
    }
    sentences(text, &tokens)
        .into_iter()
        .map(|s| {
            tokens[s.tokens]
                .iter()
                .map(|t| (t.start, t.end, t.text(text)))
                .collect()
        })
        .collect()
}

/// Whether the text reads as already tokenized: its punctuation stands apart from the words
/// ("Syria , Iraq .") more than twice as often as it is attached ("Syria, Iraq.") as in prose.
fn is_pretokenized(text: &str, tokens: &[crate::text::Token]) -> bool {
    let (mut attached, mut apart) = (0usize, 0usize);
    for pair in tokens.windows(2) {
        if matches!(pair[1].text(text), "," | "." | ";" | ":" | "!" | "?") {
            if pair[0].byte_end == pair[1].byte_start {
                attached += 1;
            } else {
                apart += 1;
            }
        }
    }
    // Ratios seen: CoNLL-2003 about 1 attached ("1.", "U.S.") to 15 apart; news prose
    // almost none apart.
    apart > 2 * attached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;

    fn project(text: &str, spans: &[(usize, usize, &str)]) -> Project {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        let mut d = Document::new(id, "t", "", text.to_string());
        for &(s, e, t) in spans {
            let sid = p.new_span_id();
            d.spans.push(Span::new(sid, s, e, t));
        }
        d.spans.sort_by_key(|s| s.sort_key());
        p.documents.push(d.into());
        p
    }

    #[test]
    fn prose_is_tokenized_and_tagged_iob2_and_iob1() {
        let p = project(
            "Armenia and Azerbaijan met. The CSTO Secretary-General spoke.",
            &[
                (0, 7, "GPE"),
                (12, 22, "GPE"),
                (32, 36, "ORG"),
                (37, 54, "ROLE"),
            ],
        );
        let mut notes = Vec::new();
        let out = render(&p, TagScheme::Iob2, Separator::Space, &mut notes);
        assert!(out.starts_with("-DOCSTART- O\n\nArmenia B-GPE\nand O\nAzerbaijan B-GPE\nmet O\n. O\n\nThe O\nCSTO B-ORG\nSecretary B-ROLE\n- I-ROLE\nGeneral I-ROLE\n"), "{out}");
        let out = render(&p, TagScheme::Iob1, Separator::Space, &mut notes);
        assert!(out.contains("Armenia I-GPE\n"), "{out}");
        assert!(out.contains("CSTO I-ORG\nSecretary I-ROLE\n"), "{out}");
        assert!(!notes.iter().any(|n| n.contains("widened")), "{notes:?}");
    }

    #[test]
    fn iob1_marks_adjacent_mentions_of_one_type_with_b() {
        let p = project("Alpha Beta Gamma .", &[(0, 5, "ORG"), (6, 16, "ORG")]);
        let out = render(&p, TagScheme::Iob1, Separator::Space, &mut Vec::new());
        assert!(
            out.contains("Alpha I-ORG\nBeta B-ORG\nGamma I-ORG\n. O\n"),
            "{out}"
        );
    }

    #[test]
    fn pretokenized_text_keeps_its_tokens_and_lines() {
        let p = project(
            "AL-AIN , United Arab Emirates 1996-12-06\nJapan began .",
            &[(0, 6, "LOC"), (9, 29, "LOC")],
        );
        let out = render(&p, TagScheme::Iob2, Separator::Space, &mut Vec::new());
        assert_eq!(
            out,
            "-DOCSTART- O\n\nAL-AIN B-LOC\n, O\nUnited B-LOC\nArab I-LOC\nEmirates I-LOC\n1996-12-06 O\n\nJapan O\nbegan O\n. O\n\n"
        );
    }

    #[test]
    fn overlaps_keep_the_outermost_and_are_counted() {
        let p = project(
            "the Armenian National Assembly met .",
            &[(4, 30, "ORG"), (4, 12, "NORP")],
        );
        let mut notes = Vec::new();
        let out = render(&p, TagScheme::Iob2, Separator::Space, &mut notes);
        assert!(out.contains("Armenian B-ORG\nNational I-ORG\n"), "{out}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("1 overlapping span dropped")),
            "{notes:?}"
        );
    }

    #[test]
    fn bioes_bilou_and_tabs() {
        let p = project(
            "The United Nations in Geneva .",
            &[(4, 18, "ORG"), (22, 28, "LOC")],
        );
        let out = render(&p, TagScheme::Bioes, Separator::Tab, &mut Vec::new());
        assert!(
            out.contains("The\tO\nUnited\tB-ORG\nNations\tE-ORG\nin\tO\nGeneva\tS-LOC\n"),
            "{out}"
        );
        let out = render(&p, TagScheme::Bilou, Separator::Space, &mut Vec::new());
        assert!(out.contains("Nations L-ORG\nin O\nGeneva U-LOC\n"), "{out}");
    }

    #[test]
    fn own_tokens_and_columns_are_written_back_and_widening_is_counted() {
        let mut p = project("U.S. said it", &[(0, 3, "LOC"), (10, 12, "MISC")]);
        let d = std::sync::Arc::make_mut(&mut p.documents[0]);
        d.tokens = Some(crate::model::Tokenization {
            tokens: vec![(0, 4), (5, 9), (10, 12)],
            columns: vec!["NNP\tI-NP".into(), "VBD\tI-VP".into(), "PRP\tI-NP".into()],
        });
        let mut notes = Vec::new();
        let out = render(&p, TagScheme::Iob2, Separator::Space, &mut notes);
        assert_eq!(
            out,
            "-DOCSTART- -X- -X- O\n\nU.S. NNP I-NP B-LOC\nsaid VBD I-VP O\nit PRP I-NP B-MISC\n\n"
        );
        assert!(
            notes.iter().any(|n| n.contains("1 span widened")),
            "{notes:?}"
        );
    }

    #[test]
    fn tokens_with_spaces_stay_one_column_and_are_counted() {
        let mut p = project("New York City is big", &[(0, 13, "GPE")]);
        let d = std::sync::Arc::make_mut(&mut p.documents[0]);
        d.tokens = Some(crate::model::Tokenization {
            tokens: vec![(0, 13), (14, 16), (17, 20)],
            columns: Vec::new(),
        });
        let mut notes = Vec::new();
        let out = render(&p, TagScheme::Iob2, Separator::Space, &mut notes);
        assert!(out.contains("\nNew_York_City B-GPE\nis O\n"), "{out}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("CoNLL: 1 token or column value with spaces")),
            "{notes:?}"
        );
        let mut notes = Vec::new();
        let out = render(&p, TagScheme::Iob2, Separator::Tab, &mut notes);
        assert!(out.contains("\nNew York City\tB-GPE\n"), "{out}");
        assert!(
            !notes.iter().any(|n| n.contains("with spaces")),
            "{notes:?}"
        );
        // Plural counts read as plurals.
        let notes = notes.join("\n");
        assert!(
            notes.contains("CoNLL: 1 document's title, status and metadata not written"),
            "{notes}"
        );
    }
}
