use super::document::{Document, Span};
use super::ids::{DocumentId, EntityId, RelationId, SpanId};
use super::schema::Schema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The project file format this build writes. Older versions are migrated on load.
pub const FORMAT_VERSION: u32 = 1;

/// A project-wide knowledge-base record that spans in many documents can link to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: EntityId,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Rejected,
}

/// A remembered decision on a suggestion, keyed by document, offsets and type (not by a
/// suggestion id) so it survives re-running the suggesters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionDecision {
    pub document: DocumentId,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub verdict: Verdict,
}

/// Everything saved in a `.ron` project file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub format_version: u32,
    pub name: String,
    /// The next id to hand out; ids are never reused.
    pub next_id: u64,
    pub schema: Schema,
    /// Shared, so that a snapshot for a background job is cheap: an edit copies only the
    /// document it changes (`Arc::make_mut`).
    #[serde(default)]
    pub documents: Vec<Arc<Document>>,
    /// Kept sorted by id.
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub decisions: Vec<SuggestionDecision>,
    /// Bumped by every applied edit; drives the dirty flag and derived-view caches.
    #[serde(skip)]
    pub revision: u64,
}

impl Project {
    /// An empty project with the default schema.
    pub fn new(name: &str) -> Project {
        Project {
            format_version: FORMAT_VERSION,
            name: name.to_string(),
            next_id: 1,
            schema: Schema::default_schema(),
            documents: Vec::new(),
            entities: Vec::new(),
            decisions: Vec::new(),
            revision: 0,
        }
    }

    fn allocate(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn new_document_id(&mut self) -> DocumentId {
        DocumentId(self.allocate())
    }
    pub fn new_span_id(&mut self) -> SpanId {
        SpanId(self.allocate())
    }
    pub fn new_relation_id(&mut self) -> RelationId {
        RelationId(self.allocate())
    }
    pub fn new_entity_id(&mut self) -> EntityId {
        EntityId(self.allocate())
    }

    /// Makes sure ids handed out later are above `id` (used when an edit brings its own id).
    pub(crate) fn reserve_id(&mut self, id: u64) {
        self.next_id = self.next_id.max(id + 1);
    }

    pub fn document(&self, id: DocumentId) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id).map(|v| &**v)
    }

    pub fn document_index(&self, id: DocumentId) -> Option<usize> {
        self.documents.iter().position(|d| d.id == id)
    }

    pub(crate) fn document_mut(&mut self, id: DocumentId) -> Option<&mut Document> {
        self.documents
            .iter_mut()
            .find(|d| d.id == id)
            .map(Arc::make_mut)
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

    pub fn is_rejected(&self, document: DocumentId, start: usize, end: usize, ty: &str) -> bool {
        self.decisions.iter().any(|d| {
            d.document == document && d.start == start && d.end == end && d.entity_type == ty
        })
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
