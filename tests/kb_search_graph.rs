//! The knowledge base, search and graph working together on a small project built through
//! edits, the way the GUI drives them.

use marginalia::edit::{Edit, History, Transaction};
use marginalia::graph::{EntityGraph, ForceLayout, GraphFilter, NodeKey};
use marginalia::kb;
use marginalia::model::{Document, DocumentId, Origin, Project, Relation, Span};
use marginalia::search::{self, Mode, Query};
use marginalia::session::Op;

type R = Result<(), Box<dyn std::error::Error>>;

const ARTICLES: [&str; 3] = [
    "Yerevan\n\nIrina Volkova, a spokesperson for the Collective Security Treaty Organization (CSTO), \
     said Armenia remains a member of the CSTO. Azerbaijan opposes Armenia.",
    "The CSTO’s secretariat denied the report. Volkova's statement came a day later, \
     and Armenia stays a member of the CSTO.",
    "Armenia and Azerbaijan traded accusations. Observers from the European Union (EU) watched.",
];

fn project() -> Project {
    let mut p = Project::new("kb");
    for (i, text) in ARTICLES.iter().enumerate() {
        let id = p.new_document_id();
        p.documents
            .push(Document::new(id, &format!("article {i}"), "", text.to_string()).into());
    }
    p
}

/// Tags every whole-word occurrence of `text` as `ty` through search + annotate_all.
fn tag(
    p: &mut Project,
    h: &mut History,
    text: &str,
    ty: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let query = Query {
        pattern: text.into(),
        mode: Mode::WholeWord,
        case_sensitive: true,
        ..Query::default()
    };
    let hits = search::search(p, &query)?.hits;
    let (tx, skipped) = search::annotate_all(p, &hits, ty);
    assert_eq!(skipped, 0);
    h.apply(p, tx)?;
    Ok(hits.len())
}

fn span_at(p: &Project, doc: DocumentId, text: &str, nth: usize) -> Option<Span> {
    let d = p.document(doc)?;
    d.spans
        .iter()
        .filter(|s| d.span_text(s) == text)
        .nth(nth)
        .cloned()
}

fn relate(p: &mut Project, doc: DocumentId, a: &Span, ty: &str, b: &Span) -> Edit {
    Edit::AddRelation {
        doc,
        relation: Relation {
            id: p.new_relation_id(),
            relation_type: ty.into(),
            source: a.id,
            target: b.id,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        },
    }
}

/// The annotated project: entities tagged, linked with link_all, two member_of relations in
/// two documents and opposes in both directions.
fn annotated() -> Result<(Project, History), Box<dyn std::error::Error>> {
    let mut p = project();
    let mut h = History::default();
    assert_eq!(tag(&mut p, &mut h, "Irina Volkova", "PER")?, 1);
    assert_eq!(tag(&mut p, &mut h, "Volkova's", "PER")?, 1);
    assert_eq!(
        tag(
            &mut p,
            &mut h,
            "Collective Security Treaty Organization",
            "ORG"
        )?,
        1
    );
    assert_eq!(tag(&mut p, &mut h, "CSTO", "ORG")?, 4);
    assert_eq!(tag(&mut p, &mut h, "The CSTO’s", "ORG")?, 1);
    assert_eq!(tag(&mut p, &mut h, "Armenia", "GPE")?, 4);
    assert_eq!(tag(&mut p, &mut h, "Azerbaijan", "GPE")?, 2);
    let tx = kb::link_all(&p);
    h.apply(&mut p, tx)?;

    let (d0, d1) = (p.documents[0].id, p.documents[1].id);
    let mut tx = Transaction::new("relations");
    for (doc, csto_nth) in [(d0, 1), (d1, 1)] {
        let arm = span_at(&p, doc, "Armenia", 0).ok_or("no span")?;
        let csto = span_at(&p, doc, "CSTO", csto_nth).ok_or("no span")?;
        tx.push(relate(&mut p, doc, &arm, "member_of", &csto));
    }
    let aze = span_at(&p, d0, "Azerbaijan", 0).ok_or("no span")?;
    let arm = span_at(&p, d0, "Armenia", 1).ok_or("no span")?;
    tx.push(relate(&mut p, d0, &aze, "opposes", &arm));
    let d2 = p.documents[2].id;
    let arm2 = span_at(&p, d2, "Armenia", 0).ok_or("no span")?;
    let aze2 = span_at(&p, d2, "Azerbaijan", 0).ok_or("no span")?;
    tx.push(relate(&mut p, d2, &arm2, "opposes", &aze2));
    h.apply(&mut p, tx)?;
    Ok((p, h))
}

#[test]
fn link_all_makes_one_entity_per_real_world_thing() -> R {
    let (p, _) = annotated()?;
    let rows = kb::entity_table(&p);
    let names: Vec<(&str, usize, usize)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.mentions, r.documents))
        .collect();
    assert!(names.contains(&("Irina Volkova", 2, 2)), "{names:?}");
    assert!(
        names.contains(&("Collective Security Treaty Organization", 6, 2)),
        "{names:?}"
    );
    assert!(names.contains(&("Armenia", 4, 3)), "{names:?}");
    assert_eq!(rows.len(), 4, "{names:?}");
    let csto_row = rows
        .iter()
        .find(|r| r.name.starts_with("Collective"))
        .ok_or("no row")?;
    assert_eq!(csto_row.aliases, vec!["CSTO".to_string()]);
    let csto = kb::find_entity(&p, "csto", "ORG").ok_or("CSTO not found")?;
    let by_entity = Query {
        entity: Some(csto),
        ..Query::default()
    };
    assert_eq!(search::search(&p, &by_entity)?.hits.len(), 6);
    let kwic = kb::mentions_with_context(&p, csto);
    assert_eq!(kwic.len(), 6);
    assert!(
        kwic.iter()
            .all(|m| m.left.chars().count() <= search::CONTEXT_CHARS)
    );
    Ok(())
}

