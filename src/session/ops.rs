//! Annotation operations: every change an analyst makes, as a value (`Op`) that plans one
//! `Transaction` from a read-only project. The window, the command line and the tests all
//! go through here, so the rules are the same everywhere: new spans link to known entities
//! (`kb::link_new_spans`), bulk accepts pass the one overlap resolver
//! (`suggest::resolve_overlaps`), nothing is added twice, and ids come from an allocator,
//! never from a copy of the project.

use crate::edit::{Edit, Transaction, remove_span_with_relations};
use crate::kb::{self, KbError};
use crate::model::{
    DocumentId, DocumentMetadata, DocumentStatus, Entity, EntityId, IdAllocator, ModelError,
    Origin, Project, Relation, RelationDecision, RelationId, Schema, Span, SpanId, SpanRef,
    SuggestionDecision, Verdict,
};
use crate::search::{self, Hit};
use crate::suggest::{RelationSuggestion, Suggestion, resolve_overlaps};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum OpError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Kb(#[from] KbError),
    #[error("{0}")]
    Nothing(String),
}

/// One thing the analyst asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Tag a stretch of text (char offsets) with a type.
    Tag {
        doc: DocumentId,
        start: usize,
        end: usize,
        entity_type: String,
    },
    Retype {
        doc: DocumentId,
        span: SpanId,
        entity_type: String,
    },
    /// Delete a span and the relations that use it.
    DeleteSpan {
        doc: DocumentId,
        span: SpanId,
    },
    SetSpanNote {
        doc: DocumentId,
        span: SpanId,
        note: String,
    },
    /// Move a span's boundaries to `start..end` (char offsets, end exclusive), keeping its
    /// id, type, entity link and relations.
    ResizeSpan {
        doc: DocumentId,
        span: SpanId,
        start: usize,
        end: usize,
    },
    /// Link a span to an entity, or unlink it (`None`).
    Link {
        doc: DocumentId,
        span: SpanId,
        entity: Option<EntityId>,
    },
    /// A new entity named after the span's text, with the span linked to it.
    CreateEntityFromSpan {
        doc: DocumentId,
        span: SpanId,
    },
    Relate {
        doc: DocumentId,
        source: SpanId,
        target: SpanId,
        relation_type: String,
    },
    DeleteRelation {
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
    SwapRelationEnds {
        doc: DocumentId,
        relation: RelationId,
    },
    /// Accept suggestions (one, a type, an engine, all shown): entity suggestions, and
    /// relation suggestions whose ends become spans when they are not yet.
    Accept {
        entities: Vec<Suggestion>,
        relations: Vec<RelationSuggestion>,
    },
    /// Reject suggestions: remembered, so re-running the engines does not bring them back.
    Reject {
        entities: Vec<Suggestion>,
        relations: Vec<RelationSuggestion>,
    },
    /// Tag every search hit with a type.
    AnnotateHits {
        hits: Vec<Hit>,
        entity_type: String,
    },
    /// Link every unlinked span to the entity its text names, creating entities as needed.
    LinkAll,
    /// Replace an entity record (name, aliases, note), keeping its id.
    UpdateEntity(Entity),
    MergeEntities {
        keep: EntityId,
        absorb: EntityId,
    },
    SplitEntity {
        entity: EntityId,
        mentions: Vec<SpanId>,
        new_name: String,
    },
    SetSchema(Box<Schema>),
    /// Give every span and entity of type `from` the type `to`, then apply `schema` without
    /// `from`.
    ReassignType {
        from: String,
        to: String,
        schema: Box<Schema>,
    },
    SetDocumentStatus {
        doc: DocumentId,
        status: DocumentStatus,
    },
    SetDocumentTitle {
        doc: DocumentId,
        title: String,
    },
    /// Replace a document's metadata (date, author, outlet, URL, language, note): blank
    /// fields become unknown; a date must read as ISO 8601.
    SetDocumentMetadata {
        doc: DocumentId,
        metadata: Box<DocumentMetadata>,
    },
    RemoveDocument {
        doc: DocumentId,
    },
    /// Curation: what the target keeps at one place, from the analysts' versions; settles
    /// the merge conflicts listed there (`team::curate`).
    Curate(Box<crate::team::Resolution>),
    /// Take a merge conflict off the project's list (the analyst fixed it by hand).
    SettleConflict(crate::model::Conflict),
}

/// What an operation made, so the window can select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Span(SpanId),
    Relation(RelationId),
    Entity(EntityId),
}

