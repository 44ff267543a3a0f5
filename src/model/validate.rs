//! The model's invariants, checked in one place: by edits before they apply and by the store
//! after loading a file.

use super::document::{Document, Origin, Relation, Span};
use super::ids::{DocumentId, EntityId, RelationId, SpanId};
use super::project::{Entity, Project};
use super::schema::Schema;
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    #[error("no document {0}")]
    NoDocument(DocumentId),
    #[error("document {doc}: no span {span}")]
    NoSpan { doc: DocumentId, span: SpanId },
    #[error("document {doc}: no relation {relation}")]
    NoRelation {
        doc: DocumentId,
        relation: RelationId,
    },
    #[error("no entity {0}")]
    NoEntity(EntityId),
    #[error(
        "document {doc}: span {span} has offsets {start}..{end} but the text has {len} characters"
    )]
    OffsetsOutOfRange {
        doc: DocumentId,
        span: SpanId,
        start: usize,
        end: usize,
        len: usize,
    },
    #[error(
        "document {doc}: span {span} is empty or inverted ({start}..{end}); start must be below end"
    )]
    EmptySpan {
        doc: DocumentId,
        span: SpanId,
        start: usize,
        end: usize,
    },
    #[error("unknown entity type '{0}' (not in the schema)")]
    UnknownEntityType(String),
    #[error("unknown relation type '{0}' (not in the schema)")]
    UnknownRelationType(String),
    #[error(
        "document {doc}: relation {relation} points at span {span}, which is not in this document"
    )]
    DanglingRelation {
        doc: DocumentId,
        relation: RelationId,
        span: SpanId,
    },
    #[error("suggestion score {0} is not a number")]
    BadScore(String),
    #[error("no ids are left to hand out (next_id is at its maximum)")]
    IdsExhausted,
    #[error("id {0} is used twice")]
    DuplicateId(u64),
    #[error(
        "id {id} was never handed out (not below next_id {next_id}, nor below its author block's counter in id_blocks)"
    )]
    IdNotAllocated { id: u64, next_id: u64 },
    #[error("span {span} still has relations; remove them first")]
    SpanHasRelations { span: SpanId },
    #[error("entity {0} still has linked mentions; unlink them first")]
    EntityInUse(EntityId),
    #[error("entity type '{ty}' is used by {}; reassign them first", crate::text::count(*.count, "span", "spans"))]
    EntityTypeInUse { ty: String, count: usize },
    #[error("relation type '{ty}' is used by {}; reassign them first", crate::text::count(*.count, "relation", "relations"))]
    RelationTypeInUse { ty: String, count: usize },
    #[error("the schema names entity type '{0}' twice")]
    DuplicateType(String),
    #[error("a span {start}..{end} of type {ty} already exists in document {doc}")]
    DuplicateSpan {
        doc: DocumentId,
        start: usize,
        end: usize,
        ty: String,
    },
    #[error(
        "document {doc}: span {span} has bad fragments: {what} (fragments must be non-empty, in order, apart, and run from the span's start to its end)"
    )]
    BadFragments {
        doc: DocumentId,
        span: SpanId,
        what: String,
    },
    #[error("document {doc}: its token list is broken: {what}")]
    BadTokens { doc: DocumentId, what: String },
    #[error("no merge conflict on {0} is listed")]
    NoConflict(String),
    #[error("this merge conflict on {0} is listed already")]
    ConflictListed(String),
    #[error("decision on {doc} {start}..{end} {ty} is not recorded")]
    NoDecision {
        doc: DocumentId,
        start: usize,
        end: usize,
        ty: String,
    },
}

/// Which type names a schema has: the schema itself answers by a scan (fine for one edit), a
/// `TypeIndex` by a hash lookup (for a pass over many annotations).
pub(crate) trait TypeLookup {
    fn has_entity_type(&self, ty: &str) -> bool;
    fn has_relation_type(&self, ty: &str) -> bool;
}

impl TypeLookup for Schema {
    fn has_entity_type(&self, ty: &str) -> bool {
        self.entity_type(ty).is_some()
    }
    fn has_relation_type(&self, ty: &str) -> bool {
        self.relation_type(ty).is_some()
    }
}

/// A schema's type names in hash sets, built once per validation pass or batch of edits: a
/// schema of many types would otherwise be scanned once per span.
pub(crate) struct TypeIndex<'a> {
    entity: HashSet<&'a str>,
    relation: HashSet<&'a str>,
}

