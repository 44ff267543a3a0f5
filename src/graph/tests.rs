use super::*;
use crate::model::{Document, Entity, Origin, Relation, Span};

struct Doc<'a> {
    text: &'a str,
    spans: &'a [(&'a str, &'a str, Option<u64>)],
    relations: &'a [(usize, &'a str, usize)],
}

/// A project with entities E1 "Armenia" (GPE), E2 "CSTO" (ORG), E3 "Azerbaijan" (GPE) and the
/// given documents; span entity links are entity numbers.
fn project(docs: &[Doc]) -> Project {
    let mut p = Project::new("t");
    for (name, ty) in [("Armenia", "GPE"), ("CSTO", "ORG"), ("Azerbaijan", "GPE")] {
        let id = p.new_entity_id();
        p.entities.push(Entity {
            id,
            name: name.into(),
            entity_type: ty.into(),
            aliases: vec![],
            references: Vec::new(),
            note: String::new(),
            made: None,
        });
    }
    for doc in docs {
        let id = p.new_document_id();
        let mut d = Document::new(id, "d", "", doc.text.to_string());
        let mut ids = Vec::new();
        let mut from = 0;
        for (surface, ty, entity) in doc.spans {
            let byte = from + doc.text[from..].find(surface).unwrap_or_default();
            from = byte + surface.len();
            let sid = p.new_span_id();
            let start = doc.text[..byte].chars().count();
            let mut s = Span::new(sid, start, start + surface.chars().count(), ty);
            s.entity = entity.map(EntityId);
            d.spans.push(s);
            ids.push(sid);
        }
        for (s, ty, t) in doc.relations {
            let rid = p.new_relation_id();
            d.relations.push(Relation {
                id: rid,
                relation_type: (*ty).into(),
                source: ids[*s],
                target: ids[*t],
                origin: Origin::Manual,
                note: String::new(),
                made: None,
            });
        }
        d.spans.sort_by_key(|s| s.sort_key());
        p.documents.push(d.into());
    }
    p
}

fn two_docs() -> Project {
    project(&[
        Doc {
            text: "Headline. Armenia is a member of the CSTO. Azerbaijan opposes Armenia.",
            spans: &[
                ("Armenia", "GPE", Some(1)),
                ("CSTO", "ORG", Some(2)),
                ("Azerbaijan", "GPE", Some(3)),
                ("Armenia", "GPE", Some(1)),
            ],
            relations: &[(0, "member_of", 1), (2, "opposes", 3)],
        },
        Doc {
            text: "Armenia stays in the CSTO.\nArmenia opposes Azerbaijan. Russian troops left.",
            spans: &[
                ("Armenia", "GPE", Some(1)),
                ("CSTO", "ORG", Some(2)),
                ("Armenia", "GPE", Some(1)),
                ("Azerbaijan", "GPE", Some(3)),
                ("Russian", "NORP", None),
            ],
            relations: &[(0, "member_of", 1), (2, "opposes", 3)],
        },
    ])
}

#[test]
fn same_relation_in_two_documents_is_one_edge_with_two_sentences() {
    let p = two_docs();
    let g = EntityGraph::build(&p, &GraphFilter::default());
    assert_eq!(g.nodes.len(), 4);
    let member: Vec<&Edge> = g
        .edges
        .iter()
        .filter(|e| e.relation_type == "member_of")
        .collect();
    assert_eq!(member.len(), 1);
    let e = member[0];
    assert_eq!(g.nodes[e.source].label, "Armenia");
    assert_eq!(g.nodes[e.target].label, "CSTO");
    let sentences: Vec<&str> = e.evidence.iter().map(|v| v.sentence.as_str()).collect();
    assert_eq!(
        sentences,
        vec![
            "Armenia is a member of the CSTO.",
            "Armenia stays in the CSTO."
        ]
    );
    let arm = g
        .node_index(&NodeKey::Entity(EntityId(1)))
        .unwrap_or(usize::MAX);
    assert_eq!((g.nodes[arm].mentions, g.nodes[arm].documents), (4, 2));
}

