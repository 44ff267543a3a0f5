//! CoNLL-2003 style: `TOKEN TAG` per line, a blank line after each sentence, `-DOCSTART- O`
//! and a blank line before each document. Tokens and sentences come from `crate::text`;
//! a text that is already tokenized (tokens separated by spaces, one sentence per line, as the
//! CoNLL importer rebuilds it) is split on whitespace and lines instead, so CoNLL round-trips.
//! Overlapping spans cannot be expressed: the outermost wins and the rest are counted.

use super::TagScheme;
use crate::model::{Document, Project, Span};
use crate::text::{sentences, tokenize};

pub fn render(project: &Project, scheme: TagScheme, notices: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut dropped = 0;
    for doc in &project.documents {
        out.push_str("-DOCSTART- O\n\n");
        let kept = outermost(&doc.spans, &mut dropped);
        let mut k = 0; // first kept span that may still cover a later token
        // Index of the kept span the previous token belonged to.
        let mut previous: Option<usize> = None;
        for sentence in token_sentences(doc) {
            for (start, end, token) in sentence {
                while k < kept.len() && kept[k].end <= start {
                    k += 1;
                }
                let covering = (k < kept.len() && kept[k].start < end).then_some(k);
                let tag = match covering {
                    None => "O".to_string(),
                    Some(i) => {
                        let ty = &kept[i].entity_type;
                        let first = previous != Some(i);
                        let b = match scheme {
                            TagScheme::Iob2 => first,
                            TagScheme::Iob1 => {
                                first && previous.is_some_and(|p| kept[p].entity_type == *ty)
                            }
                        };
                        format!("{}-{ty}", if b { "B" } else { "I" })
                    }
                };
                previous = covering;
                out.push_str(token);
                out.push(' ');
                out.push_str(&tag);
                out.push('\n');
            }
            previous = None;
            out.push('\n');
        }
    }
    if dropped > 0 {
        notices.push(format!(
            "CoNLL cannot express overlapping spans: kept the outermost, dropped {}",
            crate::text::count(dropped, "span", "spans")
        ));
    }
    out
}

/// The spans CoNLL can hold: outermost first, skipping any that overlap one already kept.
fn outermost<'a>(spans: &'a [Span], dropped: &mut usize) -> Vec<&'a Span> {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.id));
    let mut kept: Vec<&Span> = Vec::with_capacity(sorted.len());
    for s in sorted {
        match kept.last() {
            Some(last) if s.start < last.end => *dropped += 1,
            _ => kept.push(s),
        }
    }
    kept
}

/// Sentences as lists of (char start, char end, token text).
fn token_sentences(doc: &Document) -> Vec<Vec<(usize, usize, &str)>> {
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
        let out = render(&p, TagScheme::Iob2, &mut notes);
        assert!(out.starts_with("-DOCSTART- O\n\nArmenia B-GPE\nand O\nAzerbaijan B-GPE\nmet O\n. O\n\nThe O\nCSTO B-ORG\nSecretary B-ROLE\n- I-ROLE\nGeneral I-ROLE\n"), "{out}");
        let out = render(&p, TagScheme::Iob1, &mut notes);
        assert!(out.contains("Armenia I-GPE\n"), "{out}");
        assert!(out.contains("CSTO I-ORG\nSecretary I-ROLE\n"), "{out}");
        assert!(notes.is_empty());
    }

    #[test]
    fn iob1_marks_adjacent_mentions_of_one_type_with_b() {
        let p = project("Alpha Beta Gamma .", &[(0, 5, "ORG"), (6, 16, "ORG")]);
        let out = render(&p, TagScheme::Iob1, &mut Vec::new());
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
        let out = render(&p, TagScheme::Iob2, &mut Vec::new());
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
        let out = render(&p, TagScheme::Iob2, &mut notes);
        assert!(out.contains("Armenian B-ORG\nNational I-ORG\n"), "{out}");
        assert!(notes[0].contains("dropped 1"), "{notes:?}");
    }
}