/// A planned operation: the transaction to apply, what it creates, and a line for the
/// status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub tx: Transaction,
    pub created: Option<Created>,
    pub summary: String,
}

impl Planned {
    fn new(tx: Transaction) -> Planned {
        let summary = capitalise(&tx.label);
        Planned {
            tx,
            created: None,
            summary,
        }
    }

    fn creating(mut self, created: Created) -> Planned {
        self.created = Some(created);
        self
    }
}

impl Op {
    /// Plans the operation against `project` (read only). An empty transaction means there
    /// was nothing to do; `summary` says why.
    pub fn plan(self, project: &Project) -> Result<Planned, OpError> {
        match self {
            Op::Tag {
                doc,
                start,
                end,
                entity_type,
            } => tag(project, doc, start, end, &entity_type),
            Op::Retype {
                doc,
                span,
                entity_type,
            } => Ok(Planned::new(Transaction::single(
                format!("retype as {entity_type}"),
                Edit::SetSpanType {
                    doc,
                    span,
                    entity_type,
                },
            ))),
            Op::DeleteSpan { doc, span } => {
                let d = project.document(doc).ok_or(ModelError::NoDocument(doc))?;
                d.span(span).ok_or(ModelError::NoSpan { doc, span })?;
                Ok(Planned::new(Transaction {
                    label: "delete span".into(),
                    edits: remove_span_with_relations(d, span),
                }))
            }
            Op::SetSpanNote { doc, span, note } => Ok(Planned::new(Transaction::single(
                "edit span note",
                Edit::SetSpanNote { doc, span, note },
            ))),
            Op::ResizeSpan {
                doc,
                span,
                start,
                end,
            } => resize_span(project, doc, span, start, end),
            Op::Link { doc, span, entity } => Ok(Planned::new(match entity {
                Some(entity) => kb::link(doc, span, entity),
                None => kb::unlink(doc, span),
            })),
            Op::CreateEntityFromSpan { doc, span } => entity_from_span(project, doc, span),
            Op::Relate {
                doc,
                source,
                target,
                relation_type,
            } => {
                let id = project.ids().relation();
                let relation = Relation {
                    id,
                    relation_type: relation_type.clone().into(),
                    source,
                    target,
                    origin: Origin::Manual,
                    note: String::new(),
                    made: None,
                };
                Ok(Planned::new(Transaction::single(
                    format!(
                        "add relation \"{}\"",
                        project.schema.relation_label(&relation_type)
                    ),
                    Edit::AddRelation { doc, relation },
                ))
                .creating(Created::Relation(id)))
            }
            Op::DeleteRelation { doc, relation } => Ok(Planned::new(Transaction::single(
                "delete relation",
                Edit::RemoveRelation { doc, relation },
            ))),
            Op::SetRelationType {
                doc,
                relation,
                relation_type,
            } => Ok(Planned::new(Transaction::single(
                format!(
                    "change relation to \"{}\"",
                    project.schema.relation_label(&relation_type)
                ),
                Edit::SetRelationType {
                    doc,
                    relation,
                    relation_type,
                },
            ))),
            Op::SetRelationNote {
                doc,
                relation,
                note,
            } => Ok(Planned::new(Transaction::single(
                "edit relation note",
                Edit::SetRelationNote {
                    doc,
                    relation,
                    note,
                },
            ))),
            Op::SwapRelationEnds { doc, relation } => Ok(Planned::new(Transaction::single(
                "swap relation direction",
                Edit::SwapRelationEnds { doc, relation },
            ))),
            Op::Accept {
                entities,
                relations,
            } => Ok(accept(project, &entities, &relations)),
            Op::Reject {
                entities,
                relations,
            } => Ok(reject(&entities, &relations)),
            Op::AnnotateHits { hits, entity_type } => {
                let (mut tx, skipped) = search::annotate_all(project, &hits, &entity_type);
                kb::link_new_spans(project, &mut tx);
                let added = tx.edits.len();
                let mut planned = Planned::new(tx);
                planned.summary = format!(
                    "{} {entity_type}; {} skipped (already tagged or repeated)",
                    count(added, "new span", "new spans"),
                    skipped
                );
                Ok(planned)
            }
            Op::LinkAll => {
                let tx = kb::link_all(project);
                let mut planned = Planned::new(tx);
                if planned.tx.is_empty() {
                    planned.summary = "Every mention is already linked".into();
                }
                Ok(planned)
            }
            Op::UpdateEntity(entity) => Ok(Planned::new(Transaction::single(
                format!("edit entity {}", entity.name),
                Edit::UpdateEntity(entity),
            ))),
            Op::MergeEntities { keep, absorb } => {
                Ok(Planned::new(kb::merge_entities(project, keep, absorb)?))
            }
            Op::SplitEntity {
                entity,
                mentions,
                new_name,
            } => {
                let tx = kb::split_entity(project, entity, &mentions, &new_name)?;
                let id = tx.edits.iter().find_map(|e| match e {
                    Edit::AddEntity(e) => Some(e.id),
                    _ => None,
                });
                let planned = Planned::new(tx);
                Ok(match id {
                    Some(id) => planned.creating(Created::Entity(id)),
                    None => planned,
                })
            }
            Op::SetSchema(schema) => Ok(Planned::new(Transaction::single(
                "edit schema",
                Edit::SetSchema(schema),
            ))),
            Op::ReassignType { from, to, schema } => Ok(reassign_type(project, &from, &to, schema)),
            Op::SetDocumentStatus { doc, status } => Ok(Planned::new(Transaction::single(
                format!("mark document {}", status.label()),
                Edit::SetDocumentStatus { doc, status },
            ))),
            Op::SetDocumentTitle { doc, title } => set_document_title(project, doc, &title),
            Op::SetDocumentMetadata { doc, metadata } => {
                set_document_metadata(project, doc, *metadata)
            }
            Op::RemoveDocument { doc } => Ok(Planned::new(Transaction::single(
                "remove document",
                Edit::RemoveDocument { doc },
            ))),
            Op::Curate(resolution) => {
                let tx = crate::team::curate::plan(project, &resolution)?;
                let mut planned = Planned::new(tx);
                if planned.tx.is_empty() {
                    planned.summary = "Already so".into();
                }
                Ok(planned)
            }
            Op::SettleConflict(conflict) => Ok(Planned::new(Transaction::single(
                format!("settle conflict on {}", conflict.object),
                Edit::RemoveConflict(conflict),
            ))),
        }
    }
}

