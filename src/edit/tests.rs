use super::*;
use crate::model::{Origin, RelationDecision, SpanRef, Verdict};
use proptest::prelude::*;

fn sample() -> Project {
    let mut p = Project::new("test");
    for text in [
        "Armenia and Azerbaijan clashed on Monday.",
        "Prime Minister Nikol Pashinyan met NATO officials in Brussels.",
    ] {
        let id = p.new_document_id();
        p.documents
            .push(Document::new(id, "doc", "", text.to_string()).into());
    }
    p
}

/// `sample()` with a role, a person and a has_role relation between them in the second
/// document, so relation edits have something to work on from the start.
fn annotated_sample() -> Project {
    let mut p = sample();
    let (role, person, relation) = (p.new_span_id(), p.new_span_id(), p.new_relation_id());
    let doc = std::sync::Arc::make_mut(&mut p.documents[1]);
    doc.spans.push(Span::new(role, 0, 14, "ROLE"));
    doc.spans.push(Span::new(person, 15, 30, "PER"));
    doc.relations.push(Relation {
        id: relation,
        relation_type: "has_role".into(),
        source: person,
        target: role,
        origin: Origin::Manual,
        note: String::new(),
        made: None,
    });
    p
}

/// Project content without the bookkeeping an undo does not roll back (id counter, revision).
fn content(p: &Project) -> Project {
    let mut c = p.clone();
    c.next_id = 0;
    c.id_blocks.clear();
    c.revision = 0;
    c
}

#[derive(Debug, Clone)]
enum Op {
    AddSpan {
        doc: usize,
        start: usize,
        len: usize,
        ty: usize,
    },
    RemoveSpan {
        doc: usize,
        pick: usize,
    },
    Retype {
        doc: usize,
        pick: usize,
        ty: usize,
    },
    Note {
        doc: usize,
        pick: usize,
    },
    /// Move a span's boundaries (may fail: out of range, empty, a duplicate).
    Resize {
        doc: usize,
        pick: usize,
        start: usize,
        len: usize,
    },
    Relate {
        doc: usize,
        a: usize,
        b: usize,
        ty: usize,
    },
    Unrelate {
        doc: usize,
        pick: usize,
    },
    AddEntity {
        ty: usize,
    },
    Link {
        doc: usize,
        pick: usize,
        entity: usize,
    },
    Status {
        doc: usize,
        status: usize,
    },
    Reject {
        doc: usize,
        start: usize,
    },
    Unreject {
        pick: usize,
    },
    RejectRelation {
        doc: usize,
        start: usize,
    },
    UnrejectRelation {
        pick: usize,
    },
    InsertDocument {
        at: usize,
    },
    RemoveDocument {
        doc: usize,
    },
    Metadata {
        doc: usize,
        author: usize,
    },
    Title {
        doc: usize,
    },
    RelationType {
        doc: usize,
        pick: usize,
        ty: usize,
    },
    RelationNote {
        doc: usize,
        pick: usize,
    },
    Swap {
        doc: usize,
        pick: usize,
    },
    RemoveEntity {
        pick: usize,
    },
    UpdateEntity {
        pick: usize,
        ty: usize,
    },
    /// Drop an entity type from the schema (fails while it is in use), or add one.
    Schema {
        ty: usize,
        add: bool,
    },
    Rename,
    /// List a merge conflict (add) or settle one (an unlisted one is refused).
    Conflict {
        pick: usize,
        add: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 0..70usize, 0..12usize, 0..10usize).prop_map(|(doc, start, len, ty)| {
            Op::AddSpan {
                doc,
                start,
                len,
                ty,
            }
        }),
        (0..2usize, 0..8usize).prop_map(|(doc, pick)| Op::RemoveSpan { doc, pick }),
        (0..2usize, 0..8usize, 0..10usize).prop_map(|(doc, pick, ty)| Op::Retype { doc, pick, ty }),
        (0..2usize, 0..8usize).prop_map(|(doc, pick)| Op::Note { doc, pick }),
        (0..2usize, 0..8usize, 0..70usize, 0..12usize).prop_map(|(doc, pick, start, len)| {
            Op::Resize {
                doc,
                pick,
                start,
                len,
            }
        }),
        (0..2usize, 0..8usize, 0..8usize, 0..10usize).prop_map(|(doc, a, b, ty)| Op::Relate {
            doc,
            a,
            b,
            ty
        }),
        (0..2usize, 0..8usize).prop_map(|(doc, pick)| Op::Unrelate { doc, pick }),
        (0..10usize).prop_map(|ty| Op::AddEntity { ty }),
        (0..2usize, 0..8usize, 0..4usize).prop_map(|(doc, pick, entity)| Op::Link {
            doc,
            pick,
            entity
        }),
        (0..2usize, 0..3usize).prop_map(|(doc, status)| Op::Status { doc, status }),
        (0..2usize, 0..40usize).prop_map(|(doc, start)| Op::Reject { doc, start }),
        (0..4usize).prop_map(|pick| Op::Unreject { pick }),
        (0..2usize, 0..40usize).prop_map(|(doc, start)| Op::RejectRelation { doc, start }),
        (0..4usize).prop_map(|pick| Op::UnrejectRelation { pick }),
        (0..3usize).prop_map(|at| Op::InsertDocument { at }),
        (0..3usize).prop_map(|doc| Op::RemoveDocument { doc }),
        (0..3usize).prop_map(|doc| Op::Title { doc }),
        (0..3usize, 0..3usize).prop_map(|(doc, author)| Op::Metadata { doc, author }),
        (0..2usize, 0..8usize, 0..10usize).prop_map(|(doc, pick, ty)| Op::RelationType {
            doc,
            pick,
            ty
        }),
        (0..2usize, 0..8usize).prop_map(|(doc, pick)| Op::RelationNote { doc, pick }),
        (0..2usize, 0..8usize).prop_map(|(doc, pick)| Op::Swap { doc, pick }),
        (0..4usize).prop_map(|pick| Op::RemoveEntity { pick }),
        (0..4usize, 0..10usize).prop_map(|(pick, ty)| Op::UpdateEntity { pick, ty }),
        (0..10usize, any::<bool>()).prop_map(|(ty, add)| Op::Schema { ty, add }),
        Just(Op::Rename),
        (0..4usize, proptest::bool::ANY).prop_map(|(pick, add)| Op::Conflict { pick, add }),
    ]
}

