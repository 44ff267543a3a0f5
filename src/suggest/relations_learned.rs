//! The learned relation classifier: over every ordered pair of mentions in one sentence
//! (at most `MAX_GAP` tokens apart), a multi-class averaged perceptron decides which of the
//! project's relation types the first states of the second, or none. Features: the words
//! between the two (each, bigrams, first, last, the whole stretch when short), their shapes,
//! the two mentions' types and head words, order, distance in tokens, the mentions in
//! between, the words just outside, and which built-in cue patterns fire (so the analyst's
//! own relation types can take over "X, a member of Y" or "X condemned Y").
//!
//! Trained from the project's relations: the documents that have at least one relation
//! (an analyst who has not started on a document's relations has not said there are none)
//! give one example per ordered pair of their spans, unrelated pairs being "none". Scores are
//! Platt-calibrated on held-out documents (two folds), so 0.5 means about even odds, and only
//! types the schema has, between argument types it allows, are ever proposed.

use super::model::{Linear, bucket, fit_platt, sigmoid, spread_sample};
use super::relations::{norm, pair_cues};
use super::util::{Analysis, relation_refs};
use super::{RelationSuggestion, SpanRef};
use crate::model::{Document, Project, Schema};
use crate::text::Token;
use std::collections::{BTreeSet, HashMap};

/// Feature table size (2^BITS rows).
const BITS: u32 = 18;
const EPOCHS: usize = 10;
/// Pairs further apart than this many tokens are not considered.
const MAX_GAP: usize = 30;
/// Below this calibrated score a pair is not proposed at all.
const FLOOR: f32 = 0.2;
/// Held-out relations it takes to trust the fitted calibration over the plain margin.
const MIN_HELD_OUT: usize = 5;
/// It learns from at most about this many chars of documents with relations, spread over the
/// project (a pair costs a few hundred bytes of features while training).
const TRAINING_CHARS: usize = 1_000_000;

/// The documents the relations engine learns from: those with relations (an analyst who has
/// not started on a document's relations has not said there are none), spread over the
/// project up to `TRAINING_CHARS`.
pub(super) fn relation_sample(project: &Project) -> Vec<&Document> {
    let docs = project
        .documents
        .iter()
        .filter(|d| !d.relations.is_empty())
        .map(|d| &**d)
        .collect();
    spread_sample(docs, Some(TRAINING_CHARS))
}

/// A trained relation classifier.
#[derive(Debug, Clone)]
pub struct RelationClassifier {
    /// Class k + 1 is `types[k]`; class 0 is "no relation".
    types: Vec<String>,
    model: Linear,
    /// Platt scaling of the margin (best allowed type over "none").
    platt: (f32, f32),
    /// Relations it learned from.
    relations: usize,
}

/// A mention with its token range in the document.
struct Mention<'a> {
    r: &'a SpanRef,
    first: usize,
    end: usize,
}

/// The ordered pairs of one document worth classifying: (source, target) indices into the
/// mention list, both orders of every pair of non-overlapping mentions of a sentence.
fn pairs(analysis: &Analysis, mentions: &[Mention]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for s in &analysis.sentences {
        let inside: Vec<usize> = (0..mentions.len())
            .filter(|&i| mentions[i].r.start >= s.start && mentions[i].r.end <= s.end)
            .collect();
        for (k, &i) in inside.iter().enumerate() {
            for &j in &inside[k + 1..] {
                let (a, b) = (&mentions[i], &mentions[j]);
                if b.r.start < a.r.end || a.first >= a.end || b.first >= b.end {
                    continue;
                }
                if b.first.saturating_sub(a.end) > MAX_GAP {
                    continue;
                }
                out.push((i, j));
                out.push((j, i));
            }
        }
    }
    out
}

fn mentions_of<'a>(tokens: &[Token], refs: &'a [SpanRef]) -> Vec<Mention<'a>> {
    refs.iter()
        .map(|r| Mention {
            r,
            first: tokens.partition_point(|t| t.end <= r.start),
            end: tokens.partition_point(|t| t.start < r.end),
        })
        .collect()
}

/// A word's shape: character classes with runs collapsed ("Xx", "d", ",").
fn shape(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_alphabetic() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if !out.ends_with(k) {
            out.push(k);
        }
    }
    out
}

fn distance_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4..=5 => "4-5",
        6..=8 => "6-8",
        9..=12 => "9-12",
        13..=20 => "13-20",
        _ => "21+",
    }
}

