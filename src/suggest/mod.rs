//! Suggestion engines behind one trait, merging and ranking of their output, and the edits
//! that accept or reject suggestions.
//!
//! An engine learns from a project (never changing it) and then proposes spans for a
//! document; each suggestion carries its engine, a score in 0..=1 and an explanation.
//! `run_engines` runs chosen engines over documents in parallel, merges what several engines
//! agree on, and drops what the project already has or the analyst rejected.

pub mod bounds;
pub mod combine;
pub mod gazetteer;
pub mod knowledge;
pub mod memory;
pub mod model;
pub mod relations;
mod relations_learned;
pub mod rules;
pub(crate) mod util;

pub use bounds::Bounded;
pub use combine::Calibrated;
pub use gazetteer::Gazetteer;
pub use memory::Memory;
pub use model::{Tagger, TaggerEngine, TrainOptions};
pub use relations::RelationPatterns;
pub use relations_learned::RelationClassifier;
pub use rules::Rules;

pub use crate::model::SpanRef;
use crate::model::{Document, DocumentId, Project, SpanId};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Suggestions at or above this score are the ones `suggest --accept` and `evaluate` take.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// A proposed entity mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub document: DocumentId,
    /// Char offsets, end exclusive.
    pub start: usize,
    pub end: usize,
    pub entity_type: String,
    pub score: f32,
    /// The engine, or engines joined by '+' when several agreed.
    pub engine: String,
    pub explanation: String,
}

impl Suggestion {
    pub fn span_ref(&self) -> SpanRef {
        SpanRef::new(self.start, self.end, &self.entity_type)
    }

    /// True when the engine, or one of the engines that agreed, is `engine`.
    pub fn is_from(&self, engine: &str) -> bool {
        self.engine.split('+').any(|e| e == engine)
    }
}

/// A proposed relation between two spans of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationSuggestion {
    pub document: DocumentId,
    pub source: SpanRef,
    pub target: SpanRef,
    pub relation_type: String,
    pub score: f32,
    pub engine: String,
    pub explanation: String,
}

/// A suggestion engine. `learn` reads the project's annotations (and must not change them);
/// `suggest` proposes spans for one document.
pub trait Suggester: Send + Sync {
    fn name(&self) -> &'static str;
    fn learn(&mut self, project: &Project);
    fn suggest(&self, project: &Project, doc: &Document) -> Vec<Suggestion>;
    /// Relations between the document's spans and the (merged) entity suggestions.
    fn suggest_relations(
        &self,
        _project: &Project,
        _doc: &Document,
        _candidates: &[Suggestion],
    ) -> Vec<RelationSuggestion> {
        Vec::new()
    }
}

/// The engine names `engines_by_name` knows, in the order they run.
pub const ENGINE_NAMES: &[&str] = &["gazetteer", "rules", "memory", "model", "relations"];

/// Error for an engine name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown engine '{0}'; valid engines: gazetteer, rules, memory, model, relations")]
pub struct UnknownEngine(pub String);

/// Builds engines from names (all of them for an empty list), untrained. The knowledge and
/// memory engines come calibrated (`combine::Calibrated`): their scores are capped by how
/// often they were right on the analyst's annotated documents.
pub fn engines_by_name(names: &[String]) -> Result<Vec<Box<dyn Suggester>>, UnknownEngine> {
    let names: Vec<&str> = if names.is_empty() {
        ENGINE_NAMES.to_vec()
    } else {
        names.iter().map(|s| s.trim()).collect()
    };
    let mut out: Vec<Box<dyn Suggester>> = Vec::new();
    for name in names {
        if out.iter().any(|e| e.name() == name) {
            continue;
        }
        out.push(match name {
            "gazetteer" => Box::new(Calibrated::new(Box::new(Bounded::new(Box::new(
                Gazetteer::new(),
            ))))),
            "rules" => Box::new(Calibrated::new(Box::new(Bounded::new(Box::new(
                Rules::new(),
            ))))),
            "memory" => Box::new(Calibrated::new(Box::new(Memory::default()))),
            "model" => Box::new(Bounded::new(Box::new(TaggerEngine::default()))),
            "relations" => Box::new(RelationPatterns::default()),
            other => return Err(UnknownEngine(other.to_string())),
        });
    }
    Ok(out)
}

/// What a run of the engines proposes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuggestionSet {
    /// Sorted by document order, then start, end and type.
    pub entities: Vec<Suggestion>,
    pub relations: Vec<RelationSuggestion>,
}

impl SuggestionSet {
    /// Counts per engine (as listed on the suggestion) and type.
    pub fn counts(&self) -> BTreeMap<(String, String), usize> {
        let mut out = BTreeMap::new();
        for s in &self.entities {
            *out.entry((s.engine.clone(), s.entity_type.clone()))
                .or_insert(0) += 1;
        }
        out
    }

