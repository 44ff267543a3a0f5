use super::*;
use crate::edit::History;
use crate::model::Document;

type R = Result<(), Box<dyn std::error::Error>>;

/// Adds a document and spans given as (surface text, type): each span covers the first
/// occurrence of its text at or after the previous span.
fn add_doc(p: &mut Project, text: &str, spans: &[(&str, &str)]) -> DocumentId {
    let id = p.new_document_id();
    let mut d = Document::new(id, "d", "", text.to_string());
    let mut from = 0;
    for (surface, ty) in spans {
        let byte = from + text[from..].find(surface).unwrap_or_default();
        let start = text[..byte].chars().count();
        let end = start + surface.chars().count();
        from = byte + surface.len();
        let sid = p.new_span_id();
        d.spans.push(Span::new(sid, start, end, ty));
    }
    d.spans.sort_by_key(|s| s.sort_key());
    p.documents.push(d.into());
    id
}

fn entity_of(p: &Project, doc: DocumentId, nth: usize) -> Option<EntityId> {
    p.document(doc)
        .and_then(|d| d.spans.get(nth))
        .and_then(|s| s.entity)
}

#[test]
fn normalises_case_space_the_and_possessives() {
    assert_eq!(normalize_name("  The   CSTO’s "), "csto");
    assert_eq!(normalize_name("Russia's"), "russia");
    assert_eq!(normalize_name("“Irina  Volkova,”"), "irina volkova");
    assert_eq!(normalize_name("the"), "the");
    assert_eq!(normalize_name("AT&T"), "at&t");
    assert_eq!(clean_surface("the CSTO’s"), "CSTO");
    assert_eq!(clean_surface("Tomás Ferreira"), "Tomás Ferreira");
    assert_eq!(clean_surface("The"), "The");
    assert_eq!(normalize_name("Tomás’"), "tomás");
}