fn tag(
    project: &Project,
    doc: DocumentId,
    start: usize,
    end: usize,
    entity_type: &str,
) -> Result<Planned, OpError> {
    let id = project.ids().span();
    let mut tx = Transaction::single(
        format!("tag {entity_type}"),
        Edit::AddSpan {
            doc,
            span: Span::new(id, start, end, entity_type),
        },
    );
    kb::link_new_spans(project, &mut tx);
    Ok(Planned::new(tx).creating(Created::Span(id)))
}

/// Checks the new boundaries here, so a bad request is a clear error and changes nothing;
/// the same boundaries again is nothing to do.
fn resize_span(
    project: &Project,
    doc: DocumentId,
    span: SpanId,
    start: usize,
    end: usize,
) -> Result<Planned, OpError> {
    let d = project.document(doc).ok_or(ModelError::NoDocument(doc))?;
    let s = d.span(span).ok_or(ModelError::NoSpan { doc, span })?;
    if start >= end {
        return Err(ModelError::EmptySpan {
            doc,
            span,
            start,
            end,
        }
        .into());
    }
    if end > d.char_len() {
        return Err(ModelError::OffsetsOutOfRange {
            doc,
            span,
            start,
            end,
            len: d.char_len(),
        }
        .into());
    }
    if (s.start, s.end) == (start, end) {
        let mut planned = Planned::new(Transaction::new("resize span"));
        planned.summary = "The span already has these boundaries".into();
        return Ok(planned);
    }
    if d.has_span(start, end, &s.entity_type) {
        return Err(ModelError::DuplicateSpan {
            doc,
            start,
            end,
            ty: s.entity_type.to_string(),
        }
        .into());
    }
    let mut planned = Planned::new(Transaction::single(
        "resize span",
        Edit::SetSpanRange {
            doc,
            span,
            start,
            end,
        },
    ));
    planned.summary = format!("{} is now “{}”", s.entity_type, d.slice(start, end).trim());
    Ok(planned)
}

