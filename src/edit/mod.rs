//! Every change to a project is an `Edit`. `apply` validates it against the model's
//! invariants, changes the project and returns the edit that undoes it. `Transaction`s group
//! edits that undo together; `History` keeps the undo and redo stacks.

mod apply;
mod history;

pub use history::History;

use crate::model::validate::{check_entity, check_relation, check_schema, check_span};
use crate::model::{
    Conflict, Document, DocumentId, DocumentMetadata, DocumentStatus, Entity, EntityId, Made,
    ModelError, Project, Relation, RelationDecision, RelationId, Schema, Span, SpanId,
    SuggestionDecision,
};
use apply::{IdIndex, check_new_document, check_new_entity, document_ids};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Insert a document at a position of the document list.
    InsertDocument {
        index: usize,
        document: Arc<Document>,
    },
    RemoveDocument {
        doc: DocumentId,
    },
    SetDocumentStatus {
        doc: DocumentId,
        status: DocumentStatus,
    },
    SetDocumentTitle {
        doc: DocumentId,
        title: String,
    },
    /// Replaces a document's metadata (date, author, source, url, language, extra).
    SetDocumentMetadata {
        doc: DocumentId,
        metadata: Box<DocumentMetadata>,
    },
    AddSpan {
        doc: DocumentId,
        span: Span,
    },
    /// The span must have no relations left (remove them first, in the same transaction).
    RemoveSpan {
        doc: DocumentId,
        span: SpanId,
    },
    SetSpanType {
        doc: DocumentId,
        span: SpanId,
        entity_type: String,
    },
    SetSpanNote {
        doc: DocumentId,
        span: SpanId,
        note: String,
    },
    /// Moves a span's boundaries (char offsets, end exclusive); its id, type, entity link
    /// and relations stay.
    SetSpanRange {
        doc: DocumentId,
        span: SpanId,
        start: usize,
        end: usize,
    },
    LinkSpan {
        doc: DocumentId,
        span: SpanId,
        entity: Option<EntityId>,
    },
    AddRelation {
        doc: DocumentId,
        relation: Relation,
    },
    RemoveRelation {
        doc: DocumentId,
        relation: RelationId,
    },
    SetRelationType {
        doc: DocumentId,
        relation: RelationId,
        relation_type: String,
    },
    SetRelationNote {
        doc: DocumentId,
        relation: RelationId,
        note: String,
    },
    /// Reverses a relation's direction.
    SwapRelationEnds {
        doc: DocumentId,
        relation: RelationId,
    },
    AddEntity(Entity),
    /// The entity must have no linked mentions left.
    RemoveEntity(EntityId),
    /// Replaces an entity record (name, type, aliases, note) keeping its id.
    UpdateEntity(Entity),
    AddDecision(SuggestionDecision),
    RemoveDecision(SuggestionDecision),
    AddRelationDecision(RelationDecision),
    RemoveRelationDecision(RelationDecision),
    /// Replaces the schema; types still in use may not disappear.
    SetSchema(Box<Schema>),
    SetProjectName(String),
    /// Settles a merge conflict: takes it off the project's list.
    RemoveConflict(Conflict),
    /// Puts a conflict back at a position of the list (the undo of `RemoveConflict`).
    InsertConflict {
        index: usize,
        conflict: Conflict,
    },
}

/// Edits that apply and undo as one step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transaction {
    /// What the step is called in the Edit menu ("Undo add span").
    pub label: String,
    pub edits: Vec<Edit>,
}

impl Transaction {
    pub fn new(label: impl Into<String>) -> Transaction {
        Transaction {
            label: label.into(),
            edits: Vec::new(),
        }
    }

    pub fn single(label: impl Into<String>, edit: Edit) -> Transaction {
        Transaction {
            label: label.into(),
            edits: vec![edit],
        }
    }

