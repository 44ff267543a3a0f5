use super::*;
use crate::edit::Transaction;
use crate::model::{DocumentId, Origin, Schema, Span};
use crate::session::Op;

fn reject_tx(
    p: &Project,
    entities: &[Suggestion],
    relations: &[RelationSuggestion],
) -> Transaction {
    Op::Reject {
        entities: entities.to_vec(),
        relations: relations.to_vec(),
    }
    .plan(p)
    .map(|planned| planned.tx)
    .unwrap_or_else(|e| panic!("{e}"))
}

fn accept_tx(
    p: &Project,
    entities: &[Suggestion],
    relations: &[RelationSuggestion],
) -> Transaction {
    Op::Accept {
        entities: entities.to_vec(),
        relations: relations.to_vec(),
    }
    .plan(p)
    .map(|planned| planned.tx)
    .unwrap_or_else(|e| panic!("{e}"))
}

fn sugg(doc: u64, start: usize, end: usize, ty: &str, score: f32, engine: &str) -> Suggestion {
    Suggestion {
        document: DocumentId(doc),
        start,
        end,
        entity_type: ty.into(),
        score,
        engine: engine.into(),
        explanation: format!("{engine} says so"),
    }
}

fn project() -> Project {
    let mut p = Project::new("p");
    let id = p.new_document_id();
    let mut d = Document::new(
        id,
        "a",
        "a.txt",
        "Prime Minister Nikol Pashinyan met CSTO leaders in Yerevan on Monday.".into(),
    );
    let sid = p.new_span_id();
    d.spans.push(Span::new(sid, 35, 39, "ORG"));
    p.documents.push(d.into());
    p
}

#[test]
fn merge_combines_agreeing_engines_and_keeps_others() {
    let merged = merge(vec![
        sugg(1, 0, 5, "GPE", 0.6, "gazetteer"),
        sugg(1, 0, 5, "GPE", 0.5, "memory"),
        sugg(1, 0, 5, "LOC", 0.4, "model"),
    ]);
    assert_eq!(merged.len(), 2);
    let gpe = &merged[0];
    assert_eq!(gpe.entity_type, "GPE");
    assert_eq!(gpe.engine, "gazetteer+memory");
    assert!((gpe.score - 0.8).abs() < 1e-6, "{}", gpe.score);
    assert!(
        gpe.explanation
            .contains("gazetteer says so; memory says so")
    );
}

#[test]
fn best_drops_overlaps_and_low_scores() {
    let p = project();
    let set = SuggestionSet {
        entities: vec![
            sugg(1, 0, 14, "ROLE", 0.8, "rules"),
            sugg(1, 0, 30, "PER", 0.3, "rules"),
            sugg(1, 15, 30, "PER", 0.85, "rules"),
            sugg(1, 6, 14, "ORG", 0.6, "model"),
        ],
        relations: vec![],
    };
    let best = set.best(&p, 0.5);
    let kept: Vec<(usize, &str)> = best
        .entities
        .iter()
        .map(|s| (s.start, s.entity_type.as_str()))
        .collect();
    assert_eq!(kept, vec![(0, "ROLE"), (15, "PER")]);
}

#[test]
fn run_engines_drops_existing_and_rejected_and_rejections_stick() {
    let mut p = project();
    let mut engines = engines_by_name(&["gazetteer".into(), "rules".into()]).unwrap_or_default();
    learn_all(&mut engines, &p);
    let set = run_engines(&p, &engines, &[]);
    let d = &p.documents[0];
    let texts: Vec<(&str, &str)> = set
        .entities
        .iter()
        .map(|s| (d.slice(s.start, s.end), s.entity_type.as_str()))
        .collect();
    assert!(texts.contains(&("Yerevan", "GPE")), "{texts:?}");
    assert!(texts.contains(&("Nikol Pashinyan", "PER")), "{texts:?}");
    // CSTO is already a span.
    assert!(!texts.contains(&("CSTO", "ORG")), "{texts:?}");
    assert!(set.relations.iter().any(|r| r.relation_type == "has_role"));

    let yerevan: Vec<Suggestion> = set
        .entities
        .iter()
        .filter(|s| d.slice(s.start, s.end) == "Yerevan")
        .cloned()
        .collect();
    let undo = reject_tx(&p, &yerevan, &[])
        .apply(&mut p)
        .unwrap_or_default();
    let again = run_engines(&p, &engines, &[]);
    assert!(
        !again
            .entities
            .iter()
            .any(|s| p.documents[0].slice(s.start, s.end) == "Yerevan")
    );
    assert!(p.is_rejected(DocumentId(1), yerevan[0].start, yerevan[0].end, "GPE"));
    undo.apply(&mut p).unwrap_or_default();
    assert!(p.decisions.is_empty());
    let third = run_engines(&p, &engines, &[]);
    assert_eq!(third.entities.len(), set.entities.len());
}

