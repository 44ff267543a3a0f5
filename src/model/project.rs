use super::document::{Document, Made, Span};
use super::ids::{
    BLOCK_IDS_START, DocumentId, EntityId, IdAllocator, RelationId, SpanId, block_id, block_of,
};
use super::schema::Schema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The project file format this build writes. Older versions are migrated on load.
/// Version 2 keeps relation decisions in their own typed list (`relation_decisions`).
/// Version 3 adds author id blocks (`id_blocks`) and who made each annotation (`made`).
pub const FORMAT_VERSION: u32 = 3;

/// A project-wide knowledge-base record that spans in many documents can link to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub id: EntityId,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Identifiers in outside knowledge bases ("MESH:D015032", "Wikidata:Q7184"), from brat
    /// normalizations (`N` lines) and written back there unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Who made it and when (absent in files from before format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

impl Entity {
    /// An entity with no aliases or note, not yet stamped.
    pub fn new(id: EntityId, name: &str, entity_type: &str) -> Entity {
        Entity {
            id,
            name: name.to_string(),
            entity_type: entity_type.to_string(),
            aliases: Vec::new(),
            references: Vec::new(),
            note: String::new(),
            made: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    Rejected,
}

/// A span by offsets and type: the key of a span suggestion or of a relation's end (which
/// may itself still be a suggestion).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanRef {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub entity_type: String,
}

impl SpanRef {
    pub fn new(start: usize, end: usize, entity_type: &str) -> SpanRef {
        SpanRef {
            start,
            end,
            entity_type: entity_type.to_string(),
        }
    }

    pub fn of_span(span: &Span) -> SpanRef {
        SpanRef::new(span.start, span.end, &span.entity_type)
    }
}

/// A remembered decision on an entity suggestion, keyed by document, offsets and type (not
/// by a suggestion id) so it survives re-running the suggesters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionDecision {
    pub document: DocumentId,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub verdict: Verdict,
    /// Who decided and when (absent in files from before format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

/// A remembered decision on a relation suggestion, keyed by document, relation type and the
/// two ends by offsets and type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationDecision {
    pub document: DocumentId,
    #[serde(rename = "type")]
    pub relation_type: String,
    pub source: SpanRef,
    pub target: SpanRef,
    pub verdict: Verdict,
    /// Who decided and when (absent in files from before format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

/// A disagreement a three-way merge (`marginalia merge`) could not settle. The project keeps
/// one version of the object (OURS', or the changed one when the other side deleted it) and
/// records here what each side had, so the file still opens and the analyst can decide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Conflict {
    /// The object both sides changed: "T12", "R5", "E7", "D3", "entity type PER", ...
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentId>,
    /// What happened, in words ("both sides retyped the span").
    pub what: String,
    /// OURS' version ("deleted" when OURS deleted it).
    pub ours: String,
    /// THEIRS' version.
    pub theirs: String,
}

/// Everything saved in a `.ron` project file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub format_version: u32,
    pub name: String,
    /// The next id of the shared counter; ids are never reused.
    pub next_id: u64,
    /// Author id blocks in use: block number -> the next counter in that block (see
    /// `model::ids`). Empty in a project nobody edited with an author block.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_blocks: BTreeMap<u32, u32>,
    pub schema: Schema,
    /// Shared, so that a snapshot for a background job is cheap: an edit copies only the
    /// document it changes (`Arc::make_mut`).
    #[serde(default)]
    pub documents: Vec<Arc<Document>>,
    /// Kept sorted by id.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Decisions on entity suggestions, kept sorted (binary search).
    #[serde(default)]
    pub decisions: Vec<SuggestionDecision>,
    /// Decisions on relation suggestions, kept sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relation_decisions: Vec<RelationDecision>,
    /// Merge conflicts still to be settled (see `Conflict`); empty in a project never merged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    /// Bumped by every applied edit; drives the dirty flag and derived-view caches.
    #[serde(skip)]
    pub revision: u64,
    /// The author block this copy hands new ids out of (session state, set by whoever opens
    /// the project for editing: `Author::bind`); `None`: the shared counter.
    #[serde(skip)]
    pub id_block: IdBlockChoice,
}