impl<'a> TypeIndex<'a> {
    pub(crate) fn of(schema: &'a Schema) -> TypeIndex<'a> {
        TypeIndex {
            entity: schema.entity_types.iter().map(|t| t.id.as_str()).collect(),
            relation: schema
                .relation_types
                .iter()
                .map(|t| t.id.as_str())
                .collect(),
        }
    }
}

impl TypeLookup for TypeIndex<'_> {
    fn has_entity_type(&self, ty: &str) -> bool {
        self.entity.contains(ty)
    }
    fn has_relation_type(&self, ty: &str) -> bool {
        self.relation.contains(ty)
    }
}

pub(crate) fn check_entity_type(types: &impl TypeLookup, ty: &str) -> Result<(), ModelError> {
    if types.has_entity_type(ty) {
        Ok(())
    } else {
        Err(ModelError::UnknownEntityType(ty.to_string()))
    }
}

/// Checks a span of `doc`, with the types looked up in `types` (the project's schema or its
/// index).
pub(crate) fn check_span(
    types: &impl TypeLookup,
    project: &Project,
    doc: &Document,
    span: &Span,
) -> Result<(), ModelError> {
    if span.start >= span.end {
        return Err(ModelError::EmptySpan {
            doc: doc.id,
            span: span.id,
            start: span.start,
            end: span.end,
        });
    }
    let len = doc.char_len();
    if span.end > len {
        return Err(ModelError::OffsetsOutOfRange {
            doc: doc.id,
            span: span.id,
            start: span.start,
            end: span.end,
            len,
        });
    }
    check_fragments(doc, span)?;
    check_entity_type(types, &span.entity_type)?;
    check_origin(&span.origin)?;
    if let Some(e) = span.entity {
        project.entity(e).ok_or(ModelError::NoEntity(e))?;
    }
    Ok(())
}

/// A discontinuous span's pieces: each non-empty, in order with a gap between them, the
/// first at the span's start and the last at its end. One piece alone is no discontinuity.
fn check_fragments(doc: &Document, span: &Span) -> Result<(), ModelError> {
    let f = &span.fragments;
    if f.is_empty() {
        return Ok(());
    }
    let bad = |what: String| ModelError::BadFragments {
        doc: doc.id,
        span: span.id,
        what,
    };
    if f.len() == 1 {
        return Err(bad("a single fragment".to_string()));
    }
    if f[0].0 != span.start || f[f.len() - 1].1 != span.end {
        return Err(bad(format!(
            "they run {}..{}, the span {}..{}",
            f[0].0,
            f[f.len() - 1].1,
            span.start,
            span.end
        )));
    }
    for (i, &(a, b)) in f.iter().enumerate() {
        if a >= b {
            return Err(bad(format!("fragment {a}..{b} is empty or inverted")));
        }
        if i > 0 && a <= f[i - 1].1 {
            return Err(bad(format!(
                "fragment {a}..{b} does not start after {}..{}",
                f[i - 1].0,
                f[i - 1].1
            )));
        }
    }
    Ok(())
}

/// A pretokenised document's tokens: non-empty, in order, apart, inside the text, and one
/// column entry per token when there are columns.
pub(crate) fn check_tokens(doc: &Document) -> Result<(), ModelError> {
    let Some(t) = &doc.tokens else {
        return Ok(());
    };
    let bad = |what: String| ModelError::BadTokens { doc: doc.id, what };
    let len = doc.char_len();
    let mut previous_end = 0;
    for &(a, b) in &t.tokens {
        if a >= b || a < previous_end || b > len {
            return Err(bad(format!(
                "token {a}..{b} is empty, overlaps the one before or ends past the text ({len} characters)"
            )));
        }
        previous_end = b;
    }
    if !t.columns.is_empty() && t.columns.len() != t.tokens.len() {
        return Err(bad(format!(
            "{} column entries for {} tokens",
            t.columns.len(),
            t.tokens.len()
        )));
    }
    Ok(())
}

/// Checks the relation's type and that both ends are spans of the document. The schema's
/// allowed source/target types guide the GUI's choices but are not an invariant: retyping a
/// span must not invalidate (or block the undo of) its relations, as in brat.
pub(crate) fn check_relation(
    types: &impl TypeLookup,
    doc: &Document,
    relation: &Relation,
) -> Result<(), ModelError> {
    check_relation_with(types, doc, relation, |id| doc.span(id).is_some())
}

