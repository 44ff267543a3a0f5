//! Boundary conventions learned from the analyst's own spans. Projects differ in where a
//! mention starts and ends: one analyst includes the article ("the Syrian opposition"), a
//! trailing noun ("ISIL forces") or a possessive, another leaves them out. An engine whose
//! hit disagrees with the project's convention would be rejected and the span re-added by
//! hand; `Bounded` moves its edges instead.
//!
//! For every annotated span, per entity type and edge, the convention counts the word at
//! the edge inside the span and the word right outside it (as written, lowercased only at a
//! sentence start; a trailing "'s" is a word of its own). A suggestion's edge moves out over the next word when the analyst's
//! spans of that type more often start (or end) with that word than stop before it, and in
//! over its edge word when they more often stop before it. With no annotations nothing
//! moves.

use super::model::annotated_sample;
use super::util::{Analysis, is_sentence_start};
use super::{RelationSuggestion, Suggester, Suggestion};
use crate::model::{Document, Project};
use std::collections::{HashMap, HashSet};

/// At most about this many chars of annotated text are read to learn the conventions.
const CONVENTION_CHARS: usize = 400_000;

/// Times a word must have been seen at an edge (inside or outside) before it moves one.
const MIN_SEEN: u32 = 2;

/// Words an edge may move over, per side, on one suggestion.
const MAX_STEPS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Start,
    End,
}

/// A word of the text as the conventions see it: a token, with a trailing possessive
/// ("Iraq's", "Iraq’s") split off as a word of its own.
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    key: String,
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let analysis = Analysis::of(text);
    let starts = analysis.sentence_starts();
    let first: Vec<bool> = analysis
        .tokens
        .iter()
        .map(|t| is_sentence_start(text, &starts, t.byte_start))
        .collect();
    // Words the text capitalises inside a sentence: names ("West Indies"), which stay
    // capitalised at a sentence start too.
    let capitalised: HashSet<&str> = analysis
        .tokens
        .iter()
        .zip(&first)
        .filter(|(t, first)| !**first && t.text(text).starts_with(char::is_uppercase))
        .map(|(t, _)| t.text(text))
        .collect();
    for (t, &first) in analysis.tokens.iter().zip(&first) {
        let word = t.text(text);
        // A word keeps its case ("Back" the name is not "back"), except at a sentence
        // start, where "The" is the same word as "the".
        let key = |w: &str| {
            let lower = first && !capitalised.contains(w);
            let w = w.replace('’', "'");
            if lower { w.to_lowercase() } else { w }
        };
        let possessive = ["'s", "’s", "'S", "’S"]
            .iter()
            .find(|p| word.len() > p.len() && word.ends_with(*p));
        if let Some(p) = possessive {
            let cut = t.byte_end - p.len();
            out.push(Piece {
                start: t.start,
                end: t.end - 2,
                byte_start: t.byte_start,
                byte_end: cut,
                key: key(&word[..word.len() - p.len()]),
            });
            out.push(Piece {
                start: t.end - 2,
                end: t.end,
                byte_start: cut,
                byte_end: t.byte_end,
                key: "'s".to_string(),
            });
        } else {
            out.push(Piece {
                start: t.start,
                end: t.end,
                byte_start: t.byte_start,
                byte_end: t.byte_end,
                key: key(word),
            });
        }
    }
    out
}

/// Quotes, brackets and separating punctuation.
fn is_separator(key: &str) -> bool {
    !key.is_empty()
        && key.chars().all(|c| {
            matches!(
                c,
                '"' | '\''
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '«'
                    | '»'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | ':'
                    | ';'
                    | ','
                    | '—'
                    | '–'
            )
        })
}

/// True when nothing but spaces (no line break) separates two neighbouring pieces.
fn adjacent(text: &str, a: &Piece, b: &Piece) -> bool {
    text.get(a.byte_end..b.byte_start).is_some_and(|gap| {
        gap.chars()
            .all(|c| c.is_whitespace() && c != '\n' && c != '\r')
    })
}

/// The pieces a char range starts and ends on, when its edges fall on piece edges.
fn edges(pieces: &[Piece], start: usize, end: usize) -> Option<(usize, usize)> {
    let i = pieces.binary_search_by_key(&start, |p| p.start).ok()?;
    let j = pieces.binary_search_by_key(&end, |p| p.end).ok()?;
    (i <= j).then_some((i, j))
}

/// Per (entity type, edge, word): spans with the word at that edge inside, and spans with
/// it right outside.
#[derive(Debug, Clone, Default)]
pub struct Conventions {
    counts: HashMap<(String, Side, String), (u32, u32)>,
}