#[test]
fn rejected_relations_stay_rejected_and_undo_brings_them_back() {
    let mut p = project();
    let mut engines = engines_by_name(&[]).unwrap_or_default();
    learn_all(&mut engines, &p);
    let set = run_engines(&p, &engines, &[]);
    let has_role: Vec<RelationSuggestion> = set
        .relations
        .iter()
        .filter(|r| r.relation_type == "has_role")
        .cloned()
        .collect();
    assert!(!has_role.is_empty(), "{:?}", set.relations);
    let undo = reject_tx(&p, &[], &has_role)
        .apply(&mut p)
        .unwrap_or_else(|e| panic!("{e}"));
    let again = run_engines(&p, &engines, &[]);
    assert!(
        !again.relations.iter().any(|r| has_role.contains(r)),
        "{:?}",
        again.relations
    );
    assert_eq!(again.relations.len(), set.relations.len() - has_role.len());
    // The ends are still suggested as entities.
    assert_eq!(again.entities.len(), set.entities.len());
    assert!(
        p.decisions.is_empty(),
        "relation decisions are typed, not entity decisions"
    );
    assert_eq!(p.relation_decisions.len(), has_role.len());
    undo.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.relation_decisions.is_empty());
    assert_eq!(
        run_engines(&p, &engines, &[]).relations.len(),
        set.relations.len()
    );
}

#[test]
fn accept_adds_spans_and_relations_and_undoes_cleanly() {
    let mut p = project();
    let before = p.clone();
    let mut engines = engines_by_name(&[]).unwrap_or_default();
    learn_all(&mut engines, &p);
    let set = run_engines(&p, &engines, &[]).best(&p, DEFAULT_MIN_SCORE);
    assert!(!set.relations.is_empty());
    // Duplicates are skipped.
    let mut twice = set.entities.clone();
    twice.extend(set.entities.clone());
    let tx = accept_tx(&p, &twice, &set.relations);
    let undo = match tx.apply(&mut p) {
        Ok(u) => u,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(p.span_count(), 1 + set.entities.len());
    assert_eq!(p.relation_count(), set.relations.len());
    let d = &p.documents[0];
    assert!(d.spans.iter().any(|s| matches!(
        &s.origin,
        Origin::Suggested { engine, .. } if engine.contains("rules")
    )));
    // Re-running proposes nothing already accepted.
    let again = run_engines(&p, &engines, &[]).best(&p, DEFAULT_MIN_SCORE);
    assert!(again.entities.is_empty(), "{:?}", again.entities);
    assert!(again.relations.is_empty());
    if let Err(e) = undo.apply(&mut p) {
        panic!("{e}");
    }
    assert_eq!(p.documents, before.documents);
}

#[test]
fn accept_creates_missing_relation_ends() {
    let mut p = project();
    let rel = RelationSuggestion {
        document: DocumentId(1),
        source: SpanRef::new(15, 30, "PER"),
        target: SpanRef::new(0, 14, "ROLE"),
        relation_type: "has_role".into(),
        score: 0.8,
        engine: "rules".into(),
        explanation: String::new(),
    };
    let tx = accept_tx(&p, &[], &[rel]);
    assert_eq!(tx.edits.len(), 3);
    assert!(tx.apply(&mut p).is_ok());
    assert_eq!(p.relation_count(), 1);
}

#[test]
fn unknown_engine_lists_valid_names() {
    let err = engines_by_name(&["gazeteer".into()]).err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("gazeteer") && msg.contains("gazetteer, rules, memory, model, relations"));
}

/// A schema of its own (re3d-like): no default types.
fn custom_schema() -> crate::model::Schema {
    let mut s = crate::model::Schema::default();
    for t in [
        "Person",
        "Organisation",
        "Location",
        "Nationality",
        "Temporal",
    ] {
        s.ensure_entity_type(t);
    }
    s
}

fn custom_project(text: &str) -> Project {
    let mut p = Project::new("custom");
    p.schema = custom_schema();
    let id = p.new_document_id();
    p.documents
        .push(Document::new(id, "a", "a.txt", text.to_string()).into());
    p
}

fn run_named(p: &Project, names: &[&str]) -> Vec<Suggestion> {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let Ok(mut engines) = engines_by_name(&names) else {
        panic!("engines")
    };
    learn_all(&mut engines, p);
    run_engines(p, &engines, &[]).entities
}

const NEWS: &str = "Prime Minister Nikol Pashinyan met Syrian envoys in Damascus on Monday. \
    The Collective Security Treaty Organization (CSTO) said 12 soldiers were killed in Syria.";