/// The features of the ordered pair (mentions[s] as source, mentions[t] as target).
fn features(
    doc: &Document,
    tokens: &[Token],
    mentions: &[Mention],
    s: usize,
    t: usize,
) -> Vec<u32> {
    let (src, tgt) = (&mentions[s], &mentions[t]);
    let forward = src.r.start < tgt.r.start;
    let (a, b) = if forward { (src, tgt) } else { (tgt, src) };
    let dir = if forward { "f" } else { "r" };
    let (ts, tt) = (src.r.entity_type.as_str(), tgt.r.entity_type.as_str());
    let types = format!("{ts}|{tt}|{dir}");
    let lower = |i: usize| tokens[i].text(&doc.text).to_lowercase();
    let between: Vec<String> = (a.end..b.first).map(lower).collect();
    let n = between.len();
    let dist = distance_bucket(n);
    let mut f: Vec<u32> = Vec::with_capacity(32 + 4 * n);
    let mut add = |name: &str, value: &str| f.push(bucket(name, value, BITS));
    add("bias", dir);
    add("types", &types);
    add("source", &format!("{ts}|{dir}"));
    add("target", &format!("{tt}|{dir}"));
    add("dist", &format!("{dist}|{dir}"));
    add("dist-types", &format!("{dist}|{types}"));
    for w in &between {
        add("bw", &format!("{w}|{dir}"));
        add("bw-types", &format!("{w}|{types}"));
    }
    for w in between.windows(2) {
        add("bb", &format!("{} {}|{dir}", w[0], w[1]));
    }
    if let (Some(first), Some(last)) = (between.first(), between.last()) {
        add("bfirst", &format!("{first}|{dir}"));
        add("blast", &format!("{last}|{dir}"));
    }
    if n <= 5 {
        let all = between.join(" ");
        add("between", &format!("{all}|{dir}"));
        add("between-types", &format!("{all}|{types}"));
    }
    if n <= 8 {
        let shapes: Vec<String> = (a.end..b.first)
            .map(|i| shape(tokens[i].text(&doc.text)))
            .collect();
        add("bshape", &format!("{}|{dir}", shapes.join(" ")));
    }
    // The words just outside the pair.
    for (k, name) in [(1, "pre1"), (2, "pre2")] {
        let w = a.first.checked_sub(k).map(lower).unwrap_or_default();
        add(name, &w);
    }
    for (k, name) in [(0, "post1"), (1, "post2")] {
        let w = tokens
            .get(b.end + k)
            .map(|_| lower(b.end + k))
            .unwrap_or_default();
        add(name, &w);
    }
    // Head (last) and first words of the two mentions.
    add("shead", &lower(src.end - 1));
    add("thead", &lower(tgt.end - 1));
    add("sfirst", &lower(src.first));
    add("tfirst", &lower(tgt.first));
    // Other mentions in between.
    let inner: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.r.start >= a.r.end && m.r.end <= b.r.start)
        .collect();
    add("inner", &format!("{}|{dir}", inner.len().min(3)));
    for m in &inner {
        add("inner-type", &format!("{}|{dir}", m.r.entity_type));
    }
    // The built-in cue patterns, read as "a source of this kind would be an actor or a
    // person"; the analyst's own types learn what each cue means in their schema.
    let text = norm(doc.slice(a.r.end, b.r.start));
    for as_type in ["ORG", "PER"] {
        for cue in pair_cues(&text, as_type) {
            let same = if cue.forward == forward {
                "same"
            } else {
                "opposite"
            };
            add("cue", &format!("{}|{same}", cue.relation_type));
            add(
                "cue-types",
                &format!("{}|{same}|{types}", cue.relation_type),
            );
        }
    }
    f
}

/// The project's documents that have relations, with their spans as mentions and their
/// relations as (source, target) -> type.
type Gold = HashMap<(SpanRef, SpanRef), String>;

fn training_documents<'a>(docs: &[&'a Document]) -> Vec<(&'a Document, Vec<SpanRef>, Gold)> {
    docs.iter()
        .map(|&d| {
            let mut refs: Vec<SpanRef> = d.spans.iter().map(SpanRef::of_span).collect();
            refs.sort();
            refs.dedup();
            let gold: Gold = relation_refs(d)
                .into_iter()
                .map(|(a, b, ty)| ((a, b), ty))
                .collect();
            (d, refs, gold)
        })
        .collect()
}

/// An ordered pair to learn from: its features, class, and the two mentions' types.
#[derive(Clone)]
struct Example {
    feats: Vec<u32>,
    class: usize,
    types: (String, String),
}