/// Turns an op into a transaction against the current project (may be invalid on purpose:
/// type index 9 is unknown, offsets may run past the text).
fn transaction(p: &mut Project, op: &Op) -> Transaction {
    let types = [
        "PER", "ORG", "GPE", "LOC", "NORP", "DATE", "EVENT", "ROLE", "QUANTITY", "BOGUS",
    ];
    let rels = [
        "member_of",
        "opposes",
        "located_in",
        "supports",
        "has_role",
        "part_of",
        "leader_of",
        "observer_of",
        "casualties_of",
        "nope",
    ];
    let mut tx = Transaction::new("op");
    if p.documents.is_empty() {
        // Everything but inserting needs a document.
        if let Op::InsertDocument { .. } = op {
        } else {
            return tx;
        }
    }
    // Document indexes wrap around: documents come and go.
    let pick_doc = |p: &Project, i: usize| i % p.documents.len().max(1);
    let doc_id = |p: &Project, i: usize| p.documents[pick_doc(p, i)].id;
    let span_at = |p: &Project, d: usize, k: usize| {
        let spans = &p.documents[pick_doc(p, d)].spans;
        (!spans.is_empty()).then(|| spans[k % spans.len()].id)
    };
    let relation_at = |p: &Project, d: usize, k: usize| {
        let rs = &p.documents[pick_doc(p, d)].relations;
        (!rs.is_empty()).then(|| rs[k % rs.len()].id)
    };
    let entity_at = |p: &Project, k: usize| {
        (!p.entities.is_empty()).then(|| p.entities[k % p.entities.len()].clone())
    };
    match *op {
        Op::AddSpan {
            doc,
            start,
            len,
            ty,
        } => {
            let id = p.new_span_id();
            tx.push(Edit::AddSpan {
                doc: doc_id(p, doc),
                span: Span::new(id, start, start + len, types[ty]),
            });
        }
        Op::RemoveSpan { doc, pick } => {
            if let Some(s) = span_at(p, doc, pick) {
                tx.edits = remove_span_with_relations(&p.documents[pick_doc(p, doc)], s);
            }
        }
        Op::Retype { doc, pick, ty } => {
            if let Some(s) = span_at(p, doc, pick) {
                tx.push(Edit::SetSpanType {
                    doc: doc_id(p, doc),
                    span: s,
                    entity_type: types[ty].into(),
                });
            }
        }
        Op::Note { doc, pick } => {
            if let Some(s) = span_at(p, doc, pick) {
                tx.push(Edit::SetSpanNote {
                    doc: doc_id(p, doc),
                    span: s,
                    note: format!("n{pick}"),
                });
            }
        }
        Op::Resize {
            doc,
            pick,
            start,
            len,
        } => {
            if let Some(s) = span_at(p, doc, pick) {
                tx.push(Edit::SetSpanRange {
                    doc: doc_id(p, doc),
                    span: s,
                    start,
                    end: start + len,
                });
            }
        }
        Op::Relate { doc, a, b, ty } => {
            if let (Some(a), Some(b)) = (span_at(p, doc, a), span_at(p, doc, b)) {
                let id = p.new_relation_id();
                tx.push(Edit::AddRelation {
                    doc: doc_id(p, doc),
                    relation: Relation {
                        id,
                        relation_type: rels[ty].into(),
                        source: a,
                        target: b,
                        origin: Origin::Manual,
                        note: String::new(),
                        made: None,
                    },
                });
            }
        }
        Op::Unrelate { doc, pick } => {
            if let Some(relation) = relation_at(p, doc, pick) {
                tx.push(Edit::RemoveRelation {
                    doc: doc_id(p, doc),
                    relation,
                });
            }
        }
        Op::AddEntity { ty } => {
            let id = p.new_entity_id();
            tx.push(Edit::AddEntity(Entity {
                id,
                name: format!("E{ty}"),
                entity_type: types[ty].into(),
                aliases: vec![],
                references: Vec::new(),
                note: String::new(),
                made: None,
            }));
        }
        Op::Link { doc, pick, entity } => {
            if let Some(s) = span_at(p, doc, pick) {
                let e = (!p.entities.is_empty()).then(|| p.entities[entity % p.entities.len()].id);
                tx.push(Edit::LinkSpan {
                    doc: doc_id(p, doc),
                    span: s,
                    entity: e,
                });
            }
        }
        Op::Status { doc, status } => {
            tx.push(Edit::SetDocumentStatus {
                doc: doc_id(p, doc),
                status: DocumentStatus::ALL[status],
            });
        }
        Op::Reject { doc, start } => {
            tx.push(Edit::AddDecision(SuggestionDecision {
                document: doc_id(p, doc),
                start,
                end: start + 3,
                entity_type: "GPE".into(),
                verdict: Verdict::Rejected,
                made: None,
            }));
        }
        Op::Unreject { pick } => {
            // An existing decision, or (with none) one that is not recorded: refused.
            let decision = p.decisions.get(pick % p.decisions.len().max(1)).cloned();
            tx.push(Edit::RemoveDecision(decision.unwrap_or(
                SuggestionDecision {
                    document: doc_id(p, 0),
                    start: 1,
                    end: 2,
                    entity_type: "PER".into(),
                    verdict: Verdict::Rejected,
                    made: None,
                },
            )));
        }
        Op::RejectRelation { doc, start } => {
            tx.push(Edit::AddRelationDecision(RelationDecision {
                document: doc_id(p, doc),
                relation_type: "member_of".into(),
                source: SpanRef::new(start, start + 2, "PER"),
                target: SpanRef::new(start + 3, start + 5, "ORG"),
                verdict: Verdict::Rejected,
                made: None,
            }));
        }
        Op::UnrejectRelation { pick } => {
            let n = p.relation_decisions.len();
            if n > 0 {
                tx.push(Edit::RemoveRelationDecision(
                    p.relation_decisions[pick % n].clone(),
                ));
            }
        }
        Op::InsertDocument { at } => {
            let id = p.new_document_id();
            tx.push(Edit::InsertDocument {
                index: at,
                document: Document::new(id, "new", "", format!("Inserted text {at}.")).into(),
            });
        }
        Op::RemoveDocument { doc } => {
            tx.push(Edit::RemoveDocument {
                doc: doc_id(p, doc),
            });
        }
        Op::Metadata { doc, author } => {
            // author 0 clears the metadata; others set a date, an author and an extra key.
            let mut metadata = DocumentMetadata::default();
            if author > 0 {
                metadata.author = Some(format!("author {author}"));
                metadata.date = Some("2024-03-01".into());
                metadata.extra.insert("to".into(), format!("desk {doc}"));
            }
            tx.push(Edit::SetDocumentMetadata {
                doc: doc_id(p, doc),
                metadata: Box::new(metadata),
            });
        }
        Op::Title { doc } => {
            tx.push(Edit::SetDocumentTitle {
                doc: doc_id(p, doc),
                title: format!("title {doc}"),
            });
        }
        Op::RelationType { doc, pick, ty } => {
            if let Some(relation) = relation_at(p, doc, pick) {
                tx.push(Edit::SetRelationType {
                    doc: doc_id(p, doc),
                    relation,
                    relation_type: rels[ty].into(),
                });
            }
        }
        Op::RelationNote { doc, pick } => {
            if let Some(relation) = relation_at(p, doc, pick) {
                tx.push(Edit::SetRelationNote {
                    doc: doc_id(p, doc),
                    relation,
                    note: format!("r{pick}"),
                });
            }
        }
        Op::Swap { doc, pick } => {
            if let Some(relation) = relation_at(p, doc, pick) {
                tx.push(Edit::SwapRelationEnds {
                    doc: doc_id(p, doc),
                    relation,
                });
            }
        }
        Op::RemoveEntity { pick } => {
            if let Some(e) = entity_at(p, pick) {
                tx.push(Edit::RemoveEntity(e.id));
            }
        }
        Op::UpdateEntity { pick, ty } => {
            if let Some(mut e) = entity_at(p, pick) {
                e.name = format!("{} ({ty})", e.name);
                e.entity_type = types[ty].into();
                e.aliases.push(format!("alias {ty}"));
                tx.push(Edit::UpdateEntity(e));
            }
        }
        Op::Schema { ty, add } => {
            let mut schema = p.schema.clone();
            if add {
                schema.ensure_entity_type(&format!("NEW{ty}"));
            } else {
                schema.remove_entity_type(types[ty]);
            }
            tx.push(Edit::SetSchema(Box::new(schema)));
        }
        Op::Rename => tx.push(Edit::SetProjectName(format!("{} again", p.name))),
        Op::Conflict { pick, add } => {
            let listed = p.conflicts.get(pick % p.conflicts.len().max(1)).cloned();
            let conflict = crate::model::Conflict {
                object: format!("T{pick}"),
                document: None,
                what: "both sides retyped the span".into(),
                ours: "PER".into(),
                theirs: "ORG".into(),
            };
            tx.push(match (add, listed) {
                (false, Some(c)) => Edit::RemoveConflict(c),
                (false, None) => Edit::RemoveConflict(conflict),
                (true, _) => Edit::InsertConflict {
                    index: pick,
                    conflict,
                },
            });
        }
    }
    tx
}

