//! The memory engine (INCEpTION's string-matching recommender): every span of the project,
//! made or accepted by the analyst, proposes its type on every other occurrence of the same
//! text in all documents.
//!
//! A text's score is also capped by how often the analyst annotated it where the engine
//! would have proposed it on the annotated documents: a word tagged at three of its four
//! occurrences ("we" as an organisation) is worth proposing, one tagged at one of thirty
//! ("regime") is not. That measure is what lets lone lowercase words be remembered at all.

use super::model::annotated_sample;
use super::util::{at_word_boundaries, char_range, is_acronym};
use super::{Suggester, Suggestion};
use crate::model::{Document, Project};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Remembered {
    text: String,
    entity_type: String,
    score: f32,
    times: usize,
}

/// What the analyst annotated, by text.
#[derive(Clone, Default)]
pub struct Memory {
    items: Vec<Remembered>,
    automaton: Option<AhoCorasick>,
    /// The item each pattern of the automaton stands for (a text and its case variant).
    patterns: Vec<usize>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("items", &self.items.len())
            .finish()
    }
}

/// At most about this many chars of annotated text are re-read to measure each text.
const MEASURE_CHARS: usize = 400_000;

/// Whether a string is worth propagating: at least 2 chars (or an acronym), with a letter or
/// digit. (Lone lowercase words count too; `learn` keeps those annotated at least twice, and
/// the measure on the annotated documents decides their score.)
fn worth_remembering(text: &str) -> bool {
    let text = text.trim();
    if text.chars().count() < 2 && !is_acronym(text) {
        return false;
    }
    text.chars().any(char::is_alphanumeric)
}

/// The text with its first letter's case flipped, for the same words at a sentence start
/// or mid-sentence ("the UK" and "The UK", "we" and "We"): when its first word is a lowercase
/// word, or a short capitalised one (a determiner or pronoun: "The", "Our") followed by more
/// words. A lone capitalised word ("Turkey") or a longer first word ("Super G", whose
/// lowercase "super G" is another thing) has no variant.
fn case_variant(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    let first_word = text.split_whitespace().next()?;
    let lower_word = first_word.chars().skip(1).all(char::is_lowercase);
    if !first.is_alphabetic() || !lower_word {
        return None;
    }
    if first.is_lowercase() {
        Some(first.to_uppercase().chain(rest.chars()).collect())
    } else if text.contains(char::is_whitespace) && first_word.chars().count() <= 3 {
        Some(first.to_lowercase().chain(rest.chars()).collect())
    } else {
        None
    }
}

/// A lone lowercase word ("we", "civilians"): one annotation of it is weak evidence.
fn is_common_word(text: &str) -> bool {
    !text.chars().any(char::is_uppercase) && !text.trim().contains(char::is_whitespace)
}

/// The share of a text's proposals that were the analyst's annotation, pulled towards
/// one half by one pseudo-proposal (so one annotation at one occurrence is 0.75, one of
/// two is the bar).
fn annotated_share(hits: usize, proposed: usize) -> f32 {
    (hits as f32 + 0.5) / (proposed as f32 + 1.0)
}