#[test]
fn acronyms_relinking_and_merge_undo() -> R {
    let (mut p, mut h) = annotated()?;
    let d2 = p.documents[2].id;
    // "EU" was not tagged: tagging it now makes an unlinked span, then link_all groups it with
    // its acronym definition.
    tag(&mut p, &mut h, "European Union", "ORG")?;
    tag(&mut p, &mut h, "EU", "ORG")?;
    let tx = kb::link_all(&p);
    h.apply(&mut p, tx)?;
    let eu = span_at(&p, d2, "EU", 0).ok_or("no span")?;
    let long = span_at(&p, d2, "European Union", 0).ok_or("no span")?;
    assert!(eu.entity.is_some());
    assert_eq!(eu.entity, long.entity);

    // A span deleted and tagged again links to its entity at once (the auto-link rule).
    let aze = span_at(&p, d2, "Azerbaijan", 0).ok_or("no span")?;
    let entity = aze.entity.ok_or("unlinked")?;
    let delete = Op::DeleteSpan {
        doc: d2,
        span: aze.id,
    };
    let tx = delete.plan(&p)?.tx;
    h.apply(&mut p, tx)?;
    assert!(span_at(&p, d2, "Azerbaijan", 0).is_none());
    let retag = Op::Tag {
        doc: d2,
        start: aze.start,
        end: aze.end,
        entity_type: aze.entity_type.to_string(),
    };
    let tx = retag.plan(&p)?.tx;
    h.apply(&mut p, tx)?;
    assert_eq!(
        span_at(&p, d2, "Azerbaijan", 0).and_then(|s| s.entity),
        Some(entity)
    );

    // "Volkova's" joined "Irina Volkova"; split it off, merge it back, undo both.
    let irina = kb::find_entity(&p, "Irina Volkova", "PER").ok_or("no entity")?;
    assert_eq!(kb::find_entity(&p, "Volkova’s", "PER"), Some(irina));
    let d1 = p.documents[1].id;
    let surname = span_at(&p, d1, "Volkova's", 0).ok_or("no span")?;
    let before = p.clone();
    let tx = kb::split_entity(&p, irina, &[surname.id], "Volkova (unclear)")?;
    h.apply(&mut p, tx)?;
    let split = span_at(&p, d1, "Volkova's", 0)
        .and_then(|s| s.entity)
        .ok_or("unlinked")?;
    assert_ne!(split, irina);
    assert_eq!(kb::mentions_with_context(&p, irina).len(), 1);
    let tx = kb::merge_entities(&p, irina, split)?;
    h.apply(&mut p, tx)?;
    assert_eq!(kb::mentions_with_context(&p, irina).len(), 2);
    assert!(p.entity(split).is_none());
    h.undo(&mut p)?;
    h.undo(&mut p)?;
    assert_eq!(p.entities, before.entities);
    assert_eq!(p.documents, before.documents);
    let before = p.clone();
    let keep = kb::find_entity(&p, "Armenia", "GPE").ok_or("no entity")?;
    let absorb = kb::find_entity(&p, "Azerbaijan", "GPE").ok_or("no entity")?;
    let tx = kb::merge_entities(&p, keep, absorb)?;
    h.apply(&mut p, tx)?;
    assert_eq!(kb::find_entity(&p, "Azerbaijan", "GPE"), Some(keep));
    h.undo(&mut p)?;
    assert_eq!(p.entities, before.entities);
    assert_eq!(p.documents, before.documents);
    Ok(())
}

#[test]
fn graph_aggregates_across_documents_and_layout_is_stable() -> R {
    let (p, _) = annotated()?;
    let g = EntityGraph::build(&p, &GraphFilter::default());
    let member: Vec<_> = g
        .edges
        .iter()
        .filter(|e| e.relation_type == "member_of")
        .collect();
    assert_eq!(member.len(), 1);
    assert_eq!(member[0].evidence.len(), 2);
    assert!(
        member[0].evidence[0]
            .sentence
            .starts_with("Irina Volkova, a spokesperson")
    );
    assert_eq!(
        member[0].evidence[1].sentence,
        "Volkova's statement came a day later, and Armenia stays a member of the CSTO."
    );
    let opposes: Vec<_> = g
        .edges
        .iter()
        .filter(|e| e.relation_type == "opposes")
        .collect();
    assert_eq!(opposes.len(), 1);
    assert_eq!(opposes[0].evidence.len(), 2);

    let connected = EntityGraph::build(
        &p,
        &GraphFilter {
            hide_isolated: true,
            ..GraphFilter::default()
        },
    );
    assert_eq!(connected.nodes.len(), 3, "Volkova has no relations");

    let mut a = ForceLayout::new(&g, 9);
    let mut b = ForceLayout::new(&g, 9);
    let armenia = NodeKey::Entity(kb::find_entity(&p, "Armenia", "GPE").ok_or("no entity")?);
    a.pin(&armenia, [0.5, 0.5]);
    b.pin(&armenia, [0.5, 0.5]);
    a.run(200);
    b.run(200);
    assert_eq!(a.positions(), b.positions());
    assert_eq!(a.position(&armenia), Some([0.5, 0.5]));
    a.sync(&connected);
    assert_eq!(a.position(&armenia), Some([0.5, 0.5]));
    assert!(a.is_pinned(&armenia));
    Ok(())
}