/// Every `Edit` variant by name; the match is exhaustive, so a new variant must be named here
/// (and then generated by `op()`, which the test below checks).
fn variant(edit: &Edit) -> &'static str {
    match edit {
        Edit::InsertDocument { .. } => "InsertDocument",
        Edit::RemoveDocument { .. } => "RemoveDocument",
        Edit::SetDocumentStatus { .. } => "SetDocumentStatus",
        Edit::SetDocumentTitle { .. } => "SetDocumentTitle",
        Edit::SetDocumentMetadata { .. } => "SetDocumentMetadata",
        Edit::AddSpan { .. } => "AddSpan",
        Edit::RemoveSpan { .. } => "RemoveSpan",
        Edit::SetSpanType { .. } => "SetSpanType",
        Edit::SetSpanNote { .. } => "SetSpanNote",
        Edit::SetSpanRange { .. } => "SetSpanRange",
        Edit::LinkSpan { .. } => "LinkSpan",
        Edit::AddRelation { .. } => "AddRelation",
        Edit::RemoveRelation { .. } => "RemoveRelation",
        Edit::SetRelationType { .. } => "SetRelationType",
        Edit::SetRelationNote { .. } => "SetRelationNote",
        Edit::SwapRelationEnds { .. } => "SwapRelationEnds",
        Edit::AddEntity(_) => "AddEntity",
        Edit::RemoveEntity(_) => "RemoveEntity",
        Edit::UpdateEntity(_) => "UpdateEntity",
        Edit::AddDecision(_) => "AddDecision",
        Edit::RemoveDecision(_) => "RemoveDecision",
        Edit::AddRelationDecision(_) => "AddRelationDecision",
        Edit::RemoveRelationDecision(_) => "RemoveRelationDecision",
        Edit::SetSchema(_) => "SetSchema",
        Edit::SetProjectName(_) => "SetProjectName",
        Edit::RemoveConflict(_) => "RemoveConflict",
        Edit::InsertConflict { .. } => "InsertConflict",
    }
}