impl Memory {
    /// Number of distinct (text, type) pairs remembered.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Suggester for Memory {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn learn(&mut self, project: &Project) {
        let mut per_pair: HashMap<(String, String), usize> = HashMap::new();
        let mut per_text: HashMap<String, usize> = HashMap::new();
        for d in &project.documents {
            for s in &d.spans {
                let t = d.span_text(s).to_string();
                if !worth_remembering(&t) {
                    continue;
                }
                *per_pair
                    .entry((t.clone(), s.entity_type.to_string()))
                    .or_insert(0) += 1;
                *per_text.entry(t).or_insert(0) += 1;
            }
        }
        let mut rejected: HashMap<(String, String), usize> = HashMap::new();
        for r in &project.decisions {
            if let Some(d) = project.document(r.document)
                && r.end <= d.char_len()
                && r.start < r.end
            {
                let t = d.slice(r.start, r.end).to_string();
                *rejected.entry((t, r.entity_type.clone())).or_insert(0) += 1;
            }
        }
        let mut items: Vec<Remembered> = per_pair
            .into_iter()
            // A common word tagged once says little about the next time it occurs.
            .filter(|((text, _), n)| *n >= 2 || !is_common_word(text))
            .map(|((text, entity_type), n)| {
                let total = per_text.get(&text).copied().unwrap_or(n).max(1);
                let consistency = n as f32 / total as f32;
                let rej = rejected
                    .get(&(text.clone(), entity_type.clone()))
                    .copied()
                    .unwrap_or(0);
                let support = if n == 1 { 0.9 } else { 1.0 };
                let score = (0.55 + 0.4 * consistency) * support * n as f32 / (n + rej) as f32;
                Remembered {
                    text,
                    entity_type,
                    score,
                    times: n,
                }
            })
            .collect();
        items.sort_by(|a, b| (&a.text, &a.entity_type).cmp(&(&b.text, &b.entity_type)));
        let mut patterns: Vec<String> = Vec::with_capacity(items.len());
        self.patterns.clear();
        for (i, item) in items.iter().enumerate() {
            patterns.push(item.text.clone());
            self.patterns.push(i);
            if let Some(v) = case_variant(&item.text) {
                patterns.push(v);
                self.patterns.push(i);
            }
        }
        self.automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        self.items = items;
        // Where would the engine have proposed each text on the annotated documents, and
        // how often was that the analyst's annotation?
        let mut measured = vec![(0usize, 0usize); self.items.len()];
        for doc in annotated_sample(project, Some(MEASURE_CHARS)) {
            for (start, end, p) in self.matches(doc) {
                measured[p].1 += 1;
                if doc.has_span(start, end, &self.items[p].entity_type) {
                    measured[p].0 += 1;
                }
            }
        }
        for (item, (hits, proposed)) in self.items.iter_mut().zip(measured) {
            if proposed > 0 && is_common_word(&item.text) {
                item.score = item.score.min(annotated_share(hits, proposed));
            }
        }
    }

    fn suggest(&self, _project: &Project, doc: &Document) -> Vec<Suggestion> {
        self.matches(doc)
            .into_iter()
            .map(|(start, end, p)| {
                let item = &self.items[p];
                Suggestion {
                    document: doc.id,
                    start,
                    end,
                    entity_type: item.entity_type.clone(),
                    score: item.score,
                    engine: "memory".to_string(),
                    explanation: format!(
                        "annotated {} as {} {} in this project",
                        item.text,
                        item.entity_type,
                        crate::text::count(item.times, "time", "times")
                    ),
                }
            })
            .collect()
    }
}

impl Memory {
    /// Where the remembered texts occur in a document, as (char start, char end, item):
    /// per position the longest strings (the same string may carry several types).
    fn matches(&self, doc: &Document) -> Vec<(usize, usize, usize)> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let text = &doc.text;
        let mut found: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(text)
            .filter(|m| at_word_boundaries(text, m.start(), m.end()))
            .filter_map(|m| {
                Some((
                    m.start(),
                    m.end(),
                    *self.patterns.get(m.pattern().as_usize())?,
                ))
            })
            .collect();
        // Per position keep the longest strings; the same string may carry several types.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Vec::new();
        let mut covered_to = 0;
        let mut current: Option<(usize, usize)> = None;
        for (s, e, p) in found {
            let same = current == Some((s, e));
            if !same && s < covered_to {
                continue;
            }
            current = Some((s, e));
            covered_to = covered_to.max(e);
            let (start, end) = char_range(doc, s, e);
            out.push((start, end, p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Span, SpanId};
    use crate::suggest::util::test_docs::annotated;

    fn project() -> Project {
        let mut p = Project::new("p");
        let mut a = Document::new(
            DocumentId(1),
            "a",
            "a.txt",
            "Nikol Pashinyan met the UN envoy at the summit in Jermuk.".into(),
        );
        a.spans.push(Span::new(SpanId(2), 0, 15, "PER"));
        a.spans.push(Span::new(SpanId(3), 24, 26, "ORG"));
        a.spans.push(Span::new(SpanId(4), 40, 46, "EVENT"));
        a.spans.push(Span::new(SpanId(5), 50, 56, "GPE"));
        let b = Document::new(
            DocumentId(6),
            "b",
            "b.txt",
            "In Jermuk, Nikol Pashinyan spoke; Nikol Pashinyanov did not. A summit of UNESCO."
                .into(),
        );
        p.documents = vec![a.into(), b.into()];
        p.next_id = 10;
        p
    }

    #[test]
    fn propagates_to_other_occurrences_with_boundaries() {
        let p = project();
        let mut m = Memory::default();
        m.learn(&p);
        let b = &p.documents[1];
        let got: Vec<(&str, String)> = m
            .suggest(&p, b)
            .into_iter()
            .map(|s| (b.slice(s.start, s.end), s.entity_type))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Jermuk", "GPE".to_string()),
                ("Nikol Pashinyan", "PER".to_string())
            ]
        );
    }