impl Conventions {
    /// Reads the spans of the project's annotated documents.
    pub fn learn(project: &Project) -> Conventions {
        let mut counts: HashMap<(String, Side, String), (u32, u32)> = HashMap::new();
        for doc in annotated_sample(project, Some(CONVENTION_CHARS)) {
            let ps = pieces(&doc.text);
            for s in &doc.spans {
                let Some((i, j)) = edges(&ps, s.start, s.end) else {
                    continue;
                };
                let ty = s.entity_type.to_string();
                let mut count = |side: Side, key: &str, inside: bool| {
                    let c = counts
                        .entry((ty.clone(), side, key.to_string()))
                        .or_default();
                    if inside { c.0 += 1 } else { c.1 += 1 }
                };
                count(Side::Start, &ps[i].key, true);
                count(Side::End, &ps[j].key, true);
                if i > 0 && adjacent(&doc.text, &ps[i - 1], &ps[i]) {
                    count(Side::Start, &ps[i - 1].key, false);
                }
                if j + 1 < ps.len() && adjacent(&doc.text, &ps[j], &ps[j + 1]) {
                    count(Side::End, &ps[j + 1].key, false);
                }
            }
        }
        Conventions { counts }
    }

    /// Whether spans of `ty` take `key` at this edge: Some(true) when more of them had it
    /// inside than right outside, Some(false) the other way round, None without enough
    /// evidence or a tie.
    fn takes(&self, ty: &str, side: Side, key: &str) -> Option<bool> {
        let (inside, mut outside) = self
            .counts
            .get(&(ty.to_string(), side, key.to_string()))
            .copied()
            .unwrap_or_default();
        // Names are the engines' business: only lowercase words, punctuation and the
        // possessive move an edge.
        if key.chars().any(char::is_uppercase) {
            return None;
        }
        // Quotes, brackets and separators are outside a mention unless the project says
        // otherwise: a prior of MIN_SEEN spans that left them out.
        if is_separator(key) {
            outside += MIN_SEEN;
        }
        if inside > outside && inside >= MIN_SEEN {
            Some(true)
        } else if outside > inside && outside >= MIN_SEEN {
            Some(false)
        } else {
            None
        }
    }

    /// The suggestion's range moved to the project's conventions, or None when it stays.
    fn moved(&self, text: &str, ps: &[Piece], s: &Suggestion) -> Option<(usize, usize)> {
        let (mut i, mut j) = edges(ps, s.start, s.end)?;
        let ty = s.entity_type.as_str();
        for _ in 0..MAX_STEPS {
            if i < j && self.takes(ty, Side::Start, &ps[i].key) == Some(false) {
                i += 1;
            } else if i > 0
                && adjacent(text, &ps[i - 1], &ps[i])
                && self.takes(ty, Side::Start, &ps[i - 1].key) == Some(true)
            {
                i -= 1;
            } else {
                break;
            }
        }
        for _ in 0..MAX_STEPS {
            if i < j && self.takes(ty, Side::End, &ps[j].key) == Some(false) {
                j -= 1;
            } else if j + 1 < ps.len()
                && adjacent(text, &ps[j], &ps[j + 1])
                && self.takes(ty, Side::End, &ps[j + 1].key) == Some(true)
            {
                j += 1;
            } else {
                break;
            }
        }
        let range = (ps[i].start, ps[j].end);
        (range != (s.start, s.end)).then_some(range)
    }

    /// Moves the edges of a document's suggestions to the conventions (explained on each).
    pub fn apply(&self, doc: &Document, list: &mut [Suggestion]) {
        if list.is_empty() {
            return;
        }
        let ps = pieces(&doc.text);
        for s in list {
            if let Some((start, end)) = self.moved(&doc.text, &ps, s) {
                s.explanation = format!(
                    "{}; edges moved from \"{}\" to the project's {} spans",
                    s.explanation,
                    doc.slice(s.start, s.end),
                    s.entity_type
                );
                s.start = start;
                s.end = end;
            }
        }
    }
}

/// An engine whose suggestions' edges follow the project's boundary conventions.
pub struct Bounded {
    inner: Box<dyn Suggester>,
    conventions: Conventions,
}

impl Bounded {
    pub fn new(inner: Box<dyn Suggester>) -> Bounded {
        Bounded {
            inner,
            conventions: Conventions::default(),
        }
    }
}

impl Suggester for Bounded {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn learn(&mut self, project: &Project) {
        self.inner.learn(project);
        self.conventions = Conventions::learn(project);
    }

    fn suggest(&self, project: &Project, doc: &Document) -> Vec<Suggestion> {
        let mut out = self.inner.suggest(project, doc);
        self.conventions.apply(doc, &mut out);
        out
    }

