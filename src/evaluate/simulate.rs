//! The simulated analyst: replays gold documents one by one, as an analyst working through a
//! project would. Before each document the engines learn from the documents already done
//! (and the training project, when given) and suggest on it with its annotations hidden; the
//! analyst accepts the correct suggestions (exact span and type), rejects the wrong ones and
//! tags the gold spans that were missed by hand. Accepting, rejecting and tagging go through
//! the same operations the window uses (`session::Op`), so rejections are remembered as
//! decisions and accepted spans carry their origin, exactly as in the app. (This is the one
//! place `evaluate` reaches up into `session`: the point is to drive the real operations.)
//!
//! Learning keeps up with the analyst inside a document too, as in the app (where the
//! engines learn again a second after the annotations change, `session::review::LEARN_AFTER`):
//! when the memory engine is on, after the accepted batch and after each span tagged by hand
//! (in reading order) it learns the project as it stands and suggests on the document again;
//! the analyst accepts or rejects those too (they count in the document's `accept` and
//! `reject`, while its precision, recall and F1 are those of the first suggestions, the
//! learning curve). The other engines learn between documents only (retraining the model
//! after every span would make a run take minutes).
//!
//! Relations are handled the same way (correct relation suggestions accepted, wrong ones
//! rejected, missed gold relations added with `Op::Relate`) so the relations engine learns as
//! the project grows; they are scored separately and are not part of the effort figures. A
//! wrong relation suggestion with an end the analyst rejects is not rejected on its own: it
//! goes with its end, as in the app.
//!
//! # Effort model
//!
//! The one place the formula lives is [`Actions::effort_ratio`]:
//!
//! ```text
//! effort_ratio = (ACCEPT_COST * accept + REJECT_COST * reject + MANUAL_COST * manual)
//!                / (MANUAL_COST * from_scratch)
//! ```
//!
//! where `from_scratch` is the number of gold spans (what annotating from scratch takes: one
//! manual add each). A manual add means selecting the exact stretch of text and choosing its
//! type; accepting or rejecting a suggestion already drawn in the text is one key or click,
//! so it weighs [`ACCEPT_COST`] = [`REJECT_COST`] = 0.25 of a manual add. (With every action
//! weighing 1 the ratio would be `1 + reject / from_scratch` whatever the engines do, since
//! every gold span is either accepted or added by hand, so it could never show a saving.)
//! Below 1 the suggestions save work; above 1 they cost more than they save.

use super::Scores;
use crate::edit::{Edit, Transaction};
use crate::model::{Document, DocumentId, ModelError, Project, SpanRef};
use crate::session::{Op, OpError};
use crate::suggest::{
    DEFAULT_MIN_SCORE, RelationSuggestion, Suggester, Suggestion, UnknownEngine, engines_by_name,
    learn_all, run_engines,
};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Cost of a manual add (the unit).
pub const MANUAL_COST: f64 = 1.0;
/// Cost of accepting a shown suggestion, relative to a manual add.
pub const ACCEPT_COST: f64 = 0.25;
/// Cost of rejecting a shown suggestion, relative to a manual add.
pub const REJECT_COST: f64 = 0.25;

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error(transparent)]
    Engine(#[from] UnknownEngine),
    #[error(transparent)]
    Op(#[from] OpError),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What happened on one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRun {
    /// The gold file's name.
    pub name: String,
    /// Entity suggestions against the document's gold spans.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accept: usize,
    pub reject: usize,
    pub manual: usize,
    /// Gold spans of the document.
    #[serde(skip)]
    pub gold: usize,
    /// Relation suggestions against the document's gold relations.
    #[serde(skip)]
    pub relations: Scores,
}

/// The analyst's actions over the whole run, and what annotating from scratch takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Actions {
    pub accept: usize,
    pub reject: usize,
    pub manual: usize,
    /// Gold spans: the manual adds annotating from scratch takes.
    pub from_scratch: usize,
}

impl Actions {
    /// The effort model (see the module documentation): weighted actions with suggestions
    /// over manual adds without them; 0 when there is nothing to annotate.
    pub fn effort_ratio(&self) -> f64 {
        if self.from_scratch == 0 {
            return 0.0;
        }
        (ACCEPT_COST * self.accept as f64
            + REJECT_COST * self.reject as f64
            + MANUAL_COST * self.manual as f64)
            / (MANUAL_COST * self.from_scratch as f64)
    }
}

/// Relation suggestions and the analyst's relation actions over the run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RelationActions {
    pub scores: Scores,
    pub accept: usize,
    pub reject: usize,
    pub manual: usize,
}