const VARIANTS: usize = 27;

#[test]
fn the_property_test_generates_every_edit_variant() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut p = annotated_sample();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..3000 {
        let op = op()
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{e}"))
            .current();
        let tx = transaction(&mut p, &op);
        seen.extend(tx.edits.iter().map(variant));
        // Keep the project moving so later ops find spans, relations and decisions.
        let _undo = tx.apply(&mut p);
        if p.documents.is_empty() || p.relation_count() == 0 {
            p = annotated_sample();
        }
    }
    assert_eq!(seen.len(), VARIANTS, "{seen:?}");
}

proptest! {
    /// Applying any edit sequence and then undoing everything restores the project; every
    /// intermediate project is valid; failed edits change nothing.
    #[test]
    fn undo_restores_and_invariants_hold(ops in proptest::collection::vec(op(), 1..40)) {
        let mut p = annotated_sample();
        let original = content(&p);
        let mut history = History::default();
        let mut snapshots = vec![];
        for op in &ops {
            let tx = transaction(&mut p, op);
            if tx.is_empty() {
                continue;
            }
            let before = content(&p);
            match history.apply(&mut p, tx) {
                Ok(()) => snapshots.push(before),
                Err(_) => prop_assert_eq!(content(&p), before),
            }
            prop_assert_eq!(p.validate(), Ok(()));
        }
        let after_all = content(&p);
        while let Some(expected) = snapshots.pop() {
            history.undo(&mut p).unwrap();
            prop_assert_eq!(content(&p), expected);
        }
        prop_assert_eq!(content(&p), original);
        while history.redo(&mut p).unwrap().is_some() {}
        prop_assert_eq!(content(&p), after_all);
    }
}

