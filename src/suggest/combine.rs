//! Combining engines so a weaker one cannot drag the default below the best one:
//!
//! - `Calibrated` wraps a knowledge or memory engine and learns, per entity type, how often its
//!   suggestions on the analyst's annotated documents are right (the analyst's annotations
//!   and rejections are the accepts and rejects). A suggestion's score is capped by that
//!   precision (smoothed towards the engine's own score while the evidence is thin), so an
//!   engine that keeps proposing what the analyst leaves alone falls below the bar
//!   `suggest --accept` and `evaluate` use.
//! - `model_first` gives the learned model's decisions precedence: where the model proposes a
//!   span, other engines' suggestions overlapping it with other offsets or another type go
//!   (the model saw the gazetteer and the names as features and still chose otherwise).

use super::model::annotated_sample;
use super::util::relation_refs;
use super::{DEFAULT_MIN_SCORE, RelationSuggestion, Suggester, Suggestion};
use crate::model::{Document, Project, SpanRef};
use std::collections::HashMap;

/// At most about this many chars of annotated text are re-read to measure an engine.
const CALIBRATION_CHARS: usize = 400_000;

/// Pseudo-counts at the engine's own score: how much evidence it takes to move away from it.
const PRIOR_WEIGHT: f32 = 2.0;

/// Suggestions of a type it takes before their precision caps the score: a document or two
/// the analyst is still working through says little.
const MIN_EVIDENCE: usize = 5;

/// An engine whose scores are capped by the precision it showed on the analyst's documents.
pub struct Calibrated {
    inner: Box<dyn Suggester>,
    /// Per entity type: (right, suggested) on the annotated documents.
    counts: HashMap<String, (usize, usize)>,
}

impl Calibrated {
    pub fn new(inner: Box<dyn Suggester>) -> Calibrated {
        Calibrated {
            inner,
            counts: HashMap::new(),
        }
    }

    /// The measured (right, suggested) counts of a type.
    pub fn counts(&self, entity_type: &str) -> Option<(usize, usize)> {
        self.counts.get(entity_type).copied()
    }

    /// The score a suggestion keeps: its own, capped by the smoothed precision of its type.
    fn calibrated(&self, s: &Suggestion) -> f32 {
        capped(s.score, self.counts.get(&s.entity_type).copied())
    }
}

/// A score capped by the smoothed precision of (right, suggested) counts, once there are
/// enough of them.
fn capped(score: f32, counts: Option<(usize, usize)>) -> f32 {
    match counts {
        Some((right, n)) if n >= MIN_EVIDENCE => {
            let p = (right as f32 + PRIOR_WEIGHT * score) / (n as f32 + PRIOR_WEIGHT);
            score.min(p)
        }
        _ => score,
    }
}

/// The same cap for relation suggestions of a fixed-score engine (the built-in relation
/// cues), per relation type, measured on the documents where the analyst stated relations.
#[derive(Debug, Clone, Default)]
pub struct RelationCalibration {
    counts: HashMap<String, (usize, usize)>,
}

impl RelationCalibration {
    /// Counts, per relation type, what `propose` suggests on documents with relations, and
    /// how much of it is one of their relations (ends and type).
    pub fn measure(
        docs: &[&Document],
        mut propose: impl FnMut(&Document) -> Vec<RelationSuggestion>,
    ) -> RelationCalibration {
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        for &doc in docs {
            let stated: std::collections::HashSet<(SpanRef, SpanRef, String)> =
                relation_refs(doc).into_iter().collect();
            for r in propose(doc) {
                let c = counts.entry(r.relation_type.clone()).or_default();
                c.1 += 1;
                if stated.contains(&(r.source, r.target, r.relation_type)) {
                    c.0 += 1;
                }
            }
        }
        RelationCalibration { counts }
    }

    /// Caps each suggestion's score by its type's measured precision.
    pub fn cap(&self, list: &mut [RelationSuggestion]) {
        for r in list {
            let score = capped(r.score, self.counts.get(&r.relation_type).copied());
            if score < r.score {
                r.explanation = format!(
                    "{}; score capped at {score:.2} by how often it was right here",
                    r.explanation
                );
                r.score = score;
            }
        }
    }
}

/// Two relation engines' suggestions for one document as one list: the same relation (ends
/// and type) from both scores their noisy-or, so agreement lifts it.
pub fn either_relation(
    a: Vec<RelationSuggestion>,
    b: Vec<RelationSuggestion>,
) -> Vec<RelationSuggestion> {
    let mut out: Vec<RelationSuggestion> = Vec::with_capacity(a.len() + b.len());
    let mut index: HashMap<(SpanRef, SpanRef, String), usize> = HashMap::new();
    for (from_b, r) in a
        .into_iter()
        .map(|r| (false, r))
        .chain(b.into_iter().map(|r| (true, r)))
    {
        let key = (r.source.clone(), r.target.clone(), r.relation_type.clone());
        match index.get(&key) {
            Some(&i) if from_b => {
                let g = &mut out[i];
                g.score = 1.0 - (1.0 - g.score) * (1.0 - r.score);
                g.explanation = format!("{}; {}", g.explanation, r.explanation);
            }
            Some(&i) => out[i].score = out[i].score.max(r.score),
            None => {
                index.insert(key, out.len());
                out.push(r);
            }
        }
    }
    out
}