    /// Keeps suggestions scoring at least `min_score`, then per document the best-scoring
    /// ones that do not overlap each other (ties: longer first). Relations whose ends were
    /// dropped go too (ends that are existing spans stay valid).
    pub fn best(&self, project: &Project, min_score: f32) -> SuggestionSet {
        let candidates: Vec<&Suggestion> = self
            .entities
            .iter()
            .filter(|s| s.score >= min_score)
            .collect();
        let mut entities = resolve_overlaps(project, candidates);
        sort_suggestions(project, &mut entities);
        let kept: std::collections::HashSet<(DocumentId, SpanRef)> = entities
            .iter()
            .map(|s| (s.document, s.span_ref()))
            .collect();
        let has_end = |doc: DocumentId, r: &SpanRef| {
            kept.contains(&(doc, r.clone()))
                || project
                    .document(doc)
                    .is_some_and(|d| d.has_span(r.start, r.end, &r.entity_type))
        };
        let relations = self
            .relations
            .iter()
            .filter(|r| r.score >= min_score)
            .filter(|r| has_end(r.document, &r.source) && has_end(r.document, &r.target))
            .cloned()
            .collect();
        SuggestionSet {
            entities,
            relations,
        }
    }
}

/// The one overlap resolver for suggestions (bulk accepts, `suggest --accept`, the ghosts
/// in the text): per document, the best-scoring suggestions (ties: longer, then earlier)
/// that overlap neither each other nor sit on the exact range of an existing span of any
/// type. So one bulk accept never puts two types on one stretch of text, and never adds a
/// second span where the analyst already decided what the text is. O(n log n). The result
/// is in reading order: documents in project order (unknown ones last, by id), then by
/// start, end and type; so the spans one accept adds get their ids in that order, the same
/// every run.
pub fn resolve_overlaps<'a>(
    project: &Project,
    candidates: impl IntoIterator<Item = &'a Suggestion>,
) -> Vec<Suggestion> {
    let mut by_doc: HashMap<DocumentId, Vec<&Suggestion>> = HashMap::new();
    for s in candidates {
        by_doc.entry(s.document).or_default().push(s);
    }
    let mut by_doc: Vec<(DocumentId, Vec<&Suggestion>)> = by_doc.into_iter().collect();
    by_doc.sort_by_key(|(doc, _)| (project.document_index(*doc).unwrap_or(usize::MAX), doc.0));
    let mut out = Vec::new();
    for (doc, mut list) in by_doc {
        let first = out.len();
        let taken: std::collections::HashSet<(usize, usize)> = project
            .document(doc)
            .map(|d| d.spans.iter().map(|s| (s.start, s.end)).collect())
            .unwrap_or_default();
        list.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.start.cmp(&b.start))
                .then(a.entity_type.cmp(&b.entity_type))
        });
        // Kept ranges never overlap, so a new range overlaps one only if it overlaps the
        // kept range starting last before its end.
        let mut kept: BTreeMap<usize, usize> = BTreeMap::new();
        for s in list {
            if s.start >= s.end || taken.contains(&(s.start, s.end)) {
                continue;
            }
            let overlaps = kept
                .range(..s.end)
                .next_back()
                .is_some_and(|(_, &end)| end > s.start);
            if !overlaps {
                kept.insert(s.start, s.end);
                out.push(s.clone());
            }
        }
        out[first..].sort_by(|a, b| {
            (a.start, a.end, &a.entity_type).cmp(&(b.start, b.end, &b.entity_type))
        });
    }
    out
}

fn sort_suggestions(project: &Project, list: &mut [Suggestion]) {
    let order: HashMap<DocumentId, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i))
        .collect();
    list.sort_by(|a, b| {
        let oa = order.get(&a.document).copied().unwrap_or(usize::MAX);
        let ob = order.get(&b.document).copied().unwrap_or(usize::MAX);
        (oa, a.start, a.end, &a.entity_type).cmp(&(ob, b.start, b.end, &b.entity_type))
    });
}

/// Merges suggestions with the same document, offsets and type (from different engines or
/// the same one): the score is the noisy-or of the scores, so agreement boosts it; engines and
/// explanations are listed.
pub fn merge(list: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut groups: BTreeMap<(u64, usize, usize, String), Vec<Suggestion>> = BTreeMap::new();
    for s in list {
        groups
            .entry((s.document.0, s.start, s.end, s.entity_type.clone()))
            .or_default()
            .push(s);
    }
    groups
        .into_values()
        .filter_map(|group| {
            let mut it = group.into_iter();
            let mut first = it.next()?;
            let mut miss = 1.0 - first.score.clamp(0.0, 1.0);
            let mut engines = vec![first.engine.clone()];
            let mut best = first.score;
            for s in it {
                if engines.contains(&s.engine) {
                    if s.score > best {
                        best = s.score;
                        miss = 1.0 - s.score;
                        first.explanation = s.explanation;
                    }
                    continue;
                }
                miss *= 1.0 - s.score.clamp(0.0, 1.0);
                engines.push(s.engine);
                first.explanation = format!("{}; {}", first.explanation, s.explanation);
            }
            first.score = 1.0 - miss;
            first.engine = engines.join("+");
            Some(first)
        })
        .collect()
}