#[test]
fn removing_a_span_with_relations_needs_the_relations_gone_first() {
    let mut p = sample();
    let doc = p.documents[0].id;
    let (a, b, r) = (p.new_span_id(), p.new_span_id(), p.new_relation_id());
    let mut tx = Transaction::new("setup");
    tx.push(Edit::AddSpan {
        doc,
        span: Span::new(a, 0, 7, "GPE"),
    });
    tx.push(Edit::AddSpan {
        doc,
        span: Span::new(b, 12, 22, "GPE"),
    });
    tx.push(Edit::AddRelation {
        doc,
        relation: Relation {
            id: r,
            relation_type: "opposes".into(),
            source: a,
            target: b,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        },
    });
    let mut h = History::default();
    h.apply(&mut p, tx).unwrap();
    assert_eq!(
        Edit::RemoveSpan { doc, span: a }.apply(&mut p),
        Err(ModelError::SpanHasRelations { span: a })
    );
    let tx = Transaction {
        label: "delete".into(),
        edits: remove_span_with_relations(&p.documents[0], a),
    };
    h.apply(&mut p, tx).unwrap();
    assert_eq!(p.documents[0].spans.len(), 1);
    assert!(p.documents[0].relations.is_empty());
    h.undo(&mut p).unwrap();
    assert_eq!(p.documents[0].relations.len(), 1);
}

