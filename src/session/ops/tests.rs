//! Every way a span comes to be links it to a known entity by the same rule; bulk accepts
//! never put two types on one stretch or duplicate a span.

use super::*;
use crate::import::{ImportFormat, plan_import};
use crate::model::{Document, Entity};

const TEXT: &str = "Armenia and the CSTO met in Yerevan. The Collective Security Treaty \
                    Organization said Armenia would stay.";

/// A project with one document and two entities (Armenia, the CSTO with its long form as
/// an alias), but no spans.
fn project() -> Project {
    let mut p = Project::new("ops");
    let doc = p.new_document_id();
    p.documents
        .push(Document::new(doc, "a", "a.txt", TEXT.to_string()).into());
    let armenia = p.new_entity_id();
    p.entities.push(Entity {
        id: armenia,
        name: "Armenia".into(),
        entity_type: "GPE".into(),
        aliases: Vec::new(),
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    let csto = p.new_entity_id();
    p.entities.push(Entity {
        id: csto,
        name: "CSTO".into(),
        entity_type: "ORG".into(),
        aliases: vec!["Collective Security Treaty Organization".into()],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    p
}

/// The one document of `project()`.
const DOC: DocumentId = DocumentId(1);

fn doc(p: &Project) -> DocumentId {
    assert_eq!(p.documents[0].id, DOC);
    DOC
}

fn entity(p: &Project, name: &str) -> EntityId {
    p.entities
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.id)
        .unwrap_or_else(|| panic!("no entity {name}"))
}

/// Char range of the `nth` occurrence of `needle` in TEXT.
fn range(needle: &str, nth: usize) -> (usize, usize) {
    let byte = TEXT
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("{needle} #{nth} not in the text"));
    let start = TEXT[..byte].chars().count();
    (start, start + needle.chars().count())
}

fn suggestion(p: &Project, needle: &str, nth: usize, ty: &str, score: f32) -> Suggestion {
    let (start, end) = range(needle, nth);
    Suggestion {
        document: doc(p),
        start,
        end,
        entity_type: ty.into(),
        score,
        engine: "test".into(),
        explanation: String::new(),
    }
}

fn run(p: &mut Project, op: Op) -> Planned {
    let planned = op.plan(p).unwrap_or_else(|e| panic!("{e}"));
    planned
        .tx
        .clone()
        .apply(p)
        .unwrap_or_else(|e| panic!("{e}"));
    planned
}

/// The entity the span at `needle` links to.
fn link_of(p: &Project, needle: &str, nth: usize) -> Option<EntityId> {
    let (start, end) = range(needle, nth);
    p.documents[0]
        .spans
        .iter()
        .find(|s| s.start == start && s.end == end)
        .unwrap_or_else(|| panic!("no span on {needle}"))
        .entity
}

#[test]
fn tagging_by_hand_links_to_the_entity_by_name_or_alias() {
    let mut p = project();
    let (start, end) = range("Collective Security Treaty Organization", 0);
    let planned = run(
        &mut p,
        Op::Tag {
            doc: DOC,
            start,
            end,
            entity_type: "ORG".into(),
        },
    );
    assert!(matches!(planned.created, Some(Created::Span(_))));
    assert_eq!(
        link_of(&p, "Collective Security Treaty Organization", 0),
        Some(entity(&p, "CSTO"))
    );
    // Another type does not link: "Armenia" as ORG is not the country.
    let (start, end) = range("Armenia", 0);
    run(
        &mut p,
        Op::Tag {
            doc: DOC,
            start,
            end,
            entity_type: "ORG".into(),
        },
    );
    assert_eq!(link_of(&p, "Armenia", 0), None);
}

#[test]
fn accepting_one_suggestion_links_it() {
    let mut p = project();
    let s = suggestion(&p, "CSTO", 0, "ORG", 0.9);
    run(
        &mut p,
        Op::Accept {
            entities: vec![s],
            relations: vec![],
        },
    );
    assert_eq!(link_of(&p, "CSTO", 0), Some(entity(&p, "CSTO")));
}

#[test]
fn a_bulk_accept_links_and_never_puts_two_types_on_one_range() {
    let mut p = project();
    let list = vec![
        suggestion(&p, "Armenia", 0, "GPE", 0.9),
        suggestion(&p, "Armenia", 0, "ORG", 0.6),
        suggestion(&p, "Armenia", 1, "GPE", 0.8),
        // Overlaps the longer, better one below.
        suggestion(&p, "Security Treaty", 0, "ORG", 0.7),
        suggestion(&p, "Collective Security Treaty Organization", 0, "ORG", 0.9),
        suggestion(&p, "Yerevan", 0, "GPE", 0.9),
    ];
    let planned = run(
        &mut p,
        Op::Accept {
            entities: list,
            relations: vec![],
        },
    );
    let d = &p.documents[0];
    let tagged: Vec<(&str, &str)> = d
        .spans
        .iter()
        .map(|s| (d.span_text(s), s.entity_type.as_str()))
        .collect();
    assert_eq!(
        tagged,
        vec![
            ("Armenia", "GPE"),
            ("Yerevan", "GPE"),
            ("Collective Security Treaty Organization", "ORG"),
            ("Armenia", "GPE"),
        ]
    );
    let armenia = entity(&p, "Armenia");
    assert_eq!(link_of(&p, "Armenia", 0), Some(armenia));
    assert_eq!(link_of(&p, "Armenia", 1), Some(armenia));
    assert_eq!(
        link_of(&p, "Collective Security Treaty Organization", 0),
        Some(entity(&p, "CSTO"))
    );
    assert_eq!(link_of(&p, "Yerevan", 0), None, "no such entity");
    assert!(planned.summary.contains("3 linked"), "{}", planned.summary);
    assert!(
        planned.summary.contains("2 overlapping"),
        "{}",
        planned.summary
    );
}

#[test]
fn a_bulk_accept_never_duplicates_or_contradicts_an_existing_span() {
    let mut p = project();
    let (start, end) = range("Yerevan", 0);
    run(
        &mut p,
        Op::Tag {
            doc: DOC,
            start,
            end,
            entity_type: "LOC".into(),
        },
    );
    let list = vec![
        suggestion(&p, "Yerevan", 0, "GPE", 0.9),
        suggestion(&p, "Yerevan", 0, "LOC", 0.9),
        suggestion(&p, "CSTO", 0, "ORG", 0.9),
    ];
    run(
        &mut p,
        Op::Accept {
            entities: list,
            relations: vec![],
        },
    );
    let types: Vec<&str> = p.documents[0]
        .spans
        .iter()
        .map(|s| s.entity_type.as_str())
        .collect();
    assert_eq!(types, vec!["ORG", "LOC"]);
}

#[test]
fn annotating_search_hits_links_them() {
    let mut p = project();
    let results = search::search(
        &p,
        &search::Query {
            pattern: "Armenia".into(),
            ..search::Query::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(results.hits.len(), 2);
    let planned = run(
        &mut p,
        Op::AnnotateHits {
            hits: results.hits,
            entity_type: "GPE".into(),
        },
    );
    assert!(
        planned.summary.starts_with("2 new spans"),
        "{}",
        planned.summary
    );
    let armenia = entity(&p, "Armenia");
    assert_eq!(link_of(&p, "Armenia", 0), Some(armenia));
    assert_eq!(link_of(&p, "Armenia", 1), Some(armenia));
}

#[test]
fn accepting_a_relation_with_new_ends_links_the_ends() {
    let mut p = project();
    let (a0, a1) = range("Armenia", 1);
    let (c0, c1) = range("CSTO", 0);
    let rel = RelationSuggestion {
        document: doc(&p),
        source: SpanRef::new(a0, a1, "GPE"),
        target: SpanRef::new(c0, c1, "ORG"),
        relation_type: "member_of".into(),
        score: 0.8,
        engine: "relations".into(),
        explanation: String::new(),
    };
    run(
        &mut p,
        Op::Accept {
            entities: vec![],
            relations: vec![rel],
        },
    );
    assert_eq!(p.relation_count(), 1);
    assert_eq!(link_of(&p, "Armenia", 1), Some(entity(&p, "Armenia")));
    assert_eq!(link_of(&p, "CSTO", 0), Some(entity(&p, "CSTO")));
}

#[test]
fn importing_annotated_documents_links_their_spans() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("b.txt"), "Talks in Armenia.").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("b.ann"), "T1\tGPE 9 16\tArmenia\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut p = project();
    let (tx, _) = plan_import(&p, &[dir.path().to_path_buf()], ImportFormat::Brat)
        .unwrap_or_else(|e| panic!("{e}"));
    tx.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    let imported = p.documents.last().unwrap_or_else(|| panic!("no document"));
    assert_eq!(imported.spans.len(), 1);
    assert_eq!(imported.spans[0].entity, Some(entity(&p, "Armenia")));
}

#[test]
fn planning_never_changes_the_project_and_ids_are_never_reused() {
    let p = project();
    let before = p.clone();
    let (start, end) = range("Yerevan", 0);
    let first = Op::Tag {
        doc: DOC,
        start,
        end,
        entity_type: "GPE".into(),
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p, before);
    let mut p = p;
    let undo = first.tx.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    undo.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    let second = Op::Tag {
        doc: DOC,
        start,
        end,
        entity_type: "GPE".into(),
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(
        first.created, second.created,
        "an undone id is not handed out again"
    );
}

#[test]
fn rejections_are_typed_and_undo_together() {
    let mut p = project();
    let s = suggestion(&p, "Yerevan", 0, "GPE", 0.9);
    let rel = RelationSuggestion {
        document: doc(&p),
        source: SpanRef::new(0, 7, "GPE"),
        target: SpanRef::new(16, 20, "ORG"),
        relation_type: "member_of".into(),
        score: 0.8,
        engine: "relations".into(),
        explanation: String::new(),
    };
    let before = p.clone();
    let planned = Op::Reject {
        entities: vec![s.clone(), s.clone()],
        relations: vec![rel.clone()],
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"));
    let undo = planned.tx.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.decisions.len(),
        1,
        "the same suggestion twice is one decision"
    );
    assert!(p.is_rejected(doc(&p), s.start, s.end, "GPE"));
    assert!(p.is_relation_rejected(doc(&p), "member_of", &rel.source, &rel.target));
    undo.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.decisions, before.decisions);
    assert_eq!(p.relation_decisions, before.relation_decisions);
}

#[test]
fn counts_read_as_english() {
    assert_eq!(count(1, "span", "spans"), "1 span");
    assert_eq!(count(0, "span", "spans"), "0 spans");
    assert_eq!(count(2, "hit", "hits"), "2 hits");
}

/// Tags a stretch of TEXT; returns the new span.
fn tag_span(p: &mut Project, start: usize, end: usize, ty: &str) -> SpanId {
    match run(
        p,
        Op::Tag {
            doc: DOC,
            start,
            end,
            entity_type: ty.into(),
        },
    )
    .created
    {
        Some(Created::Span(id)) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn resizing_a_span_keeps_its_id_type_link_and_relations_and_undoes() {
    let mut p = project();
    // "Collective Security Treaty" (cut short), linked by hand, related to Armenia.
    let (start, _) = range("Collective Security Treaty Organization", 0);
    let short_end = start + "Collective Security Treaty".len();
    let org = tag_span(&mut p, start, short_end, "ORG");
    let csto = entity(&p, "CSTO");
    run(
        &mut p,
        Op::Link {
            doc: DOC,
            span: org,
            entity: Some(csto),
        },
    );
    let (a, b) = range("Armenia", 0);
    let armenia = tag_span(&mut p, a, b, "GPE");
    run(
        &mut p,
        Op::Relate {
            doc: DOC,
            source: armenia,
            target: org,
            relation_type: "member_of".into(),
        },
    );
    let before = p.clone();

    let (_, full_end) = range("Collective Security Treaty Organization", 0);
    let planned = Op::ResizeSpan {
        doc: DOC,
        span: org,
        start,
        end: full_end,
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(planned.tx.edits.len(), 1, "one edit: {:?}", planned.tx);
    let undo = planned.tx.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    let d = &p.documents[0];
    let s = d
        .span(org)
        .unwrap_or_else(|| panic!("the span keeps its id"));
    assert_eq!((s.start, s.end), (start, full_end));
    assert_eq!(s.entity_type, "ORG");
    assert_eq!(s.entity, Some(csto));
    assert_eq!(d.relations.len(), 1);
    assert_eq!(
        (d.relations[0].source, d.relations[0].target),
        (armenia, org)
    );
    assert!(d.spans.is_sorted_by_key(|s| s.sort_key()));
    assert!(p.validate().is_ok());

    undo.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.documents, before.documents,
        "undo restores the boundaries"
    );
}

#[test]
fn resizing_a_span_to_bad_boundaries_is_an_error_and_changes_nothing() {
    let mut p = project();
    let (a, b) = range("Armenia", 0);
    let armenia = tag_span(&mut p, a, b, "GPE");
    let (c, d) = range("Armenia", 1);
    tag_span(&mut p, c, d, "GPE");
    let len = p.documents[0].char_len();
    let resize = |start, end| Op::ResizeSpan {
        doc: DOC,
        span: armenia,
        start,
        end,
    };
    for (op, what) in [
        (resize(3, 3), "empty"),
        (resize(5, 2), "inverted"),
        (resize(a, len + 1), "past the end"),
        (resize(c, d), "a duplicate of the other Armenia"),
        (
            Op::ResizeSpan {
                doc: DOC,
                span: SpanId(9999),
                start: a,
                end: b,
            },
            "no such span",
        ),
    ] {
        let err = op.plan(&p).err();
        assert!(err.is_some(), "{what} must be refused");
    }
    let same = resize(a, b).plan(&p).unwrap_or_else(|e| panic!("{e}"));
    assert!(same.tx.is_empty(), "the same boundaries are nothing to do");
}

#[test]
fn document_details_are_trimmed_checked_and_undo_in_one_step() {
    let mut p = project();
    let before = p.clone();
    let metadata = DocumentMetadata {
        date: Some(" 2024-03-01 ".into()),
        author: Some("Ani Hakobyan".into()),
        url: Some("   ".into()),
        note: Some("check the casualty figure".into()),
        ..DocumentMetadata::default()
    };
    let undo = Op::SetDocumentMetadata {
        doc: DOC,
        metadata: Box::new(metadata),
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"))
    .tx
    .apply(&mut p)
    .unwrap_or_else(|e| panic!("{e}"));
    let m = &p.documents[0].metadata;
    assert_eq!(m.date.as_deref(), Some("2024-03-01"));
    assert_eq!(m.url, None, "a blank field is unknown");
    assert_eq!(m.note.as_deref(), Some("check the casualty figure"));
    undo.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.documents, before.documents);

    // A date that is not ISO 8601 is refused and changes nothing.
    let bad = DocumentMetadata {
        date: Some("1 March 2024".into()),
        ..DocumentMetadata::default()
    };
    let e = Op::SetDocumentMetadata {
        doc: DOC,
        metadata: Box::new(bad),
    }
    .plan(&p)
    .expect_err("a bad date");
    assert!(e.to_string().contains("1 March 2024"), "{e}");

    // Titles are trimmed and may not be blank; the same value plans nothing.
    run(
        &mut p,
        Op::SetDocumentTitle {
            doc: DOC,
            title: "  Armenia and the CSTO ".into(),
        },
    );
    assert_eq!(p.documents[0].title, "Armenia and the CSTO");
    let same = Op::SetDocumentTitle {
        doc: DOC,
        title: "Armenia and the CSTO".into(),
    }
    .plan(&p)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(same.tx.is_empty());
    assert_eq!(same.summary, "Nothing changed");
    assert!(
        Op::SetDocumentTitle {
            doc: DOC,
            title: " ".into()
        }
        .plan(&p)
        .is_err()
    );
}
