//! Precision, recall and F1 of suggestions against gold annotations: exact span + type
//! matching for entities; relations match when both ends (offsets and types) and the
//! relation type agree.

pub mod simulate;

pub use simulate::{Actions, DocumentRun, SimulateError, Simulation, simulate};

use crate::model::{DocumentId, Project};
use crate::suggest::{
    DEFAULT_MIN_SCORE, SpanRef, SuggestionSet, UnknownEngine, engines_by_name, learn_all,
    run_engines,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;
use std::time::Instant;

/// Counts and scores for one type (or all of them).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Scores {
    pub fn from_counts(gold: usize, predicted: usize, correct: usize) -> Scores {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(correct, predicted);
        let recall = ratio(correct, gold);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
            gold,
            predicted,
            correct,
        }
    }
}

/// Micro-averaged scores and scores per type.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Evaluation {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
    pub per_type: BTreeMap<String, Scores>,
}

/// Scores sets of (key, type) items.
pub fn score<K: Eq + Hash + Clone>(gold: &[(K, String)], predicted: &[(K, String)]) -> Evaluation {
    let gold_set: HashSet<(K, String)> = gold.iter().cloned().collect();
    let pred_set: HashSet<(K, String)> = predicted.iter().cloned().collect();
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (_, t) in &gold_set {
        counts.entry(t.clone()).or_default().0 += 1;
    }
    for item in &pred_set {
        let c = counts.entry(item.1.clone()).or_default();
        c.1 += 1;
        if gold_set.contains(item) {
            c.2 += 1;
        }
    }
    let (g, p, c) = counts
        .values()
        .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let micro = Scores::from_counts(g, p, c);
    Evaluation {
        precision: micro.precision,
        recall: micro.recall,
        f1: micro.f1,
        gold: g,
        predicted: p,
        correct: c,
        per_type: counts
            .into_iter()
            .map(|(t, (g, p, c))| (t, Scores::from_counts(g, p, c)))
            .collect(),
    }
}

/// The result of an evaluation run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Report {
    pub entities: Evaluation,
    pub relations: Evaluation,
    pub documents: usize,
    pub seconds: f64,
    /// Seconds spent learning (part of `seconds`).
    pub train_seconds: f64,
    pub engines: Vec<String>,
}

type EntityKey = (DocumentId, usize, usize);
type RelationKey = (DocumentId, SpanRef, SpanRef);
/// Typed entity and relation items of a project or suggestion set.
pub type Items = (Vec<(EntityKey, String)>, Vec<(RelationKey, String)>);

/// The gold entities and relations of a project.
pub fn gold_items(gold: &Project) -> Items {
    let mut ents = Vec::new();
    let mut rels = Vec::new();
    for d in &gold.documents {
        for s in &d.spans {
            ents.push(((d.id, s.start, s.end), s.entity_type.to_string()));
        }
        for r in &d.relations {
            if let (Some(a), Some(b)) = (d.span(r.source), d.span(r.target)) {
                rels.push((
                    (d.id, SpanRef::of_span(a), SpanRef::of_span(b)),
                    r.relation_type.to_string(),
                ));
            }
        }
    }
    (ents, rels)
}

/// The predicted entities and relations of a suggestion set.
pub fn predicted_items(set: &SuggestionSet) -> Items {
    let ents = set
        .entities
        .iter()
        .map(|s| ((s.document, s.start, s.end), s.entity_type.clone()))
        .collect();
    let rels = set
        .relations
        .iter()
        .map(|r| {
            (
                (r.document, r.source.clone(), r.target.clone()),
                r.relation_type.clone(),
            )
        })
        .collect();
    (ents, rels)
}

/// A copy of the gold project with its annotations hidden: no spans, relations, entities or
/// decisions; same documents, ids and schema.
pub fn hide_annotations(gold: &Project) -> Project {
    let mut p = gold.clone();
    for d in p.documents.iter_mut().map(Arc::make_mut) {
        d.spans.clear();
        d.relations.clear();
    }
    p.entities.clear();
    p.decisions.clear();
    p
}

/// Engines (by name; all for an empty list) learn from `train` when given, then suggest on
/// the gold texts with their annotations hidden; the best non-overlapping suggestions at the
/// default minimum score are compared with the gold annotations.
pub fn evaluate(
    gold: &Project,
    train: Option<&Project>,
    engines: &[String],
) -> Result<Report, UnknownEngine> {
    let started = Instant::now();
    let mut engines = engines_by_name(engines)?;
    let names = engines.iter().map(|e| e.name().to_string()).collect();
    let hidden = hide_annotations(gold);
    learn_all(&mut engines, train.unwrap_or(&hidden));
    let train_seconds = started.elapsed().as_secs_f64();
    let set = run_engines(&hidden, &engines, &[]).best(&hidden, DEFAULT_MIN_SCORE);
    let (gold_e, gold_r) = gold_items(gold);
    let (pred_e, pred_r) = predicted_items(&set);
    Ok(Report {
        entities: score(&gold_e, &pred_e),
        relations: score(&gold_r, &pred_r),
        documents: gold.documents.len(),
        seconds: started.elapsed().as_secs_f64(),
        train_seconds,
        engines: names,
    })
}

/// The gold documents' file names, for a stable order (the same one `--simulate` replays).
pub(crate) fn file_order(gold: &Project) -> Vec<&Arc<crate::model::Document>> {
    let mut order: Vec<&Arc<crate::model::Document>> = gold.documents.iter().collect();
    order.sort_by_key(|d| (simulate::file_name(d), d.id));
    order
}