    pub fn push(&mut self, edit: Edit) {
        self.edits.push(edit);
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Records who made the spans, relations, entities and decisions this transaction adds
    /// (those of an inserted document too), unless they already say who made them (undo
    /// brings objects back with their own stamps).
    pub fn stamp(&mut self, made: &Made) {
        let fill = |slot: &mut Option<Made>| {
            if slot.is_none() {
                *slot = Some(made.clone());
            }
        };
        for edit in &mut self.edits {
            match edit {
                Edit::AddSpan { span, .. } => fill(&mut span.made),
                Edit::AddRelation { relation, .. } => fill(&mut relation.made),
                Edit::AddEntity(entity) => fill(&mut entity.made),
                Edit::AddDecision(d) => fill(&mut d.made),
                Edit::AddRelationDecision(d) => fill(&mut d.made),
                Edit::InsertDocument { document, .. }
                    if document.spans.iter().any(|s| s.made.is_none())
                        || document.relations.iter().any(|r| r.made.is_none()) =>
                {
                    let document = Arc::make_mut(document);
                    document.spans.iter_mut().for_each(|s| fill(&mut s.made));
                    document
                        .relations
                        .iter_mut()
                        .for_each(|r| fill(&mut r.made));
                }
                _ => {}
            }
        }
    }
}

fn doc_mut(project: &mut Project, id: DocumentId) -> Result<&mut Document, ModelError> {
    project.document_mut(id).ok_or(ModelError::NoDocument(id))
}

fn doc_ref(project: &Project, id: DocumentId) -> Result<&Document, ModelError> {
    project.document(id).ok_or(ModelError::NoDocument(id))
}

fn relation_mut(
    project: &mut Project,
    doc: DocumentId,
    relation: RelationId,
) -> Result<&mut Relation, ModelError> {
    let d = doc_mut(project, doc)?;
    d.relations
        .iter_mut()
        .find(|r| r.id == relation)
        .ok_or(ModelError::NoRelation { doc, relation })
}

impl Edit {
    /// Validates and applies the edit; returns the edit that undoes it. On error the project
    /// is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<Edit, ModelError> {
        apply::apply_one(project, self)
    }

    /// Applies an edit that `apply.rs` does not group into runs (documents, the schema, a
    /// span's range, entities other than their removal, conflicts).
    fn apply_single(self, project: &mut Project, ids: &mut IdIndex) -> Result<Edit, ModelError> {
        let inverse = match self {
            Edit::InsertDocument { index, document } => {
                check_new_document(project, &document, ids)?;
                // Each id counts in its own range (the shared counter or an author block).
                project.reserve_ids(document_ids(&document))?;
                ids.added(document_ids(&document));
                let doc = document.id;
                let index = index.min(project.documents.len());
                project.documents.insert(index, document);
                Edit::RemoveDocument { doc }
            }
            Edit::RemoveDocument { doc } => {
                let index = project
                    .document_index(doc)
                    .ok_or(ModelError::NoDocument(doc))?;
                let document = project.documents.remove(index);
                ids.removed(document_ids(&document));
                Edit::InsertDocument { index, document }
            }
            Edit::SetDocumentStatus { doc, status } => {
                let d = doc_mut(project, doc)?;
                let old = std::mem::replace(&mut d.status, status);
                Edit::SetDocumentStatus { doc, status: old }
            }
            Edit::SetDocumentTitle { doc, title } => {
                let d = doc_mut(project, doc)?;
                let old = std::mem::replace(&mut d.title, title);
                Edit::SetDocumentTitle { doc, title: old }
            }
            Edit::SetDocumentMetadata { doc, metadata } => {
                let d = doc_mut(project, doc)?;
                let old = std::mem::replace(&mut d.metadata, *metadata);
                Edit::SetDocumentMetadata {
                    doc,
                    metadata: Box::new(old),
                }
            }
            Edit::SetSpanRange {
                doc,
                span,
                start,
                end,
            } => {
                let d = doc_ref(project, doc)?;
                let index = d.span_index(span).ok_or(ModelError::NoSpan { doc, span })?;
                let mut moved = d.spans[index].clone();
                let (old_start, old_end) = (moved.start, moved.end);
                moved.start = start;
                moved.end = end;
                check_span(&project.schema, project, d, &moved)?;
                if d.spans.iter().any(|s| {
                    s.id != span
                        && s.start == start
                        && s.end == end
                        && s.entity_type == moved.entity_type
                }) {
                    return Err(ModelError::DuplicateSpan {
                        doc,
                        start,
                        end,
                        ty: moved.entity_type.to_string(),
                    });
                }
                // Spans stay sorted by (start, end, id): take it out and put it back.
                let d = doc_mut(project, doc)?;
                d.spans.remove(index);
                let at = d.spans.partition_point(|s| s.sort_key() < moved.sort_key());
                d.spans.insert(at, moved);
                Edit::SetSpanRange {
                    doc,
                    span,
                    start: old_start,
                    end: old_end,
                }
            }
            Edit::SetRelationType {
                doc,
                relation,
                relation_type,
            } => {
                let d = doc_ref(project, doc)?;
                let mut changed = d
                    .relation(relation)
                    .ok_or(ModelError::NoRelation { doc, relation })?
                    .clone();
                changed.relation_type = relation_type.into();
                check_relation(&project.schema, d, &changed)?;
                let r = relation_mut(project, doc, relation)?;
                let old = std::mem::replace(&mut r.relation_type, changed.relation_type);
                Edit::SetRelationType {
                    doc,
                    relation,
                    relation_type: old.to_string(),
                }
            }
            Edit::SetRelationNote {
                doc,
                relation,
                note,
            } => {
                let r = relation_mut(project, doc, relation)?;
                let old = std::mem::replace(&mut r.note, note);
                Edit::SetRelationNote {
                    doc,
                    relation,
                    note: old,
                }
            }
            Edit::SwapRelationEnds { doc, relation } => {
                let r = relation_mut(project, doc, relation)?;
                std::mem::swap(&mut r.source, &mut r.target);
                Edit::SwapRelationEnds { doc, relation }
            }
            Edit::AddEntity(entity) => {
                check_new_entity(project, &entity, ids)?;
                let at = match project.entities.binary_search_by_key(&entity.id, |e| e.id) {
                    Ok(_) => return Err(ModelError::DuplicateId(entity.id.0)),
                    Err(at) => at,
                };
                project.reserve_id(entity.id.0)?;
                ids.added([entity.id.0]);
                let id = entity.id;
                project.entities.insert(at, entity);
                Edit::RemoveEntity(id)
            }
            Edit::UpdateEntity(entity) => {
                check_entity(&project.schema, &entity)?;
                let at = project
                    .entities
                    .binary_search_by_key(&entity.id, |e| e.id)
                    .map_err(|_| ModelError::NoEntity(entity.id))?;
                Edit::UpdateEntity(std::mem::replace(&mut project.entities[at], entity))
            }
            Edit::SetSchema(schema) => {
                check_schema(&schema)?;
                check_types_still_defined(project, &schema)?;
                Edit::SetSchema(Box::new(std::mem::replace(&mut project.schema, *schema)))
            }
            Edit::SetProjectName(name) => {
                Edit::SetProjectName(std::mem::replace(&mut project.name, name))
            }
            Edit::RemoveConflict(conflict) => {
                let index = project
                    .conflicts
                    .iter()
                    .position(|c| *c == conflict)
                    .ok_or_else(|| ModelError::NoConflict(conflict.object.clone()))?;
                let conflict = project.conflicts.remove(index);
                Edit::InsertConflict { index, conflict }
            }
            Edit::InsertConflict { index, conflict } => {
                // Listed once at most, so that removing one is exact (and undoes exactly).
                if project.conflicts.contains(&conflict) {
                    return Err(ModelError::ConflictListed(conflict.object));
                }
                let index = index.min(project.conflicts.len());
                project.conflicts.insert(index, conflict.clone());
                Edit::RemoveConflict(conflict)
            }
            // Grouped into runs (`apply.rs`), even when alone.
            edit @ (Edit::AddSpan { .. }
            | Edit::RemoveSpan { .. }
            | Edit::SetSpanType { .. }
            | Edit::SetSpanNote { .. }
            | Edit::LinkSpan { .. }
            | Edit::AddRelation { .. }
            | Edit::RemoveRelation { .. }
            | Edit::RemoveEntity(_)
            | Edit::AddDecision(_)
            | Edit::RemoveDecision(_)
            | Edit::AddRelationDecision(_)
            | Edit::RemoveRelationDecision(_)) => return apply::apply_one(project, edit),
        };
        project.revision += 1;
        Ok(inverse)
    }
}