fn entity_from_span(project: &Project, doc: DocumentId, span: SpanId) -> Result<Planned, OpError> {
    let d = project.document(doc).ok_or(ModelError::NoDocument(doc))?;
    let s = d.span(span).ok_or(ModelError::NoSpan { doc, span })?;
    let name = kb::clean_surface(d.span_text(s));
    if name.is_empty() {
        return Err(OpError::Nothing("the span's text is empty".into()));
    }
    let id = project.ids().entity();
    let mut tx = Transaction::new(format!("new entity {name}"));
    tx.push(Edit::AddEntity(Entity {
        id,
        name,
        entity_type: s.entity_type.to_string(),
        aliases: Vec::new(),
        references: Vec::new(),
        note: String::new(),
        made: None,
    }));
    tx.push(Edit::LinkSpan {
        doc,
        span,
        entity: Some(id),
    });
    Ok(Planned::new(tx).creating(Created::Entity(id)))
}

/// Where accepted spans land: the existing spans plus those added earlier in the same
/// transaction.
struct SpanPlacer<'a> {
    project: &'a Project,
    ids: IdAllocator,
    added: HashMap<(DocumentId, SpanRef), SpanId>,
}

impl SpanPlacer<'_> {
    /// The span at `r` in `doc`: an existing one, one added earlier, or a new one pushed to
    /// `tx`. None when the document is unknown, the offsets are off or the schema lacks the
    /// type.
    fn place(
        &mut self,
        tx: &mut Transaction,
        doc: DocumentId,
        r: &SpanRef,
        engine: &str,
        score: f32,
    ) -> Option<SpanId> {
        if let Some(id) = self.added.get(&(doc, r.clone())) {
            return Some(*id);
        }
        let d = self.project.document(doc)?;
        if let Some(s) = d.span_at(r.start, r.end, &r.entity_type) {
            return Some(s.id);
        }
        if r.end > d.char_len()
            || r.start >= r.end
            || self.project.schema.entity_type(&r.entity_type).is_none()
        {
            return None;
        }
        let id = self.ids.span();
        let mut span = Span::new(id, r.start, r.end, &r.entity_type);
        span.origin = Origin::Suggested {
            engine: engine.into(),
            score,
        };
        self.added.insert((doc, r.clone()), id);
        tx.push(Edit::AddSpan { doc, span });
        Some(id)
    }
}

/// Accepts entity suggestions (several at once through the overlap resolver) and relation
/// suggestions with their ends.
fn accept(project: &Project, entities: &[Suggestion], relations: &[RelationSuggestion]) -> Planned {
    let chosen: Vec<Suggestion> = if entities.len() > 1 {
        resolve_overlaps(project, entities)
    } else {
        entities.to_vec()
    };
    let asked = entities.len() + relations.len();
    let mut tx = Transaction::new(format!(
        "accept {}",
        count(asked, "suggestion", "suggestions")
    ));
    let mut placer = SpanPlacer {
        project,
        ids: project.ids(),
        added: HashMap::new(),
    };
    for s in &chosen {
        placer.place(&mut tx, s.document, &s.span_ref(), &s.engine, s.score);
    }
    let mut seen = HashSet::new();
    // The relations each document has, by ends and type, built when first needed.
    let mut existing: HashMap<DocumentId, HashSet<(SpanId, SpanId, &str)>> = HashMap::new();
    for r in relations {
        if project.schema.relation_type(&r.relation_type).is_none()
            || !seen.insert((
                r.document,
                r.source.clone(),
                r.target.clone(),
                r.relation_type.clone(),
            ))
        {
            continue;
        }
        let Some(source) = placer.place(&mut tx, r.document, &r.source, &r.engine, r.score) else {
            continue;
        };
        let Some(target) = placer.place(&mut tx, r.document, &r.target, &r.engine, r.score) else {
            continue;
        };
        let has = existing.entry(r.document).or_insert_with(|| {
            project
                .document(r.document)
                .map(|d| {
                    d.relations
                        .iter()
                        .map(|x| (x.source, x.target, x.relation_type.as_str()))
                        .collect()
                })
                .unwrap_or_default()
        });
        if has.contains(&(source, target, r.relation_type.as_str())) {
            continue;
        }
        let relation = Relation {
            id: placer.ids.relation(),
            relation_type: r.relation_type.clone().into(),
            source,
            target,
            origin: Origin::Suggested {
                engine: r.engine.clone().into(),
                score: r.score,
            },
            note: String::new(),
            made: None,
        };
        tx.push(Edit::AddRelation {
            doc: r.document,
            relation,
        });
    }
    kb::link_new_spans(project, &mut tx);
    let spans = tx
        .edits
        .iter()
        .filter(|e| matches!(e, Edit::AddSpan { .. }))
        .count();
    let links = tx
        .edits
        .iter()
        .filter(|e| matches!(e, Edit::AddSpan { span, .. } if span.entity.is_some()))
        .count();
    let rels = tx.edits.len() - spans;
    let created = match tx.edits.as_slice() {
        [Edit::AddSpan { span, .. }] => Some(Created::Span(span.id)),
        _ => None,
    };
    let mut planned = Planned::new(tx);
    planned.created = created;
    planned.summary = if planned.tx.is_empty() {
        "Already accepted".into()
    } else {
        let mut parts = vec![count(spans, "span", "spans")];
        if rels > 0 {
            parts.push(count(rels, "relation", "relations"));
        }
        let mut line = format!("Accepted {}", parts.join(" and "));
        if links > 0 {
            line.push_str(&format!(" ({links} linked to known entities)"));
        }
        if chosen.len() < entities.len() {
            line.push_str(&format!(
                "; {} overlapping or already tagged left for review",
                entities.len() - chosen.len()
            ));
        }
        line
    };
    planned
}

