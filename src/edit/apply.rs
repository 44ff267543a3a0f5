//! Applying a list of edits with one validation pass per run instead of one per edit.
//!
//! Consecutive edits of the same kind on the same document (the spans a bulk accept adds, the
//! ones its undo removes, a reassignment's retypes, a bulk reject's decisions) form a run. A
//! run is checked in one pass against indexes built once (the document's span ids and
//! positions, the ids of the project, the schema's types), in edit order and with the state
//! the earlier edits of the run leave, so it accepts and refuses exactly what applying its
//! edits one by one would (`tests.rs` checks this on random transactions), and reports the
//! same first error. Only then is the run applied, in one pass over the list it changes: a
//! failed run changes nothing. Adding k spans to a document of n spans costs O((n + k) log)
//! instead of O(n k).

use super::{Edit, doc_mut, doc_ref};
use crate::model::validate::{
    TypeIndex, check_entity, check_entity_type, check_relation_with, check_relations, check_span,
    check_tokens, span_ids,
};
use crate::model::{Document, DocumentId, EntityId, ModelError, Project, RelationId, SpanId};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a run is made of: edits that share the kind (and the document) group together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    AddSpans(DocumentId),
    RemoveSpans(DocumentId),
    /// Retype, note and link: they change spans in place.
    SpanFields(DocumentId),
    AddRelations(DocumentId),
    RemoveRelations(DocumentId),
    RemoveEntities,
    AddDecisions,
    RemoveDecisions,
    AddRelationDecisions,
    RemoveRelationDecisions,
    /// Everything else, one edit at a time.
    Single,
}

impl Run {
    fn of(edit: &Edit) -> Run {
        match edit {
            Edit::AddSpan { doc, .. } => Run::AddSpans(*doc),
            Edit::RemoveSpan { doc, .. } => Run::RemoveSpans(*doc),
            Edit::SetSpanType { doc, .. }
            | Edit::SetSpanNote { doc, .. }
            | Edit::LinkSpan { doc, .. } => Run::SpanFields(*doc),
            Edit::AddRelation { doc, .. } => Run::AddRelations(*doc),
            Edit::RemoveRelation { doc, .. } => Run::RemoveRelations(*doc),
            Edit::RemoveEntity(_) => Run::RemoveEntities,
            Edit::AddDecision(_) => Run::AddDecisions,
            Edit::RemoveDecision(_) => Run::RemoveDecisions,
            Edit::AddRelationDecision(_) => Run::AddRelationDecisions,
            Edit::RemoveRelationDecision(_) => Run::RemoveRelationDecisions,
            _ => Run::Single,
        }
    }
}

/// Applies `edits` in order, all or nothing; returns their inverses in the same order (undo
/// applies them reversed). On an error the project is as before, revision included.
pub(super) fn apply_edits(
    project: &mut Project,
    edits: Vec<Edit>,
) -> Result<Vec<Edit>, ModelError> {
    let revision = project.revision;
    let mut ids = IdIndex::default();
    let mut inverses = Vec::with_capacity(edits.len());
    let mut rest = edits.into_iter().peekable();
    while let Some(first) = rest.next() {
        let kind = Run::of(&first);
        let mut run = vec![first];
        if kind != Run::Single {
            while let Some(next) = rest.next_if(|e| Run::of(e) == kind) {
                run.push(next);
            }
        }
        if let Err(e) = apply_run(project, kind, run, &mut ids, &mut inverses) {
            inverses.reverse();
            // The inverses of edits that just applied always apply; if they ever did not,
            // the project would be half-changed: fail loudly.
            if let Err(undo) = apply_edits(project, inverses) {
                panic!("undoing a failed transaction failed: {undo} (after {e})");
            }
            project.revision = revision;
            return Err(e);
        }
    }
    Ok(inverses)
}

/// Applies one edit through the same code as a run of one.
pub(super) fn apply_one(project: &mut Project, edit: Edit) -> Result<Edit, ModelError> {
    let mut inverses = Vec::with_capacity(1);
    let kind = Run::of(&edit);
    apply_run(
        project,
        kind,
        vec![edit],
        &mut IdIndex::default(),
        &mut inverses,
    )?;
    let Some(inverse) = inverses.pop() else {
        unreachable!("every applied edit leaves one inverse");
    };
    Ok(inverse)
}

