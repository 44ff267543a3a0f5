//! What changed between two projects, in annotation terms: documents (matched by content
//! hash), spans (by offsets, a changed type is a retype), relations (by type and the offsets
//! of their ends) and entities (by id: added, removed, renamed, or merged into another when
//! the mentions of a removed entity now link to a surviving one).
//!
//! `diff_text` writes one project as one line per annotation, in a stable order, for git's
//! `textconv`: a line diff of two such texts reads as the annotation diff.

use crate::model::{Document, Entity, EntityId, Project, Relation, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRef {
    pub id: String,
    pub title: String,
    pub content_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanChange {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retype {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationChange {
    #[serde(rename = "type")]
    pub relation_type: String,
    pub source: SpanChange,
    pub target: SpanChange,
}

/// The changes inside one document both projects have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentDiff {
    pub document: DocumentRef,
    pub spans_added: Vec<SpanChange>,
    pub spans_removed: Vec<SpanChange>,
    pub spans_retyped: Vec<Retype>,
    pub relations_added: Vec<RelationChange>,
    pub relations_removed: Vec<RelationChange>,
}

impl DocumentDiff {
    fn is_empty(&self) -> bool {
        self.spans_added.is_empty()
            && self.spans_removed.is_empty()
            && self.spans_retyped.is_empty()
            && self.relations_added.is_empty()
            && self.relations_removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityRef {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    pub id: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityMerge {
    pub from: EntityRef,
    pub into: EntityRef,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EntitiesDiff {
    pub added: Vec<EntityRef>,
    pub removed: Vec<EntityRef>,
    pub renamed: Vec<Rename>,
    pub merged: Vec<EntityMerge>,
}

/// Everything that changed from A to B (`marginalia diff --json` prints this).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectDiff {
    pub documents_added: Vec<DocumentRef>,
    pub documents_removed: Vec<DocumentRef>,
    /// Documents in both with changed annotations.
    pub documents_changed: Vec<DocumentDiff>,
    pub entities: EntitiesDiff,
}

impl ProjectDiff {
    pub fn is_empty(&self) -> bool {
        self.documents_added.is_empty()
            && self.documents_removed.is_empty()
            && self.documents_changed.is_empty()
            && self.entities.added.is_empty()
            && self.entities.removed.is_empty()
            && self.entities.renamed.is_empty()
            && self.entities.merged.is_empty()
    }

    /// The report for the terminal: `+` added, `-` removed, `~` changed.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            return "no annotation changes".to_string();
        }
        let doc = |d: &DocumentRef| format!("{} \"{}\"", d.id, d.title);
        let span =
            |s: &SpanChange| format!("{}..{} {} \"{}\"", s.start, s.end, s.entity_type, s.text);
        let rel = |r: &RelationChange| {
            format!(
                "{} \"{}\" ({}) -> \"{}\" ({})",
                r.relation_type,
                r.source.text,
                r.source.entity_type,
                r.target.text,
                r.target.entity_type
            )
        };
        for d in &self.documents_added {
            let _ = writeln!(out, "+ document {}", doc(d));
        }
        for d in &self.documents_removed {
            let _ = writeln!(out, "- document {}", doc(d));
        }
        for d in &self.documents_changed {
            let _ = writeln!(out, "~ document {}", doc(&d.document));
            for s in &d.spans_added {
                let _ = writeln!(out, "    + span {}", span(s));
            }
            for s in &d.spans_removed {
                let _ = writeln!(out, "    - span {}", span(s));
            }
            for r in &d.spans_retyped {
                let _ = writeln!(
                    out,
                    "    ~ span {}..{} \"{}\" {} -> {}",
                    r.start, r.end, r.text, r.from, r.to
                );
            }
            for r in &d.relations_added {
                let _ = writeln!(out, "    + relation {}", rel(r));
            }
            for r in &d.relations_removed {
                let _ = writeln!(out, "    - relation {}", rel(r));
            }
        }
        let e = &self.entities;
        for x in &e.added {
            let _ = writeln!(out, "+ entity {} \"{}\" {}", x.id, x.name, x.entity_type);
        }
        for x in &e.removed {
            let _ = writeln!(out, "- entity {} \"{}\" {}", x.id, x.name, x.entity_type);
        }
        for x in &e.renamed {
            let _ = writeln!(
                out,
                "~ entity {} renamed \"{}\" -> \"{}\"",
                x.id, x.from, x.to
            );
        }
        for x in &e.merged {
            let _ = writeln!(
                out,
                "~ entity {} \"{}\" merged into {} \"{}\"",
                x.from.id, x.from.name, x.into.id, x.into.name
            );
        }
        out.truncate(out.trim_end().len());
        out
    }
}

fn doc_ref(d: &Document) -> DocumentRef {
    DocumentRef {
        id: d.id.to_string(),
        title: d.title.clone(),
        content_hash: d.content_hash.clone(),
    }
}

fn span_text(d: &Document, s: &Span) -> String {
    if s.start < s.end && s.end <= d.char_len() {
        d.slice(s.start, s.end).to_string()
    } else {
        String::new()
    }
}

fn span_change(d: &Document, s: &Span) -> SpanChange {
    SpanChange {
        start: s.start,
        end: s.end,
        entity_type: s.entity_type.to_string(),
        text: span_text(d, s),
    }
}

fn entity_ref(e: &Entity) -> EntityRef {
    EntityRef {
        id: e.id.to_string(),
        name: e.name.clone(),
        entity_type: e.entity_type.clone(),
    }
}

/// A relation by what it says: its type and its ends' offsets (not their types, so that a
/// retyped end does not show as a removed and an added relation).
type RelationKey = (String, (usize, usize), (usize, usize));

fn relation_key(d: &Document, r: &Relation) -> Option<(RelationKey, RelationChange)> {
    let s = d.span(r.source)?;
    let t = d.span(r.target)?;
    Some((
        (
            r.relation_type.to_string(),
            (s.start, s.end),
            (t.start, t.end),
        ),
        RelationChange {
            relation_type: r.relation_type.to_string(),
            source: span_change(d, s),
            target: span_change(d, t),
        },
    ))
}

fn document_diff(a: &Document, b: &Document) -> DocumentDiff {
    let key = |s: &Span| (s.start, s.end, s.entity_type.to_string());
    let a_spans: BTreeSet<_> = a.spans.iter().map(key).collect();
    let b_spans: BTreeSet<_> = b.spans.iter().map(key).collect();
    let mut removed: BTreeMap<(usize, usize), Vec<&Span>> = BTreeMap::new();
    for s in a.spans.iter().filter(|s| !b_spans.contains(&key(s))) {
        removed.entry((s.start, s.end)).or_default().push(s);
    }
    let mut added: BTreeMap<(usize, usize), Vec<&Span>> = BTreeMap::new();
    for s in b.spans.iter().filter(|s| !a_spans.contains(&key(s))) {
        added.entry((s.start, s.end)).or_default().push(s);
    }
    let mut diff = DocumentDiff {
        document: doc_ref(b),
        spans_added: Vec::new(),
        spans_removed: Vec::new(),
        spans_retyped: Vec::new(),
        relations_added: Vec::new(),
        relations_removed: Vec::new(),
    };
    // The same stretch of text with another type: a retype.
    for (at, old) in &mut removed {
        if let Some(new) = added.get_mut(at) {
            while let (Some(o), Some(n)) = (old.first(), new.first()) {
                diff.spans_retyped.push(Retype {
                    start: o.start,
                    end: o.end,
                    text: span_text(a, o),
                    from: o.entity_type.to_string(),
                    to: n.entity_type.to_string(),
                });
                old.remove(0);
                new.remove(0);
            }
        }
    }
    diff.spans_removed = removed
        .values()
        .flatten()
        .map(|s| span_change(a, s))
        .collect();
    diff.spans_added = added
        .values()
        .flatten()
        .map(|s| span_change(b, s))
        .collect();
    let a_rels: BTreeMap<_, _> = a
        .relations
        .iter()
        .filter_map(|r| relation_key(a, r))
        .collect();
    let b_rels: BTreeMap<_, _> = b
        .relations
        .iter()
        .filter_map(|r| relation_key(b, r))
        .collect();
    diff.relations_removed = a_rels
        .iter()
        .filter(|(k, _)| !b_rels.contains_key(*k))
        .map(|(_, v)| v.clone())
        .collect();
    diff.relations_added = b_rels
        .iter()
        .filter(|(k, _)| !a_rels.contains_key(*k))
        .map(|(_, v)| v.clone())
        .collect();
    diff
}

/// What changed from `a` to `b`.
pub fn diff(a: &Project, b: &Project) -> ProjectDiff {
    let b_docs: HashMap<&str, &Document> = b
        .documents
        .iter()
        .map(|d| (d.content_hash.as_str(), &**d))
        .collect();
    let a_docs: HashMap<&str, &Document> = a
        .documents
        .iter()
        .map(|d| (d.content_hash.as_str(), &**d))
        .collect();
    let mut out = ProjectDiff {
        documents_added: Vec::new(),
        documents_removed: Vec::new(),
        documents_changed: Vec::new(),
        entities: EntitiesDiff::default(),
    };
    for d in &a.documents {
        match b_docs.get(d.content_hash.as_str()) {
            None => out.documents_removed.push(doc_ref(d)),
            Some(bd) => {
                let dd = document_diff(d, bd);
                if !dd.is_empty() {
                    out.documents_changed.push(dd);
                }
            }
        }
    }
    for d in &b.documents {
        if !a_docs.contains_key(d.content_hash.as_str()) {
            out.documents_added.push(doc_ref(d));
        }
    }
    // Entities by id. A removed entity whose mentions in A now (in B) link to one entity
    // that B has was merged into it.
    let b_entities: HashMap<EntityId, &Entity> = b.entities.iter().map(|e| (e.id, e)).collect();
    let a_ids: BTreeSet<EntityId> = a.entities.iter().map(|e| e.id).collect();
    for e in &a.entities {
        match b_entities.get(&e.id) {
            Some(be) => {
                if be.name != e.name {
                    out.entities.renamed.push(Rename {
                        id: e.id.to_string(),
                        from: e.name.clone(),
                        to: be.name.clone(),
                    });
                }
            }
            None => match merged_into(a, b, e.id) {
                Some(into) => out.entities.merged.push(EntityMerge {
                    from: entity_ref(e),
                    into: entity_ref(into),
                }),
                None => out.entities.removed.push(entity_ref(e)),
            },
        }
    }
    for e in &b.entities {
        if !a_ids.contains(&e.id) {
            out.entities.added.push(entity_ref(e));
        }
    }
    out
}

/// The entity of B that the mentions of A's entity `gone` now link to, if they all agree.
fn merged_into<'b>(a: &Project, b: &'b Project, gone: EntityId) -> Option<&'b Entity> {
    let mut target = None;
    for (doc, span) in a.mentions_of(gone) {
        let bd = b
            .documents
            .iter()
            .find(|d| d.content_hash == doc.content_hash)?;
        let now = bd
            .span_at(span.start, span.end, &span.entity_type)
            .and_then(|s| s.entity)?;
        match target {
            None => target = Some(now),
            Some(t) if t == now => {}
            Some(_) => return None,
        }
    }
    b.entity(target?)
}

/// One project as text, one line per annotation in a stable order (documents by title and
/// hash, spans by offsets, relations by their ends), ids left out so that renumbering does
/// not show: what git's `textconv` shows and diffs line by line.
pub fn diff_text(p: &Project) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "project \"{}\"", p.name);
    for t in &p.schema.entity_types {
        let _ = writeln!(out, "entity type {} \"{}\" {}", t.id, t.label, t.color);
    }
    for t in &p.schema.relation_types {
        let _ = writeln!(
            out,
            "relation type {} \"{}\" {:?} -> {:?}{}",
            t.id,
            t.label,
            t.source_types,
            t.target_types,
            if t.symmetric { " symmetric" } else { "" }
        );
    }
    let mut entities: Vec<&Entity> = p.entities.iter().collect();
    entities.sort_by(|a, b| (&a.name, &a.entity_type).cmp(&(&b.name, &b.entity_type)));
    for e in entities {
        let _ = write!(out, "entity \"{}\" {}", e.name, e.entity_type);
        if !e.aliases.is_empty() {
            let _ = write!(out, " aka {:?}", e.aliases);
        }
        if !e.note.is_empty() {
            let _ = write!(out, " note {:?}", e.note);
        }
        out.push('\n');
    }
    let mut docs: Vec<&Document> = p.documents.iter().map(|d| &**d).collect();
    docs.sort_by(|a, b| (&a.title, &a.content_hash).cmp(&(&b.title, &b.content_hash)));
    for d in docs {
        let short = d.content_hash.get(..12).unwrap_or(&d.content_hash);
        let _ = writeln!(
            out,
            "\ndocument \"{}\" [{}] {} chars, {}",
            d.title,
            short,
            d.char_len(),
            d.status.label()
        );
        for s in &d.spans {
            let _ = write!(
                out,
                "  span {}..{} {} {:?}",
                s.start,
                s.end,
                s.entity_type,
                span_text(d, s)
            );
            if let Some(e) = s.entity.and_then(|e| p.entity(e)) {
                let _ = write!(out, " -> \"{}\"", e.name);
            }
            if !s.note.is_empty() {
                let _ = write!(out, " note {:?}", s.note);
            }
            out.push('\n');
        }
        let mut rels: Vec<String> = d
            .relations
            .iter()
            .filter_map(|r| {
                let s = d.span(r.source)?;
                let t = d.span(r.target)?;
                let mut line = format!(
                    "  relation {} {}..{} {:?} -> {}..{} {:?}",
                    r.relation_type,
                    s.start,
                    s.end,
                    span_text(d, s),
                    t.start,
                    t.end,
                    span_text(d, t)
                );
                if !r.note.is_empty() {
                    line.push_str(&format!(" note {:?}", r.note));
                }
                Some(line)
            })
            .collect();
        rels.sort();
        for r in rels {
            out.push_str(&r);
            out.push('\n');
        }
    }
    for c in &p.conflicts {
        let _ = writeln!(
            out,
            "conflict {}: {} (ours: {}; theirs: {})",
            c.object, c.what, c.ours, c.theirs
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, SpanId};
    use std::sync::Arc;

    fn project() -> Project {
        let mut p = Project::new("a");
        let id = p.new_document_id();
        let text = "Armenia and Azerbaijan met NATO officials in Brussels on Monday.";
        let mut d = Document::new(id, "Talks", "a.txt", text.to_string());
        for (start, end, ty) in [(0, 7, "GPE"), (12, 22, "GPE"), (27, 31, "ORG")] {
            d.spans.push(Span::new(p.new_span_id(), start, end, ty));
        }
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "opposes".into(),
            source: d.spans[1].id,
            target: d.spans[0].id,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(Arc::new(d));
        p
    }

    #[test]
    fn no_changes_against_itself() {
        let p = project();
        let d = diff(&p, &p);
        assert!(d.is_empty());
        assert_eq!(d.to_text(), "no annotation changes");
    }

    #[test]
    fn spans_relations_documents_and_entities() {
        let a = project();
        let mut b = a.clone();
        let e1 = b.new_entity_id();
        let e2 = b.new_entity_id();
        let mut a = a;
        for p in [&mut a, &mut b] {
            for (id, name) in [(e1, "NATO"), (e2, "North Atlantic Alliance")] {
                p.entities.push(Entity {
                    id,
                    name: name.into(),
                    entity_type: "ORG".into(),
                    aliases: vec![],
                    references: Vec::new(),
                    note: String::new(),
                    made: None,
                });
            }
            Arc::make_mut(&mut p.documents[0]).spans[2].entity = Some(e2);
        }
        a.next_id = b.next_id;
        // B: retype Armenia, drop the relation, add Brussels, merge e2 into e1, rename e1,
        // add a document.
        {
            let d = Arc::make_mut(&mut b.documents[0]);
            d.spans[0].entity_type = "LOC".into();
            d.relations.clear();
            let id = SpanId(900);
            d.spans.push(Span::new(id, 45, 53, "GPE"));
            d.spans[2].entity = Some(e1);
        }
        b.entities.retain(|e| e.id != e2);
        b.entities[0].name = "NATO alliance".into();
        let nd = b.new_document_id();
        b.documents
            .push(Arc::new(Document::new(nd, "New", "n.txt", "Baku.".into())));
        let d = diff(&a, &b);
        assert_eq!(d.documents_added.len(), 1);
        assert_eq!(d.documents_changed.len(), 1);
        let c = &d.documents_changed[0];
        assert_eq!(c.spans_retyped.len(), 1);
        assert_eq!(
            (
                c.spans_retyped[0].from.as_str(),
                c.spans_retyped[0].to.as_str()
            ),
            ("GPE", "LOC")
        );
        assert_eq!(c.spans_added.len(), 1);
        assert_eq!(c.spans_added[0].text, "Brussels");
        assert_eq!(c.relations_removed.len(), 1);
        assert_eq!(d.entities.renamed.len(), 1);
        assert_eq!(d.entities.merged.len(), 1);
        assert_eq!(d.entities.merged[0].into.id, e1.to_string());
        let text = d.to_text();
        assert!(
            text.contains("~ span 0..7 \"Armenia\" GPE -> LOC"),
            "{text}"
        );
        assert!(text.contains("merged into"), "{text}");
        let json = serde_json::to_value(&d).unwrap();
        assert!(json["documents_changed"][0]["spans_retyped"].is_array());
    }

    #[test]
    fn diff_text_ignores_ids() {
        let a = project();
        let mut b = a.clone();
        let d = Arc::make_mut(&mut b.documents[0]);
        for s in &mut d.spans {
            s.id = SpanId(s.id.0 + 100);
        }
        for r in &mut d.relations {
            r.source = SpanId(r.source.0 + 100);
            r.target = SpanId(r.target.0 + 100);
        }
        assert_eq!(diff_text(&a), diff_text(&b));
        assert!(diff_text(&a).contains("span 27..31 ORG \"NATO\""));
    }
}