    #[test]
    fn inconsistent_and_rejected_texts_score_lower() {
        let mut p = project();
        let mut m = Memory::default();
        m.learn(&p);
        let first = m.suggest(&p, &p.documents[1])[0].score;
        // Jermuk also annotated as LOC once: less consistent.
        std::sync::Arc::make_mut(&mut p.documents[1])
            .spans
            .push(Span::new(SpanId(7), 3, 9, "LOC"));
        m.learn(&p);
        let s = m.suggest(&p, &p.documents[0]);
        let gpe = s.iter().find(|s| s.entity_type == "GPE").map(|s| s.score);
        assert!(gpe.is_some_and(|g| g < first), "{s:?}");
        assert!(s.iter().any(|s| s.entity_type == "LOC"));
    }

    fn suggested(m: &Memory, p: &Project, d: &Document) -> Vec<(String, String, f32)> {
        m.suggest(p, d)
            .into_iter()
            .map(|s| (d.slice(s.start, s.end).to_string(), s.entity_type, s.score))
            .collect()
    }

    /// What a memory that learned one annotated text suggests on another text:
    /// (text, type, score).
    fn learned_then_suggested(
        text: &str,
        spans: &[(&str, &str)],
        other: &str,
    ) -> Vec<(String, String, f32)> {
        let mut p = Project::new("p");
        p.documents.push(annotated(1, text, spans).into());
        p.next_id = 1000;
        let mut m = Memory::default();
        m.learn(&p);
        let d = Document::new(DocumentId(2), "n", "n.txt", other.into());
        suggested(&m, &p, &d)
    }

    #[test]
    fn lowercase_words_are_proposed_by_how_often_they_were_annotated() {
        // "we" annotated at both occurrences, "regime" at two of five.
        let got = learned_then_suggested(
            "Now we act. The regime fell and we won; the regime, a regime, regime, regime.",
            &[
                ("we", "ORG"),
                ("regime", "ORG"),
                ("we", "ORG"),
                ("regime", "ORG"),
            ],
            "So we said the regime lied.",
        );
        let score = |w: &str| got.iter().find(|g| g.0 == w).map(|g| g.2);
        assert!(score("we").is_some_and(|s| s >= 0.5), "{got:?}");
        assert!(score("regime").is_some_and(|s| s < 0.5), "{got:?}");
        // Tagged once: not proposed (one annotation of a common word is weak evidence).
        let got = learned_then_suggested(
            "The mourners wept.",
            &[("mourners", "ORG")],
            "Many mourners came.",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn texts_match_at_a_sentence_start_and_mid_sentence() {
        let got = learned_then_suggested(
            "The UK agreed. Later we met Super G fans, as we do. Turkey too.",
            &[
                ("The UK", "ORG"),
                ("we", "ORG"),
                ("we", "ORG"),
                ("Super G", "MISC"),
                ("Turkey", "GPE"),
            ],
            "We thank the UK; the super G race; turkey dinner.",
        );
        let texts: Vec<String> = got.into_iter().map(|g| g.0).collect();
        assert_eq!(texts, ["We", "the UK"]);
        assert_eq!(case_variant("The UK").as_deref(), Some("the UK"));
        assert_eq!(case_variant("we").as_deref(), Some("We"));
        assert_eq!(case_variant("Turkey"), None);
        assert_eq!(case_variant("U.S. Army"), None);
    }
}