/// `check_relation` for every relation of a document, with the span ids looked up in a set
/// built once (a document with many spans and relations would otherwise cost their product).
pub(crate) fn check_relations(types: &impl TypeLookup, doc: &Document) -> Result<(), ModelError> {
    if doc.relations.is_empty() {
        return Ok(());
    }
    let spans = span_ids(doc);
    for relation in &doc.relations {
        check_relation_with(types, doc, relation, |id| spans.contains(&id))?;
    }
    Ok(())
}

/// The ids of a document's spans, for checking many relation ends.
pub(crate) fn span_ids(doc: &Document) -> HashSet<SpanId> {
    doc.spans.iter().map(|s| s.id).collect()
}

/// `check_relation` with the ends looked up by `has_span`.
pub(crate) fn check_relation_with(
    types: &impl TypeLookup,
    doc: &Document,
    relation: &Relation,
    has_span: impl Fn(SpanId) -> bool,
) -> Result<(), ModelError> {
    if !types.has_relation_type(&relation.relation_type) {
        return Err(ModelError::UnknownRelationType(
            relation.relation_type.to_string(),
        ));
    }
    let end = |id: SpanId| {
        if has_span(id) {
            Ok(())
        } else {
            Err(ModelError::DanglingRelation {
                doc: doc.id,
                relation: relation.id,
                span: id,
            })
        }
    };
    end(relation.source)?;
    end(relation.target)?;
    check_origin(&relation.origin)?;
    Ok(())
}

/// A suggestion score is a number (a hand-edited NaN would sort and compare unpredictably).
fn check_origin(origin: &Origin) -> Result<(), ModelError> {
    match origin {
        Origin::Suggested { score, .. } if !score.is_finite() => {
            Err(ModelError::BadScore(score.to_string()))
        }
        _ => Ok(()),
    }
}

pub(crate) fn check_entity(types: &impl TypeLookup, entity: &Entity) -> Result<(), ModelError> {
    check_entity_type(types, &entity.entity_type)
}

pub(crate) fn check_schema(schema: &Schema) -> Result<(), ModelError> {
    let mut entity_types = HashSet::new();
    for t in &schema.entity_types {
        if !entity_types.insert(t.id.as_str()) {
            return Err(ModelError::DuplicateType(t.id.clone()));
        }
    }
    let mut seen = HashSet::new();
    for t in &schema.relation_types {
        if !seen.insert(t.id.as_str()) {
            return Err(ModelError::DuplicateType(t.id.clone()));
        }
        for ty in t.source_types.iter().chain(&t.target_types) {
            if !entity_types.contains(ty.as_str()) {
                return Err(ModelError::UnknownEntityType(ty.to_string()));
            }
        }
    }
    Ok(())
}

/// The ids seen so far. Shared-counter ids are below `next_id` and mostly in use, so a bit
/// per possible id is small (54 KB for 431,000 ids), unless `next_id` is far above the number
/// of ids (a hand-made file); those and author-block ids go to a hash set.
struct IdSet {
    bits: Vec<u64>,
    hashed: HashSet<u64>,
}

impl IdSet {
    fn new(next_id: u64, ids: usize) -> IdSet {
        let bits = if next_id / 64 <= ids as u64 + 1024 {
            vec![0; next_id.div_ceil(64) as usize]
        } else {
            Vec::new()
        };
        IdSet {
            bits,
            hashed: HashSet::new(),
        }
    }

    /// Adds an id; false if it was there already.
    fn insert(&mut self, id: u64) -> bool {
        let bit = 1u64 << (id % 64);
        match usize::try_from(id / 64)
            .ok()
            .and_then(|w| self.bits.get_mut(w))
        {
            Some(w) => {
                let fresh = *w & bit == 0;
                *w |= bit;
                fresh
            }
            _ => self.hashed.insert(id),
        }
    }
}