/// The author block of an editing session. Never saved and never part of comparisons: two
/// projects with the same content are equal whoever is editing them.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdBlockChoice(pub Option<u32>);

impl PartialEq for IdBlockChoice {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Project {
    /// An empty project with the default schema.
    pub fn new(name: &str) -> Project {
        Project {
            format_version: FORMAT_VERSION,
            name: name.to_string(),
            next_id: 1,
            id_blocks: BTreeMap::new(),
            schema: Schema::default_schema(),
            documents: Vec::new(),
            entities: Vec::new(),
            decisions: Vec::new(),
            relation_decisions: Vec::new(),
            conflicts: Vec::new(),
            revision: 0,
            id_block: IdBlockChoice(None),
        }
    }

    /// Ids for building a transaction from `&Project`: they start above every id the project
    /// has handed out, and applying the edits that use them moves the project's counter on.
    /// In an editing session with an author block, the ids come from that block.
    pub fn ids(&self) -> IdAllocator {
        match self.id_block.0.filter(|&b| block_id(b, 0) >= self.next_id) {
            Some(b) => IdAllocator::in_block(b, self.id_blocks.get(&b).copied().unwrap_or(0)),
            None => IdAllocator::starting_at(self.next_id),
        }
    }

    /// The author block and counter of an id counted in a block; `None` for a shared-counter
    /// id (a block below `next_id` can only hold shared-counter ids of an old hand-made file).
    fn counted_in_block(&self, id: u64) -> Option<(u32, u32)> {
        block_of(id).filter(|&(b, _)| block_id(b, 0) >= self.next_id)
    }

    /// True when no object can have this id yet: it is at or above its counter. (Only undo
    /// and redo bring back ids below it, so a fresh id needs no search.)
    pub fn is_fresh_id(&self, id: u64) -> bool {
        match self.counted_in_block(id) {
            Some((b, c)) => c >= self.id_blocks.get(&b).copied().unwrap_or(0),
            None => id >= self.next_id,
        }
    }

    // Direct allocation, for code that builds a project outside the edit path (importers
    // assembling a fresh project, generators, tests).
    pub fn new_document_id(&mut self) -> DocumentId {
        let mut ids = self.ids();
        let id = ids.document();
        self.next_id = ids.next();
        id
    }
    pub fn new_span_id(&mut self) -> SpanId {
        let mut ids = self.ids();
        let id = ids.span();
        self.next_id = ids.next();
        id
    }
    pub fn new_relation_id(&mut self) -> RelationId {
        let mut ids = self.ids();
        let id = ids.relation();
        self.next_id = ids.next();
        id
    }
    pub fn new_entity_id(&mut self) -> EntityId {
        let mut ids = self.ids();
        let id = ids.entity();
        self.next_id = ids.next();
        id
    }

    /// Makes sure ids handed out later are above `id` (used when an edit brings its own id).
    /// Fails when no id would be left above it.
    pub(crate) fn reserve_id(&mut self, id: u64) -> Result<(), super::ModelError> {
        self.check_reservable(id)?;
        match self.counted_in_block(id) {
            Some((b, c)) => {
                let counter = self.id_blocks.entry(b).or_insert(0);
                *counter = (*counter).max(c + 1);
            }
            None => self.next_id = self.next_id.max(id + 1),
        }
        Ok(())
    }

    /// Whether `reserve_id` can move a counter past `id` (edits check this before they
    /// change anything).
    pub(crate) fn check_reservable(&self, id: u64) -> Result<(), super::ModelError> {
        let room = match self.counted_in_block(id) {
            Some((_, c)) => c < u32::MAX,
            // The shared counter never runs into the author blocks.
            None => id < u64::MAX && id + 1 != BLOCK_IDS_START,
        };
        if room {
            Ok(())
        } else {
            Err(super::ModelError::IdsExhausted)
        }
    }