fn apply_run(
    project: &mut Project,
    kind: Run,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let count = run.len() as u64;
    match kind {
        Run::AddSpans(doc) => add_spans(project, doc, run, ids, inverses)?,
        Run::RemoveSpans(doc) => remove_spans(project, doc, run, ids, inverses)?,
        Run::SpanFields(doc) => set_span_fields(project, doc, run, inverses)?,
        Run::AddRelations(doc) => add_relations(project, doc, run, ids, inverses)?,
        Run::RemoveRelations(doc) => remove_relations(project, doc, run, ids, inverses)?,
        Run::RemoveEntities => remove_entities(project, run, ids, inverses)?,
        Run::AddDecisions | Run::AddRelationDecisions => add_decisions(project, run, inverses),
        Run::RemoveDecisions | Run::RemoveRelationDecisions => {
            remove_decisions(project, run, inverses)?
        }
        Run::Single => {
            for edit in run {
                inverses.push(edit.apply_single(project, ids)?);
            }
            return Ok(());
        }
    }
    project.revision += count;
    Ok(())
}

/// The ids a project holds, for the duplicate check of edits that bring an old id back (undo,
/// redo); fresh ids (above their counter: `Project::is_fresh_id`) need none. The first check scans the project; a
/// second builds a set, which the rest of the transaction keeps up to date.
#[derive(Default)]
pub(super) struct IdIndex {
    scanned: bool,
    set: Option<HashSet<u64>>,
}

impl IdIndex {
    pub(super) fn contains(&mut self, project: &Project, id: u64) -> bool {
        if let Some(set) = &self.set {
            return set.contains(&id);
        }
        if !self.scanned {
            self.scanned = true;
            return project_has_id(project, id);
        }
        let set: HashSet<u64> = project
            .entities
            .iter()
            .map(|e| e.id.0)
            .chain(project.documents.iter().flat_map(|d| document_ids(d)))
            .collect();
        let found = set.contains(&id);
        self.set = Some(set);
        found
    }

    pub(super) fn added(&mut self, new: impl IntoIterator<Item = u64>) {
        if let Some(set) = &mut self.set {
            set.extend(new);
        }
    }

    pub(super) fn removed(&mut self, gone: impl IntoIterator<Item = u64>) {
        if let Some(set) = &mut self.set {
            for id in gone {
                set.remove(&id);
            }
        }
    }
}

/// A document's own id and the ids of its spans and relations.
pub(super) fn document_ids(d: &Document) -> impl Iterator<Item = u64> + '_ {
    std::iter::once(d.id.0)
        .chain(d.spans.iter().map(|s| s.id.0))
        .chain(d.relations.iter().map(|r| r.id.0))
}

fn project_has_id(project: &Project, id: u64) -> bool {
    project.entity(EntityId(id)).is_some()
        || project.documents.iter().any(|d| {
            d.id.0 == id
                || d.relation(RelationId(id)).is_some()
                || d.spans.iter().any(|s| s.id.0 == id)
        })
}

/// The ids a run brings, checked in order as one-by-one edits would check them: an id that
/// is not fresh must be unused, in the project and earlier in the run; every id must leave
/// room for its counter to move past it. The counters move when the run is applied.
#[derive(Default)]
struct NewIds {
    seen: HashSet<u64>,
}

impl NewIds {
    fn is_taken(&self, project: &Project, ids: &mut IdIndex, id: u64) -> bool {
        self.seen.contains(&id) || !project.is_fresh_id(id) && ids.contains(project, id)
    }

    fn claim(&mut self, project: &Project, ids: &mut IdIndex, id: u64) -> Result<(), ModelError> {
        if self.is_taken(project, ids, id) {
            return Err(ModelError::DuplicateId(id));
        }
        project.check_reservable(id)?;
        self.seen.insert(id);
        Ok(())
    }
}