fn check_types_still_defined(project: &Project, schema: &Schema) -> Result<(), ModelError> {
    for t in &project.schema.entity_types {
        if schema.entity_type(&t.id).is_none() {
            let count = project
                .documents
                .iter()
                .flat_map(|d| &d.spans)
                .filter(|s| s.entity_type == t.id)
                .count()
                + project
                    .entities
                    .iter()
                    .filter(|e| e.entity_type == t.id)
                    .count();
            if count > 0 {
                return Err(ModelError::EntityTypeInUse {
                    ty: t.id.clone(),
                    count,
                });
            }
        }
    }
    for t in &project.schema.relation_types {
        if schema.relation_type(&t.id).is_none() {
            let count = project
                .documents
                .iter()
                .flat_map(|d| &d.relations)
                .filter(|r| r.relation_type == t.id)
                .count();
            if count > 0 {
                return Err(ModelError::RelationTypeInUse {
                    ty: t.id.clone(),
                    count,
                });
            }
        }
    }
    Ok(())
}

impl Transaction {
    /// Applies every edit in order; if one fails, the ones already applied are undone and the
    /// project is left as it was. Returns the transaction that undoes this one. Runs of edits
    /// of one kind are validated in one pass (`apply.rs`).
    pub fn apply(self, project: &mut Project) -> Result<Transaction, ModelError> {
        let mut inverses = apply::apply_edits(project, self.edits)?;
        inverses.reverse();
        Ok(Transaction {
            label: self.label,
            edits: inverses,
        })
    }
}

/// The edits that delete a span together with its relations (relations first).
pub fn remove_span_with_relations(doc: &Document, span: SpanId) -> Vec<Edit> {
    doc.relations_of(span)
        .map(|r| Edit::RemoveRelation {
            doc: doc.id,
            relation: r.id,
        })
        .chain([Edit::RemoveSpan { doc: doc.id, span }])
        .collect()
}

#[cfg(test)]
mod tests;