/// One document's examples: every ordered pair of its mentions.
fn examples(doc: &Document, refs: &[SpanRef], gold: &Gold, types: &[String]) -> Vec<Example> {
    let analysis = Analysis::of(&doc.text);
    let mentions = mentions_of(&analysis.tokens, refs);
    pairs(&analysis, &mentions)
        .into_iter()
        .map(|(s, t)| {
            let (a, b) = (mentions[s].r, mentions[t].r);
            let class = gold
                .get(&(a.clone(), b.clone()))
                .and_then(|ty| types.iter().position(|x| x == ty))
                .map_or(0, |k| k + 1);
            Example {
                feats: features(doc, &analysis.tokens, &mentions, s, t),
                class,
                types: (a.entity_type.clone(), b.entity_type.clone()),
            }
        })
        .collect()
}

impl RelationClassifier {
    /// Trains on the relations of `docs` (see `relation_sample`); None when they have none.
    /// The project's schema says which types may be proposed between which.
    pub fn train(project: &Project, docs: &[&Document]) -> Option<RelationClassifier> {
        let docs = training_documents(docs);
        let types: Vec<String> = docs
            .iter()
            .flat_map(|(_, _, g)| g.values().cloned())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        if types.is_empty() {
            return None;
        }
        let relations = docs.iter().map(|(_, _, g)| g.len()).sum();
        use rayon::prelude::*;
        let per_doc: Vec<Vec<Example>> = docs
            .par_iter()
            .map(|(d, refs, gold)| examples(d, refs, gold, &types))
            .collect();
        let classes = types.len() + 1;
        let fit = |keep: &(dyn Fn(usize) -> bool + Sync)| -> Linear {
            let ex: Vec<(Vec<u32>, usize)> = per_doc
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .flat_map(|(_, e)| e.iter().map(|x| (x.feats.clone(), x.class)))
                .collect();
            Linear::train(&ex, classes, BITS, EPOCHS)
        };
        // Calibration: each half of the documents is scored by a model of the other half.
        let mut platt = (1.0, 0.0);
        let held_out: usize = docs.iter().map(|(_, _, g)| g.len()).sum();
        if docs.len() >= 2 && held_out >= MIN_HELD_OUT {
            let (odd, even) = rayon::join(|| fit(&|i| i % 2 == 1), || fit(&|i| i % 2 == 0));
            let mut points = Vec::new();
            for (i, ex) in per_doc.iter().enumerate() {
                let model = if i % 2 == 0 { &odd } else { &even };
                for x in ex {
                    let scores = model.scores(&x.feats);
                    if let Some((k, margin)) = best(&types, &project.schema, &scores, &x.types) {
                        points.push((margin, k == x.class));
                    }
                }
            }
            if points.iter().any(|p| p.1) {
                platt = fit_platt(&points);
            }
        }
        Some(RelationClassifier {
            model: fit(&|_| true),
            types,
            platt,
            relations,
        })
    }

    /// Relations it learned from.
    pub fn relations(&self) -> usize {
        self.relations
    }

    /// Relation suggestions between the given mentions of a document (same sentence, both
    /// orders), calibrated, at or above `FLOOR`.
    pub(super) fn suggest(
        &self,
        project: &Project,
        doc: &Document,
        analysis: &Analysis,
        refs: &[SpanRef],
    ) -> Vec<RelationSuggestion> {
        let mentions = mentions_of(&analysis.tokens, refs);
        let mut out = Vec::new();
        for (s, t) in pairs(analysis, &mentions) {
            let (a, b) = (mentions[s].r, mentions[t].r);
            let feats = features(doc, &analysis.tokens, &mentions, s, t);
            let scores = self.model.scores(&feats);
            let types = (a.entity_type.clone(), b.entity_type.clone());
            let Some((k, margin)) = best(&self.types, &project.schema, &scores, &types) else {
                continue;
            };
            let score = sigmoid(self.platt.0 * margin + self.platt.1);
            if score < FLOOR {
                continue;
            }
            out.push(RelationSuggestion {
                document: doc.id,
                source: a.clone(),
                target: b.clone(),
                relation_type: self.types[k - 1].clone(),
                score,
                engine: "relations".to_string(),
                explanation: format!(
                    "relation classifier trained on {}",
                    crate::text::count(self.relations, "relation", "relations")
                ),
            });
        }
        out
    }
}