fn add_spans(
    project: &mut Project,
    doc: DocumentId,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let spans: Vec<_> = run
        .into_iter()
        .filter_map(|e| match e {
            Edit::AddSpan { span, .. } => Some(span),
            _ => None,
        })
        .collect();
    let mut new_ids = NewIds::default();
    {
        let d = doc_ref(project, doc)?;
        let types = TypeIndex::of(&project.schema);
        let mut new_ranges = HashSet::new();
        for span in &spans {
            check_span(&types, project, d, span)?;
            let id = span.id.0;
            if new_ids.is_taken(project, ids, id) {
                return Err(ModelError::DuplicateId(id));
            }
            let range = (span.start, span.end, span.entity_type.as_str());
            if d.has_span(span.start, span.end, &span.entity_type) || new_ranges.contains(&range) {
                return Err(ModelError::DuplicateSpan {
                    doc,
                    start: span.start,
                    end: span.end,
                    ty: span.entity_type.to_string(),
                });
            }
            new_ids.claim(project, ids, id)?;
            new_ranges.insert(range);
        }
    }
    project.reserve_ids(spans.iter().map(|s| s.id.0))?;
    ids.added(spans.iter().map(|s| s.id.0));
    inverses.extend(spans.iter().map(|s| Edit::RemoveSpan { doc, span: s.id }));
    let d = doc_mut(project, doc)?;
    d.spans.extend(spans);
    // A stable sort of a sorted list followed by new spans: the same order inserting them
    // one by one gives (sort keys are unique: they end with the id).
    d.spans.sort_by_key(|s| s.sort_key());
    Ok(())
}

fn remove_spans(
    project: &mut Project,
    doc: DocumentId,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let gone: Vec<SpanId> = run
        .iter()
        .filter_map(|e| match e {
            Edit::RemoveSpan { span, .. } => Some(*span),
            _ => None,
        })
        .collect();
    let positions: Vec<usize> = {
        let d = doc_ref(project, doc)?;
        let mut at: HashMap<SpanId, usize> = HashMap::with_capacity(d.spans.len());
        for (i, s) in d.spans.iter().enumerate() {
            at.entry(s.id).or_insert(i);
        }
        let related: HashSet<SpanId> = d
            .relations
            .iter()
            .flat_map(|r| [r.source, r.target])
            .collect();
        let mut positions = Vec::with_capacity(gone.len());
        for &span in &gone {
            // A span removed earlier in the run is no longer there.
            let i = at.remove(&span).ok_or(ModelError::NoSpan { doc, span })?;
            if related.contains(&span) {
                return Err(ModelError::SpanHasRelations { span });
            }
            positions.push(i);
        }
        positions
    };
    ids.removed(gone.iter().map(|s| s.0));
    let d = doc_mut(project, doc)?;
    let mut slots: Vec<Option<_>> = std::mem::take(&mut d.spans).into_iter().map(Some).collect();
    for i in positions {
        if let Some(span) = slots[i].take() {
            inverses.push(Edit::AddSpan { doc, span });
        }
    }
    d.spans = slots.into_iter().flatten().collect();
    Ok(())
}

fn set_span_fields(
    project: &mut Project,
    doc: DocumentId,
    run: Vec<Edit>,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let positions: Vec<usize> = {
        let types = TypeIndex::of(&project.schema);
        let mut at: Option<HashMap<SpanId, usize>> = None;
        let mut positions = Vec::with_capacity(run.len());
        for edit in &run {
            // What each edit checks before it looks for the span, in the same order.
            let span = match edit {
                Edit::SetSpanType {
                    span, entity_type, ..
                } => {
                    check_entity_type(&types, entity_type)?;
                    *span
                }
                Edit::LinkSpan { span, entity, .. } => {
                    if let Some(e) = entity {
                        project.entity(*e).ok_or(ModelError::NoEntity(*e))?;
                    }
                    *span
                }
                Edit::SetSpanNote { span, .. } => *span,
                _ => continue,
            };
            let d = doc_ref(project, doc)?;
            let at = at.get_or_insert_with(|| {
                let mut at = HashMap::with_capacity(d.spans.len());
                for (i, s) in d.spans.iter().enumerate() {
                    at.entry(s.id).or_insert(i);
                }
                at
            });
            positions.push(*at.get(&span).ok_or(ModelError::NoSpan { doc, span })?);
        }
        positions
    };
    let d = doc_mut(project, doc)?;
    for (edit, i) in run.into_iter().zip(positions) {
        let s = &mut d.spans[i];
        inverses.push(match edit {
            Edit::SetSpanType {
                span, entity_type, ..
            } => {
                let old = std::mem::replace(&mut s.entity_type, entity_type.into());
                Edit::SetSpanType {
                    doc,
                    span,
                    entity_type: old.to_string(),
                }
            }
            Edit::SetSpanNote { span, note, .. } => Edit::SetSpanNote {
                doc,
                span,
                note: std::mem::replace(&mut s.note, note),
            },
            Edit::LinkSpan { span, entity, .. } => Edit::LinkSpan {
                doc,
                span,
                entity: std::mem::replace(&mut s.entity, entity),
            },
            other => other,
        });
    }
    Ok(())
}