/// Counts, per type, the suggestions of `engine` on the annotated documents of `project`
/// that match a span exactly (offsets and type), and those the analyst rejected or left out.
fn measure(engine: &dyn Suggester, project: &Project) -> HashMap<String, (usize, usize)> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for doc in annotated_sample(project, Some(CALIBRATION_CHARS)) {
        for s in engine.suggest(project, doc) {
            let c = counts.entry(s.entity_type.clone()).or_default();
            c.1 += 1;
            if doc.has_span(s.start, s.end, &s.entity_type) {
                c.0 += 1;
            }
        }
    }
    counts
}

impl Suggester for Calibrated {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn learn(&mut self, project: &Project) {
        self.inner.learn(project);
        self.counts = measure(self.inner.as_ref(), project);
    }

    fn suggest(&self, project: &Project, doc: &Document) -> Vec<Suggestion> {
        let mut out = self.inner.suggest(project, doc);
        for s in &mut out {
            let score = self.calibrated(s);
            if score < s.score {
                s.explanation = format!(
                    "{}; score capped at {score:.2} by how often it was right here",
                    s.explanation
                );
                s.score = score;
            }
        }
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

/// Drops suggestions that overlap a model suggestion (at or above the default bar) without
/// being it: same offsets and type merge earlier, so what is left overlapping disagrees with
/// the model.
pub fn model_first(list: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut model: Vec<(usize, usize)> = list
        .iter()
        .filter(|s| s.is_from("model") && s.score >= DEFAULT_MIN_SCORE)
        .map(|s| (s.start, s.end))
        .collect();
    if model.is_empty() {
        return list;
    }
    model.sort_unstable();
    // Model spans of one document do not overlap each other (one BIO path), so the one
    // starting last before a range's end is the only one that can overlap it.
    list.into_iter()
        .filter(|s| {
            if s.is_from("model") {
                return true;
            }
            let i = model.partition_point(|&(start, _)| start < s.end);
            !(i > 0 && model[i - 1].1 > s.start)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Span, SpanId};
    use crate::suggest::Gazetteer;

    fn sugg(start: usize, end: usize, ty: &str, engine: &str, score: f32) -> Suggestion {
        Suggestion {
            document: DocumentId(1),
            start,
            end,
            entity_type: ty.into(),
            score,
            engine: engine.into(),
            explanation: String::new(),
        }
    }

    #[test]
    fn the_model_wins_overlaps_and_agreement_stays() {
        let list = vec![
            sugg(0, 10, "PER", "model", 0.9),
            sugg(0, 5, "LOC", "gazetteer", 0.9),
            sugg(8, 14, "ORG", "rules", 0.9),
            sugg(20, 25, "LOC", "gazetteer", 0.9),
            sugg(30, 35, "LOC", "model+gazetteer", 0.95),
            sugg(40, 45, "LOC", "model", 0.3),
            sugg(41, 44, "ORG", "memory", 0.8),
        ];
        let starts: Vec<usize> = model_first(list).iter().map(|s| s.start).collect();
        // The weak model guess at 40 does not silence memory at 41.
        assert_eq!(starts, vec![0, 20, 30, 40, 41]);
    }

    #[test]
    fn an_engine_the_analyst_keeps_overruling_falls_below_the_bar() {
        // The analyst never annotates "Syrian" although the gazetteer knows it.
        let mut p = Project::new("p");
        p.schema
            .knowledge_types
            .insert("nationality".into(), "NORP".into());
        for i in 0..6u64 {
            let text = "Syrian officials met in Damascus.".to_string();
            let mut d = Document::new(DocumentId(i + 1), "t", "t.txt", text);
            d.spans.push(Span::new(SpanId(100 + i), 24, 32, "GPE"));
            p.documents.push(d.into());
        }
        let mut e = Calibrated::new(Box::new(Gazetteer::new()));
        e.learn(&p);
        assert_eq!(e.counts("GPE"), Some((6, 6)));
        assert_eq!(e.counts("NORP"), Some((0, 6)));
        let doc = Document::new(
            DocumentId(9),
            "n",
            "n.txt",
            "Syrian troops left Damascus.".into(),
        );
        let got = e.suggest(&p, &doc);
        let score = |ty: &str| got.iter().find(|s| s.entity_type == ty).map(|s| s.score);
        assert!(
            score("NORP").is_some_and(|s| s < DEFAULT_MIN_SCORE),
            "{got:?}"
        );
        assert!(score("GPE").is_some_and(|s| s >= 0.85), "{got:?}");
    }
}