#[test]
fn symmetric_relations_aggregate_regardless_of_direction() {
    let p = two_docs();
    let g = EntityGraph::build(&p, &GraphFilter::default());
    let opposes: Vec<&Edge> = g
        .edges
        .iter()
        .filter(|e| e.relation_type == "opposes")
        .collect();
    assert_eq!(opposes.len(), 1);
    assert!(opposes[0].symmetric);
    assert_eq!(opposes[0].evidence.len(), 2);
}

#[test]
fn directed_relations_keep_direction() {
    let p = project(&[Doc {
        text: "Armenia supports the CSTO. The CSTO supports Armenia.",
        spans: &[
            ("Armenia", "GPE", Some(1)),
            ("CSTO", "ORG", Some(2)),
            ("CSTO", "ORG", Some(2)),
            ("Armenia", "GPE", Some(1)),
        ],
        relations: &[(0, "supports", 1), (2, "supports", 3)],
    }]);
    let g = EntityGraph::build(&p, &GraphFilter::default());
    assert_eq!(g.edges.len(), 2);
}

#[test]
fn unlinked_spans_group_by_type_and_normalised_text() {
    let p = project(&[Doc {
        text: "Russian forces and russian’s and Russian.",
        spans: &[
            ("Russian", "NORP", None),
            ("russian’s", "NORP", None),
            ("Russian", "GPE", None),
        ],
        relations: &[],
    }]);
    let g = EntityGraph::build(&p, &GraphFilter::default());
    assert_eq!(g.nodes.len(), 2);
    let norp = g
        .node_index(&NodeKey::Unlinked {
            entity_type: "NORP".into(),
            name: "russian".into(),
        })
        .unwrap_or(usize::MAX);
    assert_eq!(g.nodes[norp].mentions, 2);
    assert_eq!(g.nodes[norp].label, "Russian");
}

#[test]
fn filters_and_hide_isolated() {
    let p = two_docs();
    let only_gpe = GraphFilter {
        entity_types: Some(["GPE".to_string()].into()),
        ..GraphFilter::default()
    };
    let g = EntityGraph::build(&p, &only_gpe);
    assert_eq!(g.nodes.len(), 2);
    assert_eq!(g.edges.len(), 1);

    let member_only = GraphFilter {
        relation_types: Some(["member_of".to_string()].into()),
        hide_isolated: true,
        ..GraphFilter::default()
    };
    let g = EntityGraph::build(&p, &member_only);
    let labels: Vec<&str> = g.nodes.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(labels, vec!["Armenia", "CSTO"]);
    assert_eq!((g.edges[0].source, g.edges[0].target), (0, 1));
    assert_eq!(g.neighbours(0), vec![1]);

    let first_doc = GraphFilter {
        documents: Some([p.documents[0].id].into()),
        hide_isolated: true,
        ..GraphFilter::default()
    };
    let g = EntityGraph::build(&p, &first_doc);
    assert_eq!(
        g.nodes.len(),
        3,
        "the Russian group is only in the second document"
    );
    assert!(g.edges.iter().all(|e| e.evidence.len() == 1));
    let arm = g
        .node_index(&NodeKey::Entity(EntityId(1)))
        .unwrap_or(usize::MAX);
    assert_eq!(g.neighbours(arm).len(), 2);
}

#[test]
fn layout_sync_keeps_known_positions() {
    let p = two_docs();
    let g = EntityGraph::build(
        &p,
        &GraphFilter {
            hide_isolated: true,
            ..GraphFilter::default()
        },
    );
    let mut l = ForceLayout::new(&g, 42);
    l.run(300);
    let before = l.position(&NodeKey::Entity(EntityId(2)));
    let all = EntityGraph::build(&p, &GraphFilter::default());
    l.sync(&all);
    assert_eq!(l.positions().len(), all.nodes.len());
    assert_eq!(l.position(&NodeKey::Entity(EntityId(2))), before);
    let again = ForceLayout::new(&g, 42);
    let fresh = ForceLayout::new(&g, 42);
    assert_eq!(again.positions(), fresh.positions());
}