fn add_relations(
    project: &mut Project,
    doc: DocumentId,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let relations: Vec<_> = run
        .into_iter()
        .filter_map(|e| match e {
            Edit::AddRelation { relation, .. } => Some(relation),
            _ => None,
        })
        .collect();
    let mut new_ids = NewIds::default();
    {
        let d = doc_ref(project, doc)?;
        let types = TypeIndex::of(&project.schema);
        let spans = span_ids(d);
        for relation in &relations {
            check_relation_with(&types, d, relation, |id| spans.contains(&id))?;
            new_ids.claim(project, ids, relation.id.0)?;
        }
    }
    project.reserve_ids(relations.iter().map(|r| r.id.0))?;
    ids.added(relations.iter().map(|r| r.id.0));
    inverses.extend(relations.iter().map(|r| Edit::RemoveRelation {
        doc,
        relation: r.id,
    }));
    let d = doc_mut(project, doc)?;
    d.relations.extend(relations);
    d.relations.sort_by_key(|r| r.id);
    Ok(())
}

fn remove_relations(
    project: &mut Project,
    doc: DocumentId,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let gone: Vec<RelationId> = run
        .iter()
        .filter_map(|e| match e {
            Edit::RemoveRelation { relation, .. } => Some(*relation),
            _ => None,
        })
        .collect();
    {
        let d = doc_ref(project, doc)?;
        let mut seen = HashSet::new();
        for &relation in &gone {
            if d.relation(relation).is_none() || !seen.insert(relation) {
                return Err(ModelError::NoRelation { doc, relation });
            }
        }
    }
    ids.removed(gone.iter().map(|r| r.0));
    let d = doc_mut(project, doc)?;
    let wanted: HashSet<RelationId> = gone.iter().copied().collect();
    let mut removed = HashMap::with_capacity(gone.len());
    let mut kept = Vec::with_capacity(d.relations.len());
    for r in std::mem::take(&mut d.relations) {
        if wanted.contains(&r.id) {
            removed.insert(r.id, r);
        } else {
            kept.push(r);
        }
    }
    d.relations = kept;
    for id in gone {
        if let Some(relation) = removed.remove(&id) {
            inverses.push(Edit::AddRelation { doc, relation });
        }
    }
    Ok(())
}

fn remove_entities(
    project: &mut Project,
    run: Vec<Edit>,
    ids: &mut IdIndex,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let gone: Vec<EntityId> = run
        .iter()
        .filter_map(|e| match e {
            Edit::RemoveEntity(id) => Some(*id),
            _ => None,
        })
        .collect();
    {
        // Which entities have mentions, found in one pass over the spans (only when there is
        // more than one entity to check; one is checked by a scan that can stop early).
        let linked: Option<HashSet<EntityId>> = (gone.len() > 1).then(|| {
            project
                .documents
                .iter()
                .flat_map(|d| d.spans.iter().filter_map(|s| s.entity))
                .collect()
        });
        let mut seen = HashSet::new();
        for &id in &gone {
            if project.entity(id).is_none() || !seen.insert(id) {
                return Err(ModelError::NoEntity(id));
            }
            let in_use = match &linked {
                Some(linked) => linked.contains(&id),
                None => project.mentions_of(id).next().is_some(),
            };
            if in_use {
                return Err(ModelError::EntityInUse(id));
            }
        }
    }
    ids.removed(gone.iter().map(|e| e.0));
    let wanted: HashSet<EntityId> = gone.iter().copied().collect();
    let mut removed = HashMap::with_capacity(gone.len());
    let mut kept = Vec::with_capacity(project.entities.len());
    for e in std::mem::take(&mut project.entities) {
        if wanted.contains(&e.id) {
            removed.insert(e.id, e);
        } else {
            kept.push(e);
        }
    }
    project.entities = kept;
    for id in gone {
        if let Some(e) = removed.remove(&id) {
            inverses.push(Edit::AddEntity(e));
        }
    }
    Ok(())
}