/// The result of a simulated run. Serialises as the `evaluate --simulate --json` contract:
/// `documents`, `actions` and `effort_ratio`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    pub documents: Vec<DocumentRun>,
    pub actions: Actions,
    pub effort_ratio: f64,
    #[serde(skip)]
    pub relations: RelationActions,
    #[serde(skip)]
    pub engines: Vec<String>,
    #[serde(skip)]
    pub seconds: f64,
    /// The project as the analyst left it.
    #[serde(skip)]
    pub project: Project,
}

pub(crate) fn file_name(doc: &Document) -> String {
    Path::new(&doc.source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| doc.title.clone())
}

/// The project the analyst starts from: the training project (when given) with the gold
/// schema's types added, else an empty project with the gold schema.
fn starting_project(gold: &Project, train: Option<&Project>) -> Project {
    let Some(train) = train else {
        let mut p = Project::new(&gold.name);
        p.schema = gold.schema.clone();
        return p;
    };
    let mut p = train.clone();
    for t in &gold.schema.entity_types {
        if p.schema.entity_type(&t.id).is_none() {
            p.schema.entity_types.push(t.clone());
        }
    }
    for t in &gold.schema.relation_types {
        if p.schema.relation_type(&t.id).is_none() {
            p.schema.relation_types.push(t.clone());
        }
    }
    for (k, v) in &gold.schema.knowledge_types {
        p.schema
            .knowledge_types
            .entry(k.clone())
            .or_insert_with(|| v.clone());
    }
    p
}

fn names_include(engines: &[Box<dyn Suggester>], name: &str) -> bool {
    engines.iter().any(|e| e.name() == name)
}

/// Live learning inside a document: the memory engine learns the project as it is now (a span
/// was just tagged by hand) and suggests on the document; the analyst accepts the right
/// suggestions and rejects the wrong ones. Returns (accepted, rejected).
fn live_memory(
    memory: &mut [Box<dyn Suggester>],
    work: &mut Project,
    id: DocumentId,
    gold_spans: &HashSet<SpanRef>,
) -> Result<(usize, usize), SimulateError> {
    learn_all(memory, work);
    let set = run_engines(work, memory, &[id]).best(work, DEFAULT_MIN_SCORE);
    let (right, wrong): (Vec<Suggestion>, Vec<Suggestion>) = set
        .entities
        .into_iter()
        .partition(|s| gold_spans.contains(&s.span_ref()));
    let counts = (right.len(), wrong.len());
    if !right.is_empty() {
        run(
            work,
            Op::Accept {
                entities: right,
                relations: Vec::new(),
            },
        )?;
    }
    if !wrong.is_empty() {
        run(
            work,
            Op::Reject {
                entities: wrong,
                relations: Vec::new(),
            },
        )?;
    }
    Ok(counts)
}

fn run(project: &mut Project, op: Op) -> Result<(), SimulateError> {
    op.plan(project)?.tx.apply(project)?;
    Ok(())
}

type RelKey = (SpanRef, SpanRef, String);