#[test]
fn relations_need_known_types_and_ends_in_one_document() {
    let mut p = sample();
    let (d0, d1) = (p.documents[0].id, p.documents[1].id);
    let (a, b) = (p.new_span_id(), p.new_span_id());
    Edit::AddSpan {
        doc: d0,
        span: Span::new(a, 0, 7, "GPE"),
    }
    .apply(&mut p)
    .unwrap();
    Edit::AddSpan {
        doc: d1,
        span: Span::new(b, 15, 30, "PER"),
    }
    .apply(&mut p)
    .unwrap();
    let rel = |ty: &str, source, target| Relation {
        id: RelationId(100),
        relation_type: ty.into(),
        source,
        target,
        origin: Origin::Manual,
        note: String::new(),
        made: None,
    };
    assert!(matches!(
        Edit::AddRelation {
            doc: d0,
            relation: rel("opposes", a, b)
        }
        .apply(&mut p),
        Err(ModelError::DanglingRelation { .. })
    ));
    let c = p.new_span_id();
    Edit::AddSpan {
        doc: d0,
        span: Span::new(c, 34, 40, "DATE"),
    }
    .apply(&mut p)
    .unwrap();
    assert_eq!(
        Edit::AddRelation {
            doc: d0,
            relation: rel("rules_over", a, c)
        }
        .apply(&mut p),
        Err(ModelError::UnknownRelationType("rules_over".into()))
    );
}

#[test]
fn ids_are_never_reused_after_undo() {
    let mut p = sample();
    let doc = p.documents[0].id;
    let a = p.new_span_id();
    let mut h = History::default();
    h.apply(
        &mut p,
        Transaction::single(
            "add",
            Edit::AddSpan {
                doc,
                span: Span::new(a, 0, 7, "GPE"),
            },
        ),
    )
    .unwrap();
    h.undo(&mut p).unwrap();
    assert!(p.new_span_id() > a);
}

#[test]
fn schema_types_in_use_cannot_be_removed() {
    let mut p = sample();
    let doc = p.documents[0].id;
    let a = p.new_span_id();
    Edit::AddSpan {
        doc,
        span: Span::new(a, 0, 7, "GPE"),
    }
    .apply(&mut p)
    .unwrap();
    let mut schema = p.schema.clone();
    schema.entity_types.retain(|t| t.id != "GPE");
    schema.relation_types.iter_mut().for_each(|r| {
        r.source_types.retain(|t| t != "GPE");
        r.target_types.retain(|t| t != "GPE");
    });
    assert_eq!(
        Edit::SetSchema(Box::new(schema)).apply(&mut p),
        Err(ModelError::EntityTypeInUse {
            ty: "GPE".into(),
            count: 1
        })
    );
}

#[test]
fn revision_counts_applied_edits() {
    let mut p = sample();
    let doc = p.documents[0].id;
    let r0 = p.revision;
    Edit::SetDocumentStatus {
        doc,
        status: DocumentStatus::Done,
    }
    .apply(&mut p)
    .unwrap();
    assert_eq!(p.revision, r0 + 1);
    assert!(
        Edit::SetSpanNote {
            doc,
            span: SpanId(999),
            note: "x".into()
        }
        .apply(&mut p)
        .is_err()
    );
    assert_eq!(p.revision, r0 + 1);
}