    fn suggest_relations(
        &self,
        project: &Project,
        doc: &Document,
        candidates: &[Suggestion],
    ) -> Vec<RelationSuggestion> {
        self.inner.suggest_relations(project, doc, candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::util::test_docs::{annotated as doc, suggestion};

    fn project(docs: Vec<Document>) -> Project {
        let mut p = Project::new("p");
        p.documents = docs.into_iter().map(Into::into).collect();
        p.next_id = 10_000;
        p
    }

    fn moved(c: &Conventions, d: &Document, text: &str, ty: &str) -> String {
        let mut list = vec![suggestion(d, text, ty, "model")];
        c.apply(d, &mut list);
        d.slice(list[0].start, list[0].end).to_string()
    }

    #[test]
    fn learns_the_article_and_the_possessive_per_type() {
        // This analyst includes "the" in organisations but not in places, and never the
        // possessive.
        let p = project(vec![
            doc(
                1,
                "the Syrian opposition met the Arab League in the Gulf. Iraq's army and Syria's.",
                &[
                    ("the Syrian opposition", "ORG"),
                    ("the Arab League", "ORG"),
                    ("Gulf", "LOC"),
                    ("Iraq", "LOC"),
                    ("Syria", "LOC"),
                ],
            ),
            doc(
                2,
                "Later the African Union and the Gulf states spoke.",
                &[("the African Union", "ORG"), ("Gulf", "LOC")],
            ),
        ]);
        let c = Conventions::learn(&p);
        let d = doc(
            3,
            "Then the Kurdish council met in the Levant; Turkey's too.",
            &[],
        );
        assert_eq!(
            moved(&c, &d, "Kurdish council", "ORG"),
            "the Kurdish council"
        );
        assert_eq!(moved(&c, &d, "the Levant", "LOC"), "Levant");
        assert_eq!(moved(&c, &d, "Turkey's", "LOC"), "Turkey");
        // No evidence for PER: left as it is.
        assert_eq!(moved(&c, &d, "Kurdish council", "PER"), "Kurdish council");
    }

    #[test]
    fn quotes_stay_outside_unless_the_project_includes_them() {
        let d = doc(1, "He said: “Mr Johnson left.”", &[]);
        assert_eq!(
            moved(&Conventions::default(), &d, "“Mr Johnson", "PER"),
            "Mr Johnson"
        );
        assert_eq!(moved(&Conventions::default(), &d, ": “Mr", "PER"), "Mr");
        // A project whose titles keep their quotes.
        let p = project(vec![doc(
            2,
            "They read “Dawn” and “Tide” daily.",
            &[("“Dawn”", "WORK"), ("“Tide”", "WORK")],
        )]);
        let c = Conventions::learn(&p);
        let d = doc(3, "Now “Wave” too.", &[]);
        assert_eq!(moved(&c, &d, "“Wave", "WORK"), "“Wave");
    }

    #[test]
    fn an_edge_never_crosses_a_line_break_or_empties_a_span() {
        let p = project(vec![doc(
            1,
            "the Union and the League and the Council",
            &[
                ("the Union", "ORG"),
                ("the League", "ORG"),
                ("the Council", "ORG"),
            ],
        )]);
        let c = Conventions::learn(&p);
        let d = doc(2, "Talks with the\nAlliance went on.", &[]);
        assert_eq!(moved(&c, &d, "Alliance", "ORG"), "Alliance");
        // "the" alone as a suggestion: trimming stops at one word.
        let q = project(vec![doc(
            3,
            "in the Gulf, at the Cape, by the Sea",
            &[("Gulf", "LOC"), ("Cape", "LOC"), ("Sea", "LOC")],
        )]);
        let c = Conventions::learn(&q);
        let d = doc(4, "near the coast", &[]);
        assert_eq!(moved(&c, &d, "the", "LOC"), "the");
    }

    #[test]
    fn names_never_move_an_edge_and_keep_their_case_at_a_sentence_start() {
        // People here are often followed by the word "back", places preceded by "west".
        let p = project(vec![doc(
            1,
            "Then Ali back home, Omar back again, in west Basra and west Mosul.",
            &[
                ("Ali", "PER"),
                ("Omar", "PER"),
                ("Basra", "LOC"),
                ("Mosul", "LOC"),
            ],
        )]);
        let c = Conventions::learn(&p);
        // "Back" the surname is not "back".
        let d = doc(2, "Coach Neil Back spoke.", &[]);
        assert_eq!(moved(&c, &d, "Neil Back", "PER"), "Neil Back");
        // At a sentence start "West" is still the name this text capitalises elsewhere.
        let d = doc(3, "West Bank talks. Later the West Bank voted.", &[]);
        assert_eq!(moved(&c, &d, "West Bank", "LOC"), "West Bank");
        // A word only this sentence start capitalises is the lowercase word.
        let d = doc(4, "West Mosul fell.", &[]);
        assert_eq!(moved(&c, &d, "West Mosul", "LOC"), "Mosul");
    }

    #[test]
    fn bounded_engine_moves_what_its_inner_engine_proposes() {
        // The memory knows "African Union" without the article (it followed "NATO and");
        // the project's organisations start with "the".
        let p = project(vec![
            doc(1, "the Arab League met.", &[("the Arab League", "ORG")]),
            doc(2, "the Gulf Council met.", &[("the Gulf Council", "ORG")]),
            doc(3, "NATO and African Union.", &[("African Union", "ORG")]),
        ]);
        let mut bounded = Bounded::new(Box::new(crate::suggest::Memory::default()));
        bounded.learn(&p);
        let d = doc(4, "So the African Union spoke.", &[]);
        let got: Vec<String> = bounded
            .suggest(&p, &d)
            .iter()
            .map(|s| d.slice(s.start, s.end).to_string())
            .collect();
        assert_eq!(got, ["the African Union"]);
        assert_eq!(bounded.name(), "memory");
    }
}