fn merge_relations(list: Vec<RelationSuggestion>) -> Vec<RelationSuggestion> {
    let mut groups: BTreeMap<(u64, SpanRef, SpanRef, String), RelationSuggestion> = BTreeMap::new();
    for r in list {
        let key = (
            r.document.0,
            r.source.clone(),
            r.target.clone(),
            r.relation_type.clone(),
        );
        match groups.get_mut(&key) {
            Some(g) => {
                if !g.engine.split('+').any(|e| e == r.engine) {
                    g.score = 1.0 - (1.0 - g.score) * (1.0 - r.score);
                    g.engine = format!("{}+{}", g.engine, r.engine);
                    g.explanation = format!("{}; {}", g.explanation, r.explanation);
                } else if r.score > g.score {
                    *g = RelationSuggestion {
                        engine: g.engine.clone(),
                        ..r
                    };
                }
            }
            None => {
                groups.insert(key, r);
            }
        }
    }
    groups.into_values().collect()
}

/// Teaches every engine from the project.
pub fn learn_all(engines: &mut [Box<dyn Suggester>], project: &Project) {
    for e in engines.iter_mut() {
        e.learn(project);
    }
}

/// Runs trained engines over documents (all of the project's when `docs` is empty), in
/// parallel. Drops suggestions equal to an existing span, ones the project rejected, and
/// (whatever an engine proposes) entity and relation types the project's schema lacks.
pub fn run_engines(
    project: &Project,
    engines: &[Box<dyn Suggester>],
    docs: &[DocumentId],
) -> SuggestionSet {
    let chosen: Vec<&Document> = if docs.is_empty() {
        project.documents.iter().map(|d| &**d).collect()
    } else {
        docs.iter().filter_map(|id| project.document(*id)).collect()
    };
    let per_doc: Vec<(Vec<Suggestion>, Vec<RelationSuggestion>)> = chosen
        .par_iter()
        .map(|doc| suggest_document(project, engines, doc))
        .collect();
    let mut set = SuggestionSet::default();
    for (e, r) in per_doc {
        set.entities.extend(e);
        set.relations.extend(r);
    }
    sort_suggestions(project, &mut set.entities);
    set
}

fn suggest_document(
    project: &Project,
    engines: &[Box<dyn Suggester>],
    doc: &Document,
) -> (Vec<Suggestion>, Vec<RelationSuggestion>) {
    let len = doc.char_len();
    let raw: Vec<Suggestion> = engines
        .iter()
        .flat_map(|e| e.suggest(project, doc))
        .filter(|s| s.document == doc.id && s.start < s.end && s.end <= len)
        .filter(|s| project.schema.entity_type(&s.entity_type).is_some())
        .collect();
    let entities: Vec<Suggestion> = combine::model_first(merge(raw))
        .into_iter()
        .filter(|s| !doc.has_span(s.start, s.end, &s.entity_type))
        .filter(|s| !project.is_rejected(doc.id, s.start, s.end, &s.entity_type))
        .collect();
    let existing = existing_relations(doc);
    let relations = engines
        .iter()
        .flat_map(|e| e.suggest_relations(project, doc, &entities))
        .filter(|r| {
            r.document == doc.id
                && project.schema.relation_type(&r.relation_type).is_some()
                && project.schema.entity_type(&r.source.entity_type).is_some()
                && project.schema.entity_type(&r.target.entity_type).is_some()
                && !existing.contains(&(
                    r.relation_type.as_str(),
                    end_key(&r.source),
                    end_key(&r.target),
                ))
                && !project.is_relation_rejected(doc.id, &r.relation_type, &r.source, &r.target)
        })
        .collect();
    (entities, merge_relations(relations))
}

/// A relation end by offsets and type, borrowed.
type EndKey<'a> = (usize, usize, &'a str);

fn end_key(r: &SpanRef) -> EndKey<'_> {
    (r.start, r.end, r.entity_type.as_str())
}

/// The document's relations by type and both ends' offsets and types, built once per
/// document (a search of every relation and its two ends per suggestion grew with the
/// product of suggestions, relations and spans).
fn existing_relations(doc: &Document) -> HashSet<(&str, EndKey<'_>, EndKey<'_>)> {
    if doc.relations.is_empty() {
        return HashSet::new();
    }
    let spans: HashMap<SpanId, EndKey<'_>> = doc
        .spans
        .iter()
        .map(|s| (s.id, (s.start, s.end, s.entity_type.as_str())))
        .collect();
    doc.relations
        .iter()
        .filter_map(|rel| {
            let source = *spans.get(&rel.source)?;
            let target = *spans.get(&rel.target)?;
            Some((rel.relation_type.as_str(), source, target))
        })
        .collect()
}

#[cfg(test)]
mod tests;