/// The reference: every edit applied on its own (a run of one), in order, and on a failure
/// the applied ones undone one by one.
fn apply_one_by_one(p: &mut Project, edits: &[Edit]) -> Result<(), ModelError> {
    let mut inverses = Vec::new();
    for edit in edits {
        match edit.clone().apply(p) {
            Ok(inverse) => inverses.push(inverse),
            Err(e) => {
                for inverse in inverses.into_iter().rev() {
                    inverse.apply(p).unwrap_or_else(|e| panic!("{e}"));
                }
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Edits that clash with the project or with each other (`pick` chooses how): an id another
/// kind holds, an existing span's range again, one new range twice, one new id twice. The
/// run-wide checks must refuse them just as the one-by-one checks do.
fn clashing_edits(p: &Project, next_id: u64, pick: usize) -> Vec<Edit> {
    let doc = &p.documents[pick % p.documents.len()];
    let add = |id: u64, start: usize, end: usize, ty: &str| Edit::AddSpan {
        doc: doc.id,
        span: Span::new(SpanId(id), start, end, ty),
    };
    match (pick / 2) % 4 {
        0 => vec![add(doc.id.0, 0, 3, "GPE")],
        1 => match doc.spans.first() {
            Some(s) => vec![add(next_id, s.start, s.end, &s.entity_type)],
            None => vec![add(next_id, 0, 2, "ORG"), add(next_id + 1, 0, 2, "ORG")],
        },
        2 => vec![add(next_id, 1, 4, "LOC"), add(next_id + 1, 1, 4, "LOC")],
        _ => vec![add(next_id, 1, 4, "LOC"), add(next_id, 5, 9, "LOC")],
    }
}

proptest! {
    /// Applying a transaction in runs (one validation pass per run) accepts and refuses
    /// exactly what applying its edits one by one does, with the same first error and the
    /// same resulting project.
    #[test]
    fn runs_apply_exactly_like_single_edits(
        batches in proptest::collection::vec(
            (proptest::collection::vec(op(), 1..8), any::<bool>(), 0..8usize),
            1..8,
        )
    ) {
        let mut batched = annotated_sample();
        let mut single = annotated_sample();
        let mut history = History::default();
        for (ops, clash, pick) in &batches {
            // Plan every op against the same project (as one transaction), so that several
            // edits of one kind on one document form runs.
            let mut plan = batched.clone();
            let mut edits = Vec::new();
            for op in ops {
                edits.extend(transaction(&mut plan, op).edits);
            }
            if *clash && !batched.documents.is_empty() {
                edits.extend(clashing_edits(&batched, plan.next_id, *pick));
            }
            if batched.documents.is_empty() || edits.is_empty() {
                continue;
            }
            single.next_id = plan.next_id;
            batched.next_id = plan.next_id;
            let tx = Transaction { label: "t".into(), edits: edits.clone() };
            let got = history.apply(&mut batched, tx);
            let want = apply_one_by_one(&mut single, &edits);
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(content(&batched), content(&single));
            prop_assert_eq!(batched.validate(), Ok(()));
        }
        // Undo applies whole inverse transactions in runs too; the reference undoes edit by
        // edit through the same inverses.
        while history.undo(&mut batched).map_err(|e| TestCaseError::fail(e.to_string()))?.is_some() {
            prop_assert_eq!(batched.validate(), Ok(()));
        }
        prop_assert_eq!(content(&batched), content(&annotated_sample()));
    }
}

#[test]
fn a_run_refuses_an_id_used_by_another_kind_or_twice_in_the_run() {
    let mut p = annotated_sample();
    let doc = p.documents[0].id;
    // The id of a document, brought back by a span.
    let clash = Edit::AddSpan {
        doc,
        span: Span::new(SpanId(doc.0), 0, 7, "GPE"),
    };
    assert_eq!(
        Transaction::single("t", clash).apply(&mut p),
        Err(ModelError::DuplicateId(doc.0))
    );
    // Two spans of one run with one id: the second is refused, and nothing stays.
    let before = p.clone();
    let id = p.next_id;
    let twice = Transaction {
        label: "t".into(),
        edits: vec![
            Edit::AddSpan {
                doc,
                span: Span::new(SpanId(id), 0, 7, "GPE"),
            },
            Edit::AddSpan {
                doc,
                span: Span::new(SpanId(id), 12, 22, "GPE"),
            },
        ],
    };
    assert_eq!(twice.apply(&mut p), Err(ModelError::DuplicateId(id)));
    assert_eq!(p, before);
}