impl Project {
    /// Checks every invariant of a whole project (after loading a file).
    pub fn validate(&self) -> Result<(), ModelError> {
        check_schema(&self.schema)?;
        let count = self.entities.len()
            + self
                .documents
                .iter()
                .map(|d| 1 + d.spans.len() + d.relations.len())
                .sum::<usize>();
        let mut ids = IdSet::new(self.next_id, count);
        let mut claim = |id: u64| {
            if self.is_fresh_id(id) {
                return Err(ModelError::IdNotAllocated {
                    id,
                    next_id: self.next_id,
                });
            }
            if !ids.insert(id) {
                return Err(ModelError::DuplicateId(id));
            }
            Ok(())
        };
        let types = TypeIndex::of(&self.schema);
        for e in &self.entities {
            claim(e.id.0)?;
            check_entity(&types, e)?;
        }
        for doc in &self.documents {
            claim(doc.id.0)?;
            for span in &doc.spans {
                claim(span.id.0)?;
            }
            for rel in &doc.relations {
                claim(rel.id.0)?;
            }
        }
        // (Ids are claimed first: a duplicate id would otherwise show as a dangling relation.)
        // Checking a document's annotations (which measures its text) needs nothing from the
        // others: in parallel.
        let first_problem = self
            .documents
            .par_iter()
            .map(|doc| self.check_annotations(&types, doc))
            .find_first(Result::is_err);
        if let Some(problem) = first_problem {
            return problem;
        }
        Ok(())
    }

    /// Checks a document's tokens, spans and relations (not their ids).
    pub(crate) fn check_annotations(
        &self,
        types: &impl TypeLookup,
        doc: &Document,
    ) -> Result<(), ModelError> {
        check_tokens(doc)?;
        for span in &doc.spans {
            check_span(types, self, doc, span)?;
        }
        check_relations(types, doc)
    }

    /// Puts the orders the model relies on in place (spans by position, relations and
    /// entities by id). Loading and importing call it; it never changes content.
    pub fn normalize_order(&mut self) {
        for doc in &mut self.documents {
            let sorted = doc.spans.is_sorted_by_key(|s| s.sort_key())
                && doc.relations.is_sorted_by_key(|r| r.id);
            if !sorted {
                // Copies the document only if a snapshot shares it.
                let doc = Arc::make_mut(doc);
                doc.spans.sort_by_key(|s| s.sort_key());
                doc.relations.sort_by_key(|r| r.id);
            }
        }
        self.entities.sort_by_key(|e| e.id);
        self.decisions.sort();
        self.relation_decisions.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Span};

    fn project_with_doc() -> Project {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        p.documents
            .push(Document::new(id, "t", "", "Armenia and Azerbaijan".to_string()).into());
        p
    }

    #[test]
    fn accepts_a_consistent_project() {
        let mut p = project_with_doc();
        let id = p.new_span_id();
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(id, 0, 7, "GPE"));
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn rejects_offsets_past_the_text() {
        let mut p = project_with_doc();
        let id = p.new_span_id();
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(id, 12, 23, "GPE"));
        assert!(matches!(
            p.validate(),
            Err(ModelError::OffsetsOutOfRange { len: 22, .. })
        ));
    }

    #[test]
    fn rejects_scores_that_are_not_numbers() {
        let mut p = project_with_doc();
        let id = p.new_span_id();
        let mut span = Span::new(id, 0, 7, "GPE");
        span.origin = Origin::Suggested {
            engine: "model".into(),
            score: f32::NAN,
        };
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(span);
        assert_eq!(p.validate(), Err(ModelError::BadScore("NaN".into())));
    }

    #[test]
    fn rejects_inverted_offsets() {
        let mut p = project_with_doc();
        let id = p.new_span_id();
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(id, 7, 3, "GPE"));
        assert!(matches!(p.validate(), Err(ModelError::EmptySpan { .. })));
    }

    #[test]
    fn rejects_unknown_types_dangling_relations_and_duplicate_ids() {
        let mut p = project_with_doc();
        let id = p.new_span_id();
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(id, 0, 7, "WEAPON"));
        assert_eq!(
            p.validate(),
            Err(ModelError::UnknownEntityType("WEAPON".into()))
        );

        let mut p = project_with_doc();
        let s = p.new_span_id();
        let r = p.new_relation_id();
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(s, 0, 7, "GPE"));
        std::sync::Arc::make_mut(&mut p.documents[0])
            .relations
            .push(Relation {
                id: r,
                relation_type: "opposes".into(),
                source: s,
                target: SpanId(99),
                origin: Default::default(),
                note: String::new(),
                made: None,
            });
        assert!(matches!(
            p.validate(),
            Err(ModelError::DanglingRelation { .. })
        ));

        let mut p = project_with_doc();
        let doc_id = p.documents[0].id;
        std::sync::Arc::make_mut(&mut p.documents[0])
            .spans
            .push(Span::new(SpanId(doc_id.0), 0, 7, "GPE"));
        assert_eq!(p.validate(), Err(ModelError::DuplicateId(doc_id.0)));
    }
}