#[test]
fn default_schema_still_gets_default_types_from_gazetteer_and_rules() {
    let mut p = project();
    let id = p.new_document_id();
    p.documents
        .push(Document::new(id, "b", "b.txt", NEWS.to_string()).into());
    let got = run_named(&p, &["gazetteer", "rules"]);
    let doc = &p.documents[1];
    let has = |text: &str, ty: &str| {
        got.iter()
            .any(|s| s.document == id && doc.slice(s.start, s.end) == text && s.entity_type == ty)
    };
    assert!(has("Syria", "GPE") && has("Damascus", "GPE"), "{got:?}");
    assert!(has("Syrian", "NORP") && has("Monday", "DATE"), "{got:?}");
    assert!(has("Nikol Pashinyan", "PER") && has("Prime Minister", "ROLE"));
    assert!(has("CSTO", "ORG"), "{got:?}");
}

#[test]
fn custom_schema_without_mapping_gets_nothing_from_gazetteer_and_rules() {
    let mut p = custom_project(NEWS);
    // Types named like no knowledge class: nothing to map onto.
    p.schema = Schema::default();
    for t in ["Weapon", "MilitaryPlatform", "Vehicle"] {
        p.schema.ensure_entity_type(t);
    }
    let got = run_named(&p, &["gazetteer", "rules", "relations"]);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn custom_schema_gets_the_types_named_like_the_classes_before_any_annotation() {
    let p = custom_project(NEWS);
    let got = run_named(&p, &["gazetteer", "rules"]);
    let doc = &p.documents[0];
    let has = |text: &str, ty: &str| {
        got.iter()
            .any(|s| doc.slice(s.start, s.end) == text && s.entity_type == ty)
    };
    assert!(
        has("Syria", "Location") && has("Damascus", "Location"),
        "{got:?}"
    );
    assert!(
        has("Nikol Pashinyan", "Person") && has("Monday", "Temporal"),
        "{got:?}"
    );
    assert!(
        has("Syrian", "Nationality") && has("CSTO", "Organisation"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .all(|s| p.schema.entity_type(&s.entity_type).is_some())
    );
}

#[test]
fn custom_schema_learns_the_analysts_type_for_countries() {
    let mut p = custom_project(NEWS);
    // The analyst tagged one country as Location in another document.
    let id = p.new_document_id();
    let mut d = Document::new(id, "b", "b.txt", "Talks in Iraq went on.".to_string());
    let sid = p.new_span_id();
    d.spans.push(Span::new(sid, 9, 13, "Location"));
    p.documents.push(d.into());
    let got = run_named(&p, &["gazetteer"]);
    let doc = &p.documents[0];
    let syria: Vec<&str> = got
        .iter()
        .filter(|s| s.document == doc.id && doc.slice(s.start, s.end) == "Syria")
        .map(|s| s.entity_type.as_str())
        .collect();
    assert_eq!(syria, vec!["Location"], "{got:?}");
    // Nothing outside the schema.
    assert!(
        got.iter()
            .all(|s| p.schema.entity_type(&s.entity_type).is_some()),
        "{got:?}"
    );
    // An explicit mapping wins over the learned one.
    p.schema
        .knowledge_types
        .insert("country".into(), "Organisation".into());
    let got = run_named(&p, &["gazetteer"]);
    assert!(
        got.iter()
            .any(|s| doc.slice(s.start, s.end) == "Syria" && s.entity_type == "Organisation"),
        "{got:?}"
    );
}

/// An engine that proposes a type no schema here has.
struct Rogue;

impl Suggester for Rogue {
    fn name(&self) -> &'static str {
        "rogue"
    }
    fn learn(&mut self, _project: &Project) {}
    fn suggest(&self, _project: &Project, doc: &Document) -> Vec<Suggestion> {
        vec![
            Suggestion {
                document: doc.id,
                start: 0,
                end: 5,
                entity_type: "Weapon".into(),
                score: 0.9,
                engine: "rogue".into(),
                explanation: String::new(),
            },
            Suggestion {
                document: doc.id,
                start: 0,
                end: 5,
                entity_type: "PER".into(),
                score: 0.9,
                engine: "rogue".into(),
                explanation: String::new(),
            },
        ]
    }
}

#[test]
fn run_engines_drops_types_the_schema_lacks() {
    let p = project();
    let engines: Vec<Box<dyn Suggester>> = vec![Box::new(Rogue)];
    let got = run_engines(&p, &engines, &[]).entities;
    let types: Vec<&str> = got.iter().map(|s| s.entity_type.as_str()).collect();
    assert_eq!(types, vec!["PER"]);
}