/// Replays the gold documents in file-name order through a simulated analyst (see the
/// module documentation). Engines by name; all of them for an empty list.
pub fn simulate(
    gold: &Project,
    train: Option<&Project>,
    engines: &[String],
) -> Result<Simulation, SimulateError> {
    let started = Instant::now();
    let mut engines = engines_by_name(engines)?;
    let names = engines.iter().map(|e| e.name().to_string()).collect();
    let mut work = starting_project(gold, train);
    // The memory engine again, for what is learned inside a document as the analyst tags it.
    let mut live = if names_include(&engines, "memory") {
        Some(engines_by_name(&["memory".to_string()])?)
    } else {
        None
    };
    let order = super::file_order(gold);
    let mut documents = Vec::new();
    let mut actions = Actions::default();
    let mut rel = RelationActions::default();
    let (mut rel_gold, mut rel_pred, mut rel_correct) = (0, 0, 0);
    for g in order {
        // The analyst imports the document, annotations hidden.
        let id: DocumentId = work.ids().document();
        let mut hidden = (**g).clone();
        hidden.id = id;
        hidden.spans.clear();
        hidden.relations.clear();
        Transaction::single(
            "import",
            Edit::InsertDocument {
                index: work.documents.len(),
                document: Arc::new(hidden),
            },
        )
        .apply(&mut work)?;

        learn_all(&mut engines, &work);
        let set = run_engines(&work, &engines, &[id]).best(&work, DEFAULT_MIN_SCORE);
        let gold_spans: HashSet<SpanRef> = g.spans.iter().map(SpanRef::of_span).collect();
        let gold_rels: HashSet<RelKey> =
            crate::suggest::util::relation_refs(g).into_iter().collect();
        let (right, wrong): (Vec<Suggestion>, Vec<Suggestion>) = set
            .entities
            .into_iter()
            .partition(|s| gold_spans.contains(&s.span_ref()));
        let (right_r, wrong_r): (Vec<RelationSuggestion>, Vec<RelationSuggestion>) =
            set.relations.into_iter().partition(|r| {
                gold_rels.contains(&(r.source.clone(), r.target.clone(), r.relation_type.clone()))
            });
        let scores = Scores::from_counts(gold_spans.len(), right.len() + wrong.len(), right.len());
        let rel_scores = Scores::from_counts(
            gold_rels.len(),
            right_r.len() + wrong_r.len(),
            right_r.len(),
        );
        let (accept, reject) = (right.len(), wrong.len());
        // A relation suggestion hanging on a span suggestion the analyst rejects goes with
        // it: no action of its own (it still counts against the relations' precision).
        let rejected_ends: HashSet<SpanRef> = wrong.iter().map(Suggestion::span_ref).collect();
        let (wrong_r, _gone): (Vec<RelationSuggestion>, Vec<RelationSuggestion>) =
            wrong_r.into_iter().partition(|r| {
                !rejected_ends.contains(&r.source) && !rejected_ends.contains(&r.target)
            });
        rel.accept += right_r.len();
        rel.reject += wrong_r.len();
        rel_gold += gold_rels.len();
        rel_pred += rel_scores.predicted;
        rel_correct += right_r.len();

        if !right.is_empty() || !right_r.is_empty() {
            run(
                &mut work,
                Op::Accept {
                    entities: right,
                    relations: right_r,
                },
            )?;
        }
        if !wrong.is_empty() || !wrong_r.is_empty() {
            run(
                &mut work,
                Op::Reject {
                    entities: wrong,
                    relations: wrong_r,
                },
            )?;
        }

        // What the suggestions missed, by hand, in reading order. With the memory engine on,
        // each span tagged by hand is learned at once (as the app's live learning does) and
        // its text's other occurrences in the document are suggested, accepted or rejected.
        let mut missed: Vec<&SpanRef> = gold_spans.iter().collect();
        missed.sort();
        let mut manual = 0;
        let (mut accept, mut reject) = (accept, reject);
        if accept > 0
            && let Some(memory) = live.as_mut()
        {
            let (right, wrong) = live_memory(memory, &mut work, id, &gold_spans)?;
            accept += right;
            reject += wrong;
        }
        for s in missed {
            let present = work
                .document(id)
                .is_some_and(|d| d.has_span(s.start, s.end, &s.entity_type));
            if present {
                continue;
            }
            manual += 1;
            run(
                &mut work,
                Op::Tag {
                    doc: id,
                    start: s.start,
                    end: s.end,
                    entity_type: s.entity_type.clone(),
                },
            )?;
            if let Some(memory) = live.as_mut() {
                let (right, wrong) = live_memory(memory, &mut work, id, &gold_spans)?;
                accept += right;
                reject += wrong;
            }
        }
        let mut missed_r: Vec<&RelKey> = gold_rels.iter().collect();
        missed_r.sort();
        for (a, b, ty) in missed_r {
            let Some(d) = work.document(id) else { break };
            let find = |r: &SpanRef| {
                d.spans
                    .iter()
                    .find(|s| SpanRef::of_span(s) == *r)
                    .map(|s| s.id)
            };
            let (Some(source), Some(target)) = (find(a), find(b)) else {
                continue;
            };
            if d.relations.iter().any(|x| {
                x.source == source && x.target == target && x.relation_type.as_str() == ty.as_str()
            }) {
                continue;
            }
            rel.manual += 1;
            let op = Op::Relate {
                doc: id,
                source,
                target,
                relation_type: ty.clone(),
            };
            // A gold relation the schema refuses stays out (and is counted as not added);
            // the run goes on.
            if let Ok(planned) = op.plan(&work)
                && let Err(e) = planned.tx.apply(&mut work)
            {
                crate::diag::warn(format!("simulate: a gold relation was refused: {e}"));
            }
        }

        actions.accept += accept;
        actions.reject += reject;
        actions.manual += manual;
        actions.from_scratch += gold_spans.len();
        documents.push(DocumentRun {
            name: file_name(g),
            precision: scores.precision,
            recall: scores.recall,
            f1: scores.f1,
            accept,
            reject,
            manual,
            gold: gold_spans.len(),
            relations: rel_scores,
        });
    }
    rel.scores = Scores::from_counts(rel_gold, rel_pred, rel_correct);
    Ok(Simulation {
        documents,
        effort_ratio: actions.effort_ratio(),
        actions,
        relations: rel,
        engines: names,
        seconds: started.elapsed().as_secs_f64(),
        project: work,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Relation, RelationId, Span, SpanId};

    fn doc(id: u64, source: &str, text: &str, spans: &[(&str, &str)]) -> Document {
        let mut d = Document::new(DocumentId(id), source, source, text.into());
        for (i, (word, ty)) in spans.iter().enumerate() {
            let b = text.find(word).unwrap_or(0);
            let start = text[..b].chars().count();
            d.spans.push(Span::new(
                SpanId(id * 100 + i as u64),
                start,
                start + word.chars().count(),
                ty,
            ));
        }
        d
    }

    fn gold() -> Project {
        let mut p = Project::new("gold");
        // Added out of order: the run goes by file name.
        p.documents.push(
            doc(
                3,
                "b.txt",
                "Later Vostok and Zapad met again.",
                &[("Vostok", "ORG"), ("Zapad", "ORG")],
            )
            .into(),
        );
        let mut a = doc(
            2,
            "a.txt",
            "Vostok signed. Zapad waited.",
            &[("Vostok", "ORG"), ("Zapad", "ORG")],
        );
        a.relations.push(Relation {
            id: RelationId(250),
            relation_type: "opposes".into(),
            source: SpanId(200),
            target: SpanId(201),
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(a.into());
        p.next_id = 1000;
        p
    }

    #[test]
    fn memory_learns_from_the_documents_already_done() {
        let sim = simulate(&gold(), None, &["memory".into()]).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = sim.documents.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "b.txt"]);
        // Nothing learned before the first document: both spans by hand.
        let first = &sim.documents[0];
        assert_eq!((first.accept, first.reject, first.manual), (0, 0, 2));
        assert_eq!(first.recall, 0.0);
        // The second document: memory finds both names again.
        let second = &sim.documents[1];
        assert_eq!((second.accept, second.reject, second.manual), (2, 0, 0));
        assert_eq!(second.f1, 1.0);
        assert_eq!(
            sim.actions,
            Actions {
                accept: 2,
                reject: 0,
                manual: 2,
                from_scratch: 4
            }
        );
        assert!((sim.effort_ratio - (0.25 * 2.0 + 2.0) / 4.0).abs() < 1e-9);
        assert_eq!(sim.relations.manual, 1);
    }

    #[test]
    fn wrong_suggestions_are_rejected_and_remembered() {
        let mut g = Project::new("gold");
        g.documents
            .push(doc(2, "a.txt", "Vostok signed.", &[("Vostok", "ORG")]).into());
        // Here "Vostok" is a ship, left untagged in the gold: memory's ORG is wrong.
        g.documents.push(
            doc(
                3,
                "b.txt",
                "The ship Vostok sailed to Zapad.",
                &[("Zapad", "GPE")],
            )
            .into(),
        );
        g.next_id = 1000;
        let sim = simulate(&g, None, &["memory".into()]).unwrap_or_else(|e| panic!("{e}"));
        let second = &sim.documents[1];
        assert_eq!((second.accept, second.reject, second.manual), (0, 1, 1));
        assert_eq!(second.precision, 0.0);
        let b = &sim.project.documents[1];
        assert!(
            sim.project.is_rejected(b.id, 9, 15, "ORG"),
            "{:?}",
            sim.project.decisions
        );
        assert!(b.has_span(26, 31, "GPE"));
        assert!(!b.has_span(9, 15, "ORG"));
        assert_eq!(sim.actions.from_scratch, 2);
    }

    #[test]
    fn effort_ratio_formula() {
        let a = Actions {
            accept: 8,
            reject: 4,
            manual: 2,
            from_scratch: 10,
        };
        assert!((a.effort_ratio() - (0.25 * 8.0 + 0.25 * 4.0 + 2.0) / 10.0).abs() < 1e-9);
        assert_eq!(Actions::default().effort_ratio(), 0.0);
        assert!(simulate(&gold(), None, &["nope".into()]).is_err());
    }

    #[test]
    fn json_has_exactly_the_contract_keys() {
        let sim = simulate(&gold(), None, &["memory".into()]).unwrap_or_else(|e| panic!("{e}"));
        let v = serde_json::to_value(&sim).unwrap_or_else(|e| panic!("{e}"));
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(&v), ["actions", "documents", "effort_ratio"]);
        assert_eq!(
            keys(&v["actions"]),
            ["accept", "from_scratch", "manual", "reject"]
        );
        assert_eq!(
            keys(&v["documents"][0]),
            [
                "accept",
                "f1",
                "manual",
                "name",
                "precision",
                "recall",
                "reject"
            ]
        );
    }
}