#[test]
fn finds_entities_by_name_or_alias_of_the_same_type() {
    let mut p = Project::new("t");
    let id = p.new_entity_id();
    p.entities.push(Entity {
        id,
        name: "Collective Security Treaty Organization".into(),
        entity_type: "ORG".into(),
        aliases: vec!["CSTO".into()],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    assert_eq!(find_entity(&p, "the CSTO's", "ORG"), Some(id));
    assert_eq!(
        find_entity(&p, "collective security treaty organization", "ORG"),
        Some(id)
    );
    assert_eq!(find_entity(&p, "CSTO", "GPE"), None);
    assert_eq!(find_entity(&p, "NATO", "ORG"), None);
}

#[test]
fn new_spans_link_on_normalised_text_and_to_entities_made_alongside() -> R {
    let mut p = Project::new("t");
    let doc = add_doc(&mut p, "The Kremlin’s line. Moscow said.", &[]);
    let e = p.new_entity_id();
    p.entities.push(Entity {
        id: e,
        name: "Kremlin".into(),
        entity_type: "ORG".into(),
        aliases: vec![],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    let mut ids = p.ids();
    let (kremlin, moscow, other) = (ids.span(), ids.span(), ids.entity());
    let mut tx = Transaction::new("t");
    tx.push(Edit::AddEntity(Entity {
        id: other,
        name: "Moscow".into(),
        entity_type: "GPE".into(),
        aliases: vec![],
        references: Vec::new(),
        note: String::new(),
        made: None,
    }));
    tx.push(Edit::AddSpan {
        doc,
        span: Span::new(kremlin, 0, 13, "ORG"),
    });
    tx.push(Edit::AddSpan {
        doc,
        span: Span::new(moscow, 20, 26, "GPE"),
    });
    link_new_spans(&p, &mut tx);
    tx.apply(&mut p)?;
    let linked = |id| p.documents[0].span(id).and_then(|s| s.entity);
    assert_eq!(linked(kremlin), Some(e), "“The Kremlin’s” is Kremlin");
    assert_eq!(
        linked(moscow),
        Some(other),
        "an entity the same step adds counts"
    );
    Ok(())
}

#[test]
fn link_all_groups_mentions_and_acronyms_and_undoes() -> R {
    let mut p = Project::new("t");
    let a = add_doc(
        &mut p,
        "Irina Volkova spoke for the Collective Security Treaty Organization (CSTO). Volkova's aide left.",
        &[
            ("Irina Volkova", "PER"),
            ("Collective Security Treaty Organization", "ORG"),
            ("CSTO", "ORG"),
            ("Volkova's", "PER"),
        ],
    );
    let b = add_doc(
        &mut p,
        "The CSTO’s chief met irina volkova and Irina Volkova again.",
        &[
            ("The CSTO’s", "ORG"),
            ("irina volkova", "PER"),
            ("Irina Volkova", "PER"),
        ],
    );
    let before = p.clone();
    let mut h = History::default();
    let tx = link_all(&p);
    h.apply(&mut p, tx)?;
    assert_eq!(p.entities.len(), 2);
    let per = entity_of(&p, a, 0).ok_or("unlinked")?;
    assert_eq!(
        entity_of(&p, a, 3),
        Some(per),
        "the lone surname joins the full name"
    );
    assert_eq!(
        p.entity(per).map(|e| e.aliases.clone()),
        Some(vec!["Volkova".to_string()])
    );
    assert_eq!(entity_of(&p, b, 1), Some(per));
    assert_eq!(entity_of(&p, b, 2), Some(per));
    let org = entity_of(&p, a, 1).ok_or("unlinked")?;
    assert_eq!(entity_of(&p, a, 2), Some(org));
    assert_eq!(entity_of(&p, b, 0), Some(org));
    let org = p.entity(org).ok_or("no entity")?;
    assert_eq!(org.name, "Collective Security Treaty Organization");
    assert_eq!(org.aliases, vec!["CSTO".to_string()]);
    assert_eq!(
        p.entity(per).map(|e| e.name.as_str()),
        Some("Irina Volkova")
    );
    // Nothing left to do the second time.
    assert!(link_all(&p).is_empty());
    h.undo(&mut p)?;
    assert_eq!(p.documents, before.documents);
    assert!(p.entities.is_empty());
    Ok(())
}

#[test]
fn link_all_uses_existing_entities_and_adds_acronym_aliases() -> R {
    let mut p = Project::new("t");
    let e = p.new_entity_id();
    p.entities.push(Entity {
        id: e,
        name: "European Union".into(),
        entity_type: "ORG".into(),
        aliases: vec![],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    let d = add_doc(
        &mut p,
        "The European Union (EU) said the EU would act.",
        &[("EU", "ORG"), ("EU", "ORG")],
    );
    let tx = link_all(&p);
    tx.apply(&mut p)?;
    assert_eq!(p.entities.len(), 1);
    assert_eq!(entity_of(&p, d, 0), Some(e));
    assert_eq!(entity_of(&p, d, 1), Some(e));
    assert_eq!(p.entities[0].aliases, vec!["EU".to_string()]);
    Ok(())
}

#[test]
fn proposes_aliases_from_acronym_definitions() {
    let mut p = Project::new("t");
    add_doc(
        &mut p,
        "Members of the North Atlantic Treaty Organization (NATO) met.",
        &[],
    );
    let e = p.new_entity_id();
    p.entities.push(Entity {
        id: e,
        name: "NATO".into(),
        entity_type: "ORG".into(),
        aliases: vec![],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    assert_eq!(
        propose_aliases(&p),
        vec![(e, "North Atlantic Treaty Organization".to_string())]
    );
    p.entities[0]
        .aliases
        .push("north atlantic treaty organization".into());
    assert!(propose_aliases(&p).is_empty());
}

#[test]
fn merge_and_split_with_undo() -> R {
    let mut p = Project::new("t");
    let d = add_doc(
        &mut p,
        "Volkova met Ms Volkova and I. Volkova.",
        &[
            ("Volkova", "PER"),
            ("Ms Volkova", "PER"),
            ("I. Volkova", "PER"),
        ],
    );
    let mut h = History::default();
    let tx = link_all(&p);
    h.apply(&mut p, tx)?;
    assert_eq!(p.entities.len(), 3);
    let keep = entity_of(&p, d, 0).ok_or("unlinked")?;
    let absorb = entity_of(&p, d, 1).ok_or("unlinked")?;
    let linked = p.clone();

    let tx = merge_entities(&p, keep, absorb)?;
    h.apply(&mut p, tx)?;
    assert_eq!(p.entities.len(), 2);
    assert!(p.entity(absorb).is_none());
    assert_eq!(entity_of(&p, d, 1), Some(keep));
    assert_eq!(
        p.entity(keep).map(|e| e.aliases.clone()),
        Some(vec!["Ms Volkova".to_string()])
    );
    assert_eq!(
        merge_entities(&p, keep, keep),
        Err(KbError::SameEntity(keep))
    );

    let moved = p.documents[0].spans[1].id;
    let tx = split_entity(&p, keep, &[moved], "Maria Volkova")?;
    h.apply(&mut p, tx)?;
    let new = entity_of(&p, d, 1).ok_or("unlinked")?;
    assert_ne!(new, keep);
    assert_eq!(
        p.entity(new).map(|e| e.name.as_str()),
        Some("Maria Volkova")
    );
    assert_eq!(entity_of(&p, d, 0), Some(keep));
    let other = p.documents[0].spans[2].id;
    assert!(matches!(
        split_entity(&p, keep, &[other], "x"),
        Err(KbError::NotAMention { .. })
    ));

    h.undo(&mut p)?;
    h.undo(&mut p)?;
    assert_eq!(p.entities, linked.entities);
    assert_eq!(p.documents, linked.documents);
    Ok(())
}

#[test]
fn table_and_mentions_in_context() -> R {
    let mut p = Project::new("t");
    add_doc(
        &mut p,
        "Headline\nNATO met. NATO left.",
        &[("NATO", "ORG"), ("NATO", "ORG")],
    );
    add_doc(&mut p, "Later NATO returned.", &[("NATO", "ORG")]);
    let tx = link_all(&p);
    tx.apply(&mut p)?;
    let rows = entity_table(&p);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].mentions, rows[0].documents), (3, 2));
    let m = mentions_with_context(&p, rows[0].id);
    assert_eq!(m.len(), 3);
    assert_eq!((m[0].sentence_start, m[0].sentence_end), (9, 18));
    assert_eq!(m[0].left, "Headline ");
    assert_eq!(m[1].hit, "NATO");
    assert_eq!(m[1].right, " left.");
    Ok(())
}