/// Sums the counts of two evaluations (micro and per type) and recomputes the scores.
fn add_evaluations(a: &Evaluation, b: &Evaluation) -> Evaluation {
    let mut per: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for e in [a, b] {
        for (t, s) in &e.per_type {
            let c = per.entry(t.clone()).or_default();
            c.0 += s.gold;
            c.1 += s.predicted;
            c.2 += s.correct;
        }
    }
    let micro = Scores::from_counts(
        a.gold + b.gold,
        a.predicted + b.predicted,
        a.correct + b.correct,
    );
    Evaluation {
        precision: micro.precision,
        recall: micro.recall,
        f1: micro.f1,
        gold: micro.gold,
        predicted: micro.predicted,
        correct: micro.correct,
        per_type: per
            .into_iter()
            .map(|(t, (g, p, c))| (t, Scores::from_counts(g, p, c)))
            .collect(),
    }
}

/// K-fold cross-validation by document: the gold documents in file-name order, document i in
/// fold i mod K; for each fold the engines learn from the other folds' documents (with their
/// annotations) and suggest on the fold's, annotations hidden. Counts are summed over the
/// folds, so the scores are micro averages over every gold mention.
pub fn cross_validate(
    gold: &Project,
    folds: usize,
    engines: &[String],
) -> Result<Report, UnknownEngine> {
    let started = Instant::now();
    let folds = folds.clamp(2, gold.documents.len().max(2));
    let order = file_order(gold);
    let mut total = Report::default();
    for k in 0..folds {
        let part = |held_out: bool| {
            let mut p = gold.clone();
            p.documents = order
                .iter()
                .enumerate()
                .filter(|(i, _)| (i % folds == k) == held_out)
                .map(|(_, d)| Arc::clone(d))
                .collect();
            p.documents.sort_by_key(|d| d.id);
            p.entities.clear();
            p.decisions.clear();
            p
        };
        let (test, train) = (part(true), part(false));
        if test.documents.is_empty() {
            continue;
        }
        let r = evaluate(&test, Some(&train), engines)?;
        total.entities = add_evaluations(&total.entities, &r.entities);
        total.relations = add_evaluations(&total.relations, &r.relations);
        total.documents += r.documents;
        total.train_seconds += r.train_seconds;
        total.engines = r.engines;
    }
    total.seconds = started.elapsed().as_secs_f64();
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Span, SpanId};

    #[test]
    fn micro_and_per_type_scores() {
        let d = DocumentId(1);
        let gold = vec![
            ((d, 0, 5), "PER".to_string()),
            ((d, 10, 15), "GPE".to_string()),
            ((d, 20, 25), "GPE".to_string()),
        ];
        let pred = vec![
            ((d, 0, 5), "PER".to_string()),
            ((d, 10, 15), "LOC".to_string()),
            ((d, 20, 25), "GPE".to_string()),
            ((d, 30, 35), "GPE".to_string()),
        ];
        let e = score(&gold, &pred);
        assert_eq!((e.gold, e.predicted, e.correct), (3, 4, 2));
        assert!((e.precision - 0.5).abs() < 1e-9);
        assert!((e.recall - 2.0 / 3.0).abs() < 1e-9);
        assert!((e.f1 - 4.0 / 7.0).abs() < 1e-9);
        let gpe = e.per_type["GPE"];
        assert_eq!((gpe.gold, gpe.predicted, gpe.correct), (2, 2, 1));
        assert_eq!(e.per_type["LOC"].precision, 0.0);
        assert_eq!(e.per_type["PER"].f1, 1.0);
    }

    #[test]
    fn evaluates_rules_on_a_gold_document() {
        let mut gold = Project::new("gold");
        let text = "Talks began on Monday in Yerevan. Foreign Minister Ara Grigoryan attended.";
        let mut d = Document::new(DocumentId(1), "t", "t.txt", text.into());
        d.spans.push(Span::new(SpanId(2), 15, 21, "DATE"));
        d.spans.push(Span::new(SpanId(3), 25, 32, "GPE"));
        d.spans.push(Span::new(SpanId(4), 34, 50, "ROLE"));
        d.spans.push(Span::new(SpanId(5), 51, 64, "PER"));
        gold.documents.push(d.into());
        gold.next_id = 10;
        let r = evaluate(&gold, None, &["gazetteer".into(), "rules".into()])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.documents, 1);
        assert_eq!(r.entities.gold, 4);
        assert_eq!(r.entities.correct, 4, "{r:?}");
        assert!(evaluate(&gold, None, &["nope".into()]).is_err());
    }

    #[test]
    fn cross_validation_holds_out_each_document_once_and_sums_the_counts() {
        let mut gold = Project::new("gold");
        for i in 0..5u64 {
            let text = format!("Talks in Yerevan on Monday, round {i}.");
            let mut d = Document::new(DocumentId(i + 1), "t", &format!("{i}.txt"), text);
            d.spans.push(Span::new(SpanId(100 + i), 9, 16, "GPE"));
            gold.documents.push(d.into());
        }
        gold.next_id = 200;
        let r = cross_validate(&gold, 5, &["memory".into()]).unwrap_or_else(|e| panic!("{e}"));
        // Every document is gold once; memory learns "Yerevan" from the other four.
        assert_eq!(
            (r.documents, r.entities.gold, r.entities.correct),
            (5, 5, 5)
        );
        let r = cross_validate(&gold, 2, &["memory".into()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.entities.gold, 5);
        assert!(cross_validate(&gold, 5, &["nope".into()]).is_err());
    }
}