/// Adds decisions (entity or relation ones: a run holds one kind). Never fails: the same
/// decision twice is kept twice, as inserting each after its equals does.
fn add_decisions(project: &mut Project, run: Vec<Edit>, inverses: &mut Vec<Edit>) {
    let mut entity = Vec::new();
    let mut relation = Vec::new();
    for edit in run {
        match edit {
            Edit::AddDecision(d) => {
                inverses.push(Edit::RemoveDecision(d.clone()));
                entity.push(d);
            }
            Edit::AddRelationDecision(d) => {
                inverses.push(Edit::RemoveRelationDecision(d.clone()));
                relation.push(d);
            }
            _ => {}
        }
    }
    merge_sorted(&mut project.decisions, entity);
    merge_sorted(&mut project.relation_decisions, relation);
}

fn merge_sorted<T: Ord>(list: &mut Vec<T>, new: Vec<T>) {
    if new.is_empty() {
        return;
    }
    list.extend(new);
    list.sort();
}

fn remove_decisions(
    project: &mut Project,
    run: Vec<Edit>,
    inverses: &mut Vec<Edit>,
) -> Result<(), ModelError> {
    let mut entity = Vec::new();
    let mut relation = Vec::new();
    for edit in &run {
        match edit {
            Edit::RemoveDecision(d) => entity.push(d),
            Edit::RemoveRelationDecision(d) => relation.push(d),
            _ => {}
        }
    }
    if let Some(d) = first_missing(&project.decisions, &entity) {
        return Err(ModelError::NoDecision {
            doc: d.document,
            start: d.start,
            end: d.end,
            ty: d.entity_type.clone(),
        });
    }
    if let Some(d) = first_missing(&project.relation_decisions, &relation) {
        return Err(ModelError::NoDecision {
            doc: d.document,
            start: d.target.start,
            end: d.target.end,
            ty: d.relation_type.clone(),
        });
    }
    remove_sorted(&mut project.decisions, &entity);
    remove_sorted(&mut project.relation_decisions, &relation);
    for edit in run {
        inverses.push(match edit {
            Edit::RemoveDecision(d) => Edit::AddDecision(d),
            Edit::RemoveRelationDecision(d) => Edit::AddRelationDecision(d),
            other => other,
        });
    }
    Ok(())
}

/// The first of `gone` that is not (or no longer, after the ones before it) in the sorted
/// `list`.
fn first_missing<'a, T: Ord>(list: &[T], gone: &[&'a T]) -> Option<&'a T> {
    let mut taken: BTreeMap<&T, usize> = BTreeMap::new();
    for &d in gone {
        let have = list.partition_point(|x| x <= d) - list.partition_point(|x| x < d);
        let n = taken.entry(d).or_insert(0);
        *n += 1;
        if *n > have {
            return Some(d);
        }
    }
    None
}

/// Removes one copy of each of `gone` from the sorted `list` (all known to be there).
fn remove_sorted<T: Ord>(list: &mut Vec<T>, gone: &[&T]) {
    if gone.is_empty() {
        return;
    }
    let mut left: BTreeMap<&T, usize> = BTreeMap::new();
    for &d in gone {
        *left.entry(d).or_insert(0) += 1;
    }
    let mut keep = Vec::with_capacity(list.len() - gone.len().min(list.len()));
    for x in std::mem::take(list) {
        match left.get_mut(&x) {
            Some(n) if *n > 0 => *n -= 1,
            _ => keep.push(x),
        }
    }
    *list = keep;
}

/// Checks a document an `InsertDocument` brings: fresh or unused ids (its own included, none
/// twice), valid spans and relations.
pub(super) fn check_new_document(
    project: &Project,
    document: &Document,
    ids: &mut IdIndex,
) -> Result<(), ModelError> {
    let mut own = HashSet::new();
    for id in document_ids(document) {
        if !own.insert(id) || (!project.is_fresh_id(id) && ids.contains(project, id)) {
            return Err(ModelError::DuplicateId(id));
        }
    }
    check_tokens(document)?;
    let types = TypeIndex::of(&project.schema);
    for span in &document.spans {
        check_span(&types, project, document, span)?;
    }
    check_relations(&types, document)
}

/// Checks an entity an `AddEntity` brings.
pub(super) fn check_new_entity(
    project: &Project,
    entity: &crate::model::Entity,
    ids: &mut IdIndex,
) -> Result<(), ModelError> {
    check_entity(&project.schema, entity)?;
    let id = entity.id.0;
    if !project.is_fresh_id(id) && ids.contains(project, id) {
        return Err(ModelError::DuplicateId(id));
    }
    Ok(())
}