/// The best class the schema allows between the two types (by id, k >= 1) and its margin
/// over "no relation".
fn best(
    types: &[String],
    schema: &Schema,
    scores: &[f32],
    (ts, tt): &(String, String),
) -> Option<(usize, f32)> {
    types
        .iter()
        .enumerate()
        .filter(|(_, ty)| schema.relation_type(ty).is_some_and(|r| r.allows(ts, tt)))
        .map(|(k, _)| (k + 1, scores[k + 1] - scores[0]))
        .max_by(|x, y| x.1.total_cmp(&y.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Relation, RelationId, Schema, Span, SpanId};

    /// A project with its own schema: Person commands Unit; sentences where a person
    /// commands a unit (related) and where one only visits it (not).
    fn project() -> Project {
        let mut p = Project::new("p");
        p.schema = Schema::default();
        p.schema.ensure_entity_type("Person");
        p.schema.ensure_entity_type("Unit");
        p.schema.ensure_relation_type("commands");
        if let Some(r) = p.schema.relation_types.first_mut() {
            r.source_types = vec!["Person".into()];
            r.target_types = vec!["Unit".into()];
        }
        let people = [
            ("Lena Ora", "Vostok"),
            ("Ivo Brant", "Sever"),
            ("Mara Tull", "Kestrel"),
        ];
        for (i, (per, unit)) in people.iter().enumerate() {
            let id = i as u64 + 1;
            let text = format!("{per} commands the {unit} brigade. Later {per} visited {unit}.");
            let mut d = Document::new(DocumentId(id), "t", "t.txt", text.clone());
            let mut next = id * 100;
            let mut span = |d: &mut Document, from: usize, word: &str, ty: &str| -> SpanId {
                let b = from + text[from..].find(word).unwrap_or(0);
                next += 1;
                d.spans.push(Span::new(SpanId(next), b, b + word.len(), ty));
                SpanId(next)
            };
            let a = span(&mut d, 0, per, "Person");
            let b = span(&mut d, 0, unit, "Unit");
            let later = text.find("Later").unwrap_or(0);
            span(&mut d, later, per, "Person");
            span(&mut d, later, unit, "Unit");
            d.relations
                .push(Relation::new(RelationId(id * 100 + 50), "commands", a, b));
            p.documents.push(d.into());
        }
        p
    }

    fn suggest(
        c: &RelationClassifier,
        p: &Project,
        text: &str,
        mentions: &[(&str, &str)],
    ) -> Vec<(String, String, String, f32)> {
        let d = Document::new(DocumentId(9), "n", "n.txt", text.into());
        let refs: Vec<SpanRef> = mentions
            .iter()
            .map(|(w, ty)| {
                let b = text.find(w).unwrap_or(0);
                SpanRef::new(b, b + w.len(), ty)
            })
            .collect();
        c.suggest(p, &d, &Analysis::of(text), &refs)
            .into_iter()
            .map(|r| {
                (
                    d.slice(r.source.start, r.source.end).to_string(),
                    r.relation_type,
                    d.slice(r.target.start, r.target.end).to_string(),
                    r.score,
                )
            })
            .collect()
    }

    #[test]
    fn learns_a_pattern_and_finds_it_in_a_new_sentence() {
        let p = project();
        let Some(c) = RelationClassifier::train(&p, &relation_sample(&p)) else {
            panic!("nothing learned")
        };
        assert_eq!(c.relations(), 3);
        let got = suggest(
            &c,
            &p,
            "Oren Vale commands the Zapad brigade.",
            &[("Oren Vale", "Person"), ("Zapad", "Unit")],
        );
        assert!(
            got.iter().any(|(a, r, b, s)| a == "Oren Vale"
                && r == "commands"
                && b == "Zapad"
                && *s >= 0.5),
            "{got:?}"
        );
        // Visiting is not commanding.
        let got = suggest(
            &c,
            &p,
            "Oren Vale visited Zapad.",
            &[("Oren Vale", "Person"), ("Zapad", "Unit")],
        );
        assert!(got.iter().all(|x| x.3 < 0.5), "{got:?}");
    }

    #[test]
    fn only_types_the_schema_has_between_the_types_it_allows() {
        let p = project();
        let Some(c) = RelationClassifier::train(&p, &relation_sample(&p)) else {
            panic!("nothing learned")
        };
        let text = "Oren Vale commands the Zapad brigade.";
        // The target is not a Unit: "commands" does not allow it.
        let wrong = [("Oren Vale", "Person"), ("Zapad", "Person")];
        assert!(suggest(&c, &p, text, &wrong).is_empty());
        // The schema no longer has the relation type.
        let mut q = p.clone();
        q.schema.relation_types.clear();
        let right = [("Oren Vale", "Person"), ("Zapad", "Unit")];
        assert!(suggest(&c, &q, text, &right).is_empty());
        // Nothing to learn from: no classifier.
        let mut empty = p.clone();
        for d in empty.documents.iter_mut().map(std::sync::Arc::make_mut) {
            d.relations.clear();
        }
        assert!(RelationClassifier::train(&empty, &relation_sample(&empty)).is_none());
    }
}