    /// `reserve_id` for several ids, all or nothing.
    pub(crate) fn reserve_ids(
        &mut self,
        ids: impl Iterator<Item = u64>,
    ) -> Result<(), super::ModelError> {
        let (next_id, blocks) = (self.next_id, self.id_blocks.clone());
        for id in ids {
            if let Err(e) = self.reserve_id(id) {
                (self.next_id, self.id_blocks) = (next_id, blocks);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Moves every counter past the ids the project holds (after a merge put objects of
    /// several copies together).
    pub fn recount_ids(&mut self) -> Result<(), super::ModelError> {
        let mut ids: Vec<u64> = self.entities.iter().map(|e| e.id.0).collect();
        for d in &self.documents {
            ids.push(d.id.0);
            ids.extend(d.spans.iter().map(|s| s.id.0));
            ids.extend(d.relations.iter().map(|r| r.id.0));
        }
        // Shared-counter ids first: `next_id` decides which ids count in a block.
        ids.sort_unstable();
        for id in ids {
            if !self.is_fresh_id(id) {
                continue;
            }
            self.reserve_id(id)?;
        }
        Ok(())
    }

    pub fn document(&self, id: DocumentId) -> Option<&Document> {
        self.document_index(id).map(|i| &*self.documents[i])
    }

    /// Where a document is in `documents`. Documents are appended with fresh (growing) ids,
    /// so the list is normally sorted by id: a binary search, which can only ever hit the
    /// right document (ids are unique), and a scan when it misses (a list in another order).
    pub fn document_index(&self, id: DocumentId) -> Option<usize> {
        match self.documents.binary_search_by_key(&id, |d| d.id) {
            Ok(i) => Some(i),
            Err(_) => self.documents.iter().position(|d| d.id == id),
        }
    }

    pub(crate) fn document_mut(&mut self, id: DocumentId) -> Option<&mut Document> {
        let i = self.document_index(id)?;
        Some(Arc::make_mut(&mut self.documents[i]))
    }

    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.entities[i])
    }

    /// The document holding a span, and the span.
    pub fn find_span(&self, id: SpanId) -> Option<(&Document, &Span)> {
        self.documents
            .iter()
            .find_map(|d| d.span(id).map(|s| (&**d, s)))
    }

    /// True when an entity suggestion with these offsets and type was rejected.
    pub fn is_rejected(&self, document: DocumentId, start: usize, end: usize, ty: &str) -> bool {
        let key = (document, start, end, ty);
        let at = self
            .decisions
            .partition_point(|d| (d.document, d.start, d.end, d.entity_type.as_str()) < key);
        self.decisions
            .get(at)
            .is_some_and(|d| (d.document, d.start, d.end, d.entity_type.as_str()) == key)
    }

    /// True when a relation suggestion of this type between these ends was rejected.
    pub fn is_relation_rejected(
        &self,
        document: DocumentId,
        relation_type: &str,
        source: &SpanRef,
        target: &SpanRef,
    ) -> bool {
        let key = (document, relation_type, source, target);
        let at = self.relation_decisions.partition_point(|d| {
            (d.document, d.relation_type.as_str(), &d.source, &d.target) < key
        });
        self.relation_decisions
            .get(at)
            .is_some_and(|d| (d.document, d.relation_type.as_str(), &d.source, &d.target) == key)
    }

    /// All spans linked to an entity, with their documents.
    pub fn mentions_of(&self, entity: EntityId) -> impl Iterator<Item = (&Document, &Span)> {
        self.documents.iter().flat_map(move |d| {
            d.spans
                .iter()
                .filter(move |s| s.entity == Some(entity))
                .map(move |s| (&**d, s))
        })
    }

    pub fn span_count(&self) -> usize {
        self.documents.iter().map(|d| d.spans.len()).sum()
    }

    pub fn relation_count(&self) -> usize {
        self.documents.iter().map(|d| d.relations.len()).sum()
    }
}