/// Rejects suggestions: a typed decision for each (entity: document, offsets, type;
/// relation: document, type, both ends), so re-running the engines does not bring them back.
fn reject(entities: &[Suggestion], relations: &[RelationSuggestion]) -> Planned {
    let mut tx = Transaction::new(format!(
        "reject {}",
        count(
            entities.len() + relations.len(),
            "suggestion",
            "suggestions"
        )
    ));
    let mut seen = HashSet::new();
    for s in entities {
        let decision = SuggestionDecision {
            document: s.document,
            start: s.start,
            end: s.end,
            entity_type: s.entity_type.clone(),
            verdict: Verdict::Rejected,
            made: None,
        };
        if seen.insert(decision.clone()) {
            tx.push(Edit::AddDecision(decision));
        }
    }
    let mut seen = HashSet::new();
    for r in relations {
        let decision = RelationDecision {
            document: r.document,
            relation_type: r.relation_type.clone(),
            source: r.source.clone(),
            target: r.target.clone(),
            verdict: Verdict::Rejected,
            made: None,
        };
        if seen.insert(decision.clone()) {
            tx.push(Edit::AddRelationDecision(decision));
        }
    }
    Planned::new(tx)
}

fn reassign_type(project: &Project, from: &str, to: &str, mut schema: Box<Schema>) -> Planned {
    let mut tx = Transaction::new(format!("reassign {from} to {to}"));
    for d in &project.documents {
        for s in d.spans.iter().filter(|s| s.entity_type == from) {
            tx.push(Edit::SetSpanType {
                doc: d.id,
                span: s.id,
                entity_type: to.to_string(),
            });
        }
    }
    for e in project.entities.iter().filter(|e| e.entity_type == from) {
        let mut e = e.clone();
        e.entity_type = to.to_string();
        tx.push(Edit::UpdateEntity(e));
    }
    schema.remove_entity_type(from);
    tx.push(Edit::SetSchema(schema));
    Planned::new(tx)
}

pub use crate::text::count;

fn set_document_title(project: &Project, doc: DocumentId, title: &str) -> Result<Planned, OpError> {
    let d = project.document(doc).ok_or(ModelError::NoDocument(doc))?;
    let title = title.trim();
    if title.is_empty() {
        return Err(OpError::Nothing(
            "a document's title cannot be empty".into(),
        ));
    }
    let mut tx = Transaction::new("rename document");
    if d.title != title {
        tx.push(Edit::SetDocumentTitle {
            doc,
            title: title.to_string(),
        });
    }
    Ok(unless_unchanged(tx))
}

fn set_document_metadata(
    project: &Project,
    doc: DocumentId,
    metadata: DocumentMetadata,
) -> Result<Planned, OpError> {
    let d = project.document(doc).ok_or(ModelError::NoDocument(doc))?;
    let metadata = metadata.tidied();
    if let Some(date) = &metadata.date
        && !crate::model::is_iso_date(date)
    {
        return Err(OpError::Nothing(format!(
            "the date \"{date}\" is not ISO 8601 (YYYY-MM-DD, optionally with a time)"
        )));
    }
    let mut tx = Transaction::new("edit document details");
    if d.metadata != metadata {
        tx.push(Edit::SetDocumentMetadata {
            doc,
            metadata: Box::new(metadata),
        });
    }
    Ok(unless_unchanged(tx))
}

/// A planned edit of a field, which may leave the value as it was.
fn unless_unchanged(tx: Transaction) -> Planned {
    let mut planned = Planned::new(tx);
    if planned.tx.is_empty() {
        planned.summary = "Nothing changed".into();
    }
    planned
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests;
